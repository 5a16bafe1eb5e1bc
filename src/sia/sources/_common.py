"""Helpers shared by the loaders: reading text faithfully, provenance, reference code lists."""

from __future__ import annotations

import collections
import csv
import functools
import gzip
import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sia.panel import Panel, Provenance, Status
from sia.sources.errors import Coded, LoadError, LoadReport, sha256

LOADER_VERSION = "1"

Progress = Callable[[int, int], None] | None


BOM = b"\xef\xbb\xbf"


def check_file(path: str | Path) -> Path:
    """``path`` as a :class:`Path` that names a readable file, else one :class:`LoadError` line.

    A missing path stays a :class:`FileNotFoundError`; a directory is a :class:`LoadError`
    ("got 'a directory'; expected a file"), as is a path that cannot be opened.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.is_dir():
        raise LoadError(path, 0, "", "a directory", "a file")
    if not path.is_file():
        raise LoadError(path, 0, "", "not a regular file", "a file")
    return path


def _is_gzip(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


def _gzip_error(path: Path, exc: BaseException) -> LoadError:
    detail = str(exc).strip() or type(exc).__name__
    return LoadError(path, 0, "", f"a truncated or corrupt gzip stream ({detail})", "a complete gzip file")


GZIP_ERRORS: tuple[type[BaseException], ...] = (EOFError, gzip.BadGzipFile, zlib.error)


def csv_header(path: str | Path, *, skiprows: int = 0) -> list[str]:
    """The column names on the header line of a CSV (plain or gzip), without reading the body.

    The header is the first line, or the line after ``skiprows`` lines of preamble. The
    byte-order mark of a UTF-8 file is not part of the first name. The file-level problems (a
    directory, an empty file, a file holding only a byte-order mark, a broken gzip stream,
    repeated column names) are :class:`LoadError` lines.
    """
    path = check_file(path)
    try:
        with (gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")) as fh:
            lines = [fh.readline() for _ in range(skiprows + 1)]
            more = fh.read(1 << 16).strip()
    except GZIP_ERRORS as exc:
        raise _gzip_error(path, exc) from None
    bom = lines[0].startswith(BOM)
    lines[0] = lines[0].removeprefix(BOM)
    first = lines[-1]
    if not any(x.strip() for x in lines) and not more:
        what = "only a byte-order mark" if bom else "an empty file"
        raise LoadError(path, 0, "", what, "a header line and at least one data row")
    if not first.strip():
        raise LoadError(path, skiprows + 1, "", "", "a header line (the line is blank)")
    try:
        line = first.decode("utf-8")
    except UnicodeDecodeError:
        line = first.decode("cp1252", errors="replace")
    header = next(csv.reader([line.strip("\r\n")]), [])
    check_unique_columns(path, header, line=skiprows + 1)
    return header


def check_unique_columns(path: str | Path, header: Sequence[object], line: int = 1) -> None:
    """Raise :class:`LoadError` (on the header line) when a column name occurs more than once.

    pandas would rename the second ``EMPLOYMENT`` to ``EMPLOYMENT.1`` and a loader would then read
    one of the two columns without a word; which one is meant cannot be known.
    """
    names = [str(h) for h in header]
    counts = collections.Counter(names)
    repeated = [n for n in names if counts[n] > 1]
    if repeated:
        name = repeated[0]
        where = " and ".join(", ".join(str(i + 1) for i, n in enumerate(names) if n == name).rsplit(", ", 1))
        raise LoadError(path, line, name, names,
                        f"unique column names ({name!r} appears {counts[name]} times: columns {where})")


def read_csv_text(path: str | Path, *, usecols: Sequence[str] | None = None, dtype: type = str,
                  skiprows: int = 0) -> tuple[pd.DataFrame, str]:
    """Read a CSV (plain or gzip) as strings, with no NA guessing.

    Every cell stays text (``""`` for an empty cell) so that markers and bad values are seen as
    published. UTF-8 first (with or without a byte-order mark); a file that is not valid UTF-8 is
    read as Windows-1252 (the encoding NOMIS uses for some downloads) and the encoding is returned
    for the provenance. ``dtype=object`` keeps the cells as Python strings in object columns (the
    same text, without building Arrow string arrays: the loaders factorise the columns anyway).
    ``skiprows`` lines of preamble come before the header.

    Raises
    ------
    LoadError
        For a directory, an empty file, repeated column names, a truncated gzip stream, or a row
        with more fields than the header. (A header without data rows is found by
        :class:`~sia.sources.errors.RowChecker`, after the loader has checked the header.)
    """
    path = check_file(path)
    csv_header(path, skiprows=skiprows)  # file-level problems first, each with its own message
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            frame = pd.read_csv(path, dtype=dtype, keep_default_na=False, na_filter=False, encoding=encoding,
                                usecols=usecols, skiprows=skiprows or None)
        except UnicodeDecodeError:
            continue
        except GZIP_ERRORS as exc:
            raise _gzip_error(path, exc) from None
        except pd.errors.EmptyDataError:
            raise LoadError(path, 0, "", "an empty file", "a header line and at least one data row") from None
        except pd.errors.ParserError as exc:
            match = re.search(r"line (\d+)", str(exc))
            line = int(match.group(1)) + skiprows if match else 0
            detail = str(exc).strip().replace("Error tokenizing data. C error: ", "")
            raise LoadError(path, line, "", "", f"a row with as many fields as the header ({detail})") from exc
        return frame, "utf-8" if encoding == "utf-8-sig" else encoding
    raise LoadError(path, 0, "", "", "a UTF-8 or Windows-1252 text file")  # pragma: no cover


def header_of(path: str | Path) -> list[str]:
    """Column names of a CSV without reading the body (see :func:`csv_header`)."""
    return csv_header(path)


def make_provenance(path: str | Path, *, table: str, vintage: str = "", query: str = "", loader: str,
                    report: LoadReport | None = None, notes: Sequence[str] = (), licence: str = "") -> Provenance:
    all_notes = list(notes)
    if report is not None:
        all_notes.insert(0, report.note())
    return Provenance(
        source=str(Path(path).resolve()),
        checksum="sha256:" + sha256(path),
        table=table,
        vintage=vintage,
        query=query,
        loader=loader,
        loader_version=LOADER_VERSION,
        licence=licence,
        notes=tuple(all_notes),
        rows_read=None if report is None else report.read,
        rows_loaded=None if report is None else report.loaded,
        rows_set_aside=None if report is None else report.set_aside,
        quarantine="" if report is None else report.quarantine,
    )


Column = np.ndarray | pd.Series | Coded


def _key_positions(col: Column, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions of each row along a panel dimension and the dimension's coordinate labels.

    Same labels and order as :meth:`Panel.from_frame` (text keys go through ``astype(str)`` and
    are sorted; years are int64 and sorted), computed on the distinct values only.
    """
    if name == "year":
        years = np.asarray(col, dtype=np.int64)
        codes, uniq = pd.factorize(years)
        index = pd.Index(sorted(np.asarray(uniq, dtype=np.int64)), name=name)  # as from_frame (object if empty)
        return index.get_indexer(np.asarray(uniq, dtype=np.int64))[codes], index.to_numpy()
    coded = Coded.of(col)
    row_codes, used = pd.factorize(coded.codes)  # only the values still present
    labels = pd.Series(coded.uniques.to_numpy(dtype=object)[used], dtype=object).astype(str)
    label_codes, distinct = pd.factorize(labels, use_na_sentinel=False)
    index = pd.Index(sorted(distinct), name=name)
    rank = index.get_indexer(distinct)
    return rank[label_codes][row_codes], index.to_numpy()


def _first_rows(positions: np.ndarray, k: int) -> np.ndarray:
    """Row of the first occurrence of each position ``0..k-1`` (every position occurs)."""
    firsts = np.flatnonzero(~pd.Series(positions).duplicated(keep="first").to_numpy())
    out = np.empty(k, dtype=np.intp)
    out[positions[firsts]] = firsts
    return out


def _objects(col: Column | str, rows: np.ndarray) -> list[object]:
    if isinstance(col, str):
        return [col] * len(rows)
    if isinstance(col, Coded):
        return col.uniques.to_numpy(dtype=object)[col.codes[rows]].tolist()
    if isinstance(col, pd.Series):
        return col.iloc[rows].to_numpy(dtype=object).tolist()
    return np.asarray(col, dtype=object)[rows].tolist()


def _plain(col: Column) -> np.ndarray:
    return col.to_numpy() if isinstance(col, Coded) else np.asarray(col, dtype=object)


def panel_from_columns(
    *,
    area: Column,
    activity: Column,
    year: np.ndarray,
    value: np.ndarray,
    status: np.ndarray,
    measure: str,
    unit: str,
    provenance: Provenance,
    area_name: Column | None = None,
    level: Column | str | None = None,
    activity_name: Column | None = None,
    extra: dict[str, Column] | None = None,
) -> Panel:
    """Assemble a panel from validated column arrays.

    The result is the panel :meth:`Panel.from_frame` builds from the tidy frame of these columns
    (same coordinates, order, names and errors), built from integer positions: the key columns
    are factorised once (:class:`~sia.sources.errors.Coded` columns already are) and the cells
    scattered into the dense arrays, without a frame of Python strings.
    """
    keys: dict[str, Column] = {"area": area, "activity": activity, "year": year, **(extra or {})}
    value = np.asarray(value, dtype=np.float64)
    status = np.asarray(status, dtype=np.uint8)
    located = [_key_positions(col, name) for name, col in keys.items()]
    positions = tuple(p for p, _ in located)
    shape = tuple(len(c) for _, c in located)
    flat = np.ravel_multi_index(positions, shape) if len(value) else np.zeros(0, dtype=np.intp)
    if len(value) and np.bincount(flat, minlength=int(np.prod(shape))).max() > 1:
        return _panel_via_frame(keys, value, status, measure, unit, provenance, area_name, level, activity_name)
    if len(status) and int(status.max()) > max(Status):
        raise ValueError(f"status codes must lie in 0..{int(max(Status))}")
    cube = np.full(shape, np.nan)
    codes = np.full(shape, np.uint8(Status.MISSING), dtype=np.uint8)
    cube[positions] = value
    codes[positions] = status
    dims = list(keys)
    ds = xr.Dataset({"value": (dims, cube), "status": (dims, codes)},
                    coords={name: c for name, (_, c) in zip(dims, located, strict=True)})
    for col, dim, coord in ((area_name, 0, "area_name"), (level, 0, "area_level"), (activity_name, 1, "activity_name")):
        if col is None:
            continue
        first = _first_rows(positions[dim], shape[dim])
        names = [_none_to_empty(v) for v in _objects(col, first)]
        ds = ds.assign_coords({coord: (dims[dim], np.array(names, dtype=object))})
    return Panel(ds, measure=measure, unit=unit, provenance=[provenance])


def _none_to_empty(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def _panel_via_frame(keys: dict[str, Column], value: np.ndarray, status: np.ndarray, measure: str, unit: str,
                     provenance: Provenance, area_name: Column | None, level: Column | str | None,
                     activity_name: Column | None) -> Panel:
    """The tidy-frame route (:meth:`Panel.from_frame`), kept for inputs it rejects (repeated keys)."""
    frame = pd.DataFrame({
        "area": _plain(keys["area"]),
        "activity": _plain(keys["activity"]),
        "year": np.asarray(keys["year"], dtype=np.int64),
    })
    extra = [k for k in keys if k not in ("area", "activity", "year")]
    for name in extra:
        frame[name] = _plain(keys[name])
    frame["value"] = value
    frame["status"] = status
    if area_name is not None:
        frame["area_name"] = _plain(area_name)
    if level is not None:
        frame["level"] = level if isinstance(level, str) else _plain(level)
    if activity_name is not None:
        frame["activity_name"] = _plain(activity_name)
    return Panel.from_frame(frame, measure=measure, unit=unit, provenance=[provenance], extra_dims=tuple(extra))


@functools.cache
def builtin_geography(lad_vintage: str = "2023"):  # type: ignore[no-untyped-def]
    """The built-in UK geography (:func:`sia.geography.uk`) at a LAD vintage, cached."""
    from sia.geography import uk

    return uk(lad_vintage=lad_vintage)


def resolve_areas(keys: pd.Series | Coded, *, level: str | None = None, geography=None  # type: ignore[no-untyped-def]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Resolve area codes, names or aliases through a geography (default: the built-in UK one).

    Each distinct key is looked up once with :meth:`sia.geography.Geography.area` (exact code,
    exact name, or the explicit alias table; never fuzzy). Returns per row the canonical code
    (``""`` when unresolved), the level of the area, and the geography's reason for keys it
    could not resolve (``""`` otherwise): unknown, ambiguous, or of another vintage.
    """
    coded, u_code, u_level, u_why = resolve_distinct_areas(keys, level=level, geography=geography)
    return u_code[coded.codes], u_level[coded.codes], u_why[coded.codes]


def resolve_distinct_areas(keys: pd.Series | Coded, *, level: str | None = None, geography=None  # type: ignore[no-untyped-def]
                           ) -> tuple[Coded, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`resolve_areas` per distinct key: the factorised keys and, per distinct key, the
    canonical code, the level and the reason (object arrays)."""
    from sia.geography import AmbiguousAreaError, UnknownAreaError

    geo = builtin_geography() if geography is None else geography
    coded = Coded.of(keys)
    distinct = coded.uniques.to_numpy(dtype=object)
    u_code = np.full(len(distinct), "", dtype=object)
    u_level = np.full(len(distinct), "", dtype=object)
    u_why = np.full(len(distinct), "", dtype=object)
    for i, key in enumerate(distinct):  # one lookup per distinct label, not per cell
        try:
            area = geo.area(str(key), level)
        except (UnknownAreaError, AmbiguousAreaError) as exc:
            u_why[i] = str(exc)
        else:
            u_code[i], u_level[i] = area.code, area.level
    return coded, u_code, u_level, u_why


def known_lad_codes() -> frozenset[str] | None:
    """LAD codes of the built-in UK geography, or None when it cannot be built."""
    try:
        geo = builtin_geography()
    except (ImportError, FileNotFoundError):
        return None
    return frozenset(a.code for a in geo.areas("LAD"))


@functools.cache
def sic_codes() -> frozenset[str] | None:
    """Every code of the SIC 2007 classification (sections to subclasses), or None if unavailable."""
    try:
        from sia.classification import sic2007

        return frozenset(sic2007().codes())
    except (ImportError, FileNotFoundError):
        return None
