"""Re-basing data between LAD code vintages.

A vintage change is a crosswalk ``old -> new``. When several old districts map to one new district
(a **merge**, e.g. Bournemouth + Poole + Christchurch -> BCP in 2019) the new value is the plain sum,
weight 1 each. When one old district maps to several new ones (a **split**: going backwards over a
merge, or a boundary change) its value must be shared out, and no share can be inferred from the
lookup itself: the user supplies the weights, or a measure whose shares among the receiving districts
define them (``w(old -> new) = measure[new] / sum of measure over the new districts of old``).

The rebase of values ``x`` (rows = old codes) is ``y = W x`` with ``W[new, old]`` these weights, i.e.
a :class:`sia.membership.Membership` applied along the area axis. Each old code's weights sum to 1,
so totals are preserved exactly.

Supported vintage pairs (from the shared ONS lookups): ``2011 <-> 2021`` (``lad11_lad21_lookup_ew.csv``,
England and Wales), ``2021 <-> 2023`` (the ``LAU121`` columns of the LAD23 -> ITL lookup: the April 2023
merges of Cumbria, North Yorkshire and Somerset) and ``2011 <-> 2023`` (composed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sia.geography.core import OtherVintageAreaError
from sia.geography.uk import ITL_LOOKUP, find_shared_data

__all__ = ["SplitWeightsError", "crosswalk_membership", "lad_rebase_membership", "rebase"]

SplitWeights = Mapping[str, Mapping[str, float]] | Mapping[tuple[str, str], float]
PAIRS = {("2011", "2021"), ("2021", "2011"), ("2021", "2023"), ("2023", "2021"), ("2011", "2023"), ("2023", "2011")}


class SplitWeightsError(ValueError):
    """A split (one old code -> several new codes) has no, incomplete or invalid weights."""


def _weights_dict(split_weights: SplitWeights | None) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for k, v in (split_weights or {}).items():
        if isinstance(k, tuple):
            out[(str(k[0]), str(k[1]))] = float(v)  # type: ignore[arg-type]
        else:
            for new, w in v.items():  # type: ignore[union-attr]
                out[(str(k), str(new))] = float(w)
    return out


def crosswalk_membership(
    pairs: Sequence[tuple[str, str]] | pd.DataFrame,
    *,
    split_weights: SplitWeights | None = None,
    measure: pd.Series | None = None,
    target_level: str = "LAD",
    tol: float = 1e-9,
):
    """Membership ``old -> new`` from crosswalk pairs: merges weight 1, splits weighted.

    Parameters
    ----------
    pairs
        ``(old, new)`` pairs, or a two-column frame (old, new).
    split_weights
        ``{old: {new: w}}`` or ``{(old, new): w}`` for every split; each old code's weights must be
        non-negative and sum to 1 (within ``tol``).
    measure
        Series indexed by new codes (e.g. population of the new districts); a split without explicit
        weights shares the old value in proportion to it.

    Raises
    ------
    SplitWeightsError
        A split has neither weights nor a measure (the message lists the split codes), weights that do
        not cover exactly the split's targets or do not sum to 1, or a measure that is missing or zero.
    """
    from sia.membership import Membership

    if isinstance(pairs, pd.DataFrame):
        pairs = list(pairs.iloc[:, :2].astype(str).itertuples(index=False, name=None))
    df = pd.DataFrame(list(pairs), columns=["old", "new"]).drop_duplicates()
    n_new = df.groupby("old")["new"].transform("size")
    df["w"] = np.where(n_new == 1, 1.0, np.nan)
    splits = df[n_new > 1]
    given = _weights_dict(split_weights)
    if not splits.empty:
        keys = list(zip(splits["old"], splits["new"], strict=True))
        has_w = splits["old"].isin({o for o, _ in given})
        w = np.array([given.get(k, np.nan) for k in keys])
        if measure is not None:
            m = pd.Series(measure, dtype=np.float64)
            mv = splits["new"].map(m).to_numpy(dtype=np.float64)
            share_den = pd.Series(mv).groupby(splits["old"].to_numpy()).transform("sum").to_numpy()
            from_measure = mv / np.where(share_den > 0, share_den, np.nan)
            bad = ~has_w.to_numpy() & ~np.isfinite(from_measure)
            if bad.any():
                olds = sorted(set(splits["old"].to_numpy()[bad]))
                raise SplitWeightsError(
                    f"measure {getattr(measure, 'name', None)!r} is missing or zero for the new codes of split(s) "
                    f"{olds} (needed: {sorted(set(splits['new'].to_numpy()[bad]))})"
                )
            w = np.where(has_w.to_numpy(), w, from_measure)
        missing = splits["old"].to_numpy()[~np.isfinite(w)]
        if missing.size:
            detail = "; ".join(
                f"{o} -> {', '.join(splits.loc[splits['old'] == o, 'new'])}" for o in sorted(set(missing))
            )
            raise SplitWeightsError(
                f"{len(set(missing))} code(s) split into several new codes and need weights: {detail}. "
                "Pass split_weights={old: {new: share}} or measure=<Series indexed by the new codes>."
            )
        if (w < 0).any():
            raise SplitWeightsError("split weights must be non-negative")
        sums = pd.Series(w).groupby(splits["old"].to_numpy()).sum()
        off = sums[(sums - 1).abs() > tol]
        if not off.empty:
            raise SplitWeightsError(f"split weights of {off.index[0]} sum to {off.iloc[0]:.12g}, expected 1")
        df.loc[splits.index, "w"] = w
    extra = sorted(set(given) - set(zip(df["old"], df["new"], strict=True)))
    if extra:
        raise SplitWeightsError(f"split_weights name pairs that are not in the crosswalk: {extra[:5]}")
    source = tuple(sorted(df["old"].unique()))
    df = df[df["w"] > 0]
    target = tuple(sorted(df["new"].unique()))
    s_idx = {s: i for i, s in enumerate(source)}
    t_idx = {t: i for i, t in enumerate(target)}
    mat = sp.csr_matrix(
        (df["w"].to_numpy(), (df["new"].map(t_idx).to_numpy(), df["old"].map(s_idx).to_numpy())),
        shape=(len(target), len(source)),
    )
    return Membership(mat, source, target, (), target_level)


def _vintage_pairs(root: Path, a: str, b: str) -> list[tuple[str, str]]:
    geo = root / "geography"
    if {a, b} == {"2011", "2021"}:
        df = pd.read_csv(geo / "lad11_lad21_lookup_ew.csv", dtype=str, encoding="utf-8-sig")
        p = list(zip(df["LAD11CD"], df["LAD21CD"], strict=True))
    elif {a, b} == {"2021", "2023"}:
        itl = pd.read_csv(geo / ITL_LOOKUP, dtype=str)
        vint = pd.read_csv(geo / "lad_codes_vintages_dfe.csv", dtype=str, keep_default_na=False)
        new_2023 = set(vint.loc[vint["date_of_introduction"].eq("2023-04-01"), "lad_code"])
        old = np.where(itl["LAD23CD"].isin(new_2023), itl["LAU121CD"], itl["LAD23CD"])
        p = sorted(set(zip(old, itl["LAD23CD"], strict=True)))
    else:  # pragma: no cover - guarded by PAIRS
        raise ValueError(f"no lookup between LAD {a} and LAD {b}")
    return p if (a, b) in {("2011", "2021"), ("2021", "2023")} else [(n, o) for o, n in p]


def lad_rebase_membership(
    from_vintage: str = "2011",
    to_vintage: str = "2021",
    split_weights: SplitWeights | None = None,
    *,
    measure: pd.Series | None = None,
    data_dir: str | Path | None = None,
):
    """Membership that re-bases LAD-keyed values from ``from_vintage`` codes to ``to_vintage`` codes.

    ``2011 -> 2021`` and ``2021 -> 2023`` are merges only (weights 1; new value = sum of the old);
    the reverse directions are splits and need ``split_weights`` or ``measure`` (see
    :func:`crosswalk_membership`). ``2011 <-> 2023`` composes the two steps (plain products).
    Scotland and Northern Ireland are not in the 2011 -> 2021 lookup (England and Wales only).
    """
    from_vintage, to_vintage = str(from_vintage), str(to_vintage)
    if (from_vintage, to_vintage) not in PAIRS:
        raise ValueError(
            f"no LAD lookup from {from_vintage!r} to {to_vintage!r}; supported: "
            + ", ".join(f"{a}->{b}" for a, b in sorted(PAIRS))
        )
    root = find_shared_data(data_dir)
    if {from_vintage, to_vintage} == {"2011", "2023"}:
        first, second = (("2011", "2021"), ("2021", "2023")) if from_vintage == "2011" else (
            ("2023", "2021"), ("2021", "2011"))
        m1 = crosswalk_membership(_vintage_pairs(root, *first), split_weights=split_weights, measure=measure)
        m2 = crosswalk_membership(_vintage_pairs(root, *second), split_weights=split_weights, measure=measure)
        return m1.compose(m2, union=False)
    return crosswalk_membership(_vintage_pairs(root, from_vintage, to_vintage), split_weights=split_weights,
                                measure=measure)


def rebase(
    values: pd.DataFrame | pd.Series,
    from_vintage: str,
    to_vintage: str,
    *,
    split_weights: SplitWeights | None = None,
    measure: pd.Series | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame | pd.Series:
    """Re-base values indexed by LAD codes of ``from_vintage`` onto ``to_vintage`` codes.

    ``y = W x`` with ``W`` from :func:`lad_rebase_membership`; merges sum, splits share by the given
    weights. The result is indexed by the new codes that receive at least one value. A NaN in ``x``
    makes NaN only the new districts it contributes to.

    Raises
    ------
    OtherVintageAreaError
        An index code is not a LAD code of ``from_vintage``; the message names the code and the
        vintage(s) it does belong to (e.g. ``E06000063 ... is a LAD code of LAD 2023``).
    """
    m = lad_rebase_membership(from_vintage, to_vintage, split_weights, measure=measure, data_dir=data_dir)
    codes = [str(c) for c in values.index]
    if len(set(codes)) != len(codes):
        dup = pd.Index(codes)[pd.Index(codes).duplicated()][0]
        raise ValueError(f"rebase: LAD code {dup!r} appears more than once in the index")
    known = set(m.source)
    unknown = [c for c in codes if c not in known]
    if unknown:
        from sia.geography.uk import uk

        geo = uk(lad_vintage="2023" if from_vintage != "2023" else "2021", data_dir=data_dir)
        c = unknown[0]
        where = f"a LAD code of LAD {geo.area(c).vintage}" if c in geo else None
        if where is None:
            try:
                geo.area(c)
            except OtherVintageAreaError as exc:
                where = str(exc).split(" is not in this geography: ")[-1].split(" This geography")[0]
            except LookupError:
                where = "not a known LAD code of any vintage held"
        raise OtherVintageAreaError(
            c, f"rebase from LAD {from_vintage}: {len(unknown)} code(s) are not LAD {from_vintage} codes, "
               f"e.g. {c!r}: {where}", [])
    sub = m.reorder_source(codes)
    x = values.to_numpy(dtype=np.float64)
    y = sub.matrix @ (x if x.ndim == 2 else x[:, None])
    keep = np.asarray(sub.matrix.sum(axis=1)).ravel() > 0
    index = pd.Index(np.array(sub.target)[keep], name=values.index.name)
    if isinstance(values, pd.Series):
        return pd.Series(np.asarray(y)[keep, 0], index=index, name=values.name)
    return pd.DataFrame(np.asarray(y)[keep], index=index, columns=values.columns)
