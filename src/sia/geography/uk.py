"""The built-in UK geography, read from the shared ONS/DfE lookups.

Levels and sources (``<data>/geography/`` unless noted; see its ``PROVENANCE.md``):

========  ==========================================================================================
LAD       ``lad23_lau121_itl321_itl221_itl121_uk_lookup.csv``: LAD Dec 2023 (361), or with
          ``lad_vintage="2021"`` the April 2021 districts (374: the 17 districts merged in April 2023
          into Cumberland, Westmorland and Furness, North Yorkshire and Somerset are read from the
          ``LAU121`` columns, as NOMIS UK Business Counts uses them).
ITL3/2/1  the same file (ITL 2021). Five LAD23s straddle ITL3 boundaries (Cumberland, Westmorland and
          Furness, Highland, North Ayrshire, Argyll and Bute); they are members (weight 1) of every ITL3
          they touch and are listed by ``overlaps("LAD")``. North Ayrshire and Argyll and Bute also
          straddle ITL2s; every LAD is in exactly one ITL1.
nation    derived: each ITL1 belongs to the nation of its LAD codes' prefix (E/W/S/N).
country   ``K02000001`` United Kingdom (alias ``UK``).
CAUTH     ``lad23_cauth23_lookup_en.csv`` / ``lad24_...`` / ``lad25_...`` (``cauth_vintage``). The 2025
          file's Barnsley/Sheffield codes (2024 boundary change) are mapped to the LAD23 codes through
          ``sia/data/lad_code_changes.csv``.
LEP       ``lep_vintage`` "2016", "2017", "2020": ``lad_lep_2020_dfe.csv`` (April 2020 LEP codes, first
          LEP only) plus the seven pre-2021 dual memberships of ``sia/data/lep_overlaps_pre2021.csv``;
          "2021": ``sia/data/lad23_lep21.csv`` (LAD23 polygons overlaid on the LEP May 2021 boundaries).
          LAD codes of 2020 are carried to the geography's LAD vintage through the LAU121 columns
          (merged districts -> their successor); a successor whose predecessors were in different LEPs
          (North Yorkshire: Craven, Harrogate, Selby -> Leeds City Region, the rest -> York, North
          Yorkshire and East Riding) becomes a member of each and the fact is recorded in ``notes``.
========  ==========================================================================================

Built-in unions: ``MIDLANDS_ENGINE`` (pan-regional; the nine Midlands Engine LEPs of 2020, by name at
the chosen LEP vintage), ``MIDLANDS_ENGINE_ITL`` (ITL1 TLF + TLG) and ``WMCA_CONSTITUENT`` (custom;
the seven constituent metropolitan districts of the West Midlands Combined Authority).

Known gap: only the seven Midlands dual LEP memberships are encoded; other pre-2021 overlaps (e.g.
Barnsley in Sheffield City Region and Leeds City Region, the north Derbyshire districts in D2N2 and
Sheffield City Region) are not, because no published ``LEP20CD1/LEP20CD2`` lookup is held.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sia.geography.core import Geography
from sia.paths import find_shared_data as _find_shared_data

__all__ = ["MIDLANDS_ENGINE_LEPS", "WMCA_CONSTITUENT_LADS", "find_shared_data", "uk"]

LEP_VINTAGES = ("2016", "2017", "2020", "2021")
CAUTH_VINTAGES = ("2023", "2024", "2025")
LAD_VINTAGES = ("2021", "2023")

#: the nine LEPs of the Midlands Engine (2020), by their ONS names
MIDLANDS_ENGINE_LEPS: tuple[str, ...] = (
    "Black Country",
    "Coventry and Warwickshire",
    "Derby, Derbyshire, Nottingham and Nottinghamshire",
    "Greater Birmingham and Solihull",
    "Greater Lincolnshire",
    "Leicester and Leicestershire",
    "The Marches",
    "Stoke-on-Trent and Staffordshire",
    "Worcestershire",
)
#: the seven constituent members of the West Midlands Combined Authority
WMCA_CONSTITUENT_LADS: tuple[str, ...] = (
    "Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton",
)
NATIONS = {
    "E": ("E92000001", "England"),
    "W": ("W92000004", "Wales"),
    "S": ("S92000003", "Scotland"),
    "N": ("N92000002", "Northern Ireland"),
}
ITL_LOOKUP = "lad23_lau121_itl321_itl221_itl121_uk_lookup.csv"


def find_shared_data(data_dir: str | Path | None = None) -> Path:
    """Locate the shared data folder (the one holding ``geography/``); see :func:`sia.paths.find_shared_data`.

    Raises
    ------
    FileNotFoundError
        Naming every place looked at and how to point at the data.
    """
    return _find_shared_data(data_dir, required=f"geography/{ITL_LOOKUP}")


def _read(path: Path, **kw: object) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"geography source file missing: {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", **kw)  # type: ignore[arg-type]


REPO_DATA = Path(__file__).resolve().parents[1] / "data"


def _repo_data(name: str) -> pd.DataFrame:
    """Read a small data file shipped with the package (``sia/data/``)."""
    return pd.read_csv(REPO_DATA / name, dtype=str, keep_default_na=False)


def uk(
    *,
    lep_vintage: str = "2020",
    cauth_vintage: str = "2024",
    lad_vintage: str = "2023",
    data_dir: str | Path | None = None,
) -> Geography:
    """Build the UK geography (LAD -> ITL3 -> ITL2 -> ITL1 -> nation -> UK, LAD -> CAUTH, LAD -> LEP).

    Parameters
    ----------
    lep_vintage
        ``"2016"``, ``"2017"`` or ``"2020"`` (pre-review LEPs, with the seven dual memberships of
        Cannock Chase, East Staffordshire, Lichfield, Tamworth, Bromsgrove, Redditch and Wyre Forest) or
        ``"2021"`` (post-review, no overlaps). The pre-2021 vintages share the April 2020 lookup and codes.
    cauth_vintage
        ``"2023"``, ``"2024"`` or ``"2025"`` combined authority lookup.
    lad_vintage
        ``"2023"`` (LAD Dec 2023 codes, as in the ONS GVA files) or ``"2021"`` (April 2021 districts, as
        in NOMIS UK Business Counts).
    data_dir
        Shared data folder; see :func:`find_shared_data`.
    """
    for value, allowed, name in ((lep_vintage, LEP_VINTAGES, "lep_vintage"),
                                 (cauth_vintage, CAUTH_VINTAGES, "cauth_vintage"),
                                 (lad_vintage, LAD_VINTAGES, "lad_vintage")):
        if str(value) not in allowed:
            raise ValueError(f"{name}={value!r} is not supported; choose one of {', '.join(allowed)}")
    lep_vintage, cauth_vintage, lad_vintage = str(lep_vintage), str(cauth_vintage), str(lad_vintage)
    root = find_shared_data(data_dir)
    geo_dir = root / "geography"
    g = Geography()
    itl = _read(geo_dir / ITL_LOOKUP)

    # ---- LAD codes of the chosen vintage, and the map from LAD/LAU codes of 2020-2023 onto them
    vint = _read(geo_dir / "lad_codes_vintages_dfe.csv")
    new_2023 = set(vint.loc[vint["date_of_introduction"].eq("2023-04-01"), "lad_code"])
    itl = itl.assign(
        LADCD=itl["LAD23CD"], LADNM=itl["LAD23NM"],
    )
    if lad_vintage == "2021":
        split = itl["LAD23CD"].isin(new_2023)
        itl.loc[split, "LADCD"] = itl.loc[split, "LAU121CD"]
        itl.loc[split, "LADNM"] = itl.loc[split, "LAU121NM"]
    # predecessor (any English LAU121 district code, 2020-2023) -> LAD code of this geography
    eng = itl[itl["LAU121CD"].str.startswith("E")]
    to_lad = dict(zip(eng["LAU121CD"], eng["LADCD"], strict=True))
    to_lad.update(dict(zip(itl["LADCD"], itl["LADCD"], strict=True)))
    if lad_vintage == "2021":  # a LAD23 code maps to its 2021 districts (used for LAD23-keyed lookups)
        lad23_to = itl.groupby("LAD23CD")["LADCD"].agg(lambda s: sorted(set(s))).to_dict()
    else:
        lad23_to = {c: [c] for c in itl["LAD23CD"]}

    # ---- areas and the ITL hierarchy
    lads = itl[["LADCD", "LADNM"]].drop_duplicates()
    for code, name in lads.itertuples(index=False):
        g.add_area(code, name, "LAD", lad_vintage)
    g.add_area("K02000001", "United Kingdom", "country")
    for lv, cc, nc in (("ITL3", "ITL321CD", "ITL321NM"), ("ITL2", "ITL221CD", "ITL221NM"),
                       ("ITL1", "ITL121CD", "ITL121NM")):
        for code, name in itl[[cc, nc]].drop_duplicates().itertuples(index=False):
            g.add_area(code, name, lv, "2021")
    for code, name in NATIONS.values():
        g.add_area(code, name, "nation")
        g.add_membership(code, "K02000001")
    for child, parent in (("LADCD", "ITL321CD"), ("ITL321CD", "ITL221CD"), ("ITL221CD", "ITL121CD")):
        for c, p in itl[[child, parent]].drop_duplicates().itertuples(index=False):
            g.add_membership(c, p)
    itl1_nation = itl.assign(n=itl["LAD23CD"].str[0])[["ITL121CD", "n"]].drop_duplicates()
    if itl1_nation["ITL121CD"].duplicated().any():
        raise ValueError(f"{geo_dir / ITL_LOOKUP}: an ITL1 region has LADs of two nations")
    for itl1, n in itl1_nation.itertuples(index=False):
        g.add_membership(itl1, NATIONS[n][0])

    # ---- combined authorities
    cfile = {"2023": "lad23_cauth23_lookup_en.csv", "2024": "lad24_cauth24_lookup_en.csv",
             "2025": "lad25_cauth25_lookup_en.csv"}[cauth_vintage]
    ca = _read(geo_dir / cfile)
    yy = cauth_vintage[2:]
    changes = _repo_data("lad_code_changes.csv")
    back = dict(zip(changes["new_code"], changes["old_code"], strict=True))  # later code -> LAD23 code
    for line, (lad, cauth, cname) in enumerate(
        ca[[f"LAD{yy}CD", f"CAUTH{yy}CD", f"CAUTH{yy}NM"]].itertuples(index=False), start=2
    ):
        lad23 = back.get(lad, lad)
        if lad23 not in lad23_to:
            raise ValueError(f"{geo_dir / cfile}, line {line}, column LAD{yy}CD: {lad!r} is not a LAD23 code "
                             "and has no entry in sia/data/lad_code_changes.csv")
        g.add_area(cauth, cname, "CAUTH", cauth_vintage)
        for c in lad23_to[lad23]:
            g.add_membership(c, cauth)

    # ---- LEPs
    if lep_vintage == "2021":
        l21 = _repo_data("lad23_lep21.csv")
        for lad23, lep, lname in l21[["LAD23CD", "LEP21CD", "LEP21NM"]].itertuples(index=False):
            g.add_area(lep, lname, "LEP", "2021")
            for c in lad23_to[lad23]:
                g.add_membership(c, lep)
    else:
        lfile = geo_dir / "lad_lep_2020_dfe.csv"
        l20 = _read(lfile)
        reached: dict[str, set[str]] = {}
        for line, (lad, lep, lname) in enumerate(l20[["LACD", "ERCD", "ERNM"]].itertuples(index=False), start=2):
            if lad not in to_lad:
                raise ValueError(f"{lfile}, line {line}, column LACD: {lad!r} is neither a LAD{lad_vintage[2:]} code "
                                 f"nor a predecessor district in {ITL_LOOKUP}")
            g.add_area(lep, lname, "LEP", lep_vintage)
            g.add_membership(to_lad[lad], lep)
            reached.setdefault(to_lad[lad], set()).add(lep)
        for lad, leps in sorted(reached.items()):
            if len(leps) > 1:
                preds = sorted(p for p, t in to_lad.items() if t == lad and p != lad)
                g.notes.append(
                    f"{lad} {g.area(lad).name}: predecessor districts {', '.join(preds)} were in different LEPs "
                    f"({', '.join(sorted(leps))}) in the 2020 lookup; it is a member (weight 1) of each. "
                    "Use lad_vintage='2021' for exact pre-2021 LEP totals."
                )
        ov = _repo_data("lep_overlaps_pre2021.csv")
        ov = ov[ov["lep_vintages"].str.split(";").map(lambda v: lep_vintage in v)]
        for lad, lep, lname in ov[["lad_code", "lep_code", "lep_name"]].itertuples(index=False):
            if g.area(lep).name != lname:
                raise ValueError(f"sia/data/lep_overlaps_pre2021.csv: {lep} is named {lname!r} there but "
                                 f"{g.area(lep).name!r} in {lfile.name}")
            g.add_membership(to_lad[lad], lep)

    # ---- built-in unions
    g.add_union("MIDLANDS_ENGINE", "Midlands Engine (nine LEPs)",
                [g.resolve(n, "LEP") for n in MIDLANDS_ENGINE_LEPS], level="pan-regional", vintage=lep_vintage)
    g.add_union("MIDLANDS_ENGINE_ITL", "Midlands Engine (ITL1 East + West Midlands)", ["TLF", "TLG"],
                level="pan-regional", vintage="2021")
    g.add_union("WMCA_CONSTITUENT", "WMCA constituent members",
                [g.resolve(n, "LAD") for n in WMCA_CONSTITUENT_LADS], level="custom", vintage=lad_vintage)

    _add_aliases(g)
    _add_foreign(g, root, lad_vintage, lep_vintage, cauth_vintage)
    return g


def _add_aliases(g: Geography) -> None:
    al = _repo_data("area_aliases.csv")
    for alias, code, level, rule, source in al[["alias", "code", "level", "rule", "source"]].itertuples(index=False):
        if not code:
            g.add_foreign(alias, source.split(" code of ")[-1].split(":")[0], level, rule,
                          note=source)
        elif code in g and g.area(code).level == level:
            g.add_alias(alias, code, f"{rule}: {source}")


def _add_foreign(g: Geography, root: Path, lad_vintage: str, lep_vintage: str, cauth_vintage: str) -> None:
    """Register codes of other vintages so that looking them up names the vintage."""
    geo = root / "geography"
    lad_sources = [
        ("lad11_lad21_lookup_ew.csv", "LAD11CD", "LAD11NM", "LAD 2011"),
        ("lad11_lad21_lookup_ew.csv", "LAD21CD", "LAD21NM", "LAD 2021"),
        ("lad14_codes_names_uk.csv", "LAD14CD", "LAD14NM", "LAD 2014"),
        ("lad_lep_2020_dfe.csv", "LACD", "LANM", "LAD 2020"),
        (ITL_LOOKUP, "LAU121CD", "LAU121NM", "LAU1 2021"),
        (ITL_LOOKUP, "LAD23CD", "LAD23NM", "LAD 2023"),
        ("lad25_cauth25_lookup_en.csv", "LAD25CD", "LAD25NM", "LAD 2024/2025"),
    ]
    for fname, ccol, ncol, label in lad_sources:
        df = _read(geo / fname)
        for code, name in df[[ccol, ncol]].drop_duplicates().itertuples(index=False):
            code = code.strip()
            if code and code not in g and code[0] in "EWSN" and code[1:3].isdigit():
                g.add_foreign(code, name.strip(), "LAD", label)
    vint = _read(geo / "lad_codes_vintages_dfe.csv")
    for code, name, end in vint[["lad_code", "lad_name", "date_of_termination"]].itertuples(index=False):
        if end and code not in g:
            g.add_foreign(code, name, "LAD", "", note=f"terminated {end} per lad_codes_vintages_dfe.csv")
    leps = _read(geo / "lep_codes_vintages_dfe.csv")
    cols = ["local_enterprise_partnership_code", "local_enterprise_partnership_name", "date_of_introduction",
            "date_of_termination"]
    for code, name, start, end in leps[cols].itertuples(index=False, name=None):
        if code not in g:
            span = f"introduced {start or 'before 2014'}, terminated {end or '-'}"
            g.add_foreign(code, name, "LEP", f"LEP vintage ({span}) per lep_codes_vintages_dfe.csv")
    l20 = _read(geo / "lad_lep_2020_dfe.csv")
    l21 = _repo_data("lad23_lep21.csv")
    for df, cc, nc, label in ((l20, "ERCD", "ERNM", "LEP 2020"), (l21, "LEP21CD", "LEP21NM", "LEP 2021")):
        if label != f"LEP {lep_vintage}":
            for code, name in df[[cc, nc]].drop_duplicates().itertuples(index=False):
                if code not in g:
                    g.add_foreign(code, name, "LEP", label)
    for y in CAUTH_VINTAGES:
        if y == cauth_vintage:
            continue
        df = _read(geo / f"lad{y[2:]}_cauth{y[2:]}_lookup_en.csv")
        for code, name in df[[f"CAUTH{y[2:]}CD", f"CAUTH{y[2:]}NM"]].drop_duplicates().itertuples(index=False):
            if code not in g:
                g.add_foreign(code, name, "CAUTH", f"CAUTH {y}")
    dev = _read(geo / "english_devolved_areas_dfe.csv")
    for code, name in dev[["english_devolved_area_code", "english_devolved_area_name"]].itertuples(index=False):
        if code not in g:
            g.add_foreign(code, name, "CAUTH", "English devolved areas (DfE list)")
