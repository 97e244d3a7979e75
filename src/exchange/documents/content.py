"""What a file is, decided from its bytes; safe file names; the download headers.

The signature is read by ``puremagic`` (a maintained, pure-Python signature database). PDF, JPEG,
PNG and WebP are told by their signature alone. OFD, DOCX and XLSX are all zip containers, so their
central directory (read, never inflated) must hold the part that defines them; DOC and XLS are
both OLE2 compound files, told apart by their streams (``olefile``). Anything else is refused,
and so is a name whose extension says another type than the content.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import olefile
import puremagic

from exchange.errors import ExchangeError


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {k.name: k for k in (
    Kind("pdf", "application/pdf", (".pdf",)),
    Kind("ofd", "application/ofd", (".ofd",)),
    Kind("doc", "application/msword", (".doc",)),
    Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    Kind("xls", "application/vnd.ms-excel", (".xls",)),
    Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    Kind("jpeg", "image/jpeg", (".jpg", ".jpeg")),
    Kind("png", "image/png", (".png",)),
    Kind("webp", "image/webp", (".webp",)),
)}
ACCEPTED = "PDF, OFD, DOC/DOCX, XLS/XLSX, JPEG, PNG, WebP"
# Families of puremagic's answers; zip and OLE containers are looked into.
_FAMILY = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}
_ZIP_EXTENSIONS = {".zip", ".docx", ".xlsx", ".pptx", ".xlsb", ".jar", ".odt", ".ods", ".epub", ".apk", ".ofd"}
_OLE_EXTENSIONS = {".doc", ".xls", ".ppt", ".msi", ".msg", ".ole"}
# A container whose parts would inflate beyond these is refused (a zip bomb dressed as a document).
MAX_INFLATED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200


def unsupported(zh: str = "", en: str = "") -> ExchangeError:
    return ExchangeError(
        "unsupported_media_type", 415, zh or f"文件类型不受支持，仅接受 {ACCEPTED}",
        en or f"The file type is not accepted; only {ACCEPTED}",
    )


def _family(head: bytes) -> str | None:
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    if not matches:
        return None
    best = max(m.confidence for m in matches)
    top = [m for m in matches if m.confidence >= best]
    for m in top:
        if m.mime_type in _FAMILY:
            return _FAMILY[m.mime_type]
    if any(m.extension.lower() in _ZIP_EXTENSIONS for m in top) and head.startswith(b"PK\x03\x04"):
        return "zip"
    if any(m.extension.lower() in _OLE_EXTENSIONS for m in top) and head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return None


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    inflated = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if inflated > MAX_INFLATED_BYTES or inflated > MAX_RATIO * packed + 1024 * 1024:
        raise unsupported("压缩内容解压后过大，不予接受", "The compressed parts would inflate too far; not accepted")
    names = {i.filename for i in infos}
    if "OFD.xml" in names:
        return "ofd"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _ole_kind(path: Path) -> str | None:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except (OSError, ValueError, olefile.olefile.NotOleFileError):
        return None
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    return None


def sniff(path: Path, head: bytes, filename: str) -> Kind:
    """The accepted kind of the file at ``path`` (``head`` = its first bytes), or 415."""
    family = _family(head)
    name = {"zip": _zip_kind, "ole": _ole_kind}[family](path) if family in ("zip", "ole") else family
    if name is None:
        raise unsupported()
    kind = KINDS[name]
    ext = Path(filename).suffix.lower()
    if ext and ext not in kind.extensions:
        raise unsupported(f"文件内容为 {name.upper()}，与扩展名「{ext}」不符",
                          f"The content is {name.upper()}, which disagrees with the extension '{ext}'")
    return kind


_UNSAFE = re.compile(r'[\\/:*?"<>|]')


def safe_filename(raw: str | None, kind: Kind | None = None, limit: int = 200) -> str:
    """The last path segment of ``raw`` without control or path characters, NFC-normalized, at most
    ``limit`` characters (the extension kept); the kind's extension is added when there is none."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip()
    stem, ext = (name.rsplit(".", 1)[0], "." + name.rsplit(".", 1)[1]) if "." in name else (name, "")
    if len(ext) > 10 or ext.strip() != ext:
        stem, ext = name, ""
    stem = stem.strip(" .")
    if not stem:
        stem = "document"
    if not ext and kind is not None:
        ext = kind.extensions[0]
    return stem[: max(1, limit - len(ext))] + ext


def content_disposition(filename: str, inline: bool = False) -> str:
    """RFC 6266 with an ASCII fallback and the UTF-8 name as RFC 5987 ``filename*``."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%' else "_" for ch in filename) or "document"
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
