"""Imports over HTTP: what a user uploads, what they are told, what the database holds afterwards."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from exchange.offers.models import Offer
from exchange.organizations.models import Organization
from tests.builders import COMM_A1, make_org_user, make_user, seed_regions, valid_credit_code
from tests.conftest import make_settings
from tests.imports.sheets import csv_bytes, run, upload, with_macros, xlsx

OFFER_HEADER = ["外部编号", "服务名称", "服务类别", "服务对象", "服务区域", "收费方式", "价格（元）", "状态"]


def offer_row(ref: str, title: str = "居家养老助餐服务", **over: Any) -> list[Any]:
    row = {"ref": ref, "title": title, "category": "养老服务", "groups": "老年人、残疾人", "regions": "玉林东路社区",
           "pricing": "低偿", "price": "15.50", "status": "已发布"} | over
    return list(row.values())


async def count(app: FastAPI, table: str) -> int:
    async with app.state.session_factory() as session:
        return int((await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def terms_table(app: FastAPI) -> str:
    """Where the list search keeps its terms: a full-text table on SQLite, term rows elsewhere."""
    return "listing_search" if app.state.engine.dialect.name == "sqlite" else "listing_terms"


async def org_world(app: FastAPI) -> Any:
    await seed_regions(app)
    actor, _ = await make_org_user(app, "org")
    return actor


async def test_dry_run_answers_every_error_with_row_and_column(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    content = xlsx([OFFER_HEADER,
                    offer_row("A1"),
                    offer_row("A2", category="不存在的类别"),
                    offer_row("A3", price="十五元"),
                    offer_row("A4", title=""),
                    offer_row("A5", regions="火星社区"),
                    offer_row("A6", pricing="免费", price="3"),
                    offer_row("A1", title="编号重复")])
    result = await run(app, client, actor.headers, "offers", content)
    assert result["status"] == "failed" and result["dry_run"] is True
    assert result["rows_total"] == 7
    got = {(e["row"], e["column"], e["code"]) for e in result["errors"]}
    assert got == {(3, "C", "unknown_value"), (4, "G", "invalid_number"), (5, "B", "missing"),
                   (6, "E", "unknown_region"), (7, "G", "price_not_free"), (8, "A", "duplicate_ref")}
    assert all(e["message"] and any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in result["errors"])
    assert await count(app, "offers") == 0


async def test_dry_run_of_a_good_file_says_what_it_would_create_and_creates_nothing(app: FastAPI,
                                                                                      client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    result = await run(app, client, actor.headers, "offers", xlsx([OFFER_HEADER, offer_row("A1"), offer_row("A2")]))
    assert (result["status"], result["created"], result["errors"]) == ("succeeded", 2, [])
    assert await count(app, "offers") == 0


async def test_a_real_run_creates_every_row_through_the_api_rules(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    english = ["external_ref", "title", "category", "target_groups", "region_codes", "pricing", "price_fen", "status"]
    content = xlsx([english, ["E1", "助残康复训练", "disability", "disabled", COMM_A1, "market", 2500, "published"]])
    result = await run(app, client, actor.headers, "offers", content, dry_run=False)
    assert (result["status"], result["created"]) == ("succeeded", 1), result
    listed = (await client.get("/offers", params={"q": "康复"})).json()["items"]
    assert [(o["title"], o["category"], o["price_fen"], o["status"], o["organization_id"]) for o in listed] == [
        ("助残康复训练", "disability", 2500, "published", str(actor.user.organization_id))]


async def test_reimport_creates_nothing(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    content = xlsx([OFFER_HEADER, offer_row("R1"), offer_row("R2", title="老年人智能手机培训")])
    first = await run(app, client, actor.headers, "offers", content, dry_run=False)
    assert (first["created"], first["skipped"]) == (2, 0)
    before = {t: await count(app, t) for t in ("offers", terms_table(app), "import_refs")}
    second = await run(app, client, actor.headers, "offers", content, dry_run=False)
    assert (second["status"], second["created"], second["skipped"]) == ("succeeded", 0, 2)
    assert {t: await count(app, t) for t in before} == before


async def test_a_failed_real_import_leaves_the_database_exactly_as_it_was(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    await run(app, client, actor.headers, "offers", xlsx([OFFER_HEADER, offer_row("K1")]), dry_run=False)
    tables = ("offers", terms_table(app), "listing_regions", "import_refs", "audit_events", "organizations")
    before = {t: await count(app, t) for t in tables}
    async with app.state.session_factory() as session:
        titles_before = sorted((await session.execute(select(Offer.title))).scalars())
    content = xlsx([OFFER_HEADER, offer_row("K2", title="新服务一"), offer_row("K3", title="新服务二"),
                    offer_row("K4", category="不存在")])
    result = await run(app, client, actor.headers, "offers", content, dry_run=False)
    assert (result["status"], result["created"]) == ("failed", 0)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(4, "C")]
    after = {t: await count(app, t) for t in tables}
    assert after == before | {"audit_events": after["audit_events"]}  # only the import's own trail is added
    async with app.state.session_factory() as session:
        assert sorted((await session.execute(select(Offer.title))).scalars()) == titles_before


async def test_gb18030_csv_as_excel_saves_it(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    # Excel on Chinese Windows: "CSV (逗号分隔)" is GB18030/GBK, CRLF line ends, no BOM.
    content = csv_bytes([OFFER_HEADER, offer_row("G1", title="社区儿童课后托管", category="儿童青少年", groups="儿童"),
                         offer_row("G2", title="骑手驿站·关爱服务", groups="快递外卖骑手等新就业群体")], "gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    result = await run(app, client, actor.headers, "offers", content, filename="服务.csv", dry_run=False)
    assert (result["status"], result["created"]) == ("succeeded", 2), result
    async with app.state.session_factory() as session:
        assert sorted((await session.execute(select(Offer.title))).scalars()) == ["社区儿童课后托管", "骑手驿站·关爱服务"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
async def test_utf8_csv_with_or_without_bom(app: FastAPI, client: httpx.AsyncClient, encoding: str) -> None:
    actor = await org_world(app)
    content = csv_bytes([OFFER_HEADER, offer_row("U1")], encoding)
    result = await run(app, client, actor.headers, "offers", content, filename="offers.csv")
    assert (result["status"], result["created"]) == ("succeeded", 1), result


async def test_dates_as_people_type_them_and_labels_for_codes(app: FastAPI, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    header = ["组织名称", "组织类型", "组织形式", "登记情况", "功能类型", "统一社会信用代码", "成立日期", "所在区域", "联系人"]
    content = xlsx([header,
                    ["读书会", "社会组织", "备案组织", "社区备案", "文体娱乐", None, "2021年5月4日", "玉林东路社区", "李老师"],
                    ["助老队", "社会组织", "社会团体", "登记注册", "为民服务", valid_credit_code(), "2020/3/15", COMM_A1, None],
                    ["志愿队", "社会组织", "备案组织", "街道备案", "居民互助", None, "20190701", "玉林街道", None]])
    result = await run(app, client, admin.headers, "organizations", content, dry_run=False)
    assert (result["status"], result["created"]) == ("succeeded", 3), result
    async with app.state.session_factory() as session:
        rows = (await session.execute(select(Organization.name, Organization.founded_on, Organization.function_type,
                                             Organization.region_code).order_by(Organization.name))).all()
    assert [(n, str(d), f, r) for n, d, f, r in rows] == [
        ("助老队", "2020-03-15", "service", COMM_A1), ("志愿队", "2019-07-01", "mutual_aid", "510107003000"),
        ("读书会", "2021-05-04", "culture_sport", COMM_A1)]


async def test_ambiguous_region_name_is_an_error_with_its_cell(app: FastAPI, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    regions = xlsx([["区划代码", "名称", "层级", "上级代码"], ["510107004002", "玉林东路社区", "社区", "510107004000"]])
    assert (await run(app, client, admin.headers, "regions", regions, dry_run=False))["created"] == 1
    content = xlsx([["需求标题", "所在区域"], ["需要陪同就医", "玉林东路社区"]])
    result = await run(app, client, admin.headers, "needs", content)
    assert [(e["row"], e["column"], e["code"]) for e in result["errors"]] == [(2, "B", "ambiguous_region")]


async def test_regions_in_any_order_parents_first(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await make_user(app, "admin")
    content = xlsx([["区划代码", "名称", "层级", "上级代码"],
                    ["510107003001", "玉林东路社区", "社区", "510107003000"],
                    ["510107003000", "玉林街道", "街道", "510107"],
                    ["510107", "武侯区", "区县", None]])
    result = await run(app, client, admin.headers, "regions", content, dry_run=False)
    assert (result["status"], result["created"]) == ("succeeded", 3), result
    again = await run(app, client, admin.headers, "regions", content, dry_run=False)
    assert (again["created"], again["skipped"]) == (0, 3)


async def test_users_of_an_organization_are_imported_as_post_users_creates_them(app: FastAPI,
                                                                                   client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    _, org = await make_org_user(app, "org")
    header = ["用户名", "初始密码", "角色", "姓名", "所属组织"]
    refused = await run(app, client, admin.headers, "users",
                        xlsx([header, ["buyer_li", "change-me-2026", "购买方", "李老师", org.name]]), dry_run=False)
    assert [(e["row"], e["column"], e["code"]) for e in refused["errors"]] == [(2, "E", "organization_kind_mismatch")]
    content = xlsx([header, ["org_zhang", "change-me-2026", "社会组织用户", "张社工", org.name],
                    ["expert_wang", "change-me-2026", "评审专家", "王老师", None]])
    result = await run(app, client, admin.headers, "users", content, dry_run=False)
    assert (result["status"], result["created"], result["errors"]) == ("succeeded", 2, []), result
    token = (await client.post("/auth/token", data={"username": "org_zhang", "password": "change-me-2026"})).json()
    me = (await client.get("/me", headers={"Authorization": f"Bearer {token['access_token']}"})).json()
    assert (me["role"], me["organization_id"]) == ("org", str(org.id))


# -- files that are not what they should be ------------------------------------------------------------------

def _merged(book: Any, sheet: Any) -> None:
    sheet.merge_range(0, 1, 0, 2, "服务名称")


def _formula(book: Any, sheet: Any) -> None:
    sheet.write_formula(2, 6, "=10+5.5", None, 15.5)


async def expect_file_error(app: FastAPI, client: httpx.AsyncClient, actor: Any, content: bytes, code: str,
                            row: int | None = None, column: str | None = None, filename: str = "x.xlsx") -> None:
    result = await run(app, client, actor.headers, "offers", content, filename=filename, dry_run=False)
    assert result["status"] == "failed", result
    assert [(e["code"], e["row"], e["column"]) for e in result["errors"]] == [(code, row, column)], result["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result["errors"][0]["message"])


async def test_workbook_with_macros(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    await expect_file_error(app, client, actor, with_macros(xlsx([OFFER_HEADER, offer_row("M1")])), "macros_not_allowed",
                            filename="x.xlsm")


async def test_formula_where_a_value_is_expected(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    content = xlsx([OFFER_HEADER, offer_row("F1"), offer_row("F2", price=None)], setup=_formula)
    await expect_file_error(app, client, actor, content, "formula_not_allowed", 3, "G")


async def test_a_formula_past_the_first_megabyte_of_the_sheet(app: FastAPI, client: httpx.AsyncClient) -> None:
    """The sheet is read a megabyte at a time: a formula further down is found, at its own row and column."""
    actor = await org_world(app)

    def formula_far_down(book: Any, sheet: Any) -> None:
        sheet.write_formula(3799, 6, "=10+5.5", None, 15.5)

    rows = [offer_row(f"L{i}", title=f"居家养老助餐服务{i}") for i in range(4000)]
    content = xlsx([OFFER_HEADER, *rows], setup=formula_far_down)
    import zipfile
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert sheet_xml.find(b'<row r="3800"') > 1 << 20
    await expect_file_error(app, client, actor, content, "formula_not_allowed", 3800, "G")


async def test_merged_header_cells(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    await expect_file_error(app, client, actor, xlsx([OFFER_HEADER, offer_row("H1")], setup=_merged), "merged_header", 1, "B")


async def test_hidden_sheet(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    content = xlsx([OFFER_HEADER, offer_row("S1")], extra_sheets=["旧数据"], hidden=["旧数据"])
    await expect_file_error(app, client, actor, content, "hidden_sheet")


async def test_a_sheet_reaching_row_1048576(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)

    def far(book: Any, sheet: Any) -> None:
        sheet.write(1_048_575, 0, "末行")

    await expect_file_error(app, client, actor, xlsx([OFFER_HEADER, offer_row("Z1")], setup=far), "too_many_rows", 1_048_576)


async def test_more_rows_than_the_limit(databases: Any, client: httpx.AsyncClient) -> None:
    from exchange.app import create_app

    url = await databases.fresh()
    small = create_app(make_settings(url, import_max_rows=3))
    async with small.router.lifespan_context(small):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://t/api/v1") as c:
            actor = await org_world(small)
            rows = [OFFER_HEADER] + [offer_row(f"L{i}") for i in range(5)]
            await expect_file_error(small, c, actor, xlsx(rows), "too_many_rows", 5)
            await expect_file_error(small, c, actor, csv_bytes(rows), "too_many_rows", 5, filename="x.csv")
    await databases.drop(url)


async def test_a_file_over_the_upload_limit_is_413_and_the_limit_is_the_imports_own(databases: Any) -> None:
    from exchange.app import create_app

    url = await databases.fresh()
    app = create_app(make_settings(url, import_max_bytes=200_000, max_body_bytes=2048))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as c:
            actor = await org_world(app)
            fine = xlsx([OFFER_HEADER] + [offer_row(f"B{i}") for i in range(40)])  # binary, above the global limit
            assert 2048 < len(fine) < 200_000
            assert (await upload(c, actor.headers, "offers", fine)).status_code == 202
            big = await upload(c, actor.headers, "offers", b"PK\x03\x04" + b"\x00" * 300_000)
            assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
            assert (await c.post("/offers", headers=actor.headers, json={"title": "x" * 3000})).status_code == 413
    await databases.drop(url)


async def test_not_a_spreadsheet(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    await expect_file_error(app, client, actor, b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "unsupported_format", filename="old.xls")
    await expect_file_error(app, client, actor, b"PK\x03\x04broken", "invalid_workbook")
    await expect_file_error(app, client, actor, "服务名称\n".encode("utf-16-le")[:7] + b"\xff\xfe\xfd", "unknown_encoding",
                            filename="x.csv")


async def test_unknown_and_missing_columns(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    result = await run(app, client, actor.headers, "offers", xlsx([["服务名称", "备注"], ["助餐", "x"]]))
    assert sorted((e["code"], e["row"], e["column"]) for e in result["errors"]) == [
        ("missing_column", 1, None), ("unknown_column", 1, "B")]


# -- who may import, and who may see an import ---------------------------------------------------------------

async def test_who_may_import_what(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    other = await make_user(app, "resident", region_code=COMM_A1)
    content = xlsx([["组织名称", "组织类型"], ["某组织", "社会组织"]])
    refused = await upload(client, actor.headers, "organizations", content)
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    assert (await upload(client, other.headers, "offers", content)).status_code == 403
    accepted = await upload(client, actor.headers, "offers", xlsx([OFFER_HEADER, offer_row("W1")]))
    assert accepted.status_code == 202 and accepted.headers["Location"].endswith(accepted.json()["id"])
    assert (await client.get(f"/imports/{accepted.json()['id']}", headers=other.headers)).status_code == 404
    assert (await client.get(f"/imports/{accepted.json()['id']}")).status_code == 401
    admin = await make_user(app, "admin")
    assert (await client.get(f"/imports/{accepted.json()['id']}", headers=admin.headers)).status_code == 200


async def test_an_organization_importing_offers_of_another_is_refused_per_row(app: FastAPI,
                                                                             client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    _, other_org = await make_org_user(app, "org")
    content = xlsx([["服务名称", "服务类别", "提供组织"], ["助餐", "养老服务", other_org.name]])
    result = await run(app, client, actor.headers, "offers", content)
    assert [(e["row"], e["code"]) for e in result["errors"]] == [(2, "not_your_organization")]


async def test_count_of_rows_is_progress(app: FastAPI, client: httpx.AsyncClient) -> None:
    actor = await org_world(app)
    result = await run(app, client, actor.headers, "offers", xlsx([OFFER_HEADER] + [offer_row(f"P{i}") for i in range(7)]))
    assert (result["rows_total"], result["rows_done"]) == (7, 7)
    async with app.state.session_factory() as session:
        assert (await session.execute(select(func.count()).select_from(Offer))).scalar_one() == 0


async def test_the_import_runs_on_the_job_runner_and_says_it_finished(app: FastAPI, client: httpx.AsyncClient) -> None:
    from tests.builders import events_of, run_jobs

    actor = await org_world(app)
    accepted = await upload(client, actor.headers, "offers", xlsx([OFFER_HEADER, offer_row("J1")]), dry_run=False)
    assert accepted.status_code == 202 and accepted.json()["status"] == "queued"
    assert await count(app, "offers") == 0  # nothing happens inside the request
    report = await run_jobs(app)
    assert report.jobs_done == 1
    done = (await client.get(f"/imports/{accepted.json()['id']}", headers=actor.headers)).json()
    assert (done["status"], done["created"], done["rows_done"], done["rows_total"]) == ("succeeded", 1, 1, 1)
    finished = await events_of(app, types=("import.finished",))
    assert [(e.entity_id, e.data["status"]) for e in finished] == [(accepted.json()["id"], "succeeded")]
    assert (await run_jobs(app)).jobs_done == 0  # the job ran once


async def test_a_large_batch_is_analysed_and_indexed_as_one_offer_at_a_time_would_be(app: FastAPI,
                                                                                      client: httpx.AsyncClient) -> None:
    """Past a few hundred rows the texts are worked out in a helper process, a chunk at a time (the last chunk,
    under the helper's threshold, in place): what it stores must be what creating each offer through the API
    stores, each row its own."""
    from exchange.chinese.analysis import analyse_for_storage
    from exchange.kit.offload import POOLED_BATCH
    from exchange.offers.service import CHUNK

    actor = await org_world(app)
    titles = ["居家养老助餐服务", "社区儿童课后托管", "残疾人康復训练", "老年人WiFi6上网课"]
    count_rows = CHUNK + POOLED_BATCH // 2
    rows = [offer_row(f"P{i}", title=f"{titles[i % 4]}（第{i}期）") for i in range(count_rows)]
    result = await run(app, client, actor.headers, "offers", xlsx([OFFER_HEADER, *rows]), dry_run=False)
    assert (result["status"], result["created"]) == ("succeeded", count_rows), result["errors"][:3]
    async with app.state.session_factory() as session:
        stored = (await session.execute(select(Offer.title, Offer.description, Offer.match_analysis))).all()
    assert len(stored) == count_rows
    assert all(analysis == analyse_for_storage(title, description) for title, description, analysis in stored)
    r = await client.get("/offers", params={"q": "康复 第6期", "limit": 100})
    assert [o["title"] for o in r.json()["items"]] == ["残疾人康復训练（第6期）"]
    found, cursor = [], None
    while True:
        page = (await client.get("/offers", params={"q": "wifi6", "limit": 100, **({"cursor": cursor} if cursor else {})})).json()
        found += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert len(found) == len([i for i in range(count_rows) if i % 4 == 3])
