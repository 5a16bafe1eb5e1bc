"""sia.report: the board-ready offline HTML report and Excel workbook of an audit.

``build_report(outdir, html_path, xlsx_path=..., static_dir=..., boundaries_dir=...)`` reads the
output directory of ``sia audit`` (``docs/audit-output.md``) and writes one self-contained HTML file
(plotly.js inlined once, no network), optionally an Excel workbook and PNG/SVG images of every chart.
"""

from sia.report.build import ReportResult, build_report, collect_charts
from sia.report.loader import CONTRACT, AuditOutput, ReportInputError, load_audit
from sia.report.maps import BoundaryError
from sia.report.static import StaticExportUnavailable, export_static
from sia.report.workbook import write_workbook

__all__ = [
    "CONTRACT",
    "AuditOutput",
    "BoundaryError",
    "ReportInputError",
    "ReportResult",
    "StaticExportUnavailable",
    "build_report",
    "collect_charts",
    "export_static",
    "load_audit",
    "write_workbook",
]
