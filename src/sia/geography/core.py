"""Areas, levels and the weighted many-to-many membership graph.

A :class:`Geography` holds :class:`Area` objects (code, name, level, vintage) and directed, weighted
``child -> parent`` edges. Whole membership has weight 1; boundary crosswalks use fractions. An area
may have several parents at one level (a district in two LEPs before 2021, a LAD straddling two ITL3s,
a LEP in a user-defined union), so the graph is a DAG rather than a tree.

Aggregation never walks the graph by hand: :meth:`Geography.membership` turns the graph into a
:class:`sia.membership.Membership` (a sparse ``target x source`` weight matrix) that the panel
applies. Transitive memberships are composed level by level with *union* semantics — an area that
reaches a target along several paths counts once, ``w = min(1, sum of path products)`` — which for
whole memberships is set union and for fractional crosswalks whose shares add up to at most 1 is the
plain product (:meth:`sia.membership.Membership.compose`).

Names are resolved exactly (after case-folding and collapsing whitespace) or through an explicit alias
table; nothing is matched fuzzily. Fuzzy matching (``difflib``) is used only to suggest keys in the
message of :class:`UnknownAreaError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sia.membership import Membership

__all__ = [
    "AmbiguousAreaError",
    "Area",
    "Geography",
    "GeographyError",
    "LookupFileError",
    "OtherVintageAreaError",
    "UnknownAreaError",
]

#: conventional order of the built-in levels, finest first (user levels sort after these)
LEVEL_ORDER: tuple[str, ...] = ("LAD", "ITL3", "LEP", "CAUTH", "ITL2", "ITL1", "nation", "country")


class GeographyError(ValueError):
    """An invalid geography operation (bad level, conflicting area definition, cycle)."""


class UnknownAreaError(LookupError):
    """A key matches no area code, name or alias of the geography."""

    def __init__(self, key: str, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.key = key
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:  # LookupError subclasses would otherwise show repr-quoted args
        return str(self.args[0])


class OtherVintageAreaError(UnknownAreaError):
    """A key is a real code or name, but of another vintage or code system than the geography holds."""

    def __init__(self, key: str, message: str, vintages: Sequence[str] = ()) -> None:
        super().__init__(key, message)
        self.vintages = tuple(vintages)


class AmbiguousAreaError(LookupError):
    """A name (or alias) matches several areas; pass ``level=`` or use a code."""

    def __init__(self, key: str, candidates: Sequence[Area]) -> None:
        self.key = key
        self.candidates = tuple(candidates)
        listed = "; ".join(f"{a.code} {a.name!r} ({a.level})" for a in self.candidates)
        super().__init__(
            f"area name {key!r} matches {len(self.candidates)} areas: {listed}. "
            "Pass level=... or use the code."
        )

    def __str__(self) -> str:
        return str(self.args[0])


class LookupFileError(GeographyError):
    """A user lookup file is malformed; the message names the file, line, column and value."""


@dataclass(frozen=True, order=True)
class Area:
    """One area of a geography.

    Parameters
    ----------
    code
        Unique code within the geography (e.g. ``E08000025``, ``TLG3``, ``MIDLANDS_ENGINE``).
    name
        Display name (e.g. ``Birmingham``).
    level
        Level name (``LAD``, ``LEP``, ``CAUTH``, ``ITL3``, ``ITL2``, ``ITL1``, ``nation``, ``country``
        or any user level such as ``custom`` or ``pan-regional``).
    vintage
        Code/boundary vintage (``"2023"`` for LAD23, ``"2021"`` for ITL 2021, ...); ``""`` if none.
    """

    code: str
    name: str
    level: str
    vintage: str = ""


#: an ONS GSS code: entity letter + two-digit entity number + six-digit instance (e.g. ``E37000012``)
_ONS_CODE = re.compile(r"^[A-Z]\d{8}$")


def _listing(areas: Sequence[Area]) -> str:
    return ", ".join(f"{a.code} {a.name!r}" for a in areas)


def _norm(text: str) -> str:
    """Case-fold and collapse whitespace: the only normalisation applied to names (no fuzzy matching)."""
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


@dataclass
class _Foreign:
    """A code or name known to belong to another vintage / code system (for error messages)."""

    code: str
    name: str
    level: str
    vintages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Geography:
    """Areas and a weighted many-to-many ``child -> parent`` membership graph.

    Examples
    --------
    >>> g = Geography()
    >>> _ = g.add_area("A", "District A", "LAD")
    >>> _ = g.add_area("B", "District B", "LAD")
    >>> _ = g.add_area("R", "Region", "region")
    >>> g.add_membership("A", "R"); g.add_membership("B", "R")
    >>> g.members("R", "LAD")
    ('A', 'B')
    """

    def __init__(self) -> None:
        self._areas: dict[str, Area] = {}
        self._edges: dict[tuple[str, str], float] = {}
        self._parents: dict[str, dict[str, float]] = {}
        self._names: dict[str, list[str]] = {}
        self._aliases: dict[str, list[tuple[str, str]]] = {}
        self._foreign_codes: dict[str, _Foreign] = {}
        self._foreign_names: dict[str, list[_Foreign]] = {}
        #: free-text caveats recorded while building (e.g. LAD merges that split a LEP membership)
        self.notes: list[str] = []
        self._adj_cache: tuple[list[str], dict[str, int], sp.csr_matrix] | None = None

    # ------------------------------------------------------------------ building
    def add_area(self, code: str, name: str, level: str, vintage: str = "") -> Area:
        """Add an area (idempotent for an identical definition).

        Raises
        ------
        GeographyError
            If ``code`` already exists with a different name, level or vintage, or is empty.
        """
        code = str(code).strip()
        if not code:
            raise GeographyError(f"area code must not be empty (name {name!r}, level {level!r})")
        if not str(level).strip():
            raise GeographyError(f"area {code!r} needs a level")
        area = Area(code, str(name).strip(), str(level).strip(), str(vintage))
        old = self._areas.get(code)
        if old is not None:
            if old != area:
                raise GeographyError(f"area {code!r} is already defined as {old}, cannot redefine it as {area}")
            return old
        self._areas[code] = area
        self._adj_cache = None
        self._names.setdefault(_norm(area.name), []).append(code)
        self._parents.setdefault(code, {})
        return area

    def add_membership(self, child: str, parent: str, weight: float = 1.0) -> None:
        """Add the edge ``child -> parent`` with ``weight`` (share of the child inside the parent).

        Both areas must exist (given by code, name or alias). Re-adding an edge replaces its weight.

        Raises
        ------
        GeographyError
            If ``weight`` is not in ``(0, 1]``, the edge is a self-loop or would create a cycle.
        """
        c, p = self.resolve(child), self.resolve(parent)
        w = float(weight)
        if not np.isfinite(w) or w <= 0 or w > 1:
            raise GeographyError(f"membership weight of {c} in {p} must be in (0, 1], got {weight!r}")
        if c == p:
            raise GeographyError(f"area {c!r} cannot be a member of itself")
        if c in self._ancestors(p):
            raise GeographyError(f"membership {c} -> {p} would create a cycle ({p} is already inside {c})")
        self._edges[(c, p)] = w
        self._parents[c][p] = w
        self._adj_cache = None

    def add_union(self, code: str, name: str, members: Iterable[str], level: str = "custom", vintage: str = "") -> Area:
        """Define ``code`` as the union of ``members`` (codes, names or aliases of existing areas).

        Every member becomes a child of the union with weight 1. Aggregation to the union through
        :meth:`membership` counts every finer area **once**, even when it reaches the union through
        several members (e.g. a district in two LEPs of the union).
        """
        resolved = [self.resolve(m) for m in members]
        if not resolved:
            raise GeographyError(f"union {code!r} needs at least one member")
        area = self.add_area(code, name, level, vintage)
        for m in dict.fromkeys(resolved):
            self.add_membership(m, area.code)
        return area

    def add_alias(self, alias: str, code: str, rule: str = "") -> None:
        """Register ``alias`` (an alternative code or name) for area ``code``; ``rule`` says why."""
        if code not in self._areas:
            raise UnknownAreaError(code, f"cannot alias {alias!r} to unknown area code {code!r}")
        entries = self._aliases.setdefault(_norm(alias), [])
        if all(c != code for c, _ in entries):
            entries.append((code, rule))

    def add_foreign(self, code: str, name: str, level: str, vintage: str, note: str = "") -> None:
        """Record a code (and its name) of another vintage or code system, so that looking it up
        raises :class:`OtherVintageAreaError` naming that vintage instead of a bare "unknown"."""
        f = self._foreign_codes.get(code)
        if f is None:
            f = self._foreign_codes[code] = _Foreign(code, name, level)
            if name:
                self._foreign_names.setdefault(_norm(name), []).append(f)
        if vintage and vintage not in f.vintages:
            f.vintages.append(vintage)
        if note and note not in f.notes:
            f.notes.append(note)

    # ------------------------------------------------------------------ lookup
    def __contains__(self, code: object) -> bool:
        return code in self._areas

    def __len__(self) -> int:
        return len(self._areas)

    def __repr__(self) -> str:
        counts = ", ".join(f"{lv}: {len(self.areas(lv))}" for lv in self.levels())
        return f"<Geography {len(self._areas)} areas ({counts}), {len(self._edges)} memberships>"

    def area(self, key: str, level: str | None = None) -> Area:
        """Find an area by code, exact name or alias (optionally restricted to ``level``).

        Resolution order: exact code; exact name (case-folded, whitespace collapsed); alias from the
        alias table. No fuzzy matching.

        Raises
        ------
        AmbiguousAreaError
            The name matches several areas (at ``level`` if given).
        OtherVintageAreaError
            The key is a code or name of another vintage / code system (the message names it).
        UnknownAreaError
            Nothing matches; the message names the key and lists close suggestions.
        """
        key_s = str(key).strip()
        if level is not None and level not in self.levels():
            raise GeographyError(f"unknown level {level!r}; levels are {', '.join(self.levels())}")
        a = self._areas.get(key_s)
        if a is not None and (level is None or a.level == level):
            return a
        n = _norm(key_s)
        # exact names and aliases are pooled: a key naming one area and aliasing another is ambiguous
        codes = list(dict.fromkeys(self._names.get(n, []) + [c for c, _ in self._aliases.get(n, [])]))
        found = [self._areas[c] for c in codes]
        if level is not None:
            found = [x for x in found if x.level == level]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AmbiguousAreaError(key_s, found)
        if a is not None:  # the code exists but at another level than asked
            raise UnknownAreaError(key_s, f"area {key_s!r} is {a.name!r} at level {a.level!r}, not at level {level!r}")
        self._raise_unknown(key_s, level)
        raise AssertionError("unreachable")

    def resolve(self, key: str, level: str | None = None) -> str:
        """Return the code of :meth:`area` ``(key, level)``."""
        return self.area(key, level).code

    def _level_label(self, level: str) -> str:
        """``"LEP 2016"``: the level with the vintage(s) its areas carry in this geography."""
        vintages = sorted({a.vintage for a in self._areas.values() if a.level == level and a.vintage})
        return f"{level} {', '.join(vintages)}".strip()

    def _nearest_codes(self, key: str, level: str | None, n: int = 5) -> dict[str, list[Area]]:
        """For an ONS-style code (a letter and eight digits), the ``n`` areas whose codes share its
        three-character entity prefix and are numerically closest, by level (empty for other keys)."""
        if not _ONS_CODE.match(key):
            return {}
        out: dict[str, list[Area]] = {}
        for a in self._areas.values():
            if _ONS_CODE.match(a.code) and a.code[:3] == key[:3] and (level is None or a.level == level):
                out.setdefault(a.level, []).append(a)
        num = int(key[1:])
        return {lv: sorted(sorted(areas, key=lambda a: (abs(int(a.code[1:]) - num), a.code))[:n], key=lambda a: a.code)
                for lv, areas in out.items()}

    def _raise_unknown(self, key: str, level: str | None) -> None:
        foreign = self._foreign_codes.get(key)
        hits = [foreign] if foreign is not None else self._foreign_names.get(_norm(key), [])
        near = self._nearest_codes(key, level)
        if hits:
            parts = []
            vintages: list[str] = []
            for f in hits:
                vintages += f.vintages
                detail = f"{f.code} ({f.name})" if f.name and f.name != f.code else f.code
                vint = ", ".join(f.vintages) if f.vintages else "another vintage"
                note = ("; " + "; ".join(f.notes)) if f.notes else ""
                parts.append(f"{detail} is a {f.level} code of {vint}{note}")
            levels = {f.level for f in hits}
            current = sorted({f"{a.level} {a.vintage}".strip() for a in self._areas.values() if a.level in levels})
            held = f" This geography holds {', '.join(current)}." if current else ""
            # the same-named areas of this geography (e.g. London's LEP code of the vintage held)
            same = [f"{f.name!r} is {c} ({self._level_label(f.level)})" for f in hits if f.name
                    for c in self._names.get(_norm(f.name), []) if self._areas[c].level == f.level]
            if same:
                here = " In this geography " + "; ".join(dict.fromkeys(same)) + "."
            elif near and "LAD" not in levels:  # LAD codes have a re-base path instead (below)
                here = "".join(f" Nearest {self._level_label(lv)} codes: {_listing(areas)}."
                               for lv, areas in near.items())
            else:
                here = ""
            if "LAD" in levels:
                hint = (" Re-base the data (sia.geography.lad_rebase_membership) or build the geography for that "
                        "vintage.")
            elif vintages:
                hint = f" To use this code, build the geography for {', '.join(dict.fromkeys(vintages))}."
            else:
                hint = ""
            message = f"area {key!r} is not in this geography: " + " | ".join(parts) + "." + held + here + hint
            raise OtherVintageAreaError(key, message, vintages)
        if near:
            parts = [f"no {lv} of {self._level_label(lv)} has this code; the nearest are {_listing(areas)}"
                     for lv, areas in near.items()]
            raise UnknownAreaError(key, f"unknown area {key!r}{f' at level {level!r}' if level else ''}: "
                                   + "; ".join(parts) + ".", [a.code for areas in near.values() for a in areas])
        pool = list(self._areas) + [a.name for a in self._areas.values()] + list(self._aliases)
        if level is not None:
            pool = [a.code for a in self.areas(level)] + [a.name for a in self.areas(level)]
        pool = list(dict.fromkeys(pool))
        suggestions = difflib.get_close_matches(key, pool, n=5, cutoff=0.6)
        if not suggestions:
            lowered = {p.casefold(): p for p in pool}
            close = difflib.get_close_matches(key.casefold(), list(lowered), n=5, cutoff=0.6)
            suggestions = [lowered[s] for s in close]
        hint = f" Did you mean: {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        where = f" at level {level!r}" if level else ""
        raise UnknownAreaError(key, f"unknown area {key!r}{where}: no code, name or alias matches.{hint}", suggestions)

    def areas(self, level: str) -> list[Area]:
        """All areas at ``level``, sorted by code."""
        return sorted((a for a in self._areas.values() if a.level == level), key=lambda a: a.code)

    def levels(self) -> tuple[str, ...]:
        """Levels present, built-in levels first (finest to coarsest), then user levels alphabetically."""
        present = {a.level for a in self._areas.values()}
        known = [lv for lv in LEVEL_ORDER if lv in present]
        return tuple(known + sorted(present - set(LEVEL_ORDER)))

    def parents(self, code: str) -> tuple[str, ...]:
        """Codes of the direct parents of ``code`` (any level), sorted."""
        return tuple(sorted(self._parents[self.resolve(code)]))

    def parent_weights(self, code: str) -> dict[str, float]:
        """Direct parents of ``code`` with their edge weights."""
        return dict(sorted(self._parents[self.resolve(code)].items()))

    def children(self, code: str) -> tuple[str, ...]:
        """Codes of the direct children of ``code``, sorted."""
        c = self.resolve(code)
        return tuple(sorted(ch for (ch, p) in self._edges if p == c))

    def _ancestors(self, code: str) -> set[str]:
        seen: set[str] = set()
        stack = [code]
        while stack:
            for p in self._parents.get(stack.pop(), {}):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen

    # ------------------------------------------------------------------ memberships
    def _adjacency(self) -> tuple[list[str], dict[str, int], sp.csr_matrix]:
        if self._adj_cache is not None:
            return self._adj_cache
        codes = list(self._areas)
        index = {c: i for i, c in enumerate(codes)}
        if self._edges:
            pairs = np.array([(index[p], index[c]) for (c, p) in self._edges], dtype=np.int64)
            w = np.fromiter(self._edges.values(), dtype=np.float64, count=len(self._edges))
            adj = sp.csr_matrix((w, (pairs[:, 0], pairs[:, 1])), shape=(len(codes), len(codes)))
        else:
            adj = sp.csr_matrix((len(codes), len(codes)))
        self._adj_cache = (codes, index, adj)
        return self._adj_cache

    def membership(
        self,
        source_level: str,
        target_level: str,
        *,
        targets: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> Membership:
        """Transitive membership matrix from areas at ``source_level`` to areas at ``target_level``.

        ``W[t, s] = min(1, sum over paths s -> ... -> t of the product of edge weights)``, computed as
        repeated sparse products ``M_{k+1} = min(1, A M_k)`` over the adjacency ``A[parent, child]``
        (capped at every step, so an area reaching a target through two parents counts once, as in
        :meth:`Membership.compose` with ``union=True``; fractional crosswalk shares that add up to at
        most 1 are unaffected by the cap and compose as plain products).

        Parameters
        ----------
        targets
            Restrict (and order) the targets: codes, names or aliases at ``target_level``.
        sources
            Fix the source order (codes at ``source_level``); default all areas at that level.
        """
        for lv in (source_level, target_level):
            if lv not in self.levels():
                raise GeographyError(f"unknown level {lv!r}; levels are {', '.join(self.levels())}")
        codes, index, adj = self._adjacency()
        src = [a.code for a in self.areas(source_level)] if sources is None else [
            self.resolve(s, source_level) for s in sources]
        if targets is None:
            tgt = [a.code for a in self.areas(target_level)]
        else:
            tgt = list(dict.fromkeys(self.resolve(t, target_level) for t in targets))
        n = len(codes)
        cols = np.array([index[s] for s in src], dtype=np.int64)
        current = sp.csr_matrix((np.ones(len(src)), (cols, np.arange(len(src)))), shape=(n, len(src)))
        reach = sp.csr_matrix((n, len(src)))
        if source_level == target_level:
            reach = current.copy()
        for _ in range(n + 1):
            current = sp.csr_matrix(adj @ current)
            if current.nnz == 0:
                break
            current.data = np.minimum(current.data, 1.0)
            reach = reach + current
        else:  # pragma: no cover - add_membership refuses cycles
            raise GeographyError("membership graph has a cycle")
        rows = np.array([index[t] for t in tgt], dtype=np.int64)
        m = sp.csr_matrix(reach[rows, :])
        m.data = np.minimum(m.data, 1.0)
        m.eliminate_zeros()
        names = tuple(self._areas[t].name for t in tgt)
        return Membership(m, tuple(src), tuple(tgt), names, target_level)

    def members(self, code: str, level: str) -> tuple[str, ...]:
        """Distinct areas at ``level`` inside ``code`` (transitively), sorted by code."""
        area = self.area(code)
        m = self.membership(level, area.level, targets=[area.code])
        cols = m.matrix.indices[m.matrix.data > 0]
        return tuple(sorted(m.source[i] for i in np.unique(cols)))

    def overlaps(self, level: str | None = None) -> pd.DataFrame:
        """Areas with more than one direct parent at the same parent level.

        Returns a frame with columns ``child_code, child_name, child_level, parent_level,
        parent_codes, parent_names, weights, n_parents`` (codes/names joined by ``"; "``), one row per
        child and parent level, restricted to children at ``level`` if given (or to parents at
        ``level`` when ``level`` is a parent level such as ``"LEP"`` and no child sits at it).
        """
        cols = ["child_code", "child_name", "child_level", "parent_level", "parent_codes",
                "parent_names", "weights", "n_parents"]
        if not self._edges:
            return pd.DataFrame(columns=cols)
        e = pd.DataFrame(
            [(c, p, w) for (c, p), w in self._edges.items()], columns=["child_code", "parent_code", "weight"]
        )
        e["child_level"] = e["child_code"].map(lambda c: self._areas[c].level)
        e["parent_level"] = e["parent_code"].map(lambda c: self._areas[c].level)
        if level is not None:
            if level not in self.levels():
                raise GeographyError(f"unknown level {level!r}; levels are {', '.join(self.levels())}")
            e = e[(e["child_level"] == level) | (e["parent_level"] == level)]
        e = e.sort_values(["child_code", "parent_code"])
        g = e.groupby(["child_code", "child_level", "parent_level"], sort=True)
        n = g["parent_code"].transform("size")
        e = e[n > 1]
        if e.empty:
            return pd.DataFrame(columns=cols)
        e = e.assign(parent_name=e["parent_code"].map(lambda c: self._areas[c].name),
                     weight_s=e["weight"].map(lambda w: f"{w:g}"))
        out = (
            e.groupby(["child_code", "child_level", "parent_level"], sort=True)
            .agg(parent_codes=("parent_code", "; ".join), parent_names=("parent_name", "; ".join),
                 weights=("weight_s", "; ".join), n_parents=("parent_code", "size"))
            .reset_index()
        )
        out["child_name"] = out["child_code"].map(lambda c: self._areas[c].name)
        return out[cols].reset_index(drop=True)

    # ------------------------------------------------------------------ user lookups
    @classmethod
    def from_lookup_csv(
        cls,
        path: str | Path,
        child_code: str,
        parent_code: str,
        child_name: str | None = None,
        parent_name: str | None = None,
        *,
        child_level: str = "LAD",
        parent_level: str = "custom",
        weight: str | None = None,
        vintage: str = "",
        into: Geography | None = None,
    ) -> Geography:
        """Read a ``child -> parent`` lookup CSV (one row per membership) into a geography.

        Parameters
        ----------
        path
            CSV file with a header row.
        child_code, parent_code, child_name, parent_name, weight
            Column names. Names default to the codes; weights default to 1.
        child_level, parent_level
            Levels given to the areas.
        into
            Add to this geography instead of a new one (e.g. ``uk()`` plus a custom grouping).

        Raises
        ------
        LookupFileError
            Missing column, empty code, non-numeric or out-of-range weight, a code given two names,
            or a child-parent pair listed twice: the message names the file, line, column and value.
        """
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"lookup file not found: {path}")
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise LookupFileError(f"{path}: cannot be read as CSV: {exc}") from exc
        wanted = [c for c in (child_code, parent_code, child_name, parent_name, weight) if c]
        missing = [c for c in wanted if c not in df.columns]
        if missing:
            raise LookupFileError(
                f"{path}, line 1 (header): column(s) {missing} not found; the header has {list(df.columns)}"
            )
        lines = np.arange(len(df)) + 2  # header is line 1
        for col in (child_code, parent_code):
            vals = df[col].str.strip()
            bad = np.flatnonzero(vals.eq("").to_numpy())
            if bad.size:
                raise LookupFileError(
                    f"{path}, line {lines[bad[0]]}, column {col!r}: empty code (expected an area code)"
                )
        w = np.ones(len(df))
        if weight:
            num = pd.to_numeric(df[weight].str.strip(), errors="coerce").to_numpy(dtype=np.float64)
            bad = np.flatnonzero(~np.isfinite(num) | (num <= 0) | (num > 1))
            if bad.size:
                i = bad[0]
                raise LookupFileError(
                    f"{path}, line {lines[i]}, column {weight!r}: value {df[weight].iloc[i]!r} "
                    "is not a weight (expected a number in (0, 1])"
                )
            w = num
        dup = df.duplicated([child_code, parent_code]).to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise LookupFileError(
                f"{path}, line {lines[i]}: pair {child_code}={df[child_code].iloc[i]!r}, "
                f"{parent_code}={df[parent_code].iloc[i]!r} is listed twice (expected one row per membership)"
            )
        g = into if into is not None else cls()

        def add(code_col: str, name_col: str | None, level: str) -> None:
            sub = df[[code_col] + ([name_col] if name_col else [])].copy()
            sub["_line"] = lines
            if name_col:
                conflict = sub.groupby(code_col)[name_col].transform("nunique") > 1
                if conflict.any():
                    i = int(np.flatnonzero(conflict.to_numpy())[0])
                    code = sub[code_col].iloc[i]
                    seen = sorted(set(sub.loc[sub[code_col] == code, name_col]))
                    raise LookupFileError(
                        f"{path}, line {sub['_line'].iloc[i]}, column {name_col!r}: code {code!r} has "
                        f"several names {seen} (expected one name per code)"
                    )
            first = sub.drop_duplicates(code_col)
            for code, name, line in zip(
                first[code_col].str.strip(),
                (first[name_col] if name_col else first[code_col]).str.strip(),
                first["_line"],
                strict=True,
            ):
                try:
                    g.add_area(code, name or code, level, vintage)
                except GeographyError as exc:
                    raise LookupFileError(f"{path}, line {line}, column {code_col!r}: {exc}") from exc

        add(child_code, child_name, child_level)
        add(parent_code, parent_name, parent_level)
        for c, p, wt, line in zip(df[child_code].str.strip(), df[parent_code].str.strip(), w, lines, strict=True):
            try:
                g.add_membership(c, p, float(wt))
            except GeographyError as exc:
                raise LookupFileError(f"{path}, line {line}: {exc}") from exc
        return g

