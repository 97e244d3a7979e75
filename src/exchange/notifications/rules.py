"""Who is told what: the one table (the README shows the same table).

Each event type names the parties whose users get a notification. A party is resolved from the
event's entity by :mod:`exchange.notifications.parties`; ``addressed`` means the users and the
organizations the event itself is addressed to. The actor who caused an event is not told about it.
Before the close a bid's events are addressed to its bidder alone, and no rule here names bidders
before the close (``bidders`` is resolved only once bidding has closed, except to tell each bidder
about an amendment or a cancellation of what it bid on, which reveals nothing to anyone else).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    parties: tuple[str, ...]
    zh: str  # title in Chinese; {name} is the entity's title
    en: str


WHO_IS_TOLD: dict[str, Rule] = {
    "opportunity.published": Rule(("managers",), "项目机会已发布：{name}", "Opportunity published: {name}"),
    "opportunity.amended": Rule(("bidders",), "项目机会已变更：{name}", "Opportunity amended: {name}"),
    "opportunity.bidding_closed": Rule(("buyer", "bidders", "panel"), "投标已截止：{name}", "Bidding closed: {name}"),
    "opportunity.cancelled": Rule(("buyer", "bidders"), "项目机会已取消：{name}", "Opportunity cancelled: {name}"),
    "award.published": Rule(("buyer", "bidders"), "中标结果已公示：{name}", "Award published: {name}"),
    "objection.filed": Rule(("buyer", "managers"), "收到质疑：{name}", "Objection filed: {name}"),
    "objection.resolved": Rule(("objector", "buyer"), "质疑已处理：{name}", "Objection resolved: {name}"),
    "award.final": Rule(("winner", "buyer"), "中标结果已生效：{name}", "Award final: {name}"),
    "award.cancelled": Rule(("winner", "bidders", "buyer"), "中标结果已撤销：{name}", "Award cancelled: {name}"),
    "deal.signed": Rule(("provider", "buyer"), "协议已签订：{name}", "Deal signed: {name}"),
    "milestone.reported": Rule(("buyer",), "里程碑待验收：{name}", "Milestone awaits acceptance: {name}"),
    "milestone.accepted": Rule(("provider",), "里程碑已验收：{name}", "Milestone accepted: {name}"),
    "milestone.rejected": Rule(("provider",), "里程碑未通过验收：{name}", "Milestone rejected: {name}"),
    "payment.made": Rule(("provider",), "款项已支付：{name}", "Payment made: {name}"),
    "deal.delivered": Rule(("buyer", "evaluators"), "项目已交付，待评估：{name}", "Deal delivered, awaiting evaluation: {name}"),
    "deal.evaluated": Rule(("provider", "buyer"), "项目评估已完成：{name}", "Deal evaluated: {name}"),
    "deal.closed": Rule(("provider", "buyer"), "项目已结项：{name}", "Deal closed: {name}"),
    "deal.terminated": Rule(("provider", "buyer"), "协议已终止：{name}", "Deal terminated: {name}"),
    "offer.published": Rule((), "服务已发布：{name}", "Offer published: {name}"),
    "need.published": Rule(("managers",), "居民需求已发布：{name}", "Need published: {name}"),
    "need.claimed": Rule(("requester",), "您的需求已被认领：{name}", "Your need was claimed: {name}"),
    "need.fulfilled": Rule(("requester",), "需求已完成，请确认：{name}", "Need fulfilled, please confirm: {name}"),
    "need.confirmed": Rule(("claimant",), "需求方已确认完成：{name}", "The requester confirmed: {name}"),
    "campaign.funded": Rule(("owner", "contributors"), "众筹已达成目标：{name}", "Campaign funded: {name}"),
    "campaign.ended": Rule(("owner", "contributors"), "众筹已结束：{name}", "Campaign ended: {name}"),
    "document.added": Rule(("addressed",), "新增文件：{name}", "Document added: {name}"),
    "question.answered": Rule(("addressed",), "您的提问已答复：{name}", "Your question was answered: {name}"),
    "proposal.advanced": Rule(("addressed",), "您的提案有新进展：{name}", "Your proposal advanced: {name}"),
    "import.finished": Rule(("addressed",), "导入已完成：{name}", "Import finished: {name}"),
    "reminder.bid_deadline": Rule(("addressed",), "24 小时内截止投标：{name}", "Bidding closes within 24 h: {name}"),
    "reminder.milestone_due": Rule(("addressed",), "里程碑 3 天内到期：{name}", "Milestone due within 3 days: {name}"),
    "reminder.standstill_ending": Rule(("addressed",), "公示期即将结束：{name}", "Standstill ending: {name}"),
    "reminder.need_unanswered": Rule(("addressed",), "需求 7 天无人认领：{name}", "Need unanswered for 7 days: {name}"),
}

EVENT_TYPES: tuple[str, ...] = tuple(WHO_IS_TOLD)
LANGUAGES = ("zh-CN", "en")


def render(event_type: str, params: dict[str, object], language: str) -> tuple[str, str]:
    """(title, body) of a notification in ``language`` (zh-CN unless ``en``)."""
    rule = WHO_IS_TOLD.get(event_type)
    name = str(params.get("name") or "")
    if rule is None:
        return event_type, name
    english = language == "en"
    title = (rule.en if english else rule.zh).format(name=name).rstrip(": ：")
    detail = params.get("detail_en" if english else "detail_zh")
    return title, str(detail) if detail else title
