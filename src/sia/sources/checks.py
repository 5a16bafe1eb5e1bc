"""Checks of a loaded panel against what the caller expects of it: coverage and measure.

A file can load cleanly and still not be the evidence asked for: a BRES download for the wrong
areas or years, or the employees table (``EMPLOYEES``) renamed to stand in for employment
(``EMPLOYMENT`` = employees + working owners). The audit calls these after :func:`sia.sources.load`:

* :func:`check_coverage` lists the expected areas and years that are absent from the panel or have
  no value in any cell (every cell missing or suppressed), in a :class:`CoverageReport` whose
  :meth:`~CoverageReport.raise_if_incomplete` raises one :class:`CheckError` line;
* :func:`check_measure` raises :class:`CheckError` when the measure is not the one expected,
  looking first at the measure **as the file published it** (the provenance note the NOMIS loader
  writes, ``measure as published: EMPLOYEES``), which a ``measure=`` rename does not hide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sia.panel import Panel
from sia.sources.errors import PUBLISHED_MEASURE

__all__ = ["CheckError", "CoverageReport", "check_coverage", "check_measure", "published_measures"]


class CheckError(ValueError):
    """A loaded panel is not the evidence expected (one line: source, what is wrong, what was expected)."""


def _shown(items: Sequence[object], limit: int = 8) -> str:
    items = list(items)
    text = ", ".join(str(x) for x in items[:limit])
    return text + (f" and {len(items) - limit} more" if len(items) > limit else "")


@dataclass(frozen=True)
class CoverageReport:
    """Which expected areas and years a panel lacks.

    Attributes
    ----------
    source
        Name of the input in messages (a file, or ``evidence.employment``).
    absent_areas, absent_years
        Expected areas (codes) and years that are not coordinates of the panel.
    empty_areas, empty_years
        Expected areas and years present in the panel but without a single value (every cell
        missing or suppressed) over the expected years and areas that are present.
    n_areas, n_years
        How many areas and years were expected.
    """

    source: str
    absent_areas: tuple[str, ...]
    empty_areas: tuple[str, ...]
    absent_years: tuple[int, ...]
    empty_years: tuple[int, ...]
    n_areas: int
    n_years: int

    @property
    def ok(self) -> bool:
        """True when every expected area and year has at least one value."""
        return not (self.absent_areas or self.empty_areas or self.absent_years or self.empty_years)

    @property
    def missing_areas(self) -> tuple[str, ...]:
        """Expected areas without evidence: absent, then present but empty."""
        return self.absent_areas + self.empty_areas

    @property
    def missing_years(self) -> tuple[int, ...]:
        """Expected years without evidence: absent, then present but empty."""
        return tuple(sorted(self.absent_years + self.empty_years))

    def message(self) -> str:
        """One line naming the source and every gap (``""`` when :attr:`ok`)."""
        if self.ok:
            return ""
        parts = []
        if self.absent_areas:
            parts.append(f"{len(self.absent_areas)} of {self.n_areas} expected areas absent "
                         f"({_shown(self.absent_areas)})")
        if self.empty_areas:
            parts.append(f"{len(self.empty_areas)} of {self.n_areas} expected areas with no value in any cell "
                         f"(all missing or suppressed: {_shown(self.empty_areas)})")
        if self.absent_years:
            parts.append(f"{len(self.absent_years)} of {self.n_years} expected years absent "
                         f"({_shown(self.absent_years)})")
        if self.empty_years:
            parts.append(f"{len(self.empty_years)} of {self.n_years} expected years with no value in any cell "
                         f"({_shown(self.empty_years)})")
        return f"{self.source}: " + "; ".join(parts)

    def raise_if_incomplete(self) -> None:
        """Raise :class:`CheckError` with :meth:`message` unless every expected area and year is covered."""
        if not self.ok:
            raise CheckError(self.message())


def check_coverage(panel: Panel, expected_areas: Sequence[str], years: Sequence[int], *, source: str
                   ) -> CoverageReport:
    """Which of ``expected_areas`` and ``years`` the panel lacks or holds only as empty cells.

    Parameters
    ----------
    panel
        A loaded panel (area codes as the loader made them canonical, e.g. ``TLG3`` for ``UKG3``).
    expected_areas
        Area codes the caller needs (order kept in the report; repeats ignored).
    years
        Years the caller needs.
    source
        Name of the input, first in the messages.

    Returns
    -------
    CoverageReport
        Call :meth:`CoverageReport.raise_if_incomplete` to stop on a gap.

    Notes
    -----
    A cell "has a value" when its value is not NaN (missing and suppressed cells hold NaN).
    An area is empty when none of its cells has a value over the expected years present in the
    panel (every activity, every extra dimension); a year is empty when none of its cells has a
    value over the expected areas present. Vectorised: one ``isnan`` over the selected cube.
    """
    want_areas = list(dict.fromkeys(str(a) for a in expected_areas))
    want_years = list(dict.fromkeys(int(y) for y in years))
    area_index = pd.Index([str(a) for a in panel.data["area"].values])
    year_index = pd.Index([int(y) for y in panel.data["year"].values])
    a_pos = area_index.get_indexer(want_areas)
    y_pos = year_index.get_indexer(want_years)
    absent_areas = tuple(a for a, i in zip(want_areas, a_pos, strict=True) if i < 0)
    absent_years = tuple(y for y, i in zip(want_years, y_pos, strict=True) if i < 0)
    areas_in, years_in = a_pos[a_pos >= 0], y_pos[y_pos >= 0]
    empty_areas: tuple[str, ...] = ()
    empty_years: tuple[int, ...] = ()
    if len(areas_in) and len(years_in):  # (with no expected year present the areas cannot be judged)
        values = panel.data["value"].transpose("area", "year", ...).values  # (area, year, activity, extra...)
        sub = values[areas_in][:, years_in]
        has = (~np.isnan(sub)).reshape(len(areas_in), len(years_in), -1).any(axis=2)  # (area, year)
        present_areas = [a for a, i in zip(want_areas, a_pos, strict=True) if i >= 0]
        present_years = [y for y, i in zip(want_years, y_pos, strict=True) if i >= 0]
        empty_areas = tuple(a for a, h in zip(present_areas, has.any(axis=1), strict=True) if not h)
        empty_years = tuple(y for y, h in zip(present_years, has.any(axis=0), strict=True) if not h)
    return CoverageReport(source=source, absent_areas=absent_areas, empty_areas=empty_areas,
                          absent_years=absent_years, empty_years=empty_years, n_areas=len(want_areas),
                          n_years=len(want_years))


def _norm(name: str) -> str:
    """``"Full-time employees"``, ``FULL_TIME_EMPLOYEES`` -> ``full_time_employees``."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def published_measures(panel: Panel) -> tuple[str, ...]:
    """The measures as the source files named them (provenance notes), distinct, in order.

    Empty when no loader recorded one (a file whose layout does not name its measure, such as
    Nesta's ``value`` column or a mapped table).
    """
    found: list[str] = []
    for prov in panel.provenance:
        for note in prov.notes:
            if note.startswith(PUBLISHED_MEASURE):
                name = note.removeprefix(PUBLISHED_MEASURE).strip()
                if name and name not in found:
                    found.append(name)
    return tuple(found)


def check_measure(panel: Panel, expected: str, *, source: str) -> str:
    """Raise :class:`CheckError` unless the panel measures ``expected``; return the measure found.

    Parameters
    ----------
    panel
        A loaded panel.
    expected
        The measure the caller needs, e.g. ``"employment"`` (compared without case, spaces,
        hyphens or underscores: ``FULL_TIME_EMPLOYEES`` = ``full-time employees``).
    source
        Name of the input, first in the message.

    Notes
    -----
    The NOMIS loader names a panel's measure after the file's value column (``EMPLOYMENT`` ->
    ``employment``, ``EMPLOYEES`` -> ``employees``) unless ``measure=`` renames it, and always
    records the column as published in a provenance note. So the published name decides when
    there is one: a BRES employees table whose panel was renamed ``employment`` is still
    employees. Without a published name (Nesta's ``value`` column, a mapped table) the panel's
    measure name is compared.
    """
    want = _norm(expected)
    published = published_measures(panel)
    if published:
        wrong = [m for m in published if _norm(m) != want]
        if wrong:
            renamed = f" (the panel is named {panel.measure!r})" if _norm(panel.measure) != _norm(wrong[0]) else ""
            raise CheckError(f"{source}: the file publishes the measure {wrong[0]!r}{renamed}; expected {expected!r} "
                             f"({_hint(expected, wrong[0])})")
        return published[0]
    if _norm(panel.measure) != want:
        raise CheckError(f"{source}: the panel's measure is {panel.measure!r}; expected {expected!r} "
                         f"({_hint(expected, panel.measure)})")
    return panel.measure


def _hint(expected: str, found: str) -> str:
    pair = {_norm(expected), _norm(found)}
    if pair == {"employment", "employees"}:
        return "BRES employment counts employees and working owners, employees excludes working owners"
    return "load the file that publishes this measure, or pass measure= to name a file that does not name it"
