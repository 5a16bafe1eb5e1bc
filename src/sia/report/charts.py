"""Plotly figure builders for the report: one function per chart.

Every builder returns a :class:`Chart`: the figure (with a title and axis titles that give units), a
caption that says what to read from it, the data table behind it (human column headers, names not
ids: shown in the report under a ``<details>`` element and exported with the static images) and the
input keys it draws on (for the source line of the static images). Colours come from the Okabe-Ito
palette (Okabe and Ito 2008, "Color Universal Design"), with the vermillion darkened to
:data:`VERMILLION` so that white text on it passes WCAG AA (4.5:1); location quotients use the
diverging, colour-blind-safe ``PuOr`` colours on a colour bar from 0, white at LQ = 1 (:func:`lq_colour_axis`).

Rows that a chart cannot show (a missing LQ, a suppressed cell) are not dropped silently: the
caption says how many were left out and why, and the data table keeps them.

Labels of points (bubbles, top opportunities, network hubs) are placed by :func:`place_labels`, a
greedy collision-avoiding placer: plotly has no label-repulsion option, and the few dozen labels of a
chart do not justify a force-layout library.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sia.metrics.peers import industry_similarity
from sia.report.labels import (
    ALIGNMENT_LABELS,
    INNOVATION_LABELS,
    QUADRANT_LABELS,
    cluster_name,
    column_label,
    industries_text,
    region_label,
    sic_section,
    source_name,
    theme_names,
    wrap,
)
from sia.report.meta import years_text

OKABE_ITO: tuple[str, ...] = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
"""Okabe-Ito colour-blind-safe palette (orange, sky blue, bluish green, yellow, blue, vermillion, purple, black)."""

VERMILLION = "#B85000"
"""Okabe-Ito vermillion darkened so white text on it has a contrast of 5.0:1 (the original #D55E00: 3.9:1)."""

ROLE_COLOURS = {"market-driven priority": VERMILLION, "enabling competency": OKABE_ITO[4], "": "#999999"}
ROLE_LABELS = {"market-driven priority": "Market-driven priority", "enabling competency": "Enabling competency",
               "": "Other theme"}
QUADRANT_COLOURS = {"strategic": "#009E73", "low_hanging": "#0072B2", "long_jump": "#E69F00",
                    "low_priority": "#999999", "present": "#d9d9d9", "": "#d9d9d9"}
AXIS = {"showline": True, "linecolor": "#444", "ticks": "outside", "tickcolor": "#444", "showgrid": False,
        "zeroline": False, "automargin": True}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
LQ_MAX = 4.0
"""Top of every LQ colour scale: LQs of 4 or more share the darkest purple (the colour bar says "4+")."""
LQ_TICKS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
"""LQ values marked on LQ colour bars (a linear axis from 0: an LQ is never negative)."""
LQ_STOPS: tuple[tuple[float, str], ...] = (
    (0.0, "#7f3b08"), (0.25, "#b35806"), (2 ** -1.5, "#e08214"), (0.5, "#fdb863"), (0.75, "#fee0b6"),
    (1.0, "#f7f7f7"), (4 / 3, "#d8daeb"), (2.0, "#b2abd2"), (2 ** 1.5, "#8073ac"), (4.0, "#542788"),
)
"""LQ -> colour: ColorBrewer PuOr (orange = under-represented, white = LQ 1, purple = specialised), with
reciprocal LQs in the same shade (0.5 and 2, 0.75 and 4/3...), so that "half the reference share" looks as
strong as "twice it" although the axis itself is linear from 0."""
NOMINAL_PLOT = (860.0, 400.0)
"""Plot-area size (px) labels are placed for: the smallest the report draws a full-width chart at (A4
landscape print); labels are anchored in data coordinates, so larger drawings only spread them apart."""


NETWORK_SYMBOLS = ("circle", "square", "diamond")


@dataclass
class Chart:
    """A report chart.

    Attributes
    ----------
    key
        Unique id (used for the HTML element id and the static file name).
    title, caption
        The figure title and what to read from it.
    figure
        The plotly figure.
    table
        The data behind the chart (human column headers).
    scale
        The scale id the chart belongs to (``None`` for charts that are the same at every scale).
    notes
        Rows left out of the figure and why.
    sources
        Input keys of ``manifest.json`` the chart draws on.
    source_line
        "Source: ..." with the data years (set by :func:`sia.report.build.collect_charts`).
    data_years
        The years of the chart's own data when they are not the audit's base to latest year.
    """

    key: str
    title: str
    caption: str
    figure: go.Figure
    table: pd.DataFrame
    scale: str | None = None
    notes: list[str] = field(default_factory=list)
    sources: tuple[str, ...] = ()
    source_line: str = ""
    data_years: str = ""
    """The years the chart's data are of ("2021", "2012 to 2020"), when not the audit's base to latest year."""


def slug(*parts: str) -> str:
    """An id made of ``[a-z0-9-]`` from ``parts``."""
    return re.sub(r"[^a-z0-9]+", "-", "-".join(str(p) for p in parts).lower()).strip("-")


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21; AA text needs 4.5)."""

    def luminance(colour: str) -> float:
        h = colour.lstrip("#")
        rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _style(fig: go.Figure, title: str, x_title: str | None, y_title: str | None, *, height: int = 460,
           legend_top: bool = False, title_width: int = 90) -> go.Figure:
    """Apply the report's look in one ``update_layout`` call (plotly validation is the slow part of building)."""
    xaxis = dict(AXIS, **({"title": {"text": x_title}} if x_title is not None else {}))
    yaxis = dict(AXIS, **({"title": {"text": y_title}} if y_title is not None else {}))
    legend = ({"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0}
              if legend_top else {"orientation": "h", "yanchor": "top", "y": -0.14, "xanchor": "left", "x": 0.0})
    fig.update_layout(
        title={"text": wrap(title, title_width), "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        template="none",
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": FONT, "size": 12, "color": "#222"},
        height=height,
        margin={"l": 70, "r": 30, "t": 80 if legend_top else 56, "b": 60},
        legend=legend,
        colorway=list(OKABE_ITO),
        hoverlabel={"font": {"family": FONT}},
        xaxis=xaxis,
        yaxis=yaxis,
    )
    return fig


def _theme_names(themes: pd.DataFrame) -> dict[str, str]:
    """Theme id -> chart name (data-driven clusters shortened, see :func:`sia.report.labels.short_theme_name`)."""
    return theme_names(themes)


def theme_axis_labels(themes: pd.DataFrame, width: int = 26) -> dict[str, str]:
    """Theme id -> chart name wrapped with ``<br>`` for a category axis."""
    return {k: wrap(v, width) for k, v in _theme_names(themes).items()}


def measure_title(measure: str) -> str:
    """``"GVA"`` stays as it is, ``"employment"`` -> ``"Employment"``."""
    return measure if measure.isupper() else measure.capitalize()


def _years_text(years: tuple[int, int] | None) -> str:
    return f"{years[0]} to {years[1]}" if years else "base to latest year"


def lq_colour_axis(values: Sequence[float] | np.ndarray) -> tuple[np.ndarray, dict]:
    """LQs for a diverging colour scale that starts at 0, is white at LQ = 1 and saturates at :data:`LQ_MAX`.

    Returns ``(values clipped to 0..LQ_MAX, plotly keyword arguments: colorscale, zmin, zmax, and the
    colour-bar ticks under "ticks")``. The colour bar is a plain linear LQ axis from 0 (never an impossible
    negative LQ); the colours (:data:`LQ_STOPS`) make an LQ and its reciprocal equally strong.
    """
    v = np.asarray(values, dtype=float)
    z = np.clip(v, 0.0, LQ_MAX)
    scale = [[round(lq / LQ_MAX, 6), colour] for lq, colour in LQ_STOPS]
    ticks = {"tickvals": list(LQ_TICKS),
             "ticktext": [f"{t:g}" + ("+" if t == LQ_MAX else "") + (" (= reference)" if t == 1 else "")
                          for t in LQ_TICKS]}
    return z, {"colorscale": scale, "zmin": 0.0, "zmax": LQ_MAX, "ticks": ticks}


# ----------------------------------------------------------------------------- label placement


def _text_size(text: str, font_px: float = 11.0) -> tuple[float, float]:
    """Conservative box (w, h) in px of a plotly text with ``<br>`` line breaks (system-ui, 0.6 em per char)."""
    lines = str(text).split("<br>")
    return max(len(line) for line in lines) * font_px * 0.6 + 6.0, len(lines) * font_px * 1.3 + 4.0


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


RINGS: tuple[tuple[float, bool], ...] = ((2.0, False), (16.0, True), (34.0, True), (56.0, True), (84.0, True),
                                        (120.0, True), (165.0, True), (220.0, True))
"""Candidate label distances (px beyond the point's radius) and whether the label needs a leader line."""
HALF_DIRS = ((0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1), (1, 0.5), (-1, 0.5), (1, -0.5), (-1, -0.5))
"""Extra directions tried for labels with a leader line."""


def place_labels(
    xy: np.ndarray, radii: Sequence[float], texts: Sequence[str], size: tuple[float, float] = NOMINAL_PLOT, *,
    obstacles: Sequence[tuple[float, float, float, float]] = (), font_px: float = 11.0,
    order: Sequence[int] | None = None, clearance: float = 5.0,
    avoid: np.ndarray | None = None,
) -> list[tuple[float, float, bool]]:
    """Greedy label placement: for each point, the first candidate position whose box is inside the plot
    area and overlaps no label, no point and no obstacle.

    Parameters
    ----------
    xy
        ``(n, 2)`` point positions in px from the bottom-left corner of the plot area.
    radii
        Point radii in px.
    texts
        Label texts (``<br>`` for line breaks).
    size
        Plot-area width and height in px.
    obstacles
        Boxes ``(x0, y0, x1, y1)`` to keep clear (corner annotations).
    order
        Order in which points are labelled (default: largest radius first).
    clearance
        Gap (px) kept between a label and the other points, so that a label is not read as another's.
    avoid
        ``(m, 2)`` further points (px, unlabelled) that labels should not cover, e.g. the rest of a scatter.

    Returns
    -------
    list of (dx, dy, arrow)
        Offset in px (y up) of each label's centre from its point, and whether a leader line is needed.
        Candidates: next to the point in 8 directions, then the further rings of :data:`RINGS` in 16
        directions with a leader line (a line crossing another label or point costs as an overlap); when
        none is free, the candidate with the least overlap (labels are never dropped).
    """
    w_plot, h_plot = size
    n = len(texts)
    r = np.asarray(radii, dtype=float)
    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    point_boxes = [(x - ri - clearance, y - ri - clearance, x + ri + clearance, y + ri + clearance)
                   for (x, y), ri in zip(pts, r, strict=True)]
    crowd = np.asarray(avoid, dtype=float).reshape(-1, 2) if avoid is not None else np.empty((0, 2))
    placed: list[tuple[float, float, float, float]] = list(obstacles)
    lines: list[tuple[float, float, float, float]] = []
    out: list[tuple[float, float, bool]] = [(0.0, 0.0, False)] * n
    dirs = ((0, 1), (1, 0), (-1, 0), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
    for i in (order if order is not None else np.argsort(-r, kind="stable")):
        w, h = _text_size(texts[i], font_px)
        x, y = pts[i]
        best: tuple[float, tuple[float, float, bool], tuple[float, float, float, float]] | None = None
        for extra, arrow in RINGS:
            for sx, sy in (dirs if not arrow else dirs + HALF_DIRS):
                d = r[i] + extra
                norm = 1.0 / float(np.hypot(sx, sy))
                cx = x + sx * (d * norm + w / 2)
                cy = y + sy * (d * norm + h / 2)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if box[0] < 0 or box[1] < 0 or box[2] > w_plot or box[3] > h_plot:
                    continue
                cost = sum(_overlap(box, b) for b in placed)
                cost += sum(_overlap(box, b) for j, b in enumerate(point_boxes) if j != i)
                if len(crowd):
                    inside = ((crowd[:, 0] > box[0] - 3) & (crowd[:, 0] < box[2] + 3) & (crowd[:, 1] > box[1] - 3)
                              & (crowd[:, 1] < box[3] + 3))
                    cost += 40.0 * float(inside.sum())
                if arrow:  # a leader line through another label or point reads as that label's
                    length = float(np.hypot(cx - x, cy - y))
                    t = np.linspace(0.0, 1.0, max(int(length / 4), 8))[:, None]
                    seg = np.array([x, y]) + t * (np.array([cx, cy]) - np.array([x, y]))
                    for b in placed + [pb for j, pb in enumerate(point_boxes) if j != i]:
                        hit = ((seg[:, 0] > b[0]) & (seg[:, 0] < b[2]) & (seg[:, 1] > b[1]) & (seg[:, 1] < b[3]))
                        cost += 25.0 * float(hit.sum())
                    cost += 400.0 * sum(_crosses((x, y, cx, cy), line) for line in lines)
                    cost += 0.05 * length
                cost += 1e-3 * (extra + (5.0 if arrow else 0.0))  # prefer near, unarrowed positions
                if best is None or cost < best[0]:
                    best = (cost, (cx - x, cy - y, arrow), box)
                if cost < 1.0:
                    break
            if best is not None and best[0] < 1.0:
                break
        if best is None:  # nothing inside the plot: put it above, the plot margin absorbs it
            best = (0.0, (0.0, r[i] + h / 2 + 2.0, False), (x - w / 2, y + r[i], x + w / 2, y + r[i] + h))
        out[i] = best[1]
        placed.append(best[2])
        if best[1][2]:
            lines.append((x, y, x + best[1][0], y + best[1][1]))
    return out


def _crosses(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether segments ``a`` and ``b`` (x0, y0, x1, y1) cross (touching ends do not count)."""

    def side(px: float, py: float, qx: float, qy: float, rx: float, ry: float) -> float:
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)

    d1 = side(b[0], b[1], b[2], b[3], a[0], a[1])
    d2 = side(b[0], b[1], b[2], b[3], a[2], a[3])
    d3 = side(a[0], a[1], a[2], a[3], b[0], b[1])
    d4 = side(a[0], a[1], a[2], a[3], b[2], b[3])
    return d1 * d2 < 0 and d3 * d4 < 0


def _label_annotations(x: Sequence[float], y: Sequence[float], texts: Sequence[str],
                       placements: Sequence[tuple[float, float, bool]], radii: Sequence[float], *,
                       units: tuple[float, float], font_px: float = 11.0, xref: str = "x", yref: str = "y",
                       bgcolor: str | None = None) -> list[dict]:
    """Plotly annotations for :func:`place_labels` results (leader lines stop at the point's edge).

    ``units`` is the px per data unit of each axis at the size the labels were placed for. Labels are
    anchored in data coordinates, not pixel offsets: drawn larger than that size (a wider screen, a
    slide), every label centre moves apart from every other label and point in proportion, so labels
    placed without overlap at the nominal size never overlap at a larger one (a pixel offset would keep
    a label at a fixed distance from its point while the other points move).
    """
    ux, uy = units
    out = []
    for xi, yi, text, (dx, dy, arrow), ri in zip(x, y, texts, placements, radii, strict=True):
        cx, cy = float(xi) + float(dx) / (ux or 1.0), float(yi) + float(dy) / (uy or 1.0)
        base = {"xref": xref, "yref": yref, "text": text, "xanchor": "center", "yanchor": "middle",
                "font": {"size": font_px, "color": "#222"}, "align": "center"}
        if bgcolor:
            base["bgcolor"] = bgcolor
        if arrow:
            base.update(x=float(xi), y=float(yi), showarrow=True, ax=cx, ay=cy, axref=xref, ayref=yref, arrowhead=0,
                        arrowwidth=0.8, arrowcolor="#666", standoff=float(ri))
        else:
            base.update(x=cx, y=cy, showarrow=False)
        out.append(base)
    return out


def _units(x_range: Sequence[float], y_range: Sequence[float], size: tuple[float, float]) -> tuple[float, float]:
    """Px per data unit of each axis when the plot area is ``size``."""
    return (size[0] / ((x_range[1] - x_range[0]) or 1.0), size[1] / ((y_range[1] - y_range[0]) or 1.0))


def _to_px(values: np.ndarray, lo: float, hi: float, length: float) -> np.ndarray:
    return (np.asarray(values, dtype=float) - lo) / ((hi - lo) or 1.0) * length


def _corner_boxes(texts: Sequence[str], size: tuple[float, float], font_px: float = 11.0) -> list[tuple]:
    """Boxes of the four corner annotations (top-right, top-left, bottom-right, bottom-left)."""
    w_plot, h_plot = size
    boxes = []
    for text, (right, top) in zip(texts, ((True, True), (False, True), (True, False), (False, False)), strict=True):
        w, h = _text_size(text, font_px)
        x0 = w_plot - w - 4 if right else 4
        y0 = h_plot - h - 4 if top else 4
        boxes.append((x0, y0, x0 + w, y0 + h))
    return boxes


def _corner_annotations(fig: go.Figure, texts: Sequence[str]) -> None:
    for text, (xa, ya, xan, yan) in zip(texts, ((0.995, 0.995, "right", "top"), (0.005, 0.995, "left", "top"),
                                                (0.995, 0.005, "right", "bottom"), (0.005, 0.005, "left", "bottom")),
                                        strict=True):
        fig.add_annotation(text=text, xref="x domain", yref="y domain", x=xa, y=ya, xanchor=xan, yanchor=yan,
                           showarrow=False, font={"size": 11, "color": "#444"}, bgcolor="rgba(255,255,255,0.85)")


# ----------------------------------------------------------------------------- evidence helpers

GVA_FALLBACK = {"lq": "gva_lq", "growth_pct": "gva_growth_pct", "share_of_area": "gva_share_of_area"}
"""Employment indicator -> the GVA indicator the audit writes where employment is not available."""


def strength_view(evidence: pd.DataFrame) -> pd.DataFrame:
    """The evidence with, at scales that have no employment value of an indicator, its GVA counterpart
    under the employment name (``gva_lq`` shown as ``lq``: its ``unit`` and ``note`` still say GVA), so one
    chart draws both. Rows are never summed or invented: the employment rows replaced are those marked
    "not available at this scale"."""
    ev = evidence
    out = [ev[~ev["indicator"].isin(GVA_FALLBACK.values())]]
    for emp, gva in GVA_FALLBACK.items():
        has_emp = ev[(ev["indicator"] == emp) & ev["value"].notna()]["scale"].unique()
        alt = ev[(ev["indicator"] == gva) & ~ev["scale"].isin(has_emp)].copy()
        if alt.empty:
            continue
        out[0] = out[0][~((out[0]["indicator"] == emp) & out[0]["scale"].isin(alt["scale"].unique()))]
        alt["indicator"] = emp
        out.append(alt)
    return pd.concat(out, ignore_index=True).sort_values(["scale", "theme", "indicator"], kind="stable")


def strength_measure(evidence: pd.DataFrame, scale: str) -> str:
    """``"GVA"`` when the scale's LQ (in :func:`strength_view`) is a GVA LQ, else ``"employment"``."""
    lq = evidence[(evidence["scale"] == scale) & (evidence["indicator"] == "lq")]
    units = " ".join(lq["unit"].astype(str))
    if "GVA" in units:
        return "GVA"
    has_jobs = evidence[(evidence["scale"] == scale) & (evidence["indicator"] == "jobs")]["value"].notna().any()
    has_gva_lq = evidence[(evidence["scale"] == scale) & (evidence["indicator"] == "gva_lq")]["value"].notna().any()
    return "GVA" if (not has_jobs and has_gva_lq) else "employment"


def _evidence_wide(evidence: pd.DataFrame, scale: str, indicators: Sequence[str]) -> pd.DataFrame:
    """Scale slice of the evidence table, one row per theme, one column per indicator (+ lq_low/lq_high)."""
    sub = evidence[(evidence["scale"] == scale) & evidence["indicator"].isin(indicators)]
    wide = sub.pivot(index="theme", columns="indicator", values="value")
    for ind in indicators:
        if ind not in wide.columns:
            wide[ind] = np.nan
    if "lq" in indicators:
        lq = sub[sub["indicator"] == "lq"].set_index("theme")
        wide["lq_low"] = lq["low"].reindex(wide.index)
        wide["lq_high"] = lq["high"].reindex(wide.index)
    status = sub.pivot(index="theme", columns="indicator", values="status")
    wide["status"] = status.apply(
        lambda r: "; ".join(
            f"{column_label(str(k))}: {v}" for k, v in r.items() if isinstance(v, str) and v not in ("observed",
                                                                                                  "rounded")),
        axis=1,
    ).reindex(wide.index)
    return wide


def _sources(evidence: pd.DataFrame, scale: str | None, indicators: Sequence[str]) -> tuple[str, ...]:
    sub = evidence[evidence["indicator"].isin(indicators) & evidence["value"].notna()]
    if scale is not None:
        sub = sub[sub["scale"] == scale]
    return tuple(sorted({str(s) for s in sub["source"] if str(s)}))


def _human(frame: pd.DataFrame, rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Frame with human column headers (:func:`sia.report.labels.column_label`, overridden by ``rename``)."""
    rename = dict(rename or {})
    return frame.rename(columns={c: rename.get(c, column_label(str(c))) for c in frame.columns})


# ----------------------------------------------------------------------------- strengths


def bubble_chart(
    evidence: pd.DataFrame, framework: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str,
    *, y: str | None = None, measure: str | None = None, years: tuple[int, int] | None = None,
    reference_name: str = "the reference area",
) -> Chart:
    """The SIA bubble chart: LQ (x, with its interval) against growth or competitive effect (y), bubble = size.

    Quadrant lines at LQ = 1 and y = 0 split strong & growing, strong & declining, emerging (not yet
    specialised but growing) and weak & declining themes. Bubble area is proportional to jobs (or to
    GVA at scales with GVA evidence only, where the LQ is a GVA LQ without an interval).
    """
    names = _theme_names(themes)
    full = theme_names(themes, short=False)  # hover only
    measure = measure or strength_measure(evidence, scale)
    if y is None:
        has_growth = evidence[(evidence["scale"] == scale) & (evidence["indicator"] == "growth_pct")]["value"].notna()
        y = "growth_pct" if has_growth.any() else "competitive_effect"
    size = "gva" if measure == "GVA" else "jobs"
    yrs = _years_text(years)
    if y == "growth_pct":
        y_title = (f"GVA growth in current prices, {yrs} (%)" if measure == "GVA"
                   else f"Employment growth, {yrs} (%)")
    else:
        y_title = "Shift-share competitive effect (jobs)"
    wide = _evidence_wide(evidence, scale, ["lq", size, y])
    roles = framework[framework["scale"] == scale].set_index("theme")["role"]
    wide["role"] = roles.reindex(wide.index).fillna("")
    wide["name"] = [names.get(t, t) for t in wide.index]
    wide["full_name"] = [full.get(t, t) for t in wide.index]
    ok = wide[["lq", y, size]].notna().all(axis=1)
    notes = []
    if (~ok).any():
        notes.append(f"{int((~ok).sum())} theme(s) not plotted for lack of LQ, {column_label(y).lower()} or "
                     f"{column_label(size).lower()}: " + ", ".join(wide.loc[~ok, "name"]))
    shown = wide[ok]
    unit = "jobs" if size == "jobs" else "GBP m GVA"
    max_size = float(shown[size].max()) if len(shown) else 1.0
    diam = np.maximum(56.0 * np.sqrt(np.clip(shown[size].to_numpy(float), 0, None) / (max_size or 1.0)), 6.0)
    has_ci = measure != "GVA" and shown[["lq_low", "lq_high"]].notna().all(axis=None)
    lo_x = np.nanmin(np.r_[shown["lq_low"].to_numpy(float) if has_ci else shown["lq"].to_numpy(float), 1.0])
    hi_x = np.nanmax(np.r_[shown["lq_high"].to_numpy(float) if has_ci else shown["lq"].to_numpy(float), 1.0])
    span_x = (hi_x - lo_x) or 1.0
    x_range = [max(lo_x - 0.10 * span_x, 0.0), hi_x + 0.10 * span_x]
    lo_y = min(float(shown[y].min()), 0.0) if len(shown) else -1.0
    hi_y = max(float(shown[y].max()), 0.0) if len(shown) else 1.0
    span_y = (hi_y - lo_y) or 1.0
    y_range = [lo_y - 0.16 * span_y, hi_y + 0.16 * span_y]
    fig = go.Figure()
    for role in ("market-driven priority", "enabling competency", ""):
        mask = (shown["role"] == role).to_numpy()
        part = shown[mask]
        if part.empty:
            continue
        cd = np.column_stack([part[size], part["lq_low"], part["lq_high"], part["full_name"]])
        interval = "<br>95% interval %{customdata[1]:.2f} to %{customdata[2]:.2f}" if has_ci else " (no interval)"
        fig.add_trace(go.Scatter(
            x=part["lq"], y=part[y], mode="markers", name=ROLE_LABELS[role], text=part["name"],
            marker={"size": diam[mask], "sizemode": "diameter", "sizeref": 1, "color": ROLE_COLOURS[role],
                    "opacity": 0.8, "line": {"width": 1, "color": "#333"}},
            error_x=({"type": "data", "symmetric": False, "array": part["lq_high"] - part["lq"],
                      "arrayminus": part["lq"] - part["lq_low"], "color": "#555", "thickness": 1}
                     if has_ci else {"visible": False}),
            customdata=cd, cliponaxis=False,
            hovertemplate="<b>%{customdata[3]}</b><br>" + measure_title(measure) + " LQ %{x:.2f}" + interval
                          + "<br>" + column_label(y) + " %{y:.2f}<br>" + unit + " %{customdata[0]:,.0f}<extra></extra>",
        ))
    fig.add_vline(x=1.0, line={"dash": "dash", "color": "#666", "width": 1})
    fig.add_hline(y=0.0, line={"dash": "dash", "color": "#666", "width": 1})
    corners = ("Strong & growing", "Emerging (growing, not yet specialised)", "Strong & declining", "Weak & declining")
    _corner_annotations(fig, corners)
    if len(shown):
        px = np.column_stack([_to_px(shown["lq"], *x_range, NOMINAL_PLOT[0]),
                              _to_px(shown[y], *y_range, NOMINAL_PLOT[1])])
        texts = [wrap(n, 22) for n in shown["name"]]
        whiskers = []
        if has_ci:
            lo_px = _to_px(shown["lq_low"], *x_range, NOMINAL_PLOT[0])
            hi_px = _to_px(shown["lq_high"], *x_range, NOMINAL_PLOT[0])
            whiskers = [(a, yy - 3.0, b, yy + 3.0) for a, b, yy in zip(lo_px, hi_px, px[:, 1], strict=True)]
        x1 = float(_to_px(np.array([1.0]), *x_range, NOMINAL_PLOT[0])[0])
        y0 = float(_to_px(np.array([0.0]), *y_range, NOMINAL_PLOT[1])[0])
        quadrant_lines = [(x1 - 1.5, 0.0, x1 + 1.5, NOMINAL_PLOT[1]), (0.0, y0 - 1.5, NOMINAL_PLOT[0], y0 + 1.5)]
        place = place_labels(px, diam / 2, texts,
                             obstacles=_corner_boxes(corners, NOMINAL_PLOT) + whiskers + quadrant_lines)
        for ann in _label_annotations(shown["lq"], shown[y], texts, place, diam / 2,
                                      units=_units(x_range, y_range, NOMINAL_PLOT)):
            fig.add_annotation(ann)
    title = f"Strength and growth of the themes: {scale_name}"
    x_title = f"{measure_title(measure)} location quotient (ratio to {reference_name}; 1 = same share)"
    _style(fig, title, x_title, y_title, height=580, legend_top=True)
    fig.update_xaxes(range=x_range)
    fig.update_yaxes(range=y_range)
    latest = f" in {years[1]}" if years else ""
    if measure == "GVA":
        caption = (f"Each bubble is a theme; its area is proportional to its GVA (GBP million{latest}). Employment by "
                   "industry is not published for this scale's areas, so strength is a GVA location quotient, which "
                   "has no interval (GVA is apportioned to themes, not sampled). Right of the dashed line at LQ = 1 "
                   f"the theme is a larger share of the area's GVA than of {reference_name}'s; above the line at 0 "
                   f"its GVA grew in current prices ({yrs}). Read the top-right quadrant (strong and growing) first.")
    else:
        growing = ("it grew faster than the national trend of its industries" if y == "competitive_effect"
                   else f"its jobs grew ({yrs})")
        caption = (f"Each bubble is a theme; its area is proportional to its jobs{latest} and its whisker is the 95% "
                   f"interval of its employment LQ. Right of the dashed line at LQ = 1 the theme is a larger share of "
                   f"the area's jobs than of {reference_name}'s; above the line at 0 " + growing + ". Read the "
                   "top-right quadrant (strong and growing) first; a whisker crossing 1 means the specialisation is "
                   "not statistically significant.")
        if _lq_status(evidence, scale) == "estimated":
            caption += (" BRES publishes employment by industry for ITL2 regions, not for this area's districts: its "
                        "jobs are the audit's estimates for the districts (status 'estimated'), so read small "
                        "differences with care.")
    cols = ["name", "role", "lq", *(["lq_low", "lq_high"] if measure != "GVA" else []), y, size, "status"]
    table = _human(wide.reset_index()[cols], {"name": "Theme", "lq": f"{measure_title(measure)} LQ",
                                                "gva": "GVA (GBP million)"})
    table["Role"] = [ROLE_LABELS[r] for r in wide["role"]]
    return Chart(slug("bubble", scale), title, caption, fig, table, scale, notes,
                 _sources(evidence, scale, ["lq", size, y]))


TREND_MEASURES = {"jobs": ("Jobs", "Jobs (log scale)", "jobs"),
                  "gva": ("GVA", "GVA, GBP million in current prices (log scale)", "GBP m")}
"""Indicator of the ``trends`` table -> (title word, axis title, hover unit)."""
ROLE_DASH = {"market-driven priority": "solid", "enabling competency": "dot"}
SOLID_STATUSES = ("observed", "rounded")
"""Trend points drawn with filled markers; other statuses (estimated, incomplete) get open markers."""


def priority_themes(framework: pd.DataFrame, scale: str) -> pd.DataFrame:
    """The themes holding a role at the scale (``framework.role``), market-driven priorities first, by rank."""
    fw = framework[(framework["scale"] == scale) & (framework["role"].astype(str) != "")].copy()
    fw["_order"] = [0 if r == "market-driven priority" else 1 for r in fw["role"]]
    return fw.sort_values(["_order", "role_rank", "theme"], kind="stable").drop(columns="_order")


def trends_chart(trends: pd.DataFrame, framework: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str,
                 indicator: str = "jobs") -> Chart | None:
    """Jobs (or GVA) of the scale's priority themes year by year, from the audit's ``trends`` table.

    One line per theme holding a role (solid: market-driven priority, dotted: enabling competency) on a log
    axis, so that equal slopes are equal growth rates whatever the theme's size; open markers are values whose
    status is not observed/rounded (estimated district employment, incomplete GVA). ``None`` when the scale has
    no priority theme or no values of ``indicator``.
    """
    word, y_title, unit = TREND_MEASURES[indicator]
    full = _theme_names(themes)
    sub = trends[(trends["scale"] == scale) & (trends["indicator"] == indicator)]
    prio = priority_themes(framework, scale)
    sub = sub[sub["theme"].isin(prio["theme"])]
    if sub.empty or not sub["value"].notna().any():
        return None
    role_of = dict(zip(prio["theme"], prio["role"], strict=True))
    ok = sub["value"].notna() & (sub["value"].astype(float) > 0)
    notes = []
    if (~ok).any():
        notes.append(f"{int((~ok).sum())} theme-year value(s) missing or zero not plotted (log axis)")
    fig = go.Figure()
    for i, theme in enumerate(t for t in prio["theme"] if t in set(sub["theme"])):
        part = sub[(sub["theme"] == theme) & ok].sort_values("year")
        if part.empty:
            continue
        role = role_of[theme]
        solid = part["status"].astype(str).isin(SOLID_STATUSES).to_numpy()
        colour = [c for c in OKABE_ITO if c != "#F0E442"][i % 7]  # no yellow lines on white
        fig.add_trace(go.Scatter(
            x=part["year"].astype(int), y=part["value"].astype(float), mode="lines+markers",
            name=f"{full.get(theme, theme)} ({ROLE_LABELS[role].lower()})",
            line={"color": colour, "width": 2.5, "dash": ROLE_DASH.get(role, "solid")},
            marker={"size": 8, "color": colour, "symbol": np.where(solid, "circle", "circle-open").tolist(),
                    "line": {"width": 2, "color": colour}},
            customdata=np.column_stack([part["status"].astype(str), [full.get(theme, theme)] * len(part)]),
            hovertemplate="<b>%{customdata[1]}</b><br>%{x}: %{y:,.0f} " + unit + " (%{customdata[0]})<extra></extra>",
        ))
    years = sorted({int(y) for y in sub["year"]})
    yrs = years_text(years)
    title = f"{word} in the priority themes, {yrs}: {scale_name}"
    rows = (len(prio) + 1) // 2  # legend rows (two entries a row)
    _style(fig, title, "Year", y_title, height=450 + 22 * rows, legend_top=False)
    fig.update_yaxes(type="log")
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years])
    # the legend 62 px under the plot area (below the ticks and the axis title); the plot area is 304 px high
    fig.update_layout(margin={"b": 90 + 22 * rows}, legend={"y": -62 / 304, "yanchor": "top"})
    statuses = sorted(set(sub.loc[ok, "status"].astype(str)) - set(SOLID_STATUSES))
    caption = (f"{word} in each theme that holds a framework role at {scale_name}, year by year (log scale: equal "
               "slopes are equal growth rates, whatever the theme's size). Solid lines are market-driven "
               "priorities, dotted lines enabling competencies. The last year is the value of the evidence table; "
               "themes overlap, so the lines are not to be added up.")
    if statuses:
        caption += (f" Open markers are {' or '.join(statuses)} values"
                    + (" (employment by industry is not published for this area's districts: the audit estimates "
                       "it from the ITL2 figures)" if "estimated" in statuses and indicator == "jobs" else "")
                    + "; the table gives each value's status.")
    if indicator == "gva":
        caption += " GVA is in current prices (not adjusted for inflation), apportioned to themes by employment."
    table = pd.DataFrame({
        "Theme": [full.get(t, t) for t in sub["theme"]], "Role": [ROLE_LABELS[role_of[t]] for t in sub["theme"]],
        "Year": sub["year"].astype(int).astype(str).to_numpy(),
        (f"{word} (GBP million)" if indicator == "gva" else word): sub["value"].astype(float).to_numpy(),
        "Status": sub["status"].astype(str).to_numpy(),
        "Source": [source_name(str(x)) for x in sub["source"]], "Grain": sub["grain"].astype(str).to_numpy(),
    })
    return Chart(slug("trends", indicator, scale), title, caption, fig, table, scale, notes,
                 tuple(sorted({str(x) for x in sub["source"] if str(x)})), data_years=yrs)


def peer_complexity_chart(peers: pd.DataFrame, peer_regions: pd.DataFrame, scale: str, scale_name: str) -> Chart | None:
    """The scale's economic complexity placed among every UK region of the audit's ``peers`` table (bars, ECI
    scale: 0 = the regions' mean), regions inside the scale in blue. ``None`` when the scale has no value."""
    row = peers[peers["scale"] == scale]
    regions = peer_regions[peer_regions["scale"] == scale]
    if row.empty or regions.empty or not np.isfinite(float(row["eci"].iloc[0])):
        return None
    r = row.iloc[0]
    own = str(r["region"]) if isinstance(r["region"], str) else ""
    bars = pd.DataFrame({"name": regions["region_name"].astype(str), "eci": regions["eci"].astype(float),
                         "rank": regions["complexity_rank"].astype(float), "kind": regions["overlap"].astype(str),
                         "region": regions["region"].astype(str)})
    bars["name"] = [region_label(n, scale_name) for n in bars["name"]]
    if not own:
        bars = pd.concat([bars, pd.DataFrame({"name": [scale_name], "eci": [float(r["eci"])],
                                              "rank": [float(r["complexity_rank"])], "kind": ["self"],
                                              "region": [""]})], ignore_index=True)
    else:
        bars.loc[bars["region"] == own, ["name", "kind"]] = [f"{scale_name} (the region itself)", "self"]
    bars = bars[bars["eci"].notna()].sort_values(["eci", "name"], ascending=[True, True], kind="stable")
    colour = {"self": VERMILLION, "inside": OKABE_ITO[4], "part": OKABE_ITO[1], "": "#BDBDBD"}
    label = {"self": scale_name, "inside": f"Region inside {scale_name}", "part": f"Region partly in {scale_name}",
             "": "Other UK region"}
    fig = go.Figure()
    for kind in ("self", "inside", "part", ""):
        part = bars[bars["kind"] == kind]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            x=part["eci"], y=part["name"], orientation="h", name=label[kind], marker_color=colour[kind],
            customdata=part["rank"], hovertemplate="%{y}: ECI %{x:.2f}, rank %{customdata:.0f}<extra></extra>",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=list(bars["name"]), tickfont={"size": 10})
    n_regions, year = int(r["n_regions"]), int(r["year"])
    title = f"Economic complexity of {scale_name} among the {n_regions} UK regions, {year}"
    _style(fig, title, "Economic complexity (ECI: 0 = the regions' mean, in standard deviations)",
           "UK region (NUTS2)", height=160 + 17 * len(bars), legend_top=True)
    estimated = str(r["status"]) == "estimated"
    caption = (f"Each bar is a NUTS2 region of Great Britain (BRES employment by SIC class, {year}); its complexity "
               "is the mean complexity (PCI) of the industries it is specialised in, which for these regions is "
               f"their ECI. {scale_name} is placed on the same scale from the industries it is specialised in "
               f"(rank {int(r['complexity_rank'])} of {int(r['n_ranked'])}, 1 = most complex). Complexity is "
               "oriented by productivity: more complex regions have higher GVA per job."
               + ("" if own else " An area's complexity is not the average of its regions': a union is specialised "
                  "in what it holds more of than the UK as a whole, which can be fewer complex industries than any "
                  "of its parts."))
    if estimated:
        caption += (" This area is not a union of NUTS2 regions: its specialisations come from the audit's estimates "
                    "of its districts' employment (status 'estimated').")
    table = pd.DataFrame({"Area": bars["name"][::-1].to_numpy(), "ECI": bars["eci"][::-1].to_numpy(),
                          "Rank": bars["rank"][::-1].to_numpy(),
                          "Relation to this area": [{"self": "this area", "inside": "inside", "part": "partly inside",
                                                     "": ""}[k] for k in bars["kind"][::-1]]})
    sources = tuple(sorted({"employment_nuts2", str(r["source"])}))
    return Chart(slug("peer-complexity", scale), title, caption, fig, table, scale, [], sources,
                 data_years=str(year))


def _lq_status(evidence: pd.DataFrame, scale: str) -> str:
    """``"estimated"`` when the scale's LQs are (mostly) estimated, else ``""``."""
    st = evidence[(evidence["scale"] == scale) & (evidence["indicator"] == "lq") & evidence["value"].notna()]["status"]
    return "estimated" if len(st) and (st.astype(str) == "estimated").mean() >= 0.5 else ""


def themes_heatmap(evidence: pd.DataFrame, themes: pd.DataFrame, scales: pd.DataFrame, indicator: str = "lq") -> Chart:
    """Heatmap of one evidence indicator, themes (rows) x scales (columns).

    For ``lq`` the colour bar is a linear LQ axis from 0, white at LQ = 1 (:func:`lq_colour_axis`), and each
    column says whether its LQs are of employment or of GVA (:func:`strength_measure`), and estimated.
    """
    names = theme_axis_labels(themes, 30)
    full = _theme_names(themes)
    sub = evidence[evidence["indicator"] == indicator]
    wide = sub.pivot(index="theme", columns="scale", values="value")
    scale_order = [s for s in scales["scale"] if s in wide.columns]
    wide = wide.reindex(index=[t for t in themes["theme"] if t in wide.index], columns=scale_order)
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    raw = wide.to_numpy(dtype=float)
    measures: dict[str, str] = {}
    if indicator == "lq":
        measures = {s: strength_measure(evidence, s) for s in scale_order}
        estimated = {s: _lq_status(evidence, s) for s in scale_order}
        kinds = {s: f"{measures[s] if measures[s] == 'GVA' else 'employment'} LQ"
                    + (", estimated" if estimated[s] else "") for s in scale_order}
        x = [wrap(scale_names[s], 14) + "<br>(" + kinds[s].replace(", ", ",<br>") + ")" for s in scale_order]
        z, kw = lq_colour_axis(raw)
        colorbar = {"title": {"text": "Location<br>quotient"}, **kw.pop("ticks")}
        kwargs = dict(kw)
        label = "Location quotient"
    else:
        kinds = {}
        x = [wrap(scale_names[s], 14) for s in scale_order]
        z, colorbar, kwargs = raw, {"title": {"text": wrap(column_label(indicator), 14)}}, {"colorscale": "Cividis"}
        label = column_label(indicator)
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=[names.get(t, t) for t in wide.index], customdata=raw,
        text=np.where(np.isnan(raw), "n/a", np.char.mod("%.2f", np.nan_to_num(raw))), texttemplate="%{text}",
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", colorbar=colorbar, xgap=1, ygap=1,
        **kwargs,
    ))
    fig.update_yaxes(autorange="reversed")
    title = f"{label} of each theme at each scale"
    _style(fig, title, "Scale (and what its location quotients measure)" if indicator == "lq" else "Scale",
           f"Theme ({label.lower()}, ratio)" if indicator == "lq" else "Theme", height=190 + 38 * len(wide))
    fig.update_xaxes(side="bottom", tickangle=0)
    if indicator == "lq":
        n_gva = sum(m == "GVA" for m in measures.values())
        n_est = sum("estimated" in k for k in kinds.values())
        parts = ["Each cell is a theme's location quotient at one scale: its share of the area's jobs (or GVA) over "
                 "its share of the reference area's. Purple cells (LQ above 1) are specialisations, orange cells "
                 "(below 1) are under-represented and white is the reference share. The colour bar runs from 0; "
                 "an LQ and its reciprocal (0.5 and 2) have the same strength of colour, and LQs of 4 or more share "
                 "the darkest purple. The number in each cell is the LQ."]
        if n_gva and n_gva < len(measures):
            parts.append(f"{n_gva} of the {len(measures)} columns are GVA LQs (no employment evidence there) and "
                         "the others employment LQs, as each column's label says: compare colours within a "
                         "column before comparing across the two measures.")
        elif n_gva:
            parts.append("Every column is a GVA LQ (share of GVA).")
        else:
            parts.append("Every column is an employment LQ.")
        if n_est:
            parts.append(f"{n_est} column(s) marked 'estimated' use employment estimated for their districts "
                         "(BRES is published for ITL2 regions), so read small differences there with care.")
        caption = " ".join(parts)
    else:
        caption = "Each cell is a theme's value at one scale. Darker cells are lower, brighter cells higher."
    table = wide.rename(columns={s: f"{scale_names[s]} ({kinds[s]})" if kinds else scale_names[s]
                                 for s in wide.columns}).reset_index()
    table.insert(0, "Theme", [full.get(t, t) for t in table["theme"]])
    table = table.drop(columns=["theme"])
    return Chart(slug("heatmap", indicator), title, caption, fig, table, None,
                 sources=_sources(evidence, None, [indicator]))


def ranking_chart(ranking: pd.DataFrame, framework: pd.DataFrame, themes: pd.DataFrame, scale: str,
                  scale_name: str) -> Chart:
    """Weighted-sum priority score per theme (bars), with the TOPSIS rank for method sensitivity."""
    names, full = theme_axis_labels(themes), _theme_names(themes)
    sub = ranking[ranking["scale"] == scale].sort_values("rank")
    roles = framework[framework["scale"] == scale].set_index("theme")["role"]
    sub = sub.assign(name=[names.get(t, t) for t in sub["theme"]], role=roles.reindex(sub["theme"]).fillna("").values)
    fig = go.Figure()
    for role in ("market-driven priority", "enabling competency", ""):
        part = sub[sub["role"] == role]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            x=part["score"], y=part["name"], orientation="h", name=ROLE_LABELS[role],
            marker_color=ROLE_COLOURS[role], customdata=np.column_stack([part["rank"], part["rank_topsis"]]),
            text=[f"rank {r:.0f} (TOPSIS {t:.0f})" for r, t in zip(part["rank"], part["rank_topsis"], strict=True)],
            textposition="outside", cliponaxis=False, textfont={"color": "#222"},
            hovertemplate="%{y}<br>score %{x:.3f}<br>rank %{customdata[0]}, TOPSIS rank %{customdata[1]}"
                          "<extra></extra>",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=list(sub["name"][::-1]))
    title = f"Priority score of each theme: {scale_name}"
    _style(fig, title, "Weighted-sum score (0-1, higher = stronger case)", "Theme",
           height=150 + 34 * len(sub), legend_top=True)
    top = float(sub["score"].max()) if len(sub) else 1.0
    fig.update_xaxes(range=[0, max(top, 0.01) * 1.32])
    caption = ("Themes ordered by the weighted-sum multi-criteria score; colour shows the framework role. "
               "The label gives the rank under a second method (TOPSIS): where the two ranks differ a lot, "
               "the ordering depends on the method.")
    table = sub.assign(Theme=[full.get(t, t) for t in sub["theme"]],
                       Role=[ROLE_LABELS[r] for r in sub["role"]])[["Theme", "Role", "score", "rank", "score_topsis",
                                                                   "rank_topsis"]]
    return Chart(slug("ranking", scale), title, caption, fig, _human(table.reset_index(drop=True)), scale)


# ----------------------------------------------------------------------------- opportunities


def _traded_filter(sub: pd.DataFrame, activity_classes: pd.DataFrame | None) -> tuple[pd.DataFrame, int]:
    """Drop local-serving classes (``activity_classes.traded`` false): they are not diversification targets."""
    if activity_classes is None or "traded" not in activity_classes.columns:
        return sub, 0
    traded = dict(zip(activity_classes["activity"].astype(str), activity_classes["traded"].astype(bool),
                      strict=True))
    keep = sub["activity"].astype(str).map(lambda a: traded.get(a, True)).astype(bool)
    return sub[keep], int((~keep).sum())


def opportunity_ranking(opportunities: pd.DataFrame, scale: str,
                        activity_classes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Activities not yet specialised at ``scale``, ranked by a balanced opportunity score.

    score = mean of the percentile ranks (among the scale's absent, traded activities) of relatedness
    density (feasibility), PCI (complexity) and COG (what the activity would add to the area's
    complexity): the Atlas of Economic Complexity's "balanced portfolio" strategy, with equal weights
    (Hausmann et al. 2014; Growth Lab Metroverse rank growth opportunities the same way). Local-serving
    classes are left out (they follow local demand).
    """
    sub = opportunities[(opportunities["scale"] == scale) & ~opportunities["present"].astype(bool)]
    sub = sub[sub[["density", "pci", "cog"]].notna().all(axis=1)]
    sub, _ = _traded_filter(sub, activity_classes)
    if sub.empty:
        return sub.assign(score=pd.Series(dtype=float), rank=pd.Series(dtype=int))
    pct = sub[["density", "pci", "cog"]].rank(pct=True)
    out = sub.assign(score=pct.mean(axis=1))
    out = out.sort_values(["score", "activity"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def opportunity_chart(opportunities: pd.DataFrame, scale: str, scale_name: str, *,
                      activity_classes: pd.DataFrame | None = None, n_labels: int = 8) -> Chart:
    """Feasibility (relatedness density, x) against complexity (PCI, y): the audit's opportunity quadrants.

    The dashed lines are the medians of density and PCI over the activities not yet specialised at the
    scale, the same splits as ``sia.metrics.proximity.opportunity_quadrants`` wrote into the table's
    ``quadrant`` column; each point is coloured by that column, so the chart and the table agree.
    """
    sub = opportunities[opportunities["scale"] == scale].copy()
    ok = sub[["density", "pci"]].notna().all(axis=1)
    notes = [f"{int((~ok).sum())} activities without density or complexity not plotted"] if (~ok).any() else []
    shown = sub[ok]
    absent = shown[~shown["present"].astype(bool)]
    f_split = float(absent["density"].median()) if len(absent) else np.nan
    a_split = float(absent["pci"].median()) if len(absent) else np.nan
    fig = go.Figure()
    for quadrant in ("present", "strategic", "low_hanging", "long_jump", "low_priority"):
        part = shown[shown["quadrant"].astype(str) == quadrant]
        if part.empty:
            continue
        present = quadrant == "present"
        fig.add_trace(go.Scatter(
            x=part["density"], y=part["pci"], mode="markers", name=QUADRANT_LABELS[quadrant],
            marker={"color": QUADRANT_COLOURS[quadrant], "size": 6 if present else 8,
                    "symbol": "diamond" if present else "circle",
                    "line": {"width": 0.5 if present else 1, "color": "#999" if present else "#333"}},
            text=part["activity"].astype(str) + " " + part["activity_name"].astype(str), customdata=part["cog"],
            hovertemplate="%{text}<br>density %{x:.3f}<br>PCI %{y:.2f}<br>COG %{customdata:.2f}<extra></extra>",
        ))
    if np.isfinite(f_split):
        fig.add_vline(x=f_split, line={"dash": "dash", "color": "#666", "width": 1})
        fig.add_hline(y=a_split, line={"dash": "dash", "color": "#666", "width": 1})
    corners = (QUADRANT_LABELS["strategic"], QUADRANT_LABELS["long_jump"], QUADRANT_LABELS["low_hanging"],
               QUADRANT_LABELS["low_priority"])
    _corner_annotations(fig, corners)
    ranked = opportunity_ranking(opportunities, scale, activity_classes).head(n_labels)
    if len(shown):
        x_lo, x_hi = float(shown["density"].min()), float(shown["density"].max())
        y_lo, y_hi = float(shown["pci"].min()), float(shown["pci"].max())
        x_range = [x_lo - 0.06 * ((x_hi - x_lo) or 1), x_hi + 0.06 * ((x_hi - x_lo) or 1)]
        y_range = [y_lo - 0.14 * ((y_hi - y_lo) or 1), y_hi + 0.14 * ((y_hi - y_lo) or 1)]
        fig.update_xaxes(range=x_range)
        fig.update_yaxes(range=y_range)
        if len(ranked):
            px = np.column_stack([_to_px(ranked["density"], *x_range, NOMINAL_PLOT[0]),
                                  _to_px(ranked["pci"], *y_range, NOMINAL_PLOT[1])])
            texts = [wrap(f"{r}. {_short_activity(n)}", 24) for r, n in zip(ranked["rank"], ranked["activity_name"],
                                                                             strict=True)]
            radii = np.full(len(ranked), 5.0)
            crowd = np.column_stack([_to_px(shown["density"], *x_range, NOMINAL_PLOT[0]),
                                     _to_px(shown["pci"], *y_range, NOMINAL_PLOT[1])])
            place = place_labels(px, radii, texts, obstacles=_corner_boxes(corners, NOMINAL_PLOT), font_px=10.0,
                                 order=list(range(len(ranked))), avoid=crowd)
            for ann in _label_annotations(ranked["density"], ranked["pci"], texts, place, radii, font_px=10.0,
                                          units=_units(x_range, y_range, NOMINAL_PLOT),
                                          bgcolor="rgba(255,255,255,0.9)"):
                fig.add_annotation(ann)
    title = f"Opportunities: feasibility against complexity: {scale_name}"
    _style(fig, title, "Relatedness density (share of related capabilities present, 0-1)",
           "Activity complexity (PCI, z-score)", height=580)
    fig.update_layout(legend={"y": -0.16})
    caption = ("Each point is an SIC class; grey diamonds are those the area is already specialised in. Further right, "
               "more of the capabilities related to the activity are already present (more feasible); higher up, the "
               "activity is more complex. The dashed lines are the medians of the classes not yet present, as in the "
               "audit's opportunity quadrants (the colours are the table's quadrant column). Numbers mark the top "
               f"{len(ranked)} of the opportunity ranking below.")
    table = shown.assign(quadrant=[QUADRANT_LABELS.get(str(q), str(q)) for q in shown["quadrant"]])
    table = _human(table[["activity", "activity_name", "present", "density", "pci", "cog", "quadrant"]]
                   .reset_index(drop=True))
    return Chart(slug("opportunities", scale), title, caption, fig, table, scale, notes, ("employment_nuts2",))


def _short_activity(name: str) -> str:
    name = re.sub(r"^Manufacture of (other )?", "", str(name))
    return name[:1].upper() + name[1:]


def top_opportunities_chart(opportunities: pd.DataFrame, scale: str, scale_name: str, *,
                            activity_classes: pd.DataFrame | None = None, n: int = 15) -> Chart:
    """The top ``n`` diversification opportunities of :func:`opportunity_ranking`, ranked and labelled."""
    ranked = opportunity_ranking(opportunities, scale, activity_classes)
    top = ranked.head(n).iloc[::-1]
    labels = [wrap(f"{r}. {_short_activity(a)}", 44) for r, a in zip(top["rank"], top["activity_name"], strict=True)]
    fig = go.Figure()
    for quadrant in ("strategic", "low_hanging", "long_jump", "low_priority"):
        mask = (top["quadrant"].astype(str) == quadrant).to_numpy()
        if not mask.any():
            continue
        part = top[mask]
        fig.add_trace(go.Bar(
            x=part["score"], y=[lab for lab, m in zip(labels, mask, strict=True) if m], orientation="h",
            name=QUADRANT_LABELS[quadrant], marker_color=QUADRANT_COLOURS[quadrant],
            customdata=np.column_stack([part["density"], part["pci"], part["cog"], part["activity"]]),
            hovertemplate="SIC %{customdata[3]}: %{y}<br>score %{x:.2f}<br>density %{customdata[0]:.3f}, "
                          "PCI %{customdata[1]:.2f}, COG %{customdata[2]:.2f}<extra></extra>",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=labels)
    fig.update_xaxes(range=[0, 1])
    title = f"Top {min(n, len(ranked))} diversification opportunities: {scale_name}"
    _style(fig, title, "Opportunity score (mean percentile of feasibility, complexity and outlook gain, 0-1)",
           "Activity (rank)", height=170 + 34 * max(len(top), 1), legend_top=True)
    caption = ("SIC classes the area is not yet specialised in, ranked by a balanced score: the average of their "
               "percentile ranks in relatedness density (how feasible), complexity (PCI) and complexity outlook gain "
               "(how much they would add), as in the Atlas of Economic Complexity's balanced strategy. Local-serving "
               "classes are left out. Colour is the audit's opportunity quadrant.")
    table = ranked.head(max(n, 30)).assign(quadrant=[QUADRANT_LABELS.get(str(q), str(q)) for q in
                                                     ranked.head(max(n, 30))["quadrant"]])
    table = _human(table[["rank", "activity", "activity_name", "quadrant", "score", "density", "pci", "cog"]],
                   {"score": "Opportunity score (0-1)"})
    return Chart(slug("top-opportunities", scale), title, caption, fig, table, scale, [], ("employment_nuts2",))


def network_positions(edges: pd.DataFrame, nodes: Sequence[str], seed: int = 7,
                      clusters: Mapping[str, int] | None = None) -> dict[str, tuple[float, float]]:
    """Layout of the relatedness network (networkx ``spring_layout``, Fruchterman-Reingold, fixed ``seed``).

    With ``clusters`` (activity -> cluster) the layout is two-level so that clusters stand apart: the
    clusters are laid out as one node each (linked by their summed cross-cluster proximity), then each
    cluster's activities are laid out on their within-cluster links inside a disc around its centre,
    of radius proportional to the square root of its size. Positions are rounded to 4 decimals.
    """
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from(edges[["activity_a", "activity_b", "proximity"]].itertuples(index=False, name=None))
    if not clusters:
        k = 1.6 / np.sqrt(max(len(graph), 1))
        pos = nx.spring_layout(graph, seed=seed, weight="weight", k=k, iterations=80)
        return {str(n): (round(float(v[0]), 4), round(float(v[1]), 4)) for n, v in pos.items()}
    members: dict[int, list[str]] = {}
    for n in nodes:
        members.setdefault(int(clusters.get(n, -1)), []).append(n)
    cg = nx.Graph()
    cg.add_nodes_from(sorted(members))
    for a, b, w in edges[["activity_a", "activity_b", "proximity"]].itertuples(index=False, name=None):
        ca, cb = int(clusters.get(a, -1)), int(clusters.get(b, -1))
        if ca != cb and ca in members and cb in members:
            prev = cg.get_edge_data(ca, cb, {"weight": 0.0})["weight"]
            cg.add_edge(ca, cb, weight=prev + float(w))
    if len(cg) <= 2:
        centres = {c: np.array([2.0 * i - (len(cg) - 1), 0.0]) for i, c in enumerate(sorted(cg))}
    else:
        centres = nx.spring_layout(cg, seed=seed, weight="weight", k=2.5 / np.sqrt(len(cg)), iterations=200)
    biggest = max(len(m) for m in members.values())
    spread = min((float(np.linalg.norm(centres[a] - centres[b])) for a in centres for b in centres if a != b),
                 default=1.0)
    out: dict[str, tuple[float, float]] = {}
    for c, names in sorted(members.items()):
        # not graph.subgraph(names): a subgraph view iterates its nodes through a set, whose order depends on
        # the string hash seed, and spring_layout's result depends on node order
        inside = set(names)
        sub = nx.Graph()
        sub.add_nodes_from(names)
        sub.add_edges_from((u, v) for u, v in graph.edges(names) if u in inside and v in inside)
        radius = 0.48 * spread * np.sqrt(len(names) / biggest)
        if len(names) == 1:
            local = {names[0]: np.zeros(2)}
        else:
            local = nx.spring_layout(sub, seed=seed, weight=None, k=2.2 / np.sqrt(len(names)), iterations=100)
        xy = np.array([local[n] for n in names], dtype=float)
        xy -= np.median(xy, axis=0)
        dist = np.hypot(xy[:, 0], xy[:, 1])
        extent = float(np.quantile(dist, 0.9)) if len(names) > 2 else float(dist.max())
        xy = xy / (extent or 1.0) * radius
        far = np.hypot(xy[:, 0], xy[:, 1]) > 1.15 * radius  # a few loosely linked members: pull them to the edge
        xy[far] *= (1.15 * radius / np.hypot(xy[far, 0], xy[far, 1]))[:, None]
        xy += centres[c]
        for n, (x, y) in zip(names, xy, strict=True):
            out[str(n)] = (round(float(x), 4), round(float(y), 4))
    return out


def network_chart(
    edges: pd.DataFrame, clusters: pd.DataFrame, opportunities: pd.DataFrame | None, scale: str, scale_name: str,
    positions: Mapping[str, tuple[float, float]],
) -> Chart:
    """The relatedness network ("industry space") coloured by cluster; filled markers are present at the scale.

    The hub of each cluster (its activity with the largest summed proximity) is labelled with its name.
    Local-serving classes (cluster -1: not clustered, they follow local demand) are left out of the
    drawing, with a note, so that the clusters of traded activities stand apart.
    """
    local = clusters["cluster"].astype(int) < 0
    notes = [f"{int(local.sum())} local-serving classes (not clustered) are not drawn"] if local.any() else []
    nodes = clusters[~local].copy()
    kept = set(nodes["activity"])
    edges = edges[edges["activity_a"].isin(kept) & edges["activity_b"].isin(kept)]
    xy = np.array([positions.get(a, (np.nan, np.nan)) for a in nodes["activity"]], dtype=float).reshape(-1, 2)
    nodes["x"], nodes["y"] = xy[:, 0], xy[:, 1]
    present = set()
    if opportunities is not None:
        sub = opportunities[(opportunities["scale"] == scale) & opportunities["present"]]
        present = set(sub["activity"])
    nodes["present"] = nodes["activity"].isin(present)
    a = np.array([positions.get(x, (np.nan, np.nan)) for x in edges["activity_a"]], dtype=float).reshape(-1, 2)
    b = np.array([positions.get(x, (np.nan, np.nan)) for x in edges["activity_b"]], dtype=float).reshape(-1, 2)
    gap = np.full((len(edges), 1), np.nan)
    ex = np.hstack([a[:, :1], b[:, :1], gap]).ravel()
    ey = np.hstack([a[:, 1:], b[:, 1:], gap]).ravel()
    fig = go.Figure(go.Scatter(x=ex, y=ey, mode="lines", line={"width": 0.5, "color": "#dcdcdc"},
                               hoverinfo="skip", showlegend=False, name="proximity links"))
    degree = pd.concat([edges[["activity_a", "proximity"]].set_axis(["activity", "w"], axis=1),
                        edges[["activity_b", "proximity"]].set_axis(["activity", "w"], axis=1)]).groupby(
        "activity")["w"].sum()
    nodes["degree"] = nodes["activity"].map(degree).fillna(0.0)
    labels = nodes.drop_duplicates("cluster").sort_values("cluster")[["cluster", "cluster_label"]]
    hubs = []
    palette = [c for c in OKABE_ITO if c not in ("#F0E442",)] + ["#882255", "#44AA99"]
    # more clusters than colours: the second round of colours is drawn as squares, the third as diamonds
    colour_i = 0
    for cluster, label in labels.itertuples(index=False, name=None):
        part = nodes[nodes["cluster"] == cluster]
        local = int(cluster) < 0
        colour = "#b0b0b0" if local else palette[colour_i % len(palette)]
        symbol = "circle" if local else NETWORK_SYMBOLS[(colour_i // len(palette)) % len(NETWORK_SYMBOLS)]
        colour_i += 0 if local else 1
        name = cluster_name(str(label))
        # the legend swatch is always filled (one per cluster): a hollow swatch would read as "not specialised"
        fig.add_trace(go.Scatter(
            x=part["x"], y=part["y"], mode="markers", name=wrap(name, 34), legendgroup=f"c{cluster}",
            marker={"size": 6 if local else 10, "color": [colour if p else "white" for p in part["present"]],
                    "line": {"width": 1 if local else 1.8, "color": colour}, "symbol": symbol},
            text=part["activity"].astype(str) + " " + part["activity_name"].astype(str),
            hovertemplate="%{text}<extra>" + name.replace("<", "") + "</extra>", showlegend=False,
        ))
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=wrap(name, 34), legendgroup=f"c{cluster}", hoverinfo="skip",
            marker={"size": 10, "color": colour, "line": {"width": 1.8, "color": colour}, "symbol": symbol},
        ))
        if not local and len(part):
            hub = part.sort_values(["degree", "activity"], ascending=[False, True]).iloc[0]
            hubs.append(hub)
    finite = np.isfinite(xy).all(axis=1)
    if finite.any() and hubs:
        x_lo, x_hi = float(np.nanmin(xy[:, 0])), float(np.nanmax(xy[:, 0]))
        y_lo, y_hi = float(np.nanmin(xy[:, 1])), float(np.nanmax(xy[:, 1]))
        pad_x, pad_y = 0.08 * ((x_hi - x_lo) or 1), 0.08 * ((y_hi - y_lo) or 1)
        x_range, y_range = [x_lo - pad_x, x_hi + pad_x], [y_lo - pad_y, y_hi + pad_y]
        fig.update_xaxes(range=x_range)
        fig.update_yaxes(range=y_range)
        hub_frame = pd.DataFrame(hubs)
        size = (620.0, 480.0)
        px = np.column_stack([_to_px(hub_frame["x"], *x_range, size[0]), _to_px(hub_frame["y"], *y_range, size[1])])
        texts = [wrap(_short_activity(n), 22) for n in hub_frame["activity_name"]]
        radii = np.full(len(hub_frame), 6.0)
        crowd = np.column_stack([_to_px(nodes["x"], *x_range, size[0]), _to_px(nodes["y"], *y_range, size[1])])
        place = place_labels(px, radii, texts, size, font_px=10.0, avoid=crowd[np.isfinite(crowd).all(axis=1)])
        for ann in _label_annotations(hub_frame["x"], hub_frame["y"], texts, place, radii, font_px=10.0,
                                      units=_units(x_range, y_range, size)):
            ann["bgcolor"] = "rgba(255,255,255,0.85)"
            fig.add_annotation(ann)
    title = f"Industry space: related activities: {scale_name}"
    n_legend = int((labels["cluster"].astype(int) >= 0).sum())
    _style(fig, title, None, None, height=max(640, 130 + 38 * n_legend))  # the legend never scrolls
    fig.update_layout(legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top",
                              "title": {"text": "Cluster (filled = specialised here)"}},
                      margin={"l": 20, "r": 20, "t": 56, "b": 20})
    fig.update_xaxes(visible=False, title_text="layout x (no units)")
    fig.update_yaxes(visible=False, title_text="layout y (no units)", scaleanchor="x")
    caption = (f"Each node is an SIC class, linked to the classes it is most related to (proximity: how often places "
               f"specialise in both; {len(edges):,} strongest links kept). Colour is the related-industry cluster; "
               f"the labelled node of each cluster is its hub (most strongly linked class). Filled nodes are classes "
               f"this area is already specialised in, "
               f"hollow nodes are not: hollow nodes next to filled ones are the nearest diversification options. "
               f"Positions come from a spring layout and have no units.")
    table = nodes.assign(cluster_label=[cluster_name(str(x)) for x in nodes["cluster_label"]])
    table = _human(table[["activity", "activity_name", "cluster_label", "present"]].reset_index(drop=True))
    return Chart(slug("network", scale), title, caption, fig, table, scale, notes, ("employment_nuts2",))


# ----------------------------------------------------------------------------- composition


def composition_treemap(activities: pd.DataFrame, scale: str, scale_name: str, *,
                        years: tuple[int, int] | None = None) -> Chart:
    """Composition of the area's employment: SIC sections -> industries, area = jobs, colour = LQ (log, centred on 1).

    A section's LQ is its jobs over its expected jobs, sum(jobs) / sum(jobs / LQ), so it weights its
    industries by their jobs.
    """
    sub = activities[(activities["scale"] == scale) & (activities["jobs"] > 0)].copy()
    sub["lq"] = sub["lq"].astype(float)
    sec = [sic_section(a) for a in sub["activity"]]
    sub["section"], sub["section_name"] = [s[0] for s in sec], [s[1] for s in sec]
    sub["expected"] = sub["jobs"] / sub["lq"].where(sub["lq"] > 0)
    groups = sub.groupby(["section", "section_name"], sort=True).agg(jobs=("jobs", "sum"), expected=("expected", "sum"))
    groups = groups.reset_index()
    groups["lq"] = groups["jobs"] / groups["expected"].where(groups["expected"] > 0)
    total_lq = float(sub["jobs"].sum() / sub["expected"].sum()) if sub["expected"].sum() > 0 else 1.0
    ids = ["all"] + [f"sec-{s}" for s in groups["section"]] + [f"act-{a}" for a in sub["activity"]]
    names = ([f"All industries of {scale_name}"] + [wrap(n, 22) for n in groups["section_name"]]
             + [wrap(_short_activity(n), 22) for n in sub["activity_name"]])
    parents = [""] + ["all"] * len(groups) + [f"sec-{s}" for s in sub["section"]]
    values = np.r_[float(sub["jobs"].sum()), groups["jobs"].to_numpy(float), sub["jobs"].to_numpy(float)]
    lq = np.r_[total_lq, groups["lq"].to_numpy(float), sub["lq"].to_numpy(float)]
    z, kw = lq_colour_axis(lq)
    ticks = kw.pop("ticks")
    fig = go.Figure(go.Treemap(
        ids=ids, labels=names, parents=parents, values=values, branchvalues="total", customdata=lq,
        marker={"colors": np.nan_to_num(z, nan=1.0), "colorscale": kw["colorscale"], "cmin": kw["zmin"],
                "cmax": kw["zmax"], "line": {"color": "white", "width": 1},
                "colorbar": {"title": {"text": "Location<br>quotient"}, **ticks}, "showscale": True},
        texttemplate="%{label}<br>%{value:,.0f} jobs", hovertemplate="%{label}<br>%{value:,.0f} jobs, "
                                                                     "LQ %{customdata:.2f}<extra></extra>",
        maxdepth=3, tiling={"pad": 2}, textfont={"size": 12}, root={"color": "white"}, pathbar={"visible": False},
    ))
    when = f", {years[1]}" if years else ""
    title = f"Composition of employment by industry: {scale_name}{when}"
    _style(fig, title, None, None, height=620)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 56, "b": 10})
    caption = ("Each rectangle is an industry (SIC division), grouped by SIC section, with an area proportional to its "
               "jobs. Purple industries are more concentrated here than in the reference area (LQ above 1), orange "
               "ones less, white ones as concentrated (LQ = 1); the colour bar runs from 0 and LQs of 4 or more "
               "share the darkest purple. Click a section to zoom in.")
    table = sub.sort_values("jobs", ascending=False)[["section_name", "activity", "activity_name", "jobs", "share",
                                                      "lq"]]
    table = _human(table.reset_index(drop=True), {"section_name": "SIC section"})
    return Chart(slug("composition", scale), title, caption, fig, table, scale, [], ("employment",))


def industry_mix_similarity(activities: pd.DataFrame) -> pd.DataFrame:
    """Cosine similarity of the scales' industry mixes: their shares of jobs by activity (``activities.share``).

    :func:`sia.metrics.peers.industry_similarity` over the activities of either scale (a missing one counts 0);
    1 means the same mix. Returns a square frame indexed by scale id, in table order.
    """
    wide = activities.pivot_table(index="activity", columns="scale", values="share", aggfunc="sum").fillna(0.0)
    order = list(dict.fromkeys(activities["scale"]))
    m = wide.reindex(columns=order).to_numpy(float)
    return pd.DataFrame(industry_similarity(m.T), index=order, columns=order)


def similarity_chart(activities: pd.DataFrame, scales: pd.DataFrame) -> Chart:
    """Heatmap of :func:`industry_mix_similarity` between the audit's scales (the "similar regions" view)."""
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    order = [s for s in scales["scale"] if s in set(activities["scale"])]
    sim = industry_mix_similarity(activities).reindex(index=order, columns=order)
    labels = [wrap(scale_names.get(s, s), 16) for s in order]
    raw = sim.to_numpy(float)
    off = raw[~np.eye(len(order), dtype=bool)] if len(order) > 1 else raw.ravel()
    lo = float(np.nanmin(off)) if np.isfinite(off).any() else 0.0
    fig = go.Figure(go.Heatmap(
        z=raw, x=labels, y=labels, zmin=max(min(lo, 0.99) - 0.02, 0.0), zmax=1.0, colorscale="Blues",
        text=np.char.mod("%.3f", np.nan_to_num(raw)), texttemplate="%{text}", xgap=1, ygap=1,
        colorbar={"title": {"text": "Cosine<br>similarity"}},
        hovertemplate="%{y} and %{x}: %{text}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    title = "Similarity of the industry mix of the audit's areas"
    _style(fig, title, "Area (jobs by industry)", "Area (jobs by industry)", height=200 + 46 * len(order))
    fig.update_xaxes(side="bottom", tickangle=0)
    caption = ("Cosine similarity of each pair of areas' shares of jobs by industry (SIC division): 1 means the same "
               "mix, lower values a more different one (the colour scale starts just below the least similar pair). "
               "Areas with a similar mix face similar markets and can learn from each other's policies; the peer set "
               "is the areas of this audit, as the audit's tables hold the industry mix of no other region.")
    table = sim.rename(index=scale_names, columns=scale_names).reset_index(names="Area")
    return Chart("similarity", title, caption, fig, table, None, [], ("employment",))


def similar_areas(activities: pd.DataFrame | None, scale: str, scale_names: Mapping[str, str],
                  n: int = 3) -> list[tuple[str, float]]:
    """The ``n`` scales whose industry mix is closest to ``scale``'s (name, cosine similarity), closest first."""
    if activities is None or not (activities["scale"] == scale).any():
        return []
    sim = industry_mix_similarity(activities)[scale].drop(index=scale).dropna()
    sim = sim.sort_values(ascending=False, kind="stable").head(n)
    return [(scale_names.get(str(k), str(k)), float(v)) for k, v in sim.items()]


# ----------------------------------------------------------------------------- supply chains


def supply_multipliers_chart(supply: pd.DataFrame, themes: pd.DataFrame, scale_name: str = "") -> Chart:
    """Regional against national output multipliers per theme (grouped bars)."""
    names, full = theme_axis_labels(themes), _theme_names(themes)
    sub = supply.assign(name=[names.get(t, t) for t in supply["theme"]]).sort_values("regional_multiplier")
    fig = go.Figure([
        go.Bar(x=sub["regional_multiplier"], y=sub["name"], orientation="h", name="Regional multiplier",
               marker_color=VERMILLION),
        go.Bar(x=sub["national_multiplier"], y=sub["name"], orientation="h", name="National multiplier",
               marker_color=OKABE_ITO[1]),
    ])
    fig.update_layout(barmode="group")
    title = "Supply-chain multipliers of each theme" + (f": {scale_name}" if scale_name else "")
    _style(fig, title, "Output multiplier (GBP of output per GBP of final demand)", "Theme",
           height=170 + 36 * len(sub), legend_top=True)
    caption = ("Output generated in the economy by one pound of final demand for the theme. The gap between the "
               "national and the regional multiplier is the part of the supply chain that leaks outside the area: "
               "a small gap means an embedded local supply chain.")
    table = sub.assign(Theme=[full.get(t, t) for t in sub["theme"]])[
        ["Theme", "regional_multiplier", "national_multiplier", "forward_linkage", "backward_linkage",
         "intermediate_share"]].reset_index(drop=True)
    scale = str(supply["scale"].iloc[0]) if "scale" in supply.columns and len(supply) else None
    return Chart(slug("supply-multipliers", scale) if scale else "supply-multipliers", title, caption, fig,
                 _human(table), scale, [], ("io_table", "employment"))


def supply_embeddedness_chart(supply: pd.DataFrame, themes: pd.DataFrame, scale_name: str = "") -> Chart:
    """Local input share (embeddedness) and digital/professional services input share per theme."""
    names, full = theme_axis_labels(themes), _theme_names(themes)
    sub = supply.assign(name=[names.get(t, t) for t in supply["theme"]]).sort_values("local_input_share")
    fig = go.Figure([
        go.Bar(x=100 * sub["local_input_share"], y=sub["name"], orientation="h", name="Inputs bought locally",
               marker_color=OKABE_ITO[2]),
        go.Bar(x=100 * sub["digital_services_input_share"], y=sub["name"], orientation="h",
               name="Inputs from ICT and professional services", marker_color=OKABE_ITO[6]),
    ])
    fig.update_layout(barmode="group")
    title = "Supply-chain embeddedness and digital content of each theme" + (f": {scale_name}" if scale_name else "")
    _style(fig, title, "Share of intermediate inputs (%)", "Theme", height=170 + 36 * len(sub), legend_top=True)
    caption = ("Green bars: share of the theme's intermediate inputs bought from within the area (embeddedness). "
               "Pink bars: share bought from ICT and professional services, the digital/services content of "
               "manufacturing themes.")
    table = sub.assign(Theme=[full.get(t, t) for t in sub["theme"]],
                       upstream=[industries_text(x) for x in sub["upstream"]],
                       downstream=[industries_text(x) for x in sub["downstream"]])[
        ["Theme", "local_input_share", "digital_services_input_share", "upstream", "downstream"]].reset_index(drop=True)
    scale = str(supply["scale"].iloc[0]) if "scale" in supply.columns and len(supply) else None
    return Chart(slug("supply-embeddedness", scale) if scale else "supply-embeddedness", title, caption, fig,
                 _human(table), scale, [], ("io_table", "employment"))


# ----------------------------------------------------------------------------- innovation and business


def innovation_chart(innovation: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Science and innovation inputs per GBP million of GVA relative to the UK (ratio, 1 = UK average)."""
    sub = innovation[innovation["scale"] == scale].copy()
    sub["label"] = [INNOVATION_LABELS.get(i, i.replace("_", " ").capitalize()) for i in sub["indicator"]]
    ok = sub["ratio_to_uk"].notna()
    notes = []
    if (~ok).any():
        notes.append(f"not shown ({', '.join(sub.loc[~ok, 'status'].astype(str).unique())}): "
                     + ", ".join(sub.loc[~ok, "label"]))
    shown = sub[ok].sort_values("ratio_to_uk")
    label = [f"{lab} ({int(yr)})" if pd.notna(yr) else lab for lab, yr in zip(shown["label"], shown["year"],
                                                                                  strict=True)]
    fig = go.Figure(go.Bar(
        x=shown["ratio_to_uk"], y=label, orientation="h",
        marker_color=[OKABE_ITO[4] if r >= 1 else OKABE_ITO[0] for r in shown["ratio_to_uk"]],
        customdata=np.column_stack([shown["per_gva"], shown["uk_per_gva"], shown["grain"].astype(str)]),
        hovertemplate="%{y}: %{x:.2f} x UK<br>per GBP m GVA %{customdata[0]:.4g} vs UK %{customdata[1]:.4g}"
                      "<br>grain %{customdata[2]}<extra></extra>",
    ))
    fig.add_vline(x=1.0, line={"dash": "dash", "color": "#666", "width": 1})
    title = f"Science and innovation base against the UK: {scale_name}"
    _style(fig, title, "Intensity per GBP million of GVA relative to the UK (ratio; 1 = UK average)",
           "Indicator (year)", height=170 + 45 * max(len(shown), 1))
    caption = ("Each input is divided by the area's GVA (current prices, same year) and compared with the UK. "
               "Blue bars (right of the dashed line) are inputs where the area gets more for the size of its economy "
               "than the UK average; orange bars less. Indicators the source does not publish at this scale are "
               "listed in the table as not available rather than estimated.")
    table = sub.assign(indicator=sub["label"])[["indicator", "value", "per_gva", "uk_per_gva", "ratio_to_uk", "unit",
                                                 "year", "grain", "status"]].reset_index(drop=True)
    return Chart(slug("innovation", scale), title, caption, fig, _human(table), scale, notes,
                 tuple(sorted({str(s) for s in sub.loc[ok, "source"]})), data_years=years_text(shown["year"]))


LARGE_FIRM_FLOOR = 0.01
"""Large-firm shares (%) below this are drawn at it, the left edge of the log axis (labelled 0)."""
BROAD_GROUP = re.compile(r"broad group (?P<name>.+?) \((?P<code>[A-Z][A-Z0-9&, ]*)\)")
"""The UK Business Counts broad industry group a theme's enterprise counts were read at (``evidence.note``)."""


def _broad_groups(evidence: pd.DataFrame) -> pd.DataFrame:
    """Scale x theme -> broad group name, large-firm share, enterprises (from the business-counts evidence)."""
    ev = evidence[evidence["indicator"].isin(["large_firm_share", "enterprises", "ref_large_firm_share"])]
    wide = ev.pivot_table(index=["scale", "theme"], columns="indicator", values="value", aggfunc="first")
    for col in ("large_firm_share", "enterprises", "ref_large_firm_share"):
        if col not in wide.columns:
            wide[col] = np.nan
    notes = ev[ev["indicator"] == "large_firm_share"].set_index(["scale", "theme"])["note"].astype(str)
    groups = notes.str.extract(BROAD_GROUP)
    wide["group"] = [f"{n} ({c})" if isinstance(n, str) else "" for n, c in
                     zip(groups["name"].reindex(wide.index), groups["code"].reindex(wide.index), strict=True)]
    return wide.reset_index()


def _pct_text(p: float) -> str:
    """A percentage for a label: ``6.9%``, ``0.13%`` (2 decimals under 1%), ``0%``."""
    if not np.isfinite(p):
        return "n/a"
    return "0%" if p == 0 else f"{p:.2f}%" if p < 1 else f"{p:.1f}%"


def _group_or_theme(bg: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Rows without a broad group (an audit that read size bands per theme) stand for their own theme."""
    return bg.assign(group=[g or names.get(t, t) for g, t in zip(bg["group"], bg["theme"], strict=True)])


def business_base_chart(evidence: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str,
                        scales: pd.DataFrame | None = None) -> Chart:
    """Share of enterprises that are large firms (250+ employees) in the industry groups of the themes, at
    this scale against its reference (``ref_large_firm_share``: all the reference's districts) and every
    other scale of the audit.

    UK Business Counts publishes size bands by broad industry group (not by SIC class), so the audit reads
    each theme's business base at the broad group holding most of its jobs and several themes share a
    group; the chart has one row per group (the themes it stands for are in the hover and the table),
    not one bar per theme repeating the same number. SMEs are more than 96% of the enterprises of every
    group, which tells a board nothing; the large-firm share does (a group with many large firms depends
    on a few employers' decisions), and it means something only next to other areas.
    """
    full = _theme_names(themes)
    scale_names = (dict(zip(scales["scale"], scales["name"], strict=True)) if scales is not None else {})
    bg = _group_or_theme(_broad_groups(evidence), full)
    mine = bg[bg["scale"] == scale]
    ok = mine["large_firm_share"].notna()
    notes = [f"{int((~ok).sum())} theme(s) without size-band data not plotted"] if (~ok).any() else []
    mine = mine[ok]
    by_group = (mine.groupby("group", sort=True)
                .agg(share=("large_firm_share", "first"), enterprises=("enterprises", "first"),
                     ref_share=("ref_large_firm_share", "first"),
                     themes=("theme", lambda ts: "; ".join(sorted(full.get(t, t) for t in ts))),
                     n=("theme", "size"))
                .sort_values("share"))
    groups = list(by_group.index)
    y_labels = {g: wrap(g, 30) + f"<br><span style='font-size:10px'>{n} theme{'s' if n > 1 else ''}</span>"
                for g, n in zip(groups, by_group["n"], strict=True)}
    others = bg[(bg["scale"] != scale) & bg["group"].isin(groups)].drop_duplicates(["scale", "group"])
    floor = LARGE_FIRM_FLOOR

    def pct(values: pd.Series) -> np.ndarray:
        return np.maximum(100 * values.to_numpy(float), floor)

    fig = go.Figure()
    if len(others):
        fig.add_trace(go.Scatter(
            x=pct(others["large_firm_share"]), y=[y_labels[g] for g in others["group"]], mode="markers",
            name="Other areas of this audit", marker={"size": 12, "color": "#767676", "symbol": "line-ns-open",
                                                      "line": {"width": 2, "color": "#767676"}},
            text=[scale_names.get(x, x) for x in others["scale"]], customdata=100 * others["large_firm_share"],
            hovertemplate="%{text}: %{customdata:.2f}% of enterprises are large<extra></extra>",
        ))
    row = scales[scales["scale"] == scale] if scales is not None else pd.DataFrame()
    ref_name = (str(row["reference_name"].iloc[0]) if len(row) and isinstance(row["reference_name"].iloc[0], str)
                and row["reference_name"].iloc[0] else "the reference")
    has_ref = bool(by_group["ref_share"].notna().any())
    if has_ref:
        ref = by_group[by_group["ref_share"].notna()]
        fig.add_trace(go.Scatter(
            x=pct(ref["ref_share"]), y=[y_labels[g] for g in ref.index], mode="markers", name=ref_name,
            marker={"size": 12, "color": "#000000", "symbol": "diamond-open", "line": {"width": 2, "color": "#000"}},
            customdata=100 * ref["ref_share"].to_numpy(float),
            hovertemplate="%{y}<br>" + ref_name + ": %{customdata:.2f}% of enterprises are large<extra></extra>",
        ))
    fig.add_trace(go.Scatter(
        x=pct(by_group["share"]), y=[y_labels[g] for g in groups], mode="markers", name=scale_name,
        marker={"size": 13, "color": VERMILLION, "line": {"width": 1, "color": "#333"}},
        customdata=np.column_stack([100 * by_group["share"].to_numpy(float), by_group["themes"]]),
        hovertemplate="%{y}<br>%{customdata[0]:.2f}% large firms<br>themes: %{customdata[1]}<extra>"
                      + scale_name + "</extra>",
    ))
    for g, v, e in zip(groups, by_group["share"], by_group["enterprises"], strict=True):
        fig.add_annotation(x=1.01, xref="paper", y=y_labels[g], yref="y", xanchor="left", showarrow=False,
                           text=f"<b>{_pct_text(100 * v)}</b> of {e:,.0f}", font={"size": 11, "color": "#222"})
    fig.update_yaxes(categoryorder="array", categoryarray=[y_labels[g] for g in groups])
    hi = max([float(100 * by_group["share"].max()) if len(by_group) else 1.0]
             + ([float(100 * others["large_firm_share"].max())] if len(others) else [])
             + ([float(100 * by_group["ref_share"].max())] if has_ref else []))
    fig.update_xaxes(type="log", range=[np.log10(floor * 0.8), np.log10(max(hi, 1.0) * 1.5)],
                     tickvals=[0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30], ticktext=["0", "0.03", "0.1", "0.3", "1", "3",
                                                                            "10", "30"])
    year = ""
    n0 = evidence[(evidence["indicator"] == "large_firm_share") & (evidence["scale"] == scale)]["note"].astype(str)
    m = n0.str.extract(r"^((?:19|20)\d\d)")[0].dropna()
    if len(m):
        year = str(m.iloc[0])
    title = f"Large firms in the themes' industry groups{', ' + year if year else ''}: {scale_name}"
    _style(fig, title, "Large firms, 250 or more employees (% of enterprises; log scale, 0 at the left edge)",
           "Broad industry group", height=190 + 46 * max(len(groups), 1), legend_top=True)
    fig.update_layout(margin={"r": 130}, legend={"x": 0.0, "xanchor": "left"})  # the right margin holds the values
    sme_min = float(100 * (1 - bg.loc[bg["scale"] == scale, "large_firm_share"]).min()) if len(mine) else np.nan
    caption = (f"Share of the enterprises in each broad industry group that employ 250 or more people, in "
               f"{scale_name} (dots; on the right the share and the number of enterprises), "
               + (f"in {ref_name} (black diamonds: all its districts) " if has_ref else "")
               + "and in the other areas of this audit (grey ticks). UK Business Counts gives size bands by broad "
               "group only, so each theme is read at the group holding most of its jobs and themes that share a "
               "group share a row. "
               + (f"SMEs are at least {sme_min:.1f}% of every group here; " if np.isfinite(sme_min) else "")
               + "a higher large-firm share means the group depends more on a few employers' decisions, a lower "
               "one that support must reach many small firms."
               + ("" if has_ref else " The reference's own shares are not in this audit's tables (an audit written "
                  "before they were added)."))
    table = pd.DataFrame({
        "Theme": [full.get(t, t) for t in mine["theme"]], "Broad industry group": mine["group"].to_numpy(),
        "Enterprises": mine["enterprises"].to_numpy(float),
        "Large-firm share of enterprises (%)": 100 * mine["large_firm_share"].to_numpy(float),
        f"Large-firm share in {ref_name} (%)": 100 * mine["ref_large_firm_share"].to_numpy(float),
    })
    return Chart(slug("business", scale), title, caption, fig, table, scale, notes,
                 _sources(evidence, scale, ["enterprises", "large_firm_share"]), data_years=year)


def footprint_chart(evidence: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Employment footprint: jobs per GBP m of GVA per theme."""
    names, full = theme_axis_labels(themes), _theme_names(themes)
    wide = _evidence_wide(evidence, scale, ["jobs_per_gbp_m_gva", "gva_per_job", "productivity_ratio"])
    wide["name"] = [names.get(t, t) for t in wide.index]
    ok = wide["jobs_per_gbp_m_gva"].notna()
    notes = []
    if (~ok).any():
        notes.append(f"{int((~ok).sum())} theme(s) not plotted (GVA suppressed or not available): "
                     + ", ".join(wide.loc[~ok, "name"].str.replace("<br>", " ")))
    shown = wide[ok].sort_values("jobs_per_gbp_m_gva")
    fig = go.Figure(go.Bar(x=shown["jobs_per_gbp_m_gva"], y=shown["name"], orientation="h",
                           marker_color=OKABE_ITO[2], name="jobs per GBP m GVA",
                           hovertemplate="%{y}: %{x:.1f} jobs per GBP m<extra></extra>"))
    title = f"Employment footprint: jobs per GBP million of GVA: {scale_name}"
    _style(fig, title, "Jobs per GBP m of GVA (jobs / GBP m)", "Theme", height=170 + 34 * max(len(shown), 1))
    caption = ("How many jobs each pound million of output supports. High values are labour-intensive themes that "
               "spread employment widely; low values are high-productivity themes that add output with fewer jobs: "
               "the 'economy that works for everyone' trade-off.")
    table = wide.reset_index().assign(Theme=lambda f: [full.get(t, t) for t in f["theme"]])[
        ["Theme", "jobs_per_gbp_m_gva", "gva_per_job", "productivity_ratio", "status"]]
    return Chart(slug("footprint", scale), title, caption, fig,
                 _human(table, {"jobs_per_gbp_m_gva": "Jobs per GBP million of GVA", "gva_per_job": "GVA per job (GBP)",
                                "productivity_ratio": "Productivity ratio"}), scale, notes,
                 _sources(evidence, scale, ["jobs_per_gbp_m_gva"]))


# ----------------------------------------------------------------------------- rank stability


def stability_chart(stability: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Probability of each theme being in the top k (Monte Carlo over weights and data)."""
    names, full = theme_axis_labels(themes), _theme_names(themes)
    sub = stability[stability["scale"] == scale].sort_values("p_top_k")
    k = int(sub["k"].iloc[0]) if len(sub) else 0
    fig = go.Figure(go.Bar(
        x=100 * sub["p_top_k"], y=[names.get(t, t) for t in sub["theme"]], orientation="h",
        marker_color=[OKABE_ITO[4] if p >= 0.5 else OKABE_ITO[0] for p in sub["p_top_k"]],
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>", name=f"P(top {k})",
    ))
    fig.add_vline(x=50.0, line={"dash": "dash", "color": "#666", "width": 1})
    fig.update_xaxes(range=[0, 100])
    title = f"Rank stability: probability of being in the top {k}: {scale_name}"
    _style(fig, title, f"Probability of ranking in the top {k} (%)", "Theme", height=150 + 34 * len(sub))
    caption = (f"Share of Monte Carlo draws (weights around the stated ones, data within their uncertainty) in which "
               f"the theme ranks in the top {k}. Blue bars (above 50%) are robust priorities; themes near 50% could "
               f"go either way.")
    loo = [c for c in sub.columns if str(c).startswith("loo_")]
    table = sub.assign(Theme=[full.get(t, t) for t in sub["theme"]])[
        ["Theme", "k", "p_top_k", "median_rank", "rank_p05", "rank_p95", *loo]
    ].iloc[::-1].reset_index(drop=True)
    return Chart(slug("stability", scale), title, caption, fig, _human(table), scale)


def rank_interval_chart(stability: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Median rank of each theme with its 5-95% rank interval."""
    names, full = theme_axis_labels(themes), _theme_names(themes)
    sub = stability[stability["scale"] == scale].sort_values("median_rank", ascending=False)
    fig = go.Figure(go.Scatter(
        x=sub["median_rank"], y=[names.get(t, t) for t in sub["theme"]], mode="markers",
        marker={"size": 10, "color": OKABE_ITO[4]}, name="median rank",
        error_x={"type": "data", "symmetric": False, "array": sub["rank_p95"] - sub["median_rank"],
                 "arrayminus": sub["median_rank"] - sub["rank_p05"], "color": "#555"},
        hovertemplate="%{y}: median rank %{x}<extra></extra>",
    ))
    n = len(sub)
    fig.update_xaxes(autorange="reversed", dtick=1 if n <= 10 else 2, tick0=1)
    title = f"Rank intervals (5th-95th percentile): {scale_name}"
    _style(fig, title, "Rank (1 = first; 5-95% interval)", "Theme", height=150 + 34 * n)
    caption = ("Dot: median rank over the Monte Carlo draws; line: the range holding 90% of the draws. Overlapping "
               "lines mean the order of those themes is not settled by the evidence.")
    table = sub.assign(Theme=[full.get(t, t) for t in sub["theme"]])[
        ["Theme", "median_rank", "rank_p05", "rank_p95"]].iloc[::-1].reset_index(drop=True)
    return Chart(slug("rank-intervals", scale), title, caption, fig, _human(table), scale)


# ----------------------------------------------------------------------------- complementarity

REST = "_rest"
"""The audit's child id for the part of a parent its listed children do not cover."""


def child_name(child: str, parent: str, scale_names: Mapping[str, str]) -> str:
    """A child scale's name; the audit's ``_rest`` is "rest of <parent>"."""
    if child == REST:
        return f"Rest of {scale_names.get(parent, parent)}"
    return scale_names.get(child, child)


def _comp_sources(sub: pd.DataFrame) -> tuple[str, ...]:
    measure = str(sub["measure"].iloc[0]).lower() if "measure" in sub.columns and len(sub) else "jobs"
    return ("gva_lad",) if measure == "gva" else ("employment",)


def alignment_heatmap(complementarity: pd.DataFrame, themes: pd.DataFrame, scales: pd.DataFrame, parent: str) -> Chart:
    """Alignment matrix: themes (rows) x children (columns) for one parent scale."""
    names, full = theme_axis_labels(themes, 34), _theme_names(themes)
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    sub = complementarity[complementarity["parent"] == parent]
    sub = sub[sub["child"] != REST]  # the part of the parent no child covers has no alignment
    wide = sub.pivot(index="theme", columns="child", values="alignment").fillna("")
    wide = wide.reindex(index=[t for t in themes["theme"] if t in wide.index])
    prio = sub.drop_duplicates("theme").set_index("theme")["parent_priority"].reindex(wide.index).fillna(False)
    y = [names.get(t, t) + (" *" if p else "") for t, p in zip(wide.index, prio, strict=True)]
    codes = {"": 0, "gap": 1, "child niche": 2, "contributes": 3, "aligned": 4}
    colours = ["#f2f2f2", VERMILLION, "#56B4E9", "#E69F00", "#009E73"]
    labels = [ALIGNMENT_LABELS[k] for k in ("", "gap", "child niche", "contributes", "aligned")]
    z = wide.apply(lambda col: col.map(lambda v: codes.get(str(v), 0))).to_numpy(dtype=float)
    scale = [[b / 5, colours[i]] for i in range(5) for b in (i, i + 1)]
    text = wide.apply(lambda col: col.map(lambda v: ALIGNMENT_LABELS.get(str(v), str(v)))).to_numpy(dtype=object)
    fig = go.Figure(go.Heatmap(
        z=z, y=y, x=[wrap(scale_names.get(c, c), 18) for c in wide.columns], zmin=-0.5, zmax=4.5, colorscale=scale,
        text=text, texttemplate="%{text}", xgap=2, ygap=2,
        colorbar={"title": {"text": "Alignment"}, "tickvals": [0, 1, 2, 3, 4], "ticktext": labels,
                  "lenmode": "pixels", "len": 220, "y": 1.0, "yanchor": "top"},
        hovertemplate="%{x} in %{y}: %{text}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    pname = scale_names.get(parent, parent)
    title = f"Alignment of the children of {pname} with its priorities"
    _style(fig, title, "Child area", "Theme (* = priority of the parent)", height=190 + 36 * len(wide))
    caption = ("Green: a priority of both the child and the parent; orange: a parent priority the child is "
               "specialised in without prioritising it; blue: the child's own niche; vermillion: a parent priority the "
               "child neither prioritises nor specialises in (a gap).")
    table = sub.assign(child=[child_name(c, parent, scale_names) for c in sub["child"]],
                       theme=[full.get(t, t) for t in sub["theme"]],
                       alignment=[ALIGNMENT_LABELS.get(str(a), str(a)) for a in sub["alignment"]])
    table = _human(table[["child", "theme", "child_share", "overall_share", "contribution_ratio", "child_specialised",
                          "child_priority", "parent_priority", "alignment"]].reset_index(drop=True))
    return Chart(slug("alignment", parent), title, caption, fig, table, parent, [], _comp_sources(sub))


def contributions_chart(complementarity: pd.DataFrame, themes: pd.DataFrame, scales: pd.DataFrame,
                        parent: str) -> Chart:
    """Children's contributions (share of the parent's jobs in each theme), stacked by child (horizontal)."""
    names, full = theme_axis_labels(themes, 30), _theme_names(themes)
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    sub = complementarity[complementarity["parent"] == parent]
    theme_order = [t for t in themes["theme"] if t in set(sub["theme"])]
    measure = str(sub["measure"].iloc[0]) if "measure" in sub.columns and len(sub) else "jobs"
    unit = "GVA" if measure.lower() == "gva" else "jobs"
    fig = go.Figure()
    children = sorted(set(sub["child"]) - {REST}) + ([REST] if REST in set(sub["child"]) else [])
    for i, child in enumerate(children):
        part = sub[sub["child"] == child].set_index("theme").reindex(theme_order)
        if child == REST and not (part["child_share"].fillna(0) > 0).any():
            continue  # the children tile the parent: nothing to show for the rest
        overall = float(part["overall_share"].dropna().iloc[0]) if part["overall_share"].notna().any() else np.nan
        cname = child_name(child, parent, scale_names)
        fig.add_trace(go.Bar(
            y=[names.get(t, t) for t in theme_order], x=100 * part["child_share"], orientation="h",
            name=f"{cname} ({100 * overall:.0f}% of all {unit})",
            marker_color="#bdbdbd" if child == REST else OKABE_ITO[(i + 1) % len(OKABE_ITO)],
            hovertemplate="%{y}: %{x:.1f}%<extra>" + cname + "</extra>",
        ))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    pname = scale_names.get(parent, parent)
    title = f"Children's contributions to {pname} by theme"
    _style(fig, title, f"Share of {pname}'s {unit} in the theme (%)", "Theme", height=200 + 34 * len(theme_order),
           legend_top=True)
    fig.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0, "xanchor": "left"},
                      margin={"t": 100})
    caption = (f"Each bar splits the parent's {unit} in a theme between its children. A child whose slice is larger "
               "than its share of all the parent's " + unit + " (in the legend) is specialised in that theme. Where "
               "the children tile the parent the bar reaches 100%; the grey 'rest' is the part of the parent outside "
               "the listed children.")
    table = sub.assign(child=[child_name(c, parent, scale_names) for c in sub["child"]],
                       theme=[full.get(t, t) for t in sub["theme"]])
    table = _human(table[["child", "theme", "child_share", "overall_share", "contribution_ratio"]]
                   .reset_index(drop=True))
    return Chart(slug("contributions", parent), title, caption, fig, table, parent, [], _comp_sources(sub))
