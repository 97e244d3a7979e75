"""Volunteer activities in the workspace: an organization, a community committee or a manager publishes one,
reads its roster and records each volunteer's hours (which earn points); a resident signs up for one.

The pages call what the API's endpoints call: ``activities.service.list_page/create/get_or_404/roster/
record_attendance/cancel/sign_up`` (``GET/POST /activities``, ``…/signups``, ``…/attendance``, ``…/cancel``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.activities import service as activities
from exchange.activities.schemas import ActivityCreate, AttendanceIn
from exchange.kit.clock import now
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.web import auth, common
from exchange.web.i18n import Words, pick_language
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import (
    Rejected,
    attempt,
    china_time,
    confirmation,
    for_roles,
    page,
    see_other,
)

router = APIRouter(prefix="/workspace", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
Organizer = Annotated[User, for_roles(Role.org, Role.community, Role.manager)]
Resident = Annotated[User, for_roles(Role.resident)]



# -- a resident ----------------------------------------------------------------------------------------------

@router.get("/resident/activities")
async def upcoming(request: Request, session: Session, user: Resident, cursor: str | None = CursorParam) -> Response:
    """Activities that have not started, soonest first, with my sign-ups marked."""
    found = await activities.list_page(session, region=None, status="published", starts_after=now(),
                                       organization_id=None, limit=20, cursor=cursor)
    mine = await activities.signed_up(session, user, [a.id for a in found.items])
    ref = await common.reference(request, session)
    return await page(request, session, user, "ws_activities.html", {
        "items": found.items, "mine": mine, "next_cursor": found.next_cursor, "cursor": cursor,
        "region_names": ref.region_names, "organizer": False, "done": request.query_params.get("done", ""),
        "error": "",
    }, title=Words.of(request).t("volunteer_activities"))


@router.post("/resident/activities/{activity_id}/signup")
async def sign_up(request: Request, session: Session, user: Resident, activity_id: str) -> Response:
    """Take a place (``POST /activities/{id}/signups``): once, before the start, while places are left."""
    await activities.sign_up(session, user=user, activity_id=parse_uuid(activity_id, "activity"))
    return see_other("/workspace/resident/activities?done=signed_up")


# -- an organizer ------------------------------------------------------------------------------------------

@router.get("/activities")
async def my_activities(request: Request, session: Session, user: Organizer, cursor: str | None = CursorParam) -> Response:
    """My organization's activities (a manager: every one), soonest first."""
    found = await activities.list_page(session, region=None, status=None, starts_after=None,
                                       organization_id=None if user.role == Role.manager else user.organization_id,
                                       limit=20, cursor=cursor)
    ref = await common.reference(request, session)
    return await page(request, session, user, "ws_activities.html", {
        "items": found.items, "mine": set(), "next_cursor": found.next_cursor, "cursor": cursor,
        "region_names": ref.region_names, "organizer": True, "done": request.query_params.get("done", ""), "error": "",
    }, title=Words.of(request).t("volunteer_activities"))


def _activity_values(form: Any | None) -> dict[str, str]:
    names = ("title", "description", "category", "region_code", "starts_at", "ends_at", "capacity")
    if form is None:
        return dict.fromkeys(names, "")
    return {k: str(form.get(k, "")).strip() for k in names}


async def _activity_form(request: Request, session: Session, user: User, values: dict[str, str], *,
                         rejected: Rejected | None = None) -> Response:
    ref = await common.reference(request, session)
    return await page(request, session, user, "ws_activity_form.html", {
        "values": values, "labels": ref.labels[pick_language(request)], "regions": ref.place_options,
        **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=Words.of(request).t("new_activity"), status=rejected.status if rejected else 200)


@router.get("/activities/new")
async def activity_form(request: Request, session: Session, user: Organizer) -> Response:
    values = _activity_values(None)
    values["region_code"] = user.region_code or ""
    return await _activity_form(request, session, user, values)


@router.post("/activities/new")
async def create(request: Request, session: Session, user: Organizer) -> Response:
    """Publish an activity (``POST /activities``) with its places; times are typed in China time."""
    values = _activity_values(await request.form())
    data: dict[str, Any] = {k: v for k, v in values.items() if v}
    for k in ("starts_at", "ends_at"):
        if k in data:
            data[k] = china_time(data[k])
    if values["capacity"].isdigit():
        data["capacity"] = int(values["capacity"])
    made = await attempt(request, lambda: activities.create(
        session, user=user, data=ActivityCreate.model_validate(data).model_dump(mode="python")))
    if isinstance(made, Rejected):
        return await _activity_form(request, session, user, values, rejected=made)
    return see_other(f"/workspace/activities/{made.id}?done=created")


async def _activity_page(request: Request, session: Session, user: User, activity_id: str, *,
                         rejected: Rejected | None = None) -> Response:
    activity = await activities.get_or_404(session, parse_uuid(activity_id, "activity"))
    roster = await activities.roster(session, user=user, activity=activity)
    ref = await common.reference(request, session)
    return await page(request, session, user, "ws_activity.html", {
        "activity": activity, "roster": roster, "region_names": ref.region_names,
        "started": activity.starts_at <= now(), "done": request.query_params.get("done", ""),
        **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=activity.title, status=rejected.status if rejected else 200)


@router.get("/activities/{activity_id}")
async def activity(request: Request, session: Session, user: Organizer, activity_id: str) -> Response:
    """The activity with its roster and the hours recorded (the roster's readers are the API's)."""
    return await _activity_page(request, session, user, activity_id)


@router.post("/activities/{activity_id}/attendance")
async def record_attendance(request: Request, session: Session, user: Organizer, activity_id: str) -> Response:
    """Record a volunteer's hours once the activity has started (``POST /activities/{id}/attendance``): once
    per person; the hours earn points."""
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("user_id", "hours")}
    the_id = parse_uuid(activity_id, "activity")

    async def record() -> Any:
        body = AttendanceIn.model_validate(values)
        return await activities.record_attendance(
            session, user=user, activity_id=the_id, volunteer_id=body.user_id, minutes=round(body.hours * 60),
            points_per_hour=request.app.state.settings.points_per_hour)

    done = await attempt(request, record)
    if isinstance(done, Rejected):
        return await _activity_page(request, session, user, activity_id, rejected=done)
    return see_other(f"/workspace/activities/{the_id}?done=recorded")


@router.get("/activities/{activity_id}/cancel")
async def cancel_step(request: Request, session: Session, user: Organizer, activity_id: str) -> Response:
    item = await activities.get_or_404(session, parse_uuid(activity_id, "activity"))
    w = Words.of(request)
    return await confirmation(request, session, user, {
        "item": item, "action": f"/workspace/activities/{item.id}/cancel", "question": w.t("cancel_activity_question"),
        "button": w.t("cancel_activity"), "back": f"/workspace/activities/{item.id}",
    })


@router.post("/activities/{activity_id}/cancel")
async def cancel(request: Request, session: Session, user: Organizer, activity_id: str) -> Response:
    """Cancel before the start (``POST /activities/{id}/cancel``)."""
    item = await activities.cancel(session, user=user, activity_id=parse_uuid(activity_id, "activity"))
    return see_other(f"/workspace/activities/{item.id}?done=cancelled")
