"""Every query on vocabularies."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.vocabularies.models import VocabularyTerm

_CODES = "vocabulary_codes"


class VocabularyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[VocabularyTerm]:
        stmt = select(VocabularyTerm).order_by(VocabularyTerm.kind, VocabularyTerm.position, VocabularyTerm.code)
        return list((await self.session.execute(stmt)).scalars())

    async def codes(self, kind: str) -> set[str]:
        """The codes of a vocabulary, read once per session (``add`` forgets them; codes are never removed)."""
        memo: dict[str, set[str]] = self.session.info.setdefault(_CODES, {})
        if kind not in memo:
            rows = await self.session.execute(select(VocabularyTerm.code).where(VocabularyTerm.kind == kind))
            memo[kind] = {code for (code,) in rows}
        return memo[kind]

    async def get(self, kind: str, code: str) -> VocabularyTerm | None:
        return await self.session.get(VocabularyTerm, (kind, code))

    async def next_position(self, kind: str) -> int:
        stmt = select(func.coalesce(func.max(VocabularyTerm.position), -1)).where(VocabularyTerm.kind == kind)
        return int((await self.session.execute(stmt)).scalar_one()) + 1

    def add(self, term: VocabularyTerm) -> None:
        self.session.info.pop(_CODES, None)
        self.session.add(term)
