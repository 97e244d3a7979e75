"""Pure work over a large batch in a helper process, while the caller goes on with its own.

An import spends most of its time in Python on one core; the text analysis of its rows (pure functions of
the text) can run on the other. :func:`start` hands a batch to one helper process and returns at once; the
caller does its other work for the same rows and awaits the result when it needs it. The helper is a fresh
interpreter (``spawn``: forking a process that runs threads is unsafe), started on first use and kept, so
that what it loads (the thesaurus, the segmenter's dictionary) is loaded once. A small batch is done here
and now: below a few hundred items the hand-over costs more than it saves.

A script that runs such work must keep its top level behind ``if __name__ == "__main__":`` (a spawned
interpreter imports the main module again).
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

POOLED_BATCH = 200
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _helper() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            atexit.register(_pool.shutdown, cancel_futures=True)
        return _pool


def _forget(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def start(work: Callable[[list[T]], list[R]], items: list[T]) -> Awaitable[list[R]]:
    """``work(items)`` — a module-level function, so that the helper can import it — started now. Should the
    helper die (killed for memory, say), the work is done in place and the next batch starts a new helper."""
    loop = asyncio.get_running_loop()
    if len(items) < POOLED_BATCH:
        done: asyncio.Future[list[R]] = loop.create_future()
        done.set_result(work(items))
        return done
    pool = _helper()
    try:
        running = loop.run_in_executor(pool, work, items)
    except BrokenProcessPool:  # it died while idle
        _forget(pool)
        pool = _helper()
        running = loop.run_in_executor(pool, work, items)

    async def result() -> list[R]:
        try:
            return await running
        except BrokenProcessPool:
            _forget(pool)
            return work(items)

    return asyncio.ensure_future(result())
