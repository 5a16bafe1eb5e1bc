"""The audit end to end on the real shared data: invariants, one evidence value per source by hand,
determinism, and one clear error per kind of bad config."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sia.cli import app
from sia.geography import uk

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "midlands-engine.toml"
TABLES = (
    "scales",
    "themes",
    "evidence",
    "scores",
    "ranking",
    "stability",
    "framework",
    "complementarity",
    "complementarity_summary",
    "sibling_overlap",
    "activities",
    "opportunities",
    "relatedness_edges",
    "clusters",
    "innovation",
    "supply",
    "maps",
    "activity_classes",
    "peers",
    "peer_regions",
    "trends",
)

SMALL = """
[audit]
name = "small"
base_year = 2015
latest_year = 2021
seed = 1

[[scales]]
id = "wm-met"
area = "TLG3"

[[scales]]
id = "gbs"
area = "GBSLEP"
parent = "wm-met"

[evidence.employment]
path = "employment/bres_itl2_sic5_employment_2015_2021.csv.gz"

[evidence.gva]
path = "gva/ons_rgva_balanced_itl_by_industry_1998_2023.parquet"

[evidence.gva_lad]
path = "gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet"

[evidence.business_counts]
path = "business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz"

[[themes]]
id = "construction"
name = "Construction"
codes = ["41", "42", "43"]

[[themes]]
id = "motor"
name = "Motor vehicles"
codes = ["29"]

[[themes]]
id = "finance"
name = "Finance"
codes = ["K"]

[theme_sets]
data_driven = false

[criteria.weights]
strength = 2
scale = 1
growth = 1

[criteria.monte_carlo]
draws = 300

[framework]
market_priorities = 1
enabling_competencies = 1
top_k = 2
"""


def _data_root(shared_data: Callable[[str], Path]) -> Path:
    return shared_data("employment/bres_itl2_sic5_employment_2015_2021.csv.gz").parents[1]


def _run(config: Path, out: Path, root: Path) -> None:
    res = CliRunner().invoke(app, ["audit", str(config), "-o", str(out), "--data-dir", str(root), "--quiet"])
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def example_out(example_audit: Path) -> Path:
    return example_audit


@pytest.fixture(scope="module")
def small_out(shared_data: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("small")
    (d / "small.toml").write_text(SMALL)
    _run(d / "small.toml", d / "out", _data_root(shared_data))
    return d / "out"


def _t(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{name}.parquet")


def _ev(out: Path, scale: str, theme: str, indicator: str) -> pd.Series:
    ev = _t(out, "evidence")
    row = ev[(ev.scale == scale) & (ev.theme == theme) & (ev.indicator == indicator)]
    assert len(row) == 1, (scale, theme, indicator)
    return row.iloc[0]


# ----------------------------------------------------------------------------- outputs and invariants


def test_every_table_is_written_as_parquet_and_csv(example_out: Path) -> None:
    for name in TABLES:
        pq_frame = _t(example_out, name)
        csv_frame = pd.read_csv(example_out / f"{name}.csv")
        assert len(pq_frame) == len(csv_frame), name
    manifest = json.loads((example_out / "manifest.json").read_text())
    assert manifest["config"]["audit"]["name"].startswith("Midlands Engine")
    assert len(manifest["inputs"]["employment"]["sha256"]) == 64
    assert {m["name"] for m in manifest["methods"]} >= {"Location quotient", "TOPSIS", "Rank stability"}
    assert any("rounded" in note for note in manifest["data_treatment"])


def test_scales_and_themes(example_out: Path) -> None:
    scales = _t(example_out, "scales").set_index("scale")
    assert list(scales.index) == sorted(
        [
            "midlands-engine",
            "west-midlands",
            "east-midlands",
            "wm-metropolitan",
            "gbslep",
            "black-country",
            "coventry-warwickshire",
        ]
    )
    assert scales.loc["wm-metropolitan", "n_lads"] == 7
    assert scales.loc["west-midlands", "n_lads"] == 30
    assert scales.loc["midlands-engine", "n_lads"] == 30 + 35
    themes = _t(example_out, "themes")
    assert (themes.origin == "analyst").sum() >= 10
    assert (themes.origin == "data-driven").sum() <= 4


def test_framework_counts_and_roles(example_out: Path) -> None:
    fw = _t(example_out, "framework")
    ev = _t(example_out, "evidence")
    ranks = _t(example_out, "ranking").set_index(["scale", "theme"])["rank"]
    for scale, g in fw.groupby("scale"):
        market = g[g.role == "market-driven priority"]
        enabling = g[g.role == "enabling competency"]
        assert len(market) <= 4 and len(enabling) <= 3, scale
        assert sorted(market.role_rank) == list(range(1, len(market) + 1))
        assert (market.side == "market").all() and (enabling.side == "enabling").all()
        held = g[g.role != ""]
        # drawn from the top half of its own side's ranking, never a "not supported" theme, always specialised
        for t, side in zip(held.theme, held.side, strict=True):
            same = g[g.side == side].theme
            side_rank = 1 + sum(ranks[(scale, o)] < ranks[(scale, t)] for o in same)
            assert side_rank <= math.ceil(len(same) / 2), (scale, t, side_rank, len(same))
        assert held.verdict.isin(["supported", "mixed"]).all(), held[["theme", "verdict"]]
        # a mixed verdict holds a role only with the missing evidence named in its reasons
        mixed = held[held.verdict == "mixed"]
        assert mixed.reasons.str.contains("not available at this scale").all(), mixed[["theme", "reasons"]]
        # ... and never on an LQ whose interval reaches below 1
        lows = ev[(ev.scale == scale) & (ev.indicator == "lq")].set_index("theme")["low"].reindex(mixed.theme)
        assert (lows.isna() | (lows >= 1.0)).all(), (scale, lows)
        strength = ev[(ev.scale == scale) & ev.indicator.isin(["lq", "gva_lq"]) & ev.value.notna()]
        lq = strength.set_index("theme")["value"]
        assert (lq.reindex(held.theme) >= 1.0).all(), (scale, lq.reindex(held.theme))
        # enabling competencies are knowledge-intensive capabilities, market priorities traded
        assert (enabling.knowledge_share >= 0.5).all() and (market.traded_share >= 0.5).all()
        # every role says what its evidence is
        for r in held.itertuples():
            assert r.reasons.startswith(f"{r.role} {r.role_rank}: ranked")
            assert ("employment LQ" in r.reasons) or ("GVA LQ" in r.reasons and "no interval" in r.reasons)
        # every theme has a verdict
        assert set(g.verdict) <= {"supported", "mixed", "not supported"} and g.verdict.ne("").all()
    pinned = fw[fw.theme == "advanced-manufacturing"]
    assert (pinned.side == "enabling").all() and pinned.pinned.all()
    # metals and fabricated metal products are not knowledge-intensive: the pin is reported, not honoured
    assert (pinned.role == "").all() and pinned.reasons.str.contains("pinned as an enabling competency").all()


def test_no_local_serving_enabling_competency(example_out: Path) -> None:
    fw, themes = _t(example_out, "framework"), _t(example_out, "themes").set_index("theme")
    enabling = fw[fw.role == "enabling competency"]
    for t in enabling.theme:
        divisions = {c[:2] for c in themes.loc[t, "resolved_codes"].split(";")}
        assert not divisions <= {"41", "42", "43", "45", "46", "47", "96"}, t
    classes = _t(example_out, "activity_classes").set_index("activity")
    for code in ("4711", "9602", "4120"):  # retail, hairdressing, building construction
        assert not classes.loc[code, "traded"], code
        assert not classes.loc[code, "knowledge_intensive"], code


def test_cluster_names_are_unique_and_true(example_out: Path) -> None:
    themes = _t(example_out, "themes")
    clusters = themes[themes.origin == "data-driven"]
    assert clusters.name.is_unique
    assert not clusters.name.str.startswith("Cluster ").any()
    table = _t(example_out, "clusters")
    named = table[table.cluster >= 0].groupby("cluster").cluster_label.nunique()
    assert (named == 1).all()
    assert table[table.cluster >= 0].drop_duplicates("cluster").cluster_label.is_unique
    # a cluster's name is made of its own members' names
    for r in clusters.itertuples():
        members = set(r.codes.split(";"))
        names = table.set_index("activity").loc[sorted(members), "activity_name"]
        first = r.name.split(", ")[0].split(" & ")[0].strip().lower()
        assert any(first[:12] in n.lower() for n in names), (r.name, list(names)[:5])


def test_scores_ranks_and_stability_are_consistent(example_out: Path) -> None:
    scores, ranking, stab = _t(example_out, "scores"), _t(example_out, "ranking"), _t(example_out, "stability")
    assert scores.normalised.dropna().between(0, 1).all()
    for scale, g in ranking.groupby("scale"):
        n = len(g)
        assert sorted(g["rank"]) == list(range(1, n + 1)), scale
        assert g.score.between(0, 1).all()
        best = g.sort_values("rank").score.to_numpy()
        assert np.all(np.diff(best) <= 1e-12)  # ranks follow scores
        s = stab[stab.scale == scale]
        k = int(s.k.iloc[0])
        assert s.p_top_k.between(0, 1).all()
        assert math.isclose(s.p_top_k.sum(), k, rel_tol=1e-9)  # probabilities of the top k sum to k
        assert ((s.rank_p05 <= s.median_rank) & (s.median_rank <= s.rank_p95)).all()
        loo = [c for c in s.columns if c.startswith("loo_")]
        used = [c for c in loo if s[c].notna().any()]  # criteria with no evidence at this scale are not used
        assert used and all(sorted(s[c].astype(int)) == list(range(1, n + 1)) for c in used)
    w = scores.groupby(["scale", "theme"]).weight.sum()
    assert np.allclose(w, 1.0)


def test_children_contributions_add_up_to_the_parent(example_out: Path) -> None:
    comp = _t(example_out, "complementarity")
    assert set(comp.parent) == {"midlands-engine", "west-midlands"}
    sums = comp.groupby(["parent", "theme"]).child_share.sum(min_count=1).dropna()
    assert np.allclose(sums, 1.0, atol=1e-9)
    # the Engine's children partition it: no remainder
    me = comp[(comp.parent == "midlands-engine") & (comp.child == "_rest")]
    assert np.allclose(me.child_share.fillna(0), 0.0, atol=1e-9)
    summary = _t(example_out, "complementarity_summary")
    assert summary.score.between(0, 1).all() and summary.coverage.between(0, 1).all()
    assert set(comp.alignment.fillna("")) <= {"aligned", "child niche", "contributes", "gap", ""}


def test_evidence_statuses_and_grains(example_out: Path) -> None:
    ev = _t(example_out, "evidence")
    assert not ev.duplicated(["scale", "theme", "indicator"]).any()
    allowed = {"observed", "rounded", "estimated", "incomplete", "suppressed", "missing", "not available at this scale"}
    assert set(ev.status) <= allowed
    # LEPs are not unions of ITL2 areas: their employment is estimated from the BRES ITL2 margins (issue 16),
    # labelled so, with the estimates' uncertainty in the LQ interval; ITL2 unions keep the published BRES
    for lep in ("gbslep", "black-country", "coventry-warwickshire"):
        jobs = _ev(example_out, lep, "next-generation-transport", "jobs")
        assert jobs.status == "estimated" and jobs.source == "employment_districts" and jobs.value > 0
        emp_lq = _ev(example_out, lep, "next-generation-transport", "lq")
        assert emp_lq.status == "estimated" and emp_lq.low < emp_lq.value < emp_lq.high
        assert "widened by the estimates' 90% interval" in emp_lq.note
        assert ((ev.scale == lep) & (ev.indicator == "gva_lq")).sum() == 0  # no GVA stand-in where jobs exist
    published = _ev(example_out, "wm-metropolitan", "next-generation-transport", "lq")
    assert published.status == "rounded" and published.source == "employment"
    # the LEP's widened interval is wider, relative to its LQ, than the published ITL2 area's sampling interval
    assert (emp_lq.high - emp_lq.low) / emp_lq.value > (published.high - published.low) / published.value
    # a value is there exactly when the status is not "not available at this scale", and then in range
    for indicator in ("density", "local_input_share"):
        rows = ev[ev.indicator == indicator]
        na = rows.status == "not available at this scale"
        assert rows[na].value.isna().all() and rows[na].note.str.len().gt(0).all(), indicator
        assert rows[~na].value.between(0, 1).all(), indicator


# ----------------------------------------------------------------------------- one value per source by hand


def _bres(shared_data: Callable[[str], Path]) -> pd.DataFrame:
    df = pd.read_csv(shared_data("employment/bres_itl2_sic5_employment_2015_2021.csv.gz"), dtype=str)
    df["EMPLOYMENT"] = pd.to_numeric(df["EMPLOYMENT"], errors="coerce").fillna(0)
    return df


def test_employment_lq_by_hand(example_out: Path, shared_data: Callable[[str], Path]) -> None:
    df = _bres(shared_data)
    df = df[df.DATE == "2021"]
    theme = (
        df.INDUSTRY_CODE.str[:2].eq("29")
        | df.INDUSTRY_CODE.str[:3].isin(["302", "303", "309"])
        | df.INDUSTRY_CODE.str[:4].isin(["3316", "3317", "2811"])
    )
    wm = df.GEOGRAPHY_CODE.isin(["UKG1", "UKG2", "UKG3"])
    x_rt, x_r = df[wm & theme].EMPLOYMENT.sum(), df[wm].EMPLOYMENT.sum()
    x_t, x = df[theme].EMPLOYMENT.sum(), df.EMPLOYMENT.sum()
    lq = (x_rt / x_r) / (x_t / x)
    row = _ev(example_out, "west-midlands", "next-generation-transport", "lq")
    assert row.value == pytest.approx(lq, rel=1e-12)
    se = math.sqrt(1 / x_rt - 1 / x_r + 1 / x_t - 1 / x)
    assert row.low == pytest.approx(lq * math.exp(-1.959963984540054 * se), rel=1e-9)
    assert _ev(example_out, "west-midlands", "next-generation-transport", "jobs").value == x_rt


def test_competitive_effect_by_hand(example_out: Path, shared_data: Callable[[str], Path]) -> None:
    df = _bres(shared_data)
    theme = (
        df.INDUSTRY_CODE.str[:2].isin(["41", "42", "43"])
        | df.INDUSTRY_CODE.str[:4].isin(["2351", "2352"])
        | df.INDUSTRY_CODE.str[:3].eq("236")
    )
    d = df[theme]
    gb = d.pivot_table(index="INDUSTRY_CODE", columns="DATE", values="EMPLOYMENT", aggfunc="sum")
    wm = (
        d[d.GEOGRAPHY_CODE == "UKG3"]
        .pivot_table(index="INDUSTRY_CODE", columns="DATE", values="EMPLOYMENT", aggfunc="sum")
        .reindex(gb.index)
        .fillna(0)
    )
    g_c = gb["2021"] / gb["2015"] - 1
    ce = (wm["2021"] - wm["2015"] * (1 + g_c)).fillna(0).sum()
    row = _ev(example_out, "wm-metropolitan", "construction-built-environment", "competitive_effect")
    assert row.value == pytest.approx(ce, rel=1e-9, abs=1e-6)


def test_gva_aligned_theme_equals_published_cells(small_out: Path, shared_data: Callable[[str], Path]) -> None:
    itl = pd.read_parquet(shared_data("gva/ons_rgva_balanced_itl_by_industry_1998_2023.parquet"))
    itl = itl[(itl["variable.name"].str.contains("Current")) & (itl["dates.date"].astype(str).str[:4] == "2021")]
    f = itl[(itl["geography.code"] == "TLG3") & (itl["industry.code"].str.startswith("F"))]
    published = f["value"].iloc[0] if len(f) == 1 else f[f["industry.code"] == "F (41-43)"]["value"].iloc[0]
    row = _ev(small_out, "wm-met", "construction", "gva")
    assert row.status == "observed"  # construction is a union of whole published codes
    assert row.value == pytest.approx(published, abs=0.5 * 3 + 1e-9)


def test_lad_gva_by_hand(small_out: Path, shared_data: Callable[[str], Path]) -> None:
    lad = pd.read_parquet(shared_data("gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet"))
    lad = lad[(lad["variable.name"].str.contains("Current")) & (lad["dates.date"].astype(str).str[:4] == "2021")]
    geo = uk(lep_vintage="2020", data_dir=_data_root(shared_data))
    lads = set(geo.members("E37000012", "LAD"))
    cells = lad[lad["geography.code"].isin(lads) & lad["industry.code"].isin(["41", "42", "43"])]
    row = _ev(small_out, "gbs", "construction", "gva")
    assert row.value == pytest.approx(cells["value"].fillna(0).sum(), rel=1e-12)


def test_business_counts_by_hand(small_out: Path, shared_data: Callable[[str], Path]) -> None:
    ubc = pd.read_csv(shared_data("business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz"))
    geo = uk(data_dir=_data_root(shared_data))
    names = {geo.area(c).name for c in geo.members("TLG3", "LAD")}
    sub = ubc[(ubc.year == 2021) & ubc.area_name.isin(names) & (ubc.industry_code.astype(str) == "4")]
    total = sub[sub.sizeband.str.startswith("Total")].enterprises.sum()
    large = sub[sub.sizeband.str.startswith("Large")].enterprises.sum()
    assert len(names) == 7
    assert _ev(small_out, "wm-met", "construction", "enterprises").value == total
    assert _ev(small_out, "wm-met", "construction", "sme_share").value == pytest.approx(1 - large / total, rel=1e-12)


def test_reference_large_firm_share_by_hand(small_out: Path, shared_data: Callable[[str], Path]) -> None:
    """Great Britain's share: every GB district of UK Business Counts (Northern Ireland's 11 left out)."""
    ubc = pd.read_csv(shared_data("business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz"))
    geo = uk(data_dir=_data_root(shared_data))
    ni = {a.name for a in geo.areas("LAD") if a.code.startswith("N")}
    sub = ubc[(ubc.year == 2021) & (ubc.geog_type == "ladu") & ~ubc.area_name.isin(ni)
              & (ubc.industry_code.astype(str) == "4")]
    total = sub[sub.sizeband.str.startswith("Total")].enterprises.sum()
    large = sub[sub.sizeband.str.startswith("Large")].enterprises.sum()
    assert len(ni) == 11 and sub.area_name.nunique() == 363
    assert _ev(small_out, "wm-met", "construction", "ref_large_firm_share").value == pytest.approx(large / total,
                                                                                                   rel=1e-12)


def test_peers_and_trends_of_the_example(example_out: Path) -> None:
    """The West Midlands metropolitan area is the NUTS2 region UKG3: its complexity, ECI and rank are the region's;
    every scale is ranked among the 39 regions of BRES NUTS2 (2018); the trends end at the evidence."""
    peers = _t(example_out, "peers").set_index("scale")
    regions = _t(example_out, "peer_regions")
    assert set(peers["n_regions"]) == {39} and set(peers["year"]) == {2018}
    wm = peers.loc["wm-metropolitan"]
    ukg3 = regions[(regions.scale == "wm-metropolitan") & (regions.region == "UKG3")].iloc[0]
    assert wm["region"] == "UKG3" and wm["n_ranked"] == 39 and ukg3["similarity"] == pytest.approx(1.0)
    assert wm["complexity"] == pytest.approx(ukg3["complexity"], abs=1e-12)
    assert wm["eci"] == pytest.approx(ukg3["eci"], abs=1e-12) and wm["complexity_rank"] == ukg3["complexity_rank"]
    assert peers.loc["midlands-engine", "n_ranked"] == 40 and peers.loc["gbslep", "status"] == "estimated"
    me = regions[regions.scale == "midlands-engine"].set_index("region")
    assert set(me.index[me.overlap == "inside"]) == {"UKF1", "UKF2", "UKF3", "UKG1", "UKG2", "UKG3"}
    gbs = regions[regions.scale == "gbslep"].set_index("region")
    assert gbs.loc["UKG3", "overlap"] == "part" and gbs.loc["UKG2", "overlap"] == "part"
    trends = _t(example_out, "trends")
    assert sorted(trends["year"].unique()) == list(range(2015, 2022))
    latest = trends[trends.year == 2021].merge(_t(example_out, "evidence"), on=["scale", "theme", "indicator"],
                                               suffixes=("", "_ev"))
    assert len(latest) == 2 * 7 * _t(example_out, "themes").shape[0]  # jobs and GVA at every scale
    np.testing.assert_array_equal(latest["value"], latest["value_ev"])
    assert (latest["status"] == latest["status_ev"]).all()
    lep_jobs = trends[(trends.scale == "gbslep") & (trends.indicator == "jobs")]
    assert set(lep_jobs["status"]) == {"estimated"} and set(lep_jobs["source"]) == {"employment_districts"}


def test_innovation_by_hand(example_out: Path, shared_data: Callable[[str], Path]) -> None:
    raw = pd.read_csv(shared_data("innovation/nesta_beis_epo_patent_applications_nuts2.csv"))
    inno = _t(example_out, "innovation")
    row = inno[(inno.scale == "west-midlands") & (inno.indicator == "epo_patent_applications")].iloc[0]
    year = raw.year.max()
    assert row.year == year
    assert row.value == pytest.approx(
        raw[(raw.year == year) & raw.nuts_id.str.startswith("UKG")].epo_patent_applications.sum()
    )
    lep = inno[(inno.scale == "gbslep") & (inno.indicator == "ukri_funding")].iloc[0]
    assert lep.status == "not available at this scale"  # NUTS2 areas do not add up to a LEP


def test_supply_digital_share_by_hand(example_out: Path, shared_data: Callable[[str], Path]) -> None:
    io = pd.read_csv(shared_data("io/ons_ioat_2019_industry_by_industry_domestic_use_long.csv"))
    sup = _t(example_out, "supply")
    row = sup[(sup.scale == "west-midlands") & (sup.theme == "next-generation-transport")].iloc[0]
    assert 0 < row.local_input_share < 1
    assert row.regional_multiplier < row.national_multiplier
    assert "C29" in row.industries.split(";")
    codes = set(io.row_code)
    ict = {
        c
        for c in codes
        if str(c)[:3] in {"J58", "J59", "J60", "J61", "J62", "J63", "M69", "M70", "M71", "M72", "M73", "M74", "M75"}
    }
    assert ict  # the professional/ICT rows exist in the published table


# ----------------------------------------------------------------------------- determinism and errors


DETERMINISM = SMALL.replace("[[themes]]", """[evidence.employment_nuts2]
path = "employment/bres_nuts2_2013_sic4_employment_2015_2018.csv.gz"

[[themes]]""", 1).replace("data_driven = false", "data_driven = true\nmax_data_driven = 2")


@pytest.mark.slow
def test_reruns_are_byte_identical_in_every_format(shared_data: Callable[[str], Path], tmp_path: Path) -> None:
    """Two processes with different string-hash seeds give byte-identical files: every table as CSV and
    Parquet, manifest.json, report.html and report.xlsx (clusters, eigensolvers and Monte Carlo included)."""
    import os
    import subprocess
    import sys

    (tmp_path / "d.toml").write_text(DETERMINISM)
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        sia = str(Path(sys.executable).with_name("sia"))
        res = subprocess.run([sia, "audit", str(tmp_path / "d.toml"), "-o", str(out),
                              "--data-dir", str(_data_root(shared_data)), "--quiet", "--report"],
                             env=env, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stdout + res.stderr
        outs.append(out)
    files = sorted(p.name for p in outs[0].iterdir())
    assert {"manifest.json", "report.html", "report.xlsx", "framework.parquet", "evidence.csv"} <= set(files)
    assert files == sorted(p.name for p in outs[1].iterdir())
    differ = [f for f in files if (outs[0] / f).read_bytes() != (outs[1] / f).read_bytes()]
    assert not differ, differ


BAD = {
    "unknown area": ('area = "TLG3"', 'area = "Atlantis"', "scales[0].area = 'Atlantis'"),
    "unknown code": ('codes = ["29"]', 'codes = ["29", "99.99"]', "theme 'motor'"),
    "bad weight": ("strength = 2", 'strength = "heavy"', "weight of 'strength' must be a number"),
    "unknown criterion": ("strength = 2", "charisma = 2", "unknown criterion 'charisma'"),
    "missing evidence": (
        "bres_itl2_sic5_employment_2015_2021.csv.gz",
        "no_such_file.csv",
        "evidence.employment.path = 'employment/no_such_file.csv': file not found",
    ),
    "unknown parent": ('parent = "wm-met"', 'parent = "nowhere"', "has parent 'nowhere'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_config_gives_one_clear_error(case: str, tmp_path: Path, shared_data: Callable[[str], Path]) -> None:
    old, new, message = BAD[case]
    assert old in SMALL
    (tmp_path / "bad.toml").write_text(SMALL.replace(old, new, 1))
    res = CliRunner().invoke(
        app,
        [
            "audit",
            str(tmp_path / "bad.toml"),
            "-o",
            str(tmp_path / "o"),
            "--data-dir",
            str(_data_root(shared_data)),
            "--quiet",
        ],
    )
    assert res.exit_code == 2, res.output
    flat = " ".join(res.output.split())
    assert message in flat, flat
    assert "Traceback" not in res.output
    shutil.rmtree(tmp_path / "o", ignore_errors=True)


def test_consultation_export_is_a_criterion(tmp_path: Path, shared_data: Callable[[str], Path]) -> None:
    export = pd.DataFrame(
        {
            "round": [1, 1, 2, 2, 2, 2],
            "theme": ["Construction", "Motor vehicles", "Construction", "Construction", "Motor vehicles", "Unknown"],
            "theme_id": ["", "", "", "", "", ""],
            "criterion": ["strength", "strength", "strength", "readiness", "strength", "strength"],
            "median": [1.0, 5.0, 4.0, 3.0, 2.0, 5.0],
            "n": [5, 5, 5, 5, 5, 5],
        }
    )
    export.to_csv(tmp_path / "export.csv", index=False)
    cfg = SMALL.replace("[[themes]]", f'[evidence.consultation]\npath = "{tmp_path / "export.csv"}"\n\n[[themes]]', 1)
    cfg = cfg.replace("growth = 1", "growth = 1\nstakeholders = 2")
    (tmp_path / "c.toml").write_text(cfg)
    _run(tmp_path / "c.toml", tmp_path / "out", _data_root(shared_data))
    # last round only: construction = mean(4, 3), motor = 2, finance not scored
    assert _ev(tmp_path / "out", "wm-met", "construction", "stakeholder_score").value == 3.5
    assert _ev(tmp_path / "out", "wm-met", "motor", "stakeholder_score").value == 2.0
    assert np.isnan(_ev(tmp_path / "out", "wm-met", "finance", "stakeholder_score").value)
    scores = _t(tmp_path / "out", "scores")
    assert "stakeholders" in set(scores.criterion)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "1 export themes not in the audit: Unknown" in manifest["inputs"]["consultation"]["notes"][0]


def test_consultation_app_reads_the_audit_output(example_out: Path) -> None:
    from sia.app.themes import load_themes

    table = load_themes(example_out)
    names = {t.name for t in table.themes}
    assert "Next generation transport" in names
    ranking = _t(example_out, "ranking")
    top = ranking[ranking.scale == "midlands-engine"].set_index("theme")["score"]
    spec = next(t for t in table.themes if t.name == "Next generation transport")
    assert spec.data_score == pytest.approx(top["next-generation-transport"], rel=1e-12)
