"""Lifecycles as data: ``(state, action) → Step(next state, who may, guard)``.

``who`` names *parties* (``"author"``, ``"community"``, ``"manager"`` …), not bare roles: the domain
says which parties a user is for one item (the resident who wrote a proposal is its ``author``; the
committee of the community it lies in is its ``community``), and the table says which parties may
make each move. A ``guard`` looks at facts the service gathered and returns the error that forbids
the move, or ``None``. :meth:`Lifecycle.step` checks, in this order, who may ask at all (403), the
state (409 naming it), who may ask in this state (403), then the guard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from exchange.errors import ExchangeError, forbidden, invalid_state

C = TypeVar("C")


@dataclass(frozen=True)
class Step(Generic[C]):
    to: str
    who: frozenset[str]
    guard: Callable[[C], ExchangeError | None] | None = None


def may(*parties: str) -> frozenset[str]:
    return frozenset(parties)


class Lifecycle(Generic[C]):
    """One entity's state table and the one function that applies it."""

    def __init__(self, entity: str, table: dict[tuple[str, str], Step[C]]) -> None:
        self.entity = entity
        self.table = table

    def actions(self) -> set[str]:
        return {action for _, action in self.table}

    def allowed_from(self, state: str) -> list[str]:
        return sorted(a for (s, a) in self.table if s == state)

    def who_may(self, action: str) -> frozenset[str]:
        return frozenset().union(*(s.who for (_, a), s in self.table.items() if a == action))

    def step(self, state: str, action: str, parties: Iterable[str], facts: C | None = None) -> Step[C]:
        """The move, or the error that forbids it."""
        mine = set(parties)
        if not self.who_may(action) & mine:
            raise _not_yours(self.entity, action)
        found = self.table.get((state, action))
        if found is None:
            raise invalid_state(self.entity, state, action)
        if not found.who & mine:
            raise _not_yours(self.entity, action)
        if found.guard is not None:
            error = found.guard(facts)  # type: ignore[arg-type]
            if error is not None:
                raise error
        return found


def _not_yours(entity: str, action: str) -> ExchangeError:
    return forbidden("无权执行此操作", f"You may not {action.replace('_', ' ')} this {entity}", code="not_allowed")


def describe(lifecycle: Lifecycle[Any]) -> list[dict[str, Any]]:
    """The table as rows, for documentation and exhaustive tests."""
    return [{"from": s, "action": a, "to": step.to, "who": sorted(step.who), "guarded": step.guard is not None}
            for (s, a), step in lifecycle.table.items()]
