"""Registry statistics: organizations by community and by kind, legal form and registration (seed 001's table)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.organizations.models import FUNCTION_TYPE_ZH, FunctionType
from exchange.organizations.repository import RatingFactsRepository
from exchange.organizations.schemas import (
    Breakdown,
    CommunityBreakdown,
    Count,
    FunctionTypeRow,
    FunctionTypeTable,
    OrganizationStats,
)
from exchange.regions.models import Region
from exchange.sheets.writer import Table, share

UNSPECIFIED = "unspecified"
KIND_ZH = {"social_org": "社会组织", "government": "政府部门", "mass_org": "群团组织", "foundation": "基金会",
           "enterprise": "企业", "community": "社区居委会"}
REGISTRATION_ZH = {"registered": "登记注册", "subdistrict_filed": "街道备案", "community_filed": "社区备案"}

Row = tuple[str | None, str, str | None, str | None, int]


def _breakdown(rows: list[Row]) -> Breakdown:
    kinds: Counter[str | None] = Counter()
    forms: Counter[str | None] = Counter()
    registrations: Counter[str | None] = Counter()
    for _, kind, form, registration, n in rows:
        kinds[kind] += n
        forms[form] += n
        registrations[registration] += n

    def counts(counter: Counter[str | None]) -> list[Count]:
        return [Count(value=v, count=n) for v, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] or ""))]

    return Breakdown(total=sum(r[4] for r in rows), by_kind=counts(kinds), by_legal_form=counts(forms),
                     by_registration=counts(registrations))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _function_type_table(communities: list[Region], rows: list[tuple[str | None, str | None, int]],
                         home_of: dict[str, str | None]) -> FunctionTypeTable:
    """Communities × function types, the row of organizations outside any community last, with totals and shares."""
    columns = [t.value for t in FunctionType]
    cells: dict[str | None, Counter[str]] = defaultdict(Counter)
    for region_code, function_type, n in rows:
        cells[home_of.get(region_code or "")][function_type or UNSPECIFIED] += n
    if any(UNSPECIFIED in c for c in cells.values()):
        columns.append(UNSPECIFIED)
    total = sum(sum(c.values()) for c in cells.values())
    named = [(c.code, c.name) for c in communities] + ([(None, "社区以外")] if None in cells else [])
    table_rows = [FunctionTypeRow(region_code=code, name=name, counts={t: cells[code][t] for t in columns},
                                  total=sum(cells[code].values()), share=_share(sum(cells[code].values()), total))
                  for code, name in named]
    totals = {t: sum(cells[code][t] for code, _ in named) for t in columns}
    return FunctionTypeTable(columns=columns, rows=table_rows, totals=totals, total=total,
                             column_shares={t: _share(n, total) for t, n in totals.items()})


async def organization_stats(session: AsyncSession) -> OrganizationStats:
    repo = RatingFactsRepository(session)
    rows = await repo.counts_by_region()
    typed = await repo.counts_by_region_and_function_type()
    communities = await repo.communities()
    community_codes = {c.code for c in communities}
    based = {r.code: r for r in await repo.regions(r[0] for r in rows if r[0])}
    home_of: dict[str, str | None] = {
        code: next((c for c in reversed(region.ancestor_codes) if c in community_codes), None)
        for code, region in based.items()}
    per_community: dict[str, list[Row]] = defaultdict(list)
    outside: list[Row] = []
    for row in rows:
        home = home_of.get(row[0] or "")
        (per_community[home] if home else outside).append(row)
    return OrganizationStats(
        all=_breakdown(rows),
        by_community=[CommunityBreakdown(region_code=c.code, name=c.name, parent_code=c.parent_code,
                                         **_breakdown(per_community.get(c.code, [])).model_dump()) for c in communities],
        outside_communities=_breakdown(outside),
        by_community_and_function_type=_function_type_table(communities, typed, home_of),
    )


def as_tables(stats: OrganizationStats, as_of: dt.datetime) -> list[Table]:
    """The offices' tables: communities × function types, and communities × kind and registration."""
    ft = stats.by_community_and_function_type
    labels = [FUNCTION_TYPE_ZH.get(c, "未分类") for c in ft.columns]
    headers = ["社区", *labels, "合计", "占比"]
    rows = [[r.name, *[r.counts[c] for c in ft.columns], r.total, share(r.total, ft.total)] for r in ft.rows]
    total = ["合计", *[ft.totals[c] for c in ft.columns], ft.total, 1.0 if ft.total else 0.0]
    shares = ["占比", *[share(ft.totals[c], ft.total) for c in ft.columns], 1.0 if ft.total else 0.0, None]
    by_type = Table(name="按社区和功能类型", title="社区社会组织培育基本情况统计表（按功能类型）", headers=headers,
                    rows=rows, totals=[total, shares], percent_totals={1}, as_of=as_of, unit="单位：家",
                    percent_columns={len(headers) - 1},
                    note="占比列：本行合计占全部组织的比例；占比行：各功能类型占全部组织的比例。")
    present_kinds = {c.value for c in stats.all.by_kind}
    kinds = [k for k in KIND_ZH if k in present_kinds] + sorted(k for k in present_kinds if k and k not in KIND_ZH)
    regs = list(REGISTRATION_ZH)
    headers2 = ["社区", *[KIND_ZH.get(k, k) for k in kinds], *[REGISTRATION_ZH[r] for r in regs], "合计", "占比"]

    def line(name: str, b: Breakdown) -> list[object]:
        kind_counts = {c.value: c.count for c in b.by_kind}
        reg_counts = {c.value: c.count for c in b.by_registration}
        return [name, *[kind_counts.get(k, 0) for k in kinds], *[reg_counts.get(r, 0) for r in regs], b.total,
                share(b.total, stats.all.total)]

    rows2 = [line(c.name, c) for c in stats.by_community]
    if stats.outside_communities.total:
        rows2.append(line("社区以外", stats.outside_communities))
    by_kind = Table(name="按社区和类型", title="社区组织统计表（按组织类型和登记情况）", headers=headers2, rows=rows2,
                    totals=[line("合计", stats.all)], as_of=as_of, unit="单位：家", percent_columns={len(headers2) - 1})
    return [by_type, by_kind]
