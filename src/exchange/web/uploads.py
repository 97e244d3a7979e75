"""A file posted with a page's form, spooled the way the API's upload spools it, for ``documents.flows.add``.

The form (and so the file) is read before the page's service call: the CSRF check needs the form's token first.
A page's upload route path ends in ``/documents``, so the request guard gives it the uploads' size limit."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path

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
    received = await _spool(upload, request.app.state.document_store.incoming, fields)
    try:
        return await documents.add(session, request.app.state.document_store, user, owner,  # type: ignore[arg-type]
                                   received)
    except BaseException:
        received.discard()
        raise


CHUNK = 1 << 20
HEAD = 8192  # what the type sniffer reads


async def _spool(upload: UploadFile, folder: Path, fields: dict[str, str]) -> Received:
    """Copy the form's file (which the form parser keeps on disk past 1 MiB) to the store's incoming folder a chunk
    at a time, hashing as it goes: never the whole file in memory."""
    path = folder / f"{uuid.uuid4().hex}.part"
    digest, size, head = hashlib.sha256(), 0, b""
    out = await asyncio.to_thread(path.open, "wb")
    try:
        while chunk := await upload.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if len(head) < HEAD:
                head += chunk[:HEAD - len(head)]
            await asyncio.to_thread(out.write, chunk)
    except BaseException:
        await asyncio.to_thread(out.close)
        path.unlink(missing_ok=True)
        raise
    await asyncio.to_thread(out.close)
    return Received(path=path, filename=upload.filename, size=size, sha256=digest.hexdigest(), head=head, fields=fields)
