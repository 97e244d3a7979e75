"""The ``exchange`` command: serve, db upgrade, users, demo, tick, ledger check, regions, export-openapi."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import db
from exchange.config import get_settings


def _run_in_uow(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    """Run ``work`` in one unit of work against the configured database."""
    from exchange import models  # noqa: F401  (every table known to the mapper)

    async def main() -> Any:
        settings = get_settings()
        engine = db.create_engine(settings.database_url)
        try:
            from exchange.migrate import check_migrated

            await check_migrated(engine)
            async with db.unit_of_work(db.create_session_factory(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _check_migrated() -> None:
    """Refuse, with the fix in one line, to serve a database that is not at the newest migration."""
    from exchange.migrate import check_migrated

    async def check() -> None:
        engine = db.create_engine(get_settings().database_url)
        try:
            await check_migrated(engine)
        finally:
            await engine.dispose()

    asyncio.run(check())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    _check_migrated()
    uvicorn.run("exchange.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                proxy_headers=True, log_level=args.log_level)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from exchange.migrate import upgrade

    upgrade(get_settings().database_url, args.revision)
    print(f"database at {args.revision}")
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from exchange.accounts.models import Role
    from exchange.accounts.schemas import normalize_username
    from exchange.accounts.service import create_user

    if len(args.password) < 8:
        print("the password must have at least 8 characters", file=sys.stderr)
        return 2

    async def work(session: AsyncSession) -> Any:
        return await create_user(session, actor_id=None, username=normalize_username(args.username),
                                 password=args.password, role=Role.admin, display_name=args.display_name)

    user = _run_in_uow(work)
    print(f"admin {user.username} created ({user.id})")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from exchange.demo.service import load_demo

    summary = _run_in_uow(load_demo)
    print(summary.text())
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    from exchange import ticker
    from exchange.app import _routers

    _routers()  # importing every domain registers its due moves
    moved = _run_in_uow(ticker.tick)
    print(f"{moved} due moves applied")
    return 0


def cmd_documents_sweep(args: argparse.Namespace) -> int:
    from exchange.documents.storage import open_store
    from exchange.documents.sweep import sweep

    settings = get_settings()
    grace = settings.orphan_grace_seconds if args.grace_seconds is None else args.grace_seconds
    result = _run_in_uow(lambda session: sweep(session, open_store(settings), grace))
    print(f"{result.objects_removed} unreferenced objects removed, {result.objects_kept} kept, "
          f"{result.incoming_removed} abandoned uploads removed")
    return 0


def cmd_ledger_check(args: argparse.Namespace) -> int:
    from exchange.funds.check import check_ledger

    violations = _run_in_uow(check_ledger)
    for line in violations:
        print(f"VIOLATION: {line}")
    print("ledger ok" if not violations else f"{len(violations)} violations")
    return 0 if not violations else 1


def cmd_regions_load(args: argparse.Namespace) -> int:
    from exchange.regions.service import load_csv

    try:
        text = Path(args.csv).read_text(encoding="utf-8-sig")
    except OSError as exc:
        print(f"error: cannot read {args.csv}: {exc.strerror}", file=sys.stderr)
        return 2
    created = _run_in_uow(lambda session: load_csv(session, text))
    print(f"{created} regions created")
    return 0


def cmd_export_openapi(args: argparse.Namespace) -> int:
    from exchange.openapi import export

    path = Path(args.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(export(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exchange", description="Social service exchange (社会服务交易中心)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    dbp = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    up = dbp.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)

    users = sub.add_parser("users", help="accounts").add_subparsers(dest="users_command", required=True)
    admin = users.add_parser("create-admin", help="create an administrator")
    admin.add_argument("--username", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--display-name", default=None)
    admin.set_defaults(func=cmd_create_admin)

    sub.add_parser("demo", help="load the demo district (idempotent)").set_defaults(func=cmd_demo)
    sub.add_parser("tick", help="apply every due time-based move").set_defaults(func=cmd_tick)
    documents = sub.add_parser("documents", help="document storage").add_subparsers(dest="documents_command", required=True)
    swp = documents.add_parser("sweep", help="remove stored bytes no document references (older than the grace period)")
    swp.add_argument("--grace-seconds", type=float, default=None, help="default: EXCHANGE_ORPHAN_GRACE_SECONDS (3600)")
    swp.set_defaults(func=cmd_documents_sweep)
    ledger = sub.add_parser("ledger", help="money").add_subparsers(dest="ledger_command", required=True)
    ledger.add_parser("check", help="verify every ledger invariant").set_defaults(func=cmd_ledger_check)

    regions = sub.add_parser("regions", help="region tree").add_subparsers(dest="regions_command", required=True)
    load = regions.add_parser("load", help="load regions from CSV: code,name,level,parent_code")
    load.add_argument("csv")
    load.set_defaults(func=cmd_regions_load)

    export = sub.add_parser("export-openapi", help="write the OpenAPI document")
    export.add_argument("path", nargs="?", default="openapi/openapi.json")
    export.set_defaults(func=cmd_export_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Exception as exc:  # the CLI prints the problem, not a traceback
        from exchange.errors import ExchangeError

        if isinstance(exc, ExchangeError):
            print(f"error: {exc.en} [{exc.code}]", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
