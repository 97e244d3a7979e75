"""Errors of the tender, in Chinese and English."""

from __future__ import annotations

from exchange.errors import ExchangeError


def bid_deadline_passed() -> ExchangeError:
    return ExchangeError("bid_deadline_passed", 409, "投标截止时间已过", "The bid deadline has passed")


def bid_deadline_not_reached() -> ExchangeError:
    return ExchangeError("bid_deadline_not_reached", 409, "尚未到投标截止时间", "The bid deadline has not been reached")


def bids_sealed() -> ExchangeError:
    return ExchangeError("bids_sealed", 409, "投标截止前，投标内容密封", "Bids are sealed until bidding closes")


def not_eligible(reasons: list[str]) -> ExchangeError:
    return ExchangeError("not_eligible", 403, "贵组织不符合本项目的投标资格", "Your organization is not eligible to bid",
                         extra={"reasons": reasons})


def bid_exists() -> ExchangeError:
    return ExchangeError("bid_already_submitted", 409, "贵组织已投标，请修改或撤回原投标",
                         "Your organization has already bid; update or withdraw that bid")


def bid_not_eligible() -> ExchangeError:
    return ExchangeError("bid_not_eligible", 409, "该投标已撤回、待确认或不符合资格",
                         "The bid is withdrawn, unconfirmed or ineligible")


def bid_award_cancelled() -> ExchangeError:
    return ExchangeError("bid_award_cancelled", 409, "该投标的中标已因质疑成立被撤销",
                         "This bid's award was cancelled by an upheld objection")


def standstill_over() -> ExchangeError:
    return ExchangeError("standstill_over", 409, "公示期已结束", "The standstill period is over")


def not_an_expert() -> ExchangeError:
    return ExchangeError("not_an_expert", 422, "评审专家必须是专家角色的用户", "Panel members must be expert users",
                         errors=[{"loc": ["body", "expert_user_ids"], "msg": "not an expert user",
                                  "msg_zh": "不是专家用户"}])
