"""What several pages look up: labels of the vocabularies, the region tree, organization names.

Vocabulary terms and the region tree change rarely (an admin adds one) and every page needs them, so each
process keeps them for :data:`REFERENCE_SECONDS` — no longer than a shared cache keeps a public page anyway."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.organizations.repository import OrganizationRepository
from exchange.regions.repository import RegionRepository
from exchange.vocabularies.repository import VocabularyRepository

FILTER_LEVELS = ("province", "city", "district", "subdistrict", "community")
PLACE_LEVELS = (*FILTER_LEVELS, "grid")  # where someone lives or works: a form's place goes down to the grid
REFERENCE_SECONDS = 60.0


@dataclass
class Labels:
    """Vocabulary codes with their labels in the page's language, in the vocabulary's order."""

    categories: list[tuple[str, str]]
    target_groups: list[tuple[str, str]]

    def __post_init__(self) -> None:
        self._categories = dict(self.categories)
        self._groups = dict(self.target_groups)

    def category(self, code: str | None) -> str:
        return self._categories.get(code or "", code or "")

    def target_group(self, code: str) -> str:
        return self._groups.get(code, code)


@dataclass
class RegionOption:
    code: str
    name: str
    depth: int


@dataclass
class Reference:
    labels: dict[str, Labels]
    region_names: dict[str, str]
    region_options: list[RegionOption]  # the lists' filters
    place_options: list[RegionOption]  # a form's place: grids too, so a place set to a grid is kept
    loaded_at: float


async def reference(request: Request, session: AsyncSession) -> Reference:
    """The vocabularies and the region tree, read at most once per :data:`REFERENCE_SECONDS` per process."""
    cached: Reference | None = getattr(request.app.state, "portal_reference", None)
    if cached is not None and time.monotonic() - cached.loaded_at < REFERENCE_SECONDS:
        return cached
    terms = await VocabularyRepository(session).all()
    labels = {}
    for lang in ("zh", "en"):
        def pick(term: object, lang: str = lang) -> str:
            return str(getattr(term, lang))
        labels[lang] = Labels(categories=[(t.code, pick(t)) for t in terms if t.kind == "category"],
                              target_groups=[(t.code, pick(t)) for t in terms if t.kind == "target_group"])
    regions = await RegionRepository(session).all_regions()
    shown = [r for r in regions if r.level in FILTER_LEVELS]
    top = min((r.path.count("/") for r in shown), default=0)

    def options(levels: tuple[str, ...]) -> list[RegionOption]:
        return [RegionOption(r.code, r.name, r.path.count("/") - top) for r in regions if r.level in levels]

    fresh = Reference(labels=labels, region_names={r.code: r.name for r in regions},
                      region_options=options(FILTER_LEVELS), place_options=options(PLACE_LEVELS),
                      loaded_at=time.monotonic())
    request.app.state.portal_reference = fresh
    return fresh


async def organization_names(request: Request, session: AsyncSession,
                             ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Names by id; kept per process for :data:`REFERENCE_SECONDS`, so a page only asks for names it has not seen."""
    cache: dict[uuid.UUID, tuple[str, float]] | None = getattr(request.app.state, "portal_org_names", None)
    if cache is None:
        cache = request.app.state.portal_org_names = {}
    fresh_after = time.monotonic() - REFERENCE_SECONDS
    wanted = {i for i in ids if i is not None}
    missing = [i for i in wanted if i not in cache or cache[i][1] < fresh_after]
    if missing:
        loaded_at = time.monotonic()
        for i, org in (await OrganizationRepository(session).get_many(missing)).items():
            cache[i] = (org.name, loaded_at)
    return {i: cache[i][0] for i in wanted if i in cache}
