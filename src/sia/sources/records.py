"""Records -> panel: turn millions of records into an ``area x activity x year`` panel.

A *record* is one row of a register or a document table: a firm with its postcode and SIC
codes, a patent with its inventor region and classes, a grant with its lead organisation.
:func:`records_to_panel` reads such rows from Parquet or CSV files (a list, a glob or a
directory), maps the area key through a lookup table (e.g. postcode -> LAD), normalises the
activity codes, keeps their first ``activity_level`` characters (SIC 2007 5-digit ``62020`` at
level 4 is class ``6202``), splits records with several codes, and sums a value (or counts
records) per ``(area, activity, year)``.

One expression, several engines
-------------------------------
The aggregation is ONE Ibis expression (:func:`build_expression`). It runs on DuckDB
(embedded, the default: it streams the files, spills to ``temp_directory`` and stays within
``memory_limit``) or, unchanged, on Apache Spark (``engine="spark"``, local or a given
master; ``pip install "sia[spark]"``). :func:`records_to_panel_pandas` is a separate,
independent pandas implementation of the same rules, used as the reference in tests.

Multi-code records
------------------
A record's codes are held in ONE field: a text field with codes separated by ``;`` (e.g.
``"62020;62090"``; CSV-friendly) or a list column (Parquet ``list<string>``). Several rows per
record id are *not* merged: every row is one record. Codes are normalised (every character
other than ``0-9A-Za-z`` removed, upper-cased: ``"62.02/0"`` -> ``"62020"``,
``"H01L 21/00"`` -> ``"H01L2100"``), empty pieces are ignored and duplicates within a record
collapse (``"62020;62020"`` is one code). With ``k`` distinct codes:

``fractional`` (default)
    each code receives ``value / k``; the record's value is conserved, so panel totals add
    up to the value of the records read (minus what is set aside). Codes that meet at the
    same target code after roll-up add up (``62011;62012`` at level 4 gives ``6201`` the
    whole value).
``full``
    each *distinct target code* of the record (after roll-up) receives the full value;
    totals exceed the records' value by design (a firm in two classes counts in both).

A code is *valid* when it has at least ``activity_level`` characters (at least one without a
level) and matches ``activity_pattern`` (if given). Invalid codes are set aside: a record
whose codes are all invalid is set aside whole (``invalid_activity``); a record with some
invalid codes is aggregated, and the shares of its invalid codes are set aside and reported
as ``invalid_code_rows``/``invalid_code_value``.

Nothing is dropped silently
---------------------------
Every record falls in exactly one of: aggregated, or set aside for the first failing reason
in the order ``missing_year, invalid_year, missing_value, invalid_value, missing_weight,
missing_area, unmapped_area, missing_activity, invalid_activity``. :class:`RecordsReport`
counts each, with the value set aside, and checks that the counts add up
(``records_read == records_aggregated + sum(records_set_aside)``) and, for fractional
counting, that the value reconciles
(``value_read == value_aggregated + sum(value_set_aside) + invalid_code_value``).

Cells without any record are zero (records are a complete enumeration of what they
cover); pass ``absent="missing"`` to leave them missing instead. Roll-ups beyond leading
characters (SIC classes to sections, areas to regions) are done afterwards on the panel with
:meth:`sia.panel.Panel.aggregate` and a membership matrix.
"""

from __future__ import annotations

import glob as globmod
import math
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sia import __version__
from sia.panel import Panel, Provenance, Status

Engine = Literal["duckdb", "spark", "pandas"]
MultiCode = Literal["fractional", "full"]
ProgressCallback = Callable[[str, float | None], None]

#: Reasons a whole record is set aside, in the order they are tested (a record gets the first).
SET_ASIDE_REASONS: tuple[str, ...] = (
    "missing_year",
    "invalid_year",
    "missing_value",
    "invalid_value",
    "missing_weight",
    "missing_area",
    "unmapped_area",
    "missing_activity",
    "invalid_activity",
)

CODE_SEPARATOR = ";"
_INVALID = "!"  # prefix of an invalid code after normalisation (cannot collide: codes are [0-9A-Z]+)
_YEAR_RE = r"^[0-9]{4}$"
_NUMBER_RE = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_CODE_STRIP_RE = r"[^0-9A-Za-z]"
_PARQUET_SUFFIXES = (".parquet", ".pq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt")


class RecordsError(ValueError):
    """Bad records input: missing files or columns, wrong column types, a bad lookup table."""


# --------------------------------------------------------------------------------------- report
@dataclass
class RecordsReport:
    """What happened to every record of one :func:`records_to_panel` run.

    Counts add up: ``records_read == records_aggregated + sum(records_set_aside.values())``.
    With fractional counting the value reconciles too:
    ``value_read == value_aggregated + sum(value_set_aside.values()) + invalid_code_value``
    (to floating-point rounding), where ``value_read`` sums the value of every record that has
    one (records set aside for a missing or invalid value or weight contribute nothing).
    """

    engine: str
    multi_code: str
    files: tuple[str, ...]
    records_read: int
    records_aggregated: int
    records_set_aside: dict[str, int]
    records_split: int
    code_rows: int
    invalid_code_rows: int
    value_read: float
    value_aggregated: float
    value_set_aside: dict[str, float]
    invalid_code_value: float
    cells: int
    seconds: float
    unmapped_area_examples: list[tuple[str, int]] = field(default_factory=list)
    invalid_code_examples: list[tuple[str, int]] = field(default_factory=list)
    engine_seconds: float = 0.0  # time in the engine's main aggregation query (the rest: reading, Panel)

    def __post_init__(self) -> None:
        set_aside = sum(self.records_set_aside.values())
        if self.records_aggregated + set_aside != self.records_read:
            raise AssertionError(
                f"record counts do not add up: read {self.records_read} != aggregated "
                f"{self.records_aggregated} + set aside {set_aside}"
            )

    @property
    def records_set_aside_total(self) -> int:
        return int(sum(self.records_set_aside.values()))

    def reconciles(self, rtol: float = 1e-9) -> bool:
        """Whether the value totals reconcile (fractional counting only; full counting
        deliberately counts a record once per code)."""
        if self.multi_code != "fractional":
            return True
        rhs = self.value_aggregated + sum(self.value_set_aside.values()) + self.invalid_code_value
        return math.isclose(self.value_read, rhs, rel_tol=rtol, abs_tol=rtol)

    def note(self) -> str:
        """One line for the provenance notes."""
        parts = [
            f"records read {self.records_read}",
            f"aggregated {self.records_aggregated}",
            f"split (several codes) {self.records_split}",
            f"code rows {self.code_rows}",
        ]
        parts += [f"set aside {n} ({why})" for why, n in self.records_set_aside.items() if n]
        if self.invalid_code_rows:
            parts.append(f"invalid code rows set aside {self.invalid_code_rows}")
        parts.append(f"{self.multi_code} counting; engine {self.engine}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --------------------------------------------------------------------------------------- inputs
def resolve_paths(records: str | Path | Sequence[str | Path]) -> tuple[list[Path], str]:
    """Expand files, globs and directories into a sorted file list and its format.

    Returns ``(paths, fmt)`` with ``fmt`` ``"parquet"`` or ``"csv"``. Raises
    :class:`RecordsError` for a pattern that matches nothing, a missing file, or a mix of
    formats.
    """
    items = [records] if isinstance(records, str | Path) else list(records)
    if not items:
        raise RecordsError("no records files given")
    out: list[Path] = []
    for item in items:
        s = str(item)
        if any(ch in s for ch in "*?["):
            matched = sorted(Path(p) for p in globmod.glob(s, recursive=True) if Path(p).is_file())
            if not matched:
                raise RecordsError(f"records pattern {s!r} matches no file")
            out.extend(matched)
        elif Path(s).is_dir():
            matched = sorted(p for p in Path(s).rglob("*") if p.is_file() and _format_of(p) is not None)
            if not matched:
                raise RecordsError(f"records directory {s!r} holds no .parquet or .csv file")
            out.extend(matched)
        elif Path(s).is_file():
            out.append(Path(s))
        else:
            raise RecordsError(f"records file {s!r} does not exist")
    formats = {_format_of(p) for p in out}
    if None in formats:
        bad = next(p for p in out if _format_of(p) is None)
        raise RecordsError(f"{bad}: unknown records format; expected .parquet or .csv")
    if len(formats) > 1:
        raise RecordsError(f"records mix Parquet and CSV files ({len(out)} files); convert them to one format")
    seen: dict[str, Path] = {}
    for p in out:
        seen.setdefault(str(p.resolve()), p)
    return list(seen.values()), formats.pop()  # type: ignore[return-value]


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    return None


def load_area_map(area_map: str | Path | pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read an area lookup (record key -> area code) as a two-column frame ``key, area``.

    ``area_map`` is a CSV/Parquet file or a frame; ``columns`` names the key and area
    columns (default: the first two). Keys are normalised like record keys (upper-cased, spaces
    removed: ``"sw1a 1aa"`` -> ``"SW1A1AA"``). Raises :class:`RecordsError` for a
    missing column, an empty key or area, or a key mapped to two different areas (naming the
    file, line and values).
    """
    where = "area map frame" if isinstance(area_map, pd.DataFrame) else str(area_map)
    if isinstance(area_map, pd.DataFrame):
        frame = area_map.astype(str).where(area_map.notna(), None)
    else:
        path = Path(area_map)
        if not path.is_file():
            raise RecordsError(f"area map {where!r} does not exist")
        if path.name.lower().endswith(_PARQUET_SUFFIXES):
            frame = pq.read_table(path).to_pandas()
            frame = frame.astype(str).where(frame.notna(), None)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding_errors="replace")
    if columns is None:
        if frame.shape[1] < 2:
            raise RecordsError(f"{where}: needs two columns (record key, area code); has {list(frame.columns)}")
        columns = list(frame.columns[:2])
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise RecordsError(f"{where}: lacks columns {absent}; has {list(frame.columns)}")
    key_col, area_col = columns[0], columns[1]
    frame = frame.reset_index(drop=True)
    key = frame[key_col].astype("string").str.replace(" ", "", regex=False).str.strip().str.upper()
    area = frame[area_col].astype("string").str.strip()
    for col, ser in ((key_col, key), (area_col, area)):
        bad = ser.isna() | (ser == "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise RecordsError(f"{where}: line {i + 2}, column {col!r}: empty value; expected a code")
    out = pd.DataFrame({"key": key.astype(str), "area": area.astype(str)}).drop_duplicates()
    dup = out["key"].duplicated(keep=False)
    if dup.any():
        k = out.loc[dup, "key"].iloc[0]
        areas = sorted(out.loc[out["key"] == k, "area"])
        i = int(np.flatnonzero((key == k).to_numpy())[1])
        raise RecordsError(
            f"{where}: line {i + 2}, column {key_col!r}: key {k!r} maps to several areas {areas}; "
            "expected each key once (split a key between areas with a weights column instead)"
        )
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class _Spec:
    area: str
    activity: str
    year: str
    value: str | None
    weights: str | None
    activity_level: int | None
    activity_pattern: str | None
    multi_code: str
    has_map: bool


def _spec(area: str, activity: str, year: str, value: str | None, count: bool, weights: str | None,
          activity_level: int | None, activity_pattern: str | None, multi_code: str, has_map: bool) -> _Spec:
    if (value is None) == (not count):
        raise RecordsError("give exactly one of value=COLUMN or count=True")
    if multi_code not in ("fractional", "full"):
        raise RecordsError(f"multi_code must be 'fractional' or 'full', not {multi_code!r}")
    if activity_level is not None and (not isinstance(activity_level, int) or activity_level < 1):
        raise RecordsError(f"activity_level must be a positive integer (number of leading characters), "
                           f"not {activity_level!r}")
    if activity_pattern is not None:
        try:
            re.compile(activity_pattern)
        except re.error as exc:
            raise RecordsError(f"activity_pattern {activity_pattern!r} is not a regular expression: {exc}") from exc
    return _Spec(area, activity, year, value, weights, activity_level, activity_pattern, multi_code, has_map)


# --------------------------------------------------------------------------------------- the expression
def build_expression(t: Any, spec: _Spec, area_map: Any | None = None) -> Any:
    """The Ibis expression that turns a records table into grouped sums (engine-independent).

    All string and list work is done on small tables: the distinct activity field values are
    split, normalised, validated and rolled up, then exploded to one row per (field value,
    distinct target code) with its multiplicity ``mult`` (codes meeting at one target, e.g.
    ``62011;62012`` at level 4) and a ``first`` flag on exactly one row per field value (the
    smallest target); the distinct area keys are normalised and mapped. Both small tables carry
    their set-aside reason (area: missing 6 / unmapped 7; activity: no valid code 9). With an area
    map, areas are dictionary-encoded: the map carries an integer ``aid`` per area
    (:func:`map_area_ids`), so the big stream carries an integer instead of the area code; target
    codes stay short strings (grouping on 4-character codes measured as fast as on integers).
    The records are scanned once; a record whose area key is null joins no area row (reason 6)
    and one without codes joins no code row (reason 8). The record's reason is the smallest of
    its record-level reason (1-5: year, value, weight), its area reason and its activity reason,
    ``99`` meaning aggregated. A set-aside record keeps only its first row. The rows are grouped
    by ``reason, area, activity, year`` with

    * ``value = sum(v * share)``, ``share = mult / k`` (fractional) or ``1`` (full); for
      ``reason == 99`` and a non-null activity the group is a panel cell; with a null activity
      it collects the shares of invalid codes;
    * ``n = sum(mult)`` (fractional) or the number of rows (full): code rows;
    * ``nrec``, ``vrec``, ``nsplit``: records whose first row is in the group, their value ``v``
      and how many of them have several codes (record counts for every reason).

    :func:`_decode_tags` turns the result into the pandas reference's frame. ``v`` is the value
    column (or 1 with ``count``) times the weights column (if any).
    """
    import ibis

    cols = set(t.columns)
    for role, col in (("area", spec.area), ("activity", spec.activity), ("year", spec.year),
                      ("value", spec.value), ("weights", spec.weights)):
        if col is not None and col not in cols:
            raise RecordsError(f"records lack the {role} column {col!r}; they have {sorted(cols)}")

    # ---- year: integers as they are, text must be 4 digits, dates give their year
    y = t[spec.year]
    yt = y.type()
    if yt.is_integer():
        year_missing = y.isnull()
        year_v = y.cast("int64")
        year_invalid = ibis.literal(False)
    elif yt.is_string():
        ys = y.strip()
        year_missing = y.isnull() | (ys == "")
        year_invalid = ~year_missing & ~ys.re_search(_YEAR_RE)
        year_v = ibis.ifelse(year_invalid | year_missing, ibis.null("int64"), ys.cast("int64"))
    elif yt.is_floating():
        year_missing = y.isnull() | y.isnan()
        year_invalid = ~year_missing & (y != y.floor())
        year_v = ibis.ifelse(year_missing | year_invalid, ibis.null("int64"), y.floor().cast("int64"))
    elif yt.is_date() or yt.is_timestamp():
        year_missing = y.isnull()
        year_invalid = ibis.literal(False)
        year_v = y.year().cast("int64")
    else:
        raise RecordsError(f"year column {spec.year!r} has type {yt}; expected integers, 4-digit text or dates")

    # ---- value and weights
    def numeric(col: str, role: str) -> tuple[Any, Any, Any]:
        c = t[col]
        ct = c.type()
        if ct.is_numeric():
            missing = c.isnull()
            if ct.is_floating():
                missing = missing | c.isnan()
            return missing, ibis.literal(False), c.cast("float64")
        if ct.is_string():
            cs = c.strip()
            missing = c.isnull() | (cs == "")
            invalid = ~missing & ~cs.re_search(_NUMBER_RE)
            return missing, invalid, ibis.ifelse(missing | invalid, ibis.null("float64"), cs.cast("float64"))
        raise RecordsError(f"{role} column {col!r} has type {ct}; expected numbers")

    false = ibis.literal(False)
    if spec.value is not None:
        value_missing, value_invalid, v = numeric(spec.value, "value")
    else:
        value_missing, value_invalid, v = false, false, ibis.literal(1.0, type="float64")
    if spec.weights is not None:
        w_missing, w_invalid, w = numeric(spec.weights, "weights")
        weight_missing = w_missing | w_invalid
        v = v * w
    else:
        weight_missing = false

    # ---- record-level reasons (1-5), as 99 when the record passes (99 = "no reason": see below)
    ok_ = 99
    rec_reason = ibis.cases(
        (year_missing, 1), (year_invalid, 2), (value_missing, 3), (value_invalid, 4), (weight_missing, 5),
        else_=ok_,
    )

    # ---- area: normalised and mapped once per DISTINCT key (a small table joined back), not per record;
    # the area reason (6 missing, 7 unmapped) and the area's integer id are columns of that small table
    a = t[spec.area]
    if not a.type().is_string():
        a = a.cast("string")
    adim = t.select(sia_araw=a).distinct()
    if spec.has_map:
        # upper-cased, spaces removed; the map's keys were normalised the same way (load_area_map)
        a_key = adim["sia_araw"].replace(" ", "").upper()
    else:
        a_key = adim["sia_araw"].strip()
    adim = adim.mutate(sia_akey=a_key)
    if spec.has_map:
        if area_map is None:
            raise RecordsError("internal: area map expected")
        # dictionary encoding: each area of the map has a small integer id (column "aid", numbered by
        # map_area_ids), so that the big aggregation groups on an integer; labels go back in pandas
        if "aid" not in area_map.columns:
            raise RecordsError("internal: the area map needs an integer 'aid' column (see map_area_ids)")
        m = area_map.select(sia_mkey="key", sia_aid=area_map["aid"].cast("int64"))
        adim = adim.left_join(m, adim["sia_akey"] == m["sia_mkey"])
        adim = adim.select(
            "sia_araw",
            sia_area=adim["sia_aid"],
            sia_areason=ibis.cases((adim["sia_akey"] == "", 6), (adim["sia_aid"].isnull(), 7), else_=ok_),
        )
    else:
        adim = adim.select(
            "sia_araw",
            sia_area=ibis.ifelse(adim["sia_akey"] == "", ibis.null("string"), adim["sia_akey"]),
            sia_areason=ibis.ifelse(adim["sia_akey"] == "", 6, ok_),
        )

    # ---- activity: split, normalise, validate and roll up once per DISTINCT field value, then
    # explode that small table to one row per (field value, distinct target code)
    act = t[spec.activity]
    at = act.type()
    if not (at.is_string() or (at.is_array() and at.value_type.is_string())):
        raise RecordsError(
            f"activity column {spec.activity!r} has type {at}; expected text codes (';'-separated) or a list of "
            "text codes. Numeric codes lose their leading zeros (SIC '01110' read as 1110): store them as text"
        )
    level = spec.activity_level
    pattern = spec.activity_pattern

    def valid(c: Any) -> Any:
        cond = c.length() >= (level or 1)
        if pattern is not None:
            cond = cond & c.re_search(pattern)
        return cond

    def target(c: Any) -> Any:
        kept = c.substr(0, level) if level else c
        return ibis.ifelse(valid(c), kept, _INVALID + c)

    cdim = t.select(sia_craw=act).distinct()
    raw = cdim["sia_craw"]
    arr = raw.split(CODE_SEPARATOR) if at.is_string() else raw
    codes = arr.map(lambda c: c.re_replace(_CODE_STRIP_RE, "").upper()).filter(lambda c: c != "").unique()
    targets = codes.map(target)
    c1 = cdim.select(
        sia_craw="sia_craw",
        sia_k=codes.length(),
        sia_nvalid=codes.filter(valid).length(),
        sia_tmin=targets.mins(),  # the smallest target marks the record's "first" row
        sia_item=targets.unnest(),  # no row when there is no code: the record joins nothing (reason 8)
    )
    # codes meeting at the same target (62011;62012 at level 4) become one row with multiplicity
    c2 = c1.group_by(["sia_craw", "sia_k", "sia_nvalid", "sia_tmin", "sia_item"]).aggregate(sia_mult=c1.count())
    valid_item = ~c2["sia_item"].startswith(_INVALID)
    if spec.multi_code == "fractional":
        share = c2["sia_mult"].cast("float64") / c2["sia_k"].cast("float64")
        nrow = c2["sia_mult"].cast("int64")
    else:
        share = ibis.literal(1.0, type="float64")
        nrow = ibis.literal(1, type="int64")
    clong = c2.select(
        "sia_craw",
        # target codes are short strings (4 characters for SIC classes): grouping on them costs no more
        # than on integer ids (measured), so they are not dictionary-encoded
        sia_act=ibis.ifelse(valid_item, c2["sia_item"], ibis.null("string")),  # null for an invalid code
        sia_share=share,
        sia_nrow=nrow,
        sia_first=c2["sia_item"] == c2["sia_tmin"],
        sia_split=(c2["sia_item"] == c2["sia_tmin"]) & (c2["sia_k"] >= 2),
        sia_creason=ibis.ifelse(c2["sia_nvalid"] == 0, 9, ok_),
    )

    # ---- the records: one pass, two joins with the small tables, then only small keys (ids, short codes)
    t1 = t.select(sia_year=year_v, sia_v=v, sia_araw=a, sia_craw=act, sia_rreason=rec_reason)
    j = t1.left_join(adim, t1["sia_araw"] == adim["sia_araw"]).left_join(
        clong, t1["sia_craw"] == clong["sia_craw"])
    # the first failing reason in SET_ASIDE_REASONS order is the smallest; 99 = aggregated. A record
    # whose area key is null joins no area row (reason 6); one without codes joins no code row (8).
    reason = ibis.least(j["sia_rreason"], j["sia_areason"].fill_null(6), j["sia_creason"].fill_null(8))
    first = j["sia_first"].fill_null(True)
    t2 = j.select(
        sia_reason=reason,
        sia_area=j["sia_area"],
        sia_act=j["sia_act"],
        sia_year=j["sia_year"],
        sia_v=j["sia_v"],
        sia_share=j["sia_share"],
        sia_nrow=j["sia_nrow"],
        sia_first=first,
        sia_split=j["sia_split"].fill_null(False),
    )
    # a set-aside record keeps only its first row (its code rows are not aggregated)
    t2 = t2.filter((t2["sia_reason"] == ok_) | t2["sia_first"])
    agg = t2.group_by(
        reason=t2["sia_reason"].cast("int64"), area=t2["sia_area"], activity=t2["sia_act"],
        year=t2["sia_year"].cast("int64"),
    ).aggregate(
        value=(t2["sia_v"] * t2["sia_share"]).sum(),
        n=t2["sia_nrow"].sum(),
        nrec=t2["sia_first"].cast("int64").sum(),
        vrec=ibis.ifelse(t2["sia_first"], t2["sia_v"], ibis.null("float64")).sum(),
        nsplit=t2["sia_split"].cast("int64").sum(),
    )
    return agg


def map_area_ids(amap: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Number the areas of a lookup (from :func:`load_area_map`): ``(map with column aid, labels)``
    with ``labels[aid]`` the area code (sorted, ids ``0..n-1``)."""
    ids, labels = pd.factorize(amap["area"], sort=True)
    return amap.assign(aid=ids.astype(np.int64)), np.asarray(labels, dtype=object)


def _decode_tags(result: pd.DataFrame, area_labels: np.ndarray | None = None) -> pd.DataFrame:
    """Turn the result of :func:`build_expression` into the frame the pandas reference gives.

    Columns ``kind, reason, kbucket, area, activity, year, value, n``: ``kind`` is ``"cell"``
    (area ids turned back into codes through ``area_labels`` when an area map was used),
    ``"invalid"`` (the invalid codes of aggregated records) or ``"record"`` (per set-aside
    ``reason``; aggregated records as reason ``"ok"`` split by ``kbucket`` 1 = one code,
    2 = several codes).
    """
    reason = result["reason"].to_numpy(dtype=np.int64)
    ok = result[reason == 99]
    has_code = ok["activity"].notna().to_numpy()
    cells = ok[has_code]
    inv = ok[~has_code]
    if area_labels is not None:
        area = area_labels[cells["area"].to_numpy(dtype=np.int64)]
    else:
        area = cells["area"].astype(str).to_numpy()
    out_cells = pd.DataFrame({
        "kind": "cell", "reason": "ok", "kbucket": -1, "area": area,
        "activity": cells["activity"].astype(str).to_numpy(),
        "year": cells["year"].astype(np.int64).to_numpy(), "value": cells["value"].to_numpy(dtype=np.float64),
        "n": cells["n"].astype(np.int64).to_numpy(),
    })
    aside = result[reason != 99]
    by = aside.groupby(aside["reason"].astype(np.int64)).agg(vrec=("vrec", "sum"), nrec=("nrec", "sum"))
    names = np.array(SET_ASIDE_REASONS, dtype=object)
    nrec, nsplit = int(ok["nrec"].sum()), int(ok["nsplit"].sum())
    small = [
        pd.DataFrame({"kind": "record", "reason": names[by.index.to_numpy() - 1], "kbucket": -1,
                      "value": by["vrec"].to_numpy(dtype=np.float64), "n": by["nrec"].to_numpy(dtype=np.int64)}),
        pd.DataFrame({"kind": "record", "reason": "ok", "kbucket": [1, 2], "value": [float(ok["vrec"].sum()), 0.0],
                      "n": [nrec - nsplit, nsplit]}),
        pd.DataFrame({"kind": "invalid", "reason": "ok", "kbucket": -1,
                      "value": [float(inv["value"].sum())], "n": [int(inv["n"].sum())]}),
    ]
    return pd.concat([out_cells, *small], ignore_index=True)


def _examples_expression(t: Any, spec: _Spec, area_map: Any | None, what: str, limit: int) -> Any:
    """Most frequent unmapped area keys or invalid codes (only run when there are some)."""
    import ibis

    if what == "area":
        a = t[spec.area]
        if not a.type().is_string():
            a = a.cast("string")
        key = a.replace(" ", "").upper()
        t1 = t.select(sia_akey=key).filter(lambda s: s["sia_akey"].notnull() & (s["sia_akey"] != ""))
        m = area_map.rename(sia_mkey="key", sia_marea="area")
        j = t1.left_join(m, t1["sia_akey"] == m["sia_mkey"])
        j = j.filter(j["sia_marea"].isnull())
        return j.group_by(j["sia_akey"].name("example")).aggregate(n=j.count()).order_by(
            [ibis.desc("n"), "example"]).limit(limit)
    act = t[spec.activity]
    g = t.group_by(sia_craw=act).aggregate(sia_n=t.count())  # one row per distinct field value
    raw = g["sia_craw"]
    arr = raw.split(CODE_SEPARATOR) if act.type().is_string() else raw
    codes = arr.map(lambda c: c.re_replace(_CODE_STRIP_RE, "").upper()).filter(lambda c: c != "").unique()
    level = spec.activity_level or 1
    pattern = spec.activity_pattern
    t1 = g.select("sia_n", sia_code=codes.unnest())
    cond = t1["sia_code"].length() < level
    if pattern is not None:
        cond = cond | ~t1["sia_code"].re_search(pattern)
    t1 = t1.filter(cond)
    return t1.group_by(t1["sia_code"].name("example")).aggregate(n=t1["sia_n"].sum()).order_by(
        [ibis.desc("n"), "example"]).limit(limit)


# --------------------------------------------------------------------------------------- engines
def spark_session(master: str | None = None, *, driver_memory: str = "2g", shuffle_partitions: int = 4) -> Any:
    """A SparkSession set up for ``sia`` (the active one if there is one).

    Local by default (``local[*]``); ``master`` may be ``local[2]`` or a cluster URL
    (``spark://host:7077``). Binds to 127.0.0.1 for local masters, uses a temporary
    warehouse directory, no UI and no console progress bars.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RecordsError('engine="spark" needs pyspark: pip install "sia[spark]"') from exc
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    master = master or "local[*]"
    builder = SparkSession.builder.master(master).appName("sia-records")
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1")
    session = (
        builder.config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="sia-spark-warehouse-"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _spark_memory(limit: str) -> str:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)I?B?\s*", limit.upper())
    if not m:
        raise RecordsError(f"memory_limit {limit!r} is not a size like '2GB' or '512MB'")
    number, unit = float(m.group(1)), m.group(2) or "M"
    mb = number * {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}[unit]
    return f"{max(int(mb), 512)}m"


def _connect(engine: str, memory_limit: str, temp_directory: str | Path | None, threads: int | None,
             spark_master: str | None, spark: Any | None) -> Any:
    import ibis

    if engine == "duckdb":
        config: dict[str, Any] = {"memory_limit": memory_limit, "preserve_insertion_order": False}
        if temp_directory is not None:
            config["temp_directory"] = str(temp_directory)
        if threads is not None:
            config["threads"] = int(threads)
        con = ibis.duckdb.connect(**config)
        # Ibis 12 writes list lambdas as `x -> ...`, which DuckDB 2 rejects unless this is set
        try:
            con.raw_sql("SET lambda_syntax='ENABLE_SINGLE_ARROW'")
        except Exception:  # older DuckDB without the setting accepts arrows anyway
            pass
        # The records are always the left (probe) side of the joins and the small distinct-key tables
        # the right (build) side. DuckDB's cardinality estimate of the exploded code table can flip a
        # join and build a hash table of all records (measured: 3x slower at 10 M records, 2x memory).
        try:
            con.raw_sql("SET disabled_optimizers='build_side_probe_side'")
        except Exception:  # a DuckDB without that optimizer: nothing to disable
            pass
        return con
    if engine == "spark":
        session = spark if spark is not None else spark_session(spark_master, driver_memory=_spark_memory(memory_limit))
        return ibis.pyspark.connect(session)
    raise RecordsError(f"engine must be 'duckdb', 'spark' or 'pandas', not {engine!r}")


def _read(con: Any, engine: str, paths: list[Path], fmt: str) -> Any:
    import ibis

    strs = [str(p) for p in paths]
    if engine == "duckdb":
        if fmt == "parquet":
            return con.read_parquet(strs)
        return con.read_csv(strs, all_varchar=True)
    session = con._session
    if fmt == "parquet":
        df = session.read.parquet(*strs)
    else:
        df = session.read.csv(strs, header=True, inferSchema=False)
    name = ibis.util.gen_name("sia_records")
    df.createOrReplaceTempView(name)
    return con.table(name)


def _run(con: Any, engine: str, expr: Any, progress: ProgressCallback | None, label: str) -> pa.Table:
    """Execute ``expr`` to Arrow; on DuckDB poll ``query_progress`` from this thread."""
    if engine != "duckdb" or progress is None:
        if progress is not None:
            progress(label, None)
        return con.to_pyarrow(expr)
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["table"] = con.to_pyarrow(expr)
        except BaseException as exc:  # re-raised in the calling thread
            result["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    raw = con.con
    while worker.is_alive():
        worker.join(0.25)
        try:
            pct = float(raw.query_progress())
        except Exception:  # progress is best effort
            pct = -1.0
        progress(label, pct / 100.0 if pct >= 0 else None)
    if "error" in result:
        raise result["error"]
    progress(label, 1.0)
    return result["table"]


# --------------------------------------------------------------------------------------- public entry
def records_to_panel(
    records: str | Path | Sequence[str | Path] | pd.DataFrame,
    *,
    area: str,
    activity: str,
    year: str,
    value: str | None = None,
    count: bool = False,
    weights: str | None = None,
    area_map: str | Path | pd.DataFrame | None = None,
    area_map_columns: Sequence[str] | None = None,
    activity_level: int | None = None,
    activity_pattern: str | None = None,
    multi_code: MultiCode = "fractional",
    engine: Engine = "duckdb",
    memory_limit: str = "2GB",
    temp_directory: str | Path | None = None,
    threads: int | None = None,
    spark_master: str | None = None,
    spark: Any | None = None,
    measure: str | None = None,
    unit: str | None = None,
    absent: Literal["zero", "missing"] = "zero",
    output: str | Path | None = None,
    examples: int = 5,
    progress: ProgressCallback | None = None,
) -> tuple[Panel, RecordsReport]:
    """Aggregate records into an ``area x activity x year`` panel.

    Parameters
    ----------
    records
        Parquet or CSV file(s): a path, a glob (``"firms/*.parquet"``), a directory, a list of
        these, or a pandas frame. CSV columns are read as text and parsed here.
    area, activity, year
        Column names. ``activity`` holds one code, several codes separated by ``;``, or a list.
    value, count
        Sum the ``value`` column, or (``count=True``) count records.
    weights
        Optional column multiplying each record's value (e.g. an inventor share).
    area_map
        Lookup from the record's area key to an area code (file or frame; see
        :func:`load_area_map`); keys are compared upper-cased without spaces. Without it
        the area column is used as it is (stripped).
    activity_level
        Keep the first N characters of each normalised code (SIC 2007: 2 division, 3 group,
        4 class, 5 subclass). Codes shorter than N are invalid.
    activity_pattern
        Optional regular expression a normalised code must match to be valid
        (``r"^[0-9]{5}$"`` for SIC 2007 subclasses).
    multi_code
        ``"fractional"`` (each of k codes gets 1/k) or ``"full"`` (each distinct target code
        gets the full value). See the module docstring.
    engine
        ``"duckdb"`` (default), ``"spark"`` or ``"pandas"`` (the in-memory reference).
    memory_limit, temp_directory, threads
        DuckDB settings (spills to ``temp_directory`` beyond the limit); for Spark,
        ``memory_limit`` sets the driver memory of a session created here.
    spark_master, spark
        Spark master URL for a new session, or an existing SparkSession.
    measure, unit
        Panel measure and unit; default the value column name (or ``"records"``).
    absent
        ``"zero"``: cells without records are 0 and observed; ``"missing"``: NaN and missing.
    output
        Write the panel to this Parquet file (the foundation's tidy panel format).
    examples
        How many of the most frequent unmapped area keys and invalid codes to report (0: none;
        each needs one more pass over the records, taken only when there are some).
    progress
        Callback ``progress(stage, fraction_or_None)``.

    Returns
    -------
    (Panel, RecordsReport)
    """
    t0 = time.perf_counter()
    spec = _spec(area, activity, year, value, count, weights, activity_level, activity_pattern, multi_code,
                 area_map is not None)
    amap = load_area_map(area_map, area_map_columns) if area_map is not None else None
    if isinstance(records, pd.DataFrame):
        paths, fmt, frame = [], "frame", records
    else:
        paths, fmt = resolve_paths(records)
        frame = None
    if engine == "pandas":
        if frame is None:
            if progress is not None:
                progress(f"reading {len(paths)} file(s) into memory (pandas)", None)
            frame = _pandas_read(paths, fmt)
        if progress is not None:
            progress("aggregating (pandas)", None)
        t_engine = time.perf_counter()
        grouped, ex_area, ex_code = _pandas_aggregate(frame, spec, amap, examples)
        engine_seconds = time.perf_counter() - t_engine
    else:
        import ibis

        con = _connect(engine, memory_limit, temp_directory, threads, spark_master, spark)
        if progress is not None:
            progress(f"reading {len(paths) or 1} file(s) on {engine}", None)
        t = ibis.memtable(frame) if frame is not None else _read(con, engine, paths, fmt)
        if frame is not None and engine == "duckdb":
            t = con.create_table(ibis.util.gen_name("sia_records"), frame, temp=True)
        m, area_labels = None, None
        if amap is not None:  # the map's areas numbered here, turned back into codes after the query
            amap_ids, area_labels = map_area_ids(amap)
            m = ibis.memtable(amap_ids)
        expr = build_expression(t, spec, m)
        t_engine = time.perf_counter()
        grouped = _decode_tags(_run(con, engine, expr, progress, f"aggregating on {engine}").to_pandas(), area_labels)
        engine_seconds = time.perf_counter() - t_engine
        ex_area: list[tuple[str, int]] = []
        ex_code: list[tuple[str, int]] = []
        rec = grouped[grouped["kind"] == "record"]
        if examples and amap is not None and (rec["reason"] == "unmapped_area").any():
            ex = _run(con, engine, _examples_expression(t, spec, m, "area", examples), progress,
                      "collecting unmapped area keys").to_pandas()
            ex_area = [(str(a), int(n)) for a, n in zip(ex["example"], ex["n"], strict=True)]
        n_invalid = int(grouped.loc[grouped["kind"] == "invalid", "n"].sum())
        if examples and (n_invalid > 0 or (rec["reason"] == "invalid_activity").any()):
            ex = _run(con, engine, _examples_expression(t, spec, None, "code", examples), progress,
                      "collecting invalid codes").to_pandas()
            ex_code = [(str(a), int(n)) for a, n in zip(ex["example"], ex["n"], strict=True)]
        if engine == "duckdb":
            con.disconnect()
    panel, report = _assemble(
        grouped, spec, engine=engine, files=tuple(str(p) for p in paths), ex_area=ex_area, ex_code=ex_code,
        measure=measure, unit=unit, absent=absent, seconds=time.perf_counter() - t0,
    )
    report.engine_seconds = engine_seconds
    if output is not None:
        if progress is not None:
            progress(f"writing {output}", None)
        panel.to_parquet(output)
    return panel, report


def _assemble(grouped: pd.DataFrame, spec: _Spec, *, engine: str, files: tuple[str, ...],
              ex_area: list[tuple[str, int]], ex_code: list[tuple[str, int]], measure: str | None,
              unit: str | None, absent: str, seconds: float) -> tuple[Panel, RecordsReport]:
    """Split the grouped sums into panel cells and report counts, and build the Panel."""
    g = grouped.copy()
    g["value"] = pd.to_numeric(g["value"], errors="raise").astype(np.float64).fillna(0.0)
    g["n"] = g["n"].astype(np.int64)
    rec = g[g["kind"] == "record"]
    cells = g[g["kind"] == "cell"]
    inv = g[g["kind"] == "invalid"]
    by_reason_n = rec.groupby("reason")["n"].sum()
    by_reason_v = rec.groupby("reason")["value"].sum()
    records_read = int(rec["n"].sum())
    set_aside = {r: int(by_reason_n.get(r, 0)) for r in SET_ASIDE_REASONS}
    value_set_aside = {r: float(by_reason_v.get(r, 0.0)) for r in SET_ASIDE_REASONS}
    ok = rec[rec["reason"] == "ok"]
    report = RecordsReport(
        engine=engine,
        multi_code=spec.multi_code,
        files=files,
        records_read=records_read,
        records_aggregated=int(ok["n"].sum()),
        records_set_aside=set_aside,
        records_split=int(ok.loc[ok["kbucket"] == 2, "n"].sum()),
        code_rows=int(cells["n"].sum() + inv["n"].sum()),
        invalid_code_rows=int(inv["n"].sum()),
        value_read=float(rec["value"].sum()),
        value_aggregated=float(cells["value"].sum()),
        value_set_aside=value_set_aside,
        invalid_code_value=float(inv["value"].sum()),
        cells=len(cells),
        seconds=seconds,
        unmapped_area_examples=ex_area,
        invalid_code_examples=ex_code,
    )
    frame = pd.DataFrame({
        "area": cells["area"].astype(str).to_numpy(),
        "activity": cells["activity"].astype(str).to_numpy(),
        "year": cells["year"].astype(np.int64).to_numpy(),
        "value": cells["value"].to_numpy(),
        "status": np.full(len(cells), int(Status.OBSERVED), dtype=np.uint8),  # codes: no per-row label parsing
    })
    measure = measure or (spec.value if spec.value is not None else "records")
    if unit is None:
        unit = "records" if spec.value is None else ""
    query = (
        f"area={spec.area}; activity={spec.activity}; year={spec.year}; "
        + (f"value={spec.value}" if spec.value else "count")
        + (f"; weights={spec.weights}" if spec.weights else "")
        + (f"; activity_level={spec.activity_level}" if spec.activity_level else "")
        + (f"; activity_pattern={spec.activity_pattern}" if spec.activity_pattern else "")
        + f"; multi_code={spec.multi_code}; area_map={'yes' if spec.has_map else 'no'}"
    )
    notes = [report.note()]
    if files and _is_synthetic(files[0]):
        notes.insert(0, "SYNTHETIC records generated by sia.sources.synthetic: not real data")
    if report.unmapped_area_examples:
        notes.append("unmapped area keys (most frequent): "
                     + ", ".join(f"{k} ({n})" for k, n in report.unmapped_area_examples))
    if report.invalid_code_examples:
        notes.append("invalid activity codes (most frequent): "
                     + ", ".join(f"{k} ({n})" for k, n in report.invalid_code_examples))
    prov_kwargs: dict[str, Any] = {
        "source": files[0] if len(files) == 1 else (f"{len(files)} files: {files[0]} ..." if files else "frame"),
        "table": "records",
        "query": query,
        "loader": "sia.sources.records.records_to_panel",
        "loader_version": __version__,
        "notes": tuple(notes),
    }
    known = {f.name for f in fields(Provenance)}
    for k, v in (("rows_read", report.records_read), ("rows_loaded", report.records_aggregated),
                 ("rows_set_aside", report.records_set_aside_total)):
        if k in known:
            prov_kwargs[k] = v
    prov = Provenance(**prov_kwargs)
    if frame.empty:
        raise RecordsError(
            f"no record could be aggregated: {report.records_read} read, set aside "
            + ", ".join(f"{n} {why}" for why, n in report.records_set_aside.items() if n)
        )
    panel = Panel.from_frame(frame, measure=measure, unit=unit, provenance=[prov])
    if absent == "zero":
        st = panel.data["status"]
        empty = st == np.uint8(Status.MISSING)
        panel.data["value"] = panel.data["value"].where(~empty, 0.0)
        panel.data["status"] = st.where(~empty, np.uint8(Status.OBSERVED)).astype(np.uint8)
    elif absent != "missing":
        raise RecordsError(f"absent must be 'zero' or 'missing', not {absent!r}")
    return panel, report


def _is_synthetic(path: str) -> bool:
    if not path.lower().endswith(_PARQUET_SUFFIXES):
        return "synthetic" in Path(path).name.lower()
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:  # only a label
        return False
    return meta.get(b"sia_synthetic") == b"true"


def records_to_panel_pandas(records: str | Path | Sequence[str | Path] | pd.DataFrame,
                            **kwargs: Any) -> tuple[Panel, RecordsReport]:
    """The in-memory pandas reference implementation (same arguments as :func:`records_to_panel`)."""
    return records_to_panel(records, engine="pandas", **kwargs)


# --------------------------------------------------------------------------------------- pandas reference
# An independent implementation of the same rules with pandas (explode + groupby instead of
# array functions, dictionary ids and joins): the reference the Ibis expression is tested against.
def _pandas_read(paths: list[Path], fmt: str) -> pd.DataFrame:
    if fmt == "parquet":
        return pd.concat([pq.read_table(p).to_pandas() for p in paths], ignore_index=True)
    return pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]) for p in paths],
                     ignore_index=True)


def _pandas_numeric(s: pd.Series, role: str, col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(x)
        return missing, np.zeros(len(s), dtype=bool), x
    if pd.api.types.is_string_dtype(s) or s.dtype == object:
        st = s.astype("string").str.strip()
        missing = (st.isna() | (st == "")).to_numpy(dtype=bool)
        ok = st.str.fullmatch(_NUMBER_RE[1:-1]).fillna(False).to_numpy(dtype=bool)
        invalid = ~missing & ~ok
        x = np.full(len(s), np.nan)
        x[ok] = st[ok].astype(float).to_numpy()
        return missing, invalid, x
    raise RecordsError(f"{role} column {col!r} has type {s.dtype}; expected numbers")


def _pandas_year(s: pd.Series, col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(s)
    if pd.api.types.is_integer_dtype(s):
        missing = s.isna().to_numpy(dtype=bool)
        return missing, np.zeros(n, dtype=bool), s.fillna(0).astype(np.int64).to_numpy()
    if pd.api.types.is_float_dtype(s):
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(x)
        invalid = ~missing & (x != np.floor(x))
        return missing, invalid, np.where(missing | invalid, 0, np.nan_to_num(x)).astype(np.int64)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.isna().to_numpy(dtype=bool), np.zeros(n, dtype=bool), s.dt.year.fillna(0).astype(np.int64).to_numpy()
    if pd.api.types.is_string_dtype(s) or s.dtype == object:
        st = s.astype("string").str.strip()
        missing = (st.isna() | (st == "")).to_numpy(dtype=bool)
        ok = st.str.fullmatch(_YEAR_RE[1:-1]).fillna(False).to_numpy(dtype=bool)
        y = np.zeros(n, dtype=np.int64)
        y[ok] = st[ok].astype(np.int64).to_numpy()
        return missing, ~missing & ~ok, y
    raise RecordsError(f"year column {col!r} has type {s.dtype}; expected integers, 4-digit text or dates")


def _pandas_aggregate(frame: pd.DataFrame, spec: _Spec, amap: pd.DataFrame | None, examples: int
                      ) -> tuple[pd.DataFrame, list[tuple[str, int]], list[tuple[str, int]]]:
    cols = set(frame.columns)
    for role, col in (("area", spec.area), ("activity", spec.activity), ("year", spec.year),
                      ("value", spec.value), ("weights", spec.weights)):
        if col is not None and col not in cols:
            raise RecordsError(f"records lack the {role} column {col!r}; they have {sorted(cols)}")
    used = [c for c in (spec.area, spec.activity, spec.year, spec.value, spec.weights) if c is not None]
    frame = frame[list(dict.fromkeys(used))].copy()
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):  # Parquet dictionary columns
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    n = len(frame)
    y_miss, y_inv, year_v = _pandas_year(frame[spec.year], spec.year)
    if spec.value is not None:
        v_miss, v_inv, v = _pandas_numeric(frame[spec.value], "value", spec.value)
    else:
        v_miss, v_inv, v = np.zeros(n, bool), np.zeros(n, bool), np.ones(n)
    if spec.weights is not None:
        w_miss, w_inv, w = _pandas_numeric(frame[spec.weights], "weights", spec.weights)
        w_missing = w_miss | w_inv
        v = v * w
    else:
        w_missing = np.zeros(n, bool)
    a = frame[spec.area].astype("string")
    if amap is not None:
        key = a.str.replace(r"\s+", "", regex=True).str.upper()
    else:
        key = a.str.strip()
    a_miss = (key.isna() | (key == "")).to_numpy(dtype=bool)
    if amap is not None:
        area_out = key.map(dict(zip(amap["key"], amap["area"], strict=True)))
        unmapped = ~a_miss & area_out.isna().to_numpy(dtype=bool)
    else:
        area_out = key
        unmapped = np.zeros(n, bool)

    # long table of (record, normalised code), duplicates within a record removed
    act = frame[spec.activity]
    first = act.dropna().iloc[0] if act.notna().any() else None
    if first is not None and not isinstance(first, str | list | tuple | np.ndarray):
        raise RecordsError(
            f"activity column {spec.activity!r} holds {type(first).__name__} values; expected text codes "
            "(';'-separated) or a list of text codes. Numeric codes lose their leading zeros: store them as text"
        )
    lists = act.map(lambda x: x.split(CODE_SEPARATOR) if isinstance(x, str) else x)
    long = pd.DataFrame({"rec": np.arange(n), "code": lists.to_numpy()}).explode("code")
    long = long[long["code"].notna()]
    long["code"] = long["code"].astype(str).str.replace(_CODE_STRIP_RE, "", regex=True).str.upper()
    long = long[long["code"] != ""].drop_duplicates()
    lvl = spec.activity_level or 1
    valid = (long["code"].str.len() >= lvl).to_numpy(dtype=bool).copy()
    if spec.activity_pattern is not None:
        valid &= long["code"].str.contains(spec.activity_pattern, regex=True).to_numpy(dtype=bool)
    long["valid"] = valid
    long["target"] = np.where(valid, long["code"].str[: spec.activity_level] if spec.activity_level else long["code"],
                              _INVALID + long["code"])
    k = np.bincount(long["rec"].to_numpy(dtype=np.int64), minlength=n)
    n_valid = np.bincount(long["rec"].to_numpy(dtype=np.int64), weights=valid.astype(float), minlength=n)

    conditions = [y_miss, y_inv, v_miss, v_inv, w_missing, a_miss, unmapped, k == 0, n_valid == 0]
    reason = np.select(conditions, list(SET_ASIDE_REASONS), default="ok")
    v_rec = np.where(np.isnan(v), np.nan, v)
    records = pd.DataFrame({"reason": reason, "kbucket": np.minimum(k, 2), "v": v_rec})
    rec_g = records.groupby(["reason", "kbucket"], as_index=False).agg(value=("v", "sum"), n=("v", "size"))
    rec_g["kind"] = "record"

    okmask = reason == "ok"
    long = long[okmask[long["rec"].to_numpy(dtype=np.int64)]]
    if spec.multi_code == "full":
        long = long.drop_duplicates(["rec", "target"])
        share = np.ones(len(long))
    else:
        share = 1.0 / k[long["rec"].to_numpy(dtype=np.int64)]
    r = long["rec"].to_numpy(dtype=np.int64)
    long = long.assign(contrib=v[r] * share, area=area_out.to_numpy(dtype=object)[r], year=year_v[r])
    cells = long[long["valid"]].groupby(["area", "target", "year"], as_index=False).agg(
        value=("contrib", "sum"), n=("contrib", "size")).rename(columns={"target": "activity"})
    cells["kind"] = "cell"
    cells["reason"] = "ok"
    inv = long[~long["valid"]]
    inv_g = pd.DataFrame({"kind": ["invalid"], "reason": ["ok"], "value": [inv["contrib"].sum()],
                          "n": [len(inv)]}) if len(inv) else pd.DataFrame(columns=["kind", "reason", "value", "n"])
    grouped = pd.concat([rec_g, cells, inv_g], ignore_index=True)
    for c in ("kbucket", "area", "activity", "year"):
        if c not in grouped.columns:
            grouped[c] = None
    ex_area: list[tuple[str, int]] = []
    ex_code: list[tuple[str, int]] = []
    if examples and unmapped.any():
        vc = key[unmapped].value_counts()
        vc = vc.sort_index().sort_values(ascending=False, kind="stable").head(examples)
        ex_area = [(str(a_), int(c_)) for a_, c_ in vc.items()]
    if examples:
        allcodes = pd.DataFrame({"rec": np.arange(n), "code": lists.to_numpy()}).explode("code")
        allcodes = allcodes[allcodes["code"].notna()]
        allcodes["code"] = allcodes["code"].astype(str).str.replace(_CODE_STRIP_RE, "", regex=True).str.upper()
        allcodes = allcodes[allcodes["code"] != ""].drop_duplicates()
        bad = allcodes["code"].str.len() < lvl
        if spec.activity_pattern is not None:
            bad |= ~allcodes["code"].str.contains(spec.activity_pattern, regex=True)
        if bad.any():
            vc = allcodes.loc[bad, "code"].value_counts()
            vc = vc.sort_index().sort_values(ascending=False, kind="stable").head(examples)
            ex_code = [(str(a_), int(c_)) for a_, c_ in vc.items()]
    return grouped[["kind", "reason", "kbucket", "area", "activity", "year", "value", "n"]], ex_area, ex_code
