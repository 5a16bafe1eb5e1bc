"""Related-industry clusters: planted communities recovered, seed reproducibility, stability measures
(adjusted Rand index from sklearn, variation of information by hand), labels by dominant branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sia.compute.registry import ComputeRequest, load_all
from sia.metrics.clusters import (
    backbone,
    label_clusters,
    partition_stability,
    proximity_clusters,
    variation_of_information,
)
from sia.metrics.proximity import proximity
from sia.panel import Panel


def planted(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Presence of 60 areas in 30 activities: three groups of 10 activities co-located in their own areas."""
    rng = np.random.default_rng(seed)
    truth = np.repeat([0, 1, 2], 10)
    area_group = np.repeat([0, 1, 2], 20)
    p = np.where(area_group[:, None] == truth[None, :], 0.7, 0.05)
    return (rng.random((60, 30)) < p).astype(np.int8), truth


def test_planted_clusters_recovered_and_reproducible():
    M, truth = planted()
    phi = proximity(M)
    a = proximity_clusters(phi, k=5, seed=0)
    b = proximity_clusters(phi, k=5, seed=0)
    np.testing.assert_array_equal(a, b)
    st = partition_stability([a, truth])
    assert st["ari"].iloc[0] == pytest.approx(1.0)
    assert st["vi"].iloc[0] == pytest.approx(0.0, abs=1e-12)


def test_backbone_keeps_k_strongest():
    phi = np.array([[1, 0.9, 0.1, 0.2], [0.9, 1, 0.3, 0.0], [0.1, 0.3, 1, 0.8], [0.2, 0.0, 0.8, 1]])
    A = backbone(phi, k=1).toarray()
    assert A[0, 1] == 0.9 and A[2, 3] == 0.8 and A[0, 2] == 0 and np.all(np.diag(A) == 0)
    assert np.allclose(A, A.T)


def test_variation_of_information_by_hand():
    a = [0, 0, 1, 1]
    b = [0, 0, 0, 0]
    # H(a) = ln 2, H(b) = 0, I(a; b) = 0  ->  VI = ln 2
    assert variation_of_information(a, b) == pytest.approx(np.log(2))
    assert variation_of_information(a, [5, 5, 7, 7]) == pytest.approx(0.0, abs=1e-15)


def test_label_clusters_dominant_branch():
    out = label_clusters([0, 0, 0, 1, 1], ["C", "C", "G", "A", "B"])
    assert out.loc[0, "branch"] == "C" and out.loc[0, "branch_share"] == pytest.approx(2 / 3)
    assert out.loc[1, "branch"] == "A"  # tie: the branch that sorts first
    assert list(out["size"]) == [3, 2]
    by_map = label_clusters([0, 1], {"x": "K", "y": "L"}, activities=["x", "y"])
    assert list(by_map["branch"]) == ["K", "L"]
    with pytest.raises(ValueError, match="branch labels"):
        label_clusters([0, 1, 1], ["A"])


def test_clusters_adapter_two_years():
    M1, truth = planted(1)
    M2, _ = planted(2)
    acts = [f"{'ABC'[t]}{i:03d}" for i, t in enumerate(truth)]
    areas = [f"R{r:02d}" for r in range(60)]
    frames = [
        pd.DataFrame(M * 10.0 + 1.0, index=areas, columns=acts).stack().rename("value").rename_axis(
            ["area", "activity"]).reset_index().assign(year=year)
        for year, M in ((2020, M1), (2021, M2))
    ]
    panel = Panel.from_frame(pd.concat(frames), measure="x")
    out = load_all()["clusters"].compute(ComputeRequest(panel, params={"k": "5", "branch": "prefix:1"}))
    assert set(out.columns) >= {"activity", "year", "cluster", "branch", "cluster_branch", "cluster_branch_share"}
    y20 = out[out["year"] == 2020]
    assert (y20["cluster_branch"] == y20["branch"]).mean() > 0.9
    assert any("stability 2020->2021" in n for n in out.attrs["notes"])
