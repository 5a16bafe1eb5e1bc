"""Reading the published margins and district priors into arrays for the employment estimator.

Everything here is read once per call of :func:`read_inputs`, validated at the edge (a bad row
stops with a :class:`~sia.sources.errors.LoadError` naming file, line, column and value) and held
as dense numpy arrays on fixed axes:

``years``      the BRES years asked for (2015-2021 in the shared file)
``divisions``  the 88 SIC 2007 divisions ``"01" .. "99"``
``itl2``       the GB ITL2 areas of the BRES file (ITL 2021 codes; NOMIS writes NUTS ``UKG1`` = ``TLG1``)
``lads``       the GB local authority districts of April 2021 (363), the finest district set the
               sources share: LAD 2023 values are re-based onto them (see :func:`read_gva`)

Files (paths relative to the data root; see each folder's ``PROVENANCE.md``):

* margin: ``employment/bres_itl2_sic5_employment_2015_2021.csv.gz`` (ITL2 x SIC subclass, rounded)
* prior: ``gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet`` (LAD 2023 x 49 ONS industry codes)
* prior: ``business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz`` (LAD 2021 x 18
  broad groups x size band)
* prior: ``employment/census2011_workplace_population_msoa_sic_sections.csv.gz`` (MSOA, England and Wales,
  x 20 sections, 2011)
* prior: ``employment/census2021_ts060_residents_in_employment_lad22_sic_sections.csv`` (LAD 2022, England
  and Wales, x 18 sections; residents)
* lookups: ``geography/lad23_lau121_itl321_itl221_itl121_uk_lookup.csv`` (district -> ITL2 -> ITL1, through
  :func:`sia.geography.uk`), ``geography/lad11_lad21_lookup_ew.csv`` (LAD 2011 -> 2021),
  ``sectors/sic2007_5digit_hierarchy_lookup.csv`` (subclass -> division -> section)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sia.panel import Panel, Provenance
from sia.sources.errors import LoadError

__all__ = [
    "BRES_ITL2_SIC5",
    "CENSUS2011_WORKPLACE",
    "CENSUS2021_RESIDENTS",
    "GVA_LAD",
    "LAD11_LAD21",
    "PIECE_SHARES",
    "UBC_BROAD_GROUPS",
    "UBC_LAD",
    "Inputs",
    "rounding_step",
    "read_inputs",
]

BRES_ITL2_SIC5 = "employment/bres_itl2_sic5_employment_2015_2021.csv.gz"
GVA_LAD = "gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet"
UBC_LAD = "business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz"
CENSUS2011_WORKPLACE = "employment/census2011_workplace_population_msoa_sic_sections.csv.gz"
CENSUS2021_RESIDENTS = "employment/census2021_ts060_residents_in_employment_lad22_sic_sections.csv"
LAD11_LAD21 = "geography/lad11_lad21_lookup_ew.csv"
ITL_LOOKUP = "geography/lad23_lau121_itl321_itl221_itl121_uk_lookup.csv"
SIC_LOOKUP = "sectors/sic2007_5digit_hierarchy_lookup.csv"

#: Shares of the two GB districts that straddle ITL2 boundaries (ITL 2021), by piece. No district-level
#: source splits them, so resident population is used: Arran and Cumbrae (LAU1 S30000034, in TLM6) held
#: about 6,000 of North Ayrshire's 138,000 residents at the 2011 Census (Arran 4,629, Great Cumbrae
#: 1,376); Helensburgh and Lomond (LAU1 S30000013, in TLM8) "just under 26,000" of Argyll and Bute's
#: 87,810 (Argyll and Bute Council, Helensburgh and Lomond profile 2019; NRS mid-2023 estimate).
#: The Monte Carlo intervals perturb these shares (see ``sia.estimate.employment``).
PIECE_SHARES: dict[tuple[str, str], float] = {
    ("S12000021", "TLM6"): 0.043,
    ("S12000021", "TLM9"): 0.957,
    ("S12000035", "TLM6"): 0.70,
    ("S12000035", "TLM8"): 0.30,
}

#: NOMIS UK Business Counts broad industry groups -> SIC 2007 divisions (business_counts/PROVENANCE.md):
#: 1 A; 2 B, D, E; 3 C; 4 F; 5 motor trades (45); 6 wholesale (46); 7 retail (47); 8 H; 9 I; 10 J; 11 K;
#: 12 L; 13 M; 14 N; 15 O; 16 P; 17 Q; 18 R-U.
UBC_BROAD_GROUPS: dict[str, tuple[int, int]] = {
    "1": (1, 3), "2": (5, 9), "3": (10, 33), "4": (41, 43), "5": (45, 45), "6": (46, 46), "7": (47, 47),
    "8": (49, 53), "9": (55, 56), "10": (58, 63), "11": (64, 66), "12": (68, 68), "13": (69, 75),
    "14": (77, 82), "15": (84, 84), "16": (85, 85), "17": (86, 88), "18": (90, 99),
}
UBC_EXTRA = {"2": (35, 39)}  # group 2 also holds D and E
UBC_BANDS = ("Micro (0 to 9)", "Small (10 to 49)", "Medium-sized (50 to 249)", "Large (250+)")
#: employment per enterprise assumed for each band when UBC counts are turned into an employment
#: indicator: the band's mid-point for micro to medium; "250+" is capped at 500, because UK Business Counts
#: places an enterprise (all its sites) in the district of its registered office, so the large band would
#: otherwise put whole national chains into their head-office district.
UBC_BAND_JOBS = np.array([3.0, 25.0, 120.0, 500.0])

#: BRES open-access rounding, read off the shared file (every value is a multiple of the step of its
#: range): (upper bound of the range, step). Values of 5,000 and more are multiples of 1,000.
ROUNDING_STEPS: tuple[tuple[float, float], ...] = (
    (50.0, 5.0), (250.0, 25.0), (500.0, 50.0), (1000.0, 100.0), (2500.0, 250.0), (5000.0, 500.0), (np.inf, 1000.0),
)


def rounding_step(values: np.ndarray) -> np.ndarray:
    """Rounding step of each published BRES value (see :data:`ROUNDING_STEPS`)."""
    v = np.asarray(values, dtype=np.float64)
    bounds = np.array([b for b, _ in ROUNDING_STEPS])
    steps = np.array([s for _, s in ROUNDING_STEPS])
    return steps[np.searchsorted(bounds, v, side="right")]


@dataclass(frozen=True)
class LadPrior:
    """A district prior on the LAD axis: ``values (T, L, G)`` (NaN = not published for the district),
    ``groups (J,)`` the group of each division (-1 none) and the group labels."""

    name: str
    values: np.ndarray
    groups: np.ndarray
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Inputs:
    """Margins, priors and geography of the estimator, as arrays (see the module docstring)."""

    root: Path
    years: tuple[int, ...]
    divisions: tuple[str, ...]
    division_names: tuple[str, ...]
    division_section: tuple[str, ...]
    subclasses: tuple[str, ...]
    sub_division: np.ndarray
    itl2: tuple[str, ...]
    itl2_names: tuple[str, ...]
    itl1: tuple[str, ...]
    itl2_itl1: np.ndarray
    lads: tuple[str, ...]
    lad_names: tuple[str, ...]
    piece_lad: np.ndarray
    piece_itl2: np.ndarray
    piece_share: np.ndarray
    margin_sub: np.ndarray
    priors: dict[str, LadPrior]
    ubc_bands: np.ndarray
    totals: dict[str, np.ndarray]
    provenance: tuple[Provenance, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def margin(self) -> np.ndarray:
        """``(T, B, J)`` ITL2 x division margins: the published subclasses summed to divisions."""
        return division_sum(self.margin_sub, self.sub_division, len(self.divisions))

    def piece_values(self, lad_values: np.ndarray) -> np.ndarray:
        """District values ``(..., L, G)`` on the piece axis ``(..., P, G)`` (times each piece's share)."""
        return lad_values[..., self.piece_lad, :] * self.piece_share[:, None]


def division_sum(sub: np.ndarray, sub_division: np.ndarray, n_div: int) -> np.ndarray:
    """Sum the last axis (subclasses) into divisions: ``(..., S) -> (..., J)``."""
    w = np.zeros((sub.shape[-1], n_div))
    w[np.arange(sub.shape[-1]), sub_division] = 1.0
    return sub @ w


def _role(prov: Provenance, role: str) -> Provenance:
    return replace(prov, notes=(*prov.notes, role))


def read_inputs(
    data_root: Path, *, years: Sequence[int] | None = None, progress: Callable[[str], None] | None = None
) -> Inputs:
    """Read and validate every margin and prior (see the module docstring)."""
    from sia.classification import sic2007
    from sia.geography import uk
    from sia.sources._common import make_provenance

    say = progress or (lambda _msg: None)
    root = Path(data_root)
    for rel in (BRES_ITL2_SIC5, GVA_LAD, UBC_LAD, CENSUS2011_WORKPLACE, CENSUS2021_RESIDENTS, LAD11_LAD21,
                ITL_LOOKUP, SIC_LOOKUP):
        if not (root / rel).is_file():
            raise FileNotFoundError(f"estimate: data file missing: {root / rel} (data root {root})")
    notes: list[str] = []
    say("geography and SIC 2007")
    sic = sic2007(root)
    geo = uk(lad_vintage="2021", data_dir=root)
    divisions = tuple(sorted(sic.codes("division")))
    division_names = tuple(sic.name_of(d) for d in divisions)
    division_section = tuple(sic.ancestor_at(d, "section") for d in divisions)

    say("BRES ITL2 x SIC subclass margins")
    bres, itl2, subclasses, yrs, bres_notes = _read_bres(root, sic, years)
    notes += bres_notes
    sub_division = np.array([divisions.index(sic.ancestor_at(s, "division")) for s in subclasses])
    itl2_names = tuple(geo.area(c).name for c in itl2)
    itl1_codes = [_single_parent(geo, c, "ITL1") for c in itl2]
    itl1 = tuple(sorted(set(itl1_codes)))
    itl2_itl1 = np.array([itl1.index(c) for c in itl1_codes])

    # districts of April 2021 in Great Britain, and their pieces in ITL2 areas
    lads = tuple(a.code for a in sorted(geo.areas("LAD"), key=lambda a: a.code) if a.code[0] in "EWS")
    lad_names = tuple(geo.area(c).name for c in lads)
    mem = geo.membership("LAD", "ITL2", sources=list(lads), targets=list(itl2) + [
        a.code for a in geo.areas("ITL2") if a.code not in itl2])
    mat = mem.matrix.tocoo()
    keep = mat.data > 0
    p_itl2_code = np.asarray(mem.target, dtype=object)[mat.row[keep]]
    p_lad = mat.col[keep]
    outside = [f"{lads[i]} -> {t}" for i, t in zip(p_lad, p_itl2_code, strict=True) if t not in itl2]
    if outside:
        raise ValueError(f"estimate: districts in ITL2 areas that {BRES_ITL2_SIC5} does not publish: {outside[:5]}")
    order = np.lexsort((p_itl2_code.astype(str), p_lad))
    piece_lad = p_lad[order].astype(np.int64)
    piece_itl2 = np.array([itl2.index(t) for t in p_itl2_code[order]], dtype=np.int64)
    counts = np.bincount(piece_lad, minlength=len(lads))
    if (counts == 0).any():
        raise ValueError(f"estimate: districts in no ITL2 area: {[lads[i] for i in np.flatnonzero(counts == 0)][:5]}")
    piece_share = np.ones(piece_lad.size)
    for k in np.flatnonzero(counts[piece_lad] > 1):
        key = (lads[piece_lad[k]], itl2[piece_itl2[k]])
        if key in PIECE_SHARES:
            piece_share[k] = PIECE_SHARES[key]
        else:
            piece_share[k] = 1.0 / counts[piece_lad[k]]
            notes.append(f"{key[0]} straddles ITL2 areas and has no population share in PIECE_SHARES: "
                         f"its piece in {key[1]} gets an even share")
    share_sum = np.bincount(piece_lad, weights=piece_share, minlength=len(lads))
    piece_share = piece_share / share_sum[piece_lad]
    straddlers = sorted({lads[i] for i in piece_lad[counts[piece_lad] > 1]})
    if straddlers:
        notes.append("districts straddling ITL2 areas are fitted as pieces, one per ITL2 area, split by resident "
                     f"population (sia.estimate.inputs.PIECE_SHARES): {', '.join(straddlers)}")
    if not (np.bincount(piece_itl2, minlength=len(itl2)) > 0).all():
        raise ValueError("estimate: an ITL2 area of the BRES file has no district of the geography")

    say("Census 2011 workplace population (MSOA -> LAD 2021)")
    c11, c11_labels, c11_prov = _read_census2011(root, lads)
    c11_groups = _section_groups(division_section, c11_labels, {"R": "RS", "S": "RS"})

    say("ONS district GVA by industry")
    gva, gva_labels, gva_groups, gva_prov, gva_notes = _read_gva(root, sic, lads, yrs, divisions, c11,
                                                                 c11_groups)
    notes += gva_notes

    say("UK Business Counts by district")
    ubc_bands, ubc_prov, ubc_notes = _read_ubc(root, lads, yrs)
    notes += ubc_notes
    ubc_groups = np.full(len(divisions), -1)
    labels = tuple(UBC_BROAD_GROUPS)
    for gi, g in enumerate(labels):
        for lo, hi in (UBC_BROAD_GROUPS[g], *([UBC_EXTRA[g]] if g in UBC_EXTRA else [])):
            for j, d in enumerate(divisions):
                if lo <= int(d) <= hi:
                    ubc_groups[j] = gi

    say("Census 2021 residents in employment")
    c21, c21_labels, c21_prov = _read_census2021(root, lads)
    c21_groups = _section_groups(division_section, c21_labels, {s: "RSTU" for s in "RSTU"})

    t = len(yrs)
    priors = {
        "gva": LadPrior("gva", gva, gva_groups, gva_labels),
        "ubc": LadPrior("ubc", ubc_bands @ UBC_BAND_JOBS, ubc_groups, labels),
        "census2011_workplace": LadPrior("census2011_workplace", np.broadcast_to(c11, (t, *c11.shape)).copy(),
                                         c11_groups, c11_labels),
        "census2021_residents": LadPrior("census2021_residents", np.broadcast_to(c21, (t, *c21.shape)).copy(),
                                         c21_groups, c21_labels),
    }
    totals = {
        "census2011_workplace": priors["census2011_workplace"].values.sum(axis=-1),
        "ubc": priors["ubc"].values.sum(axis=-1),
        "gva": gva.sum(axis=-1),
    }
    geo_provs = [
        _role(make_provenance(root / ITL_LOOKUP, table="ONS LAD (Apr 2023) to LAU1 to ITL3 to ITL2 to ITL1 (Jan 2021)",
                              vintage="LAD 2023 / LAU1 2021 / ITL 2021", loader="sia.geography.uk",
                              licence="OGL v3.0"),
              "lookup: district -> ITL2 -> ITL1 (block structure of the fit), through sia.geography.uk"),
        _role(make_provenance(root / LAD11_LAD21, table="ONS LAD (2011) to LAD (2021) lookup, England and Wales",
                              vintage="LAD 2011 -> LAD 2021", loader="sia.geography.vintages",
                              licence="OGL v3.0"),
              "lookup: Census 2011 districts re-based to LAD 2021"),
        _role(make_provenance(root / SIC_LOOKUP, table="UK SIC 2007 hierarchy (NOMIS)", vintage="SIC 2007",
                              loader="sia.classification.sic2007", licence="OGL v3.0"),
              "lookup: SIC subclass -> division -> section"),
    ]
    provenance = (bres[1], gva_prov, ubc_prov, c11_prov, c21_prov, *geo_provs)
    return Inputs(
        root=root, years=yrs, divisions=divisions, division_names=division_names,
        division_section=division_section, subclasses=subclasses, sub_division=sub_division, itl2=itl2,
        itl2_names=itl2_names, itl1=itl1, itl2_itl1=itl2_itl1, lads=lads, lad_names=lad_names,
        piece_lad=piece_lad, piece_itl2=piece_itl2, piece_share=piece_share, margin_sub=bres[0], priors=priors,
        ubc_bands=ubc_bands, totals=totals, provenance=provenance, notes=tuple(notes),
    )


def _single_parent(geo, code: str, level: str) -> str:  # type: ignore[no-untyped-def]
    m = geo.membership(geo.area(code).level, level, sources=[code])
    parents = [m.target[i] for i in np.flatnonzero(m.matrix.toarray()[:, 0] > 0)]
    if len(parents) != 1:
        raise ValueError(f"estimate: {code} lies in {len(parents)} {level} areas {parents}; expected one")
    return parents[0]


def _section_groups(division_section: Sequence[str], labels: Sequence[str], merged: dict[str, str]) -> np.ndarray:
    """Group index of each division for a source published by sections (some sections merged)."""
    out = np.full(len(division_section), -1)
    for j, s in enumerate(division_section):
        key = merged.get(s, s)
        if key in labels:
            out[j] = list(labels).index(key)
    return out


# ---------------------------------------------------------------------------------------------- BRES
def _read_bres(root: Path, sic, years: Sequence[int] | None  # type: ignore[no-untyped-def]
               ) -> tuple[tuple[np.ndarray, Provenance], tuple[str, ...], tuple[str, ...], tuple[int, ...], list[str]]:
    from sia.panel import Status
    from sia.sources import load

    path = root / BRES_ITL2_SIC5
    panel: Panel = load(path, format="nomis")
    subs = tuple(a for a in panel.activities)
    bad = [s for s in subs if len(s) != 5]
    if bad:
        raise LoadError(path, 0, "INDUSTRY_CODE", bad[0], "SIC 2007 subclasses (5 digits) only")
    avail = panel.years
    if years is None:
        yrs = tuple(avail)
    else:
        yrs = tuple(sorted({int(y) for y in years}))
        missing = [y for y in yrs if y not in avail]
        if missing:
            raise ValueError(f"{path}: no BRES year {missing[0]}; the file has {min(avail)}-{max(avail)}")
        if not yrs:
            raise ValueError("estimate: years= is empty")
    panel = panel.sel(year=list(yrs))
    cube = panel.cube()  # (T, B, S)
    st = panel.data["status"].transpose("year", "area", "activity").values
    gap = st >= Status.SUPPRESSED
    notes = []
    if gap.any():
        k = np.argwhere(gap)
        shown = ", ".join(f"{panel.areas[b]} {subs[s]} {yrs[t]}" for t, b, s in k[:5])
        notes.append(f"{int(gap.sum())} BRES subclass cells are not published (NA in {path.name}: {shown}); "
                     "they count as 0 in the ITL2 division margins")
    cube = np.where(gap | np.isnan(cube), 0.0, cube)
    prov = _role(panel.provenance[0], "margin: ITL2 x SIC subclass employment, summed to ITL2 x division "
                 "(hard constraint; rounded as published)")
    return (cube, prov), tuple(panel.areas), subs, yrs, notes


# ---------------------------------------------------------------------------------------------- GVA
def _read_gva(root: Path, sic, lads: Sequence[str], years: Sequence[int],  # type: ignore[no-untyped-def]
              divisions: Sequence[str], c11: np.ndarray, c11_groups: np.ndarray
              ) -> tuple[np.ndarray, tuple[str, ...], np.ndarray, Provenance, list[str]]:
    """District GVA (current prices) at the finest published codes, suppressed cells imputed, LAD 2023
    values split onto the April 2021 districts."""
    from sia.classification import IMPUTED_RENT, parse_code_ranges
    from sia.geography import lad_rebase_membership
    from sia.sources import load

    path = root / GVA_LAD
    panel = load(path, format="gva", measure="current")
    notes: list[str] = []
    codes = panel.activities
    names = [str(n) for n in panel.data["activity_name"].values] if "activity_name" in panel.data.coords else codes
    mcs = parse_code_ranges(list(zip(codes, names, strict=True)), sic)
    leaves = tuple(c for c in mcs.leaves() if c != IMPUTED_RENT)
    gva_years = panel.years
    use_years = [min(gva_years, key=lambda g, y=y: (abs(g - y), -g)) for y in years]
    if use_years != list(years):
        notes.append(f"GVA years {use_years} stand in for {list(years)}")
    cube = panel.sel(year=use_years).cube()  # (T, D23, C) NaN = suppressed
    cube = np.where(cube < 0, 0.0, cube)
    cube = _impute_tree(cube, list(codes), mcs)
    leaf_idx = [codes.index(c) for c in leaves]
    leaf_vals = cube[..., leaf_idx]  # (T, D23, leaves)
    n_nan = int(np.isnan(panel.sel(year=use_years).cube()[..., leaf_idx]).sum())
    if n_nan:
        notes.append(f"{n_nan} suppressed district GVA cells (at the finest published codes) were imputed from "
                     "their nearest published parent code, shared by the GB structure of the parent")
    # LAD 2023 -> April 2021 districts: merged 2023 unitaries are split by Census 2011 workplace counts
    lad23 = panel.areas
    m = lad_rebase_membership("2021", "2023", data_dir=root)
    src = {c: i for i, c in enumerate(m.source)}
    tgt23 = {c: i for i, c in enumerate(m.target)}
    mat = m.matrix.tocsc()
    parent = np.full(len(lads), -1)
    for i, d in enumerate(lads):
        if d in lad23:
            parent[i] = lad23.index(d)
        elif d in src:
            col = mat[:, src[d]]
            if col.nnz == 1:
                t23 = m.target[col.indices[0]]
                if t23 in lad23:
                    parent[i] = lad23.index(t23)
    if (parent < 0).any():
        missing = [lads[i] for i in np.flatnonzero(parent < 0)]
        raise LoadError(path, 0, "geography.code", missing[0],
                        f"GVA for every GB district of 2021 (directly or through its LAD 2023 successor); "
                        f"{len(missing)} missing")
    del tgt23
    # split weights per leaf: Census 2011 workplace counts of the census groups the leaf covers
    leaf_c11 = np.zeros((len(lads), len(leaves)))
    for k, leaf in enumerate(leaves):
        js = [divisions.index(d) for d in mcs.divisions(leaf)]
        gs = sorted({int(c11_groups[j]) for j in js if c11_groups[j] >= 0})
        leaf_c11[:, k] = np.nan_to_num(c11[:, gs].sum(axis=1)) if gs else 0.0
    total_c11 = np.nan_to_num(c11.sum(axis=1))
    sib_sum = np.zeros((len(lad23), len(leaves)))
    np.add.at(sib_sum, parent, leaf_c11)
    sib_tot = np.bincount(parent, weights=total_c11, minlength=len(lad23))
    n_sib = np.bincount(parent, minlength=len(lad23)).astype(np.float64)
    w_leaf = np.divide(leaf_c11, sib_sum[parent], out=np.zeros_like(leaf_c11), where=sib_sum[parent] > 0)
    w_tot = np.divide(total_c11, sib_tot[parent], out=1.0 / n_sib[parent], where=sib_tot[parent] > 0)
    w = np.where(sib_sum[parent] > 0, w_leaf, w_tot[:, None])
    split = n_sib[parent] > 1
    w[~split] = 1.0
    if split.any():
        notes.append(f"{int(split.sum())} April 2021 districts merged in 2023 get their LAD 2023 GVA split by "
                     "Census 2011 workplace employment in the industry's sections")
    out = leaf_vals[:, parent, :] * w[None, :, :]
    groups = np.full(len(divisions), -1)
    for k, leaf in enumerate(leaves):
        for d in mcs.divisions(leaf):
            groups[divisions.index(d)] = k
    prov = _role(panel.provenance[0], "prior: district industry structure within ITL2 (GVA current prices at the "
                 f"finest published codes: {len(leaves)} codes, imputed rent excluded), years {use_years}")
    return out, leaves, groups, prov, notes


def _impute_tree(cube: np.ndarray, codes: list[str], mcs) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Fill suppressed (NaN) cells top-down: a missing code gets what its parent leaves after the published
    siblings, shared among the missing siblings by their GB totals (the national structure)."""
    out = cube.copy()
    gb = np.nansum(cube, axis=1)  # (T, C) GB totals over the districts that publish each code
    index = {c: i for i, c in enumerate(codes)}
    order = sorted(codes, key=lambda c: len(mcs.ancestors(c)))  # parents before children
    for c in order:
        kids = [index[k] for k in mcs.children(c)]
        if not kids:
            continue
        p = out[..., index[c]]  # (T, D)
        sub = out[..., kids]  # (T, D, K)
        miss = np.isnan(sub)
        if not miss.any():
            continue
        rest = np.clip(p - np.nansum(sub, axis=-1), 0.0, None)  # (T, D)
        q = np.where(miss, gb[:, None, kids], 0.0)
        qs = q.sum(axis=-1, keepdims=True)
        even = miss / np.maximum(miss.sum(axis=-1, keepdims=True), 1)
        share = np.divide(q, qs, out=even.astype(np.float64), where=qs > 0)
        filled = np.where(miss, rest[..., None] * share, sub)
        filled = np.where(np.isnan(p)[..., None] & miss, np.nan, filled)
        out[..., kids] = filled
    return out


# ---------------------------------------------------------------------------------------------- UBC
def _read_ubc(root: Path, lads: Sequence[str], years: Sequence[int]
              ) -> tuple[np.ndarray, Provenance, list[str]]:
    """Enterprises by district x broad group x size band (micro .. large), ``(T, L, 18, 4)``."""
    from sia.sources import load

    path = root / UBC_LAD
    panel = load(path, format="ubc")
    notes: list[str] = []
    missing = [d for d in lads if d not in panel.areas]
    if missing:
        raise LoadError(path, 0, "area_name", missing[0], f"every GB district of 2021; {len(missing)} missing")
    groups = [g for g in UBC_BROAD_GROUPS if g not in panel.activities]
    if groups:
        raise LoadError(path, 0, "industry_code", groups[0], "all 18 NOMIS broad industry groups")
    avail = panel.years
    use_years = [min(avail, key=lambda g, y=y: (abs(g - y), -g)) for y in years]
    if use_years != list(years):
        notes.append(f"UK Business Counts years {use_years} stand in for {list(years)} (the file has "
                     f"{min(avail)}-{max(avail)})")
    sub = panel.data["value"].sel(area=list(lads), activity=list(UBC_BROAD_GROUPS), sizeband=list(UBC_BANDS))
    arr = np.stack([sub.sel(year=y).transpose("area", "activity", "sizeband").values for y in use_years])
    if np.isnan(arr).any():
        t, d, g, b = np.argwhere(np.isnan(arr))[0]
        raise LoadError(path, 0, "enterprises", "", f"a count for {lads[d]} group {list(UBC_BROAD_GROUPS)[g]} "
                        f"band {UBC_BANDS[b]} in {use_years[t]}")
    prov = _role(panel.provenance[0], "prior: district enterprises by broad industry group x size band, weighted "
                 f"by jobs per enterprise {UBC_BAND_JOBS.tolist()} (micro, small, medium, large); years {use_years}")
    return arr, prov, notes


# ---------------------------------------------------------------------------------------------- Census
C11_SECTIONS = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "RS", "T", "U")
C21_SECTIONS = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "RSTU")
MSOA_NAME = re.compile(r"^([EW]02\d{6}) : (.+) (\d{3})$")


def _counts(frame: pd.DataFrame, path: Path, columns: Sequence[str]) -> np.ndarray:
    """Non-negative integer counts of ``columns``; the first bad cell raises :class:`LoadError`."""
    out = np.empty((len(frame), len(columns)))
    for k, col in enumerate(columns):
        text = frame[col].str.strip()
        ok = text.str.fullmatch(r"\d+")
        if not ok.all():
            i = int(np.flatnonzero(~ok.to_numpy())[0])
            raise LoadError(path, i + 2, col, frame[col].iloc[i], "a non-negative whole number of persons")
        out[:, k] = text.astype(np.int64).to_numpy()
    return out


def _check_total(path: Path, frame: pd.DataFrame, total_col: str, total: np.ndarray, parts: np.ndarray) -> None:
    diff = np.abs(total - parts.sum(axis=1))
    if (diff > 0).any():
        i = int(np.flatnonzero(diff > 0)[0])
        raise LoadError(path, i + 2, total_col, frame[total_col].iloc[i],
                        f"the sum of the section columns ({int(parts[i].sum())})")


def _read_census2011(root: Path, lads: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...], Provenance]:
    """Census 2011 workplace population by section, MSOA -> LAD 2011 (by the name in the MSOA label) ->
    April 2021 districts; ``(L, 20)`` with NaN for districts outside England and Wales."""
    from sia.geography import lad_rebase_membership
    from sia.sources._common import make_provenance

    path = root / CENSUS2011_WORKPLACE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = list(frame.columns)
    if len(cols) != 22 or not cols[1].startswith("All categories"):
        raise LoadError(path, 1, "", cols[:3], "MSOA label, 'All categories: Industry' and 20 section columns A..U")
    lead = [c.split(" ", 1)[0].replace(",", "") for c in cols[2:]]
    if lead != list(C11_SECTIONS):
        k = next(i for i, (a, b) in enumerate(zip(lead, C11_SECTIONS, strict=True)) if a != b)
        raise LoadError(path, 1, cols[2 + k], lead[k], f"section columns in the order {list(C11_SECTIONS)} "
                        "(R and S combined)")
    label = frame[cols[0]].str.strip()
    parts = label.str.extract(MSOA_NAME.pattern)
    bad = parts[0].isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise LoadError(path, i + 2, cols[0], frame[cols[0]].iloc[i], "an MSOA label 'E02002559 : Darlington 001'")
    lk = pd.read_csv(root / LAD11_LAD21, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    # MSOA labels drop the ", City of" / ", County of" of three ONS district names (Bristol, Herefordshire, Hull)
    short = lk["LAD11NM"].str.replace(r", (City|County) of$", "", regex=True)
    name_to_code = dict(zip(short, lk["LAD11CD"], strict=True))
    code = parts[1].map(name_to_code)
    bad = code.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise LoadError(path, i + 2, cols[0], frame[cols[0]].iloc[i],
                        f"an MSOA whose district name is a LAD 2011 name of {LAD11_LAD21}")
    total = _counts(frame, path, [cols[1]])[:, 0]
    values = _counts(frame, path, cols[2:])
    _check_total(path, frame, cols[1], total, values)
    lad11 = sorted(set(code))
    idx = pd.Index(lad11).get_indexer(code)
    by11 = np.zeros((len(lad11), values.shape[1]))
    np.add.at(by11, idx, values)
    m = lad_rebase_membership("2011", "2021", data_dir=root).reorder_source(lad11)
    by21 = np.asarray(m.matrix @ by11)
    pos = {c: i for i, c in enumerate(m.target)}
    out = np.full((len(lads), values.shape[1]), np.nan)
    for i, d in enumerate(lads):
        if d in pos:
            out[i] = by21[pos[d]]
    ew = np.array([d[0] in "EW" for d in lads])
    if np.isnan(out[ew]).any():
        d = lads[int(np.flatnonzero(ew & np.isnan(out).any(axis=1))[0])]
        raise LoadError(path, 0, cols[0], d, "MSOAs for every district of England and Wales")
    prov = make_provenance(path, table="Census 2011 workplace population by industry (MSOA)", vintage="Census 2011",
                           query="MSOA -> LAD 2011 by name -> LAD 2021", loader="sia.estimate.inputs",
                           licence="OGL v3.0",
                           notes=[f"{len(frame)} MSOAs read, {len(frame)} used", "England and Wales only"])
    prov = _role(prov, "prior: district industry structure by section and indicator of district total employment "
                 "(workplace-based, 2011)")
    return out, C11_SECTIONS, prov


def _read_census2021(root: Path, lads: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...], Provenance]:
    """Census 2021 residents in employment by section (where workers live), ``(L, 18)``, NaN outside E&W."""
    from sia.sources._common import make_provenance

    path = root / CENSUS2021_RESIDENTS
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = list(frame.columns)
    if len(cols) != 21 or cols[0] != "LAD22CD" or not cols[2].startswith("Total"):
        raise LoadError(path, 1, "", cols[:3], "LAD22CD, LAD22NM, Total and 18 section columns A..Q, 'R, S, T, U'")
    lead = [c.split(":", 1)[0].strip() for c in cols[3:]]
    expect = [*C21_SECTIONS[:-1], "R, S, T, U Other"]
    if lead[:-1] != expect[:-1] or cols[-1] != expect[-1]:
        raise LoadError(path, 1, "", lead, f"section columns {expect}")
    codes = frame["LAD22CD"].str.strip()
    known = set(lads)
    bad = ~codes.isin(known).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise LoadError(path, i + 2, "LAD22CD", frame["LAD22CD"].iloc[i], "an April 2021 district code of GB")
    if codes.duplicated().any():
        i = int(np.flatnonzero(codes.duplicated().to_numpy())[0])
        raise LoadError(path, i + 2, "LAD22CD", codes.iloc[i], "one row per district")
    total = _counts(frame, path, [cols[2]])[:, 0]
    values = _counts(frame, path, cols[3:])
    _check_total(path, frame, cols[2], total, values)
    out = np.full((len(lads), values.shape[1]), np.nan)
    out[pd.Index(lads).get_indexer(codes)] = values
    ew = np.array([d[0] in "EW" for d in lads])
    if np.isnan(out[ew]).any():
        d = lads[int(np.flatnonzero(ew & np.isnan(out).any(axis=1))[0])]
        raise LoadError(path, 0, "LAD22CD", d, "a row for every district of England and Wales")
    prov = make_provenance(path, table="Census 2021 TS060 residents in employment by industry", vintage="Census 2021",
                           query="LAD 2022 (= April 2021 districts)", loader="sia.estimate.inputs",
                           licence="OGL v3.0", notes=[f"{len(frame)} districts read and used",
                                                      "residence-based: where workers live"])
    prov = _role(prov, "prior: district industry structure by section (residence-based, weak weight; not a margin)")
    return out, C21_SECTIONS, prov
