"""Helpers for the documents tests: upload over HTTP and read back."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from tests.builders import Actor


async def upload(client: httpx.AsyncClient, actor: Actor | None, path: str, data: bytes, *, filename: str = "投标文件.pdf",
                 document_type: str | None = "proposal", content_type: str = "application/pdf",
                 **fields: str) -> httpx.Response:
    form = {k: v for k, v in {"document_type": document_type, **fields}.items() if v is not None}
    headers = actor.headers if actor is not None else {}
    return await client.post(path, files={"file": (filename, data, content_type)}, data=form, headers=headers)


async def uploaded(client: httpx.AsyncClient, actor: Actor, path: str, data: bytes, **kw: Any) -> dict[str, Any]:
    r = await upload(client, actor, path, data, **kw)
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(data).hexdigest()
    return r.json()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def raw_upload(client: httpx.AsyncClient, actor: Actor, path: str, data: bytes, filename: bytes,
                     document_type: str = "other") -> httpx.Response:
    """A multipart body written byte by byte, the file name exactly as given (no client escaping)."""
    b = b"exchange-test-boundary"
    body = (b"--" + b + b'\r\nContent-Disposition: form-data; name="document_type"\r\n\r\n' + document_type.encode()
            + b"\r\n--" + b + b'\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
            + b"Content-Type: application/pdf\r\n\r\n" + data + b"\r\n--" + b + b"--\r\n")
    return await client.post(path, content=body, headers={**actor.headers,
                                                          "Content-Type": f"multipart/form-data; boundary={b.decode()}"})
