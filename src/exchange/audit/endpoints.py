"""The audit trail over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.accounts.deps import OptionalUser
from exchange.audit import service
from exchange.audit.repository import AuditRepository
from exchange.audit.schemas import AuditEventList, AuditEventOut, AuditVerification
from exchange.errors import problems
from exchange.kit.http import Session
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["transparency"])


@router.get("/audit/events", response_model=AuditEventList, operation_id="listAuditEvents", responses=problems(401, 422))
async def list_events(
    session: Session, user: OptionalUser,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    entity_type: Annotated[str | None, Query(max_length=40)] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> AuditEventList:
    """Who did what when, newest first. Admins and managers see every event; everyone else the
    events about published items."""
    staff = user is not None and user.is_staff
    page = await AuditRepository(session).page(
        entity_id=entity_id, entity_type=entity_type, public_only=not staff, limit=limit, cursor=cursor
    )
    return AuditEventList(items=[AuditEventOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/audit/verify", response_model=AuditVerification, operation_id="verifyAuditChain")
async def verify(session: Session) -> AuditVerification:
    """Walk the hash chain end to end and report the first broken link, if any."""
    result = await service.verify(session)
    return AuditVerification(intact=result.intact, events=result.events, first_broken_id=result.first_broken_id)
