"""Every (state, action) of the tender, deal and milestone tables: allowed for the capacities it
names, 403 for the others, 409 naming the state and the action where the table has no move."""

from __future__ import annotations

import pytest

from exchange.deals.states import deal_machine, milestone_machine
from exchange.errors import ExchangeError
from exchange.tenders.states import Machine, tender_machine

MACHINES = {"tender": tender_machine, "deal": deal_machine, "milestone": milestone_machine}
CASES = [(name, state, action) for name, m in MACHINES.items() for state in sorted(m.states()) for action in sorted(m.actions())]


@pytest.mark.parametrize(("machine", "state", "action"), CASES, ids=[f"{m}:{s}:{a}" for m, s, a in CASES])
def test_every_state_and_action(machine: str, state: str, action: str) -> None:
    m: Machine = MACHINES[machine]
    move = m.table.get((state, action))
    with pytest.raises(ExchangeError) as nobody:
        m.check(state, action, {"resident"})
    assert nobody.value.status == 403
    if move is not None:
        for capacity in move.who:
            assert m.check(state, action, {capacity}) is move
        for capacity in m.who_may(action) - move.who:
            with pytest.raises(ExchangeError) as wrong:
                m.check(state, action, {capacity})
            assert wrong.value.status == 403
    else:
        for capacity in m.who_may(action):
            with pytest.raises(ExchangeError) as refused:
                m.check(state, action, {capacity})
            assert refused.value.status == 409 and refused.value.code == f"{m.entity}_{state}"
            assert refused.value.extra == {"state": state, "action": action}


def test_the_tables_fit_on_one_screen() -> None:
    for m in MACHINES.values():
        assert len(m.table) <= 20
        assert all(move.who for move in m.table.values())
