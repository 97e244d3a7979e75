"""Keyset (cursor) pagination: stable while rows are inserted, cheap at any depth."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Query
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from exchange.errors import ExchangeError

T = TypeVar("T")

LimitParam = Query(20, ge=1, le=200, description="Page size (1–200)")
CursorParam = Query(None, max_length=512, description="Opaque cursor from the previous page's `next_cursor`")


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class SortKey:
    """One column of a keyset ordering; the last key must be unique (the id)."""

    column: ColumnElement[Any]
    descending: bool = False


def _tag(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "u" in value:
            return uuid.UUID(value["u"])
    return value


def encode_cursor(values: Sequence[Any], tag: str) -> str:
    raw = json.dumps({"k": tag, "v": [_tag(v) for v in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, tag: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if data["k"] != tag or len(data["v"]) != size:
            raise ValueError("cursor of another ordering")
        return [_untag(v) for v in data["v"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise ExchangeError(
            "invalid_cursor", 422, "分页游标无效", "The cursor is not valid for this list and ordering",
            errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "msg_zh": "分页游标无效"}],
        ) from exc


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the keyset ordering.

    The first key's bound is also stated on its own: with the OR alone SQLite walks the index from the first row
    and checks each one (a page 90,000 rows deep took 35 ms instead of 7)."""
    clauses = []
    for i, key in enumerate(keys):
        equal_prefix = [keys[j].column == values[j] for j in range(i)]
        step = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal_prefix, step))
    first, value = keys[0], values[0]
    if value is None:
        return or_(*clauses)
    return and_(first.column <= value if first.descending else first.column >= value, or_(*clauses))


async def paginate(
    session: AsyncSession, stmt: Select[Any], keys: Sequence[SortKey], *,
    limit: int, cursor: str | None, tag: str = "default",
) -> Page[Any]:
    """Run ``stmt`` (selecting one entity) one page at a time in the order of ``keys``.

    The sort values are selected alongside the entity, so computed orderings work too."""
    if cursor:
        stmt = stmt.where(_after(keys, decode_cursor(cursor, tag, len(keys))))
    order = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    stmt = stmt.add_columns(*[k.column for k in keys]).order_by(*order).limit(limit + 1)
    rows = (await session.execute(stmt)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(list(rows[-1][1:]), tag) if more and rows else None
    return Page(items=[r[0] for r in rows], next_cursor=next_cursor)
