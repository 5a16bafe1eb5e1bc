"""District employment estimates (``sia.estimate``): RAS by hand, then the real BRES margins and priors.

References: the RAS examples are solved by hand below (a biproportional matrix ``diag(r) X0 diag(s)``
whose margins are fed back must be recovered exactly); the real-data checks compare with the BRES
file read independently here with pandas. Tolerances are stated at each assertion.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sia.estimate import estimate_lad_employment, ras_blocks
from sia.estimate.fit import Prior, block_shares, fit_margins, pooled_division_shares
from sia.estimate.inputs import (
    BRES_ITL2_SIC5,
    CENSUS2011_WORKPLACE,
    CENSUS2021_RESIDENTS,
    GVA_LAD,
    UBC_LAD,
    read_inputs,
    rounding_step,
)
from sia.panel import Panel, Status
from sia.sources.errors import LoadError

# ------------------------------------------------------------------------------------------ by hand


def test_ras_two_by_two_by_hand() -> None:
    # seed [[1, 2], [3, 1]] has cross-product ratio 1*1 / (2*3) = 1/6; RAS keeps it. With rows (10, 10) and
    # columns (8, 12): X = [[a, 10-a], [8-a, 2+a]] and a(2+a) / ((10-a)(8-a)) = 1/6 gives a = 2:
    # X = [[2, 8], [6, 4]] = diag(1, 1) X0 diag(2, 4).
    res = ras_blocks(np.array([[1.0, 2.0], [3.0, 1.0]]), np.array([0, 0]), np.array([[8.0, 12.0]]),
                     np.array([10.0, 10.0]))
    np.testing.assert_allclose(res.values, [[2.0, 8.0], [6.0, 4.0]], atol=1e-9)
    assert res.converged and res.margin_residual < 1e-12


def test_ras_three_by_three_by_hand() -> None:
    # X = diag(1, 2, 3) @ X0 @ diag(2, 1, 1) with X0 = [[1, 2, 1], [2, 1, 1], [1, 1, 2]]:
    #   [[2, 2, 1], [8, 2, 2], [6, 3, 6]], row sums (5, 12, 15), column sums (16, 7, 9).
    # The biproportional fit of X0 to those margins is unique, so RAS must return X.
    seed = np.array([[1.0, 2.0, 1.0], [2.0, 1.0, 1.0], [1.0, 1.0, 2.0]])
    res = ras_blocks(seed, np.zeros(3, dtype=int), np.array([[16.0, 7.0, 9.0]]), np.array([5.0, 12.0, 15.0]))
    np.testing.assert_allclose(res.values, [[2.0, 2.0, 1.0], [8.0, 2.0, 2.0], [6.0, 3.0, 6.0]], atol=1e-8)
    assert res.iterations > 1  # not solved by the first sweep
    np.testing.assert_allclose(res.row_scale, [1.0])


def test_ras_blocks_years_and_inconsistent_targets_by_hand() -> None:
    # units 0 and 1 in block 1, unit 2 alone in block 0 (units need not be sorted by block); two "years".
    # Year 0: block 1 is the 2 x 2 example above; block 0 has margin (5, 15) and one unit, whose row is the
    #   margin itself whatever its target (target 7 is rescaled to 20, factor 20/7).
    # Year 1: block 1 margins doubled (16, 24), targets (10, 30) rescaled by 40/40 = 1 -> row sums 10, 30:
    #   X = [[a, 10-a], [16-a, 14+a]] with a(14+a) / ((10-a)(16-a)) = 1/6 -> 6a^2 + 84a = 160 - 26a + a^2,
    #   5a^2 + 110a - 160 = 0, a = (-110 + sqrt(12100 + 3200)) / 10 = (-110 + sqrt(15300)) / 10.
    seed = np.array([[[1.0, 2.0], [3.0, 1.0], [1.0, 1.0]]] * 2)
    block = np.array([1, 1, 0])
    margin = np.array([[[5.0, 15.0], [8.0, 12.0]], [[5.0, 15.0], [16.0, 24.0]]])
    target = np.array([[10.0, 10.0, 7.0], [10.0, 30.0, 20.0]])
    res = ras_blocks(seed, block, margin, target)
    a = (-110 + np.sqrt(15300.0)) / 10
    expected = np.array([
        [[2.0, 8.0], [6.0, 4.0], [5.0, 15.0]],
        [[a, 10 - a], [16 - a, 14 + a], [5.0, 15.0]],
    ])
    np.testing.assert_allclose(res.values, expected, atol=1e-8)
    np.testing.assert_allclose(res.row_scale, [[20.0 / 7.0, 1.0], [1.0, 1.0]])


def test_ras_rejects_negative_seed() -> None:
    with pytest.raises(ValueError, match="negative"):
        ras_blocks(np.array([[1.0, -1.0]]), np.array([0]), np.array([[1.0, 1.0]]), np.array([2.0]))


def test_block_shares_and_pooling_by_hand() -> None:
    # 3 units, blocks (0, 0, 1); one source with 2 groups; unit 1 does not publish group 1 (NaN)
    values = np.array([[1.0, 2.0], [3.0, np.nan], [5.0, 6.0]])
    share, avail = block_shares(values, np.array([0, 0, 1]), 2)
    np.testing.assert_allclose(share, [[0.25, 0.0], [0.75, 0.0], [1.0, 1.0]])
    assert avail.tolist() == [[True, False], [True, True]]
    # divisions (d0 in group 0, d1 in group 1, d2 uncovered): d1 in block 0 and d2 fall back to the totals
    prior = Prior("p", values, np.array([0, 1, -1]), 1.0)
    pooled, _ = pooled_division_shares([prior], np.array([0, 0, 1]), 2, 3, np.array([1.0, 4.0, 1.0]))
    np.testing.assert_allclose(pooled, [[0.25, 0.2, 0.2], [0.75, 0.8, 0.8], [1.0, 1.0, 1.0]], atol=1e-8)


def test_fit_margins_meets_margins_and_pooled_totals() -> None:
    # one block of two units, one prior covering both divisions with shares (0.25, 0.75) and (0.5, 0.5):
    # seed = [[25, 50], [75, 50]] for margins (100, 100); indicator shares (0.5, 0.5) with weight 1 and the
    # seed's row shares (0.375, 0.625) with weight 1 -> targets 200 * (0.4375, 0.5625) = (87.5, 112.5).
    prior = Prior("p", np.array([[1.0, 1.0], [3.0, 1.0]]), np.array([0, 1]), 1.0)
    from sia.estimate.fit import Indicator

    f = fit_margins(np.array([[100.0, 100.0]]), np.array([0, 0]), [prior], [Indicator("t", np.array([1.0, 1.0]), 1.0)])
    np.testing.assert_allclose(f.seed, [[25.0, 50.0], [75.0, 50.0]], rtol=1e-6)
    np.testing.assert_allclose(f.row_target, [87.5, 112.5], rtol=1e-6)
    np.testing.assert_allclose(f.values.sum(axis=0), [100.0, 100.0], atol=1e-9)
    np.testing.assert_allclose(f.values.sum(axis=1), [87.5, 112.5], atol=1e-6)


def test_rounding_steps_of_bres() -> None:
    # steps read off the BRES file: 5 below 50, 25 to 250, 50 to 500, 100 to 1,000, 250 to 2,500, 500 to 5,000
    assert rounding_step(np.array([0, 45, 50, 225, 250, 900, 1000, 2250, 2500, 4500, 5000, 60000])).tolist() == [
        5, 5, 25, 25, 50, 100, 250, 250, 500, 500, 1000, 1000]


# ------------------------------------------------------------------------------------------ real data
@pytest.fixture(scope="module")
def root(shared_data: Callable[[str], Path]) -> Path:
    for rel in (BRES_ITL2_SIC5, GVA_LAD, UBC_LAD, CENSUS2011_WORKPLACE, CENSUS2021_RESIDENTS):
        shared_data(rel)
    return shared_data(BRES_ITL2_SIC5).parents[1]


@pytest.fixture(scope="module")
def estimate(root: Path):  # type: ignore[no-untyped-def]
    return estimate_lad_employment(root)


def _bres_divisions(root: Path) -> pd.DataFrame:
    """The BRES ITL2 x subclass file summed to divisions, read here without sia (NA -> 0)."""
    with gzip.open(root / BRES_ITL2_SIC5, "rt") as fh:
        df = pd.read_csv(fh, dtype={"INDUSTRY_CODE": str, "GEOGRAPHY_CODE": str})
    df["EMPLOYMENT"] = pd.to_numeric(df["EMPLOYMENT"], errors="coerce").fillna(0.0)
    df["itl2"] = "TL" + df["GEOGRAPHY_CODE"].str[2:]
    df["division"] = df["INDUSTRY_CODE"].str[:2]
    return df.groupby(["DATE", "itl2", "division"])["EMPLOYMENT"].sum()


@pytest.mark.slow
def test_every_itl2_division_margin_holds(estimate, root: Path) -> None:  # type: ignore[no-untyped-def]
    published = _bres_divisions(root)
    years = estimate.panel.years
    divisions = estimate.panel.activities
    fitted = np.zeros((len(years), len(estimate.itl2), len(divisions)))
    idx = np.array([estimate.itl2.index(c) for c in estimate.piece_itl2])
    np.add.at(fitted, (slice(None), idx), estimate.pieces)
    expect = np.zeros_like(fitted)
    for (year, itl2, div), v in published.items():
        expect[years.index(int(year)), estimate.itl2.index(itl2), divisions.index(div)] = v
    assert len(estimate.itl2) == 40 and len(divisions) == 88
    # the fit meets the published margins to floating point (far inside BRES's rounding of 5 jobs and more)
    np.testing.assert_allclose(fitted, expect, rtol=0, atol=1e-6)
    assert estimate.summary.max_margin_residual < 1e-6
    assert estimate.summary.converged
    # districts are sums of their pieces, so GB division totals are the sums of the ITL2 margins
    np.testing.assert_allclose(estimate.panel.cube().sum(axis=1), expect.sum(axis=1), rtol=1e-12, atol=1e-6)


@pytest.mark.slow
def test_panel_is_estimated_with_intervals_and_provenance(estimate, root: Path) -> None:  # type: ignore[no-untyped-def]
    panel = estimate.panel
    assert panel.values.shape == (363, 88, 7)
    assert panel.years == tuple(range(2015, 2022))
    assert panel.activities[0] == "01" and panel.activities[-1] == "99"
    assert panel.areas[0].startswith("E") and not any(a.startswith("N") for a in panel.areas)
    assert (panel.status == Status.ESTIMATED).all()
    assert np.isfinite(panel.values).all() and (panel.values >= 0).all()
    assert estimate.low.shape == panel.values.shape == estimate.high.shape
    assert (estimate.low <= panel.values).all() and (panel.values <= estimate.high).all()
    big = panel.values >= 1000
    assert (estimate.high[big] > estimate.low[big]).all()  # a real interval where there are jobs
    sources = {Path(p.source).name: p for p in panel.provenance}
    for rel in (BRES_ITL2_SIC5, GVA_LAD, UBC_LAD, CENSUS2011_WORKPLACE, CENSUS2021_RESIDENTS):
        p = sources[Path(rel).name]
        assert p.checksum == "sha256:" + hashlib.sha256((root / rel).read_bytes()).hexdigest()
        assert any(n.startswith(("margin:", "prior:")) for n in p.notes)
    assert any("RAS" in n for n in sources["sia.estimate.employment.estimate_lad_employment"].notes)


@pytest.mark.slow
def test_two_runs_are_byte_identical(root: Path, tmp_path: Path) -> None:
    a = estimate_lad_employment(root, years=[2021], n_draws=10)
    b = estimate_lad_employment(root, years=[2021], n_draws=10)
    for x, y in ((a.panel.values, b.panel.values), (a.low, b.low), (a.high, b.high)):
        assert x.tobytes() == y.tobytes()
    a.panel.to_parquet(tmp_path / "a.parquet")
    b.panel.to_parquet(tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    other = estimate_lad_employment(root, years=[2021], n_draws=10, seed=1)
    assert other.panel.values.tobytes() == a.panel.values.tobytes()  # the point estimate has no randomness
    assert other.low.tobytes() != a.low.tobytes()


@pytest.mark.slow
def test_lad_2023_districts_are_sums_of_2021(estimate, root: Path) -> None:  # type: ignore[no-untyped-def]
    est23 = estimate_lad_employment(root, years=[2021], lad_vintage="2023", n_draws=0)
    p21 = estimate.panel.sel(year=2021)
    assert len(est23.panel.areas) == 350
    from sia.geography import lad_rebase_membership

    m = lad_rebase_membership("2021", "2023", data_dir=root)
    rebased = p21.aggregate("area", m, strict=False).sel(area=list(est23.panel.areas))
    np.testing.assert_allclose(est23.panel.values, rebased.values, rtol=1e-9, atol=1e-6)
    assert {"E06000063", "E06000065"} <= set(est23.panel.areas)  # Cumberland, North Yorkshire
    with pytest.raises(ValueError, match="lad_vintage"):
        estimate_lad_employment(root, lad_vintage="2019")


@pytest.mark.slow
def test_validation_beats_the_naive_methods(root: Path) -> None:
    from sia.estimate.validation import validate_itl2

    v = validate_itl2(read_inputs(root), n_draws=0)
    score = {(r["method"], r["band"]): r for r in v.rows}
    ras = score[("ras", ">= 1,000")]["median_ape"]
    for naive in ("naive: GVA section", "naive: UBC broad group"):
        assert ras < score[(naive, ">= 1,000")]["median_ape"]
        assert score[("ras", "all cells")]["lq_status_agreement"] > score[(naive, "all cells")]["lq_status_agreement"]
    assert ras < 0.15  # 12.4% when written (docs/estimates.md)


@pytest.mark.slow
def test_cli_writes_panel_with_interval(root: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sia.cli import app

    out = tmp_path / "lad.parquet"
    res = CliRunner().invoke(app, ["estimate", "employment", "--data-dir", str(root), "--year", "2021",
                                   "--level", "2", "--draws", "5", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "RAS sweeps" in res.output and "margin residual" in res.output
    panel = Panel.from_parquet(out)
    assert panel.values.shape == (363, 88, 1) and panel.status_counts()["estimated"] == 363 * 88
    frame = pd.read_parquet(out)
    assert (frame["low"] <= frame["value"]).all() and (frame["value"] <= frame["high"]).all()
    bad = CliRunner().invoke(app, ["estimate", "employment", "--data-dir", str(root), "--level", "3", "-o",
                                   str(tmp_path / "x.parquet")])
    assert bad.exit_code == 2 and "only 2" in bad.output
    bad = CliRunner().invoke(app, ["estimate", "employment", "--data-dir", str(root), "--year", "2031", "-o",
                                   str(tmp_path / "x.parquet")])
    assert bad.exit_code == 2 and "2031" in bad.output


def _mirror(root: Path, tmp: Path, replace: dict[str, str]) -> Path:
    """A data root of symlinks to the shared files, with some files replaced by the given text."""
    for sub in root.iterdir():
        if not sub.is_dir():
            continue
        (tmp / sub.name).mkdir()
        for f in sub.iterdir():
            rel = f"{sub.name}/{f.name}"
            if rel in replace:
                text = replace[rel]
                if rel.endswith(".gz"):
                    (tmp / rel).write_bytes(gzip.compress(text.encode()))
                elif text:
                    (tmp / rel).write_text(text)
            else:
                os.symlink(f, tmp / rel)
    return tmp


def test_bad_census_cell_names_file_line_and_column(root: Path, tmp_path: Path) -> None:
    with gzip.open(root / CENSUS2011_WORKPLACE, "rt") as fh:
        lines = fh.read().splitlines()
    fields = lines[3].split(",")
    fields[3] = "12x"  # section B of the third MSOA (line 4)
    lines[3] = ",".join(fields)
    data = _mirror(root, tmp_path, {CENSUS2011_WORKPLACE: "\n".join(lines) + "\n"})
    with pytest.raises(LoadError, match=r"census2011.*line 4, column 'B Mining and quarrying': got '12x'"):
        read_inputs(data)


def test_missing_file_is_named(root: Path, tmp_path: Path) -> None:
    data = _mirror(root, tmp_path, {CENSUS2021_RESIDENTS: ""})
    with pytest.raises(FileNotFoundError, match="census2021_ts060"):
        estimate_lad_employment(data)
