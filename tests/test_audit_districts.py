"""District employment for LEP-like scales: apportionment to subclasses, the theme-jobs statistic over the
estimate's draws, the widened LQ interval, and consistency with the published ITL2 cells."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sia.audit.districts import apportion_to_subclasses, estimated_districts, theme_jobs_statistic, widen_lq_interval
from sia.panel import Panel

# Two ITL2 areas (NOMIS codes), two divisions, three subclasses:
#   UKG1: 01110 = 30, 01120 = 10 (division 01 = 40), 02100 = 5
#   UKG2: 01110 = 10, 01120 = 10 (division 01 = 20), 02100 = 0
DETAIL = Panel.from_frame(pd.DataFrame({
    "area": ["UKG1"] * 3 + ["UKG2"] * 3, "activity": ["01110", "01120", "02100"] * 2, "year": 2021,
    "value": [30.0, 10.0, 5.0, 10.0, 10.0, 0.0]}), measure="jobs")
# three pieces: district A (in G1), district B straddling G1 and G2
PIECE_LAD, PIECE_ITL2 = ["A", "B", "B"], ["TLG1", "TLG1", "TLG2"]
PIECES = np.array([[[8.0, 1.0], [32.0, 4.0], [20.0, 0.0]]])  # (year, piece, division); G1's pieces sum to 40, 5


def test_apportionment_by_hand_and_margins() -> None:
    lads, cube = apportion_to_subclasses(PIECES, PIECE_LAD, PIECE_ITL2, ["01", "02"], DETAIL, [2021])
    assert lads == ("A", "B")
    # A: division 01's 8 jobs split 30:10 -> 6, 2; division 02's 1 job -> 1
    # B: G1 piece 32 -> 24, 8; 4 -> 4; G2 piece 20 split 10:10 -> 10, 10; 0 -> 0; B = 34, 18, 4
    np.testing.assert_allclose(cube[:, :, 0], [[6.0, 2.0, 1.0], [34.0, 18.0, 4.0]])
    # summed over districts: the published cells of G1 + G2 exactly
    np.testing.assert_allclose(cube[:, :, 0].sum(axis=0), [40.0, 20.0, 5.0])


def test_theme_jobs_statistic_by_hand() -> None:
    # theme = subclass 01110 only; group "lep" = district B
    B = np.array([[1.0], [0.0], [0.0]])
    stat = theme_jobs_statistic(DETAIL, B, {"lep": frozenset({"B"})}, 2021)
    layout = SimpleNamespace(piece_lad=PIECE_LAD, piece_itl2=PIECE_ITL2, years=(2021,), divisions=("01", "02"))
    draws = np.concatenate([PIECES[None], 2 * PIECES[None]])  # (n=2, year, piece, division)
    out = stat(draws, layout)
    # draw 1: B's 01110 jobs = 32 * 30/40 + 20 * 10/20 = 24 + 10 = 34; draw 2: twice that
    np.testing.assert_allclose(out[:, 0, 0], [34.0, 68.0])


def test_widened_interval_by_hand() -> None:
    # LQ 2.0 with sampling interval 1.9-2.1; theme jobs 1,000 estimated in 800-1,300
    lo, hi = widen_lq_interval(np.array([2.0]), np.array([1.9]), np.array([2.1]), np.array([1000.0]),
                               np.array([800.0]), np.array([1300.0]))
    assert lo[0] == pytest.approx(1.9 * 0.8) and hi[0] == pytest.approx(2.1 * 1.3)
    # never narrower than the sampling interval
    lo, hi = widen_lq_interval(np.array([2.0]), np.array([1.9]), np.array([2.1]), np.array([1000.0]),
                               np.array([1000.0]), np.array([1000.0]))
    assert (lo[0], hi[0]) == (1.9, 2.1)


def test_estimated_districts_sum_to_the_published_itl2_cells(shared_data: Callable[[str], Path]) -> None:
    from sia.sources import load

    detail = load(shared_data("employment/bres_itl2_sic5_employment_2015_2021.csv.gz"))
    root = shared_data("employment/bres_itl2_sic5_employment_2015_2021.csv.gz").parents[1]
    dist, _, _ = estimated_districts(root, detail, lad_vintage="2021", n_draws=0)
    assert set(np.unique(dist.panel.status)) == {2}  # Status.ESTIMATED
    # the seven West Midlands metropolitan districts (ITL2 TLG3) sum to the published cells
    met = ["E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030", "E08000031"]
    rows = [list(dist.panel.areas).index(c) for c in met]
    y = list(detail.years).index(2021)
    published = np.nan_to_num(detail.values[list(detail.areas).index("TLG3"), :, y])
    np.testing.assert_allclose(dist.panel.values[rows, :, y].sum(axis=0), published, rtol=1e-6, atol=1e-6)
