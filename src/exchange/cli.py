"""The ``exchange`` command: serve, worker, db upgrade, users, demo, tick, ledger check, regions, export-openapi."""

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
    import multiprocessing

    import uvicorn

    from exchange.kit.logs import uvicorn_log_config
    from exchange.kit.server import LimitedHttpToolsProtocol

    _check_migrated()
    settings = get_settings()
    runner = None
    if settings.runs_jobs_beside_serve:  # the embedded default: one command serves and runs the jobs
        runner = multiprocessing.get_context("spawn").Process(target=_worker_process, name="exchange-worker", daemon=True)
        runner.start()
    try:
        uvicorn.run("exchange.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                    proxy_headers=True, log_level=args.log_level, http=LimitedHttpToolsProtocol,
                    h11_max_incomplete_event_size=settings.max_header_bytes,
                    log_config=uvicorn_log_config(settings.log_format), access_log=False)
    finally:
        if runner is not None:
            runner.terminate()
            runner.join(10)
    return 0


def _worker_process() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then stops this process
    _configure_logging("info")
    asyncio.run(_work(once=False, interval=None))


def _configure_logging(level: str) -> None:
    """The worker's log lines in the configured format (``EXCHANGE_LOG_FORMAT``), unless logging is set up already."""
    import logging
    import logging.config

    from exchange.kit.logs import uvicorn_log_config

    if logging.getLogger().handlers:  # configured by whoever runs us (a test, an embedding program)
        return
    config = uvicorn_log_config(get_settings().log_format)
    config["loggers"]["exchange"]["level"] = level.upper()
    logging.config.dictConfig(config)


async def _work(*, once: bool, interval: float | None) -> Any:
    from exchange import models  # noqa: F401  (every table known to the mapper)
    from exchange.jobs.runner import Runner
    from exchange.migrate import check_migrated
    from exchange.scheduled import JOBS

    settings = get_settings()
    engine = db.create_engine(settings.database_url, pool_size=2)
    try:
        await check_migrated(engine)
        runner = Runner(db.create_session_factory(engine), JOBS,
                        interval=interval if interval is not None else settings.tick_interval_seconds or 30.0)
        if once:
            return await runner.run_once()
        await runner.run_forever(_stop_on_signals())
    finally:
        await engine.dispose()


def _stop_on_signals() -> asyncio.Event:
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass
    return stop


def cmd_worker(args: argparse.Namespace) -> int:
    _configure_logging(args.log_level)
    if args.once:
        report = asyncio.run(_work(once=True, interval=None))
        print(f"{report.applied} due moves applied, {report.failed} failed; "
              f"{report.jobs_done} jobs done, {report.jobs_failed} failed")
        return 0 if not (report.failed or report.jobs_failed) else 1
    asyncio.run(_work(once=False, interval=args.interval))
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
    report = asyncio.run(_work(once=True, interval=None))
    print(f"{report.applied} due moves applied" + (f", {report.failed} failed" if report.failed else ""))
    return 0 if not report.failed else 1


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
    from exchange.checks import check_ledger

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
    sub.add_parser("tick", help="apply every due time-based move once").set_defaults(func=cmd_tick)
    worker = sub.add_parser("worker", help="run the job runner: periodic moves, reminders, deferred jobs")
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.add_argument("--interval", type=float, default=None, help="seconds between passes (EXCHANGE_TICK_INTERVAL_SECONDS)")
    worker.add_argument("--log-level", default="info")
    worker.set_defaults(func=cmd_worker)
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
