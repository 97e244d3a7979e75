"""The rules of applying to a venture-philanthropy call (公益创投): organizations apply before the
deadline; managers screen after it; managers and the call's panel score the roadshow; managers decide.
Funding never exceeds the call's budget: decisions lock the call first, so concurrent decisions count
each other's grants. A funded application becomes a deal from the call's fund, signed for the fund by
the deciding manager; the organization's signature activates it."""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.calls.models import Application, ApplicationStatus
from exchange.calls.repository import ApplicationRepository
from exchange.calls.states import application_machine
from exchange.deals import service as deals
from exchange.deals.schemas import MilestoneIn
from exchange.errors import ExchangeError, forbidden, invalid, not_found
from exchange.funds.repository import FundRepository
from exchange.kit.clock import now
from exchange.kit.pagination import Page
from exchange.organizations.models import Kind, Organization
from exchange.tenders.models import Call

STAFF = {Role.manager, Role.admin}


def capacities(user: User | None, application: Application | None, call: Call) -> set[str]:
    if user is None:
        return set()
    caps = set()
    if user.role == Role.manager:
        caps.add("manager")
    if user.role == Role.expert and str(user.id) in call.expert_user_ids:
        caps.add("panel")
    if application is not None and user.role == Role.org and user.organization_id == application.organization_id:
        caps.add("org")
    return caps


async def _call(session: AsyncSession, call_id: uuid.UUID, *, lock: bool = False) -> Call:
    call = await ApplicationRepository(session).call(call_id, lock=lock)
    if call is None:
        raise not_found("call")
    return call


def _sees_all(user: User | None, call: Call) -> bool:
    if user is None:
        return False
    return (user.role in STAFF or bool(capacities(user, None, call) & {"panel"})
            or (user.organization_id is not None and user.role == Role.buyer and user.id == call.created_by))


async def calls(session: AsyncSession, *, limit: int, cursor: str | None) -> tuple[Page[Call], dict[uuid.UUID, tuple[int, int]]]:
    repo = ApplicationRepository(session)
    page = await repo.calls_page(limit=limit, cursor=cursor)
    return page, await repo.granted([c.id for c in page.items])


async def apply(session: AsyncSession, user: User, call_id: uuid.UUID, data: dict[str, Any]) -> Application:
    if user.role != Role.org or user.organization_id is None:
        raise forbidden("只有社会组织可以申报", "Only organizations apply", code="role_not_allowed")
    call = await _call(session, call_id)
    if call.budget_fen is None:
        raise ExchangeError("call_takes_no_applications", 409, "该创投大赛不接受直接申报",
                            "This call takes bids on its opportunities, not applications")
    if now() >= call.bid_deadline:
        raise ExchangeError("application_deadline_passed", 409, "申报已截止", "The deadline for applications has passed")
    org = await session.get(Organization, user.organization_id)
    if org is None or org.kind != Kind.social_org or org.status != "active":
        raise forbidden("只有在册的社会组织可以申报", "Only active social organizations apply", code="not_eligible")
    if data["amount_fen"] > call.budget_fen:
        raise invalid(["body", "amount_fen"], "申请金额超过大赛总预算", "More than the call's whole budget",
                      code="amount_exceeds_budget")
    repo = ApplicationRepository(session)
    if await repo.by_organization(call.id, org.id) is not None:
        raise ExchangeError("application_exists", 409, "贵组织已经申报过该大赛", "Your organization has already applied")
    application = repo.add(Application(id=uuid.uuid4(), call_id=call.id, organization_id=org.id, submitted_by=user.id,
                                       status=ApplicationStatus.submitted, roadshow_scores={}, **data))
    await session.flush()
    audit.record(session, actor_id=user.id, action="application.submitted", entity_type="application",
                 entity_id=application.id, summary={"call_id": call.id, "amount_fen": application.amount_fen})
    return application


async def _readable(session: AsyncSession, user: User | None, application_id: uuid.UUID,
                    *, lock: bool = False) -> tuple[Application, Call]:
    repo = ApplicationRepository(session)
    application = await repo.get(application_id)
    if application is None:
        raise not_found("application")
    call = await _call(session, application.call_id, lock=lock)
    if lock:
        application = await repo.get_for_update(application_id) or application
    visible = (_sees_all(user, call) or "org" in capacities(user, application, call)
               or application.status == ApplicationStatus.funded)
    if not visible:
        raise not_found("application")
    return application, call


async def read(session: AsyncSession, user: User | None, application_id: uuid.UUID) -> Application:
    return (await _readable(session, user, application_id))[0]


async def of_call(session: AsyncSession, user: User | None, call_id: uuid.UUID) -> Sequence[Application]:
    """Everything for managers, admins, the call's panel and its buyer; an organization its own;
    everyone the funded ones (the public result, 立项公示)."""
    call = await _call(session, call_id)
    repo = ApplicationRepository(session)
    if _sees_all(user, call):
        return await repo.of_call(call.id)
    funded = list(await repo.of_call(call.id, statuses=[ApplicationStatus.funded]))
    if user is not None and user.role == Role.org and user.organization_id is not None:
        own = [a for a in await repo.of_call(call.id, organization_id=user.organization_id) if a not in funded]
        funded += own
    return sorted(funded, key=lambda a: (a.created_at, a.id))


async def screen(session: AsyncSession, user: User, application_id: uuid.UUID, passed: bool, note: str) -> Application:
    application, call = await _readable(session, user, application_id, lock=True)
    application_machine.check(application.status, "screen", capacities(user, application, call))
    if now() < call.bid_deadline:
        raise ExchangeError("call_open", 409, "申报尚未截止，不能初审", "Screening starts after the deadline")
    application.status = ApplicationStatus.shortlisted if passed else ApplicationStatus.screened_out
    application.screening_note = note
    audit.record(session, actor_id=user.id, action="application.screened", entity_type="application",
                 entity_id=application.id, summary={"passed": passed})
    await session.flush()
    return application


async def score(session: AsyncSession, user: User, application_id: uuid.UUID, value: int, comment: str) -> Application:
    application, call = await _readable(session, user, application_id, lock=True)
    application_machine.check(application.status, "score", capacities(user, application, call))
    scores = dict(application.roadshow_scores)
    scores[str(user.id)] = {"score": value, "comment": comment}
    application.roadshow_scores = scores
    application.roadshow_score = round(statistics.fmean(s["score"] for s in scores.values()), 2)
    audit.record(session, actor_id=user.id, action="application.scored", entity_type="application",
                 entity_id=application.id, summary={"score": value})
    await session.flush()
    return application


async def decide(session: AsyncSession, user: User, application_id: uuid.UUID, decision: str, amount_fen: int | None,
                 reason: str, milestones: Sequence[MilestoneIn]) -> Application:
    """Fund or decline a shortlisted application; the call is locked first, then the application."""
    application, call = await _readable(session, user, application_id, lock=True)
    application_machine.check(application.status, "decide", capacities(user, application, call))
    application.decision_reason, application.decided_by, application.decided_at = reason, user.id, now()
    if decision == "decline":
        application.status = ApplicationStatus.declined
    else:
        await _fund(session, user, application, call, amount_fen or application.amount_fen, milestones)
    audit.record(session, actor_id=user.id, action=f"application.{application.status}", entity_type="application",
                 entity_id=application.id, public=True,
                 summary={"call_id": call.id, "organization_id": application.organization_id,
                          "granted_fen": application.granted_fen, "deal_id": application.deal_id})
    await session.flush()
    return application


async def _fund(session: AsyncSession, user: User, application: Application, call: Call, amount: int,
                milestones: Sequence[MilestoneIn]) -> None:
    if amount > application.amount_fen:
        raise invalid(["body", "amount_fen"], "资助金额不能超过申请金额", "More than was asked for",
                      code="amount_exceeds_request")
    _, granted = (await ApplicationRepository(session).granted([call.id])).get(call.id, (0, 0))
    left = (call.budget_fen or 0) - granted
    if amount > left:
        raise ExchangeError("call_budget_exceeded", 409, f"大赛预算只剩 {left / 100:.2f} 元",
                            f"Only {left} fen of the budget is left", extra={"left_fen": left, "amount_fen": amount})
    if not milestones:
        raise invalid(["body", "milestones"], "资助须列出里程碑", "Funding needs the deal's milestones",
                      code="milestones_required")
    fund = await FundRepository(session).get(call.fund_id) if call.fund_id else None
    if fund is None:
        raise not_found("fund")
    fields = {"kind": "call", "organization_id": application.organization_id, "fund_id": fund.id,
              "buyer_organization_id": fund.owner_organization_id, "amount_fen": amount, "title": application.title}
    deal = await deals.open_deal(session, user, fields, milestones)
    await deals.sign_deal(session, user, deal)
    application.status, application.granted_fen, application.deal_id = ApplicationStatus.funded, amount, deal.id
