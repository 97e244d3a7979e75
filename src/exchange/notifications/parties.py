"""Resolving the parties of :data:`exchange.notifications.rules.WHO_IS_TOLD` to users, and the name
of what an event is about (for the notification's title). All reads go through the repository."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.notifications.repository import PartyRepository


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


async def resolve(session: AsyncSession, parties: Sequence[str], *, event_type: str, entity_type: str, entity_id: str,
                  data: dict[str, Any], addressed_users: Sequence[uuid.UUID],
                  addressed_organizations: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """The active users who are told: the union of every party's users."""
    repo = PartyRepository(session)
    users: set[uuid.UUID] = set()
    organizations: set[uuid.UUID] = set()
    opportunity_id = _uuid(data.get("opportunity_id")) or (_uuid(entity_id) if entity_type == "opportunity" else None)
    for party in parties:
        if party == "addressed":
            users |= set(addressed_users)
            organizations |= set(addressed_organizations)
        elif party == "buyer":
            organizations |= await repo.buyer(entity_type, _uuid(entity_id), opportunity_id)
        elif party == "provider" and entity_type == "deal":
            organizations |= await repo.deal_provider(_uuid(entity_id))
        elif party == "winner":
            award_id = _uuid(data.get("award_id")) or (_uuid(entity_id) if entity_type == "award" else None)
            organizations |= await repo.winner(award_id)
        elif party == "objector":
            users |= await repo.objector(_uuid(data.get("objection_id")))
        elif party == "bidders" and opportunity_id is not None:
            organizations |= await repo.bidder_organizations(opportunity_id)
        elif party == "panel" and opportunity_id is not None:
            users |= await repo.panel(opportunity_id)
        elif party == "managers":
            users |= await repo.with_role("manager")
        elif party == "district_managers":
            users |= await repo.managers_covering(str(data.get("region_code") or ""))
        elif party == "evaluators":
            users |= await repo.with_role("evaluator")
    return (users & await repo.active(users)) | await repo.users_of(organizations)


async def name_of(session: AsyncSession, entity_type: str, entity_id: str, data: dict[str, Any]) -> str:
    """The title of what the event is about (never anything of a bid: a bid has no public name)."""
    if data.get("title"):
        return str(data["title"])
    repo = PartyRepository(session)
    target = _uuid(data.get("opportunity_id")) if entity_type in ("award", "bid", "question") else _uuid(entity_id)
    kind = "opportunity" if entity_type in ("award", "bid", "question") else entity_type
    if target is None:
        return ""
    return await repo.title(kind, target) or ""
