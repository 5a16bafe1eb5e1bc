"""Loader for one-indicator regional tables (the Nesta BEIS R&I place indicators layout).

Each file has four columns: ``year``, an area id (``nuts_id`` or ``lep_id``), the boundary
vintage the value was mapped to (``nuts_year_spec`` / ``lep_year_spec``) and the indicator. The
panel has a single activity ``_all``; the boundary vintage of each row is kept in the provenance
notes (values mapped to different vintages in different years are counted there).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sia.panel import Panel, Status
from sia.sources._common import make_provenance, read_csv_text
from sia.sources.errors import LoadError, LoadReport

ID_COLUMNS = ("nuts_id", "lep_id")


def is_indicator_layout(header: list[str]) -> bool:
    return len(header) == 4 and header[0] == "year" and header[1] in ID_COLUMNS and header[2].endswith("_year_spec")


def load_indicator(path: str | Path, *, unit: str = "") -> Panel:
    """Load a one-indicator table; blank values are missing, anything else non-numeric is an error."""
    path = Path(path)
    frame, _ = read_csv_text(path)
    header = list(frame.columns)
    if not is_indicator_layout(header):
        raise LoadError(path, 1, "", ",".join(header), "columns year, nuts_id|lep_id, *_year_spec, <indicator>")
    if frame.empty:
        raise LoadError(path, 0, "", "a header and no data rows", "at least one data row after the header")
    id_col, spec_col, value_col = header[1], header[2], header[3]
    values = pd.to_numeric(frame[value_col].replace("", np.nan), errors="coerce")
    bad = frame[value_col].ne("") & values.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise LoadError(path, i + 2, value_col, frame[value_col].iloc[i], "a number or an empty cell")
    years = pd.to_numeric(frame["year"], errors="coerce")
    if years.isna().any():
        i = int(np.flatnonzero(years.isna().to_numpy())[0])
        raise LoadError(path, i + 2, "year", frame["year"].iloc[i], "a year")
    if (values < 0).any():
        i = int(np.flatnonzero((values < 0).to_numpy())[0])
        raise LoadError(path, i + 2, value_col, frame[value_col].iloc[i], "a non-negative amount")
    dup = frame.duplicated(["year", id_col], keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise LoadError(path, i + 2, id_col, frame[id_col].iloc[i], "one row per year and area")
    specs = frame.groupby(spec_col).size()
    report = LoadReport(read=len(frame), loaded=len(frame), set_aside=0)
    notes = ["boundary vintages: " + ", ".join(f"{k or '(blank)'}: {v} rows" for k, v in specs.items())]
    prov = make_provenance(path, table=value_col, loader="sia.sources.indicators", report=report, notes=notes,
                           licence="Nesta BEIS R&I indicators (MIT code; underlying data OGL / source terms)")
    tidy = pd.DataFrame(
        {
            "area": frame[id_col],
            "activity": "_all",
            "year": years.astype(int),
            "value": values,
            "status": np.where(values.isna(), Status.MISSING.label, Status.OBSERVED.label),
        }
    )
    return Panel.from_frame(tidy, measure=value_col, unit=unit, provenance=[prov])
