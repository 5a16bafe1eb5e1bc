"""``/api/health``: the server answers and its database takes a transaction."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from sia.app.deps import Db

api = APIRouter(prefix="/api", tags=["meta"])


@api.get("/health")
def health(db: Db) -> dict[str, str]:
    with db.transaction() as s:
        s.execute(select(1))
    return {"status": "ok"}


ROUTERS = (api,)
