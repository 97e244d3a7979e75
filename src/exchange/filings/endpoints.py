"""Filing resident groups (孵化 / 备案) over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import Role
from exchange.errors import not_found, problems
from exchange.filings import flows, service
from exchange.filings.models import FilingStatus
from exchange.filings.repository import FilingRepository
from exchange.filings.schemas import DecisionIn, FilingCreate, FilingList, FilingOut
from exchange.kit.http import Session, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.participation.parties import community_area

router = APIRouter(route_class=UnitOfWorkRoute, tags=["participation"])


@router.get("/filings", response_model=FilingList, operation_id="listFilings", responses=problems(401, 422))
async def list_filings(
    session: Session, user: CurrentUser,
    status: Annotated[FilingStatus | None, Query()] = None,
    region: Annotated[str | None, Query(max_length=32, description="Filings at or under this region")] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> FilingList:
    """Filings, newest first: admins and managers see all, a community committee those of its area,
    everyone else their own applications."""
    repo = FilingRepository(session)
    if user.role in (Role.admin, Role.manager):
        page = await repo.page(under=region, applicant_id=None, status=status, limit=limit, cursor=cursor)
    elif user.role == Role.community:
        area = await community_area(session, user)
        page = await repo.page(under=area or "-", applicant_id=None, status=status, limit=limit, cursor=cursor)
    else:
        page = await repo.page(under=region, applicant_id=user.id, status=status, limit=limit, cursor=cursor)
    return FilingList(items=[FilingOut.model_validate(f) for f in page.items], next_cursor=page.next_cursor)


@router.post("/filings", response_model=FilingOut, status_code=201, operation_id="createFiling",
             responses=problems(401, 403, 409, 422))
async def create_filing(body: FilingCreate, user: CurrentUser, session: Session, response: Response) -> FilingOut:
    """A resident group applies to be filed (`community_filed` or `subdistrict_filed`), by a resident or its
    community committee; it is `in_review`."""
    filing = await service.create(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, filing.version, f"/filings/{filing.id}")
    return FilingOut.model_validate(filing)


@router.get("/filings/{filing_id}", response_model=FilingOut, operation_id="getFiling", responses=problems(401, 404))
async def get_filing(filing_id: str, user: CurrentUser, session: Session, response: Response) -> FilingOut:
    """One filing (its applicant, the committee of its place, managers, admins; 404 for others)."""
    filing = await service.get_or_404(session, parse_uuid(filing_id, "filing"))
    if not await service.may_read(session, user, filing):
        raise not_found("filing")
    resource_headers(response, filing.version)
    return FilingOut.model_validate(filing)


@router.post("/filings/{filing_id}/approve", response_model=FilingOut, operation_id="approveFiling",
             responses=problems(401, 403, 404, 409, 422))
async def approve_filing(filing_id: str, user: CurrentUser, session: Session, response: Response,
                         body: DecisionIn | None = None) -> FilingOut:
    """The community committee (for `community_filed`) or an admin approves: the organization is created with
    its registration level and function type, and a resident applicant becomes its user."""
    filing = await flows.approve(session, user=user, filing_id=parse_uuid(filing_id, "filing"),
                                 reason=body.reason if body else None)
    resource_headers(response, filing.version)
    return FilingOut.model_validate(filing)


@router.post("/filings/{filing_id}/reject", response_model=FilingOut, operation_id="rejectFiling",
             responses=problems(401, 403, 404, 409, 422))
async def reject_filing(filing_id: str, body: DecisionIn, user: CurrentUser, session: Session,
                        response: Response) -> FilingOut:
    """The community committee (for `community_filed`) or an admin rejects, with a `reason`."""
    filing = await service.decide(session, user=user, filing_id=parse_uuid(filing_id, "filing"), action="reject",
                                  reason=body.reason)
    resource_headers(response, filing.version)
    return FilingOut.model_validate(filing)
