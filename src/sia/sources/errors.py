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
from collections.abc import Iterable, Sequence
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


class LoadError(ValueError):
    """A row of a source file that cannot be loaded.

    Attributes give the parts of the message: ``file``, ``line`` (1-based, header = line 1;
    0 for a problem with the header or the file as a whole), ``column``, ``value``,
    ``expected``.
    """

    def __init__(self, file: str | Path, line: int, column: str, value: object, expected: str) -> None:
        self.file = str(file)
        self.line = int(line)
        self.column = str(column)
        self.value = value
        self.expected = expected
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
    """

    def __init__(self, raw: pd.DataFrame, file: str | Path, lines: np.ndarray | None = None) -> None:
        self.raw = raw.reset_index(drop=True)
        self.file = str(file)
        n = len(self.raw)
        self.lines = np.arange(2, n + 2, dtype=np.int64) if lines is None else np.asarray(lines, dtype=np.int64)
        self.bad = np.zeros(n, dtype=bool)
        self.column = np.full(n, "", dtype=object)
        self.value = np.full(n, "", dtype=object)
        self.reason = np.full(n, "", dtype=object)
        self.excluded = np.zeros(n, dtype=bool)
        self.excluded_reason: dict[str, int] = {}

    def flag(self, mask: np.ndarray | pd.Series, column: str, values: Sequence[object] | pd.Series, expected: str
             ) -> None:
        """Mark rows where ``mask`` holds; a row keeps its first problem."""
        m = np.asarray(mask, dtype=bool) & ~self.bad & ~self.excluded
        if not m.any():
            return
        vals = np.asarray(values, dtype=object)
        self.bad |= m
        self.column[m] = column
        self.value[m] = vals[m]
        self.reason[m] = expected

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
        """Raise the first problem, or write all problems to ``quarantine``; return the counts."""
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
        return LoadReport(
            read=len(self.raw),
            loaded=int(self.ok.sum()),
            set_aside=n_bad,
            excluded=dict(self.excluded_reason),
            quarantine=qpath,
        )

    # ------------------------------------------------------------------ common checks
    def numbers(self, column: str, *, nonnegative: bool = False, integer: bool = False,
                markers: dict[str, Status] | None = None, na_status: Status | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """Parse a value column: numbers, markers (-> status) and problems (flagged).

        Returns float values (NaN for markers) and uint8 status codes (observed for numbers).
        ``na_status`` is the status of a truly empty/NA cell (default: that of the ``""`` marker).
        """
        markers = MARKERS if markers is None else markers
        raw = self.raw[column]
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
                self.flag(~gap & (numeric != np.round(numeric)), column, raw, "an integer count")
            return numeric, status
        text = raw.astype("string").str.strip()
        is_na = text.isna().to_numpy()
        text_filled = text.fillna("")
        lowered = text_filled.str.lower()
        status = np.full(len(raw), np.uint8(Status.OBSERVED), dtype=np.uint8)
        is_marker = lowered.isin(list(markers)).to_numpy() | is_na
        for mark, st in markers.items():
            status[(lowered == mark).to_numpy()] = st
        status[is_na] = na_status if na_status is not None else markers.get("", Status.MISSING)
        numeric = pd.to_numeric(text_filled.str.replace(",", "", regex=False).where(~is_marker, None),
                                errors="coerce").to_numpy(dtype=np.float64)
        not_number = ~is_marker & ~np.isfinite(numeric)
        kind = "an integer count" if integer else "a number"
        allowed = ", ".join(repr(m) for m in markers if m)
        self.flag(not_number, column, raw, f"{kind} or a marker of a suppressed cell ({allowed})")
        if nonnegative:
            self.flag(~is_marker & (numeric < 0), column, raw, "a non-negative count")
        if integer:
            self.flag(~is_marker & np.isfinite(numeric) & (numeric != np.round(numeric)), column, raw,
                      "an integer count")
        numeric[is_marker] = np.nan
        return numeric, status

    def integers(self, column: str, *, lo: int | None = None, hi: int | None = None, what: str = "a year"
                 ) -> np.ndarray:
        """Parse an integer key column such as a year; flag anything else."""
        raw = self.raw[column]
        text = raw.astype("string").str.strip().fillna("")
        ok = text.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool, copy=True)
        out = np.zeros(len(raw), dtype=np.int64)
        out[ok] = text[ok].astype(np.int64).to_numpy()
        if lo is not None:
            ok &= out >= lo
        if hi is not None:
            ok &= out <= hi
        rng = f" between {lo} and {hi}" if lo is not None and hi is not None else ""
        self.flag(~ok, column, raw, f"{what}{rng}")
        return out

    def known(self, column: str, codes: pd.Series | np.ndarray, allowed: Iterable[str], expected: str) -> None:
        """Flag codes that are not in ``allowed``."""
        allowed_set = pd.Index(list(allowed))
        codes = pd.Series(np.asarray(codes, dtype=object))
        self.flag(~codes.isin(allowed_set).to_numpy(), column, self.raw[column], expected)

    def unique(self, keys: pd.DataFrame, columns: str) -> None:
        """Flag the second and later rows of a duplicated key (only among rows still ok)."""
        ok = self.ok
        sub = keys.loc[ok]
        dup = sub.duplicated(keep="first")
        if not dup.any():
            return
        first_line = pd.Series(self.lines[ok], index=sub.index)
        key_cols = list(sub.columns)
        firsts = sub.assign(_line=first_line).drop_duplicates(key_cols, keep="first")
        merged = sub.loc[dup].reset_index().merge(firsts, on=key_cols, how="left").set_index("index")
        mask = np.zeros(len(self.raw), dtype=bool)
        mask[merged.index.to_numpy()] = True
        values = np.full(len(self.raw), "", dtype=object)
        values[merged.index.to_numpy()] = [
            "|".join(str(x) for x in row) for row in merged[key_cols].itertuples(index=False)
        ]
        # the expectation names the line of the first occurrence; rows with different first lines
        # get their own message, so flag group by group (few groups: one per distinct first line)
        for first, idx in merged.groupby("_line").groups.items():
            m = np.zeros(len(self.raw), dtype=bool)
            m[np.asarray(idx)] = True
            self.flag(m, columns, values, f"a unique key ({columns}); first seen on line {first}")


def check_header(file: str | Path, header: Sequence[str], required: Iterable[str], layout: str) -> None:
    """Raise :class:`LoadError` (line 1) when a required column is absent."""
    header = [str(h) for h in header]
    absent = [c for c in required if c not in header]
    if absent:
        raise LoadError(
            file, 1, absent[0], header, f"a {layout} header with columns {list(required)} (missing {absent})"
        )
