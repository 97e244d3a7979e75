"""An application's lifecycle as data: ``(state, action) → Move(next, who may, guard)``.

Capacities: ``org`` (a user of the applying organization), ``manager``, ``panel`` (an expert named on
the call's panel)."""

from __future__ import annotations

from exchange.tenders.states import Machine, Table, move

APPLICATION: Table = {
    ("submitted", "screen"):   move(None, "manager", "after the deadline: passed → shortlisted, else screened_out"),
    ("shortlisted", "score"):  move("shortlisted", "manager panel", "a roadshow score 0–100, one per scorer"),
    ("shortlisted", "decide"): move(None, "manager", "fund (within what is left of the budget) → funded, or declined"),
}

application_machine = Machine("application", APPLICATION)
