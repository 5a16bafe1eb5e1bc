"""The facilitator: consultations, participants (invite, re-invite, revoke), rounds, results, audit log.

Every route depends on the facilitator credential (``ApiFacilitator`` on the API, ``WebFacilitator`` on
the pages), resolved before any body is read. Actions are written to the audit log by :mod:`sia.app.service`.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sia.app import service as svc
from sia.app.deps import (
    MAX_UPLOAD,
    SMALL_BODY,
    ApiFacilitator,
    Client,
    ConsultationId,
    Db,
    ParticipantId,
    RoundQuery,
    WebFacilitator,
    WebForm,
    api_facilitator,
    form_days,
    invitation_url,
    json_body,
    openapi_body,
    render,
    web_facilitator,
    web_form,
)
from sia.app.models import AuditLog, Consultation
from sia.app.service import ConsultationIn, InvitationIn, ParticipantIn, Principal
from sia.app.themes import ThemesError, parse_themes_csv

api = APIRouter(prefix="/api", tags=["facilitator"])
pages = APIRouter(prefix="/facilitator", include_in_schema=False)


def frame_json(df: Any) -> JSONResponse:
    return JSONResponse(json.loads(df.to_json(orient="records", double_precision=15)))


# ================================================================== API
@api.post("/consultations", status_code=201, openapi_extra=openapi_body(ConsultationIn))
def api_create(db: Db, client: Client,
               data: ConsultationIn = json_body(ConsultationIn, api_facilitator)) -> dict[str, Any]:
    with db.transaction() as s:
        return svc.consultation_dict(s, svc.create_consultation(s, data, "api", client))


@api.get("/consultations/{cid}/participants")
def api_participants(cid: ConsultationId, who: ApiFacilitator, db: Db) -> list[dict[str, Any]]:
    with db.transaction() as s:
        svc.get_consultation(s, cid, who)
        return svc.participants_of(s, cid)


@api.post("/consultations/{cid}/participants", status_code=201, openapi_extra=openapi_body(ParticipantIn))
def api_add_participant(request: Request, cid: ConsultationId, who: ApiFacilitator, db: Db, client: Client,
                        data: ParticipantIn = json_body(ParticipantIn, api_facilitator, max_bytes=SMALL_BODY)
                        ) -> dict[str, Any]:
    """Register a participant; the response carries the invitation token (shown only here)."""
    with db.transaction() as s:
        svc.get_consultation(s, cid, who)
        p, token = svc.add_participant(s, cid, data, client)
        return {"participant_id": p.id, "org_type": p.org_type, "invitation_token": token,
                "invitation_url": invitation_url(request, token), "expires_in_days": data.invitation_days}


@api.post("/consultations/{cid}/participants/{pid}/invitations", status_code=201,
          openapi_extra=openapi_body(InvitationIn, required=False))
def api_reinvite(request: Request, cid: ConsultationId, pid: ParticipantId, db: Db, client: Client,
                 data: InvitationIn = json_body(InvitationIn, api_facilitator, max_bytes=SMALL_BODY, optional=True)
                 ) -> dict[str, Any]:
    """A new invitation link for a participant; their unused earlier links stop working."""
    with db.transaction() as s:
        p = svc.participant_of(s, cid, pid)
        token = svc.issue_invitation(s, p, timedelta(days=data.days), client)
        return {"participant_id": p.id, "invitation_token": token, "invitation_url": invitation_url(request, token)}


@api.post("/consultations/{cid}/participants/{pid}/revoke")
def api_revoke(cid: ConsultationId, pid: ParticipantId, who: ApiFacilitator, db: Db,
               client: Client) -> dict[str, int]:
    """Revoke a participant's unused invitation links and live credentials (sessions and API token).

    Their answers stay; a new invitation lets them back in."""
    with db.transaction() as s:
        return svc.revoke_access(s, svc.participant_of(s, cid, pid), client)


@api.post("/consultations/{cid}/rounds", status_code=201)
def api_open_round(cid: ConsultationId, who: ApiFacilitator, db: Db, client: Client) -> dict[str, Any]:
    with db.transaction() as s:
        svc.get_consultation(s, cid, who)
        return {"round": svc.open_round(s, cid, client).number, "open": True}


@api.post("/consultations/{cid}/rounds/close")
def api_close_round(cid: ConsultationId, who: ApiFacilitator, db: Db, client: Client) -> dict[str, Any]:
    with db.transaction() as s:
        svc.get_consultation(s, cid, who)
        return {"round": svc.close_round(s, cid, client).number, "open": False}


@api.get("/consultations/{cid}/results")
def api_results(cid: ConsultationId, who: ApiFacilitator, db: Db, round: RoundQuery = None) -> JSONResponse:
    """Per theme x criterion results of a round (the export's rows); 404 for a round never opened."""
    with db.transaction() as s:
        svc.get_consultation(s, cid, who)
        return frame_json(svc.results(s, cid, round))


@api.get("/consultations/{cid}/answers")
def api_answers(cid: ConsultationId, who: ApiFacilitator, db: Db, round: RoundQuery = None) -> JSONResponse:
    """Individual answers, pseudonymous (participant id and organisation type): facilitator only."""
    with db.transaction() as s:
        svc.get_consultation(s, cid, who)
        return frame_json(svc.answers_frame(s, cid, round))


@api.get("/consultations/{cid}/proposals")
def api_proposals(cid: ConsultationId, who: ApiFacilitator, db: Db) -> list[dict[str, Any]]:
    with db.transaction() as s:
        svc.get_consultation(s, cid, who)
        return svc.proposals_of(s, cid)


@api.get("/audit-log")
def api_audit_log(who: ApiFacilitator, db: Db,
                  limit_rows: Annotated[int, Query(alias="limit", ge=1, le=5000)] = 200) -> list[dict[str, Any]]:
    with db.transaction() as s:
        rows = s.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit_rows))
        return [{"id": r.id, "at": r.at.isoformat() + "Z", "actor": r.actor, "action": r.action,
                 "consultation_id": r.consultation_id, "detail": json.loads(r.detail_json), "client": r.client}
                for r in rows]


# ================================================================== pages
@pages.get("")
def dashboard(request: Request, who: WebFacilitator, db: Db) -> Response:
    with db.transaction() as s:
        items = [(c.id, c.title) for c in s.scalars(select(Consultation).order_by(Consultation.id))]
    return render(request, "dashboard.html", who, consultations=items,
                  default_criteria=", ".join(svc.DEFAULT_CRITERIA))


def _file_name(name: str | None) -> str:
    """An uploaded file's name as it may be stored: no control characters, valid UTF-8, at most 200."""
    clean = re.sub(r"[\x00-\x1f\x7f]", "", name or "").encode("utf-8", "replace").decode("utf-8")
    return clean[:200] or "upload.csv"


@pages.post("/consultations")
def create_page(db: Db, client: Client,
                form: WebForm = web_form(web_facilitator, max_fields=20, max_bytes=None)) -> Response:
    upload = form.fields.get("themes_file")
    if upload is None or isinstance(upload, str):
        raise svc.Invalid("themes_file: expected a themes CSV upload")
    raw = upload.file.read(MAX_UPLOAD + 1)  # a sync route: runs in the thread pool
    if len(raw) > MAX_UPLOAD:
        raise svc.Invalid(f"themes_file: larger than {MAX_UPLOAD} bytes")
    name = _file_name(upload.filename)
    try:
        table = parse_themes_csv(raw.decode("utf-8-sig"), name)
        criteria = [c for c in form.text("criteria").replace(";", ",").split(",") if c.strip()]
        data = svc.consultation_from_specs(form.text("title"), table.themes, criteria, form.text("description"))
    except UnicodeDecodeError:
        raise svc.Invalid(f"{name}: not UTF-8; expected a UTF-8 CSV") from None
    except ThemesError as exc:
        raise svc.Invalid(str(exc)) from None
    with db.transaction() as s:
        cid = svc.create_consultation(s, data, name, client).id
    return RedirectResponse(f"/facilitator/c/{cid}", status_code=303)


def admin_context(s: Session, cid: int, who: Principal) -> dict[str, Any]:
    c = svc.get_consultation(s, cid, who)
    rounds = svc.rounds_of(s, cid)
    logs = s.scalars(select(AuditLog).where(AuditLog.consultation_id == cid).order_by(AuditLog.id.desc()).limit(30))
    return {"c": svc.consultation_dict(s, c), "participants": svc.participants_of(s, cid),
            "proposals": svc.proposals_of(s, cid), "rounds": rounds, "open_round": svc.open_round_of(s, cid),
            "log": [(r.at.strftime("%Y-%m-%d %H:%M:%S"), r.action, r.detail_json) for r in logs]}


@pages.get("/c/{cid}")
def admin_page(request: Request, cid: ConsultationId, who: WebFacilitator, db: Db) -> Response:
    with db.transaction() as s:
        ctx = admin_context(s, cid, who)
    return render(request, "consultation_admin.html", who, **ctx)


def _days(form: WebForm) -> float:
    text = form.text("days")
    return form_days(text) if text.strip() else 14.0


@pages.post("/c/{cid}/participants")
def admin_add_participant(request: Request, cid: ConsultationId, db: Db, client: Client,
                          form: WebForm = web_form(web_facilitator)) -> Response:
    assert form.who is not None
    try:
        data = ParticipantIn(label=form.text("label"), org_type=form.text("org_type"), invitation_days=_days(form))
    except ValidationError as exc:
        raise svc.Invalid(svc.validation_message(exc, "participant: ")) from None
    with db.transaction() as s:
        svc.get_consultation(s, cid, form.who)
        p, token = svc.add_participant(s, cid, data, client)
        ctx = admin_context(s, cid, form.who)
    ctx["new_invitation"] = {"label": p.label, "url": invitation_url(request, token)}
    return render(request, "consultation_admin.html", form.who, status=201, **ctx)


@pages.post("/c/{cid}/participants/{pid}/invitations")
def admin_reinvite(request: Request, cid: ConsultationId, pid: ParticipantId, db: Db, client: Client,
                   form: WebForm = web_form(web_facilitator)) -> Response:
    assert form.who is not None
    try:
        data = InvitationIn(days=_days(form))
    except ValidationError as exc:
        raise svc.Invalid(svc.validation_message(exc, "invitation: ")) from None
    with db.transaction() as s:
        p = svc.participant_of(s, cid, pid)
        token = svc.issue_invitation(s, p, timedelta(days=data.days), client)
        ctx = admin_context(s, cid, form.who)
    ctx["new_invitation"] = {"label": p.label, "url": invitation_url(request, token)}
    return render(request, "consultation_admin.html", form.who, status=201, **ctx)


@pages.post("/c/{cid}/participants/{pid}/revoke")
def admin_revoke(cid: ConsultationId, pid: ParticipantId, db: Db, client: Client,
                 form: WebForm = web_form(web_facilitator)) -> Response:
    with db.transaction() as s:
        svc.revoke_access(s, svc.participant_of(s, cid, pid), client)
    return RedirectResponse(f"/facilitator/c/{cid}", status_code=303)


@pages.post("/c/{cid}/rounds/{action}")
def admin_round(cid: ConsultationId, action: str, db: Db, client: Client,
                form: WebForm = web_form(web_facilitator)) -> Response:
    if action not in ("open", "close"):
        raise svc.NotFound("no such action")
    assert form.who is not None
    with db.transaction() as s:
        svc.get_consultation(s, cid, form.who)
        (svc.open_round if action == "open" else svc.close_round)(s, cid, client)
    return RedirectResponse(f"/facilitator/c/{cid}", status_code=303)


@pages.get("/c/{cid}/results")
def admin_results(request: Request, cid: ConsultationId, who: WebFacilitator, db: Db,
                  round: RoundQuery = None) -> Response:
    with db.transaction() as s:
        c = svc.get_consultation(s, cid, who)
        if round is None and not svc.rounds_of(s, cid):
            rows: list[dict[str, Any]] = []  # nothing to show yet; the page says so
        else:
            df = svc.results(s, cid, round)
            rows, round = df.to_dict(orient="records"), int(df["round"].iloc[0])
        info = svc.consultation_dict(s, c)
    return render(request, "results.html", who, c=info, rows=rows, round=round)


ROUTERS = (api, pages)
