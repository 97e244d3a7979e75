"""``/login`` and ``/logout``: the API's own sign-in rule (:func:`exchange.accounts.service.sign_in` — the same
password check, username normalization and login limiter as ``POST /api/v1/auth/token``) behind a form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from exchange.accounts import service as accounts
from exchange.errors import ExchangeError
from exchange.kit.http import Session, client_address
from exchange.web import auth
from exchange.web.i18n import Words, pick_language
from exchange.web.render import render
from exchange.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse,
                   dependencies=[Depends(auth.check_csrf)])


def _form(request: Request, *, next_url: str, username: str = "", error: str = "", notice: str = "",
          status: int = 200) -> Response:
    words = Words.of(request)
    fresh = auth.ensure_pre_anchor(request)
    response = render(request, "login.html", {
        "next_url": next_url, "username": username, "error": error, "notice": notice,
        "csrf": auth.csrf_token(request),
    }, title=f"{words.t('login')} · {words.t('site')}", status=status, cache=False)
    response.headers["Cache-Control"] = "private, no-store"
    if fresh is not None:
        auth.set_pre_cookie(response, fresh, request.app.state.settings)
    return response


@router.get("/login")
async def login_form(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None,  # noqa: A002
                     expired: bool = False, out: bool = False) -> Response:
    words = Words.of(request)
    notice = words.t("session_expired") if expired else words.t("signed_out") if out else ""
    return _form(request, next_url=auth.safe_next(next), notice=notice)


@router.post("/login")
async def login(request: Request, session: Session,
                username: Annotated[str, Form(max_length=200)] = "", password: Annotated[str, Form(max_length=256)] = "",
                next: Annotated[str, Form(max_length=2000)] = "") -> Response:  # noqa: A002
    """Sign in: a session cookie, then the page asked for (on this site only) or the workspace."""
    state = request.app.state
    target = auth.safe_next(next)
    english = pick_language(request) == "en"
    try:
        user = await accounts.sign_in(session, state.session_factory, username=username, password=password,
                                      address=client_address(request), max_failures=state.settings.login_max_failures,
                                      window_seconds=state.settings.login_window_seconds)
    except ExchangeError as exc:
        response = _form(request, next_url=target, username=username, error=exc.en if english else exc.zh,
                         status=exc.status)
        for name, value in exc.headers.items():
            if name.lower() == "retry-after":
                response.headers[name] = value
        return response
    response = RedirectResponse(target, status_code=303)
    auth.set_session_cookie(response, auth.new_session(user), state.settings)
    response.delete_cookie(auth.PRE_COOKIE, path="/")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Sign out: the cookie is cleared (a POST with the page's CSRF token, so no other site can sign anyone out)."""
    response = RedirectResponse("/login?out=1", status_code=303)
    auth.clear_session_cookie(response, request.app.state.settings)
    response.headers["Cache-Control"] = "private, no-store"
    return response
