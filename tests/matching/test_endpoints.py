"""Matching over HTTP: hard rules, the concept layer on colloquial text, freshness, two processes."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from exchange.app import create_app
from tests.builders import COMM_A1, COMM_A2, COMM_B1, DISTRICT, SUB_A, make_org_user, make_user, seed_regions
from tests.conftest import make_settings

MEAL = {"title": "老年助餐配送服务", "description": "为辖区独居、高龄老人提供助餐配送和上门送餐，营养配餐。",
        "category": "elderly_care", "target_groups": ["elderly"], "pricing": "low_cost", "price_fen": 1500}
LAW = {"title": "法律咨询进社区", "description": "律师提供免费法律咨询、合同审查和纠纷调解。",
       "category": "legal", "target_groups": ["residents"], "pricing": "free", "price_fen": 0}
NEED = {"title": "王奶奶吃饭难", "description": "楼下王奶奶一个人住，腿脚不好，做饭很困难"}


async def publish_offer(client: httpx.AsyncClient, org: Any, fields: dict[str, Any], regions: list[str]) -> dict[str, Any]:
    r = await client.post("/offers", json={**fields, "region_codes": regions}, headers=org.headers)
    assert r.status_code == 201, r.text
    r = await client.post(f"/offers/{r.json()['id']}/publish", headers=org.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def post_need(client: httpx.AsyncClient, resident: Any, region: str = COMM_A1) -> dict[str, Any]:
    r = await client.post("/needs", json={**NEED, "region_code": region}, headers=resident.headers)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
async def world(app: Any, client: httpx.AsyncClient) -> dict[str, Any]:
    await seed_regions(app)
    org, _ = await make_org_user(app, "org", a_level=2)
    other, _ = await make_org_user(app, "org", a_level=4)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    manager = await make_user(app, "manager")
    return {"org": org, "other": other, "resident": resident, "manager": manager}


def offer_ids(body: dict[str, Any]) -> list[str]:
    return [item["offer"]["id"] for item in body["items"]]


async def test_colloquial_need_finds_meal_help_and_reach_rule_applies(client: httpx.AsyncClient, world: dict) -> None:
    district_meal = await publish_offer(client, world["org"], MEAL, [DISTRICT])
    sibling_meal = await publish_offer(client, world["other"], MEAL, [COMM_A2])
    law = await publish_offer(client, world["other"], LAW, [SUB_A])
    need = await post_need(client, world["resident"])

    r = await client.get(f"/needs/{need['id']}/matches")
    assert r.status_code == 200, r.text
    ids = offer_ids(r.json())
    assert ids[0] == district_meal["id"], "the meal-help offer ranks first for 做饭很困难"
    assert sibling_meal["id"] not in ids, "an offer for a sibling community never reaches the need"
    if law["id"] in ids:
        assert ids.index(law["id"]) > 0
    first = r.json()["items"][0]
    assert first["eligible"] is True and 0 <= first["score"] <= 100
    assert {"rule", "score", "weight", "detail"} <= set(first["reasons"][0])

    r = await client.get(f"/needs/{need['id']}/matches", params={"include_ineligible": "true"})
    items = r.json()["items"]
    flags = [i["eligible"] for i in items]
    assert flags == sorted(flags, reverse=True), "eligible results come first"
    out_of_area = [i for i in items if i["offer"]["id"] == sibling_meal["id"]]
    assert out_of_area and out_of_area[0]["eligible"] is False
    assert any(reason["weight"] == 0 or "reach" in reason["rule"] for reason in out_of_area[0]["reasons"])


async def test_withdrawn_offer_is_never_matched_and_new_one_appears(app: Any, database_url: str, world: dict) -> None:
    fresh = create_app(make_settings(database_url, matching_sync_seconds=0.001))
    async with fresh.router.lifespan_context(fresh):
        transport = httpx.ASGITransport(app=fresh)
        async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
            meal = await publish_offer(c, world["org"], MEAL, [DISTRICT])
            need = await post_need(c, world["resident"])
            assert offer_ids((await c.get(f"/needs/{need['id']}/matches")).json())[0] == meal["id"]

            r = await c.post(f"/offers/{meal['id']}/withdraw", headers=world["org"].headers)
            assert r.status_code == 200, r.text
            assert meal["id"] not in offer_ids((await c.get(f"/needs/{need['id']}/matches")).json())

            second = await publish_offer(c, world["other"], {**MEAL, "title": "长者食堂助餐"}, [COMM_A1])
            assert second["id"] in offer_ids((await c.get(f"/needs/{need['id']}/matches")).json())

            r = await c.patch(f"/offers/{second['id']}", json={"region_codes": [COMM_B1]}, headers=world["other"].headers)
            assert r.status_code == 200, r.text
            assert second["id"] not in offer_ids((await c.get(f"/needs/{need['id']}/matches")).json())


async def test_offer_withdrawn_before_the_index_catches_up_is_replaced_not_answered(
        app: Any, database_url: str, world: dict) -> None:
    """The index lags (it would catch up only hourly): the answer is still read again, the withdrawn
    offer is dropped, and the page is filled by ranking again after catching up."""
    lagging = create_app(make_settings(database_url, matching_sync_seconds=3600))
    async with lagging.router.lifespan_context(lagging):
        transport = httpx.ASGITransport(app=lagging)
        async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
            first = await publish_offer(c, world["org"], MEAL, [DISTRICT])
            second = await publish_offer(c, world["other"], MEAL, [DISTRICT])
            need = await post_need(c, world["resident"])
            top = offer_ids((await c.get(f"/needs/{need['id']}/matches", params={"limit": 1})).json())
            assert top and top[0] in {first["id"], second["id"]}

            owner = world["org"] if top[0] == first["id"] else world["other"]
            r = await c.post(f"/offers/{top[0]}/withdraw", headers=owner.headers)
            assert r.status_code == 200, r.text
            r = await c.get(f"/needs/{need['id']}/matches", params={"limit": 1})
            assert r.status_code == 200, r.text
            other = second["id"] if top[0] == first["id"] else first["id"]
            assert offer_ids(r.json()) == [other], "the withdrawn offer is never answered; the page is refilled"


async def test_suspended_organization_matches_nothing(app: Any, client: httpx.AsyncClient, world: dict) -> None:
    meal = await publish_offer(client, world["org"], MEAL, [DISTRICT])
    need = await post_need(client, world["resident"])
    assert meal["id"] in offer_ids((await client.get(f"/needs/{need['id']}/matches")).json())
    admin = await make_user(app, "admin")
    org_id = world["org"].user.organization_id
    r = await client.patch(f"/organizations/{org_id}", json={"status": "suspended"}, headers=admin.headers)
    assert r.status_code == 200, r.text
    r = await client.get(f"/needs/{need['id']}/matches", params={"include_ineligible": "true"})
    assert meal["id"] not in [i["offer"]["id"] for i in r.json()["items"] if i["eligible"]]


async def test_opportunity_eligibility_is_a_hard_rule(app: Any, client: httpx.AsyncClient, world: dict) -> None:
    buyer, _ = await make_org_user(app, "buyer")
    need = await post_need(client, world["resident"])
    low = await publish_offer(client, world["org"], MEAL, [DISTRICT])  # a_level 2
    high = await publish_offer(client, world["other"], MEAL, [DISTRICT])  # a_level 4
    body = {"title": "居家养老助餐服务项目", "description": "为玉林街道高龄独居老人提供助餐配送服务", "category": "elderly_care",
            "target_groups": ["elderly"], "region_codes": [SUB_A], "budget_fen": 20_000_000,
            "bid_deadline": (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).isoformat(),
            "eligibility": {"min_a_level": 3, "registration_required": True},
            "rubric": [{"criterion": "方案", "weight": 60}, {"criterion": "价格", "weight": 40}]}
    r = await client.post("/opportunities", json=body, headers=buyer.headers)
    assert r.status_code == 201, r.text
    opp = r.json()
    r = await client.post(f"/opportunities/{opp['id']}/publish", headers=buyer.headers)
    assert r.status_code == 200, r.text

    ids = offer_ids((await client.get(f"/opportunities/{opp['id']}/matches")).json())
    assert high["id"] in ids and low["id"] not in ids
    r = await client.get(f"/opportunities/{opp['id']}/matches", params={"include_ineligible": "true"})
    by_id = {i["offer"]["id"]: i for i in r.json()["items"]}
    assert by_id[low["id"]]["eligible"] is False

    # the other direction: the eligible org's offer finds the opportunity and the need
    r = await client.get(f"/offers/{high['id']}/matches")
    assert r.status_code == 200, r.text
    kinds = {("opportunity" if i.get("opportunity") else "need"): i for i in r.json()["items"]}
    assert kinds["opportunity"]["opportunity"]["id"] == opp["id"]
    assert kinds["need"]["need"]["id"] == need["id"]
    r = await client.get(f"/offers/{low['id']}/matches")
    assert opp["id"] not in [i["opportunity"]["id"] for i in r.json()["items"] if i.get("opportunity")]


async def test_search_validation_and_results(client: httpx.AsyncClient, world: dict) -> None:
    meal = await publish_offer(client, world["org"], MEAL, [DISTRICT])
    r = await client.post("/matches/search", json={"text": "我爸爸腿脚不便，没人给他做饭", "region_code": COMM_A1})
    assert r.status_code == 200, r.text
    assert offer_ids(r.json())[0] == meal["id"]
    for bad, code in [({"text": "助餐", "limit": 101}, "validation_failed"), ({"text": ""}, "validation_failed"),
                      ({"text": "助餐", "category": "nope"}, "unknown_category"),
                      ({"text": "助餐", "region_code": "999999"}, "unknown_region")]:
        r = await client.post("/matches/search", json=bad)
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    r = await client.get("/needs/00000000-0000-0000-0000-000000000000/matches")
    assert r.status_code == 404
    r = await client.get(f"/offers/{meal['id']}/matches", params={"limit": 500})
    assert r.status_code == 422


async def test_feedback_is_for_managers(client: httpx.AsyncClient, world: dict) -> None:
    meal = await publish_offer(client, world["org"], MEAL, [DISTRICT])
    body = {"source_type": "search", "candidate_type": "offer", "candidate_id": meal["id"], "verdict": "good"}
    assert (await client.post("/matches/feedback", json=body, headers=world["resident"].headers)).status_code == 403
    r = await client.post("/matches/feedback", json=body, headers=world["manager"].headers)
    assert r.status_code == 201, r.text
    r = await client.get("/matches/feedback", headers=world["manager"].headers)
    assert [f["candidate_id"] for f in r.json()["items"]] == [meal["id"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "EXCHANGE_DATABASE_URL": database_url, "EXCHANGE_ENV": "dev",
           "EXCHANGE_TICK_INTERVAL_SECONDS": "0", "EXCHANGE_MATCHING_SYNC_SECONDS": "0.2"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "exchange.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}/api/v1"
    deadline = time.monotonic() + 90  # a loaded CI machine imports slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def _eventually(check: Any, seconds: float = 5.0) -> Any:
    """Poll a cross-process condition for a bounded time (processes sync on their own schedule)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _two_processes_scenario(database_url: str, world: dict) -> None:
    a, base_a = _start_server(database_url)
    b, base_b = _start_server(database_url)
    try:
        with httpx.Client(timeout=10) as http:
            need = http.post(f"{base_a}/needs", json={**NEED, "region_code": COMM_A1}, headers=world["resident"].headers)
            assert need.status_code == 201, need.text
            need_id = need.json()["id"]
            assert http.get(f"{base_b}/needs/{need_id}/matches").json()["items"] == []

            created = http.post(f"{base_a}/offers", json={**MEAL, "region_codes": [DISTRICT]}, headers=world["org"].headers)
            offer_id = created.json()["id"]
            assert http.post(f"{base_a}/offers/{offer_id}/publish", headers=world["org"].headers).status_code == 200

            def seen_by_b() -> bool:
                return offer_id in offer_ids(http.get(f"{base_b}/needs/{need_id}/matches").json())

            assert _eventually(seen_by_b), "process B sees an offer published through process A"
            assert http.post(f"{base_b}/offers/{offer_id}/withdraw", headers=world["org"].headers).status_code == 200
            assert offer_id not in offer_ids(http.get(f"{base_a}/needs/{need_id}/matches").json()), \
                "process A never answers an offer withdrawn through process B"
    finally:
        for proc in (a, b):
            proc.terminate()
            proc.wait(timeout=10)


async def test_two_server_processes_agree(app: Any, database_url: str, world: dict) -> None:
    await asyncio.to_thread(_two_processes_scenario, database_url, world)


async def test_a_listing_without_any_word_does_not_break_matching(app, database_url: str, world: dict) -> None:
    """Text that yields no term ("0", punctuation) must neither fail itself nor poison the index for others."""
    fresh = create_app(make_settings(database_url, matching_sync_seconds=0.001))
    async with fresh.router.lifespan_context(fresh):
        transport = httpx.ASGITransport(app=fresh)
        async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
            meal = await publish_offer(c, world["org"], MEAL, [DISTRICT])
            need = await post_need(c, world["resident"])
            assert (await c.get(f"/needs/{need['id']}/matches")).status_code == 200
            r = await c.post("/needs", json={"title": "00", "description": "。。。", "region_code": COMM_A1},
                             headers=world["resident"].headers)
            assert r.status_code == 201, r.text
            assert (await c.get(f"/needs/{r.json()['id']}/matches")).status_code == 200
            r = await c.post("/matches/search", json={"text": "0"})
            assert r.status_code == 200, r.text
            assert offer_ids((await c.get(f"/needs/{need['id']}/matches")).json())[0] == meal["id"]


HOME_CARE = {"title": "居家养老上门照护", "description": "护理员上门为老人提供照料、助餐协助和陪伴。",
             "category": "elderly_care", "target_groups": ["elderly"], "pricing": "low_cost", "price_fen": 2000}


async def test_managers_verdicts_adjust_the_ranking(app: Any, database_url: str, world: dict) -> None:
    """A manager marks the first answer to a search bad: the same search, and a similar one, rank it lower."""
    fresh = create_app(make_settings(database_url, matching_sync_seconds=0.001))
    async with fresh.router.lifespan_context(fresh):
        transport = httpx.ASGITransport(app=fresh)
        async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
            meal = await publish_offer(c, world["org"], MEAL, [DISTRICT])
            care = await publish_offer(c, world["other"], HOME_CARE, [DISTRICT])
            text = "我妈腿脚不好，一个人在家做饭困难，想找人照顾"
            search = {"text": text, "region_code": COMM_A1}
            first = (await c.post("/matches/search", json=search)).json()
            assert offer_ids(first)[:2] == [meal["id"], care["id"]]
            assert {r["rule"] for r in first["items"][0]["reasons"]}.isdisjoint({"feedback"})
            verdict = {"source_type": "search", "candidate_type": "offer", "candidate_id": meal["id"],
                       "verdict": "bad", "query_text": text}
            r = await c.post("/matches/feedback", json=verdict, headers=world["manager"].headers)
            assert r.status_code == 201, r.text
            assert r.json()["query_text"] == text
            after = (await c.post("/matches/search", json=search)).json()
            assert offer_ids(after)[:2] == [care["id"], meal["id"]]
            reasons = {r["rule"]: r for r in after["items"][1]["reasons"]}
            assert reasons["feedback"]["score"] < 0.5 and "较差" in reasons["feedback"]["detail"]
            similar = {"text": "老妈做饭困难，腿脚也不好，想找人照顾她", "region_code": COMM_A1}
            assert offer_ids((await c.post("/matches/search", json=similar)).json())[0] == care["id"]


async def test_same_query_same_ranking_whatever_the_load_order(app: Any, client: httpx.AsyncClient, world: dict,
                                                               database_url: str) -> None:
    """Offers that tie on every rule come back in one order, in every process, however they were loaded."""
    ids = [(await publish_offer(client, world["org"], MEAL, [DISTRICT]))["id"] for _ in range(6)]
    search = {"text": "老人助餐配送", "region_code": COMM_A1}
    orders = []
    for _ in range(2):  # two fresh processes' worth of indexes, built from the database
        fresh = create_app(make_settings(database_url))
        async with fresh.router.lifespan_context(fresh):
            transport = httpx.ASGITransport(app=fresh)
            async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
                body = (await c.post("/matches/search", json=search)).json()
                assert len({i["score"] for i in body["items"]}) == 1  # a six-way tie
                orders.append(offer_ids(body))
    assert orders[0] == orders[1] and sorted(orders[0]) == sorted(ids)
