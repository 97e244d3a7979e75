"""The deal's rules: creation from a final award or by brokerage, signatures, milestones and
their tranches, supervision, the closing report, the evaluation, closing and termination."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.models import User
from exchange.audit import service as audit
from exchange.deals import errors, money
from exchange.deals.models import Deal, Milestone, Supervision
from exchange.deals.repository import DealRepository
from exchange.deals.schemas import DealCreate, MilestoneIn
from exchange.deals.states import deal_machine, milestone_machine
from exchange.errors import forbidden, invalid, invalid_state, not_found
from exchange.kit.clock import now
from exchange.needs import service as needs
from exchange.needs.models import Need
from exchange.organizations.models import Organization
from exchange.tenders import service as tenders
from exchange.tenders.repository import TenderRepository

PARTY_ROLES = {"buyer", "org", "community"}
MANAGED_KINDS = {"brokered", "grant", "call", "campaign"}  # a manager signs and accepts for the fund
GRADES = (("excellent", 90), ("good", 75), ("pass", 60), ("fail", 0))


def capacities(user: User | None, deal: Deal) -> set[str]:
    """The capacities in which ``user`` acts on ``deal`` (names used by the state tables)."""
    if user is None:
        return set()
    caps: set[str] = set()
    if user.role == "manager":
        caps.add("manager")
        if deal.kind in MANAGED_KINDS:
            caps.add("buyer_party")  # a manager signs and accepts for the fund's owner
    if user.role == "evaluator":
        caps.add("evaluator")
    if user.role == "org" and user.organization_id == deal.organization_id:
        caps.add("org_party")
    if user.role in PARTY_ROLES and user.organization_id is not None and user.organization_id == deal.buyer_organization_id:
        caps.add("buyer_party")
    return caps


def may_read(user: User, deal: Deal) -> bool:
    return user.role in ("admin", "manager", "evaluator") or bool(capacities(user, deal) & {"org_party", "buyer_party"})


async def get_deal(session: AsyncSession, user: User, deal_id: uuid.UUID, *, lock: bool = False) -> Deal:
    deal = await DealRepository(session).deal(deal_id, lock=lock)
    if deal is None or not may_read(user, deal):
        raise not_found("deal")
    return deal


def _audit(session: AsyncSession, user: User | None, deal: Deal, action: str, public: bool = False, **summary: Any) -> None:
    audit.record(session, actor_id=user.id if user else None, action=f"deal.{action}", entity_type="deal",
                 entity_id=deal.id, public=public, summary=summary)


def _parties(deal: Deal, *, public: bool) -> events.Audience:
    """The deal's two parties; public events are also everyone's (the deal's own rows stay private)."""
    parties = [deal.buyer_organization_id, deal.organization_id]
    return events.Audience.everyone(organizations=parties) if public else events.Audience.only(organizations=parties)


# -- creation --------------------------------------------------------------------------------------

async def _from_award(session: AsyncSession, user: User, body: DealCreate) -> dict[str, Any]:
    repo = TenderRepository(session)
    award = await repo.award(body.award_id, lock=True) if body.award_id else None
    if award is None:
        raise errors.unknown("award_id", "award")
    opp = await tenders.get_opportunity(session, award.opportunity_id)
    if not await tenders.capacities(session, user, opp) & {"buyer", "manager"}:
        raise forbidden(code="not_allowed")
    await session.refresh(award)
    if award.status != "final":
        raise invalid_state("award", award.status, "contract")
    if await DealRepository(session).live_deal_for_award(award.id) is not None:
        raise errors.deal_exists()
    if opp.status != "awarded":
        raise invalid_state("opportunity", opp.status, "contract")
    bid = await repo.bid(award.bid_id)
    assert bid is not None
    amount = body.amount_fen if body.amount_fen is not None else bid.price_fen
    if amount > bid.price_fen:
        raise errors.amount_exceeds_bid(bid.price_fen)
    fund_id = body.fund_id
    if fund_id is None:
        fund_id = next((f for f, left in await money.earmarks_for(session, opp.id) if left > 0), None)
        if fund_id is None:
            raise errors.fund_required()
    return {"kind": "award", "award_id": award.id, "opportunity_id": opp.id, "organization_id": award.organization_id,
            "buyer_organization_id": opp.buyer_organization_id, "offer_id": bid.offer_id, "fund_id": fund_id,
            "amount_fen": amount, "title": body.title or opp.title}


BROKERABLE_OPPORTUNITY = {"published", "bidding_closed", "under_review", "unsuccessful"}


async def _brokered(session: AsyncSession, user: User, body: DealCreate) -> dict[str, Any]:
    if user.role != "manager":
        raise forbidden("只有公益经理人可以撮合协议", "Only managers broker deals", code="not_allowed")
    title = body.title
    if body.need_id is None and body.opportunity_id is None:
        raise errors.unknown("need_id", "need")
    org = await session.get(Organization, body.organization_id) if body.organization_id is not None else None
    if org is None:
        raise errors.unknown("organization_id", "organization")
    if org.kind != "social_org":  # only a social organization's users can sign and deliver the deal
        raise invalid(["body", "organization_id"], "实施方须为社会组织（政府部门等不能承接并签署协议）",
                      "The implementing organization must be a social organization", code="organization_not_implementer")
    if body.opportunity_id is not None:
        opp = await TenderRepository(session).opportunity(body.opportunity_id)
        if opp is None or opp.status == "draft":
            raise errors.unknown("opportunity_id", "opportunity")
        if opp.status not in BROKERABLE_OPPORTUNITY:
            raise invalid_state("opportunity", opp.status, "broker")
        title = title or opp.title
    if body.fund_id is None:
        raise errors.fund_required()
    if not await money.fund_exists(session, body.fund_id):
        raise errors.unknown("fund_id", "fund")
    if body.amount_fen is None:
        raise errors.milestones_sum(0, sum(m.amount_fen for m in body.milestones))
    if body.need_id is not None:
        if await session.get(Need, body.need_id) is None:
            raise errors.unknown("need_id", "need")
        need = await needs.take_on_for_deal(session, need_id=body.need_id, organization_id=org.id, actor_id=user.id)
        title = title or need.title
    return {"kind": "brokered", "need_id": body.need_id, "opportunity_id": body.opportunity_id,
            "organization_id": body.organization_id, "offer_id": body.offer_id, "fund_id": body.fund_id,
            "buyer_organization_id": await money.fund_owner(session, body.fund_id),
            "amount_fen": body.amount_fen, "title": title or "协议"}


def _check_due_dates(body: DealCreate) -> None:
    today = now().date()
    for i, m in enumerate(body.milestones):
        if m.due_on < today:
            raise invalid(["body", "milestones", i, "due_on"], "里程碑到期日不能早于今天",
                          "A milestone cannot be due in the past", code="due_in_past")


async def create(session: AsyncSession, user: User, body: DealCreate) -> Deal:
    if user.role not in ("buyer", "manager"):
        raise forbidden(code="role_not_allowed")
    _check_due_dates(body)
    fields = await (_from_award(session, user, body) if body.award_id else _brokered(session, user, body))
    return await open_deal(session, user, fields, body.milestones)


async def open_deal(session: AsyncSession, user: User | None, fields: dict[str, Any],
                    milestones: Sequence[MilestoneIn]) -> Deal:
    """A deal awaiting signatures, with its milestones, from ``fields`` a caller has checked; the
    milestones must add up to the amount."""
    total = sum(m.amount_fen for m in milestones)
    if total != fields["amount_fen"]:
        raise errors.milestones_sum(fields["amount_fen"], total)
    repo = DealRepository(session)
    deal = Deal(id=uuid.uuid4(), status="pending_signatures", created_by=user.id if user else None, **fields)
    repo.add(deal)
    await repo.flush()
    for seq, m in enumerate(milestones, 1):
        repo.add(Milestone(id=uuid.uuid4(), deal_id=deal.id, seq=seq, title=m.title, due_on=m.due_on,
                           amount_fen=m.amount_fen, status="pending", tranche="unpaid"))
    _audit(session, user, deal, "created", public=True, kind=deal.kind, amount_fen=deal.amount_fen,
           organization_id=deal.organization_id, opportunity_id=deal.opportunity_id, milestones=len(milestones))
    await repo.flush()
    return deal


# -- signing ---------------------------------------------------------------------------------------

async def sign(session: AsyncSession, user: User, deal_id: uuid.UUID) -> Deal:
    deal = await get_deal(session, user, deal_id, lock=True)
    return await sign_deal(session, user, deal)


async def sign_deal(session: AsyncSession, user: User, deal: Deal) -> Deal:
    """``user`` signs the (locked) deal for its side; both sides signed activate it and commit the money."""
    caps = capacities(user, deal)
    deal_machine.check(deal.status, "sign", caps)
    at = now()
    if "org_party" in caps and deal.org_signed_at is None:
        deal.org_signed_at, deal.org_signed_by, side = at, user.id, "organization"
    elif "buyer_party" in caps and deal.buyer_signed_at is None:
        deal.buyer_signed_at, deal.buyer_signed_by, side = at, user.id, "buyer"
    else:
        raise errors.already_signed()
    _audit(session, user, deal, "signed", side=side)
    if deal.org_signed_at and deal.buyer_signed_at:
        await _activate(session, user, deal)
    await session.flush()
    return deal


async def _activate(session: AsyncSession, user: User, deal: Deal) -> None:
    if deal.award_id is not None:
        award = await TenderRepository(session).award(deal.award_id)
        if award is None or award.status != "final":
            raise invalid_state("award", award.status if award else "missing", "contract")
    await money.commit_to_deal(session, actor_id=user.id, deal_id=deal.id, fund_id=deal.fund_id,
                               amount_fen=deal.amount_fen, opportunity_id=deal.opportunity_id)
    deal.status, deal.activated_at = "active", now()
    if deal.kind == "award" and deal.opportunity_id is not None:
        opp = await TenderRepository(session).opportunity(deal.opportunity_id, lock=True)
        assert opp is not None
        tenders.set_status(opp, "contract", {"buyer"})
        audit.record(session, actor_id=user.id, action="opportunity.contracted", entity_type="opportunity",
                     entity_id=opp.id, public=True, summary={"deal_id": deal.id})
    _audit(session, user, deal, "activated", public=True, amount_fen=deal.amount_fen)
    events.record(session, events.DealSigned(
        deal_id=deal.id, opportunity_id=deal.opportunity_id, buyer_organization_id=deal.buyer_organization_id,
        organization_id=deal.organization_id, amount_fen=deal.amount_fen, audience=_parties(deal, public=True)))


# -- milestones ------------------------------------------------------------------------------------

async def _milestone(session: AsyncSession, deal: Deal, milestone_id: uuid.UUID) -> tuple[Milestone, bool]:
    """The milestone (locked) and whether it is the deal's last one."""
    milestones = await DealRepository(session).milestones(deal.id, lock=True)
    for m in milestones:
        if m.id == milestone_id:
            return m, m is milestones[-1]
    raise not_found("milestone")


async def milestone_move(session: AsyncSession, user: User, deal_id: uuid.UUID, milestone_id: uuid.UUID,
                         action: str, body: dict[str, Any]) -> Deal:
    """report / accept / reject a milestone. The deal row is locked first, so two accepts of one
    milestone run one after the other and the second finds it accepted (409): paid once."""
    deal = await get_deal(session, user, deal_id, lock=True)
    caps = capacities(user, deal)
    deal_machine.check(deal.status, action, caps)
    ms, last = await _milestone(session, deal, milestone_id)
    ms.status = milestone_machine.check(ms.status, action, caps).to or ms.status
    at = now()
    if action == "report":
        ms.report, ms.reported_at, ms.rejection_reason = {"summary": body["summary"], "evidence": body["evidence"]}, at, None
    elif action == "reject":
        ms.rejection_reason = body["reason"]
    else:
        ms.accepted_at = at
        if last:
            ms.tranche = "held"  # paid or released by the evaluation
        else:
            ms.payment_id = await money.pay_tranche(session, actor_id=user.id, deal_id=deal.id, fund_id=deal.fund_id,
                                                    milestone_id=ms.id, amount_fen=ms.amount_fen,
                                                    organization_id=deal.organization_id)
            ms.tranche = "paid"
    _audit(session, user, deal, f"milestone_{action}ed", milestone_id=ms.id, seq=ms.seq,
           amount_fen=ms.amount_fen, tranche=ms.tranche, reason=body.get("reason"))
    _record_milestone_event(session, deal, ms, action, body)
    await session.flush()
    return deal


def _record_milestone_event(session: AsyncSession, deal: Deal, ms: Milestone, action: str, body: dict[str, Any]) -> None:
    audience = _parties(deal, public=False)
    if action == "report":
        events.record(session, events.MilestoneReported(deal_id=deal.id, milestone_id=ms.id, audience=audience))
    elif action == "reject":
        events.record(session, events.MilestoneRejected(deal_id=deal.id, milestone_id=ms.id, reason=body["reason"],
                                                        audience=audience))
    else:
        events.record(session, events.MilestoneAccepted(deal_id=deal.id, milestone_id=ms.id, audience=audience))
        if ms.tranche == "paid":
            _record_payment(session, deal, ms)


def _record_payment(session: AsyncSession, deal: Deal, ms: Milestone) -> None:
    if ms.amount_fen:
        events.record(session, events.PaymentMade(deal_id=deal.id, milestone_id=ms.id, organization_id=deal.organization_id,
                                                  amount_fen=ms.amount_fen, audience=_parties(deal, public=False)))


# -- supervision, closing report, evaluation, close, terminate -------------------------------------

async def supervise(session: AsyncSession, user: User, deal_id: uuid.UUID, body: dict[str, Any]) -> Supervision:
    deal = await get_deal(session, user, deal_id)
    deal_machine.check(deal.status, "supervise", capacities(user, deal))
    visit = Supervision(id=uuid.uuid4(), deal_id=deal.id, visited_on=body["date"], findings=body["findings"],
                        rating=body["rating"], supervisor_id=user.id)
    session.add(visit)
    _audit(session, user, deal, "supervised", date=body["date"], rating=body["rating"])
    await session.flush()
    return visit


async def closing_report(session: AsyncSession, user: User, deal_id: uuid.UUID, body: dict[str, Any]) -> Deal:
    deal = await get_deal(session, user, deal_id, lock=True)
    found = deal_machine.check(deal.status, "closing_report", capacities(user, deal))
    if any(m.status != "accepted" for m in await DealRepository(session).milestones(deal.id)):
        raise errors.milestones_not_accepted()
    deal.closing_report = {**body, "submitted_at": now().isoformat(), "submitted_by": str(user.id)}
    deal.status = found.to or deal.status
    _audit(session, user, deal, "delivered", public=True, people_served=body["people_served"],
           activities=body["activities"])
    events.record(session, events.DealDelivered(deal_id=deal.id, audience=_parties(deal, public=True)))
    await session.flush()
    return deal


def grade_for(total: float) -> str:
    return next(g for g, floor in GRADES if total >= floor)


async def evaluate(session: AsyncSession, user: User, deal_id: uuid.UUID, body: dict[str, Any]) -> Deal:
    deal = await get_deal(session, user, deal_id, lock=True)
    found = deal_machine.check(deal.status, "evaluate", capacities(user, deal))
    derived = grade_for(body["total"])
    if body.get("grade") and body["grade"] != derived:
        raise errors.grade_inconsistent(body["grade"], derived)
    if any(not 0 <= v <= 100 for v in body["scores"].values()):
        raise invalid(["body", "scores"], "每项分数须在 0–100 之间", "Each score must be 0–100", code="score_out_of_range")
    milestones = await DealRepository(session).milestones(deal.id, lock=True)
    held = next((m for m in milestones if m.tranche == "held"), None)
    if held is not None and derived != "fail":
        held.payment_id = await money.pay_tranche(session, actor_id=user.id, deal_id=deal.id, fund_id=deal.fund_id,
                                                  milestone_id=held.id, amount_fen=held.amount_fen,
                                                  organization_id=deal.organization_id)
        held.tranche = "paid"
        _record_payment(session, deal, held)
    elif held is not None:
        await money.release_deal(session, actor_id=user.id, deal_id=deal.id, fund_id=deal.fund_id,
                                 reason="evaluation_failed")
        held.tranche = "released"
    deal.evaluation = {"scores": body["scores"], "total": body["total"], "grade": derived, "comment": body.get("comment", ""),
                       "evaluator_id": str(user.id), "evaluated_at": now().isoformat()}
    deal.status, deal.evaluated_at = found.to or deal.status, now()
    _audit(session, user, deal, "evaluated", public=True, total=body["total"], grade=derived)
    events.record(session, events.DealEvaluated(deal_id=deal.id, score=float(body["total"]), grade=derived,
                                                audience=_parties(deal, public=True)))
    await session.flush()
    return deal


async def _end_opportunity(session: AsyncSession, user: User, deal: Deal, reason: str) -> None:
    if deal.kind != "award" or deal.opportunity_id is None:
        return
    opp = await TenderRepository(session).opportunity(deal.opportunity_id, lock=True)
    if opp is None or opp.status not in ("awarded", "contracted"):
        return
    tenders.set_status(opp, "close", {"manager"})
    await money.release_earmarks(session, actor_id=user.id, opportunity_id=opp.id, reason=reason)
    audit.record(session, actor_id=user.id, action="opportunity.closed", entity_type="opportunity", entity_id=opp.id,
                 public=True, summary={"deal_id": deal.id, "reason": reason})


async def close(session: AsyncSession, user: User, deal_id: uuid.UUID) -> Deal:
    deal = await get_deal(session, user, deal_id, lock=True)
    found = deal_machine.check(deal.status, "close", capacities(user, deal))
    deal.status, deal.closed_at = found.to or deal.status, now()
    await _end_opportunity(session, user, deal, "deal_closed")
    _audit(session, user, deal, "closed", public=True, amount_fen=deal.amount_fen)
    events.record(session, events.DealClosed(deal_id=deal.id, audience=_parties(deal, public=True)))
    await session.flush()
    return deal


async def terminate(session: AsyncSession, user: User, deal_id: uuid.UUID, reason: str) -> Deal:
    deal = await get_deal(session, user, deal_id, lock=True)
    found = deal_machine.check(deal.status, "terminate", capacities(user, deal))
    released = 0
    if deal.status != "pending_signatures":
        released = await money.release_deal(session, actor_id=user.id, deal_id=deal.id, fund_id=deal.fund_id,
                                            reason=f"terminated: {reason}")
    for m in await DealRepository(session).milestones(deal.id, lock=True):
        if m.tranche in ("unpaid", "held"):
            m.tranche = "released"
    deal.status, deal.terminated_at, deal.termination_reason = found.to or deal.status, now(), reason
    await _end_opportunity(session, user, deal, "deal_terminated")
    _audit(session, user, deal, "terminated", public=True, reason=reason, released_fen=released)
    events.record(session, events.DealTerminated(deal_id=deal.id, reason=reason, audience=_parties(deal, public=True)))
    await session.flush()
    return deal
