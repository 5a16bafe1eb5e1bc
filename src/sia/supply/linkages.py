"""Backward and forward linkages (Rasmussen 1956; Hirschman 1958) and key sectors.

For an ``n``-industry matrix ``M`` (``L`` or ``G`` for *total* linkages, ``A`` or ``B`` for *direct*):

* backward (column) linkage ``BL_j = sum_i M_ij`` -- Leontief-based: ``M = L`` (total) or ``A`` (direct);
* forward (row) linkage ``FL_i = sum_j M_ij`` -- Ghosh-based: ``M = G`` (total) or ``B`` (direct)
  (Miller & Blair 2009, section 12.2; the modern convention). The classic Rasmussen forward index uses row
  sums of ``L`` instead: ``forward="leontief"``.
* normalised (Rasmussen's power of dispersion / sensitivity of dispersion):
  ``BL_j^norm = (1/n) sum_i M_ij / ((1/n^2) sum_ij M_ij) = n BL_j / sum_ij M_ij`` (average 1), likewise ``FL``.
* dispersion (coefficient of variation; Rasmussen 1956):
  ``V_j = sqrt(1/(n-1) sum_i (M_ij - mean_j)^2) / mean_j`` with ``mean_j = BL_j / n`` (``ddof=1``); a low
  ``V_j`` means the backward pull is spread evenly over many suppliers.
* key sectors: ``BL^norm > 1`` and ``FL^norm > 1`` -> ``key``; only backward -> ``backward``;
  only forward -> ``forward``; neither -> ``weak``.

Peer note: ioanalysis (R) returns the *total* values for un-normalised ``direct`` linkages in its
single-region branch; here ``direct`` always uses ``A`` and ``B``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from sia.supply.core import ghosh_inverse, leontief_inverse, output_coefficients, technical_coefficients
from sia.supply.errors import IOTableError
from sia.supply.tables import IOTable

__all__ = ["dispersion", "key_sectors", "linkage_table", "normalise", "rasmussen"]


def normalise(values: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Rasmussen normalisation ``n * values / sum(M)`` (average over industries = 1)."""
    M = np.asarray(M)
    total = M.sum()
    if total == 0:
        raise IOTableError("cannot normalise linkages: the matrix sums to 0")
    return M.shape[0] * np.asarray(values, dtype=np.float64) / total


def rasmussen(M: np.ndarray, axis: Literal["backward", "forward"], *, normalised: bool = True) -> np.ndarray:
    """Backward (column sums) or forward (row sums) linkages of ``M``, optionally normalised."""
    M = np.asarray(M, dtype=np.float64)
    if axis == "backward":
        v = M.sum(axis=0)
    elif axis == "forward":
        v = M.sum(axis=1)
    else:
        raise IOTableError(f"axis must be 'backward' or 'forward', got {axis!r}")
    return normalise(v, M) if normalised else v


def dispersion(M: np.ndarray, axis: Literal["backward", "forward"], *, ddof: int = 1) -> np.ndarray:
    """Coefficient of variation of each column (backward) or row (forward) of ``M``; NaN for an all-zero line."""
    M = np.asarray(M, dtype=np.float64)
    lines = M.T if axis == "backward" else M
    mean = lines.mean(axis=1)
    sd = lines.std(axis=1, ddof=ddof)
    out = np.full_like(mean, np.nan)
    np.divide(sd, mean, out=out, where=mean != 0)
    return out


def key_sectors(backward: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Classify from normalised linkages: ``key`` (both > 1), ``backward``, ``forward`` or ``weak``."""
    b = np.asarray(backward) > 1
    f = np.asarray(forward) > 1
    return np.select([b & f, b, f], ["key", "backward", "forward"], default="weak").astype(object)


def linkage_table(table: IOTable, *, forward: Literal["ghosh", "leontief"] = "ghosh", ddof: int = 1) -> pd.DataFrame:
    """All linkage measures per industry.

    Columns: ``backward_direct, forward_direct, backward_total, forward_total`` (un-normalised sums of
    ``A`` columns, ``B`` rows, ``L`` columns, ``G`` rows -- or ``L`` rows with ``forward="leontief"``),
    the same with ``_norm`` (Rasmussen-normalised), ``backward_dispersion, forward_dispersion`` (of the total
    matrices) and ``key_sector`` (from the normalised total linkages).
    """
    A = technical_coefficients(table.Z, table.x)
    B = output_coefficients(table.Z, table.x)
    L = leontief_inverse(A, table.industries)
    if forward == "ghosh":
        F = ghosh_inverse(B, table.industries, L=L, x=table.x)
    elif forward == "leontief":
        F = L
    else:
        raise IOTableError(f"forward must be 'ghosh' or 'leontief', got {forward!r}")
    out = pd.DataFrame({"industry": list(table.industries)})
    out["backward_direct"] = rasmussen(A, "backward", normalised=False)
    out["forward_direct"] = rasmussen(B, "forward", normalised=False)
    out["backward_total"] = rasmussen(L, "backward", normalised=False)
    out["forward_total"] = rasmussen(F, "forward", normalised=False)
    out["backward_direct_norm"] = rasmussen(A, "backward")
    out["forward_direct_norm"] = rasmussen(B, "forward")
    out["backward_total_norm"] = rasmussen(L, "backward")
    out["forward_total_norm"] = rasmussen(F, "forward")
    out["backward_dispersion"] = dispersion(L, "backward", ddof=ddof)
    out["forward_dispersion"] = dispersion(F, "forward", ddof=ddof)
    out["key_sector"] = key_sectors(out["backward_total_norm"].to_numpy(), out["forward_total_norm"].to_numpy())
    return out
