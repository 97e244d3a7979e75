"""Prometheus metrics (``GET /metrics``) and the middleware that measures every request.

Requests are counted by route template (``/api/v1/needs/{need_id}``, never a raw path: ids would make
unbounded series) and status, with a latency histogram. Gauges for the job runner's lag, the outbox
backlog and the matching index's size are declared here so the parts that know those numbers can set
them (``JOB_RUNNER_LAG.set(…)``). With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to a
writable directory: every worker then writes its figures there and any worker answers for all.

``/metrics`` answers a caller that shows ``EXCHANGE_METRICS_TOKEN`` as a bearer token; without a
configured token, only callers on the loopback interface.
"""

from __future__ import annotations

import hmac
import os
import time
import uuid

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange.kit.http import API_PREFIX
from exchange.kit.logs import accept_request_id, request_id

REQUESTS = Counter("exchange_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("exchange_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
IN_PROGRESS = Gauge("exchange_http_requests_in_progress", "Requests being answered", multiprocess_mode="livesum")
JOB_RUNNER_LAG = Gauge("exchange_job_runner_lag_seconds", "Age of the oldest due job not yet run",
                       multiprocess_mode="max")
OUTBOX_BACKLOG = Gauge("exchange_outbox_backlog", "Events and deliveries waiting to be sent", multiprocess_mode="max")
MATCHING_INDEX_SIZE = Gauge("exchange_matching_index_listings", "Listings in this process's matching index",
                            ["kind"], multiprocess_mode="max")

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _route(scope: Scope) -> str:
    """The matched route's template with its router's prefix (``/api/v1/needs/{need_id}``)."""
    route = getattr(scope.get("route"), "path", None)
    if route is None:
        return "unmatched"
    # Routers included with a prefix report their own path; the API's prefix is put back.
    if scope.get("path", "").startswith(API_PREFIX) and not route.startswith(API_PREFIX):
        return API_PREFIX + route
    return route


class ObservabilityMiddleware:
    """Request id in and out (``X-Request-ID``), one structured log line and the metrics of each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        rid = accept_request_id(incoming) or uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            IN_PROGRESS.dec()
            elapsed = time.perf_counter() - started
            route = _route(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            import logging

            logging.getLogger("exchange.access").info(
                "request", extra={"method": scope["method"], "route": route, "path": scope.get("path"),
                                  "status": status, "duration_ms": round(elapsed * 1000, 2),
                                  "client": (scope.get("client") or ("", 0))[0]})
            request_id.reset(token)


def may_read_metrics(request: Request, token: str | None) -> bool:
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return request.client is not None and request.client.host in LOOPBACK


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
