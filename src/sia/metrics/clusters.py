"""Related-industry clusters: community detection on the proximity network, stability, labels.

Method
    1. Backbone: keep, for every activity, its ``k`` strongest proximity links (union over both ends; the
       product-space practice of Hidalgo et al. 2007 keeps a maximum spanning tree plus strong links; a
       k-nearest-neighbour backbone does the same job without a global threshold and keeps the graph sparse).
       ``k=None`` keeps every positive link.
    2. Communities: Louvain modularity optimisation (Blondel, Guillaume, Lambiotte & Lefebvre 2008) with
       ``networkx.community.louvain_communities`` on the weighted backbone, with a fixed ``seed`` so the
       partition is reproducible. Isolated activities (no link) form singleton clusters.
    3. Stability across years: adjusted Rand index (Hubert & Arabie 1985; ``sklearn``) and variation of
       information ``VI = H(A) + H(B) - 2 I(A; B)`` (Meila 2007, natural log) between the partitions of
       consecutive years.
    4. Labels: the dominant classification branch (e.g. SIC 2007 section or division) of each cluster: the
       most frequent branch among its members, with its share; ties go to the branch that sorts first.

Clusters are numbered 0, 1, ... by decreasing size (ties: by smallest member index), so labels are stable
for a given seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from sklearn.metrics import adjusted_rand_score


def backbone(phi: ArrayLike, k: int | None = 10) -> sp.csr_array:
    """Symmetric sparse backbone of a proximity matrix: each node's ``k`` strongest links (diagonal dropped)."""
    P = np.array(phi, dtype=np.float64)
    P = np.maximum(P, P.T)  # symmetrise (asymmetric proximities: the stronger direction)
    np.fill_diagonal(P, 0.0)
    P[~np.isfinite(P)] = 0.0
    n = P.shape[0]
    if k is None or k >= n - 1:
        return sp.csr_array(P)
    idx = np.argpartition(-P, kth=k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(n), k)
    cols = idx.ravel()
    vals = P[rows, cols]
    keep = vals > 0
    A = sp.csr_array((vals[keep], (rows[keep], cols[keep])), shape=(n, n))
    return sp.csr_array(A.maximum(A.T))


def proximity_clusters(
    phi: ArrayLike, *, k: int | None = 10, resolution: float = 1.0, seed: int = 0
) -> NDArray[np.int64]:
    """Cluster activities by Louvain community detection on the proximity backbone.

    Parameters
    ----------
    phi
        ``(activities, activities)`` proximity (any of :func:`sia.metrics.proximity.proximity`).
    k
        Links kept per activity (``None``: all positive links).
    resolution
        Louvain resolution (> 1: more, smaller clusters).
    seed
        Random seed: the same seed and input give the same partition.

    Returns
    -------
    ndarray
        Cluster id per activity, 0 = largest cluster.
    """
    A = backbone(phi, k)
    G = nx.from_scipy_sparse_array(A)
    comms = nx.community.louvain_communities(G, weight="weight", resolution=resolution, seed=seed)
    comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    labels = np.empty(A.shape[0], dtype=np.int64)
    for i, members in enumerate(comms):
        labels[members] = i
    return labels


def variation_of_information(a: ArrayLike, b: ArrayLike) -> float:
    """Variation of information between two partitions (natural log; 0 = identical)."""
    a = pd.factorize(np.asarray(a))[0]
    b = pd.factorize(np.asarray(b))[0]
    n = a.size
    joint = sp.coo_array((np.ones(n), (a, b))).toarray() / n
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    h_a = -np.sum(pa[pa > 0] * np.log(pa[pa > 0]))
    h_b = -np.sum(pb[pb > 0] * np.log(pb[pb > 0]))
    mi = np.sum(joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz]))
    return float(max(h_a + h_b - 2.0 * mi, 0.0))


def partition_stability(partitions: Sequence[ArrayLike], labels: Sequence[object] | None = None) -> pd.DataFrame:
    """Adjusted Rand index and variation of information between consecutive partitions.

    Returns a frame with columns ``from, to, ari, vi`` (one row per consecutive pair).
    """
    labels = list(labels) if labels is not None else list(range(len(partitions)))
    rows = []
    for i in range(1, len(partitions)):
        a, b = np.asarray(partitions[i - 1]), np.asarray(partitions[i])
        rows.append({"from": labels[i - 1], "to": labels[i], "ari": float(adjusted_rand_score(a, b)),
                     "vi": variation_of_information(a, b)})
    return pd.DataFrame(rows, columns=["from", "to", "ari", "vi"])


def label_clusters(
    clusters: ArrayLike, branches: ArrayLike | Mapping[object, str], activities: Sequence[object] | None = None
) -> pd.DataFrame:
    """Dominant classification branch of each cluster.

    Parameters
    ----------
    clusters
        Cluster id per activity.
    branches
        Branch label per activity (array aligned with ``clusters``) or a mapping activity -> branch (then
        ``activities`` gives the order). Activities with no branch count as ``"(unknown)"``.

    Returns
    -------
    DataFrame
        ``cluster, size, branch, branch_share, n_branches`` (one row per cluster).
    """
    cl = np.asarray(clusters)
    if isinstance(branches, Mapping):
        if activities is None:
            raise ValueError("a branch mapping needs the activities' order (activities=...)")
        br = np.array([branches.get(a, "(unknown)") for a in activities], dtype=object)
    else:
        br = np.asarray(branches, dtype=object)
    if br.shape != cl.shape:
        raise ValueError(f"{br.shape[0]} branch labels for {cl.shape[0]} activities")
    br = np.where(pd.isna(br), "(unknown)", br).astype(str)
    df = pd.DataFrame({"cluster": cl, "branch": br})
    counts = df.groupby(["cluster", "branch"]).size().rename("n").reset_index()
    counts = counts.sort_values(["cluster", "n", "branch"], ascending=[True, False, True])
    size = df.groupby("cluster").size()
    top = counts.drop_duplicates("cluster").set_index("cluster")
    out = pd.DataFrame({
        "cluster": size.index,
        "size": size.to_numpy(),
        "branch": top.loc[size.index, "branch"].to_numpy(),
        "branch_share": (top.loc[size.index, "n"] / size).to_numpy(),
        "n_branches": counts.groupby("cluster").size().loc[size.index].to_numpy(),
    })
    return out.reset_index(drop=True)
