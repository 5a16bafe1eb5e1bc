"""SQLAlchemy 2.x models of the stakeholder consultation (entrepreneurial discovery process).

The schema is created and upgraded only through the Alembic migrations shipped in
``sia/app/migrations`` (:func:`sia.app.db.migrate`); these classes must stay in step with them
(``tests/test_app_core.py`` checks that the migrated schema matches the metadata).

All timestamps are naive UTC (``datetime.now(UTC).replace(tzinfo=None)``) so that SQLite and PostgreSQL
store and compare them identically.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ORG_TYPES: dict[str, str] = {
    "business": "Business",
    "university": "University",
    "lep": "Local Enterprise Partnership (LEP)",
    "local_authority": "Local authority",
    "science_park": "Science park",
    "catapult": "Catapult centre",
    "network_organisation": "Network organisation",
}
"""Organisation types a participant is tagged with (key -> label), as named in the Midlands Engine SIA."""

DEFAULT_CRITERIA: tuple[str, ...] = ("strength", "opportunity", "readiness")

MAX_ID = 2**31 - 1
"""The largest id an ``Integer`` column holds on every backend (PostgreSQL ``integer`` is 32-bit); ids taken
from requests are bounded by it so that an out-of-range id is a 422, not a database error."""


def utcnow() -> datetime:
    """Naive UTC now (see the module docstring)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Consultation(Base):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    criteria_json: Mapped[str] = mapped_column(Text)  # JSON list of criterion names, in order
    source: Mapped[str] = mapped_column(String(500), default="")  # file the themes came from
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Theme(Base):
    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("consultation_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    codes: Mapped[str] = mapped_column(String(2000), default="")
    data_score: Mapped[float | None] = mapped_column(Float, nullable=True)


class Round(Base):
    __tablename__ = "round"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Participant(Base):
    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))  # seen by the facilitator only
    org_type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Invitation(Base):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the URL token
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # set when a newer invitation is issued for the participant or the facilitator revokes access
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Credential(Base):
    """A login: a browser session (cookie) or a participant API token, stored as sha256 of the secret."""

    __tablename__ = "credential"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "session" or "api"
    role: Mapped[str] = mapped_column(String(12))  # "facilitator" or "participant"
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), nullable=True, index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Submission(Base):
    """One idempotent submission: the client's key, a hash of its payload and the stored response."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("participant_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(36))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    response_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Answer(Base):
    """A participant's latest score of one theme on one criterion in one round (NULL score = "don't know")."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id", "theme_id", "criterion"),
        Index("ix_answer_round_theme", "round_id", "theme_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(40))
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Comment(Base):
    """A participant's latest comment on one theme in one round."""

    __tablename__ = "comment"
    __table_args__ = (UniqueConstraint("round_id", "participant_id", "theme_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ThemeProposal(Base):
    """A missing theme proposed by a participant (reviewed by the facilitator)."""

    __tablename__ = "theme_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditLog(Base):
    """Append-only log of facilitator actions and of participants' acceptances of invitations (``actor``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    consultation_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
    client: Mapped[str] = mapped_column(String(64), default="")
