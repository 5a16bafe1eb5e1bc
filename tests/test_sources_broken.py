"""Every loader on small broken files: the exact error (file, line, column, value, expectation),
and with a quarantine the counts read = loaded + set aside (+ excluded), rows in the quarantine CSV.

Lines are 1-based with the header as line 1, so the first data row is line 2.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sia.panel import Status
from sia.sources import load
from sia.sources.errors import LoadError
from sia.sources.files import ColumnMapping, load_table


def write(path: Path, text: str) -> Path:
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def check_error(exc: LoadError, path: Path, line: int, column: str, value: object, expected: str) -> None:
    assert exc.file == str(path)
    assert exc.line == line
    assert exc.column == column
    assert exc.value == value
    assert expected in exc.expected
    text = str(exc)
    assert text.startswith(f"{path}: line {line}, column {column!r}: got {value!r}; expected ")
    assert expected in text


def check_quarantine(path: Path, qpath: Path, fmt: str | None, n_read: int, bad_lines: list[int],
                     **options) -> None:
    panel = load(path, format=fmt, quarantine=qpath, **options)
    prov = panel.provenance[0]
    assert prov.rows_read == n_read
    assert prov.rows_set_aside == len(bad_lines)
    assert prov.rows_loaded + prov.rows_set_aside == prov.rows_read
    q = pd.read_csv(qpath, dtype=str, keep_default_na=False)
    assert sorted(q["line"].astype(int).tolist()) == sorted(bad_lines)
    assert {"line", "column", "value", "reason"} <= set(q.columns)
    assert prov.quarantine == str(qpath)


# --------------------------------------------------------------------------- NOMIS compact
NOMIS_HEADER = '"DATE","GEOGRAPHY_NAME","GEOGRAPHY_CODE","INDUSTRY_NAME","INDUSTRY_CODE","EMPLOYMENT"\n'
NOMIS_OK = [
    '2015,"West Midlands","UKG3","01 : Crop and animal production","01",500\n',
    '2015,"West Midlands","UKG3","02 : Forestry and logging","02",..\n',
    '2016,"West Midlands","UKG3","01 : Crop and animal production","01",*\n',
]


def nomis_file(tmp_path: Path, bad_row: str | None, name: str = "bres.csv") -> Path:
    rows = list(NOMIS_OK)
    if bad_row is not None:
        rows.insert(1, bad_row)  # the bad row is line 3
    return write(tmp_path / name, NOMIS_HEADER + "".join(rows))


NOMIS_CASES = {
    "non-number": ('2015,"West Midlands","UKG3","03 : Fishing","03",abc\n', "EMPLOYMENT", "abc",
                   "a number or a marker of a suppressed cell"),
    "negative": ('2015,"West Midlands","UKG3","03 : Fishing","03",-5\n', "EMPLOYMENT", "-5",
                 "a non-negative count"),
    "duplicate": ('2015,"West Midlands","UKG3","01 : Crop","01",7\n', "GEOGRAPHY_CODE, INDUSTRY_CODE, DATE",
                  "TLG3|01|2015", "a unique key (GEOGRAPHY_CODE, INDUSTRY_CODE, DATE); first seen on line 2"),
    "unknown area": ('2015,"Atlantis","UKZ9","03 : Fishing","03",5\n', "GEOGRAPHY_CODE", "UKZ9",
                     "an area code known to the built-in UK geography"),
    "unknown activity": ('2015,"West Midlands","UKG3","99 : ?","99999",5\n', "INDUSTRY_CODE", "99999",
                         "a code of the SIC 2007 classification"),
}


@pytest.mark.parametrize("case", list(NOMIS_CASES))
def test_nomis_broken_rows(tmp_path, case):
    row, column, value, expected = NOMIS_CASES[case]
    path = nomis_file(tmp_path, row)
    with pytest.raises(LoadError) as info:
        load(path)
    # the duplicate's first occurrence is line 2, the repeat is line 3... but the bad row was inserted
    # at line 3 and for a duplicate the *second* occurrence is the one reported
    check_error(info.value, path, 3, column, value, expected)
    check_quarantine(path, tmp_path / "q.csv", None, 4, [3])


def test_nomis_good_rows_markers_and_rounding(tmp_path):
    path = nomis_file(tmp_path, None)
    panel = load(path)
    assert panel.areas == ("TLG3",)  # NUTS UKG3 -> ITL TLG3 through the geography alias table
    frame = panel.to_frame().set_index(["activity", "year"])
    assert frame.loc[("01", 2015), "value"] == 500 and frame.loc[("01", 2015), "status"] == "rounded"
    assert frame.loc[("02", 2015), "status"] == "missing"  # '..'
    assert frame.loc[("01", 2016), "status"] == "suppressed"  # '*'
    assert any("alias" in n for n in panel.provenance[0].notes)


def test_nomis_bad_header(tmp_path):
    path = write(tmp_path / "h.csv", '"DATE","GEO","INDUSTRY_CODE","EMPLOYMENT","OTHER"\n2015,UKG3,01,5,1\n')
    with pytest.raises(LoadError) as info:
        load(path, format="nomis")
    assert info.value.line == 1 and "a NOMIS header" in str(info.value) and str(path) in str(info.value)
    # and sniffing refuses it too, naming the layouts it knows
    with pytest.raises(LoadError, match="a known layout"):
        load(path)


# --------------------------------------------------------------------------- NOMIS raw API
API_HEADER = ("DATE,GEOGRAPHY,GEOGRAPHY_NAME,GEOGRAPHY_CODE,GEOGRAPHY_TYPE,INDUSTRY,INDUSTRY_NAME,INDUSTRY_CODE,"
              "EMPLOYMENT_STATUS,EMPLOYMENT_STATUS_NAME,EMPLOYMENT_STATUS_CODE,OBS_VALUE,OBS_STATUS,OBS_CONF\n")


def api_row(ind: str, status: str, value: str, obs: str = "A", conf: str = "F", code: str = "S92000003") -> str:
    return f"2019,1,Scotland,{code},countries,2,{ind} : x,{ind},{status[0]},{status},{status[0]},{value},{obs},{conf}\n"


def test_nomis_api_status_flags(tmp_path):
    rows = [api_row("01000", "Employment", "1000"), api_row("01000", "Full-time", "500", obs="E"),
            api_row("01110", "Employment", "0", obs="Q"), api_row("01110", "Full-time", "7", conf="T"),
            api_row("01120", "Employment", "", obs="M"), api_row("01120", "Full-time", "5")]
    path = write(tmp_path / "raw_nomis_raw.csv.gz", API_HEADER + "".join(rows))
    panel = load(path)
    assert panel.extra_dims == ("employment_status",)
    f = panel.to_frame().set_index(["activity", "employment_status"])
    assert f.loc[("01000", "Employment"), "status"] == "rounded"  # A on a rounded NOMIS table
    assert f.loc[("01000", "Full-time"), "status"] == "estimated"  # E
    assert f.loc[("01110", "Employment"), "status"] == "suppressed" and np.isnan(f.loc[("01110", "Employment"),
                                                                                       "value"])  # Q
    assert f.loc[("01110", "Full-time"), "status"] == "suppressed"  # OBS_CONF T (confidential)
    assert f.loc[("01120", "Employment"), "status"] == "missing"  # empty value, M
    bad = write(tmp_path / "bad_nomis_raw.csv", API_HEADER + rows[0] + api_row("01110", "Employment", "3", obs="Z"))
    with pytest.raises(LoadError) as info:
        load(bad)
    check_error(info.value, bad, 3, "OBS_STATUS", "Z", "a NOMIS observation status (A, B, P, E, F, I, U, M, L, N, Q)")
    check_quarantine(bad, tmp_path / "q.csv", None, 2, [3])


def test_nomis_api_real_file(shared_data):
    """The raw NOMIS API output (Scotland 2019): 729 subclasses x 3 employment statuses, all status A."""
    path = shared_data("employment/bres_scotland_2019_sic5_nomis_raw.csv.gz")
    panel = load(path)
    raw = pd.read_csv(path, encoding="cp1252")
    assert panel.areas == ("S92000003",)
    assert panel.data.sizes["activity"] == raw["INDUSTRY_CODE"].nunique() == 729
    assert panel.data.sizes["employment_status"] == 3
    assert panel.status_counts()["rounded"] == len(raw) == 2187
    tot = panel.data["value"].sel(employment_status="Employment").sum().item()
    assert tot == raw.loc[raw["EMPLOYMENT_STATUS_NAME"] == "Employment", "OBS_VALUE"].sum()
    assert any("cp1252" in n for n in panel.provenance[0].notes)


# --------------------------------------------------------------------------- UK Business Counts
UBC_HEADER = "year,geog_type,area_name,industry_code,industry_name,sizeband,enterprises\n"
UBC_OK = [
    "2021,country,England,1,Agriculture (A),Total,100\n",
    "2021,ladu,Birmingham,1,Agriculture (A),Total,35\n",
    "2021,ladu,Birmingham,1,Agriculture (A),Micro (0 to 9),35\n",
    "2021,ladu,Allerdale,1,Agriculture (A),Total,x\n",
]
UBC_CASES = {
    "non-number": ("2021,ladu,Coventry,1,Agriculture (A),Total,many\n", "enterprises", "many",
                   "an integer count or a marker"),
    "negative": ("2021,ladu,Coventry,1,Agriculture (A),Total,-10\n", "enterprises", "-10", "a non-negative count"),
    "duplicate": ("2021,ladu,Birmingham,1,Agriculture (A),Total,40\n", "area_name, industry_code, year, sizeband",
                  "E08000025|1|2021|Total", "a unique key (area_name, industry_code, year, sizeband); first seen on "
                  "line 3"),
    "unknown area": ("2021,ladu,Atlantis,1,Agriculture (A),Total,10\n", "area_name", "Atlantis",
                     "a local authority district name known to the geography's name/alias table"),
    "unknown activity": ("2021,ladu,Coventry,19,Other,Total,10\n", "industry_code", "19",
                         "a NOMIS broad industry group code 1..18"),
    "unknown band": ("2021,ladu,Coventry,1,Agriculture (A),Huge,10\n", "sizeband", "Huge", "a size band"),
}


@pytest.mark.parametrize("case", list(UBC_CASES))
def test_ubc_broken_rows(tmp_path, case):
    row, column, value, expected = UBC_CASES[case]
    path = write(tmp_path / "ubc.csv", UBC_HEADER + "".join(UBC_OK) + row)  # bad row is line 6
    with pytest.raises(LoadError) as info:
        load(path)
    check_error(info.value, path, 6, column, value, expected)
    panel = load(path, quarantine=tmp_path / "q.csv")
    prov = panel.provenance[0]
    # 5 read = 3 loaded + 1 set aside + 1 excluded (the England country row)
    assert (prov.rows_read, prov.rows_loaded, prov.rows_set_aside) == (5, 3, 1)
    assert any("excluded 1 (country rows (England)" in n for n in prov.notes)


def test_ubc_names_to_codes_and_england(tmp_path):
    path = write(tmp_path / "ubc.csv", UBC_HEADER + "".join(UBC_OK))
    panel = load(path)
    assert set(panel.areas) == {"E08000025", "E07000026"}  # Birmingham; Allerdale (LAD 2021)
    assert panel.extra_dims == ("sizeband",)
    f = panel.to_frame().set_index(["area", "sizeband"])
    assert f.loc[("E07000026", "Total"), "status"] == "suppressed"  # 'x'
    assert f.loc[("E08000025", "Total"), "status"] == "rounded"
    kept = load(path, countries="keep")
    assert "E92000001" in kept.areas


def test_ubc_bad_header(tmp_path):
    path = write(tmp_path / "ubc.csv", "year,geog_type,area,industry_code,industry_name,sizeband,enterprises\n")
    with pytest.raises(LoadError) as info:
        load(path, format="ubc")
    assert info.value.line == 1 and info.value.column == "area_name"
    assert "missing ['area_name']" in str(info.value)


# --------------------------------------------------------------------------- ONS GVA
def gva_frame(**override) -> pd.DataFrame:
    frame = pd.DataFrame({
        "dataset": "RGVA_LAD", "dates.date": ["2020-01-01", "2020-01-01", "2021-01-01", "2021-01-01"],
        "dates.freq": "a", "variable.name": "GVA Current Prices £m",
        "geography.code": ["E08000025", "E08000025", "E08000025", "E08000026"],
        "geography.name": ["Birmingham", "Birmingham", "Birmingham", "Coventry"],
        "industry.code": ["Total", "C (10-33)", "Total", "Total"],
        "industry.name": ["All industries", "Manufacturing", "All industries", "All industries"],
        "value": ["100", "-3", "", "50"],
    })
    for k, v in override.items():
        frame.loc[2, k] = v
    return frame


GVA_CASES = {
    "non-number": ({"value": "lots"}, "value", "lots", "a number or a marker of a suppressed cell"),
    "duplicate": ({"dates.date": "2020-01-01"}, "geography.code, industry.code, dates.date",
                  "E08000025|Total|2020", "a unique key (geography.code, industry.code, dates.date); first seen on "
                  "line 2"),
    "unknown area": ({"geography.code": "E09999999"}, "geography.code", "E09999999",
                     "an area code of the geography (LAD codes of the built-in UK geography)"),
    "bad area code": ({"geography.code": "Birmingham"}, "geography.code", "Birmingham",
                      "a local authority district code (E/N/S/W + 8 digits)"),
    "unknown activity": ({"industry.code": "ZZ (99)"}, "industry.code", "ZZ (99)", "an ONS GVA industry code"),
}


@pytest.mark.parametrize("case", list(GVA_CASES))
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_gva_broken_rows(tmp_path, case, suffix):
    override, column, value, expected = GVA_CASES[case]
    frame = gva_frame(**override)
    path = tmp_path / f"gva{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    with pytest.raises(LoadError) as info:
        load(path, format="gva")
    check_error(info.value, path, 4, column, value, expected)
    check_quarantine(path, tmp_path / "q.csv", "gva", 4, [4])


def test_gva_negative_is_kept_and_empty_is_suppressed(tmp_path):
    path = tmp_path / "gva.parquet"
    gva_frame().to_parquet(path)
    panel = load(path)
    f = panel.to_frame().set_index(["area", "activity", "year"])
    assert f.loc[("E08000025", "C (10-33)", 2020), "value"] == -3  # GVA can be negative: not a count
    assert f.loc[("E08000025", "Total", 2021), "status"] == "suppressed"
    assert panel.unit == "GBP million (current prices)"


def test_gva_bad_header_and_measure(tmp_path):
    path = tmp_path / "gva.parquet"
    gva_frame().drop(columns=["industry.code"]).to_parquet(path)
    with pytest.raises(LoadError) as info:
        load(path, format="gva")
    assert info.value.line == 1 and info.value.column == "industry.code"
    good = tmp_path / "g.parquet"
    gva_frame().to_parquet(good)
    with pytest.raises(LoadError, match="rows of measure 'CVM Index'"):
        load(good, measure="cvm")
    with pytest.raises(ValueError, match="unknown GVA measure 'nominal'"):
        load(good, measure="nominal")


# --------------------------------------------------------------------------- trade
TRADE_HEADER = '"reporter_iso","product_code","export_value_usd"\n'
TRADE_OK = ['"afg","0101",NA\n', '"afg","0102",387017\n', '"alb","0101",12\n']
TRADE_CASES = {
    "non-number": ('"alb","0102",abc\n', "export_value_usd", "abc", "a number or a marker"),
    "negative": ('"alb","0102",-1\n', "export_value_usd", "-1", "a non-negative count"),
    "duplicate": ('"afg","0102",5\n', "reporter_iso, product_code", "afg|0102",
                  "a unique key (reporter_iso, product_code); first seen on line 3"),
    "unknown area": ('"a1b","0102",5\n', "reporter_iso", "a1b", "an ISO 3166 alpha-3 country code"),
    "unknown activity": ('"alb","01x2",5\n', "product_code", "01x2", "a 4-digit product code"),
}


@pytest.mark.parametrize("case", list(TRADE_CASES))
def test_trade_broken_rows(tmp_path, case):
    row, column, value, expected = TRADE_CASES[case]
    path = write(tmp_path / "exports_2017.csv", TRADE_HEADER + "".join(TRADE_OK) + row)
    with pytest.raises(LoadError) as info:
        load(path)
    check_error(info.value, path, 5, column, value, expected)
    check_quarantine(path, tmp_path / "q.csv", None, 4, [5])


def test_trade_na_is_zero_no_trade(tmp_path):
    path = write(tmp_path / "exports_2017.csv", TRADE_HEADER + "".join(TRADE_OK))
    panel = load(path)
    assert panel.years == (2017,)
    f = panel.to_frame().set_index(["area", "activity"])
    assert f.loc[("afg", "0101"), "value"] == 0 and f.loc[("afg", "0101"), "status"] == "observed"
    assert "1 NA export values read as 0 (no trade)" in panel.provenance[0].notes
    kept = load(path, na_as_zero=False)
    assert kept.to_frame().set_index(["area", "activity"]).loc[("afg", "0101"), "status"] == "missing"
    bad = write(tmp_path / "other.csv", '"iso","hs","usd"\n')
    with pytest.raises(LoadError, match="a trade header"):
        load(bad, format="trade")


# --------------------------------------------------------------------------- CBP
CBP_HEADER = '"cbsa_code","naics_code","naics_level","EMP","ESTAB"\n'
CBP_OK = ['"44020","00",2,7729,782\n', '"44020","22",2,0,3\n', '"44020","31-33",5,0,0\n']
CBP_CASES = {
    "non-number": ('"44020","221",3,n/a,3\n', "EMP", "n/a", "an integer count or a marker"),
    "negative": ('"44020","221",3,5,-3\n', "ESTAB", "-3", "a non-negative count"),
    "duplicate": ('"44020","22",2,53,3\n', "cbsa_code, naics_code", "44020|22",
                  "a unique key (cbsa_code, naics_code); first seen on line 3"),
    "unknown area": ('"4402","221",3,5,3\n', "cbsa_code", "4402", "a 5-digit CBSA code"),
    "unknown activity": ('"44020","2x1",3,5,3\n', "naics_code", "2x1", "a NAICS code of 2-6 digits"),
}


@pytest.mark.parametrize("case", list(CBP_CASES))
def test_cbp_broken_rows(tmp_path, case):
    row, column, value, expected = CBP_CASES[case]
    path = write(tmp_path / "cbp_2019.csv.gz", CBP_HEADER + "".join(CBP_OK) + row)
    with pytest.raises(LoadError) as info:
        load(path)
    check_error(info.value, path, 5, column, value, expected)
    check_quarantine(path, tmp_path / "q.csv", None, 4, [5])


def test_cbp_suppression_rule(tmp_path):
    path = write(tmp_path / "cbp_2019.csv", CBP_HEADER + "".join(CBP_OK))
    f = load(path).to_frame().set_index("activity")
    assert f.loc["22", "status"] == "suppressed" and np.isnan(f.loc["22", "value"])  # EMP 0, ESTAB 3
    assert f.loc["31-33", "status"] == "observed" and f.loc["31-33", "value"] == 0  # EMP 0, ESTAB 0: true zero
    est = load(path, measure="ESTAB").to_frame().set_index("activity")
    assert est.loc["22", "value"] == 3
    bad = write(tmp_path / "cbp_2019b.csv", CBP_HEADER + '"44020","221",2,5,3\n')
    with pytest.raises(LoadError) as info:
        load(bad)
    check_error(info.value, bad, 2, "naics_level", "2", "the length of naics_code")


# --------------------------------------------------------------------------- generic tables
LONG = "area,industry,year,jobs\nA1,x,2020,5\nA1,y,2020,c\nA2,x,2020,[low]\n"
LONG_MAPPING = {"measure": "jobs", "unit": "jobs", "area": "area", "activity": "industry", "year": "year",
                "value": "jobs", "nonnegative": True, "areas": ["A1", "A2"], "activities": ["x", "y"]}
TABLE_CASES = {
    "non-number": ("A2,y,2020,five\n", "jobs", "five", "a number or a marker"),
    "negative": ("A2,y,2020,-5\n", "jobs", "-5", "a non-negative count"),
    "duplicate": ("A1,y,2020,3\n", "area, industry, year", "A1|y|2020",
                  "a unique key (area, industry, year); first seen on line 3"),
    "unknown area": ("A9,y,2020,3\n", "area", "A9", "one of the mapping's area codes"),
    "unknown activity": ("A2,z,2020,3\n", "industry", "z", "one of the mapping's activity codes"),
    "bad year": ("A2,y,20x0,3\n", "year", "20x0", "a year"),
}


@pytest.mark.parametrize("case", list(TABLE_CASES))
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_table_broken_rows(tmp_path, case, suffix):
    row, column, value, expected = TABLE_CASES[case]
    csv = write(tmp_path / "t.csv", LONG + row)
    path = csv
    if suffix != ".csv":
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        path = tmp_path / f"t{suffix}"
        frame.to_excel(path, index=False) if suffix == ".xlsx" else frame.to_parquet(path)
    with pytest.raises(LoadError) as info:
        load(path, format="table", mapping=LONG_MAPPING)
    check_error(info.value, path, 5, column, value, expected)
    check_quarantine(path, tmp_path / "q.csv", "table", 4, [5], mapping=dict(LONG_MAPPING))


def test_table_long_markers_and_bad_header(tmp_path):
    path = write(tmp_path / "t.csv", LONG)
    panel = load_table(path, ColumnMapping(**LONG_MAPPING))
    f = panel.to_frame().set_index(["area", "activity"])
    assert f.loc[("A1", "x"), "value"] == 5
    assert f.loc[("A1", "y"), "status"] == Status.SUPPRESSED.label  # 'c'
    assert f.loc[("A2", "x"), "status"] == Status.SUPPRESSED.label  # '[low]'
    bad = write(tmp_path / "b.csv", "region,industry,year,jobs\nA1,x,2020,5\n")
    with pytest.raises(LoadError) as info:
        load_table(bad, LONG_MAPPING)
    assert info.value.line == 1 and info.value.column == "area" and "mapped header" in str(info.value)


def test_table_wide_over_years(tmp_path):
    path = write(tmp_path / "w.csv", "area,industry,2019,2020\nA1,x,1,2\nA2,x,3,-\nA1,y,..,bad\n")
    mapping = {"measure": "jobs", "layout": "wide", "wide_over": "year", "area": "area", "activity": "industry"}
    with pytest.raises(LoadError) as info:
        load_table(path, mapping)
    check_error(info.value, path, 4, "2020", "bad", "a number or a marker")
    panel = load_table(path, mapping, quarantine=tmp_path / "q.csv")
    prov = panel.provenance[0]
    assert (prov.rows_read, prov.rows_loaded, prov.rows_set_aside) == (6, 5, 1)  # 3 rows x 2 year columns
    f = panel.to_frame().set_index(["area", "activity", "year"])
    assert f.loc[("A1", "x", 2020), "value"] == 2 and f.loc[("A2", "x", 2020), "status"] == "missing"
    bad = write(tmp_path / "w2.csv", "area,industry,2019,total\nA1,x,1,2\n")
    with pytest.raises(LoadError) as info:
        load_table(bad, mapping)
    check_error(info.value, bad, 1, "total", "total", "a year (4 digits) as a value column name")


def test_table_wide_over_activities(tmp_path):
    path = write(tmp_path / "w.csv", "area,01,02\nA1,1,2\nA2,3,4\n")
    mapping = {"measure": "jobs", "layout": "wide", "wide_over": "activity", "area": "area", "year_value": 2021}
    panel = load_table(path, mapping)
    assert panel.activities == ("01", "02") and panel.years == (2021,)
    assert panel.matrix(2021).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_mapping_validation():
    with pytest.raises(ValueError, match="needs 'value' and 'activity'"):
        ColumnMapping(measure="m", area="a")
    with pytest.raises(ValueError, match="wide_over"):
        ColumnMapping(measure="m", area="a", layout="wide")


def test_ragged_csv_row(tmp_path):
    path = write(tmp_path / "rag.csv", "area,industry,year,jobs\nA1,x,2020,5\nA1,y,2020,6,7\n")
    with pytest.raises(LoadError) as info:
        load(path, format="table", mapping=LONG_MAPPING)
    assert info.value.line == 3
    assert str(info.value) == (f"{path}: line 3, column '': got ''; expected a row with as many fields as the header "
                               "(Expected 4 fields in line 3, saw 5)")
