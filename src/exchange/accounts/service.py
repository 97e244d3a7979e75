"""Accounts: logging in, signing up, creating users."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.models import ORG_ROLES, Role, User
from exchange.accounts.repository import UserRepository
from exchange.accounts.schemas import normalize_username
from exchange.audit import service as audit
from exchange.errors import ExchangeError, invalid, not_found
from exchange.kit import ratelimit
from exchange.kit.pagination import Page
from exchange.kit.security import hash_password_async, verify_password_async
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
    """The active user with this password (argon2 runs off the event loop); 401 otherwise."""
    user = await UserRepository(session).by_username(username)
    ok = await verify_password_async(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise bad_login()
    return user


async def sign_in(session: AsyncSession, factory: async_sessionmaker[AsyncSession], *, username: str, password: str,
                  address: str, max_failures: int, window_seconds: int) -> User:
    """Log in: the one rule behind the API's token and the pages' session. Attempts are counted per username
    *and* address (in the database, so every process sees them; each count in its own short transaction of
    ``factory``) before the password is checked: 429 with ``Retry-After`` past ``max_failures`` in the window,
    ten times that per address. A success starts the pair afresh and gives the address its attempt back."""
    try:
        name = normalize_username(username)  # the same normalization as at sign-up (NFKC, case)
    except ValueError:
        name = username.strip().lower()  # cannot exist; still counts as an attempt
    pair_key, address_key = f"login:{name}|{address}", f"login-address:{address}"
    pair = await ratelimit.hit(factory, pair_key, limit=max_failures, window=window_seconds)
    by_address = await ratelimit.hit(factory, address_key, limit=max_failures * 10, window=window_seconds)
    if not pair.allowed or not by_address.allowed:
        raise ExchangeError(
            "too_many_login_attempts", 429, "登录尝试次数过多，请稍后再试", "Too many login attempts; try again later",
            headers={"Retry-After": str(int(max(pair.retry_after, by_address.retry_after)) + 1)},
        )
    user = await authenticate(session, name, password)
    await ratelimit.forget(session, pair_key)
    await ratelimit.give_back(session, address_key)
    return user


async def _check_region(session: AsyncSession, code: str | None, loc: list[str | int]) -> None:
    if code is not None and await RegionRepository(session).get(code) is None:
        raise invalid(loc, f"区域代码 {code} 不存在", f"Unknown region code {code}", code="unknown_region")


async def _ensure_username_free(repo: UserRepository, username: str) -> None:
    if await repo.by_username(username) is not None:
        raise ExchangeError("username_taken", 409, "用户名已被使用", "This username is already taken")


def _check_organization(role: Role, organization_id: uuid.UUID | None, organization_kind: str | None) -> None:
    """A user of an organization role acts for one organization of a fitting kind (``organization_kind``:
    the kind the caller looked up, None when there is no such organization); other roles for none."""
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


async def register_resident(
    session: AsyncSession, *, username: str, password: str, display_name: str, region_code: str
) -> User:
    repo = UserRepository(session)
    await _check_region(session, region_code, ["body", "region_code"])
    await _ensure_username_free(repo, username)
    user = repo.add(User(
        id=uuid.uuid4(), username=username, display_name=display_name, role=Role.resident.value,
        password_hash=await hash_password_async(password), region_code=region_code, is_active=True,
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
    _check_organization(role, organization_id, organization_kind)
    await _check_region(session, region_code, ["body", "region_code"])
    await _ensure_username_free(repo, username)
    user = repo.add(User(
        id=uuid.uuid4(), username=username, display_name=display_name or username, role=role.value,
        password_hash=await hash_password_async(password), organization_id=organization_id, region_code=region_code,
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


# -- administration ---------------------------------------------------------------------------------

async def get_or_404(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> User:
    repo = UserRepository(session)
    user = await (repo.get_for_update(user_id) if lock else repo.get(user_id))
    if user is None:
        raise not_found("user")
    return user


async def list_users(session: AsyncSession, *, role: Role | None, q: str | None, active: bool | None,
                     limit: int, cursor: str | None) -> Page[User]:
    return await UserRepository(session).page(role=role, q=q, active=active, limit=limit, cursor=cursor)


def revoke_tokens(user: User) -> None:
    """Every token issued to ``user`` so far stops working with this transaction's commit."""
    user.token_version = (user.token_version or 0) + 1


async def update_user(session: AsyncSession, *, actor: User, user: User, changes: dict[str, Any],
                      organization_kind: str | None = None) -> User:
    """An administrator edits a user; a role or organization change is checked like a new user
    (``organization_kind``: the kind of the organization the user will act for, looked up by the caller —
    :func:`exchange.accounts.flows.update_user` does)."""
    if "active" in changes:
        active = changes.pop("active")
        if active is None:
            raise invalid(["body", "active"], "字段「active」不能为空", "'active' may not be null", code="null_not_allowed")
        await set_active(session, actor=actor, user=user, active=active)
    for key in ("display_name", "role"):
        if key in changes and changes[key] is None:
            raise invalid(["body", key], f"字段「{key}」不能为空", f"'{key}' may not be null", code="null_not_allowed")
    role = Role(changes.get("role", user.role))
    organization_id = changes.get("organization_id", user.organization_id)
    if "role" in changes or "organization_id" in changes:
        _check_organization(role, organization_id, organization_kind)
    if changes.get("region_code") is not None:
        await _check_region(session, changes["region_code"], ["body", "region_code"])
    for key, value in changes.items():
        setattr(user, key, value.value if isinstance(value, Role) else value)
    if "role" in changes or "organization_id" in changes:
        revoke_tokens(user)  # a token names its role: a changed role needs a fresh login
    await session.flush()
    audit.record(session, actor_id=actor.id, action="user.updated", entity_type="user", entity_id=user.id,
                 summary={"changed": sorted(changes)})
    return user


async def set_active(session: AsyncSession, *, actor: User, user: User, active: bool) -> User:
    """Deactivation revokes the user's tokens at once (401 on the next call) and refuses its logins."""
    if not active and user.id == actor.id:
        raise ExchangeError("cannot_deactivate_self", 409, "不能停用自己的账号", "You cannot deactivate your own account")
    if user.erased_at is not None and active:
        raise ExchangeError("user_erased", 409, "该账号已注销，不能恢复", "This account was erased and cannot be reactivated")
    if user.is_active != active:
        user.is_active = active
        revoke_tokens(user)
        await session.flush()
        audit.record(session, actor_id=actor.id, action="user.activated" if active else "user.deactivated",
                     entity_type="user", entity_id=user.id, summary={})
    return user


async def reset_password(session: AsyncSession, *, actor: User, user: User, temporary: str | None) -> tuple[User, str]:
    """Set a temporary password the user must change at the next login; every token is revoked."""
    if user.erased_at is not None:
        raise ExchangeError("user_erased", 409, "该账号已注销", "This account was erased")
    password = temporary or secrets.token_urlsafe(12)
    user.password_hash = await hash_password_async(password)
    user.must_change_password = True
    revoke_tokens(user)
    await session.flush()
    audit.record(session, actor_id=actor.id, action="user.password_reset", entity_type="user", entity_id=user.id,
                 summary={})
    return user, password


# -- the user's own account -------------------------------------------------------------------------

async def update_me(session: AsyncSession, *, user: User, changes: dict[str, Any]) -> User:
    if "display_name" in changes and changes["display_name"] is None:
        raise invalid(["body", "display_name"], "姓名不能为空", "display_name may not be null", code="null_not_allowed")
    if changes.get("region_code") is not None:
        await _check_region(session, changes["region_code"], ["body", "region_code"])
    for key, value in changes.items():
        setattr(user, key, value)
    await session.flush()
    audit.record(session, actor_id=user.id, action="user.profile_updated", entity_type="user", entity_id=user.id,
                 summary={"changed": sorted(changes)})
    return user


async def change_password(session: AsyncSession, *, user: User, current: str, new: str) -> User:
    """A new password; every earlier token (other sessions too) is revoked: the caller gets a new one."""
    if not await verify_password_async(user.password_hash, current):
        raise invalid(["body", "current_password"], "当前密码不正确", "The current password is wrong",
                      code="wrong_password")
    if current == new:
        raise invalid(["body", "new_password"], "新密码不能与当前密码相同", "The new password must differ from the current one",
                      code="password_unchanged")
    user.password_hash = await hash_password_async(new)
    user.must_change_password = False
    revoke_tokens(user)
    await session.flush()
    audit.record(session, actor_id=user.id, action="user.password_changed", entity_type="user", entity_id=user.id,
                 summary={})
    return user
