"""Migrations and models agree, and the server refuses a database that is not migrated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from exchange import db, models
from exchange.app import create_app
from exchange.migrate import NotMigrated, head_revision, upgrade
from tests.conftest import make_settings


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "target_metadata": models.Base.metadata,
                                                     "include_name": models.include_name})
    return compare_metadata(context, models.Base.metadata)


async def test_migrations_match_the_models(database_url: str) -> None:
    """``alembic upgrade head`` (the template every test copies) builds exactly the tables the models declare."""
    engine = db.create_engine(database_url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(_diff)
            revision = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await engine.dispose()
    assert revision == head_revision()
    assert differences == [], "models and migrations differ: add the change to your revision file"


async def test_every_model_table_exists_after_upgrade(database_url: str) -> None:
    engine = db.create_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert set(models.Base.metadata.tables) <= tables


async def test_the_server_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    app = create_app(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"))
    with pytest.raises(NotMigrated) as caught:
        async with app.router.lifespan_context(app):
            pass
    assert caught.value.code == "database_not_migrated"
    assert "exchange db upgrade" in caught.value.en and caught.value.zh
    await app.state.engine.dispose()


def test_upgrade_from_nothing_and_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    upgrade(url)  # a second upgrade is a no-op
    import asyncio

    async def revision() -> str | None:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
        finally:
            await engine.dispose()

    assert asyncio.run(revision()) == head_revision()
