"""The registry of evidence indicators and of the scoring criteria drawn from them.

Every indicator the audit computes is described once here (name, unit, grain, source, direction,
formula and where it comes from in :mod:`sia.metrics`); the evidence set, the scoring stage, the
report, the workbook and ``docs/audit.md`` read this registry instead of repeating strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd


@dataclass(frozen=True)
class Indicator:
    """One evidence indicator.

    Attributes
    ----------
    name
        Key in the evidence set (``evidence.indicator``).
    label
        What a reader calls it (used in reason strings and the report).
    unit
        Unit of ``value``.
    grain
        Area x classification grain it is published or computed at.
    source
        Config key of the input that supplies it (``[evidence.<source>]``), used in "not available" reasons.
    direction
        ``+1`` if more is better for a Smart Specialisation priority, ``-1`` if less is better.
    formula
        The formula, with the ``sia.metrics`` function that computes it.
    """

    name: str
    label: str
    unit: str
    grain: str
    source: str
    direction: int
    formula: str


def _i(*args: object) -> Indicator:
    return Indicator(*args)  # type: ignore[arg-type]


INDICATORS: Final[dict[str, Indicator]] = {
    i.name: i
    for i in (
        _i("lq", "employment LQ", "ratio", "ITL2 x SIC subclass", "employment", 1,
           "LQ = (x_st / x_s.) / (X_.t / X_..) with a 95% interval (Moineddin et al. 2003): "
           "sia.metrics.specialisation.lq_confidence_interval"),
        _i("gva_lq", "GVA LQ", "ratio (GVA)", "LAD x published industry codes", "gva_lad", 1,
           "GVA share of the theme over the UK's (sia.metrics.specialisation.location_quotient); GVA is apportioned "
           "to themes, so it has no sampling interval"),
        _i("jobs", "jobs", "jobs", "ITL2 x SIC subclass", "employment", 1, "sum of BRES employment over the theme"),
        _i("share_of_area", "share of the area's jobs", "share", "ITL2 x SIC subclass", "employment", 1,
           "theme jobs / all jobs of the scale"),
        _i("growth_pct", "employment growth", "%", "ITL2 x SIC subclass", "employment", 1,
           "100 (x_latest - x_base) / x_base: sia.metrics.dynamics.growth"),
        _i("competitive_effect", "competitive effect", "jobs", "ITL2 x SIC subclass", "employment", 1,
           "Dunn (1960) shift-share competitive effect summed over the theme: sia.metrics.dynamics.shift_share"),
        _i("competitive_share", "competitive effect per base job", "share", "ITL2 x SIC subclass", "employment", 1,
           "competitive effect / base-year jobs of the theme"),
        _i("gva", "GVA", "GBP million", "ITL2 or LAD x published industry codes", "gva", 1,
           "sum over published codes of (code GVA per job) x (theme jobs in the code)"),
        _i("gva_share_of_area", "share of the area's GVA", "share (GVA)", "LAD x published industry codes", "gva_lad",
           1, "theme GVA / all GVA of the scale (imputed rent left out)"),
        _i("gva_growth_pct", "GVA growth", "% (GVA, current prices)", "LAD x published industry codes", "gva_lad", 1,
           "100 (GVA_latest - GVA_base) / GVA_base, nominal: sia.metrics.dynamics.growth"),
        _i("gva_per_job", "GVA per job", "GBP per job", "ITL2 x published industry codes", "gva", 1,
           "theme GVA / theme jobs"),
        _i("productivity_ratio", "productivity ratio", "ratio to GB", "ITL2 x published industry codes", "gva", 1,
           "theme GVA per job / the reference's theme GVA per job"),
        _i("jobs_per_gbp_m_gva", "jobs per GBP million GVA", "jobs per GBP million",
           "ITL2 x published industry codes", "gva", 1, "theme jobs / theme GVA"),
        _i("density", "relatedness density", "0-1", "NUTS2 x SIC class", "employment_nuts2", 1,
           "d = sum_j M_j phi_jc / sum_j phi_jc (Hidalgo et al. 2007): sia.metrics.proximity.density"),
        _i("pci", "activity complexity", "z-score", "NUTS2 x SIC class", "employment_nuts2", 1,
           "PCI, eigenvector method, oriented by regional productivity: sia.metrics.complexity.eci_pci"),
        _i("cog", "complexity outlook gain", "index", "NUTS2 x SIC class", "employment_nuts2", 1,
           "Atlas COG over the classes not yet specialised: sia.metrics.proximity.coi_cog"),
        _i("local_input_share", "local share of inputs", "share", "IOAT industry (105)", "io_table", 1,
           "regionalised (FLQ) intermediate inputs bought inside the scale: sia.supply.embeddedness"),
        _i("output_multiplier", "regional output multiplier", "ratio", "IOAT industry (105)", "io_table", 1,
           "Type I output multiplier of the regionalised table: sia.supply.embeddedness"),
        _i("digital_services_input_share", "digital and professional input share", "share", "IOAT industry (105)",
           "io_table", 1, "share of intermediate inputs from J58-63 and M69-75 (national table)"),
        _i("enterprises", "enterprises", "enterprises", "LAD x broad industry group", "business_counts", 1,
           "UK Business Counts in the theme's dominant broad group"),
        _i("sme_share", "SME share", "share", "LAD x broad industry group", "business_counts", 1,
           "1 - large enterprises / enterprises"),
        _i("large_firm_share", "large-firm share", "share", "LAD x broad industry group", "business_counts", 1,
           "large enterprises (250+) / enterprises"),
        _i("ref_large_firm_share", "large-firm share of the reference", "share", "LAD x broad industry group",
           "business_counts", 1, "large enterprises (250+) / enterprises of the theme's broad group, summed over the "
           "reference's districts (Great Britain or the UK)"),
        _i("stakeholder_score", "stakeholder score", "score 1-5", "consultation (last round)", "consultation", 1,
           "mean over criteria of the stakeholders' median score"),
    )
}


@dataclass(frozen=True)
class Criterion:
    """A scoring criterion: the indicators behind it, in order of preference, and what it measures."""

    name: str
    indicators: tuple[str, ...]
    description: str

    @property
    def direction(self) -> int:
        first = self.indicators[0]
        return INDICATORS["lq" if first == "lq_low" else first].direction


CRITERIA: Final[dict[str, Criterion]] = {
    c.name: c
    for c in (
        Criterion("strength", ("lq", "gva_lq"), "location quotient (employment; GVA where jobs are not available)"),
        Criterion("significance", ("lq_low",), "lower bound of the 95% employment LQ interval"),
        Criterion("scale", ("jobs", "gva"), "jobs in the theme (GVA where jobs are not available)"),
        Criterion("growth", ("growth_pct", "gva_growth_pct"), "% growth base -> latest (jobs, else nominal GVA)"),
        Criterion("competitiveness", ("competitive_share",), "shift-share competitive effect / base jobs"),
        Criterion("productivity", ("productivity_ratio",), "GVA per job relative to the reference"),
        Criterion("opportunity", ("density",), "relatedness density of the theme's activities"),
        Criterion("complexity", ("pci",), "mean activity complexity of the theme's classes"),
        Criterion("embeddedness", ("local_input_share",), "share of intermediate inputs bought inside the area"),
        Criterion("multiplier", ("output_multiplier",), "regional Type I output multiplier"),
        Criterion("footprint", ("jobs_per_gbp_m_gva",), "jobs per GBP million GVA (inclusive growth)"),
        Criterion("stakeholders", ("stakeholder_score",), "median consultation score"),
    )
}
"""Criterion -> indicators. ``lq_low`` is the ``low`` bound of ``lq``."""

SOURCE_LABELS: Final[dict[str, str]] = {
    "employment": "BRES employment, published here for ITL2 areas",
    "employment_nuts2": "BRES employment by SIC class, NUTS2 areas",
    "gva": "ONS regional GVA by industry, ITL2 areas",
    "gva_lad": "ONS regional GVA by industry, local authorities",
    "business_counts": "UK Business Counts, local authorities",
    "io_table": "ONS input-output analytical tables with BRES employment",
    "consultation": "a stakeholder consultation export",
}
"""What would supply an indicator that is missing at a scale (for "not available" reasons)."""


def missing_reason(indicator: str) -> str:
    """``"employment LQ: not available at this scale (BRES employment, published here for ITL2 areas)"``."""
    ind = INDICATORS[indicator]
    return f"{ind.label}: {'not available at this scale'} ({SOURCE_LABELS.get(ind.source, ind.source)})"


def indicator_table() -> pd.DataFrame:
    """The registry as the ``indicators`` output table (read by the report, the workbook and the docs)."""
    return pd.DataFrame([{"indicator": i.name, "label": i.label, "unit": i.unit, "grain": i.grain,
                          "source": i.source, "direction": i.direction, "formula": i.formula}
                         for i in INDICATORS.values()])
