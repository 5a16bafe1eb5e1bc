"""Consultation results: per theme and criterion, the distribution of stakeholder scores.

Scores are integers on the 5-point scale 1..5; "don't know" is stored as a missing score and counted
separately (``n_dont_know``), never as a number. For every theme x criterion of a round:

``median``, ``q1``, ``q3``, ``iqr``
    Quartiles of the valid scores by linear interpolation between order statistics (Hyndman & Fan 1996
    type 7, numpy's and pandas' default): for sorted scores ``x_(1..n)`` the p-quantile is
    ``x_(h_lo) + (h - h_lo)(x_(h_lo+1) - x_(h_lo))`` with ``h = (n - 1)p + 1``. ``iqr = q3 - q1``.
``consensus_tw``
    Tastle & Wierman (2007) consensus, ``Cns(X) = 1 + sum_i p_i log2(1 - |X_i - mu| / d_X)`` over the scale
    points ``X_i`` in 1..5 with relative frequencies ``p_i``, mean ``mu`` and width ``d_X = 5 - 1 = 4``.
    1 when everyone gives the same score; 0 when the answers are split equally between 1 and 5.
    Reference: Tastle, W. J. & Wierman, M. J. (2007), "Consensus and dissention: A measure of ordinal
    dispersion", International Journal of Approximate Reasoning 45(3), 531-545.
``agreement``
    The common Delphi stopping rule ``iqr <= 1`` on a 5-point scale (von der Gracht 2012, "Consensus
    measurement in Delphi studies", Technological Forecasting & Social Change 79(8)). Both are given
    because the rule is a threshold and the Tastle-Wierman index is continuous.
``stakeholder_rank_pct``, ``data_rank_pct``, ``divergence``
    Within one criterion, among the themes that have both a stakeholder median and a ``data_score``, each
    is turned into a percentile rank ``(r - 1)/(m - 1)`` (average ranks for ties, ``m`` themes; 0 = lowest,
    1 = highest) and ``divergence = stakeholder_rank_pct - data_rank_pct`` in [-1, 1]: positive when the
    stakeholders rate a theme higher than the data do. Ranks make the two comparable whatever the unit of
    ``data_score``. NaN when ``m < 2`` or either is missing.

With no valid score (n = 0) every statistic is NaN.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sia.app.models import ORG_TYPES

SCALE = np.arange(1, 6)
SCALE_WIDTH = float(SCALE[-1] - SCALE[0])

EXPORT_COLUMNS: tuple[str, ...] = (
    "consultation_id", "consultation_title", "round", "theme_id", "theme", "codes", "criterion",
    "n", "n_dont_know", "median", "q1", "q3", "iqr", "mean", "consensus_tw", "agreement",
    *(f"count_{k}" for k in SCALE),
    *(f"n_{o}" for o in ORG_TYPES),
    "data_score", "stakeholder_rank_pct", "data_rank_pct", "divergence",
)
"""Columns of the results export, in order (one row per round x theme x criterion)."""


def tastle_wierman(counts: np.ndarray) -> np.ndarray:
    """Tastle & Wierman (2007) consensus of ordinal counts on the scale 1..5.

    Parameters
    ----------
    counts
        Array ``(..., 5)`` of counts of the scores 1..5.

    Returns
    -------
    numpy.ndarray
        ``Cns = 1 + sum_i p_i log2(1 - |X_i - mu| / 4)``, shape ``counts.shape[:-1]``; NaN where the count
        total is 0. A scale point at distance 4 from the mean can only occur with ``p_i = 0`` (all mass
        would then sit on the other end), and its term is taken as 0.
    """
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = counts / total
        mu = (p * SCALE).sum(axis=-1, keepdims=True)
        dist = 1.0 - np.abs(SCALE - mu) / SCALE_WIDTH
        terms = np.where(p > 0, p * np.log2(np.where(dist > 0, dist, 1.0)), 0.0)
    out = 1.0 + terms.sum(axis=-1)
    return np.where(total[..., 0] > 0, out, np.nan)


def summarise(answers: pd.DataFrame, themes: pd.DataFrame, criteria: Sequence[str]) -> pd.DataFrame:
    """Per theme x criterion statistics of one round's answers.

    Parameters
    ----------
    answers
        One row per answer: ``theme_id``, ``criterion``, ``score`` (1..5, or NA for "don't know") and
        ``org_type`` (a key of :data:`ORG_TYPES`).
    themes
        ``theme_id``, ``theme``, ``codes``, ``data_score`` (NaN if none), in display order.
    criteria
        The consultation's criteria, in order.

    Returns
    -------
    pandas.DataFrame
        One row per theme x criterion (every pair, answered or not) with the columns of
        :data:`EXPORT_COLUMNS` from ``theme_id`` on.
    """
    grid = pd.MultiIndex.from_product([themes["theme_id"].to_numpy(), list(criteria)], names=["theme_id", "criterion"])
    a = answers[answers["criterion"].isin(list(criteria))].copy()
    a["score"] = pd.to_numeric(a["score"], errors="coerce").astype("float64")
    valid = a[a["score"].notna()]
    keys = ["theme_id", "criterion"]
    g = valid.groupby(keys)["score"]
    quart = g.quantile([0.25, 0.5, 0.75]).unstack(-1).reindex(grid) if len(valid) else None
    counts = (valid.assign(k=valid["score"].astype(int)).pivot_table(index=keys, columns="k", values="score",
                                                                         aggfunc="size", fill_value=0)
              .reindex(index=grid, columns=SCALE, fill_value=0)) if len(valid) else \
        pd.DataFrame(0, index=grid, columns=SCALE)
    by_org = (valid.pivot_table(index=keys, columns="org_type", values="score", aggfunc="size", fill_value=0)
              .reindex(index=grid, columns=list(ORG_TYPES), fill_value=0)) if len(valid) else \
        pd.DataFrame(0, index=grid, columns=list(ORG_TYPES))
    dont_know = a[a["score"].isna()].groupby(keys).size().reindex(grid, fill_value=0)
    cmat = counts.to_numpy(dtype=float)
    n = cmat.sum(axis=1)
    out = pd.DataFrame(index=grid)
    out["n"] = n.astype(np.int64)
    out["n_dont_know"] = dont_know.to_numpy().astype(np.int64)
    for col, q in (("median", 0.5), ("q1", 0.25), ("q3", 0.75)):
        out[col] = quart[q].to_numpy() if quart is not None else np.nan
    out["iqr"] = out["q3"] - out["q1"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean"] = np.where(n > 0, (cmat * SCALE).sum(axis=1) / n, np.nan)
    out["consensus_tw"] = tastle_wierman(cmat)
    out["agreement"] = (out["iqr"] <= 1.0).where(out["n"] > 0)
    for k in SCALE:
        out[f"count_{k}"] = counts[k].to_numpy().astype(np.int64)
    for o in ORG_TYPES:
        out[f"n_{o}"] = by_org[o].to_numpy().astype(np.int64)
    out = out.reset_index()
    meta = themes[["theme_id", "theme", "codes", "data_score"]]
    out = out.merge(meta, on="theme_id", how="left")
    out["data_score"] = out["data_score"].astype("float64")
    both = out["median"].notna() & out["data_score"].notna()
    sub = out[both]
    m = sub.groupby("criterion")["median"].transform("size").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_pct = (sub.groupby("criterion")["median"].rank(method="average").to_numpy() - 1) / (m - 1)
        d_pct = (sub.groupby("criterion")["data_score"].rank(method="average").to_numpy() - 1) / (m - 1)
    s_pct = np.where(m >= 2, s_pct, np.nan)
    d_pct = np.where(m >= 2, d_pct, np.nan)
    out["stakeholder_rank_pct"] = np.nan
    out["data_rank_pct"] = np.nan
    out.loc[both, "stakeholder_rank_pct"] = s_pct
    out.loc[both, "data_rank_pct"] = d_pct
    out["divergence"] = out["stakeholder_rank_pct"] - out["data_rank_pct"]
    out["agreement"] = out["agreement"].astype("boolean")
    return out[[c for c in EXPORT_COLUMNS if c in out.columns]]


STOPWORDS = frozenset(
    "the and for are but not you all any can had her was one our out has have this that with from they will "
    "would there their what about which when make like than then them these some could into just also more "
    "very its it's theme region regional should much been being does such only other well were".split()
)
WORD = re.compile(r"[a-z][a-z'-]{2,}")


def comment_keywords(comments: Sequence[str], top: int = 5) -> list[tuple[str, int]]:
    """The most frequent keywords of a theme's comments (the "comment themes" shown in Delphi feedback).

    A word counts once per comment (document frequency); words shorter than 3 letters and stop words are
    ignored; only words in at least 2 comments are kept, so no keyword points to a single participant.
    Ties are broken alphabetically.
    """
    df: Counter[str] = Counter()
    for text in comments:
        df.update(set(WORD.findall(text.lower())) - STOPWORDS)
    kept = [(w, c) for w, c in df.items() if c >= 2]
    kept.sort(key=lambda wc: (-wc[1], wc[0]))
    return kept[:top]
