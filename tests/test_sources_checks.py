"""sia.sources.checks: coverage of expected areas/years and the measure a file really publishes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sia.panel import Panel
from sia.sources import load
from sia.sources.checks import CheckError, CoverageReport, check_coverage, check_measure, published_measures

NOMIS_ROWS = ('2015,"West Midlands","UKG3","01 : Crop","01",500\n'
              '2016,"West Midlands","UKG3","01 : Crop","01",..\n'
              '2015,"Shropshire and Staffordshire","UKG2","01 : Crop","01",*\n'
              '2016,"Shropshire and Staffordshire","UKG2","01 : Crop","01",*\n')


def nomis(tmp_path: Path, value_column: str = "EMPLOYMENT", name: str = "bres.csv") -> Path:
    path = tmp_path / name
    path.write_text(f'"DATE","GEOGRAPHY_NAME","GEOGRAPHY_CODE","INDUSTRY_NAME","INDUSTRY_CODE","{value_column}"\n'
                    + NOMIS_ROWS)
    return path


def test_coverage_complete(tmp_path):
    panel = load(nomis(tmp_path))
    report = check_coverage(panel, ["TLG3"], [2015], source="evidence.employment")
    assert isinstance(report, CoverageReport) and report.ok and report.message() == ""
    report.raise_if_incomplete()


def test_coverage_absent_and_all_missing(tmp_path):
    panel = load(nomis(tmp_path))
    # TLG2: present but every cell suppressed; TLG1: not in the file; 2016: only '..' and '*' cells;
    # 2019: not in the file
    report = check_coverage(panel, ["TLG3", "TLG2", "TLG1", "TLG3"], [2015, 2016, 2019], source="bres.csv")
    assert not report.ok
    assert report.absent_areas == ("TLG1",) and report.empty_areas == ("TLG2",)
    assert report.absent_years == (2019,) and report.empty_years == (2016,)
    assert report.missing_areas == ("TLG1", "TLG2") and report.missing_years == (2016, 2019)
    assert (report.n_areas, report.n_years) == (3, 3)
    with pytest.raises(CheckError) as info:
        report.raise_if_incomplete()
    text = str(info.value)
    assert "\n" not in text
    assert text == ("bres.csv: 1 of 3 expected areas absent (TLG1); 1 of 3 expected areas with no value in any "
                    "cell (all missing or suppressed: TLG2); 1 of 3 expected years absent (2019); 1 of 3 expected "
                    "years with no value in any cell (2016)")


def test_coverage_over_extra_dimensions_and_years_judged_on_expected_areas():
    frame = pd.DataFrame({"area": ["A", "A", "B", "B"], "activity": "x", "year": [2020, 2021, 2020, 2021],
                          "band": ["Total", "Micro", "Total", "Micro"], "value": [np.nan, 1.0, 2.0, np.nan]})
    panel = Panel.from_frame(frame, measure="enterprises", extra_dims=("band",))
    assert check_coverage(panel, ["A", "B"], [2020, 2021], source="ubc").ok
    report = check_coverage(panel, ["A"], [2020, 2021], source="ubc")  # A has nothing in 2020
    assert report.empty_years == (2020,) and report.empty_areas == ()
    report = check_coverage(panel, ["A", "B"], [2030], source="ubc")  # no expected year: only the years reported
    assert report.absent_years == (2030,) and report.empty_areas == () and report.absent_areas == ()


def test_measure_employment_passes(tmp_path):
    panel = load(nomis(tmp_path))
    assert published_measures(panel) == ("EMPLOYMENT",)
    assert check_measure(panel, "employment", source="evidence.employment") == "EMPLOYMENT"


def test_employees_renamed_as_employment_does_not_pass(tmp_path):
    path = nomis(tmp_path, "EMPLOYEES")
    with pytest.raises(CheckError) as info:
        check_measure(load(path), "employment", source="evidence.employment")
    assert str(info.value).startswith("evidence.employment: the file publishes the measure 'EMPLOYEES'; "
                                      "expected 'employment' (BRES employment counts employees and working owners")
    # the rename the loader allows does not hide it
    renamed = load(path, measure="employment")
    assert renamed.measure == "employment"
    with pytest.raises(CheckError, match="publishes the measure 'EMPLOYEES' \\(the panel is named 'employment'\\)"):
        check_measure(renamed, "employment", source="evidence.employment")
    assert check_measure(load(path), "Employees", source="x") == "EMPLOYEES"


def test_measure_survives_parquet_and_tidy_csv(tmp_path):
    panel = load(nomis(tmp_path, "FULL_TIME_EMPLOYEES"))
    panel.to_parquet(tmp_path / "p.parquet")
    back = load(tmp_path / "p.parquet")
    assert check_measure(back, "full-time employees", source="p") == "FULL_TIME_EMPLOYEES"
    with pytest.raises(CheckError):
        check_measure(back, "employment", source="p")
    panel.to_frame().to_csv(tmp_path / "t.csv", index=False)
    assert check_measure(load(tmp_path / "t.csv"), "full_time_employees", source="t") == "full_time_employees"


def test_api_layout_measure_from_employment_status(tmp_path):
    path = tmp_path / "api.csv"
    path.write_text("DATE,GEOGRAPHY_CODE,INDUSTRY_CODE,EMPLOYMENT_STATUS,EMPLOYMENT_STATUS_NAME,"
                    "EMPLOYMENT_STATUS_CODE,OBS_VALUE,OBS_STATUS,OBS_CONF\n"
                    "2019,S92000003,01000,1,Employees,1,14000,A,F\n")
    panel = load(path)
    assert panel.measure == "value" and published_measures(panel) == ("Employees",)
    with pytest.raises(CheckError, match="publishes the measure 'Employees'"):
        check_measure(panel, "employment", source="api")


def test_measure_without_published_name_uses_the_panel_name():
    panel = Panel.from_frame(pd.DataFrame({"area": ["A"], "activity": ["x"], "year": [2020], "value": [1.0]}),
                             measure="gva_current")
    assert check_measure(panel, "gva_current", source="gva") == "gva_current"
    with pytest.raises(CheckError, match="^gva: the panel's measure is 'gva_current'; expected 'employment'"):
        check_measure(panel, "employment", source="gva")
