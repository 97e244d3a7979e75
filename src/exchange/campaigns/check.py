"""The campaigns' part of ``exchange ledger check`` (:mod:`exchange.checks`): each campaign's raised and
matched money equal their entries, matched ≤ cap, and its contributions add up to it. A campaign paid out
holds nothing any more: its contributions account is empty and its matching was taken, once, into its fund
(the matching fund's ``paid`` entries stay); one not paid out has taken nothing."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.campaigns.repository import CampaignRepository
from exchange.funds.repository import LedgerRepository


async def check_campaigns(session: AsyncSession) -> list[str]:
    return await _campaigns(session, LedgerRepository(session))


async def _campaigns(session: AsyncSession, ledger: LedgerRepository) -> list[str]:
    problems = []
    raised = await ledger.account_sums("campaign:")
    matched: dict[str, int] = defaultdict(int)
    for (_fund, sub), value in (await ledger.subaccount_sums("paid", "campaign:")).items():
        matched[sub] += value
    repo = CampaignRepository(session)
    contributed = await repo.contribution_sums()
    for campaign in await repo.all():
        label = f"campaign {campaign.id}"
        held = 0 if campaign.outcome == "refunded" else 1  # a refund returns both, the figures stay as history
        in_entries = raised.get(f"campaign:{campaign.id}:contributions", 0)
        paid_out = campaign.payout_fund_id is not None
        if campaign.raised_fen * held * (not paid_out) != in_entries:
            problems.append(f"{label}: raised {campaign.raised_fen} (held: {bool(held)}, paid out: {paid_out}) "
                            f"!= entries {in_entries}")
        taken = -raised.get(f"campaign:{campaign.id}:matched", 0)
        if taken != (campaign.matched_fen if paid_out else 0):
            problems.append(f"{label}: matching taken into its fund {taken} != {campaign.matched_fen if paid_out else 0}")
        matched_entries = matched.get(f"campaign:{campaign.id}", 0)
        if campaign.matched_fen * held != matched_entries:
            problems.append(f"{label}: matched {campaign.matched_fen} (held: {bool(held)}) != entries {matched_entries}")
        if campaign.matched_fen > campaign.match_cap_fen:
            problems.append(f"{label}: matched {campaign.matched_fen} > cap {campaign.match_cap_fen}")
        amount, match = contributed.get(campaign.id, (0, 0))
        if (campaign.raised_fen, campaign.matched_fen) != (amount, match):
            problems.append(f"{label}: raised/matched {campaign.raised_fen}/{campaign.matched_fen} != "
                            f"contributions {amount}/{match}")
    return problems
