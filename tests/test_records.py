"""Records -> panel: hand-computed example, pandas = DuckDB = Spark on a 10k sample, CLI.

References: the tiny example's panel is computed by hand below; the 10k-record comparisons
use the independent pandas implementation (explode + groupby) as the reference for the Ibis
expression on DuckDB (fractional and full counting) and on Spark (fractional; full counting on
Spark is checked against the hand-computed tiny example). Tolerance for sums: rtol 1e-12
(summation order differs between engines); counts are compared exactly. Spark: one
session-scoped local[2] session and two aggregation queries (plus two example queries), so
that the file stays well under a minute.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sia.panel import Panel
from sia.sources import synthetic
from sia.sources.records import SET_ASIDE_REASONS, RecordsError, load_area_map, records_to_panel

RTOL = 1e-12


def _cells(panel: Panel) -> pd.DataFrame:
    f = panel.to_frame()
    return f[["area", "activity", "year", "value", "status"]].sort_values(["area", "activity", "year"]).reset_index(
        drop=True)


def _assert_same_panel(a: Panel, b: Panel) -> None:
    """Same labels, same status, same values (rtol 1e-12) - on the dense arrays."""
    assert a.areas == b.areas
    assert a.activities == b.activities
    assert a.years == b.years
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_allclose(a.values, b.values, rtol=RTOL, atol=1e-9)


def _assert_same_report(a, b) -> None:
    for name in ("records_read", "records_aggregated", "records_set_aside", "records_split", "code_rows",
                 "invalid_code_rows", "cells", "unmapped_area_examples", "invalid_code_examples"):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("value_read", "value_aggregated", "invalid_code_value"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), rel=RTOL), name
    for why in SET_ASIDE_REASONS:
        assert a.value_set_aside[why] == pytest.approx(b.value_set_aside[why], rel=RTOL, abs=1e-9), why


def _assert_adds_up(report) -> None:
    assert report.records_read == report.records_aggregated + sum(report.records_set_aside.values())
    if report.multi_code == "fractional":
        total = report.value_aggregated + sum(report.value_set_aside.values()) + report.invalid_code_value
        assert report.value_read == pytest.approx(total, rel=1e-12)
        assert report.reconciles()


# ----------------------------------------------------------------------------- hand-computed example
TINY = pd.DataFrame(
    {
        "postcode": ["AB1 2CD", "ab12cd", "AB1 3CD", "EF3 4GH", "ZZ9 9ZZ", None, "EF3 4GH", "EF3 4GH", "EF3 4GH",
                     "AB1 2CD"],
        "sic": ["62020;62090", "62011;62012", "62.02/0", "01110;62020;X", "62020", "62020", "", "62020", "6",
                "62020;62020"],
        "year": pd.array([2020, 2020, 2021, 2020, 2020, 2020, 2021, None, 2021, 2021], dtype="Int64"),
        "emp": [10.0, 6.0, 4.0, 9.0, 7.0, 1.0, 2.0, 8.0, 5.0, 3.0],
    }
)
TINY_MAP = pd.DataFrame({"pc": ["AB1 2CD", "AB1 3CD", "EF3 4GH"], "lad": ["E1", "E1", "E2"]})

# Worked by hand (activity level 4):
#  1 AB1 2CD 62020;62090 2020 10 -> 2 codes: E1/6202 +5, E1/6209 +5        (full: +10, +10)
#  2 ab12cd  62011;62012 2020  6 -> both roll up to 6201: E1/6201 +3+3=6   (full: 6201 once, +6)
#  3 AB1 3CD 62.02/0     2021  4 -> normalised 62020: E1/6202/2021 +4
#  4 EF3 4GH 01110;62020;X 2020 9 -> k=3: E2/0111 +3, E2/6202 +3, "X" invalid (3 set aside) (full: +9, +9, 9)
#  5 ZZ9 9ZZ unmapped area (7)   6 no postcode (1)   7 no code (2)   8 no year (8)   9 only "6": invalid (5)
# 10 AB1 2CD 62020;62020 2021  3 -> duplicate collapses: E1/6202/2021 +3 (not split)
EXPECTED_FRACTIONAL = {
    ("E1", "6201", 2020): 6.0, ("E1", "6202", 2020): 5.0, ("E1", "6209", 2020): 5.0, ("E1", "6202", 2021): 7.0,
    ("E2", "0111", 2020): 3.0, ("E2", "6202", 2020): 3.0,
}
EXPECTED_FULL = {
    ("E1", "6201", 2020): 6.0, ("E1", "6202", 2020): 10.0, ("E1", "6209", 2020): 10.0, ("E1", "6202", 2021): 7.0,
    ("E2", "0111", 2020): 9.0, ("E2", "6202", 2020): 9.0,
}


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
@pytest.mark.parametrize("multi_code", ["fractional", "full"])
def test_tiny_example_by_hand(engine: str, multi_code: str) -> None:
    panel, report = records_to_panel(TINY, area="postcode", activity="sic", year="year", value="emp",
                                     area_map=TINY_MAP, activity_level=4, multi_code=multi_code, engine=engine)
    expected = EXPECTED_FRACTIONAL if multi_code == "fractional" else EXPECTED_FULL
    assert panel.areas == ("E1", "E2")
    assert panel.activities == ("0111", "6201", "6202", "6209")
    assert panel.years == (2020, 2021)
    frame = _cells(panel)
    got = {(r.area, r.activity, int(r.year)): r.value for r in frame.itertuples() if r.value != 0}
    assert got == pytest.approx(expected, rel=1e-15)
    assert (frame["status"] == "observed").all()  # cells without records are true zeros
    assert len(frame) == 2 * 4 * 2

    assert report.records_read == 10
    assert report.records_aggregated == 5
    assert report.records_set_aside == {
        "missing_year": 1, "invalid_year": 0, "missing_value": 0, "invalid_value": 0, "missing_weight": 0,
        "missing_area": 1, "unmapped_area": 1, "missing_activity": 1, "invalid_activity": 1,
    }
    assert report.value_set_aside["unmapped_area"] == 7.0
    assert report.value_set_aside["missing_year"] == 8.0
    assert report.value_set_aside["invalid_activity"] == 5.0
    assert report.records_split == 3  # records 1, 2 and 4; record 10's duplicate collapses
    assert report.invalid_code_rows == 1
    assert report.invalid_code_value == (3.0 if multi_code == "fractional" else 9.0)
    assert report.code_rows == (9 if multi_code == "fractional" else 8)
    assert report.value_read == 55.0
    assert report.value_aggregated == (29.0 if multi_code == "fractional" else 51.0)
    _assert_adds_up(report)
    assert report.unmapped_area_examples == [("ZZ99ZZ", 1)]
    assert sorted(report.invalid_code_examples) == [("6", 1), ("X", 1)]
    assert "unmapped_area" in panel.provenance[0].notes[0] or "set aside" in panel.provenance[0].notes[0]


def test_tiny_example_absent_missing_and_count() -> None:
    panel, report = records_to_panel(TINY, area="postcode", activity="sic", year="year", count=True,
                                     area_map=TINY_MAP, activity_level=4, absent="missing", engine="duckdb")
    frame = _cells(panel)
    # counting: record 1 gives 1/2 to 6202 and 6209; record 2 gives 1/2 + 1/2 to 6201; record 4 gives 1/3 each
    got = {(r.area, r.activity, int(r.year)): r.value for r in frame.itertuples() if r.status == "observed"}
    assert got == pytest.approx({
        ("E1", "6201", 2020): 1.0, ("E1", "6202", 2020): 0.5, ("E1", "6209", 2020): 0.5, ("E1", "6202", 2021): 2.0,
        ("E2", "0111", 2020): 1 / 3, ("E2", "6202", 2020): 1 / 3,
    }, rel=1e-15)
    assert frame.loc[frame["status"] == "missing", "value"].isna().all()
    assert panel.measure == "records" and panel.unit == "records"
    assert report.value_read == 10.0


# ----------------------------------------------------------------------------- 10k deterministic sample
@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """10k synthetic firms with extra dirt, written as 3 Parquet files (read through a glob)."""
    frame, amap = synthetic.firm_frame(10_000, seed=7)
    rng = np.random.default_rng(11)
    frame["year"] = frame["year"].astype("Int64")
    frame["employment"] = frame["employment"].astype("Float64")
    frame.loc[rng.choice(len(frame), 9, replace=False), "year"] = pd.NA
    frame.loc[rng.choice(len(frame), 6, replace=False), "employment"] = pd.NA
    partial = rng.choice(len(frame), 25, replace=False)
    frame.loc[partial, "sic_codes"] = frame.loc[partial, "sic_codes"].astype(str) + ";1"  # one bad code of several
    frame.loc[rng.choice(len(frame), 4, replace=False), "sic_codes"] = None
    root = tmp_path_factory.mktemp("records10k")
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        pq.write_table(pa.Table.from_pandas(frame.iloc[part], preserve_index=False), root / f"firms-{i}.parquet")
    amap_path = root / "map.csv"
    amap.to_csv(amap_path, index=False)
    return {"glob": str(root / "firms-*.parquet"), "map": amap_path, "frame": frame, "root": root}


def _run(sample: dict[str, object], engine: str, multi_code: str, **kw: object):
    return records_to_panel(sample["glob"], area="postcode", activity="sic_codes", year="year", value="employment",
                            area_map=sample["map"], activity_level=4, activity_pattern=r"^[0-9]{5}$",
                            multi_code=multi_code, engine=engine, **kw)


@pytest.mark.parametrize("multi_code", ["fractional", "full"])
def test_duckdb_equals_pandas_on_10k_glob(sample: dict[str, object], multi_code: str) -> None:
    ref_panel, ref = _run(sample, "pandas", multi_code)
    panel, report = _run(sample, "duckdb", multi_code)
    assert len(report.files) == 3
    _assert_same_panel(panel, ref_panel)
    _assert_same_report(report, ref)
    _assert_adds_up(report)
    # every kind of set-aside row occurs and is counted
    for why in ("missing_year", "missing_value", "missing_area", "unmapped_area", "missing_activity",
                "invalid_activity"):
        assert report.records_set_aside[why] > 0, why
    assert report.invalid_code_rows >= 25
    assert report.records_read == 10_000
    # the panel holds exactly the aggregated value
    assert panel.values.sum() == pytest.approx(report.value_aggregated, rel=1e-12)
    assert panel.provenance[0].notes[0].startswith("records read") or "SYNTHETIC" in panel.provenance[0].notes[0]


def test_full_counting_counts_each_distinct_target(sample: dict[str, object]) -> None:
    """Full: value_aggregated = sum over aggregated records of v x (distinct valid 4-digit codes) - by pandas."""
    _, report = _run(sample, "duckdb", "full")
    f = sample["frame"]
    amap = load_area_map(sample["map"])
    key = f["postcode"].astype("string").str.replace(" ", "").str.upper()
    ok = (f["year"].notna() & f["employment"].notna() & key.isin(set(amap["key"])) & f["sic_codes"].notna())
    total = 0.0
    for codes, emp in zip(f.loc[ok, "sic_codes"], f.loc[ok, "employment"], strict=True):
        targets = {c[:4] for c in codes.split(";") if len(c) == 5 and c.isdigit()}
        total += float(emp) * len(targets)
    assert report.value_aggregated == pytest.approx(total, rel=1e-12)


def test_rollup_to_4_digits_equals_summing_5_digit_panel(sample: dict[str, object]) -> None:
    p5, r5 = records_to_panel(sample["glob"], area="postcode", activity="sic_codes", year="year", count=True,
                              area_map=sample["map"], activity_pattern=r"^[0-9]{5}$", multi_code="fractional")
    p4, r4 = records_to_panel(sample["glob"], area="postcode", activity="sic_codes", year="year", count=True,
                              area_map=sample["map"], activity_level=4, activity_pattern=r"^[0-9]{5}$",
                              multi_code="fractional")
    assert all(len(a) == 5 for a in p5.activities)
    assert all(len(a) == 4 for a in p4.activities)
    assert p4.areas == p5.areas and p4.years == p5.years
    # sum the 5-digit panel's columns by their first 4 characters (pandas groupby on the activity axis)
    v5 = p5.data["value"].transpose("activity", "area", "year").values
    rolled = pd.DataFrame(v5.reshape(len(p5.activities), -1)).groupby(
        np.array([a[:4] for a in p5.activities])).sum()
    assert tuple(rolled.index) == p4.activities
    v4 = p4.data["value"].transpose("activity", "area", "year").values.reshape(len(p4.activities), -1)
    np.testing.assert_allclose(v4, rolled.to_numpy(), rtol=1e-12, atol=1e-9)
    assert r4.records_set_aside == r5.records_set_aside


def test_csv_text_columns_and_bad_values(tmp_path: Path) -> None:
    """CSV is read as text: bad years and values are set aside with their reason, in both engines."""
    rows = pd.DataFrame({
        "lad": ["E1", "E1", "E2", "E2", "E2", " E1 ", "E1"],
        "codes": ["6202", "6202;6209", "0111", "0111", "0111", "6202", "6202"],
        "yr": ["2020", "2020", "20x0", "2021", "", "2021", "2021"],
        "amount": ["1.5", "2", "3", "n/a", "4", "1e1", ""],
    })
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    rows.iloc[:4].to_csv(a, index=False)
    rows.iloc[4:].to_csv(b, index=False)
    out = {}
    for engine in ("pandas", "duckdb"):
        out[engine] = records_to_panel([a, b], area="lad", activity="codes", year="yr", value="amount",
                                       engine=engine)
    _assert_same_panel(out["pandas"][0], out["duckdb"][0])
    _assert_same_report(out["pandas"][1], out["duckdb"][1])
    panel, report = out["duckdb"]
    assert report.records_set_aside["invalid_year"] == 1
    assert report.records_set_aside["missing_year"] == 1
    assert report.records_set_aside["invalid_value"] == 1
    assert report.records_set_aside["missing_value"] == 1
    got = {(r.area, r.activity, int(r.year)): r.value for r in _cells(panel).itertuples() if r.value}
    assert got == {("E1", "6202", 2020): 2.5, ("E1", "6209", 2020): 1.0, ("E1", "6202", 2021): 10.0}


def test_list_column_equals_text_codes(tmp_path: Path) -> None:
    frame = TINY.copy()
    listed = frame.assign(sic=[s.split(";") if s is not None else None for s in frame["sic"]])
    path = tmp_path / "listed.parquet"
    pq.write_table(pa.Table.from_pandas(listed, preserve_index=False), path)
    for engine in ("pandas", "duckdb"):
        p_list, r_list = records_to_panel(path, area="postcode", activity="sic", year="year", value="emp",
                                          area_map=TINY_MAP, activity_level=4, engine=engine)
        p_text, r_text = records_to_panel(TINY, area="postcode", activity="sic", year="year", value="emp",
                                          area_map=TINY_MAP, activity_level=4, engine=engine)
        _assert_same_panel(p_list, p_text)
        assert r_list.records_set_aside == r_text.records_set_aside


def test_synthetic_patents_fractional_weights_sum_to_patents() -> None:
    """Each patent has inventor shares summing to 1 and fractional classes: the panel sums to the patent count."""
    frame = synthetic.patent_frame(3_000, seed=5)
    assert frame.groupby("patent_id")["inventor_share"].sum().to_numpy() == pytest.approx(1.0, rel=1e-12)
    panel, report = records_to_panel(frame, area="itl3", activity="ipc_classes", year="year", count=True,
                                     weights="inventor_share", engine="duckdb")
    assert report.records_read == len(frame)
    assert sum(report.records_set_aside.values()) == 0
    assert panel.values.sum() == pytest.approx(3_000, rel=1e-12)
    ref, _ = records_to_panel(frame, area="itl3", activity="ipc_classes", year="year", count=True,
                              weights="inventor_share", engine="pandas")
    _assert_same_panel(panel, ref)


def test_synthetic_is_deterministic_and_labelled(tmp_path: Path) -> None:
    a, amap = synthetic.firm_frame(2_000, seed=3)
    b, _ = synthetic.firm_frame(2_000, seed=3)
    c, _ = synthetic.firm_frame(2_000, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["sic_codes"].equals(c["sic_codes"])
    assert a["synthetic"].all()
    # real code lists when the shared data is there: every mapped LAD is a 9-character GSS code
    lists = synthetic.code_lists()
    if lists.source == "shared data":
        assert amap["lad"].str.fullmatch(r"[ENSW][0-9]{8}").all()
        assert set(a["sic_codes"].dropna().str.split(";").explode()) - {"None Supplied", "1"} <= set(lists.sic)
    # skewed size: most firms are micro, a few are large
    assert (a["employment"] < 10).mean() > 0.8 and a["employment"].max() > 100
    res = synthetic.write_firms(25_000, tmp_path / "f", chunk_rows=10_000, rows_per_file=20_000)
    assert len(res.files) == 2 and res.rows == 25_000
    meta = pq.read_schema(res.files[0]).metadata
    assert meta[b"sia_synthetic"] == b"true"
    panel, _ = records_to_panel(str(tmp_path / "f" / "*.parquet"), area="postcode", activity="sic_codes",
                                year="year", count=True, area_map=res.area_map, activity_level=2)
    assert "SYNTHETIC" in panel.provenance[0].notes[0]


def test_bad_inputs_raise_clear_errors(tmp_path: Path) -> None:
    numeric = pd.DataFrame({"a": ["E1"], "sic": [1110], "y": [2020]})
    with pytest.raises(RecordsError, match="leading zeros"):
        records_to_panel(numeric, area="a", activity="sic", year="y", count=True)
    with pytest.raises(RecordsError, match="lack the year column 'yr'"):
        records_to_panel(TINY, area="postcode", activity="sic", year="yr", count=True)
    with pytest.raises(RecordsError, match="exactly one of"):
        records_to_panel(TINY, area="postcode", activity="sic", year="year")
    with pytest.raises(RecordsError, match="matches no file"):
        records_to_panel(str(tmp_path / "none-*.parquet"), area="a", activity="b", year="c", count=True)
    dup = tmp_path / "dup.csv"
    pd.DataFrame({"pc": ["AB1 2CD", "ab12cd"], "lad": ["E1", "E2"]}).to_csv(dup, index=False)
    with pytest.raises(RecordsError, match=r"dup.csv: line 3, column 'pc': key 'AB12CD' maps to several areas"):
        load_area_map(dup)


# ----------------------------------------------------------------------------- Spark (one session)
def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if _in_ci():
            pytest.fail("pyspark is not installed (CI=true needs the spark extra)")
        pytest.skip("pyspark is not installed: pip install 'sia[spark]'")
    from sia.sources.records import spark_session

    session = spark_session("local[2]", shuffle_partitions=1)  # tiny data: one task per stage
    # tiny data: interpreting is faster than compiling Java for every stage (test time only; same results)
    session.conf.set("spark.sql.codegen.wholeStage", "false")
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_equals_pandas_on_10k(spark, sample: dict[str, object]) -> None:
    """One Spark query (plus the two example queries): fractional counting, multi-code splitting,
    unmapped areas and invalid codes counted and reported exactly as by the pandas reference."""
    ref_panel, ref = _run(sample, "pandas", "fractional")
    panel, report = _run(sample, "spark", "fractional", spark=spark)
    _assert_same_panel(panel, ref_panel)
    _assert_same_report(report, ref)  # includes the most frequent unmapped keys and invalid codes
    _assert_adds_up(report)
    assert report.engine == "spark"
    assert report.records_split > 0 and report.records_set_aside["unmapped_area"] > 0
    assert report.invalid_code_rows >= 25 and report.unmapped_area_examples


@pytest.mark.spark
def test_spark_csv_full_counting_tiny_example(spark, tmp_path: Path) -> None:
    """CSV on Spark with full counting: the hand-computed panel (examples off: one query)."""
    path = tmp_path / "tiny.csv"
    TINY.to_csv(path, index=False)
    panel, report = records_to_panel(path, area="postcode", activity="sic", year="year", value="emp",
                                     area_map=TINY_MAP, activity_level=4, multi_code="full", engine="spark",
                                     spark=spark, examples=0)
    got = {(r.area, r.activity, int(r.year)): r.value for r in _cells(panel).itertuples() if r.value != 0}
    assert got == pytest.approx(EXPECTED_FULL, rel=1e-15)
    assert report.records_read == 10 and report.records_aggregated == 5
    assert report.records_split == 3 and report.invalid_code_rows == 1 and report.invalid_code_value == 9.0
    assert report.records_set_aside["unmapped_area"] == 1 and report.records_set_aside["missing_year"] == 1
    assert report.unmapped_area_examples == [] and report.invalid_code_examples == []
    _assert_adds_up(report)


# ----------------------------------------------------------------------------- CLI
def test_cli_synth_and_from_records(tmp_path: Path) -> None:
    from sia.cli import app

    runner = CliRunner()
    out_dir = tmp_path / "syn"
    res = runner.invoke(app, ["panel", "synth", "firms", "-n", "3k", "-o", str(out_dir), "--seed", "9"])
    assert res.exit_code == 0, res.output
    assert "SYNTHETIC firms: 3,000 rows" in res.output
    panel_path = tmp_path / "panel.parquet"
    res = runner.invoke(app, [
        "panel", "from-records", str(out_dir / "*.parquet"), "--area", "postcode", "--activity", "sic_codes",
        "--year", "year", "--value", "employment", "--area-map", str(out_dir / "synthetic_postcode_to_lad.csv"),
        "--activity-level", "2", "--activity-pattern", "^[0-9]{5}$", "--multi-code", "fractional", "-o",
        str(panel_path),
    ])
    assert res.exit_code == 0, res.output
    assert "set aside: unmapped_area" in res.output
    assert "read" in res.output and "3,000" in res.output
    panel = Panel.from_parquet(panel_path)
    _, report = records_to_panel(str(out_dir / "*.parquet"), area="postcode", activity="sic_codes", year="year",
                                 value="employment", area_map=out_dir / "synthetic_postcode_to_lad.csv",
                                 activity_level=2, activity_pattern="^[0-9]{5}$", engine="pandas")
    assert np.nansum(panel.values) == pytest.approx(report.value_aggregated, rel=1e-12)

    bad = runner.invoke(app, ["panel", "from-records", str(out_dir / "*.parquet"), "--area", "postcode",
                              "--activity", "nope", "--year", "year", "--count", "-o", str(tmp_path / "x.parquet")])
    assert bad.exit_code == 2
    assert "activity column 'nope'" in bad.output
    bad = runner.invoke(app, ["panel", "synth", "cats", "-n", "10", "-o", str(tmp_path / "c")])
    assert bad.exit_code == 2
