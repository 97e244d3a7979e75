"""The small district the page tests browse: every list with enough items to page, an award in standstill,
a closed and evaluated deal, and a need whose text names a house number. Built over the API, like a user would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from exchange.kit.clock import clock
from tests.builders import COMM_A1, COMM_A2, COMM_B1, DISTRICT
from tests.listings.world import need_body, offer_body, opportunity_body, published
from tests.tenders.world import World, deliver, ok, reviewed, signed_deal, world

HOUSE_NUMBER_TEXT = "我住3栋2单元502，独居老人，腿脚不好，希望有人每周帮忙买菜做饭"
CATEGORIES = ["elderly_care", "children_youth", "disability", "health", "culture_sport"]
REGIONS = [COMM_A1, COMM_A2, COMM_B1, DISTRICT]


@dataclass
class Site:
    world: World
    award: dict[str, Any]
    closed_deal: dict[str, Any]
    house_need: dict[str, Any]
    offers: list[dict[str, Any]] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    needs: list[dict[str, Any]] = field(default_factory=list)


async def build(app: FastAPI) -> Site:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
        w = await world(app, bidders=2)
        closed = await _closed_deal(client, w)
        opp, bids = await reviewed(client, clock, w, [12_000_000, 11_500_000], standstill_days=5,
                                   title="社区居家养老助餐服务项目")
        award = await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                                     headers=w.c.buyer.headers), 201)
        site = Site(world=w, award=award, closed_deal=closed, house_need={})
        for i in range(27):  # more than a page of 20
            body = offer_body(title=f"{['助餐配送', '四点半课堂', '康复陪护', '健康讲座', '广场舞培训'][i % 5]}服务{i + 1}号",
                              category=CATEGORIES[i % 5], region_codes=[REGIONS[i % 4]],
                              target_groups=[["elderly"], ["children"], ["disabled"], ["residents"], ["women"]][i % 5])
            site.offers.append(await published(client, w.c.org if i % 2 else w.c.other_org, "/offers", body))
        for i in range(3):
            body = opportunity_body(title=f"儿童友好社区营造项目{i + 1}", category="children_youth",
                                    region_codes=[REGIONS[i]], target_groups=["children"], budget_fen=5_000_000 + i * 123_456)
            site.opportunities.append(await published(client, w.c.buyer, "/opportunities", body))
        site.house_need = await ok(client.post("/needs", json=need_body(title="独居老人买菜做饭", description=HOUSE_NUMBER_TEXT),
                                               headers=w.c.resident.headers), 201)
        for i in range(4):
            site.needs.append(await ok(client.post("/needs", json=need_body(title=f"楼道灯坏了{i + 1}", category="safety",
                                                                             urgency="high" if i % 2 else "normal"),
                                                   headers=w.c.other_resident.headers), 201))
    clock.reset()
    return site


async def _closed_deal(client: httpx.AsyncClient, w: World) -> dict[str, Any]:
    """A tender without standstill, delivered, evaluated 'good' and closed."""
    opp, bids = await reviewed(client, clock, w, [8_000_000], standstill_days=0, title="残疾人康复服务项目")
    award = await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                                 headers=w.c.buyer.headers), 201)
    deal = await signed_deal(client, w, award, parts=2)
    deal = await deliver(client, w.c.org, w.c.buyer, deal)
    await ok(client.post(f"/deals/{deal['id']}/closing-report", json={"summary": "完成", "people_served": 120,
                                                                       "activities": 24}, headers=w.c.org.headers))
    await ok(client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {"成效": 88}, "total": 88},
                         headers=w.c.evaluator.headers))
    return await ok(client.post(f"/deals/{deal['id']}/close", headers=w.c.manager.headers))
