"""US County Business Patterns by CBSA x NAICS (``us_cbp/cbp_2019_cbsa_naics_emp_estab.csv.gz``).

Layout: ``cbsa_code, naics_code, naics_level, EMP, ESTAB``.

Conventions
-----------
* ``measure`` = ``"EMP"`` (employment, default) or ``"ESTAB"`` (establishments).
* Disclosure: CBP suppresses employment by returning ``EMP = 0`` for a cell with
  ``ESTAB > 0`` (225 rows in 2019). Such EMP cells become ``suppressed`` (value NaN), since
  a zero is impossible where establishments exist. ``EMP = 0`` with ``ESTAB = 0`` is a true zero.
* NAICS codes are kept as published: 2-6 digits, the sector ranges ``31-33``, ``44-45``,
  ``48-49`` (whose ``naics_level`` is 5, the string length, per the provenance), ``00`` = all
  industries. ``naics_level`` must equal the length of the code.
* ``year`` defaults to the four-digit year in the file name.
* Area level ``CBSA``; codes are 5-digit CBSA codes (or those of ``areas=``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from sia.panel import Panel, Status
from sia.sources._common import make_provenance, panel_from_columns, read_csv_text
from sia.sources.errors import Coded, LoadError, RowChecker
from sia.sources.trade import year_from_name

COLUMNS = ("cbsa_code", "naics_code", "naics_level", "EMP", "ESTAB")
NAICS = re.compile(r"^(\d{2,6}|\d{2}-\d{2})$")
CBSA = re.compile(r"^\d{5}$")


def is_cbp_layout(columns: list[str]) -> bool:
    return list(columns) == list(COLUMNS)


def load_cbp(
    path: str | Path,
    *,
    measure: str | None = None,
    year: int | None = None,
    quarantine: str | Path | None = None,
    areas: Collection[str] | None = None,
) -> Panel:
    """Load a CBP CBSA x NAICS table; see the module docstring."""
    path = Path(path)
    raw, _ = read_csv_text(path, dtype=object)
    if not is_cbp_layout(list(raw.columns)):
        raise LoadError(path, 1, "", list(raw.columns), f"a County Business Patterns header {list(COLUMNS)}")
    key = (measure or "EMP").upper()
    if key not in ("EMP", "ESTAB"):
        raise ValueError(f"unknown CBP measure {measure!r}; expected EMP or ESTAB")
    if year is None:
        year = year_from_name(path)
        if year is None:
            raise ValueError(f"{path}: the file name has no year; pass year=")
    chk = RowChecker(raw, path)
    emp, emp_status = chk.numbers("EMP", nonnegative=True, integer=True)
    estab, estab_status = chk.numbers("ESTAB", nonnegative=True, integer=True)
    area = Coded.of(raw["cbsa_code"]).map(lambda u: u.str.strip())
    naics = Coded.of(raw["naics_code"]).map(lambda u: u.str.strip())
    if areas is None:
        chk.flag(~area.mask(lambda u: u.str.fullmatch(CBSA.pattern)), "cbsa_code", raw["cbsa_code"],
                 "a 5-digit CBSA code")
    else:
        chk.known("cbsa_code", area, areas, "one of the allowed CBSA codes")
    chk.flag(~naics.mask(lambda u: u.str.fullmatch(NAICS.pattern)), "naics_code", raw["naics_code"],
             "a NAICS code of 2-6 digits or a sector range such as 31-33")
    # naics_level must be the code's length: compare the two texts through one shared factorisation
    level_text = Coded.of(raw["naics_level"]).map(lambda u: u.str.strip())
    length_text = naics.map(lambda u: u.str.len().astype(str))
    both, _ = pd.factorize(pd.concat([level_text.uniques.astype(object), length_text.uniques.astype(object)],
                                     ignore_index=True), use_na_sentinel=True)
    level_id, length_id = both[:len(level_text.uniques)], both[len(level_text.uniques):]
    row_level, row_length = level_id[level_text.codes], length_id[length_text.codes]
    level_ok = (row_level == row_length) & (row_level >= 0)  # as ``==`` on text: a missing value never matches
    chk.flag(~level_ok, "naics_level", raw["naics_level"], "the length of naics_code")
    chk.unique({"a": area, "n": naics}, "cbsa_code, naics_code")
    suppressed = (emp == 0) & (estab > 0)
    if key == "EMP":
        value, status = emp.copy(), emp_status.copy()
        value[suppressed] = np.nan
        status[suppressed] = Status.SUPPRESSED
    else:
        value, status = estab, estab_status
    report = chk.resolve(quarantine)
    ok = chk.ok
    notes = [f"{int((suppressed & ok).sum())} EMP = 0 with ESTAB > 0 read as suppressed"] if key == "EMP" else []
    prov = make_provenance(
        path, table="County Business Patterns (CBSA x NAICS 2017)", vintage=str(year),
        query=f"measure {key}; year {year}", loader="sia.sources.cbp", report=report, notes=notes,
        licence="US public domain",
    )
    n = int(ok.sum())
    return panel_from_columns(
        area=area[ok], activity=naics[ok], year=np.full(n, year, dtype=np.int64), value=value[ok],
        status=status[ok], measure="employment" if key == "EMP" else "establishments",
        unit="jobs" if key == "EMP" else "establishments", provenance=prov, level="CBSA",
    )
