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
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sia.app.models import (
    DEFAULT_CRITERIA,
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
class ScoreIn(BaseModel):
    theme_id: int = Field(ge=1)
    criterion: str = Field(min_length=1, max_length=40)
    score: int | None = Field(default=None, ge=1, le=5, description="1..5, or null for \"don't know\"")


class CommentIn(BaseModel):
    theme_id: int = Field(ge=1)
    text: str = Field(max_length=MAX_COMMENT)


class ProposalIn(BaseModel):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)


class SubmissionIn(BaseModel):
    """One submission. ``submission_id`` is a client-generated UUID: replaying it returns the stored result."""

    submission_id: uuid.UUID
    round: int | None = Field(default=None, ge=1, description="the open round the client answered; checked")
    scores: list[ScoreIn] = Field(default_factory=list, max_length=20_000)
    comments: list[CommentIn] = Field(default_factory=list, max_length=1_000)
    proposals: list[ProposalIn] = Field(default_factory=list, max_length=20)


class ThemeIn(BaseModel):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    codes: str = Field(default="", max_length=2000)
    data_score: float | None = None


class ConsultationIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    criteria: list[str] = Field(default_factory=lambda: list(DEFAULT_CRITERIA), min_length=1, max_length=MAX_CRITERIA)
    themes: list[ThemeIn] = Field(min_length=1, max_length=500)

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: list[str]) -> list[str]:
        import re

        out = [c.strip().lower() for c in value]
        for c in out:
            if not re.match(CRITERION_PATTERN, c):
                raise ValueError(f"criterion {c!r}: expected lower-case letters, digits or _ (at most 40)")
        if len(set(out)) != len(out):
            raise ValueError(f"criteria {out}: expected unique names")
        return out


class ParticipantIn(BaseModel):
    label: str = Field(min_length=1, max_length=200)
    org_type: str = Field(description="one of " + ", ".join(ORG_TYPES))
    invitation_days: float = Field(default=14.0, gt=0, le=90)

    @field_validator("org_type")
    @classmethod
    def _org(cls, value: str) -> str:
        if value not in ORG_TYPES:
            raise ValueError(f"org_type {value!r}: expected one of {list(ORG_TYPES)}")
        return value


# --------------------------------------------------------------------------------------------- helpers
def audit(s: Session, action: str, consultation_id: int | None, detail: dict[str, Any], client: str = "") -> None:
    """Append a facilitator action to the audit log (same transaction as the action)."""
    s.add(AuditLog(actor="facilitator", action=action, consultation_id=consultation_id,
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
    except ValueError as exc:
        raise ThemesError(str(exc)) from None


def add_participant(s: Session, cid: int, data: ParticipantIn, client: str = "") -> tuple[Participant, str]:
    """Register a participant and issue its first invitation; returns the participant and the raw token."""
    p = Participant(consultation_id=cid, label=data.label.strip(), org_type=data.org_type)
    s.add(p)
    s.flush()
    token = issue_invitation(s, p, timedelta(days=data.invitation_days), client)
    audit(s, "add_participant", cid, {"participant_id": p.id, "org_type": p.org_type}, client)
    return p, token


def issue_invitation(s: Session, p: Participant, ttl: timedelta = DEFAULT_INVITATION_TTL, client: str = "") -> str:
    """A new single-use invitation for ``p``; only the sha256 of the token is stored."""
    token = new_secret()
    s.add(Invitation(participant_id=p.id, token_hash=digest(token), expires_at=utcnow() + ttl))
    audit(s, "issue_invitation", p.consultation_id, {"participant_id": p.id, "expires_in_s": ttl.total_seconds()},
          client)
    return token


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
def accept_invitation(s: Session, token: str) -> tuple[Participant, str, str, str]:
    """Consume an invitation (atomically, once) and return (participant, session, csrf, api_token).

    The same message is given for an unknown, used or expired token, so the endpoint reveals nothing.
    """
    now = utcnow()
    inv = s.scalar(select(Invitation).where(Invitation.token_hash == digest(token)))
    bad = Unauthorised("this invitation link is invalid, already used or expired")
    if inv is None or inv.used_at is not None or inv.expires_at <= now:
        raise bad
    done = s.execute(update(Invitation).where(Invitation.id == inv.id, Invitation.used_at.is_(None))
                     .values(used_at=now))
    if done.rowcount != 1:  # lost a race with a concurrent accept of the same link
        raise bad
    p = s.get(Participant, inv.participant_id)
    assert p is not None
    p.accepted_at = now
    # one live API token per participant: a new invitation revokes the previous credentials
    s.execute(update(Credential).where(Credential.participant_id == p.id).values(revoked=True))
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
    s.add_all([ThemeProposal(consultation_id=cid, participant_id=who.participant_id, round_id=r.id,
                             name=pr.name.strip(), description=pr.description.strip(), submission_id=sub.id)
               for pr in data.proposals if pr.name.strip()])
    response = {"submission_id": str(data.submission_id), "consultation_id": cid, "round": r.number,
                "stored": {"scores": len(data.scores), "comments": len(comments),
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
        return {"round": round_number, "scores": [], "comments": []}
    scores = s.execute(select(Answer.theme_id, Answer.criterion, Answer.score)
                       .where(Answer.round_id == r.id, Answer.participant_id == who.participant_id))
    comments = s.execute(select(Comment.theme_id, Comment.text)
                         .where(Comment.round_id == r.id, Comment.participant_id == who.participant_id))
    return {"round": round_number,
            "scores": [{"theme_id": t, "criterion": c, "score": v} for t, c, v in scores],
            "comments": [{"theme_id": t, "text": x} for t, x in comments]}


def answers_frame(s: Session, cid: int, round_number: int | None = None) -> pd.DataFrame:
    """Individual answers (facilitator only): round, participant_id, org_type, theme_id, criterion, score."""
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
    """Per theme x criterion results of a round (default: the latest round with answers), export columns."""
    c = s.get(Consultation, cid)
    if c is None:
        raise NotFound(f"consultation {cid} not found")
    if round_number is None:
        round_number = latest_round_with_answers(s, cid) or 1
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
    r = s.scalar(select(Round).where(Round.consultation_id == cid, Round.number == round_number))
    if r is None:
        raise NotFound(f"round {round_number} not found")
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
        themes[t.id] = {"theme_id": t.id, "theme": t.name, "criteria": {},
                        "comments": texts if len(texts) >= min_n or who.is_facilitator else [],
                        "comments_withheld": 0 if len(texts) >= min_n or who.is_facilitator else len(texts),
                        "keywords": [{"word": w, "comments": k} for w, k in comment_keywords(texts)]}
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
