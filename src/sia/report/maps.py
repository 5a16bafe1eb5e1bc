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

from sia.report.charts import Chart, _style, lq_colour_axis, slug
from sia.report.labels import INDICATOR_LABELS as REGISTRY_LABELS
from sia.report.labels import split_map_indicator, wrap

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
    "employment_lq": "Employment LQ (ratio; 1 = reference share)",
    "gva_lq": "GVA LQ (ratio; 1 = reference share)",
    "gva_total": "Total GVA (GBP million)",
    "growth_pct": "Employment growth (%)",
    "jobs_per_gbp_m_gva": "Jobs per GBP m of GVA (jobs / GBP m)",
    "gva_per_job": "GVA per job (GBP thousand)",
    "jobs": "Jobs (count)",
    "gva": "GVA (GBP m)",
    "share_of_area": "Share of the area's jobs (share)",
    "productivity_ratio": "GVA per job relative to the reference (ratio)",
    "sme_share": "SME share of enterprises (share)",
}
LQ_INDICATORS = frozenset({"lq", "employment_lq", "gva_lq"})
LEVEL_NAMES: dict[str, str] = {"LAD": "local authority district", "ITL1": "ITL1 region", "ITL2": "ITL2 region",
                               "ITL3": "ITL3 area", "LEP": "LEP area", "CAUTH": "combined authority",
                               "RGN": "region"}
MAX_NAMED_AREAS = 30
"""Maps with at most this many areas name every area; larger maps name the five highest."""
COORD_DECIMALS = 4
"""Boundary coordinates are rounded to 4 decimals of a degree (about 10 m; the BUC files are generalised to
far more than that), which halves the size of the embedded GeoJSON."""


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
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Area code -> (lon, lat) of a point inside the area (for its name label)."""


def parse_indicator(indicator: str) -> tuple[str, str]:
    """A map indicator -> (measure, theme id): ``employment_lq:cluster-03`` (the audit's form) or
    ``lq_transport`` (measure and theme joined by ``_``); ``gva_total`` has no theme."""
    base, theme = split_map_indicator(indicator)
    if theme or base in INDICATOR_LABELS:
        return base, theme
    for key in sorted(INDICATOR_LABELS, key=len, reverse=True):
        if base.startswith(key + "_"):
            return key, base[len(key) + 1:]
    return base, ""


def indicator_label(indicator: str, theme_names: Mapping[str, str] | None = None) -> str:
    """A reader label with units for a map indicator (``employment_lq:cluster-03`` ->
    "Employment LQ (ratio; 1 = reference share), Motor vehicles cluster")."""
    base, theme = parse_indicator(indicator)
    label = INDICATOR_LABELS.get(base)
    if label is None:
        name, unit = REGISTRY_LABELS.get(base, (base.replace("_", " ").capitalize(), ""))
        label = f"{name} ({unit})" if unit else name
    if theme:
        label += ", " + (theme_names or {}).get(theme, theme.replace("_", " ").replace("-", " "))
    return label


def _round_coords(coords: object) -> object:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), COORD_DECIMALS) for c in coords]
        return [_round_coords(c) for c in coords]
    return coords


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
    features, points = [], {}
    for f in kept:
        geometry = _rewind_clockwise(f["geometry"])
        geometry = {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"])}
        code = f["properties"][prop]
        features.append({"type": "Feature", "id": code, "properties": {"code": code}, "geometry": geometry})
        p = shape(geometry).representative_point()
        points[code] = (round(p.x, COORD_DECIMALS), round(p.y, COORD_DECIMALS))
    matched = sorted({f["id"] for f in features})
    unmatched = sorted(codes - set(matched))
    return Boundary(
        level=level, path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest(), id_property=prop,
        geojson={"type": "FeatureCollection", "features": features}, matched=matched, unmatched=unmatched,
        attribution=attribution_for(path, user_supplied=user_supplied), vintage=_year(path), points=points,
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


def choropleth_chart(maps: pd.DataFrame, level: str, indicator: str, boundary: Boundary, *,
                     theme_names: Mapping[str, str] | None = None, reference_name: str = "the reference area") -> Chart:
    """A choropleth of one indicator at one level, offline (plotly geo, no basemap), with area names.

    Location quotients are drawn on a diverging scale from 0, white at LQ = 1; other indicators on
    the sequential ``cividis`` scale.
    """
    sub = maps[(maps["level"] == level) & (maps["indicator"] == indicator)].copy()
    drawn = sub["area"].isin(set(boundary.matched)) & sub["value"].notna()
    notes = []
    if (~drawn).any():
        notes.append(f"{int((~drawn).sum())} area(s) not drawn (no polygon in {boundary.path.name} or no value): "
                     + ", ".join(sub.loc[~drawn, "area"].astype(str)))
    shown = sub[drawn]
    base, theme = parse_indicator(indicator)
    measure = indicator_label(base)
    theme_label = (theme_names or {}).get(theme, theme.replace("-", " ")) if theme else ""
    years = sorted({str(int(y)) for y in sub["year"].dropna()})
    level_name = LEVEL_NAMES.get(level.upper(), level)
    is_lq = base in LQ_INDICATORS
    values = shown["value"].to_numpy(float)
    if is_lq:
        z, kw = lq_colour_axis(values)
        ticks = kw.pop("ticks")
        colour = {"z": z, "colorscale": kw["colorscale"], "zmin": kw["zmin"], "zmax": kw["zmax"],
                  "colorbar": {"title": {"text": "Location<br>quotient"}, **ticks}}
    else:
        colour = {"z": values, "colorscale": "Cividis", "colorbar": {"title": {"text": wrap(measure, 16)}}}
    fig = go.Figure(go.Choropleth(
        geojson=boundary.geojson, locations=shown["area"], featureidkey="id", customdata=values,
        text=shown["area_name"], marker={"line": {"color": "white", "width": 0.6}},
        hovertemplate="%{text} (%{location})<br>%{customdata:.3g}<extra></extra>", **colour,
    ))
    named = shown if len(shown) <= MAX_NAMED_AREAS else shown.sort_values("value", ascending=False).head(5)
    pts = [boundary.points.get(a) for a in named["area"]]
    keep = [p is not None for p in pts]
    if any(keep):
        fig.add_trace(go.Scattergeo(
            lon=[p[0] for p in pts if p is not None], lat=[p[1] for p in pts if p is not None],
            text=[wrap(n, 16) for n, k in zip(named["area_name"], keep, strict=True) if k], mode="text",
            textfont={"size": 10, "color": "#111", "shadow": "1px 1px 2px #fff, -1px -1px 2px #fff"},
            hoverinfo="skip", showlegend=False, name="area names",
        ))
    fig.update_geos(fitbounds="locations", visible=False, scope="world", resolution=110, projection_type="mercator")
    what = measure.split(" (")[0]
    title = f"{what} of {theme_label} by {level_name}" if theme_label else f"{what} by {level_name}"
    title += f", {', '.join(years)}" if years else ""
    _style(fig, title, None, None, height=580, title_width=52)  # maps are drawn two abreast (about 600 px)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 70, "b": 46})
    credit = boundary.attribution.split(". Contains LPS")[0].replace(". Contains", ".<br>Contains")
    fig.add_annotation(text=credit, xref="paper", yref="paper", x=0, y=-0.02, yanchor="top",
                       showarrow=False, xanchor="left", align="left", font={"size": 9, "color": "#444"})
    lo, hi = (float(np.nanmin(values)), float(np.nanmax(values))) if len(shown) else (np.nan, np.nan)
    names_text = ("Every area is named." if len(shown) <= MAX_NAMED_AREAS
                  else "The five areas with the highest values are named.")
    if is_lq:
        caption = (f"Each {level_name} is shaded by its {what} in {theme_label or 'the indicator'}: purple areas are "
                   f"more specialised than {reference_name} (LQ above 1), orange less, white equal; the colour scale "
                   f"runs from 0 and LQs of 4 or more share the darkest purple (range here {lo:.2f} to {hi:.2f}). "
                   f"{names_text} Hover an area for its value; the table lists every area, including any that could "
                   "not be drawn.")
    else:
        caption = (f"Each {level_name} is shaded by {measure[:1].lower() + measure[1:]}: brighter yellow is higher, "
                   f"dark blue lower (range {lo:,.3g} to {hi:,.3g}). {names_text} Hover an area for its value; the "
                   f"table lists every area, including any that could not be drawn.")
    table = sub.assign(indicator=indicator_label(indicator, theme_names))[["area", "area_name", "indicator", "value",
                                                                            "year"]]
    table = table.rename(columns={"area": "Area code", "area_name": "Area", "indicator": "Indicator", "value": "Value",
                                  "year": "Year"}).reset_index(drop=True)
    sources = ("employment",) if base in ("lq", "employment_lq") else ("gva_lad",) if base.startswith("gva") else ()
    return Chart(slug("map", level, indicator), title, caption, fig, table, None, notes + boundary.notes, sources,
                 data_years=", ".join(years))


def map_charts(
    maps: pd.DataFrame, *, boundaries_dir: Path | None = None, boundary_files: Mapping[str, Path] | None = None,
    theme_names: Mapping[str, str] | None = None, reference_name: str = "the reference area",
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
            charts.append(choropleth_chart(maps, level, indicator, boundary, theme_names=theme_names,
                                           reference_name=reference_name))
    return charts, used, notes
