"""UK Business Counts: enterprises by LAD x broad industry group x employment size band.

Layout (``business_counts/PROVENANCE.md``): ``year, geog_type, area_name, industry_code,
industry_name, sizeband, enterprises`` (NOMIS download parsed into long form).

Conventions
-----------
* Areas are **names**, not codes. Each name is mapped to a code through the geography's
  explicit name and alias table (:meth:`sia.geography.Geography.area`; never fuzzy): a name
  that matches no area or several stops the load (or goes to quarantine). Names are looked
  up at level ``LAD`` (``geog_type = ladu``). The file is on April 2021 LAD boundaries, so
  the geography must know the 2021 districts (directly or as aliases).
* The ``England`` row (``geog_type = country``) is a country total, not a district: it is
  **excluded explicitly** and counted in the load report (``excluded``), so a LAD -> LEP
  aggregation cannot add it in; ``countries="keep"`` keeps it as area ``E92000001`` at level
  ``country``. Any other ``geog_type`` is an error.
* ``sizeband`` is kept as an extra panel dimension (``Total``, ``Micro (0 to 9)``, ...), so no
  aggregate ever adds the ``Total`` band to its parts.
* Industry codes are the 18 NOMIS broad industry groups ``1``..``18``, kept as published.
* NOMIS rounds counts to the nearest 5: observed cells get status ``rounded``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from sia.panel import Panel, Status
from sia.sources._common import (
    builtin_geography,
    make_provenance,
    panel_from_columns,
    read_csv_text,
    resolve_distinct_areas,
)
from sia.sources.errors import Coded, LoadError, RowChecker, check_header

COLUMNS = ("year", "geog_type", "area_name", "industry_code", "industry_name", "sizeband", "enterprises")
BROAD_INDUSTRIES = tuple(str(i) for i in range(1, 19))
SIZEBANDS = ("Total", "Micro (0 to 9)", "Small (10 to 49)", "Medium-sized (50 to 249)", "Large (250+)")
COUNTRY_CODES = {"england": ("E92000001", "England")}


def is_ubc_layout(columns: list[str]) -> bool:
    return all(c in columns for c in COLUMNS)


def load_ubc(
    path: str | Path,
    *,
    measure: str | None = None,
    quarantine: str | Path | None = None,
    countries: Literal["exclude", "keep"] = "exclude",
    geography=None,  # type: ignore[no-untyped-def]
) -> Panel:
    """Load the UBC LAD x broad industry x size band file; see the module docstring.

    Parameters
    ----------
    geography
        Geography whose names/aliases resolve ``area_name`` (default
        ``sia.geography.uk(lad_vintage="2021")``, the April 2021 districts the file uses).
    """
    path = Path(path)
    raw, _ = read_csv_text(path, dtype=object)
    check_header(path, list(raw.columns), COLUMNS, "UK Business Counts (long)")
    if geography is None:
        geography = builtin_geography("2021")
    chk = RowChecker(raw, path)
    gtype = Coded.of(raw["geog_type"]).map(lambda u: u.str.strip())
    chk.flag(~gtype.mask(lambda u: u.isin(["ladu", "country"])), "geog_type", raw["geog_type"],
             "'ladu' (local authority district) or 'country'")
    names = Coded.of(raw["area_name"]).map(lambda u: u.str.strip())
    is_country = gtype.mask(lambda u: u == "country")
    country_key = names.map(lambda u: u.str.casefold())
    chk.flag(is_country & ~country_key.mask(lambda u: u.isin(list(COUNTRY_CODES))), "area_name", raw["area_name"],
             f"a country named {[v[1] for v in COUNTRY_CODES.values()]}")
    if countries == "exclude":
        chk.exclude(is_country & chk.ok, "country rows (England): a country total, not a district")
    year = chk.integers("year", lo=1900, hi=2100, what="a year")
    value, status = chk.numbers("enterprises", nonnegative=True, integer=True)
    status[status == Status.OBSERVED] = Status.ROUNDED
    lad = ~is_country
    codes = np.full(len(raw), "", dtype=object)
    levels = np.full(len(raw), "", dtype=object)
    if lad.any():
        # each distinct name of a district row is resolved once
        lad_names = names[np.flatnonzero(lad)].compact()
        coded, u_code, u_level, _ = resolve_distinct_areas(lad_names, level="LAD", geography=geography)
        codes[lad], levels[lad] = u_code[coded.codes], u_level[coded.codes]
        unknown = np.zeros(len(raw), dtype=bool)
        unknown[np.flatnonzero(lad)] = u_code[coded.codes] == ""
        chk.flag(unknown, "area_name", raw["area_name"],
                 "a local authority district name known to the geography's name/alias table")
    for key, (code, _name) in COUNTRY_CODES.items():
        m = is_country & country_key.mask(lambda u, key=key: u == key)
        codes[m], levels[m] = code, "country"
    industry = Coded.of(raw["industry_code"]).map(lambda u: u.str.strip())
    chk.known("industry_code", industry, BROAD_INDUSTRIES, "a NOMIS broad industry group code 1..18")
    band = Coded.of(raw["sizeband"]).map(lambda u: u.str.strip())
    chk.known("sizeband", band, SIZEBANDS, f"a size band {list(SIZEBANDS)}")
    chk.unique({"area": codes, "industry": industry, "year": year, "band": band},
               "area_name, industry_code, year, sizeband")
    report = chk.resolve(quarantine)
    ok = chk.ok
    if not ok.any():
        raise LoadError(path, 0, "", "", "at least one loadable row")
    prov = make_provenance(
        path, table="UK Business Counts: enterprises by broad industry group and employment size band",
        vintage="LAD April 2021 boundaries", query=f"countries={countries}", loader="sia.sources.ubc",
        report=report, licence="OGL v3.0",
        notes=["area names mapped to codes through the geography name/alias table",
               "NOMIS rounds counts to the nearest 5 (status rounded)"],
    )
    return panel_from_columns(
        area=codes[ok], activity=industry[ok], year=year[ok], value=value[ok], status=status[ok],
        measure=measure or "enterprises", unit="enterprises", provenance=prov,
        area_name=names[ok], level=levels[ok],
        activity_name=Coded.of(raw["industry_name"]).map(lambda u: u.str.strip())[ok],
        extra={"sizeband": band[ok]},
    )
