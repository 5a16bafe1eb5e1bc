"""Stage 5, scoring: the criteria matrix of each scale, scores, ranks and rank stability.

Per scale, each weighted criterion takes the first of its indicators (:data:`sia.audit.indicators.CRITERIA`)
that has evidence at that scale (``strength`` is the employment LQ where BRES covers the scale, else
the GVA LQ); criteria with no evidence at the scale are dropped and the weights renormalised. The
arithmetic is :mod:`sia.audit.prioritisation` (weighted sum or TOPSIS, Monte Carlo stability,
leave-one-criterion-out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sia.audit import prioritisation as pr
from sia.audit.config import AuditConfig
from sia.audit.evidence_set import EvidenceSet
from sia.audit.indicators import CRITERIA

Z95 = 1.959963984540054


@dataclass(frozen=True)
class ScaleScores:
    """Scores of every theme at one scale (theme order of the evidence set)."""

    scale: str
    criteria: tuple[str, ...]
    indicators: tuple[str, ...]  # the indicator used for each criterion at this scale
    values: NDArray[np.float64]  # (themes, criteria) raw
    normalised: NDArray[np.float64]
    weights: NDArray[np.float64]  # renormalised to sum 1
    directions: NDArray[np.int64]
    score: NDArray[np.float64]
    rank: NDArray[np.int64]
    other_method: str
    other_score: NDArray[np.float64]
    other_rank: NDArray[np.int64]
    stability: pr.Stability
    loo: NDArray[np.int64]  # (themes, criteria)
    k: int


def criterion_values(ev: EvidenceSet, scale: str, criterion: str) -> tuple[str, NDArray[np.float64]]:
    """``(indicator used, values over themes)`` of a criterion at a scale; NaN where not available.

    ``lq_low`` is the lower bound of the employment LQ's interval.
    """
    for name in CRITERIA[criterion].indicators:
        if name == "lq_low":
            v = ev.value("lq", "low").sel(scale=scale).values
        else:
            v = ev.value(name).sel(scale=scale).values
        if np.isfinite(v).any():
            return name, v.astype(np.float64)
    return CRITERIA[criterion].indicators[0], np.full(len(ev.themes), np.nan)


def lq_sampler(ev: EvidenceSet, scale: str, values: NDArray[np.float64], column: int) -> pr.ValueSampler:
    """Data uncertainty: the strength column drawn log-normally from the employment LQ's 95% interval.

    ``se = (ln high - ln low) / (2 z_0.975)``; a GVA LQ (no interval) is held fixed.
    """
    lo = ev.value("lq", "low").sel(scale=scale).values.astype(np.float64)
    hi = ev.value("lq", "high").sel(scale=scale).values.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = (np.log(hi) - np.log(lo)) / (2 * Z95)
    se = np.where(np.isfinite(se), se, 0.0)

    def draw(rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        out = np.broadcast_to(values, (n, *values.shape)).copy()
        out[:, :, column] = values[:, column] * np.exp(se * rng.standard_normal((n, values.shape[0])))
        return out

    return draw


def score_scale(cfg: AuditConfig, ev: EvidenceSet, scale: str) -> ScaleScores | None:
    """Score the themes of one scale; ``None`` when no weighted criterion has evidence there."""
    crit_all = [c for c, w in cfg.criteria.weights.items() if w > 0]
    used = [(c, *criterion_values(ev, scale, c)) for c in crit_all]
    used = [(c, name, v) for c, name, v in used if np.isfinite(v).any()]
    if not used:
        return None
    crit = tuple(c for c, _, _ in used)
    values = np.column_stack([v for _, _, v in used])
    w = np.array([cfg.criteria.weights[c] for c in crit], dtype=np.float64)
    d = np.array([CRITERIA[c].direction for c in crit], dtype=np.int64)
    method, norm = cfg.criteria.method, cfg.criteria.normalisation
    other = "topsis" if method == "weighted-sum" else "weighted-sum"
    score = pr.score(values, w, d, method=method, normalisation=norm)
    other_score = pr.score(values, w, d, method=other, normalisation=norm)
    k = min(cfg.framework.top_k, len(ev.themes))
    sampler = lq_sampler(ev, scale, values, crit.index("strength")) if "strength" in crit else None
    stab = pr.rank_stability(values, w, d, k=k, n_draws=cfg.criteria.monte_carlo.draws,
                             concentration=cfg.criteria.monte_carlo.concentration, value_sampler=sampler,
                             method=method, normalisation=norm, seed=cfg.audit.seed)
    return ScaleScores(
        scale, crit, tuple(name for _, name, _ in used), values, pr.normalise(values, norm, d), w / w.sum(), d,
        score, pr.ranks(score), other, other_score, pr.ranks(other_score), stab,
        pr.leave_one_criterion_out(values, w, d, method=method, normalisation=norm), k,
    )


def score_tables(results: list[ScaleScores], themes: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The ``scores``, ``ranking`` and ``stability`` tables of every scored scale."""
    scores, ranking, stability = [], [], []
    T = len(themes)
    for r in results:
        C = len(r.criteria)
        scores.append(pd.DataFrame({
            "scale": r.scale, "theme": np.repeat(themes, C), "criterion": np.tile(r.criteria, T),
            "indicator": np.tile(r.indicators, T), "raw": r.values.ravel(), "normalised": r.normalised.ravel(),
            "weight": np.tile(r.weights, T), "direction": np.tile(r.directions, T),
        }))
        o = r.other_method.replace("-", "_")
        ranking.append(pd.DataFrame({"scale": r.scale, "theme": themes, "score": r.score, "rank": r.rank,
                                     f"score_{o}": r.other_score, f"rank_{o}": r.other_rank}))
        st = pd.DataFrame({"scale": r.scale, "theme": themes, "k": r.k, "p_top_k": r.stability.top_k_probability,
                           "median_rank": r.stability.median_rank, "rank_p05": r.stability.rank_p05,
                           "rank_p95": r.stability.rank_p95})
        for c_i, c in enumerate(r.criteria):
            st[f"loo_{c}"] = r.loo[:, c_i].astype(np.int64)
        stability.append(st)

    def cat(parts: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    return {"scores": cat(scores), "ranking": cat(ranking), "stability": cat(stability)}
