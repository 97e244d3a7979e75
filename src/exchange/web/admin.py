"""An administrator's workspace, first part: users (search, create, deactivate and activate, reset a password),
organizations (the registry; suspend and reactivate) and regions (the tree; add one).

The pages call what the API's endpoints call, as the signed-in admin: ``accounts.service.list_users``
(``GET /users``), ``accounts.flows.create_user`` (``POST /users``), ``accounts.service.set_active``
(``POST /users/{id}/deactivate|activate``), ``accounts.service.reset_password`` (``POST /users/{id}/password-reset``),
``organizations.service.list_page/update`` (``GET /organizations``, ``PATCH /organizations/{id}`` with
``status``), ``RegionRepository.page`` and ``regions.service.create_region`` (``GET, POST /regions``).
Imports, webhooks and the audit log are in :mod:`exchange.web.admin_system`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts import flows as account_flows
from exchange.accounts import service as accounts
from exchange.accounts.models import Role, User
from exchange.accounts.schemas import UserAdminOut, UserCreate
from exchange.errors import ExchangeError
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.organizations import service as organizations
from exchange.organizations.schemas import OrganizationUpdate
from exchange.regions import service as regions
from exchange.regions.models import Level
from exchange.regions.repository import RegionRepository
from exchange.regions.schemas import RegionCreate, RegionOut
from exchange.web import auth, common
from exchange.web.i18n import Words, pick_language
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import Rejected, attempt, confirmation, for_roles, page, see_other

router = APIRouter(prefix="/workspace/admin", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
Admin = Annotated[User, for_roles(Role.admin)]
PAGE_SIZE = 20
USER_FIELDS = ("username", "password", "role", "display_name", "organization_id", "region_code")
REGION_FIELDS = ("code", "name", "level", "parent_code")
ORG_ACTIONS = {"suspend": "suspended", "reactivate": "active"}



def _english(request: Request) -> bool:
    return pick_language(request) == "en"


# -- users ----------------------------------------------------------------------------------------

@router.get("")
async def users(request: Request, session: Session, user: Admin, cursor: str | None = CursorParam,
                role: Annotated[Role | None, Query()] = None,
                q: Annotated[str | None, Query(max_length=100)] = None,
                active: Annotated[bool | None, Query()] = None) -> Response:
    """Users, newest first, searched by username or name, by role and by whether they are active (``GET /users``)."""
    found = await accounts.list_users(session, role=role, q=q, active=active, limit=PAGE_SIZE, cursor=cursor)
    query = {k: v for k, v in {"role": role.value if role else None, "q": q,
                               "active": None if active is None else str(active).lower()}.items() if v}
    return await page(request, session, user, "ws_admin_users.html", {
        "items": [UserAdminOut.model_validate(u) for u in found.items], "next_cursor": found.next_cursor,
        "cursor": cursor, "roles": [r.value for r in Role], "role": role.value if role else "", "q": q or "",
        "active": "" if active is None else str(active).lower(), "query": query,
    }, title=Words.of(request).t("users"))


async def _reference(request: Request, session: Session) -> dict[str, Any]:
    ref = await common.reference(request, session)
    orgs = await organizations.list_page(session, None, limit=200)
    return {"regions": ref.place_options, "organizations": orgs.items, "roles": [r.value for r in Role]}


async def _user_form(request: Request, session: Session, user: User, values: dict[str, str], *,
                     errors: dict[str, str] | None = None, general: str = "", status: int = 200) -> Response:
    return await page(request, session, user, "ws_admin_user_form.html", {
        "values": values, "errors": errors or {}, "general": general, **await _reference(request, session),
    }, title=Words.of(request).t("new_user"), status=status)


@router.get("/users/new")
async def user_form(request: Request, session: Session, user: Admin) -> Response:
    return await _user_form(request, session, user, {k: "" for k in USER_FIELDS} | {"role": Role.resident.value})


@router.post("/users/new")
async def create_user(request: Request, session: Session, user: Admin) -> Response:
    """Create a user of any role (``POST /users``), or the form again with the API's errors by field."""
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in USER_FIELDS}
    data = {k: v for k, v in values.items() if v != ""}
    made = await attempt(request, lambda: account_flows.create_user(
        session, actor_id=user.id, **UserCreate.model_validate(data).model_dump(mode="python")))
    if isinstance(made, Rejected):
        errors = dict(made.errors)
        if made.status == 409:  # the username is taken
            errors.setdefault("username", made.general)
        return await _user_form(request, session, user, values | {"password": ""}, errors=errors,
                                general=made.general, status=made.status)
    return see_other(f"/workspace/admin/users/{made.id}?done=user_created")


async def _user_page(request: Request, session: Session, user: User, subject: User, *,
                     temporary_password: str = "") -> Response:
    names = await common.organization_names(request, session, [subject.organization_id])
    ref = await common.reference(request, session)
    return await page(request, session, user, "ws_admin_user.html", {
        "item": UserAdminOut.model_validate(subject), "org_names": names, "region_names": ref.region_names,
        "done": request.query_params.get("done", ""), "temporary_password": temporary_password,
    }, title=subject.display_name)


@router.get("/users/{user_id}")
async def user_detail(request: Request, session: Session, user: Admin, user_id: str) -> Response:
    """One user (``GET /users/{id}``) with what an admin may do to it."""
    subject = await accounts.get_or_404(session, parse_uuid(user_id, "user"))
    return await _user_page(request, session, user, subject)


USER_STEPS = {"deactivate": ("deactivate_question", "deactivate"),
              "password-reset": ("reset_password_question", "reset_password")}


@router.get("/users/{user_id}/{action}")
async def user_step(request: Request, session: Session, user: Admin, user_id: str, action: str) -> Response:
    """Deactivating ends the user's sessions and a reset replaces its password: a page that asks first."""
    if action not in USER_STEPS:
        raise ExchangeError("not_found", 404, "路径不存在", "No such path")
    subject = await accounts.get_or_404(session, parse_uuid(user_id, "user"))
    words = Words.of(request)
    question, button = USER_STEPS[action]
    return await confirmation(request, session, user, {
        "item": {"title": f"{subject.display_name}（{subject.username}）"},
        "action": f"/workspace/admin/users/{subject.id}/{action}", "question": words.t(question),
        "button": words.t(button), "back": f"/workspace/admin/users/{subject.id}",
    })


@router.post("/users/{user_id}/{action}")
async def user_act(request: Request, session: Session, user: Admin, user_id: str, action: str) -> Response:
    """``deactivate``, ``activate`` (``POST /users/{id}/deactivate|activate``) or ``password-reset``
    (``POST /users/{id}/password-reset``: the temporary password is shown once, on the answer)."""
    if action not in ("deactivate", "activate", "password-reset"):
        raise ExchangeError("not_found", 404, "路径不存在", "No such path")
    subject = await accounts.get_or_404(session, parse_uuid(user_id, "user"), lock=True)
    if action == "password-reset":
        subject, password = await accounts.reset_password(session, actor=user, user=subject, temporary=None)
        return await _user_page(request, session, user, subject, temporary_password=password)
    await accounts.set_active(session, actor=user, user=subject, active=action == "activate")
    return see_other(f"/workspace/admin/users/{subject.id}?done={action}")


# -- organizations --------------------------------------------------------------------------------

@router.get("/organizations")
async def organization_list(request: Request, session: Session, user: Admin, cursor: str | None = CursorParam,
                            q: Annotated[str | None, Query(max_length=50)] = None) -> Response:
    """The registry by name (``GET /organizations``), with each organization's status."""
    found = await organizations.list_page(session, user, q=q, limit=PAGE_SIZE, cursor=cursor)
    return await page(request, session, user, "ws_admin_orgs.html", {
        "items": found.items, "next_cursor": found.next_cursor, "cursor": cursor, "q": q or "",
        "done": request.query_params.get("done", ""),
    }, title=Words.of(request).t("organizations"))


@router.get("/organizations/{org_id}/{action}")
async def organization_step(request: Request, session: Session, user: Admin, org_id: str, action: str) -> Response:
    """Suspending takes an organization out of matching and bidding: a page that asks first (so does
    reactivating)."""
    if action not in ORG_ACTIONS:
        raise ExchangeError("not_found", 404, "路径不存在", "No such path")
    org = await organizations.get_or_404(session, parse_uuid(org_id, "organization"))
    words = Words.of(request)
    return await confirmation(request, session, user, {
        "item": {"title": org.name}, "action": f"/workspace/admin/organizations/{org.id}/{action}",
        "question": words.t(f"{action}_org_question"), "button": words.t(f"{action}_org"),
        "back": "/workspace/admin/organizations",
    })


@router.post("/organizations/{org_id}/{action}")
async def organization_act(request: Request, session: Session, user: Admin, org_id: str, action: str) -> Response:
    """Set the organization's ``status`` (``PATCH /organizations/{id}``, the registry's field)."""
    if action not in ORG_ACTIONS:
        raise ExchangeError("not_found", 404, "路径不存在", "No such path")
    org = await organizations.get_or_404(session, parse_uuid(org_id, "organization"))
    changes = OrganizationUpdate.model_validate({"status": ORG_ACTIONS[action]}).model_dump(mode="python",
                                                                                            exclude_unset=True)
    await organizations.update(session, user=user, org=org, changes=changes)
    return see_other(f"/workspace/admin/organizations?done=org_{action}")


# -- regions --------------------------------------------------------------------------------------

async def _regions_page(request: Request, session: Session, user: User, *, q: str | None, cursor: str | None,
                        values: dict[str, str], errors: dict[str, str] | None = None, general: str = "",
                        status: int = 200) -> Response:
    found = await RegionRepository(session).page(parent_code=None, under=None, level=None, q=q, limit=PAGE_SIZE,
                                                 cursor=cursor)
    return await page(request, session, user, "ws_admin_regions.html", {
        "items": [RegionOut.model_validate(r) for r in found.items], "next_cursor": found.next_cursor,
        "cursor": cursor, "q": q or "", "levels": [lv.value for lv in Level], "values": values,
        "errors": errors or {}, "general": general, "done": request.query_params.get("done", ""),
    }, title=Words.of(request).t("regions"), status=status)


@router.get("/regions")
async def region_list(request: Request, session: Session, user: Admin, cursor: str | None = CursorParam,
                      q: Annotated[str | None, Query(max_length=50)] = None) -> Response:
    """The region tree from the root down (``GET /regions``), and the form that adds one."""
    return await _regions_page(request, session, user, q=q, cursor=cursor, values={k: "" for k in REGION_FIELDS})


@router.post("/regions")
async def add_region(request: Request, session: Session, user: Admin) -> Response:
    """Add a region (``POST /regions``): its parent must exist, sit higher and prefix its code."""
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in REGION_FIELDS}

    async def add() -> Any:
        body = RegionCreate.model_validate({k: v for k, v in values.items() if v != ""})
        return await regions.create_region(session, actor_id=user.id, code=body.code, name=body.name,
                                           level=body.level, parent_code=body.parent_code)

    region = await attempt(request, add)
    if isinstance(region, Rejected):
        errors = dict(region.errors)
        if region.status == 409:  # the code exists
            errors.setdefault("code", region.general)
        return await _regions_page(request, session, user, q=None, cursor=None, values=values, errors=errors,
                                   general=region.general, status=region.status)
    return see_other(f"/workspace/admin/regions?q={region.code}&done=region_added")
