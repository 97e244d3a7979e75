"""Publicized proposals as public notices (公示): what came of each, for anyone to read."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.proposals.models import Proposal, ProposalStatus
from exchange.proposals.repository import ProposalRepository

NOTICE_KIND = "proposal"


async def notice_keys(session: AsyncSession, after: Sequence[Any] | None,
                      limit: int) -> list[tuple[str, uuid.UUID, dt.datetime]]:
    """The keys (kind, id, at) of publicized proposals, newest first (``after``: the previous page's last)."""
    return await ProposalRepository(session).notice_keys(ProposalStatus.publicized, after, limit)


async def notice_items(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[tuple[str, uuid.UUID], dict[str, Any]]:
    """The notices of these proposals by (kind, id)."""
    return {(NOTICE_KIND, p.id): _item(p) for p in await ProposalRepository(session).by_ids(ids)}


def _item(p: Proposal) -> dict[str, Any]:
    return {
        "kind": NOTICE_KIND, "id": p.id, "proposal_id": p.id, "title": p.title, "at": p.publicized_at,
        "region_code": p.region_code, "outcome": p.outcome,
        "votes": {"for": p.votes_for, "against": p.votes_against, "abstain": p.votes_abstain},
        "rating_average": round(p.rating_sum / p.rating_count, 2) if p.rating_count else None,
    }
