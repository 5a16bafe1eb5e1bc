"""`sia load / info / aggregate` on small files: counts, quarantine, exit code 2 with a one-line error."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sia.cli import app
from sia.panel import Panel

runner = CliRunner()

TABLE = "area,industry,year,jobs\nL1,x,2020,5\nL1,y,2020,-2\nL2,x,2020,7\nL2,y,2020,c\nL3,x,2020,1\n"
MAPPING = {"measure": "jobs", "unit": "jobs", "area": "area", "activity": "industry", "year": "year",
           "value": "jobs", "nonnegative": True, "area_level": "LAD"}


@pytest.fixture
def files(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(TABLE)
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(MAPPING))
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("child,parent,parent_name\nL1,R1,Region one\nL2,R1,Region one\nL3,R2,Region two\n")
    return table, mapping, lookup


def test_load_stops_with_one_line_error(files, tmp_path):
    table, mapping, _ = files
    result = runner.invoke(app, ["load", str(table), "--format", "table", "--mapping", str(mapping),
                                 "-o", str(tmp_path / "p.parquet")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{table}: line 3, column 'jobs': got '-2'; expected a non-negative count" in " ".join(result.output.split())
    assert not (tmp_path / "p.parquet").exists()


def test_load_with_quarantine_reports_counts(files, tmp_path):
    table, mapping, _ = files
    q = tmp_path / "q.csv"
    out = tmp_path / "p.parquet"
    result = runner.invoke(app, ["load", str(table), "--format", "table", "--mapping", str(mapping),
                                 "--quarantine", str(q), "-o", str(out)])
    assert result.exit_code == 0, result.output
    panel = Panel.from_parquet(out)
    prov = panel.provenance[0]
    assert (prov.rows_read, prov.rows_loaded, prov.rows_set_aside) == (5, 4, 1)
    bad = pd.read_csv(q, dtype=str)
    assert bad[["area", "industry", "jobs", "line", "column", "reason"]].values.tolist() == [
        ["L1", "y", "-2", "3", "jobs", "a non-negative count"]]
    assert "│ 5" in result.output and "│ 4" in result.output and "│ 1" in result.output
    info = runner.invoke(app, ["info", str(out)])
    assert info.exit_code == 0 and "rows read 5, loaded 4, set aside 1" in info.output


def test_aggregate_with_lookup_csv(files, tmp_path):
    table, mapping, lookup = files
    out = tmp_path / "p.parquet"
    runner.invoke(app, ["load", str(table), "--format", "table", "--mapping", str(mapping), "--quarantine",
                        str(tmp_path / "q.csv"), "-o", str(out)])
    csv = tmp_path / "agg.csv"
    result = runner.invoke(app, ["aggregate", str(out), "-g", str(lookup), "-l", "region", "--parent-name-col",
                                 "parent_name", "-o", str(csv)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(csv)
    assert list(frame.columns) == ["area", "area_name", "level", "activity", "activity_name", "year", "measure",
                                   "value", "status", "n_suppressed"]
    got = frame.set_index(["area", "activity"])
    # R1,x = L1 5 + L2 7; R1,y = L2 suppressed and L1's row set aside (missing) -> suppressed/missing, NaN
    assert got.loc[("R1", "x"), "value"] == 12 and got.loc[("R1", "x"), "status"] == "observed"
    assert got.loc[("R1", "x"), "area_name"] == "Region one" and got.loc[("R1", "x"), "level"] == "region"
    assert pd.isna(got.loc[("R1", "y"), "value"]) and got.loc[("R1", "y"), "n_suppressed"] == 2
    assert got.loc[("R2", "x"), "value"] == 1 and got.loc[("R2", "y"), "status"] == "missing"


def test_aggregate_errors_exit_2(files, tmp_path):
    table, mapping, lookup = files
    result = runner.invoke(app, ["aggregate", str(tmp_path / "none.parquet"), "-g", "uk", "-l", "LEP", "-o", "x.csv"])
    assert result.exit_code == 2 and "no such file" in result.output
    out = tmp_path / "p.parquet"
    runner.invoke(app, ["load", str(table), "--format", "table", "--mapping", str(mapping), "--quarantine",
                        str(tmp_path / "q.csv"), "-o", str(out)])
    result = runner.invoke(app, ["aggregate", str(out), "-g", "nowhere.csv", "-l", "LEP", "-o", "x.csv"])
    assert result.exit_code == 2 and "neither 'uk' nor an existing lookup CSV" in result.output
    result = runner.invoke(app, ["aggregate", str(out), "-g", str(lookup), "-l", "region", "--year", "1999",
                                 "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "year(s) [1999] not in" in result.output


def test_to_polars_optional():
    pl = pytest.importorskip("polars")
    frame = pd.DataFrame({"area": ["A"], "activity": ["x"], "year": [2020], "value": [1.0]})
    out = Panel.from_frame(frame, measure="m").to_polars()
    assert isinstance(out, pl.DataFrame) and out["value"].to_list() == [1.0]
