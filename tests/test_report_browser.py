"""End-to-end: build the report and open it in headless Debian chromium (Playwright, no browser download).

Every check runs twice: on the Midlands Engine example audit run on the shared data (the
``example_audit`` fixture of ``conftest.py``) and on the SYNTHETIC audit of ``tests/report_fixtures.py``,
which exercises every map level. ``SIA_REPORT_TEST_OUTDIR`` replaces the example by another real
``sia audit`` output directory. Boundaries come from ``$SIA_SHARED_DATA/boundaries`` (or
``../shared/data/boundaries``); without them the maps are expected to be skipped with a note.
The screenshot is saved under ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from report_fixtures import write_synthetic_audit
from sia.report import ReportResult, build_report

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
ARTIFACTS = REPO / "test-artifacts"

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)


def _boundaries_dir() -> Path | None:
    root = Path(os.environ.get("SIA_SHARED_DATA") or REPO.parent / "shared" / "data")
    return root / "boundaries" if (root / "boundaries").is_dir() else None


@pytest.fixture(scope="module", params=["midlands-engine", "synthetic"])
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    if request.param == "synthetic":
        audit_dir = write_synthetic_audit(tmp_path_factory.mktemp("audit"))
    else:
        outdir = os.environ.get("SIA_REPORT_TEST_OUTDIR")
        audit_dir = Path(outdir) if outdir else request.getfixturevalue("example_audit")
    html = tmp_path_factory.mktemp("report") / "report.html"
    result = build_report(audit_dir, html, boundaries_dir=_boundaries_dir())
    result.kind = request.param  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="module")
def session(report: ReportResult) -> Iterator[tuple[object, list[str]]]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        page.on("request", lambda r: problems.append(f"request: {r.url}")
                if not r.url.startswith(("file:", "data:", "blob:")) else None)
        page.goto(report.html_path.resolve().as_uri(), wait_until="load", timeout=120_000)
        page.wait_for_function("document.querySelectorAll('.chart.rendered').length > 0", timeout=60_000)
        yield page, problems
        browser.close()


def _visible_block_scale(page) -> str:
    return page.evaluate("document.querySelector('.scale-block:not([hidden])').dataset.scale")


def _check_rendered(page, selector: str) -> int:
    """Every chart matched by ``selector`` has a drawn, non-empty plotly SVG; returns how many were checked."""
    result = page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel)).map(div => {
              const svg = div.querySelector('.main-svg');
              const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
              const marks = div.querySelectorAll('.point, .bars path, .hm image, .heatmaplayer image, '
                  + '.choroplethlocation, .scatterlayer path, .barlayer path').length;
              return {id: div.id, svg: !!svg, w: box.width, h: box.height, marks: marks};
          })""",
        selector,
    )
    assert result, f"no chart matched {selector}"
    for r in result:
        assert r["svg"] and r["w"] > 100 and r["h"] > 100, r
        assert r["marks"] > 0, r
    return len(result)


def test_report_is_offline_and_self_contained(report: ReportResult) -> None:
    text = report.html_path.read_text(encoding="utf-8")
    assert text.count("Plotly.newPlot") >= 1
    assert '<script src="http' not in text and "<link " not in text and "@import" not in text
    assert "window.PlotlyGeoAssets" in text.split("<script>", 2)[1]  # the stub precedes plotly.js
    assert report.html_bytes < 12_000_000  # plotly.js (4.6 MB) once + figures + the data tables behind them


def test_opens_without_errors_or_network_and_renders_first_scale(session) -> None:
    page, problems = session
    first = _visible_block_scale(page)
    n = _check_rendered(page, f'.scale-block[data-scale="{first}"] .chart')
    assert n >= 8
    _check_rendered(page, "main > section .chart")  # heatmap, supply chains and maps
    assert problems == []


def test_maps_draw_every_area(session, report: ReportResult) -> None:
    page, problems = session
    maps = page.evaluate("Array.from(document.querySelectorAll('.chart[id^=map-]')).map(d => "
                         "[d.id, d.querySelectorAll('.choroplethlocation').length])")
    if _boundaries_dir() is None:
        assert maps == [] and any("Maps skipped" in n for n in report.notes)
        return
    assert len(maps) == report.n_maps >= 1
    for key, n_paths in maps:
        assert n_paths > 0, key
    if report.kind == "synthetic":  # type: ignore[attr-defined]  # 6 ITL2, 25 ITL3, 42 LAD areas
        assert sorted(n for _, n in maps) == [6, 25, 42]
    assert problems == []


def test_scale_switcher_changes_what_is_shown(session) -> None:
    page, problems = session
    options = page.evaluate("Array.from(document.querySelectorAll('#scale-select option')).map(o => o.value)")
    assert len(options) >= 2
    first = _visible_block_scale(page)
    assert first == options[0]
    assert page.is_visible(f'.scale-block[data-scale="{first}"] .framework')
    for other in options[1:]:
        page.select_option("#scale-select", other)
        page.wait_for_function(f"document.querySelector('.scale-block[data-scale=\"{other}\"]').hidden === false")
        assert _visible_block_scale(page) == other
        assert not page.is_visible(f'.scale-block[data-scale="{first}"] .framework')
        assert page.is_visible(f'.scale-block[data-scale="{other}"] .framework')
        page.wait_for_timeout(200)
        _check_rendered(page, f'.scale-block[data-scale="{other}"] .chart')
    # back to the first scale: its charts are still drawn, the others are hidden
    page.select_option("#scale-select", first)
    assert _visible_block_scale(page) == first
    hidden = page.evaluate("Array.from(document.querySelectorAll('.scale-block[hidden]')).map(b => b.dataset.scale)")
    assert sorted(hidden) == sorted(options[1:])
    assert page.evaluate("document.body.dataset.scale") == first
    assert problems == []


def test_data_tables_open_and_screenshot(session) -> None:
    page, problems = session
    details = page.locator(".scale-block:not([hidden]) figure.chart-card details").first
    details.locator("summary").click()
    assert details.locator("table.data").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-e2e-{page.evaluate('document.body.dataset.scale')}.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert problems == []


def test_static_images_with_kaleido_and_debian_chromium(tmp_path: Path) -> None:
    """PNG and SVG of a bubble chart and a map, rendered in one kaleido session without network."""
    _require_chromium()
    import struct

    from sia.report import export_static, load_audit
    from sia.report.build import collect_charts

    audit = load_audit(write_synthetic_audit(tmp_path / "audit"))
    sections, global_charts, *_ = collect_charts(audit, boundaries_dir=_boundaries_dir())
    charts = [sections[0].charts["strengths"][0], *global_charts["maps"][:1]]
    files = export_static(charts, tmp_path / "static", formats=("png", "svg"), width=1000, scale=1.0)
    assert sorted(p.name for p in files) == sorted(f"{c.key}.{f}" for c in charts for f in ("png", "svg"))
    for chart in charts:
        png = (tmp_path / "static" / f"{chart.key}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height) == (1000, int(chart.figure.layout.height))
        svg = (tmp_path / "static" / f"{chart.key}.svg").read_text()
        assert svg.lstrip().startswith("<svg") and chart.title.split(":")[0] in svg
        assert (tmp_path / "static" / f"{chart.key}.csv").exists()
    if global_charts["maps"]:
        svg = (tmp_path / "static" / f"{charts[1].key}.svg").read_text()
        assert svg.count("choroplethlocation") > 5  # the polygons were drawn (no CDN topojson needed)
