"""Stage 3b, activity profile: which SIC classes are traded, which are knowledge-intensive, and what
that makes of each theme (shares of its GB jobs), plus the theme features the framework's sides use.

- **traded / local-serving** per SIC class, from the concentration of employment across NUTS2
  regions (:func:`sia.metrics.traded.traded_activities`, Delgado, Porter & Stern 2016), with the
  activities that are local-serving by construction (retail, construction, personal services, ...)
  never traded;
- **knowledge- or technology-intensive** per SIC subclass: Eurostat's high-tech and
  medium-high-tech manufacturing and knowledge-intensive services
  (:mod:`sia.classification.knowledge`).

Theme shares are GB-employment-weighted through the theme membership (one ``B @ x`` each).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from sia.audit.themes import Theme, theme_membership
from sia.classification import Classification
from sia.membership import Membership


@dataclass(frozen=True)
class ActivityProfile:
    """Per SIC class: traded or local-serving (with the reason), and knowledge intensity."""

    classes: tuple[str, ...]
    traded: NDArray[np.bool_]
    traded_reason: NDArray[np.object_]
    knowledge_intensive: NDArray[np.bool_]
    knowledge_group: NDArray[np.object_]

    def table(self, sic: Classification) -> pd.DataFrame:
        """The ``activity_classes`` output table."""
        return pd.DataFrame({
            "activity": list(self.classes),
            "activity_name": [sic.name_of(c) if c in sic else "" for c in self.classes],
            "traded": self.traded,
            "traded_reason": self.traded_reason,
            "knowledge_intensive": self.knowledge_intensive,
            "knowledge_group": self.knowledge_group,
        })


def activity_profile(employment: NDArray[np.float64] | None, classes: Sequence[str]) -> ActivityProfile:
    """Traded and knowledge-intensive flags of SIC classes.

    ``employment`` is ``(areas, classes)`` (NUTS2 x SIC class); ``None`` when the audit has no such
    panel, in which case every class that is not local-serving by definition counts as traded (said in
    the reason).
    """
    from sia.classification.knowledge import knowledge_intensity
    from sia.metrics.traded import is_local_serving_by_definition, traded_activities

    classes = tuple(classes)
    if employment is not None:
        res = traded_activities(np.nan_to_num(employment), codes=list(classes))
        traded, reason = np.asarray(res.traded, dtype=bool), np.asarray(res.reason, dtype=object)
    else:
        local = np.array([is_local_serving_by_definition(c) for c in classes], dtype=bool)
        traded = ~local
        reason = np.where(local, "local-serving by definition", "traded by default (no regional employment panel)"
                          ).astype(object)
    cats = [knowledge_intensity(c) for c in classes]
    return ActivityProfile(classes, traded, reason, np.array([c.knowledge_intensive for c in cats], dtype=bool),
                           np.array([c.group for c in cats], dtype=object))


def class_membership(subclasses: Sequence[str], classes: Sequence[str]) -> Membership:
    """SIC subclasses (5 digit) -> their classes (first 4 digits) among ``classes``; others map nowhere."""
    index = {c: i for i, c in enumerate(classes)}
    rows = [index.get(s[:4], -1) for s in subclasses]
    ok = np.array([r >= 0 for r in rows], dtype=bool)
    m = sp.csr_matrix((np.ones(int(ok.sum())), (np.asarray(rows)[ok], np.flatnonzero(ok))),
                      shape=(len(classes), len(subclasses)))
    return Membership(m, tuple(subclasses), tuple(classes), tuple(classes), "class")


def theme_shares(
    profile: ActivityProfile, themes: Membership, subclasses: Sequence[str], ref_jobs: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(knowledge_share, traded_share)`` of each theme: GB-job-weighted shares of its subclasses.

    ``share_t = sum_s B_ts x_s f_s / sum_s B_ts x_s`` with ``x`` the reference jobs by subclass and ``f``
    the subclass's flag (its class's, through :func:`class_membership`).
    """
    C = class_membership(subclasses, profile.classes).matrix  # (classes, subclasses)
    traded_sub = C.T @ profile.traded.astype(np.float64)
    ki_sub = C.T @ profile.knowledge_intensive.astype(np.float64)
    B = themes.reorder_source(subclasses, strict=False).matrix
    jobs = B @ ref_jobs
    with np.errstate(divide="ignore", invalid="ignore"):
        traded = np.where(jobs > 0, (B @ (ref_jobs * traded_sub)) / jobs, np.nan)
        ki = np.where(jobs > 0, (B @ (ref_jobs * ki_sub)) / jobs, np.nan)
    return np.asarray(ki, dtype=np.float64), np.asarray(traded, dtype=np.float64)


def centrality(
    phi: NDArray[np.float64], classes: Sequence[str], class_jobs: NDArray[np.float64], themes: list[Theme]
) -> NDArray[np.float64]:
    """Theme centrality in the relatedness network: the employment-weighted mean weighted degree of its
    classes, ``(B (k * x)) / (B x)`` with ``k_c = sum_j phi_cj - phi_cc``."""
    degree = phi.sum(axis=1) - np.diag(phi)
    class_themes = [Theme(t.id, t.name, t.codes, frozenset(s[:4] for s in t.subclasses), t.origin) for t in themes]
    B = theme_membership(class_themes, list(classes)).matrix
    w = B @ class_jobs
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(w > 0, (B @ (degree * class_jobs)) / w, np.nan), dtype=np.float64)


def cross_theme(themes: list[Theme]) -> NDArray[np.float64]:
    """Share of the other themes that share at least one SIC division with the theme: ``(D D^T > 0)``
    off the diagonal, averaged over the ``n - 1`` others."""
    n = len(themes)
    if n < 2:
        return np.zeros(n)
    divisions = sorted({s[:2] for t in themes for s in t.subclasses})
    div_themes = [Theme(t.id, t.name, t.codes, frozenset(s[:2] for s in t.subclasses), t.origin) for t in themes]
    D = theme_membership(div_themes, divisions).matrix
    shared = ((D @ D.T).toarray() > 0).astype(np.float64)
    np.fill_diagonal(shared, 0.0)
    return shared.sum(axis=1) / (n - 1)
