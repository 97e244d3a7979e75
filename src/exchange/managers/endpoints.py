"""The managers' work over HTTP: consultations and KPIs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from exchange.accounts.deps import CurrentUser
from exchange.errors import problems
from exchange.kit.clock import now
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.managers import service, sheets
from exchange.managers.models import ConsultationKind
from exchange.managers.schemas import ConsultationCreate, ConsultationList, ConsultationOut, KpisOut
from exchange.sheets.writer import XLSX_RESPONSES, StatsFormat, xlsx_response

router = APIRouter(route_class=UnitOfWorkRoute, tags=["managers"])

From = Annotated[dt.datetime | None, Query(alias="from", description="Start of the period (inclusive); naive times are UTC")]
To = Annotated[dt.datetime | None, Query(alias="to", description="End of the period (exclusive); default now")]


@router.get("/consultations", response_model=ConsultationList, operation_id="listConsultations",
            responses=problems(401, 403, 422))
async def list_consultations(
    user: CurrentUser, session: Session, start: From = None, end: To = None,
    manager_id: uuid.UUID | None = None, kind: ConsultationKind | None = None,
    party_organization_id: uuid.UUID | None = None, need_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None, limit: int = LimitParam, cursor: str | None = CursorParam,
) -> ConsultationList:
    """Managers' consultations, pre-studies, needs justifications, reviews and supervision notes, newest first
    (managers and admins)."""
    filters = {"manager_id": manager_id, "kind": kind.value if kind else None,
               "party_organization_id": party_organization_id, "need_id": need_id, "opportunity_id": opportunity_id}
    page = await service.page(session, user, filters=filters, start=start, end=end, limit=limit, cursor=cursor)
    return ConsultationList(items=[ConsultationOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor)


@router.post("/consultations", response_model=ConsultationOut, status_code=201, operation_id="recordConsultation",
             responses=problems(401, 403, 422))
async def record_consultation(body: ConsultationCreate, user: CurrentUser, session: Session,
                              response: Response) -> ConsultationOut:
    """A manager records a piece of work (`kind`), what it concerns and its outcome."""
    item = await service.record(session, user, body.model_dump())
    response.headers["Location"] = f"/api/v1/consultations/{item.id}"
    return ConsultationOut.model_validate(item)


@router.get("/consultations/{consultation_id}", response_model=ConsultationOut, operation_id="getConsultation",
            responses=problems(401, 403, 404))
async def get_consultation(consultation_id: str, user: CurrentUser, session: Session) -> ConsultationOut:
    """One work record (managers and admins)."""
    return ConsultationOut.model_validate(await service.get(session, user, parse_uuid(consultation_id, "consultation")))


@router.get("/managers/{manager_id}/kpis", response_model=KpisOut, response_model_by_alias=True,
            operation_id="getManagerKpis", responses={**problems(401, 403, 404, 422), **XLSX_RESPONSES})
async def manager_kpis(manager_id: str, user: CurrentUser, session: Session, start: From = None,
                       end: To = None, format: StatsFormat = "json") -> Any:
    """What a manager achieved in `[from, to)` (default: the last 90 days): deals brokered and their value,
    tranches paid on them, needs converted and resolved, the median days from a need's posting to its
    claim in the manager's area, and consultations by kind (managers and admins). `format=xlsx`: the same
    figures as a sheet (title with the manager and the period, unit, date, money in yuan)."""
    kpis = await service.kpis(session, user, parse_uuid(manager_id, "manager"), start, end)
    if format == "xlsx":
        return xlsx_response([sheets.kpi_table(kpis, now())], f"公益经理人绩效-{kpis.display_name}.xlsx",
                             "manager-kpis.xlsx")
    return kpis
