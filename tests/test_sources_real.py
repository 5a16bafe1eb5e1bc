"""Loaders on the real shared files: shape, status and totals checked against plain pandas reads
of the same file (an independent path: pandas' own CSV/Parquet parsing and groupby sums)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from sia.sources import load, sniff_format


def sha(path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("relative", "fmt", "areas", "activities", "years", "total_column"),
    [
        ("employment/bres_itl2_sic2_employment_2015_2021.csv", "nomis", 40, 88, 7, "EMPLOYMENT"),
        ("employment/bres_itl2_sic5_employment_2015_2021.csv.gz", "nomis", 40, 729, 7, "EMPLOYMENT"),
        ("employment/bres_gb_sic5_fulltime_employees_2009_2021.csv", "nomis", 1, 729, 13, "FULL_TIME_EMPLOYEES"),
        ("employment/bres_nuts2_2013_sic4_employment_2015_2018.csv.gz", "nomis", 39, 525, 4, "value"),
    ],
)
def test_nomis_files(shared_data, relative, fmt, areas, activities, years, total_column):
    path = shared_data(relative)
    assert sniff_format(path) == fmt
    panel = load(path)
    sizes = panel.data["value"].sizes
    assert (sizes["area"], sizes["activity"], sizes["year"]) == (areas, activities, years)
    raw = pd.read_csv(path, dtype={"INDUSTRY_CODE": str, "SIC4": str})
    values = pd.to_numeric(raw[total_column], errors="coerce")
    assert np.nansum(panel.values) == values.sum()
    prov = panel.provenance[0]
    assert prov.checksum == sha(path) and prov.rows_read == len(raw) == prov.rows_loaded
    counts = panel.status_counts()
    assert counts["rounded"] == values.notna().sum()  # NOMIS open data: rounded
    assert counts["missing"] == panel.values.size - values.notna().sum()  # R's NA cells + absent combinations


def test_bres_itl2_codes_recoded_through_aliases(shared_data):
    panel = load(shared_data("employment/bres_itl2_sic2_employment_2015_2021.csv"))
    assert "TLG1" in panel.areas and not any(a.startswith("UK") for a in panel.areas)
    assert set(panel.data["area_level"].values) == {"ITL2"}
    nuts13 = load(shared_data("employment/bres_nuts2_2013_sic4_employment_2015_2018.csv.gz"), measure="employment")
    assert "UKI3" in nuts13.areas  # NUTS codes kept as published (the Nesta layout is not re-coded)
    assert nuts13.measure == "employment"


def test_gva_lad_and_itl(shared_data):
    path = shared_data("gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet")
    panel = load(path)
    raw = pd.read_parquet(path)
    cur = raw[raw["variable.name"] == "GVA Current Prices £m"]
    assert panel.data["value"].sizes == {"area": 361, "activity": 49, "year": 26}
    assert panel.status_counts()["suppressed"] == cur["value"].isna().sum() == 3432
    assert np.nansum(panel.values) == pytest.approx(cur["value"].sum(), rel=1e-12)
    assert panel.provenance[0].rows_read == len(cur) and panel.provenance[0].checksum == sha(path)
    constant = load(path, measure="constant")
    assert constant.unit.startswith("GBP million (chained volume")
    itl = load(shared_data("gva/ons_rgva_balanced_itl_by_industry_1998_2023.parquet"), level="ITL3")
    assert itl.data.sizes["area"] == 182 and set(itl.data["area_level"].values) == {"ITL3"}


def test_ubc_file(shared_data):
    path = shared_data("business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz")
    panel = load(path)
    raw = pd.read_csv(path)
    lad = raw[raw["geog_type"] == "ladu"]
    assert panel.data["value"].sizes == {"area": 374, "activity": 18, "year": 5, "sizeband": 5}
    assert panel.values.sum() == lad["enterprises"].sum()
    prov = panel.provenance[0]
    assert (prov.rows_read, prov.rows_loaded, prov.rows_set_aside) == (len(raw), len(lad), 0)
    assert prov.rows_read - prov.rows_loaded == (raw["geog_type"] == "country").sum() == 450
    # names resolved through the alias table, including the renamed / punctuated ones
    assert {"E06000010", "E06000023", "E08000013"} <= set(panel.areas)  # Hull, Bristol, St Helens


def test_trade_and_cbp_files(shared_data):
    path = shared_data("trade/ots_world_trade_country_hs4_exports_2017.csv.gz")
    trade = load(path)
    raw = pd.read_csv(path, dtype={"product_code": str})
    assert trade.data["value"].sizes == {"area": 224, "activity": 1222, "year": 1} and trade.years == (2017,)
    assert np.nansum(trade.values) == pytest.approx(raw["export_value_usd"].sum(), rel=1e-12)
    assert f"{raw['export_value_usd'].isna().sum()} NA export values read as 0 (no trade)" in trade.provenance[0].notes
    path = shared_data("us_cbp/cbp_2019_cbsa_naics_emp_estab.csv.gz")
    cbp = load(path)
    raw = pd.read_csv(path, dtype={"cbsa_code": str, "naics_code": str})
    suppressed = ((raw["EMP"] == 0) & (raw["ESTAB"] > 0)).sum()
    assert cbp.status_counts()["suppressed"] == suppressed == 225
    assert np.nansum(cbp.values) == raw["EMP"].sum()
    assert cbp.data.sizes["area"] == 933
