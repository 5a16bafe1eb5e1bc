"""``build_report``: audit output directory -> HTML report (+ workbook, + static images)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sia.report import charts as ch
from sia.report.diagram import framework_svg
from sia.report.html import ScaleSection, render_html
from sia.report.labels import theme_names
from sia.report.loader import AuditOutput, load_audit
from sia.report.maps import Boundary, map_charts
from sia.report.meta import audit_years, report_title, source_line
from sia.report.static import StaticExportUnavailable, export_static
from sia.report.workbook import write_workbook


@dataclass
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes
    ----------
    html_path
        The HTML report.
    xlsx_path
        The workbook, or ``None``.
    static_files
        Images written (empty when static export was not asked for or was skipped).
    charts
        Keys of every chart in the report.
    n_maps
        Number of choropleths drawn.
    notes
        Everything left out and why (missing tables, maps skipped, static export skipped, rows not plotted).
    html_bytes
        Size of the HTML file.
    """

    html_path: Path
    xlsx_path: Path | None = None
    static_files: list[Path] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    n_maps: int = 0
    notes: list[str] = field(default_factory=list)
    html_bytes: int = 0


def ordered_scales(scales: pd.DataFrame) -> pd.DataFrame:
    """Scales in hierarchy order: each root (no parent in the table) followed depth-first by its children."""
    ids = scales["scale"].tolist()
    parent = {s: (p if isinstance(p, str) and p in ids else "") for s, p in zip(ids, scales["parent"], strict=True)}
    order: list[str] = []

    def visit(s: str) -> None:
        if s in order:
            return
        order.append(s)
        for child in ids:
            if parent[child] == s:
                visit(child)

    for s in ids:
        if parent[s] == "":
            visit(s)
    order += [s for s in ids if s not in order]  # cycles: keep table order
    return scales.set_index("scale").loc[order].reset_index()


def _has_data(chart: ch.Chart) -> bool:
    """Whether any trace of the chart has a finite value to draw (a scale may lack a source entirely)."""
    for trace in chart.figure.data:
        for attr in ("x", "z", "values", "locations"):
            values = getattr(trace, attr, None)
            if values is None:
                continue
            arr = np.asarray(values, dtype=object).ravel()
            if any(v is not None and not (isinstance(v, float) and np.isnan(v)) for v in arr):
                return True
    return False


def _drop_empty(sec: ScaleSection) -> None:
    """Leave out charts with nothing to draw at this scale, and say so in the section's notes."""
    for key, charts in list(sec.charts.items()):
        kept = [c for c in charts if _has_data(c)]
        dropped = [c for c in charts if c not in kept]
        if dropped:
            sec.charts[key] = kept
            text = "; ".join(f"{c.title}: no data at this scale" for c in dropped)
            sec.notes[key] = f"{sec.notes[key]} {text}" if sec.notes.get(key) else text


def _trend_charts(trends: pd.DataFrame | None, framework: pd.DataFrame, themes: pd.DataFrame, scale: str,
                  name: str) -> tuple[list[ch.Chart], str]:
    """The jobs and GVA trend charts of a scale's priority themes, and a note when there is none."""
    if trends is None:
        return [], ("The audit wrote no trends table (an audit output from before it was added): year-by-year jobs "
                    "and GVA are not drawn; growth between the base and the latest year is in the chart above. Rerun "
                    "the audit to add them.")
    charts = [c for c in (ch.trends_chart(trends, framework, themes, scale, name, ind) for ind in ("jobs", "gva"))
              if c is not None]
    if charts:
        return charts, ""
    if ch.priority_themes(framework, scale).empty:
        return [], "No theme holds a framework role at this scale, so there are no priority themes to follow over time."
    return [], "The audit has no yearly jobs or GVA of the priority themes at this scale."


def collect_charts(
    audit: AuditOutput,
    *,
    boundaries_dir: Path | None = None,
    boundary_files: Mapping[str, Path] | None = None,
) -> tuple[list[ScaleSection], dict[str, list[ch.Chart]], list[Boundary], list[str], list[str]]:
    """Build every chart of the report.

    Returns ``(per-scale sections, global charts by section, boundaries used, map notes, report notes)``.
    """
    t = audit.tables
    scales, themes, evidence, framework, ranking = (t["scales"], t["themes"], ch.strength_view(t["evidence"]),
                                                    t["framework"], t["ranking"])
    years = audit_years(audit.manifest)
    notes = [f"Table '{name}' was not written by the audit: its section is left out." for name in audit.missing_tables]
    positions = None
    if t.get("relatedness_edges") is not None and t.get("clusters") is not None:
        clustered = t["clusters"][t["clusters"]["cluster"].astype(int) >= 0]["activity"].tolist()
        edges = t["relatedness_edges"]
        edges = edges[edges["activity_a"].isin(clustered) & edges["activity_b"].isin(clustered)]
        cluster_of = dict(zip(t["clusters"]["activity"], t["clusters"]["cluster"].astype(int), strict=True))
        positions = ch.network_positions(edges, clustered, clusters=cluster_of)
    comp = t.get("complementarity")
    opps, acts, classes = t.get("opportunities"), t.get("activities"), t.get("activity_classes")
    trends, peers, peer_regions = t.get("trends"), t.get("peers"), t.get("peer_regions")
    sections: list[ScaleSection] = []
    for row in ordered_scales(scales).itertuples(index=False):
        s, name = str(row.scale), str(row.name)
        ref = str(row.reference_name) if isinstance(row.reference_name, str) and row.reference_name else "the reference"
        sec = ScaleSection(scale=s, name=name)
        sec.diagram = framework_svg(framework, themes, s, name)
        sec.charts["strengths"] = [ch.bubble_chart(evidence, framework, themes, s, name, years=years,
                                                   reference_name=ref)]
        sec.charts["trends"], sec.notes["trends"] = _trend_charts(trends, framework, themes, s, name)
        sec.charts["priorities"] = [ch.ranking_chart(ranking, framework, themes, s, name)]
        has_opp = opps is not None and (opps["scale"] == s).any()
        if has_opp:
            sec.charts["opportunities"] = [ch.opportunity_chart(opps, s, name, activity_classes=classes),
                                           ch.top_opportunities_chart(opps, s, name, activity_classes=classes)]
        else:
            sec.notes["opportunities"] = (
                "No opportunity evidence at this scale: relatedness density and complexity need employment by SIC "
                "class, published for NUTS2 areas, and this scale is not a union of them."
                if opps is not None else "The audit wrote no opportunities table.")
        if peers is not None and peer_regions is not None:
            peer_chart = ch.peer_complexity_chart(peers, peer_regions, s, name)
            if peer_chart is not None:
                sec.charts["peers"] = [peer_chart]
            else:
                why = peers.loc[peers["scale"] == s, "note"].astype(str)
                sec.notes["peers"] = ("No complexity among the UK regions at this scale"
                                      + (f": {why.iloc[0]}." if len(why) and why.iloc[0] else "."))
        else:
            sec.notes["peers"] = ("The audit wrote no peers table (an audit output from before it was added): the "
                                  "area's complexity rank among the UK regions and its most similar UK regions are "
                                  "not shown; rerun the audit to add them.")
        if positions is not None and has_opp:
            sec.charts["network"] = [ch.network_chart(t["relatedness_edges"], t["clusters"], opps, s, name,
                                                      positions)]
        else:
            sec.notes["network"] = ("The industry space is drawn for the scales with opportunity evidence (which "
                                    "classes the area is specialised in).")
        if acts is not None and (acts["scale"] == s).any():
            sec.charts["composition"] = [ch.composition_treemap(acts, s, name, years=years)]
        else:
            sec.notes["composition"] = ("Employment by industry is not published for this scale's areas (BRES is read "
                                        "at ITL2), so there is no industry table or composition here.")
        if t.get("innovation") is not None and (t["innovation"]["scale"] == s).any():
            sec.charts["innovation"] = [ch.innovation_chart(t["innovation"], s, name)]
        else:
            sec.notes["innovation"] = "No science and innovation indicators at this scale."
        sec.charts["business"] = [ch.business_base_chart(evidence, themes, s, name, scales),
                                  ch.footprint_chart(evidence, themes, s, name)]
        supply = t.get("supply")
        if supply is not None and "scale" in supply.columns and (supply["scale"] == s).any():
            sub = supply[supply["scale"] == s]
            sec.charts["supply"] = [ch.supply_multipliers_chart(sub, themes, name),
                                    ch.supply_embeddedness_chart(sub, themes, name)]
        else:
            sec.notes["supply"] = ("No supply-chain evidence at this scale (the regionalised input-output table needs "
                                   "the scale's employment by industry).")
        if comp is not None and (comp["parent"] == s).any():
            sec.charts["complementarity"] = [ch.alignment_heatmap(comp, themes, scales, s),
                                             ch.contributions_chart(comp, themes, scales, s)]
        if t.get("stability") is not None and (t["stability"]["scale"] == s).any():
            sec.charts["stability"] = [ch.stability_chart(t["stability"], themes, s, name),
                                       ch.rank_interval_chart(t["stability"], themes, s, name)]
        else:
            sec.notes["stability"] = "The audit wrote no rank stability for this scale."
        _drop_empty(sec)
        sections.append(sec)
    global_charts: dict[str, list[ch.Chart]] = {"heatmap": [ch.themes_heatmap(evidence, themes, ordered_scales(scales),
                                                                              "lq")]}
    global_charts["similarity"] = ([ch.similarity_chart(acts, ordered_scales(scales))]
                                   if acts is not None and acts["scale"].nunique() > 1 else [])
    global_charts["supply"] = []  # supply charts are per scale (each scale has its own regionalised table)
    boundaries: list[Boundary] = []
    map_notes: list[str] = []
    refs = scales["reference_name"].dropna().astype(str).unique()
    if t.get("maps") is not None:
        maps, boundaries, map_notes = map_charts(t["maps"], boundaries_dir=boundaries_dir,
                                                 boundary_files=boundary_files, theme_names=theme_names(themes),
                                                 reference_name=refs[0] if len(refs) == 1 else "the reference area")
        global_charts["maps"] = maps
    else:
        global_charts["maps"] = []
        map_notes = ["Maps skipped: the audit wrote no maps table."]
    audit_name = report_title(audit.manifest)
    every = [c for sec in sections for cs in sec.charts.values() for c in cs]
    every += [c for cs in global_charts.values() for c in cs]
    for c in every:
        c.source_line = source_line(c, audit.manifest, years, audit_name)
        if not c.data_years and years:
            c.data_years = f"{years[0]} to {years[1]}"
    for sec in sections:
        for charts in sec.charts.values():
            notes += [f"{c.title}: {n}" for c in charts for n in c.notes]
    notes += [f"{c.title}: {n}" for cs in global_charts.values() for c in cs for n in c.notes]
    return sections, global_charts, boundaries, map_notes, notes


def build_report(
    outdir: str | Path,
    html_path: str | Path,
    *,
    xlsx_path: str | Path | None = None,
    static_dir: str | Path | None = None,
    boundaries_dir: str | Path | None = None,
    boundary_files: Mapping[str, str | Path] | None = None,
    static_formats: tuple[str, ...] = ("png", "svg"),
    title: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReportResult:
    """Build the report of an audit output directory.

    Parameters
    ----------
    outdir
        Output directory of ``sia audit`` (``docs/audit-output.md``).
    html_path
        The self-contained HTML file to write.
    xlsx_path
        Optional Excel workbook (one sheet per table, README and provenance sheets).
    static_dir
        Optional directory for PNG/SVG images of every chart (needs Chromium; skipped with a note
        when there is none).
    boundaries_dir
        Directory of boundary GeoJSON files (e.g. ``../shared/data/boundaries``); maps are skipped
        with a note when neither this nor ``boundary_files`` is given.
    boundary_files
        Map level (``LAD``, ``ITL3``...) -> a user's own GeoJSON file for that level.
    static_formats
        Image formats for ``static_dir``.
    title
        Report title (default: the config's ``[audit] name``, else its ``title``).
    progress
        Optional callback receiving a short message at each step.

    Returns
    -------
    ReportResult

    Raises
    ------
    sia.report.loader.ReportInputError
        When the audit output does not follow the contract.
    sia.report.maps.BoundaryError
        When a user-supplied GeoJSON file is unusable.
    """
    say = progress or (lambda _msg: None)
    say("reading the audit output")
    audit = load_audit(outdir)
    say("building charts and maps")
    files = {k: Path(v) for k, v in (boundary_files or {}).items()}
    sections, global_charts, boundaries, map_notes, notes = collect_charts(
        audit, boundaries_dir=Path(boundaries_dir) if boundaries_dir is not None else None, boundary_files=files)
    notes = list(notes) + list(map_notes)
    result = ReportResult(html_path=Path(html_path))
    if static_dir is not None:
        say("writing static images")
        all_charts = [c for s in sections for cs in s.charts.values() for c in cs]
        all_charts += [c for cs in global_charts.values() for c in cs]
        try:
            result.static_files = export_static(all_charts, static_dir, formats=static_formats,
                                                audit_name=report_title(audit.manifest))
        except StaticExportUnavailable as exc:
            notes.append(f"Static images skipped: {exc}")
    say("rendering HTML")
    html = render_html(audit, sections, global_charts, boundaries=boundaries, map_notes=map_notes,
                       report_notes=notes, title=title)
    result.html_path.parent.mkdir(parents=True, exist_ok=True)
    result.html_path.write_text(html, encoding="utf-8")
    result.html_bytes = result.html_path.stat().st_size
    if xlsx_path is not None:
        say("writing the workbook")
        result.xlsx_path = write_workbook(audit, xlsx_path, boundaries=boundaries)
    result.charts = [c.key for s in sections for cs in s.charts.values() for c in cs]
    result.charts += [c.key for cs in global_charts.values() for c in cs]
    result.n_maps = len(global_charts.get("maps", []))
    result.notes = notes
    return result
