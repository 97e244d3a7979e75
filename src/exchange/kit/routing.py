"""The route class that gives every request one unit of work.

The session is opened before the endpoint runs, committed once *before* the response is sent when
the endpoint succeeds (status < 400), and rolled back on an error response or an exception — so a
failed request leaves the database exactly as it was. A read (GET, HEAD) gets a read-only
transaction that is never committed: on SQLite it takes no lock, so readers never queue behind a
writer or each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from exchange import db
from exchange.kit import idempotency
from exchange.kit.clock import now
from exchange.kit.security import bearer_token, decode_token


def _idempotency_user(request: Request) -> str | None:
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return None
    claims = decode_token(token, request.app.state.settings.secret_key, now())
    return str(claims["sub"]) if claims else None


READS = frozenset({"GET", "HEAD"})


class UnitOfWorkRoute(APIRoute):
    """An APIRoute whose handler runs inside one database transaction."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        endpoint_handler = super().get_route_handler()
        idempotent = bool((self.openapi_extra or {}).get("x-idempotent"))

        async def handler(request: Request) -> Response:
            factory = request.app.state.session_factory
            read = request.method in READS
            async with factory() as session:
                request.state.session = session
                if read:
                    await db.begin_read_only(session)
                try:
                    key = request.headers.get("idempotency-key") if idempotent else None
                    user = _idempotency_user(request) if key is not None else None
                    if key is not None and user is not None:
                        fingerprint = idempotency.request_fingerprint(
                            request.method, request.url.path, await request.body()
                        )
                        replay = await idempotency.begin(session, user, key, fingerprint)
                        if replay is not None:
                            return replay
                    response = await endpoint_handler(request)
                    if read or response.status_code >= 400:
                        session.info.pop("pre_commit_hooks", None)
                        await session.rollback()
                        return response
                    if key is not None and user is not None:
                        await idempotency.finish(session, user, key, response)
                    await db.commit(session)
                    return response
                except BaseException:
                    session.info.pop("pre_commit_hooks", None)
                    await session.rollback()
                    raise

        return handler
