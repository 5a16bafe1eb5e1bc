"""Accuracy scores of an estimated area x division table against the published one (pure numpy/scipy).

Used by the validation (:mod:`sia.estimate.validation`): the estimate is compared cell by cell with
the published values it did not see.

* **APE**, absolute percentage error ``|est - true| / true`` (cells with ``true > 0`` only); its median
  is reported for cells of at least 1,000 jobs (smaller BRES cells are dominated by rounding).
* **LQ status**: the location quotient :math:`LQ_{rj} = (E_{rj}/E_r) / (E_j/E)` (Florence 1939;
  reference: all areas of the table, here Great Britain) of the estimate and of the truth; the share of
  cells where ``LQ >= 1`` agrees.
* **LQ rank correlation**: Spearman's rho between estimated and true LQs across the divisions of each
  area (areas with fewer than 5 cells in a band are skipped); the median over areas is reported.

Size bands are bands of the **true** cell size (jobs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

__all__ = ["SIZE_BANDS", "location_quotients", "score_table"]

#: true cell size bands (jobs): lower bound inclusive, upper exclusive
SIZE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("all cells", 0.0, np.inf),
    ("< 100", 0.0, 100.0),
    ("100 - 999", 100.0, 1000.0),
    ("1,000 - 9,999", 1000.0, 10000.0),
    (">= 10,000", 10000.0, np.inf),
    (">= 1,000", 1000.0, np.inf),
)


def location_quotients(x: np.ndarray) -> np.ndarray:
    """LQ of each cell of ``x[..., area, division]`` against the sum over areas (0/0 -> 0)."""
    area = x.sum(axis=-1, keepdims=True)
    div = x.sum(axis=-2, keepdims=True)
    tot = x.sum(axis=(-2, -1), keepdims=True)
    num = np.divide(x, area, out=np.zeros_like(x), where=area > 0)
    den = np.divide(div, tot, out=np.zeros_like(div), where=tot > 0)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _spearman_by_area(est: np.ndarray, true: np.ndarray, mask: np.ndarray) -> float:
    """Median over (year, area) of Spearman's rho across the masked divisions (>= 5 cells)."""
    e = est.reshape(-1, est.shape[-1])
    t = true.reshape(-1, true.shape[-1])
    m = mask.reshape(-1, mask.shape[-1])
    rhos = []
    for k in np.flatnonzero(m.sum(axis=1) >= 5):  # one rank correlation per area and year (a few hundred)
        a, b = e[k, m[k]], t[k, m[k]]
        if np.ptp(a) == 0 or np.ptp(b) == 0:  # constant LQs: no ranking to compare
            continue
        rho = stats.spearmanr(a, b).statistic
        if np.isfinite(rho):
            rhos.append(rho)
    return float(np.median(rhos)) if rhos else float("nan")


def score_table(est: np.ndarray, true: np.ndarray, *, bands: Sequence[tuple[str, float, float]] = SIZE_BANDS,
                low: np.ndarray | None = None, high: np.ndarray | None = None) -> list[dict[str, float | str]]:
    """Scores of ``est`` against ``true`` (both ``(years, areas, divisions)``) per true-size band.

    Returns one row per band: ``band, cells, median_ape, lq_status_agreement, lq_spearman`` and, when
    ``low``/``high`` are given, ``coverage`` (share of cells whose true value lies in the interval).
    """
    lq_e, lq_t = location_quotients(est), location_quotients(true)
    ape = np.divide(np.abs(est - true), true, out=np.full_like(true, np.nan), where=true > 0)
    rows: list[dict[str, float | str]] = []
    for name, lo, hi in bands:
        m = (true >= lo) & (true < hi)
        row: dict[str, float | str] = {
            "band": name,
            "cells": float(m.sum()),
            "median_ape": float(np.nanmedian(ape[m])) if m.any() else float("nan"),
            "lq_status_agreement": float(((lq_e[m] >= 1) == (lq_t[m] >= 1)).mean()) if m.any() else float("nan"),
            "lq_spearman": _spearman_by_area(lq_e, lq_t, m),
        }
        if low is not None and high is not None:
            row["coverage"] = float(((true[m] >= low[m]) & (true[m] <= high[m])).mean()) if m.any() else float("nan")
        rows.append(row)
    return rows
