"""The route class of pages: the API's unit of work, form-friendly queries, and errors as HTML pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import RedirectResponse, Response

from exchange.errors import ExchangeError
from exchange.kit.routing import UnitOfWorkRoute
from exchange.web import auth
from exchange.web.i18n import Words, pick_language
from exchange.web.render import render


def drop_empty_query(request: Request) -> None:
    """A GET form sends every field, empty ones too (``category=``); an empty field means no filter, so the
    API's own query parsing sees exactly what an API client would have sent."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    pairs = parse_qsl(raw, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if v.strip() != ""]
    if len(kept) != len(pairs):
        request.scope["query_string"] = urlencode(kept).encode("latin-1")
        if hasattr(request, "_query_params"):
            del request._query_params


def error_page(request: Request, status: int, message: str) -> Response:
    words = Words.of(request)
    title = words.t("not_found") if status == 404 else words.t("error")
    return render(request, "error.html", {"status": status, "message": message}, title=title, status=status,
                  cache=False)


class PageRoute(UnitOfWorkRoute):
    """A page runs in one unit of work like an API call; a domain error becomes an HTML page with the same
    status and the service's own message."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            drop_empty_query(request)
            english = pick_language(request) == "en"
            try:
                return await inner(request)
            except ExchangeError as exc:
                return error_page(request, exc.status, exc.en if english else exc.zh)
            except RequestValidationError as exc:
                fields = "、".join(str(e.get("loc", ["", "?"])[-1]) for e in exc.errors())
                return error_page(request, 422, (f"Invalid query: {fields}" if english else f"查询参数无效：{fields}"))

        return handler


class SignedInRoute(PageRoute):
    """A page for signed-in users: without a valid session it redirects to ``/login?next=`` (this page, for a
    GET); it never lets a shared cache keep it, and it re-issues the session cookie (the idle timeout slides)."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await inner(request)
            except auth.PasswordChangeRequired:
                response = RedirectResponse(auth.PASSWORD_PAGE, status_code=303)
            except auth.SignInRequired as exc:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                query = {"next": auth.safe_next(target) if request.method == "GET" else auth.HOME}
                if exc.expired:
                    query["expired"] = "1"
                response = RedirectResponse(f"/login?{urlencode(query)}", status_code=303)
                auth.clear_session_cookie(response, request.app.state.settings)
            else:
                session = getattr(request.state, "web_session", None)
                if isinstance(session, auth.WebSession) and not getattr(request.state, "signed_out", False):
                    auth.set_session_cookie(response, session, request.app.state.settings)
            response.headers["Cache-Control"] = "private, no-store"
            return response

        return handler
