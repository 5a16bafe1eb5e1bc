"""Growth, entry/exit and shift-share (Dunn, Esteban-Marquillas, dynamic Barff & Knight).

References: EconGeo 2.1 growth_mat/growth_reg/growth_ind (2 dp) and entry_mat/exit_mat on X1 -> X2;
hand computations of the shift-share components with ../shared/reference/inputs/
national_employment_2020_2021.csv; BRES ITL2 SIC 2-digit data for TLG3 (UKG3) against GB.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sia.compute.registry import ComputeRequest
from sia.compute.specialisation import ComputeError, compute_entry_exit, compute_growth, compute_shift_share
from sia.metrics.dynamics import dynamic_shift_share, entry_exit, growth, shift_share
from sia.metrics.specialisation import binary_presence, location_quotient
from sia.panel import Panel


def _m(path) -> np.ndarray:
    return pd.read_csv(path, index_col=0).to_numpy(dtype=np.float64)


@pytest.fixture(scope="module")
def X(shared_reference):
    return _m(shared_reference("inputs/X1_employment_2020.csv")), _m(shared_reference("inputs/X2_employment_2021.csv"))


@pytest.fixture(scope="module")
def nat(shared_reference):
    d = pd.read_csv(shared_reference("inputs/national_employment_2020_2021.csv"))
    return d["nat_2020"].to_numpy(float), d["nat_2021"].to_numpy(float)


def test_growth_matches_econgeo(X, shared_reference):
    X0, X1 = X
    ref = shared_reference
    assert_allclose(np.round(growth(X0, X1).percent, 2), _m(ref("econgeo/X1X2_growth_mat_pct.csv")), atol=1e-12)
    assert_allclose(np.round(growth(X0.sum(1), X1.sum(1)).percent, 2),
                    _m(ref("econgeo/X1X2_growth_reg_pct.csv")).ravel(), atol=1e-12)
    assert_allclose(np.round(growth(X0.sum(0), X1.sum(0)).percent, 2),
                    _m(ref("econgeo/X1X2_growth_ind_pct.csv")).ravel(), atol=1e-12)


def test_growth_by_hand_and_zero_base():
    # 100 -> 121 over 2 years: change 21, 21 %, CAGR sqrt(1.21) - 1 = 10 %
    g = growth(np.array([100.0, 0.0, 0.0, 50.0]), np.array([121.0, 0.0, 7.0, 0.0]), periods=2)
    assert_allclose(g.absolute, [21, 0, 7, -50])
    assert_allclose(g.percent[[0, 3]], [21.0, -100.0], rtol=1e-12)
    assert np.isnan(g.percent[1]) and np.isnan(g.percent[2])
    assert_allclose(g.cagr[[0, 3]], [0.1, -1.0], rtol=1e-12)
    assert np.isnan(g.cagr[1:3]).all()
    e = growth(np.array([0.0, 0.0]), np.array([0.0, 3.0]), zero_base="econgeo")
    assert e.percent[0] == 0 and np.isinf(e.percent[1])


def test_entry_exit_match_econgeo(X, shared_reference):
    M0, M1 = (binary_presence(location_quotient(x)) for x in X)
    ee = entry_exit(M0, M1)
    assert_array_equal(ee.entry, _m(shared_reference("econgeo/X1X2_entry_mat.csv")))
    assert_array_equal(ee.exit, _m(shared_reference("econgeo/X1X2_exit_mat.csv")))
    # by hand: 0->1 entry, 0->0 no entry, 1->0 exit, 1->1 no exit; NaN where not at risk
    e = entry_exit(np.array([0, 0, 1, 1]), np.array([1, 0, 0, 1]))
    assert_array_equal(e.entry, [1, 0, np.nan, np.nan])
    assert_array_equal(e.exit, [np.nan, np.nan, 1, 0])


def test_shift_share_by_hand_against_national_totals(X, nat):
    X0, X1 = X
    N0, N1 = nat
    # national totals: 2950+2000+2350+2400+2800 = 12500 -> 3000+2297+2475+2940+3040 = 13752
    g = 13752 / 12500 - 1  # 0.10016
    g_i1 = 3000 / 2950 - 1  # 0.0169492
    # region R1, industry I1: 120 -> 126
    ns = 120 * g  # 12.0192
    im = 120 * (g_i1 - g)  # -9.98510
    ce = 126 - 120 * (1 + g_i1)  # 3.96610
    # Esteban-Marquillas: homothetic employment = R1 total (200) x national share of I1 (2950/12500) = 47.2
    hat = 200 * 2950 / 12500
    rate = 126 / 120 - 1 - g_i1  # regional minus national growth of I1 = 0.0330508
    ss = shift_share(X0, X1, N0, N1)
    assert_allclose([ss.national_share[0, 0], ss.industry_mix[0, 0], ss.competitive_effect[0, 0]], [ns, im, ce],
                    rtol=1e-12)
    assert_allclose([ss.homothetic_competitive_effect[0, 0], ss.allocation_effect[0, 0]],
                    [hat * rate, (120 - hat) * rate], rtol=1e-12)
    assert_allclose([hat * rate, (120 - hat) * rate], [1.56, 2.406101694915254], rtol=1e-9)
    # components add up to the actual change in every cell and area total
    assert_allclose(ss.national_share + ss.industry_mix + ss.competitive_effect, X1 - X0, rtol=1e-12, atol=1e-12)
    assert_allclose(ss.homothetic_competitive_effect + ss.allocation_effect, ss.competitive_effect,
                    rtol=1e-12, atol=1e-12)
    # regional total of the national share = region's start total x national growth
    assert_allclose(ss.national_share.sum(1), X0.sum(1) * g, rtol=1e-12)


def test_shift_share_zero_cells_and_own_reference():
    X0 = np.array([[0.0, 10.0], [5.0, 5.0]])
    X1 = np.array([[4.0, 12.0], [5.0, 9.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ss = shift_share(X0, X1)  # reference = totals of the two areas: 15 -> 20 and 5 -> 21
        nan_em = shift_share(X0, X1, em_zero="nan")
    # a new activity in area 1: NS = IM = 0, the whole change is competitive; E-M puts it into allocation
    assert_array_equal([ss.national_share[0, 0], ss.industry_mix[0, 0], ss.competitive_effect[0, 0]], [0, 0, 4])
    assert ss.homothetic_competitive_effect[0, 0] == 0 and ss.allocation_effect[0, 0] == 4
    assert np.isnan(nan_em.homothetic_competitive_effect[0, 0]) and np.isnan(nan_em.allocation_effect[0, 0])
    assert_allclose(ss.national_share + ss.industry_mix + ss.competitive_effect, X1 - X0, rtol=1e-12, atol=1e-12)
    # against the areas' own total, the competitive effects of an activity sum to 0 across areas
    assert_allclose(ss.competitive_effect.sum(0), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="em_zero"):
        shift_share(X0, X1, em_zero="other")  # type: ignore[arg-type]


def test_dynamic_shift_share_is_sum_of_yearly(X, nat):
    X0, X1 = X
    X2 = X1 * np.array([1.05, 0.97, 1.0, 1.2, 0.9])  # a third year
    N0, N1 = nat
    N2 = N1 * 1.03
    cube, N = np.stack([X0, X1, X2]), np.stack([N0, N1, N2])
    dyn = dynamic_shift_share(cube, N)
    a, b = shift_share(X0, X1, N0, N1), shift_share(X1, X2, N1, N2)
    for k in ("national_share", "industry_mix", "competitive_effect", "homothetic_competitive_effect"):
        assert_allclose(getattr(dyn, k), getattr(a, k) + getattr(b, k), rtol=1e-12)
    assert_allclose(dyn.national_share + dyn.industry_mix + dyn.competitive_effect, X2 - X0, rtol=1e-12, atol=1e-12)
    # it differs from the comparative-static decomposition over the whole period
    static = shift_share(X0, X2, N0, N2)
    assert not np.allclose(static.industry_mix, dyn.industry_mix)
    with pytest.raises(ValueError, match="at least two years"):
        dynamic_shift_share(X0[None], N0[None])


# ---------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def bres(shared_data):
    d = pd.read_csv(shared_data("employment/bres_itl2_sic2_employment_2015_2021.csv"),
                    dtype={"INDUSTRY_CODE": str, "GEOGRAPHY_CODE": str})
    frame = pd.DataFrame({"area": d["GEOGRAPHY_CODE"], "activity": d["INDUSTRY_CODE"], "year": d["DATE"],
                          "value": d["EMPLOYMENT"].astype(float)})
    return d, Panel.from_frame(frame, measure="employment", unit="jobs")


@pytest.mark.parametrize("method", ["dunn", "esteban-marquillas"])
def test_tlg3_shift_share_2015_2021_against_gb(bres, method):
    """TLG3 (West Midlands met. county, UKG3 in BRES), 2015 -> 2021, reference GB = sum of the 40 ITL2 areas."""
    d, panel = bres
    out = compute_shift_share(ComputeRequest(panel=panel.sel(area=["UKG3"]), reference=panel, years=(2015, 2021),
                                             params={"method": method}))
    cols = ["area", "activity", "base_year", "year", "change", "national_share", "industry_mix", "competitive_effect"]
    if method == "esteban-marquillas":
        cols += ["homothetic_competitive_effect", "allocation_effect"]
    assert list(out.columns) == cols
    assert len(out) == 88 + 1 and out.activity.iloc[-1] == "_total"
    comp = out.national_share + out.industry_mix + out.competitive_effect
    assert_allclose(comp, out.change, rtol=1e-12, atol=1e-6)
    cells = out[out.activity != "_total"]
    total = out[out.activity == "_total"].iloc[0]
    assert_allclose(cells[cols[4:]].sum().to_numpy(), total[cols[4:]].to_numpy(dtype=float), rtol=1e-12)
    if method == "esteban-marquillas":
        assert_allclose(out.homothetic_competitive_effect + out.allocation_effect, out.competitive_effect,
                        rtol=1e-9, atol=1e-6)
    # hand check of one cell with plain pandas: SIC 29 (motor vehicles)
    e = d.set_index(["DATE", "GEOGRAPHY_CODE", "INDUSTRY_CODE"])["EMPLOYMENT"]
    x0, x1 = e[(2015, "UKG3", "29")], e[(2021, "UKG3", "29")]
    gb = d.groupby(["DATE", "INDUSTRY_CODE"])["EMPLOYMENT"].sum()
    n0, n1 = gb[(2015, "29")], gb[(2021, "29")]
    t0, t1 = d[d.DATE == 2015].EMPLOYMENT.sum(), d[d.DATE == 2021].EMPLOYMENT.sum()
    g, gi = t1 / t0 - 1, n1 / n0 - 1
    row = out[out.activity == "29"].iloc[0]
    assert_allclose([row.change, row.national_share, row.industry_mix, row.competitive_effect],
                    [x1 - x0, x0 * g, x0 * (gi - g), x0 * ((x1 / x0 - 1) - gi)], rtol=1e-9)
    if method == "esteban-marquillas":
        hat = d[(d.DATE == 2015) & (d.GEOGRAPHY_CODE == "UKG3")].EMPLOYMENT.sum() * n0 / t0
        assert_allclose(row.homothetic_competitive_effect, hat * ((x1 / x0 - 1) - gi), rtol=1e-9)


def test_dynamic_shift_share_adapter(bres):
    _, panel = bres
    out = compute_shift_share(ComputeRequest(panel=panel.sel(area=["UKG1", "UKG2", "UKG3"]), reference=panel,
                                             params={"method": "dynamic"}))
    assert (out.base_year == 2015).all() and (out.year == 2021).all() and len(out) == 3 * 89
    assert_allclose(out.national_share + out.industry_mix + out.competitive_effect, out.change, rtol=1e-12, atol=1e-6)
    with pytest.raises(ComputeError, match="at least 2 years"):
        compute_shift_share(ComputeRequest(panel=panel, years=(2021,)))
    with pytest.raises(ComputeError, match="method"):
        compute_shift_share(ComputeRequest(panel=panel, params={"method": "stilwell"}))


def test_growth_and_entry_exit_adapters(bres):
    d, panel = bres
    wm = panel.sel(area=["UKG3"])
    out = compute_growth(ComputeRequest(panel=wm, years=(2015, 2021), params={"level": "area"}))
    t0 = d[(d.DATE == 2015) & (d.GEOGRAPHY_CODE == "UKG3")].EMPLOYMENT.sum()
    t1 = d[(d.DATE == 2021) & (d.GEOGRAPHY_CODE == "UKG3")].EMPLOYMENT.sum()
    row = out.iloc[0]
    assert list(out.columns) == ["area", "base_year", "year", "change", "growth_pct", "cagr"]
    assert_allclose([row.change, row.growth_pct, row.cagr], [t1 - t0, 100 * (t1 / t0 - 1), (t1 / t0) ** (1 / 6) - 1],
                    rtol=1e-12)
    yearly = compute_growth(ComputeRequest(panel=wm, params={"level": "activity", "period": "yearly"}))
    assert len(yearly) == 6 * 88 and set(yearly.year) == set(range(2016, 2022))
    ee = compute_entry_exit(ComputeRequest(panel=panel.sel(area=["UKG1", "UKG2", "UKG3"]), reference=panel,
                                           years=(2015, 2021)))
    assert list(ee.columns) == ["area", "activity", "base_year", "year", "entry", "exit"]
    # exactly one of entry/exit is at risk in every cell
    assert (ee.entry.isna() ^ ee.exit.isna()).all()


def _shift_share_reference(X0, X1, N0, N1):
    """The classic and Esteban-Marquillas formulas written out with np.where, cell by cell."""
    g = N1.sum() / N0.sum() - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        gc = np.where(N0 > 0, N1 / N0 - 1.0, np.nan)
        has = X0 != 0
        ns = np.where(has, X0 * g, 0.0)
        im = np.where(has, X0 * (gc - g), 0.0)
        ce = np.where(has, X1 - X0 * (1.0 + gc), X1)
        hat = X0.sum(axis=1, keepdims=True) * N0 / N0.sum()
        rate = np.where(has, ce / np.where(has, X0, 1.0), np.nan)
        hce = np.where(has, hat * rate, 0.0)
        ae = np.where(has, (X0 - hat) * rate, ce)
    return X1 - X0, ns, im, ce, hce, ae


def test_shift_share_zero_cells_undefined_reference_rate_and_decline():
    # national decline (g < 0), an activity with a zero reference start value (no g_c), new and
    # closed cells; every component checked against the formulas written out with np.where, and
    # zero components are +0 (a "-0.0" would show in the CSV output)
    X0 = np.array([[0.0, 10.0, 0.0, 7.0], [5.0, 0.0, 0.0, 3.0], [2.0, 4.0, 0.0, 0.0]])
    X1 = np.array([[3.0, 6.0, 2.0, 0.0], [4.0, 0.0, 0.0, 1.0], [1.0, 5.0, 1.0, 2.0]])
    N0 = np.array([50.0, 40.0, 0.0, 30.0])
    N1 = np.array([40.0, 30.0, 5.0, 20.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ss = shift_share(X0, X1, N0, N1)
    ref = _shift_share_reference(X0, X1, N0, N1)
    for got, want, name in zip(ss, ref, ShiftShareFields, strict=True):
        assert_allclose(got, want, rtol=1e-14, atol=1e-14, err_msg=name)
        assert np.array_equal(np.isnan(got), np.isnan(want)), name
        zero = got == 0
        assert not np.signbit(got[zero]).any(), f"{name}: negative zero"
    # X0 = 0 in the activity without a reference rate: NS = IM = 0, CE = X1 (not NaN)
    assert ss.national_share[0, 2] == 0 and ss.industry_mix[0, 2] == 0 and ss.competitive_effect[0, 2] == 2
    assert ss.allocation_effect[0, 2] == 2 and ss.homothetic_competitive_effect[0, 2] == 0


ShiftShareFields = ("change", "national_share", "industry_mix", "competitive_effect",
                    "homothetic_competitive_effect", "allocation_effect")


def test_growth_negative_end_value_and_entry_exit_table():
    g = growth(np.array([10.0, 10.0, 0.0, np.nan]), np.array([-5.0, 12.1, 3.0, 4.0]), 2.0)
    assert np.isnan(g.cagr[0]) and g.percent[0] == -150.0  # a negative end value has no CAGR
    assert_allclose(g.cagr[1], np.sqrt(1.21) - 1.0, rtol=1e-15)
    assert np.isnan(g.percent[2]) and np.isnan(g.cagr[2]) and np.isnan(g.percent[3])
    ee = entry_exit(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    assert_array_equal(ee.entry, [0.0, 1.0, np.nan, np.nan])
    assert_array_equal(ee.exit, [np.nan, np.nan, 1.0, 0.0])
