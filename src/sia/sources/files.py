"""Generic CSV / Parquet / XLSX tables, long or wide, read through a column mapping.

The mapping (:class:`ColumnMapping`, a pydantic model, so a mapping can come from a JSON or
TOML file) says which column is the area, the activity, the year and the value:

* ``layout="long"``: one row per cell, a ``value`` column.
* ``layout="wide"``: ``wide_over="year"`` (columns ``2019, 2020, ...`` hold the values) or
  ``wide_over="activity"`` (one column per activity code). ``value_columns`` lists them
  (default: every column the mapping does not name). Wide rows are melted before
  validation; a bad cell is reported at its row's line and its own column.

Either ``year`` (a column) or ``year_value`` (a constant) gives the year unless the table is
wide over years. ``extra`` columns become extra panel dimensions. Validation: the header
must contain every mapped column; values must be numbers or markers (``nonnegative=True``
also rejects negatives); ``areas``/``activities`` (allowed codes, optional) reject unknown
codes; keys must be unique. Lines: the header is line 1 (``header_row`` shifts it for XLSX
or CSV with a preamble); for Parquet, the 1-based row number plus one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from sia.panel import Panel
from sia.sources._common import make_provenance, panel_from_columns
from sia.sources.errors import LoadError, RowChecker, check_header


class ColumnMapping(BaseModel):
    """How the columns of a table map onto a panel."""

    measure: str = Field(description="name of the measure, e.g. 'employment'")
    unit: str = ""
    layout: Literal["long", "wide"] = "long"
    wide_over: Literal["year", "activity"] | None = None
    area: str = Field(description="column of area codes")
    activity: str | None = Field(default=None, description="column of activity codes (long, or wide over year)")
    year: str | None = Field(default=None, description="column of years")
    year_value: int | None = Field(default=None, description="the year of every row when there is no year column")
    value: str | None = Field(default=None, description="column of values (long layout)")
    value_columns: list[str] | None = None
    area_name: str | None = None
    activity_name: str | None = None
    level: str | None = Field(default=None, description="column of area levels")
    area_level: str | None = Field(default=None, description="the level of every area when there is no column")
    extra: list[str] = Field(default_factory=list)
    nonnegative: bool = False
    areas: list[str] | None = None
    activities: list[str] | None = None
    sheet: str | int = 0
    header_row: int = Field(default=1, ge=1, description="1-based line of the header")

    @model_validator(mode="after")
    def _consistent(self) -> ColumnMapping:
        if self.layout == "long":
            if not self.value or not self.activity:
                raise ValueError("a long layout needs 'value' and 'activity' columns")
            if self.year is None and self.year_value is None:
                raise ValueError("give 'year' (a column) or 'year_value' (a constant)")
        else:
            if self.wide_over is None:
                raise ValueError("a wide layout needs wide_over='year' or 'activity'")
            if self.wide_over == "year" and not self.activity:
                raise ValueError("a table wide over years needs an 'activity' column")
            if self.wide_over == "activity" and self.year is None and self.year_value is None:
                raise ValueError("a table wide over activities needs 'year' or 'year_value'")
        return self

    def named_columns(self) -> list[str]:
        cols = [self.area, self.activity, self.year, self.value, self.area_name, self.activity_name, self.level,
                *self.extra]
        return [c for c in cols if c]


def read_table(path: Path, mapping: ColumnMapping) -> pd.DataFrame:
    """Read a CSV/Parquet/XLSX as text cells, header on ``mapping.header_row``."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    skip = mapping.header_row - 1
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype("string").astype(object).where(frame.notna(), "")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = pd.read_excel(path, sheet_name=mapping.sheet, dtype=str, skiprows=skip, keep_default_na=False,
                              na_filter=False)
        return frame
    if suffixes.endswith(".csv") or suffixes.endswith(".csv.gz") or suffixes.endswith(".txt"):
        from sia.sources._common import read_csv_text

        if skip:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, skiprows=skip)
        else:
            frame, _ = read_csv_text(path)
        return frame
    raise LoadError(path, 0, "", path.suffix, "a .csv, .csv.gz, .parquet or .xlsx file")


def load_table(path: str | Path, mapping: ColumnMapping | dict, *, quarantine: str | Path | None = None) -> Panel:
    """Load a generic table through ``mapping``; see the module docstring."""
    path = Path(path)
    if isinstance(mapping, dict):
        mapping = ColumnMapping.model_validate(mapping)
    raw = read_table(path, mapping)
    raw.columns = [str(c).strip() for c in raw.columns]
    check_header(path, list(raw.columns), mapping.named_columns(), "mapped")
    first_line = mapping.header_row + 1
    lines = np.arange(first_line, first_line + len(raw), dtype=np.int64)
    if mapping.layout == "wide":
        value_cols = mapping.value_columns or [c for c in raw.columns if c not in mapping.named_columns()]
        check_header(path, list(raw.columns), value_cols, "wide")
        if not value_cols:
            raise LoadError(path, mapping.header_row, "", list(raw.columns), "at least one value column")
        if mapping.wide_over == "year":
            bad = [c for c in value_cols if not (c.isdigit() and len(c) == 4)]
            if bad:
                raise LoadError(path, mapping.header_row, bad[0], bad[0], "a year (4 digits) as a value column name")
        ids = mapping.named_columns()
        n = len(raw)
        long = raw.loc[np.tile(np.arange(n), len(value_cols)), ids].reset_index(drop=True)
        long["_variable"] = np.repeat(np.asarray(value_cols, dtype=object), n)
        long["_value"] = np.concatenate([raw[c].to_numpy(dtype=object) for c in value_cols])
        lines = np.tile(lines, len(value_cols))
        raw = long
        value_col = "_value"
    else:
        value_col = mapping.value or ""
    chk = RowChecker(raw, path, lines)
    if value_col == "_value":
        # report a bad wide cell under its own column name
        col_names = raw["_variable"].to_numpy(dtype=object)
        value, status = chk.numbers("_value", nonnegative=mapping.nonnegative)
        chk.column = np.where(chk.column == "_value", col_names, chk.column)
    else:
        value, status = chk.numbers(value_col, nonnegative=mapping.nonnegative)
    area = raw[mapping.area].str.strip()
    if mapping.wide_over == "activity":
        activity = raw["_variable"].astype(str).str.strip()
        act_col = "_variable"
    else:
        activity = raw[mapping.activity].str.strip()
        act_col = mapping.activity or ""
    if mapping.wide_over == "year":
        year = raw["_variable"].astype(np.int64).to_numpy()
    elif mapping.year is not None:
        year = chk.integers(mapping.year, lo=1000, hi=9999, what="a year")
    else:
        year = np.full(len(raw), mapping.year_value, dtype=np.int64)
    chk.flag((area == "").to_numpy(), mapping.area, raw[mapping.area], "an area code (empty cell)")
    if mapping.areas is not None:
        chk.known(mapping.area, area, mapping.areas, "one of the mapping's area codes")
    chk.flag((activity == "").to_numpy(), act_col, raw[act_col], "an activity code (empty cell)")
    if mapping.activities is not None:
        chk.known(act_col, activity, mapping.activities, "one of the mapping's activity codes")
    extra = {c: raw[c].str.strip() for c in mapping.extra}
    keys = pd.DataFrame({"area": area, "activity": activity, "year": year, **extra})
    chk.unique(keys, ", ".join(c for c in [mapping.area, mapping.activity or "activity column",
                                            mapping.year or "year", *mapping.extra]))
    report = chk.resolve(quarantine)
    ok = chk.ok
    level: np.ndarray | str | None = mapping.area_level
    if mapping.level:
        level = raw[mapping.level].str.strip()[ok].to_numpy(dtype=object)
    prov = make_provenance(path, table=path.name, query=mapping.model_dump_json(exclude_none=True),
                           loader="sia.sources.files", report=report)
    return panel_from_columns(
        area=area[ok], activity=activity[ok], year=year[ok], value=value[ok], status=status[ok],
        measure=mapping.measure, unit=mapping.unit, provenance=prov,
        area_name=raw[mapping.area_name].str.strip()[ok] if mapping.area_name else None,
        activity_name=raw[mapping.activity_name].str.strip()[ok] if mapping.activity_name else None,
        level=level, extra={k: v[ok] for k, v in extra.items()},
    )
