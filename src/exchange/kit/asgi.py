"""The request guard: what every request must satisfy before any endpoint sees it.

- request headers over ``EXCHANGE_MAX_HEADER_BYTES`` in total are 431 (the server protocol in
  :mod:`exchange.kit.server` refuses them while they are still arriving; this check covers any other
  server);
- a body over the size limit, declared or streamed, is 413 — except a document upload (``POST …/documents``),
  which is streamed to its endpoint unbuffered under its own, larger limit (the endpoint counts the
  file's bytes and answers 413 itself; binary files hold NUL bytes, their text fields are checked there);
- a spreadsheet import (``POST /imports``, the paths given as ``uploads``) is buffered under its own limit and
  skips the NUL check (an ``.xlsx`` is binary; the endpoint reads the file for what it is);
- a NUL character anywhere in the path, the query or the body is 422: PostgreSQL cannot store it in
  text, and no field of this API has a use for it. In a query string or a form-encoded body ``%00``
  is a NUL; inside a JSON string it is just the three characters ``%00``;
- direction-control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) in a JSON
  body are 422: in public text they make a title display as something other than what it says.
All answers are problem+json like every other error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange.errors import problem_response

UPLOAD_OVERHEAD = 256 * 1024  # an upload's body may exceed its file by this much (boundaries, form fields)

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Their UTF-8 bytes, and their JSON escapes: a cheap test before parsing the body.
_BIDI_BYTES = re.compile("|".join(re.escape(ch) for ch in BIDI_CONTROLS).encode()
                         + rb"|\\u(?:202[a-eA-E]|206[6-9]|200[eEfF]|061[cC])")


def _strings(value: Any) -> list[str]:
    """Every string (keys too) in a parsed JSON document, without recursion (any depth)."""
    out, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            for k, v in item.items():
                out.append(k)
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _parsed(body: bytes) -> Any:
    """The JSON document, or None when it is not JSON (or too deeply nested to parse): the endpoint
    then answers ``malformed_json`` itself."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def body_problem(body: bytes, content_type: str) -> str | None:
    """``"nul"``, ``"bidi"`` or None for an acceptable body."""
    if b"\x00" in body:
        return "nul"
    if content_type.startswith("application/x-www-form-urlencoded") and b"%00" in body:
        return "nul"
    escaped_nul = b"\\u0000" in body
    bidi = _BIDI_BYTES.search(body) is not None
    if not escaped_nul and not bidi:
        return None
    document = _parsed(body)
    if document is None:
        return None
    strings = _strings(document)
    if escaped_nul and any("\x00" in s for s in strings):
        return "nul"
    if bidi and any(ch in BIDI_CONTROLS for s in strings for ch in s):
        return "bidi"
    return None


def body_has_nul(body: bytes) -> bool:
    return body_problem(body, "application/json") == "nul"


class RequestGuard:
    """ASGI middleware: header and body size limits, NUL and direction-control characters.

    ``upload_limit`` is the document uploads' limit (streamed unbuffered); ``uploads`` maps the paths that take a
    spreadsheet (``POST /imports``) to their own size limit; their bodies are binary, so the character checks do
    not apply to them (the endpoint reads the file for what it is)."""

    def __init__(self, app: ASGIApp, limit: int, header_limit: int = 65_536, upload_limit: int | None = None,
                 uploads: dict[str, int] | None = None) -> None:
        self.app, self.limit, self.header_limit = app, limit, header_limit
        self.upload_limit, self.uploads = upload_limit, uploads or {}

    def _is_upload(self, scope: Scope) -> bool:
        return self.upload_limit is not None and scope["method"] == "POST" and scope.get("path", "").endswith("/documents")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if sum(len(k) + len(v) + 4 for k, v in headers) > self.header_limit:
            await self._reply(scope, receive, send, 431, "headers_too_large", "请求头过大",
                              f"The request headers are larger than {self.header_limit} bytes")
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            await self._nul(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        fields = dict(headers)
        declared = fields.get(b"content-length")
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
        problem = None if import_limit is not None else body_problem(
            body, fields.get(b"content-type", b"").decode("latin-1").lower())
        if problem == "nul":
            await self._nul(scope, receive, send)
            return
        if problem == "bidi":
            await self._reply(scope, receive, send, 422, "bidi_control",
                              "文本中含有方向控制字符（如 U+202E），不能接受",
                              "The text contains direction-control characters (such as U+202E), which are not accepted")
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _reply(self, scope: Scope, receive: Receive, send: Send, status: int, code: str, zh: str, en: str) -> None:
        await problem_response(Request(scope), status, code, zh, en)(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int | None = None) -> None:
        limit = limit or self.limit
        await self._reply(scope, receive, send, 413, "payload_too_large", f"请求体超过 {limit} 字节",
                          f"The body is larger than {limit} bytes")

    async def _nul(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._reply(scope, receive, send, 422, "nul_character", "请求中含有空字符（\\u0000），不能接受",
                          "The request contains a NUL character (\\u0000), which is not accepted")
