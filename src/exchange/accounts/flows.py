"""Creating or editing a user that acts for an organization: the organization is looked up, then the account
made or changed."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import service
from exchange.accounts.models import User
from exchange.organizations.repository import OrganizationRepository


async def create_user(session: AsyncSession, *, organization_id: uuid.UUID | None = None, **fields: Any) -> User:
    """:func:`exchange.accounts.service.create_user`, with the kind of the organization the user acts for."""
    org = await OrganizationRepository(session).get(organization_id) if organization_id is not None else None
    return await service.create_user(session, organization_id=organization_id,
                                     organization_kind=org.kind if org is not None else None, **fields)


async def update_user(session: AsyncSession, *, actor: User, user: User, changes: dict[str, Any]) -> User:
    """:func:`exchange.accounts.service.update_user`, with the kind of the organization the user will act for."""
    organization_id = changes.get("organization_id", user.organization_id)
    org = await OrganizationRepository(session).get(organization_id) if organization_id is not None else None
    return await service.update_user(session, actor=actor, user=user, changes=changes,
                                     organization_kind=org.kind if org is not None else None)
