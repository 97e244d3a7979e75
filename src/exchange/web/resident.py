"""A resident's workspace: post a need in plain words, follow my needs (supporters, claim, fulfilment, confirm),
support and claim neighbours' needs, my points.

Each action calls what the API's endpoint calls (``needs.service.create``/``act``/``list_page``,
``points.service.ledger``), so the API's validation, permissions and state rules answer here too."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.activities import service as activities
from exchange.chinese.concepts import infer_category
from exchange.errors import ExchangeError
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.listings.schemas import ListFilters, list_filters
from exchange.needs import service as needs
from exchange.needs.schemas import NeedCreate, Urgency
from exchange.points import service as points
from exchange.web import auth, common
from exchange.web.i18n import Words, pick_language
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import Rejected, attempt, confirmation, for_roles, page, see_other

router = APIRouter(prefix="/workspace/resident", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
Resident = Annotated[User, for_roles(Role.resident)]
Filters = Annotated[ListFilters, Depends(list_filters)]
FIELDS = ("title", "description", "category", "region_code", "urgency")



async def _reference(request: Request, session: Session) -> dict[str, Any]:
    ref = await common.reference(request, session)
    return {"labels": ref.labels[pick_language(request)], "region_names": ref.region_names,
            "regions": ref.place_options}


@router.get("")
async def home(request: Request, session: Session, user: Resident, f: Filters) -> Response:
    """My needs (every status, newest first, paged: ``GET /needs?mine=true``) and my points balance."""
    mine = await needs.list_page(session, user, f, mine=True)
    return await page(request, session, user, "ws_resident.html", {
        "items": mine.items, "next_cursor": mine.next_cursor, "cursor": f.cursor,
        "balance": await points.balance(session, user.id), **await _reference(request, session),
    }, title=Words.of(request).t("my_needs"))


async def _need_form(request: Request, session: Session, user: User, values: dict[str, str], *,
                     errors: dict[str, str] | None = None, general: str = "", guessed: str | None = None,
                     status: int = 200) -> Response:
    return await page(request, session, user, "ws_need_form.html", {
        "values": values, "errors": errors or {}, "general": general, "guessed": guessed,
        "urgencies": [u.value for u in Urgency], **await _reference(request, session),
    }, title=Words.of(request).t("post_need"), status=status)


@router.get("/needs/new")
async def need_form(request: Request, session: Session, user: Resident) -> Response:
    """The form, with the place preselected from my profile."""
    values = {"title": "", "description": "", "category": "", "region_code": user.region_code or "",
              "urgency": Urgency.normal.value}
    return await _need_form(request, session, user, values)


@router.post("/needs/new")
async def post_need(request: Request, session: Session, user: Resident) -> Response:
    """``step=guess`` shows the category the matching engine reads from the words, preselected for confirmation;
    otherwise the need is posted (``POST /needs``), or the form comes back with the API's errors by field."""
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in FIELDS}
    if form.get("step") == "guess":
        guessed = infer_category(f"{values['title']}。{values['description']}")
        if guessed:
            values["category"] = guessed
        return await _need_form(request, session, user, values, guessed=guessed or "")
    data = {k: v for k, v in values.items() if v != ""}
    need = await attempt(request, lambda: needs.create(
        session, user=user, data=NeedCreate.model_validate(data).model_dump(mode="python")))
    if isinstance(need, Rejected):
        return await _need_form(request, session, user, values, errors=need.errors, general=need.general,
                                status=need.status)
    return see_other(f"/workspace/resident/needs/{need.id}?posted=1")


@router.get("/needs/{need_id}")
async def need_detail(request: Request, session: Session, user: Resident, need_id: str) -> Response:
    """One need as I see it (``GET /needs/{id}``), with what I may do next."""
    need = await needs.get_or_404(session, parse_uuid(need_id, "need"))
    item = needs.present(need, user)
    return await page(request, session, user, "ws_need.html", {
        "item": item, "mine": needs.is_requester(user, need), "claimant": needs.is_claimant(user, need),
        "posted": request.query_params.get("posted") == "1", "done": request.query_params.get("done", ""),
        **await _reference(request, session),
    }, title=item.title)


@router.get("/needs/{need_id}/confirm")
async def confirm_step(request: Request, session: Session, user: Resident, need_id: str) -> Response:
    """Confirming is irreversible (the points are credited): a page that asks first."""
    need = await needs.get_or_404(session, parse_uuid(need_id, "need"))
    return await confirmation(request, session, user, {
        "item": needs.present(need, user), "action": f"/workspace/resident/needs/{need.id}/confirm",
        "question": Words.of(request).t("confirm_need_question"), "button": Words.of(request).t("confirm_need"),
        "back": f"/workspace/resident/needs/{need.id}",
    })


ACTIONS = {"confirm", "support", "claim", "fulfil", "withdraw", "release"}


@router.post("/needs/{need_id}/{action}")
async def act(request: Request, session: Session, user: Resident, need_id: str, action: str) -> Response:
    """One move of the need (``POST /needs/{id}/{action}``); the service decides whether I may."""
    if action not in ACTIONS:
        raise ExchangeError("not_found", 404, "路径不存在", "No such path")
    need = await needs.act(session, user=user, need_id=parse_uuid(need_id, "need"), action=action)
    return see_other(f"/workspace/resident/needs/{need.id}?done={action}")


@router.get("/neighbours")
async def neighbours(request: Request, session: Session, user: Resident, f: Filters) -> Response:
    """Open needs around me (``GET /needs?region=`` my community), to support or take on."""
    if f.region is None and user.region_code:
        f = dataclasses.replace(f, region=user.region_code)
    found = await needs.list_page(session, user, f)
    return await page(request, session, user, "ws_neighbours.html", {
        "items": found.items, "next_cursor": found.next_cursor, "cursor": f.cursor,
        **await _reference(request, session),
    }, title=Words.of(request).t("neighbours_needs"))


@router.get("/points")
async def my_points(request: Request, session: Session, user: Resident) -> Response:
    """My points balance and entries (``GET /me/points``), and my volunteer hours (``GET /me/volunteer-hours``)."""
    balance, entries = await points.ledger(session, user.id)
    minutes, hours = await activities.volunteer_hours(session, user.id)
    return await page(request, session, user, "ws_points.html", {
        "balance": balance, "entries": entries, "total_hours": round(minutes / 60, 2),
        "hours": [(a, title, round(a.minutes / 60, 2)) for a, title in hours],
    }, title=Words.of(request).t("my_points"))
