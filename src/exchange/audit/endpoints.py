"""The audit trail over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from exchange.accounts.deps import OptionalUser
from exchange.audit import service
from exchange.audit.repository import AuditRepository
from exchange.audit.schemas import AuditEventList, AuditEventOut, AuditVerification
from exchange.errors import ExchangeError, forbidden, problems
from exchange.kit import ratelimit
from exchange.kit.http import Session, client_address
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.privacy import redaction

router = APIRouter(route_class=UnitOfWorkRoute, tags=["transparency"])


@router.get("/audit/events", response_model=AuditEventList, operation_id="listAuditEvents", responses=problems(401, 422))
async def list_events(
    session: Session, user: OptionalUser,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    entity_type: Annotated[str | None, Query(max_length=40)] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> AuditEventList:
    """Who did what when, newest first. Admins and managers see every event as recorded; everyone
    else the events about published items, without the actor and with house numbers and phone
    numbers masked in their summaries (residents' personal data is not public)."""
    staff = user is not None and user.is_staff
    page = await AuditRepository(session).page(
        entity_id=entity_id, entity_type=entity_type, public_only=not staff, limit=limit, cursor=cursor
    )
    items = [AuditEventOut.model_validate(redaction.audit_event_for(user, AuditEventOut.model_validate(e).model_dump()))
             for e in page.items]
    return AuditEventList(items=items, next_cursor=page.next_cursor)


async def verify_quota(request: Request) -> None:
    """Verification is open to everyone, so it is rate-limited per address (across every process)."""
    verdict = await ratelimit.hit(request.app.state.session_factory, f"audit-verify:{client_address(request)}",
                                  limit=request.app.state.settings.audit_verify_rate_per_minute, window=60)
    if not verdict.allowed:
        raise ExchangeError("too_many_requests", 429, "请求过于频繁，请稍后再试", "Too many requests; try again shortly",
                            headers={"Retry-After": str(int(verdict.retry_after) + 1)})


@router.get("/audit/verify", response_model=AuditVerification, operation_id="verifyAuditChain",
            responses=problems(401, 403, 422, 429))
async def verify(
    _quota: Annotated[None, Depends(verify_quota)], session: Session, user: OptionalUser,
    full: Annotated[bool, Query(description="Walk from the first event instead of the last checkpoint (admins)")] = False,
) -> AuditVerification:
    """Check the hash chain up to its recorded head and report the first broken link, if any.

    The walk starts at the last verified checkpoint (whose event must still carry its hash), so it
    costs only the events added since; `full=true` (admins) walks from the first event. Deleting the
    newest events is found too: the chain must end at the recorded head."""
    if full and (user is None or user.role != "admin"):
        raise forbidden("只有管理员可以从头校验", "Only admins may ask for a full walk", code="role_not_allowed")
    result = await service.verify(session, full=full)
    return AuditVerification(intact=result.intact, events=result.events, first_broken_id=result.first_broken_id,
                             reason=result.reason, verified_from=result.verified_from)
