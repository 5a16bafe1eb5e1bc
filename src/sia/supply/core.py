"""Leontief and Ghosh models: coefficients, inverses, multipliers (Type I and Type II).

Notation (Miller & Blair 2009, *Input-Output Analysis*, 2nd ed., ch. 2, 6, 12):

* ``A = Z diag(x)^-1`` technical (input) coefficients, ``a_ij`` = purchases from ``i`` per unit output of ``j``.
* ``L = (I - A)^-1`` Leontief inverse; ``x = L f`` for final demand ``f``.
* ``B = diag(x)^-1 Z`` allocation (output) coefficients; ``G = (I - B)^-1`` Ghosh inverse,
  ``x' = v' G`` for primary inputs ``v``; ``G = diag(x)^-1 L diag(x)``.
* Satellite coefficients ``s_j = F_j / x_j`` (jobs, GVA, compensation per unit output); multipliers
  ``m = s' L`` (pymrio's ``M = S L``); footprints ``D_cba = S L diag(y)`` and ``D_pba = S diag(L y)``
  (:func:`footprints`, pymrio's ``calc_accounts`` for one region).

Industries with zero output get zero coefficients (pymrio's convention: ``1/0 -> 0``).

The linear algebra uses one LU factorisation of ``I - A`` (``scipy.linalg.lu_factor``); an output vector
for a given final demand is a triangular solve (:func:`solve_leontief`). The full inverse is formed only
where it is itself the result (``L`` for multipliers, linkages and the ``leontief`` command), by solving
against the identity with that same factorisation.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.linalg as sla

from sia.supply.errors import IOTableError, SingularSystemError
from sia.supply.tables import IOTable

__all__ = [
    "Footprints",
    "HouseholdClosure",
    "HouseholdIncome",
    "close_households",
    "footprints",
    "ghosh_inverse",
    "leontief_inverse",
    "multipliers",
    "output_coefficients",
    "output_multipliers",
    "satellite_coefficients",
    "satellite_multipliers",
    "solve_leontief",
    "technical_coefficients",
]

MultiplierConvention = Literal["effect", "ratio"]
#: How the household income total ``W`` of a Type II closure is set: from the table (``"compensation"``,
#: ``"consumption"``) or an outside total in the table's unit (a number, e.g. the Scottish Government's
#: total household income); see :class:`HouseholdClosure`.
HouseholdIncome = Literal["compensation", "consumption"] | float


def _reciprocal(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    np.divide(1.0, x, out=out, where=x != 0)
    return out


def technical_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Technical coefficients ``A = Z diag(x)^-1``, ``a_ij = z_ij / x_j`` (Miller & Blair 2009, eq. 2.4).

    Columns of industries with ``x_j = 0`` are 0.
    """
    return np.asarray(Z, dtype=np.float64) * _reciprocal(x)[None, :]


def output_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Ghosh allocation coefficients ``B = diag(x)^-1 Z``, ``b_ij = z_ij / x_i`` (Ghosh 1958; M&B 2009, eq. 12.8).

    Rows of industries with ``x_i = 0`` are 0.
    """
    return _reciprocal(x)[:, None] * np.asarray(Z, dtype=np.float64)


def satellite_coefficients(F: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Satellite (stressor) coefficients ``s_j = F_j / x_j`` (pymrio ``S = F diag(x)^-1``); 0 where ``x_j = 0``."""
    return np.asarray(F, dtype=np.float64) * _reciprocal(x)


def _names(industries: Sequence[str] | None, n: int) -> list[str]:
    return list(industries) if industries is not None else [str(i) for i in range(n)]


def _factor(M: np.ndarray, industries: Sequence[str] | None, what: str) -> tuple[np.ndarray, np.ndarray]:
    """LU-factorise ``M = I - A`` (or ``I - B``); a singular matrix raises naming the industries involved."""
    n = M.shape[0]
    if M.shape != (n, n):
        raise IOTableError(f"{what}: coefficient matrix must be square, got {M.shape}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", sla.LinAlgWarning)
        try:
            lu, piv = sla.lu_factor(M, check_finite=True)
            singular = False
        except (sla.LinAlgWarning, np.linalg.LinAlgError, ValueError):
            singular = True
    if not singular:
        d = np.abs(np.diag(lu))
        scale = max(float(np.abs(M).max()), 1.0)
        singular = bool(d.min() <= n * np.finfo(float).eps * scale)
    if singular:
        # the right singular vector of the smallest singular value spans the null space: the industries
        # with large entries there form the closed loop that makes the system singular.
        _, sv, vt = np.linalg.svd(M)
        v = np.abs(vt[-1])
        involved = np.flatnonzero(v >= 0.1 * v.max())
        names = _names(industries, n)
        raise SingularSystemError(
            f"{what} is singular (smallest singular value {sv[-1]:.3g}): industries "
            f"{[names[i] for i in involved]} form a closed loop (their intermediate inputs use up all their output; "
            f"column sums of A: {', '.join(f'{names[i]}={1 - M[:, i].sum():.4g}' for i in involved[:5])})"
        )
    return lu, piv


def _check_productive(L: np.ndarray, industries: Sequence[str] | None, what: str) -> None:
    tol = 1e-9 * max(float(np.abs(L).max()), 1.0)
    neg_cols = np.flatnonzero((L < -tol).any(axis=0))
    if neg_cols.size:
        names = _names(industries, L.shape[0])
        raise SingularSystemError(
            f"{what} has negative entries in the columns of industries {[names[j] for j in neg_cols[:10]]}: "
            "the system is not productive (some industry needs more intermediate input than it produces; "
            "check that column sums of A are below 1)"
        )


def leontief_inverse(A: np.ndarray, industries: Sequence[str] | None = None) -> np.ndarray:
    """Leontief inverse ``L = (I - A)^-1`` (Leontief 1936; M&B 2009, eq. 2.11).

    The full inverse is the output here, so it is computed (LU factorisation, then solve against ``I``).
    Raises :class:`SingularSystemError` naming the industries when ``I - A`` is singular or ``L`` has
    negative entries (a non-productive system).
    """
    A = np.asarray(A, dtype=np.float64)
    n = A.shape[0]
    M = np.eye(n) - A
    lu, piv = _factor(M, industries, "I - A")
    L = sla.lu_solve((lu, piv), np.eye(n))
    _check_productive(L, industries, "the Leontief inverse (I - A)^-1")
    return L


def solve_leontief(A: np.ndarray, f: np.ndarray, industries: Sequence[str] | None = None) -> np.ndarray:
    """Output ``x`` solving ``(I - A) x = f`` (one LU factorisation, triangular solves; no inverse).

    ``f`` may be a vector ``(n,)`` or a matrix ``(n, k)`` of final-demand scenarios.
    """
    A = np.asarray(A, dtype=np.float64)
    lu, piv = _factor(np.eye(A.shape[0]) - A, industries, "I - A")
    return sla.lu_solve((lu, piv), np.asarray(f, dtype=np.float64))


def ghosh_inverse(
    B: np.ndarray,
    industries: Sequence[str] | None = None,
    *,
    L: np.ndarray | None = None,
    x: np.ndarray | None = None,
) -> np.ndarray:
    """Ghosh inverse ``G = (I - B)^-1`` (Ghosh 1958; M&B 2009, eq. 12.10).

    With ``L`` and strictly positive ``x`` given, uses the identity ``G = diag(x)^-1 L diag(x)``
    (no second factorisation); otherwise factorises ``I - B``.
    """
    if L is not None and x is not None and np.all(np.asarray(x) > 0):
        x = np.asarray(x, dtype=np.float64)
        return (np.asarray(L) / x[:, None]) * x[None, :]
    B = np.asarray(B, dtype=np.float64)
    n = B.shape[0]
    lu, piv = _factor(np.eye(n) - B, industries, "I - B")
    G = sla.lu_solve((lu, piv), np.eye(n))
    _check_productive(G, industries, "the Ghosh inverse (I - B)^-1")
    return G


def output_multipliers(L: np.ndarray) -> np.ndarray:
    """Simple output multipliers ``m_j = sum_i L_ij`` (column sums of ``L``; M&B 2009, eq. 6.1).

    Total output in all industries needed per unit of final demand for industry ``j`` (Type I when ``L``
    is the open-model inverse). Always >= 1 for a productive system.
    """
    return np.asarray(L).sum(axis=0)


def satellite_multipliers(
    L: np.ndarray, s: np.ndarray, convention: MultiplierConvention = "effect"
) -> np.ndarray:
    """Employment / GVA / income multipliers from coefficients ``s`` (per unit output).

    Conventions (M&B 2009, section 6.3):

    ``"effect"`` (default; pymrio's ``M = S L``)
        ``m_j = sum_i s_i L_ij``: jobs (or GVA, income) in the whole economy per unit of final demand for ``j``.
    ``"ratio"`` (the "Type I/II employment multiplier" of M&B and the Scottish Government)
        ``m_j = (sum_i s_i L_ij) / s_j``: total effect per unit of direct effect; NaN where ``s_j = 0``.
    """
    s = np.asarray(s, dtype=np.float64)
    effect = s @ np.asarray(L)
    if convention == "effect":
        return effect
    if convention == "ratio":
        out = np.full_like(effect, np.nan)
        np.divide(effect, s, out=out, where=s != 0)
        return out
    raise IOTableError(f"unknown multiplier convention {convention!r}; expected 'effect' or 'ratio'")


@dataclass(frozen=True)
class Footprints:
    """Stressor (satellite) accounts of a final-demand vector; see :func:`footprints`.

    Attributes
    ----------
    multipliers
        ``M = S L`` ``(stressors, n)``: stressor per unit of final demand for each product (pymrio ``M``).
    consumption
        ``D_cba = M diag(y)`` ``(stressors, n)``: the footprint of the final demand for each product, wherever
        the stressor arises along the supply chain (pymrio ``D_cba``).
    production
        ``D_pba = S diag(L y)`` ``(stressors, n)``: the stressor where it arises, in the industry producing the
        output that the final demand requires (pymrio ``D_pba``; ``F`` itself when ``y`` is the table's
        final demand).
    total
        ``(stressors,)``: ``D_cba`` summed over products plus the final-demand stressors ``F_Y`` (pymrio
        ``D_cba_reg``); equal to ``D_pba`` summed plus ``F_Y`` in a single-region table.
    """

    multipliers: np.ndarray
    consumption: np.ndarray
    production: np.ndarray
    total: np.ndarray


def footprints(
    S: np.ndarray, L: np.ndarray, y: np.ndarray, *, F_Y: np.ndarray | None = None
) -> Footprints:
    r"""Consumption- and production-based stressor accounts (footprints) of final demand ``y``.

    .. math::

        M = S L, \qquad D^{cba} = M \operatorname{diag}(y), \qquad
        D^{pba} = S \operatorname{diag}(L y), \qquad
        d = D^{cba} \mathbf{1} + F_Y \mathbf{1} = D^{pba} \mathbf{1} + F_Y \mathbf{1}

    ``S`` holds stressor coefficients per unit of output (:func:`satellite_coefficients`: jobs, GVA,
    emissions); ``L`` may be a national or a regionalised Leontief inverse (the regional footprint of the
    regional final demand). A consumption-based account assigns the whole supply-chain stressor to the product
    bought by the final user; the production-based one leaves it in the industry where it occurs.

    References: Miller & Blair (2009), *Input-Output Analysis*, 2nd ed., ch. 10 (environmental IO);
    pymrio (Stadler 2021, *Journal of Open Research Software* 9:8), ``calc_M``, ``calc_accounts`` and the
    ``D_cba_reg`` / ``D_pba_reg`` of ``Extension.calc_system`` (single-region case: no import/export split).

    Parameters
    ----------
    S
        Stressor coefficients ``(stressors, n)``, or ``(n,)`` for one stressor.
    L
        Leontief inverse ``(n, n)``.
    y
        Final demand ``(n,)``, or ``(n, k)`` by final-demand category, summed over the categories (as
        pymrio aggregates ``Y`` per region before its accounts).
    F_Y
        Stressors emitted directly by final demand (e.g. household fuel combustion), ``(stressors,)`` or
        ``(stressors, k)``; added to ``total`` only.

    Returns
    -------
    Footprints
        ``multipliers``, ``consumption``, ``production`` ``(stressors, n)`` and ``total`` ``(stressors,)``
        (one dimension fewer each for a 1-D ``S``).

    Examples
    --------
    >>> A = np.array([[0.1, 0.3], [0.2, 0.1]])
    >>> L = np.linalg.inv(np.eye(2) - A)
    >>> fp = footprints(np.array([[0.5, 2.0]]), L, np.array([100.0, 50.0]))
    >>> np.round(fp.consumption, 2), np.round(fp.production, 2), np.round(fp.total, 2)
    (array([[113.33, 130.  ]]), array([[ 70.  , 173.33]]), array([243.33]))
    """
    S = np.asarray(S, dtype=np.float64)
    L = np.asarray(L, dtype=np.float64)
    yv = np.asarray(y, dtype=np.float64)
    if yv.ndim == 2:
        yv = yv.sum(axis=1)
    n = L.shape[0]
    if L.shape != (n, n) or yv.shape != (n,) or S.shape[-1] != n:
        raise IOTableError(f"footprints: S {S.shape}, L {L.shape} and y {np.shape(y)} do not match")
    M = S @ L
    cba = M * yv
    prod = S * (L @ yv)
    total = cba.sum(axis=-1)
    if F_Y is not None:
        fy = np.asarray(F_Y, dtype=np.float64)
        if fy.ndim == total.ndim + 1:  # by final-demand category
            fy = fy.sum(axis=-1)
        if fy.shape != total.shape:
            raise IOTableError(f"footprints: F_Y {np.shape(F_Y)} does not match {S.shape[:-1]} stressors")
        total = total + fy
    return Footprints(M, cba, prod, total)


@dataclass(frozen=True)
class HouseholdClosure:
    r"""The model closed to households (Type II), ``(n+1) x (n+1)``.

    .. math::

        A^{*} = \begin{pmatrix} A & c \\ h' & 0 \end{pmatrix}, \qquad
        h_j = \frac{\mathrm{CoE}_j}{x_j}, \qquad c_i = \frac{C_i}{W}, \qquad L^{*} = (I - A^{*})^{-1},

    with ``h`` the household row (compensation of employees per unit output, 0 where ``x_j = 0``) and ``c``
    the household column (household consumption of domestic product ``i`` per unit of household income
    ``W``). Type II multipliers use the industry block ``L*[:n, :n]`` (M&B 2009, section 6.2, eq. 6.14).

    ``income`` records how ``W`` was set:

    ``"compensation"``
        ``W = sum_j CoE_j``: households' income is the compensation the table records (M&B 2009, section
        6.2.1). Every pound of wages is re-spent in the proportions of ``C``.
    ``"consumption"``
        ``W = sum_i C_i``: all domestic household consumption is spent out of labour income (column sums to 1
        over domestic products; a larger induced effect).
    ``"outside"``
        ``W`` supplied by the user: total household income from all sources, which is not in the IO table.
        This is the Scottish Government's closure (household column = household consumption over total
        household income, household row = compensation of employees over output), so only the share
        ``sum_i C_i / W`` of a pound of income is spent on domestic output. With ``W = 156,241`` GBP million
        (Scotland 2019, total household resources from ONS regional gross disposable household income, the
        figure of the replication script that accompanies the shared copy of the table) it gives the
        published 2019 Type II output multiplier of agriculture (``IOC098_001``), 1.6294 (1.629426; 1.7711
        with ``"compensation"``). That published figure alone pins ``W`` to 156,215-156,323.

    Attributes
    ----------
    A, L
        ``A*`` and ``L*``, ``(n+1, n+1)``, households last.
    h, c
        Household row ``(n,)`` and column ``(n,)``.
    income_total
        ``W`` in the table's unit.
    income
        ``"compensation"``, ``"consumption"`` or ``"outside"``.

    References
    ----------
    Miller, R.E. & Blair, P.D. (2009) *Input-Output Analysis*, 2nd ed., CUP, section 6.2. Scottish Government,
    *IO Methodology for Derived Tables and Multipliers*, "Derivation of Leontief inverse matrices (Type I and
    Type II)": households are endogenised with a compensation-of-employees row and a household-expenditure
    column; and *Input-Output Methodology Guide*, version 6 (November 2021).
    """

    A: np.ndarray
    L: np.ndarray
    h: np.ndarray
    c: np.ndarray
    income_total: float
    income: str


def close_households(
    A: np.ndarray,
    compensation: np.ndarray,
    household_consumption: np.ndarray,
    x: np.ndarray,
    *,
    income: HouseholdIncome = "compensation",
    industries: Sequence[str] | None = None,
) -> HouseholdClosure:
    """Close the Leontief model to households (Type II).

    Parameters
    ----------
    A
        Technical coefficients ``(n, n)``.
    compensation
        Compensation of employees by industry ``(n,)`` (the household row is ``compensation / x``).
    household_consumption
        Household final consumption of each domestic product ``(n,)``.
    x
        Output ``(n,)``.
    income
        Household income total ``W`` of the household column ``c = C / W``: ``"compensation"`` (``sum CoE``,
        default), ``"consumption"`` (``sum C``) or a positive number, an outside total in the unit of the
        table (the Scottish Government's method).
    industries
        Names, for error messages.

    Returns
    -------
    HouseholdClosure
        ``A* = [[A, c], [h', 0]]`` and ``L* = (I - A*)^-1`` (formulas in :class:`HouseholdClosure`).

    Raises
    ------
    IOTableError
        Unknown ``income``, or ``W <= 0``.
    SingularSystemError
        The closed system is not productive (e.g. an outside ``W`` so small that households spend more than
        they earn from the industries).
    """
    comp = np.asarray(compensation, dtype=np.float64)
    cons = np.asarray(household_consumption, dtype=np.float64)
    label: str
    if isinstance(income, bool):
        raise IOTableError(f"household income must be compensation, consumption or a number, got {income!r}")
    if isinstance(income, int | float | np.floating | np.integer):
        W, label = float(income), "outside"
        if not np.isfinite(W):
            raise IOTableError(f"outside household income total is {W!r}; expected a positive finite number")
    elif income == "compensation":
        W, label = float(comp.sum()), "compensation"
    elif income == "consumption":
        W, label = float(cons.sum()), "consumption"
    else:
        raise IOTableError(
            f"unknown household income convention {income!r}; expected compensation, consumption or a number "
            "(an outside household income total)"
        )
    if W <= 0:
        raise IOTableError(f"household income total is {W:g}; cannot close the model to households")
    n = A.shape[0]
    h = satellite_coefficients(comp, x)
    c = cons / W
    Ac = np.zeros((n + 1, n + 1))
    Ac[:n, :n] = A
    Ac[:n, n] = c
    Ac[n, :n] = h
    names = [*_names(industries, n), "households"]
    L = leontief_inverse(Ac, names)
    return HouseholdClosure(Ac, L, h, c, W, label)


def multipliers(
    table: IOTable,
    *,
    satellites: Sequence[str] | None = None,
    household_income: HouseholdIncome = "compensation",
    type_ii: bool | None = None,
) -> pd.DataFrame:
    r"""Per-industry multipliers of a table, Type I and (where the table has households) Type II.

    Parameters
    ----------
    table
        The table.
    satellites
        Satellite accounts to use (default: all of the table's).
    household_income
        Household income total ``W`` of the Type II closure (:class:`HouseholdClosure`): ``"compensation"``
        (default, ``W = sum CoE``), ``"consumption"`` (``W = sum C``) or a number, an outside total in the
        table's unit. The Scottish Government closes its model with total household income from all
        sources, which its IO table does not hold: pass that total (2019: 156,241 GBP million) to reproduce
        its published Type II multipliers.
    type_ii
        Compute Type II; ``None`` computes it when the table names its household column and compensation row.

    Returns
    -------
    pandas.DataFrame
        One row per industry; ``attrs["household_income_total"]`` and ``attrs["household_income"]`` record
        ``W`` and its kind when Type II is computed.

    Notes
    -----
    With ``L`` the Type I inverse and ``L* = (I - A*)^{-1}`` the closed one (``A*`` in
    :class:`HouseholdClosure`), for industry ``j``:

    .. math::

        m^{\mathrm{out}}_j = \sum_{i \le n} L_{ij}, \qquad
        e^{s}_j = \sum_{i \le n} s_i L_{ij}, \qquad r^{s}_j = e^{s}_j / s_j

    (Type II: ``L*`` in place of ``L``, household row excluded from the sums). ``s`` is a coefficient per
    unit output: GVA, compensation (``income``) or a satellite such as jobs. ``r`` is the Scottish
    Government's (and M&B's) Type I/II income, GVA or employment multiplier; ``e`` its "effect".

    Columns (``T`` = ``I`` or ``II``):

    * ``output_T``: column sums of ``L`` (Type II: of the industry block of the closed inverse,
      households' own row excluded -- M&B 2009 eq. 6.14).
    * ``gva_T``, ``income_T``, and ``<satellite>_T`` for each satellite (e.g. ``employment_T``): the
      ``"effect"`` convention ``s' L`` -- GVA, compensation (``D1``) or jobs per unit of final demand.
    * ``gva_ratio_T``, ``income_ratio_T``, ``<satellite>_ratio_T``: the ``"ratio"`` convention
      (total effect / direct coefficient).

    Type II needs :attr:`IOTable.household_consumption` and :attr:`IOTable.compensation`; ``type_ii=None``
    computes it when both are present.
    """
    A = technical_coefficients(table.Z, table.x)
    L = leontief_inverse(A, table.industries)
    coeffs: dict[str, np.ndarray] = {}
    if table.gva_rows:
        coeffs["gva"] = satellite_coefficients(table.gva, table.x)
    if table.compensation:
        coeffs["income"] = satellite_coefficients(table.primary_row(table.compensation), table.x)
    for name in satellites if satellites is not None else table.satellite:
        if name not in table.satellite:
            raise IOTableError(f"table {table.name!r} has no satellite {name!r}; it has {list(table.satellite)}")
        coeffs[name] = satellite_coefficients(table.satellite[name], table.x)
    out = pd.DataFrame({"industry": list(table.industries), "output_I": output_multipliers(L)})
    for name, s in coeffs.items():
        out[f"{name}_I"] = satellite_multipliers(L, s, "effect")
        out[f"{name}_ratio_I"] = satellite_multipliers(L, s, "ratio")
    has_hh = table.household_consumption is not None and table.compensation is not None
    if type_ii is None:
        type_ii = has_hh
    if type_ii:
        if not has_hh:
            raise IOTableError(
                f"table {table.name!r} names no household consumption column and compensation row; "
                "Type II multipliers need both"
            )
        closed = close_households(
            A,
            table.primary_row(str(table.compensation)),
            table.final_demand_column(str(table.household_consumption)),
            table.x,
            income=household_income,
            industries=table.industries,
        )
        out.attrs["household_income_total"] = closed.income_total
        out.attrs["household_income"] = closed.income
        L2 = closed.L[: table.n, : table.n]
        out["output_II"] = output_multipliers(L2)
        for name, s in coeffs.items():
            out[f"{name}_II"] = satellite_multipliers(L2, s, "effect")
            out[f"{name}_ratio_II"] = satellite_multipliers(L2, s, "ratio")
    return out
