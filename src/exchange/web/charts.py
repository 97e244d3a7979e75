"""Tables and the ECharts options drawn from them: each chart is its table's figures, so the table is the
chart's text alternative and the two never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exchange.deals.transparency import CONTRACT_STATUS
from exchange.funds.schemas import MoneyStats
from exchange.listings.stats import ListStats
from exchange.organizations.schemas import OrganizationStats
from exchange.web.common import Labels
from exchange.web.formats import yuan_number
from exchange.web.i18n import CHOICES, Words

PALETTE = ["#b4281e", "#1f5f99", "#2f7d32", "#a35d00", "#6a3d9a", "#00727a", "#8c564b", "#4d4d4d"]


@dataclass
class Table:
    """A figure table: column heads, rows of cells, and an optional total row."""

    caption: str
    head: list[str]
    rows: list[list[Any]]
    total: list[Any] | None = None
    chart: dict[str, Any] = field(default_factory=dict)
    chart_label: str = ""
    money: bool = False  # the figures are fen, shown as yuan


def _bar(categories: list[str], series: list[tuple[str, list[Any]]], *, horizontal: bool = False,
         stack: bool = False) -> dict[str, Any]:
    value_axis: dict[str, Any] = {"type": "value", "splitNumber": 4, "axisLabel": {"hideOverlap": True}}
    cat_axis: dict[str, Any] = {"type": "category", "data": categories, "inverse": horizontal,
                                "axisLabel": {"interval": 0, "hideOverlap": True}}
    return {
        "color": PALETTE, "tooltip": {"trigger": "axis"},
        "legend": {"show": len(series) > 1, "type": "scroll", "bottom": 0},
        "grid": {"left": 8, "right": 32, "top": 16, "bottom": 40 if len(series) > 1 else 8, "containLabel": True},
        "xAxis": value_axis if horizontal else cat_axis, "yAxis": cat_axis if horizontal else value_axis,
        "series": [{"type": "bar", "name": name, "data": data, **({"stack": "all"} if stack else {})}
                   for name, data in series],
        "aria": {"enabled": True},
    }


def _pie(items: list[tuple[str, Any]]) -> dict[str, Any]:
    return {
        "color": PALETTE, "tooltip": {"trigger": "item"}, "legend": {"type": "scroll", "bottom": 0},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "center": ["50%", "45%"],
                    "label": {"position": "inside", "formatter": "{c}", "color": "#fff", "fontWeight": "bold"},
                    "data": [{"name": n, "value": v} for n, v in items]}],
        "aria": {"enabled": True},
    }


def money_by_source(money: MoneyStats, w: Words) -> Table:
    rows = [[w.choice("source", m.source), m.paid_fen] for m in money.items]
    label = w.t("money_moved")
    return Table(caption=label, head=[w.t("source"), w.t("amount")], rows=rows,
                 total=[w.t("total_row"), sum(m.paid_fen for m in money.items)],
                 chart=_bar([r[0] for r in rows], [(w.t("amount"), [yuan_number(r[1]) for r in rows])], horizontal=True),
                 chart_label=label, money=True)


def list_counts(lists: ListStats, w: Words) -> Table:
    rows = [[w.t("open_opportunities"), lists.opportunities.by_status.get("published", 0)],
            [w.t("published_offers"), lists.offers.by_status.get("published", 0)],
            [w.t("open_needs"), lists.needs.by_status.get("open", 0)]]
    label = f"{w.t('opportunities')} / {w.t('offers')} / {w.t('needs')}"
    return Table(caption=label, head=[w.t("list"), w.t("count")], rows=rows,
                 chart=_bar([r[0] for r in rows], [(w.t("count"), [r[1] for r in rows])]), chart_label=label)


def orgs_table(stats: OrganizationStats, w: Words) -> Table:
    """Communities × kinds of organization, with totals and each community's share (the offices' table)."""
    kinds = [k for k in CHOICES["kind"] if any(c.value == k and c.count for c in stats.all.by_kind)]
    total = stats.all.total or 1
    rows = []
    for community in stats.by_community:
        counts = {c.value: c.count for c in community.by_kind}
        rows.append([community.name, *[counts.get(k, 0) for k in kinds], community.total,
                     f"{community.total * 100 / total:.1f}%"])
    outside = {c.value: c.count for c in stats.outside_communities.by_kind}
    if stats.outside_communities.total:
        rows.append([w.t("outside_communities"), *[outside.get(k, 0) for k in kinds], stats.outside_communities.total,
                     f"{stats.outside_communities.total * 100 / total:.1f}%"])
    all_counts = {c.value: c.count for c in stats.all.by_kind}
    label = w.t("orgs_by_community")
    shown = [r for r in rows[:len(stats.by_community)] if r[-2]]  # communities with organizations
    return Table(caption=label, head=[w.t("community"), *[w.choice("kind", k) for k in kinds], w.t("total_row"),
                                      w.t("share")],
                 rows=rows, total=[w.t("total_row"), *[all_counts.get(k, 0) for k in kinds], stats.all.total, "100%"],
                 chart=_bar([r[0] for r in shown], [(w.choice("kind", k), [r[1 + i] for r in shown])
                                                     for i, k in enumerate(kinds)], horizontal=True, stack=True),
                 chart_label=label)


def function_types_table(stats: OrganizationStats, w: Words) -> Table:
    """Communities × function types (为民服务, 公益慈善 …) with totals and shares: the same table as
    ``GET /stats/organizations`` → ``by_community_and_function_type`` and its sheet."""
    table = stats.by_community_and_function_type
    rows = [[w.t("outside_communities") if r.region_code is None else r.name, *[r.counts.get(c, 0) for c in table.columns],
             r.total, f"{r.share * 100:.1f}%"] for r in table.rows]
    label = w.t("orgs_by_function_type")
    shown = [r for r in rows if r[-2]]
    return Table(caption=label, head=[w.t("community"), *[w.choice("function_type", c) for c in table.columns],
                                      w.t("total_row"), w.t("share")],
                 rows=rows, total=[w.t("total_row"), *[table.totals.get(c, 0) for c in table.columns], table.total,
                                   "100%"],
                 chart=_bar([r[0] for r in shown], [(w.choice("function_type", c), [r[1 + i] for r in shown])
                                                     for i, c in enumerate(table.columns)], horizontal=True, stack=True),
                 chart_label=label)


def money_months_table(months: list[tuple[str, MoneyStats]], w: Words) -> Table:
    sources = list(CHOICES["source"])
    rows = []
    for label, money in months:
        paid = {m.source: m.paid_fen for m in money.items}
        rows.append([label, *[paid.get(s, 0) for s in sources], sum(paid.values())])
    caption = w.t("money_by_source_month")
    return Table(caption=caption, head=[w.t("month"), *[w.choice("source", s) for s in sources], w.t("total_row")],
                 rows=rows, total=[w.t("total_row"), *[sum(r[1 + i] for r in rows) for i in range(len(sources))],
                                   sum(r[-1] for r in rows)],
                 chart=_bar([r[0] for r in rows], [(w.choice("source", s), [yuan_number(r[1 + i]) for r in rows])
                                                   for i, s in enumerate(sources)], stack=True),
                 chart_label=caption, money=True)


def deals_by_stage(deals: dict[str, Any], w: Words) -> Table:
    order = [s for s in CONTRACT_STATUS if s in deals["by_status"]]
    rows = [[w.status(s), deals["by_status"][s]] for s in order]
    label = w.t("deals_by_stage")
    return Table(caption=label, head=[w.t("stage"), w.t("count")], rows=rows, total=[w.t("total_row"), deals["deals"]],
                 chart=_pie([(r[0], r[1]) for r in rows]), chart_label=label)


def needs_by_category(lists: ListStats, labels: Labels, w: Words) -> Table:
    counts: dict[str | None, int] = {}
    for g in lists.needs.groups:
        counts[g.category] = counts.get(g.category, 0) + g.count
    ordered = [c for c, _ in labels.categories if c in counts] + ([None] if None in counts else [])
    rows = [[labels.category(c) if c else w.t("uncategorized"), counts[c]] for c in ordered]
    label = w.t("needs_by_category")
    return Table(caption=label, head=[w.t("category"), w.t("count")], rows=rows,
                 total=[w.t("total_row"), lists.needs.count],
                 chart=_bar([r[0] for r in rows], [(w.t("count"), [r[1] for r in rows])], horizontal=True),
                 chart_label=label)
