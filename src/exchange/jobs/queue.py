"""Asking the job runner to do something later, in the caller's transaction.

::

    from exchange.jobs import queue

    job = await queue.enqueue(session, "import.run", {"import_id": str(item.id)})

The job is committed with the request (a rolled-back request enqueues nothing). The runner calls the
handler listed for ``kind`` in :mod:`exchange.scheduled` with the job's payload, in its own
transaction; a handler that raises is retried with exponential backoff up to ``max_attempts``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.jobs.models import Job, JobStatus
from exchange.kit.clock import now


async def enqueue(session: AsyncSession, kind: str, payload: dict[str, Any] | None = None, *,
                  run_at: dt.datetime | None = None, key: str | None = None, max_attempts: int = 10) -> Job:
    """Queue a job of ``kind``; with ``key``, a job already queued under that key is returned instead."""
    if key is not None:
        existing = (await session.execute(select(Job).where(Job.key == key))).scalar_one_or_none()
        if existing is not None:
            return existing
    at = now()
    job = Job(id=uuid.uuid4(), kind=kind, payload=payload or {}, status=JobStatus.queued.value, run_at=run_at or at,
              attempts=0, max_attempts=max_attempts, key=key, created_at=at)
    session.add(job)
    await session.flush()
    return job


async def get(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    return await session.get(Job, job_id)
