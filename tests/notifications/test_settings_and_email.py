"""Notification settings, the in-app list, and email through a real SMTP server."""

from __future__ import annotations

from email.header import decode_header, make_header

from fastapi import FastAPI
from httpx import AsyncClient

from exchange import db
from exchange.notifications import service
from exchange.notifications.channels import senders
from exchange.notifications.sending import send_due
from tests.builders import make_user
from tests.notifications.smtp import smtp_server


async def _tell(app: FastAPI, key: int, user_ids: list[object], event_type: str = "need.claimed",
                name: str = "助老送餐") -> None:
    async with db.unit_of_work(app.state.session_factory) as session:
        await service.notify(session, event_id=key, event_type=event_type, entity_type="need", entity_id="n1",
                             params={"name": name}, user_ids=user_ids)  # type: ignore[arg-type]


async def test_settings_validate_addresses_and_channels(app: FastAPI, client: AsyncClient) -> None:
    user = await make_user(app, "resident")
    assert (await client.get("/me/notification-settings", headers=user.headers)).json() == {
        "language": "zh-CN", "email": None, "phone": None, "wechat_openid": None, "channels": []}
    no_address = await client.patch("/me/notification-settings", json={"channels": ["email"]}, headers=user.headers)
    assert no_address.status_code == 422 and no_address.json()["code"] == "channel_address_missing"
    bad = await client.patch("/me/notification-settings", json={"email": "not-an-address"}, headers=user.headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_email"
    ok = await client.patch("/me/notification-settings", json={"email": "wang@example.cn", "channels": ["email"],
                                                                "language": "en"}, headers=user.headers)
    assert ok.status_code == 200 and ok.json()["channels"] == ["email"] and ok.json()["language"] == "en"
    assert (await client.patch("/me/notification-settings", json={"language": "fr"}, headers=user.headers)).status_code == 422


async def test_list_unread_count_language_and_mark_read(app: FastAPI, client: AsyncClient) -> None:
    user = await make_user(app, "resident")
    other = await make_user(app, "resident")
    await _tell(app, 1, [user.id])
    await _tell(app, 2, [user.id, other.id], event_type="need.fulfilled")
    await _tell(app, 2, [user.id])  # the same event again tells nobody twice

    page = (await client.get("/me/notifications", headers=user.headers)).json()
    assert page["unread_count"] == 2
    assert [n["type"] for n in page["items"]] == ["need.fulfilled", "need.claimed"]  # newest first
    assert page["items"][0]["title"] == "需求已完成，请确认：助老送餐"
    english = (await client.get("/me/notifications", headers={**user.headers, "Accept-Language": "en"})).json()
    assert english["items"][0]["title"] == "Need fulfilled, please confirm: 助老送餐"

    first = page["items"][1]["id"]
    foreign = (await client.get("/me/notifications", headers=other.headers)).json()["items"][0]["id"]
    marked = await client.post("/me/notifications/read", json={"ids": [first, foreign]}, headers=user.headers)
    assert marked.json() == {"marked": 1, "unread_count": 1}
    assert (await client.get("/me/notifications", headers=other.headers)).json()["unread_count"] == 1
    unread = (await client.get("/me/notifications?unread=true", headers=user.headers)).json()
    assert [n["type"] for n in unread["items"]] == ["need.fulfilled"]
    assert (await client.post("/me/notifications/read", json={"all": True}, headers=user.headers)).json() == {
        "marked": 1, "unread_count": 0}
    assert (await client.post("/me/notifications/read", json={}, headers=user.headers)).status_code == 422
    assert (await client.get("/me/notifications")).status_code == 401


async def test_email_goes_through_a_real_smtp_server_in_the_users_language(app: FastAPI, client: AsyncClient) -> None:
    chinese = await make_user(app, "resident")
    english = await make_user(app, "resident")
    silent = await make_user(app, "resident")
    await client.patch("/me/notification-settings", json={"email": "li@example.cn", "channels": ["email"]},
                       headers=chinese.headers)
    await client.patch("/me/notification-settings", json={"email": "ann@example.org", "channels": ["email"],
                                                          "language": "en"}, headers=english.headers)
    await client.patch("/me/notification-settings", json={"email": "quiet@example.cn"}, headers=silent.headers)
    await _tell(app, 1, [chinese.id, english.id, silent.id])

    settings = app.state.settings
    with smtp_server() as box:
        settings.smtp_host, settings.smtp_port, settings.smtp_security = "127.0.0.1", box.port, "none"
        settings.smtp_from = "noreply@exchange.example.cn"
        assert await send_due(app.state.session_factory, senders(settings)) == 2
        assert await send_due(app.state.session_factory, senders(settings)) == 0  # sent once each
    by_address = {m["X-Envelope-To"]: m for m in box.messages}
    assert sorted(by_address) == ["ann@example.org", "li@example.cn"]
    def subject(address: str) -> str:
        return str(make_header(decode_header(by_address[address]["Subject"])))

    assert subject("li@example.cn") == "需求已被认领：助老送餐"
    assert subject("ann@example.org") == "Need claimed: 助老送餐"
    assert by_address["li@example.cn"]["From"] == "noreply@exchange.example.cn"


async def test_a_failed_send_is_retried_later(app: FastAPI, client: AsyncClient, clock: object) -> None:
    user = await make_user(app, "resident")
    await client.patch("/me/notification-settings", json={"email": "li@example.cn", "channels": ["email"]},
                       headers=user.headers)
    await _tell(app, 1, [user.id])
    settings = app.state.settings
    with smtp_server() as box:
        port = box.port
    settings.smtp_host, settings.smtp_port, settings.smtp_security = "127.0.0.1", port, "none"  # nobody listens
    assert await send_due(app.state.session_factory, senders(settings)) == 0
    with smtp_server() as box:
        settings.smtp_port = box.port
        assert await send_due(app.state.session_factory, senders(settings)) == 0  # not yet due again
        clock.advance(minutes=2)  # type: ignore[attr-defined]
        assert await send_due(app.state.session_factory, senders(settings)) == 1
    assert len(box.messages) == 1
