"""Reading an uploaded table: ``.xlsx`` (python-calamine) or ``.csv`` (UTF-8 with or without BOM, GB18030, UTF-16).

What is refused, each with a :class:`SheetProblem` naming the row and column where there is one:
a workbook with macros, an old binary ``.xls``, a damaged or oversized archive, hidden sheets, merged cells in
the header row, formulas (a value is expected, not a calculation), more data rows than the limit (a sheet
formatted down to row 1,048,576 is fine as long as its data rows fit), an encoding that is none of the above.
The checks that need the sheet's XML stream through it once, without loading it: bounded time and memory.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024  # a zip bomb is refused before it is inflated
INSTRUCTIONS_SHEET = "说明"


@dataclass
class SheetProblem(Exception):
    """What makes a file (or one cell of it) unreadable; rendered as ``{row, column, code, message}``."""

    code: str
    message: str
    row: int | None = None
    column: str | None = None

    def as_error(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class Table:
    """A header row and the data rows under it; ``rows`` yields (spreadsheet row number, cells)."""

    headers: list[str]
    rows: list[tuple[int, list[Cell]]]
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column index) → reference


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_table(content: bytes, filename: str, *, max_rows: int, sheet_names: tuple[str, ...] = ()) -> Table:
    """The table in ``content``; :class:`SheetProblem` for anything that is not a readable table."""
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, max_rows=max_rows, sheet_names=sheet_names)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetProblem("unsupported_format", "这是旧版 Excel（.xls）或加密的工作簿，请另存为 .xlsx 或 CSV 后再导入")
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise SheetProblem("invalid_workbook", "文件不是有效的 .xlsx 工作簿（可能已损坏）")
    return _read_csv(content, max_rows=max_rows)


# -- CSV -------------------------------------------------------------------------------------------

def decode_text(content: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM (Excel's "Unicode text"), else GB18030 (Excel on Chinese Windows)."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise SheetProblem("unknown_encoding",
                           "无法识别文件编码：请保存为 UTF-8 或 GB18030（Excel 的「CSV」）编码的 CSV") from None


def _read_csv(content: bytes, *, max_rows: int) -> Table:
    try:
        text = decode_text(content)
    except UnicodeDecodeError:
        raise SheetProblem("unknown_encoding", "无法识别文件编码：请保存为 UTF-8 或 GB18030 编码的 CSV") from None
    if "\x00" in text:
        raise SheetProblem("unsupported_format", "文件不是文本表格（CSV）或 .xlsx 工作簿")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise SheetProblem("empty_file", "文件中没有表头行", row=1)
        rows: list[tuple[int, list[Cell]]] = []
        formulas: dict[tuple[int, int], str] = {}
        for number, raw in enumerate(reader, start=2):
            if not any(c.strip() for c in raw):
                continue
            if len(rows) >= max_rows:
                raise SheetProblem("too_many_rows", f"数据行超过上限 {max_rows} 行，请分批导入", row=number)
            cells: list[Cell] = []
            for i, value in enumerate(raw):
                if _looks_like_formula(value):
                    formulas[(number, i)] = f"{column_letter(i)}{number}"
                cells.append(_unescape(value))
            rows.append((number, cells))
    except csv.Error as exc:
        raise SheetProblem("invalid_csv", f"CSV 格式错误：{exc}", row=reader.line_num) from None
    return Table(headers=[h.strip() for h in header], rows=rows, formula_cells=formulas)


_FORMULA = re.compile(r"^=[A-Za-z(]")


def _looks_like_formula(value: str) -> bool:
    return bool(_FORMULA.match(value))


def _unescape(value: str) -> str:
    """Exports write ``'`` before text that begins with ``= + - @`` (so no spreadsheet runs it); take it off."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


# -- XLSX ------------------------------------------------------------------------------------------

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_XML_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_XML_VALUE = re.compile(rb'<(?:\w+:)?(?:v|is)[ >/]')
_XML_FORMULA = re.compile(rb'<(?:\w+:)?f[ >/]')
_XML_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})\d+"')
_XML_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')


def _open_zip(content: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SheetProblem("invalid_workbook", "文件不是有效的 .xlsx 工作簿（可能已损坏）") from None
    if "xl/workbook.xml" not in names:
        raise SheetProblem("invalid_workbook", "压缩包中没有 Excel 工作簿（xl/workbook.xml）")
    if any(n.lower().endswith("vbaproject.bin") for n in names) or _content_types_say_macro(archive):
        raise SheetProblem("macros_not_allowed", "工作簿含有宏（VBA），不能导入：请另存为不含宏的 .xlsx 后再导入")
    if sum(i.file_size for i in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
        raise SheetProblem("file_too_large", "工作簿解压后过大，请分批导入")
    return archive


def _content_types_say_macro(archive: zipfile.ZipFile) -> bool:
    try:
        return b"macroEnabled" in archive.read("[Content_Types].xml")
    except KeyError:
        return False


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Sheet name → (path of its XML in the archive, state: visible, hidden or veryHidden)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        raise SheetProblem("invalid_workbook", "工作簿结构损坏，无法读取工作表列表") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    out: dict[str, tuple[str, str]] = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        out[sheet.get("name", "")] = (path, sheet.get("state", "visible"))
    return out


@dataclass
class _Scan:
    data_rows: int = 0
    last_row: int = 0
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merged_in_header: str | None = None


def _scan_sheet(archive: zipfile.ZipFile, path: str, max_rows: int) -> _Scan:
    """One streaming pass over the sheet's XML: rows holding values, formula cells, merged ranges.

    Read a megabyte at a time, cut after the last whole row (so that a row's cells are seen together); a row
    is looked at once, not cell by cell: whether it holds a value, and where its formulas are (rare)."""
    scan = _Scan()
    row, counted, tail = 0, -1, b""
    column = 0  # the last cell seen, for a formula whose cell began in the previous piece (a row over 1 MB)
    with archive.open(path) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            end_of_row = data.rfind(b"row>") if len(chunk) == 1 << 20 else -1
            mid_row = len(chunk) == 1 << 20 and end_of_row < 0
            cut = max(data.rfind(b"<"), 0) if mid_row else end_of_row + 4 if end_of_row >= 0 else len(data)
            starts = [(m.start(), int(m.group(1))) for m in _XML_ROW.finditer(data, 0, cut)]
            pieces = [(0, row), *starts] if not starts or starts[0][0] > 0 else starts
            for i, (begin, number) in enumerate(pieces):
                row = number
                finish = pieces[i + 1][0] if i + 1 < len(pieces) else cut
                if counted != row and _XML_VALUE.search(data, begin, finish):
                    counted = row
                    scan.data_rows += 1
                    scan.last_row = max(scan.last_row, row)
                    if scan.data_rows > max_rows + 1:
                        raise SheetProblem("too_many_rows", f"数据行超过上限 {max_rows} 行，请分批导入", row=row)
            for formula in _XML_FORMULA.finditer(data, 0, cut):  # rare: each one's row and cell looked up
                begin, number = pieces[bisect.bisect_right(pieces, (formula.start(), 1 << 62)) - 1]
                cells = list(_XML_CELL.finditer(data, begin, formula.start()))
                if cells:
                    column = _column_index(cells[-1].group(1).decode())
                scan.formulas[(number, column)] = f"{column_letter(column)}{number}"
            if mid_row:  # the last row goes on in the next piece: remember its last cell
                cells = list(_XML_CELL.finditer(data, pieces[-1][0], cut))
                if cells:
                    column = _column_index(cells[-1].group(1).decode())
            for m in _XML_MERGE.finditer(data, 0, cut):
                if int(m.group(2)) == 1 and scan.merged_in_header is None:
                    end = f":{m.group(3).decode()}{m.group(4).decode()}" if m.group(3) else ""
                    scan.merged_in_header = f"{m.group(1).decode()}1{end}"
            tail = data[cut:]
    return scan


def _pick_sheet(sheets: dict[str, tuple[str, str]], names: tuple[str, ...]) -> str:
    hidden = [name for name, (_, state) in sheets.items() if state != "visible"]
    if hidden:
        raise SheetProblem("hidden_sheet", f"工作簿含有隐藏的工作表「{'、'.join(hidden)}」："
                                           "请取消隐藏并删除不需要的工作表后再导入（隐藏的数据不会被导入，也不能被忽略）")
    for name in names:
        if name in sheets:
            return name
    candidates = [n for n in sheets if n != INSTRUCTIONS_SHEET]
    if not candidates:
        raise SheetProblem("empty_file", "工作簿中没有数据工作表")
    return candidates[0]


def _read_xlsx(content: bytes, *, max_rows: int, sheet_names: tuple[str, ...]) -> Table:
    archive = _open_zip(content)
    sheets = _sheet_paths(archive)
    name = _pick_sheet(sheets, sheet_names)
    path = sheets[name][0]
    if path not in set(archive.namelist()):
        raise SheetProblem("invalid_workbook", f"工作表「{name}」的数据缺失")
    scan = _scan_sheet(archive, path, max_rows)
    if scan.last_row > max_rows + 1:  # a value far below the data (row 1,048,576 …) would make a huge empty range
        raise SheetProblem("too_many_rows", f"第 {scan.last_row} 行仍有内容：每次最多导入 {max_rows} 行数据，"
                                            "请删除表格下方的零散内容或分批导入", row=scan.last_row)
    if scan.merged_in_header:
        raise SheetProblem("merged_header", f"表头有合并单元格（{scan.merged_in_header}）：请取消合并，每列一个表头",
                           row=1, column=scan.merged_in_header.split(":")[0].rstrip("0123456789"))
    try:
        values = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # the library raises its own error types for damaged parts
        raise SheetProblem("invalid_workbook", f"工作表「{name}」无法读取：{exc}") from None
    if not values or not any(_present(c) for c in values[0]):
        raise SheetProblem("empty_file", "工作表第一行应为表头", row=1)
    headers = [str(c).strip() if _present(c) else "" for c in values[0]]
    rows = [(i + 1, list(r)) for i, r in enumerate(values[1:], start=1) if any(_present(c) for c in r)]
    if len(rows) > max_rows:
        raise SheetProblem("too_many_rows", f"数据行超过上限 {max_rows} 行，请分批导入", row=rows[max_rows][0])
    return Table(headers=headers, rows=rows, formula_cells=scan.formulas)


def _present(value: Any) -> bool:
    return value is not None and value != ""
