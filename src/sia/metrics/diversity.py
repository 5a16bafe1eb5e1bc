"""Diversity, ubiquity and related / unrelated variety.

Notation: ``X[..., r, c]`` value of area ``r`` in activity ``c`` (leading axes are batch axes);
``M[..., r, c]`` the binary presence matrix (:func:`sia.metrics.specialisation.binary_presence`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sia.metrics.concentration import EntropyBase, _log_base
from sia.metrics.specialisation import area_shares


def _row_or_col_sum(M: ArrayLike, axis: int) -> NDArray[np.float64]:
    """Sum of ``M`` over ``axis`` in float64, NaN as 0, without a float copy of an integer/boolean ``M``."""
    M = np.asarray(M)
    if M.dtype.kind in "biu":  # exact: integer counts accumulate in float64 without rounding below 2**53
        return M.sum(axis=axis, dtype=np.float64)
    M = np.asarray(M, dtype=np.float64)
    if np.isnan(M).any():
        M = np.nan_to_num(M, nan=0.0)
    return M.sum(axis=axis)


def diversity(M: ArrayLike) -> NDArray[np.float64]:
    r"""Diversity of each area, :math:`k_{r,0} = \sum_c M_{rc}`.

    Reference: Hidalgo & Hausmann (2009), "The building blocks of economic complexity", *PNAS*
    106(26); EconGeo's ``diversity``. ``M`` may be binary (count of activities with RCA >= 1)
    or any matrix (row sums). NaN cells count as 0. Returns ``(..., areas)``.
    """
    return _row_or_col_sum(M, -1)


def ubiquity(M: ArrayLike) -> NDArray[np.float64]:
    r"""Ubiquity of each activity, :math:`k_{c,0} = \sum_r M_{rc}`.

    Reference: Hidalgo & Hausmann (2009); EconGeo's ``ubiquity``. Returns ``(..., activities)``.
    """
    return _row_or_col_sum(M, -2)


class Variety(NamedTuple):
    """Entropy of each area and its split ``entropy = unrelated_variety + related_variety``."""

    entropy: NDArray[np.float64]
    unrelated_variety: NDArray[np.float64]
    related_variety: NDArray[np.float64]


def group_index(labels: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Turn per-activity group labels into ``(codes, groups)`` suitable for :func:`variety`."""
    groups, codes = np.unique(np.asarray(labels).astype(str), return_inverse=True)
    return codes.astype(np.int64), groups.astype(object)


def variety(X: ArrayLike, groups: ArrayLike, base: EntropyBase = "bits") -> Variety:
    r"""Related and unrelated variety (entropy decomposition).

    With fine-level shares :math:`p_i = X_{ri}/X_{r\cdot}` grouped into upper-level groups
    :math:`S_g` (e.g. SIC 5-digit subclasses into 2-digit divisions), :math:`P_g = \sum_{i\in S_g} p_i`:

    .. math::

        UV_r = -\sum_g P_g \log P_g, \qquad
        RV_r = \sum_g P_g H_g, \quad H_g = -\sum_{i \in S_g} \frac{p_i}{P_g}\log\frac{p_i}{P_g},

    and total entropy :math:`H_r = -\sum_i p_i \log p_i = UV_r + RV_r` (entropy decomposition
    theorem, Theil 1972).

    Reference: Frenken, Van Oort & Verburg (2007), "Related variety, unrelated variety and
    regional economic growth", *Regional Studies* 41(5), 685-697.

    Parameters
    ----------
    X
        ``(..., areas, activities)`` at the fine level.
    groups
        ``(activities,)`` integer group index of each activity (``0..G-1``; use
        :func:`group_index` to convert labels).
    base
        ``"bits"`` (Frenken et al. use log base 2), ``"nats"`` or a number.

    Returns
    -------
    Variety
        Three ``(..., areas)`` arrays. ``0 log 0 = 0``; zero-total areas give NaN in all three.
        ``RV`` is computed as :math:`-\sum_i p_i \log(p_i/P_{g(i)})`, so ``UV + RV`` equals the
        entropy up to floating-point rounding (about 1e-15 relative).
    """
    g = np.asarray(groups)
    if not np.issubdtype(g.dtype, np.integer):
        raise TypeError("groups must be integer group indices; convert labels with group_index()")
    s, empty = area_shares(X)
    if g.shape != (s.shape[-1],):
        raise ValueError(f"groups has shape {g.shape}, expected ({s.shape[-1]},) (one group per activity)")
    if g.size and g.min() < 0:
        raise ValueError("group indices must be non-negative")
    n_groups = int(g.max()) + 1 if g.size else 0
    # one-hot activities x groups: a dense matmul is the vectorised group sum (C x G is small)
    onehot = np.zeros((g.size, n_groups))
    onehot[np.arange(g.size), g] = 1.0
    p = s
    if empty.any():  # shares of zero-total areas are NaN; count them as 0 here (their results are NaN below)
        p[empty] = 0.0
    P = p @ onehot  # (..., areas, groups)
    scale = _log_base(base)
    pos = p > 0
    log_p = np.log(p, out=np.zeros_like(p), where=pos)  # logs only of the non-zero shares
    h = -np.einsum("...c,...c->...", p, log_p)
    # logs of the group shares on the small (areas, groups) matrix, 0 for empty groups
    log_P = np.log(P, out=np.zeros_like(P), where=P > 0)
    uv = -np.einsum("...g,...g->...", P, log_P)
    # log(p / P_g) = log p - log P_g; where p = 0 the term is 0 * (finite) = 0
    log_p -= log_P[..., g]
    rv = -np.einsum("...c,...c->...", p, log_p)
    nan = np.where(empty, np.nan, 1.0)
    return Variety(h / scale * nan, uv / scale * nan, rv / scale * nan)
