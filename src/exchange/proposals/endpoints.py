"""Community proposals (社区提案) over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.accounts.models import User
from exchange.errors import problems
from exchange.kit.http import Session, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.proposals import service
from exchange.proposals.models import Proposal, ProposalStatus
from exchange.proposals.repository import ProposalRepository
from exchange.proposals.schemas import (
    AdvanceIn,
    CommentIn,
    CommentList,
    CommentOut,
    MeetingIn,
    MeetingOut,
    ProposalCreate,
    ProposalList,
    ProposalOut,
    RatingIn,
    RatingOut,
    RatingsOut,
    VoteIn,
    VoteOut,
    VotesOut,
)
from exchange.proposals.states import LIFECYCLE
from exchange.regions.areas import ancestors

router = APIRouter(route_class=UnitOfWorkRoute, tags=["participation"])


async def present(session: AsyncSession, proposals: list[Proposal], reader: User | None) -> list[ProposalOut]:
    meetings = await ProposalRepository(session).meetings([p.id for p in proposals])
    return [ProposalOut(
        id=p.id, author_id=p.author_id if reader is not None else None,
        on_behalf_organization_id=p.on_behalf_organization_id, title=p.title, description=p.description,
        region_code=p.region_code, status=ProposalStatus(p.status), plan=p.plan, links=p.links or {}, outcome=p.outcome,
        status_reason=p.status_reason, votes=VotesOut(for_=p.votes_for, against=p.votes_against, abstain=p.votes_abstain),
        comment_count=p.comment_count,
        ratings=RatingsOut(count=p.rating_count, average=round(p.rating_sum / p.rating_count, 2) if p.rating_count else None),
        meetings=[MeetingOut.model_validate(m) for m in meetings[p.id]],
        next_steps=[a for a in LIFECYCLE.allowed_from(p.status) if a in ProposalStatus.__members__],
        formed_at=p.formed_at, publicized_at=p.publicized_at, created_at=p.created_at, updated_at=p.updated_at,
        version=p.version,
    ) for p in proposals]


async def _one(session: AsyncSession, proposal: Proposal, reader: User | None, response: Response) -> ProposalOut:
    resource_headers(response, proposal.version)
    return (await present(session, [proposal], reader))[0]


@router.get("/proposals", response_model=ProposalList, operation_id="listProposals", responses=problems(401, 422))
async def list_proposals(
    session: Session, user: OptionalUser,
    region: Annotated[str | None, Query(max_length=32, description="Proposals at, under or containing this region")] = None,
    status: Annotated[ProposalStatus | None, Query()] = None,
    mine: Annotated[bool, Query(description="Only the proposals I made")] = False,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> Response:
    """社区提案, newest first (anyone may read them)."""
    page = await ProposalRepository(session).page(
        region=region, containing=await ancestors(session, region) if region else (), status=status,
        author_id=user.id if mine and user is not None else None, limit=limit, cursor=cursor)
    body = ProposalList(items=await present(session, page.items, user), next_cursor=page.next_cursor)
    return Response(content=body.model_dump_json(by_alias=True), media_type="application/json")


@router.post("/proposals", response_model=ProposalOut, status_code=201, operation_id="createProposal",
             responses=problems(401, 403, 422))
async def create_proposal(body: ProposalCreate, user: CurrentUser, session: Session, response: Response) -> ProposalOut:
    """A resident (for where they live) or a community committee (for its community) makes a proposal; it is `collected`."""
    proposal = await service.create(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, proposal.version, f"/proposals/{proposal.id}")
    return (await present(session, [proposal], user))[0]


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, operation_id="getProposal",
            responses=problems(401, 404))
async def get_proposal(proposal_id: str, session: Session, user: OptionalUser, response: Response) -> ProposalOut:
    """One proposal with its votes, ratings, meetings (minutes are public: 过程留痕) and the next steps allowed."""
    proposal = await service.get_or_404(session, parse_uuid(proposal_id, "proposal"))
    return await _one(session, proposal, user, response)


@router.post("/proposals/{proposal_id}/advance", response_model=ProposalOut, operation_id="advanceProposal",
             responses=problems(401, 403, 404, 409, 422))
async def advance_proposal(proposal_id: str, body: AdvanceIn, request: Request, user: CurrentUser, session: Session,
                           response: Response) -> ProposalOut:
    """The community committee or a manager moves the proposal one step: `deliberating`; `formed` (needs `plan`,
    and an approving meeting or at least `EXCHANGE_PROPOSAL_QUORUM` votes with a majority for, else 409
    `quorum_not_met`); `executing` (needs `links`); `evaluating` (residents may rate); `publicized` (the outcome goes
    on the public notices); or `rejected` (with `reason`). The author may also withdraw it while collected or
    deliberating. A move the table does not allow from the current status: 409 `proposal_<status>`."""
    proposal = await service.advance(
        session, user=user, proposal_id=parse_uuid(proposal_id, "proposal"), to=body.to.value,
        quorum=request.app.state.settings.proposal_quorum, reason=body.reason, plan=body.plan,
        links=body.links.model_dump() if body.links else None, outcome=body.outcome)
    return await _one(session, proposal, user, response)


@router.get("/proposals/{proposal_id}/comments", response_model=CommentList, operation_id="listProposalComments",
            responses=problems(401, 404, 422))
async def list_comments(proposal_id: str, session: Session, user: OptionalUser,
                        limit: int = LimitParam, cursor: str | None = CursorParam) -> CommentList:
    """Comments, oldest first (authors named to signed-in readers only)."""
    proposal = await service.get_or_404(session, parse_uuid(proposal_id, "proposal"))
    page = await ProposalRepository(session).comments(proposal.id, limit, cursor)
    return CommentList(items=[CommentOut(id=c.id, author_id=c.author_id if user else None, body=c.body,
                                         created_at=c.created_at) for c in page.items], next_cursor=page.next_cursor)


@router.post("/proposals/{proposal_id}/comments", response_model=CommentOut, status_code=201,
             operation_id="commentOnProposal", responses=problems(401, 403, 404, 409, 422))
async def comment(proposal_id: str, body: CommentIn, user: CurrentUser, session: Session) -> CommentOut:
    """Residents of the region, its committee and managers comment until the outcome is publicized."""
    note = await service.comment(session, user=user, proposal_id=parse_uuid(proposal_id, "proposal"), body=body.body)
    return CommentOut(id=note.id, author_id=note.author_id, body=note.body, created_at=note.created_at)


@router.post("/proposals/{proposal_id}/votes", response_model=VoteOut, status_code=201, operation_id="voteOnProposal",
             responses=problems(401, 403, 404, 409, 422))
async def vote(proposal_id: str, body: VoteIn, user: CurrentUser, session: Session) -> VoteOut:
    """A resident of the region votes `for`, `against` or `abstain`, once (again: 409 `already_voted`),
    while the proposal is collected or deliberated."""
    ballot = await service.vote(session, user=user, proposal_id=parse_uuid(proposal_id, "proposal"), choice=body.choice)
    return VoteOut.model_validate(ballot)


@router.post("/proposals/{proposal_id}/meetings", response_model=MeetingOut, status_code=201,
             operation_id="recordProposalMeeting", responses=problems(401, 403, 404, 409, 422))
async def record_meeting(proposal_id: str, body: MeetingIn, user: CurrentUser, session: Session) -> MeetingOut:
    """议事会: the community committee or a manager records a deliberation meeting (`approved` lets it be formed)."""
    held = await service.meeting(session, user=user, proposal_id=parse_uuid(proposal_id, "proposal"),
                                 data=body.model_dump(mode="python"))
    return MeetingOut.model_validate(held)


@router.post("/proposals/{proposal_id}/ratings", response_model=RatingOut, status_code=201,
             operation_id="rateProposal", responses=problems(401, 403, 404, 409, 422))
async def rate(proposal_id: str, body: RatingIn, user: CurrentUser, session: Session) -> RatingOut:
    """While it is `evaluating`, residents of the region rate it 1–5, once each."""
    rating = await service.rate(session, user=user, proposal_id=parse_uuid(proposal_id, "proposal"), score=body.score,
                                comment_text=body.comment)
    return RatingOut.model_validate(rating)
