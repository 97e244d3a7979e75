"""From a sheet's header and cells to the API's fields: which column is which, and what each cell means."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.imports.columns import CHOICE_TITLES, STATIC_CHOICES, Column
from exchange.organizations.models import Organization
from exchange.regions.models import Region
from exchange.sheets.reader import Cell, column_letter
from exchange.sheets.values import (
    CellError,
    as_text,
    normalize,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_yuan,
    split_list,
)
from exchange.vocabularies.repository import VocabularyRepository


@dataclass
class RowError:
    row: int | None
    column: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class Choices:
    """Codes with their labels; a cell may hold the code, the Chinese label or the English one."""

    codes: dict[str, str] = field(default_factory=dict)  # code → Chinese label
    by_word: dict[str, str] = field(default_factory=dict)

    def add(self, code: str, *labels: str) -> None:
        self.codes[code] = labels[0] if labels else code
        for word in (code, *labels):
            self.by_word.setdefault(normalize(word), code)

    def code_of(self, value: str, title: str) -> str:
        code = self.by_word.get(normalize(value))
        if code is None:
            allowed = "、".join(f"{label}（{code}）" for code, label in list(self.codes.items())[:20])
            raise CellError("unknown_value", f"「{value}」不是允许的{title}（可选：{allowed}）")
        return code


class Lookups:
    """What the cells refer to: vocabularies, regions by code or name, organizations by name or credit code."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.choices: dict[str, Choices] = {}
        self.region_codes: set[str] = set()
        self.regions_by_name: dict[str, list[str]] = {}
        self.org_cache: dict[str, uuid.UUID] = {}

    async def load(self) -> Lookups:
        for name, items in STATIC_CHOICES.items():
            choices = self.choices[name] = Choices()
            for code, zh in items.items():
                choices.add(code, zh)
        for term in await VocabularyRepository(self.session).all():
            self.choices.setdefault(term.kind, Choices()).add(term.code, term.zh, term.en)
        for code, name in (await self.session.execute(select(Region.code, Region.name))).all():
            self.add_region(code, name)
        return self

    def add_region(self, code: str, name: str) -> None:
        self.region_codes.add(code)
        self.regions_by_name.setdefault(normalize(name), []).append(code)

    def region(self, value: str) -> str:
        text = as_text(value)
        if text.isdigit():
            return text  # a code: whether it exists is the API's check
        codes = self.regions_by_name.get(normalize(text), [])
        if len(codes) == 1:
            return codes[0]
        if codes:
            raise CellError("ambiguous_region", f"区域名称「{text}」不唯一（{'、'.join(sorted(codes))}），请填写区划代码")
        raise CellError("unknown_region", f"区域「{text}」不存在（请填写区划代码或准确的名称）")

    async def organization(self, value: str) -> uuid.UUID:
        text = as_text(value)
        if text in self.org_cache:
            return self.org_cache[text]
        try:
            self.org_cache[text] = uuid.UUID(text)
            return self.org_cache[text]
        except ValueError:
            pass
        stmt = select(Organization.id).where((Organization.name == text) | (Organization.credit_code == text.upper()))
        ids = list((await self.session.execute(stmt.limit(2))).scalars())
        if len(ids) > 1:
            raise CellError("ambiguous_organization", f"组织「{text}」不唯一，请填写统一社会信用代码或系统编号")
        if not ids:
            raise CellError("unknown_organization", f"组织「{text}」不存在")
        self.org_cache[text] = ids[0]
        return ids[0]


def _header_key(text: str) -> str:
    return normalize(text).rstrip("*").replace("（必填）", "").replace("(必填)", "")


@dataclass
class HeaderMap:
    """Column position → (column, whether money is given in fen rather than yuan)."""

    positions: dict[int, tuple[Column, bool]]
    errors: list[RowError]

    @classmethod
    def build(cls, headers: list[str], columns: list[Column]) -> HeaderMap:
        names: dict[str, tuple[Column, bool]] = {}
        for col in columns:
            names[_header_key(col.zh)] = (col, False)
            names[_header_key(col.key)] = (col, col.type == "yuan")  # English header of a money field: fen
            if col.type == "yuan":
                names[_header_key(col.key.removesuffix("_fen") + "_yuan")] = (col, False)
        positions: dict[int, tuple[Column, bool]] = {}
        errors: list[RowError] = []
        seen: dict[str, int] = {}
        for i, header in enumerate(headers):
            if not header:
                continue
            found = names.get(_header_key(header))
            letter = column_letter(i)
            if found is None:
                errors.append(RowError(1, letter, "unknown_column", f"无法识别的表头「{header}」（请使用模板中的表头）"))
            elif found[0].key in seen:
                first = column_letter(seen[found[0].key])
                errors.append(RowError(1, letter, "duplicate_column", f"表头「{header}」与第 {first} 列重复"))
            else:
                seen[found[0].key] = i
                if not found[0].export_only:
                    positions[i] = found
        missing = [c.header for c in columns if c.required and c.key not in seen]
        if missing:
            errors.append(RowError(1, None, "missing_column", f"缺少必填列：{'、'.join(missing)}"))
        return cls(positions, errors)

    def letter_of(self, key: str) -> str | None:
        for i, (col, _) in self.positions.items():
            if col.key == key:
                return column_letter(i)
        return None


async def read_cell(lookups: Lookups, col: Column, value: Cell, in_fen: bool) -> Any:
    """The API value of one non-empty cell."""
    if col.type == "text":
        return as_text(value)
    if col.type == "int":
        return parse_int(value)
    if col.type == "number":
        return float(parse_decimal(value))
    if col.type == "yuan":
        return parse_int(value) if in_fen else parse_yuan(value)
    if col.type == "date":
        return parse_date(value)
    if col.type == "datetime":
        return parse_datetime(value)
    if col.type == "bool":
        return parse_bool(value)
    if col.type == "choice":
        return lookups.choices[col.choice or ""].code_of(as_text(value), CHOICE_TITLES.get(col.choice or "", col.zh))
    if col.type == "choices":
        choices = lookups.choices[col.choice or ""]
        return [choices.code_of(v, CHOICE_TITLES.get(col.choice or "", col.zh)) for v in split_list(value)]
    if col.type == "region":
        return lookups.region(as_text(value))
    if col.type == "regions":
        return [lookups.region(v) for v in split_list(value)]
    if col.type == "org":
        return await lookups.organization(as_text(value))
    if col.type == "rubric":
        return parse_rubric(value)
    raise AssertionError(col.type)


def parse_rubric(value: Cell) -> list[dict[str, Any]]:
    """``服务方案:40；团队能力:30；报价:30`` → ``[{criterion, weight}]``."""
    items = []
    for part in split_list(value):
        criterion, sep, weight = part.replace("：", ":").rpartition(":")
        if not sep or not criterion.strip():
            raise CellError("invalid_rubric", f"评分标准「{part}」应写作「标准:权重」")
        items.append({"criterion": criterion.strip(), "weight": parse_int(weight)})
    return items


def format_rubric(items: list[dict[str, Any]]) -> str:
    return "；".join(f"{i['criterion']}:{i['weight']}" for i in items)


def present(value: Cell) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


async def read_row(lookups: Lookups, header: HeaderMap, number: int, cells: list[Cell],
                   formulas: dict[tuple[int, int], str]) -> tuple[dict[str, Any], list[RowError]]:
    """The fields a row gives (empty cells left out, so the API's defaults apply) and what could not be read."""
    data: dict[str, Any] = {}
    errors: list[RowError] = []
    for i, (col, in_fen) in header.positions.items():
        if (number, i) in formulas:
            errors.append(RowError(number, column_letter(i), "formula_not_allowed",
                                   f"单元格 {formulas[(number, i)]} 是公式：请粘贴为数值后再导入"))
            continue
        value = cells[i] if i < len(cells) else None
        if not present(value):
            continue
        try:
            data[col.key] = await read_cell(lookups, col, value, in_fen)
        except CellError as exc:
            errors.append(RowError(number, column_letter(i), exc.code, f"「{col.zh}」：{exc.message}"))
    return data, errors
