"""Screenshots of each workspace's main page at 375 and 1280 px, signed in as the demo district's accounts.

    .venv/bin/python scripts/workspace_screenshots.py [OUT_DIR]      # default docs/screenshots

Builds a throwaway SQLite database with the demo district (``exchange demo``), serves it on a free loopback
port and drives headless Chromium (the test harness's Browser)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.conftest import Browser, LiveServer  # noqa: E402

ACCOUNTS = [("resident", "resident-demo-2026", "/workspace/resident", "workspace-resident"),
            ("aiyouxi", "org-demo-2026", "/workspace/org", "workspace-org"),
            ("manager", "manager-demo-2026", "/workspace/manager", "workspace-manager"),
            ("minzheng", "buyer-demo-2026", "/workspace/buyer", "workspace-buyer"),
            ("expert1", "expert-demo-2026", "/workspace/expert", "workspace-expert"),
            ("admin", "admin-demo-2026", "/workspace/admin", "workspace-admin"),
            ("community", "community-demo-2026", "/workspace/activities", "workspace-community"),
            ("evaluator", "evaluator-demo-2026", "/workspace/deals?status=delivered", "workspace-evaluator"),
            ("minzheng", "buyer-demo-2026", "/workspace/deals?status=active", "workspace-deals"),
            ("resident", "resident-demo-2026", "/workspace/account", "workspace-account")]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="exchange-shots-"))
    url = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
    env = {"EXCHANGE_DATABASE_URL": url, "EXCHANGE_STORAGE_URL": f"file://{folder / 'documents'}", "PATH": ""}
    exe = str(Path(sys.executable).parent / "exchange")
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run([exe, *args], check=True, env=env, stdout=subprocess.DEVNULL)
    with LiveServer(url) as live:
        browser = Browser(live.base)
        try:
            for username, password, path, name in ACCOUNTS:
                browser.driver.get(live.base + "/static/favicon.svg")
                browser.driver.delete_all_cookies()
                browser.open(path, 1280)
                browser.driver.find_element(By.ID, "username").send_keys(username)
                browser.driver.find_element(By.ID, "password").send_keys(password)
                browser.driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
                browser.settle()
                for width in (375, 1280):
                    browser.resize(width)
                    browser.driver.refresh()
                    browser.settle()
                    shot = browser.screenshot(name, width)
                    target = out / shot.name
                    target.write_bytes(shot.read_bytes())
                    print(target)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
