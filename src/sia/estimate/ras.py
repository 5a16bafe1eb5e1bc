"""Biproportional fitting (RAS / iterative proportional fitting), block-diagonal and vectorised.

Pure array functions: no files, no pandas, no printing. The estimators of :mod:`sia.estimate`
build the seeds and margins; this module only fits.

The problem
-----------
Units ``u`` (districts, or pieces of districts) each belong to one block ``b(u)`` (the ITL2 area
that publishes the margin). For every block ``b`` and column ``j`` (SIC division) the column
margin ``M[b, j]`` is published; for every unit a row target ``R[u]`` is given. Find ``X >= 0``
closest to the seed ``X0`` in the Kullback-Leibler (minimum cross-entropy) sense,

.. math::

    \\min_X \\sum_{u,j} X_{uj} \\log \\frac{X_{uj}}{X^0_{uj}}
    \\quad \\text{s.t.} \\quad \\sum_{u \\in b} X_{uj} = M_{bj}, \\quad \\sum_j X_{uj} = R_u .

The solution has the biproportional form :math:`X_{uj} = r_u \\, X^0_{uj} \\, s_{b(u) j}` and is
found by alternately scaling rows and columns (Deming & Stephan 1940; Stone's RAS, Bacharach 1970).
Because every unit belongs to one block the problem is block-diagonal, so all blocks (and any
leading axes: years, Monte Carlo draws) are scaled at once with array operations.

Conventions
-----------
* Each sweep scales rows first, then columns, so on return the **column margins hold to floating
  point** (they are the hard constraint) and the row targets hold to ``tol`` (relative).
* Row targets are first rescaled within each block so that they add up to the block's margin
  total (``sum_u R_u = sum_j M_bj``); without this the two sets of margins are inconsistent and no
  solution exists. The rescaling factor is reported.
* Zeros: a seed cell that is 0 stays 0 (the support is kept). A column with a positive margin
  but an all-zero seed column in its block cannot be met and shows up in ``margin_residual``;
  callers avoid it by giving every such column some support (the estimators do).

References
----------
Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency table
when the expected marginal totals are known. *Annals of Mathematical Statistics* 11(4), 427-444.

Bacharach, M. (1970). *Biproportional Matrices and Input-Output Change*. Cambridge University Press.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RasResult", "block_sums", "ras_blocks"]


@dataclass(frozen=True)
class RasResult:
    """Result of :func:`ras_blocks`.

    Attributes
    ----------
    values
        The fitted array, same shape as the seed.
    iterations
        Row-and-column sweeps performed (the largest over every block and leading index).
    converged
        Whether the row targets hold to ``tol`` everywhere.
    margin_residual
        Largest absolute column-margin residual ``max |sum_{u in b} X_uj - M_bj|`` (jobs).
    row_residual
        Largest absolute row-target residual ``max |sum_j X_uj - R_u|`` (jobs).
    row_scale
        Per block (and leading index) the factor applied to the row targets to make them consistent
        with the margins (1 when they already were).
    """

    values: np.ndarray
    iterations: int
    converged: bool
    margin_residual: float
    row_residual: float
    row_scale: np.ndarray


def block_sums(x: np.ndarray, block: np.ndarray, n_blocks: int) -> np.ndarray:
    """Sum ``x[..., u, j]`` over the units of each block: ``(..., n_blocks, j)``.

    Segment sums (``np.add.reduceat``) over the units sorted by block; when ``block`` is already
    non-decreasing no copy is made. Blocks without units sum to 0.
    """
    block = np.asarray(block, dtype=np.int64)
    if block.size and np.any(block[1:] < block[:-1]):
        order = np.argsort(block, kind="stable")
        x = np.take(x, order, axis=-2)
        block = block[order]
    counts = np.bincount(block, minlength=n_blocks)
    present = counts > 0
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[present]
    out = np.zeros((*x.shape[:-2], n_blocks, x.shape[-1]))
    if block.size:
        out[..., present, :] = np.add.reduceat(x, starts, axis=-2)
    return out


def ras_blocks(
    seed: np.ndarray,
    block: np.ndarray,
    margin: np.ndarray,
    row_target: np.ndarray,
    *,
    tol: float = 1e-10,
    max_iter: int = 2000,
) -> RasResult:
    """Fit ``seed`` to block column margins and unit row targets by RAS.

    Parameters
    ----------
    seed
        ``(..., U, J)`` non-negative seed (prior) matrix; leading axes (years, draws) are fitted
        independently and at once.
    block
        ``(U,)`` block index of each unit (``0 .. B-1``).
    margin
        ``(..., B, J)`` non-negative column margins per block (the hard constraint).
    row_target
        ``(..., U)`` non-negative row targets (rescaled within blocks to the margin totals).
    tol
        Relative tolerance on the row targets: stop when
        ``max |sum_j X_uj - R_u| <= tol * max(1, max R)``.
    max_iter
        Largest number of sweeps.

    Returns
    -------
    RasResult

    Examples
    --------
    Two units in one block, two columns: margins (30, 70), row targets (40, 60), uniform seed.

    >>> import numpy as np
    >>> res = ras_blocks(np.ones((2, 2)), np.array([0, 0]), np.array([[30.0, 70.0]]), np.array([40.0, 60.0]))
    >>> np.round(res.values, 6).tolist()
    [[12.0, 28.0], [18.0, 42.0]]
    """
    x = np.array(seed, dtype=np.float64)
    if np.any(x < 0):
        raise ValueError("ras_blocks: the seed has negative cells; expected a non-negative matrix")
    block = np.asarray(block, dtype=np.int64)
    margin = np.asarray(margin, dtype=np.float64)
    n_blocks = margin.shape[-2]
    if x.shape[-2] != block.size:
        raise ValueError(f"ras_blocks: seed has {x.shape[-2]} units but block has {block.size} entries")
    if block.size and (block.min() < 0 or block.max() >= n_blocks):
        raise ValueError(f"ras_blocks: block indices must lie in 0..{n_blocks - 1}")
    # work with the units sorted by block (contiguous segments), undo the order on return
    order = np.argsort(block, kind="stable")
    x = np.take(x, order, axis=-2)
    block = block[order]
    # consistent row targets: scale within each block to the block's margin total
    target = np.take(np.asarray(row_target, dtype=np.float64), order, axis=-1)
    block_total = margin.sum(axis=-1)  # (..., B)
    target_total = block_sums(target[..., None], block, n_blocks)[..., 0]  # (..., B)
    scale = np.divide(block_total, target_total, out=np.ones_like(block_total), where=target_total > 0)
    target = target * scale[..., block]
    big = max(1.0, float(target.max(initial=0.0)))
    iterations = 0
    converged = False
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        rows = x.sum(axis=-1)
        x *= np.divide(target, rows, out=np.zeros_like(rows), where=rows > 0)[..., None]
        cols = block_sums(x, block, n_blocks)
        x *= np.divide(margin, cols, out=np.zeros_like(cols), where=cols > 0)[..., block, :]
        row_err = float(np.abs(x.sum(axis=-1) - target).max(initial=0.0))
        if row_err <= tol * big:
            converged = True
            break
    margin_residual = float(np.abs(block_sums(x, block, n_blocks) - margin).max(initial=0.0))
    row_residual = float(np.abs(x.sum(axis=-1) - target).max(initial=0.0))
    values = np.empty_like(x)
    values[..., order, :] = x
    return RasResult(values, iterations, converged, margin_residual, row_residual, scale)
