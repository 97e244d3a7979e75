"""User administration and a user's own account: list, edit, deactivate, reset, PATCH /me, password."""

from __future__ import annotations

import httpx

from tests.builders import COMM_A1, COMM_B1, auth, make_org_user, make_user, seed_regions


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/auth/token", data={"username": username, "password": password})


async def _token(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    r = await _login(client, username, password)
    assert r.status_code == 200, r.text
    return auth(r.json()["access_token"])


async def test_admin_lists_and_searches_users(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    await make_user(app, "expert", username="wang_expert")
    await make_user(app, "resident", username="li_resident", region_code=COMM_A1)
    r = await client.get("/users", params={"role": "expert"}, headers=admin.headers)
    assert r.status_code == 200
    assert [u["username"] for u in r.json()["items"]] == ["wang_expert"]
    assert r.json()["items"][0]["active"] is True and r.json()["items"][0]["must_change_password"] is False
    r = await client.get("/users", params={"q": "LI_"}, headers=admin.headers)
    assert [u["username"] for u in r.json()["items"]] == ["li_resident"]
    assert (await client.get("/users", params={"q": "%"}, headers=admin.headers)).json()["items"] == []
    page = await client.get("/users", params={"limit": 2}, headers=admin.headers)
    rest = await client.get("/users", params={"limit": 2, "cursor": page.json()["next_cursor"]}, headers=admin.headers)
    ids = [u["id"] for u in page.json()["items"] + rest.json()["items"]]
    assert len(ids) == len(set(ids)) == 3


async def test_buyers_find_experts_by_name_and_nothing_else(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    buyer, _ = await make_org_user(app, "buyer")
    resident = await make_user(app, "resident", region_code=COMM_A1)
    expert = await make_user(app, "expert", username="zhou_expert")
    r = await client.get("/users", params={"q": "zhou"}, headers=buyer.headers)
    assert r.status_code == 200
    assert r.json()["items"] == [{"id": str(expert.id), "username": "zhou_expert", "display_name": "zhou_expert",
                                  "role": "expert"}]
    assert (await client.get("/users", params={"role": "resident"}, headers=buyer.headers)).status_code == 403
    assert (await client.get("/users", headers=resident.headers)).status_code == 403
    assert (await client.get("/users")).status_code == 401


async def test_deactivation_revokes_tokens_at_once_and_activation_lets_it_log_in_again(app, client) -> None:
    admin = await make_user(app, "admin")
    await make_user(app, "expert", username="expert_a", password="expert-pass-1")
    headers = await _token(client, "expert_a", "expert-pass-1")
    user_id = (await client.get("/me", headers=headers)).json()["id"]
    r = await client.post(f"/users/{user_id}/deactivate", headers=admin.headers)
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await client.get("/me", headers=headers)).status_code == 401
    assert (await _login(client, "expert_a", "expert-pass-1")).status_code == 401
    assert (await client.post(f"/users/{user_id}/activate", headers=admin.headers)).json()["active"] is True
    assert (await client.get("/me", headers=headers)).status_code == 401  # the old token stays revoked
    assert (await client.get("/me", headers=await _token(client, "expert_a", "expert-pass-1"))).status_code == 200
    me = (await client.get("/me", headers=admin.headers)).json()
    own = await client.post(f"/users/{me['id']}/deactivate", headers=admin.headers)
    assert own.status_code == 409 and own.json()["code"] == "cannot_deactivate_self"


async def test_password_reset_forces_a_change_before_anything_else(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    await make_user(app, "resident", username="zhang", password="first-pass-1", region_code=COMM_A1)
    old = await _token(client, "zhang", "first-pass-1")
    user_id = (await client.get("/me", headers=old)).json()["id"]
    r = await client.post(f"/users/{user_id}/password-reset", json={"temporary_password": "temp-pass-22"},
                          headers=admin.headers)
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    assert r.json()["temporary_password"] == "temp-pass-22"
    assert (await client.get("/me", headers=old)).status_code == 401
    temp = await _token(client, "zhang", "temp-pass-22")
    me = await client.get("/me", headers=temp)
    assert me.status_code == 200 and me.json()["must_change_password"] is True
    blocked = await client.get("/me/points", headers=temp)
    assert blocked.status_code == 403 and blocked.json()["code"] == "password_change_required"
    assert (await client.get("/needs", headers=temp)).json()["code"] == "password_change_required"
    changed = await client.post("/me/password", json={"current_password": "temp-pass-22", "new_password": "mine-pass-33"},
                                headers=temp)
    assert changed.status_code == 200
    fresh = auth(changed.json()["access_token"])
    assert (await client.get("/me/points", headers=fresh)).status_code == 200
    assert (await client.get("/me", headers=fresh)).json()["must_change_password"] is False
    assert (await client.get("/me", headers=temp)).status_code == 401
    generated = await client.post(f"/users/{user_id}/password-reset", headers=admin.headers)
    assert len(generated.json()["temporary_password"]) >= 12
    assert (await _login(client, "zhang", generated.json()["temporary_password"])).status_code == 200


async def test_my_profile_and_password(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    await make_user(app, "resident", username="liu", password="liu-pass-111", region_code=COMM_A1)
    phone_session = await _token(client, "liu", "liu-pass-111")
    desk_session = await _token(client, "liu", "liu-pass-111")
    r = await client.patch("/me", json={"display_name": "刘阿姨", "region_code": COMM_B1, "phone": "13800138000"},
                           headers=phone_session)
    assert r.status_code == 200, r.text
    assert (r.json()["display_name"], r.json()["region_code"], r.json()["phone"]) == ("刘阿姨", COMM_B1, "13800138000")
    assert r.headers["etag"]
    stale = await client.patch("/me", json={"phone": None}, headers={**phone_session, "If-Match": '"1"'})
    assert stale.status_code == 412
    bad = await client.patch("/me", json={"region_code": "510199999999"}, headers=phone_session)
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_region"
    wrong = await client.post("/me/password", json={"current_password": "nope", "new_password": "liu-pass-222"},
                              headers=phone_session)
    assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_password"
    ok = await client.post("/me/password", json={"current_password": "liu-pass-111", "new_password": "liu-pass-222"},
                           headers=phone_session)
    assert ok.status_code == 200
    assert (await client.get("/me", headers=desk_session)).status_code == 401  # the other session is revoked
    assert (await client.get("/me", headers=auth(ok.json()["access_token"]))).status_code == 200
    assert (await _login(client, "liu", "liu-pass-111")).status_code == 401
    assert (await _login(client, "liu", "liu-pass-222")).status_code == 200


async def test_admin_edits_a_user(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    user = await make_user(app, "resident", region_code=COMM_A1)
    r = await client.patch(f"/users/{user.id}", json={"display_name": "王大爷", "role": "expert", "region_code": None},
                           headers=admin.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["display_name"], r.json()["role"], r.json()["region_code"]) == ("王大爷", "expert", None)
    assert (await client.get("/me", headers=user.headers)).status_code == 401  # a new role needs a fresh login
    org_needed = await client.patch(f"/users/{user.id}", json={"role": "buyer"}, headers=admin.headers)
    assert org_needed.status_code == 422 and org_needed.json()["code"] == "organization_required"
    assert (await client.get(f"/users/{user.id}", headers=admin.headers)).json()["role"] == "expert"
    assert (await client.get(f"/users/{user.id}", headers=user.headers)).status_code == 401


async def test_look_alike_usernames_are_refused(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    await make_user(app, "admin", username="admin")
    for name in ("аdmin", "аԁміп", "ad\u200bmin"):  # Cyrillic а; all-Cyrillic look-alike; zero-width space
        r = await client.post("/auth/register", json={"username": name, "password": "12345678", "display_name": "x",
                                                      "region_code": COMM_A1})
        assert r.status_code == 422, name
    taken = await client.post("/auth/register", json={"username": "ＡＤＭＩＮ", "password": "12345678", "display_name": "x",
                                                      "region_code": COMM_A1})
    assert taken.status_code == 409 and taken.json()["code"] == "username_taken"  # full-width folds to admin
    ok = await client.post("/auth/register", json={"username": "张三_01", "password": "12345678", "display_name": "张三",
                                                   "region_code": COMM_A1})
    assert ok.status_code == 201 and ok.json()["username"] == "张三_01"
