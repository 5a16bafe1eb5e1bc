"""Read an audit output directory (``docs/audit-output.md``) into validated frames.

The contract between ``sia audit`` and ``sia report`` is the list of tables and columns in
``docs/audit-output.md``; :data:`CONTRACT` restates it. :func:`load_audit` reads each table from
Parquet (preferred: it keeps types) or else CSV, checks its columns against the contract and the
type of its numeric and boolean columns, and raises :class:`ReportInputError` naming the file, the
missing columns or the row, column and value that does not parse.

Tables in :data:`REQUIRED_TABLES` must exist. The others feed one section each; when one is absent
the section is left out and the absence is recorded in :attr:`AuditOutput.missing_tables` (the
report prints a note, nothing is dropped silently).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sia.audit.vocabulary import ALLOWED as AUDIT_ALLOWED
from sia.audit.vocabulary import TABLE_COLUMNS


class ReportInputError(ValueError):
    """The audit output directory does not follow the contract of ``docs/audit-output.md``."""


CONTRACT: dict[str, tuple[str, ...]] = TABLE_COLUMNS
"""Required columns of each table (``stability`` also carries ``loo_<criterion>`` columns)."""

REQUIRED_TABLES: tuple[str, ...] = ("scales", "themes", "evidence", "ranking", "framework")

NUMERIC: dict[str, tuple[str, ...]] = {
    "scales": ("n_lads",),
    "evidence": ("value", "low", "high"),
    "scores": ("raw", "normalised", "weight"),
    "ranking": ("score", "rank", "score_topsis", "rank_topsis"),
    "stability": ("k", "p_top_k", "median_rank", "rank_p05", "rank_p95"),
    "framework": ("enabling_index", "market_index", "role_rank"),
    "complementarity": ("child_share", "overall_share", "contribution_ratio"),
    "complementarity_summary": ("score", "coverage", "distinctiveness", "n_children"),
    "sibling_overlap": ("jaccard", "within_theme_similarity"),
    "activities": ("jobs", "share", "lq", "lq_low", "lq_high", "growth_pct", "competitive_effect"),
    "opportunities": ("density", "pci", "cog"),
    "relatedness_edges": ("proximity",),
    "clusters": ("stability",),
    "supply": ("local_input_share", "regional_multiplier", "national_multiplier", "forward_linkage", "backward_linkage",
               "intermediate_share", "digital_services_input_share"),
    "innovation": ("value", "per_gva", "uk_per_gva", "ratio_to_uk", "year"),
    "maps": ("value", "year"),
    "indicators": ("direction",),
    "peers": ("complexity", "eci", "complexity_rank", "n_ranked", "n_regions", "n_present", "year"),
    "peer_regions": ("similarity", "similarity_rank", "complexity", "eci", "complexity_rank", "year"),
    "trends": ("year", "value"),
}
BOOLEAN: dict[str, tuple[str, ...]] = {
    "framework": ("pinned", "hypothesised"),
    "complementarity": ("child_specialised", "child_priority", "parent_priority"),
    "activities": ("significant",),
    "opportunities": ("present",),
    "activity_classes": ("traded", "knowledge_intensive"),
}
TEXT_KEYS: dict[str, tuple[str, ...]] = {
    "scales": ("scale", "area", "parent", "lads"), "themes": ("theme", "codes", "resolved_codes", "pin"),
    "activities": ("activity",), "opportunities": ("activity",), "clusters": ("activity",),
    "relatedness_edges": ("activity_a", "activity_b"), "maps": ("area",), "activity_classes": ("activity",),
    "peers": ("region",), "peer_regions": ("region",),
}
"""Columns read as text from CSV (codes such as ``01110`` keep their leading zero)."""

ALLOWED: dict[tuple[str, str], frozenset[str]] = dict(AUDIT_ALLOWED)
MANIFEST_KEYS = ("sia_version", "config", "inputs", "methods", "data_treatment")
_TRUE = frozenset({"true", "1", "yes", "t"})
_FALSE = frozenset({"false", "0", "no", "f", ""})


@dataclass
class AuditOutput:
    """A loaded audit output directory.

    Attributes
    ----------
    outdir
        The directory read.
    tables
        Table name -> frame (columns as in :data:`CONTRACT`, plus any extra columns the audit wrote).
    manifest
        The parsed ``manifest.json``.
    files
        Table name -> the file actually read (Parquet or CSV).
    missing_tables
        Optional tables that were absent (their sections are left out with a note).
    """

    outdir: Path
    tables: dict[str, pd.DataFrame]
    manifest: dict
    files: dict[str, Path] = field(default_factory=dict)
    missing_tables: list[str] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` or ``None`` when the audit did not write it."""
        return self.tables.get(name)

    @property
    def scale_ids(self) -> list[str]:
        """Scale ids in table order."""
        return self.tables["scales"]["scale"].astype(str).tolist()


def _read(path: Path, name: str) -> pd.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        dtype = dict.fromkeys(TEXT_KEYS.get(name, ()), "string")
        frame = pd.read_csv(path, dtype=dtype, keep_default_na=True)
    except Exception as exc:  # re-raised with the file named
        raise ReportInputError(f"{path}: cannot be read as a {path.suffix[1:]} table: {exc}") from exc
    return frame


def _check_columns(frame: pd.DataFrame, path: Path, name: str) -> None:
    missing = [c for c in CONTRACT[name] if c not in frame.columns]
    if missing:
        raise ReportInputError(
            f"{path}: table '{name}' is missing column(s) {', '.join(missing)} "
            f"(expected {', '.join(CONTRACT[name])}; see docs/audit-output.md)"
        )


def _coerce(frame: pd.DataFrame, path: Path, name: str) -> pd.DataFrame:
    frame = frame.copy()
    numeric = list(NUMERIC.get(name, ()))
    if name == "stability":
        numeric += [c for c in frame.columns if str(c).startswith("loo_")]
    for col in numeric:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series) or not (
            pd.api.types.is_numeric_dtype(series) or series.isna().all()
        ):
            converted = pd.to_numeric(series, errors="coerce")
            bad = converted.isna() & series.notna() & (series.astype("string").str.strip() != "")
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0])
                raise ReportInputError(
                    f"{path}: row {row + 2} (data row {row + 1}), column '{col}': value {series.iloc[row]!r} "
                    f"is not a number ({int(bad.sum())} such row(s))"
                )
            frame[col] = converted
        frame[col] = frame[col].astype("float64") if frame[col].dtype == object else frame[col]
    for col in BOOLEAN.get(name, ()):
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            frame[col] = series.astype(bool)
            continue
        text = series.astype("string").fillna("").str.strip().str.lower()
        bad = ~text.isin(_TRUE | _FALSE)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise ReportInputError(
                f"{path}: row {row + 2}, column '{col}': value {series.iloc[row]!r} is not a boolean "
                "(expected true/false)"
            )
        frame[col] = text.isin(_TRUE).to_numpy()
    text_cols = set(TEXT_KEYS.get(name, ())) | {c for (t, c) in ALLOWED if t == name}
    text_cols |= {c for c in ("scale", "theme", "parent", "child", "child_a", "child_b", "indicator", "level")
                  if c in frame.columns}
    for col in text_cols:
        if col in frame.columns:
            frame[col] = frame[col].astype("string").fillna("").astype(object)
    for (table, col), allowed in ALLOWED.items():
        if table != name:
            continue
        bad = ~frame[col].isin(allowed)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise ReportInputError(
                f"{path}: row {row + 2}, column '{col}': value {frame[col].iloc[row]!r} is not one of "
                f"{sorted(allowed)}"
            )
    return frame


def _read_manifest(outdir: Path) -> dict:
    path = outdir / "manifest.json"
    if not path.exists():
        raise ReportInputError(f"{path}: manifest.json is missing (every audit output directory has one)")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ReportInputError(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(manifest, Mapping):
        raise ReportInputError(f"{path}: expected a JSON object at the top level, got {type(manifest).__name__}")
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise ReportInputError(f"{path}: missing key(s) {', '.join(missing)} (expected {', '.join(MANIFEST_KEYS)})")
    if not isinstance(manifest["inputs"], Mapping):
        raise ReportInputError(f"{path}: 'inputs' must be an object of input key -> details")
    if not isinstance(manifest["methods"], list):
        raise ReportInputError(f"{path}: 'methods' must be a list of {{name, formula, reference, convention}}")
    return dict(manifest)


def load_audit(outdir: str | Path) -> AuditOutput:
    """Load and validate an audit output directory.

    Parameters
    ----------
    outdir
        The directory written by ``sia audit CONFIG -o OUTDIR``.

    Returns
    -------
    AuditOutput

    Raises
    ------
    ReportInputError
        When the directory, a required table or ``manifest.json`` is missing, a table lacks a column of
        the contract, or a numeric/boolean/enumerated column holds a value that does not parse (the
        message names the file, row, column and value).
    """
    outdir = Path(outdir)
    if not outdir.is_dir():
        raise ReportInputError(f"{outdir}: not a directory (expected the output directory of `sia audit`)")
    manifest = _read_manifest(outdir)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    missing: list[str] = []
    for name in CONTRACT:
        parquet, csv = outdir / f"{name}.parquet", outdir / f"{name}.csv"
        path = parquet if parquet.exists() else csv if csv.exists() else None
        if path is None:
            if name in REQUIRED_TABLES:
                raise ReportInputError(
                    f"{outdir}: required table '{name}' is missing (no {name}.parquet or {name}.csv)")
            missing.append(name)
            continue
        frame = _read(path, name)
        _check_columns(frame, path, name)
        tables[name] = _coerce(frame, path, name)
        files[name] = path
    scale_ids = set(tables["scales"]["scale"])
    for name in ("evidence", "ranking", "framework"):
        unknown = sorted(set(tables[name]["scale"]) - scale_ids)
        if unknown:
            raise ReportInputError(f"{files[name]}: scale(s) {', '.join(unknown)} are not in {files['scales'].name}")
    return AuditOutput(outdir=outdir, tables=tables, manifest=manifest, files=files, missing_tables=missing)


def inputs_frame(manifest: Mapping) -> pd.DataFrame:
    """``manifest["inputs"]`` as a table: one row per input with its checksum, vintage and licence."""
    fields = ("table", "vintage", "licence", "path", "sha256", "loader", "query", "notes")
    return pd.DataFrame(
        [{"key": k, **{f: (v or {}).get(f, "") for f in fields}} for k, v in manifest.get("inputs", {}).items()],
        columns=["key", *fields],
    )


def methods_frame(manifest: Mapping) -> pd.DataFrame:
    """``manifest["methods"]`` as a table with ``name, formula, reference, convention`` first."""
    methods = pd.DataFrame(manifest.get("methods", []))
    first = [c for c in ("name", "formula", "reference", "convention") if c in methods.columns]
    return methods[first + [c for c in methods.columns if c not in first]]
