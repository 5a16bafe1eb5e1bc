"""The report's loader validates an audit output directory against docs/audit-output.md."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from report_fixtures import TABLES, synthetic_tables, write_synthetic_audit
from sia.report.loader import CONTRACT, ReportInputError, load_audit

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_audit(tmp_path_factory.mktemp("audit"))


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_contract_matches_the_documented_table_list() -> None:
    """CONTRACT restates docs/audit-output.md: every documented table and column is there."""
    doc = (REPO / "docs" / "audit-output.md").read_text()
    for name, columns in CONTRACT.items():
        line = next(row for row in doc.splitlines() if row.startswith(f"| `{name}` |"))
        for col in columns:
            assert f"{col}" in line, (name, col)
    assert tuple(CONTRACT) == TABLES


def test_loads_every_table_with_contract_columns(audit_dir: Path) -> None:
    audit = load_audit(audit_dir)
    assert audit.missing_tables == []
    assert set(audit.tables) == set(CONTRACT)
    for name, cols in CONTRACT.items():
        assert set(cols) <= set(audit.tables[name].columns), name
    assert audit.scale_ids == ["em", "me", "wm", "wmca"]
    assert audit.tables["framework"]["pinned"].dtype == bool
    assert audit.manifest["inputs"]["bres_employment"]["licence"] == "Open Government Licence v3.0"


def test_csv_only_directory_reads_like_parquet(audit_dir: Path, tmp_path: Path) -> None:
    """Without Parquet files the CSVs give the same tables (codes keep leading zeros, booleans parse)."""
    csv_dir = _copy(audit_dir, tmp_path / "csv")
    for p in csv_dir.glob("*.parquet"):
        p.unlink()
    a, b = load_audit(audit_dir), load_audit(csv_dir)
    assert b.files["activities"].suffix == ".csv"
    for name in CONTRACT:
        left, right = a.tables[name], b.tables[name]
        assert list(left.columns) == list(right.columns), name
        for col in left.columns:
            lv, rv = left[col], right[col]
            if pd.api.types.is_numeric_dtype(lv) and not pd.api.types.is_bool_dtype(lv):
                np.testing.assert_allclose(lv.to_numpy(float), rv.to_numpy(float), rtol=0, atol=1e-12,
                                           err_msg=f"{name}.{col}")
            else:
                norm = lambda s: s.astype(object).where(s.notna(), "").astype(str).tolist()  # noqa: E731
                assert norm(lv) == norm(rv), f"{name}.{col}"
    assert "01110" in set(b.tables["activities"]["activity"])


def test_missing_column_names_file_and_columns(audit_dir: Path, tmp_path: Path) -> None:
    d = _copy(audit_dir, tmp_path / "a")
    frame = pd.read_parquet(d / "ranking.parquet").drop(columns=["score_topsis", "rank"])
    frame.to_parquet(d / "ranking.parquet")
    with pytest.raises(ReportInputError) as err:
        load_audit(d)
    msg = str(err.value)
    assert "ranking.parquet" in msg and "rank, score_topsis" in msg and "docs/audit-output.md" in msg


def test_missing_required_table_and_optional_table(audit_dir: Path, tmp_path: Path) -> None:
    d = _copy(audit_dir, tmp_path / "b")
    (d / "supply.parquet").unlink()
    (d / "supply.csv").unlink()
    audit = load_audit(d)
    assert audit.missing_tables == ["supply"] and audit.table("supply") is None
    (d / "framework.parquet").unlink()
    (d / "framework.csv").unlink()
    with pytest.raises(ReportInputError, match=r"required table 'framework' is missing"):
        load_audit(d)


def test_bad_number_names_row_column_value(audit_dir: Path, tmp_path: Path) -> None:
    d = _copy(audit_dir, tmp_path / "c")
    (d / "evidence.parquet").unlink()
    frame = pd.read_csv(d / "evidence.csv")
    frame["value"] = frame["value"].astype(object)
    frame.loc[4, "value"] = "12,5"
    frame.to_csv(d / "evidence.csv", index=False)
    with pytest.raises(ReportInputError) as err:
        load_audit(d)
    msg = str(err.value)
    assert "evidence.csv" in msg and "row 6" in msg and "'value'" in msg and "'12,5'" in msg


def test_bad_status_and_boolean(audit_dir: Path, tmp_path: Path) -> None:
    d = _copy(audit_dir, tmp_path / "d")
    frame = pd.read_parquet(d / "evidence.parquet")
    frame.loc[0, "status"] = "guessed"
    frame.to_parquet(d / "evidence.parquet")
    with pytest.raises(ReportInputError, match=r"evidence.parquet: row 2, column 'status': value 'guessed'"):
        load_audit(d)
    d2 = _copy(audit_dir, tmp_path / "e")
    (d2 / "framework.parquet").unlink()
    frame = pd.read_csv(d2 / "framework.csv")
    frame["pinned"] = frame["pinned"].astype(object)
    frame.loc[3, "pinned"] = "maybe"
    frame.to_csv(d2 / "framework.csv", index=False)
    with pytest.raises(ReportInputError, match=r"framework.csv: row 5, column 'pinned': value 'maybe' is not a bool"):
        load_audit(d2)


def test_manifest_errors(audit_dir: Path, tmp_path: Path) -> None:
    d = _copy(audit_dir, tmp_path / "f")
    (d / "manifest.json").write_text("{\n  \"sia_version\": \n}")
    with pytest.raises(ReportInputError, match=r"manifest.json: not valid JSON at line 3"):
        load_audit(d)
    manifest = synthetic_tables()[1]
    del manifest["methods"]
    (d / "manifest.json").write_text(json.dumps(manifest, default=str))
    with pytest.raises(ReportInputError, match=r"missing key\(s\) methods"):
        load_audit(d)
    (d / "manifest.json").unlink()
    with pytest.raises(ReportInputError, match=r"manifest.json is missing"):
        load_audit(d)
    with pytest.raises(ReportInputError, match=r"not a directory"):
        load_audit(tmp_path / "nowhere")


def test_unknown_scale_is_rejected(audit_dir: Path, tmp_path: Path) -> None:
    d = _copy(audit_dir, tmp_path / "g")
    frame = pd.read_parquet(d / "ranking.parquet")
    frame.loc[0, "scale"] = "gbs"
    frame.to_parquet(d / "ranking.parquet")
    with pytest.raises(ReportInputError, match=r"ranking.parquet: scale\(s\) gbs are not in scales.parquet"):
        load_audit(d)


def test_synthetic_fixture_invariants() -> None:
    """The synthetic audit respects the audit's invariants (so the report is tested on plausible data)."""
    tables, _ = synthetic_tables()
    st = tables["stability"]
    np.testing.assert_allclose(st.groupby("scale")["p_top_k"].sum().to_numpy(), 4.0, atol=1e-12)
    assert ((st["rank_p05"] <= st["median_rank"]) & (st["median_rank"] <= st["rank_p95"])).all()
    act = tables["activities"]
    assert ((act["lq_low"] <= act["lq"]) & (act["lq"] <= act["lq_high"])).all()
    comp = tables["complementarity"]
    me = comp[comp["parent"] == "me"].groupby("theme")["child_share"].sum()
    np.testing.assert_allclose(me.to_numpy(), 1.0, atol=1e-12)
    rk = tables["ranking"]
    for _, g in rk.groupby("scale"):
        assert (g.sort_values("score", ascending=False)["rank"].to_numpy() == np.arange(1, len(g) + 1)).all()


def test_synthetic_fixture_is_deterministic(tmp_path: Path) -> None:
    a, b = write_synthetic_audit(tmp_path / "a"), write_synthetic_audit(tmp_path / "b")
    for name in TABLES:
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), name
    assert (a / "manifest.json").read_bytes() == (b / "manifest.json").read_bytes()
