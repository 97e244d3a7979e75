"""The demo district carries real documents: PDFs with Chinese text and photos on opportunities,
bids (sealed until their close), contracts, milestones, closing reports and organizations."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from exchange import db
from exchange.demo.service import load_demo
from exchange.documents.models import Document
from exchange.documents.storage import key_for


@pytest.mark.parametrize("backend", ["directory"])
async def test_demo_documents(app, client) -> None:
    async with db.unit_of_work(app.state.session_factory) as session:
        await load_demo(session, store=app.state.document_store)
    async with app.state.session_factory() as session:
        docs = list((await session.execute(select(Document))).scalars())
    kinds = Counter((d.owner_type, d.document_type) for d in docs)
    assert kinds[("bid", "proposal")] == 18 and kinds[("deal", "contract")] == 2
    assert kinds[("deal", "milestone_evidence")] >= 4 and kinds[("deal", "closing_report")] == 1
    assert kinds[("opportunity", "notice")] >= 5 and kinds[("organization", "registration_certificate")] >= 5
    assert all(d.milestone_id is not None for d in docs if d.document_type == "milestone_evidence")
    assert {d.content_type for d in docs} == {"application/pdf", "image/jpeg"}
    stored = {key async for key, _ in app.state.document_store.objects()}
    assert stored == {key_for(d.sha256) for d in docs}
    notice = next(d for d in docs if d.document_type == "notice")
    r = await client.get(f"/documents/{notice.id}/content")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert "%E6%8B%9B%E6%A0%87%E5%85%AC%E5%91%8A.pdf" in r.headers["content-disposition"]  # 招标公告.pdf
    async with db.unit_of_work(app.state.session_factory) as session:
        again = await load_demo(session, store=app.state.document_store)
    assert not again.added.get("documents")
