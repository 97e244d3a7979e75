"""The signed-in half of the site: ``/workspace`` sends each role to its main page; the header (name,
notifications badge, sign-out) and the notifications page are shared by every role.

Every page here reads and writes through the functions the API's endpoints call, as the signed-in user, so
a permission the API enforces is enforced by the same call."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from pydantic import ValidationError
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.documents import content
from exchange.documents import flows as documents
from exchange.documents.storage import key_for
from exchange.errors import ExchangeError, forbidden, validation_messages
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.notifications import service as notifications
from exchange.sheets.values import CellError, parse_yuan
from exchange.web import auth
from exchange.web.i18n import Words, pick_language
from exchange.web.render import render
from exchange.web.routing import SignedInRoute

T = TypeVar("T")
router = APIRouter(prefix="/workspace", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])

# the main page of each role's workspace (roles without one land on the shared page)
MAIN = {Role.resident: "/workspace/resident", Role.org: "/workspace/org", Role.manager: "/workspace/manager",
        Role.buyer: "/workspace/buyer", Role.evaluator: "/workspace/deals?status=delivered",
        Role.expert: "/workspace/expert", Role.admin: "/workspace/admin", Role.community: "/workspace/activities"}

# each role's menu
LINKS = {
    Role.resident: [("/workspace/resident", "my_needs"), ("/workspace/resident/needs/new", "post_need"),
                    ("/workspace/resident/neighbours", "neighbours_needs"),
                    ("/workspace/resident/activities", "volunteer_activities"), ("/workspace/resident/points", "my_points"),
                    ("/workspace/notifications", "notifications")],
    Role.org: [("/workspace/org", "my_offers"), ("/workspace/org/offers/new", "new_offer"),
               ("/workspace/org/opportunities", "matching_opportunities"), ("/workspace/org/bids", "my_bids"),
               ("/workspace/deals", "my_deals"), ("/workspace/activities", "volunteer_activities"),
               ("/workspace/org/profile", "my_profile"),
               ("/workspace/org/rating", "my_rating"), ("/workspace/notifications", "notifications")],
    Role.manager: [("/workspace/manager", "triage_board"), ("/workspace/deals", "my_deals"),
                   ("/workspace/manager/consultations", "consultations"), ("/workspace/manager/kpis", "my_kpis"),
                   ("/workspace/activities", "volunteer_activities"),
                   ("/workspace/notifications", "notifications")],
    Role.buyer: [("/workspace/buyer", "my_opportunities"), ("/workspace/buyer/opportunities/new", "new_opportunity"),
                 ("/workspace/deals", "my_deals"), ("/workspace/buyer/funds", "my_funds"),
                 ("/workspace/notifications", "notifications")],
    Role.community: [("/workspace/activities", "volunteer_activities"), ("/workspace/activities/new", "new_activity"),
                     ("/workspace/deals", "my_deals"), ("/workspace/notifications", "notifications")],
    Role.evaluator: [("/workspace/deals?status=delivered", "my_deals"), ("/workspace/notifications", "notifications")],
    Role.expert: [("/workspace/expert", "my_reviews"), ("/workspace/notifications", "notifications")],
    Role.admin: [("/workspace/admin", "users"), ("/workspace/admin/users/new", "new_user"),
                 ("/workspace/admin/organizations", "organizations"), ("/workspace/admin/regions", "regions"),
                 ("/workspace/admin/imports", "imports"), ("/workspace/admin/webhooks", "webhooks"),
                 ("/workspace/admin/audit", "audit_log"), ("/workspace/notifications", "notifications")],
}


def ws_links(role: str) -> list[tuple[str, str]]:
    return [*LINKS.get(Role(role), [("/workspace", "workspace"), ("/workspace/notifications", "notifications")]),
            ("/workspace/account", "my_account")]


# where a notification's subject is shown
ENTITY_PAGES = {"need": "/needs/{id}", "offer": "/offers/{id}", "opportunity": "/opportunities/{id}",
                "organization": "/organizations/{id}", "deal": "/workspace/deals/{id}"}


OWN_PAGES = {Role.resident: {"need": "/workspace/resident/needs/{id}"},
             Role.org: {"offer": "/workspace/org/offers/{id}", "bid": "/workspace/org/bids/{id}"},
             Role.buyer: {"opportunity": "/workspace/buyer/opportunities/{id}"}}


def for_roles(*roles: Role) -> Any:
    """A page dependency that admits only ``roles`` (403 page for other signed-in users)."""
    allowed = {r.value for r in roles}

    async def dependency(user: auth.PageUser) -> User:
        if user.role not in allowed:
            raise forbidden("此页面不属于您的角色的工作台", "This page belongs to another role's workspace",
                            code="role_not_allowed")
        return user

    return Depends(dependency)


async def page(request: Request, session: Session, user: User, template: str, context: dict[str, Any], *,
               title: str, status: int = 200) -> Response:
    """A workspace page: the header's name and unread count, the CSRF token for its forms, never cached."""
    words = Words.of(request)
    unread = await notifications.unread_count(session, user)
    return render(request, template, {
        **context, "me": user, "unread": unread, "ws_links": ws_links, "csrf": auth.csrf_token(request), "main_page": MAIN.get(
            Role(user.role), "/workspace"),
    }, title=f"{title} · {words.t('workspace')}", status=status, cache=False)


def field_errors(exc: ValidationError | ExchangeError, english: bool) -> tuple[dict[str, str], str]:
    """The API's own messages for a rejected form: by field name (the last part of ``loc``), and a general one."""
    if isinstance(exc, ValidationError):
        found = validation_messages(exc.errors())
        general = "The input is invalid" if english else "输入无效"
    else:
        found = exc.errors or []
        general = exc.en if english else exc.zh
    by_field: dict[str, str] = {}
    for err in found:
        loc = [p for p in err.get("loc", []) if p != "body"]
        names = [p for p in loc if isinstance(p, str)]
        message = err["msg"] if english else err.get("msg_zh", err["msg"])
        by_field.setdefault(names[-1] if names else "", message)
        if len(names) != len(loc):  # in a list: also by its path, ``milestones.0.due_on``
            by_field.setdefault(".".join(str(p) for p in loc), message)
    return by_field, general


@dataclass(frozen=True)
class Rejected:
    """A form the API refused: its messages by field, a general one, and the status the page answers with."""

    errors: dict[str, str]
    general: str
    status: int

    def context(self) -> dict[str, Any]:
        return {"errors": self.errors, "general": self.general}


UPLOAD_REFUSALS = (413, 415)  # too large, not a type we take: the upload form says so next to the file


async def attempt(request: Request, call: Callable[[], Awaitable[T]], *, also: tuple[int, ...] = ()) -> T | Rejected:
    """Run a form's validation and service call; when the API refuses the input (422) or the state (409), the
    page shows the form again with the API's own words (the request's unit of work rolls back on the 4xx).
    Any other refusal (403, 404) is the error page, as for a link; ``also`` names more statuses to show on the
    form (an upload's :data:`UPLOAD_REFUSALS`)."""
    try:
        return await call()
    except (ValidationError, ExchangeError) as exc:
        if isinstance(exc, ExchangeError) and exc.status not in (409, 422, *also):
            raise
        errors, general = field_errors(exc, pick_language(request) == "en")
        return Rejected(errors, general, exc.status if isinstance(exc, ExchangeError) else 422)


async def confirm_first(request: Request, session: Session, user: User, *, item: Any, question: str, button: str,
                        back: str, detail: str = "") -> Response | None:
    """For a form whose action cannot be undone: the first post answers a page that asks, carrying the form's
    fields; that page posts them again with ``confirmed``, and then (``None``) the action goes ahead."""
    form = await request.form()
    if form.get("confirmed") == "1":
        return None
    fields = {k: str(v) for k, v in form.multi_items() if k not in ("csrf_token", "confirmed") and isinstance(v, str)}
    return await confirmation(request, session, user, {
        "item": item, "action": request.url.path, "question": question, "button": button, "back": back,
        "detail": detail, "hidden": {**fields, "confirmed": "1"},
    })


async def confirmation(request: Request, session: Session, user: User, context: dict[str, Any], *,
                       status: int = 200) -> Response:
    """The page that asks before what cannot be undone or moves money: ``context`` names the ``item``, the
    ``question``, the ``button`` (also the page's title), the ``action`` it posts to and the way ``back``."""
    return await page(request, session, user, "ws_confirm.html", context, title=context["button"], status=status)


def fen(yuan: str) -> int | None:
    """An amount typed in yuan (``1,200.50``, ``¥1200``) in fen, read as the spreadsheets read it; None when
    it is not an amount with at most two decimals."""
    try:
        return parse_yuan(yuan)
    except CellError:
        return None


def amount(yuan: str) -> int | str:
    """A form's amount for the API's body: fen when it reads as yuan, else the text as typed, so that the API's
    schema refuses it with its own message next to the field."""
    found = fen(yuan)
    return yuan if found is None else found


def china_time(value: str) -> str:
    """A ``datetime-local`` value (``2026-12-20T17:00``) is China time: the API takes it with its offset."""
    if re.search(r"(Z|[+-]\d\d:\d\d)$", value):
        return value
    return f"{value}:00+08:00" if len(value) == 16 else f"{value}+08:00"


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


@router.get("")
async def dispatch(request: Request, session: Session, user: auth.PageUser) -> Response:
    """Each role's main page; roles whose pages are not built yet see the shared page."""
    target = MAIN.get(Role(user.role))
    if target is not None:
        return see_other(target)
    words = Words.of(request)
    return await page(request, session, user, "ws_home.html", {}, title=words.t("workspace"))


@router.get("/notifications")
async def notification_list(request: Request, session: Session, user: auth.PageUser,
                            cursor: str | None = CursorParam,
                            unread: Annotated[bool | None, Query()] = None) -> Response:
    """My notifications, newest first, each linking to what it is about (``GET /me/notifications``)."""
    words = Words.of(request)
    found, unread_count = await notifications.page(session, user, unread=unread, limit=20, cursor=cursor)
    language = await notifications.language_of(session, user, pick_language(request) == "en")
    items = [notifications.present(n, language) for n in found.items]
    pages = {**ENTITY_PAGES, **OWN_PAGES.get(Role(user.role), {})}
    links = {n.id: pages[n.entity_type].format(id=n.entity_id) for n in items if n.entity_type in pages and n.entity_id}
    return await page(request, session, user, "ws_notifications.html", {
        "items": items, "links": links, "next_cursor": found.next_cursor, "cursor": cursor,
    }, title=words.t("notifications"))


@router.post("/notifications/read")
async def notifications_read(request: Request, session: Session, user: auth.PageUser) -> Response:
    """Mark one notification (``id``) or all of mine (``all``) read (``POST /me/notifications/read``)."""
    form = await request.form()
    raw = form.get("id")
    ids: list[uuid.UUID] | None = None
    if not form.get("all"):
        try:
            ids = [uuid.UUID(str(raw))]
        except ValueError:
            ids = []
    await notifications.mark_read(session, user, ids)
    return see_other("/workspace/notifications")


@router.get("/documents/{document_id}")
async def document(request: Request, session: Session, user: auth.PageUser, document_id: str) -> Response:
    """A document's bytes for a signed-in reader: the API's download (``GET /documents/{id}/content``), with the
    same rule of who may read it (everyone else gets the page for an unknown document)."""
    doc, _ = await documents.readable(session, user, parse_uuid(document_id, "document"))
    store = request.app.state.document_store
    headers = {"Content-Disposition": content.content_disposition(doc.filename), "X-Content-Type-Options": "nosniff",
               "ETag": f'"{doc.sha256}"', "Content-Length": str(doc.size_bytes)}
    return StreamingResponse(store.read(key_for(doc.sha256), 0, doc.size_bytes), media_type=doc.content_type,
                             headers=headers)
