"""Hostile uploads: too large, renamed executables, zip bombs, path-traversal names, empty files,
lying headers. Each refusal leaves the database and the store exactly as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from exchange import db
from exchange.config import Settings
from exchange.documents.models import Document
from tests.builders import Actor
from tests.documents import files
from tests.documents.world import raw_upload, sha, upload, uploaded
from tests.listings.world import cast

LIMIT = 256 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_upload_bytes": LIMIT})


async def _state(app: Any) -> tuple[int, list[str], list[Path]]:
    """Rows, stored objects and uploads in flight."""
    async with db.unit_of_work(app.state.session_factory) as session:
        rows = int(await session.scalar(select(func.count()).select_from(Document)) or 0)
    store = app.state.document_store
    objects = [key async for key, _ in store.objects()]
    return rows, objects, sorted(store.incoming.glob("*"))


async def _org(app: Any) -> tuple[Actor, str]:
    c = await cast(app)
    return c.org, f"/organizations/{c.org_org.id}/documents"


async def _refused(client: httpx.AsyncClient, app: Any, response: httpx.Response, status: int, code: str,
                   before: tuple[int, list[str], list[Path]]) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert await _state(app) == before


async def test_oversize_is_413_before_anything_is_stored(app, client) -> None:
    org, path = await _org(app)
    before = await _state(app)
    big = files.pdf() + b"\x00" * LIMIT
    await _refused(client, app, await upload(client, org, path, big, document_type="other"), 413, "payload_too_large", before)

    async def chunks():  # no Content-Length: the limit holds while streaming
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\r\n"
        for _ in range(64):
            yield b"%PDF" + b"\x00" * 65536
    r = await client.post(path, content=chunks(), headers={**org.headers, "Content-Type": "multipart/form-data; boundary=b"})
    await _refused(client, app, r, 413, "payload_too_large", before)
    exact = files.pdf() + b"\n" * (LIMIT - len(files.pdf()))
    assert (await uploaded(client, org, path, exact, document_type="other"))["size_bytes"] == LIMIT


@pytest.mark.parametrize(("name", "data", "declared"), [
    ("方案.pdf", files.exe(), "application/pdf"),                 # a renamed executable
    ("setup.exe", files.exe(), "application/octet-stream"),
    ("照片.pdf", files.image("PNG"), "application/pdf"),           # content disagrees with the extension
    ("合同.docx", files.pdf(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("资料.zip", files.plain_zip(), "application/zip"),            # a zip that is no office document
    ("报告.docx", files.docx_bomb(), "application/octet-stream"),  # inflates a thousandfold
    ("说明.txt", "纯文本说明".encode(), "text/plain"),
    ("动画.gif", files.image("GIF"), "image/gif"),
])
async def test_unsupported_content_is_415(app, client, name: str, data: bytes, declared: str) -> None:
    org, path = await _org(app)
    before = await _state(app)
    r = await upload(client, org, path, data, filename=name, content_type=declared, document_type="other")
    await _refused(client, app, r, 415, "unsupported_media_type", before)


async def test_a_pdf_that_would_inflate_is_stored_as_sent(app, client) -> None:
    org, path = await _org(app)
    bomb = files.pdf_bomb()
    assert len(bomb) < LIMIT
    doc = await uploaded(client, org, path, bomb, filename="年报.pdf", document_type="annual_report")
    assert doc["size_bytes"] == len(bomb) and doc["content_type"] == "application/pdf"
    r = await client.get(f"/documents/{doc['id']}/content")
    assert r.content == bomb


@pytest.mark.parametrize(("raw", "stored"), [
    ("../../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\Windows\\System32\\报告.pdf", "报告.pdf"),
    ("/abs/path/章程.pdf", "章程.pdf"),
    ("a\x01b\x7f\u202ec\t.pdf", "abc.pdf"),
    ("....pdf", "document.pdf"),
    ('年报<2026>:"终稿"?.pdf', "年报_2026___终稿__.pdf"),
    ("", "document.pdf"),
])
async def test_file_names_are_sanitized_and_never_used_as_keys(app, client, tmp_path: Path, raw: str, stored: str) -> None:
    org, path = await _org(app)
    data = files.pdf(raw or "无名")
    r = await raw_upload(client, org, path, data, raw.encode())
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == stored
    objects = [key async for key, _ in app.state.document_store.objects()]
    assert objects == [f"sha256/{sha(data)[:2]}/{sha(data)[2:4]}/{sha(data)}"]
    assert not (tmp_path.parent / "etc").exists()


async def test_empty_missing_and_malformed_uploads(app, client) -> None:
    org, path = await _org(app)
    before = await _state(app)
    await _refused(client, app, await upload(client, org, path, b"", document_type="other"), 422, "empty_file", before)
    r = await client.post(path, data={"document_type": "other"}, files={"other": ("x.txt", b"x")}, headers=org.headers)
    await _refused(client, app, r, 422, "one_file_only", before)
    r = await client.post(path, data={"document_type": "other", "title": "说明"}, headers=org.headers)
    await _refused(client, app, r, 415, "unsupported_media_type", before)  # a form without a file is not multipart
    r = await client.post(path, files=[("file", ("a.pdf", files.pdf())), ("file", ("b.pdf", files.pdf()))],
                          data={"document_type": "other"}, headers=org.headers)
    await _refused(client, app, r, 422, "one_file_only", before)
    r = await upload(client, org, path, files.pdf(), document_type="proposal")
    await _refused(client, app, r, 422, "invalid_document_type", before)
    r = await client.post(path, content=files.pdf(), headers={**org.headers, "Content-Type": "application/pdf"})
    await _refused(client, app, r, 415, "unsupported_media_type", before)
    r = await client.post(path, json={"document_type": "other"}, headers=org.headers)
    await _refused(client, app, r, 415, "unsupported_media_type", before)
    r = await client.post(path, content=b"--b\r\nbroken",
                          headers={**org.headers, "Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code in (400, 422) and await _state(app) == before


async def test_the_declared_content_type_is_ignored(app, client) -> None:
    org, path = await _org(app)
    doc = await uploaded(client, org, path, files.pdf(), filename="章程.pdf", content_type="image/png", document_type="charter")
    assert doc["content_type"] == "application/pdf"
    r = await client.get(f"/documents/{doc['id']}/content")
    assert r.headers["content-type"] == "application/pdf" and r.headers["x-content-type-options"] == "nosniff"


async def test_the_same_bytes_are_stored_once(app, client) -> None:
    org, path = await _org(app)
    data = files.pdf("同一文件")
    a = await uploaded(client, org, path, data, filename="甲.pdf", document_type="other")
    b = await uploaded(client, org, path, data, filename="乙.pdf", document_type="charter")
    assert a["id"] != b["id"] and a["sha256"] == b["sha256"]
    rows, objects, incoming = await _state(app)
    assert (rows, len(objects), incoming) == (2, 1, [])
