"""Vocabularies: categories and target groups in Chinese and English; admins add codes."""

from __future__ import annotations

import httpx

from tests.builders import make_user, seed_regions


async def test_vocabularies_are_served_in_both_languages(client: httpx.AsyncClient) -> None:
    r = await client.get("/vocabularies")
    assert r.status_code == 200
    body = r.json()
    categories = {t["code"]: t for t in body["categories"]}
    groups = {t["code"]: t for t in body["target_groups"]}
    assert len(categories) == 15 and len(groups) == 12
    assert categories["elderly_care"] == {"code": "elderly_care", "zh": "养老服务", "en": "Elderly care"}
    assert groups["riders"]["zh"] == "快递外卖骑手等新就业群体"
    assert body["categories"][0]["code"] == "elderly_care"  # in the order of api.md


async def test_admin_adds_a_code_that_is_then_accepted(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    term = {"kind": "category", "code": "housing", "zh": "住房保障", "en": "Housing"}
    assert (await client.post("/vocabularies", json=term)).status_code == 401
    manager = await make_user(app, "manager")
    assert (await client.post("/vocabularies", json=term, headers=manager.headers)).status_code == 403
    org_body = {"name": "成都市武侯区安居服务中心", "kind": "enterprise", "categories": ["housing"]}
    before = await client.post("/organizations", json=org_body, headers=admin.headers)
    assert before.status_code == 422 and before.json()["code"] == "unknown_category"
    r = await client.post("/vocabularies", json=term, headers=admin.headers)
    assert r.status_code == 201 and r.json() == {"code": "housing", "zh": "住房保障", "en": "Housing"}
    assert (await client.post("/vocabularies", json=term, headers=admin.headers)).json()["code"] == "term_exists"
    assert [t["code"] for t in (await client.get("/vocabularies")).json()["categories"]][-1] == "housing"
    assert (await client.post("/organizations", json=org_body, headers=admin.headers)).status_code == 201
    bad = await client.post("/vocabularies", json={**term, "code": "Bad Code"}, headers=admin.headers)
    assert bad.status_code == 422
