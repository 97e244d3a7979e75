"""Spaces for services (空间换服务) over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.errors import problems
from exchange.kit.http import Session, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.regions.areas import ancestors
from exchange.spaces import service
from exchange.spaces.models import HOLDING, Booking
from exchange.spaces.repository import BookingRepository, SpaceRepository
from exchange.spaces.schemas import (
    BookingCreate,
    BookingList,
    BookingOut,
    CancelIn,
    ReportIn,
    SpaceCreate,
    SpaceList,
    SpaceOut,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["participation"])


def booking_out(b: Booking) -> BookingOut:
    return BookingOut(
        id=b.id, space_id=b.space_id, organization_id=b.organization_id, starts_at=b.starts_at, ends_at=b.ends_at,
        purpose=b.purpose, service_hours_pledged=round(b.pledged_minutes / 60, 2), status=b.status,
        service_hours_given=round(b.given_minutes / 60, 2) if b.given_minutes is not None else None,
        people_served=b.people_served, report_summary=b.report_summary, reported_at=b.reported_at,
        created_at=b.created_at, version=b.version)


@router.get("/spaces", response_model=SpaceList, operation_id="listSpaces", responses=problems(401, 422))
async def list_spaces(
    session: Session, user: OptionalUser,
    region: Annotated[str | None, Query(max_length=32, description="Spaces at, under or containing this region")] = None,
    org_id: Annotated[uuid.UUID | None, Query(description="The community that lists them")] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> SpaceList:
    """Community spaces open for booking against service (anyone may read them)."""
    page = await SpaceRepository(session).page(region=region, containing=await ancestors(session, region) if region else (),
                                               organization_id=org_id, limit=limit, cursor=cursor)
    return SpaceList(items=[SpaceOut.model_validate(s) for s in page.items], next_cursor=page.next_cursor)


@router.post("/spaces", response_model=SpaceOut, status_code=201, operation_id="createSpace",
             responses=problems(401, 403, 422))
async def create_space(body: SpaceCreate, user: CurrentUser, session: Session, response: Response) -> SpaceOut:
    """A community committee (or an admin, naming the community) lists a space."""
    space = await service.create_space(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, space.version, f"/spaces/{space.id}")
    return SpaceOut.model_validate(space)


@router.get("/spaces/{space_id}", response_model=SpaceOut, operation_id="getSpace", responses=problems(401, 404))
async def get_space(space_id: str, session: Session, user: OptionalUser, response: Response) -> SpaceOut:
    """One space."""
    space = await service.get_space(session, parse_uuid(space_id, "space"))
    resource_headers(response, space.version)
    return SpaceOut.model_validate(space)


@router.get("/spaces/{space_id}/bookings", response_model=BookingList, operation_id="listSpaceBookings",
            responses=problems(401, 404))
async def list_space_bookings(space_id: str, session: Session, user: OptionalUser) -> BookingList:
    """The slots the space is held for (confirmed and reported bookings), soonest first."""
    space = await service.get_space(session, parse_uuid(space_id, "space"))
    return BookingList(items=[booking_out(b) for b in await BookingRepository(session).of_space(space.id, HOLDING)])


@router.post("/spaces/{space_id}/bookings", response_model=BookingOut, status_code=201, operation_id="bookSpace",
             responses=problems(401, 403, 404, 409, 422))
async def book_space(space_id: str, body: BookingCreate, user: CurrentUser, session: Session,
                     response: Response) -> BookingOut:
    """An organization asks for a slot, pledging `service_hours_pledged` hours of service in return; it is
    `requested` until the community confirms. A slot a confirmed booking holds: 409 `space_booked`."""
    booking = await service.book(session, user=user, space_id=parse_uuid(space_id, "space"),
                                 data=body.model_dump(mode="python"))
    resource_headers(response, booking.version, f"/bookings/{booking.id}")
    return booking_out(booking)


@router.get("/bookings/{booking_id}", response_model=BookingOut, operation_id="getBooking", responses=problems(401, 404))
async def get_booking(booking_id: str, session: Session, user: OptionalUser, response: Response) -> BookingOut:
    """One booking."""
    booking = await service.get_booking(session, parse_uuid(booking_id, "booking"))
    resource_headers(response, booking.version)
    return booking_out(booking)


@router.post("/bookings/{booking_id}/confirm", response_model=BookingOut, operation_id="confirmBooking",
             responses=problems(401, 403, 404, 409))
async def confirm_booking(booking_id: str, user: CurrentUser, session: Session, response: Response) -> BookingOut:
    """The space's community (or an admin) confirms; when another confirmed booking overlaps: 409 `space_booked`
    (of concurrent confirmations of overlapping bookings exactly one succeeds)."""
    booking = await service.act(session, user=user, booking_id=parse_uuid(booking_id, "booking"), action="confirm")
    resource_headers(response, booking.version)
    return booking_out(booking)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingOut, operation_id="cancelBooking",
             responses=problems(401, 403, 404, 409))
async def cancel_booking(booking_id: str, user: CurrentUser, session: Session, response: Response,
                         body: CancelIn | None = None) -> BookingOut:
    """The organization or the community cancels a booking before it starts."""
    booking = await service.act(session, user=user, booking_id=parse_uuid(booking_id, "booking"), action="cancel",
                                reason=body.reason if body else None)
    resource_headers(response, booking.version)
    return booking_out(booking)


@router.post("/bookings/{booking_id}/report", response_model=BookingOut, operation_id="reportBookingService",
             responses=problems(401, 403, 404, 409, 422))
async def report_booking(booking_id: str, body: ReportIn, user: CurrentUser, session: Session,
                         response: Response) -> BookingOut:
    """The organization reports the service it gave back (hours, people served); it counts in its rating
    (activity and coverage)."""
    booking = await service.act(session, user=user, booking_id=parse_uuid(booking_id, "booking"), action="report",
                                report=body.model_dump(mode="python"))
    resource_headers(response, booking.version)
    return booking_out(booking)
