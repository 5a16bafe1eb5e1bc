"""Baskets: named, possibly overlapping sets of codes (SIA priorities, Industrial Strategy sectors).

A :class:`Basket` is defined by explicit codes (``"29"``, ``"30.3"``, ``"3316"``), prefixes
(every code starting with ``"26"``) and inclusive ranges (``"10-12"``), and is resolved against a
:class:`~sia.classification.tree.Classification` at one level.  A :class:`BasketSet` turns a
collection of baskets into a :class:`~sia.membership.Membership` (one target per basket, a code
may belong to several) and reports codes in no basket and in several.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sia.classification._errors import BasketError
from sia.classification._paths import find_shared_data
from sia.classification.tree import Classification
from sia.membership import Membership

IS8_FILE = "sectors/uk_industrial_strategy_2025_is8_sector_sic_definitions.csv"
_IS8_COLUMNS = ("sector_name", "SIC_name", "frontier_subsector_ifnotSIC", "is_frontier", "sic_code")
FOUNDATIONAL = "Foundational industries and inputs"


@dataclass(frozen=True)
class BasketEntry:
    """One line of a published basket definition.

    ``code`` is ``None`` for an entry that the source names but defines by no code (e.g. an
    Industrial Strategy frontier industry such as "Quantum technologies").
    """

    code: str | None
    label: str = ""
    subsector: str = ""
    is_frontier: int | None = None


@dataclass(frozen=True)
class BasketResolution:
    """Result of :meth:`Basket.resolve_detail`.

    Attributes
    ----------
    codes
        Codes on the requested level that the basket covers.
    partial
        Basket codes finer than the level that were mapped up to their ancestor (given -> ancestor);
        the ancestor is only partly in the basket.
    """

    codes: frozenset[str]
    partial: Mapping[str, str]


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class Basket:
    """A named set of codes given explicitly, by prefix, or by inclusive range.

    Parameters
    ----------
    name
        Basket name (unique within a :class:`BasketSet`).
    codes
        Codes at any level, with or without dots (``"29"``, ``"30.3"``, ``"3316"``).
    prefixes
        Every code on the resolution level whose canonical spelling starts with the prefix.
    ranges
        ``"LO-HI"``: every code on the level of ``LO`` (and ``HI``, which must be on the same
        level) between them in classification order, inclusive (``"10-12"``, ``"30.1-30.3"``, ``"A-C"``).
    description
        Free text.
    attributes
        Extra metadata (e.g. ``{"is_frontier": 1}``).
    entries
        The published lines the basket came from, including entries without a code.
    """

    name: str
    codes: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    ranges: tuple[str, ...] = ()
    description: str = ""
    attributes: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)
    entries: tuple[BasketEntry, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise BasketError(f"a basket needs a non-empty name, got {self.name!r}")
        object.__setattr__(self, "codes", _as_tuple(self.codes))
        object.__setattr__(self, "prefixes", _as_tuple(self.prefixes))
        object.__setattr__(self, "ranges", _as_tuple(self.ranges))
        object.__setattr__(self, "entries", tuple(self.entries))
        object.__setattr__(self, "attributes", dict(self.attributes))

    @property
    def is_empty(self) -> bool:
        """Whether the basket is defined by no code, prefix or range."""
        return not (self.codes or self.prefixes or self.ranges)

    def resolve(self, classification: Classification, level: str, *, allow_partial: bool = False) -> frozenset[str]:
        """Codes on ``level`` covered by the basket.

        A basket code coarser than ``level`` expands to all its descendants on ``level``; a finer
        code raises :class:`BasketError` unless ``allow_partial`` is set, in which case it is mapped
        up to its ancestor on ``level`` and flagged (one warning per call; details in
        :meth:`resolve_detail`).

        Raises
        ------
        UnknownCodeError
            For a code not in ``classification``; the message names the basket.
        BasketError
            For a finer code (without ``allow_partial``), a prefix matching nothing, or a bad range.
        """
        res = self.resolve_detail(classification, level, allow_partial=allow_partial)
        if res.partial:
            shown = ", ".join(f"{g}->{a}" for g, a in list(res.partial.items())[:10])
            warnings.warn(
                f"basket {self.name!r}: {len(res.partial)} codes finer than level {level!r} mapped up to partly "
                f"covered ancestors: {shown}",
                stacklevel=2,
            )
        return res.codes

    def resolve_detail(
        self, classification: Classification, level: str, *, allow_partial: bool = False
    ) -> BasketResolution:
        """Like :meth:`resolve`, returning the partly covered codes as well (no warning)."""
        cls = classification
        target = cls.levels.index(level) if level in cls.levels else -1
        if target < 0:
            raise BasketError(f"basket {self.name!r}: unknown level {level!r}; expected one of {cls.levels}")
        context = f"basket {self.name!r}"
        out: set[str] = set()
        partial: dict[str, str] = {}

        def add(code: str, given: str) -> None:
            k = cls.depth_of(code)
            if k <= target:
                out.update(cls.descendants(code, level))
            elif allow_partial:
                anc = cls.ancestor_at(code, level)
                partial[given] = anc
                out.add(anc)
            else:
                raise BasketError(
                    f"{context}: code {given!r} is a {cls.level_of(code)}, finer than level {level!r}; "
                    f"pass allow_partial=True to map it up to {cls.ancestor_at(code, level)!r} (flagged as partial)"
                )

        for raw in self.codes:
            add(cls.normalise(raw, context=context), raw)
        level_codes = cls.codes(level)
        for raw in self.prefixes:
            p = cls.spelling(raw)
            hits = [c for c in level_codes if c.startswith(p)]
            if hits:
                out.update(hits)
                continue
            coarser = [c for c in level_codes if p.startswith(c)]
            if coarser and allow_partial:
                partial[raw] = coarser[0]
                out.add(coarser[0])
                continue
            raise BasketError(f"{context}: prefix {raw!r} matches no {cls.name} code on level {level!r}")
        for raw in self.ranges:
            parts = [x.strip() for x in raw.split("-")]
            if len(parts) != 2 or not all(parts):
                raise BasketError(f"{context}: range {raw!r}; expected 'LO-HI' such as '10-12'")
            lo, hi = (cls.normalise(x, context=f"{context}, range {raw!r}") for x in parts)
            if cls.level_of(lo) != cls.level_of(hi):
                raise BasketError(
                    f"{context}: range {raw!r} mixes levels ({cls.level_of(lo)} {lo!r}, {cls.level_of(hi)} {hi!r})"
                )
            same = cls.codes(cls.level_of(lo))
            i, j = same.index(lo), same.index(hi)
            if i > j:
                raise BasketError(f"{context}: range {raw!r} runs backwards")
            for code in same[i : j + 1]:
                add(code, code)
        return BasketResolution(frozenset(out), partial)


class BasketSet:
    """An ordered collection of baskets with unique names; baskets may overlap.

    Parameters
    ----------
    baskets
        The baskets.
    name
        Name of the set (``"UK Industrial Strategy 2025"``).
    """

    def __init__(self, baskets: Iterable[Basket], name: str = "") -> None:
        self.baskets: tuple[Basket, ...] = tuple(baskets)
        self.name = name
        names = [b.name for b in self.baskets]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise BasketError(f"basket set {name!r}: duplicated basket names {dup}")
        self._by_name = {b.name: b for b in self.baskets}

    def __len__(self) -> int:
        return len(self.baskets)

    def __iter__(self) -> Iterator[Basket]:
        return iter(self.baskets)

    def __getitem__(self, name: str) -> Basket:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"basket set {self.name!r} has no basket {name!r}; baskets: {list(self._by_name)}") from None

    def __repr__(self) -> str:
        return f"BasketSet({self.name!r}, {len(self)} baskets)"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def resolve(
        self, classification: Classification, level: str, *, allow_partial: bool = False
    ) -> dict[str, BasketResolution]:
        """:meth:`Basket.resolve_detail` for every basket."""
        return {b.name: b.resolve_detail(classification, level, allow_partial=allow_partial) for b in self.baskets}

    def membership(self, classification: Classification, level: str, *, allow_partial: bool = False) -> Membership:
        """Membership of every code on ``level`` (sources, tree order) in each basket (targets).

        A code in two baskets has a 1 in both rows: aggregating to baskets counts it in each, which
        is what overlapping priorities mean; never sum the basket totals.
        """
        resolved = self.resolve(classification, level, allow_partial=allow_partial)
        source = classification.codes(level)
        pos = {c: i for i, c in enumerate(source)}
        rows = np.concatenate(
            [np.full(len(r.codes), t, dtype=np.int64) for t, r in enumerate(resolved.values())] or [[]]
        )
        cols = np.array([pos[c] for r in resolved.values() for c in sorted(r.codes)], dtype=np.int64)
        m = sp.csr_matrix((np.ones(len(cols)), (rows.astype(np.int64), cols)), shape=(len(self), len(source)))
        return Membership(m, source, self.names, self.names, "basket")

    def report(self, classification: Classification, level: str, *, allow_partial: bool = False) -> pd.DataFrame:
        """Codes in no basket, codes in several, and basket entries defined by no code.

        Returns
        -------
        DataFrame
            Columns ``kind`` (``no_basket``, ``several_baskets``, ``partial``, ``empty_basket``,
            ``undefined_entry``), ``code``, ``name``, ``n_baskets``, ``baskets`` (``"; "``-joined),
            ``entry`` (label of an undefined entry or of the finer code mapped up).
        """
        resolved = self.resolve(classification, level, allow_partial=allow_partial)
        mem = self.membership(classification, level, allow_partial=allow_partial)
        counts = np.asarray(mem.matrix.sum(axis=0)).ravel().astype(np.int64)
        csc = mem.matrix.tocsc()
        names = np.asarray(self.names, dtype=object)
        rows: list[tuple[str, str, str, int, str, str]] = []
        for j in np.flatnonzero(counts != 1):
            code = mem.source[j]
            members = names[csc.indices[csc.indptr[j] : csc.indptr[j + 1]]]
            kind = "no_basket" if counts[j] == 0 else "several_baskets"
            rows.append((kind, code, classification.name_of(code), int(counts[j]), "; ".join(members), ""))
        for b in self.baskets:
            for given, anc in resolved[b.name].partial.items():
                rows.append(("partial", anc, classification.name_of(anc), 1, b.name, given))
            if b.is_empty:
                rows.append(("empty_basket", "", "", 0, b.name, b.description))
            for e in b.entries:
                if e.code is None:
                    rows.append(("undefined_entry", "", "", 0, b.name, e.subsector or e.label))
        return pd.DataFrame(rows, columns=["kind", "code", "name", "n_baskets", "baskets", "entry"])

    def entries_frame(self) -> pd.DataFrame:
        """Every published entry of every basket: ``basket, code, label, subsector, is_frontier``."""
        rows = [(b.name, e.code, e.label, e.subsector, e.is_frontier) for b in self.baskets for e in b.entries]
        return pd.DataFrame(rows, columns=["basket", "code", "label", "subsector", "is_frontier"])


def _na(value: str) -> str | None:
    v = value.strip()
    return None if v in ("", "NA") else v


def industrial_strategy_2025(
    data_dir: str | os.PathLike[str] | None = None, *, by: Literal["sector", "subsector"] = "sector"
) -> BasketSet:
    """The UK Industrial Strategy 2025 sector definitions (IS-8 plus foundational industries) as baskets.

    Source: ``shared/data/sectors/uk_industrial_strategy_2025_is8_sector_sic_definitions.csv``, a
    transcription of the gov.uk "Industrial Strategy Sector Definitions List" (23 June 2025).  SIC
    codes are given at 2-5 digits without dots (``303`` = 30.3).  ``is_frontier``: 0 = part of the
    sector's core SIC definition, 1 = frontier industry, 2 = foundational industry/input.

    Parameters
    ----------
    by
        ``"sector"`` (default): one basket per sector (8 IS-8 sectors and "Foundational industries
        and inputs"), holding all its SIC codes; every line is kept in ``entries`` with its
        ``is_frontier`` value, and frontier industries without SIC (``sic_code = NA``) are kept as
        entries with ``code=None`` and listed by :meth:`BasketSet.report` as ``undefined_entry``.
        ``"subsector"``: one basket per frontier industry (``is_frontier`` 1) or foundational
        industry (2), named ``"<sector>: <industry>"`` with ``attributes["is_frontier"]``; those
        without SIC are empty baskets.  Core lines (``is_frontier`` 0) are not in these baskets.

    Raises
    ------
    ValueError
        Naming file, line, column and value for a malformed line.
    """
    path = find_shared_data(data_dir, required=IS8_FILE) / IS8_FILE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _IS8_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: header lacks columns {missing}; found {list(frame.columns)}")
    entries: list[tuple[str, BasketEntry]] = []
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        sector = row.sector_name.strip()
        if not sector:
            raise ValueError(f"{path}, line {i}, column sector_name: empty; expected a sector name")
        try:
            frontier = int(row.is_frontier)
        except ValueError:
            frontier = -1
        if frontier not in (0, 1, 2):
            raise ValueError(f"{path}, line {i}, column is_frontier: value {row.is_frontier!r}; expected 0, 1 or 2")
        code = _na(row.sic_code)
        if code is not None and not (code.isdigit() and 2 <= len(code) <= 5):
            raise ValueError(f"{path}, line {i}, column sic_code: value {code!r}; expected a 2-5 digit SIC code or NA")
        label = _na(row.SIC_name) or ""
        sub = _na(row.frontier_subsector_ifnotSIC) or ""
        if code is None and not (sub or label):
            raise ValueError(f"{path}, line {i}: no SIC code and no name; expected one of them")
        entries.append((sector, BasketEntry(code, label, sub, frontier)))
    source = str(path)
    baskets: list[Basket] = []
    if by == "sector":
        for sector in dict.fromkeys(s for s, _ in entries):
            mine = tuple(e for s, e in entries if s == sector)
            codes = tuple(dict.fromkeys(e.code for e in mine if e.code is not None))
            undefined = [e.subsector or e.label for e in mine if e.code is None]
            kind = "foundational" if sector == FOUNDATIONAL else "IS-8 growth-driving sector"
            baskets.append(
                Basket(
                    sector,
                    codes=codes,
                    description=f"Industrial Strategy 2025, {kind}: {len(codes)} SIC codes"
                    + (f"; {len(undefined)} frontier industries not defined by SIC" if undefined else ""),
                    attributes={"source": source, "kind": kind, "is_frontier": sorted({e.is_frontier for e in mine})},
                    entries=mine,
                )
            )
    elif by == "subsector":
        groups: dict[tuple[str, str, int], list[BasketEntry]] = {}
        for sector, e in entries:
            if e.is_frontier in (1, 2):
                groups.setdefault((sector, e.subsector or e.label, e.is_frontier), []).append(e)
        for (sector, sub, frontier), mine in groups.items():
            codes = tuple(dict.fromkeys(e.code for e in mine if e.code is not None))
            baskets.append(
                Basket(
                    f"{sector}: {sub}",
                    codes=codes,
                    description="frontier industry" if frontier == 1 else "foundational industry/input",
                    attributes={"source": source, "sector": sector, "is_frontier": frontier},
                    entries=tuple(mine),
                )
            )
    else:
        raise ValueError(f"by={by!r}; expected 'sector' or 'subsector'")
    return BasketSet(baskets, name=f"UK Industrial Strategy 2025 ({by})")
