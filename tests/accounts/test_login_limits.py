"""The login and sign-up limits: per username *and* address, counted before the password is checked,
shared by every server process through the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from exchange.app import create_app
from tests.builders import COMM_A1, make_user, seed_regions
from tests.conftest import make_settings


@pytest.fixture(autouse=True)
def frozen(clock) -> None:
    """Windows are measured on the application clock: frozen, a slow machine cannot end one mid-test."""
    clock.freeze(clock.now())


@asynccontextmanager
async def client_from(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
        yield c


@asynccontextmanager
async def another_process(database_url: str) -> AsyncIterator[FastAPI]:
    """A second server on the same database, with its own memory (as a second worker has)."""
    other = create_app(make_settings(database_url))
    async with other.router.lifespan_context(other):
        yield other


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/auth/token", data={"username": username, "password": password})


async def test_failures_from_elsewhere_never_lock_the_owner_out(app) -> None:
    await make_user(app, "admin", username="minzheng", password="buyer-demo-2026")
    limit = app.state.settings.login_max_failures
    async with client_from(app, "198.51.100.7") as attacker, client_from(app, "203.0.113.20") as office:
        for _ in range(limit * 2):
            await _login(attacker, "minzheng", "guess")
        assert (await _login(attacker, "minzheng", "buyer-demo-2026")).status_code == 429
        owner = await _login(office, "minzheng", "buyer-demo-2026")
        assert owner.status_code == 200, owner.text


async def test_parallel_guesses_are_counted_before_the_password_is_checked(app) -> None:
    await make_user(app, "admin", username="target", password="right-password")
    limit = app.state.settings.login_max_failures
    async with client_from(app, "198.51.100.8") as attacker:
        answers = await asyncio.gather(*[_login(attacker, "target", f"guess-{i}") for i in range(30)])
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(401) == limit and statuses.count(429) == 30 - limit
    assert all(r.json()["code"] == "too_many_login_attempts" for r in answers if r.status_code == 429)


async def test_the_count_is_shared_by_every_server_process(app, database_url: str) -> None:
    await make_user(app, "admin", username="target", password="right-password")
    limit = app.state.settings.login_max_failures
    async with another_process(database_url) as second:
        async with client_from(app, "198.51.100.9") as one, client_from(second, "198.51.100.9") as two:
            for i in range(limit):
                assert (await _login(one if i % 2 else two, "target", "guess")).status_code == 401
            assert (await _login(one, "target", "right-password")).status_code == 429
            assert (await _login(two, "target", "right-password")).status_code == 429


async def test_a_success_starts_the_pair_afresh(app, clock) -> None:
    await make_user(app, "admin", username="target", password="right-password")
    limit = app.state.settings.login_max_failures
    async with client_from(app, "198.51.100.10") as c:
        for _ in range(limit - 1):
            assert (await _login(c, "target", "typo")).status_code == 401
        assert (await _login(c, "target", "right-password")).status_code == 200
        for _ in range(limit - 1):
            assert (await _login(c, "target", "typo")).status_code == 401
        assert (await _login(c, "target", "right-password")).status_code == 200
        for _ in range(limit):
            await _login(c, "target", "typo")
        assert (await _login(c, "target", "right-password")).status_code == 429
        clock.advance(seconds=app.state.settings.login_window_seconds + 1)
        assert (await _login(c, "target", "right-password")).status_code == 200


async def test_one_address_cannot_spray_many_usernames(app) -> None:
    limit = app.state.settings.login_max_failures * 10
    async with client_from(app, "198.51.100.11") as c:
        for i in range(limit):
            assert (await _login(c, f"name{i}", "guess")).status_code == 401
        assert (await _login(c, "someone_else", "guess")).status_code == 429


async def test_sign_ups_are_limited_per_address(app, database_url: str) -> None:
    await seed_regions(app)
    limit = app.state.settings.register_rate_per_hour
    async with client_from(app, "198.51.100.12") as c, client_from(app, "198.51.100.13") as elsewhere:
        for i in range(limit):
            body = {"username": f"res{i}", "password": "12345678", "display_name": "居民", "region_code": COMM_A1}
            assert (await c.post("/auth/register", json=body)).status_code == 201
        body = {"username": "one_more", "password": "12345678", "display_name": "居民", "region_code": COMM_A1}
        over = await c.post("/auth/register", json=body)
        assert over.status_code == 429 and over.json()["code"] == "too_many_registrations"
        assert int(over.headers["retry-after"]) > 0
        assert (await elsewhere.post("/auth/register", json=body)).status_code == 201
