r"""Traded and local-serving activities from the geographic concentration of employment.

Porter (2003), "The economic performance of regions", *Regional Studies* 37(6-7), 549-578, and
Delgado, Porter & Stern (2016), "Defining clusters of related industries", *Journal of Economic
Geography* 16(1), 1-38, split industries into **traded** ones, concentrated in a subset of regions
and selling to other regions and nations, and **local** ones, present in (nearly) every region in
proportion to its size and selling locally. Their test is the concentration of employment across
US regions (Economic Areas, 179 of them, for 6-digit NAICS) on several measures at once; the
cluster-mapping methodology (clustermapping.us, "Cluster Mapping Methodology") describes it as
"traded industries are concentrated in a subset of geographic areas ... local industries are present
in most (if not all) geographic areas". This module applies the same kind of test to an
``(areas, activities)`` employment matrix, with three criteria:

``gini``
    Locational Gini of the activity (Krugman 1991; :func:`sia.metrics.concentration.locational_gini`,
    Krugman convention, in [0, 1)): :math:`G_c \ge` ``gini_min``.
``top_k``
    Pooled location quotient of the ``top_k`` areas where the activity is most specialised (highest
    LQ; ties by area order). With :math:`T_c` those areas,
    :math:`S_c = \sum_{r \in T_c} X_{rc} / X_{\cdot c}` (their share of the activity's jobs) and
    :math:`B_c = \sum_{r \in T_c} X_{r\cdot} / X_{\cdot\cdot}` (their share of all jobs),
    :math:`S_c / B_c \ge` ``top_lq_min``. The ratio rather than :math:`S_c` alone makes the test
    indifferent to the size of the regions that happen to be on top.
``breadth``
    Share of areas (with any employment) where the activity is present at near its national
    share, :math:`LQ_{rc} \ge` ``lq_cutoff``: :math:`\le` ``breadth_max``. A local-serving activity
    is near pro-rata nearly everywhere.

An activity with data is **traded** when at least ``min_criteria`` of the three pass (default 2, a
majority), else **local-serving**. All comparisons include the boundary (``>=`` / ``<=``).

Thresholds (adapted, not copied)
    The numerical cut-offs of Porter (2003) and Delgado, Porter & Stern (2016) are set for US
    counties / Economic Areas and 6-digit NAICS and could not be checked against the papers' text
    for this module; they do not transfer to ~40 UK NUTS2 regions anyway, because a coarser
    geography averages concentration away (the same activity has a lower Gini over 39 regions than
    over 179). The defaults were therefore set on BRES 2018 (39 GB NUTS2 regions x 525 SIC 2007
    classes) so that the textbook local activities sit far below them and the textbook traded
    ones far above: retail 47.11, hairdressing 96.02, restaurants 56.10, hospitals 86.10 and
    primary schools 85.20 have Gini 0.12-0.13, a pooled top-5 LQ of 1.36-1.46 and LQ >= 0.8 in
    85-95 % of regions; aerospace 30.30, motor vehicles 29.10 and fund management 66.30 have Gini
    0.64-0.77, a pooled top-5 LQ of 4.5-4.8 and LQ >= 0.8 in 15-36 % of regions.

    ============  ========  ==========================================================
    keyword       default   meaning
    ============  ========  ==========================================================
    gini_min      0.30      locational Gini (Krugman scale) at or above which: concentrated
    top_k         5         areas pooled in the top-k test (5 of 39 NUTS2 = 13 %)
    top_lq_min    1.75      pooled LQ of the top-k areas at or above which: concentrated
    lq_cutoff     0.8       LQ at or above which an area counts as "near pro-rata or more"
    breadth_max   0.5       share of areas with LQ >= lq_cutoff at or below which: concentrated
    min_criteria  2         criteria (of 3) that must pass for "traded"
    min_jobs      0         activities with at most this many jobs in total are "no data"
    ============  ========  ==========================================================

Local-serving by definition
    Regional employment cannot tell a retailer that serves its own town from one that does not,
    and at NUTS2 small local activities often look concentrated (rounding of small cells, payroll
    reported at head offices). The cluster literature classes some activities as local by
    construction; with ``codes`` given, activities matching ``local_codes`` (SIC 2007 prefixes,
    default :data:`LOCAL_SERVING_BY_DEFINITION`, minus :data:`NOT_LOCAL_BY_DEFINITION`) are
    local-serving **whatever the data say** (the prior overrides the data, also for an activity
    with no employment); the criteria are still computed and reported, and the reason says what the
    data alone would have given. Pass ``local_codes=()`` to classify from the data alone.

Zeros
    NaN cells count as 0. An activity with no employment (or at most ``min_jobs``) has NaN criteria,
    passes nothing, and is neither traded nor local (status ``"no data"``) unless it is local-serving
    by definition. Areas with no employment at all carry no weight and are never among the top k.

Example
-------
>>> import numpy as np
>>> X = np.array([[32, 16, 16], [0, 16, 48], [0, 16, 48], [0, 16, 48]])
>>> r = traded_activities(X, top_k=1)
>>> r.status.tolist()
['traded', 'local-serving', 'local-serving']
>>> round(float(r.gini[0]), 2), float(r.top_lq[0]), float(r.breadth[0])
(0.75, 4.0, 0.25)
>>> is_local_serving_by_definition("47.11"), is_local_serving_by_definition("47.91")
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sia.metrics.concentration import locational_gini
from sia.metrics.specialisation import _as_counts, location_quotient

CRITERIA: tuple[str, ...] = ("gini", "top_k", "breadth")

# SIC 2007 prefixes (undotted) that are local-serving by construction, with the reason. Sources: the local
# clusters of Delgado, Porter & Stern (2016) / the US Cluster Mapping "Local Clusters Appendix" (local retail,
# motor vehicle products and services, hospitality establishments, real estate, construction and development,
# health services, education and training, personal services, commercial services, community and civic
# organisations, utilities, logistical services); government is outside their private-sector data.
LOCAL_SERVING_BY_DEFINITION: Mapping[str, str] = MappingProxyType({
    "36": "water collection and supply (local utilities)",
    "37": "sewerage (local utilities)",
    "381": "waste collection (local utilities)",
    "41": "construction of buildings (local construction)",
    "42": "civil engineering (local construction)",
    "43": "specialised construction (local construction)",
    "45": "motor trade and repair (local motor vehicle products and services)",
    "46": "wholesale trade (audit convention: local-serving distribution; DPS 2016 put part of wholesale in "
          "the traded 'Distribution and Electronic Commerce' cluster)",
    "47": "retail trade (local retailing)",
    "4931": "urban and suburban passenger land transport (local logistical services)",
    "4932": "taxi operation (local logistical services)",
    "56": "food and beverage service (local hospitality establishments)",
    "68": "real estate (local real estate)",
    "772": "renting of personal and household goods (local personal services)",
    "812": "cleaning (local commercial services)",
    "813": "landscape service activities (local commercial services)",
    "84": "public administration and defence (non-market; outside the cluster literature's scope)",
    "851": "pre-primary education (local education)",
    "852": "primary education (local education)",
    "853": "secondary education (local education)",
    "855": "other education (local education and training)",
    "856": "educational support (local education and training)",
    "86": "human health (local health services)",
    "87": "residential care (local health services)",
    "88": "social work without accommodation (local health and community services)",
    "94": "membership organisations (local community and civic organisations)",
    "95": "repair of computers and personal and household goods (local personal services)",
    "96": "other personal services (local personal services)",
    "97": "households as employers of domestic personnel",
    "98": "undifferentiated production of private households",
})

# Finer codes inside the prefixes above that are NOT local by definition (left to the data).
NOT_LOCAL_BY_DEFINITION: Mapping[str, str] = MappingProxyType({
    "4791": "retail via mail order houses or via Internet (DPS 2016: traded, 'Distribution and Electronic Commerce')",
})


def _sic_key(code: object) -> str:
    """Undotted SIC spelling: ``"47.11" -> "4711"``, ``"62.01/1" -> "62011"``, ``"1.1" -> "011"``.

    A copy of the rule of :func:`sia.classification.sic_normaliser` (``metrics`` may not import
    ``classification``); returns ``""`` for codes that are not SIC-like.
    """
    s = str(code).strip().replace(" ", "")
    if "." in s:
        head, _, tail = s.partition(".")
        s = head.zfill(2) + tail.replace("/", "").replace(".", "")
    else:
        s = s.replace("/", "")
        if len(s) == 1:
            s = s.zfill(2)
    return s if s.isdigit() else ""


def _longest_prefix(key: str, prefixes: Iterable[str]) -> str | None:
    hits = [p for p in prefixes if key.startswith(p)]
    return max(hits, key=len) if hits else None


def local_serving_reason(
    code: object,
    local_codes: Mapping[str, str] | Iterable[str] | None = None,
    exceptions: Mapping[str, str] | Iterable[str] | None = None,
) -> str | None:
    """Why a SIC 2007 code is local-serving by definition, or ``None`` when it is not.

    Parameters
    ----------
    code
        SIC 2007 code at division level or finer, dotted or not (``"47.11"``, ``"4711"``, ``"47110"``).
    local_codes, exceptions
        Prefixes (undotted) that are local by definition and finer prefixes that are not; ``None``
        for :data:`LOCAL_SERVING_BY_DEFINITION` and :data:`NOT_LOCAL_BY_DEFINITION`. The longest
        matching prefix decides (an exception longer than the local prefix wins).

    Examples
    --------
    >>> local_serving_reason("96.02")
    'SIC 96: other personal services (local personal services)'
    >>> local_serving_reason("30.30") is None
    True
    """
    local = LOCAL_SERVING_BY_DEFINITION if local_codes is None else local_codes
    exc = NOT_LOCAL_BY_DEFINITION if exceptions is None else exceptions
    key = _sic_key(code)
    if not key:
        return None
    hit = _longest_prefix(key, local)
    if hit is None:
        return None
    miss = _longest_prefix(key, exc)
    if miss is not None and len(miss) > len(hit):
        return None
    label = local[hit] if isinstance(local, Mapping) else "in local_codes"
    return f"SIC {hit}: {label}"


def is_local_serving_by_definition(
    code: object,
    local_codes: Mapping[str, str] | Iterable[str] | None = None,
    exceptions: Mapping[str, str] | Iterable[str] | None = None,
) -> bool:
    """Whether a SIC 2007 code is local-serving by construction (see :func:`local_serving_reason`).

    Retail (47, except 47.91 mail order / Internet), wholesale (46), motor trade (45), construction
    (41-43), food and beverage service (56), real estate (68), personal services (95, 96), health and
    social work (86-88), school education (85.1-85.3, 85.5, 85.6; not higher education 85.4), public
    administration (84), local utilities (36, 37, 38.1) and a few local transport and building
    services. Codes that are not SIC-like (section letters, text) are not.

    Examples
    --------
    >>> [is_local_serving_by_definition(c) for c in ("47.11", "4791", "41.20", "85.42", "8520")]
    [True, False, True, False, True]
    """
    return local_serving_reason(code, local_codes, exceptions) is not None


@dataclass(frozen=True, eq=False)
class TradedClassification:
    """Traded / local-serving classification of activities, with every criterion (see the module docstring).

    All arrays are ``(activities,)`` except ``passed`` ``(activities, 3)`` with columns :data:`CRITERIA`.
    """

    codes: tuple[str, ...] | None
    gini: NDArray[np.float64]
    top_share: NDArray[np.float64]
    """share of the activity's jobs in its ``top_k`` most specialised areas, :math:`S_c`"""
    top_base: NDArray[np.float64]
    """those areas' share of all jobs, :math:`B_c`"""
    top_lq: NDArray[np.float64]
    """pooled LQ of those areas, :math:`S_c / B_c`"""
    breadth: NDArray[np.float64]
    """share of areas with ``LQ >= lq_cutoff``"""
    passed: NDArray[np.bool_]
    n_passed: NDArray[np.int64]
    by_definition: NDArray[np.bool_]
    no_data: NDArray[np.bool_]
    traded: NDArray[np.bool_]
    local: NDArray[np.bool_]
    status: NDArray[np.object_]
    """``"traded"``, ``"local-serving"`` or ``"no data"``"""
    reason: NDArray[np.object_]
    thresholds: Mapping[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Number of activities per status (``traded``, ``local-serving``, ``no data``)."""
        return {s: int((self.status == s).sum()) for s in ("traded", "local-serving", "no data")}


def _cmp(v: float, t: float, ok: bool, *, pct: bool = False, up: bool = True) -> str:
    """``"0.297 < 0.300"``: the value, the comparison and the threshold, with enough decimals that the
    printed numbers agree with the verdict (2 first; more when rounding would make them look equal)."""
    scale, unit = (100.0, "%") if pct else (1.0, "")
    op = (">=" if ok else "<") if up else ("<=" if ok else ">")
    for d in ((0, 1, 2, 4) if pct else (2, 3, 4, 6)):
        a, b = round(v * scale, d), round(t * scale, d)
        if a != b or v == t:
            break
    return f"{v * scale:.{d}f}{unit} {op} {t * scale:.{d}f}{unit}"


def _describe(g: float, s: float, b: float, q: float, br: float, ok: NDArray[np.bool_],
              t: Mapping[str, float]) -> str:
    k = int(t["top_k"])
    return "; ".join((
        f"locational Gini {_cmp(g, t['gini_min'], bool(ok[0]))}",
        f"{100 * s:.0f}% of jobs in the {k} most specialised regions, which hold {100 * b:.0f}% of all jobs "
        f"(pooled LQ {_cmp(q, t['top_lq_min'], bool(ok[1]))})",
        f"LQ >= {t['lq_cutoff']:g} in {_cmp(br, t['breadth_max'], bool(ok[2]), pct=True, up=False)} of regions",
    ))


def traded_activities(
    X: ArrayLike,
    *,
    codes: Sequence[object] | None = None,
    gini_min: float = 0.30,
    top_k: int = 5,
    top_lq_min: float = 1.75,
    lq_cutoff: float = 0.8,
    breadth_max: float = 0.5,
    min_criteria: int = 2,
    min_jobs: float = 0.0,
    local_codes: Mapping[str, str] | Iterable[str] | None = None,
    exceptions: Mapping[str, str] | Iterable[str] | None = None,
) -> TradedClassification:
    r"""Classify activities as traded or local-serving from an ``(areas, activities)`` employment matrix.

    Criteria, thresholds, references and the zero conventions are in the module docstring:
    :math:`G_c \ge` ``gini_min``; pooled LQ of the ``top_k`` most specialised areas
    :math:`\ge` ``top_lq_min``; share of areas with :math:`LQ \ge` ``lq_cutoff`` :math:`\le` ``breadth_max``;
    traded when at least ``min_criteria`` pass, unless the activity is local-serving by definition.

    Parameters
    ----------
    X
        Non-negative employment ``(areas, activities)``; NaN counts as 0.
    codes
        SIC 2007 code per activity; needed for the local-serving prior (without ``codes`` the data
        alone decide).
    local_codes, exceptions
        The prior, as in :func:`local_serving_reason`; ``local_codes=()`` switches it off.

    Returns
    -------
    TradedClassification

    Examples
    --------
    >>> X = np.array([[32, 16, 0], [0, 16, 0], [0, 16, 0], [0, 16, 0]])
    >>> r = traded_activities(X, codes=["30.30", "47.11", "29.10"], top_k=1)
    >>> r.status.tolist()
    ['traded', 'local-serving', 'no data']
    >>> r.reason[1]
    'local-serving by definition (SIC 47: retail trade (local retailing)); data: 0 of 3 criteria'
    """
    A = _as_counts(X)
    if A.ndim != 2:
        raise ValueError(f"X must be a 2-D (areas, activities) matrix, got shape {A.shape}")
    if (A < 0).any():
        r, c = np.argwhere(A < 0)[0]
        raise ValueError(f"X must be non-negative employment; X[{r}, {c}] = {A[r, c]}")
    n_areas, n_act = A.shape
    if codes is not None and len(codes) != n_act:
        raise ValueError(f"{len(codes)} codes for {n_act} activities")
    if not 1 <= int(top_k) < n_areas:
        raise ValueError(f"top_k must be at least 1 and below the number of areas ({n_areas}), got {top_k}")
    if not 1 <= int(min_criteria) <= len(CRITERIA):
        raise ValueError(f"min_criteria must be 1, 2 or 3, got {min_criteria}")
    for name, v in (("gini_min", gini_min), ("breadth_max", breadth_max)):
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {v}")
    top_k = int(top_k)
    thresholds = {"gini_min": float(gini_min), "top_k": float(top_k), "top_lq_min": float(top_lq_min),
                  "lq_cutoff": float(lq_cutoff), "breadth_max": float(breadth_max),
                  "min_criteria": float(min_criteria), "min_jobs": float(min_jobs)}

    col = A.sum(axis=0)
    row = A.sum(axis=1)
    grand = row.sum()
    has_data = col > min_jobs
    gini = np.where(has_data, locational_gini(A), np.nan)
    lq = np.nan_to_num(location_quotient(A), nan=0.0)  # zero columns: LQ 0 everywhere (masked below)
    occupied = row > 0
    # top-k areas by LQ per activity; a stable sort of -LQ keeps ties in area order; areas with no employment
    # sort last (-inf), so that they never take a place among the top k ahead of an occupied area with LQ 0
    top = np.argsort(-np.where(occupied[:, None], lq, -np.inf), axis=0, kind="stable")[:top_k]  # (k, activities)
    with np.errstate(divide="ignore", invalid="ignore"):
        top_share = np.take_along_axis(A, top, axis=0).sum(axis=0) / np.where(col > 0, col, 1.0)
        top_base = row[top].sum(axis=0) / (grand if grand > 0 else 1.0)
        top_lq = np.where(top_base > 0, top_share / np.where(top_base > 0, top_base, 1.0), np.nan)
    n_occupied = max(int(occupied.sum()), 1)
    breadth = ((lq >= lq_cutoff) & occupied[:, None]).sum(axis=0) / n_occupied
    top_share, top_base, top_lq, breadth = (np.where(has_data, v, np.nan) for v in (top_share, top_base, top_lq,
                                                                                      breadth))
    with np.errstate(invalid="ignore"):
        passed = np.stack([gini >= gini_min, top_lq >= top_lq_min, breadth <= breadth_max], axis=1)
    passed &= has_data[:, None]
    n_passed = passed.sum(axis=1).astype(np.int64)
    data_traded = has_data & (n_passed >= min_criteria)

    if codes is None:
        prior_reason: list[str | None] = [None] * n_act
    else:
        prior_reason = [local_serving_reason(c, local_codes, exceptions) for c in codes]
    by_def = np.array([p is not None for p in prior_reason], dtype=bool)
    traded = data_traded & ~by_def
    local = ~traded & (has_data | by_def)
    status = np.where(traded, "traded", np.where(local, "local-serving", "no data")).astype(object)

    reasons = []
    for i in range(n_act):  # one string per activity (not per cell)
        if not has_data[i]:
            why = "no employment in any area" if col[i] <= 0 else f"{col[i]:g} jobs <= min_jobs {min_jobs:g}"
            reasons.append(f"local-serving by definition ({prior_reason[i]}); no data: {why}" if by_def[i]
                           else f"no data: {why}")
            continue
        detail = _describe(gini[i], top_share[i], top_base[i], top_lq[i], breadth[i], passed[i], thresholds)
        if by_def[i]:
            data_says = "traded" if data_traded[i] else "local-serving"
            reasons.append(f"local-serving by definition ({prior_reason[i]}); data: {n_passed[i]} of 3 criteria"
                           + (f"; the data alone would say {data_says}: {detail}" if data_traded[i] else ""))
        else:
            verdict = "traded" if traded[i] else "local-serving"
            reasons.append(f"{verdict} ({n_passed[i]} of 3 criteria, {min_criteria} needed): {detail}")
    return TradedClassification(
        codes=None if codes is None else tuple(str(c) for c in codes),
        gini=gini, top_share=top_share, top_base=top_base, top_lq=top_lq, breadth=breadth,
        passed=passed, n_passed=n_passed, by_definition=by_def, no_data=~has_data,
        traded=traded, local=local, status=status, reason=np.array(reasons, dtype=object),
        thresholds=MappingProxyType(thresholds),
    )
