"""The whole tender story in a real browser, through the workspaces' pages: the buyer publishes a funded
opportunity, an organization bids, the buyer draws the panel, the experts score, the buyer awards and draws up the
deal, both sign, the organization reports each milestone with a photo, the buyer accepts (paid to the fen), the
closing report, the evaluation, the close. Then a manager brokers a deal from the triage board. The application's
clock is moved past the deadline and the standstill (so this module has its own site and server)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from exchange.kit.clock import clock, now
from tests.conftest import make_settings
from tests.web.conftest import Browser, LiveServer, Seeded
from tests.web.test_workspace_browser import PASSWORD, check_page, click, settled

CHINA = dt.timezone(dt.timedelta(hours=8))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" \
      b"\x00\x00\x00\x0cIDAT\x08\xd7c\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\x18\xdd\x8d\xb0\x00\x00\x00\x00IEND\xaeB`\x82"


@pytest.fixture(autouse=True)
def fresh_visit(browser: Browser) -> Any:
    browser.driver.get(browser.base + "/static/favicon.svg")
    browser.driver.delete_all_cookies()
    yield
    clock.reset()


def bearer(seeded: Seeded, user: Any, role: str | None = None) -> dict[str, str]:
    """An API token valid at the application's (moved) time, as a client app would hold one (``user``: a user or
    an id with its ``role``)."""
    settings = make_settings(seeded.url)
    exp = int(now().timestamp()) + 3600
    user_id, role = (user, role) if role else (user.id, user.role)
    token = jwt.encode({"sub": str(user_id), "role": role, "exp": exp, "jti": uuid.uuid4().hex},
                       settings.secret_key, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def api(live: LiveServer, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
    r = httpx.request(method, f"{live.base}/api/v1{path}", headers=headers, timeout=60, **kwargs)
    assert r.status_code < 300, r.text
    return r.json()


def later(browser: Browser, **delta: float) -> None:
    """Move the application's clock; the browser's session has expired by then."""
    clock.advance(**delta)
    browser.driver.delete_all_cookies()


def fill(browser: Browser, field_id: str, value: str) -> None:
    def typing() -> None:
        element = browser.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(value)
    settled(typing)


def fill_by_name(browser: Browser, name: str, value: str) -> None:
    settled(lambda: browser.driver.execute_script("arguments[0].value = arguments[1];",
                                                  browser.driver.find_element(By.NAME, name), value))


def choose_file(browser: Browser, field_id: str, path: Path) -> None:
    """Pick a file in a file input, and make sure the page's input holds it (else the form would not post)."""
    def picking() -> None:
        element = browser.driver.find_element(By.ID, field_id)
        element.send_keys(str(path))
        if not element.get_attribute("value"):
            raise NoSuchElementException(f"{field_id} did not take the file")
    settled(picking)


def signed_in_as(browser: Browser, user: Any, path: str = "/workspace", width: int = 1280) -> None:
    """Sign in through the form the visit to ``path`` is sent to, and land on ``path``."""
    browser.driver.delete_all_cookies()
    browser.open(path, width)
    assert "/login?next=" in browser.driver.current_url
    fill(browser, "username", user.username)
    fill(browser, "password", PASSWORD)
    click(browser, "form.form button[type=submit]")
    assert "/login" not in browser.driver.current_url, browser.text("main")


def test_a_tender_from_publication_to_evaluation_in_the_browser(browser: Browser, live: LiveServer, seeded: Seeded,
                                                                 tmp_path: Path) -> None:
    w = seeded.site.world
    c = w.c
    admin = bearer(seeded, c.admin.user)
    # two experts in the pool who have not sat on this buyer's panels (an administrator's work, over the API)
    pool = []
    for i in range(2):
        user = api(live, "POST", "/users", admin, json={"username": f"pool-expert-{i}-{uuid.uuid4().hex[:6]}",
                                                        "password": PASSWORD, "role": "expert",
                                                        "display_name": f"评审专家{i + 1}"})
        api(live, "POST", "/experts", admin, json={"user_id": user["id"], "specialties": ["elderly_care"]})
        pool.append(user)
    fund_before = api(live, "GET", f"/funds/{w.fund_id}", bearer(seeded, c.buyer.user))

    # the buyer publishes, with a deadline in China time, funded from its fund
    signed_in_as(browser, c.buyer.user)
    click(browser, 'a[href="/workspace/buyer/opportunities/new"]')
    fill(browser, "title", "老年助餐点运营服务")
    fill(browser, "description", "为两个社区老年助餐点提供每日午餐与配送")
    Select(browser.driver.find_element(By.ID, "category")).select_by_value("elderly_care")
    browser.driver.find_element(By.CSS_SELECTOR, 'input[name="target_groups"][value="elderly"]').click()
    fill(browser, "budget_yuan", "150000")
    deadline = (now() + dt.timedelta(days=10)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
    fill_by_name(browser, "bid_deadline", deadline)
    Select(browser.driver.find_element(By.ID, "fund_id")).select_by_value(str(w.fund_id))
    click(browser, "#save-opportunity")
    assert browser.text("#opp-status") == "已发布", browser.text("main")
    opp_id = browser.driver.current_url.split("/opportunities/")[1].split("?")[0]
    assert api(live, "GET", f"/opportunities/{opp_id}", {})["budget_fen"] == 15_000_000

    # an organization bids on it from its workspace
    signed_in_as(browser, c.org.user, f"/workspace/org/opportunities/{opp_id}/bid")
    fill(browser, "proposal", "两个助餐点每日午餐，配送到户")
    fill(browser, "price_yuan", "138,800.50")
    click(browser, "#submit-bid")
    assert browser.text("#bid-status") == "已提交"
    bid_id = browser.driver.current_url.split("/bids/")[1].split("?")[0]

    # past the deadline the buyer sees the bid and draws the panel
    later(browser, days=11)
    signed_in_as(browser, c.buyer.user, f"/workspace/buyer/opportunities/{opp_id}")
    assert browser.all(f'#bids li[data-id="{bid_id}"]')
    fill(browser, "size", "2")
    click(browser, "#draw-panel")
    assert len(browser.all("#panel li")) == 2, browser.text("main")
    for expert in pool:
        api(live, "POST", f"/bids/{bid_id}/scores", bearer(seeded, expert["id"], "expert"),
            json={"scores": {"服务方案": 88, "团队能力": 80, "报价": 90}, "conflict_of_interest": False})
    browser.open(f"/workspace/buyer/opportunities/{opp_id}")
    click(browser, f'#ranking tr[data-bid="{bid_id}"] a.award-link')
    click(browser, "#confirm-yes")
    assert browser.all('#awards li[data-status="standstill"]')

    # after the standstill: the deal from the award, two milestones adding up to the bid's price
    later(browser, days=6)
    signed_in_as(browser, c.buyer.user, f"/workspace/buyer/opportunities/{opp_id}")
    click(browser, "#draw-up-deal")
    fill(browser, "amount_yuan", "138800.50")
    for i, (title, days, amount) in enumerate([("第一阶段", 30, "60,000"), ("第二阶段", 90, "78800.50")]):
        fill_by_name(browser, f"m{i}_title", title)
        fill_by_name(browser, f"m{i}_due_on", (now() + dt.timedelta(days=days)).date().isoformat())
        fill_by_name(browser, f"m{i}_amount_yuan", amount)
    click(browser, "#create-deal")
    assert browser.text("#deal-status") == "待签约", browser.text("main")
    deal_id = browser.driver.current_url.split("/deals/")[1].split("?")[0]
    click(browser, "#sign-link")
    click(browser, "#confirm-yes")

    # the organization signs, adds a photo to the first milestone and reports it
    signed_in_as(browser, c.org.user, f"/workspace/deals/{deal_id}")
    click(browser, "#sign-link")
    click(browser, "#confirm-yes")
    assert browser.text("#deal-status") == "履约中"
    photo = tmp_path / "助餐现场.png"
    photo.write_bytes(PNG)
    first = browser.all("#milestones li.card")[0].get_attribute("data-id")
    choose_file(browser, f"file-{first}", photo)
    click(browser, f'#m-{first} form[enctype] button')
    assert "助餐现场.png" in browser.text(f"#m-{first}")
    fill(browser, f"summary-{first}", "首月供餐 1800 人次")
    click(browser, f"#m-{first} .report-button")
    assert browser.driver.find_element(By.ID, f"m-{first}").get_attribute("data-status") == "reported"
    check_page(browser, "workspace-deal-org")

    # the buyer accepts after a page naming the amount: paid to the fen
    signed_in_as(browser, c.buyer.user, f"/workspace/deals/{deal_id}")
    click(browser, f"#m-{first} .accept-link")
    assert browser.text("#confirm-amount") == "60,000.00 元"
    click(browser, "#confirm-yes")
    fund = api(live, "GET", f"/funds/{w.fund_id}", bearer(seeded, c.buyer.user))
    assert fund["paid_fen"] == fund_before["paid_fen"] + 6_000_000

    # the second milestone, the closing report, the evaluation (pays the held tranche) and the close
    second = api(live, "GET", f"/deals/{deal_id}", bearer(seeded, c.org.user))["milestones"][1]["id"]
    signed_in_as(browser, c.org.user, f"/workspace/deals/{deal_id}")
    fill(browser, f"summary-{second}", "第二阶段完成")
    click(browser, f"#m-{second} .report-button")
    signed_in_as(browser, c.buyer.user, f"/workspace/deals/{deal_id}")
    click(browser, f"#m-{second} .accept-link")
    assert "最后一个里程碑" in browser.text("#confirm-q")
    click(browser, "#confirm-yes")
    signed_in_as(browser, c.org.user, f"/workspace/deals/{deal_id}")
    fill(browser, "cr-summary", "全年供餐 2.1 万人次")
    fill(browser, "people_served", "21000")
    fill(browser, "activities", "250")
    click(browser, "#submit-closing-report")
    assert "确认提交结项报告吗" in browser.text("#confirm-q")
    click(browser, "#confirm-yes")
    assert browser.text("#deal-status") == "已交付"
    signed_in_as(browser, c.evaluator.user, f"/workspace/deals/{deal_id}")
    fill(browser, "total", "91")
    click(browser, "#submit-evaluation")
    click(browser, "#confirm-yes")
    assert "优秀" in browser.text("#evaluation-result")
    signed_in_as(browser, c.buyer.user, f"/workspace/deals/{deal_id}")
    click(browser, "#close-link")
    click(browser, "#confirm-yes")
    assert browser.text("#deal-status") == "已结项"
    deal = api(live, "GET", f"/deals/{deal_id}", bearer(seeded, c.buyer.user))
    assert deal["money"]["paid_fen"] == 13_880_050
    fund = api(live, "GET", f"/funds/{w.fund_id}", bearer(seeded, c.buyer.user))
    assert fund["paid_fen"] == fund_before["paid_fen"] + 13_880_050
    browser.open("/workspace/buyer/funds")
    paid = fund["paid_fen"]
    assert browser.text(f'#funds tr[data-id="{w.fund_id}"] .paid') == f"{paid // 100:,}.{paid % 100:02d} 元"
    check_page(browser, "workspace-buyer-funds")


def test_a_manager_brokers_a_deal_from_the_triage_board(browser: Browser, live: LiveServer, seeded: Seeded) -> None:
    w = seeded.site.world
    c = w.c
    signed_in_as(browser, c.manager.user)
    links = browser.all("a.broker-link")
    assert links, "the triage board offers a deal for each match"
    click(browser, "a.broker-link")
    assert browser.all("input[name=need_id]")
    fill(browser, "amount_yuan", "800")
    Select(browser.driver.find_element(By.ID, "fund_id")).select_by_value(str(w.fund_id))
    fill_by_name(browser, "m0_title", "上门服务")
    fill_by_name(browser, "m0_due_on", (now() + dt.timedelta(days=14)).date().isoformat())
    fill_by_name(browser, "m0_amount_yuan", "800")
    click(browser, "#create-deal")
    assert browser.text("#deal-status") == "待签约", browser.text("main")
    deal_id = browser.driver.current_url.split("/deals/")[1].split("?")[0]
    click(browser, "#sign-link")  # for the fund's owner
    click(browser, "#confirm-yes")
    deal = api(live, "GET", f"/deals/{deal_id}", bearer(seeded, c.manager.user))
    assert (deal["kind"], deal["amount_fen"], deal["buyer_signed_at"] is not None) == ("brokered", 80_000, True)
    check_page(browser, "workspace-deal-manager")
