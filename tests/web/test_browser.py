"""The portal in a real browser: what a visitor sees against what the API answers, filters and paging,
the notice board and its print view, no request leaving the exchange, axe-core on every page, and
screenshots at phone and desktop widths."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.web.conftest import Browser, LiveServer, Seeded

WIDTHS = (375, 1280)


@pytest.fixture(autouse=True)
def fresh_visit(browser: Browser) -> None:
    """Each test starts as a new visitor (no language cookie from an earlier test)."""
    browser.driver.get(browser.base + "/static/favicon.svg")
    browser.driver.delete_all_cookies()


def pages(site: Any) -> dict[str, str]:
    w = site.world
    return {
        "home": "/", "opportunities": "/opportunities", "offers": "/offers", "needs": "/needs",
        "opportunity": f"/opportunities/{site.opportunities[0]['id']}", "offer": f"/offers/{site.offers[0]['id']}",
        "need": f"/needs/{site.house_need['id']}", "notices": "/notices", "notices-print": "/notices?print=1",
        "organizations": "/organizations", "organization": f"/organizations/{w.c.org_org.id}", "stats": "/stats",
        "ocds": "/ocds", "english-home": "/?lang=en",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_is_accessible_local_and_fits(browser: Browser, seeded: Seeded, width: int) -> None:
    problems: dict[str, Any] = {}
    for name, path in pages(seeded.site).items():
        browser.requests()
        browser.open(path, width)
        browser.screenshot(name, width)
        outside = browser.outside(browser.requests())
        violations = browser.axe()
        overflow = browser.horizontal_overflow()
        title = browser.driver.title
        og_title = browser.driver.find_element(By.CSS_SELECTOR, 'meta[property="og:title"]').get_attribute("content")
        lang = browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
        found = {k: v for k, v in {"outside": outside, "axe": violations, "overflow": overflow if overflow > 0 else 0,
                                   "og": None if og_title == title and title else (title, og_title)}.items() if v}
        if lang != ("en" if "lang=en" in path else "zh-CN"):
            found["lang"] = lang
        if found:
            problems[name] = found
    assert problems == {}


def test_api_docs_load_from_the_exchange(browser: Browser) -> None:
    browser.requests()
    browser.open("/docs")
    WebDriverWait(browser.driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock"))
    urls = browser.requests()
    assert browser.outside(urls) == []
    assert any("/static/vendor/swagger-ui-" in u for u in urls)


def test_home_counts_match_the_api(browser: Browser, live: LiveServer) -> None:
    stats = live.api("/stats/lists")
    browser.open("/")
    shown = {k: int(browser.text(f"#count-{k}").replace(",", "")) for k in ("opportunities", "offers", "needs")}
    assert shown == {"opportunities": stats["opportunities"]["by_status"]["published"],
                     "offers": stats["offers"]["by_status"]["published"], "needs": stats["needs"]["by_status"]["open"]}
    assert shown["offers"] == 27 and browser.all("#chart-money svg")


def _card_ids(browser: Browser) -> list[str]:
    return [c.get_attribute("data-id") for c in browser.all("#results .card")]


def _wait_for(browser: Browser, condition: Any) -> None:
    WebDriverWait(browser.driver, 20).until(lambda d: condition())


def test_filters_and_paging_with_htmx_match_the_api(browser: Browser, live: LiveServer) -> None:
    browser.open("/offers")
    first = live.api("/offers")
    assert _card_ids(browser) == [o["id"] for o in first["items"]] and first["next_cursor"]
    browser.driver.execute_script("window.__stayed = true")  # gone if the page reloads instead of swapping
    browser.driver.find_element(By.CSS_SELECTOR, "#results a.next").click()
    second = live.api("/offers", cursor=first["next_cursor"])
    _wait_for(browser, lambda: _card_ids(browser) == [o["id"] for o in second["items"]])
    assert "cursor=" in browser.driver.current_url
    assert browser.driver.execute_script("return window.__stayed") is True

    Select(browser.driver.find_element(By.ID, "f-category")).select_by_value("elderly_care")
    Select(browser.driver.find_element(By.ID, "f-region")).select_by_value("510107003001")
    browser.driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    expected = live.api("/offers", category="elderly_care", region="510107003001")
    _wait_for(browser, lambda: _card_ids(browser) == [o["id"] for o in expected["items"]])
    assert expected["items"] and len(expected["items"]) < 27
    assert "category=elderly_care" in browser.driver.current_url and "cursor" not in browser.driver.current_url
    assert browser.driver.execute_script("return window.__stayed") is True


def test_search_and_target_group_on_needs_and_opportunities(browser: Browser, live: LiveServer) -> None:
    browser.open("/needs?q=买菜")
    expected = live.api("/needs", q="买菜")
    assert _card_ids(browser) == [n["id"] for n in expected["items"]] and len(expected["items"]) == 1
    browser.open("/opportunities?target_group=children")
    expected = live.api("/opportunities", target_group="children")
    assert _card_ids(browser) == [o["id"] for o in expected["items"]] and len(expected["items"]) == 3


def test_lists_page_without_javascript(browser: Browser, live: LiveServer) -> None:
    """The pager is a plain link: following it by URL gives the API's next page."""
    first = live.api("/offers")
    browser.open("/offers")
    href = browser.driver.find_element(By.CSS_SELECTOR, "#results a.next").get_attribute("href")
    browser.driver.get(href)
    assert _card_ids(browser) == [o["id"] for o in live.api("/offers", cursor=first["next_cursor"])["items"]]


def test_notice_board_shows_the_award_in_standstill(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    award = seeded.site.award
    notices = live.api("/public/notices")["items"]
    on_notice = next(n for n in notices if n["kind"] == "award" and n["id"] == award["id"])
    browser.open("/notices")
    card = browser.driver.find_element(By.CSS_SELECTOR, f'[data-award-id="{award["id"]}"]')
    deadline = card.find_element(By.CSS_SELECTOR, "time.deadline").get_attribute("datetime")
    assert _same_instant(deadline, on_notice["standstill_ends_at"])
    assert re.fullmatch(r"\d+天(\d+小时)?(\d+分)?", card.find_element(By.CSS_SELECTOR, ".time-left").text)
    card.find_element(By.CSS_SELECTOR, ".how-to-object summary").click()
    assert f"/api/v1/awards/{award['id']}/objections" in card.find_element(By.CSS_SELECTOR, ".how-to-object").text
    assert "121,000.00 元" not in card.text and "120,000.00 元" in card.text  # the winning price, in yuan
    deal = seeded.site.closed_deal
    closed = browser.text("#closed-h + .table-scroll")
    assert deal["title"] in closed and "80,000.00 元" in closed
    assert "良好" in browser.text("#evaluations-h + .table-scroll")


def _same_instant(a: str, b: str) -> bool:
    import datetime as dt

    return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b.replace("Z", "+00:00"))


def test_notice_board_prints_on_a4(browser: Browser) -> None:
    browser.open("/notices?print=1", 1280)
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    pdf = base64.b64decode(browser.driver.print_page(options))
    assert pdf.startswith(b"%PDF")
    boxes = {tuple(float(x) for x in m) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)}
    assert boxes and all(abs(w - 595.3) < 1.5 and abs(h - 841.9) < 1.5 for w, h in boxes)  # A4 in points
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        browser.resize(794)  # A4's width at 96 dpi; the page's own margins come from @page
        assert browser.horizontal_overflow() <= 0
        assert not browser.driver.find_element(By.CSS_SELECTOR, ".screen-only").is_displayed()
        assert browser.all(".notice.award")
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_need_detail_shows_what_the_api_shows(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    need = seeded.site.house_need
    public = live.api(f"/needs/{need['id']}")
    browser.open(f"/needs/{need['id']}")
    assert browser.text("#need-text") == public["description"]
    assert str(seeded.site.world.c.resident.user.id) not in browser.driver.page_source
    # the resident's house number is masked for a visitor, on the page as in the API (3栋2单元 → *栋*单元)
    assert "*栋*单元" in browser.text("#need-text") and "3栋2单元" not in browser.driver.page_source
    assert "独居老人" in browser.text("#need-text")


def test_organization_profile_shows_its_rating_and_deals(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    org_id = seeded.site.world.c.org_org.id
    rating = live.api(f"/organizations/{org_id}/rating")
    browser.open(f"/organizations/{org_id}")
    shown = {el.get_attribute("data-dimension"): int(el.text) for el in browser.all(".dim-score")}
    assert shown == {k: rating[k] for k in ("activity", "standardization", "coverage", "influence")}
    assert int(browser.text("#rating-overall")) == rating["overall"]
    assert seeded.site.closed_deal["title"] in browser.text("#deals-h + .table-scroll")
    own = [o for o in seeded.site.offers if o["organization_id"] == str(org_id)]
    assert len(browser.all("#offers-h + ul li")) == len(own)


def test_language_switch_sticks(browser: Browser) -> None:
    browser.open("/")
    browser.driver.find_element(By.CSS_SELECTOR, "a.lang-switch").click()
    _wait_for(browser, lambda: browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    browser.open("/offers")
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.text("h1") == "Service offers"
    browser.driver.find_element(By.CSS_SELECTOR, "a.lang-switch").click()
    _wait_for(browser, lambda: browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN")
