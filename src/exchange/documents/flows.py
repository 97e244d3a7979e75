"""Who may add, read and delete which document — asked of the owner's own domain.

Each owner type answers three questions through its domain's service: may this user read the owner
(the owner's own 404/403 otherwise), may this user add a document to it now, and is it still
editable (only then may an uploader delete a document). A bid is sealed: until bidding closes only
the bidder's organization can reach it, so its documents answer as for an unknown id to everyone
else. This module sits on top of the domains it asks (a flow); the documents domain below it knows
files and rows only, so that owners' read models may list their documents."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.models import User
from exchange.deals import service as deals
from exchange.deals.repository import DealRepository
from exchange.documents import service
from exchange.documents.models import Document, OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.service import Owner
from exchange.documents.storage import DocumentStore
from exchange.documents.upload import Received
from exchange.errors import ExchangeError, forbidden, invalid, invalid_state, not_found
from exchange.listings.permissions import authorize
from exchange.opportunities import service as opportunities
from exchange.organizations import service as organizations
from exchange.tenders import service as tenders

ENDED_OPPORTUNITY = {"closed", "cancelled", "unsuccessful"}
ENDED_DEAL = {"closed", "terminated"}
STAFF = {"admin", "manager"}


async def read_owner(session: AsyncSession, user: User | None, owner_type: OwnerType, owner_id: uuid.UUID,
                     award_id: uuid.UUID | None = None) -> Owner:
    """The owner if ``user`` may read it; otherwise the owner domain's own 404 (or 403)."""
    if owner_type is OwnerType.opportunity:
        opp = await opportunities.get_visible(session, user, owner_id)
        return Owner(owner_type, opp.id, public=opp.published_at is not None)
    if owner_type is OwnerType.bid:
        if user is None:
            raise not_found("bid")
        bid, opp, _ = await tenders.readable_bid(session, user, owner_id)
        return Owner(owner_type, bid.id, public=False, sealed=not tenders.is_closed(opp))
    if owner_type is OwnerType.deal:
        if user is None:
            raise not_found("deal")
        deal = await deals.get_deal(session, user, owner_id)
        return Owner(owner_type, deal.id, public=False)
    if owner_type is OwnerType.organization:
        org = await organizations.get_or_404(session, owner_id)
        return Owner(owner_type, org.id, public=True)
    if award_id is None:
        award_id = await tenders.award_of_objection(session, owner_id)
    objection, award = await tenders.readable_objection(session, user, award_id, owner_id)
    named = user is not None and (user.role in STAFF or user.id == objection.filed_by)
    return Owner(owner_type, objection.id, public=award.status in ("standstill", "cancelled"), name_uploaders=named)


async def may_add(session: AsyncSession, user: User, owner: Owner, milestone_id: uuid.UUID | None = None) -> None:
    """403/409/422 unless ``user`` may add a document to ``owner`` now (checked before the upload is
    read, and again with the form's ``milestone_id`` after it)."""
    if owner.type is OwnerType.opportunity:
        opp = await opportunities.get_visible(session, user, owner.id)
        authorize(user, "opportunity.update", opportunities.owns(user, opp))
        if opp.status in ENDED_OPPORTUNITY:
            raise invalid_state("opportunity", opp.status, "add_document")
    elif owner.type is OwnerType.bid:
        await tenders.changeable_bid(session, user, owner.id)
    elif owner.type is OwnerType.deal:
        deal = await deals.get_deal(session, user, owner.id)
        if not deals.capacities(user, deal) & {"org_party", "buyer_party", "manager", "evaluator"}:
            raise forbidden("只有协议双方、公益管理员和评估方可以上传",
                            "Only the parties, managers and the evaluator may add documents", code="not_allowed")
        if deal.status in ENDED_DEAL:
            raise invalid_state("deal", deal.status, "add_document")
        milestones = {m.id for m in await DealRepository(session).milestones(deal.id)}
        if milestone_id is not None and milestone_id not in milestones:
            raise invalid(["body", "milestone_id"], "该里程碑不属于本协议", "No such milestone on this deal",
                          code="unknown_milestone")
    elif owner.type is OwnerType.organization:
        org = await organizations.get_or_404(session, owner.id)
        if not (user.role == "admin" or user.organization_id == org.id):
            raise forbidden("只有本组织的用户和管理员可以上传", "Only the organization's users and admins may add documents",
                            code="not_allowed")
    else:
        objection, award = await tenders.readable_objection(session, user, await tenders.award_of_objection(session, owner.id),
                                                             owner.id)
        if objection.filed_by != user.id:
            raise forbidden("只有质疑人可以上传证据", "Only the objector may add evidence", code="not_allowed")
        if objection.status != "open":
            raise invalid_state("objection", objection.status, "add_document")
    if milestone_id is not None and owner.type is not OwnerType.deal:
        raise invalid(["body", "milestone_id"], "只有协议的文件可以指定里程碑", "Only a deal's documents name a milestone",
                      code="unknown_milestone")


async def editable(session: AsyncSession, user: User, owner: Owner) -> bool:
    """Whether the owner still takes changes: an opportunity in draft, a bid before the deadline, a
    deal before it is signed, an open objection, an organization's profile."""
    try:
        if owner.type is OwnerType.opportunity:
            return (await opportunities.get_visible(session, user, owner.id)).status == "draft"
        if owner.type is OwnerType.bid:
            await tenders.changeable_bid(session, user, owner.id)
            return True
        if owner.type is OwnerType.deal:
            return (await deals.get_deal(session, user, owner.id)).status == "pending_signatures"
        if owner.type is OwnerType.organization:
            return True
        objection, _ = await tenders.readable_objection(session, user, await tenders.award_of_objection(session, owner.id),
                                                        owner.id)
        return objection.status == "open"
    except ExchangeError:
        return False


async def readable(session: AsyncSession, user: User | None, document_id: uuid.UUID) -> tuple[Document, Owner]:
    """A document whose owner ``user`` may read; every other case — unknown, sealed, not allowed —
    answers exactly as an unknown id does."""
    doc = await DocumentRepository(session).get(document_id)
    if doc is None:
        raise not_found("document")
    try:
        owner = await read_owner(session, user, OwnerType(doc.owner_type), doc.owner_id)
    except ExchangeError as exc:
        if exc.status in (403, 404):
            raise not_found("document") from None
        raise
    return doc, owner


async def delete(session: AsyncSession, user: User, document_id: uuid.UUID) -> None:
    """The uploader deletes a document while its owner is still editable; afterwards it is immutable
    (409 ``document_immutable``: add a correction that ``replaces`` it). The bytes stay while another
    document holds them; unreferenced bytes are removed by the sweep."""
    doc, owner = await readable(session, user, document_id)
    if doc.uploaded_by != user.id:
        raise forbidden("只有上传人可以删除文件", "Only the uploader may delete a document", code="not_uploader")
    if not await editable(session, user, owner):
        raise service.immutable()
    await service.remove(session, user, doc, owner)


async def add(session: AsyncSession, store: DocumentStore, user: User, owner: Owner, received: Received) -> Document:
    """A new document from a spooled upload, if ``user`` may (still) add it to ``owner``."""
    fields = service.check_fields(owner.type, received.fields)
    await may_add(session, user, owner, fields.milestone_id)
    doc = await service.add(session, store, user, owner, received, fields)
    audience = await _audience(session, user, owner)
    if audience is not None:
        events.record(session, events.DocumentAdded(document_id=doc.id, owner_type=owner.type.value, owner_id=owner.id,
                                                    name=doc.filename, audience=audience))
    return doc


async def _audience(session: AsyncSession, user: User, owner: Owner) -> events.Audience | None:
    """Who reads a new document's event: anyone for a published opportunity's or an organization's documents;
    the bidder's organization alone for a bid's (sealed or not: a bid's events are its bidder's); the two parties
    for a deal's; none (no event) for objection evidence, whose uploader is not named in public."""
    if owner.type in (OwnerType.opportunity, OwnerType.organization):
        return events.Audience.everyone() if owner.public else None
    if owner.type is OwnerType.bid:
        return events.Audience.only(organizations=[user.organization_id])
    if owner.type is OwnerType.deal:
        deal = await DealRepository(session).deal(owner.id)
        assert deal is not None
        return events.Audience.only(organizations=[deal.buyer_organization_id, deal.organization_id])
    return None
