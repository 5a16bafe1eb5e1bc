"""Location quotients, binary presence, symmetric RCA and LQ confidence intervals.

References: EconGeo 2.1 outputs on X1 (golden files in ../shared/reference/econgeo, unrounded
LQs compared at 1e-9 relative), hand computations written out below, and BRES ITL2 data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sia.compute.registry import ComputeRequest
from sia.compute.specialisation import compute_lq_ci, split_reference_area
from sia.metrics.specialisation import (
    area_shares,
    binary_presence,
    location_quotient,
    lq_confidence_interval,
    reference_shares,
    symmetric_rca,
)
from sia.panel import Panel

# 2 areas x 3 activities used for hand computations
H = np.array([[10.0, 30.0, 60.0],
              [40.0, 20.0, 40.0]])
# row totals 100, 100; column totals 50, 50, 100; grand total 200
# area shares: A = (0.1, 0.3, 0.6), B = (0.4, 0.2, 0.4); reference shares (0.25, 0.25, 0.5)
# LQ A = (0.1/0.25, 0.3/0.25, 0.6/0.5) = (0.4, 1.2, 1.2); LQ B = (1.6, 0.8, 0.8)
H_LQ = np.array([[0.4, 1.2, 1.2], [1.6, 0.8, 0.8]])


def _matrix(path) -> np.ndarray:
    return pd.read_csv(path, index_col=0).to_numpy(dtype=np.float64)


@pytest.fixture(scope="module")
def X1(shared_reference) -> np.ndarray:
    return _matrix(shared_reference("inputs/X1_employment_2020.csv"))


@pytest.fixture(scope="module")
def X2(shared_reference) -> np.ndarray:
    return _matrix(shared_reference("inputs/X2_employment_2021.csv"))


def test_lq_matches_econgeo(X1, shared_reference):
    assert_allclose(location_quotient(X1), _matrix(shared_reference("econgeo/X1_location_quotient.csv")), rtol=1e-9)


def test_lq_zero_rows_and_columns_match_econgeo(shared_reference):
    # LQ5: R1 only has I1 and I1 only R1 -> many zero cells; EconGeo gives exact quarters
    X = _matrix(shared_reference("inputs/LQ5_econgeo_doc.csv"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lq = location_quotient(X)
    assert_allclose(lq, _matrix(shared_reference("econgeo/LQ5_location_quotient.csv")), rtol=1e-12)


def test_binary_presence_matches_econgeo(X1, shared_reference):
    m = binary_presence(location_quotient(X1))
    assert_array_equal(m, _matrix(shared_reference("econgeo/X1_rca_binary.csv")).astype(np.int8))


def test_lq_hand_computation():
    assert_allclose(location_quotient(H), H_LQ, rtol=1e-12)
    # ties count as present: LQ exactly 1 -> 1
    assert_array_equal(binary_presence(np.array([[1.0, 0.999, np.nan]])), [[1, 0, 0]])
    assert_array_equal(binary_presence(H_LQ, threshold=1.2), [[0, 1, 1], [1, 0, 0]])


def test_lq_against_separate_reference():
    # reference (e.g. GB) = (100, 300, 600): shares (0.1, 0.3, 0.6)
    # LQ A = (0.1/0.1, 0.3/0.3, 0.6/0.6) = (1, 1, 1); LQ B = (4, 2/3, 2/3)
    ref = np.array([100.0, 300.0, 600.0])
    assert_allclose(location_quotient(H, ref), [[1, 1, 1], [4, 2 / 3, 2 / 3]], rtol=1e-12)
    assert_allclose(reference_shares(H, ref), [0.1, 0.3, 0.6])


def test_lq_batch_axis_equals_per_year(X1, X2):
    cube = np.stack([X1, X2])
    ref = np.stack([X1.sum(0) * 3, X2.sum(0) * 2])
    assert_allclose(location_quotient(cube), np.stack([location_quotient(X1), location_quotient(X2)]))
    assert_allclose(location_quotient(cube, ref)[1], location_quotient(X2, ref[1]))
    s, empty = area_shares(cube)
    assert s.shape == cube.shape and not empty.any()
    assert_allclose(s.sum(-1), 1.0)


def test_zero_conventions_without_warnings():
    X = np.array([[0.0, 0.0, 0.0],   # zero-total area
                  [5.0, 5.0, 0.0]])  # last activity absent everywhere
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lq = location_quotient(X)
        s, empty = area_shares(X)
        ci = lq_confidence_interval(X)
        srca = symmetric_rca(lq)
    # zero-total area: LQ 0; activity with zero reference share: NaN (undefined)
    assert_array_equal(lq[0], [0, 0, 0])
    assert_allclose(lq[1, :2], [1.0, 1.0])
    assert np.isnan(lq[1, 2])
    assert_array_equal(empty, [True, False])
    assert np.isnan(s[0]).all()
    assert np.isnan(ci.lq_low[0]).all() and not ci.significant.any()
    assert np.isnan(srca[1, 2]) and srca[0, 0] == -1.0


def test_symmetric_rca_hand():
    # (0.4-1)/(0.4+1) = -0.6/1.4 = -3/7; (1.2-1)/(2.2) = 1/11; (1.6-1)/2.6 = 3/13; (0.8-1)/1.8 = -1/9
    assert_allclose(symmetric_rca(H_LQ), [[-3 / 7, 1 / 11, 1 / 11], [3 / 13, -1 / 9, -1 / 9]], rtol=1e-12)


def test_lq_ci_hand_computation():
    # cell (A, activity 3): x_rc = 60, x_r. = 100, x_.c = 100, x_.. = 200, LQ = 1.2
    # Moineddin: V = 1/60 - 1/100 + 1/100 - 1/200 = 0.0166667 - 0.005 = 0.01166667
    # interval = 1.2 * exp(+-1.959964 * sqrt(0.01166667)) = 1.2 * exp(+-0.2117)
    v = 1 / 60 - 1 / 100 + 1 / 100 - 1 / 200
    z = 1.959963984540054
    ci = lq_confidence_interval(H)
    assert_allclose(ci.lq[0, 2], 1.2)
    assert_allclose(ci.lq_low[0, 2], 1.2 * np.exp(-z * np.sqrt(v)), rtol=1e-12)
    assert_allclose(ci.lq_high[0, 2], 1.2 * np.exp(z * np.sqrt(v)), rtol=1e-12)
    assert not ci.significant[0, 2]  # lower bound 0.97 < 1
    # cell (B, activity 1): 40 of 100 against 50 of 200, LQ 1.6
    # V = 1/40 - 1/100 + 1/50 - 1/200 = 0.03; low = 1.6 exp(-1.96 sqrt(0.03)) = 1.6 * 0.7119 = 1.139 > 1
    assert_allclose(ci.lq_low[1, 0], 1.6 * np.exp(-z * np.sqrt(0.03)), rtol=1e-12)
    assert ci.significant[1, 0]
    # 90 % level uses z = 1.644854
    ci90 = lq_confidence_interval(H, level=0.90)
    assert_allclose(ci90.lq_high[1, 0], 1.6 * np.exp(1.6448536269514722 * np.sqrt(0.03)), rtol=1e-12)
    # a zero cell: LQ 0, lower bound 0, no finite upper bound
    Z = np.array([[0.0, 10.0], [5.0, 5.0]])
    cz = lq_confidence_interval(Z)
    assert cz.lq[0, 0] == 0 and cz.lq_low[0, 0] == 0 and np.isnan(cz.lq_high[0, 0]) and not cz.significant[0, 0]


def test_lq_ci_nested_variance_is_the_delta_method():
    # independent check of the "nested" formula: numerical gradient of ln LQ with respect to the four
    # disjoint Poisson counts a = x_rc, b = x_r. - a, c = x_.c - a, d = rest, variance sum_k n_k (d lnLQ/dn_k)^2
    a, b, c, d = 60.0, 40.0, 40.0, 60.0  # = matrix H, cell (A, 3)

    def ln_lq(v):
        a_, b_, c_, d_ = v
        return np.log(a_ / (a_ + b_)) - np.log((a_ + c_) / (a_ + b_ + c_ + d_))

    counts = np.array([a, b, c, d])
    h = 1e-6
    grad = np.array([(ln_lq(counts + h * e) - ln_lq(counts - h * e)) / (2 * h) for e in np.eye(4)])
    v_numeric = float((counts * grad**2).sum())
    z = 1.959963984540054
    ci = lq_confidence_interval(H, design="nested")
    assert_allclose(ci.lq_high[0, 2], 1.2 * np.exp(z * np.sqrt(v_numeric)), rtol=1e-8)
    # nested is never wider than the Moineddin (independent samples) form
    assert (lq_confidence_interval(H, design="nested").lq_high <= lq_confidence_interval(H).lq_high + 1e-12).all()
    with pytest.raises(ValueError, match="design"):
        lq_confidence_interval(H, design="other")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- real data
def _bres_sic2_panel(path) -> Panel:
    d = pd.read_csv(path, dtype={"INDUSTRY_CODE": str, "GEOGRAPHY_CODE": str})
    frame = pd.DataFrame({"area": d["GEOGRAPHY_CODE"], "activity": d["INDUSTRY_CODE"], "year": d["DATE"],
                          "value": d["EMPLOYMENT"].astype(float), "area_name": d["GEOGRAPHY_NAME"]})
    return Panel.from_frame(frame, measure="employment", unit="jobs")


@pytest.fixture(scope="module")
def bres_sic2(shared_data):
    path = shared_data("employment/bres_itl2_sic2_employment_2015_2021.csv")
    return pd.read_csv(path, dtype={"INDUSTRY_CODE": str}), _bres_sic2_panel(path)


def test_west_midlands_lq_against_gb_with_intervals(bres_sic2):
    """LQs of TLG1-3 (UKG1-3 in BRES) against GB, SIC 2-digit, 2015-2021.

    GB = the sum of the 40 ITL2 areas of the same file (BRES covers GB only). The GB BRES file
    in shared/data counts full-time employees (20.7 M in 2021), not employment (31.3 M), so it
    is not the same measure and is not used as the reference.
    """
    raw, panel = bres_sic2
    wm = panel.sel(area=["UKG1", "UKG2", "UKG3"])
    out = compute_lq_ci(ComputeRequest(panel=wm, reference=panel, years=None))
    assert list(out.columns) == ["area", "activity", "year", "lq", "lq_low", "lq_high", "significant"]
    assert len(out) == 3 * 88 * 7
    # hand check of one cell with plain pandas: TLG3 (West Midlands met. county), SIC 29 (motor vehicles), 2019
    y = raw[raw["DATE"] == 2019]
    x_rc = y[(y.GEOGRAPHY_CODE == "UKG3") & (y.INDUSTRY_CODE == "29")].EMPLOYMENT.sum()
    x_r = y[y.GEOGRAPHY_CODE == "UKG3"].EMPLOYMENT.sum()
    x_c = y[y.INDUSTRY_CODE == "29"].EMPLOYMENT.sum()
    x_t = y.EMPLOYMENT.sum()
    lq = (x_rc / x_r) / (x_c / x_t)
    se = np.sqrt(1 / x_rc - 1 / x_r + 1 / x_c - 1 / x_t)
    row = out[(out.area == "UKG3") & (out.activity == "29") & (out.year == 2019)].iloc[0]
    assert_allclose(row.lq, lq, rtol=1e-12)
    assert_allclose([row.lq_low, row.lq_high], [lq * np.exp(-1.959963984540054 * se),
                                                lq * np.exp(1.959963984540054 * se)], rtol=1e-10)
    assert lq > 2 and bool(row.significant)  # the motor industry is the region's classic specialisation
    # intervals bracket the LQ wherever defined, and significant == lower bound > 1
    ok = out.lq_low.notna() & out.lq_high.notna()
    assert ((out.lq_low[ok] <= out.lq[ok]) & (out.lq[ok] <= out.lq_high[ok])).all()
    assert (out.significant == (out.lq_low.fillna(0) > 1)).all()
    # against the panel's own total of the three areas instead, the LQs differ (reference matters)
    own = compute_lq_ci(ComputeRequest(panel=wm, years=(2019,)))
    assert not np.allclose(own.lq.to_numpy(), out[out.year == 2019].lq.to_numpy(), equal_nan=True)


def test_reference_area_split(bres_sic2):
    _, panel = bres_sic2
    rest, ref = split_reference_area(panel, "West Midlands")
    assert ref.areas == ("UKG3",) and "UKG3" not in rest.areas and len(rest.areas) == 39
    with pytest.raises(ValueError, match="neither a file nor"):
        split_reference_area(panel, "Atlantis")
