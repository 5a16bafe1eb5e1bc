"""Presence matrices and the complexity metrics on them, without pandas or the panel layer.

:mod:`sia.compute.complexity` pulls the ``(years, areas, activities)`` values out of a panel and hands
them to :func:`presence_input`; everything after that (presence, ECI/PCI, their notes and output
columns) lives here on bare arrays and labels, so that ``sia compute eci`` can run on a matrix read
straight from a file (:mod:`sia.sources.trade_arrow`) with the same code and the same output, without
importing pandas, xarray or scipy (which cost more than the whole computation).

Output columns are returned as ``{name: 1-D array}`` in the order of the output table; the registry
adapters wrap them in a DataFrame and :func:`sia.compute.csv_out.write_csv` writes them as they are.

Examples
--------
>>> import numpy as np
>>> X = np.array([[[5.0, 1.0, 0.0], [1.0, 4.0, 2.0], [0.0, 2.0, 6.0]]])
>>> inp = presence_input(X, years=(2020,), areas=("a", "b", "c"), activities=("x", "y", "z"), metric="eci")
>>> inp.M[0].tolist()
[[1, 0, 0], [0, 1, 0], [0, 0, 1]]
>>> inp.notes
['presence M = 1{LQ >= 1}']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sia.compute.params import ComputeError, Params
from sia.metrics import complexity as cx

#: the parameters of the ECI and PCI metrics (``--param key=value``)
COMPLEXITY_PARAMS = ("threshold", "convention", "method", "steps", "standardise")
CONVENTIONS = ("sia", "ecomplexity", "econgeo")


@dataclass
class PresenceInput:
    """Binary presence of each year, with the input flags, labels and the notes so far."""

    M: np.ndarray  # (years, areas, activities) int8
    area_flag: np.ndarray
    activity_flag: np.ndarray
    years: tuple[int, ...]
    areas: tuple[str, ...]
    activities: tuple[str, ...]
    notes: list[str]


def presence_input(X: np.ndarray, *, years: Sequence[int], areas: Sequence[str], activities: Sequence[str],
                   metric: str, threshold: float = 1.0) -> PresenceInput:
    """Presence ``M = 1{LQ >= threshold}`` of ``X`` ``(years, areas, activities)`` against its own total.

    NaN cells (missing or suppressed) are read as 0 and counted in the notes; a negative value is a
    :class:`~sia.compute.params.ComputeError` naming its area, activity and year.
    """
    X = np.asarray(X, dtype=np.float64)
    if (X < 0).any():
        t, r, c = np.argwhere(X < 0)[0]
        raise ComputeError(
            f"{metric}: negative value {X[t, r, c]} at area {areas[r]!r}, activity {activities[c]!r}, "
            f"year {years[t]}; complexity metrics need non-negative values"
        )
    M, af, cf = cx.presence_from_values(X, threshold)
    notes = [f"presence M = 1{{LQ >= {threshold:g}}}"]
    n_nan = int(np.isnan(X).sum())
    if n_nan:
        notes.append(f"{n_nan} missing or suppressed cell(s) read as 0 (rows flagged nan_input)")
    return PresenceInput(M, af, cf, tuple(int(y) for y in years), tuple(areas), tuple(activities), notes)


def convention(p: Params) -> str:
    return p.str("convention", "sia", CONVENTIONS)


def complexity_result(inp: PresenceInput, p: Params) -> cx.ComplexityResult:
    """:func:`sia.metrics.complexity.eci_pci` on ``inp`` with the ``--param`` choices of ``p``."""
    method = p.str("method", "eigen", ("eigen", "reflections"))
    std = p.raw.get("standardise")
    if std is not None and std not in ("n", "n-1", "sum", "none"):
        raise ComputeError(f"--param standardise={std!r}; expected one of n, n-1, sum, none")
    steps = int(p.float("steps", 18))
    try:
        return cx.eci_pci(inp.M, method=method, convention=convention(p), standardise=std,  # type: ignore[arg-type]
                          steps=steps, area_flag=inp.area_flag, activity_flag=inp.activity_flag, warn=False)
    except ValueError as exc:
        raise ComputeError(str(exc)) from None


def note_degenerate(metric: str, notes: list[str], area_flag: np.ndarray, act_flag: np.ndarray) -> None:
    """Add the one-line summary of the rows set aside to ``notes``, and warn with it."""
    summary = cx.degenerate_summary(area_flag, act_flag)
    if summary:
        notes.append(summary)
        cx.warn_degenerate(metric, area_flag, act_flag, stacklevel=4)


def area_columns(inp: PresenceInput, cols: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``area, year, <cols>``: one row per year x area (years outer)."""
    ny, na = len(inp.years), len(inp.areas)
    out = {"area": np.tile(np.asarray(inp.areas, dtype=object), ny),
           "year": np.repeat(np.asarray(inp.years, dtype=np.int64), na)}
    out.update({k: np.asarray(v).reshape(-1) for k, v in cols.items()})
    return out


def activity_columns(inp: PresenceInput, cols: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``activity, year, <cols>``: one row per year x activity (years outer)."""
    ny, nc = len(inp.years), len(inp.activities)
    out = {"activity": np.tile(np.asarray(inp.activities, dtype=object), ny),
           "year": np.repeat(np.asarray(inp.years, dtype=np.int64), nc)}
    out.update({k: np.asarray(v).reshape(-1) for k, v in cols.items()})
    return out


def eci_columns(inp: PresenceInput, p: Params) -> dict[str, np.ndarray]:
    """The ``eci`` metric's table: ``area, year, eci, diversity, flag`` (notes added to ``inp.notes``)."""
    res = complexity_result(inp, p)
    note_degenerate("eci", inp.notes, res.area_flag, res.activity_flag)
    return area_columns(inp, {"eci": res.eci, "diversity": res.diversity, "flag": res.area_flag})


def pci_columns(inp: PresenceInput, p: Params) -> dict[str, np.ndarray]:
    """The ``pci`` metric's table: ``activity, year, pci, ubiquity, flag`` (notes added to ``inp.notes``)."""
    res = complexity_result(inp, p)
    note_degenerate("pci", inp.notes, res.area_flag, res.activity_flag)
    return activity_columns(inp, {"pci": res.pci, "ubiquity": res.ubiquity, "flag": res.activity_flag})


#: the metrics that :func:`presence_input` and nothing else feeds (no reference, no proximity)
PRESENCE_METRICS = {"eci": eci_columns, "pci": pci_columns}
