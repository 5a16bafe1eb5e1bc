"""Registry adapters for specialisation, concentration, diversity and dynamics metrics.

Each adapter takes a :class:`~sia.compute.registry.ComputeRequest`, pulls the
``year x area x activity`` cube out of the panel, calls the array functions of
:mod:`sia.metrics` and returns a tidy frame with fixed column names:

- cell metrics: ``area, activity, year, <metric columns>``
- area metrics: ``area, year, <metric columns>``
- activity metrics: ``activity, year, <metric columns>``
- change metrics (growth, entry-exit, shift-share): ``area, activity, base_year, year, ...``

Conventions of this layer (documented once here):

- Missing and suppressed cells (NaN values) count as 0; how many there were goes into
  ``frame.attrs["notes"]`` (the CLI prints the notes).
- The reference: ``request.reference`` is a panel whose **total over its areas** gives the
  reference values by activity (a one-area GB panel, or the 40 ITL2 areas that make up GB).
  Every activity of the input must be in the reference and every year requested must be in it.
  Without a reference the input's own total over its areas is the reference. To use one area
  of the input as the reference, split it off first with :func:`split_reference_area`.
- ``request.years``: ``None`` is every year of the panel; change metrics need at least two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sia.compute.params import ComputeError, Params
from sia.compute.registry import ComputeRequest, register
from sia.metrics import concentration as conc
from sia.metrics import diversity as div
from sia.metrics import dynamics as dyn
from sia.metrics import specialisation as spec
from sia.panel import Panel


# ---------------------------------------------------------------------------- helpers
@dataclass
class Prepared:
    cube: np.ndarray  # (years, areas, activities), NaN -> 0
    ref: np.ndarray | None  # (years, activities) or None
    years: tuple[int, ...]
    areas: tuple[str, ...]
    activities: tuple[str, ...]
    notes: list[str]


def _select_years(panel: Panel, years: Sequence[int] | None, metric: str, min_years: int = 1) -> tuple[int, ...]:
    available = panel.years
    if years is None:
        chosen = available
    else:
        missing = [y for y in years if y not in available]
        if missing:
            raise ComputeError(f"{metric}: year(s) {missing} not in the input (it has {list(available)})")
        chosen = tuple(sorted(set(int(y) for y in years)))
    if len(chosen) < min_years:
        raise ComputeError(f"{metric}: needs at least {min_years} years, got {list(chosen)}")
    return tuple(chosen)


def _cube(panel: Panel, years: Sequence[int], what: str) -> tuple[np.ndarray, int]:
    if panel.extra_dims:
        raise ComputeError(
            f"{what} has extra dimension(s) {list(panel.extra_dims)}; select one value of each before computing"
        )
    cube = panel.data["value"].sel(year=list(years)).transpose("year", "area", "activity").values.astype(np.float64)
    n_nan = int(np.isnan(cube).sum())
    if (cube < 0).any():
        bad = np.argwhere(cube < 0)[0]
        raise ComputeError(
            f"{what}: negative value {cube[tuple(bad)]} at area {panel.areas[bad[1]]!r}, "
            f"activity {panel.activities[bad[2]]!r}, year {years[bad[0]]}; these metrics expect non-negative counts"
        )
    return np.nan_to_num(cube, nan=0.0), n_nan


def reference_vector(reference: Panel, years: Sequence[int], activities: Sequence[str]) -> tuple[np.ndarray, int]:
    """Reference values ``(years, activities)`` (the reference panel's total over its areas) and
    the number of missing/suppressed reference cells counted as 0."""
    missing_years = [y for y in years if y not in reference.years]
    if missing_years:
        raise ComputeError(f"reference has no data for year(s) {missing_years} (it has {list(reference.years)})")
    ref_acts = set(reference.activities)
    missing = [a for a in activities if a not in ref_acts]
    if missing:
        raise ComputeError(
            f"{len(missing)} activit{'y' if len(missing) == 1 else 'ies'} of the input not in the reference, "
            f"e.g. {missing[:5]}; the reference must cover the input's activities"
        )
    sub = reference.data["value"].sel(year=list(years), activity=list(activities))
    values = sub.transpose("year", "area", "activity").values
    return np.nan_to_num(values, nan=0.0).sum(axis=1), int(np.isnan(values).sum())


def split_reference_area(panel: Panel, area: str) -> tuple[Panel, Panel]:
    """Use one area of ``panel`` as the reference: returns ``(panel without it, one-area reference panel)``.

    ``area`` matches an area code, or else an area name (case-insensitive) if exactly one area has it.
    The reference area is removed from the areas analysed (its LQ would be 1 everywhere and it
    would otherwise be counted inside its own reference).
    """
    codes = panel.areas
    if area in codes:
        code = area
    else:
        names = panel.data["area_name"].values if "area_name" in panel.data.coords else np.array([""] * len(codes))
        hits = [c for c, n in zip(codes, names, strict=True) if str(n).strip().lower() == area.strip().lower()]
        if len(hits) != 1:
            raise ComputeError(
                f"reference {area!r} is neither a file nor {'a unique' if hits else 'an'} area code/name of the input "
                f"(areas include {list(codes[:5])})"
            )
        code = hits[0]
    rest = [c for c in codes if c != code]
    if not rest:
        raise ComputeError(f"reference area {code!r} is the only area of the input")
    return panel.sel(area=rest), panel.sel(area=[code])


def prepare(req: ComputeRequest, metric: str, min_years: int = 1, uses_reference: bool = True) -> Prepared:
    years = _select_years(req.panel, req.years, metric, min_years)
    cube, n_nan = _cube(req.panel, years, "input")
    notes = []
    if n_nan:
        notes.append(f"{n_nan} missing or suppressed cell(s) of the input counted as 0")
    ref = None
    if not uses_reference:
        if req.reference is not None:
            notes.append(f"{metric} does not use a reference; the reference given was ignored")
    elif req.reference is not None:
        ref, ref_nan = reference_vector(req.reference, years, req.panel.activities)
        notes.append(f"reference: total of {len(req.reference.areas)} area(s) of the reference panel")
        if ref_nan:
            notes.append(f"{ref_nan} missing or suppressed cell(s) of the reference counted as 0")
    else:
        notes.append(f"reference: total of the {len(req.panel.areas)} input areas")
    return Prepared(cube, ref, years, req.panel.areas, req.panel.activities, notes)


def _cell_frame(p: Prepared, years: Sequence[int], columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    ny, na, nc = len(years), len(p.areas), len(p.activities)
    df = pd.DataFrame({
        "area": np.tile(np.repeat(np.asarray(p.areas, dtype=object), nc), ny),
        "activity": np.tile(np.asarray(p.activities, dtype=object), ny * na),
        "year": np.repeat(np.asarray(years, dtype=np.int64), na * nc),
    })
    for name, arr in columns.items():
        df[name] = np.asarray(arr).reshape(-1)
    df.attrs["notes"] = list(p.notes)
    return df


def _axis_frame(p: Prepared, years: Sequence[int], key: str, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    labels = p.areas if key == "area" else p.activities
    n = len(labels)
    df = pd.DataFrame({
        key: np.tile(np.asarray(labels, dtype=object), len(years)),
        "year": np.repeat(np.asarray(years, dtype=np.int64), n),
    })
    for name, arr in columns.items():
        df[name] = np.asarray(arr).reshape(-1)
    df.attrs["notes"] = list(p.notes)
    return df


def _threshold(params: Params) -> float:
    return params.float("threshold", 1.0)


# ---------------------------------------------------------------------------- specialisation
@register("lq", "LQ[r,c] = (X[r,c]/X[r,.]) / (X[.,c]/X[.,.])", family="specialisation")
def compute_lq(req: ComputeRequest) -> pd.DataFrame:
    Params("lq", req.params, [])
    p = prepare(req, "lq")
    return _cell_frame(p, p.years, {"lq": spec.location_quotient(p.cube, p.ref)})


@register("rca-binary", "M[r,c] = 1 if LQ[r,c] >= threshold (default 1) else 0",
          params={"threshold": "RCA cut-off, ties present (default 1)"}, family="specialisation")
def compute_rca_binary(req: ComputeRequest) -> pd.DataFrame:
    pr = Params("rca-binary", req.params, ["threshold"])
    p = prepare(req, "rca-binary")
    m = spec.binary_presence(spec.location_quotient(p.cube, p.ref), _threshold(pr))
    return _cell_frame(p, p.years, {"rca_binary": m})


@register("rca-symmetric", "SRCA[r,c] = (LQ[r,c] - 1) / (LQ[r,c] + 1)", family="specialisation")
def compute_srca(req: ComputeRequest) -> pd.DataFrame:
    Params("rca-symmetric", req.params, [])
    p = prepare(req, "rca-symmetric")
    return _cell_frame(p, p.years, {"rca_symmetric": spec.symmetric_rca(spec.location_quotient(p.cube, p.ref))})


@register(
    "lq-ci",
    "exp(ln LQ +- z sqrt(1/x[r,c] - 1/x[r,.] + 1/x[.,c] - 1/x[.,.])); significant = lq_low > 1",
    params={"level": "confidence level (default 0.95)", "design": "moineddin (default) | nested"},
    family="specialisation",
)
def compute_lq_ci(req: ComputeRequest) -> pd.DataFrame:
    pr = Params("lq-ci", req.params, ["level", "design"])
    level = pr.float("level", 0.95)
    if not 0 < level < 1:
        raise ComputeError(f"lq-ci: --param level={level}; expected a number in (0, 1)")
    design = pr.str("design", "moineddin", ["moineddin", "nested"])
    p = prepare(req, "lq-ci")
    ci = spec.lq_confidence_interval(p.cube, p.ref, level=level, design=design)  # type: ignore[arg-type]
    return _cell_frame(p, p.years, {"lq": ci.lq, "lq_low": ci.lq_low, "lq_high": ci.lq_high,
                                    "significant": ci.significant})


# ---------------------------------------------------------------------------- area indices
def _area_metric(name: str, column: str, func: Callable[[Prepared, Params], np.ndarray],
                 allowed: Sequence[str] = (), uses_reference: bool = True) -> Callable[[ComputeRequest], pd.DataFrame]:
    def run(req: ComputeRequest) -> pd.DataFrame:
        pr = Params(name, req.params, allowed)
        p = prepare(req, name, uses_reference=uses_reference)
        return _axis_frame(p, p.years, "area", {column: func(p, pr)})

    return run


def _entropy_base(pr: Params) -> str:
    b = pr.str("base", "2", ["2", "e", "bits", "nats"])
    return "bits" if b in ("2", "bits") else "nats"


register("krugman", "K[r] = sum_c |s[r,c] - s[c]|", family="concentration")(
    _area_metric("krugman", "krugman_index", lambda p, _: conc.krugman_index(p.cube, p.ref)))
register("hoover-coefficient", "HC[r] = 1/2 sum_c |s[r,c] - s[c]|", family="concentration")(
    _area_metric("hoover-coefficient", "hoover_coefficient", lambda p, _: conc.hoover_coefficient(p.cube, p.ref)))
register("herfindahl", "H[r] = sum_c s[r,c]^2", family="concentration")(
    _area_metric("herfindahl", "herfindahl", lambda p, _: conc.herfindahl(p.cube), uses_reference=False))
register("entropy", "E[r] = -sum_c s[r,c] log s[r,c] (base 2 or e)", params={"base": "2 (default) | e"},
         family="concentration")(
    _area_metric("entropy", "entropy", lambda p, pr: conc.entropy(p.cube, _entropy_base(pr)), ["base"],
                 uses_reference=False))
register("hachman", "HI[r] = 1 / sum_c s[r,c] LQ[r,c]", family="concentration")(
    _area_metric("hachman", "hachman", lambda p, _: conc.hachman(p.cube, p.ref)))
register("lq-avg", "LQavg[r] = sum_c s[r,c] LQ[r,c]", family="concentration")(
    _area_metric("lq-avg", "lq_avg", lambda p, _: conc.lq_average(p.cube, p.ref)))
register("diversity", "k[r,0] = sum_c M[r,c], M = 1{LQ >= threshold}", params={"threshold": "default 1"},
         family="diversity")(
    _area_metric("diversity", "diversity",
                 lambda p, pr: div.diversity(spec.binary_presence(spec.location_quotient(p.cube, p.ref),
                                                                  _threshold(pr))), ["threshold"]))


# ---------------------------------------------------------------------------- activity indices
def _activity_metric(name: str, column: str, func: Callable[[Prepared, Params], np.ndarray],
                     allowed: Sequence[str] = (), uses_reference: bool = True
                     ) -> Callable[[ComputeRequest], pd.DataFrame]:
    def run(req: ComputeRequest) -> pd.DataFrame:
        pr = Params(name, req.params, allowed)
        p = prepare(req, name, uses_reference=uses_reference)
        return _axis_frame(p, p.years, "activity", {column: func(p, pr)})

    return run


def _read_key_file(path: str, key: str, value: str, metric: str) -> pd.Series:
    file = Path(path)
    if not file.exists():
        raise ComputeError(f"{metric}: file {path} does not exist")
    df = pd.read_csv(file, dtype=str, keep_default_na=False)
    absent = [c for c in (key, value) if c not in df.columns]
    if absent:
        raise ComputeError(
            f"{file}: missing column(s) {absent}; expected columns {key}, {value} (has {list(df.columns)})"
        )
    dup = df[key].duplicated(keep=False)
    if dup.any():
        line = int(np.flatnonzero(dup.to_numpy())[1]) + 2
        raise ComputeError(f"{file}: line {line}, column {key!r}: value {df[key][dup].iloc[0]!r} appears twice")
    return df.set_index(key)[value]


def _population(p: Prepared, pr: Params) -> np.ndarray | None:
    path = pr.raw.get("population")
    if path is None:
        return None
    s = _read_key_file(path, "area", "population", "hoover-index")
    missing = [a for a in p.areas if a not in s.index]
    if missing:
        raise ComputeError(f"{path}: no population for {len(missing)} area(s) of the input, e.g. {missing[:5]}")
    raw = s.reindex(list(p.areas))
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        first = raw[bad].index[0]
        raise ComputeError(f"{path}: column 'population' of area {first!r}: got {raw[first]!r}; "
                           "expected a non-negative number")
    return values.to_numpy(dtype=np.float64)


register("gini", "G[c] = sum_i (2i-n-1) x(i) / (n sum x), areas sorted by X[r,c]", family="concentration")(
    _activity_metric("gini", "gini", lambda p, _: conc.gini(p.cube), uses_reference=False))
register("locational-gini", "area between the Lorenz curve of X[.,c] and of X[.,.] (areas by LQ); x2 if krugman",
         params={"convention": "krugman (default, 0..1) | econgeo (halved, 0..0.5)"}, family="concentration")(
    _activity_metric("locational-gini", "locational_gini",
                     lambda p, pr: conc.locational_gini(
                         p.cube, pr.str("convention", "krugman", ["krugman", "econgeo"])),  # type: ignore[arg-type]
                     ["convention"], uses_reference=False))
register("hoover-index", "HI[c] = 1/2 sum_r |X[r,c]/X[.,c] - P[r]/P[.]| (P = population, default equal)",
         params={"population": "CSV with columns area, population (default equal weights)",
                 "percent": "true for 0..100 (EconGeo), default false (0..1)"}, family="concentration")(
    _activity_metric("hoover-index", "hoover_index",
                     lambda p, pr: conc.hoover_index(p.cube, _population(p, pr), percent=pr.bool("percent", False)),
                     ["population", "percent"], uses_reference=False))
register("ubiquity", "k[c,0] = sum_r M[r,c], M = 1{LQ >= threshold}", params={"threshold": "default 1"},
         family="diversity")(
    _activity_metric("ubiquity", "ubiquity",
                     lambda p, pr: div.ubiquity(spec.binary_presence(spec.location_quotient(p.cube, p.ref),
                                                                     _threshold(pr))), ["threshold"]))


# ---------------------------------------------------------------------------- variety
def activity_groups(activities: Sequence[str], pr: Params) -> tuple[np.ndarray, str]:
    """Group index of each activity for related variety, and a note saying where it came from."""
    metric = pr.metric
    if "groups" in pr.raw:
        path = pr.raw["groups"]
        s = _read_key_file(path, "activity", "group", metric)
        missing = [a for a in activities if a not in s.index]
        if missing:
            raise ComputeError(f"{path}: no group for {len(missing)} activit(ies) of the input, e.g. {missing[:5]}")
        codes, groups = div.group_index(s.reindex(list(activities)).to_numpy())
        return codes, f"groups: {len(groups)} from {path}"
    if "prefix" in pr.raw:
        n = int(pr.float("prefix", 2))
        codes, groups = div.group_index([a[:n] for a in activities])
        return codes, f"groups: {len(groups)} from the first {n} characters of the activity codes"
    level = pr.str("level", "division")
    labels = _classification_groups(activities, level)
    if labels is not None:
        codes, groups = div.group_index(labels)
        return codes, f"groups: {len(groups)} SIC 2007 {level}s from sia.classification"
    if level == "division" and all(a.isdigit() and len(a) >= 3 for a in activities):
        codes, groups = div.group_index([a[:2] for a in activities])
        return codes, (f"groups: {len(groups)} divisions from the first 2 digits of the codes "
                       "(sia.classification unavailable)")
    raise ComputeError(f"{metric}: cannot group the activities (give --param groups=FILE.csv with columns "
                       "activity, group, or --param prefix=N)")


def _classification_groups(activities: Sequence[str], level: str) -> list[str] | None:
    """Ancestors at ``level`` from the SIC 2007 tree of :mod:`sia.classification`, or None if unavailable."""
    try:
        import sia.classification as cls_mod
    except ImportError:
        return None
    sic2007 = getattr(cls_mod, "sic2007", None)
    if sic2007 is None:
        return None
    try:
        tree = sic2007()
        ancestor_at = getattr(tree, "ancestor_at", None) or getattr(cls_mod, "ancestor_at", None)
        if ancestor_at is None:
            return None
        return [str(ancestor_at(a, level)) for a in activities]
    except (LookupError, ValueError, OSError, TypeError):
        return None


@register("variety", "UV[r] = -sum_g P[r,g] log P[r,g]; RV[r] = entropy - UV = sum_g P[r,g] H[r,g]",
          params={"base": "2 (default) | e", "groups": "CSV with columns activity, group",
                  "prefix": "group by the first N characters of the code",
                  "level": "classification level of the groups (default division)"},
          family="diversity")
def compute_variety(req: ComputeRequest) -> pd.DataFrame:
    pr = Params("variety", req.params, ["base", "groups", "prefix", "level"])
    p = prepare(req, "variety", uses_reference=False)
    codes, note = activity_groups(p.activities, pr)
    v = div.variety(p.cube, codes, _entropy_base(pr))
    df = _axis_frame(p, p.years, "area", {"entropy": v.entropy, "unrelated_variety": v.unrelated_variety,
                                          "related_variety": v.related_variety})
    df.attrs["notes"].append(note)
    return df


# ---------------------------------------------------------------------------- dynamics
def _periods(years: Sequence[int], pr: Params) -> list[tuple[int, int]]:
    mode = pr.str("period", "total", ["total", "yearly"])
    if mode == "total":
        return [(years[0], years[-1])]
    return list(zip(years[:-1], years[1:], strict=True))


def _change_frame(p: Prepared, pairs: Sequence[tuple[int, int]], level: str,
                  columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Frame for arrays shaped (pairs, areas, activities) / (pairs, areas) / (pairs, activities)."""
    n_pairs = len(pairs)
    base = np.asarray([a for a, _ in pairs], dtype=np.int64)
    end = np.asarray([b for _, b in pairs], dtype=np.int64)
    if level == "cell":
        na, nc = len(p.areas), len(p.activities)
        df = pd.DataFrame({
            "area": np.tile(np.repeat(np.asarray(p.areas, dtype=object), nc), n_pairs),
            "activity": np.tile(np.asarray(p.activities, dtype=object), n_pairs * na),
        })
        k = na * nc
    else:
        labels = p.areas if level == "area" else p.activities
        df = pd.DataFrame({level: np.tile(np.asarray(labels, dtype=object), n_pairs)})
        k = len(labels)
    df["base_year"] = np.repeat(base, k)
    df["year"] = np.repeat(end, k)
    for name, arr in columns.items():
        df[name] = np.asarray(arr).reshape(-1)
    df.attrs["notes"] = list(p.notes)
    return df


@register("growth", "change = X1 - X0; growth_pct = 100 (X1 - X0)/X0; cagr = (X1/X0)^(1/(y1-y0)) - 1",
          params={"level": "cell (default) | area | activity", "period": "total (first->last, default) | yearly",
                  "zero_base": "nan (default) | econgeo (x/0 = inf, 0/0 = 0)"}, family="dynamics")
def compute_growth(req: ComputeRequest) -> pd.DataFrame:
    pr = Params("growth", req.params, ["level", "period", "zero_base"])
    level = pr.str("level", "cell", ["cell", "area", "activity"])
    zero_base = pr.str("zero_base", "nan", ["nan", "econgeo"])
    p = prepare(req, "growth", min_years=2, uses_reference=False)
    pairs = _periods(p.years, pr)
    idx = {y: i for i, y in enumerate(p.years)}
    i0 = [idx[a] for a, _ in pairs]
    i1 = [idx[b] for _, b in pairs]
    X0, X1 = p.cube[i0], p.cube[i1]
    if level == "area":
        X0, X1 = X0.sum(axis=-1), X1.sum(axis=-1)
    elif level == "activity":
        X0, X1 = X0.sum(axis=-2), X1.sum(axis=-2)
    span = np.asarray([b - a for a, b in pairs], dtype=np.float64).reshape((-1,) + (1,) * (X0.ndim - 1))
    g = dyn.growth(X0, X1, 1.0, zero_base=zero_base)  # type: ignore[arg-type]
    with np.errstate(divide="ignore", invalid="ignore"):
        cagr = np.power(g.cagr + 1.0, 1.0 / span) - 1.0
    return _change_frame(p, pairs, level, {"change": g.absolute, "growth_pct": g.percent, "cagr": cagr})


@register("entry-exit", "entry = 1 if M0 = 0 and M1 = 1 (NaN if M0 = 1); exit = 1 if M0 = 1 and M1 = 0 (NaN if M0 = 0)",
          params={"threshold": "RCA cut-off (default 1)", "period": "total (default) | yearly"}, family="dynamics")
def compute_entry_exit(req: ComputeRequest) -> pd.DataFrame:
    pr = Params("entry-exit", req.params, ["threshold", "period"])
    p = prepare(req, "entry-exit", min_years=2)
    pairs = _periods(p.years, pr)
    idx = {y: i for i, y in enumerate(p.years)}
    M = spec.binary_presence(spec.location_quotient(p.cube, p.ref), _threshold(pr))
    ee = dyn.entry_exit(M[[idx[a] for a, _ in pairs]], M[[idx[b] for _, b in pairs]])
    return _change_frame(p, pairs, "cell", {"entry": ee.entry, "exit": ee.exit})


SHIFT_SHARE_COLUMNS = ("change", "national_share", "industry_mix", "competitive_effect")
EM_COLUMNS = ("homothetic_competitive_effect", "allocation_effect")


@register(
    "shift-share",
    "change = NS + IM + CE: NS = X0 g, IM = X0 (g[c] - g), CE = X1 - X0 (1 + g[c]) (g = reference growth)",
    params={"method": "dunn (default) | esteban-marquillas | dynamic",
            "em_zero": "allocation (default) | nan: E-M split where X0 = 0"},
    family="dynamics",
)
def compute_shift_share(req: ComputeRequest) -> pd.DataFrame:
    pr = Params("shift-share", req.params, ["method", "em_zero"])
    method = pr.str("method", "dunn", ["dunn", "esteban-marquillas", "dynamic"])
    em_zero = pr.str("em_zero", "allocation", ["allocation", "nan"])
    p = prepare(req, "shift-share", min_years=2)
    if method == "dynamic":
        N = None if p.ref is None else p.ref
        ss = dyn.dynamic_shift_share(p.cube, N, em_zero=em_zero)  # type: ignore[arg-type]
        notes = [f"dynamic: sum of {len(p.years) - 1} consecutive decompositions {list(p.years)}"]
    else:
        N0 = None if p.ref is None else p.ref[0]
        N1 = None if p.ref is None else p.ref[-1]
        ss = dyn.shift_share(p.cube[0], p.cube[-1], N0, N1, em_zero=em_zero)  # type: ignore[arg-type]
        notes = []
    cols = list(SHIFT_SHARE_COLUMNS) + (list(EM_COLUMNS) if method == "esteban-marquillas" else [])
    arrays = {c: getattr(ss, c) for c in cols}
    # a row per area and activity, then a row per area with activity "_total"
    na, nc = len(p.areas), len(p.activities)
    with_total = {c: np.concatenate([a, a.sum(axis=-1, keepdims=True)], axis=-1) for c, a in arrays.items()}
    df = pd.DataFrame({
        "area": np.repeat(np.asarray(p.areas, dtype=object), nc + 1),
        "activity": np.tile(np.asarray([*p.activities, "_total"], dtype=object), na),
        "base_year": p.years[0],
        "year": p.years[-1],
    })
    for c, a in with_total.items():
        df[c] = a.reshape(-1)
    df.attrs["notes"] = [*p.notes, *notes, f"method: {method}"]
    return df
