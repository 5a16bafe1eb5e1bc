"""Alembic environment for the consultation schema.

Run programmatically by :func:`sia.app.db.migrate`, which passes an open connection in
``config.attributes["connection"]``. For ``alembic revision --autogenerate`` during development, set
``sqlalchemy.url`` on the command line (``alembic -x url=sqlite:///dev.db ...``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from sia.app.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not used
    raise SystemExit("offline migrations are not supported; pass a database URL")
run_migrations_online()
