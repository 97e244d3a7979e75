"""Webhook rules: who may subscribe, what a subscription receives, and how a delivery is retried.

Deliveries are attempted by the job runner (:mod:`exchange.webhooks.delivery`), never inside a request.
A failed attempt is retried with exponential backoff and jitter for ``RETRY_WINDOW``; a subscription
that has failed without a single success for ``DISABLE_AFTER`` is disabled (an admin or its
organization turns it on again with ``PATCH … {"active": true}``).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import ORG_ROLES, Role, User
from exchange.audit import service as audit
from exchange.errors import ExchangeError, forbidden, invalid, not_found
from exchange.kit.clock import now
from exchange.kit.pagination import Page
from exchange.organizations.repository import OrganizationRepository
from exchange.webhooks.guard import check_url
from exchange.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from exchange.webhooks.repository import DeliveryRepository, WebhookRepository
from exchange.webhooks.sending import Outcome, new_secret

RETRY_WINDOW = dt.timedelta(hours=24)
DISABLE_AFTER = dt.timedelta(days=3)
FIRST_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 4 * 3600.0
LEASE_MARGIN = dt.timedelta(seconds=30)


def retry_delay(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: 30 s doubling to at most 4 h, less up to half of it
    at random (jitter), so that a receiver coming back is not hit by every runner at once."""
    base = min(FIRST_DELAY_SECONDS * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS)
    return dt.timedelta(seconds=base * (rng or random).uniform(0.5, 1.0))


# -- subscriptions ----------------------------------------------------------------------------------

def _may_manage(user: User, endpoint: WebhookEndpoint) -> bool:
    if user.role == Role.admin:
        return True
    return user.organization_id is not None and user.organization_id == endpoint.organization_id


def _check_subscriber(user: User) -> None:
    if user.role != Role.admin and (user.role not in ORG_ROLES or user.organization_id is None):
        raise forbidden("只有管理员和组织用户可以订阅事件推送", "Only admins and organizations' users manage webhooks",
                        code="role_not_allowed")


def _check_event_types(types: list[str], known: frozenset[str]) -> list[str]:
    unknown = [t for t in types if t != "*" and t not in known]
    if unknown:
        raise invalid(["body", "event_types"], f"未知的事件类型：{', '.join(unknown)}",
                      f"Unknown event types: {', '.join(unknown)}", code="unknown_event_type")
    return sorted(set(types))


async def list_page(session: AsyncSession, user: User, *, limit: int, cursor: str | None) -> Page[WebhookEndpoint]:
    """An admin sees every subscription; an organization's user sees its organization's."""
    _check_subscriber(user)
    return await WebhookRepository(session).page(organization_id=user.organization_id, everyone=user.role == Role.admin,
                                                 limit=limit, cursor=cursor)


async def get_managed(session: AsyncSession, user: User, webhook_id: uuid.UUID) -> WebhookEndpoint:
    """The subscription if ``user`` may manage it; 404 otherwise (another organization's does not exist)."""
    _check_subscriber(user)
    endpoint = await WebhookRepository(session).get(webhook_id)
    if endpoint is None or not _may_manage(user, endpoint):
        raise not_found("webhook")
    return endpoint


async def create(session: AsyncSession, user: User, data: dict[str, Any], *, env: str, allow_private: bool,
                 known_types: frozenset[str]) -> WebhookEndpoint:
    _check_subscriber(user)
    organization_id = data.pop("organization_id", None)
    if user.role != Role.admin:
        if organization_id not in (None, user.organization_id):
            raise forbidden("只能为本组织订阅", "You subscribe for your own organization only", code="not_your_organization")
        organization_id = user.organization_id
    elif organization_id is not None and await OrganizationRepository(session).get(organization_id) is None:
        raise invalid(["body", "organization_id"], "组织不存在", "The organization does not exist", code="unknown_organization")
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(), organization_id=organization_id, url=check_url(data["url"], env=env, allow_private=allow_private),
        secret=new_secret(), event_types=_check_event_types(data["event_types"], known_types),
        description=data.get("description"), active=data.get("active", True),
        timeout_seconds=data.get("timeout_seconds", 10.0), created_by=user.id,
    )
    WebhookRepository(session).add(endpoint)
    await session.flush()
    audit.record(session, actor_id=user.id, action="webhook.created", entity_type="webhook", entity_id=endpoint.id,
                 summary={"organization_id": organization_id, "url": endpoint.url, "event_types": endpoint.event_types})
    return endpoint


async def update(session: AsyncSession, user: User, endpoint: WebhookEndpoint, changes: dict[str, Any], *,
                 env: str, allow_private: bool, known_types: frozenset[str]) -> WebhookEndpoint:
    if "url" in changes and changes["url"] is not None:
        endpoint.url = check_url(changes["url"], env=env, allow_private=allow_private)
    if changes.get("event_types") is not None:
        endpoint.event_types = _check_event_types(changes["event_types"], known_types)
    if "description" in changes:
        endpoint.description = changes["description"]
    if changes.get("timeout_seconds") is not None:
        endpoint.timeout_seconds = changes["timeout_seconds"]
    if changes.get("active") is not None:
        endpoint.active = changes["active"]
        if endpoint.active:  # switched on again: the failure clock starts afresh
            endpoint.failing_since = endpoint.disabled_at = endpoint.disabled_reason = None
    endpoint.updated_at = now()
    await session.flush()
    audit.record(session, actor_id=user.id, action="webhook.updated", entity_type="webhook", entity_id=endpoint.id,
                 summary={k: v for k, v in changes.items() if k != "url"} | ({"url": endpoint.url} if "url" in changes else {}))
    return endpoint


async def delete(session: AsyncSession, user: User, endpoint: WebhookEndpoint) -> None:
    audit.record(session, actor_id=user.id, action="webhook.deleted", entity_type="webhook", entity_id=endpoint.id,
                 summary={"url": endpoint.url})
    await session.delete(endpoint)
    await session.flush()


async def retry(session: AsyncSession, user: User, endpoint: WebhookEndpoint, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Attempt a delivery again at once (delivered or given up alike), with a fresh retry window."""
    delivery = await DeliveryRepository(session).get_of_endpoint(endpoint.id, delivery_id)
    if delivery is None:
        raise not_found("delivery")
    if not endpoint.active:
        raise ExchangeError("webhook_inactive", 409, "该订阅已停用，请先启用", "The webhook is not active; enable it first")
    delivery.status = DeliveryStatus.pending
    delivery.next_attempt_at = now()
    delivery.first_attempt_at = None
    delivery.updated_at = now()
    await session.flush()
    audit.record(session, actor_id=user.id, action="webhook.delivery_retried", entity_type="webhook",
                 entity_id=endpoint.id, summary={"delivery_id": delivery.id})
    return delivery


# -- deliveries: queued by the fan-out, attempted by the runner -----------------------------------

async def enqueue(session: AsyncSession, *, event_key: str, event_type: str, payload: dict[str, Any],
                  organization_ids: list[uuid.UUID] | None) -> int:
    """Queue ``payload`` for every subscription that wants and may see it; idempotent per event."""
    deliveries = DeliveryRepository(session)
    queued = 0
    for endpoint in await WebhookRepository(session).subscribers(event_type, organization_ids):
        if await deliveries.exists(endpoint.id, event_key):
            continue
        deliveries.add(WebhookDelivery(
            id=uuid.uuid4(), endpoint_id=endpoint.id, event_key=event_key, event_type=event_type,
            message_id=f"msg_{uuid.uuid4().hex}", payload=payload, status=DeliveryStatus.pending, attempts=0,
            next_attempt_at=now(),
        ))
        queued += 1
    await session.flush()
    return queued


async def claim(session: AsyncSession, delivery_id: uuid.UUID) -> tuple[WebhookDelivery, WebhookEndpoint] | None:
    """Take a due delivery for one attempt: its next attempt moves past the attempt's timeout (a lease),
    so another runner retries it only if this one dies. Commit before sending."""
    at = now()
    delivery = await DeliveryRepository(session).claim(delivery_id, at)
    if delivery is None:
        return None
    endpoint = await WebhookRepository(session).get(delivery.endpoint_id)
    if endpoint is None or not endpoint.active:
        return None
    delivery.next_attempt_at = at + dt.timedelta(seconds=endpoint.timeout_seconds) + LEASE_MARGIN
    delivery.first_attempt_at = delivery.first_attempt_at or at
    await session.flush()
    return delivery, endpoint


async def record_outcome(session: AsyncSession, delivery_id: uuid.UUID, outcome: Outcome) -> WebhookDelivery | None:
    """Log the attempt, then mark the delivery delivered, schedule the next attempt, or give up; disable a
    subscription that has failed for ``DISABLE_AFTER``."""
    at = now()
    delivery = await DeliveryRepository(session).get_for_update(delivery_id)
    if delivery is None:  # the subscription was deleted meanwhile
        return None
    endpoint = await WebhookRepository(session).get_for_update(delivery.endpoint_id)
    assert endpoint is not None
    delivery.attempts += 1
    delivery.last_attempt_at = at
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error or (None if outcome.ok else f"HTTP {outcome.status_code}")
    next_at: dt.datetime | None = None
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.delivered, at, None
        endpoint.failing_since = None
    else:
        next_at = at + retry_delay(delivery.attempts)
        if next_at - (delivery.first_attempt_at or at) > RETRY_WINDOW:
            delivery.status, next_at = DeliveryStatus.failed, None
        delivery.next_attempt_at = next_at
        endpoint.failing_since = endpoint.failing_since or at
        if at - endpoint.failing_since >= DISABLE_AFTER and endpoint.active:
            endpoint.active, endpoint.disabled_at = False, at
            endpoint.disabled_reason = "failing_for_3_days"
            audit.record(session, actor_id=None, action="webhook.disabled", entity_type="webhook",
                         entity_id=endpoint.id, summary={"failing_since": endpoint.failing_since})
    delivery.updated_at = at
    DeliveryRepository(session).add_attempt(WebhookAttempt(
        id=uuid.uuid4(), delivery_id=delivery.id, attempted_at=at, status_code=outcome.status_code,
        error=delivery.last_error, duration_ms=outcome.duration_ms, next_attempt_at=next_at,
    ))
    await session.flush()
    return delivery
