"""HTTP endpoints of deals: creation, signatures, milestones, supervision, closing, evaluation."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.deps import CurrentUser
from exchange.deals import grants, money, service
from exchange.deals.models import Deal
from exchange.deals.repository import DealRepository
from exchange.deals.schemas import (
    ClosingReportIn,
    DealCreate,
    DealDetail,
    DealList,
    DealOut,
    EvaluationIn,
    GrantCreate,
    HistoryItem,
    MilestoneOut,
    ReasonIn,
    ReportIn,
    SupervisionIn,
    SupervisionOut,
)
from exchange.documents.models import OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import document_out
from exchange.errors import forbidden, problems
from exchange.kit.http import Session, resource_headers
from exchange.kit.idempotency import IDEMPOTENT
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["deals"])


def _jsonable(item: Any) -> dict[str, Any]:
    if hasattr(item, "model_dump"):
        return dict(item.model_dump(mode="json"))
    return dict(item)


async def detail(session: AsyncSession, deal: Deal, response: Response | None = None) -> DealDetail:
    repo = DealRepository(session)
    out = DealDetail.model_validate(deal)
    out.milestones = [MilestoneOut.model_validate(m) for m in await repo.milestones(deal.id)]
    documents = [document_out(d) for d in await DocumentRepository(session).for_owner(OwnerType.deal, deal.id)]
    out.documents = documents
    for m in out.milestones:
        m.documents = [d for d in documents if d.milestone_id == m.id]
    out.supervisions = [SupervisionOut(id=s.id, deal_id=s.deal_id, date=s.visited_on, findings=s.findings, rating=s.rating,
                                       supervisor_id=s.supervisor_id) for s in await repo.supervisions(deal.id)]
    out.payments = [_jsonable(p) for p in await money.deal_payments(session, deal.id)]
    out.money = await money.deal_money(session, deal.id)
    ids = [deal.id] + ([deal.award_id] if deal.award_id else [])
    out.history = [HistoryItem(id=e.id, at=e.at, actor_id=e.actor_id, action=e.action, entity_type=e.entity_type,
                               entity_id=e.entity_id, summary=e.summary) for e in await repo.history(ids)]
    if response is not None:
        resource_headers(response, deal.version)
    return out


@router.post("/deals", operation_id="createDeal",
             status_code=201, response_model=DealDetail, responses=problems(401, 403, 409, 422))
async def create_deal(body: DealCreate, user: CurrentUser, session: Session, response: Response) -> DealDetail:
    """A deal from a final award (`award_id`), or brokered by a manager (`need_id` or `opportunity_id`,
    `organization_id`, `fund_id`); milestone amounts sum to `amount_fen`."""
    deal = await service.create(session, user, body)
    resource_headers(response, deal.version, f"/deals/{deal.id}")
    return await detail(session, deal)


@router.get("/deals", operation_id="listDeals", response_model=DealList, responses=problems(401, 403, 422))
async def list_deals(user: CurrentUser, session: Session, status: str | None = Query(None, max_length=30),
                     limit: int = LimitParam, cursor: str | None = CursorParam) -> DealList:
    """Deals: a party sees its organization's; managers, evaluators and admins see all."""
    return await deals_page(session, user, status=status, limit=limit, cursor=cursor)


async def deals_page(session: Session, user: CurrentUser, *, status: str | None, limit: int,
                     cursor: str | None) -> DealList:
    """One page of deals as the caller may see them (the list endpoint and its export)."""
    staff = user.role in ("admin", "manager", "evaluator")
    if not staff and (user.role not in service.PARTY_ROLES or user.organization_id is None):
        raise forbidden(code="role_not_allowed")
    page = await DealRepository(session).page(organization_id=user.organization_id, restrict=not staff, status=status,
                                              limit=limit, cursor=cursor)
    milestones = await DealRepository(session).milestones_of([d.id for d in page.items])
    items = []
    for deal in page.items:
        out = DealOut.model_validate(deal)
        out.milestones = [MilestoneOut.model_validate(m) for m in milestones[deal.id]]
        items.append(out)
    return DealList(items=items, next_cursor=page.next_cursor)


@router.get("/deals/{deal_id}", operation_id="getDeal", response_model=DealDetail, responses=problems(401, 404))
async def read_deal(deal_id: str, user: CurrentUser, session: Session, response: Response) -> DealDetail:
    """The deal with its milestones, payments, supervision visits and its history (every event)."""
    return await detail(session, await service.get_deal(session, user, parse_uuid(deal_id, "deal")), response)


@router.post("/deals/{deal_id}/sign", operation_id="signDeal", response_model=DealDetail, openapi_extra=IDEMPOTENT,
             responses=problems(401, 403, 404, 409))
async def sign(deal_id: str, user: CurrentUser, session: Session, response: Response) -> DealDetail:
    """Sign for one's party; the deal becomes active (and its money committed) when both have signed."""
    return await detail(session, await service.sign(session, user, parse_uuid(deal_id, "deal")), response)


def _ids(deal_id: str, milestone_id: str) -> tuple[uuid.UUID, uuid.UUID]:
    return parse_uuid(deal_id, "deal"), parse_uuid(milestone_id, "milestone")


@router.post("/deals/{deal_id}/milestones/{milestone_id}/report", operation_id="reportMilestone", response_model=DealDetail,
             responses=problems(401, 403, 404, 409, 422))
async def report(deal_id: str, milestone_id: str, body: ReportIn, user: CurrentUser, session: Session) -> DealDetail:
    """The organization reports a milestone with evidence."""
    deal = await service.milestone_move(session, user, *_ids(deal_id, milestone_id), "report", body.model_dump())
    return await detail(session, deal)


@router.post("/deals/{deal_id}/milestones/{milestone_id}/accept", operation_id="acceptMilestone",
             response_model=DealDetail, openapi_extra=IDEMPOTENT,
             responses=problems(401, 403, 404, 409))
async def accept(deal_id: str, milestone_id: str, user: CurrentUser, session: Session) -> DealDetail:
    """Accept a reported milestone: pays its tranche at once, except the last one's (held for the evaluation)."""
    deal = await service.milestone_move(session, user, *_ids(deal_id, milestone_id), "accept", {})
    return await detail(session, deal)


@router.post("/deals/{deal_id}/milestones/{milestone_id}/reject", operation_id="rejectMilestone", response_model=DealDetail,
             responses=problems(401, 403, 404, 409, 422))
async def reject(deal_id: str, milestone_id: str, body: ReasonIn, user: CurrentUser, session: Session) -> DealDetail:
    """Reject a reported milestone with reasons; the organization may report it again."""
    deal = await service.milestone_move(session, user, *_ids(deal_id, milestone_id), "reject", body.model_dump())
    return await detail(session, deal)


@router.post("/deals/{deal_id}/supervisions", operation_id="addSupervision", status_code=201, response_model=SupervisionOut,
             responses=problems(401, 403, 404, 409, 422))
async def supervise(deal_id: str, body: SupervisionIn, user: CurrentUser, session: Session) -> SupervisionOut:
    """Record a supervision visit (督导) with findings and a rating 1–5."""
    s = await service.supervise(session, user, parse_uuid(deal_id, "deal"), body.model_dump())
    return SupervisionOut(id=s.id, deal_id=s.deal_id, date=s.visited_on, findings=s.findings, rating=s.rating,
                          supervisor_id=s.supervisor_id)


@router.post("/deals/{deal_id}/closing-report", operation_id="submitClosingReport",
             response_model=DealDetail, responses=problems(401, 403, 404, 409, 422))
async def closing_report(deal_id: str, body: ClosingReportIn, user: CurrentUser, session: Session) -> DealDetail:
    """The closing report (结项报告), once every milestone is accepted; the deal is delivered."""
    return await detail(session, await service.closing_report(session, user, parse_uuid(deal_id, "deal"), body.model_dump()))


@router.post("/deals/{deal_id}/evaluation", operation_id="evaluateDeal", response_model=DealDetail, openapi_extra=IDEMPOTENT,
             responses=problems(401, 403, 404, 409, 422))
async def evaluation(deal_id: str, body: EvaluationIn, user: CurrentUser, session: Session) -> DealDetail:
    """Third-party evaluation: pass or better pays the held last tranche, `fail` releases it."""
    return await detail(session, await service.evaluate(session, user, parse_uuid(deal_id, "deal"), body.model_dump()))


@router.post("/deals/{deal_id}/close", operation_id="closeDeal",
             response_model=DealDetail, responses=problems(401, 403, 404, 409))
async def close(deal_id: str, user: CurrentUser, session: Session) -> DealDetail:
    """Close an evaluated deal; its opportunity closes and leftover earmarks return to the fund."""
    return await detail(session, await service.close(session, user, parse_uuid(deal_id, "deal")))


@router.post("/deals/{deal_id}/terminate", operation_id="terminateDeal", response_model=DealDetail, openapi_extra=IDEMPOTENT,
             responses=problems(401, 403, 404, 409, 422))
async def terminate(deal_id: str, body: ReasonIn, user: CurrentUser, session: Session) -> DealDetail:
    """Terminate with a reason; unpaid money goes back to the fund."""
    return await detail(session, await service.terminate(session, user, parse_uuid(deal_id, "deal"), body.reason))


@router.post("/grants", operation_id="createSeedGrant", status_code=201, response_model=DealDetail,
             responses=problems(401, 403, 409, 422), openapi_extra=IDEMPOTENT)
async def create_seed_grant(body: GrantCreate, request: Request, user: CurrentUser, session: Session,
                            response: Response) -> DealDetail:
    """A seed grant (种子金) from a fund to a social organization (managers): a one-milestone deal of at most
    `EXCHANGE_SEED_GRANT_MAX_FEN`, signed for the fund in the same request; the organization's signature
    activates it and commits the money."""
    deal = await grants.award(session, user, body.model_dump(), request.app.state.settings.seed_grant_max_fen)
    resource_headers(response, deal.version, f"/deals/{deal.id}")
    return await detail(session, deal)

