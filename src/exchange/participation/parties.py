"""Who a user is for a place: the parties the participation lifecycles name in their ``who``.

- ``resident``: a resident who lives at the place or under it (a resident of the region);
- ``community``: the committee (居委会) whose community contains the place;
- ``manager`` and ``admin``: their roles, anywhere.
Domains add their own parties (``author``, ``organizer``, ``applicant`` …) beside these.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.organizations.repository import OrganizationRepository
from exchange.regions.areas import within


async def community_area(session: AsyncSession, user: User) -> str | None:
    """The region a community committee user answers for (its organization's), else None."""
    if user.role != Role.community or user.organization_id is None:
        return None
    org = await OrganizationRepository(session).get(user.organization_id)
    return org.region_code if org is not None else None


async def of_place(session: AsyncSession, user: User | None, region_code: str) -> set[str]:
    """The place-based parties ``user`` is for ``region_code``."""
    if user is None:
        return set()
    parties: set[str] = set()
    if user.role in (Role.manager, Role.admin):
        parties.add(user.role)
    elif user.role == Role.resident and await within(session, user.region_code, region_code):
        parties.add("resident")
    elif user.role == Role.community and await within(session, region_code, await community_area(session, user)):
        parties.add("community")
    return parties
