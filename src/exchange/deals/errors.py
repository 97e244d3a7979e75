"""Errors of deals, in Chinese and English."""

from __future__ import annotations

from exchange.errors import ExchangeError, invalid


def deal_exists() -> ExchangeError:
    return ExchangeError("deal_exists", 409, "该中标已有协议", "This award already has a deal")


def already_signed() -> ExchangeError:
    return ExchangeError("already_signed", 409, "贵方已签署", "Your party has already signed")


def milestones_not_accepted() -> ExchangeError:
    return ExchangeError("milestones_not_accepted", 409, "尚有里程碑未验收", "Not every milestone has been accepted")


def milestones_sum(amount: int, total: int) -> ExchangeError:
    return invalid(["body", "milestones"], f"里程碑金额合计 {total} 分，须等于协议金额 {amount} 分",
                   f"Milestone amounts sum to {total} fen; they must sum to the deal's {amount} fen",
                   code="milestones_sum_mismatch")


def amount_exceeds_bid(price: int) -> ExchangeError:
    return invalid(["body", "amount_fen"], f"协议金额不得超过投标报价 {price} 分",
                   f"The amount may not exceed the bid's price of {price} fen", code="amount_exceeds_bid")


def grade_inconsistent(grade: str, derived: str) -> ExchangeError:
    return invalid(["body", "grade"], f"等级「{grade}」与总分不符（应为「{derived}」）",
                   f"Grade '{grade}' disagrees with the total (it is '{derived}')", code="grade_inconsistent")


def unknown(loc: str, entity: str) -> ExchangeError:
    return invalid(["body", loc], f"{entity} 不存在", f"Unknown {entity}", code=f"unknown_{entity}")


def fund_required() -> ExchangeError:
    return invalid(["body", "fund_id"], "须指定资金来源（fund_id）", "A fund_id is required", code="fund_required")
