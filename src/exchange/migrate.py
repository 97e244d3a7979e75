"""Alembic, driven from the application: upgrade, and the check that refuses an un-migrated database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from exchange.errors import ExchangeError


def migrations_dir() -> Path:
    """``migrations/`` beside ``src/`` in a checkout, or in the working directory (the image)."""
    here = Path(__file__).resolve().parents[2] / "migrations"
    return here if here.is_dir() else Path.cwd() / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


class NotMigrated(ExchangeError):
    pass


async def check_migrated(engine: AsyncEngine) -> None:
    """Raise when the database is not at the newest migration: serving it would corrupt data."""
    async with engine.connect() as conn:
        current = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    head = head_revision()
    if current != head:
        raise NotMigrated(
            "database_not_migrated", 503, f"数据库版本为 {current}，需要 {head}：请先运行 `exchange db upgrade`",
            f"The database is at migration {current}, the code needs {head}: run `exchange db upgrade` first",
        )
