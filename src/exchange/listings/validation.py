"""Checks every list applies to what it is given: codes that exist, sane filters."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.errors import invalid
from exchange.kit.clock import now
from exchange.listings.schemas import ListFilters
from exchange.regions.service import ensure_regions_exist
from exchange.vocabularies.service import ensure_codes


async def check_codes(
    session: AsyncSession, *, category: str | None = None, target_groups: Iterable[str] = (),
    region_codes: Iterable[str] = (), region_loc: str = "region_codes",
) -> None:
    """422 ``unknown_category`` / ``unknown_target_group`` / ``unknown_region`` for unknown codes."""
    await ensure_codes(session, "category", [category], ["body", "category"])
    await ensure_codes(session, "target_group", list(target_groups), ["body", "target_groups"])
    await ensure_regions_exist(session, list(region_codes), ["body", region_loc])


def check_future(deadline: dt.datetime | None, loc: str = "bid_deadline") -> None:
    if deadline is not None and deadline <= now():
        raise invalid(["body", loc], "截止时间必须晚于当前时间", "The deadline must be in the future",
                      code="deadline_in_past")


def check_filters(filters: ListFilters) -> uuid.UUID | None:
    """422 for contradictory or malformed filters; returns ``org_id`` parsed."""
    if (filters.budget_min_fen is not None and filters.budget_max_fen is not None
            and filters.budget_min_fen > filters.budget_max_fen):
        raise invalid(["query", "budget_min_fen"], "最低金额不能高于最高金额", "budget_min_fen is above budget_max_fen",
                      code="invalid_range")
    if filters.updated_since is not None and filters.updated_since.tzinfo is None:
        raise invalid(["query", "updated_since"], "时间必须带时区", "updated_since needs a time zone offset",
                      code="timezone_required")
    if filters.org_id is None:
        return None
    try:
        return uuid.UUID(filters.org_id)
    except ValueError:
        raise invalid(["query", "org_id"], "org_id 应为 UUID", "org_id must be a UUID", code="invalid_org_id") from None


def changes_of(body: BaseModel, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields a PATCH sets; 422 ``null_not_allowed`` for null in a field that must have a value."""
    changes = body.model_dump(mode="python", exclude_unset=True)
    for key, value in changes.items():
        if value is None and key not in nullable:
            raise invalid(["body", key], f"字段「{key}」不能为空", f"'{key}' may not be null", code="null_not_allowed")
    return changes
