"""Loaders: files on disk -> :class:`~sia.panel.Panel` with provenance, validated row by row.

:func:`load` picks the loader from ``format`` or, by default, from the file's layout (its
header). Every loader turns published markers of suppressed cells into status, stops at the
first bad row with a :class:`~sia.sources.errors.LoadError` naming file, line, column, value
and expectation, or with ``quarantine=PATH`` writes the bad rows there and records the counts
(read = loaded + set aside + excluded) in the panel's provenance.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sia.panel import Panel
    from sia.sources.errors import MARKERS, LoadError, LoadReport

__all__ = ["FORMATS", "MARKERS", "LoadError", "LoadReport", "load", "sniff_format"]

FORMATS = ("panel", "gva", "nomis", "ubc", "trade", "cbp", "tidy", "table")

#: what the message for an unknown layout tells the user to do (the command-line spelling: the
#: message reaches people through ``sia load``, ``sia compute``, ``sia aggregate`` and ``sia audit``)
MAPPING_HINT = ("for another table give a column mapping: --format table --mapping FILE "
                "(a JSON or TOML file naming the area, activity, year and value columns)")
KNOWN_LAYOUTS = ("a known layout (NOMIS, UK Business Counts, ONS GVA, trade, CBP, or a tidy table with columns "
                 "area, activity, year, value)")


def __getattr__(name: str) -> Any:
    # the package imports nothing heavy until a loader is used (``sia --help`` imports sia.sources.nomis_api)
    if name in ("MARKERS", "LoadError", "LoadReport"):
        from sia.sources import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'sia.sources' has no attribute {name!r}")


def _parquet_names(path: Path) -> tuple[list[str], dict[bytes, bytes]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sia.sources.errors import LoadError

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise LoadError(path, 0, "", f"an unreadable Parquet file ({detail})", "a Parquet file") from None
    return list(schema.names), dict(schema.metadata or {})


def sniff_format(path: str | Path) -> str:
    """Name of the loader for ``path``, from its metadata or header."""
    from sia.sources import cbp, files, nomis, ons_gva, trade, ubc
    from sia.sources._common import check_file, check_unique_columns, csv_header
    from sia.sources.errors import LoadError

    path = check_file(path)
    if path.suffix.lower() == ".parquet":
        names, metadata = _parquet_names(path)
        check_unique_columns(path, names)
        if b"sia" in metadata:
            return "panel"
        if ons_gva.is_gva_layout(names):
            return "gva"
        if files.is_tidy_layout(names):
            return "tidy"
        raise LoadError(path, 1, "", names, f"a sia panel, the ONS regional GVA layout or a tidy table with "
                        f"columns area, activity, year, value; {MAPPING_HINT}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "table"
    header = csv_header(path)
    if ubc.is_ubc_layout(header):
        return "ubc"
    if nomis.sniff_layout(header) is not None:
        return "nomis"
    if trade.sniff_layout(header) is not None:
        return "trade"
    if cbp.is_cbp_layout(header):
        return "cbp"
    if ons_gva.is_gva_layout(header):
        return "gva"
    if files.is_tidy_layout(header):
        return "tidy"
    raise LoadError(path, 1, "", header, f"{KNOWN_LAYOUTS}; {MAPPING_HINT}")


def _mapping(value: Any) -> Any:
    """A column mapping given as a dict, JSON text, or the path of a JSON/TOML file."""
    import tomllib

    if isinstance(value, str | Path) and (Path(value).suffix.lower() in (".json", ".toml") or Path(value).exists()):
        p = Path(value)
        if not p.is_file():
            raise FileNotFoundError(f"mapping file {p} does not exist")
        try:
            return tomllib.loads(p.read_text()) if p.suffix.lower() == ".toml" else json.loads(p.read_text())
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"mapping file {p}: not valid {p.suffix.lstrip('.').upper()} ({exc})") from None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"mapping {value!r}: neither a JSON/TOML file nor JSON text ({exc})") from None
    return value


def load(path: str | Path, *, format: str | None = None, measure: str | None = None,
         quarantine: str | Path | None = None, **options: Any) -> Panel:
    """Load ``path`` into a panel.

    Parameters
    ----------
    format
        One of :data:`FORMATS`; default: sniffed (:func:`sniff_format`). ``tidy`` is the panel's own
        CSV (``area, activity, year, value`` and optionally ``measure``, ``status``, names, levels,
        ``n_suppressed`` and extra dimensions: what ``sia aggregate -o OUT.csv`` writes).
    measure
        Measure to load (GVA: ``current``/``constant``/...; CBP: ``EMP``/``ESTAB``; NOMIS API:
        the ``MEASURES_NAME``) or the measure name given to the panel.
    quarantine
        CSV for rows that fail validation (else the first one raises :class:`LoadError`).
    options
        Passed to the loader (``level=`` for the ITL GVA file, ``year=`` for trade/CBP,
        ``mapping=`` for ``format="table"`` as a dict, JSON text, or a JSON/TOML file path).
    """
    from sia.sources._common import check_file, check_unique_columns

    path = check_file(path)
    if path.suffix.lower() == ".parquet" or format == "panel":
        # a file that is not Parquet, a truncated one, or repeated column names: one LoadError line
        check_unique_columns(path, _parquet_names(path)[0])
    fmt = format or sniff_format(path)
    if fmt == "panel":
        from sia.panel import Panel

        return Panel.from_parquet(path)
    if fmt == "gva":
        from sia.sources.ons_gva import load_gva

        return load_gva(path, measure=measure, quarantine=quarantine, **options)
    if fmt == "nomis":
        from sia.sources.nomis import load_nomis

        return load_nomis(path, measure=measure, quarantine=quarantine, **options)
    if fmt == "ubc":
        from sia.sources.ubc import load_ubc

        return load_ubc(path, measure=measure, quarantine=quarantine, **options)
    if fmt == "trade":
        from sia.sources.trade import load_trade

        return load_trade(path, measure=measure, quarantine=quarantine, **options)
    if fmt == "cbp":
        from sia.sources.cbp import load_cbp

        return load_cbp(path, measure=measure, quarantine=quarantine, **options)
    if fmt == "tidy":
        from sia.sources.files import load_tidy

        return load_tidy(path, measure=measure, quarantine=quarantine, **options)
    if fmt == "table":
        from sia.sources.files import load_table

        if "mapping" not in options:
            raise ValueError("format 'table' needs a column mapping (--mapping FILE on the command line; "
                             "mapping= a dict, JSON text, or a JSON/TOML file in Python)")
        mapping = _mapping(options.pop("mapping"))
        if measure and isinstance(mapping, dict):
            mapping.setdefault("measure", measure)
        return load_table(path, mapping, quarantine=quarantine, **options)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
