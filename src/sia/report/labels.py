"""Reader-facing names for the ids of an audit output: themes, indicators, sources, quadrants, columns.

The audit's tables use ids (``cluster-05``, ``gva_lq``, ``low_hanging``, ``G46``); nothing the report
shows a reader is an id. This module is the one place that turns ids into names:

- themes: the ``themes`` table's ``name``; a data-driven cluster is named by the audit after its
  members ("Manufacture of motor vehicles, Manufacture of other parts ..., Other postal ..."), far
  too long for an axis, so charts use :func:`short_theme_name` ("Motor vehicles cluster") and the
  full name stays in hovers and tables;
- indicators: the ``indicators`` table (the audit's registry) when present, else :data:`INDICATOR_LABELS`;
- input-output industries: :mod:`sia.report.ioat`;
- opportunity quadrants (:data:`QUADRANT_LABELS`, the Atlas / Metroverse names of
  ``sia.metrics.proximity.opportunity_quadrants``) and SIC 2007 sections (:data:`SIC_SECTIONS`);
- table columns: :func:`column_label` ("Location quotient", "Jobs", "Growth (%)").
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

import pandas as pd

from sia.report.ioat import industry_name

SHORT_THEME_MAX = 40
"""Theme names longer than this that list a cluster's members are shortened for charts."""

INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    "lq": ("Employment LQ", "ratio"),
    "gva_lq": ("GVA LQ", "ratio"),
    "jobs": ("Jobs", "jobs"),
    "share_of_area": ("Share of the area's jobs", "share"),
    "gva_share_of_area": ("Share of the area's GVA", "share"),
    "growth_pct": ("Employment growth", "%"),
    "gva_growth_pct": ("GVA growth (current prices)", "%"),
    "competitive_effect": ("Competitive effect", "jobs"),
    "competitive_share": ("Competitive effect per base job", "share"),
    "gva": ("GVA", "GBP million"),
    "gva_total": ("Total GVA", "GBP million"),
    "gva_per_job": ("GVA per job", "GBP per job"),
    "productivity_ratio": ("Productivity ratio", "ratio to the reference"),
    "jobs_per_gbp_m_gva": ("Jobs per GBP million of GVA", "jobs per GBP million"),
    "density": ("Relatedness density", "0-1"),
    "cog": ("Complexity outlook gain", "index"),
    "pci": ("Activity complexity (PCI)", "z-score"),
    "local_input_share": ("Local share of inputs", "share"),
    "output_multiplier": ("Regional output multiplier", "ratio"),
    "digital_services_input_share": ("Digital and professional input share", "share"),
    "sme_share": ("SME share of enterprises", "share"),
    "large_firm_share": ("Large-firm share of enterprises", "share"),
    "enterprises": ("Enterprises", "count"),
    "stakeholder_score": ("Stakeholder score", "score 1-5"),
    "ref_large_firm_share": ("Large-firm share of the reference", "share"),
    "employment_lq": ("Employment LQ", "ratio"),
}
"""Fallback labels and units of evidence and map indicators (the audit's ``indicators`` table wins)."""

INNOVATION_LABELS: dict[str, str] = {
    "patents": "Patent applications", "epo_patent_applications": "EPO patent applications",
    "ukri_funding": "UKRI research funding", "ukri_funding_lep": "UKRI research funding (LEP series)",
    "innovate_uk_funding": "Innovate UK grants", "berd": "Business R&D (BERD)",
    "research_income": "University research income", "gerd": "Gross R&D (GERD)",
}

QUADRANT_LABELS: dict[str, str] = {
    "strategic": "Strategic: near and complex",
    "low_hanging": "Low-hanging fruit: near, less complex",
    "long_jump": "Long jump: complex, further away",
    "low_priority": "Low priority: far and less complex",
    "present": "Already specialised",
    "": "Not classified (missing density or complexity)",
}
"""Reader names of the opportunity quadrants of ``sia.metrics.proximity.opportunity_quadrants``."""

ALIGNMENT_LABELS = {"aligned": "Aligned", "child niche": "Child's own niche", "contributes": "Contributes",
                    "gap": "Gap", "": "-"}

SIC_SECTIONS: tuple[tuple[str, int, int, str], ...] = (
    ("A", 1, 3, "Agriculture, forestry and fishing"), ("B", 5, 9, "Mining and quarrying"),
    ("C", 10, 33, "Manufacturing"), ("D", 35, 35, "Energy supply"), ("E", 36, 39, "Water and waste"),
    ("F", 41, 43, "Construction"), ("G", 45, 47, "Wholesale and retail"), ("H", 49, 53, "Transport and storage"),
    ("I", 55, 56, "Accommodation and food"), ("J", 58, 63, "Information and communication"),
    ("K", 64, 66, "Finance and insurance"), ("L", 68, 68, "Real estate"),
    ("M", 69, 75, "Professional, scientific and technical"), ("N", 77, 82, "Administrative and support"),
    ("O", 84, 84, "Public administration and defence"), ("P", 85, 85, "Education"),
    ("Q", 86, 88, "Health and social work"), ("R", 90, 93, "Arts and recreation"), ("S", 94, 96, "Other services"),
    ("T", 97, 98, "Households as employers"), ("U", 99, 99, "Extraterritorial organisations"),
)
"""SIC 2007 sections by division range (ONS), with short names."""

SOURCE_NAMES: dict[str, str] = {
    "employment": "ONS Business Register and Employment Survey (BRES) via NOMIS",
    "bres_employment": "ONS Business Register and Employment Survey (BRES) via NOMIS",
    "employment_nuts2": "ONS BRES by NUTS2 region (NOMIS, via Nesta)",
    "gva": "ONS regional GVA (balanced) by industry",
    "gva_lad": "ONS regional GVA (balanced) by industry, local authorities",
    "ons_gva_lad": "ONS regional GVA (balanced) by industry, local authorities",
    "business_counts": "ONS UK Business Counts via NOMIS",
    "ukbc": "ONS UK Business Counts via NOMIS",
    "io_table": "ONS input-output analytical tables 2019",
    "ons_iot": "ONS input-output analytical tables",
    "io_bridge": "SIC to input-output industry bridge",
    "employment_districts": "ONS BRES via NOMIS, estimated for districts by sia (ITL2 margins)",
}
"""Names of the usual input keys; others are named from ``manifest.json`` (their ``table``)."""

COLUMN_LABELS: dict[str, str] = {
    "scale": "Scale", "scale_name": "Scale", "theme": "Theme", "name": "Name", "theme_name": "Theme",
    "indicator": "Indicator", "value": "Value", "low": "Interval low", "high": "Interval high", "unit": "Unit",
    "status": "Status", "source": "Source", "grain": "Grain", "note": "Note", "criterion": "Criterion",
    "raw": "Raw value", "normalised": "Normalised (0-1)", "weight": "Weight", "direction": "Direction",
    "score": "Score (0-1)", "rank": "Rank", "score_topsis": "TOPSIS score (0-1)", "rank_topsis": "TOPSIS rank",
    "k": "Top k", "p_top_k": "Probability of top k", "median_rank": "Median rank", "rank_p05": "Rank, 5th percentile",
    "rank_p95": "Rank, 95th percentile", "side": "Side", "enabling_index": "Enabling index",
    "market_index": "Market index", "pinned": "Pinned by the analyst", "role": "Role", "role_rank": "Rank in role",
    "verdict": "Verdict", "reasons": "Reasons", "hypothesised": "Hypothesised", "eligible": "Eligible for a role",
    "knowledge_share": "Knowledge-intensive share of jobs", "traded_share": "Traded share of jobs",
    "strength_indicator": "Strength measure", "parent": "Parent", "child": "Child", "child_share": "Child's share",
    "overall_share": "Child's overall share", "contribution_ratio": "Contribution ratio",
    "child_specialised": "Child specialised", "child_priority": "Child priority", "parent_priority": "Parent priority",
    "alignment": "Alignment", "coverage": "Coverage (0-1)", "distinctiveness": "Distinctiveness (0-1)",
    "n_children": "Children", "uncovered_priorities": "Parent priorities no child covers",
    "child_only_priorities": "Child priorities the parent lacks", "child_a": "Child A", "child_b": "Child B",
    "jaccard": "Jaccard overlap of priorities", "within_theme_similarity": "Similarity within the theme",
    "relation": "Relation", "activity": "SIC code", "activity_name": "Industry", "jobs": "Jobs",
    "share": "Share of the area's jobs", "lq": "Location quotient", "lq_low": "LQ low", "lq_high": "LQ high",
    "significant": "Significant", "growth_pct": "Growth (%)", "competitive_effect": "Competitive effect (jobs)",
    "present": "Specialised (RCA >= 1)", "density": "Relatedness density (0-1)", "pci": "Complexity (PCI)",
    "cog": "Complexity outlook gain", "quadrant": "Opportunity quadrant", "activity_a": "SIC code A",
    "activity_b": "SIC code B", "proximity": "Proximity (0-1)", "cluster": "Cluster", "cluster_label": "Cluster name",
    "stability": "Cluster stability (0-1)", "industries": "Input-output industries",
    "local_input_share": "Local share of inputs", "regional_multiplier": "Regional output multiplier",
    "national_multiplier": "National output multiplier", "forward_linkage": "Forward linkage",
    "backward_linkage": "Backward linkage", "intermediate_share": "Intermediate share of output",
    "digital_services_input_share": "ICT and professional input share", "upstream": "Key upstream industries",
    "downstream": "Key downstream industries", "per_gva": "Per GBP million of GVA", "uk_per_gva": "UK per GBP million",
    "ratio_to_uk": "Ratio to the UK", "year": "Year", "level": "Level", "area": "Area code", "area_name": "Area",
    "traded": "Traded", "traded_reason": "Why traded or local-serving", "knowledge_intensive": "Knowledge-intensive",
    "knowledge_group": "Knowledge group", "label": "Label", "formula": "Formula", "description": "Description",
    "origin": "Origin", "codes": "Codes", "resolved_codes": "Resolved codes", "pin": "Pin", "comment": "Comment",
    "reference": "Reference area code", "reference_name": "Reference area", "n_lads": "Districts",
    "lads": "District codes", "measure": "Measure", "p_top_side": "Probability of a slot on its side",
    "complexity": "Complexity (mean PCI of its specialisations)", "eci": "Economic complexity (ECI scale)",
    "complexity_rank": "Complexity rank among UK regions", "n_ranked": "Areas ranked",
    "n_regions": "UK regions compared", "region": "Region code", "region_name": "Region",
    "n_present": "Industries specialised in (RCA >= 1)", "similarity": "Industry-mix similarity (0-1)",
    "similarity_rank": "Similarity rank", "overlap": "Region inside the area",
}
"""Human headers of the audit's columns (tables in the report and the workbook)."""


def column_label(column: str) -> str:
    """A human header for an audit column (``loo_strength`` -> "Rank without strength")."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    if column.startswith("loo_"):
        return f"Rank without {column[4:].replace('_', ' ')}"
    return column.replace("_", " ").capitalize()


_MEMBER_PREFIX = re.compile(r"^(other |manufacture of (other )?|processing and preserving of |activities of |"
                            r"production of |wholesale of |retail sale of )+", flags=re.I)


def _short_member(name: str) -> str:
    """``"Processing and preserving of poultry meat"`` -> ``"Poultry meat"``; ``"Forging, pressing, ..."`` ->
    ``"Forging"``; ``"Other food products nec"`` -> ``"Food products"``."""
    text = _MEMBER_PREFIX.sub("", str(name).strip())
    text = re.split(r", |; ", text)[0]
    text = re.sub(r"\s+n\.?e\.?c\.?$", "", text).strip()
    return (text[:1].upper() + text[1:]) if text else str(name).strip()


def short_theme_name(name: str, origin: str = "data-driven") -> str:
    """A chart-sized name for a theme.

    The audit names a data-driven cluster after its most distinctive members joined by " · "
    (``sia.metrics.clusters.name_clusters``; older audits joined three members with ", "). Such a name
    longer than :data:`SHORT_THEME_MAX` becomes its members shortened (no "Manufacture of", "Other", "nec";
    cut at the first comma) plus "cluster", or only the first member plus "cluster" when two are still
    too long. Any other name is returned as it is (charts wrap it).

    >>> short_theme_name("Processing and preserving of poultry meat · Other food products nec")
    'Poultry meat · Food products cluster'
    >>> short_theme_name("Other parts and accessories for motor vehicles · Forging, pressing, stamping")
    'Parts and accessories for motor vehicles cluster'
    >>> short_theme_name("Manufacture of other knitted and crocheted apparel, Radio broadcasting, Preparation of x")
    'Knitted and crocheted apparel cluster'
    >>> short_theme_name("Logistics", "analyst")
    'Logistics'
    """
    name = str(name).strip()
    if origin != "data-driven" or len(name) <= SHORT_THEME_MAX:
        return name[:1].upper() + name[1:]
    parts = name.split(" · ") if " · " in name else re.split(r", (?=[A-Z])", name)[:1]
    members = [_short_member(p) for p in parts if p.strip()]
    joined = " · ".join(members) + " cluster"
    if len(joined) <= SHORT_THEME_MAX + 4 and len(members) > 1:
        return joined
    return f"{members[0]} cluster"


def theme_names(themes: pd.DataFrame, *, short: bool = True) -> dict[str, str]:
    """Theme id -> reader name (short names made unique by numbering repeats)."""
    origin = themes["origin"] if "origin" in themes.columns else pd.Series("", index=themes.index)
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for tid, name, org in zip(themes["theme"], themes["name"], origin, strict=True):
        label = short_theme_name(str(name), str(org)) if short else str(name)
        if label in seen:
            seen[label] += 1
            label = f"{label} {seen[label]}"
        else:
            seen[label] = 1
        out[str(tid)] = label
    return out


def cluster_name(label: str) -> str:
    """A chart-sized name for a ``clusters.cluster_label`` (same rule as data-driven themes)."""
    return short_theme_name(str(label), "data-driven")


def wrap(text: str, width: int = 26, sep: str = "<br>") -> str:
    """Wrap ``text`` at word boundaries for plotly (``<br>`` line breaks); never cuts a word."""
    return sep.join(textwrap.wrap(str(text), width=width, break_long_words=False, break_on_hyphens=False)) or ""


def indicator_table(indicators: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    """Indicator id -> (label, unit) from the audit's ``indicators`` table (labels capitalised), with fallbacks."""
    out = dict(INDICATOR_LABELS)
    if indicators is not None and len(indicators):
        for ind, label, unit in zip(indicators["indicator"], indicators["label"], indicators["unit"], strict=True):
            label = str(label)
            out[str(ind)] = (label[:1].upper() + label[1:], str(unit))
    return out


def indicator_label(indicator: str, registry: Mapping[str, tuple[str, str]] | None = None, *,
                    unit: bool = False) -> str:
    """The reader label of an indicator id (``gva_lq`` -> "GVA LQ"), optionally with its unit in brackets."""
    reg = registry if registry is not None else INDICATOR_LABELS
    if indicator in INNOVATION_LABELS:
        return INNOVATION_LABELS[indicator]
    label, u = reg.get(indicator, (indicator.replace("_", " ").capitalize(), ""))
    return f"{label} ({u})" if unit and u else label


def split_map_indicator(indicator: str) -> tuple[str, str]:
    """``employment_lq:cluster-03`` -> (``employment_lq``, ``cluster-03``); ``gva_total`` -> (``gva_total``, "")."""
    base, _, theme = str(indicator).partition(":")
    return base, theme


def source_name(key: str, manifest: Mapping | None = None) -> str:
    """Reader name of an input key of ``manifest.json`` (``innovation:berd`` -> its table name)."""
    key = str(key)
    if key in SOURCE_NAMES:
        return SOURCE_NAMES[key]
    info = ((manifest or {}).get("inputs") or {}).get(key) or {}
    table = str(info.get("table") or "").strip()
    if key.startswith("innovation:"):
        return f"Nesta BEIS R&I indicators: {INNOVATION_LABELS.get(key.split(':', 1)[1], table or key)}"
    return table or key.replace("_", " ")


def region_label(region_name: str, scale_name: str) -> str:
    """A NUTS2 region's name, told apart from a scale of the same name (the NUTS2 region "West Midlands", the
    metropolitan county, inside the ITL1 region "West Midlands"): ``"West Midlands (NUTS2 region)"``."""
    name = str(region_name)
    return f"{name} (NUTS2 region)" if name.strip().lower() == str(scale_name).strip().lower() else name


def sic_section(division: str) -> tuple[str, str]:
    """SIC 2007 section letter and name of a division code (``"29"`` -> ``("C", "Manufacturing")``)."""
    digits = re.sub(r"\D", "", str(division))[:2]
    if len(digits) == 2:
        d = int(digits)
        for letter, lo, hi, name in SIC_SECTIONS:
            if lo <= d <= hi:
                return letter, name
    return "?", "Unclassified"


def industries_text(codes: object, *, limit: int | None = None) -> str:
    """``"G46;D351"`` -> ``"Wholesale trade; Electricity"`` (IOAT codes to names)."""
    items = [c.strip() for c in str(codes or "").split(";") if c.strip() and c.strip() != "nan"]
    names = [industry_name(c) for c in items]
    if limit is not None and len(names) > limit:
        names = names[:limit] + [f"and {len(items) - limit} more"]
    return "; ".join(names)


_CODE_REF = re.compile(r"\s*\((?:see )?sia(?:\.\w+)+\)|:\s*sia(?:\.\w+)+(?=$|[;,.])")


def reader_text(text: object) -> str:
    """An audit note or reason without references to the code that computed it.

    >>> reader_text("widened by the estimates' 90% interval (sia.audit.districts.widen_lq_interval)")
    "widened by the estimates' 90% interval"
    """
    return _CODE_REF.sub("", str(text)).strip()
