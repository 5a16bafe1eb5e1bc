"""What the facilitator and participants both read: the consultations they may see and Delphi feedback.

A participant sees only their own consultation; another id is a 404, so consultations cannot be enumerated.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from sia.app import service as svc
from sia.app.deps import ApiCaller, ConsultationId, Db, SettingsDep
from sia.app.models import Consultation

api = APIRouter(prefix="/api/consultations", tags=["consultation"])


@api.get("")
def api_list(who: ApiCaller, db: Db) -> list[dict[str, Any]]:
    q = select(Consultation).order_by(Consultation.id)
    if not who.is_facilitator:
        q = q.where(Consultation.id == who.consultation_id)
    with db.transaction() as s:
        return [{"id": c.id, "title": c.title} for c in s.scalars(q)]


@api.get("/{cid}")
def api_get(cid: ConsultationId, who: ApiCaller, db: Db) -> dict[str, Any]:
    with db.transaction() as s:
        return svc.consultation_dict(s, svc.get_consultation(s, cid, who))


@api.get("/{cid}/feedback")
def api_feedback(cid: ConsultationId, who: ApiCaller, db: Db, settings: SettingsDep,
                 round: Annotated[int, Query(ge=1, le=1000)] = 1) -> dict[str, Any]:
    """Anonymised distribution of a closed round (Delphi feedback)."""
    with db.transaction() as s:
        return svc.feedback(s, who, cid, round, settings.feedback_min_n)


ROUTERS = (api,)
