"""`sia io ...` through typer's CliRunner on the 3-sector table (values checked against hand/pymrio numbers)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sia.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def io3_args(shared_reference) -> list[str]:
    return [str(shared_reference("inputs/io3_Z.csv")), "--industry-file",
            str(shared_reference("inputs/io3_final_demand_va.csv"))]


def run(*args: str) -> pd.DataFrame:
    res = runner.invoke(app, ["io", *args])
    assert res.exit_code == 0, res.output
    return pd.read_csv(io.StringIO(res.stdout))


def test_help_lists_commands_and_options() -> None:
    res = runner.invoke(app, ["io", "--help"])
    assert res.exit_code == 0
    for cmd in ("load", "coefficients", "leontief", "multipliers", "linkages", "extraction", "regionalise",
                "embeddedness"):
        assert cmd in res.output
    res = runner.invoke(app, ["io", "regionalise", "--help"])
    for opt in ("--method", "--delta", "--employment", "--area"):
        assert opt in res.output


def test_matrices_are_tidy(io3_args, shared_reference) -> None:
    A = run("coefficients", *io3_args)
    assert list(A.columns) == ["row", "column", "value"] and len(A) == 9
    gold = pd.read_csv(shared_reference("pymrio/io3_L.csv"), header=[0, 1], index_col=[0, 1]).to_numpy(float)
    L = run("leontief", *io3_args).pivot(index="row", columns="column", values="value")
    np.testing.assert_allclose(L.loc[["AGR", "MAN", "SER"], ["AGR", "MAN", "SER"]].to_numpy(), gold, rtol=1e-9)
    assert A.set_index(["row", "column"]).loc[("MAN", "SER"), "value"] == pytest.approx(400 / 1500)


def test_per_industry_results(io3_args, shared_reference) -> None:
    m = run("multipliers", *io3_args)
    assert list(m.columns[:2]) == ["industry", "output_I"]
    gold = pd.read_csv(shared_reference("pymrio/io3_M_multipliers.csv"), header=[0, 1], index_col=0)
    np.testing.assert_allclose(m["employment_I"], gold.loc["employment"].to_numpy(float), rtol=1e-9)
    lk = run("linkages", *io3_args)
    assert lk["backward_total_norm"].mean() == pytest.approx(1.0) and "key_sector" in lk
    ex = run("extraction", *io3_args)
    assert {"complete", "backward", "forward"} <= set(ex.columns)
    bal = run("load", *io3_args)
    assert (bal["row_diff"] == 0).all()


def test_regionalise_and_embeddedness(io3_args, shared_reference, tmp_path: Path) -> None:
    emp = str(shared_reference("inputs/io3_employment_region_nation.csv"))
    A = run("regionalise", *io3_args, "--method", "flq", "--delta", "0.3", "--employment", emp, "--area", "region",
            "--national", "nation").pivot(index="row", columns="column", values="value")
    lam = math.log2(1.09) ** 0.3
    s_man, s_ser = (1500 / 4500) / 0.4, (2200 / 4500) / 0.5
    # a^R[MAN, SER] = (400/1500) * min(SLQ_MAN / SLQ_SER * lambda, 1)
    assert A.loc["MAN", "SER"] == pytest.approx(400 / 1500 * min(s_man / s_ser * lam, 1), rel=1e-12)
    e = run("embeddedness", *io3_args, "--industries", "MAN", "--employment", emp, "--area", "region",
            "--national", "nation", "--neighbours", str(tmp_path / "nb.csv")).set_index("measure")["value"]
    assert 0 <= e["local_input_share"] <= 1
    assert e["regional_output_multiplier"] < e["national_output_multiplier"]
    nb = pd.read_csv(tmp_path / "nb.csv")
    assert set(nb["direction"]) == {"upstream", "downstream"} and "MAN" not in set(nb["industry"])


def test_errors_exit_2_with_one_line(io3_args, shared_reference, tmp_path: Path) -> None:
    res = runner.invoke(app, ["io", "regionalise", *io3_args, "--employment",
                              str(shared_reference("inputs/io3_employment_region_nation.csv")), "--area", "nowhere"])
    assert res.exit_code == 2 and "area 'nowhere' not found" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["io", "embeddedness", *io3_args, "--industries", "XXX", "--employment",
                              str(shared_reference("inputs/io3_employment_region_nation.csv")), "--area", "region",
                              "--national", "nation"])
    assert res.exit_code == 2 and "XXX" in res.output
    bad = tmp_path / "Z.csv"
    bad.write_text("sector,AGR,MAN,SER\nAGR,150,500,50\nMAN,200,100,400\nSER,300,500,70\n")
    res = runner.invoke(app, ["io", "leontief", str(bad), "--industry-file", io3_args[2]])
    assert res.exit_code == 2 and "SER" in res.output and "unbalanced" in res.output


def test_employment_command(shared_data, tmp_path: Path) -> None:
    out = tmp_path / "emp.csv"
    sic5 = str(shared_data("employment/bres_itl2_sic5_employment_2015_2021.csv.gz"))
    ons = str(shared_data("io/ons_ioat_2019_industry_by_industry_domestic_use_long.csv"))
    res = runner.invoke(app, ["io", "employment", sic5,
                              "--bridge", str(shared_data("io/sic2_to_ioat_industry_lookup_cspence.csv")),
                              "--table", ons,
                              "--year", "2021", "--area", "TLG=UKG1,UKG2,UKG3", "--area", "GB=ALL", "-o", str(out)])
    assert res.exit_code == 0, res.output
    e = pd.read_csv(out).pivot(index="industry", columns="area", values="employment")
    assert e.loc["C29", "TLG"] == pytest.approx(56_480) and e["GB"].sum() == pytest.approx(31_366_000)
