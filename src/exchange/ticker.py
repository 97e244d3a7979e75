"""Time-driven moves (bidding closes at its deadline, a standstill ends …).

Domains register a function that applies every move that is due; :func:`tick` runs them all.
It is called by ``exchange tick``, by a periodic task inside ``exchange serve``, and by reads of
the items concerned, so that nothing depends on someone clicking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

DueMoves = Callable[[AsyncSession], Awaitable[int]]
_registry: list[DueMoves] = []


def register(fn: DueMoves) -> DueMoves:
    """Register ``fn(session) -> number of moves applied``; usable as a decorator."""
    if fn not in _registry:
        _registry.append(fn)
    return fn


async def tick(session: AsyncSession) -> int:
    """Apply every due move in every domain; returns how many moves were applied."""
    return sum([await fn(session) for fn in list(_registry)])
