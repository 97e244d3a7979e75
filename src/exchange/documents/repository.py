"""Every query on documents."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import String, Uuid, column, delete, exists, select, table

from exchange.documents.models import Document, OwnerType
from exchange.kit.repository import RepositoryBase

# The bids table, named rather than imported: documents sit below the tender in the import graph.
_bids = table("bids", column("id", Uuid), column("opportunity_id", Uuid), column("organization_id", Uuid),
              column("status", String))


class DocumentRepository(RepositoryBase[Document]):
    model = Document

    async def for_owner(self, owner_type: OwnerType, owner_id: uuid.UUID) -> Sequence[Document]:
        stmt = (select(Document).where(Document.owner_type == owner_type.value, Document.owner_id == owner_id)
                .order_by(Document.created_at, Document.id))
        return (await self.session.execute(stmt)).scalars().all()

    async def for_owners(self, owner_type: OwnerType, owner_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Document]]:
        ids = list(dict.fromkeys(owner_ids))
        out: dict[uuid.UUID, list[Document]] = {i: [] for i in ids}
        if not ids:
            return out
        stmt = (select(Document).where(Document.owner_type == owner_type.value, Document.owner_id.in_(ids))
                .order_by(Document.created_at, Document.id))
        for doc in (await self.session.execute(stmt)).scalars():
            out[doc.owner_id].append(doc)
        return out

    async def of_bids_on(self, opportunity_ids: Iterable[uuid.UUID]) -> list[tuple[Document, uuid.UUID, uuid.UUID]]:
        """Every document of a submitted (not withdrawn) bid on these opportunities, with the bid's
        opportunity and organization."""
        ids = list(opportunity_ids)
        if not ids:
            return []
        stmt = (select(Document, _bids.c.opportunity_id, _bids.c.organization_id)
                .join(_bids, _bids.c.id == Document.owner_id)
                .where(Document.owner_type == OwnerType.bid.value, _bids.c.opportunity_id.in_(ids),
                       _bids.c.status == "submitted")
                .order_by(Document.created_at, Document.id))
        return [(d, o, g) for d, o, g in (await self.session.execute(stmt)).all()]

    async def is_referenced(self, sha256: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(Document.sha256 == sha256))))

    async def referenced(self, hashes: Iterable[str]) -> set[str]:
        wanted = list(set(hashes))
        if not wanted:
            return set()
        stmt = select(Document.sha256).where(Document.sha256.in_(wanted)).distinct()
        return set((await self.session.execute(stmt)).scalars())

    async def remove(self, doc: Document) -> None:
        await self.session.execute(delete(Document).where(Document.id == doc.id))
