"""The organizations registry: who may create and edit, If-Match, credit codes, visibility of contacts."""

from __future__ import annotations

import httpx
import pytest

from exchange.organizations import credit_code
from tests.builders import COMM_A1, DISTRICT, SUB_A, make_org, make_org_user, make_user, seed_regions, valid_credit_code


def _registered(**fields: object) -> dict:
    return {"name": "成都市武侯区益众社会工作服务中心", "kind": "social_org", "legal_form": "social_service_agency",
            "registration": "registered", "credit_code": valid_credit_code(), "a_level": 3,
            "categories": ["elderly_care"], "service_region_codes": [SUB_A], "region_code": COMM_A1,
            "member_count": 40, "founded_on": "2012-06-01",
            "contact": {"person": "王老师", "phone": "028-85550000"}, **fields}


async def test_admin_registers_an_organization(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    r = await client.post("/organizations", json=_registered(), headers=admin.headers)
    assert r.status_code == 201, r.text
    org = r.json()
    assert r.headers["location"] == f"/api/v1/organizations/{org['id']}" and r.headers["etag"] == '"1"'
    assert org["status"] == "active" and org["version"] == 1 and org["contact"]["person"] == "王老师"
    public = await client.get(f"/organizations/{org['id']}")
    assert public.status_code == 200 and public.json()["contact"] is None  # contact only for signed-in users
    assert public.headers["etag"] == '"1"'
    signed_in = await client.get(f"/organizations/{org['id']}", headers=admin.headers)
    assert signed_in.json()["contact"]["phone"] == "028-85550000"
    listed = (await client.get("/organizations", params={"region": SUB_A})).json()["items"]
    assert [o["id"] for o in listed] == [org["id"]] and listed[0]["contact"] is None
    assert (await client.get("/organizations", params={"region": "510107004000"})).json()["items"] == []


async def test_only_admins_create_organizations(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    assert (await client.post("/organizations", json=_registered())).status_code == 401
    buyer, _ = await make_org_user(app, "buyer")
    r = await client.post("/organizations", json=_registered(), headers=buyer.headers)
    assert r.status_code == 403


def test_credit_code_check_character() -> None:
    assert credit_code.is_valid("91350100M000100Y43")  # a published example of GB 32100-2015
    code = credit_code.complete("52510107MJ0000001")
    assert credit_code.is_valid(code)
    body, check = code[:17], code[17]
    wrong = next(c for c in credit_code.ALPHABET if c != check)
    assert not credit_code.is_valid(body + wrong)
    assert not credit_code.is_valid(code[:-1])  # 17 characters
    assert not credit_code.is_valid("52510107MJ000000I" + check)  # I is not in the alphabet
    assert not credit_code.is_valid(code.lower())


@pytest.mark.parametrize("fields, status, code", [
    ({"credit_code": credit_code.complete("52510107MJ0000001")[:17] + "0"}, 422, None),
    ({"credit_code": "52510107MJ000000IX"}, 422, "invalid_credit_code"),
    ({"credit_code": None}, 422, "credit_code_required"),
    ({"credit_code": "1234"}, 422, "validation_failed"),
    ({"registration": None}, 422, "registration_required"),
    ({"legal_form": "filed"}, 422, "legal_form_mismatch"),
    ({"categories": ["cooking"]}, 422, "unknown_category"),
    ({"service_region_codes": ["510199000000"]}, 422, "unknown_region"),
    ({"a_level": 6}, 422, "validation_failed"),
    ({"kind": "club"}, 422, "validation_failed"),
])
async def test_invalid_organizations(app, client: httpx.AsyncClient, fields: dict, status: int, code: str | None) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    r = await client.post("/organizations", json=_registered(**fields), headers=admin.headers)
    assert r.status_code == status, r.text
    if code is None:  # a wrong check character (unless the random one happens to be right)
        good = credit_code.complete(fields["credit_code"][:17])
        assert fields["credit_code"] == good or r.json()["code"] == "invalid_credit_code"
    else:
        assert r.json()["code"] == code


async def test_filed_organizations_need_no_credit_code(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    for registration in ("subdistrict_filed", "community_filed"):
        body = _registered(name=f"玉林东路社区读书会{registration}", registration=registration, legal_form="filed",
                           credit_code=None, a_level=0)
        r = await client.post("/organizations", json=body, headers=admin.headers)
        assert r.status_code == 201, r.text
    gov = await client.post("/organizations", json={"name": "成都市武侯区民政局", "kind": "government"},
                            headers=admin.headers)
    assert gov.status_code == 201 and gov.json()["registration"] is None


async def test_duplicate_credit_code_is_409(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    body = _registered()
    assert (await client.post("/organizations", json=body, headers=admin.headers)).status_code == 201
    r = await client.post("/organizations", json={**body, "name": "另一家"}, headers=admin.headers)
    assert r.status_code == 409 and r.json()["code"] == "credit_code_taken"


async def test_a_buyer_edits_its_own_organization_only(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    buyer, own = await make_org_user(app, "buyer")
    _, other = await make_org_user(app, "buyer")
    r = await client.patch(f"/organizations/{other.id}", json={"description": "改别人的"}, headers=buyer.headers)
    assert r.status_code == 403 and r.json()["code"] == "not_your_organization"
    r = await client.patch(f"/organizations/{own.id}", json={"description": "区民政局购买服务", "member_count": 30},
                           headers=buyer.headers)
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "区民政局购买服务" and r.json()["version"] == 2
    for field, value in (("a_level", 5), ("kind", "mass_org"), ("status", "suspended"), ("registration", "registered"),
                         ("credit_code", valid_credit_code())):
        r = await client.patch(f"/organizations/{own.id}", json={field: value}, headers=buyer.headers)
        assert r.status_code == 403 and r.json()["code"] == "registry_field", field
    assert (await client.patch(f"/organizations/{own.id}", json={"description": "x"})).status_code == 401
    resident = await make_user(app, "resident")
    assert (await client.patch(f"/organizations/{own.id}", json={"description": "x"},
                               headers=resident.headers)).status_code == 403


async def test_if_match(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    org_user, org = await make_org_user(app, "org")
    url = f"/organizations/{org.id}"
    etag = (await client.get(url)).headers["etag"]
    assert etag == '"1"'
    r = await client.patch(url, json={"member_count": 12}, headers={**org_user.headers, "If-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] == '"2"' and r.headers["etag"] != etag
    stale = await client.patch(url, json={"member_count": 13}, headers={**org_user.headers, "If-Match": etag})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert (await client.get(url)).json()["member_count"] == 12
    for n, header in enumerate(('"{v}"', 'W/"{v}"', '"99", "{v}"', "*"), start=14):
        current = (await client.get(url)).json()["version"]
        r = await client.patch(url, json={"member_count": n},
                               headers={**org_user.headers, "If-Match": header.format(v=current)})
        assert r.status_code == 200 and r.json()["version"] == current + 1, header
    assert (await client.patch(url, json={"member_count": 15}, headers=org_user.headers)).status_code == 200


@pytest.mark.parametrize("field", ["name", "kind", "a_level", "categories", "service_region_codes", "contact", "status"])
async def test_patch_with_null_for_a_required_field_is_422(app, client: httpx.AsyncClient, field: str) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    org = await make_org(app)
    r = await client.patch(f"/organizations/{org.id}", json={field: None}, headers=admin.headers)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", field]


async def test_admin_patch_keeps_the_registry_consistent(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    org = await make_org(app, "social_org", registration="community_filed", legal_form="filed", credit_code=None)
    url = f"/organizations/{org.id}"
    r = await client.patch(url, json={"registration": "registered"}, headers=admin.headers)
    assert r.status_code == 422 and r.json()["code"] == "credit_code_required"
    r = await client.patch(url, json={"registration": "registered", "legal_form": "social_group",
                                      "credit_code": valid_credit_code(), "a_level": 2,
                                      "service_region_codes": [DISTRICT]}, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["registration"] == "registered" and r.json()["a_level"] == 2
    assert (await client.get("/organizations", params={"registration": "registered", "min_a_level": 2})).json()["items"]


async def test_unknown_and_malformed_ids_are_404(client: httpx.AsyncClient) -> None:
    for org_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        r = await client.get(f"/organizations/{org_id}")
        assert r.status_code == 404 and r.json()["code"] == "organization_not_found"
