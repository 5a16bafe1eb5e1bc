"""A classification: a tree of codes with names on named levels.

:class:`Classification` holds the tree as flat numpy arrays (parent index, level index and an
``(n_levels, n_codes)`` table of each code's ancestor at every level), so that mapping many codes
up to a level is one fancy-indexing operation and memberships are built without per-cell loops.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sia.classification._errors import LevelError, NestedCodesError, UnknownCodeError
from sia.membership import Membership

# "01000 : DEFRA/Scottish Executive Agricultural Data" -> code "01000", name "DEFRA/..."
_NOMIS_LABEL = re.compile(r"^\s*([0-9A-Za-z.\-]+)\s+:\s+(.*)$")


def strip_code_prefix(label: str) -> str:
    """Remove a NOMIS-style ``"CODE : "`` prefix from a label (``"29 : Manufacture..."`` -> ``"Manufacture..."``)."""
    m = _NOMIS_LABEL.match(label)
    return m.group(2).strip() if m else label.strip()


class Classification:
    """A tree of codes with names and ordered, named levels.

    Parameters
    ----------
    name
        Name of the classification (``"SIC 2007"``), used in error messages.
    levels
        Level names from the top down, e.g. ``("section", "division", "group", "class", "subclass")``.
    nodes
        Frame with columns ``code``, ``name``, ``level`` (one of ``levels``) and ``parent`` (the
        parent's code, empty/None for codes on the top level); optional ``raw_label`` (the label as
        published, e.g. with a NOMIS ``"01000 : "`` prefix).  A parent must sit exactly one level
        above its child.
    normaliser
        Optional function turning a cleaned raw code into the canonical spelling (e.g. SIC's
        ``"30.3" -> "303"``); it may raise ``ValueError`` for malformed input.
    notes
        Free-text notes on how the tree was built (special nodes, excluded codes).
    excluded
        Codes of the source that were deliberately left out of the tree (e.g. a ``"00"`` total),
        kept so that nothing is dropped silently.
    """

    def __init__(
        self,
        name: str,
        levels: Sequence[str],
        nodes: pd.DataFrame,
        *,
        normaliser: Callable[[str], str] | None = None,
        notes: Sequence[str] = (),
        excluded: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.excluded: tuple[str, ...] = tuple(excluded)
        self.levels: tuple[str, ...] = tuple(levels)
        self.notes: tuple[str, ...] = tuple(notes)
        self._normaliser = normaliser
        if len(set(self.levels)) != len(self.levels):
            raise ValueError(f"{name}: level names must be distinct, got {self.levels}")
        missing_cols = {"code", "name", "level", "parent"} - set(nodes.columns)
        if missing_cols:
            raise ValueError(f"{name}: nodes frame lacks columns {sorted(missing_cols)}")
        codes = nodes["code"].astype(str).to_numpy()
        dup = pd.Index(codes)[pd.Index(codes).duplicated()]
        if len(dup):
            raise ValueError(f"{name}: duplicated codes {list(dup[:10])}")
        level_pos = {lev: i for i, lev in enumerate(self.levels)}
        bad_levels = sorted(set(nodes["level"]) - set(level_pos))
        if bad_levels:
            raise ValueError(f"{name}: unknown levels {bad_levels}; expected one of {self.levels}")
        level = nodes["level"].map(level_pos).to_numpy(dtype=np.int64)
        index = {c: i for i, c in enumerate(codes)}
        parents_raw = nodes["parent"].fillna("").astype(str).to_numpy()
        parent = np.array([index.get(p, -2) if p else -1 for p in parents_raw], dtype=np.int64)
        unknown = parent == -2
        if unknown.any():
            bad = [(codes[i], parents_raw[i]) for i in np.flatnonzero(unknown)[:10]]
            raise ValueError(f"{name}: parents not in the tree (code, parent): {bad}")
        has_parent = parent >= 0
        wrong = has_parent & (level[np.where(has_parent, parent, 0)] != level - 1)
        wrong |= (~has_parent) & (level != 0)
        if wrong.any():
            bad = [(codes[i], parents_raw[i]) for i in np.flatnonzero(wrong)[:10]]
            raise ValueError(f"{name}: each parent must be exactly one level up; bad (code, parent): {bad}")

        n_levels = len(self.levels)
        anc = np.full((n_levels, len(codes)), -1, dtype=np.int64)
        cur = np.arange(len(codes))
        for _ in range(n_levels):  # walk up at most depth times, vectorised over all codes
            live = cur >= 0
            anc[level[cur[live]], np.flatnonzero(live)] = cur[live]
            cur = np.where(live, parent[np.where(live, cur, 0)], -1)
        # canonical order: depth-first by the ancestor path, so codes(level) come out in tree order
        path = pd.DataFrame({f"l{k}": np.where(anc[k] >= 0, codes[np.maximum(anc[k], 0)], "") for k in range(n_levels)})
        order = np.lexsort([path[f"l{k}"].to_numpy() for k in reversed(range(n_levels))])
        remap = np.empty_like(order)
        remap[order] = np.arange(len(order))
        self._codes: tuple[str, ...] = tuple(codes[order])
        self._index = {c: i for i, c in enumerate(self._codes)}
        self._level = level[order]
        self._parent = np.where(parent[order] >= 0, remap[np.maximum(parent[order], 0)], -1)
        self._anc = np.where(anc[:, order] >= 0, remap[np.maximum(anc[:, order], 0)], -1)
        self._names: tuple[str, ...] = tuple(nodes["name"].fillna("").astype(str).to_numpy()[order])
        raw = nodes["raw_label"] if "raw_label" in nodes.columns else nodes["name"]
        self._raw: tuple[str, ...] = tuple(raw.fillna("").astype(str).to_numpy()[order])
        self._children: list[list[int]] = [[] for _ in self._codes]
        for child in np.flatnonzero(self._parent >= 0):
            self._children[self._parent[child]].append(int(child))

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._index

    def __repr__(self) -> str:
        counts = ", ".join(f"{lev}={int((self._level == k).sum())}" for k, lev in enumerate(self.levels))
        return f"Classification({self.name!r}: {counts})"

    def _level_pos(self, level: str) -> int:
        try:
            return self.levels.index(level)
        except ValueError:
            raise LevelError(f"{self.name}: unknown level {level!r}; expected one of {self.levels}") from None

    def _idx(self, code: str) -> int:
        i = self._index.get(code)
        if i is None:
            return self._index[self.normalise(code)]
        return i

    def codes(self, level: str | None = None) -> tuple[str, ...]:
        """All codes (tree order), or those on one ``level``."""
        if level is None:
            return self._codes
        k = self._level_pos(level)
        return tuple(self._codes[i] for i in np.flatnonzero(self._level == k))

    def name_of(self, code: str) -> str:
        """Label of ``code`` without any ``"CODE : "`` prefix (``""`` when the source gives no name)."""
        return self._names[self._idx(code)]

    def raw_label_of(self, code: str) -> str:
        """Label of ``code`` exactly as the source published it (e.g. ``"01000 : DEFRA/..."``)."""
        return self._raw[self._idx(code)]

    def level_of(self, code: str) -> str:
        """Name of the level ``code`` sits on."""
        return self.levels[self._level[self._idx(code)]]

    def depth_of(self, code: str) -> int:
        """Position of ``code``'s level in :attr:`levels` (0 = top)."""
        return int(self._level[self._idx(code)])

    def parent(self, code: str) -> str | None:
        """The parent code, or ``None`` on the top level."""
        p = self._parent[self._idx(code)]
        return None if p < 0 else self._codes[p]

    def ancestors(self, code: str) -> tuple[str, ...]:
        """Ancestors from the parent up to the top level."""
        i = self._idx(code)
        col = self._anc[: self._level[i], i]
        return tuple(self._codes[j] for j in col[::-1])

    def children(self, code: str) -> tuple[str, ...]:
        """Direct children (tree order)."""
        return tuple(self._codes[j] for j in self._children[self._idx(code)])

    def descendants(self, code: str, level: str | None = None) -> tuple[str, ...]:
        """All descendants of ``code`` (excluding itself), or those on ``level``.

        ``level`` equal to ``code``'s own level returns ``(code,)``; a level above it raises.
        """
        i = self._idx(code)
        k = int(self._level[i])
        under = self._anc[k] == i
        if level is not None:
            target = self._level_pos(level)
            if target < k:
                raise LevelError(f"{self.name}: level {level!r} is above {code!r} ({self.levels[k]})")
            under &= self._level == target
        else:
            under[i] = False
        return tuple(self._codes[j] for j in np.flatnonzero(under))

    def ancestor_at(self, code: str, level: str) -> str:
        """The ancestor of ``code`` on ``level`` (``code`` itself on its own level).

        Raises
        ------
        LevelError
            If ``level`` is below ``code``'s level.
        """
        i = self._idx(code)
        k = self._level_pos(level)
        j = self._anc[k, i]
        if j < 0:
            raise LevelError(
                f"{self.name}: code {self._codes[i]!r} is a {self.levels[self._level[i]]}, above level {level!r}; "
                "it has no ancestor there"
            )
        return self._codes[j]

    def is_ancestor(self, ancestor: str, code: str) -> bool:
        """Whether ``ancestor`` is a strict ancestor of ``code``."""
        a, c = self._idx(ancestor), self._idx(code)
        k = self._level[a]
        return bool(k < self._level[c] and self._anc[k, c] == a)

    def to_frame(self) -> pd.DataFrame:
        """Nodes as a frame: ``code, name, level, parent, raw_label`` in tree order."""
        return pd.DataFrame(
            {
                "code": self._codes,
                "name": self._names,
                "level": [self.levels[k] for k in self._level],
                "parent": [self._codes[p] if p >= 0 else "" for p in self._parent],
                "raw_label": self._raw,
            }
        )

    # ------------------------------------------------------------------ normalisation
    def normalise(self, raw: object, *, context: str = "") -> str:
        """Canonical spelling of a code.

        Strips blanks and a trailing NOMIS label (``"29 : Manufacture ..."`` -> ``"29"``), then
        applies the classification's own rules (SIC: dots removed, ``"30.3"`` -> ``"303"``).

        Raises
        ------
        UnknownCodeError
            Naming the code, this classification, ``context`` and close existing codes.
        """
        if isinstance(raw, bool) or not isinstance(raw, str | int | np.integer):
            raise UnknownCodeError(raw, self.name, (), (context + ": " if context else "") + "code must be a string")
        s = str(raw).strip()
        if s in self._index:
            return s
        candidate = self.spelling(s)
        if candidate in self._index:
            return candidate
        raise UnknownCodeError(raw, self.name, self.suggest(candidate), context)

    def spelling(self, raw: str) -> str:
        """The canonical spelling of ``raw`` by this classification's rules, without checking it exists.

        Used for prefixes (``"30.3"`` -> ``"303"``) that need not be codes themselves.
        """
        s = raw.strip()
        m = _NOMIS_LABEL.match(s)
        if m:
            s = m.group(1)
        s = s.upper() if s.isalpha() else s
        if self._normaliser is not None:
            try:
                return self._normaliser(s)
            except ValueError:
                return s
        return s

    def suggest(self, code: str, n: int = 5) -> tuple[str, ...]:
        """Existing codes close to ``code``: a leading zero restored, longest existing prefix, close spellings."""
        out: list[str] = []
        digits = re.sub(r"[^0-9A-Za-z\-]", "", code)
        for c in (digits, "0" + digits, digits.upper()):
            if c in self._index and c not in out:
                out.append(c)
        for cut in range(len(digits) - 1, 0, -1):
            if digits[:cut] in self._index:
                out.append(digits[:cut])
                break
        same_len = [c for c in self._codes if len(c) == len(digits)]
        out.extend(c for c in difflib.get_close_matches(digits, same_len, n=n, cutoff=0.6) if c not in out)
        return tuple(out[:n])

    def normalise_many(self, codes: Iterable[object], *, context: str = "") -> list[str]:
        """:meth:`normalise` every code; the first unknown one raises."""
        return [self.normalise(c, context=context) for c in codes]

    # ------------------------------------------------------------------ sums and memberships
    def nested_pairs(self, codes: Iterable[str]) -> list[tuple[str, str, str]]:
        """Pairs in ``codes`` that a sum would double count: ``(ancestor, descendant, "ancestor")`` and
        ``(code, code, "duplicate")`` for a code listed twice (after normalisation)."""
        norm = [self.normalise(c) for c in codes]
        idx = np.array([self._index[c] for c in norm], dtype=np.int64)
        pairs: list[tuple[str, str, str]] = []
        uniq, counts = np.unique(idx, return_counts=True)
        pairs.extend((self._codes[i], self._codes[i], "duplicate") for i in uniq[counts > 1])
        listed = np.zeros(len(self._codes), dtype=bool)
        listed[idx] = True
        for k in range(len(self.levels)):
            anc = self._anc[k, uniq]
            hit = (anc >= 0) & (anc != uniq) & listed[np.maximum(anc, 0)]
            pairs.extend((self._codes[a], self._codes[d], "ancestor") for a, d in zip(anc[hit], uniq[hit], strict=True))
        return pairs

    def check_summable(self, codes: Iterable[str]) -> None:
        """Raise :class:`NestedCodesError` if ``codes`` holds a code together with one of its ancestors.

        Summing such a list would add a total to its own parts.
        """
        pairs = self.nested_pairs(codes)
        if pairs:
            shown = "; ".join(f"{a} contains {d}" if r == "ancestor" else f"{a} listed twice" for a, d, r in pairs[:10])
            raise NestedCodesError(
                f"{self.name}: these codes cannot be summed without double counting ({len(pairs)} pairs): {shown}",
                pairs,
            )

    def membership(self, source_level: str, target_level: str) -> Membership:
        """Membership of every code on ``source_level`` in its ancestor on ``target_level``.

        ``W[t, s] = 1`` iff ``t`` is the ancestor of ``s`` on ``target_level`` (each column has exactly one 1).
        """
        ks, kt = self._level_pos(source_level), self._level_pos(target_level)
        if ks < kt:
            raise LevelError(
                f"{self.name}: source level {source_level!r} is above target level {target_level!r}; "
                "memberships only aggregate upwards"
            )
        src = np.flatnonzero(self._level == ks)
        tgt = np.flatnonzero(self._level == kt)
        return self._membership(src, tuple(self._codes[i] for i in src), tgt, target_level)

    def _membership(self, src: np.ndarray, labels: tuple[str, ...], tgt: np.ndarray, level: str) -> Membership:
        kt = self._level_pos(level)
        pos = np.full(len(self._codes), -1, dtype=np.int64)
        pos[tgt] = np.arange(len(tgt))
        rows = pos[self._anc[kt, src]]
        ok = rows >= 0
        m = sp.csr_matrix(
            (np.ones(int(ok.sum())), (rows[ok], np.flatnonzero(ok))), shape=(len(tgt), len(src)), dtype=np.float64
        )
        return Membership(
            m,
            labels,
            tuple(self._codes[i] for i in tgt),
            tuple(self._names[i] for i in tgt),
            level,
        )

    def membership_for(self, codes: Sequence[str], target_level: str, *, check_summable: bool = True) -> Membership:
        """Membership mapping arbitrary codes of mixed levels up to ``target_level``.

        The membership's source labels are the codes **as given** (so they match the axis of the
        data being aggregated); targets are all codes on ``target_level`` in tree order.

        Raises
        ------
        UnknownCodeError
            For a code not in the classification.
        LevelError
            For a code above ``target_level`` (it cannot be mapped up to a finer level).
        NestedCodesError
            If ``check_summable`` and the list holds a code with one of its ancestors (or twice).
        """
        kt = self._level_pos(target_level)
        labels = tuple(str(c) for c in codes)
        dup = pd.Index(labels)[pd.Index(labels).duplicated()]
        if len(dup):
            raise NestedCodesError(
                f"{self.name}: codes listed twice: {list(dup[:10])}", [(d, d, "duplicate") for d in dup]
            )
        norm = self.normalise_many(labels)
        idx = np.array([self._index[c] for c in norm], dtype=np.int64)
        above = self._level[idx] < kt
        if above.any():
            bad = [f"{labels[i]} ({self.levels[self._level[idx[i]]]})" for i in np.flatnonzero(above)[:10]]
            raise LevelError(
                f"{self.name}: {int(above.sum())} codes sit above the target level {target_level!r} and cannot be "
                f"mapped down to it: {', '.join(bad)}"
            )
        if check_summable:
            self.check_summable(norm)
        return self._membership(idx, labels, np.flatnonzero(self._level == kt), target_level)
