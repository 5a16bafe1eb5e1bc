"""Krugman, Hoover coefficient, Herfindahl, entropy, Hachman, mean LQ, Gini, locational Gini, Hoover index.

References: EconGeo 2.1 outputs on X1 (../shared/reference/econgeo), compared at EconGeo's rounding
where it rounds (entropy 3 dp, Gini 3 dp, Hoover index 2 dp, Krugman/spec_coeff printed at 3 dp)
and at 1e-9 relative otherwise; hand computations written out below.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sia.metrics import concentration as conc

H = np.array([[10.0, 30.0, 60.0],
              [40.0, 20.0, 40.0]])
# area shares A = (0.1, 0.3, 0.6), B = (0.4, 0.2, 0.4); reference shares (0.25, 0.25, 0.5)
POP = np.array([400.0, 350.0, 300.0, 500.0, 250.0, 300.0])  # README: population of R1..R6


def _vec(path) -> np.ndarray:
    return pd.read_csv(path, index_col=0).iloc[:, 0].to_numpy(dtype=np.float64)


@pytest.fixture(scope="module")
def X1(shared_reference) -> np.ndarray:
    return pd.read_csv(shared_reference("inputs/X1_employment_2020.csv"), index_col=0).to_numpy(dtype=np.float64)


@pytest.fixture(scope="module")
def ref(shared_reference):
    return lambda name: _vec(shared_reference(f"econgeo/{name}"))


def test_against_econgeo(X1, ref):
    # EconGeo's Krugman index / spec_coeff files hold exact 3-dp values (the data make them so)
    assert_allclose(conc.krugman_index(X1), ref("X1_krugman_index.csv"), rtol=1e-9)
    assert_allclose(conc.hoover_coefficient(X1), ref("X1_spec_coeff.csv"), rtol=1e-9)
    assert_allclose(conc.herfindahl(X1), ref("X1_herfindahl.csv"), rtol=1e-9)
    assert_allclose(conc.hachman(X1), ref("X1_hachman.csv"), rtol=1e-9)
    assert_allclose(conc.lq_average(X1), ref("X1_location_quotient_avg.csv"), rtol=1e-9)
    assert_allclose(conc.locational_gini(X1, convention="econgeo"), ref("X1_locational_gini.csv"), rtol=1e-9)
    # EconGeo rounds these: compare at its rounding
    assert_allclose(np.round(conc.entropy(X1, "bits"), 3), ref("X1_entropy_bits.csv"), atol=1e-12)
    assert_allclose(np.round(conc.gini(X1), 3), ref("X1_gini_by_industry.csv"), atol=1e-12)
    assert_allclose(np.round(conc.hoover_index(X1, POP, percent=True), 2), ref("X1_hoover_index_pop.csv"),
                    atol=1e-12)


def test_area_indices_by_hand():
    # Krugman A = |0.1-0.25| + |0.3-0.25| + |0.6-0.5| = 0.15 + 0.05 + 0.1 = 0.3
    # Krugman B = |0.4-0.25| + |0.2-0.25| + |0.4-0.5| = 0.15 + 0.05 + 0.1 = 0.3
    assert_allclose(conc.krugman_index(H), [0.3, 0.3], rtol=1e-12)
    assert_allclose(conc.hoover_coefficient(H), [0.15, 0.15], rtol=1e-12)
    # Herfindahl A = 0.01 + 0.09 + 0.36 = 0.46; B = 0.16 + 0.04 + 0.16 = 0.36
    assert_allclose(conc.herfindahl(H), [0.46, 0.36], rtol=1e-12)
    # entropy A (nats) = -(0.1 ln 0.1 + 0.3 ln 0.3 + 0.6 ln 0.6) = 0.230259 + 0.361192 + 0.306495 = 0.897946
    e_a = -(0.1 * np.log(0.1) + 0.3 * np.log(0.3) + 0.6 * np.log(0.6))
    e_b = -(0.4 * np.log(0.4) * 2 + 0.2 * np.log(0.2))
    assert_allclose(conc.entropy(H, "nats"), [e_a, e_b], rtol=1e-12)
    assert_allclose(conc.entropy(H, "bits"), [e_a / np.log(2), e_b / np.log(2)], rtol=1e-12)
    assert_allclose(conc.entropy(H, 10), [e_a / np.log(10), e_b / np.log(10)], rtol=1e-12)
    # mean LQ A = 0.1*0.4 + 0.3*1.2 + 0.6*1.2 = 0.04 + 0.36 + 0.72 = 1.12; B = 0.4*1.6 + 0.2*0.8 + 0.4*0.8 = 1.12
    assert_allclose(conc.lq_average(H), [1.12, 1.12], rtol=1e-12)
    assert_allclose(conc.hachman(H), [1 / 1.12, 1 / 1.12], rtol=1e-12)


def test_area_indices_against_separate_reference():
    # reference shares (0.1, 0.3, 0.6): A equals the reference -> Krugman 0, Hachman 1
    r = np.array([1.0, 3.0, 6.0])
    assert_allclose(conc.krugman_index(H, r), [0.0, 0.3 + 0.1 + 0.2], atol=1e-15)
    # B: LQ (4, 2/3, 2/3); mean LQ = 0.4*4 + 0.2*2/3 + 0.4*2/3 = 1.6 + 0.4 = 2.0
    assert_allclose(conc.lq_average(H, r), [1.0, 2.0], rtol=1e-12)
    assert_allclose(conc.hachman(H, r), [1.0, 0.5], rtol=1e-12)


def test_activity_indices_by_hand():
    X = np.array([[10.0, 0.0],
                  [20.0, 0.0],
                  [70.0, 5.0]])
    # Gini col 1: sorted 10, 20, 70; weights (2i-n-1) = -2, 0, 2 -> (-20 + 140)/(3*100) = 0.4
    # col 2: only one area -> (n-1)/n = 2/3
    assert_allclose(conc.gini(X), [0.4, 2 / 3], rtol=1e-12)
    # Hoover index col 1, equal weights: 0.5(|0.1-1/3| + |0.2-1/3| + |0.7-1/3|) = 0.5(0.2333+0.1333+0.3667) = 0.36667
    assert_allclose(conc.hoover_index(X), [0.5 * (7 / 30 + 4 / 30 + 11 / 30), 0.5 * (1 / 3 + 1 / 3 + 2 / 3)],
                    rtol=1e-12)
    assert_allclose(conc.hoover_index(X, percent=True), 100 * conc.hoover_index(X), rtol=1e-12)
    # population (1, 1, 2): shares (.25, .25, .5): 0.5(0.15 + 0.05 + 0.2) = 0.2
    assert_allclose(conc.hoover_index(X, np.array([1.0, 1.0, 2.0]))[0], 0.2, rtol=1e-12)


def test_locational_gini_by_hand():
    # two areas with totals 50 and 50 (pop shares 0.5, 0.5); activity c: 10 in area 1, 30 in area 2
    X = np.array([[10.0, 40.0],
                  [30.0, 20.0]])
    # order by LQ of c: area 1 (10/0.5 = 20) then area 2 (60): curve (0,0) -> (0.5, 0.25) -> (1, 1)
    # area between the diagonal and the curve = triangle (0,0),(0.5,0.25),(1,1): 0.5|0.5*1 - 1*0.25| = 0.125
    # activity 2: 40 and 20, order area 2 (20/0.5=40) then area 1: (0.5, 1/3) -> area 0.5|0.5 - 1/3| = 1/12
    assert_allclose(conc.locational_gini(X, "econgeo"), [0.125, 1 / 12], rtol=1e-12)
    assert_allclose(conc.locational_gini(X, "krugman"), [0.25, 1 / 6], rtol=1e-12)
    with pytest.raises(ValueError, match="convention"):
        conc.locational_gini(X, "other")  # type: ignore[arg-type]


def test_batch_axis_and_zeros(X1):
    cube = np.stack([X1, 2 * X1, X1[::-1]])
    for f in (conc.krugman_index, conc.herfindahl, conc.entropy, conc.hachman, conc.lq_average, conc.gini,
              conc.locational_gini, conc.hoover_index):
        out = f(cube)
        assert_allclose(out[0], f(X1), rtol=1e-12)
        assert_allclose(out[1], f(X1), rtol=1e-12)  # scale invariant
    # a zero area and a zero activity: NaN where undefined, no warnings, other values unchanged
    Z = np.zeros((7, 6))
    Z[:6, :5] = X1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = conc.krugman_index(Z)
        e = conc.entropy(Z)
        hh = conc.hachman(Z)
        g = conc.gini(Z)
        lg = conc.locational_gini(Z)
        hi = conc.hoover_index(Z)
    assert np.isnan(k[6]) and np.isnan(e[6]) and np.isnan(hh[6])
    assert_allclose(k[:6], conc.krugman_index(X1), rtol=1e-12)
    assert_allclose(e[:6], conc.entropy(X1), rtol=1e-12)
    assert np.isnan(g[5]) and np.isnan(lg[5]) and np.isnan(hi[5])
    # the zero area carries no weight in the locational Gini
    assert_allclose(lg[:5], conc.locational_gini(X1), rtol=1e-12)
    with pytest.raises(ValueError, match="population has"):
        conc.hoover_index(X1, np.ones(3))
    with pytest.raises(ValueError, match="entropy base"):
        conc.entropy(X1, "decibans")  # type: ignore[arg-type]


def _locational_gini_exact(X: np.ndarray) -> list[float]:
    """Krugman's locational Gini with exact rational arithmetic: 2 x the area between the diagonal
    and the locational Lorenz curve (shoelace over the vertices), areas ordered by their exact LQ."""
    from fractions import Fraction

    rows = [sum(Fraction(int(v)) for v in r) for r in X]
    grand = sum(rows)
    out = []
    for c in range(X.shape[1]):
        col = [Fraction(int(v)) for v in X[:, c]]
        total = sum(col)
        keep = [r for r in range(X.shape[0]) if rows[r] > 0]
        order = sorted(keep, key=lambda r: col[r] / rows[r])
        px, qy, area2 = Fraction(0), Fraction(0), Fraction(0)
        for r in order:
            nx, ny = px + rows[r] / grand, qy + col[r] / total
            area2 += ny * px - qy * nx  # shoelace cross product of consecutive vertices
            px, qy = nx, ny
        out.append(float(area2))  # twice the area = the Krugman convention
    return out


def test_locational_gini_against_exact_rational_computation():
    # integer counts with ties in the LQ order, zero cells and a zero-total area; the reference is
    # computed with fractions.Fraction (no rounding at all)
    rng = np.random.default_rng(7)
    X = rng.integers(0, 6, size=(60, 7)).astype(np.float64) * (rng.random((60, 7)) < 0.6)
    X[10] = 0.0  # an empty area
    X[:, 3] = np.repeat([1.0, 2.0, 3.0], 20)  # many exact ties
    X[0, 3] = 0.0
    assert_allclose(conc.locational_gini(X), _locational_gini_exact(X), rtol=0, atol=1e-14)
    assert_allclose(conc.locational_gini(X, "econgeo"), np.array(_locational_gini_exact(X)) / 2, rtol=0, atol=1e-14)


def test_packed_row_argsort_orders_like_argsort():
    rng = np.random.default_rng(3)
    key = rng.lognormal(0, 3, size=(5, 300)) * (rng.random((5, 300)) < 0.5)
    key[0, :10] = np.inf  # zero-total areas are sent last with +inf
    key[1, :] = 2.5  # all tied
    order = conc._argsort_rows(key)
    assert_allclose(np.take_along_axis(key, order, axis=-1), np.sort(key, axis=-1), rtol=0, atol=0)
    assert (np.sort(order, axis=-1) == np.arange(300)).all()  # a permutation of each row
    assert (order[1] == np.arange(300)).all()  # exact ties keep the column order
    neg = key - 1.0  # negative keys: falls back to np.argsort
    assert_allclose(np.take_along_axis(neg, conc._argsort_rows(neg), axis=-1), np.sort(neg, axis=-1))
