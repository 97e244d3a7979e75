"""Exports, templates and statistics sheets over HTTP, and the round trip export → import → export."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from fastapi import FastAPI

from exchange.app import create_app
from exchange.sheets.values import CHINA
from tests.builders import COMM_A1, COMM_B1, make_org, make_org_user, make_user, seed_regions
from tests.conftest import make_settings
from tests.imports.sheets import read_xlsx, run, xlsx

OFFER_HEADER = ["外部编号", "服务名称", "服务类别", "服务对象", "服务区域", "收费方式", "价格（元）", "状态"]
EXPORT_ONLY = {"系统编号", "更新时间"}
EXPORT_HEADER = ["外部编号", "提供组织", "服务名称", "服务内容", "服务类别", "服务对象", "服务区域", "收费方式", "价格（元）",
                 "每月服务能力（人次）", "状态", "系统编号", "更新时间"]


def comparable(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    """The rows without the columns only an export writes (ids and times differ between databases)."""
    header = rows[0]
    keep = [i for i, h in enumerate(header) if h not in EXPORT_ONLY]
    return sorted(tuple("" if r[i] is None else r[i] for i in keep) for r in rows)


async def test_round_trip_export_import_export(app: FastAPI, client: httpx.AsyncClient, databases: Any) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    actor, org = await make_org_user(app, "org", name="成都市武侯区乐龄养老服务中心", function_type="service",
                                     region_code=COMM_A1, contact={"person": "王老师", "phone": "028-85550001"})
    rows = [OFFER_HEADER, ["O1", "居家养老助餐服务", "养老服务", "老年人", COMM_A1, "低偿", "15.5", "已发布"],
            ["O2", "老年人智能手机培训", "志愿服务", "老年人、全体居民", f"{COMM_A1}、{COMM_B1}", "免费", None, "已发布"],
            ["O3", "法律咨询", "法律与调解", None, None, "市场价", "200", "已发布"]]
    assert (await run(app, client, actor.headers, "offers", xlsx(rows), dry_run=False))["created"] == 3
    orgs_a = (await client.get("/exports/organizations", headers=admin.headers)).content
    offers_a = (await client.get("/exports/offers", headers=admin.headers)).content

    url = await databases.fresh()  # an empty database
    other = create_app(make_settings(url))
    async with other.router.lifespan_context(other):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://t/api/v1") as c:
            await seed_regions(other)
            admin_b = await make_user(other, "admin")
            done = await run(other, c, admin_b.headers, "organizations", orgs_a, filename="orgs.xlsx", dry_run=False)
            assert (done["status"], done["created"]) == ("succeeded", 1), done
            done = await run(other, c, admin_b.headers, "offers", offers_a, filename="offers.xlsx", dry_run=False)
            assert (done["status"], done["created"]) == ("succeeded", 3), done
            orgs_b = (await c.get("/exports/organizations", headers=admin_b.headers)).content
            offers_b = (await c.get("/exports/offers", headers=admin_b.headers)).content
            again = await run(other, c, admin_b.headers, "offers", offers_a, filename="offers.xlsx", dry_run=False)
            assert (again["created"], again["skipped"]) == (0, 3)
    await databases.drop(url)
    assert comparable(read_xlsx(offers_b)) == comparable(read_xlsx(offers_a))
    assert comparable(read_xlsx(orgs_b)) == comparable(read_xlsx(orgs_a))
    assert read_xlsx(offers_a)[0][:3] == ["外部编号", "提供组织", "服务名称"]
    assert len(read_xlsx(offers_a)) == 4 and org.name in {r[1] for r in read_xlsx(offers_a)[1:]}


async def test_csv_export_has_a_bom_and_the_lists_filters_and_visibility(app: FastAPI, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    actor, _ = await make_org_user(app, "org")
    rows = [OFFER_HEADER, ["C1", "助餐", "养老服务", None, COMM_A1, "免费", None, "已发布"],
            ["C2", "托管", "儿童青少年", None, COMM_B1, "免费", None, "已发布"],
            ["C3", "草稿里的服务", "养老服务", None, COMM_A1, "免费", None, "草稿"]]
    await run(app, client, actor.headers, "offers", xlsx(rows), dry_run=False)
    response = await client.get("/exports/offers", params={"format": "csv", "category": "elderly_care"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "助餐" in lines[1]  # the anonymous reader sees neither the draft nor the other category
    own = (await client.get("/exports/offers", params={"format": "csv", "status": "draft"}, headers=actor.headers))
    assert [line.split(",")[2] for line in own.content.decode("utf-8-sig").splitlines()[1:]] == ["草稿里的服务"]
    bad = await client.get("/exports/offers", params={"budget_min_fen": 5, "budget_max_fen": 1})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_range"


async def test_export_of_a_long_list_crosses_pages(app: FastAPI, client: httpx.AsyncClient) -> None:
    from exchange.exports import lists

    await seed_regions(app)
    actor, _ = await make_org_user(app, "org")
    rows = [OFFER_HEADER] + [[f"P{i}", f"服务{i:04d}", "养老服务", None, COMM_A1, "免费", None, "已发布"] for i in range(25)]
    await run(app, client, actor.headers, "offers", xlsx(rows), dry_run=False)
    saved, lists.PAGE = lists.PAGE, 10
    try:
        import exchange.exports.endpoints as endpoints

        endpoints.PAGE = 10
        content = (await client.get("/exports/offers", params={"format": "xlsx"})).content
        # signed in, the later pages are read after the request's own session has ended: the reader still counts
        own = await client.get("/exports/offers", params={"format": "csv"}, headers=actor.headers)
    finally:
        lists.PAGE = endpoints.PAGE = saved
    titles = sorted(r[2] for r in read_xlsx(content)[1:])
    assert titles == [f"服务{i:04d}" for i in range(25)]
    assert own.status_code == 200 and sorted(line.split(",")[2] for line in own.text.splitlines()[1:]) == titles


async def test_deals_export_needs_a_party_and_notices_are_public(app: FastAPI, client: httpx.AsyncClient) -> None:
    resident = await make_user(app, "resident")
    assert (await client.get("/exports/deals")).status_code == 401
    assert (await client.get("/exports/deals", headers=resident.headers)).status_code == 403
    manager = await make_user(app, "manager")
    deals = await client.get("/exports/deals", headers=manager.headers, params={"format": "csv"})
    assert deals.status_code == 200 and deals.content.decode("utf-8-sig").startswith("系统编号,项目名称")
    notices = await client.get("/exports/notices")
    assert notices.status_code == 200 and read_xlsx(notices.content)[0][:2] == ["公示类型", "项目名称"]


async def test_template_has_chinese_headers_an_example_validation_lists_and_the_codes(app: FastAPI,
                                                                                    client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    user = await make_user(app, "manager")
    assert (await client.get("/imports/templates/offers")).status_code == 401
    assert (await client.get("/imports/templates/unknown", headers=user.headers)).status_code == 404
    response = await client.get("/imports/templates/offers", headers=user.headers)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["服务供给", "说明"]
    data = book["服务供给"]
    headers = [c.value for c in data[1]]
    assert headers[:4] == ["外部编号", "提供组织", "服务名称*", "服务内容"]
    assert data.cell(2, 3).value == "居家养老助餐服务" and data.cell(2, 5).value == "养老服务"
    validated = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in data.data_validations.dataValidation}
    assert validated["E2"].startswith("'说明'!") and "H2" in validated  # 服务类别, 收费方式
    guide = [[c for c in row if c is not None] for row in book["说明"].iter_rows(values_only=True)]
    flat = {c for row in guide for c in row}
    assert {"elderly_care", "养老服务", "low_cost", "低偿", COMM_A1, "玉林东路社区"} <= flat
    for kind in ("opportunities", "needs", "organizations", "users", "regions"):
        r = await client.get(f"/imports/templates/{kind}", headers=user.headers)
        assert r.status_code == 200 and "说明" in openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames
    template = await client.get("/imports/templates/organizations", headers=user.headers)
    flat = {c.value for row in openpyxl.load_workbook(io.BytesIO(template.content))["说明"].iter_rows() for c in row}
    assert {"mutual_aid", "居民互助", "social_service_agency", "community_filed"} <= flat


async def test_the_filled_template_imports(app: FastAPI, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    manager = await make_user(app, "manager")
    await make_org(app, name="成都市武侯区乐龄养老服务中心")
    template = (await client.get("/imports/templates/offers", headers=manager.headers)).content
    result = await run(app, client, manager.headers, "offers", template, dry_run=False)
    assert (result["status"], result["created"]) == ("succeeded", 1), result


# -- organizations' function type and the offices' table ------------------------------------------------------

async def test_function_type_contact_fields_and_the_table_by_community(app: FastAPI, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    created = await client.post("/organizations", headers=admin.headers, json={
        "name": "玉林东路社区读书会", "kind": "social_org", "legal_form": "filed", "registration": "community_filed",
        "function_type": "culture_sport", "region_code": COMM_A1, "contact_person": "李老师", "contact_phone": "13800000000"})
    assert created.status_code == 201, created.text
    assert (created.json()["function_type"], created.json()["contact_person"]) == ("culture_sport", "李老师")
    for name, ftype, region in (("助老服务队", "service", COMM_A1), ("邻里互助会", "mutual_aid", COMM_A1),
                                ("锦城志愿队", "service", COMM_B1)):
        await make_org(app, "social_org", name=name, legal_form="filed", registration="community_filed", credit_code=None,
                       function_type=ftype, region_code=region)
    anonymous = (await client.get(f"/organizations/{created.json()['id']}")).json()
    assert anonymous["contact_person"] is None and anonymous["contact_phone"] is None and anonymous["contact"] is None
    signed_in = (await client.get(f"/organizations/{created.json()['id']}", headers=admin.headers)).json()
    assert (signed_in["contact_person"], signed_in["contact_phone"]) == ("李老师", "13800000000")
    bad = await client.post("/organizations", headers=admin.headers, json={"name": "某组织", "kind": "government",
                                                                           "function_type": "sports"})
    assert bad.status_code == 422

    table = (await client.get("/stats/organizations")).json()["by_community_and_function_type"]
    by_code = {r["region_code"]: r for r in table["rows"]}
    assert by_code[COMM_A1]["counts"] | {} == {"service": 1, "charity": 0, "culture_sport": 1, "community_affairs": 0,
                                               "mutual_aid": 1, "other": 0}
    assert (by_code[COMM_A1]["total"], by_code[COMM_A1]["share"]) == (3, 0.75)
    assert (by_code[COMM_B1]["total"], table["total"], table["totals"]["service"]) == (1, 4, 2)
    assert table["column_shares"]["service"] == 0.5

    sheet = await client.get("/stats/organizations", params={"format": "xlsx"})
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    ws = book.worksheets[0]
    assert "统计表" in ws.cell(1, 1).value and "单位：家" in ws.cell(2, 1).value and "数据截至" in ws.cell(2, 1).value
    assert [c.value for c in ws[3]][:3] == ["社区", "为民服务", "公益慈善"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    yulin = next(r for r in values if r[0] == "玉林东路社区")
    assert yulin[1:8] == [1, 0, 1, 0, 1, 0, 3] and abs(yulin[8] - 0.75) < 1e-9
    total = next(r for r in values if r[0] == "合计")
    assert total[7] == 4 and ws.cell(4, 9).number_format.endswith("%")
    assert "ws" and book.worksheets[1].cell(1, 1).value.startswith("社区组织统计表")


async def test_every_stats_table_as_a_sheet(app: FastAPI, client: httpx.AsyncClient) -> None:
    for name in ("lists", "money", "deals", "organizations"):
        response = await client.get(f"/stats/{name}", params={"format": "xlsx"})
        assert response.status_code == 200, name
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert ws.cell(1, 1).value and "数据截至" in ws.cell(2, 1).value, name
        assert any(row[0] in ("合计", "协议总数") for row in ws.iter_rows(min_row=4, values_only=True)), name
    assert (await client.get("/stats/lists")).headers["content-type"] == "application/json"


async def test_fund_statement(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor, org = await make_org_user(app, "buyer")
    fund = await client.post("/funds", headers=actor.headers, json={"name": "社区微基金", "source": "micro_fund",
                                                                     "owner_organization_id": str(org.id)})
    assert fund.status_code == 201, fund.text
    fund_id = fund.json()["id"]
    for amount in (100_000, 50_050):
        r = await client.post(f"/funds/{fund_id}/deposits", headers=actor.headers, json={"amount_fen": amount, "note": "x"})
        assert r.status_code in (200, 201), r.text
    statement = (await client.get(f"/funds/{fund_id}/statement", headers=actor.headers)).json()
    assert statement["opening_fen"]["available"] == 0 and statement["closing_fen"]["available"] == 150_050
    assert [e["balances_fen"]["available"] for e in statement["entries"]] == [100_000, 150_050]
    sheet = await client.get(f"/funds/{fund_id}/statement", headers=actor.headers, params={"format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(sheet.content)).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4) if row[1].value is not None or row[0].value]
    closing = next(r for r in values if r[0] == "期末余额")
    assert values[0][0] == "期初余额" and closing[6] == 1500.5 and closing[3] == 1500.5
    stranger = await make_user(app, "resident")
    assert (await client.get(f"/funds/{fund_id}/statement", headers=stranger.headers)).status_code in (403, 404)


# -- the offers' export: plain rows through the list's rules, the sheet in constant memory ------------------

async def test_offer_rows_are_the_items_of_the_list_page_for_every_reader(app: FastAPI,
                                                                          client: httpx.AsyncClient) -> None:
    import dataclasses

    from exchange import db
    from exchange.listings.schemas import Sort, list_filters
    from exchange.offers import service as offers

    await seed_regions(app)
    actor, _ = await make_org_user(app, "org")
    other, _ = await make_org_user(app, "org")
    admin = await make_user(app, "admin")
    rows = [OFFER_HEADER, ["R1", "助餐", "养老服务", "老年人", COMM_A1, "低偿", "15.5", "已发布"],
            ["R2", "托管", "儿童青少年", None, COMM_B1, "免费", None, "已发布"],
            ["R3", "草稿里的服务", "养老服务", None, COMM_A1, "免费", None, "草稿"]]
    await run(app, client, actor.headers, "offers", xlsx(rows), dry_run=False)
    await run(app, client, other.headers, "offers", xlsx([OFFER_HEADER, ["S1", "别家的草稿", "养老服务", None, COMM_A1,
                                                                          "免费", None, "草稿"]]), dry_run=False)
    readers = {"anonymous": None, "owner": actor.user, "other org": other.user, "staff": admin.user}
    seen = {}
    for name, user in readers.items():
        for filters in ({}, {"status": "draft"}, {"category": "elderly_care"}, {"sort": Sort.price}):
            f = dataclasses.replace(await list_filters(**filters), limit=2)
            async with db.read_only(app.state.session_factory) as session:
                pages, row_pages, cursor = [], [], None
                while True:
                    page = await offers.list_page(session, user, dataclasses.replace(f, cursor=cursor))
                    plain = await offers.list_rows(session, user, dataclasses.replace(f, cursor=cursor))
                    pages.append([o.model_dump() for o in page.items])
                    row_pages.append([r._asdict() for r in plain.items])
                    assert plain.next_cursor == page.next_cursor
                    if (cursor := page.next_cursor) is None:
                        break
            assert row_pages == pages, (name, filters)
            seen[name, tuple(filters.values())] = {o["title"] for p in pages for o in p}
    assert seen["owner", ("draft",)] == {"草稿里的服务"} and seen["anonymous", ("draft",)] == set()
    assert seen["staff", ("draft",)] == {"草稿里的服务", "别家的草稿"} and seen["other org", ("draft",)] == {"别家的草稿"}
    async with db.read_only(app.state.session_factory) as session:
        few = await offers.list_rows(session, None, await list_filters(), fields={"id", "title"})
    assert few.items and set(few.items[0]._fields) == {"id", "title"}


async def test_xlsx_export_shows_amounts_and_china_time_as_numbers_with_their_formats(
        app: FastAPI, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    actor, _ = await make_org_user(app, "org")
    empty = await client.get("/exports/offers", params={"format": "xlsx"})
    assert empty.status_code == 200 and read_xlsx(empty.content) == [EXPORT_HEADER]
    rows = [OFFER_HEADER, ["F1", "+86 热线服务", "养老服务", None, COMM_A1, "低偿", "1234.5", "已发布"]]
    await run(app, client, actor.headers, "offers", xlsx(rows), dry_run=False)
    listed = (await client.get("/offers")).json()["items"][0]
    content = (await client.get("/exports/offers", params={"format": "xlsx"})).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == EXPORT_HEADER and sheet.freeze_panes == "A2" and sheet["A1"].font.b
    cells = dict(zip(header, sheet[2], strict=True))
    assert (cells["服务名称"].value, cells["服务名称"].data_type) == ("+86 热线服务", "s")  # text, not a formula
    assert (cells["价格（元）"].value, cells["价格（元）"].number_format) == (1234.5, "#,##0.00")
    updated = dt.datetime.fromisoformat(listed["updated_at"]).astimezone(CHINA).replace(tzinfo=None)
    assert cells["更新时间"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert abs(cells["更新时间"].value - updated) < dt.timedelta(milliseconds=1)
    assert cells["系统编号"].value == listed["id"] and cells["外部编号"].value == "F1"


async def test_an_export_that_fails_midway_leaves_no_temporary_file(app: FastAPI, client: httpx.AsyncClient,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    import exchange.exports.endpoints as endpoints
    from exchange.offers import service as offers

    await seed_regions(app)
    actor, _ = await make_org_user(app, "org")
    rows = [OFFER_HEADER] + [[f"M{i}", f"服务{i}", "养老服务", None, COMM_A1, "免费", None, "已发布"] for i in range(5)]
    await run(app, client, actor.headers, "offers", xlsx(rows), dry_run=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(endpoints, "PAGE", 2)
    calls = 0
    list_rows = offers.list_rows

    async def failing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the database went away")
        return await list_rows(*args, **kwargs)

    monkeypatch.setattr(offers, "list_rows", failing)
    for fmt in ("xlsx", "csv"):
        calls = 0
        with pytest.raises(RuntimeError, match="went away"):
            await client.get("/exports/offers", params={"format": fmt})
        assert calls == 3 and list(tmp_path.iterdir()) == []
