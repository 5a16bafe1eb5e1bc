"""Stage 4, evidence: every source, at the grains it supports, into one :class:`EvidenceSet`.

Each block of :mod:`sia.audit.evidence` writes whole ``(scales, themes)`` arrays for the scales its
source covers exactly (:func:`sia.audit.grain.exact_cover`); every other scale gets
"not available at this scale" with the reason, so missing evidence is never a 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sia.audit import evidence as blocks
from sia.audit.config import AuditConfig, ConfigError
from sia.audit.districts import (
    DistrictEmployment,
    estimated_districts,
    published_districts,
    widen_lq_interval,
)
from sia.audit.evidence_set import EvidenceSet
from sia.audit.grain import exact_cover, resolver
from sia.audit.inputs import Inputs
from sia.audit.scales import ScaleInfo
from sia.audit.themes import Theme, theme_membership
from sia.audit.vocabulary import NOT_AVAILABLE, TABLE_COLUMNS
from sia.classification import Classification
from sia.geography import Geography
from sia.membership import Membership
from sia.panel import Panel

EMPLOYMENT_INDICATORS = ("lq", "jobs", "share_of_area", "growth_pct", "competitive_effect", "competitive_share")
ITL_GVA_INDICATORS = ("gva_per_job", "productivity_ratio", "jobs_per_gbp_m_gva")
OPPORTUNITY_INDICATORS = ("density", "pci", "cog")
SUPPLY_INDICATORS = ("local_input_share", "output_multiplier", "digital_services_input_share")
BUSINESS_INDICATORS = ("enterprises", "sme_share", "large_firm_share", "ref_large_firm_share")


@dataclass
class Panels:
    """The evidence panels of the config, loaded once."""

    employment: Panel
    employment_nuts2: Panel | None
    gva: Panel | None
    gva_lad: Panel | None
    business_counts: Panel | None
    districts: DistrictEmployment | None = None

    @classmethod
    def load(cls, cfg: AuditConfig, inputs: Inputs, step: Callable[[str], None]) -> Panels:
        e = cfg.evidence
        step("loading employment")
        emp = inputs.panel("employment", e.employment)
        step("loading the other evidence files")
        return cls(emp, inputs.optional_panel("employment_nuts2", e.employment_nuts2),
                   inputs.optional_panel("gva", e.gva), inputs.optional_panel("gva_lad", e.gva_lad),
                   inputs.optional_panel("business_counts", e.business_counts),
                   load_districts(cfg, inputs, emp, step))


def load_districts(
    cfg: AuditConfig, inputs: Inputs, emp: Panel, step: Callable[[str], None]
) -> DistrictEmployment | None:
    """``[evidence.employment_districts]`` with a ``path``: the published district panel (estimates are made
    later, by :func:`district_employment`, once the scales and themes are known)."""
    spec = cfg.evidence.employment_districts
    if spec is None or not spec.path:
        return None
    from sia.sources import load

    path = inputs.path("employment_districts", spec.path)
    panel = load(path, format=spec.format or None, measure=spec.measure or "employment")
    inputs.record("employment_districts", path, panel)
    return published_districts(panel)


@dataclass
class Gathered:
    """The evidence set and the intermediate results later stages draw on."""

    ev: EvidenceSet
    membership: Membership
    emp: blocks.EmploymentResult | None
    emp_scales: dict[str, tuple[str, ...]]
    lad: blocks.LadGvaResult | None
    lad_scales: dict[str, tuple[str, ...]]
    opp: blocks.OpportunityResult | None
    supply_rows: list[dict[str, object]] = field(default_factory=list)
    io_features: dict[str, np.ndarray] = field(default_factory=dict)
    innovation: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    published_emp_scales: dict[str, tuple[str, ...]] = field(default_factory=dict)
    series: list[blocks.ThemeSeries] = field(default_factory=list)


def _mark(ev: EvidenceSet, indicators: tuple[str, ...], scales: list[str], source: str, why: str) -> None:
    for ind in indicators:
        if scales:
            ev.not_available(ind, scales, source=source, why=why)


def district_employment(
    cfg: AuditConfig, inputs: Inputs, panels: Panels, scales: list[ScaleInfo], emp: blocks.EmploymentResult | None,
    emp_scales: dict[str, tuple[str, ...]], membership: Membership, ev: EvidenceSet, notes: list[str],
    step: Callable[[str], None],
) -> tuple[blocks.EmploymentResult | None, dict[str, tuple[str, ...]]]:
    """Employment evidence from district employment for the scales the employment file does not cover
    (unions of districts): a published district panel when the config gives one, else estimates
    (:func:`sia.audit.districts.estimated_districts`), labelled ``estimated``, with LQ intervals widened by the
    estimates' own Monte Carlo interval of each theme's jobs at the scale. Merged into the employment result
    so that later blocks (supply chains, complementarity, the activities table) use it too."""
    spec = cfg.evidence.employment_districts
    if spec is None:
        return emp, emp_scales
    wanted = [s for s in scales if s.id not in emp_scales and s.lads]
    if not wanted:
        return emp, emp_scales
    base, latest = cfg.audit.base_year, cfg.audit.latest_year
    B = membership.reorder_source(panels.employment.activities, strict=False).matrix.toarray().T
    j_lo = j_hi = None
    if panels.districts is not None:
        dist = panels.districts
    else:
        step("estimating district employment from the BRES ITL2 margins (sia.estimate)")
        dist, j_lo, j_hi = estimated_districts(
            inputs.root, panels.employment, lad_vintage=spec.lad_vintage, n_draws=spec.n_draws,
            groups={s.id: s.lads for s in wanted}, theme_matrix=B, year=latest)
        prov = dist.panel.provenance[0]
        inputs.entries["employment_districts"] = {
            "path": "(estimated at run time from the employment, gva, business_counts and geography files)",
            "sha256": "", "table": prov.table, "vintage": prov.vintage, "licence": "derived from OGL v3.0 sources",
            "loader": prov.loader, "query": f"n_draws={spec.n_draws}", "notes": list(prov.notes)}
    areas = set(dist.panel.areas)
    extra = {s.id: tuple(sorted(s.lads)) for s in wanted if s.lads <= areas}
    if not extra:
        return emp, emp_scales
    d = blocks.employment_evidence(dist.panel, extra, membership, base=base, latest=latest, ev=ev,
                                   source="employment_districts")
    if j_lo is not None and j_hi is not None:
        keep = [i for i, s in enumerate(wanted) if s.id in extra]
        il = dist.panel.years.index(latest)
        lo, hi = widen_lq_interval(d.lq, d.lq_low, d.lq_high, d.jobs[il], j_lo[keep], j_hi[keep])
        d = replace(d, lq_low=lo, lq_high=hi)
        ev.set_interval("lq", list(extra), lo, hi, "; widened by the estimates' 90% interval of the theme's jobs "
                        "(sia.audit.districts.widen_lq_interval)")
        notes.append(f"employment at {', '.join(extra)} is estimated from BRES ITL2 margins (sia.estimate): "
                     "labelled 'estimated', with LQ intervals widened by the estimates' uncertainty")
    merged = d if emp is None else blocks.merge_employment(emp, d)
    return merged, {**emp_scales, **extra}


def complexity_orientation(panels: Panels, geo: Geography) -> tuple[object, str]:
    """Regional complexity is oriented by productivity (GVA per job of each NUTS2 area): on UK regional
    data the diversity rule points the wrong way (docs/complexity-orientation.md)."""
    from sia.compute.productivity import area_productivity
    from sia.metrics.complexity import Orientation

    opp = panels.employment_nuts2
    if opp is None or panels.gva is None:
        return "diversity", "ECI/PCI sign by diversity (no GVA panel to orient by productivity)"
    year = max(y for y in opp.years if y in panels.gva.years) if set(opp.years) & set(panels.gva.years) else None
    if year is None:
        return "diversity", "ECI/PCI sign by diversity (no common year of GVA and the NUTS2 employment)"
    values, note = area_productivity(panels.gva, opp, year)
    return Orientation.by_area(values, name=f"GVA per job {year}"), note


def gather_evidence(
    cfg: AuditConfig,
    inputs: Inputs,
    panels: Panels,
    geo: Geography,
    sic: Classification,
    scales: list[ScaleInfo],
    themes: list[Theme],
    step: Callable[[str], None],
) -> Gathered:
    """Every evidence block for every scale it can speak for (see the module docstring)."""
    base, latest = cfg.audit.base_year, cfg.audit.latest_year
    ids = [s.id for s in scales]
    ev = EvidenceSet(ids, [t.id for t in themes])
    emp_panel = panels.employment
    membership = theme_membership(themes, emp_panel.activities)
    resolve = resolver(geo)
    notes: list[str] = []

    step("employment evidence")
    covers = {s.id: exact_cover(geo, s.lads, emp_panel.areas, resolve=resolve) for s in scales}
    emp_scales = {k: v for k, v in covers.items() if v is not None}
    emp = (blocks.employment_evidence(emp_panel, emp_scales, membership, base=base, latest=latest, ev=ev,
                                      source="employment") if emp_scales else None)
    itl_emp_scales = dict(emp_scales)
    if cfg.evidence.employment_districts is not None:
        emp, emp_scales = district_employment(cfg, inputs, panels, scales, emp, emp_scales, membership, ev, notes,
                                              step)
    no_emp = [i for i in ids if i not in emp_scales]
    _mark(ev, EMPLOYMENT_INDICATORS, no_emp, "employment", "the scale is not a union of the employment source's areas")
    series: list[blocks.ThemeSeries] = []
    if emp is not None and emp.status_years is not None:
        series.append(jobs_series(emp, ev))

    step("GVA")
    if panels.gva is not None and emp is not None:
        itl = [a for a in panels.gva.areas if len(a) == 4]
        gva_units = {s.id: exact_cover(geo, s.lads, itl, resolve=resolve) for s in scales if s.id in itl_emp_scales}
        gva_units = {k: v for k, v in gva_units.items() if v}
        if gva_units:
            gr = blocks.gva_itl_evidence(panels.gva, emp, emp_panel, gva_units, membership, sic, ev=ev, source="gva")
            if gr is not None and gr.theme_gva_years is not None and gr.status_years is not None:
                grain = str(ev.value("gva", "grain").sel(scale=gr.scales[0]).values[0])
                series.append(blocks.ThemeSeries("gva", gr.scales, gr.years, gr.theme_gva_years, gr.status_years,
                                                 ("gva",) * len(gr.scales), (grain,) * len(gr.scales)))
        _mark(ev, ITL_GVA_INDICATORS, [i for i in ids if i not in gva_units], "gva",
              "the scale is not a union of ITL2 areas with employment evidence")
    lad, lad_scales = None, {}
    if panels.gva_lad is not None and emp is not None:
        lad = blocks.lad_theme_gva(panels.gva_lad, membership, sic, emp.ref_cells[emp_panel.years.index(latest)],
                                   emp_panel.activities)
        lad_set = set(lad.lads)
        lad_scales = {s.id: tuple(sorted(s.lads)) for s in scales if s.lads <= lad_set}
        _mark(ev, ("gva",), [i for i in ids if i not in lad_scales and i not in emp_scales], "gva_lad",
              "the scale's LADs are not all in the LAD GVA table")
        only_lad = {k: v for k, v in lad_scales.items() if k not in itl_emp_scales}
        with_jobs = {k: v for k, v in only_lad.items() if k in emp_scales}
        without = {k: v for k, v in only_lad.items() if k not in emp_scales}
        for part, strength in ((with_jobs, False), (without, True)):
            if not part:
                continue
            out = blocks.lad_gva_evidence(lad, part, base=base, latest=latest, ev=ev, source="gva_lad",
                                          strength=strength)
            shape = out["gva_years"].shape
            series.append(blocks.ThemeSeries("gva", tuple(part), lad.years, out["gva_years"],
                                             np.full(shape, lad.status, dtype=object), ("gva_lad",) * len(part),
                                             ("LAD x published industry codes",) * len(part)))

    step("opportunities")
    opp = None
    if panels.employment_nuts2 is not None:
        opp_panel = panels.employment_nuts2
        units = {s.id: exact_cover(geo, s.lads, opp_panel.areas, resolve=resolve) for s in scales}
        units = {k: v for k, v in units.items() if v}
        orientation, note = complexity_orientation(panels, geo)
        notes.append(note)
        if units:
            classes = sorted({c for t in themes for c in (s[:4] for s in t.subclasses)})
            class_themes = [Theme(t.id, t.name, t.codes, frozenset(s[:4] for s in t.subclasses), t.origin)
                            for t in themes]
            opp = blocks.opportunity_evidence(opp_panel, units, theme_membership(class_themes, classes), ev=ev,
                                              source="employment_nuts2", orientation=orientation)
        _mark(ev, OPPORTUNITY_INDICATORS, [i for i in ids if i not in units], "employment_nuts2",
              "the scale is not a union of NUTS2 areas")

    step("business base")
    if panels.business_counts is not None and emp is not None:
        ubc = panels.business_counts
        ubc_set = set(ubc.areas)
        ubc_scales = {s.id: tuple(sorted(s.lads)) for s in scales if s.lads <= ubc_set}
        if ubc_scales:
            blocks.business_evidence(ubc, ubc_scales, membership, emp.ref_cells[emp_panel.years.index(latest)],
                                     emp_panel.activities, year=latest, ev=ev, source="business_counts",
                                     references={s.id: s.reference for s in scales})
        _mark(ev, BUSINESS_INDICATORS, [i for i in ids if i not in ubc_scales], "business_counts",
              "the scale's LADs are not all in the business counts")

    step("supply chains")
    supply_rows: list[dict[str, object]] = []
    io_features: dict[str, np.ndarray] = {}
    e = cfg.evidence
    if e.io_table is not None and e.io_bridge is not None and emp is not None:
        from sia.supply.regional import load_sic_bridge
        from sia.supply.tables import load_ons_ioat

        io_path = inputs.path("io_table", e.io_table.path)
        io = load_ons_ioat(io_path)
        inputs.record("io_table", io_path, None, table=io.name, licence="Open Government Licence v3.0 (ONS)",
                      notes=list(io.notes))
        bridge_path = inputs.path("io_bridge", e.io_bridge.path)
        inputs.record("io_bridge", bridge_path, None, table="SIC -> IOAT bridge (derived, not official)")
        sup = blocks.supply_evidence(io, load_sic_bridge(bridge_path), emp, emp_panel, membership, latest=latest,
                                     ev=ev, source="io_table")
        supply_rows, io_features = sup.rows, dict(sup.features)
        _mark(ev, SUPPLY_INDICATORS, no_emp, "io_table", "the scale has no employment evidence to regionalise with")

    step("science and innovation base")
    innovation = innovation_table(cfg, inputs, geo, scales, lad, resolve)
    if e.consultation is not None:
        consultation_evidence(cfg, inputs, ev, themes)
    return Gathered(ev, membership, emp, emp_scales, lad, lad_scales, opp, supply_rows, io_features, innovation,
                    notes, itl_emp_scales, series)


def jobs_series(emp: blocks.EmploymentResult, ev: EvidenceSet) -> blocks.ThemeSeries:
    """Jobs by year of every scale with employment evidence, with each year's status and the source and grain
    of the scale's ``jobs`` evidence (BRES, or district employment: published or estimated)."""
    src, grain = ev.value("jobs", "source"), ev.value("jobs", "grain")
    assert emp.status_years is not None
    status = np.vectorize(blocks.STATUS_LABEL.get, otypes=[object])(emp.status_years)
    return blocks.ThemeSeries("jobs", emp.scales, emp.years, emp.jobs, status,
                              tuple(str(src.sel(scale=s).values[0]) for s in emp.scales),
                              tuple(str(grain.sel(scale=s).values[0]) for s in emp.scales))


def consultation_evidence(cfg: AuditConfig, inputs: Inputs, ev: EvidenceSet, themes: list[Theme]) -> None:
    """The stakeholders' score of each theme (the same at every scale)."""
    from sia.audit.consultation import ConsultationError, stakeholder_scores

    path = inputs.path("consultation", cfg.evidence.consultation.path)  # type: ignore[union-attr]
    try:
        values, unmatched = stakeholder_scores(path, list(ev.themes), [t.name for t in themes])
    except ConsultationError as exc:
        raise ConfigError(f"evidence.consultation.path: {exc}") from exc
    inputs.record("consultation", path, None, table="stakeholder consultation export",
                  notes=[f"{len(unmatched)} export themes not in the audit: {', '.join(unmatched[:10])}"])
    ev.put("stakeholder_score", list(ev.scales), np.asarray(values, dtype=np.float64)[None, :], status="observed",
           source="consultation", grain="consultation (last round)",
           note="mean over criteria of the stakeholders' median score")


def innovation_table(
    cfg: AuditConfig, inputs: Inputs, geo: Geography, scales: list[ScaleInfo], lad: blocks.LadGvaResult | None,
    resolve: Callable[[str], str | None],
) -> pd.DataFrame:
    """Science and innovation base: each indicator summed over the scale's units, per GBP million GVA,
    and its ratio to the UK's; "not available at this scale" where the units do not tile the scale."""
    from sia.sources.indicators import load_indicator

    rows = []
    for spec in cfg.evidence.innovation:
        key = f"innovation:{spec.indicator}"
        path = inputs.path(key, spec.path)
        panel = load_indicator(path, unit=spec.unit)
        inputs.record(key, path, panel)
        year = max(y for y in panel.years if not np.isnan(panel.matrix(y)).all())
        values = np.nan_to_num(panel.matrix(year)[:, 0])
        uk_total = float(values.sum())
        gva_uk = None
        if lad is not None and year in lad.years:
            gva_uk = float(lad.total_gva[lad.years.index(year)].sum())
        level = "LEP" if panel.areas[0].startswith("E37") else "NUTS2"
        for s in scales:
            units = exact_cover(geo, s.lads, panel.areas, resolve=resolve)
            row = {"scale": s.id, "indicator": spec.indicator, "unit": spec.unit, "year": year, "source": key,
                   "value": np.nan, "per_gva": np.nan, "uk_per_gva": np.nan, "ratio_to_uk": np.nan, "grain": "",
                   "status": NOT_AVAILABLE}
            if units:
                idx = [panel.areas.index(u) for u in units]
                row.update(value=float(values[idx].sum()), grain=f"{level} ({len(units)} units)", status="observed")
                if gva_uk and lad is not None:
                    A = blocks.area_matrix({s.id: tuple(sorted(s.lads))}, lad.lads)
                    gva_scale = float((A @ lad.total_gva[lad.years.index(year)])[0])
                    uk_per = uk_total / gva_uk
                    row.update(per_gva=row["value"] / gva_scale, uk_per_gva=uk_per,
                               ratio_to_uk=row["value"] / gva_scale / uk_per if uk_per else np.nan)
            rows.append(row)
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["innovation"]))
