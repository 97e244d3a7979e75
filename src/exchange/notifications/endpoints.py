"""A user's notifications and notification settings."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from exchange.accounts.deps import CurrentUser
from exchange.errors import problems, wants_english
from exchange.kit.http import Session
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.notifications import service
from exchange.notifications.schemas import (
    NotificationPage,
    ReadIn,
    ReadOut,
    SettingsOut,
    SettingsUpdate,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["notifications"])


@router.get("/me/notifications", response_model=NotificationPage, operation_id="listMyNotifications",
            responses=problems(401, 422))
async def list_notifications(request: Request, user: CurrentUser, session: Session,
                             unread: bool | None = Query(None, description="only unread (true) or only read (false)"),
                             limit: int = LimitParam, cursor: str | None = CursorParam) -> NotificationPage:
    """My notifications, newest first, in my language, with the number still unread."""
    page, unread_count = await service.page(session, user, unread=unread, limit=limit, cursor=cursor)
    language = await service.language_of(session, user, wants_english(request))
    return NotificationPage(items=[service.present(n, language) for n in page.items], next_cursor=page.next_cursor,
                            unread_count=unread_count)


@router.post("/me/notifications/read", response_model=ReadOut, operation_id="markMyNotificationsRead",
             responses=problems(401, 422))
async def mark_read(body: ReadIn, user: CurrentUser, session: Session) -> ReadOut:
    """Mark `{"ids": [...]}` or `{"all": true}` read. Ids that are not mine change nothing."""
    marked = await service.mark_read(session, user, None if body.all else body.ids)
    return ReadOut(marked=marked, unread_count=await service.unread_count(session, user))


@router.get("/me/notification-settings", response_model=SettingsOut, operation_id="getMyNotificationSettings",
            responses=problems(401))
async def get_settings(user: CurrentUser, session: Session) -> SettingsOut:
    """My language and the channels I receive notifications on besides this list."""
    return SettingsOut.model_validate(await service.settings_of(session, user.id))


@router.patch("/me/notification-settings", response_model=SettingsOut, operation_id="updateMyNotificationSettings",
              responses=problems(401, 422))
async def update_settings(body: SettingsUpdate, user: CurrentUser, session: Session) -> SettingsOut:
    """Set my language (`zh-CN` or `en`), my email, phone and WeChat openid, and which channels to use."""
    setting = await service.update_settings(session, user, body.model_dump(exclude_unset=True))
    return SettingsOut.model_validate(setting)
