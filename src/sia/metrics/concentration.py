"""Specialisation of areas and concentration of activities.

Notation: ``X[..., r, c]`` value of area ``r`` in activity ``c``; leading axes (e.g. years) are
batch axes. ``s[r, c] = X[r, c] / X[r, .]`` (area shares); ``s[c]`` reference shares, from the
total of ``X`` over its areas or from a separate reference vector (e.g. Great Britain).

Area-level indices (Krugman, Hoover coefficient, Herfindahl, entropy, Hachman, share-weighted
mean LQ) return ``(..., areas)``; activity-level indices (Gini, locational Gini, Hoover index)
return ``(..., activities)``. NaN cells of ``X`` count as 0. An area with a zero total has no
shares, so its indices are NaN; an activity with a zero total has no distribution across areas,
so its concentration indices are NaN. No warnings are raised for either.

EconGeo (R, Balland) rounds several of these as it goes (entropy and Gini to 3 dp, the Hoover
index to 2 dp); nothing is rounded here.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sia.metrics.specialisation import _as_counts, area_shares, reference_shares

EntropyBase = Literal["bits", "nats"] | float


def _clean(X: ArrayLike) -> NDArray[np.float64]:
    """float64 with NaN as 0; copied only when there is a NaN (callers never write into it)."""
    return _as_counts(X)


def _log_base(base: EntropyBase) -> float:
    if base == "bits" or base == 2:
        return float(np.log(2.0))
    if base == "nats" or base == "e":
        return 1.0
    if isinstance(base, int | float) and base > 0 and base != 1:
        return float(np.log(base))
    raise ValueError(f"entropy base must be 'bits', 'nats' or a positive number other than 1, got {base!r}")


def krugman_index(X: ArrayLike, reference: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Krugman specialisation index of each area.

    .. math:: K_r = \sum_c \lvert s_{rc} - s_c \rvert \in [0, 2]

    Reference: Krugman (1991), *Geography and Trade*, MIT Press (the index of regional
    divergence). Not halved (EconGeo's ``krugman_index``); half of it is
    :func:`hoover_coefficient`.

    Parameters
    ----------
    X
        ``(..., areas, activities)``.
    reference
        ``None`` for the total of ``X``, or reference values by activity ``(..., activities)``.

    Returns
    -------
    ndarray ``(..., areas)``; NaN for zero-total areas or when the reference total is 0.
    """
    X = _clean(X)
    s, _ = area_shares(X)
    s -= np.expand_dims(reference_shares(X, reference), -2)  # in place: one matrix temporary in all
    return np.abs(s, out=s).sum(axis=-1)


def hoover_coefficient(X: ArrayLike, reference: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Hoover coefficient of specialisation (dissimilarity index) of each area.

    .. math:: HC_r = \tfrac12 \sum_c \lvert s_{rc} - s_c \rvert \in [0, 1]

    Reference: Hoover (1936), "The measurement of industrial localization", *Review of Economics
    and Statistics* 18(4), 162-171; EconGeo's ``spec_coeff``. The share of the area's
    employment that would have to move to reproduce the reference mix. Zeros as
    :func:`krugman_index`.
    """
    return 0.5 * krugman_index(X, reference)


def herfindahl(X: ArrayLike) -> NDArray[np.float64]:
    r"""Herfindahl-Hirschman index of each area's activity mix.

    .. math:: H_r = \sum_c s_{rc}^2 \in [1/C, 1]

    Reference: Hirschman (1964), "The paternity of an index", *American Economic Review* 54(5).
    Shares are fractions (not percentages: multiply by 10,000 for the antitrust scale).
    Zero-total areas give NaN.
    """
    s, _ = area_shares(X)
    np.multiply(s, s, out=s)
    return s.sum(axis=-1)


def entropy(X: ArrayLike, base: EntropyBase = "bits") -> NDArray[np.float64]:
    r"""Shannon entropy of each area's activity mix.

    .. math:: H_r = -\sum_c s_{rc} \log s_{rc}, \qquad 0 \log 0 = 0

    Reference: Shannon (1948); used as a diversity measure by Frenken, Van Oort & Verburg (2007),
    "Related variety, unrelated variety and regional economic growth", *Regional Studies* 41(5).

    Parameters
    ----------
    base
        ``"bits"`` (log base 2, EconGeo's choice), ``"nats"`` (natural log) or any positive number.

    Notes
    -----
    EconGeo computes ``-sum s log2(s + 1e-9)`` and rounds to 3 dp; here ``0 log 0 = 0`` exactly
    and nothing is rounded. Zero-total areas give NaN.
    """
    s, empty = area_shares(X)
    logs = np.log(s, out=np.zeros_like(s), where=s > 0)  # logs only of the non-zero shares
    logs *= s
    h = -logs.sum(axis=-1) / _log_base(base)
    return np.where(empty, np.nan, h)


def lq_average(X: ArrayLike, reference: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Share-weighted mean location quotient of each area.

    .. math:: \overline{LQ}_r = \sum_c s_{rc}\, LQ_{rc} = \sum_c s_{rc}^2 / s_c

    Reference: EconGeo's ``location_quotient_avg``; the reciprocal of the Hachman index
    (Hachman 1995). 1 when the area's mix equals the reference mix, larger when specialised.
    Activities with a zero reference share and a positive area share make it NaN (infinitely
    specialised); zero-total areas give NaN.
    """
    X = _clean(X)
    ref = reference_shares(X, reference)
    row = X.sum(axis=-1)
    # sum_c X[r,c]^2 / s[c] / X[r,.]^2 as a matrix-vector product
    zero_ref = ~(ref > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_ref = np.where(zero_ref, 0.0, 1.0 / np.where(zero_ref, 1.0, ref))
        num = np.einsum("...rc,...rc,...c->...r", X, X, inv_ref)
        avg = np.where(row > 0, num / np.where(row > 0, row, 1.0) ** 2, np.nan)
    if zero_ref.any():  # a positive share in an activity absent from the reference: infinite, NaN
        avg = np.where(((X > 0) & np.expand_dims(zero_ref, -2)).any(axis=-1), np.nan, avg)
    return avg


def hachman(X: ArrayLike, reference: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Hachman index of each area.

    .. math:: HI_r = \Big(\sum_c s_{rc}\, LQ_{rc}\Big)^{-1} \in (0, 1]

    Reference: Hachman (1995), "Economic report to the Governor", Bureau of Economic and
    Business Research, University of Utah; Mack, Grubb, Mack & Moorhead (2007). 1 means the
    area's mix equals the reference mix; small values mean specialisation. Zeros as
    :func:`lq_average`.
    """
    avg = lq_average(X, reference)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 / avg


def gini(X: ArrayLike) -> NDArray[np.float64]:
    r"""Gini coefficient of each activity's distribution across areas (equal area weights).

    With the column sorted ascending, :math:`x_{(1)} \le \dots \le x_{(n)}`,

    .. math:: G_c = \frac{\sum_{i=1}^{n} (2i - n - 1)\, x_{(i)}}{n \sum_i x_{(i)}} \in [0, (n-1)/n]

    Reference: Gini (1912); EconGeo's ``gini`` (which rounds to 3 dp). The divisor is ``n`` (the
    maximum is (n-1)/n, reached when one area has everything); multiply by n/(n-1) for the
    small-sample normalisation. Activities with a zero total give NaN.

    Returns
    -------
    ndarray ``(..., activities)``.
    """
    X = _clean(X)
    n = X.shape[-2]
    xs = np.array(np.swapaxes(X, -1, -2), order="C")  # a copy, sorted in place along contiguous memory
    xs.sort(axis=-1)
    w = 2.0 * np.arange(1, n + 1) - n - 1
    total = xs.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (xs @ w) / (n * np.where(total > 0, total, 1.0)), np.nan)


GiniConvention = Literal["krugman", "econgeo"]

_PACK_MAX_BITS = 16  # up to 65,536 areas: the sort key keeps at least 36 of the 52 mantissa bits


def _argsort_rows(key: NDArray[np.float64]) -> NDArray[np.intp]:
    """Order of each row of a non-negative key (``+inf`` allowed), as ``np.argsort(key, axis=-1)``.

    For non-negative IEEE doubles the int64 bit pattern is monotone in the value, so the column
    index is packed into the lowest ``b = ceil(log2(n))`` bits of the pattern and the int64 keys
    are sorted by value (a SIMD sort, several times faster than an argsort). Keys that agree in
    all but their lowest ``b`` bits (a relative difference below ``2**(b - 52)``, about 1e-12 for
    5,000 areas) are ordered by column index, like exact ties; for the locational Gini this moves
    the result by less than that relative difference. Falls back to ``np.argsort`` for negative
    keys or more than 65,536 columns.
    """
    n = key.shape[-1]
    bits = max(1, int(n - 1).bit_length())
    if n == 0 or bits > _PACK_MAX_BITS or (key < 0).any():
        return np.argsort(key, axis=-1)
    mask = np.int64((1 << bits) - 1)
    packed = key.view(np.int64) & ~mask
    packed |= np.arange(n, dtype=np.int64)
    packed.sort(axis=-1)
    packed &= mask
    return packed.view(np.intp) if np.dtype(np.intp) == np.dtype(np.int64) else packed.astype(np.intp)


def locational_gini(X: ArrayLike, convention: GiniConvention = "krugman") -> NDArray[np.float64]:
    r"""Locational Gini coefficient of each activity (Krugman 1991).

    Areas are ordered by their location quotient in the activity, :math:`X_{rc} / (X_{r\cdot}/X_{\cdot\cdot})`;
    the locational Lorenz curve plots the cumulative share of the activity,
    :math:`\sum_{i \le k} X_{(i)c}/X_{\cdot c}`, against the cumulative share of total activity,
    :math:`\sum_{i \le k} X_{(i)\cdot}/X_{\cdot\cdot}`. With :math:`A_c` the area between that curve and
    the diagonal (total area under the diagonal minus the trapezoid-rule area under the curve,
    :math:`A_c = \tfrac12\big(1 - \sum_i p_{(i)} (Q_{(i)} + Q_{(i-1)})\big)` with :math:`p` the area
    shares and :math:`Q` the cumulative activity shares),

    - ``convention="krugman"`` (default): :math:`G_c = 2A_c \in [0, 1)`, the usual Gini ratio
      (area between the curve and the diagonal over the area under the diagonal), as in
      Krugman (1991), *Geography and Trade*, ch. 2, and Audretsch & Feldman (1996).
    - ``convention="econgeo"``: :math:`A_c \in [0, 0.5)`, EconGeo's ``locational_gini`` (it
      returns the area itself, "theoretical limit 0.5").

    0 means the activity is spread exactly like total activity. Areas with a zero total carry
    no weight; activities with a zero total give NaN.

    Returns
    -------
    ndarray ``(..., activities)``.
    """
    if convention not in ("krugman", "econgeo"):
        raise ValueError(f"convention must be 'krugman' or 'econgeo', got {convention!r}")
    X = _clean(X)
    row = X.sum(axis=-1)  # (..., r)
    grand = row.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pop = np.where(grand > 0, row / np.where(grand > 0, grand, 1.0), 0.0)
        inv_pop = np.where(pop > 0, 1.0 / np.where(pop > 0, pop, 1.0), 0.0)
    # work on (..., activities, areas) so that sorting runs along contiguous memory
    Xt = np.ascontiguousarray(np.swapaxes(X, -1, -2))
    ratio = Xt * np.expand_dims(inv_pop, -2)
    if not (pop > 0).all():  # zero-total areas go last; they carry no weight
        ratio = np.where(np.expand_dims(pop, -2) > 0, ratio, np.inf)
    order = _argsort_rows(ratio)
    del ratio
    ind = np.take_along_axis(Xt, order, axis=-1)
    if pop.ndim == 1:
        popb = pop[order]
    else:
        popb = np.take_along_axis(np.broadcast_to(np.expand_dims(pop, -2), Xt.shape), order, axis=-1)
    del order
    col_total = ind.sum(axis=-1, keepdims=True)
    inv_total = 1.0 / np.where(col_total > 0, col_total, 1.0)
    cind = np.cumsum(ind, axis=-1)
    # trapezoid rule under the Lorenz curve: sum_i p_i (Q_i + Q_{i-1}) = 2 sum_i p_i Q_i - sum_i p_i q_i,
    # which needs one cumulative sum and has no cancellation between two large sums
    s_pq = np.einsum("...i,...i->...", popb, cind)[..., None] * inv_total
    s_pp = np.einsum("...i,...i->...", popb, ind)[..., None] * inv_total
    ptot = popb.sum(axis=-1, keepdims=True)  # 1 up to rounding (the areas' total shares)
    area = 0.5 * (ptot - 2.0 * s_pq + s_pp)[..., 0]
    result = area if convention == "econgeo" else 2.0 * area
    return np.where(col_total[..., 0] > 0, result, np.nan)


def hoover_index(X: ArrayLike, population: ArrayLike | None = None, *, percent: bool = False) -> NDArray[np.float64]:
    r"""Hoover (concentration) index of each activity against a population (or any base) vector.

    .. math:: HI_c = \tfrac12 \sum_r \left\lvert \frac{X_{rc}}{X_{\cdot c}} - \frac{P_r}{P_\cdot} \right\rvert

    Reference: Hoover (1941), "Interstate redistribution of population, 1850-1940", *Journal of
    Economic History* 1, 199-205; EconGeo's ``hoover_index`` (in percent, rounded to 2 dp).

    Parameters
    ----------
    X
        ``(..., areas, activities)``.
    population
        ``(areas,)`` or ``(..., areas)`` base values; ``None`` for equal weights (EconGeo's default).
    percent
        ``False`` for the [0, 1] scale, ``True`` for EconGeo's [0, 100] scale.

    Returns
    -------
    ndarray ``(..., activities)``; NaN for activities with a zero total or a zero population total.
    """
    X = _clean(X)
    n = X.shape[-2]
    pop = np.ones(n) if population is None else _clean(population)
    if pop.shape[-1] != n:
        raise ValueError(f"population has {pop.shape[-1]} values but X has {n} areas")
    if (pop < 0).any():
        raise ValueError("population must be non-negative")
    ptot = pop.sum(axis=-1, keepdims=True)
    col = X.sum(axis=-2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pshare = np.where(ptot > 0, pop / np.where(ptot > 0, ptot, 1.0), np.nan)[..., :, None]
        xshare = X / np.where(col > 0, col, 1.0)
        xshare -= pshare  # in place: one matrix temporary
    h = 0.5 * np.abs(xshare, out=xshare).sum(axis=-2)
    h = np.where(col[..., 0, :] > 0, h, np.nan)
    return 100.0 * h if percent else h


def hoover_gini(X: ArrayLike, population: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Hoover-Gini: the Gini ratio of each activity's Hoover curve against a population (or any base).

    Areas are ordered by :math:`X_{rc} / P_r`; the Hoover curve plots the cumulative share of the
    activity, :math:`Q_{(k)} = \sum_{i \le k} X_{(i)c} / X_{\cdot c}`, against the cumulative share of
    population, :math:`\sum_{i \le k} p_{(i)}` with :math:`p_r = P_r / P_\cdot`. The index is the area
    between the curve and the diagonal over the area under the diagonal (trapezoid rule, exact for the
    piecewise-linear curve):

    .. math:: HG_c = 1 - \sum_i p_{(i)} \big(Q_{(i)} + Q_{(i-1)}\big) \in [0, 1), \qquad Q_{(0)} = 0

    Reference: Hoover (1936), "The measurement of industrial localization", *Review of Economics and
    Statistics* 18(4), 162-171; EconGeo 2.1 ``hoover_gini(mat, pop)``, which computes the same area with
    the shoelace formula on ``c(0, ind)``, ``c(0, pop)`` ordered by ``ind / pop`` and rounds it to 3 dp
    (nothing is rounded here).

    The same curve with other bases gives the other Lorenz-type indices: ``population=None`` (equal
    weights) is :func:`gini`, and ``population=X.sum(axis=-1)`` (each area's total activity) is
    ``locational_gini(X, convention="krugman")``. Against a population it is the Gini-type companion of
    :func:`hoover_index` (which is the largest vertical gap between the same curve and the diagonal).

    Parameters
    ----------
    X
        ``(..., areas, activities)``; NaN cells count as 0.
    population
        ``(areas,)`` or ``(..., areas)`` non-negative base values; ``None`` for equal weights. An area with
        population 0 and a positive value sorts last (ratio infinite, as in EconGeo).

    Returns
    -------
    ndarray ``(..., activities)``; NaN for activities with a zero total or a zero population total.

    Examples
    --------
    >>> import numpy as np
    >>> pop = np.array([10.0, 15.0, 20.0, 25.0, 30.0])     # EconGeo's documentation example
    >>> X = np.array([[10, 0, 0], [15, 0, 0], [20, 0, 0], [25, 0, 1], [30, 1, 1]], dtype=float)
    >>> (hoover_gini(X, pop).round(6) + 0.0).tolist()   # proportional; 30 % of people have all; 55 %
    [0.0, 0.7, 0.475]
    """
    X = _clean(X)
    n = X.shape[-2]
    pop = np.ones(n) if population is None else _clean(population)
    if pop.shape[-1] != n:
        raise ValueError(f"population has {pop.shape[-1]} values but X has {n} areas")
    if (pop < 0).any() or (X < 0).any():
        raise ValueError("X and population must be non-negative")
    ptot = pop.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pshare = np.where(ptot > 0, pop / np.where(ptot > 0, ptot, 1.0), np.nan)
        inv_pop = np.where(pop > 0, 1.0 / np.where(pop > 0, pop, 1.0), np.inf)
    Xt = np.ascontiguousarray(np.swapaxes(X, -1, -2))  # (..., activities, areas): sort along contiguous memory
    with np.errstate(invalid="ignore"):
        ratio = Xt * np.expand_dims(inv_pop, -2)  # X / P; inf where P = 0 < X
    ratio = np.where(Xt > 0, ratio, 0.0)  # 0 / 0 -> 0 (EconGeo: o[is.na(o)] <- 0); ties do not move the area
    order = _argsort_rows(ratio)
    del ratio
    ind = np.take_along_axis(Xt, order, axis=-1)
    p = np.take_along_axis(np.broadcast_to(np.expand_dims(pshare, -2), Xt.shape), order, axis=-1)
    del order
    col_total = ind.sum(axis=-1, keepdims=True)
    inv_total = 1.0 / np.where(col_total > 0, col_total, 1.0)
    # sum_i p_i (Q_i + Q_{i-1}) = 2 sum_i p_i Q_i - sum_i p_i q_i, with q_i = X_(i) / X_.
    s_pq = np.einsum("...i,...i->...", p, np.cumsum(ind, axis=-1))[..., None] * inv_total
    s_pp = np.einsum("...i,...i->...", p, ind)[..., None] * inv_total
    hg = (p.sum(axis=-1, keepdims=True) - 2.0 * s_pq + s_pp)[..., 0]
    return np.where(col_total[..., 0] > 0, hg, np.nan)
