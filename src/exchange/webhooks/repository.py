"""Every query of the webhooks domain."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import or_, select

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookRepository(RepositoryBase[WebhookEndpoint]):
    model = WebhookEndpoint

    async def page(self, *, organization_id: uuid.UUID | None, everyone: bool, limit: int,
                   cursor: str | None) -> Page[WebhookEndpoint]:
        stmt = select(WebhookEndpoint)
        if not everyone:
            stmt = stmt.where(WebhookEndpoint.organization_id == organization_id)
        keys = [SortKey(WebhookEndpoint.created_at), SortKey(WebhookEndpoint.id)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="webhooks")

    async def subscribers(self, event_type: str, organization_ids: Sequence[uuid.UUID] | None) -> list[WebhookEndpoint]:
        """Active subscriptions that want ``event_type`` and may see it: ``None`` means a public event
        (every subscription), otherwise only those of the addressed organizations."""
        stmt = select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
        if organization_ids is not None:
            if not organization_ids:
                return []
            stmt = stmt.where(WebhookEndpoint.organization_id.in_(list(organization_ids)))
        rows = (await self.session.execute(stmt)).scalars().all()
        return [e for e in rows if "*" in e.event_types or event_type in e.event_types]


class DeliveryRepository(RepositoryBase[WebhookDelivery]):
    model = WebhookDelivery

    async def exists(self, endpoint_id: uuid.UUID, event_key: str) -> bool:
        stmt = select(WebhookDelivery.id).where(
            WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.event_key == event_key)
        return (await self.session.execute(stmt)).first() is not None

    async def page(self, endpoint_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[WebhookDelivery]:
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        keys = [SortKey(WebhookDelivery.created_at, descending=True), SortKey(WebhookDelivery.id, descending=True)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="deliveries")

    async def get_of_endpoint(self, endpoint_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        stmt = select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def attempts_of(self, delivery_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[WebhookAttempt]]:
        out: dict[uuid.UUID, list[WebhookAttempt]] = defaultdict(list)
        if not delivery_ids:
            return out
        stmt = (select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(delivery_ids)))
                .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id))
        for attempt in (await self.session.execute(stmt)).scalars():
            out[attempt.delivery_id].append(attempt)
        return out

    async def due_ids(self, at: dt.datetime, limit: int) -> list[uuid.UUID]:
        """Pending deliveries whose attempt is due, oldest first (candidates; each is claimed alone)."""
        stmt = (select(WebhookDelivery.id).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.status == DeliveryStatus.pending, WebhookEndpoint.active.is_(True),
                       or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= at))
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit))
        return list((await self.session.execute(stmt)).scalars())

    async def claim(self, delivery_id: uuid.UUID, at: dt.datetime) -> WebhookDelivery | None:
        """Lock one due delivery; ``None`` when another runner holds it or it is no longer due."""
        stmt = (select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.pending,
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= at))
            .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add_attempt(self, attempt: WebhookAttempt) -> None:
        self.session.add(attempt)
