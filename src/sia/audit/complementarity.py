"""Multi-scale complementarity: do the priorities of nested geographies fit together?

No published method measures this for UK nested geographies (see ``notes/sia-method.md`` §4);
``sia`` uses the measures suggested there, each a plain array function:

- **contribution**: each child's share of the parent's activity in a theme, against its share of
  the parent overall (their ratio is the child's location quotient against the parent);
- **coverage**: parent priorities in which no child is specialised, and child priorities the
  parent does not carry;
- **sibling overlap**: Jaccard similarity of the children's priority sets, and, for a shared
  priority, whether the siblings hold the same activities inside the theme (duplication) or
  different ones (complementary niches);
- **alignment matrix**: child x theme categories;
- one **complementarity score** (:func:`complementarity_score`).

Children must partition the parent for contributions to add up; where an area sits in two
children (e.g. a district in two LEPs before 2021) the caller splits it between them with
fractional membership weights so that it is counted once in the parent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

ALIGNED = "aligned"
CHILD_NICHE = "child niche"
CONTRIBUTES = "contributes"
GAP = "gap"
NONE = ""


SPECIALISED_LQ = 1.0
"""A child is specialised in a theme when its LQ is at least this (the usual LQ >= 1 rule)."""


def child_specialised(lq: ArrayLike, threshold: float = SPECIALISED_LQ) -> NDArray[np.bool_]:
    """``LQ >= threshold`` element by element; a missing LQ (NaN) is not specialised.

    Examples
    --------
    >>> child_specialised([0.99, 1.0, float("nan")]).tolist()
    [False, True, False]
    """
    v = np.asarray(lq, dtype=np.float64)
    return np.nan_to_num(v, nan=-np.inf) >= threshold


def contribution_shares(child_values: ArrayLike, parent_values: ArrayLike) -> NDArray[np.float64]:
    r"""Each child's share of the parent's value in each theme.

    .. math:: c_{kt} = X_{kt} / X_{Pt}

    ``child_values`` is ``(children, themes)``, ``parent_values`` is ``(themes,)``. When the
    children partition the parent, each column sums to 1. NaN where the parent has 0.
    """
    c = np.asarray(child_values, dtype=np.float64)
    p = np.asarray(parent_values, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p > 0, c / np.where(p > 0, p, 1.0), np.nan)


def contribution_ratio(
    child_values: ArrayLike, child_totals: ArrayLike, parent_values: ArrayLike, parent_total: float
) -> NDArray[np.float64]:
    r"""Share of the parent's theme held by a child over the child's share of the whole parent.

    .. math:: \rho_{kt} = \frac{X_{kt}/X_{Pt}}{X_{k\cdot}/X_{P\cdot}}

    This is the child's location quotient against its parent: above 1 the child carries more
    than its weight of the parent's priority.
    """
    shares = contribution_shares(child_values, parent_values)
    overall = np.asarray(child_totals, dtype=np.float64) / float(parent_total)
    with np.errstate(invalid="ignore", divide="ignore"):
        return shares / overall[:, None]


@dataclass(frozen=True)
class Coverage:
    """Coverage of parent priorities by specialised children, and child priorities the parent lacks."""

    uncovered_parent_priorities: NDArray[np.bool_]
    child_only_priorities: NDArray[np.bool_]
    coverage: float


def coverage(parent_priority: ArrayLike, child_specialised: ArrayLike, child_priority: ArrayLike) -> Coverage:
    """Which parent priorities no child is specialised in; which child priorities the parent does not carry.

    Parameters
    ----------
    parent_priority
        ``(themes,)`` booleans: the theme is a priority of the parent.
    child_specialised
        ``(children, themes)`` booleans: the child is specialised in the theme (e.g. LQ >= 1
        against the national reference, or significantly so).
    child_priority
        ``(children, themes)`` booleans: the theme is a priority of the child.

    Returns
    -------
    Coverage
        ``coverage`` is the share of parent priorities with at least one specialised child
        (1.0 when the parent has no priorities).
    """
    pp = np.asarray(parent_priority, dtype=bool)
    spec = np.asarray(child_specialised, dtype=bool)
    cp = np.asarray(child_priority, dtype=bool)
    covered = spec.any(axis=0)
    uncovered = pp & ~covered
    share = float(covered[pp].mean()) if pp.any() else 1.0
    return Coverage(uncovered, cp & ~pp[None, :], share)


def jaccard_matrix(sets: ArrayLike) -> NDArray[np.float64]:
    r"""Pairwise Jaccard similarity of boolean rows: :math:`|A \cap B| / |A \cup B|` (1 on the diagonal).

    Two empty sets have similarity 0 (nothing is shared).
    """
    b = np.asarray(sets, dtype=np.float64)
    inter = b @ b.T
    size = b.sum(axis=1)
    union = size[:, None] + size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        j = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
    np.fill_diagonal(j, 1.0)
    return j


def within_theme_similarity(child_activity: ArrayLike, theme_membership: ArrayLike) -> NDArray[np.float64]:
    r"""Cosine similarity of two children's activity mix inside each theme.

    For theme ``t`` with member activities ``a`` (``theme_membership[t, a] > 0``), child ``k``'s
    vector is its values in those activities; the result ``S[t, k, l]`` is the cosine of the
    vectors of ``k`` and ``l``. High similarity in a shared priority means the siblings do the
    same things (duplication); low similarity means different niches of one theme
    (complementary). NaN when either child has nothing in the theme.

    Parameters
    ----------
    child_activity
        ``(children, activities)`` values.
    theme_membership
        ``(themes, activities)`` weights (dense or sparse) of activities in themes.
    """
    x = np.asarray(child_activity, dtype=np.float64)
    m = theme_membership.toarray() if hasattr(theme_membership, "toarray") else np.asarray(theme_membership)
    masked = x[None, :, :] * (np.asarray(m, dtype=np.float64)[:, None, :] > 0)  # (themes, children, activities)
    gram = np.einsum("tka,tla->tkl", masked, masked)
    norms = np.sqrt(np.einsum("tkk->tk", gram))
    denom = norms[:, :, None] * norms[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, gram / np.where(denom > 0, denom, 1.0), np.nan)


def alignment_matrix(
    parent_priority: ArrayLike, child_priority: ArrayLike, child_specialised: ArrayLike
) -> NDArray[np.object_]:
    """Child x theme categories.

    - ``aligned``: a priority of both the child and the parent;
    - ``child niche``: a priority of the child that the parent does not carry;
    - ``contributes``: a parent priority that is not the child's priority but in which the child
      is specialised;
    - ``gap``: a parent priority in which the child is neither prioritised nor specialised;
    - empty string otherwise.
    """
    pp = np.broadcast_to(np.asarray(parent_priority, dtype=bool)[None, :], np.shape(child_priority))
    cp = np.asarray(child_priority, dtype=bool)
    spec = np.asarray(child_specialised, dtype=bool)
    out = np.full(cp.shape, NONE, dtype=object)
    out[pp & ~cp & ~spec] = GAP
    out[pp & ~cp & spec] = CONTRIBUTES
    out[~pp & cp] = CHILD_NICHE
    out[pp & cp] = ALIGNED
    return out


def complementarity_score(
    parent_priority: ArrayLike, child_priority: ArrayLike, child_specialised: ArrayLike
) -> tuple[float, float, float]:
    r"""One number for how well the children's priorities complement the parent's.

    .. math:: C = \sqrt{\text{coverage} \times \text{distinctiveness}}

    - *coverage*: share of the parent's priorities in which at least one child is specialised
      (the parent's choices rest on real local strengths);
    - *distinctiveness*: :math:`1 - \bar J`, one minus the mean pairwise Jaccard similarity of the
      children's priority sets over children that have priorities (siblings do not all bid for
      the same themes; Deegan, Broekel & Fitjar 2021 show that regions of one country tend to
      pick the same priorities). 1 when fewer than two children have priorities.

    The geometric mean is 0 if either part is 0 and 1 only if both are 1.

    Returns
    -------
    (score, coverage, distinctiveness)
    """
    cov = coverage(parent_priority, child_specialised, child_priority).coverage
    cp = np.asarray(child_priority, dtype=bool)
    active = cp[cp.any(axis=1)]
    if active.shape[0] < 2:
        distinct = 1.0
    else:
        j = jaccard_matrix(active)
        iu = np.triu_indices(active.shape[0], k=1)
        distinct = float(1.0 - j[iu].mean())
    return float(np.sqrt(cov * distinct)), float(cov), distinct
