"""Specialisation: location quotients (RCA) and binary presence.

Notation: ``X[..., r, c]`` value of area ``r`` in activity ``c`` (leading axes, e.g. years, are
batch axes); ``s[r, c] = X[r, c] / X[r, .]``; reference shares ``s[c] = X[., c] / X[., .]``,
taken from the panel's own total or from a separate reference vector (e.g. Great Britain).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _as_counts(X: ArrayLike) -> NDArray[np.float64]:
    """float64 array with NaN cells as 0 (copied only when there is a NaN)."""
    X = np.asarray(X, dtype=np.float64)
    return np.nan_to_num(X, nan=0.0) if np.isnan(X).any() else X


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
    X = _as_counts(X)
    if reference is None:  # reference_shares(X) without its NaN passes: X is NaN-free here
        col = X.sum(axis=-2)
        total = col.sum(axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            ref = np.where(total > 0, col / np.where(total > 0, total, 1.0), np.nan)
    else:
        ref = reference_shares(X, reference)
    row = X.sum(axis=-1)
    # LQ = X * (1/row) * (1/ref): two passes over the matrix with the zero rules in the vectors
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_row = np.where(row > 0, 1.0 / np.where(row > 0, row, 1.0), 0.0)
        inv_ref = np.where(ref > 0, 1.0 / np.where(ref > 0, ref, 1.0), np.nan)
    lq = X * inv_row[..., :, None]
    lq *= np.expand_dims(inv_ref, -2)
    if not (row > 0).all() and np.isnan(inv_ref).any():
        lq = np.where((row > 0)[..., :, None], lq, 0.0)
    return lq


def binary_presence(lq: ArrayLike, threshold: float = 1.0) -> NDArray[np.int8]:
    """Binary presence matrix ``M = 1{LQ >= threshold}``.

    Ties count as present (``>=``), as in EconGeo, ecomplexity and economiccomplexity.
    NaN LQs are absent (0).
    """
    lq = np.asarray(lq, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return (lq >= threshold).view(np.int8)  # NaN >= t is False


def area_shares(X: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Shares of each activity in its area, ``s[r, c] = X[r, c] / X[r, .]``.

    Parameters
    ----------
    X
        Array ``(..., areas, activities)``; NaN cells count as 0.

    Returns
    -------
    shares, empty
        ``shares`` has the shape of ``X`` (NaN in areas whose total is 0); ``empty`` is the
        boolean mask ``(..., areas)`` of those zero-total areas.
    """
    X = _as_counts(X)
    row = X.sum(axis=-1)
    empty = row <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(empty, np.nan, 1.0 / np.where(empty, 1.0, row))
    return X * inv[..., :, None], empty


def symmetric_rca(lq: ArrayLike) -> NDArray[np.float64]:
    r"""Symmetric (revealed) comparative advantage.

    .. math:: SRCA_{rc} = \frac{LQ_{rc} - 1}{LQ_{rc} + 1} \in [-1, 1)

    Reference: Laursen (2015), "Revealed comparative advantage and the alternatives as measures of
    international specialization", *Eurasian Business Review* 5, 99-115 (first proposed in
    Laursen 1998). It maps the unbounded LQ onto a symmetric scale with 0 at LQ = 1.

    Zeros: LQ 0 gives -1; a NaN LQ (undefined reference share) stays NaN.
    """
    lq = np.asarray(lq, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        num = lq - 1.0
        num /= lq + 1.0  # in place: two matrix temporaries instead of three
        return num


class LQInterval(NamedTuple):
    """Location quotients with confidence bounds; ``significant`` is ``lq_low > 1``."""

    lq: NDArray[np.float64]
    lq_low: NDArray[np.float64]
    lq_high: NDArray[np.float64]
    significant: NDArray[np.bool_]


LQDesign = Literal["moineddin", "nested"]


def lq_confidence_interval(
    X: ArrayLike,
    reference: ArrayLike | None = None,
    *,
    level: float = 0.95,
    design: LQDesign = "moineddin",
) -> LQInterval:
    r"""Delta-method confidence interval of an employment location quotient.

    With counts :math:`x_{rc}` (area r, activity c), area total :math:`x_{r\cdot}`, reference
    activity total :math:`x_{\cdot c}` and reference total :math:`x_{\cdot\cdot}`, the interval is

    .. math:: \exp\left(\ln LQ_{rc} \pm z_{1-\alpha/2}\,\sqrt{V_{rc}}\right)

    with, by ``design``:

    ``"moineddin"`` (default)
        :math:`V = 1/x_{rc} - 1/x_{r\cdot} + 1/x_{\cdot c} - 1/x_{\cdot\cdot}`, the form of
        Moineddin, Beyene & Boyle (2003), "On the location quotient confidence interval",
        *Geographical Analysis* 35(3), 249-256, as applied by Crawley, Beynon & Munday (2013),
        "Making location quotients more relevant as a policy aid in regional spatial analysis",
        *Urban Studies* 50(9), 1854-1869. It is the delta-method variance of the log ratio of two
        binomial proportions :math:`x_{rc}/x_{r\cdot}` and :math:`x_{\cdot c}/x_{\cdot\cdot}` drawn
        **independently**, so it is exact (to first order) when the reference does not contain
        the area, and conservative (too wide) when it does.
    ``"nested"``
        The same delta method when the area is **part of** the reference (counts Poisson, the
        reference totals include the area's own counts, hence a covariance):
        :math:`V = 1/x_{rc} - 1/x_{r\cdot} - 1/x_{\cdot c} - 1/x_{\cdot\cdot}
        + 2x_{rc}/(x_{r\cdot}x_{\cdot c})`. (Derivation: write the four disjoint Poisson counts
        a = x_rc, b = x_r. - a, c = x_.c - a, d = rest; ln LQ = ln a - ln(a+b) - ln(a+c) + ln N;
        V = sum_k count_k (d lnLQ / d count_k)^2.) It is never larger than the Moineddin form,
        and the two coincide as the area becomes small relative to the reference.

    Parameters
    ----------
    X
        Non-negative counts ``(..., areas, activities)`` (employment, firms); NaN counts as 0.
    reference
        ``None`` for the total of ``X`` over its areas, else reference **counts** by activity
        ``(..., activities)`` (not shares: the variance needs the reference's size).
    level
        Two-sided confidence level, e.g. 0.95 (z = 1.959964).
    design
        ``"moineddin"`` or ``"nested"`` as above.

    Returns
    -------
    LQInterval
        ``lq`` as :func:`location_quotient`; ``lq_low``, ``lq_high`` the bounds; ``significant``
        True where ``lq_low > 1`` (specialisation significantly above the reference).
        Zeros: where ``x_rc = 0`` the LQ is 0, ``lq_low`` is 0 and ``lq_high`` is NaN (the log
        interval has no finite upper end); zero-total areas and activities with a zero reference
        total give NaN bounds; ``significant`` is False wherever a bound is NaN.
        Counts are treated as exact integers; rounded published counts (BRES rounds) make the
        interval approximate.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if design not in ("moineddin", "nested"):
        raise ValueError(f"design must be 'moineddin' or 'nested', got {design!r}")
    from scipy.special import ndtri  # the normal quantile (what scipy.stats.norm.ppf calls), lighter to import

    X = _as_counts(X)
    ref = X.sum(axis=-2) if reference is None else _as_counts(reference)
    lq = location_quotient(X, ref)
    x_r = X.sum(axis=-1)
    x_t = ref.sum(axis=-1, keepdims=True)
    z = float(ndtri(0.5 + level / 2.0))
    # V is built from 1/x_rc plus row and column vectors; NaN in the vectors marks zero totals,
    # inf in 1/x_rc marks zero cells (bounds 0 and NaN below, without special-casing)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_r = np.where(x_r > 0, 1.0 / np.where(x_r > 0, x_r, 1.0), np.nan)[..., :, None]
        inv_c = np.where(ref > 0, 1.0 / np.where(ref > 0, ref, 1.0), np.nan)
        inv_t = np.where(x_t > 0, 1.0 / np.where(x_t > 0, x_t, 1.0), np.nan)
        var = 1.0 / X
        if design == "moineddin":
            var -= inv_r
            var += np.expand_dims(inv_c - inv_t, -2)
        else:
            var -= inv_r
            var -= np.expand_dims(inv_c + inv_t, -2)
            var += 2.0 * X * inv_r * np.expand_dims(inv_c, -2)
        np.maximum(var, 0.0, out=var)
        np.sqrt(var, out=var)
        var *= z
        factor = np.exp(var, out=var)
        low = lq / factor  # zero cell: 0 / inf = 0
        high = lq * factor  # zero cell: 0 * inf = NaN
    with np.errstate(invalid="ignore"):
        significant = low > 1.0
    return LQInterval(lq, low, high, significant)
