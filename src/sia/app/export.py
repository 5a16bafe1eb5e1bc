"""The consultation export consumed by ``sia audit`` (format documented in ``docs/consultation.md``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sia.app.stats import EXPORT_COLUMNS


class ExportError(ValueError):
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
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"{path}: no such consultation export")
    df = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    missing = [c for c in EXPORT_COLUMNS if c not in df.columns]
    if missing:
        raise ExportError(f"{path}: missing column(s) {missing}; expected the columns {list(EXPORT_COLUMNS)}")
    return df[list(EXPORT_COLUMNS)]
