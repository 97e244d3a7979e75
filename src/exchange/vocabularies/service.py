"""Vocabulary rules: codes the API accepts, and adding new ones."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import service as audit
from exchange.errors import ExchangeError, invalid
from exchange.vocabularies.data import CATEGORIES, TARGET_GROUPS
from exchange.vocabularies.models import VocabularyTerm
from exchange.vocabularies.repository import VocabularyRepository

KIND_ZH = {"category": "服务类别", "target_group": "服务对象"}


async def ensure_codes(session: AsyncSession, kind: str, codes: Iterable[str | None], loc: list[str | int]) -> None:
    """422 ``unknown_category`` / ``unknown_target_group`` for a code not in the vocabulary."""
    wanted = [c for c in codes if c is not None]
    if not wanted:
        return
    known = await VocabularyRepository(session).codes(kind)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise invalid(loc, f"未知的{KIND_ZH[kind]}代码：{'、'.join(unknown)}",
                      f"Unknown {kind.replace('_', ' ')} codes: {', '.join(unknown)}", code=f"unknown_{kind}")


async def add_term(session: AsyncSession, *, actor_id: uuid.UUID, kind: str, code: str, zh: str, en: str) -> VocabularyTerm:
    repo = VocabularyRepository(session)
    if await repo.get(kind, code) is not None:
        raise ExchangeError("term_exists", 409, f"代码 {code} 已存在", f"The code {code} already exists")
    term = VocabularyTerm(kind=kind, code=code, zh=zh, en=en, position=await repo.next_position(kind))
    repo.add(term)
    await session.flush()
    audit.record(session, actor_id=actor_id, action="vocabulary.added", entity_type=kind, entity_id=code,
                 summary={"zh": zh, "en": en}, public=True)
    return term


def seed_rows() -> list[dict[str, object]]:
    """The starting vocabularies as rows (used by the first migration)."""
    rows: list[dict[str, object]] = []
    for kind, terms in (("category", CATEGORIES), ("target_group", TARGET_GROUPS)):
        rows += [{"kind": kind, "code": c, "zh": zh, "en": en, "position": i} for i, (c, zh, en) in enumerate(terms)]
    return rows
