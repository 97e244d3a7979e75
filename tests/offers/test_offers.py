"""Offers and needs: ETag on read, If-Match on PATCH, nullable fields."""

from __future__ import annotations

from tests.listings.world import cast, create, need_body, offer_body, published


async def test_if_match_on_offers_and_needs(app, client) -> None:
    c = await cast(app)
    offer = await published(client, c.org, "/offers", offer_body(capacity_per_month=30))
    r = await client.get(f"/offers/{offer['id']}")
    assert r.headers["ETag"] == f'"{offer["version"]}"'
    stale = {**c.org.headers, "If-Match": '"1"'}
    r = await client.patch(f"/offers/{offer['id']}", json={"capacity_per_month": None}, headers=stale)
    assert r.status_code == 412 and r.json()["code"] == "precondition_failed"
    fresh = {**c.org.headers, "If-Match": r.headers.get("ETag") or f'"{offer["version"]}"'}
    r = await client.patch(f"/offers/{offer['id']}", json={"capacity_per_month": None}, headers=fresh)
    assert r.status_code == 200 and r.json()["capacity_per_month"] is None
    assert r.headers["ETag"] == f'"{r.json()["version"]}"' and r.json()["version"] > offer["version"]
    need = await create(client, c.resident, "/needs", need_body(category="health"))
    r = await client.patch(f"/needs/{need['id']}", json={"category": None}, headers={**c.resident.headers, "If-Match": '"7"'})
    assert r.status_code == 412
    r = await client.patch(f"/needs/{need['id']}", json={"category": None},
                           headers={**c.resident.headers, "If-Match": f'"{need["version"]}"'})
    assert r.status_code == 200 and r.json()["category"] is None
    r = await client.patch(f"/needs/{need['id']}", json={"points": None}, headers=c.resident.headers)
    assert r.status_code == 422 and r.json()["code"] == "null_not_allowed"
