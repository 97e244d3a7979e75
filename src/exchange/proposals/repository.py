"""Every query on proposals, their comments, votes, meetings and ratings."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_, select

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.proposals.models import Proposal, ProposalComment, ProposalMeeting, ProposalRating, ProposalVote
from exchange.regions.models import Region


class ProposalRepository(RepositoryBase[Proposal]):
    model = Proposal

    async def page(self, *, region: str | None, containing: Sequence[str], status: str | None,
                   author_id: uuid.UUID | None, limit: int, cursor: str | None) -> Page[Proposal]:
        stmt = select(Proposal)
        if region is not None:
            stmt = stmt.join(Region, Region.code == Proposal.region_code).where(or_(
                Region.path.contains(f"/{region}/", autoescape=True), Proposal.region_code.in_(list(containing))))
        if status is not None:
            stmt = stmt.where(Proposal.status == status)
        if author_id is not None:
            stmt = stmt.where(Proposal.author_id == author_id)
        keys = [SortKey(Proposal.created_at, descending=True), SortKey(Proposal.id, descending=True)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="proposals")

    async def in_status(self, status: str, limit: int) -> list[Proposal]:
        stmt = (select(Proposal).where(Proposal.status == status)
                .order_by(Proposal.publicized_at.desc(), Proposal.id).limit(limit))
        return list((await self.session.execute(stmt)).scalars())

    async def notice_keys(self, status: str, after: Sequence[Any] | None,
                          limit: int) -> list[tuple[str, uuid.UUID, dt.datetime]]:
        """("proposal", id, publicized_at) of the proposals in ``status``, newest first, after the previous
        page's last (at, kind, id) of the whole notice board (ordered by at, kind, id, all descending)."""
        stmt = select(Proposal.id, Proposal.publicized_at).where(
            Proposal.status == status, Proposal.publicized_at.is_not(None))
        if after is not None:
            at, kind, id_ = after
            if "proposal" < kind:
                stmt = stmt.where(Proposal.publicized_at <= at)
            elif "proposal" == kind:
                stmt = stmt.where(or_(Proposal.publicized_at < at, and_(Proposal.publicized_at == at, Proposal.id < id_)))
            else:
                stmt = stmt.where(Proposal.publicized_at < at)
        stmt = stmt.order_by(Proposal.publicized_at.desc(), Proposal.id.desc()).limit(limit)
        return [("proposal", i, at) for i, at in (await self.session.execute(stmt)).all()]

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> list[Proposal]:
        if not ids:
            return []
        return list((await self.session.execute(select(Proposal).where(Proposal.id.in_(list(ids))))).scalars())

    async def vote_of(self, proposal_id: uuid.UUID, user_id: uuid.UUID) -> ProposalVote | None:
        stmt = select(ProposalVote).where(ProposalVote.proposal_id == proposal_id, ProposalVote.user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def rating_of(self, proposal_id: uuid.UUID, user_id: uuid.UUID) -> ProposalRating | None:
        stmt = select(ProposalRating).where(ProposalRating.proposal_id == proposal_id, ProposalRating.user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def meetings(self, proposal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ProposalMeeting]]:
        out: dict[uuid.UUID, list[ProposalMeeting]] = {i: [] for i in proposal_ids}
        if not proposal_ids:
            return out
        stmt = (select(ProposalMeeting).where(ProposalMeeting.proposal_id.in_(list(proposal_ids)))
                .order_by(ProposalMeeting.held_on, ProposalMeeting.created_at))
        for m in (await self.session.execute(stmt)).scalars():
            out[m.proposal_id].append(m)
        return out

    async def comments(self, proposal_id: uuid.UUID, limit: int, cursor: str | None) -> Page[ProposalComment]:
        stmt = select(ProposalComment).where(ProposalComment.proposal_id == proposal_id)
        keys = [SortKey(ProposalComment.created_at), SortKey(ProposalComment.id)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="proposal_comments")  # type: ignore[arg-type]
