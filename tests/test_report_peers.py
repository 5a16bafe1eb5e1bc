"""The report's UK-wide peer views (issue 17): the complexity KPI and chart from the audit's ``peers`` tables, the
similar UK regions, the trends charts of the priority themes, the reference marker on the business-base chart,
and an older audit output without those tables (the views are left out with a note).

Expected values are read straight from the SYNTHETIC tables of ``tests/report_fixtures.py`` (the report draws
what the audit decided; nothing is recomputed here beyond counting and sorting).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from report_fixtures import PEER_REGIONS, synthetic_tables, write_synthetic_audit
from sia.report import build_report
from sia.report import charts as ch
from sia.report.html import peer_complexity_kpi, similar_regions_text
from sia.report.loader import AuditOutput, load_audit


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> AuditOutput:
    return load_audit(write_synthetic_audit(tmp_path_factory.mktemp("audit")))


def test_complexity_kpi_is_the_audit_rank_among_uk_regions(audit: AuditOutput) -> None:
    peers, regions = audit.tables["peers"], audit.tables["peer_regions"]
    me = peers.set_index("scale").loc["me"]
    region_eci = regions[regions.scale == "me"]["eci"].to_numpy(float)
    # Midlands Engine (-0.35) among 10 regions: 1 + the regions above it, of 10 + 1 ranked
    assert me["complexity_rank"] == 1 + (region_eci > -0.35).sum()
    kpi = peer_complexity_kpi(peers, "me")
    assert kpi is not None and kpi["value"] == "-0.35"
    assert (kpi["rank"], kpi["n"], kpi["n_regions"], kpi["year"]) == (int(me["complexity_rank"]), 11, 10, 2018)
    assert "the 10 UK regions and this area" in kpi["rank_label"]
    wmca = peer_complexity_kpi(peers, "wmca")  # the NUTS2 region UKG3 itself: ranked among the 10 regions
    assert wmca is not None and wmca["n"] == 10 and "and this area" not in wmca["rank_label"]
    assert peer_complexity_kpi(None, "me") is None and peer_complexity_kpi(peers, "nowhere") is None


def test_similar_regions_are_listed_by_the_audit_rank_with_inside_flags(audit: AuditOutput) -> None:
    regions = audit.tables["peer_regions"]
    lines = similar_regions_text(regions, "wm", "West Midlands")
    top = regions[regions.scale == "wm"].sort_values("similarity_rank").head(5)
    assert lines[0].startswith("Most similar UK regions by industry mix") and "10 NUTS2 regions" in lines[0]
    # the first five in the audit's order, each with its similarity to 3 decimals
    text = lines[0]
    positions = [text.index(f"({s:.3f}") for s in top["similarity"]]
    assert positions == sorted(positions)
    # the NUTS2 region "West Midlands" is told apart from the scale of the same name and flagged as inside it
    assert "West Midlands (NUTS2 region) (" in text and "; inside West Midlands)" in text
    inside = {name for _, name, within in PEER_REGIONS if "wm" in within}
    if set(top["region_name"]) & inside:
        outside = regions[(regions.scale == "wm") & (regions.overlap == "")].sort_values("similarity_rank")
        assert lines[1].startswith("Closest outside West Midlands: " + outside["region_name"].iloc[0])
    assert similar_regions_text(None, "wm", "West Midlands") == []


def test_peer_complexity_chart_places_the_scale_among_the_regions(audit: AuditOutput) -> None:
    peers, regions = audit.tables["peers"], audit.tables["peer_regions"]
    c = ch.peer_complexity_chart(peers, regions, "me", "Midlands Engine")
    assert c is not None
    bars = {tr.name: tr for tr in c.figure.data}
    assert list(bars["Midlands Engine"].y) == ["Midlands Engine"]
    assert list(bars["Midlands Engine"].x) == [pytest.approx(-0.35)]
    n_inside = sum("me" in within for *_, within in PEER_REGIONS)
    assert len(bars["Region inside Midlands Engine"].y) == n_inside
    assert sum(len(tr.y) for tr in c.figure.data) == len(PEER_REGIONS) + 1
    eci = dict(zip(regions[regions.scale == "me"]["region_name"], regions[regions.scale == "me"]["eci"], strict=True))
    for tr in c.figure.data:
        for name, x in zip(tr.y, tr.x, strict=True):
            if name != "Midlands Engine":
                assert x == pytest.approx(eci[name])
    assert "rank" in c.caption and c.data_years == "2018" and len(c.table) == len(PEER_REGIONS) + 1
    own = ch.peer_complexity_chart(peers, regions, "wmca", "West Midlands metropolitan area")
    assert own is not None and sum(len(tr.y) for tr in own.figure.data) == len(PEER_REGIONS)  # the region itself


def test_trends_chart_draws_the_priority_themes_from_the_trends_table(audit: AuditOutput) -> None:
    t = audit.tables
    fw, trends = t["framework"], t["trends"]
    prio = fw[(fw.scale == "wm") & (fw.role != "")]["theme"].tolist()
    assert prio
    c = ch.trends_chart(trends, fw, t["themes"], "wm", "West Midlands", "jobs")
    assert c is not None and len(c.figure.data) == len(prio)
    assert c.figure.layout.yaxis.type == "log" and c.data_years == "2015 to 2022"
    full = dict(zip(t["themes"]["theme"], t["themes"]["name"], strict=True))
    for tr in c.figure.data:
        theme = next(k for k in prio if tr.name.startswith(full[k]))
        sub = trends[(trends.scale == "wm") & (trends.theme == theme) & (trends.indicator == "jobs")]
        np.testing.assert_allclose(np.asarray(tr.y, float), sub.sort_values("year")["value"].to_numpy(float))
        # the latest year is the evidence's jobs value
        ev = t["evidence"]
        latest = ev[(ev.scale == "wm") & (ev.theme == theme) & (ev.indicator == "jobs")]["value"].iloc[0]
        assert tr.y[-1] == pytest.approx(latest)
    gva = ch.trends_chart(trends, fw, t["themes"], "wm", "West Midlands", "gva")
    assert gva is not None and all("circle-open" in tr.marker.symbol for tr in gva.figure.data)  # estimated values
    none = fw.assign(role="")
    assert ch.trends_chart(trends, none, t["themes"], "wm", "West Midlands") is None


def test_business_base_marks_the_reference_share() -> None:
    tables, _ = synthetic_tables()
    ev = tables["evidence"]
    s = tables["scales"]["scale"][0]
    c = ch.business_base_chart(ev, tables["themes"], s, "Here", tables["scales"])
    ref = next(tr for tr in c.figure.data if tr.name == "Great Britain")
    here = next(tr for tr in c.figure.data if tr.name == "Here")
    assert list(ref.y) == list(here.y)  # one diamond per broad group
    want = ev[(ev.scale == s) & (ev.indicator == "ref_large_firm_share")]["value"].to_numpy(float)
    assert set(np.round(np.asarray(ref.customdata, float), 9)) <= set(np.round(100 * want, 9))  # the table's shares
    assert "black diamonds" in c.caption and "Large-firm share in Great Britain (%)" in c.table
    # without the reference rows (an older audit) the chart still draws, and says what is missing
    old = ch.business_base_chart(ev[ev.indicator != "ref_large_firm_share"], tables["themes"], s, "Here",
                                 tables["scales"])
    assert "Great Britain" not in [tr.name for tr in old.figure.data]
    assert "not in this audit's tables" in old.caption


def test_report_without_the_new_tables_leaves_the_views_out_with_a_note(tmp_path: Path) -> None:
    full = write_synthetic_audit(tmp_path / "full")
    html = build_report(full, tmp_path / "full.html").html_path.read_text()
    assert "complexity rank among the 10 UK regions and this area" in html
    assert "Most similar UK regions by industry mix" in html and "Jobs in the priority themes" in html
    old = write_synthetic_audit(tmp_path / "old")
    for name in ("peers", "peer_regions", "trends"):
        for ext in ("parquet", "csv"):
            (old / f"{name}.{ext}").unlink()
    assert load_audit(old).missing_tables == ["peers", "peer_regions", "trends"]
    res = build_report(old, tmp_path / "old.html")
    text = res.html_path.read_text()
    assert "The audit wrote no trends table" in text and "The audit wrote no peers table" in text
    assert "The audit wrote no peer_regions table" in text
    assert "complexity rank among the 10 UK regions" not in text
    assert not any(k.startswith(("trends", "peer")) for k in res.charts)
    assert any("Table 'peers' was not written" in n for n in res.notes)
    frame = pd.read_parquet(full / "peers.parquet")
    assert set(frame["scale"]) == {"em", "me", "wm", "wmca"}
