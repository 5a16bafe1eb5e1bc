"""``sia audit``: from a config file to a prioritised, multi-scale Smart Specialisation framework.

The audit is a pipeline of typed stages, each a module of :mod:`sia.audit` (method: ``docs/audit.md``):

1. inputs (:mod:`~sia.audit.inputs`): the evidence files, loaded once, with their provenance;
2. scales (:mod:`~sia.audit.scales`): the geography and each scale's districts;
3. themes (:mod:`~sia.audit.themes`, :mod:`~sia.audit.activities`): the analyst's hypotheses, built-in
   sets and data-driven clusters of traded activities; which classes are traded and knowledge-intensive;
4. evidence (:mod:`~sia.audit.gather`): one :class:`~sia.audit.evidence_set.EvidenceSet` over
   scale x theme x indicator, at the grains each source supports;
5. scoring (:mod:`~sia.audit.scoring`): scores, ranks, Monte Carlo rank stability;
6. framework (:mod:`~sia.audit.framework_stage`): sides, verdicts, eligibility and roles;
7. complementarity (:mod:`~sia.audit.complementarity_stage`);
8. tables and manifest (:mod:`~sia.audit.tables`, :mod:`~sia.audit.manifest`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sia.audit import framework as fw
from sia.audit.activities import centrality, cross_theme, theme_shares
from sia.audit.complementarity_stage import complementarity_tables
from sia.audit.config import AuditConfig
from sia.audit.evidence_set import EvidenceSet
from sia.audit.framework_stage import framework_table, unfilled_sides
from sia.audit.gather import Panels, gather_evidence
from sia.audit.grain import resolver
from sia.audit.indicators import indicator_table
from sia.audit.inputs import Inputs
from sia.audit.manifest import AuditResult, build_manifest, write_outputs
from sia.audit.scales import audit_geography, resolve_scales
from sia.audit.scoring import score_scale, score_tables
from sia.audit.tables import (
    activities_table,
    clusters_table,
    edges_table,
    maps_table,
    opportunities_table,
    peers_tables,
    scales_table,
    sorted_table,
    themes_table,
    trends_table,
)
from sia.audit.themes_stage import candidate_themes
from sia.classification import sic2007

__all__ = ["AuditResult", "run_audit", "write_outputs"]

Progress = Callable[[str], None]


def employment_status(ev: EvidenceSet, scales: tuple[str, ...]) -> dict[str, str]:
    """The status of each scale's ``jobs`` evidence (its commonest over themes)."""
    st = ev.value("jobs", "status")
    return {s: pd.Series(st.sel(scale=s).values).mode().iat[0] for s in scales}


def run_audit(cfg: AuditConfig, *, data_root: Path, progress: Progress | None = None) -> AuditResult:
    """Run the whole audit; see the module docstring for the stages."""
    step = progress or (lambda _msg: None)
    step("geography and classification")
    inputs = Inputs(Path(data_root))
    geo, sic = audit_geography(cfg, Path(data_root)), sic2007(data_root)
    scales = resolve_scales(cfg, geo)
    panels = Panels.load(cfg, inputs, step)
    step("themes, traded activities and clusters")
    cand = candidate_themes(cfg, sic, geo, scales, panels, str(data_root))
    themes = cand.themes
    g = gather_evidence(cfg, inputs, panels, geo, sic, scales, themes, step)
    step("scoring")
    ref_jobs = g.emp.ref_cells[panels.employment.years.index(cfg.audit.latest_year)] if g.emp else None
    ki, traded = (theme_shares(cand.profile, g.membership, panels.employment.activities, ref_jobs)
                  if ref_jobs is not None else (None, None))
    features = dict(g.io_features)
    if cand.phi is not None and panels.employment_nuts2 is not None:
        features["centrality"] = centrality(cand.phi, panels.employment_nuts2.activities, cand.class_jobs, themes)
    features["cross_theme"] = cross_theme(themes)
    sides = fw.assign_sides(features, pins=[t.pin for t in themes], knowledge_share=ki, traded_share=traded)
    scored = [r for r in (score_scale(cfg, g.ev, s.id) for s in scales) if r is not None]
    step("framework")
    framework = framework_table(cfg, g.ev, themes, sides, scored)
    step("complementarity")
    notes = [*cand.notes, *g.notes, *unfilled_sides(cfg, framework)]
    comp = complementarity_tables(cfg, scales, themes, g.ev, framework, g, panels.employment, notes)
    notes += [f"scale {s.id} not scored: none of the weighted criteria has evidence at this scale"
              for s in scales if s.id not in {r.scale for r in scored}]
    step("tables")
    top = set(framework.loc[(framework["scale"] == scales[0].id) & (framework["role"] != ""), "theme"])
    peers, peer_regions = pd.DataFrame(), pd.DataFrame()
    if g.opp is not None:
        emp_status = employment_status(g.ev, g.emp.scales) if g.emp else {}
        jobs_source = g.ev.value("jobs", "source")
        emp_source = {s: str(jobs_source.sel(scale=s).values[0]) for s in (g.emp.scales if g.emp else ())}
        peers, peer_regions = peers_tables(g.opp, g.emp, panels.employment.activities, scales, geo, resolver(geo),
                                           emp_status, emp_source)
    tables = {
        "scales": scales_table(scales), "themes": themes_table(themes), "evidence": g.ev.frame(),
        **score_tables(scored, g.ev.themes), "framework": framework, **comp,
        "activities": activities_table(g.emp, panels.employment, sic, themes, cfg.audit.base_year,
                                       cfg.audit.latest_year, employment_status(g.ev, g.emp.scales))
        if g.emp else pd.DataFrame(),
        "opportunities": opportunities_table(g.opp, sic) if g.opp else pd.DataFrame(),
        "relatedness_edges": edges_table(cand.phi, panels.employment_nuts2.activities)  # type: ignore[union-attr]
        if cand.phi is not None else pd.DataFrame(),
        "clusters": clusters_table(cand.cluster_table, sic, cand.cluster_stability),
        "activity_classes": cand.profile.table(sic), "indicators": indicator_table(),
        "innovation": g.innovation, "supply": pd.DataFrame(g.supply_rows),
        "peers": peers, "peer_regions": peer_regions,
        "trends": trends_table(g.series, g.ev.themes, cfg.audit.base_year, cfg.audit.latest_year),
        "maps": maps_table(panels.employment, geo, g.lad, themes, top, cfg.audit.latest_year,
                           frozenset().union(*(s.lads for s in scales)),
                           {u for us in g.published_emp_scales.values() for u in us}),
    }
    manifest = build_manifest(cfg, inputs, scales, themes, notes)
    by_scale = {s.id: [(r.theme, r.role, r.verdict) for r in framework[framework["scale"] == s.id].itertuples()
                       if r.role] for s in scales}
    return AuditResult({k: sorted_table(k, v) for k, v in tables.items()}, manifest, by_scale)
