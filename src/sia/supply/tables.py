"""Input-output tables: the :class:`IOTable` container, loaders and balance checks.

Layout (industry-by-industry, one region, monetary units)::

                 industries (n)      final demand (k)     | output
    industries   Z  (n x n)          Y  (n x k)           | x = Z 1 + Y 1   (row balance)
    primary      V  (m x n)                               |
    ----------------------------------------------------
    output       x' = 1'Z + 1'V                             (column balance)

``Z[i, j]`` is the domestic intermediate flow from industry ``i`` (seller) to industry ``j`` (buyer).
Primary inputs ``V`` hold imports, taxes less subsidies on products, and the value-added components
(compensation of employees ``D1``, gross operating surplus, other taxes on production); the rows that
add up to GVA are named in :attr:`IOTable.gva_rows`.

Loaders:

* :func:`load_ons_ioat` -- ONS UK Input-Output Analytical Tables (IOAT), industry by industry, in the
  long form ``row_code, row_label, col_code, col_label, value_gbp_million``.
* :func:`load_scottish_ixi` -- Scottish Government IxI tables (``IxI_wide.xlsx``, 1998-2019), one year.
* :func:`load_generic` -- a wide ``Z`` CSV plus a per-industry CSV of final demand / primary inputs /
  output / satellite (e.g. employment) columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sia.supply.errors import (
    IndustryMismatchError,
    IOTableFormatError,
    NegativeFlowError,
    UnbalancedTableError,
)

__all__ = [
    "BalanceReport",
    "IOTable",
    "balance_report",
    "load_generic",
    "load_ons_ioat",
    "load_scottish_ixi",
    "load_table",
]

#: Final-demand columns of the ONS IOAT used as ``Y`` (``P3 S1`` is their consumption subtotal and is excluded).
ONS_FINAL_DEMAND = ("P3 S13", "P3 S14", "P3 S15", "P51G", "P52", "P53", "P61EU", "P61RW", "P62")
#: Primary-input rows of the ONS IOAT kept in ``V`` (subtotals ``_T``, purchasers' total, ``GVA``, ``P1`` excluded).
ONS_PRIMARY = ("Use of imported products, cif", "Taxes less subsidies on products", "D1", "GOS & MI", "D29-D39")
ONS_GVA_ROWS = ("D1", "GOS & MI", "D29-D39")

SCOT_FINAL_DEMAND = (
    "HOUSEHOLD", "NPISH", "FD_CENGOV", "FD_LOCGOV", "GFCF", "VALUABLES", "INVENTORIES",
    "EXPORTS_NONRES", "EXPORTS_RUK", "EXPORTS_ROW",
)
SCOT_PRIMARY = ("RUKImp", "RoWImp", "TlSPrds", "TlSPrdn", "CoE", "GOS")
SCOT_GVA_ROWS = ("TlSPrdn", "CoE", "GOS")
SCOT_N = 98


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class IOTable:
    """A single-region industry-by-industry input-output table.

    Parameters
    ----------
    Z
        Intermediate flows ``(n, n)``, seller rows x buyer columns; must be >= 0.
    Y
        Final demand ``(n, k)``, one column per final-demand category (may contain negatives, e.g. inventories).
    x
        Gross output ``(n,)``.
    industries
        The table's own industry codes, in matrix order (unique).
    final_demand
        Names of the ``Y`` columns.
    primary
        Primary inputs ``(m, n)``: imports, product taxes, value-added components.
    primary_inputs
        Names of the ``primary`` rows.
    labels
        Industry labels (same order as ``industries``), optional.
    gva_rows
        Which ``primary`` rows add up to gross value added.
    household_consumption
        Name of the ``Y`` column with household final consumption (closes the model for Type II).
    compensation
        Name of the ``primary`` row with compensation of employees (household income for Type II).
    satellite
        Per-industry satellite accounts (e.g. ``{"employment": jobs}``), each of shape ``(n,)``.
    name, source, checksum, unit
        Provenance: table name, file path, sha256 of the file, monetary unit.
    notes
        What the loader set aside or assumed (counted), for the report.
    """

    Z: np.ndarray
    Y: np.ndarray
    x: np.ndarray
    industries: tuple[str, ...]
    final_demand: tuple[str, ...]
    primary: np.ndarray
    primary_inputs: tuple[str, ...]
    labels: tuple[str, ...] = ()
    gva_rows: tuple[str, ...] = ()
    household_consumption: str | None = None
    compensation: str | None = None
    satellite: Mapping[str, np.ndarray] = field(default_factory=dict)
    name: str = ""
    source: str = ""
    checksum: str = ""
    unit: str = "GBP million"
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        industries = tuple(str(c) for c in self.industries)
        object.__setattr__(self, "industries", industries)
        n = len(industries)
        dupes = sorted({c for c in industries if industries.count(c) > 1})
        if dupes:
            raise IndustryMismatchError(f"industry codes are not unique: {dupes}")
        Z = np.asarray(self.Z, dtype=np.float64)
        x = np.asarray(self.x, dtype=np.float64).reshape(-1)
        Y = np.asarray(self.Y, dtype=np.float64)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        V = np.asarray(self.primary, dtype=np.float64)
        if V.ndim == 1:
            V = V.reshape(1, -1)
        if Z.shape != (n, n):
            raise IndustryMismatchError(f"Z has shape {Z.shape} but {n} industries are listed")
        if x.shape != (n,):
            raise IndustryMismatchError(f"output x has {x.shape[0]} entries but {n} industries are listed")
        if Y.shape[0] != n or Y.shape[1] != len(self.final_demand):
            raise IndustryMismatchError(
                f"final demand Y has shape {Y.shape}, expected ({n}, {len(self.final_demand)} named columns)"
            )
        if V.shape != (len(self.primary_inputs), n):
            raise IndustryMismatchError(
                f"primary inputs have shape {V.shape}, expected ({len(self.primary_inputs)} named rows, {n})"
            )
        if self.labels and len(self.labels) != n:
            raise IndustryMismatchError(f"{len(self.labels)} labels for {n} industries")
        for name, arr in (("Z", Z), ("Y", Y), ("x", x), ("primary inputs", V)):
            bad = np.argwhere(~np.isfinite(arr))
            if bad.size:
                where = tuple(int(v) for v in bad[0])
                raise IOTableFormatError(f"{name} has {len(bad)} non-finite values, first at index {where}")
        neg = np.argwhere(Z < 0)
        if neg.size:
            i, j = (int(v) for v in neg[0])
            raise NegativeFlowError(
                f"{len(neg)} negative intermediate flows; first: Z[{industries[i]!r} -> {industries[j]!r}] = "
                f"{Z[i, j]:g} (expected >= 0)"
            )
        negx = np.flatnonzero(x < 0)
        if negx.size:
            raise NegativeFlowError(f"negative output for industry {industries[negx[0]]!r}: {x[negx[0]]:g}")
        for row in self.gva_rows:
            if row not in self.primary_inputs:
                raise IOTableFormatError(f"GVA row {row!r} is not one of the primary inputs {self.primary_inputs}")
        if self.household_consumption is not None and self.household_consumption not in self.final_demand:
            raise IOTableFormatError(f"household consumption column {self.household_consumption!r} not in Y")
        if self.compensation is not None and self.compensation not in self.primary_inputs:
            raise IOTableFormatError(f"compensation row {self.compensation!r} not in the primary inputs")
        sat = {}
        for key, values in dict(self.satellite).items():
            arr = np.asarray(values, dtype=np.float64).reshape(-1)
            if arr.shape != (n,):
                raise IndustryMismatchError(f"satellite {key!r} has {arr.shape[0]} values for {n} industries")
            sat[key] = arr
        for arr in (Z, Y, x, V, *sat.values()):
            arr.setflags(write=False)
        object.__setattr__(self, "Z", Z)
        object.__setattr__(self, "Y", Y)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "primary", V)
        object.__setattr__(self, "final_demand", tuple(self.final_demand))
        object.__setattr__(self, "primary_inputs", tuple(self.primary_inputs))
        object.__setattr__(self, "satellite", sat)

    # ------------------------------------------------------------------ accessors
    @property
    def n(self) -> int:
        """Number of industries."""
        return len(self.industries)

    @property
    def y(self) -> np.ndarray:
        """Total final demand per industry, ``Y 1``."""
        return self.Y.sum(axis=1)

    def primary_row(self, name: str) -> np.ndarray:
        """One row of the primary inputs by name."""
        try:
            return self.primary[self.primary_inputs.index(name)]
        except ValueError as exc:
            raise IOTableFormatError(f"no primary-input row {name!r}; rows are {self.primary_inputs}") from exc

    def final_demand_column(self, name: str) -> np.ndarray:
        """One column of final demand by name."""
        try:
            return self.Y[:, self.final_demand.index(name)]
        except ValueError as exc:
            raise IOTableFormatError(f"no final-demand column {name!r}; columns are {self.final_demand}") from exc

    @property
    def gva(self) -> np.ndarray:
        """Gross value added per industry: the sum of the :attr:`gva_rows`."""
        if not self.gva_rows:
            raise IOTableFormatError(f"table {self.name!r} does not name its GVA rows")
        idx = [self.primary_inputs.index(r) for r in self.gva_rows]
        return self.primary[idx].sum(axis=0)

    def index_of(self, codes: Sequence[str]) -> np.ndarray:
        """Positions of industry ``codes``; an unknown code raises :class:`IndustryMismatchError`."""
        pos = {c: i for i, c in enumerate(self.industries)}
        missing = [c for c in codes if c not in pos]
        if missing:
            raise IndustryMismatchError(
                f"industries not in table {self.name!r}: {missing} (the table has {self.n}, e.g. {self.industries[:5]})"
            )
        return np.array([pos[c] for c in codes], dtype=np.int64)

    def label_of(self, code: str) -> str:
        """Label of an industry code ('' when the table has no labels)."""
        return self.labels[self.industries.index(code)] if self.labels else ""

    def with_satellite(self, name: str, values: np.ndarray) -> IOTable:
        """Copy of the table with one more satellite account."""
        sat = dict(self.satellite)
        sat[name] = np.asarray(values, dtype=np.float64)
        return _replace(self, satellite=sat)

    def balance(self, *, rtol: float = 1e-6, atol: float = 1e-6) -> BalanceReport:
        """Row and column balance per industry (see :func:`balance_report`)."""
        return balance_report(self, rtol=rtol, atol=atol)


def _replace(table: IOTable, **changes: object) -> IOTable:
    from dataclasses import replace

    return replace(table, **changes)


@dataclass(frozen=True)
class BalanceReport:
    """Per-industry balance of a table.

    ``frame`` has columns ``industry, output, row_total, row_diff, column_total, column_diff`` where
    ``row_total = sum_j Z[i, j] + sum_k Y[i, k]`` (total use) and ``column_total = sum_i Z[i, j] +
    sum_m V[m, j]`` (total inputs); diffs are ``total - output``. An industry is out of balance when
    ``|diff| > atol + rtol * |output|``.
    """

    frame: pd.DataFrame
    rtol: float
    atol: float

    @property
    def unbalanced(self) -> pd.DataFrame:
        """Rows of :attr:`frame` outside the tolerance (row or column)."""
        f = self.frame
        tol = self.atol + self.rtol * f["output"].abs()
        return f[(f["row_diff"].abs() > tol) | (f["column_diff"].abs() > tol)]

    @property
    def max_row_diff(self) -> float:
        return float(self.frame["row_diff"].abs().max())

    @property
    def max_column_diff(self) -> float:
        return float(self.frame["column_diff"].abs().max())

    @property
    def ok(self) -> bool:
        return self.unbalanced.empty

    def summary(self) -> str:
        """One line: maximum row and column imbalance and the worst industries."""
        f = self.frame
        wr = f.loc[f["row_diff"].abs().idxmax()]
        wc = f.loc[f["column_diff"].abs().idxmax()]
        return (
            f"max |row total - output| = {self.max_row_diff:.3g} ({wr['industry']}), "
            f"max |column total - output| = {self.max_column_diff:.3g} ({wc['industry']}); "
            f"{len(self.unbalanced)} of {len(f)} industries outside rtol={self.rtol:g}, atol={self.atol:g}"
        )

    def raise_if_unbalanced(self, name: str = "") -> None:
        """Raise :class:`UnbalancedTableError` naming the worst out-of-balance industries."""
        bad = self.unbalanced
        if bad.empty:
            return
        worst = bad.assign(m=np.maximum(bad["row_diff"].abs(), bad["column_diff"].abs())).nlargest(5, "m")
        items = "; ".join(
            f"{r.industry}: output {r.output:.6g}, row total {r.row_total:.6g} (diff {r.row_diff:+.3g}), "
            f"column total {r.column_total:.6g} (diff {r.column_diff:+.3g})"
            for r in worst.itertuples()
        )
        raise UnbalancedTableError(
            f"table {name!r} is unbalanced for {len(bad)} industries (tolerance {self.atol:g} + {self.rtol:g}*output): "
            f"{items}"
        )


def balance_report(table: IOTable, *, rtol: float = 1e-6, atol: float = 1e-6) -> BalanceReport:
    """Check ``Z 1 + Y 1 = x`` (row balance) and ``1'Z + 1'V = x'`` (column balance) per industry.

    The column check needs the full set of primary inputs (imports, product taxes, value added); a
    table built without them (``primary`` empty) reports ``column_total = NaN`` and is judged on rows only.
    """
    row_total = table.Z.sum(axis=1) + table.Y.sum(axis=1)
    if table.primary.shape[0]:
        col_total = table.Z.sum(axis=0) + table.primary.sum(axis=0)
    else:
        col_total = np.full(table.n, np.nan)
    frame = pd.DataFrame(
        {
            "industry": list(table.industries),
            "output": table.x,
            "row_total": row_total,
            "row_diff": row_total - table.x,
            "column_total": col_total,
            "column_diff": np.nan_to_num(col_total - table.x, nan=0.0),
        }
    )
    return BalanceReport(frame, rtol, atol)


# ---------------------------------------------------------------------- loaders
def load_ons_ioat(path: str | Path, *, check: bool = True, rtol: float = 1e-6, atol: float = 1e-6) -> IOTable:
    """Load the ONS IOAT industry-by-industry domestic use table from its long form.

    Parameters
    ----------
    path
        CSV with columns ``row_code, row_label, col_code, col_label, value_gbp_million``. Rows with a blank
        ``row_code`` (imports, product taxes, purchasers' total) are keyed by their label.
    check
        Raise :class:`UnbalancedTableError` when a row or column is out of balance beyond the tolerance.
    rtol, atol
        Balance tolerance: an industry is out of balance when ``|total - output| > atol + rtol * output``.

    Notes
    -----
    Industries are the row codes before the ``_T`` subtotal; the column codes before ``_T`` must be the
    same list in the same order (else :class:`IndustryMismatchError`). ``Y`` = the columns
    :data:`ONS_FINAL_DEMAND` (``P3 S1``, the consumption subtotal, ``_T`` and ``TU`` are excluded);
    ``x`` = the ``P1`` row (output at basic prices). Blank cells (final-demand columns on primary-input rows,
    which the table leaves empty) are counted in :attr:`IOTable.notes`; a blank anywhere in ``Z``, ``Y``,
    the primary rows or ``P1`` is an error.
    """
    path = Path(path)
    expected = ["row_code", "row_label", "col_code", "col_label", "value_gbp_million"]
    try:
        raw = pd.read_csv(path, dtype={"row_code": str, "col_code": str}, keep_default_na=False, na_values=[""])
    except (OSError, pd.errors.ParserError) as exc:
        raise IOTableFormatError(f"{path}: cannot read as CSV: {exc}") from exc
    missing = [c for c in expected if c not in raw.columns]
    if missing:
        raise IOTableFormatError(f"{path}: missing columns {missing}; expected {expected}")
    raw["row_code"] = raw["row_code"].fillna(raw["row_label"])
    values = pd.to_numeric(raw["value_gbp_million"], errors="coerce")
    unparsable = values.isna() & raw["value_gbp_million"].notna()
    if unparsable.any():
        i = int(np.flatnonzero(unparsable.to_numpy())[0])
        raise IOTableFormatError(
            f"{path}, line {i + 2}, column value_gbp_million: {raw['value_gbp_million'].iloc[i]!r} is not a number"
        )
    raw["value"] = values
    dup = raw.duplicated(["row_code", "col_code"], keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise IOTableFormatError(
            f"{path}, line {i + 2}: cell ({raw['row_code'].iloc[i]!r}, {raw['col_code'].iloc[i]!r}) appears twice"
        )
    rows = list(dict.fromkeys(raw["row_code"]))
    cols = list(dict.fromkeys(raw["col_code"]))
    if "_T" not in rows or "_T" not in cols:
        raise IOTableFormatError(f"{path}: no '_T' (total intermediate) row/column to delimit the industries")
    row_ind, col_ind = rows[: rows.index("_T")], cols[: cols.index("_T")]
    if row_ind != col_ind:
        only_r = [c for c in row_ind if c not in col_ind]
        only_c = [c for c in col_ind if c not in row_ind]
        raise IndustryMismatchError(
            f"{path}: row and column industries differ: rows only {only_r}, columns only {only_c}"
            + ("" if only_r or only_c else " (same codes, different order)")
        )
    need_rows = [*ONS_PRIMARY, "P1"]
    need_cols = list(ONS_FINAL_DEMAND)
    for kind, need, have in (("rows", need_rows, rows), ("columns", need_cols, cols)):
        absent = [c for c in need if c not in have]
        if absent:
            raise IOTableFormatError(f"{path}: missing {kind} {absent}")
    wide = raw.pivot(index="row_code", columns="col_code", values="value")
    blank_total = int(raw["value"].isna().sum())
    used = wide.loc[row_ind + need_rows, col_ind].isna()
    used_y = wide.loc[row_ind, need_cols].isna()
    for block in (used, used_y):
        if block.to_numpy().any():
            r, c = np.argwhere(block.to_numpy())[0]
            raise IOTableFormatError(
                f"{path}: blank value at row {block.index[r]!r}, column {block.columns[c]!r} (expected a number)"
            )
    labels = raw.drop_duplicates("row_code").set_index("row_code")["row_label"]
    table = IOTable(
        Z=wide.loc[row_ind, row_ind].to_numpy(),
        Y=wide.loc[row_ind, need_cols].to_numpy(),
        x=wide.loc["P1", row_ind].to_numpy(),
        industries=tuple(row_ind),
        final_demand=ONS_FINAL_DEMAND,
        primary=wide.loc[list(ONS_PRIMARY), row_ind].to_numpy(),
        primary_inputs=ONS_PRIMARY,
        labels=tuple(str(labels[c]) for c in row_ind),
        gva_rows=ONS_GVA_ROWS,
        household_consumption="P3 S14",
        compensation="D1",
        name="ONS IOAT industry-by-industry domestic use",
        source=str(path),
        checksum=_sha256(path),
        notes=(
            f"{blank_total} blank cells (final-demand columns on primary-input rows) not used",
            "subtotal rows/columns _T, P3 S1, TU, purchasers' total, GVA read only for checks",
        ),
    )
    gva_row = wide.loc["GVA", row_ind].to_numpy() if "GVA" in wide.index else None
    if gva_row is not None and not np.allclose(table.gva, gva_row, rtol=1e-9, atol=1e-6):
        j = int(np.argmax(np.abs(table.gva - gva_row)))
        raise UnbalancedTableError(
            f"{path}: GVA components D1 + GOS & MI + D29-D39 = {table.gva[j]:.6g} differ from the GVA row "
            f"{gva_row[j]:.6g} for industry {row_ind[j]!r}"
        )
    if check:
        table.balance(rtol=rtol, atol=atol).raise_if_unbalanced(table.name)
    return table


def load_scottish_ixi(
    path: str | Path, year: int = 2019, *, check: bool = True, rtol: float = 1e-5, atol: float = 1e-6
) -> IOTable:
    """Load one year of the Scottish Government industry-by-industry table (``IxI_wide.xlsx``).

    The sheet stacks 22 years (1998-2019) of 108 rows: 98 industries (``IOC098_001`` ... ``IOC098_098``, in
    that order; the row keys are the SIC descriptions ``ioc098_sic``), then ``TDU, RUKImp, RoWImp, TIU,
    TlSPrds, TlSPrdn, CoE, GOS, GVA, TOut``. ``Z`` holds the Scottish domestic flows (rows 1-98), ``Y`` the
    final-demand columns :data:`SCOT_FINAL_DEMAND` (totals ``TOT_*`` excluded), primary inputs the imports
    from the rest of the UK and the rest of the world, product taxes and value added; ``x = TOut``.

    The published table balances rows to ``TOT_USE`` and columns to ``TOut``, but ``TOT_USE`` and ``TOut``
    differ by rounding (2019: 0.00144 GBP million, 2.6e-6 of output, for ``IOC098_007`` oil and gas); the
    default ``rtol`` is therefore 1e-5 here, and the balance report shows the difference.
    """
    path = Path(path)
    try:
        raw = pd.read_excel(path, sheet_name=0)
    except (OSError, ValueError) as exc:
        raise IOTableFormatError(f"{path}: cannot read as xlsx: {exc}") from exc
    codes = [f"IOC098_{i:03d}" for i in range(1, SCOT_N + 1)]
    need = ["year", "ioc098_sic", "ioc098_short_description", *codes, *SCOT_FINAL_DEMAND]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise IOTableFormatError(f"{path}: missing columns {missing[:10]}")
    years = sorted(int(v) for v in raw["year"].dropna().unique())
    block = raw[raw["year"] == year].reset_index(drop=True)
    if block.empty:
        raise IOTableFormatError(f"{path}: no rows for year {year}; years available {years[0]}-{years[-1]}")
    keys = block["ioc098_sic"].astype(str).tolist()
    tail = ["TDU", *SCOT_PRIMARY[:2], "TIU", *SCOT_PRIMARY[2:], "GVA", "TOut"]
    if len(block) != SCOT_N + len(tail) or keys[SCOT_N:] != tail:
        raise IOTableFormatError(
            f"{path}: year {year} has {len(block)} rows ending {keys[SCOT_N:]}; "
            f"expected {SCOT_N} industries then {tail}"
        )
    ind = block.iloc[:SCOT_N]
    prim = block.iloc[SCOT_N:].set_index("ioc098_sic")
    zy = ind[codes + list(SCOT_FINAL_DEMAND)]
    if zy.isna().to_numpy().any():
        r, c = np.argwhere(zy.isna().to_numpy())[0]
        raise IOTableFormatError(f"{path}: year {year}, industry row {r + 1}, column {zy.columns[c]!r} is blank")
    labels = tuple(f"{s} {d}".strip() for s, d in zip(ind["ioc098_sic"], ind["ioc098_short_description"], strict=True))
    table = IOTable(
        Z=ind[codes].to_numpy(float),
        Y=ind[list(SCOT_FINAL_DEMAND)].to_numpy(float),
        x=prim.loc["TOut", codes].to_numpy(float),
        industries=tuple(codes),
        final_demand=SCOT_FINAL_DEMAND,
        primary=prim.loc[list(SCOT_PRIMARY), codes].to_numpy(float),
        primary_inputs=SCOT_PRIMARY,
        labels=labels,
        gva_rows=SCOT_GVA_ROWS,
        household_consumption="HOUSEHOLD",
        compensation="CoE",
        name=f"Scottish Government IxI {year}",
        source=str(path),
        checksum=_sha256(path),
        notes=(f"year {year} of {years[0]}-{years[-1]}", "x = TOut (column total); TOT_USE used only as a check"),
    )
    if check:
        table.balance(rtol=rtol, atol=atol).raise_if_unbalanced(table.name)
    return table


def load_generic(
    z_path: str | Path,
    industry_path: str | Path,
    *,
    final_demand: Sequence[str] = ("final_demand",),
    primary_inputs: Sequence[str] = ("value_added",),
    gva_rows: Sequence[str] | None = None,
    output: str | None = "output",
    household_consumption: str | None = None,
    compensation: str | None = None,
    check: bool = True,
    rtol: float = 1e-6,
    atol: float = 1e-6,
) -> IOTable:
    """Load a table from a wide ``Z`` CSV and a per-industry CSV.

    ``z_path``: first column the seller industry codes, header the buyer codes (same list and order).
    ``industry_path``: first column the industry codes (same list), then the columns named in
    ``final_demand`` (``Y``), ``primary_inputs`` (rows of ``V``, given here as columns) and ``output``
    (``x``; when ``None`` or absent, ``x = Z 1 + Y 1``). Every other numeric column becomes a satellite
    account (e.g. ``employment``). ``gva_rows`` defaults to all primary inputs.
    """
    z_path, industry_path = Path(z_path), Path(industry_path)
    zf = _read_wide(z_path)
    inf = _read_wide(industry_path)
    rows, cols = list(zf.index), list(zf.columns)
    if rows != cols:
        only_r = [c for c in rows if c not in cols]
        only_c = [c for c in cols if c not in rows]
        raise IndustryMismatchError(f"{z_path}: row industries {rows} and column industries {cols} differ "
                                    f"(rows only {only_r}, columns only {only_c})")
    if list(inf.index) != rows:
        only_t = [c for c in rows if c not in inf.index]
        only_i = [c for c in inf.index if c not in rows]
        raise IndustryMismatchError(
            f"{industry_path}: industries differ from {z_path.name}: missing {only_t}, extra {only_i}"
            + ("" if only_t or only_i else " (same codes, different order)")
        )
    needed = [*final_demand, *primary_inputs] + ([output] if output and output in inf.columns else [])
    absent = [c for c in [*final_demand, *primary_inputs] if c not in inf.columns]
    if absent:
        raise IOTableFormatError(f"{industry_path}: missing columns {absent}; has {list(inf.columns)}")
    Z = zf.to_numpy(float)
    Y = inf[list(final_demand)].to_numpy(float)
    x = inf[output].to_numpy(float) if output and output in inf.columns else Z.sum(axis=1) + Y.sum(axis=1)
    satellite = {c: inf[c].to_numpy(float) for c in inf.columns if c not in needed}
    table = IOTable(
        Z=Z,
        Y=Y,
        x=x,
        industries=tuple(rows),
        final_demand=tuple(final_demand),
        primary=inf[list(primary_inputs)].to_numpy(float).T,
        primary_inputs=tuple(primary_inputs),
        gva_rows=tuple(primary_inputs if gva_rows is None else gva_rows),
        household_consumption=household_consumption,
        compensation=compensation,
        satellite=satellite,
        name=z_path.stem,
        source=str(z_path),
        checksum=_sha256(z_path),
    )
    if check:
        table.balance(rtol=rtol, atol=atol).raise_if_unbalanced(table.name)
    return table


def _read_wide(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype={0: str}, keep_default_na=False, na_values=[""])
    except (OSError, pd.errors.ParserError) as exc:
        raise IOTableFormatError(f"{path}: cannot read as CSV: {exc}") from exc
    frame = frame.set_index(frame.columns[0])
    frame.index = frame.index.astype(str)
    frame.columns = [str(c) for c in frame.columns]
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna().to_numpy()
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise IOTableFormatError(
            f"{path}, line {r + 2}, column {frame.columns[c]!r}: {frame.iat[r, c]!r} is not a number"
        )
    return numeric


def load_table(path: str | Path, *, kind: str = "auto", year: int = 2019, industry_path: str | Path | None = None,
               check: bool = True, rtol: float | None = None, atol: float = 1e-6) -> IOTable:
    """Load a table of any supported ``kind``: ``ons`` (IOAT long CSV), ``scotland`` (IxI xlsx), ``generic``.

    ``auto`` picks ``scotland`` for ``.xlsx``, ``ons`` for a CSV whose header starts ``row_code``, else
    ``generic`` (which needs ``industry_path``). ``rtol`` defaults to each loader's own (1e-6; Scotland 1e-5).
    """
    tol: dict[str, float] = {"atol": atol} if rtol is None else {"atol": atol, "rtol": rtol}
    path = Path(path)
    if not path.exists():
        raise IOTableFormatError(f"{path}: no such file")
    if kind == "auto":
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            kind = "scotland"
        else:
            with path.open(encoding="utf-8", errors="replace") as fh:
                head = fh.readline()
            kind = "ons" if head.lstrip("\ufeff").startswith("row_code") else "generic"
    if kind == "ons":
        return load_ons_ioat(path, check=check, **tol)
    if kind == "scotland":
        return load_scottish_ixi(path, year, check=check, **tol)
    if kind == "generic":
        if industry_path is None:
            raise IOTableFormatError(
                f"{path}: a generic Z table needs the per-industry file (final demand, value added, output)"
            )
        return load_generic(path, industry_path, check=check, **tol)
    raise IOTableFormatError(f"unknown table kind {kind!r}; expected auto, ons, scotland or generic")
