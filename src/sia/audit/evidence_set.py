"""The audit's evidence: one labelled dataset over scale x theme x indicator.

Each evidence block (employment, GVA, opportunity, business base, supply chains, consultation)
writes whole ``(scales, themes)`` arrays into an :class:`EvidenceSet`; the scoring and framework
stages read them back by label (``ev.value("lq")``), never by pivoting rows. The set becomes an
``xarray.Dataset`` (as :class:`sia.panel.Panel` is) for analysis, and the tidy ``evidence``
table for the output files. Cells no block wrote are absent from the table; cells a source cannot
speak for are written as :data:`~sia.audit.vocabulary.NOT_AVAILABLE` with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from sia.audit.indicators import INDICATORS
from sia.audit.vocabulary import NOT_AVAILABLE, TABLE_COLUMNS

_FLOATS = ("value", "low", "high")
_TEXTS = ("status", "source", "grain", "note", "unit")


class EvidenceSet:
    """Evidence values with their status, source, grain, note and unit, by scale x theme x indicator.

    Examples
    --------
    >>> ev = EvidenceSet(["a", "b"], ["t1", "t2"])
    >>> ev.put("jobs", ["a"], [[10.0, 20.0]], status="rounded", source="employment", grain="ITL2")
    >>> float(ev.value("jobs").sel(scale="a", theme="t2"))
    20.0
    >>> bool(np.isnan(ev.value("jobs").sel(scale="b", theme="t1")))
    True
    """

    def __init__(self, scales: Sequence[str], themes: Sequence[str]) -> None:
        self.scales = tuple(scales)
        self.themes = tuple(themes)
        self._index = {s: i for i, s in enumerate(self.scales)}
        self._blocks: dict[str, dict[str, np.ndarray]] = {}

    # ------------------------------------------------------------------ writing
    def _block(self, indicator: str) -> dict[str, np.ndarray]:
        if indicator not in INDICATORS:
            raise KeyError(f"unknown evidence indicator {indicator!r}; register it in sia.audit.indicators")
        if indicator not in self._blocks:
            shape = (len(self.scales), len(self.themes))
            block = {k: np.full(shape, np.nan) for k in _FLOATS}
            block.update({k: np.full(shape, "", dtype=object) for k in _TEXTS})
            self._blocks[indicator] = block
        return self._blocks[indicator]

    def put(
        self,
        indicator: str,
        scales: Sequence[str],
        values: object,
        *,
        status: object,
        source: str,
        grain: str,
        note: object = "",
        low: object = np.nan,
        high: object = np.nan,
        unit: str | None = None,
    ) -> None:
        """Write ``values`` (broadcastable to ``(len(scales), themes)``) for these scales.

        ``status`` and ``note`` may be one string or an array of strings of that shape.
        """
        rows = np.array([self._index[s] for s in scales], dtype=np.int64)
        shape = (len(rows), len(self.themes))
        block = self._block(indicator)
        block["value"][rows] = np.broadcast_to(np.asarray(values, dtype=np.float64), shape)
        block["low"][rows] = np.broadcast_to(np.asarray(low, dtype=np.float64), shape)
        block["high"][rows] = np.broadcast_to(np.asarray(high, dtype=np.float64), shape)
        block["status"][rows] = np.broadcast_to(np.asarray(status, dtype=object), shape)
        block["note"][rows] = np.broadcast_to(np.asarray(note, dtype=object), shape)
        block["source"][rows] = source
        block["grain"][rows] = grain
        block["unit"][rows] = unit if unit is not None else INDICATORS[indicator].unit

    def set_interval(self, indicator: str, scales: Sequence[str], low: object, high: object, note: str) -> None:
        """Replace the interval of already written cells and append ``note`` to their notes (e.g. an LQ
        interval widened by the uncertainty of estimated counts)."""
        rows = np.array([self._index[s] for s in scales], dtype=np.int64)
        shape = (len(rows), len(self.themes))
        block = self._block(indicator)
        block["low"][rows] = np.broadcast_to(np.asarray(low, dtype=np.float64), shape)
        block["high"][rows] = np.broadcast_to(np.asarray(high, dtype=np.float64), shape)
        block["note"][rows] = np.char.add(block["note"][rows].astype(str), note).astype(object)

    def not_available(self, indicator: str, scales: Sequence[str], *, source: str, why: str) -> None:
        """Mark these scales' cells as not available, with the reason."""
        self.put(indicator, scales, np.nan, status=NOT_AVAILABLE, source=source, grain="", note=why)

    # ------------------------------------------------------------------ reading
    def has(self, indicator: str) -> bool:
        return indicator in self._blocks

    def value(self, indicator: str, field: str = "value") -> xr.DataArray:
        """``(scale, theme)`` array of one field (``value``, ``low``, ``high``, ``status``, ...); NaN/"" if unset."""
        shape = (len(self.scales), len(self.themes))
        if indicator in self._blocks:
            data = self._blocks[indicator][field]
        else:
            data = np.full(shape, np.nan) if field in _FLOATS else np.full(shape, "", dtype=object)
        if field in _FLOATS and indicator in self._blocks:
            # a value that is not available is NaN whatever a block wrote
            data = np.where(self._blocks[indicator]["status"] == NOT_AVAILABLE, np.nan, data)
        coords = {"scale": list(self.scales), "theme": list(self.themes)}
        return xr.DataArray(data, dims=("scale", "theme"), coords=coords, name=f"{indicator}.{field}")

    def available(self, indicator: str) -> xr.DataArray:
        """True where the indicator was written and is not "not available"."""
        st = self.value(indicator, "status")
        return (st != "") & (st != NOT_AVAILABLE)

    def dataset(self) -> xr.Dataset:
        """All indicators as one ``xarray.Dataset`` over ``(scale, theme, indicator)``."""
        names = sorted(self._blocks)
        fields = {f: np.stack([self._blocks[n][f] for n in names], axis=-1) if names else
                  np.empty((len(self.scales), len(self.themes), 0)) for f in (*_FLOATS, *_TEXTS)}
        return xr.Dataset(
            {f: (("scale", "theme", "indicator"), a) for f, a in fields.items()},
            coords={"scale": list(self.scales), "theme": list(self.themes), "indicator": names},
        )

    def frame(self) -> pd.DataFrame:
        """The tidy ``evidence`` table: one row per written cell, sorted by scale, theme, indicator."""
        cols = list(TABLE_COLUMNS["evidence"])
        parts = []
        for name in sorted(self._blocks):
            b = self._blocks[name]
            s_i, t_i = np.nonzero(b["status"] != "")
            parts.append(pd.DataFrame({
                "scale": np.asarray(self.scales, dtype=object)[s_i],
                "theme": np.asarray(self.themes, dtype=object)[t_i],
                "indicator": name,
                **{f: b[f][s_i, t_i] for f in ("value", "low", "high", "unit", "status", "source", "grain", "note")},
            }))
        if not parts:
            return pd.DataFrame(columns=cols)
        out = pd.concat(parts, ignore_index=True)[cols]
        for f in _FLOATS:
            out[f] = out[f].astype(np.float64)
        return out.sort_values(["scale", "theme", "indicator"], kind="stable").reset_index(drop=True)
