"""The consultation app's routes, one module per area, each exposing its ``APIRouter``\\s in ``ROUTERS``.

* :mod:`.health` - ``/api/health``
* :mod:`.session` - home, facilitator log-in and log-out pages
* :mod:`.consultation` - what facilitator and participants both read (list, details, Delphi feedback)
* :mod:`.participant` - accepting invitations, answering (API and pages)
* :mod:`.facilitator` - creating consultations, inviting and revoking participants, rounds, results, audit log
* :mod:`.export` - results as CSV or Parquet (API and the facilitator page's links)

Callers, limits, bodies and the database come in through the dependencies of :mod:`sia.app.deps`.
"""

from __future__ import annotations

from fastapi import APIRouter

from sia.app.routes import consultation, export, facilitator, health, participant, session

ROUTERS: tuple[APIRouter, ...] = (
    *health.ROUTERS, *session.ROUTERS, *consultation.ROUTERS, *participant.ROUTERS, *facilitator.ROUTERS,
    *export.ROUTERS,
)
