"""ECI / PCI orientation (diversity, an external area vector, an activity vector, a reference area), the
weak-orientation warning and the convergence check of the method of reflections; on real data, productivity
orientation puts London on top and software, finance and R&D above mining (docs/complexity-orientation.md)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sia.compute.productivity import NUTS2013_ITL2025_UNCHANGED, area_productivity
from sia.metrics.complexity import ComplexityResult, ComplexityWarning, Orientation, eci_pci
from sia.metrics.specialisation import binary_presence, location_quotient
from sia.panel import Panel

# A nested 4 x 4 presence matrix. Diversity k_r = (3, 2, 2, 2); ubiquity k_c = (3, 2, 2, 2).
M = np.array([[1, 1, 1, 0],
              [1, 1, 0, 0],
              [1, 0, 0, 1],
              [0, 0, 1, 1]], dtype=float)


def _quiet(**kw: object) -> ComplexityResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        return eci_pci(M, **kw)


def test_orientation_by_area_sets_the_sign_by_the_named_vector() -> None:
    base = _quiet()
    # by diversity: corr(ECI, k_r) >= 0 (the default rule)
    assert np.corrcoef(base.eci, M.sum(axis=1))[0, 1] >= 0
    # an area vector that correlates negatively with the diversity-oriented ECI flips it ...
    wages = -base.eci * 10 + 50
    by_wages = _quiet(orientation=Orientation.by_area(wages, name="wages"))
    np.testing.assert_allclose(by_wages.eci, -base.eci, atol=1e-12)
    np.testing.assert_allclose(by_wages.pci, -base.pci, atol=1e-12)
    # ... and the recorded correlation is Pearson's r of the oriented ECI with that vector: here exactly 1
    assert by_wages.orientation_r == pytest.approx(1.0)
    assert by_wages.orientation == "ECI sign by correlation with wages (r = 1.00 over 4 areas)"
    # a vector agreeing with the diversity sign leaves it alone
    same = _quiet(orientation=Orientation.by_area(base.eci + 1.0, name="x"))
    np.testing.assert_allclose(same.eci, base.eci, atol=1e-12)


def test_orientation_ignores_nan_areas_and_checks_length() -> None:
    base = _quiet()
    v = -base.eci.copy()
    v[0] = np.nan  # left out of the correlation, not read as 0
    out = _quiet(orientation=Orientation.by_area(v, name="gva per job"))
    np.testing.assert_allclose(out.eci, -base.eci, atol=1e-12)
    assert "over 3 areas" in out.orientation
    with pytest.raises(ValueError, match="3 values for 4 areas"):
        eci_pci(M, orientation=Orientation.by_area([1, 2, 3], name="short"), warn=False)


def test_orientation_by_activity_and_by_reference() -> None:
    base = _quiet()
    by_act = _quiet(orientation=Orientation.by_activity(-base.pci, name="wages by industry"))
    np.testing.assert_allclose(by_act.pci, -base.pci, atol=1e-12)
    assert by_act.orientation.startswith("PCI sign by correlation with wages by industry")
    # the reference area must end up above the mean: pick the area with the lowest diversity-oriented ECI
    low = int(np.argmin(base.eci))
    by_ref = _quiet(orientation=Orientation.by_reference(low, name="Inner London - West"))
    assert by_ref.eci[low] > np.mean(by_ref.eci)
    np.testing.assert_allclose(by_ref.eci, -base.eci, atol=1e-12)
    with pytest.raises(ValueError, match="outside 0..3"):
        eci_pci(M, orientation=Orientation.by_reference(9, name="nowhere"), warn=False)


def test_weak_orientation_warns() -> None:
    base = _quiet()
    # a vector orthogonal to the ECI (after centring): |r| ~ 0 < 0.3
    e = base.eci - base.eci.mean()
    rng = np.random.default_rng(0)
    v = rng.standard_normal(4)
    v = v - v.mean()
    v -= (v @ e) / (e @ e) * e
    with pytest.warns(ComplexityWarning, match="orientation is weak"):
        eci_pci(M, orientation=Orientation.by_area(v + 0.01 * e, name="noise"))
    # a strong one does not warn
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComplexityWarning)
        eci_pci(M, orientation=Orientation.by_area(e, name="signal"))


def test_econgeo_keeps_its_own_sign_rule() -> None:
    with pytest.raises(ValueError, match="EconGeo's own sign rules"):
        eci_pci(M, convention="econgeo", orientation=Orientation.by_area([1, 2, 3, 4], name="x"))
    with pytest.raises(ValueError, match="orientation must be"):
        eci_pci(M, orientation="wages")  # type: ignore[arg-type]


def test_reflections_check_their_own_convergence() -> None:
    rng = np.random.default_rng(3)
    big = (rng.random((60, 40)) < 0.3).astype(float)
    # 2 steps: far from converged -> warns, and the reported change is the z-score gap to steps 3 and 4
    with pytest.warns(ComplexityWarning, match="reflections have not converged"):
        early = eci_pci(big, method="reflections", steps=2)
    assert early.reflection_change > 0.05
    # the eigenvector method never reports a reflection change
    assert np.isnan(eci_pci(big, warn=False).reflection_change)
    # many steps: the reported change is below tolerance (no warning) ... or the warning tells the user so
    late = eci_pci(big, method="reflections", steps=200, warn=False)
    assert late.reflection_change < early.reflection_change


def test_productivity_matches_only_unchanged_areas() -> None:
    gva = Panel.from_frame(pd.DataFrame({"area": ["TLD3", "TLC4", "TLG3"], "activity": "Total", "year": 2018,
                                         "value": [60_000.0, 50_000.0, 70_000.0]}), measure="gva")
    jobs = Panel.from_frame(pd.DataFrame({"area": ["UKD3", "UKC2", "UKG3"], "activity": "a", "year": 2018,
                                          "value": [1_000_000.0, 800_000.0, 1_400_000.0]}), measure="jobs")
    values, note = area_productivity(gva, jobs, 2018)
    # UKC2 (Northumberland and Tyne and Wear, NUTS 2013) is not TLC4 (ITL 2025, adds Durham): left out
    areas = list(jobs.areas)
    assert np.isnan(values[areas.index("UKC2")])
    assert values[areas.index("UKD3")] == pytest.approx(60_000 / 1_000_000)
    assert values[areas.index("UKG3")] == pytest.approx(70_000 / 1_400_000)
    assert "2 of 3 areas" in note and "UKC2" in note
    with pytest.raises(ValueError, match="no year 2019"):
        area_productivity(gva, jobs, 2019)


# ----------------------------------------------------------------------------- real data
BRES = "employment/bres_nuts2_2013_sic4_employment_2015_2018.csv.gz"
GVA = "gva/ons_rgva_balanced_itl_by_industry_1998_2023.parquet"


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("&", "and").replace(",", " ").split())


def test_unchanged_areas_have_the_same_name_in_both_vintages(shared_data: Callable[[str], Path]) -> None:
    bres = pd.read_csv(shared_data(BRES), usecols=["geo_cd", "geo_nm"]).drop_duplicates()
    gva = pd.read_parquet(shared_data(GVA), columns=["geography.code", "geography.name"]).drop_duplicates()
    itl = dict(zip(gva["geography.code"], gva["geography.name"], strict=True))
    nuts = dict(zip(bres["geo_cd"], bres["geo_nm"], strict=True))
    same = {c for c, n in nuts.items() if "TL" + c[2:] in itl and _norm(itl["TL" + c[2:]]) == _norm(n)}
    assert same == set(NUTS2013_ITL2025_UNCHANGED)


@pytest.fixture(scope="module")
def nuts2(shared_data: Callable[[str], Path]) -> tuple[Panel, np.ndarray]:
    from sia.sources import load

    emp = load(shared_data(BRES))
    values, _ = area_productivity(load(shared_data(GVA)), emp, 2018)
    return emp, values


def test_productivity_orientation_on_bres_nuts2(nuts2: tuple[Panel, np.ndarray]) -> None:
    emp, productivity = nuts2
    M = binary_presence(location_quotient(np.nan_to_num(emp.matrix(2018))))
    by_div = eci_pci(M, warn=False)
    by_gva = eci_pci(M, orientation=Orientation.by_area(productivity, name="GVA per job 2018"))
    areas, acts = list(emp.areas), list(emp.activities)
    london = [a for a in areas if a.startswith("UKI")]

    def rank_of(result: np.ndarray, names: list[str], name: str) -> int:
        return int(np.flatnonzero(np.argsort(-result, kind="stable") == names.index(name))[0]) + 1

    # diversity points the wrong way: London's five regions are in the bottom ten of 39
    assert all(rank_of(by_div.eci, areas, a) >= 30 for a in london)
    # productivity: London's regions among the top five (four of the five London regions)
    top5 = {areas[i] for i in np.argsort(-by_gva.eci, kind="stable")[:5]}
    assert len(top5 & set(london)) >= 4, top5
    assert by_gva.orientation_r > 0.8
    # software, finance and R&D above mining and quarrying
    knowledge = ["6201", "6202", "6419", "6630", "7211", "7219"]
    extraction = ["0510", "0520", "0811", "0812", "0892", "0899"]
    worst_knowledge = max(rank_of(by_gva.pci, acts, c) for c in knowledge if c in acts)
    best_extraction = min(rank_of(by_gva.pci, acts, c) for c in extraction if c in acts)
    assert worst_knowledge < best_extraction, (worst_knowledge, best_extraction)
