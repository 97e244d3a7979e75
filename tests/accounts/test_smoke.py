from __future__ import annotations

import httpx

from tests.builders import make_user, seed_regions


async def test_admin_logs_in_and_reads_me(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    await make_user(app, "admin", username="root1", password="s3cret-pass")
    r = await client.post("/auth/token", data={"username": "root1", "password": "s3cret-pass"})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["role"] == "admin" and me.json()["points_balance"] == 0
    v = await client.get("/audit/verify")
    assert v.json()["intact"] is True and v.json()["events"] >= 8
