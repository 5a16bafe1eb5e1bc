"""Traded / local-serving classification (:mod:`sia.metrics.traded`), expected values worked out by hand.

The main fixture is a 4-area x 3-activity matrix whose every share, LQ, Gini and pooled LQ is a dyadic
fraction (a power of 2 in the denominator), so float64 holds them exactly and the tests compare with
``==``: a threshold set *at* a value then tests the inclusive boundary, and ``np.nextafter`` one ulp
either side tests that the comparison flips right there.

::

           a    b    c     area total  area share p
    A0 [   4,   2,   2 ]       8          1/8
    A1 [   0,   2,   6 ]       8          1/8
    A2 [  12,   4,   0 ]      16          1/4
    A3 [   0,   8,  24 ]      32          1/2
    col   16   16   32        64
    activity share  1/4  1/4  1/2

    LQ_rc = (X_rc / X_r.) / (X_.c / X_..)
      a: A0 (4/8)/(1/4) = 2   A1 0                A2 (12/16)/(1/4) = 3   A3 0
      b: A0 (2/8)/(1/4) = 1   A1 (2/8)/(1/4) = 1  A2 (4/16)/(1/4) = 1    A3 (8/32)/(1/4) = 1
      c: A0 (2/8)/(1/2) = 1/2 A1 (6/8)/(1/2) = 3/2 A2 0                  A3 (24/32)/(1/2) = 3/2

    Locational Gini (Krugman): areas in increasing LQ, Q the cumulative share of the activity,
    G = 1 - sum_i p_(i) (Q_(i) + Q_(i-1))
      a: A1, A3 (LQ 0), A0 (2), A2 (3); Q = 0, 0, 4/16, 1
         sum = 1/8*0 + 1/2*0 + 1/8*(1/4 + 0) + 1/4*(1 + 1/4) = 1/32 + 10/32 = 11/32  ->  G = 21/32
      b: LQ 1 everywhere, the Lorenz curve is the diagonal                              ->  G = 0
      c: A2 (0), A0 (1/2), A1, A3 (3/2); Q = 0, 2/32, 8/32, 1
         sum = 1/4*0 + 1/8*(1/16) + 1/8*(1/4 + 1/16) + 1/2*(1 + 1/4) = (1 + 5 + 80)/128 = 86/128
                                                                                       ->  G = 42/128 = 21/64

    top_k = 1 (ties by area order): S = share of the activity's jobs, B = share of all jobs
      a: A2 (LQ 3)            S = 12/16 = 3/4   B = 16/64 = 1/4   S/B = 3
      b: A0..A3 tied -> A0    S =  2/16 = 1/8   B =  8/64 = 1/8   S/B = 1
      c: A1, A3 tied -> A1    S =  6/32 = 3/16  B =  8/64 = 1/8   S/B = 3/2
         (taking A3 instead would give S = 24/32 = 3/4, B = 32/64 = 1/2: the tie order is visible)

    breadth: share of the 4 occupied areas with LQ >= 0.8
      a: A0, A2 -> 2/4     b: all -> 4/4     c: A1, A3 -> 2/4

With the defaults (gini_min 0.30, top_lq_min 1.75, breadth_max 0.5, min_criteria 2):
a passes 3 (0.65625 >= 0.3, 3 >= 1.75, 0.5 <= 0.5), b none, c 2 (0.328125 >= 0.3, 1.5 < 1.75,
0.5 <= 0.5): a and c traded, b local-serving.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from sia.metrics.traded import (
    CRITERIA,
    LOCAL_SERVING_BY_DEFINITION,
    NOT_LOCAL_BY_DEFINITION,
    is_local_serving_by_definition,
    local_serving_reason,
    traded_activities,
)

X = np.array([
    [4.0, 2.0, 2.0],
    [0.0, 2.0, 6.0],
    [12.0, 4.0, 0.0],
    [0.0, 8.0, 24.0],
])

GINI = [21 / 32, 0.0, 21 / 64]
TOP1_SHARE = [3 / 4, 1 / 8, 3 / 16]
TOP1_BASE = [1 / 4, 1 / 8, 1 / 8]
TOP1_LQ = [3.0, 1.0, 3 / 2]
BREADTH = [2 / 4, 4 / 4, 2 / 4]

up = np.nextafter  # one ulp: up(v, np.inf) just above v, up(v, -np.inf) just below


def _eq(actual, expected) -> None:
    np.testing.assert_array_equal(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float))


# --------------------------------------------------------------------------------------------- values


def test_hand_worked_criteria_top1():
    r = traded_activities(X, top_k=1)
    _eq(r.gini, GINI)
    _eq(r.top_share, TOP1_SHARE)
    _eq(r.top_base, TOP1_BASE)
    _eq(r.top_lq, TOP1_LQ)
    _eq(r.breadth, BREADTH)
    assert CRITERIA == ("gini", "top_k", "breadth")
    assert r.passed.tolist() == [[True, True, True], [False, False, False], [True, False, True]]
    assert r.n_passed.tolist() == [3, 0, 2]
    assert r.status.tolist() == ["traded", "local-serving", "traded"]
    assert r.traded.tolist() == [True, False, True]
    assert r.local.tolist() == [False, True, False]
    assert r.no_data.tolist() == [False, False, False]
    assert r.by_definition.tolist() == [False, False, False]
    assert r.codes is None
    assert r.counts() == {"traded": 2, "local-serving": 1, "no data": 0}
    assert dict(r.thresholds) == {"gini_min": 0.30, "top_k": 1.0, "top_lq_min": 1.75, "lq_cutoff": 0.8,
                                  "breadth_max": 0.5, "min_criteria": 2.0, "min_jobs": 0.0}


def test_hand_worked_pooled_top2_top3():
    # top 2: a -> A2, A0: S = (12 + 4)/16 = 1, B = (16 + 8)/64 = 3/8, S/B = 8/3
    #        b -> A0, A1 (all tied): S = 4/16 = 1/4, B = 16/64 = 1/4, S/B = 1
    #        c -> A1, A3: S = 30/32 = 15/16, B = 40/64 = 5/8, S/B = 3/2
    r = traded_activities(X, top_k=2)
    _eq(r.top_share, [1.0, 1 / 4, 15 / 16])
    _eq(r.top_base, [3 / 8, 1 / 4, 5 / 8])
    np.testing.assert_allclose(r.top_lq, [8 / 3, 1.0, 3 / 2], rtol=1e-15)
    # top 3: a -> A2, A0, then the first LQ-0 area A1: S = 1, B = 32/64 = 1/2, S/B = 2
    #        b -> A0, A1, A2: S = 8/16 = 1/2, B = 32/64 = 1/2
    #        c -> A1, A3, A0: S = 32/32 = 1, B = 48/64 = 3/4, S/B = 4/3
    r = traded_activities(X, top_k=3)
    _eq(r.top_share, [1.0, 1 / 2, 1.0])
    _eq(r.top_base, [1 / 2, 1 / 2, 3 / 4])
    np.testing.assert_allclose(r.top_lq, [2.0, 1.0, 4 / 3], rtol=1e-15)
    # Gini and breadth do not depend on k
    _eq(r.gini, GINI)
    _eq(r.breadth, BREADTH)


def test_top_k_ties_by_area_order():
    # c: A1 and A3 both have LQ 3/2; A1 comes first, so top-1 is A1 (S = 6/32, B = 8/64), not A3 (24/32, 32/64)
    r = traded_activities(X, top_k=1)
    assert (r.top_share[2], r.top_base[2]) == (3 / 16, 1 / 8)
    # the same activity with the two areas swapped: now A3's row comes first and is taken
    r2 = traded_activities(X[[0, 3, 2, 1]], top_k=1)
    assert (r2.top_share[2], r2.top_base[2]) == (24 / 32, 32 / 64)
    # b: all four LQs are 1 -> the first area, A0 (S = 2/16, B = 8/64); reversed rows -> A3 (8/16, 32/64)
    assert (r.top_share[1], r.top_base[1]) == (1 / 8, 1 / 8)
    r3 = traded_activities(X[::-1], top_k=1)
    assert (r3.top_share[1], r3.top_base[1]) == (1 / 2, 1 / 2)


# --------------------------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(("gini_min", "passes"), [
    (21 / 64, [True, False, True]),               # exactly c's Gini: inclusive
    (up(21 / 64, np.inf), [True, False, False]),  # one ulp above c's Gini
    (up(21 / 64, -np.inf), [True, False, True]),
    (21 / 32, [True, False, False]),              # exactly a's Gini
    (up(21 / 32, np.inf), [False, False, False]),
    (0.0, [True, True, True]),                    # b's Gini is 0 >= 0
])
def test_gini_threshold_boundary_inclusive(gini_min, passes):
    r = traded_activities(X, top_k=1, gini_min=gini_min)
    assert r.passed[:, 0].tolist() == passes


@pytest.mark.parametrize(("top_lq_min", "passes"), [
    (3 / 2, [True, False, True]),                 # exactly c's pooled LQ 3/2
    (up(3 / 2, np.inf), [True, False, False]),
    (3.0, [True, False, False]),                  # exactly a's pooled LQ 3
    (up(3.0, np.inf), [False, False, False]),
    (1.0, [True, True, True]),                    # b's pooled LQ is 1
    (up(1.0, -np.inf), [True, True, True]),
])
def test_top_lq_threshold_boundary_inclusive(top_lq_min, passes):
    r = traded_activities(X, top_k=1, top_lq_min=top_lq_min)
    assert r.passed[:, 1].tolist() == passes


@pytest.mark.parametrize(("breadth_max", "passes"), [
    (0.5, [True, False, True]),                   # a and c have breadth exactly 2/4
    (up(0.5, -np.inf), [False, False, False]),
    (up(0.5, np.inf), [True, False, True]),
    (1.0, [True, True, True]),                    # b has breadth 4/4 <= 1
    (up(1.0, -np.inf), [True, False, True]),
])
def test_breadth_threshold_boundary_inclusive(breadth_max, passes):
    r = traded_activities(X, top_k=1, breadth_max=breadth_max)
    assert r.passed[:, 2].tolist() == passes


@pytest.mark.parametrize(("lq_cutoff", "breadth"), [
    # c's LQ in A0 is exactly 1/2: counted at cutoff 1/2 (A0, A1, A3 -> 3/4), not one ulp above (2/4)
    (0.5, [2 / 4, 4 / 4, 3 / 4]),
    (up(0.5, np.inf), [2 / 4, 4 / 4, 2 / 4]),
    # b's LQ is exactly 1 everywhere: 4/4 at cutoff 1, 0/4 one ulp above; c's 3/2 still count
    (1.0, [2 / 4, 4 / 4, 2 / 4]),
    (up(1.0, np.inf), [2 / 4, 0 / 4, 2 / 4]),
    # a's LQs are 2 (A0) and 3 (A2); c's are 3/2 (A1, A3)
    (2.0, [2 / 4, 0 / 4, 0 / 4]),
    (3.0, [1 / 4, 0 / 4, 0 / 4]),
    (up(3.0, np.inf), [0 / 4, 0 / 4, 0 / 4]),
])
def test_lq_cutoff_boundary_inclusive(lq_cutoff, breadth):
    r = traded_activities(X, top_k=1, lq_cutoff=lq_cutoff)
    _eq(r.breadth, breadth)


@pytest.mark.parametrize(("min_criteria", "breadth_max", "n_passed", "status"), [
    # defaults: n_passed = 3, 0, 2
    (1, 0.5, [3, 0, 2], ["traded", "local-serving", "traded"]),
    (2, 0.5, [3, 0, 2], ["traded", "local-serving", "traded"]),   # c has exactly 2 of 2 needed
    (3, 0.5, [3, 0, 2], ["traded", "local-serving", "local-serving"]),
    # breadth_max 1/4: a's and c's breadth 2/4 now fail -> a passes 2 (Gini, top-k), c 1 (Gini)
    (1, 0.25, [2, 0, 1], ["traded", "local-serving", "traded"]),   # c has exactly 1 of 1 needed
    (2, 0.25, [2, 0, 1], ["traded", "local-serving", "local-serving"]),
    (3, 0.25, [2, 0, 1], ["local-serving", "local-serving", "local-serving"]),
])
def test_min_criteria(min_criteria, breadth_max, n_passed, status):
    r = traded_activities(X, top_k=1, breadth_max=breadth_max, min_criteria=min_criteria)
    assert r.n_passed.tolist() == n_passed
    assert r.status.tolist() == status
    assert r.reason[0].startswith(f"{status[0]} ({n_passed[0]} of 3 criteria, {min_criteria} needed): ")


# --------------------------------------------------------------------------------------------- zeros


def test_nan_cells_count_as_zero():
    Xn = X.copy()
    Xn[1, 0] = Xn[3, 0] = Xn[2, 2] = np.nan  # the three zero cells of the matrix
    r = traded_activities(Xn, top_k=1)
    _eq(r.gini, GINI)
    _eq(r.top_share, TOP1_SHARE)
    _eq(r.top_base, TOP1_BASE)
    _eq(r.top_lq, TOP1_LQ)
    _eq(r.breadth, BREADTH)
    assert r.status.tolist() == ["traded", "local-serving", "traded"]
    # a NaN in a non-zero cell is a 0 there: a with A0 = NaN is [0, 0, 12, 0], col 12, rows 4, 8, 16, 32
    # (grand 60); a is then in A2 only: S = 1, B = 16/60, pooled LQ 60/16 = 15/4
    Xm = X.copy()
    Xm[0, 0] = np.nan
    r = traded_activities(Xm, top_k=1)
    assert r.top_share[0] == 1.0
    np.testing.assert_allclose(r.top_lq[0], 15 / 4, rtol=1e-15)
    # breadth of a: LQ > 0 only in A2 -> 1/4
    assert r.breadth[0] == 1 / 4


def test_no_data_activities():
    # two more activities without jobs (zeros; NaN only): the row totals, hence a, b, c, are unchanged
    X5 = np.column_stack([X, np.zeros(4), np.full(4, np.nan)])
    r = traded_activities(X5, top_k=1)
    _eq(r.gini[:3], GINI)
    _eq(r.top_lq[:3], TOP1_LQ)
    _eq(r.breadth[:3], BREADTH)
    for arr in (r.gini, r.top_share, r.top_base, r.top_lq, r.breadth):
        assert np.isnan(arr[3:]).all()
    assert r.passed[3:].tolist() == [[False, False, False]] * 2
    assert r.n_passed.tolist() == [3, 0, 2, 0, 0]
    assert r.no_data.tolist() == [False, False, False, True, True]
    assert r.traded[3:].tolist() == [False, False] and r.local[3:].tolist() == [False, False]
    assert r.status.tolist() == ["traded", "local-serving", "traded", "no data", "no data"]
    assert r.reason[3] == r.reason[4] == "no data: no employment in any area"
    assert r.counts() == {"traded": 2, "local-serving": 1, "no data": 2}


def test_min_jobs_boundary():
    # activity 0 has 3 jobs in total, activity 1 has 4 + 4 + 4 + 4 = 16: "no data" means total <= min_jobs
    Y = np.array([[3.0, 4.0], [0.0, 4.0], [0.0, 4.0], [0.0, 4.0]])
    r = traded_activities(Y, top_k=1, min_jobs=3.0)
    assert r.no_data.tolist() == [True, False]
    assert r.status[0] == "no data"
    assert r.reason[0] == "no data: 3 jobs <= min_jobs 3"
    assert np.isnan(r.gini[0]) and np.isnan(r.top_lq[0]) and np.isnan(r.breadth[0])
    assert not r.passed[0].any()
    r = traded_activities(Y, top_k=1, min_jobs=up(3.0, -np.inf))
    assert r.no_data.tolist() == [False, False]
    # with data: rows 7, 4, 4, 4 (grand 19); activity 0 is in A0 only: S = 3/3, B = 7/19 -> pooled LQ 19/7
    np.testing.assert_allclose(r.top_lq[0], 19 / 7, rtol=1e-15)
    assert r.breadth[0] == 1 / 4
    assert r.status[0] == "traded"  # top-k 19/7 >= 1.75 and breadth 1/4 <= 1/2


def test_empty_area_carries_no_weight_and_is_never_in_the_top_k():
    # an area with no employment at all, put first so that a tie in area order would pick it
    Xe = np.vstack([np.zeros(3), X])
    r = traded_activities(Xe, top_k=1)
    _eq(r.gini, GINI)
    _eq(r.top_share, TOP1_SHARE)
    _eq(r.top_base, TOP1_BASE)
    _eq(r.breadth, BREADTH)  # denominator: the 4 areas with employment, not all 5
    # top 3 of a: A2, A0 and then A1 (LQ 0, 8 jobs), as without the empty area: S = 1, B = 32/64, S/B = 2
    # (taking the empty area as third would give B = 24/64 and a pooled LQ of 8/3)
    r = traded_activities(Xe, top_k=3)
    _eq(r.top_share, [1.0, 1 / 2, 1.0])
    _eq(r.top_base, [1 / 2, 1 / 2, 3 / 4])
    np.testing.assert_allclose(r.top_lq, [2.0, 1.0, 4 / 3], rtol=1e-15)
    # a cut-off of 0 counts every area with employment (4 of 4), not the empty one (which would make 5/4)
    r = traded_activities(Xe, top_k=1, lq_cutoff=0.0)
    _eq(r.breadth, [1.0, 1.0, 1.0])


# --------------------------------------------------------------------------------------------- prior


def test_local_by_definition_overrides_the_data():
    # a (traded, 3 of 3) coded retail 47.11; b (local) hairdressing 96.02; c (traded, 2 of 3) mail order 47.91
    codes = ["47.11", "96.02", "47.91"]
    r = traded_activities(X, top_k=1, codes=codes)
    assert r.codes == ("47.11", "96.02", "47.91")
    assert r.by_definition.tolist() == [True, True, False]  # 47.91 is the exception to 47: left to the data
    assert r.status.tolist() == ["local-serving", "local-serving", "traded"]
    assert r.traded.tolist() == [False, False, True] and r.local.tolist() == [True, True, False]
    # the criteria are still computed and reported for the overridden activity
    _eq(r.gini, GINI)
    _eq(r.top_lq, TOP1_LQ)
    assert r.passed[0].tolist() == [True, True, True] and r.n_passed[0] == 3
    assert r.reason[0] == (
        "local-serving by definition (SIC 47: retail trade (local retailing)); data: 3 of 3 criteria; the data "
        "alone would say traded: locational Gini 0.66 >= 0.30; 75% of jobs in the 1 most specialised regions, "
        "which hold 25% of all jobs (pooled LQ 3.00 >= 1.75); LQ >= 0.8 in 50% <= 50% of regions")
    assert r.reason[1] == ("local-serving by definition (SIC 96: other personal services (local personal "
                           "services)); data: 0 of 3 criteria")
    assert r.reason[2].startswith("traded (2 of 3 criteria, 2 needed): ")
    # local_codes=(): the data alone
    r0 = traded_activities(X, top_k=1, codes=codes, local_codes=())
    assert r0.by_definition.tolist() == [False, False, False]
    assert r0.status.tolist() == ["traded", "local-serving", "traded"]
    # exceptions=(): 47.91 falls back under 47
    r1 = traded_activities(X, top_k=1, codes=codes, exceptions=())
    assert r1.by_definition.tolist() == [True, True, True]
    assert r1.status.tolist() == ["local-serving"] * 3
    # without codes there is no prior
    assert traded_activities(X, top_k=1).by_definition.tolist() == [False, False, False]


def test_local_by_definition_without_employment():
    # a local code with no jobs is still local-serving (the prior overrides the data); a traded code is "no data"
    X5 = np.column_stack([X, np.zeros(4), np.zeros(4)])
    r = traded_activities(X5, top_k=1, codes=["30.30", "29.10", "66.30", "86.10", "30.30"])
    assert r.status.tolist() == ["traded", "local-serving", "traded", "local-serving", "no data"]
    assert r.no_data.tolist() == [False, False, False, True, True]
    assert r.local.tolist() == [False, True, False, True, False]
    assert r.reason[3] == ("local-serving by definition (SIC 86: human health (local health services)); "
                           "no data: no employment in any area")
    assert r.reason[4] == "no data: no employment in any area"
    r0 = traded_activities(X5, top_k=1, codes=["30.30", "29.10", "66.30", "86.10", "30.30"], local_codes=())
    assert r0.status[3] == "no data"


def test_custom_local_codes_and_exceptions():
    r = traded_activities(X, top_k=1, codes=["3030", "2910", "6630"], local_codes=["30", "66"],
                          exceptions={"663": "fund management"})
    # 3030 under "30" -> local; 6630 under "66" but the longer exception "663" wins -> data (traded)
    assert r.by_definition.tolist() == [True, False, False]
    assert r.status.tolist() == ["local-serving", "local-serving", "traded"]
    assert r.reason[0].startswith("local-serving by definition (SIC 30: in local_codes); data: 3 of 3 criteria")


@pytest.mark.parametrize(("code", "local"), [
    ("47.11", True), ("4711", True), ("47110", True), ("47.11/0", True), (" 47.11 ", True), (4711, True),
    ("47.91", False), ("4791", False), ("47910", False), ("47.91/1", False),
    ("47.99", True),            # only 47.91 is excepted
    ("41.20", True), ("43.21", True), ("45.11", True), ("46.90", True), ("56.10", True), ("68.20", True),
    ("85.10", True), ("85.20", True), ("8531", True), ("85.42", False), ("85.51", True), ("85.60", True),
    ("86.10", True), ("87.10", True), ("88.10", True), ("84.11", True), ("94.11", True), ("95.11", True),
    ("96.02", True), ("97.00", True), ("98.10", True),
    ("36.00", True), ("37.00", True), ("38.11", True), ("38.21", False), ("39.00", False),
    ("49.31", True), ("49.32", True), ("49.39", False), ("49.10", False),
    ("77.21", True), ("77.11", False), ("81.21", True), ("81.30", True), ("81.10", False),
    ("30.30", False), ("66.30", False), ("29.10", False), ("62.01", False), ("01.11", False), ("1.1", False),
    ("G", False), ("retail", False), ("", False), ("85", False),  # division 85 as a whole is not local (85.4)
])
def test_is_local_serving_by_definition(code, local):
    assert is_local_serving_by_definition(code) is local


def test_local_serving_reason_longest_prefix():
    assert local_serving_reason("96.02") == "SIC 96: other personal services (local personal services)"
    assert local_serving_reason("38.11") == "SIC 381: waste collection (local utilities)"
    assert local_serving_reason("30.30") is None
    assert local_serving_reason("47.91") is None
    # longest local prefix labels the reason
    assert local_serving_reason("4711", {"4": "four", "47": "retail"}, {}) == "SIC 47: retail"
    # an exception wins only when it is longer than the local prefix that matched
    assert local_serving_reason("4711", {"4711": "x"}, {"4711": "y"}) == "SIC 4711: x"
    assert local_serving_reason("4711", {"4711": "x"}, {"47": "y"}) == "SIC 4711: x"
    assert local_serving_reason("4711", {"47": "x"}, {"471": "y"}) is None
    assert local_serving_reason("4711", (), None) is None
    # the shipped exception sits inside a shipped local prefix
    for exc in NOT_LOCAL_BY_DEFINITION:
        assert any(exc.startswith(p) and len(exc) > len(p) for p in LOCAL_SERVING_BY_DEFINITION)
    assert "4791" in NOT_LOCAL_BY_DEFINITION


# --------------------------------------------------------------------------------------------- messages


def test_reason_text_is_consistent_with_the_verdict():
    r = traded_activities(X, top_k=1)
    assert r.reason.tolist() == [
        "traded (3 of 3 criteria, 2 needed): locational Gini 0.66 >= 0.30; 75% of jobs in the 1 most specialised "
        "regions, which hold 25% of all jobs (pooled LQ 3.00 >= 1.75); LQ >= 0.8 in 50% <= 50% of regions",
        "local-serving (0 of 3 criteria, 2 needed): locational Gini 0.00 < 0.30; 12% of jobs in the 1 most "
        "specialised regions, which hold 12% of all jobs (pooled LQ 1.00 < 1.75); LQ >= 0.8 in 100% > 50% of regions",
        "traded (2 of 3 criteria, 2 needed): locational Gini 0.33 >= 0.30; 19% of jobs in the 1 most specialised "
        "regions, which hold 12% of all jobs (pooled LQ 1.50 < 1.75); LQ >= 0.8 in 50% <= 50% of regions",
    ]
    # c's Gini 0.328125 against 0.33: two decimals would print "0.33 < 0.33", so three are used
    r = traded_activities(X, top_k=1, gini_min=0.33)
    assert r.reason[2].startswith("local-serving (1 of 3 criteria, 2 needed): locational Gini 0.328 < 0.330; ")
    assert r.passed[2].tolist() == [False, False, True] and r.status[2] == "local-serving"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"X": np.array([1.0, 2.0, 3.0])}, "X must be a 2-D (areas, activities) matrix, got shape (3,)"),
    ({"X": np.ones((2, 2, 2))}, "X must be a 2-D (areas, activities) matrix, got shape (2, 2, 2)"),
    ({"X": np.where(np.arange(12).reshape(4, 3) == 5, -1.0, X)}, "X must be non-negative employment; X[1, 2] = -1.0"),
    ({"codes": ["47.11", "96.02"]}, "2 codes for 3 activities"),
    ({"top_k": 0}, "top_k must be at least 1 and below the number of areas (4), got 0"),
    ({"top_k": 4}, "top_k must be at least 1 and below the number of areas (4), got 4"),
    ({"min_criteria": 0}, "min_criteria must be 1, 2 or 3, got 0"),
    ({"min_criteria": 4}, "min_criteria must be 1, 2 or 3, got 4"),
    ({"gini_min": 1.5}, "gini_min must be in [0, 1], got 1.5"),
    ({"gini_min": -0.1}, "gini_min must be in [0, 1], got -0.1"),
    ({"breadth_max": -0.1}, "breadth_max must be in [0, 1], got -0.1"),
    ({"breadth_max": 1.01}, "breadth_max must be in [0, 1], got 1.01"),
])
def test_bad_input_messages(kwargs, message):
    kwargs = {"X": X, "top_k": 1, **kwargs}  # the default top_k = 5 needs more than 4 areas
    with pytest.raises(ValueError, match=re.escape(message)):
        traded_activities(kwargs.pop("X"), **kwargs)


def test_limits_of_the_valid_ranges_are_accepted():
    for kw in ({"top_k": 1}, {"top_k": 3}, {"min_criteria": 1}, {"min_criteria": 3}, {"gini_min": 0.0},
               {"gini_min": 1.0}, {"breadth_max": 0.0}, {"breadth_max": 1.0}):
        assert len(traded_activities(X, **{"top_k": 1, **kw}).status) == 3


# --------------------------------------------------------------------------------------------- real data


def test_textbook_activities_on_bres_nuts2(shared_data):
    from sia.sources import load

    panel = load(shared_data("employment/bres_nuts2_2013_sic4_employment_2015_2018.csv.gz"))
    codes = list(panel.activities)
    r = traded_activities(panel.matrix(2018), codes=codes, local_codes=())
    status = dict(zip(codes, r.status.tolist(), strict=True))
    assert status["4711"] == "local-serving"  # retail in non-specialised stores
    assert status["9602"] == "local-serving"  # hairdressing
    assert status["3030"] == "traded"         # air and spacecraft
    assert status["6630"] == "traded"         # fund management
    assert not r.by_definition.any()
