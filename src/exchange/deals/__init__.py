"""Deals: contracts with milestones, supervision, closing reports and evaluations."""
