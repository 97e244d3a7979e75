"""How each exported list becomes rows: the import columns (so an export can be imported again), filled from
the items the list endpoint itself answers (same filters, same visibility)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.imports.columns import COLUMNS, STATIC_CHOICES, Column
from exchange.imports.models import ImportRef
from exchange.imports.rows import format_rubric
from exchange.organizations.repository import OrganizationRepository
from exchange.sheets.writer import Money
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

    async def prepare(self, session: AsyncSession, kind: str, items: Sequence[BaseModel]) -> None:
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

    def label(self, choice: str | None, code: str) -> str:
        return self.choices.get(choice or "", {}).get(code, code)


def _value(col: Column, item: dict[str, Any], labels: Labels) -> Any:
    if col.key == "external_ref":
        return labels.refs.get(str(item.get("id")), str(item.get("id", "")))
    if col.key in ("min_a_level", "registration_required"):
        value = (item.get("eligibility") or {}).get(col.key)
    else:
        value = item.get(col.key)
    if value is None:
        return None
    if col.type == "yuan":
        return Money(int(value))
    if col.type == "choice":
        return labels.label(col.choice, str(value))
    if col.type == "choices":
        return "、".join(labels.label(col.choice, str(v)) for v in value)
    if col.type == "regions":
        return "、".join(value)
    if col.type == "org":
        return labels.orgs.get(value, str(value))
    if col.type == "rubric":
        return format_rubric(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def list_columns(kind: str) -> list[Column]:
    """The exported columns: the importable ones (without a password) and the read-only ones."""
    return [c for c in COLUMNS[kind] if c.key != "password"]


async def list_rows(session: AsyncSession, kind: str, items: Sequence[BaseModel], labels: Labels) -> list[list[Any]]:
    await labels.prepare(session, kind, items)
    columns = list_columns(kind)
    out = []
    for item in items:
        data = item.model_dump(mode="python")
        out.append([_value(c, data, labels) for c in columns])
    return out


# -- deals and notices: read-only lists ---------------------------------------------------------------------

DEAL_COLUMNS = [("id", "系统编号"), ("title", "项目名称"), ("kind", "类型"), ("organization_id", "承接组织"),
                ("buyer_organization_id", "购买方"), ("amount_fen", "金额（元）"), ("status", "状态"),
                ("activated_at", "生效时间"), ("closed_at", "结项时间"), ("created_at", "创建时间")]
NOTICE_COLUMNS = [("kind", "公示类型"), ("title", "项目名称"), ("organization_name", "组织"), ("price_fen", "中标金额（元）"),
                  ("amount_fen", "协议金额（元）"), ("grade", "评估等级"), ("status", "状态"),
                  ("standstill_ends_at", "公示截止"), ("at", "公示时间"), ("id", "编号")]
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
