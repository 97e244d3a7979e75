"""Managers' work records and KPIs over HTTP; every KPI checked against a count made here."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from tests.builders import COMM_B1, SUB_A, make_user
from tests.listings.world import create, need_body
from tests.tenders.world import milestones, ok, world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_consultations_are_recorded_by_managers_and_read_by_staff(app, client) -> None:
    w = await world(app, bidders=1, experts=0)
    c = w.c
    need = await create(client, c.resident, "/needs", need_body())
    body = {"kind": "needs_justification", "need_id": need["id"], "party_organization_id": str(c.org_org.id),
            "notes": "走访王奶奶，确认助餐需求真实", "outcome": "建议转为项目机会"}
    r = await client.post("/consultations", json=body, headers=c.buyer.headers)
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    made = await ok(client.post("/consultations", json=body, headers=c.manager.headers), 201)
    assert made["manager_id"] == str(c.manager.id) and made["held_on"]
    r = await client.post("/consultations", json={**body, "need_id": str(c.org_org.id)}, headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "unknown_need"
    r = await client.post("/consultations", json={**body, "kind": "gossip"}, headers=c.manager.headers)
    assert r.status_code == 422
    tomorrow = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = await client.post("/consultations", json={**body, "held_on": tomorrow}, headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "held_on_in_future"

    listed = await ok(client.get("/consultations", params={"need_id": need["id"]}, headers=c.admin.headers))
    assert [i["id"] for i in listed["items"]] == [made["id"]]
    assert (await ok(client.get(f"/consultations/{made['id']}", headers=c.manager.headers)))["outcome"] == "建议转为项目机会"
    assert (await client.get("/consultations", headers=c.org.headers)).status_code == 403
    assert (await client.get(f"/consultations/{made['id']}", headers=c.resident.headers)).status_code == 403


async def broker(client, w, manager, need_id: str, amount: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    body = {"need_id": need_id, "organization_id": str(w.c.org_org.id), "fund_id": str(w.fund_id),
            "amount_fen": amount, "milestones": milestones(amount, 1)}
    deal = await ok(client.post("/deals", json=body, headers=manager.headers), 201)
    await ok(client.post(f"/deals/{deal['id']}/sign", headers=w.c.org.headers))
    return await ok(client.post(f"/deals/{deal['id']}/sign", headers=w.c.buyer.headers))


async def test_kpis_count_what_the_manager_did(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=0)
    c = w.c
    manager = await make_user(app, "manager", region_code=SUB_A)
    w.extra.append(manager)
    n_brokered = await create(client, c.resident, "/needs", need_body(title="独居老人助餐"))
    n_converted = await create(client, c.resident, "/needs", need_body(title="楼道需要扶手", category="elderly_care"))
    n_others = await create(client, c.other_resident, "/needs", need_body(title="其他经理人的需求"))
    n_claim_fast = await create(client, c.resident, "/needs", need_body(title="帮忙取药"))
    n_away = await create(client, c.other_resident, "/needs", need_body(title="街道外的需求", region_code=COMM_B1))

    deal = await broker(client, w, manager, n_brokered["id"], 3_000_000)
    await broker(client, w, c.manager, n_others["id"], 1_000_000)  # another manager's work
    converted = {"need_ids": [n_converted["id"]], "title": "楼道扶手改造", "budget_fen": 2_000_000,
                 "buyer_organization_id": str(c.buyer_org.id)}
    await ok(client.post("/opportunities/from-needs", json=converted, headers=manager.headers), 201)
    for kind in ("consultation", "pre_study", "consultation"):
        await ok(client.post("/consultations", json={"kind": kind, "notes": "记录"}, headers=manager.headers), 201)
    await ok(client.post("/consultations", json={"kind": "review", "notes": "他人"}, headers=c.manager.headers), 201)

    w.later(app, clock, days=2)
    await ok(client.post(f"/needs/{n_claim_fast['id']}/claim", headers=c.org.headers))
    w.later(app, clock, days=4)
    n_claim_slow = await create(client, c.resident, "/needs", need_body(title="修水管"))  # claimed 6 days on
    await ok(client.post(f"/needs/{n_away['id']}/claim", headers=c.org.headers))  # outside the manager's area
    w.later(app, clock, days=6)
    await ok(client.post(f"/needs/{n_claim_slow['id']}/claim", headers=c.org.headers))

    # deliver the brokered deal: the milestone paid, the closing report, the evaluation, the close
    m = deal["milestones"][0]
    await ok(client.post(f"/deals/{deal['id']}/milestones/{m['id']}/report", json={"summary": "已完成", "evidence": []},
                         headers=c.org.headers))
    await ok(client.post(f"/deals/{deal['id']}/milestones/{m['id']}/accept", headers=c.buyer.headers))
    await ok(client.post(f"/deals/{deal['id']}/closing-report",
                         json={"summary": "完成", "people_served": 12, "activities": 30}, headers=c.org.headers))
    await ok(client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {}, "total": 88}, headers=c.evaluator.headers))
    closed = await ok(client.post(f"/deals/{deal['id']}/close", headers=c.buyer.headers))
    assert closed["status"] == "closed"

    kpis = await ok(client.get(f"/managers/{manager.id}/kpis", headers=c.admin.headers))
    assert kpis["deals_brokered"] == 1 and kpis["deals_brokered_fen"] == 3_000_000
    assert kpis["money_transacted_fen"] == 3_000_000
    assert kpis["needs_converted"] == 1
    assert kpis["needs_resolved"] == 1  # the brokered need whose deal closed
    # claimed in the manager's area: the two brokered needs (a brokered deal claims its need, at once), then 2 and 6 days
    assert kpis["needs_claimed_in_area"] == 4 and kpis["median_days_need_to_claim"] == 1.0  # median of 0, 0, 2, 6
    assert kpis["consultations"] == 3 and kpis["consultations_by_kind"] == {"consultation": 2, "pre_study": 1}

    # the same figures as the sheet an office files: money in yuan, counts as numbers, the period in the title
    r = await client.get(f"/managers/{manager.id}/kpis", params={"format": "xlsx"}, headers=c.admin.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], str)}
    assert "公益经理人工作绩效" in next(iter(cells)) and kpis["display_name"] in next(iter(cells))
    assert cells["撮合成交项目"][0] == 1 and cells["撮合成交金额"][1] == 30_000  # 3,000,000 fen
    assert cells["已支付资金（撮合项目）"][1] == 30_000 and cells["以需定供转化的需求"][0] == 1
    assert cells["解决的需求"][0] == 1 and cells["辖区内被认领的需求"][0] == 4
    assert cells["需求从发布到认领的中位天数（天）"][0] == 1.0 and cells["咨询、前期研究与论证（次）"][0] == 3
    assert cells["　其中：咨询"][0] == 2 and cells["　其中：前期研究"][0] == 1 and cells["　其中：督导"][0] == 0

    before = await ok(client.get(f"/managers/{manager.id}/kpis", headers=manager.headers,
                                 params={"to": (dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).isoformat()}))
    assert before["deals_brokered"] == 0 and before["consultations"] == 0
    r = await client.get(f"/managers/{manager.id}/kpis", params={"from": "2027-01-02T00:00:00Z", "to": "2027-01-01T00:00:00Z"},
                         headers=c.admin.headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_period"
    assert (await client.get(f"/managers/{c.buyer.id}/kpis", headers=c.admin.headers)).status_code == 404
    assert (await client.get(f"/managers/{manager.id}/kpis", headers=c.buyer.headers)).status_code == 403
