"""Upload, list, metadata, download with ETag and Range, delete — on both stores."""

from __future__ import annotations

from urllib.parse import quote

from tests.documents import files
from tests.documents.world import sha, upload, uploaded
from tests.listings.world import cast, opportunity_body
from tests.tenders.world import ok


async def test_an_opportunity_document_round_trip(app, client) -> None:
    c = await cast(app)
    opp = await ok(client.post("/opportunities", json=opportunity_body(), headers=c.buyer.headers), 201)
    data = files.pdf()
    r = await upload(client, c.buyer, f"/opportunities/{opp['id']}/documents", data, filename="招标文件（2026）.pdf",
                     document_type="bidding_documents", content_type="application/octet-stream")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert r.headers["location"] == f"/api/v1/documents/{doc['id']}"
    assert r.headers["etag"] == f'"{sha(data)}"'
    assert (doc["filename"], doc["content_type"], doc["size_bytes"], doc["document_type"], doc["title"]) == (
        "招标文件（2026）.pdf", "application/pdf", len(data), "bidding_documents", "招标文件（2026）")
    # a draft's documents: its buyer sees them, the public does not
    assert (await client.get(f"/opportunities/{opp['id']}/documents")).status_code == 404
    listed = await ok(client.get(f"/opportunities/{opp['id']}/documents", headers=c.buyer.headers))
    assert [d["id"] for d in listed["items"]] == [doc["id"]]
    await ok(client.post(f"/opportunities/{opp['id']}/publish", headers=c.buyer.headers))
    assert [d["sha256"] for d in (await ok(client.get(f"/opportunities/{opp['id']}/documents")))["items"]] == [sha(data)]

    r = await client.get(f"/documents/{doc['id']}/content")
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["etag"] == f'"{sha(data)}"'
    assert r.headers["content-disposition"] == (
        f"attachment; filename=\"_____2026_.pdf\"; filename*=UTF-8''{quote('招标文件（2026）.pdf', safe='')}")
    r = await client.get(f"/documents/{doc['id']}/content", headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(data)}"
    r = await client.get(f"/documents/{doc['id']}/content", headers={"Range": "bytes=-7"})
    assert r.status_code == 206 and r.content == data[-7:]
    r = await client.get(f"/documents/{doc['id']}/content", headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(data)}"
    r = await client.get(f"/documents/{doc['id']}/content", headers={"If-None-Match": f'"{sha(data)}"'})
    assert r.status_code == 304
    r = await client.get(f"/documents/{doc['id']}/content", headers={"Range": "bytes=0-3", "If-Range": '"other"'})
    assert r.status_code == 200 and r.content == data


async def test_every_accepted_type_is_recognized_by_its_content(app, client) -> None:
    c = await cast(app)
    org = c.org_org
    cases = [("章程.pdf", files.pdf(), "application/pdf"), ("登记证书.ofd", files.ofd(), "application/ofd"),
             ("年报.docx", files.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
             ("财务.xlsx", files.xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
             ("照片.jpg", files.image("JPEG"), "image/jpeg"), ("照片.png", files.image("PNG"), "image/png"),
             ("照片.webp", files.image("WEBP"), "image/webp"), ("无扩展名", files.pdf("无扩展名"), "application/pdf")]
    for name, data, expected in cases:
        doc = await uploaded(client, c.org, f"/organizations/{org.id}/documents", data, filename=name,
                             document_type="other", content_type="text/plain")
        assert doc["content_type"] == expected, name
    assert (await ok(client.get(f"/documents/{doc['id']}")))["filename"] == "无扩展名.pdf"
