"""Participants: accepting an invitation, answering a round, reading back their own answers (API and pages)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sia.app import service as svc
from sia.app.db import Database
from sia.app.deps import (
    SMALL_BODY,
    ApiParticipant,
    Client,
    ConsultationId,
    Db,
    MaybeWebUser,
    SettingsDep,
    WebForm,
    WebParticipant,
    api_participant,
    form_int,
    json_body,
    openapi_body,
    rate_limited,
    render,
    set_session_cookie,
    web_form,
    web_participant,
    web_visitor,
)
from sia.app.models import Consultation, Participant
from sia.app.service import AcceptIn, Principal, SubmissionIn, Unauthorised

MAX_FORM_FIELDS = 25_000
api = APIRouter(prefix="/api", tags=["participant"])
pages = APIRouter(include_in_schema=False)


def submit(db: Database, who: Principal, cid: int, data: SubmissionIn) -> dict[str, Any]:
    """Store a submission; a concurrent request with the same key that committed first wins (its response)."""
    try:
        with db.transaction() as s:
            return svc.submit(s, who, cid, data)
    except IntegrityError:
        with db.transaction() as s:
            stored = svc.find_submission(s, who, data)
        if stored is None:
            raise
        return stored


# ================================================================== API
@api.post("/invitations/accept", openapi_extra=openapi_body(AcceptIn))
def api_accept(db: Db, client: Client,
               data: AcceptIn = json_body(AcceptIn, rate_limited, max_bytes=SMALL_BODY)) -> dict[str, Any]:
    """Exchange an invitation token for a personal API token (single use; rate limited)."""
    with db.transaction() as s:
        p, _session, _csrf, api_token = svc.accept_invitation(s, data.token, client)
        return {"participant_id": p.id, "consultation_id": p.consultation_id, "org_type": p.org_type,
                "api_token": api_token}


@api.post("/consultations/{cid}/submissions", openapi_extra=openapi_body(SubmissionIn),
          responses={201: {"description": "stored"}, 200: {"description": "replay of a stored submission"}})
def api_submit(cid: ConsultationId, who: ApiParticipant, db: Db,
               data: SubmissionIn = json_body(SubmissionIn, api_participant)) -> JSONResponse:
    """Store scores, comments and proposals for the open round. Idempotent on ``submission_id``:
    a replay returns the stored response (``replayed: true``, status 200); a new one gets 201.
    An empty comment withdraws the participant's comment on that theme."""
    result = submit(db, who, cid, data)
    return JSONResponse(result, status_code=200 if result["replayed"] else 201)


@api.get("/consultations/{cid}/me")
def api_me(cid: ConsultationId, who: ApiParticipant, db: Db,
           round: Annotated[int, Query(ge=1, le=1000)] = 1) -> dict[str, Any]:
    """The caller's own scores and comments in a round."""
    with db.transaction() as s:
        return svc.my_answers(s, who, cid, round)


# ================================================================== pages
@pages.get("/invite/{token}", dependencies=[Depends(rate_limited)])
def invite_page(request: Request, token: str, db: Db, who: MaybeWebUser) -> Response:
    """Confirmation page of an invitation link (a GET never consumes it: link previews are harmless)."""
    with db.transaction() as s:
        inv = svc.usable_invitation(s, token[:100])
        p = s.get(Participant, inv.participant_id) if inv else None
        c = s.get(Consultation, p.consultation_id) if p else None
        title = c.title if c else None
    if title is None:
        raise Unauthorised("this invitation link is invalid, already used or expired")
    return render(request, "invite.html", who, title=title, token=token)


@pages.post("/invite/{token}")
def invite_accept(request: Request, token: str, db: Db, client: Client,
                  form: WebForm = web_form(web_visitor)) -> Response:
    with db.transaction() as s:
        p, session, csrf, api_token = svc.accept_invitation(s, token[:100], client)
    new_who = Principal(role="participant", participant_id=p.id, consultation_id=p.consultation_id,
                        org_type=p.org_type, csrf=csrf)
    resp = render(request, "welcome.html", new_who, api_token=api_token, cid=p.consultation_id)
    set_session_cookie(request, resp, session)
    return resp


def participant_context(s: Session, who: Principal, cid: int, min_n: int) -> dict[str, Any]:
    c = svc.get_consultation(s, cid, who)
    info = svc.consultation_dict(s, c)
    r = svc.open_round_of(s, cid)
    closed = [x for x in svc.rounds_of(s, cid) if x.closed_at is not None]
    fb_round = (r.number - 1) if r is not None else (closed[-1].number if closed else 0)
    fb = svc.feedback(s, who, cid, fb_round, min_n) if fb_round >= 1 else None
    mine: dict[tuple[int, str], int | None] = {}
    my_comments: dict[int, str] = {}
    answered_now = False
    if r is not None:
        now = svc.my_answers(s, who, cid, r.number)
        answered_now = now["submitted"]
        # before answering this round, the form is pre-filled with the previous round's answers
        source = now if answered_now or r.number == 1 else svc.my_answers(s, who, cid, r.number - 1)
        mine = {(a["theme_id"], a["criterion"]): a["score"] for a in source["scores"]}
        my_comments = {a["theme_id"]: a["text"] for a in source["comments"]}
    return {"c": info, "round": r, "feedback": {t["theme_id"]: t for t in fb["themes"]} if fb else {},
            "feedback_round": fb_round if fb else None, "mine": mine, "my_comments": my_comments,
            "answered_now": answered_now, "submission_id": str(uuid.uuid4())}


@pages.get("/c/{cid}")
def participant_page(request: Request, cid: ConsultationId, who: WebParticipant, db: Db, settings: SettingsDep,
                     saved: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    with db.transaction() as s:
        ctx = participant_context(s, who, cid, settings.feedback_min_n)
    return render(request, "participate.html", who, saved=bool(saved), **ctx)


SCORE_FIELD = re.compile(r"score-([0-9]{1,10})-(.+)", re.DOTALL)
COMMENT_FIELD = re.compile(r"comment-([0-9]{1,10})")


def submission_from_form(form: WebForm) -> SubmissionIn:
    """The answers form as a submission: ``score-<theme>-<criterion>`` (1-5, ``dk`` or empty for not
    answered), ``comment-<theme>`` (empty withdraws), ``proposal_name``/``proposal_description``, ``round``."""
    scores: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for key in form.fields:
        if key.startswith("score-"):
            m = SCORE_FIELD.fullmatch(key)
            if m is None:
                raise svc.Invalid("a form field score-...: expected score-<theme id>-<criterion>")
            value = form.text(key)
            if value == "":
                continue  # "choose": not answered
            score = None if value == "dk" else form_int(value, "score")
            scores.append({"theme_id": int(m[1]), "criterion": m[2], "score": score})
        elif key.startswith("comment-"):
            m = COMMENT_FIELD.fullmatch(key)
            if m is None:
                raise svc.Invalid("a form field comment-...: expected comment-<theme id>")
            comments.append({"theme_id": int(m[1]), "text": form.text(key)})
    proposals = []
    if form.text("proposal_name").strip():
        proposals.append({"name": form.text("proposal_name"), "description": form.text("proposal_description")})
    round_text = form.text("round")
    try:
        return SubmissionIn(submission_id=form.text("submission_id"),
                            round=form_int(round_text, "round") if round_text else None,
                            scores=scores, comments=comments, proposals=proposals)
    except ValidationError as exc:
        raise svc.Invalid(svc.validation_message(exc, "submission: ")) from None


@pages.post("/c/{cid}/submit")
def participant_submit(cid: ConsultationId, db: Db,
                       form: WebForm = web_form(web_participant, max_fields=MAX_FORM_FIELDS, max_bytes=None)
                       ) -> Response:
    assert form.who is not None
    submit(db, form.who, cid, submission_from_form(form))
    return RedirectResponse(f"/c/{cid}?saved=1", status_code=303)


ROUTERS = (api, pages)
