"""Static PNG/SVG images of the report's charts for board papers (kaleido + Debian chromium).

Kaleido 1.x drives a Chrome/Chromium; on this project's machines that is Debian's ``chromium``
(``/usr/bin/chromium``), found through ``$BROWSER_PATH`` (notes/stack.md s4), so nothing is
downloaded. All figures go through ONE kaleido session (``kaleido.write_fig_from_object_sync``), so
the browser starts once, not once per figure. The kaleido page gets the same empty ``world_110m``
topology stub as the HTML report (so geo maps render offline) and no MathJax (which it would
otherwise load from a CDN).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from sia.report.charts import Chart
from sia.report.maps import GEO_ASSETS_STUB

DEFAULT_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


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
    width: int = 1100,
    scale: float = 2.0,
    progress: Callable[[int, int], None] | None = None,
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
    width, scale
        Image width in CSS pixels and the PNG pixel ratio (2 = print quality).
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
        height = int(chart.figure.layout.height or 500)
        chart.table.to_csv(outdir / f"{chart.key}.csv", index=False)
        for fmt in formats:
            path = outdir / f"{chart.key}.{fmt}"
            jobs.append({"fig": chart.figure, "path": path,
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
