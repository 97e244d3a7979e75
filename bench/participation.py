"""Benchmark of the participation paths that do more than one row's work per request.

1. ``GET /needs/{id}/matches?include=skills``: neighbours' skills are ranked by a small index built per
   request from the skills that reach the need; timed against the same request without ``include``, for
   several numbers of reaching skills.
2. Sign-ups under contention: N residents sign up at once for an activity with N/2 places (the activity's
   row lock serializes them): wall time, sign-ups per second, and the check that exactly N/2 got a place.

It runs the application in-process over httpx against the database named by ``EXCHANGE_TEST_DATABASE_URL``
(a throwaway one with ``scripts/with-postgres.sh``), or a temporary SQLite file without it.

    scripts/with-postgres.sh .venv/bin/python bench/participation.py [--skills 50,200,500] [--requests 40] [--signups 200]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.builders import COMM_A1, GRID_A1, make_user, seed_regions  # noqa: E402
from tests.conftest import make_settings  # noqa: E402

from exchange.app import create_app  # noqa: E402
from exchange.kit.clock import now  # noqa: E402
from exchange.migrate import upgrade  # noqa: E402

COMMAND = ("scripts/with-postgres.sh .venv/bin/python bench/participation.py "
           "--skills {skills} --requests {requests} --signups {signups}")
SKILL_TEXTS = [("上门理发", "可为行动不便的老人上门理发"), ("代购买菜", "每天去菜市场，可以帮忙代买"),
               ("手机教学", "教老人用智能手机挂号和视频通话"), ("家电维修", "会修电饭煲、洗衣机等小家电"),
               ("陪诊服务", "可陪老人去医院看病取药"), ("儿童绘画", "辅导小朋友画画")]


async def _database() -> str:
    base = os.environ.get("EXCHANGE_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='bench-participation-')}/bench.db"
    else:
        name = f"bench_participation_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(make_url(base).set(drivername="postgresql").render_as_string(hide_password=False))
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, url)
    return url


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


async def _timed(client: httpx.AsyncClient, path: str, params: dict[str, str], headers: dict[str, str],
                 n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        r = await client.get(path, params=params, headers=headers)
        out.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, r.text
    return out


async def bench_skills(app, client: httpx.AsyncClient, counts: list[int], requests: int) -> None:  # noqa: ANN001
    asker = await make_user(app, "resident", region_code=GRID_A1)
    helpers = [await make_user(app, "resident", region_code=COMM_A1) for _ in range(20)]
    need = (await client.post("/needs", json={"title": "老人想理发", "description": "我妈妈腿脚不便，想请人上门理发"},
                              headers=asker.headers)).json()
    made = 0
    print(f"matches for one need, {requests} sequential requests each (ms)")
    print(f"{'reaching skills':>16} {'plain p50':>10} {'plain p95':>10} {'skills p50':>11} {'skills p95':>11}")
    for target in counts:
        while made < target:
            title, text = SKILL_TEXTS[made % len(SKILL_TEXTS)]
            r = await client.post("/skills", json={"title": f"{title}{made}", "description": text, "region_code": COMM_A1},
                                  headers=helpers[made % len(helpers)].headers)
            assert r.status_code == 201, r.text
            made += 1
        path, headers = f"/needs/{need['id']}/matches", asker.headers
        await _timed(client, path, {"include": "skills"}, headers, 3)  # warm
        plain = await _timed(client, path, {}, headers, requests)
        with_skills = await _timed(client, path, {"include": "skills"}, headers, requests)
        print(f"{target:>16} {_pct(plain, 50):>10.1f} {_pct(plain, 95):>10.1f} "
              f"{_pct(with_skills, 50):>11.1f} {_pct(with_skills, 95):>11.1f}")


async def bench_signups(app, n: int) -> None:  # noqa: ANN001
    organizer = await make_user(app, "manager")
    volunteers = [await make_user(app, "resident", region_code=COMM_A1) for _ in range(n)]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://b/api/v1") as client:
        start = (now() + dt.timedelta(days=1)).isoformat()
        end = (now() + dt.timedelta(days=1, hours=2)).isoformat()
        aid = (await client.post("/activities", headers=organizer.headers, json={
            "title": "周末志愿服务", "region_code": COMM_A1, "starts_at": start, "ends_at": end,
            "capacity": n // 2})).json()["id"]
    clients = [httpx.AsyncClient(transport=transport, base_url="http://b/api/v1") for _ in range(n)]
    started = time.perf_counter()
    try:
        results = await asyncio.gather(*[c.post(f"/activities/{aid}/signups", headers=v.headers)
                                         for c, v in zip(clients, volunteers, strict=True)])
    finally:
        for c in clients:
            await c.aclose()
    elapsed = time.perf_counter() - started
    codes = sorted(r.status_code for r in results)
    won, full = codes.count(201), codes.count(409)
    print(f"\n{n} concurrent sign-ups for {n // 2} places: {elapsed:.2f} s wall, {n / elapsed:.0f} requests/s; "
          f"{won} got a place, {full} answered 409 activity_full, other statuses: {n - won - full}")
    assert won == n // 2 and full == n - n // 2


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", default="50,200,500")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--signups", type=int, default=200)
    args = parser.parse_args()
    from argon2 import PasswordHasher

    from exchange.kit import security

    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # users are set up, not timed
    url = await _database()
    settings = make_settings(url, db_pool_size=20)
    app = create_app(settings)
    print(f"database: {make_url(url).get_backend_name()}; load average {os.getloadavg()[0]:.2f}")
    async with app.router.lifespan_context(app):
        await seed_regions(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b/api/v1") as client:
            await bench_skills(app, client, [int(c) for c in args.skills.split(",")], args.requests)
        await bench_signups(app, args.signups)
    print("\nrerun: " + COMMAND.format(skills=args.skills, requests=args.requests, signups=args.signups))


if __name__ == "__main__":
    asyncio.run(main())
