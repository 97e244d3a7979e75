"""Who may add, read and delete which document — by asking the owner's own domain.

Each owner type answers three questions through its domain's service: may this user read the owner
(the owner's own 404/403 otherwise), may this user add a document to it now, and is it still
editable (only then may an uploader delete a document). A bid is sealed: until bidding closes only
the bidder's organization can reach it, so its documents answer as for an unknown id to everyone
else, and nothing about them is audited until the close (the tender records them then)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.audit import service as audit
from exchange.db import add_pre_commit_hook
from exchange.deals import service as deals
from exchange.deals.repository import DealRepository
from exchange.documents import content
from exchange.documents.models import DOCUMENT_TYPES, Document, OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import audit_summary
from exchange.documents.storage import DocumentStore, key_for
from exchange.documents.upload import Received
from exchange.errors import ExchangeError, forbidden, invalid, invalid_state, not_found
from exchange.kit.clock import now
from exchange.listings.permissions import authorize
from exchange.opportunities import service as opportunities
from exchange.organizations import service as organizations
from exchange.tenders import service as tenders

ENDED_OPPORTUNITY = {"closed", "cancelled", "unsuccessful"}
ENDED_DEAL = {"closed", "terminated"}
STAFF = {"admin", "manager"}


@dataclass
class Owner:
    """An owner as the asking user may see it."""

    type: OwnerType
    id: uuid.UUID
    public: bool  # anyone may read it: its documents' audit events are public
    sealed: bool = False  # a bid before the close: nothing is audited
    name_uploaders: bool = True  # objectors are not named publicly


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


def _check_fields(owner_type: OwnerType, fields: dict[str, str]) -> tuple[str, str | None, uuid.UUID | None, uuid.UUID | None]:
    allowed = DOCUMENT_TYPES[owner_type]
    document_type = fields.get("document_type") or ("evidence" if owner_type is OwnerType.objection else "")
    if document_type not in allowed:
        raise invalid(["body", "document_type"], f"文件类型须为：{'、'.join(allowed)}",
                      f"document_type must be one of: {', '.join(allowed)}", code="invalid_document_type")
    title = (fields.get("title") or "").strip() or None
    if title is not None and (len(title) > 200 or "\x00" in title):
        raise invalid(["body", "title"], "标题过长或含非法字符", "The title is too long or holds a NUL character")
    ids = {}
    for name in ("replaces", "milestone_id"):
        raw = (fields.get(name) or "").strip()
        try:
            ids[name] = uuid.UUID(raw) if raw else None
        except ValueError:
            raise invalid(["body", name], "应为 UUID", "Must be a UUID") from None
    return document_type, title, ids["replaces"], ids["milestone_id"]


async def add(session: AsyncSession, store: DocumentStore, user: User, owner: Owner, received: Received) -> Document:
    """A new document on ``owner`` from the spooled upload: checked, recorded, and its bytes stored
    just before the request commits."""
    document_type, title, replaces, milestone_id = _check_fields(owner.type, received.fields)
    await may_add(session, user, owner, milestone_id)
    if received.path is None:
        raise invalid(["body", "file"], "缺少文件", "The file is missing", code="file_missing")
    if received.size == 0:
        raise invalid(["body", "file"], "文件为空", "The file is empty", code="empty_file")
    kind = content.sniff(received.path, received.head, content.safe_filename(received.filename))
    filename = content.safe_filename(received.filename, kind)
    repo = DocumentRepository(session)
    if replaces is not None:
        old = await repo.get(replaces)
        if old is None or old.owner_type != owner.type.value or old.owner_id != owner.id:
            raise invalid(["body", "replaces"], "被替换的文件不属于此处", "The replaced document is not one of this owner's",
                          code="unknown_document")
    doc = Document(id=uuid.uuid4(), owner_type=owner.type.value, owner_id=owner.id, milestone_id=milestone_id,
                   document_type=document_type, title=title or Path(filename).stem, filename=filename,
                   content_type=kind.content_type, size_bytes=received.size, sha256=received.sha256, uploaded_by=user.id,
                   created_at=now(), replaces=replaces)
    repo.add(doc)
    await repo.flush()
    if not owner.sealed:
        audit.record(session, actor_id=user.id, action="document.added", entity_type=owner.type.value, entity_id=owner.id,
                     public=owner.public, summary=audit_summary(doc))
    path = received.path

    async def store_bytes(_: AsyncSession) -> None:
        try:
            await store.put_file(key_for(doc.sha256), path)
        finally:
            received.discard()

    add_pre_commit_hook(session, store_bytes)  # last: after the audit chain, just before the commit
    event.listen(session.sync_session, "after_rollback", lambda _: received.discard(), once=True)
    return doc


async def add_bytes(session: AsyncSession, store: DocumentStore, user: User, owner_type: OwnerType, owner_id: uuid.UUID,
                    data: bytes, filename: str, **fields: str) -> Document:
    """``add`` for bytes already in hand (the demo loader, imports): the same rules as an upload."""
    owner = await read_owner(session, user, owner_type, owner_id)
    await may_add(session, user, owner)
    path = store.incoming / f"{uuid.uuid4().hex}.part"
    await asyncio.to_thread(path.write_bytes, data)
    received = Received(path=path, filename=filename, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        head=data[:8192], fields=fields)
    try:
        return await add(session, store, user, owner, received)
    except BaseException:
        received.discard()
        raise


async def list_for(session: AsyncSession, owner: Owner) -> list[Document]:
    return list(await DocumentRepository(session).for_owner(owner.type, owner.id))


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
        raise ExchangeError("document_immutable", 409, "文件已不可更改；如需更正，请上传新文件并注明替换",
                            "The document can no longer change; upload a correction that replaces it")
    await DocumentRepository(session).remove(doc)
    if not owner.sealed:
        audit.record(session, actor_id=user.id, action="document.deleted", entity_type=owner.type.value, entity_id=owner.id,
                     public=owner.public, summary={"document_id": doc.id, "sha256": doc.sha256})


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range ``bytes=a-b`` / ``a-`` / ``-n`` of ``header`` as ``[start, end)``; None for the
    whole file (no header, several ranges, or another unit); 416 when it cannot be satisfied."""
    if not header or not header.strip().lower().startswith("bytes=") or "," in header:
        return None
    spec = header.strip()[6:].strip()
    first, sep, last = spec.partition("-")
    if not sep:
        return None
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                raise ValueError
            return max(0, size - n), size
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return None
    if start >= size or end <= start:
        raise ExchangeError("range_not_satisfiable", 416, "请求的字节范围无效", "The requested range cannot be satisfied",
                            headers={"Content-Range": f"bytes */{size}"})
    return start, min(end, size)

