"""Accounts: logging in, signing up, creating users."""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import ORG_ROLES, Role, User
from exchange.accounts.repository import UserRepository
from exchange.accounts.schemas import normalize_username
from exchange.audit import service as audit
from exchange.errors import ExchangeError, invalid
from exchange.kit.security import hash_password, verify_password
from exchange.regions.repository import RegionRepository

ORG_KIND_FOR_ROLE = {
    Role.org: {"social_org"},
    Role.buyer: {"government", "mass_org", "foundation", "enterprise", "community"},
    Role.community: {"community"},
}


def bad_login() -> ExchangeError:
    return ExchangeError(
        "invalid_credentials", 401, "用户名或密码错误", "Wrong username or password",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def authenticate(session: AsyncSession, username: str, password: str) -> User:
    user = await UserRepository(session).by_username(username)
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.is_active:
        raise bad_login()
    return user


class LoginLimiter(Protocol):
    def blocked_for(self, key: str) -> float: ...
    def hit(self, key: str) -> None: ...
    def reset(self, key: str) -> None: ...


async def sign_in(session: AsyncSession, *, username: str, password: str, client_ip: str,
                  per_user: LoginLimiter, per_address: LoginLimiter) -> User:
    """Log in: the one rule behind the API's token and the pages' session. Repeated failures per username or
    per address are refused (429 with ``Retry-After``) before the password is even checked; a failure counts
    against both, a success clears the username's count."""
    try:
        name = normalize_username(username)  # the same normalization as at sign-up (NFKC, case)
    except ValueError:
        name = username.strip().lower()  # cannot exist; still counts as a failed login
    wait = max(per_user.blocked_for(f"u:{name}"), per_address.blocked_for(f"ip:{client_ip}"))
    if wait > 0:
        raise ExchangeError(
            "too_many_login_attempts", 429, "登录失败次数过多，请稍后再试", "Too many failed logins; try again later",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    try:
        user = await authenticate(session, name, password)
    except ExchangeError:
        per_user.hit(f"u:{name}")
        per_address.hit(f"ip:{client_ip}")
        raise
    per_user.reset(f"u:{name}")
    return user


async def _check_region(session: AsyncSession, code: str | None, loc: list[str | int]) -> None:
    if code is not None and await RegionRepository(session).get(code) is None:
        raise invalid(loc, f"区域代码 {code} 不存在", f"Unknown region code {code}", code="unknown_region")


async def _ensure_username_free(repo: UserRepository, username: str) -> None:
    if await repo.by_username(username) is not None:
        raise ExchangeError("username_taken", 409, "用户名已被使用", "This username is already taken")


async def register_resident(
    session: AsyncSession, *, username: str, password: str, display_name: str, region_code: str
) -> User:
    repo = UserRepository(session)
    await _check_region(session, region_code, ["body", "region_code"])
    await _ensure_username_free(repo, username)
    user = repo.add(User(
        id=uuid.uuid4(), username=username, display_name=display_name, role=Role.resident.value,
        password_hash=hash_password(password), region_code=region_code, is_active=True,
    ))
    await repo.flush()
    audit.record(session, actor_id=user.id, action="user.registered", entity_type="user", entity_id=user.id,
                 summary={"username": username, "role": "resident"})
    return user


async def create_user(
    session: AsyncSession, *, actor_id: uuid.UUID | None, username: str, password: str, role: Role,
    display_name: str | None = None, organization_id: uuid.UUID | None = None, region_code: str | None = None,
    organization_kind: str | None = None,
) -> User:
    """Create a user of any role; ``buyer``, ``org`` and ``community`` users act for one organization, whose
    kind the caller looked up (``organization_kind``; None: no such organization) —
    :func:`exchange.accounts.flows.create_user` does."""
    repo = UserRepository(session)
    if role in ORG_ROLES:
        if organization_id is None:
            raise invalid(["body", "organization_id"], "该角色必须指定所属组织",
                          f"A {role.value} user must belong to an organization", code="organization_required")
        if organization_kind is None:
            raise invalid(["body", "organization_id"], "组织不存在", "Unknown organization", code="unknown_organization")
        if organization_kind not in ORG_KIND_FOR_ROLE[role]:
            raise invalid(["body", "organization_id"], f"「{role.value}」用户不能代表此类组织（{organization_kind}）",
                          f"A {role.value} user cannot act for a {organization_kind} organization",
                          code="organization_kind_mismatch")
    elif organization_id is not None:
        raise invalid(["body", "organization_id"], "该角色不代表组织", f"A {role.value} user does not act for an organization",
                      code="organization_not_allowed")
    await _check_region(session, region_code, ["body", "region_code"])
    await _ensure_username_free(repo, username)
    user = repo.add(User(
        id=uuid.uuid4(), username=username, display_name=display_name or username, role=role.value,
        password_hash=hash_password(password), organization_id=organization_id, region_code=region_code,
        is_active=True,
    ))
    await repo.flush()
    audit.record(session, actor_id=actor_id, action="user.created", entity_type="user", entity_id=user.id,
                 summary={"username": username, "role": role.value,
                          "organization_id": str(organization_id) if organization_id else None})
    return user


async def make_organization_user(session: AsyncSession, *, actor_id: uuid.UUID | None, user_id: uuid.UUID,
                                 organization_id: uuid.UUID) -> User:
    """A resident starts acting for an organization (its filing was approved): role ``org`` for it."""
    user = await UserRepository(session).get_for_update(user_id)
    if user is None:
        raise invalid(["user_id"], "用户不存在", "Unknown user", code="unknown_user")
    before = user.role
    user.role, user.organization_id = Role.org.value, organization_id
    await session.flush()
    audit.record(session, actor_id=actor_id, action="user.role_changed", entity_type="user", entity_id=user.id,
                 summary={"from": before, "to": user.role, "organization_id": str(organization_id)})
    return user
