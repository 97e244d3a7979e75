"""Faults found when the exchange was tried as a new user would: list search, unknown filter codes,
ranges, dates, and why a role may not act."""

from __future__ import annotations

import httpx

from tests.listings.world import cast, create, need_body, opportunity_body, published


async def test_a_word_is_found_wherever_it_stands_in_either_script(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    lamp = await create(client, c.resident, "/needs", need_body(title="楼道灯坏了", description="晚上回家看不见路"))
    care = await create(client, c.resident, "/needs", need_body(title="居家养老助餐", description="独居老人吃饭难"))
    other = await create(client, c.resident, "/needs", need_body(title="孩子放学没人接", description="双职工家庭"))

    async def found(q: str) -> set[str]:
        r = await client.get("/needs", params={"q": q})
        assert r.status_code == 200, r.text
        return {n["id"] for n in r.json()["items"]}

    assert await found("楼道灯") == {lamp["id"]}
    assert await found("灯") == {lamp["id"]}
    assert await found("道灯") == {lamp["id"]}
    assert await found("养老") == {care["id"]}
    assert await found("養老") == {care["id"]}  # traditional characters
    assert await found("獨居老人") == {care["id"]}
    assert other["id"] in await found("放学")
    assert await found("电梯") == set()
    offer = await published(client, c.org, "/offers", {
        "title": "四點半課堂", "description": "作業輔導", "category": "children_youth", "target_groups": ["children"],
        "region_codes": ["510107003001"], "pricing": "free", "price_fen": 0})
    r = await client.get("/offers", params={"q": "四点半课堂"})
    assert [o["id"] for o in r.json()["items"]] == [offer["id"]]


async def test_unknown_filter_codes_are_422(app, client: httpx.AsyncClient) -> None:
    await cast(app)
    for path in ("/offers", "/needs", "/opportunities"):
        r = await client.get(path, params={"category": "nonexistent"})
        assert r.status_code == 422 and r.json()["code"] == "unknown_category", path
        r = await client.get(path, params={"target_group": "martians"})
        assert r.status_code == 422 and r.json()["code"] == "unknown_target_group", path
        assert (await client.get(path, params={"category": "elderly_care"})).status_code == 200


async def test_money_stats_with_from_after_to_is_422(client: httpx.AsyncClient) -> None:
    r = await client.get("/stats/money", params={"from": "2026-12-01T00:00:00+08:00", "to": "2026-01-01T00:00:00+08:00"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_range"
    assert (await client.get("/stats/money", params={"from": "2026-01-01T00:00:00Z"})).status_code == 200


async def test_an_organization_cannot_be_founded_in_the_future(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    r = await client.post("/organizations", json={"name": "未来社工", "kind": "government", "founded_on": "3000-01-01"},
                          headers=c.admin.headers)
    assert r.status_code == 422
    assert ["body", "founded_on"] in [e["loc"] for e in r.json()["errors"]]
    ok = await client.post("/organizations", json={"name": "过去社工", "kind": "government", "founded_on": "2015-06-01"},
                           headers=c.admin.headers)
    assert ok.status_code == 201
    r = await client.patch(f"/organizations/{ok.json()['id']}", json={"founded_on": "3000-01-01"}, headers=c.admin.headers)
    assert r.status_code == 422


async def test_roles_that_may_not_support_are_told_so(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", need_body())
    for actor in (c.org, c.buyer):
        r = await client.post(f"/needs/{need['id']}/support", headers=actor.headers)
        assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    own = await client.post(f"/needs/{need['id']}/support", headers=c.resident.headers)
    assert own.status_code == 403 and own.json()["code"] == "own_need"


async def test_state_messages_speak_the_readers_language(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", need_body())
    await client.post(f"/needs/{need['id']}/claim", headers=c.other_resident.headers)
    zh = await client.post(f"/needs/{need['id']}/claim", headers=c.org.headers)
    assert zh.status_code == 409 and zh.json()["code"] == "need_claimed"
    assert "「已认领」" in zh.json()["detail"] and "claimed" not in zh.json()["detail"]
    en = await client.post(f"/needs/{need['id']}/claim", headers={**c.org.headers, "Accept-Language": "en"})
    assert "claimed" in en.json()["detail"]
    opp = await create(client, c.buyer, "/opportunities", opportunity_body())
    assert opp["status"] == "draft"


async def test_search_words_of_any_kind_are_plain_words(app, client: httpx.AsyncClient) -> None:
    """Latin letters and digits are words too, in either width and case; what a full-text engine would read
    as an operator (quotes, AND/OR/NEAR, stars, colons) is only text."""
    c = await cast(app)
    offer = await published(client, c.org, "/offers", {
        "title": "老年人WiFi6上网课", "description": "第2期：C++入门，名额30人", "category": "elderly_care",
        "target_groups": ["elderly"], "region_codes": ["510107003001"], "pricing": "free", "price_fen": 0})

    async def found(q: str) -> list[str]:
        r = await client.get("/offers", params={"q": q})
        assert r.status_code == 200, (q, r.text)
        return [o["id"] for o in r.json()["items"]]

    for q in ("wifi6", "ＷＩＦＩ６", "WiFi6 上网", "c++", "30人", "第2期", "上网*", "-上网", '"上网"', "上网^"):
        assert await found(q) == [offer["id"]], q  # punctuation is no word
    for q in ('"', '" OR "', "NEAR(上网 课)", "id:", "tg:elderly", "AND", "wifi", "上网 OR 电梯", "*"):
        assert await found(q) == [], q
