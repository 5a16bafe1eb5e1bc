"""Prioritisation: normalisations, weighted sum, TOPSIS, Monte Carlo stability, leave-one-out."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sia.audit import prioritisation as pr

# three themes x two criteria; criterion 2 is "less is better"
VALUES = np.array([[2.0, 10.0], [4.0, 30.0], [8.0, 20.0]])
DIRECTION = np.array([1, -1])


def test_minmax_by_hand() -> None:
    z = pr.normalise(VALUES, "minmax", DIRECTION)
    # criterion 1: (x-2)/6 ; criterion 2 oriented -x: (-x - -30)/20 = (30-x)/20
    assert_allclose(z, [[0.0, 1.0], [2 / 6, 0.0], [1.0, 0.5]], rtol=1e-15)


def test_z_and_rank_by_hand() -> None:
    z = pr.normalise(VALUES, "z")
    mean, sd = 14 / 3, math.sqrt(((2 - 14 / 3) ** 2 + (4 - 14 / 3) ** 2 + (8 - 14 / 3) ** 2) / 3)
    assert_allclose(z[:, 0], [(2 - mean) / sd, (4 - mean) / sd, (8 - mean) / sd], rtol=1e-12)
    r = pr.normalise(np.array([[1.0], [5.0], [5.0], [np.nan]]), "rank")
    # ranks 1, 2.5, 2.5 among 3 valid -> (r-1)/2
    assert_allclose(r[:3, 0], [0.0, 0.75, 0.75])
    assert np.isnan(r[3, 0])


def test_constant_column_is_neutral() -> None:
    z = pr.normalise(np.array([[3.0, 1.0], [3.0, 2.0]]), "minmax")
    assert_allclose(z[:, 0], [0.5, 0.5])


def test_weighted_sum_renormalises_over_available_criteria() -> None:
    z = np.array([[0.2, 0.8], [np.nan, 0.4], [np.nan, np.nan]])
    s = pr.weighted_sum(z, [1.0, 3.0])
    assert_allclose(s[:2], [(0.2 * 1 + 0.8 * 3) / 4, 0.4])
    assert np.isnan(s[2])


def test_topsis_by_hand() -> None:
    # oriented values: c1 = [2,4,8] -> shifted [0,2,6]; c2 = -[10,30,20] -> shifted [20,0,10]
    c1 = np.array([0.0, 2.0, 6.0]) / math.sqrt(40.0)
    c2 = np.array([20.0, 0.0, 10.0]) / math.sqrt(500.0)
    w = np.array([0.25, 0.75])
    v1, v2 = c1 * w[0], c2 * w[1]
    d_plus = np.sqrt((v1 - v1.max()) ** 2 + (v2 - v2.max()) ** 2)
    d_minus = np.sqrt((v1 - v1.min()) ** 2 + (v2 - v2.min()) ** 2)
    expected = d_minus / (d_plus + d_minus)
    assert_allclose(pr.topsis(VALUES, [1.0, 3.0], DIRECTION), expected, rtol=1e-12)


def test_ranks_put_nan_last() -> None:
    assert_array_equal(pr.ranks(np.array([0.1, np.nan, 0.9, 0.5])), [3, 4, 1, 2])


def test_dirichlet_weights_mean_and_zero_weights() -> None:
    rng = np.random.default_rng(1)
    w = pr.dirichlet_weights([2.0, 1.0, 1.0, 0.0], 20000, concentration=50.0, rng=rng)
    assert_allclose(w.sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose(w.mean(axis=0), [0.5, 0.25, 0.25, 0.0], atol=0.005)
    # Dirichlet variance w(1-w)/(kappa+1) for the first weight
    assert w[:, 0].var() == pytest.approx(0.25 / 51, rel=0.05)
    assert np.all(w[:, 3] == 0)


def test_stability_probabilities_sum_correctly() -> None:
    rng = np.random.default_rng(7)
    values = rng.random((6, 4))
    sd = np.full_like(values, 0.05)
    st = pr.rank_stability(
        values, [1, 1, 2, 1], k=2, n_draws=1500, value_sampler=pr.normal_value_sampler(values, sd), seed=3
    )
    assert_allclose(st.rank_probability.sum(axis=0), 1.0, rtol=1e-12)
    assert_allclose(st.rank_probability.sum(axis=1), 1.0, rtol=1e-12)
    assert st.top_k_probability.sum() == pytest.approx(2.0)
    assert np.all((st.rank_p05 <= st.median_rank) & (st.median_rank <= st.rank_p95))
    # deterministic for a seed
    st2 = pr.rank_stability(
        values, [1, 1, 2, 1], k=2, n_draws=1500, value_sampler=pr.normal_value_sampler(values, sd), seed=3
    )
    assert_array_equal(st.rank_probability, st2.rank_probability)


def test_dominant_theme_is_always_first() -> None:
    values = np.array([[10.0, 10.0, 10.0], [1.0, 2.0, 3.0], [2.0, 1.0, 0.5]])
    st = pr.rank_stability(values, [1, 1, 1], k=1, n_draws=500, seed=0)
    assert st.top_k_probability[0] == 1.0
    assert st.rank_probability[0, 0] == 1.0


def test_leave_one_criterion_out_by_hand() -> None:
    values = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]])
    loo = pr.leave_one_criterion_out(values, [1.0, 1.0])
    # without criterion 1, only criterion 2 counts: ranks theme2 > theme3 > theme1
    assert_array_equal(loo[:, 0], [3, 1, 2])
    assert_array_equal(loo[:, 1], [1, 3, 2])


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="direction"):
        pr.normalise(VALUES, "minmax", [1, 0])
    with pytest.raises(ValueError, match="normalisation"):
        pr.normalise(VALUES, "log")
    with pytest.raises(ValueError, match="non-negative"):
        pr.weighted_sum(VALUES, [-1, 1])
    with pytest.raises(ValueError, match="k must be"):
        pr.rank_stability(VALUES, [1, 1], k=5)
