"""Validation on what is published: hide ITL2, estimate it from ITL1 margins, compare.

The district estimator cannot be checked against district BRES (none is published), so it is checked
one level up, where both sides are published: the ITL2 x division table is hidden, the ITL1 x division
margins (sums of its ITL2 areas) and the **same kind of priors** aggregated from districts to ITL2
areas are given to the same fitting code (:func:`sia.estimate.employment.fit_units`, ITL2 areas as
units inside ITL1 blocks), and the estimate is scored against the published ITL2 values
(:func:`sia.estimate.scores.score_table`).

Methods compared
----------------
``ras``
    The estimator: pooled priors, seed, RAS to pooled area totals (with its 90% interval).
``pooled seed``
    The pooled-prior seed before RAS (what the priors alone give).
``naive: GVA section``
    The ITL1 division total shared by the area's share of GVA in the division's section (ONS publishes
    sections A and B, and D and E, only together at district level).
``naive: UBC broad group``
    The ITL1 division total shared by the area's share of enterprises in the division's UK Business
    Counts broad industry group.

An ITL2 area is larger than a district, so priors are less noisy there: the validation measures the
method, and the district errors will be larger (``docs/estimates.md`` says so next to the table).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sia.estimate.employment import (
    DEFAULT_WEIGHTS,
    DIVISION_SIGMA,
    N_DRAWS,
    PRIOR_SIGMA,
    SEED,
    SIGMA_POWER,
    Weights,
    fit_units,
    unit_inputs,
)
from sia.estimate.fit import Prior, pooled_division_shares, seed_from_shares
from sia.estimate.inputs import Inputs
from sia.estimate.ras import block_sums
from sia.estimate.scores import score_table

__all__ = ["Validation", "validate_itl2"]


@dataclass(frozen=True)
class Validation:
    """Scores per method and size band (``rows``: dicts with ``method`` and the
    :func:`~sia.estimate.scores.score_table` columns) and the estimates themselves ``(T, ITL2, J)``."""

    rows: list[dict[str, float | str]]
    estimates: dict[str, np.ndarray]
    truth: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _naive(inputs: Inputs, prior: Prior, margin1: np.ndarray, block: np.ndarray) -> np.ndarray:
    n_b = margin1.shape[-2]
    fb = np.ones(margin1.shape[:-2] + (block.size,))
    shares, _ = pooled_division_shares([prior], block, n_b, margin1.shape[-1], fb)
    return seed_from_shares(shares, margin1, block)


def _gva_sections(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """District GVA at section level (A+B and D+E merged, as ONS publishes them for districts)."""
    p = inputs.priors["gva"]
    merge = {"A": "AB", "B": "AB", "D": "DE", "E": "DE"}
    sec = [merge.get(s, s) for s in inputs.division_section]
    labels = sorted(set(sec))
    groups = np.array([labels.index(s) for s in sec])
    w = np.zeros((p.values.shape[-1], len(labels)))
    for j, leaf in enumerate(p.groups):
        if leaf >= 0:
            w[leaf, groups[j]] = 1.0
    groups = np.where(p.groups >= 0, groups, -1)
    return p.values @ w, groups


def validate_itl2(
    inputs: Inputs,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    n_draws: int = N_DRAWS,
    seed: int = SEED,
    sigma: float = PRIOR_SIGMA,
    division_sigma: float = DIVISION_SIGMA,
    sigma_power: float = SIGMA_POWER,
) -> Validation:
    """Estimate ITL2 x division from ITL1 margins and priors aggregated to ITL2; score every method.

    Returns
    -------
    Validation
        ``rows`` hold, per method and true-cell-size band, the cell count, the median absolute
        percentage error, the share of cells whose ``LQ >= 1`` status is right, the median within-area
        Spearman correlation of LQs and (for ``ras``) the coverage of the 90% interval.
    """
    n_itl2 = len(inputs.itl2)
    block = inputs.itl2_itl1
    n_itl1 = len(inputs.itl1)
    margin1_sub = block_sums(inputs.margin_sub, block, n_itl1)
    margin1 = block_sums(inputs.margin, block, n_itl1)
    truth = inputs.margin
    priors, indicators = unit_inputs(inputs, weights, inputs.piece_itl2, n_itl2)
    unit, point = fit_units(margin1_sub, inputs.sub_division, len(inputs.divisions), block, priors, indicators,
                            seed_weight=weights.total_seed, n_draws=n_draws, seed=seed, sigma=sigma,
                            division_sigma=division_sigma, sigma_power=sigma_power)
    from sia.estimate.employment import _aggregate

    gva_sec, gva_groups = _gva_sections(inputs)
    gva_itl2 = _aggregate(inputs.piece_values(gva_sec), inputs.piece_itl2, n_itl2)
    ubc = inputs.priors["ubc"]
    counts = _aggregate(inputs.piece_values(inputs.ubc_bands.sum(axis=-1)), inputs.piece_itl2, n_itl2)
    estimates = {
        "ras": point,
        "pooled seed": unit.fit.seed,
        "naive: GVA section": _naive(inputs, Prior("gva_section", gva_itl2, gva_groups, 1.0), margin1, block),
        "naive: UBC broad group": _naive(inputs, Prior("ubc_count", counts, ubc.groups, 1.0), margin1, block),
    }
    rows: list[dict[str, float | str]] = []
    for name, est in estimates.items():
        bounds = {"low": unit.low, "high": unit.high} if name == "ras" else {}
        for r in score_table(est, truth, **bounds):
            rows.append({"method": name, **r})
    return Validation(rows, estimates, truth, unit.low, unit.high)
