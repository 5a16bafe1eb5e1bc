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
    load_table,
)

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
def scot(shared_data) -> IOTable:
    return load_scottish_ixi(shared_data(SCOT), 2019)  # the xlsx takes a few seconds: read once


def test_scottish_table_one_year_balances(scot: IOTable) -> None:
    t = scot
    assert t.n == 98 and t.industries[0] == "IOC098_001"
    rep = t.balance(rtol=1e-6)
    # columns balance exactly; rows (to TOT_USE) differ from TOut by rounding, worst 0.00144 GBP m in oil & gas
    assert rep.max_column_diff < 1e-9
    assert rep.max_row_diff == pytest.approx(0.001445, abs=1e-6)
    assert list(rep.unbalanced["industry"]) == ["IOC098_007"]
    assert t.balance(rtol=1e-5).ok  # the loader's default tolerance
    with pytest.raises(UnbalancedTableError, match="IOC098_007"):
        t.balance(rtol=1e-7).raise_if_unbalanced(t.name)
    assert t.gva.sum() == pytest.approx(148_886.679095, rel=1e-9)  # TOT_IU cell of the GVA row
    assert t.household_consumption == "HOUSEHOLD" and t.compensation == "CoE"


def test_scottish_missing_year_and_columns(tmp_path: Path) -> None:
    p = tmp_path / "ixi.xlsx"
    pd.DataFrame({"table": ["IxI"], "year": [1998], "ioc098_sic": ["01"]}).to_excel(p, index=False)
    with pytest.raises(IOTableFormatError, match="missing columns"):
        load_scottish_ixi(p, 2019)


def test_unbalanced_table_names_the_industry(tmp_path: Path) -> None:
    zp, ip = write_io3(tmp_path, z=[[150, 500, 50], [200, 100, 400], [300, 500, 60]])  # SER row +10, SER col +10
    with pytest.raises(UnbalancedTableError, match=r"SER: output 1500, row total 1510 \(diff \+10\)"):
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
    with pytest.raises(UnbalancedTableError, match="C29: output"):
        load_ons_ioat(p)
    bad = raw[raw.col_code != "P62"]
    p = tmp_path / "nop62.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(IOTableFormatError, match="P62"):
        load_ons_ioat(p)
