"""The consoles every ``sia`` command prints through, and the one-line error exit.

``soft_wrap=True``: rich never inserts line breaks into printed text, so that a message written to
a pipe or a file (or read by a test) is one line however long the path and whatever ``COLUMNS``
says; a terminal still folds long lines for display. Tables are laid out to the console width as
usual. ``highlight=False``: no colouring of numbers and paths inside messages.

The consoles are made when first used, not at import, so that ``COLUMNS`` and the streams are
those of the run (``typer.testing.CliRunner`` swaps the streams).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from rich.console import Console


def console() -> Console:
    """A console on standard output."""
    from rich.console import Console

    return Console(soft_wrap=True, highlight=False)


def err_console() -> Console:
    """A console on standard error (errors, notes, progress)."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, highlight=False)


def one_line(message: object) -> str:
    """``message`` as one line: newlines of a multi-line library message become spaces."""
    return " ".join(str(message).split())


def fail(message: object, *, code: int = 2) -> NoReturn:
    """Print ``error: MESSAGE`` on one line of standard error and exit with ``code``."""
    import typer
    from rich.markup import escape

    err_console().print(f"[bold red]error:[/] {escape(one_line(message))}")
    raise typer.Exit(code=code)


def note(message: object) -> None:
    """Print ``note: MESSAGE`` on one line of standard error."""
    from rich.markup import escape

    err_console().print(f"[yellow]note:[/] {escape(one_line(message))}")
