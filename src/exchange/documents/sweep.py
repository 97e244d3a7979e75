"""The orphan sweep: stored bytes that no document references any more (a deleted document, or a
request whose commit failed after its bytes were stored), and uploads abandoned in flight.

Only what is older than the grace period goes: an upload stores (or touches) its object just
before it commits, so an object that young may belong to a transaction still committing."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.documents.repository import DocumentRepository
from exchange.documents.storage import DocumentStore
from exchange.kit.clock import now

BATCH = 500


@dataclass
class Swept:
    objects_removed: int
    objects_kept: int
    incoming_removed: int


async def sweep(session: AsyncSession, store: DocumentStore, grace_seconds: float) -> Swept:
    """Remove unreferenced objects and abandoned uploads older than ``grace_seconds``."""
    cutoff = now() - dt.timedelta(seconds=grace_seconds)
    repo = DocumentRepository(session)
    removed = kept = 0
    batch: list[str] = []

    async def settle() -> None:
        nonlocal removed, kept
        referenced = await repo.referenced(key.rsplit("/", 1)[-1] for key in batch)
        for key in batch:
            if key.rsplit("/", 1)[-1] in referenced:
                kept += 1
            else:
                await store.delete(key)
                removed += 1
        batch.clear()

    async for key, modified in store.objects():
        if modified >= cutoff:
            kept += 1
            continue
        batch.append(key)
        if len(batch) >= BATCH:
            await settle()
    await settle()
    return Swept(removed, kept, await asyncio.to_thread(_clear_incoming, store.incoming, cutoff))


def _clear_incoming(incoming: Path, cutoff: dt.datetime) -> int:
    count = 0
    for path in incoming.glob("*.part"):
        try:
            if dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) < cutoff:
                path.unlink()
                count += 1
        except FileNotFoundError:
            continue
    return count
