"""Tenders: sealed bids, the review panel, awards under public notice, objections, calls, OCDS."""
