"""The need's lifecycle (揭榜) as data: ``(state, action) → Transition(next state, permission)``."""

from __future__ import annotations

from exchange.listings.states import Table, Transition

OPEN, CLAIMED, FULFILLED, CONFIRMED = "open", "claimed", "fulfilled", "confirmed"
WITHDRAWN, CONVERTED = "withdrawn", "converted"

TRANSITIONS: Table = {
    (OPEN, "update"): Transition(OPEN, "need.update"),
    (OPEN, "support"): Transition(OPEN, "need.support"),
    (CLAIMED, "support"): Transition(CLAIMED, "need.support"),
    (OPEN, "claim"): Transition(CLAIMED, "need.claim"),
    (CLAIMED, "release"): Transition(OPEN, "need.release"),
    (CLAIMED, "fulfil"): Transition(FULFILLED, "need.fulfil"),
    (FULFILLED, "confirm"): Transition(CONFIRMED, "need.confirm"),
    (OPEN, "withdraw"): Transition(WITHDRAWN, "need.withdraw"),
    (OPEN, "convert"): Transition(CONVERTED, "opportunity.from_needs"),
}

# Where "own" means the claimant rather than the requester.
CLAIMANT_ACTIONS = {"fulfil", "release"}
