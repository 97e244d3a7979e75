"""Crowdfunding that pays out (居民筹、组织办、基金配比): a campaign that names its organization ends, and what
was raised and matched becomes that organization's deal, paid by milestones like any deal.

The job runner's item for a campaign past its end: end it (refund, carry or succeed, :mod:`exchange.campaigns`),
then — succeeded or carried, with an organization — deposit the money into the campaign's own fund and open
the deal on it, signed for the fund by the manager who started the campaign (as a seed grant is). The
organization's signature activates the deal and commits the money; each accepted milestone pays its tranche.
One transaction: the end, the payout and the deal happen together or not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role
from exchange.accounts.repository import UserRepository
from exchange.campaigns import service as campaigns
from exchange.campaigns.models import Campaign
from exchange.campaigns.repository import CampaignRepository
from exchange.deals import service
from exchange.deals.models import Deal
from exchange.deals.schemas import MilestoneIn
from exchange.funds.repository import FundRepository

due_to_end = campaigns.due_to_end


async def end_if_due(session: AsyncSession, campaign_id: uuid.UUID) -> bool:
    """End one campaign whose time is up and pay it out when it should; one held elsewhere is skipped."""
    campaign = await CampaignRepository(session).get_for_update(campaign_id, skip_locked=True)
    if campaign is None or not await campaigns.end(session, campaign):
        return False
    if campaigns.pays_out(campaign):
        await pay_out(session, campaign)
    return True


async def pay_out(session: AsyncSession, campaign: Campaign) -> Deal:
    """The campaign's money into its own fund, and the organization's deal on that fund."""
    assert campaign.organization_id is not None and campaign.payout_plan
    fund_id = await campaigns.pay_out(session, campaign)
    fund = await FundRepository(session).get(fund_id)
    assert fund is not None
    total = campaign.raised_fen + campaign.matched_fen
    amounts = campaigns.milestone_amounts(campaign.payout_plan, total)
    milestones = [MilestoneIn(title=m["title"], due_on=dt.date.fromisoformat(m["due_on"]), amount_fen=amount)
                  for m, amount in zip(campaign.payout_plan, amounts, strict=True)]
    fields = {"kind": "campaign", "organization_id": campaign.organization_id, "fund_id": fund_id,
              "buyer_organization_id": fund.owner_organization_id, "amount_fen": total,
              "title": campaign.title}
    starter = await UserRepository(session).get(campaign.created_by) if campaign.created_by else None
    deal = await service.open_deal(session, starter, fields, milestones)
    campaign.deal_id = deal.id
    if starter is not None and starter.role == Role.manager and starter.is_active:
        deal = await service.sign_deal(session, starter, deal)
    await session.flush()
    return deal
