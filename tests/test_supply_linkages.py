"""Linkages and hypothetical extraction checked by hand on the 3-sector table (tolerance 1e-10 relative).

The hand checks recompute everything from Z and x with numpy.linalg.inv, independently of sia.supply.core.
"""

from __future__ import annotations

import numpy as np
import pytest

from sia.supply import IOTable, extraction, extraction_losses, linkage_table, load_generic, load_ons_ioat
from sia.supply.linkages import dispersion, key_sectors

Z = np.array([[150, 500, 50], [200, 100, 400], [300, 500, 50]], dtype=float)
x = np.array([1000, 2000, 1500], dtype=float)
f = np.array([300, 1300, 650], dtype=float)
A = Z / x[None, :]
B = Z / x[:, None]
L = np.linalg.inv(np.eye(3) - A)
G = np.linalg.inv(np.eye(3) - B)


@pytest.fixture(scope="module")
def io3(shared_reference) -> IOTable:
    return load_generic(shared_reference("inputs/io3_Z.csv"), shared_reference("inputs/io3_final_demand_va.csv"))


def test_rasmussen_linkages_by_hand(io3: IOTable) -> None:
    out = linkage_table(io3).set_index("industry")
    n = 3
    # direct: column sums of A and row sums of B
    np.testing.assert_allclose(out["backward_direct"], [0.65, 0.55, 1 / 3], rtol=1e-12)  # 0.15+0.2+0.3 etc.
    np.testing.assert_allclose(out["forward_direct"], [700 / 1000, 700 / 2000, 850 / 1500], rtol=1e-12)
    # total: BL_j = (1/n) sum_i L_ij / ((1/n^2) sum_ij L_ij); FL_i from row sums of G (Ghosh)
    bl = (L.sum(axis=0) / n) / (L.sum() / n**2)
    fl = (G.sum(axis=1) / n) / (G.sum() / n**2)
    np.testing.assert_allclose(out["backward_total"], L.sum(axis=0), rtol=1e-10)
    np.testing.assert_allclose(out["forward_total"], G.sum(axis=1), rtol=1e-10)
    np.testing.assert_allclose(out["backward_total_norm"], bl, rtol=1e-10)
    np.testing.assert_allclose(out["forward_total_norm"], fl, rtol=1e-10)
    np.testing.assert_allclose(out["backward_direct_norm"], n * A.sum(axis=0) / A.sum(), rtol=1e-12)
    assert out["backward_total_norm"].mean() == pytest.approx(1.0)
    # dispersion: coefficient of variation of column j of L, sd with divisor n - 1
    for j in range(3):
        col = L[:, j]
        mean = col.sum() / 3
        sd = np.sqrt(((col - mean) ** 2).sum() / 2)
        assert out["backward_dispersion"].iloc[j] == pytest.approx(sd / mean, rel=1e-10)
    # key sectors from the hand indices: AGR bl 1.14, fl 1.27 -> key, ...
    expected = ["key" if b > 1 and g > 1 else "backward" if b > 1 else "forward" if g > 1 else "weak"
                for b, g in zip(bl, fl, strict=True)]
    assert list(out["key_sector"]) == expected
    assert expected[0] == "key"
    # classic Rasmussen forward linkage from Leontief row sums
    lf = linkage_table(io3, forward="leontief").set_index("industry")
    np.testing.assert_allclose(lf["forward_total_norm"], 3 * L.sum(axis=1) / L.sum(), rtol=1e-10)


def test_dispersion_and_key_sector_edges() -> None:
    assert np.isnan(dispersion(np.zeros((2, 2)), "backward")).all()
    assert list(key_sectors(np.array([1.2, 1.2, 0.8, 1.0]), np.array([1.1, 0.9, 1.3, 1.0]))) == [
        "key", "backward", "forward", "weak"]


def test_extraction_by_hand(io3: IOTable) -> None:
    out = extraction(io3).set_index("industry")
    total = x.sum()
    for k, code in enumerate(io3.industries):
        keep = [i for i in range(3) if i != k]
        # complete: drop row/column k of A and k's final demand, solve the 2-industry system
        xbar = np.linalg.inv(np.eye(2) - A[np.ix_(keep, keep)]) @ f[keep]
        assert out.loc[code, "complete"] == pytest.approx(total - xbar.sum(), rel=1e-10)
        # backward: zero column k of A, same final demand
        Ab = A.copy()
        Ab[:, k] = 0
        assert out.loc[code, "backward"] == pytest.approx(total - (np.linalg.inv(np.eye(3) - Ab) @ f).sum(), rel=1e-10)
        # forward: zero row k of B, same primary inputs v = x - Z' 1 (value added = 350, 900, 1000)
        v = x - Z.sum(axis=0)
        Bf = B.copy()
        Bf[k, :] = 0
        assert out.loc[code, "forward"] == pytest.approx(total - (v @ np.linalg.inv(np.eye(3) - Bf)).sum(), rel=1e-10)
        assert out.loc[code, "complete_share"] == pytest.approx(out.loc[code, "complete"] / total)
    # the complete extraction of AGR removes AGR's own 1000 and more
    assert out.loc["AGR", "complete"] > 1000
    np.testing.assert_allclose(v, [350, 900, 1000])


def test_extraction_vectorised_matches_resolve_on_ons(shared_data) -> None:
    t = load_ons_ioat(shared_data("io/ons_ioat_2019_industry_by_industry_domestic_use_long.csv"))
    A_ = t.Z / t.x[None, :]
    L_ = np.linalg.inv(np.eye(t.n) - A_)
    losses = extraction_losses(L_, t.y, "complete")
    for code in ("C29", "F41, F42  & F43", "T97"):
        k = t.industries.index(code)
        keep = np.arange(t.n) != k
        xbar = np.linalg.solve(np.eye(t.n - 1) - A_[np.ix_(keep, keep)], t.y[keep])
        assert losses[k] == pytest.approx(t.x.sum() - xbar.sum(), rel=1e-9)
