"""Test harness: each test gets a fresh, migrated database and the app over httpx.

The suite runs on SQLite by default and on PostgreSQL when ``EXCHANGE_TEST_DATABASE_URL`` names a
server (``postgresql+asyncpg://user@host:port/postgres``): a template database is migrated once,
then every test gets its own copy (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL), so requests commit for real, concurrent sessions really contend, and no test sees
another's rows. Tests move the application clock; they never sleep.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from exchange.app import create_app
from exchange.config import Settings
from exchange.kit.clock import clock as app_clock
from exchange.migrate import upgrade

PG_URL = os.environ.get("EXCHANGE_TEST_DATABASE_URL")
IS_PG = bool(PG_URL)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pg_only: needs PostgreSQL (concurrency, locking)")
    print(f"\n== database under test: {'PostgreSQL' if IS_PG else 'SQLite'} ==")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if IS_PG:
        return
    skip = pytest.mark.skip(reason="runs on PostgreSQL (the suite's second pass)")
    for item in items:
        if "pg_only" in item.keywords:
            item.add_marker(skip)


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    u = make_url(url)
    if database is not None:
        u = u.set(database=database)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


class Databases:
    """Creates a template once and hands out fresh copies of it."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="exchange-test-"))
        self.template = f"exchange_tpl_{os.getpid()}"

    def build_template(self) -> None:
        if IS_PG:
            import asyncio

            asyncio.run(self._pg(f'DROP DATABASE IF EXISTS "{self.template}"', f'CREATE DATABASE "{self.template}"'))
            upgrade(str(make_url(PG_URL).set(database=self.template).render_as_string(hide_password=False)))
        else:
            upgrade(f"sqlite+aiosqlite:///{self.tmp / 'template.db'}")

    async def _pg(self, *statements: str) -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(PG_URL))
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def fresh(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        if IS_PG:
            await self._pg(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        shutil.copy(self.tmp / "template.db", self.tmp / f"{name}.db")
        return f"sqlite+aiosqlite:///{self.tmp / name}.db"

    async def drop(self, url: str) -> None:
        if IS_PG:
            name = make_url(url).database
            await self._pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            Path(make_url(url).database).unlink(missing_ok=True)

    def close(self) -> None:
        if IS_PG:
            import asyncio

            asyncio.run(self._pg(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Production argon2 parameters cost ~50 ms a hash; tests create hundreds of users. Verification
    reads the parameters from each hash, so only the cost changes, not the behaviour."""
    from argon2 import PasswordHasher

    from exchange.kit import security

    saved = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = saved


@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    dbs = Databases()
    dbs.build_template()
    yield dbs
    dbs.close()


@pytest.fixture
async def database_url(databases: Databases) -> AsyncIterator[str]:
    url = await databases.fresh()
    yield url
    await databases.drop(url)


STORAGE_ROOT = Path(tempfile.mkdtemp(prefix="exchange-documents-"))
atexit.register(shutil.rmtree, STORAGE_ROOT, True)


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Test settings; each gets its own document directory unless ``storage_url`` is given."""
    overrides.setdefault("storage_url", f"file://{STORAGE_ROOT / uuid.uuid4().hex}")
    return Settings(env="dev", database_url=database_url, tick_interval_seconds=0, matching_warmup=False,
                    **overrides)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
        yield c


@pytest.fixture(autouse=True)
def clock() -> Iterator[object]:
    """The application clock, reset around every test; ``clock.advance(days=6)`` moves it."""
    app_clock.reset()
    yield app_clock
    app_clock.reset()


@pytest.fixture
def session_factory(app: FastAPI) -> object:
    return app.state.session_factory
