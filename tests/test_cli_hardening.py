"""Issue 18 at the command line: files in, files out, start-up, messages that survive a pipe.

No timing here (that is bench/bench_cli.py): start-up is checked by what ``sia`` imports, which is
what costs the time (numpy + pandas alone is about 0.4 s, scikit-learn 1.3 s).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sia import __version__
from sia.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "scipy", "xarray", "pyarrow", "sklearn", "networkx", "duckdb", "ibis", "httpx",
         "openpyxl", "jinja2", "sqlalchemy")  # (pydantic: typer itself uses it to parse options)

NOMIS = ('"DATE","GEOGRAPHY_NAME","GEOGRAPHY_CODE","INDUSTRY_NAME","INDUSTRY_CODE","EMPLOYMENT"\n'
         + "".join(f'{y},"{n}","{c}","{a} : x","{a}",{v}\n'
                   for y in (2020, 2021)
                   for n, c in (("West Midlands", "UKG3"), ("Shropshire and Staffordshire", "UKG2"),
                                ("Tees Valley and Durham", "UKC1"))
                   for a, v in (("01", 500), ("02", 75), ("10", 1200))))


def flat(text: str) -> str:
    return " ".join(text.split())


def imported_by(args: list[str], *, env: dict[str, str] | None = None) -> list[str]:
    """Heavy modules imported by running ``sia ARGS`` in a fresh interpreter."""
    code = (
        "import sys\n"
        "from sia.cli import main\n"
        f"sys.argv = ['sia', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('\\nHEAVY', [m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, **(env or {})}, cwd=REPO)
    line = [x for x in out.stdout.splitlines() if x.startswith("HEAVY ")]
    assert line, out.stdout + out.stderr
    return eval(line[-1].removeprefix("HEAVY "))  # a list literal printed above


# ------------------------------------------------------------------------------------------ start-up
def test_import_sia_cli_imports_no_heavy_library():
    code = f"import sys, sia.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["load", "--help"], ["compute", "--help"],
                                  ["io", "--help"], ["io", "multipliers", "--help"], ["fetch", "bres", "--help"],
                                  ["panel", "--help"], ["geography", "--help"], ["report", "--help"],
                                  ["audit", "--help"], ["serve", "--help"]])
def test_help_imports_no_heavy_library(args):
    assert imported_by(args) == []


def test_compute_does_not_import_scikit_learn(tmp_path):
    path = tmp_path / "bres.csv"
    path.write_text(NOMIS)
    assert "sklearn" not in imported_by(["compute", "eci", str(path), "-o", str(tmp_path / "eci.csv")])
    assert (tmp_path / "eci.csv").exists()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == __version__
    out = subprocess.run([sys.executable, "-c", "from sia.cli import main; main()", "--version"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == __version__


# ------------------------------------------------------------------------------------------ files out -> in
def test_aggregate_output_feeds_compute(tmp_path):
    src = tmp_path / "bres.csv"
    src.write_text(NOMIS)
    agg = tmp_path / "out.csv"
    result = runner.invoke(app, ["aggregate", str(src), "-g", "uk", "-l", "ITL1", "--year", "2021", "-o", str(agg)])
    assert result.exit_code == 0, result.output
    lq = tmp_path / "lq.csv"
    result = runner.invoke(app, ["compute", "lq", str(agg), "-o", str(lq)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(lq, dtype={"activity": str})
    assert {"TLC", "TLG"} <= set(frame["area"]) and set(frame["activity"]) == {"01", "02", "10"}
    # the same LQ as from the source file aggregated on the fly: nothing lost on the way through the CSV
    direct = pd.read_csv(agg, dtype={"activity": str})
    wm = direct[direct["area"] == "TLG"].set_index("activity")["value"]
    total = direct.groupby("activity")["value"].sum()
    expected = (wm / wm.sum()) / (total / total.sum())
    got = frame[frame["area"] == "TLG"].set_index("activity")["lq"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False, rtol=1e-12)
    info = runner.invoke(app, ["load", str(agg), "-o", str(tmp_path / "p.parquet")])
    assert info.exit_code == 0, info.output


def test_other_table_message_gives_the_cli_syntax(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("region,industry,year,jobs\nL1,x,2020,5\n")
    for args in (["load", str(path), "-o", str(tmp_path / "p.parquet")], ["compute", "lq", str(path), "-o", "-"],
                 ["aggregate", str(path), "-g", "uk", "-l", "LEP", "-o", str(tmp_path / "a.csv")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        text = flat(result.output)
        assert "--format table --mapping FILE" in text and "format='table'" not in text
        assert "Traceback" not in result.output


def test_compute_reads_a_mapped_table(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("region,industry,year,jobs\nL1,x,2020,5\nL1,y,2020,5\nL2,x,2020,10\nL2,y,2020,30\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('measure = "jobs"\narea = "region"\nactivity = "industry"\nyear = "year"\nvalue = "jobs"\n')
    result = runner.invoke(app, ["compute", "lq", str(path), "--format", "table", "--mapping", str(mapping),
                                 "-o", str(tmp_path / "lq.csv")])
    assert result.exit_code == 0, result.output
    lq = pd.read_csv(tmp_path / "lq.csv").set_index(["area", "activity"])["lq"]
    assert lq[("L1", "x")] == pytest.approx((5 / 10) / (15 / 50))


# ------------------------------------------------------------------------------------------ broken files
def broken_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = NOMIS.encode()
    files = {
        "header only": ("bres.csv", NOMIS.splitlines(keepends=True)[0].encode(),
                        "got 'a header and no data rows'; expected at least one data row after the header"),
        "empty": ("empty.csv", b"", "got 'an empty file'; expected a header line and at least one data row"),
        "bom only": ("bom.csv", b"\xef\xbb\xbf",
                     "got 'only a byte-order mark'; expected a header line and at least one data row"),
        "truncated gzip": ("bres.csv.gz", gzip.compress(good * 50)[:200], "expected a complete gzip file"),
        "duplicated columns": ("dup.csv",
                               b"DATE,GEOGRAPHY_CODE,INDUSTRY_CODE,EMPLOYMENT,EMPLOYMENT\n2020,UKG3,01,5,6\n",
                               "expected unique column names ('EMPLOYMENT' appears 2 times: columns 4 and 5)"),
    }
    out = {}
    for case, (name, data, message) in files.items():
        path = tmp_path / case.replace(" ", "_") / name
        path.parent.mkdir()
        path.write_bytes(data)
        out[case] = (path, message)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    out["directory"] = (folder, "got 'a directory'; expected a file")
    return out


@pytest.mark.parametrize("command", ["load", "compute", "aggregate", "info"])
def test_broken_inputs_are_one_line_errors(tmp_path, command):
    for case, (path, message) in broken_files(tmp_path).items():
        out = tmp_path / "out"
        args = {"load": ["load", str(path), "-o", str(out)], "compute": ["compute", "lq", str(path), "-o", str(out)],
                "aggregate": ["aggregate", str(path), "-g", "uk", "-l", "ITL1", "-o", str(out)],
                "info": ["info", str(path)]}[command]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (case, result.output)
        lines = [x for x in result.output.splitlines() if x.strip()]
        assert len(lines) == 1, (case, result.output)
        assert lines[0].startswith(f"error: {path}: "), (case, result.output)
        if command != "info" or case == "directory":  # `sia info` reads panels: a CSV is not a Parquet file
            assert message in lines[0], (case, result.output)
        assert not out.exists()


def test_audit_with_a_truncated_input_is_one_line(tmp_path):
    data = tmp_path / "data"
    (data / "employment").mkdir(parents=True)
    (data / "employment" / "bres.csv.gz").write_bytes(gzip.compress(NOMIS.encode() * 50)[:200])
    config = REPO / "examples" / "midlands-engine.toml"
    text = config.read_text().replace('"employment/bres_itl2_sic5_employment_2015_2021.csv.gz"',
                                      '"employment/bres.csv.gz"')
    assert "employment/bres.csv.gz" in text
    shared = Path(os.environ.get("SIA_SHARED_DATA", REPO.parent / "shared" / "data"))
    for entry in shared.iterdir():  # every other input as shared (symlinks: nothing copied)
        if entry.is_dir() and entry.name != "employment":
            (data / entry.name).symlink_to(entry)
    for f in (shared / "employment").iterdir():
        (data / "employment" / f.name).symlink_to(f)
    cfg = tmp_path / "audit.toml"
    cfg.write_text(text)
    result = runner.invoke(app, ["audit", str(cfg), "-o", str(tmp_path / "out"), "--data-dir", str(data), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "Aborted" not in result.output and "Traceback" not in result.output
    assert f"{data / 'employment' / 'bres.csv.gz'}: got 'a truncated or corrupt gzip stream" in flat(result.output)


# ------------------------------------------------------------------------------------------ messages in a pipe
def test_errors_are_not_wrapped_whatever_the_width(tmp_path):
    deep = tmp_path.joinpath(*(["a-rather-long-directory-name"] * 6))
    deep.mkdir(parents=True)
    path = deep / "bres.csv"
    path.write_text(NOMIS.splitlines(keepends=True)[0])
    for columns in ("20", "80", "400"):
        result = runner.invoke(app, ["load", str(path), "-o", str(tmp_path / "p.parquet")], env={"COLUMNS": columns})
        assert result.exit_code == 2
        assert (f"error: {path}: got 'a header and no data rows'; expected at least one data row after the header"
                in result.output.splitlines())
    missing = deep / "no-audit-here"
    for args in (["report", str(missing), "-o", str(tmp_path / "r.html")],
                 ["compute", "lq", str(path), "-o", str(tmp_path / "lq.csv")],
                 ["aggregate", str(path), "-g", "uk", "-l", "ITL1", "-o", str(tmp_path / "a.csv")]):
        result = runner.invoke(app, args, env={"COLUMNS": "20"})
        assert result.exit_code == 2
        lines = [x for x in result.output.splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        assert str(path) in lines[0] or str(missing) in lines[0]
    code = ("import sys; sys.argv = ['sia', 'load', sys.argv[1], '-o', sys.argv[2]]\n"
            "from sia.cli import main\nmain()")
    out = subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "p.parquet")], capture_output=True,
                         text=True, timeout=120, env={**os.environ, "COLUMNS": "30"})
    assert out.returncode == 2
    assert out.stderr.splitlines()[-1] == (f"error: {path}: got 'a header and no data rows'; expected at least one "
                                           "data row after the header")


# ------------------------------------------------------------------------------------------ fetch
def test_fetch_dry_run_needs_no_output(tmp_path):
    for args in (["fetch", "bres", "-g", "TYPE450", "--years", "2021", "--sic-level", "2", "--dry-run"],
                 ["fetch", "ubc", "-g", "TYPE450", "--years", "2021", "--broad-industry", "--dry-run"],
                 ["fetch", "geography", "lad23-itl21", "--dry-run"]):
        result = runner.invoke(app, [*args, "--cache-dir", str(tmp_path / "cache")])
        assert result.exit_code == 0, result.output
        assert "https://" in result.output
    result = runner.invoke(app, ["fetch", "bres", "-g", "TYPE450", "--years", "2021", "--sic-level", "2",
                                 "--offline", "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 2 and "-o" in result.output and "--dry-run" in flat(result.output)
