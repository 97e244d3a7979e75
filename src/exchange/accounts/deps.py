"""Who is calling: bearer-token dependencies used by every endpoint."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from exchange.accounts.models import Role, User
from exchange.accounts.repository import UserRepository
from exchange.errors import ExchangeError, forbidden
from exchange.kit.clock import now
from exchange.kit.http import API_PREFIX, Session
from exchange.kit.security import decode_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def unauthenticated(zh: str = "未登录或令牌无效", en: str = "Missing, malformed, expired or invalid token") -> ExchangeError:
    return ExchangeError("not_authenticated", 401, zh, en, headers={"WWW-Authenticate": "Bearer"})


async def optional_user(
    request: Request, session: Session, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User | None:
    """The signed-in user, None without a token; a bad token is 401 even where tokens are optional."""
    if token is None:
        if request.headers.get("authorization"):
            raise unauthenticated()
        return None
    claims = decode_token(token, request.app.state.settings.secret_key, now())
    if claims is None:
        raise unauthenticated()
    try:
        user = await UserRepository(session).get(uuid.UUID(str(claims["sub"])))
    except (ValueError, TypeError):
        user = None
    if user is None or not user.is_active or int(claims.get("tv", 0)) != (user.token_version or 0):
        raise unauthenticated()  # deactivated, or the token was revoked (password change, reset)
    if user.must_change_password and not _may_while_changing_password(request):
        raise ExchangeError(
            "password_change_required", 403, "请先修改临时密码（POST /api/v1/me/password）",
            "Change your temporary password first (POST /api/v1/me/password)",
        )
    return user


def _may_while_changing_password(request: Request) -> bool:
    """With a temporary password a user may read ``/me`` and set a new password, nothing else."""
    path = request.url.path.removeprefix(API_PREFIX)
    return (request.method, path) in {("POST", "/me/password"), ("GET", "/me")}


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise unauthenticated("需要登录", "Authentication required")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that admits only users with one of ``roles`` (403 for others)."""
    allowed = {r.value for r in roles}

    async def dependency(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise forbidden(
                f"此操作仅限以下角色：{'、'.join(sorted(allowed))}",
                f"Only these roles may do this: {', '.join(sorted(allowed))}",
                code="role_not_allowed",
            )
        return user

    return dependency


AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
