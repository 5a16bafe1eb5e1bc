"""``sia compute``: the command line over the metric registry.

Checks the fixed column names, the reference options (file / area of the input), year selection,
``--list`` and the one-line errors (exit code 2), with EconGeo golden files and hand computations
as references for the numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from typer.testing import CliRunner

from sia.cli import app
from sia.compute.registry import load_all
from sia.panel import Panel

runner = CliRunner()

ISSUE_METRICS = ["lq", "rca-binary", "lq-ci", "krugman", "hoover-coefficient", "herfindahl", "entropy", "hachman",
                 "lq-avg", "gini", "locational-gini", "hoover-index", "diversity", "ubiquity", "variety", "growth",
                 "entry-exit", "shift-share"]


def _long(path, year: int) -> pd.DataFrame:
    d = pd.read_csv(path).melt(id_vars="region", var_name="activity", value_name="value")
    return d.rename(columns={"region": "area"}).assign(year=year)


@pytest.fixture(scope="module")
def files(shared_reference, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    frame = pd.concat([_long(shared_reference("inputs/X1_employment_2020.csv"), 2020),
                       _long(shared_reference("inputs/X2_employment_2021.csv"), 2021)])
    x = Panel.from_frame(frame, measure="employment", unit="jobs").to_parquet(tmp / "x.parquet")
    nat = pd.read_csv(shared_reference("inputs/national_employment_2020_2021.csv"))
    nat_long = pd.concat([pd.DataFrame({"area": "NAT", "activity": nat["industry"], "year": y,
                                        "value": nat[f"nat_{y}"].astype(float)}) for y in (2020, 2021)])
    n = Panel.from_frame(nat_long, measure="employment", unit="jobs").to_parquet(tmp / "nat.parquet")
    return tmp, x, n


def _run(*args: str):
    return runner.invoke(app, ["compute", *map(str, args)])


def test_list_shows_every_registered_metric_with_formula():
    res = _run("--list")
    assert res.exit_code == 0, res.output
    registry = load_all()
    for name in ISSUE_METRICS:
        assert name in registry
    text = " ".join(res.output.split())
    for name, spec in registry.items():
        assert name in res.output
        # formulas keep their brackets (no rich markup eaten), possibly wrapped
        assert spec.formula.split()[0] in text
    assert "X[r,c]/X[r,.]" in text


def test_lq_output_matches_econgeo(files, shared_reference):
    tmp, x, _ = files
    out = tmp / "lq.csv"
    res = _run("lq", x, "--year", "2020", "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["area", "activity", "year", "lq"]
    wide = df.pivot(index="area", columns="activity", values="lq")
    golden = pd.read_csv(shared_reference("econgeo/X1_location_quotient.csv"), index_col=0)
    assert_allclose(wide.loc[golden.index, golden.columns].to_numpy(), golden.to_numpy(), rtol=1e-9)
    # default year for a cross-sectional metric is the latest
    res = _run("lq", x, "-o", out)
    assert res.exit_code == 0 and set(pd.read_csv(out).year) == {2021}
    res = _run("lq", x, "--all-years", "-o", out)
    assert res.exit_code == 0 and set(pd.read_csv(out).year) == {2020, 2021}


def test_shift_share_with_reference_file(files):
    tmp, x, nat = files
    out = tmp / "ss.csv"
    res = _run("shift-share", x, "--reference", nat, "--param", "method=esteban-marquillas", "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["area", "activity", "base_year", "year", "change", "national_share", "industry_mix",
                                "competitive_effect", "homothetic_competitive_effect", "allocation_effect"]
    assert len(df) == 6 * 6 and (df[df.activity == "_total"].shape[0] == 6)
    r1 = df[(df.area == "R1") & (df.activity == "I1")].iloc[0]
    # hand: R1/I1 120 -> 126; national 12500 -> 13752, I1 2950 -> 3000
    g, gi = 13752 / 12500 - 1, 3000 / 2950 - 1
    assert_allclose([r1.national_share, r1.industry_mix, r1.competitive_effect],
                    [120 * g, 120 * (gi - g), 126 - 120 * (1 + gi)], rtol=1e-12)
    assert_allclose(df.national_share + df.industry_mix + df.competitive_effect, df.change, rtol=1e-12, atol=1e-12)
    tot = df[(df.area == "R1") & (df.activity == "_total")].iloc[0]
    assert_allclose(tot.change, 12.0)  # R1: 200 -> 212


def test_reference_area_of_the_input(files):
    tmp, x, _ = files
    out = tmp / "lqr.csv"
    res = _run("lq", x, "--reference", "R4", "--year", "2020", "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert "R4" not in set(df.area)  # the reference area is excluded from the areas
    # hand: R1/I1 against R4: (120/200) / (50/250) = 0.6 / 0.2 = 3
    assert_allclose(df[(df.area == "R1") & (df.activity == "I1")].lq.iloc[0], 3.0, rtol=1e-12)


def test_variety_and_population_files(files):
    tmp, x, _ = files
    groups = tmp / "groups.csv"
    pd.DataFrame({"activity": ["I1", "I2", "I3", "I4", "I5"], "group": ["A", "A", "B", "B", "B"]}).to_csv(
        groups, index=False)
    out = tmp / "v.csv"
    res = _run("variety", x, "--param", f"groups={groups}", "--param", "base=e", "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["area", "year", "entropy", "unrelated_variety", "related_variety"]
    assert_allclose(df.unrelated_variety + df.related_variety, df.entropy, rtol=1e-12)
    # R4 in 2021: 51, 55, 49, 58, 50 of 263; groups A = 106, B = 157
    p_a = 106 / 263
    r4 = df[df.area == "R4"].iloc[0]
    assert_allclose(r4.unrelated_variety, -(p_a * np.log(p_a) + (1 - p_a) * np.log(1 - p_a)), rtol=1e-12)
    pop = tmp / "pop.csv"
    pd.DataFrame({"area": [f"R{i}" for i in range(1, 7)], "population": [400, 350, 300, 500, 250, 300]}).to_csv(
        pop, index=False)
    res = _run("hoover-index", x, "--year", "2020", "--param", f"population={pop}", "--param", "percent=true",
               "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["activity", "year", "hoover_index"]
    assert_allclose(df.hoover_index.round(2), [34.46, 25.48, 32.88, 40.48, 30.95])  # EconGeo X1_hoover_index_pop


@pytest.mark.parametrize("metric", ISSUE_METRICS)
def test_every_metric_runs(files, metric):
    tmp, x, nat = files
    out = tmp / f"{metric}.csv"
    extra = ["--param", "prefix=1"] if metric == "variety" else []
    res = _run(metric, x, "--reference", nat, "--all-years", *extra, "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert len(df) > 0 and "year" in df.columns
    ignored = metric in ("herfindahl", "entropy", "gini", "locational-gini", "hoover-index", "variety", "growth")
    assert ("reference given was ignored" in res.output) == ignored


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nonsense", "{x}"], "unknown metric"),
        (["lq", "{tmp}/absent.parquet"], "does not exist"),
        (["lq", "{x}", "--param", "foo=1"], "unknown parameter"),
        (["lq", "{x}", "--param", "foo"], "expected key=value"),
        (["lq", "{x}", "--year", "1999"], "not in the input"),
        (["lq", "{x}", "--year", "2020", "--all-years"], "not both"),
        (["lq", "{x}", "--reference", "R99"], "neither a file nor"),
        (["shift-share", "{x}", "--year", "2020"], "at least 2 years"),
        (["lq-ci", "{x}", "--param", "level=2"], "level"),
        (["variety", "{x}"], "cannot group"),
        (["lq", "{x}"], "-o OUT.csv"),
    ],
)
def test_errors_are_one_line_exit_2(files, args, message):
    tmp, x, _ = files
    argv = [a.format(x=x, tmp=tmp) for a in args]
    if "-o" not in argv and message != "-o OUT.csv":
        argv += ["-o", str(tmp / "err.csv")]
    res = _run(*argv)
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output
    assert len([ln for ln in res.output.splitlines() if ln.startswith("error:")]) == 1


def test_bres_file_through_the_loaders(shared_data, tmp_path):
    """INPUT read by sia.sources.load (NOMIS layout): LQ of the West Midlands met. county in SIC 29, 2019."""
    path = shared_data("employment/bres_itl2_sic2_employment_2015_2021.csv")
    out = tmp_path / "lqci.csv"
    res = _run("lq-ci", path, "--year", "2019", "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, dtype={"activity": str})
    d = pd.read_csv(path, dtype={"INDUSTRY_CODE": str})
    y = d[d.DATE == 2019]
    lq = ((y[(y.GEOGRAPHY_CODE == "UKG3") & (y.INDUSTRY_CODE == "29")].EMPLOYMENT.sum()
           / y[y.GEOGRAPHY_CODE == "UKG3"].EMPLOYMENT.sum())
          / (y[y.INDUSTRY_CODE == "29"].EMPLOYMENT.sum() / y.EMPLOYMENT.sum()))
    row = df[df.area.isin(["TLG3", "UKG3"]) & (df.activity == "29")]
    assert len(row) == 1
    assert_allclose(row.lq.iloc[0], lq, rtol=1e-12)
