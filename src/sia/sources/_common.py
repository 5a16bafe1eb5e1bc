"""Helpers shared by the loaders: reading text faithfully, provenance, reference code lists."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sia.panel import Panel, Provenance
from sia.sources.errors import LoadError, LoadReport, sha256

LOADER_VERSION = "1"

Progress = Callable[[int, int], None] | None


def read_csv_text(path: str | Path, *, usecols: Sequence[str] | None = None) -> tuple[pd.DataFrame, str]:
    """Read a CSV (plain or gzip) as strings, with no NA guessing.

    Every cell stays text (``""`` for an empty cell) so that markers and bad values are seen as
    published. UTF-8 first; a file that is not valid UTF-8 is read as Windows-1252 (the
    encoding NOMIS uses for some downloads) and the encoding is returned for the provenance.
    """
    for encoding in ("utf-8", "cp1252"):
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding=encoding,
                                usecols=usecols)
            return frame, encoding
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as exc:
            match = re.search(r"line (\d+)", str(exc))
            line = int(match.group(1)) if match else 0
            detail = str(exc).strip().replace("Error tokenizing data. C error: ", "")
            raise LoadError(path, line, "", "", f"a row with as many fields as the header ({detail})") from exc
    raise LoadError(path, 0, "", "", "a UTF-8 or Windows-1252 text file")  # pragma: no cover


def header_of(path: str | Path) -> list[str]:
    """Column names of a CSV without reading the body."""
    return list(pd.read_csv(path, nrows=0, encoding="latin-1").columns)


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


def panel_from_columns(
    *,
    area: np.ndarray | pd.Series,
    activity: np.ndarray | pd.Series,
    year: np.ndarray,
    value: np.ndarray,
    status: np.ndarray,
    measure: str,
    unit: str,
    provenance: Provenance,
    area_name: np.ndarray | pd.Series | None = None,
    level: np.ndarray | pd.Series | str | None = None,
    activity_name: np.ndarray | pd.Series | None = None,
    extra: dict[str, np.ndarray | pd.Series] | None = None,
) -> Panel:
    """Assemble a panel from validated column arrays."""
    frame = pd.DataFrame({
        "area": np.asarray(area, dtype=object),
        "activity": np.asarray(activity, dtype=object),
        "year": np.asarray(year, dtype=np.int64),
    })
    for name, col in (extra or {}).items():
        frame[name] = np.asarray(col, dtype=object)
    frame["value"] = np.asarray(value, dtype=np.float64)
    frame["status"] = np.asarray(status, dtype=np.uint8)
    if area_name is not None:
        frame["area_name"] = np.asarray(area_name, dtype=object)
    if level is not None:
        frame["level"] = level if isinstance(level, str) else np.asarray(level, dtype=object)
    if activity_name is not None:
        frame["activity_name"] = np.asarray(activity_name, dtype=object)
    return Panel.from_frame(frame, measure=measure, unit=unit, provenance=[provenance],
                            extra_dims=tuple((extra or {}).keys()))


@functools.cache
def builtin_geography(lad_vintage: str = "2023"):  # type: ignore[no-untyped-def]
    """The built-in UK geography (:func:`sia.geography.uk`) at a LAD vintage, cached."""
    from sia.geography import uk

    return uk(lad_vintage=lad_vintage)


def resolve_areas(keys: pd.Series, *, level: str | None = None, geography=None  # type: ignore[no-untyped-def]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Resolve area codes, names or aliases through a geography (default: the built-in UK one).

    Each distinct key is looked up once with :meth:`sia.geography.Geography.area` (exact code,
    exact name, or the explicit alias table; never fuzzy). Returns per row the canonical code
    (``""`` when unresolved), the level of the area, and the geography's reason for keys it
    could not resolve (``""`` otherwise): unknown, ambiguous, or of another vintage.
    """
    from sia.geography import AmbiguousAreaError, UnknownAreaError

    geo = builtin_geography() if geography is None else geography
    distinct = pd.unique(keys.to_numpy(dtype=object))
    code: dict[str, str] = {}
    lev: dict[str, str] = {}
    why: dict[str, str] = {}
    for key in distinct:  # one lookup per distinct label, not per cell
        try:
            area = geo.area(str(key), level)
        except (UnknownAreaError, AmbiguousAreaError) as exc:
            code[key], lev[key], why[key] = "", "", str(exc)
        else:
            code[key], lev[key], why[key] = area.code, area.level, ""
    return (
        keys.map(code).to_numpy(dtype=object),
        keys.map(lev).to_numpy(dtype=object),
        keys.map(why).to_numpy(dtype=object),
    )


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
