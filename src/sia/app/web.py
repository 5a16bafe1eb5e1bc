"""The FastAPI application: server-rendered pages for people and a JSON API under ``/api/`` for programs.

:func:`create_app` only assembles: settings, database, middleware, error handlers and the routers of
:mod:`sia.app.routes` (one per area). What a route needs - the database, the caller, the client address, the
rate limit, a size-capped and validated body - it declares as a dependency (:mod:`sia.app.deps`).

Roles and credentials
---------------------
* **facilitator**: ``Authorization: Bearer $SIA_ADMIN_TOKEN`` on the API; in the browser, log in at
  ``/login`` with the same token to get a session cookie.
* **participant**: follows a single-use invitation link ``/invite/<token>``; accepting it (a POST, so link
  previews do not consume it) creates a browser session and a personal API token (shown once), and revokes
  any earlier credentials of that participant. Issuing a new link revokes the participant's unused ones; the
  facilitator can revoke a participant's links and credentials. ``POST /api/invitations/accept`` does the same
  for programs.

Every endpoint resolves the caller first and then checks role and consultation membership; a participant
asking for another consultation gets 404 (not 403) so consultations cannot be enumerated. The caller is
resolved before the request body is read.

CSRF: the API takes bearer tokens only (never cookies), so it needs no CSRF defence. Every HTML form post
carries ``csrf_token``: for a logged-in browser it must equal the secret stored with the session
(synchronizer token); before log-in (log-in and invitation forms) it must equal the ``sia_csrf`` cookie
(double submit). Cookies are HttpOnly and SameSite=Strict, and a cross-origin ``Origin`` header is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sia.app import errors
from sia.app.db import Database, make_engine, migrate
from sia.app.deps import Settings, TooManyRequests, body_schemas
from sia.app.export import export_bytes
from sia.app.limits import DEFAULT_MAX_BODY, BodyLimit, ClientAddress, parse_trusted_proxies
from sia.app.models import ORG_TYPES
from sia.app.routes import ROUTERS
from sia.app.security import SecurityHeaders, TokenBucket, digest

TEMPLATES = Path(__file__).with_name("templates")

__all__ = ["TooManyRequests", "create_app", "export_bytes"]


def _max_body(value: int | None) -> int:
    if value is None:
        text = os.environ.get("SIA_MAX_BODY_BYTES", "").strip()
        if not text:
            return DEFAULT_MAX_BODY
        if not re.fullmatch(r"[0-9]{1,12}", text):
            raise ValueError(f"SIA_MAX_BODY_BYTES={text[:30]!r}: expected a whole number of bytes")
        value = int(text)
    if value < 1024:
        raise ValueError(f"max_body_bytes {value}: expected at least 1024")
    return value


def create_app(
    database_url: str,
    admin_token: str | None = None,
    *,
    rate_limit: tuple[float, float] = (20.0, 0.5),
    feedback_min_n: int = 3,
    run_migrations: bool = True,
    max_body_bytes: int | None = None,
    trusted_proxies: Sequence[str] | None = None,
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
    max_body_bytes
        Largest request body accepted (413 beyond it, refused before it is read); default
        ``$SIA_MAX_BODY_BYTES`` or 4 MiB. Log-in, invitation and facilitator action end points take at most
        64 KiB whatever this says.
    trusted_proxies
        Addresses or networks of reverse proxies whose ``X-Forwarded-For`` names the client (for the rate
        limit and the audit log); default ``$SIA_TRUSTED_PROXIES`` (comma-separated), else none: the header
        is ignored.
    """
    admin_token = admin_token if admin_token is not None else os.environ.get("SIA_ADMIN_TOKEN")
    if admin_token is not None and len(admin_token) < 16:
        raise ValueError("admin token: expected at least 16 characters")
    if trusted_proxies is None:
        trusted_proxies = parse_trusted_proxies(os.environ.get("SIA_TRUSTED_PROXIES", ""))
    max_body = _max_body(max_body_bytes)
    templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True))
    templates.globals["org_types"] = ORG_TYPES
    settings = Settings(admin_digest=digest(admin_token) if admin_token else None, feedback_min_n=feedback_min_n,
                        max_body_bytes=max_body, limiter=TokenBucket(*rate_limit),
                        client_address=ClientAddress(trusted_proxies), templates=templates)
    engine = make_engine(database_url)
    if run_migrations:
        migrate(engine)

    app = FastAPI(title="sia consultation", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description="Stakeholder consultation (entrepreneurial discovery process) for `sia` audits.")
    app.add_middleware(BodyLimit, max_bytes=max_body)
    app.add_middleware(SecurityHeaders)  # outermost: every response, a 413 included, carries the headers
    app.state.settings = settings
    app.state.db = Database(engine)
    app.state.engine = engine
    app.state.limiter = settings.limiter
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        # request bodies are read by dependencies (after the caller is known), so FastAPI does not see them;
        # their schemas come from deps.openapi_body
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(body_schemas())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
