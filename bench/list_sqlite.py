"""Benchmark: list requests per second on the embedded SQLite default, and reads while a writer holds a transaction.

Migrates a fresh SQLite file, loads the demo district plus ``--offers`` extra published offers, serves it
with one uvicorn worker on loopback, then:
  1. ``--concurrency`` clients list ``/offers``, ``/opportunities`` and ``/needs`` (``limit=20``) for
     ``--seconds``: requests/s, p50 and p95;
  2. the same clients while another connection holds a write transaction (``BEGIN IMMEDIATE``) for
     ``--hold`` seconds: how many reads completed during the hold, and their p95.

    .venv/bin/python bench/list_sqlite.py                      # this checkout
    .venv/bin/python bench/list_sqlite.py --src ../main/src    # another checkout's code, same harness
Options: --seconds S (10) --concurrency C (16) --hold H (3) --offers N (2000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["/api/v1/offers?limit=20", "/api/v1/opportunities?limit=20", "/api/v1/needs?limit=20"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def extra_offers(db: Path, count: int) -> None:
    """Copies of the demo's published offers (new ids, same texts, areas and index terms), for a fuller list."""
    conn = sqlite3.connect(db)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(offers)")]
    rows = conn.execute("SELECT * FROM offers WHERE status = 'published'").fetchall()
    regions = conn.execute("SELECT * FROM listing_regions WHERE listing_type = 'offer'").fetchall()
    terms = dict(conn.execute("SELECT listing_id, terms FROM listing_search WHERE listing_type = 'offer'").fetchall())
    rcols = [r[1] for r in conn.execute("PRAGMA table_info(listing_regions)")]
    made = 0
    while made < count and rows:
        for row in rows:
            if made >= count:
                break
            old, new = row[cols.index("id")], uuid.uuid4().hex
            conn.execute(f"INSERT INTO offers VALUES ({','.join('?' * len(cols))})",
                         [new if c == "id" else v for c, v in zip(cols, row, strict=True)])
            for r in (r for r in regions if r[rcols.index("listing_id")] == old):
                conn.execute(f"INSERT INTO listing_regions ({','.join(rcols)}) VALUES ({','.join('?' * len(rcols))})",
                             [new if c == "listing_id" else (None if c == "id" else v) for c, v in zip(rcols, r, strict=True)])
            if old in terms:  # the full-text row, its own id term renamed
                conn.execute("INSERT INTO listing_search (terms, listing_type, listing_id) VALUES (?, 'offer', ?)",
                             (terms[old].replace(f"id:{old}", f"id:{new}"), new))
            made += 1
    conn.commit()
    conn.close()


async def clients(base: str, concurrency: int, seconds: float) -> tuple[list[tuple[float, float]], int]:
    """((finished at, latency in ms) of each successful read, failed reads) for ``seconds`` of ``concurrency`` clients."""
    latencies: list[tuple[float, float]] = []
    failed = 0
    stop = time.perf_counter() + seconds

    async def one(i: int, client: httpx.AsyncClient) -> None:
        nonlocal failed
        n = i
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                r = await client.get(PATHS[n % len(PATHS)])
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                end = time.perf_counter()
                latencies.append((end, (end - start) * 1000))
            else:
                failed += 1
            n += 1

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.gather(*(one(i, client) for i in range(concurrency)))
    return latencies, failed


def figures(reads: list[tuple[float, float]], seconds: float) -> dict[str, Any]:
    latencies = [ms for _, ms in reads]
    if not latencies:
        return {"requests": 0, "per_second": 0.0, "p50_ms": None, "p95_ms": None}
    q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [latencies[0]] * 19
    return {"requests": len(latencies), "per_second": round(len(latencies) / seconds, 1),
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(q[18], 1)}


def hold_write_lock(db: Path, seconds: float) -> tuple[float, float]:
    """Hold SQLite's write lock for ``seconds``; returns when it was taken and released (perf_counter)."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    taken = time.perf_counter()
    time.sleep(seconds)
    released = time.perf_counter()
    conn.execute("ROLLBACK")
    conn.close()
    return taken, released


async def measure(base: str, db: Path, concurrency: int, seconds: float, hold: float) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as c:
        for _ in range(300):
            try:
                if (await c.get("/api/v1/health")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    await clients(base, concurrency, 1.0)  # warm-up
    reads, failed = await clients(base, concurrency, seconds)
    holder = asyncio.create_task(asyncio.to_thread(hold_write_lock, db, hold))
    await asyncio.sleep(0.2)
    during, failed_during = await clients(base, concurrency, hold - 0.4)
    taken, released = await holder
    within = [(end, ms) for end, ms in during if taken < end < released]  # reads that finished while the lock was held
    return {"concurrency": concurrency, "lists": figures(reads, seconds), "failed": failed,
            "while_a_writer_holds_the_lock": figures(within, released - taken), "failed_during_hold": failed_during}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=str(ROOT / "src"), help="the checkout's src directory to benchmark")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--hold", type=float, default=3)
    parser.add_argument("--offers", type=int, default=2000)
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp(prefix="bench-sqlite-")) / "bench.db"
    env = {**os.environ, "PYTHONPATH": str(Path(args.src).resolve()), "EXCHANGE_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
           "EXCHANGE_MATCHING_WARMUP": "false", "EXCHANGE_TICK_INTERVAL_SECONDS": "0", "EXCHANGE_SERVE_RUNS_JOBS": "false"}
    code = run(env, "-c", "import exchange; print(exchange.__file__)").strip()
    run(env, "-m", "exchange.cli", "db", "upgrade")
    run(env, "-m", "exchange.cli", "demo")
    extra_offers(db, args.offers)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "exchange.app:create_app", "--factory", "--port", str(port),
                               "--log-level", "warning", "--no-access-log"], env=env)
    try:
        result = asyncio.run(measure(f"http://127.0.0.1:{port}", db, args.concurrency, args.seconds, args.hold))
    finally:
        server.terminate()
        server.wait(10)
    free, held = result["lists"], result["while_a_writer_holds_the_lock"]
    print(json.dumps({"code": code, **result}, indent=2))
    print(f"list requests/s on SQLite: {free['per_second']} (p50 {free['p50_ms']} ms, p95 {free['p95_ms']} ms); "
          f"while a writer holds a transaction for {args.hold:g} s: {held['requests']} reads completed within it")
    print(f"rerun: .venv/bin/python bench/list_sqlite.py --src {args.src} --seconds {args.seconds:g} "
          f"--concurrency {args.concurrency} --hold {args.hold:g} --offers {args.offers}")


if __name__ == "__main__":
    main()
