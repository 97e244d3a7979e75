"""What the public sees of the tender and deals: notices (公示), the OCDS feed, aggregate figures.

Nothing here reads a bid before its opportunity's bidding has closed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.deals.models import Deal
from exchange.deals.repository import DealRepository
from exchange.documents.models import Document, OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.kit.clock import now
from exchange.opportunities.models import Opportunity
from exchange.organizations.models import Organization
from exchange.tenders import service as tenders
from exchange.tenders.repository import TenderRepository

OCID_PREFIX = "ocds-exchange"
# Our document types in OCDS's documentType codelist (the others are published without a type).
OCDS_DOCUMENT_TYPE = {"notice": "tenderNotice", "bidding_documents": "biddingDocuments",
                      "technical_specifications": "technicalSpecifications", "evaluation_criteria": "evaluationCriteria",
                      "clarifications": "clarifications"}
TENDER_STATUS = {"published": "active", "bidding_closed": "active", "under_review": "active", "awarded": "active",
                 "contracted": "complete", "closed": "complete", "cancelled": "cancelled", "unsuccessful": "unsuccessful"}
AWARD_STATUS = {"standstill": "pending", "final": "active", "cancelled": "cancelled"}
CONTRACT_STATUS = {"pending_signatures": "pending", "active": "active", "delivered": "active", "evaluated": "active",
                   "closed": "terminated", "terminated": "terminated"}


NOTICE_KINDS = ("award", "evaluation", "deal_closed")
NoticeKey = tuple[str, uuid.UUID, dt.datetime]  # (kind, id, at)


async def notice_keys(session: AsyncSession, kinds: Sequence[str], after: Sequence[Any] | None,
                      limit: int) -> list[NoticeKey]:
    """The keys of the tender and deal notices, newest first (``after``: the previous page's last (at, kind, id))."""
    return await DealRepository(session).notice_keys(kinds, after, limit)


async def notice_items(session: AsyncSession, keys: Sequence[NoticeKey]) -> dict[tuple[str, uuid.UUID], dict[str, Any]]:
    """The notices of ``keys`` by (kind, id): awards (in standstill — `on_notice` —, then final or
    cancelled: they stay on the board), evaluations and closed deals. Awards are shown as at the
    application clock (a standstill that ended is final) without writing it."""
    repo, deals = TenderRepository(session), DealRepository(session)
    award_ids = [i for k, i, _ in keys if k == "award"]
    awards = {a.id: a for a in [await repo.award(i) for i in award_ids] if a is not None}
    await tenders.settle(session, awards=list(awards.values()))
    opps = {o.id: o for o in [await repo.opportunity(a.opportunity_id) for a in awards.values()] if o is not None}
    orgs = await repo.organizations([a.organization_id for a in awards.values()])
    bid_docs = await DocumentRepository(session).for_owners(OwnerType.bid, [a.bid_id for a in awards.values()])
    deal_rows = await deals.deals_by_id([i for k, i, _ in keys if k != "award"])
    items: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    for kind, id_, _at in keys:
        if kind == "award" and id_ in awards:
            a = awards[id_]
            items[kind, id_] = {
                "kind": "award", "id": a.id, "at": a.created_at, "status": a.status, "opportunity_id": a.opportunity_id,
                "title": opps[a.opportunity_id].title if a.opportunity_id in opps else None, "bid_id": a.bid_id,
                "organization_id": a.organization_id,
                "organization_name": getattr(orgs.get(a.organization_id), "name", None), "price_fen": a.price_fen,
                "standstill_ends_at": a.standstill_ends_at, "cancelled": a.status == "cancelled",
                "on_notice": a.status == "standstill",
                "bid_documents": [{"document_id": d.id, "document_type": d.document_type, "sha256": d.sha256,
                                   "size_bytes": d.size_bytes} for d in bid_docs[a.bid_id]]}
        elif kind == "evaluation" and id_ in deal_rows and deal_rows[id_].evaluation:
            d = deal_rows[id_]
            items[kind, id_] = {"kind": "evaluation", "id": d.id, "deal_id": d.id, "title": d.title,
                                "at": d.evaluated_at, "organization_id": d.organization_id,
                                "grade": d.evaluation["grade"], "total": d.evaluation["total"]}
        elif kind == "deal_closed" and id_ in deal_rows:
            d = deal_rows[id_]
            items[kind, id_] = {"kind": "deal_closed", "id": d.id, "deal_id": d.id, "title": d.title, "at": d.closed_at,
                                "organization_id": d.organization_id, "amount_fen": d.amount_fen}
    return items


DELIVERED = ("delivered", "evaluated", "closed")


async def delivered_by(session: AsyncSession, organization_id: uuid.UUID, limit: int = 50) -> list[dict[str, Any]]:
    """An organization's delivered deals as the public sees them (the notices' facts: title, amount, status,
    evaluation grade and people served), newest first."""
    out = []
    for d in await DealRepository(session).of_organization(organization_id, DELIVERED, limit):
        evaluation = d.evaluation or {}
        out.append({"id": d.id, "title": d.title, "status": d.status, "amount_fen": d.amount_fen,
                    "grade": evaluation.get("grade"), "total": evaluation.get("total"),
                    "people_served": (d.closing_report or {}).get("people_served"),
                    "at": d.closed_at or d.evaluated_at or d.updated_at})
    return out


def _yuan(fen: int) -> float:
    return round(fen / 100, 2)


def _party(org: Organization | None, org_id: uuid.UUID, role: str) -> dict[str, Any]:
    return {"id": str(org_id), "name": org.name if org else str(org_id), "roles": [role]}


def _ocds_document(doc: Document, api_root: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(doc.id), "title": doc.title, "url": f"{api_root}/documents/{doc.id}/content",
                           "datePublished": doc.created_at.isoformat(), "format": doc.content_type, "language": "zh"}
    if doc.document_type in OCDS_DOCUMENT_TYPE:
        out["documentType"] = OCDS_DOCUMENT_TYPE[doc.document_type]
    return out


async def _release(session: AsyncSession, opp: Opportunity, orgs: dict[uuid.UUID, Organization],
                   deals: list[Deal], documents: list[Document], api_root: str) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": str(opp.id), "title": opp.title, "description": opp.description,
        "status": TENDER_STATUS.get(opp.status, "active"),
        "value": {"amount": _yuan(opp.budget_fen), "currency": "CNY"},
        "procurementMethod": "open", "mainProcurementCategory": "services", "awardCriteria": "ratedCriteria",
        "procuringEntity": {"id": str(opp.buyer_organization_id),
                            "name": getattr(orgs.get(opp.buyer_organization_id), "name", "")},
    }
    if opp.bid_deadline is not None:
        tender["tenderPeriod"] = {"endDate": opp.bid_deadline.isoformat()}
    if documents:
        tender["documents"] = [_ocds_document(d, api_root) for d in documents]
    parties = {str(opp.buyer_organization_id): _party(orgs.get(opp.buyer_organization_id), opp.buyer_organization_id,
                                                        "buyer")}
    tags, awards_out, contracts = ["tender"], [], []
    if tenders.is_closed(opp):  # never anything about bids before the close
        tender["numberOfTenderers"] = len(await tenders.eligible_bids(session, opp))
        for a in await TenderRepository(session).awards_of(opp.id):
            parties.setdefault(str(a.organization_id), _party(orgs.get(a.organization_id), a.organization_id, "supplier"))
            awards_out.append({"id": str(a.id), "status": AWARD_STATUS[a.status], "date": a.created_at.isoformat(),
                               "value": {"amount": _yuan(a.price_fen), "currency": "CNY"},
                               "suppliers": [{"id": str(a.organization_id), "name": parties[str(a.organization_id)]["name"]}]})
        for d in deals:
            if d.award_id is None:
                continue
            c: dict[str, Any] = {"id": str(d.id), "awardID": str(d.award_id), "title": d.title,
                                 "status": CONTRACT_STATUS[d.status], "value": {"amount": _yuan(d.amount_fen), "currency": "CNY"}}
            if d.activated_at is not None:
                c["dateSigned"] = d.activated_at.isoformat()
            contracts.append(c)
    if awards_out:
        tags.append("award")
    if contracts:
        tags.append("contract")
    release: dict[str, Any] = {
        "ocid": f"{OCID_PREFIX}-{opp.id}", "id": f"{opp.id}-{opp.version}", "date": opp.updated_at.isoformat(),
        "tag": tags, "initiationType": "tender", "language": "zh",
        "buyer": {"id": str(opp.buyer_organization_id), "name": parties[str(opp.buyer_organization_id)]["name"]},
        "parties": list(parties.values()), "tender": tender,
    }
    if awards_out:
        release["awards"] = awards_out
    if contracts:
        release["contracts"] = contracts
    return release


async def ocds_package(session: AsyncSession, base_uri: str, limit: int = 500, api_root: str = "") -> dict[str, Any]:
    """An OCDS 1.1 release package of published opportunities with their awards, contracts and tender
    documents (``api_root`` makes the documents' absolute URLs)."""
    repo = TenderRepository(session)
    opps = list(await repo.published_opportunities(limit))
    await tenders.settle_awards_of(session, opps)  # as at the application clock
    ids: set[uuid.UUID] = {o.buyer_organization_id for o in opps}
    awards = await repo.awards_visible_after_close([o.id for o in opps if tenders.is_closed(o)])
    ids |= {a.organization_id for a in awards}
    orgs = await repo.organizations(list(ids))
    documents = await DocumentRepository(session).for_owners(OwnerType.opportunity, [o.id for o in opps])
    by_opp: dict[uuid.UUID, list[Deal]] = {}
    for d in await DealRepository(session).for_opportunities([o.id for o in opps]):
        by_opp.setdefault(d.opportunity_id, []).append(d)  # type: ignore[arg-type]
    return {
        "uri": base_uri, "version": "1.1", "publishedDate": now().isoformat(),
        "publisher": {"name": "社会服务交易中心 Social service exchange"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "releases": [await _release(session, o, orgs, by_opp.get(o.id, []), documents[o.id], api_root) for o in opps],
    }


async def deal_stats(session: AsyncSession) -> dict[str, Any]:
    """Public aggregates of deals (never anything about sealed bids)."""
    deals = list(await DealRepository(session).all_deals())
    milestones = await DealRepository(session).milestones_of([d.id for d in deals])
    signed = [d for d in deals if d.activated_at is not None]
    return {
        "deals": len(deals),
        "by_status": dict(Counter(d.status for d in deals)),
        "by_kind": dict(Counter(d.kind for d in deals)),
        "contracted_fen": sum(d.amount_fen for d in signed),
        "paid_fen": sum(m.amount_fen for ms in milestones.values() for m in ms if m.tranche == "paid"),
        "evaluations": dict(Counter(d.evaluation["grade"] for d in deals if d.evaluation)),
        "people_served": sum(int((d.closing_report or {}).get("people_served", 0)) for d in deals),
    }
