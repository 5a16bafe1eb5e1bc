"""The FastAPI application: server-rendered pages for people and a JSON API under ``/api/`` for programs.

Roles and credentials
---------------------
* **facilitator**: ``Authorization: Bearer $SIA_ADMIN_TOKEN`` on the API; in the browser, log in at
  ``/login`` with the same token to get a session cookie.
* **participant**: follows a single-use invitation link ``/invite/<token>``; accepting it (a POST, so link
  previews do not consume it) creates a browser session and a personal API token (shown once), and revokes
  any earlier credentials of that participant. ``POST /api/invitations/accept`` does the same for programs.

Every endpoint resolves the caller first and then checks role and consultation membership; a participant
asking for another consultation gets 404 (not 403) so consultations cannot be enumerated.

CSRF: the API takes bearer tokens only (never cookies), so it needs no CSRF defence. Every HTML form post
carries ``csrf_token``: for a logged-in browser it must equal the secret stored with the session
(synchronizer token); before log-in (log-in and invitation forms) it must equal the ``sia_csrf`` cookie
(double submit). Cookies are HttpOnly and SameSite=Strict, and a cross-origin ``Origin`` header is refused.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Body, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sia.app import service as svc
from sia.app.db import make_engine, migrate, session_factory
from sia.app.models import ORG_TYPES, AuditLog, Consultation, Invitation, Participant, utcnow
from sia.app.security import SecurityHeaders, TokenBucket, digest, new_secret
from sia.app.service import AppError, Forbidden, Principal, Unauthorised
from sia.app.themes import ThemesError, parse_themes_csv

TEMPLATES = Path(__file__).with_name("templates")
SESSION_COOKIE = "sia_session"
CSRF_COOKIE = "sia_csrf"
MAX_UPLOAD = 2_000_000
T = TypeVar("T")


class TooManyRequests(AppError):
    status = 429


def export_bytes(df: Any, fmt: str) -> tuple[bytes, str]:
    """Serialise a results frame as CSV (UTF-8) or Parquet; returns (bytes, media type)."""
    if fmt == "csv":
        return df.to_csv(index=False).encode("utf-8"), "text/csv; charset=utf-8"
    if fmt == "parquet":
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue(), "application/vnd.apache.parquet"
    raise svc.Invalid(f"format {fmt!r}: expected 'csv' or 'parquet'")


def create_app(
    database_url: str,
    admin_token: str | None = None,
    *,
    rate_limit: tuple[float, float] = (20.0, 0.5),
    feedback_min_n: int = 3,
    run_migrations: bool = True,
) -> FastAPI:
    """Build the consultation app.

    Parameters
    ----------
    database_url
        SQLAlchemy URL (``sqlite:///file.db``, ``postgresql://...``) or a bare SQLite file path.
    admin_token
        The facilitator's secret; default ``$SIA_ADMIN_TOKEN``. Without one, no one can act as facilitator.
    rate_limit
        ``(burst, refill per second)`` of the per-client token bucket on token endpoints.
    feedback_min_n
        Delphi feedback of a theme x criterion is withheld below this many scores (anonymity).
    run_migrations
        Upgrade the schema to the newest migration at start-up (default).
    """
    admin_token = admin_token if admin_token is not None else os.environ.get("SIA_ADMIN_TOKEN")
    if admin_token is not None and len(admin_token) < 16:
        raise ValueError("admin token: expected at least 16 characters")
    admin_digest = digest(admin_token) if admin_token else None
    engine = make_engine(database_url)
    if run_migrations:
        migrate(engine)
    factory = session_factory(engine)
    limiter = TokenBucket(*rate_limit)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True))
    env.globals["org_types"] = ORG_TYPES

    app = FastAPI(title="sia consultation", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description="Stakeholder consultation (entrepreneurial discovery process) for `sia` audits.")
    app.add_middleware(SecurityHeaders)
    app.state.engine = engine
    app.state.sessions = factory
    app.state.limiter = limiter

    # SQLite has one writer at a time; queueing threads on a lock here avoids SQLite's sleeping busy handler
    # (which made the latency tail seconds long under load). PostgreSQL needs no such lock.
    lock: Any = threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()

    def tx(fn: Callable[[Session], T]) -> T:
        with lock, factory.begin() as s:
            return fn(s)

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def limit(request: Request) -> None:
        if not limiter.allow(client(request)):
            raise TooManyRequests("too many attempts; wait and try again")

    # ------------------------------------------------------------------ principals
    def api_principal(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorised("missing bearer token")
        token = token.strip()
        if admin_digest is not None and svc.same_secret_digest(token, admin_digest):
            return Principal(role="facilitator")
        who = tx(lambda s: svc.principal_for(s, token, "api"))
        if who is None:
            limit(request)
            raise Unauthorised("invalid or expired bearer token")
        return who

    def web_principal(request: Request) -> Principal | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token or len(token) > 100:
            return None
        return tx(lambda s: svc.principal_for(s, token, "session"))

    def need_web(request: Request) -> Principal:
        who = web_principal(request)
        if who is None:
            raise Unauthorised("please log in (facilitator) or follow your invitation link (participant)")
        return who

    def check_csrf(request: Request, who: Principal | None, given: Any) -> None:
        origin = request.headers.get("origin")
        if origin and origin != "null" and origin.rstrip("/") != str(request.base_url).rstrip("/"):
            raise Forbidden("cross-origin form post refused")
        expected = who.csrf if who is not None else request.cookies.get(CSRF_COOKIE, "")
        if not isinstance(given, str) or not expected or not svc.same_secret_plain(given, expected):
            raise Forbidden("missing or wrong CSRF token; reload the page and try again")

    def secure(request: Request) -> bool:
        return request.url.scheme == "https"

    def render(request: Request, name: str, who: Principal | None, status: int = 200, **ctx: Any) -> HTMLResponse:
        cookie = request.cookies.get(CSRF_COOKIE)
        csrf = who.csrf if who is not None else (cookie if cookie and len(cookie) < 100 else new_secret())
        html = env.get_template(name).render(nonce=request.state.csp_nonce, csrf=csrf, who=who, **ctx)
        resp = HTMLResponse(html, status_code=status)
        if who is None and cookie != csrf:
            resp.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure(request))
        return resp

    # ------------------------------------------------------------------ errors
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        headers = {"Retry-After": str(limiter.retry_after())} if exc.status == 429 else {}
        if request.url.path.startswith("/api/"):
            if exc.status == 401:
                headers["WWW-Authenticate"] = "Bearer"
            return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)
        who = None
        if exc.status != 401:
            try:
                who = await run_in_threadpool(web_principal, request)
            except Exception:
                who = None
        resp = render(request, "message.html", who, status=exc.status, title=f"Error {exc.status}",
                      message=exc.message)
        resp.headers.update(headers)
        return resp

    # ================================================================== JSON API
    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, str]:
        tx(lambda s: s.execute(select(1)))
        return {"status": "ok"}

    @app.post("/api/invitations/accept", tags=["participant"])
    def api_accept(request: Request, token: str = Body(..., embed=True, max_length=100)) -> dict[str, Any]:
        """Exchange an invitation token for a personal API token (single use; rate limited)."""
        limit(request)

        def run(s: Session) -> dict[str, Any]:
            p, _session, _csrf, api = svc.accept_invitation(s, token)
            return {"participant_id": p.id, "consultation_id": p.consultation_id, "org_type": p.org_type,
                    "api_token": api}

        return tx(run)

    @app.get("/api/consultations", tags=["consultation"])
    def api_list(request: Request) -> list[dict[str, Any]]:
        who = api_principal(request)

        def run(s: Session) -> list[dict[str, Any]]:
            q = select(Consultation).order_by(Consultation.id)
            if not who.is_facilitator:
                q = q.where(Consultation.id == who.consultation_id)
            return [{"id": c.id, "title": c.title} for c in s.scalars(q)]

        return tx(run)

    @app.post("/api/consultations", status_code=201, tags=["facilitator"])
    def api_create(request: Request, data: svc.ConsultationIn) -> dict[str, Any]:
        who = api_principal(request)
        svc.require_facilitator(who)
        return tx(lambda s: svc.consultation_dict(s, svc.create_consultation(s, data, "api", client(request))))

    @app.get("/api/consultations/{cid}", tags=["consultation"])
    def api_get(request: Request, cid: int) -> dict[str, Any]:
        who = api_principal(request)
        return tx(lambda s: svc.consultation_dict(s, svc.get_consultation(s, cid, who)))

    @app.get("/api/consultations/{cid}/participants", tags=["facilitator"])
    def api_participants(request: Request, cid: int) -> list[dict[str, Any]]:
        who = api_principal(request)
        svc.require_facilitator(who)

        def run(s: Session) -> list[dict[str, Any]]:
            svc.get_consultation(s, cid, who)
            return svc.participants_of(s, cid)

        return tx(run)

    def invitation_url(request: Request, token: str) -> str:
        return str(request.base_url).rstrip("/") + f"/invite/{token}"

    @app.post("/api/consultations/{cid}/participants", status_code=201, tags=["facilitator"])
    def api_add_participant(request: Request, cid: int, data: svc.ParticipantIn) -> dict[str, Any]:
        """Register a participant; the response carries the invitation token (shown only here)."""
        who = api_principal(request)
        svc.require_facilitator(who)

        def run(s: Session) -> dict[str, Any]:
            svc.get_consultation(s, cid, who)
            p, token = svc.add_participant(s, cid, data, client(request))
            return {"participant_id": p.id, "org_type": p.org_type, "invitation_token": token,
                    "invitation_url": invitation_url(request, token), "expires_in_days": data.invitation_days}

        return tx(run)

    @app.post("/api/consultations/{cid}/participants/{pid}/invitations", status_code=201, tags=["facilitator"])
    def api_reinvite(request: Request, cid: int, pid: int,
                     days: float = Body(14.0, embed=True, gt=0, le=90)) -> dict[str, Any]:
        who = api_principal(request)
        svc.require_facilitator(who)

        def run(s: Session) -> dict[str, Any]:
            p = s.get(Participant, pid)
            if p is None or p.consultation_id != cid:
                raise svc.NotFound(f"participant {pid} not found in consultation {cid}")
            token = svc.issue_invitation(s, p, timedelta(days=days), client(request))
            return {"participant_id": p.id, "invitation_token": token, "invitation_url": invitation_url(request, token)}

        return tx(run)

    @app.post("/api/consultations/{cid}/rounds", status_code=201, tags=["facilitator"])
    def api_open_round(request: Request, cid: int) -> dict[str, Any]:
        who = api_principal(request)
        svc.require_facilitator(who)

        def run(s: Session) -> dict[str, Any]:
            svc.get_consultation(s, cid, who)
            return {"round": svc.open_round(s, cid, client(request)).number, "open": True}

        return tx(run)

    @app.post("/api/consultations/{cid}/rounds/close", tags=["facilitator"])
    def api_close_round(request: Request, cid: int) -> dict[str, Any]:
        who = api_principal(request)
        svc.require_facilitator(who)

        def run(s: Session) -> dict[str, Any]:
            svc.get_consultation(s, cid, who)
            return {"round": svc.close_round(s, cid, client(request)).number, "open": False}

        return tx(run)

    def do_submit(who: Principal, cid: int, data: svc.SubmissionIn) -> dict[str, Any]:
        try:
            return tx(lambda s: svc.submit(s, who, cid, data))
        except IntegrityError:
            # a concurrent request with the same key committed first: return what it stored
            stored = tx(lambda s: svc.find_submission(s, who, data))
            if stored is None:
                raise
            return stored

    @app.post("/api/consultations/{cid}/submissions", tags=["participant"])
    def api_submit(request: Request, cid: int, data: svc.SubmissionIn) -> JSONResponse:
        """Store scores, comments and proposals for the open round. Idempotent on ``submission_id``:
        a replay returns the stored response (``replayed: true``, status 200); a new one gets 201."""
        who = api_principal(request)
        result = do_submit(who, cid, data)
        return JSONResponse(result, status_code=200 if result["replayed"] else 201)

    @app.get("/api/consultations/{cid}/me", tags=["participant"])
    def api_me(request: Request, cid: int, round: int = Query(1, ge=1, le=1000)) -> dict[str, Any]:
        who = api_principal(request)
        return tx(lambda s: svc.my_answers(s, who, cid, round))

    @app.get("/api/consultations/{cid}/feedback", tags=["consultation"])
    def api_feedback(request: Request, cid: int, round: int = Query(1, ge=1, le=1000)) -> dict[str, Any]:
        """Anonymised distribution of a closed round (Delphi feedback)."""
        who = api_principal(request)
        return tx(lambda s: svc.feedback(s, who, cid, round, feedback_min_n))

    def fac_frame(request: Request, cid: int, fn: Callable[[Session], Any]) -> Any:
        who = api_principal(request)
        svc.require_facilitator(who)

        def run(s: Session) -> Any:
            svc.get_consultation(s, cid, who)
            return fn(s)

        return tx(run)

    @app.get("/api/consultations/{cid}/results", tags=["facilitator"])
    def api_results(request: Request, cid: int, round: int | None = Query(None, ge=1, le=1000)) -> JSONResponse:
        df = fac_frame(request, cid, lambda s: svc.results(s, cid, round))
        return JSONResponse(json.loads(df.to_json(orient="records", double_precision=15)))

    @app.get("/api/consultations/{cid}/answers", tags=["facilitator"])
    def api_answers(request: Request, cid: int, round: int | None = Query(None, ge=1, le=1000)) -> JSONResponse:
        """Individual answers, pseudonymous (participant id and organisation type): facilitator only."""
        df = fac_frame(request, cid, lambda s: svc.answers_frame(s, cid, round))
        return JSONResponse(json.loads(df.to_json(orient="records", double_precision=15)))

    @app.get("/api/consultations/{cid}/proposals", tags=["facilitator"])
    def api_proposals(request: Request, cid: int) -> list[dict[str, Any]]:
        return fac_frame(request, cid, lambda s: svc.proposals_of(s, cid))

    @app.get("/api/consultations/{cid}/export", tags=["facilitator"])
    def api_export(request: Request, cid: int, format: str = Query("csv", pattern="^(csv|parquet)$"),
                   round: int | None = Query(None, ge=1, le=1000)) -> Response:
        df = fac_frame(request, cid, lambda s: svc.results(s, cid, round))
        body, media = export_bytes(df, format)
        return Response(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="consultation-{cid}.{format}"'})

    @app.get("/api/audit-log", tags=["facilitator"])
    def api_audit_log(request: Request, limit_rows: int = Query(200, alias="limit", ge=1, le=5000)) -> list[dict]:
        who = api_principal(request)
        svc.require_facilitator(who)

        def run(s: Session) -> list[dict[str, Any]]:
            rows = s.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit_rows))
            return [{"id": r.id, "at": r.at.isoformat() + "Z", "actor": r.actor, "action": r.action,
                     "consultation_id": r.consultation_id, "detail": json.loads(r.detail_json), "client": r.client}
                    for r in rows]

        return tx(run)

    # ================================================================== pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        who = web_principal(request)
        if who is None:
            return render(request, "login.html", None)
        if who.is_facilitator:
            return RedirectResponse("/facilitator", status_code=303)
        return RedirectResponse(f"/c/{who.consultation_id}", status_code=303)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        return render(request, "login.html", web_principal(request))

    async def form_of(request: Request, max_fields: int = 25_000) -> dict[str, Any]:
        form = await request.form(max_fields=max_fields, max_part_size=MAX_UPLOAD)
        return {k: v for k, v in form.multi_items()}

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await form_of(request, 10)
        check_csrf(request, None, form.get("csrf_token"))
        limit(request)
        token = form.get("token")
        if admin_digest is None or not isinstance(token, str) or not svc.same_secret_digest(token, admin_digest):
            raise Unauthorised("wrong facilitator token")

        def run(s: Session) -> tuple[str, str]:
            svc.audit(s, "login", None, {}, client(request))
            return svc.facilitator_session(s)

        session, _csrf = await run_in_threadpool(tx, run)
        resp = RedirectResponse("/facilitator", status_code=303)
        resp.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", secure=secure(request))
        return resp

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        form = await form_of(request, 10)
        who = await run_in_threadpool(need_web, request)
        check_csrf(request, who, form.get("csrf_token"))
        if who.credential_id is not None:
            await run_in_threadpool(tx, lambda s: svc.revoke(s, who.credential_id))
        resp = RedirectResponse("/", status_code=303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    def need_facilitator_web(request: Request) -> Principal:
        who = need_web(request)
        svc.require_facilitator(who)
        return who

    @app.get("/facilitator", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request) -> Response:
        who = need_facilitator_web(request)
        items = tx(lambda s: [(c.id, c.title) for c in s.scalars(select(Consultation).order_by(Consultation.id))])
        return render(request, "dashboard.html", who, consultations=items, default_criteria=", ".join(
            svc.DEFAULT_CRITERIA))

    @app.post("/facilitator/consultations", include_in_schema=False)
    async def create_page(request: Request) -> Response:
        form = await form_of(request, 20)
        who = await run_in_threadpool(need_facilitator_web, request)
        check_csrf(request, who, form.get("csrf_token"))
        upload = form.get("themes_file")
        if upload is None or isinstance(upload, str):
            raise svc.Invalid("themes_file: expected a themes CSV upload")
        raw = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise svc.Invalid(f"themes_file: larger than {MAX_UPLOAD} bytes")
        name = (upload.filename or "upload.csv")[:200]
        try:
            table = parse_themes_csv(raw.decode("utf-8-sig"), name)
        except UnicodeDecodeError:
            raise svc.Invalid(f"{name}: not UTF-8; expected a UTF-8 CSV") from None
        except ThemesError as exc:
            raise svc.Invalid(str(exc)) from None
        criteria = [c for c in str(form.get("criteria", "")).replace(";", ",").split(",") if c.strip()]
        try:
            data = svc.consultation_from_specs(str(form.get("title", "")), table.themes, criteria,
                                               str(form.get("description", "")))
        except ThemesError as exc:
            raise svc.Invalid(str(exc)) from None
        c = await run_in_threadpool(tx, lambda s: svc.create_consultation(s, data, name, client(request)))
        return RedirectResponse(f"/facilitator/c/{c.id}", status_code=303)

    def admin_context(s: Session, cid: int, who: Principal) -> dict[str, Any]:
        c = svc.get_consultation(s, cid, who)
        rounds = svc.rounds_of(s, cid)
        logs = s.scalars(select(AuditLog).where(AuditLog.consultation_id == cid).order_by(AuditLog.id.desc())
                         .limit(30))
        return {"c": svc.consultation_dict(s, c), "participants": svc.participants_of(s, cid),
                "proposals": svc.proposals_of(s, cid), "rounds": rounds,
                "open_round": svc.open_round_of(s, cid),
                "log": [(r.at.strftime("%Y-%m-%d %H:%M:%S"), r.action, r.detail_json) for r in logs]}

    @app.get("/facilitator/c/{cid}", response_class=HTMLResponse, include_in_schema=False)
    def admin_page(request: Request, cid: int) -> Response:
        who = need_facilitator_web(request)
        return render(request, "consultation_admin.html", who, **tx(lambda s: admin_context(s, cid, who)))

    @app.post("/facilitator/c/{cid}/participants", include_in_schema=False)
    async def admin_add_participant(request: Request, cid: int) -> Response:
        form = await form_of(request, 10)
        who = await run_in_threadpool(need_facilitator_web, request)
        check_csrf(request, who, form.get("csrf_token"))
        try:
            data = svc.ParticipantIn(label=str(form.get("label", "")), org_type=str(form.get("org_type", "")),
                                     invitation_days=float(form.get("days") or 14))
        except (ValidationError, ValueError) as exc:
            raise svc.Invalid(f"participant: {exc}") from None

        def run(s: Session) -> dict[str, Any]:
            svc.get_consultation(s, cid, who)
            p, token = svc.add_participant(s, cid, data, client(request))
            ctx = admin_context(s, cid, who)
            ctx["new_invitation"] = {"label": p.label, "url": invitation_url(request, token)}
            return ctx

        ctx = await run_in_threadpool(tx, run)
        return render(request, "consultation_admin.html", who, status=201, **ctx)

    @app.post("/facilitator/c/{cid}/rounds/{action}", include_in_schema=False)
    async def admin_round(request: Request, cid: int, action: str) -> Response:
        form = await form_of(request, 10)
        who = await run_in_threadpool(need_facilitator_web, request)
        check_csrf(request, who, form.get("csrf_token"))
        if action not in ("open", "close"):
            raise svc.NotFound("no such action")

        def run(s: Session) -> None:
            svc.get_consultation(s, cid, who)
            (svc.open_round if action == "open" else svc.close_round)(s, cid, client(request))

        await run_in_threadpool(tx, run)
        return RedirectResponse(f"/facilitator/c/{cid}", status_code=303)

    @app.get("/facilitator/c/{cid}/results", response_class=HTMLResponse, include_in_schema=False)
    def admin_results(request: Request, cid: int, round: int | None = Query(None, ge=1, le=1000)) -> Response:
        who = need_facilitator_web(request)

        def run(s: Session) -> dict[str, Any]:
            c = svc.get_consultation(s, cid, who)
            df = svc.results(s, cid, round)
            return {"c": svc.consultation_dict(s, c), "rows": df.to_dict(orient="records"),
                    "round": int(df["round"].iloc[0]) if len(df) else round}

        return render(request, "results.html", who, **tx(run))

    @app.get("/facilitator/c/{cid}/export.{fmt}", include_in_schema=False)
    def admin_export(request: Request, cid: int, fmt: str, round: int | None = Query(None, ge=1, le=1000)) -> Response:
        who = need_facilitator_web(request)

        def run(s: Session) -> Any:
            svc.get_consultation(s, cid, who)
            return svc.results(s, cid, round)

        body, media = export_bytes(tx(run), fmt)
        return Response(body, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="consultation-{cid}.{fmt}"'})

    # ------------------------------------------------------------------ participant pages
    @app.get("/invite/{token}", response_class=HTMLResponse, include_in_schema=False)
    def invite_page(request: Request, token: str) -> Response:
        limit(request)

        def run(s: Session) -> str | None:
            inv = s.scalar(select(Invitation).where(Invitation.token_hash == digest(token[:100])))
            if inv is None or inv.used_at is not None or inv.expires_at <= utcnow():
                return None
            p = s.get(Participant, inv.participant_id)
            c = s.get(Consultation, p.consultation_id) if p else None
            return c.title if c else None

        title = tx(run)
        if title is None:
            raise Unauthorised("this invitation link is invalid, already used or expired")
        return render(request, "invite.html", web_principal(request), title=title, token=token)

    @app.post("/invite/{token}", include_in_schema=False)
    async def invite_accept(request: Request, token: str) -> Response:
        form = await form_of(request, 10)
        who = await run_in_threadpool(web_principal, request)
        check_csrf(request, who, form.get("csrf_token"))
        limit(request)
        p, session, csrf, api = await run_in_threadpool(tx, lambda s: svc.accept_invitation(s, token[:100]))
        new_who = Principal(role="participant", participant_id=p.id, consultation_id=p.consultation_id,
                            org_type=p.org_type, csrf=csrf)
        resp = render(request, "welcome.html", new_who, api_token=api, cid=p.consultation_id)
        resp.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", secure=secure(request))
        return resp

    def participant_context(s: Session, who: Principal, cid: int) -> dict[str, Any]:
        c = svc.get_consultation(s, cid, who)
        info = svc.consultation_dict(s, c)
        r = svc.open_round_of(s, cid)
        closed = [x for x in svc.rounds_of(s, cid) if x.closed_at is not None]
        fb_round = (r.number - 1) if r is not None else (closed[-1].number if closed else 0)
        fb = svc.feedback(s, who, cid, fb_round, feedback_min_n) if fb_round >= 1 else None
        mine: dict[tuple[int, str], int | None] = {}
        my_comments: dict[int, str] = {}
        answered_now = False
        if r is not None:
            now = svc.my_answers(s, who, cid, r.number)
            answered_now = bool(now["scores"] or now["comments"])
            source = now if answered_now else (svc.my_answers(s, who, cid, r.number - 1) if r.number > 1 else now)
            mine = {(a["theme_id"], a["criterion"]): a["score"] for a in source["scores"]}
            my_comments = {a["theme_id"]: a["text"] for a in source["comments"]}
        return {"c": info, "round": r, "feedback": {t["theme_id"]: t for t in fb["themes"]} if fb else {},
                "feedback_round": fb_round if fb else None, "mine": mine, "my_comments": my_comments,
                "answered_now": answered_now, "submission_id": str(uuid.uuid4())}

    @app.get("/c/{cid}", response_class=HTMLResponse, include_in_schema=False)
    def participant_page(request: Request, cid: int, saved: int = 0) -> Response:
        who = need_web(request)
        svc.require_participant(who, cid)
        return render(request, "participate.html", who, saved=bool(saved),
                      **tx(lambda s: participant_context(s, who, cid)))

    @app.post("/c/{cid}/submit", include_in_schema=False)
    async def participant_submit(request: Request, cid: int) -> Response:
        form = await form_of(request)
        who = await run_in_threadpool(need_web, request)
        check_csrf(request, who, form.get("csrf_token"))
        svc.require_participant(who, cid)
        scores, comments = [], []
        for key, value in form.items():
            if not isinstance(value, str):
                continue
            if key.startswith("score-"):
                _, tid, crit = key.split("-", 2) if key.count("-") >= 2 else (None, "x", "")
                if not tid.isdigit() or value == "":
                    continue
                scores.append({"theme_id": int(tid), "criterion": crit,
                               "score": None if value == "dk" else (int(value) if value.isdigit() else -1)})
            elif key.startswith("comment-") and key[8:].isdigit():
                comments.append({"theme_id": int(key[8:]), "text": value})
        proposals = []
        if str(form.get("proposal_name", "")).strip():
            proposals.append({"name": str(form["proposal_name"]), "description": str(form.get("proposal_description",
                                                                                                ""))})
        try:
            data = svc.SubmissionIn(submission_id=str(form.get("submission_id", "")),
                                    round=int(form["round"]) if str(form.get("round", "")).isdigit() else None,
                                    scores=scores, comments=comments, proposals=proposals)
        except ValidationError as exc:
            raise svc.Invalid("submission: " + "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])) from None
        await run_in_threadpool(do_submit, who, cid, data)
        return RedirectResponse(f"/c/{cid}?saved=1", status_code=303)

    return app
