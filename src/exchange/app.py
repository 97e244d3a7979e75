"""create_app(): routers, error handlers, middleware; nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from exchange import db, web
from exchange.config import Settings, get_settings
from exchange.documents.storage import open_store
from exchange.errors import PROBLEM_SCHEMA, ExchangeError, install_error_handlers, problems
from exchange.kit.asgi import RequestGuard
from exchange.kit.http import API_PREFIX
from exchange.kit.metrics import ObservabilityMiddleware, may_read_metrics, metrics_response
from exchange.matching.runtime import MatchingRuntime, keep_fresh
from exchange.migrate import check_migrated, head_revision

log = logging.getLogger("exchange")


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await check_migrated(app.state.engine)
    tasks = []
    for start in app.state.background_starters:
        tasks.append(asyncio.create_task(start(app)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await app.state.engine.dispose()


def _routers() -> list[Any]:
    from exchange.accounts.endpoints import router as accounts
    from exchange.audit.endpoints import router as audit
    from exchange.calls.endpoints import router as calls
    from exchange.campaigns.endpoints import router as campaigns
    from exchange.deals.endpoints import router as deals
    from exchange.deals.public_endpoints import router as transparency
    from exchange.documents.endpoints import router as documents
    from exchange.experts.endpoints import router as experts
    from exchange.exports.endpoints import router as exports
    from exchange.feed.endpoints import router as feed
    from exchange.funds.endpoints import router as funds
    from exchange.imports.endpoints import router as imports
    from exchange.listings.endpoints import router as list_stats
    from exchange.managers.endpoints import router as managers
    from exchange.matching.endpoints import router as matching
    from exchange.needs.endpoints import router as needs
    from exchange.notifications.endpoints import router as notifications
    from exchange.offers.endpoints import router as offers
    from exchange.opportunities.endpoints import router as opportunities
    from exchange.organizations.endpoints import router as organizations
    from exchange.personal_data.endpoints import router as personal_data
    from exchange.points.endpoints import router as points
    from exchange.regions.endpoints import router as regions
    from exchange.tenders.endpoints import router as tenders
    from exchange.tenders.procurement_endpoints import router as procurement
    from exchange.vocabularies.endpoints import router as vocabularies
    from exchange.webhooks.endpoints import router as webhooks

    return [accounts, regions, organizations, vocabularies, audit, funds, campaigns,
            opportunities, offers, needs, points, list_stats, matching, tenders, procurement, experts, deals, transparency,
            personal_data, documents, managers, calls, notifications, webhooks, feed, *_participation_routers(), imports,
            exports]


def _participation_routers() -> list[Any]:
    from exchange.activities.endpoints import router as activities
    from exchange.filings.endpoints import router as filings
    from exchange.proposals.endpoints import router as proposals
    from exchange.public.endpoints import router as public
    from exchange.skills.endpoints import router as skills
    from exchange.spaces.endpoints import router as spaces
    return [proposals, skills, activities, filings, spaces, public]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI application for ``settings`` (from the environment when omitted)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Social service exchange API (社会服务交易中心)",
        version="1.0.0",
        description="Three lists, matching, tender to evaluation, and a ledger of funds. "
                    "Every error is application/problem+json with a stable `code`.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # /docs is the portal's, with Swagger UI's files served by the exchange itself
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = db.create_engine(settings.database_url, pool_size=settings.db_pool_size)
    app.state.session_factory = db.create_session_factory(app.state.engine)
    app.state.background_starters = []
    app.state.document_store = open_store(settings)
    app.state.matching = MatchingRuntime(settings.matching_sync_seconds, snapshot_root=settings.matching_snapshot_dir,
                                         database_url=settings.database_url,
                                         shared_min_offers=settings.matching_shared_min_offers)
    if settings.matching_warmup:
        app.state.background_starters.append(keep_fresh)
    install_error_handlers(app)
    for router in _routers():
        app.include_router(router, prefix=API_PREFIX)

    @app.get(f"{API_PREFIX}/health", tags=["meta"], operation_id="health")
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get(f"{API_PREFIX}/ready", tags=["meta"], operation_id="ready", responses=problems(503))
    async def ready() -> dict[str, str]:
        """Readiness: the database answers and is at the migration this code needs (503 otherwise)."""
        try:
            await check_migrated(app.state.engine)
        except ExchangeError:
            raise
        except Exception as exc:  # any failure to reach the database
            log.warning("readiness check failed: %s", exc)
            raise ExchangeError("database_unavailable", 503, "数据库不可用", "The database cannot be reached") from None
        return {"status": "ready", "migration": head_revision() or ""}

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus metrics: with `EXCHANGE_METRICS_TOKEN` as a bearer token, or from loopback."""
        if not may_read_metrics(request, settings.metrics_token):
            raise ExchangeError("forbidden", 403, "无权读取监控指标", "Metrics are not readable from here")
        return metrics_response()

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"], allow_headers=["*"],
            expose_headers=["ETag", "Location", "Retry-After", "Content-Disposition", "Content-Range", "Accept-Ranges",
                            "X-Request-ID"],
        )
    web.install(app)

    app.add_middleware(RequestGuard, limit=settings.max_body_bytes, header_limit=settings.max_header_bytes,
                       upload_limit=settings.max_upload_bytes, uploads={f"{API_PREFIX}/imports": settings.import_max_bytes})
    app.add_middleware(ObservabilityMiddleware)  # outermost: every answer, even the guard's, has a request id
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                operation.pop("x-idempotent", None)
                responses = operation.get("responses", {})
                if "requestBody" in operation:  # every body can be malformed or too large
                    for status in ("400", "413"):
                        responses.setdefault(status, problems(int(status))[int(status)])
                if "422" in responses:  # our validation errors are problem+json, not FastAPI's default
                    responses["422"] = {"description": "Invalid input", "content": {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for name in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema
