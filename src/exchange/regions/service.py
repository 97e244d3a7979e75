"""The region tree's rules: a child sits below its parent's level and extends its code."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import service as audit
from exchange.errors import ExchangeError, invalid
from exchange.regions.models import LEVEL_ORDER, Level, Region
from exchange.regions.repository import RegionRepository


def code_prefix(code: str) -> str:
    """The part of a code that children must begin with: the code without trailing zeros."""
    return code.rstrip("0") or code


def significant_prefix(code: str) -> str:
    """The prefix a region's descendants share, by the levels of the code: 510107003000 → 510107003."""
    sizes = {12: (9, 6, 4, 2), 6: (4, 2)}.get(len(code), ())
    for size in sizes:
        if code[size:] == "0" * (len(code) - size) and (size == min(sizes) or code[size - 2:size] != "00"):
            return code[:size]
    return code


def covers(region: str, place: str) -> bool:
    """Whether ``region`` contains ``place`` or lies within it (a district's street, or its city)."""
    prefix = significant_prefix(region)
    return place.startswith(prefix) or prefix.startswith(place)


def _check_fits(code: str, level: Level, parent: Region | None) -> None:
    if parent is None:
        return
    if LEVEL_ORDER[level] <= LEVEL_ORDER[Level(parent.level)]:
        raise invalid(["body", "level"], f"「{level}」不能位于「{parent.level}」之下",
                      f"A {level} cannot sit under a {parent.level}", code="region_level_mismatch")
    if not code.startswith(code_prefix(parent.code)) or len(code) <= len(code_prefix(parent.code)) or code == parent.code:
        raise invalid(["body", "code"], f"代码 {code} 不以上级代码 {code_prefix(parent.code)} 开头",
                      f"Code {code} must begin with its parent's code {code_prefix(parent.code)}",
                      code="region_code_mismatch")


async def create_region(
    session: AsyncSession, *, actor_id: uuid.UUID | None, code: str, name: str, level: Level, parent_code: str | None
) -> Region:
    repo = RegionRepository(session)
    if await repo.get(code) is not None:
        raise ExchangeError("region_exists", 409, f"区域代码 {code} 已存在", f"Region {code} already exists")
    parent = None
    if parent_code is not None:
        parent = await repo.get(parent_code)
        if parent is None:
            raise invalid(["body", "parent_code"], f"上级区域 {parent_code} 不存在",
                          f"The parent region {parent_code} does not exist", code="unknown_region")
    _check_fits(code, level, parent)
    path = f"{parent.path if parent else '/'}{code}/"
    region = repo.add(Region(code=code, name=name, level=level.value, parent_code=parent_code, path=path))
    await repo.flush()
    audit.record(session, actor_id=actor_id, action="region.created", entity_type="region", entity_id=code,
                 summary={"name": name, "level": level.value, "parent_code": parent_code}, public=True)
    return region


async def load_csv(session: AsyncSession, text: str, *, actor_id: uuid.UUID | None = None) -> int:
    """Load regions from CSV (``code,name,level,parent_code``); parents before children in any order.

    Existing codes are skipped, so a file can be loaded twice. Returns how many were created."""
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = {"code", "name", "level"} - set(rows[0].keys() if rows else [])
    if missing:
        raise ExchangeError("bad_csv", 422, f"CSV 缺少列：{'、'.join(sorted(missing))}", f"CSV lacks columns: {sorted(missing)}")
    return await load_rows(session, rows, actor_id=actor_id)


def _check_rows(rows: list[dict[str, str | None]]) -> None:
    """422 naming the first row (1-based, after the header) whose code, name or level is unusable."""
    levels = ", ".join(level.value for level in Level)
    for number, row in enumerate(rows, start=1):
        code, name, level = ((row.get(k) or "").strip() for k in ("code", "name", "level"))
        if not code.isdigit() or not 6 <= len(code) <= 30:
            raise invalid(["rows", number, "code"], f"第 {number} 行：区域代码「{code}」应为 6–30 位数字",
                          f"Row {number}: the region code '{code}' must be 6–30 digits", code="invalid_region_row")
        if not name:
            raise invalid(["rows", number, "name"], f"第 {number} 行：缺少名称", f"Row {number}: the name is missing",
                          code="invalid_region_row")
        if level not in LEVEL_ORDER:
            raise invalid(["rows", number, "level"], f"第 {number} 行：层级「{level}」无效，应为 {levels} 之一",
                          f"Row {number}: the level '{level}' is not one of {levels}", code="invalid_region_row")


async def load_rows(session: AsyncSession, rows: Iterable[dict[str, str | None]], *, actor_id: uuid.UUID | None) -> int:
    repo = RegionRepository(session)
    rows = list(rows)
    _check_rows(rows)
    pending = sorted(rows, key=lambda r: LEVEL_ORDER[Level((r.get("level") or "").strip())])
    existing = await repo.get_many(r["code"].strip() for r in pending if r.get("code"))
    created = 0
    for row in pending:
        code = (row.get("code") or "").strip()
        if code in existing:
            continue
        parent = (row.get("parent_code") or "").strip() or None
        existing[code] = await create_region(session, actor_id=actor_id, code=code, name=(row.get("name") or "").strip(),
                                             level=Level((row.get("level") or "").strip()), parent_code=parent)
        created += 1
    return created


async def ensure_regions_exist(session: AsyncSession, codes: Iterable[str], loc: list[str | int]) -> dict[str, Region]:
    """422 ``unknown_region`` when any code is not in the tree; else the regions by code."""
    codes = list(codes)
    found = await RegionRepository(session).get_many(codes)
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise invalid(loc, f"区域代码不存在：{'、'.join(unknown)}", f"Unknown region codes: {', '.join(unknown)}",
                      code="unknown_region")
    return found
