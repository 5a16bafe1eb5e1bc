"""Stage 8, tables: the descriptive output tables (scales, themes, activities, opportunities, network,
clusters, maps), each built from arrays in one pass, with every formula from :mod:`sia.metrics`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from sia.audit.evidence import EmploymentResult, LadGvaResult, OpportunityResult, ThemeSeries
from sia.audit.grain import lads_of
from sia.audit.indicators import INDICATORS
from sia.audit.scales import ScaleInfo
from sia.audit.themes import Theme, theme_membership
from sia.audit.vocabulary import NOT_AVAILABLE, SORT_KEYS, TABLE_COLUMNS
from sia.classification import Classification
from sia.geography import Geography
from sia.metrics.clusters import backbone
from sia.metrics.dynamics import growth, shift_share
from sia.metrics.peers import area_complexity, industry_similarity, rank_among, standardise_on
from sia.metrics.proximity import opportunity_quadrants
from sia.metrics.specialisation import binary_presence, location_quotient, lq_confidence_interval
from sia.panel import Panel


def sorted_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the table's key order (:data:`~sia.audit.vocabulary.SORT_KEYS`), index reset; an empty table
    (evidence the config does not supply) keeps its documented columns."""
    if frame.empty and name in TABLE_COLUMNS:
        frame = frame.reindex(columns=list(dict.fromkeys([*TABLE_COLUMNS[name], *frame.columns])))
    keys = [k for k in SORT_KEYS.get(name, ()) if k in frame.columns]
    if keys and len(frame):
        frame = frame.sort_values(keys, kind="stable")
    return frame.reset_index(drop=True)


def _names(sic: Classification, codes: Sequence[str]) -> list[str]:
    return [sic.name_of(c) if c in sic else "" for c in codes]


def scales_table(scales: list[ScaleInfo]) -> pd.DataFrame:
    return pd.DataFrame([{"scale": s.id, "name": s.name, "area": s.area, "area_name": s.area_name, "level": s.level,
                          "reference": s.reference, "reference_name": s.reference_name, "parent": s.parent,
                          "n_lads": len(s.lads), "lads": ";".join(sorted(s.lads))} for s in scales],
                        columns=list(TABLE_COLUMNS["scales"]))


def themes_table(themes: list[Theme]) -> pd.DataFrame:
    return pd.DataFrame([{"theme": t.id, "name": t.name, "description": t.description, "origin": t.origin,
                          "codes": ";".join(t.codes), "resolved_codes": ";".join(sorted(t.subclasses)),
                          "pin": t.pin or "", "comment": t.comment} for t in themes],
                        columns=list(TABLE_COLUMNS["themes"]))


def activities_table(
    emp: EmploymentResult, panel: Panel, sic: Classification, themes: list[Theme], base: int, latest: int,
    status_by_scale: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Scale x SIC division: jobs, share, LQ with its interval, growth, competitive effect, themes, and the
    status of the scale's employment (``status_by_scale``: e.g. ``rounded`` for BRES, ``estimated`` for
    district estimates; the LQ interval here is the sampling interval only).

    Divisions are summed from subclasses through a division membership (``x D^T``); LQ and interval are
    :func:`~sia.metrics.specialisation.lq_confidence_interval` against the reference, growth
    :func:`~sia.metrics.dynamics.growth` (base year in the denominator), the competitive effect
    :func:`~sia.metrics.dynamics.shift_share`.
    """
    acts = panel.activities
    divs = sorted({a[:2] for a in acts})
    div_of = np.array([a[:2] for a in acts])
    D = (div_of[None, :] == np.array(divs)[:, None]).astype(np.float64)  # (divisions, subclasses)
    ib, il = panel.years.index(base), panel.years.index(latest)
    x_l, x_b = emp.cells[il] @ D.T, emp.cells[ib] @ D.T
    r_l, r_b = emp.ref_cells[il] @ D.T, emp.ref_cells[ib] @ D.T
    ci = lq_confidence_interval(x_l, r_l)
    ss = shift_share(x_b, x_l, r_b, r_l)
    g = growth(x_b, x_l).percent
    tot = x_l.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(tot > 0, x_l / tot, np.nan)
    div_themes = [";".join(t.id for t in themes if any(s[:2] == d for s in sorted(t.subclasses))) for d in divs]
    S, V = len(emp.scales), len(divs)
    return pd.DataFrame({
        "scale": np.repeat(emp.scales, V), "activity": np.tile(divs, S), "activity_name": np.tile(_names(sic, divs), S),
        "jobs": x_l.ravel(), "share": share.ravel(), "lq": ci.lq.ravel(), "lq_low": ci.lq_low.ravel(),
        "lq_high": ci.lq_high.ravel(), "significant": ci.significant.ravel().astype(bool), "growth_pct": g.ravel(),
        "competitive_effect": ss.competitive_effect.ravel(), "theme": np.tile(div_themes, S),
        "status": np.repeat([(status_by_scale or {}).get(s, "observed") for s in emp.scales], V),
    })


def opportunities_table(opp: OpportunityResult, sic: Classification) -> pd.DataFrame:
    """Scale x SIC class: presence, density, PCI, COG and opportunity quadrant."""
    quad = opportunity_quadrants(opp.present, opp.density, np.broadcast_to(opp.pci, opp.density.shape))
    S, A = opp.density.shape
    return pd.DataFrame({
        "scale": np.repeat(opp.scales, A), "activity": np.tile(opp.activities, S),
        "activity_name": np.tile(_names(sic, opp.activities), S), "present": opp.present.ravel().astype(bool),
        "density": opp.density.ravel(), "pci": np.tile(opp.pci, S), "cog": opp.cog.ravel(),
        "quadrant": [q or "" for q in quad.ravel()],
    })


def edges_table(phi: np.ndarray, acts: Sequence[str]) -> pd.DataFrame:
    """The proximity backbone (each class's 3 strongest links) for the network chart."""
    bb = backbone(phi, k=3).tocoo()
    keep = bb.row < bb.col
    acts_arr = np.asarray(acts, dtype=object)
    return pd.DataFrame({"activity_a": acts_arr[bb.row[keep]], "activity_b": acts_arr[bb.col[keep]],
                         "proximity": bb.data[keep]})


def clusters_table(table: pd.DataFrame, sic: Classification, stability: float) -> pd.DataFrame:
    out = table.copy()
    out["activity_name"] = _names(sic, list(out["activity"]))
    out["stability"] = stability
    return out[list(TABLE_COLUMNS["clusters"])]


def lad_gva_lq(lad: LadGvaResult, year_index: int, theme_index: Sequence[int]) -> np.ndarray:
    """``(lads, themes)`` GVA location quotients against the sum of all LADs.

    For each theme the 2-column matrix [theme GVA, rest of the LAD's GVA] goes through
    :func:`~sia.metrics.specialisation.location_quotient` (themes overlap, so they cannot share one matrix).
    """
    t_gva = lad.theme_gva[year_index][:, list(theme_index)]  # (lads, themes)
    tot = lad.total_gva[year_index]
    two = np.stack([t_gva, tot[:, None] - t_gva], axis=-1).transpose(1, 0, 2)  # (themes, lads, 2)
    lq = location_quotient(two)[..., 0].T
    return np.where(tot[:, None] > 0, lq, np.nan)


def maps_table(
    panel: Panel | None,
    geo: Geography,
    lad: LadGvaResult | None,
    themes: list[Theme],
    chosen: set[str],
    latest: int,
    lads: frozenset[str],
    itl2_units: set[str],
) -> pd.DataFrame:
    """Choropleth indicators for the audit's own area: LAD total GVA and GVA LQ of the widest scale's
    framework themes; ITL2 employment LQ of the same themes (areas the audit covers only)."""
    cols = list(TABLE_COLUMNS["maps"])
    parts: list[pd.DataFrame] = []
    picked = [i for i, t in enumerate(themes) if t.id in chosen]
    if lad is not None and latest in lad.years:
        yl = lad.years.index(latest)
        keep = np.array([c in lads for c in lad.lads], dtype=bool)
        codes = np.asarray(lad.lads, dtype=object)[keep]

        def area_name(code: str) -> str:
            try:
                return geo.area(code).name
            except LookupError:
                return ""

        names = [area_name(c) for c in codes]
        parts.append(pd.DataFrame({"level": "LAD", "area": codes, "area_name": names, "indicator": "gva_total",
                                   "value": lad.total_gva[yl][keep], "year": latest}))
        if picked:
            lq = lad_gva_lq(lad, yl, picked)[keep]
            for j, t_i in enumerate(picked):
                parts.append(pd.DataFrame({"level": "LAD", "area": codes, "area_name": names,
                                           "indicator": f"gva_lq:{themes[t_i].id}", "value": lq[:, j],
                                           "year": latest}))
    if panel is not None and picked:
        X = np.nan_to_num(panel.matrix(latest))
        B = theme_membership([themes[i] for i in picked], panel.activities).matrix.toarray()
        T = X @ B.T  # (areas, themes)
        rest = X.sum(axis=1)[:, None] - T
        lq = location_quotient(np.stack([T, rest], axis=-1).transpose(1, 0, 2))[..., 0].T  # (areas, themes)
        names = panel.data["area_name"].values if "area_name" in panel.data.coords else [""] * len(panel.areas)
        keep = np.array([a in itl2_units for a in panel.areas], dtype=bool)
        for j, t_i in enumerate(picked):
            parts.append(pd.DataFrame({"level": "ITL2", "area": np.asarray(panel.areas, dtype=object)[keep],
                                       "area_name": np.asarray(names, dtype=str)[keep],
                                       "indicator": f"employment_lq:{themes[t_i].id}", "value": lq[keep, j],
                                       "year": latest}))
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


# ----------------------------------------------------------------------------- peers and trends


def _class_matrix(subclasses: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """``(classes, subclasses)`` 0/1 matrix: SIC subclass ``01110`` -> class ``0111``."""
    of = np.array([c[:4] for c in subclasses])
    return (of[None, :] == np.asarray(classes)[:, None]).astype(np.float64)


def peers_tables(
    opp: OpportunityResult,
    emp: EmploymentResult | None,
    subclasses: Sequence[str],
    scales: Sequence[ScaleInfo],
    geo: Geography,
    resolve: Callable[[str], str | None],
    status_by_scale: Mapping[str, str],
    source_by_scale: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(peers, peer_regions)``: each scale's complexity ranked among every region of the opportunity source
    (the NUTS2 regions of BRES x SIC class the PCI was computed over), and its similarity to each of them.

    A scale's presence row ``M_s`` is the opportunity stage's (``opp.present``) when the scale is a union of
    the regions; otherwise, for a scale with employment evidence in the regions' year (a LEP's district
    employment, published or estimated), its SIC subclass jobs are summed to classes and
    ``M_s = 1{LQ >= 1}`` against the employment source's own reference in that year
    (:func:`~sia.metrics.specialisation.location_quotient`), labelled with the scale's employment status.
    Complexity: :func:`~sia.metrics.peers.area_complexity` (mean PCI of the classes with ``M = 1``) for the
    scale and for every region; ``eci`` is the complexity on the regions' ECI scale
    (:func:`~sia.metrics.peers.standardise_on`; a region gets its ECI), ``complexity_rank``
    :func:`~sia.metrics.peers.rank_among` the regions. Similarity:
    :func:`~sia.metrics.peers.industry_similarity` of SIC-class employment shares, ranked 1 = most similar;
    ``overlap`` says whether the region lies ``inside`` the scale or is ``part``-ly in it (shares districts).
    """
    if opp.area_present is None or opp.area_jobs is None or opp.complexity is None:
        return (pd.DataFrame(columns=list(TABLE_COLUMNS["peers"])),
                pd.DataFrame(columns=list(TABLE_COLUMNS["peer_regions"])))
    pci = np.asarray(opp.complexity.pci, dtype=np.float64)  # NaN where no region is specialised
    X, M = opp.area_jobs, opp.area_present
    regions, names = np.asarray(opp.areas, dtype=object), np.asarray(opp.area_names, dtype=object)
    year = opp.year
    region_cx = area_complexity(M, pci)
    region_eci = standardise_on(region_cx, region_cx)
    region_rank = rank_among(region_cx, region_cx)
    n_regions = int(np.isfinite(region_cx).sum())
    region_lads = []
    for r in opp.areas:
        code = resolve(r)
        try:
            region_lads.append(lads_of(geo, code) if code else None)
        except LookupError:
            region_lads.append(None)
    C, yi = None, None
    if emp is not None and year in emp.years:
        yi = emp.years.index(year)
        C = _class_matrix(subclasses, opp.activities)
    base_note = (f"PCI over the {n_regions} regions of the source ({year}); {opp.orientation}" if opp.orientation
                 else f"PCI over the {n_regions} regions of the source ({year})")
    rows, peer_rows = [], []
    for sc in scales:
        row = {"scale": sc.id, "complexity": np.nan, "eci": np.nan, "complexity_rank": np.nan, "n_ranked": np.nan,
               "n_regions": n_regions, "region": "", "region_name": "", "n_present": np.nan, "year": year,
               "status": NOT_AVAILABLE, "source": "employment_nuts2", "grain": "", "note": ""}
        present = shares = None
        if sc.id in opp.scales:
            i = opp.scales.index(sc.id)
            units = opp.units.get(sc.id, ())
            present = opp.present[i]
            shares = np.asarray([u in units for u in opp.areas], dtype=np.float64) @ X
            plural = "s" if len(units) != 1 else ""
            row.update(status="rounded", grain=f"NUTS2 x SIC class ({len(units)} region{plural})", note=base_note)
            if len(units) == 1:
                row.update(region=units[0], region_name=str(names[list(opp.areas).index(units[0])]))
        elif C is not None and yi is not None and emp is not None and sc.id in emp.scales:
            j = emp.scales.index(sc.id)
            shares = C @ emp.cells[yi][j]
            ref = C @ emp.ref_cells[yi]
            present = binary_presence(location_quotient(shares[None, :], ref))[0]
            src, st = source_by_scale.get(sc.id, "employment"), status_by_scale.get(sc.id, "estimated")
            row.update(status=st, source=src, grain="district x SIC class (subclasses summed)",
                       note=f"the scale is not a union of the regions: its specialisations are from its employment "
                            f"by SIC subclass ({src}, {st}) summed to classes, LQ against that source's reference "
                            f"in {year}; {base_note}")
        else:
            row["note"] = ("the scale is neither a union of the regions nor has employment by SIC class in "
                           f"{year}")
        if present is not None and shares is not None:
            cx = float(area_complexity(present[None, :], pci)[0])
            row.update(complexity=cx, eci=float(standardise_on([cx], region_cx)[0]),
                       complexity_rank=float(rank_among([cx], region_cx)[0]),
                       n_ranked=n_regions + (0 if row["region"] else 1),
                       n_present=int((present != 0).sum()))
            sim = industry_similarity(shares[None, :], X)[0]
            sim_rank = rank_among(sim, sim)
            overlap = ["" if lads is None else "inside" if lads <= sc.lads else "part" if lads & sc.lads else ""
                       for lads in region_lads]
            peer_rows.append(pd.DataFrame({
                "scale": sc.id, "region": regions, "region_name": names, "similarity": sim,
                "similarity_rank": sim_rank, "overlap": overlap, "complexity": region_cx, "eci": region_eci,
                "complexity_rank": region_rank, "year": year, "status": row["status"], "source": row["source"],
            }))
        rows.append(row)
    peers = pd.DataFrame(rows, columns=list(TABLE_COLUMNS["peers"]))
    regions_table = (pd.concat(peer_rows, ignore_index=True)[list(TABLE_COLUMNS["peer_regions"])] if peer_rows
                     else pd.DataFrame(columns=list(TABLE_COLUMNS["peer_regions"])))
    return peers, regions_table


def trends_table(series: Sequence[ThemeSeries], themes: Sequence[str], base: int, latest: int) -> pd.DataFrame:
    """Scale x theme x indicator x year, ``base`` to ``latest``: each block's yearly theme values (jobs from the
    employment evidence, GVA from the ITL2 or LAD GVA evidence) with that year's status, source and grain.
    The latest year's value is the one the ``evidence`` table holds."""
    parts = []
    for ser in series:
        keep = [i for i, y in enumerate(ser.years) if base <= y <= latest]
        if not keep:
            continue
        Y, S, T = len(keep), len(ser.scales), len(themes)
        idx = np.ix_(keep, range(S), range(T))
        parts.append(pd.DataFrame({
            "scale": np.tile(np.repeat(np.asarray(ser.scales, dtype=object), T), Y),
            "theme": np.tile(np.asarray(themes, dtype=object), Y * S),
            "indicator": ser.indicator,
            "year": np.repeat(np.asarray(ser.years)[keep], S * T).astype(np.int64),
            "value": ser.values[idx].ravel(),
            "unit": INDICATORS[ser.indicator].unit,
            "status": np.asarray(ser.status, dtype=object)[idx].ravel(),
            "source": np.tile(np.repeat(np.asarray(ser.source, dtype=object), T), Y),
            "grain": np.tile(np.repeat(np.asarray(ser.grain, dtype=object), T), Y),
        }))
    cols = list(TABLE_COLUMNS["trends"])
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
