"""The ``sia`` command line.

Each command group lives in its own module of this package and exposes ``register(app)``;
this is the only place in the package that prints (through rich) besides those modules.
"""

from __future__ import annotations

import importlib
import importlib.util

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
)

for _name in COMMAND_MODULES:
    if importlib.util.find_spec(_name) is not None:
        importlib.import_module(_name).register(app)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    if version:
        from sia import __version__

        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:
    app()
