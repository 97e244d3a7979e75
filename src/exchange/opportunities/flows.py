"""Stories that start with an opportunity and reach into the tender and the money.

Each is one function calling each domain's service in order, in the caller's transaction. Locks are
taken in one order everywhere: the opportunity, then the funds' balances (by fund id)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import db
from exchange.accounts.models import User
from exchange.errors import not_found
from exchange.funds import service as funds
from exchange.funds.schemas import FundingOut
from exchange.listings import validation
from exchange.listings.schemas import ListFilters
from exchange.opportunities import service
from exchange.opportunities.models import Opportunity
from exchange.opportunities.repository import OpportunityRepository
from exchange.opportunities.schemas import OpportunityList
from exchange.tenders import service as tenders


async def load(session: AsyncSession, user: User | None, opp_id: uuid.UUID, *, lock: bool = False) -> Opportunity:
    """The opportunity as it stands at the application clock; 404 for a draft the user may not see.

    A read shows a due close without writing it; a write applies it first (then locks the row)."""
    if db.is_read_only(session):
        opp = await service.get_visible(session, user, opp_id)
        await tenders.settle(session, [opp])
        return opp
    await tenders.apply_due_moves(session, opp_id)
    return await service.get_visible(session, user, opp_id, lock=lock)


async def at_clock(session: AsyncSession, opps: list[Opportunity]) -> list[Opportunity]:
    """A page of opportunities as they stand at the application clock (a read)."""
    await tenders.settle(session, opps)
    return opps


async def list_page(session: AsyncSession, user: User | None, f: ListFilters) -> OpportunityList:
    """One page of opportunities as ``user`` may see them (published ones by default), at the application clock:
    the API's list and the portal's."""
    org_id = validation.check_filters(f)
    page = await OpportunityRepository(session).page(
        f, status=f.status or "published", org_id=org_id, sees_all=user is not None and user.is_staff,
        own_org=user.organization_id if user is not None else None)
    items = await service.present_many(session, await at_clock(session, list(page.items)))
    return OpportunityList(items=items, next_cursor=page.next_cursor)


async def cancel(session: AsyncSession, user: User, opp: Opportunity, reason: str) -> Opportunity:
    """Cancel the opportunity; what was earmarked for it goes back to its funds."""
    opp = await service.act(session, user=user, opp=opp, action="cancel", reason=reason)
    await funds.release_earmarks(session, actor_id=user.id, opportunity_id=opp.id, reason="cancelled")
    return opp


async def _for_funding(session: AsyncSession, user: User, opp_id: uuid.UUID, *, lock: bool) -> Opportunity:
    repo = OpportunityRepository(session)
    opp = await (repo.get_for_update(opp_id) if lock else repo.get(opp_id))
    own = opp is not None and user.organization_id is not None and user.organization_id == opp.buyer_organization_id
    if opp is None or (opp.status == "draft" and not (own or user.is_staff)):
        raise not_found("opportunity")
    return opp


async def fund(session: AsyncSession, user: User, opp_id: uuid.UUID, fund_id: uuid.UUID, amount_fen: int) -> FundingOut:
    """Earmark money of a fund for the opportunity (locked, so a concurrent cancel waits)."""
    opp = await _for_funding(session, user, opp_id, lock=True)
    await funds.fund_opportunity(session, user=user, opportunity_id=opp.id, opportunity_status=opp.status,
                                 buyer_organization_id=opp.buyer_organization_id, fund_id=fund_id,
                                 amount_fen=amount_fen)
    return await funds.funding_of(session, opp.id)


async def funding(session: AsyncSession, user: User, opp_id: uuid.UUID) -> FundingOut:
    """What is earmarked for the opportunity, per fund."""
    opp = await _for_funding(session, user, opp_id, lock=False)
    return await funds.funding_of(session, opp.id)
