"""ONS regional gross value added (balanced) by industry: the LAD and ITL tidy parquet layouts.

Layout (``gva/PROVENANCE.md``): one row per ``dates.date x variable.name x geography.code x
industry.code`` with ``value``; the ITL file adds ``geography.type`` (ctry/ITL1/ITL2/ITL3).

Conventions of this loader
--------------------------
* ``measure`` picks one ``variable.name``: ``"current"`` (default; £ million, nominal),
  ``"constant"`` (chained volume £ million, 2022 prices: **not additive**), ``"cvm"``,
  ``"deflator"``, or the published name itself.
* Industry codes are kept **as published** (``Total``, ``A-E``, ``C (10-33)``, ``68IMP``...);
  :mod:`sia.classification` reads them into a tree, so that no aggregate sums a total with its
  own parts.
* NaN is a cell ONS suppressed (``[c]``/``[u]`` in the xlsx): status ``suppressed``.
* Negative values are legitimate GVA (one current-price LAD cell is negative) and are kept.
* ``level`` (ITL file) selects one ``geography.type``; the area level coordinate is the
  published type (``ctry`` becomes ``country``). The LAD file's level is ``LAD``.
* For Parquet "line" in an error means the 1-based row number plus one, as if the column
  names were line 1 (the line the row would have in the CSV export).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sia.panel import Panel, Status
from sia.sources._common import known_lad_codes, make_provenance, panel_from_columns
from sia.sources.errors import MARKERS, Coded, LoadError, RowChecker, check_header

#: measure key -> (LAD-file variable.name, ITL-file variable.name, unit)
GVA_MEASURES: dict[str, tuple[str, str, str]] = {
    "current": ("GVA Current Prices £m", "Current prices", "GBP million (current prices)"),
    "constant": ("GVA Constant Prices £m", "Constant prices", "GBP million (chained volume, 2022 prices)"),
    "cvm": ("CVM Index", "CVM Index", "index (2022 = 100)"),
    "deflator": ("Implied deflator", "Implied deflator", "index (2022 = 100)"),
}

LAD_COLUMNS = ("dates.date", "variable.name", "geography.code", "geography.name", "industry.code",
               "industry.name", "value")
ITL_COLUMNS = (*LAD_COLUMNS, "geography.type")
ITL_TYPES = {"ctry": "country", "ITL1": "ITL1", "ITL2": "ITL2", "ITL3": "ITL3"}

#: the shapes of ONS GVA industry codes: Total, sections/A*-groups with optional division range,
#: section ranges, divisions and division ranges, and the imputed-rent code.
INDUSTRY_CODE = re.compile(r"^(Total|G-T|[A-Z]{1,2}(-[A-Z]{1,2})?( \(\d{1,2}(-\d{1,2})?\))?|\d{1,2}(-\d{1,2})?|68IMP)$")
LAD_CODE = re.compile(r"^[ENSW]\d{8}$")
ITL_CODE = re.compile(r"^(UK|UKX|TL[A-Z0-9]{1,3})$")


def resolve_measure(measure: str | None) -> tuple[str, str, str, str]:
    """``measure`` (key or published name) -> (key, LAD name, ITL name, unit)."""
    key = (measure or "current").strip()
    for k, (lad_name, itl_name, unit) in GVA_MEASURES.items():
        if key.lower() in (k, lad_name.lower(), itl_name.lower()):
            return k, lad_name, itl_name, unit
    known = ", ".join([*GVA_MEASURES, *(v[0] for v in GVA_MEASURES.values()), *(v[1] for v in GVA_MEASURES.values())])
    raise ValueError(f"unknown GVA measure {measure!r}; expected one of {known}")


def is_gva_layout(columns: list[str]) -> bool:
    return all(c in columns for c in LAD_COLUMNS)


def unparsable_industry_codes(codes: pd.Series | np.ndarray | Sequence[str]) -> dict[str, str]:
    """Distinct codes that the mixed-code parser of :mod:`sia.classification` rejects, with its reason.

    Each distinct code is parsed alone against SIC 2007 (``parse_code_ranges``), so a code that
    is not a valid ONS grouping (``ZZ (99)``, ``C (10-99)``) is an unknown activity code.

    Codes already accepted in this process are not parsed again, and the others are first parsed
    together in one call (non-strict, so that nesting codes may overlap): when that succeeds each
    of them parses alone too (parsing a code does not depend on the other codes of the call
    beyond ``Total``, the union of the others, and the imputed-rent atom, which only add atoms),
    so the one-code-at-a-time parse runs only when some code is bad, to name which.
    """
    from sia.classification import ClassificationError, parse_code_ranges, sic2007

    sic = sic2007()
    accepted = _accepted_codes(sic)
    values = codes.to_numpy(dtype=object) if isinstance(codes, pd.Series) else np.asarray(codes, dtype=object)
    bad: dict[str, str] = {}
    todo: list[str] = []
    for code in pd.unique(values):  # distinct codes (<= 129)
        if not INDUSTRY_CODE.fullmatch(str(code)):
            bad[code] = "not of the ONS code shapes"
        elif str(code) not in accepted:
            todo.append(code)
    if not todo:
        return bad
    try:
        parse_code_ranges([str(c) for c in todo], sic, strict=False)
    except ClassificationError:
        for code in todo:
            try:
                parse_code_ranges([str(code)], sic, imputed_rent=str(code) == "68IMP" or None)
            except ClassificationError as exc:
                bad[code] = str(exc)
            else:
                accepted.add(str(code))
    else:
        accepted.update(str(c) for c in todo)
    return bad


_ACCEPTED: dict[int, tuple[object, set[str]]] = {}


def _accepted_codes(sic: object) -> set[str]:
    """Industry codes known to parse against ``sic`` (per classification object, this process)."""
    entry = _ACCEPTED.get(id(sic))
    if entry is None or entry[0] is not sic:
        entry = (sic, set())
        _ACCEPTED[id(sic)] = entry
    return entry[1]


def load_gva(
    path: str | Path,
    *,
    measure: str | None = None,
    level: str | None = None,
    quarantine: str | Path | None = None,
    areas: set[str] | frozenset[str] | None = None,
) -> Panel:
    """Load an ONS regional GVA parquet (LAD or ITL layout) into a panel.

    Parameters
    ----------
    path
        ``ons_rgva_balanced_lad_by_industry_*.parquet`` or ``..._itl_by_industry_*.parquet``
        (or a CSV with the same columns).
    measure
        See the module docstring; default current prices.
    level
        ITL file only: one of ``ctry``/``country``, ``ITL1``, ``ITL2``, ``ITL3``.
    quarantine
        CSV for rows that fail validation; without it the first bad row raises
        :class:`~sia.sources.errors.LoadError`.
    areas
        Known area codes (default: LAD codes of the built-in geography for the LAD file; the
        ITL code pattern for the ITL file).
    """
    path = Path(path)
    if path.suffix == ".parquet":
        pf = pq.ParquetFile(path)
        header = list(pf.schema_arrow.names)
        check_header(path, header, LAD_COLUMNS, "ONS regional GVA")
        columns = [c for c in ITL_COLUMNS if c in header]
        # text columns read dictionary-encoded: they arrive as categoricals (distinct values + codes)
        text = [c for c in columns if pa.types.is_string(pf.schema_arrow.field(c).type)
                or pa.types.is_large_string(pf.schema_arrow.field(c).type)]
        table = pq.read_table(path, columns=columns, read_dictionary=text)
        n_file = table.num_rows
        line_all = np.arange(2, n_file + 2, dtype=np.int64)
    else:
        from sia.sources._common import read_csv_text

        frame, _ = read_csv_text(path)
        check_header(path, list(frame.columns), LAD_COLUMNS, "ONS regional GVA")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        n_file = table.num_rows
        line_all = np.arange(2, n_file + 2, dtype=np.int64)
    itl = "geography.type" in table.column_names
    key, lad_name, itl_name, unit = resolve_measure(measure)
    published = itl_name if itl else lad_name
    mask = pc.equal(table["variable.name"], published)
    if level is not None:
        if not itl:
            raise ValueError(f"{path}: level= applies to the ITL GVA file (it has no geography.type column)")
        wanted = {"country": "ctry"}.get(level, level)
        if wanted not in ITL_TYPES:
            raise ValueError(f"unknown ITL GVA level {level!r}; expected one of {sorted(ITL_TYPES)} or 'country'")
        mask = pc.and_(mask, pc.equal(table["geography.type"], wanted))
    selected = table.filter(mask)
    lines = line_all[np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)]
    if selected.num_rows == 0:
        available = sorted(set(table["variable.name"].to_pylist()))
        raise LoadError(path, 0, "variable.name", published, f"rows of measure {published!r}; file has {available}")
    if not pa.types.is_dictionary(selected.schema.field("dates.date").type):  # few distinct dates: encode once
        i = selected.schema.get_field_index("dates.date")
        selected = selected.set_column(i, "dates.date", pc.dictionary_encode(selected["dates.date"]))
    raw = selected.to_pandas()
    for col in raw.columns:  # text arrives as categoricals (Parquet) or str (CSV); ``str`` categories
        if col != "dates.date" and isinstance(raw[col].dtype, pd.CategoricalDtype):
            raw[col] = _str_categories(raw[col])
    dates = Coded.of(raw["dates.date"]).map(lambda u: u.astype(str))
    raw["dates.date"] = dates.series()
    chk = RowChecker(raw, path, lines)

    year = _year(chk, dates)
    code = Coded.of(raw["geography.code"]).map(lambda u: u.astype(str).str.strip())
    if itl:
        gtype = Coded.of(raw["geography.type"]).map(lambda u: u.astype(str))
        chk.flag(~gtype.mask(lambda u: u.isin(list(ITL_TYPES))), "geography.type", raw["geography.type"],
                 f"one of {sorted(ITL_TYPES)}")
        if areas is None:
            chk.flag(~code.mask(lambda u: u.str.fullmatch(ITL_CODE.pattern)), "geography.code",
                     raw["geography.code"], "a UK/ITL area code (UK, UKX or TL + up to 3 characters)")
        area_level: Coded | str = gtype.map(lambda u: u.map(ITL_TYPES).fillna(""))
    else:
        chk.flag(~code.mask(lambda u: u.str.fullmatch(LAD_CODE.pattern)), "geography.code", raw["geography.code"],
                 "a local authority district code (E/N/S/W + 8 digits)")
        area_level = "LAD"
        if areas is None:
            areas = known_lad_codes()
    if areas is not None:
        chk.known("geography.code", code, areas, "an area code of the geography (LAD codes of the built-in "
                  "UK geography)" if not itl else "a known area code")
    industry = Coded.of(raw["industry.code"]).map(lambda u: u.astype(str).str.strip())
    bad_codes = unparsable_industry_codes(industry.uniques)
    chk.flag(industry.mask(lambda u: u.isin(list(bad_codes))), "industry.code", raw["industry.code"],
             "an ONS GVA industry code (Total, a section range A-E, letters with divisions C (10-33), "
             "a division 41 or range 49-51, 68IMP) naming SIC 2007 sections/divisions")
    # NaN / empty = a cell ONS suppressed ([c]/[u] in the xlsx); written markers are read as everywhere
    markers = {**MARKERS, "": Status.SUPPRESSED}
    value, status = chk.numbers("value", markers=markers, na_status=Status.SUPPRESSED)
    chk.unique({"geography.code": code, "industry.code": industry, "year": year},
               "geography.code, industry.code, dates.date")
    report = chk.resolve(quarantine)
    ok = chk.ok
    query = f"variable.name == {published!r}" + (f" and geography.type == {wanted!r}" if level else "")
    prov = make_provenance(
        path,
        table="ONS regional GVA (balanced) by industry: " + ("ITL regions" if itl else "local authorities"),
        vintage="April 2025 release; " + ("ITL 2025 areas" if itl else "LAD 2023 areas"),
        query=f"{query} ({report.read} of {n_file} rows)",
        loader="sia.sources.ons_gva",
        report=report,
        licence="OGL v3.0",
    )
    return panel_from_columns(
        area=code[ok], activity=industry[ok], year=year[ok], value=value[ok], status=status[ok],
        measure=f"gva_{key}", unit=unit, provenance=prov,
        area_name=Coded.of(raw["geography.name"])[ok],
        level=area_level if isinstance(area_level, str) else area_level[ok],
        activity_name=Coded.of(raw["industry.name"])[ok],
    )


def _str_categories(col: pd.Series) -> pd.Series:
    """A categorical of text with ``str`` categories (as the column would be read without dictionary)."""
    cats = col.cat.categories
    if cats.dtype != object:
        return col
    return pd.Series(pd.Categorical.from_codes(col.cat.codes, categories=pd.Index(cats, dtype=str)), index=col.index)


def _year(chk: RowChecker, dates: Coded) -> np.ndarray:
    """Year of each row from the date text (``YYYY-...``), checked once per distinct date."""
    year_text = dates.uniques.str.slice(0, 4)
    u_ok = year_text.str.fullmatch(r"\d{4}").fillna(False).to_numpy(dtype=bool, copy=True)
    u_year = np.zeros(len(year_text), dtype=np.int64)
    u_year[u_ok] = year_text[u_ok].astype(np.int64).to_numpy()
    u_ok &= (u_year >= 1900) & (u_year <= 2100)
    chk.flag(~u_ok[dates.codes], "dates.date", chk.raw["dates.date"],
             "a date (YYYY-MM-DD) in a year between 1900 and 2100")
    return u_year[dates.codes]
