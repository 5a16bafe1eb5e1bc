"""Tests of sia.geography on the real shared lookups (``../shared/data/geography``).

References: the counts and sets below are recomputed independently from the shared CSVs with plain
pandas set operations (not through ``sia.geography``), or are published facts written out by hand
(the seven pre-2021 dual LEP districts, the seven WMCA metropolitan districts).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sia.geography import (
    AmbiguousAreaError,
    Geography,
    LookupFileError,
    OtherVintageAreaError,
    SplitWeightsError,
    UnknownAreaError,
    crosswalk_membership,
    find_shared_data,
    lad_rebase_membership,
    rebase,
    uk,
)

SEVEN = {
    "E07000192": ("Cannock Chase", "E37000032"),
    "E07000193": ("East Staffordshire", "E37000032"),
    "E07000194": ("Lichfield", "E37000032"),
    "E07000199": ("Tamworth", "E37000032"),
    "E07000234": ("Bromsgrove", "E37000038"),
    "E07000236": ("Redditch", "E37000038"),
    "E07000239": ("Wyre Forest", "E37000038"),
}
GBS = "E37000012"
WM_MET = {"Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"}


@pytest.fixture(scope="module")
def root(shared_data) -> Path:
    return shared_data("geography/lad23_lau121_itl321_itl221_itl121_uk_lookup.csv").parents[1]


@pytest.fixture(scope="module")
def g2016(root) -> Geography:
    return uk(lep_vintage="2016", data_dir=root)


@pytest.fixture(scope="module")
def g2021(root) -> Geography:
    return uk(lep_vintage="2021", data_dir=root)


@pytest.fixture(scope="module")
def itl(root) -> pd.DataFrame:
    return pd.read_csv(root / "geography/lad23_lau121_itl321_itl221_itl121_uk_lookup.csv", dtype=str)


# ---------------------------------------------------------------- ITL hierarchy
def test_itl_hierarchy_counts_match_lookup(g2016, itl):
    assert len(g2016.areas("LAD")) == itl["LAD23CD"].nunique() == 361
    for code in ("TLG", "TLF", "TLM", "TLG1", "TLG2"):
        col = "ITL121CD" if len(code) == 3 else "ITL221CD"
        expected = set(itl.loc[itl[col] == code, "LAD23CD"])
        assert set(g2016.members(code, "LAD")) == expected, code
    assert len(g2016.members("TLG", "LAD")) == 30
    tlg3 = g2016.members("TLG3", "LAD")
    assert {g2016.area(c).name for c in tlg3} == WM_MET
    assert len(g2016.members("K02000001", "LAD")) == 361
    assert len(g2016.members("E92000001", "LAD")) == itl.loc[itl["LAD23CD"].str[0] == "E", "LAD23CD"].nunique()


def test_every_lad_in_exactly_one_itl1_and_split_lads_reported(g2016):
    m = g2016.membership("LAD", "ITL1")
    np.testing.assert_array_equal(np.asarray(m.matrix.sum(axis=0)).ravel(), np.ones(361))
    ov = g2016.overlaps("LAD")
    itl3_split = set(ov.loc[ov["parent_level"] == "ITL3", "child_name"])
    # boundaries/PROVENANCE.md: the five LAD23s that straddle ITL3 boundaries
    assert itl3_split == {"Cumberland", "Westmorland and Furness", "Highland", "North Ayrshire", "Argyll and Bute"}


# ---------------------------------------------------------------- LEPs and the seven overlaps
@pytest.mark.parametrize("vintage", ["2016", "2017", "2020"])
def test_seven_dual_memberships_before_2021(root, vintage):
    g = uk(lep_vintage=vintage, data_dir=root)
    for code, (_name, other) in SEVEN.items():
        m = g.membership("LAD", "LEP", sources=[code])
        assert {m.target[i] for i in m.matrix.nonzero()[0]} == {GBS, other}
        leps = {p for p in g.parents(code) if g.area(p).level == "LEP"}
        assert leps == {GBS, other}, code
    ov = g.overlaps("LEP")
    assert set(SEVEN) <= set(ov["child_code"])
    assert (ov.set_index("child_code").loc[list(SEVEN), "n_parents"] == 2).all()


def test_2021_review_keeps_the_west_midlands_dual_memberships(g2021, root):
    """The ONS LEP May 2021 boundaries still overlap in the West Midlands: the seven districts stay in
    two LEPs (each LEP's full district set is checked against the polygons in
    tests/test_geography_lep_vintages.py)."""
    for code, (name, other) in SEVEN.items():
        leps = {p for p in g2021.parents(code) if g2021.area(p).level == "LEP"}
        assert leps == {GBS, other}, name
    ov = g2021.overlaps("LEP")
    assert set(ov["child_code"]) == set(SEVEN)
    assert (ov["n_parents"] == 2).all()
    assert len(g2021.areas("LEP")) == 38
    # every other English LAD is in exactly one LEP in 2021, and no other LAD is in any
    m = g2021.membership("LAD", "LEP")
    sums = np.asarray(m.matrix.sum(axis=0)).ravel()
    english = np.array([c.startswith("E") for c in m.source])
    dual = np.array([c in SEVEN for c in m.source])
    assert (sums[english & ~dual] == 1).all() and (sums[dual] == 2).all() and (sums[~english] == 0).all()


def test_lep21_overlay_agrees_with_2020_lookup_except_review_changes(root):
    """The polygon overlay (src/sia/data/lad23_lep21.csv, one LEP per district; the seven second
    memberships are sia.geography.LEP21_DUAL_MEMBERSHIPS) differs from the 2020 lookup only where the
    2021 LEP review changed a district's LEP (by LEP name; codes of renamed LEPs changed too)."""
    l20 = pd.read_csv(root / "geography/lad_lep_2020_dfe.csv", dtype=str)
    l21 = pd.read_csv(Path(__file__).parents[1] / "src/sia/data/lad23_lep21.csv", dtype=str)
    m = l21.merge(l20, left_on="LAD23CD", right_on="LACD")
    changed = set(m.loc[m["ERNM"] != m["LEP21NM"], "LAD23NM"])
    assert changed == {"Kingston upon Hull, City of", "East Riding of Yorkshire", "York", "Rutland",
                       "Cannock Chase", "East Staffordshire", "Bromsgrove", "Redditch", "Wyre Forest",
                       "Buckinghamshire"}  # Buckinghamshire: LEP renamed from "Buckinghamshire Thames Valley"
    bucks = m[m["LAD23NM"] == "Buckinghamshire"]
    assert (bucks["ERCD"] == bucks["LEP21CD"]).all()  # same code E37000043
    assert (l21["area_share"].astype(float) >= 0.95).all()  # the build script's acceptance threshold


# ---------------------------------------------------------------- unions
def test_midlands_engine_counts_each_lad_once(g2016, root):
    l20 = pd.read_csv(root / "geography/lad_lep_2020_dfe.csv", dtype=str)
    nine = ["Black Country", "Coventry and Warwickshire", "Derby, Derbyshire, Nottingham and Nottinghamshire",
            "Greater Birmingham and Solihull", "Greater Lincolnshire", "Leicester and Leicestershire",
            "The Marches", "Stoke-on-Trent and Staffordshire", "Worcestershire"]
    codes = set(l20.loc[l20["ERNM"].isin(nine), "ERCD"])
    assert len(codes) == 9
    # independent LEP -> LAD sets: the 2020 lookup plus the seven second memberships written out above
    pairs = set(zip(l20["LACD"], l20["ERCD"], strict=True)) | {(c, o) for c, (_, o) in SEVEN.items()}
    per_lep = {lep: {lad for lad, e in pairs if e == lep} for lep in codes}
    distinct = set().union(*per_lep.values())
    assert set(g2016.members("MIDLANDS_ENGINE", "LAD")) == distinct
    total = sum(len(s) for s in per_lep.values())
    assert total - len(distinct) == 7  # exactly the seven double-counted districts
    # the 2016 vintage carries the April 2017 codes (D2N2 is E37000008 there, E37000045 in 2020): go by name
    assert sum(len(g2016.members(g2016.resolve(n, "LEP"), "LAD")) for n in nine) == total
    m = g2016.membership("LAD", "pan-regional", targets=["MIDLANDS_ENGINE"])
    assert m.matrix.max() <= 1.0
    x = np.ones(len(m.source))  # one unit per LAD: the union total is the distinct LAD count
    assert (m.matrix @ x)[0] == len(distinct) == 64
    lep_m = g2016.membership("LAD", "LEP", targets=nine)
    assert (lep_m.matrix @ x).sum() == 71


def test_midlands_engine_lep_vs_itl_definitions_differ(g2016):
    lep_def = set(g2016.members("MIDLANDS_ENGINE", "LAD"))
    itl_def = set(g2016.members("MIDLANDS_ENGINE_ITL", "LAD"))
    assert itl_def == set(g2016.members("TLF", "LAD")) | set(g2016.members("TLG", "LAD"))
    only_lep = {g2016.area(c).name for c in lep_def - itl_def}
    only_itl = {g2016.area(c).name for c in itl_def - lep_def}
    # Greater Lincolnshire reaches into Yorkshire and the Humber (TLE)
    assert only_lep == {"North Lincolnshire", "North East Lincolnshire"}
    assert lep_def - itl_def <= set(g2016.members("TLE", "LAD"))
    # Northamptonshire (SEMLEP) and Rutland (GCGP as first LEP in the 2020 lookup) are East Midlands but not ME LEPs
    assert only_itl == {"North Northamptonshire", "West Northamptonshire", "Rutland"}


def test_wmca_constituent_union(g2016):
    lads = g2016.members("WMCA_CONSTITUENT", "LAD")
    assert {g2016.area(c).name for c in lads} == WM_MET
    assert set(lads) == set(g2016.members("TLG3", "LAD"))
    # the ONS LAD -> CAUTH lookup lists constituent members only, so the CA has the same seven LADs
    assert set(lads) == set(g2016.members("E47000007", "LAD"))


def test_custom_union_and_fractional_composition():
    g = Geography()
    for c in "abc":
        g.add_area(c, c.upper(), "LAD")
    g.add_area("P", "P", "LEP")
    g.add_area("Q", "Q", "LEP")
    g.add_area("Z1", "Z1", "zone")
    g.add_area("Z2", "Z2", "zone")
    g.add_area("R", "R", "region")
    g.add_membership("a", "P")
    g.add_membership("a", "Q")  # overlap
    g.add_membership("b", "Q")
    g.add_membership("c", "Z1", 0.6)  # crosswalk split 60/40
    g.add_membership("c", "Z2", 0.4)
    g.add_membership("Z1", "R")
    g.add_membership("Z2", "R")
    u = g.add_union("U", "P or Q", ["P", "Q"])
    assert u.level == "custom"
    m = g.membership("LAD", "custom")
    np.testing.assert_allclose(m.matrix.toarray(), [[1.0, 1.0, 0.0]])  # a counted once
    r = g.membership("LAD", "region")
    np.testing.assert_allclose(r.matrix.toarray(), [[0.0, 0.0, 1.0]])  # 0.6 + 0.4
    z = g.membership("LAD", "zone")
    np.testing.assert_allclose(z.matrix.toarray(), [[0, 0, 0.6], [0, 0, 0.4]])
    assert g.members("U", "LAD") == ("a", "b")
    ov = g.overlaps("LAD")
    assert set(zip(ov["child_code"], ov["parent_level"], strict=True)) == {("a", "LEP"), ("c", "zone")}
    assert len(g.overlaps()) == 2
    with pytest.raises(ValueError, match="cycle"):
        g.add_membership("R", "Z1")
    with pytest.raises(ValueError, match="weight"):
        g.add_membership("b", "P", 1.5)


# ---------------------------------------------------------------- aliases and errors
def test_aliases_nuts_to_itl(g2016):
    assert g2016.resolve("UKG1") == "TLG1"
    assert g2016.resolve("UKG3") == "TLG3"
    assert g2016.resolve("UKG") == "TLG"
    assert g2016.resolve("UK") == "K02000001"
    assert g2016.resolve("GBSLEP") == GBS
    assert g2016.resolve("Greater Birmingham & Solihull") == GBS
    assert g2016.resolve("West Midlands", level="ITL1") == "TLG"  # GVA-file ITL1 name via alias
    with pytest.raises(OtherVintageAreaError, match="NUTS2 2013") as exc:
        g2016.area("UKM2")
    assert "UKM2" in str(exc.value)


def test_ubc_names_resolve(shared_data, root):
    path = shared_data("business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz")
    with gzip.open(path, "rt") as fh:
        ubc = pd.read_csv(fh, usecols=["geog_type", "area_name"]).drop_duplicates()
    names = ubc.loc[ubc["geog_type"] == "ladu", "area_name"].tolist()
    g21 = uk(lad_vintage="2021", data_dir=root)
    codes = [g21.resolve(n, level="LAD") for n in names]
    assert len(set(codes)) == len(names) == 374 == len(g21.areas("LAD"))
    assert g21.resolve("St. Helens") == g21.resolve("St Helens") == "E08000013"
    assert g21.resolve("Kingston upon Hull, City of", level="LAD") == "E06000010"  # ITL3 TLE11 has the same name
    assert g21.resolve("Bristol, City of", level="LAD") == g21.resolve("Bristol", level="LAD") == "E06000023"
    assert g21.resolve("Rhondda Cynon Taff") == "W06000016"
    assert g21.resolve("England") == "E92000001"
    # LAD23 geography: the districts merged in 2023 are of another vintage, and say so
    g23 = uk(data_dir=root)
    with pytest.raises(OtherVintageAreaError, match="Allerdale"):
        g23.area("Allerdale")


def test_unknown_and_ambiguous_names(g2016):
    with pytest.raises(UnknownAreaError) as exc:
        g2016.area("Birmingam")
    assert "Birmingam" in str(exc.value) and "Birmingham" in exc.value.suggestions
    with pytest.raises(AmbiguousAreaError) as amb:
        g2016.area("West Midlands")
    assert "West Midlands" in str(amb.value)
    assert {a.code for a in amb.value.candidates} == {"TLG3", "E47000007", "TLG"}
    assert g2016.resolve("West Midlands", level="ITL2") == "TLG3"
    assert g2016.resolve("West Midlands", level="CAUTH") == "E47000007"
    with pytest.raises(AmbiguousAreaError):
        g2016.area("Cumbria")  # ITL2 TLD1 and the Cumbria LEP
    assert isinstance(exc.value, LookupError) and isinstance(amb.value, LookupError)


def test_retired_lad_code_names_its_vintage(g2016, root):
    with pytest.raises(OtherVintageAreaError) as exc:
        g2016.area("E07000150")
    msg = str(exc.value)
    assert "E07000150" in msg and "Corby" in msg and "LAD 2011" in msg and "LAD 2020" in msg
    assert "terminated 2020-12-01" in msg and "LAD 2023" in msg
    with pytest.raises(OtherVintageAreaError, match="E37000014"):
        uk(lep_vintage="2021", data_dir=find_shared_data(root)).area("E37000014")  # Greater Lincolnshire 2020 code


def test_cauth_vintages(root):
    g23 = uk(cauth_vintage="2023", data_dir=root)
    g25 = uk(cauth_vintage="2025", data_dir=root)
    c23 = pd.read_csv(root / "geography/lad23_cauth23_lookup_en.csv", dtype=str)
    assert len(g23.areas("CAUTH")) == c23["CAUTH23CD"].nunique()
    wm = set(c23.loc[c23["CAUTH23CD"] == "E47000007", "LAD23CD"])
    assert set(g23.members("E47000007", "LAD")) == wm
    # 2025 file codes Barnsley/Sheffield E08000038/39; mapped to the LAD23 codes (lad_code_changes.csv)
    assert {"E08000016", "E08000019"} <= set(g25.members("E47000002", "LAD"))


# ---------------------------------------------------------------- vintages
def test_rebase_lad11_to_lad21_merges_sum_exactly(root):
    frame = pd.DataFrame(
        {"jobs": [10.0, 20.0, 5.0, 7.0, 1.0, 3.5], "firms": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
        index=["E06000028", "E06000029", "E07000048", "E08000020", "E08000025", "E07000205"],
    )  # Bournemouth, Poole, Christchurch -> BCP; Gateshead recoded; Birmingham unchanged; Suffolk Coastal
    out = rebase(frame, "2011", "2021", data_dir=root)
    assert out.loc["E06000058", "jobs"] == 35.0 and out.loc["E06000058", "firms"] == 6.0
    assert out.loc["E08000037", "jobs"] == 7.0  # Gateshead E08000020 -> E08000037
    assert out.loc["E08000025", "jobs"] == 1.0
    assert out.loc["E07000244", "jobs"] == 3.5  # East Suffolk receives only what it was given
    assert out["jobs"].sum() == frame["jobs"].sum()
    m = lad_rebase_membership("2011", "2021", data_dir=root)
    np.testing.assert_array_equal(np.asarray(m.matrix.sum(axis=0)).ravel(), np.ones(len(m.source)))
    with pytest.raises(OtherVintageAreaError) as exc:
        rebase(pd.Series([1.0], index=["E06000063"]), "2011", "2021", data_dir=root)
    assert "E06000063" in str(exc.value) and "2023" in str(exc.value)


def test_rebase_split_needs_weights(root):
    # LAD21 -> LAD11 turns the 2019 merge of Bournemouth, Poole and Christchurch into a split
    bcp = pd.Series([100.0], index=["E06000058"], name="jobs")
    with pytest.raises(SplitWeightsError) as exc:
        rebase(bcp, "2021", "2011", data_dir=root)
    assert "E06000058" in str(exc.value)
    w = {"E06000058": {"E06000028": 0.5, "E06000029": 0.3, "E07000048": 0.2}}
    with pytest.raises(SplitWeightsError, match="E06000059"):  # Dorset is a split too and has no weights
        rebase(bcp, "2021", "2011", split_weights=w, data_dir=root)
    # measure: shares of the receiving districts (hand-made numbers): 40/80, 30/80, 10/80 for BCP
    measure = pd.Series({"E06000028": 40.0, "E06000029": 30.0, "E07000048": 10.0, "E07000049": 1.0,
                         "E07000050": 1.0, "E07000051": 1.0, "E07000052": 1.0, "E07000053": 1.0,
                         "E07000004": 1, "E07000005": 1, "E07000006": 1, "E07000007": 1,
                         "E07000150": 1, "E07000151": 1, "E07000152": 1, "E07000153": 1,
                         "E07000154": 1, "E07000155": 1, "E07000156": 1, "E07000201": 1, "E07000204": 1,
                         "E07000205": 1, "E07000206": 1, "E07000190": 1, "E07000191": 1,
                         "E07000097": 1, "E07000100": 1, "E07000101": 1, "E07000104": 1,
                         "E08000020": 1, "E06000048": 1}, dtype=float)
    out = rebase(bcp, "2021", "2011", measure=measure, split_weights=w, data_dir=root)
    assert out.to_dict() == {"E06000028": 50.0, "E06000029": 30.0, "E07000048": 20.0}  # explicit weights win
    out2 = rebase(bcp, "2021", "2011", measure=measure, data_dir=root)
    np.testing.assert_allclose(out2.loc[["E06000028", "E06000029", "E07000048"]].to_numpy(), [50.0, 37.5, 12.5])


def test_crosswalk_membership_validation():
    pairs = [("a", "x"), ("b", "x"), ("c", "y"), ("c", "z")]
    with pytest.raises(SplitWeightsError, match="c -> y, z"):
        crosswalk_membership(pairs)
    with pytest.raises(SplitWeightsError, match="sum to 0.9"):
        crosswalk_membership(pairs, split_weights={("c", "y"): 0.5, ("c", "z"): 0.4})
    m = crosswalk_membership(pairs, split_weights={"c": {"y": 0.25, "z": 0.75}})
    np.testing.assert_allclose(m.matrix.toarray(), [[1, 1, 0], [0, 0, 0.25], [0, 0, 0.75]])


# ---------------------------------------------------------------- user lookups and data location
def test_from_lookup_csv_and_errors(tmp_path):
    ok = tmp_path / "ok.csv"
    ok.write_text("lad,lad_name,zone,w\nA,Alpha,Z,0.5\nA,Alpha,Y,0.5\nB,Beta,Z,1\n")
    g = Geography.from_lookup_csv(ok, "lad", "zone", child_name="lad_name", weight="w", parent_level="zone")
    assert g.area("Alpha").code == "A"
    np.testing.assert_allclose(g.membership("LAD", "zone").matrix.toarray(), [[0.5, 0], [0.5, 1]])
    bad = tmp_path / "bad.csv"
    bad.write_text("lad,zone,w\nA,Z,1\nB,Z,lots\n")
    with pytest.raises(LookupFileError) as exc:
        Geography.from_lookup_csv(bad, "lad", "zone", weight="w")
    assert str(bad) in str(exc.value) and "line 3" in str(exc.value) and "'w'" in str(exc.value)
    assert "'lots'" in str(exc.value)
    with pytest.raises(LookupFileError, match="column"):
        Geography.from_lookup_csv(bad, "lad", "region")
    dup = tmp_path / "dup.csv"
    dup.write_text("lad,zone\nA,Z\nA,Z\n")
    with pytest.raises(LookupFileError, match="line 3.*listed twice"):
        Geography.from_lookup_csv(dup, "lad", "zone")


def test_missing_data_dir_message(tmp_path):
    with pytest.raises(FileNotFoundError) as exc:
        uk(data_dir=tmp_path)
    assert str(tmp_path) in str(exc.value) and "SIA_SHARED_DATA" in str(exc.value)
    with pytest.raises(ValueError, match="lep_vintage"):
        uk(lep_vintage="2019", data_dir=tmp_path)


# ---------------------------------------------------------------- CLI
def test_cli_show_and_overlaps(root, monkeypatch):
    from sia.cli import app

    monkeypatch.setenv("SIA_SHARED_DATA", str(root))
    monkeypatch.setenv("COLUMNS", "220")
    runner = CliRunner()
    res = runner.invoke(app, ["geography", "show", "UKG3"])
    assert res.exit_code == 0, res.output
    assert "TLG3" in res.output and "number of LADs" in res.output
    for name in WM_MET:
        assert name in res.output
    res = runner.invoke(app, ["geography", "show", "MIDLANDS_ENGINE", "--lep-vintage", "2016"])
    assert res.exit_code == 0 and "64" in res.output and "Wyre Forest" in res.output
    res = runner.invoke(app, ["geography", "overlaps", "--level", "LEP", "--lep-vintage", "2016"])
    assert res.exit_code == 0, res.output
    for name, _ in SEVEN.values():
        assert name in res.output
    res = runner.invoke(app, ["geography", "overlaps", "--level", "LEP", "--lep-vintage", "2021"])
    assert res.exit_code == 0 and ": 7" in res.output
    for name, _ in SEVEN.values():
        assert name in res.output
    res = runner.invoke(app, ["geography", "show", "West Midlands"])
    assert res.exit_code == 2 and "matches 3 areas" in res.output
    res = runner.invoke(app, ["geography", "show", "Nowhere Town"])
    assert res.exit_code == 2 and "Nowhere Town" in res.output and "Traceback" not in res.output
