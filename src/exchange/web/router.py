"""Mounting the portal: pages, static files (vendored libraries included) and the self-hosted API docs."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from exchange.web import (
    account,
    activities,
    admin,
    admin_system,
    bidding,
    buyer,
    deals,
    expert,
    lists,
    manager,
    organization,
    public,
    resident,
    signin,
    workspace,
)
from exchange.web.render import HERE

STATIC = "/static"
SWAGGER = f"{STATIC}/vendor/swagger-ui-5.35.0"


class CachedStatic(StaticFiles):
    """Static files with a cache lifetime: vendored files carry their version in the path, so they never change
    under a name; the portal's own CSS and JS are revalidated hourly."""

    async def get_response(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            immutable = path.startswith("vendor/")
            response.headers["Cache-Control"] = ("public, max-age=31536000, immutable" if immutable
                                                 else "public, max-age=3600")
        return response


def install(app: FastAPI) -> None:
    """Add the portal's pages, ``/static`` and ``/docs`` (Swagger UI served from the exchange itself)."""
    app.mount(STATIC, CachedStatic(directory=HERE / "static"), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} — API",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js", swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},
        )

    app.include_router(public.router)
    app.include_router(lists.router)
    app.include_router(signin.router)
    app.include_router(workspace.router)
    app.include_router(account.router)
    app.include_router(activities.router)
    app.include_router(resident.router)
    app.include_router(organization.router)
    app.include_router(bidding.router)
    app.include_router(manager.router)
    app.include_router(buyer.router)
    app.include_router(deals.router)
    app.include_router(expert.router)
    app.include_router(admin.router)
    app.include_router(admin_system.router)
