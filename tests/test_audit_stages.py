"""Each audit stage on a small fixture whose expected values are worked out by hand below.

None of these read the audit's own output back: every expected number is computed in the comments
from the fixture's counts. Each guards one rule that a plausible edit would break (the mutations of
issue 14): framework eligibility ``<=``, the complementarity "child specialised" cut-off, the map LQ's
division, and growth over the base year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sia.audit import complementarity as comp
from sia.audit import framework as fw
from sia.audit.evidence import LadGvaResult, employment_evidence
from sia.audit.evidence_set import EvidenceSet
from sia.audit.indicators import missing_reason
from sia.audit.tables import lad_gva_lq
from sia.audit.themes import Theme, theme_membership
from sia.audit.vocabulary import NOT_AVAILABLE
from sia.panel import Panel

# ----------------------------------------------------------------------------- employment stage
# Two areas x three subclasses x two years. Theme "t" = subclasses 01110 + 01120.
#   area A 2015: 10, 30, 60 (total 100)   2021: 20, 30, 50 (total 100)
#   area B 2015: 40, 10, 50 (total 100)   2021: 40, 20, 40 (total 100)
# Theme jobs in A: 2015 = 40, 2021 = 50 -> growth = 100 (50 - 40) / 40 = +25.0 % (over the BASE year;
#   over the end year it would be 20 %).
# LQ of the theme in A (2021), reference = A + B: (50 / 100) / ((50 + 60) / 200) = 0.5 / 0.55 = 0.909090...
# LQ interval (Moineddin et al.): se = sqrt(1/50 - 1/100 + 1/110 - 1/200)
# Competitive effect per subclass (Dunn): x1 - x0 (X1_c / X0_c), reference growth by subclass:
#   01110: ref 50 -> 60, g = 1.2; A: 20 - 10 * 1.2 = 8
#   01120: ref 40 -> 50, g = 1.25; A: 30 - 30 * 1.25 = -7.5   -> theme CE in A = 0.5
_COUNTS = {
    ("A", 2015): (10, 30, 60), ("A", 2021): (20, 30, 50),
    ("B", 2015): (40, 10, 50), ("B", 2021): (40, 20, 40),
}
_SUBS = ("01110", "01120", "01130")


@pytest.fixture
def panel() -> Panel:
    rows = [{"area": a, "activity": s, "year": y, "value": float(v)}
            for (a, y), vals in _COUNTS.items() for s, v in zip(_SUBS, vals, strict=True)]
    return Panel.from_frame(pd.DataFrame(rows), measure="employment", unit="jobs")


def test_employment_stage_by_hand(panel: Panel) -> None:
    theme = Theme("t", "Theme", ("0111", "0112"), frozenset({"01110", "01120"}), "analyst")
    ev = EvidenceSet(["a"], ["t"])
    employment_evidence(panel, {"a": ("A",)}, theme_membership([theme], panel.activities), base=2015, latest=2021,
                        ev=ev, source="employment")
    get = lambda ind, f="value": float(ev.value(ind, f).sel(scale="a", theme="t"))  # noqa: E731
    assert get("growth_pct") == pytest.approx(25.0, abs=1e-12)  # not 20 (end-year denominator)
    assert get("jobs") == pytest.approx(50.0)
    assert get("lq") == pytest.approx(0.5 / 0.55, rel=1e-12)
    se = np.sqrt(1 / 50 - 1 / 100 + 1 / 110 - 1 / 200)
    assert get("lq", "low") == pytest.approx(0.5 / 0.55 * np.exp(-1.959963984540054 * se), rel=1e-9)
    assert get("competitive_effect") == pytest.approx(0.5, abs=1e-12)
    assert get("competitive_share") == pytest.approx(0.5 / 40, abs=1e-12)
    assert get("share_of_area") == pytest.approx(0.5)


def test_evidence_set_marks_not_available_and_never_zero() -> None:
    ev = EvidenceSet(["lep", "region"], ["t1", "t2"])
    ev.put("jobs", ["region"], [[5.0, 7.0]], status="rounded", source="employment", grain="ITL2")
    ev.not_available("jobs", ["lep"], source="employment", why="not a union of ITL2 areas")
    assert np.isnan(ev.value("jobs").sel(scale="lep")).all()
    frame = ev.frame()
    lep = frame[frame["scale"] == "lep"]
    assert set(lep["status"]) == {NOT_AVAILABLE} and lep["value"].isna().all()
    ds = ev.dataset()
    assert ds["value"].sel(scale="region", theme="t2", indicator="jobs") == 7.0
    assert missing_reason("lq") == ("employment LQ: not available at this scale (BRES employment, published here "
                                    "for ITL2 areas)")
    with pytest.raises(KeyError, match="unknown evidence indicator"):
        ev.put("colour", ["lep"], 1.0, status="observed", source="x", grain="")


# ----------------------------------------------------------------------------- framework stage
def test_eligibility_top_half_is_inclusive() -> None:
    # 6 themes: the top half is ranks 1..ceil(6/2) = 3; rank 3 is in, rank 4 is out
    ok = dict(side="market", conflict="", n_themes=6, specialised=True, verdict="supported")
    assert fw.eligible_for_role(rank=3, **ok) == (True, "")
    assert fw.eligible_for_role(rank=4, **ok)[0] is False
    # 7 themes: ceil(3.5) = 4 -> rank 4 is in
    assert fw.eligible_for_role(rank=4, **{**ok, "n_themes": 7})[0] is True


def test_mixed_needs_missing_evidence_named() -> None:
    # a mixed verdict takes a role only when evidence that could settle it is missing at the scale, and the
    # ranking is not clearly against it (top-k probability >= 0.1)
    ok = dict(side="market", conflict="", rank=1, n_themes=6, specialised=True, verdict="mixed")
    miss = ("employment LQ: not available at this scale (BRES employment, published here for ITL2 areas)",)
    assert fw.eligible_for_role(**ok, missing=miss, top_k_probability=0.1) == (True, "")
    assert fw.eligible_for_role(**ok, missing=miss, top_k_probability=0.09)[0] is False
    # an interval reaching below 1 is not a specialisation to build a role on, missing evidence or not
    eligible, why = fw.eligible_for_role(**ok, missing=miss, top_k_probability=0.6, significant=False)
    assert not eligible and why.endswith("the specialisation is not significant (its interval reaches below 1)")
    assert fw.eligible_for_role(**ok, missing=miss, top_k_probability=0.6, significant=True)[0]
    eligible, why = fw.eligible_for_role(**ok, missing=(), top_k_probability=0.4)
    assert not eligible
    assert why == "mixed evidence with nothing missing: among its side's top slots in only 40% of draws"


@pytest.mark.parametrize(("kw", "why"), [
    ({"verdict": "not supported"}, "not supported"),
    ({"specialised": False}, "not specialised"),
    ({"side": "local"}, "local-serving"),
    ({"conflict": "pinned as an enabling competency, but only 20% ..."}, "pinned as an enabling"),
])
def test_no_role_without_support(kw: dict, why: str) -> None:
    base = dict(side="enabling", conflict="", rank=1, n_themes=10, specialised=True, verdict="supported")
    ok, reason = fw.eligible_for_role(**{**base, **kw})
    assert not ok and why in reason


def test_sides_capability_and_traded() -> None:
    # theme 0: knowledge-intensive and traded, sells to other industries -> enabling
    # theme 1: traded, not knowledge-intensive -> market
    # theme 2: neither (retail-like) -> local, even with the highest enabling index
    # theme 3: pinned enabling but only 20% knowledge-intensive -> conflict, no role
    features = {"forward_linkage": np.array([2.0, 0.0, 3.0, 1.0]), "backward_linkage": np.array([0.0, 2.0, 0.0, 1.0])}
    res = fw.assign_sides(features, pins=[None, None, None, "enabling"], knowledge_share=[0.8, 0.1, 0.0, 0.2],
                          traded_share=[0.9, 0.7, 0.1, 0.9])
    assert res.side == ("enabling", "market", "local", "enabling")
    assert res.conflict[:3] == ("", "", "")
    assert "only 20%" in res.conflict[3]
    # the 0.5 thresholds are inclusive
    edge = fw.assign_sides({}, pins=[None, None], knowledge_share=[0.5, 0.0], traded_share=[0.0, 0.5])
    assert edge.side == ("enabling", "market")


def test_verdict_reasons_name_the_evidence() -> None:
    gva = fw.hypothesis_verdict(top_k_probability=0.2, k=4, lq=3.06, strength_label="GVA LQ",
                                missing=[missing_reason("jobs")])
    assert gva.reasons[0] == "GVA LQ 3.06 (no interval: GVA is apportioned to themes, not counted): specialised"
    assert "not significantly" not in " ".join(gva.reasons)
    assert "jobs: not available at this scale" in gva.reasons[-1]
    emp = fw.hypothesis_verdict(top_k_probability=0.6, k=4, lq=1.2, lq_low=1.1, lq_high=1.3)
    assert emp.verdict == "supported"
    assert emp.reasons[0] == "employment LQ 1.20 (95% interval 1.10-1.30): significantly specialised"
    # LQ 0.93 and top k in 0% of draws: not supported (Black Country's "Research and higher education")
    assert fw.hypothesis_verdict(top_k_probability=0.0, k=4, lq=0.93, lq_low=0.9, lq_high=0.96).verdict == (
        "not supported")


# ----------------------------------------------------------------------------- complementarity stage
def test_child_specialised_cut_off_is_lq_one_inclusive() -> None:
    assert comp.child_specialised([0.999, 1.0, 1.5, np.nan]).tolist() == [False, True, True, False]
    # a parent priority where the only child has LQ exactly 1 is covered ("contributes"), not a gap
    align = comp.alignment_matrix([True], [[False]], comp.child_specialised([[1.0]]))
    assert align[0, 0] == "contributes"


# ----------------------------------------------------------------------------- maps
def test_map_gva_lq_by_hand() -> None:
    # 3 LADs, 2 (overlapping) themes, one year. Totals 100, 200, 700 (UK 1000).
    # theme 0 GVA: 50, 20, 30 (UK 100, share 0.1): LQ = (50/100)/0.1 = 5, (20/200)/0.1 = 1, (30/700)/0.1 = 0.428571
    # theme 1 GVA: 10, 10, 80 (UK 100): LQ = 1, 0.5, (80/700)/0.1 = 1.142857
    lad = LadGvaResult(("L1", "L2", "L3"), (2021,), np.array([[[50.0, 10.0], [20.0, 10.0], [30.0, 80.0]]]),
                       np.array([[100.0, 200.0, 700.0]]), "estimated")
    assert_allclose(lad_gva_lq(lad, 0, [0, 1]), [[5.0, 1.0], [1.0, 0.5], [3 / 7, 8 / 7]], rtol=1e-12)
    assert_allclose(lad_gva_lq(lad, 0, [1]), [[1.0], [0.5], [8 / 7]], rtol=1e-12)


# ----------------------------------------------------------------------------- scoring stage
def test_scoring_takes_gva_lq_where_jobs_are_missing_and_scores_by_hand() -> None:
    from sia.audit.config import AuditConfig
    from sia.audit.scoring import criterion_values, score_scale

    ev = EvidenceSet(["region", "lep"], ["a", "b", "c"])
    ev.put("lq", ["region"], [[2.0, 1.0, 0.5]], low=[[1.9, 0.9, 0.4]], high=[[2.1, 1.1, 0.6]], status="rounded",
           source="employment", grain="ITL2")
    ev.not_available("lq", ["lep"], source="employment", why="not a union of ITL2 areas")
    ev.put("gva_lq", ["lep"], [[0.5, 3.0, 1.0]], status="estimated", source="gva_lq", grain="LAD")
    ev.put("growth_pct", ["region", "lep"], [[10.0, 0.0, 20.0], [0.0, 0.0, 0.0]], status="rounded",
           source="employment", grain="ITL2")
    assert criterion_values(ev, "lep", "strength")[0] == "gva_lq"
    assert criterion_values(ev, "region", "strength")[0] == "lq"
    cfg = AuditConfig.model_validate({
        "audit": {"name": "t", "base_year": 2015, "latest_year": 2021},
        "scales": [{"id": "region", "area": "TLG"}], "evidence": {"employment": {"path": "x"}},
        "criteria": {"weights": {"strength": 3.0, "growth": 1.0}, "monte_carlo": {"draws": 100}},
        "framework": {"top_k": 1},
    })
    r = score_scale(cfg, ev, "region")
    assert r is not None and r.criteria == ("strength", "growth") and r.indicators == ("lq", "growth_pct")
    # min-max: strength (2, 1, .5) -> (1, 1/3, 0); growth (10, 0, 20) -> (.5, 0, 1)
    # weighted sum (3, 1) / 4: a = (3 + .5) / 4 = .875, b = (1 + 0) / 4 = .25, c = (0 + 1) / 4 = .25
    assert_allclose(r.score, [0.875, 0.25, 0.25], rtol=1e-12)
    assert r.rank[0] == 1
    lep = score_scale(cfg, ev, "lep")
    assert lep is not None and lep.indicators[0] == "gva_lq"
    # growth is constant at the LEP (min-max gives 0.5 to all), strength (.5, 3, 1) -> (0, 1, .2)
    assert_allclose(lep.score, [(0 + 0.5) / 4, (3 + 0.5) / 4, (0.6 + 0.5) / 4], rtol=1e-12)


# ----------------------------------------------------------------------------- peers: complexity and similar regions
# Six NUTS2-like regions x five SIC classes (2018), each region 50 jobs; column totals 60, 60, 70, 60, 50 (300), so
# the reference shares are .2, .2, .2333, .2, .1667 and M = 1{share / reference share >= 1}:
#   R1 [30, 10,  5,  5,  0] shares [.6 .2 .1 .1  0] -> LQ [3   1   .43 .5  0 ] -> M {0, 1}
#   R2 [20, 20, 10,  0,  0]        [.4 .4 .2  0  0] ->    [2   2   .86 0   0 ] -> M {0, 1}
#   R3 [ 5, 20, 20,  5,  0]        [.1 .4 .4 .1  0] ->    [.5  2   1.7 .5  0 ] -> M {1, 2}
#   R4 [ 0,  5, 20, 20,  5]        [ 0 .1 .4 .4 .1] ->    [0   .5  1.7 2   .6] -> M {2, 3}
#   R5 [ 0,  0, 10, 20, 20]        [ 0  0 .2 .4 .4] ->    [0   0   .86 2  2.4] -> M {3, 4}
#   R6 [ 5,  5,  5, 10, 25]        [.1 .1 .1 .2 .5] ->    [.5  .5  .43 1   3 ] -> M {3, 4}
# Scale "north" = R1 + R2: [50, 30, 15, 5, 0] / 100 -> LQ [2.5 1.5 .64 .25 0] -> M {0, 1}, the same classes as R1
#   and R2, so the same complexity (mean PCI of classes 0 and 1) and rank: 1 + the regions strictly above.
#   Similarity to R1: (.5*.6 + .3*.2 + .15*.1 + .05*.1) / sqrt(.365 * .42) = .38 / sqrt(.1533) = 0.97052
#              to R2: (.5*.4 + .3*.4 + .15*.2) / sqrt(.365 * .36) = .35 / sqrt(.1314) = 0.96554 -> R1 first, R2 second
# Scale "lep" is not a union of regions: its subclass jobs (area A of an employment panel, 2018) summed to classes
#   are [0, 10, 30 (20 + 10), 30, 30] (its 99990 job count is in a class the regions do not have: left out); the
#   reference (A + B) is [60, 60, 70, 60, 50], so LQ [0 .5 1.29 1.5 1.8] -> M {2, 3, 4}.
#   Similarity to R5: (.2*.3 + .4*.3 + .4*.3) / sqrt(.28 * .36) = .30 / .31749 = 0.94491 (first)
#              to R4: (.1*.1 + .4*.3 + .4*.3 + .1*.3) / sqrt(.28 * .34) = .28 / .30854 = 0.90749 (second)
#   Districts: lep = {L6, L7}; R4 = {L5, L6} -> "part", R5 = {L7} -> "inside".
_REGION_JOBS = {"R1": (30, 10, 5, 5, 0), "R2": (20, 20, 10, 0, 0), "R3": (5, 20, 20, 5, 0),
                "R4": (0, 5, 20, 20, 5), "R5": (0, 0, 10, 20, 20), "R6": (5, 5, 5, 10, 25)}
_CLASSES = ("0111", "0112", "0113", "0114", "0115")
_REGION_LADS = {"R1": ("L1", "L2"), "R2": ("L3",), "R3": ("L4",), "R4": ("L5", "L6"), "R5": ("L7",), "R6": ("L8",)}
_SUBCLASS_JOBS = {  # 2018 (2015: the same), areas A (the LEP) and B
    "A": {"01110": 0, "01120": 10, "01130": 20, "01131": 10, "01140": 30, "01150": 30, "99990": 0},
    "B": {"01110": 60, "01120": 50, "01130": 20, "01131": 20, "01140": 30, "01150": 20, "99990": 100},
}


def _peer_inputs():
    from sia.audit.evidence import opportunity_evidence
    from sia.audit.scales import ScaleInfo
    from sia.geography import Geography

    regions = Panel.from_frame(pd.DataFrame(
        [{"area": r, "activity": c, "year": 2018, "value": float(v), "area_name": f"Region {r[1]}"}
         for r, vals in _REGION_JOBS.items() for c, v in zip(_CLASSES, vals, strict=True)]),
        measure="employment", unit="jobs")
    theme = Theme("t", "Theme", ("0111",), frozenset(_CLASSES), "analyst")
    opp = opportunity_evidence(regions, {"north": ("R1", "R2"), "r3": ("R3",)},
                               theme_membership([theme], list(_CLASSES)), ev=EvidenceSet(["north", "r3"], ["t"]),
                               source="employment_nuts2")
    subs = Panel.from_frame(pd.DataFrame(
        [{"area": a, "activity": s, "year": y, "value": float(v)}
         for a, vals in _SUBCLASS_JOBS.items() for s, v in vals.items() for y in (2015, 2018)]),
        measure="employment", unit="jobs")
    sub_theme = Theme("t", "Theme", ("0111",), frozenset(subs.activities), "analyst")
    emp = employment_evidence(subs, {"lep": ("A",)}, theme_membership([sub_theme], subs.activities), base=2015,
                              latest=2018, ev=EvidenceSet(["lep"], ["t"]), source="employment_districts")
    geo = Geography()
    for r, lads in _REGION_LADS.items():
        geo.add_area(r, f"Region {r[1]}", "NUTS2")
        for lad in lads:
            geo.add_area(lad, lad, "LAD")
            geo.add_membership(lad, r)

    def scale(sid: str, lads: tuple[str, ...]) -> ScaleInfo:
        return ScaleInfo(sid, sid, sid, sid, "custom", "GB", "", frozenset(lads))

    scales = [scale("north", ("L1", "L2", "L3")), scale("r3", ("L4",)), scale("lep", ("L6", "L7")),
              scale("nowhere", ("L8",))]
    return opp, emp, subs, scales, geo


def test_peers_tables_by_hand() -> None:
    from sia.audit.tables import peers_tables, sorted_table

    opp, emp, subs, scales, geo = _peer_inputs()
    peers, regions = peers_tables(opp, emp, subs.activities, scales, geo, lambda c: c, {"lep": "estimated"},
                                  {"lep": "employment_districts"})
    pci = np.asarray(opp.complexity.pci)
    assert np.isfinite(pci).all() and len(np.unique(np.round(pci, 9))) == 5
    region_cx = {"R1": pci[[0, 1]].mean(), "R2": pci[[0, 1]].mean(), "R3": pci[[1, 2]].mean(),
                 "R4": pci[[2, 3]].mean(), "R5": pci[[3, 4]].mean(), "R6": pci[[3, 4]].mean()}
    vals = np.array(list(region_cx.values()))
    p = peers.set_index("scale")
    # north: classes 0 and 1; its rank: 1 + regions strictly above; 6 regions + north ranked
    north = pci[[0, 1]].mean()
    assert p.loc["north", "complexity"] == pytest.approx(north, abs=1e-12)
    assert p.loc["north", "complexity_rank"] == 1 + (vals > north + 1e-12).sum()
    assert p.loc["north", "n_ranked"] == 7 and p.loc["north", "n_regions"] == 6 and p.loc["north", "region"] == ""
    assert p.loc["north", "eci"] == pytest.approx((north - vals.mean()) / vals.std(), abs=1e-12)
    assert p.loc["north", "status"] == "rounded" and p.loc["north", "n_present"] == 2
    # r3 is the region R3 itself: its values are the region's, ranked among 6
    assert p.loc["r3", "region"] == "R3" and p.loc["r3", "region_name"] == "Region 3" and p.loc["r3", "n_ranked"] == 6
    assert p.loc["r3", "complexity"] == pytest.approx(region_cx["R3"], abs=1e-12)
    # lep: classes 2, 3, 4 from its own employment, labelled with its status
    assert p.loc["lep", "complexity"] == pytest.approx(pci[[2, 3, 4]].mean(), abs=1e-12)
    assert p.loc["lep", "n_present"] == 3 and p.loc["lep", "status"] == "estimated"
    assert p.loc["lep", "source"] == "employment_districts" and p.loc["lep", "n_ranked"] == 7
    assert p.loc["nowhere", "status"] == NOT_AVAILABLE and np.isnan(p.loc["nowhere", "complexity"])
    # similarity, by hand (comment above)
    regions = sorted_table("peer_regions", regions)
    north_r = regions[regions["scale"] == "north"].set_index("region")
    assert north_r.loc["R1", "similarity"] == pytest.approx(0.38 / np.sqrt(0.365 * 0.42), rel=1e-12)
    assert north_r.loc["R2", "similarity"] == pytest.approx(0.35 / np.sqrt(0.365 * 0.36), rel=1e-12)
    assert list(regions[regions["scale"] == "north"]["region"][:2]) == ["R1", "R2"]
    assert north_r.loc["R1", "overlap"] == "inside" and north_r.loc["R3", "overlap"] == ""
    lep_r = regions[regions["scale"] == "lep"].set_index("region")
    assert lep_r.loc["R5", "similarity"] == pytest.approx(0.30 / np.sqrt(0.28 * 0.36), rel=1e-12)
    assert lep_r.loc["R4", "similarity"] == pytest.approx(0.28 / np.sqrt(0.28 * 0.34), rel=1e-12)
    assert lep_r.loc["R5", "similarity_rank"] == 1 and lep_r.loc["R4", "similarity_rank"] == 2
    assert lep_r.loc["R5", "overlap"] == "inside" and lep_r.loc["R4", "overlap"] == "part"
    assert lep_r.loc["R4", "complexity"] == pytest.approx(region_cx["R4"], abs=1e-12)
    assert set(regions["scale"]) == {"north", "r3", "lep"}  # no rows for a scale without presence


# ----------------------------------------------------------------------------- trends and the status of each year
def test_trends_table_and_yearly_status_by_hand() -> None:
    # the employment fixture above, with A's 01120 suppressed in 2015 (it adds nothing): theme jobs in A are
    # 2015: 10 + 0 = 10 (status incomplete), 2021: 20 + 30 = 50 (status observed, as the evidence says)
    from sia.audit.gather import jobs_series
    from sia.audit.tables import trends_table

    rows = [{"area": a, "activity": s, "year": y, "value": float(v),
             "status": "suppressed" if (a, s, y) == ("A", "01120", 2015) else "observed"}
            for (a, y), vals in _COUNTS.items() for s, v in zip(_SUBS, vals, strict=True)]
    frame = pd.DataFrame(rows)
    frame.loc[frame["status"] == "suppressed", "value"] = np.nan
    panel = Panel.from_frame(frame, measure="employment", unit="jobs")
    theme = Theme("t", "Theme", ("0111", "0112"), frozenset({"01110", "01120"}), "analyst")
    ev = EvidenceSet(["a"], ["t"])
    emp = employment_evidence(panel, {"a": ("A",)}, theme_membership([theme], panel.activities), base=2015,
                              latest=2021, ev=ev, source="employment")
    out = trends_table([jobs_series(emp, ev)], ["t"], 2015, 2021).set_index("year")
    assert list(out.index) == [2015, 2021]
    assert out.loc[2015, "value"] == 10.0 and out.loc[2015, "status"] == "incomplete"
    assert out.loc[2021, "value"] == 50.0 and out.loc[2021, "status"] == "observed"
    assert out.loc[2021, "value"] == float(ev.value("jobs").sel(scale="a", theme="t"))  # the evidence's value
    assert set(out["source"]) == {"employment"} and set(out["unit"]) == {"jobs"}
    assert set(out["grain"]) == {str(ev.value("jobs", "grain").sel(scale="a", theme="t").values)}
    # years outside base..latest are left out
    assert trends_table([jobs_series(emp, ev)], ["t"], 2016, 2021)["year"].tolist() == [2021]


# ----------------------------------------------------------------------------- the reference's large-firm share
def test_reference_large_firm_share_by_hand() -> None:
    # UK Business Counts, one broad group ("3", manufacturing), three districts (one in Northern Ireland):
    #   E1: 100 enterprises, 2 large; E2: 300, 1 large; N1 (NI): 100, 7 large
    #   scale {E1}: 2 / 100 = 0.02; Great Britain (E1 + E2): 3 / 400 = 0.0075; UK (all): 10 / 500 = 0.02
    from sia.audit.evidence import business_evidence

    counts = {"E1": (100, 2), "E2": (300, 1), "N1": (100, 7)}
    rows = [{"area": a, "activity": "3", "year": 2021, "sizeband": band, "value": float(v)}
            for a, (tot, large) in counts.items() for band, v in (("Total", tot), ("Large (250+)", large))]
    ubc = Panel.from_frame(pd.DataFrame(rows), measure="enterprises", unit="enterprises", extra_dims=("sizeband",))
    theme = Theme("t", "Theme", ("25",), frozenset({"25110"}), "analyst")
    ev = EvidenceSet(["gb", "uk"], ["t"])
    business_evidence(ubc, {"gb": ("E1",), "uk": ("E1",)}, theme_membership([theme], ["25110"]), np.array([10.0]),
                      ["25110"], year=2021, ev=ev, source="business_counts", references={"gb": "GB", "uk": "UK"})
    assert float(ev.value("large_firm_share").sel(scale="gb", theme="t")) == pytest.approx(0.02)
    assert float(ev.value("ref_large_firm_share").sel(scale="gb", theme="t")) == pytest.approx(3 / 400)
    assert float(ev.value("ref_large_firm_share").sel(scale="uk", theme="t")) == pytest.approx(10 / 500)
    assert "Great Britain: the sum of its 2 districts" in str(ev.value("ref_large_firm_share", "note").sel(
        scale="gb", theme="t").values)
