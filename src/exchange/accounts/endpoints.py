"""Accounts: log in, sign up, who am I, create users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from exchange.accounts import flows, service
from exchange.accounts.deps import AdminUser, CurrentUser
from exchange.accounts.schemas import Me, RegisterIn, Token, UserCreate, UserOut
from exchange.errors import problems
from exchange.kit.clock import now
from exchange.kit.http import Session, client_ip, resource_headers
from exchange.kit.routing import UnitOfWorkRoute
from exchange.kit.security import encode_token
from exchange.points import service as points

router = APIRouter(route_class=UnitOfWorkRoute, tags=["accounts"])


@router.post("/auth/token", response_model=Token, operation_id="login", responses=problems(401, 422, 429))
async def login(
    request: Request, session: Session,
    username: Annotated[str, Form(max_length=200)], password: Annotated[str, Form(max_length=256)],
) -> Token:
    """Log in with the OAuth2 password form; repeated failures per username or address answer 429."""
    state = request.app.state
    user = await service.sign_in(session, username=username, password=password, client_ip=client_ip(request),
                                 per_user=state.login_limiter, per_address=state.login_ip_limiter)
    settings = state.settings
    token = encode_token(user.id, user.role, settings.secret_key, settings.token_ttl_seconds, now())
    return Token(access_token=token, expires_in=settings.token_ttl_seconds)


@router.post("/auth/register", response_model=UserOut, status_code=201, operation_id="register",
             responses=problems(409, 422))
async def register(body: RegisterIn, session: Session, response: Response) -> UserOut:
    """A resident signs up with a username, a password (≥ 8 characters), a name and their region."""
    user = await service.register_resident(
        session, username=body.username, password=body.password, display_name=body.display_name,
        region_code=body.region_code,
    )
    resource_headers(response, user.version, f"/users/{user.id}")
    return UserOut.model_validate(user)


@router.get("/me", response_model=Me, operation_id="getMe", responses=problems(401))
async def me(user: CurrentUser, session: Session) -> Me:
    """The signed-in user, with their points balance."""
    balance = await points.balance(session, user.id)
    return Me.model_validate({**UserOut.model_validate(user).model_dump(), "points_balance": balance})


@router.post("/users", response_model=UserOut, status_code=201, operation_id="createUser",
             responses=problems(401, 403, 409, 422))
async def create_user(body: UserCreate, admin: AdminUser, session: Session, response: Response) -> UserOut:
    """Create a user of any role (admin only). Buyer, org and community users name their organization."""
    user = await flows.create_user(
        session, actor_id=admin.id, username=body.username, password=body.password, role=body.role,
        display_name=body.display_name, organization_id=body.organization_id, region_code=body.region_code,
    )
    resource_headers(response, user.version, f"/users/{user.id}")
    return UserOut.model_validate(user)
