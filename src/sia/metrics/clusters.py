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


def split_large_clusters(
    phi: ArrayLike, labels: ArrayLike, max_size: int, *, k: int | None = 10, seed: int = 0,
    max_resolution: float = 8.0,
) -> NDArray[np.int64]:
    """Split every cluster larger than ``max_size`` by Louvain on its own proximity block.

    A Louvain partition of a whole industry space can hold one cluster of a hundred or more activities (on
    BRES NUTS2, most of manufacturing), too broad to be a theme. Each such cluster is re-clustered on its
    own sub-network (:func:`proximity_clusters`, same ``k`` and ``seed``), at resolution 1 and then
    doubling up to ``max_resolution`` until it splits; parts still too large are split again. A cluster
    that does not split even at ``max_resolution`` is kept whole. Ids are renumbered by size (0 = largest,
    ties by first member), as :func:`proximity_clusters` numbers them; negative labels are kept.

    Examples
    --------
    >>> block = np.kron(np.eye(2), np.ones((3, 3)))          # two cliques of 3, joined weakly
    >>> phi = np.where(block > 0, 0.9, 0.05); np.fill_diagonal(phi, 1.0)
    >>> split_large_clusters(phi, np.zeros(6, dtype=int), max_size=3, k=None).tolist()
    [0, 0, 0, 1, 1, 1]
    """
    P = np.asarray(phi, dtype=np.float64)
    out = np.asarray(labels, dtype=np.int64).copy()
    next_id = int(out.max(initial=-1)) + 1
    queue = [c for c in np.unique(out[out >= 0]) if (out == c).sum() > max_size]
    while queue:
        c = queue.pop(0)
        idx = np.flatnonzero(out == c)
        resolution, parts = 1.0, np.zeros(idx.size, dtype=np.int64)
        while resolution <= max_resolution:
            parts = proximity_clusters(P[np.ix_(idx, idx)], k=k, resolution=resolution, seed=seed)
            if parts.max() > 0:
                break
            resolution *= 2
        if parts.max() == 0:
            continue
        for part in range(1, int(parts.max()) + 1):
            out[idx[parts == part]] = next_id
            if (parts == part).sum() > max_size:
                queue.append(next_id)
            next_id += 1
        if (parts == 0).sum() > max_size:
            queue.append(c)
    # renumber by size, ties by first member
    ids = [c for c in np.unique(out) if c >= 0]
    order = sorted(ids, key=lambda c: (-int((out == c).sum()), int(np.flatnonzero(out == c)[0])))
    renumbered = out.copy()
    for new_id, c in enumerate(order):
        renumbered[out == c] = new_id
    return renumbered


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
    from sklearn.metrics import adjusted_rand_score  # here, not at the top: importing sklearn costs ~1 s

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


_NAME_PREFIXES = ("Manufacture of ", "Activities of ")


def _short(name: str) -> str:
    """``'Manufacture of motor vehicles'`` -> ``'Motor vehicles'`` (only ``Manufacture of`` / ``Activities of``
    are dropped: they start a third of SIC class names and say nothing about the cluster)."""
    name = name.replace("; ", ", ")
    for prefix in _NAME_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            rest = name[len(prefix):]
            return rest[0].upper() + rest[1:]
    return name


def name_clusters(
    clusters: ArrayLike, member_names: Sequence[str], weights: ArrayLike, n_members: int = 2, max_members: int = 3
) -> dict[int, str]:
    """Name each cluster after its most distinctive members; every name unique.

    A cluster's name joins (``" · "``) the short names of its ``n_members`` members with the largest
    ``weights`` (the audit passes jobs x LQ, so a member is distinctive when the area has many jobs in it
    *and* is specialised in it; ties broken by name). A name shared by two clusters is lengthened member by
    member up to ``max_members``; one still shared gets ``" (group k)"``, k counting its clusters in order of
    id. Unlike :func:`label_clusters` (the dominant classification branch, which names a mixed cluster after
    a branch most of its members are not in), the name lists members that are actually in the cluster.

    Parameters
    ----------
    clusters
        Cluster id per activity (integers; negative ids are not named).
    member_names
        Name per activity, aligned with ``clusters``.
    weights
        Non-negative weight per activity (NaN counts as 0).
    n_members, max_members
        Members named at first, and at most.

    Returns
    -------
    dict
        ``{cluster id: name}`` for every non-negative id.

    Examples
    --------
    >>> name_clusters([0, 0, 1, 1], ["Manufacture of glass", "Retail of fish", "Fund management", "Legal"],
    ...               [1.0, 5.0, 2.0, 3.0], n_members=1)
    {0: 'Retail of fish', 1: 'Legal'}
    """
    cl = np.asarray(clusters, dtype=np.int64)
    names = np.asarray([_short(str(n)) for n in member_names], dtype=object)
    w = np.nan_to_num(np.asarray(weights, dtype=np.float64))
    if not cl.shape == names.shape == w.shape:
        raise ValueError(f"clusters, member_names and weights must align: {cl.shape}, {names.shape}, {w.shape}")
    if n_members < 1 or max_members < n_members:
        raise ValueError(f"need 1 <= n_members <= max_members, got {n_members}, {max_members}")
    # members of each cluster, most distinctive first (weight descending, then name)
    order = np.lexsort((names.astype(str), -w, cl))
    ranked: dict[int, list[str]] = {}
    for i in order[cl[order] >= 0]:
        ranked.setdefault(int(cl[i]), []).append(str(names[i]))
    length = {c: min(n_members, len(m)) for c, m in ranked.items()}

    def joined(c: int) -> str:
        return " · ".join(ranked[c][: length[c]])

    for _ in range(max_members - n_members + 1):
        current = {c: joined(c) for c in ranked}
        shared = {c for c, n in current.items() if list(current.values()).count(n) > 1}
        if not shared:
            return dict(sorted(current.items()))
        for c in shared:
            length[c] = min(length[c] + 1, max_members, len(ranked[c]))
    current = {c: joined(c) for c in sorted(ranked)}
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for c, n in current.items():
        if list(current.values()).count(n) > 1:
            seen[n] = seen.get(n, 0) + 1
            n = f"{n} (group {seen[n]})"
        out[c] = n
    return out
