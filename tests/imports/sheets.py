"""Helpers that build the files people upload: workbooks (XlsxWriter, as Excel would save them) and CSV."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

import httpx
import xlsxwriter
from fastapi import FastAPI
from python_calamine import CalamineWorkbook

from tests.builders import run_jobs


def xlsx(rows: Sequence[Sequence[Any]], *, sheet: str = "Sheet1", setup: Any = None, extra_sheets: Sequence[str] = (),
         hidden: Sequence[str] = ()) -> bytes:
    """A workbook whose first sheet holds ``rows``; ``setup(book, sheet)`` may add merged cells, formulas …"""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                ws.write(r, c, value)
    for name in extra_sheets:
        other = book.add_worksheet(name)
        other.write(0, 0, "x")
        if name in hidden:
            other.hide()
    if setup is not None:
        setup(book, ws)
    book.close()
    return out.getvalue()


def with_macros(content: bytes) -> bytes:
    """The same workbook with a VBA project inside, as Excel saves an .xlsm."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 508)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def read_xlsx(content: bytes, sheet: int = 0) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(sheet).to_python()


async def upload(client: httpx.AsyncClient, headers: dict[str, str], kind: str, content: bytes, *,
                 filename: str = "data.xlsx", dry_run: bool = True) -> httpx.Response:
    return await client.post("/imports", headers=headers, data={"kind": kind, "dry_run": str(dry_run).lower()},
                             files={"file": (filename, content)})


async def run(app: FastAPI, client: httpx.AsyncClient, headers: dict[str, str], kind: str, content: bytes, *,
              filename: str = "data.xlsx", dry_run: bool = True) -> dict[str, Any]:
    """Upload, let the job runner run the import, then read it."""
    response = await upload(client, headers, kind, content, filename=filename, dry_run=dry_run)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    await run_jobs(app)
    done = await client.get(f"/imports/{response.json()['id']}", headers=headers)
    assert done.status_code == 200, done.text
    return done.json()
