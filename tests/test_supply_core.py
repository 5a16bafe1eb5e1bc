"""A, L, x, B, G and multipliers against pymrio run inside the test, the pymrio golden files, and hand algebra.

Tolerance: 1e-9 relative (plus 1e-12 absolute for zero cells) everywhere unless stated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymrio
import pytest

from sia.supply import (
    IOTable,
    IOTableError,
    SingularSystemError,
    close_households,
    ghosh_inverse,
    leontief_inverse,
    load_generic,
    load_ons_ioat,
    multipliers,
    output_coefficients,
    output_multipliers,
    satellite_multipliers,
    solve_leontief,
    technical_coefficients,
)

RTOL, ATOL = 1e-9, 1e-12
ONS = "io/ons_ioat_2019_industry_by_industry_domestic_use_long.csv"


@pytest.fixture(scope="module")
def io3(shared_reference) -> IOTable:
    return load_generic(shared_reference("inputs/io3_Z.csv"), shared_reference("inputs/io3_final_demand_va.csv"))


@pytest.fixture(scope="module")
def ons(shared_data) -> IOTable:
    return load_ons_ioat(shared_data(ONS))


def run_pymrio(Z: np.ndarray, Y: np.ndarray, F: dict[str, np.ndarray], sectors) -> pymrio.IOSystem:
    """Build a one-region pymrio IOSystem from Z, Y and extension rows F, and run calc_all()."""
    idx = pd.MultiIndex.from_product([["NAT"], list(sectors)], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([["NAT"], [f"fd{k}" for k in range(Y.shape[1])]], names=["region", "category"])
    io = pymrio.IOSystem(
        Z=pd.DataFrame(Z, index=idx, columns=idx),
        Y=pd.DataFrame(Y, index=idx, columns=ycols),
        unit=pd.DataFrame({"unit": ["GBP m"] * len(idx)}, index=idx),
    )
    Fdf = pd.DataFrame(np.vstack(list(F.values())), index=pd.Index(list(F), name="stressor"), columns=idx)
    io.ext = pymrio.Extension(name="ext", F=Fdf, unit=pd.DataFrame({"unit": ["u"] * len(F)}, index=Fdf.index))
    io.calc_all()
    return io


def compare_to_pymrio(t: IOTable, satellites: dict[str, np.ndarray]) -> None:
    io = run_pymrio(t.Z, t.Y, satellites, t.industries)
    A = technical_coefficients(t.Z, t.x)
    L = leontief_inverse(A, t.industries)
    np.testing.assert_allclose(t.x, io.x["indout"].to_numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(A, io.A.to_numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(L, io.L.to_numpy(), rtol=RTOL, atol=ATOL)
    for k, (name, F) in enumerate(satellites.items()):
        s = F / t.x
        np.testing.assert_allclose(satellite_multipliers(L, s), io.ext.M.to_numpy()[k], rtol=RTOL, atol=ATOL,
                                   err_msg=name)
    B = output_coefficients(t.Z, t.x)
    pB = pymrio.calc_B(io.Z, io.x).to_numpy()
    np.testing.assert_allclose(B, pB, rtol=RTOL, atol=ATOL)
    G = ghosh_inverse(B, t.industries, L=L, x=t.x)
    np.testing.assert_allclose(G, pymrio.calc_G(pymrio.calc_B(io.Z, io.x)).to_numpy(), rtol=1e-8, atol=1e-11)
    # and G by factorising I - B (no L shortcut) agrees with the identity G = diag(x)^-1 L diag(x)
    np.testing.assert_allclose(ghosh_inverse(B, t.industries), G, rtol=1e-8, atol=1e-11)


def test_io3_against_pymrio_run_here(io3: IOTable) -> None:
    compare_to_pymrio(io3, {"value_added": io3.gva, "employment": io3.satellite["employment"]})


def test_io3_against_pymrio_golden_files(io3: IOTable, shared_reference) -> None:
    gold_A = pd.read_csv(shared_reference("pymrio/io3_A.csv"), header=[0, 1], index_col=[0, 1]).to_numpy(float)
    gold_L = pd.read_csv(shared_reference("pymrio/io3_L.csv"), header=[0, 1], index_col=[0, 1]).to_numpy(float)
    gold_x = pd.read_csv(shared_reference("pymrio/io3_x.csv"))["indout"].to_numpy(float)
    gold_M = pd.read_csv(shared_reference("pymrio/io3_M_multipliers.csv"), header=[0, 1], index_col=0)
    A = technical_coefficients(io3.Z, io3.x)
    L = leontief_inverse(A)
    np.testing.assert_allclose(A, gold_A, rtol=RTOL)
    np.testing.assert_allclose(L, gold_L, rtol=RTOL)
    np.testing.assert_allclose(io3.x, gold_x, rtol=RTOL)
    m = multipliers(io3)
    np.testing.assert_allclose(m["employment_I"], gold_M.loc["employment"].to_numpy(float), rtol=RTOL)
    np.testing.assert_allclose(m["gva_I"], gold_M.loc["value_added"].to_numpy(float), rtol=RTOL)


def test_io3_by_hand(io3: IOTable) -> None:
    # A by hand: a_ij = z_ij / x_j with x = (1000, 2000, 1500)
    A_hand = np.array([[150 / 1000, 500 / 2000, 50 / 1500],
                       [200 / 1000, 100 / 2000, 400 / 1500],
                       [300 / 1000, 500 / 2000, 50 / 1500]])
    A = technical_coefficients(io3.Z, io3.x)
    np.testing.assert_allclose(A, A_hand, rtol=RTOL)
    L_hand = np.linalg.inv(np.eye(3) - A_hand)  # independent inverse
    L = leontief_inverse(A)
    np.testing.assert_allclose(L, L_hand, rtol=RTOL)
    # L reproduces output from final demand (300, 1300, 650), and solve_leontief (no inverse) agrees
    np.testing.assert_allclose(L @ np.array([300, 1300, 650.0]), [1000, 2000, 1500], rtol=RTOL)
    np.testing.assert_allclose(solve_leontief(A, np.array([300, 1300, 650.0])), [1000, 2000, 1500], rtol=RTOL)
    np.testing.assert_allclose(output_multipliers(L), L_hand.sum(axis=0), rtol=RTOL)
    # employment 'ratio' convention: (e' L)_j / e_j with e = (5, 10, 16.667) jobs per unit output
    e = np.array([5000 / 1000, 20000 / 2000, 25000 / 1500])
    np.testing.assert_allclose(satellite_multipliers(L, e, "ratio"), (e @ L_hand) / e, rtol=RTOL)
    # value added = 1 - column sums of A, so the GVA 'effect' multipliers are exactly 1 (pymrio's check)
    np.testing.assert_allclose(satellite_multipliers(L, 1 - A_hand.sum(axis=0)), 1.0, rtol=RTOL)


def test_type_ii_equals_pymrio_on_the_closed_table(io3: IOTable) -> None:
    # Close io3 with made-up households: compensation = 60% of value added, household consumption = 70% of FD.
    comp = 0.6 * io3.gva
    cons = 0.7 * io3.y
    A = technical_coefficients(io3.Z, io3.x)
    closed = close_households(A, comp, cons, io3.x)
    # pymrio on the augmented flow table: households are an (n+1)-th "industry" with output W = sum(comp)
    W = comp.sum()
    Zc = np.zeros((4, 4))
    Zc[:3, :3] = io3.Z
    Zc[:3, 3] = cons
    Zc[3, :3] = comp
    xc = np.append(io3.x, W)
    Yc = (xc - Zc.sum(axis=1)).reshape(-1, 1)
    io = run_pymrio(Zc, Yc, {"jobs": np.append(io3.satellite["employment"], 0.0)}, [*io3.industries, "HH"])
    np.testing.assert_allclose(closed.A, io.A.to_numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(closed.L, io.L.to_numpy(), rtol=RTOL, atol=ATOL)
    # Type II output multipliers exceed Type I for every industry
    assert (closed.L[:3, :3].sum(axis=0) > leontief_inverse(A).sum(axis=0)).all()


def test_ons_2019_against_pymrio_run_here(ons: IOTable) -> None:
    assert ons.n == 105
    compare_to_pymrio(ons, {"gva": ons.gva, "compensation": ons.primary_row("D1")})


def test_ons_2019_output_multipliers(ons: IOTable) -> None:
    m = multipliers(ons)
    out = m.set_index("industry")["output_I"]
    assert len(out) == 105 and out.notna().all()
    # every industry >= 1; exactly 1 only where the industry buys no domestic intermediate inputs (T97)
    no_inputs = [c for c, col in zip(ons.industries, ons.Z.sum(axis=0), strict=True) if col == 0]
    assert no_inputs == ["T97"]
    assert (out.drop("T97") > 1).all() and out["T97"] == pytest.approx(1.0, abs=1e-12)
    assert out.max() < 3.0  # domestic-use UK table: energy is highest (~2.65)
    # one column checked independently: motor vehicles C29, by solving (I - A) l = e_C29 with numpy
    A = technical_coefficients(ons.Z, ons.x)
    j = ons.industries.index("C29")
    col = np.linalg.solve(np.eye(105) - A, np.eye(105)[:, j])
    assert out["C29"] == pytest.approx(col.sum(), rel=1e-12)
    assert out["C29"] == pytest.approx(1.654242, abs=1e-6)
    # Type II (closed with P3 S14 and D1) exceeds Type I everywhere
    assert (m["output_II"] > m["output_I"]).all()


def test_singular_and_non_productive_errors_name_industries() -> None:
    with pytest.raises(SingularSystemError, match=r"\['c'\]"):
        leontief_inverse(np.array([[0.2, 0.3, 0], [0.1, 0.2, 0], [0, 0, 1.0]]), ["a", "b", "c"])
    with pytest.raises(SingularSystemError, match=r"\['a', 'b'\]"):
        leontief_inverse(np.array([[0.5, 0.5], [0.5, 0.5]]), ["a", "b"])
    with pytest.raises(SingularSystemError, match="not productive"):
        leontief_inverse(np.array([[0.2, 1.3], [0.9, 0.2]]), ["a", "b"])


def test_singular_table_through_multipliers() -> None:
    # industry S sells all of its output to itself: a_SS = 1 -> I - A singular, error names S
    t = IOTable(Z=np.array([[10.0, 0], [2, 5]]), Y=np.array([[0.0], [13]]), x=np.array([10.0, 20]),
                industries=("S", "T"), final_demand=("fd",), primary=np.array([[-2.0, 15]]),
                primary_inputs=("va",))
    with pytest.raises(SingularSystemError, match="'S'"):
        multipliers(t)


def test_unknown_conventions_are_errors(io3: IOTable) -> None:
    L = leontief_inverse(technical_coefficients(io3.Z, io3.x))
    with pytest.raises(IOTableError, match="convention"):
        satellite_multipliers(L, np.ones(3), "bogus")  # type: ignore[arg-type]
    with pytest.raises(IOTableError, match="Type II"):
        multipliers(io3, type_ii=True)  # io3 names no household column
