"""Crowdfunding campaigns over HTTP: create (managers), contribute (anyone signed in), read (anyone)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response

from exchange.accounts.deps import CurrentUser, require_roles
from exchange.accounts.models import Role, User
from exchange.campaigns import service
from exchange.campaigns.repository import CampaignRepository
from exchange.campaigns.schemas import (
    CampaignCreate,
    CampaignList,
    CampaignMoney,
    CampaignOut,
    ContributionCreate,
    ContributionOut,
)
from exchange.errors import problems
from exchange.kit.http import Session, resource_headers
from exchange.kit.idempotency import IDEMPOTENT
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["money"])

Manager = Annotated[User, Depends(require_roles(Role.manager, Role.admin))]


@router.post("/campaigns", response_model=CampaignOut, status_code=201, operation_id="createCampaign",
             responses=problems(401, 403, 422))
async def create_campaign(body: CampaignCreate, user: Manager, session: Session, response: Response) -> CampaignOut:
    """Start a crowdfunding campaign matched by a fund (居民筹、组织办、基金配比). ``match_ratio`` is kept exactly.
    With `organization_id` (an active social organization), a campaign that ends succeeded or carried pays out:
    what was raised and matched goes into a fund of the campaign's own and becomes that organization's deal, with
    `milestones` (shares of the money) or one milestone 90 days after the end, signed for the fund by the manager
    who started the campaign; the organization signs it as any deal (`POST /deals/{id}/sign`)."""
    campaign = await service.create(session, actor_id=user.id, data=body.model_dump())
    resource_headers(response, campaign.version, f"/campaigns/{campaign.id}")
    return service.present(campaign)


@router.get("/campaigns", response_model=CampaignList, operation_id="listCampaigns", responses=problems(422))
async def list_campaigns(session: Session, status: Literal["open", "funded", "ended"] | None = None,
                         limit: int = LimitParam, cursor: str | None = CursorParam) -> CampaignList:
    """Campaigns, newest first (anyone)."""
    page = await CampaignRepository(session).page(status=status, limit=limit, cursor=cursor)
    return CampaignList(items=[service.present(c) for c in service.settle(page.items)], next_cursor=page.next_cursor)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, operation_id="getCampaign", responses=problems(404))
async def get_campaign(campaign_id: str, session: Session, response: Response) -> CampaignOut:
    """A campaign: ``target_fen``, ``raised_fen``, ``matched_fen``, ``status`` (anyone). A campaign
    whose ``ends_at`` has passed reads as ended, with its outcome, even before the job runner records it."""
    campaign = await service.read(session, parse_uuid(campaign_id, "campaign"))
    resource_headers(response, campaign.version)
    return service.present(campaign)


@router.get("/campaigns/{campaign_id}/money", response_model=CampaignMoney, operation_id="getCampaignMoney",
            responses=problems(404))
async def campaign_money(campaign_id: str, session: Session) -> CampaignMoney:
    """Where the campaign's money went (anyone): each contribution and its matching transaction, the payout into
    the campaign's own fund, the deal's commitment and each milestone's payment — every step a ledger transaction
    (`GET /funds/{id}/ledger` shows its entries). Contributors are not named."""
    campaign = await service.get_or_404(session, parse_uuid(campaign_id, "campaign"))
    return await service.money(session, campaign)


@router.post("/campaigns/{campaign_id}/contributions", response_model=ContributionOut, status_code=201,
             operation_id="contributeToCampaign", responses=problems(401, 404, 409, 422), openapi_extra=IDEMPOTENT)
async def contribute(campaign_id: str, body: ContributionCreate, user: CurrentUser, session: Session) -> ContributionOut:
    """Contribute ``amount_fen`` (anyone signed in); matched at once by floor(amount × ratio), limited by what
    is left of the cap and of the fund's available money. Takes ``Idempotency-Key``."""
    contribution = await service.contribute(session, user=user, campaign_id=parse_uuid(campaign_id, "campaign"),
                                            amount_fen=body.amount_fen)
    campaign = await service.get_or_404(session, contribution.campaign_id)
    return ContributionOut(id=contribution.id, campaign_id=campaign.id, amount_fen=contribution.amount_fen,
                           matched_fen=contribution.matched_fen, transaction_id=contribution.transaction_id,
                           created_at=contribution.created_at, campaign=service.present(campaign))
