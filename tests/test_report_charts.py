"""Chart builders: titles, axis titles with units, trace counts, and the plotted values against the tables."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from report_fixtures import write_synthetic_audit
from sia.report import charts as ch
from sia.report.build import collect_charts, ordered_scales
from sia.report.loader import AuditOutput, load_audit
from sia.report.maps import attribution_for, choropleth_chart, load_boundary, map_charts

REPO = Path(__file__).resolve().parents[1]
UNIT = re.compile(r"\(.+\)")  # every axis title states its unit in brackets


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
    c = ch.bubble_chart(t["evidence"], t["framework"], t["themes"], "wm", "West Midlands")
    assert c.figure.layout.title.text == "Strength and growth of the themes: West Midlands"
    x_title, y_title = _axis_titles(c.figure)
    assert x_title.startswith("Location quotient") and UNIT.search(x_title)
    assert y_title == "Employment growth, base to latest year (%)"
    roles = set(t["framework"].query("scale == 'wm'")["role"])
    assert len(c.figure.data) == len(roles)  # one trace per framework role present
    ev = t["evidence"].query("scale == 'wm'")
    lq = ev[ev.indicator == "lq"].set_index("theme")
    growth = ev[ev.indicator == "growth_pct"].set_index("theme")["value"]
    names = dict(zip(t["themes"]["theme"], t["themes"]["name"], strict=True))
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
    assert len(c.table) == 10 and "status" in c.table


def test_bubble_chart_notes_rows_it_cannot_plot(audit: AuditOutput) -> None:
    t = audit.tables
    ev = t["evidence"].copy()
    ev.loc[(ev.scale == "wm") & (ev.theme == "energy") & (ev.indicator == "lq"), "value"] = np.nan
    c = ch.bubble_chart(ev, t["framework"], t["themes"], "wm", "West Midlands")
    assert sum(len(tr.x) for tr in c.figure.data) == 9
    assert c.notes == ["1 theme(s) not plotted for lack of LQ, growth_pct or jobs: energy"]
    assert len(c.table) == 10  # the table keeps the row


def test_heatmap_equals_pivot(audit: AuditOutput) -> None:
    t = audit.tables
    c = ch.themes_heatmap(t["evidence"], t["themes"], t["scales"])
    z = np.array(c.figure.data[0].z, dtype=float)
    lq = t["evidence"][t["evidence"].indicator == "lq"].pivot(index="theme", columns="scale", values="value")
    expected = lq.reindex(index=t["themes"]["theme"], columns=t["scales"]["scale"]).to_numpy()
    np.testing.assert_allclose(z, expected, rtol=0, atol=1e-12)
    assert c.figure.data[0].zmid == 1.0 and len(c.figure.data) == 1
    assert all(UNIT.search(a) for a in _axis_titles(c.figure))


def test_contributions_add_up_to_the_parent(audit: AuditOutput) -> None:
    t = audit.tables
    c = ch.contributions_chart(t["complementarity"], t["themes"], t["scales"], "me")
    assert len(c.figure.data) == 2 and c.figure.layout.barmode == "stack"
    total = np.sum([np.asarray(tr.y, dtype=float) for tr in c.figure.data], axis=0)
    np.testing.assert_allclose(total, 100.0, atol=1e-9)  # em + wm tile the Midlands Engine
    a = ch.alignment_heatmap(t["complementarity"], t["themes"], t["scales"], "me")
    assert np.asarray(a.figure.data[0].z).shape == (2, 10)


def test_every_chart_has_title_axis_units_caption_and_table(audit: AuditOutput) -> None:
    sections, global_charts, boundaries, map_notes, notes = collect_charts(audit, boundaries_dir=_boundaries_dir())
    charts = [c for s in sections for cs in s.charts.values() for c in cs]
    charts += [c for cs in global_charts.values() for c in cs]
    assert len({c.key for c in charts}) == len(charts)
    expected_traces = {"ranking": None, "opportunities": 2, "innovation": 1, "business": 2, "footprint": 1,
                       "stability": 1, "rank-intervals": 1, "alignment": 1, "contributions": None,
                       "supply-multipliers": 2, "supply-embeddedness": 2, "heatmap": 1, "map": 1}
    for c in charts:
        fig = c.figure
        assert fig.layout.title.text == c.title and c.title
        assert len(c.caption) > 60 and not c.table.empty
        kind = next((k for k in sorted(expected_traces, key=len, reverse=True) if c.key.startswith(k)), None)
        if c.key.startswith(("network", "map")):
            if c.key.startswith("network"):
                n_clusters = audit.tables["clusters"]["cluster"].nunique()
                assert len(fig.data) == 1 + n_clusters  # edges + one trace per cluster
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
    assert any("berd" in n for n in notes)  # the 'not available' innovation indicator is reported


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
