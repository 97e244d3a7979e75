"""Listings keep their text analysis from write time; the matching index reads it instead of analysing again."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from exchange.chinese.analysis import ANALYSIS_VERSION, analyse_for_storage
from exchange.needs.models import Need
from exchange.offers.models import Offer
from exchange.opportunities.models import Opportunity
from tests.builders import COMM_A1, DISTRICT, make_org_user, make_user, seed_regions
from tests.matching.test_endpoints import LAW, MEAL, NEED, offer_ids, post_need, publish_offer


@pytest.fixture
async def world(app: Any, client: httpx.AsyncClient) -> dict[str, Any]:
    await seed_regions(app)
    org, _ = await make_org_user(app, "org", a_level=2)
    buyer, _ = await make_org_user(app, "buyer")
    resident = await make_user(app, "resident", region_code=COMM_A1)
    return {"org": org, "buyer": buyer, "resident": resident}


async def stored_analysis(session_factory: Any, model: Any, row_id: str) -> dict[str, Any] | None:
    async with session_factory() as session:
        return (await session.execute(select(model.match_analysis).where(model.id == uuid.UUID(row_id)))).scalar_one()


async def set_analysis(session_factory: Any, row_id: str, value: dict[str, Any] | None) -> None:
    async with session_factory() as session:
        await session.execute(update(Offer).where(Offer.id == uuid.UUID(row_id)).values(match_analysis=value))
        await session.commit()


async def test_creating_and_updating_an_offer_stores_its_analysis(
    client: httpx.AsyncClient, session_factory: Any, world: dict
) -> None:
    r = await client.post("/offers", json={**LAW, "region_codes": [DISTRICT]}, headers=world["org"].headers)
    assert r.status_code == 201, r.text
    offer_id = r.json()["id"]
    stored = await stored_analysis(session_factory, Offer, offer_id)
    assert stored == analyse_for_storage(LAW["title"], LAW["description"])
    assert stored is not None and stored["v"] == ANALYSIS_VERSION and "律师" in stored["w"]
    assert "match_analysis" not in r.json(), "an internal column, not part of the API"

    r = await client.patch(f"/offers/{offer_id}", json={"title": MEAL["title"], "description": MEAL["description"]},
                           headers={**world["org"].headers, "If-Match": r.headers["ETag"]})
    assert r.status_code == 200, r.text
    stored = await stored_analysis(session_factory, Offer, offer_id)
    assert stored == analyse_for_storage(MEAL["title"], MEAL["description"])
    assert "meal_help" in stored["c"]

    r = await client.post(f"/offers/{offer_id}/publish", headers=world["org"].headers)
    assert r.status_code == 200, r.text
    need = await post_need(client, world["resident"])
    assert offer_ids((await client.get(f"/needs/{need['id']}/matches")).json()) == [offer_id]


async def test_needs_and_opportunities_store_their_analysis(
    client: httpx.AsyncClient, session_factory: Any, world: dict
) -> None:
    need = await post_need(client, world["resident"])
    assert await stored_analysis(session_factory, Need, need["id"]) == analyse_for_storage(NEED["title"], NEED["description"])
    body = {"title": "居家养老助餐服务项目", "description": "为高龄独居老人提供助餐配送服务", "category": "elderly_care",
            "target_groups": ["elderly"], "region_codes": [DISTRICT], "budget_fen": 5_000_000}
    r = await client.post("/opportunities", json=body, headers=world["buyer"].headers)
    assert r.status_code == 201, r.text
    stored = await stored_analysis(session_factory, Opportunity, r.json()["id"])
    assert stored == analyse_for_storage(body["title"], body["description"])


async def test_the_index_reads_a_current_stored_analysis(
    client: httpx.AsyncClient, session_factory: Any, world: dict
) -> None:
    law = await publish_offer(client, world["org"], LAW, [DISTRICT])
    # The law offer's row claims the meal offer's analysis: an index that reads it matches the law
    # offer to a meal need, which analysing its own text never would.
    await set_analysis(session_factory, law["id"], analyse_for_storage(MEAL["title"], MEAL["description"]))
    need = await post_need(client, world["resident"])
    assert offer_ids((await client.get(f"/needs/{need['id']}/matches")).json())[:1] == [law["id"]]


@pytest.mark.parametrize("outdated", [None, "other-version"])
async def test_rows_without_a_current_analysis_are_analysed_again(
    client: httpx.AsyncClient, session_factory: Any, world: dict, outdated: str | None
) -> None:
    meal = await publish_offer(client, world["org"], MEAL, [DISTRICT])
    law = await publish_offer(client, world["org"], LAW, [DISTRICT])
    wrong = {**analyse_for_storage(MEAL["title"], MEAL["description"]), "v": outdated} if outdated else None
    await set_analysis(session_factory, law["id"], wrong)
    await set_analysis(session_factory, meal["id"], None)
    need = await post_need(client, world["resident"])
    assert offer_ids((await client.get(f"/needs/{need['id']}/matches")).json())[:1] == [meal["id"]]
    # Had the outdated analysis been trusted, the law offer would read as meal help, not as legal advice.
    r = await client.post("/matches/search", json={"text": "找律师咨询合同纠纷", "region_code": COMM_A1},
                          headers=world["resident"].headers)
    assert r.status_code == 200, r.text
    assert offer_ids(r.json())[:1] == [law["id"]]
    text = next(x for x in r.json()["items"][0]["reasons"] if x["rule"] == "text")
    assert text["score"] > 0.5, text
