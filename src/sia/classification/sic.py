"""UK SIC 2007 as used by NOMIS/BRES, built from the shared sectors lookups.

Levels: section (letter) -> division (2 digits) -> group (3) -> class (4) -> subclass (5).
Codes are written without dots (``"303"`` = SIC 30.3, ``"3316"`` = 33.16) and keep leading zeros.

Source files (``shared/data/sectors``, see its PROVENANCE.md):

``sic2007_5digit_hierarchy_lookup.csv``
    729 NOMIS subclasses with their group, division and section.  Classes (4 digits) are not in
    the file; they are the first four digits of the subclass codes (616 classes).  A class with a
    single subclass is coded ``<class>0`` (class 0111 -> subclass 01110) and takes that
    subclass's name.  Names of the 78 classes with several subclasses come from
    ``nesta_sic4_industry_segment_lookup.csv`` (column ``descr``) when that file is present, and
    from the repo table ``sia/data/sic2007_class_names_supplement.csv`` (class 7734); otherwise
    they are empty.
``sic2007_2digit_sections.csv``
    Division -> section letter with the official upper-case section titles (84 divisions and 19
    sections: 07, 97, 98, 99 and sections T, U are absent).  Used to cross-check the lookup and
    as the sections' raw labels.

NOMIS-specific node: ``01000`` "DEFRA/Scottish Executive Agricultural Data" is not a SIC 2007
subclass; NOMIS uses it for agricultural holdings data.  It sits in group ``010`` and class
``0100`` (both NOMIS-only) under division 01, so it is kept apart from the real groups 011-017.

The lookup is not valid UTF-8: one byte (0xC6, 'Æ' in cp1252, a mangled apostrophe in
``22230 : Manufacture of builders' ware of plastic``) is decoded as cp1252 and repaired.
"""

from __future__ import annotations

import functools
import io
import os
import re
from pathlib import Path

import pandas as pd

from sia.classification._paths import find_shared_data, read_repo_table
from sia.classification.tree import Classification, strip_code_prefix

SIC_LEVELS = ("section", "division", "group", "class", "subclass")
LOOKUP = "sectors/sic2007_5digit_hierarchy_lookup.csv"
SECTIONS = "sectors/sic2007_2digit_sections.csv"
NESTA = "sectors/nesta_sic4_industry_segment_lookup.csv"

_LOOKUP_COLUMNS = (
    "SIC_2DIGIT_CODE",
    "SIC_2DIGIT_NAME",
    "SIC_3DIGIT_CODE",
    "SIC_3DIGIT_NAME",
    "SIC_5DIGIT_CODE",
    "SIC_5DIGIT_NAME",
    "SIC_SECTION_LETTER",
    "SIC_SECTION_NAME",
)


def sic_normaliser(code: str) -> str:
    """Canonical SIC spelling: dots and slashes removed, the division part zero-padded.

    ``"30.3" -> "303"``, ``"33.16" -> "3316"``, ``"62.01/1" -> "62011"``, ``"1" -> "01"``,
    ``"1.1" -> "011"``, ``"c" -> "C"``.  Undotted numbers are **not** padded beyond one digit
    (``"1110"`` is not guessed to be ``"01110"``; the error suggests it instead).
    """
    s = code.strip().replace(" ", "")
    if s.isalpha():
        return s.upper()
    if "." in s:
        head, _, tail = s.partition(".")
        tail = tail.replace("/", "").replace(".", "")
        if not (head.isdigit() and (tail.isdigit() or tail == "")):
            raise ValueError(f"not a SIC code: {code!r}")
        return head.zfill(2) + tail
    if s.isdigit() and len(s) == 1:
        return s.zfill(2)
    return s


def _read_text(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # the shared lookup carries one cp1252 byte; cp1252 decodes every ASCII file identically
        return data.decode("cp1252"), "cp1252"


def _read_csv(path: Path, required: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    text, encoding = _read_text(path)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, comment=None)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: header lacks columns {missing}; found {list(frame.columns)}")
    return frame, encoding


def _check_pattern(frame: pd.DataFrame, column: str, pattern: str, path: Path, expected: str) -> None:
    bad = ~frame[column].str.fullmatch(pattern)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(f"{path}, line {i + 2}, column {column}: value {frame[column].iloc[i]!r}; expected {expected}")


def _repo_table(name: str) -> pd.DataFrame:
    return read_repo_table(name)


def _repair(label: str) -> str:
    # cp1252 'Æ' between a letter and a blank is a mangled right single quote in the NOMIS export
    return re.sub(r"(?<=[a-z])\u00c6(?=\s)", "\u2019", label)


@functools.lru_cache(maxsize=4)
def _sic2007_cached(root: str) -> Classification:
    base = Path(root)
    lookup_path, sections_path = base / LOOKUP, base / SECTIONS
    for p in (lookup_path, sections_path):
        if not p.exists():
            raise FileNotFoundError(f"SIC 2007 lookup file missing: {p}")
    lk, encoding = _read_csv(lookup_path, _LOOKUP_COLUMNS)
    _check_pattern(lk, "SIC_5DIGIT_CODE", r"\d{5}", lookup_path, "a 5-digit subclass code (read as text)")
    _check_pattern(lk, "SIC_SECTION_LETTER", r"[A-U]", lookup_path, "a section letter A-U")
    for col, n in (("SIC_3DIGIT_CODE", 3), ("SIC_2DIGIT_CODE", 2)):
        bad = lk[col] != lk["SIC_5DIGIT_CODE"].str[:n]
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise ValueError(
                f"{lookup_path}, line {i + 2}, column {col}: value {lk[col].iloc[i]!r}; expected the first {n} "
                f"digits of subclass {lk['SIC_5DIGIT_CODE'].iloc[i]!r}"
            )
    dup = lk["SIC_5DIGIT_CODE"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise ValueError(f"{lookup_path}, line {i + 2}, column SIC_5DIGIT_CODE: duplicated subclass {lk.iat[i, 4]!r}")
    for col in ("SIC_2DIGIT_NAME", "SIC_3DIGIT_NAME", "SIC_5DIGIT_NAME", "SIC_SECTION_NAME"):
        lk[col] = lk[col].map(_repair)

    sec, _ = _read_csv(sections_path, ("SIC_2DIGIT_CODE", "SIC_SECTION", "SIC_SECTION_NAME"))
    check = sec.merge(lk[["SIC_2DIGIT_CODE", "SIC_SECTION_LETTER"]].drop_duplicates(), on="SIC_2DIGIT_CODE", how="left")
    bad = check["SIC_SECTION_LETTER"].isna() | (check["SIC_SECTION_LETTER"] != check["SIC_SECTION"])
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(
            f"{sections_path}, line {i + 2}, column SIC_SECTION: division {check['SIC_2DIGIT_CODE'].iloc[i]!r} in "
            f"section {check['SIC_SECTION'].iloc[i]!r}, but {lookup_path.name} puts it in "
            f"{check['SIC_SECTION_LETTER'].iloc[i]!r}"
        )
    official = dict(zip(sec["SIC_SECTION"], sec["SIC_SECTION_NAME"], strict=True))

    frames = []
    s = lk[["SIC_SECTION_LETTER", "SIC_SECTION_NAME"]].drop_duplicates("SIC_SECTION_LETTER")
    frames.append(
        pd.DataFrame(
            {
                "code": s["SIC_SECTION_LETTER"],
                "name": s["SIC_SECTION_NAME"],
                "level": "section",
                "parent": "",
                "raw_label": [
                    official.get(c, n) for c, n in zip(s["SIC_SECTION_LETTER"], s["SIC_SECTION_NAME"], strict=True)
                ],
            }
        )
    )
    for code_col, name_col, parent_col, level in (
        ("SIC_2DIGIT_CODE", "SIC_2DIGIT_NAME", "SIC_SECTION_LETTER", "division"),
        ("SIC_3DIGIT_CODE", "SIC_3DIGIT_NAME", "SIC_2DIGIT_CODE", "group"),
    ):
        d = lk[[code_col, name_col, parent_col]].drop_duplicates(code_col)
        frames.append(
            pd.DataFrame(
                {
                    "code": d[code_col],
                    "name": d[name_col].map(strip_code_prefix),
                    "level": level,
                    "parent": d[parent_col],
                    "raw_label": d[name_col],
                }
            )
        )
    sub = lk["SIC_5DIGIT_CODE"]
    cls = sub.str[:4]
    counts = cls.value_counts()
    single = cls.map(counts) == 1
    class_names = dict(zip(cls[single], lk.loc[single, "SIC_5DIGIT_NAME"].map(strip_code_prefix), strict=True))
    name_sources = ["single subclass names"]
    if (base / NESTA).exists():
        nesta, _ = _read_csv(base / NESTA, ("sic_4", "descr"))
        for c, n in zip(nesta["sic_4"].str.zfill(4), nesta["descr"], strict=True):
            class_names.setdefault(c, n.strip())
        name_sources.append(NESTA)
    supplement = _repo_table("sic2007_class_names_supplement.csv")
    for c, n in zip(supplement["code"], supplement["name"], strict=True):
        class_names.setdefault(c, n)
    name_sources.append("sia/data/sic2007_class_names_supplement.csv")
    classes = pd.DataFrame({"code": cls, "parent": lk["SIC_3DIGIT_CODE"]}).drop_duplicates("code")
    classes["name"] = classes["code"].map(class_names).fillna("")
    classes["level"] = "class"
    classes["raw_label"] = classes["name"]
    frames.append(classes)
    frames.append(
        pd.DataFrame(
            {
                "code": sub,
                "name": lk["SIC_5DIGIT_NAME"].map(strip_code_prefix),
                "level": "subclass",
                "parent": cls,
                "raw_label": lk["SIC_5DIGIT_NAME"],
            }
        )
    )
    nodes = pd.concat(frames, ignore_index=True)
    notes = (
        f"built from {lookup_path} ({encoding}) and {sections_path}",
        "class names from: " + ", ".join(name_sources),
        "01000 (group 010, class 0100) is a NOMIS-only node for DEFRA/Scottish Executive agricultural data",
    )
    return Classification("SIC 2007", SIC_LEVELS, nodes, normaliser=sic_normaliser, notes=notes)


def sic2007(data_dir: str | os.PathLike[str] | None = None) -> Classification:
    """UK SIC 2007 (NOMIS/BRES version) from the shared sectors lookups.

    Parameters
    ----------
    data_dir
        The shared data folder (holding ``sectors/``); found by :func:`find_shared_data` when omitted.

    Returns
    -------
    Classification
        21 sections, 88 divisions, 273 groups, 616 classes and 729 subclasses (NOMIS codes,
        including the NOMIS-only ``010``/``0100``/``01000`` branch).
    """
    root = find_shared_data(data_dir, required=LOOKUP)
    return _sic2007_cached(str(root.resolve()))
