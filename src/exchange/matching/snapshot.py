"""One shared snapshot of the offers index per host and database.

The first server process that needs the offers index takes a file lock and, unless a current
snapshot is already there, builds one in a child process (``python -m exchange.matching.snapshot``),
so the builder's transient memory goes away with it; every process then memory-maps the snapshot
(``FrozenStore``) and keeps only the offers changed since in memory. When those grow past a share
of the snapshot, the process that notices builds a new one; the others move to it on their next
catch-up. Snapshots are made from the analyses stored with each listing, not by analysing again.

Layout: ``<root>/<database key>/current`` names the snapshot directory in use; ``lock`` serialises
builders; ``snap-*`` are snapshots (older ones are deleted once another is current: processes that
still map them keep their pages until they move on).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

from exchange.chinese.analysis import ANALYSIS_VERSION
from exchange.matching.frozen import FORMAT, FrozenStore

__all__ = ["SnapshotDir", "build_snapshot"]


class SnapshotDir:
    """The snapshots of one database under ``root``."""

    def __init__(self, root: str | Path, database_url: str) -> None:
        key = hashlib.sha256(database_url.encode()).hexdigest()[:16]
        self.path = Path(root) / key
        self.database_url = database_url

    def current_name(self) -> str | None:
        """The name of the snapshot in use (cheap: one small file read)."""
        try:
            return (self.path / "current").read_text().strip()
        except OSError:
            return None

    def current(self) -> Path | None:
        """The snapshot in use, if there is one of this format and analysis version."""
        name = self.current_name()
        if name is None:
            return None
        snap = self.path / name
        try:
            store = FrozenStore(snap)
        except (OSError, ValueError):
            return None
        return snap if store.manifest.get("analysis_version") == ANALYSIS_VERSION else None

    async def ensure(self, *, rebuild_from: Path | None = None) -> Path:
        """The current snapshot, built first when there is none (or when ``rebuild_from`` is still
        current: the caller found it too old). Waits while another process builds."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = await asyncio.to_thread(self._lock)
        try:
            snap = self.current()
            if snap is not None and snap != rebuild_from:
                return snap
            name = f"snap-{time.time_ns()}-{os.getpid()}"
            await self._build_in_child(self.path / name)
            tmp = self.path / "current.tmp"
            tmp.write_text(name)
            os.replace(tmp, self.path / "current")
            for old in self.path.glob("snap-*"):
                if old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
            return self.path / name
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()

    def _lock(self):  # noqa: ANN202 - an open file object
        fh = open(self.path / "lock", "w")  # noqa: SIM115 - held across the build
        fcntl.flock(fh, fcntl.LOCK_EX)
        return fh

    async def _build_in_child(self, directory: Path) -> None:
        env = {**os.environ, "EXCHANGE_DATABASE_URL": self.database_url}
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "exchange.matching.snapshot", str(directory),
                                                    env=env)
        if await proc.wait() != 0 or not (directory / "manifest.json").exists():
            raise RuntimeError(f"building the matching snapshot failed (exit {proc.returncode})")


async def build_snapshot(database_url: str, directory: Path) -> Path:
    """Index every published offer from its stored analysis and write the snapshot."""
    from exchange.db import create_engine, create_session_factory
    from exchange.kit.clock import now
    from exchange.kit.memory import gc_paused
    from exchange.matching.engine import MatchIndex
    from exchange.matching.repository import MatchingRepository
    from exchange.matching.runtime import LOOKBACK, offer_listing, org_facts, region_tree

    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            mark = now() - LOOKBACK
            repo = MatchingRepository(session)
            regions = region_tree(await repo.regions())
            orgs = {r.id: org_facts(r) for r in await repo.organizations()}
            index = MatchIndex(regions, kinds=("offer",))
            with gc_paused():
                async for rows in repo.published_offer_batches():
                    index.upsert_many(offer_listing(r, orgs) for r in rows)
            return index.freeze_offers(directory, {"analysis_version": ANALYSIS_VERSION, "watermark": mark.isoformat(),
                                                   "format": FORMAT})
    finally:
        await engine.dispose()


def snapshot_watermark(store: FrozenStore) -> dt.datetime:
    return dt.datetime.fromisoformat(store.manifest["watermark"])


if __name__ == "__main__":  # the child process of SnapshotDir.ensure
    started = time.perf_counter()
    target = Path(sys.argv[1])
    asyncio.run(build_snapshot(os.environ["EXCHANGE_DATABASE_URL"], target))
    print(f"matching snapshot {target.name}: built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
