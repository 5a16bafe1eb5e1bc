"""FastAPI dependencies of the consultation app: settings, database, client address, rate limit, caller and
request bodies.

The order of the checks is part of the dependency graph, not repeated in each route: a route's caller
(bearer token or session cookie) is resolved, and its role and consultation checked, *before* the body is
read; the body is then read through a size cap (:mod:`sia.app.limits`) and validated by pydantic. JSON is
parsed by pydantic's own parser (no NaN or infinities where a number is bounded, no lone surrogates, no
numbers of thousands of digits) and every text field refuses NUL characters. Errors name the field and what
was expected, never the input.

Routes take ``db: Db`` and run their work in ``with db.transaction() as s:`` (see :class:`Database` for why
a transaction is a unit of work inside the route rather than a per-request session).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from sia.app import service as svc
from sia.app.db import Database
from sia.app.limits import SMALL_BODY, ClientAddress, read_body, restrict_body
from sia.app.models import MAX_ID
from sia.app.security import TokenBucket, new_secret
from sia.app.service import AppError, Forbidden, Principal, Unauthorised

SESSION_COOKIE = "sia_session"
CSRF_COOKIE = "sia_csrf"
MAX_UPLOAD = 2_000_000
MAX_TOKEN = 200  # longer bearer tokens or cookies are refused without a database look-up
M = TypeVar("M", bound=BaseModel)


class TooManyRequests(AppError):
    status = 429


@dataclass(frozen=True)
class Settings:
    """What :func:`sia.app.web.create_app` configured, shared by every request (``app.state.settings``)."""

    admin_digest: str | None
    feedback_min_n: int
    max_body_bytes: int
    limiter: TokenBucket
    client_address: ClientAddress
    templates: Environment


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Database:
    return request.app.state.db


SettingsDep = Annotated[Settings, Depends(get_settings)]
Db = Annotated[Database, Depends(get_db)]

ConsultationId = Annotated[int, Path(ge=1, le=MAX_ID, description="consultation id")]
ParticipantId = Annotated[int, Path(ge=1, le=MAX_ID, description="participant id")]
RoundQuery = Annotated[int | None, Query(ge=1, le=1000, description="round (default: latest with answers)")]


# ------------------------------------------------------------------------------------------- client, limits
def client_address(request: Request, settings: SettingsDep) -> str:
    """The client's address (the peer, or the client named by a trusted proxy)."""
    return settings.client_address(request)


Client = Annotated[str, Depends(client_address)]


def rate_limited(settings: SettingsDep, client: Client) -> None:
    """Take one token from the client's bucket (429 when it is empty)."""
    if not settings.limiter.allow(client):
        raise TooManyRequests("too many attempts; wait and try again")


# ------------------------------------------------------------------------------------------- API callers
def api_principal(request: Request, settings: SettingsDep, db: Db, client: Client) -> Principal:
    """The caller of an API end point, from ``Authorization: Bearer``; 401 (rate limited) if unknown."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorised("missing bearer token")
    if settings.admin_digest is not None and svc.same_secret_digest(token, settings.admin_digest):
        return Principal(role="facilitator")
    who = None
    if len(token) <= MAX_TOKEN:
        with db.transaction() as s:
            who = svc.principal_for(s, token, "api")
    if who is None:
        rate_limited(settings, client)
        raise Unauthorised("invalid or expired bearer token")
    return who


ApiCaller = Annotated[Principal, Depends(api_principal)]


def api_facilitator(who: ApiCaller) -> Principal:
    svc.require_facilitator(who)
    return who


def api_participant(cid: ConsultationId, who: ApiCaller) -> Principal:
    """A participant of consultation ``cid`` (the facilitator gets 403, another consultation's participant 404)."""
    svc.require_participant(who, cid)
    return who


ApiFacilitator = Annotated[Principal, Depends(api_facilitator)]
ApiParticipant = Annotated[Principal, Depends(api_participant)]


# ------------------------------------------------------------------------------------------- browser callers
def lookup_web_principal(request: Request) -> Principal | None:
    """The browser session's principal, or None (no, unknown, expired or revoked session cookie)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > MAX_TOKEN:
        return None
    db: Database = request.app.state.db
    with db.transaction() as s:
        return svc.principal_for(s, token, "session")


def web_principal(request: Request) -> Principal | None:
    return lookup_web_principal(request)


MaybeWebUser = Annotated[Principal | None, Depends(web_principal)]


def web_user(who: MaybeWebUser) -> Principal:
    if who is None:
        raise Unauthorised("please log in (facilitator) or follow your invitation link (participant)")
    return who


WebUser = Annotated[Principal, Depends(web_user)]


def web_facilitator(who: WebUser) -> Principal:
    svc.require_facilitator(who)
    return who


def web_participant(cid: ConsultationId, who: WebUser) -> Principal:
    svc.require_participant(who, cid)
    return who


def web_visitor(_: Annotated[None, Depends(rate_limited)], who: MaybeWebUser) -> Principal | None:
    """Anyone (rate limited): the invitation pages. Logged in or not."""
    return who


def web_anonymous(_: Annotated[None, Depends(rate_limited)]) -> None:
    """Anyone (rate limited), checked against the double-submit CSRF cookie: the log-in form."""
    return None


WebFacilitator = Annotated[Principal, Depends(web_facilitator)]
WebParticipant = Annotated[Principal, Depends(web_participant)]


# ------------------------------------------------------------------------------------------- JSON bodies
_SCHEMAS: dict[str, Any] = {}
_REF = "#/components/schemas/{model}"


def json_body(model: type[M], auth: Callable[..., Any], *, max_bytes: int | None = None,
              optional: bool = False) -> Any:
    """Dependency: the request's JSON body validated as ``model``, read only after ``auth`` passed.

    ``max_bytes`` lowers the app's body cap for the route; ``optional`` lets an empty body mean ``model()``.
    Use with ``openapi_extra=openapi_body(model)`` so that the schema is documented.
    """

    async def body(request: Request, _caller: Any = Depends(auth)) -> Any:
        raw = await read_body(request, max_bytes)
        if not raw.strip():
            if optional:
                return model()
            raise svc.Invalid("body: expected a JSON object")
        try:
            if len(raw) > 256 * 1024:  # keep the event loop free for other requests while a big body parses
                return await run_in_threadpool(model.model_validate_json, raw)
            return model.model_validate_json(raw)
        except ValidationError as exc:
            raise svc.Invalid(svc.validation_message(exc, "body: ")) from None

    body.__name__ = f"{model.__name__}_body"
    return Depends(body)


def openapi_body(model: type[BaseModel], required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` documenting a :func:`json_body` (its schema goes to ``components/schemas``)."""
    schema = model.model_json_schema(ref_template=_REF)
    _SCHEMAS.update(schema.pop("$defs", {}))
    _SCHEMAS[model.__name__] = schema
    return {"requestBody": {"required": required, "content": {
        "application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}}}}


def body_schemas() -> dict[str, Any]:
    """The schemas registered by :func:`openapi_body`, for the OpenAPI document."""
    return dict(_SCHEMAS)


# ------------------------------------------------------------------------------------------- HTML forms
@dataclass(frozen=True)
class WebForm:
    """A posted HTML form whose CSRF token was checked; ``who`` is the caller (None before log-in)."""

    who: Principal | None
    fields: dict[str, Any]

    def text(self, name: str, default: str = "") -> str:
        value = self.fields.get(name, default)
        if not isinstance(value, str):
            raise svc.Invalid(f"form field {name!r}: expected text, not a file")
        return value


def check_csrf(request: Request, who: Principal | None, given: Any) -> None:
    """Synchronizer token for a session, double-submit cookie before log-in; cross-origin posts refused."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise Forbidden("cross-origin form post refused")
    expected = who.csrf if who is not None else request.cookies.get(CSRF_COOKIE, "")
    if not isinstance(given, str) or not expected or not svc.same_secret_plain(given, expected):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")


def web_form(auth: Callable[..., Any], *, max_fields: int = 10, max_bytes: int | None = SMALL_BODY) -> Any:
    """Dependency: the posted form (at most ``max_fields`` fields, ``max_bytes`` bytes; None: the app's cap),
    parsed only after ``auth`` resolved the caller, with its CSRF token checked against that caller."""

    async def form(request: Request, who: Any = Depends(auth)) -> AsyncIterator[WebForm]:
        restrict_body(request, max_bytes)
        data = await request.form(max_fields=max_fields, max_part_size=MAX_UPLOAD)
        try:
            fields = dict(data.multi_items())
            check_csrf(request, who, fields.get("csrf_token"))
            yield WebForm(who, fields)
        finally:
            await data.close()

    return Depends(form)


_ASCII_INT = re.compile(r"[0-9]{1,10}")
_ASCII_DAYS = re.compile(r"[0-9]{1,3}(\.[0-9]{1,6})?")


def form_int(value: str, field: str) -> int:
    """A whole number typed in a form: ASCII digits only (no Unicode digits, no 4,300-digit numbers)."""
    if not _ASCII_INT.fullmatch(value):
        raise svc.Invalid(f"form field {field[:60]!r}: expected a whole number (digits 0-9)")
    return int(value)


def form_days(value: str, field: str = "days") -> float:
    """A number of days typed in a form (ASCII, e.g. ``14`` or ``0.5``); the model checks the range."""
    if not _ASCII_DAYS.fullmatch(value.strip()):
        raise svc.Invalid(f"form field {field!r}: expected a number of days (digits 0-9, e.g. 14 or 0.5)")
    return float(value)


# ------------------------------------------------------------------------------------------- pages
def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def render(request: Request, name: str, who: Principal | None, status: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page; before log-in, also (re)issue the double-submit CSRF cookie."""
    settings: Settings = request.app.state.settings
    cookie = request.cookies.get(CSRF_COOKIE)
    csrf = who.csrf if who is not None else (cookie if cookie and len(cookie) < 100 else new_secret())
    html = settings.templates.get_template(name).render(nonce=request.state.csp_nonce, csrf=csrf, who=who, **ctx)
    resp = HTMLResponse(html, status_code=status)
    if who is None and cookie != csrf:
        resp.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure(request))
    return resp


def set_session_cookie(request: Request, resp: Any, session: str) -> None:
    resp.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", secure=secure(request))


def invitation_url(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/invite/{token}"
