"""Who is told what: the one table (the README shows the same table).

Each event type names the parties whose users get a notification — the people who must act next or
who asked; a party who only did what the event says (the buyer publishing, the bidder bidding) is not
told about its own act, and an event told to nobody still reaches the feed and the webhooks:

- ``addressed``: the users, and the users of the organizations, the event is addressed to where it is
  recorded (the requester, the claimant, the campaign's owner and contributors, the reminded …);
- ``buyer``: the buying organization of the opportunity or the deal; ``provider``: the deal's
  organization; ``winner``: the awarded organization; ``objector``: who filed the objection;
- ``bidders``: the organizations with a bid on the opportunity (each told only about what it bid on,
  which reveals nothing to anyone else; a bid's own events are addressed to its bidder alone);
- ``panel``: the opportunity's expert panel; ``managers``: every 公益经理人; ``district_managers``: the
  managers whose region contains the item's region; ``evaluators``: the third-party evaluators.
"""

from __future__ import annotations

from dataclasses import dataclass

from exchange.events import EventType


@dataclass(frozen=True)
class Rule:
    parties: tuple[str, ...]
    zh: str  # title in Chinese; {name} is the entity's title
    en: str


WHO_IS_TOLD: dict[str, Rule] = {
    "opportunity.published": Rule((), "项目机会已发布：{name}", "Opportunity published: {name}"),
    "opportunity.amended": Rule(("bidders",), "项目机会已变更：{name}", "Opportunity amended: {name}"),
    "opportunity.bidding_closed": Rule(("buyer", "bidders", "panel"), "投标已截止：{name}", "Bidding closed: {name}"),
    "opportunity.cancelled": Rule(("buyer", "bidders"), "项目机会已取消：{name}", "Opportunity cancelled: {name}"),
    "bid.submitted": Rule((), "投标已提交：{name}", "Bid submitted: {name}"),
    "bid.withdrawn": Rule((), "投标已撤回：{name}", "Bid withdrawn: {name}"),
    "award.published": Rule(("bidders",), "中标结果已公示：{name}", "Award published: {name}"),
    "objection.filed": Rule(("buyer", "winner", "managers"), "收到质疑：{name}", "Objection filed: {name}"),
    "objection.resolved": Rule(("objector", "winner"), "质疑已处理：{name}", "Objection resolved: {name}"),
    "award.final": Rule(("buyer", "winner"), "中标结果已生效：{name}", "Award final: {name}"),
    "award.cancelled": Rule(("buyer", "bidders"), "中标结果已撤销：{name}", "Award cancelled: {name}"),
    "deal.signed": Rule(("buyer", "provider"), "协议已签订：{name}", "Deal signed: {name}"),
    "milestone.reported": Rule(("buyer",), "里程碑待验收：{name}", "Milestone awaits acceptance: {name}"),
    "milestone.accepted": Rule(("provider",), "里程碑已验收：{name}", "Milestone accepted: {name}"),
    "milestone.rejected": Rule(("provider",), "里程碑未通过验收：{name}", "Milestone rejected: {name}"),
    "payment.made": Rule(("provider",), "款项已支付：{name}", "Payment made: {name}"),
    "deal.delivered": Rule(("buyer", "evaluators"), "项目已交付，待评估：{name}",
                           "Deal delivered, awaiting evaluation: {name}"),
    "deal.evaluated": Rule(("buyer", "provider"), "项目评估已完成：{name}", "Deal evaluated: {name}"),
    "deal.closed": Rule(("provider",), "项目已结项：{name}", "Deal closed: {name}"),
    "deal.terminated": Rule(("buyer", "provider"), "协议已终止：{name}", "Deal terminated: {name}"),
    "offer.published": Rule((), "服务已发布：{name}", "Offer published: {name}"),
    "need.published": Rule(("district_managers",), "居民需求已发布：{name}", "Need published: {name}"),
    "need.claimed": Rule(("addressed",), "需求已被认领：{name}", "Need claimed: {name}"),
    "need.fulfilled": Rule(("addressed",), "需求已完成，请确认：{name}", "Need fulfilled, please confirm: {name}"),
    "need.confirmed": Rule(("addressed",), "需求方已确认完成：{name}", "The requester confirmed: {name}"),
    "campaign.funded": Rule(("addressed",), "众筹已达成目标：{name}", "Campaign funded: {name}"),
    "campaign.ended": Rule(("addressed",), "众筹已结束：{name}", "Campaign ended: {name}"),
    "document.added": Rule(("addressed",), "新增文件：{name}", "Document added: {name}"),
    "question.asked": Rule(("buyer",), "收到投标人提问：{name}", "A bidder asked a question: {name}"),
    "question.answered": Rule(("addressed",), "提问已答复：{name}", "Question answered: {name}"),
    "proposal.advanced": Rule(("addressed",), "提案有新进展：{name}", "Proposal advanced: {name}"),
    "import.finished": Rule(("addressed",), "导入已完成：{name}", "Import finished: {name}"),
    "reminder.bid_deadline": Rule(("addressed",), "24 小时内截止投标：{name}", "Bidding closes within 24 h: {name}"),
    "reminder.milestone_due": Rule(("addressed",), "里程碑 3 天内到期：{name}", "Milestone due within 3 days: {name}"),
    "reminder.standstill_ending": Rule(("addressed",), "公示期即将结束：{name}", "Standstill ending: {name}"),
    "reminder.need_unanswered": Rule(("addressed",), "需求 7 天无人认领：{name}", "Need unanswered for 7 days: {name}"),
}

# every type the outbox can hold (a type with no rule yet reaches the feed and webhooks, and is told to nobody)
EVENT_TYPES: tuple[str, ...] = tuple(t.value for t in EventType)
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


PARTY_WORDS = {"addressed": "addressed", "buyer": "the buyer", "provider": "the provider", "winner": "the winner",
               "objector": "the objector", "bidders": "the bidders", "panel": "the panel", "managers": "the managers",
               "district_managers": "the managers of its district", "evaluators": "the evaluators"}


def markdown_table() -> str:
    """The table as the README shows it (a test keeps the two the same)."""
    lines = ["| event | told | title (zh-CN) |", "| --- | --- | --- |"]
    for event_type, rule in WHO_IS_TOLD.items():
        told = ", ".join(PARTY_WORDS[p] for p in rule.parties) or "— (the feed and webhooks only)"
        lines.append(f"| `{event_type}` | {told} | {rule.zh.format(name='…')} |")
    return "\n".join(lines)
