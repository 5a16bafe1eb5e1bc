"""Specialisation: location quotients (RCA) and binary presence.

Notation: ``X[..., r, c]`` value of area ``r`` in activity ``c`` (leading axes, e.g. years, are
batch axes); ``s[r, c] = X[r, c] / X[r, .]``; reference shares ``s[c] = X[., c] / X[., .]``,
taken from the panel's own total or from a separate reference vector (e.g. Great Britain).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def reference_shares(X: ArrayLike, reference: ArrayLike | None = None) -> NDArray[np.float64]:
    """Reference activity shares ``s[c]``.

    Parameters
    ----------
    X
        Array ``(..., areas, activities)``.
    reference
        ``None`` for the total of ``X`` over its areas, ``s[c] = X[., c] / X[., .]``; otherwise the
        reference area's values by activity, shape ``(..., activities)``, normalised to shares.

    Returns
    -------
    ndarray
        Shape ``(..., activities)``; NaN where the reference total is 0.
    """
    X = np.asarray(X, dtype=np.float64)
    ref = np.nansum(X, axis=-2) if reference is None else np.asarray(reference, dtype=np.float64)
    total = np.nansum(ref, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, ref / np.where(total > 0, total, 1.0), np.nan)


def location_quotient(X: ArrayLike, reference: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Location quotient (Balassa's revealed comparative advantage).

    .. math:: LQ_{rc} = \frac{X_{rc} / X_{r\cdot}}{X_{\cdot c} / X_{\cdot\cdot}}

    Reference: Balassa (1965), "Trade liberalisation and revealed comparative advantage";
    Isard (1960) for the regional location quotient.

    Parameters
    ----------
    X
        Non-negative array ``(..., areas, activities)``; NaN cells are treated as 0.
    reference
        ``None`` to use the total of ``X`` (EconGeo's and ecomplexity's convention), or a
        reference vector ``(..., activities)`` such as Great Britain's employment by activity
        (the convention for an LEP's LQ against GB).

    Returns
    -------
    ndarray
        Same shape as ``X``. Conventions at zeros (no warnings are raised):
        an area with a zero total gets LQ 0 in every activity; an activity with a zero
        reference share gets NaN (the quotient is undefined, not 0), except where ``X[r,c]``
        is also 0 in a zero-total area.
    """
    X = np.nan_to_num(np.asarray(X, dtype=np.float64), nan=0.0)
    ref = reference_shares(X, reference)
    row = X.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(row > 0, X / np.where(row > 0, row, 1.0), 0.0)
        ref_b = np.expand_dims(ref, -2)
        lq = np.where(ref_b > 0, share / np.where(ref_b > 0, ref_b, 1.0), np.nan)
    return np.where(row > 0, lq, 0.0)


def binary_presence(lq: ArrayLike, threshold: float = 1.0) -> NDArray[np.int8]:
    """Binary presence matrix ``M = 1{LQ >= threshold}``.

    Ties count as present (``>=``), as in EconGeo, ecomplexity and economiccomplexity.
    NaN LQs are absent (0).
    """
    lq = np.asarray(lq, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return (np.nan_to_num(lq, nan=-np.inf) >= threshold).astype(np.int8)
