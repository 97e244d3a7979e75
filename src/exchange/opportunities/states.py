"""The opportunity's lifecycle as data: ``(state, action) → Transition(next state, permission)``.

The tender steps (``close_bidding``, ``panel``, ``award`` …) extend this table with their own rows;
``update`` is a self-move: PATCH is allowed where the table has it."""

from __future__ import annotations

from exchange.listings.states import Table, Transition

DRAFT, PUBLISHED, CANCELLED = "draft", "published", "cancelled"
# Bidding has closed: bids (and their documents) are unsealed.
BIDDING_CLOSED = frozenset({"bidding_closed", "under_review", "awarded", "contracted", "closed", "unsuccessful"})

TRANSITIONS: Table = {
    (DRAFT, "update"): Transition(DRAFT, "opportunity.update"),
    (PUBLISHED, "update"): Transition(PUBLISHED, "opportunity.update"),
    (DRAFT, "publish"): Transition(PUBLISHED, "opportunity.publish"),
    (DRAFT, "cancel"): Transition(CANCELLED, "opportunity.cancel"),
    (PUBLISHED, "cancel"): Transition(CANCELLED, "opportunity.cancel"),
    # the tender's own moves are in exchange.tenders.states; until an award it may still be cancelled
    ("bidding_closed", "cancel"): Transition(CANCELLED, "opportunity.cancel"),
    ("under_review", "cancel"): Transition(CANCELLED, "opportunity.cancel"),
}
