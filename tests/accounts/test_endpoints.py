"""Accounts over HTTP: logging in, signing up, roles, tokens, login rate limiting."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select

from exchange.accounts.models import User
from exchange.audit.models import AuditEvent
from exchange.kit.clock import now
from exchange.kit.security import encode_token
from tests.builders import COMM_A1, DISTRICT, auth, make_org, make_user, seed_regions


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/auth/token", data={"username": username, "password": password})


async def test_login_returns_a_bearer_token_that_reads_me(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    await make_user(app, "resident", username="zhang_ayi", password="pass-word-1", region_code=COMM_A1)
    r = await _login(client, "Zhang_Ayi ", "pass-word-1")  # usernames are case- and space-insensitive
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    me = await client.get("/me", headers=auth(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == "zhang_ayi" and me.json()["role"] == "resident"
    assert me.json()["region_code"] == COMM_A1 and me.json()["points_balance"] == 0


async def test_wrong_password_and_unknown_user_get_the_same_401(app, client: httpx.AsyncClient) -> None:
    await make_user(app, "admin", username="root", password="right-password")
    wrong = await _login(client, "root", "wrong-password")
    unknown = await _login(client, "nobody", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"] == unknown.headers["content-type"] == "application/problem+json"
    strip = lambda r: {k: v for k, v in r.json().items() if k != "instance"}  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert wrong.json()["code"] == "invalid_credentials"
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_login_form_without_password_is_422(client: httpx.AsyncClient) -> None:
    r = await client.post("/auth/token", data={"username": "root"})
    assert r.status_code == 422
    assert ["body", "password"] in [e["loc"] for e in r.json()["errors"]]


async def test_register_a_resident(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    r = await client.post("/auth/register", json={
        "username": "li_nvshi", "password": "12345678", "display_name": "李女士", "region_code": COMM_A1})
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "resident" and r.json()["organization_id"] is None
    assert r.headers["location"] == f"/api/v1/users/{r.json()['id']}" and r.headers["etag"] == '"1"'
    assert (await _login(client, "li_nvshi", "12345678")).status_code == 200


async def test_login_normalizes_the_username_like_sign_up(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    body = {"username": "Ｗang_Li", "password": "12345678", "display_name": "王丽", "region_code": COMM_A1}
    r = await client.post("/auth/register", json=body)
    assert r.status_code == 201 and r.json()["username"] == "wang_li"
    for typed in ("Ｗang_Li", "WANG_LI", " wang_li "):
        assert (await _login(client, typed, "12345678")).status_code == 200, typed


@pytest.mark.parametrize("body, loc", [
    ({"username": "ab", "password": "12345678", "display_name": "x", "region_code": COMM_A1}, ["body", "username"]),
    ({"username": "abc", "password": "1234567", "display_name": "x", "region_code": COMM_A1}, ["body", "password"]),
    ({"username": "a b c", "password": "12345678", "display_name": "x", "region_code": COMM_A1}, ["body", "username"]),
    ({"username": "abc", "password": "12345678", "region_code": COMM_A1}, ["body", "display_name"]),
    ({"username": "abc", "password": "12345678", "display_name": "x", "region_code": COMM_A1, "role": "admin"},
     ["body", "role"]),
])
async def test_register_validation(app, client: httpx.AsyncClient, body: dict, loc: list) -> None:
    await seed_regions(app)
    r = await client.post("/auth/register", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_failed"
    assert loc in [e["loc"] for e in r.json()["errors"]]


async def test_register_duplicate_username_is_409_and_unknown_region_422(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    body = {"username": "wang", "password": "12345678", "display_name": "王", "region_code": DISTRICT}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    dup = await client.post("/auth/register", json={**body, "username": "WANG"})
    assert dup.status_code == 409 and dup.json()["code"] == "username_taken"
    unknown = await client.post("/auth/register", json={**body, "username": "wang2", "region_code": "510199001001"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_region"
    assert unknown.json()["errors"][0]["loc"] == ["body", "region_code"]


async def test_only_admins_create_users(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    body = {"username": "expert_zhao", "password": "12345678", "role": "expert"}
    assert (await client.post("/users", json=body)).status_code == 401
    for role in ("manager", "buyer", "resident"):
        org = await make_org(app, "government") if role == "buyer" else None
        other = await make_user(app, role, organization_id=org.id if org else None)
        r = await client.post("/users", json=body, headers=other.headers)
        assert r.status_code == 403, role
        assert r.json()["code"] == "role_not_allowed"
    r = await client.post("/users", json=body, headers=admin.headers)
    assert r.status_code == 201 and r.json()["role"] == "expert"


async def test_create_user_checks_the_organization(app, client: httpx.AsyncClient) -> None:
    admin = await make_user(app, "admin")
    social = await make_org(app, "social_org")
    base = {"password": "12345678"}
    cases = [
        ({"username": "buyer_1", "role": "buyer"}, "organization_required"),
        ({"username": "buyer_2", "role": "buyer", "organization_id": str(uuid.uuid4())}, "unknown_organization"),
        ({"username": "buyer_3", "role": "buyer", "organization_id": str(social.id)}, "organization_kind_mismatch"),
        ({"username": "expert_1", "role": "expert", "organization_id": str(social.id)}, "organization_not_allowed"),
    ]
    for body, code in cases:
        r = await client.post("/users", json={**base, **body}, headers=admin.headers)
        assert (r.status_code, r.json()["code"]) == (422, code)
    r = await client.post("/users", json={**base, "username": "org_1", "role": "org", "organization_id": str(social.id)},
                          headers=admin.headers)
    assert r.status_code == 201 and r.json()["organization_id"] == str(social.id)


async def test_bad_tokens_are_401(app, client: httpx.AsyncClient, clock) -> None:
    user = await make_user(app, "manager")
    secret = app.state.settings.secret_key
    assert (await client.get("/me", headers=user.headers)).status_code == 200
    forged = encode_token(user.id, "admin", "another-secret-entirely-0123456789", 3600, now())
    unknown = encode_token(uuid.uuid4(), "admin", secret, 3600, now())
    for headers in ({"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic dXNlcjpwYXNz"},
                    auth(forged), auth(unknown), {}):
        r = await client.get("/me", headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["code"] == "not_authenticated" and r.headers["www-authenticate"] == "Bearer"
    # a bad token is 401 even where a token is optional
    assert (await client.get("/organizations", headers={"Authorization": "Bearer junk"})).status_code == 401
    clock.advance(seconds=3590)  # (token times are whole seconds)
    assert (await client.get("/me", headers=user.headers)).status_code == 200
    clock.advance(seconds=11)
    expired = await client.get("/me", headers=user.headers)
    assert expired.status_code == 401 and expired.json()["code"] == "not_authenticated"


async def test_a_deactivated_user_is_401(app, client: httpx.AsyncClient, session_factory) -> None:
    user = await make_user(app, "expert", username="retired", password="12345678")
    async with session_factory() as session:
        row = await session.get(User, user.id)
        row.is_active = False
        await session.commit()
    assert (await client.get("/me", headers=user.headers)).status_code == 401
    assert (await _login(client, "retired", "12345678")).status_code == 401


async def test_repeated_failed_logins_answer_429_per_username(app, client: httpx.AsyncClient) -> None:
    await make_user(app, "admin", username="target", password="right-password")
    await make_user(app, "admin", username="bystander", password="right-password")
    limit = app.state.settings.login_max_failures
    for _ in range(limit):
        assert (await _login(client, "target", "guess")).status_code == 401
    blocked = await _login(client, "target", "right-password")  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_login_attempts"
    assert 1 <= int(blocked.headers["retry-after"]) <= app.state.settings.login_window_seconds + 1
    assert (await _login(client, "bystander", "right-password")).status_code == 200


async def test_a_failed_request_leaves_nothing_behind(app, client: httpx.AsyncClient, session_factory) -> None:
    """POST /users with an unknown region: no user and no audit event remain."""
    admin = await make_user(app, "admin")

    async def counts() -> tuple[int, int]:
        async with session_factory() as s:
            users = (await s.execute(select(func.count()).select_from(User))).scalar_one()
            events = (await s.execute(select(func.count()).select_from(AuditEvent))).scalar_one()
            return users, events

    before = await counts()
    r = await client.post("/users", json={"username": "expert_x", "password": "12345678", "role": "expert",
                                          "region_code": "510199000000"}, headers=admin.headers)
    assert r.status_code == 422
    assert await counts() == before
