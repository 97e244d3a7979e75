"""Filing a resident group: apply, decide (community for community_filed, admin), the organization it makes."""

from __future__ import annotations

from sqlalchemy import select

from exchange.audit.models import AuditEvent
from tests.builders import COMM_A1, COMM_B1, valid_credit_code
from tests.participation import people, post_ok, post_problem


def filing_body(**fields: object) -> dict[str, object]:
    return {"name": "玉林东路广场舞队", "function_type": "culture_sport", "level": "community_filed",
            "region_code": COMM_A1, "leader": "张阿姨", "members": ["张阿姨", "李阿姨", "王叔叔"],
            "charter": "本队以丰富居民文体生活为宗旨，每周活动三次。", **fields}


async def test_approval_creates_the_organization_and_its_user(client, app, session_factory) -> None:
    p = await people(app)
    filing = await post_ok(client, p.resident, "/filings", filing_body())
    fid = filing["id"]
    assert filing["status"] == "in_review" and filing["organization_id"] is None
    await post_problem(client, p.residents[1], "/filings", filing_body(), 409, "filing_exists")
    assert (await client.get(f"/filings/{fid}", headers=p.residents[1].headers)).status_code == 404
    assert (await client.get(f"/filings/{fid}", headers=p.community.headers)).status_code == 200
    listed = (await client.get("/filings", headers=p.community.headers)).json()["items"]
    assert [f["id"] for f in listed] == [fid]
    assert (await client.get("/filings", headers=p.other_community.headers)).json()["items"] == []
    await post_problem(client, p.other_community, f"/filings/{fid}/approve", None, 403, "not_allowed")
    await post_problem(client, p.manager, f"/filings/{fid}/approve", None, 403)

    approved = await post_ok(client, p.community, f"/filings/{fid}/approve", {"reason": "材料齐全"}, status=200)
    assert approved["status"] == "approved" and approved["organization_id"]
    org = (await client.get(f"/organizations/{approved['organization_id']}", headers=p.resident.headers)).json()
    assert (org["name"], org["kind"], org["legal_form"], org["registration"]) == (
        "玉林东路广场舞队", "social_org", "filed", "community_filed")
    assert org["member_count"] == 3 and org["region_code"] == COMM_A1
    me = (await client.get("/me", headers=p.resident.headers)).json()
    assert me["role"] == "org" and me["organization_id"] == org["id"]
    await post_problem(client, p.community, f"/filings/{fid}/approve", None, 409, "filing_approved")

    # later, an admin registers it with civil affairs (登记): a credit code and a legal form
    r = await client.patch(f"/organizations/{org['id']}", headers=p.admin.headers, json={
        "registration": "registered", "legal_form": "social_group", "credit_code": valid_credit_code()})
    assert r.status_code == 200 and r.json()["registration"] == "registered"
    async with session_factory() as s:
        actions = set((await s.execute(select(AuditEvent.action).where(AuditEvent.entity_id == fid))).scalars())
    assert actions == {"filing.submitted", "filing.approved"}


async def test_subdistrict_filings_are_decided_by_an_admin(client, app) -> None:
    p = await people(app)
    fid = (await post_ok(client, p.community, "/filings", filing_body(level="subdistrict_filed", name="玉林志愿服务队",
                                                                       function_type="service")))["id"]
    await post_problem(client, p.community, f"/filings/{fid}/approve", None, 403)
    await post_problem(client, p.admin, f"/filings/{fid}/reject", {}, 422, "reason_required")
    rejected = await post_ok(client, p.admin, f"/filings/{fid}/reject", {"reason": "章程不完整"}, status=200)
    assert rejected["status"] == "rejected" and rejected["decision_reason"] == "章程不完整"
    again = (await post_ok(client, p.community, "/filings", filing_body(level="subdistrict_filed", name="玉林志愿服务队",
                                                                         function_type="service")))["id"]
    approved = await post_ok(client, p.admin, f"/filings/{again}/approve", None, status=200)
    org = (await client.get(f"/organizations/{approved['organization_id']}")).json()
    assert org["registration"] == "subdistrict_filed"
    assert (await client.get("/me", headers=p.community.headers)).json()["role"] == "community"  # it stays a committee


async def test_who_may_apply(client, app) -> None:
    p = await people(app)
    await post_problem(client, p.org, "/filings", filing_body(), 403, "role_not_allowed")
    await post_problem(client, p.resident, "/filings", filing_body(region_code=COMM_B1), 403, "outside_area")
    await post_problem(client, p.resident, "/filings", filing_body(level="registered"), 422)
    await post_problem(client, p.resident, "/filings", filing_body(members=[]), 422)
    await post_problem(client, p.resident, "/filings", filing_body(function_type="sports"), 422)
    assert (await client.get("/filings")).status_code == 401
