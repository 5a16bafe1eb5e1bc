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
codes; keys must be unique; ``counts=True`` makes the values counts (non-negative integers of
plausible size, :data:`~sia.sources.errors.MAX_COUNT`). Lines: the header is line 1
(``header_row`` shifts it for XLSX or CSV with a preamble); for Parquet, the 1-based row number
plus one.

The **tidy** layout needs no mapping: it is the panel's own CSV (what :meth:`Panel.to_frame`
gives and ``sia aggregate -o OUT.csv`` writes), ``area, activity, year, value`` and optionally
``measure`` (one per file), ``status`` (labels), ``area_name``, ``level``, ``activity_name`` and
``n_suppressed``; every other column is an extra dimension, as in the panel's Parquet
(:func:`load_tidy`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from sia.panel import Panel, Status
from sia.sources._common import check_file, check_unique_columns, make_provenance, panel_from_columns
from sia.sources.errors import PUBLISHED_MEASURE, Coded, LoadError, RowChecker, check_header

#: columns of the tidy layout that are not extra dimensions (:data:`sia.panel.TIDY_COLUMNS` + n_suppressed)
TIDY_REQUIRED = ("area", "activity", "year", "value")
TIDY_KNOWN = ("area", "area_name", "level", "activity", "activity_name", "year", "measure", "value", "status",
              "n_suppressed")


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
    counts: bool = Field(default=False, description="values are counts: non-negative integers of plausible size")
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
    return read_text_table(path, sheet=mapping.sheet, header_row=mapping.header_row)


def read_text_table(path: str | Path, *, sheet: str | int = 0, header_row: int = 1) -> pd.DataFrame:
    """Read a CSV/Parquet/XLSX as text cells (``""`` for an empty cell), header on line ``header_row``.

    A directory, an empty or unreadable file, or repeated column names is one :class:`LoadError`
    line (a header without data rows is found by the loader's :class:`RowChecker`).
    """
    path = check_file(path)
    suffixes = "".join(path.suffixes[-2:]).lower()
    skip = header_row - 1
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            check_unique_columns(path, pq.read_schema(path).names)
            table = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise LoadError(path, 0, "", f"an unreadable Parquet file ({detail})", "a Parquet file") from None
        frame = table.to_pandas()
        frame = frame.astype("string").astype(object).where(frame.notna(), "")
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        import zipfile

        try:
            cells = pd.read_excel(path, sheet_name=sheet, dtype=str, header=None, skiprows=skip,
                                  keep_default_na=False, na_filter=False)
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise LoadError(path, 0, "", f"an unreadable Excel workbook ({exc})", "an .xlsx file") from None
        except ValueError as exc:  # a sheet the workbook does not have
            raise LoadError(path, 0, "sheet", sheet, f"a sheet of the workbook ({exc})") from None
        if cells.empty:
            raise LoadError(path, 0, "", "an empty sheet", "a header line and at least one data row")
        header = [str(h).strip() if str(h) != "nan" else "" for h in cells.iloc[0].tolist()]
        check_unique_columns(path, header, line=header_row)
        frame = cells.iloc[1:].reset_index(drop=True)
        frame.columns = header
    elif suffixes.endswith(".csv") or suffixes.endswith(".csv.gz") or suffixes.endswith(".txt"):
        from sia.sources._common import read_csv_text

        frame, _ = read_csv_text(path, skiprows=skip)
    else:
        raise LoadError(path, 0, "", path.suffix, "a .csv, .csv.gz, .parquet or .xlsx file")
    return frame


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
        value, status = chk.numbers("_value", nonnegative=mapping.nonnegative or mapping.counts,
                                    integer=mapping.counts)
        chk.column = np.where(chk.column == "_value", col_names, chk.column)
    else:
        value, status = chk.numbers(value_col, nonnegative=mapping.nonnegative or mapping.counts,
                                    integer=mapping.counts)
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


def is_tidy_layout(columns: list[str]) -> bool:
    """Whether a header is the tidy layout (it has ``area, activity, year, value``)."""
    return all(c in columns for c in TIDY_REQUIRED)


STATUS_LABELS = tuple(s.label for s in Status)


def load_tidy(path: str | Path, *, measure: str | None = None, unit: str = "",
              quarantine: str | Path | None = None) -> Panel:
    """Load a tidy table (the panel's own CSV or Parquet) without a mapping; see the module docstring.

    Parameters
    ----------
    path
        CSV (plain or gzip) or Parquet with at least ``area, activity, year, value``.
    measure
        Name of the panel's measure (default: the file's ``measure`` column, else ``"value"``).
    unit
        Unit of the measure (the tidy CSV does not carry it).
    quarantine
        CSV that receives rows failing validation (else the first one raises ``LoadError``).

    Notes
    -----
    Checks, each vectorised over the distinct cell texts: ``value`` a number or a marker of a
    suppressed cell; ``status`` (if present) one of the status labels, and a number wherever it is
    observed, rounded, estimated or incomplete; ``year`` a year; ``area`` and ``activity`` not
    empty; ``measure`` the same on every row (one panel holds one measure); ``n_suppressed`` a
    non-negative integer; one row per key. Keys absent from the file are missing cells.
    """
    path = Path(path)
    raw = read_text_table(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    columns = list(raw.columns)
    check_header(path, columns, TIDY_REQUIRED, "tidy")
    extra_dims = [c for c in columns if c not in TIDY_KNOWN]
    chk = RowChecker(raw, path)
    value, status = chk.numbers("value")
    notes: list[str] = []
    if "status" in columns:
        st = Coded.of(raw["status"]).map(lambda u: u.str.strip().str.lower())
        chk.flag(~st.mask(lambda u: u.isin(list(STATUS_LABELS))), "status", raw["status"],
                 f"a status ({', '.join(STATUS_LABELS)})")
        codes = {label: int(Status[label.upper()]) for label in STATUS_LABELS}
        status = st.lookup(lambda u: u.map(codes).fillna(0).to_numpy(dtype=np.uint8)).astype(np.uint8)
        needs_number = status < Status.SUPPRESSED
        for code in np.unique(status[needs_number & np.isnan(value) & chk.ok]):
            label = Status(int(code)).label
            chk.flag(needs_number & np.isnan(value) & (status == code), "value", raw["value"],
                     f"a number (status {label!r} needs one)")
    file_measure = None
    if "measure" in columns:
        m = Coded.of(raw["measure"]).map(lambda u: u.str.strip())
        first = m.uniques.iloc[m.codes[0]]
        chk.flag(m.mask(lambda u: u != first), "measure", raw["measure"],
                 f"the file's one measure {first!r} (that of line 2: one panel holds one measure)")
        file_measure = str(first)
    year = chk.integers("year", lo=1000, hi=9999, what="a year")
    area = Coded.of(raw["area"]).map(lambda u: u.str.strip())
    activity = Coded.of(raw["activity"]).map(lambda u: u.str.strip())
    chk.flag(area.mask(lambda u: u == ""), "area", raw["area"], "an area code (empty cell)")
    chk.flag(activity.mask(lambda u: u == ""), "activity", raw["activity"], "an activity code (empty cell)")
    extra = {c: Coded.of(raw[c]).map(lambda u: u.str.strip()) for c in extra_dims}
    n_suppressed = None
    if "n_suppressed" in columns:
        n_suppressed = chk.integers("n_suppressed", lo=0, what="a count of suppressed contributors")
    chk.unique({"area": area, "activity": activity, "year": year, **extra},
               ", ".join(["area", "activity", "year", *extra_dims]))
    report = chk.resolve(quarantine)
    ok = chk.ok
    name = measure or file_measure or "value"
    if measure and file_measure and measure != file_measure:
        notes.append(f"measure {file_measure!r} of the file named {measure!r}")
    if file_measure is None and not measure:
        notes.append("no measure column: the measure is named 'value'")
    if file_measure is not None:
        notes.append(f"{PUBLISHED_MEASURE}{file_measure}")
    prov = make_provenance(path, table=f"tidy panel table ({file_measure or name})", query="layout tidy",
                           loader="sia.sources.files", report=report, notes=notes)

    def text(col: str) -> Coded | None:
        return Coded.of(raw[col]).map(lambda u: u.str.strip())[ok] if col in columns else None

    panel = panel_from_columns(
        area=area[ok], activity=activity[ok], year=year[ok], value=value[ok], status=status[ok],
        measure=name, unit=unit, provenance=prov, area_name=text("area_name"), level=text("level"),
        activity_name=text("activity_name"), extra={k: v[ok] for k, v in extra.items()},
    )
    if n_suppressed is not None:
        dims = list(panel.data["value"].dims)
        keys = {"area": area[ok].to_numpy(), "activity": activity[ok].to_numpy(), "year": year[ok],
                **{k: v[ok].to_numpy() for k, v in extra.items()}}
        positions = tuple(pd.Index(panel.data[d].values).get_indexer(keys[d]) for d in dims)
        counts = np.zeros(panel.data["value"].shape, dtype=np.int32)
        counts[positions] = n_suppressed[ok]
        panel.data["n_suppressed"] = (dims, counts)
    return panel
