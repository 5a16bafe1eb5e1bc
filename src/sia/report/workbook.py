"""The Excel workbook: a README sheet, one sheet per audit table, and a provenance sheet (openpyxl).

Values are written as they are in the audit tables (floats at full precision, booleans as Excel
booleans, missing values as empty cells), so the workbook's tables equal the audit's. Each table
sheet has a bold, filled header row, frozen panes below the header, an autofilter over the table
and column widths fitted to the content.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sia.report.loader import CONTRACT, AuditOutput, inputs_frame, methods_frame
from sia.report.maps import Boundary

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


def _write_frame(ws: Worksheet, frame: pd.DataFrame) -> None:
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=False)
    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    for i, col in enumerate(frame.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200).tolist()]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60)


def write_workbook(audit: AuditOutput, path: str | Path, *, boundaries: Sequence[Boundary] = ()) -> Path:
    """Write the audit's tables to an ``.xlsx`` workbook.

    Sheets: ``README`` (what each sheet holds), one sheet per table present (named as the table), and
    ``provenance`` (inputs with checksums, methods, data treatment, boundaries).

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
    title = str((manifest.get("config") or {}).get("title") or "Science and Innovation Audit")
    lines: list[list[object]] = [
        [title], [f"Written by sia {manifest.get('sia_version', '')} from {audit.outdir.name}"],
        [f"config sha256: {manifest.get('config_sha256', '')}"],
    ]
    if manifest.get("synthetic"):
        lines.append([str(manifest["synthetic"])])
    lines += [[], ["sheet", "rows", "description"]]
    present = [name for name in CONTRACT if name in audit.tables]
    for name in present:
        lines.append([name, len(audit.tables[name]), TABLE_DESCRIPTIONS.get(name, "")])
    for name in audit.missing_tables:
        lines.append([name, 0, "not written by this audit"])
    lines.append(["provenance", None, "Sources with checksums, vintages and licences; methods; data treatment."])
    for line in lines:
        readme.append(line)
    readme["A1"].font = Font(bold=True, size=14)
    header_row = 6 if manifest.get("synthetic") else 5
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
        _write_frame(wb.create_sheet(name), frame)

    prov = wb.create_sheet("provenance")
    inputs = inputs_frame(manifest)[["key", "path", "sha256", "table", "vintage", "licence", "loader", "query",
                                     "notes"]]
    blocks: list[tuple[str, pd.DataFrame]] = [
        ("Inputs", inputs),
        ("Methods", methods_frame(manifest)),
        ("Data treatment", pd.DataFrame({"data_treatment": [str(x) for x in manifest.get("data_treatment", [])]})),
    ]
    if boundaries:
        blocks.append(("Boundaries", pd.DataFrame([
            {"level": b.level, "file": b.path.name, "sha256": b.sha256, "areas drawn": len(b.matched),
             "areas without polygon": len(b.unmatched), "attribution": b.attribution} for b in boundaries])))
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
    wb.save(path)
    return path
