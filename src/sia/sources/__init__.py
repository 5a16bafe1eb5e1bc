"""Loaders: files on disk -> :class:`~sia.panel.Panel` with provenance, validated row by row.

:func:`load` picks the loader from ``format`` or, by default, from the file's layout (its
header). Every loader turns published markers of suppressed cells into status, stops at the
first bad row with a :class:`~sia.sources.errors.LoadError` naming file, line, column, value
and expectation, or with ``quarantine=PATH`` writes the bad rows there and records the counts
(read = loaded + set aside + excluded) in the panel's provenance.
"""

from __future__ import annotations

import gzip
import json
import tomllib
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from sia.panel import Panel
from sia.sources.errors import MARKERS, LoadError, LoadReport

__all__ = ["FORMATS", "MARKERS", "LoadError", "LoadReport", "load", "sniff_format"]

FORMATS = ("panel", "gva", "nomis", "ubc", "trade", "cbp", "table")


def _csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="latin-1") as fh:  # type: ignore[operator]
        first = fh.readline()
    import csv

    return next(csv.reader([first.strip("\r\n")]), [])


def sniff_format(path: str | Path) -> str:
    """Name of the loader for ``path``, from its metadata or header."""
    from sia.sources import cbp, nomis, ons_gva, trade, ubc

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.suffix.lower() == ".parquet":
        schema = pq.read_schema(path)
        if b"sia" in (schema.metadata or {}):
            return "panel"
        if ons_gva.is_gva_layout(list(schema.names)):
            return "gva"
        raise LoadError(path, 1, "", list(schema.names), "a sia panel or the ONS regional GVA layout; "
                        "for another table pass format='table' and a column mapping")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "table"
    header = _csv_header(path)
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
    raise LoadError(path, 1, "", header, "a known layout (NOMIS, UK Business Counts, ONS GVA, trade, CBP); "
                    "for another table pass format='table' and a column mapping")


def _mapping(value: Any) -> Any:
    if isinstance(value, str | Path) and Path(value).exists():
        p = Path(value)
        if p.suffix == ".toml":
            return tomllib.loads(p.read_text())
        return json.loads(p.read_text())
    if isinstance(value, str):
        return json.loads(value)
    return value


def load(path: str | Path, *, format: str | None = None, measure: str | None = None,
         quarantine: str | Path | None = None, **options: Any) -> Panel:
    """Load ``path`` into a panel.

    Parameters
    ----------
    format
        One of :data:`FORMATS`; default: sniffed (:func:`sniff_format`).
    measure
        Measure to load (GVA: ``current``/``constant``/...; CBP: ``EMP``/``ESTAB``; NOMIS API:
        the ``MEASURES_NAME``) or the measure name given to the panel.
    quarantine
        CSV for rows that fail validation (else the first one raises :class:`LoadError`).
    options
        Passed to the loader (``level=`` for the ITL GVA file, ``year=`` for trade/CBP,
        ``mapping=`` for ``format="table"`` as a dict, JSON text, or a JSON/TOML file path).
    """
    path = Path(path)
    fmt = format or sniff_format(path)
    if fmt == "panel":
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
    if fmt == "table":
        from sia.sources.files import load_table

        if "mapping" not in options:
            raise ValueError("format='table' needs mapping= (a dict, JSON text, or a JSON/TOML file)")
        mapping = _mapping(options.pop("mapping"))
        if measure and isinstance(mapping, dict):
            mapping.setdefault("measure", measure)
        return load_table(path, mapping, quarantine=quarantine, **options)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
