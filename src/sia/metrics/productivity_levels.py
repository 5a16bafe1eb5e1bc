r"""Income level of activities (PRODY) and of areas' specialisation (EXPY), Hausmann, Hwang & Rodrik (2007).

Notation: ``X[..., r, c]`` value (exports, employment) of area ``r`` in activity ``c``; area shares
``s[r, c] = X[r, c] / X[r, .]``; ``Y[r]`` an attribute of the area (GDP per head in HHR; EconGeo allows
R&D, education or anything else).

Conventions (``convention=``)
    ``"hhr"`` (default): weights ``s[r, c] / sum_r s[r, c]``, which equal ``RCA[r, c] / sum_r RCA[r, c]``
    because the reference share cancels; nothing is rounded.
    ``"econgeo"``: EconGeo 2.1 ``prody(mat, vec)`` / ``expy(mat, vec)``, whose weights are ``rca(mat)``,
    the location quotient **rounded to 2 dp** (NaN as 0), so its PRODY differs from HHR's in the third or
    fourth significant digit.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sia.metrics.specialisation import _as_counts, area_shares, location_quotient

ProdyConvention = Literal["hhr", "econgeo"]

__all__ = ["expy", "prody"]


def _income(X: NDArray[np.float64], income: ArrayLike) -> NDArray[np.float64]:
    y = np.asarray(income, dtype=np.float64)
    if y.ndim == 0 or y.shape[-1] != X.shape[-2]:
        raise ValueError(f"income needs one value per area ({X.shape[-2]}), got shape {y.shape}")
    if np.isnan(y).any():
        raise ValueError("income has NaN values")
    return y


def _weights(X: NDArray[np.float64], convention: str) -> NDArray[np.float64]:
    if convention == "hhr":
        s, empty = area_shares(X)
        return np.where(empty[..., :, None], 0.0, s)
    if convention == "econgeo":
        lq = location_quotient(X)
        return np.round(np.nan_to_num(lq, nan=0.0), 2)
    raise ValueError(f"convention must be 'hhr' or 'econgeo', got {convention!r}")


def prody(X: ArrayLike, income: ArrayLike, *, convention: ProdyConvention = "hhr") -> NDArray[np.float64]:
    r"""PRODY: the income level associated with each activity.

    .. math::

        PRODY_c = \sum_r \frac{s_{rc}}{\sum_{r'} s_{r'c}}\, Y_r
                = \frac{\sum_r RCA_{rc}\, Y_r}{\sum_r RCA_{rc}}

    Reference: Hausmann, Hwang & Rodrik (2007), "What you export matters", *Journal of Economic Growth*
    12(1), 1-25; EconGeo 2.1 ``prody(mat, vec)`` (``(vec %*% rca(mat)) / colSums(rca(mat))``, with the
    2-dp rounded RCA): ``convention="econgeo"``.

    Parameters
    ----------
    X
        Non-negative ``(..., areas, activities)``; NaN cells count as 0.
    income
        ``Y`` by area, ``(areas,)`` or ``(..., areas)``.
    convention
        ``"hhr"`` (exact weights) or ``"econgeo"`` (weights from the 2-dp rounded RCA).

    Returns
    -------
    ndarray ``(..., activities)``; NaN for an activity with a zero total (no weights; EconGeo ``0 / 0``).
    Areas with a zero total carry no weight.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[10.0, 30.0, 60.0], [40.0, 20.0, 40.0]])   # shares (.1, .3, .6) and (.4, .2, .4)
    >>> prody(X, [1.0, 2.0]).round(12).tolist()                   # I1: (.1 * 1 + .4 * 2) / (.1 + .4)
    [1.8, 1.4, 1.4]
    """
    X = _as_counts(X)
    y = _income(X, income)
    w = _weights(X, convention)
    num = np.einsum("...rc,...r->...c", w, y)
    den = w.sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def expy(X: ArrayLike, income: ArrayLike, *, convention: ProdyConvention = "hhr") -> NDArray[np.float64]:
    r"""EXPY: the income level associated with each area's mix of activities.

    .. math:: EXPY_r = \sum_c s_{rc}\, PRODY_c

    Reference: Hausmann, Hwang & Rodrik (2007); EconGeo 2.1 ``expy(mat, vec)``
    (``prody %*% t(mat / rowSums(mat))``, unrounded shares, PRODY from the 2-dp RCA):
    ``convention="econgeo"``.

    Parameters are those of :func:`prody`.

    Returns
    -------
    ndarray ``(..., areas)``; NaN for areas with a zero total. An activity with a zero total has share 0
    everywhere and is left out (EconGeo's ``0 * NaN`` makes every area NaN).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[10.0, 30.0, 60.0], [40.0, 20.0, 40.0]])
    >>> expy(X, [1.0, 2.0]).round(12).tolist()                    # R1: .1 * 1.8 + .3 * 1.4 + .6 * 1.4
    [1.44, 1.56]
    """
    X = _as_counts(X)
    p = prody(X, income, convention=convention)
    s, empty = area_shares(X)
    p0 = np.where(np.isnan(p), 0.0, p)  # only zero-total activities are NaN, and their shares are all 0
    e = np.einsum("...rc,...c->...r", np.where(empty[..., :, None], 0.0, s), p0)
    return np.where(empty, np.nan, e)
