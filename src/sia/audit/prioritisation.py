"""Multi-criteria prioritisation of candidate themes, and how stable the ranking is.

Everything here works on plain arrays: ``values`` is ``(themes, criteria)``, ``weights`` is
``(criteria,)`` and ``direction`` is ``(criteria,)`` with ``+1`` where more is better and ``-1``
where less is better. Missing evidence (NaN; "not available at this scale") is never imputed
as a number: a theme is scored on the criteria it has, with its weights renormalised over them
(weighted sum), or the NaN is replaced by the criterion's median (TOPSIS, which needs a full
matrix); both rules are stated in the audit's method notes.

References
----------
- Hwang, C.-L. and Yoon, K. (1981) *Multiple Attribute Decision Making*. Springer (TOPSIS).
- Saisana, M., Saltelli, A. and Tarantola, S. (2005) "Uncertainty and sensitivity analysis
  techniques as tools for the quality assessment of composite indicators", *JRSS A* 168(2)
  (Monte Carlo over weights and data; rank frequencies).
- OECD/JRC (2008) *Handbook on Constructing Composite Indicators* (normalisation methods,
  leave-one-out sensitivity).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Normalisation = Literal["minmax", "z", "rank"]
Method = Literal["weighted-sum", "topsis"]


def _oriented(values: ArrayLike, direction: ArrayLike | None) -> NDArray[np.float64]:
    v = np.asarray(values, dtype=np.float64)
    if direction is None:
        return v
    d = np.asarray(direction, dtype=np.float64)
    if not np.all(np.isin(d, (-1.0, 1.0))):
        raise ValueError("direction must hold +1 (more is better) or -1 (less is better) per criterion")
    return v * d


def normalise(
    values: ArrayLike, method: Normalisation = "minmax", direction: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Put each criterion (column) on a common scale where larger is better.

    - ``minmax``: :math:`(x - \min) / (\max - \min)` in [0, 1]; a constant column gives 0.5.
    - ``z``: :math:`(x - \bar x) / s` with the population standard deviation; a constant
      column gives 0.
    - ``rank``: average rank scaled to [0, 1] (0 = worst, 1 = best; ties share the mean rank);
      one valid value gives 0.5.

    Leading axes are batch axes (e.g. Monte Carlo draws): the statistics are taken over the
    themes axis (``-2``) only. NaN stays NaN and is ignored by the statistics.
    """
    v = _oriented(values, direction)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "minmax":
            lo = np.nanmin(np.where(np.isnan(v), np.inf, v), axis=-2, keepdims=True)
            hi = np.nanmax(np.where(np.isnan(v), -np.inf, v), axis=-2, keepdims=True)
            span = hi - lo
            out = np.where(span > 0, (v - lo) / np.where(span > 0, span, 1.0), 0.5)
        elif method == "z":
            count = np.sum(~np.isnan(v), axis=-2, keepdims=True)
            mean = np.nansum(v, axis=-2, keepdims=True) / np.maximum(count, 1)
            var = np.nansum((v - mean) ** 2, axis=-2, keepdims=True) / np.maximum(count, 1)
            sd = np.sqrt(var)
            out = np.where(sd > 0, (v - mean) / np.where(sd > 0, sd, 1.0), 0.0)
        elif method == "rank":
            out = _scaled_rank(v)
        else:
            raise ValueError(f"unknown normalisation {method!r}; expected minmax, z or rank")
    return np.where(np.isnan(v), np.nan, out)


def _scaled_rank(v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Average ranks along axis -2 scaled to [0, 1], NaN-aware (scipy.stats.rankdata handles ties)."""
    from scipy.stats import rankdata

    ranks = rankdata(v, axis=-2, method="average", nan_policy="omit")
    count = np.sum(~np.isnan(v), axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 1, (ranks - 1) / np.maximum(count - 1, 1), 0.5)


def weighted_sum(normalised: ArrayLike, weights: ArrayLike) -> NDArray[np.float64]:
    r"""Weighted sum of normalised criteria, renormalising weights over each theme's available criteria.

    .. math:: S_t = \frac{\sum_j w_j z_{tj} [z_{tj}\ \text{known}]}{\sum_j w_j [z_{tj}\ \text{known}]}

    A theme with no known criterion scores NaN. ``weights`` may carry leading batch axes
    matching those of ``normalised`` (``(..., criteria)`` against ``(..., themes, criteria)``).
    """
    z = np.asarray(normalised, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    known = ~np.isnan(z)
    wb = np.expand_dims(w, -2)
    num = np.sum(np.where(known, z, 0.0) * wb, axis=-1)
    den = np.sum(np.where(known, wb, 0.0), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def topsis(values: ArrayLike, weights: ArrayLike, direction: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""TOPSIS closeness to the ideal solution (Hwang & Yoon 1981).

    Columns are vector-normalised :math:`r_{tj} = x_{tj} / \sqrt{\sum_t x_{tj}^2}` after shifting
    each oriented column to be non-negative (:math:`x - \min x`), weighted :math:`v = w r`, and

    .. math:: C_t = \frac{d_t^-}{d_t^+ + d_t^-}

    with :math:`d^\pm` the Euclidean distances to the best and worst value of each column.
    NaN cells take the column median (stated in the method notes). ``C`` is in [0, 1].
    Leading batch axes are supported as in :func:`weighted_sum`.
    """
    v = _oriented(values, direction)
    med = np.nanmedian(v, axis=-2, keepdims=True)
    med = np.where(np.isnan(med), 0.0, med)
    v = np.where(np.isnan(v), med, v)
    v = v - v.min(axis=-2, keepdims=True)
    norm = np.sqrt(np.sum(v**2, axis=-2, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(norm > 0, v / np.where(norm > 0, norm, 1.0), 0.0)
    w = np.asarray(weights, dtype=np.float64)
    w = w / np.sum(w, axis=-1, keepdims=True)
    weighted = r * np.expand_dims(w, -2)
    best = weighted.max(axis=-2, keepdims=True)
    worst = weighted.min(axis=-2, keepdims=True)
    d_plus = np.sqrt(np.sum((weighted - best) ** 2, axis=-1))
    d_minus = np.sqrt(np.sum((weighted - worst) ** 2, axis=-1))
    total = d_plus + d_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)


def score(
    values: ArrayLike,
    weights: ArrayLike,
    direction: ArrayLike | None = None,
    *,
    method: Method = "weighted-sum",
    normalisation: Normalisation = "minmax",
) -> NDArray[np.float64]:
    """Score themes by ``method`` (``weighted-sum`` after ``normalisation``, or ``topsis``)."""
    if method == "weighted-sum":
        return weighted_sum(normalise(values, normalisation, direction), weights)
    if method == "topsis":
        return topsis(values, weights, direction)
    raise ValueError(f"unknown scoring method {method!r}; expected weighted-sum or topsis")


def ranks(scores: ArrayLike) -> NDArray[np.int64]:
    """Competition ranks along the last axis, 1 = best; NaN scores rank last (ties broken by order)."""
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(np.where(np.isnan(s), np.inf, -s), axis=-1, kind="stable")
    out = np.empty_like(order)
    np.put_along_axis(out, order, np.arange(1, s.shape[-1] + 1), axis=-1)
    return out


def dirichlet_weights(
    weights: ArrayLike, n: int, *, concentration: float = 50.0, rng: np.random.Generator
) -> NDArray[np.float64]:
    r"""Draw ``n`` weight vectors from a Dirichlet centred on the stated weights.

    :math:`w \sim \mathrm{Dir}(\kappa \bar w)` with :math:`\bar w` the stated weights scaled to
    sum to 1; the concentration :math:`\kappa` sets the spread (larger = closer to the stated
    weights; each weight has variance :math:`\bar w_j (1 - \bar w_j) / (\kappa + 1)`).
    Criteria with zero weight stay at zero.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be a non-negative vector with a positive sum")
    w = w / w.sum()
    draws = np.zeros((n, w.size))
    pos = w > 0
    draws[:, pos] = rng.dirichlet(concentration * w[pos], size=n)
    return draws


ValueSampler = Callable[[np.random.Generator, int], NDArray[np.float64]]


def normal_value_sampler(centre: ArrayLike, sd: ArrayLike) -> ValueSampler:
    """Sampler of ``(n, themes, criteria)`` values, normal around ``centre`` with ``sd`` (NaN sd = exact)."""
    c = np.asarray(centre, dtype=np.float64)
    s = np.nan_to_num(np.asarray(sd, dtype=np.float64), nan=0.0)

    def draw(rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        return c + s * rng.standard_normal((n, *c.shape))

    return draw


def uniform_value_sampler(low: ArrayLike, high: ArrayLike) -> ValueSampler:
    """Sampler uniform on ``[low, high]`` per cell (e.g. the rounding band of a published figure)."""
    lo = np.asarray(low, dtype=np.float64)
    hi = np.asarray(high, dtype=np.float64)
    if np.any(hi < lo):
        raise ValueError("uniform sampler needs low <= high in every cell")

    def draw(rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        return lo + (hi - lo) * rng.random((n, *lo.shape))

    return draw


@dataclass(frozen=True)
class Stability:
    """Monte Carlo rank stability of themes.

    Attributes
    ----------
    rank_probability
        ``(themes, themes)``: probability that theme ``t`` takes rank ``k + 1``. Every row and
        every column sums to 1.
    top_k_probability
        ``(themes,)``: probability of ranking in the top ``k``; sums to ``k`` over themes.
    median_rank, rank_p05, rank_p95
        Median and 5th/95th percentile of each theme's rank over the draws.
    draws, k
        Number of draws and the ``k`` used.
    ranks
        ``(draws, themes)``: the rank of each theme in each draw (for :func:`top_k_within`).
    """

    rank_probability: NDArray[np.float64]
    top_k_probability: NDArray[np.float64]
    median_rank: NDArray[np.float64]
    rank_p05: NDArray[np.float64]
    rank_p95: NDArray[np.float64]
    draws: int
    k: int
    ranks: NDArray[np.int64] | None = None


def rank_stability(
    values: ArrayLike,
    weights: ArrayLike,
    direction: ArrayLike | None = None,
    *,
    k: int = 3,
    n_draws: int = 2000,
    concentration: float = 50.0,
    value_sampler: ValueSampler | None = None,
    method: Method = "weighted-sum",
    normalisation: Normalisation = "minmax",
    seed: int = 0,
    batch: int = 500,
) -> Stability:
    """Probability of each rank under uncertain weights and data.

    Each draw takes weights from :func:`dirichlet_weights` and, when ``value_sampler`` is given,
    values from it (e.g. LQ intervals, rounding bands), then re-normalises and re-scores all
    themes together. Draws are processed ``batch`` at a time as one array operation.
    Deterministic for a given ``seed``.
    """
    base = np.asarray(values, dtype=np.float64)
    n_themes = base.shape[0]
    if not 1 <= k <= n_themes:
        raise ValueError(f"k must be between 1 and the number of themes ({n_themes}), got {k}")
    rng = np.random.default_rng(seed)
    counts = np.zeros((n_themes, n_themes))
    all_ranks = np.empty((n_draws, n_themes), dtype=np.int64)
    done = 0
    while done < n_draws:
        m = min(batch, n_draws - done)
        w = dirichlet_weights(weights, m, concentration=concentration, rng=rng)
        v = value_sampler(rng, m) if value_sampler is not None else np.broadcast_to(base, (m, *base.shape))
        r = ranks(score(v, w, direction, method=method, normalisation=normalisation))
        all_ranks[done : done + m] = r
        np.add.at(counts, (np.tile(np.arange(n_themes), m), r.ravel() - 1), 1.0)
        done += m
    prob = counts / n_draws
    return Stability(
        rank_probability=prob,
        top_k_probability=prob[:, :k].sum(axis=1),
        median_rank=np.median(all_ranks, axis=0),
        rank_p05=np.percentile(all_ranks, 5, axis=0),
        rank_p95=np.percentile(all_ranks, 95, axis=0),
        draws=n_draws,
        k=k,
        ranks=all_ranks,
    )


def top_k_within(ranks: ArrayLike, groups: Sequence[object], k_by_group: Mapping[object, int]) -> NDArray[np.float64]:
    """Probability that each theme ranks in the top ``k`` *of its own group* over the draws.

    ``ranks`` is ``(draws, themes)`` (:attr:`Stability.ranks`); a theme of group ``g`` is in its group's top
    ``k_by_group[g]`` in a draw when fewer than ``k`` themes of the same group rank above it there. Groups not in
    ``k_by_group`` get NaN. The framework uses it so that a theme competes for a market-driven slot with the
    market-side themes only (an enabling competency does not take a market slot, so it should not push a
    market theme out of "the top k").

    Examples
    --------
    >>> r = np.array([[1, 2, 3, 4], [3, 1, 2, 4]])   # 2 draws, 4 themes
    >>> top_k_within(r, ["a", "b", "a", "b"], {"a": 1, "b": 1}).tolist()
    [0.5, 1.0, 0.5, 0.0]
    """
    R = np.asarray(ranks)
    g = np.asarray(groups, dtype=object)
    out = np.full(R.shape[1], np.nan)
    for group, k in k_by_group.items():
        idx = np.flatnonzero(g == group)
        if idx.size == 0:
            continue
        within = np.argsort(np.argsort(R[:, idx], axis=1, kind="stable"), axis=1, kind="stable") + 1
        out[idx] = (within <= k).mean(axis=0)
    return out


def leave_one_criterion_out(
    values: ArrayLike,
    weights: ArrayLike,
    direction: ArrayLike | None = None,
    *,
    method: Method = "weighted-sum",
    normalisation: Normalisation = "minmax",
) -> NDArray[np.int64]:
    """Ranks of the themes when each criterion in turn is dropped: ``(themes, criteria)``.

    Column ``j`` holds the ranks computed without criterion ``j`` (its weight set to 0 and the
    others renormalised).
    """
    w = np.asarray(weights, dtype=np.float64)
    n_crit = w.size
    drop = np.tile(w, (n_crit, 1))
    drop[np.arange(n_crit), np.arange(n_crit)] = 0.0
    v = np.broadcast_to(np.asarray(values, dtype=np.float64), (n_crit, *np.shape(values)))
    return ranks(score(v, drop, direction, method=method, normalisation=normalisation)).T
