"""Publicized proposals as public notices (公示): what came of each, for anyone to read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.proposals import service


async def notices(session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    return [{
        "kind": "proposal", "id": p.id, "proposal_id": p.id, "title": p.title, "at": p.publicized_at,
        "region_code": p.region_code, "outcome": p.outcome,
        "votes": {"for": p.votes_for, "against": p.votes_against, "abstain": p.votes_abstain},
        "rating_average": round(p.rating_sum / p.rating_count, 2) if p.rating_count else None,
    } for p in await service.publicized(session, limit)]
