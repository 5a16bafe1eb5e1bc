"""Build ``src/sia/data/area_aliases.csv``: the explicit alias table of the built-in UK geography.

Every row says which alternative code or name stands for which area, under which rule and from
which source. Rows with an empty ``code`` record keys known to have **no identical** area in the
built-in geography (e.g. NUTS 2013/2010 regions whose boundaries differ from ITL 2021); looking
them up raises an error that quotes the rule. ``sia.geography.uk()`` reads this table; it never
derives aliases by string manipulation at run time.

Rules
-----
``nuts2016_itl1`` / ``nuts2016_itl2``
    NUTS 2016 codes (``UKG``, ``UKG1``) for ITL 2021 codes (``TLG``, ``TLG1``). ITL 2021 mirrors
    NUTS 2016 (ONS, "International Territorial Levels", 2021); the ITL2 list is checked against the
    41 NUTS2 codes of ``boundaries/hex_nuts2_uk.hexjson`` and the ITL1 list against the 12 NUTS1
    regions. NUTS 2013 codes that are unchanged in NUTS 2016 (all of England, Wales and Northern
    Ireland at NUTS1/NUTS2, which the NUTS 2013 BRES/IDBR files in ``employment/`` and
    ``business_counts/`` use) are the same strings and so share these rows.
``nuts_retired``
    NUTS codes of earlier versions with no identical ITL 2021 area (Scotland NUTS2 2013, London and
    Cheshire/Merseyside NUTS2 2010, the extra-regio ``UKZZ``), found in the shared innovation and
    employment files; listed with an empty code so that they fail loudly.
``same_code_other_name``
    A current LAD code appears with another spelling in a shared ONS/DfE lookup (e.g. LAD14
    ``Edinburgh, City of`` for ``City of Edinburgh``).
``nomis_name``
    Names used by NOMIS downloads (UK Business Counts ``area_name``) that are not the ONS LAD name.
``hand``
    Hand entries: common short names and ``&`` spellings of LEP names; each row says why.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "sia" / "data" / "area_aliases.csv"

# NUTS codes found in the shared data with no identical ITL 2021 area (names as in the files).
RETIRED_NUTS = {
    "UKM2": ("Eastern Scotland", "NUTS2 2013", "replaced by UKM7 (and part of UKM8) in NUTS 2016; no identical ITL2"),
    "UKM3": ("South Western Scotland", "NUTS2 2013", "replaced by UKM8/UKM9 in NUTS 2016; no identical ITL2"),
    "UKI1": ("Inner London", "NUTS2 2010", "split into UKI3/UKI4 in NUTS 2013; no identical ITL2"),
    "UKI2": ("Outer London", "NUTS2 2010", "split into UKI5/UKI6/UKI7 in NUTS 2013; no identical ITL2"),
    "UKD2": ("Cheshire", "NUTS2 2010", "recoded UKD6 (with boundary change) in NUTS 2013; no identical ITL2"),
    "UKD5": ("Merseyside", "NUTS2 2010", "recoded UKD7 (with boundary change) in NUTS 2013; no identical ITL2"),
    "UKZZ": ("Extra-Regio", "NUTS 2010-2016", "extra-regio territory, not a UK region"),
}

# hand entries: (alias, code, level, reason)
HAND = [
    ("UK", "K02000001", "country", "ISO/ONS short code of the United Kingdom"),
    ("United Kingdom", "K02000001", "country", "name"),
    ("St Helens", "E08000013", "LAD",
     "ONS name is 'St. Helens'; 'St Helens' is the spelling in geography/english_devolved_areas_dfe.csv"),
    ("Bristol", "E06000023", "LAD", "ONS name is 'Bristol, City of'"),
    ("City of Bristol", "E06000023", "LAD", "ONS name is 'Bristol, City of'"),
    ("Kingston upon Hull", "E06000010", "LAD", "ONS name is 'Kingston upon Hull, City of'"),
    ("Hull", "E06000010", "LAD", "ONS name is 'Kingston upon Hull, City of'"),
    ("Herefordshire", "E06000019", "LAD", "ONS name is 'Herefordshire, County of'"),
    ("Rhondda Cynon Taff", "W06000016", "LAD", "NOMIS UK Business Counts spelling of 'Rhondda Cynon Taf'"),
    ("GBSLEP", "E37000012", "LEP", "common acronym of Greater Birmingham and Solihull LEP"),
    ("SSLEP", "E37000032", "LEP", "common acronym of Stoke-on-Trent and Staffordshire LEP"),
    ("D2N2", "E37000045", "LEP", "common name of Derby, Derbyshire, Nottingham and Nottinghamshire LEP"),
    ("Marches", "E37000036", "LEP", "'The Marches' without the article"),
    ("WMCA", "E47000007", "CAUTH", "acronym of West Midlands Combined Authority"),
    ("West Midlands Combined Authority", "E47000007", "CAUTH", "full name (ONS name is 'West Midlands')"),
]


def main(shared: Path) -> None:
    geo = shared / "geography"
    itl = pd.read_csv(geo / "lad23_lau121_itl321_itl221_itl121_uk_lookup.csv", dtype=str)
    rows: list[dict[str, str]] = []

    def add(alias: str, code: str, level: str, rule: str, source: str) -> None:
        rows.append({"alias": alias, "code": code, "level": level, "rule": rule, "source": source})

    # --- NUTS <-> ITL ------------------------------------------------------------------------
    hexkeys = set(json.loads((shared / "boundaries" / "hex_nuts2_uk.hexjson").read_text())["hexes"])
    itl2 = itl[["ITL221CD", "ITL221NM"]].drop_duplicates().sort_values("ITL221CD")
    nuts2 = {"UK" + c[2:] for c in itl2["ITL221CD"]}
    if nuts2 != hexkeys:
        raise SystemExit(f"ITL2 <-> NUTS2 check failed: {sorted(nuts2 ^ hexkeys)}")
    for code, name in itl2.itertuples(index=False):
        add("UK" + code[2:], code, "ITL2", "nuts2016_itl2",
            f"NUTS2 2016 code of {name}; checked against boundaries/hex_nuts2_uk.hexjson (41/41)")
    itl1 = itl[["ITL121CD", "ITL121NM"]].drop_duplicates().sort_values("ITL121CD")
    if len(itl1) != 12:
        raise SystemExit("expected 12 ITL1 regions")
    for code, name in itl1.itertuples(index=False):
        add("UK" + code[2:], code, "ITL1", "nuts2016_itl1", f"NUTS1 code of {name} (NUTS1 unchanged 2013-2016)")
        if name.endswith(" (England)"):
            add(name.removesuffix(" (England)"), code, "ITL1", "hand",
                "ITL1 name without '(England)', as in the ONS regional GVA files")
    for code, (name, version, why) in RETIRED_NUTS.items():
        add(code, "", "NUTS", "nuts_retired", f"{version} code of {name}: {why}")
    # NUTS 2013 names that differ from ITL 2021 names for the same (identical) area
    with gzip.open(shared / "employment" / "bres_nuts2_2013_sic4_employment_2015_2018.csv.gz", "rt") as fh:
        n13 = pd.read_csv(fh, usecols=["geo_cd", "geo_nm"], dtype=str).drop_duplicates()
    names2 = dict(itl2.itertuples(index=False))
    for cd, nm in n13.sort_values("geo_cd")[["geo_cd", "geo_nm"]].itertuples(index=False):
        tl = "TL" + cd[2:]
        if cd in RETIRED_NUTS or tl not in names2 or names2[tl] == nm or cd.startswith("UKM"):
            continue
        add(nm, tl, "ITL2", "same_code_other_name",
            f"NUTS2 2013 name of {cd} in employment/bres_nuts2_2013_sic4_employment_2015_2018.csv.gz")

    # --- LAD names ----------------------------------------------------------------------------
    current = dict(itl[["LAD23CD", "LAD23NM"]].drop_duplicates().itertuples(index=False))
    lau = itl[itl["LAU121CD"].str.startswith("E")]
    current21 = {**current, **dict(lau[["LAU121CD", "LAU121NM"]].drop_duplicates().itertuples(index=False))}
    seen: set[tuple[str, str]] = set()
    sources = [
        ("lad11_lad21_lookup_ew.csv", "LAD21CD", "LAD21NM"),
        ("lad11_lad21_lookup_ew.csv", "LAD11CD", "LAD11NM"),
        ("lad14_codes_names_uk.csv", "LAD14CD", "LAD14NM"),
        ("lad_lep_2020_dfe.csv", "LACD", "LANM"),
        ("lad_codes_vintages_dfe.csv", "lad_code", "lad_name"),
        ("lad23_cauth23_lookup_en.csv", "LAD23CD", "LAD23NM"),
        ("lad24_cauth24_lookup_en.csv", "LAD24CD", "LAD24NM"),
    ]
    for fname, ccol, ncol in sources:
        df = pd.read_csv(geo / fname, dtype=str, keep_default_na=False)
        for code, name in df[[ccol, ncol]].drop_duplicates().itertuples(index=False):
            code, name = code.strip(), name.strip()
            official = current21.get(code)
            if official is None or official.casefold() == name.casefold() or (name, code) in seen:
                continue
            seen.add((name, code))
            add(name, code, "LAD", "same_code_other_name", f"name of {code} ({official}) in geography/{fname}")
    # NOMIS UK Business Counts names: every one must be an ONS name or have a hand alias
    with gzip.open(shared / "business_counts" / "ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz",
                   "rt") as fh:
        ubc = pd.read_csv(fh, usecols=["geog_type", "area_name"], dtype=str).drop_duplicates()
    known = {n.casefold() for n in current21.values()} | {r["alias"].casefold() for r in rows}
    known |= {a.casefold() for a, *_ in HAND}
    missing = sorted(n for t, n in ubc.itertuples(index=False) if t == "ladu" and n.casefold() not in known)
    if missing:
        raise SystemExit(f"UBC LAD names without an ONS name or alias (add hand rows): {missing}")

    # --- LEP names: '&' spellings -------------------------------------------------------------
    lep_names = set(pd.read_csv(geo / "lad_lep_2020_dfe.csv", dtype=str)[["ERCD", "ERNM"]].itertuples(index=False))
    lep_names |= set(pd.read_csv(REPO / "src" / "sia" / "data" / "lad23_lep21.csv", dtype=str)[
        ["LEP21CD", "LEP21NM"]].itertuples(index=False))
    for code, name in sorted(lep_names):
        if " and " in name:
            add(name.replace(" and ", " & "), code, "LEP", "hand", f"'&' spelling of the LEP name {name!r}")

    for alias, code, level, why in HAND:
        rule = "nomis_name" if "NOMIS" in why else "hand"
        add(alias, code, level, rule, why)

    out = pd.DataFrame(rows).drop_duplicates()
    dup = out[out.duplicated(["alias", "code"], keep=False)]
    if not dup.empty:
        raise SystemExit(f"duplicate alias rows: {dup}")
    with OUT.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["alias", "code", "level", "rule", "source"])
        w.writeheader()
        w.writerows(out.to_dict("records"))
    print(f"wrote {len(out)} aliases to {OUT}")


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(
        os.environ.get("SIA_SHARED_DATA", REPO.parent / "shared" / "data"))
    main(root)
