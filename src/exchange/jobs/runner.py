"""The job runner: periodic jobs and deferred jobs, one item per transaction.

What runs is listed in one place, :mod:`exchange.scheduled`; this module only knows how to run it.

- A :class:`Periodic` job has ``due(session) → item keys`` (read without locks) and
  ``apply(session, key) → bool``, which must lock the item so that a second runner skips it
  (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serializes write transactions), re-check
  that the move is still due, and apply it. Each item gets its own transaction, so one item's
  failure rolls back that item only; it is logged and retried with exponential backoff.
- A deferred job is a row of ``jobs`` (:func:`exchange.jobs.queue.enqueue`). The runner claims due
  rows with ``FOR UPDATE SKIP LOCKED`` and calls the handler listed for the job's ``kind`` with its
  payload, in the same transaction that marks the job done; a failure is logged and the job is
  retried at ``run_at`` = now + backoff until ``max_attempts``.

Any number of runners (and ``exchange tick``) may run against one PostgreSQL database at once: the
row locks and re-checks make each move happen exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import traceback
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import db
from exchange.jobs.models import Job, JobStatus
from exchange.kit.clock import now

log = logging.getLogger("exchange.jobs")

Due = Callable[[AsyncSession], Awaitable[Sequence[Hashable]]]
Apply = Callable[[AsyncSession, Any], Awaitable[bool]]
Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]

MAX_BACKOFF_SECONDS = 3600.0


@dataclass(frozen=True)
class Periodic:
    """A job run every pass of the runner: ``apply`` each item that ``due`` lists."""

    name: str
    due: Due
    apply: Apply
    doc: str = ""


@dataclass(frozen=True)
class JobList:
    """Everything the runner runs: the periodic jobs, and a handler for each kind of deferred job."""

    periodic: Sequence[Periodic] = ()
    handlers: Mapping[str, Handler] = field(default_factory=dict)


@dataclass
class Report:
    applied: int = 0
    failed: int = 0
    jobs_done: int = 0
    jobs_failed: int = 0


def backoff_seconds(attempts: int, base: float = 5.0) -> float:
    """5 s, 10 s, 20 s … doubling after each failed attempt, at most an hour."""
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


class Runner:
    """Runs a :class:`JobList` against a database; ``run_once`` is one pass, ``run_forever`` loops."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], jobs: JobList, *,
                 interval: float = 30.0, batch: int = 100) -> None:
        self.factory, self.jobs, self.interval, self.batch = session_factory, jobs, interval, batch
        self._retry_at: dict[tuple[str, Hashable], tuple[int, dt.datetime]] = {}

    async def run_once(self) -> Report:
        report = Report()
        for job in self.jobs.periodic:
            await self._sweep(job, report)
        await self._deferred(report)
        return report

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        log.info("job runner started: %d periodic jobs, %d job kinds, every %.1f s",
                 len(self.jobs.periodic), len(self.jobs.handlers), self.interval)
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # the database went away …: log, wait, try again
                log.exception("job runner pass failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass

    # -- periodic ------------------------------------------------------------------------------------
    async def _sweep(self, job: Periodic, report: Report) -> None:
        async with db.read_only(self.factory) as session:
            keys = list(await job.due(session))
        for key in keys:
            retry = self._retry_at.get((job.name, key))
            if retry is not None and now() < retry[1]:
                continue
            try:
                async with db.unit_of_work(self.factory) as session:
                    applied = await job.apply(session, key)
            except Exception:
                attempts = (retry[0] if retry else 0) + 1
                wait = backoff_seconds(attempts, min(self.interval, 5.0) or 1.0)
                self._retry_at[(job.name, key)] = (attempts, now() + dt.timedelta(seconds=wait))
                report.failed += 1
                log.exception("%s failed for %s (attempt %d, next in %.0f s)", job.name, key, attempts, wait)
                continue
            self._retry_at.pop((job.name, key), None)
            report.applied += int(bool(applied))

    # -- deferred ------------------------------------------------------------------------------------
    async def _deferred(self, report: Report) -> None:
        for _ in range(self.batch):
            outcome = await self._run_one_job()
            if outcome is None:
                return
            if outcome:
                report.jobs_done += 1
            else:
                report.jobs_failed += 1

    async def _run_one_job(self) -> bool | None:
        """Claim and run one due job: True done, False failed, None when nothing is due."""
        error: str | None = None
        job_id = None
        try:
            async with db.unit_of_work(self.factory) as session:
                job = await _claim(session)
                if job is None:
                    return None
                job_id, kind, payload = job.id, job.kind, dict(job.payload)
                handler = self.jobs.handlers.get(kind)
                if handler is None:
                    raise LookupError(f"no handler for job kind {kind!r}")
                await handler(session, payload)
                job.status, job.attempts, job.finished_at, job.last_error = JobStatus.done.value, job.attempts + 1, now(), None
                return True
        except Exception:
            if job_id is None:
                raise
            error = traceback.format_exc(limit=5)
        await self._record_failure(job_id, error)
        return False

    async def _record_failure(self, job_id: Any, error: str) -> None:
        async with db.unit_of_work(self.factory) as session:
            job = (await session.execute(select(Job).where(Job.id == job_id).with_for_update())).scalar_one()
            job.attempts += 1
            job.last_error = error[-4000:]
            if job.attempts >= job.max_attempts:
                job.status, job.finished_at = JobStatus.failed.value, now()
            else:
                job.run_at = now() + dt.timedelta(seconds=backoff_seconds(job.attempts))
            log.error("job %s (%s) failed, attempt %d of %d:\n%s", job.id, job.kind, job.attempts, job.max_attempts, error)


async def _claim(session: AsyncSession) -> Job | None:
    at = now()
    stmt = (select(Job).where(Job.status == JobStatus.queued.value, Job.run_at <= at,
                              or_(Job.locked_until.is_(None), Job.locked_until <= at))
            .order_by(Job.run_at, Job.id).limit(1).with_for_update(skip_locked=True))
    return (await session.execute(stmt)).scalar_one_or_none()
