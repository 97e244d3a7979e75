"""Memory and throughput of several server processes sharing one matching snapshot, on PostgreSQL.

Loads N synthetic offers (bench/matching_http.py's loader, with the analyses stored at write time),
then starts ``uvicorn --workers W`` three ways — 1 worker with the shared snapshot, 4 workers with it,
and 4 workers each indexing in memory (``EXCHANGE_MATCHING_SNAPSHOT_DIR=""``) — waits until every
worker has built or opened its index, sends searches, and prints each worker's memory from
/proc/<pid>/smaps_rollup: RSS, PSS (shared pages divided among the processes that map them) and
private memory; the sum of PSS is what the workers cost the machine together. It also prints
matches per second with concurrent clients and the server CPU time per match (all workers' CPU
time over the requests served). The machine is shared: load average printed alongside.

    scripts/with-postgres.sh .venv/bin/python bench/matching_workers.py [--offers 100000] [--requests 1200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from matching_engine import Generator, build_regions  # noqa: E402
from matching_http import WriteTimeAnalysis, free_port, hammer, load, report  # noqa: E402

from exchange.migrate import upgrade  # noqa: E402

COMMAND = ("scripts/with-postgres.sh .venv/bin/python bench/matching_workers.py --offers {offers} "
           "--requests {requests} --concurrency {concurrency}")


def loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


def memory(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"], "private": fields["Private_Clean"] + fields["Private_Dirty"]}


def cpu_seconds(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


async def run_server(url: str, workers: int, snapshot_dir: str, searches: list, concurrency: int) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "EXCHANGE_DATABASE_URL": url, "EXCHANGE_ENV": "dev", "EXCHANGE_TICK_INTERVAL_SECONDS": "0",
           "EXCHANGE_SEARCH_RATE_PER_MINUTE": "100000000", "EXCHANGE_MATCHING_SNAPSHOT_DIR": snapshot_dir,
           "EXCHANGE_MATCHING_SHARED_MIN_OFFERS": "1000"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "exchange.app:create_app", "--factory", "--port",  # noqa: ASYNC220
                             str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            while True:
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
            # Every worker builds (or opens) its index at start-up: wait until none is busy any more.
            # One worker runs in uvicorn's own process (its only child may be the snapshot builder, which
            # exits); several are the supervisor's children.
            pids = [proc.pid] if workers == 1 else children(proc.pid)
            while len(pids) < workers:
                await asyncio.sleep(0.2)
                pids = children(proc.pid)
            last = [cpu_seconds(p) for p in pids]
            while True:
                await asyncio.sleep(3)
                now = [cpu_seconds(p) for p in pids]
                if all(b - a < 0.3 for a, b in zip(last, now, strict=True)):
                    break
                last = now
            ready = time.perf_counter() - started
            for body in searches[:50]:  # touch the index in whichever workers answer
                await client.post("/matches/search", json=body)
        cpu0 = sum(cpu_seconds(p) for p in pids)
        latencies, seconds, errors = await hammer(base, [("POST", "/matches/search", b) for b in searches], concurrency)
        cpu = sum(cpu_seconds(p) for p in pids) - cpu0
        mem = [memory(p) for p in pids]
        label = f"{workers} worker{'s' if workers > 1 else ''}, {'shared snapshot' if snapshot_dir else 'own index each'}"
        print(f"\n{label}: ready in {ready:.0f} s")
        for p, m in zip(pids, mem, strict=True):
            print(f"  worker {p}: RSS {m['rss']:7.0f} MB  PSS {m['pss']:7.0f} MB  private {m['private']:7.0f} MB")
        total = {k: sum(m[k] for m in mem) for k in ("rss", "pss", "private")}
        print(f"  all workers: PSS {total['pss']:.0f} MB, private {total['private']:.0f} MB (RSS sum {total['rss']:.0f} MB "
              f"counts shared pages once per worker)")
        report("  POST /matches/search", latencies, seconds, errors)
        print(f"  server CPU per match: {cpu / len(latencies) * 1000:.1f} ms ({cpu:.1f} s CPU over {len(latencies)} matches)")
        return total
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--server-url", default=os.environ.get("EXCHANGE_TEST_DATABASE_URL"))
    args = parser.parse_args()
    if not args.server_url:
        sys.exit("needs PostgreSQL: run through scripts/with-postgres.sh or pass --server-url")
    print("rerun:", COMMAND.format(**vars(args)))
    print(f"load average: {loadavg()} on {os.cpu_count()} CPUs")
    server = make_url(args.server_url)
    name = f"bench_workers_{os.getpid()}"
    admin = await asyncpg.connect(server.set(drivername="postgresql").render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    dsn = server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        started = time.perf_counter()
        await load(dsn, args.offers, args.seed, WriteTimeAnalysis())
        print(f"loaded {args.offers} offers in {time.perf_counter() - started:.0f} s")
        gen, rng = Generator(args.seed + 1, build_regions()), random.Random(args.seed)
        searches = []
        for _ in range(args.requests):
            q, _ = gen.query()
            searches.append({"text": q.text, "region_code": q.region_code or rng.choice(build_regions().communities)})
        with tempfile.TemporaryDirectory(prefix="exchange-matching-bench-") as snapshots:
            one = await run_server(url, 1, snapshots, searches, args.concurrency)
            four = await run_server(url, 4, snapshots, searches, args.concurrency)
            own = await run_server(url, 4, "", searches, args.concurrency)
        print(f"\n4 workers over 1, shared snapshot: +{four['pss'] - one['pss']:.0f} MB PSS "
              f"(+{four['private'] - one['private']:.0f} MB private); "
              f"4 workers each with its own index: +{own['pss'] - one['pss']:.0f} MB PSS")
        print(f"load average: {loadavg()}")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
