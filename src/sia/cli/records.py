"""``sia panel``: records -> panel (``from-records``) and synthetic records (``synth``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from sia.cli._console import console, err_console, fail

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.table import Table

panel_app = typer.Typer(
    name="panel",
    help="Build area x activity x year panels from records (firms, patents, grants).",
    no_args_is_help=True,
)



def register(app: typer.Typer) -> None:
    """Add the ``panel`` command group to the ``sia`` app."""
    app.add_typer(panel_app, name="panel")


def _fail(message: str) -> None:
    fail(message)


def parse_count(text: str) -> int:
    """``"1M"`` -> 1_000_000, ``"250k"`` -> 250_000, ``"1e6"`` -> 1_000_000."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?(?:[eE][0-9]+)?)\s*([kKmMgGbB]?)\s*", text)
    if not m:
        raise ValueError(f"not a count: {text!r} (use e.g. 10000, 250k, 1M, 1e6)")
    mult = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "B": 10**9}[m.group(2).upper()]
    n = int(round(float(m.group(1)) * mult))
    if n < 1:
        raise ValueError(f"count must be positive, got {text!r}")
    return n


class _ProgressBridge:
    """Feeds ``progress(stage, fraction)`` callbacks into a rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("starting", total=1.0)

    def __call__(self, stage: str, fraction: float | None) -> None:
        if fraction is None:
            self.progress.update(self.task, description=stage, total=None)
        else:
            self.progress.update(self.task, description=stage, total=1.0, completed=min(max(fraction, 0.0), 1.0))


def _progress() -> Progress:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.percentage:>5.1f}%"), TimeElapsedColumn(), console=err_console(), transient=True)


def _report_table(report: Any) -> Table:
    from rich.table import Table

    table = Table(title="records -> panel", show_header=True, header_style="bold")
    table.add_column("", style="cyan")
    table.add_column("records", justify="right")
    table.add_column("value", justify="right")
    table.add_row("read", f"{report.records_read:,}", f"{report.value_read:,.6g}")
    table.add_row("aggregated", f"{report.records_aggregated:,}", f"{report.value_aggregated:,.6g}")
    table.add_row("  of which split (several codes)", f"{report.records_split:,}", "")
    for why, n in report.records_set_aside.items():
        if n:
            table.add_row(f"set aside: {why}", f"{n:,}", f"{report.value_set_aside[why]:,.6g}")
    if report.invalid_code_rows:
        table.add_row("invalid codes in aggregated records", f"{report.invalid_code_rows:,} codes",
                      f"{report.invalid_code_value:,.6g}")
    table.add_row("code rows (record x code)", f"{report.code_rows:,}", "")
    table.add_row("panel cells with records", f"{report.cells:,}", "")
    return table


@panel_app.command("from-records")
def from_records(
    records: list[str] = typer.Argument(..., help="Parquet/CSV files, globs ('firms/*.parquet') or directories."),
    area: str = typer.Option(..., "--area", help="Column with the area key (e.g. postcode, LAD code)."),
    activity: str = typer.Option(..., "--activity", help="Column with the activity code(s), ';'-separated or a list."),
    year: str = typer.Option(..., "--year", help="Column with the year."),
    value: str | None = typer.Option(None, "--value", help="Column to sum (instead of --count)."),
    count: bool = typer.Option(False, "--count", help="Count records instead of summing a value."),
    weights: str | None = typer.Option(None, "--weights", help="Column multiplying each record's value."),
    area_map: Path | None = typer.Option(None, "--area-map", help="CSV/Parquet lookup: area key -> area code."),
    activity_level: int | None = typer.Option(None, "--activity-level", min=1,
                                              help="Keep the first N characters of each code (SIC: 4 = class)."),
    activity_pattern: str | None = typer.Option(None, "--activity-pattern",
                                                help="Regular expression a valid code matches, e.g. '^[0-9]{5}$'."),
    multi_code: str = typer.Option("fractional", "--multi-code", help="fractional (1/k each) or full (1 each)."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default), spark or pandas."),
    memory_limit: str = typer.Option("2GB", "--memory-limit", help="DuckDB memory limit (Spark driver memory)."),
    temp_directory: Path | None = typer.Option(None, "--temp-directory", help="Where DuckDB spills."),
    spark_master: str | None = typer.Option(None, "--spark-master", help="Spark master URL (default local[*])."),
    measure: str | None = typer.Option(None, "--measure", help="Measure name (default: value column or 'records')."),
    output: Path = typer.Option(..., "-o", "--output", help="Panel Parquet file to write."),
) -> None:
    """Aggregate records into an area x activity x year panel and print what was set aside."""
    from sia.sources.records import RecordsError, records_to_panel

    if multi_code not in ("fractional", "full"):
        _fail(f"--multi-code must be 'fractional' or 'full', not {multi_code!r}")
    if engine not in ("duckdb", "spark", "pandas"):
        _fail(f"--engine must be duckdb, spark or pandas, not {engine!r}")
    if (value is None) == (not count):
        _fail("give exactly one of --value COLUMN or --count")
    try:
        with _progress() as prog:
            panel, report = records_to_panel(
                records, area=area, activity=activity, year=year, value=value, count=count, weights=weights,
                area_map=area_map, activity_level=activity_level, activity_pattern=activity_pattern,
                multi_code=multi_code,  # type: ignore[arg-type]
                engine=engine,  # type: ignore[arg-type]
                memory_limit=memory_limit, temp_directory=temp_directory, spark_master=spark_master,
                measure=measure, output=output, progress=_ProgressBridge(prog),
            )
    except (RecordsError, ValueError, FileNotFoundError) as exc:
        _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return
    console().print(_report_table(report))
    if report.unmapped_area_examples:
        console().print("unmapped area keys (most frequent): "
                      + ", ".join(f"{k} ({n:,})" for k, n in report.unmapped_area_examples), highlight=False)
    if report.invalid_code_examples:
        console().print("invalid activity codes (most frequent): "
                      + ", ".join(f"{k} ({n:,})" for k, n in report.invalid_code_examples), highlight=False)
    if report.multi_code == "fractional" and not report.reconciles():
        console().print("[yellow]warning:[/] value totals do not reconcile", highlight=False)
    sizes = " x ".join(f"{d} {n}" for d, n in panel.data["value"].sizes.items())
    console().print(f"wrote {output}: {panel.measure!r}, {sizes}, {report.files and len(report.files)} file(s), "
                  f"{report.seconds:.1f} s on {report.engine}", highlight=False)


@panel_app.command("synth")
def synth(
    kind: str = typer.Argument(..., help="firms or patents."),
    n: str = typer.Option(..., "-n", help="Number of firms or patents (e.g. 10000, 1M)."),
    out_dir: Path = typer.Option(..., "-o", "--output", help="Directory for the Parquet files (created)."),
    seed: int = typer.Option(2024, "--seed", help="Random seed (same seed, same records)."),
    clean: bool = typer.Option(False, "--clean", help="Firms only: no unknown postcodes or bad SIC text."),
    rows_per_file: str = typer.Option("10M", "--rows-per-file", help="Rows per Parquet file."),
) -> None:
    """Generate SYNTHETIC records (clearly labelled; for benchmarks and tests)."""
    from sia.sources import synthetic

    try:
        count = parse_count(n)
        per_file = parse_count(rows_per_file)
    except ValueError as exc:
        _fail(str(exc))
        return
    if kind not in ("firms", "patents"):
        _fail(f"KIND must be 'firms' or 'patents', not {kind!r}")
    with _progress() as prog:
        bridge = _ProgressBridge(prog)
        if kind == "firms":
            res = synthetic.write_firms(count, out_dir, seed=seed, dirty=not clean, rows_per_file=per_file,
                                        progress=bridge)
        else:
            res = synthetic.write_patents(count, out_dir, seed=seed, rows_per_file=per_file, progress=bridge)
    console().print(f"SYNTHETIC {kind}: {res.rows:,} rows in {len(res.files)} file(s), {res.bytes / 1e6:,.1f} MB, "
                  f"{res.seconds:.1f} s (code lists: {res.code_source})", highlight=False)
    for f in res.files[:3]:
        console().print(f"  {f}", highlight=False)
    if len(res.files) > 3:
        console().print(f"  ... {len(res.files) - 3} more", highlight=False)
    if res.area_map is not None:
        console().print(f"area map (postcode -> LAD): {res.area_map}", highlight=False)
