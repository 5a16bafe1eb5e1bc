"""Load errors, per-row validation and quarantine shared by every loader.

A loader reads a file into a frame of strings (so nothing is coerced before it is checked),
then runs vectorised checks that each flag a boolean mask of rows with the column, the value
and what was expected.  :meth:`RowChecker.resolve` then either

* raises :class:`LoadError` for the first bad row in file order (no quarantine), naming the
  file, the 1-based line (the header is line 1), the column, the value and the expectation; or
* writes every bad row to the quarantine CSV (original columns + ``line``, ``column``,
  ``value``, ``reason``) and returns the clean rows with a :class:`LoadReport` whose counts
  add up: ``read == loaded + set_aside + sum(excluded.values())``.

Markers of suppressed or unavailable cells are *not* errors: :data:`MARKERS` maps each to a
:class:`~sia.panel.Status`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sia.panel import Status

#: Published markers of cells without a usable number, and the status each becomes.
#: ONS/GSS conventions: ``[c]`` confidential, ``[x]`` not available, ``[u]`` unreliable (ONS
#: publishes no value), ``[low]`` below half the rounding unit (no exact value published);
#: NOMIS writes ``*`` (disclosive/unreliable), ``!`` (estimate not available: too unreliable),
#: ``-`` (nil or not applicable), ``..`` (not available); the older ONS tables use ``x`` and ``c``.
MARKERS: dict[str, Status] = {
    "..": Status.MISSING,
    "*": Status.SUPPRESSED,
    "x": Status.SUPPRESSED,
    "c": Status.SUPPRESSED,
    "-": Status.MISSING,
    "!": Status.SUPPRESSED,
    "[c]": Status.SUPPRESSED,
    "[x]": Status.MISSING,
    "[u]": Status.SUPPRESSED,
    "[low]": Status.SUPPRESSED,
    "": Status.MISSING,
}

#: Prefix of the provenance note naming a panel's measure as the file itself names it (the NOMIS
#: value column ``EMPLOYEES``, or the API file's ``EMPLOYMENT_STATUS_NAME``): a ``measure=`` rename of
#: the panel does not change it, so :func:`sia.sources.checks.check_measure` reads this note.
PUBLISHED_MEASURE = "measure as published: "

#: The largest count one cell may hold (employment, enterprises, establishments): far above any
#: published cell (GB employment is about 3e7, US employment about 1.6e8), so that a misplaced
#: exponent or a concatenated number (``1e308``, ``2e9``) stops the load instead of becoming data.
MAX_COUNT = 1_000_000_000

#: A number whose commas are thousands separators: 1 to 3 digits, then groups of exactly three.
THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


class LoadError(ValueError):
    """A row of a source file that cannot be loaded.

    Attributes give the parts of the message: ``file``, ``line`` (1-based, header = line 1;
    0 for a problem with the header or the file as a whole), ``column``, ``value``,
    ``expected``. A problem of the whole file (line 0, no column) reads
    ``FILE: got VALUE; expected EXPECTED``.
    """

    def __init__(self, file: str | Path, line: int, column: str, value: object, expected: str) -> None:
        self.file = str(file)
        self.line = int(line)
        self.column = str(column)
        self.value = value
        self.expected = expected
        if not self.line and not self.column:  # the file as a whole (empty, a directory, truncated...)
            super().__init__(f"{self.file}: got {value!r}; expected {expected}")
            return
        where = f"line {self.line}" if self.line else "header"
        super().__init__(f"{self.file}: {where}, column {self.column!r}: got {value!r}; expected {expected}")


@dataclass
class LoadReport:
    """Row counts of one load; ``read == loaded + set_aside + sum(excluded.values())``."""

    read: int
    loaded: int
    set_aside: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    quarantine: str = ""

    def __post_init__(self) -> None:
        total = self.loaded + self.set_aside + sum(self.excluded.values())
        if total != self.read:
            raise AssertionError(f"load counts do not add up: read {self.read} != {total}")

    def note(self) -> str:
        parts = [f"rows read {self.read}", f"loaded {self.loaded}", f"set aside {self.set_aside}"]
        parts += [f"excluded {n} ({why})" for why, n in self.excluded.items()]
        if self.quarantine:
            parts.append(f"quarantine {self.quarantine}")
        return ", ".join(parts)


def sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (as stored, i.e. of the compressed file for ``.gz``)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Coded:
    """A column as codes into its distinct values: ``values == uniques[codes]`` row by row.

    Loaders check and transform each *distinct* value once (a few hundred area or industry
    codes) and broadcast the result to the rows with ``result[codes]``, instead of running string
    operations over hundreds of thousands of cells. ``uniques`` is a Series of distinct values
    (missing values, if any, form one entry) with the dtype of the column, so that pandas string
    methods on it behave exactly as they would on the whole column.
    """

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: pd.Series) -> None:
        self.codes = np.asarray(codes, dtype=np.intp)
        self.uniques = uniques.reset_index(drop=True)

    @classmethod
    def of(cls, values: Coded | pd.Series | np.ndarray | Sequence[object]) -> Coded:
        """Factorise a column (a categorical column costs nothing: its categories are the uniques)."""
        if isinstance(values, Coded):
            return values
        if not isinstance(values, pd.Series):
            arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
            values = pd.Series(arr)
        dtype = values.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            cat = values.array
            codes = np.asarray(cat.codes, dtype=np.intp).copy()
            uniques = pd.Series(cat.categories)
        elif pd.api.types.is_object_dtype(dtype):
            codes, u = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
            # text read into object columns: distinct values as ``str`` (what ``read_csv(dtype=str)`` gives)
            is_text = len(u) > 0 and pd.api.types.infer_dtype(u, skipna=False) == "string"
            uniques = pd.Series(u, dtype=str if is_text else object)
        else:
            codes, u = pd.factorize(values, use_na_sentinel=True)
            uniques = pd.Series(u)
        missing = codes < 0
        if missing.any():  # keep the missing value itself (None, NaN) as one more distinct entry
            first = values.iloc[int(np.argmax(missing))]
            uniques = pd.concat([uniques, pd.Series([first], dtype=uniques.dtype)], ignore_index=True)
            codes = np.where(missing, len(uniques) - 1, codes)
        return cls(codes, uniques)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, rows: np.ndarray) -> Coded:
        """The rows selected by a boolean mask or positions (the distinct values are kept as they are)."""
        return Coded(self.codes[rows], self.uniques)

    def compact(self) -> Coded:
        """The same rows with only the distinct values that occur in them."""
        row_codes, used = pd.factorize(self.codes)
        return Coded(row_codes, self.uniques.iloc[used])

    def mask(self, test: Callable[[pd.Series], pd.Series | np.ndarray]) -> np.ndarray:
        """Boolean per row of ``test`` applied to the distinct values."""
        out = test(self.uniques)
        arr = out.to_numpy(dtype=bool) if isinstance(out, pd.Series) else np.asarray(out, dtype=bool)
        return arr[self.codes]

    def lookup(self, table: Callable[[pd.Series], pd.Series | np.ndarray]) -> np.ndarray:
        """Per-row values of ``table`` applied to the distinct values (a numpy array)."""
        out = table(self.uniques)
        return np.asarray(out.to_numpy() if isinstance(out, pd.Series) else out)[self.codes]

    def map(self, transform: Callable[[pd.Series], pd.Series]) -> Coded:
        """Transform the distinct values (e.g. ``lambda u: u.str.strip()``) and re-factorise."""
        new = Coded.of(pd.Series(transform(self.uniques)).reset_index(drop=True))
        return Coded(new.codes[self.codes], new.uniques)

    def to_numpy(self) -> np.ndarray:
        """The row values as an object array."""
        return self.uniques.to_numpy(dtype=object)[self.codes]

    def series(self) -> pd.Series:
        """The row values as a Series of the column's dtype."""
        return self.uniques.take(self.codes).reset_index(drop=True)


def _take_objects(values: Sequence[object] | pd.Series | np.ndarray | Coded, rows: np.ndarray) -> np.ndarray:
    """``np.asarray(values, dtype=object)[rows]`` without converting the rows not asked for."""
    if isinstance(values, Coded):
        return values.uniques.to_numpy(dtype=object)[values.codes[rows]]
    if isinstance(values, pd.Series):
        return values.iloc[rows].to_numpy(dtype=object)
    if isinstance(values, np.ndarray):
        return np.asarray(values[rows], dtype=object)
    return np.asarray(values, dtype=object)[rows]


class RowChecker:
    """Collect per-row problems of a raw frame with vectorised checks.

    Parameters
    ----------
    raw
        The frame as read (strings); its index must be positional (0..n-1).
    file
        Path used in messages.
    lines
        1-based file line of each row; default ``index + 2`` (header on line 1).

    Notes
    -----
    The checks work on the distinct values of a column (:class:`Coded`), so their cost grows with
    the number of distinct values, not of rows; only the flagged rows' values are converted to
    Python objects for the messages and the quarantine.
    """

    def __init__(self, raw: pd.DataFrame, file: str | Path, lines: np.ndarray | None = None) -> None:
        self.raw = raw.reset_index(drop=True)
        self.file = str(file)
        n = len(self.raw)
        if n == 0:  # a header and nothing else: an empty panel would pass for data
            raise LoadError(self.file, 0, "", "a header and no data rows", "at least one data row after the header")
        self.lines = np.arange(2, n + 2, dtype=np.int64) if lines is None else np.asarray(lines, dtype=np.int64)
        self.bad = np.zeros(n, dtype=bool)
        self.column = np.full(n, "", dtype=object)
        self.value = np.full(n, "", dtype=object)
        self.reason = np.full(n, "", dtype=object)
        self.excluded = np.zeros(n, dtype=bool)
        self.excluded_reason: dict[str, int] = {}

    def flag(self, mask: np.ndarray | pd.Series, column: str, values: Sequence[object] | pd.Series | Coded,
             expected: str) -> None:
        """Mark rows where ``mask`` holds; a row keeps its first problem."""
        m = np.asarray(mask, dtype=bool) & ~self.bad & ~self.excluded
        rows = np.flatnonzero(m)
        if not len(rows):
            return
        self.bad[rows] = True
        self.column[rows] = column
        self.value[rows] = _take_objects(values, rows)
        self.reason[rows] = expected

    def exclude(self, mask: np.ndarray | pd.Series, why: str) -> None:
        """Leave rows out on purpose (e.g. a country total in a LAD table), counted under ``why``."""
        m = np.asarray(mask, dtype=bool) & ~self.bad & ~self.excluded
        if m.any():
            self.excluded |= m
            self.excluded_reason[why] = self.excluded_reason.get(why, 0) + int(m.sum())

    @property
    def ok(self) -> np.ndarray:
        return ~(self.bad | self.excluded)

    def resolve(self, quarantine: str | Path | None) -> LoadReport:
        """Raise the first problem, or write all problems to ``quarantine``; return the counts.

        A load that keeps no row at all raises too (after writing the quarantine), naming the counts.
        """
        n_bad = int(self.bad.sum())
        if n_bad and quarantine is None:
            i = int(np.flatnonzero(self.bad)[np.argmin(self.lines[self.bad])])
            raise LoadError(self.file, int(self.lines[i]), self.column[i], self.value[i], self.reason[i])
        qpath = ""
        if quarantine is not None:
            qpath = str(quarantine)
            out = self.raw.loc[self.bad].copy()
            out["line"] = self.lines[self.bad]
            out["column"] = self.column[self.bad]
            out["value"] = self.value[self.bad]
            out["reason"] = self.reason[self.bad]
            out.to_csv(quarantine, index=False)
        report = LoadReport(
            read=len(self.raw),
            loaded=int(self.ok.sum()),
            set_aside=n_bad,
            excluded=dict(self.excluded_reason),
            quarantine=qpath,
        )
        if not report.loaded:  # every row set aside or excluded: an empty panel would pass for data
            raise LoadError(self.file, 0, "", f"no loadable row ({report.note()})", "at least one loadable row")
        return report

    # ------------------------------------------------------------------ common checks
    def numbers(self, column: str, *, nonnegative: bool = False, integer: bool = False,
                markers: dict[str, Status] | None = None, na_status: Status | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """Parse a value column: numbers, markers (-> status) and problems (flagged).

        Returns float values (NaN for markers) and uint8 status codes (observed for numbers).
        ``na_status`` is the status of a truly empty/NA cell (default: that of the ``""`` marker).
        A comma is read as a thousands separator only where it separates groups of three digits
        (``1,234``, ``12,345,678``); any other comma (``12,5``, ``1,23``) is flagged, never
        dropped. ``integer=True`` makes the column a count (:meth:`check_counts`).
        Text is parsed once per distinct cell text.
        """
        markers = MARKERS if markers is None else markers
        raw = self.raw[column]
        kind = "an integer count" if integer else "a number"
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            # typed column (Parquet): no text to parse; NaN is the only marker
            numeric = raw.to_numpy(dtype=np.float64, na_value=np.nan).copy()
            gap = np.isnan(numeric)
            status = np.full(len(raw), np.uint8(Status.OBSERVED), dtype=np.uint8)
            status[gap] = na_status if na_status is not None else markers.get("", Status.MISSING)
            self.flag(np.isinf(numeric), column, raw, "a finite number")
            if nonnegative:
                self.flag(numeric < 0, column, raw, "a non-negative count")
            if integer:
                self.check_counts(column, numeric)
            return numeric, status
        coded = Coded.of(raw)
        n_u = len(coded.uniques)
        # the distinct texts that parse as finite numbers as they stand (no comma can be in them) need no
        # string work; markers, commas and bad text are looked at on the others only (usually few)
        u_numeric = pd.to_numeric(pd.Series(coded.uniques.to_numpy(dtype=object)), errors="coerce"
                                  ).to_numpy(dtype=np.float64, copy=True)
        unusual = ~np.isfinite(u_numeric)
        numeric_markers = [m for m in markers if m and np.isfinite(pd.to_numeric(pd.Series([m], dtype=object),
                                                                                 errors="coerce").iloc[0])]
        if numeric_markers:  # a marker that reads as a number ("0" in some table) is a marker all the same
            unusual |= coded.uniques.astype("string").str.strip().str.lower().isin(numeric_markers).to_numpy(bool)
        rest = np.flatnonzero(unusual)
        text = pd.Series(coded.uniques.to_numpy(dtype=object)[rest], dtype=object).astype("string").str.strip()
        r_na = text.isna().to_numpy()
        text_filled = text.fillna("")
        lowered = text_filled.str.lower()
        r_status = np.full(len(rest), np.uint8(Status.OBSERVED), dtype=np.uint8)
        r_marker = lowered.isin(list(markers)).to_numpy() | r_na
        for mark, st in markers.items():
            r_status[(lowered == mark).to_numpy()] = st
        r_status[r_na] = na_status if na_status is not None else markers.get("", Status.MISSING)
        r_comma = text_filled.str.contains(",", regex=False).to_numpy(dtype=bool)
        r_grouped = text_filled.str.fullmatch(THOUSANDS).fillna(False).to_numpy(dtype=bool)
        r_bad_comma = r_comma & ~r_grouped & ~r_marker
        parsable = text_filled.str.replace(",", "", regex=False).where(~(r_marker | r_bad_comma), None)
        u_numeric[rest] = pd.to_numeric(parsable.astype(object), errors="coerce").to_numpy(dtype=np.float64)
        u_status = np.full(n_u, np.uint8(Status.OBSERVED), dtype=np.uint8)
        u_status[rest] = r_status
        u_marker = np.zeros(n_u, dtype=bool)
        u_marker[rest] = r_marker
        u_bad_comma = np.zeros(n_u, dtype=bool)
        u_bad_comma[rest] = r_bad_comma
        numeric = u_numeric[coded.codes]
        status = u_status[coded.codes]
        is_marker = u_marker[coded.codes]
        allowed = ", ".join(repr(m) for m in markers if m)
        self.flag(u_bad_comma[coded.codes], column, raw,
                  f"{kind} (a comma only between groups of three digits, as in 1,234) or a marker of a "
                  f"suppressed cell ({allowed})")
        not_number = ~is_marker & ~np.isfinite(numeric)
        self.flag(not_number, column, raw, f"{kind} or a marker of a suppressed cell ({allowed})")
        if nonnegative:
            self.flag(~is_marker & (numeric < 0), column, raw, "a non-negative count")
        numeric[is_marker] = np.nan
        if integer:
            self.check_counts(column, numeric)
        return numeric, status

    def check_counts(self, column: str, values: np.ndarray, rows: np.ndarray | None = None) -> None:
        """Flag parsed values that are not plausible counts: a fraction, or more than :data:`MAX_COUNT`.

        ``values`` are the floats :meth:`numbers` returned (NaN for markers, left alone); ``rows``
        (a boolean mask) restricts the check, e.g. to the count measure of a file that also holds
        percentages. Negative values are flagged by ``numbers(nonnegative=True)``.
        """
        values = np.asarray(values, dtype=np.float64)
        finite = np.isfinite(values)
        if rows is not None:
            finite &= np.asarray(rows, dtype=bool)
        raw = self.raw[column]
        with np.errstate(invalid="ignore"):
            self.flag(finite & (values != np.round(values)), column, raw, "an integer count")
            self.flag(finite & (np.abs(values) > MAX_COUNT), column, raw,
                      f"a count of at most {MAX_COUNT:,} (a larger cell is not a plausible count)")

    def integers(self, column: str, *, lo: int | None = None, hi: int | None = None, what: str = "a year"
                 ) -> np.ndarray:
        """Parse an integer key column such as a year; flag anything else (once per distinct text)."""
        raw = self.raw[column]
        coded = Coded.of(raw)
        text = coded.uniques.astype("string").str.strip().fillna("")
        u_ok = text.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool, copy=True)
        u_out = np.zeros(len(text), dtype=np.int64)
        u_out[u_ok] = text[u_ok].astype(np.int64).to_numpy()
        if lo is not None:
            u_ok &= u_out >= lo
        if hi is not None:
            u_ok &= u_out <= hi
        rng = f" between {lo} and {hi}" if lo is not None and hi is not None else ""
        self.flag(~u_ok[coded.codes], column, raw, f"{what}{rng}")
        return u_out[coded.codes]

    def known(self, column: str, codes: pd.Series | np.ndarray | Coded, allowed: Iterable[str], expected: str
              ) -> None:
        """Flag codes that are not in ``allowed``."""
        allowed_set = pd.Index(list(allowed))
        coded = Coded.of(codes)
        found = pd.Series(coded.uniques.to_numpy(dtype=object)).isin(allowed_set).to_numpy()
        self.flag(~found[coded.codes], column, self.raw[column], expected)

    def unique(self, keys: pd.DataFrame | dict[str, pd.Series | np.ndarray | Coded], columns: str) -> None:
        """Flag the second and later rows of a duplicated key (only among rows still ok).

        The key columns are factorised and combined into one integer per row; the message of a
        repeated key names the line of its first occurrence among the rows still ok.
        """
        parts = [Coded.of(keys[c]).map(lambda u: u) for c in keys]  # distinct values, even if built by hand
        n = len(self.raw)
        combined = np.zeros(n, dtype=np.int64)
        for part in parts:  # mixed radix, re-compressed after each column so it never overflows
            combined = combined * max(len(part.uniques), 1) + part.codes
            combined = pd.factorize(combined)[0].astype(np.int64)
        ok_rows = np.flatnonzero(self.ok)
        sub = combined[ok_rows]
        dup = pd.Series(sub).duplicated(keep="first").to_numpy()
        if not dup.any():
            return
        _, first_of_group, group = np.unique(sub, return_index=True, return_inverse=True)
        rows = ok_rows[dup]
        first_line = self.lines[ok_rows[first_of_group[group.ravel()[dup]]]]
        texts = [part.uniques.to_numpy(dtype=object)[part.codes[rows]].tolist() for part in parts]
        values = ["|".join(str(x) for x in row) for row in zip(*texts, strict=True)]
        # the expectation names the line of the first occurrence of each key
        self.bad[rows] = True
        self.column[rows] = columns
        self.value[rows] = np.asarray(values, dtype=object)
        self.reason[rows] = np.asarray([f"a unique key ({columns}); first seen on line {first}"
                                        for first in first_line.tolist()], dtype=object)


def check_header(file: str | Path, header: Sequence[str], required: Iterable[str], layout: str) -> None:
    """Raise :class:`LoadError` (line 1) when a required column is absent."""
    header = [str(h) for h in header]
    absent = [c for c in required if c not in header]
    if absent:
        raise LoadError(
            file, 1, absent[0], header, f"a {layout} header with columns {list(required)} (missing {absent})"
        )
