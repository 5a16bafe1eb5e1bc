"""Stage 3, themes: the analyst's hypotheses, built-in sets and data-driven clusters of traded activities.

Clusters come from the relatedness network of SIC classes on the NUTS2 employment panel
(presence ``M = 1{LQ >= 1}``, proximity by minimum conditional probability), restricted to traded
classes (:mod:`sia.audit.activities`), seeded, and named after their distinctive members; the
``max_data_driven`` clusters most specialised at the first employment-covered scale are scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sia.audit.activities import ActivityProfile, activity_profile
from sia.audit.config import AuditConfig, ConfigError
from sia.audit.evidence import area_matrix, employment_evidence
from sia.audit.evidence_set import EvidenceSet
from sia.audit.gather import Panels
from sia.audit.grain import exact_cover, resolver
from sia.audit.scales import ScaleInfo
from sia.audit.themes import Theme, ThemeError, analyst_themes, builtin_themes, cluster_themes, theme_membership
from sia.classification import Classification
from sia.geography import Geography
from sia.metrics.clusters import partition_stability, proximity_clusters
from sia.metrics.proximity import proximity
from sia.metrics.specialisation import binary_presence, location_quotient


@dataclass
class Candidates:
    """The candidate themes and what the later stages need of the relatedness network."""

    themes: list[Theme]
    profile: ActivityProfile
    cluster_table: pd.DataFrame
    cluster_stability: float = float("nan")
    phi: np.ndarray | None = None
    class_jobs: np.ndarray | None = None  # GB jobs by SIC class (NUTS2 panel, latest year)
    notes: list[str] = field(default_factory=list)


def relatedness(X: np.ndarray) -> np.ndarray:
    """Proximity of classes from an ``(areas, classes)`` employment matrix: ``phi(1{LQ >= 1})``."""
    return proximity(binary_presence(location_quotient(np.nan_to_num(X))))


def _naming_weight(X: np.ndarray, areas: tuple[str, ...], geo: Geography, scales: list[ScaleInfo]) -> np.ndarray:
    """jobs x LQ of each class at the widest scale the NUTS2 panel covers (GB jobs if none)."""
    resolve = resolver(geo)
    for s in scales:
        units = exact_cover(geo, s.lads, areas, resolve=resolve)
        if units:
            Xs = area_matrix({s.id: units}, areas) @ X
            return (Xs * location_quotient(Xs, X.sum(axis=0)))[0]
    return X.sum(axis=0)


def candidate_themes(
    cfg: AuditConfig, sic: Classification, geo: Geography, scales: list[ScaleInfo], panels: Panels, data_root: str
) -> Candidates:
    """Resolve every candidate theme (see the module docstring)."""
    try:
        analyst = analyst_themes(cfg.themes, sic)
    except ThemeError as exc:
        raise ConfigError(str(exc)) from exc
    builtin = [t for name in cfg.theme_sets.builtin for t in builtin_themes(name, sic, data_root)]
    opp = panels.employment_nuts2
    notes: list[str] = []
    if opp is None:
        classes = tuple(sorted({a[:4] for a in panels.employment.activities}))
        profile = activity_profile(None, classes)
        notes.append("no NUTS2 x SIC class employment panel: activities are traded unless local-serving by "
                     "definition, and there are no data-driven clusters")
        cands = Candidates([*analyst, *builtin], profile, pd.DataFrame(columns=["activity", "cluster",
                                                                                  "cluster_label"]), notes=notes)
        if not cands.themes:
            raise ConfigError("no candidate themes resolved")
        return cands
    X = np.nan_to_num(opp.matrix(opp.years[-1]))
    profile = activity_profile(X, opp.activities)
    phi = relatedness(X)
    clusters: list[Theme] = []
    table = pd.DataFrame({"activity": list(opp.activities), "cluster": -1, "cluster_label": ""})
    stability = float("nan")
    if cfg.theme_sets.data_driven:
        ct = cluster_themes(phi, opp.activities, profile.traded, _naming_weight(X, opp.areas, geo, scales), sic,
                            seed=cfg.audit.seed)
        table = ct.table
        traded = np.flatnonzero(profile.traded)
        parts = [proximity_clusters(relatedness(opp.matrix(y))[np.ix_(traded, traded)], seed=cfg.audit.seed)
                 for y in opp.years]
        ps = partition_stability(parts, list(opp.years))
        stability = float(ps["ari"].mean()) if len(ps) else float("nan")
        clusters = _most_specialised(ct.themes, cfg, geo, scales, panels)
    themes = [*analyst, *builtin, *clusters]
    if not themes:
        raise ConfigError("no candidate themes resolved")
    return Candidates(themes, profile, table, stability, phi, X.sum(axis=0), notes)


def _most_specialised(
    clusters: list[Theme], cfg: AuditConfig, geo: Geography, scales: list[ScaleInfo], panels: Panels
) -> list[Theme]:
    """The ``max_data_driven`` clusters with the highest employment LQ at the first covered scale."""
    emp = panels.employment
    resolve = resolver(geo)
    first = next(((s.id, u) for s in scales if (u := exact_cover(geo, s.lads, emp.areas, resolve=resolve))), None)
    if not clusters or first is None:
        return clusters[: cfg.theme_sets.max_data_driven]
    probe = EvidenceSet([first[0]], [t.id for t in clusters])
    res = employment_evidence(emp, {first[0]: first[1]}, theme_membership(clusters, emp.activities),
                              base=cfg.audit.base_year, latest=cfg.audit.latest_year, ev=probe, source="employment")
    order = np.argsort(-np.nan_to_num(res.lq[0], nan=-1.0), kind="stable")
    return [clusters[i] for i in order[: cfg.theme_sets.max_data_driven]]
