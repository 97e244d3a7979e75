"""Every query on spaces and their bookings."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.regions.models import Region
from exchange.spaces.models import HOLDING, Booking, BookingStatus, Space


class SpaceRepository(RepositoryBase[Space]):
    model = Space

    async def page(self, *, region: str | None, containing: Sequence[str], organization_id: uuid.UUID | None,
                   limit: int, cursor: str | None) -> Page[Space]:
        stmt = select(Space).where(Space.active.is_(True))
        if region is not None:
            stmt = stmt.join(Region, Region.code == Space.region_code).where(or_(
                Region.path.contains(f"/{region}/", autoescape=True), Space.region_code.in_(list(containing))))
        if organization_id is not None:
            stmt = stmt.where(Space.organization_id == organization_id)
        keys = [SortKey(Space.created_at, descending=True), SortKey(Space.id, descending=True)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="spaces")


class BookingRepository(RepositoryBase[Booking]):
    model = Booking

    async def overlapping(self, space_id: uuid.UUID, starts_at: dt.datetime, ends_at: dt.datetime,
                          exclude: uuid.UUID | None = None) -> Booking | None:
        """A booking holding the space for part of [starts_at, ends_at)."""
        stmt = select(Booking).where(Booking.space_id == space_id, Booking.status.in_(HOLDING),
                                     Booking.starts_at < ends_at, Booking.ends_at > starts_at)
        if exclude is not None:
            stmt = stmt.where(Booking.id != exclude)
        return (await self.session.execute(stmt.limit(1))).scalar_one_or_none()

    async def of_space(self, space_id: uuid.UUID, statuses: Sequence[str], limit: int = 500) -> list[Booking]:
        stmt = (select(Booking).where(Booking.space_id == space_id, Booking.status.in_(list(statuses)))
                .order_by(Booking.starts_at).limit(limit))
        return list((await self.session.execute(stmt)).scalars())

    async def service_given(self, organization_id: uuid.UUID) -> tuple[int, int, list[str]]:
        """Minutes of service reported, people served, and the spaces' regions, for one organization."""
        stmt = (select(func.coalesce(func.sum(Booking.given_minutes), 0), func.coalesce(func.sum(Booking.people_served), 0))
                .where(Booking.organization_id == organization_id, Booking.status == BookingStatus.reported))
        minutes, people = (await self.session.execute(stmt)).one()
        regions = (select(Space.region_code).join(Booking, Booking.space_id == Space.id)
                   .where(Booking.organization_id == organization_id, Booking.status == BookingStatus.reported)
                   .distinct())
        return int(minutes), int(people), list((await self.session.execute(regions)).scalars())
