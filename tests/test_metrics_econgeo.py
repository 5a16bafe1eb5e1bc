"""EconGeo conventions: relatedness density inside / outside the portfolio, Hoover-Gini, PRODY / EXPY,
patent measures (z-score, ease of recombination, modular complexity) and MORt.

No EconGeo output exists for any of these in ../shared/reference/econgeo (R is not installed here), so
each test is a hand computation from EconGeo 2.1's documented formula, quoted in its docstring, or EconGeo's
R code written out line by line on EconGeo's own outputs for the inputs (binary RCA, location quotient,
relatedness) where those golden files exist. Where EconGeo rounds, the comparison is at its rounding.
"""

from __future__ import annotations

import doctest
import math
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import scipy.stats
from numpy.testing import assert_allclose, assert_array_equal

from sia.metrics import concentration, econgeo, patents, productivity_levels
from sia.metrics.complexity import econgeo_reflections, morc
from sia.metrics.concentration import gini, hoover_gini, locational_gini
from sia.metrics.econgeo import mort, portfolio_density, portfolio_density_mean
from sia.metrics.patents import (
    cooccurrence_z_score,
    ease_of_recombination,
    modular_complexity,
    modular_complexity_avg,
)
from sia.metrics.productivity_levels import expy, prody
from sia.metrics.proximity import density, proximity
from sia.metrics.specialisation import binary_presence, location_quotient

POP = np.array([400.0, 350.0, 300.0, 500.0, 250.0, 300.0])  # README: population of R1..R6
INCOME = np.array([31.0, 24.5, 40.2, 35.0, 19.8, 27.3])  # an income per head for R1..R6 (made up)


def _m(path) -> np.ndarray:
    return pd.read_csv(path, index_col=0).to_numpy(dtype=np.float64)


@pytest.fixture(scope="module")
def X1(shared_reference) -> np.ndarray:
    return _m(shared_reference("inputs/X1_employment_2020.csv"))


@pytest.fixture(scope="module")
def gold(shared_reference):
    return lambda name: _m(shared_reference(f"econgeo/{name}"))


@pytest.mark.parametrize("module", [econgeo, patents, productivity_levels, concentration])
def test_docstring_examples(module):
    failed, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failed == 0


# --------------------------------------------------------------- relatedness density inside / outside

# R1 has I1; R2 has I2, I3; R3 has I1, I2, I3; R4 nothing.
M4 = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0]])
PHI = np.array([[0.0, 0.5, 0.2],
                [0.5, 0.0, 0.4],
                [0.2, 0.4, 0.0]])  # column sums 0.7, 0.9, 0.6


def test_portfolio_density_by_hand():
    """EconGeo ``relatedness_density_ext`` / ``_int``: ``rel <- mat %*% relatedness; reltot <- colSums(relatedness);
    reldens <- round(100 * rel / reltot, 0)``; ext keeps the cells where ``mat == 0``, int where ``mat == 1``."""
    nan = np.nan
    # d = M phi / colsums: R1 (0, .5/.9, .2/.6); R2 (.7/.7, .4/.9, .4/.6); R3 (.7/.7, .9/.9, .6/.6); R4 0
    d = np.array([[0.0, 5 / 9, 1 / 3], [1.0, 4 / 9, 2 / 3], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    assert_allclose(density(M4, PHI), d, rtol=1e-12)
    out = portfolio_density(M4, PHI, part="outside")
    assert_allclose(out, [[nan, 5 / 9, 1 / 3], [1.0, nan, nan], [nan, nan, nan], [0, 0, 0]], rtol=1e-12)
    inside = portfolio_density(M4, PHI, part="inside")
    assert_allclose(inside, [[0.0, nan, nan], [nan, 4 / 9, 2 / 3], [1, 1, 1], [nan, nan, nan]], rtol=1e-12)
    # EconGeo: 100 d rounded to integers
    assert_array_equal(portfolio_density(M4, PHI, part="outside", convention="econgeo"),
                       [[nan, 56, 33], [100, nan, nan], [nan, nan, nan], [0, 0, 0]])
    assert_array_equal(portfolio_density(M4, PHI, part="inside", convention="econgeo"),
                       [[0, nan, nan], [nan, 44, 67], [100, 100, 100], [nan, nan, nan]])


def test_portfolio_density_means_by_hand():
    """EconGeo ``relatedness_density_ext_avg`` / ``_int_avg``:
    ``round(rowSums(reldens * mat, na.rm = TRUE) / rowSums(mat, na.rm = TRUE), 0)`` over the rounded cells."""
    out = portfolio_density_mean(M4, PHI, part="outside")
    assert_allclose(out[[0, 1, 3]], [(5 / 9 + 1 / 3) / 2, 1.0, 0.0], rtol=1e-12)
    assert np.isnan(out[2])  # R3 has every activity: nothing outside, 0 / 0
    inside = portfolio_density_mean(M4, PHI, part="inside")
    assert_allclose(inside[:3], [0.0, (4 / 9 + 2 / 3) / 2, 1.0], rtol=1e-12)
    assert np.isnan(inside[3])
    # EconGeo rounds the cells first: R1 outside (56 + 33) / 2 = 44.5 -> 44 (half to even, R's round);
    # R2 inside (44 + 67) / 2 = 55.5 -> 56; the unrounded means would give 44 and 56 as well
    assert_array_equal(portfolio_density_mean(M4, PHI, part="outside", convention="econgeo")[[0, 1, 3]], [44, 100, 0])
    assert_array_equal(portfolio_density_mean(M4, PHI, part="inside", convention="econgeo")[:3], [0, 56, 100])


def test_portfolio_density_diagonal_conventions():
    """EconGeo uses the relatedness matrix as given (``mat %*% relatedness``, diagonal included):
    ``self_proximity=None``. With a diagonal of 1 that is ``self_proximity=True``."""
    phi1 = PHI + np.eye(3)  # column sums 1.7, 1.9, 1.6
    # R2 (I2, I3), I1 outside: (0.5 + 0.2) / 1.7; inside I2: (1 + 0.4) / 1.9
    given = portfolio_density(M4, phi1, part="outside", self_proximity=None)
    assert given[1, 0] == pytest.approx(0.7 / 1.7, rel=1e-12)
    assert portfolio_density(M4, phi1, part="inside", self_proximity=None)[1, 1] == pytest.approx(1.4 / 1.9, rel=1e-12)
    assert_allclose(given, portfolio_density(M4, PHI, part="outside", self_proximity=True), rtol=1e-12)
    # False zeroes the diagonal whatever phi holds
    assert_allclose(portfolio_density(M4, phi1, part="outside"), portfolio_density(M4, PHI, part="outside"))


def test_portfolio_density_on_x1_with_econgeo_inputs(X1, gold):
    """X1 with EconGeo's own binary RCA and ``relatedness(method="prob")`` outputs, EconGeo's R code written out."""
    M = gold("X1_rca_binary.csv")
    rel = gold("X1_relatedness_prob.csv")
    reldens = np.round(100 * (M @ rel) / rel.sum(axis=0), 0)  # round(t(t(mat %*% relatedness) / reltot) * 100, 0)
    ext = np.where(M == 0, reldens, np.nan)
    inn = np.where(M == 1, reldens, np.nan)
    assert_array_equal(portfolio_density(M, rel, part="outside", convention="econgeo", self_proximity=None), ext)
    assert_array_equal(portfolio_density(M, rel, part="inside", convention="econgeo", self_proximity=None), inn)
    assert_array_equal(portfolio_density_mean(M, rel, part="outside", convention="econgeo"),
                       np.round(np.nansum(ext, axis=1) / (M == 0).sum(axis=1), 0))
    assert_array_equal(portfolio_density_mean(M, rel, part="inside", convention="econgeo"),
                       np.round(np.nansum(inn, axis=1) / M.sum(axis=1), 0))
    # sia's own proximity(M, "prob") is EconGeo's relatedness (diagonal 0), so the default diagonal agrees
    sia_m = binary_presence(location_quotient(X1))
    assert_array_equal(portfolio_density(sia_m, proximity(sia_m, "prob"), part="outside", convention="econgeo"), ext)
    # the two parts tile the full density
    full = density(M, rel)
    both = np.where(M == 1, portfolio_density(M, rel, part="inside"), portfolio_density(M, rel, part="outside"))
    assert_allclose(both, full, rtol=1e-15)


def test_econgeo_relatedness_density_is_density_times_100(gold):
    """EconGeo ``relatedness_density(mat, relatedness)``:
    ``round(100 * (mat %*% relatedness) / colSums(relatedness), 2)``."""
    M = gold("X1_rca_binary.csv")
    rel = gold("X1_relatedness_prob.csv")
    expected = np.round(100 * (M @ rel) / rel.sum(axis=0), 2)
    assert_allclose(np.round(100 * density(M, rel, self_proximity=False), 2), expected, rtol=0, atol=1e-12)


def test_portfolio_density_sparse_batch_and_errors():
    Ms = sp.csr_array(M4.astype(float))
    assert_allclose(portfolio_density(Ms, PHI, part="outside"), portfolio_density(M4, PHI, part="outside"))
    stack = np.stack([M4, 1 - M4])
    phis = np.stack([PHI, PHI.T])
    got = portfolio_density(stack, phis, part="inside")
    assert_allclose(got[1], portfolio_density(1 - M4, PHI.T, part="inside"), rtol=1e-12)
    with pytest.raises(ValueError, match="binary"):
        portfolio_density(M4 * 2, PHI, part="inside")
    with pytest.raises(ValueError, match="part"):
        portfolio_density(M4, PHI, part="ext")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="convention"):
        portfolio_density_mean(M4, PHI, part="inside", convention="R")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- Hoover-Gini


def _econgeo_hoover_gini(ind: np.ndarray, pop: np.ndarray) -> float:
    """EconGeo 2.1 ``hoover_gini`` for one column, line by line:
    ``ind <- c(0, ind); pop <- c(0, pop); o <- ind / pop; o[is.na(o)] <- 0; oind <- order(o)``;
    ``cind <- cumsum(ind) / max(cumsum(ind)); cpop <- cumsum(pop) / max(cumsum(pop))``;
    ``sum(cind[-1] * cpop[-nn]) - sum(cind[-nn] * cpop[-1])`` (the shoelace formula), before its 3-dp rounding."""
    ind = np.concatenate([[0.0], ind])
    pop = np.concatenate([[0.0], pop])
    with np.errstate(divide="ignore", invalid="ignore"):
        o = ind / pop
    o[np.isnan(o)] = 0
    oind = np.argsort(o, kind="stable")
    ind, pop = ind[oind], pop[oind]
    cind = np.cumsum(ind) / np.max(np.cumsum(ind))
    cpop = np.cumsum(pop) / np.max(np.cumsum(pop))
    return float(np.sum(cind[1:] * cpop[:-1]) - np.sum(cind[:-1] * cpop[1:]))


def test_hoover_gini_econgeo_documentation_example():
    """EconGeo's example: ``pop <- c(10, 15, 20, 25, 30)``; I1 all 0, I2 = pop (proportional), I3 only R5
    (30 % of the population has everything), I4 R4 and R5 (55 %). By hand, 1 - sum_i p_i (Q_i + Q_i-1):
    I3: 1 - 0.3 * (1 + 0) = 0.7; I4 (R5 first, ratio 1/30 < 1/25): 1 - 0.3 * 0.5 - 0.25 * (1 + 0.5) = 0.475."""
    pop = np.array([10.0, 15.0, 20.0, 25.0, 30.0])
    mat = np.array([[0, 10, 0, 0], [0, 15, 0, 0], [0, 20, 0, 0], [0, 25, 0, 1], [0, 30, 1, 1]], dtype=float)
    hg = hoover_gini(mat, pop)
    assert np.isnan(hg[0])  # EconGeo: cumsum / max(cumsum) = 0 / 0
    assert_allclose(hg[1:], [0.0, 0.7, 0.475], rtol=1e-12, atol=1e-15)
    # EconGeo's vector example: ind c(0, 10, 10, 30, 50) against the same pop
    ind = np.array([0.0, 10, 10, 30, 50])
    assert hoover_gini(ind[:, None], pop)[0] == pytest.approx(_econgeo_hoover_gini(ind, pop), rel=1e-12)


def test_hoover_gini_x1_against_econgeo_algorithm(X1):
    expected = np.array([_econgeo_hoover_gini(X1[:, c], POP) for c in range(X1.shape[1])])
    got = hoover_gini(X1, POP)
    assert_allclose(got, expected, rtol=1e-12)
    assert_allclose(np.round(got, 3), np.round(expected, 3), atol=0)  # EconGeo's printed values
    # a zero-population area with a positive value sorts last (ratio Inf), in both
    pop0 = POP.copy()
    pop0[2] = 0
    assert_allclose(hoover_gini(X1, pop0), [_econgeo_hoover_gini(X1[:, c], pop0) for c in range(5)], rtol=1e-12)
    # batch axis: two years stacked
    assert_allclose(hoover_gini(np.stack([X1, X1[::-1]]), np.stack([POP, POP[::-1]]))[1], got, rtol=1e-12)


def test_hoover_gini_other_bases_are_gini_and_locational_gini(X1, gold):
    """Equal weights give EconGeo's ``gini`` (golden file, 3 dp); each area's total activity as the base gives
    the locational Gini, EconGeo's ``locational_gini`` doubled (golden file, unrounded)."""
    assert_allclose(np.round(hoover_gini(X1), 3), gold("X1_gini_by_industry.csv").ravel(), atol=1e-12)
    assert_allclose(hoover_gini(X1), gini(X1), rtol=1e-12)
    assert_allclose(hoover_gini(X1, X1.sum(axis=1)), 2 * gold("X1_locational_gini.csv").ravel(), rtol=1e-9)
    assert_allclose(hoover_gini(X1, X1.sum(axis=1)), locational_gini(X1), rtol=1e-12)
    with pytest.raises(ValueError, match="population"):
        hoover_gini(X1, POP[:5])
    with pytest.raises(ValueError, match="non-negative"):
        hoover_gini(X1, -POP)


# ------------------------------------------------------------------------------------------ PRODY / EXPY

H = np.array([[10.0, 30.0, 60.0],
              [40.0, 20.0, 40.0]])  # shares (.1, .3, .6) and (.4, .2, .4); RCA (.4, 1.2, 1.2), (1.6, .8, .8)


def test_prody_expy_by_hand():
    """Hausmann, Hwang & Rodrik (2007); EconGeo ``prody``: ``(vec %*% rca(mat)) / colSums(rca(mat))``;
    ``expy``: ``prody %*% t(mat / rowSums(mat))``. With Y = (1, 2):
    PRODY_1 = (.4 * 1 + 1.6 * 2) / (.4 + 1.6) = 1.8; PRODY_2 = (1.2 + 1.6) / 2 = 1.4; PRODY_3 = 1.4;
    EXPY_1 = .1 * 1.8 + .3 * 1.4 + .6 * 1.4 = 1.44; EXPY_2 = .4 * 1.8 + .2 * 1.4 + .4 * 1.4 = 1.56."""
    y = np.array([1.0, 2.0])
    assert_allclose(prody(H, y), [1.8, 1.4, 1.4], rtol=1e-12)
    assert_allclose(expy(H, y), [1.44, 1.56], rtol=1e-12)
    # here the RCAs are exact at 2 dp, so EconGeo's rounding changes nothing
    assert_allclose(prody(H, y, convention="econgeo"), [1.8, 1.4, 1.4], rtol=1e-12)
    # zero-total area: no weight, EXPY NaN; zero-total activity: PRODY NaN, left out of EXPY
    Z = np.array([[10.0, 30.0, 60.0, 0.0], [40.0, 20.0, 40.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    assert_allclose(prody(Z, [1.0, 2.0, 99.0])[:3], [1.8, 1.4, 1.4], rtol=1e-12)
    assert np.isnan(prody(Z, [1.0, 2.0, 99.0])[3])
    e = expy(Z, [1.0, 2.0, 99.0])
    assert_allclose(e[:2], [1.44, 1.56], rtol=1e-12)
    assert np.isnan(e[2])


def test_prody_expy_x1_econgeo_rounding(X1, gold):
    """EconGeo's ``prody`` on X1 uses ``rca(mat)`` = the location quotient rounded to 2 dp: written out on
    EconGeo's own (unrounded) location-quotient output."""
    rca2 = np.round(gold("X1_location_quotient.csv"), 2)
    assert_array_equal(np.round(location_quotient(X1), 2), rca2)  # EconGeo's rca(mat): sia's LQ at 2 dp
    p_econgeo = (INCOME @ rca2) / rca2.sum(axis=0)
    shares = X1 / X1.sum(axis=1, keepdims=True)
    assert_allclose(prody(X1, INCOME, convention="econgeo"), p_econgeo, rtol=1e-12)
    assert_allclose(expy(X1, INCOME, convention="econgeo"), p_econgeo @ shares.T, rtol=1e-12)
    # HHR: exact weights s_rc / sum_r s_rc
    p_hhr = (INCOME @ shares) / shares.sum(axis=0)
    assert_allclose(prody(X1, INCOME), p_hhr, rtol=1e-12)
    assert_allclose(expy(X1, INCOME), p_hhr @ shares.T, rtol=1e-12)
    assert np.max(np.abs(p_hhr - p_econgeo)) > 1e-4  # the rounding is visible on X1
    # batch axis
    assert_allclose(prody(np.stack([X1, X1]), np.stack([INCOME, 2 * INCOME]))[1], 2 * p_hhr, rtol=1e-12)
    with pytest.raises(ValueError, match="income"):
        prody(X1, INCOME[:5])
    with pytest.raises(ValueError, match="convention"):
        expy(X1, INCOME, convention="R")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ patents

# patents (rows) x classes A..F: P1 {A, B}, P2 {A, C}, P3 {B}, P4 {C, D}, P5 {A, B, C}, P6 {E} alone,
# P7 no class; F on no patent
PAT = np.array([[1, 1, 0, 0, 0, 0],
                [1, 0, 1, 0, 0, 0],
                [0, 1, 0, 0, 0, 0],
                [0, 0, 1, 1, 0, 0],
                [1, 1, 1, 0, 0, 0],
                [0, 0, 0, 0, 1, 0],
                [0, 0, 0, 0, 0, 0]])


def test_ease_and_modular_complexity_by_hand():
    """Fleming & Sorenson (2001), EconGeo ``ease_recombination``: ``cooc <- mat %*% t(mat); diag(cooc) <- 0;
    cooc[cooc > 1] <- 1; ease <- rowSums(cooc) / rowSums(mat)``; ``modular_complexity``:
    ``colSums(mat) / (t(mat) %*% ease)``, Inf -> 0; ``modular_complexity_avg``: ``(mat %*% K) / rowSums(mat)``
    (EconGeo's ``mat`` is classes x patents, i.e. ``PAT.T``)."""
    # partners: A {B, C}, B {A, C}, C {A, B, D}, D {C}, E none; patents: A 3, B 3, C 3, D 1, E 1, F 0
    E = ease_of_recombination(PAT)
    assert_allclose(E[:5], [2 / 3, 2 / 3, 1, 1, 0], rtol=1e-12)
    assert np.isnan(E[5])
    # K: P1 2 / (2/3 + 2/3) = 1.5; P2 2 / (2/3 + 1) = 1.2; P3 1 / (2/3) = 1.5; P4 2 / 2 = 1;
    # P5 3 / (2/3 + 2/3 + 1) = 9/7; P6 1 / 0 = Inf -> 0; P7 0 / 0 NaN
    K = modular_complexity(PAT)
    assert_allclose(K[:6], [1.5, 1.2, 1.5, 1.0, 9 / 7, 0.0], rtol=1e-12)
    assert np.isnan(K[6])
    avg = modular_complexity_avg(PAT)
    assert_allclose(avg[:5], [(1.5 + 1.2 + 9 / 7) / 3, (1.5 + 1.5 + 9 / 7) / 3, (1.2 + 1 + 9 / 7) / 3, 1.0, 0.0],
                    rtol=1e-12)
    assert np.isnan(avg[5])
    # EconGeo's rounding (5 dp, 2 dp): A's ease 0.66667, P5 1.28571, A's average 1.33
    assert np.round(E[0], 5) == 0.66667 and np.round(K[4], 5) == 1.28571 and np.round(avg[0], 2) == 1.33


def test_patent_measures_weight_counts_like_econgeo():
    """EconGeo multiplies by the matrix values: a class counted twice on a patent counts twice in ``rowSums(mat)``
    (ease denominator) and in ``t(mat) %*% ease``; co-assignment is still binarised (``cooc[cooc > 1] <- 1``)."""
    W = PAT.astype(float).copy()
    W[0, 0] = 2.0  # P1 holds A twice
    E = ease_of_recombination(W)
    assert E[0] == pytest.approx(2 / 4)  # partners {B, C} / (2 + 1 + 1)
    K = modular_complexity(W)
    assert K[0] == pytest.approx(3 / (2 * 0.5 + 2 / 3))  # colSums = 3, t(mat) %*% ease = 2 E_A + E_B


def test_z_score_by_hand():
    """EconGeo ``z_score``: ``cooc <- co_occurrence(t(mat)); u <- outer(n, n) / p;
    o <- sqrt(u * outer(1 - n / p, (p - n) / (p - 1))); z <- (cooc - u) / o`` with ``n <- colSums(mat)``,
    ``p <- nrow(mat)``. A-B on PAT: C = 2 (P1, P5), n_A = n_B = 3, p = 7: mu = 9/7,
    sd^2 = 9/7 * 4/7 * 4/6 = 24/49."""
    z = cooccurrence_z_score(PAT)
    assert z[0, 1] == pytest.approx((2 - 9 / 7) / math.sqrt(F(24, 49)), rel=1e-12)
    # C-D: C = 1 (P4), n_C = 3, n_D = 1: mu = 3/7, sd^2 = 3/7 * 4/7 * 6/6 = 12/49
    assert z[2, 3] == pytest.approx((1 - 3 / 7) / math.sqrt(F(12, 49)), rel=1e-12)
    # A-E: C = 0, n_E = 1: mu = 3/7, sd^2 = 3/7 * 4/7 * 1 = 12/49 -> negative (atypical)
    assert z[0, 4] == pytest.approx(-(3 / 7) / math.sqrt(F(12, 49)), rel=1e-12)
    assert_allclose(z, z.T, rtol=1e-12, equal_nan=True)
    assert np.isnan(np.diag(z)).all() and np.isnan(z[5]).all()  # F on no patent: 0 / 0
    # EconGeo's diagonal: (0 - mu_ii) / sd_ii; A: mu = 9/7, sd^2 = 24/49
    zd = cooccurrence_z_score(PAT, diagonal="econgeo")
    assert zd[0, 0] == pytest.approx(-(9 / 7) / math.sqrt(F(24, 49)), rel=1e-12)
    assert_allclose(zd[~np.eye(6, dtype=bool)], z[~np.eye(6, dtype=bool)], equal_nan=True)


def test_z_score_is_the_hypergeometric_null():
    """The expectation and variance are those of a hypergeometric draw: n_j documents of P, n_i of them
    holding class i (scipy.stats.hypergeom, independent of the formula above)."""
    rng = np.random.default_rng(3)
    D = (rng.random((60, 7)) < 0.3).astype(float)
    P, n = D.shape[0], D.sum(axis=0)
    C = D.T @ D
    z = cooccurrence_z_score(D)
    for i in range(7):
        for j in range(7):
            if i != j:
                h = scipy.stats.hypergeom(P, n[i], n[j])
                assert z[i, j] == pytest.approx((C[i, j] - h.mean()) / h.std(), rel=1e-10)


def test_patent_measures_sparse_equal_dense_and_errors():
    rng = np.random.default_rng(5)
    D = (rng.random((300, 40)) < 0.05).astype(float)
    Ds = sp.csr_array(D)
    for f in (ease_of_recombination, modular_complexity, modular_complexity_avg, cooccurrence_z_score):
        assert_allclose(f(Ds), f(D), rtol=1e-12, equal_nan=True)
    with pytest.raises(ValueError, match="non-negative"):
        ease_of_recombination(-D)
    with pytest.raises(ValueError, match="diagonal"):
        cooccurrence_z_score(D, diagonal="zero")  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------------- MORt

# Hidalgo & Hausmann (2009) Fig. S4, EconGeo's example: C1 {P1..P4}, C2 {P2}, C3 {P3, P4}, C4 {P4}
HH = np.array([[1, 1, 1, 1], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]])


def test_mort_by_hand():
    """EconGeo ``mort``: step 1 ``tech <- (1 / ubiquity) * colSums(mat * diversification)``; step n
    ``tech_n <- (1 / ubiquity) * colSums(mat * city_(n-1))``, ``city_n <- (1 / diversification) *
    rowSums(t(t(mat) * tech_(n-1)))``, each rescaled ``(x - min) / (max - min) * 100`` from n = 3.
    diversity (4, 1, 2, 1), ubiquity (1, 2, 2, 3);
    tech_1 = (4, 5/2, 3, 7/3), city_1 = (2, 2, 5/2, 3);
    tech_2 = mean city_1 = (2, 2, 9/4, 5/2), city_2 = mean tech_1 = (71/24, 5/2, 8/3, 7/3);
    tech_3 raw = mean city_2 = (71/24, 131/48, 135/48, 191/72) -> (100, 25, 1150/22, 0);
    city_3 raw = mean tech_2 = (35/16, 2, 19/8, 5/2) -> (37.5, 0, 75, 100);
    tech_4 raw = mean city_3 = (37.5, 18.75, 56.25, 212.5/3) -> (36, 0, 72, 100)."""
    assert_array_equal(mort(HH, 0), [1, 2, 2, 3])
    assert_allclose(mort(HH, 1), [4, 5 / 2, 3, 7 / 3], rtol=1e-12)
    assert_allclose(mort(HH, 2), [2, 2, 9 / 4, 5 / 2], rtol=1e-12)
    assert_allclose(mort(HH, 3), [100, 25, 1150 / 22, 0], rtol=1e-12, atol=1e-12)
    assert_allclose(mort(HH, 4), [36, 0, 72, 100], rtol=1e-12, atol=1e-12)
    # the area side of the same recursion is complexity.morc (EconGeo's morc), step 3 = (37.5, 0, 75, 100)
    assert_allclose(morc(HH, 3), [37.5, 0, 75, 100], rtol=1e-12, atol=1e-12)


def test_mort_default_steps_and_empty_rows_and_columns(X1):
    M = binary_presence(location_quotient(X1))
    assert_allclose(mort(M), mort(M, 19))
    # EconGeo drops empty rows / columns before the recursion: same values, NaN in the empty activity's place
    Mz = np.zeros((8, 7), dtype=int)
    Mz[1:7, 1:6] = M
    got = mort(Mz, 19)
    assert np.isnan(got[[0, 6]]).all()
    assert_allclose(got[1:6], mort(M, 19), rtol=1e-12)
    # area side equals complexity.morc at every step up to EconGeo's documented maximum
    for steps in range(0, 23):
        assert_allclose(econgeo_reflections(M.astype(float), steps)[0], morc(M, steps), rtol=1e-12)
    with pytest.raises(ValueError, match="steps"):
        mort(M, -1)
    with pytest.raises(ValueError, match="binary"):
        mort(X1)


# ------------------------------------------------------------------------- KCI on a disconnected network


def test_econgeo_kci_sets_aside_a_disconnected_component(shared_reference):
    """EconGeo's ``kci`` on its documentation matrix LQ5 (R1-I1 a separate component) returns the component
    indicator (-1, 0, 0, 0, 0) without a warning (anchors.md, [ran]); ``convention="econgeo"`` deliberately
    sets the component aside (NaN, flag ``disconnected``, a warning) and ranks the rest."""
    from sia.metrics.complexity import ComplexityWarning, eci_pci, presence_from_values

    X = _m(shared_reference("inputs/LQ5_econgeo_doc.csv"))
    M, _, _ = presence_from_values(X)
    with pytest.warns(ComplexityWarning, match="disconnected"):
        res = eci_pci(M, convention="econgeo")
    assert res.area_flag[0] == "disconnected" and np.isnan(res.eci[0])
    assert np.isfinite(res.eci[1:]).all() and np.ptp(res.eci[1:]) > 0.1  # a ranking, not an indicator
