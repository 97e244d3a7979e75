"""The tender's rules: sealed bids, the clock, the panel, ranking, awards and objections.

Sealing: before bidding closes only the bidder's own organization learns that a bid exists. No
audit event names a bid until the close (then one per bid); reads by anyone else answer as for a
bid that does not exist."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import db, events
from exchange.accounts.models import User
from exchange.audit import service as audit
from exchange.documents.models import OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import audit_summary, published_hashes
from exchange.errors import ExchangeError, forbidden, invalid, invalid_state, not_found
from exchange.funds import service as funds
from exchange.kit.clock import now
from exchange.kit.pagination import Page
from exchange.offers.models import Offer
from exchange.opportunities.models import Opportunity
from exchange.opportunities.states import BIDDING_CLOSED
from exchange.organizations.models import Organization
from exchange.tenders import errors
from exchange.tenders.models import Award, Bid, Objection, PanelMember, Roadshow, Score
from exchange.tenders.repository import TenderRepository
from exchange.tenders.states import tender_machine

CLOSED_STATES = BIDDING_CLOSED
REVIEWERS = {"buyer", "manager", "panel"}


# -- who is asking ---------------------------------------------------------------------------------

async def capacities(session: AsyncSession, user: User | None, opp: Opportunity) -> set[str]:
    """The capacities in which ``user`` acts on ``opp`` (names used by the state table)."""
    if user is None:
        return set()
    caps: set[str] = set()
    if user.role == "manager":
        caps.add("manager")
    if user.role == "buyer" and user.organization_id == opp.buyer_organization_id:
        caps.add("buyer")
    if user.role == "org" and user.organization_id is not None:
        caps.add("org")
    if user.role == "expert" and user.id in await TenderRepository(session).panel(opp.id):
        caps.add("panel")
    return caps


async def get_opportunity(session: AsyncSession, opportunity_id: uuid.UUID, *, refresh: bool = True) -> Opportunity:
    """A published (or later) opportunity as it stands at the application clock (``refresh``): a write
    applies the moves that are due first; a read shows them without writing (:func:`settle`)."""
    writing = refresh and not db.is_read_only(session)
    if writing:
        await apply_due_moves(session, opportunity_id)
    opp = await TenderRepository(session).opportunity(opportunity_id)
    if opp is None or opp.status == "draft":
        raise not_found("opportunity")
    if refresh and not writing:
        await settle(session, [opp])
    return opp


async def settle(session: AsyncSession, opps: Sequence[Opportunity] = (), awards: Sequence[Award] = ()) -> None:
    """Show, on the loaded rows of a read-only session, the time-driven moves that are due but not yet
    recorded by the job runner: bidding closed (or unsuccessful) past the deadline, an award final
    after a standstill with no open objection. Nothing is written; the runner records the moves."""
    if not db.is_read_only(session):
        raise RuntimeError("settle() is for reads; a write applies the moves (apply_due_moves)")
    at = now()
    for opp in opps:
        if opp.status == "published" and opp.bid_deadline is not None and opp.bid_deadline <= at:
            opp.status = "bidding_closed" if len(await eligible_bids(session, opp)) >= opp.min_bids else "unsuccessful"
    repo = TenderRepository(session)
    for item in awards:
        if item.status == "standstill" and item.standstill_ends_at <= at and not await repo.open_objections(item.id):
            item.status, item.final_at = "final", item.standstill_ends_at


async def settle_awards_of(session: AsyncSession, opps: Sequence[Opportunity]) -> None:
    """:func:`settle` for the opportunities and their awards."""
    awards = [a for o in opps for a in await TenderRepository(session).awards_of(o.id)]
    await settle(session, opps, awards)


def set_status(opp: Opportunity, action: str, caps: set[str], to: str | None = None) -> str:
    """Apply a move of the tender table to ``opp``; returns the previous status."""
    found = tender_machine.check(opp.status, action, caps)
    before, opp.status = opp.status, to or found.to or opp.status
    return before


def is_closed(opp: Opportunity) -> bool:
    return opp.status in CLOSED_STATES


def needs_reconfirmation(bid: Bid, opp: Opportunity) -> bool:
    return bid.status == "submitted" and opp.terms_changed_at is not None and bid.confirmed_at < opp.terms_changed_at


def eligibility_problems(org: Organization | None, opp: Opportunity) -> list[str]:
    if org is None:
        return ["no_organization"]
    rules = opp.eligibility or {}
    problems = []
    if org.status != "active":
        problems.append("organization_suspended")
    if rules.get("min_a_level") and (org.a_level or 0) < int(rules["min_a_level"]):
        problems.append("a_level_too_low")
    if rules.get("registration_required") and org.registration != "registered":
        problems.append("not_registered")
    return problems


async def eligible_bids(session: AsyncSession, opp: Opportunity) -> list[Bid]:
    repo = TenderRepository(session)
    bids = [b for b in await repo.bids(opp.id) if b.status == "submitted" and not needs_reconfirmation(b, opp)]
    orgs = await repo.organizations([b.organization_id for b in bids])
    return [b for b in bids if not eligibility_problems(orgs.get(b.organization_id), opp)]


# -- the clock -------------------------------------------------------------------------------------

async def _close(session: AsyncSession, opp: Opportunity, actor_id: uuid.UUID | None) -> None:
    """Bidding closes: unseal (one audit event per bid and per bid document), then bidding_closed or
    unsuccessful. The public event publishes every submitted bid document's SHA-256 in the audit chain."""
    repo = TenderRepository(session)
    eligible = {b.id for b in await eligible_bids(session, opp)}
    bids = await repo.bids(opp.id)
    documents = await DocumentRepository(session).for_owners(OwnerType.bid, [b.id for b in bids])
    for bid in bids:
        audit.record(session, actor_id=bid.submitted_by, action=f"bid.{bid.status}", entity_type="bid", entity_id=bid.id,
                     summary={"opportunity_id": bid.opportunity_id, "organization_id": bid.organization_id,
                              "price_fen": bid.price_fen, "submitted_at": bid.submitted_at, "eligible": bid.id in eligible})
        for doc in documents[bid.id]:
            audit.record(session, actor_id=doc.uploaded_by, action="document.added", entity_type="bid", entity_id=bid.id,
                         summary=audit_summary(doc))
    to = "bidding_closed" if len(eligible) >= opp.min_bids else "unsuccessful"
    set_status(opp, "close_bidding", {"clock"}, to)
    submitted = sum(b.status == "submitted" for b in bids)
    hashes = [h.model_dump(mode="json", exclude={"created_at"})
              for h in published_hashes(await DocumentRepository(session).of_bids_on([opp.id]))]
    audit.record(session, actor_id=actor_id, action="opportunity.bidding_closed", entity_type="opportunity",
                 entity_id=opp.id, public=True,
                 summary={"status": to, "bids": submitted, "eligible_bids": len(eligible), "bid_documents": hashes})
    bidders = [b.organization_id for b in bids if b.status == "submitted"]
    events.record(session, events.OpportunityBiddingClosed(
        opportunity_id=opp.id, status=to, bids=submitted, eligible_bids=len(eligible),
        audience=events.Audience.everyone(organizations=[opp.buyer_organization_id, *bidders])))
    if to == "unsuccessful":
        await funds.release_earmarks(session, actor_id=actor_id, opportunity_id=opp.id, reason="unsuccessful")


async def _finalize(session: AsyncSession, award: Award) -> None:
    award.status, award.final_at = "final", now()
    audit.record(session, actor_id=None, action="award.final", entity_type="award", entity_id=award.id, public=True,
                 summary={"opportunity_id": award.opportunity_id, "bid_id": award.bid_id})
    events.record(session, events.AwardFinal(
        award_id=award.id, opportunity_id=award.opportunity_id, organization_id=award.organization_id,
        audience=events.Audience.everyone(organizations=await award_parties(session, award))))


async def apply_due_moves(session: AsyncSession, opportunity_id: uuid.UUID | None = None) -> int:
    """Every due time-based move (of one opportunity, or of all): bidding closes at its deadline;
    a standstill that ended with no open objection makes the award final."""
    repo, at, moved = TenderRepository(session), now(), 0
    for opp in await repo.due_to_close(at, opportunity_id):
        await _close(session, opp, None)
        moved += 1
    for award in await repo.due_to_finalize(at, opportunity_id):
        await _finalize(session, award)
        moved += 1
    if moved:
        await session.flush()
    return moved


async def close_if_due(session: AsyncSession, opportunity_id: uuid.UUID) -> bool:
    """Close bidding on one opportunity if its deadline has passed (the job runner's item);
    an opportunity another transaction holds is skipped, to be seen again on the next pass."""
    for opp in await TenderRepository(session).due_to_close(now(), opportunity_id, skip_locked=True):
        await _close(session, opp, None)
        await session.flush()
        return True
    return False


async def finalize_if_due(session: AsyncSession, award_id: uuid.UUID) -> bool:
    """Make one award final if its standstill is over with no open objection (the job runner's item)."""
    for item in await TenderRepository(session).due_to_finalize(now(), award_id=award_id, skip_locked=True):
        await _finalize(session, item)
        await session.flush()
        return True
    return False


async def due_to_close(session: AsyncSession) -> list[uuid.UUID]:
    return await TenderRepository(session).due_to_close_ids(now())


async def due_to_finalize(session: AsyncSession) -> list[uuid.UUID]:
    return await TenderRepository(session).due_to_finalize_ids(now())


async def close_bidding(session: AsyncSession, user: User, opportunity_id: uuid.UUID) -> Opportunity:
    opp = await get_opportunity(session, opportunity_id, refresh=False)
    caps = await capacities(session, user, opp)
    if not caps & tender_machine.who_may("close_bidding"):
        raise forbidden(code="not_allowed")
    if opp.status == "published":
        if opp.bid_deadline is None or now() < opp.bid_deadline:
            raise errors.bid_deadline_not_reached()
        locked = await TenderRepository(session).opportunity(opp.id, lock=True)
        if locked is not None and locked.status == "published":
            await _close(session, locked, user.id)
            await session.flush()
        return opp
    if not is_closed(opp):
        raise invalid_state("opportunity", opp.status, "close_bidding")
    return opp


# -- bids ------------------------------------------------------------------------------------------

async def _check_offer(session: AsyncSession, offer_id: uuid.UUID | None, organization_id: uuid.UUID) -> None:
    if offer_id is None:
        return
    offer = await session.get(Offer, offer_id)
    if offer is None or offer.organization_id != organization_id:
        raise invalid(["body", "offer_id"], "服务供给不存在或不属于贵组织", "Unknown offer, or not your organization's",
                      code="unknown_offer")


async def _open_for_bids(session: AsyncSession, user: User, opportunity_id: uuid.UUID,
                         action: str = "bid") -> tuple[Opportunity, dt.datetime]:
    """The opportunity, share-locked so that closing waits for bids in flight, and the instant the
    deadline was checked against — the bid's own time, so no bid is ever stamped after the deadline;
    409 after the deadline."""
    opp = await TenderRepository(session).opportunity(opportunity_id, share=True)
    if opp is None or opp.status == "draft":
        raise not_found("opportunity")
    caps = await capacities(session, user, opp)
    if not caps & tender_machine.who_may(action):
        raise forbidden("只有社会组织可以投标或提问", "Only organization users may bid or ask", code="not_allowed")
    at = now()
    if opp.status in CLOSED_STATES or (opp.bid_deadline is not None and at >= opp.bid_deadline):
        raise errors.bid_deadline_passed()
    tender_machine.check(opp.status, action, caps)
    return opp, at


async def submit_bid(
    session: AsyncSession, user: User, opportunity_id: uuid.UUID, data: dict[str, Any]
) -> tuple[Bid, Opportunity]:
    opp, at = await _open_for_bids(session, user, opportunity_id)
    repo = TenderRepository(session)
    assert user.organization_id is not None
    problems = eligibility_problems(await repo.organization(user.organization_id), opp)
    if problems:
        raise errors.not_eligible(problems)
    await _check_offer(session, data.get("offer_id"), user.organization_id)
    bid = await repo.bid_of(opp.id, user.organization_id)
    if bid is not None and bid.status == "submitted":
        raise errors.bid_exists()
    if bid is None:
        bid = Bid(id=uuid.uuid4(), opportunity_id=opp.id, organization_id=user.organization_id, submitted_by=user.id,
                  submitted_at=at, confirmed_at=at, status="submitted", **data)
        repo.add(bid)
    else:  # a withdrawn bid submitted again
        bid.status, bid.submitted_by, bid.submitted_at, bid.confirmed_at, bid.withdrawn_at = "submitted", user.id, at, at, None
        bid.proposal, bid.price_fen, bid.offer_id = data["proposal"], data["price_fen"], data.get("offer_id")
    await repo.flush()
    events.record(session, events.BidSubmitted(bid_id=bid.id, opportunity_id=opp.id, organization_id=bid.organization_id,
                                               audience=_sealed(bid)))
    return bid, opp


def _sealed(bid: Bid) -> events.Audience:
    """A bid's events are for its bidder's organization alone (sealed until the close)."""
    return events.Audience.only(organizations=[bid.organization_id])


async def own_bid(session: AsyncSession, user: User, bid_id: uuid.UUID) -> Bid:
    bid = await TenderRepository(session).bid(bid_id, lock=True)
    if bid is None or user.role != "org" or bid.organization_id != user.organization_id:
        raise not_found("bid")
    return bid


async def change_bid(session: AsyncSession, user: User, bid_id: uuid.UUID, action: str,
                     changes: dict[str, Any] | None = None) -> tuple[Bid, Opportunity]:
    """Update, withdraw or reconfirm one's own bid, until the deadline."""
    bid = await own_bid(session, user, bid_id)
    opp, at = await _open_for_bids(session, user, bid.opportunity_id)
    if bid.status != "submitted":
        raise invalid_state("bid", bid.status, action)
    if action == "withdraw":
        bid.status, bid.withdrawn_at = "withdrawn", at
        events.record(session, events.BidWithdrawn(bid_id=bid.id, opportunity_id=opp.id,
                                                   organization_id=bid.organization_id, audience=_sealed(bid)))
    else:
        if changes:
            assert user.organization_id is not None
            if "offer_id" in changes:
                await _check_offer(session, changes["offer_id"], user.organization_id)
            for key, value in changes.items():
                setattr(bid, key, value)
        bid.confirmed_at = at
    await session.flush()
    return bid, opp


async def changeable_bid(session: AsyncSession, user: User, bid_id: uuid.UUID) -> tuple[Bid, Opportunity]:
    """One's own submitted bid while it may still change (before the deadline): 404 for anyone else's
    bid (as for an unknown id), 409 after the deadline or once withdrawn."""
    bid = await own_bid(session, user, bid_id)
    opp, _ = await _open_for_bids(session, user, bid.opportunity_id)
    if bid.status != "submitted":
        raise invalid_state("bid", bid.status, "change")
    return bid, opp


async def readable_bid(session: AsyncSession, user: User | None, bid_id: uuid.UUID) -> tuple[Bid, Opportunity, set[str]]:
    """A bid as ``user`` may see it: sealed bids of others are answered exactly like unknown ids."""
    repo = TenderRepository(session)
    bid = await repo.bid(bid_id)
    if bid is None:
        raise not_found("bid")
    opp = await get_opportunity(session, bid.opportunity_id)
    caps = await capacities(session, user, opp)
    own = user is not None and user.role == "org" and user.organization_id == bid.organization_id
    if own:
        return bid, opp, caps
    if not is_closed(opp):
        raise not_found("bid")
    if not caps & REVIEWERS:
        raise forbidden("只有采购方、公益经理人和评审专家可以查看投标", "Only the buyer, managers and the panel may read bids",
                        code="not_allowed")
    return bid, opp, caps


async def list_bids(session: AsyncSession, user: User | None, opportunity_id: uuid.UUID) -> tuple[list[Bid], Opportunity]:
    opp = await get_opportunity(session, opportunity_id)
    caps = await capacities(session, user, opp)
    if user is not None and user.role == "org":
        own = await TenderRepository(session).bid_of(opp.id, user.organization_id) if user.organization_id else None
        return ([own] if own is not None else []), opp
    if not is_closed(opp):
        raise errors.bids_sealed()
    if not caps & REVIEWERS:
        raise forbidden("只有采购方、公益经理人和评审专家可以查看投标", "Only the buyer, managers and the panel may read bids",
                        code="not_allowed")
    return list(await TenderRepository(session).bids(opp.id)), opp


# -- panel, scores, ranking, roadshows -------------------------------------------------------------

async def _experts(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    users = await TenderRepository(session).users(list(ids))
    if len(users) != len(set(ids)) or any(u.role != "expert" or not u.is_active for u in users.values()):
        raise errors.not_an_expert()
    return list(dict.fromkeys(ids))


async def name_panel(session: AsyncSession, user: User | None, opp: Opportunity, expert_ids: Sequence[uuid.UUID],
                     caps: set[str] | None = None) -> list[uuid.UUID]:
    caps = caps if caps is not None else await capacities(session, user, opp)
    tender_machine.check(opp.status, "name_panel", caps)
    ids = await _experts(session, expert_ids)
    set_status(opp, "name_panel", caps)
    repo = TenderRepository(session)
    present = await repo.panel(opp.id)
    for expert_id in ids:
        if expert_id not in present:
            repo.add(PanelMember(id=uuid.uuid4(), opportunity_id=opp.id, user_id=expert_id))
    audit.record(session, actor_id=user.id if user else None, action="opportunity.panel_named", entity_type="opportunity",
                 entity_id=opp.id, summary={"expert_user_ids": [str(i) for i in ids]})
    await repo.flush()
    return sorted(present | set(ids), key=str)


def weighted(rubric: list[dict[str, Any]], scores: dict[str, int]) -> float:
    if not rubric:
        return round(sum(scores.values()) / len(scores), 4)
    return round(sum(scores[c["criterion"]] * float(c["weight"]) for c in rubric) / 100, 4)


def _validate_scores(rubric: list[dict[str, Any]], scores: dict[str, int]) -> None:
    wanted = {c["criterion"] for c in rubric}
    if (wanted and set(scores) != wanted) or (not wanted and not scores):
        raise invalid(["body", "scores"], f"须为每项评分标准打分：{'、'.join(sorted(wanted))}",
                      f"Score every rubric criterion: {', '.join(sorted(wanted))}", code="scores_incomplete")
    if any(not 0 <= v <= 100 for v in scores.values()):
        raise invalid(["body", "scores"], "每项分数须在 0–100 之间", "Each score must be 0–100", code="score_out_of_range")


async def score_bid(session: AsyncSession, user: User, bid_id: uuid.UUID, data: dict[str, Any]) -> Score:
    bid, opp, caps = await readable_bid(session, user, bid_id)
    tender_machine.check(opp.status, "score", caps)
    if bid not in await eligible_bids(session, opp):
        raise errors.bid_not_eligible()
    conflicted = bool(data["conflict_of_interest"])
    scores = {} if conflicted else dict(data["scores"])
    if not conflicted:
        _validate_scores(opp.rubric or [], scores)
    repo = TenderRepository(session)
    score = await repo.score(bid.id, user.id)
    if score is None:
        score = Score(id=uuid.uuid4(), bid_id=bid.id, expert_id=user.id)
        repo.add(score)
    score.scores, score.conflict_of_interest, score.comment = scores, conflicted, data.get("comment", "")
    score.weighted_score = None if conflicted else weighted(opp.rubric or [], scores)
    audit.record(session, actor_id=user.id, action="bid.recused" if conflicted else "bid.scored", entity_type="bid",
                 entity_id=bid.id, summary={"opportunity_id": opp.id, "weighted_score": score.weighted_score})
    await repo.flush()
    return score


async def assigned(session: AsyncSession, user: User, *, limit: int, cursor: str | None) -> Page[Opportunity]:
    """The opportunities whose review panel ``user`` sits on (an expert's work list), latest deadline first
    (a panel is named after the close, so none of them is still open for bids)."""
    return await TenderRepository(session).panels_of(user.id, limit=limit, cursor=cursor)


async def my_scores(session: AsyncSession, user: User, bids: Sequence[Bid]) -> dict[uuid.UUID, Score]:
    """What ``user`` has answered so far for each of ``bids`` (scores or a declared conflict), by bid id."""
    return await TenderRepository(session).scores_by(user.id, [b.id for b in bids])


@dataclass
class Ranked:
    bid: Bid
    weighted_score: float | None
    experts_counted: int
    rank: int = 0


def _average(values: list[float]) -> tuple[float | None, int]:
    """The mean (without the highest and lowest when five or more) and how many it counts."""
    if len(values) >= 5:
        values = sorted(values)[1:-1]
    return (round(sum(values) / len(values), 4) if values else None), len(values)


async def rank(session: AsyncSession, opp: Opportunity) -> list[Ranked]:
    """Eligible bids by weighted score averaged over experts (dropping the highest and lowest when
    five or more counted), best first; ties go to the lower price, then the earlier bid."""
    bids = await eligible_bids(session, opp)
    by_bid: dict[uuid.UUID, list[float]] = {b.id: [] for b in bids}
    for s in await TenderRepository(session).scores_for(list(by_bid)):
        if not s.conflict_of_interest and s.weighted_score is not None:
            by_bid[s.bid_id].append(s.weighted_score)
    out = [Ranked(b, *_average(by_bid[b.id])) for b in bids]
    out.sort(key=lambda r: (r.weighted_score is None, -(r.weighted_score or 0), r.bid.price_fen, r.bid.submitted_at))
    for i, r in enumerate(out, 1):
        r.rank = i
    return out


async def ranking(session: AsyncSession, user: User, opportunity_id: uuid.UUID) -> list[Ranked]:
    opp = await get_opportunity(session, opportunity_id)
    caps = await capacities(session, user, opp)
    if not caps & REVIEWERS:
        raise forbidden("只有采购方、公益经理人和评审专家可以查看排名",
                        "Only the buyer, managers and the panel may read the ranking",
                        code="not_allowed")
    if not is_closed(opp):
        raise errors.bids_sealed()
    return await rank(session, opp)


async def add_roadshow(session: AsyncSession, user: User, opportunity_id: uuid.UUID, data: dict[str, Any]) -> Roadshow:
    opp = await get_opportunity(session, opportunity_id)
    set_status(opp, "roadshow", await capacities(session, user, opp))
    show = Roadshow(id=uuid.uuid4(), opportunity_id=opp.id, created_by=user.id, **data)
    session.add(show)
    audit.record(session, actor_id=user.id, action="opportunity.roadshow_scheduled", entity_type="opportunity",
                 entity_id=opp.id, public=True, summary={"scheduled_at": show.scheduled_at, "location": show.location})
    await session.flush()
    return show


# -- awards and objections -------------------------------------------------------------------------

async def award(session: AsyncSession, user: User, opportunity_id: uuid.UUID, bid_id: uuid.UUID) -> Award:
    opp = await get_opportunity(session, opportunity_id)
    caps = await capacities(session, user, opp)
    tender_machine.check(opp.status, "award", caps)  # before the close: the same answer for any bid id
    repo = TenderRepository(session)
    bid = await repo.bid(bid_id)
    if bid is None or bid.opportunity_id != opp.id:
        raise invalid(["body", "bid_id"], "该投标不属于本项目", "No such bid on this opportunity", code="unknown_bid")
    if bid not in await eligible_bids(session, opp):
        raise errors.bid_not_eligible()
    if any(a.bid_id == bid.id and a.status == "cancelled" for a in await repo.awards_of(opp.id)):
        raise errors.bid_award_cancelled()
    at = now()
    item = Award(id=uuid.uuid4(), opportunity_id=opp.id, bid_id=bid.id, organization_id=bid.organization_id,
                 price_fen=bid.price_fen, status="standstill", created_by=user.id,
                 standstill_ends_at=at + dt.timedelta(days=float(opp.standstill_days or 0)))
    repo.add(item)
    set_status(opp, "award", caps)
    audit.record(session, actor_id=user.id, action="award.created", entity_type="award", entity_id=item.id, public=True,
                 summary={"opportunity_id": opp.id, "bid_id": bid.id, "organization_id": bid.organization_id,
                          "price_fen": bid.price_fen, "standstill_ends_at": item.standstill_ends_at})
    events.record(session, events.AwardPublished(
        award_id=item.id, opportunity_id=opp.id, organization_id=item.organization_id, price_fen=item.price_fen,
        standstill_ends_at=item.standstill_ends_at,
        audience=events.Audience.everyone(organizations=[opp.buyer_organization_id, item.organization_id])))
    await repo.flush()
    if item.standstill_ends_at <= at:
        await _finalize(session, item)
        await repo.flush()
    return item


async def award_parties(session: AsyncSession, item: Award) -> set[uuid.UUID]:
    opp = await TenderRepository(session).opportunity(item.opportunity_id)
    return {item.organization_id} | ({opp.buyer_organization_id} if opp else set())


async def read_award(session: AsyncSession, user: User | None, award_id: uuid.UUID) -> tuple[Award, list[Objection]]:
    repo = TenderRepository(session)
    item = await repo.award(award_id)
    if item is None:
        raise not_found("award")
    if db.is_read_only(session):
        await settle(session, awards=[item])
    else:
        await apply_due_moves(session, item.opportunity_id)
        await session.refresh(item)
    on_notice = item.status in ("standstill", "cancelled")
    party = user is not None and user.organization_id in await award_parties(session, item)
    if not (on_notice or party or (user is not None and user.is_staff)):
        raise not_found("award")
    return item, list(await repo.objections_of(item.id))


async def my_bids(session: AsyncSession, user: User, *, limit: int, cursor: str | None
                  ) -> tuple[Page[Bid], dict[uuid.UUID, Opportunity], dict[uuid.UUID, Award]]:
    """My organization's bids, newest first, with their opportunities (as of now: due moves settled) and the
    award each opportunity has (the result a bidder may see: who won once the award is on notice)."""
    if user.organization_id is None or user.role != "org":
        raise forbidden("只有社会组织可以查看本组织的投标", "Only organizations have bids", code="role_not_allowed")
    repo = TenderRepository(session)
    found = await repo.bids_page(user.organization_id, limit=limit, cursor=cursor)
    opps = {}
    awards: dict[uuid.UUID, Award] = {}
    for bid in found.items:
        opp = await get_opportunity(session, bid.opportunity_id)
        opps[opp.id] = opp
        for item, _ in await awards_of(session, user, opp.id):
            if item.status != "cancelled":
                awards[opp.id] = item
    return found, opps, awards


async def panel_names(session: AsyncSession, user: User, opp: Opportunity) -> list[str]:
    """The panel's members by name, for those who run the review (the buyer, managers, admins, the panel)."""
    if not await capacities(session, user, opp) & REVIEWERS and user.role != "admin":
        raise forbidden(code="not_allowed")
    repo = TenderRepository(session)
    people = await repo.users(sorted(await repo.panel(opp.id)))
    return sorted(u.display_name for u in people.values())


async def awards_of(session: AsyncSession, user: User, opportunity_id: uuid.UUID) -> list[tuple[Award, list[Objection]]]:
    """The opportunity's awards, oldest first, each with its objections, as ``user`` may read them."""
    found = []
    for item in await TenderRepository(session).awards_of(opportunity_id):
        try:
            found.append(await read_award(session, user, item.id))
        except ExchangeError as exc:
            if exc.status != 404:
                raise
    return found


async def award_of_objection(session: AsyncSession, objection_id: uuid.UUID) -> uuid.UUID:
    objection = await TenderRepository(session).objection(objection_id)
    if objection is None:
        raise not_found("objection")
    return objection.award_id


async def readable_objection(session: AsyncSession, user: User | None, award_id: uuid.UUID,
                              objection_id: uuid.UUID) -> tuple[Objection, Award]:
    """An objection of an award ``user`` may read (404 otherwise, or when it belongs to another award)."""
    item, objections = await read_award(session, user, award_id)
    objection = next((o for o in objections if o.id == objection_id), None)
    if objection is None:
        raise not_found("objection")
    return objection, item


async def object_to(session: AsyncSession, user: User, award_id: uuid.UUID, reason: str) -> Objection:
    item, _ = await read_award(session, user, award_id)
    if item.status != "standstill":
        raise invalid_state("award", item.status, "object")
    if now() >= item.standstill_ends_at:
        raise errors.standstill_over()
    objection = Objection(id=uuid.uuid4(), award_id=item.id, filed_by=user.id, reason=reason, status="open")
    session.add(objection)
    audit.record(session, actor_id=user.id, action="objection.filed", entity_type="award", entity_id=item.id,
                 public=True, summary={"objection_id": objection.id})
    events.record(session, events.ObjectionFiled(
        award_id=item.id, objection_id=objection.id, opportunity_id=item.opportunity_id,
        audience=events.Audience.everyone(users=[user.id], organizations=await award_parties(session, item))))
    await session.flush()
    return objection


async def resolve(session: AsyncSession, user: User, objection_id: uuid.UUID, decision: str, reason: str) -> Objection:
    repo = TenderRepository(session)
    objection = await repo.objection(objection_id, lock=True)
    if objection is None:
        raise not_found("objection")
    item = await repo.award(objection.award_id, lock=True)
    assert item is not None
    opp = await get_opportunity(session, item.opportunity_id, refresh=False)
    caps = await capacities(session, user, opp)
    if not caps & tender_machine.who_may("resolve_objection"):
        raise forbidden(code="not_allowed")
    if objection.status != "open":
        raise invalid_state("objection", objection.status, "resolve")
    tender_machine.check(opp.status, "resolve_objection", caps)
    at = now()
    objection.status, objection.resolution_reason, objection.resolved_by, objection.resolved_at = decision, reason, user.id, at
    if decision == "upheld":
        item.status, item.cancelled_at = "cancelled", at
        set_status(opp, "resolve_objection", caps, "under_review")
    audit.record(session, actor_id=user.id, action=f"objection.{decision}", entity_type="award", entity_id=item.id,
                 public=True, summary={"objection_id": objection.id, "reason": reason})
    parties = events.Audience.everyone(users=[objection.filed_by], organizations=await award_parties(session, item))
    events.record(session, events.ObjectionResolved(award_id=item.id, objection_id=objection.id,
                                                    opportunity_id=item.opportunity_id, decision=decision, audience=parties))
    if decision == "upheld":
        events.record(session, events.AwardCancelled(award_id=item.id, opportunity_id=item.opportunity_id,
                                                     organization_id=item.organization_id, audience=parties))
    await session.flush()
    await apply_due_moves(session, opp.id)
    return objection


