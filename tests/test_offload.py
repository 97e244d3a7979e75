"""Pure work handed to the helper process: the same answer as in place, also when the helper has died."""

from __future__ import annotations

import os
import signal

from exchange.kit import offload


def _squares(items: list[int]) -> list[int]:
    return [i * i for i in items]


def _pids(items: list[int]) -> list[int]:
    return [os.getpid() for _ in items]


async def test_a_large_batch_runs_in_a_helper_process_and_a_dead_helper_is_replaced() -> None:
    items = list(range(offload.POOLED_BATCH + 10))
    assert await offload.start(_squares, items) == [i * i for i in items]
    helper = (await offload.start(_pids, [0] * offload.POOLED_BATCH))[0]
    assert helper != os.getpid()
    os.kill(helper, signal.SIGKILL)
    assert await offload.start(_squares, items) == [i * i for i in items]  # done in place, or by a new helper
    again = (await offload.start(_pids, [0] * offload.POOLED_BATCH))[0]
    assert again not in (helper, os.getpid())
    assert await offload.start(_squares, [3]) == [9]  # a small batch: in place
