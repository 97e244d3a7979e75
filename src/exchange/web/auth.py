"""Signing in to the pages: the session cookie, CSRF tokens and the ``next`` address after sign-in.

The session cookie is a token signed (HS256) with a key derived from ``EXCHANGE_SECRET_KEY`` for this use only,
so it never passes as an API bearer token (and the API never reads cookies: no cross-site request can act on
the JSON API with a visitor's cookie). It carries the user's id, a random session id, when it was issued and
when it was last seen; it is refused after ``web_session_idle_seconds`` without a request (sliding: every page
re-issues it) and ``web_session_max_seconds`` after sign-in, and for a user who has been deactivated since.

Every POST form carries ``csrf_token``: an HMAC of the session id (before sign-in, of a random value kept in
a separate cookie), so a form posted from another site, which cannot read either, is refused (403)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

import jwt
from fastapi import Depends, Request
from starlette.responses import Response

from exchange.accounts.models import User
from exchange.accounts.repository import UserRepository
from exchange.config import Settings
from exchange.errors import ExchangeError
from exchange.kit.clock import now
from exchange.kit.http import Session

COOKIE = "exchange_session"
PRE_COOKIE = "exchange_csrf"  # the anonymous CSRF anchor of the sign-in form
CSRF_FIELD = "csrf_token"
HOME = "/workspace"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class WebSession:
    user_id: uuid.UUID
    sid: str
    issued: int
    seen: int
    version: int = 0  # the user's token version when signed in: a password change or deactivation ends the session


class SignInRequired(Exception):  # noqa: N818 - a control-flow signal, not an error shown to anyone
    """No valid session: the page answers with a redirect to ``/login?next=…``."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("sign-in required")
        self.expired = expired


def _key(settings: Settings, purpose: str) -> bytes:
    return hashlib.sha256(f"exchange-web:{purpose}:{settings.secret_key}".encode()).digest()


def secure_cookies(settings: Settings) -> bool:
    """Cookies are ``Secure`` everywhere but in development (``EXCHANGE_ENV=dev``, plain http on localhost)."""
    return settings.env != "dev"


def encode(session: WebSession, settings: Settings) -> str:
    claims = {"typ": "web", "sub": str(session.user_id), "sid": session.sid, "iat": session.issued,
              "seen": session.seen, "ver": session.version}
    return jwt.encode(claims, _key(settings, "session"), algorithm="HS256")


def decode(value: str | None, settings: Settings, at: dt.datetime) -> WebSession | None | bool:
    """The session in the cookie; ``None`` when there is none or it is not ours; ``False`` when it expired."""
    if not value:
        return None
    try:
        claims = jwt.decode(value, _key(settings, "session"), algorithms=["HS256"],
                            options={"require": ["sub", "sid", "iat", "seen"], "verify_iat": False})
        session = WebSession(uuid.UUID(str(claims["sub"])), str(claims["sid"]), int(claims["iat"]), int(claims["seen"]),
                             int(claims.get("ver", 0)))
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if claims.get("typ") != "web":
        return None
    t = int(at.timestamp())
    if t - session.seen > settings.web_session_idle_seconds or t - session.issued > settings.web_session_max_seconds:
        return False
    return session


def new_session(user: User) -> WebSession:
    t = int(now().timestamp())
    return WebSession(user.id, secrets.token_urlsafe(16), t, t, user.token_version or 0)


def set_session_cookie(response: Response, session: WebSession, settings: Settings) -> None:
    response.set_cookie(COOKIE, encode(session, settings), httponly=True, samesite="lax",
                        secure=secure_cookies(settings), path="/", max_age=settings.web_session_idle_seconds)


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(settings))


def csrf_for(settings: Settings, anchor: str) -> str:
    return hmac.new(_key(settings, "csrf"), anchor.encode(), hashlib.sha256).hexdigest()


def csrf_anchor(request: Request) -> str | None:
    """What this visitor's CSRF token is tied to: the session id when signed in, else the sign-in form's cookie."""
    session = getattr(request.state, "web_session", None)
    if isinstance(session, WebSession):
        return session.sid
    found = decode(request.cookies.get(COOKIE), request.app.state.settings, now())
    if isinstance(found, WebSession):
        return found.sid
    return request.cookies.get(PRE_COOKIE) or getattr(request.state, "pre_anchor", None)


def csrf_token(request: Request) -> str:
    """The token a form on this page carries (empty when the visitor has no anchor yet)."""
    anchor = csrf_anchor(request)
    return csrf_for(request.app.state.settings, anchor) if anchor else ""


def ensure_pre_anchor(request: Request) -> str | None:
    """A fresh anonymous anchor for a visitor who has none (the caller sets the cookie on its response)."""
    if request.cookies.get(PRE_COOKIE) or isinstance(getattr(request.state, "web_session", None), WebSession):
        return None
    request.state.pre_anchor = secrets.token_urlsafe(16)
    return str(request.state.pre_anchor)


def set_pre_cookie(response: Response, value: str, settings: Settings) -> None:
    response.set_cookie(PRE_COOKIE, value, httponly=True, samesite="lax", secure=secure_cookies(settings), path="/")


def csrf_refused() -> ExchangeError:
    return ExchangeError("csrf_failed", 403, "表单已失效或来自其他网站，已拒绝。请刷新页面后重试。",
                         "The form has expired or came from another site and was refused. Reload the page and "
                         "try again.")


async def check_csrf(request: Request) -> None:
    """403 for a POST whose ``csrf_token`` does not belong to this visitor, or that another origin sent."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin.rstrip("/") != own:
            raise csrf_refused()
    elif origin == "null":
        raise csrf_refused()
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    anchor = csrf_anchor(request)
    if not isinstance(sent, str) or not anchor or not hmac.compare_digest(sent, csrf_for(request.app.state.settings,
                                                                                            anchor)):
        raise csrf_refused()


class PasswordChangeRequired(Exception):  # noqa: N818 - a control-flow signal, not an error shown to anyone
    """Signed in with a temporary password: every page but the password form redirects there."""


async def signed_in(request: Request, session: Session) -> User:
    """The page's user from the session cookie (else :class:`SignInRequired`); a POST must also pass the CSRF
    check. The session slides: the response re-issues the cookie with this request as last seen. A user whose
    password was reset by an administrator is sent to the password form first (the API's rule: only a
    password change works until it is done)."""
    user = await signed_in_to_change_password(request, session)
    if user.must_change_password:
        raise PasswordChangeRequired()
    return user


async def signed_in_to_change_password(request: Request, session: Session) -> User:
    """:func:`signed_in` for the password form itself, which a temporary password may use."""
    settings = request.app.state.settings
    at = now()
    found = decode(request.cookies.get(COOKIE), settings, at)
    if not isinstance(found, WebSession):
        raise SignInRequired(expired=found is False)
    user = await UserRepository(session).get(found.user_id)
    if user is None or not user.is_active or (user.token_version or 0) != found.version:
        raise SignInRequired()  # deactivated, or every session revoked (a password change or reset)
    request.state.web_session = WebSession(found.user_id, found.sid, found.issued, int(at.timestamp()), found.version)
    request.state.web_user = user
    await check_csrf(request)
    return user


PageUser = Annotated[User, Depends(signed_in)]
PASSWORD_PAGE = "/workspace/password"


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host``, ``/\\host`` or a URL with a
    scheme), else the workspace."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return HOME
    if any(ord(c) < 32 or c == "\\" for c in value):
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return HOME
    return value
