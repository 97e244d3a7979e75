"""My account through the pages, for any role: a temporary password sends every page to the password form until
it is changed; the profile with the API's messages; my data as a file; erasure after the password."""

from __future__ import annotations

import json

from tests.builders import COMM_A1, GRID_A1, make_user, seed_regions
from tests.web.test_signin import PASSWORD, csrf_of, pages, sign_in  # noqa: F401 - the fixture

NEW_PASSWORD = "battery-staple-42"


async def test_a_temporary_password_is_changed_first_then_the_workspace_opens(app, client, pages) -> None:  # noqa: F811
    await seed_regions(app)
    admin = await make_user(app, "admin")
    resident = await make_user(app, "resident", region_code=COMM_A1)
    reset = await client.post(f"/users/{resident.id}/password-reset", headers=admin.headers)
    assert reset.status_code == 200, reset.text
    temporary = reset.json()["temporary_password"]

    r = await sign_in(pages, resident.user.username, temporary)
    assert r.status_code == 303
    r = await pages.get("/workspace/resident")
    assert (r.status_code, r.headers["location"]) == (303, "/workspace/password")
    form = await pages.get("/workspace/password")
    assert form.status_code == 200 and 'id="must-change"' in form.text
    r = await pages.post("/workspace/password", data={"current_password": temporary, "new_password": NEW_PASSWORD,
                                                      "repeat_password": "something-else-1",
                                                      "csrf_token": csrf_of(form.text)})
    assert r.status_code == 422 and "两次输入的新密码不一致" in r.text
    r = await pages.post("/workspace/password", data={"current_password": temporary, "new_password": "short",
                                                      "repeat_password": "short", "csrf_token": csrf_of(form.text)})
    assert r.status_code == 422 and 'id="new_password-error"' in r.text  # the API's password rule
    r = await pages.post("/workspace/password", data={"current_password": temporary, "new_password": NEW_PASSWORD,
                                                      "repeat_password": NEW_PASSWORD, "csrf_token": csrf_of(form.text)})
    assert (r.status_code, r.headers["location"]) == (303, "/workspace/account?done=password")
    assert (await pages.get("/workspace/resident")).status_code == 200  # this browser stays signed in
    token = await client.post("/auth/token", data={"username": resident.user.username, "password": NEW_PASSWORD})
    assert token.status_code == 200
    assert (await client.post("/auth/token", data={"username": resident.user.username,
                                                   "password": temporary})).status_code == 401


async def test_profile_data_download_and_erasure(app, client, pages) -> None:  # noqa: F811
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    await sign_in(pages, resident.user.username)
    page = await pages.get("/workspace/account")
    assert page.status_code == 200 and resident.user.username in page.text
    r = await pages.post("/workspace/account", data={"display_name": "王阿姨", "region_code": COMM_A1,
                                                     "phone": "打电话给我", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 422 and 'id="phone-error"' in r.text and 'value="王阿姨"' in r.text
    me = (await client.get("/me", headers=resident.headers)).json()
    assert me["display_name"] != "王阿姨"  # the refused form changed nothing
    r = await pages.post("/workspace/account", data={"display_name": "王阿姨", "region_code": COMM_A1,
                                                     "phone": "13800138000", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    me = (await client.get("/me", headers=resident.headers)).json()
    assert (me["display_name"], me["phone"]) == ("王阿姨", "13800138000")

    data = await pages.get("/workspace/account/data")
    assert data.status_code == 200 and "attachment" in data.headers["content-disposition"]
    api = (await client.get("/me/data", headers=resident.headers)).json()
    assert {k: v for k, v in data.json().items() if k != "exported_at"} == {k: v for k, v in api.items()
                                                                            if k != "exported_at"}
    assert json.dumps(data.json(), ensure_ascii=False).count("王阿姨") >= 1

    confirm = await pages.get("/workspace/account/erasure")
    assert 'type="password"' in confirm.text
    r = await pages.post("/workspace/account/erasure", data={"password": "wrong-password-1",
                                                             "csrf_token": csrf_of(confirm.text)})
    assert r.status_code == 422
    assert (await client.get("/me", headers=resident.headers)).status_code == 200  # nothing erased
    r = await pages.post("/workspace/account/erasure", data={"password": PASSWORD, "csrf_token": csrf_of(confirm.text)})
    assert (r.status_code, r.headers["location"]) == (303, "/login?out=1")
    assert (await pages.get("/workspace/account")).status_code == 303  # signed out
    assert (await client.post("/auth/token", data={"username": resident.user.username,
                                                   "password": PASSWORD})).status_code == 401


async def test_notification_settings_are_the_apis(app, client, pages) -> None:  # noqa: F811
    await seed_regions(app)
    manager = await make_user(app, "manager")
    await sign_in(pages, manager.user.username)
    page = await pages.get("/workspace/account")
    token = csrf_of(page.text)
    r = await pages.post("/workspace/account/notifications", data={"csrf_token": token, "language": "en",
                                                                   "email": "", "phone": "", "channels": ["fax"]})
    assert r.status_code == 422 and "form-error" in r.text
    assert (await client.get("/me/notification-settings", headers=manager.headers)).json()["language"] == "zh-CN"
    r = await pages.post("/workspace/account/notifications", data={"csrf_token": token, "language": "en",
                                                                   "email": "li@example.org", "phone": "",
                                                                   "channels": ["email"]})
    assert r.status_code == 303
    saved = (await client.get("/me/notification-settings", headers=manager.headers)).json()
    assert (saved["language"], saved["email"], saved["channels"]) == ("en", "li@example.org", ["email"])
    assert 'value="email" checked' in (await pages.get("/workspace/account")).text


async def test_a_place_in_a_grid_is_kept_by_the_forms(app, client, pages) -> None:  # noqa: F811
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=GRID_A1)
    await sign_in(pages, resident.user.username)
    account = (await pages.get("/workspace/account")).text
    assert f'<option value="{GRID_A1}" selected>' in account
    need_form = (await pages.get("/workspace/resident/needs/new")).text
    assert f'<option value="{GRID_A1}" selected>' in need_form  # the need's place preselected: the grid itself
    r = await pages.post("/workspace/account", data={"display_name": "赵阿姨", "region_code": GRID_A1, "phone": "",
                                                     "csrf_token": csrf_of(account)})
    assert r.status_code == 303
    assert (await client.get("/me", headers=resident.headers)).json()["region_code"] == GRID_A1
