"""``sia load``, ``sia info``, ``sia aggregate``: sources -> panels -> tidy aggregates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from sia.cli._console import console, err_console, fail

if TYPE_CHECKING:
    from sia.panel import Panel


def _fail(message: str) -> None:
    fail(message)


def _known_errors() -> tuple[type[BaseException], ...]:
    from sia.sources.errors import LoadError
    from sia.sources.store import StoreError

    # OSError: a file that cannot be read or written (a directory as output, no permission)
    errors: list[type[BaseException]] = [LoadError, StoreError, OSError, ValueError, KeyError]
    try:
        from sia.geography import AmbiguousAreaError, GeographyError, UnknownAreaError

        errors += [UnknownAreaError, AmbiguousAreaError, GeographyError]
    except ImportError:  # pragma: no cover
        pass
    try:
        from sia.classification import ClassificationError

        errors.append(ClassificationError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def _guard(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except _known_errors() as exc:
        text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        _fail(text)


@contextmanager
def _progress(description: str) -> Iterator[None]:
    err = err_console()
    if not err.is_terminal:  # a spinner in a pipe or a log file is noise (a blank line at the end)
        yield
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        progress.add_task(description, total=None)
        yield


def _load_any(path: Path, fmt: str | None, measure: str | None, quarantine: Path | None,
              options: dict[str, Any]) -> Panel:
    from sia.sources import load

    with _progress(f"loading {path.name}"):
        return load(path, format=fmt, measure=measure, quarantine=quarantine, **options)


def _options(level: str | None, year: int | None, mapping: str | None) -> dict[str, Any]:
    """Loader options from the command line (``--mapping FILE`` for ``--format table``)."""
    out: dict[str, Any] = {}
    if level:
        out["level"] = level
    if year is not None:
        out["year"] = year
    if mapping:
        out["mapping"] = mapping
    return out


def _print_counts(panel: Panel) -> None:
    from rich.table import Table

    table = Table(title="rows", show_header=True)
    for col in ("source", "read", "loaded", "set aside", "excluded", "quarantine"):
        table.add_column(col)
    for p in panel.provenance:
        excluded = [n for n in p.notes if "excluded" in n]
        table.add_row(Path(p.source).name, str(p.rows_read), str(p.rows_loaded), str(p.rows_set_aside),
                      "; ".join(excluded) or "0", p.quarantine or "-")
    out = console()
    out.print(table)
    st = Table(title="cell status", show_header=True)
    st.add_column("status")
    st.add_column("cells", justify="right")
    for label, n in panel.status_counts().items():
        st.add_row(label, f"{n:,}")
    out.print(st)


FORMAT_HELP = "panel, gva, nomis, ubc, trade, cbp, tidy or table (default: sniffed from the header)."
MAPPING_HELP = "--format table: JSON/TOML file mapping the area, activity, year and value columns."


def register(app: typer.Typer) -> None:
    @app.command("load")
    def load_cmd(
        source: Path = typer.Argument(..., help="Source file (CSV, CSV.gz, Parquet, XLSX)."),
        output: Path = typer.Option(..., "-o", "--output", help="Panel Parquet file to write."),
        fmt: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        measure: str | None = typer.Option(None, "--measure", "-m", help="Measure to load (e.g. current)."),
        quarantine: Path | None = typer.Option(None, "--quarantine", help="CSV that receives rows set aside."),
        level: str | None = typer.Option(None, "--level", help="ITL GVA file: ITL1, ITL2, ITL3 or country."),
        year: int | None = typer.Option(None, "--year", help="Trade/CBP: reference year."),
        mapping: str | None = typer.Option(None, "--mapping", help=MAPPING_HELP),
        store: Path | None = typer.Option(None, "--store", help="Also put the panel in this DuckDB store."),
        name: str | None = typer.Option(None, "--name", help="Name in the store (default: output stem)."),
    ) -> None:
        """Load a source into a panel (Parquet) and report rows read / loaded / set aside."""
        panel = _guard(lambda: _load_any(source, fmt, measure, quarantine, _options(level, year, mapping)))
        _guard(lambda: panel.to_parquet(output))
        if store is not None:
            from sia.sources.store import Store

            def put() -> None:
                with Store(store) as s:
                    s.put(name or output.stem, panel)

            _guard(put)
        console().print(f"{panel!r} -> {output}", markup=False)
        _print_counts(panel)

    @app.command("info")
    def info_cmd(panel_path: Path = typer.Argument(..., help="Panel Parquet file written by `sia load`.")) -> None:
        """Dimensions, years, status counts and provenance of a panel."""
        from rich.markup import escape
        from rich.table import Table

        panel = _guard(lambda: _load_any(panel_path, "panel", None, None, {}))
        out = console()
        dims = Table(title=escape(f"{panel.measure} [{panel.unit}]"))
        dims.add_column("dimension")
        dims.add_column("size", justify="right")
        dims.add_column("labels")
        for d, n in panel.data["value"].sizes.items():
            labels = [str(v) for v in panel.data[d].values]
            shown = ", ".join(labels[:8]) + (f", ... ({n - 8} more)" if n > 8 else "")
            dims.add_row(str(d), str(n), escape(shown))
        out.print(dims)
        years = panel.years
        out.print(f"years: {min(years)}-{max(years)} ({len(years)})" if years else "years: none")
        st = Table(title="cell status")
        st.add_column("status")
        st.add_column("cells", justify="right")
        for label, n in panel.status_counts().items():
            st.add_row(label, f"{n:,}")
        out.print(st)
        for p in panel.provenance:
            pt = Table(title="provenance", show_header=False)
            pt.add_column("field")
            pt.add_column("value", overflow="fold")
            for k, v in p.to_dict().items():
                pt.add_row(k, escape("; ".join(v) if isinstance(v, list) else str(v)))
            out.print(pt)

    @app.command("aggregate")
    def aggregate_cmd(
        source: Path = typer.Argument(..., help="Panel Parquet or a source file (loaded on the fly)."),
        geography: str = typer.Option(..., "-g", "--geography", help="'uk' (built-in) or a lookup CSV."),
        level: str = typer.Option(..., "-l", "--level", help="Target level, e.g. LEP, ITL1, CAUTH."),
        output: Path = typer.Option(..., "-o", "--output", help="Tidy CSV to write."),
        measure: str | None = typer.Option(None, "--measure", "-m", help="Measure to load (source files)."),
        year: list[int] | None = typer.Option(None, "--year", "-y", help="Keep these years (repeatable)."),
        lep_vintage: str | None = typer.Option(None, "--lep-vintage", help="Built-in geography LEP vintage."),
        lad_vintage: str | None = typer.Option(
            None, "--lad-vintage",
            help="Built-in geography LAD vintage (2023 or 2021; default: the one that holds every input area)."),
        fmt: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        mapping: str | None = typer.Option(None, "--mapping", help=MAPPING_HELP),
        source_level: str | None = typer.Option(None, "--source-level",
                                                help="Level of the input areas (default: from the panel)."),
        child: str = typer.Option("child", "--child-col", help="Lookup CSV: child code column."),
        parent: str = typer.Option("parent", "--parent-col", help="Lookup CSV: parent code column."),
        parent_name: str | None = typer.Option(None, "--parent-name-col", help="Lookup CSV: parent name column."),
        weight: str | None = typer.Option(None, "--weight-col", help="Lookup CSV: weight column."),
    ) -> None:
        """Aggregate a panel's areas to LEVEL and write a tidy CSV (which `sia compute` and `sia load` read back)."""
        def run() -> Panel:
            panel = _load_any(source, fmt, measure, None, _options(None, None, mapping))
            if year:
                missing = sorted(set(year) - set(panel.years))
                if missing:
                    raise ValueError(f"year(s) {missing} not in {source}; it has {list(panel.years)}")
                panel = panel.sel(year=list(year))
            src_level = source_level or _panel_level(panel)
            geo = _geography(geography, lep_vintage, lad_vintage, panel, src_level, level, child, parent,
                             parent_name, weight)
            with _progress(f"aggregating {len(panel.areas)} areas to {level}"):
                from sia.panel import aggregate_areas

                out = aggregate_areas(panel, geo, src_level, level)
            return out

        result = _guard(run)
        frame = result.to_frame()
        _guard(lambda: frame.to_csv(output, index=False))
        out = console()
        out.print(f"{result!r} -> {output} ({len(frame):,} rows)", markup=False)
        counts = result.status_counts()
        out.print("status: " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v))


def _panel_level(panel: Panel) -> str:
    if "area_level" not in panel.data.coords:
        raise ValueError("the panel's areas have no level; pass --source-level")
    levels = sorted({str(v) for v in panel.data["area_level"].values})
    if len(levels) != 1:
        raise ValueError(f"the panel mixes area levels {levels}; select one level or pass --source-level")
    return levels[0]


def _geography(spec: str, lep_vintage: str | None, lad_vintage: str | None, panel: Panel, source_level: str,
               level: str, child: str, parent: str, parent_name: str | None, weight: str | None) -> Any:
    from sia.geography import Geography

    if spec.lower() == "uk":
        from sia.geography import uk

        kwargs: dict[str, str] = {"lep_vintage": lep_vintage} if lep_vintage else {}
        if lad_vintage:
            return uk(lad_vintage=lad_vintage, **kwargs)
        # the LAD vintage that holds every area of the panel: 2023 (ONS GVA) first, then 2021 (NOMIS UBC)
        areas = set(panel.areas)
        for vintage in ("2023", "2021"):
            geo = uk(lad_vintage=vintage, **kwargs)
            if source_level not in geo.levels() or areas <= {a.code for a in geo.areas(source_level)}:
                return geo
        return geo  # the membership call names the areas it does not know
    path = Path(spec)
    if not path.exists():
        raise FileNotFoundError(f"geography {spec!r} is neither 'uk' nor an existing lookup CSV")
    if lep_vintage or lad_vintage:
        raise ValueError("--lep-vintage and --lad-vintage apply to the built-in geography ('-g uk') only")
    return Geography.from_lookup_csv(path, child, parent, parent_name=parent_name, parent_level=level,
                                     weight=weight)
