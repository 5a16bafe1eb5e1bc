"""District employment for scales that are unions of districts but not of the employment source's areas.

A LEP, a combined authority or a custom union of districts has no published BRES employment in the shared
data (BRES is published for ITL2 areas by subclass). ``[evidence.employment_districts]`` supplies it:

- ``path``: a district x activity x year employment panel, e.g. district BRES fetched from NOMIS
  (``sia fetch bres``): used as published; or
- ``estimate = true``: :func:`sia.estimate.estimate_lad_employment` (district x division, consistent with
  every ITL2 x division margin, with a 90% interval per cell), computed at run time.

Division estimates are taken to the subclasses of the audit's themes by the subclass structure of the
district's ITL2 area (the only published subclass detail):

.. math:: \\hat X_{d s} = \\hat X_{d, j(s)} \\; \\frac{X_{b(d) s}}{X_{b(d) j(s)}}

for subclass ``s`` of division ``j(s)`` and ITL2 area ``b(d)``; districts straddling two ITL2 areas are
apportioned per piece. Summed over the districts of an ITL2 area this gives back the published ITL2 x
subclass cells exactly. Every cell is ``estimated``. A theme's jobs at a scale get a 90% interval over the
estimate's own Monte Carlo draws, summed over the scale's districts draw by draw
(:func:`theme_jobs_statistic`: within an ITL2 area the districts' errors offset, since the margin is fixed),
and the LQ interval combines it with the Moineddin et al. (2003) sampling interval
(:func:`widen_lq_interval`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import xarray as xr

from sia.panel import Panel, Provenance, Status


@dataclass(frozen=True)
class DistrictEmployment:
    """District x subclass x year employment (``panel``): estimated, or published (fetched district BRES)."""

    panel: Panel
    estimated: bool
    notes: tuple[str, ...] = ()


def _nuts_to_itl(code: str) -> str:
    return "TL" + code[2:] if code.startswith("UK") else code


def apportion_to_subclasses(
    pieces: np.ndarray,
    piece_lad: Sequence[str],
    piece_itl2: Sequence[str],
    divisions: Sequence[str],
    detail: Panel,
    years: Sequence[int],
) -> tuple[tuple[str, ...], np.ndarray]:
    """``(lads, cube)``: district x subclass x year jobs from ``(year, piece, division)`` estimates.

    ``detail`` is the ITL2 x subclass employment (areas in NOMIS ``UK..`` or ITL ``TL..`` codes); each
    piece's division jobs are shared out by its ITL2 area's subclass shares within the division, then the
    pieces are summed to districts. Subclasses of a division with no ITL2 jobs get nothing (the division
    estimate is then 0 as well, since it sums to the ITL2 margin).

    Examples
    --------
    >>> import pandas as pd
    >>> detail = Panel.from_frame(pd.DataFrame({"area": "UKG1", "activity": ["01110", "01120", "02100"],
    ...                                         "year": 2021, "value": [30.0, 10.0, 5.0]}), measure="jobs")
    >>> lads, cube = apportion_to_subclasses(np.array([[[8.0, 1.0]]]), ["E1"], ["TLG1"], ["01", "02"],
    ...                                      detail, [2021])
    >>> lads, cube[0, :, 0].tolist()     # 8 jobs in division 01 split 30:10; division 02's 1 job all to 02100
    (('E1',), [6.0, 2.0, 1.0])
    """
    acts = list(detail.activities)
    itl_of_area = [_nuts_to_itl(a) for a in detail.areas]
    row_of_itl = {c: i for i, c in enumerate(itl_of_area)}
    missing = sorted({b for b in piece_itl2 if b not in row_of_itl})
    if missing:
        raise ValueError(f"district estimates name ITL2 areas the employment file does not hold: {missing[:5]}")
    div_index = {d: i for i, d in enumerate(divisions)}
    sub_div = np.array([div_index.get(a[:2], -1) for a in acts])
    if (sub_div < 0).any():
        bad = [a for a, d in zip(acts, sub_div, strict=True) if d < 0][:5]
        raise ValueError(f"employment subclasses with no division in the district estimates: {bad}")
    detail_years = list(detail.years)
    X = np.nan_to_num(detail.cube()[[detail_years.index(y) for y in years]])  # (years, itl2, subclass)
    D = sp.csr_array((np.ones(len(acts)), (np.arange(len(acts)), sub_div)), shape=(len(acts), len(divisions)))
    div_tot = X @ D.toarray()  # (years, itl2, divisions)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(div_tot[..., sub_div] > 0, X / div_tot[..., sub_div], 0.0)  # (years, itl2, subclass)
    rows = np.array([row_of_itl[b] for b in piece_itl2])
    piece_sub = pieces[..., sub_div] * share[:, rows, :]  # (years, piece, subclass)
    lads = tuple(sorted(set(piece_lad)))
    lad_index = {c: i for i, c in enumerate(lads)}
    P = sp.csr_array((np.ones(len(piece_lad)), ([lad_index[c] for c in piece_lad], np.arange(len(piece_lad)))),
                     shape=(len(lads), len(piece_lad)))
    cube = np.stack([P @ piece_sub[t] for t in range(piece_sub.shape[0])])  # (years, lads, subclass)
    return lads, np.transpose(cube, (1, 2, 0))


def _panel(lads: Sequence[str], activities: Sequence[str], years: Sequence[int], values: np.ndarray,
           status: Status, provenance: Sequence[Provenance]) -> Panel:
    ds = xr.Dataset(
        {"value": (("area", "activity", "year"), values),
         "status": (("area", "activity", "year"), np.full(values.shape, np.uint8(status), dtype=np.uint8))},
        coords={"area": list(lads), "activity": list(activities), "year": list(years),
                "area_level": ("area", ["LAD"] * len(lads))},
    )
    return Panel(ds, measure="employment", unit="jobs", provenance=provenance)


def _subclass_shares(detail: Panel, divisions: Sequence[str], year: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``(share, sub_div, itl_codes)``: each ITL2 area's subclass share of its division in ``year``."""
    acts = list(detail.activities)
    div_index = {d: i for i, d in enumerate(divisions)}
    sub_div = np.array([div_index[a[:2]] for a in acts])
    X = np.nan_to_num(detail.matrix(year))  # (itl2, subclass)
    div_tot = np.zeros((X.shape[0], len(divisions)))
    np.add.at(div_tot.T, sub_div, X.T)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(div_tot[:, sub_div] > 0, X / div_tot[:, sub_div], 0.0)
    return share, sub_div, [_nuts_to_itl(a) for a in detail.areas]


def theme_jobs_statistic(
    detail: Panel, theme_matrix: np.ndarray, groups: Mapping[str, frozenset[str]], year: int,
) -> Callable[[np.ndarray, object], np.ndarray]:
    """The statistic (for :func:`sia.estimate.estimate_lad_employment`) of each group's theme jobs in ``year``.

    ``groups`` maps a scale to its April 2021 districts; ``theme_matrix`` is ``(subclasses, themes)``. For
    piece values ``v`` ``(n, year, piece, division)`` it returns ``(n, groups, themes)``:
    ``sum_{p in g} sum_j v[p, j] W[b(p), j, t]`` with ``W[b, j, t]`` the share of division ``j``'s jobs in
    ITL2 area ``b`` that are in theme ``t``'s subclasses (the apportionment of :func:`apportion_to_subclasses`).
    """
    cache: dict[str, np.ndarray] = {}

    def stat(values: np.ndarray, layout: object) -> np.ndarray:
        if "W" not in cache:
            divisions = list(layout.divisions)  # type: ignore[attr-defined]
            share, sub_div, itl = _subclass_shares(detail, divisions, year)
            W_itl = np.zeros((share.shape[0], len(divisions), theme_matrix.shape[1]))
            np.add.at(W_itl.transpose(1, 0, 2), sub_div, np.einsum("bs,st->sbt", share, theme_matrix))
            rows = [itl.index(b) for b in layout.piece_itl2]  # type: ignore[attr-defined]
            cache["W"] = W_itl[rows]  # (pieces, divisions, themes)
            lads = layout.piece_lad  # type: ignore[attr-defined]
            cache["G"] = np.array([[lad in members for lad in lads] for members in groups.values()], dtype=float)
            cache["y"] = np.array(list(layout.years).index(year))  # type: ignore[attr-defined]
        v = values[:, int(cache["y"])]  # (n, pieces, divisions)
        per_piece = np.einsum("npj,pjt->npt", v, cache["W"])
        return np.einsum("gp,npt->ngt", cache["G"], per_piece)

    return stat


def estimated_districts(
    data_root: Path, detail: Panel, *, lad_vintage: str, n_draws: int,
    groups: Mapping[str, frozenset[str]] | None = None, theme_matrix: np.ndarray | None = None,
    year: int | None = None, progress: Callable[[str], None] | None = None,
) -> tuple[DistrictEmployment, np.ndarray | None, np.ndarray | None]:
    """District x subclass employment estimated from the BRES margins (module docstring).

    The fit is on April 2021 districts; for ``lad_vintage="2023"`` the 2021 districts are summed into their
    2023 unitaries (:func:`sia.geography.lad_rebase_membership`). With ``groups`` (scale -> districts of
    ``lad_vintage``), ``theme_matrix`` and ``year``, also returns each group's theme jobs' 90% interval over
    the estimate's Monte Carlo draws, ``(groups, themes)`` low and high.
    """
    from sia.estimate import estimate_lad_employment

    years = list(detail.years)
    rebase = None
    if lad_vintage == "2023":
        from sia.geography import lad_rebase_membership

        rebase = lad_rebase_membership("2021", "2023", data_dir=data_root)
    stat = None
    if groups and theme_matrix is not None and year is not None:
        groups21 = groups if rebase is None else {k: _to_2021(v, rebase) for k, v in groups.items()}
        stat = theme_jobs_statistic(detail, theme_matrix, groups21, year)
    est = estimate_lad_employment(data_root, years=years, lad_vintage="2021", progress=progress, n_draws=n_draws,
                                  statistic=stat)
    divisions = list(est.panel.activities)
    lads, cube = apportion_to_subclasses(est.pieces, est.piece_lad, est.piece_itl2, divisions, detail, years)
    notes = [f"district employment estimated (fit: {est.summary.iterations} iterations, largest margin residual "
             f"{est.summary.max_margin_residual:.2g} jobs, {est.summary.n_draws} draws for the intervals)"]
    if rebase is not None:
        m = rebase.reorder_source(list(lads))
        M = sp.csr_array(m.matrix)
        keep = np.flatnonzero(np.asarray(M.sum(axis=1)).ravel() > 0)
        M = M[keep]
        lads = tuple(m.target[i] for i in keep)
        cube = np.stack([M @ cube[:, :, t] for t in range(cube.shape[2])], axis=-1)
        notes.append("LAD 2023 unitaries are sums of their April 2021 districts")
    prov = Provenance(
        source="sia.estimate.employment.estimate_lad_employment",
        table="employment by district x SIC subclass: RAS estimates of district x division employment (BRES "
              "ITL2 margins), apportioned to subclasses by the ITL2 area's subclass structure",
        vintage=f"LAD {lad_vintage}; ITL 2021; SIC 2007", loader="sia.audit.districts.estimated_districts",
        notes=tuple(notes),
    )
    panel = _panel(lads, detail.activities, years, cube, Status.ESTIMATED, [prov])
    return DistrictEmployment(panel, True, tuple(notes)), est.statistic_low, est.statistic_high


def _to_2021(lads23: frozenset[str], rebase: object) -> frozenset[str]:
    """The April 2021 districts that make up these 2023 districts."""
    m = rebase  # Membership 2021 -> 2023
    M = sp.csr_array(m.matrix)  # type: ignore[attr-defined]
    rows = [i for i, t in enumerate(m.target) if t in lads23]  # type: ignore[attr-defined]
    cols = np.unique(M[rows].nonzero()[1]) if rows else np.array([], dtype=int)
    return frozenset(m.source[c] for c in cols)  # type: ignore[attr-defined]


def published_districts(panel: Panel) -> DistrictEmployment:
    """A published district panel (e.g. fetched district BRES)."""
    return DistrictEmployment(panel, False)


def widen_lq_interval(
    lq: np.ndarray, lq_low: np.ndarray, lq_high: np.ndarray, jobs: np.ndarray, jobs_low: np.ndarray,
    jobs_high: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """LQ interval with the estimate's uncertainty: the sampling interval's relative width applied to the LQ at
    the theme's low / high jobs (area totals held at their margins, which the estimate meets exactly).

    .. math:: LQ^{-} = LQ_{low} \\frac{J^{-}}{J}, \\qquad LQ^{+} = LQ_{high} \\frac{J^{+}}{J}

    Examples
    --------
    >>> lo, hi = widen_lq_interval(np.array([1.2]), np.array([1.1]), np.array([1.3]), np.array([100.0]),
    ...                            np.array([80.0]), np.array([130.0]))
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.88, 1.69)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(jobs > 0, lq_low * jobs_low / jobs, lq_low)
        hi = np.where(jobs > 0, lq_high * jobs_high / jobs, lq_high)
    return np.minimum(lo, lq_low), np.maximum(hi, lq_high)
