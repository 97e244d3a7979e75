"""Opportunities over HTTP: create, read, update with If-Match, publish, cancel."""

from __future__ import annotations

from tests.listings.world import cast, create, opportunity_body


async def test_create_read_publish_cancel(app, client) -> None:
    c = await cast(app)
    r = await client.post("/opportunities", json=opportunity_body(), headers=c.buyer.headers)
    assert r.status_code == 201, r.text
    opp = r.json()
    assert r.headers["Location"] == f"/api/v1/opportunities/{opp['id']}"
    assert r.headers["ETag"] == f'"{opp["version"]}"'
    assert opp["status"] == "draft" and opp["buyer_organization_id"] == str(c.buyer_org.id)
    assert (await client.get(f"/opportunities/{opp['id']}")).status_code == 404
    assert (await client.get(f"/opportunities/{opp['id']}", headers=c.other_buyer.headers)).status_code == 404
    assert (await client.get(f"/opportunities/{opp['id']}", headers=c.manager.headers)).status_code == 200
    r = await client.patch(f"/opportunities/{opp['id']}", json={"budget_fen": 1}, headers={**c.buyer.headers, "If-Match": '"99"'})
    assert r.status_code == 412
    r = await client.patch(f"/opportunities/{opp['id']}", json={"budget_fen": 1},
                           headers={**c.buyer.headers, "If-Match": f'"{opp["version"]}"'})
    assert r.status_code == 200 and r.json()["budget_fen"] == 1
    r = await client.post(f"/opportunities/{opp['id']}/publish", headers=c.buyer.headers)
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert (await client.get(f"/opportunities/{opp['id']}")).status_code == 200
    r = await client.post(f"/opportunities/{opp['id']}/cancel", json={"reason": "不想要了"}, headers=c.other_buyer.headers)
    assert r.status_code == 403
    r = await client.post(f"/opportunities/{opp['id']}/cancel", json={"reason": "预算调整"}, headers=c.buyer.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = await client.get("/opportunities", params={"status": "cancelled"})
    assert [i["id"] for i in r.json()["items"]] == [opp["id"]]
    await create(client, c.manager, "/opportunities", opportunity_body(buyer_organization_id=str(c.buyer_org.id)))
