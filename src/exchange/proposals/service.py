"""Proposal rules: who may propose where, the six steps, comments, one vote per resident, meetings,
ratings. Every move locks the proposal's row first, so concurrent votes count each once and two
advances cannot both leave the same state."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.models import Role, User
from exchange.activities.repository import ActivityRepository
from exchange.audit import service as audit
from exchange.deals.repository import DealRepository
from exchange.errors import forbidden, invalid, not_found
from exchange.kit.clock import now
from exchange.listings import validation
from exchange.needs.repository import NeedRepository
from exchange.opportunities.repository import OpportunityRepository
from exchange.participation import parties as places
from exchange.proposals.models import (
    Proposal,
    ProposalComment,
    ProposalMeeting,
    ProposalRating,
    ProposalStatus,
    ProposalVote,
    VoteChoice,
)
from exchange.proposals.repository import ProposalRepository
from exchange.proposals.states import LIFECYCLE, Facts
from exchange.regions.areas import within

VOTE_COLUMN = {VoteChoice.for_: "votes_for", VoteChoice.against: "votes_against", VoteChoice.abstain: "votes_abstain"}


async def get_or_404(session: AsyncSession, proposal_id: uuid.UUID, *, lock: bool = False) -> Proposal:
    repo = ProposalRepository(session)
    proposal = await (repo.get_for_update(proposal_id) if lock else repo.get(proposal_id))
    if proposal is None:
        raise not_found("proposal")
    return proposal


async def parties(session: AsyncSession, user: User, proposal: Proposal) -> set[str]:
    found = await places.of_place(session, user, proposal.region_code)
    if user.id == proposal.author_id:
        found.add("author")
    return found


def facts(proposal: Proposal, **more: Any) -> Facts:
    return Facts(votes_for=proposal.votes_for, votes_against=proposal.votes_against,
                 votes_abstain=proposal.votes_abstain, **more)


def _audit(session: AsyncSession, user: User, proposal: Proposal, action: str, summary: dict[str, Any]) -> None:
    audit.record(session, actor_id=user.id, action=f"proposal.{action}", entity_type="proposal", entity_id=proposal.id,
                 summary=summary, public=True)


async def create(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Proposal:
    """A resident proposes for where they live (or an area containing it); a committee for its community."""
    if user.role not in (Role.resident, Role.community):
        raise forbidden("只有居民和社区可以提出提案", "Only residents and communities make proposals", code="role_not_allowed")
    home = user.region_code if user.role == Role.resident else await places.community_area(session, user)
    region = data.get("region_code") or home
    if not region:
        raise invalid(["body", "region_code"], "请填写提案所属区域", "Give the proposal's region", code="region_required")
    await validation.check_codes(session, region_codes=[region], region_loc="region_code")
    inside = await within(session, home, region) if user.role == Role.resident else await within(session, region, home)
    if not inside:
        raise forbidden("只能为自己所在的社区提出提案", "You may only propose for your own community", code="outside_area")
    proposal = Proposal(id=uuid.uuid4(), author_id=user.id, title=data["title"], description=data["description"],
                        region_code=region, status=ProposalStatus.collected, links={},
                        on_behalf_organization_id=user.organization_id if user.role == Role.community else None,
                        votes_for=0, votes_against=0, votes_abstain=0, comment_count=0, rating_count=0, rating_sum=0)
    ProposalRepository(session).add(proposal)
    await session.flush()
    _audit(session, user, proposal, "created", {"title": proposal.title, "region_code": region})
    return proposal


async def _check_links(session: AsyncSession, links: dict[str, Any]) -> dict[str, Any]:
    """422 ``unknown_link`` for a link to nothing; the links as stored (ids as strings)."""
    found = {
        "opportunity_id": lambda i: OpportunityRepository(session).get(i),
        "deal_id": lambda i: DealRepository(session).deal(i),
        "activity_id": lambda i: ActivityRepository(session).get(i),
    }
    for key, load in found.items():
        if links.get(key) is not None and await load(links[key]) is None:
            raise invalid(["body", "links", key], f"关联的事项不存在：{links[key]}", f"Nothing with id {links[key]}",
                          code="unknown_link")
    needs = NeedRepository(session)
    for i, need_id in enumerate(links.get("need_ids") or []):
        if await needs.get(need_id) is None:
            raise invalid(["body", "links", "need_ids", i], f"需求不存在：{need_id}", f"No need {need_id}",
                          code="unknown_link")
    return {k: ([str(x) for x in v] if isinstance(v, list) else str(v)) for k, v in links.items() if v}


async def advance(session: AsyncSession, *, user: User, proposal_id: uuid.UUID, to: str, quorum: int,
                  reason: str | None, plan: str | None, links: dict[str, Any] | None, outcome: str | None) -> Proposal:
    """One step of the six (or rejected, withdrawn), as the state table allows."""
    proposal = await get_or_404(session, proposal_id, lock=True)
    meetings = (await ProposalRepository(session).meetings([proposal.id]))[proposal.id]
    f = facts(proposal, quorum=quorum, plan=plan or proposal.plan, links=links or {}, reason=reason, outcome=outcome,
              meetings_approved=sum(1 for m in meetings if m.decision == "approved"))
    step = LIFECYCLE.step(proposal.status, to, await parties(session, user, proposal), f)
    before = proposal.status
    summary: dict[str, Any] = {"from": before, "to": step.to, "reason": reason}
    if step.to == ProposalStatus.formed:
        proposal.plan, proposal.formed_at = f.plan, now()
        summary["plan"] = proposal.plan
    elif step.to == ProposalStatus.executing:
        proposal.links = await _check_links(session, links or {})
        summary["links"] = proposal.links
    elif step.to == ProposalStatus.publicized:
        proposal.outcome, proposal.publicized_at = outcome or reason, now()
        summary["outcome"] = proposal.outcome
    if step.to in (ProposalStatus.rejected, ProposalStatus.withdrawn) or reason:
        proposal.status_reason = reason
    proposal.status = step.to
    await session.flush()
    _audit(session, user, proposal, "advanced", summary)
    # proposals are public; the resident who made it is told of each step (the other steppers took it)
    events.record(session, events.ProposalAdvanced(proposal_id=proposal.id, stage=str(step.to), title=proposal.title,
                                                   audience=events.Audience.everyone(users=[proposal.author_id])))
    return proposal


async def comment(session: AsyncSession, *, user: User, proposal_id: uuid.UUID, body: str) -> ProposalComment:
    proposal = await get_or_404(session, proposal_id, lock=True)
    LIFECYCLE.step(proposal.status, "comment", await parties(session, user, proposal), facts(proposal))
    note = ProposalComment(id=uuid.uuid4(), proposal_id=proposal.id, author_id=user.id, body=body)
    session.add(note)
    proposal.comment_count += 1
    await session.flush()
    _audit(session, user, proposal, "commented", {"comment_id": str(note.id)})
    return note


async def vote(session: AsyncSession, *, user: User, proposal_id: uuid.UUID, choice: VoteChoice) -> ProposalVote:
    """One vote per resident of the region (again: 409 ``already_voted``)."""
    proposal = await get_or_404(session, proposal_id, lock=True)
    already = await ProposalRepository(session).vote_of(proposal.id, user.id) is not None
    LIFECYCLE.step(proposal.status, "vote", await parties(session, user, proposal), facts(proposal, already=already))
    ballot = ProposalVote(id=uuid.uuid4(), proposal_id=proposal.id, user_id=user.id, choice=choice.value)
    session.add(ballot)
    column = VOTE_COLUMN[choice]
    setattr(proposal, column, getattr(proposal, column) + 1)
    await session.flush()
    _audit(session, user, proposal, "voted", {"votes": {"for": proposal.votes_for, "against": proposal.votes_against,
                                                        "abstain": proposal.votes_abstain}})
    return ballot


async def meeting(session: AsyncSession, *, user: User, proposal_id: uuid.UUID, data: dict[str, Any]) -> ProposalMeeting:
    """议事会: the committee (or a manager) records a meeting's minutes and decision while deliberating."""
    proposal = await get_or_404(session, proposal_id, lock=True)
    LIFECYCLE.step(proposal.status, "meeting", await parties(session, user, proposal), facts(proposal))
    held = ProposalMeeting(id=uuid.uuid4(), proposal_id=proposal.id, recorded_by=user.id, **data)
    session.add(held)
    await session.flush()
    _audit(session, user, proposal, "meeting_held", {"held_on": held.held_on, "attendees": held.attendees,
                                                     "decision": held.decision})
    return held


async def rate(session: AsyncSession, *, user: User, proposal_id: uuid.UUID, score: int,
               comment_text: str | None) -> ProposalRating:
    """Residents of the region rate 1–5 while the proposal is evaluated, once each."""
    proposal = await get_or_404(session, proposal_id, lock=True)
    already = await ProposalRepository(session).rating_of(proposal.id, user.id) is not None
    LIFECYCLE.step(proposal.status, "rate", await parties(session, user, proposal), facts(proposal, already=already))
    rating = ProposalRating(id=uuid.uuid4(), proposal_id=proposal.id, user_id=user.id, score=score, comment=comment_text)
    session.add(rating)
    proposal.rating_count += 1
    proposal.rating_sum += score
    await session.flush()
    _audit(session, user, proposal, "rated", {"score": score, "ratings": proposal.rating_count})
    return rating


async def publicized(session: AsyncSession, limit: int) -> list[Proposal]:
    """Proposals whose outcome is on public notice, newest first."""
    return await ProposalRepository(session).in_status(ProposalStatus.publicized, limit)
