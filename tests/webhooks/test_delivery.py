"""Delivery by the runner to a real HTTP receiver on loopback: signatures, retries, the delivery log,
disabling after 3 days of failures, manual retry, the timeout, and the connect-time address check."""

from __future__ import annotations

import json
import uuid

from fastapi import FastAPI
from httpx import AsyncClient
from standardwebhooks.webhooks import Webhook

from exchange import db
from exchange.kit.clock import now
from exchange.kit.security import encode_token
from exchange.webhooks import service
from exchange.webhooks.delivery import DeliveryOptions, deliver_due
from tests.builders import Actor, auth, make_org_user
from tests.webhooks.receiver import receiver


async def _subscribe(app: FastAPI, client: AsyncClient, url: str, **extra: object) -> tuple[Actor, dict[str, object]]:
    app.state.settings.webhook_allow_private = True
    user, _ = await make_org_user(app, "org")
    created = await client.post("/webhooks", json={"url": url, "event_types": ["*"], **extra}, headers=_h(app, user))
    assert created.status_code == 201, created.text
    return user, created.json()


async def _queue(app: FastAPI, event_key: str = "1", organization_ids: list[uuid.UUID] | None = None) -> int:
    async with db.unit_of_work(app.state.session_factory) as session:
        return await service.enqueue(session, event_key=event_key, event_type="deal.signed",
                                     payload={"type": "deal.signed", "data": {"id": event_key, "title": "助餐"}},
                                     organization_ids=organization_ids)


def _h(app: FastAPI, actor: Actor) -> dict[str, str]:
    """The actor's headers with a token issued now (the tests move the clock past a token's life)."""
    s = app.state.settings
    return auth(encode_token(actor.user.id, actor.user.role, s.secret_key, s.token_ttl_seconds, now()))


def _run(app: FastAPI, allow_private: bool = True, **kw: object) -> object:
    return deliver_due(app.state.session_factory, DeliveryOptions(allow_private=allow_private, **kw))  # type: ignore[arg-type]


async def test_retries_with_backoff_then_delivers_with_the_same_id(app: FastAPI, client: AsyncClient, clock: object) -> None:
    with receiver([500, 500]) as hook:
        user, created = await _subscribe(app, client, hook.url)
        assert await _queue(app) == 1
        assert await _run(app) == 1
        assert await _run(app) == 0  # the next attempt is not due yet
        clock.advance(seconds=31)  # type: ignore[attr-defined]
        assert await _run(app) == 1
        clock.advance(seconds=61)  # type: ignore[attr-defined]
        assert await _run(app) == 1
        clock.advance(hours=1)  # type: ignore[attr-defined]
        assert await _run(app) == 0  # delivered: never sent again
    assert len(hook.received) == 3
    assert len({r.headers["webhook-id"] for r in hook.received}) == 1
    for r in hook.received:
        assert Webhook(str(created["secret"])).verify(r.body, r.headers) == json.loads(r.body)
    log = (await client.get(f"/webhooks/{created['id']}/deliveries", headers=_h(app, user))).json()["items"]
    assert len(log) == 1 and log[0]["status"] == "delivered" and log[0]["status_code"] == 200
    assert [a["status_code"] for a in log[0]["attempts"]] == [500, 500, 200]
    assert log[0]["attempts"][0]["next_attempt_at"] is not None and log[0]["attempts"][2]["next_attempt_at"] is None
    assert log[0]["webhook_id"] == hook.received[0].headers["webhook-id"]


async def test_disabled_after_three_days_of_failures_and_retried_by_hand(app: FastAPI, client: AsyncClient,
                                                                        clock: object) -> None:
    with receiver([500] * 1000) as hook:
        user, created = await _subscribe(app, client, hook.url)
        for day in range(4):
            await _queue(app, event_key=str(day))
            for _ in range(20):
                await _run(app)
                clock.advance(hours=1.3)  # type: ignore[attr-defined]
        webhook = (await client.get(f"/webhooks/{created['id']}", headers=_h(app, user))).json()
        assert webhook["active"] is False and webhook["disabled_reason"] == "failing_for_3_days"
        log = (await client.get(f"/webhooks/{created['id']}/deliveries", headers=_h(app, user))).json()["items"]
        assert log[-1]["status"] == "failed"  # the first one gave up after 24 h of retries
        sent = len(hook.received)
        assert await _run(app) == 0  # a disabled subscription receives nothing
        retry = await client.post(f"/webhooks/{created['id']}/deliveries/{log[-1]['id']}/retry", headers=_h(app, user))
        assert retry.status_code == 409 and retry.json()["code"] == "webhook_inactive"
        hook.statuses.clear()
        assert (await client.patch(f"/webhooks/{created['id']}", json={"active": True}, headers=_h(app, user))).status_code == 200
        retry = await client.post(f"/webhooks/{created['id']}/deliveries/{log[-1]['id']}/retry", headers=_h(app, user))
        assert retry.status_code == 200 and retry.json()["status"] == "pending"
        await _run(app)
        assert len(hook.received) > sent
        log = (await client.get(f"/webhooks/{created['id']}/deliveries", headers=_h(app, user))).json()["items"]
        assert log[-1]["status"] == "delivered"
        assert (await client.post(f"/webhooks/{created['id']}/deliveries/{uuid.uuid4()}/retry",
                                  headers=_h(app, user))).status_code == 404


async def test_the_timeout_of_the_subscription_ends_a_slow_attempt(app: FastAPI, client: AsyncClient) -> None:
    with receiver(delay=2.5) as hook:
        user, created = await _subscribe(app, client, hook.url, timeout_seconds=1)
        await _queue(app)
        await _run(app)
    log = (await client.get(f"/webhooks/{created['id']}/deliveries", headers=_h(app, user))).json()["items"]
    assert log[0]["status"] == "pending" and "timeout" in log[0]["error"]


async def test_loopback_is_refused_at_connect_time_unless_allowed(app: FastAPI, client: AsyncClient) -> None:
    """The name resolves when the delivery is made; an address that is not allowed is never connected to."""
    with receiver() as hook:
        user, created = await _subscribe(app, client, hook.url.replace("127.0.0.1", "localhost"))
        await _queue(app)
        await _run(app, allow_private=False)
        assert hook.received == []
        log = (await client.get(f"/webhooks/{created['id']}/deliveries", headers=_h(app, user))).json()["items"]
        assert log[0]["error"].startswith("address_not_allowed")
        await client.post(f"/webhooks/{created['id']}/deliveries/{log[0]['id']}/retry", headers=_h(app, user))
        await _run(app, allow_private=True)  # allowed: the resolved address is the one connected to
        assert len(hook.received) == 1 and hook.received[0].headers["host"].startswith("localhost:")


async def test_dns_rebinding_is_refused(app: FastAPI, client: AsyncClient) -> None:
    """A name that resolved to a public address when it was saved and resolves to loopback now."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    with receiver() as hook:
        user, created = await _subscribe(app, client, hook.url.replace("http://127.0.0.1", "https://hooks.example.org"))
        await rebinding("hooks.example.org", 443)  # what a check at save time would have seen
        await _queue(app)
        await _run(app, allow_private=False, resolve=rebinding)
        assert hook.received == []
    log = (await client.get(f"/webhooks/{created['id']}/deliveries", headers=_h(app, user))).json()["items"]
    assert log[0]["error"].startswith("address_not_allowed")


async def test_only_the_addressed_organizations_subscriptions_get_a_private_event(app: FastAPI, client: AsyncClient) -> None:
    with receiver() as hook:
        _, mine = await _subscribe(app, client, hook.url)
        _, theirs = await _subscribe(app, client, hook.url)
        async with db.unit_of_work(app.state.session_factory) as session:
            from exchange.webhooks.models import WebhookEndpoint

            org_id = (await session.get(WebhookEndpoint, uuid.UUID(str(mine["id"])))).organization_id
        assert await _queue(app, "7", organization_ids=[org_id]) == 1
        assert await _queue(app, "7", organization_ids=[org_id]) == 0  # once per event
        await _run(app)
    assert len(hook.received) == 1


async def test_https_connects_to_the_checked_address_and_verifies_the_name(app: FastAPI, client: AsyncClient) -> None:
    """The name is resolved once and the checked address is connected to, while TLS (SNI and the
    certificate check) and the Host header still use the name."""
    import ssl

    import trustme

    authority = trustme.CA()
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("hooks.example.org").configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    authority.configure_trust(client_tls)
    looked_up: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return {"hooks.example.org": ["127.0.0.1"], "wrong.example.org": ["127.0.0.1"]}[host]

    with receiver(tls=server_tls) as hook:
        user, good = await _subscribe(app, client, hook.url.replace("127.0.0.1", "hooks.example.org"))
        other, bad = await _subscribe(app, client, hook.url.replace("127.0.0.1", "wrong.example.org"))
        await _queue(app)
        await _run(app, resolve=resolve, ssl_context=client_tls)
    assert sorted(looked_up) == ["hooks.example.org", "wrong.example.org"]
    assert len(hook.received) == 1 and hook.received[0].headers["host"].startswith("hooks.example.org:")
    right = (await client.get(f"/webhooks/{good['id']}/deliveries", headers=_h(app, user))).json()["items"]
    assert right[0]["status"] == "delivered"
    wrong = (await client.get(f"/webhooks/{bad['id']}/deliveries", headers=_h(app, other))).json()["items"]
    assert wrong[0]["status"] == "pending" and "CERTIFICATE_VERIFY_FAILED" in wrong[0]["error"]
