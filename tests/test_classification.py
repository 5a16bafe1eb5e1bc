"""Tests of sia.classification on the real shared lookups (SIC 2007, ONS GVA codes, CBP NAICS, OTS HS, IS-8).

References: counts and parents are recomputed independently from the raw CSV with pandas (or written
out by hand from the SIC 2007 structure); GVA sums are checked against the published ``Total`` with the
£1m rounding tolerance explained in the test.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sia.classification import (
    IMPUTED_RENT,
    Basket,
    BasketError,
    BasketSet,
    CodeRangeError,
    LevelError,
    NestedCodesError,
    UnknownCodeError,
    find_shared_data,
    hs_from_codes,
    hs_trade,
    industrial_strategy_2025,
    naics_cbp,
    naics_from_codes,
    parse_code_ranges,
    sic2007,
)
from sia.membership import Membership

LOOKUP = "sectors/sic2007_5digit_hierarchy_lookup.csv"
GVA_LAD = "gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet"
GVA_ITL = "gva/ons_rgva_balanced_itl_by_industry_1998_2023.parquet"
IS8 = "sectors/uk_industrial_strategy_2025_is8_sector_sic_definitions.csv"


def _divs(lo: int, hi: int) -> tuple[str, ...]:
    return tuple(f"{d:02d}" for d in range(lo, hi + 1))


@pytest.fixture(scope="module")
def root(shared_data: Callable[[str], Path]) -> Path:
    return shared_data(LOOKUP).parents[1]


@pytest.fixture(scope="module")
def sic(root: Path):
    return sic2007(root)


@pytest.fixture(scope="module")
def raw_lookup(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / LOOKUP, dtype=str, keep_default_na=False, encoding="cp1252")


@pytest.fixture(scope="module")
def gva_codes(shared_data: Callable[[str], Path]) -> dict[str, pd.DataFrame]:
    cols = ["industry.code", "industry.name"]
    return {
        "lad": pd.read_parquet(shared_data(GVA_LAD), columns=cols).drop_duplicates(),
        "itl": pd.read_parquet(shared_data(GVA_ITL), columns=cols).drop_duplicates(),
    }


# ---------------------------------------------------------------------------------------------- SIC tree
def test_sic_counts_per_level_match_the_lookup(sic, raw_lookup: pd.DataFrame) -> None:
    # independent reference: distinct values of the raw lookup's columns
    expected = {
        "section": raw_lookup["SIC_SECTION_LETTER"].nunique(),
        "division": raw_lookup["SIC_2DIGIT_CODE"].nunique(),
        "group": raw_lookup["SIC_3DIGIT_CODE"].nunique(),
        "class": raw_lookup["SIC_5DIGIT_CODE"].str[:4].nunique(),
        "subclass": raw_lookup["SIC_5DIGIT_CODE"].nunique(),
    }
    assert expected == {"section": 21, "division": 88, "group": 273, "class": 616, "subclass": 729}
    assert {lev: len(sic.codes(lev)) for lev in sic.levels} == expected
    assert sic.levels == ("section", "division", "group", "class", "subclass")
    assert len(sic) == 21 + 88 + 273 + 616 + 729
    assert sic.codes("section") == tuple("ABCDEFGHIJKLMNOPQRSTU")


def test_sic_parents_by_hand(sic) -> None:
    assert sic.parent("29100") == "2910"
    assert sic.parent("2910") == "291"
    assert sic.parent("291") == "29"
    assert sic.parent("29") == "C"
    assert sic.parent("C") is None
    assert sic.ancestors("29100") == ("2910", "291", "29", "C")
    # NOMIS-only agricultural node: group 010, class 0100 under division 01 / section A
    assert sic.ancestors("01000") == ("0100", "010", "01", "A")
    assert sic.level_of("01000") == "subclass"
    # class with one subclass: 0111 -> 01110, class named after it
    assert sic.children("0111") == ("01110",)
    assert (
        sic.name_of("0111")
        == sic.name_of("01110")
        == "Growing of cereals (except rice), leguminous crops and oil seeds"
    )
    assert sic.children("29") == ("291", "292", "293")
    assert sic.descendants("303", "subclass") == ("30300",)
    assert sic.descendants("2651", "subclass") == ("26511", "26512", "26513", "26514")
    assert sic.ancestor_at("26513", "division") == "26"
    assert sic.ancestor_at("26", "division") == "26"
    assert sic.is_ancestor("C", "26513") and not sic.is_ancestor("26513", "C")
    with pytest.raises(LevelError, match="above level 'subclass'"):
        sic.ancestor_at("26", "subclass")


def test_sic_names_without_nomis_prefix(sic) -> None:
    assert sic.name_of("01000") == "DEFRA/Scottish Executive Agricultural Data"
    assert sic.raw_label_of("01000") == "01000 : DEFRA/Scottish Executive Agricultural Data"
    assert sic.name_of("29") == "Manufacture of motor vehicles, trailers and semi-trailers"
    assert sic.name_of("C") == "Manufacturing"
    assert sic.raw_label_of("C") == "MANUFACTURING"  # official title from the sections file
    # the one cp1252 byte of the lookup is repaired, not left as mojibake
    assert sic.name_of("22230") == "Manufacture of builders\u2019 ware of plastic"
    # classes with several subclasses: Nesta descr, or the repo supplement (7734)
    assert sic.name_of("2651") == "Manufacture of instruments and appliances for measuring, testing and navigation"
    assert sic.name_of("7734") == "Renting and leasing of water transport equipment"
    assert all(sic.name_of(c) for c in sic.codes("class"))


def test_sic_normalise(sic) -> None:
    assert sic.normalise("30.3") == "303" == sic.normalise("303")
    assert sic.normalise("33.16") == "3316"
    assert sic.normalise("62.01/1") == "62011"
    assert sic.normalise("01") == "01" and sic.normalise("1") == "01"
    assert sic.normalise("01000") == "01000"
    assert sic.normalise(" c ") == "C"
    assert sic.normalise("29 : Manufacture of motor vehicles, trailers and semi-trailers") == "29"
    with pytest.raises(UnknownCodeError, match=r"'2999' is not in classification 'SIC 2007'") as err:
        sic.normalise("2999")
    assert isinstance(err.value, LookupError)
    assert "29" in err.value.suggestions
    # a leading zero lost by a numeric parse is suggested, not guessed
    with pytest.raises(UnknownCodeError) as err:
        sic.normalise("1110")
    assert err.value.suggestions[0] == "01110"


def test_sic_membership_levels(sic, raw_lookup: pd.DataFrame) -> None:
    m = sic.membership("subclass", "section")
    assert isinstance(m, Membership)
    assert m.matrix.shape == (21, 729)
    assert np.array_equal(np.asarray(m.matrix.sum(axis=0)).ravel(), np.ones(729))
    # independent: number of subclasses per section in the raw lookup
    expected = raw_lookup["SIC_SECTION_LETTER"].value_counts()
    got = pd.Series(np.asarray(m.matrix.sum(axis=1)).ravel(), index=m.target)
    assert (got == expected.reindex(got.index)).all()
    assert m.target_names[2] == "Manufacturing"
    with pytest.raises(LevelError, match="only aggregate upwards"):
        sic.membership("section", "division")


def test_sic_membership_for_mixed_levels(sic) -> None:
    m = sic.membership_for(["29", "30.3", "3316", "26511", "01000"], "division")
    assert m.source == ("29", "30.3", "3316", "26511", "01000")  # labels as given
    dense = pd.DataFrame(m.matrix.toarray(), index=m.target, columns=m.source)
    assert dense.loc["29", "29"] == 1 and dense.loc["30", "30.3"] == 1
    assert dense.loc["33", "3316"] == 1 and dense.loc["26", "26511"] == 1 and dense.loc["01", "01000"] == 1
    assert dense.to_numpy().sum() == 5
    with pytest.raises(LevelError, match=r"above the target level 'division'.*C \(section\)"):
        sic.membership_for(["29", "C"], "division")
    with pytest.raises(NestedCodesError, match="29 contains 291"):
        sic.membership_for(["29", "291"], "division")
    with pytest.raises(NestedCodesError, match="listed twice"):
        sic.membership_for(["30.3", "303"], "division")
    with pytest.raises(UnknownCodeError):
        sic.membership_for(["2999"], "division")


def test_sic_check_summable(sic) -> None:
    sic.check_summable(["29", "30", "3316"])
    with pytest.raises(NestedCodesError) as err:
        sic.check_summable(["C", "29", "30.3"])
    assert ("C", "29", "ancestor") in err.value.pairs and ("C", "303", "ancestor") in err.value.pairs


def test_data_dir_discovery(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        sic2007(tmp_path)
    monkeypatch.setenv("SIA_SHARED_DATA", str(root))
    assert find_shared_data() == root
    monkeypatch.setenv("SIA_SHARED_DATA", str(tmp_path / "nowhere"))
    monkeypatch.chdir(tmp_path)
    # env var wrong and cwd has no ../shared/data: the package-relative walk (or a clear error) decides
    try:
        found = find_shared_data(required=LOOKUP)
    except FileNotFoundError as exc:
        assert "SIA_SHARED_DATA" in str(exc) and "Looked in" in str(exc)
    else:
        assert (found / LOOKUP).exists()


# ---------------------------------------------------------------------------------------------- GVA codes
def test_gva_codes_of_both_files_all_parsed(sic, gva_codes: dict[str, pd.DataFrame]) -> None:
    lad = parse_code_ranges(gva_codes["lad"], sic)
    itl = parse_code_ranges(gva_codes["itl"], sic)
    both = parse_code_ranges(pd.concat(gva_codes.values()).drop_duplicates(), sic)
    assert (len(lad), len(itl), len(both)) == (49, 129, 134)
    for mc in (lad, itl, both):
        assert mc.matrix.any(axis=1).all()  # every code maps to something
        assert mc.overlaps().empty
        assert mc.uncovered == ("99",)  # section U is not in regional GVA
    assert both.divisions("C (10-33)") == _divs(10, 33)
    assert both.divisions("CA-CB (10-15)") == _divs(10, 15)
    assert both.divisions("CH (24-25)") == ("24", "25")
    assert both.divisions("CI-CL (26-30)") == _divs(26, 30)
    # A-E by hand: A = 01-03, B = 05-09, C = 10-33, D = 35, E = 36-39
    assert both.divisions("A-E") == (*_divs(1, 3), *_divs(5, 33), *_divs(35, 39))
    assert both.divisions("AB (1-9)") == (*_divs(1, 3), *_divs(5, 9))
    assert both.divisions("5-8") == _divs(5, 8)
    assert both.divisions("41") == ("41",)
    assert both.kind_of("Total") == "total" and both.kind_of("68IMP") == "imputed_rent"
    # containment tree among the published codes
    assert both.parent("CA-CB (10-15)") == "C (10-33)"
    assert both.parent("CA (10-12)") == "CA-CB (10-15)"
    assert both.parent("C (10-33)") == "A-E"
    assert both.parent("41") == "F (41-43)"
    assert both.ancestors("50-51") == ("49-51", "H (49-53)", "G-T", "Total")
    assert both.roots() == ("Total",)
    # imputed rent: a special atom inside L / division 68, beside "68" (real estate excluding imputed rental)
    assert both.parent(IMPUTED_RENT) == "L (68)" and both.parent("68") == "L (68)"
    assert set(both.children("L (68)")) == {"68", IMPUTED_RENT}
    assert both.divisions(IMPUTED_RENT) == ("68",) and both.is_partial(IMPUTED_RENT) and both.is_partial("68")
    assert both.covers("L (68)", "division", whole=True) == ("68",)
    assert both.atoms_of("L (68)") == both.atoms_of("68") | {IMPUTED_RENT}
    assert IMPUTED_RENT in both.atoms_of("Total") and IMPUTED_RENT in both.atoms_of("G-T")
    assert IMPUTED_RENT not in both.atoms_of("A-E")


def test_gva_covers_sections(sic, gva_codes: dict[str, pd.DataFrame]) -> None:
    lad = parse_code_ranges(gva_codes["lad"], sic)
    itl = parse_code_ranges(gva_codes["itl"], sic)
    # LAD table publishes A and B (and D and E) only together
    assert lad.non_overlapping_cover("section") == (
        "AB (1-9)", "C (10-33)", "DE (35-39)", "F (41-43)", "G (45-47)", "H (49-53)", "I (55-56)", "J (58-63)",
        "K (64-66)", "L (68)", "M (69-75)", "N (77-82)", "O (84)", "P (85)", "Q (86-88)", "R (90-93)",
        "S (94-96)", "T (97-98)",
    )  # fmt: skip
    assert len(itl.non_overlapping_cover("section")) == 20  # A..T, each section published
    leaves = itl.leaves()
    assert "01" in leaves and "2-3" not in leaves and "68" in leaves and IMPUTED_RENT in leaves
    itl.check_summable(leaves)
    lad.check_summable(lad.leaves())


def test_gva_sections_sum_to_total(shared_data: Callable[[str], Path], sic) -> None:
    frame = pd.read_parquet(shared_data(GVA_LAD))
    frame = frame[frame["variable.name"] == "GVA Current Prices £m"]  # chained volumes are not additive
    codes = parse_code_ranges(frame[["industry.code", "industry.name"]].drop_duplicates(), sic)
    cover = list(codes.non_overlapping_cover("section"))
    wide = frame.pivot_table(
        index=["geography.code", "dates.date"], columns="industry.code", values="value", aggfunc="first", dropna=False
    )
    parts, total = wide[cover], wide["Total"]
    # ONS rounds every published cell to £1m, so the sum of n rounded parts can differ from the rounded total
    # by at most (n + 1) * 0.5 = 9.5 for the 18 section-level codes of the LAD table.
    tolerance = (len(cover) + 1) * 0.5
    # one area and year by hand: Birmingham 2022
    birmingham = wide.loc[("E08000025", pd.Timestamp("2022-01-01").date())]
    assert birmingham["Total"] == 31839.0
    assert abs(birmingham[cover].sum() - birmingham["Total"]) <= tolerance
    # every area and year; NaN (suppressed [c]/[u]) cells cannot be summed: those rows are counted and skipped
    suppressed = parts.isna().any(axis=1) | total.isna()
    n_nan_cells = int(parts.isna().to_numpy().sum())
    assert int(suppressed.sum()) == 156 and n_nan_cells == 780  # observed; all other rows are complete
    diff = (parts[~suppressed].sum(axis=1) - total[~suppressed]).abs()
    assert len(diff) == len(wide) - 156
    assert diff.max() <= tolerance
    assert diff.max() == 5.0  # observed maximum rounding gap
    # the same through the membership: leaves aggregated to every published code, per target tolerance
    mem = codes.membership()  # from the finest partition to every published code
    leaves = wide[list(mem.source)]
    complete = ~(leaves.isna().any(axis=1) | wide[list(mem.target)].isna().any(axis=1))
    agg = mem.matrix @ leaves[complete].to_numpy().T
    published = wide.loc[complete, list(mem.target)].to_numpy().T
    n_parts = np.asarray(mem.matrix.sum(axis=1)).ravel()
    assert (np.abs(agg - published) <= (n_parts[:, None] + 1) * 0.5).all()


def test_gva_nested_sum_refused(sic, gva_codes: dict[str, pd.DataFrame]) -> None:
    lad = parse_code_ranges(gva_codes["lad"], sic)
    with pytest.raises(NestedCodesError, match=r"'C \(10-33\)' contains 'CA-CB \(10-15\)'") as err:
        lad.check_summable(["C (10-33)", "CA-CB (10-15)"])
    assert err.value.pairs == (("C (10-33)", "CA-CB (10-15)", "ancestor"),)
    with pytest.raises(NestedCodesError):
        lad.check_summable(["Total", "41"])
    with pytest.raises(NestedCodesError):
        lad.membership(["C (10-33)", "CA-CB (10-15)"], ["Total"])
    # an incomplete source set is refused unless asked for
    with pytest.raises(CodeRangeError, match=r"'C \(10-33\)' lacks divisions"):
        lad.membership(["CA-CB (10-15)", "CC (16-18)"], ["C (10-33)"])
    m = lad.membership(["CA-CB (10-15)", "CC (16-18)"], ["C (10-33)"], require_complete=False)
    assert m.matrix.toarray().tolist() == [[1.0, 1.0]]
    # a source straddling a target cannot be assigned
    with pytest.raises(CodeRangeError, match="straddles"):
        lad.membership(["A-E"], ["C (10-33)"], require_complete=False)


def test_overlapping_codes_detected(sic) -> None:
    codes = {"Total": "all", "10-12": "x", "11-15": "y", "13-33": "z"}
    with pytest.raises(CodeRangeError, match="overlap without nesting"):
        parse_code_ranges(codes, sic)
    mc = parse_code_ranges(codes, sic, strict=False)
    ov = mc.overlaps()
    assert ov[["code_a", "code_b", "relation"]].to_numpy().tolist() == [
        ["10-12", "11-15", "overlap"],
        ["11-15", "13-33", "overlap"],
    ]
    assert ov["shared_divisions"].tolist() == ["11,12", "13,14,15"]
    with pytest.raises(NestedCodesError, match="overlaps"):
        mc.check_summable(["10-12", "11-15"])
    identical = parse_code_ranges(["C", "C (10-33)", "10-33"], sic, strict=False)
    assert set(identical.overlaps()["relation"]) == {"identical"}


def test_bad_published_codes(sic) -> None:
    with pytest.raises(CodeRangeError, match=r"letters 'Z' do not match the section of division 10"):
        parse_code_ranges({"Z (10-12)": "bad"}, sic)
    with pytest.raises(CodeRangeError, match=r"sections C cover divisions 10-33, not 10-33,35"):
        parse_code_ranges({"C (10-35)": "bad"}, sic)
    with pytest.raises(CodeRangeError, match=r"'widgets' \('Widget making'\): not 'Total'"):
        parse_code_ranges({"widgets": "Widget making"}, sic)
    with pytest.raises(CodeRangeError, match="runs backwards"):
        parse_code_ranges(["33-10"], sic)
    with pytest.raises(CodeRangeError, match="different names"):
        parse_code_ranges([("41", "a"), ("41", "b")], sic)


def test_finer_published_codes(sic) -> None:
    # IO-style tables publish 3- and 4-digit codes beside divisions
    mc = parse_code_ranges(["C", "30", "30.3", "3316", "33"], sic)
    assert mc.parent("30.3") == "30" and mc.parent("3316") == "33" and mc.parent("33") == "C"
    assert mc.divisions("30.3") == ("30",) and mc.is_partial("30.3")
    assert not mc.imputed_rent and "68" not in [a[:2] for a in mc.atoms_of("C")]


# ---------------------------------------------------------------------------------------------- NAICS / HS
def test_naics_tree_from_cbp(shared_data: Callable[[str], Path]) -> None:
    path = shared_data("us_cbp/cbp_2019_cbsa_naics_emp_estab.csv.gz")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["naics_code"])["naics_code"].unique()
    naics = naics_cbp(path.parents[1])
    assert naics.parent("311") == "31-33" and naics.parent("441") == "44-45" and naics.parent("481") == "48-49"
    assert naics.ancestors("311111") == ("31111", "3111", "311", "31-33")
    assert naics.name_of("31-33") == "Manufacturing"
    assert naics.excluded == ("00",)
    # independent counts from the raw codes: sector = 2 digits (not 00) + the 3 ranges; deeper levels by length
    lengths = pd.Series([c for c in raw if c != "00" and "-" not in c]).str.len().value_counts()
    assert len(naics.codes("sector")) == lengths[2] + 3 == 20
    for n, level in zip(range(3, 7), naics.levels[1:], strict=True):
        assert len(naics.codes(level)) == lengths[n]
    assert set(naics.children("31-33")) == {c for c in raw if len(c) == 3 and c[:2] in ("31", "32", "33")}
    rooted = naics_cbp(path.parents[1], total=True)
    assert rooted.levels[0] == "total" and rooted.parent("31-33") == "00" and rooted.excluded == ()
    with pytest.raises(CodeRangeError, match="part of sector '31-33'"):
        naics_from_codes(["31", "311"])
    with pytest.raises(CodeRangeError, match="expected 2-6 digits"):
        naics_from_codes(["31x"])
    # a missing intermediate code is created from the prefix and noted
    small = naics_from_codes(["3111"])
    assert small.ancestors("3111") == ("311", "31-33") and any("intermediate" in n for n in small.notes)


def test_hs_tree_from_trade(shared_data: Callable[[str], Path]) -> None:
    path = shared_data("trade/ots_world_trade_country_hs4_exports_2017.csv.gz")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["product_code"])["product_code"].unique()
    hs = hs_trade(path.parents[1])
    assert len(hs.codes("heading")) == len(raw) == 1222
    assert len(hs.codes("chapter")) == len({c[:2] for c in raw}) == 97
    assert len(hs.codes("section")) == 22  # 21 HS sections + the special UNCL node
    # sections by hand from the HS nomenclature
    assert hs.ancestors("8703") == ("87", "XVII")
    assert hs.ancestor_at("0101", "section") == "I"
    assert hs.ancestor_at("1501", "section") == "III"
    assert hs.ancestor_at("7108", "section") == "XIV"
    assert hs.ancestor_at("9301", "section") == "XIX"
    assert hs.ancestor_at("9701", "section") == "XXI"
    assert hs.ancestors("9999") == ("99", "UNCL")
    assert hs.name_of("XVI").startswith("Machinery and mechanical appliances")
    excl = hs_trade(path.parents[1], unclassified="exclude")
    assert excl.excluded == ("9999",) and "9999" not in excl and len(excl.codes("section")) == 21
    with pytest.raises(CodeRangeError, match="belongs to no HS section"):
        hs_from_codes(["9999"], unclassified="error")
    with pytest.raises(CodeRangeError, match="leading zero lost"):
        hs_from_codes(["101"])
    m = hs.membership("heading", "section")
    assert np.asarray(m.matrix.sum()).item() == 1222


# ---------------------------------------------------------------------------------------------- baskets
def test_is8_baskets(root: Path, sic) -> None:
    raw = pd.read_csv(root / IS8, dtype=str, keep_default_na=False)
    baskets = industrial_strategy_2025(root)
    assert len(baskets) == raw["sector_name"].nunique() == 9
    assert baskets.names[0] == "Advanced Manufacturing" and baskets.names[-1] == "Foundational industries and inputs"
    am = baskets["Advanced Manufacturing"]
    assert {"29", "303", "3316", "272"} <= set(am.codes)
    am_sub = am.resolve(sic, "subclass")
    assert {"29100", "30300", "33160", "27200"} <= am_sub
    assert set(sic.descendants("20", "subclass")) <= am_sub
    with pytest.raises(BasketError, match=r"'283' is a group, finer than level 'division'"):
        am.resolve(sic, "division")
    with pytest.warns(UserWarning, match="mapped up"):
        assert am.resolve(sic, "division", allow_partial=True) == {"20", "26", "27", "28", "29", "30", "33"}
    # Clean Energy is defined by no SIC code: kept, empty, and its 6 frontier industries reported
    clean = baskets["Clean Energy"]
    assert clean.is_empty and len(clean.entries) == 6 and all(e.code is None for e in clean.entries)
    assert clean.resolve(sic, "subclass") == frozenset()
    assert baskets["Foundational industries and inputs"].attributes["is_frontier"] == [2]
    assert baskets["Defence"].attributes["is_frontier"] == [0, 1]

    report = baskets.report(sic, "subclass")
    n_undefined = int((raw["sic_code"] == "NA").sum())
    assert n_undefined == 23
    assert (report["kind"] == "undefined_entry").sum() == n_undefined
    assert report.loc[report["kind"] == "empty_basket", "baskets"].tolist() == ["Clean Energy"]
    several = report[report["kind"] == "several_baskets"].set_index("code")
    # division 20 is both Advanced Manufacturing (line 2) and Foundational (line 111)
    assert several.loc["20110", "baskets"] == "Advanced Manufacturing; Foundational industries and inputs"
    # 58 is in Creative Industries and Digital and Technologies
    assert several.loc["58110", "baskets"] == "Creative Industries; Digital and Technologies"
    mem = baskets.membership(sic, "subclass")
    union = set().union(*(b.resolve(sic, "subclass") for b in baskets))
    assert (report["kind"] == "no_basket").sum() == 729 - len(union)
    counts = np.asarray(mem.matrix.sum(axis=0)).ravel()
    assert (counts > 1).sum() == len(several)
    assert mem.target == baskets.names and mem.source == sic.codes("subclass")
    by_sub = industrial_strategy_2025(root, by="subsector")
    space = by_sub["Advanced Manufacturing: Space"]
    assert space.codes == ("303",) and space.attributes["is_frontier"] == 1
    assert by_sub["Foundational industries and inputs: Steel"].attributes["is_frontier"] == 2
    assert by_sub["Digital and Technologies: Quantum technologies"].is_empty


def test_basket_definitions(sic) -> None:
    transport = Basket("Next Generation Transport", codes=["29", "30.3", "30.2"], description="SIA priority")
    assert transport.resolve(sic, "group") == {"291", "292", "293", "302", "303"}
    assert transport.resolve(sic, "subclass") == {
        "29100",
        "29201",
        "29202",
        "29203",
        "29310",
        "29320",
        "30200",
        "30300",
    }
    assert Basket("food", ranges="10-12").resolve(sic, "division") == {"10", "11", "12"}
    assert Basket("x", ranges=["30.1-30.3"]).resolve(sic, "group") == {"301", "302", "303"}
    assert Basket("y", ranges=["A-B"]).resolve(sic, "division") == {"01", "02", "03", "05", "06", "07", "08", "09"}
    assert Basket("elec", prefixes="26").resolve(sic, "subclass") == frozenset(sic.descendants("26", "subclass"))
    assert Basket("ship", prefixes="30.1").resolve(sic, "class") == {"3011", "3012"}
    with pytest.raises(UnknownCodeError, match=r"basket 'Typo': code '2999'"):
        Basket("Typo", codes=["29", "2999"]).resolve(sic, "subclass")
    with pytest.raises(BasketError, match="matches no SIC 2007 code"):
        Basket("p", prefixes="999").resolve(sic, "subclass")
    with pytest.raises(BasketError, match="mixes levels"):
        Basket("r", ranges="10-120").resolve(sic, "subclass")
    with pytest.raises(BasketError, match="runs backwards"):
        Basket("r", ranges="12-10").resolve(sic, "subclass")
    with pytest.raises(BasketError, match="non-empty name"):
        Basket("  ")
    with pytest.raises(BasketError, match="duplicated basket names"):
        BasketSet([Basket("a", codes="29"), Basket("a", codes="30")])
    res = Basket("mixed", codes=["29", "30.3"]).resolve_detail(sic, "division", allow_partial=True)
    assert res.codes == {"29", "30"} and dict(res.partial) == {"30.3": "30"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Basket("plain", codes=["29"]).resolve(sic, "division")  # no warning without partial codes
    pair = BasketSet([transport, Basket("Vehicles", codes="29")])
    m = pair.membership(sic, "division", allow_partial=True)
    dense = pd.DataFrame(m.matrix.toarray(), index=m.target, columns=m.source)
    assert dense["29"].tolist() == [1.0, 1.0] and dense.to_numpy().sum() == 3  # 29, 30 | 29
    # transport at division level has a finer code, so reporting needs allow_partial
    rep = pair.report(sic, "division", allow_partial=True)
    assert rep.loc[rep["kind"] == "several_baskets", "code"].tolist() == ["29"]
    assert rep.loc[rep["kind"] == "partial", "entry"].tolist() == ["30.3", "30.2"]
    assert (rep["kind"] == "no_basket").sum() == 88 - 2
