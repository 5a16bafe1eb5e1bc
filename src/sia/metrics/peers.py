r"""Peer views of an area: its complexity among a set of regions, and how alike two industry mixes are.

Notation as in :mod:`sia.metrics.complexity`: ``M[r, c] = 1{RCA[r, c] >= 1}`` the binary area x activity
presence matrix, ``PCI[c]`` the activity complexity index computed over a set of regions (the *peers*).

An area that is not one of the peers (a LEP, a union of regions) has no ECI of its own: the eigenvector
is a property of the regions it was solved over. It does have the quantity the ECI is made of: for every
region ``kc = D_r^-1 M kp`` (the exact relation of the eigenvector method, Hidalgo & Hausmann 2009), so
with PCI z-scored on its own moments ``m, s`` the mean PCI of a region's present activities is
``(kc_r - m) / s``, a positive linear function of its ECI. :func:`area_complexity` computes that mean for
any presence row; :func:`standardise_on` puts it on the regions' ECI scale and :func:`rank_among` ranks it
among them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def area_complexity(M: ArrayLike, pci: ArrayLike) -> NDArray[np.float64]:
    r"""Complexity of each area: the mean PCI of the activities it is specialised in.

    .. math:: C_r = \frac{\sum_c M_{rc} \, PCI_c}{\sum_c M_{rc}} \quad \text{over activities with a finite } PCI_c

    For the regions the PCI was computed over this is their ECI up to one positive linear rescaling
    (module docstring; ecomplexity's ``pci_scale="eci"`` convention makes the two equal); for any other
    area it places the area on the same scale. Activities whose PCI is NaN (no region specialised in them,
    or outside the regions' connected network) are left out of the mean.

    Reference: Hidalgo & Hausmann (2009), "The building blocks of economic complexity", *PNAS* 106(26),
    10570-10575 (``kc,N = (1/kc,0) sum_p M_cp kp,N-1``); Hausmann et al. (2014), *The Atlas of Economic
    Complexity*.

    Parameters
    ----------
    M
        Binary presence ``(..., areas, activities)`` (any non-zero value counts as present).
    pci
        ``(activities,)`` activity complexity.

    Returns
    -------
    ndarray
        ``(..., areas)``; NaN for an area present in no activity with a finite PCI.

    Examples
    --------
    >>> M = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 0]])
    >>> area_complexity(M, [1.0, -0.5, np.nan]).tolist()   # (1 - 0.5) / 2; -0.5 (NaN left out); none
    [0.25, -0.5, nan]
    """
    p = np.asarray(pci, dtype=np.float64)
    present = (np.asarray(M) != 0) & np.isfinite(p)
    n = present.sum(axis=-1)
    total = np.where(present, np.nan_to_num(p), 0.0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, total / np.where(n > 0, n, 1), np.nan)


def industry_similarity(X: ArrayLike, Y: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Cosine similarity of the industry mixes of areas: their shares of jobs by activity.

    .. math:: \cos(a, b) = \frac{\sum_c s_{ac} s_{bc}}{\lVert s_a \rVert \, \lVert s_b \rVert},
              \qquad s_{ac} = X_{ac} / X_{a\cdot}

    1 is the same mix, 0 no activity in common (shares are non-negative). The cosine does not depend on
    the size of either area (shares or counts give the same value). NaN cells count as 0; an area with
    no jobs has NaN similarity.

    Reference: the "similar regions" of Metroverse (Harvard Growth Lab) and Lightcast's region
    comparisons; Salton & McGill (1983) for the cosine measure.

    Parameters
    ----------
    X
        ``(areas, activities)`` counts or shares.
    Y
        ``(others, activities)`` on the same activities; ``None`` for ``X`` itself.

    Returns
    -------
    ndarray
        ``(areas, others)``.

    Examples
    --------
    >>> X = np.array([[2.0, 0.0, 2.0], [1.0, 1.0, 0.0]])
    >>> np.round(industry_similarity(X), 4).tolist()     # (0.5 * 0.5) / (sqrt(0.5) sqrt(0.5)) = 0.5
    [[1.0, 0.5], [0.5, 1.0]]
    """
    A = np.nan_to_num(np.asarray(X, dtype=np.float64))
    B = A if Y is None else np.nan_to_num(np.asarray(Y, dtype=np.float64))
    na, nb = np.linalg.norm(A, axis=-1), np.linalg.norm(B, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (A @ B.T) / np.outer(np.where(na > 0, na, np.nan), np.where(nb > 0, nb, np.nan))


def rank_among(values: ArrayLike, peers: ArrayLike) -> NDArray[np.float64]:
    r"""Rank of each value placed among the peers' values, 1 = highest.

    .. math:: \mathrm{rank}(v) = 1 + \#\{\, j : p_j > v \,\}

    A value equal to a peer's shares its rank (a peer ranked among its own set gets its competition rank,
    ``scipy.stats.rankdata(-p, method="min")``). NaN peers are left out; a NaN value has rank NaN.

    Examples
    --------
    >>> rank_among([0.5, 2.0, 0.1, np.nan], [2.0, 1.0, 0.3, np.nan]).tolist()
    [3.0, 1.0, 4.0, nan]
    """
    v = np.asarray(values, dtype=np.float64)
    p = np.asarray(peers, dtype=np.float64)
    p = p[np.isfinite(p)]
    above = (p[None, :] > v.reshape(-1, 1)).sum(axis=1).reshape(v.shape)
    return np.where(np.isfinite(v), 1.0 + above, np.nan)


def standardise_on(values: ArrayLike, peers: ArrayLike) -> NDArray[np.float64]:
    r"""Values as z-scores of the peers' distribution (mean and standard deviation with divisor ``n``).

    .. math:: z(v) = \frac{v - \bar p}{\sigma_p}, \qquad \sigma_p^2 = \frac{1}{n} \sum_j (p_j - \bar p)^2

    With the peers' :func:`area_complexity` as ``peers`` this is the ECI scale of ``sia``'s convention (ECI
    z-scored on its own moments, divisor ``n``): a peer gets exactly its ECI, another area its position on
    that scale. NaN peers are left out; NaN if fewer than two finite peers or no spread.

    Examples
    --------
    >>> standardise_on([3.0, 1.0], [1.0, 3.0]).tolist()    # mean 2, sd 1
    [1.0, -1.0]
    """
    v = np.asarray(values, dtype=np.float64)
    p = np.asarray(peers, dtype=np.float64)
    p = p[np.isfinite(p)]
    sd = float(p.std()) if p.size >= 2 else 0.0
    if sd == 0.0:
        return np.full(v.shape, np.nan)
    return (v - float(p.mean())) / sd
