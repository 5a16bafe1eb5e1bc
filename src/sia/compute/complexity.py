"""Registry adapters for the complexity family: ECI, PCI, fitness, proximity, density, COI, COG,
opportunities and clusters.

Each adapter turns the panel into a ``year x area x activity`` cube, builds the binary presence
``M = 1{LQ >= threshold}`` per year (NaN cells read as 0 and flagged ``nan_input``), calls the pure functions
of :mod:`sia.metrics.complexity`, :mod:`sia.metrics.proximity`, :mod:`sia.metrics.fitness` and
:mod:`sia.metrics.clusters` year by year, and returns a tidy frame:

- area metrics (eci, coi, fitness): ``area, year, <value>, ..., flag``
- activity metrics (pci): ``activity, year, pci, ubiquity, flag``
- cell metrics (density, cog, opportunities): ``area, activity, year, ..., flag``
- proximity: ``activity, activity_2, year, proximity``
- clusters: ``activity, year, cluster, branch, cluster_branch, cluster_branch_share``

``flag`` is ``""`` for healthy rows, else ``empty``/``no_presence``/``disconnected`` (value NaN) or
``nan_input`` (computed with NaN read as 0). Notes (conventions, rows set aside, cluster stability) go into
``frame.attrs["notes"]``; degenerate rows also raise one :class:`~sia.metrics.complexity.ComplexityWarning`
per call.

Common parameters: ``threshold`` (RCA cut-off, default 1), ``convention`` (``sia``, ``ecomplexity``,
``econgeo``), ``method`` (``eigen``, ``reflections``), ``steps`` (reflections), ``standardise``
(``n``, ``n-1``, ``sum``, ``none``), ``proximity`` (``min_cond``, ``asymmetric``, ``cosine``, ``jaccard``,
``association``, ``prob``), ``self_proximity`` (true/false), ``pool`` (``none``, ``mean``, ``cooccurrence``:
one time-pooled proximity for every year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sia.compute.params import ComputeError, Params
from sia.compute.presence import (
    COMPLEXITY_PARAMS,
    PresenceInput,
    activity_columns,
    area_columns,
    convention,
    eci_columns,
    note_degenerate,
    pci_columns,
    presence_input,
)
from sia.compute.registry import ComputeRequest, register
from sia.compute.specialisation import reference_vector
from sia.metrics import clusters as clu
from sia.metrics import complexity as cx
from sia.metrics import fitness as fit
from sia.metrics import proximity as prox
from sia.metrics.specialisation import binary_presence, location_quotient
from sia.panel import Panel

COMMON = ("threshold", "convention", "method", "steps", "standardise", "proximity", "self_proximity", "pool")


def _years(panel: Panel, years: Sequence[int] | None, metric: str) -> tuple[int, ...]:
    if years is None:
        return panel.years
    missing = [y for y in years if y not in panel.years]
    if missing:
        raise ComputeError(f"{metric}: year(s) {missing} not in the input (it has {list(panel.years)})")
    return tuple(sorted({int(y) for y in years}))


def _prepare(req: ComputeRequest, metric: str, p: Params) -> PresenceInput:
    panel = req.panel
    if panel.extra_dims:
        raise ComputeError(f"{metric}: input has extra dimension(s) {list(panel.extra_dims)}; select one value first")
    years = _years(panel, req.years, metric)
    X = panel.data["value"].sel(year=list(years)).transpose("year", "area", "activity").values.astype(np.float64)
    threshold = p.float("threshold", 1.0)
    inp = presence_input(X, years=years, areas=panel.areas, activities=panel.activities, metric=metric,
                         threshold=threshold)
    if req.reference is not None:
        # reference_vector returns (values (years, activities), count of missing reference cells read as 0)
        ref, ref_nan = reference_vector(req.reference, years, panel.activities)
        inp.M = binary_presence(location_quotient(np.nan_to_num(X), ref), threshold)
        inp.notes.append(f"reference: total of {len(req.reference.areas)} area(s) of the reference panel")
        if ref_nan:
            inp.notes.append(f"{ref_nan} missing or suppressed cell(s) of the reference counted as 0")
    return inp


def _pooled_or_yearly(inp: PresenceInput, p: Params, default_method: str) -> np.ndarray:
    method = p.str("proximity", default_method, prox.METHODS)
    pool = p.str("pool", "none", ("none", "mean", "cooccurrence"))
    if pool == "none":
        return prox.proximity(inp.M, method)  # type: ignore[arg-type]
    pooled = prox.pooled_proximity(list(inp.M), method, pool)  # type: ignore[arg-type]
    inp.notes.append(f"proximity pooled over years {list(inp.years)} ({pool})")
    return np.broadcast_to(pooled, (len(inp.years), *pooled.shape)).copy()


def _frame(columns: Mapping[str, np.ndarray], notes: Sequence[str]) -> pd.DataFrame:
    df = pd.DataFrame(columns)
    df.attrs["notes"] = list(notes)
    return df


def _area_frame(inp: PresenceInput, cols: Mapping[str, np.ndarray]) -> pd.DataFrame:
    return _frame(area_columns(inp, cols), inp.notes)


def _activity_frame(inp: PresenceInput, cols: Mapping[str, np.ndarray]) -> pd.DataFrame:
    return _frame(activity_columns(inp, cols), inp.notes)


def _cell_frame(inp: PresenceInput, cols: Mapping[str, np.ndarray]) -> pd.DataFrame:
    ny, na, nc = len(inp.years), len(inp.areas), len(inp.activities)
    df = pd.DataFrame({
        "area": np.tile(np.repeat(np.asarray(inp.areas, dtype=object), nc), ny),
        "activity": np.tile(np.asarray(inp.activities, dtype=object), ny * na),
        "year": np.repeat(np.asarray(inp.years, dtype=np.int64), na * nc),
    })
    for k, v in cols.items():
        df[k] = np.asarray(v).reshape(-1)
    df.attrs["notes"] = list(inp.notes)
    return df


def _cell_flag(res: cx.ComplexityResult) -> np.ndarray:
    af = np.asarray(res.area_flag, dtype=object)
    cf = np.asarray(res.activity_flag, dtype=object)
    a = np.broadcast_to(af[..., :, None], af.shape + (cf.shape[-1],))
    c = np.broadcast_to(cf[..., None, :], a.shape)
    return np.where(a != "", a, c)


def _outlooks(inp: PresenceInput, p: Params) -> list[prox.OutlookResult]:
    conv = convention(p)
    default_prox = str(prox.OUTLOOK_CONVENTIONS[conv]["proximity"])
    phis = _pooled_or_yearly(inp, p, default_prox)
    sp_raw = p.raw.get("self_proximity")
    self_p = None if sp_raw is None else p.bool("self_proximity", False)
    method = p.str("method", "eigen", ("eigen", "reflections"))
    std = p.raw.get("standardise")
    kwargs: dict[str, object] = {"steps": int(p.float("steps", 18))}
    if std is not None:
        kwargs["standardise"] = std
    out = []
    try:
        for t in range(len(inp.years)):
            out.append(prox.outlook(inp.M[t], convention=conv, method=method, phi=phis[t],  # type: ignore[arg-type]
                                    self_proximity=self_p, area_flag=inp.area_flag[t],
                                    activity_flag=inp.activity_flag[t], warn=False, **kwargs))
    except ValueError as exc:
        raise ComputeError(str(exc)) from None
    used_prox = p.raw.get("proximity", default_prox)
    used_self = self_p if self_p is not None else prox.OUTLOOK_CONVENTIONS[conv]["self_proximity"]
    inp.notes.append(f"convention {conv}: proximity {used_prox}, self-proximity in density {used_self}")
    return out


def _stack_flags(outs: Sequence[prox.OutlookResult]) -> tuple[np.ndarray, np.ndarray]:
    return (np.stack([o.complexity.area_flag for o in outs]), np.stack([o.complexity.activity_flag for o in outs]))


# ------------------------------------------------------------------------------------------- metrics


@register("eci", "ECI = z(second eigenvector of D_r^-1 M D_c^-1 M^T), sign: corr with diversity > 0",
          params={"method": "eigen|reflections", "convention": "sia|ecomplexity|econgeo", "threshold": "1",
                  "steps": "18", "standardise": "n|n-1|sum|none"}, family="complexity")
def compute_eci(req: ComputeRequest) -> pd.DataFrame:
    p = Params("eci", req.params, COMPLEXITY_PARAMS)
    inp = _prepare(req, "eci", p)
    return _frame(eci_columns(inp, p), inp.notes)


@register("pci", "PCI = z(second eigenvector of D_c^-1 M^T D_r^-1 M), same sign as ECI",
          params={"method": "eigen|reflections", "convention": "sia|ecomplexity|econgeo", "threshold": "1",
                  "steps": "18", "standardise": "n|n-1|sum|none"}, family="complexity")
def compute_pci(req: ComputeRequest) -> pd.DataFrame:
    p = Params("pci", req.params, COMPLEXITY_PARAMS)
    inp = _prepare(req, "pci", p)
    return _frame(pci_columns(inp, p), inp.notes)


@register("fitness", "F_r = sum_c M_rc Q_c; Q_c = 1 / sum_r M_rc / F_r (normalised; Tacchella et al. 2012)",
          params={"threshold": "1", "delta": "0", "tol": "1e-10", "rank_window": "10", "max_iter": "1000"},
          family="complexity")
def compute_fitness(req: ComputeRequest) -> pd.DataFrame:
    p = Params("fitness", req.params, ("threshold", "delta", "tol", "rank_window", "max_iter"))
    inp = _prepare(req, "fitness", p)
    res = [fit.fitness_complexity(inp.M[t], delta=p.float("delta", 0.0), tol=p.float("tol", 1e-10),
                                  rank_window=int(p.float("rank_window", 10)),
                                  max_iter=int(p.float("max_iter", 1000))) for t in range(len(inp.years))]
    F = np.stack([r.fitness for r in res])
    na = len(inp.areas)
    for y, r in zip(inp.years, res, strict=True):
        inp.notes.append(f"{y}: {r.iterations} iterations, stopped by {r.rule}")
    flag = np.where(inp.M.sum(axis=2) == 0, cx.FLAG_NO_PRESENCE, inp.area_flag)
    with np.errstate(divide="ignore"):
        logf = np.where(F > 0, np.log(np.where(F > 0, F, 1.0)), -np.inf)
    return _area_frame(inp, {
        "fitness": F, "log_fitness": logf,
        "iterations": np.repeat([[r.iterations] for r in res], na, axis=1),
        "rule": np.repeat([[r.rule] for r in res], na, axis=1).astype(object), "flag": flag,
    })


@register("proximity", "phi_ij = C_ij / max(k_i, k_j) (min conditional probability) or a co-occurrence normalisation",
          params={"proximity": "|".join(prox.METHODS), "threshold": "1", "pool": "none|mean|cooccurrence",
                  "convention": "sia|ecomplexity|econgeo"}, family="complexity")
def compute_proximity(req: ComputeRequest) -> pd.DataFrame:
    p = Params("proximity", req.params, ("threshold", "proximity", "pool", "convention"))
    inp = _prepare(req, "proximity", p)
    conv = convention(p)
    phi = _pooled_or_yearly(inp, p, str(prox.OUTLOOK_CONVENTIONS[conv]["proximity"]))
    ny, nc = phi.shape[0], phi.shape[1]
    acts = np.asarray(inp.activities, dtype=object)
    df = pd.DataFrame({
        "activity": np.tile(np.repeat(acts, nc), ny),
        "activity_2": np.tile(acts, ny * nc),
        "year": np.repeat(np.asarray(inp.years, dtype=np.int64), nc * nc),
        "proximity": phi.reshape(-1),
    })
    df.attrs["notes"] = list(inp.notes)
    return df


@register("density", "d_rc = sum_j M_rj phi_jc / sum_j phi_jc (relatedness density)",
          params={"convention": "sia|ecomplexity|econgeo", "proximity": "|".join(prox.METHODS),
                  "self_proximity": "false (sia) | true (ecomplexity)", "threshold": "1",
                  "pool": "none|mean|cooccurrence"}, family="complexity")
def compute_density(req: ComputeRequest) -> pd.DataFrame:
    p = Params("density", req.params, ("threshold", "convention", "proximity", "self_proximity", "pool"))
    inp = _prepare(req, "density", p)
    conv = convention(p)
    phis = _pooled_or_yearly(inp, p, str(prox.OUTLOOK_CONVENTIONS[conv]["proximity"]))
    self_p = p.bool("self_proximity", bool(prox.OUTLOOK_CONVENTIONS[conv]["self_proximity"]))
    dens = prox.density(inp.M, phis, self_proximity=self_p)
    inp.notes.append(f"density with{'' if self_p else 'out'} the activity's own proximity")
    flag = np.where(np.isnan(dens), "isolated_activity", "")
    return _cell_frame(inp, {"density": dens, "present": inp.M, "flag": flag})


@register("coi", "COI_r = sum_c d_rc (1 - M_rc) PCI_c (Atlas)",
          params={"convention": "sia|ecomplexity|econgeo", "method": "eigen|reflections", "threshold": "1",
                  "frontier_share": "0.1"}, family="complexity")
def compute_coi(req: ComputeRequest) -> pd.DataFrame:
    p = Params("coi", req.params, (*COMMON, "frontier_share"))
    inp = _prepare(req, "coi", p)
    outs = _outlooks(inp, p)
    af, cf = _stack_flags(outs)
    note_degenerate("coi", inp.notes, af, cf)
    share = p.float("frontier_share", 0.1)
    eci = np.stack([o.complexity.eci for o in outs])
    coi = np.stack([o.coi for o in outs])
    strategy = np.stack([prox.strategic_approach(e, c, frontier_share=share) for e, c in zip(eci, coi, strict=True)])
    return _area_frame(inp, {"coi": coi, "eci": eci, "strategy": strategy, "flag": af})


@register("cog", "COG_rc = sum_j (1 - M_rj) PCI_j phi_jc / sum_k phi_jk - d_rc PCI_c (Atlas)",
          params={"convention": "sia|ecomplexity|econgeo", "method": "eigen|reflections", "threshold": "1"},
          family="complexity")
def compute_cog(req: ComputeRequest) -> pd.DataFrame:
    p = Params("cog", req.params, COMMON)
    inp = _prepare(req, "cog", p)
    outs = _outlooks(inp, p)
    af, cf = _stack_flags(outs)
    note_degenerate("cog", inp.notes, af, cf)
    cog = np.stack([o.cog for o in outs])
    return _cell_frame(inp, {"cog": cog, "present": inp.M, "flag": _cell_flag(outs_to_result(outs))})


def outs_to_result(outs: Sequence[prox.OutlookResult]) -> cx.ComplexityResult:
    """Stack the yearly complexity results (flags only are needed by the frames)."""
    first = outs[0].complexity
    return cx.ComplexityResult(
        eci=np.stack([o.complexity.eci for o in outs]), pci=np.stack([o.complexity.pci for o in outs]),
        kc=np.stack([o.complexity.kc for o in outs]), kp=np.stack([o.complexity.kp for o in outs]),
        diversity=np.stack([o.complexity.diversity for o in outs]),
        ubiquity=np.stack([o.complexity.ubiquity for o in outs]),
        area_flag=np.stack([o.complexity.area_flag for o in outs]),
        activity_flag=np.stack([o.complexity.activity_flag for o in outs]),
        method=first.method, convention=first.convention,
    )


@register("opportunities", "quadrants of feasibility (density) vs attractiveness (PCI or COG) for absent activities",
          params={"convention": "sia|ecomplexity|econgeo", "attractiveness": "pci|cog", "threshold": "1",
                  "feasibility_split": "median|number", "attractiveness_split": "median|number"},
          family="complexity")
def compute_opportunities(req: ComputeRequest) -> pd.DataFrame:
    p = Params("opportunities", req.params, (*COMMON, "attractiveness", "feasibility_split", "attractiveness_split"))
    inp = _prepare(req, "opportunities", p)
    outs = _outlooks(inp, p)
    af, cf = _stack_flags(outs)
    note_degenerate("opportunities", inp.notes, af, cf)
    attr = p.str("attractiveness", "pci", ("pci", "cog"))

    def split(key: str) -> str | float:
        v = p.raw.get(key, "median")
        return "median" if v == "median" else p.float(key, 0.0)

    dens = np.stack([o.density for o in outs])
    pci = np.stack([np.broadcast_to(o.complexity.pci, o.density.shape) for o in outs])
    cog = np.stack([o.cog for o in outs])
    quad = np.stack([
        prox.opportunity_quadrants(inp.M[t], dens[t], (pci if attr == "pci" else cog)[t],
                                   feasibility_split=split("feasibility_split"),  # type: ignore[arg-type]
                                   attractiveness_split=split("attractiveness_split"))  # type: ignore[arg-type]
        for t in range(len(inp.years))
    ])
    inp.notes.append(f"quadrants: feasibility = density, attractiveness = {attr}; splits "
                     f"{p.raw.get('feasibility_split', 'median')} / {p.raw.get('attractiveness_split', 'median')}")
    return _cell_frame(inp, {"present": inp.M, "density": dens, "pci": pci, "cog": cog, "quadrant": quad,
                             "flag": _cell_flag(outs_to_result(outs))})


def _branches(activities: Sequence[str], how: str) -> np.ndarray:
    """Branch label per activity: ``prefix:N`` (first N characters), ``sic:<level>`` or ``auto``."""
    if how.startswith("prefix:"):
        n = int(how.split(":", 1)[1])
        return np.array([a[:n] for a in activities], dtype=object)
    level = how.split(":", 1)[1] if how.startswith("sic:") else "section"
    try:
        from sia.classification import sic2007  # type: ignore[attr-defined]

        tree = sic2007()
        out = []
        for a in activities:
            code = tree.normalise(a)
            out.append(tree.ancestor_at(code, level) if tree.depth_of(code) >= tree.depth_of(
                tree.codes(level)[0]) else code)
        return np.array(out, dtype=object)
    except Exception as exc:  # classification missing or activities are not SIC codes
        if how.startswith("sic:"):
            raise ComputeError(f"clusters: cannot map activities to SIC 2007 {level}: {exc}") from None
        return np.array([a[:2] for a in activities], dtype=object)


@register("clusters", "Louvain communities on the k-nearest proximity backbone; label = dominant branch",
          params={"proximity": "min_cond|...", "k": "10", "resolution": "1", "seed": "0",
                  "branch": "auto|sic:section|sic:division|prefix:N", "threshold": "1",
                  "pool": "none|mean|cooccurrence"},
          family="complexity")
def compute_clusters(req: ComputeRequest) -> pd.DataFrame:
    p = Params("clusters", req.params, ("threshold", "proximity", "pool", "k", "resolution", "seed", "branch",
                                        "convention"))
    inp = _prepare(req, "clusters", p)
    phis = _pooled_or_yearly(inp, p, "min_cond")
    k_raw = p.raw.get("k", "10")
    k = None if k_raw in ("all", "none") else int(p.float("k", 10))
    seed = int(p.float("seed", 0))
    labels = [clu.proximity_clusters(phis[t], k=k, resolution=p.float("resolution", 1.0), seed=seed)
              for t in range(len(inp.years))]
    branches = _branches(inp.activities, p.raw.get("branch", "auto"))
    frames = []
    for y, lab in zip(inp.years, labels, strict=True):
        lab_df = clu.label_clusters(lab, branches).set_index("cluster")
        frames.append(pd.DataFrame({
            "activity": np.asarray(inp.activities, dtype=object), "year": y, "cluster": lab,
            "branch": branches, "cluster_branch": lab_df.loc[lab, "branch"].to_numpy(),
            "cluster_branch_share": lab_df.loc[lab, "branch_share"].to_numpy(),
        }))
    df = pd.concat(frames, ignore_index=True)
    stab = clu.partition_stability(labels, inp.years)
    notes = list(inp.notes) + [f"Louvain seed {seed}, k={k}"]
    notes += [f"stability {int(a)}->{int(b)}: ARI {ari:.3f}, VI {vi:.3f}"
              for a, b, ari, vi in stab[["from", "to", "ari", "vi"]].itertuples(index=False)]
    df.attrs["notes"] = notes
    return df
