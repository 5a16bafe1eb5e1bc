r"""Patent measures: co-classification z-scores, ease of recombination and modular complexity.

Notation: an incidence matrix ``D[l, i]`` of **documents** ``l`` (patents, papers) in rows and
**classes** ``i`` (technology classes, CPC / IPC codes) in columns, 1 where the document is assigned the
class (counts are accepted and used as weights, as EconGeo does). ``n_i = sum_l D[l, i]`` documents per
class, ``m_l = sum_i D[l, i]`` classes per document, ``P`` the number of documents (rows) and the
co-classification counts ``C = D^T D`` (off the diagonal).

Orientation: every function here takes ``(documents, classes)``, like ``(areas, activities)`` elsewhere in
``sia``. EconGeo's ``z_score(mat)`` takes the same orientation; its ``ease_recombination(mat)``,
``modular_complexity(mat)`` and ``modular_complexity_avg(mat)`` take classes x documents: pass ``mat.T``.
Inputs may be dense or scipy sparse (patent tables are large and sparse); outputs are dense.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

__all__ = ["cooccurrence_z_score", "ease_of_recombination", "modular_complexity", "modular_complexity_avg"]

Incidence = ArrayLike | sp.sparray | sp.spmatrix


def _incidence(D: Incidence) -> sp.csr_array | NDArray[np.float64]:
    if sp.issparse(D):
        Ds = sp.csr_array(D, dtype=np.float64)
        data = Ds.data
    else:
        Ds = np.asarray(D, dtype=np.float64)
        data = Ds
    if Ds.ndim != 2:
        raise ValueError(f"D must be a (documents, classes) matrix, got {Ds.ndim} dimensions")
    if np.isnan(data).any() or (data < 0).any():
        raise ValueError("D must be a non-negative incidence matrix without NaN")
    return Ds


def _gram(D: sp.csr_array | NDArray[np.float64]) -> NDArray[np.float64]:
    """``D^T D`` as a dense (classes, classes) array."""
    C = D.T @ D
    return C.toarray() if sp.issparse(C) else np.asarray(C)


def _colsum(D: sp.csr_array | NDArray[np.float64], axis: int) -> NDArray[np.float64]:
    return np.asarray(D.sum(axis=axis)).ravel()


def cooccurrence_z_score(D: Incidence, *, diagonal: Literal["nan", "econgeo"] = "nan") -> NDArray[np.float64]:
    r"""z-score of the co-classification of each pair of classes against random combination.

    With :math:`C_{ij}` the number of documents holding both classes, the expected count and standard
    deviation under random (hypergeometric) assignment are

    .. math::

        \mu_{ij} = \frac{n_i n_j}{P}, \qquad
        \sigma_{ij} = \sqrt{\mu_{ij}\,\Big(1 - \frac{n_i}{P}\Big)\,\frac{P - n_j}{P - 1}}, \qquad
        z_{ij} = \frac{C_{ij} - \mu_{ij}}{\sigma_{ij}}.

    Positive: a typical combination (more frequent than chance); negative: atypical (novel).

    Reference: Teece, Rumelt, Dosi & Winter (1994), "Understanding corporate coherence", *Journal of
    Economic Behavior & Organization* 23(1), 1-30; Uzzi, Mukherjee, Stringer & Jones (2013), *Science* 342,
    468-472; Kim, Cerigo, Jeong & Youn (2016), *EPJ Data Science* 5; EconGeo 2.1 ``z_score(mat)``.

    Parameters
    ----------
    D
        ``(documents, classes)`` incidence (dense or scipy sparse).
    diagonal
        ``"nan"`` (default): a class with itself is undefined. ``"econgeo"``: EconGeo's value, computed with
        the diagonal of the co-occurrence set to 0, :math:`-\mu_{ii}/\sigma_{ii}`.

    Returns
    -------
    ndarray ``(classes, classes)``, symmetric; NaN where :math:`\sigma_{ij} = 0` (a class on no document
    or on every document; EconGeo gives ``0 / 0 = NaN`` there too).

    Examples
    --------
    >>> import numpy as np
    >>> D = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]])   # 4 patents, classes A, B, C
    >>> z = cooccurrence_z_score(D)     # A-B: C = 2, mu = 3 * 2 / 4 = 1.5, sd^2 = 1.5 * (1/4) * (2/3)
    >>> round(float(z[0, 1]), 12), round(float(z[0, 2]), 12)       # (2 - 1.5) / 0.5; A-C: (1 - 1.5) / 0.5
    (1.0, -1.0)
    """
    if diagonal not in ("nan", "econgeo"):
        raise ValueError(f"diagonal must be 'nan' or 'econgeo', got {diagonal!r}")
    Ds = _incidence(D)
    P = float(Ds.shape[0])
    C = _gram(Ds)
    np.fill_diagonal(C, 0.0)
    n = _colsum(Ds, 0)
    mu = np.outer(n, n) / P
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(mu * np.outer(1.0 - n / P, (P - n) / (P - 1.0)))
        z = np.where(sd > 0, (C - mu) / np.where(sd > 0, sd, 1.0), np.nan)
    if diagonal == "nan":
        np.fill_diagonal(z, np.nan)
    return z


def ease_of_recombination(D: Incidence) -> NDArray[np.float64]:
    r"""Fleming & Sorenson's ease of recombination of each class.

    .. math:: E_i = \frac{\#\{\, j \ne i : C_{ij} > 0 \,\}}{n_i}

    the number of distinct classes ever combined with class ``i`` per document in ``i``: classes that
    combine with many others relative to their use are easy to recombine (low interdependence).

    Reference: Fleming & Sorenson (2001), "Technology as a complex adaptive system: evidence from patent
    data", *Research Policy* 30(7), 1019-1039; EconGeo 2.1 ``ease_recombination(mat)`` (classes in rows:
    ``ease_of_recombination(mat.T)``), which rounds to 5 dp (nothing is rounded here).

    Parameters
    ----------
    D
        ``(documents, classes)`` incidence (dense or scipy sparse).

    Returns
    -------
    ndarray ``(classes,)``; NaN for a class on no document (EconGeo ``0 / 0``).

    Examples
    --------
    >>> import numpy as np
    >>> D = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 0]])
    >>> ease_of_recombination(D).round(4).tolist()      # A: partners {B, C} over 3 patents
    [0.6667, 0.6667, 1.0, 1.0]
    """
    Ds = _incidence(D)
    C = _gram(Ds)
    np.fill_diagonal(C, 0.0)
    partners = (C > 0).sum(axis=1).astype(np.float64)
    n = _colsum(Ds, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, partners / np.where(n > 0, n, 1.0), np.nan)


def modular_complexity(D: Incidence) -> NDArray[np.float64]:
    r"""Fleming & Sorenson's modular complexity (interdependence) of each document.

    .. math:: K_l = \frac{m_l}{\sum_i D_{li}\, E_i}

    with :math:`E_i` the :func:`ease_of_recombination`: many classes that are hard to recombine make a
    complex invention.

    Reference: Fleming & Sorenson (2001); EconGeo 2.1 ``modular_complexity(mat)`` (classes in rows), which
    sets ``Inf`` to 0 (a document whose classes were never combined with any other) and rounds to 5 dp.
    Here ``Inf`` is 0 as well, and nothing is rounded.

    Returns
    -------
    ndarray ``(documents,)``; 0 where the denominator is 0 and the document has classes; NaN for a
    document with no class (EconGeo ``0 / 0``).

    Examples
    --------
    >>> import numpy as np
    >>> D = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 0]])
    >>> modular_complexity(D).round(4).tolist()         # P1: 2 / (2/3 + 2/3)
    [1.5, 1.2, 1.5, 1.0, 1.2857]
    """
    Ds = _incidence(D)
    E = ease_of_recombination(Ds)
    E0 = np.where(np.isnan(E), 0.0, E)  # NaN only for classes on no document, which no D[l, i] > 0 touches
    den = np.asarray(Ds @ E0).ravel()
    m = _colsum(Ds, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        K = np.where(den > 0, m / np.where(den > 0, den, 1.0), 0.0)
    return np.where(m > 0, K, np.nan)


def modular_complexity_avg(D: Incidence) -> NDArray[np.float64]:
    r"""Mean modular complexity of the documents in each class.

    .. math:: \bar K_i = \frac{\sum_l D_{li}\, K_l}{n_i}

    Reference: Fleming & Sorenson (2001); EconGeo 2.1 ``modular_complexity_avg(mat)`` (classes in rows),
    rounded there to 2 dp (nothing is rounded here).

    Returns
    -------
    ndarray ``(classes,)``; NaN for a class on no document.

    Examples
    --------
    >>> import numpy as np
    >>> D = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 0]])
    >>> modular_complexity_avg(D).round(4).tolist()     # D: its one patent P4, K = 1
    [1.3286, 1.4286, 1.1619, 1.0]
    """
    Ds = _incidence(D)
    K = modular_complexity(Ds)
    K0 = np.where(np.isnan(K), 0.0, K)  # NaN only for documents with no class, which touch no class
    num = np.asarray(Ds.T @ K0).ravel()
    n = _colsum(Ds, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, num / np.where(n > 0, n, 1.0), np.nan)
