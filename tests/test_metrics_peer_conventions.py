"""Peer conventions made reachable by name (issue 15): ecomplexity's continuous proximity, Datawheel
economic-complexity (sqrt proximity, relatedness, opportunity gain, relative relatedness, export similarity,
reflections), R economiccomplexity (COI/COG in one call, fitness with its fixed "20 iterations", reflections,
eigenvalues) and Gerfin's shift-share (R REAT).

References, per peer:

* ecomplexity 0.5.3 is installed: it runs inside the tests.
* Datawheel economic-complexity, R economiccomplexity and REAT are not installed here (no R; the Datawheel
  package is not in the environment). Their formulas are transcribed below, line by line, from their
  source (Datawheel/py-economic-complexity ``economic_complexity/pandas/*.py`` at commit 3f225ef;
  pachadotdev/economiccomplexity ``R/complexity_outlook.R``, ``R/distance.R``, ``R/proximity.R``,
  ``R/complexity_measures.R`` at commit 125aa5e; REAT ``shift`` / ``shiftd``), with pandas doing what pandas
  does in the peer, and the one number run in R earlier (economiccomplexity fitness R6 = 1.5368 on X1,
  ../shared/notes/anchors.md section 3) is pinned.

Tolerance: 1e-12 relative (plus 1e-14 absolute) against a transcription in the same arithmetic; 1e-9
relative against ecomplexity (as tests/test_metrics_complexity.py); looser only where stated and explained.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sia.metrics import dynamics, fitness
from sia.metrics import proximity as prox
from sia.metrics.complexity import eci_pci, presence_from_values
from sia.metrics.dynamics import dynamic_gerfin_shift_share, gerfin_shift_share
from sia.metrics.fitness import fitness_complexity, fitness_economiccomplexity
from sia.metrics.proximity import (
    coi_cog,
    continuous_proximity,
    density,
    export_similarity,
    opportunity_gain,
    outlook,
    pooled_proximity,
    proximity,
    relative_relatedness,
)
from sia.metrics.specialisation import location_quotient
from sia.supply import core, regional

ecomplexity = pytest.importorskip("ecomplexity")

COLS = {"time": "year", "loc": "area", "prod": "activity", "val": "value"}
RTOL, ATOL = 1e-12, 1e-14


def wide_to_long(W: pd.DataFrame, year: int) -> pd.DataFrame:
    long = W.stack().rename("value").reset_index()
    long.columns = ["area", "activity", "value"]
    long["year"] = year
    return long


def quiet(fn, *args, **kw):
    """Call a peer with its prints and warnings silenced."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def assert_equal_1e9(sia: np.ndarray, ecx: np.ndarray, what: str) -> None:
    """``|sia - ecx| <= 1e-9 |ecx| + 1e-12 max|ecx|`` element-wise (tests/test_metrics_complexity.py)."""
    sia, ecx = np.asarray(sia, dtype=float), np.asarray(ecx, dtype=float)
    assert np.isfinite(ecx).all() and np.isfinite(sia).all(), what
    worst = np.max(np.abs(sia - ecx) - (1e-9 * np.abs(ecx) + 1e-12 * np.abs(ecx).max()))
    assert worst <= 0, f"{what}: max excess over tolerance {worst:.3g}"


@pytest.fixture(scope="module")
def panels(shared_reference) -> dict[str, pd.DataFrame]:
    """X1, X2 (the shared 6 x 5 inputs) and a 40 x 25 matrix, all cells positive: lognormal noise times 7
    where an area's capability exceeds an activity's requirement (a noisy nested structure, so that ECI
    correlates with diversity, r = 0.48, and the sign rules of the peers and sia agree on it)."""
    X1 = pd.read_csv(shared_reference("inputs/X1_employment_2020.csv"), index_col=0)
    X2 = pd.read_csv(shared_reference("inputs/X2_employment_2021.csv"), index_col=0)
    rng = np.random.default_rng(8)
    cap, req = rng.random(40), rng.random(25)
    Xr = pd.DataFrame(rng.lognormal(0.0, 1.0, size=(40, 25)) * (1 + 6 * (cap[:, None] > req[None, :])),
                      index=[f"R{i}" for i in range(40)], columns=[f"P{j:02d}" for j in range(25)])
    return {"X1": X1.astype(float), "X2": X2.astype(float), "random": Xr}


def presence(X: pd.DataFrame) -> np.ndarray:
    return presence_from_values(X.to_numpy(float))[0]


# ===================================================================================== ecomplexity


@pytest.mark.parametrize("name", ["X1", "X2", "random"])
def test_continuous_proximity_equals_ecomplexity(panels, name):
    X = panels[name]
    e = quiet(ecomplexity.proximity, wide_to_long(X, 2020), COLS, continuous=True)
    ref = e.pivot(index="activity_1", columns="activity_2", values="proximity").reindex(
        index=X.columns, columns=X.columns).to_numpy()
    phi = continuous_proximity(location_quotient(X.to_numpy()))
    np.testing.assert_allclose(phi, ref, rtol=RTOL, atol=ATOL)
    # and the stack form, one matrix per year
    both = continuous_proximity(np.stack([location_quotient(X.to_numpy())] * 2))
    np.testing.assert_array_equal(both[1], phi)


@pytest.mark.parametrize("name", ["X1", "X2", "random"])
def test_continuous_outlook_equals_ecomplexity(panels, name):
    """ecomplexity(..., continuous=True): density from the RCA values, COI and COG with the continuous phi."""
    X = panels[name]
    ecx = quiet(ecomplexity.ecomplexity, wide_to_long(X, 2020), COLS, continuous=True,
                check_logsupermodularity=False)
    rca = location_quotient(X.to_numpy())
    M = presence(X)
    o = outlook(M, convention="ecomplexity", continuous=rca)
    r, c = X.index.get_indexer(ecx["area"]), X.columns.get_indexer(ecx["activity"])
    assert_equal_1e9(o.density[r, c], ecx["density"], "density")
    assert_equal_1e9(o.coi[r], ecx["coi"], "coi")
    assert_equal_1e9(o.cog[r, c], ecx["cog"], "cog")
    assert_equal_1e9(o.complexity.eci[r], ecx["eci"], "eci")
    # the discrete default is a different number: the option is what reaches the peer's continuous mode
    assert not np.allclose(outlook(M, convention="ecomplexity").density, o.density)


def test_asymmetric_proximity_equals_ecomplexity(panels):
    X = panels["random"]
    e = quiet(ecomplexity.proximity, wide_to_long(X, 2020), COLS, asymmetric=True)
    ref = e.pivot(index="activity_1", columns="activity_2", values="proximity").reindex(
        index=X.columns, columns=X.columns).to_numpy()
    np.testing.assert_allclose(proximity(presence(X), "asymmetric"), ref, rtol=RTOL, atol=ATOL)


def test_continuous_proximity_constant_activity_is_unrelated_where_ecomplexity_is_nan(panels):
    """Deliberate difference: an activity with the same RCA in every area (here a fixed share of each area)
    has no defined correlation. ecomplexity returns NaN proximities (then NaN densities); sia returns 0."""
    X = panels["X1"].copy()
    X["I6"] = 0.1 * X.sum(axis=1)  # RCA of I6 is the same in every area
    e = quiet(ecomplexity.proximity, wide_to_long(X, 2020), COLS, continuous=True)
    ref = e.pivot(index="activity_1", columns="activity_2", values="proximity").reindex(
        index=X.columns, columns=X.columns).to_numpy()
    assert np.isnan(ref[5, :5]).all()
    phi = continuous_proximity(location_quotient(X.to_numpy()))
    assert (phi[5] == 0).all() and (phi[:, 5] == 0).all()
    np.testing.assert_allclose(phi[:5, :5], ref[:5, :5], rtol=RTOL, atol=ATOL)


# ===================================================================================== Datawheel
# Transcriptions of economic_complexity/pandas/{proximity,relatedness,opp_gain,similarity,complexity}.py.


def dw_rca(tbl: pd.DataFrame) -> pd.DataFrame:
    tbl = tbl.fillna(value=0)
    col_sums = tbl.sum(axis=1).to_numpy().reshape((tbl.shape[0], 1))
    rca_numerator = np.divide(tbl, col_sums)
    rca_denominator = tbl.sum(axis=0) / tbl.sum().sum()
    return rca_numerator / rca_denominator


def dw_proximity(rca: pd.DataFrame, cutoff: float = 1, procedure: str = "max") -> pd.DataFrame:
    rcas = rca.ge(cutoff).astype(int)
    rcas_t = rcas.T.fillna(0)
    numerator_intersection = rcas_t.dot(rcas_t.T)
    kp0 = rcas.sum(axis=0).to_numpy().reshape((1, rcas.shape[1]))
    kp0_trans = kp0.T
    if procedure == "sqrt":
        denominator_union = np.power(kp0_trans.dot(kp0), 0.5)
    else:
        denominator_union = np.maximum(kp0, kp0_trans)
    phi = np.divide(numerator_intersection, denominator_union)
    # the peer's np.fill_diagonal(phi.values, 0) fails under pandas 3 (read-only view): same result on a copy
    values = phi.to_numpy().copy()
    np.fill_diagonal(values, 0)
    return pd.DataFrame(values, index=phi.index, columns=phi.columns)


def dw_relatedness(rca: pd.DataFrame, proximities: pd.DataFrame, cutoff: float = 1) -> pd.DataFrame:
    rcas = rca.ge(cutoff).astype(int)
    density_numerator = rcas.dot(proximities)
    rcas_ones = rcas * 0 + 1
    density_denominator = rcas_ones.dot(proximities)
    return density_numerator / density_denominator


def dw_opportunity_gain(rca: pd.DataFrame, pci: pd.Series, proximities: pd.DataFrame,
                        cutoff: float = 1) -> pd.DataFrame:
    rcas = rca.ge(cutoff).astype(int)
    prox_ratio = proximities / proximities.sum()
    inverse_rcas = 1 - rcas
    middle = inverse_rcas.multiply(pci)
    dcp = 1 - dw_relatedness(inverse_rcas, proximities)
    right = dcp.multiply(pci)
    return middle.dot(prox_ratio) - right


def dw_relative_relatedness(rca: pd.DataFrame, proximities: pd.DataFrame, cutoff: float = 1) -> pd.DataFrame:
    """The stated formula (the peer's own call ``relatedness(rcas, cutoff)`` raises TypeError: its
    ``relatedness`` takes ``cutoff`` and ``proximities`` as keywords only)."""
    opp = rca.copy()
    opp[opp >= cutoff] = np.nan  # pd.NA in the peer; a float frame stores it as NaN
    opp[opp < cutoff] = 1
    wcp = dw_relatedness(rca, proximities, cutoff)
    wcp_opp = opp * wcp
    wcp_mean = wcp_opp.mean(axis=1)
    wcp_std = wcp_opp.std(axis=1)
    return wcp.transform(lambda x: (x - wcp_mean) / wcp_std)


def dw_similarity(rca: pd.DataFrame, epsilon: float = 0.1) -> pd.DataFrame:
    rcas = np.log(rca + epsilon)
    return pd.DataFrame(np.corrcoef(rcas), columns=rcas.index, index=rcas.index)


def dw_complexity(rca: pd.DataFrame, cutoff: float = 1, iterations: int = 20):
    rcas = rca.ge(cutoff).astype(int)
    kp = rcas.sum(axis=0)
    kc = rcas.sum(axis=1)
    kp0, kc0 = kp.copy(), kc.copy()
    for i in range(1, iterations):
        kc_temp, kp_temp = kc.copy(), kp.copy()
        kp = rcas.T.dot(kc_temp) / kp0
        if i < (iterations - 1):
            kc = rcas.dot(kp_temp) / kc0
    return (kc - kc.mean()) / kc.std(), (kp - kp.mean()) / kp.std()


def dw_complexity_extended(M: np.ndarray, iterations: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """The same loop in numpy extended precision (``longdouble``), as the exact reference."""
    R = M.astype(np.longdouble)
    kp, kc = R.sum(axis=0), R.sum(axis=1)
    kp0, kc0 = kp.copy(), kc.copy()
    for i in range(1, iterations):
        kc_temp, kp_temp = kc.copy(), kp.copy()
        kp = R.T @ kc_temp / kp0
        if i < (iterations - 1):
            kc = R @ kp_temp / kc0
    z = [(v - v.mean()) / v.std(ddof=1) for v in (kc, kp)]
    return z[0].astype(float), z[1].astype(float)


@pytest.fixture(scope="module")
def dw(panels):
    out = {}
    for name, X in panels.items():
        rca = pd.DataFrame(location_quotient(X.to_numpy()), index=X.index, columns=X.columns)
        out[name] = (rca, presence(X))
    return out


@pytest.mark.parametrize("name", ["X1", "random"])
def test_rca_and_cutoff_equal_datawheel(panels, dw, name):
    """``rca(tbl)`` is the Balassa index of ``location_quotient``; ``rca.ge(cutoff)`` is ``binary_presence``."""
    rca, M = dw[name]
    ref = dw_rca(panels[name])
    np.testing.assert_allclose(rca.to_numpy(), ref.to_numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(M, ref.ge(1).astype(int).to_numpy())


@pytest.mark.parametrize("name", ["X1", "random"])
def test_sqrt_proximity_equals_datawheel(dw, name):
    rca, M = dw[name]
    ref = dw_proximity(rca, procedure="sqrt").to_numpy()
    phi = proximity(M, "sqrt")
    np.testing.assert_array_equal(np.diagonal(phi), 1.0)  # sia's diagonal, as min_cond
    np.fill_diagonal(phi, 0.0)
    np.testing.assert_allclose(phi, ref, rtol=RTOL, atol=ATOL)
    # the "max" procedure is sia's default min_cond proximity
    mx = proximity(M)
    np.fill_diagonal(mx, 0.0)
    np.testing.assert_allclose(mx, dw_proximity(rca).to_numpy(), rtol=RTOL, atol=ATOL)


def test_sqrt_proximity_every_kernel_by_hand():
    """sqrt on the dense syrk path, the sparse co-occurrence path and the pooled path, against
    ``C_ij / sqrt(k_i k_j)`` written out. Sizes chosen so each kernel is the one that runs: the sparse kernel
    needs ``200 sum_r k_r^2 < n_areas n_activities^2``."""
    rng = np.random.default_rng(11)
    dense_M = (rng.random((60, 30)) < 0.3).astype(np.int8)
    sparse_M = (rng.random((300, 400)) < 0.01).astype(np.int8)
    k = sparse_M.sum(axis=1).astype(float)
    assert 200 * np.sum(k**2) < 300 * 400**2  # reaches the sparse kernel
    assert not 200 * np.sum(dense_M.sum(axis=1).astype(float) ** 2) < 60 * 30**2  # reaches syrk

    def hand(M: np.ndarray) -> np.ndarray:
        C = M.T.astype(float) @ M
        u = np.diag(C).copy()
        out = np.zeros_like(C)
        n = C.shape[0]
        for i in range(n):
            for j in range(n):
                if u[i] > 0 and u[j] > 0:
                    out[i, j] = C[i, j] / np.sqrt(u[i] * u[j])
        return out

    for M in (dense_M, sparse_M):
        np.testing.assert_allclose(proximity(M, "sqrt"), hand(M), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(proximity(sp.csr_array(M), "sqrt"), hand(M), rtol=RTOL, atol=ATOL)
    # pooled co-occurrence: sum C and k over the two years, then one normalisation
    M1, M2 = dense_M, (rng.random((60, 30)) < 0.3).astype(np.int8)
    pooled = pooled_proximity([M1, M2], "sqrt", pool="cooccurrence")
    np.testing.assert_allclose(pooled, hand(np.vstack([M1, M2])), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["X1", "random"])
def test_relatedness_equals_datawheel(dw, name):
    """Datawheel's relatedness is sia's density without self-proximity, on either proximity."""
    rca, M = dw[name]
    for procedure, method in (("max", "min_cond"), ("sqrt", "sqrt")):
        phi_dw = dw_proximity(rca, procedure=procedure)
        ref = dw_relatedness(rca, phi_dw).to_numpy()
        np.testing.assert_allclose(density(M, proximity(M, method), self_proximity=False), ref,
                                   rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["X1", "random"])
def test_opportunity_gain_equals_datawheel(dw, name):
    rca, M = dw[name]
    pci = eci_pci(M, method="reflections", steps=18, standardise="n-1", warn=False).pci
    phi_dw = dw_proximity(rca)
    ref = dw_opportunity_gain(rca, pd.Series(pci, index=rca.columns), phi_dw).to_numpy()
    phi = proximity(M)
    np.fill_diagonal(phi, 0.0)
    og = opportunity_gain(M, phi, pci)
    np.testing.assert_allclose(og, ref, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(opportunity_gain(sp.csr_array(M), phi, pci), og, rtol=RTOL, atol=ATOL)
    # it is not the Atlas COG (source-side normalisation), which is what the separate function is for
    _, cog = coi_cog(M, density(M, phi), phi, pci, form="atlas")
    assert not np.allclose(cog, og)


def test_opportunity_gain_by_hand():
    # M: R1 = {I1, I2}, R2 = {I2, I3}, R3 = {I1}; min_cond phi with diagonal 0:
    # phi(I1, I2) = 1/2, phi(I2, I3) = 1/2, phi(I1, I3) = 0; column masses (1/2, 1, 1/2)
    M = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0]])
    phi = np.array([[0, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0]])
    p = np.array([-1.0, 0.5, 1.5])
    og = opportunity_gain(M, phi, p)
    # R1, target I3: absent j = {I3}: 1.5 * phi(I3, I3) / 0.5 = 0; d(R1, I3) = phi(I2, I3) / 0.5 = 1 -> 0 - 1.5
    assert og[0, 2] == pytest.approx(-1.5, rel=RTOL)
    # R3, target I2: absent j = {I2, I3}: 0.5 * 0 + 1.5 * 0.5 / 1 = 0.75; d(R3, I2) = 0.5 / 1 -> 0.75 - 0.25
    assert og[2, 1] == pytest.approx(0.5, rel=RTOL)


@pytest.mark.parametrize("name", ["X1", "random"])
def test_relative_relatedness_equals_datawheel(dw, name):
    rca, M = dw[name]
    phi_dw = dw_proximity(rca)
    ref = dw_relative_relatedness(rca, phi_dw).to_numpy()
    phi = proximity(M)
    d = density(M, phi, self_proximity=False)
    rr = relative_relatedness(M, d)
    # a row whose absent options are all equally dense has sd 0: pandas gives inf / NaN, sia NaN
    flat = ~np.isfinite(ref).all(axis=1)
    assert np.isnan(rr[flat]).all()
    if name == "X1":
        assert flat.tolist() == [False, False, False, True, False, False]  # R4: both options at 0.4
    np.testing.assert_allclose(rr[~flat], ref[~flat], rtol=RTOL, atol=ATOL)
    # ddof=0 is the numpy z-score over the absent cells
    rr0 = relative_relatedness(M, d, ddof=0)
    r = 0
    absent = M[r] == 0
    np.testing.assert_allclose(rr0[r], (d[r] - d[r, absent].mean()) / d[r, absent].std(), rtol=RTOL)


def test_relative_relatedness_degenerate_rows():
    M = np.array([[1, 1, 0], [0, 0, 0], [1, 0, 0]])
    d = np.array([[0.9, 0.8, 0.3], [0.2, 0.2, 0.2], [0.5, 0.1, 0.4]])
    rr = relative_relatedness(M, d)
    assert np.isnan(rr[0]).all()  # one absent activity: no sd with ddof=1
    assert np.isnan(rr[1]).all()  # sd 0
    np.testing.assert_allclose(rr[2], (d[2] - 0.25) / np.std([0.1, 0.4], ddof=1), rtol=RTOL)


@pytest.mark.parametrize("name", ["X1", "random"])
def test_export_similarity_equals_datawheel(dw, name):
    rca, _ = dw[name]
    np.testing.assert_allclose(export_similarity(rca.to_numpy()), dw_similarity(rca).to_numpy(),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(export_similarity(rca.to_numpy(), epsilon=0.5),
                               dw_similarity(rca, epsilon=0.5).to_numpy(), rtol=RTOL, atol=ATOL)


def test_datawheel_complexity_is_reflections_18_steps_n_minus_1(dw):
    """Datawheel ``complexity(rca)``: 20 iterations (area side 18 reflections, activity side 19), z-scored
    with pandas std (n - 1), no sign rule. sia: ``eci_pci(M, method="reflections", steps=18,
    standardise="n-1")``. On the random matrix the peer's raw float64 iterates lose about 9 digits (they
    collapse towards a constant; sia z-scores each iterate), so there the reference is the same
    transcription in extended precision (sia within 4e-13 of it) and the float64 peer is held to 1e-8."""
    rca, M = dw["X1"]
    eci, pci = dw_complexity(rca)
    res = eci_pci(M, method="reflections", steps=18, standardise="n-1", warn=False)
    np.testing.assert_allclose(res.eci, eci.to_numpy(), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(res.pci, pci.to_numpy(), rtol=1e-11, atol=1e-13)
    rca, M = dw["random"]
    res = eci_pci(M, method="reflections", steps=18, standardise="n-1", warn=False)
    eci_ld, pci_ld = dw_complexity_extended(M)
    np.testing.assert_allclose(res.eci, eci_ld, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.pci, pci_ld, rtol=0, atol=1e-10)
    eci64, _ = dw_complexity(rca)
    np.testing.assert_allclose(res.eci, eci64.to_numpy(), rtol=0, atol=1e-8)  # measured: 6e-10


# ===================================================================================== R economiccomplexity
# Transcriptions of R/proximity.R, R/distance.R, R/complexity_outlook.R and R/complexity_measures.R.


def r_proximity_product(M: np.ndarray) -> np.ndarray:
    """``crossprod(M, M) / outer(colSums(M), colSums(M), pmax)``: min-conditional, diagonal 1."""
    u = M.sum(axis=0).astype(float)
    return (M.T.astype(float) @ M) / np.maximum.outer(u, u)


def r_complexity_outlook(M: np.ndarray, phi: np.ndarray, pci: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    M = M.astype(float)
    # distance <- tcrossprod(1 - M, phi / rowSums(phi))   (a vector divides an R matrix row by row)
    dist = (1 - M) @ (phi / phi.sum(axis=1)[:, None]).T
    # coi <- colSums(t((1 - dist) * (1 - M)) * pci)
    coi = (((1 - dist) * (1 - M)).T * pci[:, None]).sum(axis=0)
    # cog <- (1 - M) * tcrossprod((1 - M), t(phi * (pci / rowSums(phi))))
    cog = (1 - M) * ((1 - M) @ (phi * (pci / phi.sum(axis=1))[:, None]))
    return coi, cog


def r_fitness(M: np.ndarray, iterations: int = 20, extremality: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    M = M.astype(float)
    kx = np.zeros((M.shape[0], iterations))
    ky = np.zeros((M.shape[1], iterations))
    kx[:, 0] = 1
    ky[:, 0] = 1
    for j in range(1, iterations):
        kx[:, j] = M @ ky[:, j - 1]
        kx[:, j] = kx[:, j] / kx[:, j].mean()
        ky[:, j] = 1 / (M.T @ (1 / kx[:, j - 1]) ** extremality) ** (1 / extremality)
        ky[:, j] = ky[:, j] / ky[:, j].mean()
    return kx[:, iterations - 1], ky[:, iterations - 1]


def r_reflections(M: np.ndarray, iterations: int = 20) -> tuple[np.ndarray, np.ndarray]:
    M = M.astype(float)
    d, u = M.sum(axis=1), M.sum(axis=0)
    kx = np.zeros((M.shape[0], iterations))
    ky = np.zeros((M.shape[1], iterations))
    kx[:, 0], ky[:, 0] = d, u
    for j in range(1, iterations):
        kx[:, j] = (M @ ky[:, j - 1]) / d
        ky[:, j] = (M.T @ kx[:, j - 1]) / u
    x, y = kx[:, iterations - 2], ky[:, iterations - 1]
    return (x - x.mean()) / x.std(ddof=1), (y - y.mean()) / y.std(ddof=1)


def r_eigenvalues(M: np.ndarray, iterations: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Second eigenvector (R's eigen sorts by decreasing modulus), z-scored (n - 1), sign by reflections."""
    M = M.astype(float)
    d, u = M.sum(axis=1), M.sum(axis=0)

    def second(T: np.ndarray) -> np.ndarray:
        w, v = np.linalg.eig(T)
        vec = np.real(v[:, np.argsort(-np.abs(w), kind="stable")[1]])
        return (vec - vec.mean()) / vec.std(ddof=1)

    xci = second((M / d[:, None]) @ (M.T / u[:, None]))
    yci = second((M.T / u[:, None]) @ (M / d[:, None]))
    xr, yr = r_reflections(M, iterations)
    xci = -xci if np.corrcoef(xci, xr)[0, 1] < 0 else xci
    yci = -yci if np.corrcoef(yci, yr)[0, 1] < 0 else yci
    return xci, yci


@pytest.mark.parametrize("name", ["X1", "X2", "random"])
def test_complexity_outlook_equals_economiccomplexity(panels, name):
    """COI and COG from one call, ``coi_cog(..., form="economiccomplexity")``, with R's own inputs: its
    proximity (sia's min_cond, diagonal 1), its density ``1 - distance`` (self-proximity included)."""
    M = presence(panels[name])
    pci = eci_pci(M, standardise="n-1").pci
    phi = proximity(M)
    np.testing.assert_allclose(phi, r_proximity_product(M), rtol=RTOL, atol=ATOL)
    # proximity_country: tcrossprod(M, M) / outer(rowSums(M), rowSums(M), pmax) is proximity(M.T)
    d_r = M.sum(axis=1).astype(float)
    np.testing.assert_allclose(proximity(M.T), (M.astype(float) @ M.T) / np.maximum.outer(d_r, d_r),
                               rtol=RTOL, atol=ATOL)
    coi_r, cog_r = r_complexity_outlook(M, r_proximity_product(M), pci)
    d = density(M, phi, self_proximity=True)
    M_ = M.astype(float)
    np.testing.assert_allclose(d, 1 - (1 - M_) @ (phi / phi.sum(axis=1)[:, None]).T, rtol=RTOL, atol=ATOL)
    coi, cog = coi_cog(M, d, phi, pci, form="economiccomplexity")
    np.testing.assert_allclose(coi, coi_r, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(cog, cog_r, rtol=RTOL, atol=ATOL)
    coi_s, cog_s = coi_cog(sp.csr_array(M), d, phi, pci, form="economiccomplexity")  # sparse kernel
    np.testing.assert_allclose(coi_s, coi_r, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(cog_s, cog_r, rtol=RTOL, atol=ATOL)
    # the Atlas form (sia's default) is a different number
    assert not np.allclose(coi_cog(M, d, phi, pci)[1], cog_r)


def test_fitness_economiccomplexity_20_iterations(panels):
    M = presence(panels["X1"])
    r = fitness_economiccomplexity(M)  # R's default iterations = 20
    assert r.iterations == 19 and r.rule == "fixed" and not r.converged
    assert r.fitness[5] == pytest.approx(1.5368, abs=5e-5)  # run in R (anchors.md section 3)
    F, Q = r_fitness(M)
    np.testing.assert_allclose(r.fitness, F, rtol=RTOL)
    np.testing.assert_allclose(r.complexity, Q, rtol=RTOL)
    same = fitness_complexity(M, min_iter=19, max_iter=19)  # the unnamed spelling in sia 19 updates
    np.testing.assert_allclose(same.fitness, r.fitness, rtol=RTOL)
    assert fitness_economiccomplexity(M, 22).fitness[5] != pytest.approx(r.fitness[5], abs=5e-5)


@pytest.mark.parametrize("extremality", [0.5, 2.0])
def test_fitness_economiccomplexity_extremality(panels, extremality):
    M = presence(panels["random"])
    r = fitness_economiccomplexity(M, 20, extremality=extremality)
    F, Q = r_fitness(M, 20, extremality)
    np.testing.assert_allclose(r.fitness, F, rtol=1e-11)
    np.testing.assert_allclose(r.complexity, Q, rtol=1e-11)
    np.testing.assert_allclose(fitness_economiccomplexity(sp.csr_array(M), 20, extremality=extremality).fitness,
                               r.fitness, rtol=RTOL)


def test_fitness_economiccomplexity_iterations_rule(panels):
    M = presence(panels["X1"])
    with pytest.warns(UserWarning, match="raised to 20"):
        odd = fitness_economiccomplexity(M, 19)
    np.testing.assert_array_equal(odd.fitness, fitness_economiccomplexity(M, 20).fitness)
    with pytest.raises(ValueError, match=">= 2"):
        fitness_economiccomplexity(M, 1)
    # an area with no presence (R drops it): F = 0, and the others are unchanged
    M0 = np.vstack([M, np.zeros((1, M.shape[1]), dtype=M.dtype)])
    r0 = fitness_economiccomplexity(M0)
    assert r0.fitness[-1] == 0
    np.testing.assert_allclose(r0.fitness[:-1], fitness_economiccomplexity(M).fitness, rtol=RTOL)


@pytest.mark.parametrize("name", ["X1", "X2", "random"])
def test_economiccomplexity_reflections_and_eigenvalues(panels, name):
    """``complexity_measures(method="reflections")`` = ``eci_pci(M, method="reflections", steps=18,
    standardise="n-1")``; ``method="eigenvalues"`` = ``eci_pci(M, standardise="n-1")`` (the sign agrees on these
    inputs: R orients by correlation with reflections, sia by diversity). Tolerances as the Datawheel test:
    the raw R iterates lose digits on the random matrix."""
    M = presence(panels[name])
    x, y = r_reflections(M)
    res = eci_pci(M, method="reflections", steps=18, standardise="n-1", warn=False)
    tol = 1e-11 if name != "random" else 1e-8  # measured on random: 1.7e-9 (R's raw iterates)
    np.testing.assert_allclose(res.eci, x, rtol=0, atol=tol)
    np.testing.assert_allclose(res.pci, y, rtol=0, atol=tol)
    xe, ye = r_eigenvalues(M)
    eig = eci_pci(M, standardise="n-1")
    np.testing.assert_allclose(eig.eci, xe, rtol=0, atol=1e-12)
    np.testing.assert_allclose(eig.pci, ye, rtol=0, atol=1e-12)


# ===================================================================================== Gerfin (REAT)


def reat_gerfin(e_ij1: np.ndarray, e_ij2: np.ndarray, e_i1: np.ndarray, e_i2: np.ndarray) -> np.ndarray:
    """REAT ``shift(..., shift.method = "Gerfin")`` for one region: (industrial mix, regional share,
    net total shift)."""
    e_j1, e_j2, e1, e2 = e_ij1.sum(), e_ij2.sum(), e_i1.sum(), e_i2.sum()
    growthir_exp = e_ij1 * (e_i2 / e_i1)
    return np.array([
        (growthir_exp.sum() / e_j1) / (e2 / e1),
        (e_j2 / e_j1) / (growthir_exp.sum() / e_j1),
        (e_j2 / e_j1) / (e2 / e1),
    ])


def reat_shift(e_ij1: np.ndarray, e_ij2: np.ndarray, e_i1: np.ndarray, e_i2: np.ndarray, method: str) -> np.ndarray:
    """REAT ``shift(..., shift.method = "Dunn" | "Esteban")`` for one region (its five components)."""
    e_j1, e_j2, e1, e2 = e_ij1.sum(), e_ij2.sum(), e_i1.sum(), e_i2.sum()
    growth = e_j2 - e_j1
    national = e_j1 * e2 / e1 - e_j1
    mix = np.sum(e_ij1 * (e_i2 / e_i1)) - (e_j1 * (e2 / e1))
    if method == "Dunn":
        regional = np.sum(e_ij1 * (e_ij2 / e_ij1 - e_i2 / e_i1))
        return np.array([growth, national, mix, regional, e_j2 - (e_j1 * (e2 / e1))])
    he_e_ij1 = e_j1 * (e_i1 / e1)
    regional = np.sum(he_e_ij1 * (e_ij2 / e_ij1 - e_i2 / e_i1))
    allocation = np.sum((e_ij1 - he_e_ij1) * (e_ij2 / e_ij1 - e_i2 / e_i1))
    return np.array([growth, national, mix, regional, allocation])


@pytest.fixture(scope="module")
def shift_inputs(shared_reference):
    X1 = pd.read_csv(shared_reference("inputs/X1_employment_2020.csv"), index_col=0).to_numpy(float)
    X2 = pd.read_csv(shared_reference("inputs/X2_employment_2021.csv"), index_col=0).to_numpy(float)
    nat = pd.read_csv(shared_reference("inputs/national_employment_2020_2021.csv"), index_col=0)
    return X1, X2, nat.iloc[:, 0].to_numpy(float), nat.iloc[:, 1].to_numpy(float)


def test_gerfin_equals_reat_formula(shift_inputs):
    X1, X2, N0, N1 = shift_inputs
    g = gerfin_shift_share(X1, X2, N0, N1)
    ref = np.array([reat_gerfin(X1[r], X2[r], N0, N1) for r in range(X1.shape[0])])
    np.testing.assert_allclose(g.industry_mix, ref[:, 0], rtol=RTOL)
    np.testing.assert_allclose(g.regional, ref[:, 1], rtol=RTOL)
    np.testing.assert_allclose(g.total, ref[:, 2], rtol=RTOL)
    np.testing.assert_allclose(g.industry_mix * g.regional, g.total, rtol=RTOL)
    # by hand, region R1: expected growth factor sum_c X0 g_c / X0 against the reference's N1 / N0
    gc = N1 / N0
    hat = (X1[0] * gc).sum() / X1[0].sum()
    assert g.industry_mix[0] == pytest.approx(hat / (N1.sum() / N0.sum()), rel=RTOL)
    # the additive decomposition of the same change: NS + IM is the expected change X0 (g_c) summed
    add = dynamics.shift_share(X1, X2, N0, N1)
    expected_change = (add.national_share + add.industry_mix).sum(axis=1)
    np.testing.assert_allclose(X1.sum(1) + expected_change, X1.sum(1) * g.industry_mix * N1.sum() / N0.sum(),
                               rtol=RTOL)
    # own reference (None): the areas are the nation
    own = gerfin_shift_share(X1, X2)
    ref_own = np.array([reat_gerfin(X1[r], X2[r], X1.sum(0), X2.sum(0)) for r in range(X1.shape[0])])
    np.testing.assert_allclose(own.total, ref_own[:, 2], rtol=RTOL)


def test_dunn_esteban_and_dynamic_equal_reat_formula(shift_inputs):
    """REAT's ``shift`` (Dunn, Esteban) and ``shiftd`` (sum over years) are sia's cell components summed over
    activities: ``shift_share(X0, X1, N0, N1)`` and ``dynamic_shift_share(X, N)``, ``.sum(axis=-1)``."""
    X1, X2, N0, N1 = shift_inputs
    ss = dynamics.shift_share(X1, X2, N0, N1)
    net = ss.industry_mix + ss.competitive_effect
    for r in range(X1.shape[0]):
        dunn = reat_shift(X1[r], X2[r], N0, N1, "Dunn")
        np.testing.assert_allclose([ss.change[r].sum(), ss.national_share[r].sum(), ss.industry_mix[r].sum(),
                                    ss.competitive_effect[r].sum(), net[r].sum()], dunn, rtol=RTOL, atol=1e-10)
        est = reat_shift(X1[r], X2[r], N0, N1, "Esteban")
        np.testing.assert_allclose([ss.homothetic_competitive_effect[r].sum(), ss.allocation_effect[r].sum()],
                                   est[3:], rtol=RTOL, atol=1e-10)
    X3 = X2 * np.linspace(0.9, 1.2, X2.shape[1])[None, :]
    N2 = N1 * 1.05
    dyn = dynamics.dynamic_shift_share(np.stack([X1, X2, X3]), np.stack([N0, N1, N2]))
    for r in range(X1.shape[0]):
        shiftd = reat_shift(X1[r], X2[r], N0, N1, "Dunn") + reat_shift(X2[r], X3[r], N1, N2, "Dunn")
        np.testing.assert_allclose([dyn.national_share[r].sum(), dyn.industry_mix[r].sum(),
                                    dyn.competitive_effect[r].sum()], shiftd[1:4], rtol=RTOL, atol=1e-10)


def test_gerfin_zero_cells_and_batch(shift_inputs):
    X1, X2, N0, N1 = shift_inputs
    Z0 = X1.copy()
    Z0[0, 4] = 0.0  # R1 lacks I5 at the start: contributes 0 to its expected growth
    g = gerfin_shift_share(Z0, X2, N0, N1)
    ref = reat_gerfin(Z0[0], X2[0], N0, N1)
    np.testing.assert_allclose([g.industry_mix[0], g.regional[0], g.total[0]], ref, rtol=RTOL)
    N0z = N0.copy()
    N0z[4] = 0.0  # no reference growth rate for I5: areas with I5 at the start are NaN, others finite
    gz = gerfin_shift_share(Z0, X2, N0z, N1)
    has = Z0[:, 4] > 0
    assert np.isnan(gz.industry_mix[has]).all() and np.isfinite(gz.industry_mix[~has]).all()
    batch = gerfin_shift_share(np.stack([X1, Z0]), np.stack([X2, X2]), np.stack([N0, N0]), np.stack([N1, N1]))
    np.testing.assert_allclose(batch.total[1], g.total, rtol=RTOL)


def test_dynamic_gerfin_combines_yearly_factors(shift_inputs):
    X1, X2, N0, N1 = shift_inputs
    X3 = X2 * np.linspace(0.9, 1.2, X2.shape[1])[None, :]
    N2 = N1 * 1.05
    X, N = np.stack([X1, X2, X3]), np.stack([N0, N1, N2])
    y1, y2 = gerfin_shift_share(X1, X2, N0, N1), gerfin_shift_share(X2, X3, N1, N2)
    for combine, how in (("mean", lambda a, b: (a + b) / 2), ("sum", np.add), ("product", np.multiply)):
        d = dynamic_gerfin_shift_share(X, N, combine=combine)
        for k in range(3):
            np.testing.assert_allclose(d[k], how(y1[k], y2[k]), rtol=RTOL, err_msg=combine)
    # REAT shiftd(..., "Gerfin", gerfin.shifts = "mean" | "sum"): rowMeans / rowSums of the yearly components
    yearly = np.array([[reat_gerfin(X[t, r], X[t + 1, r], N[t], N[t + 1]) for t in range(2)]
                       for r in range(X1.shape[0])])  # (areas, years, 3)
    for combine, reat in (("mean", yearly.mean(axis=1)), ("sum", yearly.sum(axis=1))):
        d = dynamic_gerfin_shift_share(X, N, combine=combine)
        np.testing.assert_allclose(np.column_stack(d), reat, rtol=RTOL, err_msg=combine)
    prod = dynamic_gerfin_shift_share(X, N, combine="product")
    # chained total shift = (X3 / X1) / (N2 / N0) per area
    np.testing.assert_allclose(prod.total, (X3.sum(1) / X1.sum(1)) / (N2.sum() / N0.sum()), rtol=RTOL)
    with pytest.raises(ValueError, match="combine"):
        dynamic_gerfin_shift_share(X, N, combine="median")  # type: ignore[arg-type]


# ===================================================================================== docstring examples


@pytest.mark.parametrize("fn", [
    prox.continuous_proximity, prox.export_similarity, prox.opportunity_gain, prox.relative_relatedness,
    fitness.fitness_economiccomplexity, dynamics.gerfin_shift_share, dynamics.dynamic_gerfin_shift_share,
    regional.cilq, core.footprints,
])
def test_docstring_examples(fn):
    globs = {"np": np, **vars(__import__(fn.__module__, fromlist=["_"]))}
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(fn, fn.__name__, globs=globs):
        runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.attempted > 0 and res.failed == 0
