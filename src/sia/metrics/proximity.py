r"""Relatedness: proximity between activities, relatedness density, COI / COG and the opportunity view.

Notation: binary presence ``M[r, c]`` (areas x activities), ubiquity ``k_c = sum_r M[r, c]``,
co-occurrence ``C = M^T M`` (``C[i, j]`` = number of areas present in both ``i`` and ``j``).

Proximity / relatedness (``proximity(M, method=...)``)
    ``"min_cond"`` (Hidalgo, Klinger, Barabasi & Hausmann 2007, Science 317:482): minimum conditional
    probability ``phi[i, j] = min(P(i|j), P(j|i)) = C[i, j] / max(k_i, k_j)``; diagonal 1 (ecomplexity).
    ``"asymmetric"``: ``P(j|i) = C[i, j] / k_i``.
    Co-occurrence normalisations (van Eck & Waltman 2009; EconGeo ``relatedness``), computed on ``C`` with
    its diagonal set to 0, ``s_i = sum_j C[i, j]``, ``T = sum_ij C[i, j]``; diagonal 0:
    ``"cosine"`` ``C_ij / sqrt(s_i s_j)``; ``"jaccard"`` ``C_ij / (s_i + s_j - C_ij)``;
    ``"association"`` ``C_ij T / (s_i s_j)``; ``"prob"`` (EconGeo's probability index)
    ``C_ij / E_ij`` with ``E_ij = (s_i s_j / 2) (1 / (T - s_i) + 1 / (T - s_j))`` (> 1: more than expected).
    Zero denominators give 0 (an activity present nowhere is related to nothing).
    Time pooling (``pooled_proximity``): ``"mean"`` averages the yearly proximities (Atlas practice of
    smoothing product-space links over years); ``"cooccurrence"`` sums ``C`` and ``k`` over years first and
    normalises once (each area-year is one observation).

Relatedness density (``density``)
    ``d[r, c] = sum_j M[r, j] phi[j, c] / sum_j phi[j, c]`` (Hidalgo et al. 2007). ``self_proximity=True``
    sets ``phi[c, c] = 1`` so an activity counts towards its own density (ecomplexity, Atlas);
    ``self_proximity=False`` sets it to 0 (EconGeo; a present activity does not make itself "related").
    ``d`` is in [0, 1] for non-negative ``phi``; a column with no proximity mass gives NaN.

COI / COG (Hausmann et al. 2014, The Atlas of Economic Complexity)
    ``COI_r = sum_c d[r, c] (1 - M[r, c]) PCI_c``.
    Atlas opportunity gain: ``COG[r, c] = sum_j phi[j, c] / (sum_k phi[j, k]) (1 - M[r, j]) PCI_j - d[r, c] PCI_c``.
    ``form="ecomplexity"`` is that package's version: no ``- d PCI`` term, multiplied by ``(1 - M[r, c])``,
    and (via :func:`coi_cog` called with its raw ``kp``) rescaled by ``sd(ECI)``, COI z-scored.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from sia.metrics.complexity import ComplexityResult, eci_pci

ProximityMethod = Literal["min_cond", "asymmetric", "cosine", "jaccard", "association", "prob"]
METHODS: tuple[str, ...] = ("min_cond", "asymmetric", "cosine", "jaccard", "association", "prob")


def _csr(M: ArrayLike | sp.sparray | sp.spmatrix) -> sp.csr_array:
    if sp.issparse(M):
        return sp.csr_array(M, dtype=np.float64)
    return sp.csr_array(np.asarray(M, dtype=np.float64))


def cooccurrence(M: ArrayLike | sp.sparray | sp.spmatrix) -> NDArray[np.float64]:
    """Co-occurrence ``C = M^T M`` (dense ``activities x activities``).

    Chooses the cheaper kernel: a sparse product costs about ``sum_r k_r^2`` scalar operations, a dense
    BLAS product ``n_areas * n_activities^2`` vectorised ones. The dense path multiplies in float32, which is
    exact for 0/1 inputs while counts stay below 2**24 areas, and returns float64.
    """
    if sp.issparse(M):
        Ms = sp.csr_array(M, dtype=np.float64)
        n_r, n_c = Ms.shape
        d = np.diff(Ms.indptr)
        if float(np.sum(d.astype(np.float64) ** 2)) * 200 < n_r * n_c * n_c or n_r >= 2**24:
            return np.asarray((Ms.T @ Ms).toarray(), dtype=np.float64)
        Md = Ms.toarray().astype(np.float32)
    else:
        Md = np.asarray(M)
        n_r, n_c = Md.shape
        d = (Md != 0).sum(axis=1).astype(np.float64)
        if float(np.sum(d**2)) * 200 < n_r * n_c * n_c or n_r >= 2**24:
            Ms = sp.csr_array(Md, dtype=np.float64)
            return np.asarray((Ms.T @ Ms).toarray(), dtype=np.float64)
        Md = Md.astype(np.float32)
    return (Md.T @ Md).astype(np.float64)


def _left_multiply(M: ArrayLike | sp.sparray | sp.spmatrix, B: NDArray[np.float64]) -> NDArray[np.float64]:
    """``M @ B`` for 0/1 (or weighted) ``M``: sparse kernel when ``M`` is sparse enough, else BLAS."""
    if sp.issparse(M):
        Ms = sp.csr_array(M, dtype=np.float64)
    else:
        Md = np.asarray(M, dtype=np.float64)
        if np.count_nonzero(Md) > 0.25 * Md.size:
            return Md @ B
        Ms = sp.csr_array(Md)
    return np.asarray(Ms @ B)


def _safe_div(a: NDArray, b: NDArray) -> NDArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)


def normalise_cooccurrence(C: ArrayLike, method: str) -> NDArray[np.float64]:
    """Normalise a co-occurrence matrix (diagonal ignored) by ``cosine``, ``jaccard``, ``association`` or ``prob``.

    Matches EconGeo 2.1 ``relatedness(mat, method=...)`` (golden files for cosine and prob). Diagonal 0.
    """
    C = np.array(C, dtype=np.float64)
    np.fill_diagonal(C, 0.0)
    s = C.sum(axis=1)
    T = C.sum()
    si, sj = s[:, None], s[None, :]
    if method == "cosine":
        out = _safe_div(C, np.sqrt(si * sj))
    elif method == "jaccard":
        out = _safe_div(C, si + sj - C)
    elif method == "association":
        out = _safe_div(C * T, si * sj)
    elif method == "prob":
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_i = np.where(T - si > 0, 1.0 / np.where(T - si > 0, T - si, 1.0), 0.0)
            inv_j = np.where(T - sj > 0, 1.0 / np.where(T - sj > 0, T - sj, 1.0), 0.0)
        out = _safe_div(C, (si * sj / 2.0) * (inv_i + inv_j))
    else:
        raise ValueError(f"co-occurrence normalisation must be cosine, jaccard, association or prob, got {method!r}")
    np.fill_diagonal(out, 0.0)
    return out


def _proximity_from_counts(C: NDArray, k: NDArray, method: str) -> NDArray[np.float64]:
    kk = np.where(k > 0, k, 1.0)  # k = 0 only where C's row is 0, so 0 / 1 = 0
    if method == "min_cond":
        phi = C / np.maximum.outer(kk, kk)
        np.fill_diagonal(phi, np.where(k > 0, 1.0, 0.0))
        return phi
    if method == "asymmetric":
        phi = C / kk[:, None]
        np.fill_diagonal(phi, np.where(k > 0, 1.0, 0.0))
        return phi
    if method in METHODS:
        return normalise_cooccurrence(C, method)
    raise ValueError(f"proximity method must be one of {METHODS}, got {method!r}")


def proximity(M: ArrayLike | sp.sparray | sp.spmatrix, method: ProximityMethod = "min_cond") -> NDArray[np.float64]:
    """Proximity between activities from binary presence (see the module docstring for each ``method``).

    Parameters
    ----------
    M
        Binary ``(areas, activities)`` (dense or sparse) or a dense stack ``(years, areas, activities)``.
    method
        ``min_cond`` (default; Hidalgo et al. 2007), ``asymmetric``, ``cosine``, ``jaccard``,
        ``association`` or ``prob`` (EconGeo).

    Returns
    -------
    ndarray
        ``(activities, activities)`` (or ``(years, activities, activities)``). An activity with ubiquity 0
        has proximity 0 to everything (ecomplexity gives NaN and then NaN densities for the whole year).
    """
    if not sp.issparse(M) and np.ndim(M) == 3:
        return np.stack([proximity(m, method) for m in np.asarray(M)])
    C = cooccurrence(M)
    return _proximity_from_counts(C, np.diag(C).copy(), method)


def pooled_proximity(
    Ms: Sequence[ArrayLike | sp.sparray | sp.spmatrix] | NDArray,
    method: ProximityMethod = "min_cond",
    pool: Literal["mean", "cooccurrence"] = "mean",
) -> NDArray[np.float64]:
    """Time-pooled proximity over several years of presence matrices (same activities, same order).

    ``pool="mean"``: mean of the yearly proximities. ``pool="cooccurrence"``: ``C = sum_t M_t^T M_t`` and
    ``k = sum_t k_t`` first, then one normalisation (area-years as observations).
    """
    if pool == "mean":
        return np.mean([proximity(m, method) for m in Ms], axis=0)
    if pool == "cooccurrence":
        C = np.sum([cooccurrence(m) for m in Ms], axis=0)
        return _proximity_from_counts(C, np.diag(C).copy(), method)
    raise ValueError(f"pool must be 'mean' or 'cooccurrence', got {pool!r}")


def density(
    M: ArrayLike | sp.sparray | sp.spmatrix, phi: ArrayLike, *, self_proximity: bool = False
) -> NDArray[np.float64]:
    """Relatedness density ``d[r, c] = sum_j M[r, j] phi[j, c] / sum_j phi[j, c]`` in [0, 1].

    Parameters
    ----------
    M
        Binary ``(areas, activities)`` (dense or sparse) or ``(years, areas, activities)`` with ``phi``
        ``(years, activities, activities)``.
    phi
        Proximity (non-negative; need not be symmetric: ``phi[j, c]`` is the link from ``j`` to ``c``).
    self_proximity
        ``True``: ``phi[c, c] = 1`` (ecomplexity/Atlas, the activity's own presence counts);
        ``False``: ``phi[c, c] = 0`` (EconGeo).

    Returns
    -------
    ndarray
        Density; NaN in columns whose proximity mass is 0 (an isolated activity).

    Reference: Hidalgo, Klinger, Barabasi & Hausmann (2007), Science 317, 482-487.
    """
    phi = np.array(phi, dtype=np.float64)
    if phi.ndim == 3:
        M3 = np.asarray(M)
        return np.stack([density(M3[t], phi[t], self_proximity=self_proximity) for t in range(phi.shape[0])])
    np.fill_diagonal(phi, 1.0 if self_proximity else 0.0)
    den = phi.sum(axis=0)
    num = _left_multiply(M, phi)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def coi_cog(
    M: ArrayLike | sp.sparray | sp.spmatrix,
    dens: ArrayLike,
    phi: ArrayLike,
    pci: ArrayLike,
    *,
    form: Literal["atlas", "ecomplexity"] = "atlas",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Complexity outlook index (per area) and complexity outlook gain (per area x activity).

    ``COI_r = sum_c d[r, c] (1 - M[r, c]) PCI_c`` (NaN PCI counts as 0).
    ``form="atlas"``: ``COG[r, c] = sum_j (1 - M[r, j]) PCI_j phi[j, c] / sum_k phi[j, k] - d[r, c] PCI_c``.
    ``form="ecomplexity"``: ``COG[r, c] = (1 - M[r, c]) sum_j (1 - M[r, j]) phi[j, c] PCI_j / sum_k phi[j, k]``
    (the ``phi`` passed in should then carry diagonal 1, as ecomplexity's does).

    Returns the raw ``(COI, COG)``; scaling by convention is the caller's (see
    :func:`sia.metrics.complexity.eci_pci` and :func:`ecomplexity_outlook`).

    Reference: Hausmann, Hidalgo et al. (2014) The Atlas of Economic Complexity, MIT Press, technical box.
    """
    M = sp.csr_array(M, dtype=np.float64).toarray() if sp.issparse(M) else np.asarray(M, dtype=np.float64)
    dens = np.asarray(dens, dtype=np.float64)
    phi = np.asarray(phi, dtype=np.float64)
    p = np.nan_to_num(np.asarray(pci, dtype=np.float64), nan=0.0)
    absent = 1.0 - M
    coi = np.nansum(dens * absent * p[None, :], axis=1)
    rowsum = phi.sum(axis=1)
    w = _safe_div(p, rowsum)
    # (1 - M) @ diag(w) @ phi = 1 (w^T phi) - (M diag(w)) @ phi: one sparse-friendly product
    gain = (w @ phi)[None, :] - _left_multiply(M * w[None, :], phi)
    if form == "atlas":
        cog = gain - np.nan_to_num(dens) * p[None, :]
    elif form == "ecomplexity":
        cog = absent * gain
    else:
        raise ValueError(f"form must be 'atlas' or 'ecomplexity', got {form!r}")
    return coi, cog


# --------------------------------------------------------------------------- opportunity / strategy view

QUADRANTS = ("strategic", "low_hanging", "long_jump", "low_priority")


def opportunity_quadrants(
    M: ArrayLike,
    dens: ArrayLike,
    attractiveness: ArrayLike,
    *,
    feasibility_split: Literal["median"] | float = "median",
    attractiveness_split: Literal["median"] | float = "median",
) -> NDArray[np.object_]:
    """Atlas / Metroverse growth-opportunity quadrants for the activities an area does not yet have.

    Feasibility = density ``d[r, c]``; attractiveness = PCI (a vector, the same for every area) or COG (a
    matrix). For each area ``r`` and each absent activity (``M[r, c] = 0``):

    * feasibility is *high* if ``d[r, c] >=`` the split: ``"median"`` = the median density of ``r``'s absent
      activities (so each area's options are split in half), or a fixed number;
    * attractiveness is *high* if it is ``>=`` the split: ``"median"`` = the median over ``r``'s absent
      activities, or a fixed number (e.g. 0 for z-scored PCI).

    Labels: high/high ``"strategic"`` (near and complex), high feasibility / low attractiveness
    ``"low_hanging"``, low / high ``"long_jump"``, low / low ``"low_priority"``; ``"present"`` where
    ``M = 1`` and ``""`` where density or attractiveness is NaN. The four counts add up, per area, to the
    number of absent activities with finite inputs (tested).

    Reference: Hausmann et al. (2014) Atlas; Growth Lab Metroverse "growth opportunities" (feasibility vs
    attractiveness scatter).
    """
    M = np.asarray(M)
    d = np.asarray(dens, dtype=np.float64)
    a = np.broadcast_to(np.asarray(attractiveness, dtype=np.float64), d.shape)
    absent = (M == 0) & np.isfinite(d) & np.isfinite(a)

    def split(x: NDArray, how: str | float) -> NDArray:
        if how == "median":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows (no absent activity)
                return np.nanmedian(np.where(absent, x, np.nan), axis=1, keepdims=True)
        return np.full((x.shape[0], 1), float(how))

    hi_f = d >= split(d, feasibility_split)
    hi_a = a >= split(a, attractiveness_split)
    out = np.full(d.shape, "", dtype=object)
    out[M != 0] = "present"
    out[absent & hi_f & hi_a] = "strategic"
    out[absent & hi_f & ~hi_a] = "low_hanging"
    out[absent & ~hi_f & hi_a] = "long_jump"
    out[absent & ~hi_f & ~hi_a] = "low_priority"
    return out


APPROACHES = ("technological_frontier", "light_touch", "parsimonious", "strategic_bets")


def strategic_approach(eci: ArrayLike, coi: ArrayLike, *, frontier_share: float = 0.1) -> NDArray[np.object_]:
    """Atlas-style strategic approach per area from its position on ECI vs COI.

    The Atlas country profiles place a country on ECI (x) vs COI (y): the most complex economies are at the
    *technological frontier*; otherwise ample nearby opportunities (high COI) call for a *light touch*,
    moderate ones for *parsimonious* industrial policy, and few for *strategic bets*. The Atlas gives no
    numeric cut-offs, so ``sia`` uses ranks (documented approximation): the top ``frontier_share`` of areas
    by ECI are ``technological_frontier``; the others are split into COI terciles (top: ``light_touch``,
    middle: ``parsimonious``, bottom: ``strategic_bets``). NaN ECI or COI gives ``""``.
    """
    e = np.asarray(eci, dtype=np.float64)
    c = np.asarray(coi, dtype=np.float64)
    ok = np.isfinite(e) & np.isfinite(c)
    out = np.full(e.shape, "", dtype=object)
    if not ok.any():
        return out
    frontier = ok & (e >= np.quantile(e[ok], 1.0 - frontier_share))
    rest = ok & ~frontier
    if rest.any():
        lo, hi = np.quantile(c[rest], [1 / 3, 2 / 3])
        out[rest & (c >= hi)] = "light_touch"
        out[rest & (c < hi) & (c >= lo)] = "parsimonious"
        out[rest & (c < lo)] = "strategic_bets"
    out[frontier] = "technological_frontier"
    return out


# --------------------------------------------------------------------------- all of it, by convention

OUTLOOK_CONVENTIONS: dict[str, dict[str, object]] = {
    "sia": {"proximity": "min_cond", "self_proximity": False, "form": "atlas"},
    "ecomplexity": {"proximity": "min_cond", "self_proximity": True, "form": "ecomplexity"},
    "econgeo": {"proximity": "prob", "self_proximity": False, "form": "atlas"},
}


@dataclass
class OutlookResult:
    """ECI/PCI plus proximity, density, COI and COG of one year under one convention."""

    complexity: ComplexityResult
    proximity: NDArray[np.float64]
    density: NDArray[np.float64]
    coi: NDArray[np.float64]
    cog: NDArray[np.float64]
    convention: str


def outlook(
    M: ArrayLike | sp.sparray | sp.spmatrix,
    *,
    convention: Literal["sia", "ecomplexity", "econgeo"] = "sia",
    method: Literal["eigen", "reflections"] = "eigen",
    proximity_method: ProximityMethod | None = None,
    self_proximity: bool | None = None,
    phi: ArrayLike | None = None,
    area_flag: ArrayLike | None = None,
    activity_flag: ArrayLike | None = None,
    warn: bool = True,
    **eci_kwargs: object,
) -> OutlookResult:
    """ECI, PCI, proximity, density, COI and COG of one year, consistently under one convention.

    ``convention="ecomplexity"`` reproduces ecomplexity 0.5.3 column for column: min-conditional-probability
    proximity with diagonal 1, density including the activity's own proximity, COI and COG computed with the
    raw signed eigenvector ``kp`` and then ``COI`` z-scored on itself (divisor n) and ``COG / sd(ECI raw)``.
    ``"sia"``: min-conditional proximity, density without self-proximity, Atlas COI/COG with the standardised
    PCI. ``"econgeo"``: EconGeo's probability-index relatedness, density without self-proximity (EconGeo
    multiplies by 100 and rounds to 2 dp; ``sia`` does not), Atlas COI/COG with TCI.
    ``proximity_method``, ``self_proximity`` and ``phi`` (a precomputed, e.g. time-pooled, proximity) override.
    Degenerate rows: COI is NaN for areas flagged by :func:`~sia.metrics.complexity.eci_pci` (other than
    ``nan_input``); PCI NaN counts as 0 in COI/COG sums.
    """
    conv = OUTLOOK_CONVENTIONS[convention]
    cx = eci_pci(M, method=method, convention=convention, area_flag=area_flag, activity_flag=activity_flag,
                 warn=warn, **eci_kwargs)  # type: ignore[arg-type]
    pm = proximity_method or str(conv["proximity"])
    sp_ = bool(conv["self_proximity"]) if self_proximity is None else self_proximity
    ph = proximity(M, pm) if phi is None else np.asarray(phi, dtype=np.float64)  # type: ignore[arg-type]
    if sp_:
        ph = ph.copy()
        np.fill_diagonal(ph, 1.0)
    dens = density(M, ph, self_proximity=sp_)
    if convention == "ecomplexity":
        coi, cog = coi_cog(M, dens, ph, cx.kp, form="ecomplexity")
        ok = np.isfinite(cx.eci)
        sd_eci = np.std(cx.kc[ok])
        coi = np.where(ok, coi, np.nan)
        coi = (coi - np.nanmean(coi)) / np.nanstd(coi)
        cog = cog / sd_eci
    else:
        coi, cog = coi_cog(M, dens, ph, cx.pci, form=str(conv["form"]))  # type: ignore[arg-type]
        coi = np.where(np.isfinite(cx.eci) | (cx.area_flag == "nan_input"), coi, np.nan)
    return OutlookResult(cx, ph, dens, coi, cog, convention)
