"""Volunteer activities and hours over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.activities import service
from exchange.activities.models import Activity, ActivityStatus, Attendance
from exchange.activities.schemas import (
    ActivityCreate,
    ActivityList,
    ActivityOut,
    AttendanceIn,
    AttendanceOut,
    HoursEntry,
    SignupOut,
    VolunteerHours,
)
from exchange.errors import problems
from exchange.kit.http import Session, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.listings.schemas import json_response

router = APIRouter(route_class=UnitOfWorkRoute, tags=["participation"])


def _out(activity: Activity) -> ActivityOut:
    return ActivityOut.model_validate({**{c: getattr(activity, c) for c in ActivityOut.model_fields if c != "places_left"},
                                       "places_left": max(0, activity.capacity - activity.signup_count)})


def _attendance_out(a: Attendance) -> AttendanceOut:
    return AttendanceOut(activity_id=a.activity_id, user_id=a.user_id, hours=round(a.minutes / 60, 2), points=a.points,
                         recorded_by=a.recorded_by, created_at=a.created_at)


@router.get("/activities", response_model=ActivityList, operation_id="listActivities", responses=problems(401, 422))
async def list_activities(
    session: Session, user: OptionalUser,
    region: Annotated[str | None, Query(max_length=32, description="Activities at or under this region")] = None,
    status: Annotated[ActivityStatus | None, Query()] = None,
    starts_after: Annotated[dt.datetime | None, Query(description="Only activities starting at or after this time")] = None,
    org_id: Annotated[uuid.UUID | None, Query()] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> Response:
    """Volunteer activities, soonest first (anyone may read them)."""
    page = await service.list_page(session, region=region, status=status, starts_after=starts_after,
                                   organization_id=org_id, limit=limit, cursor=cursor)
    return json_response(ActivityList(items=[_out(a) for a in page.items], next_cursor=page.next_cursor))


@router.post("/activities", response_model=ActivityOut, status_code=201, operation_id="createActivity",
             responses=problems(401, 403, 422))
async def create_activity(body: ActivityCreate, user: CurrentUser, session: Session, response: Response) -> ActivityOut:
    """An organization, a community committee or a manager publishes a volunteer activity with its places."""
    activity = await service.create(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, activity.version, f"/activities/{activity.id}")
    return _out(activity)


@router.get("/activities/{activity_id}", response_model=ActivityOut, operation_id="getActivity",
            responses=problems(401, 404))
async def get_activity(activity_id: str, session: Session, user: OptionalUser, response: Response) -> ActivityOut:
    """One activity with its places left."""
    activity = await service.get_or_404(session, parse_uuid(activity_id, "activity"))
    resource_headers(response, activity.version)
    return _out(activity)


@router.post("/activities/{activity_id}/signups", response_model=SignupOut, status_code=201,
             operation_id="signUpForActivity", responses=problems(401, 403, 404, 409))
async def sign_up(activity_id: str, user: CurrentUser, session: Session) -> SignupOut:
    """A resident takes a place, once, before the start; when none is left: 409 `activity_full`
    (of concurrent sign-ups for the last places exactly as many win as there were places)."""
    signup = await service.sign_up(session, user=user, activity_id=parse_uuid(activity_id, "activity"))
    return SignupOut.model_validate(signup)


@router.get("/activities/{activity_id}/signups", response_model=list[SignupOut], operation_id="listActivitySignups",
            responses=problems(401, 403, 404))
async def list_signups(activity_id: str, user: CurrentUser, session: Session) -> list[SignupOut]:
    """The roster (its organizer, managers, admins)."""
    activity = await service.get_or_404(session, parse_uuid(activity_id, "activity"))
    return [SignupOut.model_validate(s) for s in await service.signups(session, user=user, activity=activity)]


@router.post("/activities/{activity_id}/attendance", response_model=AttendanceOut, status_code=201,
             operation_id="recordAttendance", responses=problems(401, 403, 404, 409, 422))
async def record_attendance(activity_id: str, body: AttendanceIn, request: Request, user: CurrentUser,
                            session: Session) -> AttendanceOut:
    """The organizer records a signed-up volunteer's hours once the activity has started, once per person
    (again: 409 `attendance_recorded`); the hours go to the volunteer's record and earn
    `EXCHANGE_POINTS_PER_HOUR` points per hour."""
    attendance = await service.record_attendance(
        session, user=user, activity_id=parse_uuid(activity_id, "activity"), volunteer_id=body.user_id,
        minutes=round(body.hours * 60), points_per_hour=request.app.state.settings.points_per_hour)
    return _attendance_out(attendance)


@router.post("/activities/{activity_id}/cancel", response_model=ActivityOut, operation_id="cancelActivity",
             responses=problems(401, 403, 404, 409))
async def cancel_activity(activity_id: str, user: CurrentUser, session: Session, response: Response) -> ActivityOut:
    """The organizer (or a manager) cancels an activity before it starts."""
    activity = await service.cancel(session, user=user, activity_id=parse_uuid(activity_id, "activity"))
    resource_headers(response, activity.version)
    return _out(activity)


@router.get("/me/volunteer-hours", response_model=VolunteerHours, operation_id="getMyVolunteerHours",
            responses=problems(401))
async def my_volunteer_hours(user: CurrentUser, session: Session) -> VolunteerHours:
    """The signed-in resident's recorded volunteer hours, newest first, with the points each earned."""
    minutes, rows = await service.volunteer_hours(session, user.id)
    return VolunteerHours(total_hours=round(minutes / 60, 2), activities=len(rows), entries=[
        HoursEntry(activity_id=a.activity_id, title=title, hours=round(a.minutes / 60, 2), points=a.points,
                   recorded_at=a.created_at) for a, title in rows])
