"""The job runner: one item per transaction, failures logged and retried with backoff, deferred jobs."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import db, events
from exchange.jobs import queue
from exchange.jobs.models import Job
from exchange.jobs.runner import JobList, Periodic, Runner, backoff_seconds
from tests.builders import events_of


def _closed(deal_id: uuid.UUID) -> events.DealClosed:
    return events.DealClosed(deal_id=deal_id, audience=events.Audience.everyone())


async def _job(app: Any, job_id: uuid.UUID) -> Job:
    async with db.read_only(app.state.session_factory) as session:
        job = await queue.get(session, job_id)
        assert job is not None
        return job


async def test_one_failing_item_does_not_stop_the_others_and_waits_before_its_retry(app, caplog, clock) -> None:
    items = [uuid.uuid4() for _ in range(3)]
    broken = items[1]

    async def due(session: AsyncSession) -> list[uuid.UUID]:
        return items

    async def apply(session: AsyncSession, key: uuid.UUID) -> bool:
        events.record(session, _closed(key))
        if key == broken:
            raise RuntimeError("this item cannot move")
        return True

    runner = Runner(app.state.session_factory, JobList(periodic=[Periodic("test_moves", due, apply)]), interval=5)
    with caplog.at_level(logging.ERROR, logger="exchange.jobs"):
        report = await runner.run_once()
    assert (report.applied, report.failed) == (2, 1)
    assert "test_moves failed for" in caplog.text and "this item cannot move" in caplog.text
    assert {e.entity_id for e in await events_of(app)} == {str(items[0]), str(items[2])}  # the failure left nothing
    again = await runner.run_once()  # within its backoff the broken item is not tried again
    assert (again.applied, again.failed) == (2, 0)
    clock.advance(seconds=backoff_seconds(1, 5) + 1)
    assert (await runner.run_once()).failed == 1


async def test_a_deferred_job_runs_once_in_its_own_transaction(app) -> None:
    about = uuid.uuid4()
    calls: list[dict[str, Any]] = []

    async def handle(session: AsyncSession, payload: dict[str, Any]) -> None:
        calls.append(payload)
        events.record(session, _closed(uuid.UUID(payload["deal_id"])))

    async with db.unit_of_work(app.state.session_factory) as session:
        job = await queue.enqueue(session, "test.close", {"deal_id": str(about)}, key=f"close:{about}")
        again = await queue.enqueue(session, "test.close", {"deal_id": str(about)}, key=f"close:{about}")
    assert again.id == job.id
    runner = Runner(app.state.session_factory, JobList(handlers={"test.close": handle}))
    first = await runner.run_once()
    second = await runner.run_once()
    assert (first.jobs_done, second.jobs_done) == (1, 0)
    assert calls == [{"deal_id": str(about)}]
    assert [e.type for e in await events_of(app, entity_id=about)] == ["deal.closed"]
    done = await _job(app, job.id)
    assert (done.status, done.attempts) == ("done", 1)


async def test_a_failing_job_is_retried_with_backoff_then_given_up(app, clock, caplog) -> None:
    async def handle(session: AsyncSession, payload: dict[str, Any]) -> None:
        events.record(session, _closed(uuid.uuid4()))
        raise ValueError("the receiver is down")

    async with db.unit_of_work(app.state.session_factory) as session:
        job = await queue.enqueue(session, "test.fail", {}, max_attempts=2)
    runner = Runner(app.state.session_factory, JobList(handlers={"test.fail": handle}))
    with caplog.at_level(logging.ERROR, logger="exchange.jobs"):
        assert (await runner.run_once()).jobs_failed == 1
    first = await _job(app, job.id)
    assert (first.status, first.attempts) == ("queued", 1) and "the receiver is down" in (first.last_error or "")
    assert first.run_at - clock.now() > dt.timedelta(seconds=backoff_seconds(1) - 1)
    assert (await runner.run_once()).jobs_failed == 0  # not due yet
    clock.advance(seconds=backoff_seconds(1) + 1)
    assert (await runner.run_once()).jobs_failed == 1
    assert ((await _job(app, job.id)).status, (await _job(app, job.id)).attempts) == ("failed", 2)
    assert await events_of(app) == []  # the failed attempts left nothing behind
    assert "the receiver is down" in caplog.text


async def test_a_rolled_back_request_enqueues_nothing(app) -> None:
    with pytest.raises(RuntimeError):
        async with db.unit_of_work(app.state.session_factory) as session:
            await queue.enqueue(session, "test.never", {})
            raise RuntimeError("rolled back")
    runner = Runner(app.state.session_factory, JobList(handlers={}))
    assert (await runner.run_once()).jobs_done + (await runner.run_once()).jobs_failed == 0


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff_seconds(50) == 3600
