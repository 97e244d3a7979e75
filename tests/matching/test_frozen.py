# ruff: noqa: E501  (Chinese sample text: lines measured in display width run long)
"""The shared, memory-mapped snapshot of the offers index ranks exactly as the in-memory index does,
and the process's own rows on top of it keep every hard rule (no database, no HTTP)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from exchange.matching.engine import MatchIndex, Query, RegionTree
from exchange.matching.frozen import FrozenStore
from tests.matching.test_engine import COMM_A1, COMM_A2, COMM_B1, DISTRICT, SUB_A, SUB_B, offer, org

QUERIES = ["老人吃饭难，想找人送饭", "陪珍", "孩子放学没人管", "邻居阳台天天滴水", "助餐", "心理咨询", "法律援助",
           "我妈腿脚不好做饭困难", "垃圾分类"]


def offers() -> list:
    titles = [("长者助餐配送", "每天中午为老人送餐上门。", "elderly_care"), ("陪诊就医服务", "陪同老人挂号取药。", "elderly_care"),
              ("四点半课堂", "放学后作业辅导和托管。", "children_youth"), ("邻里纠纷调解", "上门化解漏水噪音纠纷。", "legal"),
              ("心理疏导热线", "心理咨询与情绪疏导。", "health"), ("法律援助咨询", "律师驻点免费咨询。", "legal"),
              ("垃圾分类入户指导", "桶边督导与宣传。", "environment"), ("老年食堂", "社区食堂平价午餐，行动不便可送餐。", "elderly_care")]
    out = []
    for i in range(40):
        title, desc, cat = titles[i % len(titles)]
        regions = [[DISTRICT], [SUB_A], [COMM_A1], [SUB_B], [COMM_B1, COMM_A2]][i % 5]
        out.append(offer(f"offer-{i:02d}", title, desc, category=cat, regions=regions, org=org(f"org-{i % 7}")))
    return out


@pytest.fixture
def tree() -> RegionTree:
    return RegionTree({DISTRICT: None, SUB_A: DISTRICT, SUB_B: DISTRICT, COMM_A1: SUB_A, COMM_A2: SUB_A, COMM_B1: SUB_B})


def ranked(index: MatchIndex, text: str, **kw: object) -> list[tuple[str, float, bool]]:
    return [(m.listing.id, m.score, m.eligible) for m in index.search(Query(text, **kw), limit=10,
                                                                        include_ineligible=True)]


def shared(tree: RegionTree, tmp_path: Path, listings: list) -> MatchIndex:
    builder = MatchIndex(tree)
    builder.upsert_many(listings)
    directory = builder.freeze_offers(tmp_path / "snapshot")
    index = MatchIndex(tree)
    index.attach_base(FrozenStore(directory), {o.org.id: o.org for o in listings})
    return index


def test_a_snapshot_ranks_as_the_index_it_was_made_from(tree: RegionTree, tmp_path: Path) -> None:
    listings = offers()
    memory = MatchIndex(tree)
    memory.upsert_many(listings)
    mapped = shared(tree, tmp_path, listings)
    assert len(mapped) == len(memory) == 40
    for text in QUERIES:
        for place in ({"region_code": COMM_A1}, {"region_code": COMM_B1}, {}):
            assert ranked(mapped, text, **place) == ranked(memory, text, **place), (text, place)
    reasons = {r.rule: r.detail for r in mapped.search(Query("老人吃饭难", region_code=COMM_A1))[0].reasons}
    assert "助餐" in reasons["text"] and reasons["place"]


def test_changes_after_the_snapshot_hide_its_rows_in_this_process(tree: RegionTree, tmp_path: Path) -> None:
    listings = offers()
    mapped = shared(tree, tmp_path, listings)
    memory = MatchIndex(tree)
    memory.upsert_many(listings)
    meal = ranked(mapped, "长者助餐", region_code=COMM_A1)[0][0]
    for index in (mapped, memory):
        index.upsert(replace(next(o for o in listings if o.id == meal), status="withdrawn"))
        index.upsert(offer("new-meal", "长者助餐配送", "每天为老人送餐上门。", category="elderly_care", org=org("org-new")))
        index.update_org(org("org-3", suspended=True))
    for text in QUERIES:
        assert ranked(mapped, text, region_code=COMM_A1) == ranked(memory, text, region_code=COMM_A1), text
    found = ranked(mapped, "长者助餐", region_code=COMM_A1)
    assert meal not in [i for i, _, _ in found] and "new-meal" in [i for i, _, _ in found]
    suspended = {o.id for o in listings if o.org.id == "org-3"}
    assert all(not eligible for i, _, eligible in found if i in suspended)
    assert mapped.learn(Query("长者助餐"), "offer-00", good=True)  # a snapshot row
    assert not mapped.learn(Query("长者助餐"), meal, good=True)  # hidden: not learnt from
    fresh = FrozenStore(mapped.base.directory)  # another process still sees the snapshot as built
    assert fresh.row_of_id(meal) is not None and mapped.base.row_of_id(meal) is None
