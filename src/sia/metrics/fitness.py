r"""Fitness-complexity (Tacchella, Cimini, Caldarelli, Gabrielli & Pietronero 2012, Sci. Rep. 2:723).

Iteration (simultaneous update, ``F_r(0) = Q_c(0) = 1``):

.. math::

    \tilde F_r(n) = \sum_c M_{rc} Q_c(n-1), \qquad
    \tilde Q_c(n) = \frac{1}{\delta + \sum_r M_{rc} / F_r(n-1)}, \qquad
    F(n) = \tilde F / \overline{\tilde F}, \quad Q(n) = \tilde Q / \overline{\tilde Q}.

``delta = 0`` is Tacchella et al. With ``delta > 0`` ``sia`` iterates instead the non-homogeneous map of
Servedio, Buttà, Mazzilli, Tacchella & Pietronero (2018, "A new and stable estimation method of country
economic fitness and product complexity", Entropy 20:783), written with ``P_c = 1 / Q_c``:

.. math:: F_r(n) = \delta^2 + \sum_c M_{rc} / P_c(n-1), \qquad P_c(n) = 1 + \sum_r M_{rc} / F_r(n-1),

without per-step normalisation; it has a finite, strictly positive fixed point, reached by the tolerance rule.
The reported ``F`` and ``Q = 1/P`` are rescaled to mean 1.

Convergence rule (why the peers drift): for a matrix that is not perfectly nested, the homogeneous map
(``delta = 0``) sends some fitnesses and most complexities to 0 as ``n -> inf`` (Pugliese, Zaccaria &
Pietronero 2016): the values depend on when one stops and only the *ranking* converges. economiccomplexity
stops after a fixed 20 iterations without checking. ``sia`` stops at the first of

* ``max_r |log F_r(n) - log F_r(n-1)| < tol`` and the same for ``Q`` (a true fixed point: nested matrices,
  or ``delta > 0``), or
* the rankings of ``F`` and ``Q`` unchanged for ``rank_window`` consecutive iterations (the criterion of
  Pugliese et al. for the homogeneous map), so values are reported at the point where the ranking settled,
  before they collapse further toward 0,
* ``max_iter`` (``converged=False``),

and reports the iterations used, which rule stopped it, and ``log F``. Areas / activities with no presence
get ``F = 0`` / ``Q`` NaN and are excluded from the means.

R economiccomplexity's ``complexity_measures(method="fitness", iterations=20, extremality=1)`` runs the same
map a fixed number of times, with the "extremality" ``gamma`` of Mariani, Vidmer, Medo & Zhang (2015, "Measuring
economic complexity of countries and products: which metric to use?", Eur. Phys. J. B 88:293) in the complexity step,
``Q~_c = 1 / (sum_r M_rc F_r^-gamma)^(1/gamma)``: :func:`fitness_economiccomplexity` reproduces it by name
(its ``iterations=20`` is 19 updates of the starting vector, ``fitness_complexity(M, min_iter=19, max_iter=19)``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray


@dataclass
class FitnessResult:
    """Fitness of areas and complexity of activities with convergence information."""

    fitness: NDArray[np.float64]
    complexity: NDArray[np.float64]
    iterations: int
    converged: bool
    rule: str  # "tolerance", "rank_stable", "max_iter" or "fixed" (fitness_economiccomplexity)

    @property
    def log_fitness(self) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.log(self.fitness)


def _ranks(x: NDArray) -> NDArray:
    """The ranking as a permutation (stable descending order). Two rankings are equal exactly when these
    permutations are (the ranks are its inverse), so one sort per iteration suffices."""
    return np.argsort(-x, kind="stable")


def _still_sorts(order: NDArray, x: NDArray) -> bool:
    """True when ``order`` is still the stable descending order of ``x``, i.e. ``_ranks(x)`` equals ``order``.

    The stable sort's output is the unique permutation in which consecutive entries ``a, b`` satisfy
    ``-x[a] < -x[b]`` or (``-x[a] == -x[b]`` and ``a < b``); checking that costs O(n) instead of a sort.
    """
    a, b = order[:-1], order[1:]
    xa, xb = -x[a], -x[b]
    return bool(np.all((xa < xb) | ((xa == xb) & (a < b))))


def fitness_complexity(
    M: ArrayLike | sp.sparray | sp.spmatrix,
    *,
    delta: float = 0.0,
    tol: float = 1e-10,
    rank_window: int = 10,
    max_iter: int = 1000,
    min_iter: int = 0,
) -> FitnessResult:
    """Economic fitness and product complexity (see the module docstring for formula and stopping rule).

    Parameters
    ----------
    M
        Binary presence ``(areas, activities)``, dense or sparse.
    delta
        0 for Tacchella et al. (2012); > 0 for the Servedio et al. (2018) map (e.g. ``delta=1e-2``; smaller
        values approach the homogeneous ranking but converge more slowly).
    tol
        Tolerance on ``max |Δ log F|`` and ``max |Δ log Q|``.
    rank_window
        Stop when both rankings are unchanged for this many consecutive iterations (``0`` disables).
    max_iter, min_iter
        Bounds on the number of iterations. economiccomplexity's ``iterations=20`` performs 19 updates, so
        ``min_iter=max_iter=19`` reproduces it (R6 of X1: 1.5368, tested).

    Returns
    -------
    FitnessResult
        ``fitness`` (mean 1 over areas with presence), ``complexity`` (mean 1), ``iterations``, ``converged``
        and ``rule``.
    """
    Ms = sp.csr_array(M, dtype=np.float64) if sp.issparse(M) else sp.csr_array(np.asarray(M, dtype=np.float64))
    MT = sp.csr_array(Ms.T)
    rows = np.asarray(Ms.sum(axis=1)).ravel() > 0
    cols = np.asarray(Ms.sum(axis=0)).ravel() > 0
    F = np.where(rows, 1.0, 0.0)
    Q = np.where(cols, 1.0, np.nan)
    stable = 0
    rule = "max_iter"
    n = 0
    old_rf, old_rq = _ranks(F), _ranks(np.nan_to_num(Q))
    for n in range(1, max_iter + 1):
        with np.errstate(divide="ignore", invalid="ignore"):
            invF = np.where(F > 0, 1.0 / F, 0.0)
            Ft = Ms @ np.nan_to_num(Q)
            if delta > 0:  # Servedio et al. (2018): no normalisation, P = 1/Q
                Fn = np.where(rows, delta**2 + Ft, 0.0)
                Qn = np.where(cols, 1.0 / (1.0 + MT @ invF), np.nan)
            else:
                Qt = np.where(cols, 1.0 / (MT @ invF), np.nan)
                Fn = Ft / Ft[rows].mean()
                Qn = Qt / np.nanmean(Qt)
            pos_f = rows & (Fn > 0) & (F > 0)
            dlf = np.max(np.abs(np.log(Fn[pos_f]) - np.log(F[pos_f]))) if pos_f.any() else 0.0
            pos_q = cols & (Qn > 0) & (Q > 0)
            dlq = np.max(np.abs(np.log(Qn[pos_q]) - np.log(Q[pos_q]))) if pos_q.any() else 0.0
        F, Q = Fn, Qn
        Qz = np.nan_to_num(Q)
        if _still_sorts(old_rf, F) and _still_sorts(old_rq, Qz):
            stable += 1
        else:
            stable = 0
            old_rf, old_rq = _ranks(F), _ranks(Qz)
        if n < min_iter:
            continue
        if max(dlf, dlq) < tol:
            rule = "tolerance"
            break
        if rank_window and stable >= rank_window:
            rule = "rank_stable"
            break
    if delta > 0:
        F = F / F[rows].mean()
        Q = Q / np.nanmean(Q)
    return FitnessResult(F, Q, n, rule != "max_iter", rule)


def fitness_economiccomplexity(
    M: ArrayLike | sp.sparray | sp.spmatrix, iterations: int = 20, *, extremality: float = 1.0
) -> FitnessResult:
    r"""Fitness and complexity exactly as R economiccomplexity's ``complexity_measures(method="fitness")``.

    With ``F(1) = Q(1) = 1`` and, for ``n = 2, ..., iterations`` (simultaneous update),

    .. math::

        \tilde F_r(n) = \sum_c M_{rc} Q_c(n-1), \qquad
        \tilde Q_c(n) = \Big(\sum_r M_{rc} F_r(n-1)^{-\gamma}\Big)^{-1/\gamma}, \qquad
        F(n) = \tilde F / \overline{\tilde F}, \quad Q(n) = \tilde Q / \overline{\tilde Q},

    it returns ``F(iterations)`` and ``Q(iterations)``: ``iterations - 1`` updates, no convergence check.
    ``gamma = extremality``; ``gamma = 1`` is Tacchella et al. (2012) and then this equals
    ``fitness_complexity(M, min_iter=iterations - 1, max_iter=iterations - 1)``. As R, an odd ``iterations``
    is raised by one (with a warning) and ``iterations < 2`` is an error. The values depend on
    ``iterations`` (the map drifts towards 0 for a matrix that is not nested): prefer
    :func:`fitness_complexity` with its stopping rule unless the R figure itself is wanted.

    Reference: Tacchella, Cimini, Caldarelli, Gabrielli & Pietronero (2012), *Sci. Rep.* 2:723; the
    extremality parameter: Mariani, Vidmer, Medo & Zhang (2015), *Eur. Phys. J. B* 88:293; R package
    economiccomplexity (Vargas), ``complexity_measures(method="fitness")`` / ``fitness_method(balassa_index,
    iterations, extremality)``.

    Parameters
    ----------
    M
        Binary presence ``(areas, activities)``, dense or sparse. Areas / activities with no presence (R drops
        them) get ``F = 0`` / ``Q`` NaN and stay out of the means.
    iterations
        R's ``iterations`` (default 20, the R default).
    extremality
        R's ``extremality`` ``gamma > 0`` (default 1).

    Returns
    -------
    FitnessResult
        ``fitness`` and ``complexity`` (each mean 1), ``iterations`` = the number of updates
        (``iterations - 1``), ``converged=False``, ``rule="fixed"``.

    Examples
    --------
    >>> M = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 1]])
    >>> r = fitness_economiccomplexity(M, iterations=4)
    >>> r.iterations, np.round(r.fitness, 4)
    (3, array([1.5879, 0.8243, 0.3471, 1.2408]))
    """
    iterations = int(iterations)
    if iterations < 2:
        raise ValueError(f"iterations must be an integer >= 2 (R's rule), got {iterations}")
    if iterations % 2:
        warnings.warn(f"iterations {iterations} raised to {iterations + 1}: economiccomplexity works with an even "
                      "number of iterations", UserWarning, stacklevel=2)
        iterations += 1
    if not extremality > 0:
        raise ValueError(f"extremality must be positive, got {extremality!r}")
    Ms = sp.csr_array(M, dtype=np.float64) if sp.issparse(M) else sp.csr_array(np.asarray(M, dtype=np.float64))
    MT = sp.csr_array(Ms.T)
    rows = np.asarray(Ms.sum(axis=1)).ravel() > 0
    cols = np.asarray(Ms.sum(axis=0)).ravel() > 0
    F = np.where(rows, 1.0, 0.0)
    Q = np.where(cols, 1.0, 0.0)
    g = float(extremality)
    for _ in range(iterations - 1):
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(F > 0, 1.0 / F, 0.0)
            Ft = Ms @ Q
            Qt = np.where(cols, 1.0 / (MT @ inv) if g == 1.0 else (MT @ inv**g) ** (-1.0 / g), 0.0)
        F = Ft / Ft[rows].mean()
        Q = Qt / Qt[cols].mean()
    return FitnessResult(F, np.where(cols, Q, np.nan), iterations - 1, False, "fixed")
