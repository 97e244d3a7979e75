"""The whole way: a story's event, fanned out and delivered by the job runner to a real receiver on
loopback that checks every signature with the Standard Webhooks algorithm, answers 500 twice and then
200, and so receives the event three times under the same ``webhook-id``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from standardwebhooks.webhooks import Webhook

from exchange.config import get_settings
from exchange.jobs.runner import Runner
from exchange.scheduled import JOBS
from tests.listings.world import cast, offer_body, published
from tests.tenders.world import renew
from tests.webhooks.receiver import Received, receiver


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch, app: FastAPI) -> None:
    """``EXCHANGE_WEBHOOK_ALLOW_PRIVATE`` for the runner (which reads the environment) and the app."""
    monkeypatch.setenv("EXCHANGE_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    app.state.settings.webhook_allow_private = True
    yield
    get_settings.cache_clear()


def _verify_by_hand(secret: str, received: Received) -> None:
    """``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body`` under the base64-decoded secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{received.headers['webhook-id']}.{received.headers['webhook-timestamp']}.".encode() + received.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert expected in received.headers["webhook-signature"].split(" ")
    assert abs(int(received.headers["webhook-timestamp"]) - time.time()) < 300


async def test_signed_delivery_retried_until_it_succeeds(app: FastAPI, client: AsyncClient, clock: object,
                                                        allow_private: None) -> None:
    c = await cast(app)
    runner = Runner(app.state.session_factory, JOBS)
    with receiver([500, 500]) as hook:
        created = await client.post("/webhooks", json={"url": hook.url, "event_types": ["offer.published"]},
                                    headers=c.org.headers)
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        offer = await published(client, c.org, "/offers", offer_body())
        await runner.run_once()
        assert [r.headers.get("webhook-id") for r in hook.received][:1] and len(hook.received) == 1
        await runner.run_once()
        assert len(hook.received) == 1  # the retry waits for its backoff
        for _ in range(2):
            clock.advance(minutes=5)  # type: ignore[attr-defined]
            await runner.run_once()
        clock.advance(hours=2)  # type: ignore[attr-defined]
        await runner.run_once()
    assert len(hook.received) == 3
    assert len({r.headers["webhook-id"] for r in hook.received}) == 1
    assert len({r.body for r in hook.received}) == 1  # the same bytes each time
    for r in hook.received:
        payload = Webhook(secret).verify(r.body, r.headers)
        _verify_by_hand(secret, r)
    assert payload["type"] == "offer.published"
    assert payload["data"]["entity_id"] == offer["id"] and payload["data"]["data"]["title"] == offer["title"]

    renew(app, c.org)
    webhook_id = created.json()["id"]
    log = (await client.get(f"/webhooks/{webhook_id}/deliveries", headers=c.org.headers)).json()["items"]
    assert [(d["status"], d["event_type"], d["webhook_id"]) for d in log] == [
        ("delivered", "offer.published", hook.received[0].headers["webhook-id"])]
    assert [a["status_code"] for a in log[0]["attempts"]] == [500, 500, 200]
    assert json.loads(hook.received[0].body)["data"]["id"] == log[0]["event_id"]
