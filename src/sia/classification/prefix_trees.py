"""NAICS and HS trees built from the code prefixes found in data.

Neither the shared US County Business Patterns file nor the trade file carries a code list with
names, so these trees are derived from the codes themselves: every code's parent is the code one
level up obtained by truncation, with the published sector ranges / section ranges on top.
Intermediate codes missing from the input are created (with empty names) and listed in the
classification's notes.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sia.classification._errors import CodeRangeError
from sia.classification._paths import find_shared_data, read_repo_table
from sia.classification.tree import Classification

NAICS_LEVELS = ("sector", "subsector", "industry_group", "naics_industry", "national_industry")
# NAICS sectors published as ranges of 2-digit prefixes
NAICS_RANGE_SECTORS = {
    "31": "31-33",
    "32": "31-33",
    "33": "31-33",
    "44": "44-45",
    "45": "44-45",
    "48": "48-49",
    "49": "48-49",
}
NAICS_TOTAL = "00"
HS_LEVELS = ("section", "chapter", "heading", "subheading")
HS_UNCLASSIFIED_SECTION = "UNCL"
HS_UNCLASSIFIED_CHAPTERS = ("98", "99")
CBP_FILE = "us_cbp/cbp_2019_cbsa_naics_emp_estab.csv.gz"
TRADE_FILE = "trade/ots_world_trade_country_hs4_exports_2017.csv.gz"


def _naics_normaliser(code: str) -> str:
    return code.replace("\u2013", "-").replace(" ", "")


def _distinct(codes: Iterable[object], what: str) -> list[str]:
    out = pd.unique(pd.Series([str(c).strip() for c in codes], dtype=object))
    if len(out) == 0:
        raise ValueError(f"{what}: no codes given")
    return [str(c) for c in out]


def naics_from_codes(codes: Iterable[object], *, total: bool = False) -> Classification:
    """A NAICS tree from the codes found in data (e.g. the ``naics_code`` column of CBP).

    Levels: sector (2 digits, or the published ranges ``31-33``, ``44-45``, ``48-49``) ->
    subsector (3) -> industry group (4) -> NAICS industry (5) -> national industry (6).
    A 3-digit code's parent is its 2-digit sector, with ``31``/``32``/``33`` mapped to the range
    sector ``31-33`` (likewise ``44-45``, ``48-49``).  Bare ``31``, ``44``... are not sectors and
    raise.

    Parameters
    ----------
    codes
        Codes as text (leading zeros kept).
    total
        ``"00"`` (CBP's "all industries") becomes the root on an extra top level ``"total"`` when
        ``True``; when ``False`` (default) it is left out and listed in ``excluded``.

    Raises
    ------
    CodeRangeError
        For a code that is not 2-6 digits, a range sector, or ``00``.
    """
    given = _distinct(codes, "NAICS")
    sector_names = dict(read_repo_table("naics2017_sectors.csv").to_numpy())
    excluded: list[str] = []
    valid_ranges = set(NAICS_RANGE_SECTORS.values())
    nodes: dict[str, str] = {}  # code -> level
    for raw in given:
        c = _naics_normaliser(raw)
        if c == NAICS_TOTAL:
            if not total:
                excluded.append(c)
            continue
        if c in valid_ranges:
            nodes[c] = "sector"
        elif c.isdigit() and 2 <= len(c) <= 6:
            if len(c) == 2 and c in NAICS_RANGE_SECTORS:
                raise CodeRangeError(
                    f"NAICS code {raw!r} is part of sector {NAICS_RANGE_SECTORS[c]!r}; use the range code"
                )
            nodes[c] = NAICS_LEVELS[len(c) - 2]
        else:
            raise CodeRangeError(f"NAICS code {raw!r}: expected 2-6 digits, a sector range (31-33, 44-45, 48-49) or 00")
    implicit: list[str] = []

    def parent_of(c: str) -> str:
        if c in valid_ranges or len(c) == 2:
            return NAICS_TOTAL if total else ""
        if len(c) == 3:
            return NAICS_RANGE_SECTORS.get(c[:2], c[:2])
        return c[:-1]

    pending = list(nodes)
    while pending:
        c = pending.pop()
        p = parent_of(c)
        if p and p != NAICS_TOTAL and p not in nodes:
            nodes[p] = "sector" if p in valid_ranges else NAICS_LEVELS[len(p) - 2]
            implicit.append(p)
            pending.append(p)
    frame = pd.DataFrame({"code": list(nodes), "level": list(nodes.values())})
    frame["parent"] = frame["code"].map(parent_of)
    levels = NAICS_LEVELS
    if total:
        levels = ("total", *NAICS_LEVELS)
        frame = pd.concat([pd.DataFrame({"code": [NAICS_TOTAL], "level": ["total"], "parent": [""]}), frame])
    frame["name"] = frame["code"].map(sector_names).fillna("")
    notes = [
        "built from code prefixes; sector names from sia/data/naics2017_sectors.csv, other names not available",
        "00 (all industries) is the root" if total else "00 (all industries) left out of the tree (see excluded)",
    ]
    if implicit:
        notes.append(f"{len(implicit)} intermediate codes created from prefixes: {sorted(implicit)[:20]}")
    return Classification("NAICS 2017", levels, frame, normaliser=_naics_normaliser, notes=notes, excluded=excluded)


def hs_from_codes(
    codes: Iterable[object], *, unclassified: Literal["node", "exclude", "error"] = "node"
) -> Classification:
    """An HS tree from product codes (4-digit headings; 2-digit chapters and 6-digit subheadings also accepted).

    Levels: section (Roman numeral, from the repo table ``sia/data/hs_sections.csv`` of the 21 HS
    sections by chapter range) -> chapter (2 digits) -> heading (4) -> subheading (6, only when
    such codes are given).

    Chapters 98-99 (national use; ``9999`` = "unclassified" in Open Trade Statistics) belong to no
    HS section.  ``unclassified="node"`` (default) puts them under the special section ``UNCL``;
    ``"exclude"`` leaves them out and lists them in ``excluded``; ``"error"`` raises.

    Raises
    ------
    CodeRangeError
        For a code that is not 2, 4 or 6 digits (a 3- or 5-digit code has probably lost a leading
        zero and is reported as such), or a chapter in no section (e.g. reserved chapter 77).
    """
    given = _distinct(codes, "HS")
    table = read_repo_table("hs_sections.csv")
    chapter_to_section: dict[str, str] = {}
    for sec, lo, hi in zip(table["section"], table["chapter_from"], table["chapter_to"], strict=True):
        for ch in range(int(lo), int(hi) + 1):
            chapter_to_section[f"{ch:02d}"] = sec
    section_names = dict(zip(table["section"], table["name"], strict=True))
    excluded: list[str] = []
    kept: list[str] = []
    for c in given:
        if not (c.isdigit() and len(c) in (2, 4, 6)):
            hint = f" (leading zero lost? try {'0' + c!r})" if c.isdigit() and len(c) in (1, 3, 5) else ""
            raise CodeRangeError(f"HS code {c!r}: expected 2, 4 or 6 digits{hint}")
        ch = c[:2]
        if ch in HS_UNCLASSIFIED_CHAPTERS:
            if unclassified == "exclude":
                excluded.append(c)
                continue
            if unclassified == "error":
                raise CodeRangeError(f"HS code {c!r} is in chapter {ch}, which belongs to no HS section (unclassified)")
        elif ch not in chapter_to_section:
            raise CodeRangeError(f"HS code {c!r}: chapter {ch} belongs to no HS section (reserved chapter?)")
        kept.append(c)
    codes_all: set[str] = set()
    for c in kept:
        codes_all.update(c[:n] for n in (2, 4, 6) if n <= len(c))
    ordered = sorted(codes_all)
    lengths = np.array([len(c) for c in ordered])
    level_names = np.array(["", "chapter", "", "heading", "", "subheading"], dtype=object)[lengths - 1]
    parents = [c[: len(c) - 2] if len(c) > 2 else "" for c in ordered]
    frame = pd.DataFrame({"code": ordered, "level": level_names, "parent": parents, "name": ""})
    is_ch = frame["level"] == "chapter"
    frame.loc[is_ch, "parent"] = frame.loc[is_ch, "code"].map(chapter_to_section).fillna(HS_UNCLASSIFIED_SECTION)
    sections = [s for s in table["section"] if s in set(frame["parent"])]
    if (frame.loc[is_ch, "parent"] == HS_UNCLASSIFIED_SECTION).any():
        sections.append(HS_UNCLASSIFIED_SECTION)
        section_names[HS_UNCLASSIFIED_SECTION] = "Unclassified / special use (chapters 98-99; not an HS section)"
    frame = pd.concat(
        [
            pd.DataFrame(
                {"code": sections, "level": "section", "parent": "", "name": [section_names[s] for s in sections]}
            ),
            frame,
        ],
        ignore_index=True,
    )
    levels = HS_LEVELS if (lengths == 6).any() else HS_LEVELS[:3]
    implicit = sorted(codes_all - set(kept))
    notes = [
        "sections from sia/data/hs_sections.csv (WCO HS 2017 section table); chapter/heading names not available",
        f"chapters 98-99 (e.g. 9999 unclassified): {unclassified}",
    ]
    if implicit:
        notes.append(f"{len(implicit)} chapters/headings created from prefixes")
    return Classification("HS", levels, frame, notes=notes, excluded=excluded)


def _read_column(path: Path, column: str) -> pd.Series:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, dtype=str, keep_default_na=False, usecols=[column])
    return frame[column]


def naics_cbp(data_dir: str | os.PathLike[str] | None = None, *, total: bool = False) -> Classification:
    """:func:`naics_from_codes` on the distinct ``naics_code`` values of the shared CBP 2019 file."""
    path = find_shared_data(data_dir, required=CBP_FILE) / CBP_FILE
    return naics_from_codes(_read_column(path, "naics_code").unique(), total=total)


def hs_trade(
    data_dir: str | os.PathLike[str] | None = None, *, unclassified: Literal["node", "exclude", "error"] = "node"
) -> Classification:
    """:func:`hs_from_codes` on the distinct ``product_code`` values of the shared OTS 2017 HS4 export file."""
    path = find_shared_data(data_dir, required=TRADE_FILE) / TRADE_FILE
    return hs_from_codes(_read_column(path, "product_code").unique(), unclassified=unclassified)
