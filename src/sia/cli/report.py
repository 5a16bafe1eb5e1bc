"""``sia report OUTDIR -o report.html [--xlsx report.xlsx] [--static DIR] [--boundaries DIR]``.

Turns the output directory of ``sia audit`` into one self-contained HTML report (opens from a USB
stick with no network), optionally an Excel workbook and PNG/SVG images of every chart.
``run_report`` is also what ``sia audit ... --report`` calls.
"""

from __future__ import annotations

from pathlib import Path

import typer

from sia.cli._console import console, err_console, fail, note


def _parse_geojson(values: list[str]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for value in values:
        level, sep, path = value.partition("=")
        if not sep or not level or not path:
            raise typer.BadParameter(f"--geojson {value!r}: expected LEVEL=PATH, e.g. LAD=my_lads.geojson")
        files[level.strip().upper()] = Path(path)
    return files


def run_report(
    outdir: Path,
    output: Path,
    *,
    xlsx: Path | None = None,
    static: Path | None = None,
    boundaries: Path | None = None,
    geojson: dict[str, Path] | None = None,
    title: str | None = None,
) -> None:
    """Build the report and print what was written; exit 2 with a one-line message on bad input."""
    from sia.report import BoundaryError, ReportInputError, build_report

    err = err_console()
    try:
        if err.is_terminal:
            with err.status("building the report") as status:
                result = build_report(
                    outdir, output, xlsx_path=xlsx, static_dir=static, boundaries_dir=boundaries,
                    boundary_files=geojson, title=title, progress=lambda msg: status.update(msg),
                )
        else:
            result = build_report(outdir, output, xlsx_path=xlsx, static_dir=static, boundaries_dir=boundaries,
                                  boundary_files=geojson, title=title)
    except (ReportInputError, BoundaryError, FileNotFoundError) as exc:
        fail(exc)
    out = console()
    out.print(f"report: {result.html_path} ({result.html_bytes / 1e6:.1f} MB, {len(result.charts)} charts, "
              f"{result.n_maps} maps)", markup=False)
    if result.xlsx_path is not None:
        out.print(f"workbook: {result.xlsx_path}", markup=False)
    if static is not None:
        out.print(f"static images: {len(result.static_files)} in {static}", markup=False)
    for text in result.notes:
        note(text)


def register(app: typer.Typer) -> None:
    """Add ``sia report`` to ``app``."""

    @app.command("report")
    def report(
        outdir: Path = typer.Argument(..., help="Output directory of `sia audit` (see docs/audit-output.md)."),
        output: Path = typer.Option(..., "-o", "--output", help="HTML file to write (self-contained, offline)."),
        xlsx: Path | None = typer.Option(None, "--xlsx", help="Also write an Excel workbook of every table."),
        static: Path | None = typer.Option(
            None, "--static", help="Also write PNG and SVG images of every chart here (needs Chromium)."),
        boundaries: Path | None = typer.Option(
            None, "--boundaries", help="Directory of boundary GeoJSON files (e.g. ../shared/data/boundaries); "
                                       "maps are skipped without it."),
        geojson: list[str] = typer.Option(
            [], "--geojson", help="Your own boundaries for one map level, LEVEL=PATH (repeatable), e.g. LAD=x.geojson"),
        title: str | None = typer.Option(None, "--title", help="Report title (default: the config's title)."),
    ) -> None:
        """Render an audit output directory as an offline HTML report (+ workbook, + static images)."""
        run_report(outdir, output, xlsx=xlsx, static=static, boundaries=boundaries, geojson=_parse_geojson(geojson),
                   title=title)
