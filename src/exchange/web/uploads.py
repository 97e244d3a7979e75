"""A file posted with a page's form, spooled the way the API's upload spools it, for ``documents.flows.add``.

The form (and so the file) is read before the page's service call: the CSRF check needs the form's token first.
A page's upload route path ends in ``/documents``, so the request guard gives it the uploads' size limit."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

from fastapi import Request
from starlette.datastructures import UploadFile

from exchange.documents import flows as documents
from exchange.documents.models import Document
from exchange.documents.service import Owner
from exchange.documents.upload import Received
from exchange.errors import invalid
from exchange.kit.http import Session


async def add_document(request: Request, session: Session, user: object, owner: Owner, upload: object,
                       fields: dict[str, str]) -> Document:
    """Add ``upload`` to ``owner`` with the API's checks (type, content, who may add, deadlines); the spooled
    copy is removed if anything refuses it, and the stored bytes are written only when the request commits."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise invalid(["body", "file"], "请选择要上传的文件", "Choose a file to upload", code="file_required")
    data = await upload.read()
    store = request.app.state.document_store
    path = store.incoming / f"{uuid.uuid4().hex}.part"
    await asyncio.to_thread(path.write_bytes, data)
    received = Received(path=path, filename=upload.filename, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        head=data[:8192], fields=fields)
    try:
        return await documents.add(session, store, user, owner, received)  # type: ignore[arg-type]
    except BaseException:
        received.discard()
        raise
