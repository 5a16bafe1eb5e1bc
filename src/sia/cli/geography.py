"""``sia geography``: inspect the built-in UK geography (areas, memberships, overlaps)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sia.cli._console import console, fail

if TYPE_CHECKING:
    from sia.geography import Geography

geography_app = typer.Typer(help="Inspect the built-in UK geography: areas, memberships, overlaps.",
                            no_args_is_help=True)

LEP_VINTAGE = typer.Option("2020", "--lep-vintage",
                           help="LEP vintage: 2016, 2017 (April 2017 codes), 2020 or 2021 (May 2021 boundaries); "
                                "every vintage keeps the seven West Midlands districts that sit in two LEPs.")
CAUTH_VINTAGE = typer.Option("2024", "--cauth-vintage", help="Combined authority vintage: 2023, 2024 or 2025.")
LAD_VINTAGE = typer.Option("2023", "--lad-vintage", help="LAD code vintage: 2023 or 2021.")


def _fail(message: str) -> None:
    fail(message)


def _build(lep_vintage: str, cauth_vintage: str, lad_vintage: str) -> Geography:
    from sia.geography import uk

    try:
        return uk(lep_vintage=lep_vintage, cauth_vintage=cauth_vintage, lad_vintage=lad_vintage)
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc))
        raise AssertionError("unreachable") from exc


@geography_app.command("show")
def show(
    area: str = typer.Argument(..., help="Area code, name or alias (e.g. TLG, UKG1, 'Birmingham', MIDLANDS_ENGINE)."),
    level: str | None = typer.Option(None, "--level", "-l", help="Restrict the lookup to this level."),
    lep_vintage: str = LEP_VINTAGE,
    cauth_vintage: str = CAUTH_VINTAGE,
    lad_vintage: str = LAD_VINTAGE,
) -> None:
    """Show an area: code, name, level, vintage, parents and its LADs."""
    from rich.table import Table

    from sia.geography import AmbiguousAreaError, GeographyError, UnknownAreaError

    g = _build(lep_vintage, cauth_vintage, lad_vintage)
    try:
        a = g.area(area, level)
    except (UnknownAreaError, AmbiguousAreaError, GeographyError) as exc:
        _fail(str(exc))
        return
    out = console()
    head = Table(title=f"{a.name} ({a.code})", show_header=False)
    head.add_column("field", style="bold")
    head.add_column("value")
    head.add_row("code", a.code)
    head.add_row("name", a.name)
    head.add_row("level", a.level)
    head.add_row("vintage", a.vintage or "-")
    parents = g.parent_weights(a.code)
    head.add_row(
        "parents",
        "\n".join(f"{p} {g.area(p).name} ({g.area(p).level}){'' if w == 1 else f' weight {w:g}'}"
                  for p, w in parents.items()) or "-",
    )
    children = g.children(a.code)
    if a.level != "LAD":
        head.add_row("members", "\n".join(f"{c} {g.area(c).name} ({g.area(c).level})" for c in children) or "-")
    lads = g.members(a.code, "LAD") if a.level != "LAD" else (a.code,)
    head.add_row("number of LADs", str(len(lads)))
    out.print(head)
    if a.level != "LAD":
        table = Table(title=f"LADs in {a.name}")
        table.add_column("LAD code")
        table.add_column("LAD name")
        table.add_column("via (direct parents)")
        for c in lads:
            table.add_row(c, g.area(c).name, ", ".join(g.parents(c)))
        out.print(table)


@geography_app.command("overlaps")
def overlaps(
    level: str | None = typer.Option(None, "--level", "-l", help="Only overlaps involving this level (e.g. LEP)."),
    lep_vintage: str = LEP_VINTAGE,
    cauth_vintage: str = CAUTH_VINTAGE,
    lad_vintage: str = LAD_VINTAGE,
) -> None:
    """List areas with more than one parent at the same level (e.g. districts in two LEPs)."""
    from rich.markup import escape
    from rich.table import Table

    from sia.geography import GeographyError

    g = _build(lep_vintage, cauth_vintage, lad_vintage)
    try:
        df = g.overlaps(level)
    except GeographyError as exc:
        _fail(str(exc))
        return
    out = console()
    title = f"Overlaps{f' at level {level}' if level else ''} (LEP vintage {lep_vintage}): {len(df)}"
    table = Table(title=title)
    for col in ("code", "name", "level", "parent level", "parents", "parent names", "n"):
        table.add_column(col)
    for r in df.itertuples(index=False):
        table.add_row(r.child_code, r.child_name, r.child_level, r.parent_level, r.parent_codes,
                      r.parent_names, str(r.n_parents))
    out.print(table)
    for note in g.notes:
        out.print(f"[yellow]note:[/yellow] {escape(note)}")


def register(app: typer.Typer) -> None:
    """Add the ``geography`` command group to the ``sia`` app."""
    app.add_typer(geography_app, name="geography")
