"""Plotly figure builders for the report: one function per chart.

Every builder returns a :class:`Chart`: the figure (with a title and axis titles that give units), a
caption that says what to read from it, and the data table behind it (shown in the report under a
``<details>`` element and exported with the static images). Colours come from the Okabe-Ito
palette (Okabe and Ito 2008, "Color Universal Design"), which stays distinguishable under the common
colour-vision deficiencies; heatmaps use the perceptually uniform, colour-blind-safe ``cividis`` or
the diverging ``PuOr`` scale.

Rows that a chart cannot show (a missing LQ, a suppressed cell) are not dropped silently: the
caption says how many were left out and why, and the data table keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

OKABE_ITO: tuple[str, ...] = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
"""Okabe-Ito colour-blind-safe palette (orange, sky blue, bluish green, yellow, blue, vermillion, purple, black)."""

ROLE_COLOURS = {"market-driven priority": OKABE_ITO[5], "enabling competency": OKABE_ITO[4], "": "#999999"}
ROLE_LABELS = {"market-driven priority": "Market-driven priority", "enabling competency": "Enabling competency",
               "": "Other theme"}
AXIS = {"showline": True, "linecolor": "#444", "ticks": "outside", "tickcolor": "#444", "showgrid": False,
        "zeroline": False, "automargin": True}
INNOVATION_LABELS = {"patents": "Patent applications", "ukri_funding": "UKRI research funding",
                     "innovate_uk_funding": "Innovate UK grants", "berd": "Business R&D (BERD)",
                     "research_income": "University research income", "gerd": "Gross R&D (GERD)"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


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
        The data behind the chart.
    scale
        The scale id the chart belongs to (``None`` for charts that are the same at every scale).
    notes
        Rows left out of the figure and why.
    """

    key: str
    title: str
    caption: str
    figure: go.Figure
    table: pd.DataFrame
    scale: str | None = None
    notes: list[str] = field(default_factory=list)


def slug(*parts: str) -> str:
    """An id made of ``[a-z0-9-]`` from ``parts``."""
    return re.sub(r"[^a-z0-9]+", "-", "-".join(str(p) for p in parts).lower()).strip("-")


def _style(fig: go.Figure, title: str, x_title: str | None, y_title: str | None, *, height: int = 460) -> go.Figure:
    """Apply the report's look in one ``update_layout`` call (plotly validation is the slow part of building)."""
    xaxis = dict(AXIS, **({"title": {"text": x_title}} if x_title is not None else {}))
    yaxis = dict(AXIS, **({"title": {"text": y_title}} if y_title is not None else {}))
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        template="none",
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": FONT, "size": 12, "color": "#222"},
        height=height,
        margin={"l": 70, "r": 30, "t": 56, "b": 60},
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "xanchor": "left", "x": 0.0},
        colorway=list(OKABE_ITO),
        hoverlabel={"font": {"family": FONT}},
        xaxis=xaxis,
        yaxis=yaxis,
    )
    return fig


def _theme_names(themes: pd.DataFrame) -> dict[str, str]:
    return dict(zip(themes["theme"], themes["name"], strict=True))


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
            f"{k}: {v}" for k, v in r.items() if isinstance(v, str) and v not in ("observed", "rounded")),
        axis=1,
    ).reindex(wide.index)
    return wide


def bubble_chart(
    evidence: pd.DataFrame, framework: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str,
    *, y: str | None = None,
) -> Chart:
    """The SIA bubble chart: LQ (x, with its interval) against growth or competitive effect (y), bubble = jobs.

    Quadrant lines at LQ = 1 and y = 0 split strong & growing, strong & declining, emerging (not yet
    specialised but growing) and weak & declining themes. Bubble area is proportional to jobs.
    """
    names = _theme_names(themes)
    if y is None:
        has_growth = evidence[(evidence["scale"] == scale) & (evidence["indicator"] == "growth_pct")]["value"].notna()
        y = "growth_pct" if has_growth.any() else "competitive_effect"
    here = evidence[(evidence["scale"] == scale) & (evidence["indicator"] == "jobs")]["value"]
    size = "jobs" if here.notna().any() else "gva"  # scales with no employment evidence: GVA-based bubbles
    measure = "employment" if size == "jobs" else "GVA (current prices)"
    y_title = (f"{measure.capitalize()} growth, base to latest year (%)" if y == "growth_pct"
               else "Shift-share competitive effect (jobs)")
    wide = _evidence_wide(evidence, scale, ["lq", size, y])
    roles = framework[framework["scale"] == scale].set_index("theme")["role"]
    wide["role"] = roles.reindex(wide.index).fillna("")
    wide["name"] = [names.get(t, t) for t in wide.index]
    ok = wide[["lq", y, size]].notna().all(axis=1)
    notes = []
    if size == "gva":
        notes.append(f"{scale_name}: no employment evidence at this scale; bubbles are GVA (GBP million), "
                     "the LQ is a GVA location quotient without an interval")
    if (~ok).any():
        notes.append(f"{int((~ok).sum())} theme(s) not plotted for lack of LQ, {y} or {size}: "
                     + ", ".join(wide.index[~ok]))
    shown = wide[ok]
    fig = go.Figure()
    max_size = float(shown[size].max()) if len(shown) else 1.0
    sizeref = 2.0 * max_size / (48.0**2)
    unit = "jobs" if size == "jobs" else "GBP m GVA"
    for role in ("market-driven priority", "enabling competency", ""):
        part = shown[shown["role"] == role]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["lq"], y=part[y], mode="markers+text", name=ROLE_LABELS[role],
            text=part["name"], textposition="top center", textfont={"size": 10},
            marker={"size": part[size], "sizemode": "area", "sizeref": sizeref, "sizemin": 4,
                    "color": ROLE_COLOURS[role], "opacity": 0.75, "line": {"width": 1, "color": "#333"}},
            error_x={"type": "data", "symmetric": False, "array": part["lq_high"] - part["lq"],
                     "arrayminus": part["lq"] - part["lq_low"], "color": "#555", "thickness": 1},
            customdata=np.column_stack([part[size], part["lq_low"], part["lq_high"]]),
            hovertemplate="<b>%{text}</b><br>LQ %{x:.2f} (%{customdata[1]:.2f}-%{customdata[2]:.2f})"
                          "<br>" + y + " %{y:.2f}<br>" + unit + " %{customdata[0]:,.0f}<extra></extra>",
        ))
    fig.add_vline(x=1.0, line={"dash": "dash", "color": "#666", "width": 1})
    fig.add_hline(y=0.0, line={"dash": "dash", "color": "#666", "width": 1})
    if len(shown):  # head-room so the quadrant labels in the corners do not sit on bubbles
        y_lo, y_hi = min(float(shown[y].min()), 0.0), max(float(shown[y].max()), 0.0)
        pad = 0.18 * ((y_hi - y_lo) or 1.0)
        fig.update_yaxes(range=[y_lo - pad, y_hi + pad])
    for text, xa, ya, xanchor, yanchor in (
        ("Strong & growing", 0.99, 0.99, "right", "top"), ("Emerging (growing, not yet specialised)", 0.01, 0.99,
                                                             "left", "top"),
        ("Strong & declining", 0.99, 0.01, "right", "bottom"), ("Weak & declining", 0.01, 0.01, "left", "bottom"),
    ):
        fig.add_annotation(text=text, xref="paper", yref="paper", x=xa, y=ya, xanchor=xanchor, yanchor=yanchor,
                           showarrow=False, font={"size": 11, "color": "#555"}, bgcolor="rgba(255,255,255,0.8)")
    title = f"Strength and growth of the themes: {scale_name}"
    _style(fig, title, "Location quotient (ratio to the reference area; 1 = same share)", y_title, height=520)
    growing = ("they grew faster than the national trend of their industries" if y == "competitive_effect"
               else "their employment grew")
    caption = (f"Each bubble is a theme; its area is proportional to {unit}, its whisker is the LQ interval. "
               "Themes right of the dashed line at LQ = 1 are specialised; above the line at 0 " + growing + ". "
               "Read the top-right quadrant (strong and growing) first; a whisker crossing 1 means the "
               "specialisation is not statistically significant.")
    table = wide.reset_index()[["theme", "name", "role", "lq", "lq_low", "lq_high", y, size, "status"]]
    return Chart(slug("bubble", scale), title, caption, fig, table, scale, notes)


def themes_heatmap(evidence: pd.DataFrame, themes: pd.DataFrame, scales: pd.DataFrame, indicator: str = "lq") -> Chart:
    """Heatmap of one evidence indicator, themes (rows) x scales (columns).

    For ``lq`` the diverging scale is centred at 1 (no specialisation).
    """
    names = _theme_names(themes)
    sub = evidence[evidence["indicator"] == indicator]
    wide = sub.pivot(index="theme", columns="scale", values="value")
    scale_order = [s for s in scales["scale"] if s in wide.columns]
    wide = wide.reindex(index=[t for t in themes["theme"] if t in wide.index], columns=scale_order)
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    unit = sub["unit"].dropna().iloc[0] if sub["unit"].notna().any() else ""
    z = wide.to_numpy(dtype=float)
    text = np.where(np.isnan(z), "n/a", np.char.mod("%.2f", np.nan_to_num(z)))
    kwargs = {"zmid": 1.0, "colorscale": "PuOr"} if indicator == "lq" else {"colorscale": "Cividis"}
    fig = go.Figure(go.Heatmap(
        z=z, x=[scale_names[s] for s in scale_order], y=[names.get(t, t) for t in wide.index], text=text,
        texttemplate="%{text}", hovertemplate="%{y}<br>%{x}: %{z:.3f}<extra></extra>",
        colorbar={"title": {"text": f"{indicator} ({unit})"}}, **kwargs,
    ))
    fig.update_yaxes(autorange="reversed")
    label = "Location quotient" if indicator == "lq" else indicator
    title = f"{label} of each theme at each scale"
    _style(fig, title, "Scale (area of the audit)", f"Theme ({label}, {unit})", height=120 + 34 * len(wide))
    caption = ("Each cell is a theme's value at one scale. "
               + ("Orange cells (LQ above 1) are specialisations, purple cells are under-represented; "
                  "a row that is orange at every scale is a strength shared across the layers."
                  if indicator == "lq" else "Darker cells are lower, brighter cells higher."))
    table = wide.rename(columns=scale_names).reset_index()
    table.insert(1, "name", [names.get(t, t) for t in table["theme"]])
    return Chart(slug("heatmap", indicator), title, caption, fig, table, None)


def ranking_chart(ranking: pd.DataFrame, framework: pd.DataFrame, themes: pd.DataFrame, scale: str,
                  scale_name: str) -> Chart:
    """Weighted-sum priority score per theme (bars), with the TOPSIS rank for method sensitivity."""
    names = _theme_names(themes)
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
            text=[f"rank {r} (TOPSIS {t})" for r, t in zip(part["rank"], part["rank_topsis"], strict=True)],
            textposition="auto",
            hovertemplate="%{y}<br>score %{x:.3f}<br>rank %{customdata[0]}, TOPSIS rank %{customdata[1]}"
                          "<extra></extra>",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=list(sub["name"][::-1]))
    title = f"Priority score of each theme: {scale_name}"
    _style(fig, title, "Weighted-sum score (0-1, higher = stronger case)", "Theme", height=140 + 30 * len(sub))
    caption = ("Themes ordered by the weighted-sum multi-criteria score; colour shows the framework role. "
               "The label gives the rank under a second method (TOPSIS): where the two ranks differ a lot, "
               "the ordering depends on the method.")
    table = sub[["theme", "name", "role", "score", "rank", "score_topsis", "rank_topsis"]].reset_index(drop=True)
    return Chart(slug("ranking", scale), title, caption, fig, table, scale)


def opportunity_chart(opportunities: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Feasibility (relatedness density, x) against attractiveness (complexity outlook gain, y) per activity."""
    sub = opportunities[opportunities["scale"] == scale].copy()
    ok = sub[["density", "cog"]].notna().all(axis=1)
    notes = [f"{int((~ok).sum())} activit(ies) without density or COG not plotted"] if (~ok).any() else []
    shown = sub[ok]
    fig = go.Figure()
    for present, colour, label, symbol in ((False, OKABE_ITO[0], "Not yet present (opportunity)", "circle"),
                                          (True, OKABE_ITO[4], "Already specialised (RCA >= 1)", "diamond")):
        part = shown[shown["present"] == present]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["density"], y=part["cog"], mode="markers", name=label,
            marker={"color": colour, "size": 10, "symbol": symbol, "line": {"width": 1, "color": "#333"}},
            text=part["activity"] + " " + part["activity_name"], customdata=part["pci"],
            hovertemplate="%{text}<br>density %{x:.3f}<br>COG %{y:.3f}<br>PCI %{customdata:.3f}<extra></extra>",
        ))
    if len(shown):
        fig.add_vline(x=float(shown["density"].median()), line={"dash": "dash", "color": "#666", "width": 1})
        fig.add_hline(y=float(shown["cog"].median()), line={"dash": "dash", "color": "#666", "width": 1})
    for text, xa, ya, xan, yan in (("Feasible & attractive", 0.99, 0.99, "right", "top"),
                                   ("Attractive, harder to reach", 0.01, 0.99, "left", "top"),
                                   ("Feasible, less attractive", 0.99, 0.01, "right", "bottom"),
                                   ("Neither", 0.01, 0.01, "left", "bottom")):
        fig.add_annotation(text=text, xref="paper", yref="paper", x=xa, y=ya, xanchor=xan, yanchor=yan,
                           showarrow=False, font={"size": 11, "color": "#555"}, bgcolor="rgba(255,255,255,0.8)")
    title = f"Opportunities: feasibility against attractiveness: {scale_name}"
    _style(fig, title, "Relatedness density (share of related capabilities present, 0-1)",
           "Complexity outlook gain (index, standardised)", height=500)
    caption = ("Each point is an activity. Further right, the area already has more of the related capabilities "
               "(more feasible); higher up, the activity would add more to the area's complexity (more attractive). "
               "Dashed lines are the medians; orange points in the top-right are the best diversification bets.")
    table = sub[["activity", "activity_name", "present", "density", "pci", "cog", "quadrant"]].reset_index(drop=True)
    return Chart(slug("opportunities", scale), title, caption, fig, table, scale, notes)


def network_positions(edges: pd.DataFrame, nodes: Sequence[str], seed: int = 7) -> dict[str, tuple[float, float]]:
    """Spring layout (Fruchterman-Reingold, networkx ``spring_layout``, fixed ``seed``) of the relatedness network."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from(edges[["activity_a", "activity_b", "proximity"]].itertuples(index=False, name=None))
    pos = nx.spring_layout(graph, seed=seed, weight="weight")
    return {str(k): (float(v[0]), float(v[1])) for k, v in pos.items()}


def network_chart(
    edges: pd.DataFrame, clusters: pd.DataFrame, opportunities: pd.DataFrame | None, scale: str, scale_name: str,
    positions: Mapping[str, tuple[float, float]],
) -> Chart:
    """The relatedness network of activities coloured by cluster; filled markers are present at the scale."""
    nodes = clusters.copy()
    xy = np.array([positions.get(a, (np.nan, np.nan)) for a in nodes["activity"]], dtype=float).reshape(-1, 2)
    nodes["x"], nodes["y"] = xy[:, 0], xy[:, 1]
    present = set()
    if opportunities is not None:
        sub = opportunities[(opportunities["scale"] == scale) & opportunities["present"]]
        present = set(sub["activity"])
    nodes["present"] = nodes["activity"].isin(present)
    # edges as one trace with None separators (vectorised)
    a = np.array([positions.get(x, (np.nan, np.nan)) for x in edges["activity_a"]], dtype=float).reshape(-1, 2)
    b = np.array([positions.get(x, (np.nan, np.nan)) for x in edges["activity_b"]], dtype=float).reshape(-1, 2)
    gap = np.full((len(edges), 1), np.nan)
    ex = np.hstack([a[:, :1], b[:, :1], gap]).ravel()
    ey = np.hstack([a[:, 1:], b[:, 1:], gap]).ravel()
    fig = go.Figure(go.Scatter(x=ex, y=ey, mode="lines", line={"width": 0.6, "color": "#bbbbbb"},
                               hoverinfo="skip", showlegend=False, name="proximity edges"))
    labels = nodes.drop_duplicates("cluster").sort_values("cluster")[["cluster", "cluster_label"]]
    for i, (cluster, label) in enumerate(labels.itertuples(index=False, name=None)):
        part = nodes[nodes["cluster"] == cluster]
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        fig.add_trace(go.Scatter(
            x=part["x"], y=part["y"], mode="markers", name=str(label),
            marker={"size": 12, "color": [colour if p else "white" for p in part["present"]],
                    "line": {"width": 2, "color": colour}, "symbol": "circle"},
            text=part["activity"] + " " + part["activity_name"],
            hovertemplate="%{text}<extra>" + str(label) + "</extra>",
        ))
    title = f"Relatedness network of activities: {scale_name}"
    _style(fig, title, None, None, height=560)
    fig.update_xaxes(visible=False, title_text="layout x (no units)")
    fig.update_yaxes(visible=False, title_text="layout y (no units)", scaleanchor="x")
    caption = (f"Each node is an activity, linked to the activities it is most related to (proximity = how often "
               f"places specialise in both; {len(edges)} strongest links kept). Colour is the cluster; filled nodes "
               f"are activities this area is already specialised in, hollow nodes are not. Hollow nodes next to "
               f"filled ones are the nearest diversification options. Positions come from a spring layout and have "
               f"no units.")
    table = nodes[["activity", "activity_name", "cluster", "cluster_label", "stability", "present"]].reset_index(
        drop=True)
    return Chart(slug("network", scale), title, caption, fig, table, scale)


def supply_multipliers_chart(supply: pd.DataFrame, themes: pd.DataFrame, scale_name: str = "") -> Chart:
    """Regional against national output multipliers per theme (grouped bars)."""
    names = _theme_names(themes)
    sub = supply.assign(name=[names.get(t, t) for t in supply["theme"]]).sort_values("regional_multiplier")
    fig = go.Figure([
        go.Bar(x=sub["regional_multiplier"], y=sub["name"], orientation="h", name="Regional multiplier",
               marker_color=OKABE_ITO[5]),
        go.Bar(x=sub["national_multiplier"], y=sub["name"], orientation="h", name="National multiplier",
               marker_color=OKABE_ITO[1]),
    ])
    fig.update_layout(barmode="group")
    title = "Supply-chain multipliers of each theme" + (f": {scale_name}" if scale_name else "")
    _style(fig, title, "Output multiplier (GBP of output per GBP of final demand)", "Theme",
           height=160 + 40 * len(sub))
    caption = ("Output generated in the economy by one pound of final demand for the theme. The gap between the "
               "national and the regional multiplier is the part of the supply chain that leaks outside the area: "
               "a small gap means an embedded local supply chain.")
    table = sub[["theme", "name", "regional_multiplier", "national_multiplier", "forward_linkage", "backward_linkage",
                 "intermediate_share"]].reset_index(drop=True)
    scale = str(supply["scale"].iloc[0]) if "scale" in supply.columns and len(supply) else None
    return Chart(slug("supply-multipliers", scale) if scale else "supply-multipliers", title, caption, fig, table,
                 scale)


def supply_embeddedness_chart(supply: pd.DataFrame, themes: pd.DataFrame, scale_name: str = "") -> Chart:
    """Local input share (embeddedness) and digital/professional services input share per theme."""
    names = _theme_names(themes)
    sub = supply.assign(name=[names.get(t, t) for t in supply["theme"]]).sort_values("local_input_share")
    fig = go.Figure([
        go.Bar(x=100 * sub["local_input_share"], y=sub["name"], orientation="h", name="Inputs bought locally",
               marker_color=OKABE_ITO[2]),
        go.Bar(x=100 * sub["digital_services_input_share"], y=sub["name"], orientation="h",
               name="Inputs from ICT and professional services", marker_color=OKABE_ITO[6]),
    ])
    fig.update_layout(barmode="group")
    title = "Supply-chain embeddedness and digital content of each theme" + (f": {scale_name}" if scale_name else "")
    _style(fig, title, "Share of intermediate inputs (%)", "Theme", height=160 + 40 * len(sub))
    caption = ("Green bars: share of the theme's intermediate inputs bought from within the area (embeddedness). "
               "Purple bars: share bought from ICT and professional services, the digital/services content of "
               "manufacturing themes.")
    table = sub[["theme", "name", "local_input_share", "digital_services_input_share", "upstream",
                 "downstream"]].reset_index(drop=True)
    scale = str(supply["scale"].iloc[0]) if "scale" in supply.columns and len(supply) else None
    return Chart(slug("supply-embeddedness", scale) if scale else "supply-embeddedness", title, caption, fig, table,
                 scale)


def innovation_chart(innovation: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Science and innovation inputs per GBP million of GVA relative to the UK (ratio, 1 = UK average)."""
    sub = innovation[innovation["scale"] == scale].copy()
    ok = sub["ratio_to_uk"].notna()
    notes = []
    if (~ok).any():
        notes.append(f"not shown ({', '.join(sub.loc[~ok, 'status'].astype(str).unique())}): "
                     + ", ".join(sub.loc[~ok, "indicator"]))
    shown = sub[ok].sort_values("ratio_to_uk")
    label = [INNOVATION_LABELS.get(i, i.replace("_", " ")) for i in shown["indicator"]]
    fig = go.Figure(go.Bar(
        x=shown["ratio_to_uk"], y=label, orientation="h",
        marker_color=[OKABE_ITO[4] if r >= 1 else OKABE_ITO[0] for r in shown["ratio_to_uk"]],
        customdata=np.column_stack([shown["per_gva"], shown["uk_per_gva"], shown["grain"].astype(str)]),
        hovertemplate="%{y}: %{x:.2f} x UK<br>per GBP m GVA %{customdata[0]:.4g} vs UK %{customdata[1]:.4g}"
                      "<br>grain %{customdata[2]}<extra></extra>",
    ))
    fig.add_vline(x=1.0, line={"dash": "dash", "color": "#666", "width": 1})
    title = f"Science and innovation base against the UK: {scale_name}"
    _style(fig, title, "Intensity per GBP million of GVA relative to the UK (ratio; 1 = UK average)", "Indicator",
           height=160 + 45 * max(len(shown), 1))
    caption = ("Each input is divided by the area's GVA (current prices, same year) and compared with the UK. "
               "Blue bars (right of the dashed line) are inputs where the area gets more for the size of its economy "
               "than the UK average; orange bars less. Indicators the source does not publish at this scale are "
               "listed in the table as not available rather than estimated.")
    table = sub[["indicator", "value", "per_gva", "uk_per_gva", "ratio_to_uk", "unit", "year", "grain", "source",
                 "status"]].reset_index(drop=True)
    return Chart(slug("innovation", scale), title, caption, fig, table, scale, notes)


def business_base_chart(evidence: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Share of enterprises that are SMEs vs large firms per theme (stacked bars, from size bands)."""
    names = _theme_names(themes)
    wide = _evidence_wide(evidence, scale, ["sme_share", "large_firm_share", "enterprises"])
    wide["name"] = [names.get(t, t) for t in wide.index]
    ok = wide[["sme_share", "large_firm_share"]].notna().all(axis=1)
    notes = [f"{int((~ok).sum())} theme(s) without size-band data not plotted"] if (~ok).any() else []
    shown = wide[ok].sort_values("sme_share")
    fig = go.Figure([
        go.Bar(x=100 * shown["sme_share"], y=shown["name"], orientation="h", name="SMEs (fewer than 250 employees)",
               marker_color=OKABE_ITO[1]),
        go.Bar(x=100 * shown["large_firm_share"], y=shown["name"], orientation="h", name="Large firms (250+)",
               marker_color=OKABE_ITO[5]),
    ])
    fig.update_layout(barmode="stack")
    title = f"Business base: SMEs and large firms in each theme: {scale_name}"
    _style(fig, title, "Share of the theme's business base (%)", "Theme", height=160 + 32 * len(shown))
    caption = ("How much of each theme's business base is made up of SMEs and of large firms (from the size bands). "
               "Themes dominated by a few large firms depend on their decisions; SME-heavy themes need "
               "different support.")
    table = wide.reset_index()[["theme", "name", "sme_share", "large_firm_share", "enterprises", "status"]]
    return Chart(slug("business", scale), title, caption, fig, table, scale, notes)


def footprint_chart(evidence: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Employment footprint: jobs per GBP m of GVA per theme."""
    names = _theme_names(themes)
    wide = _evidence_wide(evidence, scale, ["jobs_per_gbp_m_gva", "gva_per_job", "productivity_ratio"])
    wide["name"] = [names.get(t, t) for t in wide.index]
    ok = wide["jobs_per_gbp_m_gva"].notna()
    notes = []
    if (~ok).any():
        notes.append(f"{int((~ok).sum())} theme(s) not plotted (GVA suppressed or not available): "
                     + ", ".join(wide.index[~ok]))
    shown = wide[ok].sort_values("jobs_per_gbp_m_gva")
    fig = go.Figure(go.Bar(x=shown["jobs_per_gbp_m_gva"], y=shown["name"], orientation="h",
                           marker_color=OKABE_ITO[2], name="jobs per GBP m GVA",
                           hovertemplate="%{y}: %{x:.1f} jobs per GBP m<extra></extra>"))
    title = f"Employment footprint: jobs per GBP million of GVA: {scale_name}"
    _style(fig, title, "Jobs per GBP m of GVA (jobs / GBP m)", "Theme",
           height=160 + 32 * len(shown))
    caption = ("How many jobs each pound million of output supports. High values are labour-intensive themes that "
               "spread employment widely; low values are high-productivity themes that add output with fewer jobs: "
               "the 'economy that works for everyone' trade-off.")
    table = wide.reset_index()[["theme", "name", "jobs_per_gbp_m_gva", "gva_per_job", "productivity_ratio", "status"]]
    return Chart(slug("footprint", scale), title, caption, fig, table, scale, notes)


def stability_chart(stability: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Probability of each theme being in the top k (Monte Carlo over weights and data)."""
    names = _theme_names(themes)
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
    _style(fig, title, f"Probability of ranking in the top {k} (%)", "Theme", height=140 + 30 * len(sub))
    caption = (f"Share of Monte Carlo draws (weights around the stated ones, data within their uncertainty) in which "
               f"the theme ranks in the top {k}. Blue bars (above 50%) are robust priorities; themes near 50% could "
               f"go either way.")
    loo = [c for c in sub.columns if str(c).startswith("loo_")]
    table = sub.assign(name=[names.get(t, t) for t in sub["theme"]])[
        ["theme", "name", "k", "p_top_k", "median_rank", "rank_p05", "rank_p95", *loo]
    ].iloc[::-1].reset_index(drop=True)
    return Chart(slug("stability", scale), title, caption, fig, table, scale)


def rank_interval_chart(stability: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str) -> Chart:
    """Median rank of each theme with its 5-95% rank interval."""
    names = _theme_names(themes)
    sub = stability[stability["scale"] == scale].sort_values("median_rank", ascending=False)
    fig = go.Figure(go.Scatter(
        x=sub["median_rank"], y=[names.get(t, t) for t in sub["theme"]], mode="markers",
        marker={"size": 10, "color": OKABE_ITO[4]}, name="median rank",
        error_x={"type": "data", "symmetric": False, "array": sub["rank_p95"] - sub["median_rank"],
                 "arrayminus": sub["median_rank"] - sub["rank_p05"], "color": "#555"},
        hovertemplate="%{y}: median rank %{x}<extra></extra>",
    ))
    fig.update_xaxes(autorange="reversed", dtick=1)
    title = f"Rank intervals (5th-95th percentile): {scale_name}"
    _style(fig, title, "Rank (1 = first; 5-95% interval)", "Theme", height=140 + 30 * len(sub))
    caption = ("Dot: median rank over the Monte Carlo draws; line: the range holding 90% of the draws. Overlapping "
               "lines mean the order of those themes is not settled by the evidence.")
    table = sub.assign(name=[names.get(t, t) for t in sub["theme"]])[
        ["theme", "name", "median_rank", "rank_p05", "rank_p95"]].iloc[::-1].reset_index(drop=True)
    return Chart(slug("rank-intervals", scale), title, caption, fig, table, scale)


def alignment_heatmap(complementarity: pd.DataFrame, themes: pd.DataFrame, scales: pd.DataFrame, parent: str) -> Chart:
    """Alignment matrix: children (rows) x themes (columns) for one parent scale."""
    names = _theme_names(themes)
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    sub = complementarity[complementarity["parent"] == parent]
    sub = sub[sub["child"] != "_rest"]  # the part of the parent no child covers has no alignment
    wide = sub.pivot(index="child", columns="theme", values="alignment").fillna("")
    wide = wide.reindex(columns=[t for t in themes["theme"] if t in wide.columns])
    prio = sub.drop_duplicates("theme").set_index("theme")["parent_priority"].reindex(wide.columns).fillna(False)
    x = [names.get(t, t) + (" *" if p else "") for t, p in zip(wide.columns, prio, strict=True)]
    # categories of docs/audit-output.md on a discrete, colour-blind-safe scale (Okabe-Ito)
    codes = {"": 0, "gap": 1, "child niche": 2, "contributes": 3, "aligned": 4}
    colours = ["#f2f2f2", "#D55E00", "#56B4E9", "#E69F00", "#009E73"]
    labels = ["-", "gap", "child niche", "contributes", "aligned"]
    z = wide.apply(lambda col: col.map(lambda v: codes.get(str(v), 0))).to_numpy(dtype=float)
    scale = [[b / 5, colours[i]] for i in range(5) for b in (i, i + 1)]
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=[scale_names.get(c, c) for c in wide.index], zmin=-0.5, zmax=4.5, colorscale=scale,
        text=wide.to_numpy(dtype=object), texttemplate="%{text}",
        colorbar={"title": {"text": "alignment"}, "tickvals": [0, 1, 2, 3, 4], "ticktext": labels},
        hovertemplate="%{y} in %{x}: %{text}<extra></extra>",
    ))
    fig.update_xaxes(tickangle=-35)
    pname = scale_names.get(parent, parent)
    title = f"Alignment of the children of {pname} with its priorities"
    _style(fig, title, "Theme (* = priority of the parent)", "Child area", height=260 + 45 * len(wide))
    caption = ("Green: a priority of both the child and the parent; orange: a parent priority the child is "
               "specialised in without prioritising it; blue: the child's own niche; red: a parent priority the "
               "child neither prioritises nor specialises in (a gap).")
    table = sub[["child", "theme", "child_share", "overall_share", "contribution_ratio", "child_specialised",
                 "child_priority", "parent_priority", "alignment"]].reset_index(drop=True)
    return Chart(slug("alignment", parent), title, caption, fig, table, parent)


def contributions_chart(complementarity: pd.DataFrame, themes: pd.DataFrame, scales: pd.DataFrame,
                        parent: str) -> Chart:
    """Children's contributions (share of the parent's jobs in each theme), stacked by child."""
    names = _theme_names(themes)
    scale_names = dict(zip(scales["scale"], scales["name"], strict=True))
    sub = complementarity[complementarity["parent"] == parent]
    theme_order = [t for t in themes["theme"] if t in set(sub["theme"])]
    fig = go.Figure()
    for i, (child, part) in enumerate(sub.groupby("child", sort=True)):
        part = part.set_index("theme").reindex(theme_order)
        overall = float(part["overall_share"].dropna().iloc[0]) if part["overall_share"].notna().any() else np.nan
        fig.add_trace(go.Bar(
            x=[names.get(t, t) for t in theme_order], y=100 * part["child_share"],
            name=f"{scale_names.get(child, child)} (overall share {100 * overall:.0f}%)",
            marker_color=OKABE_ITO[i % len(OKABE_ITO)],
            hovertemplate="%{x}: %{y:.1f}%<extra>" + scale_names.get(child, child) + "</extra>",
        ))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickangle=-35)
    pname = scale_names.get(parent, parent)
    title = f"Children's contributions to {pname} by theme"
    _style(fig, title, "Theme", f"Share of {pname}'s jobs in the theme (%)", height=480)
    caption = ("Each bar splits the parent's jobs in a theme between its children. A child whose slice is larger "
               "than its overall share (in the legend) is specialised in that theme. Where the children tile the "
               "parent the bar reaches 100%; a shorter bar means part of the parent is outside the listed children.")
    table = sub[["child", "theme", "child_share", "overall_share", "contribution_ratio"]].reset_index(drop=True)
    return Chart(slug("contributions", parent), title, caption, fig, table, parent)
