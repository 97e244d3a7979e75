"""An administrator's workspace, second part: imports (progress and row errors), webhook subscriptions (list,
create, delete; each one's recent deliveries) and the audit log with the verification of its hash chain.

The pages call what the API's endpoints call, as the signed-in admin: ``imports.service.list_visible/get_visible``
(``GET /imports/{id}``), ``webhooks.service.list_page/create/get_managed/delete`` and ``DeliveryRepository``
(``GET, POST /webhooks``, ``DELETE /webhooks/{id}``, ``GET /webhooks/{id}/deliveries``), ``AuditRepository.page``
with the API's redaction (``GET /audit/events``) and ``audit.service.verify`` behind the API's rate limit
(``GET /audit/verify``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.audit.endpoints import verify_quota
from exchange.audit.repository import AuditRepository
from exchange.audit.schemas import AuditEventOut
from exchange.imports import service as imports
from exchange.imports.schemas import ImportOut
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.notifications.rules import EVENT_TYPES
from exchange.privacy import redaction
from exchange.web import auth
from exchange.web.i18n import Words
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import Rejected, attempt, confirmation, for_roles, page, see_other
from exchange.webhooks import endpoints as webhook_endpoints
from exchange.webhooks import service as webhooks
from exchange.webhooks.repository import DeliveryRepository
from exchange.webhooks.schemas import WebhookCreate, WebhookOut

router = APIRouter(prefix="/workspace/admin", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
Admin = Annotated[User, for_roles(Role.admin)]
PAGE_SIZE = 20



# -- imports --------------------------------------------------------------------------------------

@router.get("/imports")
async def import_list(request: Request, session: Session, user: Admin, cursor: str | None = CursorParam) -> Response:
    """Every import, newest first, with its progress (``rows_done`` of ``rows_total``) and outcome."""
    found = await imports.list_visible(session, user, limit=PAGE_SIZE, cursor=cursor)
    return await page(request, session, user, "ws_admin_imports.html", {
        "items": [ImportOut.model_validate(i) for i in found.items], "next_cursor": found.next_cursor,
        "cursor": cursor,
    }, title=Words.of(request).t("imports"))


@router.get("/imports/{import_id}")
async def import_detail(request: Request, session: Session, user: Admin, import_id: str) -> Response:
    """One import (``GET /imports/{id}``) with every row error."""
    item = ImportOut.model_validate(await imports.get_visible(session, user, parse_uuid(import_id, "import")))
    return await page(request, session, user, "ws_admin_import.html", {"item": item},
                      title=f"{Words.of(request).t('imports')} · {item.filename}")


# -- webhooks -------------------------------------------------------------------------------------

async def _webhooks_page(request: Request, session: Session, user: User, *, cursor: str | None,
                         values: dict[str, Any], errors: dict[str, str] | None = None, general: str = "",
                         created: Any = None, status: int = 200) -> Response:
    found = await webhooks.list_page(session, user, limit=PAGE_SIZE, cursor=cursor)
    return await page(request, session, user, "ws_admin_webhooks.html", {
        "items": [WebhookOut.model_validate(e) for e in found.items], "next_cursor": found.next_cursor,
        "cursor": cursor, "event_types": EVENT_TYPES, "values": values, "errors": errors or {}, "general": general,
        "created": created, "done": request.query_params.get("done", ""),
    }, title=Words.of(request).t("webhooks"), status=status)


def _empty_webhook() -> dict[str, Any]:
    return {"url": "", "description": "", "event_types": []}


@router.get("/webhooks")
async def webhook_list(request: Request, session: Session, user: Admin, cursor: str | None = CursorParam) -> Response:
    """Every subscription (``GET /webhooks``), and the form that adds one."""
    return await _webhooks_page(request, session, user, cursor=cursor, values=_empty_webhook())


@router.post("/webhooks")
async def create_webhook(request: Request, session: Session, user: Admin) -> Response:
    """Subscribe a URL to event types (``POST /webhooks``); the signing secret is shown once, on the answer."""
    form = await request.form()
    values = {"url": str(form.get("url", "")).strip(), "description": str(form.get("description", "")).strip(),
              "event_types": [str(v) for v in form.getlist("event_types")]}
    data = {k: v for k, v in values.items() if v not in ("", [])}
    endpoint = await attempt(request, lambda: webhooks.create(
        session, user, WebhookCreate.model_validate(data).model_dump(), **webhook_endpoints.rules(request)))  # type: ignore[arg-type]
    if isinstance(endpoint, Rejected):
        return await _webhooks_page(request, session, user, cursor=None, values=values, errors=endpoint.errors,
                                    general=endpoint.general, status=endpoint.status)
    return await _webhooks_page(request, session, user, cursor=None, values=_empty_webhook(), created=endpoint,
                                status=201)


@router.get("/webhooks/{webhook_id}")
async def webhook_detail(request: Request, session: Session, user: Admin, webhook_id: str,
                         cursor: str | None = CursorParam) -> Response:
    """One subscription and its recent deliveries, newest first (``GET /webhooks/{id}/deliveries``)."""
    endpoint = await webhooks.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    repo = DeliveryRepository(session)
    found = await repo.page(endpoint.id, limit=PAGE_SIZE, cursor=cursor)
    attempts = await repo.attempts_of([d.id for d in found.items])
    return await page(request, session, user, "ws_admin_webhook.html", {
        "item": WebhookOut.model_validate(endpoint),
        "deliveries": [webhook_endpoints.delivery_out(d, attempts[d.id]) for d in found.items],
        "next_cursor": found.next_cursor, "cursor": cursor, "done": request.query_params.get("done", ""),
    }, title=endpoint.url)


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry_delivery(request: Request, session: Session, user: Admin, webhook_id: str, delivery_id: str) -> Response:
    """Send a delivery again now (``POST /webhooks/{id}/deliveries/{did}/retry``); 409 while the subscription is off."""
    endpoint = await webhooks.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    await webhooks.retry(session, user, endpoint, parse_uuid(delivery_id, "delivery"))
    return see_other(f"/workspace/admin/webhooks/{endpoint.id}?done=delivery_retried")


@router.get("/webhooks/{webhook_id}/delete")
async def delete_step(request: Request, session: Session, user: Admin, webhook_id: str) -> Response:
    """Deleting a subscription drops its delivery log too: a page that asks first."""
    endpoint = await webhooks.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    words = Words.of(request)
    return await confirmation(request, session, user, {
        "item": {"title": endpoint.url}, "action": f"/workspace/admin/webhooks/{endpoint.id}/delete",
        "question": words.t("delete_webhook_question"), "button": words.t("delete"),
        "back": f"/workspace/admin/webhooks/{endpoint.id}",
    })


@router.post("/webhooks/{webhook_id}/delete")
async def delete_webhook(request: Request, session: Session, user: Admin, webhook_id: str) -> Response:
    """Remove the subscription and its delivery log (``DELETE /webhooks/{id}``)."""
    endpoint = await webhooks.get_managed(session, user, parse_uuid(webhook_id, "webhook"))
    await webhooks.delete(session, user, endpoint)
    return see_other("/workspace/admin/webhooks?done=webhook_deleted")


# -- the audit log --------------------------------------------------------------------------------

@router.get("/audit")
async def audit_log(request: Request, session: Session, user: Admin, cursor: str | None = CursorParam,
                    entity_id: Annotated[str | None, Query(max_length=64)] = None,
                    full: Annotated[bool, Query()] = False) -> Response:
    """The audit log, newest first (``GET /audit/events``), and whether the hash chain holds
    (``GET /audit/verify``; ``full`` walks from the first event)."""
    await verify_quota(request)
    found = await AuditRepository(session).page(entity_id=entity_id, entity_type=None, public_only=not user.is_staff,
                                                limit=PAGE_SIZE, cursor=cursor)
    items = [AuditEventOut.model_validate(redaction.audit_event_for(user, AuditEventOut.model_validate(e).model_dump()))
             for e in found.items]
    return await page(request, session, user, "ws_admin_audit.html", {
        "items": items, "next_cursor": found.next_cursor, "cursor": cursor, "entity_id": entity_id or "",
        "verification": await audit.verify(session, full=full), "full": full,
    }, title=Words.of(request).t("audit_log"))
