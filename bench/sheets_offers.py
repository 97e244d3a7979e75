"""Benchmark: import N offers from an .xlsx through POST /imports (a real, all-or-nothing run), then export them
with GET /exports/offers (xlsx and CSV). Each phase runs in its own process so that its peak memory (max RSS) is
its own. Prints wall time, rows per second and peak RSS per phase, and the command to rerun.

    .venv/bin/python bench/sheets_offers.py [--rows 100000]                      # embedded SQLite
    scripts/with-postgres.sh .venv/bin/python bench/sheets_offers.py --rows 100000  # PostgreSQL

The database is kept (its URL is printed): ``--url URL`` then runs the two exports alone against it, with a fresh
token for the bench's organization user, and ``--format`` picks one of them:

    .venv/bin/python bench/sheets_offers.py --url sqlite+aiosqlite:////tmp/bench-sheets-…/bench.db [--format csv]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLES = ["居家养老助餐服务", "社区儿童课后托管", "残疾人康复训练", "法律咨询与调解", "垃圾分类宣传", "老年人智能手机培训",
          "心理健康讲座", "困难家庭入户探访", "青少年暑期夏令营", "社区志愿者培训", "独居老人陪同就医", "骑手驿站关爱服务"]
CATEGORIES = ["养老服务", "儿童青少年", "助残服务", "法律与调解", "环境保护", "健康服务", "困难帮扶", "志愿服务"]
GROUPS = ["老年人", "儿童", "残疾人", "妇女", "困难家庭", "全体居民", "快递外卖骑手等新就业群体"]
REGIONS = ["510107003001", "510107003002", "510107004001", "玉林街道", "510107"]
PRICING = ["免费", "低偿", "市场价"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_file(path: str, rows: int) -> None:
    import xlsxwriter

    rng = random.Random(14)
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = book.add_worksheet("服务供给")
    ws.write_row(0, 0, ["外部编号", "服务名称", "服务内容", "服务类别", "服务对象", "服务区域", "收费方式", "价格（元）",
                        "每月服务能力（人次）", "状态"])
    for i in range(1, rows + 1):
        pricing = rng.choice(PRICING)
        price = 0 if pricing == "免费" else rng.randint(1, 50000) / 100
        title = f"{rng.choice(TITLES)}（第{i}号）"
        ws.write_row(i, 0, [f"B-{i:06d}", title, f"{title}：为辖区居民提供专业服务，每周两次上门。", rng.choice(CATEGORIES),
                            "、".join(rng.sample(GROUPS, 2)), rng.choice(REGIONS), pricing, price, rng.randint(10, 500),
                            "已发布"])
    book.close()


async def _world(url: str) -> dict[str, str]:
    from exchange import db
    from exchange.accounts.flows import create_user
    from exchange.accounts.models import Role
    from exchange.config import Settings
    from exchange.kit.clock import now
    from exchange.kit.security import encode_token
    from exchange.organizations import credit_code
    from exchange.organizations import service as orgs
    from exchange.regions.models import Level
    from exchange.regions.service import create_region

    settings = Settings(database_url=url)
    engine = db.create_engine(url)
    factory = db.create_session_factory(engine)
    async with db.unit_of_work(factory) as session:
        for code, name, level, parent in [("510107", "武侯区", Level.district, None),
                                          ("510107003000", "玉林街道", Level.subdistrict, "510107"),
                                          ("510107004000", "簇桥街道", Level.subdistrict, "510107"),
                                          ("510107003001", "玉林东路社区", Level.community, "510107003000"),
                                          ("510107003002", "玉林北路社区", Level.community, "510107003000"),
                                          ("510107004001", "锦城社区", Level.community, "510107004000")]:
            await create_region(session, actor_id=None, code=code, name=name, level=level, parent_code=parent)
        org = await orgs.create(session, actor_id=None, data={
            "name": "成都市武侯区乐龄养老服务中心", "kind": "social_org", "legal_form": "social_service_agency",
            "registration": "registered", "credit_code": credit_code.complete("52510107MJ0000014"), "contact": {}})
        user = await create_user(session, actor_id=None, username="bench_org", password="bench-password-1",
                                 role=Role.org, organization_id=org.id)
    await engine.dispose()
    token = encode_token(user.id, user.role, settings.secret_key, settings.token_ttl_seconds, now())
    return {"Authorization": f"Bearer {token}"}


def _app(url: str):  # noqa: ANN202
    from exchange.app import create_app
    from exchange.config import Settings

    return create_app(Settings(database_url=url, serve_runs_jobs=False, matching_warmup=False,
                               import_max_bytes=64 * 1024 * 1024, import_max_rows=200_000))


async def import_phase(url: str, path: str) -> dict[str, object]:
    import httpx

    from exchange.jobs.runner import Runner
    from exchange.scheduled import JOBS

    headers = await _world(url)
    app = _app(url)
    content = await asyncio.to_thread(Path(path).read_bytes)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b/api/v1",
                                     timeout=None) as client:
            started = time.perf_counter()
            response = await client.post("/imports", headers=headers, data={"kind": "offers", "dry_run": "false"},
                                         files={"file": ("offers.xlsx", content)})
            await Runner(app.state.session_factory, JOBS).run_once()  # the import job, as `exchange worker` runs it
            result = (await client.get(f"/imports/{response.json()['id']}", headers=headers)).json()
            seconds = time.perf_counter() - started
    assert result["status"] == "succeeded", result["errors"][:5]
    return {"phase": "import xlsx", "rows": result["created"], "seconds": round(seconds, 2),
            "rows_per_s": round(result["created"] / seconds), "peak_rss_mb": round(peak_rss_mb()),
            "headers": headers["Authorization"], "file_mb": round(len(content) / 2**20, 1)}


async def _token(url: str) -> str:
    """A fresh token for the bench's organization user of an existing database."""
    from exchange import db
    from exchange.accounts.repository import UserRepository
    from exchange.config import Settings
    from exchange.kit.clock import now
    from exchange.kit.security import encode_token

    settings = Settings(database_url=url)
    engine = db.create_engine(url)
    async with db.read_only(db.create_session_factory(engine)) as session:
        user = await UserRepository(session).by_username("bench_org")
    await engine.dispose()
    assert user is not None, "no bench_org user in this database"
    token = encode_token(user.id, user.role, settings.secret_key, settings.token_ttl_seconds, now(), user.token_version)
    return f"Bearer {token}"


async def export_phase(url: str, fmt: str, auth: str | None) -> dict[str, object]:
    import httpx

    auth = auth or await _token(url)
    app = _app(url)
    size, lines = 0, 0
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b/api/v1",
                                     timeout=None) as client:
            started = time.perf_counter()
            async with client.stream("GET", f"/exports/offers?format={fmt}", headers={"Authorization": auth}) as r:
                assert r.status_code == 200, await r.aread()
                async for chunk in r.aiter_bytes():
                    size += len(chunk)
                    lines += chunk.count(b"\n")
            seconds = time.perf_counter() - started
    return {"phase": f"export {fmt}", "seconds": round(seconds, 2), "mb": round(size / 2**20, 1),
            "peak_rss_mb": round(peak_rss_mb())}


def child(args: list[str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    if out.returncode != 0:
        sys.exit(f"phase {args[1]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--phase", default=None)
    parser.add_argument("--url", default=None)
    parser.add_argument("--file", default=None)
    parser.add_argument("--auth", default=None)
    parser.add_argument("--format", default=None, help="export phase: xlsx (default) or csv; with --url alone: one")
    args = parser.parse_args()
    if args.phase == "make":
        make_file(args.file, args.rows)
        print(json.dumps({"phase": "make", "peak_rss_mb": round(peak_rss_mb())}))
        return
    if args.phase == "import":
        print(json.dumps(asyncio.run(import_phase(args.url, args.file))))
        return
    if args.phase == "export":
        print(json.dumps(asyncio.run(export_phase(args.url, args.format or "xlsx", args.auth))))
        return
    if args.url:  # the exports alone, against a database an earlier run kept
        for fmt in [args.format] if args.format else ["xlsx", "csv"]:
            r = child(["--phase", "export", "--url", args.url, "--format", fmt])
            print("  " + "  ".join(f"{k}={v}" for k, v in r.items()))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-sheets-"))
    pg = os.environ.get("EXCHANGE_TEST_DATABASE_URL")
    from exchange.migrate import upgrade

    if pg:
        import asyncpg
        from sqlalchemy.engine import make_url

        name = f"bench_sheets_{os.getpid()}"

        async def create() -> None:
            conn = await asyncpg.connect(make_url(pg).set(drivername="postgresql").render_as_string(hide_password=False))
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        asyncio.run(create())
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    file = str(tmp / "offers.xlsx")
    child(["--phase", "make", "--file", file, "--rows", str(args.rows)])
    results = [child(["--phase", "import", "--url", url, "--file", file])]
    auth = str(results[0].pop("headers"))
    results.append(child(["--phase", "export", "--url", url, "--auth", auth, "--format", "xlsx"]))
    results.append(child(["--phase", "export", "--url", url, "--auth", auth, "--format", "csv"]))
    print(f"database: {'PostgreSQL' if pg else 'SQLite'}; offers: {args.rows:,}; cores: {os.cpu_count()}")
    for r in results:
        print("  " + "  ".join(f"{k}={v}" for k, v in r.items()))
    print(f"rerun: {'scripts/with-postgres.sh ' if pg else ''}.venv/bin/python bench/sheets_offers.py --rows {args.rows}")
    # (a throwaway PostgreSQL from scripts/with-postgres.sh is gone when the command ends; the SQLite file stays)
    print(f"exports alone: .venv/bin/python bench/sheets_offers.py --url {url}")


if __name__ == "__main__":
    main()
