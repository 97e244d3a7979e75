"""The rules of a document itself: its form fields, its type decided from its bytes, its row, its
audit event, and its bytes stored just before the request commits. Who may add, read or delete a
document on which owner is asked of the owner's domain in :mod:`exchange.documents.flows`.

A bid's documents are sealed (``Owner.sealed``): nothing about them is audited until the close,
when the tender records them."""

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
from exchange.documents import content
from exchange.documents.models import DOCUMENT_TYPES, Document, OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import audit_summary
from exchange.documents.storage import DocumentStore, key_for
from exchange.documents.upload import Received
from exchange.errors import ExchangeError, invalid
from exchange.kit.clock import now


@dataclass
class Owner:
    """An owner as the asking user may see it."""

    type: OwnerType
    id: uuid.UUID
    public: bool  # anyone may read it: its documents' audit events are public
    sealed: bool = False  # a bid before the close: nothing is audited
    name_uploaders: bool = True  # objectors are not named publicly


@dataclass
class Fields:
    """The upload form's text fields, checked."""

    document_type: str
    title: str | None
    replaces: uuid.UUID | None
    milestone_id: uuid.UUID | None


def check_fields(owner_type: OwnerType, fields: dict[str, str]) -> Fields:
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
    return Fields(document_type, title, ids["replaces"], ids["milestone_id"])


async def add(session: AsyncSession, store: DocumentStore, user: User, owner: Owner, received: Received,
              fields: Fields) -> Document:
    """A new document on ``owner`` (which ``user`` may add to: the caller asked) from the spooled
    upload: its type checked, recorded, audited unless sealed, and its bytes stored just before the
    request commits."""
    document_type, title, replaces, milestone_id = fields.document_type, fields.title, fields.replaces, fields.milestone_id
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


async def add_bytes(session: AsyncSession, store: DocumentStore, user: User, owner: Owner, data: bytes, filename: str,
                    **raw_fields: str) -> Document:
    """``add`` for bytes already in hand, by a trusted loader (the demo) that knows ``user`` may add
    them to ``owner``: the same checks of the fields and the content as an upload."""
    fields = check_fields(owner.type, raw_fields)
    path = store.incoming / f"{uuid.uuid4().hex}.part"
    await asyncio.to_thread(path.write_bytes, data)
    received = Received(path=path, filename=filename, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        head=data[:8192], fields=raw_fields)
    try:
        return await add(session, store, user, owner, received, fields)
    except BaseException:
        received.discard()
        raise


async def list_for(session: AsyncSession, owner: Owner) -> list[Document]:
    return list(await DocumentRepository(session).for_owner(owner.type, owner.id))


async def remove(session: AsyncSession, user: User, doc: Document, owner: Owner) -> None:
    """Delete ``doc`` (the caller checked that ``user`` uploaded it and the owner is editable); its bytes
    stay while another document holds them, and the sweep removes them otherwise."""
    await DocumentRepository(session).remove(doc)
    if not owner.sealed:
        audit.record(session, actor_id=user.id, action="document.deleted", entity_type=owner.type.value, entity_id=owner.id,
                     public=owner.public, summary={"document_id": doc.id, "sha256": doc.sha256})


def immutable() -> ExchangeError:
    return ExchangeError("document_immutable", 409, "文件已不可更改；如需更正，请上传新文件并注明替换",
                         "The document can no longer change; upload a correction that replaces it")


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

