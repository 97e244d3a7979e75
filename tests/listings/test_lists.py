"""List queries: cursor pagination under inserts, every filter, sorting, Chinese `q`."""

from __future__ import annotations

import datetime as dt

from exchange.kit.clock import now
from tests.builders import COMM_A1, COMM_A2, COMM_B1, DISTRICT, GRID_A1, SUB_A
from tests.listings.world import cast, create, need_body, offer_body, opportunity_body, published


async def ids(client, path: str, **params: object) -> list[str]:
    r = await client.get(path, params=params)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


async def test_pagination_is_stable_under_inserts(app, client, clock) -> None:
    c = await cast(app)
    made = []
    for i in range(7):
        clock.advance(seconds=1)
        made.append((await published(client, c.org, "/offers", offer_body(title=f"服务{i}")))["id"])
    seen: list[str] = []
    r = (await client.get("/offers", params={"limit": 3})).json()
    seen += [i["id"] for i in r["items"]]
    for _ in range(2):  # insert newer offers between pages: they must not shift the pages already read
        clock.advance(seconds=1)
        await published(client, c.org, "/offers", offer_body(title="插入的服务"))
    while r["next_cursor"]:
        r = (await client.get("/offers", params={"limit": 3, "cursor": r["next_cursor"]})).json()
        seen += [i["id"] for i in r["items"]]
    assert seen == list(reversed(made))  # newest first, no duplicates, no skips
    r = await client.get("/offers", params={"cursor": "garbage"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_cursor"
    r = await client.get("/offers", params={"limit": 201})
    assert r.status_code == 422


async def test_region_overlap(app, client) -> None:
    """At X, under X, or containing X — never a sibling."""
    c = await cast(app)
    at_district = (await published(client, c.org, "/offers", offer_body(region_codes=[DISTRICT])))["id"]
    at_a1 = (await published(client, c.org, "/offers", offer_body(region_codes=[COMM_A1])))["id"]
    at_grid = (await published(client, c.org, "/offers", offer_body(region_codes=[GRID_A1])))["id"]
    at_a2 = (await published(client, c.org, "/offers", offer_body(region_codes=[COMM_A2])))["id"]
    at_b1 = (await published(client, c.org, "/offers", offer_body(region_codes=[COMM_B1])))["id"]
    assert set(await ids(client, "/offers", region=COMM_A1)) == {at_district, at_a1, at_grid}
    assert set(await ids(client, "/offers", region=SUB_A)) == {at_district, at_a1, at_grid, at_a2}
    assert set(await ids(client, "/offers", region=DISTRICT)) == {at_district, at_a1, at_grid, at_a2, at_b1}
    assert set(await ids(client, "/offers", region=GRID_A1)) == {at_district, at_a1, at_grid}
    r = await client.get("/offers", params={"region": "999999"})
    assert r.status_code == 422 and r.json()["code"] == "unknown_region"
    need_a1 = (await create(client, c.resident, "/needs", need_body(region_code=GRID_A1)))["id"]
    need_b1 = (await create(client, c.resident, "/needs", need_body(region_code=COMM_B1)))["id"]
    assert await ids(client, "/needs", region=COMM_A1) == [need_a1]
    assert set(await ids(client, "/needs", region=DISTRICT)) == {need_a1, need_b1}
    opp = (await published(client, c.buyer, "/opportunities", opportunity_body(region_codes=[SUB_A])))["id"]
    assert await ids(client, "/opportunities", region=GRID_A1) == [opp]
    assert await ids(client, "/opportunities", region=COMM_B1) == []


async def test_filters(app, client, clock) -> None:
    c = await cast(app)
    cheap = (await published(client, c.org, "/offers", offer_body(price_fen=1000, target_groups=["children"])))["id"]
    dear = (await published(client, c.other_org, "/offers", offer_body(
        price_fen=90_000, category="elderly_care", target_groups=["elderly", "disabled"])))["id"]
    draft = (await create(client, c.org, "/offers", offer_body()))["id"]
    assert set(await ids(client, "/offers")) == {cheap, dear}
    assert await ids(client, "/offers", category="elderly_care") == [dear]
    assert await ids(client, "/offers", target_group="disabled") == [dear]
    assert await ids(client, "/offers", target_group="children") == [cheap]
    assert await ids(client, "/offers", budget_min_fen=5000) == [dear]
    assert await ids(client, "/offers", budget_max_fen=5000) == [cheap]
    assert await ids(client, "/offers", org_id=str(c.org_org.id)) == [cheap]
    assert await ids(client, "/offers", sort="price") == [cheap, dear]
    # drafts: only their organization (and staff) see them, only when asked for
    assert await ids(client, "/offers", status="draft") == []
    r = await client.get("/offers", params={"status": "draft"}, headers=c.org.headers)
    assert [i["id"] for i in r.json()["items"]] == [draft]
    r = await client.get("/offers", params={"status": "draft"}, headers=c.other_org.headers)
    assert r.json()["items"] == []
    r = await client.get("/offers", params={"status": "draft"}, headers=c.manager.headers)
    assert [i["id"] for i in r.json()["items"]] == [draft]
    # updated_since
    since = (now() + dt.timedelta(seconds=30)).isoformat()
    clock.advance(minutes=1)
    r = await client.patch(f"/offers/{cheap}", json={"capacity_per_month": 10}, headers=c.org.headers)
    assert r.status_code == 200
    assert await ids(client, "/offers", updated_since=since) == [cheap]
    # opportunities: budget range and deadline / budget sorts
    a = (await published(client, c.buyer, "/opportunities", opportunity_body(budget_fen=100, bid_deadline=_in(20))))["id"]
    b = (await published(client, c.buyer, "/opportunities", opportunity_body(budget_fen=900, bid_deadline=_in(5))))["id"]
    assert await ids(client, "/opportunities", sort="deadline") == [b, a]
    assert await ids(client, "/opportunities", sort="budget") == [b, a]
    assert await ids(client, "/opportunities", budget_min_fen=500) == [b]
    assert await ids(client, "/opportunities", budget_max_fen=500) == [a]
    r = await client.get("/opportunities", params={"budget_min_fen": 9, "budget_max_fen": 1})
    assert r.status_code == 422 and r.json()["code"] == "invalid_range"
    r = await client.get("/opportunities", params={"org_id": "nope"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_org_id"
    r = await client.get("/opportunities", params={"sort": "random"})
    assert r.status_code == 422


def _in(days: float) -> str:
    return (now() + dt.timedelta(days=days)).isoformat()


async def test_chinese_text_search(app, client) -> None:
    c = await cast(app)
    meal = (await published(client, c.org, "/offers", offer_body(title="居家养老助餐服务", description="为老人送餐上门")))["id"]
    kids = (await published(client, c.org, "/offers", offer_body(title="四点半课堂", description="作业辅导")))["id"]
    assert await ids(client, "/offers", q="养老") == [meal]
    assert await ids(client, "/offers", q="助餐") == [meal]
    assert await ids(client, "/offers", q="养老 送餐") == [meal]
    assert await ids(client, "/offers", q="四点半课堂") == [kids]
    assert await ids(client, "/offers", q="法律援助") == []
    assert await ids(client, "/offers", q="！") == []
    # the index follows edits
    r = await client.patch(f"/offers/{kids}", json={"title": "暑期托管班"}, headers=c.org.headers)
    assert r.status_code == 200
    assert await ids(client, "/offers", q="四点半课堂") == []
    assert await ids(client, "/offers", q="托管") == [kids]
    need = (await create(client, c.resident, "/needs", need_body()))["id"]
    assert await ids(client, "/needs", q="腿脚") == [need]
    opp = (await published(client, c.buyer, "/opportunities", opportunity_body(title="社区微更新项目")))["id"]
    assert await ids(client, "/opportunities", q="微更新") == [opp]
