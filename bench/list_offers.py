"""Benchmark: list 20 published offers filtered by region + category, over HTTP, on PostgreSQL.

Loads 100k offers (with their region and term index rows) into a fresh database by COPY, then answers
the same query two ways, one server at a time, each a single uvicorn worker on loopback:
  ours — ``GET /api/v1/offers?region=…&category=…&limit=20`` of the application (every layer: routing,
         unit of work, filters, the ORM, Pydantic);
  bare — a minimal ASGI endpoint over a bare asyncpg pool running the same SQL.
Concurrent clients (httpx, bounded by count and time) hit each; it prints p50/p95 latency, requests/s and
the ratio ours/bare.

    scripts/with-postgres.sh .venv/bin/python bench/list_offers.py            # a throwaway server
    .venv/bin/python bench/list_offers.py postgresql+asyncpg://user@host:5432/postgres
Options: --offers N (100000) --concurrency C (16) --seconds S (10) --max-requests R (20000).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DISTRICT = "510107"
CATEGORIES = ["elderly_care", "children_youth", "disability", "health", "legal", "environment", "culture_sport",
              "community_building", "governance", "safety", "family", "employment", "hardship", "volunteering", "platform"]
GROUPS = ["elderly", "children", "youth", "women", "disabled", "hardship_families", "veterans", "riders", "residents"]

BARE_SQL = """
SELECT o.id, o.organization_id, o.title, o.description, o.category, o.target_groups, o.region_codes, o.pricing,
       o.price_fen, o.capacity_per_month, o.status, o.published_at, o.created_at, o.updated_at, o.version
FROM offers o
WHERE o.published_at IS NOT NULL AND o.status = 'published' AND o.category = $1
  AND o.id IN (SELECT lr.listing_id FROM listing_regions lr WHERE lr.listing_type = 'offer'
               AND (lr.region_code = ANY($2::varchar[]) OR lr.region_path LIKE $3))
ORDER BY o.created_at DESC, o.id DESC
LIMIT 21
"""


# -- the data ---------------------------------------------------------------------------------------------

def region_tree() -> list[tuple[str, str, str, str | None, str]]:
    """(code, name, level, parent, path): a district, 10 subdistricts, 100 communities, 500 grids."""
    rows = [(DISTRICT, "武侯区", "district", None, f"/{DISTRICT}/")]
    for s in range(1, 11):
        sub = f"{DISTRICT}{s:03d}000"
        rows.append((sub, f"第{s}街道", "subdistrict", DISTRICT, f"/{DISTRICT}/{sub}/"))
        for c in range(1, 11):
            comm = f"{DISTRICT}{s:03d}{c:03d}"
            rows.append((comm, f"第{s}街道第{c}社区", "community", sub, f"/{DISTRICT}/{sub}/{comm}/"))
            for g in range(1, 6):
                grid = f"{comm}{g:03d}"
                rows.append((grid, f"第{c}社区第{g}网格", "grid", comm, f"/{DISTRICT}/{sub}/{comm}/{grid}/"))
    return rows


async def load(url: str, offers: int) -> dict[str, Any]:
    """Create and migrate a fresh database and fill it; returns what the clients need."""
    import asyncpg
    from sqlalchemy.engine import make_url

    from exchange.demo.lists_text import OFFER_THEMES
    from exchange.listings.text import terms
    from exchange.migrate import upgrade

    base = make_url(url)
    name = f"bench_lists_{os.getpid()}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    db_url = base.set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, db_url)
    dsn = base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)

    rng = random.Random(7)
    t0 = time.perf_counter()
    regions = region_tree()
    now = dt.datetime.now(dt.UTC)
    conn = await asyncpg.connect(dsn)
    await conn.copy_records_to_table("regions", records=[(c, n, lv, p, path, now, now) for c, n, lv, p, path in regions],
                                     columns=["code", "name", "level", "parent_code", "path", "created_at", "updated_at"])
    org_ids = [uuid.uuid4() for _ in range(300)]
    await conn.copy_records_to_table("organizations", records=[
        (oid, f"第{i}号社会服务中心", "social_org", "filed", "community_filed", 0, "[]", "[]", "{}", "active", 1, now, now)
        for i, oid in enumerate(org_ids)],
        columns=["id", "name", "kind", "legal_form", "registration", "a_level", "categories", "service_region_codes",
                 "contact", "status", "version", "created_at", "updated_at"])
    by_level: dict[str, list[tuple[str, str]]] = {}
    for code, _, level, _, path in regions:
        by_level.setdefault(level, []).append((code, path))
    themes = [(c, t) for c, items in OFFER_THEMES.items() for t in items]
    term_cache: dict[tuple[int, int], list[str]] = {}
    offer_rows, region_rows, term_rows = [], [], []
    for _ in range(offers):
        org = rng.randrange(len(org_ids))
        theme = rng.randrange(len(themes))
        _, (title, description, pricing, price) = themes[theme]
        category = rng.choice(CATEGORIES)
        title = f"{title}（第{org}号中心）"
        description = f"{description}由第{org}号社会服务中心提供。"
        roll = rng.random()
        level = "district" if roll < 0.1 else "subdistrict" if roll < 0.4 else "community" if roll < 0.9 else "grid"
        areas = rng.sample(by_level[level], k=1 if level == "district" else rng.choice([1, 1, 2]))
        oid = uuid.uuid4()
        created = now - dt.timedelta(seconds=rng.randrange(2 * 365 * 86400))
        published = rng.random() < 0.9
        key = (theme, org)
        if key not in term_cache:
            term_cache[key] = terms(title, description)
        words = term_cache[key]
        offer_rows.append((oid, org_ids[org], title, description, category, json.dumps(rng.sample(GROUPS, 2)),
                           json.dumps([c for c, _ in areas]), pricing, 0 if pricing == "free" else price,
                           rng.choice([None, 50, 100]), "published" if published else "draft",
                           created if published else None, " ".join(words), 1, created, created))
        region_rows += [("offer", oid, c, p) for c, p in areas]
        term_rows += [(w, "offer", oid) for w in words]
    prepared = time.perf_counter() - t0
    await conn.copy_records_to_table("offers", records=offer_rows, columns=[
        "id", "organization_id", "title", "description", "category", "target_groups", "region_codes", "pricing",
        "price_fen", "capacity_per_month", "status", "published_at", "search_text", "version", "created_at", "updated_at"])
    await conn.copy_records_to_table("listing_regions", records=region_rows,
                                     columns=["listing_type", "listing_id", "region_code", "region_path"])
    # Millions of term rows: COPY into the bare table, then build its two indexes once.
    await conn.execute("SET maintenance_work_mem = '256MB'")
    await conn.execute("ALTER TABLE listing_terms DROP CONSTRAINT pk_listing_terms; DROP INDEX ix_listing_terms_listing")
    await conn.copy_records_to_table("listing_terms", records=term_rows, columns=["term", "listing_type", "listing_id"])
    await conn.execute("ALTER TABLE listing_terms ADD CONSTRAINT pk_listing_terms PRIMARY KEY (term, listing_type, listing_id);"
                       " CREATE INDEX ix_listing_terms_listing ON listing_terms (listing_id)")
    await conn.execute("ANALYZE")
    await conn.close()
    loaded = time.perf_counter() - t0
    print(f"loaded {offers} offers, {len(region_rows)} region rows, {len(term_rows)} term rows in {loaded:.1f}s "
          f"(rows built and segmented in {prepared:.1f}s, COPY + ANALYZE {loaded - prepared:.1f}s)")
    queries = [(code, category) for code, _ in by_level["community"][:40] + by_level["grid"][:20]
               for category in CATEGORIES[:5]]
    rng.shuffle(queries)
    return {"db_url": db_url, "dsn": dsn, "name": name, "admin_dsn": admin_dsn, "queries": queries}


async def drop(admin_dsn: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_dsn)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


# -- the bare endpoint --------------------------------------------------------------------------------------

def bare_app(dsn: str) -> Any:
    """A minimal ASGI app: asyncpg pool, the region lookup and the list query, json.dumps."""
    from urllib.parse import parse_qs

    import asyncpg

    state: dict[str, Any] = {}

    def row_json(r: Any) -> dict[str, Any]:
        d = dict(r)
        for k in ("id", "organization_id"):
            d[k] = str(d[k])
        for k in ("published_at", "created_at", "updated_at"):
            d[k] = d[k].isoformat() if d[k] is not None else None
        d["target_groups"], d["region_codes"] = json.loads(d["target_groups"]), json.loads(d["region_codes"])
        return d

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    state["pool"] = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await state["pool"].close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        params = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        async with state["pool"].acquire() as conn:
            path = await conn.fetchval("SELECT path FROM regions WHERE code = $1", params["region"])
            ancestors = [c for c in path.split("/") if c]
            rows = await conn.fetch(BARE_SQL, params["category"], ancestors, path + "%")
        items = [row_json(r) for r in rows[:20]]
        body = json.dumps({"items": items, "next_cursor": "more" if len(rows) > 20 else None},
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


def serve_bare(dsn: str, port: int) -> None:
    import uvicorn

    uvicorn.run(bare_app(dsn), host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- servers and clients ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, data: dict[str, Any], port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EXCHANGE_DATABASE_URL": data["db_url"], "EXCHANGE_ENV": "dev",
           "EXCHANGE_TICK_INTERVAL_SECONDS": "0", "EXCHANGE_MATCHING_WARMUP": "false", "EXCHANGE_DB_POOL_SIZE": "10",
           "PYTHONPATH": str(ROOT / "src")}
    if kind == "ours":
        cmd = [sys.executable, "-m", "uvicorn", "exchange.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--no-access-log"]
    else:
        cmd = [sys.executable, __file__, "--serve-bare", data["dsn"], "--port", str(port)]
    return subprocess.Popen(cmd, env=env, cwd=ROOT)


async def wait_up(url: str, limit: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + limit
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up")


async def hammer(base: str, queries: list[tuple[str, str]], concurrency: int, seconds: float,
                 max_requests: int) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    counter = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        for region, category in queries[:20]:  # warm up both caches and pools
            await client.get(base, params={"region": region, "category": category, "limit": 20})
        end = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal errors, counter
            while time.monotonic() < end and counter < max_requests:
                region, category = queries[counter % len(queries)]
                counter += 1
                t = time.perf_counter()
                r = await client.get(base, params={"region": region, "category": category, "limit": 20})
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200 or len(r.json()["items"]) == 0:
                    if errors == 0:
                        print(f"first failed answer: {r.status_code} {r.text[:300]}")
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        elapsed = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed,
            "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000}


async def run_one(kind: str, data: dict[str, Any], args: argparse.Namespace) -> dict[str, float]:
    port = free_port()
    proc = start(kind, data, port)
    path = "/api/v1/offers" if kind == "ours" else "/offers"
    try:
        region, category = data["queries"][0]
        await wait_up(f"http://127.0.0.1:{port}{path}?region={region}&category={category}")
        return await hammer(f"http://127.0.0.1:{port}{path}", data["queries"], args.concurrency, args.seconds,
                            args.max_requests)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def main(args: argparse.Namespace) -> None:
    url = args.url or os.environ.get("EXCHANGE_TEST_DATABASE_URL")
    if not url:
        sys.exit("give a PostgreSQL URL or run under scripts/with-postgres.sh")
    data = await load(url, args.offers)
    try:
        results = {}
        for kind in ("bare", "ours"):
            results[kind] = await run_one(kind, data, args)
    finally:
        await drop(data["admin_dsn"], data["name"])
    print(f"\nGET 20 published offers by region + category; {args.offers} offers; {args.concurrency} concurrent clients, "
          f"{args.seconds:.0f}s each; one uvicorn worker each; {os.cpu_count()} CPUs shared with PostgreSQL and the clients")
    print(f"{'':6} {'requests':>9} {'errors':>7} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, r in results.items():
        print(f"{kind:6} {r['requests']:>9.0f} {r['errors']:>7.0f} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f}")
    print(f"ratio ours/bare (req/s): {results['ours']['rps'] / results['bare']['rps']:.0%}")
    print("rerun: scripts/with-postgres.sh .venv/bin/python bench/list_offers.py "
          f"--offers {args.offers} --concurrency {args.concurrency} --seconds {args.seconds:g}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="postgresql+asyncpg://… of a server (default: EXCHANGE_TEST_DATABASE_URL)")
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--serve-bare", metavar="DSN")
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    if arguments.serve_bare:
        serve_bare(arguments.serve_bare, arguments.port)
    else:
        asyncio.run(main(arguments))
