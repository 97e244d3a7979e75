"""The portal's pages over HTTP, without a browser: language, caching, redaction of what the API redacts,
pages without JavaScript, htmx fragments, errors as pages, and the self-hosted API docs."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.builders import COMM_A1, COMM_B1
from tests.listings.world import cast, create, need_body, offer_body, published


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


def ids_on(page: str) -> list[str]:
    return re.findall(r'<li class="card" data-id="([0-9a-f-]+)"', page)


async def test_home_is_the_portal_in_chinese_with_cache_headers(app, pages) -> None:
    r = await pages.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in r.text and "<title>社会服务交易中心 · 首页</title>" in r.text
    assert r.headers["cache-control"] == "public, max-age=60" and "Accept-Language" in r.headers["vary"]
    assert '<meta property="og:title" content="社会服务交易中心 · 首页">' in r.text


async def test_english_by_accept_language_and_by_the_switch(app, pages) -> None:
    r = await pages.get("/offers", headers={"Accept-Language": "en-US,en;q=0.9,zh;q=0.5"})
    assert '<html lang="en">' in r.text and "<h1>Service offers</h1>" in r.text
    r = await pages.get("/offers?lang=en")
    assert '<html lang="en">' in r.text and r.cookies.get("lang") == "en"
    assert r.headers["cache-control"] == "private, max-age=0"  # a response that sets a cookie is not shared
    r = await pages.get("/offers", headers={"Accept-Language": "zh-CN"})  # the switch's cookie wins
    assert "<h1>Service offers</h1>" in r.text
    pages.cookies.clear()
    r = await pages.get("/offers", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert "<h1>服务供给清单</h1>" in r.text


async def test_lists_filter_and_page_without_javascript_like_the_api(app, client, pages) -> None:
    c = await cast(app)
    for i in range(23):
        await published(client, c.org, "/offers", offer_body(title=f"助老服务{i}", category="elderly_care" if i % 2 else "health",
                                                               region_codes=[COMM_A1 if i % 3 else COMM_B1]))
    api = (await client.get("/offers", params={"category": "elderly_care"})).json()
    page = (await pages.get("/offers", params={"category": "elderly_care", "region": "", "q": "", "target_group": ""})).text
    assert ids_on(page) == [o["id"] for o in api["items"]] and len(api["items"]) == 11
    first = (await client.get("/offers")).json()
    page = (await pages.get("/offers")).text
    assert ids_on(page) == [o["id"] for o in first["items"]]
    next_href = re.search(r'<a rel="next" class="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    second = (await client.get("/offers", params={"cursor": first["next_cursor"]})).json()
    assert ids_on((await pages.get(next_href)).text) == [o["id"] for o in second["items"]]
    region = (await client.get("/offers", params={"region": COMM_B1})).json()
    assert ids_on((await pages.get(f"/offers?region={COMM_B1}")).text) == [o["id"] for o in region["items"]]


async def test_htmx_gets_only_the_results(app, client, pages) -> None:
    c = await cast(app)
    offer = await published(client, c.org, "/offers", offer_body())
    r = await pages.get("/offers", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert r.text.lstrip().startswith('<section id="results"') and "<html" not in r.text
    assert ids_on(r.text) == [offer["id"]] and "HX-Request" in r.headers["vary"]


async def test_drafts_and_unknown_items_are_not_found_pages(app, client, pages) -> None:
    c = await cast(app)
    draft = await create(client, c.org, "/offers", offer_body(title="未发布的服务"))
    for path in (f"/offers/{draft['id']}", "/needs/00000000-0000-0000-0000-000000000000", "/opportunities/not-a-uuid"):
        r = await pages.get(path)
        assert r.status_code == (await client.get(path.replace("/", "/api/v1/", 1).replace("/api/v1", "", 1))).status_code
        assert r.status_code in (404, 422) and r.headers["content-type"].startswith("text/html")
        assert "<h1>" in r.text and "未发布的服务" not in r.text
    r = await pages.get("/offers?limit=0")
    assert r.status_code == 422 and "limit" in r.text and r.headers["content-type"].startswith("text/html")


async def test_need_page_shows_the_need_as_the_api_shows_it_to_the_public(app, client, pages) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", need_body(description="住3栋2单元，腿脚不好做饭难"))
    public = (await client.get(f"/needs/{need['id']}")).json()
    page = (await pages.get(f"/needs/{need['id']}")).text
    text = re.search(r'<div class="prose" id="need-text">(.*?)</div>', page, re.S).group(1)
    assert text == public["description"]
    assert str(c.resident.user.id) not in page and c.resident.user.username not in page


async def test_docs_are_served_by_the_exchange(app, pages) -> None:
    r = await pages.get("/docs")
    assert r.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text) + re.findall(r"url: '([^']+)'", r.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in [a for a in assets if a.startswith("/static/")]:
        served = await pages.get(asset)
        assert served.status_code == 200 and len(served.content) > 100
    js = await pages.get(next(a for a in assets if a.endswith(".js")))
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_statistics_page_lists_the_apis_figures(app, client, pages) -> None:
    c = await cast(app)
    for category in ("safety", "safety", "health"):
        await create(client, c.resident, "/needs", need_body(category=category))
    page = (await pages.get("/stats")).text
    needs_table = page[page.index('id="chart-needs-caption"'):]
    assert re.search(r"<th scope=\"row\">平安与安全</th><td class=\"num\">2</td>", needs_table)
    assert re.search(r"<th scope=\"row\">健康服务</th><td class=\"num\">1</td>", needs_table)
    organizations = (await client.get("/stats/organizations")).json()
    assert f'<td class="num">{organizations["all"]["total"]}</td><td class="num">100%</td>' in page
    # communities × function types: the same table as the API's (and its sheet), with the offices' labels
    ft = organizations["by_community_and_function_type"]
    section = page[page.index('id="chart-function-types-caption"'):]
    section = section[:section.index("</table>")]
    assert all(label in section for label in ("为民服务", "公益慈善", "文体娱乐", "社区事务", "居民互助"))
    totals = "".join(f'<td class="num">{ft["totals"].get(c, 0)}</td>' for c in ft["columns"])
    assert f'{totals}<td class="num">{ft["total"]}</td><td class="num">100%</td>' in section
