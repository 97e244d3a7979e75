"""Identifier helpers."""

from __future__ import annotations

import uuid

from exchange.errors import not_found


def parse_uuid(value: str, entity: str) -> uuid.UUID:
    """A path id that is not a UUID names nothing: 404, like an unknown one."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise not_found(entity) from None
