"""Published industry codes of mixed levels (``Total``, ``A-E``, ``C (10-33)``, ``CA-CB (10-15)``, ``41``, ``68IMP``).

Real tables publish aggregates side by side with their parts.  :func:`parse_code_ranges` maps
every published code onto a set of *atoms* -- the finest codes of the classification (SIC
subclasses), plus the special atom ``68IMP`` when the table publishes imputed rent -- and
derives from these sets the containment tree among the published codes themselves, so that
no aggregate ever sums a total with its own parts.

Grammar of a published code (SIC 2007; blanks are ignored around ``-`` and brackets):

``Total`` / ``All industries``
    Everything the other codes of the table cover (or the whole classification if it is alone).
    SIC divisions that no code covers (in the ONS GVA tables: section U, division 99) are listed
    in :attr:`MixedCodeSet.uncovered`.
``A-E``, ``G-T``
    Section range, inclusive, in letter order.
``C (10-33)``, ``CA-CB (10-15)``, ``CH (24-25)``, ``AB (1-9)``
    Letters with a bracketed division range.  The divisions come from the numbers; the first
    letter must be the section of the lowest division, and when every letter token is a single
    section letter the sections must cover exactly those divisions.
``41``, ``49-51``, ``5-8``
    A division or an inclusive division range (over the divisions that exist).
``68IMP``
    Owner-occupiers' imputed rental: a special atom, part of division 68 and section L, that
    is not a SIC activity.  When a table publishes ``68IMP``, a bare ``68`` (or a numeric range
    reaching 68) means real estate **excluding** imputed rental (the ONS convention), while
    section L (``L (68)``) and ``Total`` include it.  Without ``68IMP`` in the table there is no
    such atom and ``68`` is the whole division.
any other code
    A code of the classification at any level (``"29.1"``, ``"2910"``), covering its subclasses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sia.classification._errors import CodeRangeError, LevelError, NestedCodesError, UnknownCodeError
from sia.classification.tree import Classification
from sia.membership import Membership

IMPUTED_RENT = "68IMP"
_TOTAL = re.compile(r"(?i)\s*(total|all industries)\s*")
_IMPUTED = re.compile(r"(?i)\s*68\s*IMP\s*")
_LETTERS_PAREN = re.compile(r"\s*([A-Z]{1,2})(?:\s*-\s*([A-Z]{1,2}))?\s*\(\s*(\d{1,2})(?:\s*-\s*(\d{1,2}))?\s*\)\s*")
_SECTION_RANGE = re.compile(r"\s*([A-Z])\s*-\s*([A-Z])\s*")
_DIVISION_RANGE = re.compile(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*")


@dataclass(frozen=True)
class _Parsed:
    kind: str
    atoms: frozenset[str]  # leaf codes (and possibly IMPUTED_RENT)


def _as_pairs(codes_with_names: object) -> list[tuple[str, str]]:
    if isinstance(codes_with_names, pd.DataFrame):
        if codes_with_names.shape[1] < 1:
            raise CodeRangeError("codes frame has no columns")
        cols = list(codes_with_names.columns[:2])
        if len(cols) == 1:
            return [(str(c), "") for c in codes_with_names[cols[0]]]
        return [(str(c), "" if pd.isna(n) else str(n)) for c, n in codes_with_names[cols].itertuples(index=False)]
    if isinstance(codes_with_names, Mapping):
        return [(str(c), str(n)) for c, n in codes_with_names.items()]
    if isinstance(codes_with_names, str):
        raise CodeRangeError("expected a collection of codes, got a single string")
    out: list[tuple[str, str]] = []
    for item in codes_with_names:  # type: ignore[attr-defined]
        if isinstance(item, str):
            out.append((item, ""))
        else:
            code, name = item
            out.append((str(code), str(name)))
    return out


class MixedCodeSet:
    """Published codes of mixed levels, each mapped to the atoms (SIC subclasses, ``68IMP``) it covers.

    Build with :func:`parse_code_ranges`.  Containment among published codes: ``a`` is an
    ancestor of ``d`` when ``d``'s atoms are a strict subset of ``a``'s; the parent is the smallest
    such ``a``.  Codes that share atoms without nesting (or cover identical atoms) are
    *overlaps* (:meth:`overlaps`), refused under ``strict=True``.

    Attributes
    ----------
    codes, names, kinds
        Published codes in input order, their names and parsed kinds (``total``, ``section_range``,
        ``letters_range``, ``division_range``, ``imputed_rent``, ``code``).
    atoms
        Labels of the atom axis (leaf codes of the classification, then ``68IMP`` if present).
    matrix
        Boolean ``(n_codes, n_atoms)`` array: ``matrix[i, a]`` iff code ``i`` covers atom ``a``.
    uncovered
        Codes on the division level (or the classification's second level) touched by no published code.
    """

    def __init__(
        self,
        codes: Sequence[str],
        names: Sequence[str],
        kinds: Sequence[str],
        matrix: np.ndarray,
        atoms: Sequence[str],
        classification: Classification,
        *,
        strict: bool = True,
    ) -> None:
        self.codes: tuple[str, ...] = tuple(codes)
        self.names: tuple[str, ...] = tuple(names)
        self.kinds: tuple[str, ...] = tuple(kinds)
        self.atoms: tuple[str, ...] = tuple(atoms)
        self.matrix = np.asarray(matrix, dtype=bool)
        self.classification = classification
        self._index = {c: i for i, c in enumerate(self.codes)}
        self.imputed_rent = IMPUTED_RENT in self.atoms
        m = self.matrix.astype(np.int32)
        self._size = m.sum(axis=1)
        self._inter = m @ m.T
        subset = self._inter == self._size[:, None]  # subset[i, j]: i within j
        self._strict_sub = subset & ~subset.T
        self._equal = subset & subset.T & ~np.eye(len(self.codes), dtype=bool)
        self._overlap = (self._inter > 0) & ~subset & ~subset.T
        sizes = np.where(self._strict_sub, self._size[None, :], np.iinfo(np.int64).max)
        has_parent = self._strict_sub.any(axis=1)
        self._parent = np.where(has_parent, sizes.argmin(axis=1), -1)
        self._children: list[list[int]] = [[] for _ in self.codes]
        for child in np.flatnonzero(has_parent):
            self._children[self._parent[child]].append(int(child))
        division_level = (
            "division"
            if "division" in classification.levels
            else classification.levels[min(1, len(classification.levels) - 1)]
        )
        labels, nodes = self._level_matrix(division_level)
        touched = (nodes.astype(np.int32) @ self.matrix.any(axis=0).astype(np.int32)) > 0
        self.uncovered: tuple[str, ...] = tuple(lab for lab, t in zip(labels, touched, strict=True) if not t)
        if strict:
            problems = self.overlaps()
            if len(problems):
                shown = "; ".join(
                    f"{a} / {b} ({r})" for a, b, r in problems[["code_a", "code_b", "relation"]].head(10).to_numpy()
                )
                raise CodeRangeError(
                    f"{len(problems)} pairs of published codes overlap without nesting: {shown}. "
                    "Pass strict=False to inspect them with overlaps()."
                )

    # ------------------------------------------------------------------ lookup
    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def __repr__(self) -> str:
        return f"MixedCodeSet({len(self.codes)} codes over {self.classification.name}, {len(self.leaves())} leaves)"

    def _i(self, code: str) -> int:
        try:
            return self._index[code]
        except KeyError:
            raise UnknownCodeError(code, f"published codes over {self.classification.name}") from None

    def name_of(self, code: str) -> str:
        """The published name of ``code``."""
        return self.names[self._i(code)]

    def kind_of(self, code: str) -> str:
        """How ``code`` was parsed (``total``, ``section_range``, ``letters_range``, ``division_range``, ...)."""
        return self.kinds[self._i(code)]

    def atoms_of(self, code: str) -> frozenset[str]:
        """Atoms (leaf codes, ``68IMP``) that ``code`` covers."""
        return frozenset(np.asarray(self.atoms, dtype=object)[self.matrix[self._i(code)]])

    def _level_matrix(self, level: str) -> tuple[tuple[str, ...], np.ndarray]:
        """Codes on ``level`` and a boolean ``(n_nodes, n_atoms)`` matrix of their atoms.

        ``68IMP`` belongs to division 68 (and section L); on levels below the division it is a node of its own.
        """
        cls = self.classification
        leaf = cls.levels[-1]
        k = cls.levels.index(level) if level in cls.levels else -1
        if k < 0:
            raise LevelError(f"{cls.name}: unknown level {level!r}; expected one of {cls.levels}")
        mem = cls.membership(leaf, level).reorder_source([a for a in self.atoms if a != IMPUTED_RENT])
        nodes = mem.matrix.toarray() > 0
        labels = mem.target
        if self.imputed_rent:
            extra = np.zeros((len(labels), 1), dtype=bool)
            if "division" in cls.levels and k <= cls.levels.index("division"):
                extra[labels.index(cls.ancestor_at("68", level)), 0] = True
                nodes = np.hstack([nodes, extra])
            else:
                nodes = np.vstack(
                    [np.hstack([nodes, extra]), np.eye(1, nodes.shape[1] + 1, nodes.shape[1], dtype=bool)]
                )
                labels = (*labels, IMPUTED_RENT)
        return labels, nodes

    def covers(self, code: str, level: str = "division", *, whole: bool = False) -> tuple[str, ...]:
        """Codes on ``level`` that ``code`` touches (``whole=False``) or covers entirely (``whole=True``).

        ``covers("C (10-33)")`` is divisions 10..33; ``covers("68")`` with imputed rent published is
        ``("68",)`` but ``covers("68", whole=True)`` is empty (68 lacks the imputed-rent part).
        """
        labels, nodes = self._level_matrix(level)
        row = self.matrix[self._i(code)].astype(np.int32)
        hit = nodes.astype(np.int32) @ row
        mask = hit == nodes.sum(axis=1) if whole else hit > 0
        return tuple(lab for lab, keep in zip(labels, mask & (hit > 0), strict=True) if keep)

    def divisions(self, code: str) -> tuple[str, ...]:
        """SIC divisions that ``code`` covers wholly or partly (see :meth:`covers`)."""
        return self.covers(code, "division")

    def is_partial(self, code: str, level: str = "division") -> bool:
        """Whether ``code`` covers some node of ``level`` only in part (e.g. ``68`` without imputed rent)."""
        return len(self.covers(code, level)) != len(self.covers(code, level, whole=True))

    # ------------------------------------------------------------------ containment tree
    def parent(self, code: str) -> str | None:
        """Smallest published code strictly containing ``code`` (``None`` for a root)."""
        p = self._parent[self._i(code)]
        return None if p < 0 else self.codes[p]

    def ancestors(self, code: str) -> tuple[str, ...]:
        """Published codes strictly containing ``code``, from the parent upwards."""
        out: list[str] = []
        p = self._parent[self._i(code)]
        while p >= 0:
            out.append(self.codes[p])
            p = self._parent[p]
        return tuple(out)

    def children(self, code: str) -> tuple[str, ...]:
        """Published codes whose parent is ``code`` (input order)."""
        return tuple(self.codes[j] for j in self._children[self._i(code)])

    def descendants(self, code: str) -> tuple[str, ...]:
        """Published codes strictly contained in ``code`` (input order)."""
        return tuple(self.codes[j] for j in np.flatnonzero(self._strict_sub[:, self._i(code)]))

    def roots(self) -> tuple[str, ...]:
        """Published codes contained in no other."""
        return tuple(self.codes[j] for j in np.flatnonzero(self._parent < 0))

    def is_ancestor(self, ancestor: str, code: str) -> bool:
        """Whether ``code``'s atoms are a strict subset of ``ancestor``'s."""
        return bool(self._strict_sub[self._i(code), self._i(ancestor)])

    def overlaps(self) -> pd.DataFrame:
        """Pairs of codes that would double count without being nested.

        Columns ``code_a, code_b, relation`` (``overlap``: share atoms, neither contains the other;
        ``identical``: cover exactly the same atoms) and ``shared_divisions``.
        """
        rows = []
        has_div = "division" in self.classification.levels
        labels, nodes = self._level_matrix("division") if has_div else ((), np.zeros((0, len(self.atoms)), dtype=bool))
        for rel, mat in (("overlap", self._overlap), ("identical", self._equal)):
            a, b = np.nonzero(np.triu(mat, 1))
            for i, j in zip(a, b, strict=True):
                shared = (nodes.astype(np.int32) @ (self.matrix[i] & self.matrix[j]).astype(np.int32)) > 0
                divs = [lab for lab, r in zip(labels, shared, strict=True) if r]
                rows.append((self.codes[i], self.codes[j], rel, ",".join(divs)))
        return pd.DataFrame(rows, columns=["code_a", "code_b", "relation", "shared_divisions"])

    # ------------------------------------------------------------------ safe sums
    def nested_pairs(self, codes: Iterable[str]) -> list[tuple[str, str, str]]:
        """Pairs of ``codes`` that share atoms: ``(ancestor, descendant, "ancestor")``,
        ``(a, b, "overlap")``, ``(a, b, "identical")`` or ``(a, a, "duplicate")``."""
        idx = [self._i(c) for c in codes]
        pairs: list[tuple[str, str, str]] = []
        seen: set[int] = set()
        for i in idx:
            if i in seen:
                pairs.append((self.codes[i], self.codes[i], "duplicate"))
            seen.add(i)
        uniq = np.array(sorted(seen), dtype=np.int64)
        if len(uniq) < 2:
            return pairs
        sub = self._inter[np.ix_(uniq, uniq)] > 0
        a, b = np.nonzero(np.triu(sub, 1))
        for i, j in zip(uniq[a], uniq[b], strict=True):
            if self._strict_sub[j, i]:
                pairs.append((self.codes[i], self.codes[j], "ancestor"))
            elif self._strict_sub[i, j]:
                pairs.append((self.codes[j], self.codes[i], "ancestor"))
            elif self._equal[i, j]:
                pairs.append((self.codes[i], self.codes[j], "identical"))
            else:
                pairs.append((self.codes[i], self.codes[j], "overlap"))
        return pairs

    def check_summable(self, codes: Iterable[str]) -> None:
        """Raise :class:`NestedCodesError` if summing ``codes`` would count any atom twice
        (a code with one of its ancestors, two overlapping or identical codes, or a code twice)."""
        pairs = self.nested_pairs(codes)
        if pairs:
            words = {
                "ancestor": "contains",
                "overlap": "overlaps",
                "identical": "is identical to",
                "duplicate": "is listed twice:",
            }
            shown = "; ".join(f"{a!r} {words[r]} {b!r}" for a, b, r in pairs[:10])
            raise NestedCodesError(f"these published codes cannot be summed without double counting: {shown}", pairs)

    # ------------------------------------------------------------------ partitions
    def _partitions(self, i: int) -> bool:
        kids = self._children[i]
        if not kids:
            return False
        covered = self.matrix[kids].sum(axis=0)
        return bool((covered <= 1).all() and np.array_equal(covered > 0, self.matrix[i]))

    def leaves(self) -> tuple[str, ...]:
        """The finest partition of the table by published codes.

        Starting from the roots, a code is replaced by its children whenever the children cover it
        exactly and without overlap; otherwise it is kept.  The result sums to ``Total`` with no atom
        counted twice.
        """
        out: list[int] = []
        stack = list(reversed(np.flatnonzero(self._parent < 0).tolist()))
        while stack:
            i = stack.pop()
            if self._partitions(i):
                stack.extend(reversed(self._children[i]))
            else:
                out.append(i)
        self._check_partition(out, "leaves")
        return tuple(self.codes[i] for i in sorted(out))

    def non_overlapping_cover(self, level: str) -> tuple[str, ...]:
        """The finest published codes that are whole unions of ``level`` nodes and partition the table.

        ``non_overlapping_cover("section")`` on the LAD GVA codes gives ``AB (1-9)``, ``C (10-33)``,
        ``DE (35-39)``, ``F (41-43)``, ``G (45-47)``, ... ``T (97-98)``: sections where published,
        otherwise the smallest published group of whole sections.

        Raises
        ------
        CodeRangeError
            If no such set of codes covers everything the table covers (the uncovered divisions are named).
        """
        _, nodes = self._level_matrix(level)
        hit = self.matrix.astype(np.int32) @ nodes.T.astype(np.int32)  # (codes, nodes)
        full = hit == nodes.sum(axis=1)[None, :]
        candidate = ((hit == 0) | full).all(axis=1) & (hit > 0).any(axis=1)
        cand_idx = np.flatnonzero(candidate)
        # minimal candidates: no other candidate strictly inside
        inner = self._strict_sub[np.ix_(cand_idx, cand_idx)]  # inner[a, b]: a within b
        minimal = cand_idx[~inner.any(axis=0)]
        self._check_partition(minimal.tolist(), f"non_overlapping_cover({level!r})")
        return tuple(self.codes[i] for i in sorted(minimal))

    def _check_partition(self, idx: list[int], what: str) -> None:
        universe = self.matrix.any(axis=0)
        counts = self.matrix[idx].sum(axis=0) if idx else np.zeros(len(self.atoms), dtype=np.int64)
        missing = universe & (counts == 0)
        if (counts > 1).any():
            raise CodeRangeError(f"{what}: the chosen codes overlap; run overlaps() to see the conflicting codes")
        if missing.any():
            atoms = np.asarray(self.atoms, dtype=object)[missing]
            divs = sorted({a if a == IMPUTED_RENT else a[:2] for a in atoms})
            raise CodeRangeError(f"{what}: no published code set partitions the table; uncovered divisions {divs[:20]}")

    # ------------------------------------------------------------------ aggregation
    def membership(
        self,
        from_codes: Sequence[str] | None = None,
        to_codes: Sequence[str] | None = None,
        *,
        require_complete: bool = True,
    ) -> Membership:
        """Membership aggregating published codes ``from_codes`` up to published codes ``to_codes``.

        ``W[t, s] = 1`` iff ``s``'s atoms lie within ``t``'s.  ``from_codes`` defaults to
        :meth:`leaves`, ``to_codes`` to every code.

        Raises
        ------
        NestedCodesError
            If ``from_codes`` would double count (see :meth:`check_summable`).
        CodeRangeError
            If a source straddles a target (shares atoms without lying inside it), or, with
            ``require_complete``, a target is not fully covered by the sources inside it.
        """
        src = list(self.leaves() if from_codes is None else from_codes)
        tgt = list(self.codes if to_codes is None else to_codes)
        self.check_summable(src)
        si = np.array([self._i(c) for c in src], dtype=np.int64)
        ti = np.array([self._i(c) for c in tgt], dtype=np.int64)
        inside = (self._inter[np.ix_(si, ti)] == self._size[si][:, None]).T  # (targets, sources)
        touching = (self._inter[np.ix_(si, ti)] > 0).T
        straddle = touching & ~inside
        if straddle.any():
            t, s = np.nonzero(straddle)
            shown = "; ".join(f"{src[b]!r} straddles {tgt[a]!r}" for a, b in zip(t[:10], s[:10], strict=True))
            raise CodeRangeError(f"sources cannot be assigned whole to targets: {shown}")
        if require_complete:
            covered = inside.astype(np.int32) @ self.matrix[si].astype(np.int32)
            gap = self.matrix[ti] & (covered == 0)
            bad = np.flatnonzero(gap.any(axis=1))
            if len(bad):
                parts = []
                for a in bad[:10]:
                    atoms = np.asarray(self.atoms, dtype=object)[gap[a]]
                    divs = sorted({x if x == IMPUTED_RENT else x[:2] for x in atoms})
                    parts.append(f"{tgt[a]!r} lacks divisions {divs[:10]}")
                raise CodeRangeError(
                    "targets not fully covered by the source codes (pass require_complete=False to allow): "
                    + "; ".join(parts)
                )
        m = sp.csr_matrix(inside.astype(np.float64))
        return Membership(m, tuple(src), tuple(tgt), tuple(self.names[i] for i in ti), "published")

    def to_frame(self) -> pd.DataFrame:
        """One row per published code: ``code, name, kind, parent, depth, divisions, partial, n_atoms``."""
        div = "division" in self.classification.levels
        return pd.DataFrame(
            {
                "code": self.codes,
                "name": self.names,
                "kind": self.kinds,
                "parent": [self.parent(c) or "" for c in self.codes],
                "depth": [len(self.ancestors(c)) for c in self.codes],
                "divisions": [_compact(self.divisions(c)) if div else "" for c in self.codes],
                "partial": [self.is_partial(c) if div else False for c in self.codes],
                "n_atoms": self._size,
            }
        )


def _compact(codes: Sequence[str]) -> str:
    """``("10", "11", "12", "14")`` -> ``"10-12,14"`` (runs of consecutive two-digit numbers)."""
    nums = [int(c) for c in codes if c.isdigit()]
    parts: list[str] = []
    start = prev = None
    for n in nums:
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            parts.append(f"{start:02d}" if start == prev else f"{start:02d}-{prev:02d}")
        start = prev = n
    if start is not None:
        parts.append(f"{start:02d}" if start == prev else f"{start:02d}-{prev:02d}")
    return ",".join(parts)


def parse_code_ranges(
    codes_with_names: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[str] | pd.DataFrame,
    classification: Classification,
    *,
    imputed_rent: bool | None = None,
    strict: bool = True,
) -> MixedCodeSet:
    """Parse published mixed-level codes (see the module docstring for the grammar) into a :class:`MixedCodeSet`.

    Parameters
    ----------
    codes_with_names
        ``{code: name}``, ``(code, name)`` pairs, plain codes, or a frame whose first two columns
        are code and name.  A code given twice must have the same name.
    classification
        The classification the codes refer to (SIC 2007 for the ONS tables).
    imputed_rent
        Whether division 68 is split into market real estate and ``68IMP``; by default, whether
        ``68IMP`` is among the codes.
    strict
        Raise :class:`CodeRangeError` when codes overlap without nesting.

    Raises
    ------
    CodeRangeError
        Naming the code (and its name) that cannot be parsed or covers nothing, and what was expected.
    """
    pairs = _as_pairs(codes_with_names)
    names: dict[str, str] = {}
    for code, name in pairs:
        if code in names and names[code] != name and name and names[code]:
            raise CodeRangeError(f"code {code!r} given twice with different names: {names[code]!r} and {name!r}")
        if not names.get(code):
            names[code] = name
    codes = list(names)
    if imputed_rent is None:
        imputed_rent = any(_IMPUTED.fullmatch(c) for c in codes)
    cls = classification
    leaf = cls.levels[-1]
    leaves = cls.codes(leaf)
    atoms = list(leaves) + ([IMPUTED_RENT] if imputed_rent else [])
    atom_pos = {a: i for i, a in enumerate(atoms)}
    has_sic_levels = "section" in cls.levels and "division" in cls.levels
    divisions = cls.codes("division") if has_sic_levels else ()
    sections = cls.codes("section") if has_sic_levels else ()

    def under(code: str) -> set[str]:
        return {code} if cls.level_of(code) == leaf else set(cls.descendants(code, leaf))

    def div_range(lo: int, hi: int, code: str) -> list[str]:
        if lo > hi:
            raise CodeRangeError(f"published code {code!r}: range {lo}-{hi} runs backwards")
        out = [d for d in divisions if d.isdigit() and lo <= int(d) <= hi]
        if not out:
            raise CodeRangeError(f"published code {code!r}: divisions {lo}-{hi} match no {cls.name} division")
        return out

    def section_range(a: str, b: str, code: str) -> list[str]:
        if a not in sections or b not in sections:
            raise CodeRangeError(f"published code {code!r}: {a!r} or {b!r} is not a {cls.name} section")
        i, j = sections.index(a), sections.index(b)
        if i > j:
            raise CodeRangeError(f"published code {code!r}: section range {a}-{b} runs backwards")
        return list(sections[i : j + 1])

    def with_imputed(secs: Iterable[str]) -> set[str]:
        extra: set[str] = set()
        if imputed_rent and cls.ancestor_at("68", "section") in set(secs):
            extra.add(IMPUTED_RENT)
        return extra

    parsed: dict[str, _Parsed] = {}
    total_codes: list[str] = []
    for code in codes:
        where = f"published code {code!r}" + (f" ({names[code]!r})" if names[code] else "")
        if _TOTAL.fullmatch(code):
            total_codes.append(code)
            continue
        if _IMPUTED.fullmatch(code):
            if not imputed_rent:
                raise CodeRangeError(f"{where}: imputed rent given but imputed_rent=False")
            parsed[code] = _Parsed("imputed_rent", frozenset({IMPUTED_RENT}))
            continue
        m = _LETTERS_PAREN.fullmatch(code) if has_sic_levels else None
        if m:
            t1, t2, lo, hi = m.groups()
            divs = div_range(int(lo), int(hi or lo), code)
            sec_lo = cls.ancestor_at(divs[0], "section")
            if t1[0] != sec_lo:
                raise CodeRangeError(
                    f"{where}: letters {t1!r} do not match the section of division {divs[0]} ({sec_lo}); "
                    "expected the first letter to name that section"
                )
            atoms_set: set[str] = set()
            for d in divs:
                atoms_set |= under(d)
            if len(t1) == 1 and (t2 is None or len(t2) == 1):
                secs = section_range(t1, t2 or t1, code)
                sec_divs = [d for s in secs for d in cls.children(s)]
                if sorted(sec_divs) != sorted(divs):
                    raise CodeRangeError(
                        f"{where}: sections {'-'.join(secs)} cover divisions {_compact(sorted(sec_divs))}, "
                        f"not {_compact(divs)}"
                    )
                atoms_set |= with_imputed(secs)
            parsed[code] = _Parsed("letters_range", frozenset(atoms_set))
            continue
        m = _SECTION_RANGE.fullmatch(code) if has_sic_levels else None
        if m:
            secs = section_range(m.group(1), m.group(2), code)
            atoms_set = set().union(*(under(s) for s in secs)) | with_imputed(secs)
            parsed[code] = _Parsed("section_range", frozenset(atoms_set))
            continue
        m = _DIVISION_RANGE.fullmatch(code) if has_sic_levels else None
        if m:
            divs = div_range(int(m.group(1)), int(m.group(2)), code)
            parsed[code] = _Parsed("division_range", frozenset(set().union(*(under(d) for d in divs))))
            continue
        try:
            canonical = cls.normalise(code)
        except UnknownCodeError as exc:
            raise CodeRangeError(
                f"{where}: not 'Total', '68IMP', a section range (A-E), letters with divisions (C (10-33)), "
                f"a division range (49-51) or a {cls.name} code"
                + (f"; close codes: {', '.join(exc.suggestions)}" if exc.suggestions else "")
            ) from None
        atoms_set = under(canonical)
        if has_sic_levels and cls.level_of(canonical) == "section":
            atoms_set |= with_imputed([canonical])
        parsed[code] = _Parsed("code", frozenset(atoms_set))

    union: set[str] = set().union(*(p.atoms for p in parsed.values())) if parsed else set(atoms)
    for code in total_codes:
        parsed[code] = _Parsed("total", frozenset(union))
    matrix = np.zeros((len(codes), len(atoms)), dtype=bool)
    for i, code in enumerate(codes):
        cols = [atom_pos[a] for a in parsed[code].atoms]
        if not cols:
            raise CodeRangeError(f"published code {code!r} covers nothing")
        matrix[i, cols] = True
    return MixedCodeSet(
        codes, [names[c] for c in codes], [parsed[c].kind for c in codes], matrix, atoms, cls, strict=strict
    )
