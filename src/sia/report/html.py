"""Render the single, self-contained HTML report (Jinja2 template, a partial plotly.js bundle inlined once).

Each chart's figure is written as compact JSON (floats rounded to 6 significant digits) in a
``<script type="application/json">`` element; boundary GeoJSON shared by several maps is written
once and referenced from each figure. The page paints its text, headline numbers and framework
diagrams first: plotly.js (only the trace types the report draws, see :func:`plotly_gzip_base64`) is
kept gzipped in a non-executed ``<script type="application/octet-stream">`` element and
started after the first paint, then the charts of the visible scale are drawn one per task in page
order (so the first chart appears as soon as plotly.js has started). The file references nothing
outside itself: no CDN, no font, no image URL. The output depends only on the audit output (no
clock, no random ids), so the same audit gives a byte-identical report.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

import jinja2
import numpy as np
import pandas as pd
import plotly
import plotly.io as pio
from markupsafe import Markup

from sia.report.charts import ROLE_LABELS, Chart, child_name, similar_areas
from sia.report.labels import (
    column_label,
    indicator_label,
    indicator_table,
    industries_text,
    reader_text,
    region_label,
    source_name,
    theme_names,
)
from sia.report.loader import AuditOutput, inputs_frame, methods_frame
from sia.report.maps import GEO_ASSETS_STUB, Boundary
from sia.report.meta import audit_years, latest_data_year, report_title, scale_notes

OGL_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."
SIGNIFICANT = 6
"""Significant digits kept for floats in the embedded figure JSON (hover values; tables keep the audit's)."""
PLOTLY_BUNDLE = "plotly-sia.min.js.gz"
"""The report's partial plotly.js bundle (``sia/report/assets/``), built by ``scripts/build_plotly_bundle.sh``."""
PLOTLY_BUNDLE_TRACES = ("scatter", "bar", "heatmap", "choropleth", "scattergeo", "treemap")
"""Trace types in :data:`PLOTLY_BUNDLE`: every figure of the report must use only these."""


class PlotlyBundleError(RuntimeError):
    """The packaged plotly.js bundle is missing or is not the plotly.js version Python plotly ships."""


@dataclass
class ScaleSection:
    """Everything shown for one scale."""

    scale: str
    name: str
    charts: dict[str, list[Chart]] = field(default_factory=dict)
    diagram: str = ""
    notes: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------- formatting


def _fmt(x: object) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if x != x:  # NaN
            return "—"
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if x == int(x) and abs(x) < 1e6:
            return f"{int(x)}"
        if abs(x) < 0.01:
            return f"{x:.3g}"
        return f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"
    if x is None or x is pd.NA:
        return "—"
    return str(x)


_COUNT_WORDS = ("jobs", "enterprises", "change in", "effect", "rank", "districts", "children", "top k", "rows",
                "gva (gbp", "number")
_RATIO_WORDS = ("lq", "quotient", "ratio", "multiplier", "linkage", "density", "proximity", "pci", "complexity",
                "outlook", "score", "index", "similarity", "jaccard", "stability", "per gbp")
_SHARE_WORDS = ("share", "probability", "coverage")


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, (float, np.floating)) and x != x)


def column_formatter(header: str, values: pd.Series) -> Callable[[object], str]:
    """How a table column's numbers are written, from its header (the header states the unit):

    "(%)" and growth columns: 1 decimal (``-2.3``); shares of 0-1 ("Share of the area's jobs"): a percentage
    with 1 decimal (``9.0%``); counts (jobs, enterprises, ranks): thousands separators, no decimals
    (``443,735``); ratios, indices and scores: 2 decimals (``0.99``); anything else: :func:`_fmt`.
    """
    h = header.lower()
    nums = pd.to_numeric(values, errors="coerce") if not pd.api.types.is_bool_dtype(values) else None
    if nums is None or nums.notna().sum() == 0:
        return _fmt
    finite = nums.dropna()

    def fixed(digits: int, scale: float = 1.0, suffix: str = "") -> Callable[[object], str]:
        def f(x: object) -> str:
            if _missing(x) or isinstance(x, (str, bool, np.bool_)):
                return _fmt(x)
            return f"{float(x) * scale:,.{digits}f}{suffix}"  # type: ignore[arg-type]
        return f

    if "(%)" in h or "growth" in h:
        return fixed(1)
    if any(w in h for w in _SHARE_WORDS) and finite.between(0, 1).all():
        return fixed(1, 100.0, "%")
    if any(w in h for w in _COUNT_WORDS) and not any(w in h for w in ("per ", "score", "ratio", "index")):
        return fixed(0)
    if any(w in h for w in _RATIO_WORDS):
        return fixed(2)
    return _fmt


def table_html(frame: pd.DataFrame | None, *, max_rows: int | None = None, sortable: bool = False,
               caption: str | None = None, print_hide: Sequence[str] = (), print_rows: int | None = None) -> Markup:
    """An HTML table (escaped) with numbers formatted by :func:`column_formatter`; missing values as a dash.

    ``sortable``: each header is a button that sorts the rows (numbers by value, text alphabetically);
    numeric cells carry their exact value in ``data-v``. ``print_hide``: columns left out on paper (long
    checksums and code lists that would squeeze the others); ``print_rows``: rows printed (the rest are
    on screen and in the workbook, which the printed note under the table says).
    """
    if frame is None or frame.empty:
        return Markup('<p class="lede">(no rows)</p>')
    shown = frame if max_rows is None else frame.head(max_rows)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
               for c in shown.columns]
    classes = [" ".join(x for x in ("num" if num else "", "noprint" if str(col) in print_hide else "") if x)
               for col, num in zip(shown.columns, numeric, strict=True)]
    attrs = [f' class="{c}"' if c else "" for c in classes]
    head = []
    for i, (col, num, attr) in enumerate(zip(shown.columns, numeric, attrs, strict=True)):
        label = Markup.escape(str(col))
        if sortable:
            # the label is text, not inside the button: Chromium does not paint buttons in the header row it
            # repeats on every printed page
            head.append(f'<th scope="col"{attr} aria-sort="none">{label}<button type="button" data-col="{i}" '
                        f'data-type="{"num" if num else "text"}" aria-label="Sort by {label}"></button></th>')
        else:
            head.append(f'<th scope="col"{attr}>{label}</th>')
    formats = [column_formatter(str(col), shown[col]) if num else _fmt
               for col, num in zip(shown.columns, numeric, strict=True)]
    rows = []
    for r, values in enumerate(shown.itertuples(index=False, name=None)):
        cells = []
        for v, num, fmt, attr in zip(values, numeric, formats, attrs, strict=True):
            if num and sortable:
                fv = float(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else None
                data = f' data-v="{fv:.10g}"' if fv is not None else ""
                cells.append(f"<td{attr}{data}>{Markup.escape(fmt(v))}</td>")
            else:
                cells.append(f"<td{attr}>{Markup.escape(fmt(v))}</td>")
        extra = ' class="noprint"' if print_rows is not None and r >= print_rows else ""
        rows.append(f"<tr{extra}>" + "".join(cells) + "</tr>")
    cap = f"<caption>{Markup.escape(caption)}</caption>" if caption else ""
    cls = "data sortable" if sortable else "data"
    note = ""
    if print_rows is not None and len(shown) > print_rows:
        note = (f'<p class="print-only lede">The first {print_rows} of {len(shown)} rows are printed; the rest are in '
                "the report on screen and in the workbook.</p>")
    return Markup(f'<table class="{cls}">{cap}<thead><tr>{"".join(head)}</tr></thead><tbody>{"".join(rows)}'
                  f"</tbody></table>{note}")


def _round_floats(obj: object) -> object:
    if isinstance(obj, float):
        if not math.isfinite(obj):
            return None
        return float(f"{obj:.{SIGNIFICANT}g}")
    if isinstance(obj, list):
        return [_round_floats(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _round_floats(v) for k, v in obj.items()}
    return obj


SHARED_TRACE_CHARS = 20_000
"""Traces longer than this (as JSON) are written once and referenced (the network's links repeat per scale)."""


def _shared_key(prefix: str, text: str) -> str:
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def figure_json(fig, store: dict[str, str]) -> Markup:
    """Compact figure JSON: floats to :data:`SIGNIFICANT` digits; GeoJSON and large traces replaced by a
    reference into ``store`` (key -> JSON text), so that what several figures share is written once."""
    spec = _round_floats(json.loads(pio.to_json(fig, validate=False, pretty=False, remove_uids=True)))
    data = []
    for trace in spec.get("data", []):
        if trace.get("type", "scatter") not in PLOTLY_BUNDLE_TRACES:
            raise PlotlyBundleError(f"{trace.get('type')!r} traces are not in the report's plotly.js bundle: add the "
                                    "trace to scripts/build_plotly_bundle.sh and PLOTLY_BUNDLE_TRACES, then run it")
        geo = trace.get("geojson")
        if isinstance(geo, dict):
            text = json.dumps(geo, separators=(",", ":"), sort_keys=True)
            key = _shared_key("geo", text)
            store.setdefault(key, text)
            trace["geojson"] = "@" + key
        text = json.dumps(trace, separators=(",", ":"), sort_keys=True, allow_nan=False)
        if len(text) > SHARED_TRACE_CHARS:
            key = _shared_key("trace", text)
            store.setdefault(key, text)
            trace = {"@trace": key}
        data.append(trace)
    spec["data"] = data
    spec.pop("config", None)
    text = json.dumps(spec, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("</", "<\\/"))


def _plotly_bundle_bytes() -> bytes:
    try:
        return resources.files("sia.report").joinpath("assets", PLOTLY_BUNDLE).read_bytes()
    except FileNotFoundError:
        raise PlotlyBundleError(f"sia/report/assets/{PLOTLY_BUNDLE} is missing: run scripts/build_plotly_bundle.sh") \
            from None


def plotly_bundle_version(packed: bytes | None = None) -> str:
    """plotly.js version of the packaged bundle, read from plotly.js's licence banner at its start."""
    with gzip.GzipFile(fileobj=io.BytesIO(_plotly_bundle_bytes() if packed is None else packed)) as f:
        head = f.read(512).decode("utf-8", "replace")
    m = re.search(r"plotly\.js v(\S+)", head)
    if not m:
        raise PlotlyBundleError(f"sia/report/assets/{PLOTLY_BUNDLE} has no plotly.js banner: "
                                "run scripts/build_plotly_bundle.sh")
    return m.group(1)


@functools.lru_cache(maxsize=1)
def plotly_gzip_base64() -> str:
    """The report's plotly.js, gzip-compressed (``mtime=0``: the same bytes every time) and base64-encoded.

    A partial bundle of the plotly.js version Python plotly ships, with only the traces the report draws
    (:data:`PLOTLY_BUNDLE_TRACES`): 1.5 MB of JavaScript instead of 4.8 MB, stored gzipped in the package
    (0.53 MB; 0.71 MB in base64, against 1.9 MB for the full plotly.js); the page unpacks and starts it in
    about 0.5 s instead of 1.5 s (headless Chromium, 2 cores), so the first chart shows about 1 s sooner. It
    is unpacked with the browser's ``DecompressionStream`` (Chrome/Edge 80+, Firefox 113+, Safari 16.4+),
    with no network request. Raises :class:`PlotlyBundleError` (run
    ``scripts/build_plotly_bundle.sh``) when the bundle is not the plotly.js version of Python plotly, whose
    figure JSON it draws.
    """
    packed = _plotly_bundle_bytes()
    bundled, expected = plotly_bundle_version(packed), plotly.offline.get_plotlyjs_version()
    if bundled != expected:
        raise PlotlyBundleError(f"the report's plotly.js bundle is v{bundled} but Python plotly {plotly.__version__} "
                                f"ships plotly.js v{expected}: run scripts/build_plotly_bundle.sh")
    return base64.b64encode(packed).decode("ascii")


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
        by_licence.setdefault(licence, []).append(source_name(key, manifest))
    for licence, keys in sorted(by_licence.items()):
        suffix = f" ({OGL_ATTRIBUTION})" if "open government licence" in licence.lower() or "ogl" in licence.lower() \
            else ""
        out.append(f"{'; '.join(sorted(set(keys)))}: {licence}{suffix}")
    seen = set()
    for b in boundaries:
        if b.attribution not in seen:
            out.append(f"Boundaries ({b.path.name}): {b.attribution}")
            seen.add(b.attribution)
    return out


def _priority_size_kpi(ev: pd.DataFrame, priority_themes: pd.Series) -> dict[str, object]:
    """Jobs in the priority themes, or their GVA where jobs are not available; never a 0 for "no data"."""
    for indicator, label in (("jobs", "jobs in priority themes"), ("gva", "GBP m GVA in priority themes")):
        vals = ev[ev["indicator"] == indicator].set_index("theme")["value"].reindex(priority_themes)
        if len(vals) and vals.notna().all():
            return {"value": _fmt(float(vals.sum())), "label": label}
    return {"value": "not available", "label": "jobs in priority themes (not available at this scale)"}


# ----------------------------------------------------------------------------- views built from tables


def industry_table(activities: pd.DataFrame | None, scale: str, names: Mapping[str, str]) -> Markup | None:
    """Sortable industry table of one scale from ``activities``: jobs, LQ with interval, growth, shift-share.

    Shift-share: the change in jobs over the period = the change expected had each industry grown at its
    national rate (national share + industry mix) + the competitive effect (the audit's
    ``competitive_effect``); the first is the change minus the competitive effect.
    """
    if activities is None or not (activities["scale"] == scale).any():
        return None
    sub = activities[activities["scale"] == scale].sort_values("jobs", ascending=False)
    growth = sub["growth_pct"].astype(float)
    base = sub["jobs"] / (1.0 + growth / 100.0)
    change = sub["jobs"] - base
    frame = pd.DataFrame({
        "SIC code": sub["activity"].astype(str),
        "Industry": sub["activity_name"].astype(str),
        "Jobs": sub["jobs"].astype(float),
        "Share of jobs (%)": 100 * sub["share"].astype(float),
        "Location quotient": sub["lq"].astype(float),
        "LQ low": sub["lq_low"].astype(float),
        "LQ high": sub["lq_high"].astype(float),
        "Significant": sub["significant"].astype(bool),
        "Growth (%)": growth,
        "Change in jobs": change,
        "Expected at national industry rates (jobs)": change - sub["competitive_effect"].astype(float),
        "Competitive effect (jobs)": sub["competitive_effect"].astype(float),
        "Themes": [", ".join(names.get(t, t) for t in str(x).split(";") if t and t != "nan") for x in sub["theme"]],
    })
    return table_html(frame, sortable=True, print_rows=30)


def peer_complexity_kpi(peers: pd.DataFrame | None, scale: str) -> dict[str, object] | None:
    """The scale's complexity KPI from the audit's ``peers`` table: its ECI and its rank among the UK regions
    (``None`` when the audit wrote no ``peers`` table or has no complexity at this scale)."""
    if peers is None or not (peers["scale"] == scale).any():
        return None
    r = peers[peers["scale"] == scale].iloc[0]
    if _missing(r["eci"]) or _missing(r["complexity_rank"]):
        return None
    own = isinstance(r["region"], str) and r["region"] != ""
    ranked = (f"the {int(r['n_regions'])} UK regions" if own
              else f"the {int(r['n_regions'])} UK regions and this area")
    estimated = str(r["status"]) == "estimated"
    label = (f"economic complexity (ECI; 0 = the mean of the UK regions, NUTS2 {int(r['year'])})"
             + ("; estimated from district employment" if estimated else ""))
    rank_label = f"complexity rank among {ranked} (1 = most complex)"
    return {"value": f"{float(r['eci']):+.2f}", "label": label, "rank": int(r["complexity_rank"]),
            "n": int(r["n_ranked"]), "n_regions": int(r["n_regions"]), "year": int(r["year"]),
            "rank_label": rank_label, "estimated": estimated}


def similar_regions_text(peer_regions: pd.DataFrame | None, scale: str, scale_name: str) -> list[str]:
    """Lines naming the UK regions with the closest industry mix (``peer_regions``): the five closest, regions
    (partly) inside the area flagged, and the five closest outside it when those differ."""
    if peer_regions is None or not (peer_regions["scale"] == scale).any():
        return []
    sub = peer_regions[peer_regions["scale"] == scale]
    year = int(sub["year"].iloc[0]) if sub["year"].notna().any() else None

    def items(rows: pd.DataFrame) -> str:
        return ", ".join(f"{region_label(x.region_name, scale_name)} ({x.similarity:.3f}"
                         + (f"; {'inside' if x.overlap == 'inside' else 'partly in'} {scale_name})" if x.overlap
                            else ")") for x in rows.itertuples(index=False))

    top = sub.sort_values(["similarity_rank", "region"], kind="stable")
    lines = [f"Most similar UK regions by industry mix (cosine similarity of the shares of jobs by SIC class"
             f"{', ' + str(year) if year else ''}; 1 = the same mix; {len(sub)} NUTS2 regions): {items(top.head(5))}."]
    if (top.head(5)["overlap"].astype(str) != "").any():
        outside = top[top["overlap"].astype(str) == ""]
        lines.append(f"Closest outside {scale_name}: {items(outside.head(5))}.")
    return lines


def _unavailable(ev: pd.DataFrame, registry: Mapping, manifest: Mapping) -> list[str]:
    """One line per indicator "not available at this scale": its label, the reason and the source that would tell."""
    na = ev[ev["status"] == "not available at this scale"]
    out = []
    for ind, part in na.groupby("indicator", sort=True):
        reasons = sorted({reader_text(n) for n in part["note"] if str(n) and str(n) != "nan"})
        src = source_name(str(part["source"].iloc[0]), manifest)
        out.append(f"{indicator_label(str(ind), registry)} ({src}): {'; '.join(reasons) or 'no reason recorded'} "
                   f"({len(part)} themes)")
    return out


def format_by_unit(value: object, unit: str) -> str:
    """An evidence value written for its unit: shares as %, ratios to 2 decimals, counts with separators."""
    if _missing(value):
        return "—"
    x = float(value)  # type: ignore[arg-type]
    u = str(unit).lower()
    if u.startswith("share"):
        return f"{100 * x:.1f}%"
    if u.startswith("%"):
        return f"{x:,.1f}%"
    if u.startswith(("jobs per", "gbp million")):
        return f"{x:,.1f}"
    if u.startswith(("jobs", "enterprises", "count", "gbp", "eur")):
        return f"{x:,.0f}"
    if u.startswith(("ratio", "index", "z-score", "0-1", "score")):
        return f"{x:,.2f}"
    return _fmt(x)


def _evidence_frame(ev: pd.DataFrame, names: Mapping[str, str], registry: Mapping, manifest: Mapping) -> pd.DataFrame:
    ev = ev[ev["status"] != "not available at this scale"]
    units = ev["unit"].astype(str)
    return pd.DataFrame({
        "Theme": [names.get(x, x) for x in ev["theme"]],
        "Indicator": [indicator_label(str(i), registry) for i in ev["indicator"]],
        "Value": [format_by_unit(v, u) for v, u in zip(ev["value"], units, strict=True)],
        "Interval low": [format_by_unit(v, u) for v, u in zip(ev["low"], units, strict=True)],
        "Interval high": [format_by_unit(v, u) for v, u in zip(ev["high"], units, strict=True)],
        "Unit": units, "Status": ev["status"].astype(str),
        "Source": [source_name(str(s), manifest) for s in ev["source"]], "Grain": ev["grain"].astype(str),
        "Note": [reader_text(n) if str(n) != "nan" else "" for n in ev["note"]],
    })


def _framework_frame(fw: pd.DataFrame, names: Mapping[str, str], registry: Mapping) -> pd.DataFrame:
    cols = {"side": "Side", "role": "Role", "role_rank": "Rank in role", "verdict": "Verdict",
            "hypothesised": "Hypothesised", "pinned": "Pinned by the analyst", "eligible": "Eligible for a role",
            "knowledge_share": "Knowledge-intensive share of jobs", "traded_share": "Traded share of jobs",
            "strength_indicator": "Strength measure", "market_index": "Market index",
            "enabling_index": "Enabling index"}
    out = pd.DataFrame({"Theme": [names.get(x, x) for x in fw["theme"]]})
    for col, label in cols.items():
        if col not in fw.columns:
            continue
        values = fw[col]
        if col == "role":
            values = values.map(lambda r: ROLE_LABELS.get(str(r), str(r)) if r else "")
        elif col == "strength_indicator":
            values = values.map(lambda i: indicator_label(str(i), registry) if i else "")
        elif col == "role_rank":
            values = values.where(fw["role"].astype(str) != "", np.nan)
        out[label] = values.to_numpy()
    return out


AREA_CODE = re.compile(r"^([EWSNK]\d{8}|TL[A-N0-9]{1,4}|UK[A-N0-9]{0,4})$")
"""GSS and ITL/NUTS codes; a custom union's id (``MIDLANDS_ENGINE_ITL``) is not shown to readers."""


def _is_area_code(code: str) -> bool:
    return bool(AREA_CODE.match(code))


def _reasons_list(reasons: object) -> Markup:
    items = [reader_text(x) for x in str(reasons).split(";") if x.strip() and x.strip() != "nan"]
    return Markup("<ul>" + "".join(f"<li>{Markup.escape(x[:1].upper() + x[1:])}</li>" for x in items) + "</ul>")


def _replace_ids(text: str, mapping: Mapping[str, str]) -> str:
    """Replace whole-word ids (scale and theme ids) in a note by their names."""
    if not mapping:
        return text
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
                         + r")(?![\w-])")
    return pattern.sub(lambda m: mapping[m.group(1)], text)


# ----------------------------------------------------------------------------- the page


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
    names = theme_names(themes)
    full_names = names  # tables use the chart names; the appendix lists the full ones
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    registry = indicator_table(t.get("indicators"))
    ranking = t["ranking"]
    all_charts: list[Chart] = [c for s in sections for cs in s.charts.values() for c in cs]
    all_charts += [c for cs in global_charts.values() for c in cs]
    keys = [c.key for c in all_charts]
    if len(keys) != len(set(keys)):
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        raise ValueError(f"duplicate chart keys: {dupes}")
    tables = {c.key: table_html(c.table) for c in all_charts}
    shared: dict[str, str] = {}
    figures = {c.key: figure_json(c.figure, shared) for c in all_charts}
    per_scale_notes, general_notes = scale_notes(manifest, scales)
    id_names = {**{k: v for k, v in full_names.items()}, **scale_names}
    years = audit_years(manifest)

    scale_ctx = []
    for sec in sections:
        row = scales[scales["scale"] == sec.scale].iloc[0]
        fw = framework[framework["scale"] == sec.scale].copy()
        rk = ranking[ranking["scale"] == sec.scale].sort_values("rank")
        ev = evidence[evidence["scale"] == sec.scale]
        priority_themes = fw.loc[fw["role"] != "", "theme"]
        hyp = fw[fw["hypothesised"]]
        kpis = [
            {"value": names.get(rk["theme"].iloc[0], rk["theme"].iloc[0]) if len(rk) else "—",
             "label": "top-ranked theme"},
            {"value": int((fw["role"] == "market-driven priority").sum()), "label": "market-driven priorities"},
            {"value": int((fw["role"] == "enabling competency").sum()), "label": "enabling competencies"},
            {"value": f"{int((hyp['verdict'] == 'supported').sum())} of {len(hyp)}",
             "label": "analyst themes supported"},
            _priority_size_kpi(ev, priority_themes),
        ]
        verdicts = fw[fw["hypothesised"]].merge(rk[["theme", "rank"]], on="theme", how="left")
        verdict_rows = "".join(
            f"<tr><td>{Markup.escape(full_names.get(r.theme, r.theme))}</td><td><span class=\"verdict verdict-"
            f"{Markup.escape(str(r.verdict).replace(' ', '-'))}\">{Markup.escape(r.verdict or '—')}</span></td>"
            f"<td>{Markup.escape(ROLE_LABELS.get(r.role, r.role) if r.role else '—')}</td><td>{_fmt(r.rank)}</td>"
            f"<td>{_reasons_list(r.reasons)}</td></tr>"
            for r in verdicts.itertuples(index=False)
        )
        verdict_table = Markup(
            '<table class="data"><thead><tr><th scope="col">Theme</th><th scope="col">Verdict</th>'
            '<th scope="col">Role</th><th scope="col">Rank</th>'
            f'<th scope="col">Reasons</th></tr></thead><tbody>{verdict_rows}</tbody></table>'
        ) if len(verdicts) else Markup('<p class="lede">No analyst themes at this scale.</p>')
        surprise = fw[(~fw["hypothesised"]) & fw["reasons"].astype(str).str.contains("not hypothesised", regex=False)]
        surprise_table = table_html(pd.DataFrame({
            "Theme": [full_names.get(x, x) for x in surprise["theme"]],
            "Role": [ROLE_LABELS.get(r, r) for r in surprise["role"]],
            "Reasons": [reader_text(str(r).replace(";", "; ")) for r in surprise["reasons"]],
        })) if len(surprise) else None
        comp_summary, overlap_table, comp_notes = [], None, []
        cs = t.get("complementarity_summary")
        if cs is not None and (cs["parent"] == sec.scale).any():
            r = cs[cs["parent"] == sec.scale].iloc[0]
            comp_summary = [
                {"value": f"{float(r['score']):.2f}", "label": "complementarity score (0-1)"},
                {"value": f"{100 * float(r['coverage']):.0f}%", "label": "of parent priorities covered by a child"},
                {"value": f"{float(r['distinctiveness']):.2f}", "label": "distinctiveness of the children (0-1)"},
                {"value": int(r["n_children"]), "label": "children"},
            ]
            for col, label in (("uncovered_priorities", "Parent priorities no child is specialised in"),
                               ("child_only_priorities", "Child priorities the parent does not carry")):
                items = [names.get(x, x) for x in str(r[col]).split(";") if x and x != "nan"]
                comp_notes.append(f"{label}: {', '.join(items) if items else 'none'}.")
        so = t.get("sibling_overlap")
        if so is not None and (so["parent"] == sec.scale).any():
            sub = so[so["parent"] == sec.scale]
            overlap_table = table_html(pd.DataFrame({
                "Child A": [child_name(c, sec.scale, scale_names) for c in sub["child_a"]],
                "Child B": [child_name(c, sec.scale, scale_names) for c in sub["child_b"]],
                "Jaccard overlap of priorities": sub["jaccard"].astype(float),
                "Theme": [full_names.get(x, x) for x in sub["theme"]],
                "Similarity within the theme": sub["within_theme_similarity"].astype(float),
                "Relation": sub["relation"].astype(str),
            }))
        if not comp_summary and not sec.charts.get("complementarity"):
            parent = str(row["parent"]) if isinstance(row["parent"], str) else ""
            comp_notes.append(
                f"{sec.name} has no child scales in this audit"
                + (f"; it is one of the children of {scale_names.get(parent, parent)} (switch the scale to see "
                   "how it contributes)." if parent else ".")
            )
        parent = row["parent"] if isinstance(row["parent"], str) else ""
        complexity_kpi = peer_complexity_kpi(t.get("peers"), sec.scale)
        scale_ctx.append({
            "scale": sec.scale, "name": sec.name, "area": row["area"] if _is_area_code(str(row["area"])) else "",
            "area_name": row["area_name"],
            "level": row["level"], "reference_name": row["reference_name"], "n_lads": _fmt(row["n_lads"]),
            "parent_name": scale_names.get(parent, parent), "kpis": kpis, "diagram": Markup(sec.diagram),
            "framework_rows": len(fw), "framework_table": table_html(_framework_frame(fw, full_names, registry)),
            "framework_notes": [_replace_ids(n, id_names) for n in per_scale_notes.get(sec.scale, [])],
            "evidence_rows": int((ev["status"] != "not available at this scale").sum()),
            "evidence_table": table_html(_evidence_frame(ev, full_names, registry, manifest)),
            "unavailable": _unavailable(ev, registry, manifest),
            "charts": {k: sec.charts.get(k, []) for k in ("strengths", "trends", "priorities", "opportunities",
                                                         "peers", "network", "composition", "innovation", "business",
                                                         "supply", "complementarity", "stability")},
            "missing": {k: sec.notes.get(k, "Not produced by this audit.") for k in
                        ("opportunities", "network", "composition", "innovation", "stability", "supply", "trends",
                         "peers")},
            "industry_table": industry_table(t.get("activities"), sec.scale, names),
            "similar": similar_areas(t.get("activities"), sec.scale, scale_names),
            "complexity_kpi": complexity_kpi,
            "similar_regions": similar_regions_text(t.get("peer_regions"), sec.scale, sec.name),
            "similar_note": ("The audit wrote no peer_regions table (an audit output from before it was added): the "
                             "most similar UK regions are not shown; rerun the audit to add them."
                             if t.get("peer_regions") is None else
                             "No comparison with the UK regions at this scale: it has no employment by SIC class."),
            "links_table": _links_table(t.get("supply"), sec.scale, full_names),
            "verdict_table": verdict_table,
            "surprise_table": surprise_table,
            "complementarity_summary": comp_summary, "overlap_table": overlap_table,
            "complementarity_notes": comp_notes,
        })

    inputs = inputs_frame(manifest)
    inputs.insert(0, "source", [source_name(k, manifest) for k in inputs["key"]])
    inputs["notes"] = [("; ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)) for v in inputs["notes"]]
    methods = methods_frame(manifest)
    boundaries_table = table_html(pd.DataFrame([
        {"Level": b.level, "File": b.path.name, "SHA-256": b.sha256, "Code property": b.id_property,
         "Areas drawn": len(b.matched), "Areas without polygon": len(b.unmatched), "Attribution": b.attribution}
        for b in boundaries
    ]), print_hide=("SHA-256", "Code property")) if boundaries else None
    packages = pd.DataFrame(sorted((manifest.get("packages") or {}).items()), columns=["Package", "Version"])
    synthetic = manifest.get("synthetic") or ""
    latest = latest_data_year(audit)
    config_sha = str(manifest.get("config_sha256", ""))
    dated = []
    if years:
        dated.append(f"Evidence {years[0]} to {years[1]}")
    if latest:
        dated.append(f"latest data year {latest}")
    indicators_frame = t.get("indicators")
    context = {
        "title": title or report_title(manifest),
        "dated": " · ".join(dated) if dated else "Data years not recorded in the audit's config",
        "sia_version": manifest.get("sia_version", ""), "python": manifest.get("python", ""),
        "config_sha256": config_sha, "n_sources": len(manifest.get("inputs", {})),
        "synthetic": synthetic, "css": Markup(_asset("report.css")), "js": Markup(_asset("report.js")),
        "geo_stub": Markup(GEO_ASSETS_STUB), "plotly_gz": Markup(plotly_gzip_base64()),
        "plotly_version": plotly.offline.get_plotlyjs_version(),
        "scales": scale_ctx, "global_charts": global_charts, "all_charts": all_charts, "tables": tables,
        "figure_json": figures, "shared_json": {k: Markup(v.replace("</", "<\\/")) for k, v in sorted(shared.items())},
        "map_notes": list(map_notes),
        "sources_table": table_html(inputs.rename(columns={c: c.capitalize() for c in inputs.columns}).rename(
            columns={"Key": "Input key", "Sha256": "SHA-256"}),
            print_hide=("Input key", "SHA-256", "Path", "Loader", "Query")),
        "attributions": _attributions(manifest, boundaries),
        "boundaries_table": boundaries_table,
        "methods_table": table_html(methods.rename(columns={c: str(c).capitalize() for c in methods.columns})),
        "data_treatment": [str(x) for x in manifest.get("data_treatment", [])],
        "audit_notes": [_replace_ids(str(n), id_names) for n in general_notes],
        "scales_table": table_html(scales.rename(columns={c: column_label(c) for c in scales.columns}).rename(
            columns={"Scale": "Scale id", "Name": "Scale"}), print_hide=("District codes",)),
        "themes_table": table_html(themes.rename(columns={c: column_label(c) for c in themes.columns}).rename(
            columns={"Theme": "Theme id", "Name": "Theme"}), print_hide=("Resolved codes", "Codes")),
        "indicators_table": table_html(indicators_frame.rename(columns={c: column_label(c) for c in
                                                                          indicators_frame.columns}).rename(
            columns={"Indicator": "Indicator id"})) if indicators_frame is not None else None,
        "report_notes": list(report_notes), "packages_table": table_html(packages),
        "config_json": json.dumps(manifest.get("config", {}), indent=2, sort_keys=True, default=str),
    }
    return _template().render(**context)


def _links_table(supply: pd.DataFrame | None, scale: str, names: Mapping[str, str]) -> Markup | None:
    """Key upstream and downstream industries of each theme at one scale, named (not IOAT codes)."""
    if supply is None or "scale" not in supply.columns:
        return None
    links = supply[supply["scale"] == scale]
    if links.empty:
        return None
    frame = pd.DataFrame({
        "Theme": [names.get(x, x) for x in links["theme"]],
        "Key upstream industries (suppliers)": [industries_text(x) for x in links["upstream"]],
        "Key downstream industries (buyers)": [industries_text(x) for x in links["downstream"]],
        "Input-output industries of the theme": [industries_text(x, limit=6) for x in links["industries"]],
    })
    return table_html(frame)
