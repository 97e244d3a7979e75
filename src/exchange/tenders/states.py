"""The tender's state machine as data: ``(state, action) → Move(next state, who may, guard)``.

The opportunity's statuses from ``published`` on belong to the tender. ``who`` names capacities
(:func:`exchange.tenders.service.capacities`): ``buyer`` (a user of the buyer organization),
``manager``, ``org`` (any organization user), ``panel`` (a named expert), ``clock`` (the time-driven
mover). ``to=None`` means the service picks the next state (the guard says how)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exchange.errors import forbidden, invalid_state


@dataclass(frozen=True)
class Move:
    to: str | None
    who: frozenset[str]
    guard: str = ""


def move(to: str | None, who: str, guard: str = "") -> Move:
    return Move(to, frozenset(who.split()), guard)


Table = dict[tuple[str, str], Move]

TENDER: Table = {
    ("published", "bid"):             move("published", "org", "before bid_deadline; eligible organization; one bid each"),
    ("published", "close_bidding"):   move(None, "buyer manager clock",
                                           "bid_deadline reached → bidding_closed, or unsuccessful below min_bids"),
    ("published", "ask"):             move("published", "org", "before bid_deadline"),
    ("published", "answer"):          move("published", "buyer manager", "an answer that changes the terms is an amendment"),
    ("published", "roadshow"):        move("published", "buyer manager"),
    ("bidding_closed", "roadshow"):   move("bidding_closed", "buyer manager"),
    ("under_review", "roadshow"):     move("under_review", "buyer manager"),
    ("bidding_closed", "name_panel"): move("under_review", "buyer manager", "every named user is an expert"),
    ("under_review", "name_panel"):   move("under_review", "buyer manager", "adds experts"),
    ("under_review", "decline_panel"): move("under_review", "panel buyer manager",
                                            "a drawn expert that has not scored; the draw's next candidate replaces it"),
    ("under_review", "score"):        move("under_review", "panel", "every rubric criterion 0–100, or a conflict"),
    ("under_review", "award"):        move("awarded", "buyer manager", "an eligible bid never awarded before"),
    ("awarded", "resolve_objection"): move(None, "buyer manager", "upheld → under_review; rejected → awarded"),
    ("awarded", "contract"):          move("contracted", "buyer manager org", "both parties signed the deal"),
    ("awarded", "close"):             move("closed", "buyer manager", "its deal ended before signing"),
    ("contracted", "close"):          move("closed", "buyer manager", "its deal closed or was terminated"),
}


class Machine:
    """Checks a move against a table: 403 for a capacity that may never do it, 409 naming the
    state and action when the state does not allow it."""

    def __init__(self, entity: str, table: Table) -> None:
        self.entity, self.table = entity, table

    def who_may(self, action: str) -> frozenset[str]:
        return frozenset(c for (_, a), m in self.table.items() if a == action for c in m.who)

    def check(self, state: str, action: str, capacities: Iterable[str]) -> Move:
        caps = set(capacities)
        if not caps & self.who_may(action):
            raise forbidden(f"无权执行「{action}」", f"You may not '{action}' this {self.entity}", code="not_allowed")
        found = self.table.get((state, action))
        if found is None:
            raise invalid_state(self.entity, state, action)
        if not caps & found.who:
            raise forbidden(f"无权执行「{action}」", f"You may not '{action}' this {self.entity}", code="not_allowed")
        return found

    def allowed(self, state: str, capacities: Iterable[str]) -> set[str]:
        """The actions ``capacities`` may take from ``state`` (what a page offers as buttons)."""
        caps = set(capacities)
        return {a for (s, a), m in self.table.items() if s == state and caps & m.who}

    def states(self) -> set[str]:
        return {s for s, _ in self.table} | {m.to for m in self.table.values() if m.to}

    def actions(self) -> set[str]:
        return {a for _, a in self.table}


tender_machine = Machine("opportunity", TENDER)
