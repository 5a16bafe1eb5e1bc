"""LEP vintages of the built-in UK geography, checked against published sources (issue 15, defects 1-2).

References, computed here without ``sia.geography``:

- every LEP vintage that has a dated ONS LEP boundary file in ``../shared/data/boundaries``
  (``lepYY_*.geojson``; today ``lep21_may_en_buc.geojson``, May 2021) against the LAD Dec 2023 polygons
  (``lad23_dec_uk_buc.geojson``) by area overlap with shapely: a LEP holds exactly the districts whose
  area lies mostly (> 50 %) inside its polygon;
- the LEP codes of each vintage from DfE's code list ``geography/lep_codes_vintages_dfe.csv`` (a code is
  in use on a date when its introduction date is empty or not later and its termination date empty
  or not earlier), and the LEP -> LAD sets from ``geography/lad_lep_2020_dfe.csv`` (by LEP name).

Under ``CI=true`` a missing shared file (or shapely, a dev dependency) fails the test; elsewhere it skips.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sia.geography import OtherVintageAreaError, UnknownAreaError, uk

REPO = Path(__file__).resolve().parents[1]
GBS, SSLEP, WORCS = "E37000012", "E37000032", "E37000038"
LEP_FILE = re.compile(r"^lep(\d{2})_.*\.geojson$")
#: share of a district's area inside a LEP polygon above which the district is a member
MOSTLY = 0.5


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _boundary_files() -> list[str]:
    """Dated LEP boundary files of the shared folder (May 2021 always listed, so its absence is seen)."""
    root = Path(os.environ.get("SIA_SHARED_DATA") or REPO.parent / "shared" / "data") / "boundaries"
    found = {p.name for p in root.glob("lep*.geojson") if LEP_FILE.match(p.name)} if root.is_dir() else set()
    return sorted(found | {"lep21_may_en_buc.geojson"})


def _shapely():
    try:
        import shapely
    except ImportError:  # pragma: no cover - shapely is in the dev extra
        if _in_ci():
            pytest.fail("shapely is needed for the LEP boundary overlay test (pip install -e '.[dev]')")
        pytest.skip("shapely not installed")
    return shapely


def _equal_area(shapely, geom):
    """Sinusoidal projection of lon/lat degrees (equal-area, so area shares are true shares)."""
    return shapely.transform(geom, lambda xy: np.c_[xy[:, 0] * np.cos(np.radians(xy[:, 1])), xy[:, 1]])


def _polygons(shapely, path: Path, code: str, name: str) -> pd.DataFrame:
    import json

    from shapely.geometry import shape

    feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    geoms = [_equal_area(shapely, shapely.make_valid(shape(f["geometry"]))) for f in feats]
    return pd.DataFrame({"code": [f["properties"][code] for f in feats],
                         "name": [f["properties"][name] for f in feats], "geometry": geoms})


@pytest.fixture(scope="module")
def root(shared_data) -> Path:
    return shared_data("geography/lad23_lau121_itl321_itl221_itl121_uk_lookup.csv").parents[1]


@pytest.fixture(scope="module")
def lads(shared_data) -> pd.DataFrame:
    shapely = _shapely()
    lad = _polygons(shapely, shared_data("boundaries/lad23_dec_uk_buc.geojson"), "LAD23CD", "LAD23NM")
    return lad[lad["code"].str.startswith("E")].reset_index(drop=True)


def _overlay(shapely, lep: pd.DataFrame, lad: pd.DataFrame) -> pd.DataFrame:
    """Share of each district's area inside each LEP polygon (pairs with a share above 1e-6)."""
    tree = shapely.STRtree(lad["geometry"].to_numpy())
    lad_area = shapely.area(lad["geometry"].to_numpy())
    rows = []
    for code, name, geom in lep[["code", "name", "geometry"]].itertuples(index=False):
        idx = tree.query(geom, predicate="intersects")
        share = shapely.area(shapely.intersection(lad["geometry"].to_numpy()[idx], geom)) / lad_area[idx]
        rows += [(code, name, lad["code"].iloc[i], s) for i, s in zip(idx, share, strict=True) if s > 1e-6]
    return pd.DataFrame(rows, columns=["lep", "lep_name", "lad", "share"])


# ---------------------------------------------------------------- defect 1: LEP membership vs boundaries
@pytest.mark.parametrize("fname", _boundary_files())
def test_every_lep_holds_the_districts_its_boundary_covers(fname, shared_data, root, lads):
    shapely = _shapely()
    yy = LEP_FILE.match(fname).group(1)
    vintage = f"20{yy}"
    lep = _polygons(shapely, shared_data(f"boundaries/{fname}"), f"LEP{yy}CD", f"LEP{yy}NM")
    ov = _overlay(shapely, lep, lads)
    # the threshold does not decide anything: every district is (almost) wholly in or out of each LEP
    assert not ov["share"].between(0.05, 0.95).any(), ov[ov["share"].between(0.05, 0.95)]
    expected = {c: set(ov.loc[(ov["lep"] == c) & (ov["share"] > MOSTLY), "lad"]) for c in lep["code"]}
    assert set().union(*expected.values()) == set(lads["code"])  # the LEPs cover England

    g = uk(lep_vintage=vintage, lad_vintage="2023", data_dir=root)
    assert {a.code: a.name for a in g.areas("LEP")} == dict(zip(lep["code"], lep["name"], strict=True))
    wrong = {c: (sorted(set(g.members(c, "LAD")) - exp), sorted(exp - set(g.members(c, "LAD"))))
             for c, exp in expected.items() if set(g.members(c, "LAD")) != exp}
    assert not wrong, f"LEP {vintage}: (extra, missing) districts per LEP: {wrong}"


def test_lep2021_membership_on_lad2021_codes_follows_the_boundaries(shared_data, root, lads):
    """The April 2021 districts (NOMIS UK Business Counts) have no polygons here: a district merged in
    April 2023 is in a LEP when its LAD23 successor lies wholly inside that LEP's May 2021 polygon."""
    shapely = _shapely()
    lep = _polygons(shapely, shared_data("boundaries/lep21_may_en_buc.geojson"), "LEP21CD", "LEP21NM")
    ov = _overlay(shapely, lep, lads)
    itl = pd.read_csv(root / "geography/lad23_lau121_itl321_itl221_itl121_uk_lookup.csv", dtype=str)
    vint = pd.read_csv(root / "geography/lad_codes_vintages_dfe.csv", dtype=str, keep_default_na=False)
    merged = set(vint.loc[vint["date_of_introduction"] == "2023-04-01", "lad_code"])
    eng = itl[itl["LAD23CD"].str.startswith("E")]
    lad21 = eng.assign(lad21=np.where(eng["LAD23CD"].isin(merged), eng["LAU121CD"], eng["LAD23CD"]))
    lad21 = lad21.groupby("LAD23CD")["lad21"].agg(set).to_dict()
    inside = ov[ov["share"] > MOSTLY]
    assert (inside.loc[inside["lad"].isin(merged), "share"] > 0.99).all()
    g = uk(lep_vintage="2021", lad_vintage="2021", data_dir=root)
    for code in lep["code"]:
        expected = set().union(*(lad21[c] for c in inside.loc[inside["lep"] == code, "lad"]))
        assert set(g.members(code, "LAD")) == expected, code


def test_cli_show_west_midlands_leps_2021(root, monkeypatch):
    """The issue's commands: GBSLEP and SSLEP each hold nine April-2021 districts (NOMIS April 2021)."""
    from sia.cli import app

    monkeypatch.setenv("SIA_SHARED_DATA", str(root))
    monkeypatch.setenv("COLUMNS", "220")
    expected = {
        GBS: {"Birmingham", "Solihull", "Cannock Chase", "East Staffordshire", "Lichfield", "Tamworth",
              "Bromsgrove", "Redditch", "Wyre Forest"},
        SSLEP: {"Stoke-on-Trent", "Cannock Chase", "East Staffordshire", "Lichfield", "Tamworth",
                "Newcastle-under-Lyme", "South Staffordshire", "Stafford", "Staffordshire Moorlands"},
        WORCS: {"Bromsgrove", "Malvern Hills", "Redditch", "Worcester", "Wychavon", "Wyre Forest"},
    }
    for code, names in expected.items():
        res = CliRunner().invoke(app, ["geography", "show", code, "--lep-vintage", "2021", "--lad-vintage", "2021"])
        assert res.exit_code == 0, res.output
        row = next(line for line in res.output.splitlines() if "number of LADs" in line)
        assert row.split()[-2] == str(len(names)), row
        for name in names:
            assert name in res.output, (code, name)


# ---------------------------------------------------------------- defect 2: codes of the 2016/2017 vintages
def _dfe_codes(root: Path, date: str) -> dict[str, str]:
    df = pd.read_csv(root / "geography/lep_codes_vintages_dfe.csv", dtype=str, keep_default_na=False)
    start, end = df["date_of_introduction"], df["date_of_termination"]
    live = df[(start.eq("") | (start <= date)) & (end.eq("") | (end >= date))]
    return dict(zip(live["local_enterprise_partnership_code"], live["local_enterprise_partnership_name"],
                    strict=True))


@pytest.mark.parametrize(("vintage", "date"), [("2016", "2017-04-01"), ("2017", "2017-04-01"),
                                               ("2020", "2020-04-01")])
def test_pre2021_vintages_carry_their_own_codes(root, vintage, date):
    codes = _dfe_codes(root, date)
    assert len(codes) == 38
    g = uk(lep_vintage=vintage, data_dir=root)
    assert {a.code: a.name for a in g.areas("LEP")} == codes
    for code in codes:  # every code of the period resolves, to a LEP with districts
        assert g.area(code).level == "LEP" and g.members(code, "LAD"), code
    # the districts of each LEP are those of the same-named LEP of the April 2020 lookup (first LEP),
    # plus the seven Midlands second memberships
    l20 = pd.read_csv(root / "geography/lad_lep_2020_dfe.csv", dtype=str)
    second = {GBS: {"E07000192", "E07000193", "E07000194", "E07000199", "E07000234", "E07000236", "E07000239"},
              SSLEP: {"E07000192", "E07000193", "E07000194", "E07000199"},
              WORCS: {"E07000234", "E07000236", "E07000239"}}
    lad20_to_23 = dict(zip(*[pd.read_csv(root / "geography/lad23_lau121_itl321_itl221_itl121_uk_lookup.csv",
                                         dtype=str)[c] for c in ("LAU121CD", "LAD23CD")], strict=True))
    for code, name in codes.items():
        lads20 = set(l20.loc[l20["ERNM"] == name, "LACD"]) | second.get(code, set())
        assert set(g.members(code, "LAD")) == {lad20_to_23.get(c, c) for c in lads20}, (vintage, name)


def test_sixteen_codes_differ_between_2017_and_2020(root):
    c17, c20 = _dfe_codes(root, "2017-04-01"), _dfe_codes(root, "2020-04-01")
    assert len(set(c17) - set(c20)) == 16
    g16 = uk(lep_vintage="2016", data_dir=root)
    assert g16.area("E37000023").name == "London"
    assert len(g16.members("E37000023", "LAD")) == 33  # the 32 boroughs and the City
    assert g16.resolve("D2N2") == "E37000008"  # the alias follows the vintage's code (E37000045 in 2020)


def test_cli_show_london_lep_2016(root, monkeypatch):
    from sia.cli import app

    monkeypatch.setenv("SIA_SHARED_DATA", str(root))
    monkeypatch.setenv("COLUMNS", "220")
    res = CliRunner().invoke(app, ["geography", "show", "E37000023", "--lep-vintage", "2016"])
    assert res.exit_code == 0, res.output
    assert "London" in res.output and "Westminster" in res.output and "build the geography" not in res.output


def test_code_of_another_vintage_names_the_vintage_and_this_vintages_code(root):
    g16 = uk(lep_vintage="2016", data_dir=root)
    with pytest.raises(OtherVintageAreaError) as exc:
        g16.area("E37000051")  # London's April 2020 code
    msg = str(exc.value)
    assert "LEP 2020" in msg and "holds LEP 2016" in msg and "E37000023" in msg
    assert "LEP 2016" not in msg.split("build the geography for")[-1]  # never the vintage that was asked
    g21 = uk(lep_vintage="2021", data_dir=root)
    with pytest.raises(OtherVintageAreaError) as exc:
        g21.area("E37000023")
    assert "LEP 2016, LEP 2017" in str(exc.value) and "E37000051 (LEP 2021)" in str(exc.value)


def test_code_in_no_vintage_lists_the_nearest_codes_of_the_vintage(root):
    g16 = uk(lep_vintage="2016", data_dir=root)
    with pytest.raises(UnknownAreaError) as exc:
        g16.area("E37000099")
    msg = str(exc.value)
    nearest = {"E37000038", "E37000039", "E37000040", "E37000041", "E37000042"}  # the five highest 2017 codes
    assert "LEP 2016" in msg and set(exc.value.suggestions) == nearest
    assert "'Greater Cambridge and Greater Peterborough'" in msg
    with pytest.raises(OtherVintageAreaError) as exc:
        g16.area("E37000026")  # Northamptonshire, last used in 2014 (DfE list): no vintage sia builds
    msg = str(exc.value)
    assert "2014-12-01" in msg and "Nearest LEP 2016 codes" in msg and "build the geography" not in msg
