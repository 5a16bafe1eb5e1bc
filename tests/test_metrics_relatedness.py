"""Proximity, co-occurrence normalisations, density, COI/COG (Atlas form), the opportunity view, and the
West Midlands case on real BRES data. References: ecomplexity.proximity run in the test, EconGeo golden files
(tolerance 1e-12 relative, they carry 15 digits), and hand computations written out below."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sia.compute.registry import ComputeRequest, load_all
from sia.metrics import proximity as prox
from sia.metrics.complexity import presence_from_values
from sia.metrics.proximity import (
    coi_cog,
    cooccurrence,
    density,
    normalise_cooccurrence,
    opportunity_quadrants,
    outlook,
    pooled_proximity,
    proximity,
    spmm,
    strategic_approach,
)
from sia.panel import Panel

ecomplexity = pytest.importorskip("ecomplexity")


@pytest.fixture(scope="module")
def x1(shared_reference):
    X1 = pd.read_csv(shared_reference("inputs/X1_employment_2020.csv"), index_col=0)
    X2 = pd.read_csv(shared_reference("inputs/X2_employment_2021.csv"), index_col=0)
    M1, _, _ = presence_from_values(X1.to_numpy(float))
    M2, _, _ = presence_from_values(X2.to_numpy(float))
    return X1, M1, M2


def test_min_cond_proximity_equals_ecomplexity(x1):
    X1, M, _ = x1
    long = X1.stack().rename("value").reset_index()
    long.columns = ["area", "activity", "value"]
    long["year"] = 2020
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = ecomplexity.proximity(long, {"time": "year", "loc": "area", "prod": "activity", "val": "value"})
    ref = e.pivot(index="activity_1", columns="activity_2", values="proximity").reindex(
        index=X1.columns, columns=X1.columns).to_numpy()
    np.testing.assert_allclose(proximity(M), ref, rtol=1e-12, atol=0)


def test_proximity_golden_file(x1, shared_reference):
    X1, M, _ = x1
    g = pd.read_csv(shared_reference("ecomplexity/X1X2_proximity.csv"))
    g = g[g["year"] == 2020].pivot(index="industry_1", columns="industry_2", values="proximity")
    np.testing.assert_allclose(proximity(M), g.reindex(index=X1.columns, columns=X1.columns).to_numpy(), rtol=1e-12)


def test_econgeo_cooccurrence_and_normalisations(x1, shared_reference):
    _, M, _ = x1
    C = cooccurrence(M)
    gold_c = pd.read_csv(shared_reference("econgeo/X1_cooccurrence.csv"), index_col=0).to_numpy()
    Cz = C.copy()
    np.fill_diagonal(Cz, 0)
    np.testing.assert_array_equal(Cz, gold_c)
    for method in ("cosine", "prob"):
        gold = pd.read_csv(shared_reference(f"econgeo/X1_relatedness_{method}.csv"), index_col=0).to_numpy()
        np.testing.assert_allclose(proximity(M, method), gold, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(normalise_cooccurrence(gold_c, method), gold, rtol=1e-12, atol=1e-15)


def test_jaccard_and_association_by_hand(x1):
    _, M, _ = x1
    # X1 co-occurrence (diagonal 0): I2-I3 = 2; row sums s = (2, 4, 4, 4, 2); total T = 16
    jac = proximity(M, "jaccard")
    assert jac[1, 2] == pytest.approx(2 / (4 + 4 - 2))
    assoc = proximity(M, "association")
    assert assoc[1, 2] == pytest.approx(2 * 16 / (4 * 4))
    assert assoc[0, 4] == pytest.approx(1 * 16 / (2 * 2))
    asym = proximity(M, "asymmetric")
    # P(I3 | I2) = C(I2, I3) / k(I2) = 2 / 3
    assert asym[1, 2] == pytest.approx(2 / 3)


def test_density_by_hand(x1):
    _, M, _ = x1
    phi = proximity(M)
    # R1 has I1, I2. phi column I3 = (0, 2/3, 1, 2/3, 0)
    # with self-proximity: (0 + 2/3) / (0 + 2/3 + 1 + 2/3 + 0) = (2/3) / (7/3) = 2/7
    d_self = density(M, phi, self_proximity=True)
    assert d_self[0, 2] == pytest.approx(2 / 7, rel=1e-12)
    # without: (2/3) / (4/3) = 1/2
    d_no = density(M, phi, self_proximity=False)
    assert d_no[0, 2] == pytest.approx(0.5, rel=1e-12)
    assert np.nanmin(d_no) >= 0 and np.nanmax(d_no) <= 1


def test_coi_cog_atlas_form_by_hand(x1):
    _, M, _ = x1
    phi = proximity(M)
    np.fill_diagonal(phi, 0.0)
    d = density(M, phi, self_proximity=False)
    pci = np.array([-1.0, 0.5, 1.5, 0.25, -0.75])
    coi, cog = coi_cog(M, d, phi, pci, form="atlas")
    r = 0  # R1 lacks I3, I4, I5
    assert coi[r] == pytest.approx(d[r, 2] * 1.5 + d[r, 3] * 0.25 + d[r, 4] * -0.75, rel=1e-12)
    c = 3  # COG(R1, I4) = sum over absent j of phi[j, I4] / sum_k phi[j, k] * PCI_j - d(R1, I4) * PCI_I4
    rs = phi.sum(axis=1)
    expected = sum(phi[j, c] / rs[j] * pci[j] for j in (2, 3, 4)) - d[r, c] * pci[c]
    assert cog[r, c] == pytest.approx(expected, rel=1e-12)


def test_pooled_proximity(x1):
    _, M1, M2 = x1
    np.testing.assert_allclose(pooled_proximity([M1, M2], pool="mean"), (proximity(M1) + proximity(M2)) / 2)
    C = cooccurrence(M1) + cooccurrence(M2)
    k = np.diag(C)
    pooled = pooled_proximity([M1, M2], pool="cooccurrence")
    ref = C / np.maximum(k[:, None], k[None, :])
    np.fill_diagonal(ref, 1.0)
    assert (k[:, None] != k[None, :]).any()  # some pairs have unequal pooled ubiquities
    np.testing.assert_allclose(pooled, ref, rtol=1e-15, atol=0)


def test_quadrants_and_strategy_invariants(x1):
    _, M, _ = x1
    o = outlook(M)
    q = opportunity_quadrants(M, o.density, o.complexity.pci)
    assert ((q == "present") == (M == 1)).all()
    counts = sum((q == lab).sum(axis=1) for lab in ("strategic", "low_hanging", "long_jump", "low_priority"))
    np.testing.assert_array_equal(counts, (M == 0).sum(axis=1))
    s = strategic_approach(np.arange(10.0), np.arange(10.0)[::-1], frontier_share=0.1)
    assert s[9] == "technological_frontier" and s[0] == "light_touch" and s[8] == "strategic_bets"


@pytest.fixture(scope="module")
def bres(shared_data):
    df = pd.read_csv(shared_data("employment/bres_nuts2_2013_sic4_employment_2015_2018.csv.gz"),
                     dtype={"SIC4": str})
    frame = df.rename(columns={"geo_cd": "area", "SIC4": "activity"})[["area", "activity", "year", "value"]]
    return df, Panel.from_frame(frame, measure="employment", unit="jobs")


def test_west_midlands_density_and_quadrants(bres):
    df, panel = bres
    reg = load_all()
    req = ComputeRequest(panel, years=(2018,), params={})
    opp = reg["opportunities"].compute(req)
    wm = opp[opp["area"].isin(["UKG1", "UKG2", "UKG3"])]
    assert len(wm) == 3 * len(panel.activities)
    dens = wm["density"].dropna()
    assert ((dens >= 0) & (dens <= 1)).all()
    for area, g in wm.groupby("area"):
        absent = (g["present"] == 0) & g["density"].notna() & g["pci"].notna()
        quad = g.loc[absent, "quadrant"]
        assert quad.isin(["strategic", "low_hanging", "long_jump", "low_priority"]).all(), area
        assert len(quad) == absent.sum() and len(quad) > 100
    # one density value by hand, from the raw file: UKG3 (West Midlands met.), SIC 2511, no self-proximity
    y = df[df["year"] == 2018].pivot_table(index="geo_cd", columns="SIC4", values="value", aggfunc="sum",
                                           fill_value=0.0)
    y = y.reindex(columns=list(panel.activities), fill_value=0.0)
    lq = (y.div(y.sum(axis=1), axis=0)) / (y.sum(axis=0) / y.to_numpy().sum())
    M = (lq.fillna(0) >= 1).astype(float)
    k = M.sum(axis=0)
    c = "2511"
    co = M.T @ M[c]  # areas having both c and j
    phi_c = co / np.maximum(k, k[c])
    phi_c[c] = 0.0
    expected = float((M.loc["UKG3"] * phi_c).sum() / phi_c.sum())
    got = wm[(wm["area"] == "UKG3") & (wm["activity"] == c)]["density"].item()
    assert got == pytest.approx(expected, rel=1e-12)
    dens_tbl = reg["density"].compute(req)
    same = dens_tbl[(dens_tbl["area"] == "UKG3") & (dens_tbl["activity"] == c)]["density"].item()
    assert same == pytest.approx(expected, rel=1e-12)


def test_spmm_tiles_equal_the_plain_product():
    """Column tiles on the thread pool give bitwise the same numbers as one sparse product (same sums, same order)."""
    rng = np.random.default_rng(1)
    M = sp.random_array((300, 1600), density=0.02, random_state=2, format="csr")
    W = sp.csr_array(M.multiply(rng.random(M.shape)))
    B = rng.random((1600, 1300))  # 1300 columns: 6 tiles
    a, b = spmm([M, W], B)
    np.testing.assert_array_equal(a, M @ B)
    np.testing.assert_array_equal(b, W @ B)
    np.testing.assert_allclose(a, M.toarray() @ B, rtol=1e-12)


def _naive_outlook(M: np.ndarray, phi: np.ndarray, pci: np.ndarray, self_prox: bool, form: str):
    """Density, COI, COG from their definitions with dense (1 - M) (the formulas of the docstrings)."""
    P = phi.copy()
    np.fill_diagonal(P, 1.0 if self_prox else 0.0)
    den = P.sum(axis=0)
    d = (M @ P) / den
    absent = 1.0 - M
    coi = (d * absent * pci).sum(axis=1)
    gain = (absent * (pci / phi.sum(axis=1))) @ phi
    cog = gain - d * pci if form == "atlas" else absent * gain
    return d, coi, cog


@pytest.mark.parametrize("convention", ["sia", "ecomplexity"])
def test_outlook_full_trade_matrix_equals_dense_definitions(convention, shared_data):
    """All 224 x 1222 trade cells (wide enough for the tiled, threaded kernel) against dense (1 - M) formulas."""
    df = pd.read_csv(shared_data("trade/ots_world_trade_country_hs4_exports_2017.csv.gz"), dtype={"product_code": str})
    W = df.pivot_table(index="reporter_iso", columns="product_code", values="export_value_usd", aggfunc="sum",
                       fill_value=0.0)
    M, _, _ = presence_from_values(W.to_numpy(float))
    o = outlook(M, convention=convention, warn=False)
    assert M.shape[1] > 1000
    if convention == "ecomplexity":
        d, coi, cog = _naive_outlook(M, o.proximity, o.complexity.kp, True, "ecomplexity")
        ok = np.isfinite(o.complexity.eci)
        coi = (coi - coi[ok].mean()) / coi[ok].std()
        cog = cog / np.std(o.complexity.kc[ok])
    else:
        d, coi, cog = _naive_outlook(M, o.proximity, np.nan_to_num(o.complexity.pci), False, "atlas")
    np.testing.assert_allclose(o.density, d, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(o.coi, coi, rtol=1e-9, atol=1e-12)
    scale = np.abs(cog).max()
    np.testing.assert_allclose(o.cog, cog, rtol=1e-9, atol=1e-12 * scale)
    # the public functions agree with the fused (stacked) product inside outlook; BLAS may block a stacked
    # product differently from a single one, so the last bits can differ
    np.testing.assert_allclose(density(M, o.proximity, self_proximity=convention == "ecomplexity"), o.density,
                               rtol=1e-13, atol=1e-16)


def _random_presence(rng: np.random.Generator, n_r: int, n_c: int, share: float) -> np.ndarray:
    a, b = rng.lognormal(0, 0.6, n_r), rng.lognormal(0, 0.6, n_c)
    p = np.clip(np.outer(a, b) * share / (a.mean() * b.mean()), 0, 1)
    return (rng.random((n_r, n_c)) < p).astype(np.int8)


@pytest.mark.parametrize("method", ["min_cond", "asymmetric", "cosine", "jaccard", "association", "prob"])
def test_dense_syrk_proximity_equals_definition_and_sparse_input(method):
    """The float32 syrk + mirrored one-pass normalisation against C = M^T M in float64, for a dense and a CSR
    input. At 12 % presence both take the dense kernel (the sparse kernel has its own tests below)."""
    M = _random_presence(np.random.default_rng(3), 150, 700, 0.12)
    M[:, 5] = 0  # an activity present nowhere
    assert not sp.issparse(prox._cooccurrence(M))
    assert not sp.issparse(prox._cooccurrence(sp.csr_array(M.astype(float))))
    C = M.T.astype(float) @ M.astype(float)
    k = np.diag(C).copy()
    np.testing.assert_array_equal(cooccurrence(M), C)
    ours = proximity(M, method)
    if method in ("min_cond", "asymmetric"):
        kk = np.where(k > 0, k, 1.0)
        ref = C / (np.maximum(kk[:, None], kk[None, :]) if method == "min_cond" else kk[:, None])
        np.fill_diagonal(ref, np.where(k > 0, 1.0, 0.0))
    else:
        ref = normalise_cooccurrence(C, method)
    np.testing.assert_allclose(ours, ref, rtol=1e-15, atol=0)
    Ms = sp.csr_array(M.astype(float))
    np.testing.assert_allclose(proximity(Ms, method), ours, rtol=1e-14, atol=1e-300)
    with pytest.raises(ValueError, match="proximity method"):
        proximity(M, "nearest")  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", [(120, 600), (600, 120)])  # areas side and activities side smaller
@pytest.mark.parametrize("convention", ["sia", "ecomplexity", "econgeo"])
def test_outlook_dense_kernels_equal_sparse_kernels(shape, convention):
    """Dense input (BLAS path) and sparse input (sparse kernels) give the same outlook, on a network with a
    second component and an empty row and column, so flags, NaN PCI and the component search are exercised."""
    rng = np.random.default_rng(7)
    M = _random_presence(rng, *shape, 0.1)
    M[-6:, :] = 0
    M[:, -6:] = 0
    M[-5:-2, -5:-2] = 1  # a separate small component
    M[-1, :] = 0  # an empty area
    M[:, -1] = 0  # an empty activity
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dense = outlook(M, convention=convention)
        sparse = outlook(sp.csr_array(M.astype(float)), convention=convention)
    assert (dense.complexity.area_flag == "disconnected").sum() == 3
    np.testing.assert_array_equal(dense.complexity.area_flag, sparse.complexity.area_flag)
    np.testing.assert_array_equal(dense.complexity.activity_flag, sparse.complexity.activity_flag)
    assert dense.complexity.n_components == sparse.complexity.n_components == 2
    for name in ("eci", "pci"):
        np.testing.assert_allclose(getattr(dense.complexity, name), getattr(sparse.complexity, name),
                                   rtol=1e-9, atol=1e-11, equal_nan=True)
    np.testing.assert_allclose(dense.proximity, sparse.proximity, rtol=1e-14, atol=0)
    for name in ("density", "coi", "cog"):
        a, b = getattr(dense, name), getattr(sparse, name)
        scale = np.nanmax(np.abs(b))
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11 * scale, equal_nan=True)


# ------------------------------------------------------------------ each proximity kernel, by hand
# Which kernel computes phi = C / max(k_i, k_j) depends on size: the dense syrk kernel (``_from_upper``), the
# sparse-product kernel inside ``proximity`` (taken when 200 * sum_r d_r^2 < n_areas * n_activities^2, d_r the
# presences of area r) and the time-pooled kernel (``_proximity_from_counts``). Each test below asserts which
# kernel ran and checks cells whose two ubiquities differ, where max and min give different answers.

# 5 areas x 4 activities (A, B, C, D):
#   R1: A B     R2: A B C     R3: A C     R4: A D     R5: B C
# ubiquities k = (A 4, B 3, C 3, D 1); co-occurrences AB 2 (R1, R2), AC 2 (R2, R3), AD 1 (R4), BC 2 (R2, R5),
# BD 0, CD 0.
HAND_M = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0]], dtype=np.int8)
# min_cond: AB 2/max(4,3) = 1/2, AC 2/max(4,3) = 1/2, AD 1/max(4,1) = 1/4, BC 2/max(3,3) = 2/3 (a max -> min
# change would give AB 2/3, AC 2/3, AD 1 and leave only BC unchanged)
HAND_MIN_COND = np.array([
    [1, 1 / 2, 1 / 2, 1 / 4],
    [1 / 2, 1, 2 / 3, 0],
    [1 / 2, 2 / 3, 1, 0],
    [1 / 4, 0, 0, 1],
])
# asymmetric P(j | i) = C_ij / k_i: row A divides by 4, rows B and C by 3, row D by 1
HAND_ASYMMETRIC = np.array([
    [1, 2 / 4, 2 / 4, 1 / 4],
    [2 / 3, 1, 2 / 3, 0],
    [2 / 3, 2 / 3, 1, 0],
    [1, 0, 0, 1],
])


def _padded(M: np.ndarray, n_c: int) -> np.ndarray:
    """``M`` with activities present nowhere appended up to ``n_c`` columns (their proximity is 0)."""
    return np.hstack([M, np.zeros((M.shape[0], n_c - M.shape[1]), dtype=M.dtype)])


def _padded_hand(phi: np.ndarray, n_c: int) -> np.ndarray:
    out = np.zeros((n_c, n_c))
    out[:phi.shape[0], :phi.shape[1]] = phi
    return out


def _forbid(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Make the named kernels of :mod:`sia.metrics.proximity` fail if they are called."""
    for name in names:
        def boom(*args: object, _name: str = name, **kwargs: object) -> None:
            raise AssertionError(f"{_name} was called: the kernel under test was not the one that ran")

        monkeypatch.setattr(prox, name, boom)


def _count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Wrap a kernel of :mod:`sia.metrics.proximity` so that its calls are counted (one entry per call)."""
    calls: list[int] = []
    real = getattr(prox, name)

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(prox, name, spy)
    return calls


def test_dense_kernel_by_hand(monkeypatch):
    """5 x 4: 200 * sum d^2 = 200 * 25 = 5000 >= 5 * 4^2 = 80, so the dense syrk kernel (_from_upper) runs."""
    assert not sp.issparse(prox._cooccurrence(HAND_M))
    calls = _count_calls(monkeypatch, "_from_upper")
    _forbid(monkeypatch, "_proximity_from_counts")
    np.testing.assert_allclose(proximity(HAND_M, "min_cond"), HAND_MIN_COND, rtol=1e-15, atol=0)
    np.testing.assert_allclose(proximity(HAND_M, "asymmetric"), HAND_ASYMMETRIC, rtol=1e-15, atol=0)
    assert len(calls) == 2


@pytest.mark.parametrize("as_csr", [False, True])
def test_sparse_kernel_by_hand(monkeypatch, as_csr):
    """The hand matrix padded to 40 activities: 200 * sum d^2 = 5000 < 5 * 40^2 = 8000, so the sparse product
    and the normalisation of its stored entries run (dense and CSR input alike); the dense kernels must not."""
    n_c = 40
    Mp = _padded(HAND_M, n_c)
    assert 200 * int((Mp.sum(axis=1) ** 2).sum()) < Mp.shape[0] * n_c**2  # the documented threshold
    M_in = sp.csr_array(Mp.astype(float)) if as_csr else Mp
    assert sp.issparse(prox._cooccurrence(M_in))
    _forbid(monkeypatch, "_from_upper", "_upper_counts", "_proximity_from_counts")
    phi = proximity(M_in, "min_cond")
    np.testing.assert_allclose(phi, _padded_hand(HAND_MIN_COND, n_c), rtol=1e-15, atol=0)
    assert phi[0, 1] == 1 / 2 and phi[0, 3] == 1 / 4  # AB (k 4 vs 3), AD (k 4 vs 1)
    np.testing.assert_allclose(proximity(M_in, "asymmetric"), _padded_hand(HAND_ASYMMETRIC, n_c), rtol=1e-15,
                               atol=0)


@pytest.mark.parametrize("method", ["min_cond", "asymmetric", "cosine", "jaccard", "association", "prob"])
def test_sparse_kernel_equals_definition(method):
    """A presence sparse enough for the sparse kernel (0.3 %, 400 x 2000) against C = M^T M in float64."""
    M = _random_presence(np.random.default_rng(11), 400, 2000, 0.003)
    assert sp.issparse(prox._cooccurrence(M)) and sp.issparse(prox._cooccurrence(sp.csr_array(M.astype(float))))
    C = M.T.astype(float) @ M.astype(float)
    k = np.diag(C).copy()
    kk = np.where(k > 0, k, 1.0)
    assert ((C > 0) & (k[:, None] != k[None, :])).sum() > 100  # many co-occurring pairs of unequal ubiquity
    if method in ("min_cond", "asymmetric"):
        ref = C / (np.maximum(kk[:, None], kk[None, :]) if method == "min_cond" else kk[:, None])
        np.fill_diagonal(ref, np.where(k > 0, 1.0, 0.0))
    else:
        ref = normalise_cooccurrence(C, method)
    np.testing.assert_allclose(cooccurrence(M), C, rtol=0, atol=0)
    np.testing.assert_allclose(proximity(M, method), ref, rtol=1e-14, atol=0)
    np.testing.assert_allclose(proximity(sp.csr_array(M.astype(float)), method), ref, rtol=1e-14, atol=0)


# a second year of the hand panel:  R1: A   R2: A B   R3: A B C   R4: C D   R5: (none)
# k = (A 3, B 2, C 2, D 1); co-occurrences AB 2 (R2, R3), AC 1 (R3), BC 1 (R3), CD 1 (R4), AD 0, BD 0.
HAND_M2 = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 0]], dtype=np.int8)
# pooled over both years (area-years as observations): k = (4+3, 3+2, 3+2, 1+1) = (7, 5, 5, 2);
# C: AB 2+2 = 4, AC 2+1 = 3, AD 1+0 = 1, BC 2+1 = 3, BD 0, CD 0+1 = 1.
# min_cond: AB 4/max(7,5) = 4/7, AC 3/7, AD 1/max(7,2) = 1/7, BC 3/max(5,5) = 3/5, CD 1/max(5,2) = 1/5
# (a max -> min change: AB 4/5, AC 3/5, AD 1/2, CD 1/2; only BC is the same).
HAND_POOLED_MIN_COND = np.array([
    [1, 4 / 7, 3 / 7, 1 / 7],
    [4 / 7, 1, 3 / 5, 0],
    [3 / 7, 3 / 5, 1, 1 / 5],
    [1 / 7, 0, 1 / 5, 1],
])


def test_pooled_cooccurrence_kernel_by_hand(monkeypatch):
    """pool="cooccurrence" sums C and k over years and normalises once in _proximity_from_counts."""
    calls = _count_calls(monkeypatch, "_proximity_from_counts")
    pooled = pooled_proximity([HAND_M, HAND_M2], "min_cond", pool="cooccurrence")
    assert len(calls) == 1
    np.testing.assert_allclose(pooled, HAND_POOLED_MIN_COND, rtol=1e-15, atol=0)
    # asymmetric pooled: P(j | i) = C_ij / k_i, e.g. P(B | A) = 4/7, P(A | B) = 4/5, P(C | D) = 1/2
    asym = pooled_proximity([HAND_M, HAND_M2], "asymmetric", pool="cooccurrence")
    assert (asym[0, 1], asym[1, 0], asym[3, 2]) == (pytest.approx(4 / 7), pytest.approx(4 / 5), pytest.approx(1 / 2))
    # the mean of the yearly proximities is another thing: AB = (1/2 + 2/max(3,2)) / 2 = (1/2 + 2/3) / 2
    mean = pooled_proximity([HAND_M, HAND_M2], "min_cond", pool="mean")
    assert mean[0, 1] == pytest.approx((1 / 2 + 2 / 3) / 2, rel=1e-15)


def test_pooled_cooccurrence_kernel_by_hand_sparse_years(monkeypatch):
    """The same pooled numbers when each year's co-occurrence comes from the sparse product (padded to 40)."""
    n_c = 40
    years = [_padded(HAND_M, n_c), _padded(HAND_M2, n_c)]
    assert all(sp.issparse(prox._cooccurrence(m)) for m in years)
    calls = _count_calls(monkeypatch, "_proximity_from_counts")
    pooled = pooled_proximity(years, "min_cond", pool="cooccurrence")
    assert len(calls) == 1
    np.testing.assert_allclose(pooled, _padded_hand(HAND_POOLED_MIN_COND, n_c), rtol=1e-15, atol=0)
