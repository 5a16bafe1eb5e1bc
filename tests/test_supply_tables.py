"""Loaders, balance checks and bad input for sia.supply.tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sia.supply import (
    IndustryMismatchError,
    IOTable,
    IOTableFormatError,
    NegativeFlowError,
    UnbalancedTableError,
    load_generic,
    load_ons_ioat,
    load_scottish_ixi,
    load_scottish_ixi_years,
    load_table,
)
from sia.supply.tables import SCOT_ATOL, SCOT_RTOL

ONS = "io/ons_ioat_2019_industry_by_industry_domestic_use_long.csv"
SCOT = "io/scotland_sg_1998_2019/IxI_wide.xlsx"


def write_io3(tmp: Path, z: list[list[float]] | None = None, rows: str = "sector,AGR,MAN,SER",
              extra: str | None = None) -> tuple[Path, Path]:
    z = z or [[150, 500, 50], [200, 100, 400], [300, 500, 50]]
    names = ["AGR", "MAN", "SER"]  # row (seller) codes; the header ``rows`` may differ to test mismatches
    zp = tmp / "Z.csv"
    zp.write_text(rows + "\n" + "\n".join(f"{n}," + ",".join(str(v) for v in r) for n, r in zip(names, z, strict=True)))
    ip = tmp / "ind.csv"
    default = "sector,final_demand,value_added,output\nAGR,300,350,1000\nMAN,1300,900,2000\nSER,650,1000,1500\n"
    ip.write_text(extra or default)
    return zp, ip


def test_ons_loads_and_balances(shared_data) -> None:
    t = load_ons_ioat(shared_data(ONS))
    assert t.n == 105 and t.industries[0] == "A01" and t.industries[-1] == "T97"
    assert t.final_demand == ("P3 S13", "P3 S14", "P3 S15", "P51G", "P52", "P53", "P61EU", "P61RW", "P62")
    rep = t.balance()
    assert rep.ok and rep.max_row_diff < 1e-9 and rep.max_column_diff < 1e-9
    # independent totals from the long file: UK 2019 output 3,824,433 GBP m (the P1 x _T cell); GVA 2,000,157
    raw = pd.read_csv(shared_data(ONS), keep_default_na=False, na_values=[""])
    p1_total = raw.loc[(raw.row_code == "P1") & (raw.col_code == "_T"), "value_gbp_million"].item()
    assert t.x.sum() == pytest.approx(p1_total, rel=1e-12) == pytest.approx(3_824_433)
    assert t.gva.sum() == pytest.approx(2_000_157)
    assert t.primary_row("D1").sum() == pytest.approx(1_090_157)
    assert "55 blank cells" in t.notes[0]
    assert load_table(shared_data(ONS)).industries == t.industries  # auto-detected


@pytest.fixture(scope="module")
def scot_all(shared_data) -> dict[int, IOTable]:
    return load_scottish_ixi_years(shared_data(SCOT))  # every year, one read of the workbook, checked


@pytest.fixture(scope="module")
def scot(scot_all: dict[int, IOTable], shared_data) -> IOTable:
    t = scot_all[2019]
    assert t.source == str(shared_data(SCOT))
    return t


def test_scottish_table_one_year_balances(scot: IOTable) -> None:
    t = scot
    assert t.n == 98 and t.industries[0] == "IOC098_001"
    rep = t.balance(rtol=1e-6, atol=1e-6)
    # columns balance exactly; rows (to TOT_USE) differ from TOut by rounding, worst 0.00144 GBP m in oil & gas
    assert rep.max_column_diff < 1e-9
    assert rep.max_row_diff == pytest.approx(0.001445, abs=1e-6)
    assert list(rep.unbalanced["industry"]) == ["IOC098_007"]
    assert (t.balance_rtol, t.balance_atol) == (SCOT_RTOL, SCOT_ATOL) == (1e-4, 1e-3)
    assert t.balance().ok  # the loader's default tolerance travels with the table
    with pytest.raises(UnbalancedTableError, match="row IOC098_007 total use"):
        t.balance(rtol=1e-7, atol=1e-6).raise_if_unbalanced(t.name)
    assert t.gva.sum() == pytest.approx(148_886.679095, rel=1e-9)  # TOT_IU cell of the GVA row
    assert t.household_consumption == "HOUSEHOLD" and t.compensation == "CoE"


def test_every_published_scottish_year_loads(scot_all: dict[int, IOTable]) -> None:
    assert list(scot_all) == list(range(1998, 2020))
    worst = {}
    for year, t in scot_all.items():
        rep = t.balance()
        assert rep.ok and t.n == 98 and t.name == f"Scottish Government IxI {year}"
        assert rep.max_column_diff < 1e-9  # columns add up to TOut exactly in every year
        f = rep.frame[rep.frame["output"] > 0]
        rel = (f["row_diff"].abs() / f["output"]).max()
        worst[year] = (f.loc[(f["row_diff"].abs() / f["output"]).idxmax(), "industry"], rel)
        assert rel <= 1.5e-5  # the worst published rounding (2008), well inside rtol = 1e-4
    assert {ind for ind, _ in worst.values() if _ > 1e-6} == {"IOC098_007"}  # oil and gas, every year
    # the two years the old default (atol 1e-6 + rtol 1e-5) rejected: 0.00561 on 398.2 and 0.00347 on 331.4
    t08 = scot_all[2008].balance().frame.set_index("industry").loc["IOC098_007"]
    assert t08["output"] == pytest.approx(398.221, abs=1e-3) and t08["row_diff"] == pytest.approx(0.00561, abs=1e-5)
    old = {y for y, t in scot_all.items() if not t.balance(rtol=1e-5, atol=1e-5 + 1e-6).ok}
    assert old == {2008, 2010}
    assert worst[2008][1] == pytest.approx(1.41e-5, rel=0.01) and worst[2010][1] == pytest.approx(1.05e-5, rel=0.01)


def test_unbalanced_scottish_table_fails_in_one_line(tmp_path: Path, shared_data) -> None:
    raw = pd.read_excel(shared_data(SCOT), sheet_name=0)
    block = raw[raw["year"] == 2019].reset_index(drop=True)
    path = tmp_path / "IxI_2019_bad.xlsx"
    block.to_excel(path, index=False)
    t = load_scottish_ixi(path, 2019)  # one year on its own loads as the full file does
    assert t.balance().ok and t.x.sum() == pytest.approx(load_scottish_ixi_years(path)[2019].x.sum())
    # Agriculture (row 1) sells 0.5 GBP m more to food IOC098_010 than the totals allow: out by 0.5 on row
    # IOC098_001 (output 3,840.8: 1.3e-4 > rtol 1e-4) and on column IOC098_010 (output 1,684.6: 3.0e-4)
    block.loc[0, "IOC098_010"] += 0.5
    block.to_excel(path, index=False)
    with pytest.raises(UnbalancedTableError) as exc:
        load_scottish_ixi(path, 2019)
    msg = str(exc.value)
    assert msg == (
        f"{path}: table 'Scottish Government IxI 2019' is unbalanced: 2 of 98 industries beyond "
        "max(atol=0.001, rtol=0.0001 * |output|): "
        "column IOC098_010 total inputs 1685.09 vs output 1684.59 (diff +0.5, +0.0003 of output); "
        "row IOC098_001 total use 3841.29 vs output 3840.79 (diff +0.5, +0.00013 of output)"
    )
    fails = load_scottish_ixi(path, 2019, check=False).balance().failures()
    assert fails[["industry", "side"]].values.tolist() == [["IOC098_010", "column"], ["IOC098_001", "row"]]
    np.testing.assert_allclose(fails["diff"], 0.5, atol=2e-6)
    # a looser tolerance lets it through; a deliberately large error does not
    assert load_scottish_ixi(path, 2019, rtol=1e-3).balance().ok
    block.loc[0, "IOC098_010"] += 100
    block.to_excel(path, index=False)
    with pytest.raises(UnbalancedTableError, match=r"column IOC098_010 total inputs 1785.09 vs output 1684.59 \(diff"):
        load_scottish_ixi(path, 2019, rtol=1e-3)


def test_balance_rule_is_max_of_absolute_and_relative(tmp_path: Path) -> None:
    # |diff| <= max(atol, rtol * |output|): SER (output 1500) is out by 0.25 on its row and its column
    zp, ip = write_io3(tmp_path, z=[[150, 500, 50], [200, 100, 400], [300, 500, 50.25]])
    t = load_generic(zp, ip, check=False)
    assert not t.balance().ok  # defaults 1e-6: 0.25 > max(1e-6, 1.5e-3)
    assert t.balance(rtol=1e-6, atol=0.25).ok  # the absolute floor alone passes it
    assert t.balance(rtol=1e-6, atol=0.24).unbalanced["industry"].tolist() == ["SER"]
    assert t.balance(rtol=0.25 / 1500, atol=0.0).ok  # the relative part alone passes it
    # max, not sum: 0.2 + 0.2 would pass, max(0.2, 0.2) does not
    assert t.balance(rtol=0.2 / 1500, atol=0.2).unbalanced["industry"].tolist() == ["SER"]
    np.testing.assert_allclose(t.balance(rtol=1e-4, atol=0.12).tolerance, [0.12, 0.2, 0.15])


def test_scottish_missing_year_and_columns(tmp_path: Path) -> None:
    p = tmp_path / "ixi.xlsx"
    pd.DataFrame({"table": ["IxI"], "year": [1998], "ioc098_sic": ["01"]}).to_excel(p, index=False)
    with pytest.raises(IOTableFormatError, match="missing columns"):
        load_scottish_ixi(p, 2019)


def test_unbalanced_table_names_the_industry(tmp_path: Path) -> None:
    zp, ip = write_io3(tmp_path, z=[[150, 500, 50], [200, 100, 400], [300, 500, 60]])  # SER row +10, SER col +10
    with pytest.raises(UnbalancedTableError, match=r"row SER total use 1510 vs output 1500 \(diff \+10, \+0.0067 of"):
        load_generic(zp, ip)
    with pytest.raises(UnbalancedTableError, match=r"^\S*Z.csv: table 'Z' is unbalanced: 1 of 3 industries"):
        load_generic(zp, ip)
    t = load_generic(zp, ip, check=False)
    rep = t.balance()
    assert list(rep.unbalanced["industry"]) == ["SER"]
    assert rep.frame.set_index("industry").loc["SER", "column_diff"] == pytest.approx(10)


def test_negative_flow_names_both_industries(tmp_path: Path) -> None:
    zp, ip = write_io3(tmp_path, z=[[150, 500, 50], [200, 100, 400], [300, -5, 50]])
    with pytest.raises(NegativeFlowError, match=r"Z\['SER' -> 'MAN'\] = -5"):
        load_generic(zp, ip, check=False)


def test_mismatched_industry_lists(tmp_path: Path) -> None:
    zp, ip = write_io3(tmp_path, rows="sector,AGR,MAN,SRV")
    with pytest.raises(IndustryMismatchError, match=r"rows only \['SER'\], columns only \['SRV'\]"):
        load_generic(zp, ip)
    zp, ip = write_io3(tmp_path, extra="sector,final_demand,value_added,output\nAGR,300,350,1000\nMAN,1300,900,2000\n")
    with pytest.raises(IndustryMismatchError, match=r"missing \['SER'\]"):
        load_generic(zp, ip)
    with pytest.raises(IndustryMismatchError, match="not unique"):
        IOTable(Z=np.zeros((2, 2)), Y=np.zeros((2, 1)), x=np.ones(2), industries=("A", "A"), final_demand=("f",),
                primary=np.ones((1, 2)), primary_inputs=("v",))


def test_bad_number_names_file_line_column(tmp_path: Path) -> None:
    zp, ip = write_io3(tmp_path, extra="sector,final_demand,value_added,output\nAGR,300,350,1000\nMAN,abc,900,2000\n"
                                       "SER,650,1000,1500\n")
    with pytest.raises(IOTableFormatError, match=r"ind.csv, line 3, column 'final_demand': 'abc'"):
        load_generic(zp, ip)


def test_ons_long_file_errors(tmp_path: Path, shared_data) -> None:
    raw = pd.read_csv(shared_data(ONS), keep_default_na=False, na_values=[""])
    bad = raw.copy()
    hit = (bad.row_code == "C29") & (bad.col_code == "G45")
    bad.loc[hit, "value_gbp_million"] = np.nan
    p = tmp_path / "blank.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(IOTableFormatError, match="row 'C29', column 'G45'"):
        load_ons_ioat(p)
    bad = raw.copy()
    bad.loc[(bad.row_code == "C29") & (bad.col_code == "TU"), "value_gbp_million"] += 0  # unchanged
    bad.loc[(bad.row_code == "C29") & (bad.col_code == "P62"), "value_gbp_million"] += 100.0
    p = tmp_path / "unbalanced.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(UnbalancedTableError, match=r"unbalanced.csv: .*row C29 total use .* \(diff \+100"):
        load_ons_ioat(p)
    bad = raw[raw.col_code != "P62"]
    p = tmp_path / "nop62.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(IOTableFormatError, match="P62"):
        load_ons_ioat(p)
