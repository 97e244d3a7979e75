"""The portal's test harness: one seeded database per module, served by uvicorn on a free loopback port,
and headless Chromium (Debian's ``chromium`` and ``chromium-driver``, installed by ``scripts/ensure-browser.sh``)
driven with selenium."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn

from exchange.app import create_app
from tests.conftest import IS_PG, Databases, make_settings
from tests.web.site import Site, build

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
OUTPUT = Path(os.environ.get("EXCHANGE_TEST_OUTPUT", Path(__file__).parents[2] / "test-output"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1"]


@dataclass
class Seeded:
    url: str
    site: Site


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def seeded(databases: Databases) -> AsyncIterator[Seeded]:
    url = await databases.fresh()
    app = create_app(make_settings(url))
    async with app.router.lifespan_context(app):
        site = await build(app)
    yield Seeded(url=url, site=site)
    await databases.drop(url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The app under uvicorn in a thread, on 127.0.0.1 and a free port."""

    def __init__(self, database_url: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(make_settings(database_url)), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)

    def api(self, path: str, **params: Any) -> Any:
        r = httpx.get(f"{self.base}/api/v1{path}", params=params, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
def live(seeded: Seeded) -> Iterator[LiveServer]:
    with LiveServer(seeded.url) as server:
        yield server


def _browser_binaries() -> tuple[str, str] | None:
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    return (binary, driver) if binary and driver else None


class Browser:
    """A headless Chromium with the helpers the page tests share."""

    def __init__(self, base: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        found = _browser_binaries()
        assert found is not None
        binary, driver = found
        self.profile = tempfile.mkdtemp(prefix="exchange-chromium-")
        options = Options()
        options.binary_location = binary
        for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "--window-size=1280,900"]:
            options.add_argument(flag)
        options.add_argument("--lang=zh-CN")
        options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(driver), options=options)
        self.driver.set_script_timeout(120)
        self.driver.set_page_load_timeout(60)
        self.base = base
        self.requested: list[str] = []

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, path: str, width: int = 1280) -> None:
        self.resize(width)
        self.driver.get(self.base + path)
        self.settle()

    def resize(self, width: int, height: int = 900) -> None:
        self.driver.set_window_size(width, height)
        # the window's outer size includes no chrome when headless, but make the viewport exact
        inner = self.driver.execute_script("return window.innerWidth")
        if inner != width:
            self.driver.set_window_size(width + (width - inner), height)

    def settle(self) -> None:
        """Wait until the page has loaded and any chart has drawn."""
        end = time.monotonic() + 20
        while time.monotonic() < end:
            ready = self.driver.execute_script(
                "return document.readyState === 'complete' && Array.from(document.querySelectorAll('.chart'))"
                ".every(c => c.querySelector('svg'))")
            if ready:
                return
            time.sleep(0.1)
        raise AssertionError(f"the page did not settle: {self.driver.current_url}")

    def text(self, selector: str) -> str:
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.CSS_SELECTOR, selector).text)

    def all(self, selector: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, selector))

    def requests(self) -> list[str]:
        """Every URL the browser asked for since the last call (from the performance log)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        self.requested += urls
        return urls

    def outside(self, urls: list[str]) -> list[str]:
        """The network requests that went anywhere but the exchange (the browser's own chrome:// pages,
        data: and blob: URLs are not network requests)."""
        network = [u for u in urls if u.split(":", 1)[0].lower() in ("http", "https", "ws", "wss", "ftp")]
        return [u for u in network if not (u + "/").startswith(self.base + "/")]

    def axe(self) -> list[dict[str, Any]]:
        """Critical and serious WCAG 2.1 A/AA violations found by axe-core on the current page."""
        if not self.driver.execute_script("return typeof window.axe === 'object'"):
            self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
              .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))
              .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
        """)
        return [v for v in result if v["impact"] in ("critical", "serious")]

    def horizontal_overflow(self) -> int:
        return int(self.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"))

    def screenshot(self, name: str, width: int) -> Path:
        """A full-page PNG of the current page at ``width`` CSS pixels."""
        folder = OUTPUT / "screenshots" / ("postgresql" if IS_PG else "sqlite")
        folder.mkdir(parents=True, exist_ok=True)
        height = int(self.driver.execute_script("return document.documentElement.scrollHeight"))
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1}})
        path = folder / f"{name}-{width}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@pytest.fixture(scope="module")
def browser(live: LiveServer) -> Iterator[Browser]:
    if _browser_binaries() is None:
        pytest.skip("headless Chromium and chromedriver are not installed and could not be installed "
                    "(scripts/ensure-browser.sh needs root and apt-get: apt-get install chromium chromium-driver)")
    b = Browser(live.base)
    try:
        yield b
    finally:
        b.close()
