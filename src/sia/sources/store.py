"""A local DuckDB file as the embedded store of loaded sources.

Each stored panel is one DuckDB table holding its tidy long frame (the columns of
:meth:`sia.panel.Panel.to_frame`), plus one row of the catalogue table ``sia_panels`` with its
measure, unit, extra dimensions and provenance (JSON). :meth:`Store.get` rebuilds the panel
exactly (values, status, ``n_suppressed``, names, provenance).

DuckDB is used directly (not through Ibis): the store only needs create/replace/select, and
this avoids the ibis 12 + sqlglot>=30.18 ``create_table`` bug noted in ``notes/stack.md``.
DuckDB 2.0: results go to Arrow with ``to_arrow_table()`` (``.arrow()`` now returns a reader), and a
result must be fully fetched (``fetchall``, not ``fetchone``) before the connection runs the next query.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa

from sia.panel import Panel

CATALOGUE = "sia_panels"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-.]{0,62}$")


class StoreError(KeyError):
    """A panel name that is not in the store or not a valid name."""

    def __str__(self) -> str:
        return str(self.args[0])


class Store:
    """Panels persisted in one DuckDB file.

    Examples
    --------
    >>> with Store("sources.duckdb") as store:          # doctest: +SKIP
    ...     store.put("gva_lad", panel)
    ...     store.list()
    ...     again = store.get("gva_lad")
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.con = duckdb.connect(str(self.path), read_only=read_only)
        if not read_only:
            self.con.execute(
                f"CREATE TABLE IF NOT EXISTS {CATALOGUE} (name VARCHAR PRIMARY KEY, table_name VARCHAR, "
                "measure VARCHAR, unit VARCHAR, extra_dims VARCHAR, provenance VARCHAR, n_rows BIGINT, "
                "stored_at VARCHAR)"
            )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @staticmethod
    def _table(name: str) -> str:
        if not NAME.match(name):
            raise StoreError(f"invalid panel name {name!r}: expected a letter then letters, digits, _ - . (max 63)")
        return "panel_" + re.sub(r"[^A-Za-z0-9_]", "_", name)

    def put(self, name: str, panel: Panel) -> None:
        """Store (or replace) ``panel`` under ``name``."""
        table = self._table(name)
        arrow = panel.to_arrow()
        self.con.register("_sia_incoming", arrow)
        try:
            self.con.execute("BEGIN TRANSACTION")
            self.con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM _sia_incoming')
            self.con.execute(f"DELETE FROM {CATALOGUE} WHERE name = ?", [name])
            self.con.execute(
                f"INSERT INTO {CATALOGUE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [name, table, panel.measure, panel.unit, json.dumps(list(panel.extra_dims)),
                 json.dumps([p.to_dict() for p in panel.provenance]), arrow.num_rows,
                 datetime.now(UTC).isoformat(timespec="seconds")],
            )
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self.con.unregister("_sia_incoming")

    def get(self, name: str) -> Panel:
        """The panel stored under ``name``."""
        # fetchall, not fetchone: DuckDB 2.0 refuses new work while a result is unfinished
        rows = self.con.execute(
            f"SELECT table_name, measure, unit, extra_dims, provenance FROM {CATALOGUE} WHERE name = ?", [name]
        ).fetchall()
        row = rows[0] if rows else None
        if row is None:
            raise StoreError(f"no panel named {name!r} in {self.path}; it holds {self.list()}")
        table_name, measure, unit, extra_dims, provenance = row
        arrow: pa.Table = self.con.sql(f'SELECT * FROM "{table_name}"').to_arrow_table()
        meta = {b"sia": json.dumps({"measure": measure, "unit": unit, "extra_dims": json.loads(extra_dims),
                                    "provenance": json.loads(provenance)}).encode()}
        return Panel.from_arrow(arrow.replace_schema_metadata(meta))

    def list(self) -> list[str]:
        """Names of the stored panels, sorted."""
        return [r[0] for r in self.con.execute(f"SELECT name FROM {CATALOGUE} ORDER BY name").fetchall()]

    def catalogue(self) -> pa.Table:
        """The catalogue: one row per panel with measure, unit, dims, provenance JSON, row count, time."""
        return self.con.sql(f"SELECT * FROM {CATALOGUE} ORDER BY name").to_arrow_table()

    def delete(self, name: str) -> None:
        table = self._table(name)
        if name not in self.list():
            raise StoreError(f"no panel named {name!r} in {self.path}")
        self.con.execute(f'DROP TABLE IF EXISTS "{table}"')
        self.con.execute(f"DELETE FROM {CATALOGUE} WHERE name = ?", [name])
