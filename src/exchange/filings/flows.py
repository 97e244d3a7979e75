"""Approving a filing: the decision, the organization it creates, the applicant who acts for it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import service as accounts
from exchange.accounts.models import Role, User
from exchange.accounts.repository import UserRepository
from exchange.filings import service as filings
from exchange.filings.models import Filing
from exchange.organizations import service as organizations
from exchange.organizations.models import Kind, LegalForm


async def approve(session: AsyncSession, *, user: User, filing_id: uuid.UUID, reason: str | None) -> Filing:
    """The filing becomes approved; a filed community organization is created with its registration level
    and function type; a resident applicant becomes the organization's user (a committee that applied
    for a group keeps acting for its community)."""
    filing = await filings.decide(session, user=user, filing_id=filing_id, action="approve", reason=reason)
    org = await organizations.create(session, actor_id=user.id, data={
        "name": filing.name, "kind": Kind.social_org.value, "legal_form": LegalForm.filed.value,
        "registration": filing.level, "region_code": filing.region_code, "service_region_codes": [filing.region_code],
        "member_count": len(filing.members), "founded_on": filing.decided_at.date() if filing.decided_at else None,
        "description": filing.charter[:5000], "contact": {"person": filing.leader[:50]}, "categories": [],
    })
    filing.organization_id = org.id
    applicant = await UserRepository(session).get(filing.applicant_id)
    if applicant is not None and applicant.role == Role.resident:
        await accounts.make_organization_user(session, actor_id=user.id, user_id=applicant.id, organization_id=org.id)
    await session.flush()
    return filing
