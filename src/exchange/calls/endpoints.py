"""Venture-philanthropy calls and their applications over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.calls import service
from exchange.calls.models import Application
from exchange.calls.schemas import (
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    CallList,
    CallSummary,
    DecisionIn,
    RoadshowScoreIn,
    ScreenIn,
)
from exchange.errors import problems
from exchange.kit.http import Session, resource_headers
from exchange.kit.idempotency import IDEMPOTENT
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["calls"])


def application_out(application: Application) -> ApplicationOut:
    out = ApplicationOut.model_validate(application)
    out.roadshow_scores_counted = len(application.roadshow_scores or {})
    return out


@router.get("/calls", response_model=CallList, operation_id="listCalls", responses=problems(422))
async def list_calls(session: Session, limit: int = LimitParam, cursor: str | None = CursorParam) -> CallList:
    """Venture-philanthropy calls (公益创投), newest first, with their budgets and what has been granted."""
    page, granted = await service.calls(session, limit=limit, cursor=cursor)
    items = [CallSummary(id=c.id, title=c.title, description=c.description, bid_deadline=c.bid_deadline,
                         budget_fen=c.budget_fen, fund_id=c.fund_id, created_at=c.created_at,
                         applications=granted.get(c.id, (0, 0))[0], funded_fen=granted.get(c.id, (0, 0))[1])
             for c in page.items]
    return CallList(items=items, next_cursor=page.next_cursor)


@router.post("/calls/{call_id}/applications", response_model=ApplicationOut, status_code=201,
             operation_id="applyToCall", responses=problems(401, 403, 404, 409, 422))
async def apply(call_id: str, body: ApplicationIn, user: CurrentUser, session: Session, response: Response) -> ApplicationOut:
    """An organization applies with `title`, `plan` and `amount_fen`, once, before the call's deadline."""
    application = await service.apply(session, user, parse_uuid(call_id, "call"), body.model_dump())
    resource_headers(response, application.version, f"/applications/{application.id}")
    return application_out(application)


@router.get("/calls/{call_id}/applications", response_model=ApplicationList, operation_id="listApplications",
            responses=problems(401, 404))
async def list_applications(call_id: str, user: OptionalUser, session: Session) -> ApplicationList:
    """All applications for managers, admins, the call's panel and its buyer; an organization sees its own;
    everyone sees the funded ones (立项公示)."""
    items = await service.of_call(session, user, parse_uuid(call_id, "call"))
    return ApplicationList(items=[application_out(a) for a in items])


@router.get("/applications/{application_id}", response_model=ApplicationOut, operation_id="getApplication",
            responses=problems(401, 404))
async def get_application(application_id: str, user: OptionalUser, session: Session, response: Response) -> ApplicationOut:
    """One application, to those who may see it (404 otherwise)."""
    application = await service.read(session, user, parse_uuid(application_id, "application"))
    resource_headers(response, application.version)
    return application_out(application)


@router.post("/applications/{application_id}/screen", response_model=ApplicationOut, operation_id="screenApplication",
             responses=problems(401, 403, 404, 409, 422))
async def screen(application_id: str, body: ScreenIn, user: CurrentUser, session: Session) -> ApplicationOut:
    """A manager screens an application after the deadline (初审): to the roadshow, or out."""
    return application_out(await service.screen(session, user, parse_uuid(application_id, "application"),
                                                body.passed, body.note))


@router.post("/applications/{application_id}/roadshow-scores", response_model=ApplicationOut,
             operation_id="scoreApplication", responses=problems(401, 403, 404, 409, 422))
async def roadshow_score(application_id: str, body: RoadshowScoreIn, user: CurrentUser, session: Session) -> ApplicationOut:
    """A manager or an expert of the call's panel scores the roadshow (路演) 0–100; one score per scorer,
    the application shows their mean."""
    return application_out(await service.score(session, user, parse_uuid(application_id, "application"),
                                               body.score, body.comment))


@router.post("/applications/{application_id}/decide", response_model=ApplicationOut, operation_id="decideApplication",
             responses=problems(401, 403, 404, 409, 422), openapi_extra=IDEMPOTENT)
async def decide(application_id: str, body: DecisionIn, user: CurrentUser, session: Session) -> ApplicationOut:
    """A manager funds (with the deal's `milestones`, within what is left of the call's budget: 409
    `call_budget_exceeded` otherwise) or declines a shortlisted application. Funding makes a deal from the
    call's fund, signed for the fund; the organization's signature activates it."""
    return application_out(await service.decide(session, user, parse_uuid(application_id, "application"), body.decision,
                                                body.amount_fen, body.reason, body.milestones))
