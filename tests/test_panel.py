"""Panel: tidy frame round trips (pandas, Arrow, Parquet), status propagation, provenance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sia.membership import Membership
from sia.panel import Panel, Provenance, Status, concat_years

PROV = Provenance(source="/data/x.csv", checksum="sha256:abc", table="t", vintage="2021", query="q",
                  loader="test", notes=("n1",), rows_read=4, rows_loaded=4, rows_set_aside=0)


def small_panel() -> Panel:
    """Three LADs x two activities x one year, with one suppressed and one rounded cell."""
    frame = pd.DataFrame({
        "area": ["L1", "L1", "L2", "L2", "L3", "L3"],
        "area_name": ["One", "One", "Two", "Two", "Three", "Three"],
        "level": "LAD",
        "activity": ["a", "b", "a", "b", "a", "b"],
        "activity_name": ["Alpha", "Beta"] * 3,
        "year": 2021,
        "value": [10.0, 1.0, 20.0, np.nan, 30.0, 3.0],
        "status": ["observed", "observed", "rounded", "suppressed", "observed", "observed"],
    })
    return Panel.from_frame(frame, measure="employment", unit="jobs", provenance=[PROV])


def test_from_frame_shapes_names_and_missing_fill():
    p = small_panel().sel(area=["L1", "L2"])
    assert p.areas == ("L1", "L2")
    assert p.data["area_name"].values.tolist() == ["One", "Two"]
    frame = pd.DataFrame({"area": ["A"], "activity": ["x"], "year": [2020], "value": [1.0]})
    frame2 = pd.DataFrame({"area": ["B"], "activity": ["y"], "year": [2020], "value": [2.0]})
    q = Panel.from_frame(pd.concat([frame, frame2]), measure="m")
    # A x y and B x x are absent from the frame: missing, NaN
    assert q.status_counts() == {"observed": 2, "rounded": 0, "estimated": 0, "incomplete": 0,
                                 "suppressed": 0, "missing": 2}
    assert np.isnan(q.matrix(2020)[0, 1]) and np.isnan(q.matrix(2020)[1, 0])


def test_from_frame_rejects_duplicate_keys_and_bad_status():
    frame = pd.DataFrame({"area": ["A", "A"], "activity": ["x", "x"], "year": [2020, 2020], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="2 rows share a key"):
        Panel.from_frame(frame, measure="m")
    frame = pd.DataFrame({"area": ["A"], "activity": ["x"], "year": [2020], "value": [1.0], "status": ["weird"]})
    with pytest.raises(ValueError, match="unknown status 'weird'"):
        Panel.from_frame(frame, measure="m")


def test_status_propagation_hand_computed():
    """Sum L1+L2 -> R and L3 -> S: activity b of R includes the suppressed L2 cell."""
    p = small_panel()
    w = Membership.from_pairs([("L1", "R"), ("L2", "R"), ("L3", "S")], target_names=["Region R", "Region S"],
                              target_level="region")
    out = p.aggregate("area", w)
    frame = out.to_frame().set_index(["area", "activity"])
    # R,a = 10 + 20 (one rounded contributor -> rounded)
    assert frame.loc[("R", "a"), "value"] == 30.0
    assert frame.loc[("R", "a"), "status"] == "rounded"
    assert frame.loc[("R", "a"), "n_suppressed"] == 0
    # R,b = 1 + (suppressed) -> 1, incomplete, one suppressed cell
    assert frame.loc[("R", "b"), "value"] == 1.0
    assert frame.loc[("R", "b"), "status"] == "incomplete"
    assert frame.loc[("R", "b"), "n_suppressed"] == 1
    # S = L3 alone
    assert frame.loc[("S", "b"), "value"] == 3.0 and frame.loc[("S", "b"), "status"] == "observed"
    assert frame.loc[("R", "a"), "area_name"] == "Region R" and frame.loc[("R", "a"), "level"] == "region"
    # a target whose only contributor is suppressed is suppressed (NaN), not zero
    only = p.aggregate("area", Membership.from_pairs([("L2", "T")]), strict=False)
    f2 = only.to_frame().set_index("activity")
    assert np.isnan(f2.loc["b", "value"]) and f2.loc["b", "status"] == "suppressed"
    assert f2.loc["b", "n_suppressed"] == 1
    # incomplete propagates one level up, with the suppressed count carried
    up = out.aggregate("area", Membership.from_pairs([("R", "UK"), ("S", "UK")]))
    f3 = up.to_frame().set_index("activity")
    assert f3.loc["b", "value"] == 4.0 and f3.loc["b", "status"] == "incomplete" and f3.loc["b", "n_suppressed"] == 1
    assert out.unit == "jobs" and out.provenance == (PROV,)


def test_aggregate_strict_unknown_label():
    p = small_panel()
    with pytest.raises(KeyError, match="not in this membership"):
        p.aggregate("area", Membership.from_pairs([("L1", "R")]))


def test_tidy_columns_and_parquet_round_trip(tmp_path):
    p = small_panel()
    frame = p.to_frame()
    assert list(frame.columns) == ["area", "area_name", "level", "activity", "activity_name", "year", "measure",
                                   "value", "status", "n_suppressed"]
    path = p.to_parquet(tmp_path / "p.parquet")
    q = Panel.from_parquet(path)
    pd.testing.assert_frame_equal(q.to_frame(), frame)
    assert q.provenance == (PROV,) and q.unit == "jobs" and q.measure == "employment"
    assert q.provenance[0].checksum == "sha256:abc" and q.provenance[0].rows_read == 4


def test_arrow_round_trip_keeps_extra_dims_and_n_suppressed():
    p = small_panel()
    agg = p.aggregate("area", Membership.from_pairs([("L1", "R"), ("L2", "R"), ("L3", "R")]))
    table = agg.to_arrow()
    assert isinstance(table, pa.Table)
    back = Panel.from_arrow(table)
    pd.testing.assert_frame_equal(back.to_frame(), agg.to_frame())
    frame = pd.DataFrame({"area": ["A"] * 2, "activity": ["x"] * 2, "year": [2020] * 2,
                          "sizeband": ["Total", "Micro"], "value": [5.0, 5.0]})
    e = Panel.from_frame(frame, measure="m", extra_dims=["sizeband"])
    tidy = e.to_frame()
    assert list(tidy.columns).index("sizeband") == list(tidy.columns).index("measure") - 1
    again = Panel.from_arrow(pa.Table.from_pandas(tidy, preserve_index=False), measure="m")
    assert again.extra_dims == ("sizeband",)


def test_from_parquet_refuses_foreign_file(tmp_path):
    path = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(ValueError, match="not a sia panel"):
        Panel.from_parquet(path)


def test_concat_years_checks_units():
    a = small_panel()
    frame = a.to_frame()
    frame["year"] = 2022
    b = Panel.from_frame(frame, measure="employment", unit="jobs")
    both = concat_years([a, b])
    assert both.years == (2021, 2022)
    c = Panel.from_frame(frame, measure="employment", unit="people")
    with pytest.raises(ValueError, match="different units"):
        concat_years([a, c])


def test_status_parse():
    assert Status.parse("Suppressed") is Status.SUPPRESSED
    assert Status.parse(3) is Status.INCOMPLETE
