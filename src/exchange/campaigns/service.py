"""Campaign rules: create, contribute with matching, end by the clock (refund or carry).

Accounting (see ``models``): a contribution is ``external:contributors`` → ``campaign:<id>:contributions``;
its matching is the fund's ``available`` → ``paid`` (subaccount ``campaign:<id>``), each one balanced
transaction. Matching = min(amount × num // den, cap − matched, fund available): exact to the fen.
Contributions lock the campaign row, then the fund's balance row (always in that order).

A campaign that names its organization pays out when it ends succeeded or carried: :func:`pay_out` deposits
the contributions and the matching into a fund of the campaign's own; :mod:`exchange.deals.crowdfunding` then
opens the organization's deal on that fund.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.models import User
from exchange.audit import service as audit
from exchange.campaigns.models import Campaign, Contribution
from exchange.campaigns.repository import CampaignRepository
from exchange.campaigns.schemas import CampaignMoney, CampaignOut, MoneyContribution, MoneyPayment, PayoutMilestone
from exchange.errors import ExchangeError, invalid, not_found
from exchange.funds import ledger
from exchange.funds import service as funds
from exchange.funds.models import Bucket, Kind, Source
from exchange.funds.repository import FundRepository, LedgerRepository
from exchange.kit.clock import now
from exchange.needs.models import Need
from exchange.organizations import service as organizations

CONTRIBUTORS = "external:contributors"


PAYOUT_OUTCOMES = ("succeeded", "carried")
DEFAULT_DUE_DAYS = 90


def contributions_account(campaign_id: uuid.UUID) -> str:
    return f"campaign:{campaign_id}:contributions"


def matched_account(campaign_id: uuid.UUID) -> str:
    """Where the matching is taken from when it is paid into the campaign's fund (the matching fund keeps its
    ``paid`` entries under ``campaign:<id>``)."""
    return f"campaign:{campaign_id}:matched"


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
        organization_id=campaign.organization_id,
        milestones=[PayoutMilestone.model_validate(m) for m in campaign.payout_plan] if campaign.payout_plan else None,
        payout_fund_id=campaign.payout_fund_id, deal_id=campaign.deal_id,
        version=campaign.version, created_at=campaign.created_at)


def _payout_plan(data: dict[str, Any], ends_at: dt.datetime) -> list[dict[str, Any]] | None:
    """The milestones of the deal a campaign will pay: given ones (shares adding up to 100, due after the end), or
    one milestone 90 days after the end; none without an organization."""
    milestones = data.get("milestones")
    if data.get("organization_id") is None:
        if milestones:
            raise invalid(["body", "milestones"], "指定承接组织后才能设置里程碑", "Milestones need an organization_id",
                          code="milestones_without_organization")
        return None
    end_day = ends_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    if not milestones:
        return [{"title": "项目完成", "due_on": (end_day + dt.timedelta(days=DEFAULT_DUE_DAYS)).isoformat(),
                 "share_percent": 100}]
    if sum(m["share_percent"] for m in milestones) != 100:
        raise invalid(["body", "milestones"], "各里程碑的比例之和须为 100", "The milestones' shares must add up to 100",
                      code="shares_not_100")
    for i, m in enumerate(milestones):
        if m["due_on"] <= end_day:
            raise invalid(["body", "milestones", i, "due_on"], "里程碑须在众筹结束之后", "A milestone is due after the end",
                          code="due_on_before_end")
    return [{"title": m["title"], "due_on": m["due_on"].isoformat(), "share_percent": m["share_percent"]}
            for m in milestones]


def milestone_amounts(plan: list[dict[str, Any]], total_fen: int) -> list[int]:
    """Each milestone's part of ``total_fen`` by its share, floored to the fen; the last takes what is left, so
    they add up to the total exactly."""
    amounts = [total_fen * m["share_percent"] // 100 for m in plan[:-1]]
    return [*amounts, total_fen - sum(amounts)]


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
    if data.get("organization_id") is not None:
        await organizations.social_recipient(session, data["organization_id"])
    plan = _payout_plan(data, ends_at)
    num, den = ratio_fraction(Decimal(data["match_ratio"]))
    campaign = Campaign(
        id=uuid.uuid4(), title=data["title"], target_fen=data["target_fen"], ends_at=ends_at, need_id=data.get("need_id"),
        match_fund_id=data["match_fund_id"], match_ratio_num=num, match_ratio_den=den,
        match_cap_fen=data["match_cap_fen"], on_shortfall=data["on_shortfall"], raised_fen=0, matched_fen=0,
        status="open", created_by=actor_id, organization_id=data.get("organization_id"), payout_plan=plan)
    session.add(campaign)
    await session.flush()
    audit.record(session, actor_id=actor_id, action="campaign.created", entity_type="campaign", entity_id=campaign.id,
                 public=True, summary={"title": campaign.title, "target_fen": campaign.target_fen,
                                       "match_fund_id": str(campaign.match_fund_id), "match_ratio": ratio_text(campaign),
                                       "match_cap_fen": campaign.match_cap_fen,
                                       "organization_id": str(campaign.organization_id) if campaign.organization_id else None})
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


def pays_out(campaign: Campaign) -> bool:
    """An ended campaign with an organization, succeeded or carried, with money, not yet paid out."""
    return (campaign.status == "ended" and campaign.organization_id is not None and campaign.deal_id is None
            and campaign.outcome in PAYOUT_OUTCOMES and campaign.raised_fen + campaign.matched_fen > 0)


async def pay_out(session: AsyncSession, campaign: Campaign) -> uuid.UUID:
    """What was raised and matched, into a new fund of the campaign's own (owned by the matching fund's
    organization, source crowdfunding), in one balanced transaction; returns the fund's id."""
    match_fund = await FundRepository(session).get(campaign.match_fund_id)
    assert match_fund is not None
    fund = await funds.create_fund(session, user=None, data={
        "name": f"众筹：{campaign.title}"[:200], "source": Source.crowdfunding.value,
        "owner_organization_id": match_fund.owner_organization_id})
    total = campaign.raised_fen + campaign.matched_fen
    balance = await ledger.lock_balance(session, fund.id)
    legs = [ledger.outside(contributions_account(campaign.id), -campaign.raised_fen),
            ledger.outside(matched_account(campaign.id), -campaign.matched_fen),
            ledger.bucket(fund.id, Bucket.available, total)]
    txn = ledger.post(session, kind=Kind.deposit, ref_type="campaign", ref_id=campaign.id, actor_id=None,
                      note="众筹资金转入项目", dedupe_key=f"payout:{campaign.id}", balances={fund.id: balance},
                      legs=[leg for leg in legs if leg.amount != 0])
    campaign.payout_fund_id = fund.id
    await session.flush()
    audit.record(session, actor_id=None, action="campaign.paid_out", entity_type="campaign", entity_id=campaign.id,
                 public=True, summary={"fund_id": str(fund.id), "raised_fen": campaign.raised_fen,
                                       "matched_fen": campaign.matched_fen, "transaction_id": str(txn.id)})
    return fund.id


async def money(session: AsyncSession, campaign: Campaign) -> CampaignMoney:
    """The path of the campaign's money, from each contribution to each payment of its deal."""
    contributions = await CampaignRepository(session).contributions_of(campaign.id)
    ledger_repo = LedgerRepository(session)
    matches = await ledger_repo.transaction_ids(Kind.match, "contribution", [c.id for c in contributions])
    payout = await ledger_repo.transaction_ids(Kind.deposit, "campaign", [campaign.id])
    commits = await ledger_repo.transaction_ids(Kind.commit, "deal", [campaign.deal_id]) if campaign.deal_id else {}
    payments = (await funds.deal_payments(session, campaign.deal_id)) if campaign.deal_id else []
    return CampaignMoney(
        campaign_id=campaign.id, raised_fen=campaign.raised_fen, matched_fen=campaign.matched_fen,
        contributions=[MoneyContribution(
            id=c.id, amount_fen=c.amount_fen, matched_fen=c.matched_fen, transaction_id=c.transaction_id,
            match_transaction_id=next(iter(matches.get(c.id, [])), None), refunded=c.refunded, created_at=c.created_at)
            for c in contributions],
        payout_transaction_id=next(iter(payout.get(campaign.id, [])), None), payout_fund_id=campaign.payout_fund_id,
        deal_id=campaign.deal_id, commit_transaction_ids=commits.get(campaign.deal_id, []) if campaign.deal_id else [],
        payments=[MoneyPayment(id=p.id, milestone_id=p.milestone_id, amount_fen=p.amount_fen, transaction_id=p.transaction_id,
                               created_at=p.created_at) for p in payments],
        paid_fen=sum(p.amount_fen for p in payments))
