r"""Relatedness: proximity between activities, relatedness density, COI / COG and the opportunity view.

Notation: binary presence ``M[r, c]`` (areas x activities), ubiquity ``k_c = sum_r M[r, c]``,
co-occurrence ``C = M^T M`` (``C[i, j]`` = number of areas present in both ``i`` and ``j``).

Proximity / relatedness (``proximity(M, method=...)``)
    ``"min_cond"`` (Hidalgo, Klinger, Barabasi & Hausmann 2007, Science 317:482): minimum conditional
    probability ``phi[i, j] = min(P(i|j), P(j|i)) = C[i, j] / max(k_i, k_j)``; diagonal 1 (ecomplexity).
    ``"asymmetric"``: ``P(j|i) = C[i, j] / k_i``.
    ``"sqrt"`` (Datawheel economic-complexity ``proximity(rca, procedure="sqrt")``): the geometric-mean
    denominator ``phi[i, j] = C[i, j] / sqrt(k_i k_j)`` (the cosine of the two presence columns); diagonal 1
    like ``"min_cond"`` (Datawheel sets its diagonal to 0, which :func:`density` with
    ``self_proximity=False`` applies).
    Continuous (:func:`continuous_proximity`; ecomplexity ``proximity(..., continuous=True)``):
    ``phi[i, j] = (1 + corr(RCA[:, i], RCA[:, j])) / 2`` from the RCA values rather than the presence.
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

Kernels
    Co-occurrence ``C = M^T M``: BLAS ``ssyrk`` in float32 (exact for 0/1 presence; half the work of a general
    product), mirrored, cast and normalised in one blocked pass; a sparse product when the presence is very
    sparse. Density and COG: for a dense input with a few per cent of cells present, one dense BLAS product
    of the stacked ``[M; M diag(w); 1; w]`` with ``phi``; otherwise sparse-times-dense products on column
    tiles (:func:`spmm`). On the trade data (224 x 1222, 10.5 % present) the dense product took 14 ms where
    the sparse kernels took 32 ms (scipy) and 18-27 ms (a hand-written C loop, tried and dropped): at this
    density BLAS's blocking beats skipping the zeros.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.linalg.blas
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from sia.metrics.complexity import ComplexityResult, eci_pci

ProximityMethod = Literal["min_cond", "asymmetric", "cosine", "jaccard", "association", "prob", "sqrt"]
METHODS: tuple[str, ...] = ("min_cond", "asymmetric", "cosine", "jaccard", "association", "prob", "sqrt")
_COUNT_METHODS = ("min_cond", "asymmetric", "sqrt")  # normalised by ubiquities, diagonal 1


def _csr(M: ArrayLike | sp.sparray | sp.spmatrix) -> sp.csr_array:
    """CSR float64 view of ``M`` in canonical form (sorted indices, no duplicates); copies only if needed."""
    if sp.issparse(M):
        out = sp.csr_array(M, dtype=np.float64)
        if not out.has_canonical_format:
            out = out.copy()
            out.sum_duplicates()
        return out
    return sp.csr_array(np.asarray(M, dtype=np.float64))


def _cooccurrence(M: ArrayLike | sp.sparray | sp.spmatrix) -> sp.csr_array | NDArray[np.float32]:
    """``C = M^T M``: sparse CSR when the sparse kernel is the cheaper one, else the dense **upper
    triangle** from :func:`_upper_counts` (finish with :func:`_from_upper`)."""
    if sp.issparse(M):
        Ms = sp.csr_array(M, dtype=np.float64)
        n_r, n_c = Ms.shape
        d = np.diff(Ms.indptr)
        if float(np.sum(d.astype(np.float64) ** 2)) * 200 < n_r * n_c * n_c or n_r >= 2**24:
            return sp.csr_array(sp.csr_array(Ms.T) @ Ms)
        return _upper_counts(Ms.toarray())
    Md = np.asarray(M)
    n_r, n_c = Md.shape
    d = np.count_nonzero(Md, axis=1).astype(np.float64)
    if float(np.sum(d**2)) * 200 < n_r * n_c * n_c or n_r >= 2**24:
        Ms = sp.csr_array(Md, dtype=np.float64)
        return sp.csr_array(sp.csr_array(Ms.T) @ Ms)
    return _upper_counts(Md)


def _upper_counts(Md: ArrayLike) -> NDArray[np.float32]:
    """Upper triangle of ``C = M^T M`` by BLAS ``ssyrk`` (Fortran order; the strict lower triangle is 0).

    ``syrk`` does half the multiply-adds of a general product; float32 is exact for 0/1 inputs while counts
    stay below 2**24 (the callers fall back to the sparse kernel beyond that). BLAS keeps its own threads.
    """
    Mf = np.asarray(Md, dtype=np.float32)
    return scipy.linalg.blas.ssyrk(1.0, Mf.T, trans=0)


def _from_upper(U: NDArray[np.float32], method: str | None) -> NDArray[np.float64]:
    """Full float64 ``C`` (``method=None``) or its ``min_cond`` / ``asymmetric`` / ``sqrt`` normalisation,
    from the upper triangle ``U`` in one blocked pass (mirror, cast and divide per block of rows)."""
    n = U.shape[0]
    k = np.diagonal(U).astype(np.float64)
    kk = np.where(k > 0, k, 1.0)  # k = 0 only where C's row is 0, so 0 / 1 = 0
    out = np.empty((n, n))
    lower = U.T  # C-ordered view: its lower triangle holds the counts
    for a in range(0, n, _ROW_BLOCK):
        b = min(a + _ROW_BLOCK, n)
        blk = out[a:b]
        np.add(lower[a:b], U[a:b], out=blk)  # exact integer sums; the diagonal twice (reset below)
        if method == "min_cond":
            blk /= np.maximum(kk[a:b, None], kk[None, :])
        elif method == "asymmetric":
            blk /= kk[a:b, None]
        elif method == "sqrt":
            blk /= np.sqrt(kk[a:b, None] * kk[None, :])
    np.fill_diagonal(out, k if method is None else np.where(k > 0, 1.0, 0.0))
    return out


def cooccurrence(M: ArrayLike | sp.sparray | sp.spmatrix) -> NDArray[np.float64]:
    """Co-occurrence ``C = M^T M`` (dense ``activities x activities``).

    Chooses the cheaper kernel: a sparse product costs about ``sum_r k_r^2`` scalar operations, a dense
    BLAS ``syrk`` ``n_areas * n_activities^2 / 2`` vectorised ones. The dense path multiplies in float32,
    which is exact for 0/1 inputs while counts stay below 2**24 areas, and returns float64.
    """
    C = _cooccurrence(M)
    return np.asarray(C.toarray(), dtype=np.float64) if sp.issparse(C) else _from_upper(C, None)


_TILE = 256  # columns of the dense factor per task in :func:`spmm`
_ROW_BLOCK = 64  # rows per block for elementwise passes (a block and its temporaries stay in L2)


def _n_threads() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def spmm(mats: Sequence[sp.csr_array], B: NDArray[np.float64]) -> list[NDArray[np.float64]]:
    """``[M @ B for M in mats]`` for sparse CSR ``M`` (same shape) and a dense ``B``.

    ``nnz(M) * B.shape[1]`` multiply-adds per product; a dense ``M`` is never formed. For wide ``B`` the work
    is split into column tiles of ``B`` (a tile stays in cache while every product reads it) run on a thread
    pool (scipy's sparse kernels release the GIL). Each output element is the same sum in the same order as
    ``M @ B``, so results are bitwise identical to the untiled product.
    """
    n_r = mats[0].shape[0]
    n = B.shape[1]
    if n <= 2 * _TILE:
        return [np.asarray(m @ B) for m in mats]
    outs = [np.empty((n_r, n), dtype=np.float64) for _ in mats]

    def task(s: int) -> None:
        slab = np.ascontiguousarray(B[:, s:s + _TILE])
        for m, o in zip(mats, outs, strict=True):
            o[:, s:s + _TILE] = m @ slab

    starts = range(0, n, _TILE)
    workers = _n_threads()
    if workers == 1:
        for s in starts:
            task(s)
    else:
        with ThreadPoolExecutor(max_workers=workers) as ex:
            list(ex.map(task, starts))
    return outs


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
    """Normalise counts ``C`` (float64, owned by the caller: modified **in place** for ``min_cond``,
    ``asymmetric`` and ``sqrt``) into a proximity matrix; row blocks keep temporaries small."""
    kk = np.where(k > 0, k, 1.0)  # k = 0 only where C's row is 0, so 0 / 1 = 0
    if method in _COUNT_METHODS:
        for a in range(0, C.shape[0], _ROW_BLOCK):
            blk = C[a:a + _ROW_BLOCK]
            if method == "min_cond":
                blk /= np.maximum(kk[a:a + _ROW_BLOCK, None], kk[None, :])
            elif method == "sqrt":
                blk /= np.sqrt(kk[a:a + _ROW_BLOCK, None] * kk[None, :])
            else:
                blk /= kk[a:a + _ROW_BLOCK, None]
        np.fill_diagonal(C, np.where(k > 0, 1.0, 0.0))
        return C
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
        ``association`` or ``prob`` (EconGeo), ``sqrt`` (Datawheel's geometric-mean denominator).

    Returns
    -------
    ndarray
        ``(activities, activities)`` (or ``(years, activities, activities)``). An activity with ubiquity 0
        has proximity 0 to everything (ecomplexity gives NaN and then NaN densities for the whole year).
    """
    if method not in METHODS:
        raise ValueError(f"proximity method must be one of {METHODS}, got {method!r}")
    if not sp.issparse(M) and np.ndim(M) == 3:
        return np.stack([proximity(m, method) for m in np.asarray(M)])
    C = _cooccurrence(M)
    if sp.issparse(C) and method in _COUNT_METHODS:
        # normalise the stored co-occurrences only (the same divisions as the dense path), then densify
        k = C.diagonal()
        kk = np.where(k > 0, k, 1.0)
        rows = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
        if method == "min_cond":
            C.data /= np.maximum(kk[rows], kk[C.indices])
        elif method == "sqrt":
            C.data /= np.sqrt(kk[rows] * kk[C.indices])
        else:
            C.data /= kk[rows]
        phi = C.toarray()
        np.fill_diagonal(phi, np.where(k > 0, 1.0, 0.0))
        return phi
    if not sp.issparse(C):
        if method in _COUNT_METHODS:
            return _from_upper(C, method)
        return normalise_cooccurrence(_from_upper(C, None), method)
    Cd = C.toarray()
    return _proximity_from_counts(Cd, np.diag(Cd).copy(), method)  # Cd is ours: normalised in place


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


def _column_correlation(X: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Pearson correlation between the columns of ``X`` (``numpy.corrcoef(X.T)``, clipped to [-1, 1]) and
    the mask of columns with a non-zero variance (the others have no defined correlation; their rows and
    columns of the result are 0 here, for the caller to fill)."""
    Xc = X - X.mean(axis=0)
    norm = np.sqrt(np.einsum("ij,ij->j", Xc, Xc))
    scale = np.abs(X).max(axis=0, initial=0.0) * np.sqrt(X.shape[0])
    ok = norm > 1e-13 * np.where(scale > 0, scale, 1.0)  # a constant column leaves rounding noise only
    Z = Xc * np.where(ok, 1.0 / np.where(ok, norm, 1.0), 0.0)[None, :]
    corr = Z.T @ Z
    np.clip(corr, -1.0, 1.0, out=corr)
    return corr, ok


def continuous_proximity(rca: ArrayLike) -> NDArray[np.float64]:
    r"""Continuous (correlation-based) proximity between activities, from RCA values.

    .. math:: \phi_{ij} = \frac{1 + \rho\left(RCA_{\cdot i},\, RCA_{\cdot j}\right)}{2} \in [0, 1]

    with :math:`\rho` the Pearson correlation across areas of the two activities' RCA (or RPOP) columns;
    diagonal 1. Unlike :func:`proximity` it uses the values, not the binary presence, so two activities
    that are over- and under-represented together are close even below the RCA threshold.

    Reference: ecomplexity 0.5.3 (Harvard Growth Lab) ``proximity(..., continuous=True)`` and
    ``ecomplexity(..., continuous=True)``, ``calc_continuous_proximity``: ``(1 + numpy.corrcoef(rca.T)) / 2``.
    :func:`outlook` with ``continuous=rca`` reproduces that package's continuous density, COI and COG.

    Parameters
    ----------
    rca
        ``(areas, activities)`` RCA / location quotients (e.g. :func:`sia.metrics.specialisation.location_quotient`),
        or a stack ``(years, areas, activities)``. NaN counts as 0.

    Returns
    -------
    ndarray
        ``(activities, activities)`` (or one per year). An activity whose RCA is the same in every area has
        no defined correlation: ``sia`` gives it proximity 0 to everything, diagonal included (as
        :func:`proximity` does for an activity present nowhere); ecomplexity gives NaN, and then NaN
        densities for every area.

    Examples
    --------
    >>> rca = np.array([[2.0, 1.5, 0.2], [1.0, 1.0, 1.0], [0.1, 0.4, 2.5]])
    >>> np.round(continuous_proximity(rca), 3)
    array([[1.   , 0.998, 0.01 ],
           [0.998, 1.   , 0.004],
           [0.01 , 0.004, 1.   ]])
    """
    R = np.asarray(rca, dtype=np.float64)
    if R.ndim == 3:
        return np.stack([continuous_proximity(r) for r in R])
    R = np.nan_to_num(R, nan=0.0)
    corr, ok = _column_correlation(R)
    phi = corr
    phi += 1.0
    phi /= 2.0
    np.fill_diagonal(phi, 1.0)
    if not ok.all():
        phi[~ok, :] = 0.0
        phi[:, ~ok] = 0.0
    return phi


def export_similarity(rca: ArrayLike, epsilon: float = 0.1) -> NDArray[np.float64]:
    r"""Export similarity between areas: the Pearson correlation of their log-RCA profiles.

    .. math:: S_{rr'} = \rho\left(\log(RCA_{r\cdot} + \varepsilon),\, \log(RCA_{r'\cdot} + \varepsilon)\right)

    across activities, in [-1, 1], diagonal 1; ``epsilon`` keeps ``log`` finite where RCA is 0.

    Reference: Bahar, Hausmann & Hidalgo (2014), "Neighbors and the evolution of the comparative advantage
    of nations: evidence of international knowledge diffusion?", *Journal of International Economics* 92(1),
    111-123; Datawheel economic-complexity ``similarity(rca, epsilon=0.1)``
    (``numpy.corrcoef(numpy.log(rca + epsilon))``).

    Parameters
    ----------
    rca
        ``(areas, activities)`` RCA values (not the binary presence); NaN counts as 0.
    epsilon
        The offset inside the logarithm (Datawheel's default 0.1); must be positive.

    Returns
    -------
    ndarray
        ``(areas, areas)``. An area whose log-RCA is the same in every activity (e.g. an empty area) has no
        defined correlation: NaN in its row and column, as the peer.

    Examples
    --------
    >>> rca = np.array([[2.0, 1.5, 0.2], [1.0, 1.0, 1.0], [0.1, 0.4, 2.5]])
    >>> np.round(export_similarity(rca), 3)
    array([[ 1.   ,    nan, -0.973],
           [   nan,    nan,    nan],
           [-0.973,    nan,  1.   ]])
    """
    if not epsilon > 0:
        raise ValueError(f"epsilon must be positive, got {epsilon!r}")
    R = np.nan_to_num(np.asarray(rca, dtype=np.float64), nan=0.0)
    corr, ok = _column_correlation(np.log(R + epsilon).T)
    np.fill_diagonal(corr, 1.0)
    if not ok.all():
        corr[~ok, :] = np.nan
        corr[:, ~ok] = np.nan
    return corr


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

    Notes
    -----
    Dense BLAS when ``M`` is dense with a few per cent of cells present (see :func:`_dense_kernels`), else
    one sparse-times-dense product ``M @ phi`` (``nnz(M) * n`` multiply-adds). Neither copies
    ``phi``: the diagonal convention is applied as a correction ``delta_c = phi'[c, c] - phi[c, c]`` to the
    column sums and, at the cells where ``M`` is non-zero, ``M[r, c] * delta_c`` to the numerator.

    Reference: Hidalgo, Klinger, Barabasi & Hausmann (2007), Science 317, 482-487.
    """
    phi = np.asarray(phi, dtype=np.float64)
    if phi.ndim == 3:
        M3 = np.asarray(M)
        return np.stack([density(M3[t], phi[t], self_proximity=self_proximity) for t in range(phi.shape[0])])
    diag = 1.0 if self_proximity else 0.0
    if _dense_kernels(M):
        Md = np.asarray(M, dtype=np.float64)
        return _density_dense(Md, phi, diag, Md @ phi, phi.sum(axis=0))
    return _density_kernel(_csr(M), phi, diag)


def _nnz_rows(Ms: sp.csr_array) -> NDArray[np.intp]:
    return np.repeat(np.arange(Ms.shape[0]), np.diff(Ms.indptr))


def _density_kernel(
    Ms: sp.csr_array, phi: NDArray[np.float64], diag: float, num: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Density; ``num``, if given, is ``Ms @ phi`` (consumed: overwritten with the result)."""
    delta = diag - np.diagonal(phi)
    den = phi.sum(axis=0) + delta
    if num is None:
        (num,) = spmm([Ms], phi)
    if np.any(delta != 0):
        num[_nnz_rows(Ms), Ms.indices] += Ms.data * delta[Ms.indices]
    return _by_column_mass(num, den)


def _by_column_mass(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
    """``num / den`` per column in place; NaN in columns with no proximity mass (``den <= 0``)."""
    ok = den > 0
    num /= np.where(ok, den, 1.0)[None, :]
    if not ok.all():
        num[:, ~ok] = np.nan
    return num


def coi_cog(
    M: ArrayLike | sp.sparray | sp.spmatrix,
    dens: ArrayLike,
    phi: ArrayLike,
    pci: ArrayLike,
    *,
    form: Literal["atlas", "ecomplexity", "economiccomplexity"] = "atlas",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Complexity outlook index (per area) and complexity outlook gain (per area x activity).

    ``COI_r = sum_c d[r, c] (1 - M[r, c]) PCI_c`` (NaN PCI or density counts as 0).
    ``form="atlas"``: ``COG[r, c] = sum_j (1 - M[r, j]) PCI_j phi[j, c] / sum_k phi[j, k] - d[r, c] PCI_c``.
    ``form="ecomplexity"``: ``COG[r, c] = (1 - M[r, c]) sum_j (1 - M[r, j]) phi[j, c] PCI_j / sum_k phi[j, k]``
    (the ``phi`` passed in should then carry diagonal 1, as ecomplexity's does).
    ``form="economiccomplexity"`` is R economiccomplexity's ``complexity_outlook(balassa_index,
    proximity_product, complexity_index_product)``: the same two formulas as ``"ecomplexity"`` (its COI uses
    ``1 - distance``, the density with the proximity's own diagonal 1, and its COG the ``(1 - M)`` factor), with
    the PCI passed in used as it is (no rescaling). Pass ``proximity(M)`` (diagonal 1, as its ``proximity()``),
    ``density(M, phi, self_proximity=True)`` and its PCI.

    Computation (no dense ``1 - M`` is ever formed): with ``w_j = PCI_j / sum_k phi[j, k]``,
    ``(1 - M) diag(w) phi = 1 (w^T phi) - (M diag(w)) @ phi`` (rank-one term plus one sparse-times-dense
    product), ``COI = d @ PCI - sum_{M[r,c] != 0} M[r, c] d[r, c] PCI_c``, and the factor ``(1 - M[r, c])``
    of the ecomplexity form touches only the non-zero cells of ``M``.

    Returns the raw ``(COI, COG)``; scaling by convention is the caller's (see
    :func:`sia.metrics.complexity.eci_pci` and :func:`outlook`).

    Reference: Hausmann, Hidalgo et al. (2014) The Atlas of Economic Complexity, MIT Press, technical box.
    """
    if form not in ("atlas", "ecomplexity", "economiccomplexity"):
        raise ValueError(f"form must be 'atlas', 'ecomplexity' or 'economiccomplexity', got {form!r}")
    if form == "economiccomplexity":
        form = "ecomplexity"  # one formula, two peers (see above)
    dens, phi, pci = (np.asarray(x, dtype=np.float64) for x in (dens, phi, pci))
    if _dense_kernels(M):
        Md = np.asarray(M, dtype=np.float64)
        p = np.nan_to_num(pci, nan=0.0)
        w = _safe_div(p, phi.sum(axis=1))
        return _coi_cog_dense(Md, dens, p, form, (Md * w[None, :]) @ phi, w @ phi)
    return _coi_cog_kernel(_csr(M), dens, phi, pci, form)


def _gain_weights(Ms: sp.csr_array, phi: NDArray[np.float64], p: NDArray[np.float64]) -> tuple[NDArray, sp.csr_array]:
    """``w = p / rowsum(phi)`` and ``M diag(w)`` (same sparsity as ``M``)."""
    w = _safe_div(p, phi.sum(axis=1))
    return w, sp.csr_array((Ms.data * w[Ms.indices], Ms.indices, Ms.indptr), shape=Ms.shape)


def _coi_cog_kernel(
    Ms: sp.csr_array, dens: NDArray[np.float64], phi: NDArray[np.float64], pci: NDArray[np.float64], form: str,
    prod: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """COI, COG; ``prod``, if given, is ``(M diag(w)) @ phi`` from :func:`_gain_weights` (consumed)."""
    p = np.nan_to_num(pci, nan=0.0)
    rows, cols = _nnz_rows(Ms), Ms.indices
    nan = np.isnan(dens)
    d0 = np.where(nan, 0.0, dens) if nan.any() else dens
    coi = d0 @ p - np.bincount(rows, weights=Ms.data * d0[rows, cols] * p[cols], minlength=Ms.shape[0])
    w, Mw = _gain_weights(Ms, phi, p)
    cog = prod if prod is not None else spmm([Mw], phi)[0]  # (M diag(w)) @ phi
    np.subtract((w @ phi)[None, :], cog, out=cog)  # gain = 1 (w^T phi) - (M diag(w)) @ phi
    if form == "atlas":
        for s in range(0, cog.shape[0], _ROW_BLOCK):
            cog[s:s + _ROW_BLOCK] -= d0[s:s + _ROW_BLOCK] * p[None, :]
    else:
        cog[rows, cols] *= 1.0 - Ms.data
    return coi, cog


# --------------------------------------------------------------------------- Datawheel economic-complexity


def opportunity_gain(
    M: ArrayLike | sp.sparray | sp.spmatrix, phi: ArrayLike, pci: ArrayLike
) -> NDArray[np.float64]:
    r"""Opportunity gain as Datawheel economic-complexity defines it (``opportunity_gain(rca, pci=...)``).

    .. math::

        OG_{rc} = \sum_j (1 - M_{rj})\, PCI_j \frac{\phi_{jc}}{\sum_k \phi_{kc}} - d_{rc}\, PCI_c,
        \qquad d_{rc} = \frac{\sum_j M_{rj} \phi_{jc}}{\sum_k \phi_{kc}}

    Every weight is normalised by the **target** column's proximity mass ``sum_k phi[k, c]`` and the value
    is given for every cell, present ones included. This is not the Atlas COG of :func:`coi_cog`, which
    normalises each source ``j`` by ``sum_k phi[j, k]`` (equal only when every activity has the same
    proximity mass). ``phi`` is used as passed: Datawheel's ``proximity()`` has diagonal 0 (use
    ``proximity(M, "min_cond")`` or ``proximity(M, "sqrt")`` with the diagonal set to 0), so ``d`` is then
    :func:`density` with ``self_proximity=False``.

    Reference: Datawheel economic-complexity (OEC), ``economic_complexity/pandas/opp_gain.py``:
    ``(1 - M).multiply(pci).dot(phi / phi.sum()) - (1 - relatedness(1 - M, phi)).multiply(pci)``.

    Parameters
    ----------
    M
        Binary presence ``(areas, activities)``, dense or sparse.
    phi
        Proximity ``(activities, activities)``.
    pci
        Product complexity ``(activities,)``; NaN counts as 0.

    Returns
    -------
    ndarray
        ``(areas, activities)``; NaN in columns with no proximity mass (as the peer's 0 / 0).

    Examples
    --------
    >>> M = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0]])
    >>> phi = proximity(M)
    >>> np.fill_diagonal(phi, 0.0)
    >>> np.round(opportunity_gain(M, phi, np.array([-1.0, 0.5, 1.5])), 4)
    array([[ 1.  ,  0.5 , -1.5 ],
           [ 1.  , -0.75, -1.5 ],
           [ 0.5 ,  0.5 ,  0.5 ]])
    """
    phi = np.asarray(phi, dtype=np.float64)
    p = np.nan_to_num(np.asarray(pci, dtype=np.float64), nan=0.0)
    Ms = _csr(M)
    mass = phi.sum(axis=0)
    ok = mass > 0
    W = phi * np.where(ok, 1.0 / np.where(ok, mass, 1.0), 0.0)[None, :]  # phi[j, c] / sum_k phi[k, c]
    Mp = sp.csr_array((Ms.data * p[Ms.indices], Ms.indices, Ms.indptr), shape=Ms.shape)  # M diag(PCI)
    d, gain = spmm([Ms, Mp], W)
    np.subtract((p @ W)[None, :], gain, out=gain)  # sum_j (1 - M[r, j]) PCI_j W[j, c]
    gain -= d * p[None, :]
    if not ok.all():
        gain[:, ~ok] = np.nan
    return gain


def relative_relatedness(
    M: ArrayLike | sp.sparray | sp.spmatrix, dens: ArrayLike, *, ddof: int = 1
) -> NDArray[np.float64]:
    r"""Relative relatedness: each area's density z-scored over the activities it does not have.

    .. math::

        RR_{rc} = \frac{d_{rc} - \mu_r}{\sigma_r}, \qquad
        \mu_r = \operatorname{mean}_{c': M_{rc'} = 0} d_{rc'}, \quad
        \sigma_r = \operatorname{sd}_{c': M_{rc'} = 0} d_{rc'}

    (``sd`` with divisor ``n - ddof``; ``ddof=1`` as pandas), for every cell, present ones included:
    ``RR > 0`` marks an option closer to the area's capabilities than its average option.

    Reference: Datawheel economic-complexity, ``relative_relatedness(rca, cutoff=1, proximities=None)``
    in ``economic_complexity/pandas/relatedness.py``: ``(relatedness - mean) / std`` row by row, with the
    mean and ``std`` (pandas, ``ddof=1``, NaN skipped) over the cells with ``RCA < cutoff``. As written at
    commit 3f225ef that function calls its keyword-only ``relatedness(rcas, cutoff)`` positionally, which
    raises ``TypeError``; ``sia`` implements the formula it states.

    Parameters
    ----------
    M
        Binary presence ``(areas, activities)``.
    dens
        Density ``(areas, activities)`` (Datawheel's ``relatedness``: :func:`density` with
        ``self_proximity=False``); NaN cells are left out of the mean and ``sd``.
    ddof
        Delta degrees of freedom of ``sd`` (1: pandas, the peer; 0: numpy).

    Returns
    -------
    ndarray
        ``(areas, activities)``; NaN in rows with fewer than ``ddof + 1`` finite absent densities or ``sd = 0``
        (all absent options equally dense: pandas, and so the peer, gives ``inf`` / NaN there).

    Examples
    --------
    >>> M = np.array([[1, 0, 0, 0], [0, 1, 0, 0]])
    >>> d = np.array([[0.9, 0.25, 0.5, 0.75], [0.125, 0.875, 0.375, 0.625]])
    >>> relative_relatedness(M, d)
    array([[ 1.6, -1. ,  0. ,  1. ],
           [-1. ,  2. ,  0. ,  1. ]])
    """
    d = np.asarray(dens, dtype=np.float64)
    present = (np.asarray(M.toarray() if sp.issparse(M) else M) != 0)
    use = ~present & np.isfinite(d)
    n = use.sum(axis=1)
    x = np.where(use, d, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = x.sum(axis=1) / n
        dev = np.where(use, d - mu[:, None], 0.0)
        sd = np.sqrt(np.einsum("ij,ij->i", dev, dev) / (n - ddof))
    good = (n > ddof) & (sd > 1e-12 * np.abs(mu))  # equal densities leave rounding noise only: sd 0
    sd = np.where(good, sd, np.nan)
    return (d - mu[:, None]) / sd[:, None]


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


# --------------------------------------------------------------------------- dense kernels

_DENSE_MIN_SHARE = 0.04  # share of present cells from which dense BLAS beats the sparse kernels
_DENSE_MAX_CELLS = 50_000_000  # areas x activities up to which a dense float64 copy of M is acceptable


def _dense_kernels(M: ArrayLike | sp.sparray | sp.spmatrix) -> bool:
    """Whether :func:`outlook` should run on dense BLAS rather than on sparse-times-dense products.

    A dense product costs ``n_areas * n_activities^2`` multiply-adds at BLAS speed, the sparse kernel
    ``nnz(M) * n_activities`` at roughly a tenth of that speed per operation, so dense wins once more than
    a few per cent of cells are present (see the module docstring for the trade-data measurement). Sparse
    inputs stay sparse: the caller chose the representation.
    """
    if sp.issparse(M):
        return False
    a = np.asarray(M)
    return a.ndim == 2 and 0 < a.size <= _DENSE_MAX_CELLS and np.count_nonzero(a) >= _DENSE_MIN_SHARE * a.size


def _outlook_dense(
    Md: NDArray[np.float64], phi: NDArray[np.float64], p: NDArray[np.float64], diag: float, form: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Density, raw COI and raw COG from dense ``M`` with one BLAS product.

    With ``w = p / rowsum(phi)`` the stacked left factor ``[M; M diag(w); 1; w]`` times ``phi`` gives the
    density numerator ``M phi``, the gain term ``M diag(w) phi`` and the column sums ``1^T phi`` and
    ``w^T phi`` in one pass over ``phi``; :func:`_density_dense` and :func:`_coi_cog_dense` finish.
    """
    n_r = Md.shape[0]
    w = _safe_div(p, phi.sum(axis=1))
    L = np.empty((2 * n_r + 2, Md.shape[1]))
    L[:n_r] = Md
    np.multiply(Md, w[None, :], out=L[n_r:2 * n_r])
    L[2 * n_r] = 1.0
    L[2 * n_r + 1] = w
    R = L @ phi
    dens = _density_dense(Md, phi, diag, R[:n_r], R[2 * n_r])
    coi, cog = _coi_cog_dense(Md, dens, p, form, R[n_r:2 * n_r], R[2 * n_r + 1])
    return dens, coi, cog


def _density_dense(
    Md: NDArray[np.float64], phi: NDArray[np.float64], diag: float, num: NDArray[np.float64],
    colsum: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``d = (M phi + M diag(delta)) / (1^T phi + delta)``, ``delta = diag - diag(phi)``; ``num = M phi``
    (consumed)."""
    delta = diag - np.diagonal(phi)
    if np.any(delta != 0):
        num += Md * delta[None, :]
        colsum = colsum + delta
    return _by_column_mass(num, colsum)


def _coi_cog_dense(
    Md: NDArray[np.float64], dens: NDArray[np.float64], p: NDArray[np.float64], form: str,
    gain: NDArray[np.float64], wphi: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``COI = d @ p - (d * M) @ p``; ``COG = 1 (w^T phi) - M diag(w) phi`` (``gain``, consumed), then
    ``- d p`` (Atlas) or ``* (1 - M)`` (ecomplexity). NaN densities count as 0."""
    d0 = np.nan_to_num(dens, nan=0.0) if np.isnan(dens).any() else dens
    coi = d0 @ p - (d0 * Md) @ p
    np.subtract(wphi[None, :], gain, out=gain)
    if form == "atlas":
        gain -= d0 * p[None, :]
    else:
        gain *= 1.0 - Md
    return coi, gain


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
    continuous: ArrayLike | None = None,
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
    ``continuous`` (the RCA matrix ``M`` was cut from) switches to ecomplexity's ``continuous=True``: proximity
    :func:`continuous_proximity` of the RCA (unless ``phi`` is given) and density from the RCA values,
    ``d = RCA phi / 1' phi``, not from ``M``; ECI/PCI and the ``(1 - M)`` factors of COI/COG still use ``M``.
    Degenerate rows: COI is NaN for areas flagged by :func:`~sia.metrics.complexity.eci_pci` (other than
    ``nan_input``); PCI NaN counts as 0 in COI/COG sums.
    """
    conv = OUTLOOK_CONVENTIONS[convention]
    dense = _dense_kernels(M)
    Mx: NDArray[np.float64] | sp.csr_array = np.asarray(M, dtype=np.float64) if dense else _csr(M)
    cx = eci_pci(Mx, method=method, convention=convention, area_flag=area_flag, activity_flag=activity_flag,
                 warn=warn, **eci_kwargs)  # type: ignore[arg-type]
    pm = proximity_method or str(conv["proximity"])
    sp_ = bool(conv["self_proximity"]) if self_proximity is None else self_proximity
    R = None if continuous is None else np.nan_to_num(np.asarray(continuous, dtype=np.float64), nan=0.0)
    if R is not None and R.shape != Mx.shape:
        raise ValueError(f"continuous (the RCA matrix) has shape {R.shape}, the presence {Mx.shape}")
    if phi is not None:
        ph = np.asarray(phi, dtype=np.float64)
    else:
        ph = proximity(Mx, pm) if R is None else continuous_proximity(R)  # type: ignore[arg-type]
    if sp_ and np.any(np.diagonal(ph) != 1.0):
        if phi is not None:
            ph = ph.copy()  # never modify the caller's matrix
        np.fill_diagonal(ph, 1.0)
    pv = cx.kp if convention == "ecomplexity" else cx.pci
    form = "ecomplexity" if convention == "ecomplexity" else str(conv["form"])
    if R is not None:
        dens = density(R, ph, self_proximity=sp_)
        coi, cog = coi_cog(Mx, dens, ph, pv, form=form)  # type: ignore[arg-type]
    elif dense:
        dens, coi, cog = _outlook_dense(Mx, ph, np.nan_to_num(pv, nan=0.0), 1.0 if sp_ else 0.0, form)
    else:
        # one tiled pass over phi for both sparse-times-dense products (density numerator and COG gain)
        num, prod = spmm([Mx, _gain_weights(Mx, ph, np.nan_to_num(pv, nan=0.0))[1]], ph)
        dens = _density_kernel(Mx, ph, 1.0 if sp_ else 0.0, num)
        coi, cog = _coi_cog_kernel(Mx, dens, ph, pv, form, prod)
    if convention == "ecomplexity":
        ok = np.isfinite(cx.eci)
        sd_eci = np.std(cx.kc[ok])
        coi = np.where(ok, coi, np.nan)
        coi = (coi - np.nanmean(coi)) / np.nanstd(coi)
        cog /= sd_eci
    else:
        coi = np.where(np.isfinite(cx.eci) | (cx.area_flag == "nan_input"), coi, np.nan)
    return OutlookResult(cx, ph, dens, coi, cog, convention)
