"""Evidence per scale x theme, each value with its status, source and grain.

Every block below uses one source at the grain it is published at and only for scales that are
an exact union of its units (:mod:`sia.audit.grain`); elsewhere the value is "not available at
this scale". Values that need an assumption (GVA apportioned to themes within a published
industry code by employment) are marked ``estimated`` and say so in ``note``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sia.audit.evidence_set import EvidenceSet
from sia.audit.vocabulary import NOT_AVAILABLE
from sia.classification import Classification, MixedCodeSet, parse_code_ranges
from sia.membership import Membership
from sia.metrics.complexity import ComplexityResult, eci_pci
from sia.metrics.dynamics import growth as growth_rate
from sia.metrics.dynamics import shift_share
from sia.metrics.proximity import coi_cog, density, proximity
from sia.metrics.specialisation import binary_presence, location_quotient, lq_confidence_interval
from sia.panel import Panel, Status


def area_matrix(units_by_scale: Mapping[str, Sequence[str]], areas: Sequence[str]) -> np.ndarray:
    """Dense ``(scales, areas)`` 0/1 matrix summing each scale's units."""
    index = {a: i for i, a in enumerate(areas)}
    out = np.zeros((len(units_by_scale), len(areas)))
    for s_i, units in enumerate(units_by_scale.values()):
        out[s_i, [index[u] for u in units]] = 1.0
    return out


STATUS_LABEL = {int(s): s.label for s in Status}


@dataclass(frozen=True)
class ThemeSeries:
    """One theme indicator by year at the scales an evidence block computed it for (the ``trends`` table):
    the block's own yearly values, before any is picked for the latest-year evidence."""

    indicator: str  # "jobs" or "gva"
    scales: tuple[str, ...]
    years: tuple[int, ...]
    values: np.ndarray  # (years, scales, themes)
    status: np.ndarray  # (years, scales, themes) status labels
    source: tuple[str, ...]  # input key per scale
    grain: tuple[str, ...]  # grain per scale


# ----------------------------------------------------------------------------- employment


@dataclass
class EmploymentResult:
    """Theme-level employment arrays for the covered scales (``scales`` order)."""

    scales: tuple[str, ...]
    jobs: np.ndarray  # (years, scales, themes)
    totals: np.ndarray  # (years, scales)
    ref_jobs: np.ndarray  # (years, themes)
    ref_totals: np.ndarray  # (years,)
    lq: np.ndarray  # (scales, themes) latest
    lq_low: np.ndarray
    lq_high: np.ndarray
    competitive_effect: np.ndarray  # (scales, themes) base -> latest
    cells: np.ndarray  # (years, scales, activities) scale values at the panel's finest activities
    ref_cells: np.ndarray  # (years, activities)
    status: np.ndarray  # (scales, themes) status code at latest
    years: tuple[int, ...] = ()
    status_years: np.ndarray | None = None  # (years, scales, themes) status code of each year's theme sums


def merge_employment(a: EmploymentResult, b: EmploymentResult) -> EmploymentResult:
    """One result over ``a``'s scales then ``b``'s (same themes, activities and reference)."""
    cat = np.concatenate
    return EmploymentResult(
        a.scales + b.scales, cat([a.jobs, b.jobs], axis=1), cat([a.totals, b.totals], axis=1), a.ref_jobs,
        a.ref_totals, cat([a.lq, b.lq]), cat([a.lq_low, b.lq_low]), cat([a.lq_high, b.lq_high]),
        cat([a.competitive_effect, b.competitive_effect]), cat([a.cells, b.cells], axis=1), a.ref_cells,
        cat([a.status, b.status]), a.years,
        cat([a.status_years, b.status_years], axis=1)
        if a.status_years is not None and b.status_years is not None else None,
    )


def employment_evidence(
    panel: Panel,
    units_by_scale: Mapping[str, Sequence[str]],
    themes: Membership,
    *,
    base: int,
    latest: int,
    ev: EvidenceSet,
    source: str,
) -> EmploymentResult:
    """Strength, scale, growth and competitiveness of each theme from employment counts.

    - ``lq``: theme share of the scale's jobs over the theme share of the reference (the sum of
      all areas of the source, e.g. Great Britain for BRES), with the Moineddin et al. (2003)
      95% interval (:func:`sia.metrics.specialisation.lq_confidence_interval`);
    - ``jobs``, ``share_of_area``; ``growth_pct`` from ``base`` to ``latest``;
    - ``competitive_effect``: the Dunn (1960) competitive effect summed over the theme's
      activities (computed per activity against the reference's activity growth, so overlapping
      themes do not distort it).
    """
    years = panel.years
    for y in (base, latest):
        if y not in years:
            raise ValueError(f"{source}: year {y} not in the employment data ({years[0]}-{years[-1]})")
    ib, il = years.index(base), years.index(latest)
    cube = np.nan_to_num(panel.cube(), nan=0.0)  # (years, areas, acts)
    status = panel.data["status"].transpose("year", "area", "activity").values
    scales = tuple(units_by_scale)
    A = area_matrix(units_by_scale, panel.areas)
    cells = np.einsum("sa,yac->ysc", A, cube)
    ref_cells = cube.sum(axis=1)
    Bt = themes.reorder_source(panel.activities, strict=False).matrix.toarray().T  # (acts, themes), small
    jobs = cells @ Bt  # (years, scales, themes)
    ref_jobs = ref_cells @ Bt  # (years, themes)
    totals = cells.sum(axis=-1)
    ref_totals = ref_cells.sum(axis=-1)
    # LQ with intervals on the 2-column matrix [theme, rest of the area] per scale x theme
    x = np.stack([jobs[il], totals[il][:, None] - jobs[il]], axis=-1)[..., None, :]  # (S, T, 1, 2)
    r = np.stack([ref_jobs[il], ref_totals[il] - ref_jobs[il]], axis=-1)  # (T, 2)
    ci = lq_confidence_interval(x, np.broadcast_to(r, (len(scales), *r.shape)))
    lq, lo, hi = ci.lq[..., 0, 0], ci.lq_low[..., 0, 0], ci.lq_high[..., 0, 0]
    ss = shift_share(cells[ib], cells[il], ref_cells[ib], ref_cells[il])
    ce = np.nan_to_num(ss.competitive_effect) @ Bt
    n_nan_ce = int(np.isnan(ss.competitive_effect).sum())
    st_years = theme_status(status, A, Bt.T > 0)  # (years, scales, themes)
    st = st_years[il]
    grain = f"{panel.data['area_level'].values[0] if 'area_level' in panel.data.coords else 'area'} x SIC subclass"
    share = jobs[il] / np.where(totals[il] > 0, totals[il], np.nan)[:, None]
    growth = growth_rate(jobs[ib], jobs[il]).percent
    ce_note = "Dunn competitive effect summed over the theme's activities against the reference's activity growth"
    if n_nan_ce:
        ce_note += f"; {n_nan_ce} activity cells with no reference base were left out"
    status_label = np.vectorize(STATUS_LABEL.get, otypes=[object])(st)
    common = {"status": status_label, "source": source, "grain": grain}
    interval_note = f"{latest}; reference = all areas of the source; 95% interval (Moineddin et al. 2003)"
    ev.put("lq", scales, lq, low=lo, high=hi, note=interval_note, **common)
    ev.put("jobs", scales, jobs[il], note=str(latest), **common)
    ev.put("share_of_area", scales, share, note=str(latest), **common)
    ev.put("growth_pct", scales, growth, note=f"{base}-{latest}", **common)
    ev.put("competitive_effect", scales, ce, note=f"{base}-{latest}; {ce_note}", **common)
    ev.put("competitive_share", scales, ce / np.where(jobs[ib] > 0, jobs[ib], np.nan), note=f"{base}-{latest}; "
           "competitive effect / base-year jobs", **common)
    return EmploymentResult(scales, jobs, totals, ref_jobs, ref_totals, lq, lo, hi, ce, cells, ref_cells, st,
                            tuple(years), st_years)


def theme_status(status: np.ndarray, A: np.ndarray, Bd: np.ndarray) -> np.ndarray:
    """``(years, scales, themes)`` status code of each theme sum: the worst status over the scale's units x
    the theme's activities, ``incomplete`` where one of them is suppressed or missing (it adds nothing).

    ``status`` is ``(years, areas, activities)``, ``A`` the ``(scales, areas)`` area matrix and ``Bd`` the
    ``(themes, activities)`` boolean theme membership.
    """
    out = np.zeros((status.shape[0], A.shape[0], Bd.shape[0]), dtype=np.int64)
    for y_i in range(status.shape[0]):  # a handful of years x scales: vectorised over areas x themes x activities
        for s_i in range(A.shape[0]):
            area_st = status[y_i][A[s_i] > 0]  # (units, acts)
            masked = np.where(Bd[None, :, :], area_st[:, None, :], 0)
            worst = masked.max(axis=(0, 2)) if masked.size else np.zeros(Bd.shape[0], dtype=np.int64)
            gap = (masked >= Status.SUPPRESSED).any(axis=(0, 2))
            out[y_i, s_i] = np.where(gap, Status.INCOMPLETE, worst)
    return out


# ----------------------------------------------------------------------------- GVA


def complete_partition(codes: MixedCodeSet, complete: set[str]) -> list[str]:
    """The finest partition of the economy into published codes that are complete everywhere.

    Start from the sections and replace a code by its published children while all of them are
    complete (no suppressed cell in any area used) and together cover exactly the parent.
    """
    part = list(codes.non_overlapping_cover("section"))
    changed = True
    while changed:
        changed = False
        nxt: list[str] = []
        for code in part:
            kids = [k for k in codes.children(code)]
            if kids and all(k in complete for k in kids):
                cover = [set(codes.atoms_of(k)) for k in kids]
                union = set().union(*cover)
                disjoint = sum(len(c) for c in cover) == len(union)
                if disjoint and union == set(codes.atoms_of(code)):
                    nxt.extend(kids)
                    changed = True
                    continue
            nxt.append(code)
        part = nxt
    return part


def code_subclass_matrix(
    codes: MixedCodeSet, partition: Sequence[str], sic: Classification, subclasses: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """``(codes, subclasses)`` 0/1 matrix of which published code each subclass falls in.

    Codes covering no employment (imputed rent, ``68IMP``) get an empty row and are listed.
    """
    index = {c: i for i, c in enumerate(subclasses)}
    G = np.zeros((len(partition), len(subclasses)))
    no_jobs: list[str] = []
    for g_i, code in enumerate(partition):
        if "IMP" in code.upper():
            no_jobs.append(code)
            continue
        for div in codes.divisions(code):
            for sc in sic.descendants(div, "subclass"):
                if sc in index:
                    G[g_i, index[sc]] = 1.0
    return G, no_jobs


@dataclass
class GvaResult:
    scales: tuple[str, ...]
    theme_gva: np.ndarray  # (scales, themes) latest common year
    ref_theme_gva: np.ndarray  # (themes,)
    year: int
    years: tuple[int, ...] = ()  # every common year of GVA and employment
    theme_gva_years: np.ndarray | None = None  # (years, scales, themes), the same apportionment each year
    status_years: np.ndarray | None = None  # (years, scales, themes) status labels


def gva_itl_evidence(
    gva: Panel,
    emp: EmploymentResult,
    employment_panel: Panel,
    units_by_scale: Mapping[str, Sequence[str]],
    themes: Membership,
    sic: Classification,
    *,
    ev: EvidenceSet,
    source: str,
) -> GvaResult | None:
    """GVA, productivity and employment footprint of themes at ITL-covered scales.

    GVA is published by industry code (sections, divisions and groups of them); a theme's GVA is
    the sum over the codes of (code GVA per job) x (theme jobs in the code), i.e. productivity is
    assumed uniform within a published code (status ``estimated`` unless the theme is a union of
    whole codes). Imputed rent (``68IMP``) has no jobs and is left out. The reference is the sum of
    Great Britain's ITL2 areas (Northern Ireland, ``TLN``, is left out to match BRES, which covers
    GB).
    """
    common = sorted(set(gva.years) & set(employment_panel.years))
    if not common:
        return None
    year = common[-1]
    yi = employment_panel.years.index(year)
    codes = parse_code_ranges(list(zip(gva.activities, gva.data["activity_name"].values, strict=True)), sic)
    levels = gva.data["area_level"].values if "area_level" in gva.data.coords else np.array([""] * len(gva.areas))
    gb_itl2 = [a for a, lv in zip(gva.areas, levels, strict=True) if lv == "ITL2" and not a.startswith("TLN")]
    used_areas = sorted(set(gb_itl2) | {u for us in units_by_scale.values() for u in us})
    mat = gva.matrix(year)  # (areas, codes)
    a_index = {a: i for i, a in enumerate(gva.areas)}
    sub = mat[[a_index[a] for a in used_areas]]
    complete = {c for c_i, c in enumerate(gva.activities) if not np.isnan(sub[:, c_i]).any()}
    partition = complete_partition(codes, complete)
    c_index = {c: i for i, c in enumerate(gva.activities)}
    gva_part = mat[:, [c_index[c] for c in partition]]  # (areas, partition)
    G, no_jobs = code_subclass_matrix(codes, partition, sic, employment_panel.activities)
    B = themes.reorder_source(employment_panel.activities, strict=False).matrix.toarray()  # (themes, acts)
    scales = tuple(units_by_scale)
    A = area_matrix(units_by_scale, gva.areas)
    scale_gva = A @ np.nan_to_num(gva_part)  # (scales, partition)
    ref_gva = np.nan_to_num(gva_part[[a_index[a] for a in gb_itl2]]).sum(axis=0)
    s_rows = [emp.scales.index(s) for s in scales]
    cells = emp.cells[yi][s_rows]  # (scales, acts)
    ref_cells = emp.ref_cells[yi]

    def theme_gva(cell: np.ndarray, gva_codes: np.ndarray) -> np.ndarray:
        jobs_code = cell @ G.T  # (..., partition)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_job = np.where(jobs_code > 0, gva_codes / np.where(jobs_code > 0, jobs_code, 1.0), 0.0)
        jobs_theme_code = np.einsum("...c,tc,gc->...tg", cell, B, G)
        return np.einsum("...tg,...g->...t", jobs_theme_code, per_job)

    t_gva = theme_gva(cells, scale_gva)
    r_gva = theme_gva(ref_cells, ref_gva)
    # aligned = every code either wholly inside or wholly outside the theme (by subclasses)
    inside = (B @ G.T) / np.maximum(G.sum(axis=1), 1.0)[None, :]
    aligned = np.all((inside < 1e-12) | (inside > 1 - 1e-12) | (G.sum(axis=1)[None, :] == 0), axis=1)
    jobs_latest = emp.jobs[yi][s_rows]
    ref_jobs = emp.ref_jobs[yi]
    with np.errstate(divide="ignore", invalid="ignore"):
        prod = t_gva / jobs_latest
        ref_prod = r_gva / ref_jobs
        ratio = prod / ref_prod[None, :]
        footprint = jobs_latest / t_gva
    grain = f"ITL2 x {len(partition)} published industry codes"
    note = (
        f"{year}; GVA current prices apportioned to the theme by employment within each published code"
        f"{' (imputed rent ' + ', '.join(no_jobs) + ' left out)' if no_jobs else ''}"
    )
    status = np.where(aligned, "observed", "estimated").astype(object)
    kw = {"status": status, "source": source, "grain": grain, "note": note}
    ev.put("gva", scales, t_gva, **kw)
    ev.put("gva_per_job", scales, 1e6 * prod, **kw)
    ev.put("productivity_ratio", scales, ratio, **kw)
    ev.put("jobs_per_gbp_m_gva", scales, footprint, **kw)
    # the same apportionment in every common year (the trends table); a year in which one of the partition's
    # codes is suppressed in one of the scale's units is incomplete (the code adds nothing)
    unit_rows = [[a_index[u] for u in units] for units in units_by_scale.values()]
    by_year, st_years = [], []
    for y in common:
        if y == year:
            by_year.append(t_gva)
            st_years.append(np.broadcast_to(status, t_gva.shape))
            continue
        part_y = gva.matrix(y)[:, [c_index[c] for c in partition]]
        cells_y = emp.cells[employment_panel.years.index(y)][s_rows]
        by_year.append(theme_gva(cells_y, A @ np.nan_to_num(part_y)))
        gaps = np.array([np.isnan(part_y[rows]).any() for rows in unit_rows])
        st_years.append(np.where(gaps[:, None], "incomplete", status[None, :]).astype(object))
    return GvaResult(scales, t_gva, r_gva, year, tuple(common), np.stack(by_year), np.stack(st_years))


@dataclass
class LadGvaResult:
    """Theme GVA at LAD grain (apportioned), for every LAD of the source."""

    lads: tuple[str, ...]
    years: tuple[int, ...]
    theme_gva: np.ndarray  # (years, lads, themes)
    total_gva: np.ndarray  # (years, lads)
    status: str


def lad_theme_gva(
    gva: Panel, themes: Membership, sic: Classification, ref_cells: np.ndarray, subclasses: Sequence[str]
) -> LadGvaResult:
    """Theme GVA of every LAD: each published code's GVA split by Great Britain's employment shares.

    ``w[t, g]`` = GB jobs in theme ``t`` within code ``g`` / GB jobs in ``g`` (BRES, latest year);
    ``theme_gva[lad, t] = sum_g gva[lad, g] w[t, g]``. Suppressed LAD cells count as 0 and make the
    result ``incomplete``. Imputed rent is left out of themes and totals.
    """
    codes = parse_code_ranges(list(zip(gva.activities, gva.data["activity_name"].values, strict=True)), sic)
    partition = list(codes.leaves())
    c_index = {c: i for i, c in enumerate(gva.activities)}
    G, no_jobs = code_subclass_matrix(codes, partition, sic, subclasses)
    B = themes.reorder_source(subclasses, strict=False).matrix.toarray()
    jobs_code = G @ ref_cells
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(jobs_code > 0, (B * ref_cells[None, :]) @ G.T / np.where(jobs_code > 0, jobs_code, 1.0), 0.0)
    cube = gva.cube()[:, :, [c_index[c] for c in partition]]  # (years, lads, partition)
    keep = np.array([c not in no_jobs for c in partition])
    gaps = int(np.isnan(cube).sum())
    cube = np.nan_to_num(cube)
    theme = np.einsum("ylg,tg->ylt", cube, w)
    total = cube[:, :, keep].sum(axis=-1)
    return LadGvaResult(gva.areas, gva.years, theme, total, "incomplete" if gaps else "estimated")


def lad_gva_evidence(
    lad: LadGvaResult,
    lads_by_scale: Mapping[str, Sequence[str]],
    *,
    base: int,
    latest: int,
    ev: EvidenceSet,
    source: str,
    strength: bool,
) -> dict[str, np.ndarray]:
    """GVA, GVA growth and (for scales with no employment evidence) a GVA location quotient vs the UK."""
    yb, yl = lad.years.index(base), lad.years.index(latest)
    A = area_matrix(lads_by_scale, lad.lads)
    t_gva = np.einsum("sl,ylt->yst", A, lad.theme_gva)
    tot = np.einsum("sl,yl->ys", A, lad.total_gva)
    ref_t = lad.theme_gva.sum(axis=1)
    ref_tot = lad.total_gva.sum(axis=1)
    # per theme, the 2-column matrix [theme, rest of the economy]: themes may overlap
    two = np.stack([t_gva[yl], tot[yl][:, None] - t_gva[yl]], axis=-1).transpose(1, 0, 2)  # (themes, scales, 2)
    ref_two = np.stack([ref_t[yl], ref_tot[yl] - ref_t[yl]], axis=-1)  # (themes, 2)
    lq = location_quotient(two, ref_two)[..., 0].T
    growth = growth_rate(t_gva[yb], t_gva[yl]).percent
    scales = list(lads_by_scale)
    grain = "LAD x published industry codes"
    note = f"{latest}; LAD GVA (current prices) apportioned to themes by GB employment shares within each code"
    out = {"lq": lq, "gva": t_gva[yl], "growth_pct": growth, "gva_years": t_gva}
    kw = {"status": lad.status, "source": source, "grain": grain}
    if strength:
        ev.put("gva_lq", scales, lq, note=note + "; GVA LQ against the UK, no interval", **kw)
        ev.put("gva_growth_pct", scales, growth, note=f"{base}-{latest}; nominal GVA growth", **kw)
        with np.errstate(divide="ignore", invalid="ignore"):
            ev.put("gva_share_of_area", scales, t_gva[yl] / tot[yl][:, None], note=note, **kw)
    ev.put("gva", scales, t_gva[yl], note=note, **kw)
    return out


# ----------------------------------------------------------------------------- opportunity


@dataclass
class OpportunityResult:
    activities: tuple[str, ...]
    phi: np.ndarray
    pci: np.ndarray
    scales: tuple[str, ...]
    present: np.ndarray  # (scales, acts)
    density: np.ndarray
    cog: np.ndarray
    year: int
    weights: np.ndarray  # reference employment by activity
    orientation: str = ""
    orientation_r: float = float("nan")
    areas: tuple[str, ...] = ()  # every area of the source (the regions PCI was computed over)
    area_names: tuple[str, ...] = ()
    area_jobs: np.ndarray | None = None  # (areas, acts) employment in ``year``
    area_present: np.ndarray | None = None  # (areas, acts) M = 1{LQ >= 1}
    complexity: ComplexityResult | None = None  # eci_pci on the areas (PCI with its NaNs)
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)  # scale -> the areas it is the union of


def opportunity_evidence(
    panel: Panel,
    units_by_scale: Mapping[str, Sequence[str]],
    themes: Membership,
    *,
    ev: EvidenceSet,
    source: str,
    orientation: object = "diversity",
) -> OpportunityResult:
    """Relatedness density, complexity and opportunity gain of themes (SIC 4-digit, latest year).

    Presence ``M = 1{LQ >= 1}`` of every area of the source against their total; proximity is the
    minimum conditional probability (Hidalgo et al. 2007); PCI by the eigenvector method with the
    ``sia`` convention, its sign set by ``orientation`` (the audit passes regional productivity, see
    :func:`sia.metrics.complexity.eci_pci`); density ``d_c = sum_j M_j phi_jc / sum_j phi_jc``; COG in
    the form of the Growth Lab's ecomplexity, ``(1 - M_c) sum_j (1 - M_j) phi_jc PCI_j / sum_k phi_jk``: the
    complexity of the absent activities that entering ``c`` brings within reach. The Atlas form subtracts
    ``d_c PCI_c``, which on 39 UK regions dominates it (median r = -0.95 with PCI over absent classes), so
    it would rank opportunities as the mirror image of complexity. ``themes`` maps themes to the source's
    classes (:class:`~sia.membership.Membership`).
    A theme's ``density`` and ``pci`` are the reference-employment-weighted means over its classes:
    ``(v * w) @ B^T / (w @ B^T)``; its ``cog`` is the mean over the classes the scale does not yet
    specialise in: ``(COG * (1 - M_s)) @ B^T / ((1 - M_s) @ B^T)``.
    """
    year = panel.years[-1]
    X = np.nan_to_num(panel.matrix(year))
    M = binary_presence(location_quotient(X))
    phi = proximity(M)
    cx = eci_pci(M, warn=False, orientation=orientation)
    pci = np.nan_to_num(cx.pci)
    scales = tuple(units_by_scale)
    A = area_matrix(units_by_scale, panel.areas)
    Xs = A @ X
    ref = X.sum(axis=0)
    Ms = binary_presence(location_quotient(Xs, ref))
    dens = density(Ms, phi)
    _, cog = coi_cog(Ms, dens, phi, pci, form="ecomplexity")  # the Growth Lab form: see the docstring
    B = themes.reorder_source(panel.activities, strict=False).matrix.toarray()  # (themes, classes)
    wsum = B @ ref
    absent = (1 - Ms).astype(np.float64)
    n_absent = absent @ B.T  # (scales, themes)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(wsum > 0, ((dens * ref) @ B.T) / wsum, np.nan)
        p = np.where(wsum > 0, (pci * ref) @ B.T / wsum, np.nan)
        g = np.where(n_absent > 0, ((cog * absent) @ B.T) / np.where(n_absent > 0, n_absent, 1.0), np.nan)
    grain = f"NUTS2 x SIC class, {year}"
    has = B.sum(axis=1) > 0
    kw = {"status": np.where(has, "rounded", NOT_AVAILABLE).astype(object), "source": source, "grain": grain}
    why = np.where(has, "", "no SIC class of the theme in the data").astype(object)
    ev.put("density", scales, d, note=np.where(has, "employment-weighted mean over the theme's classes", why), **kw)
    ev.put("pci", scales, np.broadcast_to(p, d.shape), note=np.where(
        has, f"employment-weighted mean PCI of the theme's classes; {cx.orientation}", why), **kw)
    ev.put("cog", scales, g, note=np.where(has, np.char.add(np.char.add("mean over ", n_absent.astype(int).astype(
        str)), " classes not yet specialised").astype(object), why), **kw)
    names = (tuple(str(n) for n in panel.data["area_name"].values) if "area_name" in panel.data.coords
             else ("",) * len(panel.areas))
    return OpportunityResult(panel.activities, phi, pci, scales, Ms, dens, cog, year, ref, cx.orientation,
                             float(cx.orientation_r), tuple(panel.areas), names, X, M, cx,
                             {k: tuple(v) for k, v in units_by_scale.items()})


# ----------------------------------------------------------------------------- business base


UBC_GROUPS: dict[str, tuple[str, ...]] = {
    # NOMIS broad industry groups (SIC 2007) -> divisions
    "1": tuple(f"{d:02d}" for d in range(1, 4)),
    "2": tuple(f"{d:02d}" for d in [*range(5, 10), *range(35, 40)]),
    "3": tuple(f"{d:02d}" for d in range(10, 34)),
    "4": ("41", "42", "43"),
    "5": ("45",),
    "6": ("46",),
    "7": ("47",),
    "8": tuple(f"{d:02d}" for d in range(49, 54)),
    "9": ("55", "56"),
    "10": tuple(f"{d:02d}" for d in range(58, 64)),
    "11": ("64", "65", "66"),
    "12": ("68",),
    "13": tuple(f"{d:02d}" for d in range(69, 76)),
    "14": tuple(f"{d:02d}" for d in range(77, 83)),
    "15": ("84",),
    "16": ("85",),
    "17": ("86", "87", "88"),
    "18": tuple(f"{d:02d}" for d in range(90, 100)),
}


def business_evidence(
    panel: Panel,
    lads_by_scale: Mapping[str, Sequence[str]],
    themes: Membership,
    ref_jobs: np.ndarray,
    subclasses: Sequence[str],
    *,
    year: int,
    ev: EvidenceSet,
    source: str,
    references: Mapping[str, str] | None = None,
) -> None:
    """SME and large-firm shares of enterprises in each theme's dominant broad industry group.

    UK Business Counts publish 18 broad industry groups (:data:`UBC_GROUPS`) by size band; a theme
    is represented by the group holding most of its GB employment ``ref_jobs`` (by subclass), ties to
    the lower group number (status ``estimated``, the group is named in the note).
    ``ref_large_firm_share`` is the same share for the scale's reference, summed over its districts in the
    source (``references``: scale -> ``"GB"``, Great Britain's districts, or ``"UK"``, all of them; default
    ``"GB"``): large enterprises / enterprises of the group over the reference's districts.
    """
    bands = list(panel.data["sizeband"].values)
    total_band = next(b for b in bands if b.lower().startswith("total"))
    large_band = next(b for b in bands if b.lower().startswith("large"))
    yr = year if year in panel.years else panel.years[-1]
    B = themes.reorder_source(subclasses, strict=False).matrix.toarray()  # (themes, subclasses)
    divisions = np.array([c[:2] for c in subclasses])
    groups = [g for g in UBC_GROUPS if g in panel.activities]
    G = np.array([np.isin(divisions, UBC_GROUPS[g]) for g in groups], dtype=np.float64)  # (groups, subclasses)
    jobs_by_group = (B * ref_jobs[None, :]) @ G.T  # (themes, groups)
    best = np.argmax(jobs_by_group, axis=1)
    total = jobs_by_group.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, jobs_by_group[np.arange(len(best)), best] / total, 0.0)
    names = (dict(zip(panel.activities, panel.data["activity_name"].values, strict=True))
             if "activity_name" in panel.data.coords else {})
    A = area_matrix(lads_by_scale, panel.areas)
    cols = [panel.activities.index(groups[b]) for b in best]
    tot = (A @ np.nan_to_num(panel.matrix(yr, sizeband=total_band)))[:, cols]  # (scales, themes)
    large = (A @ np.nan_to_num(panel.matrix(yr, sizeband=large_band)))[:, cols]
    with np.errstate(divide="ignore", invalid="ignore"):
        large_share = np.where(tot > 0, large / np.where(tot > 0, tot, 1.0), np.nan)
    note = np.array([f"{yr}; broad group {names.get(groups[b], groups[b])} ({100 * sh:.0f}% of the theme's GB jobs)"
                     for b, sh in zip(best, share, strict=True)], dtype=object)
    kw = {"status": "estimated", "source": source, "grain": "LAD x broad industry group", "note": note}
    scales = list(lads_by_scale)
    ev.put("enterprises", scales, tot, **kw)
    ev.put("large_firm_share", scales, large_share, **kw)
    ev.put("sme_share", scales, 1 - large_share, **kw)
    # the reference's share: every district of the reference, the same broad group per theme
    in_gb = np.array([not str(a).startswith("N") for a in panel.areas], dtype=np.float64)  # NI codes are N09...
    ref_rows = {"GB": in_gb, "UK": np.ones(len(panel.areas))}
    ref_tot = {k: (r @ np.nan_to_num(panel.matrix(yr, sizeband=total_band)))[cols] for k, r in ref_rows.items()}
    ref_large = {k: (r @ np.nan_to_num(panel.matrix(yr, sizeband=large_band)))[cols] for k, r in ref_rows.items()}
    refs = [(references or {}).get(sc, "GB") for sc in scales]
    with np.errstate(divide="ignore", invalid="ignore"):
        ref_share = np.array([np.where(ref_tot[r] > 0, ref_large[r] / np.where(ref_tot[r] > 0, ref_tot[r], 1.0),
                                       np.nan) for r in refs]).reshape(len(scales), len(cols))
    n_lads = {k: int(r.sum()) for k, r in ref_rows.items()}
    ref_note = np.array([[f"{n}; {'Great Britain' if r == 'GB' else 'United Kingdom'}: the sum of its "
                          f"{n_lads[r]} districts in the source" for n in note] for r in refs],
                        dtype=object).reshape(len(scales), len(cols))
    ev.put("ref_large_firm_share", scales, ref_share, **{**kw, "note": ref_note})


# ----------------------------------------------------------------------------- supply chains


@dataclass
class SupplyFeatures:
    """National input-output features per theme (for the framework's sides) and supply rows."""

    features: dict[str, np.ndarray]
    rows: list[dict[str, object]]


ICT_PROFESSIONAL = ("J58", "J59", "J60", "J61", "J62", "J63", "M69", "M70", "M71", "M72", "M73", "M74", "M75")


def supply_evidence(
    table_io: object,
    bridge: pd.Series,
    emp: EmploymentResult,
    employment_panel: Panel,
    themes: Membership,
    *,
    latest: int,
    ev: EvidenceSet,
    source: str,
) -> SupplyFeatures:
    """Supply-chain evidence of themes from the national IO table, regionalised per scale (FLQ).

    A theme is mapped to IOAT industries by its share of each industry's GB jobs (SIC subclass ->
    IOAT through the SIC bridge); its IO *basket* is the industries where it holds at least half
    the jobs (else the industry where it has most). Per scale the national table is regionalised
    with Flegg's FLQ (delta 0.3) from the scale's employment by IOAT industry, and the basket's
    local share of intermediate inputs and regional output multiplier are reported
    (:func:`sia.supply.embeddedness.embeddedness`). National features, weighted by the theme's
    jobs in each industry: Ghosh forward and Leontief backward linkages (normalised), share of
    output sold as intermediate input, share sold to final demand and to exports, and the
    share of intermediate inputs bought from ICT and professional services.
    """
    from sia.supply.embeddedness import embeddedness
    from sia.supply.linkages import linkage_table
    from sia.supply.regional import _bridge_membership, regionalise

    io = table_io
    industries = list(io.industries)  # type: ignore[attr-defined]
    mem, _ = _bridge_membership(pd.Index(employment_panel.activities), bridge, industries)
    W = mem.matrix.toarray()  # (industries, subclasses)
    yi = employment_panel.years.index(latest)
    B = themes.reorder_source(employment_panel.activities, strict=False).matrix.toarray()  # (themes, subclasses)
    gb_ind = W @ emp.ref_cells[yi]
    theme_ind = (B * emp.ref_cells[yi][None, :]) @ W.T  # (themes, industries): GB theme jobs per industry
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(gb_ind > 0, theme_ind / np.where(gb_ind > 0, gb_ind, 1.0), 0.0)
        weight = theme_ind / np.maximum(theme_ind.sum(axis=1, keepdims=True), 1e-300)
    links = linkage_table(io).set_index("industry").reindex(industries)  # type: ignore[arg-type]
    Z, Y = io.Z, io.Y  # type: ignore[attr-defined]
    fd = list(io.final_demand)  # type: ignore[attr-defined]
    total_use = Z.sum(axis=1) + Y.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inter = np.where(total_use > 0, Z.sum(axis=1) / total_use, np.nan)
        exports = Y[:, [fd.index(c) for c in fd if c.startswith("P6")]].sum(axis=1)
        export_share = np.where(total_use > 0, exports / total_use, np.nan)
        ict = np.isin(industries, ICT_PROFESSIONAL)
        digital = np.where(Z.sum(axis=0) > 0, Z[ict].sum(axis=0) / Z.sum(axis=0), np.nan)

    def wmean(v: np.ndarray) -> np.ndarray:
        return weight @ np.nan_to_num(v)

    features = {
        "forward_linkage": wmean(links["forward_total_norm"].to_numpy(float)),
        "backward_linkage": wmean(links["backward_total_norm"].to_numpy(float)),
        "intermediate_share": wmean(inter),
        "final_demand_share": 1 - wmean(inter),
        "export_share": wmean(export_share),
    }
    digital_share = wmean(digital)
    baskets = []
    for t_i in range(len(ev.themes)):
        b = [industries[i] for i in np.flatnonzero(share[t_i] >= 0.5)]
        if not b and theme_ind[t_i].sum() > 0:
            b = [industries[int(np.argmax(theme_ind[t_i]))]]
        baskets.append(b)
    rows: list[dict[str, object]] = []
    for s_i, s in enumerate(emp.scales):
        reg_emp = W @ emp.cells[yi][s_i]
        regional = regionalise(io, np.minimum(reg_emp, gb_ind), gb_ind, method="flq", area=s)  # type: ignore[arg-type]
        local = np.full(len(ev.themes), np.nan)
        multiplier = np.full(len(ev.themes), np.nan)
        notes = np.full(len(ev.themes), "no IOAT industry holds the theme's jobs", dtype=object)
        status = np.full(len(ev.themes), NOT_AVAILABLE, dtype=object)
        for t_i, t in enumerate(ev.themes):  # one embeddedness solve per basket (a few dozen)
            if not baskets[t_i]:
                continue
            e = embeddedness(io, regional, baskets[t_i], top=5)  # type: ignore[arg-type]
            local[t_i], multiplier[t_i] = e.local_input_share, e.regional_multiplier
            notes[t_i] = (f"FLQ (delta 0.3, lambda {regional.lam:.3f}); IO basket {', '.join(baskets[t_i])}; "
                          "UK IOAT 2019")
            status[t_i] = "estimated"
            up = e.upstream.head(5)
            down = e.downstream.head(5)
            rows.append(
                {
                    "scale": s,
                    "theme": t,
                    "industries": ";".join(baskets[t_i]),
                    "local_input_share": e.local_input_share,
                    "regional_multiplier": e.regional_multiplier,
                    "national_multiplier": e.national_multiplier,
                    "forward_linkage": features["forward_linkage"][t_i],
                    "backward_linkage": features["backward_linkage"][t_i],
                    "intermediate_share": features["intermediate_share"][t_i],
                    "digital_services_input_share": digital_share[t_i],
                    "upstream": ";".join(up["industry"].astype(str)),
                    "downstream": ";".join(down["industry"].astype(str)),
                }
            )
        kw = {"status": status, "source": source, "grain": "IOAT industry (105)", "note": notes}
        ev.put("local_input_share", [s], local[None, :], **kw)
        ev.put("output_multiplier", [s], multiplier[None, :], **kw)
        ev.put("digital_services_input_share", [s], np.where(status == NOT_AVAILABLE, np.nan, digital_share)[None, :],
               **{**kw, "note": np.where(status == NOT_AVAILABLE, notes, "share of the theme industries' UK "
                                         "intermediate inputs from ICT (J58-63) and professional services (M69-75), "
                                         "national table")})
    return SupplyFeatures(features, rows)
