"""Every query on imports and their references."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import defer

from exchange import db
from exchange.imports.models import Import, ImportRef
from exchange.kit.pagination import Page, SortKey, paginate
from exchange.kit.repository import RepositoryBase


class ImportRepository(RepositoryBase[Import]):
    model = Import

    async def page(self, *, author_id: uuid.UUID | None, limit: int, cursor: str | None) -> Page[Import]:
        """Imports newest first (one author's, or every one), without their uploads."""
        stmt = select(Import).options(defer(Import.content))  # the uploads stay in the database
        if author_id is not None:
            stmt = stmt.where(Import.author_id == author_id)
        keys = [SortKey(Import.created_at, descending=True), SortKey(Import.id, descending=True)]
        return await paginate(self.session, stmt, keys, limit=limit, cursor=cursor, tag="imports")

    async def known_refs(self, kind: str, scope: str) -> set[str]:
        stmt = select(ImportRef.external_ref).where(ImportRef.kind == kind, ImportRef.scope == scope)
        return set((await self.session.execute(stmt)).scalars())

    async def add_refs(self, refs: Sequence[dict[str, Any]]) -> None:
        """One executemany past the session (the ORM's bulk path costs more than the insert)."""
        if refs:
            await db.insert_many(await self.session.connection(), ImportRef.__table__, list(refs))

    async def set_fields(self, import_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(update(Import).where(Import.id == import_id).values(**values))
