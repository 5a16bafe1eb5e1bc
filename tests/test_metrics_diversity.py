"""Diversity, ubiquity and related / unrelated variety.

References: EconGeo 2.1 diversity/ubiquity on X1; hand computations of the Frenken, Van Oort &
Verburg (2007) entropy decomposition; BRES ITL2 x SIC 5-digit data with groups = SIC divisions
from the shared SIC hierarchy lookup, checked against a plain pandas computation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sia.compute.registry import ComputeRequest
from sia.compute.specialisation import ComputeError, compute_variety
from sia.metrics.concentration import entropy
from sia.metrics.diversity import diversity, group_index, ubiquity, variety
from sia.metrics.specialisation import binary_presence, location_quotient
from sia.panel import Panel


def _read(path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, index_col=0, **kw)


def test_diversity_ubiquity_match_econgeo(shared_reference):
    X1 = _read(shared_reference("inputs/X1_employment_2020.csv")).to_numpy(float)
    M = binary_presence(location_quotient(X1))
    assert_allclose(diversity(M), _read(shared_reference("econgeo/X1_diversity.csv")).iloc[:, 0].to_numpy())
    assert_allclose(ubiquity(M), _read(shared_reference("econgeo/X1_ubiquity.csv")).iloc[:, 0].to_numpy())
    # batch axis
    assert_allclose(diversity(np.stack([M, M]))[1], diversity(M))


def test_variety_by_hand():
    X = np.array([[10.0, 30.0, 60.0],
                  [40.0, 20.0, 40.0]])
    groups = np.array([0, 0, 1])
    # area A: p = (0.1, 0.3, 0.6); P = (0.4, 0.6)
    # UV = -(0.4 log2 0.4 + 0.6 log2 0.6) = 0.528771 + 0.442179 = 0.970951
    # RV = 0.4 * H(0.25, 0.75) + 0.6 * H(1) = 0.4 * 0.811278 + 0 = 0.324511
    # entropy = 0.1 log2 10 + 0.3 log2(1/0.3) + 0.6 log2(1/0.6) = 1.295462 = UV + RV
    uv_a = -(0.4 * np.log2(0.4) + 0.6 * np.log2(0.6))
    rv_a = 0.4 * -(0.25 * np.log2(0.25) + 0.75 * np.log2(0.75))
    # area B: p = (0.4, 0.2, 0.4); P = (0.6, 0.4); RV = 0.6 * H(2/3, 1/3)
    uv_b = -(0.6 * np.log2(0.6) + 0.4 * np.log2(0.4))
    rv_b = 0.6 * -(2 / 3 * np.log2(2 / 3) + 1 / 3 * np.log2(1 / 3))
    v = variety(X, groups)
    assert_allclose(v.unrelated_variety, [uv_a, uv_b], rtol=1e-12)
    assert_allclose(v.related_variety, [rv_a, rv_b], rtol=1e-12)
    assert_allclose(v.entropy, entropy(X, "bits"), rtol=1e-12)
    assert_allclose(v.unrelated_variety + v.related_variety, v.entropy, rtol=1e-12)
    vn = variety(X, groups, "nats")
    assert_allclose(vn.unrelated_variety, v.unrelated_variety * np.log(2), rtol=1e-12)
    # one group per activity: RV = 0, UV = entropy; a single group: UV = 0, RV = entropy
    assert_allclose(variety(X, np.arange(3)).related_variety, 0.0, atol=1e-15)
    assert_allclose(variety(X, np.zeros(3, dtype=int)).unrelated_variety, 0.0, atol=1e-15)


def test_variety_zeros_and_errors():
    X = np.array([[0.0, 0.0, 0.0], [0.0, 5.0, 5.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = variety(X, np.array([0, 0, 1]))
    assert np.isnan(v.entropy[0]) and np.isnan(v.related_variety[0])
    assert_allclose([v.entropy[1], v.unrelated_variety[1], v.related_variety[1]], [1.0, 1.0, 0.0], atol=1e-15)
    with pytest.raises(TypeError, match="group_index"):
        variety(X, np.array(["a", "a", "b"]))
    with pytest.raises(ValueError, match="one group per activity"):
        variety(X, np.array([0, 1]))
    codes, groups = group_index(["b", "a", "b"])
    assert list(codes) == [1, 0, 1] and list(groups) == ["a", "b"]


def test_variety_of_every_itl2_area_from_sic5(shared_data, tmp_path):
    d = pd.read_csv(shared_data("employment/bres_itl2_sic5_employment_2015_2021.csv.gz"),
                    dtype={"INDUSTRY_CODE": str, "GEOGRAPHY_CODE": str})
    lookup = pd.read_csv(shared_data("sectors/sic2007_5digit_hierarchy_lookup.csv"), dtype=str, encoding="latin-1",
                         usecols=["SIC_2DIGIT_CODE", "SIC_5DIGIT_CODE"])
    n_nan = int(d["EMPLOYMENT"].isna().sum())  # 15 cells (2015-2017) without a value: counted as 0, reported
    frame = pd.DataFrame({"area": d["GEOGRAPHY_CODE"], "activity": d["INDUSTRY_CODE"], "year": d["DATE"],
                          "value": d["EMPLOYMENT"].astype(float)})
    panel = Panel.from_frame(frame, measure="employment", unit="jobs")
    groups_file = tmp_path / "groups.csv"
    lookup.rename(columns={"SIC_5DIGIT_CODE": "activity", "SIC_2DIGIT_CODE": "group"})[["activity", "group"]].to_csv(
        groups_file, index=False)
    out = compute_variety(ComputeRequest(panel=panel, years=None, params={"groups": str(groups_file)}))
    assert list(out.columns) == ["area", "year", "entropy", "unrelated_variety", "related_variety"]
    assert len(out) == 40 * 7 and out[["entropy", "unrelated_variety", "related_variety"]].notna().all().all()
    assert_allclose(out.unrelated_variety + out.related_variety, out.entropy, rtol=1e-12)
    assert n_nan > 0 and any(n.startswith(f"{n_nan} missing") for n in out.attrs["notes"])
    assert any("88 from" in n for n in out.attrs["notes"])  # 88 SIC divisions
    # independent pandas computation for one area (TLG3 = UKG3), 2021
    a = d[(d.GEOGRAPHY_CODE == "UKG3") & (d.DATE == 2021)].fillna({"EMPLOYMENT": 0})
    a = a[a.EMPLOYMENT > 0]
    p = a.EMPLOYMENT / a.EMPLOYMENT.sum()
    div_code = a.INDUSTRY_CODE.map(lookup.set_index("SIC_5DIGIT_CODE")["SIC_2DIGIT_CODE"])
    P = p.groupby(div_code).sum()
    uv = -(P * np.log2(P)).sum()
    within = p / div_code.map(P).to_numpy()
    rv = -(p * np.log2(within)).sum()
    row = out[(out.area == "UKG3") & (out.year == 2021)].iloc[0]
    assert_allclose([row.unrelated_variety, row.related_variety], [uv, rv], rtol=1e-12)
    # divisions = first two digits of the subclass code, so the prefix grouping gives the same numbers
    out2 = compute_variety(ComputeRequest(panel=panel, years=(2021,), params={"prefix": "2", "base": "e"}))
    assert_allclose(out2.unrelated_variety, out[out.year == 2021].unrelated_variety * np.log(2), rtol=1e-12)
    with pytest.raises(ComputeError, match="unknown parameter"):
        compute_variety(ComputeRequest(panel=panel, years=(2021,), params={"grups": "x"}))
