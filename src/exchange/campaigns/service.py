"""Campaign rules: create, contribute with matching, end by the clock (refund or carry).

Accounting (see ``models``): a contribution is ``external:contributors`` → ``campaign:<id>:contributions``;
its matching is the fund's ``available`` → ``paid`` (subaccount ``campaign:<id>``), each one balanced
transaction. Matching = min(amount × num // den, cap − matched, fund available): exact to the fen.
Contributions lock the campaign row, then the fund's balance row (always in that order).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.models import User
from exchange.audit import service as audit
from exchange.campaigns.models import Campaign, Contribution
from exchange.campaigns.repository import CampaignRepository
from exchange.campaigns.schemas import CampaignOut
from exchange.errors import ExchangeError, invalid, not_found
from exchange.funds import ledger
from exchange.funds.models import Bucket, Kind
from exchange.funds.repository import FundRepository
from exchange.kit.clock import now
from exchange.needs.models import Need

CONTRIBUTORS = "external:contributors"


def contributions_account(campaign_id: uuid.UUID) -> str:
    return f"campaign:{campaign_id}:contributions"


def campaign_ended() -> ExchangeError:
    return ExchangeError("campaign_ended", 409, "众筹已结束，不能再捐款",
                         "The campaign has ended; it takes no more contributions",
                         extra={"state": "ended", "action": "contribute"})


def ratio_fraction(ratio: Decimal) -> tuple[int, int]:
    """The exact fraction of a decimal ratio: Decimal('0.5') → (1, 2)."""
    num, den = ratio.as_integer_ratio()
    return num, den


def ratio_text(campaign: Campaign) -> str:
    value = Decimal(campaign.match_ratio_num) / Decimal(campaign.match_ratio_den)
    text = f"{value:f}"
    return text if "." in text else f"{text}.0"


def matching(amount_fen: int, num: int, den: int, cap_left: int, available: int) -> int:
    """floor(amount × num / den), limited by what is left of the cap and of the fund."""
    return max(0, min(amount_fen * num // den, cap_left, available))


def present(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.id, title=campaign.title, target_fen=campaign.target_fen, raised_fen=campaign.raised_fen,
        matched_fen=campaign.matched_fen, ends_at=campaign.ends_at, need_id=campaign.need_id,
        match_fund_id=campaign.match_fund_id, match_ratio=ratio_text(campaign), match_cap_fen=campaign.match_cap_fen,
        on_shortfall=campaign.on_shortfall, status=campaign.status, outcome=campaign.outcome,  # type: ignore[arg-type]
        version=campaign.version, created_at=campaign.created_at)


async def create(session: AsyncSession, *, actor_id: uuid.UUID | None, data: dict[str, Any]) -> Campaign:
    if await FundRepository(session).get(data["match_fund_id"]) is None:
        raise invalid(["body", "match_fund_id"], "配比资金池不存在", "The matching fund does not exist", code="unknown_fund")
    if data.get("need_id") is not None and await session.get(Need, data["need_id"]) is None:
        raise invalid(["body", "need_id"], "居民需求不存在", "The need does not exist", code="unknown_need")
    ends_at = data["ends_at"]
    if ends_at.tzinfo is None:
        raise invalid(["body", "ends_at"], "结束时间须带时区", "ends_at needs a UTC offset")
    if ends_at <= now():
        raise invalid(["body", "ends_at"], "结束时间须在未来", "ends_at must be in the future")
    num, den = ratio_fraction(Decimal(data["match_ratio"]))
    campaign = Campaign(
        id=uuid.uuid4(), title=data["title"], target_fen=data["target_fen"], ends_at=ends_at, need_id=data.get("need_id"),
        match_fund_id=data["match_fund_id"], match_ratio_num=num, match_ratio_den=den,
        match_cap_fen=data["match_cap_fen"], on_shortfall=data["on_shortfall"], raised_fen=0, matched_fen=0,
        status="open", created_by=actor_id)
    session.add(campaign)
    await session.flush()
    audit.record(session, actor_id=actor_id, action="campaign.created", entity_type="campaign", entity_id=campaign.id,
                 public=True, summary={"title": campaign.title, "target_fen": campaign.target_fen,
                                       "match_fund_id": str(campaign.match_fund_id), "match_ratio": ratio_text(campaign),
                                       "match_cap_fen": campaign.match_cap_fen})
    return campaign


async def get_or_404(session: AsyncSession, campaign_id: uuid.UUID) -> Campaign:
    campaign = await CampaignRepository(session).get(campaign_id)
    if campaign is None:
        raise not_found("campaign")
    return campaign


async def contribute(session: AsyncSession, *, user: User, campaign_id: uuid.UUID, amount_fen: int) -> Contribution:
    """A resident's contribution, matched at once from the campaign's fund."""
    if amount_fen <= 0:
        raise invalid(["body", "amount_fen"], "金额必须为正", "The amount must be positive")
    repo = CampaignRepository(session)
    campaign = await repo.get_for_update(campaign_id)
    if campaign is None:
        raise not_found("campaign")
    if campaign.status == "ended" or now() >= campaign.ends_at:
        raise campaign_ended()
    fund_id = campaign.match_fund_id
    balance = await ledger.lock_balance(session, fund_id)
    matched = matching(amount_fen, campaign.match_ratio_num, campaign.match_ratio_den,
                       campaign.match_cap_fen - campaign.matched_fen, balance.available_fen)
    contribution_id = uuid.uuid4()
    txn = ledger.post(session, kind=Kind.contribution, ref_type="contribution", ref_id=contribution_id, actor_id=user.id,
                     balances={}, legs=[ledger.outside(CONTRIBUTORS, -amount_fen),
                                        ledger.outside(contributions_account(campaign.id), amount_fen)])
    if matched:
        ledger.post(session, kind=Kind.match, ref_type="contribution", ref_id=contribution_id, actor_id=user.id,
                   balances={fund_id: balance},
                   legs=[ledger.bucket(fund_id, Bucket.available, -matched),
                         ledger.bucket(fund_id, Bucket.paid, matched, f"campaign:{campaign.id}")])
    contribution = repo.add_contribution(Contribution(
        id=contribution_id, campaign_id=campaign.id, user_id=user.id, amount_fen=amount_fen, matched_fen=matched,
        transaction_id=txn.id, refunded=False, created_at=now()))
    campaign.raised_fen += amount_fen
    campaign.matched_fen += matched
    if campaign.status == "open" and campaign.raised_fen + campaign.matched_fen >= campaign.target_fen:
        campaign.status = "funded"
        events.record(session, events.CampaignFunded(
            campaign_id=campaign.id, raised_fen=campaign.raised_fen, matched_fen=campaign.matched_fen,
            target_fen=campaign.target_fen, audience=events.Audience.everyone(users=[campaign.created_by])))
    await session.flush()
    audit.record(session, actor_id=user.id, action="campaign.contributed", entity_type="campaign", entity_id=campaign.id,
                 summary={"amount_fen": amount_fen, "matched_fen": matched, "contribution_id": str(contribution_id)})
    return contribution


def outcome_of(campaign: Campaign) -> str:
    """How a campaign ends: succeeded at its target; below it, carried or refunded as it says."""
    if campaign.raised_fen + campaign.matched_fen >= campaign.target_fen:
        return "succeeded"
    return "carried" if campaign.on_shortfall == "carry" else "refunded"


async def end(session: AsyncSession, campaign: Campaign) -> bool:
    """End a (locked) campaign whose time is up: below target, refund or carry as it says."""
    if campaign.status == "ended" or now() < campaign.ends_at:
        return False
    campaign.outcome = outcome_of(campaign)
    if campaign.outcome == "refunded":
        await _refund(session, campaign)
    campaign.status, campaign.ended_at = "ended", campaign.ends_at
    await session.flush()
    audit.record(session, actor_id=None, action="campaign.ended", entity_type="campaign", entity_id=campaign.id,
                 public=True, summary={"outcome": campaign.outcome, "raised_fen": campaign.raised_fen,
                                       "matched_fen": campaign.matched_fen, "target_fen": campaign.target_fen})
    contributors = await CampaignRepository(session).contributor_ids(campaign.id)
    events.record(session, events.CampaignEnded(
        campaign_id=campaign.id, outcome=campaign.outcome or "", raised_fen=campaign.raised_fen,
        matched_fen=campaign.matched_fen, audience=events.Audience.everyone(users=[campaign.created_by, *contributors])))
    return True


async def _refund(session: AsyncSession, campaign: Campaign) -> None:
    """Contributions back to the contributors; matching back to the fund's available."""
    repo = CampaignRepository(session)
    balance = await ledger.lock_balance(session, campaign.match_fund_id)
    contributions = await repo.unrefunded(campaign.id)
    total = sum(c.amount_fen for c in contributions)
    matched = sum(c.matched_fen for c in contributions)
    if total:
        ledger.post(session, kind=Kind.refund, ref_type="campaign", ref_id=campaign.id, actor_id=None, balances={},
                   dedupe_key=f"refund:{campaign.id}",
                   legs=[ledger.outside(contributions_account(campaign.id), -total), ledger.outside(CONTRIBUTORS, total)])
    if matched:
        fund_id = campaign.match_fund_id
        ledger.post(session, kind=Kind.match_return, ref_type="campaign", ref_id=campaign.id, actor_id=None,
                   balances={fund_id: balance}, dedupe_key=f"match_return:{campaign.id}",
                   legs=[ledger.bucket(fund_id, Bucket.paid, -matched, f"campaign:{campaign.id}"),
                         ledger.bucket(fund_id, Bucket.available, matched)])
    for contribution in contributions:
        contribution.refunded = True


async def due_to_end(session: AsyncSession) -> list[uuid.UUID]:
    return await CampaignRepository(session).due_ids(now())


async def end_if_due(session: AsyncSession, campaign_id: uuid.UUID) -> bool:
    """End one campaign whose time is up (the job runner's item); one held elsewhere is skipped."""
    campaign = await CampaignRepository(session).get_for_update(campaign_id, skip_locked=True)
    return campaign is not None and await end(session, campaign)


def settle(campaigns: list[Campaign]) -> list[Campaign]:
    """Show, on loaded rows that are only read, a campaign whose time is up as ended (with the outcome
    it will have); the job runner records the end and moves the money."""
    for campaign in campaigns:
        if campaign.status != "ended" and now() >= campaign.ends_at:
            campaign.status, campaign.outcome, campaign.ended_at = "ended", outcome_of(campaign), campaign.ends_at
    return campaigns


async def read(session: AsyncSession, campaign_id: uuid.UUID) -> Campaign:
    """The campaign as it stands at the application clock."""
    return settle([await get_or_404(session, campaign_id)])[0]
