"""Country x product export tables (Open Trade Statistics HS4; the SITC4 1998-2000 averages).

Layouts (``trade/PROVENANCE.md``):

``ots``  ``reporter_iso, product_code, export_value_usd`` (ISO3 lower case, HS 4-digit, USD)
``sitc`` ``country, product, value`` (ISO3, SITC rev.2 4-digit, year-2000 USD)

Conventions
-----------
* **NA = no trade.** The provenance of the OTS file says an NA export value means no trade
  was recorded, so NA becomes the value ``0`` with status ``observed`` (a recorded zero), not
  a missing cell: complexity metrics need a full country x product matrix, and an NA here is
  information ("this country did not export this product"), not an unavailable cell. Pass
  ``na_as_zero=False`` to keep NA as ``missing`` instead. The count of NA rows read as zero
  goes into the provenance notes.
* Other markers (``..``, ``*``, ``x``...) are suppressed/missing as everywhere.
* The files carry no year column: ``year`` defaults to the last four-digit year in the file
  name (``..._2017.csv.gz`` -> 2017; ``..._1998_2000.csv.gz`` -> 2000, the end of the
  averaging window) and must be given otherwise.
* Area level ``country``; product codes are kept as published (zero-padded text), ``9999`` is
  OTS's unclassified product.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np

from sia.panel import Panel, Status
from sia.sources._common import make_provenance, panel_from_columns, read_csv_text
from sia.sources.errors import Coded, LoadError, RowChecker
from sia.sources.trade_arrow import COUNTRY, LAYOUTS, PRODUCT, sniff_layout, year_from_name

__all__ = ["COUNTRY", "LAYOUTS", "PRODUCT", "load_trade", "sniff_layout", "year_from_name"]


def load_trade(
    path: str | Path,
    *,
    year: int | None = None,
    measure: str | None = None,
    na_as_zero: bool = True,
    quarantine: str | Path | None = None,
    countries: Collection[str] | None = None,
    products: Collection[str] | None = None,
) -> Panel:
    """Load a country x product export table.

    Parameters
    ----------
    year
        Reference year (default from the file name, see the module docstring).
    measure
        Measure name (default ``exports``).
    na_as_zero
        NA export value -> 0 observed (default) or missing.
    countries, products
        Allowed codes; default: the code patterns (3 letters; 4 digits).
    """
    path = Path(path)
    raw, _ = read_csv_text(path, dtype=object)
    layout = sniff_layout(list(raw.columns))
    if layout is None:
        expected = " or ".join(f"({', '.join(c)})" for c in LAYOUTS.values())
        raise LoadError(path, 1, "", list(raw.columns), f"a trade header {expected}")
    area_col, prod_col, value_col = LAYOUTS[layout]
    if year is None:
        year = year_from_name(path)
        if year is None:
            raise ValueError(f"{path}: the file name has no year; pass year=")
    chk = RowChecker(raw, path)
    value, status = chk.numbers(value_col, nonnegative=True, markers=_markers_with_na(na_as_zero))
    # the NA marker is the one read as an observed cell without a number (other markers are suppressed or missing;
    # a cell that is neither number nor marker is flagged, so never loaded)
    is_na = np.isnan(value) & (status == Status.OBSERVED) if na_as_zero else np.zeros(len(value), dtype=bool)
    if na_as_zero:
        value[is_na] = 0.0
    area = Coded.of(raw[area_col]).map(lambda u: u.str.strip())
    product = Coded.of(raw[prod_col]).map(lambda u: u.str.strip())
    if countries is None:
        chk.flag(~area.mask(lambda u: u.str.fullmatch(COUNTRY.pattern)), area_col, raw[area_col],
                 "an ISO 3166 alpha-3 country code (3 letters)")
    else:
        chk.known(area_col, area, countries, "one of the allowed country codes")
    if products is None:
        chk.flag(~product.mask(lambda u: u.str.fullmatch(PRODUCT.pattern)), prod_col, raw[prod_col],
                 "a 4-digit product code (HS4 or SITC4)")
    else:
        chk.known(prod_col, product, products, "one of the allowed product codes")
    chk.unique({"a": area, "p": product}, f"{area_col}, {prod_col}")
    report = chk.resolve(quarantine)
    ok = chk.ok
    notes = []
    if na_as_zero:
        notes.append(f"{int((is_na & ok).sum())} NA export values read as 0 (no trade)")
    prov = make_provenance(
        path, table=f"country x product exports ({'HS4, OTS' if layout == 'ots' else 'SITC rev.2 4-digit'})",
        vintage=str(year), query=f"layout {layout}; year {year}", loader="sia.sources.trade", report=report,
        notes=notes,
    )
    n = int(ok.sum())
    return panel_from_columns(
        area=area[ok], activity=product[ok], year=np.full(n, year, dtype=np.int64), value=value[ok],
        status=status[ok], measure=measure or "exports", unit="USD", provenance=prov, level="country",
    )


def _markers_with_na(na_as_zero: bool) -> dict[str, Status]:
    from sia.sources.errors import MARKERS

    out = dict(MARKERS)
    out["na"] = Status.OBSERVED if na_as_zero else Status.MISSING
    return out
