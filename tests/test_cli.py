"""The ``exchange`` command against a real database: db upgrade, users create-admin, regions load, demo."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from exchange import db
from exchange.accounts.models import User
from exchange.cli import main
from exchange.config import get_settings
from exchange.kit.security import verify_password
from exchange.openapi import export
from exchange.regions.models import Region
from tests.conftest import IS_PG, PG_URL


@pytest.fixture
def empty_url(databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty database (no tables), configured as the CLI's EXCHANGE_DATABASE_URL."""
    if IS_PG:
        name = f"cli_{uuid.uuid4().hex[:12]}"
        asyncio.run(databases._pg(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", url)
    monkeypatch.setenv("EXCHANGE_STORAGE_URL", f"file://{tmp_path / 'documents'}")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    if IS_PG:
        asyncio.run(databases._pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _query(url: str, stmt):  # noqa: ANN001, ANN202
    async def run():  # noqa: ANN202
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(stmt)).all()
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_db_upgrade_then_create_admin(empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "create-admin", "--username", "root", "--password", "long-enough"]) == 1
    assert "exchange db upgrade" in capsys.readouterr().err  # refuses an un-migrated database

    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == "database at head"
    assert main(["db", "upgrade"]) == 0  # idempotent
    capsys.readouterr()

    assert main(["users", "create-admin", "--username", "Root", "--password", "long-enough"]) == 0
    assert capsys.readouterr().out.startswith("admin root created")
    [(role, password_hash)] = _query(empty_url, select(User.role, User.password_hash).where(User.username == "root"))
    assert role == "admin" and verify_password(password_hash, "long-enough")

    assert main(["users", "create-admin", "--username", "root", "--password", "long-enough"]) == 1
    assert "username_taken" in capsys.readouterr().err
    assert main(["users", "create-admin", "--username", "root2", "--password", "short"]) == 2
    assert _query(empty_url, select(func.count()).select_from(User)) == [(1,)]


def test_regions_load(empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    csv = tmp_path / "regions.csv"
    csv.write_text("code,name,level,parent_code\n"
                   "510107003001,玉林东路社区,community,510107003000\n"
                   "510107,武侯区,district,\n"
                   "510107003000,玉林街道,subdistrict,510107\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["regions", "load", str(csv)]) == 0
    assert capsys.readouterr().out.strip() == "3 regions created"
    assert main(["regions", "load", str(csv)]) == 0
    assert capsys.readouterr().out.strip() == "0 regions created"

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,parent_code\n510107003002,玉林北路社区,community,510107003000\n"
                   "510107003002001,第一网格,gird,510107003002\n", encoding="utf-8")
    assert main(["regions", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Row 2" in err and "'gird'" in err and "invalid_region_row" in err
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("code,name,level,parent_code\n510107003002,玉林北路社区,community,510107003000\n"
                      "510107009001,某社区,community,510107009000\n", encoding="utf-8")
    assert main(["regions", "load", str(orphan)]) == 1  # the good first row is not kept either
    assert "unknown_region" in capsys.readouterr().err
    assert _query(empty_url, select(func.count()).select_from(Region)) == [(3,)]


def test_export_openapi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "openapi.json"
    assert main(["export-openapi", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == export()


def test_exchange_demo_command_twice(empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.count("demo data loaded: ") == 1 and "organizations +" in out and "admin-demo-2026" in out
    assert main(["demo"]) == 0
    assert capsys.readouterr().out.startswith("demo data already loaded: nothing changed")


def test_serve_refuses_an_unmigrated_database(empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "1"]) == 1
    err = capsys.readouterr().err
    assert "exchange db upgrade" in err and "database_not_migrated" in err
