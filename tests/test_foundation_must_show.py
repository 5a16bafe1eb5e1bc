"""The "Must show" checks of the foundation issue, on the real shared data.

References are independent of the code under test: the ITL GVA file as published by ONS (1),
plain pandas sums over the raw parquet with the seven dual-LEP districts listed here by name (2),
the published ``Total`` (3), and the raw UBC CSV summed with pandas by LAD name (4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sia.classification import parse_code_ranges, sic2007
from sia.geography import uk
from sia.panel import Panel, aggregate_areas
from sia.sources import load

LAD_GVA = "gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet"
ITL_GVA = "gva/ons_rgva_balanced_itl_by_industry_1998_2023.parquet"
UBC = "business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz"

#: the seven districts that sat in two LEPs before April 2021 (issue 2, section 2)
DUAL_LADS = ("Cannock Chase", "East Staffordshire", "Lichfield", "Tamworth", "Bromsgrove", "Redditch", "Wyre Forest")


@pytest.fixture(scope="module")
def lad_gva(shared_data) -> Panel:
    return load(shared_data(LAD_GVA), measure="current")


@pytest.fixture(scope="module")
def itl1_gva(shared_data) -> Panel:
    return load(shared_data(ITL_GVA), measure="current", level="ITL1")


@pytest.fixture(scope="module")
def lad_tree(lad_gva):
    names = dict(zip(lad_gva.activities, lad_gva.data["activity_name"].values, strict=True))
    return parse_code_ranges(names, sic2007())


# --------------------------------------------------------------------------- (1) LAD -> ITL1 = published ITL1
def test_lad_gva_to_itl1_reproduces_published_west_and_east_midlands(shared_data, lad_gva, itl1_gva, lad_tree):
    """Sum of LAD cells (built-in geography, LAD23 -> ITL1 2021) vs the ITL file's TLG and TLF.

    Top-level industries: ``Total``, ``A-E``, ``G-T`` and the LAD file's section-level partition
    (``AB (1-9)``, ``C (10-33)``, ``DE (35-39)``, ``F``...``T``). The ITL file publishes A, B, D, E
    separately, so its AB and DE are formed with the classification's membership (A+B, D+E).

    Tolerance: every published cell is rounded to £1m (error <= 0.5), so a sum of n LAD cells
    differs from the exactly-rounded regional figure by at most 0.5 n + 0.5, plus 0.5 for each
    extra ITL part summed (AB, DE: 2 parts -> 0.5 x 2 instead of 0.5).

    Vintages: the ITL file is ITL 2025, the LAD lookup ITL 2021. TLF and TLG are unchanged: the
    test checks that the 2025 file's ITL3 areas under TLF/TLG are exactly the 2021 lookup's.
    """
    geo = uk()
    raw = pd.read_parquet(shared_data(ITL_GVA), columns=["geography.type", "geography.code"]).drop_duplicates()
    for region in ("TLF", "TLG"):
        published_itl3 = set(raw.loc[(raw["geography.type"] == "ITL3") & raw["geography.code"].str.startswith(region),
                                     "geography.code"])
        lookup_itl3 = {a.code for a in geo.areas("ITL3") if a.code.startswith(region)}
        assert published_itl3 == lookup_itl3, f"{region} ITL3 areas differ between ITL 2021 and ITL 2025"

    summed = aggregate_areas(lad_gva, geo, "LAD", "ITL1")
    top = ["Total", "A-E", "G-T", *lad_tree.non_overlapping_cover("section")]
    assert {"AB (1-9)", "C (10-33)", "DE (35-39)", "F (41-43)", "T (97-98)"} <= set(top) and len(top) == 21

    itl_names = dict(zip(itl1_gva.activities, itl1_gva.data["activity_name"].values, strict=True))
    itl_tree = parse_code_ranges({**itl_names, "AB (1-9)": "A+B", "DE (35-39)": "D+E"}, sic2007())
    parts = ["A (1-3)", "B (5-9)", "D (35)", "E (36-39)"]
    pairs = itl_tree.membership(parts, ["AB (1-9)", "DE (35-39)"])
    combined = itl1_gva.sel(activity=parts).aggregate("activity", pairs)
    published = pd.concat([itl1_gva.to_frame(), combined.to_frame()])
    for region in ("TLF", "TLG"):
        n_lads = len(geo.members(region, "LAD"))
        ours = summed.sel(area=[region], activity=top).to_frame()
        ref = published[(published["area"] == region) & published["activity"].isin(top)]
        m = ours.merge(ref, on=["activity", "year"], suffixes=("", "_published"), validate="one_to_one")
        assert len(m) == len(top) * 26  # every top-level industry, every year 1998-2023
        assert (m["status"] == "observed").all() and (m["n_suppressed"] == 0).all()
        n_parts = np.where(m["activity"].isin(["AB (1-9)", "DE (35-39)"]), 2, 1)
        tolerance = 0.5 * n_lads + 0.5 * n_parts
        diff = (m["value"] - m["value_published"]).abs()
        assert (diff <= tolerance).all(), m.loc[diff > tolerance, ["activity", "year", "value", "value_published"]]
        assert diff.max() <= 6  # measured: largest gap £6m (n_lads 35 for TLF, 30 for TLG)


# --------------------------------------------------------------------------- (2) Midlands Engine union
def test_midlands_engine_union_counts_each_lad_once(shared_data, lad_gva):
    geo = uk(lep_vintage="2016")
    total = lad_gva.sel(activity=["Total"])
    union = aggregate_areas(total, geo, "LAD", "pan-regional").sel(area=["MIDLANDS_ENGINE"])
    lep_codes = [geo.resolve(name, "LEP") for name in
                 ("Black Country", "Coventry and Warwickshire", "Derby, Derbyshire, Nottingham and Nottinghamshire",
                  "Greater Birmingham and Solihull", "Greater Lincolnshire", "Leicester and Leicestershire",
                  "The Marches", "Stoke-on-Trent and Staffordshire", "Worcestershire")]
    leps = aggregate_areas(total, geo, "LAD", "LEP").sel(area=lep_codes)

    # independent reference: pandas over the raw parquet, distinct LADs of the nine LEPs
    members = sorted({lad for lep in lep_codes for lad in geo.members(lep, "LAD")})
    assert members == list(geo.members("MIDLANDS_ENGINE", "LAD")) and len(members) == 64
    dual = [geo.resolve(name, "LAD") for name in DUAL_LADS]
    for code in dual:  # each dual district really sits in two of the nine LEPs
        assert sum(code in geo.members(lep, "LAD") for lep in lep_codes) == 2
    raw = pd.read_parquet(shared_data(LAD_GVA))
    raw = raw[(raw["variable.name"] == "GVA Current Prices £m") & (raw["industry.code"] == "Total")]
    raw["year"] = pd.to_datetime(raw["dates.date"]).dt.year
    by_lad = raw.pivot_table(index="year", columns="geography.code", values="value", aggfunc="sum")
    distinct_sum = by_lad[members].sum(axis=1)
    dual_sum = by_lad[dual].sum(axis=1)

    u = union.to_frame().set_index("year")["value"]
    lep_sum = leps.to_frame().groupby("year")["value"].sum()
    assert len(u) == 26
    np.testing.assert_allclose(u.to_numpy(), distinct_sum.loc[u.index].to_numpy(), rtol=0, atol=1e-6)
    # the nine LEP totals add up to more, by exactly the dual districts' GVA (counted twice)
    assert (lep_sum > u).all()
    np.testing.assert_allclose((lep_sum - u).to_numpy(), dual_sum.loc[u.index].to_numpy(), rtol=0, atol=1e-6)


# --------------------------------------------------------------------------- (3) mixed codes into a tree
def test_gva_sections_sum_to_total(shared_data, lad_gva, lad_tree, itl1_gva):
    """Sections (the LAD file's section-level partition) summed with the classification's
    membership reproduce ``Total`` for every LAD and year: within 0.5 x 18 + 0.5 = £9.5m
    (18 rounded section cells plus the rounded total). LAD-years with a suppressed section
    are not silently compared: they come out ``incomplete`` with ``n_suppressed`` > 0, and
    their partial sum stays below the total."""
    sections = list(lad_tree.non_overlapping_cover("section"))
    assert len(sections) == 18
    assert lad_tree.is_ancestor("Total", "C (10-33)") and lad_tree.is_ancestor("C (10-33)", "CH (24-25)")
    lad_tree.check_summable(sections)
    w = lad_tree.membership(sections, ["Total"])
    summed = lad_gva.sel(activity=sections).aggregate("activity", w).to_frame()
    total = lad_gva.sel(activity=["Total"]).to_frame()
    m = summed.merge(total, on=["area", "year"], suffixes=("", "_total"), validate="one_to_one")
    assert len(m) == 361 * 26 and (m["status_total"] == "observed").all()
    complete = m["status"] == "observed"
    diff = m["value"] - m["value_total"]
    assert (diff[complete].abs() <= 0.5 * len(sections) + 0.5).all()
    incomplete = m[~complete]
    assert (incomplete["status"] == "incomplete").all() and (incomplete["n_suppressed"] > 0).all()
    assert complete.sum() == 9230 and len(incomplete) == 156  # measured on the April 2025 release
    assert (incomplete["value_total"] - incomplete["value"] >= -(0.5 * len(sections) + 0.5)).all()
    # the same in the ITL1 file, where nothing is suppressed: sections A..T
    itl_names = dict(zip(itl1_gva.activities, itl1_gva.data["activity_name"].values, strict=True))
    itl_tree = parse_code_ranges(itl_names, sic2007())
    itl_sections = list(itl_tree.non_overlapping_cover("section"))
    assert len(itl_sections) == 20  # A, B, C, D, E, F, ... T
    s2 = itl1_gva.sel(activity=itl_sections).aggregate("activity", itl_tree.membership(itl_sections, ["Total"]))
    m2 = s2.to_frame().merge(itl1_gva.sel(activity=["Total"]).to_frame(), on=["area", "year"])
    assert ((m2["value_x"] - m2["value_y"]).abs() <= 0.5 * len(itl_sections) + 0.5).all()


# --------------------------------------------------------------------------- (4) UBC LAD -> LEP via the CLI
def test_ubc_aggregate_to_lep_cli_keeps_size_bands(shared_data, tmp_path):
    from sia.cli import app

    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["aggregate", str(shared_data(UBC)), "-g", "uk", "-l", "LEP", "--year", "2021",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype={"activity": str})
    assert list(frame.columns) == ["area", "area_name", "level", "activity", "activity_name", "year", "sizeband",
                                   "measure", "value", "status", "n_suppressed"]
    geo = uk(lad_vintage="2021")
    leps = [a.code for a in geo.areas("LEP")]
    assert sorted(frame["area"].unique()) == sorted(leps) and len(leps) == 38
    # one row per LEP x industry x size band, all 2021
    assert not frame.duplicated(["area", "activity", "sizeband"]).any()
    assert len(frame) == 38 * 18 * 5 and (frame["year"] == 2021).all() and (frame["level"] == "LEP").all()
    # band totals: the four bands add up to Total within NOMIS rounding. Each LAD cell is rounded to
    # the nearest 5 (error <= 2.5), so per LAD |bands - Total| <= 5 cells x 2.5 = 12.5 and per LEP
    # 12.5 x (number of its LADs).
    wide = frame.pivot_table(index=["area", "activity"], columns="sizeband", values="value")
    bands = wide[["Micro (0 to 9)", "Small (10 to 49)", "Medium-sized (50 to 249)", "Large (250+)"]].sum(axis=1)
    n_lads = pd.Series({lep: len(geo.members(lep, "LAD")) for lep in leps})
    tolerance = 12.5 * n_lads.reindex(wide.index.get_level_values("area")).to_numpy()
    assert ((bands - wide["Total"]).abs().to_numpy() <= tolerance).all()
    # independent check: Black Country (Dudley, Sandwell, Walsall, Wolverhampton) from the raw CSV by name
    raw = pd.read_csv(shared_data(UBC))
    bc = raw[(raw["year"] == 2021) & raw["area_name"].isin(["Dudley", "Sandwell", "Walsall", "Wolverhampton"])]
    expected = bc.groupby(["industry_code", "sizeband"])["enterprises"].sum()
    got = frame[frame["area_name"] == "Black Country"].set_index(["activity", "sizeband"])["value"]
    got.index = got.index.set_levels(got.index.levels[0].astype(int), level=0)
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index().astype(float), check_names=False)
    # Tamworth reaches both GBSLEP and Stoke & Staffs under the 2020 LEPs: its count is in both
    tam = raw[(raw["year"] == 2021) & (raw["area_name"] == "Tamworth") & (raw["industry_code"] == 3)
              & (raw["sizeband"] == "Total")]["enterprises"].item()
    assert tam > 0
    for lep in ("Greater Birmingham and Solihull", "Stoke-on-Trent and Staffordshire"):
        assert geo.resolve("Tamworth", "LAD") in geo.members(geo.resolve(lep, "LEP"), "LAD")


def test_ubc_cli_load_and_info_report_counts(shared_data, tmp_path):
    from sia.cli import app

    runner = CliRunner()
    out = tmp_path / "ubc.parquet"
    result = runner.invoke(app, ["load", str(shared_data(UBC)), "-o", str(out), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 0, result.output
    assert "168750" in result.output and "168300" in result.output  # read, loaded (450 England rows excluded)
    info = runner.invoke(app, ["info", str(out)])
    assert info.exit_code == 0 and "sizeband" in info.output and "2018-2022" in info.output
    bad = runner.invoke(app, ["aggregate", str(out), "-g", "uk", "-l", "NOPE", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "unknown level 'NOPE'" in bad.output
