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
LEP       ``lep_vintage`` "2016", "2017", "2020": ``lad_lep_2020_dfe.csv`` (first LEP only) plus the
          seven pre-2021 dual memberships of ``sia/data/lep_overlaps_pre2021.csv``. The lookup carries
          the April 2020 codes; the 2016 and 2017 vintages are given the codes that
          ``lep_codes_vintages_dfe.csv`` lists as valid on 1 April 2017 (matched by LEP name: 16 of the
          38 LEPs, e.g. London E37000051 -> E37000023), see :func:`lep_codes`.
          "2021": ``sia/data/lad23_lep21.csv`` (LAD23 polygons overlaid on the LEP May 2021 boundaries,
          one LEP per district) plus the seven West Midlands dual memberships that the May 2021
          boundaries still hold (:data:`LEP21_DUAL_MEMBERSHIPS`).
          LAD codes of 2020 are carried to the geography's LAD vintage through the LAU121 columns
          (merged districts -> their successor); a successor whose predecessors were in different LEPs
          (North Yorkshire: Craven, Harrogate, Selby -> Leeds City Region, the rest -> York, North
          Yorkshire and East Riding) becomes a member of each and the fact is recorded in ``notes``.
========  ==========================================================================================

Built-in unions: ``MIDLANDS_ENGINE`` (pan-regional; the nine Midlands Engine LEPs of 2020, by name at
the chosen LEP vintage), ``MIDLANDS_ENGINE_ITL`` (ITL1 TLF + TLG) and ``WMCA_CONSTITUENT`` (custom;
the seven constituent metropolitan districts of the West Midlands Combined Authority).

Known gap: only the seven Midlands dual LEP memberships are encoded before 2021; other pre-2021
overlaps (e.g. Barnsley in Sheffield City Region and Leeds City Region, the north Derbyshire districts in
D2N2 and Sheffield City Region) are not, because no published ``LEP20CD1/LEP20CD2`` lookup or dated
pre-2021 LEP boundary file is held. The 2016 and 2017 vintages share the 2020 membership (only the codes
differ). The 2021 membership is checked against the May 2021 boundaries by area overlap in the tests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sia.geography.core import Geography
from sia.paths import find_shared_data as _find_shared_data

__all__ = [
    "LEP21_DUAL_MEMBERSHIPS",
    "LEP_CODE_DATES",
    "MIDLANDS_ENGINE_LEPS",
    "WMCA_CONSTITUENT_LADS",
    "find_shared_data",
    "lep_codes",
    "uk",
]

LEP_VINTAGES = ("2016", "2017", "2020", "2021")
#: the date on which each LEP vintage reads the codes of ``lep_codes_vintages_dfe.csv``. The DfE list
#: dates the codes of South East Midlands (E37000041, after the Northamptonshire merger) and Greater
#: Cambridge and Greater Peterborough (E37000042) from 1 April 2017 and has no code for either LEP
#: between December 2014 and then; the 2016 vintage, whose membership already holds the merger (it is
#: read from the 2020 lookup), therefore carries the April 2017 codes.
LEP_CODE_DATES: dict[str, str] = {"2016": "2017-04-01", "2017": "2017-04-01", "2020": "2020-04-01",
                                  "2021": "2021-04-01"}
LEP_CODES_FILE = "lep_codes_vintages_dfe.csv"
#: the LEP May 2021 memberships that ``sia/data/lad23_lep21.csv`` (one LEP per district) leaves out:
#: ``(LAD23 code, LAD name, LEP21 code, LEP name)``. The ONS LEP May 2021 boundaries
#: (``boundaries/lep21_may_en_buc.geojson``) still overlap in the West Midlands: each of these
#: districts lies wholly inside both the LEP of the CSV and the LEP given here, so Greater Birmingham
#: and Solihull and Stoke-on-Trent and Staffordshire both hold nine districts, as in NOMIS's April 2021
#: LEP counts.
LEP21_DUAL_MEMBERSHIPS: tuple[tuple[str, str, str, str], ...] = (
    ("E07000192", "Cannock Chase", "E37000012", "Greater Birmingham and Solihull"),
    ("E07000193", "East Staffordshire", "E37000012", "Greater Birmingham and Solihull"),
    ("E07000234", "Bromsgrove", "E37000012", "Greater Birmingham and Solihull"),
    ("E07000236", "Redditch", "E37000012", "Greater Birmingham and Solihull"),
    ("E07000239", "Wyre Forest", "E37000012", "Greater Birmingham and Solihull"),
    ("E07000194", "Lichfield", "E37000032", "Stoke-on-Trent and Staffordshire"),
    ("E07000199", "Tamworth", "E37000032", "Stoke-on-Trent and Staffordshire"),
)
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


def _lep_code_table(root: Path) -> pd.DataFrame:
    df = _read(root / "geography" / LEP_CODES_FILE)
    return df.rename(columns={"local_enterprise_partnership_code": "code", "local_enterprise_partnership_name": "name",
                              "date_of_introduction": "start", "date_of_termination": "end"})


def _valid_lep_codes(table: pd.DataFrame, lep_vintage: str) -> dict[str, str]:
    date = LEP_CODE_DATES[lep_vintage]
    ok = (table["start"].eq("") | (table["start"] <= date)) & (table["end"].eq("") | (table["end"] >= date))
    sub = table[ok]
    dup = sub["code"][sub["code"].duplicated()]
    if not dup.empty:
        raise ValueError(f"{LEP_CODES_FILE}: LEP code {dup.iloc[0]} has two rows valid on {date}")
    return dict(zip(sub["code"], sub["name"], strict=True))


def lep_codes(lep_vintage: str, data_dir: str | Path | None = None) -> dict[str, str]:
    """LEP codes of a LEP vintage with their names, read from ``lep_codes_vintages_dfe.csv``.

    A code belongs to the vintage when it was valid on the vintage's date (:data:`LEP_CODE_DATES`):
    its introduction date is empty or not later, and its termination date empty or not earlier (the
    DfE list gives as termination the last date on which the code was in use, e.g. ``2017-04-01`` for
    London's E37000023, which E37000051 replaced on 1 April 2020).

    Parameters
    ----------
    lep_vintage
        ``"2016"``, ``"2017"``, ``"2020"`` or ``"2021"``.
    data_dir
        Shared data folder; see :func:`find_shared_data`.

    Returns
    -------
    dict
        ``{code: name}`` in file order (38 LEPs for every vintage).
    """
    if str(lep_vintage) not in LEP_VINTAGES:
        raise ValueError(f"lep_vintage={lep_vintage!r} is not supported; choose one of {', '.join(LEP_VINTAGES)}")
    return _valid_lep_codes(_lep_code_table(find_shared_data(data_dir)), str(lep_vintage))


def _lep20_recode(l20: pd.DataFrame, valid: dict[str, str], lep_vintage: str, path: Path) -> dict[str, str]:
    """Map the April 2020 LEP codes of ``lad_lep_2020_dfe.csv`` to the codes of ``lep_vintage`` (by name)."""
    by_name: dict[str, list[str]] = {}
    for code, name in valid.items():
        by_name.setdefault(name, []).append(code)
    out: dict[str, str] = {}
    for code, name in l20[["ERCD", "ERNM"]].drop_duplicates().itertuples(index=False):
        if valid.get(code) == name:
            out[code] = code
            continue
        found = by_name.get(name, [])
        if len(found) != 1:
            raise ValueError(
                f"{path}: LEP {code} {name!r} has {len(found) or 'no'} code(s) of LEP vintage {lep_vintage} "
                f"(valid on {LEP_CODE_DATES[lep_vintage]}) in {LEP_CODES_FILE}"
                + (f": {', '.join(found)}" if found else "")
            )
        out[code] = found[0]
    unused = sorted(set(valid) - set(out.values()))
    if unused:
        raise ValueError(f"{LEP_CODES_FILE}: LEP code(s) {', '.join(unused)} of LEP vintage {lep_vintage} match no "
                         f"LEP of {path.name}")
    return out


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
        ``"2021"`` (post-review LEPs of the May 2021 boundaries, which keep the same seven districts in two
        LEPs). The pre-2021 vintages share the April 2020 lookup; 2016 and 2017 carry the LEP codes valid
        on 1 April 2017 (:func:`lep_codes`), 2020 the April 2020 codes.
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
    lep_table = _lep_code_table(root)
    recode: dict[str, str] = {}  # April 2020 LEP code -> code of this LEP vintage
    if lep_vintage == "2021":
        l21 = _repo_data("lad23_lep21.csv")
        for lad23, lep, lname in l21[["LAD23CD", "LEP21CD", "LEP21NM"]].itertuples(index=False):
            g.add_area(lep, lname, "LEP", "2021")
            for c in lad23_to[lad23]:
                g.add_membership(c, lep)
        for lad23, lad_name, lep, lname in LEP21_DUAL_MEMBERSHIPS:
            if lad23 not in lad23_to or lep not in g or g.area(lep).name != lname:
                raise ValueError(f"LEP21_DUAL_MEMBERSHIPS: {lad23} {lad_name!r} -> {lep} {lname!r} does not match "
                                 "sia/data/lad23_lep21.csv or the LAD23 lookup")
            for c in lad23_to[lad23]:
                g.add_membership(c, lep)
    else:
        lfile = geo_dir / "lad_lep_2020_dfe.csv"
        l20 = _read(lfile)
        recode = _lep20_recode(l20, _valid_lep_codes(lep_table, lep_vintage), lep_vintage, lfile)
        reached: dict[str, set[str]] = {}
        for line, (lad, lep20, lname) in enumerate(l20[["LACD", "ERCD", "ERNM"]].itertuples(index=False), start=2):
            if lad not in to_lad:
                raise ValueError(f"{lfile}, line {line}, column LACD: {lad!r} is neither a LAD{lad_vintage[2:]} code "
                                 f"nor a predecessor district in {ITL_LOOKUP}")
            lep = recode[lep20]
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
        for lad, lep20, lname in ov[["lad_code", "lep_code", "lep_name"]].itertuples(index=False):
            lep = recode.get(lep20, lep20)
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

    _add_aliases(g, recode)
    _add_foreign(g, root, lad_vintage, lep_vintage, cauth_vintage, lep_table)
    return g


def _add_aliases(g: Geography, recode: dict[str, str]) -> None:
    """Register ``sia/data/area_aliases.csv``; LEP aliases written against April 2020 codes follow ``recode``."""
    al = _repo_data("area_aliases.csv")
    for alias, code, level, rule, source in al[["alias", "code", "level", "rule", "source"]].itertuples(index=False):
        if not code:
            g.add_foreign(alias, source.split(" code of ")[-1].split(":")[0], level, rule,
                          note=source)
            continue
        if code not in g and level == "LEP" and recode.get(code, code) in g:
            source = f"{source} (April 2020 code {code}; {recode[code]} in this LEP vintage)"
            code = recode[code]
        if code in g and g.area(code).level == level:
            g.add_alias(alias, code, f"{rule}: {source}")


def _add_foreign(g: Geography, root: Path, lad_vintage: str, lep_vintage: str, cauth_vintage: str,
                 lep_table: pd.DataFrame) -> None:
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
    held = {v: _valid_lep_codes(lep_table, v) for v in LEP_VINTAGES}
    for code, name, start, end in lep_table[["code", "name", "start", "end"]].itertuples(index=False, name=None):
        if code in g:
            continue
        in_vintages = [v for v in LEP_VINTAGES if held[v].get(code) == name]
        span = (f"introduced {start or 'before 2014'}, " + (f"last used {end}" if end else "still live")
                + f" per {LEP_CODES_FILE}")
        if in_vintages:
            for v in in_vintages:
                g.add_foreign(code, name, "LEP", f"LEP {v}")
            g.add_foreign(code, name, "LEP", "", note=span)
        else:
            g.add_foreign(code, name, "LEP", "", note=f"{span}; no LEP vintage that sia builds "
                                                     f"({', '.join(LEP_VINTAGES)}) uses it")
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
