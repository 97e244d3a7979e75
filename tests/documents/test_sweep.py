"""The orphan sweep removes stored bytes no document references, and abandoned uploads — only once
they are older than the grace period, and never bytes a document still holds."""

from __future__ import annotations

from pathlib import Path

from exchange import db
from exchange.documents.storage import key_for
from exchange.documents.sweep import sweep
from tests.documents import files
from tests.documents.world import sha, uploaded
from tests.listings.world import cast


async def _sweep(app, grace: float = 3600):
    async with db.unit_of_work(app.state.session_factory) as session:
        return await sweep(session, app.state.document_store, grace)


async def test_the_sweep_removes_only_old_unreferenced_bytes(app, client, clock, tmp_path: Path) -> None:
    c = await cast(app)
    path = f"/organizations/{c.org_org.id}/documents"
    store = app.state.document_store
    kept = await uploaded(client, c.org, path, files.pdf("年度报告"), document_type="annual_report")
    gone = await uploaded(client, c.org, path, files.image("PNG"), filename="旧证书.png", document_type="other")
    assert (await client.delete(f"/documents/{gone['id']}", headers=c.org.headers)).status_code == 204
    stray = tmp_path / "stray.pdf"  # bytes a request stored before its commit failed
    stray.write_bytes(files.pdf("未提交"))
    await store.put_file(key_for(sha(stray.read_bytes())), stray)
    abandoned = store.incoming / "0123abcd.part"
    abandoned.write_bytes(b"%PDF-half an upload")

    young = await _sweep(app)
    assert (young.objects_removed, young.objects_kept, young.incoming_removed) == (0, 3, 0)

    clock.advance(hours=2)
    result = await _sweep(app)
    assert (result.objects_removed, result.objects_kept, result.incoming_removed) == (2, 1, 1)
    assert [key async for key, _ in store.objects()] == [key_for(kept["sha256"])]
    assert not abandoned.exists()
    assert (await client.get(f"/documents/{kept['id']}/content")).content == files.pdf("年度报告")
