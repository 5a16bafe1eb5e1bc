"""The Smart Specialisation framework: market-driven priorities standing on enabling competencies.

The Midlands Engine SIA (2016) and its successors (West Midlands 2017, D2N2 2018) split their
themes into *market-driven priorities* (activities that face end markets) and *enabling
competencies* (cross-cutting capabilities that many other activities draw on). ``sia`` makes the
split a documented rule over evidence the audit has already computed:

- **enabling index** = mean z-score over themes of: forward linkage (Ghosh-based,
  normalised), share of output sold as intermediate input, breadth of use (share of industries
  that buy from the theme), centrality in the relatedness network, and presence across other
  themes;
- **market index** = mean z-score of: share of output going to final demand, export share, and
  backward linkage (Rasmussen-Hirschman);
- a theme is an **enabling competency** when its enabling index exceeds its market index, else a
  **market-driven priority**; the analyst can pin any theme to either side.

Missing features (NaN) are left out of a theme's mean; a theme with neither index is placed on
the market side and flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Side = Literal["market", "enabling"]

ENABLING_FEATURES = ("forward_linkage", "intermediate_share", "breadth", "centrality", "cross_theme")
MARKET_FEATURES = ("final_demand_share", "export_share", "backward_linkage")


def _zscores(x: NDArray[np.float64]) -> NDArray[np.float64]:
    count = np.sum(~np.isnan(x), axis=0)
    mean = np.nansum(x, axis=0) / np.maximum(count, 1)
    sd = np.sqrt(np.nansum((x - mean) ** 2, axis=0) / np.maximum(count, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sd > 0, (x - mean) / np.where(sd > 0, sd, 1.0), np.where(np.isnan(x), np.nan, 0.0))


def _mean_ignoring_nan(z: NDArray[np.float64]) -> NDArray[np.float64]:
    count = np.sum(~np.isnan(z), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.nansum(z, axis=1) / np.maximum(count, 1), np.nan)


@dataclass(frozen=True)
class SideAssignment:
    """The side of each theme with the indices behind it."""

    side: tuple[Side, ...]
    enabling_index: NDArray[np.float64]
    market_index: NDArray[np.float64]
    pinned: tuple[bool, ...]
    undetermined: tuple[bool, ...]


def assign_sides(
    features: Mapping[str, ArrayLike],
    *,
    pins: Sequence[Side | None] | None = None,
) -> SideAssignment:
    """Split themes into enabling competencies and market-driven priorities.

    Parameters
    ----------
    features
        Mapping from feature name (see :data:`ENABLING_FEATURES` and :data:`MARKET_FEATURES`) to a
        ``(themes,)`` array; unknown names raise ``KeyError``, absent ones are skipped.
    pins
        Per theme ``"market"``, ``"enabling"`` or ``None`` (decided by the rule).
    """
    unknown = sorted(set(features) - set(ENABLING_FEATURES) - set(MARKET_FEATURES))
    if unknown:
        raise KeyError(f"unknown framework features {unknown}; expected {ENABLING_FEATURES + MARKET_FEATURES}")
    lengths = {len(np.asarray(v)) for v in features.values()}
    if len(lengths) > 1:
        raise ValueError("every feature needs one value per theme")
    n = lengths.pop() if lengths else (len(pins) if pins is not None else 0)

    def index(names: Sequence[str]) -> NDArray[np.float64]:
        cols = [np.asarray(features[k], dtype=np.float64) for k in names if k in features]
        if not cols:
            return np.full(n, np.nan)
        return _mean_ignoring_nan(_zscores(np.column_stack(cols)))

    enabling = index(ENABLING_FEATURES)
    market = index(MARKET_FEATURES)
    e = np.nan_to_num(enabling, nan=-np.inf)
    m = np.nan_to_num(market, nan=-np.inf)
    undetermined = np.isnan(enabling) & np.isnan(market)
    side: list[Side] = [
        "enabling" if (ei > mi and not u) else "market" for ei, mi, u in zip(e, m, undetermined, strict=True)
    ]
    pinned = [False] * n
    if pins is not None:
        if len(pins) != n:
            raise ValueError(f"pins has {len(pins)} entries for {n} themes")
        for i, p in enumerate(pins):
            if p is not None:
                if p not in ("market", "enabling"):
                    raise ValueError(f"pin must be 'market' or 'enabling', not {p!r}")
                side[i] = p
                pinned[i] = True
    return SideAssignment(tuple(side), enabling, market, tuple(pinned), tuple(bool(u) for u in undetermined))


@dataclass(frozen=True)
class Framework:
    """Selected themes: indices into the theme list, best first."""

    market_priorities: tuple[int, ...]
    enabling_competencies: tuple[int, ...]


def select_framework(
    scores: ArrayLike, sides: Sequence[Side], *, n_market: int, n_enabling: int, eligible: ArrayLike | None = None
) -> Framework:
    """Pick the ``n_market`` best market-side and ``n_enabling`` best enabling-side themes by score.

    Themes with a NaN score or ``eligible=False`` are never selected; fewer are returned when a
    side has too few themes.
    """
    s = np.asarray(scores, dtype=np.float64)
    ok = ~np.isnan(s) if eligible is None else (~np.isnan(s) & np.asarray(eligible, dtype=bool))
    order = np.argsort(np.where(ok, -s, np.inf), kind="stable")
    side_arr = np.asarray(sides)
    market = [int(i) for i in order if ok[i] and side_arr[i] == "market"][:n_market]
    enabling = [int(i) for i in order if ok[i] and side_arr[i] == "enabling"][:n_enabling]
    return Framework(tuple(market), tuple(enabling))


Verdict = Literal["supported", "mixed", "not supported"]


@dataclass(frozen=True)
class HypothesisVerdict:
    verdict: Verdict
    reasons: tuple[str, ...] = field(default=())


def hypothesis_verdict(
    *,
    top_k_probability: float,
    k: int,
    lq: float,
    lq_low: float | None = None,
    lq_high: float | None = None,
    competitive_effect: float | None = None,
    growth_pct: float | None = None,
    supported_probability: float = 0.5,
    rejected_probability: float = 0.1,
) -> HypothesisVerdict:
    """Verdict on an analyst's theme from the evidence, with the reasons.

    Rule (documented in the method notes):

    - **supported** when the theme is in the top ``k`` in at least ``supported_probability`` of
      the Monte Carlo draws *and* it is specialised (LQ >= 1; if an interval is known, its lower
      bound >= 1 counts as significant);
    - **not supported** when it is in the top ``k`` in fewer than ``rejected_probability`` of the
      draws *and* it is not specialised (LQ < 1, or the interval's upper bound < 1);
    - **mixed** otherwise.
    """
    reasons: list[str] = []
    specialised = lq >= 1.0 if np.isfinite(lq) else False
    significant = lq_low is not None and np.isfinite(lq_low) and lq_low >= 1.0
    clearly_not = (lq_high is not None and np.isfinite(lq_high) and lq_high < 1.0) or (
        lq_high is None and np.isfinite(lq) and lq < 1.0
    )
    if np.isfinite(lq):
        interval = f" (95% interval {lq_low:.2f}-{lq_high:.2f})" if lq_low is not None and lq_high is not None else ""
        if significant:
            reasons.append(f"LQ {lq:.2f}{interval}: significantly specialised")
        elif specialised:
            reasons.append(f"LQ {lq:.2f}{interval}: specialised but not significantly")
        else:
            reasons.append(f"LQ {lq:.2f}{interval}: not specialised")
    else:
        reasons.append("no location quotient at this scale")
    reasons.append(f"in the top {k} in {100 * top_k_probability:.0f}% of weight and data draws")
    if competitive_effect is not None and np.isfinite(competitive_effect):
        word = "gained" if competitive_effect >= 0 else "lost"
        reasons.append(f"{word} {abs(competitive_effect):,.0f} jobs against the reference trend (competitive effect)")
    if growth_pct is not None and np.isfinite(growth_pct):
        reasons.append(f"grew {growth_pct:+.1f}% over the period")
    if top_k_probability >= supported_probability and specialised:
        return HypothesisVerdict("supported", tuple(reasons))
    if top_k_probability < rejected_probability and (clearly_not or not specialised):
        return HypothesisVerdict("not supported", tuple(reasons))
    return HypothesisVerdict("mixed", tuple(reasons))
