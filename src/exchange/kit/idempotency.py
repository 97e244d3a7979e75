"""``Idempotency-Key`` for POSTs that move money or submit a bid.

The key row is inserted in the request's own transaction: a concurrent duplicate blocks on the
unique index until the first commits (PostgreSQL) or waits for the write lock (SQLite), then finds
the stored response. A failed first attempt rolls its key back with everything else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.responses import Response

from exchange.db import Base, IdMixin
from exchange.errors import ExchangeError
from exchange.kit.clock import now

IDEMPOTENT = {
    "x-idempotent": True,
    "parameters": [{
        "name": "Idempotency-Key", "in": "header", "required": False,
        "description": "Retries with the same key and body return the first response and change nothing.",
        "schema": {"type": "string", "maxLength": 200},
    }],
}
REPLAYED_HEADERS = ("location", "etag", "content-type", "content-language")


class IdempotencyRecord(Base, IdMixin):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    user_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[str | None] = mapped_column(String(2000))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def _mismatch() -> ExchangeError:
    return ExchangeError(
        "idempotency_key_reused", 409, "该幂等键已用于另一个请求", "This Idempotency-Key was used for another request"
    )


def _validate_key(key: str) -> None:
    if not key or len(key) > 200:
        raise ExchangeError(
            "invalid_idempotency_key", 422, "幂等键长度须为 1–200", "Idempotency-Key must be 1–200 characters"
        )


async def begin(session: AsyncSession, user_id: str, key: str, fingerprint: str) -> Response | None:
    """Claim ``key`` for this request, or return the response the first request stored."""
    _validate_key(key)
    session.add(IdempotencyRecord(
        id=uuid.uuid4(), user_id=user_id, key=key, request_hash=fingerprint, created_at=now()
    ))
    try:
        await session.flush()
        return None
    except IntegrityError:
        await session.rollback()
    stored = (await session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )).scalar_one()
    # read before the rollback: a rollback expires every loaded object
    request_hash, stored_headers, body, status = stored.request_hash, stored.headers, stored.body, stored.status_code
    await session.rollback()
    if request_hash != fingerprint:
        raise _mismatch()
    headers = json.loads(stored_headers or "{}")
    headers["Idempotent-Replayed"] = "true"
    return Response(content=body or b"", status_code=status or 200, headers=headers)


async def finish(session: AsyncSession, user_id: str, key: str, response: Response) -> None:
    """Store the successful response under the key, in the same transaction as the change."""
    record = (await session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )).scalar_one()
    record.status_code = response.status_code
    record.headers = json.dumps({k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS})
    record.body = bytes(response.body)
    await session.flush()
