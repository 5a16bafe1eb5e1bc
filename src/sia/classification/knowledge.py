r"""Eurostat's technological and knowledge intensity of SIC 2007 / NACE Rev. 2 activities.

Eurostat groups manufacturing by R&D intensity into high-, medium-high-, medium-low- and
low-technology, and services by the share of tertiary-educated persons into knowledge-intensive
services (KIS: high-tech, market, financial and other KIS) and less knowledge-intensive services
(LKIS: market and other LKIS). Reference: Eurostat, "High-tech industry and knowledge-intensive
services (htec)", reference metadata, Annex 3 "High-tech aggregation by NACE Rev. 2"
(http://epp.eurostat.ec.europa.eu/cache/ITY_SDDS/EN/htec_esms.htm); Eurostat Statistics Explained,
"Glossary: High-tech". The table is ``sia/data/eurostat_knowledge_intensity.csv``.

==================================  ==============================================================
group                               NACE Rev. 2 (3-digit manufacturing aggregation, the default)
==================================  ==============================================================
high-tech manufacturing             21, 26, 30.3
medium-high-tech manufacturing      20, 25.4, 27-29, 30 except 30.1 and 30.3, 32.5
medium-low-tech manufacturing       18.2, 19, 22-24, 25 except 25.4, 30.1, 33
low-tech manufacturing              10-17, 18 except 18.2, 31, 32 except 32.5
knowledge-intensive services        high-tech 59-63, 72; market 50, 51, 69-71, 73, 74, 78, 80;
                                    financial 64-66; other 58, 75, 84-93
less knowledge-intensive services   market 45-47, 49, 52, 55, 56, 68, 77, 79, 81, 82;
                                    other 53, 94-99
other                               sections A, B, D, E, F (01-09, 35-39, 41-43): outside both
==================================  ==============================================================

With ``aggregation="2-digit"`` the manufacturing refinements are dropped (Eurostat's 2-digit
aggregation: high 21, 26; medium-high 20, 27-30; medium-low 19, 22-25, 33; low 10-18, 31, 32).

Conventions
    - ``knowledge_intensive`` is True for high-tech and medium-high-tech manufacturing and for every
      KIS subgroup; False for medium-low/low-tech manufacturing, LKIS and "other".
    - UK SIC 2007 equals NACE Rev. 2 down to classes (4 digits; the 5th digit is a UK subclass), so a
      code takes the row of its longest matching prefix: ``"30300"`` -> 30.3, ``"3011"`` -> 30.1,
      ``"3020"`` -> 30. Codes are read as :func:`sia.classification.sic_normaliser` reads them
      (``"62.01"``, ``"6201"``, ``"62010"``, ``"62.01/1"``); NOMIS's ``01000`` is in division 01.
    - A code must be at division level or finer. Section letters raise :class:`LevelError`; codes
      in no NACE Rev. 2 division (e.g. ``"34"``) or not numeric raise :class:`UnknownCodeError`
      naming the code. With ``classification=`` the code must also be in that tree.

Example
-------
>>> c = knowledge_intensity("62.01")
>>> c.group, c.subgroup, c.knowledge_intensive
('knowledge-intensive services', 'knowledge-intensive high-tech services', True)
>>> knowledge_intensity("30300").group
'high-tech manufacturing'
>>> knowledge_intensive_share(["62010", "47110"], weights=[3.0, 1.0])
0.75
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from sia.classification._errors import LevelError, UnknownCodeError
from sia.classification._paths import read_repo_table
from sia.classification.sic import sic_normaliser
from sia.classification.tree import Classification

TABLE = "eurostat_knowledge_intensity.csv"
SOURCE = ("Eurostat, High-tech industry and knowledge-intensive services (htec), reference metadata, Annex 3 "
          "'High-tech aggregation by NACE Rev. 2'")
_SCHEME = "NACE Rev. 2 (Eurostat high-tech / knowledge-intensity aggregation)"
_SECTIONS = frozenset("ABCDEFGHIJKLMNOPQRSTU")  # SIC 2007 / NACE Rev. 2 sections; other letters are unknown codes

Aggregation = Literal["3-digit", "2-digit"]

KNOWLEDGE_GROUPS: tuple[str, ...] = (
    "high-tech manufacturing",
    "medium-high-tech manufacturing",
    "medium-low-tech manufacturing",
    "low-tech manufacturing",
    "knowledge-intensive services",
    "less knowledge-intensive services",
    "other",
)


@dataclass(frozen=True)
class Category:
    """Eurostat category of one code.

    Attributes
    ----------
    code
        The code as normalised (undotted SIC spelling, e.g. ``"6201"``).
    group
        One of :data:`KNOWLEDGE_GROUPS`.
    subgroup
        KIS / LKIS subgroup (``"knowledge-intensive financial services"``, ...); for manufacturing
        Eurostat's label (``"high-technology"``, ...); for "other" the NACE section.
    knowledge_intensive
        High-tech or medium-high-tech manufacturing, or any KIS.
    nace
        The NACE Rev. 2 heading that decided (``"30.3"``, ``"62"``).
    description
        That heading's title.
    """

    code: str
    group: str
    subgroup: str
    knowledge_intensive: bool
    nace: str
    description: str


@functools.lru_cache(maxsize=2)
def _table(aggregation: Aggregation) -> dict[str, tuple[str, str, str, bool, str]]:
    frame = read_repo_table(TABLE)
    required = {"prefix", "nace", "aggregation", "group", "subgroup", "knowledge_intensive", "description"}
    if missing := required - set(frame.columns):
        raise ValueError(f"sia/data/{TABLE}: header lacks columns {sorted(missing)}")
    bad = ~frame["group"].isin(KNOWLEDGE_GROUPS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"sia/data/{TABLE}, data row {i + 1}, column group: value {frame['group'].iloc[i]!r}; "
                         f"expected one of {KNOWLEDGE_GROUPS}")
    if aggregation == "2-digit":
        frame = frame[frame["aggregation"] == "both"]
    return {
        p: (g, s, n, k == "1", d)
        for p, n, g, s, k, d in zip(frame["prefix"], frame["nace"], frame["group"], frame["subgroup"],
                                    frame["knowledge_intensive"], frame["description"], strict=True)
    }


def _normalise(code: object, classification: Classification | None) -> str:
    if isinstance(code, bool) or not isinstance(code, str | int):  # bool is an int: True is no SIC code
        raise UnknownCodeError(code, _SCHEME, context="knowledge_intensity: a SIC code is text like '62.01'")
    raw = str(code)
    if classification is not None:
        key = classification.normalise(raw, context="knowledge_intensity")  # raises UnknownCodeError
    else:
        try:
            key = sic_normaliser(raw)
        except ValueError:
            raise UnknownCodeError(code, _SCHEME, context="knowledge_intensity: not a SIC code") from None
    if len(key) == 1 and key in _SECTIONS:
        raise LevelError(f"knowledge_intensity: {code!r} is a SIC section; Eurostat's aggregation needs a division "
                         "(2 digits) or a finer code")
    if not (key.isdigit() and 2 <= len(key) <= 5):
        raise UnknownCodeError(code, _SCHEME, context="knowledge_intensity: expected a SIC 2007 division, group, "
                                                       "class or subclass (2 to 5 digits)")
    return key


@functools.lru_cache(maxsize=8192)
def _lookup(key: str, aggregation: Aggregation) -> Category:
    table = _table(aggregation)
    for n in (3, 2):  # longest prefix first: 30.3 before 30
        row = table.get(key[:n]) if len(key) >= n else None
        if row is not None:
            g, s, nace, ki, d = row
            return Category(key, g, s, ki, nace, d)
    raise UnknownCodeError(key, _SCHEME, context=f"knowledge_intensity: division {key[:2]!r} is not a NACE Rev. 2 "
                                                 "division")


def knowledge_intensity(
    code: str,
    *,
    aggregation: Aggregation = "3-digit",
    classification: Classification | None = None,
) -> Category:
    """Eurostat technological / knowledge-intensity category of a SIC 2007 (NACE Rev. 2) code.

    Parameters
    ----------
    code
        Division or finer, dotted or not: ``"62"``, ``"62.0"``, ``"62.01"``, ``"6201"``, ``"62010"``.
    aggregation
        ``"3-digit"`` (default; 30.3 high-tech, 25.4 and 32.5 medium-high, 18.2 and 30.1 medium-low)
        or ``"2-digit"`` (whole divisions only).
    classification
        Optional code tree (e.g. :func:`sia.classification.sic2007`): the code must exist in it.

    Returns
    -------
    Category

    Raises
    ------
    LevelError
        For a section letter.
    UnknownCodeError
        For a code in no NACE Rev. 2 division, a non-numeric code, or a code not in ``classification``.

    Examples
    --------
    >>> knowledge_intensity("29.10").group
    'medium-high-tech manufacturing'
    >>> knowledge_intensity("30.30", aggregation="2-digit").group
    'medium-high-tech manufacturing'
    >>> knowledge_intensity("47.11").knowledge_intensive
    False
    """
    if aggregation not in ("3-digit", "2-digit"):
        raise ValueError(f"aggregation must be '3-digit' or '2-digit', got {aggregation!r}")
    key = _normalise(code, classification)
    try:
        return _lookup(key, aggregation)
    except UnknownCodeError:
        raise UnknownCodeError(code, _SCHEME, context=f"knowledge_intensity: division {key[:2]!r} is not a NACE "
                                                      "Rev. 2 division") from None


def knowledge_intensive_share(
    subclasses: Sequence[str],
    weights: ArrayLike | None = None,
    *,
    aggregation: Aggregation = "3-digit",
    classification: Classification | None = None,
) -> float:
    r"""Share of a basket of codes that is knowledge-intensive, weighted (e.g. by employment) or by count.

    .. math:: k = \frac{\sum_i w_i\, \mathbb{1}[\text{KI}_i]}{\sum_i w_i}, \qquad w_i = 1 \text{ without weights}

    with :math:`\text{KI}_i` from :func:`knowledge_intensity` (Eurostat htec, Annex 3).

    Parameters
    ----------
    subclasses
        SIC 2007 codes (any level from division down; each looked up as in :func:`knowledge_intensity`).
    weights
        Non-negative weights aligned with ``subclasses`` (jobs); ``None`` for equal weights.

    Returns
    -------
    float
        In [0, 1]; NaN (with one warning) for an empty basket or zero total weight.

    Examples
    --------
    >>> knowledge_intensive_share(["21100", "26511", "47110", "96020"])
    0.5
    """
    codes = list(subclasses)
    w = np.ones(len(codes)) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape[0] != len(codes):
        raise ValueError(f"{w.shape[0]} weights for {len(codes)} codes")
    if not np.isfinite(w).all() or (w < 0).any():
        i = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise ValueError(f"weights must be finite and non-negative; weight {i} (code {codes[i]!r}) is {w[i]}")
    ki = np.array([knowledge_intensity(c, aggregation=aggregation, classification=classification).knowledge_intensive
                   for c in codes], dtype=np.float64)
    total = w.sum()
    if total <= 0:
        warnings.warn("knowledge_intensive_share: empty basket or zero total weight; share is NaN", stacklevel=2)
        return float("nan")
    return float(w @ ki / total)
