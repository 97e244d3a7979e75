"""Every query of calls' applications."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select

from exchange.calls.models import Application, ApplicationStatus
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.tenders.models import Call


class ApplicationRepository(RepositoryBase[Application]):
    model = Application

    async def of_call(self, call_id: uuid.UUID, *, statuses: Sequence[str] | None = None,
                      organization_id: uuid.UUID | None = None) -> Sequence[Application]:
        stmt = select(Application).where(Application.call_id == call_id)
        if statuses is not None:
            stmt = stmt.where(Application.status.in_(list(statuses)))
        if organization_id is not None:
            stmt = stmt.where(Application.organization_id == organization_id)
        return (await self.session.execute(stmt.order_by(Application.created_at, Application.id))).scalars().all()

    async def by_organization(self, call_id: uuid.UUID, organization_id: uuid.UUID) -> Application | None:
        stmt = select(Application).where(Application.call_id == call_id, Application.organization_id == organization_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def call(self, call_id: uuid.UUID, *, lock: bool = False) -> Call | None:
        stmt = select(Call).where(Call.id == call_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def granted(self, call_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
        """call id → (applications, fen granted to the funded ones)."""
        if not call_ids:
            return {}
        funded = func.coalesce(func.sum(Application.granted_fen).filter(
            Application.status == ApplicationStatus.funded), 0)
        stmt = (select(Application.call_id, func.count(), funded).where(Application.call_id.in_(list(call_ids)))
                .group_by(Application.call_id))
        return {cid: (int(n), int(total)) for cid, n, total in (await self.session.execute(stmt)).all()}

    async def calls_page(self, *, limit: int, cursor: str | None) -> Page[Call]:
        keys = [SortKey(Call.created_at, descending=True), SortKey(Call.id, descending=True)]
        return await self.list_page(select(Call), keys, limit=limit, cursor=cursor, tag="calls")
