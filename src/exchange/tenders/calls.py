"""Venture-philanthropy calls (公益创投): many small opportunities, one deadline, one panel, one ranking."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.audit import service as audit
from exchange.errors import forbidden, invalid, invalid_state, not_found
from exchange.funds.repository import FundRepository
from exchange.kit.clock import now
from exchange.tenders import errors, service
from exchange.tenders.models import Call
from exchange.tenders.repository import TenderRepository
from exchange.tenders.schemas import CallCreate, CallOut

OPEN_FOR_CALL = {"draft", "published"}


async def _out(session: AsyncSession, call: Call) -> CallOut:
    opps = await TenderRepository(session).opportunities_of_call(call.id)
    return CallOut(id=call.id, title=call.title, description=call.description, bid_deadline=call.bid_deadline,
                   expert_user_ids=[uuid.UUID(i) for i in call.expert_user_ids], version=call.version,
                   budget_fen=call.budget_fen, fund_id=call.fund_id,
                   opportunity_ids=[o.id for o in opps if o.status != "draft"])


async def _check_budget(session: AsyncSession, user: User, body: CallCreate) -> None:
    """A call carries opportunities, or a budget from a fund the caller may spend, or both."""
    if (body.budget_fen is None) != (body.fund_id is None):
        raise invalid(["body", "fund_id"], "预算和资金池须同时给出", "Give `budget_fen` and `fund_id` together",
                      code="budget_needs_fund")
    if body.budget_fen is None and not body.opportunity_ids:
        raise invalid(["body", "opportunity_ids"], "请列出项目机会或给出预算", "List opportunities or give a budget",
                      code="call_empty")
    if body.fund_id is not None:
        fund = await FundRepository(session).get(body.fund_id)
        if fund is None or (user.role == "buyer" and fund.owner_organization_id != user.organization_id):
            raise invalid(["body", "fund_id"], "资金池不存在或不属于贵单位", "Unknown fund, or not your organization's",
                          code="unknown_fund")


async def create(session: AsyncSession, user: User, body: CallCreate) -> CallOut:
    if user.role not in ("buyer", "manager"):
        raise forbidden(code="role_not_allowed")
    if body.bid_deadline <= now():
        raise invalid(["body", "bid_deadline"], "截止时间须在将来", "The deadline must be in the future")
    await _check_budget(session, user, body)
    experts = await service._experts(session, body.expert_user_ids) if body.expert_user_ids else []
    repo = TenderRepository(session)
    call = Call(id=uuid.uuid4(), title=body.title, description=body.description, bid_deadline=body.bid_deadline,
                expert_user_ids=[str(i) for i in experts], created_by=user.id, budget_fen=body.budget_fen,
                fund_id=body.fund_id)
    repo.add(call)
    for index, opportunity_id in enumerate(dict.fromkeys(body.opportunity_ids)):
        opp = await repo.opportunity(opportunity_id)
        if opp is None or (user.role == "buyer" and opp.buyer_organization_id != user.organization_id):
            raise invalid(["body", "opportunity_ids", index], "项目机会不存在或不属于贵单位",
                          "Unknown opportunity, or not your organization's", code="unknown_opportunity")
        if opp.status not in OPEN_FOR_CALL:
            raise invalid_state("opportunity", opp.status, "join_call")
        opp.call_id, opp.bid_deadline = call.id, body.bid_deadline
    audit.record(session, actor_id=user.id, action="call.created", entity_type="call", entity_id=call.id, public=True,
                 summary={"title": call.title, "bid_deadline": call.bid_deadline, "opportunities": len(body.opportunity_ids)})
    await repo.flush()
    return await _out(session, call)


async def _get(session: AsyncSession, call_id: uuid.UUID) -> Call:
    call = await TenderRepository(session).call(call_id)
    if call is None:
        raise not_found("call")
    return call


async def read(session: AsyncSession, call_id: uuid.UUID) -> CallOut:
    return await _out(session, await _get(session, call_id))


async def name_panel(session: AsyncSession, user: User, call_id: uuid.UUID,
                     expert_ids: Sequence[uuid.UUID] | None) -> CallOut:
    call = await _get(session, call_id)
    ids = list(expert_ids) if expert_ids else [uuid.UUID(i) for i in call.expert_user_ids]
    if not ids:
        raise errors.not_an_expert()
    call.expert_user_ids = [str(i) for i in dict.fromkeys(ids)]
    for opp in await TenderRepository(session).opportunities_of_call(call.id):
        opp = await service.get_opportunity(session, opp.id)
        if opp.status == "bidding_closed":
            await service.name_panel(session, user, opp, ids)
        elif opp.status == "published":
            raise errors.bids_sealed()
    return await _out(session, call)


async def ranking(session: AsyncSession, user: User, call_id: uuid.UUID) -> list[service.Ranked]:
    call = await _get(session, call_id)
    items: list[service.Ranked] = []
    allowed = False
    for opp in await TenderRepository(session).opportunities_of_call(call.id):
        if opp.status == "draft":  # not yet published: nothing to rank, as for any bidding not closed
            raise errors.bids_sealed()
        opp = await service.get_opportunity(session, opp.id)
        if opp.status in ("cancelled", "unsuccessful"):
            continue
        allowed = allowed or bool(await service.capacities(session, user, opp) & service.REVIEWERS)
        if not service.is_closed(opp):
            raise errors.bids_sealed()
        items.extend(await service.rank(session, opp))
    if not allowed and user.role != "manager":
        raise forbidden("只有采购方、公益经理人和评审专家可以查看排名",
                        "Only the buyer, managers and the panel may read the ranking",
                        code="not_allowed")
    items.sort(key=lambda r: (r.weighted_score is None, -(r.weighted_score or 0), r.bid.price_fen, r.bid.submitted_at))
    for i, r in enumerate(items, 1):
        r.rank = i
    return items
