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
import re
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
    result.audit_dir = Path(audit_dir)  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="module")
def chromium(report: ReportResult) -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(chromium, report: ReportResult, width: int, height: int) -> tuple[object, list[str]]:
    problems: list[str] = []
    page = chromium.new_page(viewport={"width": width, "height": height})
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: problems.append(f"request: {r.url}")
            if not r.url.startswith(("file:", "data:", "blob:")) else None)
    page.goto(report.html_path.resolve().as_uri(), wait_until="load", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.chart.rendered').length > 0", timeout=60_000)
    page.wait_for_function("document.body.dataset.rendered", timeout=120_000)  # every chart shown is drawn
    return page, problems


@pytest.fixture(scope="module")
def session(chromium, report: ReportResult) -> Iterator[tuple[object, list[str]]]:
    page, problems = _open(chromium, report, 1280, 900)
    yield page, problems
    page.close()


@pytest.fixture(scope="module")
def wide(chromium, report: ReportResult) -> Iterator[tuple[object, list[str]]]:
    """The report at 1440 x 900, the size the layout is checked at."""
    page, problems = _open(chromium, report, 1440, 900)
    yield page, problems
    page.close()


def _scales(page) -> list[str]:
    return page.evaluate("Array.from(document.querySelectorAll('#scale-select option')).map(o => o.value)")


def _show(page, scale: str) -> None:
    page.select_option("#scale-select", scale)
    page.wait_for_function(f"document.body.dataset.rendered === '{scale}'", timeout=120_000)


def _visible_block_scale(page) -> str:
    return page.evaluate("document.querySelector('.scale-block:not([hidden])').dataset.scale")


def _check_rendered(page, selector: str) -> int:
    """Every chart matched by ``selector`` has a drawn, non-empty plotly SVG; returns how many were checked."""
    result = page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel)).map(div => {
              const svg = div.querySelector('.main-svg');
              const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
              const marks = div.querySelectorAll('.point, .bars path, .hm image, .heatmaplayer image, '
                  + '.choroplethlocation, .scatterlayer path, .barlayer path, .treemaplayer path').length;
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
        page.wait_for_function(f"document.body.dataset.rendered === '{other}'", timeout=120_000)
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
        assert (width, height) == (1000, 720)  # a 16:9 slide, whatever the chart's height on the page
        svg = (tmp_path / "static" / f"{chart.key}.svg").read_text()
        assert svg.lstrip().startswith("<svg") and chart.title.split(":")[0] in svg
        # it stands alone: title with the years, caption, source line with the data years
        assert f"({chart.data_years})" in svg or re.search(r"\b20\d\d\b", chart.title), chart.key
        assert "Source: " in svg and f"data {chart.data_years}" in svg and chart.caption.split(" ")[0] in svg
        assert (tmp_path / "static" / f"{chart.key}.csv").exists()
    if global_charts["maps"]:
        svg = (tmp_path / "static" / f"{charts[1].key}.svg").read_text()
        assert svg.count("choroplethlocation") > 5  # the polygons were drawn (no CDN topojson needed)


# ----------------------------------------------------------------------------- board-ready checks (issue 17)

LAYOUT_JS = """(sel) => {
  const out = [];
  const inside = (a, b, tol) => a.left >= b.left - tol && a.top >= b.top - tol && a.right <= b.right + tol
      && a.bottom <= b.bottom + tol;
  const box = (r) => [Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)];
  for (const div of document.querySelectorAll(sel)) {
    if (!div.offsetWidth) continue;
    const card = div.closest('figure.chart-card');
    const svg = div.querySelector('svg.main-svg');
    if (!svg) { out.push([div.id, 'not drawn']); continue; }
    const sr = svg.getBoundingClientRect();
    if (card && !inside(sr, card.getBoundingClientRect(), 1)) out.push([div.id, 'chart overflows its card', box(sr)]);
    const labels = [];
    for (const t of div.querySelectorAll('svg text')) {
      if (!t.textContent.trim()) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (!inside(r, sr, 1)) { out.push([div.id, 'text cut by the figure edge', t.textContent, box(r)]); continue; }
      for (let el = t; el && el !== div; el = el.parentNode) {
        const cp = el.getAttribute && el.getAttribute('clip-path');
        if (!cp) continue;
        const m = cp.match(/url\\(['"]?#([^'")]+)/);
        const rect = m && document.getElementById(m[1]) && document.getElementById(m[1]).querySelector('rect');
        if (rect && el.getScreenCTM) {
          const ctm = el.getScreenCTM();
          const x = +rect.getAttribute('x') || 0, y = +rect.getAttribute('y') || 0;
          const p = new DOMPoint(x, y).matrixTransform(ctm);
          const q = new DOMPoint(x + (+rect.getAttribute('width')), y + (+rect.getAttribute('height')))
              .matrixTransform(ctm);
          const clip = {left: Math.min(p.x, q.x), top: Math.min(p.y, q.y), right: Math.max(p.x, q.x),
                        bottom: Math.max(p.y, q.y)};
          if (!inside(r, clip, 1)) out.push([div.id, 'text cut by the plot area', t.textContent, box(r)]);
        }
        break;
      }
      if (t.closest('.annotation')) labels.push([t.textContent, r]);
    }
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i][1], b = labels[j][1];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 2 && h > 2) out.push([div.id, 'labels overlap', labels[i][0], labels[j][0]]);
    }
  }
  return out;
}"""

CONTRAST_JS = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const v = m[1].split(',').map(Number); return {r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1}; };
  const lum = (c) => { const f = (x) => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = (el) => { for (; el && el.nodeType === 1; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor); if (c && c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  const out = []; const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !el.getClientRects().length || el.closest('svg')) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || +st.opacity === 0) continue;
    const key = st.color + '|' + background(el).r + ',' + background(el).g + ',' + background(el).b;
    if (seen.has(key)) continue; seen.add(key);
    const fg = parse(st.color), bg = background(el);
    out.push({text: n.textContent.trim().slice(0, 40), ratio: ratio(fg, bg), fg: st.color, tag: el.tagName});
  }
  // chart text (plotly SVG: on the white plot background, except heatmap and treemap cells, which plotly
  // colours for contrast itself) and the framework diagram (white text on its coloured boxes)
  for (const t of document.querySelectorAll('.chart svg text, svg.framework text')) {
    if (!t.textContent.trim() || !t.getClientRects().length) continue;
    if (t.closest('.heatmaplayer, .treemaplayer, .hm')) continue;
    const fg = parse(getComputedStyle(t).fill); if (!fg || fg.a < 0.5) continue;
    let bg = {r: 255, g: 255, b: 255, a: 1};
    if (t.closest('svg.framework') && fg.r > 200) {
      const rect = t.previousElementSibling && t.previousElementSibling.tagName === 'rect' ? t.previousElementSibling
          : t.parentNode.querySelector('rect'); bg = rect ? parse(getComputedStyle(rect).fill) : bg; }
    const key = 'svg' + getComputedStyle(t).fill + JSON.stringify(bg);
    if (seen.has(key)) continue; seen.add(key);
    out.push({text: t.textContent.trim().slice(0, 40), ratio: ratio(fg, bg), fg: getComputedStyle(t).fill, tag: 'svg'});
  }
  return out;
}"""

FOCUSABLE_JS = """() => Array.from(document.querySelectorAll(
    'a[href], button, select, input, textarea, summary, [tabindex]:not([tabindex="-1"])'))
  .filter(el => el.getClientRects().length && !el.closest('[hidden]') && el.tabIndex >= 0).length"""

RAW_ID = re.compile(r"\blq:|\bgva_lq\b|\bcluster-\d+\b|\b_rest\b|\b[a-z]+_[a-z0-9_]+\b")
"""Ids a reader must never see: map indicator ids (``lq:...``), theme ids (``cluster-05``), the audit's
``_rest`` child, and snake_case criterion or indicator ids (``growth_pct``, ``loo_strength``)."""


def _config_name(report: ReportResult) -> str:
    import json

    from sia.report import load_audit

    manifest = json.loads((load_audit(_audit_dir(report)).outdir / "manifest.json").read_text())
    return manifest["config"]["audit"]["name"], manifest["config"]["audit"]


def _audit_dir(report: ReportResult) -> Path:
    return report.audit_dir  # type: ignore[attr-defined]


def test_header_is_named_and_dated_from_the_config(wide, report: ReportResult) -> None:
    page, problems = wide
    name, cfg = _config_name(report)
    assert page.inner_text("header.top h1") == name and page.title() == name
    dated = page.inner_text("header.top .dated")
    assert f"{cfg['base_year']} to {cfg['latest_year']}" in dated, dated  # the data's years, not the clock
    assert "sha256" not in page.inner_text("header.top").lower()
    assert problems == []


def test_no_chart_overflows_its_card_and_no_text_is_cut_at_1440(wide) -> None:
    """At 1440 x 900, on every scale: each chart's SVG inside its card, every SVG text inside the figure and
    inside the plot area when it is drawn in it, and no two point labels (annotations) overlapping."""
    page, problems = wide
    found = []
    for scale in _scales(page):
        _show(page, scale)
        charts = ".scale-block:not([hidden]) .chart, main > section .chart"
        found += [[scale, *r] for r in page.evaluate(LAYOUT_JS, charts)]
    assert found == []
    assert problems == []


def test_no_raw_ids_in_visible_text(wide) -> None:
    """Every reader-facing text is a name: headings, captions, tables (opened), chart text; the appendix, which
    documents the audit's ids under "id" headers, is left out."""
    page, problems = wide
    hits: dict[str, str] = {}
    for scale in _scales(page):
        _show(page, scale)
        text = page.evaluate("""() => {
            const app = document.getElementById('appendix'); app.hidden = true;
            document.querySelectorAll('.banner').forEach(b => b.hidden = true);  // the synthetic-data warning
            const closed = Array.from(document.querySelectorAll('details:not([open])'));
            closed.forEach(d => d.open = true);
            const t = document.body.innerText;
            closed.forEach(d => d.open = false); app.hidden = false;
            document.querySelectorAll('.banner:not(#no-charts)').forEach(b => b.hidden = false); return t; }""")
        svg = page.evaluate("Array.from(document.querySelectorAll('.scale-block:not([hidden]) svg text, "
                            "main > section:not(#appendix) svg text')).map(t => t.textContent).join('\\n')")
        for line in (text + "\n" + svg).splitlines():
            for m in RAW_ID.finditer(line):
                hits.setdefault(m.group(0), f"{scale}: {line[:120]}")
    assert hits == {}
    assert problems == []


def test_text_contrast_is_at_least_4_5(wide) -> None:
    page, problems = wide
    low = []
    for scale in _scales(page)[:2]:
        _show(page, scale)
        low += [r for r in page.evaluate(CONTRAST_JS) if r["ratio"] < 4.5]
    assert low == []


def test_few_tab_stops_per_scale(wide) -> None:
    """No chart toolbars: the tab stops of a scale are the controls, the contents links and one per table."""
    page, problems = wide
    counts = {}
    for scale in _scales(page):
        _show(page, scale)
        counts[scale] = page.evaluate(FOCUSABLE_JS)
    assert max(counts.values()) <= 90, counts
    assert page.evaluate("document.querySelectorAll('.modebar').length") == 0


def test_time_to_first_chart_is_recorded(wide) -> None:
    page, problems = wide
    first = page.evaluate("window.siaFirstChartMs")
    assert first is not None and first < 30_000
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-first-chart-ms.txt").write_text(f"{first:.0f}\n")


def test_prints_every_scale_to_a4_landscape_without_clipping(chromium, report: ReportResult) -> None:
    """Printed (Chromium, A4 landscape): every scale and section, charts within the page width, a page break
    before each section, and nothing wider than the page (which would make the browser shrink every page)."""
    page, problems = _open(chromium, report, 1440, 900)
    try:
        page.emulate_media(media="print")
        page.evaluate("window.siaReport.preparePrint()")
        page.wait_for_function("document.body.dataset.printReady === '1'", timeout=180_000)
        page.set_viewport_size({"width": 1047, "height": 718})  # 277 x 190 mm: the printable A4 landscape area
        page.wait_for_timeout(300)
        n_scales = len(_scales(page))
        shown = page.evaluate("Array.from(document.querySelectorAll('.scale-block')).filter(b => "
                              "b.getClientRects().length).length")
        assert shown == n_scales  # "Print every scale" is ticked by default
        assert page.evaluate("document.documentElement.scrollWidth") <= 1048
        wide_charts = page.evaluate("""() => Array.from(document.querySelectorAll('.chart.rendered svg.main-svg'))
            .filter(s => s.getClientRects().length && s.getBoundingClientRect().right > 1048)
            .map(s => s.closest('.chart').id)""")
        assert wide_charts == []
        undrawn = page.evaluate("Array.from(document.querySelectorAll('.chart[data-fig]')).filter(d => "
                                "d.getClientRects().length && !d.querySelector('svg.main-svg')).map(d => d.id)")
        assert undrawn == []
        breaks = page.evaluate("Array.from(document.querySelectorAll('.scale-block > section')).filter(s => "
                               "s.getClientRects().length && getComputedStyle(s).breakBefore === 'page').length")
        assert breaks >= n_scales * 5
        ARTIFACTS.mkdir(exist_ok=True)
        pdf = ARTIFACTS / f"report-print-{report.kind}.pdf"  # type: ignore[attr-defined]
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 100_000
    finally:
        page.close()
    assert problems == []


def test_industry_table_sorts_by_a_column(wide) -> None:
    """The Lightcast-style industry table: a click on a column's sort button orders the rows by it."""
    page, problems = wide
    scale = _scales(page)[0]
    _show(page, scale)
    table = f'.scale-block[data-scale="{scale}"] section[data-section="industries"] table.sortable'
    if not page.locator(table).count():
        pytest.skip("no industry table at the first scale")
    heads = page.evaluate(f"Array.from(document.querySelectorAll('{table} thead th')).map(th => th.textContent)")
    col = next(i for i, h in enumerate(heads) if h.startswith("Jobs"))
    page.locator(f"{table} thead th").nth(col).locator("button").click()
    values = page.evaluate(f"Array.from(document.querySelectorAll('{table} tbody tr')).map(r => "
                           f"parseFloat(r.cells[{col}].dataset.v))")
    assert values == sorted(values) and len(values) > 10
    assert page.locator(f"{table} thead th").nth(col).get_attribute("aria-sort") == "ascending"
    page.locator(f"{table} thead th").nth(col).click()  # the heading itself sorts too: now descending
    values = page.evaluate(f"Array.from(document.querySelectorAll('{table} tbody tr')).map(r => "
                           f"parseFloat(r.cells[{col}].dataset.v))")
    assert values == sorted(values, reverse=True)
    assert problems == []
