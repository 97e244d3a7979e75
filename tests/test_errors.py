"""Every kind of bad input answers application/problem+json (RFC 9457) with a stable code, in the
client's language, without a stack trace; and a failed request leaves the database as it was."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.errors import invalid
from exchange.kit.http import Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.organizations import service as orgs
from exchange.organizations.models import Organization
from exchange.regions.models import Level, Region
from exchange.regions.service import create_region
from tests.builders import make_user, seed_regions

PROBLEM = "application/problem+json"


def _is_problem(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"/problems/{code}" and body["title"] and body["detail"]
    return body


async def test_unknown_route_is_404(client: httpx.AsyncClient) -> None:
    body = _is_problem(await client.get("/no/such/path"), 404, "not_found")
    assert body["instance"] == "/api/v1/no/such/path"


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    r = await client.delete("/vocabularies")
    _is_problem(r, 405, "method_not_allowed")
    assert "GET" in r.headers["allow"]


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/auth/register", content=b'{"username": "abc", ', headers={"Content-Type": "application/json"})
    _is_problem(r, 400, "malformed_json")


async def test_validation_errors_are_listed(client: httpx.AsyncClient) -> None:
    r = await client.post("/auth/register", json={"username": "abc", "password": 1})
    body = _is_problem(r, 422, "validation_failed")
    locs = [e["loc"] for e in body["errors"]]
    assert ["body", "password"] in locs and ["body", "display_name"] in locs and ["body", "region_code"] in locs
    q = await client.get("/regions", params={"limit": 0})
    assert _is_problem(q, 422, "validation_failed")["errors"][0]["loc"] == ["query", "limit"]


async def test_language_follows_accept_language(client: httpx.AsyncClient) -> None:
    zh = (await client.post("/auth/register", json={})).json()
    default = zh
    en = (await client.post("/auth/register", json={}, headers={"Accept-Language": "en-US,en;q=0.9"})).json()
    weighted = (await client.post("/auth/register", json={}, headers={"Accept-Language": "zh-CN;q=0.4, en;q=0.8"})).json()
    chinese = (await client.post("/auth/register", json={}, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}))
    assert default["title"] == "输入无效" and default["detail"] == "输入无效"
    assert default["errors"][0]["msg"].startswith("缺少必填字段")
    assert en["title"] == "Invalid input" and en["detail"] == "The input is invalid"
    assert en["errors"][0]["msg"] == "Field required"
    assert weighted["title"] == "Invalid input"
    assert chinese.json()["title"] == "输入无效" and chinese.headers["content-language"] == "zh-CN"
    nf = await client.get("/organizations/00000000-0000-0000-0000-000000000000", headers={"Accept-Language": "en"})
    assert nf.json()["title"] == "Not found" and nf.json()["detail"].startswith("The organization does not exist")
    assert nf.headers["content-language"] == "en"


async def test_body_over_the_limit_is_413_declared_or_streamed(app, client: httpx.AsyncClient) -> None:
    limit = app.state.settings.max_body_bytes
    big = b'{"username": "' + b"a" * limit + b'"}'
    _is_problem(await client.post("/auth/register", content=big, headers={"Content-Type": "application/json"}),
                413, "payload_too_large")

    async def chunks():
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    r = await client.post("/auth/register", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    _is_problem(r, 413, "payload_too_large")
    small = await client.post("/auth/register", content=b" " * 100 + b"{}", headers={"Content-Type": "application/json"})
    assert small.status_code == 422  # under the limit the body reaches the endpoint


def _test_routes(app: FastAPI) -> None:
    router = APIRouter(route_class=UnitOfWorkRoute)

    @router.post("/test/boom")
    async def boom() -> dict:
        raise RuntimeError("secret internals at /srv/exchange/db.py line 42")

    @router.post("/test/late-failure")
    async def late_failure(session: Session, crash: bool = False) -> dict:
        """Writes (flushed, audited) and then fails, as a service that validates late would."""
        await orgs.create(session, actor_id=None, data={"name": "不该留下的组织", "kind": "government", "contact": {},
                                                        "categories": [], "service_region_codes": []})
        await create_region(session, actor_id=None, code="510107003009", name="不该留下的社区",
                            level=Level.community, parent_code="510107003000")
        if crash:
            raise RuntimeError("crash after writing")
        raise invalid(["body", "x"], "最后一步校验失败", "The last check failed")

    app.include_router(router, prefix="/api/v1")


async def test_a_500_has_no_stack_trace(app) -> None:
    _test_routes(app)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
        r = await client.post("/test/boom", headers={"Accept-Language": "en"})
    body = _is_problem(r, 500, "internal_error")
    assert body["detail"] == "Internal server error"
    assert "secret" not in r.text and "Traceback" not in r.text and "db.py" not in r.text


@pytest.mark.parametrize("crash", [False, True])
async def test_a_failed_request_leaves_nothing_behind(app, session_factory, crash: bool) -> None:
    await seed_regions(app)
    await make_user(app, "admin")
    _test_routes(app)

    async def counts() -> tuple[int, int, int]:
        async with session_factory() as s:
            return tuple([(await s.execute(select(func.count()).select_from(t))).scalar_one()
                          for t in (Organization, Region, AuditEvent)])

    before = await counts()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
        r = await client.post("/test/late-failure", params={"crash": crash})
        assert r.status_code == (500 if crash else 422)
        assert (await client.get("/regions/510107003009")).status_code == 404
        assert (await client.get("/audit/verify")).json()["intact"] is True
    assert await counts() == before


async def test_nul_characters_are_refused_before_any_endpoint(app, client) -> None:
    """PostgreSQL cannot store NUL in text; every way of sending one gets the same 422, nothing else."""
    attempts = [
        client.get("/audit/events", params={"entity_id": "a\x00b"}),
        client.get("/regions/5101%0007"),
        client.post("/auth/token", data={"username": "ad\x00min", "password": "whatever-123"}),
        client.post("/auth/register", json={"username": "nul_user", "password": "long-enough-1",
                                            "display_name": "张\u0000三", "region_code": "510107"}),
    ]
    for request in attempts:
        r = await request
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "nul_character"
    # an escaped backslash followed by "u0000" is ordinary text, not a NUL
    r = await client.post("/auth/register", json={"username": "x", "password": "short", "display_name": "\\u0000"})
    assert r.status_code == 422 and r.json()["code"] == "validation_failed"
