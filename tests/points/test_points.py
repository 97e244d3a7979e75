"""Points: the ledger a user reads, admin adjustments that never take a balance below zero."""

from __future__ import annotations

from tests.builders import make_user


async def test_adjustments(app, client) -> None:
    admin = await make_user(app, "admin")
    resident = await make_user(app, "resident")
    path = f"/users/{resident.id}/points/adjustments"
    r = await client.post(path, json={"amount": 50, "reason": "志愿服务补录"}, headers=admin.headers)
    assert r.status_code == 201, r.text
    assert r.json()["amount"] == 50 and r.json()["kind"] == "adjustment"
    r = await client.post(path, json={"amount": -60, "reason": "更正"}, headers=admin.headers)
    assert r.status_code == 409 and r.json()["code"] == "points_insufficient"
    r = await client.post(path, json={"amount": -50, "reason": "更正"}, headers=admin.headers)
    assert r.status_code == 201
    r = await client.post(path, json={"amount": 7, "reason": "奖励"}, headers=admin.headers)
    body = (await client.get("/me/points", headers=resident.headers)).json()
    assert body["balance"] == 7 == sum(e["amount"] for e in body["entries"]) and len(body["entries"]) == 3
    assert (await client.post(path, json={"amount": 5, "reason": "自己加"}, headers=resident.headers)).status_code == 403
    for bad in ({"amount": 0, "reason": "零"}, {"amount": 5}, {"amount": 5, "reason": ""}, {"amount": 1.5, "reason": "小数"},
                {"amount": 10**9, "reason": "太多"}, {"amount": 5, "reason": "x", "extra": 1}):
        r = await client.post(path, json=bad, headers=admin.headers)
        assert r.status_code == 422 and r.json()["code"] in ("validation_failed", "zero_amount"), bad
    r = await client.post("/users/00000000-0000-4000-8000-000000000000/points/adjustments",
                          json={"amount": 5, "reason": "无此人"}, headers=admin.headers)
    assert r.status_code == 404
    assert (await client.get("/me/points")).status_code == 401
