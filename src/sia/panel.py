"""The panel: one measure over area x activity x year, with per-cell status and provenance.

A :class:`Panel` wraps an :class:`xarray.Dataset` with two variables on the dimensions
``("area", "activity", "year", *extra)``:

``value``
    float64 values; a cell with no usable number holds NaN.
``status``
    uint8 codes of :class:`Status`: observed, rounded, estimated, incomplete (an aggregate
    that includes suppressed or missing cells), suppressed, missing.

and one auxiliary variable ``n_suppressed`` (int32): for aggregated cells, how many
contributing source cells were suppressed or missing (0 for loaded cells).

Extra dimensions (for example ``sizeband`` in UK Business Counts) are kept apart in every
operation, so no aggregate ever adds a "Total" band to its own parts.

Labels go on once, here, at the panel boundary; :mod:`sia.metrics` works on the bare arrays
that :meth:`Panel.matrix` returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xarray as xr

from sia import __version__
from sia.membership import Membership

CORE_DIMS = ("area", "activity", "year")
TIDY_COLUMNS = ("area", "area_name", "level", "activity", "activity_name", "year", "measure", "value", "status")


class Status(IntEnum):
    """Per-cell status, in increasing order of severity."""

    OBSERVED = 0
    ROUNDED = 1
    ESTIMATED = 2
    INCOMPLETE = 3
    SUPPRESSED = 4
    MISSING = 5

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | int | Status) -> Status:
        if isinstance(value, Status):
            return value
        if isinstance(value, int | np.integer):
            return cls(int(value))
        try:
            return cls[str(value).strip().upper()]
        except KeyError as exc:
            allowed = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown status {value!r}; expected one of {allowed}") from exc


STATUS_LABELS = np.array([s.label for s in Status], dtype=object)


@dataclass(frozen=True)
class Provenance:
    """Where the numbers of a panel came from.

    Every loader fills ``source`` (file path or URL), ``checksum`` (sha256 of the file),
    ``table`` (dataset/table name), ``vintage`` (release or boundary vintage), ``query``
    (the filter, sheet, or API query used), ``loader`` and ``loader_version``.
    ``notes`` records what was done to the data (rows set aside, codes re-based, ...).
    """

    source: str
    checksum: str = ""
    table: str = ""
    vintage: str = ""
    query: str = ""
    loader: str = ""
    loader_version: str = __version__
    retrieved: str = ""
    licence: str = ""
    notes: tuple[str, ...] = field(default=())
    rows_read: int | None = None
    rows_loaded: int | None = None
    rows_set_aside: int | None = None
    quarantine: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["notes"] = list(self.notes)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provenance:
        known = {f for f in cls.__dataclass_fields__}
        d = {k: v for k, v in d.items() if k in known}
        d["notes"] = tuple(d.get("notes", ()))
        return cls(**d)


class Panel:
    """One measure over ``area x activity x year`` (plus optional extra dimensions).

    Build panels with :meth:`from_frame` (a tidy long frame) or from a loader in
    :mod:`sia.sources`; convert back with :meth:`to_frame`.

    Parameters
    ----------
    data
        Dataset with variables ``value``, ``status`` and ``n_suppressed`` on dims
        ``("area", "activity", "year", *extra)``; coordinates ``area_name`` and
        ``area_level`` on ``area`` and ``activity_name`` on ``activity`` are optional.
    measure, unit
        What is measured (``"employment"``) and its unit (``"jobs"``, ``"GBP million"``).
    provenance
        One :class:`Provenance` per source that contributed.
    """

    def __init__(
        self,
        data: xr.Dataset,
        *,
        measure: str,
        unit: str = "",
        provenance: Sequence[Provenance] = (),
    ) -> None:
        for var in ("value", "status"):
            if var not in data:
                raise ValueError(f"panel dataset needs a {var!r} variable")
        dims = tuple(data["value"].dims)
        if dims[:3] != CORE_DIMS:
            raise ValueError(f"panel dims must start with {CORE_DIMS}, got {dims}")
        if "n_suppressed" not in data:
            data = data.assign(n_suppressed=xr.zeros_like(data["status"], dtype=np.int32))
        self.data = data
        self.measure = measure
        self.unit = unit
        self.provenance = tuple(provenance)

    # ------------------------------------------------------------------ properties
    @property
    def extra_dims(self) -> tuple[str, ...]:
        return tuple(self.data["value"].dims[3:])

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(str(a) for a in self.data["area"].values)

    @property
    def activities(self) -> tuple[str, ...]:
        return tuple(str(a) for a in self.data["activity"].values)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(int(y) for y in self.data["year"].values)

    @property
    def values(self) -> np.ndarray:
        return self.data["value"].values

    @property
    def status(self) -> np.ndarray:
        return self.data["status"].values

    def __repr__(self) -> str:
        shape = " x ".join(f"{d}={n}" for d, n in self.data["value"].sizes.items())
        return f"<Panel {self.measure!r} [{self.unit}] {shape}, {len(self.provenance)} source(s)>"

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        measure: str,
        unit: str = "",
        provenance: Sequence[Provenance] = (),
        extra_dims: Sequence[str] = (),
        fill_status: Status = Status.MISSING,
    ) -> Panel:
        """Build a panel from a tidy frame.

        ``frame`` needs columns ``area, activity, year, value`` and the ``extra_dims``;
        optional ``status`` (labels or codes; default observed), ``area_name``, ``level``,
        ``activity_name``. Keys must be unique; combinations absent from the frame become
        NaN with ``fill_status`` (missing by default).
        """
        required = [*CORE_DIMS, *extra_dims, "value"]
        absent = [c for c in required if c not in frame.columns]
        if absent:
            raise ValueError(f"tidy frame lacks columns {absent}; it has {list(frame.columns)}")
        keys = [*CORE_DIMS, *extra_dims]
        df = frame.copy()
        df["area"] = df["area"].astype(str)
        df["activity"] = df["activity"].astype(str)
        df["year"] = df["year"].astype(np.int64)
        for d in extra_dims:
            df[d] = df[d].astype(str)
        dup = df.duplicated(keys, keep=False)
        if dup.any():
            first = df.loc[dup, keys].head(3).to_dict("records")
            raise ValueError(f"{int(dup.sum())} rows share a key ({', '.join(keys)}), e.g. {first}")
        if "status" in df.columns:
            codes = _status_codes(df["status"])
        else:
            codes = pd.Series(np.uint8(Status.OBSERVED), index=df.index)
        index_values = [pd.Index(sorted(df[k].unique()), name=k) for k in keys]
        shape = tuple(len(ix) for ix in index_values)
        positions = tuple(ix.get_indexer(df[k]) for ix, k in zip(index_values, keys, strict=True))
        value = np.full(shape, np.nan)
        status = np.full(shape, np.uint8(fill_status), dtype=np.uint8)
        value[positions] = pd.to_numeric(df["value"], errors="raise").to_numpy(dtype=np.float64)
        status[positions] = codes.to_numpy()
        coords: dict[str, Any] = {ix.name: ix.to_numpy() for ix in index_values}
        ds = xr.Dataset(
            {"value": (keys, value), "status": (keys, status)},
            coords=coords,
        )
        ds = _attach_names(ds, df)
        return cls(ds, measure=measure, unit=unit, provenance=provenance)

    # ------------------------------------------------------------------ conversion
    def to_frame(self, *, drop_missing: bool = False) -> pd.DataFrame:
        """Tidy long frame with the columns of :data:`TIDY_COLUMNS` plus extra dims and
        ``n_suppressed``; ``status`` holds labels."""
        ds = self.data
        keys = list(ds["value"].dims)
        df = ds[["value", "status", "n_suppressed"]].to_dataframe().reset_index()
        df = df[[*keys, "value", "status", "n_suppressed"]]
        df["status"] = STATUS_LABELS[df["status"].to_numpy(dtype=np.int64)]
        for coord, dim, col in (
            ("area_name", "area", "area_name"),
            ("area_level", "area", "level"),
            ("activity_name", "activity", "activity_name"),
        ):
            if coord in ds.coords:
                df[col] = df[dim].map(dict(zip(ds[dim].values, ds[coord].values, strict=True)))
            else:
                df[col] = ""
        df["measure"] = self.measure
        if drop_missing:
            df = df[df["status"] != Status.MISSING.label]
        extra = list(self.extra_dims)
        cols = ["area", "area_name", "level", "activity", "activity_name", "year", *extra,
                "measure", "value", "status", "n_suppressed"]
        return df[cols].reset_index(drop=True)

    def to_arrow(self, *, drop_missing: bool = False) -> pa.Table:
        """The tidy frame as an Arrow table; measure, unit, extra dims and provenance go in the
        schema metadata under ``b"sia"`` (so :meth:`from_arrow` restores the panel)."""
        table = pa.Table.from_pandas(self.to_frame(drop_missing=drop_missing), preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"sia"] = json.dumps(self._meta()).encode()
        return table.replace_schema_metadata(meta)

    @classmethod
    def from_arrow(cls, table: pa.Table, *, measure: str | None = None, unit: str | None = None) -> Panel:
        """Rebuild a panel from a tidy Arrow table (as written by :meth:`to_arrow`).

        A table without ``sia`` metadata needs ``measure``; its extra dimensions are the
        columns that are not tidy columns.
        """
        meta = (table.schema.metadata or {}).get(b"sia")
        info: dict[str, Any] = json.loads(meta) if meta else {}
        measure = measure or info.get("measure")
        if not measure:
            raise ValueError("an Arrow table without sia metadata needs measure=")
        frame = table.to_pandas()
        if "extra_dims" in info:
            extra = list(info["extra_dims"])
        else:
            extra = [c for c in frame.columns if c not in (*TIDY_COLUMNS, "n_suppressed")]
        panel = cls.from_frame(
            frame,
            measure=measure,
            unit=unit if unit is not None else info.get("unit", ""),
            provenance=[Provenance.from_dict(p) for p in info.get("provenance", [])],
            extra_dims=extra,
        )
        if "n_suppressed" in frame.columns:
            keys = list(panel.data["value"].dims)
            ns = frame.set_index(keys)["n_suppressed"].to_xarray().reindex_like(panel.data["value"])
            panel.data["n_suppressed"] = ns.fillna(0).astype(np.int32).transpose(*keys)
        return panel

    def to_polars(self, *, drop_missing: bool = False) -> Any:
        """The tidy frame as a polars DataFrame (needs the optional ``polars`` package)."""
        try:
            import polars as pl
        except ImportError as exc:  # pragma: no cover - optional dependency
            raise ImportError("Panel.to_polars needs polars: pip install polars") from exc
        return pl.from_arrow(self.to_arrow(drop_missing=drop_missing))

    def _meta(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "unit": self.unit,
            "extra_dims": list(self.extra_dims),
            "provenance": [p.to_dict() for p in self.provenance],
            "sia_version": __version__,
        }

    def matrix(self, year: int, **extra: str) -> np.ndarray:
        """The ``area x activity`` array of one year (and one value of each extra dim)."""
        sel = self.data["value"].sel(year=year, **extra)
        if sel.ndim != 2:
            raise ValueError(f"select a value for each extra dimension {self.extra_dims}")
        return sel.transpose("area", "activity").values

    def cube(self, **extra: str) -> np.ndarray:
        """The ``year x area x activity`` array (one value of each extra dim selected)."""
        sel = self.data["value"].sel(**extra)
        if sel.ndim != 3:
            raise ValueError(f"select a value for each extra dimension {self.extra_dims}")
        return sel.transpose("year", "area", "activity").values

    def sel(self, **indexers: Any) -> Panel:
        """Label-based selection that keeps every dimension (lists, not scalars)."""
        idx = {k: (v if isinstance(v, list | tuple | np.ndarray | slice) else [v]) for k, v in indexers.items()}
        return Panel(self.data.sel(idx), measure=self.measure, unit=self.unit, provenance=self.provenance)

    # ------------------------------------------------------------------ aggregation
    def aggregate(self, dim: str, membership: Membership, *, strict: bool = True) -> Panel:
        """Aggregate along ``dim`` (``"area"`` or ``"activity"``) with a membership matrix.

        ``value_new = W @ value`` along ``dim``, where NaN cells count as 0; the status of each
        new cell is the worst of observed/rounded/estimated among its contributors, or
        ``incomplete`` when some contributors are suppressed or missing, or ``suppressed``
        (``missing``) when all are. ``n_suppressed`` counts the suppressed or missing
        contributors. With ``strict=True`` a label of the panel that the membership does not
        know raises ``KeyError``.
        """
        if dim not in ("area", "activity"):
            raise ValueError(f"can aggregate along 'area' or 'activity', not {dim!r}")
        labels = [str(v) for v in self.data[dim].values]
        mem = membership.reorder_source(labels, strict=strict)
        w = mem.matrix
        indicator = w.copy()
        indicator.data = np.ones_like(indicator.data)
        value = self.data["value"]
        order = [dim, *[d for d in value.dims if d != dim]]
        v = value.transpose(*order).values
        st = self.data["status"].transpose(*order).values
        ns = self.data["n_suppressed"].transpose(*order).values
        flat_shape = (v.shape[0], -1)
        v2 = np.nan_to_num(v.reshape(flat_shape), nan=0.0)
        st2 = st.reshape(flat_shape)
        gap = st2 >= Status.SUPPRESSED
        new_v = np.asarray(w @ v2)
        n_contrib = np.asarray(indicator @ np.ones_like(v2))
        n_gap = np.asarray(indicator @ gap.astype(np.float64)) + np.asarray(indicator @ ns.reshape(flat_shape))
        # worst ordinary status among contributors: a max over a sparse pattern, done per level
        worst = np.zeros_like(new_v, dtype=np.uint8)
        for level in (Status.ROUNDED, Status.ESTIMATED, Status.INCOMPLETE):
            has = np.asarray(indicator @ (st2 == level).astype(np.float64)) > 0
            worst[has] = level
        n_gap_direct = np.asarray(indicator @ gap.astype(np.float64))
        all_gap = (n_contrib > 0) & (n_gap_direct == n_contrib)
        some_gap = (n_gap > 0) & ~all_gap
        worst[some_gap] = np.maximum(worst[some_gap], Status.INCOMPLETE)
        all_missing = all_gap & (np.asarray(indicator @ (st2 == Status.MISSING).astype(np.float64)) == n_contrib)
        worst[all_gap] = Status.SUPPRESSED
        worst[all_missing] = Status.MISSING
        worst[n_contrib == 0] = Status.MISSING
        new_v[all_gap | (n_contrib == 0)] = np.nan
        new_shape = (len(mem.target), *v.shape[1:])
        dims_order = order
        coords = {d: self.data[d].values for d in dims_order if d != dim}
        coords[dim] = np.array(mem.target, dtype=object)
        ds = xr.Dataset(
            {
                "value": (dims_order, new_v.reshape(new_shape)),
                "status": (dims_order, worst.reshape(new_shape)),
                "n_suppressed": (dims_order, n_gap.reshape(new_shape).astype(np.int32)),
            },
            coords=coords,
        ).transpose(*value.dims)
        name_coord = "area_name" if dim == "area" else "activity_name"
        if mem.target_names:
            ds = ds.assign_coords({name_coord: (dim, np.array(mem.target_names, dtype=object))})
        if dim == "area" and mem.target_level:
            ds = ds.assign_coords(area_level=("area", np.array([mem.target_level] * len(mem.target), dtype=object)))
        for keep in ("area_name", "area_level", "activity_name"):
            if keep in self.data.coords and self.data[keep].dims[0] != dim and keep not in ds.coords:
                ds = ds.assign_coords({keep: (self.data[keep].dims[0], self.data[keep].values)})
        return Panel(ds, measure=self.measure, unit=self.unit, provenance=self.provenance)

    # ------------------------------------------------------------------ persistence
    def to_parquet(self, path: str | Path) -> Path:
        """Write the tidy frame to Parquet with measure, unit and provenance in the file metadata."""
        path = Path(path)
        pq.write_table(self.to_arrow(), path)
        return path

    @classmethod
    def from_parquet(cls, path: str | Path) -> Panel:
        """Read a panel written by :meth:`to_parquet`."""
        path = Path(path)
        table = pq.read_table(path)
        if b"sia" not in (table.schema.metadata or {}):
            raise ValueError(f"{path}: not a sia panel (no 'sia' metadata); load it with `sia load` first")
        return cls.from_arrow(table)

    def status_counts(self) -> dict[str, int]:
        """Number of cells per status label."""
        counts = np.bincount(self.status.ravel().astype(np.int64), minlength=len(Status))
        return {s.label: int(counts[s]) for s in Status}


def _status_codes(col: pd.Series) -> pd.Series:
    """Status labels or codes -> uint8 codes (vectorised; one parse per distinct value)."""
    if pd.api.types.is_integer_dtype(col.dtype):
        codes = col.to_numpy(dtype=np.int64)
        if len(codes) and (codes.min() < 0 or codes.max() > max(Status)):
            raise ValueError(f"status codes must lie in 0..{int(max(Status))}")
        return pd.Series(codes.astype(np.uint8), index=col.index)
    uniques = pd.unique(col)
    lookup = {u: int(Status.parse(u)) for u in uniques}
    return col.map(lookup).astype(np.uint8)


def _attach_names(ds: xr.Dataset, df: pd.DataFrame) -> xr.Dataset:
    for col, dim, coord in (
        ("area_name", "area", "area_name"),
        ("level", "area", "area_level"),
        ("activity_name", "activity", "activity_name"),
    ):
        if col in df.columns:
            names = df.drop_duplicates(dim).set_index(dim)[col]
            ds = ds.assign_coords(
                {coord: (dim, np.array([_none_to_empty(names.get(k)) for k in ds[dim].values], dtype=object))}
            )
    return ds


def _none_to_empty(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def concat_years(panels: Iterable[Panel]) -> Panel:
    """Stack panels of the same measure that cover different years."""
    panels = list(panels)
    if not panels:
        raise ValueError("no panels to concatenate")
    measures = {p.measure for p in panels}
    if len(measures) > 1:
        raise ValueError(f"cannot concatenate different measures {sorted(measures)}")
    units = {p.unit for p in panels}
    if len(units) > 1:
        raise ValueError(f"cannot concatenate panels in different units {sorted(units)}")
    fill = {"value": np.nan, "status": np.uint8(Status.MISSING), "n_suppressed": 0}
    ds = xr.concat([p.data for p in panels], dim="year", fill_value=fill)
    prov: list[Provenance] = []
    for p in panels:
        prov.extend(x for x in p.provenance if x not in prov)
    return Panel(ds.transpose(*CORE_DIMS, ...), measure=panels[0].measure, unit=panels[0].unit, provenance=prov)


def aggregate_areas(panel: Panel, geography: Any, source_level: str, target_level: str) -> Panel:
    """Aggregate a panel's areas (at ``source_level``) to every area at ``target_level``.

    ``geography`` is a :class:`sia.geography.Geography` (duck-typed here, since the panel sits
    below geography in the import order): its ``membership(source_level, target_level,
    sources=panel.areas)`` gives the sparse matrix ``W`` and the result is
    ``panel.aggregate("area", W)``: an area reaching a target through several parents counts
    once (union semantics of the membership), status propagates as in :meth:`Panel.aggregate`.
    """
    membership = geography.membership(source_level, target_level, sources=list(panel.areas))
    return panel.aggregate("area", membership)
