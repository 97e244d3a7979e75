"""GET /organizations/{id}/rating and GET /stats/organizations."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from exchange import db
from exchange.kit.clock import now
from exchange.needs.models import Need
from exchange.offers.models import Offer
from exchange.organizations import rating
from tests.builders import COMM_A1, COMM_A2, COMM_B1, DISTRICT, GRID_A1, SUB_A, make_org, make_user, seed_regions


async def _offer(app, org_id: uuid.UUID, status: str, published_days_ago: float | None, regions: list[str]) -> None:
    async with db.unit_of_work(app.state.session_factory) as session:
        session.add(Offer(
            id=uuid.uuid4(), organization_id=org_id, title="助餐配送", description="为高龄老人送餐上门", category="elderly_care",
            target_groups=["elderly"], region_codes=regions, pricing="low_cost", price_fen=1500, status=status,
            published_at=None if published_days_ago is None else now() - dt.timedelta(days=published_days_ago),
        ))


async def _need(app, requester: uuid.UUID, org_id: uuid.UUID, status: str) -> None:
    async with db.unit_of_work(app.state.session_factory) as session:
        session.add(Need(id=uuid.uuid4(), requester_id=requester, title="腿脚不好做饭难", description="希望有人送饭",
                         region_code=COMM_A1, status=status, claimant_organization_id=org_id, claimed_at=now()))


async def test_a_new_filed_organization_has_one_star(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    org = await make_org(app, registration="community_filed", legal_form="filed", credit_code=None, region_code=COMM_A1)
    r = await client.get(f"/organizations/{org.id}/rating")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["organization_id"] == str(org.id)
    assert (body["stars"], body["activity"], body["standardization"], body["coverage"], body["influence"]) == (1, 0, 15, 0, 0)
    assert set(body["basis"]) == {"activity", "standardization", "coverage", "influence"}
    assert body["basis"]["standardization"]["inputs"] == {"registration": "community_filed", "has_credit_code": False,
                                                         "a_level": 0}
    assert "community-filed 15" in body["basis"]["standardization"]["formula"]
    assert body["basis"]["coverage"]["inputs"]["communities_total"] == 3


async def test_rating_grows_with_registry_offers_and_needs(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    founded = (now() - dt.timedelta(days=int(5 * 365.25) + 1)).date()
    org = await make_org(app, a_level=3, service_region_codes=[SUB_A], member_count=99, founded_on=founded)
    url = f"/organizations/{org.id}/rating"
    before = (await client.get(url)).json()
    assert before["standardization"] == 40 + 10 + 30  # registered, credit code, 3A
    assert before["coverage"] == 67  # two of the three communities
    assert before["influence"] == 30 + 20 + 0 + 12  # members, five years, no needs, 3A

    await _offer(app, org.id, "published", 200, [COMM_B1])  # published long ago: counts, but not as recent
    await _offer(app, org.id, "published", 3, [GRID_A1])
    await _offer(app, org.id, "draft", None, [DISTRICT])  # a draft counts for nothing
    resident = await make_user(app, "resident", region_code=COMM_A2)
    for status in ("claimed", "fulfilled", "confirmed"):
        await _need(app, resident.id, org.id, status)
    after = (await client.get(url)).json()
    assert after["activity"] == 2 * 10 + 1 * 10 + min(3 * 5 + 2 * 10, 30)
    assert after["basis"]["activity"]["inputs"] == {"published_offers": 2, "recent_offers": 1, "needs_claimed": 3,
                                                    "needs_fulfilled": 2, "deals_delivered": 0,
                                                    "space_service_hours": 0}
    assert after["coverage"] == 100  # the old offer reaches the third community
    assert after["influence"] == before["influence"] + 5
    overall = 0.3 * after["activity"] + 0.3 * after["standardization"] + 0.2 * after["coverage"] + 0.2 * after["influence"]
    assert after["overall"] == round(overall) and after["stars"] == 1 + int(overall // 20)
    assert after["stars"] > before["stars"]


async def test_other_domains_feed_facts_through_the_extension_point(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    org = await make_org(app, a_level=0)

    async def delivered(session, org_id: uuid.UUID) -> dict[str, float]:
        return {"deals_delivered": 2, "evaluation_average": 90.0} if org_id == org.id else {}

    rating.register_facts(delivered)
    try:
        body = (await client.get(f"/organizations/{org.id}/rating")).json()
    finally:
        rating._sources.remove(delivered)
    assert body["activity"] == 20
    assert body["standardization"] == round(0.7 * 50 + 0.3 * 90)
    assert body["basis"]["standardization"]["inputs"]["evaluation_average"] == 90.0


@pytest.mark.parametrize("overall, stars", [(0, 1), (19.9, 1), (20, 2), (59, 3), (79.9, 4), (80, 5), (100, 5)])
def test_stars(overall: float, stars: int) -> None:
    assert rating.stars_for(overall) == stars


async def test_rating_of_an_unknown_organization_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/organizations/{uuid.uuid4()}/rating")).status_code == 404


async def test_organization_stats_by_community_and_type(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    await make_org(app, region_code=COMM_A1)
    await make_org(app, region_code=GRID_A1, legal_form="social_group")  # counts for its community
    await make_org(app, region_code=COMM_A1, registration="community_filed", legal_form="filed", credit_code=None)
    await make_org(app, region_code=COMM_B1, registration="subdistrict_filed", legal_form="filed", credit_code=None)
    await make_org(app, region_code=SUB_A)  # above community level
    await make_org(app, "government", region_code=DISTRICT)
    r = await client.get("/stats/organizations")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["all"]["total"] == 6
    assert {c["value"]: c["count"] for c in body["all"]["by_kind"]} == {"social_org": 5, "government": 1}
    assert {c["value"]: c["count"] for c in body["all"]["by_registration"]} == {
        "registered": 3, "community_filed": 1, "subdistrict_filed": 1, None: 1}
    communities = {c["region_code"]: c for c in body["by_community"]}
    assert list(communities) == [COMM_A1, COMM_A2, COMM_B1]
    a1 = communities[COMM_A1]
    assert a1["name"] == "玉林东路社区" and a1["parent_code"] == SUB_A and a1["total"] == 3
    assert {c["value"]: c["count"] for c in a1["by_legal_form"]} == {
        "social_service_agency": 1, "social_group": 1, "filed": 1}
    assert communities[COMM_A2]["total"] == 0 and communities[COMM_B1]["total"] == 1
    assert body["outside_communities"]["total"] == 2
