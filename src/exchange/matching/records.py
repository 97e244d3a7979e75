"""What the matching engine indexes and answers: listings, queries, matches and their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from exchange.chinese.analysis import listing_text
from exchange.chinese.concepts import Analysis

__all__ = ["Listing", "Match", "OrgFacts", "Query", "Reason", "query_from_listing"]


@dataclass
class OrgFacts:
    """The organization behind an offer (or a bidder), as far as matching cares."""

    id: str
    registration: str | None = None  # 'registered' | 'subdistrict_filed' | 'community_filed' | None
    a_level: int = 0
    suspended: bool = False
    stars: int | None = None
    evaluation_avg: float | None = None


@dataclass
class Listing:
    """An offer, an opportunity or a need, as the engine sees it."""

    id: str
    kind: str  # 'offer' | 'opportunity' | 'need'
    title: str
    description: str
    category: str | None
    target_groups: list[str]
    region_codes: list[str]
    status: str
    price_fen: int | None = None
    pricing: str | None = None
    budget_fen: int | None = None
    capacity_per_month: int | None = None
    org: OrgFacts | None = None
    eligibility: dict | None = None
    # The text's analysis made when the listing was written (see ``analysis.py``); used instead of
    # analysing again when it is of the index's analyser version, otherwise ignored.
    analysis: Analysis | None = None


@dataclass
class Query:
    """What we match from: free text plus whatever structure the source has."""

    text: str
    category: str | None = None
    target_groups: list[str] = field(default_factory=list)
    region_code: str | None = None
    region_codes: list[str] | None = None
    budget_fen: int | None = None
    eligibility: dict | None = None
    org: OrgFacts | None = None
    price_fen: int | None = None  # matching from an offer: its price, against opportunities' budgets
    pricing: str | None = None


@dataclass
class Reason:
    """One rule's contribution to a match: its 0–1 score, its weight (0 for a failed hard rule)."""

    rule: str
    score: float
    weight: float
    detail: str


@dataclass
class Match:
    """A ranked candidate."""

    listing: Listing
    score: float
    eligible: bool
    reasons: list[Reason]


def query_from_listing(listing: Listing) -> Query:
    """Build the query that finds matches for a need, an opportunity or an offer."""
    text = listing_text(listing.title, listing.description)
    base = {"text": text, "category": listing.category, "target_groups": list(listing.target_groups)}
    if listing.kind == "need":
        return Query(**base, region_code=listing.region_codes[0] if listing.region_codes else None)
    if listing.kind == "opportunity":
        return Query(
            **base, region_codes=list(listing.region_codes), budget_fen=listing.budget_fen,
            eligibility=listing.eligibility,
        )
    return Query(
        **base, region_codes=list(listing.region_codes), org=listing.org, price_fen=listing.price_fen,
        pricing=listing.pricing,
    )
