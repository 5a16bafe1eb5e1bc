"""Which scales a source can speak for: evidence is used only at grains it supports.

A source published for units of one level (ITL2 areas, NUTS2 areas, LADs) supports a scale
exactly when the scale's local authority districts are the union of whole units: then the
scale's value is a sum of published values and nothing finer is faked. A scale that cuts through
a unit gets "not available at this scale" from that source.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable

import numpy as np

from sia.geography import Geography

#: per geography: (adjacency token, {level: {area code: LAD codes}}); see :func:`lads_of`
_LADS_CACHE: weakref.WeakKeyDictionary[Geography, tuple[object, dict[str, dict[str, frozenset[str]]]]] = (
    weakref.WeakKeyDictionary()
)


def lads_of(geo: Geography, code: str) -> frozenset[str]:
    """Distinct LADs of an area (the area itself if it is a LAD).

    The LADs of every area at the area's level come from one membership matrix ``LAD -> level``
    (row ``t`` of :meth:`Geography.membership` is what :meth:`Geography.members` computes for
    ``t`` alone), memoised per geography and invalidated when the geography's adjacency changes
    (areas or memberships added), so repeated calls cost a dictionary lookup.
    """
    area = geo.area(code)
    if area.level == "LAD":
        return frozenset([area.code])
    token = geo._adjacency()  # rebuilt (new identity) after any add_area / add_membership
    entry = _LADS_CACHE.get(geo)
    if entry is None or entry[0] is not token:
        entry = (token, {})
        _LADS_CACHE[geo] = entry
    table = entry[1].get(area.level)
    if table is None:
        m = geo.membership("LAD", area.level)
        mat = m.matrix.tocsr()
        source = np.asarray(m.source, dtype=object)
        table = {}
        for i, target in enumerate(m.target):  # one row per area of the level (a few hundred at most)
            lo, hi = mat.indptr[i], mat.indptr[i + 1]
            cols = mat.indices[lo:hi][mat.data[lo:hi] > 0]
            table[target] = frozenset(source[np.unique(cols)].tolist())
        entry[1][area.level] = table
    return table[area.code]


def exact_cover(
    geo: Geography,
    scale_lads: frozenset[str],
    units: Iterable[str],
    *,
    resolve: Callable[[str], str | None] | None = None,
) -> tuple[str, ...] | None:
    """Units (as published) whose LADs partition ``scale_lads``, or ``None`` if they cannot.

    ``resolve`` maps a published unit code to a geography code (e.g. NUTS ``UKG1`` -> ITL
    ``TLG1``); it returns ``None`` for units the geography does not know, which are then
    ignored. Units overlapping the scale only in part make the cover fail.
    """
    inside: list[str] = []
    covered: set[str] = set()
    for unit in units:
        code = resolve(unit) if resolve is not None else unit
        if code is None:
            continue
        try:
            unit_lads = lads_of(geo, code)
        except LookupError:
            continue
        if not unit_lads:
            continue
        if unit_lads <= scale_lads:
            if covered & unit_lads:
                return None  # units overlap each other: their sum would double count
            inside.append(unit)
            covered |= unit_lads
        elif unit_lads & scale_lads:
            continue  # a unit straddling the boundary cannot be used, but others may still cover
    return tuple(inside) if covered == set(scale_lads) else None


def resolver(geo: Geography) -> Callable[[str], str | None]:
    """Map published codes through the geography's alias table; unknown codes give ``None``."""

    def resolve(code: str) -> str | None:
        try:
            return geo.resolve(code)
        except LookupError:
            return None

    return resolve
