"""Seed grants (种子金): a small grant from a fund to an organization as a one-milestone deal, signed
for the fund by the manager who makes it; the organization's signature activates it and commits the
money, as for any deal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.deals import errors, service
from exchange.deals.models import Deal
from exchange.deals.schemas import MilestoneIn
from exchange.errors import ExchangeError, forbidden, invalid
from exchange.funds.repository import FundRepository
from exchange.kit.clock import now
from exchange.organizations import service as organizations

CHINA = dt.timezone(dt.timedelta(hours=8))


def too_large(amount: int, ceiling: int) -> ExchangeError:
    return invalid(["body", "amount_fen"], f"种子金不能超过 {ceiling / 100:.2f} 元", f"A seed grant is at most {ceiling} fen",
                   code="seed_grant_too_large")


async def award(session: AsyncSession, manager: User, data: dict[str, Any], ceiling_fen: int) -> Deal:
    """Make the grant and sign it for the fund, in one step (managers only)."""
    if manager.role != Role.manager:
        raise forbidden("只有公益经理人可以发放种子金", "Only managers make seed grants", code="role_not_allowed")
    if data["amount_fen"] > ceiling_fen:
        raise too_large(data["amount_fen"], ceiling_fen)
    if data["due_on"] <= now().astimezone(CHINA).date():
        raise invalid(["body", "due_on"], "完成日期须在今天之后", "The due date must be after today", code="due_on_not_future")
    org = await organizations.social_recipient(session, data["organization_id"])
    funds = FundRepository(session)
    fund, balance = await funds.get(data["fund_id"]), await funds.balance(data["fund_id"])
    if fund is None or balance is None:
        raise errors.unknown("fund_id", "fund")
    if balance.available_fen < data["amount_fen"]:
        raise ExchangeError("insufficient_funds", 409, "资金池可用余额不足", "The fund's available balance is too low",
                            extra={"needed_fen": data["amount_fen"], "available_fen": balance.available_fen})
    fields = {"kind": "grant", "organization_id": org.id, "fund_id": fund.id,
              "buyer_organization_id": fund.owner_organization_id, "amount_fen": data["amount_fen"],
              "title": data["title"]}
    milestone = MilestoneIn(title=data["milestone_title"], due_on=data["due_on"], amount_fen=data["amount_fen"])
    deal = await service.open_deal(session, manager, fields, [milestone])
    return await service.sign_deal(session, manager, deal)
