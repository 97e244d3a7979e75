"""HTTP helpers shared by every domain: ETag / If-Match, Location, the request session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.errors import precondition_failed

API_PREFIX = "/api/v1"


async def get_session(request: Request) -> AsyncSession:
    """The unit of work's session, opened by :class:`exchange.kit.routing.UnitOfWorkRoute`."""
    return request.state.session


Session = Annotated[AsyncSession, Depends(get_session)]


def client_ip(request: Request) -> str:
    """The caller's address (what the login limiter counts per address)."""
    return request.client.host if request.client else "unknown"


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(request: Request, version: int) -> None:
    """412 when the client sent ``If-Match`` and it names another version than the current one."""
    header = request.headers.get("if-match")
    if header is None:
        return
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    if "*" in tags or etag(version) in tags:
        return
    raise precondition_failed()


def resource_headers(response: Response, version: int, location: str | None = None) -> None:
    """Set ``ETag`` (and ``Location`` for a create) on the response."""
    response.headers["ETag"] = etag(version)
    if location is not None:
        response.headers["Location"] = f"{API_PREFIX}{location}"
