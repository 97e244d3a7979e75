"""The administrator's workspace over HTTP: users (a created user signs in; deactivation ends its access; a reset
password must be changed), organizations (suspend), regions (add one, the API's refusals by field), imports with
their progress and row errors, webhooks (create with the secret shown once, delete), the audit log and its
verification; a post without the CSRF token, and pages an admin's workspace keeps from other roles."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from exchange import db
from exchange.webhooks import service as webhooks
from tests.builders import COMM_A1, SUB_A, make_org_user, make_user, seed_regions
from tests.imports.sheets import csv_bytes, run
from tests.web.test_signin import PASSWORD, csrf_of, sign_in


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


def browser(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def signed_in_admin(app: FastAPI, pages: httpx.AsyncClient) -> Any:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    await sign_in(pages, admin.user.username)
    return admin


async def test_an_admin_creates_a_user_who_signs_in_then_deactivates_it(app, client, pages) -> None:
    await signed_in_admin(app, pages)
    home = await pages.get("/workspace", follow_redirects=True)
    assert str(home.url).endswith("/workspace/admin") and 'id="users"' in home.text
    form = await pages.get("/workspace/admin/users/new")
    token = csrf_of(form.text)
    r = await pages.post("/workspace/admin/users/new", data={"csrf_token": token, "username": "wang_ayi",
                                                             "password": "short", "role": "resident"})
    assert r.status_code == 422 and 'id="password-error"' in r.text and "文本过短" in r.text
    r = await pages.post("/workspace/admin/users/new", data={"csrf_token": token, "username": "wang_ayi",
                                                             "password": PASSWORD, "role": "org"})
    assert r.status_code == 422 and "该角色必须指定所属组织" in r.text and 'id="organization_id-error"' in r.text
    r = await pages.post("/workspace/admin/users/new", data={
        "csrf_token": token, "username": "wang_ayi", "password": PASSWORD, "role": "resident",
        "display_name": "王阿姨", "region_code": COMM_A1})
    assert r.status_code == 303
    user_page = r.headers["location"].split("?")[0]
    user_id = user_page.rsplit("/", 1)[1]
    assert "用户已创建" in (await pages.get(r.headers["location"])).text
    r = await pages.post("/workspace/admin/users/new", data={"csrf_token": token, "username": "WANG_AYI",
                                                             "password": PASSWORD, "role": "resident"})
    assert r.status_code == 409 and "用户名已被使用" in r.text and 'id="username-error"' in r.text
    found = await pages.get("/workspace/admin?q=wang&role=resident")
    assert re.findall(r'<tr data-id="([0-9a-f-]+)">', found.text) == [user_id]

    async with browser(app) as wang:
        assert (await sign_in(wang, "wang_ayi")).status_code == 303
        assert str((await wang.get("/workspace", follow_redirects=True)).url).endswith("/workspace/resident")
        step = await pages.get(f"{user_page}/deactivate")
        assert "确定停用该账号吗" in step.text
        r = await pages.post(f"{user_page}/deactivate", data={"csrf_token": csrf_of(step.text)})
        assert r.status_code == 303
        assert 'data-active="false"' in (await pages.get(user_page)).text
        r = await wang.get("/workspace/resident")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert (await sign_in(wang, "wang_ayi")).status_code == 401
    api = await client.post("/auth/token", data={"username": "wang_ayi", "password": PASSWORD})
    assert api.status_code == 401


async def test_a_reset_password_is_shown_once_and_must_be_changed(app, pages) -> None:
    await signed_in_admin(app, pages)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    user_page = f"/workspace/admin/users/{resident.id}"
    step = await pages.get(f"{user_page}/password-reset")
    assert "确定重置该用户的密码吗" in step.text
    r = await pages.post(f"{user_page}/password-reset", data={"csrf_token": csrf_of(step.text)})
    assert r.status_code == 200
    temporary = re.search(r'<code id="temporary-password">([^<]+)</code>', r.text).group(1)
    assert temporary not in (await pages.get(user_page)).text  # shown once
    async with browser(app) as them:
        assert (await sign_in(them, resident.user.username)).status_code == 401  # the old password is gone
        assert (await sign_in(them, resident.user.username, temporary)).status_code == 303
        page = await them.get("/workspace/resident")
        assert (page.status_code, page.headers["location"]) == (303, "/workspace/password")


async def test_suspending_an_organization_through_a_confirmation(app, client, pages) -> None:
    await signed_in_admin(app, pages)
    _, org = await make_org_user(app, "org", name="玉林助老服务中心")
    listed = await pages.get("/workspace/admin/organizations?q=玉林助老")
    assert f'<tr data-id="{org.id}" data-status="active">' in listed.text
    step = await pages.get(f"/workspace/admin/organizations/{org.id}/suspend")
    assert "确定暂停该组织吗" in step.text
    r = await pages.post(f"/workspace/admin/organizations/{org.id}/suspend", data={"csrf_token": csrf_of(step.text)})
    assert r.status_code == 303
    assert (await client.get(f"/organizations/{org.id}")).json()["status"] == "suspended"
    listed = await pages.get(r.headers["location"])
    assert "组织已暂停" in listed.text


async def test_regions_are_listed_and_added_with_the_apis_refusals(app, client, pages) -> None:
    await signed_in_admin(app, pages)
    page = await pages.get("/workspace/admin/regions")
    assert f'data-code="{COMM_A1}"' in page.text
    token = csrf_of(page.text)
    r = await pages.post("/workspace/admin/regions", data={"csrf_token": token, "code": "999999003009",
                                                           "name": "新社区", "level": "community", "parent_code": SUB_A})
    assert r.status_code == 422 and 'id="region-error"' in r.text
    r = await pages.post("/workspace/admin/regions", data={"csrf_token": token, "code": COMM_A1, "name": "重复",
                                                           "level": "community", "parent_code": SUB_A})
    assert r.status_code == 409 and f"区域代码 {COMM_A1} 已存在" in r.text and 'id="code-error"' in r.text
    r = await pages.post("/workspace/admin/regions", data={"csrf_token": token, "code": "510107003009",
                                                           "name": "玉林新社区", "level": "community", "parent_code": SUB_A})
    assert r.status_code == 303
    assert (await client.get("/regions/510107003009")).json()["parent_code"] == SUB_A
    assert "玉林新社区" in (await pages.get(r.headers["location"])).text


async def test_imports_with_their_progress_and_row_errors(app, client, pages) -> None:
    admin = await signed_in_admin(app, pages)
    content = csv_bytes([["区划代码", "名称", "层级", "上级代码"], ["510107003010", "好社区", "社区", SUB_A],
                         ["510107003011", "坏社区", "社区", "510107999000"]])
    done = await run(app, client, admin.headers, "regions", content, filename="区划.csv", dry_run=True)
    assert done["errors"] and done["rows_total"] == 2
    listed = await pages.get("/workspace/admin/imports")
    row = re.search(rf'<tr data-id="{done["id"]}">(.*?)</tr>', listed.text, re.S).group(1)
    assert "区划.csv" in row and f"{done['rows_done']}/{done['rows_total']}" in row
    detail = await pages.get(f"/workspace/admin/imports/{done['id']}")
    assert 'id="import-errors"' in detail.text
    for error in done["errors"]:
        assert error["message"] in detail.text


async def test_webhooks_created_with_the_secret_shown_once_and_deleted(app, client, pages) -> None:
    admin = await signed_in_admin(app, pages)
    page = await pages.get("/workspace/admin/webhooks")
    token = csrf_of(page.text)
    r = await pages.post("/workspace/admin/webhooks", data={"csrf_token": token, "url": "http://example.org/hook",
                                                            "event_types": ["award.published"]})
    assert r.status_code == 422 and "只接受 https 地址" in r.text and 'id="url-error"' in r.text
    r = await pages.post("/workspace/admin/webhooks", data={"csrf_token": token, "url": "https://example.org/hook"})
    assert r.status_code == 422 and 'id="event_types-error"' in r.text
    r = await pages.post("/workspace/admin/webhooks", data={"csrf_token": token, "url": "https://example.org/hook",
                                                            "event_types": ["award.published", "deal.closed"]})
    assert r.status_code == 201
    assert re.search(r'<code id="webhook-secret" class="hash">whsec_', r.text)
    api = (await client.get("/webhooks", headers=admin.headers)).json()["items"]
    assert [(h["url"], h["event_types"]) for h in api] == [("https://example.org/hook", ["award.published", "deal.closed"])]
    hook = api[0]["id"]
    detail = await pages.get(f"/workspace/admin/webhooks/{hook}")
    assert detail.status_code == 200 and 'id="deliveries"' not in detail.text and "whsec_" not in detail.text
    async with db.unit_of_work(app.state.session_factory) as session:
        await webhooks.enqueue(session, event_key="e1", event_type="award.published",
                               payload={"type": "award.published", "data": {"id": "e1"}}, organization_ids=None)
    detail = await pages.get(f"/workspace/admin/webhooks/{hook}")
    api_log = (await client.get(f"/webhooks/{hook}/deliveries", headers=admin.headers)).json()["items"]
    assert re.findall(r'<tr data-id="([0-9a-f-]+)">', detail.text) == [d["id"] for d in api_log] and api_log
    r = await pages.post(f"/workspace/admin/webhooks/{hook}/deliveries/{api_log[0]['id']}/retry",
                         data={"csrf_token": csrf_of(detail.text)})
    assert r.status_code == 303 and "已安排立即重新推送" in (await pages.get(r.headers["location"])).text
    step = await pages.get(f"/workspace/admin/webhooks/{hook}/delete")
    assert "确定删除该订阅吗" in step.text
    r = await pages.post(f"/workspace/admin/webhooks/{hook}/delete", data={"csrf_token": csrf_of(step.text)})
    assert r.status_code == 303
    assert (await client.get("/webhooks", headers=admin.headers)).json()["items"] == []


async def test_the_audit_log_pages_and_shows_the_chain_intact(app, client, pages) -> None:
    admin = await signed_in_admin(app, pages)
    for i in range(22):
        await make_user(app, "resident", username=f"audit_user_{i}")
    page = await pages.get("/workspace/admin/audit")
    assert 'data-intact="true"' in page.text and "完整（intact）" in page.text
    api = (await client.get("/audit/events", params={"limit": 20}, headers=admin.headers)).json()
    assert re.findall(r'<tr data-id="([0-9a-f-]+)">', page.text) == [e["id"] for e in api["items"]]
    next_link = re.search(r'rel="next" class="next" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    second = await pages.get(next_link)
    api2 = (await client.get("/audit/events", params={"limit": 20, "cursor": api["next_cursor"]},
                             headers=admin.headers)).json()
    assert re.findall(r'<tr data-id="([0-9a-f-]+)">', second.text) == [e["id"] for e in api2["items"]]
    full = await pages.get("/workspace/admin/audit?full=true")
    assert 'data-intact="true"' in full.text
    verified = (await client.get("/audit/verify", headers=admin.headers)).json()
    assert verified["intact"] is True


async def test_a_post_without_the_csrf_token_is_refused(app, client, pages) -> None:
    admin = await signed_in_admin(app, pages)
    resident = await make_user(app, "resident")
    r = await pages.post("/workspace/admin/users/new", data={"username": "forged_user", "password": PASSWORD,
                                                             "role": "admin"})
    assert r.status_code == 403 and "表单已失效或来自其他网站" in r.text
    r = await pages.post(f"/workspace/admin/users/{resident.id}/deactivate", data={})
    assert r.status_code == 403
    users = (await client.get("/users", params={"q": "forged_user"}, headers=admin.headers)).json()["items"]
    assert users == []
    assert (await client.get(f"/users/{resident.id}", headers=admin.headers)).json()["active"] is True


@pytest.mark.parametrize("role", ["buyer", "expert", "resident", "manager"])
async def test_other_roles_cannot_open_the_admins_pages(app, pages, role) -> None:
    await seed_regions(app)
    actor = (await make_org_user(app, role))[0] if role == "buyer" else await make_user(app, role)
    await sign_in(pages, actor.user.username)
    for url in ["/workspace/admin", "/workspace/admin/users/new", f"/workspace/admin/users/{actor.id}",
                "/workspace/admin/organizations", "/workspace/admin/regions", "/workspace/admin/imports",
                "/workspace/admin/webhooks", "/workspace/admin/audit"]:
        r = await pages.get(url)
        assert r.status_code == 403 and "此页面不属于您的角色的工作台" in r.text, url
    token = csrf_of((await pages.get("/workspace/notifications")).text)
    r = await pages.post(f"/workspace/admin/users/{actor.id}/password-reset", data={"csrf_token": token})
    assert r.status_code == 403


async def test_an_admin_cannot_open_the_experts_pages(app, pages) -> None:
    await signed_in_admin(app, pages)
    for url in ["/workspace/expert", "/workspace/buyer", "/workspace/resident"]:
        assert (await pages.get(url)).status_code == 403, url
