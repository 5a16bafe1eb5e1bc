"""Chart builders: titles, axis titles with units, trace counts, and the plotted values against the tables."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from report_fixtures import synthetic_tables, write_synthetic_audit
from sia.report import charts as ch
from sia.report.build import collect_charts, ordered_scales
from sia.report.labels import theme_names
from sia.report.loader import AuditOutput, load_audit
from sia.report.maps import attribution_for, choropleth_chart, load_boundary, map_charts

REPO = Path(__file__).resolve().parents[1]
UNIT = re.compile(r"\(.+\)")  # every axis title states its unit in brackets
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a snake_case id such as growth_pct or loo_strength


def _boundaries_dir() -> Path | None:
    root = Path(os.environ.get("SIA_SHARED_DATA") or REPO.parent / "shared" / "data")
    d = root / "boundaries"
    return d if d.is_dir() else None


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> AuditOutput:
    return load_audit(write_synthetic_audit(tmp_path_factory.mktemp("audit")))


def _axis_titles(fig) -> tuple[str, str]:
    return (fig.layout.xaxis.title.text or ""), (fig.layout.yaxis.title.text or "")


def test_bubble_chart_plots_the_evidence(audit: AuditOutput) -> None:
    t = audit.tables
    c = ch.bubble_chart(t["evidence"], t["framework"], t["themes"], "wm", "West Midlands", years=(2015, 2022),
                        reference_name="Great Britain")
    assert c.figure.layout.title.text == "Strength and growth of the themes: West Midlands"
    x_title, y_title = _axis_titles(c.figure)
    assert x_title.startswith("Employment location quotient (ratio to Great Britain") and UNIT.search(x_title)
    assert y_title == "Employment growth, 2015 to 2022 (%)"  # the years, not "base to latest year"
    assert "jobs in 2022" in c.caption and "interval" in c.caption
    roles = set(t["framework"].query("scale == 'wm'")["role"])
    assert len(c.figure.data) == len(roles)  # one trace per framework role present
    ev = t["evidence"].query("scale == 'wm'")
    lq = ev[ev.indicator == "lq"].set_index("theme")
    growth = ev[ev.indicator == "growth_pct"].set_index("theme")["value"]
    names = theme_names(t["themes"])
    inv = {v: k for k, v in names.items()}
    n = 0
    for trace in c.figure.data:
        themes = [inv[x] for x in trace.text]
        n += len(themes)
        np.testing.assert_allclose(trace.x, lq.loc[themes, "value"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(trace.y, growth.loc[themes], rtol=0, atol=1e-12)
        np.testing.assert_allclose(trace.error_x.array, lq.loc[themes, "high"] - lq.loc[themes, "value"], atol=1e-12)
        np.testing.assert_allclose(trace.error_x.arrayminus, lq.loc[themes, "value"] - lq.loc[themes, "low"],
                                   atol=1e-12)
    assert n == 10
    texts = {a.text for a in c.figure.layout.annotations}
    assert {"Strong & growing", "Strong & declining", "Weak & declining"} <= texts
    shapes = c.figure.layout.shapes  # quadrant lines at LQ = 1 and y = 0
    assert {(s.x0, s.x1) for s in shapes if s.xref == "x"} == {(1.0, 1.0)}
    assert {(s.y0, s.y1) for s in shapes if s.yref == "y"} == {(0.0, 0.0)}
    assert len(c.table) == 10 and "Status" in c.table and "Employment LQ" in c.table
    # every theme is labelled once, by an annotation, and no two labels overlap at the nominal plot size
    labels = [a for a in c.figure.layout.annotations if a.xref == "x"]
    assert sorted(a.text.replace("<br>", " ") for a in labels) == sorted(names[x] for x in ev.theme.unique())
    assert names["cluster-01"] == "Technical testing and analysis cluster"  # member-list name shortened


def test_bubble_chart_at_a_gva_only_scale_speaks_of_gva() -> None:
    """A LEP scale has GVA evidence only: the caption and axes say GVA, there are no whiskers and no jobs."""
    tables, _ = synthetic_tables()
    ev = tables["evidence"].copy()
    wm = ev["scale"] == "wm"
    gva_lq = ev[wm & (ev.indicator == "lq")].assign(indicator="gva_lq", unit="ratio (GVA)", low=np.nan, high=np.nan)
    gva_growth = ev[wm & (ev.indicator == "growth_pct")].assign(indicator="gva_growth_pct")
    na = wm & ev.indicator.isin(["lq", "growth_pct", "jobs"])
    ev.loc[na, ["value", "low", "high"]] = np.nan
    ev.loc[na, "status"] = "not available at this scale"
    view = ch.strength_view(pd.concat([ev, gva_lq, gva_growth], ignore_index=True))
    assert ch.strength_measure(view, "wm") == "GVA"
    c = ch.bubble_chart(view, tables["framework"], tables["themes"], "wm", "West Midlands", years=(2015, 2022))
    x_title, y_title = _axis_titles(c.figure)
    assert x_title.startswith("GVA location quotient") and y_title.startswith("GVA growth in current prices, 2015")
    assert "GVA" in c.caption and "no interval" in c.caption and "jobs" not in c.caption
    assert all(tr.error_x.visible is False for tr in c.figure.data)
    np.testing.assert_allclose(sorted(x for tr in c.figure.data for x in tr.x),
                               sorted(gva_lq["value"]), rtol=0, atol=1e-12)


def test_bubble_chart_notes_rows_it_cannot_plot(audit: AuditOutput) -> None:
    t = audit.tables
    ev = t["evidence"].copy()
    ev.loc[(ev.scale == "wm") & (ev.theme == "energy") & (ev.indicator == "lq"), "value"] = np.nan
    c = ch.bubble_chart(ev, t["framework"], t["themes"], "wm", "West Midlands")
    assert sum(len(tr.x) for tr in c.figure.data) == 9
    assert c.notes == ["1 theme(s) not plotted for lack of LQ, growth (%) or jobs: Energy and low carbon"]
    assert len(c.table) == 10  # the table keeps the row


def test_heatmap_equals_pivot_with_a_colour_bar_from_zero_white_at_one(audit: AuditOutput) -> None:
    t = audit.tables
    c = ch.themes_heatmap(t["evidence"], t["themes"], t["scales"])
    hm = c.figure.data[0]
    lq = t["evidence"][t["evidence"].indicator == "lq"].pivot(index="theme", columns="scale", values="value")
    expected = lq.reindex(index=t["themes"]["theme"], columns=t["scales"]["scale"]).to_numpy()
    np.testing.assert_allclose(np.array(hm.customdata, dtype=float), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.array(hm.z, dtype=float), np.clip(expected, 0, ch.LQ_MAX), atol=1e-12)
    assert hm.zmin == 0.0 and hm.zmax == ch.LQ_MAX and len(c.figure.data) == 1  # never an impossible LQ below 0
    assert list(hm.colorbar.tickvals) == [0, 0.5, 1, 2, 3, 4] and hm.colorbar.ticktext[-1] == "4+"
    stops = {round(p * ch.LQ_MAX, 6): colour for p, colour in hm.colorscale}
    assert stops[1.0] == "#f7f7f7"  # white at LQ = 1
    # orange (low) -> purple (high), reciprocal LQs (0.5 and 2) equally far from white, and the caption says so
    assert stops[0.0] == "#7f3b08" and stops[4.0] == "#542788" and stops[0.5] == "#fdb863" and stops[2.0] == "#b2abd2"
    assert "Purple cells (LQ above 1) are specialisations" in c.caption and "runs from 0" in c.caption
    assert all("employment LQ" in x for x in hm.x)  # each scale's measure is named
    assert "Every column is an employment LQ" in c.caption
    assert all(UNIT.search(a) for a in _axis_titles(c.figure))


def test_heatmap_labels_gva_and_estimated_columns_apart() -> None:
    """A scale with GVA evidence only is labelled "GVA LQ"; one with estimated employment "estimated"."""
    tables, _ = synthetic_tables()
    ev = tables["evidence"].copy()
    wm = ev["scale"] == "wm"
    gva_lq = ev[wm & (ev.indicator == "lq")].assign(indicator="gva_lq", unit="ratio (GVA)", low=np.nan, high=np.nan)
    ev.loc[wm & ev.indicator.isin(["lq", "jobs"]), ["value", "low", "high"]] = np.nan
    ev.loc[wm & ev.indicator.isin(["lq", "jobs"]), "status"] = "not available at this scale"
    ev.loc[(ev.scale == "wmca") & (ev.indicator == "lq"), "status"] = "estimated"
    view = ch.strength_view(pd.concat([ev, gva_lq], ignore_index=True))
    c = ch.themes_heatmap(view, tables["themes"], tables["scales"])
    names = dict(zip(tables["scales"]["scale"], tables["scales"]["name"], strict=True))
    x = dict(zip([s for s in tables["scales"]["scale"]], c.figure.data[0].x, strict=True))
    assert x["wm"].endswith("(GVA LQ)") and "employment" not in x["wm"]
    assert x["wmca"].endswith("(employment LQ,<br>estimated)") and x["em"].endswith("(employment LQ)")
    assert "1 of the 4 columns are GVA LQs" in c.caption and "1 column(s) marked 'estimated'" in c.caption
    assert f"{names['wm']} (GVA LQ)" in c.table.columns


def test_contributions_add_up_to_the_parent(audit: AuditOutput) -> None:
    t = audit.tables
    c = ch.contributions_chart(t["complementarity"], t["themes"], t["scales"], "me")
    assert len(c.figure.data) == 2 and c.figure.layout.barmode == "stack"
    total = np.sum([np.asarray(tr.x, dtype=float) for tr in c.figure.data], axis=0)
    np.testing.assert_allclose(total, 100.0, atol=1e-9)  # em + wm tile the Midlands Engine
    a = ch.alignment_heatmap(t["complementarity"], t["themes"], t["scales"], "me")
    assert np.asarray(a.figure.data[0].z).shape == (10, 2)  # themes x children
    # the part of the West Midlands outside its one child is "Rest of West Midlands", never "_rest"
    w = ch.contributions_chart(t["complementarity"], t["themes"], t["scales"], "wm")
    assert [tr.name.split(" (")[0] for tr in w.figure.data] == ["West Midlands metropolitan area",
                                                                 "Rest of West Midlands"]
    total = np.sum([np.asarray(tr.x, dtype=float) for tr in w.figure.data], axis=0)
    np.testing.assert_allclose(total, 100.0, atol=1e-9)
    assert "_rest" not in " ".join(map(str, w.table.to_numpy().ravel()))


def test_every_chart_has_title_axis_units_caption_and_table(audit: AuditOutput) -> None:
    sections, global_charts, boundaries, map_notes, notes = collect_charts(audit, boundaries_dir=_boundaries_dir())
    charts = [c for s in sections for cs in s.charts.values() for c in cs]
    charts += [c for cs in global_charts.values() for c in cs]
    assert len({c.key for c in charts}) == len(charts)
    expected_traces = {"ranking": None, "opportunities": None, "innovation": 1, "business": 3, "footprint": 1,
                       "stability": 1, "rank-intervals": 1, "alignment": 1, "contributions": None,
                       "supply-multipliers": 2, "supply-embeddedness": 2, "heatmap": 1, "map": None,
                       "top-opportunities": None, "composition": 1}
    for c in charts:
        fig = c.figure
        assert fig.layout.title.text.replace("<br>", " ") == c.title and c.title
        assert len(c.caption) > 60 and not c.table.empty
        assert c.source_line.startswith("Source: "), c.key
        years = c.data_years or "2015 to 2022"  # a chart's own years (an innovation indicator's) or the audit's
        assert f"data {years}" in c.source_line, (c.key, c.source_line)
        if c.key.startswith(("innovation", "map")):
            assert c.data_years and c.data_years != "2015 to 2022", c.key
        assert not [col for col in c.table.columns if SNAKE.search(str(col))], (c.key, list(c.table.columns))
        kind = next((k for k in sorted(expected_traces, key=len, reverse=True) if c.key.startswith(k)), None)
        if c.key.startswith(("network", "map", "composition")):
            if c.key.startswith("network"):
                n_clusters = audit.tables["clusters"]["cluster"].nunique()
                assert len(fig.data) == 1 + 2 * n_clusters  # edges + per cluster its nodes and a legend swatch
                assert sum(bool(tr.showlegend is not False) for tr in fig.data[1:]) == n_clusters
            continue
        x_title, y_title = _axis_titles(fig)
        assert x_title and y_title, c.key
        assert UNIT.search(x_title) or UNIT.search(y_title), (c.key, x_title, y_title)
        if kind and expected_traces[kind] is not None:
            assert len(fig.data) == expected_traces[kind], c.key
    if _boundaries_dir() is not None:
        assert len(global_charts["maps"]) == 3 and {b.level for b in boundaries} == {"LAD", "ITL2", "ITL3"}
    # every scale block has the sections it should
    by_scale = {s.scale: s for s in sections}
    assert [s.scale for s in sections] == ["me", "em", "wm", "wmca"]  # hierarchy order
    assert by_scale["me"].charts.get("complementarity") and not by_scale["em"].charts.get("complementarity")
    assert any("Business R&D (BERD)" in n for n in notes)  # the "not available" indicator, by its name


def test_ordered_scales_puts_parents_first(audit: AuditOutput) -> None:
    assert ordered_scales(audit.tables["scales"])["scale"].tolist() == ["me", "em", "wm", "wmca"]


def test_network_layout_is_deterministic(audit: AuditOutput) -> None:
    t = audit.tables
    a = ch.network_positions(t["relatedness_edges"], t["clusters"]["activity"].tolist())
    b = ch.network_positions(t["relatedness_edges"], t["clusters"]["activity"].tolist())
    assert a == b and len(a) == 40


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace formula: positive for counter-clockwise rings in (lon, lat)."""
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def test_rings_are_rewound_clockwise_and_codes_matched(tmp_path: Path) -> None:
    """A counter-clockwise (RFC 7946) square with a clockwise hole comes back exterior-CW, hole-CCW."""
    ccw = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    hole_cw = [[0.2, 0.2], [0.2, 0.8], [0.8, 0.8], [0.8, 0.2], [0.2, 0.2]]
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"CODE": "X1", "other": "zz"},
         "geometry": {"type": "Polygon", "coordinates": [ccw, hole_cw]}},
        {"type": "Feature", "properties": {"CODE": "X9"},
         "geometry": {"type": "Polygon", "coordinates": [ccw]}}]}
    path = tmp_path / "mine.geojson"
    path.write_text(json.dumps(gj))
    assert _signed_area(ccw) == 1.0  # hand check of the helper: unit square, CCW
    b = load_boundary(path, "LAD", {"X1", "X2"}, user_supplied=True)
    assert b.id_property == "CODE" and b.matched == ["X1"] and b.unmatched == ["X2"]
    rings = b.geojson["features"][0]["geometry"]["coordinates"]
    assert _signed_area(rings[0]) == pytest.approx(-1.0) and _signed_area(rings[1]) == pytest.approx(0.36)
    assert "User-supplied" in b.attribution


def test_attribution_follows_the_boundaries_provenance() -> None:
    lad = attribution_for(Path("lad23_dec_uk_buc.geojson"))
    assert lad.startswith("Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
                          "Contains OS data © Crown copyright and database right 2023.")
    assert "LPS Intellectual Property" in lad  # UK-wide file includes Northern Ireland
    assert "right 2021." in attribution_for(Path("itl3_2021_uk.geojson"))
    lep = attribution_for(Path("lep21_may_en_buc.geojson"))
    assert "right 2021." in lep and "LPS" not in lep


def test_maps_skipped_with_a_note_without_boundaries(audit: AuditOutput, tmp_path: Path) -> None:
    charts, used, notes = map_charts(audit.tables["maps"])
    assert charts == [] and used == [] and "no boundaries configured" in notes[0]
    charts, used, notes = map_charts(audit.tables["maps"], boundaries_dir=tmp_path / "none")
    assert charts == [] and "not found" in notes[0]


def test_choropleth_counts_areas_without_polygon(audit: AuditOutput) -> None:
    d = _boundaries_dir()
    if d is None:
        pytest.skip("shared boundaries not available")
    maps = audit.tables["maps"].copy()
    maps.loc[maps.index[maps.level == "LAD"][0], "area"] = "E99999999"
    lad = maps[maps.level == "LAD"]
    b = load_boundary(d / "lad23_dec_uk_buc.geojson", "LAD", set(lad["area"]))
    c = choropleth_chart(maps, "LAD", "jobs_per_gbp_m_gva", b)
    assert len(c.figure.data[0].locations) == len(lad) - 1
    assert c.notes and c.notes[0].startswith("1 area(s) not drawn") and "E99999999" in c.notes[0]
    geo = c.figure.layout.geo
    assert geo.fitbounds == "locations" and geo.visible is False
    for feat in b.geojson["features"]:  # every exterior ring clockwise after rewinding
        coords = feat["geometry"]["coordinates"]
        polys = [coords] if feat["geometry"]["type"] == "Polygon" else coords
        assert all(_signed_area(p[0]) < 0 for p in polys)


def test_headline_size_is_never_a_zero_for_missing_jobs() -> None:
    """The "jobs in priority themes" headline: jobs, else GVA, else "not available" (never "0 jobs")."""
    from sia.report.html import _priority_size_kpi

    ev = pd.DataFrame({"theme": ["a", "b", "a", "b"], "indicator": ["jobs", "jobs", "gva", "gva"],
                       "value": [np.nan, np.nan, 120.0, 80.0],
                       "status": ["not available at this scale"] * 2 + ["observed"] * 2})
    kpi = _priority_size_kpi(ev, pd.Series(["a", "b"]))
    assert kpi == {"value": "200", "label": "GBP m GVA in priority themes"}
    kpi = _priority_size_kpi(ev[ev.indicator == "jobs"], pd.Series(["a", "b"]))
    assert kpi["value"] == "not available" and "0" not in kpi["value"]
    ev.loc[ev.indicator == "jobs", "value"] = [1500.0, 2500.0]
    assert _priority_size_kpi(ev, pd.Series(["a", "b"]))["value"] == "4,000"


def test_opportunity_colours_are_the_tables_quadrants(audit: AuditOutput) -> None:
    """Each point of the opportunity scatter is drawn in the trace of its own ``quadrant`` (the table's column)."""
    from sia.report.labels import QUADRANT_LABELS

    opp = audit.tables["opportunities"]
    c = ch.opportunity_chart(opp, "me", "Midlands Engine")
    sub = opp[opp.scale == "me"].assign(key=lambda f: f["activity"] + " " + f["activity_name"])
    quadrant = dict(zip(sub["key"], sub["quadrant"], strict=True))
    by_label = {v: k for k, v in QUADRANT_LABELS.items()}
    n = 0
    for tr in c.figure.data:
        assert {quadrant[t] for t in tr.text} == {by_label[tr.name]}, tr.name
        n += len(tr.text)
    assert n == len(sub)
    assert set(c.table["Opportunity quadrant"]) <= set(QUADRANT_LABELS.values())


def test_business_base_has_one_row_per_broad_group_against_the_other_areas() -> None:
    tables, _ = synthetic_tables()
    ev = tables["evidence"].copy()
    biz = ev.indicator.isin(["large_firm_share", "enterprises"])
    groups = {"energy": "Manufacturing (C)", "logistics": "Transport & storage (inc postal) (H)"}
    ev.loc[biz, "note"] = ["2021; broad group " + groups.get(t, "Manufacturing (C)") + " (80% of the theme's GB jobs)"
                           for t in ev.loc[biz, "theme"]]
    c = ch.business_base_chart(ev, tables["themes"], tables["scales"]["scale"][0], "Here", tables["scales"])
    here, others = c.figure.data[-1], c.figure.data[0]
    assert len(here.y) == 2 and others.name == "Other areas of this audit"  # two groups, not ten themes
    assert len(others.x) == 2 * (len(tables["scales"]) - 1)
    assert c.figure.layout.xaxis.type == "log" and "2021" in c.title and c.data_years == "2021"
    assert len(c.table) == len(tables["themes"]) and "Broad industry group" in c.table


def test_industry_mix_similarity_is_the_cosine_of_the_shares(audit: AuditOutput) -> None:
    acts = audit.tables["activities"]
    sim = ch.industry_mix_similarity(acts)
    a = acts[acts.scale == "em"].set_index("activity")["share"]
    b = acts[acts.scale == "wm"].set_index("activity")["share"].reindex(a.index).fillna(0)
    expected = float(a @ b / np.sqrt((a @ a) * (b @ b)))
    assert sim.loc["em", "wm"] == pytest.approx(expected, rel=1e-12) and sim.loc["em", "em"] == pytest.approx(1.0)
    names = dict(zip(audit.tables["scales"]["scale"], audit.tables["scales"]["name"], strict=True))
    near = ch.similar_areas(acts, "em", names)
    assert len(near) == 3 and near == sorted(near, key=lambda x: -x[1]) and names["em"] not in [n for n, _ in near]


def test_cluster_names_are_shortened_for_charts() -> None:
    from sia.report.labels import reader_text, short_theme_name

    assert short_theme_name("Warehousing and storage · Packaging activities") == "Warehousing and storage cluster"
    assert short_theme_name("Processing and preserving of poultry meat · Other food products nec") == \
        "Poultry meat · Food products cluster"
    assert short_theme_name("Next generation transport", "analyst") == "Next generation transport"
    assert reader_text("95% interval; widened (sia.audit.districts.widen_lq_interval)") == "95% interval; widened"
