"""The Excel workbook: each sheet's table equals the audit's table; README and provenance sheets; CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from report_fixtures import write_synthetic_audit
from sia.report.loader import CONTRACT, AuditOutput, load_audit
from sia.report.workbook import write_workbook


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> AuditOutput:
    return load_audit(write_synthetic_audit(tmp_path_factory.mktemp("audit")))


@pytest.fixture(scope="module")
def xlsx(audit: AuditOutput, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(audit, tmp_path_factory.mktemp("wb") / "audit.xlsx")


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v == ""


def test_every_table_sheet_equals_the_audit_table(audit: AuditOutput, xlsx: Path) -> None:
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == ["README", *CONTRACT, "provenance"]
    for name in CONTRACT:
        frame = audit.tables[name]
        rows = list(wb[name].iter_rows(values_only=True))
        assert list(rows[0]) == [str(c) for c in frame.columns], name
        body = rows[1:]
        assert len(body) == len(frame), name
        for j, col in enumerate(frame.columns):
            expected = frame[col].tolist()
            got = [r[j] for r in body]
            if pd.api.types.is_bool_dtype(frame[col]):
                assert got == expected, (name, col)
            elif pd.api.types.is_numeric_dtype(frame[col]):
                e = np.array([np.nan if _missing(v) else float(v) for v in expected])
                g = np.array([np.nan if _missing(v) else float(v) for v in got])
                # tolerance 1e-12, absolute and relative: openpyxl writes floats as '%.16g' (16 significant
                # digits) while an exact float round trip needs 17, so large values differ in the last digit.
                np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=f"{name}.{col}")
            else:
                e = ["" if _missing(v) else str(v) for v in expected]
                g = ["" if _missing(v) else str(v) for v in got]
                assert g == e, (name, col)
    wb.close()


def test_sheets_are_formatted(xlsx: Path, audit: AuditOutput) -> None:
    wb = load_workbook(xlsx)
    ws = wb["evidence"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:K{len(audit.tables['evidence']) + 1}"
    assert ws["A1"].font.bold and ws["A1"].fill.start_color.rgb == "FF0072B2"
    readme = [r for r in wb["README"].iter_rows(values_only=True)]
    assert readme[0][0] == "Midlands Engine SIA (synthetic test audit)"
    assert any(r[0] == "evidence" and r[1] == len(audit.tables["evidence"]) for r in readme if r)
    assert any("SYNTHETIC" in str(r[0]) for r in readme if r)
    prov = [r for r in wb["provenance"].iter_rows(values_only=True)]
    keys = {r[0] for r in prov if r}
    assert set(audit.manifest["inputs"]) <= keys  # every input with its checksum
    sha = {r[0]: r[2] for r in prov if r and r[0] in audit.manifest["inputs"]}
    assert sha == {k: v["sha256"] for k, v in audit.manifest["inputs"].items()}
    assert any(r and r[0] == "Location quotient" for r in prov)  # methods block


def test_cli_report_writes_html_and_workbook_and_fails_cleanly(audit: AuditOutput, tmp_path: Path) -> None:
    from sia.cli.report import register

    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer in group mode ("sia report ...")
        """No-op."""

    runner = CliRunner()
    res = runner.invoke(app, ["report", str(audit.outdir), "-o", str(tmp_path / "r.html"), "--xlsx",
                              str(tmp_path / "r.xlsx")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r.html").stat().st_size > 4_000_000 and (tmp_path / "r.xlsx").exists()
    assert "Maps skipped: no boundaries configured" in res.output
    res = runner.invoke(app, ["report", str(tmp_path / "missing"), "-o", str(tmp_path / "x.html")])
    assert res.exit_code == 2 and "not a directory" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["report", str(audit.outdir), "-o", str(tmp_path / "x.html"), "--geojson", "LAD"])
    assert res.exit_code == 2 and "LEVEL=PATH" in res.output
