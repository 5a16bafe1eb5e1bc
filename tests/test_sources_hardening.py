"""Issue 18, files in: what the loaders do with files that are not what they seem.

Every case is a small file written here; each broken one must stop with one :class:`LoadError` line that
names the file and the problem (never a traceback, never a silently different number), and the tidy CSV
that ``sia aggregate -o`` writes must load back without a mapping.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sia.panel import Panel, Status
from sia.sources import load, sniff_format
from sia.sources.errors import MAX_COUNT, LoadError

HEADER = '"DATE","GEOGRAPHY_NAME","GEOGRAPHY_CODE","INDUSTRY_NAME","INDUSTRY_CODE","EMPLOYMENT"\n'
ROWS = (
    '2015,"West Midlands","UKG3","01 : Crop and animal production","01",500\n'
    '2015,"West Midlands","UKG3","02 : Forestry and logging","02","1,234"\n'
    '2016,"West Midlands","UKG3","01 : Crop and animal production","01",*\n'
)


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text
    return text


def same_panel(a: Panel, b: Panel) -> None:
    assert a.measure == b.measure and a.unit == b.unit
    assert a.data["value"].dims == b.data["value"].dims
    for dim in a.data["value"].dims:
        assert list(a.data[dim].values) == list(b.data[dim].values)
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.status, b.status)
    for coord in ("area_name", "area_level", "activity_name"):
        assert (coord in a.data.coords) == (coord in b.data.coords)
        if coord in a.data.coords:
            assert list(a.data[coord].values) == list(b.data[coord].values)
    pa, pb = a.provenance[0], b.provenance[0]
    assert (pa.table, pa.query, pa.notes, pa.rows_read, pa.rows_loaded) == (
        pb.table, pb.query, pb.notes, pb.rows_read, pb.rows_loaded)


# ------------------------------------------------------------------------------------ byte-order mark
@pytest.mark.parametrize("name", ["bres.csv", "bres.csv.gz"])
def test_nomis_file_with_bom_loads_like_the_file_without(tmp_path, name):
    plain = write(tmp_path / f"plain_{name}", HEADER + ROWS)
    marked = write(tmp_path / f"bom_{name}", HEADER + ROWS, bom=True)
    assert sniff_format(marked) == sniff_format(plain) == "nomis"
    same_panel(load(marked), load(plain))
    assert load(marked).values[0, 1, 0] == 1234


def test_table_with_bom_keeps_its_first_column_name(tmp_path):
    path = write(tmp_path / "t.csv", "area,industry,year,jobs\nL1,x,2020,5\n", bom=True)
    mapping = {"measure": "jobs", "area": "area", "activity": "industry", "year": "year", "value": "jobs"}
    panel = load(path, format="table", mapping=mapping)
    assert panel.areas == ("L1",)


# ------------------------------------------------------------------------------------ empty, broken files
def test_header_without_rows_is_an_error(tmp_path):
    path = write(tmp_path / "bres.csv", HEADER)
    with pytest.raises(LoadError) as info:
        load(path)
    text = one_line(info.value)
    assert text.startswith(f"{path}: ") and "no data rows" in text and "at least one data row" in text


@pytest.mark.parametrize("content,what", [(b"", "an empty file"), (b"\xef\xbb\xbf", "only a byte-order mark"),
                                          (b"\n\n", "an empty file")])
@pytest.mark.parametrize("fmt", [None, "nomis", "trade"])
def test_empty_and_bom_only_files(tmp_path, content, what, fmt):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(LoadError) as info:
        load(path, format=fmt)
    assert one_line(info.value) == f"{path}: got {what!r}; expected a header line and at least one data row"


def test_directory_passed_as_a_file(tmp_path):
    path = tmp_path / "bres.csv"
    path.mkdir()
    for fmt in (None, "nomis", "table"):
        with pytest.raises(LoadError) as info:
            load(path, format=fmt, mapping={"measure": "m", "area": "a", "activity": "b", "year": "y",
                                            "value": "v"})
        assert one_line(info.value) == f"{path}: got 'a directory'; expected a file"


@pytest.mark.parametrize("fmt", [None, "nomis"])
def test_truncated_gzip_is_one_line(tmp_path, fmt):
    body = HEADER + ROWS * 4000
    path = tmp_path / "bres.csv.gz"
    path.write_bytes(gzip.compress(body.encode())[:3000])
    with pytest.raises(LoadError) as info:
        load(path, format=fmt)
    text = one_line(info.value)
    assert text.startswith(f"{path}: got ") and "expected a complete gzip file" in text


def test_not_gzip_at_all(tmp_path):
    path = tmp_path / "bres.csv.gz"
    path.write_bytes(b"DATE,x\n2015,1\n")
    with pytest.raises(LoadError, match="expected a complete gzip file"):
        load(path, format="nomis")


def test_truncated_parquet_is_one_line(tmp_path):
    good = Panel.from_frame(pd.DataFrame({"area": ["a"], "activity": ["x"], "year": [2020], "value": [1.0]}),
                            measure="m").to_parquet(tmp_path / "p.parquet")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(good.read_bytes()[:100])
    with pytest.raises(LoadError) as info:
        load(bad)
    assert one_line(info.value).startswith(f"{bad}: got ") and "a Parquet file" in str(info.value)


def test_duplicated_column_names(tmp_path):
    text = "DATE,GEOGRAPHY_CODE,INDUSTRY_CODE,EMPLOYMENT,EMPLOYMENT\n2015,UKG3,01,5,6\n"
    path = write(tmp_path / "dup.csv", text)
    for fmt, options in ((None, {}), ("nomis", {}), ("table", {"mapping": {
            "measure": "m", "area": "GEOGRAPHY_CODE", "activity": "INDUSTRY_CODE", "year": "DATE",
            "value": "EMPLOYMENT"}})):
        with pytest.raises(LoadError) as info:
            load(path, format=fmt, **options)
        err = info.value
        assert (err.line, err.column) == (1, "EMPLOYMENT")
        assert "unique column names ('EMPLOYMENT' appears 2 times: columns 4 and 5)" in one_line(err)


# ------------------------------------------------------------------------------------ numbers never changed
def nomis_values(tmp_path: Path, cells: list[str], **kw) -> Panel:
    rows = "".join(f'2015,"West Midlands","UKG3","x","{code}",{cell}\n'
                   for code, cell in zip(("01", "02", "03", "05", "06", "07", "08", "09"), cells, strict=False))
    return load(write(tmp_path / "n.csv", HEADER + rows), **kw)


@pytest.mark.parametrize("cell", ['"12,5"', '"1,23"', '"1,2345"', '",123"', '"1,,234"', '"12,345,67"',
                                  '"1.234,5"'])
def test_comma_that_is_not_a_thousands_separator_is_an_error(tmp_path, cell):
    with pytest.raises(LoadError) as info:
        nomis_values(tmp_path, ["5", cell])
    err = info.value
    assert (err.line, err.column, err.value) == (3, "EMPLOYMENT", cell.strip('"'))
    assert "a comma only between groups of three digits" in err.expected


def test_thousands_separators_read_as_published(tmp_path):
    panel = nomis_values(tmp_path, ['"1,234"', '"12,345,678"', '"999"', "0"])
    assert panel.values[0, :4, 0].tolist() == [1234, 12345678, 999, 0]


@pytest.mark.parametrize("cell,expected", [("5000.5", "an integer count"), ("1e308", "a count of at most"),
                                           ("2e9", "a count of at most"), ("inf", "a number or a marker")])
def test_employment_counts_are_plausible_integers(tmp_path, cell, expected):
    with pytest.raises(LoadError) as info:
        nomis_values(tmp_path, ["5", cell])
    err = info.value
    assert (err.line, err.column, err.value) == (3, "EMPLOYMENT", cell)
    assert expected in err.expected
    if "at most" in expected:
        assert f"{MAX_COUNT:,}" in err.expected


def test_bad_numbers_go_to_the_quarantine_by_line_and_column(tmp_path):
    q = tmp_path / "q.csv"
    panel = nomis_values(tmp_path, ["5", '"12,5"', "5000.5", "1e308", '"1,234"'], quarantine=q)
    prov = panel.provenance[0]
    assert (prov.rows_read, prov.rows_loaded, prov.rows_set_aside) == (5, 2, 3)
    bad = pd.read_csv(q, dtype=str, keep_default_na=False)
    assert bad[["line", "column", "value"]].values.tolist() == [
        ["3", "EMPLOYMENT", "12,5"], ["4", "EMPLOYMENT", "5000.5"], ["5", "EMPLOYMENT", "1e308"]]
    assert sorted(panel.values[0, :, 0][~np.isnan(panel.values[0, :, 0])].tolist()) == [5, 1234]


def test_nomis_api_counts_checked_only_for_the_count_measure(tmp_path):
    header = "DATE,GEOGRAPHY_CODE,INDUSTRY_CODE,MEASURES_NAME,OBS_VALUE,OBS_STATUS,OBS_CONF\n"
    rows = "2019,S92000003,01000,Value,14000,A,F\n2019,S92000003,01000,Percent,12.5,A,F\n"
    path = write(tmp_path / "api.csv", header + rows)
    assert load(path, measure="Percent").values.ravel().tolist() == [12.5]
    assert load(path, measure="Value").values.ravel().tolist() == [14000]
    write(path, header + rows.replace("14000", "14000.5"))
    with pytest.raises(LoadError, match="an integer count"):
        load(path, measure="Value")


def test_table_counts_option(tmp_path):
    path = write(tmp_path / "t.csv", "area,industry,year,jobs\nL1,x,2020,5.5\nL2,x,2020,\"12,5\"\n")
    mapping = {"measure": "jobs", "area": "area", "activity": "industry", "year": "year", "value": "jobs"}
    with pytest.raises(LoadError, match="line 3, column 'jobs': got '12,5'"):
        load(path, format="table", mapping=mapping)
    write(path, "area,industry,year,jobs\nL1,x,2020,5.5\n")
    assert load(path, format="table", mapping=mapping).values.ravel().tolist() == [5.5]
    with pytest.raises(LoadError, match="line 2, column 'jobs': got '5.5'; expected an integer count"):
        load(path, format="table", mapping={**mapping, "counts": True})


# ------------------------------------------------------------------------------------ the panel's own CSV
def test_tidy_csv_round_trip(tmp_path):
    frame = pd.DataFrame({
        "area": ["TLC", "TLC", "TLD", "TLD"], "activity": ["01", "02", "01", "02"], "year": 2021,
        "value": [12000.0, np.nan, 5.0, np.nan], "status": ["rounded", "suppressed", "observed", "missing"],
        "area_name": ["North East", "North East", "North West", "North West"], "level": "ITL1",
        "activity_name": ["Crop", "Forestry", "Crop", "Forestry"],
    })
    panel = Panel.from_frame(frame, measure="employment", unit="count")
    path = tmp_path / "out.csv"
    panel.to_frame().to_csv(path, index=False)
    assert sniff_format(path) == "tidy"
    back = load(path)
    assert back.measure == "employment"
    for dim in ("area", "activity", "year"):
        assert list(back.data[dim].values) == list(panel.data[dim].values)
    np.testing.assert_array_equal(back.values, panel.values)
    np.testing.assert_array_equal(back.status, panel.status)
    assert list(back.data["area_level"].values) == ["ITL1", "ITL1"]
    assert list(back.data["activity_name"].values) == ["Crop", "Forestry"]
    assert back.provenance[0].rows_read == 4 and back.provenance[0].loader == "sia.sources.files"


def test_tidy_csv_minimal_and_extra_dims(tmp_path):
    path = write(tmp_path / "t.csv", "area,activity,year,value\nA,x,2020,1\nA,y,2020,2\nB,x,2020,3\n")
    panel = load(path, measure="jobs")
    assert panel.measure == "jobs" and panel.values[:, :, 0].tolist()[0] == [1, 2]
    assert panel.status[1, 1, 0] == Status.MISSING  # absent combination
    path = write(tmp_path / "e.csv", "area,activity,year,sizeband,measure,value,status,n_suppressed\n"
                 "A,x,2020,Total,enterprises,10,rounded,0\nA,x,2020,Micro,enterprises,5,rounded,0\n")
    panel = load(path)
    assert panel.extra_dims == ("sizeband",) and panel.measure == "enterprises"


@pytest.mark.parametrize("row,column,value,expected", [
    ("A,x,2020,employment,abc,observed", "value", "abc", "a number or a marker"),
    ("A,x,20x0,employment,1,observed", "year", "20x0", "a year"),
    ("A,x,2020,employment,1,fine", "status", "fine", "a status (observed, rounded"),
    ("A,x,2020,employment,,observed", "value", "", "a number (status 'observed' needs one)"),
    ("A,x,2020,gva,1,observed", "measure", "gva", "the file's one measure 'employment'"),
    (",x,2020,employment,1,observed", "area", "", "an area code"),
    ("B,y,2020,employment,1,observed", "area, activity, year", "B|y|2020", "a unique key"),
])
def test_tidy_csv_rows_are_checked(tmp_path, row, column, value, expected):
    path = write(tmp_path / "t.csv", "area,activity,year,measure,value,status\nB,y,2020,employment,1,observed\n"
                 + row + "\n")
    with pytest.raises(LoadError) as info:
        load(path)
    err = info.value
    assert (err.line, err.column, err.value) == (3, column, value)
    assert expected in err.expected


def test_unknown_layout_names_the_command_line_syntax(tmp_path):
    path = write(tmp_path / "t.csv", "region,industry,year,jobs\nL1,x,2020,5\n")
    with pytest.raises(LoadError) as info:
        load(path)
    text = one_line(info.value)
    assert "--format table --mapping FILE" in text and "format='table'" not in text
    assert "area, activity, year, value" in text


def test_duplicated_column_names_in_xlsx_and_parquet(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["area", "industry", "year", "jobs", "jobs"], ["L1", "x", 2020, 5, 6]):
        sheet.append(row)
    xlsx = tmp_path / "t.xlsx"
    book.save(xlsx)
    mapping = {"measure": "jobs", "area": "area", "activity": "industry", "year": "year", "value": "jobs"}
    with pytest.raises(LoadError) as info:
        load(xlsx, mapping=mapping)
    assert (info.value.line, info.value.column) == (1, "jobs") and "appears 2 times" in str(info.value)

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays([pa.array(["L1"]), pa.array(["x"]), pa.array([2020]), pa.array([5.0]),
                                  pa.array([6.0])], names=["area", "activity", "year", "value", "value"])
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    with pytest.raises(LoadError, match="'value' appears 2 times: columns 4 and 5"):
        load(path)
    with pytest.raises(LoadError, match="'value' appears 2 times"):
        load(path, format="table", mapping={**mapping, "activity": "activity", "value": "value"})


def test_a_load_that_keeps_no_row_is_an_error(tmp_path):
    q = tmp_path / "q.csv"
    path = write(tmp_path / "n.csv", HEADER + '2015,"West Midlands","UKG3","x","01",abc\n')
    with pytest.raises(LoadError) as info:
        load(path, quarantine=q)
    assert one_line(info.value) == (f"{path}: got 'no loadable row (rows read 1, loaded 0, set aside 1, quarantine "
                                    f"{q})'; expected at least one loadable row")
    assert pd.read_csv(q, dtype=str)["value"].tolist() == ["abc"]  # the quarantine is written all the same
