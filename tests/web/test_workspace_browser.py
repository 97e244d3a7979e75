"""The workspaces in a real browser (headless Chromium): a resident's need from posting to confirmation with
points, and an organization's offer from draft to published with the opportunities that match it and a bid with a
document, and an expert's scores of a bid reaching the ranking — through
the pages only, checking what the next person sees over the API. Screenshots of each workspace's main page at
375 and 1280 px; axe-core and no horizontal scroll on each."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from exchange.app import create_app
from exchange.kit.clock import clock
from tests.builders import run_jobs
from tests.conftest import make_settings
from tests.documents import files
from tests.listings.world import opportunity_body
from tests.tenders.world import RUBRIC
from tests.web.conftest import Browser, LiveServer, Seeded

PASSWORD = "correct-horse-9"  # every test user's (tests.builders.make_user)
WIDTHS = (375, 1280)
NAVIGATION_SECONDS = 120


@pytest.fixture(autouse=True)
def fresh_visit(browser: Browser) -> None:
    browser.driver.get(browser.base + "/static/favicon.svg")
    browser.driver.delete_all_cookies()


def token(live: LiveServer, username: str) -> dict[str, str]:
    r = httpx.post(f"{live.base}/api/v1/auth/token", data={"username": username, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def api(live: LiveServer, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
    r = httpx.request(method, f"{live.base}/api/v1{path}", headers=headers, timeout=60, **kwargs)
    assert r.status_code < 300, r.text
    return r.json()


def run_job_runner(seeded: Seeded) -> None:
    """One pass of the job runner (``exchange tick``): events become notifications."""
    async def tick() -> None:
        app = create_app(make_settings(seeded.url))
        try:
            await run_jobs(app)
        finally:
            await app.state.engine.dispose()
    asyncio.run(tick())


def settled(action: Any) -> None:
    """Do ``action`` on the page; Chromium may still be swapping in the document a click loaded ("does not belong
    to the document", a stale node): then nothing happened, so wait a moment and do it again."""
    for attempt in range(5):
        try:
            action()
            return
        except (StaleElementReferenceException, NoSuchElementException, WebDriverException) as exc:
            if attempt == 4 or not (isinstance(exc, StaleElementReferenceException | NoSuchElementException)
                                    or "does not belong to the document" in str(exc)):
                raise
            time.sleep(0.5)


def sign_in(browser: Browser, path: str, username: str, width: int = 1280) -> None:
    browser.open(path, width)
    assert "/login?next=" in browser.driver.current_url
    for field, value in (("username", username), ("password", PASSWORD)):
        def typing(field: str = field, value: str = value) -> None:
            element = browser.driver.find_element(By.ID, field)
            element.clear()
            element.send_keys(value)
        settled(typing)
    click(browser, "form.form button[type=submit]")


def navigate(browser: Browser, element: Any) -> None:
    """Click something that loads a new page, and wait for that page (not the old one, still 'complete')."""
    old = browser.driver.find_element(By.TAG_NAME, "html")
    element.click()
    # generous: after a test moves the application's clock, the job runner catches up on what fell due (reminders,
    # standstills, notifications) and a page may wait for its write lock on SQLite
    WebDriverWait(browser.driver, NAVIGATION_SECONDS).until(expected_conditions.staleness_of(old))
    browser.settle()


def click(browser: Browser, selector: str) -> None:
    """``navigate`` to what ``selector`` finds. Chromium may refuse a click on a node of a document it is still
    swapping in ("does not belong to the document"): the click did not happen, so find the element again."""
    for attempt in range(3):
        try:
            WebDriverWait(browser.driver, 20).until(
                expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector)))
            navigate(browser, browser.driver.find_element(By.CSS_SELECTOR, selector))
            return
        except (StaleElementReferenceException, WebDriverException) as exc:
            unresolved = isinstance(exc, StaleElementReferenceException) or "does not belong to the document" in str(exc)
            if not unresolved or attempt == 2:
                raise AssertionError(f"{selector} on {browser.driver.current_url}: "
                                     f"{browser.driver.find_element(By.TAG_NAME, 'body').text[:1500]}") from exc
            time.sleep(0.5)


def check_page(browser: Browser, name: str) -> None:
    """The page at both widths: a screenshot, no serious accessibility problem, nothing wider than the screen."""
    for width in WIDTHS:
        browser.resize(width)
        browser.driver.refresh()
        browser.settle()
        browser.screenshot(name, width)
        assert browser.axe() == [], name
        assert browser.horizontal_overflow() <= 0, (name, width)
        assert browser.outside(browser.requests()) == []


def test_a_residents_need_from_posting_to_confirmation(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    c = seeded.site.world.c
    sign_in(browser, "/workspace", c.resident.user.username, 375)
    assert browser.driver.current_url.endswith("/workspace/resident")
    assert c.resident.user.display_name in browser.text(".who")
    click(browser, 'a.button[href="/workspace/resident/needs/new"]')
    browser.driver.find_element(By.ID, "title").send_keys("想找人陪奶奶去医院")
    browser.driver.find_element(By.ID, "description").send_keys("奶奶腿脚不好，做饭难，每周要去医院复查")
    click(browser, "#guess")
    guessed = Select(browser.driver.find_element(By.ID, "category")).first_selected_option.get_attribute("value")
    assert guessed and "系统判断为" in browser.text("#category-guess")
    assert Select(browser.driver.find_element(By.ID, "region_code")).first_selected_option.get_attribute("value") == \
        c.resident.user.region_code
    click(browser, "#post-need")
    assert "需求已发布" in browser.text(".flash") and browser.text("#need-status") == "待响应"
    need_id = browser.driver.current_url.split("/needs/")[1].split("?")[0]

    mine = api(live, "GET", "/needs", token(live, c.resident.user.username), params={"mine": "true"})["items"]
    [posted] = [n for n in mine if n["id"] == need_id]
    assert (posted["category"], posted["title"], posted["status"]) == (guessed, "想找人陪奶奶去医院", "open")
    browser.open("/workspace/resident", 1280)
    assert browser.all(f'#my-needs li[data-id="{need_id}"]')

    # a neighbour supports it and takes it on (over the API); the job runner tells the resident
    neighbour = token(live, c.other_resident.user.username)
    api(live, "POST", f"/needs/{need_id}/support", neighbour)
    api(live, "POST", f"/needs/{need_id}/claim", neighbour)
    run_job_runner(seeded)
    browser.open("/workspace/resident", 1280)
    unread = int(browser.text(".bell .count"))
    assert unread >= 1
    click(browser, ".bell")
    first = browser.all("#notifications li.unread")[0]
    assert "想找人陪奶奶去医院" in first.text
    navigate(browser, first.find_element(By.CSS_SELECTOR, "form button"))
    assert (int(browser.text(".bell .count")) if browser.all(".bell .count") else 0) == unread - 1

    api(live, "POST", f"/needs/{need_id}/fulfil", neighbour)
    before = api(live, "GET", "/me/points", neighbour)["balance"]
    browser.open(f"/workspace/resident/needs/{need_id}", 1280)
    assert browser.text("#need-status") == "已完成" and browser.text("#need-supporters") == "1"
    click(browser, "#confirm-link")
    assert "确认后不能撤回" in browser.text("#confirm-q")
    click(browser, "#confirm-yes")
    assert browser.text("#need-status") == "已确认" and "积分已发放" in browser.text(".flash")
    assert api(live, "GET", "/me/points", neighbour)["balance"] == before + posted["points"]
    assert api(live, "GET", f"/needs/{need_id}", neighbour)["status"] == "confirmed"

    browser.open("/workspace/resident", 1280)
    check_page(browser, "workspace-resident")
    click(browser, "form.inline button")  # sign out
    assert "/login" in browser.driver.current_url and "您已安全退出" in browser.text(".flash")
    browser.open("/workspace/resident", 1280)
    assert "/login?next=" in browser.driver.current_url


def test_an_organizations_offer_and_its_matching_opportunities(browser: Browser, live: LiveServer,
                                                                seeded: Seeded, tmp_path: Path) -> None:
    c = seeded.site.world.c
    sign_in(browser, "/workspace", c.org.user.username, 1280)
    assert browser.driver.current_url.endswith("/workspace/org")
    click(browser, 'a.button[href="/workspace/org/offers/new"]')
    browser.driver.find_element(By.ID, "title").send_keys("儿童")
    click(browser, "#save-offer")
    assert browser.all("#category-error")  # the API's own message next to the field
    title = browser.driver.find_element(By.ID, "title")
    title.clear()
    title.send_keys("儿童友好社区营造服务")
    browser.driver.find_element(By.ID, "description").send_keys("为社区儿童提供四点半课堂和儿童议事会")
    Select(browser.driver.find_element(By.ID, "category")).select_by_value("children_youth")
    browser.driver.find_element(By.CSS_SELECTOR, 'input[name="target_groups"][value="children"]').click()
    regions = Select(browser.driver.find_element(By.ID, "region_codes"))
    regions.deselect_all()
    regions.select_by_value(seeded.site.opportunities[0]["region_codes"][0])
    Select(browser.driver.find_element(By.ID, "pricing")).select_by_value("low_cost")
    browser.driver.find_element(By.ID, "price_yuan").send_keys("50")
    click(browser, "#save-offer")
    assert browser.text("#offer-status") == "草稿"
    offer_id = browser.driver.current_url.split("/offers/")[1].split("?")[0]
    click(browser, "#publish")
    assert browser.text("#offer-status") == "已发布"
    seen = httpx.get(f"{live.base}/api/v1/offers/{offer_id}", timeout=30).json()  # what anyone sees now
    assert (seen["status"], seen["price_fen"], seen["category"]) == ("published", 5000, "children_youth")

    browser.open("/workspace/org/opportunities", 1280)
    ids = [li.get_attribute("data-id") for li in browser.all('#matches li[data-kind="opportunity"]')]
    ranked = api(live, "GET", f"/offers/{offer_id}/matches", token(live, c.org.user.username))["items"]
    assert ids and ids[0] in {m["opportunity"]["id"] for m in ranked if m["kind"] == "opportunity"}
    assert ids[0] in {o["id"] for o in seeded.site.opportunities}
    browser.all("#matches details summary")[0].click()
    assert browser.all("#matches .reasons li")[0].is_displayed()

    # bid on the best-ranked opportunity with a document, and keep the receipt
    navigate(browser, browser.all(f'#matches li[data-id="{ids[0]}"] a.bid-link')[0])
    browser.driver.find_element(By.ID, "proposal").send_keys("四点半课堂和儿童议事会，每周两次")
    browser.driver.find_element(By.ID, "price_yuan").send_keys("48000")
    click(browser, "#submit-bid")
    assert "投标已提交" in browser.text(".flash") and browser.text("#bid-status") == "已提交"
    pdf = files.pdf("儿童友好社区营造服务投标方案")
    path = tmp_path / "投标方案.pdf"
    path.write_bytes(pdf)
    browser.driver.find_element(By.ID, "file").send_keys(str(path))
    click(browser, "#upload")
    assert browser.text("#receipt") == hashlib.sha256(pdf).hexdigest()
    bid_id = browser.driver.current_url.split("/bids/")[1].split("?")[0]
    docs = api(live, "GET", f"/bids/{bid_id}/documents", token(live, c.org.user.username))["items"]
    assert [d["sha256"] for d in docs] == [hashlib.sha256(pdf).hexdigest()]

    browser.open(f"/workspace/org/offers/{offer_id}", 1280)
    click(browser, "#withdraw-link")
    click(browser, "#confirm-yes")
    assert browser.text("#offer-status") == "已撤回"

    browser.open("/workspace/org/rating", 1280)
    rating = httpx.get(f"{live.base}/api/v1/organizations/{c.org_org.id}/rating", timeout=30).json()
    assert browser.text("#rating-overall") == str(rating["overall"])
    browser.open("/workspace/org", 1280)
    check_page(browser, "workspace-org")


def test_session_expiry_and_forbidden_pages_in_the_browser(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    c = seeded.site.world.c
    sign_in(browser, "/workspace/resident/points", c.resident.user.username, 375)
    assert browser.driver.current_url.endswith("/workspace/resident/points")
    browser.open("/workspace/org/rating", 375)
    assert "此页面不属于您的角色的工作台" in browser.text(".error-message")
    # a form from another site posts with the visitor's cookie but without the token
    browser.driver.execute_script("""
        const f = document.createElement('form'); f.method = 'post'; f.action = '/workspace/resident/needs/new';
        const i = document.createElement('input'); i.name = 'title'; i.value = '伪造的需求'; f.appendChild(i);
        document.body.appendChild(f); f.submit();""")
    WebDriverWait(browser.driver, 20).until(lambda d: "表单已失效" in d.page_source)
    mine = api(live, "GET", "/needs", token(live, c.resident.user.username), params={"mine": "true", "q": "伪造"})
    assert mine["items"] == []


def test_the_managers_triage_board(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    c = seeded.site.world.c
    sign_in(browser, "/workspace", c.manager.user.username, 1280)
    assert browser.driver.current_url.endswith("/workspace/manager")
    shown = {li.get_attribute("data-id") for li in browser.all(".triage-group li.card")}
    open_needs = httpx.get(f"{live.base}/api/v1/needs", timeout=30).json()["items"]
    assert shown == {n["id"] for n in open_needs} and shown
    check_page(browser, "workspace-manager")


def test_the_buyers_opportunities_and_bids(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    c = seeded.site.world.c
    sign_in(browser, "/workspace", c.buyer.user.username, 1280)
    assert browser.driver.current_url.endswith("/workspace/buyer")
    shown = {li.get_attribute("data-id") for li in browser.all("#my-opportunities li.card")}
    assert {o["id"] for o in seeded.site.opportunities} <= shown
    check_page(browser, "workspace-buyer")
    browser.open(f"/workspace/buyer/opportunities/{seeded.site.opportunities[0]['id']}", 375)
    assert "投标截止前，投标内容密封" in browser.text("#bids-sealed")


def tender_for_the_panel(live: LiveServer, seeded: Seeded) -> dict[str, Any]:
    """A tender of the seeded buyer with one bid, past its deadline (the clock moves, then back) with the world's
    experts on its panel: ready to be scored."""
    w = seeded.site.world
    buyer = token(live, w.c.buyer.user.username)
    opp = api(live, "POST", "/opportunities", buyer, json=opportunity_body(rubric=RUBRIC, title="浏览器评审的助餐项目"))
    api(live, "POST", f"/opportunities/{opp['id']}/funding", buyer, json={"fund_id": str(w.fund_id), "amount_fen": 1_000_000})
    api(live, "POST", f"/opportunities/{opp['id']}/publish", buyer)
    api(live, "POST", f"/opportunities/{opp['id']}/bids", token(live, w.bidders[0].user.username),
        json={"proposal": "每周三次上门助餐", "price_fen": 9_000_000})
    clock.advance(days=11)
    try:
        buyer = token(live, w.c.buyer.user.username)
        api(live, "POST", f"/opportunities/{opp['id']}/close-bidding", buyer)
        api(live, "POST", f"/opportunities/{opp['id']}/panel", buyer,
            json={"expert_user_ids": [str(e.id) for e in w.experts]})
    finally:
        clock.reset()
    return opp


def test_an_expert_scores_a_bid_and_sees_the_ranking(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    opp = tender_for_the_panel(live, seeded)
    expert = seeded.site.world.experts[0]
    sign_in(browser, "/workspace", expert.user.username, 375)
    assert browser.driver.current_url.endswith("/workspace/expert")
    assert opp["id"] in {li.get_attribute("data-id") for li in browser.all("#my-panels li.card")}
    check_page(browser, "workspace-expert")
    click(browser, f'#my-panels li[data-id="{opp["id"]}"] h3 a')
    click(browser, "a.score-link")
    browser.driver.find_element(By.ID, "score_0").send_keys("88")
    browser.driver.find_element(By.ID, "score_1").send_keys("75")
    browser.driver.find_element(By.ID, "comment").send_keys("方案细致，团队稳定")
    click(browser, "#submit-score")
    assert "评分已提交" in browser.text(".flash")
    assert browser.text("#ranking td.score") == "82.8"
    ranked = api(live, "GET", f"/opportunities/{opp['id']}/ranking", token(live, seeded.site.world.c.buyer.user.username))
    assert [(r["weighted_score"], r["experts_counted"]) for r in ranked["items"]] == [(82.8, 1)]
    assert browser.axe() == []


def test_the_admins_users_and_audit_log(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    c = seeded.site.world.c
    sign_in(browser, "/workspace", c.admin.user.username, 1280)
    assert browser.driver.current_url.endswith("/workspace/admin")
    assert c.resident.user.username in browser.text("#users")
    check_page(browser, "workspace-admin")
    browser.open("/workspace/admin/audit", 375)
    assert browser.all('#verification[data-intact="true"]') and "完整" in browser.text("#verification-result")
    assert browser.horizontal_overflow() <= 0
