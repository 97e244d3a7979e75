"""The organizations registry over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from exchange.accounts.deps import AdminUser, CurrentUser, OptionalUser
from exchange.errors import problems
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

router = APIRouter(route_class=UnitOfWorkRoute, tags=["organizations"])


@router.get("/organizations", response_model=OrganizationList, operation_id="listOrganizations",
            responses=problems(401, 422))
async def list_organizations(
    session: Session, user: OptionalUser,
    kind: Kind | None = None, registration: Registration | None = None,
    min_a_level: Annotated[int | None, Query(ge=0, le=5)] = None,
    region: Annotated[str | None, Query(max_length=32, description="Based in this region or under it")] = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> OrganizationList:
    """The registry, by name; contact details only for signed-in users."""
    return await service.list_page(
        session, user, kind=kind.value if kind else None, registration=registration.value if registration else None,
        min_a_level=min_a_level, region=region, q=q, limit=limit, cursor=cursor)


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
            tags=["stats"])
async def get_organization_stats(session: Session) -> OrganizationStats:
    """Organizations by community and by kind, legal form and registration (public)."""
    return await stats.organization_stats(session)
