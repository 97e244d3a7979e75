"""Benchmark: events per second from write to webhook delivery, with 2 job runners, on PostgreSQL.

Writers commit ``offer.published`` events (one per transaction, as requests do); two ``exchange worker``
processes fan them out and deliver each, signed, to a receiver on loopback (another process) that
answers 200 and notes when each event arrived. It prints the throughput (events delivered per second,
from the first write to the last delivery), the lag from commit to delivery (p50, p95, max), and how
many deliveries arrived twice (at-least-once allows it; there should be none here).

    scripts/with-postgres.sh .venv/bin/python bench/webhook_delivery.py          # a throwaway server
    .venv/bin/python bench/webhook_delivery.py postgresql+asyncpg://user@host:5432/postgres
Options: --events N (2000) --writers W (8) --runners R (2) --interval S (0.2, the runners' pass interval).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the receiver (run in its own process: `bench/webhook_delivery.py --receive PORT FILE`) ----------------

def receive(port: int, path: str) -> None:
    import uvicorn

    out = open(path, "a", buffering=1)  # noqa: SIM115 — open for the life of the process

    async def app(scope: dict[str, Any], receive_: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive_()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        title = json.loads(body)["data"]["data"]["title"]
        out.write(f"{time.time()} {title} {headers.get(b'webhook-id', b'').decode()}\n")
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the run --------------------------------------------------------------------------------------------------

async def _setup(url: str, hook_url: str) -> None:
    from exchange import db
    from exchange.accounts.flows import create_user
    from exchange.accounts.models import Role
    from exchange.organizations import service as orgs
    from exchange.webhooks.models import WebhookEndpoint
    from exchange.webhooks.sending import new_secret

    engine = db.create_engine(url)
    factory = db.create_session_factory(engine)
    async with db.unit_of_work(factory) as session:
        org = await orgs.create(session, actor_id=None, data={
            "name": "基准测试组织", "kind": "government", "a_level": 0, "categories": [], "service_region_codes": [],
            "contact": {}})
        user = await create_user(session, actor_id=None, username="bench", password="bench-password-1", role=Role.buyer,
                                 organization_id=org.id, region_code=None)
        session.add(WebhookEndpoint(id=uuid.uuid4(), organization_id=org.id, url=hook_url, secret=new_secret(),
                                    event_types=["offer.published"], active=True, timeout_seconds=10, created_by=user.id))
    await engine.dispose()


async def _write(url: str, total: int, writers: int) -> dict[str, float]:
    from exchange import db, events

    engine = db.create_engine(url, pool_size=writers)
    factory = db.create_session_factory(engine)
    committed: dict[str, float] = {}
    counter = iter(range(total))

    async def writer() -> None:
        for k in counter:
            title = f"bench-{k}"
            async with db.unit_of_work(factory) as session:
                events.record(session, events.OfferPublished(
                    offer_id=uuid.uuid4(), organization_id=uuid.uuid4(), title=title,
                    audience=events.Audience.everyone()))
            committed[title] = time.time()

    await asyncio.gather(*(writer() for _ in range(writers)))
    await engine.dispose()
    return committed


def _read_arrivals(path: str) -> list[tuple[float, str, str]]:
    rows: list[tuple[float, str, str]] = []
    if not Path(path).exists():
        return rows
    for line in Path(path).read_text().splitlines():
        at, title, webhook_id = line.split(" ")
        rows.append((float(at), title, webhook_id))
    return rows


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(base_url: str, args: argparse.Namespace) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    from exchange.migrate import upgrade

    name = f"bench_webhooks_{os.getpid()}"
    admin_dsn = make_url(base_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        await asyncio.to_thread(upgrade, url)
        port, arrivals = _free_port(), tempfile.mktemp(prefix="exchange-bench-hooks-")
        procs.append(subprocess.Popen([sys.executable, __file__, "--receive", str(port), arrivals]))  # noqa: ASYNC220
        await _setup(url, f"http://127.0.0.1:{port}/hooks")
        env = {**os.environ, "EXCHANGE_DATABASE_URL": url, "EXCHANGE_ENV": "dev", "EXCHANGE_WEBHOOK_ALLOW_PRIVATE": "true",
               "EXCHANGE_DB_POOL_SIZE": "4"}
        exchange = str(Path(sys.executable).with_name("exchange"))
        for _ in range(args.runners):
            procs.append(subprocess.Popen(  # noqa: ASYNC220
                [exchange, "worker", "--interval", str(args.interval), "--log-level", "warning"], env=env))
        await asyncio.sleep(2.0)  # the runners and the receiver start
        started = time.time()
        committed = await _write(url, args.events, args.writers)
        written = time.time()
        deadline = time.time() + 300
        got: list[tuple[float, str, str]] = []
        while time.time() < deadline:
            got = await asyncio.to_thread(_read_arrivals, arrivals)
            if len({t for _, t, _ in got}) >= args.events:
                break
            await asyncio.sleep(0.2)
        first: dict[str, float] = {}
        for at, title, _ in got:
            first.setdefault(title, at)
        lags = [first[t] - committed[t] for t in committed if t in first]
        last = max(first.values()) if first else time.time()
        print(f"events written: {args.events} by {args.writers} writers in {written - started:.2f} s "
              f"({args.events / (written - started):.0f} events/s written)")
        print(f"delivered: {len(first)} of {args.events} with {args.runners} runners (pass interval {args.interval} s); "
              f"duplicates: {len(got) - len(first)}")
        print(f"throughput write→delivery: {len(first) / (last - started):.0f} events/s "
              f"(first write to last delivery: {last - started:.2f} s)")
        if lags:
            print(f"lag commit→delivery: p50 {_pct(lags, 50) * 1000:.0f} ms, p95 {_pct(lags, 95) * 1000:.0f} ms, "
                  f"max {max(lags) * 1000:.0f} ms")
        print("rerun: scripts/with-postgres.sh .venv/bin/python bench/webhook_delivery.py "
              f"--events {args.events} --writers {args.writers} --runners {args.runners} --interval {args.interval}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        conn = await asyncpg.connect(admin_dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--receive":
        receive(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", default=os.environ.get("EXCHANGE_TEST_DATABASE_URL"))
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--runners", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args()
    if not args.url:
        parser.error("give a PostgreSQL URL or run under scripts/with-postgres.sh")
    asyncio.run(run(args.url, args))


if __name__ == "__main__":
    main()
