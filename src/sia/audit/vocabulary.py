"""The audit's words, defined once: criteria, statuses, roles, sides, verdicts, origins, table columns.

The engine writes these strings, the report and the workbook read them, and
``sia.report.loader`` validates audit outputs against :data:`TABLE_COLUMNS` and :data:`ALLOWED`.
"""

from __future__ import annotations

from typing import Final, Literal

# ----------------------------------------------------------------------------- statuses
NOT_AVAILABLE: Final = "not available at this scale"
STATUSES: Final = ("observed", "rounded", "estimated", "incomplete", "suppressed", "missing", NOT_AVAILABLE)

# ----------------------------------------------------------------------------- framework
MARKET: Final = "market-driven priority"
ENABLING: Final = "enabling competency"
ROLES: Final = (MARKET, ENABLING)

Side = Literal["market", "enabling", "local"]
SIDES: Final = ("market", "enabling", "local")
"""``local``: a local-serving theme, which can hold neither role (market priorities are traded sectors,
enabling competencies knowledge- or technology-intensive capabilities)."""

Verdict = Literal["supported", "mixed", "not supported"]
SUPPORTED: Final = "supported"
MIXED: Final = "mixed"
NOT_SUPPORTED: Final = "not supported"
VERDICTS: Final = (SUPPORTED, MIXED, NOT_SUPPORTED)

ORIGINS: Final = ("analyst", "builtin", "data-driven")
PINS: Final = ("market", "enabling")

# ----------------------------------------------------------------------------- output tables
TABLE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "scales": ("scale", "name", "area", "area_name", "level", "reference", "reference_name", "parent", "n_lads",
               "lads"),
    "themes": ("theme", "name", "description", "origin", "codes", "resolved_codes", "pin", "comment"),
    "evidence": ("scale", "theme", "indicator", "value", "low", "high", "unit", "status", "source", "grain", "note"),
    "scores": ("scale", "theme", "criterion", "indicator", "raw", "normalised", "weight", "direction"),
    "ranking": ("scale", "theme", "score", "rank", "score_topsis", "rank_topsis"),
    "stability": ("scale", "theme", "k", "p_top_k", "median_rank", "rank_p05", "rank_p95"),
    "framework": ("scale", "theme", "side", "enabling_index", "market_index", "pinned", "role", "role_rank", "verdict",
                  "reasons", "hypothesised"),
    "complementarity": ("parent", "child", "theme", "child_share", "overall_share", "contribution_ratio",
                        "child_specialised", "child_priority", "parent_priority", "alignment"),
    "complementarity_summary": ("parent", "score", "coverage", "distinctiveness", "n_children", "uncovered_priorities",
                                "child_only_priorities"),
    "sibling_overlap": ("parent", "child_a", "child_b", "jaccard", "theme", "within_theme_similarity", "relation"),
    "activities": ("scale", "activity", "activity_name", "jobs", "share", "lq", "lq_low", "lq_high", "significant",
                   "growth_pct", "competitive_effect", "theme", "status"),
    "opportunities": ("scale", "activity", "activity_name", "present", "density", "pci", "cog", "quadrant"),
    "relatedness_edges": ("activity_a", "activity_b", "proximity"),
    "clusters": ("activity", "activity_name", "cluster", "cluster_label", "stability"),
    "supply": ("scale", "theme", "industries", "local_input_share", "regional_multiplier", "national_multiplier",
               "forward_linkage", "backward_linkage", "intermediate_share", "digital_services_input_share", "upstream",
               "downstream"),
    "innovation": ("scale", "indicator", "value", "per_gva", "uk_per_gva", "ratio_to_uk", "unit", "year", "grain",
                   "source", "status"),
    "maps": ("level", "area", "area_name", "indicator", "value", "year"),
    "activity_classes": ("activity", "activity_name", "traded", "traded_reason", "knowledge_intensive",
                         "knowledge_group"),
    "indicators": ("indicator", "label", "unit", "grain", "source", "direction", "formula"),
    "peers": ("scale", "complexity", "eci", "complexity_rank", "n_ranked", "n_regions", "region", "region_name",
              "n_present", "year", "status", "source", "grain", "note"),
    "peer_regions": ("scale", "region", "region_name", "similarity", "similarity_rank", "overlap", "complexity",
                     "eci", "complexity_rank", "year", "status", "source"),
    "trends": ("scale", "theme", "indicator", "year", "value", "unit", "status", "source", "grain"),
}
"""Required columns of each output table, in order (``stability`` also carries ``loo_<criterion>``)."""

OVERLAPS: Final = ("inside", "part", "")
"""``peer_regions.overlap``: the region lies inside the scale, shares some of its districts, or neither."""
TREND_INDICATORS: Final = ("jobs", "gva")

SORT_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "scales": ("scale",),
    "themes": ("theme",),
    "evidence": ("scale", "theme", "indicator"),
    "scores": ("scale", "theme", "criterion"),
    "ranking": ("scale", "rank", "theme"),
    "stability": ("scale", "theme"),
    "framework": ("scale", "theme"),
    "complementarity": ("parent", "child", "theme"),
    "complementarity_summary": ("parent",),
    "sibling_overlap": ("parent", "child_a", "child_b", "theme"),
    "activities": ("scale", "activity"),
    "opportunities": ("scale", "activity"),
    "relatedness_edges": ("activity_a", "activity_b"),
    "clusters": ("activity",),
    "innovation": ("scale", "indicator"),
    "supply": ("scale", "theme"),
    "maps": ("level", "indicator", "area"),
    "activity_classes": ("activity",),
    "indicators": ("indicator",),
    "peers": ("scale",),
    "peer_regions": ("scale", "similarity_rank", "region"),
    "trends": ("scale", "theme", "indicator", "year"),
}
"""Row order of each table (rows sorted by these keys, stable), so reruns are byte-identical."""

ALLOWED: Final[dict[tuple[str, str], frozenset[str]]] = {
    ("evidence", "status"): frozenset(STATUSES),
    ("themes", "origin"): frozenset(ORIGINS),
    ("themes", "pin"): frozenset({*PINS, ""}),
    ("framework", "role"): frozenset({*ROLES, ""}),
    ("framework", "side"): frozenset(SIDES),
    ("framework", "verdict"): frozenset({*VERDICTS, ""}),
    ("sibling_overlap", "relation"): frozenset({"duplication", "complementary"}),
    ("complementarity", "alignment"): frozenset({"aligned", "child niche", "contributes", "gap", ""}),
    ("peers", "status"): frozenset(STATUSES),
    ("peer_regions", "status"): frozenset(STATUSES),
    ("peer_regions", "overlap"): frozenset(OVERLAPS),
    ("trends", "status"): frozenset(STATUSES),
    ("trends", "indicator"): frozenset(TREND_INDICATORS),
}
"""Allowed values of the categorical columns."""
