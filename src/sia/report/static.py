"""Static PNG/SVG images of the report's charts for board papers and slides (kaleido + Debian chromium).

Each image is sized for a 16:9 slide (1280 x 720 CSS px; PNGs at 2x, 2560 x 1440) and carries, under the
chart, its caption and its source line with the data years (:func:`slide_figure`), so an image pasted
into a paper or a deck stands on its own.

Kaleido 1.x drives a Chrome/Chromium; on this project's machines that is Debian's ``chromium``
(``/usr/bin/chromium``), found through ``$BROWSER_PATH`` (notes/stack.md s4), so nothing is
downloaded. All figures go through ONE kaleido session (``kaleido.write_fig_from_object_sync``), so
the browser starts once, not once per figure. The kaleido page gets the same empty ``world_110m``
topology stub as the HTML report (so geo maps render offline) and no MathJax (which it would
otherwise load from a CDN).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import plotly.graph_objects as go

from sia.report.charts import Chart
from sia.report.maps import GEO_ASSETS_STUB

DEFAULT_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
SLIDE = (1280, 720)
"""Image size in CSS px: a 16:9 slide."""
LINE_PX = 16
"""Height of one caption line (font 12 px)."""


def _category_lines(values: object) -> tuple[int, int]:
    """(max lines, max characters per line) of the string values of a category axis (``<br>`` breaks)."""
    texts = [re.sub(r"<(?!br>)[^>]+>", "", str(v)) for v in (values if values is not None else ())
             if isinstance(v, str)]
    if not texts:
        return 1, 0
    lines = [t.split("<br>") for t in texts]
    return max(len(x) for x in lines), max(len(line) for x in lines for line in x)


def slide_figure(chart: Chart, *, width: int = SLIDE[0], height: int = SLIDE[1]) -> go.Figure:
    """A copy of the chart's figure at slide size with its caption, notes and source line under the plot.

    Plotly cannot anchor an annotation to the figure's edge, only to the plot area, and its automatic
    margins move the plot area; so the x axes get a fixed bottom margin computed from their tick labels
    (automargin off), the caption is placed in the bottom margin below them, and it is wrapped (never cut)
    to the width left of the plot area's estimated left edge.
    """
    fig = go.Figure(chart.figure)
    title = chart.title
    if chart.data_years and not re.search(r"\b(19|20)\d\d\b", title):
        title = f"{title} ({chart.data_years})"  # an image pasted alone still says when
    fig.update_layout(title={"text": title})
    cartesian = (any(tr.type in ("scatter", "bar", "heatmap") for tr in fig.data)
                 and not any(tr.type in ("choropleth", "scattergeo", "treemap") for tr in fig.data)
                 and fig.layout.xaxis.visible is not False)
    top = 100
    if cartesian:
        x_lines, _ = max((_category_lines(tr.x) for tr in fig.data if tr.type in ("bar", "heatmap")), default=(1, 0))
        _, y_chars = max((_category_lines(tr.y) for tr in fig.data if tr.type in ("bar", "heatmap", "scatter")),
                         default=(1, 0))
        has_title = bool(fig.layout.xaxis.title.text)
        axis_b = 30 + 15 * x_lines + (24 if has_title else 0)
        left = max(80, int(y_chars * 6.8) + 60)
        fig.update_xaxes(automargin=False)
    else:
        axis_b, left = 24, int(fig.layout.margin.l or 20)
    chars = max(int((width - left - 30) / 7.2), 40)
    caption = textwrap.wrap(chart.caption, chars)
    notes = [line for n in chart.notes for line in textwrap.wrap(f"Note: {n}", chars)]
    source = textwrap.wrap(chart.source_line, int(chars * 1.1)) if chart.source_line else []
    lines = len(caption) + len(notes) + len(source)
    bottom = axis_b + lines * LINE_PX + 12
    plot_h = max(height - top - bottom, 120)
    for tr in fig.data:  # rows too tight for wrapped category labels: one line each (the margin is wide enough)
        if tr.type in ("bar", "heatmap") and tr.y is not None and len(tr.y) and isinstance(tr.y[0], str):
            n_rows = len(set(tr.y))
            if n_rows and plot_h / n_rows < 34:
                tr.y = [str(v).replace("<br>", " ") for v in tr.y]
                order = fig.layout.yaxis.categoryarray
                if order is not None:
                    fig.update_yaxes(categoryarray=[str(v).replace("<br>", " ") for v in order])
    legend = {}
    if fig.layout.legend.y is not None and fig.layout.legend.y < 0:  # a legend under the plot goes above it
        legend = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1.0, "xanchor": "right"}
    fig.update_layout(width=width, height=height, margin={"t": top, "b": bottom}, legend=legend or None,
                      title={"x": 0.012})
    text = "<br>".join(caption + [f"<span style='color:#9A4100'>{n}</span>" for n in notes]
                       + [f"<span style='font-size:11px;color:#444'>{x}</span>" for x in source])
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0.0, y=-(bottom - 6) / plot_h, xanchor="left",
                       yanchor="bottom", align="left", showarrow=False, font={"size": 12, "color": "#222"})
    return fig


class StaticExportUnavailable(RuntimeError):
    """No Chrome/Chromium (or no kaleido) to render static images with."""


def find_browser() -> str | None:
    """The browser kaleido will use: ``$BROWSER_PATH`` if it exists, else Debian chromium, else ``chromium`` on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for candidate in DEFAULT_BROWSERS:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def export_static(
    charts: Sequence[Chart],
    outdir: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg"),
    width: int = SLIDE[0],
    height: int = SLIDE[1],
    scale: float = 2.0,
    progress: Callable[[int, int], None] | None = None,
    audit_name: str | None = None,
) -> list[Path]:
    """Write each chart as ``<key>.<format>`` (and its data table as ``<key>.csv``) into ``outdir``.

    Parameters
    ----------
    charts
        The report's charts.
    outdir
        Output directory (created).
    formats
        Any of ``png``, ``svg``, ``pdf``.
    width, height, scale
        Image size in CSS pixels (default a 16:9 slide) and the PNG pixel ratio (2 = print quality).
    audit_name
        Unused by the images themselves (each chart's ``source_line`` names the audit); kept so callers
        can pass it for future file metadata.
    progress
        Optional callback ``(done, total)`` called once before and once after rendering.

    Returns
    -------
    list of Path
        The image files written.

    Raises
    ------
    StaticExportUnavailable
        When kaleido is not installed or no Chrome/Chromium is found (install Debian's ``chromium``
        or set ``BROWSER_PATH``).
    """
    try:
        import kaleido
        from kaleido._page_generator import PageGenerator
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise StaticExportUnavailable("static images need kaleido>=1.0 (pip install kaleido)") from exc
    browser = find_browser()
    if browser is None:
        raise StaticExportUnavailable(
            "static images need Chrome or Chromium: none found at $BROWSER_PATH, /usr/bin/chromium or on PATH "
            "(apt-get install chromium)"
        )
    os.environ.setdefault("BROWSER_PATH", browser)
    bad = sorted(set(formats) - {"png", "svg", "pdf"})
    if bad:
        raise ValueError(f"unsupported static format(s) {bad}: expected png, svg or pdf")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    jobs, written = [], []
    for chart in charts:
        fig = slide_figure(chart, width=width, height=height)
        chart.table.to_csv(outdir / f"{chart.key}.csv", index=False)
        for fmt in formats:
            path = outdir / f"{chart.key}.{fmt}"
            jobs.append({"fig": fig, "path": path,
                         "opts": {"format": fmt, "width": width, "height": height, "scale": scale}})
            written.append(path)
    if progress:
        progress(0, len(jobs))
    with tempfile.TemporaryDirectory(prefix="sia-kaleido-") as tmp:
        stub = Path(tmp) / "geo_stub.js"
        stub.write_text(GEO_ASSETS_STUB, encoding="utf-8")
        page = PageGenerator(mathjax=False, others=[str(stub)])
        errors = kaleido.write_fig_from_object_sync(jobs, kopts={"page_generator": page}, cancel_on_error=False)
    if errors:
        raise RuntimeError(f"kaleido failed on {len(errors)} image(s): {errors[0]!r}")
    missing = [p for p in written if not p.exists() or p.stat().st_size == 0]
    if missing:
        raise RuntimeError(f"kaleido wrote no image for {len(missing)} file(s), e.g. {missing[0]}")
    if progress:
        progress(len(jobs), len(jobs))
    return written
