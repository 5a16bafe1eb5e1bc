"""``sia audit``: run a Science and Innovation Audit from a config file."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sia.cli._console import console as make_console

if TYPE_CHECKING:
    from rich.console import Console


def audit(
    config: Path = typer.Argument(..., exists=False, help="Audit config (TOML), e.g. examples/midlands-engine.toml"),
    output: Path = typer.Option(..., "-o", "--output", help="Output directory for the audit tables"),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data root for the evidence paths (default: $SIA_SHARED_DATA, else ../shared/data)"
    ),
    report: bool = typer.Option(False, "--report", help="Also build OUTDIR/report.html and OUTDIR/report.xlsx"),
    quiet: bool = typer.Option(False, "--quiet", help="Do not print the framework tables"),
) -> None:
    """Run the audit: evidence, scores, stability, framework and complementarity, written to OUTDIR."""
    from rich.markup import escape
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from sia.audit.config import ConfigError, find_data_root, load_config
    from sia.audit.engine import run_audit, write_outputs

    console = make_console()
    started = time.perf_counter()
    try:
        cfg = load_config(config)
        root = find_data_root(data_dir, config)
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
        ) as bar:
            task = bar.add_task("starting", total=None)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = run_audit(cfg, data_root=root, progress=lambda msg: bar.update(task, description=msg))
        write_outputs(result, output)
    except ConfigError as exc:
        console.print(f"[red]config error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    except (LookupError, ValueError, FileNotFoundError) as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    for n in result.manifest.get("notes", []):
        console.print(f"[yellow]note:[/] {escape(str(n))}")
    for w in {str(w.message) for w in caught}:
        console.print(f"[yellow]note:[/] {escape(w)}")
    if not quiet:
        _print_framework(result, console)
    console.print(f"audit written to {output} in {time.perf_counter() - started:.1f} s (data root {root})")
    if report:
        _build_report(output, root)


def _print_framework(result: object, console: Console) -> None:
    from rich.table import Table

    tables = result.tables  # type: ignore[attr-defined]
    fw = tables["framework"].merge(tables["ranking"], on=["scale", "theme"])
    fw = fw.merge(tables["stability"][["scale", "theme", "p_top_k", "k"]], on=["scale", "theme"])
    names = dict(zip(tables["themes"]["theme"], tables["themes"]["name"], strict=True))
    for scale in tables["scales"].itertuples():
        sub = fw[(fw["scale"] == scale.scale) & (fw["role"] != "")].sort_values(["role", "role_rank"])
        t = Table(title=f"{scale.name} ({scale.area})", title_justify="left")
        for col in ("role", "theme", "rank", "P(top k)", "verdict", "evidence"):
            t.add_column(col)
        for r in sub.itertuples():
            evidence = str(r.reasons).split("; ")[1] if "; " in str(r.reasons) else ""
            t.add_row(f"{r.role} {r.role_rank}", names.get(r.theme, r.theme), str(r.rank), f"{r.p_top_k:.2f}",
                      r.verdict or "-", evidence)
        if sub.empty:
            t.add_row("(none)", "no theme qualifies at this scale", "", "", "", "")
        console.print(t)


def _build_report(outdir: Path, data_root: Path) -> None:
    """``--report``: the HTML report and workbook, with maps from the data root's boundaries if present."""
    from sia.cli.report import run_report

    boundaries = data_root / "boundaries"
    run_report(outdir, outdir / "report.html", xlsx=outdir / "report.xlsx",
               boundaries=boundaries if boundaries.is_dir() else None)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
