"""Framework rules: enabling vs market-driven sides, selection, hypothesis verdicts."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sia.audit import framework as fw


def test_sides_by_hand() -> None:
    # theme 0 sells to other industries (high forward linkage, intermediate share); theme 1 to final demand
    features = {
        "forward_linkage": np.array([1.6, 0.6, 1.1]),
        "intermediate_share": np.array([0.8, 0.2, 0.5]),
        "final_demand_share": np.array([0.2, 0.8, 0.5]),
        "backward_linkage": np.array([0.9, 1.3, 1.1]),
    }
    res = fw.assign_sides(features)
    assert res.side[:2] == ("enabling", "market")
    # z-scores by hand for theme 0: forward (1.6 - 1.1)/sd, sd = sqrt((.5^2 + .5^2 + 0)/3)
    sd_f = np.sqrt((0.25 + 0.25 + 0) / 3)
    sd_i = np.sqrt((0.09 + 0.09 + 0) / 3)
    assert_allclose(res.enabling_index[0], ((1.6 - 1.1) / sd_f + (0.8 - 0.5) / sd_i) / 2)
    # theme 2 sits exactly at the mean of everything: both indices 0 -> market (ties go to market)
    assert_allclose([res.enabling_index[2], res.market_index[2]], [0.0, 0.0], atol=1e-12)
    assert res.side[2] == "market"


def test_pins_override_and_errors() -> None:
    features = {"forward_linkage": np.array([2.0, 0.0]), "backward_linkage": np.array([0.0, 2.0])}
    res = fw.assign_sides(features, pins=[None, "enabling"])
    assert res.side == ("enabling", "enabling")
    assert res.pinned == (False, True)
    with pytest.raises(KeyError, match="unknown framework features"):
        fw.assign_sides({"colour": np.array([1.0])})
    with pytest.raises(ValueError, match="pin must be"):
        fw.assign_sides(features, pins=["sideways", None])


def test_missing_features_flag_undetermined() -> None:
    res = fw.assign_sides({"forward_linkage": np.array([np.nan, 1.0, 2.0])})
    assert res.undetermined == (True, False, False)
    assert res.side[0] == "market"


def test_select_framework() -> None:
    scores = np.array([0.9, 0.8, np.nan, 0.7, 0.95, 0.1])
    sides = ["market", "enabling", "market", "market", "enabling", "market"]
    f = fw.select_framework(scores, sides, n_market=2, n_enabling=1)
    assert f.market_priorities == (0, 3)
    assert f.enabling_competencies == (4,)
    f2 = fw.select_framework(scores, sides, n_market=5, n_enabling=5, eligible=[True, True, True, False, True, True])
    assert f2.market_priorities == (0, 5)


@pytest.mark.parametrize(
    ("p", "lq", "low", "high", "expected"),
    [
        (0.8, 1.4, 1.2, 1.6, "supported"),
        (0.8, 0.9, 0.8, 1.0, "mixed"),  # ranks high but is not specialised
        (0.05, 0.6, 0.5, 0.7, "not supported"),
        (0.05, 1.3, 1.1, 1.5, "mixed"),  # specialised but never near the top
        (0.3, 1.1, 0.9, 1.3, "mixed"),
    ],
)
def test_verdicts(p: float, lq: float, low: float, high: float, expected: str) -> None:
    v = fw.hypothesis_verdict(top_k_probability=p, k=4, lq=lq, lq_low=low, lq_high=high, competitive_effect=-1200.0)
    assert v.verdict == expected
    assert any("top 4" in r for r in v.reasons)
    assert any("lost 1,200 jobs" in r for r in v.reasons)
