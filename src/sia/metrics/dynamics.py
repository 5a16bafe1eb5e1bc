"""Change over time: growth, entry and exit, and shift-share decompositions.

Notation: ``X0[..., r, c]`` and ``X1[..., r, c]`` values of area ``r`` in activity ``c`` at the
start and end of a period; ``N0[..., c]``, ``N1[..., c]`` the reference (e.g. Great Britain) by
activity, ``N0 = sum_c N0[c]``. Leading axes are batch axes. NaN cells count as 0 in the
shift-share; in growth rates they propagate.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _f(a: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(a, dtype=np.float64)


def _finite(a: ArrayLike) -> NDArray[np.float64]:
    """float64 with NaN as 0 (and infinities clipped, as ``np.nan_to_num``); copied only when needed."""
    a = _f(a)
    return a if np.isfinite(a).all() else np.nan_to_num(a, nan=0.0)


class Growth(NamedTuple):
    """Absolute change, percentage change and compound annual growth rate."""

    absolute: NDArray[np.float64]
    percent: NDArray[np.float64]
    cagr: NDArray[np.float64]


ZeroBase = Literal["nan", "econgeo"]


def growth(X0: ArrayLike, X1: ArrayLike, periods: float = 1.0, *, zero_base: ZeroBase = "nan") -> Growth:
    r"""Growth between two dates, element by element.

    .. math::

        \Delta = X_1 - X_0, \qquad
        g\% = 100\,\frac{X_1 - X_0}{X_0}, \qquad
        CAGR = \left(\frac{X_1}{X_0}\right)^{1/T} - 1

    with ``T = periods`` (years between the dates). Apply it to cells, to area totals
    (``X.sum(-1)``) or to activity totals (``X.sum(-2)``). Reference: EconGeo's ``growth_mat``,
    ``growth_reg``, ``growth_ind`` (which round to 2 dp; nothing is rounded here).

    Parameters
    ----------
    zero_base
        What a zero base ``X0 = 0`` gives for ``percent``: ``"nan"`` (default; undefined) or
        ``"econgeo"`` (``0 -> 0`` is 0, ``x -> 0`` with ``x > 0`` is ``+inf``, as EconGeo).
        ``cagr`` is NaN for a zero base under both; a fall to 0 gives ``cagr = -1``.
        NaN inputs give NaN.
    """
    if zero_base not in ("nan", "econgeo"):
        raise ValueError(f"zero_base must be 'nan' or 'econgeo', got {zero_base!r}")
    if periods <= 0:
        raise ValueError(f"periods must be positive, got {periods}")
    X0, X1 = _f(X0), _f(X1)
    delta = X1 - X0
    # dividing by NaN where the base is not positive gives NaN there without a masked write
    safe = np.where(X0 > 0, X0, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.multiply(delta, 100.0)
        pct /= safe
        if zero_base == "econgeo":
            zero = X0 == 0
            np.copyto(pct, np.where(X1 == 0, 0.0, np.where(X1 > 0, np.inf, np.nan)), where=zero)
        # ratio X1 / X0 where both are usable, NaN elsewhere (NaN inputs give NaN)
        cagr = np.divide(X1, safe)
        negative = X1 < 0
        if negative.any():
            np.copyto(cagr, np.nan, where=negative)
        if periods != 1.0:  # x ** 1 is x exactly, so the power is skipped for one period
            np.power(cagr, 1.0 / periods, out=cagr)
        cagr -= 1.0
    # NaN inputs already give NaN in pct and cagr (comparisons with NaN are False; NaN arithmetic)
    return Growth(delta, pct, cagr)


class EntryExit(NamedTuple):
    """Entry (0 -> 1) and exit (1 -> 0) events; NaN where the cell was not at risk."""

    entry: NDArray[np.float64]
    exit: NDArray[np.float64]


# indexed by 2 * M0 + M1: (0, 0), (0, 1), (1, 0), (1, 1)
_ENTRY_TABLE = np.array([0.0, 1.0, np.nan, np.nan])
_EXIT_TABLE = np.array([np.nan, np.nan, 1.0, 0.0])


def entry_exit(M0: ArrayLike, M1: ArrayLike) -> EntryExit:
    r"""Entry and exit events between two binary presence matrices.

    .. math::

        \text{entry}_{rc} = \begin{cases} 1 & M^0_{rc}=0,\ M^1_{rc}=1 \\ 0 & M^0_{rc}=0,\ M^1_{rc}=0
        \\ \text{NaN} & M^0_{rc}=1 \end{cases}
        \qquad
        \text{exit}_{rc} = \begin{cases} 1 & M^0_{rc}=1,\ M^1_{rc}=0 \\ 0 & M^0_{rc}=1,\ M^1_{rc}=1
        \\ \text{NaN} & M^0_{rc}=0 \end{cases}

    Reference: Neffke, Henning & Boschma (2011), "How do regions diversify over time?",
    *Economic Geography* 87(3); EconGeo's ``entry_mat`` / ``exit_mat`` (NA where the cell is not
    at risk of the event). Both matrices must have the same shape (align labels first).
    """
    M0 = np.asarray(M0) != 0
    M1 = np.asarray(M1) != 0
    if M0.shape != M1.shape:
        raise ValueError(f"M0 has shape {M0.shape} but M1 has shape {M1.shape}")
    # one lookup per cell in a 4-entry table indexed by 2*M0 + M1 (no masked writes)
    code = M0.view(np.uint8) << 1
    code |= M1.view(np.uint8)
    entry = np.take(_ENTRY_TABLE, code)
    exit_ = np.take(_EXIT_TABLE, code)
    return EntryExit(entry, exit_)


class ShiftShare(NamedTuple):
    """Shift-share components, each shaped like ``X0``.

    ``change = national_share + industry_mix + competitive_effect`` and
    ``competitive_effect = homothetic_competitive_effect + allocation_effect``.
    """

    change: NDArray[np.float64]
    national_share: NDArray[np.float64]
    industry_mix: NDArray[np.float64]
    competitive_effect: NDArray[np.float64]
    homothetic_competitive_effect: NDArray[np.float64]
    allocation_effect: NDArray[np.float64]


EMZero = Literal["allocation", "nan"]


def shift_share(
    X0: ArrayLike,
    X1: ArrayLike,
    N0: ArrayLike | None = None,
    N1: ArrayLike | None = None,
    *,
    em_zero: EMZero = "allocation",
) -> ShiftShare:
    r"""Classic (Dunn) and Esteban-Marquillas shift-share decomposition of the change ``X1 - X0``.

    With reference growth rates :math:`g = N_1/N_0 - 1` (all activities) and
    :math:`g_c = N_{1c}/N_{0c} - 1`:

    .. math::

        NS_{rc} &= X_{0,rc}\, g                                  &\text{(national share)}\\
        IM_{rc} &= X_{0,rc}\,(g_c - g)                           &\text{(industry mix)}\\
        CE_{rc} &= X_{1,rc} - X_{0,rc}(1 + g_c)
                 = X_{0,rc}\,(e_{rc} - g_c)                      &\text{(competitive / regional share)}

    so :math:`NS + IM + CE = X_1 - X_0` exactly (``CE`` is computed in the first form, which
    is also defined when ``X0 = 0``). Esteban-Marquillas split the competitive effect with the
    homothetic value :math:`\hat X_{rc} = X_{0,r\cdot}\, N_{0c}/N_0` (the area's size times the
    reference mix):

    .. math::

        HCE_{rc} = \hat X_{rc}\,(e_{rc} - g_c), \qquad AE_{rc} = (X_{0,rc} - \hat X_{rc})(e_{rc} - g_c),

    with :math:`e_{rc} = X_{1,rc}/X_{0,rc} - 1`; :math:`HCE + AE = CE`.

    References: Dunn (1960), "A statistical and analytical technique for regional analysis",
    *Papers of the Regional Science Association* 6, 97-112 (and Creamer 1943); Esteban-Marquillas
    (1972), "A reinterpretation of shift-share analysis", *Regional and Urban Economics* 2(3),
    249-255. Terminology as Lightcast: national growth effect, industry mix effect, competitive
    effect.

    Parameters
    ----------
    X0, X1
        ``(..., areas, activities)`` at the start and end.
    N0, N1
        Reference values by activity ``(..., activities)``; ``None`` for the totals of ``X0``
        and ``X1`` over their areas (then the areas are the whole reference).
    em_zero
        The Esteban-Marquillas split where ``X0 = 0`` (the area's own growth rate is undefined):
        ``"allocation"`` (default) puts the whole competitive effect (= ``X1``) into the
        allocation effect and 0 into the homothetic effect, so ``HCE + AE = CE`` holds in every
        cell and area totals stay finite; ``"nan"`` gives NaN in both.

    Returns
    -------
    ShiftShare
        Arrays shaped like ``X0``. Zeros: a cell with ``X0 = 0`` has ``NS = IM = 0`` and
        ``CE = X1``; a cell with ``X0 > 0`` in an activity whose reference start value is 0 has
        NaN ``IM``, ``CE``, ``HCE``, ``AE`` (no reference growth rate); a zero reference total
        makes everything but ``change`` NaN.
    """
    if em_zero not in ("allocation", "nan"):
        raise ValueError(f"em_zero must be 'allocation' or 'nan', got {em_zero!r}")
    X0 = _finite(X0)
    X1 = _finite(X1)
    if X0.shape != X1.shape:
        raise ValueError(f"X0 has shape {X0.shape} but X1 has shape {X1.shape}")
    N0 = X0.sum(axis=-2) if N0 is None else np.nan_to_num(_f(N0), nan=0.0)
    N1 = X1.sum(axis=-2) if N1 is None else np.nan_to_num(_f(N1), nan=0.0)
    if N0.shape[-1] != X0.shape[-1] or N1.shape != N0.shape:
        raise ValueError(f"reference shapes {N0.shape}, {N1.shape} do not match {X0.shape[-1]} activities")
    T0 = N0.sum(axis=-1, keepdims=True)
    T1 = N1.sum(axis=-1, keepdims=True)
    # Matrix work is done in place: the six outputs plus one matrix temporary (the rate) and two
    # boolean masks. Adding z0 (+0, or NaN when g is undefined) turns the -0 of 0 * (negative rate)
    # into +0 in cells with X0 = 0, so those cells need a masked write only in the rare activities
    # whose reference start value is 0 (undefined rate g_c) and, for the Esteban-Marquillas split,
    # where the cell's own rate is undefined.
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(T0 > 0, T1 / np.where(T0 > 0, T0, 1.0) - 1.0, np.nan)[..., None, :]  # (..., 1, 1)
        gc = np.where(N0 > 0, N1 / np.where(N0 > 0, N0, 1.0) - 1.0, np.nan)[..., None, :]  # (..., 1, C)
        z0 = 0.0 + 0.0 * g  # +0, or NaN when g is undefined
        gm = gc - g
        undefined_c = np.isnan(gc) & ~np.isnan(g)  # (..., 1, C): activities without a reference rate
        has = X0 != 0
        nh = ~has
        change = X1 - X0
        ns = X0 * g
        ns += z0
        im = X0 * gm
        im += z0
        ce = X0 * gc
        np.subtract(change, ce, out=ce)
        ce += z0
        if undefined_c.any():  # X0 = 0 in such an activity: NS = IM = 0 (not 0 * NaN), CE = X1
            fix = nh & undefined_c
            np.copyto(im, z0, where=fix)
            np.add(X1, z0, out=ce, where=fix)
            del fix
        share0 = np.where(T0 > 0, N0 / np.where(T0 > 0, T0, 1.0), np.nan)[..., None, :]
        hat = X0.sum(axis=-1, keepdims=True) * share0
        rate = np.divide(ce, X0)  # the cell's competitive rate e - g_c; inf/NaN where X0 = 0, replaced below
        if em_zero == "nan":
            np.copyto(rate, np.nan, where=nh)
        ae = X0 - hat
        ae *= rate
        hce = hat
        hce *= rate
        del rate
        if em_zero == "allocation":
            np.multiply(ce, 0.0, out=hce, where=nh)
            np.copyto(ae, ce, where=nh)
    return ShiftShare(change, ns, im, ce, hce, ae)


def _consecutive_years(
    X: ArrayLike, N: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """``(X_t, X_t+1, N_t, N_t+1)`` for every pair of consecutive years (axis -3 of ``X``, -2 of ``N``)."""
    X = _f(X)
    if X.ndim < 3 or X.shape[-3] < 2:
        raise ValueError(f"X needs at least two years on axis -3, got shape {X.shape}")
    Nf = None if N is None else _f(N)
    return (X[..., :-1, :, :], X[..., 1:, :, :], None if Nf is None else Nf[..., :-1, :],
            None if Nf is None else Nf[..., 1:, :])


def dynamic_shift_share(
    X: ArrayLike, N: ArrayLike | None = None, *, em_zero: EMZero = "allocation"
) -> ShiftShare:
    r"""Dynamic shift-share: the decomposition of :func:`shift_share` summed over consecutive years.

    .. math:: C^{dyn}_{rc} = \sum_{t=0}^{T-1} C_{rc}(t \to t+1)

    for every component C, with the weights (``X_t``, ``N_t``) updated each year, so the sum of
    changes telescopes to ``X_T - X_0`` and ``NS + IM + CE = X_T - X_0`` still holds.

    Reference: Barff & Knight (1988), "Dynamic shift-share analysis", *Growth and Change* 19(2),
    1-10.

    Parameters
    ----------
    X
        ``(..., years, areas, activities)``: consecutive years on axis -3 (at least two).
    N
        ``(..., years, activities)`` reference values, or ``None`` for the totals of ``X``.

    Returns
    -------
    ShiftShare
        Arrays ``(..., areas, activities)``. Zeros as :func:`shift_share`, year by year.
    """
    parts = shift_share(*_consecutive_years(X, N), em_zero=em_zero)
    return ShiftShare(*(p.sum(axis=-3) for p in parts))


class GerfinShiftShare(NamedTuple):
    """Gerfin's multiplicative shift-share factors per area, each shaped ``X0.shape[:-1]``.

    ``total = industry_mix * regional``.
    """

    industry_mix: NDArray[np.float64]
    regional: NDArray[np.float64]
    total: NDArray[np.float64]


def gerfin_shift_share(
    X0: ArrayLike, X1: ArrayLike, N0: ArrayLike | None = None, N1: ArrayLike | None = None
) -> GerfinShiftShare:
    r"""Gerfin's shift-share in index (ratio) form, per area.

    With the area's expected growth factor at reference growth by activity,
    :math:`\hat G_r = \sum_c X_{0,rc}\,(N_{1c}/N_{0c}) / X_{0,r\cdot}`,

    .. math::

        IM_r = \frac{\hat G_r}{N_1 / N_0}, \qquad
        RF_r = \frac{X_{1,r\cdot} / X_{0,r\cdot}}{\hat G_r}, \qquad
        T_r = \frac{X_{1,r\cdot} / X_{0,r\cdot}}{N_1 / N_0} = IM_r \cdot RF_r

    (industry-mix factor, regional factor, net total shift). Above 1: the area's mix favours activities that
    grow faster than the reference (``IM``), or it grows faster than its mix predicts (``RF``). The additive
    counterpart is :func:`shift_share`.

    References: Gerfin (1964), "Gesamtwirtschaftliches Wachstum und regionale Entwicklung", *Kyklos* 17(4),
    565-593; R REAT (Wieland) ``shift(..., shift.method = "Gerfin")``, whose components "Industrial mix",
    "Regional share", "Net total shift" these are.

    Parameters
    ----------
    X0, X1
        ``(..., areas, activities)`` at the start and end; NaN counts as 0.
    N0, N1
        Reference values by activity ``(..., activities)``; ``None`` for the totals of ``X0`` / ``X1`` over
        their areas.

    Returns
    -------
    GerfinShiftShare
        Arrays ``(..., areas)``. An activity with ``X0 > 0`` but reference start value 0 makes its area's
        ``IM`` and ``RF`` NaN (no reference growth rate); activities the area does not have at the start count
        0 even then (REAT's ``sum(e_ij1 * e_i2 / e_i1)`` gives NaN for every area, ``0 * Inf``). An area
        with ``X0`` total 0 gets NaN.

    Examples
    --------
    >>> X0 = np.array([[60.0, 40.0], [20.0, 80.0]])
    >>> X1 = np.array([[66.0, 50.0], [22.0, 84.0]])
    >>> g = gerfin_shift_share(X0, X1, N0=np.array([100.0, 100.0]), N1=np.array([120.0, 105.0]))
    >>> np.round(g.industry_mix, 4), np.round(g.regional, 4), np.round(g.total, 4)
    (array([1.0133, 0.96  ]), array([1.0175, 0.9815]), array([1.0311, 0.9422]))
    """
    X0 = _finite(X0)
    X1 = _finite(X1)
    if X0.shape != X1.shape:
        raise ValueError(f"X0 has shape {X0.shape} but X1 has shape {X1.shape}")
    N0 = X0.sum(axis=-2) if N0 is None else np.nan_to_num(_f(N0), nan=0.0)
    N1 = X1.sum(axis=-2) if N1 is None else np.nan_to_num(_f(N1), nan=0.0)
    if N0.shape[-1] != X0.shape[-1] or N1.shape != N0.shape:
        raise ValueError(f"reference shapes {N0.shape}, {N1.shape} do not match {X0.shape[-1]} activities")
    with np.errstate(divide="ignore", invalid="ignore"):
        gc = np.where(N0 > 0, N1 / np.where(N0 > 0, N0, 1.0), np.nan)  # (..., C) reference growth factors
        T0, T1 = N0.sum(axis=-1), N1.sum(axis=-1)
        g = np.where(T0 > 0, T1 / np.where(T0 > 0, T0, 1.0), np.nan)[..., None]  # (..., 1)
        # activities the area does not have contribute 0 even where g_c is undefined
        expected = np.where(X0 != 0, X0 * gc[..., None, :], 0.0).sum(axis=-1)
        e0, e1 = X0.sum(axis=-1), X1.sum(axis=-1)
        base = np.where(e0 != 0, e0, np.nan)
        hat = expected / base
        own = e1 / base
        return GerfinShiftShare(hat / g, own / hat, own / g)


def dynamic_gerfin_shift_share(
    X: ArrayLike, N: ArrayLike | None = None, *, combine: Literal["mean", "sum", "product"] = "mean"
) -> GerfinShiftShare:
    r"""Gerfin's factors of each consecutive year, combined over the period.

    .. math:: F^{dyn}_r = \operatorname{combine}_{t=0}^{T-1} F_r(t \to t+1)

    for each factor ``F`` of :func:`gerfin_shift_share`. ``combine="mean"`` (default) and ``"sum"`` are R
    REAT's ``shiftd`` / ``shiftid`` with ``gerfin.shifts = "mean"`` / ``"sum"`` (``shiftd``'s default is
    ``"sum"``, ``shiftid``'s ``"mean"``); ``"product"`` chains the yearly factors, which keeps
    ``total = industry_mix * regional`` and gives the period's ``total`` exactly when the reference is the
    same set of areas every year.

    Reference: Barff & Knight (1988), "Dynamic shift-share analysis", *Growth and Change* 19(2), 1-10;
    REAT (Wieland) ``shiftd(..., shift.method = "Gerfin", gerfin.shifts = ...)``.

    Parameters
    ----------
    X
        ``(..., years, areas, activities)`` with at least two years on axis -3.
    N
        ``(..., years, activities)`` reference values, or ``None`` for the totals of ``X``.
    combine
        ``"mean"``, ``"sum"`` or ``"product"`` of the yearly factors.

    Returns
    -------
    GerfinShiftShare
        Arrays ``(..., areas)``.

    Examples
    --------
    >>> X = np.array([[[60.0, 40.0], [20.0, 80.0]], [[66.0, 50.0], [22.0, 84.0]]])
    >>> N = np.array([[100.0, 100.0], [120.0, 105.0]])
    >>> np.round(dynamic_gerfin_shift_share(X, N).total, 4)  # one period: the static factors
    array([1.0311, 0.9422])
    """
    if combine not in ("mean", "sum", "product"):
        raise ValueError(f"combine must be 'mean', 'sum' or 'product', got {combine!r}")
    parts = gerfin_shift_share(*_consecutive_years(X, N))
    how = {"mean": np.mean, "sum": np.sum, "product": np.prod}[combine]
    return GerfinShiftShare(*(how(p, axis=-2) for p in parts))
