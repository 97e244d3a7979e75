"""Neighbours' skills for a need (``GET /needs/{id}/matches?include=skills``).

An addition beside the engine, not a part of it: the active skills offered at the need's place or
at a region containing it (the reach rule, applied when they are read) are put into a small index of
their own and ranked by the same engine for the need's query, as free offers without an organization.
The results are merged with the ranked offers, eligible first, then by score."""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.chinese.analysis import listing_text
from exchange.chinese.concepts import Analysis, default_analyzer
from exchange.matching.engine import Listing, Match, MatchIndex, query_from_listing
from exchange.matching.runtime import MatchingRuntime, need_listing
from exchange.matching.schemas import MatchOut, ReasonOut
from exchange.needs.models import Need
from exchange.regions.areas import ancestors
from exchange.skills.models import Skill
from exchange.skills.repository import SkillRepository
from exchange.skills.schemas import SkillOut

# Skills reaching one place are few (a grid's and its community's residents); this bounds the worst case.
MAX_CANDIDATES = 500
# Text analyses of skills by (id, version): most of the cost of the per-request index, and a skill's
# text only changes with its version. Bounded; the least recently used are dropped first.
_ANALYSES: OrderedDict[tuple[str, int], Analysis] = OrderedDict()
_ANALYSES_MAX = 20_000


def _analysis(skill: Skill) -> Analysis:
    key = (str(skill.id), skill.version)
    found = _ANALYSES.get(key)
    if found is None:
        found = _ANALYSES[key] = default_analyzer().analyse_uncached(listing_text(skill.title, skill.description))
        while len(_ANALYSES) > _ANALYSES_MAX:
            _ANALYSES.popitem(last=False)
    else:
        _ANALYSES.move_to_end(key)
    return found


def skill_listing(skill: Skill) -> Listing:
    """A skill as the engine sees an offer: help between neighbours is free and has no organization."""
    return Listing(id=str(skill.id), kind="offer", title=skill.title, description=skill.description,
                   category=skill.category, target_groups=[], region_codes=[skill.region_code],
                   status="published" if skill.active else "withdrawn", pricing="free", analysis=_analysis(skill))


def _out(match: Match, skill: Skill) -> MatchOut:
    return MatchOut(skill=SkillOut.model_validate(skill), score=round(min(100.0, max(0.0, float(match.score))), 2),
                    eligible=match.eligible,
                    reasons=[ReasonOut(rule=r.rule, score=round(float(r.score), 4), weight=round(float(r.weight), 4),
                                       detail=r.detail) for r in match.reasons])


async def skills_for_need(session: AsyncSession, runtime: MatchingRuntime, need: Need, limit: int) -> list[MatchOut]:
    """Neighbours' active skills that reach the need, ranked; never the requester's own."""
    places = await ancestors(session, need.region_code)
    skills = {str(s.id): s for s in await SkillRepository(session).reaching(places, MAX_CANDIDATES)
              if s.user_id != need.requester_id}
    if not skills:
        return []
    await runtime.ready(session)
    index = MatchIndex(runtime.regions, kinds=("offer",))
    index.upsert_many(skill_listing(s) for s in skills.values())
    found = index.search(query_from_listing(need_listing(need)), kind="offer", limit=limit)
    return [_out(m, skills[m.listing.id]) for m in found if m.listing.id in skills]


def merge(offers: list[MatchOut], skills: list[MatchOut], limit: int) -> list[MatchOut]:
    """One list: eligible first, then by score, at most ``limit``."""
    return sorted([*offers, *skills], key=lambda m: (not m.eligible, -m.score))[:limit]
