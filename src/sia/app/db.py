"""Database engine, SQLite durability settings and programmatic Alembic migrations.

SQLite (the default, an embedded file) is opened in WAL mode with ``synchronous=FULL``: a transaction is
durable on disk when ``COMMIT`` returns, so every submission the server acknowledged survives a SIGKILL
(and a power cut) of the server. Write transactions start with ``BEGIN IMMEDIATE`` so that concurrent
request threads queue on SQLite's busy timeout instead of failing with ``database is locked`` when a read
lock would otherwise have to be upgraded. PostgreSQL is used through ``psycopg`` (``postgresql+psycopg://``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
T = TypeVar("T")


class DatabaseError(RuntimeError):
    """The database URL is unusable or the schema could not be migrated."""


def normalise_url(database: str) -> str:
    """Turn a bare file path into an SQLite URL and ``postgresql://`` into the psycopg 3 driver.

    Examples
    --------
    >>> normalise_url("consult.db")
    'sqlite:///consult.db'
    >>> normalise_url("postgresql://u@/db?host=/tmp")
    'postgresql+psycopg://u@/db?host=/tmp'
    """
    if "://" not in database:
        return f"sqlite:///{database}"
    if database.startswith("postgresql://") or database.startswith("postgres://"):
        return "postgresql+psycopg://" + database.split("://", 1)[1]
    return database


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create the engine; for SQLite set WAL, synchronous=FULL, foreign keys, busy timeout, BEGIN IMMEDIATE."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            parent = Path(url.database).expanduser().resolve().parent
            if not parent.is_dir():
                raise DatabaseError(f"database {database_url!r}: directory {parent} does not exist")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN itself
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)
    raise DatabaseError(f"database {database_url!r}: only sqlite and postgresql URLs are supported")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` with the Alembic scripts shipped in ``sia/app/migrations``.

    An existing database is upgraded in place; a new one is created. Safe to call at every start-up.
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class Database:
    """The app's database: one short transaction per unit of work, committed before the response is sent.

    A request opens its transaction only once its caller is known and its body has been read and validated,
    and holds it only while the work runs; so a slow or oversized upload never holds a database lock. SQLite
    has one writer at a time: a process-wide lock queues the request threads here instead of in SQLite's
    sleeping busy handler (which made the latency tail seconds long under load). PostgreSQL needs no lock.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self._lock: Any = threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside a transaction, committed when the block ends (rolled back on an exception)."""
        with self._lock, self.sessions.begin() as s:
            yield s

    def run(self, fn: Callable[[Session], T]) -> T:
        """``fn(session)`` in one transaction."""
        with self.transaction() as s:
            return fn(s)
