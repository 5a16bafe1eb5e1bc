"""Candidate themes: the analyst's hypotheses, built-in basket sets and data-driven clusters.

Every theme is resolved to SIC 2007 subclasses (5 digit), the finest level of the employment
data; evidence at coarser grains maps those subclasses up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sia.classification import Basket, BasketError, Classification, UnknownCodeError, industrial_strategy_2025
from sia.membership import Membership

SUBCLASS = "subclass"


class ThemeError(ValueError):
    """A theme that cannot be resolved (unknown code, empty basket)."""


@dataclass(frozen=True)
class Theme:
    """A candidate theme resolved to SIC subclasses."""

    id: str
    name: str
    codes: tuple[str, ...]
    subclasses: frozenset[str]
    origin: str  # analyst | builtin | data-driven
    description: str = ""
    pin: str | None = None
    comment: str = ""


def slug(text: str) -> str:
    """A theme id from a name: lower case, ``-`` between words."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "theme"


def resolve_codes(
    sic: Classification, theme_id: str, name: str, codes: Sequence[str], *, key: str = ""
) -> frozenset[str]:
    """SIC subclasses of a list of codes at any level (``29``, ``30.3``, ``3316``, ``C``)."""
    basket = Basket(name=name, codes=tuple(codes))
    try:
        resolved = basket.resolve(sic, SUBCLASS)
    except UnknownCodeError as exc:
        where = f" ({key})" if key else ""
        raise ThemeError(f"theme {theme_id!r}{where}: {exc}") from exc
    except BasketError as exc:
        raise ThemeError(f"theme {theme_id!r}: {exc}") from exc
    if not resolved:
        raise ThemeError(f"theme {theme_id!r} covers no SIC subclass")
    return resolved


def builtin_themes(name: str, sic: Classification, data_dir: str | None) -> list[Theme]:
    """Themes of a built-in basket set (``industrial-strategy-2025``); empty baskets are skipped."""
    if name != "industrial-strategy-2025":
        raise ThemeError(f"unknown built-in theme set {name!r}")
    out: list[Theme] = []
    for basket in industrial_strategy_2025(data_dir).baskets:
        if basket.is_empty:
            continue
        subclasses = basket.resolve(sic, SUBCLASS)
        out.append(
            Theme(
                id="is8-" + slug(basket.name),
                name=f"{basket.name} (IS-8)",
                codes=tuple(basket.codes),
                subclasses=subclasses,
                origin="builtin",
                description="UK Industrial Strategy 2025 sector definition (gov.uk, 23 June 2025)",
            )
        )
    return out


def theme_membership(themes: Sequence[Theme], subclasses: Sequence[str]) -> Membership:
    """Themes (targets) x subclasses (sources, in the given order); overlapping themes allowed."""
    index = {c: i for i, c in enumerate(subclasses)}
    rows: list[int] = []
    cols: list[int] = []
    for t_i, theme in enumerate(themes):
        cs = sorted(index[c] for c in theme.subclasses if c in index)  # sorted: sums independent of hash order
        rows.extend([t_i] * len(cs))
        cols.extend(cs)
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(themes), len(subclasses)))
    return Membership(m, tuple(subclasses), tuple(t.id for t in themes), tuple(t.name for t in themes), "theme")


def analyst_themes(specs: Sequence[object], sic: Classification) -> list[Theme]:
    """The config's ``[[themes]]`` resolved to SIC subclasses; an unknown code raises :class:`ThemeError`
    naming ``themes[i].codes``."""
    themes = []
    for i, t in enumerate(specs):
        subs = resolve_codes(sic, t.id, t.name, t.codes, key=f"themes[{i}].codes")  # type: ignore[attr-defined]
        themes.append(Theme(t.id, t.name, tuple(t.codes), subs, "analyst", t.comment, t.pin,  # type: ignore[attr-defined]
                            t.comment))  # type: ignore[attr-defined]
    return themes


@dataclass(frozen=True)
class ClusterThemes:
    """Data-driven themes and the per-class cluster table (``activity, cluster, cluster_label``)."""

    themes: list[Theme]
    table: pd.DataFrame


def cluster_themes(
    phi: np.ndarray,
    classes: Sequence[str],
    traded: np.ndarray,
    naming_weight: np.ndarray,
    sic: Classification,
    *,
    seed: int,
    min_size: int = 3,
    max_size: int = 60,
) -> ClusterThemes:
    """Related-industry clusters of the *traded* classes, each named after its distinctive members.

    Louvain communities (:func:`sia.metrics.clusters.proximity_clusters`, seeded) on the proximity
    network restricted to traded classes (local-serving activities are everywhere and would glue
    unrelated clusters together; Delgado, Porter & Stern 2016 cluster traded industries only). A
    cluster is named by :func:`sia.metrics.clusters.name_clusters` after the two or three members
    with the largest ``naming_weight`` (jobs x LQ at the audit's widest scale); names are unique.
    Clusters with more than ``max_size`` classes are split on their own sub-network
    (:func:`sia.metrics.clusters.split_large_clusters`); clusters with fewer than ``min_size`` classes, or
    one that would not split, are not themes.
    Local-serving classes get cluster ``-1``.
    """
    from sia.metrics.clusters import name_clusters, proximity_clusters, split_large_clusters

    classes = list(classes)
    keep = np.flatnonzero(traded)
    labels = np.full(len(classes), -1, dtype=np.int64)
    names_by_cluster: dict[int, str] = {}
    themes: list[Theme] = []
    if keep.size >= 2:
        block = np.asarray(phi)[np.ix_(keep, keep)]
        sub = split_large_clusters(block, proximity_clusters(block, seed=seed), max_size, seed=seed)
        labels[keep] = sub
        member_names = [sic.name_of(classes[i]) if classes[i] in sic else classes[i] for i in keep]
        names = name_clusters(sub, member_names, np.nan_to_num(naming_weight[keep]))
        names_by_cluster = {int(c): str(names[int(c)]) for c in np.unique(sub)}
        for c in sorted(names_by_cluster):
            members = sorted(classes[i] for i in keep[sub == c])
            if not min_size <= len(members) <= max_size:
                continue
            subs = frozenset(s for m in members if m in sic for s in sic.descendants(m, "subclass"))
            if not subs:
                continue
            themes.append(Theme(f"cluster-{c:02d}", names_by_cluster[c], tuple(members), subs, "data-driven",
                                f"related-industry cluster of {len(members)} traded SIC classes (Louvain on "
                                "proximity), named after its members with the most jobs x LQ"))
    table = pd.DataFrame({
        "activity": classes,
        "cluster": labels,
        "cluster_label": [names_by_cluster.get(int(c), "local-serving (not clustered)") for c in labels],
    })
    return ClusterThemes(themes, table)
