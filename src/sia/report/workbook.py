"""The Excel workbook: a README sheet, one sheet per audit table, and a provenance sheet (openpyxl).

Values are written as they are in the audit tables (floats at full precision, booleans as Excel
booleans, missing values as empty cells), so the workbook's tables equal the audit's. What a reader
sees is human: sheets are named ("Evidence", "Rank stability"), headers are words with units
("Location quotient (ratio)", "Jobs", "Growth (%)"), a name column stands beside every code column
(scale, theme, indicator, input-output industries), and cells carry number formats (thousands
separators for counts, 2 decimals for ratios, % for shares). Each table sheet has a bold, filled header
row, frozen panes below the header, an autofilter over the table and column widths fitted to the
content. :func:`sheet_columns` gives, for a table, the header of each column and the audit column it
holds (``None`` for the added name columns).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sia.report.charts import REST
from sia.report.labels import (
    QUADRANT_LABELS,
    column_label,
    indicator_label,
    indicator_table,
    industries_text,
    source_name,
    theme_names,
)
from sia.report.loader import CONTRACT, AuditOutput, inputs_frame, methods_frame
from sia.report.maps import Boundary
from sia.report.maps import indicator_label as map_indicator_label
from sia.report.meta import audit_years, report_title

HEADER_FILL = PatternFill("solid", start_color="FF0072B2", end_color="FF0072B2")
HEADER_FONT = Font(bold=True, color="FFFFFFFF")
EXCEL_MAX_ROWS = 1_048_576

TABLE_DESCRIPTIONS = {
    "scales": "The audit's scales (areas), their reference areas and parents.",
    "themes": "Candidate themes: analyst hypotheses, built-in baskets and data-driven clusters.",
    "evidence": "Every evidence value per scale x theme x indicator, with interval, status, source and grain.",
    "scores": "Multi-criteria scoring inputs: raw and normalised criterion values and weights.",
    "ranking": "Weighted-sum score and rank, and the TOPSIS score and rank (method sensitivity).",
    "stability": "Monte Carlo rank stability: probability of the top k, rank intervals, leave-one-criterion-out ranks.",
    "framework": "Market-driven priorities and enabling competencies, and hypothesis verdicts with reasons.",
    "activity_classes": "Each SIC class: traded or local-serving (with the reason), its Eurostat knowledge intensity.",
    "indicators": "The registry of evidence indicators: label, unit, grain, source, direction and formula.",
    "complementarity": "Each child's contribution to each theme of its parent, and the alignment matrix.",
    "complementarity_summary": "One complementarity score per parent, coverage and distinctiveness.",
    "sibling_overlap": "Priorities shared by sibling areas: duplication or complementary.",
    "activities": "Activity-level strengths per scale (LQ with interval, growth, competitive effect).",
    "opportunities": "Relatedness density, PCI and COG per scale x activity (feasibility vs attractiveness).",
    "relatedness_edges": "Edges of the relatedness network kept for the network chart.",
    "clusters": "Clusters of related activities.",
    "supply": "Supply-chain embeddedness, multipliers and linkages per theme.",
    "innovation": "Science and innovation inputs per GBP million of GVA against the UK.",
    "maps": "Values drawn on the choropleth maps.",
    "peers": "Each scale's economic complexity and its rank among the UK's NUTS2 regions (BRES by SIC class).",
    "peer_regions": "Each scale against every UK NUTS2 region: industry-mix similarity, and the region's complexity.",
    "trends": "Jobs and GVA of every theme at every scale, year by year, with each value's status and source.",
}


def _cell(value: object) -> object:
    """The value to write in a cell: ``None`` for missing, Python scalars for numpy scalars."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str):
        return value if value != "" else None
    return str(value)


SHEET_NAMES: dict[str, str] = {
    "scales": "Scales", "themes": "Themes", "evidence": "Evidence", "scores": "Scores", "ranking": "Ranking",
    "stability": "Rank stability", "framework": "Framework", "complementarity": "Complementarity",
    "complementarity_summary": "Complementarity summary", "sibling_overlap": "Sibling overlap",
    "activities": "Industries", "opportunities": "Opportunities", "relatedness_edges": "Relatedness links",
    "clusters": "Clusters", "supply": "Supply chains", "innovation": "Innovation", "maps": "Maps",
    "activity_classes": "Activity classes", "indicators": "Indicators", "peers": "Peers (UK regions)",
    "peer_regions": "Similar UK regions", "trends": "Trends",
}
"""Sheet name of each audit table (Excel allows 31 characters)."""

COUNT, RATIO, SHARE, PCT, MONEY, SCORE = "#,##0", "0.00", "0.0%", "0.0", "#,##0.0", "0.000"
FORMATS: dict[str, str] = {
    "jobs": COUNT, "enterprises": COUNT, "n_lads": COUNT, "n_children": COUNT, "rank": COUNT, "rank_topsis": COUNT,
    "k": COUNT, "role_rank": COUNT, "median_rank": COUNT, "rank_p05": COUNT, "rank_p95": COUNT, "year": "0",
    "competitive_effect": COUNT, "cluster": "0", "direction": "0",
    "share": SHARE, "child_share": SHARE, "overall_share": SHARE, "local_input_share": SHARE,
    "digital_services_input_share": SHARE, "intermediate_share": SHARE, "coverage": SHARE, "p_top_k": SHARE,
    "knowledge_share": SHARE, "traded_share": SHARE, "p_top_side": SHARE,
    "lq": RATIO, "lq_low": RATIO, "lq_high": RATIO, "contribution_ratio": RATIO, "regional_multiplier": RATIO,
    "national_multiplier": RATIO, "forward_linkage": RATIO, "backward_linkage": RATIO, "ratio_to_uk": RATIO,
    "proximity": RATIO, "density": RATIO, "jaccard": RATIO, "within_theme_similarity": RATIO, "pci": RATIO,
    "cog": RATIO, "stability": RATIO, "enabling_index": RATIO, "market_index": RATIO,
    "score": SCORE, "score_topsis": SCORE, "normalised": SCORE, "weight": RATIO, "distinctiveness": SCORE,
    "growth_pct": PCT, "per_gva": "#,##0.000", "uk_per_gva": "#,##0.000",
    "complexity": RATIO, "eci": RATIO, "complexity_rank": COUNT, "n_ranked": COUNT, "n_regions": COUNT,
    "n_present": COUNT, "similarity": SCORE, "similarity_rank": COUNT,
}
"""Number format of each numeric audit column (``loo_*`` ranks are counts)."""

UNIT_FORMATS: dict[str, str] = {"share": SHARE, "share (GVA)": SHARE, "ratio": RATIO, "ratio (GVA)": RATIO,
                                "ratio to GB": RATIO, "jobs": COUNT, "enterprises": COUNT, "%": PCT,
                                "% (GVA, current prices)": PCT, "GBP million": MONEY, "GBP per job": COUNT,
                                "jobs per GBP million": PCT, "index": RATIO, "z-score": RATIO, "0-1": RATIO,
                                "GBP": COUNT, "EUR": COUNT, "GBP thousand": MONEY, "count": COUNT,
                                "applications": "#,##0.0", "score 1-5": RATIO}
"""Number format of an ``evidence.value`` (or ``raw``) cell by the row's unit."""

HEADERS: dict[str, str] = {
    "scale": "Scale id",
    "theme": "Theme id",
    "indicator": "Indicator id",
    "parent": "Parent id",
    "child": "Child id",
    "child_a": "Child A id",
    "child_b": "Child B id",
    "lq": "Location quotient (ratio)",
    "lq_low": "LQ low (ratio)",
    "lq_high": "LQ high (ratio)",
    "share": "Share of the area's jobs (%)",
    "enterprises": "Enterprises",
    "child_share": "Child's share (%)",
    "overall_share": "Child's overall share (%)",
    "local_input_share": "Local share of inputs (%)",
    "digital_services_input_share": "ICT and professional inputs (%)",
    "intermediate_share": "Intermediate share of output (%)",
    "coverage": "Coverage (%)",
    "p_top_k": "Probability of top k (%)",
    "knowledge_share": "Knowledge-intensive share of jobs (%)",
    "traded_share": "Traded share of jobs (%)",
    "regional_multiplier": "Regional output multiplier (ratio)",
    "national_multiplier": "National output multiplier (ratio)",
    "ratio_to_uk": "Ratio to the UK (ratio)",
    "uk_per_gva": "UK per GBP million of GVA",
    "cluster": "Cluster number",
    "value": "Value (in the row's unit)",
    "raw": "Raw value (in the indicator's unit)",
    "industries": "IOAT codes",
    "upstream": "Upstream IOAT codes",
    "downstream": "Downstream IOAT codes",
    "level": "Area level",
    "source": "Source (input key)",
    "quadrant": "Quadrant id",
    "strength_indicator": "Strength measure id",
    "p_top_side": "Probability of a slot on its side (%)",
    "complexity": "Complexity (mean PCI of its specialisations, z-score)",
    "eci": "Economic complexity (ECI scale, 0 = regions' mean)",
    "similarity": "Industry-mix similarity (cosine, 0-1)",
    "overlap": "Region inside the area (inside / part)",
}
"""Workbook headers that differ from :func:`sia.report.labels.column_label` (ids are labelled as ids)."""

def _map_unit(indicator: str) -> str:
    """The unit of a ``maps`` value from its indicator (``gva_lq:...`` -> ``ratio``)."""
    base = indicator.split(":", 1)[0]
    if base.endswith("lq") or base in ("productivity_ratio",):
        return "ratio"
    if base.startswith("gva") and not base.endswith("per_job"):
        return "GBP million"
    return {"jobs": "jobs", "jobs_per_gbp_m_gva": "jobs per GBP million", "growth_pct": "%",
            "share_of_area": "share", "sme_share": "share"}.get(base, "")


def _header(column: str) -> str:
    return HEADERS.get(column) or column_label(column)


def _named_frame(name: str, frame: pd.DataFrame, audit: AuditOutput) -> tuple[pd.DataFrame, list[str | None]]:
    """The table as shown in its sheet: name columns inserted after code columns, human headers.

    Returns the frame and, per column, the audit column it holds (``None`` for an added name column).
    """
    t = audit.tables
    scale_names = dict(zip(t["scales"]["scale"], t["scales"]["name"], strict=True))
    themes = theme_names(t["themes"], short=False)
    registry = indicator_table(t.get("indicators"))
    activity_names: dict[str, str] = {}
    for table_name in ("activity_classes", "clusters", "opportunities"):
        other = t.get(table_name)
        if other is not None and not activity_names:
            activity_names = dict(zip(other["activity"].astype(str), other["activity_name"].astype(str), strict=False))
    columns: list[tuple[str, pd.Series, str | None]] = []
    parent = frame["parent"] if "parent" in frame.columns else None
    for col in frame.columns:
        series = frame[col]
        columns.append((_header(str(col)), series, str(col)))
        if col in ("scale", "parent") and not (name == "scales" and col == "scale"):
            columns.append((f"{_header(str(col)).removesuffix(' id')} name",
                            series.map(lambda v: scale_names.get(v, v)), None))
        elif col in ("child", "child_a", "child_b"):
            labels = [f"Rest of {scale_names.get(p, p)}" if c == REST else scale_names.get(c, c)
                      for c, p in zip(series, parent if parent is not None else series, strict=True)]
            columns.append((f"{_header(str(col)).removesuffix(' id')} name", pd.Series(labels, index=frame.index),
                            None))
        elif col == "theme" and name not in ("themes",):
            if name == "activities":  # ";"-joined theme ids
                labels = ["; ".join(themes.get(x, x) for x in str(v).split(";") if x and x != "nan") for v in series]
                columns.append(("Theme names", pd.Series(labels, index=frame.index), None))
            else:
                columns.append(("Theme name", series.map(lambda v: themes.get(v, v)), None))
        elif col == "indicator" and name in ("evidence", "scores", "innovation", "trends"):
            columns.append(("Indicator name", series.map(lambda v: indicator_label(str(v), registry)), None))
        elif col == "indicator" and name == "maps":
            columns.append(("Indicator name", series.map(lambda v: map_indicator_label(str(v), themes)), None))
        elif col in ("industries", "upstream", "downstream"):
            columns.append((f"{_header(str(col)).replace('IOAT codes', 'industries').capitalize()}",
                            series.map(industries_text), None))
        elif col == "source" and name in ("evidence", "innovation", "peers", "peer_regions", "trends"):
            columns.append(("Source", series.map(lambda v: source_name(str(v), audit.manifest)), None))
        elif col in ("activity_a", "activity_b"):
            columns.append((f"Industry {col[-1].upper()}", series.map(lambda v: activity_names.get(str(v), "")),
                            None))
        elif col == "quadrant":
            columns.append(("Opportunity quadrant", series.map(lambda v: QUADRANT_LABELS.get(str(v), str(v))), None))
        elif col == "strength_indicator":
            columns.append(("Strength measure", series.map(lambda v: indicator_label(str(v), registry) if v else "")
                            , None))
        elif col in ("uncovered_priorities", "child_only_priorities"):
            columns[-1] = (f"{_header(str(col))} (ids)", series, str(col))
            columns.append((_header(str(col)), series.map(
                lambda v: "; ".join(themes.get(x, x) for x in str(v).split(";") if x and x != "nan")), None))
    out = pd.DataFrame({f"{i}": s.to_numpy() for i, (_, s, _) in enumerate(columns)})
    out.columns = [h for h, _, _ in columns]
    return out, [c for _, _, c in columns]


def sheet_columns(name: str, audit: AuditOutput) -> list[tuple[str, str | None]]:
    """(header, audit column or ``None``) of each column of the sheet of table ``name``."""
    frame, sources = _named_frame(name, audit.tables[name], audit)
    return list(zip(frame.columns, sources, strict=True))


def _format_of(column: str | None, frame: pd.DataFrame) -> str | None:
    if column is None:
        return None
    if column in FORMATS:
        return FORMATS[column]
    if column.startswith("loo_"):
        return COUNT
    return None


def _write_frame(ws: Worksheet, frame: pd.DataFrame, sources: Sequence[str | None] | None = None,
                 units: pd.Series | None = None) -> None:
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    sources = list(sources) if sources is not None else [None] * len(frame.columns)
    for i, (col, src) in enumerate(zip(frame.columns, sources, strict=True), start=1):
        fmt = _format_of(src, frame)
        letter = get_column_letter(i)
        if src in ("value", "raw") and units is not None:
            for r, unit in enumerate(units.astype(str), start=2):
                ws[f"{letter}{r}"].number_format = UNIT_FORMATS.get(unit, "General")
        elif fmt is not None:
            for (cell,) in ws.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=i, max_col=i):
                cell.number_format = fmt
        numeric = pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col])
        values = [] if numeric else [len(str(v)) for v in frame[col].head(200).tolist()]
        width = max([min(len(str(col)), 28), 12 if numeric else 0, *values]) + 2
        ws.column_dimensions[letter].width = min(max(width, 9), 60)
    ws.row_dimensions[1].height = 32


def write_workbook(audit: AuditOutput, path: str | Path, *, boundaries: Sequence[Boundary] = ()) -> Path:
    """Write the audit's tables to an ``.xlsx`` workbook.

    Sheets: ``README`` (what each sheet holds), one sheet per table present (named by
    :data:`SHEET_NAMES`), and ``Provenance`` (inputs with checksums, methods, data treatment, audit notes,
    boundaries).

    Raises
    ------
    ValueError
        When a table has more rows than an Excel sheet holds (the message names the table).
    """
    path = Path(path)
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    manifest = audit.manifest
    title = report_title(manifest)
    years = audit_years(manifest)
    lines: list[list[object]] = [
        [title],
        [f"Evidence {years[0]} to {years[1]}" if years else "Data years not recorded in the audit's config"],
        [f"Written by sia {manifest.get('sia_version', '')} from the audit tables beside this workbook "
         f"(config SHA-256 {manifest.get('config_sha256', '')}). Headers give units: (%) columns are shares shown as "
         "percentages, (ratio) columns are ratios to the reference area; ids stand beside the names they code."],
    ]
    if manifest.get("synthetic"):
        lines.append([str(manifest["synthetic"])])
    lines += [[], ["Sheet", "Rows", "Description", "Audit file"]]
    present = [name for name in CONTRACT if name in audit.tables]
    for name in present:
        lines.append([SHEET_NAMES.get(name, name), len(audit.tables[name]), TABLE_DESCRIPTIONS.get(name, ""),
                      f"{name}.parquet / {name}.csv"])
    for name in audit.missing_tables:
        lines.append([SHEET_NAMES.get(name, name), 0, "not written by this audit", f"{name}.parquet"])
    lines.append(["Provenance", None, "Sources with checksums, vintages and licences; methods; data treatment.", ""])
    for line in lines:
        readme.append(line)
    readme["A1"].font = Font(bold=True, size=14)
    header_row = 6 if manifest.get("synthetic") else 5  # title, years, provenance, [synthetic], blank, header
    for cell in readme[header_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    readme.column_dimensions["A"].width = 26
    readme.column_dimensions["B"].width = 10
    readme.column_dimensions["C"].width = 100

    for name in present:
        frame = audit.tables[name]
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise ValueError(f"table '{name}' has {len(frame)} rows, more than an Excel sheet holds "
                             f"({EXCEL_MAX_ROWS - 1}); use the Parquet/CSV file instead")
        shown, sources = _named_frame(name, frame, audit)
        units = frame["unit"] if name in ("evidence", "innovation", "trends") else None
        if name == "maps":
            units = frame["indicator"].astype(str).map(_map_unit)
        if name == "scores" and "indicator" in frame.columns:
            unit_of = dict(zip(audit.tables["evidence"]["indicator"], audit.tables["evidence"]["unit"], strict=False))
            units = frame["indicator"].map(unit_of).fillna("")
        _write_frame(wb.create_sheet(SHEET_NAMES.get(name, name)), shown, sources, units)

    prov = wb.create_sheet("Provenance")
    inputs = inputs_frame(manifest)[["key", "path", "sha256", "table", "vintage", "licence", "loader", "query",
                                     "notes"]]
    inputs = inputs.assign(notes=[("; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
                                  for v in inputs["notes"]])
    inputs.columns = ["Input key", "Path", "SHA-256", "Table", "Vintage", "Licence", "Loader", "Query", "Notes"]
    methods = methods_frame(manifest)
    methods.columns = [str(c).capitalize() for c in methods.columns]
    blocks: list[tuple[str, pd.DataFrame]] = [
        ("Inputs", inputs),
        ("Methods", methods),
        ("Data treatment", pd.DataFrame({"Data treatment": [str(x) for x in manifest.get("data_treatment", [])]})),
    ]
    if manifest.get("notes"):
        blocks.append(("Notes from the audit", pd.DataFrame({"Note": [str(x) for x in manifest["notes"]]})))
    if boundaries:
        blocks.append(("Boundaries", pd.DataFrame([
            {"Level": b.level, "File": b.path.name, "SHA-256": b.sha256, "Areas drawn": len(b.matched),
             "Areas without polygon": len(b.unmatched), "Attribution": b.attribution} for b in boundaries])))
    for label, frame in blocks:
        prov.append([label])
        prov.cell(row=prov.max_row, column=1).font = Font(bold=True, size=13)
        prov.append([str(c) for c in frame.columns])
        for cell in prov[prov.max_row]:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        for row in frame.itertuples(index=False, name=None):
            prov.append([_cell(v) for v in row])
        prov.append([])
    for i in range(1, 10):
        prov.column_dimensions[get_column_letter(i)].width = 28
    prov.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_reproducibly(wb, path)
    return path


FIXED_TIME = datetime(2000, 1, 1)
"""Workbook timestamps: fixed, so the same audit gives a byte-identical file (the audit's own date is in
``manifest.json``)."""


def _save_reproducibly(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and zip entry times.

    openpyxl stamps ``docProps/core.xml`` with the current time and writes each zip entry with the
    current time, so two saves of one workbook differ; it has no option for either, hence this rewrite
    of the archive (same entries, same order, fixed times).
    """
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            dst.writestr(fixed, data)
