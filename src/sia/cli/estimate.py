"""``sia estimate``: estimates of what is not published, consistent with what is (``docs/estimates.md``)."""

from __future__ import annotations

from pathlib import Path

import typer

from sia.cli._console import console, err_console, fail

estimate_app = typer.Typer(help="Estimate what is not published, consistent with the published margins.",
                           no_args_is_help=True)


def _fail(message: str) -> None:
    fail(message)


@estimate_app.command("employment")
def employment(
    output: Path = typer.Option(..., "-o", "--output", help="Panel Parquet file to write (with low/high columns)."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Shared data folder (default: $SIA_SHARED_DATA, else ../shared/data)."),
    year: list[int] | None = typer.Option(None, "--year", help="BRES year (repeat for several; default: all)."),
    level: int = typer.Option(2, "--level", help="SIC 2007 level in digits: 2 = divisions (the level estimated)."),
    lad_vintage: str = typer.Option("2021", "--lad-vintage", help="District codes: 2021 (363 GB) or 2023 (350)."),
    draws: int = typer.Option(100, "--draws", help="Monte Carlo refits behind the 90% interval (0: none)."),
    seed: int = typer.Option(20240616, "--seed", help="Seed of the refits' random generator."),
) -> None:
    """Employment by district x SIC division x year: BRES ITL2 margins shared out by district priors (RAS)."""
    import time

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from sia.paths import find_shared_data

    if level != 2:
        _fail(f"--level {level}: only 2 (SIC 2007 divisions) is estimated; sections are sums of divisions")
    started = time.perf_counter()
    try:
        from sia.estimate import estimate_lad_employment
        from sia.estimate.inputs import BRES_ITL2_SIC5

        root = find_shared_data(data_dir, required=BRES_ITL2_SIC5)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console(),
                      transient=True) as bar:
            task = bar.add_task("starting", total=None)
            est = estimate_lad_employment(root, years=year or None, lad_vintage=lad_vintage,
                                          progress=lambda msg: bar.update(task, description=msg),
                                          n_draws=draws, seed=seed)
        _write(est, output)
    except (LookupError, ValueError, FileNotFoundError, OSError) as exc:
        text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        _fail(text.replace("\n", " "))
        return
    s = est.summary
    panel = est.panel
    out = console()
    out.print(f"{panel!r} -> {output}", markup=False)
    out.print(
        f"fit: {s.iterations} RAS sweeps ({'converged' if s.converged else 'NOT converged'}), largest ITL2 x division "
        f"margin residual {s.max_margin_residual:.2g} jobs, largest district-total residual "
        f"{s.max_total_residual:.2g} jobs; 90% interval from {s.n_draws} refits (seed {s.seed}); "
        f"{time.perf_counter() - started:.1f} s", highlight=False, soft_wrap=True)


def _write(est: object, output: Path) -> None:
    """The panel's tidy Parquet (``sia info`` / ``Panel.from_parquet`` read it) plus ``low``/``high``."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    panel = est.panel  # type: ignore[attr-defined]
    table = panel.to_arrow()
    # each row's position in the (area, activity, year) cube, from its keys
    pos = tuple(
        pd.Index(panel.data[dim].values).get_indexer(table.column(dim).to_numpy(zero_copy_only=False))
        for dim in ("area", "activity", "year")
    )
    for name in ("low", "high"):
        table = table.append_column(name, pa.array(np.asarray(getattr(est, name))[pos]))
    output.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, output)


def register(app: typer.Typer) -> None:
    """Add the ``estimate`` command group to the ``sia`` app."""
    app.add_typer(estimate_app, name="estimate")
