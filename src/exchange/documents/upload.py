"""Receiving an upload: the multipart body is parsed as it arrives (``python-multipart``'s push
parser), the file part is hashed and spooled to a local file in bounded chunks, and the request
stops with 413 as soon as the file exceeds the limit — no upload is ever held in memory whole."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from exchange.errors import ExchangeError, invalid
from exchange.kit.asgi import UPLOAD_OVERHEAD

FLUSH_BYTES = 1024 * 1024  # spool to disk in writes of about this size
FIELD_LIMIT = 16 * 1024  # a text field (document_type, title, replaces) is small
MAX_PARTS = 8
HEAD_BYTES = 8192


def too_large(limit: int) -> ExchangeError:
    return ExchangeError("payload_too_large", 413, f"文件超过 {limit} 字节的上限", f"The file is larger than {limit} bytes")


def not_multipart() -> ExchangeError:
    return ExchangeError("unsupported_media_type", 415, "上传须为 multipart/form-data", "An upload must be multipart/form-data")


@dataclass
class Received:
    """The spooled file and the form's text fields."""

    path: Path | None = None
    filename: str | None = None
    size: int = 0
    sha256: str = ""
    head: bytes = b""
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def _filename(disposition: bytes, options: dict[bytes, bytes]) -> str | None:
    starred = re.search(rb"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;\s]+)", disposition)
    if starred:
        return unquote(starred.group(1).decode("ascii", "replace"), encoding="utf-8", errors="replace")
    raw = options.get(b"filename")
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Spool:
    """The file part: hashed and written to ``path`` in the background, a megabyte at a time."""

    def __init__(self, path: Path) -> None:
        self.path, self.hash, self.size, self.head = path, hashlib.sha256(), 0, bytearray()
        self.buffer: list[bytes] = []
        self.buffered = 0
        self.file: IO[bytes] = open(path, "wb")  # noqa: SIM115 (closed in finish/abort)

    def feed(self, data: bytes) -> None:
        self.size += len(data)
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.buffer.append(data)
        self.buffered += len(data)

    def _write(self, data: bytes) -> None:
        self.hash.update(data)
        self.file.write(data)

    async def flush(self, force: bool = False) -> None:
        if self.buffered and (force or self.buffered >= FLUSH_BYTES):
            data, self.buffer, self.buffered = b"".join(self.buffer), [], 0
            await asyncio.to_thread(self._write, data)

    async def finish(self) -> None:
        await self.flush(force=True)
        self.file.close()

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        self.path.unlink(missing_ok=True)


async def receive(request: Request, incoming: Path, limit: int) -> Received:
    """Parse the multipart body of ``request``: one file part ``file`` (at most ``limit`` bytes,
    else 413) and small text fields. On any error nothing is left in ``incoming``."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise not_multipart()
    out = Received()
    state: dict[str, Any] = {"headers": {}, "field": b"", "value": b"", "name": None, "spool": None, "text": None,
                             "parts": 0, "error": None}
    spool: _Spool | None = None

    def on_part_begin() -> None:
        state["headers"], state["name"], state["text"] = {}, None, None
        state["parts"] += 1

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        nonlocal spool
        disposition = state["headers"].get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        filename = _filename(disposition, options)
        if filename is not None or name == "file":
            if name != "file" or spool is not None:
                state["error"] = invalid(["body", name or "file"], "只能上传一个文件，字段名为 file",
                                         "Upload exactly one file, in the field 'file'", code="one_file_only")
                return
            out.filename = filename
            spool = _Spool(incoming / f"{uuid.uuid4().hex}.part")
            out.path = spool.path
        else:
            state["text"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["error"] is not None:
            return
        if state["text"] is not None:
            state["text"] += data[start:end]
            if len(state["text"]) > FIELD_LIMIT:
                state["error"] = invalid(["body", state["name"]], "字段过长", "The field is too long", code="field_too_long")
        elif spool is not None and state["name"] == "file":
            spool.feed(data[start:end])
            if spool.size > limit:
                state["error"] = too_large(limit)

    def on_part_end() -> None:
        if state["text"] is not None and state["error"] is None:
            try:
                out.fields[state["name"]] = bytes(state["text"]).decode("utf-8")
            except UnicodeDecodeError:
                state["error"] = invalid(["body", state["name"]], "字段须为 UTF-8 文本", "The field must be UTF-8 text")
        state["text"] = None

    parser = MultipartParser(boundary, {  # type: ignore[arg-type]
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    })
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit + UPLOAD_OVERHEAD:
                raise too_large(limit)
            parser.write(chunk)
            if state["error"] is not None:
                raise state["error"]
            if state["parts"] > MAX_PARTS:
                raise invalid(["body"], "表单字段过多", "Too many form fields", code="too_many_fields")
            if spool is not None:
                await spool.flush()
        parser.finalize()
        if spool is not None:
            await spool.finish()
            out.size, out.sha256, out.head = spool.size, spool.hash.hexdigest(), bytes(spool.head)
    except ClientDisconnect:
        if spool is not None:
            spool.abort()
        raise
    except BaseException as exc:
        if spool is not None:
            spool.abort()
        if isinstance(exc, ExchangeError):
            raise
        if isinstance(exc, Exception) and exc.__class__.__module__.startswith("python_multipart"):
            raise ExchangeError("malformed_multipart", 400, "multipart 表单格式错误", "The multipart body is malformed") from exc
        raise
    return out
