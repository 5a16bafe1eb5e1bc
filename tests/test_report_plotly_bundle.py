"""The report's partial plotly.js bundle (``sia/report/assets/plotly-sia.min.js.gz``).

It must be the plotly.js version Python plotly ships (the figures' JSON is written by Python plotly) and
hold every trace type the report draws; ``scripts/build_plotly_bundle.sh`` rebuilds it.
"""

from __future__ import annotations

import base64
import gzip
import re
import tomllib
from importlib import resources
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest

from sia.report import html as report_html
from sia.report.html import (
    PLOTLY_BUNDLE,
    PLOTLY_BUNDLE_TRACES,
    PlotlyBundleError,
    figure_json,
    plotly_bundle_version,
    plotly_gzip_base64,
)

REPO = Path(__file__).resolve().parents[1]


def _packed() -> bytes:
    return resources.files("sia.report").joinpath("assets", PLOTLY_BUNDLE).read_bytes()


def test_bundle_is_the_plotly_js_version_python_plotly_ships() -> None:
    assert plotly_bundle_version() == plotly.offline.get_plotlyjs_version(), (
        "the report's plotly.js bundle and Python plotly differ: run scripts/build_plotly_bundle.sh")


def test_bundle_holds_exactly_the_report_traces_and_keeps_the_licence() -> None:
    js = gzip.decompress(_packed()).decode("utf-8")
    assert js.startswith(f"/**\n* plotly.js v{plotly.offline.get_plotlyjs_version()}\n")
    assert "Licensed under the MIT license" in js[:400] and "Permission is hereby granted" in js[:3000]
    assert js.rstrip().endswith("window.Plotly = Plotly;\nreturn Plotly;\n}));")
    traces = set(re.findall(r'moduleType:"trace",name:"(\w+)"', js))
    assert traces == set(PLOTLY_BUNDLE_TRACES)
    script = (REPO / "scripts" / "build_plotly_bundle.sh").read_text()
    assert f"TRACES=({' '.join(PLOTLY_BUNDLE_TRACES)})" in script


def test_bundle_is_byte_stable_and_embedded_as_is() -> None:
    packed = _packed()
    assert packed[:2] == b"\x1f\x8b" and packed[4:8] == b"\0\0\0\0"  # gzip, mtime=0
    assert base64.b64decode(plotly_gzip_base64()) == packed


def test_bundle_is_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "report/assets/*" in config["tool"]["setuptools"]["package-data"]["sia"]


def test_version_mismatch_fails_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_html.plotly.offline, "get_plotlyjs_version", lambda: "0.0.1")
    plotly_gzip_base64.cache_clear()
    try:
        with pytest.raises(PlotlyBundleError, match=r"ships plotly\.js v0\.0\.1: run scripts/build_plotly_bundle\.sh"):
            plotly_gzip_base64()
    finally:
        plotly_gzip_base64.cache_clear()


def test_trace_outside_the_bundle_fails_at_build() -> None:
    store: dict[str, str] = {}
    figure_json(go.Figure(go.Bar(x=[1], y=[2])), store)
    with pytest.raises(PlotlyBundleError, match="'pie' traces are not in the report's plotly.js bundle"):
        figure_json(go.Figure(go.Pie(values=[1, 2])), store)
