"""Home, facilitator log-in and log-out (browser sessions)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sia.app import service as svc
from sia.app.deps import (
    SESSION_COOKIE,
    Client,
    Db,
    MaybeWebUser,
    SettingsDep,
    WebForm,
    render,
    set_session_cookie,
    web_anonymous,
    web_form,
    web_user,
)
from sia.app.service import Unauthorised

pages = APIRouter(include_in_schema=False)


@pages.get("/")
def home(request: Request, who: MaybeWebUser) -> Response:
    if who is None:
        return render(request, "login.html", None)
    if who.is_facilitator:
        return RedirectResponse("/facilitator", status_code=303)
    return RedirectResponse(f"/c/{who.consultation_id}", status_code=303)


@pages.get("/login")
def login_page(request: Request, who: MaybeWebUser) -> Response:
    return render(request, "login.html", who)


@pages.post("/login")
def login(request: Request, settings: SettingsDep, db: Db, client: Client,
          form: WebForm = web_form(web_anonymous)) -> Response:
    token = form.fields.get("token")
    if settings.admin_digest is None or not isinstance(token, str) or not svc.same_secret_digest(
            token, settings.admin_digest):
        raise Unauthorised("wrong facilitator token")
    with db.transaction() as s:
        svc.audit(s, "login", None, {}, client)
        session, _csrf = svc.facilitator_session(s)
    resp = RedirectResponse("/facilitator", status_code=303)
    set_session_cookie(request, resp, session)
    return resp


@pages.post("/logout")
def logout(db: Db, form: WebForm = web_form(web_user)) -> Response:
    who = form.who
    if who is not None and who.credential_id is not None:
        with db.transaction() as s:
            svc.revoke(s, who.credential_id)
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


ROUTERS = (pages,)
