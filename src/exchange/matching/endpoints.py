"""Matching over HTTP (api.md, "Matching")."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from exchange.accounts.deps import OptionalUser, require_roles, unauthenticated
from exchange.accounts.models import Role, User
from exchange.errors import ExchangeError, problems
from exchange.kit import ratelimit
from exchange.kit.http import Session, client_address, token_subject
from exchange.kit.ids import parse_uuid
from exchange.kit.routing import UnitOfWorkRoute
from exchange.matching import service
from exchange.matching.repository import MatchingRepository
from exchange.matching.runtime import MatchingRuntime
from exchange.matching.schemas import FeedbackIn, FeedbackList, FeedbackOut, MatchList, MatchOut, SearchIn
from exchange.matching.skills import merge, skills_for_need
from exchange.needs import service as needs

router = APIRouter(route_class=UnitOfWorkRoute, tags=["matching"])

Limit = Annotated[int, Query(ge=1, le=100, description="How many results (at most 100)")]
IncludeIneligible = Annotated[bool, Query(description="Also list candidates that fail a hard rule, after the eligible ones")]
Staff = Annotated[User, Depends(require_roles(Role.manager, Role.admin))]


def _runtime(request: Request) -> MatchingRuntime:
    return request.app.state.matching


def _answer(items: list[MatchOut]) -> Response:
    """A match list serialised once, by pydantic's own serializer: the items are built from typed
    columns and the engine's figures, so FastAPI's second validation of the response is skipped."""
    return Response(MatchList.model_construct(items=items).model_dump_json(), media_type="application/json")


@router.get("/needs/{need_id}/matches", response_model=MatchList, operation_id="matchNeed",
            responses=problems(401, 404, 422))
async def match_need(need_id: str, request: Request, session: Session, user: OptionalUser,
                     limit: Limit = 10, include_ineligible: IncludeIneligible = False,
                     include: Annotated[Literal["skills"] | None, Query(
                         description="`skills`: also neighbours' skills (能人库) that reach the need (signed-in users)")] = None,
                     ) -> Response:
    """Published offers that fit this need, best first, each with the reasons for its score;
    with `include=skills` also residents' skills (kind `skill`) offered at the need's place or around it."""
    if include == "skills" and user is None:
        raise unauthenticated("查看居民能力需要登录", "Residents' skills are for signed-in users")
    items = await service.for_need(session, _runtime(request), user=user, need_id=parse_uuid(need_id, "need"),
                                   limit=limit, include_ineligible=include_ineligible)
    if include == "skills":
        need = await needs.get_or_404(session, parse_uuid(need_id, "need"))
        items = merge(items, await skills_for_need(session, _runtime(request), need, limit), limit)
    return _answer(items)


@router.get("/opportunities/{opportunity_id}/matches", response_model=MatchList, operation_id="matchOpportunity",
            responses=problems(401, 404, 422))
async def match_opportunity(opportunity_id: str, request: Request, session: Session, user: OptionalUser,
                            limit: Limit = 10, include_ineligible: IncludeIneligible = False) -> Response:
    """Published offers of organizations that could take on this opportunity; its eligibility is a hard rule."""
    items = await service.for_opportunity(session, _runtime(request), user=user,
                                          opportunity_id=parse_uuid(opportunity_id, "opportunity"),
                                          limit=limit, include_ineligible=include_ineligible)
    return _answer(items)


@router.get("/offers/{offer_id}/matches", response_model=MatchList, operation_id="matchOffer",
            responses=problems(401, 404, 422))
async def match_offer(offer_id: str, request: Request, session: Session, user: OptionalUser,
                      limit: Limit = 10, include_ineligible: IncludeIneligible = False) -> Response:
    """Open opportunities and resident needs this offer could answer."""
    items = await service.for_offer(session, _runtime(request), user=user, offer_id=parse_uuid(offer_id, "offer"),
                                    limit=limit, include_ineligible=include_ineligible)
    return _answer(items)


async def search_quota(request: Request) -> None:
    """Counts the search per signed-in user (from the token's subject) or per address, across every
    server process; runs before anything reads the database in this request."""
    subject = token_subject(request)
    key = f"search:u:{subject}" if subject else f"search:ip:{client_address(request)}"
    verdict = await ratelimit.hit(request.app.state.session_factory, key,
                                  limit=request.app.state.settings.search_rate_per_minute, window=60)
    if not verdict.allowed:
        raise ExchangeError("too_many_searches", 429, "搜索过于频繁，请稍后再试", "Too many searches; try again shortly",
                            headers={"Retry-After": str(int(verdict.retry_after) + 1)})


@router.post("/matches/search", response_model=MatchList, operation_id="searchMatches",
             responses=problems(401, 422, 429))
async def search(_quota: Annotated[None, Depends(search_quota)], body: SearchIn, request: Request, session: Session,
                 user: OptionalUser) -> Response:
    """Ad hoc: rank published offers for free text (resident speech is fine), with optional structure.
    A `region_code` applies the reach rule as a need does. Rate-limited per user or address."""
    return _answer(await service.search(session, _runtime(request), body))


@router.post("/matches/feedback", response_model=FeedbackOut, status_code=201, operation_id="recordMatchFeedback",
             responses=problems(401, 403, 422))
async def feedback(body: FeedbackIn, user: Staff, session: Session) -> FeedbackOut:
    """A public-benefit manager's verdict on a suggested match (good/bad), stored for tuning."""
    return FeedbackOut.model_validate(await service.record_feedback(session, user=user, body=body))


@router.get("/matches/feedback", response_model=FeedbackList, operation_id="listMatchFeedback",
            responses=problems(401, 403))
async def list_feedback(user: Staff, session: Session,
                        limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> FeedbackList:
    """Recorded verdicts, newest first (managers, admins)."""
    rows = await MatchingRepository(session).feedback(limit)
    return FeedbackList(items=[FeedbackOut.model_validate(r) for r in rows])
