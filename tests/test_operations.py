"""What operators rely on: readiness, metrics, request ids in answers and logs, and the request
guard's limits on hostile input."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from tests.builders import COMM_A1, make_user, seed_regions


async def test_ready_checks_database_and_migrations(client: httpx.AsyncClient) -> None:
    r = await client.get("/ready")
    assert r.status_code == 200 and r.json()["status"] == "ready" and r.json()["migration"]
    assert (await client.get("/health")).json() == {"status": "ok"}


async def test_ready_is_503_when_the_database_is_not_migrated(tmp_path) -> None:
    from exchange.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as c:
        r = await c.get("/ready")  # no lifespan: a server that is up but whose database is not ready
    assert r.status_code == 503 and r.json()["code"] == "database_not_migrated"
    await app.state.engine.dispose()


async def test_metrics_count_requests_by_route_and_status(app, client: httpx.AsyncClient) -> None:
    await client.get("/needs/not-a-uuid")
    await client.get("/vocabularies")
    r = await client.get("http://test/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'exchange_http_requests_total{method="GET",route="/api/v1/vocabularies",status="200"}' in text, [
        line for line in text.splitlines() if line.startswith("exchange_http_requests_total")]
    assert 'route="/api/v1/needs/{need_id}"' in text and "not-a-uuid" not in text
    assert "exchange_http_request_duration_seconds_bucket" in text
    for gauge in ("exchange_job_runner_lag_seconds", "exchange_outbox_backlog", "exchange_http_requests_in_progress"):
        assert gauge in text


async def test_metrics_need_the_token_or_loopback(app) -> None:
    remote = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=remote, base_url="http://test") as c:
        assert (await c.get("/metrics")).status_code == 403
        app.state.settings.metrics_token = "s3cret-token-for-scrapers"
        try:
            assert (await c.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 403
            ok = await c.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-scrapers"})
            assert ok.status_code == 200
        finally:
            app.state.settings.metrics_token = None


async def test_request_id_is_answered_and_logged(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="exchange.access"):
        r = await client.get("/health", headers={"X-Request-ID": "req-abc.123"})
        fresh = await client.get("/health", headers={"X-Request-ID": "bad id with spaces"})
    assert r.headers["x-request-id"] == "req-abc.123"
    assert fresh.headers["x-request-id"] != "bad id with spaces" and len(fresh.headers["x-request-id"]) == 32
    lines = [rec for rec in caplog.records if rec.name == "exchange.access"]
    assert any(getattr(rec, "request_id", None) == "req-abc.123" or rec.__dict__.get("status") == 200 for rec in lines)


def test_json_log_lines_carry_the_request_id() -> None:
    import io
    import logging.config

    from exchange.kit.logs import request_id, uvicorn_log_config

    config = uvicorn_log_config("json")
    stream = io.StringIO()
    logging.config.dictConfig({**config, "handlers": {"default": {**config["handlers"]["default"], "stream": stream}}})
    token = request_id.set("rid-42")
    try:
        logging.getLogger("exchange.test").info("hello", extra={"status": 201})
    finally:
        request_id.reset(token)
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "rid-42" and line["message"] == "hello" and line["status"] == 201
    assert line["level"] == "INFO"


async def test_deep_json_with_an_escaped_nul_is_a_400_not_a_500(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    deep = b"[" * 100_000 + b'"\\u0000"' + b"]" * 100_000
    r = await client.post("/needs", content=deep, headers={**resident.headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    plain = b"[" * 100_000 + b"]" * 100_000
    assert (await client.post("/needs", content=plain, headers={**resident.headers,
                                                               "Content-Type": "application/json"})).status_code == 400


async def test_percent_00_inside_json_text_is_just_text(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    r = await client.post("/needs", json={"title": "折扣100%00优惠", "description": "见 https://x.cn/a%00b"},
                          headers=resident.headers)
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "折扣100%00优惠"
    nul = await client.post("/needs", json={"title": "a\u0000b"}, headers=resident.headers)
    assert nul.status_code == 422 and nul.json()["code"] == "nul_character"
    form = await client.post("/auth/token", content=b"username=a%00b&password=12345678",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 422 and form.json()["code"] == "nul_character"
    assert (await client.get("/needs", params={"q": "a\u0000"})).json()["code"] == "nul_character"


@pytest.mark.parametrize("control", ["\u202e", "\u2066", "\u200f"])
async def test_direction_controls_are_refused_in_text(app, client: httpx.AsyncClient, control: str) -> None:
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    for body in ({"title": f"免费{control}午餐"}, {"title": "午餐", "description": f"x{control}y"}):
        r = await client.post("/needs", json=body, headers=resident.headers)
        assert r.status_code == 422 and r.json()["code"] == "bidi_control"
    escaped = json.dumps({"title": f"免费{control}午餐"}).encode()  # as \\u202e
    r = await client.post("/needs", content=escaped, headers={**resident.headers, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "bidi_control"


async def test_oversized_headers_are_431(client: httpx.AsyncClient) -> None:
    r = await client.get("/health", headers={"X-Padding": "a" * 70_000})
    assert r.status_code == 431 and r.json()["code"] == "headers_too_large"
    assert (await client.get("/health", headers={"X-Padding": "a" * 1000})).status_code == 200
