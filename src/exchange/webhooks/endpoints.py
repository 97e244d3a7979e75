"""Webhook subscriptions and their delivery log over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from exchange.accounts.deps import CurrentUser
from exchange.errors import problems
from exchange.kit.http import Session, check_if_match, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.notifications.rules import EVENT_TYPES
from exchange.webhooks import service
from exchange.webhooks.models import WebhookAttempt, WebhookDelivery
from exchange.webhooks.repository import DeliveryRepository
from exchange.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    DeliveryPage,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
    WebhookPage,
    WebhookUpdate,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["webhooks"])
KNOWN = frozenset(EVENT_TYPES)


def rules(request: Request) -> dict[str, object]:
    """How a subscription's URL and event types are checked here (the pages that manage webhooks use it too)."""
    settings = request.app.state.settings
    return {"env": settings.env, "allow_private": settings.webhook_allow_private, "known_types": KNOWN}


def delivery_out(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id, webhook_id=delivery.message_id, event_id=delivery.event_key, event_type=delivery.event_type,
        status=delivery.status, status_code=delivery.last_status_code, error=delivery.last_error,
        attempted_at=delivery.last_attempt_at, next_attempt_at=delivery.next_attempt_at,
        delivered_at=delivery.delivered_at, created_at=delivery.created_at,
        attempts=[AttemptOut.model_validate(a) for a in attempts],
    )


@router.get("/webhooks", response_model=WebhookPage, operation_id="listWebhooks", responses=problems(401, 403, 422))
async def list_webhooks(user: CurrentUser, session: Session, limit: int = LimitParam,
                        cursor: str | None = CursorParam) -> WebhookPage:
    """An admin sees every subscription; an organization's user sees its organization's."""
    page = await service.list_page(session, user, limit=limit, cursor=cursor)
    return WebhookPage(items=[WebhookOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor)


@router.post("/webhooks", response_model=WebhookCreated, status_code=201, operation_id="createWebhook",
             responses=problems(401, 403, 422))
async def create_webhook(body: WebhookCreate, request: Request, response: Response, user: CurrentUser,
                         session: Session) -> WebhookCreated:
    """Subscribe a URL to event types. The answer carries the signing `secret` (`whsec_…`), shown only now.

    Deliveries are signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`)."""
    endpoint = await service.create(session, user, body.model_dump(), **rules(request))  # type: ignore[arg-type]
    resource_headers(response, endpoint.version, f"/webhooks/{endpoint.id}")
    return WebhookCreated.model_validate({**WebhookOut.model_validate(endpoint).model_dump(), "secret": endpoint.secret})


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut, operation_id="getWebhook",
            responses=problems(401, 403, 404))
async def get_webhook(webhook_id: str, response: Response, user: CurrentUser, session: Session) -> WebhookOut:
    """One subscription (without its secret)."""
    endpoint = await service.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    resource_headers(response, endpoint.version)
    return WebhookOut.model_validate(endpoint)


@router.patch("/webhooks/{webhook_id}", response_model=WebhookOut, operation_id="updateWebhook",
              responses=problems(401, 403, 404, 412, 422))
async def update_webhook(webhook_id: str, body: WebhookUpdate, request: Request, response: Response,
                         user: CurrentUser, session: Session) -> WebhookOut:
    """Change the URL, the event types, the timeout; `active: true` re-enables a disabled subscription."""
    endpoint = await service.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    check_if_match(request, endpoint.version)
    endpoint = await service.update(session, user, endpoint, body.model_dump(exclude_unset=True), **rules(request))  # type: ignore[arg-type]
    resource_headers(response, endpoint.version)
    return WebhookOut.model_validate(endpoint)


@router.delete("/webhooks/{webhook_id}", status_code=204, operation_id="deleteWebhook",
               responses=problems(401, 403, 404, 412))
async def delete_webhook(webhook_id: str, request: Request, user: CurrentUser, session: Session) -> Response:
    """Remove a subscription and its delivery log; nothing more is sent to it."""
    endpoint = await service.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    check_if_match(request, endpoint.version)
    await service.delete(session, user, endpoint)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=DeliveryPage, operation_id="listWebhookDeliveries",
            responses=problems(401, 403, 404, 422))
async def list_deliveries(webhook_id: str, user: CurrentUser, session: Session, limit: int = LimitParam,
                          cursor: str | None = CursorParam) -> DeliveryPage:
    """The delivery log, newest first: each event sent, its status and every attempt
    (`status_code`, `error`, `attempted_at`, `next_attempt_at`)."""
    endpoint = await service.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    repo = DeliveryRepository(session)
    page = await repo.page(endpoint.id, limit=limit, cursor=cursor)
    attempts = await repo.attempts_of([d.id for d in page.items])
    return DeliveryPage(items=[delivery_out(d, attempts[d.id]) for d in page.items], next_cursor=page.next_cursor)


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", response_model=DeliveryOut,
             operation_id="retryWebhookDelivery", responses=problems(401, 403, 404, 409))
async def retry_delivery(webhook_id: str, delivery_id: str, user: CurrentUser, session: Session) -> DeliveryOut:
    """Send a delivery again now (the runner picks it up at its next pass), with a fresh 24 h of retries."""
    endpoint = await service.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    delivery = await service.retry(session, user, endpoint, parse_uuid(delivery_id, "delivery"))
    attempts = await DeliveryRepository(session).attempts_of([delivery.id])
    return delivery_out(delivery, attempts[delivery.id])
