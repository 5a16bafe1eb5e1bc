"""``sia compute eci`` / ``pci`` on a clean trade file: read straight to a matrix, the same bytes as the panel path.

The fast path (:mod:`sia.sources.trade_arrow`, :mod:`sia.compute.presence`, :mod:`sia.compute.csv_out`) must
(1) write exactly what the panel path writes, (2) take only files that the validating loader would load whole
and read the same way (anything else goes to the loader, which names the problem), and (3) import neither
pandas, xarray nor scipy (the reason it exists: bench/bench_cli.py).
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sia.cli import app
from sia.compute.csv_out import write_csv
from sia.compute.registry import ComputeRequest, load_all
from sia.sources import load
from sia.sources.errors import LoadError
from sia.sources.trade_arrow import read_clean_matrix

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
OTS_2017 = "trade/ots_world_trade_country_hs4_exports_2017.csv.gz"
HEADER = '"reporter_iso","product_code","export_value_usd"\n'

# a small clean OTS file: 5 countries x 4 products = 20 cells, 17 rows (3 absent), two NA (no trade)
ROWS = [("aaa", "0101", "500"), ("aaa", "0102", "NA"), ("aaa", "2701", "30"), ("aaa", "8703", "2.5"),
        ("bbb", "0101", "80"), ("bbb", "0102", "900"), ("bbb", "2701", "1e3"),
        ("ccc", "0101", "10"), ("ccc", "2701", "700"), ("ccc", "8703", "NA"),
        ("ddd", "0102", "40"), ("ddd", "2701", "5"), ("ddd", "8703", "600"),
        ("eee", "0101", "300"), ("eee", "0102", "20"), ("eee", "2701", "60"), ("eee", "8703", "90")]


def write_ots(path: Path, rows: list[tuple[str, str, str]], header: str = HEADER) -> Path:
    body = header + "".join(f'"{a}","{p}",{v}\n' for a, p, v in rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(body.encode(), mtime=0))
    else:
        path.write_text(body, encoding="utf-8")
    return path


def panel_path_csv(path: Path, metric: str, params: dict[str, str]) -> str:
    """What the panel path writes: the validating loader, the registry adapter, ``DataFrame.to_csv``."""
    panel = load(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = load_all()[metric].compute(ComputeRequest(panel=panel, years=(max(panel.years),), params=params))
    return frame.to_csv(index=False)


def cli_csv(path: Path, metric: str, params: dict[str, str], out: Path) -> tuple[str, str]:
    args = ["compute", metric, str(path), "-o", str(out)]
    for k, v in params.items():
        args += ["-p", f"{k}={v}"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8"), result.output


# ------------------------------------------------------------------------------------------ same bytes
@pytest.mark.parametrize(("metric", "params"), [
    ("eci", {}), ("eci", {"convention": "ecomplexity"}), ("pci", {}),
    ("eci", {"method": "reflections", "steps": "10"}), ("pci", {"threshold": "0.5", "standardise": "n-1"}),
])
def test_fast_path_writes_the_panel_paths_bytes(tmp_path, metric, params):
    path = write_ots(tmp_path / "ots_exports_2017.csv", ROWS)
    assert read_clean_matrix(path) is not None  # the fast path is the one taken
    text, output = cli_csv(path, metric, params, tmp_path / "out.csv")
    assert text == panel_path_csv(path, metric, params)
    assert "presence M = 1{LQ >=" in output and "3 missing or suppressed cell(s) read as 0" in output


def test_fast_path_on_the_ots_file_matches_the_panel_path(shared_data, tmp_path):
    path = shared_data(OTS_2017)
    matrix = read_clean_matrix(path)
    assert matrix is not None and matrix.values.shape == (224, 1222) and matrix.year == 2017
    assert matrix.n_rows == 233_432 and int(np.isnan(matrix.values).sum()) == 224 * 1222 - 233_432
    for metric, params in (("eci", {"convention": "ecomplexity"}), ("pci", {})):
        text, _ = cli_csv(path, metric, params, tmp_path / f"{metric}.csv")
        assert text == panel_path_csv(path, metric, params)


def test_fast_path_matrix_is_the_panels_matrix(tmp_path):
    path = write_ots(tmp_path / "ots_exports_2017.csv.gz", ROWS)
    matrix = read_clean_matrix(path)
    panel = load(path)
    assert matrix.areas == panel.areas and matrix.products == panel.activities
    np.testing.assert_array_equal(matrix.values, panel.matrix(2017))  # NaN where absent, NA -> 0, same order
    assert matrix.n_na == 2


def test_fast_path_imports_neither_pandas_nor_scipy(shared_data, tmp_path):
    # (scipy is imported only for a network in pieces, as the small file above is: not the OTS file)
    path = shared_data(OTS_2017)
    code = (
        "import sys\nfrom sia.cli import main\n"
        f"sys.argv = ['sia', 'compute', 'eci', {str(path)!r}, '-o', {str(tmp_path / 'o.csv')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('\\nHEAVY', [m for m in ('pandas', 'scipy', 'xarray', 'sklearn') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ}, cwd=REPO)
    assert "\nHEAVY []" in out.stdout, out.stdout + out.stderr
    assert (tmp_path / "o.csv").read_text().startswith("area,year,eci,diversity,flag\nafg,2017,")


# ------------------------------------------------------------------------------ only what the loader takes
DECLINED = {
    "a marker of a suppressed cell": [("aaa", "0101", "*")],
    "a thousands separator": [("aaa", "0101", '"1,234"')],
    "a decimal comma": [("aaa", "0101", '"12,5"')],
    "spaces around a code": [(" aaa", "0101", "12")],
    "a lower-case na": [("aaa", "0101", "na")],
    "an empty value": [("aaa", "0101", "")],
    "a negative value": [("aaa", "0101", "-5")],
    "nan": [("aaa", "0101", "nan")],
    "inf": [("aaa", "0101", "inf")],
    "a 3-digit product": [("aaa", "101", "12")],
    "a 2-letter country": [("aa", "0101", "12")],
    "a repeated pair": [("bbb", "0101", "12")],
}


@pytest.mark.parametrize("case", sorted(DECLINED))
def test_fast_path_declines_what_it_is_not_sure_of(tmp_path, case):
    rows = ROWS + DECLINED[case] if case == "a repeated pair" else DECLINED[case] + ROWS[1:]
    path = write_ots(tmp_path / "ots_exports_2017.csv", rows)
    assert read_clean_matrix(path) is None
    # and the command falls back to the loader: its result or its one-line error
    result = runner.invoke(app, ["compute", "eci", str(path), "-o", str(tmp_path / "o.csv")])
    try:
        expected = panel_path_csv(path, "eci", {})
    except (LoadError, ValueError):
        assert result.exit_code == 2 and "error:" in result.output
    else:
        assert result.exit_code == 0 and (tmp_path / "o.csv").read_text() == expected


@pytest.mark.parametrize("body", [
    "",  # empty file
    HEADER,  # a header without rows
    '"reporter_iso","product_code","export_value_usd","extra"\n"aaa","0101",5,1\n',  # another layout
    '\ufeff' + HEADER + '"aaa","0101",5\n"bbb","0102",7\n',  # a byte-order mark: the loader reads it
])
def test_fast_path_declines_other_files(tmp_path, body):
    path = tmp_path / "ots_exports_2017.csv"
    path.write_text(body, encoding="utf-8")
    matrix = read_clean_matrix(path)
    if matrix is not None:  # only if Arrow read exactly what the loader reads
        panel = load(path)
        np.testing.assert_array_equal(matrix.values, panel.matrix(2017))
    assert read_clean_matrix(tmp_path / "ots_exports.csv") is None  # no year in the name: the loader asks
    assert read_clean_matrix(tmp_path) is None  # a directory


@pytest.mark.parametrize("text", ["5", "5.", ".5", "0005", "1e5", "1E-3", "2.5e+2", "123456789012345678", "0.1",
                                  "+5", "1_000", "0x10", "5d", "١٢", " 12 ", '" 12 "'])
def test_every_number_the_fast_path_takes_the_loader_reads_the_same(tmp_path, text):
    """Soundness: a value spelling Arrow accepts must be one the loader accepts, with the same float."""
    path = write_ots(tmp_path / "ots_exports_2017.csv", [("aaa", "0101", text), *ROWS[1:]])
    matrix = read_clean_matrix(path)
    if matrix is None:
        return
    panel = load(path)
    assert matrix.values[0, 0] == panel.matrix(2017)[0, 0]


def test_a_truncated_gzip_goes_to_the_loader(tmp_path):
    path = write_ots(tmp_path / "ots_exports_2017.csv.gz", ROWS * 1)
    path.write_bytes(path.read_bytes()[:-12])
    assert read_clean_matrix(path) is None
    result = runner.invoke(app, ["compute", "eci", str(path), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "error:" in result.output


def test_options_the_fast_path_does_not_cover_take_the_panel_path(tmp_path):
    path = write_ots(tmp_path / "ots_exports_2017.csv", ROWS)
    # another year than the file's: the panel path's error
    result = runner.invoke(app, ["compute", "eci", str(path), "-y", "2016", "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "2016" in result.output
    # a reference area: the panel path (which removes it from the areas)
    result = runner.invoke(app, ["compute", "eci", str(path), "-r", "eee", "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 0, result.output
    assert "eee" not in pd.read_csv(tmp_path / "o.csv")["area"].tolist()
    # an unknown parameter: the same message on both paths
    result = runner.invoke(app, ["compute", "eci", str(path), "-p", "nope=1", "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "unknown parameter(s) ['nope']" in " ".join(result.output.split())


# ----------------------------------------------------------------------------------------- csv_out
def test_write_csv_matches_pandas_byte_for_byte():
    columns = {
        "area": np.array(["a", "b,c", 'q"uote', "new\nline", None, "é"], dtype=object),
        "year": np.array([2017, 2017, 2018, 2018, 2019, -1], dtype=np.int64),
        "value": np.array([68.0, np.nan, 1e-5, 1e16, -0.0, 0.1 + 0.2]),
        "flag": np.array(["", "nan_input", "", "empty", float("nan"), "x"], dtype=object),
        "present": np.array([True, False, True, False, True, False]),
        "small": np.array([1, 2, 3, 4, 5, 6], dtype=np.int8),
    }
    out = io.StringIO()
    write_csv(columns, out)
    assert out.getvalue() == pd.DataFrame(columns).to_csv(index=False)


def test_dense_complexity_does_not_import_scipy():
    code = ("import sys, numpy as np\nfrom sia.metrics.complexity import eci_pci\n"
            "M = (np.random.default_rng(1).random((30, 60)) < 0.3).astype(float)\n"
            "r = eci_pci(M, warn=False)\nassert np.isfinite(r.eci).all()\nprint('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"
