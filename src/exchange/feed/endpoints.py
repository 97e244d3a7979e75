"""The event feed over HTTP: a cursor page with long-polling, and the same as Server-Sent Events."""

from __future__ import annotations

import json

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse, ServerSentEvent

from exchange.accounts.deps import OptionalUser
from exchange.errors import invalid, problems
from exchange.events.repository import Reader
from exchange.feed import service
from exchange.kit.http import Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.notifications.rules import EVENT_TYPES

router = APIRouter(route_class=UnitOfWorkRoute, tags=["events"])


class EventOut(BaseModel):
    id: str
    type: str
    occurred_at: str
    entity_type: str
    entity_id: str
    data: dict[str, object]


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str = Field(description="pass as `after` to read on; always given, so a reader can keep polling")


def _types(types: str | None) -> list[str]:
    wanted = [t.strip() for t in (types or "").split(",") if t.strip()]
    unknown = [t for t in wanted if t not in EVENT_TYPES]
    if unknown:
        raise invalid(["query", "types"], f"未知的事件类型：{', '.join(unknown)}", f"Unknown event types: {', '.join(unknown)}",
                      code="unknown_event_type")
    return wanted


def _reader(user: OptionalUser) -> Reader:
    return Reader(user.id, user.organization_id) if user is not None else Reader()


@router.get("/events", response_model=EventPage, operation_id="listEvents", responses=problems(401, 422))
async def list_events(
    request: Request, user: OptionalUser, session: Session,
    after: str | None = Query(None, max_length=32, description="the `next_cursor` of the previous page"),
    types: str | None = Query(None, max_length=2000, description="comma-separated event types"),
    wait: int = Query(0, ge=0, le=30, description="seconds to wait for an event when there is none (long-polling)"),
    limit: int = Query(100, ge=1, le=200),
) -> EventPage:
    """The event feed, oldest first and gap-free: anonymous readers get public events; a signed-in reader
    also gets those addressed to it or its organization. With `wait`, an empty page is answered only when
    an event comes or `wait` seconds pass."""
    position, wanted, reader = service.parse_cursor(after), _types(types), _reader(user)
    await session.rollback()  # hold no connection while waiting
    page = await service.read_waiting(request.app.state.session_factory, reader, after=position, types=wanted,
                                      limit=limit, wait=wait)
    return EventPage.model_validate({"items": page.items, "next_cursor": page.next_cursor})


# the schema of each event of the stream (as OpenAPI 3.2's ``itemSchema`` would put it)
SSE_EVENT = {"type": "object", "description": "One Server-Sent Event", "properties": {
    "id": {"type": "string", "description": "the feed position, for `Last-Event-ID`"},
    "event": {"type": "string", "description": "the event type"},
    "data": {"type": "string", "contentMediaType": "application/json", "description": "the feed item, as JSON"}}}


@router.get("/events/stream", operation_id="streamEvents", responses={
    200: {"description": "`text/event-stream`: one SSE event per feed event (`id`, `event` = type, `data` = the item)",
          "content": {"text/event-stream": {"schema": SSE_EVENT}}}, **problems(401, 422)})
async def stream_events(
    request: Request, user: OptionalUser, session: Session,
    last_event_id: str | None = Header(None, alias="Last-Event-ID", max_length=32),
    after: str | None = Query(None, max_length=32, description="where to start when there is no `Last-Event-ID`"),
    types: str | None = Query(None, max_length=2000, description="comma-separated event types"),
) -> EventSourceResponse:
    """The same feed as Server-Sent Events; a reconnecting client resumes after its `Last-Event-ID`."""
    position = service.parse_cursor(last_event_id if last_event_id is not None else after)
    wanted, reader = _types(types), _reader(user)
    await session.rollback()
    factory = request.app.state.session_factory

    async def events() -> object:
        async for item in service.follow(factory, reader, after=position, types=wanted):
            yield ServerSentEvent(id=str(item["id"]), event=str(item["type"]),
                                  data=json.dumps(item, ensure_ascii=False, separators=(",", ":")))

    return EventSourceResponse(events(), ping=15)
