"""``sia audit``: from a config file to a prioritised, multi-scale Smart Specialisation framework.

The steps (each documented in ``docs/audit.md``):

1. resolve the scales in the geography and the themes in SIC 2007;
2. load the evidence panels once (employment, GVA, business counts, innovation, input-output);
3. compute the evidence per scale x theme at the grains each source supports;
4. score the themes per scale (weighted sum and TOPSIS), test the ranking's stability by Monte
   Carlo over weights and data, and leave each criterion out in turn;
5. split themes into market-driven priorities and enabling competencies and select the framework;
6. test the analyst's hypotheses; surface data-driven themes that rank high but were not
   hypothesised;
7. measure how the children's priorities complement their parent's.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sia import __version__
from sia.audit import complementarity as comp
from sia.audit import framework as fw
from sia.audit import prioritisation as pr
from sia.audit.config import AuditConfig, ConfigError
from sia.audit.evidence import (
    NOT_AVAILABLE,
    EvidenceTable,
    area_matrix,
    business_evidence,
    employment_evidence,
    gva_itl_evidence,
    lad_gva_evidence,
    lad_theme_gva,
    opportunity_evidence,
)
from sia.audit.grain import exact_cover, lads_of, resolver
from sia.audit.themes import Theme, ThemeError, builtin_themes, resolve_codes, theme_membership
from sia.classification import Classification, sic2007
from sia.geography import Geography, uk
from sia.metrics.clusters import backbone, label_clusters, partition_stability, proximity_clusters
from sia.metrics.proximity import opportunity_quadrants, proximity
from sia.metrics.specialisation import binary_presence, location_quotient, lq_confidence_interval
from sia.panel import Panel
from sia.sources.errors import sha256

Progress = Callable[[str], None]

#: criterion -> (evidence indicator, direction, description)
CRITERION_INDICATORS: dict[str, tuple[str, int, str]] = {
    "strength": ("lq", 1, "location quotient against the reference"),
    "significance": ("lq_low", 1, "lower bound of the 95% LQ interval"),
    "scale": ("jobs", 1, "jobs in the theme (GVA where jobs are not available)"),
    "growth": ("growth_pct", 1, "% growth base -> latest"),
    "competitiveness": ("competitive_share", 1, "shift-share competitive effect / base jobs"),
    "productivity": ("productivity_ratio", 1, "GVA per job relative to the reference"),
    "opportunity": ("density", 1, "relatedness density of the theme's activities"),
    "complexity": ("pci", 1, "mean product complexity of the theme's activities"),
    "embeddedness": ("local_input_share", 1, "share of intermediate inputs bought inside the area"),
    "multiplier": ("output_multiplier", 1, "regional Type I output multiplier"),
    "footprint": ("jobs_per_gbp_m_gva", 1, "jobs per GBP million GVA (inclusive growth)"),
    "stakeholders": ("stakeholder_score", 1, "median consultation score"),
}

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


@dataclass(frozen=True)
class ScaleInfo:
    id: str
    name: str
    area: str
    area_name: str
    level: str
    reference: str
    parent: str
    lads: frozenset[str]


@dataclass
class AuditResult:
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, object]
    framework_by_scale: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)


class _Inputs:
    """Evidence files, loaded once, with the manifest entry of each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: dict[str, dict[str, object]] = {}

    def path(self, key: str, rel: str) -> Path:
        p = Path(rel)
        p = p if p.is_absolute() else self.root / p
        if not p.exists():
            raise ConfigError(f"evidence.{key}.path = {rel!r}: file not found under the data root {self.root}")
        return p

    def panel(self, key: str, spec: object) -> Panel:
        from sia.sources import load

        path = self.path(key, spec.path)  # type: ignore[attr-defined]
        options = dict(spec.options)  # type: ignore[attr-defined]
        fmt = spec.format or None  # type: ignore[attr-defined]
        panel = load(path, format=fmt, measure=spec.measure or None, **options)  # type: ignore[attr-defined]
        self._record(key, path, panel)
        return panel

    def _record(self, key: str, path: Path, panel: Panel | None, **extra: object) -> None:
        prov = panel.provenance[0] if panel is not None and panel.provenance else None
        self.entries[key] = {
            "path": str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path),
            "sha256": prov.checksum.removeprefix("sha256:") if prov and prov.checksum else sha256(path),
            "table": prov.table if prov else "",
            "vintage": prov.vintage if prov else "",
            "licence": prov.licence if prov else "",
            "loader": prov.loader if prov else "",
            "query": prov.query if prov else "",
            "notes": list(prov.notes) if prov else [],
            **extra,
        }


def _resolve_scales(cfg: AuditConfig, geo: Geography) -> list[ScaleInfo]:
    out: list[ScaleInfo] = []
    for i, s in enumerate(cfg.scales):
        try:
            area = geo.area(s.area)
        except LookupError as exc:
            raise ConfigError(f"scales[{i}].area = {s.area!r}: {exc}") from exc
        if s.reference.upper() not in ("GB", "UK"):
            raise ConfigError(
                f"scales[{i}].reference = {s.reference!r}: only GB or UK (the whole coverage of each source) "
                "is supported as a reference"
            )
        out.append(
            ScaleInfo(
                s.id,
                s.name or area.name,
                area.code,
                area.name,
                area.level,
                s.reference.upper(),
                s.parent,
                lads_of(geo, area.code),
            )
        )
    return out


def _analyst_themes(cfg: AuditConfig, sic: Classification) -> list[Theme]:
    themes = []
    for i, t in enumerate(cfg.themes):
        try:
            subs = resolve_codes(sic, t.id, t.name, t.codes, key=f"themes[{i}].codes")
        except ThemeError as exc:
            raise ConfigError(str(exc)) from exc
        themes.append(Theme(t.id, t.name, tuple(t.codes), subs, "analyst", t.comment, t.pin, t.comment))
    return themes


def _cluster_themes(
    phi: np.ndarray, classes: tuple[str, ...], sic: Classification, seed: int
) -> tuple[list[Theme], pd.DataFrame]:
    labels = proximity_clusters(phi, seed=seed)
    divisions = [sic.ancestor_at(c, "division") if c in sic else "" for c in classes]
    names = {d: sic.name_of(d) for d in set(divisions) if d}
    lab = label_clusters(labels, [names.get(d, "(unknown)") for d in divisions])
    themes: list[Theme] = []
    for row in lab.itertuples():
        members = [c for c, k in zip(classes, labels, strict=True) if k == row.cluster]
        if not 3 <= len(members) <= 60:
            continue
        subs = frozenset(s for c in members if c in sic for s in sic.descendants(c, "subclass"))
        if not subs:
            continue
        name = f"Cluster {int(row.cluster)}: {row.branch}"
        themes.append(
            Theme(
                f"cluster-{int(row.cluster):02d}",
                name,
                tuple(members),
                subs,
                "data-driven",
                f"related-industry cluster of {len(members)} SIC classes (Louvain on proximity)",
            )
        )
    table = pd.DataFrame({"activity": classes, "cluster": labels})
    table["cluster_label"] = table["cluster"].map(dict(zip(lab["cluster"], lab["branch"], strict=True)))
    return themes, table


def run_audit(cfg: AuditConfig, *, data_root: Path, progress: Progress | None = None) -> AuditResult:
    """Run the whole audit; see the module docstring for the steps."""
    step = progress or (lambda _msg: None)
    inputs = _Inputs(Path(data_root))
    base, latest, seed = cfg.audit.base_year, cfg.audit.latest_year, cfg.audit.seed
    step("geography and classification")
    geo = uk(lep_vintage=cfg.geography.lep_vintage, cauth_vintage=cfg.geography.cauth_vintage, data_dir=data_root)
    for u in cfg.geography.unions:
        try:
            geo.add_union(u.code, u.name, u.members, level=u.level)
        except LookupError as exc:
            raise ConfigError(f"geography.unions {u.code!r}: {exc}") from exc
    sic = sic2007(data_root)
    scales = _resolve_scales(cfg, geo)
    analyst = _analyst_themes(cfg, sic)
    builtin = [t for name in cfg.theme_sets.builtin for t in builtin_themes(name, sic, str(data_root))]

    step("employment")
    emp_panel = inputs.panel("employment", cfg.evidence.employment)
    resolve = resolver(geo)
    emp_units = {s.id: exact_cover(geo, s.lads, emp_panel.areas, resolve=resolve) for s in scales}
    emp_scales = {k: v for k, v in emp_units.items() if v is not None}

    step("relatedness and clusters")
    opp_panel = (
        inputs.panel("employment_nuts2", cfg.evidence.employment_nuts2) if cfg.evidence.employment_nuts2 else None
    )
    cluster_table = pd.DataFrame(columns=["activity", "cluster", "cluster_label"])
    candidates: list[Theme] = []
    phi = None
    if opp_panel is not None:
        X = np.nan_to_num(opp_panel.matrix(opp_panel.years[-1]))
        phi = proximity(binary_presence(location_quotient(X)))
        if cfg.theme_sets.data_driven:
            candidates, cluster_table = _cluster_themes(phi, opp_panel.activities, sic, seed)
            stab = []
            for y in opp_panel.years:
                Xy = np.nan_to_num(opp_panel.matrix(y))
                stab.append(proximity_clusters(proximity(binary_presence(location_quotient(Xy))), seed=seed))
            ps = partition_stability(stab, list(opp_panel.years))
            cluster_table["stability"] = float(ps["ari"].mean()) if len(ps) else np.nan
    # keep the data-driven clusters most specialised at the first employment-covered scale
    if candidates and emp_scales:
        first = next(iter(emp_scales))
        probe = EvidenceTable()
        res = employment_evidence(
            emp_panel,
            {first: emp_scales[first]},
            theme_membership(candidates, emp_panel.activities),
            base=base,
            latest=latest,
            table=probe,
            source="employment",
            theme_ids=[t.id for t in candidates],
        )
        order = np.argsort(-np.nan_to_num(res.lq[0], nan=-1.0), kind="stable")
        candidates = [candidates[i] for i in order[: cfg.theme_sets.max_data_driven]]
    themes = [*analyst, *builtin, *candidates]
    if not themes:
        raise ConfigError("no candidate themes resolved")
    theme_ids = [t.id for t in themes]
    membership = theme_membership(themes, emp_panel.activities)
    table = EvidenceTable()

    step("employment evidence")
    emp = (
        employment_evidence(
            emp_panel,
            emp_scales,
            membership,
            base=base,
            latest=latest,
            table=table,
            source="employment",
            theme_ids=theme_ids,
        )
        if emp_scales
        else None
    )

    step("GVA")
    if cfg.evidence.gva is not None and emp is not None:
        gva_panel = inputs.panel("gva", cfg.evidence.gva)
        gva_units = {
            s.id: exact_cover(geo, s.lads, [a for a in gva_panel.areas if len(a) == 4], resolve=resolve)
            for s in scales
            if s.id in emp_scales
        }
        gva_units = {k: v for k, v in gva_units.items() if v}
        if gva_units:
            gva_itl_evidence(
                gva_panel, emp, emp_panel, gva_units, membership, sic, table=table, source="gva", theme_ids=theme_ids
            )
    lad = None
    lad_scales: dict[str, tuple[str, ...]] = {}
    if cfg.evidence.gva_lad is not None and emp is not None:
        lad_panel = inputs.panel("gva_lad", cfg.evidence.gva_lad)
        lad = lad_theme_gva(
            lad_panel, membership, sic, emp.ref_cells[emp_panel.years.index(latest)], emp_panel.activities
        )
        lad_set = set(lad.lads)
        lad_scales = {s.id: tuple(sorted(s.lads)) for s in scales if s.lads <= lad_set}
        for s in scales:
            if s.id not in lad_scales:
                for t in theme_ids:
                    table.not_available(
                        s.id,
                        t,
                        "gva",
                        unit="GBP million",
                        source="gva_lad",
                        why="the scale's LADs are not all in the LAD GVA table",
                    )
        if lad_scales:
            lad_gva_evidence(
                lad,
                {k: v for k, v in lad_scales.items() if k not in emp_scales},
                base=base,
                latest=latest,
                table=table,
                source="gva_lad",
                theme_ids=theme_ids,
                strength=True,
            )

    for s in scales:
        if s.id not in emp_scales:
            for t in theme_ids:
                for ind, unit in (("jobs", "jobs"), ("competitive_effect", "jobs"), ("productivity_ratio", "ratio")):
                    table.not_available(
                        s.id,
                        t,
                        ind,
                        unit=unit,
                        source="employment",
                        why="the scale is not a union of the employment source's areas",
                    )

    step("opportunities")
    opp = None
    if opp_panel is not None:
        opp_units = {s.id: exact_cover(geo, s.lads, opp_panel.areas, resolve=resolve) for s in scales}
        opp_units = {k: v for k, v in opp_units.items() if v}
        classes = [frozenset(c[:4] for c in t.subclasses) for t in themes]
        if opp_units:
            opp = opportunity_evidence(
                opp_panel, opp_units, classes, table=table, source="employment_nuts2", theme_ids=theme_ids
            )

    step("business base")
    if cfg.evidence.business_counts is not None and emp is not None:
        ubc = inputs.panel("business_counts", cfg.evidence.business_counts)
        ref = emp.ref_cells[emp_panel.years.index(latest)]
        div_of = np.array([a[:2] for a in emp_panel.activities])
        groups: list[tuple[str, float]] = []
        B = membership.matrix.toarray()
        for t_i in range(len(themes)):
            jobs_by_group = {g: float((B[t_i] * ref * np.isin(div_of, divs)).sum()) for g, divs in UBC_GROUPS.items()}
            total = sum(jobs_by_group.values())
            g_best = max(jobs_by_group, key=lambda g: jobs_by_group[g])
            groups.append((g_best, jobs_by_group[g_best] / total if total else 0.0))
        names = (
            dict(zip(ubc.activities, ubc.data["activity_name"].values, strict=True))
            if "activity_name" in ubc.data.coords
            else {}
        )
        ubc_set = set(ubc.areas)
        ubc_scales = {s.id: tuple(sorted(s.lads)) for s in scales if s.lads <= ubc_set}
        if ubc_scales:
            business_evidence(
                ubc, ubc_scales, groups, names, year=latest, table=table, source="business_counts", theme_ids=theme_ids
            )

    step("supply chains")
    supply_rows: list[dict[str, object]] = []
    features: dict[str, np.ndarray] = {}
    if cfg.evidence.io_table is not None and cfg.evidence.io_bridge is not None and emp is not None:
        from sia.audit.evidence import supply_evidence
        from sia.supply.regional import load_sic_bridge
        from sia.supply.tables import load_ons_ioat

        io_path = inputs.path("io_table", cfg.evidence.io_table.path)
        io = load_ons_ioat(io_path)
        inputs._record(
            "io_table", io_path, None, table=io.name, licence="Open Government Licence v3.0 (ONS)", notes=list(io.notes)
        )
        bridge_path = inputs.path("io_bridge", cfg.evidence.io_bridge.path)
        bridge = load_sic_bridge(bridge_path)
        inputs._record("io_bridge", bridge_path, None, table="SIC -> IOAT bridge (derived, not official)")
        sup = supply_evidence(
            io, bridge, emp, emp_panel, membership, latest=latest, table=table, source="io_table", theme_ids=theme_ids
        )
        supply_rows, features = sup.rows, dict(sup.features)
    if phi is not None and opp_panel is not None:
        features["centrality"] = _centrality(phi, opp_panel, themes)
    features["cross_theme"] = _cross_theme(themes)

    step("science and innovation base")
    innovation = _innovation(cfg, inputs, geo, scales, lad, resolve)

    if cfg.evidence.consultation is not None:
        from sia.audit.consultation import ConsultationError, stakeholder_scores

        c_path = inputs.path("consultation", cfg.evidence.consultation.path)
        try:
            values, unmatched = stakeholder_scores(c_path, theme_ids, [t.name for t in themes])
        except ConsultationError as exc:
            raise ConfigError(f"evidence.consultation.path: {exc}") from exc
        inputs._record(
            "consultation",
            c_path,
            None,
            table="stakeholder consultation export",
            notes=[f"{len(unmatched)} export themes not in the audit: {', '.join(unmatched[:10])}"],
        )
        for s in scales:
            for t_i, t in enumerate(theme_ids):
                table.add(
                    s.id,
                    t,
                    "stakeholder_score",
                    values[t_i],
                    unit="score 1-5",
                    status="observed",
                    source="consultation",
                    grain="consultation (last round)",
                    note="mean over criteria of the stakeholders' median score",
                )

    evidence = table.frame()
    step("prioritisation")
    sides = fw.assign_sides(features, pins=[t.pin for t in themes])
    scores, ranking, stability, side_rows = _prioritise(cfg, scales, themes, evidence, sides)
    step("complementarity")
    audit_notes: list[str] = []
    comp_rows, summary_rows, sibling_rows = _complementarity(
        cfg, scales, themes, evidence, side_rows, emp, emp_scales, lad, lad_scales, membership, emp_panel, audit_notes
    )
    step("tables")
    tables = {
        "scales": pd.DataFrame(
            [
                {
                    "scale": s.id,
                    "name": s.name,
                    "area": s.area,
                    "area_name": s.area_name,
                    "level": s.level,
                    "reference": s.reference,
                    "reference_name": "Great Britain" if s.reference == "GB" else "United Kingdom",
                    "parent": s.parent,
                    "n_lads": len(s.lads),
                    "lads": ";".join(sorted(s.lads)),
                }
                for s in scales
            ]
        ),
        "themes": pd.DataFrame(
            [
                {
                    "theme": t.id,
                    "name": t.name,
                    "description": t.description,
                    "origin": t.origin,
                    "codes": ";".join(t.codes),
                    "resolved_codes": ";".join(sorted(t.subclasses)),
                    "pin": t.pin or "",
                    "comment": t.comment,
                }
                for t in themes
            ]
        ),
        "evidence": evidence,
        "scores": scores,
        "ranking": ranking,
        "stability": stability,
        "framework": pd.DataFrame(side_rows),
        "complementarity": pd.DataFrame(comp_rows),
        "complementarity_summary": pd.DataFrame(summary_rows),
        "sibling_overlap": pd.DataFrame(
            sibling_rows,
            columns=["parent", "child_a", "child_b", "jaccard", "theme", "within_theme_similarity", "relation"],
        ),
        "activities": _activities(emp, emp_panel, sic, themes, base, latest) if emp else pd.DataFrame(),
        "opportunities": _opportunities(opp, sic) if opp else pd.DataFrame(),
        "relatedness_edges": _edges(phi, opp_panel.activities) if phi is not None else pd.DataFrame(),
        "clusters": _clusters(cluster_table, sic),
        "innovation": innovation,
        "supply": pd.DataFrame(supply_rows),
        "maps": _maps(
            emp_panel,
            geo,
            lad,
            themes,
            _map_themes(themes, side_rows, scales),
            latest,
            frozenset().union(*(s.lads for s in scales)),
            {u for us in emp_scales.values() for u in us},
        ),
    }
    manifest = _manifest(cfg, inputs, scales, themes)
    unscored = sorted(
        set(scale.id for scale in scales) - set(ranking["scale"]) if len(ranking) else {x.id for x in scales}
    )
    audit_notes += [f"scale {x} not scored: none of the weighted criteria has evidence at this scale" for x in unscored]
    manifest["notes"] = audit_notes
    manifest["data_treatment"] = [*DATA_TREATMENT, *audit_notes]  # shown in the report's appendix
    framework_by_scale = {
        s.id: [(r["theme"], r["role"], r["verdict"]) for r in side_rows if r["scale"] == s.id and r["role"]]
        for s in scales
    }
    return AuditResult({k: _sorted(k, v) for k, v in tables.items()}, manifest, framework_by_scale)


# ----------------------------------------------------------------------------- steps


def _centrality(phi: np.ndarray, panel: Panel, themes: list[Theme]) -> np.ndarray:
    """Theme centrality in the relatedness network: employment-weighted mean weighted degree of its classes."""
    degree = phi.sum(axis=1) - np.diag(phi)
    ref = np.nan_to_num(panel.matrix(panel.years[-1])).sum(axis=0)
    index = {a: i for i, a in enumerate(panel.activities)}
    out = np.full(len(themes), np.nan)
    for t_i, t in enumerate(themes):
        cols = [index[c] for c in {s[:4] for s in t.subclasses} if c in index]
        if cols and ref[cols].sum() > 0:
            out[t_i] = float((degree[cols] * ref[cols]).sum() / ref[cols].sum())
    return out


def _cross_theme(themes: list[Theme]) -> np.ndarray:
    """Share of the other themes that share at least one SIC division with the theme."""
    divs = [{s[:2] for s in t.subclasses} for t in themes]
    n = len(themes)
    if n < 2:
        return np.zeros(n)
    return np.array([sum(1 for j in range(n) if j != i and divs[i] & divs[j]) / (n - 1) for i in range(n)])


def _innovation(
    cfg: AuditConfig, inputs: _Inputs, geo: Geography, scales: list[ScaleInfo], lad, resolve
) -> pd.DataFrame:
    from sia.sources.indicators import load_indicator

    rows = []
    for spec in cfg.evidence.innovation:
        key = f"innovation:{spec.indicator}"
        path = inputs.path(key, spec.path)
        panel = load_indicator(path, unit=spec.unit)
        inputs._record(key, path, panel)
        year = max(y for y in panel.years if not np.isnan(panel.matrix(y)).all())
        values = np.nan_to_num(panel.matrix(year)[:, 0])
        uk_total = float(values.sum())
        gva_uk = gva_scale = None
        if lad is not None and year in lad.years:
            yi = lad.years.index(year)
            gva_uk = float(lad.total_gva[yi].sum())
        for s in scales:
            units = exact_cover(geo, s.lads, panel.areas, resolve=resolve)
            base_row = {"scale": s.id, "indicator": spec.indicator, "unit": spec.unit, "year": year, "source": key}
            if not units:
                rows.append(
                    {
                        **base_row,
                        "value": np.nan,
                        "per_gva": np.nan,
                        "uk_per_gva": np.nan,
                        "ratio_to_uk": np.nan,
                        "grain": "",
                        "status": NOT_AVAILABLE,
                    }
                )
                continue
            idx = [panel.areas.index(u) for u in units]
            v = float(values[idx].sum())
            ratio = per = uk_per = np.nan
            if gva_uk and lad is not None:
                A = area_matrix({s.id: tuple(sorted(s.lads))}, lad.lads)
                gva_scale = float((A @ lad.total_gva[lad.years.index(year)])[0])
                per = v / gva_scale
                uk_per = uk_total / gva_uk
                ratio = per / uk_per if uk_per else np.nan
            level = "LEP" if panel.areas[0].startswith("E37") else "NUTS2"
            rows.append(
                {
                    **base_row,
                    "value": v,
                    "per_gva": per,
                    "uk_per_gva": uk_per,
                    "ratio_to_uk": ratio,
                    "grain": f"{level} ({len(units)} units)",
                    "status": "observed",
                }
            )
    cols = [
        "scale",
        "indicator",
        "value",
        "per_gva",
        "uk_per_gva",
        "ratio_to_uk",
        "unit",
        "year",
        "grain",
        "source",
        "status",
    ]
    return pd.DataFrame(rows, columns=cols)


def _criteria_matrix(
    evidence: pd.DataFrame, scale: str, theme_ids: list[str], criteria: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    ev = evidence[(evidence["scale"] == scale) & (evidence["status"] != NOT_AVAILABLE)]
    pivot = ev.pivot_table(index="theme", columns="indicator", values="value", aggfunc="first")
    low = ev.pivot_table(index="theme", columns="indicator", values="low", aggfunc="first")
    high = ev.pivot_table(index="theme", columns="indicator", values="high", aggfunc="first")
    pivot = pivot.reindex(theme_ids)
    if "lq" in low.columns:
        pivot["lq_low"] = low["lq"].reindex(theme_ids)
        pivot["lq_high"] = high["lq"].reindex(theme_ids)
    if "competitive_effect" in pivot.columns and "jobs" in pivot.columns and "growth_pct" in pivot.columns:
        base_jobs = pivot["jobs"] / (1 + pivot["growth_pct"] / 100)
        pivot["competitive_share"] = pivot["competitive_effect"] / base_jobs
    if "jobs" not in pivot.columns and "gva" in pivot.columns:
        pivot["jobs"] = pivot["gva"]
    vals = np.column_stack(
        [
            pivot[CRITERION_INDICATORS[c][0]].to_numpy(dtype=float)
            if CRITERION_INDICATORS[c][0] in pivot.columns
            else np.full(len(theme_ids), np.nan)
            for c in criteria
        ]
    )
    direction = np.array([CRITERION_INDICATORS[c][1] for c in criteria])
    return vals, direction, list(pivot.columns)


def _prioritise(
    cfg: AuditConfig, scales: list[ScaleInfo], themes: list[Theme], evidence: pd.DataFrame, sides: fw.SideAssignment
):
    criteria = [c for c, w in cfg.criteria.weights.items() if w > 0]
    weights = np.array([cfg.criteria.weights[c] for c in criteria], dtype=float)
    theme_ids = [t.id for t in themes]
    k = min(cfg.framework.top_k, len(themes))
    score_rows, rank_rows, stab_rows, side_rows = [], [], [], []
    for s in scales:
        vals, direction, _ = _criteria_matrix(evidence, s.id, theme_ids, criteria)
        usable = ~np.all(np.isnan(vals), axis=0)
        if not usable.any():
            continue
        v, d, w, crit = (
            vals[:, usable],
            direction[usable],
            weights[usable],
            [c for c, u in zip(criteria, usable, strict=True) if u],
        )
        norm = pr.normalise(v, cfg.criteria.normalisation, d)
        score = pr.score(v, w, d, method=cfg.criteria.method, normalisation=cfg.criteria.normalisation)
        other = "topsis" if cfg.criteria.method == "weighted-sum" else "weighted-sum"
        score2 = pr.score(v, w, d, method=other, normalisation=cfg.criteria.normalisation)
        ranks, ranks2 = pr.ranks(score), pr.ranks(score2)
        sampler = _lq_sampler(v, crit, evidence, s.id, theme_ids)
        st = pr.rank_stability(
            v,
            w,
            d,
            k=k,
            n_draws=cfg.criteria.monte_carlo.draws,
            concentration=cfg.criteria.monte_carlo.concentration,
            value_sampler=sampler,
            method=cfg.criteria.method,
            normalisation=cfg.criteria.normalisation,
            seed=cfg.audit.seed,
        )
        loo = pr.leave_one_criterion_out(v, w, d, method=cfg.criteria.method, normalisation=cfg.criteria.normalisation)
        for t_i, t in enumerate(theme_ids):
            for c_i, c in enumerate(crit):
                score_rows.append(
                    {
                        "scale": s.id,
                        "theme": t,
                        "criterion": c,
                        "indicator": CRITERION_INDICATORS[c][0],
                        "raw": v[t_i, c_i],
                        "normalised": norm[t_i, c_i],
                        "weight": w[c_i] / w.sum(),
                        "direction": int(d[c_i]),
                    }
                )
            rank_rows.append(
                {
                    "scale": s.id,
                    "theme": t,
                    "score": score[t_i],
                    "rank": int(ranks[t_i]),
                    f"score_{other.replace('-', '_')}": score2[t_i],
                    f"rank_{other.replace('-', '_')}": int(ranks2[t_i]),
                }
            )
            row = {
                "scale": s.id,
                "theme": t,
                "k": k,
                "p_top_k": st.top_k_probability[t_i],
                "median_rank": st.median_rank[t_i],
                "rank_p05": st.rank_p05[t_i],
                "rank_p95": st.rank_p95[t_i],
            }
            row.update({f"loo_{c}": int(loo[t_i, c_i]) for c_i, c in enumerate(crit)})
            stab_rows.append(row)
        lq_vals = evidence[(evidence.scale == s.id) & (evidence.indicator == "lq")].set_index("theme")
        # tough choices: the framework is drawn from the top half of the ranking only, so a side with too few
        # strong themes gets fewer entries rather than weak ones (docs/audit.md, section 5)
        eligible = ranks <= int(np.ceil(len(theme_ids) / 2))
        sel = fw.select_framework(
            score,
            sides.side,
            n_market=cfg.framework.market_priorities,
            n_enabling=cfg.framework.enabling_competencies,
            eligible=eligible,
        )
        role = {i: ("market-driven priority", r + 1) for r, i in enumerate(sel.market_priorities)}
        role.update({i: ("enabling competency", r + 1) for r, i in enumerate(sel.enabling_competencies)})
        for t_i, t in enumerate(themes):
            verdict, reasons = "", ""
            if t.origin == "analyst":
                lqr = lq_vals.loc[t.id] if t.id in lq_vals.index else None
                ce = evidence[
                    (evidence.scale == s.id) & (evidence.theme == t.id) & (evidence.indicator == "competitive_effect")
                ]
                gr = evidence[
                    (evidence.scale == s.id) & (evidence.theme == t.id) & (evidence.indicator == "growth_pct")
                ]
                v_ = fw.hypothesis_verdict(
                    top_k_probability=float(st.top_k_probability[t_i]),
                    k=k,
                    lq=float(lqr["value"]) if lqr is not None else np.nan,
                    lq_low=float(lqr["low"]) if lqr is not None and np.isfinite(lqr["low"]) else None,
                    lq_high=float(lqr["high"]) if lqr is not None and np.isfinite(lqr["high"]) else None,
                    competitive_effect=float(ce["value"].iloc[0]) if len(ce) else None,
                    growth_pct=float(gr["value"].iloc[0]) if len(gr) else None,
                )
                verdict, reasons = v_.verdict, "; ".join(v_.reasons)
            elif t.origin == "data-driven" and st.top_k_probability[t_i] >= 0.5:
                reasons = f"not hypothesised, yet in the top {k} in {100 * st.top_k_probability[t_i]:.0f}% of draws"
            r, rr = role.get(t_i, ("", 0))
            side_rows.append(
                {
                    "scale": s.id,
                    "theme": t.id,
                    "side": sides.side[t_i],
                    "enabling_index": sides.enabling_index[t_i],
                    "market_index": sides.market_index[t_i],
                    "pinned": sides.pinned[t_i],
                    "role": r,
                    "role_rank": rr,
                    "verdict": verdict,
                    "reasons": reasons,
                    "hypothesised": t.origin == "analyst",
                }
            )
    return pd.DataFrame(score_rows), pd.DataFrame(rank_rows), pd.DataFrame(stab_rows), side_rows


def _lq_sampler(v: np.ndarray, crit: list[str], evidence: pd.DataFrame, scale: str, theme_ids: list[str]):
    """Data uncertainty: the strength criterion drawn log-normally from its LQ interval."""
    if "strength" not in crit:
        return None
    ev = evidence[(evidence.scale == scale) & (evidence.indicator == "lq")].set_index("theme").reindex(theme_ids)
    lo, hi = ev["low"].to_numpy(float), ev["high"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = (np.log(hi) - np.log(lo)) / (2 * 1.959963984540054)
    se = np.where(np.isfinite(se), se, 0.0)
    col = crit.index("strength")

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        out = np.broadcast_to(v, (n, *v.shape)).copy()
        out[:, :, col] = v[:, col] * np.exp(se * rng.standard_normal((n, v.shape[0])))
        return out

    return draw


def _complementarity(
    cfg, scales, themes, evidence, side_rows, emp, emp_scales, lad, lad_scales, membership, emp_panel, notes: list[str]
):
    """Complementarity of each parent and its children (see docs/audit.md section 6).

    Jobs are used when every scale involved has employment evidence and the children do not overlap
    (jobs cannot be split below the employment grain); otherwise LAD-level GVA, where a district inside
    several children is split equally between them. A parent with neither is reported in ``notes``.
    """
    theme_ids = [t.id for t in themes]
    role = {(r["scale"], r["theme"]): bool(r["role"]) for r in side_rows}
    lq = evidence[evidence.indicator == "lq"].set_index(["scale", "theme"])["value"]
    rows, summary, siblings = [], [], []
    for parent in scales:
        children = [s for s in scales if s.parent == parent.id]
        if not children:
            continue
        ids = [parent.id] + [c.id for c in children]
        parent_lads = sorted(parent.lads)
        overlap = bool((np.sum([[x in c.lads for x in parent_lads] for c in children], axis=0) > 1).any())
        use_jobs = emp is not None and all(i in emp_scales for i in ids) and not overlap
        if not use_jobs and (lad is None or not all(i in lad_scales for i in ids)):
            notes.append(
                f"complementarity of {parent.id} not computed: its children are not all measurable in jobs "
                "(without overlaps) or in LAD GVA"
            )
            continue
        # allocate each LAD of the parent to the children containing it (1/k each) so it counts once
        alloc = np.array([[1.0 if lad_ in c.lads else 0.0 for lad_ in parent_lads] for c in children])
        k_cnt = alloc.sum(axis=0)
        alloc = np.where(k_cnt > 0, alloc / np.where(k_cnt > 0, k_cnt, 1.0), 0.0)
        if use_jobs:
            il = emp_panel.years.index(cfg.audit.latest_year)
            child_vals = np.array([emp.jobs[il, emp.scales.index(c.id)] for c in children])
            child_tot = np.array([emp.totals[il, emp.scales.index(c.id)] for c in children])
            p_vals, p_tot = emp.jobs[il, emp.scales.index(parent.id)], emp.totals[il, emp.scales.index(parent.id)]
            measure = "jobs"
        else:
            yl = lad.years.index(cfg.audit.latest_year)
            A = area_matrix({"p": parent_lads}, lad.lads)[0]
            lad_idx = np.flatnonzero(A)
            lad_order = [lad.lads[i] for i in lad_idx]
            pos = [parent_lads.index(x) for x in lad_order]
            child_vals = alloc[:, pos] @ lad.theme_gva[yl][lad_idx]
            child_tot = alloc[:, pos] @ lad.total_gva[yl][lad_idx]
            p_vals, p_tot = lad.theme_gva[yl][lad_idx].sum(axis=0), lad.total_gva[yl][lad_idx].sum()
            measure = "GVA"
        remainder = p_vals - child_vals.sum(axis=0)
        shares = comp.contribution_shares(child_vals, p_vals)
        ratio = comp.contribution_ratio(child_vals, child_tot, p_vals, p_tot)
        p_prio = np.array([role.get((parent.id, t), False) for t in theme_ids])
        c_prio = np.array([[role.get((c.id, t), False) for t in theme_ids] for c in children])
        c_spec = np.array([[bool(lq.get((c.id, t), np.nan) >= 1.0) for t in theme_ids] for c in children])
        align = comp.alignment_matrix(p_prio, c_prio, c_spec)
        for c_i, c in enumerate(children):
            for t_i, t in enumerate(theme_ids):
                rows.append(
                    {
                        "parent": parent.id,
                        "child": c.id,
                        "theme": t,
                        "measure": measure,
                        "child_share": shares[c_i, t_i],
                        "overall_share": child_tot[c_i] / p_tot,
                        "contribution_ratio": ratio[c_i, t_i],
                        "child_specialised": bool(c_spec[c_i, t_i]),
                        "child_priority": bool(c_prio[c_i, t_i]),
                        "parent_priority": bool(p_prio[t_i]),
                        "alignment": align[c_i, t_i],
                    }
                )
        for t_i, t in enumerate(theme_ids):
            rows.append(
                {
                    "parent": parent.id,
                    "child": "_rest",
                    "theme": t,
                    "measure": measure,
                    "child_share": remainder[t_i] / p_vals[t_i] if p_vals[t_i] else np.nan,
                    "overall_share": (p_tot - child_tot.sum()) / p_tot,
                    "contribution_ratio": np.nan,
                    "child_specialised": False,
                    "child_priority": False,
                    "parent_priority": bool(p_prio[t_i]),
                    "alignment": "",
                }
            )
        score, cov, distinct = comp.complementarity_score(p_prio, c_prio, c_spec)
        cv = comp.coverage(p_prio, c_spec, c_prio)
        summary.append(
            {
                "parent": parent.id,
                "score": score,
                "coverage": cov,
                "distinctiveness": distinct,
                "n_children": len(children),
                "measure": measure,
                "uncovered_priorities": ";".join(
                    t for t, u in zip(theme_ids, cv.uncovered_parent_priorities, strict=True) if u
                ),
                "child_only_priorities": ";".join(
                    sorted(
                        {
                            t
                            for c_i in range(len(children))
                            for t, u in zip(theme_ids, cv.child_only_priorities[c_i], strict=True)
                            if u
                        }
                    )
                ),
            }
        )
        jac = comp.jaccard_matrix(c_prio)
        for a in range(len(children)):
            for b in range(a + 1, len(children)):
                shared = [t_i for t_i in range(len(theme_ids)) if c_prio[a, t_i] and c_prio[b, t_i]]
                for t_i in shared:
                    sim = np.nan
                    if use_jobs:
                        il = emp_panel.years.index(cfg.audit.latest_year)
                        cells = emp.cells[il][[emp.scales.index(children[a].id), emp.scales.index(children[b].id)]]
                        sims = comp.within_theme_similarity(cells, membership.matrix[[t_i]])
                        sim = float(sims[0, 0, 1])
                    siblings.append(
                        {
                            "parent": parent.id,
                            "child_a": children[a].id,
                            "child_b": children[b].id,
                            "jaccard": jac[a, b],
                            "theme": theme_ids[t_i],
                            "within_theme_similarity": sim,
                            "relation": "duplication" if sim >= 0.9 else "complementary",
                        }
                    )
    return rows, summary, siblings


def _activities(emp, panel: Panel, sic: Classification, themes: list[Theme], base: int, latest: int) -> pd.DataFrame:
    """Scale x SIC division: jobs, share, LQ with interval, growth, competitive effect."""
    acts = panel.activities
    divs = sorted({a[:2] for a in acts})
    D = np.array([[1.0 if a[:2] == d else 0.0 for a in acts] for d in divs])
    ib, il = panel.years.index(base), panel.years.index(latest)
    x_l = emp.cells[il] @ D.T
    x_b = emp.cells[ib] @ D.T
    r_l = emp.ref_cells[il] @ D.T
    r_b = emp.ref_cells[ib] @ D.T
    ci = lq_confidence_interval(x_l, r_l)
    from sia.metrics.dynamics import shift_share

    ss = shift_share(x_b, x_l, r_b, r_l)
    div_themes = {d: ";".join(t.id for t in themes if any(s[:2] == d for s in t.subclasses)) for d in divs}
    rows = []
    for s_i, s in enumerate(emp.scales):
        tot = x_l[s_i].sum()
        for d_i, d in enumerate(divs):
            with np.errstate(divide="ignore", invalid="ignore"):
                g = 100 * (x_l[s_i, d_i] - x_b[s_i, d_i]) / x_b[s_i, d_i] if x_b[s_i, d_i] else np.nan
            rows.append(
                {
                    "scale": s,
                    "activity": d,
                    "activity_name": sic.name_of(d) if d in sic else "",
                    "jobs": x_l[s_i, d_i],
                    "share": x_l[s_i, d_i] / tot if tot else np.nan,
                    "lq": ci.lq[s_i, d_i],
                    "lq_low": ci.lq_low[s_i, d_i],
                    "lq_high": ci.lq_high[s_i, d_i],
                    "significant": bool(ci.significant[s_i, d_i]),
                    "growth_pct": g,
                    "competitive_effect": ss.competitive_effect[s_i, d_i],
                    "theme": div_themes[d],
                }
            )
    return pd.DataFrame(rows)


def _opportunities(opp, sic: Classification) -> pd.DataFrame:
    quad = opportunity_quadrants(opp.present, opp.density, np.broadcast_to(opp.pci, opp.density.shape))
    rows = []
    for s_i, s in enumerate(opp.scales):
        for a_i, a in enumerate(opp.activities):
            rows.append(
                {
                    "scale": s,
                    "activity": a,
                    "activity_name": sic.name_of(a) if a in sic else "",
                    "present": bool(opp.present[s_i, a_i]),
                    "density": opp.density[s_i, a_i],
                    "pci": opp.pci[a_i],
                    "cog": opp.cog[s_i, a_i],
                    "quadrant": quad[s_i, a_i] or "",
                }
            )
    return pd.DataFrame(rows)


def _edges(phi: np.ndarray, acts: tuple[str, ...]) -> pd.DataFrame:
    bb = backbone(phi, k=3).tocoo()
    keep = bb.row < bb.col
    return pd.DataFrame(
        {
            "activity_a": [acts[i] for i in bb.row[keep]],
            "activity_b": [acts[j] for j in bb.col[keep]],
            "proximity": bb.data[keep],
        }
    )


def _clusters(table: pd.DataFrame, sic: Classification) -> pd.DataFrame:
    out = table.copy()
    out["activity_name"] = [sic.name_of(a) if a in sic else "" for a in out["activity"]]
    if "stability" not in out.columns:
        out["stability"] = np.nan
    return out[["activity", "activity_name", "cluster", "cluster_label", "stability"]]


def _map_themes(themes: list[Theme], side_rows: list[dict[str, object]], scales: list[ScaleInfo]) -> set[str]:
    """Themes worth a map: the framework of the first (widest) scale."""
    return {str(r["theme"]) for r in side_rows if r["scale"] == scales[0].id and r["role"]}


def _maps(
    panel: Panel | None,
    geo: Geography,
    lad,
    all_themes: list[Theme],
    chosen: set[str],
    latest: int,
    lads: frozenset[str],
    itl2_units: set[str],
) -> pd.DataFrame:
    """Choropleth indicators for the audit's own area: LAD GVA and GVA LQ of the top scale's framework
    themes; ITL2 employment LQ of the same themes (areas the audit covers only)."""
    rows = []
    picked = [(i, t) for i, t in enumerate(all_themes) if t.id in chosen]
    themes = [t for _, t in picked]
    if lad is not None and latest in lad.years:
        yl = lad.years.index(latest)
        ref_share = lad.theme_gva[yl].sum(axis=0) / lad.total_gva[yl].sum()
        for l_i, code in enumerate(lad.lads):
            if code not in lads:
                continue
            try:
                name = geo.area(code).name
            except LookupError:
                name = ""
            tot = lad.total_gva[yl, l_i]
            rows.append(
                {
                    "level": "LAD",
                    "area": code,
                    "area_name": name,
                    "indicator": "gva_total",
                    "value": tot,
                    "year": latest,
                }
            )
            for t_i, t in picked:
                v = (lad.theme_gva[yl, l_i, t_i] / tot) / ref_share[t_i] if tot > 0 and ref_share[t_i] > 0 else np.nan
                rows.append(
                    {
                        "level": "LAD",
                        "area": code,
                        "area_name": name,
                        "indicator": f"gva_lq:{t.id}",
                        "value": v,
                        "year": latest,
                    }
                )
    if panel is not None and themes:
        X = np.nan_to_num(panel.matrix(latest))
        mem = theme_membership(themes, panel.activities).matrix.toarray()
        T = X @ mem.T
        tot = X.sum(axis=1)
        ref = T.sum(axis=0) / tot.sum()
        names = panel.data["area_name"].values if "area_name" in panel.data.coords else [""] * len(panel.areas)
        for a_i, code in enumerate(panel.areas):
            if code not in itl2_units:
                continue
            for t_i, t in enumerate(themes):
                rows.append(
                    {
                        "level": "ITL2",
                        "area": code,
                        "area_name": str(names[a_i]),
                        "indicator": f"employment_lq:{t.id}",
                        "value": (T[a_i, t_i] / tot[a_i]) / ref[t_i],
                        "year": latest,
                    }
                )
    return pd.DataFrame(rows, columns=["level", "area", "area_name", "indicator", "value", "year"])


SORT_KEYS = {
    "scales": ["scale"],
    "themes": ["theme"],
    "evidence": ["scale", "theme", "indicator"],
    "scores": ["scale", "theme", "criterion"],
    "ranking": ["scale", "rank", "theme"],
    "stability": ["scale", "theme"],
    "framework": ["scale", "theme"],
    "complementarity": ["parent", "child", "theme"],
    "complementarity_summary": ["parent"],
    "sibling_overlap": ["parent", "child_a", "child_b", "theme"],
    "activities": ["scale", "activity"],
    "opportunities": ["scale", "activity"],
    "relatedness_edges": ["activity_a", "activity_b"],
    "clusters": ["activity"],
    "innovation": ["scale", "indicator"],
    "supply": ["scale", "theme"],
    "maps": ["level", "indicator", "area"],
}


def _sorted(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in SORT_KEYS.get(name, []) if k in frame.columns]
    if keys and len(frame):
        frame = frame.sort_values(keys, kind="stable")
    return frame.reset_index(drop=True)


def _manifest(cfg: AuditConfig, inputs: _Inputs, scales: list[ScaleInfo], themes: list[Theme]) -> dict[str, object]:
    packages = {}
    for name in ("numpy", "scipy", "pandas", "pyarrow", "xarray", "networkx", "pydantic"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = ""
    config = cfg.model_dump(mode="json")
    return {
        "sia_version": __version__,
        "python": platform.python_version(),
        "packages": packages,
        "config": config,
        "config_sha256": hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest(),
        "inputs": inputs.entries,
        "methods": METHODS,
        "data_treatment": DATA_TREATMENT,
        "scales": [s.id for s in scales],
        "themes": [t.id for t in themes],
    }


METHODS = [
    {
        "name": "Location quotient",
        "formula": "LQ = (x_rt / x_r.) / (X_.t / X_..)",
        "reference": "Isard (1960); Balassa (1965)",
        "convention": "reference = all areas of the source (GB for BRES)",
    },
    {
        "name": "LQ confidence interval",
        "formula": "exp(ln LQ +/- z sqrt(1/x_rt - 1/x_r. + 1/X_.t - 1/X_..))",
        "reference": "Moineddin, Beyene & Boyle (2003); Crawley, Beynon & Munday (2013)",
        "convention": "95%, delta method",
    },
    {
        "name": "Shift-share competitive effect",
        "formula": "CE = x_1 - x_0 (1 + g_c), summed over the theme's activities",
        "reference": "Dunn (1960)",
        "convention": "per SIC subclass against the reference's growth",
    },
    {
        "name": "Productivity",
        "formula": "theme GVA = sum_g (GVA_g / jobs_g) x jobs_(theme in g)",
        "reference": "ONS regional GVA (balanced) by industry",
        "convention": "uniform productivity within a published code",
    },
    {
        "name": "Proximity",
        "formula": "phi_ij = C_ij / max(k_i, k_j)",
        "reference": "Hidalgo et al. (2007)",
        "convention": "M = 1{LQ >= 1} across NUTS2 areas",
    },
    {
        "name": "Relatedness density",
        "formula": "d_c = sum_j M_j phi_jc / sum_j phi_jc",
        "reference": "Hidalgo et al. (2007); Balland et al. (2019)",
        "convention": "without the activity's own proximity",
    },
    {
        "name": "Product complexity",
        "formula": "second eigenvector of D_c^-1 M' D_r^-1 M",
        "reference": "Hidalgo & Hausmann (2009)",
        "convention": "sia: symmetric eigenproblem, z-scored",
    },
    {
        "name": "Complexity outlook gain",
        "formula": "COG_rc = (1 - M_rc) sum_j (1 - M_rj) phi_jc PCI_j / sum_k phi_jk",
        "reference": "Hausmann et al. (2014), Atlas of Economic Complexity",
        "convention": "Atlas form",
    },
    {
        "name": "Weighted-sum score",
        "formula": "S_t = sum_j w_j z_tj / sum_j w_j over known criteria",
        "reference": "OECD/JRC (2008) Handbook on Constructing Composite Indicators",
        "convention": "min-max by default",
    },
    {
        "name": "TOPSIS",
        "formula": "C_t = d-_t / (d+_t + d-_t)",
        "reference": "Hwang & Yoon (1981)",
        "convention": "missing values take the criterion median",
    },
    {
        "name": "Rank stability",
        "formula": "P(rank_t <= k) over Dirichlet(kappa w) weights and LQ-interval draws",
        "reference": "Saisana, Saltelli & Tarantola (2005)",
        "convention": "seeded, deterministic",
    },
    {
        "name": "Complementarity score",
        "formula": "sqrt(coverage x (1 - mean sibling Jaccard))",
        "reference": "sia (see docs/audit.md)",
        "convention": "children specialised = LQ >= 1",
    },
]

DATA_TREATMENT = [
    "BRES open-access employment is rounded by ONS; LQ intervals treat the counts as exact, so they are approximate.",
    "Suppressed or missing cells count as 0 in sums; any total that includes one is marked 'incomplete'.",
    "GVA is published by industry codes coarser than SIC subclasses: theme GVA is apportioned by employment "
    "within each code and marked 'estimated'; imputed rent (68IMP) is left out.",
    "Evidence is used only at scales that are exact unions of the source's areas; elsewhere it is "
    "'not available at this scale'.",
    "Districts that sat in two LEPs are counted once in any union; in complementarity they are split equally "
    "between the children that contain them.",
    "NUTS 2016 / NUTS 2013 codes are matched to ITL 2021 codes through the explicit alias table only.",
]


def write_outputs(result: AuditResult, outdir: str | Path) -> Path:
    """Write every table as Parquet and CSV, and ``manifest.json``, to ``outdir``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name, frame in result.tables.items():
        frame.to_csv(outdir / f"{name}.csv", index=False, lineterminator="\n")
        frame.to_parquet(outdir / f"{name}.parquet", index=False)
    (outdir / "manifest.json").write_text(json.dumps(result.manifest, indent=2, sort_keys=True, default=str))
    return outdir
