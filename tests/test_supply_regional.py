"""SLQ/CILQ (both diagonals)/FLQ/AFLQ by hand on io3; footprints against pymrio; SIC -> IOAT employment;
West Midlands FLQ and C29 embeddedness."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sia.supply import (
    IndustryMismatchError,
    IOTable,
    IOTableError,
    NegativeFlowError,
    aflq,
    cilq,
    embeddedness,
    flq,
    flq_lambda,
    ioat_employment_from_sic5,
    leontief_inverse,
    load_employment_file,
    load_generic,
    load_nomis_ioat_employment,
    load_ons_ioat,
    regionalise,
    satellite_coefficients,
    slq,
    technical_coefficients,
)
from sia.supply.core import footprints

ONS = "io/ons_ioat_2019_industry_by_industry_domestic_use_long.csv"
BRIDGE = "io/sic2_to_ioat_industry_lookup_cspence.csv"
SIC5 = "employment/bres_itl2_sic5_employment_2015_2021.csv.gz"
NOMIS_GB = "io/bres_gb_2021_at_ioat_sic_levels_nomis_raw.csv.gz"


@pytest.fixture(scope="module")
def io3(shared_reference) -> IOTable:
    return load_generic(shared_reference("inputs/io3_Z.csv"), shared_reference("inputs/io3_final_demand_va.csv"))


@pytest.fixture(scope="module")
def emp3(shared_reference) -> tuple[pd.Series, pd.Series]:
    return load_employment_file(shared_reference("inputs/io3_employment_region_nation.csv"), area="region",
                                national="nation")


def test_lq_by_hand(emp3) -> None:
    reg, nat = emp3
    r, n = reg.to_numpy(), nat.to_numpy()  # region (800, 1500, 2200), nation (5000, 20000, 25000)
    # SLQ_i = (E_i^R / 4500) / (E_i^N / 50000)
    s = np.array([(800 / 4500) / (5000 / 50000), (1500 / 4500) / (20000 / 50000), (2200 / 4500) / (25000 / 50000)])
    np.testing.assert_allclose(s, [1.7777777777777777, 0.8333333333333334, 0.9777777777777777], rtol=1e-12)
    np.testing.assert_allclose(slq(r, n), s, rtol=1e-12)
    # CILQ_ij = SLQ_i / SLQ_j, diagonal SLQ_i
    c = s[:, None] / s[None, :]
    np.fill_diagonal(c, s)
    np.testing.assert_allclose(cilq(r, n), c, rtol=1e-12)
    # lambda = [log2(1 + 4500/50000)]^0.3 = log2(1.09)^0.3
    # log2(1.09) = ln(1.09)/ln(2) = 0.0861777/0.6931472 = 0.1243281; 0.1243281^0.3 = exp(0.3 * -2.084823) = 0.535021
    lam = math.log2(1.09) ** 0.3
    assert math.log2(1.09) == pytest.approx(0.1243281, abs=1e-7)
    assert lam == pytest.approx(0.535021, abs=1e-6)
    assert flq_lambda(4500, 50000, 0.3) == pytest.approx(lam, rel=1e-12)
    np.testing.assert_allclose(flq(r, n, 0.3), c * lam, rtol=1e-12)
    # AFLQ: columns with SLQ_j > 1 (only AGR, j = 0) multiplied by log2(1 + SLQ_j)
    a = c * lam
    a[:, 0] *= math.log2(1 + s[0])
    np.testing.assert_allclose(aflq(r, n, 0.3), a, rtol=1e-12)
    assert flq_lambda(4500, 50000, 0.0) == 1.0  # delta = 0: FLQ = CILQ
    with pytest.raises(IOTableError, match="delta"):
        flq_lambda(4500, 50000, 1.0)


def test_regional_coefficients_scaled_down_only(io3, emp3) -> None:
    reg, nat = emp3
    A = technical_coefficients(io3.Z, io3.x)
    s = np.array([1.7777777777777777, 0.8333333333333334, 0.9777777777777777])
    lam = math.log2(1.09) ** 0.3
    for method, Q in {
        "slq": np.repeat(s[:, None], 3, axis=1),
        "flq": (lambda c: (np.fill_diagonal(c, s), c * lam)[1])(s[:, None] / s[None, :]),
    }.items():
        rt = regionalise(io3, reg, nat, method=method, area="region")
        np.testing.assert_allclose(rt.A, A * np.minimum(Q, 1.0), rtol=1e-12)
        assert (rt.A <= A + 1e-15).all()
    rt = regionalise(io3, reg, nat, method="slq")
    # SLQ: AGR row (SLQ 1.78 > 1) keeps national coefficients; MAN row scaled by 0.8333
    np.testing.assert_allclose(rt.A[0], A[0], rtol=1e-12)
    np.testing.assert_allclose(rt.A[1], A[1] * (1500 / 4500) / (20000 / 50000), rtol=1e-12)
    # regional output x^R_j = x^N_j * E^R_j / E^N_j
    np.testing.assert_allclose(rt.x, [1000 * 800 / 5000, 2000 * 1500 / 20000, 1500 * 2200 / 25000], rtol=1e-12)
    # FLQ regional multipliers below national, computed independently
    rf = regionalise(io3, reg, nat, method="flq")
    m_hand = np.linalg.inv(np.eye(3) - rf.A).sum(axis=0)
    np.testing.assert_allclose(rf.output_multipliers(), m_hand, rtol=1e-12)
    assert (m_hand < np.linalg.inv(np.eye(3) - A).sum(axis=0)).all()
    assert rf.lam == pytest.approx(lam, rel=1e-12)


def test_regionalise_bad_input(io3, emp3) -> None:
    reg, nat = emp3
    with pytest.raises(IndustryMismatchError, match="missing \\['SER'\\]"):
        regionalise(io3, reg.drop("SER"), nat)
    with pytest.raises(IndustryMismatchError, match="XYZ"):
        regionalise(io3, pd.concat([reg, pd.Series({"XYZ": 1.0})]), nat)
    with pytest.raises(NegativeFlowError, match="'MAN'"):
        regionalise(io3, reg.where(reg.index != "MAN", -5.0), nat)
    with pytest.raises(IOTableError, match="exceeds national employment.*'AGR'"):
        regionalise(io3, reg.where(reg.index != "AGR", 6000.0), nat)
    with pytest.raises(IOTableError, match="method"):
        regionalise(io3, reg, nat, method="rlq")


@pytest.fixture(scope="module")
def ons(shared_data) -> IOTable:
    return load_ons_ioat(shared_data(ONS))


@pytest.fixture(scope="module")
def wm_employment(ons, shared_data):
    return ioat_employment_from_sic5(
        shared_data(SIC5), shared_data(BRIDGE), ons.industries, year=2021,
        areas=None,  # one column per ITL2 area plus GB = the sum of all 40
    )


def test_sic5_rollup_matches_raw_nomis_gb(ons, shared_data, wm_employment) -> None:
    f = wm_employment.frame
    gb = f["GB"]
    tlg = f[["UKG1", "UKG2", "UKG3"]].sum(axis=1)
    # the roll-up keeps every job: all SIC5 employment = mapped + set aside (98100, 98200, 99000 with 0 jobs)
    raw = pd.read_csv(shared_data(SIC5), dtype={"INDUSTRY_CODE": str})
    raw = raw[raw["DATE"] == 2021]
    assert gb.sum() + wm_employment.unmatched["GB"].sum() == pytest.approx(raw["EMPLOYMENT"].sum())
    assert sorted(wm_employment.unmatched["sic_code"]) == ["98100", "98200", "99000"]
    assert wm_employment.unmatched["GB"].sum() == 0
    assert gb.sum() == pytest.approx(31_366_000)
    assert tlg.sum() == pytest.approx(2_693_905)
    nomis = load_nomis_ioat_employment(shared_data(NOMIS_GB), shared_data(BRIDGE), ons.industries)
    assert nomis.unmatched.empty and nomis.year == 2021
    ref = nomis.frame["K03000001"]
    assert ref.sum() == pytest.approx(31_362_500)
    # BRES open-access rounding: each published cell is rounded, so a sum of rounded 5-digit cells over 40
    # ITL2 areas differs from the rounded GB figure. Totals differ by 3,500 jobs (0.011%); per industry the
    # largest absolute gap is 5,150 (N78) and the largest relative gap 7.1% (a 700-job industry).
    diff = gb - ref
    assert abs(diff.sum()) == pytest.approx(3_500)
    assert diff.abs().max() == pytest.approx(5_150)
    both = ref > 0
    rel = (diff[both] / ref[both]).abs()
    assert rel.max() < 0.08 and rel.median() < 0.01
    # industries that are zero in one are zero in both (L68A imputed rent, T97 households; B06 & B07 not)
    assert set(gb.index[gb == 0]) == set(ref.index[ref == 0]) == {"L68A", "T97"}
    # motor vehicles: GB 161,760 built from SIC5 vs 160,000 published; West Midlands 56,480
    assert gb["C29"] == pytest.approx(161_760) and ref["C29"] == pytest.approx(160_000)
    assert tlg["C29"] == pytest.approx(56_480)


def test_west_midlands_flq_and_c29_embeddedness(ons, wm_employment) -> None:
    f = wm_employment.frame
    tlg = f[["UKG1", "UKG2", "UKG3"]].sum(axis=1)
    gb = f["GB"]
    rt = regionalise(ons, tlg, gb, method="flq", delta=0.3, area="TLG")
    lam = math.log2(1 + 2_693_905 / 31_366_000) ** 0.3
    assert rt.lam == pytest.approx(lam, rel=1e-12)
    assert rt.no_employment == ("L68A", "T97")
    A = technical_coefficients(ons.Z, ons.x)
    assert (rt.A <= A).all() and rt.A.shape == (105, 105)
    # one cell by hand: a^R[G46 -> C29] = a^N * min(SLQ_G46 / SLQ_C29 * lambda, 1)
    i, j = ons.industries.index("G46"), ons.industries.index("C29")
    s_i = (tlg["G46"] / tlg.sum()) / (gb["G46"] / gb.sum())
    s_j = (tlg["C29"] / tlg.sum()) / (gb["C29"] / gb.sum())
    assert rt.A[i, j] == pytest.approx(A[i, j] * min(s_i / s_j * lam, 1.0), rel=1e-12)
    m_r, m_n = rt.output_multipliers(), leontief_inverse(A).sum(axis=0)
    assert (m_r <= m_n + 1e-12).all() and (m_r >= 1 - 1e-12).all()

    e = embeddedness(ons, rt, ["C29"])
    assert 0 <= e.local_input_share <= 1
    assert e.regional_multiplier < e.national_multiplier
    # independently: C29's local share = column sum of regional A over column sum of national A
    assert e.local_input_share == pytest.approx(rt.A[:, j].sum() / A[:, j].sum(), rel=1e-12)
    assert e.regional_multiplier == pytest.approx(np.linalg.inv(np.eye(105) - rt.A)[:, j].sum(), rel=1e-10)
    assert e.local_input_share == pytest.approx(0.197658, abs=1e-6)  # the figure in docs/supply-chains.md
    assert e.regional_multiplier == pytest.approx(1.093685, abs=1e-6)
    assert e.national_multiplier == pytest.approx(1.654242, abs=1e-6)
    assert len(e.upstream) == 10 and "C29" not in set(e.upstream["industry"])
    assert (np.diff(e.upstream["local_flow"]) <= 0).all()
    # AFLQ lifts the specialised C29 column by log2(1 + SLQ_C29): more embedded than FLQ, still < SLQ
    ea = embeddedness(ons, regionalise(ons, tlg, gb, method="aflq", area="TLG"), ["C29"])
    es = embeddedness(ons, regionalise(ons, tlg, gb, method="slq", area="TLG"), ["C29"])
    assert e.local_input_share < ea.local_input_share < es.local_input_share <= 1
    # a basket: motor vehicles with fabricated metals (weights = regional output)
    eb = embeddedness(ons, rt, ["C29", "C25OTHER"], denominator="total")
    assert 0 <= eb.local_input_share <= 1 and eb.regional_multiplier < eb.national_multiplier
    with pytest.raises(IndustryMismatchError, match="C99"):
        embeddedness(ons, rt, ["C99"])


# ----------------------------------------------------------------- CILQ diagonal, footprints (issue 15)


def test_cilq_textbook_diagonal_one_beside_round_slq_diagonal(io3, emp3) -> None:
    reg, nat = emp3
    r, n = reg.to_numpy(), nat.to_numpy()
    s = np.array([1.7777777777777777, 0.8333333333333334, 0.9777777777777777])
    off = s[:, None] / s[None, :]  # CILQ_ij = SLQ_i / SLQ_j off the diagonal, both forms
    one = off.copy()
    np.fill_diagonal(one, 1.0)  # the ratio's own value SLQ_i / SLQ_i
    round_ = off.copy()
    np.fill_diagonal(round_, s)  # Round (1978): SLQ_i
    np.testing.assert_allclose(cilq(r, n, diagonal="one"), one, rtol=1e-12)
    np.testing.assert_allclose(cilq(r, n), round_, rtol=1e-12)  # the default is unchanged
    np.testing.assert_allclose(cilq(r, n, diagonal="slq"), round_, rtol=1e-12)
    lam = math.log2(1.09) ** 0.3
    np.testing.assert_allclose(flq(r, n, 0.3, diagonal="one"), one * lam, rtol=1e-12)
    a = one * lam
    a[:, 0] *= math.log2(1 + s[0])
    np.testing.assert_allclose(aflq(r, n, 0.3, diagonal="one"), a, rtol=1e-12)
    # regional coefficients: with CILQ_ii = 1 every diagonal coefficient stays national, while Round's
    # diagonal scales down MAN (SLQ 0.833) and SER (SLQ 0.978)
    A = technical_coefficients(io3.Z, io3.x)
    rt1 = regionalise(io3, reg, nat, method="cilq", diagonal="one")
    rts = regionalise(io3, reg, nat, method="cilq")
    np.testing.assert_allclose(rt1.A, A * np.minimum(one, 1.0), rtol=1e-12)
    np.testing.assert_allclose(np.diagonal(rt1.A), np.diagonal(A), rtol=1e-12)
    np.testing.assert_allclose(np.diagonal(rts.A), np.diagonal(A) * np.minimum(s, 1.0), rtol=1e-12)
    assert rt1.diagonal == "one" and rts.diagonal == "slq"
    np.testing.assert_allclose(rt1.A[0, 1], A[0, 1] * 1.0, rtol=1e-12)  # SLQ_AGR / SLQ_MAN = 2.13 -> capped
    np.testing.assert_allclose(rt1.A[1, 0], A[1, 0] * s[1] / s[0], rtol=1e-12)
    with pytest.raises(IOTableError, match="diagonal"):
        regionalise(io3, reg, nat, method="cilq", diagonal="zero")  # type: ignore[arg-type]


def _pymrio_one_region(t: IOTable, F: dict[str, np.ndarray], F_Y: np.ndarray, y_split: np.ndarray):
    """A one-region pymrio IOSystem with two final-demand categories and an extension with F and F_Y."""
    pymrio = pytest.importorskip("pymrio")
    idx = pd.MultiIndex.from_product([["REG"], list(t.industries)], names=["region", "sector"])
    cats = pd.MultiIndex.from_product([["REG"], ["households", "other"]], names=["region", "category"])
    y = t.y
    Y = pd.DataFrame(np.column_stack([y * y_split, y * (1 - y_split)]), index=idx, columns=cats)
    io = pymrio.IOSystem(Z=pd.DataFrame(t.Z, index=idx, columns=idx), Y=Y,
                         unit=pd.DataFrame({"unit": ["GBP m"] * len(idx)}, index=idx))
    names = pd.Index(list(F), name="stressor")
    io.ext = pymrio.Extension(
        name="ext", F=pd.DataFrame(np.vstack(list(F.values())), index=names, columns=idx),
        F_Y=pd.DataFrame(F_Y, index=names, columns=cats),
        unit=pd.DataFrame({"unit": ["u"] * len(F)}, index=names))
    io.calc_all()
    return io


def test_footprints_equal_pymrio(io3) -> None:
    """``footprints(S, L, y, F_Y=...)`` against pymrio 0.7.0 ``calc_all`` run here: M, D_cba, D_pba,
    D_cba_reg, D_pba_reg (one region, two final-demand categories, direct final-demand emissions)."""
    F = {"employment": io3.satellite["employment"], "value_added": io3.gva,
         "co2": np.array([400.0, 900.0, 150.0])}
    F_Y = np.array([[0.0, 0.0], [0.0, 0.0], [120.0, 30.0]])  # only co2 is emitted by final users
    io = _pymrio_one_region(io3, F, F_Y, np.array([0.6, 0.3, 0.8]))
    S = np.vstack([satellite_coefficients(f, io3.x) for f in F.values()])
    L = leontief_inverse(technical_coefficients(io3.Z, io3.x))
    fp = footprints(S, L, io.Y.to_numpy(), F_Y=F_Y)
    ext = io.ext
    np.testing.assert_allclose(fp.multipliers, ext.M.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fp.consumption, ext.D_cba.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fp.production, ext.D_pba.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fp.total, ext.D_cba_reg.to_numpy().ravel(), rtol=1e-9)
    np.testing.assert_allclose(fp.total, ext.D_pba_reg.to_numpy().ravel(), rtol=1e-9)
    # the table's own final demand: production-based = F itself; consumption-based re-allocates it
    np.testing.assert_allclose(fp.production, np.vstack(list(F.values())), rtol=1e-9)
    assert not np.allclose(fp.consumption, fp.production)
    # value added: every unit of final demand carries exactly one unit of GVA (M = 1, pymrio's check)
    np.testing.assert_allclose(fp.multipliers[1], 1.0, rtol=1e-9)
    one = footprints(S[2], L, io3.y)  # one stressor, 1-D
    np.testing.assert_allclose(one.consumption, fp.consumption[2], rtol=1e-12)
    assert one.total.shape == ()


def test_footprints_by_hand_on_a_regionalised_table(io3, emp3) -> None:
    """The regional footprint S L^R diag(y) of a final-demand vector, with the FLQ inverse, by hand."""
    reg, nat = emp3
    rt = regionalise(io3, reg, nat, method="flq")
    Lr = np.linalg.inv(np.eye(3) - rt.A)  # independent inverse
    jobs = io3.satellite["employment"] / io3.x  # national jobs per unit output (5, 10, 16.667)
    y = np.array([10.0, 0.0, 5.0])
    fp = footprints(jobs, rt.leontief(), y)
    # consumption: jobs embodied in each product's final demand = (sum_i e_i L_ij) y_j
    np.testing.assert_allclose(fp.consumption, [(jobs @ Lr[:, 0]) * 10, 0.0, (jobs @ Lr[:, 2]) * 5], rtol=1e-12)
    # production: jobs in each industry = e_i (L y)_i
    np.testing.assert_allclose(fp.production, jobs * (Lr @ y), rtol=1e-12)
    assert fp.total == pytest.approx(fp.production.sum(), rel=1e-12)
    with pytest.raises(IOTableError, match="do not match"):
        footprints(jobs, rt.leontief(), y[:2])
