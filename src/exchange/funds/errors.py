"""The errors money moves raise."""

from __future__ import annotations

from exchange.errors import ExchangeError, state_zh
from exchange.kit.money import yuan


def insufficient_funds(needed_fen: int, available_fen: int) -> ExchangeError:
    return ExchangeError(
        "insufficient_funds", 409,
        f"资金池可用余额不足：需要 {yuan(needed_fen)} 元，可用 {yuan(available_fen)} 元",
        f"The fund has not enough available money: {yuan(needed_fen)} yuan needed, {yuan(available_fen)} available",
        extra={"needed_fen": needed_fen, "available_fen": available_fen},
    )


def deal_overpaid(amount_fen: int, remaining_fen: int) -> ExchangeError:
    return ExchangeError(
        "deal_overpaid", 409,
        f"拨付 {yuan(amount_fen)} 元超过协议尚未拨付的承诺金额 {yuan(remaining_fen)} 元",
        f"Paying {yuan(amount_fen)} yuan exceeds the deal's remaining committed {yuan(remaining_fen)} yuan",
        extra={"amount_fen": amount_fen, "remaining_fen": remaining_fen},
    )


def already_paid() -> ExchangeError:
    return ExchangeError("already_paid", 409, "该里程碑的拨付批次已支付", "This milestone's tranche has already been paid")


def not_positive(loc: str = "amount_fen") -> ExchangeError:
    return ExchangeError(
        "invalid_amount", 422, "金额必须为正整数（分）", "The amount must be a positive number of fen",
        errors=[{"loc": ["body", loc], "msg": "must be positive", "msg_zh": "金额必须为正"}],
    )


def opportunity_not_fundable(status: str) -> ExchangeError:
    return ExchangeError(
        f"opportunity_{status}", 409, f"项目机会当前状态为「{state_zh(status)}」，只有草稿或已发布时可以配置资金",
        f"The opportunity is {status}; funds can be earmarked only while it is draft or published",
        extra={"state": status, "action": "funding"},
    )
