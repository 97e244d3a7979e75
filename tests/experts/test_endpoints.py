"""The expert pool over HTTP: who may read and write it, and finding experts without their ids."""

from __future__ import annotations

from tests.builders import make_user
from tests.listings.world import cast
from tests.tenders.world import ok


async def add(client, admin, user, **fields):  # type: ignore[no-untyped-def]
    body = {"user_id": str(user.id), "specialties": ["elderly_care"], "title": "高级社会工作师", **fields}
    return await ok(client.post("/experts", json=body, headers=admin.headers), 201)


async def test_admin_builds_the_pool_and_buyers_find_experts_by_name_and_specialty(app, client) -> None:
    c = await cast(app)
    zhang = await make_user(app, "expert", username="zhang_laoshi")
    li = await make_user(app, "expert", username="li_laoshi")
    first = await add(client, c.admin, zhang, affiliation_organization_id=str(c.org_org.id))
    await add(client, c.admin, li, specialties=["disability", "children_youth"])
    assert first["display_name"] and first["active"] is True

    found = await ok(client.get("/experts", params={"q": "zhang"}, headers=c.buyer.headers))
    assert [e["user_id"] for e in found["items"]] == [str(zhang.id)]
    by_specialty = await ok(client.get("/experts", params={"specialty": "disability"}, headers=c.manager.headers))
    assert [e["user_id"] for e in by_specialty["items"]] == [str(li.id)]
    by_affiliation = await ok(client.get("/experts", params={"affiliation_organization_id": str(c.org_org.id)},
                                         headers=c.admin.headers))
    assert [e["user_id"] for e in by_affiliation["items"]] == [str(zhang.id)]

    for outsider in (c.org, c.resident, c.expert):
        r = await client.get("/experts", headers=outsider.headers)
        assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    assert (await client.get("/experts")).status_code == 401


async def test_only_expert_accounts_enter_once_and_codes_are_checked(app, client) -> None:
    c = await cast(app)
    expert = await make_user(app, "expert")
    r = await client.post("/experts", json={"user_id": str(c.resident.id)}, headers=c.admin.headers)
    assert r.status_code == 422 and r.json()["code"] == "not_an_expert"
    r = await client.post("/experts", json={"user_id": str(expert.id), "specialties": ["nonsense"]}, headers=c.admin.headers)
    assert r.status_code == 422 and r.json()["code"] == "unknown_category"
    await add(client, c.admin, expert)
    r = await client.post("/experts", json={"user_id": str(expert.id)}, headers=c.admin.headers)
    assert r.status_code == 409 and r.json()["code"] == "expert_exists"
    r = await client.post("/experts", json={"user_id": str(expert.id)}, headers=c.buyer.headers)
    assert r.status_code == 403
    listed = await ok(client.get("/experts", headers=c.admin.headers))
    assert [e["user_id"] for e in listed["items"]] == [str(expert.id)]


async def test_patch_honours_if_match_and_deactivates(app, client) -> None:
    c = await cast(app)
    created = await add(client, c.admin, await make_user(app, "expert"))
    path = f"/experts/{created['id']}"
    r = await client.patch(path, json={"active": False}, headers={**c.admin.headers, "If-Match": '"99"'})
    assert r.status_code == 412
    r = await client.patch(path, json={"active": False, "title": "督导"},
                           headers={**c.admin.headers, "If-Match": f'"{created["version"]}"'})
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["title"] == "督导"
    r = await client.patch(path, json={"active": None}, headers=c.admin.headers)
    assert r.status_code == 422 and r.json()["code"] == "null_not_allowed"
    assert (await client.patch(path, json={"active": True}, headers=c.manager.headers)).status_code == 403
    active = await ok(client.get("/experts", params={"active": "true"}, headers=c.buyer.headers))
    assert active["items"] == []
    assert (await client.get("/experts/not-a-uuid", headers=c.buyer.headers)).status_code == 404
