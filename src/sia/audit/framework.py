"""The Smart Specialisation framework: market-driven priorities standing on enabling competencies.

The Midlands Engine SIA (2016) and its successors (West Midlands 2017, D2N2 2018) split their
themes into *market-driven priorities* (traded activities that face end markets) and *enabling
competencies* (cross-cutting knowledge- or technology-intensive capabilities that many other
activities draw on). ``sia`` makes the split, the selection and the verdicts documented rules:

**Sides** (:func:`assign_sides`)
    - **enabling index** = mean z-score over themes of: forward linkage (Ghosh-based, normalised),
      share of output sold as intermediate input, centrality in the relatedness network, and
      presence across other themes; **market index** = mean z-score of: share of output to final
      demand, export share, backward linkage (Rasmussen-Hirschman).
    - a theme is a *capability* when at least ``ki_threshold`` (0.5) of its GB jobs are in
      Eurostat's high-tech or medium-high-tech manufacturing or knowledge-intensive services
      (:mod:`sia.classification.knowledge`), and *traded* when at least ``traded_threshold`` (0.5)
      of its jobs are in traded classes (:mod:`sia.metrics.traded`, Delgado, Porter & Stern 2016).
    - capability and traded: enabling if the enabling index exceeds the market index, else market;
      capability only: enabling; traded only: market; neither: **local** (local-serving: no role).
    - a pin is honoured when the data allow it (a pinned enabling theme must be a capability, a
      pinned market theme traded); otherwise the theme keeps its pinned side, takes no role, and the
      conflict is reported.

**Verdicts** (:func:`hypothesis_verdict`), for every theme at every scale: *supported* when the theme
is in the top ``k`` in at least half of the Monte Carlo draws and specialised (LQ >= 1); *not
supported* when in fewer than 10% of the draws and not specialised; *mixed* otherwise.

**Roles** (:func:`eligible_for_role`, :func:`select_framework`): a theme may take a role only if its
side allows it, it is in the top half of the ranking (rank <= ceil(n / 2), Smart Specialisation's
"tough choices"), it is specialised, and its verdict is supported or mixed (never not supported);
a side with too few such themes gets fewer entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sia.audit.vocabulary import MIXED, NOT_SUPPORTED, SUPPORTED, Side, Verdict

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
    """The side of each theme with the indices and shares behind it.

    ``conflict[i]`` is the reason a pin could not be honoured by the data ("" when none); such a
    theme keeps its pinned side but takes no role.
    """

    side: tuple[Side, ...]
    enabling_index: NDArray[np.float64]
    market_index: NDArray[np.float64]
    pinned: tuple[bool, ...]
    undetermined: tuple[bool, ...]
    knowledge_share: NDArray[np.float64]
    traded_share: NDArray[np.float64]
    conflict: tuple[str, ...]


def assign_sides(
    features: Mapping[str, ArrayLike],
    *,
    pins: Sequence[str | None] | None = None,
    knowledge_share: ArrayLike | None = None,
    traded_share: ArrayLike | None = None,
    ki_threshold: float = 0.5,
    traded_threshold: float = 0.5,
) -> SideAssignment:
    """Split themes into enabling competencies, market-driven priorities and local-serving themes.

    Parameters
    ----------
    features
        Feature name (see :data:`ENABLING_FEATURES` and :data:`MARKET_FEATURES`) -> ``(themes,)`` array;
        unknown names raise ``KeyError``, absent ones are skipped.
    pins
        Per theme ``"market"``, ``"enabling"`` or ``None`` (decided by the rule).
    knowledge_share, traded_share
        Per theme, the share of its GB jobs in knowledge- or technology-intensive activities (Eurostat)
        and in traded activities. ``None``: every theme counts as both (the index rule alone decides, as
        before the capability and traded tests existed).
    ki_threshold, traded_threshold
        A theme is a capability when ``knowledge_share >= ki_threshold``, traded when
        ``traded_share >= traded_threshold``.

    Examples
    --------
    >>> r = assign_sides({"forward_linkage": [2.0, 0.0, 1.0]}, knowledge_share=[0.9, 0.1, 0.1],
    ...                  traded_share=[0.9, 0.9, 0.1])
    >>> r.side
    ('enabling', 'market', 'local')
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
    ki = np.ones(n) if knowledge_share is None else np.asarray(knowledge_share, dtype=np.float64)
    tr = np.ones(n) if traded_share is None else np.asarray(traded_share, dtype=np.float64)
    capability = np.nan_to_num(ki) >= ki_threshold
    traded = np.nan_to_num(tr) >= traded_threshold
    undetermined = np.isnan(enabling) & np.isnan(market)
    by_index = np.nan_to_num(enabling, nan=-np.inf) > np.nan_to_num(market, nan=-np.inf)
    side_arr = np.where(capability & traded, np.where(by_index & ~undetermined, "enabling", "market"),
                        np.where(capability, "enabling", np.where(traded, "market", "local")))
    side: list[Side] = [str(x) for x in side_arr]  # type: ignore[misc]
    pinned = [False] * n
    conflict = [""] * n
    if pins is not None:
        if len(pins) != n:
            raise ValueError(f"pins has {len(pins)} entries for {n} themes")
        for i, p in enumerate(pins):
            if p is None:
                continue
            if p not in ("market", "enabling"):
                raise ValueError(f"pin must be 'market' or 'enabling', not {p!r}")
            side[i], pinned[i] = p, True
            if p == "enabling" and not capability[i]:
                conflict[i] = (f"pinned as an enabling competency, but only {100 * np.nan_to_num(ki[i]):.0f}% of its "
                               "jobs are in knowledge- or technology-intensive activities (Eurostat)")
            elif p == "market" and not traded[i]:
                conflict[i] = (f"pinned as a market-driven priority, but only {100 * np.nan_to_num(tr[i]):.0f}% of "
                               "its jobs are in traded activities")
    return SideAssignment(tuple(side), enabling, market, tuple(pinned), tuple(bool(u) for u in undetermined),
                          ki, tr, tuple(conflict))


def eligible_for_role(
    *, side: Side, conflict: str, rank: int, n_themes: int, specialised: bool, verdict: str,
    missing: Sequence[str] = (), top_k_probability: float = 1.0, rejected_probability: float = 0.1,
    of_what: str = "", significant: bool | None = None,
) -> tuple[bool, str]:
    """Whether a theme may take a role at a scale, and if not, why (one phrase).

    Eligible when its side is ``market`` or ``enabling`` without a pin conflict, it ranks in the top half
    (``rank <= ceil(n_themes / 2)``; the audit passes the rank among the themes of the same side, named by
    ``of_what``), it is specialised (LQ >= 1), and its verdict is "supported", or
    "mixed" **with the missing evidence named** (``missing`` non-empty: the evidence that could settle it
    is not available at the scale), a ranking that is not clearly against it (in the top k in at least
    ``rejected_probability`` of the draws) and, where the LQ has an interval, a significant specialisation
    (``significant``: lower bound >= 1; ``None`` when there is no interval, as for a GVA LQ). A "mixed"
    verdict on complete evidence is the evidence disagreeing with itself, and a "not supported" verdict is
    never eligible, pinned or not.

    Examples
    --------
    >>> eligible_for_role(side="market", conflict="", rank=3, n_themes=6, specialised=True, verdict="supported")
    (True, '')
    >>> eligible_for_role(side="market", conflict="", rank=4, n_themes=6, specialised=True, verdict="supported")[0]
    False
    >>> eligible_for_role(side="market", conflict="", rank=2, n_themes=6, specialised=True, verdict="mixed",
    ...                   top_k_probability=0.3)[1]
    "mixed evidence with nothing missing: among its side's top slots in only 30% of draws"
    """
    cut = int(np.ceil(n_themes / 2))
    if side == "local":
        return False, "local-serving: neither traded nor knowledge-intensive, so it holds no role"
    if conflict:
        return False, conflict
    if verdict == NOT_SUPPORTED:
        return False, "not supported by the evidence at this scale"
    if not specialised:
        return False, "not specialised at this scale (LQ below 1 or not available)"
    if not rank <= cut:
        return False, f"ranked {rank} of {n_themes}{of_what}: outside the top half of the ranking (ranks 1-{cut})"
    if verdict == MIXED and significant is False:
        return False, "mixed evidence, and the specialisation is not significant (its interval reaches below 1)"
    if verdict == MIXED and not missing:
        return False, ("mixed evidence with nothing missing: among its side's top slots in only "
                       f"{100 * top_k_probability:.0f}% of draws")
    if verdict == MIXED and top_k_probability < rejected_probability:
        return False, (f"mixed evidence: among its side's top slots in only {100 * top_k_probability:.0f}% of draws, "
                       "too rarely to carry a role while evidence is missing")
    return True, ""


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
    side has too few themes. Ties keep the theme order (stable sort).
    """
    s = np.asarray(scores, dtype=np.float64)
    ok = ~np.isnan(s) if eligible is None else (~np.isnan(s) & np.asarray(eligible, dtype=bool))
    order = np.argsort(np.where(ok, -s, np.inf), kind="stable")
    side_arr = np.asarray(sides)
    market = [int(i) for i in order if ok[i] and side_arr[i] == "market"][:n_market]
    enabling = [int(i) for i in order if ok[i] and side_arr[i] == "enabling"][:n_enabling]
    return Framework(tuple(market), tuple(enabling))


@dataclass(frozen=True)
class HypothesisVerdict:
    verdict: Verdict
    reasons: tuple[str, ...] = field(default=())
    specialised: bool = False
    significant: bool | None = None  # None: the LQ has no interval


def strength_phrase(
    label: str, lq: float, lq_low: float | None, lq_high: float | None, interval: str = "95% interval"
) -> str:
    """What the strength evidence is, exactly: ``"employment LQ 1.32 (95% interval 1.28-1.36)"`` or
    ``"GVA LQ 3.06 (no interval: GVA is apportioned, not counted)"``."""
    if lq_low is not None and lq_high is not None and np.isfinite(lq_low) and np.isfinite(lq_high):
        return f"{label} {lq:.2f} ({interval} {lq_low:.2f}-{lq_high:.2f})"
    return f"{label} {lq:.2f} (no interval: GVA is apportioned to themes, not counted)" if "GVA" in label else (
        f"{label} {lq:.2f} (no interval)")


def hypothesis_verdict(
    *,
    top_k_probability: float,
    k: int,
    lq: float,
    lq_low: float | None = None,
    lq_high: float | None = None,
    competitive_effect: float | None = None,
    growth_pct: float | None = None,
    strength_label: str = "employment LQ",
    growth_label: str = "employment",
    k_label: str = "",
    interval_label: str = "95% interval",
    missing: Sequence[str] = (),
    supported_probability: float = 0.5,
    rejected_probability: float = 0.1,
) -> HypothesisVerdict:
    """Verdict on a theme from the evidence, with the reasons.

    - **supported** when the theme is in the top ``k`` in at least ``supported_probability`` of
      the Monte Carlo draws *and* it is specialised (LQ >= 1; with an interval, significantly so: its lower
      bound >= 1);
    - **not supported** when it is in the top ``k`` in fewer than ``rejected_probability`` of the
      draws *and* it is not specialised (LQ < 1, or the interval's upper bound < 1);
    - **mixed** otherwise.

    ``k_label`` says what the top ``k`` is of (e.g. ``" of the market-side themes"``, when the probability
    is :func:`sia.audit.prioritisation.top_k_within` the theme's side). Each reason names its evidence
    (``strength_label``: employment LQ with its interval, or GVA LQ
    without one); ``missing`` lists evidence not available at the scale (see
    :func:`sia.audit.indicators.missing_reason`). Reasons never contain ``;`` (the table joins them with it).
    """
    reasons: list[str] = []
    specialised = bool(np.isfinite(lq) and lq >= 1.0)
    has_interval = lq_low is not None and lq_high is not None and np.isfinite(lq_low) and np.isfinite(lq_high)
    significant = has_interval and lq_low >= 1.0  # type: ignore[operator]
    clearly_not = (has_interval and lq_high < 1.0) or (not has_interval and np.isfinite(lq) and lq < 1.0)  # type: ignore[operator]
    if np.isfinite(lq):
        what = strength_phrase(strength_label, lq, lq_low, lq_high, interval_label)
        if significant:
            reasons.append(f"{what}: significantly specialised")
        elif specialised and has_interval:
            reasons.append(f"{what}: specialised, but the interval reaches below 1")
        elif specialised:
            reasons.append(f"{what}: specialised")
        else:
            reasons.append(f"{what}: not specialised")
    else:
        reasons.append("no location quotient at this scale")
    reasons.append(f"in the top {k}{k_label} in {100 * top_k_probability:.0f}% of weight and data draws")
    if competitive_effect is not None and np.isfinite(competitive_effect):
        word = "gained" if competitive_effect >= 0 else "lost"
        reasons.append(f"{word} {abs(competitive_effect):,.0f} jobs against the reference trend (competitive effect)")
    if growth_pct is not None and np.isfinite(growth_pct):
        reasons.append(f"{growth_label} grew {growth_pct:+.1f}% over the period")
    reasons.extend(m.replace(";", ",") for m in missing)
    sig = bool(significant) if has_interval else None
    if top_k_probability >= supported_probability and specialised and (significant or not has_interval):
        return HypothesisVerdict(SUPPORTED, tuple(reasons), specialised, sig)
    if top_k_probability < rejected_probability and (clearly_not or not specialised):
        return HypothesisVerdict(NOT_SUPPORTED, tuple(reasons), specialised, sig)
    return HypothesisVerdict(MIXED, tuple(reasons), specialised, sig)
