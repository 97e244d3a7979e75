"""Who may do what on the three lists: one table of ``(role, action) → rule``.

A rule is ``ANY`` (whatever the item), ``OWN`` (only items the user owns: its organization's
opportunities or offers, its own or its community's needs, the need it claimed) or absent (never).
``allowed(role, action, own)`` is the whole decision; endpoints compute ``own`` and ask it.
"""

from __future__ import annotations

import enum

from exchange.accounts.models import Role, User
from exchange.errors import ExchangeError, forbidden


class Rule(enum.StrEnum):
    ANY = "any"
    OWN = "own"


ANY, OWN = Rule.ANY, Rule.OWN
ROLE_ZH = {Role.admin: "管理员", Role.buyer: "购买方", Role.org: "社会组织", Role.manager: "公益经理人",
           Role.expert: "评审专家", Role.evaluator: "第三方评估", Role.resident: "居民", Role.community: "社区居委会"}
R = Role

# action → {role: rule}; a role not named may not do it.
TABLE: dict[str, dict[Role, Rule]] = {
    # opportunities (项目机会): a buyer its organization's; managers and admins any
    "opportunity.create": {R.buyer: OWN, R.manager: ANY, R.admin: ANY},
    "opportunity.read_draft": {R.buyer: OWN, R.manager: ANY, R.admin: ANY},
    "opportunity.update": {R.buyer: OWN, R.manager: ANY, R.admin: ANY},
    "opportunity.publish": {R.buyer: OWN, R.manager: ANY, R.admin: ANY},
    "opportunity.cancel": {R.buyer: OWN, R.manager: ANY, R.admin: ANY},
    "opportunity.from_needs": {R.manager: ANY, R.admin: ANY},
    # offers (服务供给): an organization its own; managers and admins any
    "offer.create": {R.org: OWN, R.manager: ANY, R.admin: ANY},
    "offer.read_draft": {R.org: OWN, R.manager: ANY, R.admin: ANY},
    "offer.update": {R.org: OWN, R.manager: ANY, R.admin: ANY},
    "offer.publish": {R.org: OWN, R.manager: ANY, R.admin: ANY},
    "offer.withdraw": {R.org: OWN, R.manager: ANY, R.admin: ANY},
    # needs (居民需求): own = the requester (a community: needs it posted for residents) —
    # except fulfil and release, where own = the claimant
    "need.create": {R.resident: OWN, R.community: OWN, R.manager: ANY, R.admin: ANY},
    "need.update": {R.resident: OWN, R.community: OWN, R.manager: ANY, R.admin: ANY},
    "need.withdraw": {R.resident: OWN, R.community: OWN, R.manager: ANY, R.admin: ANY},
    "need.support": {R.resident: ANY},
    "need.claim": {R.resident: ANY, R.org: ANY},
    "need.fulfil": {R.resident: OWN, R.org: OWN, R.admin: ANY},
    "need.release": {R.resident: OWN, R.org: OWN, R.manager: ANY, R.admin: ANY},
    "need.confirm": {R.resident: OWN, R.community: OWN, R.manager: ANY, R.admin: ANY},
    # points (幸福积分)
    "points.adjust": {R.admin: ANY},
}

# Moves on one's own need that make no sense: claiming or supporting what you asked for yourself.
NOT_ON_OWN = {"need.support", "need.claim"}


def allowed(role: Role | str, action: str, own: bool) -> bool:
    """The table's answer for ``role`` doing ``action`` on an item it owns (``own``) or not."""
    if own and action in NOT_ON_OWN:
        return False
    rule = TABLE[action].get(Role(role))
    return rule is Rule.ANY or (rule is Rule.OWN and own)


def not_allowed(action: str, *, own: bool = True, role: Role | str | None = None) -> ExchangeError:
    """Why not: the role may never do it (``role_not_allowed``), it is the user's own need
    (``own_need``), or the item is not the user's (``not_allowed``)."""
    if role is not None and Role(role) not in TABLE[action]:
        return forbidden(f"您的角色（{ROLE_ZH.get(Role(role), role)}）不能执行此操作",
                         f"Your role ({role}) may not {action.split('.')[-1].replace('_', ' ')} this",
                         code="role_not_allowed")
    if action in NOT_ON_OWN and own:
        return ExchangeError("own_need", 403, "不能对自己发布的需求执行此操作",
                             "You may not do this on a need you posted yourself")
    return forbidden("无权对此条目执行此操作", f"You may not {action.split('.')[-1].replace('_', ' ')} this item",
                     code="not_allowed")


def authorize(user: User, action: str, own: bool) -> None:
    """403 unless the table allows it."""
    if not allowed(user.role, action, own):
        raise not_allowed(action, own=own, role=user.role)
