"""Allocation of published block x division margins to units: pooled priors, seed, RAS fit.

Pure array functions (numpy only). :mod:`sia.estimate.employment` reads the files and calls
:func:`fit_margins`; :mod:`sia.estimate.validation` calls the same function one level up
(ITL2 areas inside ITL1 regions) to measure how well it recovers what is published.

Method
------
For each prior source ``s`` (district GVA by industry, business counts, census counts ...) with
values :math:`P^s_{ug}` for unit ``u`` and the source's own industry group ``g`` (coarser than
divisions in places), the within-block share of a unit in a group is

.. math:: \\sigma^s_{ug} = P^s_{ug} / \\sum_{u' \\in b(u)} P^s_{u'g},

defined for a block and group only where every unit of the block has a value and the block total
is positive. Each division ``j`` takes the share of the source group containing it,
:math:`\\sigma^s_{uj} = \\sigma^s_{u,g_s(j)}`, and the sources are pooled linearly (a linear opinion
pool, Stone 1961; chosen over the geometric pool because a source's zero share would veto the
others):

.. math:: \\sigma_{uj} = \\sum_s w_s a^s_{bj} \\sigma^s_{uj} / \\sum_s w_s a^s_{bj},

with :math:`a^s_{bj}` the availability of source ``s`` for the block and division. The seed is the
published margin shared out, :math:`X^0_{uj} = M_{b(u) j} \\, \\sigma_{uj}`: it meets every column
margin already (this is the usual "share the regional total by the district's share" estimate, with
several pooled priors instead of one). The row targets are the block total shared out by pooled
unit-total shares :math:`\\tau_u` (the seed's own row sums, and independent indicators of total
employment); :func:`sia.estimate.ras.ras_blocks` then finds the matrix closest to the seed in
cross-entropy that meets both.

References
----------
Stone, M. (1961). The opinion pool. *Annals of Mathematical Statistics* 32(4), 1339-1342.

Bacharach, M. (1970). *Biproportional Matrices and Input-Output Change*. Cambridge University Press.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sia.estimate.ras import RasResult, block_sums, ras_blocks

__all__ = ["Indicator", "Prior", "block_shares", "fit_margins", "pooled_division_shares", "seed_from_shares"]

#: floor added to the pooled shares (relative to an even share of the block), so that every division with a
#: positive margin has support in every unit and RAS can always meet the margins
SHARE_FLOOR = 1e-9


@dataclass(frozen=True)
class Prior:
    """One district-structure prior at unit level.

    Attributes
    ----------
    name
        Label used in summaries (``"gva"``, ``"census2011_workplace"``, ...).
    values
        ``(..., U, G)`` non-negative values of the source's ``G`` industry groups; NaN where the
        source publishes nothing for the unit (the source is then unavailable in that unit's block).
    groups
        ``(J,)`` group index of each division, ``-1`` where the source covers no group for it.
    weight
        Pooling weight ``w_s`` (relative; only ratios matter).
    """

    name: str
    values: np.ndarray
    groups: np.ndarray
    weight: float


@dataclass(frozen=True)
class Indicator:
    """An indicator of each unit's total (all industries), ``(..., U)``, NaN where not published."""

    name: str
    values: np.ndarray
    weight: float


def block_shares(values: np.ndarray, block: np.ndarray, n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """Within-block shares ``values[..., u, g] / sum_{u' in b(u)} values[..., u', g]``.

    Returns the shares ``(..., U, G)`` (0 where unavailable) and the availability ``(..., B, G)``:
    a block and group are available when no unit of the block is NaN and the block total is > 0.
    """
    missing = np.isnan(values)
    v = np.where(missing, 0.0, values)
    total = block_sums(v, block, n_blocks)
    any_missing = block_sums(missing.astype(np.float64), block, n_blocks) > 0
    available = (total > 0) & ~any_missing
    share = np.divide(v, total[..., block, :], out=np.zeros_like(v), where=available[..., block, :])
    return share, available


def pooled_division_shares(
    priors: Sequence[Prior], block: np.ndarray, n_blocks: int, n_divisions: int, fallback: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pooled within-block shares of each unit in each division, ``(..., U, J)``.

    ``fallback`` ``(..., U)`` gives the shares used for a block and division that no prior covers
    (normalised within blocks here). Returns the shares and the pooled weight actually available
    per ``(..., B, J)`` (0 where the fallback was used).
    """
    fb_share, fb_avail = block_shares(np.asarray(fallback, dtype=np.float64)[..., None], block, n_blocks)
    if not fb_avail.all():
        bad = np.flatnonzero(~fb_avail.reshape(-1, n_blocks).all(axis=0))
        raise ValueError(f"fallback unit totals are missing or zero in blocks {bad[:10].tolist()}; "
                         "expected a positive total indicator for every block")
    num: np.ndarray | None = None
    den: np.ndarray | None = None
    for p in priors:
        share_g, avail_g = block_shares(p.values, block, n_blocks)
        groups = np.asarray(p.groups, dtype=np.int64)
        covered = groups >= 0
        g = np.where(covered, groups, 0)
        share_j = share_g[..., g] * covered
        avail_j = avail_g[..., g] & covered
        w = p.weight * avail_j.astype(np.float64)  # (..., B, J)
        term = w[..., block, :] * share_j
        num = term if num is None else num + term
        den = w if den is None else den + w
    lead = fb_share.shape[:-2]
    if num is None or den is None:
        num = np.zeros((*lead, block.size, n_divisions))
        den = np.zeros((*lead, n_blocks, n_divisions))
    pooled = np.divide(num, den[..., block, :], out=np.zeros_like(num), where=den[..., block, :] > 0)
    use_fb = (den <= 0)[..., block, :]
    pooled = np.where(use_fb, fb_share, pooled)
    # a floor relative to an even split keeps every unit in the support of every division
    n_in_block = np.bincount(block, minlength=n_blocks).astype(np.float64)
    pooled = pooled + SHARE_FLOOR / n_in_block[block][:, None]
    pooled = pooled / block_sums(pooled, block, n_blocks)[..., block, :]
    return pooled, den


def seed_from_shares(shares: np.ndarray, margin: np.ndarray, block: np.ndarray) -> np.ndarray:
    """The seed ``X0[..., u, j] = margin[..., b(u), j] * shares[..., u, j]``."""
    return margin[..., block, :] * shares


def pooled_totals(
    indicators: Sequence[Indicator], seed: np.ndarray, seed_weight: float, block: np.ndarray, n_blocks: int
) -> np.ndarray:
    """Pooled within-block shares of the unit totals ``(..., U)``: the seed's row sums (weight
    ``seed_weight``) and each indicator where it is available for the whole block."""
    rows = seed.sum(axis=-1)
    base, _ = block_shares(rows[..., None], block, n_blocks)
    num = seed_weight * base[..., 0]
    den = np.full(rows.shape[:-1] + (n_blocks,), float(seed_weight))
    for ind in indicators:
        share, avail = block_shares(np.asarray(ind.values, dtype=np.float64)[..., None], block, n_blocks)
        w = ind.weight * avail[..., 0].astype(np.float64)
        num = num + w[..., block] * share[..., 0]
        den = den + w
    tau = np.divide(num, den[..., block], out=base[..., 0].copy(), where=den[..., block] > 0)
    return tau / block_sums(tau[..., None], block, n_blocks)[..., 0][..., block]


@dataclass(frozen=True)
class Fit:
    """Result of :func:`fit_margins`: the fitted values, the seed and the RAS diagnostics."""

    values: np.ndarray
    seed: np.ndarray
    row_target: np.ndarray
    ras: RasResult


def fit_margins(
    margin: np.ndarray,
    block: np.ndarray,
    priors: Sequence[Prior],
    indicators: Sequence[Indicator] = (),
    *,
    seed_weight: float = 1.0,
    fallback: np.ndarray | None = None,
    share_noise: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 2000,
) -> Fit:
    """Share block x division margins out to units with pooled priors, then RAS to unit totals.

    Parameters
    ----------
    margin
        ``(..., B, J)`` published margins (the hard constraint).
    block
        ``(U,)`` block of each unit.
    priors
        District-structure priors (:class:`Prior`).
    indicators
        Indicators of the unit totals (:class:`Indicator`), pooled with the seed's row sums.
    seed_weight
        Weight of the seed's own row sums among the total indicators.
    fallback
        ``(..., U)`` unit totals for divisions that no prior covers; default the first indicator,
        else an even split.
    share_noise
        Optional ``(..., U, J)`` positive factors applied to the pooled shares before the seed is built
        (shares are then renormalised within blocks): the Monte Carlo refits use it for the error of a
        division's share inside its prior group, which no group-level prior can see.

    Returns
    -------
    Fit
        ``values`` ``(..., U, J)`` meet ``margin`` to floating point and the pooled row targets to ``tol``.
    """
    block = np.asarray(block, dtype=np.int64)
    n_blocks, n_div = margin.shape[-2], margin.shape[-1]
    lead = margin.shape[:-2]
    if fallback is None:
        if indicators:
            fallback = np.nan_to_num(np.broadcast_to(indicators[0].values, (*lead, block.size)), nan=0.0)
            ok = block_shares(fallback[..., None], block, n_blocks)[1].all()
            if not ok:
                fallback = None
        if fallback is None:
            fallback = np.ones((*lead, block.size))
    shares, _ = pooled_division_shares(priors, block, n_blocks, n_div, fallback)
    if share_noise is not None:
        shares = shares * share_noise
        shares = shares / block_sums(shares, block, n_blocks)[..., block, :]
    seed = seed_from_shares(shares, margin, block)
    tau = pooled_totals(indicators, seed, seed_weight, block, n_blocks)
    target = tau * margin.sum(axis=-1)[..., block]
    res = ras_blocks(seed, block, margin, target, tol=tol, max_iter=max_iter)
    return Fit(res.values, seed, target, res)
