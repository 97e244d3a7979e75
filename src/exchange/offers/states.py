"""The offer's lifecycle as data: draft → published → withdrawn, and published again."""

from __future__ import annotations

from exchange.listings.states import Table, Transition

DRAFT, PUBLISHED, WITHDRAWN = "draft", "published", "withdrawn"

TRANSITIONS: Table = {
    (DRAFT, "update"): Transition(DRAFT, "offer.update"),
    (PUBLISHED, "update"): Transition(PUBLISHED, "offer.update"),
    (WITHDRAWN, "update"): Transition(WITHDRAWN, "offer.update"),
    (DRAFT, "publish"): Transition(PUBLISHED, "offer.publish"),
    (WITHDRAWN, "publish"): Transition(PUBLISHED, "offer.publish"),
    (PUBLISHED, "withdraw"): Transition(WITHDRAWN, "offer.withdraw"),
}
