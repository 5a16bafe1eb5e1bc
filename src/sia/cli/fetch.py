"""``sia fetch``: rebuild evidence files from NOMIS and the ONS Open Geography Portal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sia.cli._console import console, err_console, fail
from sia.sources.ons_lookups import LOOKUPS  # a dict only: nothing is imported until a request is sent

if TYPE_CHECKING:
    from sia.sources.http_cache import HttpCache
    from sia.sources.nomis_api import NomisClient, NomisQuery

fetch_app = typer.Typer(help="Fetch live data (NOMIS, ONS Open Geography Portal) into files the loaders read.")

GEOGRAPHY_HELP = (
    "GSS codes, comma-separated (E08000025,E08000026), a NOMIS geography type (TYPE450), "
    "or a type within a parent (E12000005TYPE424)"
)
OUTPUT_HELP = "File to write (not needed with --dry-run)"


def _http(cache_dir: Path | None, offline: bool, dry_run: bool) -> HttpCache:
    from sia.sources.http_cache import HttpCache

    return HttpCache(cache_dir, offline=offline, dry_run=dry_run)


def _output(output: Path | None, dry_run: bool) -> Path | None:
    if output is None and not dry_run:
        fail("give the file to write with -o FILE (or --dry-run to print the requests without sending them)")
    return output


def _sic_options(sic_level: int | None, sic: str | None) -> dict[str, object]:
    if (sic_level is None) == (sic is None):
        fail("give one of --sic-level 1..5 or --sic CODES")
    if sic_level is not None:
        return {"sic_level": sic_level}
    return {"sic_codes": [c for c in (sic or "").split(",") if c]}


def _run(client: NomisClient, queries: list[NomisQuery], out: Path | None) -> None:
    from sia.sources.http_cache import FetchError

    stdout = console()
    try:
        if client.http.dry_run:
            result = client.fetch(queries, out)
            stdout.print("[bold]dry run[/]: these requests would be sent (first page of each query):")
            for url in result.urls:
                stdout.print(url, markup=False)
            return
        assert out is not None
        err = err_console()
        if err.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err) as bar:
                task = bar.add_task("NOMIS rows", total=None)
                result = client.fetch(
                    queries, out, progress=lambda done, total: bar.update(task, completed=done, total=total)
                )
        else:
            result = client.fetch(queries, out)
    except (FetchError, ValueError, OSError) as exc:
        fail(exc)
    stdout.print(
        f"wrote {result.rows:,} rows to {out} ({result.from_cache} of {len(result.urls)} pages from the cache); "
        f"dataset last updated {result.dataset_updated or 'unknown'}; provenance in {out.name}.provenance.json",
        markup=False,
    )


@fetch_app.command("bres")
def fetch_bres(
    geography: str = typer.Option(..., "--geography", "-g", help=GEOGRAPHY_HELP),
    years: str = typer.Option(..., "--years", help="2015-2021 or 2019,2021"),
    sic_level: int | None = typer.Option(None, "--sic-level", help="1 = section ... 5 = subclass"),
    sic: str | None = typer.Option(None, "--sic", help="SIC codes at any level, comma-separated (29,30.3,3316)"),
    measure: str = typer.Option("employment", "--measure", help="employment | employees | full-time | part-time"),
    output: Path | None = typer.Option(None, "-o", "--output", help=f"CSV in the raw NOMIS layout. {OUTPUT_HELP}"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the request URLs without sending them"),
    offline: bool = typer.Option(False, "--offline", help="Answer from the cache only; fail on a miss"),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Default: $SIA_CACHE_DIR or the user cache"),
) -> None:
    """BRES open-access employment (NOMIS NM_189_1)."""
    from sia.sources import nomis_api

    out = _output(output, dry_run)
    try:
        query = nomis_api.bres_query(
            geography=geography, years=nomis_api.parse_years(years), measure=measure, **_sic_options(sic_level, sic)
        )
    except ValueError as exc:
        fail(exc)
    _run(nomis_api.NomisClient(_http(cache_dir, offline, dry_run)), [query], out)


@fetch_app.command("ubc")
def fetch_ubc(
    geography: str = typer.Option(..., "--geography", "-g", help=GEOGRAPHY_HELP),
    years: str = typer.Option(..., "--years"),
    sic_level: int | None = typer.Option(None, "--sic-level"),
    sic: str | None = typer.Option(None, "--sic"),
    local_units: bool = typer.Option(False, "--local-units", help="Local units instead of enterprises"),
    broad_industry: bool = typer.Option(False, "--broad-industry", help="The 18 NOMIS broad industry groups"),
    output: Path | None = typer.Option(None, "-o", "--output", help=f"CSV in the raw NOMIS layout. {OUTPUT_HELP}"),
    dry_run: bool = typer.Option(False, "--dry-run"),
    offline: bool = typer.Option(False, "--offline"),
    cache_dir: Path | None = typer.Option(None, "--cache-dir"),
) -> None:
    """UK Business Counts by employment size band (NOMIS NM_142_1 enterprises / NM_141_1 local units)."""
    from sia.sources import nomis_api

    out = _output(output, dry_run)
    try:
        sic_sel = {} if broad_industry and sic_level is None and sic is None else _sic_options(sic_level, sic)
        query = nomis_api.ubc_query(
            geography=geography,
            years=nomis_api.parse_years(years),
            local_units=local_units,
            broad_industry=broad_industry,
            **sic_sel,
        )
    except ValueError as exc:
        fail(exc)
    _run(nomis_api.NomisClient(_http(cache_dir, offline, dry_run)), [query], out)


@fetch_app.command("geography")
def fetch_geography(
    lookup: str = typer.Argument(..., help=f"One of {', '.join(LOOKUPS)} or a feature service name"),
    output: Path | None = typer.Option(None, "-o", "--output", help=f"CSV of the lookup. {OUTPUT_HELP}"),
    dry_run: bool = typer.Option(False, "--dry-run"),
    offline: bool = typer.Option(False, "--offline"),
    cache_dir: Path | None = typer.Option(None, "--cache-dir"),
) -> None:
    """A lookup table from the ONS Open Geography Portal (e.g. LAD -> LEP, LAD -> combined authority)."""
    from sia.sources import ons_geography
    from sia.sources.http_cache import FetchError

    out = _output(output, dry_run)
    http = _http(cache_dir, offline, dry_run)
    try:
        result = ons_geography.fetch_lookup(http, lookup, out)
    except (FetchError, ValueError, OSError) as exc:
        fail(exc)
    stdout = console()
    if dry_run:
        for url in result.urls:
            stdout.print(url, markup=False)
        return
    stdout.print(f"wrote {result.rows:,} rows of {result.service} to {output}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(fetch_app, name="fetch")
