"""How each exported list becomes rows: the import columns (so an export can be imported again), filled from
the items the list endpoint itself answers (same filters, same visibility)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.imports.columns import COLUMNS, STATIC_CHOICES, Column
from exchange.imports.models import ImportRef
from exchange.imports.rows import format_rubric
from exchange.organizations.repository import OrganizationRepository
from exchange.sheets.writer import ColumnKind, Money
from exchange.vocabularies.repository import VocabularyRepository

PAGE = 1000

# One page of a list for the caller: (session, cursor) → (items, next cursor).
Pager = Callable[[AsyncSession, str | None], Awaitable[tuple[Sequence[Any], str | None]]]


@dataclass
class Labels:
    """Codes → Chinese labels, organization ids → names, entity ids → the external_ref they were imported with."""

    choices: dict[str, dict[str, str]]
    orgs: dict[uuid.UUID, str]
    refs: dict[str, str]

    @classmethod
    async def load(cls, session: AsyncSession) -> Labels:
        choices = {name: dict(items) for name, items in STATIC_CHOICES.items()}
        for term in await VocabularyRepository(session).all():
            choices.setdefault(term.kind, {})[term.code] = term.zh
        return cls(choices, {}, {})

    async def prepare(self, session: AsyncSession, kind: str, items: Sequence[BaseModel | Row[Any]]) -> None:
        """Organization names and import refs of one page, two queries."""
        org_keys = [c.key for c in COLUMNS.get(kind, []) if c.type == "org"]
        ids = {getattr(i, k) for i in items for k in org_keys if getattr(i, k, None) is not None}
        missing = [i for i in ids if i not in self.orgs]
        if missing:
            for org_id, org in (await OrganizationRepository(session).get_many(missing)).items():
                self.orgs[org_id] = org.name
        entity_ids = [str(getattr(i, "id", "")) for i in items]
        # By entity id alone, the kind checked here: with ``kind`` in the WHERE clause SQLite chose the primary
        # key (kind first) and read every ref of the kind for each page.
        found = (await session.execute(select(ImportRef.entity_id, ImportRef.external_ref, ImportRef.kind).where(
            ImportRef.entity_id.in_(entity_ids)))).all() if entity_ids else []
        self.refs = {entity_id: ref for entity_id, ref, ref_kind in found if ref_kind == kind}


def _reader(col: Column, labels: Labels, positions: dict[str, int] | None) -> Callable[[Any], Any]:
    """How one column's cell is read from an item, a row (its fields at ``positions``) or a dict of the schema's
    fields; made once per page, not looked up per cell."""
    key = col.key

    def field(name: str) -> Callable[[Any], Any]:
        if positions is None:
            return lambda item: item.get(name)
        return itemgetter(positions[name]) if name in positions else lambda item: None

    if key == "external_ref":  # the ref it was imported with, or else its id
        item_id = field("id")

        def ref(item: Any) -> str:
            text = str(item_id(item))
            return labels.refs.get(text, text)

        return ref
    if key in ("min_a_level", "registration_required"):
        eligibility = field("eligibility")

        def get(item: Any) -> Any:
            return (eligibility(item) or {}).get(key)
    else:
        get = field(key)
    convert = _converter(col, labels)

    def read(item: Any) -> Any:
        value = get(item)
        return None if value is None else convert(value)

    return read


def _converter(col: Column, labels: Labels) -> Callable[[Any], Any]:
    """A present value as its cell: amounts as Money, codes as their Chinese labels, ids as text."""
    if col.type == "yuan":
        return lambda value: Money(int(value))
    if col.type in ("choice", "choices"):
        names = labels.choices.get(col.choice or "", {})
        if col.type == "choice":
            return lambda value: names.get(str(value), str(value))
        return lambda value: "、".join(names.get(str(v), str(v)) for v in value)
    if col.type == "regions":
        return "、".join
    if col.type == "org":
        return lambda value: labels.orgs.get(value, str(value))
    if col.type == "rubric":
        return format_rubric
    return lambda value: str(value) if isinstance(value, uuid.UUID) else value


def list_columns(kind: str) -> list[Column]:
    """The exported columns: the importable ones (without a password) and the read-only ones."""
    return [c for c in COLUMNS[kind] if c.key != "password"]


_KINDS: dict[str, ColumnKind] = {"yuan": "money", "datetime": "datetime", "date": "date"}


def list_kinds(kind: str) -> list[ColumnKind]:
    """Which exported columns hold amounts, moments or days (how a sheet shows their numbers)."""
    return [_KINDS.get(c.type) for c in list_columns(kind)]


async def list_rows(session: AsyncSession, kind: str, items: Sequence[BaseModel | Row[Any]],
                    labels: Labels) -> list[list[Any]]:
    """One page of a list's items as rows; an item is the list's schema or a row with the same fields."""
    await labels.prepare(session, kind, items)
    if not items:
        return []
    sources: Sequence[Any] = items
    positions = None
    if isinstance(items[0], BaseModel):
        sources = [item.model_dump(mode="python") for item in items]
    else:
        positions = {name: i for i, name in enumerate(items[0]._fields)}
    readers = [_reader(c, labels, positions) for c in list_columns(kind)]
    return [[read(item) for read in readers] for item in sources]


def list_fields(kind: str) -> set[str]:
    """The fields of a list's items that its export reads."""
    keys = {c.key for c in list_columns(kind)}
    nested = keys & {"min_a_level", "registration_required"}  # read from the eligibility
    return keys - nested - {"external_ref"} | {"id"} | ({"eligibility"} if nested else set())


# -- deals and notices: read-only lists ---------------------------------------------------------------------

DEAL_COLUMNS = [("id", "系统编号"), ("title", "项目名称"), ("kind", "类型"), ("organization_id", "承接组织"),
                ("buyer_organization_id", "购买方"), ("amount_fen", "金额（元）"), ("status", "状态"),
                ("activated_at", "生效时间"), ("closed_at", "结项时间"), ("created_at", "创建时间")]
NOTICE_COLUMNS = [("kind", "公示类型"), ("title", "项目名称"), ("organization_name", "组织"), ("price_fen", "中标金额（元）"),
                  ("amount_fen", "协议金额（元）"), ("grade", "评估等级"), ("status", "状态"),
                  ("standstill_ends_at", "公示截止"), ("at", "公示时间"), ("id", "编号")]
DEAL_KINDS: list[ColumnKind] = [
    "money" if key.endswith("_fen") else "datetime" if key.endswith("_at") else None for key, _ in DEAL_COLUMNS]
NOTICE_KINDS: list[ColumnKind] = [
    "money" if key.endswith("_fen") else "datetime" if key.endswith("_at") or key == "at" else None
    for key, _ in NOTICE_COLUMNS]
NOTICE_KIND_ZH = {"award": "中标公示", "evaluation": "评估结果", "deal_closed": "结项公示", "proposal": "议事公示"}


async def deal_rows(session: AsyncSession, items: Sequence[BaseModel], labels: Labels) -> list[list[Any]]:
    ids = {i.organization_id for i in items} | {i.buyer_organization_id for i in items if i.buyer_organization_id}
    missing = [i for i in ids if i not in labels.orgs]
    if missing:
        for org_id, org in (await OrganizationRepository(session).get_many(missing)).items():
            labels.orgs[org_id] = org.name
    rows = []
    for item in items:
        d = item.model_dump(mode="python")
        row = []
        for key, _ in DEAL_COLUMNS:
            value = d.get(key)
            if key.endswith("organization_id") and value is not None:
                value = labels.orgs.get(value, str(value))
            elif key == "amount_fen":
                value = Money(int(value))
            elif isinstance(value, uuid.UUID):
                value = str(value)
            row.append(value)
        rows.append(row)
    return rows


def notice_rows(items: Sequence[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for item in items:
        row = []
        for key, _ in NOTICE_COLUMNS:
            value = item.get(key)
            if key.endswith("_fen") and value is not None:
                value = Money(int(value))
            elif key == "kind":
                value = NOTICE_KIND_ZH.get(value, value)
            elif isinstance(value, uuid.UUID):
                value = str(value)
            row.append(value)
        rows.append(row)
    return rows
