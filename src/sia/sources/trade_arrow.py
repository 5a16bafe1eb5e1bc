"""The layouts of the country x product export tables, and a fast read of a clean one straight to a matrix.

:mod:`sia.sources.trade` is the loader (every row validated, problems named by line and column, a
quarantine, a :class:`~sia.panel.Panel` with provenance). :func:`read_clean_matrix` is its shortcut for
``sia compute eci`` and ``pci``: the file read by Arrow's CSV reader into a dense ``areas x products``
matrix, in about a tenth of the time and without importing pandas. It returns a matrix only for a file
that the loader would load whole, with nothing flagged, and then the same matrix the panel gives
(absent cells NaN, an ``NA`` export value 0: the loader's "NA = no trade"); for anything else (another
layout, a marker or a number in another spelling, a code that is not 3 letters / 4 digits, surrounding
spaces, a repeated pair, a file the reader cannot parse) it returns ``None`` and the caller uses the
loader, which says what is wrong. It never decides what a cell means by itself: every case it is not
sure of goes to the loader.

Why by hand: Arrow's reader does the parsing (and rejects every number that is not a plain decimal or
exponent form, which the loader reads the same way); what is written here is only the check that the
file is one the loader would take unchanged, and the pivot, on Arrow's buffers (``numpy.asarray`` on an
Arrow array imports pandas).

Examples
--------
>>> sniff_layout(["reporter_iso", "product_code", "export_value_usd"])
'ots'
>>> year_from_name(Path("ots_world_trade_country_hs4_exports_2017.csv.gz"))
2017
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LAYOUTS = {
    "ots": ("reporter_iso", "product_code", "export_value_usd"),
    "sitc": ("country", "product", "value"),
}
COUNTRY = re.compile(r"^[A-Za-z]{3}$")
PRODUCT = re.compile(r"^\d{4}$")


def sniff_layout(columns: list[str]) -> str | None:
    for name, cols in LAYOUTS.items():
        if list(columns) == list(cols):
            return name
    return None


def year_from_name(path: Path) -> int | None:
    years = re.findall(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)", path.name)
    return int(years[-1]) if years else None


@dataclass(frozen=True)
class TradeMatrix:
    """A clean trade file as a dense matrix: ``values[a, p]`` (NaN where the file has no row)."""

    values: np.ndarray  # (areas, products) float64
    areas: tuple[str, ...]  # sorted, as the panel orders them
    products: tuple[str, ...]
    year: int
    n_rows: int
    n_na: int  # NA export values read as 0 (no trade)


def _buffer(array: object, dtype: type) -> tuple[np.ndarray, np.ndarray | None]:
    """The values of a primitive Arrow array and its validity (``None``: no nulls), from its buffers."""
    n, offset = len(array), array.offset  # type: ignore[attr-defined]
    validity, data = array.buffers()[:2]  # type: ignore[attr-defined]
    values = np.frombuffer(data, dtype=dtype, count=offset + n)[offset:]
    if not array.null_count:  # type: ignore[attr-defined]
        return values, None
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    return values, bits[offset:offset + n].astype(bool)


def _sorted_codes(column: object, pattern: re.Pattern[str]) -> tuple[tuple[str, ...], np.ndarray] | None:
    """Sorted distinct codes of a one-chunk dictionary column and each row's position among them;
    ``None`` when a code does not match ``pattern`` as it stands."""
    chunk = column.chunks[0]  # type: ignore[attr-defined]
    words = chunk.dictionary.to_pylist()
    if not all(isinstance(w, str) and pattern.fullmatch(w) for w in words):
        return None
    order = sorted(range(len(words)), key=words.__getitem__)
    rank = np.empty(len(words), dtype=np.int64)
    rank[order] = np.arange(len(words))
    indices, valid = _buffer(chunk.indices, np.int32)
    if valid is not None:  # a null code: not a clean file
        return None
    return tuple(words[i] for i in order), rank[indices]


def _header(path: Path) -> list[str]:
    """The column names on the first line of a plain or gzip CSV (``[]`` if it cannot be read as one)."""
    import csv
    import gzip

    try:
        with path.open("rb") as raw:
            gz = raw.read(2) == b"\x1f\x8b"
        with (gzip.open(path, "rt", encoding="utf-8", newline="") if gz
              else path.open(encoding="utf-8", newline="")) as text:
            return next(csv.reader([text.readline()]), [])
    except (OSError, UnicodeDecodeError, EOFError):
        return []


def read_clean_matrix(path: str | Path) -> TradeMatrix | None:
    """The export matrix of a clean trade file (see the module docstring), or ``None`` to use the loader.

    Parameters
    ----------
    path
        A CSV (plain or gzip) in one of the :data:`LAYOUTS`, its year in its name.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    path = Path(path)
    year = year_from_name(path)
    if year is None or not path.is_file() or sniff_layout(_header(path)) is None:
        return None  # (the header first: another file is not read twice, here and by its loader)
    text = pa.dictionary(pa.int32(), pa.string())
    types = {c: text for layout in LAYOUTS.values() for c in layout[:2]}
    types.update({layout[2]: pa.float64() for layout in LAYOUTS.values()})
    try:
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(block_size=1 << 30),  # one chunk: no dictionaries to unify
            convert_options=pcsv.ConvertOptions(column_types=types, null_values=["NA"], strings_can_be_null=False,
                                                quoted_strings_can_be_null=False),
        )
    except (pa.ArrowException, OSError, ValueError, EOFError):
        return None
    layout = sniff_layout(table.column_names)
    if layout is None or table.num_rows == 0 or any(c.num_chunks != 1 for c in table.columns):
        return None
    areas = _sorted_codes(table.column(0), COUNTRY)
    products = _sorted_codes(table.column(1), PRODUCT)
    if areas is None or products is None:
        return None
    (area_codes, a), (product_codes, p) = areas, products
    values, valid = _buffer(table.column(2).chunks[0], np.float64)
    values = values if valid is None else np.where(valid, values, 0.0)
    if not np.isfinite(values).all() or (values < 0).any():
        return None
    cell = a * len(product_codes) + p
    if np.bincount(cell, minlength=len(area_codes) * len(product_codes)).max() > 1:  # a repeated pair
        return None
    matrix = np.full((len(area_codes), len(product_codes)), np.nan)
    matrix[a, p] = values
    return TradeMatrix(matrix, area_codes, product_codes, year, table.num_rows,
                       0 if valid is None else int((~valid).sum()))
