"""The list query the three lists share: visibility, filters and keyset orderings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from exchange.kit.pagination import SortKey
from exchange.listings.index import ListingIndex
from exchange.listings.schemas import ListFilters
from exchange.vocabularies.service import ensure_codes


@dataclass
class ListSpec:
    """How one list maps the shared filters onto its columns."""

    model: Any
    owner_column: InstrumentedAttribute[Any] | None  # the organization a list item belongs to
    amount_column: InstrumentedAttribute[Any] | None  # budget_fen or price_fen


def visibility(spec: ListSpec, *, sees_all: bool, own_org: uuid.UUID | None) -> ColumnElement[bool]:
    """Never-published items (drafts) only for their owners and staff."""
    if sees_all:
        return true()
    public = spec.model.published_at.is_not(None)
    if own_org is not None and spec.owner_column is not None:
        return or_(public, spec.owner_column == own_org)
    return public


async def apply_filters(
    stmt: Select[Any], spec: ListSpec, index: ListingIndex, f: ListFilters, *, status: str | None,
    org_id: uuid.UUID | None,
) -> Select[Any]:
    m = spec.model
    await ensure_codes(index.session, "category", [f.category], ["query", "category"])
    await ensure_codes(index.session, "target_group", [f.target_group], ["query", "target_group"])
    if status is not None:
        stmt = stmt.where(m.status == status)
    if f.category is not None:
        stmt = stmt.where(m.category == f.category)
    if f.region is not None:
        stmt = stmt.where(await index.region_filter(m.id, f.region))
    if f.target_group is not None:
        stmt = stmt.where(index.group_filter(m.id, f.target_group))
    if f.q:
        clause = index.text_filter(m.id, f.q)
        stmt = stmt.where(clause if clause is not None else false())
    if spec.amount_column is not None:
        if f.budget_min_fen is not None:
            stmt = stmt.where(spec.amount_column >= f.budget_min_fen)
        if f.budget_max_fen is not None:
            stmt = stmt.where(spec.amount_column <= f.budget_max_fen)
    if org_id is not None and spec.owner_column is not None:
        stmt = stmt.where(spec.owner_column == org_id)
    if f.updated_since is not None:
        stmt = stmt.where(m.updated_at >= f.updated_since)
    return stmt


def newest(model: Any) -> list[SortKey]:
    return [SortKey(model.created_at, descending=True), SortKey(model.id, descending=True)]
