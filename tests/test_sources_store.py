"""The DuckDB store: put / get / list round trips keep values, status, n_suppressed, names, provenance."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from sia.membership import Membership
from sia.panel import Panel, Provenance
from sia.sources.store import Store, StoreError


def panel() -> Panel:
    frame = pd.DataFrame({
        "area": ["A", "A", "B", "B"], "area_name": ["Aa", "Aa", "Bb", "Bb"], "level": "LAD",
        "activity": ["x", "y", "x", "y"], "year": 2021, "sizeband": "Total",
        "value": [1.0, np.nan, 3.0, 4.0], "status": ["observed", "suppressed", "rounded", "observed"],
    })
    prov = Provenance(source="/f.csv", checksum="sha256:00", loader="t", rows_read=4, rows_loaded=4,
                      rows_set_aside=0, notes=("n",))
    return Panel.from_frame(frame, measure="jobs", unit="jobs", provenance=[prov], extra_dims=["sizeband"])


def test_put_get_list_round_trip(tmp_path):
    p = panel()
    agg = p.aggregate("area", Membership.from_pairs([("A", "R"), ("B", "R")], target_level="region"))
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        store.put("raw", p)
        store.put("agg.v1", agg)
        assert store.list() == ["agg.v1", "raw"]
    with Store(db, read_only=True) as store:  # persisted in the file
        back = store.get("raw")
        again = store.get("agg.v1")
        catalogue = store.catalogue().to_pandas()
    pd.testing.assert_frame_equal(back.to_frame(), p.to_frame())
    pd.testing.assert_frame_equal(again.to_frame(), agg.to_frame())
    assert again.to_frame().set_index("activity").loc["y", "n_suppressed"] == 1
    assert back.provenance == p.provenance and back.unit == "jobs" and back.extra_dims == ("sizeband",)
    assert catalogue["n_rows"].tolist() == [2, 4]
    # the tidy table is plain SQL for anyone else
    con = duckdb.connect(str(db), read_only=True)
    total = con.execute('SELECT sum(value) FROM "panel_raw"').fetchall()[0][0]
    con.close()
    assert total == 8.0


def test_replace_delete_and_errors(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.put("p", panel())
        smaller = panel().sel(area=["A"])
        store.put("p", smaller)
        assert store.get("p").areas == ("A",)
        with pytest.raises(StoreError, match="no panel named 'q'"):
            store.get("q")
        with pytest.raises(StoreError, match="invalid panel name"):
            store.put("1; DROP TABLE x", panel())
        store.delete("p")
        assert store.list() == []
