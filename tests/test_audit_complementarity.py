"""Multi-scale complementarity measures, checked by hand."""

from __future__ import annotations

import math

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

from sia.audit import complementarity as cm

# parent P with children A, B, C partitioning it; themes T1..T3
CHILD = np.array([[50.0, 10.0, 0.0], [30.0, 30.0, 5.0], [20.0, 60.0, 15.0]])
CHILD_TOTAL = np.array([500.0, 300.0, 200.0])


def test_contributions_add_up_and_ratio_by_hand() -> None:
    parent = CHILD.sum(axis=0)
    shares = cm.contribution_shares(CHILD, parent)
    assert_allclose(shares.sum(axis=0), 1.0, rtol=1e-15)
    ratio = cm.contribution_ratio(CHILD, CHILD_TOTAL, parent, CHILD_TOTAL.sum())
    # child C in T2: (60/100) / (200/1000) = 3
    assert math.isclose(ratio[2, 1], 3.0, rel_tol=1e-14)
    # child A in T3: 0/20 / 0.5 = 0
    assert ratio[0, 2] == 0.0


def test_coverage_and_alignment_by_hand() -> None:
    parent_priority = np.array([True, True, False])
    child_spec = np.array([[True, False, False], [False, False, False], [False, False, True]])
    child_priority = np.array([[True, False, False], [False, False, False], [False, False, True]])
    cov = cm.coverage(parent_priority, child_spec, child_priority)
    assert_array_equal(cov.uncovered_parent_priorities, [False, True, False])  # nobody specialised in T2
    assert_array_equal(cov.child_only_priorities[2], [False, False, True])  # C's T3 is not the parent's
    assert cov.coverage == 0.5
    align = cm.alignment_matrix(parent_priority, child_priority, child_spec)
    assert align[0, 0] == cm.ALIGNED
    assert align[0, 1] == cm.GAP
    assert align[2, 2] == cm.CHILD_NICHE
    assert align[1, 2] == cm.NONE
    spec_b = child_spec.copy()
    spec_b[1, 1] = True
    assert cm.alignment_matrix(parent_priority, child_priority, spec_b)[1, 1] == cm.CONTRIBUTES


def test_jaccard_by_hand() -> None:
    sets = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]], dtype=bool)
    j = cm.jaccard_matrix(sets)
    assert j[0, 1] == 1 / 3  # {1,2} vs {2,3}: 1 shared of 3
    assert j[0, 2] == 0.0
    assert_array_equal(np.diag(j), 1.0)


def test_within_theme_similarity() -> None:
    # theme 0 = activities 0,1 ; theme 1 = activities 2,3
    members = np.array([[1, 1, 0, 0], [0, 0, 1, 1]])
    x = np.array([[10.0, 0.0, 5.0, 5.0], [0.0, 7.0, 1.0, 1.0], [3.0, 4.0, 0.0, 0.0]])
    s = cm.within_theme_similarity(x, members)
    assert s[0, 0, 1] == 0.0  # different niches
    assert math.isclose(s[1, 0, 1], 1.0)  # same mix
    assert math.isclose(s[0, 0, 2], 3 / 5)
    assert np.isnan(s[1, 0, 2])  # child 2 has nothing in theme 1


def test_complementarity_score_by_hand() -> None:
    parent_priority = np.array([True, True, False, False])
    child_priority = np.array([[1, 0, 1, 0], [0, 1, 1, 0]], dtype=bool)
    child_spec = child_priority
    score, cov, distinct = cm.complementarity_score(parent_priority, child_priority, child_spec)
    assert cov == 1.0
    assert distinct == 1 - 1 / 3
    assert math.isclose(score, math.sqrt(2 / 3))
    # identical sibling sets: no distinctiveness
    same = np.array([[1, 1, 0, 0], [1, 1, 0, 0]], dtype=bool)
    assert cm.complementarity_score(parent_priority, same, same)[0] == 0.0
