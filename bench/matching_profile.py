"""Where the CPU of one HTTP match goes: the app in this process (httpx.ASGITransport, no sockets),
on PostgreSQL with N synthetic offers (bench/matching_http.py's loader).

Times `POST /matches/search` and `GET /needs/{id}/matches` one at a time, then the same queries
through the engine alone (``MatchIndex.search``), and prints the CPU per match of each and their
ratio — what the issue's "an HTTP match costs at most twice its ranking" compares. With
``--profile`` it prints cProfile's top functions (cumulative) over the HTTP matches. No uvicorn and
no client sockets here: bench/matching_workers.py measures those.

    scripts/with-postgres.sh .venv/bin/python bench/matching_profile.py [--offers 20000] [--requests 400] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from matching_engine import Generator, build_regions  # noqa: E402
from matching_http import WriteTimeAnalysis, load  # noqa: E402

from exchange.app import create_app  # noqa: E402
from exchange.config import Settings  # noqa: E402
from exchange.matching.engine import Query  # noqa: E402
from exchange.migrate import upgrade  # noqa: E402

COMMAND = "scripts/with-postgres.sh .venv/bin/python bench/matching_profile.py --offers {offers} --requests {requests}"


async def timed(client: httpx.AsyncClient, requests: list[tuple[str, str, dict | None]]) -> float:
    """CPU milliseconds per request (this process does the client's and the server's work)."""
    c0 = time.process_time()
    for method, path, body in requests:
        r = await client.request(method, path, json=body)
        assert r.status_code == 200, r.text
    return (time.process_time() - c0) * 1000 / len(requests)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--server-url", default=os.environ.get("EXCHANGE_TEST_DATABASE_URL"))
    args = parser.parse_args()
    if not args.server_url:
        sys.exit("needs PostgreSQL: run through scripts/with-postgres.sh or pass --server-url")
    print("rerun:", COMMAND.format(**vars(args)) + (" --profile" if args.profile else ""))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    server = make_url(args.server_url)
    name = f"bench_profile_{os.getpid()}"
    admin = await asyncpg.connect(server.set(drivername="postgresql").render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    dsn = server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        need_ids, communities = await load(dsn, args.offers, args.seed, WriteTimeAnalysis())
        settings = Settings(env="dev", database_url=url, tick_interval_seconds=0, matching_warmup=False,
                            search_rate_per_minute=100_000_000, matching_snapshot_dir="")  # type: ignore[arg-type]
        app = create_app(settings)
        gen, rng = Generator(args.seed + 1, build_regions()), random.Random(args.seed)
        searches, queries = [], []
        for _ in range(args.requests):
            q, _ = gen.query()
            region = q.region_code or rng.choice(communities)
            searches.append(("POST", "/matches/search", {"text": q.text, "region_code": region}))
            queries.append(Query(text=q.text, region_code=region))
        need_requests = [("GET", f"/needs/{rng.choice(need_ids)}/matches", None) for _ in range(args.requests)]
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as client:
                await timed(client, searches[:30] + need_requests[:30])  # builds the index, warms the paths
                search_ms = await timed(client, searches)
                need_ms = await timed(client, need_requests)
                offers = app.state.matching.offers
                c0 = time.process_time()
                for q in queries:
                    offers.search(q, limit=10)
                rank_ms = (time.process_time() - c0) * 1000 / len(queries)
                print(f"{len(offers)} offers; CPU per request, client and server in one process:")
                print(f"  POST /matches/search {search_ms:.2f} ms, GET /needs/{{id}}/matches {need_ms:.2f} ms; "
                      f"ranking alone (engine.search, limit 10 as the page) {rank_ms:.2f} ms "
                      f"-> search/ranking {search_ms / rank_ms:.1f}x")
                if args.profile:
                    prof = cProfile.Profile()
                    prof.enable()
                    await timed(client, searches[:200] + need_requests[:200])
                    prof.disable()
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(60)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
