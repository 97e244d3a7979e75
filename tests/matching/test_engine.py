"""Behaviour of the in-memory matching engine (no database, no HTTP)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from exchange.chinese.concepts import (
    CATEGORY_CODES,
    Analysis,
    default_analyzer,
    default_thesaurus,
    detect_concepts,
    infer_category,
    infer_target_groups,
)
from exchange.chinese.text import content_words, normalize
from exchange.matching.engine import (
    ANALYSIS_VERSION,
    RULE_WEIGHTS,
    Listing,
    MatchIndex,
    OrgFacts,
    Query,
    RegionTree,
    analysis_from_json,
    analysis_to_json,
    query_from_listing,
)

DISTRICT = "510107"
SUB_A, SUB_B = "510107003000", "510107004000"
COMM_A1, COMM_A2, COMM_B1 = "510107003001", "510107003002", "510107004001"
GRID_A1 = "510107003001002"

HARD_RULES = {"reach", "eligibility", "suspended"}


@pytest.fixture(scope="module")
def tree() -> RegionTree:
    return RegionTree(
        {
            DISTRICT: None,
            SUB_A: DISTRICT,
            SUB_B: DISTRICT,
            COMM_A1: SUB_A,
            COMM_A2: SUB_A,
            COMM_B1: SUB_B,
            GRID_A1: COMM_A1,
        }
    )


def org(org_id: str = "org-1", **facts: object) -> OrgFacts:
    base: dict = {"registration": "registered", "a_level": 3, "suspended": False, "stars": 4, "evaluation_avg": 85.0}
    base.update(facts)
    return OrgFacts(id=org_id, **base)


def offer(listing_id: str, title: str, description: str = "", *, regions: list[str] | None = None, **kw: object) -> Listing:
    fields: dict = {
        "category": None,
        "target_groups": [],
        "status": "published",
        "pricing": "free",
        "price_fen": 0,
        "capacity_per_month": 20,
        "org": org(),
    }
    fields.update(kw)
    return Listing(listing_id, "offer", title, description, region_codes=regions or [DISTRICT], **fields)


def index_of(tree: RegionTree, *listings: Listing, kinds: tuple[str, ...] = ("offer",)) -> MatchIndex:
    index = MatchIndex(tree, kinds=kinds)
    index.upsert_many(listings)
    return index


def ids(matches: list) -> list[str]:
    return [m.listing.id for m in matches]


MEAL = offer("meal", "长者助餐配送", "为高龄、独居老人提供营养午餐配送上门", category="elderly_care", target_groups=["elderly"])
CALLIGRAPHY = offer("calligraphy", "少儿书法兴趣班", "周末开设少儿书法课，培养书写习惯", category="culture_sport")
LAW = offer("law", "公益法律咨询", "律师每周坐班，解答合同、劳动争议等法律问题", category="legal")


# ------------------------------------------------------------------------------------------------ regions


def test_region_tree_ancestry_and_levels(tree: RegionTree) -> None:
    assert tree.ancestors(GRID_A1) == (GRID_A1, COMM_A1, SUB_A, DISTRICT)
    assert tree.contains(SUB_A, GRID_A1) and tree.contains(COMM_A1, COMM_A1)
    assert not tree.contains(COMM_A2, COMM_A1)
    assert tree.depth(DISTRICT) == 0 and tree.depth(GRID_A1) == 3
    assert [tree.level_name(c) for c in (DISTRICT, SUB_A, COMM_A1, GRID_A1)] == [
        "district", "subdistrict", "community", "grid",
    ]
    assert set(tree.descendants(SUB_A)) == {SUB_A, COMM_A1, COMM_A2, GRID_A1}


def test_unknown_region_is_a_root(tree: RegionTree) -> None:
    assert tree.ancestors("999999") == ("999999",)
    assert not tree.contains(DISTRICT, "999999")


# ------------------------------------------------------------------------------------------------ hard rules


def test_out_of_area_offer_is_left_out_or_flagged(tree: RegionTree) -> None:
    far = offer("far", "长者助餐配送", "为独居老人送餐上门", regions=[COMM_B1])
    index = index_of(tree, far, MEAL)
    need = Query("楼下王奶奶一个人住，做饭很困难", region_code=COMM_A1)

    assert ids(index.search(need)) == ["meal"]
    flagged = index.search(need, include_ineligible=True)
    assert ids(flagged) == ["meal", "far"]
    assert [m.eligible for m in flagged] == [True, False]
    assert "reach" in {r.rule for r in flagged[1].reasons}


def test_sibling_community_offer_does_not_reach(tree: RegionTree) -> None:
    sibling = offer("sibling", "长者助餐", "社区长者食堂", regions=[COMM_A2])
    index = index_of(tree, sibling)
    assert index.search(Query("老人助餐", region_code=COMM_A1)) == []
    assert ids(index.search(Query("老人助餐", region_code=COMM_A2))) == ["sibling"]


def test_district_wide_offer_reaches_community_and_grid_needs(tree: RegionTree) -> None:
    index = index_of(tree, MEAL)  # MEAL covers the whole district
    for place in (COMM_A1, COMM_B1, GRID_A1):
        assert ids(index.search(Query("老人吃饭难", region_code=place))) == ["meal"]


def test_nearer_offer_ranks_above_a_wider_one(tree: RegionTree) -> None:
    near = offer("near", "长者助餐配送", "为高龄、独居老人提供营养午餐配送上门", regions=[COMM_A1],
                 category="elderly_care", target_groups=["elderly"])
    index = index_of(tree, MEAL, near)
    found = index.search(Query("老人吃饭难", region_code=GRID_A1))
    assert ids(found) == ["near", "meal"]
    place = {m.listing.id: next(r for r in m.reasons if r.rule == "place").score for m in found}
    assert place["near"] > place["meal"]


def test_opportunity_eligibility_applies_to_offering_orgs(tree: RegionTree) -> None:
    low = offer("low-grade", "居家养老上门服务", "助餐助浴", org=org("o-low", a_level=2))
    filed = offer("filed", "居家养老上门服务", "助餐助浴", org=org("o-filed", a_level=4, registration="subdistrict_filed"))
    good = offer("good", "居家养老上门服务", "助餐助浴", org=org("o-good", a_level=3))
    index = index_of(tree, low, filed, good)
    query = Query("居家养老服务", region_codes=[SUB_A], eligibility={"min_a_level": 3, "registration_required": True})

    assert ids(index.search(query)) == ["good"]
    flagged = {m.listing.id: m for m in index.search(query, include_ineligible=True)}
    assert not flagged["low-grade"].eligible and not flagged["filed"].eligible
    details = {m: [r.detail for r in flagged[m].reasons if r.rule == "eligibility"] for m in ("low-grade", "filed")}
    assert "3A" in details["low-grade"][0]
    assert "登记" in details["filed"][0]


def test_registration_not_required_admits_filed_orgs(tree: RegionTree) -> None:
    filed = offer("filed", "居家养老上门服务", "助餐助浴", org=org("o-filed", a_level=0, registration="community_filed"))
    index = index_of(tree, filed)
    query = Query("居家养老服务", eligibility={"min_a_level": 0, "registration_required": False})
    assert ids(index.search(query)) == ["filed"]


def test_offer_sees_only_opportunities_its_org_may_bid_for(tree: RegionTree) -> None:
    def opportunity(listing_id: str, regions: list[str], min_a: int) -> Listing:
        return Listing(listing_id, "opportunity", "独居老人助餐服务采购", "为辖区独居老人提供助餐配送", "elderly_care",
                       ["elderly"], regions, "published", budget_fen=5_000_000,
                       eligibility={"min_a_level": min_a, "registration_required": True})

    index = index_of(tree, opportunity("open-to-2a", [SUB_A], 2), opportunity("needs-4a", [SUB_A], 4),
                     opportunity("elsewhere", [SUB_B], 0), kinds=("opportunity",))
    mine = offer("mine", "长者助餐配送", "送餐上门", regions=[COMM_A1], org=org("o", a_level=3), price_fen=3_000_000)
    found = index.search(query_from_listing(mine), kind="opportunity", include_ineligible=True)
    by_id = {m.listing.id: m for m in found}
    assert ids(found)[0] == "open-to-2a" and by_id["open-to-2a"].eligible
    assert not by_id["needs-4a"].eligible
    assert not by_id["elsewhere"].eligible and "reach" in {r.rule for r in by_id["elsewhere"].reasons}
    budget = next(r for r in by_id["open-to-2a"].reasons if r.rule == "budget")
    assert budget.score == 1.0


def test_offer_sees_needs_inside_its_areas_only(tree: RegionTree) -> None:
    def need(listing_id: str, place: str) -> Listing:
        return Listing(listing_id, "need", "老人吃饭难", "腿脚不好，做饭困难", None, [], [place], "open")

    index = index_of(tree, need("in-grid", GRID_A1), need("in-sub", COMM_A2), need("other-sub", COMM_B1),
                     kinds=("need",))
    mine = offer("mine", "长者助餐配送", "送餐上门", regions=[SUB_A])
    assert sorted(ids(index.search(query_from_listing(mine), kind="need"))) == ["in-grid", "in-sub"]


def test_suspended_org_matches_nothing(tree: RegionTree) -> None:
    index = index_of(tree, MEAL, offer("bad", "长者助餐配送", "送餐上门", org=org("o-bad", suspended=True)))
    need = Query("老人吃饭难", region_code=COMM_A1)
    assert ids(index.search(need)) == ["meal"]
    flagged = index.search(need, include_ineligible=True)
    assert flagged[-1].listing.id == "bad" and not flagged[-1].eligible
    assert "suspended" in {r.rule for r in flagged[-1].reasons}

    index.update_org(org("org-1", suspended=True))  # MEAL's organization
    assert index.search(need) == []


def test_suspended_offering_org_sees_no_needs(tree: RegionTree) -> None:
    need = Listing("n", "need", "老人吃饭难", "", None, [], [COMM_A1], "open")
    index = index_of(tree, need, kinds=("need",))
    mine = offer("mine", "长者助餐配送", "送餐上门", org=org("o", suspended=True))
    assert index.search(query_from_listing(mine), kind="need") == []


def test_include_ineligible_puts_eligible_results_first(tree: RegionTree) -> None:
    # The out-of-area offer reads better than the eligible one, yet comes after it.
    index = index_of(
        tree,
        offer("far", "独居老人助餐送餐上门", "腿脚不好做饭难的老人，送饭到家", regions=[COMM_B1],
              category="elderly_care", target_groups=["elderly"]),
        offer("near", "老年人日间照料", "提供午餐", regions=[COMM_A1], category="elderly_care"),
    )
    found = index.search(Query("腿脚不好做饭难，想要送饭到家", region_code=COMM_A1), include_ineligible=True)
    assert [m.eligible for m in found] == [True, False]
    assert found[1].score > found[0].score


# ------------------------------------------------------------------------------------------------ meaning


def test_colloquial_meal_need_finds_meal_offer(tree: RegionTree) -> None:
    index = index_of(tree, CALLIGRAPHY, LAW, MEAL)
    found = index.search(Query("楼下王奶奶一个人住，腿脚不好，做饭很困难", region_code=COMM_A1))
    assert found[0].listing.id == "meal"
    text = next(r for r in found[0].reasons if r.rule == "text")
    assert "助餐" in text.detail


POOL = [
    MEAL, CALLIGRAPHY, LAW,
    offer("after-school", "四点半课堂", "为双职工家庭小学生提供课后托管和作业辅导", category="children_youth"),
    offer("dementia", "认知症友好社区", "开展认知症筛查、认知训练和防走失手环发放"),
    offer("veterans", "退役军人服务站", "为退役军人提供政策咨询、优抚帮扶和就业推荐"),
    offer("dv", "反家暴妇女维权", "为遭受家庭暴力的妇女提供庇护、心理支持和人身安全保护令申请协助"),
    offer("riders", "暖新驿站", "为快递员、外卖骑手提供休息、饮水、充电和应急药品"),
    offer("access", "无障碍设施改造", "为残疾人家庭修建坡道、安装扶手，改善出行"),
    offer("garbage", "垃圾分类督导", "桶边督导、厨余垃圾减量宣传"),
]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("孩子放学没人接，作业也没人管", "after-school"),
        ("我爸最近老忘事，出门还找不到家", "dementia"),
        ("我以前当过兵，有些政策想问问", "veterans"),
        ("老公喝了酒就动手打我，我不敢回家", "dv"),
        ("外卖小哥送餐没地方歇脚喝口水", "riders"),
        ("我妈坐轮椅，楼门口台阶太高出不去", "access"),
        ("小区垃圾乱扔没人管，臭得很", "garbage"),
    ],
)
def test_everyday_speech_reaches_the_right_service(tree: RegionTree, said: str, expected: str) -> None:
    index = index_of(tree, *POOL)
    assert index.search(Query(said, region_code=COMM_A1))[0].listing.id == expected


def test_need_without_shared_words_still_gets_offers_of_its_category(tree: RegionTree) -> None:
    elderly_far = offer("elderly-far", "老年人日间照料中心", "托老服务", regions=[COMM_B1], category="elderly_care")
    elderly_near = offer("elderly-near", "老年人日间照料中心", "托老服务", regions=[SUB_A], category="elderly_care")
    index = index_of(tree, elderly_far, elderly_near, CALLIGRAPHY)
    found = index.search(Query("嗯嗯", category="elderly_care", region_code=COMM_A1))
    assert ids(found) == ["elderly-near"]


def test_target_groups_are_inferred_from_words() -> None:
    assert infer_target_groups("我家奶奶带着小孙子") == ["elderly", "children"]
    assert infer_target_groups("外卖小哥和送快递的") == ["riders"]
    assert infer_target_groups("跑长途的货车司机") == ["drivers"]
    assert infer_target_groups("我是外地来的，在这边打工") == ["migrants"]
    assert "veterans" in infer_target_groups("我爸当过兵")
    assert "disabled" in infer_target_groups("坐轮椅的邻居")
    assert "hardship_families" in infer_target_groups("我们是低保户")
    assert "white_collar" in infer_target_groups("写字楼里的上班族")
    assert "youth" in infer_target_groups("初中生厌学")
    assert "women" in infer_target_groups("宝妈想找点事做")


def test_inferred_groups_score_in_matching(tree: RegionTree) -> None:
    index = index_of(tree, MEAL)
    found = index.search(Query("奶奶吃饭的问题", region_code=COMM_A1))
    groups = next(r for r in found[0].reasons if r.rule == "target_groups")
    assert groups.score == 1.0 and "老年人" in groups.detail


def test_category_is_inferred_from_concepts() -> None:
    assert infer_category("孩子放学没人接") == "children_youth"
    assert infer_category("楼上漏水，跟邻居吵了好几次") == "legal"
    assert infer_category("想找份工作") == "employment"
    assert infer_category("今天天气不错") is None
    assert "meal_help" in detect_concepts("腿脚不好做饭难")


# ------------------------------------------------------------------------------------------------ freshness


def test_upsert_replaces_and_remove_drops(tree: RegionTree) -> None:
    index = index_of(tree, MEAL, CALLIGRAPHY)
    assert len(index) == 2
    need = Query("老人吃饭难", region_code=COMM_A1)
    assert ids(index.search(need))[0] == "meal"

    index.upsert(offer("meal", "少儿美术", "周末绘画课", category="culture_sport"))  # same id, new text
    assert "meal" not in ids(index.search(need))
    assert len(index) == 2

    index.remove("calligraphy")
    index.remove("no-such-id")
    assert len(index) == 1
    assert "calligraphy" not in ids(index.search(Query("书法", region_code=COMM_A1)))


def test_withdrawn_or_draft_offers_leave_the_candidates(tree: RegionTree) -> None:
    index = index_of(tree, MEAL)
    need = Query("老人吃饭难", region_code=COMM_A1)
    index.upsert(offer("meal", MEAL.title, MEAL.description, status="withdrawn"))
    assert index.search(need, include_ineligible=True) == [] and len(index) == 0
    index.upsert(MEAL)
    assert ids(index.search(need)) == ["meal"]
    index.upsert(offer("draft", MEAL.title, MEAL.description, status="draft"))
    assert len(index) == 1


def test_index_stays_correct_through_compaction(tree: RegionTree) -> None:
    many = [offer(f"o{i}", f"少儿书法班{i}", "周末书法课", regions=[COMM_A1]) for i in range(1500)]
    index = index_of(tree, *many, MEAL)
    for i in range(1200):
        index.remove(f"o{i}")
    assert len(index) == 301
    assert ids(index.search(Query("老人吃饭难", region_code=COMM_A1)))[0] == "meal"
    assert len(index.search(Query("书法", region_code=COMM_A1), limit=500)) == 300


def test_wrong_kind_is_refused(tree: RegionTree) -> None:
    index = index_of(tree, MEAL)
    with pytest.raises(ValueError):
        index.search(Query("x"), kind="need")
    with pytest.raises(ValueError):
        index.upsert(Listing("n", "need", "t", "d", None, [], [COMM_A1], "open"))


# ------------------------------------------------------------------------------------------------ output


def test_scores_and_reasons_are_well_formed(tree: RegionTree) -> None:
    index = index_of(tree, *POOL, offer("far", "长者助餐", "送餐", regions=[COMM_B1]))
    query = Query("楼下王奶奶一个人住，做饭很困难", region_code=COMM_A1, budget_fen=100_000)
    found = index.search(query, limit=20, include_ineligible=True)
    assert found
    assert [m.score for m in found if m.eligible] == sorted((m.score for m in found if m.eligible), reverse=True)
    for match in found:
        assert 0 <= match.score <= 100
        rules = {r.rule for r in match.reasons}
        assert {"text", "category", "place", "budget", "org_record"} <= rules <= set(RULE_WEIGHTS) | HARD_RULES
        for reason in match.reasons:
            assert 0 <= reason.score <= 1 and reason.detail
            assert reason.weight == (0.0 if reason.rule in HARD_RULES else RULE_WEIGHTS[reason.rule])
        assert match.eligible == (not rules & HARD_RULES)


def test_limit_is_respected(tree: RegionTree) -> None:
    index = index_of(tree, *POOL)
    assert len(index.search(Query("服务", region_code=COMM_A1), limit=3)) <= 3
    assert index.search(Query("老人吃饭"), limit=0) == []


# ------------------------------------------------------------------------------------------------ data and text


def test_thesaurus_is_broad() -> None:
    thesaurus = default_thesaurus()
    assert len(thesaurus.concepts) >= 150
    assert {c.category for c in thesaurus.concepts.values()} == set(CATEGORY_CODES)
    assert all(c.terms and c.phrases for c in thesaurus.concepts.values())


def test_text_normalisation_and_boilerplate() -> None:
    assert normalize("ＡＢＣ１２３，四点半课堂！") == "abc123 四点半课堂"
    words = content_words("我们社区为辖区居民提供四点半课堂服务")
    assert "四点半课堂" in words
    assert not {"我们", "社区", "辖区", "居民", "提供", "服务"} & set(words)


def test_pure_python_fallbacks_agree_with_rjieba() -> None:
    from exchange.chinese import concepts, text

    analyzer = concepts.default_analyzer()
    triggers = sorted(t for t in analyzer.matcher._direct if concepts.is_han(t))
    python_finder = concepts._python_trigger_finder(triggers)
    for said in ("楼下王奶奶一个人住，腿脚不好，做饭很困难", "四点半课堂和适老化改造", "外卖小哥没地方歇脚"):
        folded = analyzer.fold(said)
        assert python_finder(folded) == set(analyzer.matcher._finder(folded)) & set(triggers)
    backend = text._JiebaBackend()
    for word in text.DOMAIN_WORDS[:5]:
        backend.add(word)
    assert "四点半课堂" in backend.cut("社区开设四点半课堂")


def test_traditional_characters_and_dialect_are_folded() -> None:
    assert "meal_help" in detect_concepts("奶奶一個人住，做飯很困難")
    assert "after_school" in detect_concepts("屋头莫得人，娃儿放学没人接")
    assert infer_target_groups("屋企冇人，阿婆行动唔方便") == ["elderly"]


# ------------------------------------------------------------------------------------------------ stored analyses


def stored(listing: Listing) -> Listing:
    """The listing as read back from the database: its analysis made at write time, through JSON."""
    made = default_analyzer().analyse(f"{listing.title}。{listing.description}")
    return replace(listing, analysis=analysis_from_json(json.loads(json.dumps(analysis_to_json(made)))))


def rankings(index: MatchIndex, queries: list[Query]) -> list[list[tuple[str, float, list[tuple[str, float, str]]]]]:
    return [
        [(m.listing.id, m.score, [(r.rule, r.score, r.detail) for r in m.reasons])
         for m in index.search(q, limit=len(POOL), include_ineligible=True)]
        for q in queries
    ]


QUERIES = [
    Query("楼下王奶奶一个人住，腿脚不好，做饭很困难", region_code=COMM_A1),
    Query("孩子放学没人接，作业也没人管", region_code=COMM_A2),
    Query("外卖小哥送餐没地方歇脚喝口水", region_code=COMM_B1),
    Query("嗯嗯", category="elderly_care", region_code=COMM_A1),
    Query("律师 合同纠纷", budget_fen=5000),
]


def test_stored_analysis_round_trips_through_json() -> None:
    made = default_analyzer().analyse("外卖小哥送餐没地方歇脚喝口水。爷爷奶奶腿脚不好")
    data = analysis_to_json(made)
    assert data["v"] == ANALYSIS_VERSION == default_analyzer().version
    back = analysis_from_json(json.loads(json.dumps(data)))
    assert back == made and back is not None and back.version == ANALYSIS_VERSION
    assert analysis_from_json(None) is None
    assert analysis_from_json({"v": ANALYSIS_VERSION, "w": ["x"]}) is None  # malformed: analysed again


def test_index_from_stored_analyses_ranks_exactly_like_one_that_analyses(tree: RegionTree) -> None:
    fresh = index_of(tree, *POOL)
    from_storage = index_of(tree, *map(stored, POOL))
    assert all(listing.analysis is not None for listing in map(stored, POOL))
    assert rankings(from_storage, QUERIES) == rankings(fresh, QUERIES)
    # single upserts take the same path
    single = MatchIndex(tree)
    for listing in map(stored, POOL):
        single.upsert(listing)
    assert rankings(single, QUERIES) == rankings(fresh, QUERIES)


def test_a_current_stored_analysis_is_used_instead_of_the_text(tree: RegionTree) -> None:
    # An analysis that disagrees with the text shows which one the index read.
    legal = default_analyzer().analyse("公益法律咨询。律师解答合同、劳动争议等法律问题")
    index = index_of(tree, replace(CALLIGRAPHY, analysis=legal), MEAL)
    assert ids(index.search(Query("律师 合同纠纷 法律咨询")))[:1] == ["calligraphy"]


def test_a_stored_analysis_of_another_version_is_ignored(tree: RegionTree) -> None:
    legal = default_analyzer().analyse("公益法律咨询。律师解答合同、劳动争议等法律问题")
    outdated = replace(legal, version="0ld7hesaurus")
    data = {**analysis_to_json(legal), "v": "0ld7hesaurus"}
    assert analysis_from_json(data) is None
    unversioned = Analysis(legal.words, legal.concepts, legal.groups, legal.categories)
    for analysis in (outdated, unversioned):
        index = index_of(tree, replace(CALLIGRAPHY, analysis=analysis), MEAL)
        assert "calligraphy" not in ids(index.search(Query("律师 合同纠纷 法律咨询")))
        assert rankings(index_of(tree, *POOL[:1], replace(CALLIGRAPHY, analysis=analysis)), QUERIES) == \
            rankings(index_of(tree, *POOL[:2]), QUERIES)
