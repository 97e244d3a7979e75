"""Identifier helpers."""

from __future__ import annotations

import os
import time
import uuid

from exchange.errors import not_found


def parse_uuid(value: str, entity: str) -> uuid.UUID:
    """A path id that is not a UUID names nothing: 404, like an unknown one."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise not_found(entity) from None


def time_ordered_uuid() -> uuid.UUID:
    """A version-7 UUID (RFC 9562): Unix milliseconds, the fraction of the millisecond in 12 bits (the RFC's
    method 3), then 62 random bits. Ids made one after another sort one after another, so a bulk insert appends
    to the indexes on them instead of writing all over them."""
    nanos = time.time_ns()
    millis, fraction = divmod(nanos, 1_000_000)
    return uuid.UUID(int=(millis & (2**48 - 1)) << 80 | 0x7 << 76 | (fraction * 4096 // 1_000_000) << 64
                     | 0x2 << 62 | int.from_bytes(os.urandom(8)) & (2**62 - 1))
