"""Funds by source (三源统筹) and the double-entry ledger that moves their money."""
