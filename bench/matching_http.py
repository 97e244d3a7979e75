"""Matching over HTTP on PostgreSQL with 100k published offers.

Loads N synthetic offers (the generator of bench/matching_engine.py) into a fresh PostgreSQL
database, each with the text analysis the services store at write time (``match_analysis``; the
time that analysis takes is printed on its own), times building the matching index from the
database (and, for comparison, the same build analysing every text again), starts the server in a
subprocess, and measures `POST /matches/search` and `GET /needs/{id}/matches` with concurrent
clients over loopback: p50/p95/p99 latency, requests per second, and the server's resident memory.

    make bench-matching-http        # starts a throwaway PostgreSQL itself
    scripts/with-postgres.sh .venv/bin/python bench/matching_http.py [--offers 100000] [--requests 1500] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from matching_engine import Generator, build_regions, percentiles  # noqa: E402

from exchange import db  # noqa: E402
from exchange.chinese.analysis import analysis_to_json  # noqa: E402
from exchange.chinese.concepts import default_analyzer  # noqa: E402
from exchange.matching import runtime as matching_runtime  # noqa: E402
from exchange.matching.runtime import MatchingRuntime  # noqa: E402
from exchange.migrate import upgrade  # noqa: E402
from exchange.organizations.credit_code import complete  # noqa: E402

COMMAND = ("scripts/with-postgres.sh .venv/bin/python bench/matching_http.py --offers {offers} "
           "--requests {requests} --concurrency {concurrency}")


def level_of(code: str) -> str:
    if len(code) == 6:
        return "district"
    if len(code) == 12:
        return "subdistrict" if code.endswith("000") else "community"
    return "grid"


class WriteTimeAnalysis:
    """The ``match_analysis`` the services store when a listing is written, timed separately."""

    def __init__(self) -> None:
        self.analyzer = default_analyzer()
        self.seconds = self.cpu = 0.0
        self.count = 0

    def __call__(self, title: str, description: str) -> str:
        t0, c0 = time.perf_counter(), time.process_time()
        # cached=False: the same result as the services. analysis, without evicting anything.
        stored = json.dumps(analysis_to_json(self.analyzer.analyse_listing(title, description, cached=False)),
                            ensure_ascii=False, separators=(",", ":"))
        self.seconds += time.perf_counter() - t0
        self.cpu += time.process_time() - c0
        self.count += 1
        return stored


async def load(dsn: str, offers: int, seed: int, analyse: WriteTimeAnalysis) -> tuple[list[str], list[str]]:
    """Regions, organizations, offers and a few hundred needs; returns (need ids, community codes)."""
    regions = build_regions()
    gen = Generator(seed, regions)
    conn = await asyncpg.connect(dsn)
    now = dt.datetime.now(dt.UTC)
    try:
        rows = []
        for code in sorted(regions.names, key=lambda c: (len(c), c)):
            path = "/" + "/".join(reversed(regions.tree.ancestors(code))) + "/"
            rows.append((code, regions.names[code], level_of(code), regions.tree.parent(code), path, now, now))
        await conn.copy_records_to_table("regions", records=rows, columns=[
            "code", "name", "level", "parent_code", "path", "created_at", "updated_at"])
        org_ids: dict[str, uuid.UUID] = {}
        org_rows = []
        for i, (name, facts) in enumerate(gen.orgs):
            oid = uuid.uuid4()
            org_ids[facts.id] = oid
            registered = facts.registration == "registered"
            org_rows.append((oid, f"{name}{i}", "social_org", "social_service_agency" if registered else "filed",
                             facts.registration, complete(f"5251010{i:010d}") if registered else None, facts.a_level,
                             "[]", "[]", "suspended" if facts.suspended else "active", "{}", 1, now, now))
        await conn.copy_records_to_table("organizations", records=org_rows, columns=[
            "id", "name", "kind", "legal_form", "registration", "credit_code", "a_level", "categories",
            "service_region_codes", "status", "contact", "version", "created_at", "updated_at"])
        batch = []
        for i in range(offers):
            o = gen.offer(i)
            batch.append((uuid.uuid4(), org_ids[o.org.id], o.title, o.description, o.category or "community_building",
                          json.dumps(o.target_groups), json.dumps(o.region_codes), o.pricing, o.price_fen,
                          o.capacity_per_month, "published", now, "", analyse(o.title, o.description), 1, now, now))
            if len(batch) == 20_000:
                await _copy_offers(conn, batch)
                batch = []
        if batch:
            await _copy_offers(conn, batch)
        user = uuid.uuid4()
        await conn.execute(
            "INSERT INTO users (id, username, display_name, role, password_hash, is_active, version, created_at, updated_at)"
            " VALUES ($1, 'bench', 'bench', 'resident', 'x', true, 1, $2, $2)", user, now)
        needs, rng = [], random.Random(seed)
        for _ in range(300):
            q, _colloquial = gen.query()
            nid = uuid.uuid4()
            needs.append((nid, user, q.text[:200], q.text, "[]", q.region_code or rng.choice(regions.communities),
                          "normal", 0, "open", 0, "", analyse(q.text[:200], q.text), 1, now, now))
        await conn.copy_records_to_table("needs", records=needs, columns=[
            "id", "requester_id", "title", "description", "target_groups", "region_code", "urgency", "points", "status",
            "supporters", "search_text", "match_analysis", "version", "created_at", "updated_at"])
        return [str(n[0]) for n in needs], regions.communities
    finally:
        await conn.close()


async def _copy_offers(conn: asyncpg.Connection, batch: list[tuple]) -> None:
    await conn.copy_records_to_table("offers", records=batch, columns=[
        "id", "organization_id", "title", "description", "category", "target_groups", "region_codes", "pricing",
        "price_fen", "capacity_per_month", "status", "published_at", "search_text", "match_analysis", "version", "created_at",
        "updated_at"])


async def build_index(url: str, *, stored: bool = True) -> tuple[float, float, int]:
    """Build the index from the database in this process: (seconds, RSS growth in MB, offers indexed).
    With ``stored=False`` the stored analyses are ignored and every text is analysed, as before they existed."""
    if not stored:
        original = matching_runtime.analysis_from_json
        matching_runtime.analysis_from_json = lambda data: None  # type: ignore[assignment]
        try:
            return await build_index(url)
        finally:
            matching_runtime.analysis_from_json = original
    engine = db.create_engine(url)
    runtime = MatchingRuntime()
    before = rss_mb(os.getpid())
    async with db.create_session_factory(engine)() as session:
        await runtime.ready(session)
    await engine.dispose()
    assert runtime.offers is not None
    return runtime.build_seconds or 0.0, rss_mb(os.getpid()) - before, len(runtime.offers)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def hammer(base: str, requests: list[tuple[str, str, dict | None]], concurrency: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[tuple[str, str, dict | None]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            method, path, body = queue.get_nowait()
            started = time.perf_counter()
            r = await client.request(method, path, json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += r.status_code != 200

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, errors


def report(name: str, latencies: list[float], seconds: float, errors: int) -> None:
    p50, p95, p99 = percentiles(latencies)
    print(f"{name:<34} n={len(latencies):>5}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  "
          f"{len(latencies) / seconds:7.1f} req/s  errors {errors}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True,
                        help="also time a build that ignores the stored analyses")
    parser.add_argument("--server-url", default=os.environ.get("EXCHANGE_TEST_DATABASE_URL"))
    args = parser.parse_args()
    if not args.server_url:
        sys.exit("needs PostgreSQL: run through scripts/with-postgres.sh or pass --server-url")
    print("rerun:", COMMAND.format(**vars(args)))
    server = make_url(args.server_url)
    name = f"bench_matching_{os.getpid()}"
    admin = await asyncpg.connect(server.set(drivername="postgresql").render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    dsn = server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    proc = None
    try:
        await asyncio.to_thread(upgrade, url)
        started = time.perf_counter()
        analyse = WriteTimeAnalysis()
        need_ids, communities = await load(dsn, args.offers, args.seed, analyse)
        print(f"loaded {args.offers} offers, {len(need_ids)} needs in {time.perf_counter() - started:.1f}s, of which "
              f"write-time analysis (match_analysis, done by the services on create/update) of {analyse.count} texts: "
              f"{analyse.seconds:.2f}s ({analyse.cpu:.2f}s CPU)")
        seconds, grown, indexed = await build_index(url)
        print(f"index build from the database: {seconds:.2f}s for {indexed} published offers; "
              f"RSS growth {grown:.0f} MB (this process)")
        if args.compare:
            seconds, grown, indexed = await build_index(url, stored=False)
            print(f"  for comparison, the same build analysing every text instead: {seconds:.2f}s for {indexed} offers; "
                  f"RSS growth {grown:.0f} MB")

        port = free_port()
        env = {**os.environ, "EXCHANGE_DATABASE_URL": url, "EXCHANGE_ENV": "dev", "EXCHANGE_TICK_INTERVAL_SECONDS": "0",
               "EXCHANGE_SEARCH_RATE_PER_MINUTE": "100000000"}
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "exchange.app:create_app", "--factory", "--port",  # noqa: ASYNC220
                                 str(port), "--log-level", "warning", "--no-access-log"], env=env)
        base = f"http://127.0.0.1:{port}/api/v1"
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            for _ in range(600):
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            warm = time.perf_counter()
            await client.get(f"/needs/{need_ids[0]}/matches")
            print(f"server ready; first match (index build in the server) {time.perf_counter() - warm:.1f}s; "
                  f"server RSS {rss_mb(proc.pid):.0f} MB")
        gen = Generator(args.seed + 1, build_regions())
        searches = []
        for _ in range(args.requests):
            q, _ = gen.query()
            searches.append(("POST", "/matches/search", {"text": q.text, "region_code": q.region_code}))
        rng = random.Random(args.seed)
        need_requests = [("GET", f"/needs/{rng.choice(need_ids)}/matches", None) for _ in range(args.requests)]
        print(f"concurrency {args.concurrency}, loopback HTTP, 1 server process:")
        report("POST /matches/search", *await hammer(base, searches, args.concurrency))
        report("GET /needs/{id}/matches", *await hammer(base, need_requests, args.concurrency))
        report("GET /needs/{id}/matches (1 client)", *await hammer(base, need_requests[:300], 1))
        print(f"server RSS after the run: {rss_mb(proc.pid):.0f} MB")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
