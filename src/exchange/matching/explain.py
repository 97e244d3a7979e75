"""Short Chinese explanations of each rule's score for a ranked candidate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .records import Listing, Reason

if TYPE_CHECKING:
    from .engine import MatchIndex, _Search, _Store
    from .frozen import FrozenStore

__all__ = ["Explainer"]


class Explainer:
    """Short Chinese explanations of each rule for a shortlisted row."""

    def __init__(self, search: _Search) -> None:
        self.s = search
        self.thesaurus = search.index.analyzer.thesaurus
        self.weights = search._weights()  # the same for every row of a search
        self._listings: dict[int, Listing | None] = {}

    def listing(self, row: int) -> Listing | None:
        """A row's listing, made once per row (a snapshot makes it from its columns on each call)."""
        if row not in self._listings:
            self._listings[row] = self.s.store.listing(row)
        return self._listings[row]

    def reasons(self, i: int, pos: int, row: int) -> list[Reason]:
        """Reasons for shortlist entry ``i`` (position ``pos`` among rows in play, store row ``row``)."""
        out = []
        for rule, weight in self.weights.items():
            score = float(self.s.final[rule][i])
            out.append(Reason(rule, round(score, 3), weight, getattr(self, f"_{rule}")(row, score)))
        for rule, mask in self.s.hard.items():
            if not mask[pos]:
                out.append(Reason(rule, 0.0, 0.0, self._failed(rule, row)))
        return out

    def _text(self, row: int, score: float) -> str:
        mine = set(self.s.store.concepts_of(row))
        query = self.s.analysis.concepts
        shared = [self.thesaurus.concepts[c].name for c in query if c in mine]
        related = [
            self.thesaurus.concepts[c].name for c in mine
            if c not in query and any(c in self.thesaurus.concepts[q].related for q in query)
        ]
        words = set(self.s.store.joined_text(row).split())
        common = [w for w in self.s.analysis.words if w in words and len(w) > 1][:4]
        parts = []
        if shared:
            parts.append("共同主题：" + "、".join(shared[:4]))
        if related:
            parts.append("相关主题：" + "、".join(related[:3]))
        if common:
            parts.append("相同词语：" + "、".join(common))
        return "；".join(parts) if parts else "文字内容关联较弱"

    def _category(self, row: int, score: float) -> str:
        listing = self.listing(row)
        code = listing.category or _category_name_of(self.s.store, row, self.s.index)
        label = self.thesaurus.category_labels.get(code or "", code or "未知")
        suffix = "（由文字推断）" if self.s.category_inferred else ""
        if score >= 0.99:
            return f"类别一致：{label}{suffix}"
        if code is None:
            return "对方类别未知"
        return f"类别相近：{label}{suffix}" if score > 0 else f"类别不同：{label}"

    def _target_groups(self, row: int, score: float) -> str:
        bits = int(self.s.store.value("groups", row))
        shared = [self._group_label(g) for g, b in self.s.index._group_bits.items() if b & bits & self.s.query_groups]
        if shared:
            return "服务对象一致：" + "、".join(shared)
        if score > 0:
            return "面向全体居民"
        return "服务对象不同"

    def _group_label(self, code: str) -> str:
        return self.thesaurus.group_labels.get(code, code)

    def _place(self, row: int, score: float) -> str:
        if score <= 0:
            return "不在服务范围内"
        words = {1.0: "同一社区（或更近）", 0.75: "覆盖所在街道", 0.5: "覆盖所在区县", 0.3: "覆盖范围较大"}
        text = words.get(round(score, 2), "覆盖范围较大")
        if self.s.place_mode == "overlap":
            return "地区重叠：" + {1.0: "同一社区（或更近）", 0.75: "同一街道"}.get(round(score, 2), "同一区县或更大范围")
        return text

    def _budget(self, row: int, score: float) -> str:
        listing, q = self.listing(row), self.s.query
        if self.s.kind == "opportunity":
            return _money_detail(q.price_fen, listing.budget_fen, score)
        if q.budget_fen is not None:
            return _money_detail(listing.price_fen, q.budget_fen, score)
        return {"free": "免费服务", "low_cost": "低偿服务", "market": "市场价服务"}.get(listing.pricing or "", "未说明收费方式")

    def _org_record(self, row: int, score: float) -> str:
        org = self.listing(row).org
        if org is None:
            return "暂无机构信息"
        parts = [f"{org.stars}星"] if org.stars else []
        if org.evaluation_avg is not None:
            parts.append(f"评估均分{org.evaluation_avg:.0f}")
        if org.a_level:
            parts.append(f"{org.a_level}A")
        return "机构记录：" + "，".join(parts) if parts else "暂无评级和评估记录"

    def _capacity(self, row: int, score: float) -> str:
        cap = self.listing(row).capacity_per_month
        if cap is None:
            return "未填写服务能力"
        return f"每月可服务{cap}人次" if cap > 0 else "本月已无服务能力"

    def _feedback(self, row: int, score: float) -> str:
        if score > 0.55:
            return "公益经理人对类似匹配的反馈较好"
        if score < 0.45:
            return "公益经理人对类似匹配的反馈较差"
        return "暂无相关的经理人反馈"

    def _failed(self, rule: str, row: int) -> str:
        listing, q = self.listing(row), self.s.query
        if rule == "reach":
            return {
                "reach": "服务范围不覆盖该地点", "under": "需求地点不在服务范围内", "overlap": "地区不重叠",
            }.get(self.s.place_mode, "地区不符")
        if rule == "suspended":
            return "机构已被暂停，不能匹配"
        elig = (q.eligibility if self.s.kind == "offer" else listing.eligibility) or {}
        org = listing.org if self.s.kind == "offer" else q.org
        a_level = org.a_level if org else 0
        min_a = int(elig.get("min_a_level") or 0)
        if a_level < min_a:
            return f"机构等级{a_level}A，低于要求的{min_a}A"
        return "要求在民政部门登记注册的机构"


def _category_name_of(store: _Store | FrozenStore, row: int, index: MatchIndex) -> str | None:
    cid = int(store.value("cat", row))
    if cid <= 0:
        return None
    return next((code for code, i in index._cat_ids.items() if i == cid), None)


def _money_detail(price: int | None, budget: int | None, score: float) -> str:
    if price is None or budget is None:
        return "价格或预算未说明"
    text = f"报价{price / 100:.2f}元，预算{budget / 100:.2f}元"
    return text + ("，在预算内" if score >= 1 else "，略超预算" if score >= 0.5 else "，超出预算")
