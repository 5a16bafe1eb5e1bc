"""``sia compute METRIC INPUT``: run any metric of the registry on a panel and write tidy CSV.

``INPUT`` is a panel Parquet written by ``sia`` (:meth:`Panel.to_parquet`) or any file that
:func:`sia.sources.load` reads. ``--reference`` is either a file (read the same way; its total
over its areas is the reference) or the code/name of an area of the input, which then becomes
the reference **and is removed from the areas analysed** (its LQ would be 1 by construction and
it would otherwise sit inside its own reference).

Years: ``--year Y`` (repeatable) picks years, ``--all-years`` takes every year; with neither,
change metrics (growth, entry-exit, shift-share) use every year and all other metrics the
latest year.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sia.panel import Panel

err = Console(stderr=True)


class InputError(ValueError):
    """The input or reference file cannot be read as a panel."""


def load_panel(path: Path, what: str = "input") -> Panel:
    """Read ``path`` as a panel: a sia Parquet panel, else through :func:`sia.sources.load`."""
    if not path.exists():
        raise InputError(f"{what} file {path} does not exist")
    if path.suffix.lower() == ".parquet":
        try:
            return Panel.from_parquet(path)
        except ValueError as exc:
            if "not a sia panel" not in str(exc):
                raise
    try:
        from sia.sources import load  # type: ignore[attr-defined]
    except ImportError:
        raise InputError(
            f"cannot read {what} {path}: sia.sources.load is not available in this installation; "
            "give a panel Parquet written by sia"
        ) from None
    result: Any = load(path)
    return _as_panel(result, path, what)


def _as_panel(result: Any, path: Path, what: str) -> Panel:
    if isinstance(result, Panel):
        return result
    panel = getattr(result, "panel", None)
    if isinstance(panel, Panel):
        return panel
    if isinstance(result, tuple | list):
        for item in result:
            if isinstance(item, Panel):
                return item
    raise InputError(f"sia.sources.load({path}) did not return a panel for the {what}")


def _parse_params(items: list[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param {item!r}: expected key=value")
        key = key.strip()
        if key in params:
            raise InputError(f"--param {key} given twice")
        params[key] = value.strip()
    return params


def _list_metrics() -> None:
    from sia.compute.registry import load_all

    registry = load_all()
    table = Table(title="sia compute metrics", show_lines=False)
    table.add_column("metric", style="bold")
    table.add_column("family")
    table.add_column("formula")
    table.add_column("parameters")
    for name in sorted(registry):
        spec = registry[name]
        params = "; ".join(f"{k}: {v}" for k, v in spec.params.items())
        table.add_row(escape(name), escape(spec.family), escape(spec.formula), escape(params))
    Console(width=200).print(table)


def register(app: typer.Typer) -> None:
    @app.command("compute")
    def compute(
        metric: str | None = typer.Argument(None, help="Metric name (see --list)."),
        input: Path | None = typer.Argument(None, help="Panel Parquet or any file the loaders read."),
        reference: str | None = typer.Option(
            None, "--reference", "-r",
            help="Reference panel/file, or the code or name of an area of the input (then excluded from the areas).",
        ),
        year: list[int] | None = typer.Option(None, "--year", "-y", help="Year to compute (repeat for several)."),
        all_years: bool = typer.Option(False, "--all-years", help="Compute every year of the input."),
        param: list[str] | None = typer.Option(None, "--param", "-p", help="Metric parameter key=value (repeat)."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Output CSV ('-' for standard output)."),
        list_metrics: bool = typer.Option(False, "--list", help="List the metrics with their formulas and exit."),
    ) -> None:
        """Compute METRIC on INPUT and write a tidy CSV (area, activity, year, metric columns)."""
        if list_metrics:
            _list_metrics()
            return
        from sia.compute.registry import ComputeRequest, load_all

        try:
            if metric is None or input is None:
                raise InputError("give METRIC and INPUT (or --list to see the metrics)")
            if output is None:
                raise InputError("give the output CSV with -o OUT.csv ('-o -' for standard output)")
            registry = load_all()
            if metric not in registry:
                raise InputError(f"unknown metric {metric!r}; expected one of {', '.join(sorted(registry))}")
            if year and all_years:
                raise InputError("give --year or --all-years, not both")
            spec = registry[metric]
            params = _parse_params(param)
            with err.status(f"loading {input}"):
                panel = load_panel(input)
                ref_panel = None
                if reference is not None:
                    ref_path = Path(reference)
                    if ref_path.exists():
                        ref_panel = load_panel(ref_path, "reference")
                    else:
                        from sia.compute.specialisation import split_reference_area

                        panel, ref_panel = split_reference_area(panel, reference)
                        msg = f"reference: area {ref_panel.areas[0]} of the input (excluded from the areas)"
                        err.print(escape(msg), highlight=False, soft_wrap=True)
            if all_years:
                years: tuple[int, ...] | None = None
            elif year:
                years = tuple(year)
            elif spec.family == "dynamics":
                years = None
            else:
                years = (max(panel.years),)
            request = ComputeRequest(panel=panel, reference=ref_panel, years=years, params=params)
            with err.status(f"computing {metric}"):
                frame = spec.compute(request)
        except (ValueError, LookupError, OSError) as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
        for note in frame.attrs.get("notes", []):
            err.print(f"note: {escape(str(note))}", highlight=False, soft_wrap=True)
        if str(output) == "-":
            frame.to_csv(sys.stdout, index=False)
        else:
            frame.to_csv(output, index=False)
            err.print(f"wrote {len(frame)} rows of {metric} to {escape(str(output))}", highlight=False, soft_wrap=True)
