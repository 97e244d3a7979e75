"""Document upload and download throughput, and the server's memory while it streams.

Starts `exchange serve` (one worker) on a fresh SQLite database in a temporary directory, signs in an
organization user, then 8 concurrent clients each upload and download 20 MiB files (distinct bytes,
so nothing is deduplicated). Prints MiB/s, per-request p50/p95 and the server's resident memory
(baseline, peak, peak minus baseline) sampled every 20 ms from /proc. A server that held whole
files would grow by at least 8 × 20 MiB; one that streams stays near its baseline.

    .venv/bin/python bench/documents_throughput.py [--clients 8] [--files 3] [--mib 20] [--storage-url s3://…]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0, True

    async def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            await asyncio.sleep(0.02)


def make_file(path: Path, mib: int, seed: int) -> None:
    """A file that sniffs as PDF: the signature, then incompressible bytes."""
    with path.open("wb") as f:
        f.write(b"%PDF-1.7\n%" + str(seed).encode() + b"\n")
        for _ in range(mib):
            f.write(os.urandom(1024 * 1024))
        f.truncate(mib * 1024 * 1024)


async def setup(base: str, env: dict[str, str]) -> tuple[str, str]:
    admin_cmd = [str(BIN / "exchange"), "users", "create-admin", "--username", "benchadmin", "--password", "bench-admin-2026"]
    subprocess.run(admin_cmd, env=env, check=True, capture_output=True)  # noqa: ASYNC221
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        admin = (await c.post("/auth/token", data={"username": "benchadmin", "password": "bench-admin-2026"})).json()
        h = {"Authorization": f"Bearer {admin['access_token']}"}
        org = await c.post("/organizations", headers=h, json={
            "name": "基准测试社会工作服务中心", "kind": "social_org", "legal_form": "filed", "registration": "community_filed",
            "a_level": 0, "categories": [], "service_region_codes": []})
        org.raise_for_status()
        org_id = org.json()["id"]
        user = await c.post("/users", headers=h, json={"username": "benchorg", "password": "bench-org-2026", "role": "org",
                                                      "organization_id": org_id})
        user.raise_for_status()
        token = (await c.post("/auth/token", data={"username": "benchorg", "password": "bench-org-2026"})).json()
    return token["access_token"], org_id


async def upload_one(c: httpx.AsyncClient, path: str, file: Path, token: str) -> tuple[float, str]:
    start = time.perf_counter()
    with file.open("rb") as f:
        r = await c.post(path, files={"file": (file.name, f, "application/pdf")}, data={"document_type": "annual_report"},
                         headers={"Authorization": f"Bearer {token}"})
    r.raise_for_status()
    return time.perf_counter() - start, r.json()["id"]


async def download_one(c: httpx.AsyncClient, doc_id: str) -> tuple[float, int]:
    start, size = time.perf_counter(), 0
    async with c.stream("GET", f"/documents/{doc_id}/content") as r:
        r.raise_for_status()
        async for chunk in r.aiter_raw():
            size += len(chunk)
    return time.perf_counter() - start, size


def report(name: str, times: list[float], total_bytes: int, wall: float) -> None:
    p = statistics.quantiles(times, n=20) if len(times) >= 2 else [times[0]] * 19
    print(f"{name:<9} {len(times):>3} files  {total_bytes / 2**20:>7.0f} MiB in {wall:6.2f} s  "
          f"{total_bytes / 2**20 / wall:7.1f} MiB/s   per file p50 {statistics.median(times):5.2f} s  p95 {p[18]:5.2f} s")


async def main(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="exchange-bench-docs-"))
    port = free_port()
    env = {**os.environ, "EXCHANGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bench.db'}",
           "EXCHANGE_STORAGE_URL": args.storage_url or f"file://{tmp / 'documents'}", "EXCHANGE_TICK_INTERVAL_SECONDS": "0",
           "EXCHANGE_MATCHING_WARMUP": "false", "EXCHANGE_MAX_UPLOAD_BYTES": str((args.mib + 1) * 2**20)}
    subprocess.run([str(BIN / "exchange"), "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: ASYNC221
    serve = [str(BIN / "exchange"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: ASYNC220
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as c:
            for _ in range(200):
                try:
                    if (await c.get("/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        token, org_id = await setup(base, env)
        files = []
        for i in range(args.clients * args.files):
            f = tmp / f"年度报告{i}.pdf"
            make_file(f, args.mib, i)
            files.append(f)
        path = f"/organizations/{org_id}/documents"
        limits = httpx.Limits(max_connections=args.clients)
        async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as c:
            await upload_one(c, path, files[0], token)  # warm-up (imports, first connection)
            baseline = rss_kib(server.pid)
            sampler = Sampler(server.pid)
            sampling = asyncio.create_task(sampler.run())

            async def uploader(k: int) -> list[tuple[float, str]]:
                return [await upload_one(c, path, files[k * args.files + j], token) for j in range(args.files)]

            start = time.perf_counter()
            uploaded = [r for rs in await asyncio.gather(*(uploader(k) for k in range(args.clients))) for r in rs]
            up_wall = time.perf_counter() - start
            up_peak = sampler.peak

            async def downloader(k: int) -> list[tuple[float, int]]:
                return [await download_one(c, uploaded[k * args.files + j][1]) for j in range(args.files)]

            sampler.peak = 0
            start = time.perf_counter()
            downloaded = [r for rs in await asyncio.gather(*(downloader(k) for k in range(args.clients))) for r in rs]
            down_wall = time.perf_counter() - start
            sampler.running = False
            await sampling
        size = args.mib * 2**20
        print(f"documents: {args.clients} concurrent clients x {args.files} files of {args.mib} MiB, one server worker, "
              f"store {env['EXCHANGE_STORAGE_URL'].split(':')[0]}")
        report("upload", [t for t, _ in uploaded], size * len(uploaded), up_wall)
        report("download", [t for t, _ in downloaded], sum(n for _, n in downloaded), down_wall)
        assert all(n == size for _, n in downloaded)
        print(f"server RSS: baseline {baseline / 1024:.0f} MiB; peak during uploads {up_peak / 1024:.0f} MiB "
              f"(+{(up_peak - baseline) / 1024:.0f}); during downloads {sampler.peak / 1024:.0f} MiB "
              f"(+{(sampler.peak - baseline) / 1024:.0f}); {args.clients} files in flight = {args.clients * args.mib} MiB")
        print(f"rerun: .venv/bin/python bench/documents_throughput.py --clients {args.clients} --files {args.files} "
              f"--mib {args.mib}")
    finally:
        server.terminate()
        server.wait(30)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--files", type=int, default=3, help="files per client")
    parser.add_argument("--mib", type=int, default=20)
    parser.add_argument("--storage-url", default=None, help="default: a temporary directory")
    asyncio.run(main(parser.parse_args()))
