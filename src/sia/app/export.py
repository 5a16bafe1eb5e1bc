"""The consultation export consumed by ``sia audit`` (format documented in ``docs/consultation.md``).

CSV files are written spreadsheet-safe (OWASP, "CSV Injection"): a text cell beginning with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would be run as a formula by Excel, LibreOffice or Google Sheets
(``=HYPERLINK(...)`` exfiltrating the sheet, ``=cmd|...`` DDE), so it is written with a leading ``'``, which
spreadsheets show as a plain text marker. A cell that already begins with ``'`` gets one more, so the escape
is reversible: :func:`read_export` removes it again. Numbers are not text and are written as they are (a
negative divergence stays a number). Parquet files are written unchanged.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from sia.app.stats import EXPORT_COLUMNS
from sia.audit.consultation import ConsultationError, read_consultation_export

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_ESCAPED = (*FORMULA_START, ESCAPE)


class ExportError(ConsultationError):
    """A consultation export file is missing or does not have the documented columns."""


def _text_columns(df: pd.DataFrame) -> list[str]:
    """Columns holding text (a column of booleans or numbers in an object array is not text)."""
    return [c for c in df.columns if pd.api.types.infer_dtype(df[c], skipna=True) in ("string", "mixed")]


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot start a spreadsheet formula (see the module docstring)."""
    out = df.copy()
    for col in _text_columns(out):
        s = out[col]
        hit = s.str.startswith(_ESCAPED, na=False).to_numpy(dtype=bool)
        if hit.any():
            values = s.to_numpy(dtype=object, copy=True)
            values[hit] = ESCAPE + values[hit]
            out[col] = values
    return out


def csv_unescape(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`csv_safe` on a frame read back from CSV."""
    out = df.copy()
    for col in _text_columns(out):
        s = out[col]
        hit = (s.str.startswith(ESCAPE, na=False) & s.str[1:2].isin(_ESCAPED)).to_numpy(dtype=bool)
        if hit.any():
            values = s.to_numpy(dtype=object, copy=True)
            values[hit] = s[hit].str[1:].to_numpy(dtype=object)
            out[col] = values
    return out


def export_bytes(df: pd.DataFrame, fmt: str) -> tuple[bytes, str]:
    """Serialise a frame as spreadsheet-safe CSV (UTF-8) or Parquet; returns (bytes, media type)."""
    from sia.app.service import Invalid

    if fmt == "csv":
        return csv_safe(df).to_csv(index=False).encode("utf-8"), "text/csv; charset=utf-8"
    if fmt == "parquet":
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue(), "application/vnd.apache.parquet"
    raise Invalid(f"format {fmt[:20]!r}: expected 'csv' or 'parquet'")


def write_export(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a results frame to ``path``: Parquet if it ends in ``.parquet``, else spreadsheet-safe CSV."""
    path = Path(path)
    missing = [c for c in EXPORT_COLUMNS if c not in df.columns]
    if missing:
        raise ExportError(f"results frame lacks columns {missing}")
    if path.suffix.lower() == ".parquet":
        df.to_parquet(path, index=False)
    else:
        csv_safe(df).to_csv(path, index=False)
    return path


def read_export(path: str | Path) -> pd.DataFrame:
    """Read a consultation export (CSV or Parquet) and check its columns; CSV text cells are unescaped.

    Raises
    ------
    ExportError
        If the file is missing or a documented column is absent (the message names file and columns).
    """
    try:
        df = read_consultation_export(path, EXPORT_COLUMNS)
    except ConsultationError as exc:
        raise ExportError(str(exc)) from exc
    if Path(path).suffix.lower() != ".parquet":
        df = csv_unescape(df)
    return df[list(EXPORT_COLUMNS)]
