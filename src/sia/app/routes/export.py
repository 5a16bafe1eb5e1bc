"""Results as CSV (spreadsheet-safe) or Parquet: the file ``sia audit`` reads (``docs/consultation.md``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sia.app import service as svc
from sia.app.deps import ApiFacilitator, ConsultationId, Db, RoundQuery, WebFacilitator
from sia.app.export import export_bytes
from sia.app.service import Principal

api = APIRouter(prefix="/api", tags=["facilitator"])
pages = APIRouter(include_in_schema=False)


def export_response(db: Db, who: Principal, cid: int, fmt: str, round_number: int | None) -> Response:
    with db.transaction() as s:
        svc.get_consultation(s, cid, who)
        df = svc.results(s, cid, round_number)  # 404 for a round that was never opened
    body, media = export_bytes(df, fmt)
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="consultation-{cid}.{fmt}"'})


@api.get("/consultations/{cid}/export")
def api_export(cid: ConsultationId, who: ApiFacilitator, db: Db,
               format: Annotated[str, Query(pattern="^(csv|parquet)$")] = "csv",
               round: RoundQuery = None) -> Response:
    """One row per theme x criterion of a round (default: the latest with answers); columns as documented."""
    return export_response(db, who, cid, format, round)


@pages.get("/facilitator/c/{cid}/export.{fmt}")
def admin_export(cid: ConsultationId, fmt: str, who: WebFacilitator, db: Db, round: RoundQuery = None) -> Response:
    if fmt not in ("csv", "parquet"):
        raise svc.NotFound(f"no export format {fmt[:20]!r}; expected csv or parquet")
    return export_response(db, who, cid, fmt, round)


ROUTERS = (api, pages)
