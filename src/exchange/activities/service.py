"""Volunteer activity rules: publish, sign up within capacity, record attendance once, credit points once.

Sign-ups and attendance lock the activity's row first (``SELECT … FOR UPDATE`` on PostgreSQL), so of
concurrent sign-ups for the last place one wins and the rest find the activity full, and attendance
recorded twice at once is recorded (and paid) once; unique keys on (activity, user) and on the points
entry's ``ref`` back that up in the database."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.activities.models import Activity, ActivitySignup, Attendance
from exchange.activities.repository import ActivityRepository
from exchange.activities.states import LIFECYCLE, PUBLISHED, Facts
from exchange.audit import service as audit
from exchange.errors import forbidden, invalid, not_found
from exchange.kit.clock import now
from exchange.kit.pagination import Page
from exchange.listings import validation
from exchange.participation.parties import community_area
from exchange.points import service as points
from exchange.regions.areas import within

ORGANIZER_ROLES = {Role.org, Role.community, Role.manager, Role.admin}


async def get_or_404(session: AsyncSession, activity_id: uuid.UUID, *, lock: bool = False) -> Activity:
    repo = ActivityRepository(session)
    activity = await (repo.get_for_update(activity_id) if lock else repo.get(activity_id))
    if activity is None:
        raise not_found("activity")
    return activity


def parties(user: User, activity: Activity) -> set[str]:
    found = {user.role} if user.role in (Role.resident, Role.manager, Role.admin) else set()
    if user.id == activity.organizer_user_id or (
            activity.organization_id is not None and user.organization_id == activity.organization_id
            and user.role in (Role.org, Role.community)):
        found.add("organizer")
    return found


def facts(activity: Activity, **more: Any) -> Facts:
    return Facts(now=now(), starts_at=activity.starts_at, ends_at=activity.ends_at, capacity=activity.capacity,
                 signup_count=activity.signup_count, **more)


async def create(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Activity:
    """An organization, a community committee (in its own area) or a manager publishes an activity."""
    if user.role not in ORGANIZER_ROLES:
        raise forbidden("只有组织、社区和公益经理人可以发布志愿活动", "Only organizations, communities and managers "
                        "publish volunteer activities", code="role_not_allowed")
    await validation.check_codes(session, category=data.get("category"), region_codes=[data["region_code"]],
                                 region_loc="region_code")
    if user.role == Role.community and not await within(session, data["region_code"], await community_area(session, user)):
        raise forbidden("社区只能在本社区发布活动", "A community publishes activities in its own area", code="outside_area")
    if data["ends_at"] <= data["starts_at"]:
        raise invalid(["body", "ends_at"], "结束时间必须晚于开始时间", "ends_at must be after starts_at", code="invalid_period")
    if data["starts_at"] <= now():
        raise invalid(["body", "starts_at"], "开始时间必须晚于当前时间", "starts_at must be in the future", code="starts_in_past")
    activity = ActivityRepository(session).add(Activity(
        id=uuid.uuid4(), organizer_user_id=user.id, signup_count=0, status=PUBLISHED,
        organization_id=user.organization_id if user.role in (Role.org, Role.community) else None, **data))
    await session.flush()
    audit.record(session, actor_id=user.id, action="activity.published", entity_type="activity", entity_id=activity.id,
                 summary={"title": activity.title, "capacity": activity.capacity, "region_code": activity.region_code},
                 public=True)
    return activity


async def sign_up(session: AsyncSession, *, user: User, activity_id: uuid.UUID) -> ActivitySignup:
    """A resident takes a place; 409 ``activity_full`` when none is left."""
    activity = await get_or_404(session, activity_id, lock=True)
    repo = ActivityRepository(session)
    signed = user.role == Role.resident and await repo.signup(activity.id, user.id) is not None
    LIFECYCLE.step(activity.status, "signup", parties(user, activity), facts(activity, signed_up=signed))
    signup = ActivitySignup(id=uuid.uuid4(), activity_id=activity.id, user_id=user.id)
    session.add(signup)
    activity.signup_count += 1
    await session.flush()
    audit.record(session, actor_id=user.id, action="activity.signed_up", entity_type="activity", entity_id=activity.id,
                 summary={"signup_count": activity.signup_count, "capacity": activity.capacity})
    return signup


async def record_attendance(session: AsyncSession, *, user: User, activity_id: uuid.UUID, volunteer_id: uuid.UUID,
                            minutes: int, points_per_hour: int) -> Attendance:
    """The organizer records a volunteer's hours, once; the hours earn points at ``points_per_hour``."""
    activity = await get_or_404(session, activity_id, lock=True)
    repo = ActivityRepository(session)
    attended = await repo.attendance(activity.id, volunteer_id) is not None
    LIFECYCLE.step(activity.status, "attendance", parties(user, activity),
                   facts(activity, attended=attended, minutes=minutes))
    if await repo.signup(activity.id, volunteer_id) is None:
        raise invalid(["body", "user_id"], "该用户未报名此活动", "This user did not sign up for the activity",
                      code="not_signed_up")
    earned = minutes * points_per_hour // 60
    attendance = Attendance(id=uuid.uuid4(), activity_id=activity.id, user_id=volunteer_id, minutes=minutes,
                            points=earned, recorded_by=user.id)
    session.add(attendance)
    await session.flush()
    await points.credit_once(session, user_id=volunteer_id, amount=earned, kind="volunteer",
                             ref=f"attendance:{attendance.id}", reason=f"志愿活动「{activity.title}」{minutes / 60:g} 小时",
                             actor_id=user.id)
    audit.record(session, actor_id=user.id, action="activity.attendance", entity_type="activity", entity_id=activity.id,
                 summary={"user_id": str(volunteer_id), "minutes": minutes, "points": earned})
    return attendance


async def cancel(session: AsyncSession, *, user: User, activity_id: uuid.UUID) -> Activity:
    activity = await get_or_404(session, activity_id, lock=True)
    step = LIFECYCLE.step(activity.status, "cancel", parties(user, activity), facts(activity))
    activity.status = step.to
    await session.flush()
    audit.record(session, actor_id=user.id, action="activity.cancelled", entity_type="activity", entity_id=activity.id,
                 summary={"signup_count": activity.signup_count}, public=True)
    return activity


async def volunteer_hours(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, list[tuple[Attendance, str]]]:
    repo = ActivityRepository(session)
    return await repo.total_minutes(user_id), await repo.hours_of(user_id)


def _may_see_roster(user: User, activity: Activity) -> None:
    if not parties(user, activity) & {"organizer", "manager", "admin"}:
        raise forbidden("只有组织者可以查看报名名单", "Only the organizer sees the roster", code="not_allowed")


async def signups(session: AsyncSession, *, user: User, activity: Activity) -> list[ActivitySignup]:
    """The roster, for its organizer, managers and admins."""
    _may_see_roster(user, activity)
    return await ActivityRepository(session).signups(activity.id)


async def roster(session: AsyncSession, *, user: User, activity: Activity
                 ) -> list[tuple[ActivitySignup, str, Attendance | None]]:
    """The roster with the volunteers' names and the hours recorded so far (the same readers as :func:`signups`)."""
    _may_see_roster(user, activity)
    return await ActivityRepository(session).roster(activity.id)


async def list_page(session: AsyncSession, *, region: str | None, status: str | None, starts_after: dt.datetime | None,
                    organization_id: uuid.UUID | None, limit: int, cursor: str | None) -> Page[Activity]:
    """Activities, soonest first (anyone may read them)."""
    return await ActivityRepository(session).page(region=region, status=status, starts_after=starts_after,
                                                  organization_id=organization_id, limit=limit, cursor=cursor)


async def signed_up(session: AsyncSession, user: User, activity_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these activities ``user`` has signed up for."""
    return await ActivityRepository(session).signed_up(user.id, activity_ids)

