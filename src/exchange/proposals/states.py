"""The proposal's lifecycle as data: ``(state, action) → Step(next, who may, guard)``.

Moves of ``POST /proposals/{id}/advance`` are the actions named after their target state; comments,
votes, meetings and ratings are actions that keep the state (who may, and when). Parties: ``author``,
``resident`` (of the proposal's region), ``community`` (its committee), ``manager``, ``admin``."""

from __future__ import annotations

from dataclasses import dataclass, field

from exchange.errors import ExchangeError
from exchange.kit.lifecycle import Lifecycle, Step, may
from exchange.proposals.models import ProposalStatus as S

STAFF = may("community", "manager", "admin")
PARTICIPANTS = may("resident", "community", "manager", "admin")
OPEN_STATES = (S.collected, S.deliberating, S.formed, S.executing, S.evaluating)


@dataclass
class Facts:
    quorum: int = 10
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    meetings_approved: int = 0
    plan: str | None = None
    links: dict[str, object] = field(default_factory=dict)
    reason: str | None = None
    outcome: str | None = None
    already: bool = False  # this user already voted / rated


def _missing(field_name: str, zh: str, en: str) -> ExchangeError:
    return ExchangeError(f"{field_name}_required", 422, zh, en,
                         errors=[{"loc": ["body", field_name], "msg": en, "msg_zh": zh}])


def carried(f: Facts) -> bool:
    """The quorum and majority rule: at least ``quorum`` votes, more than half of them for."""
    cast = f.votes_for + f.votes_against + f.votes_abstain
    return cast >= f.quorum and 2 * f.votes_for > cast


def _formable(f: Facts) -> ExchangeError | None:
    if not f.plan:
        return _missing("plan", "形成提案需要实施方案（plan）", "Forming a proposal needs its plan")
    if f.meetings_approved == 0 and not carried(f):
        cast = f.votes_for + f.votes_against + f.votes_abstain
        return ExchangeError("quorum_not_met", 409,
                             f"需要议事会通过，或至少 {f.quorum} 票且过半赞成（现 {cast} 票，赞成 {f.votes_for}）",
                             f"Needs an approving meeting, or at least {f.quorum} votes with a majority for "
                             f"(now {cast} votes, {f.votes_for} for)",
                             extra={"quorum": f.quorum, "votes": cast, "votes_for": f.votes_for})
    return None


def _linked(f: Facts) -> ExchangeError | None:
    if not any(f.links.get(k) for k in ("opportunity_id", "need_ids", "deal_id", "activity_id")):
        return _missing("links", "联动执行需要关联承接事项（项目机会、需求、协议或活动）",
                        "Executing needs links to what carries it out (opportunity, needs, deal or activity)")
    return None


def _outcome(f: Facts) -> ExchangeError | None:
    return None if (f.outcome or f.reason) else _missing("outcome", "公示需要写明结果", "Publicizing needs the outcome")


def _reason(f: Facts) -> ExchangeError | None:
    return None if f.reason else _missing("reason", "请说明理由", "Give the reason")


def _once(code: str, zh: str, en: str):  # noqa: ANN202 - a guard factory
    def guard(f: Facts) -> ExchangeError | None:
        return ExchangeError(code, 409, zh, en) if f.already else None
    return guard


_vote_once = _once("already_voted", "每人只能投一票", "You have already voted on this proposal")
_rate_once = _once("already_rated", "您已评价过该提案", "You have already rated this proposal")

TABLE: dict[tuple[str, str], Step[Facts]] = {
    (S.collected, S.deliberating): Step(S.deliberating, STAFF),
    (S.deliberating, S.formed): Step(S.formed, STAFF, _formable),
    (S.formed, S.executing): Step(S.executing, STAFF, _linked),
    (S.executing, S.evaluating): Step(S.evaluating, STAFF),
    (S.evaluating, S.publicized): Step(S.publicized, STAFF, _outcome),
    **{(s, S.rejected): Step(S.rejected, STAFF, _reason) for s in (S.collected, S.deliberating, S.formed)},
    **{(s, S.withdrawn): Step(S.withdrawn, may("author", "community", "manager", "admin"))
       for s in (S.collected, S.deliberating)},
    **{(s, "comment"): Step(s, PARTICIPANTS) for s in OPEN_STATES},
    **{(s, "vote"): Step(s, may("resident"), _vote_once) for s in (S.collected, S.deliberating)},
    (S.deliberating, "meeting"): Step(S.deliberating, STAFF),
    (S.evaluating, "rate"): Step(S.evaluating, may("resident"), _rate_once),
}

LIFECYCLE: Lifecycle[Facts] = Lifecycle("proposal", {(str(s), str(a)): step for (s, a), step in TABLE.items()})
ADVANCE_TARGETS = frozenset(str(s) for s in S) - {S.collected.value}
