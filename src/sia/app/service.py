"""Consultation logic shared by the web pages, the JSON API and the CLI.

Every function takes an open :class:`sqlalchemy.orm.Session` inside a transaction that the caller commits
(so a response is only sent after its data are durable) and raises :class:`AppError` subclasses carrying an
HTTP status.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import AfterValidator, BaseModel, Field, ValidationError, field_validator
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sia.app.models import (
    DEFAULT_CRITERIA,
    MAX_ID,
    ORG_TYPES,
    Answer,
    AuditLog,
    Comment,
    Consultation,
    Credential,
    Invitation,
    Participant,
    Round,
    Submission,
    Theme,
    ThemeProposal,
    utcnow,
)
from sia.app.security import digest, new_secret
from sia.app.stats import EXPORT_COLUMNS, comment_keywords, summarise
from sia.app.themes import MAX_DESCRIPTION, MAX_NAME, ThemesError, ThemeSpec, validate_theme

MAX_COMMENT = 2000
MAX_CRITERIA = 8
CRITERION_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
SESSION_TTL = timedelta(hours=12)
PARTICIPANT_TTL = timedelta(days=60)
DEFAULT_INVITATION_TTL = timedelta(days=14)


class AppError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(AppError):
    status = 404


class Forbidden(AppError):
    status = 403


class Unauthorised(AppError):
    status = 401


class Conflict(AppError):
    status = 409


class Invalid(AppError):
    status = 422


@dataclass(frozen=True)
class Principal:
    """Who is calling: the facilitator, or a participant (bound to one consultation)."""

    role: str  # "facilitator" | "participant"
    participant_id: int | None = None
    consultation_id: int | None = None
    org_type: str | None = None
    csrf: str = ""
    credential_id: int | None = None

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator"


# --------------------------------------------------------------------------------------------- payloads
def _storable(value: str) -> str:
    """Refuse text no database column can hold: NUL (PostgreSQL rejects it) and lone surrogates (not UTF-8)."""
    if "\x00" in value:
        raise ValueError("contains a NUL character; expected text without control character 0")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a lone surrogate; expected valid Unicode text") from None
    return value


def validation_message(exc: ValidationError, prefix: str = "", max_errors: int = 5) -> str:
    """A short message for a pydantic error: ``where: what`` per error, never the input itself."""
    parts = []
    for e in exc.errors(include_input=False, include_url=False)[:max_errors]:
        where = ".".join(str(x) for x in e["loc"])
        parts.append(f"{where}: {e['msg'][:200]}" if where else e["msg"][:200])
    more = exc.error_count() - max_errors
    return prefix + "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


Text = Annotated[str, AfterValidator(_storable)]
"""A string from a request: every text field of every payload is of this type."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ScoreIn(BaseModel):
    theme_id: Id
    criterion: Text = Field(min_length=1, max_length=40)
    score: int | None = Field(default=None, ge=1, le=5, description="1..5, or null for \"don't know\"")


class CommentIn(BaseModel):
    theme_id: Id
    text: Text = Field(max_length=MAX_COMMENT, description="an empty (or blank) text withdraws the comment")


class ProposalIn(BaseModel):
    name: Text = Field(min_length=1, max_length=MAX_NAME)
    description: Text = Field(default="", max_length=MAX_DESCRIPTION)


class SubmissionIn(BaseModel):
    """One submission. ``submission_id`` is a client-generated UUID: replaying it returns the stored result."""

    submission_id: uuid.UUID
    round: int | None = Field(default=None, ge=1, le=MAX_ID,
                              description="the open round the client answered; checked")
    scores: list[ScoreIn] = Field(default_factory=list, max_length=20_000)
    comments: list[CommentIn] = Field(default_factory=list, max_length=1_000)
    proposals: list[ProposalIn] = Field(default_factory=list, max_length=20)


class ThemeIn(BaseModel):
    name: Text = Field(min_length=1, max_length=MAX_NAME)
    description: Text = Field(default="", max_length=MAX_DESCRIPTION)
    codes: Text = Field(default="", max_length=2000)
    data_score: float | None = Field(default=None, allow_inf_nan=False)


class ConsultationIn(BaseModel):
    title: Text = Field(min_length=1, max_length=200)
    description: Text = Field(default="", max_length=5000)
    criteria: list[Annotated[Text, Field(max_length=40)]] = Field(
        default_factory=lambda: list(DEFAULT_CRITERIA), min_length=1, max_length=MAX_CRITERIA)
    themes: list[ThemeIn] = Field(min_length=1, max_length=500)

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: list[str]) -> list[str]:
        import re

        out = [c.strip().lower() for c in value]
        for i, c in enumerate(out):
            if not re.match(CRITERION_PATTERN, c):
                raise ValueError(f"criterion {i + 1}: expected lower-case letters, digits or _ (at most 40)")
        if len(set(out)) != len(out):
            raise ValueError("criteria: a name appears more than once; expected unique names")
        return out


class ParticipantIn(BaseModel):
    label: Text = Field(min_length=1, max_length=200)
    org_type: str = Field(description="one of " + ", ".join(ORG_TYPES))
    invitation_days: float = Field(default=14.0, gt=0, le=90, allow_inf_nan=False)

    @field_validator("org_type")
    @classmethod
    def _org(cls, value: str) -> str:
        if value not in ORG_TYPES:
            raise ValueError(f"expected one of {list(ORG_TYPES)}")
        return value


class InvitationIn(BaseModel):
    days: float = Field(default=DEFAULT_INVITATION_TTL.days, gt=0, le=90, allow_inf_nan=False,
                        description="days the invitation link stays valid")


class AcceptIn(BaseModel):
    token: Text = Field(max_length=100, description="the token of an invitation link")


# --------------------------------------------------------------------------------------------- helpers
def audit(s: Session, action: str, consultation_id: int | None, detail: dict[str, Any], client: str = "",
          actor: str = "facilitator") -> None:
    """Append an action (of the facilitator, or a participant's acceptance) to the audit log, in the same
    transaction as the action."""
    s.add(AuditLog(actor=actor, action=action, consultation_id=consultation_id,
                   detail_json=json.dumps(detail, sort_keys=True, default=str), client=client[:64]))


def criteria_of(c: Consultation) -> list[str]:
    return list(json.loads(c.criteria_json))


def get_consultation(s: Session, cid: int, who: Principal) -> Consultation:
    """The consultation, if ``who`` may see it: the facilitator, or a participant of it (else 404)."""
    c = s.get(Consultation, cid)
    if c is None or (not who.is_facilitator and who.consultation_id != cid):
        raise NotFound(f"consultation {cid} not found")
    return c


def require_facilitator(who: Principal) -> None:
    if not who.is_facilitator:
        raise Forbidden("facilitator only")


def require_participant(who: Principal, cid: int) -> None:
    if who.is_facilitator:
        raise Forbidden("participants only")
    if who.consultation_id != cid:
        raise NotFound(f"consultation {cid} not found")


def themes_of(s: Session, cid: int) -> list[Theme]:
    return list(s.scalars(select(Theme).where(Theme.consultation_id == cid).order_by(Theme.position)))


def rounds_of(s: Session, cid: int) -> list[Round]:
    return list(s.scalars(select(Round).where(Round.consultation_id == cid).order_by(Round.number)))


def open_round_of(s: Session, cid: int) -> Round | None:
    return s.scalar(select(Round).where(Round.consultation_id == cid, Round.closed_at.is_(None)))


# --------------------------------------------------------------------------------------------- facilitator
def create_consultation(s: Session, data: ConsultationIn, source: str = "", client: str = "") -> Consultation:
    """Create a consultation with its themes (validated, unique names)."""
    specs = [validate_theme(ThemeSpec(t.name, t.description, t.codes, t.data_score), f"theme {i + 1}")
             for i, t in enumerate(data.themes)]
    names = [t.name.casefold() for t in specs]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise Invalid(f"theme name {dup!r} appears more than once; expected unique theme names")
    c = Consultation(title=data.title.strip(), description=data.description.strip(),
                     criteria_json=json.dumps(data.criteria), source=source[:500])
    s.add(c)
    s.flush()
    s.add_all([Theme(consultation_id=c.id, position=i, name=t.name, description=t.description, codes=t.codes,
                     data_score=t.data_score) for i, t in enumerate(specs)])
    audit(s, "create_consultation", c.id, {"title": c.title, "themes": len(specs), "criteria": data.criteria,
                                           "source": source}, client)
    return c


def consultation_from_specs(title: str, themes: Sequence[ThemeSpec], criteria: Sequence[str] | None = None,
                            description: str = "") -> ConsultationIn:
    """Build the validated creation payload from themes read by :func:`sia.app.themes.load_themes`."""
    try:
        return ConsultationIn(title=title, description=description,
                              criteria=list(criteria) if criteria else list(DEFAULT_CRITERIA),
                              themes=[ThemeIn(name=t.name, description=t.description, codes=t.codes,
                                              data_score=t.data_score) for t in themes])
    except ValidationError as exc:
        raise ThemesError(validation_message(exc, "consultation: ")) from None


def add_participant(s: Session, cid: int, data: ParticipantIn, client: str = "") -> tuple[Participant, str]:
    """Register a participant and issue its first invitation; returns the participant and the raw token."""
    p = Participant(consultation_id=cid, label=data.label.strip(), org_type=data.org_type)
    s.add(p)
    s.flush()
    token = issue_invitation(s, p, timedelta(days=data.invitation_days), client)
    audit(s, "add_participant", cid, {"participant_id": p.id, "org_type": p.org_type}, client)
    return p, token


def _revoke_invitations(s: Session, participant_id: int, now: datetime) -> int:
    """Revoke the participant's unused invitations; returns how many."""
    done = s.execute(update(Invitation).where(Invitation.participant_id == participant_id,
                                              Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
                     .values(revoked_at=now))
    return int(done.rowcount or 0)


def issue_invitation(s: Session, p: Participant, ttl: timedelta = DEFAULT_INVITATION_TTL, client: str = "") -> str:
    """A new single-use invitation for ``p``, revoking its unused earlier ones (only one link works at a time,
    so a leaked or forwarded old link cannot be used to take over the participant); only the sha256 of the
    token is stored."""
    now = utcnow()
    revoked = _revoke_invitations(s, p.id, now)
    token = new_secret()
    s.add(Invitation(participant_id=p.id, token_hash=digest(token), created_at=now, expires_at=now + ttl))
    audit(s, "issue_invitation", p.consultation_id, {"participant_id": p.id, "expires_in_s": ttl.total_seconds(),
                                                     "revoked_invitations": revoked}, client)
    return token


def participant_of(s: Session, cid: int, pid: int) -> Participant:
    """Participant ``pid`` of consultation ``cid`` (404 otherwise)."""
    p = s.get(Participant, pid)
    if p is None or p.consultation_id != cid:
        raise NotFound(f"participant {pid} not found in consultation {cid}")
    return p


def revoke_access(s: Session, p: Participant, client: str = "") -> dict[str, int]:
    """Revoke every unused invitation and every live credential (browser sessions, API token) of ``p``.

    The participant's answers stay; a new invitation (:func:`issue_invitation`) lets them back in.
    """
    now = utcnow()
    invitations = _revoke_invitations(s, p.id, now)
    done = s.execute(update(Credential).where(Credential.participant_id == p.id, Credential.revoked.is_(False),
                                              Credential.expires_at > now).values(revoked=True))
    out = {"participant_id": p.id, "revoked_invitations": invitations, "revoked_credentials": int(done.rowcount or 0)}
    audit(s, "revoke_access", p.consultation_id, out, client)
    return out


def open_round(s: Session, cid: int, client: str = "") -> Round:
    """Open the next round (409 if one is open)."""
    if open_round_of(s, cid) is not None:
        raise Conflict("a round is already open; close it first")
    last = s.scalar(select(func.max(Round.number)).where(Round.consultation_id == cid)) or 0
    r = Round(consultation_id=cid, number=last + 1)
    s.add(r)
    s.flush()
    audit(s, "open_round", cid, {"round": r.number}, client)
    return r


def close_round(s: Session, cid: int, client: str = "") -> Round:
    r = open_round_of(s, cid)
    if r is None:
        raise Conflict("no round is open")
    r.closed_at = utcnow()
    audit(s, "close_round", cid, {"round": r.number}, client)
    return r


# --------------------------------------------------------------------------------------------- credentials
def usable_invitation(s: Session, token: str) -> Invitation | None:
    """The invitation of a link token if it can still be accepted (not used, revoked or expired)."""
    inv = s.scalar(select(Invitation).where(Invitation.token_hash == digest(token)))
    if inv is None or inv.used_at is not None or inv.revoked_at is not None or inv.expires_at <= utcnow():
        return None
    return inv


def accept_invitation(s: Session, token: str, client: str = "") -> tuple[Participant, str, str, str]:
    """Consume an invitation (atomically, once) and return (participant, session, csrf, api_token).

    The same message is given for an unknown, used, revoked or expired token, so the endpoint reveals
    nothing. The acceptance is recorded in the audit log (actor ``participant``).
    """
    now = utcnow()
    inv = usable_invitation(s, token)
    bad = Unauthorised("this invitation link is invalid, already used or expired")
    if inv is None:
        raise bad
    done = s.execute(update(Invitation).where(Invitation.id == inv.id, Invitation.used_at.is_(None),
                                              Invitation.revoked_at.is_(None)).values(used_at=now))
    if done.rowcount != 1:  # lost a race with a concurrent accept (or revocation) of the same link
        raise bad
    p = s.get(Participant, inv.participant_id)
    assert p is not None
    p.accepted_at = now
    _revoke_invitations(s, p.id, now)  # any other link of the participant is void from now on
    # one live API token per participant: a new invitation revokes the previous credentials
    s.execute(update(Credential).where(Credential.participant_id == p.id).values(revoked=True))
    audit(s, "accept_invitation", p.consultation_id, {"participant_id": p.id, "invitation_id": inv.id}, client,
          actor="participant")
    session, csrf, api = new_secret(), new_secret(), new_secret()
    s.add_all([
        Credential(token_hash=digest(session), kind="session", role="participant", participant_id=p.id, csrf_token=csrf,
                   expires_at=now + PARTICIPANT_TTL),
        Credential(token_hash=digest(api), kind="api", role="participant", participant_id=p.id,
                   expires_at=now + PARTICIPANT_TTL),
    ])
    return p, session, csrf, api


def facilitator_session(s: Session) -> tuple[str, str]:
    """Create a facilitator browser session; returns (session token, csrf token)."""
    session, csrf = new_secret(), new_secret()
    s.add(Credential(token_hash=digest(session), kind="session", role="facilitator", csrf_token=csrf,
                     expires_at=utcnow() + SESSION_TTL))
    return session, csrf


def principal_for(s: Session, token: str, kind: str) -> Principal | None:
    """Resolve a session cookie (``kind="session"``) or API bearer token (``kind="api"``)."""
    cred = s.scalar(select(Credential).where(Credential.token_hash == digest(token), Credential.kind == kind))
    if cred is None or cred.revoked or cred.expires_at <= utcnow():
        return None
    if cred.role == "facilitator":
        return Principal(role="facilitator", csrf=cred.csrf_token, credential_id=cred.id)
    p = s.get(Participant, cred.participant_id)
    if p is None:
        return None
    return Principal(role="participant", participant_id=p.id, consultation_id=p.consultation_id,
                     org_type=p.org_type, csrf=cred.csrf_token, credential_id=cred.id)


def revoke(s: Session, credential_id: int) -> None:
    s.execute(update(Credential).where(Credential.id == credential_id).values(revoked=True))


# --------------------------------------------------------------------------------------------- submissions
def _payload_hash(data: SubmissionIn) -> str:
    blob = json.dumps(data.model_dump(mode="json", exclude={"submission_id"}), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def find_submission(s: Session, who: Principal, data: SubmissionIn) -> dict[str, Any] | None:
    """The stored response of an earlier submission with the same key (409 if its payload differed)."""
    sub = s.scalar(select(Submission).where(Submission.participant_id == who.participant_id,
                                            Submission.key == str(data.submission_id)))
    if sub is None:
        return None
    if sub.payload_sha256 != _payload_hash(data):
        raise Conflict(f"submission_id {data.submission_id} was already used for a different submission")
    return {**json.loads(sub.response_json), "replayed": True}


def _upsert(s: Session, model: Any, rows: list[dict[str, Any]], keys: list[str], update_cols: list[str]) -> None:
    if not rows:
        return
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for start in range(0, len(rows), 500):
        stmt = insert(model).values(rows[start:start + 500])
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_cols})
        s.execute(stmt)


def submit(s: Session, who: Principal, cid: int, data: SubmissionIn) -> dict[str, Any]:
    """Store a submission idempotently: a replay of ``submission_id`` returns the stored response.

    Scores and comments overwrite the participant's earlier ones for the same round, theme and criterion
    (the latest answer counts); proposals are appended. All in the caller's transaction.
    """
    require_participant(who, cid)
    previous = find_submission(s, who, data)
    if previous is not None:
        return previous
    c = get_consultation(s, cid, who)
    r = open_round_of(s, cid)
    if r is None:
        raise Conflict("no round is open for submissions")
    if data.round is not None and data.round != r.number:
        raise Conflict(f"round {data.round} is not open (round {r.number} is)")
    theme_ids = set(s.scalars(select(Theme.id).where(Theme.consultation_id == cid)))
    criteria = set(criteria_of(c))
    seen: set[tuple[int, str]] = set()
    for i, sc in enumerate(data.scores):
        if sc.theme_id not in theme_ids:
            raise Invalid(f"scores[{i}].theme_id: {sc.theme_id} is not a theme of consultation {cid}")
        if sc.criterion not in criteria:
            raise Invalid(f"scores[{i}].criterion: {sc.criterion!r}; expected one of {sorted(criteria)}")
        if (sc.theme_id, sc.criterion) in seen:
            raise Invalid(f"scores[{i}]: theme {sc.theme_id} x {sc.criterion!r} given twice")
        seen.add((sc.theme_id, sc.criterion))
    seen_c: set[int] = set()
    for i, cm in enumerate(data.comments):
        if cm.theme_id not in theme_ids:
            raise Invalid(f"comments[{i}].theme_id: {cm.theme_id} is not a theme of consultation {cid}")
        if cm.theme_id in seen_c:
            raise Invalid(f"comments[{i}]: theme {cm.theme_id} commented twice")
        seen_c.add(cm.theme_id)
    now = utcnow()
    sub = Submission(participant_id=who.participant_id, round_id=r.id, key=str(data.submission_id),
                     payload_sha256=_payload_hash(data), response_json="{}", created_at=now)
    s.add(sub)
    s.flush()
    _upsert(s, Answer, [{"round_id": r.id, "participant_id": who.participant_id, "theme_id": sc.theme_id,
                         "criterion": sc.criterion, "score": sc.score, "submission_id": sub.id, "updated_at": now}
                        for sc in data.scores],
            ["round_id", "participant_id", "theme_id", "criterion"], ["score", "submission_id", "updated_at"])
    comments = [cm for cm in data.comments if cm.text.strip()]
    _upsert(s, Comment, [{"round_id": r.id, "participant_id": who.participant_id, "theme_id": cm.theme_id,
                          "text": cm.text.strip(), "submission_id": sub.id, "updated_at": now} for cm in comments],
            ["round_id", "participant_id", "theme_id"], ["text", "submission_id", "updated_at"])
    # an empty comment withdraws the participant's comment on that theme in this round
    withdraw = [cm.theme_id for cm in data.comments if not cm.text.strip()]
    withdrawn = 0
    if withdraw:
        gone = s.execute(delete(Comment).where(Comment.round_id == r.id, Comment.participant_id == who.participant_id,
                                               Comment.theme_id.in_(withdraw)))
        withdrawn = int(gone.rowcount or 0)
    s.add_all([ThemeProposal(consultation_id=cid, participant_id=who.participant_id, round_id=r.id,
                             name=pr.name.strip(), description=pr.description.strip(), submission_id=sub.id)
               for pr in data.proposals if pr.name.strip()])
    response = {"submission_id": str(data.submission_id), "consultation_id": cid, "round": r.number,
                "stored": {"scores": len(data.scores), "comments": len(comments), "comments_withdrawn": withdrawn,
                           "proposals": sum(1 for pr in data.proposals if pr.name.strip())},
                "accepted_at": now.isoformat() + "Z"}
    sub.response_json = json.dumps(response, sort_keys=True)
    return {**response, "replayed": False}


# --------------------------------------------------------------------------------------------- reading back
def my_answers(s: Session, who: Principal, cid: int, round_number: int) -> dict[str, Any]:
    """The calling participant's own scores and comments in one round."""
    require_participant(who, cid)
    r = s.scalar(select(Round).where(Round.consultation_id == cid, Round.number == round_number))
    if r is None:
        return {"round": round_number, "submitted": False, "scores": [], "comments": []}
    scores = s.execute(select(Answer.theme_id, Answer.criterion, Answer.score)
                       .where(Answer.round_id == r.id, Answer.participant_id == who.participant_id))
    comments = s.execute(select(Comment.theme_id, Comment.text)
                         .where(Comment.round_id == r.id, Comment.participant_id == who.participant_id))
    submitted = s.scalar(select(func.count()).select_from(Submission)
                         .where(Submission.round_id == r.id, Submission.participant_id == who.participant_id))
    return {"round": round_number, "submitted": bool(submitted),
            "scores": [{"theme_id": t, "criterion": c, "score": v} for t, c, v in scores],
            "comments": [{"theme_id": t, "text": x} for t, x in comments]}


def require_round(s: Session, cid: int, round_number: int) -> Round:
    """Round ``round_number`` of consultation ``cid`` (404 if it was never opened)."""
    r = s.scalar(select(Round).where(Round.consultation_id == cid, Round.number == round_number))
    if r is None:
        raise NotFound(f"round {round_number} not found in consultation {cid}")
    return r


def answers_frame(s: Session, cid: int, round_number: int | None = None) -> pd.DataFrame:
    """Individual answers (facilitator only): round, participant_id, org_type, theme_id, criterion, score.

    All rounds by default; a round that was never opened is a 404.
    """
    if round_number is not None:
        require_round(s, cid, round_number)
    q = (select(Round.number.label("round"), Answer.participant_id, Participant.org_type, Answer.theme_id,
                Answer.criterion, Answer.score)
         .join(Round, Round.id == Answer.round_id).join(Participant, Participant.id == Answer.participant_id)
         .where(Round.consultation_id == cid))
    if round_number is not None:
        q = q.where(Round.number == round_number)
    rows = s.execute(q.order_by(Round.number, Answer.participant_id, Answer.theme_id, Answer.criterion)).all()
    df = pd.DataFrame(rows, columns=["round", "participant_id", "org_type", "theme_id", "criterion", "score"])
    df["score"] = df["score"].astype("Int64")
    return df


def _themes_frame(s: Session, cid: int) -> pd.DataFrame:
    ts = themes_of(s, cid)
    return pd.DataFrame({"theme_id": [t.id for t in ts], "theme": [t.name for t in ts],
                         "codes": [t.codes for t in ts],
                         "data_score": np.array([np.nan if t.data_score is None else t.data_score for t in ts],
                                                dtype=float)})


def latest_round_with_answers(s: Session, cid: int) -> int | None:
    return s.scalar(select(func.max(Round.number)).join(Answer, Answer.round_id == Round.id)
                    .where(Round.consultation_id == cid))


def results(s: Session, cid: int, round_number: int | None = None) -> pd.DataFrame:
    """Per theme x criterion results of a round (default: the latest round with answers, else round 1), export
    columns. A round that was never opened is a 404 (an opened round without answers has rows with n = 0)."""
    c = s.get(Consultation, cid)
    if c is None:
        raise NotFound(f"consultation {cid} not found")
    if round_number is None:
        round_number = latest_round_with_answers(s, cid) or 1
        if s.scalar(select(func.count()).select_from(Round).where(Round.consultation_id == cid)) == 0:
            raise NotFound(f"consultation {cid} has no round yet; open one first")
    require_round(s, cid, round_number)
    answers = answers_frame(s, cid, round_number)
    out = summarise(answers, _themes_frame(s, cid), criteria_of(c))
    out.insert(0, "round", round_number)
    out.insert(0, "consultation_title", c.title)
    out.insert(0, "consultation_id", cid)
    return out[list(EXPORT_COLUMNS)]


def feedback(s: Session, who: Principal, cid: int, round_number: int, min_n: int = 3) -> dict[str, Any]:
    """Anonymised distribution of round ``round_number`` for Delphi feedback.

    Per theme x criterion: n, n_dont_know, median, q1, q3, iqr and counts of 1..5, withheld (``suppressed``)
    when fewer than ``min_n`` participants gave a score, so no participant can infer another's answer from a
    tiny group. Per theme: the comments in alphabetical order (no author, no time) and their keywords.
    """
    c = get_consultation(s, cid, who)
    r = require_round(s, cid, round_number)
    if r.closed_at is None and not who.is_facilitator:
        raise Forbidden(f"round {round_number} is still open; its distribution is shown once it closes")
    res = summarise(answers_frame(s, cid, round_number), _themes_frame(s, cid), criteria_of(c))
    comments = s.execute(select(Comment.theme_id, Comment.text).where(Comment.round_id == r.id)).all()
    by_theme: dict[int, list[str]] = {}
    for tid, text in comments:
        by_theme.setdefault(tid, []).append(text)
    themes: dict[int, dict[str, Any]] = {}
    for t in themes_of(s, cid):
        texts = sorted(by_theme.get(t.id, []), key=str.casefold)
        shown_texts = texts if len(texts) >= min_n or who.is_facilitator else []
        # keywords come only from the comments shown: those of a withheld theme would quote its few authors
        themes[t.id] = {"theme_id": t.id, "theme": t.name, "criteria": {}, "comments": shown_texts,
                        "comments_withheld": len(texts) - len(shown_texts),
                        "keywords": [{"word": w, "comments": k} for w, k in comment_keywords(shown_texts)]}
    for row in res.itertuples(index=False):
        entry: dict[str, Any] = {"n": int(row.n), "n_dont_know": int(row.n_dont_know)}
        if row.n >= min_n or who.is_facilitator:
            entry.update(suppressed=False, median=float(row.median), q1=float(row.q1), q3=float(row.q3),
                         iqr=float(row.iqr), counts=[int(getattr(row, f"count_{k}")) for k in range(1, 6)])
            if row.n == 0:
                entry.update(median=None, q1=None, q3=None, iqr=None)
        else:
            entry["suppressed"] = True
        themes[int(row.theme_id)]["criteria"][row.criterion] = entry
    return {"round": round_number, "min_n": min_n, "themes": list(themes.values())}


def proposals_of(s: Session, cid: int) -> list[dict[str, Any]]:
    rows = s.execute(select(ThemeProposal, Round.number, Participant.org_type)
                     .join(Round, Round.id == ThemeProposal.round_id)
                     .join(Participant, Participant.id == ThemeProposal.participant_id)
                     .where(ThemeProposal.consultation_id == cid).order_by(ThemeProposal.id)).all()
    return [{"id": p.id, "round": n, "org_type": o, "name": p.name, "description": p.description}
            for p, n, o in rows]


def participants_of(s: Session, cid: int) -> list[dict[str, Any]]:
    ps = s.scalars(select(Participant).where(Participant.consultation_id == cid).order_by(Participant.id))
    return [{"id": p.id, "label": p.label, "org_type": p.org_type,
             "accepted": p.accepted_at is not None} for p in ps]


def consultation_dict(s: Session, c: Consultation) -> dict[str, Any]:
    r = open_round_of(s, c.id)
    return {"id": c.id, "title": c.title, "description": c.description, "criteria": criteria_of(c),
            "source": c.source, "open_round": r.number if r else None,
            "rounds": [{"number": x.number, "opened_at": x.opened_at.isoformat() + "Z",
                        "closed_at": x.closed_at.isoformat() + "Z" if x.closed_at else None}
                       for x in rounds_of(s, c.id)],
            "themes": [{"id": t.id, "name": t.name, "description": t.description, "codes": t.codes}
                       for t in themes_of(s, c.id)]}


def same_secret_digest(given: str, expected_digest: str) -> bool:
    """Constant-time check of a presented secret against a stored sha256 digest."""
    from sia.app.security import same_secret

    return same_secret(given, expected_digest)


def same_secret_plain(given: str, expected: str) -> bool:
    from sia.app.security import same_secret_plain as _plain

    return _plain(given, expected)
