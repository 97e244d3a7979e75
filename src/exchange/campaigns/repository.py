"""Every query on campaigns and contributions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from exchange.campaigns.models import Campaign, Contribution
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase


class CampaignRepository(RepositoryBase[Campaign]):
    model = Campaign

    async def due_ids(self, at: dt.datetime) -> list[uuid.UUID]:
        stmt = select(Campaign.id).where(Campaign.status != "ended", Campaign.ends_at <= at).order_by(Campaign.id)
        return list((await self.session.execute(stmt)).scalars())

    async def page(self, *, status: str | None, limit: int, cursor: str | None) -> Page[Campaign]:
        stmt = select(Campaign)
        if status is not None:
            stmt = stmt.where(Campaign.status == status)
        return await self.list_page(stmt, [SortKey(Campaign.created_at, descending=True), SortKey(Campaign.id, descending=True)],
                                    limit=limit, cursor=cursor, tag="campaigns")

    async def all(self) -> list[Campaign]:
        return list((await self.session.execute(select(Campaign))).scalars())

    def add_contribution(self, contribution: Contribution) -> Contribution:
        self.session.add(contribution)
        return contribution

    async def unrefunded(self, campaign_id: uuid.UUID) -> list[Contribution]:
        stmt = (select(Contribution).where(Contribution.campaign_id == campaign_id, Contribution.refunded.is_(False))
                .order_by(Contribution.created_at, Contribution.id))
        return list((await self.session.execute(stmt)).scalars())

    async def contributions_of(self, campaign_id: uuid.UUID) -> list[Contribution]:
        stmt = (select(Contribution).where(Contribution.campaign_id == campaign_id)
                .order_by(Contribution.created_at, Contribution.id))
        return list((await self.session.execute(stmt)).scalars())

    async def contributor_ids(self, campaign_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = select(Contribution.user_id).where(Contribution.campaign_id == campaign_id).distinct()
        return sorted((await self.session.execute(stmt)).scalars(), key=str)

    async def contribution_sums(self) -> dict[uuid.UUID, tuple[int, int]]:
        stmt = (select(Contribution.campaign_id, func.sum(Contribution.amount_fen), func.sum(Contribution.matched_fen))
                .group_by(Contribution.campaign_id))
        return {r[0]: (int(r[1]), int(r[2])) for r in (await self.session.execute(stmt)).all()}
