"""Benchmark: server time of the portal's list page at 100k offers on PostgreSQL.

Loads 100k offers into a fresh database (the same loader as ``bench/list_offers.py``: COPY of offers with
their region and term index rows, 300 organizations, a district of 611 regions), then renders
``GET /offers`` in-process through the whole application (routing, unit of work, the API's list function,
names and labels, Jinja2) one request at a time, so the time measured is the server's alone: no network,
no client. Each variant runs ``--requests`` times after a warm-up; it prints p50/p95/max in ms.

    scripts/with-postgres.sh .venv/bin/python bench/list_page.py             # a throwaway server
    .venv/bin/python bench/list_page.py postgresql+asyncpg://user@host:5432/postgres
Options: --offers N (100000) --requests R (200).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_MS = 50.0


RENDER: list[float] = []  # seconds spent in the template of each page request


def time_templates() -> None:
    """Wrap the page renderer so that each row also says how much of its time is the template's."""
    from exchange.web import lists, render

    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return render.render(*args, **kwargs)
        finally:
            RENDER.append(time.perf_counter() - t)

    lists.render = timed  # type: ignore[assignment]


async def measure(client: Any, path: str, requests: int, headers: dict[str, str] | None = None) -> dict[str, float]:
    for _ in range(10):  # warm-up: pools, caches, template compilation
        r = await client.get(path, headers=headers)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    RENDER.clear()
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        r = await client.get(path, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    times.sort()
    q = statistics.quantiles(times, n=100)
    return {"p50": q[49], "p95": q[94], "max": times[-1], "bytes": len(r.content),
            "cards": r.text.count('class="card"'), "render": statistics.median(RENDER) * 1000 if RENDER else 0.0}


async def main(args: argparse.Namespace) -> None:
    import httpx
    from list_offers import drop, load

    from exchange.app import create_app
    from exchange.config import Settings

    url = args.url or os.environ.get("EXCHANGE_TEST_DATABASE_URL")
    if not url:
        sys.exit("give a PostgreSQL URL or run under scripts/with-postgres.sh")
    time_templates()
    data = await load(url, args.offers)
    try:
        settings = Settings(env="dev", database_url=data["db_url"], tick_interval_seconds=0, matching_warmup=False)
        app = create_app(settings)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            region, category = data["queries"][0]
            first = await client.get("/api/v1/offers", params={"limit": 20})
            cursor = first.json()["next_cursor"]
            variants = {
                "/offers (newest 20)": ("/offers", None),
                "/offers?region=community&category=": (f"/offers?region={region}&category={category}", None),
                "/offers?q=养老": ("/offers?q=养老", None),
                "/offers?cursor= (page 2)": (f"/offers?cursor={cursor}", None),
                "/offers htmx fragment": (f"/offers?region={region}", {"HX-Request": "true", "HX-Request-Type": "partial"}),
                "/api/v1/offers (same list, JSON)": ("/api/v1/offers", None),
            }
            results = {name: await measure(client, path, args.requests, headers) for name, (path, headers) in variants.items()}
    finally:
        await drop(data["admin_dsn"], data["name"])
    print(f"\nportal list page, server time in-process (no network), {args.offers} offers on PostgreSQL, "
          f"{args.requests} sequential requests per row after 10 warm-up; {os.cpu_count()} CPUs shared")
    print(f"load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'template p50':>12} {'cards':>6} {'KiB':>6}")
    for name, r in results.items():
        print(f"{name:38} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['max']:>8.2f} {r['render']:>12.2f} {r['cards']:>6.0f} "
              f"{r['bytes'] / 1024:>6.1f}")
    worst = max(r["p95"] for name, r in results.items() if name.startswith("/offers"))
    print(f"target: p95 ≤ {TARGET_MS:.0f} ms for a list page — worst page p95 {worst:.2f} ms: "
          f"{'met' if worst <= TARGET_MS else 'NOT met'}")
    print(f"rerun: make bench-pages   (= scripts/with-postgres.sh .venv/bin/python bench/list_page.py "
          f"--offers {args.offers} --requests {args.requests})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="postgresql+asyncpg://… of a server (default: EXCHANGE_TEST_DATABASE_URL)")
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
