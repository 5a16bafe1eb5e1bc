r"""EconGeo conventions not covered elsewhere: relatedness density inside / outside the portfolio, MORt.

EconGeo (R, Balland; 2.1) splits relatedness density by whether an area already has the activity:
``relatedness_density_int`` (activities the area has, "coherence" when averaged) and
``relatedness_density_ext`` (activities it has not, potential entries; "technological flexibility" when
averaged, Balland, Rigby & Boschma 2015). Its method of reflections (``morc`` for areas, ``mort`` for
activities) min-max rescales every step from the third on. Both are here as pure functions on arrays.

Notation: binary presence ``M[r, c]`` (areas x activities), relatedness ``phi[j, c]`` between activities,
relatedness density ``d[r, c] = sum_j M[r, j] phi[j, c] / sum_j phi[j, c]``
(:func:`sia.metrics.proximity.density`).

The other EconGeo functions ``sia`` reproduces, and where: ``docs/compatibility.md`` (section EconGeo).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from sia.metrics.complexity import econgeo_reflections
from sia.metrics.proximity import density

Part = Literal["outside", "inside"]
DensityConvention = Literal["sia", "econgeo"]

__all__ = ["mort", "portfolio_density", "portfolio_density_mean"]


def _binary(M: ArrayLike | sp.sparray | sp.spmatrix) -> NDArray[np.float64]:
    Md = M.toarray() if sp.issparse(M) else np.asarray(M)
    Md = np.asarray(Md, dtype=np.float64)
    if not np.isin(Md, (0.0, 1.0)).all():
        raise ValueError("M must be a binary (0/1) presence matrix; use binary_presence(location_quotient(X))")
    return Md


def _density(Md: NDArray[np.float64], phi: ArrayLike, self_proximity: bool | None) -> NDArray[np.float64]:
    phi = np.asarray(phi, dtype=np.float64)
    if self_proximity is not None:
        return density(Md, phi, self_proximity=self_proximity)
    # phi as given, diagonal included (EconGeo: rel <- mat %*% relatedness; reltot <- colSums(relatedness))
    num = Md @ phi
    den = phi.sum(axis=-2)[..., None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _check(part: str, convention: str) -> None:
    if part not in ("outside", "inside"):
        raise ValueError(f"part must be 'outside' (activities the area has not) or 'inside', got {part!r}")
    if convention not in ("sia", "econgeo"):
        raise ValueError(f"convention must be 'sia' or 'econgeo', got {convention!r}")


def portfolio_density(
    M: ArrayLike | sp.sparray | sp.spmatrix,
    phi: ArrayLike,
    *,
    part: Part,
    self_proximity: bool | None = False,
    convention: DensityConvention = "sia",
) -> NDArray[np.float64]:
    r"""Relatedness density of the activities an area has not (``"outside"``) or has (``"inside"``).

    .. math::

        d_{rc} = \frac{\sum_j M_{rj}\,\varphi_{jc}}{\sum_j \varphi_{jc}}, \qquad
        \text{outside: } d_{rc} \text{ where } M_{rc} = 0, \qquad
        \text{inside: } d_{rc} \text{ where } M_{rc} = 1,

    NaN in the other cells. EconGeo 2.1 ``relatedness_density_ext(mat, relatedness)`` (outside) and
    ``relatedness_density_int(mat, relatedness)`` (inside) compute ``round(100 * d, 0)`` and set the other
    cells to NA: ``convention="econgeo"``.

    Reference: Boschma, Balland & Kogler (2015), "Relatedness and technological change in cities",
    *Industrial and Corporate Change* 24(1), 223-250; Hidalgo, Klinger, Barabasi & Hausmann (2007),
    *Science* 317, 482-487 (density).

    Parameters
    ----------
    M
        Binary presence ``(areas, activities)`` (dense or scipy sparse) or ``(years, areas, activities)``
        with ``phi`` ``(years, activities, activities)``. Values other than 0/1 raise ``ValueError``.
    phi
        Relatedness between activities (non-negative).
    part
        ``"outside"``: activities the area has not (potential entries); ``"inside"``: its portfolio.
    self_proximity
        ``False`` (default): ``phi[c, c] = 0``, a present activity does not make itself related; this is
        EconGeo's result whenever ``phi`` comes from its ``relatedness()`` (diagonal 0). ``True``:
        ``phi[c, c] = 1`` (ecomplexity / Atlas). ``None``: the diagonal of ``phi`` as given (EconGeo on a
        hand-made relatedness matrix with a non-zero diagonal).
    convention
        ``"sia"``: fractions in [0, 1], unrounded. ``"econgeo"``: ``100 d`` rounded to integers (half to
        even, as R's ``round(x, 0)``).

    Returns
    -------
    ndarray
        Shape of ``M``; NaN outside the chosen part and in activities with no relatedness mass.

    Examples
    --------
    >>> import numpy as np
    >>> M = np.array([[1, 0, 0], [0, 1, 1]])
    >>> phi = np.array([[0.0, 0.5, 0.2], [0.5, 0.0, 0.4], [0.2, 0.4, 0.0]])
    >>> portfolio_density(M, phi, part="outside").round(4).tolist()   # R1, I2: 0.5 / (0.5 + 0.4)
    [[nan, 0.5556, 0.3333], [1.0, nan, nan]]
    >>> portfolio_density(M, phi, part="inside", convention="econgeo").tolist()
    [[0.0, nan, nan], [nan, 44.0, 67.0]]
    """
    _check(part, convention)
    Md = _binary(M)
    d = _density(Md, phi, self_proximity)
    if convention == "econgeo":
        d = np.round(100.0 * d, 0)
    keep = Md == (0.0 if part == "outside" else 1.0)
    return np.where(keep, d, np.nan)


def portfolio_density_mean(
    M: ArrayLike | sp.sparray | sp.spmatrix,
    phi: ArrayLike,
    *,
    part: Part,
    self_proximity: bool | None = False,
    convention: DensityConvention = "sia",
) -> NDArray[np.float64]:
    r"""Mean relatedness density of each area over the activities it has not / has.

    .. math::

        \bar d^{\,\text{out}}_r = \frac{\sum_c (1 - M_{rc})\, d_{rc}}{\sum_c (1 - M_{rc})}, \qquad
        \bar d^{\,\text{in}}_r = \frac{\sum_c M_{rc}\, d_{rc}}{\sum_c M_{rc}}

    The outside mean is the "technological flexibility" of Balland, Rigby & Boschma (2015), "The
    technological resilience of U.S. cities", *Cambridge Journal of Regions, Economy and Society* 8(2),
    167-184; the inside mean is the coherence of the portfolio. EconGeo 2.1
    ``relatedness_density_ext_avg`` / ``relatedness_density_int_avg`` average the integer-rounded
    ``100 d`` cells and round the mean to an integer again: ``convention="econgeo"``.

    Parameters are those of :func:`portfolio_density`. Activities with no relatedness mass (NaN density)
    are left out of the mean (EconGeo's ``rowSums(..., na.rm = TRUE)`` drops them from the numerator only).

    Returns
    -------
    ndarray ``(..., areas)``; NaN for an area with no activity in the chosen part (EconGeo: ``0 / 0``).

    Examples
    --------
    >>> import numpy as np
    >>> M = np.array([[1, 0, 0], [0, 1, 1]])
    >>> phi = np.array([[0.0, 0.5, 0.2], [0.5, 0.0, 0.4], [0.2, 0.4, 0.0]])
    >>> portfolio_density_mean(M, phi, part="inside", convention="econgeo").tolist()   # R2: (44 + 67) / 2
    [0.0, 56.0]
    >>> portfolio_density_mean(M, phi, part="outside").round(4).tolist()   # R1: (0.5556 + 0.3333) / 2
    [0.4444, 1.0]
    """
    _check(part, convention)
    Md = _binary(M)
    d = portfolio_density(Md, phi, part=part, self_proximity=self_proximity, convention=convention)
    n = (Md == 0.0).sum(axis=-1) if part == "outside" else Md.sum(axis=-1)
    total = np.nansum(d, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / np.where(n > 0, n, 1.0), np.nan)
    return np.round(mean, 0) if convention == "econgeo" else mean


def mort(M: ArrayLike | sp.sparray | sp.spmatrix, steps: int = 19) -> NDArray[np.float64]:
    r"""EconGeo's ``mort``: knowledge complexity of activities by the method of reflections.

    With diversity :math:`k_{r,0} = \sum_c M_{rc}` and ubiquity :math:`k_{c,0} = \sum_r M_{rc}`,

    .. math::

        k_{r,n} = \frac{1}{k_{r,0}} \sum_c M_{rc}\, k_{c,n-1}, \qquad
        k_{c,n} = \frac{1}{k_{c,0}} \sum_r M_{rc}\, k_{r,n-1},

    and from :math:`n = 3` on each new :math:`k_{r,n}`, :math:`k_{c,n}` is rescaled to
    :math:`100\,(x - \min x) / (\max x - \min x)`. ``mort(M, steps)`` is :math:`k_{c,\text{steps}}`:
    ``steps=0`` ubiquity, ``1`` the mean diversity of the areas present in the activity, ``2`` the mean
    ubiquity of the activities of those areas, ``>= 3`` a 0-100 ordinal index. On the activity side the
    odd steps rank "higher = more complex" (EconGeo's default 19), the even steps the other way round; on
    the area side, :func:`sia.metrics.complexity.morc` (EconGeo's ``morc``, default 20), the even steps.

    Reference: Hidalgo & Hausmann (2009), "The building blocks of economic complexity", *PNAS* 106(26),
    10570-10575; Balland & Rigby (2017), "The geography of complex knowledge", *Economic Geography* 93(1),
    1-23; EconGeo 2.1 ``mort(mat, rca = FALSE, steps = 19)``.

    Parameters
    ----------
    M
        Binary presence ``(areas, activities)`` (EconGeo's ``rca = TRUE`` is
        ``mort(binary_presence(location_quotient(X)))``).
    steps
        Number of reflections (EconGeo's default 19; it documents at most 21).

    Returns
    -------
    ndarray ``(activities,)``. Empty areas and activities are removed first, as EconGeo does; EconGeo then
    returns the shorter vector, here empty activities get NaN in their place. A step whose values are all
    equal cannot be rescaled: NaN (EconGeo: ``NaN`` too).

    Examples
    --------
    >>> import numpy as np
    >>> M = np.array([[1, 1, 1, 1], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]])   # Hidalgo-Hausmann toy
    >>> mort(M, steps=0).tolist(), mort(M, steps=2).tolist()
    ([1.0, 2.0, 2.0, 3.0], [2.0, 2.0, 2.25, 2.5])
    >>> mort(M, steps=3).round(4).tolist()
    [100.0, 25.0, 52.2727, 0.0]
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    Md = _binary(M)
    if Md.ndim != 2:
        raise ValueError(f"M must be (areas, activities), got shape {Md.shape}")
    rows, cols = Md.sum(axis=1) > 0, Md.sum(axis=0) > 0
    out = np.full(Md.shape[1], np.nan)
    if rows.any():
        out[cols] = econgeo_reflections(Md[np.ix_(rows, cols)], int(steps))[1]
    return out
