r"""Productivity of areas (GVA per job) for orienting regional complexity.

.. math:: \pi_r = \frac{\mathrm{GVA}_{r, \mathrm{Total}, t}}{\sum_c X_{rct}}

with the GVA of all industries (ONS regional GVA, balanced, ``Total``, GBP million, current prices) over the
jobs of the employment panel in the same area and year (BRES employment). It is a sign vector for
:meth:`sia.metrics.complexity.Orientation.by_area`, not a published productivity measure (ONS publishes GVA
per hour and per filled job from a different jobs series).

Areas are matched by code: the NOMIS BRES files give ITL2/NUTS2 areas NUTS-style ``UK..`` codes for the
``TL..`` ITL codes (``../shared/data/geography/PROVENANCE.md``). The shared GVA file is on **ITL 2025**
boundaries and the BRES NUTS2 file on **NUTS 2013**; the two agree only where the area did not change. Areas
whose boundaries differ between the two vintages are therefore left out (NaN) rather than matched by a code
that now means another place: :data:`NUTS2013_ITL2025_UNCHANGED` lists the 29 GB areas whose NUTS 2013 name
and ITL 2025 name are the same (the North West, Yorkshire and the Humber, the Midlands, Bedfordshire &
Hertfordshire, Essex, London, the South East, Cornwall, Devon and North Eastern Scotland); the North East,
East Anglia, the rest of the South West, Wales and the rest of Scotland were redrawn.

Example
-------
>>> from sia.panel import Panel
>>> import pandas as pd
>>> gva = Panel.from_frame(pd.DataFrame({"area": ["TLD3", "TLG3"], "activity": "Total", "year": 2018,
...                                      "value": [60_000.0, 70_000.0]}), measure="gva")
>>> jobs = Panel.from_frame(pd.DataFrame({"area": ["UKD3", "UKD3", "UKG3"], "activity": ["a", "b", "a"],
...                                       "year": 2018, "value": [600_000.0, 400_000.0, 1_400_000.0]}), measure="jobs")
>>> values, note = area_productivity(gva, jobs, 2018)
>>> (values * 1e6).round().tolist()
[60000.0, 50000.0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sia.panel import Panel

TOTAL = "Total"

# NUTS 2013 level-2 codes whose area is the same in ITL 2025 (same code after UK -> TL and the same name in
# the ONS GVA file and the NOMIS BRES file, checked by `tests/test_complexity_orientation.py`).
NUTS2013_ITL2025_UNCHANGED: frozenset[str] = frozenset({
    "UKD1", "UKD3", "UKD4", "UKD6", "UKD7", "UKE1", "UKE2", "UKE3", "UKE4", "UKF1", "UKF2", "UKF3",
    "UKG1", "UKG2", "UKG3", "UKH2", "UKH3", "UKI3", "UKI4", "UKI5", "UKI6", "UKI7", "UKJ1", "UKJ2",
    "UKJ3", "UKJ4", "UKK3", "UKK4", "UKM5",
})


def _itl_code(area: str) -> str:
    return "TL" + area[2:] if area.startswith("UK") else area


def area_productivity(gva: Panel, employment: Panel, year: int) -> tuple[NDArray[np.float64], str]:
    """GVA per job of each area of ``employment`` in ``year`` (GBP million per job; NaN where unmatched).

    Parameters
    ----------
    gva
        ONS regional GVA by industry with a ``Total`` activity, ITL areas (``TL..``).
    employment
        Employment by area x activity; ``UK..`` codes are read as ``TL..`` where the area is unchanged
        (:data:`NUTS2013_ITL2025_UNCHANGED`), ``TL..`` codes are used as they are.
    year
        A year both panels hold.

    Returns
    -------
    (ndarray, str)
        Productivity per employment area (order of ``employment.areas``) and a one-line note naming the
        areas left out.
    """
    if TOTAL not in gva.activities:
        raise ValueError(f"the GVA panel has no {TOTAL!r} activity (all industries) to divide by jobs")
    for name, panel in (("GVA", gva), ("employment", employment)):
        if year not in panel.years:
            raise ValueError(f"the {name} panel has no year {year} (it holds {panel.years[0]}-{panel.years[-1]})")
    areas = list(employment.areas)
    usable = np.array([not a.startswith("UK") or a in NUTS2013_ITL2025_UNCHANGED for a in areas])
    codes = [_itl_code(a) for a in areas]
    total = gva.data["value"].sel(activity=TOTAL, year=year).to_series().reindex(codes).to_numpy(dtype=np.float64)
    jobs = np.nansum(employment.matrix(year), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(usable & (jobs > 0), total / jobs, np.nan)
    missing = [a for a, v in zip(areas, values, strict=True) if not np.isfinite(v)]
    note = (f"GVA per job {year} (ONS regional GVA 'Total' / BRES jobs) for {len(areas) - len(missing)} of "
            f"{len(areas)} areas")
    if missing:
        note += f"; left out (boundaries differ between NUTS 2013 and ITL 2025, or no GVA): {', '.join(missing)}"
    return values, note
