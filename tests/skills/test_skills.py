"""The talent pool: residents' skills, matches that include them under the reach rule, a claim from a skill."""

from __future__ import annotations

from tests.builders import COMM_A1, COMM_B1, DISTRICT, GRID_A1, SUB_B
from tests.participation import people, post_ok, post_problem

HAIRCUT = {"title": "上门理发", "description": "退休理发师，可为行动不便的老人上门理发", "category": "elderly_care",
           "availability": "周末上午"}


async def test_list_change_and_pause_a_skill(client, app) -> None:
    p = await people(app)
    skill = await post_ok(client, p.resident, "/skills", HAIRCUT)
    sid = skill["id"]
    assert skill["region_code"] == GRID_A1 and skill["active"] is True
    await post_problem(client, p.org, "/skills", HAIRCUT, 403, "residents_only")
    await post_problem(client, p.resident, "/skills", {**HAIRCUT, "category": "haircuts"}, 422, "unknown_category")
    assert (await client.get("/skills")).status_code == 401
    found = (await client.get("/skills", params={"region": COMM_A1}, headers=p.outsider.headers)).json()["items"]
    assert [s["id"] for s in found] == [sid]
    assert (await client.get("/skills", params={"region": COMM_B1}, headers=p.outsider.headers)).json()["items"] == []
    r = await client.patch(f"/skills/{sid}", json={"active": False}, headers=p.residents[1].headers)
    assert r.status_code == 403
    r = await client.patch(f"/skills/{sid}", json={"active": False, "availability": "暂停"},
                           headers={**p.resident.headers, "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["active"] is False and r.headers["ETag"] == '"2"'
    r = await client.patch(f"/skills/{sid}", json={"active": True}, headers={**p.resident.headers, "If-Match": '"1"'})
    assert r.status_code == 412
    assert (await client.get("/skills", headers=p.outsider.headers)).json()["items"] == []
    mine = (await client.get("/skills", params={"mine": True}, headers=p.resident.headers)).json()["items"]
    assert [s["id"] for s in mine] == [sid]


async def test_matches_include_neighbours_skills_that_reach(client, app) -> None:
    p = await people(app)
    near = await post_ok(client, p.residents[1], "/skills", {**HAIRCUT, "region_code": COMM_A1})
    wide = await post_ok(client, p.residents[2], "/skills", {"title": "代购买菜", "description": "每天去菜市场，可以帮忙代买",
                                                           "region_code": DISTRICT})
    await post_ok(client, p.outsider, "/skills", {**HAIRCUT, "region_code": SUB_B})  # does not reach 玉林
    await post_ok(client, p.resident, "/skills", {**HAIRCUT, "region_code": COMM_A1})  # the requester's own
    need = await post_ok(client, p.resident, "/needs", {"title": "老人想理发", "description": "我妈妈腿脚不便，想请人上门理发"})
    r = await client.get(f"/needs/{need['id']}/matches", params={"include": "skills"})
    assert r.status_code == 401
    r = await client.get(f"/needs/{need['id']}/matches", params={"include": "skills"}, headers=p.outsider.headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    skills = [i for i in items if i["kind"] == "skill"]
    assert [i["skill"]["id"] for i in skills][:1] == [near["id"]]
    assert {i["skill"]["id"] for i in skills} <= {near["id"], wide["id"]}
    assert all(i["eligible"] for i in skills) and skills[0]["reasons"]
    plain = (await client.get(f"/needs/{need['id']}/matches")).json()["items"]
    assert all(i["kind"] == "offer" for i in plain)
    assert (await client.get(f"/needs/{need['id']}/matches", params={"include": "bids"})).status_code == 422


async def test_a_claim_from_a_skill(client, app) -> None:
    p = await people(app)
    skill = await post_ok(client, p.residents[1], "/skills", HAIRCUT)
    other = await post_ok(client, p.residents[2], "/skills", HAIRCUT)
    need = await post_ok(client, p.resident, "/needs", {"title": "老人想理发", "description": "想请人上门理发"})
    await post_problem(client, p.residents[1], f"/needs/{need['id']}/claim", {"skill_id": other["id"]}, 422,
                       "skill_not_yours")
    claimed = await post_ok(client, p.residents[1], f"/needs/{need['id']}/claim", {"skill_id": skill["id"]}, status=200)
    assert claimed["status"] == "claimed" and claimed["claimed_skill_id"] == skill["id"]
    released = await post_ok(client, p.residents[1], f"/needs/{need['id']}/release", None, status=200)
    assert released["claimed_skill_id"] is None
