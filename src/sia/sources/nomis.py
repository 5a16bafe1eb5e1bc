"""NOMIS CSV layouts: BRES employment and business counts as downloaded from NOMIS.

Three layouts are recognised from the header:

``compact``
    ``DATE, [GEOGRAPHY_NAME, GEOGRAPHY_CODE,] [INDUSTRY_NAME,] INDUSTRY_CODE, <VALUE>`` where
    ``<VALUE>`` is the one remaining column (``EMPLOYMENT``, ``FULL_TIME_EMPLOYEES``,
    ``ENTERPRISES``, ``COUNT``...). A file without geography columns is a national total:
    its area is ``area_code``/``area_name`` (default Great Britain, ``K03000001``: BRES
    covers GB only).
``api``
    The raw NOMIS API output with ``OBS_VALUE, OBS_STATUS, OBS_CONF`` and, for each dimension,
    ``X, X_NAME, X_CODE, X_TYPE...`` columns. ``DATE``, ``GEOGRAPHY`` and ``INDUSTRY`` make the
    core axes; any other dimension with more than one value (e.g. ``EMPLOYMENT_STATUS``)
    becomes an extra panel dimension named in lower case, keyed by its ``_NAME``.
    ``MEASURES`` (value / percent) must be single-valued or chosen with ``measure=``.
``nesta``
    Nesta's re-serialisation of NOMIS downloads: ``year, geo_type, geo_nm, geo_cd, SIC4,
    value[, cluster_name]`` (NUTS2 2013 areas).

Status
------
* NOMIS observation status (SDMX code list, ``OBS_STATUS``): ``A`` normal, ``B`` break in
  series, ``P`` provisional -> observed; ``E`` estimated, ``F`` forecast, ``I`` imputed, ``U``
  low reliability -> estimated; ``M``, ``L``, ``N`` (missing / not collected / not
  significant) -> missing; ``Q`` (suppressed) -> suppressed. Any other code is a load error.
* ``OBS_CONF`` ``F`` (free for publication) keeps the value; ``T``/``C``/``TRUE`` (confidential)
  makes the cell suppressed (value NaN).
* Published markers in the value column (``..``, ``*``, ``!``, ``-``, ``x``, ``c``, ...) become
  suppressed/missing (:data:`sia.sources.errors.MARKERS`).
* ``NA`` in the value column is R's missing value, left where the source repository converted
  NOMIS downloads from ``.rds`` to CSV (15 rows of ``bres_itl2_sic5``: subclass 01000 in
  Scottish ITL2 areas 2015-17, which NOMIS does not publish): status ``missing``.
* ``rounded=True`` (default): BRES and UK Business Counts open data are rounded by NOMIS
  (small cells to the nearest 5, larger ones more coarsely), so observed cells get status
  ``rounded``. Pass ``rounded=False`` for an unrounded NOMIS dataset.

Validation: years between 1900 and 2100; values non-negative integer counts of plausible size
(:data:`~sia.sources.errors.MAX_COUNT`; in an API file, the ``MEASURES_NAME = Value`` rows, not
the percentages), a comma only as a thousands separator; area codes resolved
through the alias table of the built-in geography (``UKG1`` -> ``TLG1``, see
``areas=``); industry codes of 2, 4 or 5 digits (known to the SIC 2007 classification when
it can list them); one row per key.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sia.panel import Panel, Status
from sia.sources._common import make_provenance, panel_from_columns, read_csv_text, resolve_distinct_areas
from sia.sources.errors import MARKERS, PUBLISHED_MEASURE, Coded, LoadError, RowChecker

Layout = Literal["compact", "api", "nesta"]

OBS_STATUS: dict[str, Status] = {
    "A": Status.OBSERVED, "B": Status.OBSERVED, "P": Status.OBSERVED,
    "E": Status.ESTIMATED, "F": Status.ESTIMATED, "I": Status.ESTIMATED, "U": Status.ESTIMATED,
    "M": Status.MISSING, "L": Status.MISSING, "N": Status.MISSING,
    "Q": Status.SUPPRESSED,
}
OBS_CONF_FREE = {"F", "FALSE"}
OBS_CONF_CONFIDENTIAL = {"T", "C", "TRUE"}

AREA_PATTERN = re.compile(r"^([A-Z]\d{8}|(UK|TL)[A-Z0-9]{1,3})$")
INDUSTRY_PATTERN = re.compile(r"^(\d{2}|\d{4}|\d{5})$")

#: NOMIS markers plus R's NA (see the module docstring)
NOMIS_MARKERS: dict[str, Status] = {**MARKERS, "na": Status.MISSING}

COMPACT_KEYS = ("DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "INDUSTRY_NAME", "INDUSTRY_CODE")
NESTA_COLUMNS = ("year", "geo_type", "geo_nm", "geo_cd", "SIC4", "value")
API_CORE = ("DATE", "GEOGRAPHY_CODE", "INDUSTRY_CODE", "OBS_VALUE", "OBS_STATUS", "OBS_CONF")


def sniff_layout(columns: list[str]) -> Layout | None:
    """Which NOMIS layout a header has, or None."""
    if all(c in columns for c in API_CORE):
        return "api"
    if all(c in columns for c in NESTA_COLUMNS):
        return "nesta"
    if "DATE" in columns and "INDUSTRY_CODE" in columns:
        values = [c for c in columns if c not in COMPACT_KEYS]
        if len(values) == 1:
            return "compact"
    return None


def known_industry_codes() -> frozenset[str] | None:
    from sia.sources._common import sic_codes

    return sic_codes()


def load_nomis(
    path: str | Path,
    *,
    measure: str | None = None,
    layout: Layout | None = None,
    quarantine: str | Path | None = None,
    areas: Literal["geography", "pattern"] | Collection[str] | None = None,
    rounded: bool = True,
    area_code: str = "K03000001",
    area_name: str = "Great Britain",
) -> Panel:
    """Load a NOMIS CSV (plain or gzip) into a panel.

    Parameters
    ----------
    path
        The CSV file.
    measure
        Name of the panel's measure (default: the value column in lower case, e.g.
        ``employment``); for the ``api`` layout also the ``MEASURES_NAME`` to keep when the file
        has several.
    layout
        Force a layout instead of sniffing the header.
    quarantine
        CSV that receives rows failing validation (else the first one raises ``LoadError``).
    areas
        ``"geography"`` (default for NOMIS codes): every code must be known to the built-in
        geography, directly or as an alias, and is replaced by its canonical code;
        ``"pattern"`` (default for the Nesta NUTS 2013 layout, whose areas the geography does
        not hold): codes must look like GSS (``E06000001``) or NUTS/ITL (``UKG1``, ``TLG1``)
        codes and are kept as published; or an explicit collection of allowed codes.
    rounded
        Mark observed cells ``rounded`` (see the module docstring).
    area_code, area_name
        The area of a file without geography columns.
    """
    path = Path(path)
    raw, encoding = read_csv_text(path, dtype=object)
    columns = list(raw.columns)
    found = sniff_layout(columns)
    if layout is None:
        layout = found
    if layout is None or (found != layout):
        raise LoadError(
            path, 1, "", columns,
            f"a NOMIS header: compact (DATE, [GEOGRAPHY_NAME, GEOGRAPHY_CODE,] [INDUSTRY_NAME,] INDUSTRY_CODE and "
            f"one value column), api ({', '.join(API_CORE)}, ...) or nesta ({', '.join(NESTA_COLUMNS)})"
            + (f"; asked for layout {layout!r}" if layout else ""),
        )
    chk = RowChecker(raw, path)
    geo_level: Coded | None = None
    extra: dict[str, Coded] = {}
    notes: list[str] = []
    if encoding != "utf-8":
        notes.append(f"read as {encoding} (not valid UTF-8)")
    base = Status.ROUNDED if rounded else Status.OBSERVED
    if layout == "compact":
        value_col = next(c for c in columns if c not in COMPACT_KEYS)
        year_col, code_col, act_col = "DATE", "GEOGRAPHY_CODE", "INDUSTRY_CODE"
        name_col = "GEOGRAPHY_NAME" if "GEOGRAPHY_NAME" in columns else None
        act_name_col = "INDUSTRY_NAME" if "INDUSTRY_NAME" in columns else None
        value, status = chk.numbers(value_col, nonnegative=True, markers=NOMIS_MARKERS)
        chk.check_counts(value_col, value)
        status[status == Status.OBSERVED] = base
        measure_name = measure or value_col.lower()
        table = f"NOMIS {value_col}"
        notes.append(f"{PUBLISHED_MEASURE}{value_col}")
    elif layout == "nesta":
        value_col, year_col, code_col, act_col = "value", "year", "geo_cd", "SIC4"
        name_col, act_name_col = "geo_nm", None
        value, status = chk.numbers(value_col, nonnegative=True, markers=NOMIS_MARKERS)
        chk.check_counts(value_col, value)
        status[status == Status.OBSERVED] = base
        measure_name = measure or "value"
        table = "NOMIS download re-serialised by Nesta (year, geo_cd, SIC4, value)"
        if areas is None:
            areas = "pattern"
    else:
        value_col, year_col, code_col, act_col = "OBS_VALUE", "DATE", "GEOGRAPHY_CODE", "INDUSTRY_CODE"
        name_col = "GEOGRAPHY_NAME" if "GEOGRAPHY_NAME" in columns else None
        act_name_col = "INDUSTRY_NAME" if "INDUSTRY_NAME" in columns else None
        measures = sorted(raw["MEASURES_NAME"].unique()) if "MEASURES_NAME" in columns else []
        if len(measures) > 1:
            if measure is None or measure not in measures:
                raise LoadError(path, 0, "MEASURES_NAME", measure,
                                f"measure= naming one of the file's measures {measures}")
            chk.exclude((raw["MEASURES_NAME"] != measure).to_numpy(), f"MEASURES_NAME other than {measure!r}")
        value, status = chk.numbers(value_col, nonnegative=True, markers=NOMIS_MARKERS)
        if "MEASURES_NAME" in columns:  # counts ("Value"), not the percentages NOMIS publishes beside them
            is_count = Coded.of(raw["MEASURES_NAME"]).mask(lambda u: u.str.strip().str.lower() == "value")
        else:
            is_count = np.ones(len(raw), dtype=bool)
        chk.check_counts(value_col, value, rows=is_count)
        obs = Coded.of(raw["OBS_STATUS"]).map(lambda u: u.str.strip().str.upper())
        chk.flag(~obs.mask(lambda u: u.isin(list(OBS_STATUS))), "OBS_STATUS", raw["OBS_STATUS"],
                 f"a NOMIS observation status ({', '.join(OBS_STATUS)})")
        obs_status = obs.lookup(
            lambda u: u.map({k: int(v) for k, v in OBS_STATUS.items()}).fillna(0).to_numpy(dtype=np.uint8))
        conf = Coded.of(raw["OBS_CONF"]).map(lambda u: u.str.strip().str.upper())
        chk.flag(~conf.mask(lambda u: u.isin(list(OBS_CONF_FREE | OBS_CONF_CONFIDENTIAL))), "OBS_CONF",
                 raw["OBS_CONF"], "a NOMIS confidentiality flag (F = free for publication, T/C = confidential)")
        is_number = status == Status.OBSERVED
        status = np.where(is_number, np.maximum(obs_status, np.uint8(base)), status).astype(np.uint8)
        confidential = conf.mask(lambda u: u.isin(list(OBS_CONF_CONFIDENTIAL)))
        status[confidential] = Status.SUPPRESSED
        value[status >= Status.SUPPRESSED] = np.nan
        for dim in _api_dimensions(columns):
            if dim in ("DATE", "GEOGRAPHY", "INDUSTRY", "MEASURES"):
                continue
            label = f"{dim}_NAME" if f"{dim}_NAME" in columns else dim
            values = Coded.of(raw[label]).map(lambda u: u.str.strip())
            present = np.unique(values.codes[chk.ok])
            if int(values.uniques.notna().to_numpy()[present].sum()) > 1:  # as Series.nunique: NaN not counted
                extra[dim.lower()] = values
            else:
                single = values.uniques.iloc[values.codes[0]] if len(values) else ""
                notes.append(f"{dim} = {single}")
                if dim == "EMPLOYMENT_STATUS":  # BRES: Employment, Employees, Full-time employees, ...
                    notes.append(f"{PUBLISHED_MEASURE}{single}")
        measure_name = measure or "value"
        table = "NOMIS API output" + (f" ({raw['MEASURE_NAME'].iloc[0]})" if "MEASURE_NAME" in columns and len(raw)
                                      else "")
    year = chk.integers(year_col, lo=1900, hi=2100, what="a year")
    area: Coded | np.ndarray
    area_names: Coded | np.ndarray | None
    if code_col in columns:
        codes = Coded.of(raw[code_col]).map(lambda u: u.str.strip())
        if areas is None or areas == "geography":
            coded, u_resolved, u_levels, _ = resolve_distinct_areas(codes)
            u_unknown = u_resolved == ""
            unknown = u_unknown[coded.codes]
            chk.flag(unknown, code_col, raw[code_col], "an area code known to the built-in UK geography "
                     "(directly or through its alias table)")
            geo_level = Coded(coded.codes, pd.Series(u_levels, dtype=object))
            u_changed = ~u_unknown & (u_resolved != coded.uniques.to_numpy(dtype=object))
            changed = int(u_changed[coded.codes].sum())
            if changed:
                notes.append(f"area codes re-coded through the geography alias table in {changed} rows "
                             "(e.g. NUTS UKG1 -> ITL TLG1)")
            area = Coded(coded.codes, pd.Series(u_resolved, dtype=object)).map(lambda u: u)  # distinct again
        elif areas == "pattern":
            chk.flag(~codes.mask(lambda u: u.str.fullmatch(AREA_PATTERN.pattern)), code_col, raw[code_col],
                     "a GSS (E06000001) or NUTS/ITL (UKG1, TLG1) area code")
            area = codes
        else:
            chk.known(code_col, codes, areas, "one of the allowed area codes")
            area = codes
        area_names = Coded.of(raw[name_col]).map(lambda u: u.str.strip()) if name_col else None
    else:
        area = np.full(len(raw), area_code, dtype=object)
        area_names = np.full(len(raw), area_name, dtype=object)
        notes.append(f"no geography columns: national file, area {area_code} ({area_name})")
    industry = Coded.of(raw[act_col]).map(lambda u: u.str.strip())
    known = known_industry_codes()
    chk.flag(~industry.mask(lambda u: u.str.fullmatch(INDUSTRY_PATTERN.pattern)), act_col, raw[act_col],
             "a SIC 2007 code of 2, 4 or 5 digits")
    if known is not None:
        chk.known(act_col, industry, known, "a code of the SIC 2007 classification")
    keys = {"area": area, "activity": industry, "year": year, **{k: v for k, v in extra.items()}}
    chk.unique(keys, ", ".join([code_col if code_col in columns else "area", act_col, year_col,
                                *[d.upper() for d in extra]]))
    report = chk.resolve(quarantine)
    ok = chk.ok
    act_names = None
    if act_name_col:
        act_names = Coded.of(raw[act_name_col]).map(
            lambda u: u.str.replace(r"^\s*\S+\s*:\s*", "", regex=True).str.strip())[ok]
    level = geo_level[ok] if geo_level is not None else _level(layout, raw, ok)
    prov = make_provenance(path, table=table, query=f"layout {layout}", loader="sia.sources.nomis",
                           report=report, notes=notes, licence="OGL v3.0")
    return panel_from_columns(
        area=area[ok], activity=industry[ok], year=year[ok], value=value[ok], status=status[ok],
        measure=measure_name, unit="count", provenance=prov,
        area_name=None if area_names is None else area_names[ok], level=level, activity_name=act_names,
        extra={k: v[ok] for k, v in extra.items()},
    )


def _api_dimensions(columns: list[str]) -> list[str]:
    """Dimension names of a NOMIS API header: X with X_NAME and X_CODE both present."""
    return [c for c in columns if f"{c}_NAME" in columns and f"{c}_CODE" in columns]


def _level(layout: str, raw: pd.DataFrame, ok: np.ndarray) -> Coded | str | None:
    if layout == "api" and "GEOGRAPHY_TYPE" in raw.columns:
        return Coded.of(raw["GEOGRAPHY_TYPE"]).map(lambda u: u.str.strip())[ok]
    if layout == "nesta":
        return Coded.of(raw["geo_type"]).map(lambda u: u.str.strip())[ok]
    if layout == "compact" and "GEOGRAPHY_CODE" not in raw.columns:
        return "country"
    return None
