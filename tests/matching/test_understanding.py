"""What the engine understands of resident speech: typos, traditional characters, dialect, long
messages, what an offer is for, and what managers' verdicts teach it (no database, no HTTP)."""

from __future__ import annotations

import pytest

from exchange.chinese.concepts import default_analyzer
from exchange.matching.engine import MatchIndex, Query, RegionTree
from exchange.matching.feedback import FeedbackModel
from tests.matching.test_engine import COMM_A1, DISTRICT, SUB_A, offer


@pytest.fixture(scope="module")
def tree() -> RegionTree:
    return RegionTree({DISTRICT: None, SUB_A: DISTRICT, COMM_A1: SUB_A})


@pytest.fixture(scope="module")
def index(tree: RegionTree) -> MatchIndex:
    idx = MatchIndex(tree)
    idx.upsert_many([
        offer("escort", "陪诊就医服务", "陪同老人挂号、候诊、取药。", category="elderly_care"),
        offer("meal", "长者助餐配送", "每天中午为老人送餐上门。", category="elderly_care"),
        offer("food-safety", "食品安全检查与宣传", "巡查助餐点、老年食堂和餐馆后厨卫生，普及食品安全知识。",
              category="safety"),
        offer("kids-safety", "儿童安全教育课", "讲授防溺水、防拐骗和交通安全，课后托管班的孩子也可参加。",
              category="safety"),
        offer("after-school", "四点半课堂", "放学后作业辅导和托管照看。", category="children_youth"),
        offer("mediation", "邻里纠纷调解", "调解员上门化解漏水、噪音等邻里矛盾。", category="legal"),
        offer("bath", "上门助浴", "护理员带设备上门为老人洗澡。", category="elderly_care"),
    ])
    return idx


def top(index: MatchIndex, text: str) -> str:
    return index.search(Query(text, region_code=COMM_A1), limit=3)[0].listing.id


@pytest.mark.parametrize(("text", "expected"), [
    ("想找个人陪珍，我妈下周要去医院", "escort"),  # 陪珍: a pinyin-input slip for 陪诊
    ("老人住餐的地方有没有", "meal"),  # 住餐 for 助餐
    ("老人家裡浴室太滑，他自己不敢洗澡，子女又不在身邊", "bath"),  # traditional characters
    ("屋头老汉儿煮饭煮不动咯，有莫得人送点饭来", "meal"),  # Sichuan words
    ("邻居阳台天天往下滴水，说了好几次都不理", "mediation"),  # a situation, not a service name
])
def test_resident_speech_finds_the_service(index: MatchIndex, text: str, expected: str) -> None:
    assert top(index, text) == expected


def test_a_shared_word_is_not_a_shared_service(index: MatchIndex) -> None:
    """食品安全检查 mentions 助餐点 and 儿童安全教育 mentions 托管 in passing: neither is what they are for."""
    assert top(index, "老人吃饭难，想找人每天送饭") == "meal"
    assert top(index, "孩子放学早，没人管作业，想找个托管的地方") == "after-school"


def test_sound_alikes_need_word_boundaries_and_a_real_difference() -> None:
    analyzer = default_analyzer()
    assert "escort_medical" in analyzer.analyse_query("找人陪珍").concepts
    assert "陪诊" in analyzer.analyse_query("找人陪珍").words
    # 心里 is a word of its own, not a typo of 心理; 圾分 straddles 拉圾|分类 and is not 积分.
    assert "心理" not in analyzer.analyse_query("我心里想的是别的事").words
    assert "积分" not in analyzer.analyse_query("拉圾分类咋个分").words
    # Listings are analysed as written: no guessing at typos there.
    assert "陪诊" not in analyzer.analyse("找人陪珍").words


def test_the_need_inside_a_long_story_weighs_more() -> None:
    story = ("我老公去年生病走了，我一个人带着两个孩子，打零工挣的钱只够吃饭，"
             "大的那个马上要上初中了，想给他买辆自行车上学，实在拿不出钱")
    analysis = default_analyzer().analyse_query(story)
    assert analysis.background  # the story's concepts are heard, but weigh less than the ask
    assert all(weight < 1 for weight in analysis.background.values())
    assert not set(analysis.background) >= set(analysis.concepts)


def test_feedback_is_the_same_whatever_order_verdicts_arrive_in() -> None:
    verdicts = [(["c:meal_help", "w:送饭"], ["meal_help"], "o1", True),
                (["c:meal_help"], ["food_safety"], "o2", False),
                (["w:送饭", "w:老人"], ["home_care", "meal_help"], "o1", False)]
    one, two = FeedbackModel(), FeedbackModel()
    for v in verdicts:
        one.add(*v)
    for v in reversed(verdicts):
        two.add(*v)
    features = ["c:meal_help", "w:送饭", "w:老人"]
    assert one.concept_scores(features) == pytest.approx(two.concept_scores(features))
    assert one.orgs == two.orgs


def test_a_bad_verdict_lowers_what_was_judged_for_similar_queries(tree: RegionTree) -> None:
    idx = MatchIndex(tree)
    idx.upsert_many([offer("meal", "长者助餐配送", "每天中午为老人送餐上门。", category="elderly_care"),
                     offer("care", "居家养老上门照护", "上门照料老人，协助做饭、陪伴。", category="elderly_care")])
    query = Query("我妈一个人在家做饭困难，想找人照顾", region_code=COMM_A1)
    first, second = [m.listing.id for m in idx.search(query)]
    assert idx.learn(query, first, good=False)
    assert not idx.learn(query, "gone", good=True)  # a listing no longer indexed teaches nothing
    assert [m.listing.id for m in idx.search(query)] == [second, first]
    similar = Query("老妈在家做饭困难，想找人照顾她", region_code=COMM_A1)
    assert idx.search(similar)[0].listing.id == second
