"""The consultation export consumed by ``sia audit`` (format documented in ``docs/consultation.md``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sia.app.stats import EXPORT_COLUMNS
from sia.audit.consultation import ConsultationError, read_consultation_export


class ExportError(ConsultationError):
    """A consultation export file is missing or does not have the documented columns."""


def write_export(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a results frame to ``path``: Parquet if it ends in ``.parquet``, else CSV."""
    path = Path(path)
    missing = [c for c in EXPORT_COLUMNS if c not in df.columns]
    if missing:
        raise ExportError(f"results frame lacks columns {missing}")
    if path.suffix.lower() == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return path


def read_export(path: str | Path) -> pd.DataFrame:
    """Read a consultation export (CSV or Parquet) and check its columns.

    Raises
    ------
    ExportError
        If the file is missing or a documented column is absent (the message names file and columns).
    """
    try:
        df = read_consultation_export(path, EXPORT_COLUMNS)
    except ConsultationError as exc:
        raise ExportError(str(exc)) from exc
    return df[list(EXPORT_COLUMNS)]
