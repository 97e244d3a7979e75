"""Rendering a page: the Jinja2 environment, the language, Open Graph data and the cache headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from exchange.kit.clock import now
from exchange.web import formats
from exchange.web.i18n import COOKIE, LANGS, Words, pick_language

HERE = Path(__file__).parent
PUBLIC_MAX_AGE = 60  # seconds a shared cache may keep a public page: notices' time left stays accurate to a minute

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    enable_async=False,
    auto_reload=False,  # templates ship with the package
)


def is_fragment(request: Request) -> bool:
    """An htmx request that swaps part of the page gets only that part."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-request-type") == "partial"


def render(request: Request, template: str, context: dict[str, Any], *, title: str, description: str = "",
           status: int = 200, cache: bool = True) -> HTMLResponse:
    """The page ``template`` in the request's language, with its title, Open Graph tags and cache headers."""
    lang = pick_language(request)
    words = Words(lang)
    at = now()
    page = env.get_template(template).render(
        **context,
        request=request, lang=lang, html_lang="zh-CN" if lang == "zh" else "en", w=words, t=words.t,
        page_title=title, page_description=description or words.t("tagline"),
        canonical=str(request.url.replace(query=_without(request.url.query, "lang"))),
        now=at, yuan=lambda fen: formats.yuan(fen, lang), date=lambda v: formats.date(v, lang),
        datetime=lambda v: formats.datetime(v, lang), time_left=lambda v: formats.time_left(v, at, lang),
        number=formats.number, iso=formats.iso, other_lang=next(x for x in LANGS if x != lang),
        url_with=lambda **changes: url_with(request, **changes), fragment=is_fragment(request),
    )
    response = HTMLResponse(page, status_code=status)
    response.headers["Vary"] = "Accept-Language, Cookie, HX-Request, HX-Request-Type"
    response.headers["Content-Language"] = "zh-CN" if lang == "zh" else "en"
    asked = request.query_params.get("lang")
    if asked in LANGS:
        response.set_cookie(COOKIE, asked, max_age=365 * 86400, samesite="lax", httponly=True)
    if cache and status == 200 and asked not in LANGS:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "no-store" if status >= 500 else "private, max-age=0"
    return response


def _without(query: str, *names: str) -> str:
    from urllib.parse import parse_qsl, urlencode

    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k not in names])


def url_with(request: Request, **changes: str | None) -> str:
    """This page's URL with some query parameters changed (``None`` drops one); the cursor is reset unless given."""
    from urllib.parse import parse_qsl, urlencode

    params = dict(parse_qsl(request.url.query, keep_blank_values=False))
    params.pop("cursor", None)
    params.pop("lang", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path
