"""The request guard: what every request must satisfy before any endpoint sees it.

- a body over the size limit, declared or streamed, is 413 — except a document upload (``POST …/documents``),
  which is streamed to its endpoint unbuffered under its own, larger limit (the endpoint counts the
  file's bytes and answers 413 itself; binary files hold NUL bytes, their text fields are checked there);
- a spreadsheet import (``POST /imports``, the paths given as ``uploads``) is buffered under its own limit and
  skips the NUL check (an ``.xlsx`` is binary; the endpoint reads the file for what it is);
- a NUL character anywhere in the path, the query or the body is 422: PostgreSQL cannot store it in
  text, and no field of this API has a use for it.
Both answers are problem+json like every other error.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange.errors import problem_response

UPLOAD_OVERHEAD = 256 * 1024  # an upload's body may exceed its file by this much (boundaries, form fields)


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


def body_has_nul(body: bytes) -> bool:
    """Raw NUL bytes, a form-encoded %00, or a JSON string holding \\u0000."""
    if b"\x00" in body or b"%00" in body:
        return True
    if b"\\u0000" not in body:
        return False
    try:
        return _contains_nul(json.loads(body))
    except ValueError:
        return False  # not JSON: the endpoint answers malformed_json


class RequestGuard:
    """ASGI middleware: body size limit and NUL characters.

    ``upload_limit`` is the document uploads' limit (streamed unbuffered); ``uploads`` maps the paths that take a
    spreadsheet (``POST /imports``) to their own size limit; their bodies are binary, so the NUL check does not
    apply to them (the endpoint reads the file for what it is)."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int | None = None,
                 uploads: dict[str, int] | None = None) -> None:
        self.app, self.limit, self.upload_limit, self.uploads = app, limit, upload_limit, uploads or {}

    def _is_upload(self, scope: Scope) -> bool:
        return self.upload_limit is not None and scope["method"] == "POST" and scope.get("path", "").endswith("/documents")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            await self._nul(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        import_limit = self.uploads.get(scope.get("path", ""))
        limit = import_limit or self.limit
        if self._is_upload(scope):
            assert self.upload_limit is not None
            if declared is not None and declared.isdigit() and int(declared) > self.upload_limit + UPLOAD_OVERHEAD:
                await self._too_large(scope, receive, send, self.upload_limit)
                return
            await self.app(scope, receive, send)
            return
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await self._too_large(scope, receive, send, limit)
                return
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if import_limit is None and body_has_nul(body):
            await self._nul(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int | None = None) -> None:
        limit = limit or self.limit
        response = problem_response(
            Request(scope), 413, "payload_too_large", f"请求体超过 {limit} 字节",
            f"The body is larger than {limit} bytes",
        )
        await response(scope, receive, send)

    async def _nul(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope), 422, "nul_character", "请求中含有空字符（\\u0000），不能接受",
            "The request contains a NUL character (\\u0000), which is not accepted",
        )
        await response(scope, receive, send)
