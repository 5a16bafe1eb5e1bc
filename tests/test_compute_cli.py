"""``sia compute``: the command line over the metric registry.

Checks the fixed column names, the reference options (file / area of the input), year selection,
``--list`` and the one-line errors (exit code 2), with EconGeo golden files and hand computations
as references for the numbers.
"""

from __future__ import annotations

from collections.abc import Callable

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


IGNORES_REFERENCE = ("herfindahl", "entropy", "gini", "locational-gini", "hoover-index", "variety", "growth")


@pytest.mark.parametrize("with_reference", [False, True], ids=["own-total", "reference"])
@pytest.mark.parametrize("metric", sorted(load_all()))
def test_every_metric_runs(files, metric, with_reference):
    """Every registered metric on the EconGeo X1/X2 panel, with and without the national reference file."""
    tmp, x, nat = files
    out = tmp / f"{metric}.csv"
    extra = ["--param", "prefix=1"] if metric == "variety" else []
    ref = ["--reference", str(nat)] if with_reference else []
    res = _run(metric, x, *ref, "--all-years", *extra, "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert "year" in df.columns and set(df.year) <= {2020, 2021} and 2021 in set(df.year)
    keys = [c for c in ("area", "activity", "activity_2") if c in df.columns]
    assert keys and not df.duplicated([*keys, "year"]).any()
    if "area" in df.columns:
        assert set(df.area) == {f"R{i}" for i in range(1, 7)}
    if "activity" in df.columns:
        assert set(df.activity) <= {"I1", "I2", "I3", "I4", "I5", "_total"}
    values = df.drop(columns=[*keys, "year", "base_year", "flag"], errors="ignore").select_dtypes("number")
    assert values.shape[1] > 0 and np.isfinite(values.to_numpy(float)).any(axis=0).all()
    assert ("reference given was ignored" in res.output) == (with_reference and metric in IGNORES_REFERENCE)


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


# ------------------------------------------------------------------ every metric on a hand-worked panel
# Four areas, four activities (A1, A2 in group A; B1, B2 in group B), two years, and a one-area reference GB.
# 2020: every area and every activity totals 100, so LQ = (X/100) / (100/400) = X / 25 exactly.
# 2021: R3 moves 20 from B1 to B2 and R4 20 from B2 to B1, then every cell doubles (totals 200, LQ = X / 50).
AREAS = ("R1", "R2", "R3", "R4")
ACTS = ("A1", "A2", "B1", "B2")
YEARS = (2020, 2021)
X = {
    2020: np.array([[50, 30, 10, 10], [20, 40, 30, 10], [10, 20, 40, 30], [20, 10, 20, 50]], dtype=float),
    2021: 2 * np.array([[50, 30, 10, 10], [20, 40, 30, 10], [10, 20, 20, 50], [20, 10, 40, 30]], dtype=float),
}
# GB shares 2020 (1/8, 1/4, 1/4, 3/8); 2021 (0.15, 0.275, 0.1875, 0.3875); GB grows 0 % in total.
GB = {2020: np.array([100.0, 200, 200, 300]), 2021: np.array([120.0, 220, 150, 310])}
LQ = {  # keyed by "reference given?"
    False: {2020: X[2020] / 25, 2021: X[2021] / 50},
    True: {y: (X[y] / X[y].sum(axis=1, keepdims=True)) / (GB[y] / GB[y].sum()) for y in YEARS},
}
# presence M = 1{LQ >= 1}, read off the LQs (no LQ is within 0.05 of 1):
#   own 2020 LQ = [[2, 1.2, .4, .4], [.8, 1.6, 1.2, .4], [.4, .8, 1.6, 1.2], [.8, .4, .8, 2]]
#   GB 2020 LQ = [[4, 1.2, .4, .27], [1.6, 1.6, 1.2, .27], [.8, .8, 1.6, .8], [1.6, .4, .8, 1.33]]
#   GB 2021 LQ = [[3.33, 1.09, .53, .26], [1.33, 1.45, 1.6, .26], [.67, .73, 1.07, 1.29], [1.33, .36, 2.13, .77]]
M = {
    False: {2020: np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]]),
            2021: np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 1, 1]])},
    True: {2020: np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 0], [1, 0, 0, 1]]),
           2021: np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [1, 0, 1, 0]])},
}
# min-conditional proximity phi_ij = C_ij / max(k_i, k_j), C = M^T M, k = ubiquity, diagonal 1:
#   own, both years: k = (1, 2, 2, 2); A1-A2, A2-B1, B1-B2 co-occur once each -> 1/2 (A1-A2: k 1 vs 2)
#   GB 2020: k = (3, 2, 2, 1); A1-A2 2 (R1, R2) -> 2/3, A1-B1 1 (R2) -> 1/3, A1-B2 1 (R4) -> 1/3, A2-B1 1 -> 1/2
#   GB 2021: k = (3, 2, 3, 1); A1-A2 2 -> 2/3, A1-B1 2 (R2, R4) -> 2/3, A2-B1 1 (R2) -> 1/3, B1-B2 1 (R3) -> 1/3
_OWN_PHI = np.array([[1, 1 / 2, 0, 0], [1 / 2, 1, 1 / 2, 0], [0, 1 / 2, 1, 1 / 2], [0, 0, 1 / 2, 1]])
PHI = {
    False: {2020: _OWN_PHI, 2021: _OWN_PHI},
    True: {2020: np.array([[1, 2 / 3, 1 / 3, 1 / 3], [2 / 3, 1, 1 / 2, 0], [1 / 3, 1 / 2, 1, 0], [1 / 3, 0, 0, 1]]),
           2021: np.array([[1, 2 / 3, 2 / 3, 0], [2 / 3, 1, 1 / 3, 0], [2 / 3, 1 / 3, 1, 1 / 3], [0, 0, 1 / 3, 1]])},
}


def _z(v: np.ndarray) -> np.ndarray:
    return (v - v.mean()) / v.std()


def _eci_pci(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ECI and PCI from their definition: ECI = z(second eigenvector of D^-1 M U^-1 M^T), oriented so that it
    correlates positively with diversity; PCI = z(U^-1 M^T ECI) (the same eigenvector problem for activities,
    so the sign follows ECI)."""
    d, u = m.sum(axis=1), m.sum(axis=0)
    w, v = np.linalg.eig((m / d[:, None]) @ (m / u).T)
    eci = _z(v[:, np.argsort(-w.real)[1]].real)
    eci *= np.sign(np.corrcoef(eci, d)[0, 1])
    return eci, _z((m / u).T @ eci)


def _density(m: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """d_rc = sum_j M_rj phi_jc / sum_j phi_jc without the activity's own proximity (the sia convention)."""
    p0 = phi - np.diag(np.diag(phi))
    return (m @ p0) / p0.sum(axis=0)


def _cells(df: pd.DataFrame, col: str, year: int) -> np.ndarray:
    return df[df.year == year].pivot(index="area", columns="activity", values=col).loc[list(AREAS), list(ACTS)
                                                                                      ].to_numpy(float)


def _by(df: pd.DataFrame, key: str, col: str, year: int) -> np.ndarray:
    labels = AREAS if key == "area" else ACTS
    return df[df.year == year].set_index(key).loc[list(labels), col].to_numpy(float)


def _no_flags(df: pd.DataFrame) -> None:
    if "flag" in df.columns:
        assert (df["flag"].astype(object).fillna("") == "").all()


Check = Callable[[pd.DataFrame, bool], None]
CHECKS: dict[str, Check] = {}


def _check(name: str) -> Callable[[Check], Check]:
    """Register ``func(frame, reference_given)`` as the known-value check of metric ``name``."""

    def deco(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return deco


@_check("lq")
def _lq(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["area", "activity", "year", "lq"] and len(df) == 32
    for y in YEARS:
        assert_allclose(_cells(df, "lq", y), LQ[ref][y], rtol=1e-12)
    # R1/A1 2020: (50/100) / (100/800) = 4 against GB, 50 / 25 = 2 against the input's own total
    assert _cells(df, "lq", 2020)[0, 0] == pytest.approx(4.0 if ref else 2.0, rel=1e-12)


@_check("rca-binary")
def _rca_binary(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        np.testing.assert_array_equal(_cells(df, "rca_binary", y), M[ref][y])


@_check("rca-symmetric")
def _rca_symmetric(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        assert_allclose(_cells(df, "rca_symmetric", y), (LQ[ref][y] - 1) / (LQ[ref][y] + 1), rtol=1e-12)
    assert _cells(df, "rca_symmetric", 2020)[0, 0] == pytest.approx(3 / 5 if ref else 1 / 3)  # (4-1)/(4+1), (2-1)/(2+1)


@_check("lq-ci")
def _lq_ci(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["area", "activity", "year", "lq", "lq_low", "lq_high", "significant"]
    for y in YEARS:
        assert_allclose(_cells(df, "lq", y), LQ[ref][y], rtol=1e-12)
    assert ((df.lq_low < df.lq) & (df.lq < df.lq_high)).all()
    assert (df.significant == (df.lq_low > 1)).all()
    assert df.significant.any() and not df.significant.all()


def _shares(y: int, ref: bool) -> tuple[np.ndarray, np.ndarray]:
    s = X[y] / X[y].sum(axis=1, keepdims=True)
    base = GB[y] if ref else X[y].sum(axis=0)
    return s, base / base.sum()


@_check("krugman")
def _krugman(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        s, r = _shares(y, ref)
        assert_allclose(_by(df, "area", "krugman_index", y), np.abs(s - r).sum(axis=1), rtol=1e-12)
    # R1 2020: |.5-.125| + |.3-.25| + |.1-.25| + |.1-.375| = .85 (GB); |.5-.25| + |.3-.25| + 2 |.1-.25| = .6 (own)
    assert _by(df, "area", "krugman_index", 2020)[0] == pytest.approx(0.85 if ref else 0.6)


@_check("hoover-coefficient")
def _hoover_coefficient(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        s, r = _shares(y, ref)
        assert_allclose(_by(df, "area", "hoover_coefficient", y), np.abs(s - r).sum(axis=1) / 2, rtol=1e-12)
    assert _by(df, "area", "hoover_coefficient", 2020)[0] == pytest.approx(0.425 if ref else 0.3)


# R1 2020: sum_c s LQ = .5*4 + .3*1.2 + .1*.4 + .1*(.1/.375) = 2.42667 (GB); .5*2 + .3*1.2 + .1*.4 + .1*.4 = 1.44 (own)
_R1_LQ_AVG = {True: 0.5 * 4 + 0.3 * 1.2 + 0.1 * 0.4 + 0.1 * (0.1 / 0.375), False: 1.44}


@_check("lq-avg")
def _lq_avg(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        s, _ = _shares(y, ref)
        assert_allclose(_by(df, "area", "lq_avg", y), (s * LQ[ref][y]).sum(axis=1), rtol=1e-12)
    assert _by(df, "area", "lq_avg", 2020)[0] == pytest.approx(_R1_LQ_AVG[ref])


@_check("hachman")
def _hachman(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        s, _ = _shares(y, ref)
        assert_allclose(_by(df, "area", "hachman", y), 1 / (s * LQ[ref][y]).sum(axis=1), rtol=1e-12)
    assert _by(df, "area", "hachman", 2020)[0] == pytest.approx(1 / _R1_LQ_AVG[ref])


@_check("diversity")
def _diversity(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        assert_allclose(_by(df, "area", "diversity", y), M[ref][y].sum(axis=1))
    assert list(_by(df, "area", "diversity", 2020)) == ([2, 3, 1, 2] if ref else [2, 2, 2, 1])


@_check("ubiquity")
def _ubiquity(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        assert_allclose(_by(df, "activity", "ubiquity", y), M[ref][y].sum(axis=0))
    assert list(_by(df, "activity", "ubiquity", 2020)) == ([3, 2, 2, 1] if ref else [1, 2, 2, 2])


# the metrics below do not use a reference: with one, their output must equal the output without
@_check("herfindahl")
def _herfindahl(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        assert_allclose(_by(df, "area", "herfindahl", y), (_shares(y, False)[0] ** 2).sum(axis=1), rtol=1e-12)
    assert _by(df, "area", "herfindahl", 2020)[0] == pytest.approx(0.36)  # .25 + .09 + .01 + .01


@_check("entropy")
def _entropy(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        s = _shares(y, False)[0]
        assert_allclose(_by(df, "area", "entropy", y), -(s * np.log2(s)).sum(axis=1), rtol=1e-12)
    # R1: -(.5 log2 .5 + .3 log2 .3 + 2 * .1 log2 .1) = .5 + .52109 + .66439
    assert _by(df, "area", "entropy", 2020)[0] == pytest.approx(0.5 - 0.3 * np.log2(0.3) - 0.2 * np.log2(0.1))


def _gini(x: np.ndarray) -> float:
    x = np.sort(x)
    n = len(x)
    return float(((2 * np.arange(1, n + 1) - n - 1) * x).sum() / (n * x.sum()))


@_check("gini")
def _gini_check(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        assert_allclose(_by(df, "activity", "gini", y), [_gini(X[y][:, c]) for c in range(4)], rtol=1e-12)
    # A1 2020 sorted (10, 20, 20, 50): (-3*10 - 20 + 20 + 3*50) / (4 * 100) = 0.3
    assert _by(df, "activity", "gini", 2020)[0] == pytest.approx(0.3)


@_check("locational-gini")
def _locational_gini(df: pd.DataFrame, ref: bool) -> None:
    # every area has the same total, so the locational Lorenz curve is the plain Lorenz curve of the activity
    for y in YEARS:
        assert_allclose(_by(df, "activity", "locational_gini", y), [_gini(X[y][:, c]) for c in range(4)],
                        rtol=1e-12)
    assert_allclose(_by(df, "activity", "locational_gini", 2020), [0.3, 0.25, 0.25, 0.35], rtol=1e-12)


@_check("hoover-index")
def _hoover_index(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        assert_allclose(_by(df, "activity", "hoover_index", y),
                        np.abs(X[y] / X[y].sum(axis=0) - 1 / 4).sum(axis=0) / 2, rtol=1e-12)
    # A1 2020: (|.5-.25| + |.2-.25| + |.1-.25| + |.2-.25|) / 2 = 0.25
    assert _by(df, "activity", "hoover_index", 2020)[0] == pytest.approx(0.25)


@_check("variety")
def _variety(df: pd.DataFrame, ref: bool) -> None:
    for y in YEARS:
        s = _shares(y, False)[0]
        pa = s[:, :2].sum(axis=1)
        uv = -(pa * np.log2(pa) + (1 - pa) * np.log2(1 - pa))
        assert_allclose(_by(df, "area", "unrelated_variety", y), uv, rtol=1e-12)
        assert_allclose(_by(df, "area", "related_variety", y), -(s * np.log2(s)).sum(axis=1) - uv, rtol=1e-12)
    # R1: groups A = .8, B = .2
    assert _by(df, "area", "unrelated_variety", 2020)[0] == pytest.approx(-(0.8 * np.log2(0.8) + 0.2 * np.log2(0.2)))


@_check("growth")
def _growth(df: pd.DataFrame, ref: bool) -> None:
    assert len(df) == 16 and set(df.base_year) == {2020} and set(df.year) == {2021}
    assert_allclose(_cells(df, "change", 2021), X[2021] - X[2020])
    assert_allclose(_cells(df, "growth_pct", 2021), 100 * (X[2021] / X[2020] - 1), rtol=1e-12)
    assert_allclose(_cells(df, "cagr", 2021), X[2021] / X[2020] - 1, rtol=1e-12, atol=1e-15)
    # R1/A1 50 -> 100 (+100 %); R3/B1 40 -> 40 (0 %)
    assert _cells(df, "growth_pct", 2021)[0, 0] == pytest.approx(100) and _cells(df, "change", 2021)[2, 2] == 0


@_check("entry-exit")
def _entry_exit(df: pd.DataFrame, ref: bool) -> None:
    m0, m1 = M[ref][2020], M[ref][2021]
    entry, exit_ = _cells(df, "entry", 2021), _cells(df, "exit", 2021)
    np.testing.assert_array_equal(np.isnan(entry), m0 == 1)
    np.testing.assert_array_equal(np.isnan(exit_), m0 == 0)
    np.testing.assert_array_equal(np.nan_to_num(entry), (m0 == 0) & (m1 == 1))
    np.testing.assert_array_equal(np.nan_to_num(exit_), (m0 == 1) & (m1 == 0))
    # own: R4 enters B1, R3 leaves B1; GB: R3 enters B2, R4 enters B1 and leaves B2
    e = sorted(zip(*np.nonzero(np.nan_to_num(entry)), strict=True))
    x = sorted(zip(*np.nonzero(np.nan_to_num(exit_)), strict=True))
    assert (e, x) == (([(2, 3), (3, 2)], [(3, 3)]) if ref else ([(3, 2)], [(2, 2)]))


@_check("shift-share")
def _shift_share(df: pd.DataFrame, ref: bool) -> None:
    cells = df[df.activity != "_total"]
    x0, x1 = X[2020], X[2021]
    # reference growth: own total 400 -> 800 (g = 1, every activity g_c = 1); GB 800 -> 800 (g = 0),
    # g_c = (120/100, 220/200, 150/200, 310/300) - 1 = (.2, .1, -.25, 1/30)
    base = (GB[2020], GB[2021]) if ref else (x0.sum(axis=0), x1.sum(axis=0))
    gc = base[1] / base[0] - 1
    g = base[1].sum() / base[0].sum() - 1
    assert g == (0.0 if ref else 1.0)
    assert_allclose(_cells(cells, "national_share", 2021), x0 * g, atol=1e-12)
    assert_allclose(_cells(cells, "industry_mix", 2021), x0 * (gc - g), atol=1e-12)
    assert_allclose(_cells(cells, "competitive_effect", 2021), x1 - x0 * (1 + gc), atol=1e-12)
    r1a1 = cells[(cells.area == "R1") & (cells.activity == "A1")].iloc[0]
    # GB: NS 0, IM 50 * .2 = 10, CE 100 - 50 * 1.2 = 40; own: NS 50, IM 0, CE 100 - 2 * 50 = 0
    expected = [0, 10, 40] if ref else [50, 0, 0]
    assert_allclose([r1a1.national_share, r1a1.industry_mix, r1a1.competitive_effect], expected, atol=1e-12)
    tot = df[df.activity == "_total"].set_index("area").loc[list(AREAS)]
    assert_allclose(tot.change, (x1 - x0).sum(axis=1))


@_check("eci")
def _eci(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["area", "year", "eci", "diversity", "flag"] and len(df) == 8
    _no_flags(df)
    for y in YEARS:
        eci = _by(df, "area", "eci", y)
        assert_allclose(eci, _eci_pci(M[ref][y])[0], rtol=1e-9, atol=1e-12)
        assert_allclose(_by(df, "area", "diversity", y), M[ref][y].sum(axis=1))
        assert eci.mean() == pytest.approx(0, abs=1e-12) and eci.std() == pytest.approx(1, rel=1e-12)
    if not ref:  # own 2020 is a chain R1-A2-R2-B1-R3-B2-R4 (plus A1 only in R1): ECI falls along it
        assert (np.diff(_by(df, "area", "eci", 2020)) < 0).all()


@_check("pci")
def _pci(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["activity", "year", "pci", "ubiquity", "flag"] and len(df) == 8
    _no_flags(df)
    for y in YEARS:
        assert_allclose(_by(df, "activity", "pci", y), _eci_pci(M[ref][y])[1], rtol=1e-9, atol=1e-12)
        assert_allclose(_by(df, "activity", "ubiquity", y), M[ref][y].sum(axis=0))


@_check("fitness")
def _fitness(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["area", "year", "fitness", "log_fitness", "iterations", "rule", "flag"]
    _no_flags(df)
    for y in YEARS:
        m = M[ref][y].astype(float)
        n = int(df[df.year == y].iterations.iloc[0])
        assert 1 <= n < 1000 and set(df[df.year == y].rule) == {"rank_stable"}
        # Tacchella et al. (2012), simultaneous update from F = Q = 1, each normalised to mean 1, n times
        f, q = np.ones(4), np.ones(4)
        for _ in range(n):
            f, q = m @ q, 1 / (m.T @ (1 / f))
            f, q = f / f.mean(), q / q.mean()
        fit = _by(df, "area", "fitness", y)
        assert_allclose(fit, f, rtol=1e-10)
        assert fit.mean() == pytest.approx(1, rel=1e-12)
        assert_allclose(_by(df, "area", "log_fitness", y), np.log(f), rtol=1e-9)


@_check("proximity")
def _proximity(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["activity", "activity_2", "year", "proximity"] and len(df) == 32
    for y in YEARS:
        got = df[df.year == y].pivot(index="activity", columns="activity_2", values="proximity").loc[
            list(ACTS), list(ACTS)].to_numpy()
        assert_allclose(got, PHI[ref][y], rtol=1e-12, atol=0)


@_check("density")
def _density_check(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["area", "activity", "year", "density", "present", "flag"] and len(df) == 32
    _no_flags(df)
    for y in YEARS:
        assert_allclose(_cells(df, "density", y), _density(M[ref][y], PHI[ref][y]), rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(_cells(df, "present", y), M[ref][y])
    # own R1/B1 2020: R1 has A1, A2; column B1 of phi without its diagonal (0, 1/2, 0, 1/2): (1/2) / 1 = 1/2
    # GB R3/A2 2020: R3 has B1; column A2 (2/3, 0, 1/2, 0): (1/2) / (7/6) = 3/7
    cell = (2, 1) if ref else (0, 2)
    assert _cells(df, "density", 2020)[cell] == pytest.approx(3 / 7 if ref else 1 / 2, rel=1e-12)


def _coi_cog(ref: bool, y: int) -> tuple[np.ndarray, np.ndarray]:
    """Atlas COI_r = sum_c d_rc (1 - M_rc) PCI_c and COG_rc = sum_j (1 - M_rj) PCI_j phi_jc / sum_k phi_jk
    - d_rc PCI_c (phi with its diagonal 1, d without self-proximity), from the hand phi and defined PCI."""
    m, phi = M[ref][y], PHI[ref][y]
    pci = _eci_pci(m)[1]
    d = _density(m, phi)
    coi = (d * (1 - m) * pci).sum(axis=1)
    cog = ((1 - m) * (pci / phi.sum(axis=1))) @ phi - d * pci
    return coi, cog


@_check("coi")
def _coi(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["area", "year", "coi", "eci", "strategy", "flag"] and len(df) == 8
    _no_flags(df)
    for y in YEARS:
        assert_allclose(_by(df, "area", "coi", y), _coi_cog(ref, y)[0], rtol=1e-9, atol=1e-12)
        assert_allclose(_by(df, "area", "eci", y), _eci_pci(M[ref][y])[0], rtol=1e-9, atol=1e-12)
    assert set(df.strategy) <= {"technological_frontier", "light_touch", "parsimonious", "strategic_bets"}


@_check("cog")
def _cog(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["area", "activity", "year", "cog", "present", "flag"] and len(df) == 32
    _no_flags(df)
    for y in YEARS:
        assert_allclose(_cells(df, "cog", y), _coi_cog(ref, y)[1], rtol=1e-9, atol=1e-12)


@_check("opportunities")
def _opportunities(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["area", "activity", "year", "present", "density", "pci", "cog", "quadrant", "flag"]
    _no_flags(df)
    for y in YEARS:
        m, d = M[ref][y], _density(M[ref][y], PHI[ref][y])
        pci = _eci_pci(m)[1]
        assert_allclose(_cells(df, "density", y), d, rtol=1e-12, atol=1e-15)
        assert_allclose(_cells(df, "pci", y), np.broadcast_to(pci, d.shape), rtol=1e-9, atol=1e-12)
        quad = df[df.year == y].pivot(index="area", columns="activity", values="quadrant").loc[
            list(AREAS), list(ACTS)].to_numpy()
        for r in range(4):  # each area's absent activities split at their median density and median PCI
            absent = m[r] == 0
            hi_f, hi_a = d[r] >= np.median(d[r][absent]), pci >= np.median(pci[absent])
            want = np.where(hi_f, np.where(hi_a, "strategic", "low_hanging"),
                            np.where(hi_a, "long_jump", "low_priority"))
            assert list(quad[r]) == list(np.where(absent, want, "present")), (y, AREAS[r])
    if not ref:  # R1 2020 lacks B1 (d 1/2, PCI -0.47) and B2 (d 0, PCI -1.39): both medians split them
        r1 = df[(df.year == 2020) & (df.area == "R1")].set_index("activity").quadrant
        assert (r1.B1, r1.B2) == ("strategic", "low_priority")


@_check("clusters")
def _clusters(df: pd.DataFrame, ref: bool) -> None:
    assert list(df.columns) == ["activity", "year", "cluster", "branch", "cluster_branch", "cluster_branch_share"]
    assert len(df) == 8 and list(df[df.year == 2020].branch) == ["A", "A", "B", "B"]  # --param branch=prefix:1
    for y in YEARS:
        lab = _by(df, "activity", "cluster", y)
        share = _by(df, "activity", "cluster_branch_share", y)
        if ref:
            # GB phi 2020 (weights 2/3, 1/3, 1/3, 1/2): every split has modularity <= 0 (e.g. {A1,B2}{A2,B1}
            # -0.05, {A1,A2}{B1,B2} -0.20), so one community of two A and two B activities
            assert len(set(lab)) == 1 and (share == 0.5).all()
        else:
            # own phi is the path A1-A2-B1-B2 with weights 1/2: {A1,A2}{B1,B2} has modularity 2(1/3 - 1/4) = 1/6
            assert lab[0] == lab[1] != lab[2] == lab[3] and (share == 1.0).all()


EXTRA = {"variety": ["--param", "prefix=1"], "clusters": ["--param", "branch=prefix:1"]}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tiny")
    x = pd.DataFrame([(a, c, y, X[y][i, j]) for y in YEARS for i, a in enumerate(AREAS) for j, c in enumerate(ACTS)],
                     columns=["area", "activity", "year", "value"])
    gb = pd.DataFrame([("GB", c, y, GB[y][j]) for y in YEARS for j, c in enumerate(ACTS)],
                      columns=["area", "activity", "year", "value"])
    Panel.from_frame(x, measure="employment", unit="jobs").to_parquet(tmp / "x.parquet")
    Panel.from_frame(gb, measure="employment", unit="jobs").to_parquet(tmp / "gb.parquet")
    return tmp


def _compute_tiny(tmp, metric: str, ref: bool) -> tuple[pd.DataFrame, str]:
    out = tmp / f"{metric}-{ref}.csv"
    args = ["--reference", str(tmp / "gb.parquet")] if ref else []
    res = _run(metric, tmp / "x.parquet", *args, "--all-years", *EXTRA.get(metric, []), "-o", out)
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return pd.read_csv(out), res.output


def test_hand_panel_presence_follows_from_the_lqs():
    """The M literals above are LQ >= 1 of the LQ formulas, with a margin, and ECI is well defined on them."""
    for ref in (False, True):
        for y in YEARS:
            np.testing.assert_array_equal(M[ref][y], LQ[ref][y] >= 1)
            assert np.abs(LQ[ref][y] - 1).min() > 0.05
            k = M[ref][y].T @ M[ref][y]
            u = np.diag(k)
            phi = k / np.maximum(u[:, None], u[None, :])
            np.fill_diagonal(phi, 1.0)
            assert_allclose(phi, PHI[ref][y], rtol=1e-15)
    assert_allclose(LQ[False][2020], [[2, 1.2, .4, .4], [.8, 1.6, 1.2, .4], [.4, .8, 1.6, 1.2], [.8, .4, .8, 2]])


def test_smoke_covers_every_metric_of_the_registry():
    """A known-value check for each metric registered by the specialisation and complexity families."""
    families = {"sia.compute.specialisation", "sia.compute.complexity"}
    ours = {name for name, spec in load_all().items() if spec.compute.__module__ in families}
    assert len(ours) == 28
    assert set(CHECKS) == ours


@pytest.mark.parametrize("with_reference", [False, True], ids=["own-total", "reference"])
@pytest.mark.parametrize("metric", sorted(CHECKS))
def test_every_metric_on_the_hand_panel(tiny, metric, with_reference):
    """Each metric on the hand-worked panel, with and without ``--reference GB``: shape and known values."""
    df, output = _compute_tiny(tiny, metric, with_reference)
    assert set(df.year) == ({2021} if metric in ("growth", "entry-exit", "shift-share") else set(YEARS))
    if with_reference and metric in IGNORES_REFERENCE:
        assert "reference given was ignored" in output
        pd.testing.assert_frame_equal(df, _compute_tiny(tiny, metric, False)[0])
    else:
        assert ("reference: total of 1 area(s) of the reference panel" in output) == with_reference
    CHECKS[metric](df, with_reference)


def test_proximity_pooled_over_years_on_the_hand_panel(tiny):
    """--param pool=cooccurrence: C and k summed over 2020 and 2021 before the division by max(k_i, k_j).

    Own presence, both years: k = (1, 2, 2, 2) each year, so pooled k = (2, 4, 4, 4); pooled C: A1-A2 2,
    A2-B1 2, B1-B2 2. phi: A1-A2 2/max(2, 4) = 1/2 (a min would give 1), A2-B1 2/4, B1-B2 2/4.
    """
    out = tiny / "pooled.csv"
    res = _run("proximity", tiny / "x.parquet", "--all-years", "--param", "pool=cooccurrence", "-o", out)
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    for y in YEARS:
        got = df[df.year == y].pivot(index="activity", columns="activity_2", values="proximity").loc[
            list(ACTS), list(ACTS)].to_numpy()
        assert_allclose(got, _OWN_PHI, rtol=1e-15)
    assert "proximity pooled over years [2020, 2021] (cooccurrence)" in res.output
