"""``sia serve`` (the stakeholder consultation app) and ``sia consultation create|export``."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from sia.cli._console import err_console, fail

DEFAULT_DB = "sia-consultation.db"


def _fail(message: str) -> None:
    fail(message)


def register(app: typer.Typer) -> None:
    consultation = typer.Typer(help="Manage stakeholder consultations from the command line.", no_args_is_help=True)
    app.add_typer(consultation, name="consultation")

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
        port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
        database: str = typer.Option(DEFAULT_DB, help="SQLite file path or SQLAlchemy URL (postgresql://...)."),
        rate_burst: float = typer.Option(20.0, help="Token-endpoint rate limit: burst per client address."),
        rate_per_second: float = typer.Option(0.5, help="Token-endpoint rate limit: refill per second."),
        access_log: bool = typer.Option(False, help="Log every request to stdout (invitation tokens redacted)."),
    ) -> None:
        """Run the consultation web app (facilitator credential: $SIA_ADMIN_TOKEN)."""
        import uvicorn

        from sia.app.access_log import log_config
        from sia.app.db import DatabaseError
        from sia.app.web import create_app

        token = os.environ.get("SIA_ADMIN_TOKEN")
        if not token:
            import secrets

            token = secrets.token_urlsafe(24)
            err_console().print(f"SIA_ADMIN_TOKEN not set; facilitator token for this run: [bold]{token}[/bold]")
        try:
            web = create_app(database, token, rate_limit=(rate_burst, rate_per_second))
        except (DatabaseError, ValueError) as exc:
            _fail(str(exc))
            return
        except Exception as exc:  # SQLAlchemy/driver errors: one line, no traceback
            _fail(f"database {database!r}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            return
        err_console().print(f"serving on http://{host}:{port}/ (database {database})")
        # log_level=None: a level would also apply to uvicorn.access, and at "warning" it dropped every access line.
        # proxy_headers=False: uvicorn would otherwise take X-Forwarded-For from any local peer as the client;
        # the app reads it only from proxies listed in $SIA_TRUSTED_PROXIES.
        uvicorn.run(web, host=host, port=port, access_log=access_log, log_config=log_config(access_log),
                    log_level=None, proxy_headers=False)

    @consultation.command("create")
    def create(
        source: Path = typer.Argument(..., help="Themes CSV, or an audit output directory holding themes.csv."),
        title: str = typer.Option(..., help="Consultation title."),
        criteria: str = typer.Option("strength,opportunity,readiness", help="Comma-separated criteria."),
        database: str = typer.Option(DEFAULT_DB, help="SQLite file path or SQLAlchemy URL."),
    ) -> None:
        """Create a consultation from a themes CSV or an audit output directory."""
        from sia.app import service as svc
        from sia.app.db import DatabaseError, make_engine, migrate, session_factory
        from sia.app.themes import ThemesError, load_themes

        try:
            table = load_themes(source)
            data = svc.consultation_from_specs(title, table.themes, [c for c in criteria.split(",") if c.strip()])
            engine = make_engine(database)
            migrate(engine)
            with session_factory(engine).begin() as s:
                c = svc.create_consultation(s, data, table.source, "cli")
                cid = c.id
        except (ThemesError, DatabaseError, svc.AppError) as exc:
            _fail(str(exc))
            return
        typer.echo(f"created consultation {cid} with {len(table.themes)} themes")
        if table.ignored_columns:
            err_console().print(f"ignored columns: {table.ignored_columns}")

    @consultation.command("export")
    def export(
        consultation_id: int = typer.Option(..., "--consultation", help="Consultation id."),
        output: Path = typer.Option(..., "-o", "--output", help="Output file: .csv or .parquet."),
        database: str = typer.Option(DEFAULT_DB, help="SQLite file path or SQLAlchemy URL."),
        round_number: int = typer.Option(None, "--round", help="Round (default: latest round with answers)."),
        answers: bool = typer.Option(False, help="Export individual (pseudonymous) answers instead of results."),
    ) -> None:
        """Export a consultation's results (per theme x criterion) for ``sia audit``."""
        from sia.app import service as svc
        from sia.app.db import DatabaseError, make_engine, migrate, session_factory
        from sia.app.export import write_export

        try:
            engine = make_engine(database)
            migrate(engine)
            with session_factory(engine).begin() as s:
                if answers:
                    df = svc.answers_frame(s, consultation_id, round_number)
                else:
                    df = svc.results(s, consultation_id, round_number)
            if answers:
                df.to_parquet(output, index=False) if output.suffix == ".parquet" else df.to_csv(output, index=False)
            else:
                write_export(df, output)
        except (DatabaseError, svc.AppError, OSError) as exc:
            _fail(str(exc))
            return
        typer.echo(f"wrote {len(df)} rows to {output}")
