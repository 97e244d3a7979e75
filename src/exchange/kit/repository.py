"""The generic repository every domain's repository builds on."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.db import Base
from exchange.kit.pagination import Page, SortKey, paginate

M = TypeVar("M", bound=Base)


class RepositoryBase(Generic[M]):
    """``get``, ``get_for_update``, ``add`` and ``list_page`` for one model."""

    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id: uuid.UUID | str, *, options: Sequence[Any] = ()) -> M | None:
        return await self.session.get(self.model, id, options=options)

    async def get_for_update(self, id: uuid.UUID | str, *, options: Sequence[Any] = (),
                             skip_locked: bool = False) -> M | None:
        """Read and lock the row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite write transactions
        already hold the write lock), always fresh from the database. ``skip_locked``: None when
        another transaction holds it."""
        stmt = select(self.model).where(self.model.id == id).with_for_update(skip_locked=skip_locked)  # type: ignore[attr-defined]
        stmt = stmt.options(*options).execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, obj: M) -> M:
        self.session.add(obj)
        return obj

    async def flush(self) -> None:
        await self.session.flush()

    async def list_page(
        self, stmt: Select[Any], keys: Sequence[SortKey], *, limit: int, cursor: str | None, tag: str
    ) -> Page[M]:
        return await paginate(self.session, stmt, keys, limit=limit, cursor=cursor, tag=tag)
