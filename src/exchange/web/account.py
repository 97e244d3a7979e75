"""My account, for every role: my profile (name, place, phone), my password — the form a temporary password is
sent to first — and my data: a download of everything held about me, and erasure.

The pages call what the API's endpoints call: ``accounts.service.update_me`` (``PATCH /me``),
``accounts.service.change_password`` (``POST /me/password``: every other session ends; this one continues with a
fresh cookie), ``personal_data.service.export`` (``GET /me/data``) and ``erase`` (``POST /me/erasure``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from exchange.accounts import service as accounts
from exchange.accounts.models import User
from exchange.accounts.schemas import MeUpdate, PasswordChange
from exchange.errors import invalid
from exchange.kit.http import Session
from exchange.notifications import service as notifications
from exchange.notifications.models import Channel
from exchange.notifications.schemas import SettingsUpdate
from exchange.personal_data import service as personal_data
from exchange.personal_data.schemas import ErasureIn
from exchange.points import service as points
from exchange.web import auth, common
from exchange.web.i18n import Words
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import Rejected, attempt, confirmation, page, see_other

router = APIRouter(prefix="/workspace", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse)
Anyone = Annotated[User, Depends(auth.signed_in)]
Temporary = Annotated[User, Depends(auth.signed_in_to_change_password)]
PROFILE = ("display_name", "region_code", "phone")



async def _account(request: Request, session: Session, user: User, *, rejected: Rejected | None = None,
                   form: str = "", values: dict[str, str] | None = None) -> Response:
    ref = await common.reference(request, session)
    profile = {"display_name": user.display_name, "region_code": user.region_code or "", "phone": user.phone or ""}
    setting = await notifications.settings_of(session, user.id)
    chosen = {"language": setting.language, "email": setting.email or "", "phone": setting.phone or "",
              "channels": list(setting.channels or [])}
    return await page(request, session, user, "ws_account.html", {
        "profile": {**profile, **(values if form == "profile" and values else {})}, "form": form,
        "setting": {**chosen, **(values if form == "notifications" and values else {})},
        "channels": [c.value for c in Channel],
        "regions": ref.place_options, "points": await points.balance(session, user.id),
        "done": request.query_params.get("done", ""),
        **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=Words.of(request).t("my_account"), status=rejected.status if rejected else 200)


@router.get("/account")
async def account(request: Request, session: Session, user: Anyone) -> Response:
    return await _account(request, session, user)


@router.post("/account")
async def update_profile(request: Request, session: Session, user: Anyone) -> Response:
    """Change my name, place or phone (``PATCH /me``): an emptied phone is removed."""
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in PROFILE}
    changes = {"display_name": values["display_name"], "region_code": values["region_code"] or None,
               "phone": values["phone"] or None}

    async def save() -> User:
        body = MeUpdate.model_validate(changes)
        return await accounts.update_me(session, user=user, changes=body.model_dump(include=set(changes)))

    done = await attempt(request, save)
    if isinstance(done, Rejected):
        return await _account(request, session, user, rejected=done, form="profile", values=values)
    return see_other("/workspace/account?done=profile")


@router.post("/account/notifications")
async def update_notifications(request: Request, session: Session, user: Anyone) -> Response:
    """My language and the channels besides the in-app list (``PATCH /me/notification-settings``)."""
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in ("language", "email", "phone")}
    values["channels"] = [str(v) for v in form.getlist("channels")]
    changes = {**{k: v or None for k, v in values.items() if k != "channels"}, "channels": values["channels"]}
    done = await attempt(request, lambda: notifications.update_settings(
        session, user, SettingsUpdate.model_validate(changes).model_dump(exclude_unset=True)))
    if isinstance(done, Rejected):
        return await _account(request, session, user, rejected=done, form="notifications", values=values)
    return see_other("/workspace/account?done=notifications")


@router.get("/password")
async def password_form(request: Request, session: Session, user: Temporary) -> Response:
    return await page(request, session, user, "ws_password.html", {"errors": {}, "general": ""},
                      title=Words.of(request).t("change_password"))


@router.post("/password")
async def change_password(request: Request, session: Session, user: Temporary) -> Response:
    """A new password (``POST /me/password``): every other session and token ends; this browser stays signed in."""
    form = await request.form()
    current, new, again = (str(form.get(k, "")) for k in ("current_password", "new_password", "repeat_password"))

    async def change() -> User:
        body = PasswordChange.model_validate({"current_password": current, "new_password": new})
        if new != again:
            raise invalid(["body", "repeat_password"], "两次输入的新密码不一致", "The two new passwords differ",
                          code="passwords_differ")
        return await accounts.change_password(session, user=user, current=body.current_password, new=body.new_password)

    changed = await attempt(request, change)
    if isinstance(changed, Rejected):
        return await page(request, session, user, "ws_password.html", changed.context(),
                          title=Words.of(request).t("change_password"), status=changed.status)
    response = RedirectResponse("/workspace/account?done=password", status_code=303)
    request.state.web_session = auth.new_session(changed)  # the old cookie's version is revoked with the rest
    return response


@router.get("/account/data")
async def my_data(request: Request, session: Session, user: Anyone) -> Response:
    """Everything held about me as JSON (``GET /me/data``), as a file to keep."""
    data = await personal_data.export(session, user)
    return JSONResponse(data.model_dump(mode="json"), headers={
        "Content-Disposition": 'attachment; filename="my-data.json"'})


@router.get("/account/erasure")
async def erasure_form(request: Request, session: Session, user: Anyone) -> Response:
    w = Words.of(request)
    return await confirmation(request, session, user, {
        "item": {"title": user.display_name}, "action": "/workspace/account/erasure", "question": w.t("erasure_question"),
        "button": w.t("erase_me"), "back": "/workspace/account", "password": True,
    })


@router.post("/account/erasure")
async def erase(request: Request, session: Session, user: Anyone) -> Response:
    """Erase my account (``POST /me/erasure``, with my password): anonymized, signed out everywhere."""
    password = str((await request.form()).get("password", ""))
    done = await attempt(request, lambda: personal_data.erase(session, user, ErasureIn.model_validate(
        {"password": password}).password))
    if isinstance(done, Rejected):
        w = Words.of(request)
        return await confirmation(request, session, user, {
            "item": {"title": user.display_name}, "action": "/workspace/account/erasure", "question": w.t("erasure_question"),
            "button": w.t("erase_me"), "back": "/workspace/account", "password": True, "general": done.general,
            "errors": done.errors,
        }, status=done.status)
    response = RedirectResponse("/login?out=1", status_code=303)
    request.state.signed_out = True
    auth.clear_session_cookie(response, request.app.state.settings)
    return response
