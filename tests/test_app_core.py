"""Consultation statistics checked by hand, theme loading, export format, migrations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import inspect

from sia.app.db import make_engine, migrate
from sia.app.export import ExportError, read_export, write_export
from sia.app.models import Base
from sia.app.stats import EXPORT_COLUMNS, comment_keywords, summarise, tastle_wierman
from sia.app.themes import ThemesError, load_themes


def frame(scores: dict[int, list[float | None]], criterion: str = "strength") -> pd.DataFrame:
    rows = [(t, criterion, s, "business") for t, ss in scores.items() for s in ss]
    return pd.DataFrame(rows, columns=["theme_id", "criterion", "score", "org_type"])


THEMES = pd.DataFrame({"theme_id": [1, 2, 3], "theme": ["a", "b", "c"], "codes": ["", "", ""],
                       "data_score": [10.0, 5.0, 7.0]})


def test_median_iqr_consensus_by_hand() -> None:
    # theme 1: scores 1,2,2,3,5 and one "don't know"
    # sorted x = [1,2,2,3,5]; type-7 quantile position h = (n-1)p (0-based):
    #   q1: h = 1 -> x[1] = 2; median: h = 2 -> 2; q3: h = 3 -> 3; IQR = 1 -> agreement (IQR <= 1)
    # Tastle-Wierman: p = [.2,.4,.2,0,.2], mu = 2.6, d = 4
    #   Cns = 1 + .2 log2(1-1.6/4) + .4 log2(1-.6/4) + .2 log2(1-.4/4) + .2 log2(1-2.4/4)
    tw1 = 1 + .2 * math.log2(0.6) + .4 * math.log2(0.85) + .2 * math.log2(0.9) + .2 * math.log2(0.4)
    # theme 2: scores 2,4,4,5: q1 h=.75 -> 2 + .75*(4-2) = 3.5; median 4; q3 h=2.25 -> 4 + .25*(5-4) = 4.25
    #   mu = 3.75; Cns = 1 + .25 log2(1-1.75/4) + .5 log2(1-.25/4) + .25 log2(1-1.25/4)
    tw2 = 1 + .25 * math.log2(1 - 1.75 / 4) + .5 * math.log2(1 - .25 / 4) + .25 * math.log2(1 - 1.25 / 4)
    # theme 3: scores 3,3,3 -> median 3, IQR 0, Cns 1
    a = frame({1: [1, 2, 2, 3, 5, None], 2: [2, 4, 4, 5], 3: [3, 3, 3]})
    a.loc[a.index[:2], "org_type"] = "university"
    out = summarise(a, THEMES, ["strength", "opportunity"]).set_index(["theme_id", "criterion"])
    s = out.xs("strength", level="criterion")
    assert s["n"].tolist() == [5, 4, 3] and s["n_dont_know"].tolist() == [1, 0, 0]
    np.testing.assert_allclose(s["median"], [2.0, 4.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(s["q1"], [2.0, 3.5, 3.0], atol=1e-12)
    np.testing.assert_allclose(s["q3"], [3.0, 4.25, 3.0], atol=1e-12)
    np.testing.assert_allclose(s["iqr"], [1.0, 0.75, 0.0], atol=1e-12)
    np.testing.assert_allclose(s["consensus_tw"], [tw1, tw2, 1.0], atol=1e-12)
    np.testing.assert_allclose(s["mean"], [2.6, 3.75, 3.0], atol=1e-12)
    assert s["agreement"].tolist() == [True, True, True]
    assert s.loc[1, ["count_1", "count_2", "count_3", "count_4", "count_5"]].tolist() == [1, 2, 1, 0, 1]
    assert (s.loc[1, "n_university"], s.loc[1, "n_business"]) == (2, 3)
    # divergence: medians 2, 4, 3 -> ranks pct 0, 1, .5; data 10, 5, 7 -> 1, 0, .5
    np.testing.assert_allclose(s["divergence"], [-1.0, 1.0, 0.0], atol=1e-12)
    # an unanswered criterion: n = 0 and NaN statistics, not zeros
    o = out.xs("opportunity", level="criterion")
    assert o["n"].tolist() == [0, 0, 0] and o["median"].isna().all() and o["consensus_tw"].isna().all()
    assert o["agreement"].isna().all()
    assert list(summarise(a, THEMES, ["strength"]).columns) == list(EXPORT_COLUMNS[3:])


def test_tastle_wierman_extremes() -> None:
    # split between the ends: mu = 3, each term .5 log2(1 - 2/4) = -.5 -> Cns = 0
    np.testing.assert_allclose(tastle_wierman(np.array([[5, 0, 0, 0, 5], [0, 7, 0, 0, 0]])), [0.0, 1.0])
    assert np.isnan(tastle_wierman(np.zeros((1, 5))))[0]


def test_comment_keywords() -> None:
    got = comment_keywords(["Strong cluster of firms", "cluster needs skills", "skills gap; the cluster", "one-off"])
    assert got == [("cluster", 3), ("skills", 2)]


def test_load_themes_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "themes.csv"
    good.write_text("theme,description,codes,data_score,extra\nA,first,21,1.5,x\nB,second,,,y\n")
    table = load_themes(good)
    assert [t.name for t in table.themes] == ["A", "B"] and table.themes[1].data_score is None
    assert table.ignored_columns == ["extra"]
    assert load_themes(tmp_path).themes == table.themes  # audit output directory contract
    bad = tmp_path / "bad.csv"
    bad.write_text("theme,description,data_score\nA,x,1\nB,y,high\n")
    with pytest.raises(ThemesError, match=r"bad.csv, line 3, column 'data_score': value 'high'"):
        load_themes(bad)
    bad.write_text("theme,description\nA,x\na,y\n")
    with pytest.raises(ThemesError, match=r"line 3, column 'theme'.*repeats line 2"):
        load_themes(bad)
    bad.write_text("name,description\nA,x\n")
    with pytest.raises(ThemesError, match=r"missing column\(s\) \['theme'\]"):
        load_themes(bad)
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(ThemesError, match="no themes.csv"):
        load_themes(tmp_path / "empty_dir")


def test_export_round_trip(tmp_path: Path) -> None:
    df = summarise(frame({1: [1, 2], 2: [5]}), THEMES, ["strength"])
    df.insert(0, "round", 1)
    df.insert(0, "consultation_title", "t")
    df.insert(0, "consultation_id", 1)
    for name in ("x.csv", "x.parquet"):
        back = read_export(write_export(df, tmp_path / name))
        assert list(back.columns) == list(EXPORT_COLUMNS)
        np.testing.assert_allclose(back["median"].to_numpy(dtype=float), df["median"].to_numpy(dtype=float))
    (tmp_path / "bad.csv").write_text("theme,median\n")
    with pytest.raises(ExportError, match="missing column"):
        read_export(tmp_path / "bad.csv")


def test_migrations_match_models_and_are_idempotent(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(str(tmp_path / "m.db"))
    migrate(engine)
    migrate(engine)  # a second start-up on an existing database is a no-op
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert set(inspect(engine).get_table_names()) >= {"answer", "submission", "audit_log", "alembic_version"}
