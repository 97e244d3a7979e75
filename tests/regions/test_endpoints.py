"""The region tree: subtree queries and the rules for adding a region."""

from __future__ import annotations

import httpx
import pytest

from exchange import db
from exchange.errors import ExchangeError
from exchange.regions.service import load_csv
from tests.builders import COMM_A1, COMM_A2, COMM_B1, DISTRICT, GRID_A1, SUB_A, SUB_B, make_user, seed_regions


async def _codes(client: httpx.AsyncClient, **params: object) -> list[str]:
    r = await client.get("/regions", params=params)
    assert r.status_code == 200, r.text
    return [item["code"] for item in r.json()["items"]]


async def test_under_returns_the_region_and_everything_below_it(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    assert await _codes(client, under=SUB_A) == [SUB_A, COMM_A1, GRID_A1, COMM_A2]
    assert await _codes(client, under=COMM_B1) == [COMM_B1]
    assert len(await _codes(client, under=DISTRICT)) == 7
    assert await _codes(client, under="510107009000") == []
    assert await _codes(client, under=SUB_A, level="community") == [COMM_A1, COMM_A2]
    assert await _codes(client, parent_code=SUB_A) == [COMM_A1, COMM_A2]
    assert await _codes(client, q="玉林") == [SUB_A, COMM_A1, GRID_A1, COMM_A2]


async def test_regions_page_with_a_cursor(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    first = (await client.get("/regions", params={"limit": 4})).json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    rest = (await client.get("/regions", params={"limit": 4, "cursor": first["next_cursor"]})).json()
    assert rest["next_cursor"] is None
    codes = [i["code"] for i in first["items"] + rest["items"]]
    assert sorted(codes) == sorted({c for c in codes}) and len(codes) == 7
    bad = await client.get("/regions", params={"cursor": "garbage"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"


async def test_region_detail_lists_ancestors_and_children(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    r = await client.get(f"/regions/{COMM_A1}")
    assert r.status_code == 200
    assert [a["code"] for a in r.json()["ancestors"]] == [DISTRICT, SUB_A]
    assert [c["code"] for c in r.json()["children"]] == [GRID_A1]
    assert r.json()["level"] == "community" and r.json()["parent_code"] == SUB_A
    assert (await client.get("/regions/510107999999")).status_code == 404


async def test_create_region_rules(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    h = admin.headers

    async def post(code: str, level: str, parent: str | None, name: str = "新社区") -> httpx.Response:
        return await client.post("/regions", json={"code": code, "name": name, "level": level, "parent_code": parent},
                                 headers=h)

    ok = await post("510107003003", "community", SUB_A)
    assert ok.status_code == 201, ok.text
    assert ok.headers["location"] == "/api/v1/regions/510107003003"
    assert await _codes(client, under=SUB_A, level="community") == [COMM_A1, COMM_A2, "510107003003"]
    cases = [
        (("510107003003", "community", SUB_A), 409, "region_exists"),
        (("510107003004", "subdistrict", SUB_A), 422, "region_level_mismatch"),
        (("510107003005", "district", SUB_A), 422, "region_level_mismatch"),
        (("510107004005", "community", SUB_A), 422, "region_code_mismatch"),
        (("510107003006", "community", "510107009000"), 422, "unknown_region"),
    ]
    for (code, level, parent), status, error in cases:
        r = await post(code, level, parent)
        assert (r.status_code, r.json()["code"]) == (status, error), (code, r.text)
    bad_code = await post("51A107", "district", None)
    assert bad_code.status_code == 422 and bad_code.json()["errors"][0]["loc"] == ["body", "code"]
    root = await post("510104", "district", None, "锦江区")  # any region may be a root
    assert root.status_code == 201 and root.json()["parent_code"] is None


async def test_only_admins_add_regions(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    body = {"code": "510107003003", "name": "新社区", "level": "community", "parent_code": SUB_A}
    assert (await client.post("/regions", json=body)).status_code == 401
    manager = await make_user(app, "manager")
    assert (await client.post("/regions", json=body, headers=manager.headers)).status_code == 403


async def test_load_csv_in_any_order_and_twice(app, client: httpx.AsyncClient) -> None:
    text = ("code,name,level,parent_code\n"
            "510107003001001,第一网格,grid,510107003001\n"
            "510107003001,玉林东路社区,community,510107003000\n"
            "510107,武侯区,district,\n"
            "510107003000,玉林街道,subdistrict,510107\n")
    async with db.unit_of_work(app.state.session_factory) as session:
        assert await load_csv(session, text) == 4
    async with db.unit_of_work(app.state.session_factory) as session:
        assert await load_csv(session, text) == 0
    assert await _codes(client, under=DISTRICT) == ["510107", "510107003000", "510107003001", "510107003001001"]


@pytest.mark.parametrize("row, loc", [
    ("510107,武侯区,county,", ["rows", 1, "level"]),
    ("510107,武侯区,,", ["rows", 1, "level"]),
    ("51A107,武侯区,district,", ["rows", 1, "code"]),
    ("510107,,district,", ["rows", 1, "name"]),
])
async def test_load_csv_reports_the_bad_row(app, row: str, loc: list) -> None:
    with pytest.raises(ExchangeError) as caught:
        async with db.unit_of_work(app.state.session_factory) as session:
            await load_csv(session, f"code,name,level,parent_code\n{row}\n")
    assert caught.value.status == 422 and caught.value.code == "invalid_region_row"
    assert caught.value.errors[0]["loc"] == loc


async def test_subtree_query_in_the_repository(app) -> None:
    from exchange.regions.repository import RegionRepository

    await seed_regions(app)
    async with app.state.session_factory() as session:
        repo = RegionRepository(session)
        assert [r.code for r in await repo.subtree(SUB_B)] == [SUB_B, COMM_B1]
        assert await repo.subtree("999999") == []
        assert (await repo.all_parents())[GRID_A1] == COMM_A1
