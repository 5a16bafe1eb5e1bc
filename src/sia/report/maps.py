"""Choropleth maps from boundary GeoJSON files, drawn offline with plotly geo.

Boundaries come from a directory laid out like ``../shared/data/boundaries`` (see its
``PROVENANCE.md``: LAD Dec 2023 BUC, ITL 2021/2025) or from GeoJSON files the user names per level.
For each level of the audit's ``maps`` table the file whose feature codes match most of the table's
areas is chosen (ties go to the newest vintage), the matching features are kept, and every ring is
rewound so that exterior rings are clockwise: d3-geo, which plotly geo uses, reads a
counter-clockwise (RFC 7946) exterior as "the whole globe minus the polygon" (notes/stack.md s4).

Plotly geo always asks for its ``world_110m`` base topology from a CDN; the report defines
:data:`GEO_ASSETS_STUB` (an empty topology) before plotly.js so that nothing is fetched. No basemap
is drawn (``geo.visible = False``) and the view fits the drawn areas (``fitbounds="locations"``).

Areas of the ``maps`` table without a polygon are counted and named in the chart's notes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

from sia.report.charts import Chart, _style, slug

GEO_ASSETS_STUB = (
    'window.PlotlyGeoAssets = window.PlotlyGeoAssets || {}; '
    'window.PlotlyGeoAssets.topojson = Object.assign(window.PlotlyGeoAssets.topojson || {}, '
    '{"world_110m": {"type": "Topology", "objects": {}, "arcs": []}});'
)
"""JavaScript that gives plotly geo an empty ``world_110m`` topology so it never fetches one from the CDN."""

LEVEL_PATTERNS: dict[str, tuple[str, ...]] = {
    "LAD": ("lad*.geojson",), "ITL1": ("itl1_*.geojson",), "ITL2": ("itl2_*.geojson",), "ITL3": ("itl3_*.geojson",),
    "LEP": ("lep*.geojson",), "CAUTH": ("cauth*.geojson",), "RGN": ("rgn*.geojson",),
}
"""File-name patterns tried in a boundaries directory for each map level."""

INDICATOR_LABELS: dict[str, str] = {
    "lq": "Location quotient (ratio; 1 = reference share)",
    "growth_pct": "Employment growth (%)",
    "jobs_per_gbp_m_gva": "Jobs per GBP m of GVA (jobs / GBP m)",
    "gva_per_job": "GVA per job (GBP thousand)",
    "jobs": "Jobs (count)",
    "gva": "GVA (GBP m)",
    "share_of_area": "Share of the area's jobs (share)",
    "productivity_ratio": "GVA per job relative to the reference (ratio)",
    "sme_share": "SME share of enterprises (share)",
}


class BoundaryError(ValueError):
    """A boundary file cannot be used (unreadable, or none of its features match the areas)."""


@dataclass
class Boundary:
    """Boundaries of one map level, cut down to the areas drawn."""

    level: str
    path: Path
    sha256: str
    id_property: str
    geojson: dict
    matched: list[str]
    unmatched: list[str]
    attribution: str
    vintage: str
    notes: list[str] = field(default_factory=list)


def indicator_label(indicator: str) -> str:
    """A label with units for a map indicator such as ``lq_transport`` or ``jobs_per_gbp_m_gva``."""
    if indicator in INDICATOR_LABELS:
        return INDICATOR_LABELS[indicator]
    for key in sorted(INDICATOR_LABELS, key=len, reverse=True):
        if indicator.startswith(key + "_"):
            return f"{INDICATOR_LABELS[key]}, {indicator[len(key) + 1:].replace('_', ' ')}"
    return indicator.replace("_", " ")


def _year(path: Path) -> str:
    name = path.name.lower()
    m = re.search(r"_(19|20)(\d\d)_", name) or re.search(r"[a-z](\d\d)_", name)
    if m is None:
        return ""
    return m.group(1) + m.group(2) if len(m.groups()) == 2 else "20" + m.group(1)


def attribution_for(path: Path, *, user_supplied: bool = False) -> str:
    """Licence attribution of a boundary file (boundaries/PROVENANCE.md: OGL v3.0, OS, and LPS for UK-wide files)."""
    if user_supplied:
        return (f"User-supplied boundaries {path.name}: attribution as required by their publisher "
                "(for ONS boundaries: Source: Office for National Statistics licensed under the Open Government "
                "Licence v.3.0. Contains OS data © Crown copyright and database right [year]).")
    year = _year(path) or "[year]"
    text = (f"Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
            f"Contains OS data © Crown copyright and database right {year}.")
    if "_uk" in path.name.lower():
        text += (f" Contains LPS Intellectual Property © Crown copyright and database right {year}. This information "
                 f"is licensed under the Open Government Licence v3.0.")
    return text


def _rewind_clockwise(geometry: dict) -> dict:
    geom = shape(geometry)
    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=-1.0)
    elif geom.geom_type == "MultiPolygon":
        geom = type(geom)([orient(p, sign=-1.0) for p in geom.geoms])
    return mapping(geom)


def _read_geojson(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"{path}: cannot be read as GeoJSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise BoundaryError(f"{path}: expected a GeoJSON FeatureCollection with a 'features' list")
    return data


def _best_property(features: list[dict], codes: set[str]) -> tuple[str, int]:
    counts: dict[str, int] = {}
    for feat in features:
        for key, value in (feat.get("properties") or {}).items():
            if isinstance(value, str) and value in codes:
                counts[key] = counts.get(key, 0) + 1
    if not counts:
        return "", 0
    key = max(sorted(counts), key=lambda k: counts[k])
    return key, counts[key]


def load_boundary(path: Path, level: str, codes: set[str], *, user_supplied: bool = False) -> Boundary:
    """Read ``path``, keep the features whose code is in ``codes`` and rewind their rings clockwise.

    The code property is the one whose values match most of ``codes`` (``LAD23CD``, ``id``...).
    """
    path = Path(path)
    data = _read_geojson(path)
    prop, n = _best_property(data["features"], codes)
    if n == 0:
        raise BoundaryError(f"{path}: no feature property matches any of the {len(codes)} {level} area codes "
                            f"(e.g. {sorted(codes)[:3]})")
    kept = [f for f in data["features"] if (f.get("properties") or {}).get(prop) in codes]
    features = [{"type": "Feature", "id": f["properties"][prop], "properties": {"code": f["properties"][prop]},
                 "geometry": _rewind_clockwise(f["geometry"])} for f in kept]
    matched = sorted({f["id"] for f in features})
    unmatched = sorted(codes - set(matched))
    return Boundary(
        level=level, path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest(), id_property=prop,
        geojson={"type": "FeatureCollection", "features": features}, matched=matched, unmatched=unmatched,
        attribution=attribution_for(path, user_supplied=user_supplied), vintage=_year(path),
    )


def find_boundary(boundaries_dir: Path, level: str, codes: set[str]) -> Boundary | None:
    """The boundary file of ``boundaries_dir`` for ``level`` that matches most ``codes`` (ties: newest vintage)."""
    candidates: list[Path] = []
    for pattern in LEVEL_PATTERNS.get(level.upper(), (f"{level.lower()}*.geojson",)):
        candidates += sorted(Path(boundaries_dir).glob(pattern))
    best: Boundary | None = None
    for path in candidates:
        try:
            b = load_boundary(path, level, codes)
        except BoundaryError:
            continue
        if best is None or (len(b.matched), b.vintage) > (len(best.matched), best.vintage):
            best = b
    return best


def choropleth_chart(maps: pd.DataFrame, level: str, indicator: str, boundary: Boundary) -> Chart:
    """A choropleth of one indicator at one level, offline (plotly geo, no basemap)."""
    sub = maps[(maps["level"] == level) & (maps["indicator"] == indicator)].copy()
    drawn = sub["area"].isin(set(boundary.matched)) & sub["value"].notna()
    notes = []
    if (~drawn).any():
        notes.append(f"{int((~drawn).sum())} area(s) not drawn (no polygon in {boundary.path.name} or no value): "
                     + ", ".join(sub.loc[~drawn, "area"].astype(str)))
    shown = sub[drawn]
    label = indicator_label(indicator)
    years = sorted({str(int(y)) for y in sub["year"].dropna()})
    fig = go.Figure(go.Choropleth(
        geojson=boundary.geojson, locations=shown["area"], z=shown["value"], featureidkey="id",
        text=shown["area_name"], colorscale="Cividis", marker={"line": {"color": "white", "width": 0.6}},
        colorbar={"title": {"text": label}}, hovertemplate="%{text} (%{location})<br>%{z:.3g}<extra></extra>",
    ))
    fig.update_geos(fitbounds="locations", visible=False, scope="world", resolution=110, projection_type="mercator")
    title = f"{label} by {level}" + (f", {', '.join(years)}" if years else "")
    _style(fig, title, None, None, height=560)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 40})
    fig.add_annotation(text=boundary.attribution.split(". Contains LPS")[0], xref="paper", yref="paper", x=0, y=-0.06,
                       showarrow=False, xanchor="left", font={"size": 9, "color": "#555"})
    lo, hi = (float(np.nanmin(shown["value"])), float(np.nanmax(shown["value"]))) if len(shown) else (np.nan, np.nan)
    caption = (f"Each {level} area is shaded by {label.lower()}: brighter yellow is higher, dark blue lower "
               f"(range {lo:.3g} to {hi:.3g}). Hover an area for its value; the table lists every area, including any "
               f"that could not be drawn.")
    table = sub[["area", "area_name", "indicator", "value", "year"]].reset_index(drop=True)
    return Chart(slug("map", level, indicator), title, caption, fig, table, None, notes + boundary.notes)


def map_charts(
    maps: pd.DataFrame, *, boundaries_dir: Path | None = None, boundary_files: Mapping[str, Path] | None = None,
) -> tuple[list[Chart], list[Boundary], list[str]]:
    """All choropleths of the ``maps`` table.

    Returns ``(charts, boundaries used, notes)``; a level without boundaries is skipped with a note.
    """
    notes: list[str] = []
    charts: list[Chart] = []
    used: list[Boundary] = []
    if boundaries_dir is None and not boundary_files:
        return [], [], ["Maps skipped: no boundaries configured (pass --boundaries DIR or a GeoJSON file per level)."]
    if boundaries_dir is not None and not Path(boundaries_dir).is_dir():
        return [], [], [f"Maps skipped: boundaries directory {boundaries_dir} not found."]
    for level in sorted(maps["level"].unique()):
        codes = set(maps.loc[maps["level"] == level, "area"].astype(str))
        boundary: Boundary | None = None
        if boundary_files and level in boundary_files:
            boundary = load_boundary(Path(boundary_files[level]), level, codes, user_supplied=True)
        elif boundaries_dir is not None:
            boundary = find_boundary(Path(boundaries_dir), level, codes)
        if boundary is None:
            notes.append(f"Maps at {level} skipped: no boundary file for {level} in {boundaries_dir}.")
            continue
        used.append(boundary)
        for indicator in sorted(maps.loc[maps["level"] == level, "indicator"].unique()):
            charts.append(choropleth_chart(maps, level, indicator, boundary))
    return charts, used, notes
