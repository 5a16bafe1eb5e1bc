"""Membership matrices: the one mechanism behind every aggregation in ``sia``.

A :class:`Membership` maps the labels of one axis (LADs, SIC subclasses) onto the labels of
another (LEPs, SIC divisions) with a sparse weight matrix ``W`` of shape
``(n_target, n_source)``: ``W[t, s]`` is the share of source ``s`` that belongs to target ``t``
(1 for whole membership, a fraction for a boundary crosswalk or a split, 0 for none).
Aggregating values ``x`` along that axis is ``W @ x``.  Geography (areas in parents, unions of
areas) and classification (codes in divisions, baskets) both produce memberships, and the
panel applies them; nothing else in the package sums along an axis by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Membership:
    """Sparse many-to-many mapping from ``source`` labels to ``target`` labels.

    Parameters
    ----------
    matrix
        ``scipy.sparse`` matrix of shape ``(len(target), len(source))`` holding weights.
    source, target
        Labels (codes) of the source and target axes, in matrix order.
    target_names
        Optional display names of the targets, same order as ``target``.
    target_level
        Level of the targets (e.g. ``"LEP"``, ``"division"``), used in tidy outputs.
    """

    matrix: sp.csr_matrix
    source: tuple[str, ...]
    target: tuple[str, ...]
    target_names: tuple[str, ...] = field(default=())
    target_level: str = ""

    def __post_init__(self) -> None:
        m = sp.csr_matrix(self.matrix, dtype=np.float64)
        object.__setattr__(self, "matrix", m)
        object.__setattr__(self, "source", tuple(self.source))
        object.__setattr__(self, "target", tuple(self.target))
        object.__setattr__(self, "target_names", tuple(self.target_names))
        if m.shape != (len(self.target), len(self.source)):
            raise ValueError(
                f"membership matrix has shape {m.shape}, expected "
                f"({len(self.target)} targets, {len(self.source)} sources)"
            )
        if self.target_names and len(self.target_names) != len(self.target):
            raise ValueError("target_names must be as long as target")
        if m.nnz and (m.data < 0).any():
            raise ValueError("membership weights must be non-negative")

    @classmethod
    def from_pairs(
        cls,
        pairs: Sequence[tuple[str, str]] | Sequence[tuple[str, str, float]],
        *,
        source: Sequence[str] | None = None,
        target: Sequence[str] | None = None,
        target_names: Sequence[str] = (),
        target_level: str = "",
    ) -> Membership:
        """Build from ``(source, target[, weight])`` pairs; duplicate pairs keep the largest weight.

        ``source``/``target`` fix the label order (labels absent from the pairs get empty
        rows/columns); by default they are the sorted distinct labels of the pairs.
        """
        src = [p[0] for p in pairs]
        tgt = [p[1] for p in pairs]
        w = np.array([p[2] if len(p) > 2 else 1.0 for p in pairs], dtype=np.float64)
        source = tuple(sorted(set(src))) if source is None else tuple(source)
        target = tuple(sorted(set(tgt))) if target is None else tuple(target)
        s_index = {s: i for i, s in enumerate(source)}
        t_index = {t: i for i, t in enumerate(target)}
        missing = sorted({s for s in src if s not in s_index} | {t for t in tgt if t not in t_index})
        if missing:
            raise KeyError(f"labels not in the given source/target order: {missing[:10]}")
        rows = np.fromiter((t_index[t] for t in tgt), dtype=np.int64, count=len(tgt))
        cols = np.fromiter((s_index[s] for s in src), dtype=np.int64, count=len(src))
        # a pair listed twice (an area reaching a union through two parents) counts once:
        # keep the maximum weight instead of summing duplicates as coo->csr would.
        m = sp.coo_matrix((w, (rows, cols)), shape=(len(target), len(source)))
        dense_keys = rows * max(len(source), 1) + cols
        order = np.lexsort((-w, dense_keys))
        _, first = np.unique(dense_keys[order], return_index=True)
        keep = order[first]
        m = sp.csr_matrix((w[keep], (rows[keep], cols[keep])), shape=m.shape)
        return cls(m, source, target, tuple(target_names), target_level)

    def compose(self, outer: Membership, *, union: bool = True) -> Membership:
        """Chain ``self`` (a->b) with ``outer`` (b->c) into a->c.

        With ``union=True`` (the default) a source reaching a target along several paths is
        counted once: the composed weight is capped at the largest single-path weight sum of 1,
        i.e. ``min(1, sum)`` for whole memberships. Use ``union=False`` for plain products
        (e.g. fractional crosswalks that are designed to add up).
        """
        # intermediate labels the outer membership does not know belong to no outer target
        outer_m = outer.reorder_source(self.target, strict=False).matrix
        product = sp.csr_matrix(outer_m @ self.matrix)
        if union and product.nnz:
            product.data = np.minimum(product.data, 1.0)
        return Membership(product, self.source, outer.target, outer.target_names, outer.target_level)

    def reorder_source(self, labels: Sequence[str], *, strict: bool = True) -> Membership:
        """Return the membership with its columns in the order of ``labels``.

        With ``strict=True`` a label of ``labels`` that is not a source raises ``KeyError``;
        otherwise it gets an empty column (belongs to no target).
        """
        index = {s: i for i, s in enumerate(self.source)}
        missing = [lab for lab in labels if lab not in index]
        if missing and strict:
            raise KeyError(f"{len(missing)} labels are not in this membership, e.g. {missing[:10]}")
        cols = np.array([index.get(lab, -1) for lab in labels], dtype=np.int64)
        present = cols >= 0
        m = sp.csr_matrix((len(self.target), len(labels)))
        if present.any():
            sub = self.matrix[:, cols[present]].tocoo()
            new_cols = np.flatnonzero(present)[sub.col]
            m = sp.csr_matrix((sub.data, (sub.row, new_cols)), shape=(len(self.target), len(labels)))
        return Membership(m, tuple(labels), self.target, self.target_names, self.target_level)

    def unassigned(self) -> tuple[str, ...]:
        """Sources that belong to no target."""
        col_sums = np.asarray(self.matrix.sum(axis=0)).ravel()
        return tuple(s for s, v in zip(self.source, col_sums, strict=True) if v == 0)

    def multiply_assigned(self) -> tuple[str, ...]:
        """Sources that belong to more than one target (overlaps)."""
        counts = np.diff(self.matrix.tocsc().indptr)
        return tuple(s for s, n in zip(self.source, counts, strict=True) if n > 1)
