"""Real files of every accepted type, and hostile ones, made in memory for the tests."""

from __future__ import annotations

import io
import zipfile
import zlib
from functools import cache

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas


@cache
def pdf(text: str = "居家养老助餐服务项目投标文件") -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setFont("STSong-Light", 16)
    c.drawString(72, 760, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def image(fmt: str, color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buf, fmt)
    return buf.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def docx() -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": "<w:document>服务方案</w:document>".encode()})


def xlsx() -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def ofd() -> bytes:
    return zip_of({"OFD.xml": "<ofd:OFD>电子公文</ofd:OFD>".encode(), "Doc_0/Document.xml": b"<ofd:Document/>"})


def plain_zip() -> bytes:
    return zip_of({"readme.txt": b"not a document"})


def exe() -> bytes:
    """A Windows executable's headers (DOS stub and PE signature)."""
    dos = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44)
    dos[0x3C:0x40] = (0x80).to_bytes(4, "little")
    return bytes(dos) + b"\x00" * (0x80 - len(dos)) + b"PE\x00\x00\x4c\x01" + b"\x00" * 200


def pdf_bomb(inflated: int = 64 * 1024 * 1024) -> bytes:
    """A PDF whose one stream inflates to ``inflated`` bytes: stored and served as it is, never inflated."""
    stream = zlib.compress(b"\x00" * inflated, 9)
    return (b"%PDF-1.7\n1 0 obj\n<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + stream + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def docx_bomb() -> bytes:
    """A DOCX whose parts inflate a thousandfold."""
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * (40 * 1024 * 1024)})
