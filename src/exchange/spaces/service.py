"""Spaces for services (空间换服务): a community lists a space; an organization books a slot against
pledged service hours; the community confirms; the organization reports the service it gave back.

Booking and confirming lock the space's row first (``SELECT … FOR UPDATE``), so of concurrent
requests for one slot only one can hold it: the others find the overlap and answer 409 ``space_booked``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.errors import forbidden, invalid, not_found
from exchange.kit.clock import now
from exchange.listings import validation
from exchange.organizations.models import Kind
from exchange.organizations.repository import OrganizationRepository
from exchange.participation.parties import community_area
from exchange.spaces.models import Booking, BookingStatus, Space
from exchange.spaces.repository import BookingRepository, SpaceRepository
from exchange.spaces.states import LIFECYCLE, Facts, space_booked


async def get_space(session: AsyncSession, space_id: uuid.UUID, *, lock: bool = False) -> Space:
    repo = SpaceRepository(session)
    space = await (repo.get_for_update(space_id) if lock else repo.get(space_id))
    if space is None:
        raise not_found("space")
    return space


async def get_booking(session: AsyncSession, booking_id: uuid.UUID, *, lock: bool = False) -> Booking:
    repo = BookingRepository(session)
    booking = await (repo.get_for_update(booking_id) if lock else repo.get(booking_id))
    if booking is None:
        raise not_found("booking")
    return booking


def parties(user: User, space: Space, booking: Booking | None = None) -> set[str]:
    found = {"admin"} if user.role == Role.admin else set()
    if user.organization_id is not None and user.organization_id == space.organization_id:
        found.add("owner")
    if booking is not None and user.role == Role.org and user.organization_id == booking.organization_id:
        found.add("booker")
    return found


def _audit(session: AsyncSession, user: User, entity: Space | Booking, action: str, summary: dict[str, Any]) -> None:
    kind = "space" if isinstance(entity, Space) else "booking"
    audit.record(session, actor_id=user.id, action=f"{kind}.{action}", entity_type=kind, entity_id=entity.id,
                 summary=summary, public=True)


async def create_space(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Space:
    """A community committee lists a space in its area; an admin for a community organization it names."""
    data = dict(data)
    if user.role == Role.community:
        data["organization_id"], home = user.organization_id, await community_area(session, user)
    elif user.role == Role.admin:
        org = await OrganizationRepository(session).get(data["organization_id"]) if data.get("organization_id") else None
        if org is None or org.kind != Kind.community:
            raise invalid(["body", "organization_id"], "请指定提供空间的社区组织", "Name the community that lists the space",
                          code="community_required")
        home = org.region_code
    else:
        raise forbidden("只有社区和管理员可以登记空间", "Only communities and admins list spaces", code="role_not_allowed")
    data["region_code"] = data.get("region_code") or home
    if not data["region_code"]:
        raise invalid(["body", "region_code"], "请填写空间所在区域", "Give the space's region", code="region_required")
    await validation.check_codes(session, region_codes=[data["region_code"]], region_loc="region_code")
    space = SpaceRepository(session).add(Space(id=uuid.uuid4(), active=True, **data))
    await session.flush()
    _audit(session, user, space, "listed", {"name": space.name, "region_code": space.region_code})
    return space


async def book(session: AsyncSession, *, user: User, space_id: uuid.UUID, data: dict[str, Any]) -> Booking:
    """An organization asks for a slot, pledging service hours; a slot already held: 409 ``space_booked``."""
    if user.role != Role.org or user.organization_id is None:
        raise forbidden("只有社会组织可以预约空间", "Only organizations book spaces", code="role_not_allowed")
    space = await get_space(session, space_id, lock=True)
    if not space.active:
        raise not_found("space")
    starts, ends = data["starts_at"], data["ends_at"]
    if ends <= starts:
        raise invalid(["body", "ends_at"], "结束时间必须晚于开始时间", "ends_at must be after starts_at", code="invalid_period")
    if starts <= now():
        raise invalid(["body", "starts_at"], "开始时间必须晚于当前时间", "starts_at must be in the future", code="starts_in_past")
    repo = BookingRepository(session)
    if await repo.overlapping(space.id, starts, ends) is not None:
        raise space_booked()
    booking = repo.add(Booking(
        id=uuid.uuid4(), space_id=space.id, organization_id=user.organization_id, requested_by=user.id,
        starts_at=starts, ends_at=ends, purpose=data["purpose"], status=BookingStatus.requested,
        pledged_minutes=round(data["service_hours_pledged"] * 60)))
    await session.flush()
    _audit(session, user, booking, "requested", {"space_id": str(space.id), "starts_at": starts, "ends_at": ends,
                                                 "service_hours_pledged": data["service_hours_pledged"]})
    return booking


async def act(session: AsyncSession, *, user: User, booking_id: uuid.UUID, action: str,
              report: dict[str, Any] | None = None, reason: str | None = None) -> Booking:
    """confirm, cancel or report, as the state table allows; the space is locked before the booking."""
    booking = await get_booking(session, booking_id)
    space = await get_space(session, booking.space_id, lock=True)
    booking = await get_booking(session, booking_id, lock=True)
    overlaps = action == "confirm" and await BookingRepository(session).overlapping(
        space.id, booking.starts_at, booking.ends_at, exclude=booking.id) is not None
    step = LIFECYCLE.step(booking.status, action, parties(user, space, booking),
                          Facts(now=now(), starts_at=booking.starts_at, overlaps=overlaps))
    summary: dict[str, Any] = {"from": booking.status, "to": step.to, "reason": reason}
    if action == "confirm":
        booking.decided_by = user.id
    elif action == "report" and report is not None:
        booking.given_minutes = round(report["service_hours"] * 60)
        booking.people_served, booking.report_summary, booking.reported_at = report["people_served"], report["summary"], now()
        summary |= {"service_hours": report["service_hours"], "people_served": report["people_served"]}
    booking.status = step.to
    await session.flush()
    _audit(session, user, booking, {"confirm": "confirmed", "cancel": "cancelled", "report": "reported"}[action], summary)
    return booking
