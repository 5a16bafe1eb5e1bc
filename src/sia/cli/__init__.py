"""The ``sia`` command line.

Each command group lives in its own module of this package and exposes ``register(app)``;
this is the only place in the package that prints (through rich) besides those modules.

Start-up: importing this package imports typer and rich and nothing heavy (no numpy, pandas,
scipy, pyarrow, httpx...): each command module imports what a command needs inside the command,
so that ``sia --help`` and ``sia --version`` cost about a tenth of a second and a command pays only
for its own libraries (``python -X importtime -c "import sia.cli"`` shows the list).
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="sia",
    help="Science and Innovation Audit engine: regional evidence for Smart Specialisation.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

COMMAND_MODULES = (
    "sia.cli.data",        # load, info, aggregate
    "sia.cli.geography",   # geography show / overlaps
    "sia.cli.compute",     # compute METRIC
    "sia.cli.io",          # io ...
    "sia.cli.records",     # panel from-records
    "sia.cli.serve",       # serve (consultation app)
    "sia.cli.fetch",       # fetch (live NOMIS / ONS)
    "sia.cli.audit",       # audit
    "sia.cli.report",      # report
    "sia.cli.estimate",    # estimate employment
)

for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as _exc:  # a command group not in this installation (not one of its imports)
        if _exc.name != _name:
            raise
        continue
    _module.register(app)


def _print_version(value: bool) -> None:
    # eager: runs while the options are parsed, before click asks for a command ("Missing command.")
    if value:
        from sia import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Print the version and exit.",
                                       callback=_print_version, is_eager=True, expose_value=False)) -> None:
    """Science and Innovation Audit engine: regional evidence for Smart Specialisation."""


def main() -> None:
    app()
