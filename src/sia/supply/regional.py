"""Regionalisation of a national input-output table with employment location quotients.

With regional and national employment by industry ``E_i^R``, ``E_i^N`` and totals ``TRE = sum_i E_i^R``,
``TNE = sum_i E_i^N``:

* **SLQ** (simple LQ): ``SLQ_i = (E_i^R / TRE) / (E_i^N / TNE)``; ``Q_ij = SLQ_i`` (row-wise).
* **CILQ** (cross-industry LQ; Schaffer & Chu 1969): ``CILQ_ij = SLQ_i / SLQ_j``, diagonal ``SLQ_i``
  (Round 1978's convention; the default, ``diagonal="slq"``) or 1, the ratio's own value ``SLQ_i / SLQ_i``
  (the textbook form, Miller & Blair 2009, section 8.3, ``diagonal="one"``, which leaves the
  intra-industry coefficients at their national value).
* **FLQ** (Flegg, Webber & Elliott 1995; Flegg & Webber 1997): ``FLQ_ij = CILQ_ij * lambda`` (diagonal
  ``SLQ_i * lambda``) with ONE regional-size scalar ``lambda = [log2(1 + TRE/TNE)]^delta``, ``0 <= delta < 1``
  (default ``delta = 0.3``). Note UtilMio (R) uses a sector-specific lambda instead; that is not Flegg's FLQ.
* **AFLQ** (augmented FLQ; Flegg & Webber 2000): ``AFLQ_ij = FLQ_ij * log2(1 + SLQ_j)`` when ``SLQ_j > 1``
  (column ``j``, diagonal included), ``FLQ_ij`` otherwise.

Regional coefficients (regional purchases from regional suppliers per unit of regional output) are the
national ones scaled **down only**: ``a_ij^R = a_ij^N * min(Q_ij, 1)``. Regional output is estimated with
national productivity, ``x_j^R = x_j^N * E_j^R / E_j^N``.

Conventions at zeros: an industry with no national employment (e.g. ``L68A`` imputed rent) has no
defined SLQ; it is given ``SLQ_i = 1`` (no information, no adjustment beyond lambda) and listed in
:attr:`RegionalTable.no_employment`. Where ``SLQ_j = 0`` (industry absent from the region)
``CILQ_ij = inf`` and the cap leaves ``a_ij`` unchanged, but the column has no regional output.

This module also maps SIC 2007 employment to IOAT industries (:func:`ioat_employment_from_sic5`,
:func:`load_nomis_ioat_employment`) with the SIC -> IOAT bridge and :class:`sia.membership.Membership`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sia.membership import Membership
from sia.supply.core import leontief_inverse, output_multipliers, technical_coefficients
from sia.supply.errors import IndustryMismatchError, IOTableError, IOTableFormatError, NegativeFlowError
from sia.supply.tables import IOTable

__all__ = [
    "METHODS",
    "EmploymentMapping",
    "RegionalTable",
    "aflq",
    "cilq",
    "flq",
    "flq_lambda",
    "ioat_employment_from_sic5",
    "load_employment_file",
    "load_nomis_ioat_employment",
    "load_sic_bridge",
    "location_quotients",
    "regionalise",
    "slq",
]

Method = Literal["slq", "cilq", "flq", "aflq"]
METHODS: tuple[str, ...] = ("slq", "cilq", "flq", "aflq")
Diagonal = Literal["slq", "one"]
DIAGONALS: tuple[str, ...] = ("slq", "one")


# ----------------------------------------------------------------- quotients (pure numpy)
def slq(regional: np.ndarray, national: np.ndarray) -> np.ndarray:
    """Simple location quotient ``SLQ_i = (E_i^R/TRE)/(E_i^N/TNE)``; 1 where ``E_i^N = 0`` (see module notes)."""
    r = np.asarray(regional, dtype=np.float64)
    n = np.asarray(national, dtype=np.float64)
    tre, tne = r.sum(), n.sum()
    out = np.ones_like(r)
    np.divide(r / tre, n / tne, out=out, where=n > 0)
    return out


def cilq(regional: np.ndarray, national: np.ndarray, *, diagonal: Diagonal = "slq") -> np.ndarray:
    r"""Cross-industry location quotient.

    .. math:: CILQ_{ij} = \frac{SLQ_i}{SLQ_j} \quad (i \ne j), \qquad
              CILQ_{ii} = \begin{cases} SLQ_i & \text{diagonal="slq" (Round 1978; default)} \\
              1 & \text{diagonal="one" (the ratio's own value; textbook)} \end{cases}

    ``inf`` where ``SLQ_j = 0`` (off the diagonal), so the cap ``min(CILQ, 1)`` leaves ``a_ij`` unchanged.

    References: Schaffer & Chu (1969), "Nonsurvey techniques for constructing regional interindustry
    models", *Papers of the Regional Science Association* 23, 83-101; Round (1978), "An interregional
    input-output approach to the evaluation of nonsurvey methods", *Journal of Regional Science* 18(2),
    179-194; Miller & Blair (2009), *Input-Output Analysis*, 2nd ed., CUP, section 8.3 (cross-industry quotients).

    Parameters
    ----------
    regional, national
        Employment by industry ``(n,)``.
    diagonal
        ``"slq"`` (default) or ``"one"``.

    Examples
    --------
    >>> cilq(np.array([800.0, 1500.0]), np.array([5000.0, 20000.0]), diagonal="one")
    array([[1.        , 2.13333333],
           [0.46875   , 1.        ]])
    >>> np.diagonal(cilq(np.array([800.0, 1500.0]), np.array([5000.0, 20000.0])))
    array([1.73913043, 0.81521739])
    """
    if diagonal not in DIAGONALS:
        raise IOTableError(f"CILQ diagonal must be one of {DIAGONALS}, got {diagonal!r}")
    s = slq(regional, national)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = s[:, None] / s[None, :]
    q[np.isnan(q)] = np.inf  # 0/0: an industry absent from the region buying from another absent one
    np.fill_diagonal(q, s if diagonal == "slq" else 1.0)
    return q


def flq_lambda(regional_total: float, national_total: float, delta: float = 0.3) -> float:
    """Flegg's regional-size scalar ``lambda = [log2(1 + TRE/TNE)]^delta`` (Flegg et al. 1995, eq. 3)."""
    if not 0 <= delta < 1:
        raise IOTableError(f"FLQ delta must be in [0, 1), got {delta}")
    if national_total <= 0 or regional_total < 0 or regional_total > national_total:
        raise IOTableError(
            f"FLQ needs 0 <= regional total ({regional_total:g}) <= national total ({national_total:g})"
        )
    return float(np.log2(1.0 + regional_total / national_total) ** delta)


def flq(
    regional: np.ndarray, national: np.ndarray, delta: float = 0.3, *, diagonal: Diagonal = "slq"
) -> np.ndarray:
    """Flegg location quotient ``FLQ_ij = CILQ_ij * lambda`` (diagonal ``SLQ_i * lambda``, or ``lambda`` with
    ``diagonal="one"``: see :func:`cilq`), one scalar lambda."""
    r = np.asarray(regional, dtype=np.float64)
    n = np.asarray(national, dtype=np.float64)
    return cilq(r, n, diagonal=diagonal) * flq_lambda(r.sum(), n.sum(), delta)


def aflq(
    regional: np.ndarray, national: np.ndarray, delta: float = 0.3, *, diagonal: Diagonal = "slq"
) -> np.ndarray:
    """Augmented FLQ (Flegg & Webber 2000): ``FLQ_ij * log2(1 + SLQ_j)`` for columns with ``SLQ_j > 1``."""
    s = slq(regional, national)
    factor = np.where(s > 1, np.log2(1.0 + s), 1.0)
    return flq(regional, national, delta, diagonal=diagonal) * factor[None, :]


def location_quotients(
    method: str, regional: np.ndarray, national: np.ndarray, delta: float = 0.3, *, diagonal: Diagonal = "slq"
) -> np.ndarray:
    """The ``(n, n)`` quotient matrix ``Q`` of a method; ``a^R = a^N * min(Q, 1)``.

    ``diagonal`` is the CILQ diagonal of ``cilq``, ``flq`` and ``aflq`` (:func:`cilq`); SLQ has none of its own.
    """
    if diagonal not in DIAGONALS:
        raise IOTableError(f"CILQ diagonal must be one of {DIAGONALS}, got {diagonal!r}")
    if method == "slq":
        s = slq(regional, national)
        return np.repeat(s[:, None], s.size, axis=1)
    if method == "cilq":
        return cilq(regional, national, diagonal=diagonal)
    if method == "flq":
        return flq(regional, national, delta, diagonal=diagonal)
    if method == "aflq":
        return aflq(regional, national, delta, diagonal=diagonal)
    raise IOTableError(f"unknown regionalisation method {method!r}; expected one of {METHODS}")


# ----------------------------------------------------------------- regional table
@dataclass(frozen=True)
class RegionalTable:
    """A national table regionalised with location quotients.

    Attributes
    ----------
    A
        Regional input coefficients ``a_ij^R = a_ij^N min(Q_ij, 1)`` (intra-regional purchases).
    A_national
        The national coefficients.
    quotients
        ``Q`` of the method (before the cap at 1).
    x
        Regional output estimate ``x_j^N E_j^R / E_j^N`` (0 where ``E_j^N = 0``).
    lam
        Flegg's lambda (NaN for SLQ and CILQ).
    no_employment
        Industries with zero national employment (SLQ set to 1).
    diagonal
        The CILQ diagonal used by ``cilq``, ``flq`` and ``aflq`` (``"slq"`` or ``"one"``; :func:`cilq`).
    """

    industries: tuple[str, ...]
    A: np.ndarray
    A_national: np.ndarray
    quotients: np.ndarray
    x: np.ndarray
    x_national: np.ndarray
    employment_region: np.ndarray
    employment_nation: np.ndarray
    method: str
    delta: float
    lam: float
    area: str
    no_employment: tuple[str, ...]
    labels: tuple[str, ...] = ()
    diagonal: str = "slq"

    @property
    def slq(self) -> np.ndarray:
        return slq(self.employment_region, self.employment_nation)

    @property
    def Z(self) -> np.ndarray:
        """Estimated intra-regional flows ``Z^R = A^R diag(x^R)``."""
        return self.A * self.x[None, :]

    def leontief(self) -> np.ndarray:
        """Regional Leontief inverse ``(I - A^R)^-1``."""
        return leontief_inverse(self.A, self.industries)

    def output_multipliers(self) -> np.ndarray:
        """Regional Type I output multipliers (column sums of the regional Leontief inverse)."""
        return output_multipliers(self.leontief())

    def summary_frame(self) -> pd.DataFrame:
        """Per industry: employment, SLQ, regional output, regional and national output multipliers, retained share."""
        L_n = leontief_inverse(self.A_national, self.industries)
        col_n = self.A_national.sum(axis=0)
        retained = np.full(col_n.shape, np.nan)
        np.divide(self.A.sum(axis=0), col_n, out=retained, where=col_n > 0)
        return pd.DataFrame(
            {
                "industry": list(self.industries),
                "employment_region": self.employment_region,
                "employment_nation": self.employment_nation,
                "slq": self.slq,
                "output_region": self.x,
                "output_multiplier_region": self.output_multipliers(),
                "output_multiplier_nation": output_multipliers(L_n),
                "intermediate_retained_share": retained,
            }
        )


def _aligned(values: np.ndarray | pd.Series | Mapping[str, float], industries: Sequence[str], what: str) -> np.ndarray:
    if isinstance(values, Mapping) and not isinstance(values, pd.Series):
        values = pd.Series(dict(values), dtype=np.float64)
    if isinstance(values, pd.Series):
        idx = [str(i) for i in values.index]
        missing = [c for c in industries if c not in idx]
        extra = [c for c in idx if c not in set(industries)]
        if missing or extra:
            raise IndustryMismatchError(
                f"{what} industries do not match the table: missing {missing[:10]}"
                f"{' ...' if len(missing) > 10 else ''}, not in the table {extra[:10]}"
            )
        values = pd.Series(values.to_numpy(np.float64), index=idx).reindex(list(industries)).to_numpy()
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.shape[0] != len(industries):
        raise IndustryMismatchError(f"{what} has {arr.shape[0]} values for {len(industries)} industries")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise IOTableError(f"{what} for industry {industries[bad[0]]!r} is {arr[bad[0]]} (expected a number)")
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        raise NegativeFlowError(f"{what} for industry {industries[neg[0]]!r} is negative: {arr[neg[0]]:g}")
    return arr


def regionalise(
    table: IOTable,
    regional_employment: np.ndarray | pd.Series | Mapping[str, float],
    national_employment: np.ndarray | pd.Series | Mapping[str, float],
    *,
    method: str = "flq",
    delta: float = 0.3,
    area: str = "",
    diagonal: Diagonal = "slq",
) -> RegionalTable:
    """Regionalise a national table with an LQ ``method`` (``slq``, ``cilq``, ``flq``, ``aflq``).

    ``diagonal`` sets the CILQ diagonal of ``cilq``, ``flq`` and ``aflq``: ``"slq"`` (default, Round's
    ``SLQ_i``) or ``"one"`` (the textbook ``CILQ_ii = 1``, intra-industry coefficients kept national before
    lambda); see :func:`cilq`.

    Employment is given per industry: a ``pandas.Series`` or mapping keyed by the table's industry codes
    (the same set exactly, else :class:`IndustryMismatchError` naming the differences), or an array in
    table order. Regional employment above national employment for an industry is an error.
    """
    if method not in METHODS:
        raise IOTableError(f"unknown regionalisation method {method!r}; expected one of {METHODS}")
    ind = table.industries
    er = _aligned(regional_employment, ind, "regional employment")
    en = _aligned(national_employment, ind, "national employment")
    over = np.flatnonzero(er > en)
    if over.size:
        i = over[0]
        raise IOTableError(
            f"regional employment exceeds national employment for {len(over)} industries, first {ind[i]!r}: "
            f"{er[i]:g} > {en[i]:g}"
        )
    if er.sum() <= 0:
        raise IOTableError(f"regional employment for area {area!r} sums to {er.sum():g}")
    A_n = technical_coefficients(table.Z, table.x)
    Q = location_quotients(method, er, en, delta, diagonal=diagonal)
    A_r = A_n * np.minimum(Q, 1.0)
    share = np.zeros_like(er)
    np.divide(er, en, out=share, where=en > 0)
    lam = flq_lambda(er.sum(), en.sum(), delta) if method in ("flq", "aflq") else float("nan")
    return RegionalTable(
        industries=ind,
        A=A_r,
        A_national=A_n,
        quotients=Q,
        x=table.x * share,
        x_national=table.x.copy(),
        employment_region=er,
        employment_nation=en,
        method=method,
        delta=delta,
        lam=lam,
        area=area,
        no_employment=tuple(ind[i] for i in np.flatnonzero(en == 0)),
        labels=table.labels,
        diagonal=diagonal,
    )


# ----------------------------------------------------------------- SIC -> IOAT employment
@dataclass(frozen=True)
class EmploymentMapping:
    """Employment by IO industry (rows) and area (columns), with what was set aside.

    ``unmatched`` lists the SIC codes that no bridge key covers, with their total employment (kept out of
    every industry and reported).
    """

    frame: pd.DataFrame
    unmatched: pd.DataFrame
    source: str
    year: int

    def to_long(self) -> pd.DataFrame:
        """Tidy ``industry, area, employment``."""
        long = self.frame.reset_index().melt(id_vars="industry", var_name="area", value_name="employment")
        return long[["industry", "area", "employment"]]


def load_sic_bridge(path: str | Path) -> pd.Series:
    """Read the SIC -> IOAT bridge (``bres_industry, iaot_industry_code, desc``) as ``{SIC key: IOAT code}``.

    Keys are SIC 2007 divisions (2 digits), groups (3) or classes (4) without dots; a key listed twice with
    different industries is an error.
    """
    path = Path(path)
    try:
        b = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise IOTableFormatError(f"{path}: cannot read as CSV: {exc}") from exc
    need = ["bres_industry", "iaot_industry_code"]
    if any(c not in b.columns for c in need):
        raise IOTableFormatError(f"{path}: expected columns {need}, found {list(b.columns)}")
    b["bres_industry"] = b["bres_industry"].str.strip()
    conflict = b.groupby("bres_industry")["iaot_industry_code"].nunique()
    if (conflict > 1).any():
        key = conflict.index[conflict > 1][0]
        raise IOTableFormatError(f"{path}: SIC key {key!r} maps to several IOAT industries")
    return b.drop_duplicates("bres_industry").set_index("bres_industry")["iaot_industry_code"]


def _bridge_membership(codes: pd.Index, bridge: pd.Series, industries: Sequence[str]) -> tuple[Membership, np.ndarray]:
    """Membership SIC code -> IOAT industry by the longest bridge key that prefixes the code."""
    s = pd.Series(codes.astype(str), index=codes)
    target = pd.Series(pd.NA, index=codes, dtype=object)
    for width in (5, 4, 3, 2):  # longest key first
        hit = s.str[:width].map(bridge)
        target = target.fillna(hit)
    matched = target.notna().to_numpy()
    unknown = sorted(set(target[matched]) - set(industries))
    if unknown:
        raise IndustryMismatchError(f"bridge industries not in the table's industry list: {unknown}")
    pairs = list(zip(s[matched].tolist(), target[matched].tolist(), strict=True))
    member = Membership.from_pairs(pairs, source=list(s), target=list(industries), target_level="IOAT industry")
    return member, matched


def ioat_employment_from_sic5(
    path: str | Path,
    bridge_path: str | Path,
    industries: Sequence[str],
    *,
    year: int,
    areas: Mapping[str, Sequence[str]] | None = None,
) -> EmploymentMapping:
    """Employment by IOAT industry for groups of areas, from BRES SIC 5-digit employment.

    ``path``: CSV (optionally gzipped) with ``DATE, GEOGRAPHY_CODE, INDUSTRY_CODE, EMPLOYMENT`` (the shared
    ``bres_itl2_sic5_employment_2015_2021.csv.gz``). Each SIC subclass is rolled up to the IOAT industry
    whose bridge key (4-, 3- or 2-digit SIC) is the longest prefix of its code; codes no key covers are
    reported in :attr:`EmploymentMapping.unmatched`. ``areas`` maps an output area name to the
    geography codes summed into it (e.g. ``{"TLG": ["UKG1", "UKG2", "UKG3"]}``); the default is one
    column per geography code plus ``"GB"``, the sum of all.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype={"INDUSTRY_CODE": str, "GEOGRAPHY_CODE": str})
    except (OSError, pd.errors.ParserError) as exc:
        raise IOTableFormatError(f"{path}: cannot read as CSV: {exc}") from exc
    need = ["DATE", "GEOGRAPHY_CODE", "INDUSTRY_CODE", "EMPLOYMENT"]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise IOTableFormatError(f"{path}: missing columns {missing}; expected {need}")
    raw = raw[raw["DATE"].astype(int) == int(year)]
    if raw.empty:
        raise IOTableFormatError(f"{path}: no rows for year {year}")
    emp = pd.to_numeric(raw["EMPLOYMENT"], errors="coerce")
    if emp.isna().any():
        i = int(np.flatnonzero(emp.isna().to_numpy())[0])
        raise IOTableFormatError(
            f"{path}: row for {raw['GEOGRAPHY_CODE'].iloc[i]} / {raw['INDUSTRY_CODE'].iloc[i]}, column EMPLOYMENT: "
            f"{raw['EMPLOYMENT'].iloc[i]!r} is not a number"
        )
    wide = raw.assign(EMPLOYMENT=emp).pivot_table(
        index="INDUSTRY_CODE", columns="GEOGRAPHY_CODE", values="EMPLOYMENT", aggfunc="sum", fill_value=0.0
    )
    geos = list(wide.columns)
    if areas is None:
        areas = {**{g: [g] for g in geos}, "GB": geos}
    absent = sorted({g for members in areas.values() for g in members} - set(geos))
    if absent:
        raise IOTableFormatError(f"{path}: geography codes {absent} not in the file for {year}; it has {geos}")
    geo_member = Membership.from_pairs(
        [(g, a) for a, members in areas.items() for g in members], source=geos, target=list(areas)
    )
    by_area = wide.to_numpy() @ geo_member.matrix.T.toarray()  # codes x areas
    bridge = load_sic_bridge(bridge_path)
    member, matched = _bridge_membership(wide.index, bridge, industries)
    values = member.matrix @ by_area
    frame = pd.DataFrame(values, index=pd.Index(list(industries), name="industry"), columns=list(areas))
    unmatched = pd.DataFrame(by_area[~matched], index=wide.index[~matched], columns=list(areas))
    unmatched.index.name = "sic_code"
    return EmploymentMapping(frame, unmatched.reset_index(), str(path), int(year))


def load_nomis_ioat_employment(
    path: str | Path,
    bridge_path: str | Path,
    industries: Sequence[str],
    *,
    status: str = "Employment",
) -> EmploymentMapping:
    """Employment by IOAT industry from a raw NOMIS BRES extract at the IOAT's mixed SIC levels.

    ``path``: raw NOMIS API CSV (``DATE, GEOGRAPHY_CODE, INDUSTRY_CODE, EMPLOYMENT_STATUS_NAME, MEASURE_NAME,
    OBS_VALUE, ...``; the shared ``bres_gb_2021_at_ioat_sic_levels_nomis_raw.csv.gz``). Keeps the rows with
    ``EMPLOYMENT_STATUS_NAME == status`` (``Employment`` = employees + working owners) and ``MEASURE_NAME ==
    Count``; each ``INDUSTRY_CODE`` must be a bridge key (unknown codes are reported as unmatched).
    One column per geography code.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype={"INDUSTRY_CODE": str, "GEOGRAPHY_CODE": str, "OBS_VALUE": str})
    except (OSError, pd.errors.ParserError) as exc:
        raise IOTableFormatError(f"{path}: cannot read as CSV: {exc}") from exc
    need = ["DATE", "GEOGRAPHY_CODE", "INDUSTRY_CODE", "EMPLOYMENT_STATUS_NAME", "MEASURE_NAME", "OBS_VALUE"]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise IOTableFormatError(f"{path}: not a raw NOMIS BRES file, missing columns {missing}")
    statuses = sorted(raw["EMPLOYMENT_STATUS_NAME"].unique())
    sel = raw[(raw["EMPLOYMENT_STATUS_NAME"] == status) & (raw["MEASURE_NAME"] == "Count")]
    if sel.empty:
        raise IOTableFormatError(f"{path}: no Count rows for employment status {status!r}; statuses: {statuses}")
    vals = pd.to_numeric(sel["OBS_VALUE"], errors="coerce")
    if vals.isna().any():
        i = int(np.flatnonzero(vals.isna().to_numpy())[0])
        line = int(sel.index[i]) + 2
        raise IOTableFormatError(f"{path}, line {line}, column OBS_VALUE: {sel['OBS_VALUE'].iloc[i]!r} is not a number")
    years = sel["DATE"].unique()
    if len(years) != 1:
        raise IOTableFormatError(f"{path}: several years {sorted(years)}; expected one")
    wide = sel.assign(v=vals).pivot_table(
        index="INDUSTRY_CODE", columns="GEOGRAPHY_CODE", values="v", aggfunc="sum", fill_value=0.0
    )
    bridge = load_sic_bridge(bridge_path)
    matched = wide.index.isin(bridge.index)
    pairs = [(c, bridge[c]) for c in wide.index[matched]]
    unknown = sorted({t for _, t in pairs} - set(industries))
    if unknown:
        raise IndustryMismatchError(f"bridge industries not in the table's industry list: {unknown}")
    member = Membership.from_pairs(pairs, source=list(wide.index), target=list(industries))
    frame = pd.DataFrame(
        member.matrix @ wide.to_numpy(), index=pd.Index(list(industries), name="industry"), columns=list(wide.columns)
    )
    unmatched = wide[~matched].copy()
    unmatched.index.name = "sic_code"
    return EmploymentMapping(frame, unmatched.reset_index(), str(path), int(years[0]))


def load_employment_file(
    path: str | Path, *, area: str, national: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Read regional and national employment by industry from a CSV.

    Two layouts are accepted:

    * long: columns ``industry, area, employment`` (as written by ``sia io employment``);
    * wide: first column the industry codes, one column per area (e.g. ``sector, region, nation``).

    ``area`` selects the region; ``national`` the reference area. Without ``national`` the reference is the
    sum over every area in the file, which is right only when the file's areas partition the nation (pass
    ``national`` otherwise, e.g. ``--national GB``).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise IOTableFormatError(f"{path}: cannot read as CSV: {exc}") from exc
    cols = [c.strip() for c in df.columns]
    df.columns = cols
    if {"industry", "area", "employment"} <= set(cols):
        vals = pd.to_numeric(df["employment"], errors="coerce")
        if vals.isna().any():
            i = int(np.flatnonzero(vals.isna().to_numpy())[0])
            raise IOTableFormatError(
                f"{path}, line {i + 2}, column employment: {df['employment'].iloc[i]!r} is not a number"
            )
        wide = df.assign(employment=vals).pivot_table(
            index="industry", columns="area", values="employment", aggfunc="sum", fill_value=0.0
        )
    else:
        wide = df.set_index(cols[0])
        num = wide.apply(pd.to_numeric, errors="coerce")
        if num.isna().to_numpy().any():
            r, c = np.argwhere(num.isna().to_numpy())[0]
            raise IOTableFormatError(
                f"{path}, line {r + 2}, column {wide.columns[c]!r}: {wide.iat[r, c]!r} is not a number"
            )
        wide = num
    wide.index = wide.index.astype(str)
    if area not in wide.columns:
        raise IOTableFormatError(f"{path}: area {area!r} not found; areas are {list(wide.columns)}")
    if national is not None:
        if national not in wide.columns:
            raise IOTableFormatError(f"{path}: national area {national!r} not found; areas are {list(wide.columns)}")
        nat = wide[national]
    else:
        nat = wide.sum(axis=1)
    return wide[area].astype(float), nat.astype(float)
