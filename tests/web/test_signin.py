"""Signing in to the pages over HTTP: the API's login rule and limiter, the session cookie's flags and idle
expiry, CSRF refusal of forged posts, the ``next`` address, pages of other roles, and that the cookie never
authenticates the JSON API."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from exchange.app import create_app
from tests.builders import COMM_A1, make_org_user, make_user, seed_regions
from tests.conftest import make_settings

PASSWORD = "correct-horse-9"


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


async def sign_in(pages: httpx.AsyncClient, username: str, password: str = PASSWORD, next_url: str = "") -> httpx.Response:
    form = await pages.get("/login")
    return await pages.post("/login", data={"username": username, "password": password, "next": next_url,
                                            "csrf_token": csrf_of(form.text)})


def set_cookie(r: httpx.Response, name: str) -> str:
    return next(v for v in r.headers.get_list("set-cookie") if v.startswith(f"{name}="))


async def test_sign_in_sets_a_session_cookie_http_only_lax_and_not_secure_in_dev(app, pages) -> None:
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    r = await sign_in(pages, resident.user.username)
    assert r.status_code == 303 and r.headers["location"] == "/workspace"
    cookie = set_cookie(r, "exchange_session").lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    r = await pages.get("/workspace", follow_redirects=True)
    assert r.status_code == 200 and str(r.url).endswith("/workspace/resident")
    assert resident.user.display_name in r.text and r.headers["cache-control"] == "private, no-store"


async def test_the_cookie_is_secure_outside_dev(database_url) -> None:
    prod = create_app(make_settings(database_url).model_copy(update={"env": "prod", "secret_key": "s" * 40}))
    async with prod.router.lifespan_context(prod):
        await seed_regions(prod)
        resident = await make_user(prod, "resident", region_code=COMM_A1)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=prod), base_url="https://test") as pages:
            assert "secure" in set_cookie(await pages.get("/login"), "exchange_csrf").lower()
            r = await sign_in(pages, resident.user.username)
            assert r.status_code == 303 and "secure" in set_cookie(r, "exchange_session").lower()


async def test_wrong_password_is_the_apis_answer_and_the_limiter_is_shared(app, client, pages) -> None:
    resident = await make_user(app, "resident")
    r = await sign_in(pages, resident.user.username, "wrong-password")
    assert r.status_code == 401 and "用户名或密码错误" in r.text and "exchange_session" not in r.headers.get("set-cookie", "")
    for _ in range(4):
        await sign_in(pages, resident.user.username, "wrong-password")
    r = await sign_in(pages, resident.user.username)  # the right password, but the username is locked
    assert r.status_code == 429 and "登录尝试次数过多" in r.text and "retry-after" in r.headers
    api = await client.post("/auth/token", data={"username": resident.user.username, "password": PASSWORD})
    assert api.status_code == 429  # one limiter for the API and the pages


async def test_workspace_redirects_to_sign_in_with_next_and_back(app, pages) -> None:
    resident = await make_user(app, "resident")
    r = await pages.get("/workspace/resident/points?x=1")
    assert r.status_code == 303
    target = urlsplit(r.headers["location"])
    assert target.path == "/login" and parse_qs(target.query)["next"] == ["/workspace/resident/points?x=1"]
    form = await pages.get(r.headers["location"])
    assert 'name="next" value="/workspace/resident/points?x=1"' in html.unescape(form.text)
    r = await sign_in(pages, resident.user.username, next_url="/workspace/resident/points?x=1")
    assert r.headers["location"] == "/workspace/resident/points?x=1"


@pytest.mark.parametrize("evil", ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil.example",
                                  "/\\/evil.example", "http:/evil.example", "\t//evil.example"])
async def test_next_never_leaves_the_site(app, pages, evil) -> None:
    resident = await make_user(app, "resident")
    r = await sign_in(pages, resident.user.username, next_url=evil)
    assert r.status_code == 303 and r.headers["location"] == "/workspace"
    r = await pages.get("/login", params={"next": evil})
    assert 'name="next" value="/workspace"' in r.text


async def test_a_forged_cross_site_post_is_refused_and_changes_nothing(app, client, pages) -> None:
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    await sign_in(pages, resident.user.username)
    body = {"title": "楼道灯坏了", "description": "三楼的灯不亮", "region_code": COMM_A1, "urgency": "normal"}
    r = await pages.post("/workspace/resident/needs/new", data=body)  # the cookie goes along, the token cannot
    assert r.status_code == 403 and "表单已失效或来自其他网站" in r.text
    r = await pages.post("/workspace/resident/needs/new", data={**body, "csrf_token": "0" * 64})
    assert r.status_code == 403
    token = csrf_of((await pages.get("/workspace/resident/needs/new")).text)
    r = await pages.post("/workspace/resident/needs/new", data={**body, "csrf_token": token},
                         headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    mine = (await client.get("/needs", params={"mine": "true"}, headers=resident.headers)).json()
    assert mine["items"] == []
    r = await pages.post("/workspace/resident/needs/new", data={**body, "csrf_token": token},
                         headers={"Origin": "http://test"})
    assert r.status_code == 303
    mine = (await client.get("/needs", params={"mine": "true"}, headers=resident.headers)).json()
    assert [n["title"] for n in mine["items"]] == ["楼道灯坏了"]


async def test_sign_in_and_sign_out_forms_need_the_token_too(app, pages) -> None:
    resident = await make_user(app, "resident")
    r = await pages.post("/login", data={"username": resident.user.username, "password": PASSWORD})
    assert r.status_code == 403
    await sign_in(pages, resident.user.username)
    assert (await pages.post("/logout")).status_code == 403
    page = await pages.get("/workspace/resident")
    r = await pages.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login?out=1"
    assert (await pages.get("/workspace/resident")).status_code == 303


async def test_the_session_ends_after_the_idle_timeout_and_slides_with_use(app, pages, clock) -> None:
    resident = await make_user(app, "resident")
    await sign_in(pages, resident.user.username)
    for _ in range(3):  # 3 × 20 minutes of use: longer than the 30-minute idle timeout, never idle that long
        clock.advance(minutes=20)
        assert (await pages.get("/workspace/resident")).status_code == 200
    clock.advance(minutes=31)
    r = await pages.get("/workspace/resident")
    assert r.status_code == 303 and "expired=1" in r.headers["location"]
    r = await pages.get(r.headers["location"])
    assert "长时间未操作，已自动退出" in r.text


async def test_the_cookie_does_not_authenticate_the_api(app, pages, client) -> None:
    resident = await make_user(app, "resident")
    r = await sign_in(pages, resident.user.username)
    value = pages.cookies.get("exchange_session")
    assert value and r.status_code == 303
    assert (await client.get("/me", headers={"Cookie": f"exchange_session={value}"})).status_code == 401
    assert (await client.get("/me", headers={"Authorization": f"Bearer {value}"})).status_code == 401
    assert (await client.get("/me", headers=resident.headers)).status_code == 200  # bearer tokens unchanged


async def test_a_deactivated_user_is_signed_out(app, pages) -> None:
    from exchange import db
    from exchange.accounts.repository import UserRepository

    resident = await make_user(app, "resident")
    await sign_in(pages, resident.user.username)
    async with db.unit_of_work(app.state.session_factory) as session:
        (await UserRepository(session).get(resident.id)).is_active = False
    assert (await pages.get("/workspace/resident")).status_code == 303


async def test_a_password_change_ends_the_page_sessions_and_a_temporary_password_must_be_changed(app, client, pages) -> None:
    resident = await make_user(app, "resident")
    await sign_in(pages, resident.user.username)
    assert (await pages.get("/workspace/resident")).status_code == 200
    r = await client.post("/me/password", json={"current_password": PASSWORD, "new_password": "a-new-long-passphrase-2026"},
                          headers=resident.headers)
    assert r.status_code in (200, 204), r.text
    assert (await pages.get("/workspace/resident")).status_code == 303  # every session revoked, this one too
    admin = await make_user(app, "admin")
    r = await client.post(f"/users/{resident.id}/password-reset", json={}, headers=admin.headers)
    assert r.status_code in (200, 201), r.text
    temporary = r.json()["temporary_password"]
    await sign_in(pages, resident.user.username, temporary)
    page = await pages.get("/workspace/resident")
    assert (page.status_code, page.headers["location"]) == (303, "/workspace/password")  # the password form first


FORBIDDEN = {
    "resident": ["/workspace/org", "/workspace/org/offers/new", "/workspace/org/opportunities", "/workspace/org/rating",
                 "/workspace/manager", "/workspace/buyer", "/workspace/deals", "/workspace/deals/new",
                 "/workspace/buyer/funds", "/workspace/buyer/opportunities/new"],
    "org": ["/workspace/resident", "/workspace/resident/needs/new", "/workspace/resident/points",
            "/workspace/resident/neighbours", "/workspace/manager", "/workspace/buyer", "/workspace/deals/new",
            "/workspace/buyer/funds", "/workspace/buyer/opportunities/new"],
    "manager": ["/workspace/resident", "/workspace/org", "/workspace/org/offers/new", "/workspace/buyer",
                "/workspace/buyer/funds"],
    "buyer": ["/workspace/resident/needs/new", "/workspace/org/rating", "/workspace/manager"],
    "expert": ["/workspace/resident", "/workspace/org/opportunities", "/workspace/manager", "/workspace/buyer",
               "/workspace/deals", "/workspace/deals/new"],
}


@pytest.mark.parametrize("role", sorted(FORBIDDEN))
async def test_pages_of_other_roles_are_forbidden(app, pages, role) -> None:
    await seed_regions(app)
    if role in ("org", "buyer"):
        actor, _ = await make_org_user(app, role)
    else:
        actor = await make_user(app, role, region_code=COMM_A1 if role == "resident" else None)
    await sign_in(pages, actor.user.username)
    for url in FORBIDDEN[role]:
        r = await pages.get(url)
        assert r.status_code == 403, url
        assert "此页面不属于您的角色的工作台" in r.text and r.headers["content-type"].startswith("text/html")
    token = csrf_of((await pages.get("/workspace/notifications")).text)
    target = "/workspace/org/offers/new" if role == "resident" else "/workspace/resident/needs/new"
    r = await pages.post(target, data={"csrf_token": token, "title": "越权提交的标题"})
    assert r.status_code == 403
