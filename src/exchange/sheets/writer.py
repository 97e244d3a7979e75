"""Writing sheets: XlsxWriter and rustpy-xlsxwriter, and CSV.

The exports of whole lists (:class:`XlsxStream`) are written by rustpy-xlsxwriter, Python's binding of
rust_xlsxwriter (the Rust port of XlsxWriter, by XlsxWriter's author), in its constant-memory mode: each row goes
to a temporary file as soon as it is written, so a 100,000-row export holds a page of rows in memory, not the sheet.
XlsxWriter, pure Python, spent about 9 µs a cell there (13 s for 100,000 offers of 13 columns); rust_xlsxwriter
writes the same sheet in under 2 s. XlsxWriter still writes every workbook that fits in memory, the templates and
the statistics tables, which need its data validation lists, comments and merged title rows. (openpyxl can write
styles too, but keeps every cell of a sheet in memory until it saves, unless in write-only mode, where it loses
most of what the templates need.) Reading is python-calamine's job (:mod:`exchange.sheets.reader`).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import rustpy_xlsxwriter
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from exchange.sheets.values import CHINA, excel_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CHUNK = 64 * 1024


def _formats(book: Workbook) -> dict[str, Any]:
    return {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                   "valign": "vcenter"}),
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "subtitle": book.add_format({"italic": True, "font_color": "#595959"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "example": book.add_format({"font_color": "#7F7F7F", "italic": True}),
        "int": book.add_format({"num_format": "#,##0", "border": 1}),
        "cell": book.add_format({"border": 1}),
        "percent": book.add_format({"num_format": "0.0%", "border": 1}),
        "total": book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "num_format": "#,##0"}),
        "total_label": book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"}),
        "total_percent": book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "num_format": "0.0%"}),
        "money_cell": book.add_format({"num_format": "#,##0.00", "border": 1}),
        "total_money": book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "num_format": "#,##0.00"}),
    }


def _naive(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: moments are written in China time (UTC+8), as the offices read them."""
    if value.tzinfo is None:
        return value
    return value.astimezone(CHINA).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in fen, shown in yuan with two decimals."""

    fen: int

    def __str__(self) -> str:
        return f"{self.fen // 100}.{self.fen % 100:02d}" if self.fen >= 0 else f"-{Money(-self.fen)}"


# -- streamed sheets: the exports of whole lists ------------------------------------------------------------

# How a column's numbers are shown: amounts in yuan, moments and days. Everything else is text or a plain number.
ColumnKind = Literal["money", "datetime", "date"] | None
NUMBER_FORMATS = {"money": "#,##0.00", "datetime": "yyyy-mm-dd hh:mm:ss", "date": "yyyy-mm-dd"}
EXCEL_EPOCH = dt.datetime(1899, 12, 31)  # day 1; Excel's day 60 is 1900-02-29, which never was
HANDOFF_TIMEOUT = 600.0  # seconds the writer waits for a page before it gives up (the request is gone)
# Sheet writers hold a thread for a whole export: threads of their own, not the event loop's default pool that
# file reads and writes share; more exports at once wait for one (each keeps a core busy anyway).
_WRITERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="xlsx-writer")


def excel_serial(value: dt.date) -> float:
    """A day or a moment (in China time) as Excel's serial number, computed as XlsxWriter does."""
    moment = _naive(value) if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    delta = moment - EXCEL_EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / (60 * 60 * 24)
    # XlsxWriter wrote 16 significant digits: so do we, so that a moment reads back as it did (to the millisecond).
    return float(f"{serial + 1 if serial > 59 else serial:.16g}")


EXCEL_TEXT_MAX = 32_767  # characters in a cell; XlsxWriter cut longer texts there, rust_xlsxwriter refuses them


def _xlsx_str(value: str) -> str | None:
    """Text, never a formula, whatever it begins with; an empty text is no cell at all."""
    return (value[:EXCEL_TEXT_MAX] if len(value) > EXCEL_TEXT_MAX else value) or None


def _xlsx_text(value: Any) -> str | None:
    return _xlsx_str(str(value))


# A cell's value by its type: text, numbers, yes / no, and days and moments as serial numbers (the column's
# format shows them).
_XLSX_CELLS: dict[type, Callable[[Any], Any]] = {
    str: _xlsx_str,
    int: lambda v: v,
    float: lambda v: v,
    bool: lambda v: "是" if v else "否",
    Money: lambda v: v.fen / 100,
    dt.datetime: excel_serial,
    dt.date: excel_serial,
    type(None): lambda v: None,
}


def xlsx_value(value: Any) -> Any:
    return _XLSX_CELLS.get(type(value), _xlsx_text)(value)


class _Stopped(Exception):
    """The response was abandoned while its sheet was being written."""


_END = object()


class XlsxStream:
    """One sheet written in constant memory to a temporary file while its pages are read, then read back in chunks.

    rustpy-xlsxwriter writes the sheet in a worker thread from an iterator of rows; the rows come from the event
    loop a page at a time through a hand-off of one page, so the next page is read while one is written and no
    more than three pages are held (one written, one waiting, one being read). ``kinds`` says which columns hold
    amounts, moments or days."""

    def __init__(self, sheet_name: str, headers: Sequence[str], kinds: Sequence[ColumnKind],
                 widths: Sequence[int] | None = None) -> None:
        if len(set(headers)) != len(headers) or len(kinds) != len(headers):
            raise ValueError("one kind per column, and no header twice (rows are keyed by header)")
        handle, self.path = tempfile.mkstemp(suffix=".xlsx", prefix="exchange-export-")
        os.close(handle)
        self.sheet_name = sheet_name[:31]
        self.headers = list(headers)
        self.kinds = list(kinds)
        self.widths = [(widths[i] if widths else None) or max(10, min(40, len(h) * 2 + 2)) for i, h in enumerate(headers)]
        self.abandoned = False

    async def write(self, pages: AsyncIterator[list[Sequence[Any]]]) -> None:
        """Write every page of rows; a page that cannot be read stops the writer with the page's error."""
        loop = asyncio.get_running_loop()
        handoff: asyncio.Queue[Any] = asyncio.Queue(maxsize=1)

        async def produce() -> None:
            try:
                async for page in pages:
                    await handoff.put(page)
            except Exception as exc:
                await handoff.put(exc)
            else:
                await handoff.put(_END)

        def next_page() -> Any:
            return asyncio.run_coroutine_threadsafe(handoff.get(), loop).result(HANDOFF_TIMEOUT)

        producer = asyncio.create_task(produce())
        try:
            await loop.run_in_executor(_WRITERS, self._write, self._records(next_page))
        except BaseException:
            # The writer failed, or the response is gone while the writer may still run: it stops at its next
            # page, and deletes its file itself if it ends after this.
            self.abandoned = True
            producer.cancel()
            while not handoff.empty():
                handoff.get_nowait()
            handoff.put_nowait(_Stopped())
            raise
        finally:
            producer.cancel()

    def _records(self, next_page: Callable[[], Any]) -> Iterator[dict[str, Any]]:
        headers, written = self.headers, False
        while (page := next_page()) is not _END:
            if isinstance(page, BaseException):
                raise page
            for values in page:
                yield dict(zip(headers, map(xlsx_value, values), strict=True))
                written = True
        if not written:
            yield dict.fromkeys(headers)  # an empty list still has its header row: blanks write no cells

    def _write(self, records: Iterator[dict[str, Any]]) -> None:
        header = (rustpy_xlsxwriter.Format().set_bold().set_background_color("#DDEBF7").set_border("thin")
                  .set_text_wrap().set_align("vcenter"))
        formats = {h: rustpy_xlsxwriter.Format().set_num_format(NUMBER_FORMATS[k])
                   for h, k in zip(self.headers, self.kinds, strict=True) if k}
        try:
            rustpy_xlsxwriter.write_worksheet(records, self.path, sheet_name=self.sheet_name, freeze_row=1,
                                              freeze_col=0, header_format=header, column_formats=formats,
                                              column_widths=list(map(float, self.widths)))
        finally:
            if self.abandoned:  # no one will read or delete it
                self.discard()

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            with open(self.path, "rb") as handle:  # noqa: ASYNC230 — local temporary file, read in 64 KiB chunks
                while chunk := handle.read(CHUNK):
                    yield chunk
        finally:
            self.discard()

    def discard(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def csv_line(values: Sequence[Any]) -> bytes:
    return csv_lines([values])


def csv_lines(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as CSV lines (CRLF), one writer for all of them."""
    buffer = io.StringIO()
    cells = _CSV_CELLS.get
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [cells(type(v), _csv_text)(v) for v in values] for values in rows)
    return buffer.getvalue().encode("utf-8")


CSV_BOM = b"\xef\xbb\xbf"


def _csv_text(value: Any) -> str:
    return excel_text(str(value))


def _csv_moment(value: dt.datetime) -> str:
    return _naive(value).strftime("%Y-%m-%d %H:%M:%S")


# A cell's text by its value's type; any other text is guarded against being run as a formula.
_CSV_CELLS: dict[type, Callable[[Any], str]] = {
    str: excel_text,
    type(None): lambda v: "",
    bool: lambda v: "是" if v else "否",
    dt.datetime: _csv_moment,
    dt.date: dt.date.isoformat,
    Money: str,
    int: str,
    float: str,
}


# -- the workbooks that fit in memory: templates and statistics tables ------------------------------------

@dataclass
class Table:
    """A statistics table as an office sends it: title row, unit and date line, header, rows, totals."""

    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    unit: str = "单位：个"
    as_of: dt.datetime | None = None
    totals: list[list[Any]] = field(default_factory=list)  # bold rows under the table (合计, 占比 …)
    percent_columns: set[int] = field(default_factory=set)
    percent_totals: set[int] = field(default_factory=set)  # indexes of ``totals`` rows that hold shares
    money_columns: set[int] = field(default_factory=set)
    note: str = ""


def tables_workbook(tables: Sequence[Table]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fmt = _formats(book)
    for table in tables:
        _write_table(book.add_worksheet(table.name[:31]), table, fmt)
    book.close()
    return out.getvalue()


def _write_table(sheet: Worksheet, table: Table, fmt: dict[str, Any]) -> None:
    last = max(len(table.headers) - 1, 0)
    sheet.merge_range(0, 0, 0, last, table.title, fmt["title"]) if last else sheet.write(0, 0, table.title, fmt["title"])
    sheet.set_row(0, 28)
    as_of = _naive(table.as_of).strftime("%Y年%m月%d日 %H:%M") if table.as_of else ""
    sheet.write_string(1, 0, f"{table.unit}    数据截至：{as_of}", fmt["subtitle"])
    for i, header in enumerate(table.headers):
        sheet.write_string(2, i, header, fmt["header"])
        sheet.set_column(i, i, max(10, min(36, len(header) * 2 + 4)))
    row = 3
    for values in table.rows:
        _write_values(sheet, row, values, table, fmt, total=False)
        row += 1
    for i, values in enumerate(table.totals):
        _write_values(sheet, row, values, table, fmt, total=True, percent=i in table.percent_totals)
        row += 1
    if table.note:
        sheet.write_string(row + 1, 0, table.note, fmt["subtitle"])
    sheet.freeze_panes(3, 1)


def _write_values(sheet: Worksheet, row: int, values: list[Any], table: Table, fmt: dict[str, Any], *, total: bool,
                  percent: bool = False) -> None:
    for col, value in enumerate(values):
        if (percent or col in table.percent_columns) and isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, col, value, fmt["total_percent" if total else "percent"])
        elif col in table.money_columns and isinstance(value, int):
            sheet.write_number(row, col, value / 100, fmt["total_money" if total else "money_cell"])
        elif isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, col, value, fmt["total" if total else "int"])
        elif isinstance(value, dt.datetime):
            sheet.write_string(row, col, _naive(value).strftime("%Y-%m-%d %H:%M:%S"), fmt["cell"])
        else:
            sheet.write_string(row, col, "" if value is None else str(value), fmt["total_label" if total else "cell"])


@dataclass
class TemplateColumn:
    header: str
    note: str
    example: Any
    choices_range: str | None = None  # e.g. "=说明!$G$3:$G$17"
    boolean: bool = False


@dataclass
class Vocabulary:
    title: str
    items: list[tuple[str, str]]  # (code, Chinese label)


def template_workbook(sheet_name: str, columns: Sequence[TemplateColumn], vocabularies: Sequence[Vocabulary],
                      column_guide: Sequence[tuple[str, str, str, str]], intro: str) -> bytes:
    """A data sheet (headers, an example row, validation lists) and 说明 (columns and every allowed code)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fmt = _formats(book)
    data = book.add_worksheet(sheet_name[:31])
    guide = book.add_worksheet("说明")
    ranges = _write_guide(guide, vocabularies, column_guide, intro, fmt)
    for i, col in enumerate(columns):
        data.set_column(i, i, max(12, min(36, len(col.header) * 2 + 4)))
        data.write_string(0, i, col.header, fmt["header"])
        if col.note:
            data.write_comment(0, i, col.note, {"x_scale": 2})
        if col.example not in (None, ""):
            if isinstance(col.example, int | float):
                data.write_number(1, i, col.example, fmt["example"])
            else:
                data.write_string(1, i, str(col.example), fmt["example"])
        source = ranges.get(col.choices_range or "") if col.choices_range else None
        if source or col.boolean:
            data.data_validation(1, i, 1_048_575, i, {
                "validate": "list", "source": source if source else ["是", "否"], "error_type": "warning",
                "error_title": "取值不在列表中", "error_message": "请从下拉列表中选择，或填写说明页中的代码"})
    data.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def _write_guide(sheet: Worksheet, vocabularies: Sequence[Vocabulary], column_guide: Sequence[tuple[str, str, str, str]],
                 intro: str, fmt: dict[str, Any]) -> dict[str, str]:
    """Columns A–D: what each column means; from F on, each vocabulary as (中文, 代码) in two columns."""
    sheet.write_string(0, 0, intro, fmt["subtitle"])
    for i, header in enumerate(("表头", "字段", "必填", "说明")):
        sheet.write_string(2, i, header, fmt["header"])
    for r, values in enumerate(column_guide, start=3):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 22)
    sheet.set_column(3, 3, 50)
    ranges: dict[str, str] = {}
    for n, vocab in enumerate(vocabularies):
        col = 5 + 3 * n
        sheet.write_string(1, col, vocab.title, fmt["header"])
        sheet.write_string(2, col, "中文", fmt["header"])
        sheet.write_string(2, col + 1, "代码", fmt["header"])
        sheet.set_column(col, col, 18)
        sheet.set_column(col + 1, col + 1, 22)
        for r, (code, label) in enumerate(vocab.items, start=3):
            sheet.write_string(r, col, label)
            sheet.write_string(r, col + 1, code)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        ranges[vocab.title] = f"='说明'!${letter}$4:${letter}${3 + max(len(vocab.items), 1)}"
    return ranges


# -- HTTP ---------------------------------------------------------------------------------------------------

StatsFormat = Literal["json", "xlsx"]
XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
          "description": "JSON, or with `format=xlsx` the table as an .xlsx sheet"}}


def attachment(filename: str, ascii_name: str) -> dict[str, str]:
    """``Content-Disposition`` with the UTF-8 name (RFC 6266 / 5987) and an ASCII fallback."""
    from urllib.parse import quote

    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"}


def xlsx_response(tables: Sequence[Table], filename: str, ascii_name: str) -> Any:
    from fastapi import Response

    return Response(tables_workbook(tables), media_type=XLSX_TYPE, headers=attachment(filename, ascii_name))


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
