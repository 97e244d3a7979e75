"""The fan-out job: each event told once and queued once for each webhook, in order, with many runners;
an event whose fan-out fails is logged and passed, never holding up the others."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from exchange import db
from exchange.jobs.runner import Runner
from exchange.notifications import parties
from exchange.notifications.models import Notification
from exchange.scheduled import JOBS
from exchange.webhooks.models import WebhookDelivery
from tests.builders import make_user
from tests.feed.helpers import write_claim_event


async def _count(app: FastAPI, model: object) -> int:
    async with db.unit_of_work(app.state.session_factory) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())  # type: ignore[arg-type]


async def _org_with_two_users_and_a_webhook(app: FastAPI, client: AsyncClient) -> object:
    from tests.builders import make_org_user

    first, org = await make_org_user(app, "org")
    await make_user(app, "org", organization_id=org.id)
    app.state.settings.webhook_allow_private = True
    r = await client.post("/webhooks", json={"url": "https://203.0.113.7/h", "event_types": ["*"]}, headers=first.headers)
    assert r.status_code == 201
    return org


async def test_each_event_once_even_when_passes_repeat(app: FastAPI, client: AsyncClient) -> None:
    org = await _org_with_two_users_and_a_webhook(app, client)
    for _ in range(5):
        await write_claim_event(app, organizations=[org.id])  # type: ignore[attr-defined]
    runner = Runner(app.state.session_factory, JOBS)
    await runner.run_once()
    await runner.run_once()
    assert await _count(app, Notification) == 10
    assert await _count(app, WebhookDelivery) == 5


async def test_a_failing_event_is_passed(app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    org = await _org_with_two_users_and_a_webhook(app, client)
    await write_claim_event(app, organizations=[org.id])  # type: ignore[attr-defined]
    await write_claim_event(app, organizations=[org.id])  # type: ignore[attr-defined]
    real = parties.resolve
    calls = {"n": 0}

    async def broken_once(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("broken")
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parties, "resolve", broken_once)
    await Runner(app.state.session_factory, JOBS).run_once()
    assert await _count(app, Notification) == 2  # the second event, to both users
    assert await _count(app, WebhookDelivery) == 1  # its savepoint rolled back: nothing of the first


@pytest.mark.pg_only
async def test_two_runners_at_once_tell_each_event_once(app: FastAPI, client: AsyncClient) -> None:
    org = await _org_with_two_users_and_a_webhook(app, client)
    writes = [write_claim_event(app, organizations=[org.id]) for _ in range(40)]  # type: ignore[attr-defined]
    runners = [Runner(app.state.session_factory, JOBS) for _ in range(2)]

    async def passes(runner: Runner) -> None:
        for _ in range(6):
            await runner.run_once()

    await asyncio.gather(*writes, *(passes(r) for r in runners))
    await runners[0].run_once()
    assert await _count(app, Notification) == 80
    assert await _count(app, WebhookDelivery) == 40
