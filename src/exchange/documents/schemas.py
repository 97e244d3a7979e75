"""The document as the API answers it."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from exchange.documents.models import Document


class DocumentOut(BaseModel):
    """One document's metadata. ``sha256`` is the hex SHA-256 of the bytes (the uploader's receipt)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    owner_type: str
    owner_id: uuid.UUID
    milestone_id: uuid.UUID | None = None
    document_type: str
    title: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    uploaded_by: uuid.UUID | None = Field(None, description="null where the uploader may not be named (an objector)")
    created_at: dt.datetime
    replaces: uuid.UUID | None = None
    url: str = Field(description="where the bytes are: GET this path")


class DocumentList(BaseModel):
    items: list[DocumentOut]


class BidDocumentHash(BaseModel):
    """A bid document as published with its opportunity once bidding has closed: who submitted what,
    provable against the receipt the bidder got at upload."""

    bid_id: uuid.UUID
    organization_id: uuid.UUID
    document_id: uuid.UUID
    document_type: str
    sha256: str
    size_bytes: int
    created_at: dt.datetime


def document_out(doc: Document, *, name_uploader: bool = True) -> DocumentOut:
    """The read model of ``doc``; ``name_uploader=False`` hides who uploaded it (objectors are not named publicly)."""
    return DocumentOut(
        id=doc.id, owner_type=doc.owner_type, owner_id=doc.owner_id, milestone_id=doc.milestone_id,
        document_type=doc.document_type, title=doc.title, filename=doc.filename, content_type=doc.content_type,
        size_bytes=doc.size_bytes, sha256=doc.sha256, uploaded_by=doc.uploaded_by if name_uploader else None,
        created_at=doc.created_at, replaces=doc.replaces, url=f"/api/v1/documents/{doc.id}/content",
    )


def audit_summary(doc: Document) -> dict[str, object]:
    """What the audit log says of a document: enough to prove its bytes (the SHA-256) and find it."""
    return {"document_id": doc.id, "document_type": doc.document_type, "title": doc.title, "filename": doc.filename,
            "content_type": doc.content_type, "size_bytes": doc.size_bytes, "sha256": doc.sha256,
            "milestone_id": doc.milestone_id, "replaces": doc.replaces}


def published_hashes(rows: list[tuple[Document, uuid.UUID, uuid.UUID]]) -> list[BidDocumentHash]:
    """Bid documents as published with their opportunity at the close."""
    return [BidDocumentHash(bid_id=d.owner_id, organization_id=org, document_id=d.id, document_type=d.document_type,
                            sha256=d.sha256, size_bytes=d.size_bytes, created_at=d.created_at) for d, _, org in rows]
