"""Where document bytes live: one small interface, two backends.

Objects are keyed by their SHA-256 (``sha256/ab/cd/abcd…``), never by a user's file name, so the same
bytes are stored once and a key says what it holds. An upload is spooled to a local file while it
is hashed and checked; only a file that passed every check is stored, as the request's last step
before it commits. A commit that fails after that leaves an unreferenced object, which
:func:`exchange.documents.sweep.sweep` removes once it is older than the grace period.

- :class:`DirectoryStore` (``file:///path``, the embedded default ``./data/documents``): files in a
  directory tree, written by an atomic rename.
- :class:`ObjectStore` (``s3://bucket/prefix``): any S3-compatible object store through ``obstore``
  (a maintained Rust client with native asyncio: streaming multipart puts, ranged streaming gets).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import anyio

from exchange.config import Settings

CHUNK = 256 * 1024
PREFIX = "sha256/"


def key_for(sha256: str) -> str:
    return f"{PREFIX}{sha256[:2]}/{sha256[2:4]}/{sha256}"


class DocumentStore(Protocol):
    """What the documents domain needs of a place to keep bytes."""

    incoming: Path  # a local directory for uploads in flight (spooled, hashed, checked)

    async def put_file(self, key: str, path: Path) -> bool:
        """Store the file at ``key`` unless an object is there already (same key, same bytes); True when written."""

    async def exists(self, key: str) -> bool: ...

    def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """The bytes ``[start, end)`` of the object, in chunks of at most a few hundred KiB."""

    async def delete(self, key: str) -> None: ...

    def objects(self) -> AsyncIterator[tuple[str, dt.datetime]]:
        """Every stored object's key and last-modified time."""


class DirectoryStore:
    """Objects as files under ``root``; uploads in flight under ``root/.incoming``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming = root / ".incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / key

    async def put_file(self, key: str, path: Path) -> bool:
        return await asyncio.to_thread(self._put, key, path)

    def _put(self, key: str, path: Path) -> bool:
        final = self._path(key)
        if final.exists():
            os.utime(final)  # a fresh mtime keeps the sweep away while the request commits
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(f".{final.name}.{uuid.uuid4().hex}")
        try:
            try:
                os.link(path, partial)  # same file system: no copy
            except OSError:
                shutil.copyfile(path, partial)
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        return True

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).exists)

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self._path(key), "rb") as f:
            await f.seek(start)
            left = end - start
            while left > 0:
                chunk = await f.read(min(CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def objects(self) -> AsyncIterator[tuple[str, dt.datetime]]:
        base = self.root / PREFIX
        paths = await asyncio.to_thread(lambda: [p for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")])
        for p in paths:
            with contextlib.suppress(FileNotFoundError):
                mtime = dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC)
                yield p.relative_to(self.root).as_posix(), mtime


class ObjectStore:
    """An S3-compatible bucket (optionally under a prefix) through obstore."""

    def __init__(self, bucket: str, prefix: str, settings: Settings) -> None:
        from obstore.store import S3Store

        config: dict[str, object] = {}
        if settings.s3_endpoint_url:
            config["endpoint"] = settings.s3_endpoint_url
            config["virtual_hosted_style_request"] = False
        if settings.s3_region:
            config["region"] = settings.s3_region
        if settings.s3_access_key_id:
            config["access_key_id"] = settings.s3_access_key_id
        if settings.s3_secret_access_key:
            config["secret_access_key"] = settings.s3_secret_access_key
        allow_http = bool(settings.s3_endpoint_url and settings.s3_endpoint_url.startswith("http://"))
        self.store = S3Store(bucket, prefix=prefix or None, client_options={"allow_http": allow_http},
                             **config)  # type: ignore[arg-type]
        self.incoming = Path(tempfile.gettempdir()) / "exchange-uploads"
        self.incoming.mkdir(parents=True, exist_ok=True)

    async def put_file(self, key: str, path: Path) -> bool:
        import obstore

        if await self.exists(key):
            return False
        await obstore.put_async(self.store, key, path, chunk_size=5 * 1024 * 1024, max_concurrency=4)
        return True

    async def exists(self, key: str) -> bool:
        import obstore

        try:
            await obstore.head_async(self.store, key)
        except FileNotFoundError:
            return False
        return True

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        import obstore

        if end <= start:
            return
        result = await obstore.get_async(self.store, key, options={"range": (start, end)})
        async for chunk in result.stream(min_chunk_size=CHUNK):
            yield bytes(chunk)

    async def delete(self, key: str) -> None:
        import obstore

        with contextlib.suppress(FileNotFoundError):
            await obstore.delete_async(self.store, key)

    async def objects(self) -> AsyncIterator[tuple[str, dt.datetime]]:
        import obstore

        async for batch in obstore.list(self.store, prefix=PREFIX):
            for meta in batch:
                yield meta["path"], meta["last_modified"]


def open_store(settings: Settings) -> DocumentStore:
    """The store ``EXCHANGE_STORAGE_URL`` names: ``file:///path`` (or a bare path) or ``s3://bucket/prefix``."""
    url = settings.storage_url
    if url.startswith("s3://"):
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        return ObjectStore(bucket, prefix.strip("/"), settings)
    path = url.removeprefix("file://")
    return DirectoryStore(Path(path or "./data/documents").resolve())
