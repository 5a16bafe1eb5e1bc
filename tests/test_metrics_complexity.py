"""ECI / PCI / COI / COG / density / proximity against ecomplexity 0.5.3 run inside the tests, EconGeo golden
files, hand computations, degenerate inputs, and fitness-complexity convergence.

Tolerance for "equal to ecomplexity": ``|sia - ecx| <= 1e-9 * |ecx| + 1e-12 * max|ecx|`` element-wise (1e-9
relative; the small absolute term only matters for values within 1e-3 of zero, e.g. COG of present cells).
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sia.metrics.complexity import ComplexityWarning, eci_pci, morc, presence_from_values
from sia.metrics.fitness import _ranks, _still_sorts, fitness_complexity
from sia.metrics.proximity import outlook

ecomplexity = pytest.importorskip("ecomplexity")

COLS = {"time": "year", "loc": "area", "prod": "activity", "val": "value"}


def run_ecx(long: pd.DataFrame, **kw: object) -> pd.DataFrame:
    """ecomplexity.ecomplexity with its prints and warnings silenced."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity.ecomplexity(long, COLS, check_logsupermodularity=False, **kw)


def run_manual(M: np.ndarray, areas: pd.Index, activities: pd.Index) -> pd.Series:
    """ecomplexity's ECI from a given presence matrix (presence_test="manual"), by area."""
    long = wide_to_long(pd.DataFrame(M, index=areas, columns=activities), 2020)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        man = ecomplexity.ecomplexity(long, COLS, presence_test="manual", check_logsupermodularity=False)
    return man.groupby("area")["eci"].first().reindex(areas)


def wide_to_long(W: pd.DataFrame, year: int) -> pd.DataFrame:
    long = W.stack().rename("value").reset_index()
    long.columns = ["area", "activity", "value"]
    long["year"] = year
    return long


def assert_equal_1e9(sia: np.ndarray, ecx: np.ndarray, what: str) -> None:
    sia = np.asarray(sia, dtype=float)
    ecx = np.asarray(ecx, dtype=float)
    assert np.isfinite(ecx).all(), f"{what}: ecomplexity gave NaN"
    assert np.isfinite(sia).all(), f"{what}: sia gave NaN"
    tol = 1e-9 * np.abs(ecx) + 1e-12 * np.abs(ecx).max()
    worst = np.max(np.abs(sia - ecx) - tol)
    assert worst <= 0, f"{what}: max excess over tolerance {worst:.3g}"


def compare_year(W: pd.DataFrame, ecx: pd.DataFrame, year: int) -> None:
    M, af, cf = presence_from_values(W.to_numpy(dtype=float))
    o = outlook(M, convention="ecomplexity", area_flag=af, activity_flag=cf)
    e = ecx[ecx["year"] == year]
    r = W.index.get_indexer(e["area"])
    c = W.columns.get_indexer(e["activity"])
    assert (r >= 0).all() and (c >= 0).all()
    assert_equal_1e9(o.complexity.eci[r], e["eci"], "eci")
    assert_equal_1e9(o.complexity.pci[c], e["pci"], "pci")
    assert_equal_1e9(o.density[r, c], e["density"], "density")
    assert_equal_1e9(o.coi[r], e["coi"], "coi")
    assert_equal_1e9(o.cog[r, c], e["cog"], "cog")
    assert np.array_equal(M[r, c], e["mcp"].to_numpy())


@pytest.fixture(scope="module")
def x1x2(shared_reference):
    X1 = pd.read_csv(shared_reference("inputs/X1_employment_2020.csv"), index_col=0)
    X2 = pd.read_csv(shared_reference("inputs/X2_employment_2021.csv"), index_col=0)
    return X1, X2


@pytest.fixture(scope="module")
def trade(shared_data):
    df = pd.read_csv(shared_data("trade/ots_world_trade_country_hs4_exports_2017.csv.gz"),
                     dtype={"product_code": str})
    df["export_value_usd"] = df["export_value_usd"].fillna(0.0)  # NA = no trade (PROVENANCE.md)
    W = df.pivot_table(index="reporter_iso", columns="product_code", values="export_value_usd",
                       aggfunc="sum", fill_value=0.0)
    return df, W


# ------------------------------------------------------------------------------------- vs ecomplexity


def test_x1_x2_equal_ecomplexity(x1x2):
    X1, X2 = x1x2
    long = pd.concat([wide_to_long(X1, 2020), wide_to_long(X2, 2021)])
    ecx = run_ecx(long)
    compare_year(X1, ecx, 2020)
    compare_year(X2, ecx, 2021)


def test_x1x2_matches_shared_ecomplexity_output(x1x2, shared_reference):
    """The golden long output in ../shared/reference (same peer, run earlier) agrees too."""
    X1, _ = x1x2
    gold = pd.read_csv(shared_reference("ecomplexity/X1X2_ecomplexity_default.csv"))
    g = gold[gold["year"] == 2020]
    M, _, _ = presence_from_values(X1.to_numpy(float))
    o = outlook(M, convention="ecomplexity")
    r, c = X1.index.get_indexer(g["region"]), X1.columns.get_indexer(g["industry"])
    assert_equal_1e9(o.complexity.eci[r], g["eci"], "eci")
    assert_equal_1e9(o.cog[r, c], g["cog"], "cog")


def test_trade_2017_equal_ecomplexity(trade):
    """OTS 2017 country x HS4, all 224 countries and every 3rd HS4 code (408 of 1222 products).

    ecomplexity's dense non-symmetric ``eig`` on the full 1222 x 1222 matrix takes 2-40 s on this shared
    2-core machine, too slow for a unit test; the full-file comparison runs in bench/bench_complexity.py
    (equal to the same 1e-9 tolerance, docs/benchmarks/complexity.md).
    """
    df, W = trade
    keep = W.columns[::3]
    sub = df[df["product_code"].isin(keep)]
    ecx = run_ecx(sub.assign(year=2017).rename(
        columns={"reporter_iso": "area", "product_code": "activity", "export_value_usd": "value"}))
    Ws = W[keep]
    Ws = Ws[Ws.sum(axis=1) > 0]
    compare_year(Ws, ecx, 2017)


def test_trade_sparse_eigsh_path_equals_dense(trade):
    _, W = trade
    M, _, _ = presence_from_values(W.to_numpy(float))
    dense = eci_pci(M, convention="ecomplexity", dense_limit=10**6)  # forces the dense eigh
    sparse = eci_pci(sp.csr_array(M), convention="ecomplexity", dense_limit=0)  # forces eigsh on the operator
    default = eci_pci(M, convention="ecomplexity")  # dense input, 224 rows <= dense_limit=500: dense eigh
    sparse_in = eci_pci(sp.csr_array(M), convention="ecomplexity", dense_limit=10**6)  # sparse input, dense eigh
    np.testing.assert_array_equal(default.eci, dense.eci)
    np.testing.assert_allclose(sparse_in.eci, dense.eci, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sparse.eci, dense.eci, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sparse.pci, dense.pci, rtol=1e-8, atol=1e-10)


# ------------------------------------------------------------------------------------- EconGeo, reflections


def test_econgeo_kci_tci_golden(x1x2, shared_reference):
    X1, _ = x1x2
    M, _, _ = presence_from_values(X1.to_numpy(float))
    res = eci_pci(M, convention="econgeo")
    kci = pd.read_csv(shared_reference("econgeo/X1_kci.csv"))["value"].to_numpy()
    tci = pd.read_csv(shared_reference("econgeo/X1_tci.csv"))["value"].to_numpy()
    np.testing.assert_allclose(res.eci, kci, rtol=1e-9)
    np.testing.assert_allclose(res.pci, tci, rtol=1e-9)


def test_reflections_by_hand_and_convergence(x1x2):
    X1, _ = x1x2
    M, _, _ = presence_from_values(X1.to_numpy(float))
    # X1 presence: R1={I1,I2}, R2={I2,I3}, R3={I3,I4}, R4={I2,I3,I4}, R5={I4,I5}, R6={I1,I5}
    # k_c,1(I1) = mean diversity of R1, R6 = (2 + 2)/2 = 2; k_c,1(I2) = (2 + 2 + 3)/3 = 7/3
    # k_r,2(R1) = (k_c,1(I1) + k_c,1(I2)) / 2 = 13/6
    raw = eci_pci(M, method="reflections", steps=2, standardise="none")
    assert raw.kc[0] == pytest.approx(13 / 6, rel=1e-12) or raw.kc[0] == pytest.approx(-13 / 6, rel=1e-12)
    eig = eci_pci(M)
    many = eci_pci(M, method="reflections", steps=200)
    np.testing.assert_allclose(many.eci, eig.eci, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(many.pci, eig.pci, rtol=1e-8, atol=1e-10)


def test_standardisation_conventions(x1x2):
    X1, _ = x1x2
    M, _, _ = presence_from_values(X1.to_numpy(float))
    n = eci_pci(M, standardise="n")
    n1 = eci_pci(M, standardise="n-1")
    np.testing.assert_allclose(n1.eci, n.eci * np.sqrt(5 / 6), rtol=1e-12)
    assert np.mean(n.eci) == pytest.approx(0, abs=1e-12) and np.std(n.eci) == pytest.approx(1, rel=1e-12)
    assert np.std(n.pci) == pytest.approx(1, rel=1e-12)  # sia: PCI on its own moments
    ecx = eci_pci(M, convention="ecomplexity")
    # ecomplexity scales PCI with ECI's moments, so ECI = mean PCI of present activities
    np.testing.assert_allclose((M @ ecx.pci) / M.sum(1), ecx.eci, rtol=1e-12, atol=1e-14)
    s = eci_pci(M, standardise="sum")
    assert s.eci.sum() == pytest.approx(1.0, rel=1e-12)
    assert np.corrcoef(n.eci, M.sum(1))[0, 1] > 0  # sign rule: ECI correlates with diversity


def test_morc_matches_its_definition(x1x2):
    X1, _ = x1x2
    M, _, _ = presence_from_values(X1.to_numpy(float))
    d = M.sum(1)
    assert np.array_equal(morc(M, 0), d)
    u = M.sum(0)
    np.testing.assert_allclose(morc(M, 1), (M @ u) / d)


# ------------------------------------------------------------------------------------- degenerate data


def test_zero_diversity_rows_finite_where_ecomplexity_is_all_nan(x1x2):
    X1, _ = x1x2
    ecx = run_ecx(wide_to_long(X1, 2020), rca_mcp_threshold=1.5)
    assert ecx["eci"].isna().all()  # the peer loses the whole year (py-ecomplexity#22)
    M, af, cf = presence_from_values(X1.to_numpy(float), threshold=1.5)
    assert (M.sum(1) == 0).any()
    with pytest.warns(ComplexityWarning) as rec:
        res = eci_pci(M, convention="ecomplexity", area_flag=af, activity_flag=cf)
    assert len(rec) == 1
    bad = M.sum(1) == 0
    assert np.isnan(res.eci[bad]).all() and set(res.area_flag[bad]) == {"no_presence"}
    healthy = res.area_flag == ""
    cols = res.activity_flag == ""
    assert healthy.sum() >= 3 and np.isfinite(res.eci[healthy]).all()
    assert np.isnan(res.eci[~healthy]).all()  # the rest is flagged (no_presence / disconnected)
    # reference: ecomplexity itself on the healthy part of the presence matrix (presence_test="manual")
    ref = run_manual(M[healthy][:, cols], X1.index[healthy], X1.columns[cols])
    assert_equal_1e9(res.eci[healthy], ref.to_numpy(), "eci (threshold 1.5)")


def test_nan_cell(x1x2):
    X1, _ = x1x2
    Xn = X1.astype(float).copy()
    Xn.iloc[2, 3] = np.nan
    # (ecomplexity's chained fillna wiped out the year under pandas 2.3.3 (anchors.md 2.1); with the pandas
    # 3 of this environment it reads NaN as 0, which is sia's rule too, so the two must agree.)
    M, af, cf = presence_from_values(Xn.to_numpy())
    with pytest.warns(ComplexityWarning):
        res = outlook(M, convention="ecomplexity", area_flag=af, activity_flag=cf)
    assert res.complexity.area_flag[2] == "nan_input" and res.complexity.activity_flag[3] == "nan_input"
    X0 = Xn.fillna(0.0)
    ref = run_ecx(wide_to_long(X0, 2020)).groupby("area")["eci"].first().reindex(X1.index)
    assert_equal_1e9(res.complexity.eci, ref.to_numpy(), "eci with NaN read as 0")


def test_empty_activity(x1x2):
    X1, _ = x1x2
    X = X1.assign(I6=0)
    M, af, cf = presence_from_values(X.to_numpy(float))
    with pytest.warns(ComplexityWarning, match="empty"):
        res = eci_pci(M, convention="ecomplexity", area_flag=af, activity_flag=cf)
    base = eci_pci(presence_from_values(X1.to_numpy(float))[0], convention="ecomplexity")
    assert res.activity_flag[5] == "empty" and np.isnan(res.pci[5])
    np.testing.assert_allclose(res.eci, base.eci, rtol=1e-12)
    np.testing.assert_allclose(res.pci[:5], base.pci, rtol=1e-12)


def test_disconnected_network_lq5(shared_reference):
    X = pd.read_csv(shared_reference("inputs/LQ5_econgeo_doc.csv"), index_col=0)
    M, af, cf = presence_from_values(X.to_numpy(float))
    assert M[0, 0] == 1 and M[0, 1:].sum() == 0 and M[1:, 0].sum() == 0  # R1-I1 is its own component
    with pytest.warns(ComplexityWarning, match="disconnected") as rec:
        res = eci_pci(M, convention="ecomplexity")
    assert len(rec) == 1
    assert res.area_flag[0] == "disconnected" and np.isnan(res.eci[0])
    assert res.activity_flag[0] == "disconnected" and np.isnan(res.pci[0])
    assert np.isfinite(res.eci[1:]).all() and res.n_components == 2
    # the peer on the whole matrix: the second eigenvector only separates the two components
    ecx_all = run_ecx(wide_to_long(X, 2020)).groupby("area")["eci"].first().reindex(X.index)
    assert np.ptp(ecx_all.to_numpy()[1:]) < 1e-9  # R2..R5 all equal: a component indicator, not a ranking
    # reference for the healthy rows: ecomplexity on the largest component alone (manual presence)
    ref = run_manual(M[1:, 1:], X.index[1:], X.columns[1:])
    assert_equal_1e9(res.eci[1:], ref.to_numpy(), "eci on the largest component")


def test_year_stack_and_sparse_input(x1x2):
    X1, X2 = x1x2
    M1, _, _ = presence_from_values(X1.to_numpy(float))
    M2, _, _ = presence_from_values(X2.to_numpy(float))
    stacked = eci_pci(np.stack([M1, M2]))
    assert stacked.eci.shape == (2, 6)
    np.testing.assert_allclose(stacked.eci[1], eci_pci(sp.csr_array(M2)).eci, rtol=1e-12)


# ------------------------------------------------------------------------------------- fitness


def test_fitness_reproduces_economiccomplexity_20_iterations(x1x2):
    X1, _ = x1x2
    M, _, _ = presence_from_values(X1.to_numpy(float))
    # economiccomplexity 1.x complexity_measures(method="fitness", iterations=20) gives R6 = 1.5368 and
    # 1.5711 at 200+ iterations (anchors.md section 3, run in R); its loop performs 19 updates.
    r19 = fitness_complexity(M, min_iter=19, max_iter=19)
    assert r19.fitness[5] == pytest.approx(1.5368, abs=5e-5)
    conv = fitness_complexity(M, rank_window=0, max_iter=5000)
    assert conv.rule == "tolerance" and conv.converged
    assert conv.fitness[5] == pytest.approx(1.5711, abs=5e-5)
    assert conv.iterations < 5000


def test_fitness_nested_matrix_does_not_drift_to_zero():
    N = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0], [1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0]])
    N = np.vstack([N, [1, 1, 0, 0, 0]])
    drift = fitness_complexity(N, rank_window=0, max_iter=3000)  # the homogeneous map without a stop rule
    assert drift.fitness.min() < 1e-100 and not drift.converged
    r = fitness_complexity(N)  # rank-stability stop
    assert r.rule == "rank_stable" and r.iterations < 100
    assert (r.fitness > 1e-3).all()
    # ranking follows the nesting (diversity), ties kept
    assert list(np.argsort(-r.fitness, kind="stable")[:3]) == [0, 1, 2]
    again = fitness_complexity(N, min_iter=r.iterations + 20, rank_window=0, max_iter=r.iterations + 20)
    assert np.array_equal(np.argsort(-again.fitness, kind="stable"), np.argsort(-r.fitness, kind="stable"))
    serv = fitness_complexity(N, delta=0.01, rank_window=0, max_iter=5000)
    assert serv.rule == "tolerance" and (serv.fitness > 0).all() and np.isfinite(serv.log_fitness).all()
    assert list(np.argsort(-serv.fitness, kind="stable")[:3]) == [0, 1, 2]


def test_rank_stability_check_equals_comparing_sorts():
    """The O(n) check used by the stopping rule agrees with re-sorting, including ties and zeros."""
    rng = np.random.default_rng(4)
    for _ in range(200):
        x = rng.integers(0, 6, size=30).astype(float)  # many ties
        order = _ranks(x)
        assert _still_sorts(order, x)
        y = x.copy()
        i, j = rng.integers(0, 30, size=2)
        y[i], y[j] = y[j], y[i] + rng.integers(-1, 2)
        assert _still_sorts(order, y) == np.array_equal(_ranks(y), order)
