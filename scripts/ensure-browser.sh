#!/usr/bin/env bash
# The browser tests drive headless Chromium through chromedriver. Install both from the distribution's
# packages when they are missing (as root, like scripts/with-postgres.sh does for PostgreSQL), and a font
# with Chinese glyphs so that screenshots show the text. Without root or apt-get, say what is missing;
# the browser tests then skip with that reason.
set -uo pipefail

have_browser() {
  command -v chromedriver >/dev/null 2>&1 && { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }
}
have_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n1)" ]
}

if have_browser && have_cjk_font; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing the browser for the page tests (apt-get install chromium chromium-driver fonts-wqy-microhei) ==" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null) \
    || echo "apt-get could not install the browser; the browser tests will be skipped" >&2
else
  have_browser || echo "chromium and chromium-driver are missing (sudo apt-get install chromium chromium-driver); the browser tests will be skipped" >&2
fi
exit 0
