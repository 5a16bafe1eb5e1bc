"""The Excel workbook: each sheet's table equals the audit's table; README and provenance sheets; CLI."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from report_fixtures import write_synthetic_audit
from sia.report.loader import CONTRACT, AuditOutput, load_audit
from sia.report.workbook import SHEET_NAMES, sheet_columns, write_workbook

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> AuditOutput:
    return load_audit(write_synthetic_audit(tmp_path_factory.mktemp("audit")))


@pytest.fixture(scope="module")
def xlsx(audit: AuditOutput, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(audit, tmp_path_factory.mktemp("wb") / "audit.xlsx")


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v == ""


def test_every_table_sheet_equals_the_audit_table(audit: AuditOutput, xlsx: Path) -> None:
    """Each sheet holds its audit table's values exactly, under human headers, with name columns beside codes."""
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == ["README", *(SHEET_NAMES[n] for n in CONTRACT), "Provenance"]
    for name in CONTRACT:
        frame = audit.tables[name]
        rows = list(wb[SHEET_NAMES[name]].iter_rows(values_only=True))
        layout = sheet_columns(name, audit)
        assert list(rows[0]) == [h for h, _ in layout], name
        assert [c for _, c in layout if c is not None] == [str(c) for c in frame.columns], name
        assert not [h for h, _ in layout if SNAKE.search(h)], (name, [h for h, _ in layout])  # no snake_case header
        body = rows[1:]
        assert len(body) == len(frame), name
        for j, (_, col) in enumerate(layout):
            if col is None:
                continue
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


def test_names_beside_codes_and_number_formats(xlsx: Path, audit: AuditOutput) -> None:
    wb = load_workbook(xlsx)
    ws = wb["Evidence"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Scale id", "Scale name", "Theme id", "Theme name", "Indicator id", "Indicator name"]
    first = [c.value for c in ws[2]]
    ev = audit.tables["evidence"].iloc[0]
    assert first[1] == "East Midlands" and first[0] == ev["scale"]
    assert first[5] == "Complexity outlook gain" and first[4] == "cog"  # the indicators table's label
    units = dict(zip(header, range(1, len(header) + 1), strict=True))
    by_unit = {}
    for r in range(2, ws.max_row + 1):
        value = ws.cell(r, units["Value (in the row's unit)"])
        by_unit.setdefault(ws.cell(r, units["Unit"]).value, value.number_format)
    assert by_unit["share"] == "0.0%" and by_unit["ratio"] == "0.00" and by_unit["jobs"] == "#,##0"
    act = wb["Industries"]
    head = [c.value for c in act[1]]
    assert act.cell(2, head.index("Jobs") + 1).number_format == "#,##0"
    assert act.cell(2, head.index("Location quotient (ratio)") + 1).number_format == "0.00"
    assert act.cell(2, head.index("Share of the area's jobs (%)") + 1).number_format == "0.0%"
    sup = wb["Supply chains"]
    head = [c.value for c in sup[1]]
    assert "Upstream industries" in head and "Upstream IOAT codes" in head
    assert "Motor vehicles" in " ".join(str(sup.cell(r, head.index("Upstream industries") + 1).value)
                                        for r in range(2, sup.max_row + 1))
    assert header[header.index("Source (input key)") + 1] == "Source"  # the input's name beside its key
    opp = wb["Opportunities"]
    head = [c.value for c in opp[1]]
    q = head.index("Quadrant id")
    assert head[q + 1] == "Opportunity quadrant"
    assert {opp.cell(r, q + 2).value for r in range(2, opp.max_row + 1)} >= {"Already specialised"}
    links = wb["Relatedness links"]
    assert [c.value for c in links[1]][:4] == ["SIC code A", "Industry A", "SIC code B", "Industry B"]
    assert all(links.cell(r, 2).value for r in range(2, links.max_row + 1))
    scales = wb["Scales"]
    head = [c.value for c in scales[1]]
    assert head[head.index("Parent id") + 1] == "Parent name"
    comp = wb["Complementarity"]
    head = [c.value for c in comp[1]]
    names = {comp.cell(r, head.index("Child name") + 1).value for r in range(2, comp.max_row + 1)}
    assert "Rest of West Midlands" in names and "_rest" not in names


def test_sheets_are_formatted(xlsx: Path, audit: AuditOutput) -> None:
    wb = load_workbook(xlsx)
    ws = wb["Evidence"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:O{len(audit.tables['evidence']) + 1}"  # 11 columns + 4 name columns
    assert ws["A1"].font.bold and ws["A1"].fill.start_color.rgb == "FF0072B2"
    readme = [r for r in wb["README"].iter_rows(values_only=True)]
    assert readme[0][0] == "Midlands Engine SIA (synthetic test audit)"
    assert readme[1][0] == "Evidence 2015 to 2022"  # dated from the config, not the clock
    assert any(r[0] == "Evidence" and r[1] == len(audit.tables["evidence"]) for r in readme if r)
    assert any("SYNTHETIC" in str(r[0]) for r in readme if r)
    prov = [r for r in wb["Provenance"].iter_rows(values_only=True)]
    keys = {r[0] for r in prov if r}
    assert set(audit.manifest["inputs"]) <= keys  # every input with its checksum
    sha = {r[0]: r[2] for r in prov if r and r[0] in audit.manifest["inputs"]}
    assert sha == {k: v["sha256"] for k, v in audit.manifest["inputs"].items()}
    assert any(r and r[0] == "Location quotient" for r in prov)  # methods block


def test_workbook_is_byte_identical_for_the_same_audit(audit: AuditOutput, xlsx: Path, tmp_path: Path) -> None:
    again = write_workbook(audit, tmp_path / "again.xlsx")
    assert again.read_bytes() == xlsx.read_bytes()


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
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="plotly-gz"' in html and 1_500_000 < len(html) < 6_000_000  # plotly.js once, compressed
    assert (tmp_path / "r.xlsx").exists()
    assert "Maps skipped: no boundaries configured" in res.output
    # the message is one line whatever the terminal width and the length of the path (rich must not wrap it)
    missing = tmp_path.joinpath(*["a-long-directory-name"] * 8, "missing")
    res = runner.invoke(app, ["report", str(missing), "-o", str(tmp_path / "x.html")], env={"COLUMNS": "40"})
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert any(line.startswith(f"error: {missing}: not a directory") for line in res.output.splitlines()), res.output
    res = runner.invoke(app, ["report", str(audit.outdir), "-o", str(tmp_path / "x.html"), "--geojson", "LAD"])
    assert res.exit_code == 2 and "LEVEL=PATH" in res.output
