"""Render the single, self-contained HTML report (Jinja2 template, plotly.js inlined once).

Each chart's figure is written as JSON in a ``<script type="application/json">`` element and drawn
by the inlined script when its block becomes visible (the scale switcher hides the blocks of the
other scales; drawing on first view gives every chart its real width). The file references nothing
outside itself: no CDN, no font, no image URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd
import plotly
import plotly.io as pio
from markupsafe import Markup

from sia.report.charts import Chart
from sia.report.loader import AuditOutput, inputs_frame, methods_frame
from sia.report.maps import GEO_ASSETS_STUB, Boundary

OGL_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass
class ScaleSection:
    """Everything shown for one scale."""

    scale: str
    name: str
    charts: dict[str, list[Chart]] = field(default_factory=dict)
    diagram: str = ""
    notes: dict[str, str] = field(default_factory=dict)


def _links_table(supply: pd.DataFrame | None, scale: str, names: dict[str, str]) -> Markup | None:
    """Key upstream and downstream industries of each theme at one scale."""
    if supply is None or "scale" not in supply.columns:
        return None
    links = supply[supply["scale"] == scale][["theme", "upstream", "downstream", "industries"]].copy()
    if links.empty:
        return None
    links.insert(1, "name", [names.get(x, x) for x in links["theme"]])
    for col in ("upstream", "downstream", "industries"):
        links[col] = links[col].astype(str).str.replace(";", "; ", regex=False)
    return table_html(links)


def _fmt(x: object) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        if x != x:  # NaN
            return "—"
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if x == int(x) and abs(x) < 1e6:
            return f"{int(x)}"
        return f"{x:.4g}"
    return str(x)


def table_html(frame: pd.DataFrame, *, max_rows: int | None = None) -> Markup:
    """An HTML table (escaped) with compact number formatting; missing values shown as a dash."""
    if frame is None or frame.empty:
        return Markup('<p class="lede">(no rows)</p>')
    shown = frame if max_rows is None else frame.head(max_rows)
    html = shown.to_html(index=False, border=0, classes="data", na_rep="—", escape=True,
                         formatters={c: _fmt for c in shown.columns})
    return Markup(html)


def _figure_json(fig) -> Markup:
    text = pio.to_json(fig, validate=False, pretty=False, remove_uids=True)
    return Markup(text.replace("</", "<\\/"))


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sia.report", "templates"), autoescape=jinja2.select_autoescape(["j2", "html"]),
        trim_blocks=False, lstrip_blocks=False, undefined=jinja2.StrictUndefined,
    )
    return env.get_template("report.html.j2")


def _asset(name: str) -> str:
    return resources.files("sia.report").joinpath("templates", name).read_text(encoding="utf-8")


def _attributions(manifest: Mapping, boundaries: Sequence[Boundary]) -> list[str]:
    out: list[str] = []
    by_licence: dict[str, list[str]] = {}
    for key, info in manifest.get("inputs", {}).items():
        licence = str((info or {}).get("licence", "") or "licence not recorded")
        by_licence.setdefault(licence, []).append(key)
    for licence, keys in sorted(by_licence.items()):
        suffix = f" ({OGL_ATTRIBUTION})" if "open government licence" in licence.lower() else ""
        out.append(f"{', '.join(sorted(keys))}: {licence}{suffix}")
    seen = set()
    for b in boundaries:
        if b.attribution not in seen:
            out.append(f"Boundaries ({b.path.name}): {b.attribution}")
            seen.add(b.attribution)
    return out


def render_html(
    audit: AuditOutput,
    sections: Sequence[ScaleSection],
    global_charts: Mapping[str, list[Chart]],
    *,
    boundaries: Sequence[Boundary] = (),
    map_notes: Sequence[str] = (),
    report_notes: Sequence[str] = (),
    title: str | None = None,
) -> str:
    """The report as one HTML string."""
    manifest = audit.manifest
    t = audit.tables
    scales, themes, framework, evidence = t["scales"], t["themes"], t["framework"], t["evidence"]
    names = dict(zip(themes["theme"], themes["name"], strict=True))
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    ranking = t["ranking"]
    all_charts: list[Chart] = [c for s in sections for cs in s.charts.values() for c in cs]
    all_charts += [c for cs in global_charts.values() for c in cs]
    keys = [c.key for c in all_charts]
    if len(keys) != len(set(keys)):
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        raise ValueError(f"duplicate chart keys: {dupes}")
    tables = {c.key: table_html(c.table) for c in all_charts}
    figure_json = {c.key: _figure_json(c.figure) for c in all_charts}

    scale_ctx = []
    for sec in sections:
        row = scales[scales["scale"] == sec.scale].iloc[0]
        fw = framework[framework["scale"] == sec.scale].copy()
        fw.insert(1, "name", [names.get(x, x) for x in fw["theme"]])
        rk = ranking[ranking["scale"] == sec.scale].sort_values("rank")
        ev = evidence[evidence["scale"] == sec.scale]
        jobs = ev[ev["indicator"] == "jobs"].set_index("theme")["value"]
        priority_themes = fw.loc[fw["role"] != "", "theme"]
        hyp = fw[fw["hypothesised"]]
        kpis = [
            {"value": names.get(rk["theme"].iloc[0], rk["theme"].iloc[0]) if len(rk) else "—",
             "label": "top-ranked theme"},
            {"value": int((fw["role"] == "market-driven priority").sum()), "label": "market-driven priorities"},
            {"value": int((fw["role"] == "enabling competency").sum()), "label": "enabling competencies"},
            {"value": f"{int((hyp['verdict'] == 'supported').sum())} of {len(hyp)}",
             "label": "analyst themes supported"},
            {"value": _fmt(float(jobs.reindex(priority_themes).sum())), "label": "jobs in priority themes"},
        ]
        verdicts = fw[fw["hypothesised"]].merge(rk[["theme", "rank"]], on="theme", how="left")
        verdict_rows = "".join(
            f"<tr><td>{Markup.escape(r.name)}</td><td><span class=\"verdict verdict-"
            f"{Markup.escape(str(r.verdict).replace(' ', '-'))}\">{Markup.escape(r.verdict or '—')}</span></td>"
            f"<td>{Markup.escape(r.role or '—')}</td><td>{_fmt(r.rank)}</td><td><ul>"
            + "".join(f"<li>{Markup.escape(x.strip())}</li>" for x in str(r.reasons).split(";") if x.strip())
            + "</ul></td></tr>"
            for r in verdicts.itertuples(index=False)
        )
        verdict_table = Markup(
            '<table class="data"><thead><tr><th>Theme</th><th>Verdict</th><th>Role</th><th>Rank</th>'
            f"<th>Reasons</th></tr></thead><tbody>{verdict_rows}</tbody></table>"
        ) if len(verdicts) else Markup('<p class="lede">No analyst themes at this scale.</p>')
        surprise = fw[(~fw["hypothesised"]) & (fw["reasons"].astype(str) != "")]
        comp_summary, overlap_table, comp_notes = [], None, []
        cs = t.get("complementarity_summary")
        if cs is not None and (cs["parent"] == sec.scale).any():
            r = cs[cs["parent"] == sec.scale].iloc[0]
            comp_summary = [
                {"value": _fmt(float(r["score"])), "label": "complementarity score (0-1)"},
                {"value": _fmt(float(r["coverage"])), "label": "coverage of parent priorities"},
                {"value": _fmt(float(r["distinctiveness"])), "label": "distinctiveness of the children"},
                {"value": int(r["n_children"]), "label": "children"},
            ]
            for col, label in (("uncovered_priorities", "Parent priorities no child is specialised in"),
                               ("child_only_priorities", "Child priorities the parent does not carry")):
                items = [names.get(x, x) for x in str(r[col]).split(";") if x and x != "nan"]
                comp_notes.append(f"{label}: {', '.join(items) if items else 'none'}.")
        so = t.get("sibling_overlap")
        if so is not None and (so["parent"] == sec.scale).any():
            sub = so[so["parent"] == sec.scale].copy()
            sub["theme"] = [names.get(x, x) for x in sub["theme"]]
            overlap_table = table_html(sub)
        if not comp_summary and not sec.charts.get("complementarity"):
            parent = str(row["parent"]) if isinstance(row["parent"], str) else ""
            comp_notes.append(
                f"{sec.name} has no child scales in this audit"
                + (f"; it is one of the children of {scale_names.get(parent, parent)} (switch the scale to see "
                   "how it contributes)." if parent else ".")
            )
        parent = row["parent"] if isinstance(row["parent"], str) else ""
        scale_ctx.append({
            "scale": sec.scale, "name": sec.name, "area": row["area"], "area_name": row["area_name"],
            "level": row["level"], "reference_name": row["reference_name"], "n_lads": _fmt(row["n_lads"]),
            "parent_name": scale_names.get(parent, parent), "kpis": kpis, "diagram": Markup(sec.diagram),
            "framework_rows": len(fw), "framework_table": table_html(fw.drop(columns=["scale"])),
            "evidence_rows": len(ev),
            "evidence_table": table_html(ev.drop(columns=["scale"]).assign(
                theme=[names.get(x, x) for x in ev["theme"]])),
            "charts": {k: sec.charts.get(k, []) for k in ("strengths", "priorities", "opportunities", "innovation",
                                                         "business", "supply", "complementarity", "stability")},
            "missing": {k: sec.notes.get(k, "Not produced by this audit.") for k in
                        ("opportunities", "innovation", "stability", "supply")},
            "links_table": _links_table(t.get("supply"), sec.scale, names),
            "verdict_table": verdict_table,
            "surprise_table": table_html(surprise[["theme", "name", "role", "reasons"]]) if len(surprise) else None,
            "complementarity_summary": comp_summary, "overlap_table": overlap_table,
            "complementarity_notes": comp_notes,
        })

    inputs = inputs_frame(manifest)
    methods = methods_frame(manifest)
    boundaries_table = table_html(pd.DataFrame([
        {"level": b.level, "file": b.path.name, "sha256": b.sha256, "code property": b.id_property,
         "areas drawn": len(b.matched), "areas without polygon": len(b.unmatched), "attribution": b.attribution}
        for b in boundaries
    ])) if boundaries else None
    packages = pd.DataFrame(sorted((manifest.get("packages") or {}).items()), columns=["package", "version"])
    synthetic = manifest.get("synthetic") or ""
    context = {
        "title": title or str((manifest.get("config") or {}).get("title") or "Science and Innovation Audit"),
        "sia_version": manifest.get("sia_version", ""), "python": manifest.get("python", ""),
        "config_sha256": str(manifest.get("config_sha256", "")), "n_sources": len(manifest.get("inputs", {})),
        "synthetic": synthetic, "css": Markup(_asset("report.css")), "js": Markup(_asset("report.js")),
        "geo_stub": Markup(GEO_ASSETS_STUB), "plotlyjs": Markup(plotly.offline.get_plotlyjs()),
        "plotly_version": plotly.offline.get_plotlyjs_version(),
        "scales": scale_ctx, "global_charts": global_charts, "all_charts": all_charts, "tables": tables,
        "figure_json": figure_json, "map_notes": list(map_notes),
        "sources_table": table_html(inputs), "attributions": _attributions(manifest, boundaries),
        "boundaries_table": boundaries_table,
        "methods_table": table_html(methods), "data_treatment": [str(x) for x in manifest.get("data_treatment", [])],
        "scales_table": table_html(scales), "themes_table": table_html(themes),
        "report_notes": list(report_notes), "packages_table": table_html(packages),
        "config_json": json.dumps(manifest.get("config", {}), indent=2, sort_keys=True, default=str),
        "outdir_name": Path(audit.outdir).name,
    }
    return _template().render(**context)
