"""Documents over HTTP: upload, list, metadata, download (ETag, Range) and delete, for every owner."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.accounts.models import User
from exchange.documents import content, flows, service
from exchange.documents.models import DOCUMENT_TYPES, OwnerType
from exchange.documents.schemas import DocumentList, DocumentOut, document_out
from exchange.documents.service import Owner
from exchange.documents.storage import DocumentStore, key_for
from exchange.documents.upload import receive
from exchange.errors import problems
from exchange.kit.http import API_PREFIX, Session
from exchange.kit.ids import parse_uuid
from exchange.kit.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["documents"])


def get_store(request: Request) -> DocumentStore:
    return request.app.state.document_store  # type: ignore[no-any-return]


Store = Annotated[DocumentStore, Depends(get_store)]


def _upload_body(owner_type: OwnerType) -> dict[str, Any]:
    props: dict[str, Any] = {
        "file": {"type": "string", "format": "binary",
                 "description": f"the file: {content.ACCEPTED}; the type is decided from the content"},
        "document_type": {"type": "string", "enum": list(DOCUMENT_TYPES[owner_type])},
        "title": {"type": "string", "maxLength": 200, "description": "defaults to the file name"},
        "replaces": {"type": "string", "format": "uuid", "description": "the document this one corrects"},
    }
    if owner_type is OwnerType.deal:
        props["milestone_id"] = {"type": "string", "format": "uuid"}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"] if owner_type is OwnerType.objection else ["file", "document_type"],
        "properties": props}}}}}


UPLOAD_RESPONSES = problems(401, 403, 404, 409, 413, 415, 422)


async def _release(session: AsyncSession) -> None:
    """End the transaction so far — it has only read — before the body streams in, so that no lock
    (SQLite's write lock) and no pooled connection is held while a 20 MiB file arrives over a slow
    network; the request's one write transaction starts after, and commits once."""
    if session.new or session.dirty or session.deleted or session.info.get("pre_commit_hooks"):
        raise RuntimeError("an upload's transaction wrote before its body was read")
    await session.commit()


async def _upload(request: Request, session: AsyncSession, store: DocumentStore, user: User, owner: Owner,
                  response: Response, background: BackgroundTasks) -> DocumentOut:
    await flows.may_add(session, user, owner)
    await _release(session)
    received = await receive(request, store.incoming, request.app.state.settings.max_upload_bytes)
    background.add_task(received.discard)  # after the commit (the bytes are stored by then)
    try:
        doc = await flows.add(session, store, user, owner, received)
    except BaseException:
        received.discard()
        raise
    response.headers["Location"] = f"{API_PREFIX}/documents/{doc.id}"
    response.headers["ETag"] = f'"{doc.sha256}"'
    return document_out(doc)


async def _list(session: Any, owner: Owner) -> DocumentList:
    return DocumentList(items=[document_out(d, name_uploader=owner.name_uploaders)
                               for d in await service.list_for(session, owner)])


def _id(value: str, entity: str) -> uuid.UUID:
    return parse_uuid(value, entity)


# -- opportunities ---------------------------------------------------------------------------------

@router.post("/opportunities/{opportunity_id}/documents", operation_id="addOpportunityDocument", status_code=201,
             response_model=DocumentOut, responses=UPLOAD_RESPONSES, openapi_extra=_upload_body(OwnerType.opportunity))
async def add_opportunity_document(opportunity_id: str, request: Request, user: CurrentUser, session: Session, store: Store,
                                   response: Response, background: BackgroundTasks) -> DocumentOut:
    """Tender documents and clarifications (its buyer, managers); public once the opportunity is published."""
    owner = await flows.read_owner(session, user, OwnerType.opportunity, _id(opportunity_id, "opportunity"))
    return await _upload(request, session, store, user, owner, response, background)


@router.get("/opportunities/{opportunity_id}/documents", operation_id="listOpportunityDocuments",
            response_model=DocumentList, responses=problems(401, 404))
async def list_opportunity_documents(opportunity_id: str, user: OptionalUser, session: Session) -> DocumentList:
    """The opportunity's documents: anyone once it is published; a draft's, whoever may read the draft."""
    owner = await flows.read_owner(session, user, OwnerType.opportunity, _id(opportunity_id, "opportunity"))
    return await _list(session, owner)


# -- bids (sealed) ---------------------------------------------------------------------------------

@router.post("/bids/{bid_id}/documents", operation_id="addBidDocument", status_code=201,
             response_model=DocumentOut, responses=UPLOAD_RESPONSES, openapi_extra=_upload_body(OwnerType.bid))
async def add_bid_document(bid_id: str, request: Request, user: CurrentUser, session: Session, store: Store,
                           response: Response, background: BackgroundTasks) -> DocumentOut:
    """The bidder's proposal, price schedule and qualifications, before the deadline. Sealed: until
    bidding closes nobody else can list, fetch or count them; the `sha256` answered is the receipt."""
    owner = await flows.read_owner(session, user, OwnerType.bid, _id(bid_id, "bid"))
    return await _upload(request, session, store, user, owner, response, background)


@router.get("/bids/{bid_id}/documents", operation_id="listBidDocuments", response_model=DocumentList,
            responses=problems(401, 403, 404))
async def list_bid_documents(bid_id: str, user: CurrentUser, session: Session) -> DocumentList:
    """A bid's documents: the bidder at any time; the buyer, managers and the panel after the close."""
    return await _list(session, await flows.read_owner(session, user, OwnerType.bid, _id(bid_id, "bid")))


# -- deals -----------------------------------------------------------------------------------------

@router.post("/deals/{deal_id}/documents", operation_id="addDealDocument", status_code=201,
             response_model=DocumentOut, responses=UPLOAD_RESPONSES, openapi_extra=_upload_body(OwnerType.deal))
async def add_deal_document(deal_id: str, request: Request, user: CurrentUser, session: Session, store: Store,
                            response: Response, background: BackgroundTasks) -> DocumentOut:
    """Contracts, milestone evidence (`milestone_id`), closing and evaluation reports, supervision
    records, invoices, photos: the parties, managers and the evaluator."""
    owner = await flows.read_owner(session, user, OwnerType.deal, _id(deal_id, "deal"))
    return await _upload(request, session, store, user, owner, response, background)


@router.get("/deals/{deal_id}/documents", operation_id="listDealDocuments", response_model=DocumentList,
            responses=problems(401, 404))
async def list_deal_documents(deal_id: str, user: CurrentUser, session: Session) -> DocumentList:
    """The deal's documents (those of its milestones carry `milestone_id`): whoever may read the deal."""
    return await _list(session, await flows.read_owner(session, user, OwnerType.deal, _id(deal_id, "deal")))


# -- organizations ---------------------------------------------------------------------------------

@router.post("/organizations/{organization_id}/documents", operation_id="addOrganizationDocument", status_code=201,
             response_model=DocumentOut, responses=UPLOAD_RESPONSES, openapi_extra=_upload_body(OwnerType.organization))
async def add_organization_document(organization_id: str, request: Request, user: CurrentUser, session: Session,
                                    store: Store, response: Response, background: BackgroundTasks) -> DocumentOut:
    """Registration certificate, charter, annual reports: the organization's own users and admins."""
    owner = await flows.read_owner(session, user, OwnerType.organization, _id(organization_id, "organization"))
    return await _upload(request, session, store, user, owner, response, background)


@router.get("/organizations/{organization_id}/documents", operation_id="listOrganizationDocuments",
            response_model=DocumentList, responses=problems(401, 404))
async def list_organization_documents(organization_id: str, user: OptionalUser, session: Session) -> DocumentList:
    """An organization's public documents (anyone)."""
    return await _list(session, await flows.read_owner(session, user, OwnerType.organization,
                                                         _id(organization_id, "organization")))


# -- objections ------------------------------------------------------------------------------------

@router.post("/awards/{award_id}/objections/{objection_id}/documents", operation_id="addObjectionDocument",
             status_code=201, response_model=DocumentOut, responses=UPLOAD_RESPONSES,
             openapi_extra=_upload_body(OwnerType.objection))
async def add_objection_document(award_id: str, objection_id: str, request: Request, user: CurrentUser, session: Session,
                                 store: Store, response: Response, background: BackgroundTasks) -> DocumentOut:
    """Evidence for an open objection: the objector only."""
    owner = await flows.read_owner(session, user, OwnerType.objection, _id(objection_id, "objection"),
                                     award_id=_id(award_id, "award"))
    return await _upload(request, session, store, user, owner, response, background)


@router.get("/awards/{award_id}/objections/{objection_id}/documents", operation_id="listObjectionDocuments",
            response_model=DocumentList, responses=problems(401, 404))
async def list_objection_documents(award_id: str, objection_id: str, user: OptionalUser, session: Session) -> DocumentList:
    """An objection's evidence: whoever may read the award (the objector is named only to staff and to itself)."""
    owner = await flows.read_owner(session, user, OwnerType.objection, _id(objection_id, "objection"),
                                     award_id=_id(award_id, "award"))
    return await _list(session, owner)


# -- one document ----------------------------------------------------------------------------------

@router.get("/documents/{document_id}", operation_id="getDocument", response_model=DocumentOut,
            responses=problems(401, 404))
async def get_document(document_id: str, user: OptionalUser, session: Session, response: Response) -> DocumentOut:
    """One document's metadata, for whoever may read its owner (404 for everyone else, as for an unknown id)."""
    doc, owner = await flows.readable(session, user, _id(document_id, "document"))
    response.headers["ETag"] = f'"{doc.sha256}"'
    return document_out(doc, name_uploader=owner.name_uploaders)


def _matches(header: str | None, tag: str) -> bool:
    return header is not None and any(t.strip().removeprefix("W/") in (tag, "*") for t in header.split(","))


@router.get("/documents/{document_id}/content", operation_id="getDocumentContent", response_class=StreamingResponse,
            responses={200: {"description": "The bytes", "content": {"application/octet-stream": {}}},
                       206: {"description": "The requested range"}, 304: {"description": "Not modified (If-None-Match)"},
                       **problems(401, 404, 416)})
async def get_document_content(document_id: str, request: Request, user: OptionalUser, session: Session,
                               store: Store) -> Response:
    """The bytes, streamed, with `Content-Type`, `Content-Disposition` (the UTF-8 file name, RFC 6266 /
    5987), `ETag` = `"sha256"`, and one `Range` (`bytes=a-b`, `a-`, `-n`; honoured with `If-Range`)."""
    doc, _ = await flows.readable(session, user, _id(document_id, "document"))
    tag = f'"{doc.sha256}"'
    headers = {"ETag": tag, "Accept-Ranges": "bytes", "Content-Disposition": content.content_disposition(doc.filename),
               "Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    if_range = request.headers.get("if-range")
    wanted = None if if_range is not None and if_range.strip() != tag else service.byte_range(request.headers.get("range"),
                                                                                                doc.size_bytes)
    start, end = wanted or (0, doc.size_bytes)
    headers["Content-Length"] = str(end - start)
    if wanted is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{doc.size_bytes}"
    return StreamingResponse(store.read(key_for(doc.sha256), start, end), status_code=206 if wanted else 200,
                             media_type=doc.content_type, headers=headers)


@router.delete("/documents/{document_id}", operation_id="deleteDocument", status_code=204,
               responses=problems(401, 403, 404, 409))
async def delete_document(document_id: str, user: CurrentUser, session: Session) -> Response:
    """The uploader deletes a document while its owner is still editable (an opportunity in draft, a bid
    before the deadline, a deal before signing, an open objection, an organization's profile);
    afterwards 409 `document_immutable`: upload a correction with `replaces`."""
    await flows.delete(session, user, _id(document_id, "document"))
    return Response(status_code=204)

