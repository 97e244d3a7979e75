"""Password hashing (argon2) and bearer tokens (JWT, HS256)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import anyio
import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# Argon2 costs tens of milliseconds of CPU and 64 MiB per hash: it runs in worker threads (argon2
# releases the GIL), never on the event loop, and at most a few at once so a burst of logins
# neither stalls other requests nor exhausts memory.
_hashing: anyio.CapacityLimiter | None = None


def _limiter() -> anyio.CapacityLimiter:
    global _hashing
    if _hashing is None:  # created inside the running loop
        _hashing = anyio.CapacityLimiter(4)
    return _hashing


async def hash_password_async(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_limiter())


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(verify_password, password_hash, password, limiter=_limiter())


def encode_token(user_id: uuid.UUID, role: str, secret: str, ttl_seconds: int, now: dt.datetime,
                 token_version: int = 0) -> str:
    """A signed token; ``tv`` is the user's token version, raised to revoke every earlier token."""
    payload = {
        "sub": str(user_id), "role": role, "tv": token_version, "iat": int(now.timestamp()),
        "exp": int((now + dt.timedelta(seconds=ttl_seconds)).timestamp()), "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def decode_token(token: str, secret: str, now: dt.datetime) -> dict[str, Any] | None:
    """The token's claims, or None when it is malformed, wrongly signed or expired."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"],
            options={"require": ["sub", "exp"], "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError:
        return None
    # Expiry (and issue time) are checked against the application clock, which tests can move.
    if int(claims["exp"]) <= int(now.timestamp()):
        return None
    return claims


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
