"""Stakeholder consultation (the entrepreneurial discovery process) for `sia` audits.

``create_app(database_url, admin_token=None)`` builds the FastAPI application (see :mod:`sia.app.web`);
``load_themes`` reads the candidate themes (:mod:`sia.app.themes`); ``summarise`` and ``EXPORT_COLUMNS``
define the results a consultation hands to ``sia audit`` (:mod:`sia.app.stats`, ``docs/consultation.md``).
FastAPI, SQLAlchemy and Alembic are imported only when the app is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sia.app.themes import ThemesError, ThemeSpec, ThemeTable, load_themes

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["ThemeSpec", "ThemeTable", "ThemesError", "create_app", "load_themes", "read_export"]


def create_app(database_url: str, admin_token: str | None = None, **kwargs: Any) -> FastAPI:
    """Build the consultation app; see :func:`sia.app.web.create_app`."""
    from sia.app.web import create_app as _create

    return _create(database_url, admin_token, **kwargs)


def read_export(path: str) -> Any:
    """Read and check a consultation export; see :func:`sia.app.export.read_export`."""
    from sia.app.export import read_export as _read

    return _read(path)
