"""Webhook subscriptions over HTTP: who may manage them, the URL rules, the secret shown once."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.builders import make_org_user, make_user


async def _create(client: AsyncClient, headers: dict[str, str], **body: object) -> object:
    payload = {"url": "https://oa.example.gov.cn/hooks", "event_types": ["deal.signed"], **body}
    return await client.post("/webhooks", json=payload, headers=headers)


async def test_an_organization_subscribes_and_sees_only_its_own(app: FastAPI, client: AsyncClient) -> None:
    alice, org_a = await make_org_user(app, "org")
    bob, _ = await make_org_user(app, "org")
    created = await _create(client, alice.headers, event_types=["deal.signed", "award.final", "deal.signed"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["organization_id"] == str(org_a.id)
    assert body["event_types"] == ["award.final", "deal.signed"]
    assert created.headers["location"].endswith(f"/webhooks/{body['id']}") and created.headers["etag"] == '"1"'

    one = await client.get(f"/webhooks/{body['id']}", headers=alice.headers)
    assert one.status_code == 200 and "secret" not in one.json()
    assert (await client.get(f"/webhooks/{body['id']}", headers=bob.headers)).status_code == 404
    assert (await client.get("/webhooks", headers=bob.headers)).json()["items"] == []
    assert [w["id"] for w in (await client.get("/webhooks", headers=alice.headers)).json()["items"]] == [body["id"]]
    admin = await make_user(app, "admin")
    assert [w["id"] for w in (await client.get("/webhooks", headers=admin.headers)).json()["items"]] == [body["id"]]

    stale = await client.patch(f"/webhooks/{body['id']}", json={"active": False}, headers={**alice.headers, "If-Match": '"9"'})
    assert stale.status_code == 412
    patched = await client.patch(f"/webhooks/{body['id']}", json={"active": False, "timeout_seconds": 3},
                                 headers={**alice.headers, "If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["active"] is False and patched.json()["timeout_seconds"] == 3
    assert (await client.delete(f"/webhooks/{body['id']}", headers=bob.headers)).status_code == 404
    assert (await client.delete(f"/webhooks/{body['id']}", headers=alice.headers)).status_code == 204
    assert (await client.get(f"/webhooks/{body['id']}", headers=alice.headers)).status_code == 404


async def test_residents_and_anonymous_may_not_subscribe(app: FastAPI, client: AsyncClient) -> None:
    resident = await make_user(app, "resident")
    assert (await _create(client, resident.headers)).status_code == 403
    assert (await client.post("/webhooks", json={"url": "https://a.example/h", "event_types": ["*"]})).status_code == 401
    assert (await client.get("/webhooks", headers=resident.headers)).status_code == 403


async def test_url_rules(app: FastAPI, client: AsyncClient) -> None:
    user, _ = await make_org_user(app, "org")
    refused = [
        "ftp://oa.example.gov.cn/h", "http://oa.example.gov.cn/h", "https://127.0.0.1/h", "https://10.0.0.5/h",
        "https://169.254.169.254/latest/meta-data", "https://[::1]/h", "https://localhost/h", "http://127.0.0.1:8080/h",
        "https://user:pw@oa.example.gov.cn/h", "https:///nohost", "https://192.168.1.10/h", "https://100.64.0.1/h",
        "https://[::ffff:127.0.0.1]/h",
    ]
    for url in refused:
        answer = await _create(client, user.headers, url=url)
        assert answer.status_code == 422, url
        assert answer.json()["code"] == "webhook_url_not_allowed", url
    unknown = await _create(client, user.headers, event_types=["deal.eaten"])
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_event_type"
    assert (await _create(client, user.headers, url="https://8.8.8.8/h", event_types=["*"])).status_code == 201


async def test_private_addresses_when_allowed(app: FastAPI, client: AsyncClient) -> None:
    app.state.settings.webhook_allow_private = True
    user, _ = await make_org_user(app, "org")
    assert (await _create(client, user.headers, url="http://127.0.0.1:8080/h")).status_code == 201
    assert (await _create(client, user.headers, url="https://10.0.0.5/h")).status_code == 201
    app.state.settings.env = "prod"
    refused = await _create(client, user.headers, url="http://127.0.0.1:8080/h")
    assert refused.status_code == 422  # http only in dev, even to loopback
