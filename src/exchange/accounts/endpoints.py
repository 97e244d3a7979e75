"""Accounts: log in, sign up, who am I, my profile and password, and user administration."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response

from exchange.accounts import flows, service
from exchange.accounts.deps import AdminUser, CurrentUser
from exchange.accounts.models import Role, User
from exchange.accounts.schemas import (
    Me,
    MeUpdate,
    PasswordChange,
    PasswordResetIn,
    RegisterIn,
    Token,
    UserAdminOut,
    UserBrief,
    UserBriefList,
    UserCreate,
    UserList,
    UserOut,
    UserPasswordReset,
    UserUpdate,
)
from exchange.errors import ExchangeError, forbidden, problems
from exchange.kit import ratelimit
from exchange.kit.clock import now
from exchange.kit.http import Session, check_if_match, client_address, resource_headers
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.kit.security import encode_token
from exchange.listings.validation import changes_of
from exchange.points import service as points

router = APIRouter(route_class=UnitOfWorkRoute, tags=["accounts"])


def _issue(request: Request, user: User) -> Token:
    settings = request.app.state.settings
    token = encode_token(user.id, user.role, settings.secret_key, settings.token_ttl_seconds, now(),
                         token_version=user.token_version or 0)
    return Token(access_token=token, expires_in=settings.token_ttl_seconds)


@router.post("/auth/token", response_model=Token, operation_id="login", responses=problems(401, 422, 429))
async def login(
    request: Request, session: Session,
    username: Annotated[str, Form(max_length=200)], password: Annotated[str, Form(max_length=256)],
) -> Token:
    """Log in with the OAuth2 password form.

    Attempts are counted per username *and* address before the password is checked (429 past
    `EXCHANGE_LOGIN_MAX_FAILURES` in `EXCHANGE_LOGIN_WINDOW_SECONDS`, ten times that per address),
    so failures from elsewhere never lock the rightful owner out. The pages' `/login` uses the same rule."""
    settings = request.app.state.settings
    user = await service.sign_in(session, request.app.state.session_factory, username=username, password=password,
                                 address=client_address(request), max_failures=settings.login_max_failures,
                                 window_seconds=settings.login_window_seconds)
    return _issue(request, user)


@router.post("/auth/register", response_model=UserOut, status_code=201, operation_id="register",
             responses=problems(409, 422, 429))
async def register(body: RegisterIn, request: Request, session: Session, response: Response) -> UserOut:
    """A resident signs up with a username, a password (≥ 8 characters), a name and their region.
    Sign-ups are limited per address (`EXCHANGE_REGISTER_RATE_PER_HOUR`)."""
    settings = request.app.state.settings
    verdict = await ratelimit.hit(request.app.state.session_factory, f"register:{client_address(request)}",
                                  limit=settings.register_rate_per_hour, window=3600)
    if not verdict.allowed:
        raise ExchangeError("too_many_registrations", 429, "注册过于频繁，请稍后再试",
                            "Too many sign-ups from this address; try again later",
                            headers={"Retry-After": str(int(verdict.retry_after) + 1)})
    user = await service.register_resident(
        session, username=body.username, password=body.password, display_name=body.display_name,
        region_code=body.region_code,
    )
    resource_headers(response, user.version, f"/users/{user.id}")
    return UserOut.model_validate(user)


async def _me(session: Session, user: User) -> Me:
    balance = await points.balance(session, user.id)
    return Me.model_validate({**UserOut.model_validate(user).model_dump(), "points_balance": balance,
                              "phone": user.phone, "must_change_password": user.must_change_password})


@router.get("/me", response_model=Me, operation_id="getMe", responses=problems(401))
async def me(user: CurrentUser, session: Session) -> Me:
    """The signed-in user, with their points balance."""
    return await _me(session, user)


@router.patch("/me", response_model=Me, operation_id="updateMe", responses=problems(401, 403, 412, 422))
async def update_me(body: MeUpdate, request: Request, user: CurrentUser, session: Session, response: Response) -> Me:
    """Change my `display_name`, `region_code` or `phone`; honours `If-Match`."""
    check_if_match(request, user.version)
    user = await service.update_me(session, user=user, changes=changes_of(body, frozenset({"phone", "region_code"})))
    resource_headers(response, user.version)
    return await _me(session, user)


@router.post("/me/password", response_model=Token, operation_id="changeMyPassword",
             responses=problems(401, 403, 422))
async def change_password(body: PasswordChange, request: Request, user: CurrentUser, session: Session) -> Token:
    """Set a new password. Every token issued before (other sessions too) stops working; the answer
    is a fresh token for this session."""
    user = await service.change_password(session, user=user, current=body.current_password, new=body.new_password)
    return _issue(request, user)


# -- administration ---------------------------------------------------------------------------------

async def _user_reader(user: CurrentUser) -> User:
    if user.role not in (Role.admin, Role.buyer, Role.manager):
        raise forbidden("只有管理员、采购方和公益经理人可以查找用户", "Only admins, buyers and managers may search users",
                        code="role_not_allowed")
    return user


@router.get("/users", response_model=UserList | UserBriefList, operation_id="listUsers", responses=problems(401, 403, 422))
async def list_users(
    session: Session, reader: Annotated[User, Depends(_user_reader)],
    role: Annotated[Role | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the username or display name")] = None,
    active: Annotated[bool | None, Query()] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> UserList | UserBriefList:
    """Users, newest first (admin). Buyers and managers find active experts here (`role=expert`,
    the only role they may list) to name a panel, and see their id, username and name only."""
    if reader.role != Role.admin:
        if role not in (None, Role.expert):
            raise forbidden("只能查找评审专家", "Only experts may be listed", code="role_not_allowed")
        page = await service.list_users(session, role=Role.expert, q=q, active=True, limit=limit, cursor=cursor)
        return UserBriefList(items=[UserBrief.model_validate(u) for u in page.items], next_cursor=page.next_cursor)
    page = await service.list_users(session, role=role, q=q, active=active, limit=limit, cursor=cursor)
    return UserList(items=[UserAdminOut.model_validate(u) for u in page.items], next_cursor=page.next_cursor)


@router.post("/users", response_model=UserAdminOut, status_code=201, operation_id="createUser",
             responses=problems(401, 403, 409, 422))
async def create_user(body: UserCreate, admin: AdminUser, session: Session, response: Response) -> UserAdminOut:
    """Create a user of any role (admin only). Buyer, org and community users name their organization."""
    user = await flows.create_user(
        session, actor_id=admin.id, username=body.username, password=body.password, role=body.role,
        display_name=body.display_name, organization_id=body.organization_id, region_code=body.region_code,
    )
    resource_headers(response, user.version, f"/users/{user.id}")
    return UserAdminOut.model_validate(user)


@router.get("/users/{user_id}", response_model=UserAdminOut, operation_id="getUser", responses=problems(401, 403, 404))
async def get_user(user_id: uuid.UUID, admin: AdminUser, session: Session, response: Response) -> UserAdminOut:
    """One user (admin)."""
    user = await service.get_or_404(session, user_id)
    resource_headers(response, user.version)
    return UserAdminOut.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserAdminOut, operation_id="updateUser",
              responses=problems(401, 403, 404, 409, 412, 422))
async def update_user(user_id: uuid.UUID, body: UserUpdate, request: Request, admin: AdminUser, session: Session,
                      response: Response) -> UserAdminOut:
    """Edit `display_name`, `role`, `organization_id`, `region_code`, `phone`, `active` (admin); honours
    `If-Match`. A new role or organization revokes the user's tokens."""
    user = await service.get_or_404(session, user_id, lock=True)
    check_if_match(request, user.version)
    changes = changes_of(body, frozenset({"organization_id", "region_code", "phone", "active", "display_name", "role"}))
    user = await flows.update_user(session, actor=admin, user=user, changes=changes)
    resource_headers(response, user.version)
    return UserAdminOut.model_validate(user)


@router.post("/users/{user_id}/deactivate", response_model=UserAdminOut, operation_id="deactivateUser",
             responses=problems(401, 403, 404, 409))
async def deactivate_user(user_id: uuid.UUID, admin: AdminUser, session: Session, response: Response) -> UserAdminOut:
    """The user's tokens stop working at once (401) and it cannot log in."""
    user = await service.set_active(session, actor=admin, user=await service.get_or_404(session, user_id, lock=True),
                                    active=False)
    resource_headers(response, user.version)
    return UserAdminOut.model_validate(user)


@router.post("/users/{user_id}/activate", response_model=UserAdminOut, operation_id="activateUser",
             responses=problems(401, 403, 404, 409))
async def activate_user(user_id: uuid.UUID, admin: AdminUser, session: Session, response: Response) -> UserAdminOut:
    """The user may log in again (tokens from before the deactivation stay revoked)."""
    user = await service.set_active(session, actor=admin, user=await service.get_or_404(session, user_id, lock=True),
                                    active=True)
    resource_headers(response, user.version)
    return UserAdminOut.model_validate(user)


@router.post("/users/{user_id}/password-reset", response_model=UserPasswordReset, operation_id="resetUserPassword",
             responses=problems(401, 403, 404, 409, 422))
async def reset_password(user_id: uuid.UUID, admin: AdminUser, session: Session, response: Response,
                         body: PasswordResetIn | None = None) -> UserPasswordReset:
    """Set a temporary password (given, or generated and shown once). The user's tokens are revoked
    and, until it sets its own password, every call but `POST /me/password` answers 403
    `password_change_required`."""
    user, password = await service.reset_password(
        session, actor=admin, user=await service.get_or_404(session, user_id, lock=True),
        temporary=body.temporary_password if body else None)
    resource_headers(response, user.version)
    return UserPasswordReset.model_validate({**UserAdminOut.model_validate(user).model_dump(),
                                             "temporary_password": password})
