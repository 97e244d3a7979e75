"""Every query on activities, sign-ups and attendance."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from exchange.accounts.models import User
from exchange.activities.models import Activity, ActivitySignup, Attendance
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.regions.models import Region


class ActivityRepository(RepositoryBase[Activity]):
    model = Activity

    async def page(self, *, region: str | None, status: str | None, starts_after: dt.datetime | None,
                   organization_id: uuid.UUID | None, limit: int, cursor: str | None) -> Page[Activity]:
        stmt = select(Activity)
        if region is not None:
            stmt = stmt.join(Region, Region.code == Activity.region_code).where(
                Region.path.contains(f"/{region}/", autoescape=True))
        if status is not None:
            stmt = stmt.where(Activity.status == status)
        if starts_after is not None:
            stmt = stmt.where(Activity.starts_at >= starts_after)
        if organization_id is not None:
            stmt = stmt.where(Activity.organization_id == organization_id)
        keys = [SortKey(Activity.starts_at), SortKey(Activity.id)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="activities")

    async def signup(self, activity_id: uuid.UUID, user_id: uuid.UUID) -> ActivitySignup | None:
        stmt = select(ActivitySignup).where(ActivitySignup.activity_id == activity_id, ActivitySignup.user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def signups(self, activity_id: uuid.UUID) -> list[ActivitySignup]:
        stmt = select(ActivitySignup).where(ActivitySignup.activity_id == activity_id).order_by(ActivitySignup.created_at)
        return list((await self.session.execute(stmt)).scalars())

    async def roster(self, activity_id: uuid.UUID) -> list[tuple[ActivitySignup, str, Attendance | None]]:
        """Each sign-up with the volunteer's name and the attendance recorded for it, in order of signing up."""
        stmt = (select(ActivitySignup, User.display_name, Attendance)
                .join(User, User.id == ActivitySignup.user_id)
                .outerjoin(Attendance, (Attendance.activity_id == ActivitySignup.activity_id)
                           & (Attendance.user_id == ActivitySignup.user_id))
                .where(ActivitySignup.activity_id == activity_id).order_by(ActivitySignup.created_at, ActivitySignup.id))
        return [(s, name, a) for s, name, a in (await self.session.execute(stmt)).all()]

    async def signed_up(self, user_id: uuid.UUID, activity_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        if not activity_ids:
            return set()
        stmt = select(ActivitySignup.activity_id).where(ActivitySignup.user_id == user_id,
                                                        ActivitySignup.activity_id.in_(activity_ids))
        return set((await self.session.execute(stmt)).scalars())

    async def attendance(self, activity_id: uuid.UUID, user_id: uuid.UUID) -> Attendance | None:
        stmt = select(Attendance).where(Attendance.activity_id == activity_id, Attendance.user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def hours_of(self, user_id: uuid.UUID) -> list[tuple[Attendance, str]]:
        stmt = (select(Attendance, Activity.title).join(Activity, Activity.id == Attendance.activity_id)
                .where(Attendance.user_id == user_id).order_by(Attendance.created_at.desc()))
        return [(a, title) for a, title in (await self.session.execute(stmt)).all()]

    async def total_minutes(self, user_id: uuid.UUID) -> int:
        stmt = select(func.coalesce(func.sum(Attendance.minutes), 0)).where(Attendance.user_id == user_id)
        return int((await self.session.execute(stmt)).scalar_one())
