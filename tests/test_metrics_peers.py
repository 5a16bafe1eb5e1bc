"""Peer views (sia.metrics.peers): an area's complexity from its presence row and PCI, the cosine similarity of
industry mixes, ranks and z-scores among peers.

References: hand computations written out below; ecomplexity 0.5.3 (whose ECI is, by its own convention, the
mean PCI of an area's present activities) run inside the test; scipy's cosine distance and ``rankdata``; and
``eci_pci``'s own ECI, which the mean PCI must reproduce up to one positive linear rescaling (rank and Pearson
correlation 1) on synthetic data and on the real BRES NUTS2 x SIC class matrix.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cosine
from scipy.stats import pearsonr, rankdata, spearmanr

from sia.metrics.complexity import Orientation, eci_pci
from sia.metrics.peers import area_complexity, industry_similarity, rank_among, standardise_on
from sia.metrics.specialisation import binary_presence, location_quotient

# ----------------------------------------------------------------------------- area complexity by hand
# M = [[1, 1, 0, 0],      PCI = [2.0, -1.0, 0.5, NaN]
#      [0, 1, 1, 1],      area 0: (2.0 - 1.0) / 2 = 0.5
#      [0, 0, 0, 1],      area 1: (-1.0 + 0.5) / 2 = -0.25 (the NaN activity is left out, not counted as 0,
#      [0, 0, 0, 0]]               which would give -0.5 / 3 = -0.1667)
#                         area 2: only the NaN activity -> NaN;  area 3: none -> NaN


def test_area_complexity_by_hand() -> None:
    M = np.array([[1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    pci = np.array([2.0, -1.0, 0.5, np.nan])
    out = area_complexity(M, pci)
    np.testing.assert_allclose(out[:2], [0.5, -0.25], rtol=0, atol=1e-15)
    assert np.isnan(out[2]) and np.isnan(out[3])
    # a single presence row and a stack of years broadcast the same way
    assert area_complexity(M[1], pci) == pytest.approx(-0.25)
    np.testing.assert_allclose(area_complexity(np.stack([M, M])[:, :2], pci), [[0.5, -0.25]] * 2)


def _connected_presence(seed: int, areas: int = 30, activities: int = 60) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.lognormal(0.0, 1.2, (areas, activities)) * rng.uniform(0.5, 2.0, (areas, 1))
    return binary_presence(location_quotient(X))


@pytest.mark.parametrize("orientation", ["diversity", Orientation.by_reference(3, name="area 3")])
def test_mean_pci_of_specialisations_is_the_eci_up_to_a_rescaling(orientation: object) -> None:
    """kc = D_r^-1 M kp, so the mean z-scored PCI over an area's present activities is a positive linear function
    of its ECI: rank and Pearson correlation 1, and z-scored on the areas it is the ECI itself."""
    M = _connected_presence(7)
    cx = eci_pci(M, warn=False, orientation=orientation)
    assert np.isfinite(cx.eci).all()
    c = area_complexity(M, cx.pci)
    assert spearmanr(c, cx.eci).statistic == pytest.approx(1.0, abs=1e-12)
    assert pearsonr(c, cx.eci).statistic == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(standardise_on(c, c), cx.eci, rtol=0, atol=1e-12)
    # the rescaling: c = (kc - mean kp) / sd kp, with sia's PCI z-scored on its own moments
    kp = cx.kp[np.isfinite(cx.kp)]
    np.testing.assert_allclose(c, (cx.kc - kp.mean()) / kp.std(), rtol=0, atol=1e-12)


def test_mean_pci_is_the_eci_on_the_real_nuts2_regions(shared_data) -> None:
    from sia.sources import load

    panel = load(shared_data("employment/bres_nuts2_2013_sic4_employment_2015_2018.csv.gz"))
    X = np.nan_to_num(panel.matrix(2018))
    M = binary_presence(location_quotient(X))
    cx = eci_pci(M, warn=False)
    c = area_complexity(M, cx.pci)
    assert len(c) == 39 and np.isfinite(c).all()
    assert spearmanr(c, cx.eci).statistic == pytest.approx(1.0, abs=1e-12)
    assert pearsonr(c, cx.eci).statistic == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(standardise_on(c, c), cx.eci, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(rank_among(c, c), rankdata(-cx.eci, method="min"))


def test_area_complexity_is_ecomplexity_eci_under_its_convention(shared_reference) -> None:
    """ecomplexity 0.5.3 scales PCI with ECI's moments, so its ECI *is* the mean PCI of the present activities."""
    ecomplexity = pytest.importorskip("ecomplexity")
    X1 = pd.read_csv(shared_reference("inputs/X1_employment_2020.csv"), index_col=0)
    long = X1.stack().rename("value").reset_index()
    long.columns = ["area", "activity", "value"]
    long["year"] = 2020
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ecx = ecomplexity.ecomplexity(long, {"time": "year", "loc": "area", "prod": "activity", "val": "value"},
                                      check_logsupermodularity=False)
    M = ecx.pivot(index="area", columns="activity", values="mcp")
    pci = ecx.groupby("activity")["pci"].first().reindex(M.columns)
    eci = ecx.groupby("area")["eci"].first().reindex(M.index)
    np.testing.assert_allclose(area_complexity(M.to_numpy(), pci.to_numpy()), eci.to_numpy(), rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- similarity, ranks, z-scores
# X = [[2, 0, 2],  shares [0.5, 0, 0.5]        cos = (0.5 * 0.5) / (sqrt(0.5) sqrt(0.5)) = 0.25 / 0.5 = 0.5
#      [1, 1, 0]]  shares [0.5, 0.5, 0]        (the dot product of the shares alone would give 0.25)
# Y = [[0, 3, 0]]  shares [0, 1, 0]            cos(X0, Y) = 0; cos(X1, Y) = 0.5 / (sqrt(0.5) 1) = 0.70711


def test_industry_similarity_by_hand_and_against_scipy() -> None:
    X = np.array([[2.0, 0.0, 2.0], [1.0, 1.0, 0.0]])
    Y = np.array([[0.0, 3.0, 0.0]])
    np.testing.assert_allclose(industry_similarity(X), [[1.0, 0.5], [0.5, 1.0]], atol=1e-15)
    np.testing.assert_allclose(industry_similarity(X, Y)[:, 0], [0.0, 1 / np.sqrt(2)], atol=1e-15)
    rng = np.random.default_rng(3)
    A, B = rng.uniform(0, 100, (4, 25)), rng.uniform(0, 100, (6, 25))
    want = np.array([[1.0 - cosine(a, b) for b in B] for a in A])
    np.testing.assert_allclose(industry_similarity(A, B), want, rtol=1e-12)
    # counts or shares: the same (the area's size does not matter)
    np.testing.assert_allclose(industry_similarity(A / A.sum(axis=1, keepdims=True), B), want, rtol=1e-12)
    assert np.isnan(industry_similarity(np.zeros((1, 3)), X)).all()  # an area with no jobs


def test_rank_among_by_hand_and_against_rankdata() -> None:
    peers = np.array([2.0, 1.0, 0.3, np.nan])
    # 0.5: two peers above (2.0, 1.0) -> 3; 2.0: none strictly above -> 1 (ties share); 0.1: three above -> 4
    np.testing.assert_array_equal(rank_among([0.5, 2.0, 0.1], peers), [3.0, 1.0, 4.0])
    assert np.isnan(rank_among([np.nan], peers)[0])
    p = np.random.default_rng(1).normal(size=40).round(1)  # with ties
    np.testing.assert_array_equal(rank_among(p, p), rankdata(-p, method="min"))


def test_standardise_on_by_hand() -> None:
    # peers 1, 3, 5: mean 3, sd (divisor n) sqrt(8 / 3) = 1.63299; 5 -> 1.22474, 0 -> -1.83712
    z = standardise_on([5.0, 0.0], [1.0, 3.0, 5.0, np.nan])
    np.testing.assert_allclose(z, [2 / np.sqrt(8 / 3), -3 / np.sqrt(8 / 3)], rtol=1e-14)
    assert np.isnan(standardise_on([1.0], [2.0, 2.0])).all()  # no spread
