"""The organizations registry over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from exchange.accounts.deps import AdminUser, CurrentUser, OptionalUser
from exchange.errors import problems
from exchange.kit.clock import now
from exchange.kit.http import Session, check_if_match, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.organizations import flows, service, stats
from exchange.organizations.models import Kind, Registration
from exchange.organizations.schemas import (
    OrganizationCreate,
    OrganizationList,
    OrganizationOut,
    OrganizationStats,
    OrganizationUpdate,
    RatingOut,
)
from exchange.sheets.writer import XLSX_RESPONSES, StatsFormat, xlsx_response

router = APIRouter(route_class=UnitOfWorkRoute, tags=["organizations"])


@dataclass
class OrganizationFilters:
    kind: Kind | None = None
    registration: Registration | None = None
    min_a_level: int | None = None
    region: str | None = None
    q: str | None = None


async def organization_filters(
    kind: Kind | None = None, registration: Registration | None = None,
    min_a_level: Annotated[int | None, Query(ge=0, le=5)] = None,
    region: Annotated[str | None, Query(max_length=32, description="Based in this region or under it")] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
) -> OrganizationFilters:
    """The registry's filters (``GET /organizations`` and its export)."""
    return OrganizationFilters(kind, registration, min_a_level, region, q)


async def organizations_page(session: Session, user: OptionalUser, f: OrganizationFilters, *, limit: int,
                             cursor: str | None) -> OrganizationList:
    """One page of the registry as the caller may see it (the list endpoint and its export)."""
    return await service.list_page(
        session, user, kind=f.kind.value if f.kind else None, registration=f.registration.value if f.registration else None,
        min_a_level=f.min_a_level, region=f.region, q=f.q, limit=limit, cursor=cursor)


@router.get("/organizations", response_model=OrganizationList, operation_id="listOrganizations",
            responses=problems(401, 422))
async def list_organizations(
    session: Session, user: OptionalUser, f: Annotated[OrganizationFilters, Depends(organization_filters)],
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> OrganizationList:
    """The registry, by name; contact details only for signed-in users."""
    return await organizations_page(session, user, f, limit=limit, cursor=cursor)


@router.post("/organizations", response_model=OrganizationOut, status_code=201, operation_id="createOrganization",
             responses=problems(401, 403, 409, 422))
async def create_organization(body: OrganizationCreate, admin: AdminUser, session: Session,
                              response: Response) -> OrganizationOut:
    """Register an organization (admin). A registered one needs a valid unified social credit code."""
    org = await service.create(session, actor_id=admin.id, data=body.model_dump(mode="python"))
    resource_headers(response, org.version, f"/organizations/{org.id}")
    return service.present(org, signed_in=True)


@router.get("/organizations/{org_id}", response_model=OrganizationOut, operation_id="getOrganization",
            responses=problems(401, 404))
async def get_organization(org_id: str, session: Session, user: OptionalUser, response: Response) -> OrganizationOut:
    """One organization; contact details only for signed-in users."""
    org = await service.get_or_404(session, parse_uuid(org_id, "organization"))
    resource_headers(response, org.version)
    return service.present(org, signed_in=user is not None)


@router.patch("/organizations/{org_id}", response_model=OrganizationOut, operation_id="updateOrganization",
              responses=problems(401, 403, 404, 409, 412, 422))
async def update_organization(org_id: str, body: OrganizationUpdate, request: Request, user: CurrentUser,
                              session: Session, response: Response) -> OrganizationOut:
    """Change an organization: admins anything, its own users their profile. Honours ``If-Match``."""
    org = await service.get_or_404(session, parse_uuid(org_id, "organization"))
    check_if_match(request, org.version)
    org = await service.update(session, user=user, org=org, changes=body.model_dump(mode="python", exclude_unset=True))
    resource_headers(response, org.version)
    return service.present(org, signed_in=True)


@router.get("/organizations/{org_id}/rating", response_model=RatingOut, operation_id="getOrganizationRating",
            responses=problems(404))
async def get_rating(org_id: str, session: Session) -> RatingOut:
    """The organization's star rating (评星定级): 1–5 stars and the four dimensions activity, standardization,
    coverage and influence (0–100 each), each with the inputs and the formula it was computed from."""
    org = await service.get_or_404(session, parse_uuid(org_id, "organization"))
    return await flows.rating_out(session, org)


@router.get("/stats/organizations", response_model=OrganizationStats, operation_id="getOrganizationStats",
            tags=["stats"], responses=XLSX_RESPONSES)
async def get_organization_stats(session: Session, format: StatsFormat = "json") -> Any:
    """Organizations by community and by kind, legal form and registration, and the offices' table of
    communities × function types with totals and shares (public). `format=xlsx`: the tables as sheets."""
    result = await stats.organization_stats(session)
    if format == "xlsx":
        return xlsx_response(stats.as_tables(result, now()), "社会组织统计.xlsx", "organization-stats.xlsx")
    return result
