"""The random draw of a review panel from the expert pool (专家随机抽取), reproducible from its seed.

Who is left out: experts affiliated with a bidder or with the buyer, those on this buyer's last
``RECENT_PANELS`` panels, inactive experts or accounts, and — when ``specialties`` are given — experts
without one of them. The rest, sorted, are the candidates; each is ranked by
``sha256("<seed>:<user id>")`` (ties by id) and the panel is the first ``size`` of that order less those
who declined. The seed, the candidates and the exclusions go into the audit chain, so anyone can re-run
the draw — and every replacement — with nothing but a SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.audit import service as audit
from exchange.errors import ExchangeError
from exchange.experts.repository import ExpertRepository
from exchange.tenders import service
from exchange.tenders.models import PanelDraw, PanelMember
from exchange.tenders.repository import PanelDrawRepository, TenderRepository
from exchange.tenders.states import tender_machine
from exchange.vocabularies.service import ensure_codes

RECENT_PANELS = 3
ALGORITHM = "candidates ranked by sha256('<seed>:<user_id>') ascending (ties by user_id); first `size`, skipping declined"


def draw_order(seed: str, candidates: Iterable[str]) -> list[str]:
    """Every candidate in the order the seed gives them."""
    return sorted(candidates, key=lambda c: (hashlib.sha256(f"{seed}:{c}".encode()).hexdigest(), c))


def panel_of(seed: str, candidates: Iterable[str], size: int, declined: Iterable[str] = ()) -> list[str]:
    """The panel a draw gives: the first ``size`` of the order that have not declined."""
    gone = set(declined)
    return [c for c in draw_order(seed, candidates) if c not in gone][:size]


def too_few(eligible: int, size: int) -> ExchangeError:
    return ExchangeError("not_enough_experts", 409, f"符合条件的专家只有 {eligible} 名，不足 {size} 名",
                         f"Only {eligible} experts are eligible; {size} are needed",
                         extra={"eligible": eligible, "size": size})


@dataclass(frozen=True)
class PoolMember:
    user_id: str
    affiliation: uuid.UUID | None
    specialties: frozenset[str]


def partition(pool: Iterable[PoolMember], *, bidders: set[uuid.UUID], buyer: uuid.UUID, recent: set[str],
              specialties: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """(sorted candidates, excluded user id → reason): the rule of who may be drawn."""
    candidates, excluded = [], {}
    for expert in pool:
        if expert.affiliation is not None and expert.affiliation in bidders:
            excluded[expert.user_id] = "affiliated_with_bidder"
        elif expert.affiliation is not None and expert.affiliation == buyer:
            excluded[expert.user_id] = "affiliated_with_buyer"
        elif expert.user_id in recent:
            excluded[expert.user_id] = "recent_panel"
        elif specialties and not set(specialties) & expert.specialties:
            excluded[expert.user_id] = "no_specialty"
        else:
            candidates.append(expert.user_id)
    return sorted(candidates), excluded


async def _partition(session: AsyncSession, opp_id: uuid.UUID, buyer: uuid.UUID,
                     specialties: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    repo = PanelDrawRepository(session)
    pool = [PoolMember(str(e.user_id), e.affiliation_organization_id, frozenset(e.specialties))
            for e in await ExpertRepository(session).drawable()]
    recent = {str(u) for u in await repo.recent_panelists(buyer, opp_id, RECENT_PANELS)}
    return partition(pool, bidders=await repo.bidder_organizations(opp_id), buyer=buyer, recent=recent,
                     specialties=specialties)


async def draw(session: AsyncSession, user: User, opportunity_id: uuid.UUID, size: int,
               specialties: Sequence[str]) -> tuple[list[uuid.UUID], PanelDraw]:
    """Draw the panel of a closed tender and name it; 409 when too few experts are eligible."""
    opp = await service.get_opportunity(session, opportunity_id)
    caps = await service.capacities(session, user, opp)
    tender_machine.check(opp.status, "name_panel", caps)
    repo = PanelDrawRepository(session)
    if await repo.of(opp.id) is not None or await TenderRepository(session).panel(opp.id):
        raise ExchangeError("panel_exists", 409, "评审小组已经确定", "The panel has already been named or drawn")
    specialties = list(dict.fromkeys(specialties))
    await ensure_codes(session, "category", specialties, ["body", "specialties"])
    candidates, excluded = await _partition(session, opp.id, opp.buyer_organization_id, specialties)
    if len(candidates) < size:
        raise too_few(len(candidates), size)
    seed = secrets.token_hex(16)
    record = PanelDraw(id=uuid.uuid4(), opportunity_id=opp.id, seed=seed, size=size, specialties=specialties,
                       candidates=candidates, excluded=excluded, declined=[], created_by=user.id)
    session.add(record)
    chosen = [uuid.UUID(c) for c in panel_of(seed, candidates, size)]
    await service.name_panel(session, user, opp, chosen, caps)
    audit.record(session, actor_id=user.id, action="panel.drawn", entity_type="opportunity", entity_id=opp.id,
                 summary={"draw_id": record.id, "seed": seed, "size": size, "specialties": specialties,
                          "candidates": candidates, "excluded": excluded, "algorithm": ALGORITHM,
                          "panel": [str(c) for c in chosen]})
    return chosen, record


async def decline(session: AsyncSession, user: User, opportunity_id: uuid.UUID,
                  expert_id: uuid.UUID | None) -> tuple[list[uuid.UUID], PanelDraw]:
    """A drawn expert declines (itself, or the buyer or a manager for it) before scoring; the next
    candidate in the draw's order takes the seat."""
    opp = await service.get_opportunity(session, opportunity_id)
    caps = await service.capacities(session, user, opp)
    expert_id = expert_id or user.id
    if expert_id != user.id:
        caps.discard("panel")  # an expert declines for itself only
    tender_machine.check(opp.status, "decline_panel", caps)
    repo = PanelDrawRepository(session)
    record = await repo.of(opp.id, lock=True)
    if record is None:
        raise ExchangeError("panel_not_drawn", 409, "该评审小组不是随机抽取的", "The panel was not drawn at random")
    if expert_id not in await TenderRepository(session).panel(opp.id):
        raise ExchangeError("not_on_panel", 409, "该专家不在评审小组中", "The expert is not on the panel")
    if await repo.has_scored(opp.id, expert_id):
        raise ExchangeError("already_scored", 409, "该专家已经评分，不能退出", "The expert has already scored")
    declined = [*record.declined, str(expert_id)]
    panel = panel_of(record.seed, record.candidates, record.size, declined)
    if len(panel) < record.size:
        raise too_few(len(record.candidates) - len(declined), record.size)
    current = await TenderRepository(session).panel(opp.id)
    await repo.remove_member(opp.id, expert_id)
    added = [uuid.UUID(c) for c in panel if uuid.UUID(c) not in current]
    for new in added:
        session.add(PanelMember(id=uuid.uuid4(), opportunity_id=opp.id, user_id=new))
    record.declined = declined
    audit.record(session, actor_id=user.id, action="panel.declined", entity_type="opportunity", entity_id=opp.id,
                 summary={"draw_id": record.id, "declined": str(expert_id), "replacements": [str(a) for a in added]})
    await session.flush()
    return [uuid.UUID(c) for c in panel], record
