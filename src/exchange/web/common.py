"""What several pages look up: labels of the vocabularies, the region tree for the filter, names by id."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.organizations.repository import OrganizationRepository
from exchange.regions.repository import RegionRepository
from exchange.vocabularies.repository import VocabularyRepository

FILTER_LEVELS = ("province", "city", "district", "subdistrict", "community")


@dataclass
class Labels:
    """Vocabulary codes with their labels in the page's language, in the vocabulary's order."""

    categories: list[tuple[str, str]]
    target_groups: list[tuple[str, str]]

    def category(self, code: str | None) -> str:
        return dict(self.categories).get(code or "", code or "")

    def target_group(self, code: str) -> str:
        return dict(self.target_groups).get(code, code)


async def labels(session: AsyncSession, lang: str) -> Labels:
    terms = await VocabularyRepository(session).all()
    pick = (lambda term: term.en) if lang == "en" else (lambda term: term.zh)
    return Labels(categories=[(t.code, pick(t)) for t in terms if t.kind == "category"],
                  target_groups=[(t.code, pick(t)) for t in terms if t.kind == "target_group"])


@dataclass
class RegionOption:
    code: str
    name: str
    depth: int


async def region_options(session: AsyncSession) -> list[RegionOption]:
    """The region tree down to communities, parents first, for the filter's select."""
    rows = await RegionRepository(session).at_levels(FILTER_LEVELS)
    top = min((r.path.count("/") for r in rows), default=0)
    return [RegionOption(r.code, r.name, r.path.count("/") - top) for r in rows]


async def region_names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    return {code: r.name for code, r in (await RegionRepository(session).get_many(set(codes))).items()}


async def organization_names(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    return {i: o.name for i, o in (await OrganizationRepository(session).get_many(wanted)).items()}
