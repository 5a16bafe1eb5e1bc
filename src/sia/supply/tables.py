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
* :func:`load_scottish_ixi` -- Scottish Government IxI tables (``IxI_wide.xlsx``, 1998-2019), one year;
  :func:`load_scottish_ixi_years` -- several years from one read of the workbook.
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
    "DEFAULT_ATOL",
    "DEFAULT_RTOL",
    "SCOT_ATOL",
    "SCOT_RTOL",
    "BalanceReport",
    "IOTable",
    "balance_report",
    "load_generic",
    "load_ons_ioat",
    "load_scottish_ixi",
    "load_scottish_ixi_years",
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

#: Default balance tolerance (ONS IOAT, generic tables): ``|diff| <= max(DEFAULT_ATOL, DEFAULT_RTOL * |output|)``.
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-6
#: Scottish IxI balance tolerance, relative part. Rows are published to balance to ``TOT_USE``, which differs
#: from ``TOut`` by rounding, worst in oil & gas ``IOC098_007``: 1.41e-5 of output in 2008 (0.00561 on 398.2),
#: 1.05e-5 in 2010, 2.6e-6 in 2019 (see :func:`load_scottish_ixi`). 1e-4 passes every published year with a
#: sevenfold margin and still fails a table that is out by 0.01 % of an industry's output.
SCOT_RTOL = 1e-4
#: Scottish IxI balance tolerance, absolute floor in GBP million (GBP 1,000) for tiny or zero outputs: cells
#: are published to 1e-6 GBP million, so a sum of ~110 rounded cells can be out by ~5.5e-5.
SCOT_ATOL = 1e-3


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
    balance_rtol, balance_atol
        The balance tolerance the loader checked the table with; :meth:`balance` uses it by default
        (see :class:`BalanceReport` for the rule).
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
    balance_rtol: float = DEFAULT_RTOL
    balance_atol: float = DEFAULT_ATOL

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

    def balance(self, *, rtol: float | None = None, atol: float | None = None) -> BalanceReport:
        """Row and column balance per industry (see :func:`balance_report`).

        ``rtol`` and ``atol`` default to the table's own :attr:`balance_rtol` and :attr:`balance_atol`
        (the tolerance its loader used).
        """
        return balance_report(
            self,
            rtol=self.balance_rtol if rtol is None else rtol,
            atol=self.balance_atol if atol is None else atol,
        )


def _replace(table: IOTable, **changes: object) -> IOTable:
    from dataclasses import replace

    return replace(table, **changes)


@dataclass(frozen=True)
class BalanceReport:
    r"""Per-industry balance of a table.

    ``frame`` has columns ``industry, output, row_total, row_diff, column_total, column_diff`` where
    ``row_total = sum_j Z[i, j] + sum_k Y[i, k]`` (total use) and ``column_total = sum_i Z[i, j] +
    sum_m V[m, j]`` (total inputs); diffs are ``total - output``.

    Notes
    -----
    Industry ``i`` is out of balance (on its row or its column) when

    .. math:: |d_i| > \tau_i = \max(\mathrm{atol},\ \mathrm{rtol} \cdot |x_i|),

    with ``d_i`` the row or column difference and ``x_i`` its output: a relative test for ordinary
    industries and an absolute floor for tiny or zero outputs. Published tables are rounded cell by cell
    and their totals are rounded separately, so a purely absolute test fails large industries on rounding
    alone, and a purely relative one cannot pass a zero-output industry. Taking the larger of the two
    tolerances is the rule of Python's ``math.isclose`` (PEP 485, "Approximate equality", 2015).
    """

    frame: pd.DataFrame
    rtol: float
    atol: float

    @property
    def tolerance(self) -> pd.Series:
        """Per-industry tolerance ``max(atol, rtol * |output|)``."""
        return np.maximum(self.atol, self.rtol * self.frame["output"].abs())

    @property
    def unbalanced(self) -> pd.DataFrame:
        """Rows of :attr:`frame` outside the tolerance (row or column)."""
        f = self.frame
        tol = self.tolerance
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
            f"{len(self.unbalanced)} of {len(f)} industries outside max(atol={self.atol:g}, "
            f"rtol={self.rtol:g} * |output|)"
        )

    def failures(self) -> pd.DataFrame:
        """One row per failing check, worst first.

        Columns ``industry, side, total, output, diff, relative, tolerance``; ``side`` is ``row`` (total use
        ``Z 1 + Y 1``) or ``column`` (total inputs ``1'Z + 1'V``); ``relative = diff / output`` (NaN for
        zero output).
        """
        f = self.frame
        tol = self.tolerance
        parts = []
        for side in ("row", "column"):
            hit = f[f[f"{side}_diff"].abs() > tol]
            out = hit["output"].to_numpy(float)
            diff = hit[f"{side}_diff"].to_numpy(float)
            rel = np.full_like(diff, np.nan)
            np.divide(diff, out, out=rel, where=out != 0)
            parts.append(pd.DataFrame({
                "industry": hit["industry"].to_numpy(), "side": side,
                "total": hit[f"{side}_total"].to_numpy(float), "output": out, "diff": diff,
                "relative": rel, "tolerance": tol[hit.index].to_numpy(float),
            }))
        fails = pd.concat(parts, ignore_index=True)
        order = np.argsort(-(fails["diff"].abs() / fails["tolerance"]).to_numpy(), kind="stable")
        return fails.iloc[order].reset_index(drop=True)

    def raise_if_unbalanced(self, name: str = "", source: str | Path = "") -> None:
        """Raise :class:`UnbalancedTableError` in one line naming the file, the worst rows/columns and the gaps.

        Example: ``IxI.xlsx: table 'Scottish Government IxI 2008' is unbalanced: 1 of 98 industries beyond
        max(atol=0.001, rtol=1e-06 * |output|): row IOC098_007 total use 398.227 vs output 398.221 (diff
        +0.00561, +1.4e-05 of output)``. At most five checks are listed, the worst (relative to the
        tolerance) first.
        """
        bad = self.unbalanced
        if bad.empty:
            return
        fails = self.failures()
        what = {"row": "total use", "column": "total inputs"}
        items = "; ".join(
            f"{r.side} {r.industry} {what[r.side]} {r.total:.6g} vs output {r.output:.6g} (diff {r.diff:+.3g}"
            + (f", {r.relative:+.2g} of output)" if np.isfinite(r.relative) else ")")
            for r in fails.head(5).itertuples()
        )
        more = f"; and {len(fails) - 5} more" if len(fails) > 5 else ""
        prefix = f"{source}: " if str(source) else ""
        raise UnbalancedTableError(
            f"{prefix}table {name!r} is unbalanced: {len(bad)} of {len(self.frame)} industries beyond "
            f"max(atol={self.atol:g}, rtol={self.rtol:g} * |output|): {items}{more}"
        )


def balance_report(table: IOTable, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> BalanceReport:
    """Check ``Z 1 + Y 1 = x`` (row balance) and ``1'Z + 1'V = x'`` (column balance) per industry.

    An industry fails when ``|diff| > max(atol, rtol * |output|)`` (see :class:`BalanceReport`). The
    column check needs the full set of primary inputs (imports, product taxes, value added); a table built
    without them (``primary`` empty) reports ``column_total = NaN`` and is judged on rows only.
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
def load_ons_ioat(
    path: str | Path, *, check: bool = True, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL
) -> IOTable:
    """Load the ONS IOAT industry-by-industry domestic use table from its long form.

    Parameters
    ----------
    path
        CSV with columns ``row_code, row_label, col_code, col_label, value_gbp_million``. Rows with a blank
        ``row_code`` (imports, product taxes, purchasers' total) are keyed by their label.
    check
        Raise :class:`UnbalancedTableError` when a row or column is out of balance beyond the tolerance.
    rtol, atol
        Balance tolerance: an industry is out of balance when ``|total - output| > max(atol, rtol * |output|)``
        (:class:`BalanceReport`). The 2019 table balances to 1.2e-10 GBP million.

    Returns
    -------
    IOTable
        105 industries, ``Y`` = :data:`ONS_FINAL_DEMAND`, primary inputs :data:`ONS_PRIMARY`, ``x = P1``.

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
        balance_rtol=rtol,
        balance_atol=atol,
    )
    gva_row = wide.loc["GVA", row_ind].to_numpy() if "GVA" in wide.index else None
    if gva_row is not None and not np.allclose(table.gva, gva_row, rtol=1e-9, atol=1e-6):
        j = int(np.argmax(np.abs(table.gva - gva_row)))
        raise UnbalancedTableError(
            f"{path}: GVA components D1 + GOS & MI + D29-D39 = {table.gva[j]:.6g} differ from the GVA row "
            f"{gva_row[j]:.6g} for industry {row_ind[j]!r}"
        )
    if check:
        table.balance().raise_if_unbalanced(table.name, path)
    return table


def load_scottish_ixi(
    path: str | Path,
    year: int = 2019,
    *,
    check: bool = True,
    rtol: float = SCOT_RTOL,
    atol: float = SCOT_ATOL,
) -> IOTable:
    """Load one year of the Scottish Government industry-by-industry table (``IxI_wide.xlsx``).

    Parameters
    ----------
    path
        The machine-readable ``IxI_wide.xlsx`` of the Scottish Government "Supply, Use and Input-Output
        Tables" (1998-2019 edition: one sheet, 22 years stacked).
    year
        The year to load.
    check
        Raise :class:`UnbalancedTableError` when a row or column is out of balance beyond the tolerance.
    rtol, atol
        Balance tolerance (:class:`BalanceReport`): industry ``i`` fails when
        ``|total_i - x_i| > max(atol, rtol * |x_i|)``. Defaults :data:`SCOT_RTOL` = 1e-4 and
        :data:`SCOT_ATOL` = 1e-3 GBP million, which every published year passes (below).

    Returns
    -------
    IOTable
        98 industries; ``household_consumption="HOUSEHOLD"``, ``compensation="CoE"``.

    Raises
    ------
    UnbalancedTableError
        One line naming the file, the year, the industry row or column and the difference.
    IOTableFormatError
        Missing columns, a year not in the file, an unexpected row layout or a blank cell.

    Notes
    -----
    The sheet stacks 22 years (1998-2019) of 108 rows: 98 industries (``IOC098_001`` ... ``IOC098_098``, in
    that order; the row keys are the SIC descriptions ``ioc098_sic``), then ``TDU, RUKImp, RoWImp, TIU,
    TlSPrds, TlSPrdn, CoE, GOS, GVA, TOut``. ``Z`` holds the Scottish domestic flows (rows 1-98), ``Y`` the
    final-demand columns :data:`SCOT_FINAL_DEMAND` (totals ``TOT_*`` excluded), primary inputs the imports
    from the rest of the UK and the rest of the world, product taxes and value added; ``x = TOut``.

    Columns balance to ``TOut`` exactly (< 4e-12). Rows balance to ``TOT_USE``, which differs from ``TOut``
    by rounding, in every year worst for ``IOC098_007`` (oil and gas): 0.00561 GBP million on an output of
    398.2 in 2008 (1.41e-5 of output), 0.00347 on 331.4 in 2010 (1.05e-5), 0.00144 on 547.6 in 2019
    (2.6e-6); every other industry and year is within 1e-6 of output. A relative tolerance is therefore
    used (an absolute or a 1e-5 one rejects 2008 and 2010). ``IOC098_019`` has zero output in every year.

    The file holds no household income total: the Scottish Government's Type II multipliers close the model
    with an outside total household income, which :func:`sia.supply.core.multipliers` takes as
    ``household_income=<GBP million>`` (see :class:`sia.supply.core.HouseholdClosure`).

    References
    ----------
    Scottish Government (2022) *Input-Output Tables 1998-2019*, released 26 October 2022; *Input-Output
    Methodology Guide* (version 6, November 2021), Office of the Chief Economic Adviser.
    """
    path = Path(path)
    raw = _read_scottish_sheet(path)
    return _scottish_year(raw, path, year, _sha256(path), check=check, rtol=rtol, atol=atol)


def load_scottish_ixi_years(
    path: str | Path,
    years: Sequence[int] | None = None,
    *,
    check: bool = True,
    rtol: float = SCOT_RTOL,
    atol: float = SCOT_ATOL,
) -> dict[int, IOTable]:
    """Load several (default: all) years of ``IxI_wide.xlsx``, reading the workbook once.

    Parameters
    ----------
    path
        ``IxI_wide.xlsx`` (see :func:`load_scottish_ixi`).
    years
        Years to load; ``None`` loads every year in the file.
    check, rtol, atol
        As for :func:`load_scottish_ixi`; every year is checked with the same tolerance.

    Returns
    -------
    dict of int to IOTable
        One table per year, in year order.
    """
    path = Path(path)
    raw = _read_scottish_sheet(path)
    available = sorted(int(v) for v in raw["year"].dropna().unique())
    checksum = _sha256(path)
    wanted = available if years is None else [int(y) for y in years]
    return {y: _scottish_year(raw, path, y, checksum, check=check, rtol=rtol, atol=atol) for y in wanted}


def _read_scottish_sheet(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_excel(path, sheet_name=0)
    except (OSError, ValueError) as exc:
        raise IOTableFormatError(f"{path}: cannot read as xlsx: {exc}") from exc
    codes = [f"IOC098_{i:03d}" for i in range(1, SCOT_N + 1)]
    need = ["year", "ioc098_sic", "ioc098_short_description", *codes, *SCOT_FINAL_DEMAND]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise IOTableFormatError(f"{path}: missing columns {missing[:10]}")
    return raw


def _scottish_year(
    raw: pd.DataFrame, path: Path, year: int, checksum: str, *, check: bool, rtol: float, atol: float
) -> IOTable:
    codes = [f"IOC098_{i:03d}" for i in range(1, SCOT_N + 1)]
    years = sorted(int(v) for v in raw["year"].dropna().unique())
    block = raw[raw["year"] == year].reset_index(drop=True)
    if block.empty:
        span = f"{years[0]}-{years[-1]}" if years else "none"
        raise IOTableFormatError(f"{path}: no rows for year {year}; years available {span}")
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
        checksum=checksum,
        notes=(
            f"year {year} of {years[0]}-{years[-1]}",
            "x = TOut (column total); TOT_USE used only as a check",
            "no household income total in the file: pass household_income=<GBP m> to reproduce the Scottish "
            "Government's Type II multipliers",
        ),
        balance_rtol=rtol,
        balance_atol=atol,
    )
    if check:
        table.balance().raise_if_unbalanced(table.name, path)
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
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> IOTable:
    """Load a table from a wide ``Z`` CSV and a per-industry CSV.

    ``z_path``: first column the seller industry codes, header the buyer codes (same list and order).
    ``industry_path``: first column the industry codes (same list), then the columns named in
    ``final_demand`` (``Y``), ``primary_inputs`` (rows of ``V``, given here as columns) and ``output``
    (``x``; when ``None`` or absent, ``x = Z 1 + Y 1``). Every other numeric column becomes a satellite
    account (e.g. ``employment``). ``gva_rows`` defaults to all primary inputs. Balance is checked with
    ``|total - output| <= max(atol, rtol * |output|)`` (:class:`BalanceReport`).
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
        balance_rtol=rtol,
        balance_atol=atol,
    )
    if check:
        table.balance().raise_if_unbalanced(table.name, z_path)
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
               check: bool = True, rtol: float | None = None, atol: float | None = None) -> IOTable:
    """Load a table of any supported ``kind``: ``ons`` (IOAT long CSV), ``scotland`` (IxI xlsx), ``generic``.

    ``auto`` picks ``scotland`` for ``.xlsx``, ``ons`` for a CSV whose header starts ``row_code``, else
    ``generic`` (which needs ``industry_path``). ``rtol`` and ``atol`` default to each loader's own
    (:data:`DEFAULT_RTOL`, :data:`DEFAULT_ATOL` = 1e-6; Scotland :data:`SCOT_RTOL` = 1e-4,
    :data:`SCOT_ATOL` = 1e-3); the rule is ``|total - output| <= max(atol, rtol * |output|)``.
    """
    tol: dict[str, float] = {}
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol
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
