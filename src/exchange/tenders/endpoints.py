"""HTTP endpoints of the tender: bids, close, panel, scores, ranking, roadshows, awards, objections, calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.deps import CurrentUser, OptionalUser, require_roles
from exchange.accounts.models import Role, User
from exchange.documents.models import OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import document_out
from exchange.errors import problems
from exchange.kit.http import Session, check_if_match, resource_headers
from exchange.kit.idempotency import IDEMPOTENT
from exchange.kit.ids import parse_uuid
from exchange.kit.routing import UnitOfWorkRoute
from exchange.opportunities import service as opportunities
from exchange.opportunities.models import Opportunity
from exchange.privacy import redaction
from exchange.tenders import calls, service
from exchange.tenders.models import Award, Bid
from exchange.tenders.schemas import (
    AwardIn,
    AwardOut,
    BidCreate,
    BidList,
    BidOut,
    BidUpdate,
    CallCreate,
    CallOut,
    CloseBiddingOut,
    ObjectionIn,
    ObjectionOut,
    PanelIn,
    PanelOut,
    Ranking,
    RankingItem,
    ResolveIn,
    RoadshowIn,
    RoadshowOut,
    ScoreIn,
    ScoreOut,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["tenders"])
OrgUser = Annotated[User, Depends(require_roles(Role.org))]


def bid_out(bid: Bid, opp: Opportunity) -> BidOut:
    out = BidOut.model_validate(bid)
    out.needs_reconfirmation = service.needs_reconfirmation(bid, opp)
    return out


def objection_out(objection: Any, viewer: Any, documents: Sequence[Any] = ()) -> ObjectionOut:
    """Objectors are not named publicly (see ``exchange.privacy.redaction``); the evidence names its
    uploader to the objector and staff only."""
    out = ObjectionOut.model_validate(redaction.objection_for(viewer, ObjectionOut.model_validate(objection).model_dump()))
    named = viewer is not None and (viewer.role in redaction.STAFF_ROLES or viewer.id == objection.filed_by)
    out.documents = [document_out(d, name_uploader=named) for d in documents]
    return out


def award_out(item: Award, objections: list, documents: dict | None = None,  # type: ignore[type-arg]
              viewer: Any = None) -> AwardOut:
    """The award with its objections and their evidence (the objector is named to staff and to itself only)."""
    out = AwardOut.model_validate(item)
    out.objections = [objection_out(o, viewer, (documents or {}).get(o.id, [])) for o in objections]
    return out


async def with_documents(session: AsyncSession, bids: list[BidOut]) -> list[BidOut]:
    """Bids the caller may read, with their documents."""
    docs = await DocumentRepository(session).for_owners(OwnerType.bid, [b.id for b in bids])
    for b in bids:
        b.documents = [document_out(d) for d in docs[b.id]]
    return bids


def ranking_out(items: list[service.Ranked]) -> Ranking:
    return Ranking(items=[RankingItem(bid_id=r.bid.id, opportunity_id=r.bid.opportunity_id,
                                      organization_id=r.bid.organization_id, weighted_score=r.weighted_score,
                                      experts_counted=r.experts_counted, price_fen=r.bid.price_fen, rank=r.rank)
                          for r in items])


@router.post("/opportunities/{opportunity_id}/bids", operation_id="submitBid",
             status_code=201, response_model=BidOut, openapi_extra=IDEMPOTENT,
             responses=problems(401, 403, 404, 409, 422))
async def submit_bid(opportunity_id: str, body: BidCreate, user: OrgUser, session: Session, response: Response) -> BidOut:
    """Submit the organization's sealed bid (one per organization), before `bid_deadline`."""
    bid, opp = await service.submit_bid(session, user, parse_uuid(opportunity_id, "opportunity"), body.model_dump())
    resource_headers(response, bid.version, f"/bids/{bid.id}")
    return bid_out(bid, opp)


@router.get("/opportunities/{opportunity_id}/bids", operation_id="listBids",
            response_model=BidList, responses=problems(401, 403, 404, 409))
async def list_bids(opportunity_id: str, user: CurrentUser, session: Session) -> BidList:
    """Bids: before the close an organization sees its own bid only and everyone else gets 409
    `bids_sealed`; after it, the buyer, managers and the panel see them all."""
    bids, opp = await service.list_bids(session, user, parse_uuid(opportunity_id, "opportunity"))
    return BidList(items=await with_documents(session, [bid_out(b, opp) for b in bids]))


@router.get("/bids/{bid_id}", operation_id="getBid", response_model=BidOut, responses=problems(401, 404))
async def read_bid(bid_id: str, user: CurrentUser, session: Session, response: Response) -> BidOut:
    """One bid: its bidder at any time; the buyer, managers and the panel after the close."""
    bid, opp, _ = await service.readable_bid(session, user, parse_uuid(bid_id, "bid"))
    resource_headers(response, bid.version)
    return (await with_documents(session, [bid_out(bid, opp)]))[0]


@router.patch("/bids/{bid_id}", operation_id="updateBid", response_model=BidOut, openapi_extra=IDEMPOTENT,
              responses=problems(401, 403, 404, 409, 412, 422))
async def update_bid(bid_id: str, body: BidUpdate, user: OrgUser, session: Session, request: Request,
                     response: Response) -> BidOut:
    """Change one's own bid before the deadline (this also reconfirms it)."""
    current = await service.own_bid(session, user, parse_uuid(bid_id, "bid"))
    check_if_match(request, current.version)
    bid, opp = await service.change_bid(session, user, current.id, "update", body.model_dump(exclude_unset=True))
    resource_headers(response, bid.version)
    return bid_out(bid, opp)


@router.post("/bids/{bid_id}/withdraw", operation_id="withdrawBid", response_model=BidOut, responses=problems(401, 403, 404, 409))
async def withdraw_bid(bid_id: str, user: OrgUser, session: Session) -> BidOut:
    """Withdraw one's own bid before the deadline."""
    bid, opp = await service.change_bid(session, user, parse_uuid(bid_id, "bid"), "withdraw")
    return bid_out(bid, opp)


@router.post("/bids/{bid_id}/confirm", operation_id="confirmBid", response_model=BidOut, responses=problems(401, 403, 404, 409))
async def confirm_bid(bid_id: str, user: OrgUser, session: Session) -> BidOut:
    """Reconfirm one's own bid after the buyer changed the opportunity's terms."""
    bid, opp = await service.change_bid(session, user, parse_uuid(bid_id, "bid"), "confirm")
    return bid_out(bid, opp)


@router.post("/opportunities/{opportunity_id}/close-bidding", operation_id="closeBidding", response_model=CloseBiddingOut,
             responses=problems(401, 403, 404, 409))
async def close_bidding(opportunity_id: str, user: CurrentUser, session: Session) -> CloseBiddingOut:
    """Close bidding now that the deadline has passed (the clock also does it by itself); idempotent."""
    opp = await service.close_bidding(session, user, parse_uuid(opportunity_id, "opportunity"))
    eligible = len(await service.eligible_bids(session, opp))
    out = await opportunities.present(session, opp)
    return CloseBiddingOut(**out.model_dump(), eligible_bids=eligible)


@router.post("/opportunities/{opportunity_id}/panel", operation_id="namePanel",
             response_model=PanelOut, responses=problems(401, 403, 404, 409, 422))
async def name_panel(opportunity_id: str, body: PanelIn, user: CurrentUser, session: Session) -> PanelOut:
    """Name the review panel (expert users); the opportunity goes under review."""
    opp = await service.get_opportunity(session, parse_uuid(opportunity_id, "opportunity"))
    ids = await service.name_panel(session, user, opp, body.expert_user_ids)
    return PanelOut(opportunity_id=opp.id, status=opp.status, expert_user_ids=ids)


@router.post("/bids/{bid_id}/scores", operation_id="scoreBid",
             response_model=ScoreOut, responses=problems(401, 403, 404, 409, 422))
async def score_bid(bid_id: str, body: ScoreIn, user: CurrentUser, session: Session) -> ScoreOut:
    """A panel expert scores every rubric criterion 0–100, or declares a conflict of interest (recused)."""
    score = await service.score_bid(session, user, parse_uuid(bid_id, "bid"), body.model_dump())
    return ScoreOut.model_validate(score)


@router.get("/opportunities/{opportunity_id}/ranking", operation_id="getRanking",
            response_model=Ranking, responses=problems(401, 403, 404, 409))
async def ranking(opportunity_id: str, user: CurrentUser, session: Session) -> Ranking:
    """Eligible bids, best weighted rubric score first (ties: lower price)."""
    return ranking_out(await service.ranking(session, user, parse_uuid(opportunity_id, "opportunity")))


@router.post("/opportunities/{opportunity_id}/roadshows", operation_id="addRoadshow", status_code=201, response_model=RoadshowOut,
             responses=problems(401, 403, 404, 409, 422))
async def add_roadshow(opportunity_id: str, body: RoadshowIn, user: CurrentUser, session: Session) -> RoadshowOut:
    """Record a roadshow session (路演)."""
    show = await service.add_roadshow(session, user, parse_uuid(opportunity_id, "opportunity"), body.model_dump())
    return RoadshowOut.model_validate(show)


@router.post("/opportunities/{opportunity_id}/award", operation_id="awardBid", status_code=201, response_model=AwardOut,
             responses=problems(401, 403, 404, 409, 422))
async def award(opportunity_id: str, body: AwardIn, user: CurrentUser, session: Session, response: Response) -> AwardOut:
    """Award a bid under public notice (公示): a standstill of `standstill_days` opens."""
    item = await service.award(session, user, parse_uuid(opportunity_id, "opportunity"), body.bid_id)
    resource_headers(response, item.version, f"/awards/{item.id}")
    return award_out(item, [])


@router.get("/awards/{award_id}", operation_id="getAward", response_model=AwardOut, responses=problems(401, 404))
async def read_award(award_id: str, user: OptionalUser, session: Session, response: Response) -> AwardOut:
    """An award with its objections: anyone while on notice; afterwards the parties, managers, admins."""
    item, objections = await service.read_award(session, user, parse_uuid(award_id, "award"))
    resource_headers(response, item.version)
    documents = await DocumentRepository(session).for_owners(OwnerType.objection, [o.id for o in objections])
    return award_out(item, objections, documents, user)


@router.post("/awards/{award_id}/objections", operation_id="fileObjection", status_code=201, response_model=ObjectionOut,
             responses=problems(401, 404, 409, 422))
async def object_to(award_id: str, body: ObjectionIn, user: CurrentUser, session: Session) -> ObjectionOut:
    """File an objection (质疑) during the standstill; an open objection blocks the deal."""
    return objection_out(await service.object_to(session, user, parse_uuid(award_id, "award"), body.reason), user)


@router.post("/objections/{objection_id}/resolve", operation_id="resolveObjection",
             response_model=ObjectionOut, responses=problems(401, 403, 404, 409, 422))
async def resolve(objection_id: str, body: ResolveIn, user: CurrentUser, session: Session) -> ObjectionOut:
    """Resolve an objection: `upheld` cancels the award; `rejected` lets the standstill run on."""
    objection = await service.resolve(session, user, parse_uuid(objection_id, "objection"), body.decision, body.reason)
    return objection_out(objection, user)


@router.post("/calls", operation_id="createCall",
             status_code=201, response_model=CallOut, responses=problems(401, 403, 404, 409, 422))
async def create_call(body: CallCreate, user: CurrentUser, session: Session, response: Response) -> CallOut:
    """A venture-philanthropy call (公益创投): opportunities under one deadline and one panel, and/or a
    `budget_fen` from a `fund_id` that organizations apply to directly (`POST /calls/{id}/applications`)."""
    out = await calls.create(session, user, body)
    resource_headers(response, out.version, f"/calls/{out.id}")
    return out


@router.get("/calls/{call_id}", operation_id="getCall", response_model=CallOut, responses=problems(404))
async def read_call(call_id: str, session: Session) -> CallOut:
    """A call and its opportunities."""
    return await calls.read(session, parse_uuid(call_id, "call"))


@router.post("/calls/{call_id}/panel", operation_id="nameCallPanel",
             response_model=CallOut, responses=problems(401, 403, 404, 409, 422))
async def call_panel(call_id: str, user: CurrentUser, session: Session, body: PanelIn | None = None) -> CallOut:
    """Name the call's panel for every opportunity of the call whose bidding has closed."""
    return await calls.name_panel(session, user, parse_uuid(call_id, "call"), body.expert_user_ids if body else None)


@router.get("/calls/{call_id}/ranking", operation_id="getCallRanking",
            response_model=Ranking, responses=problems(401, 403, 404, 409))
async def call_ranking(call_id: str, user: CurrentUser, session: Session) -> Ranking:
    """One ranking across every opportunity of the call."""
    return ranking_out(await calls.ranking(session, user, parse_uuid(call_id, "call")))
