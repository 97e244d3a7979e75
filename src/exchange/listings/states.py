"""State machines as data: ``(state, action) → Transition(next state, permission)``.

Each list keeps its own table (``opportunities/states.py`` …); ``transition`` finds one step or
answers 409 with a code naming the state (``need_claimed``)."""

from __future__ import annotations

from dataclasses import dataclass

from exchange.errors import invalid_state


@dataclass(frozen=True)
class Transition:
    to: str
    permission: str  # an action of listings.permissions.TABLE


Table = dict[tuple[str, str], Transition]


def transition(table: Table, entity: str, state: str, action: str) -> Transition:
    """The move ``action`` from ``state``; 409 ``{entity}_{state}`` when the table has none."""
    step = table.get((state, action))
    if step is None:
        raise invalid_state(entity, state, action)
    return step


def actions_from(table: Table, state: str) -> list[str]:
    return sorted(a for (s, a) in table if s == state)


def permission_for(table: Table, action: str) -> str:
    """The permission an action needs, whatever the state (who may ask is checked before when)."""
    for (_, name), step in table.items():
        if name == action:
            return step.permission
    raise KeyError(action)
