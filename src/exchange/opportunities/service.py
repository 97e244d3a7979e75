"""Opportunity rules: who owns what, the lifecycle table, validation of terms."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.documents.models import OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import document_out, published_hashes
from exchange.errors import forbidden, invalid, not_found
from exchange.kit.clock import now
from exchange.listings import validation
from exchange.listings.permissions import allowed, authorize
from exchange.listings.states import permission_for, transition
from exchange.matching.analysis import analyse_for_storage
from exchange.opportunities.models import Opportunity
from exchange.opportunities.repository import OpportunityRepository
from exchange.opportunities.schemas import OpportunityOut
from exchange.opportunities.states import BIDDING_CLOSED, PUBLISHED, TRANSITIONS
from exchange.organizations.repository import OrganizationRepository

# Called after a move, by action name ("cancel" …): other domains react (release earmarked money …).
Hook = Callable[[AsyncSession, Opportunity, User | None], Awaitable[None]]
AFTER: dict[str, list[Hook]] = {}
# Called before an opportunity is read: time-driven moves that are due (bidding closes at its deadline …).
BeforeRead = Callable[[AsyncSession, uuid.UUID], Awaitable[int]]
BEFORE_READ: list[BeforeRead] = []
TERMS = {"budget_fen", "bid_deadline", "min_bids", "eligibility", "rubric", "standstill_days", "region_codes",
         "category", "target_groups", "description", "title"}


def owns(user: User | None, opp: Opportunity) -> bool:
    return user is not None and user.organization_id is not None and user.organization_id == opp.buyer_organization_id


def may_read(user: User | None, opp: Opportunity) -> bool:
    if opp.published_at is not None:
        return True
    return user is not None and allowed(user.role, "opportunity.read_draft", owns(user, opp))


async def get_visible(session: AsyncSession, user: User | None, opp_id: uuid.UUID, *, lock: bool = False) -> Opportunity:
    """The opportunity, or 404 when it does not exist or is a draft the user may not see."""
    repo = OpportunityRepository(session)
    for due_moves in BEFORE_READ:
        await due_moves(session, opp_id)
    opp = await (repo.get_for_update(opp_id) if lock else repo.get(opp_id))
    if opp is None or not may_read(user, opp):
        raise not_found("opportunity")
    return opp


async def _buyer_org(session: AsyncSession, user: User, requested: uuid.UUID | None) -> uuid.UUID:
    """The buyer organization of a new opportunity: a buyer's own; staff must name one that exists."""
    if user.role == Role.buyer:
        if user.organization_id is None or requested not in (None, user.organization_id):
            raise forbidden("只能为本单位发布项目机会", "A buyer publishes only for its own organization",
                            code="not_your_organization")
        return user.organization_id
    if requested is None:
        raise invalid(["body", "buyer_organization_id"], "请指定购买主体", "Name the buyer organization",
                      code="buyer_organization_required")
    if await OrganizationRepository(session).get(requested) is None:
        raise invalid(["body", "buyer_organization_id"], "购买主体不存在", "The buyer organization does not exist",
                      code="unknown_organization")
    return requested


async def create(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Opportunity:
    authorize(user, "opportunity.create", own=user.role != Role.buyer or user.organization_id is not None)
    data = dict(data)
    data["buyer_organization_id"] = await _buyer_org(session, user, data.get("buyer_organization_id"))
    await validation.check_codes(session, category=data["category"], target_groups=data["target_groups"],
                                 region_codes=data["region_codes"])
    repo = OpportunityRepository(session)
    opp = repo.add(Opportunity(id=uuid.uuid4(), created_by=user.id, status="draft", **data))
    await _index(session, opp)
    await repo.flush()
    audit.record(session, actor_id=user.id, action="opportunity.created", entity_type="opportunity", entity_id=opp.id,
                 summary={"title": opp.title, "budget_fen": opp.budget_fen})
    return opp


async def _index(session: AsyncSession, opp: Opportunity) -> None:
    opp.search_text = await OpportunityRepository(session).index.sync(
        opp.id, opp.region_codes, opp.target_groups, opp.title, opp.description)
    opp.match_analysis = analyse_for_storage(opp.title, opp.description)


def _check_publishable(opp: Opportunity) -> None:
    if opp.bid_deadline is None:
        raise invalid(["body", "bid_deadline"], "发布前须设定投标截止时间", "Set a bid deadline before publishing",
                      code="bid_deadline_required")
    validation.check_future(opp.bid_deadline)


async def update(session: AsyncSession, *, user: User, opp: Opportunity, changes: dict[str, Any]) -> Opportunity:
    authorize(user, permission_for(TRANSITIONS, "update"), owns(user, opp))
    transition(TRANSITIONS, "opportunity", opp.status, "update")
    await validation.check_codes(session, category=changes.get("category"), target_groups=changes.get("target_groups") or [],
                                 region_codes=changes.get("region_codes") or [])
    if opp.status == PUBLISHED and "bid_deadline" in changes:
        if changes["bid_deadline"] is None:
            raise invalid(["body", "bid_deadline"], "已发布的项目必须有截止时间", "A published opportunity needs a deadline",
                          code="bid_deadline_required")
        validation.check_future(changes["bid_deadline"])
    before = {k: getattr(opp, k) for k in changes}
    for key, value in changes.items():
        setattr(opp, key, value)
    if opp.status == PUBLISHED and any(before[k] != changes[k] for k in changes if k in TERMS):
        opp.terms_changed_at = now()
    if {"title", "description", "region_codes", "target_groups"} & set(changes):
        await _index(session, opp)
    await session.flush()
    audit.record(session, actor_id=user.id, action="opportunity.updated", entity_type="opportunity", entity_id=opp.id,
                 summary={"changed": sorted(changes)}, public=opp.published_at is not None)
    return opp


async def act(session: AsyncSession, *, user: User, opp: Opportunity, action: str, reason: str | None = None) -> Opportunity:
    """Apply ``publish`` or ``cancel`` (and whatever the table gains), audited."""
    authorize(user, permission_for(TRANSITIONS, action), owns(user, opp))
    step = transition(TRANSITIONS, "opportunity", opp.status, action)
    if step.to == PUBLISHED:
        _check_publishable(opp)
        opp.published_at = now()
    before = opp.status
    opp.status = step.to
    await session.flush()
    summary: dict[str, Any] = {"from": before, "to": step.to}
    if reason:
        summary["reason"] = reason
    audit.record(session, actor_id=user.id, action=f"opportunity.{action}", entity_type="opportunity", entity_id=opp.id,
                 summary=summary, public=opp.published_at is not None)
    for hook in AFTER.get(action, []):
        await hook(session, opp, user)
    return opp


async def present_many(session: AsyncSession, opps: list[Opportunity]) -> list[OpportunityOut]:
    """Read models, with the needs each answers — one query for the whole page."""
    needs = await OpportunityRepository(session).needs_of(o.id for o in opps)
    out = []
    for opp in opps:
        item = OpportunityOut.model_validate(opp)
        item.need_ids = [n for n, _ in needs[opp.id]]
        item.supporters_total = sum(s for _, s in needs[opp.id])
        out.append(item)
    return out


async def present(session: AsyncSession, opp: Opportunity, *, with_documents: bool = False) -> OpportunityOut:
    """One opportunity; ``with_documents`` adds its documents and, once bidding has closed, the
    published SHA-256 of every submitted bid document."""
    out = (await present_many(session, [opp]))[0]
    if with_documents:
        repo = DocumentRepository(session)
        out.documents = [document_out(d) for d in await repo.for_owner(OwnerType.opportunity, opp.id)]
        if opp.status in BIDDING_CLOSED:
            out.bid_documents = published_hashes(await repo.of_bids_on([opp.id]))
    return out


async def from_needs(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Opportunity:
    """以需定供: one draft opportunity from several open needs; they become ``converted`` and link to it.
    Regions, target groups and the category default to the needs'."""
    from exchange.needs import service as needs_service

    authorize(user, "opportunity.from_needs", own=False)
    data = dict(data)
    needs = await needs_service.load_open(session, data.pop("need_ids"))
    if data.get("region_codes") is None:
        data["region_codes"] = sorted({n.region_code for n in needs})
    if data.get("target_groups") is None:
        data["target_groups"] = sorted({g for n in needs for g in n.target_groups})
    if data.get("category") is None:
        categories = [n.category for n in needs if n.category]
        if not categories:
            raise invalid(["body", "category"], "需求未分类，请指定类别", "The needs have no category; give one",
                          code="category_required")
        data["category"] = max(sorted(set(categories)), key=categories.count)
    opp = await create(session, user=user, data=data)
    await needs_service.mark_converted(session, user=user, needs=needs, opportunity_id=opp.id)
    audit.record(session, actor_id=user.id, action="opportunity.from_needs", entity_type="opportunity", entity_id=opp.id,
                 summary={"need_ids": [str(n.id) for n in needs]})
    return opp
