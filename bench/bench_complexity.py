"""Benchmark: sia complexity/relatedness metrics vs ecomplexity 0.5.3, side by side in one run.

    /work/venv/bin/python bench/bench_complexity.py [--repeats 5] [--years 20] [--size 5000] [--out FILE]

Cases: OTS trade 2017 (224 countries x 1222 HS4), US CBP 2019 (CBSA x NAICS 6-digit employment) and a
synthetic sparse panel (``size x size`` x ``years``, sia only). Every measured job runs in a fresh subprocess
so that its peak RSS (``resource.getrusage().ru_maxrss``) is its own; Python allocations are measured with
``tracemalloc`` in a separate, untimed run. Equality with ecomplexity (1e-9 relative, see
tests/test_metrics_complexity.py) is checked inside the benchmark on the full files. Writes the markdown
table to ``docs/benchmarks/complexity.md`` (or ``--out``) and the ECI ranking to docs/complexity-ranking.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIA_SHARED_DATA", REPO.parent / "shared" / "data"))
DENSE_YEARS = 2
COLS = {"time": "year", "loc": "area", "prod": "activity", "val": "value"}


# ------------------------------------------------------------------------------------------ data


def trade_long() -> pd.DataFrame:
    df = pd.read_csv(SHARED / "trade/ots_world_trade_country_hs4_exports_2017.csv.gz", dtype={"product_code": str})
    df["export_value_usd"] = df["export_value_usd"].fillna(0.0)  # NA = no trade
    return df.rename(columns={"reporter_iso": "area", "product_code": "activity", "export_value_usd": "value"}).assign(
        year=2017)


def cbp_long() -> pd.DataFrame:
    df = pd.read_csv(SHARED / "us_cbp/cbp_2019_cbsa_naics_emp_estab.csv.gz",
                     dtype={"cbsa_code": str, "naics_code": str})
    df = df[(df["naics_level"] == 6) & df["naics_code"].str.fullmatch(r"\d{6}")]
    return df.rename(columns={"cbsa_code": "area", "naics_code": "activity", "EMP": "value"})[
        ["area", "activity", "value"]].assign(year=2019, value=lambda d: d["value"].astype(float))


def wide(long: pd.DataFrame) -> pd.DataFrame:
    W = long.pivot_table(index="area", columns="activity", values="value", aggfunc="sum", fill_value=0.0)
    return W.loc[W.sum(axis=1) > 0, W.sum(axis=0) > 0]


LOADERS = {"trade": trade_long, "cbp": cbp_long}


# ------------------------------------------------------------------------------------------ jobs


def run_ecomplexity(long: pd.DataFrame, check: bool) -> pd.DataFrame:
    from ecomplexity import ecomplexity

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(long, COLS, check_logsupermodularity=check)


def sia_all(W: np.ndarray, *, clusters: bool = True) -> dict[str, float]:
    """Every metric of the issue on one year; returns seconds per metric."""
    from sia.metrics import clusters as clu
    from sia.metrics import complexity as cx
    from sia.metrics import fitness as fit
    from sia.metrics import proximity as prox

    t: dict[str, float] = {}
    s = time.perf_counter()
    M, af, cf = cx.presence_from_values(W)
    t["presence (RCA >= 1)"] = time.perf_counter() - s
    s = time.perf_counter()
    cx.eci_pci(M, convention="ecomplexity", area_flag=af, activity_flag=cf, warn=False)
    t["eci+pci (eigen)"] = time.perf_counter() - s
    s = time.perf_counter()
    cx.eci_pci(M, method="reflections", steps=18, warn=False)
    t["eci+pci (reflections, 18)"] = time.perf_counter() - s
    s = time.perf_counter()
    fit.fitness_complexity(M)
    t["fitness"] = time.perf_counter() - s
    s = time.perf_counter()
    o = prox.outlook(M, convention="ecomplexity", area_flag=af, activity_flag=cf, warn=False)
    t["eci+pci+proximity+density+coi+cog (ecomplexity preset)"] = time.perf_counter() - s
    s = time.perf_counter()
    for m in ("cosine", "jaccard", "association", "prob"):
        prox.proximity(M, m)  # type: ignore[arg-type]
    t["4 co-occurrence normalisations"] = time.perf_counter() - s
    s = time.perf_counter()
    prox.opportunity_quadrants(M, o.density, o.complexity.pci)
    prox.strategic_approach(o.complexity.eci, o.coi)
    t["opportunity quadrants + strategy"] = time.perf_counter() - s
    if clusters:
        s = time.perf_counter()
        clu.proximity_clusters(o.proximity, k=10, seed=0)
        t["clusters (Louvain, k=10)"] = time.perf_counter() - s
    return t


def synthetic_year(n: int, seed: int) -> object:
    """Sparse binary presence with heterogeneous diversity/ubiquity (mean ~1 % of cells present)."""
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    a = rng.lognormal(0.0, 0.6, n)
    b = rng.lognormal(0.0, 0.6, n)
    a *= 0.1 / a.mean()
    b *= 0.1 / b.mean()
    nnz_row = rng.binomial(n, np.clip(a * b.mean(), 0, 1))
    rows = np.repeat(np.arange(n), nnz_row)
    p = b / b.sum()
    cols = rng.choice(n, size=rows.size, p=p)
    M = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, n))
    M.sum_duplicates()
    M.data[:] = 1.0
    return M


def synthetic(args: argparse.Namespace) -> dict[str, object]:
    """The synthetic panel: every year in a loop, all dense per-year outputs computed, summarised, discarded."""
    from sia.metrics import clusters as clu
    from sia.metrics import complexity as cx
    from sia.metrics import fitness as fit
    from sia.metrics import proximity as prox

    out: dict[str, object] = {}
    per: dict[str, float] = {}
    g0 = time.perf_counter()
    inputs = [synthetic_year(args.size, y) for y in range(args.years)]  # sparse inputs, ~3 MB a year
    gen = time.perf_counter() - g0
    out["nnz_share"] = float(np.mean([m.nnz for m in inputs])) / args.size**2
    lock = threading.Lock()

    def one_year(y: int) -> list[float]:
        M = inputs[y]
        t = time.perf_counter()
        o = prox.outlook(M, convention="sia", warn=False)  # ECI, PCI (eigen), proximity, density, COI, COG
        t1 = time.perf_counter()
        refl = cx.eci_pci(M, method="reflections", steps=18, warn=False)
        t2 = time.perf_counter()
        f = fit.fitness_complexity(M)
        t3 = time.perf_counter()
        with lock:
            for key, dt in (("eci+pci+proximity+density+coi+cog (outlook, sia convention)", t1 - t),
                            ("eci+pci (reflections, 18 steps)", t2 - t1), ("fitness-complexity", t3 - t2)):
                per[key] = per.get(key, 0.0) + dt
        # the year's 5000 x 5000 outputs are summarised here and dropped when this function returns
        return [float(np.nansum(o.complexity.eci)), float(np.nansum(o.density)), float(np.nansum(o.cog)),
                float(np.nansum(o.coi)), float(np.nansum(refl.eci)), float(f.iterations)]

    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.workers) as ex:
        checks = list(ex.map(one_year, range(args.years)))
    out["seconds"] = time.perf_counter() - wall0
    out["cpu_seconds"] = time.process_time() - cpu0
    out["generation_seconds"] = gen
    out["per_metric"] = per
    out["checksums_first_year"] = checks[0]
    out["all_finite"] = bool(np.all(np.isfinite(np.asarray(checks))))
    out["maxrss_loop_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # metrics not in the 20-year loop, timed once on year 0 (per-year cost)
    M = synthetic_year(args.size, 0)
    o = prox.outlook(M, convention="sia", warn=False)
    once: dict[str, float] = {}
    s = time.perf_counter()
    for m in ("cosine", "jaccard", "association", "prob"):
        prox.proximity(M, m)  # type: ignore[arg-type]
    once["4 co-occurrence normalisations"] = time.perf_counter() - s
    s = time.perf_counter()
    prox.opportunity_quadrants(M.toarray(), o.density, o.complexity.pci)
    prox.strategic_approach(o.complexity.eci, o.coi)
    once["opportunity quadrants + strategy"] = time.perf_counter() - s
    s = time.perf_counter()
    clu.proximity_clusters(o.proximity, k=10, seed=0)
    once["clusters (Louvain, k=10 backbone)"] = time.perf_counter() - s
    out["once_per_year"] = once
    del o
    tracemalloc.start()
    prox.outlook(M, convention="sia", warn=False)
    fit.fitness_complexity(M)
    out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out


def job(name: str, args: argparse.Namespace) -> dict[str, object]:
    """One measured job, run in its own process."""
    out: dict[str, object] = {"job": name}
    kind, _, case = name.partition(":")
    if kind == "synthetic":
        out.update(synthetic(args))
    else:
        long = LOADERS[case]()
        W = wide(long)
        out["shape"] = list(W.shape)
        if kind.startswith("ecx"):
            check = kind == "ecx-check"  # ecx-1thread: check off, run with OPENBLAS_NUM_THREADS=1 (see spawn)
            times = []
            for _ in range(args.repeats if case == "trade" else max(1, args.repeats // 2)):
                s = time.perf_counter()
                run_ecomplexity(long, check)
                times.append(time.perf_counter() - s)
            out["times"] = times
            tracemalloc.start()
            run_ecomplexity(long, check)
            out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        elif kind == "sia":
            X = W.to_numpy(dtype=float)
            runs = [sia_all(X) for _ in range(args.repeats)]
            out["floor_median"] = product_floor(X, args.repeats)
            out["per_metric"] = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
            out["total_median"] = float(np.median([sum(r.values()) for r in runs]))
            core = "eci+pci+proximity+density+coi+cog (ecomplexity preset)"
            out["ecx_equivalent_median"] = float(np.median([r[core] + r["presence (RCA >= 1)"] for r in runs]))
            out["eci_median"] = float(np.median([r["eci+pci (eigen)"] + r["presence (RCA >= 1)"] for r in runs]))
            tracemalloc.start()
            sia_all(X)
            out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        elif kind == "equal":
            out.update(equality(long, W))
        elif kind == "pair":
            out.update(paired(long, W, args.repeats if case == "trade" else max(1, args.repeats // 2)))
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_ecomplexity_proximity(long: pd.DataFrame) -> pd.DataFrame:
    from ecomplexity import proximity as eprox

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eprox(long, COLS)


def sia_same_outputs(X: np.ndarray) -> None:
    """What ecomplexity() + proximity() return, from the wide values: RCA, ECI, PCI, proximity, density, COI, COG."""
    from sia.metrics import complexity as cx
    from sia.metrics import proximity as prox

    M, af, cf = cx.presence_from_values(X)
    prox.outlook(M, convention="ecomplexity", area_flag=af, activity_flag=cf, warn=False)


def product_floor(X: np.ndarray, repeats: int) -> float:
    """Median time of the one BLAS product density and COG need, ``[M; M diag(w); 1; w] @ phi``.

    ``2 n_areas n_activities^2`` multiply-adds in double precision: a floor for any implementation that
    returns density and COG equal to 1e-9 (float32 accumulation is not accurate enough), so
    ``t(ecomplexity) / floor`` bounds the ratio reachable on this machine.
    """
    from sia.metrics import complexity as cx
    from sia.metrics import proximity as prox

    M = cx.presence_from_values(X)[0].astype(np.float64)
    phi = prox.proximity(M)
    w = np.random.default_rng(0).random(M.shape[1])
    L = np.vstack([M, M * w, np.ones((1, M.shape[1])), w[None, :]])
    ts = []
    for _ in range(max(5, repeats)):
        s = time.perf_counter()
        L @ phi
        ts.append(time.perf_counter() - s)
    return float(np.median(ts))


def paired(long: pd.DataFrame, W: pd.DataFrame, repeats: int) -> dict[str, object]:
    """Interleaved timing in one process: each round times ecomplexity() (default arguments), ecomplexity's
    proximity() and sia's same outputs (median of 5 calls), so that both sides of each ratio ran under the
    same machine conditions; the ratios are taken per round and their median reported."""
    X = W.to_numpy(dtype=float)
    run_ecomplexity(long, True)  # warm-up: imports, first-call allocations
    run_ecomplexity_proximity(long)
    sia_same_outputs(X)
    rounds = []
    for _ in range(repeats):
        s = time.perf_counter()
        run_ecomplexity(long, True)
        t_ecx = time.perf_counter() - s
        s = time.perf_counter()
        run_ecomplexity_proximity(long)
        t_prox = time.perf_counter() - s
        ts = []
        for _ in range(5):
            s = time.perf_counter()
            sia_same_outputs(X)
            ts.append(time.perf_counter() - s)
        rounds.append({"ecx": t_ecx, "ecx_proximity": t_prox, "sia": float(np.median(ts))})
    return {"rounds": rounds}


def equality(long: pd.DataFrame, W: pd.DataFrame) -> dict[str, object]:
    from sia.metrics import complexity as cx
    from sia.metrics import proximity as prox

    e = run_ecomplexity(long, False)
    M, af, cf = cx.presence_from_values(W.to_numpy(dtype=float))
    o = prox.outlook(M, convention="ecomplexity", area_flag=af, activity_flag=cf, warn=False)
    e = e[e["area"].isin(W.index) & e["activity"].isin(W.columns)]
    r, c = W.index.get_indexer(e["area"]), W.columns.get_indexer(e["activity"])
    res: dict[str, object] = {}
    for name, ours in (("eci", o.complexity.eci[r]), ("pci", o.complexity.pci[c]), ("density", o.density[r, c]),
                       ("coi", o.coi[r]), ("cog", o.cog[r, c])):
        ref = e[name].to_numpy(dtype=float)
        tol = 1e-9 * np.abs(ref) + 1e-12 * np.nanmax(np.abs(ref))
        res[name] = {"max_abs": float(np.nanmax(np.abs(ours - ref))),
                     "max_scaled": float(np.nanmax(np.abs(ours - ref) / np.nanmax(np.abs(ref)))),
                     "within_1e-9": bool(np.all(np.abs(ours - ref) <= tol)), "n": int(ref.size)}
    from ecomplexity import proximity as eprox

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ep = eprox(long, COLS)
    ep = ep[ep["activity_1"].isin(W.columns) & ep["activity_2"].isin(W.columns)]
    i, j = W.columns.get_indexer(ep["activity_1"]), W.columns.get_indexer(ep["activity_2"])
    ref = ep["proximity"].to_numpy(dtype=float)
    ours = o.proximity[i, j]
    diff = np.abs(ours - ref)
    res["proximity"] = {"max_abs": float(np.nanmax(diff)), "max_scaled": float(np.nanmax(diff)),
                        "within_1e-9": bool(np.all(diff <= 1e-9 * np.abs(ref) + 1e-15)), "n": int(ref.size)}
    res["eci_table"] = pd.Series(o.complexity.eci, index=W.index).to_dict()
    return res


LOAD_LIMIT = 2.5
WAIT_BUDGET = [20 * 60.0]  # seconds of waiting left for the whole run


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def wait_for_quiet() -> list[float]:
    """Sleep (30 s steps, at most 20 minutes over the whole run) while the 1-minute load is above 2.5."""
    while load_average()[0] > LOAD_LIMIT and WAIT_BUDGET[0] > 0:
        sys.stderr.write(f"  load {load_average()[0]:.2f} > {LOAD_LIMIT}: waiting 30 s "
                         f"({WAIT_BUDGET[0] / 60:.1f} min of waiting left)\n")
        time.sleep(30)
        WAIT_BUDGET[0] -= 30
    return load_average()


def spawn(name: str, args: argparse.Namespace) -> dict[str, object]:
    load_before = load_average() if name.startswith("equal") else wait_for_quiet()  # equality runs are untimed
    cmd = [sys.executable, __file__, "--job", name, "--repeats", str(args.repeats), "--years", str(args.years),
           "--size", str(args.size), "--workers", str(args.workers)]
    env = dict(os.environ)
    if name.startswith("ecx-1thread"):  # ecomplexity's dense eig on one BLAS thread: its fastest on a busy machine
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"job {name} failed:\n{proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["load_before"] = load_before
    res["load_after"] = load_average()
    return res


# ------------------------------------------------------------------------------------------ report


def machine() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GB RAM"
    import ecomplexity  # noqa: F401
    import scipy

    return (f"{platform.platform()}; {os.cpu_count()} cores ({cpu}){mem}; Python {platform.python_version()}, "
            f"numpy {np.__version__}, scipy {scipy.__version__}, pandas {pd.__version__}, ecomplexity 0.5.3. "
            f"Shared machine: other jobs ran at the same time, so absolute times are noisy; medians are reported.")


def ranking(eci: dict[str, float], path: Path) -> None:
    gdp = pd.read_csv(SHARED / "trade/world_gdp_population_2017.csv")
    s = pd.Series(eci).dropna()
    g = gdp.set_index("reporter_iso")["gdp_pc_usd"]
    both = pd.concat([s.rename("eci"), g.rename("gdp_pc")], axis=1, join="inner").dropna()
    from scipy.stats import spearmanr

    rho = spearmanr(both["eci"], both["gdp_pc"])
    rho_log = spearmanr(both["eci"], np.log(both["gdp_pc"]))
    order = s.sort_values(ascending=False)

    def table(items: pd.Series) -> str:
        rows = ["| rank | country (ISO3) | ECI | GDP per capita 2017 (USD) |", "|---:|---|---:|---:|"]
        for code, v in items.items():
            rank = int(order.index.get_loc(code)) + 1
            gp = g.get(code, np.nan)
            rows.append(f"| {rank} | {code.upper()} | {v:.3f} | {'' if pd.isna(gp) else f'{gp:,.0f}'} |")
        return "\n".join(rows)

    text = f"""# ECI ranking on the trade data (OTS 2017, country x HS4 exports)

Generated by `/work/venv/bin/python bench/bench_complexity.py` (section "ranking"); do not edit by hand.

Data: `../shared/data/trade/ots_world_trade_country_hs4_exports_2017.csv.gz` (NA = no trade = 0), all
{len(s)} reporters and 1,222 products (including `9999` unclassified); presence `RCA >= 1`; ECI by the
eigenvector method under the `ecomplexity` convention (identical to ecomplexity 0.5.3 to 1e-9, see
docs/benchmarks/complexity.md); sign: ECI correlates positively with diversity. No Atlas-style cleaning
(no population or export-size filter), so small re-exporters and territories appear at both ends.

## Top ten

{table(order.head(10))}

## Bottom ten

{table(order.tail(10))}

## Rank correlation with GDP per capita

GDP per capita 2017 from `../shared/data/trade/world_gdp_population_2017.csv` (World Bank, current USD),
matched on ISO3 for {len(both)} countries: **Spearman rho = {rho.statistic:.3f}** (p = {rho.pvalue:.1e}).
(The log transform does not change a rank correlation: {rho_log.statistic:.3f}.)
"""
    path.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--job")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--size", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=2, help="synthetic panel: years processed at the same time")
    ap.add_argument("--out", default=str(REPO / "docs/benchmarks/complexity.md"))
    ap.add_argument("--skip-synthetic", action="store_true")
    args = ap.parse_args()
    if args.job:
        print(json.dumps(job(args.job, args)))
        return
    results: dict[str, dict[str, object]] = {}
    names = [f"{k}:{c}" for c in ("trade", "cbp")
             for k in ("equal", "pair", "sia", "ecx-nocheck", "ecx-check", "ecx-1thread")]
    if not args.skip_synthetic:
        names.append("synthetic:")
    for name in names:
        sys.stderr.write(f"running {name} ...\n")
        results[name] = spawn(name, args)
    raw = Path(tempfile.gettempdir()) / "bench_complexity_results.json"
    raw.write_text(json.dumps(results))  # raw job results, to regenerate the report without re-running
    write_report(results, args)
    ranking(results["equal:trade"]["eci_table"], REPO / "docs/complexity-ranking.md")  # type: ignore[arg-type]


def _load(r: dict[str, object]) -> str:
    b, a = r["load_before"], r["load_after"]
    return f"{b[0]:.2f} / {a[0]:.2f}"  # type: ignore[index]


def write_report(res: dict[str, dict[str, object]], args: argparse.Namespace) -> None:
    lines = ["# Benchmark: complexity, relatedness and opportunities (sia vs ecomplexity 0.5.3)", "",
             "Regenerate: `/work/venv/bin/python bench/bench_complexity.py` (one command, all cases in one run).", "",
             f"Machine: {machine()}", "",
             "Every job runs in its own subprocess, one after the other. Before each job the script waits (30 s "
             f"steps, at most 20 minutes over the whole run) while the 1-minute load average is above {LOAD_LIMIT}; "
             "the column *load* gives the 1-minute load average just before / just after the job. The machine "
             "is a shared 2-core virtual machine: besides its own load, the host's other tenants slow it down "
             "by up to 2x for minutes at a time (invisible in the load average), more for BLAS-bound code like "
             "sia's than for ecomplexity's pandas work. The ratio of record is therefore the interleaved one "
             "(both tools timed back to back in one process, ratio per round). ecomplexity's cost is a dense "
             "non-symmetric `eig` of the activities x activities matrix plus pandas reshaping; its "
             "one-BLAS-thread run is shown as well.", ""]
    for case, label in (("trade", "OTS trade 2017, country x HS4"), ("cbp", "US CBP 2019, CBSA x NAICS 6-digit (EMP)")):
        eq, si = res[f"equal:{case}"], res[f"sia:{case}"]
        nc, ck, e1 = res[f"ecx-nocheck:{case}"], res[f"ecx-check:{case}"], res[f"ecx-1thread:{case}"]
        t_e1 = float(np.median(e1["times"]))  # type: ignore[arg-type]
        shape = eq["shape"]
        t_nc, t_ck = float(np.median(nc["times"])), float(np.median(ck["times"]))  # type: ignore[arg-type]
        t_si = float(si["ecx_equivalent_median"])  # type: ignore[arg-type]
        t_eci = float(si["eci_median"])  # type: ignore[arg-type]
        rounds = res[f"pair:{case}"]["rounds"]  # type: ignore[index]
        r_e = [r["ecx"] / r["sia"] for r in rounds]  # type: ignore[index]
        r_ep = [(r["ecx"] + r["ecx_proximity"]) / r["sia"] for r in rounds]  # type: ignore[index]
        med = {k: float(np.median([r[k] for r in rounds])) for k in ("ecx", "ecx_proximity", "sia")}  # type: ignore[index]
        lines += [f"## {label}: {shape[0]} areas x {shape[1]} activities", "",
                  f"### The ratio: interleaved in one process ({len(rounds)} rounds, "
                  f"load {_load(res[f'pair:{case}'])})",
                  "", "Each round times ecomplexity's `ecomplexity()` (default arguments), its `proximity()`, and "
                  "sia's same outputs from the same wide values (presence + `outlook(convention=\"ecomplexity\")`:"
                  " RCA, ECI, PCI, proximity, density, COI, COG; median of 5 calls), back to back, so both sides "
                  "of a ratio ran under the same conditions; the ratio is taken per round. ecomplexity needs both "
                  "calls to return these numbers (`ecomplexity()` does not return the proximity matrix).", "",
                  "| | median (s) | median ratio per round | min - max ratio |", "|---|---:|---:|---:|",
                  f"| ecomplexity `ecomplexity()` | {med['ecx']:.3f} | {np.median(r_e):.0f}x | "
                  f"{min(r_e):.0f}x - {max(r_e):.0f}x |",
                  f"| ecomplexity `ecomplexity()` + `proximity()` (the same outputs) | "
                  f"{med['ecx'] + med['ecx_proximity']:.3f} | **{np.median(r_ep):.0f}x** | "
                  f"{min(r_ep):.0f}x - {max(r_ep):.0f}x |",
                  f"| sia, same outputs | {med['sia']:.4f} | | |", "",
                  f"Floor: the one double-precision BLAS product that density and COG need "
                  f"(`[M; M diag(w); 1; w] @ phi`, 2 x {shape[0]} x {shape[1]}^2 multiply-adds) takes "
                  f"{float(si['floor_median']):.4f} s alone on this machine (separate job below), so even with "
                  f"everything else free the ratio to `ecomplexity()` could not pass "
                  f"~{med['ecx'] / float(si['floor_median']):.0f}x here.", "",
                  "### Separate runs (one job per process, with memory)", "",
                  "| run | median time (s) | ratio ecomplexity / sia | tracemalloc peak (MB) | peak RSS (MB) | load |",
                  "|---|---:|---:|---:|---:|---:|",
                  f"| ecomplexity, check_logsupermodularity=False (n={len(nc['times'])}) | {t_nc:.3f} | | "  # type: ignore[arg-type]
                  f"{nc['tracemalloc_peak_mb']:.0f} | {nc['maxrss_mb']:.0f} | {_load(nc)} |",
                  f"| ecomplexity, default (check on) (n={len(ck['times'])}) | {t_ck:.3f} | | "  # type: ignore[arg-type]
                  f"{ck['tracemalloc_peak_mb']:.0f} | {ck['maxrss_mb']:.0f} | {_load(ck)} |",
                  f"| ecomplexity, check off, one BLAS thread (OPENBLAS_NUM_THREADS=1) (n={len(e1['times'])}) | "  # type: ignore[arg-type]
                  f"{t_e1:.3f} | | {e1['tracemalloc_peak_mb']:.0f} | {e1['maxrss_mb']:.0f} | {_load(e1)} |",
                  f"| **sia, same outputs** (RCA, ECI, PCI, proximity, density, COI, COG; ecomplexity preset) "
                  f"(n={args.repeats}) | {t_si:.4f} | "
                  f"**{t_nc / t_si:.0f}x** (check off) / {t_ck / t_si:.0f}x (default) / "
                  f"**{t_e1 / t_si:.0f}x** (one thread) | "
                  f"{si['tracemalloc_peak_mb']:.0f} | {si['maxrss_mb']:.0f} | {_load(si)} |",
                  f"| sia, ECI + PCI only (RCA + eigen) | {t_eci:.4f} | "
                  f"{t_nc / t_eci:.0f}x / {t_ck / t_eci:.0f}x / {t_e1 / t_eci:.0f}x | | | |",
                  f"| sia, every metric of the issue (incl. reflections, fitness, 4 normalisations, quadrants, "
                  f"clusters) | {float(si['total_median']):.4f} | {t_nc / float(si['total_median']):.0f}x / "  # type: ignore[arg-type]
                  f"{t_ck / float(si['total_median']):.0f}x / {t_e1 / float(si['total_median']):.0f}x | | | |", "",
                  "sia median time per metric (s):", "", "| metric | seconds |", "|---|---:|"]
        lines += [f"| {k} | {v:.4f} |" for k, v in si["per_metric"].items()]  # type: ignore[union-attr]
        lines += ["", "Equality with ecomplexity on the full file (tolerance `1e-9 |ref| + 1e-12 max|ref|`):", "",
                  "| column | cells | max abs diff | max diff / max|ref| | within 1e-9 |", "|---|---:|---:|---:|---|"]
        for col in ("eci", "pci", "density", "coi", "cog", "proximity"):
            q = eq[col]
            lines.append(f"| {col} | {q['n']} | {q['max_abs']:.2e} | {q['max_scaled']:.2e} | {q['within_1e-9']} |")  # type: ignore[index]
        lines.append("")
    if "synthetic:" in res:
        sy = res["synthetic:"]
        per = sy["per_metric"]
        lines += [f"## Synthetic sparse panel, sia only: {args.size} x {args.size} x {args.years} years", "",
                  f"Binary presence with lognormal area/activity propensities, {100 * float(sy['nnz_share']):.2f} % "  # type: ignore[arg-type]
                  "of cells present (scipy.sparse CSR, ~250,000 present cells a year; the inputs are generated "
                  f"before the clock starts). Years are processed {args.workers} at a time on a thread pool (one "
                  "per core; the numpy/scipy kernels release the GIL); every year computes ECI and PCI by the "
                  "eigenvector method (eigsh on the deflated symmetric operator) and by 18 reflections, "
                  "fitness-complexity (rank-stability stop), "
                  f"min-conditional proximity ({args.size} x {args.size} dense), relatedness density "
                  f"({args.size} x {args.size}), COI and Atlas COG ({args.size} x {args.size}). The dense outputs "
                  f"are float64, summarised (checksums) and dropped when the year is done, so at most {args.workers} "
                  "years' "
                  "outputs are alive. Density and COG come from two sparse-times-dense products `M @ phi` and "
                  "`(M diag(w)) @ phi` (rank-one identity `(1 - M) B = 1 colsum(B) - M B`, no dense `1 - M`), "
                  "run in one tiled pass over `phi` on a thread pool.", "",
                  f"All {args.years} years: **{float(sy['seconds']):.1f} s wall** (target < 60 s; "  # type: ignore[arg-type]
                  f"{float(sy['cpu_seconds']):.1f} s CPU over both threads; synthetic data generation, "  # type: ignore[arg-type]
                  f"{float(sy['generation_seconds']):.1f} s, excluded); "  # type: ignore[arg-type]
                  f"peak RSS {float(sy['maxrss_loop_mb']):.0f} MB after the loop, {float(sy['maxrss_mb']):.0f} MB "  # type: ignore[arg-type]
                  f"for the whole job (target < 8 GB); tracemalloc peak of one year "
                  f"{float(sy['tracemalloc_peak_mb']):.0f} MB; load before / after: {_load(sy)}; every checksum "  # type: ignore[arg-type]
                  f"finite: {sy['all_finite']}.", "",
                  f"| metric (in the {args.years}-year loop) | seconds over all years | seconds per year |",
                  "|---|---:|---:|"]
        lines += [f"| {k} | {v:.1f} | {v / args.years:.2f} |" for k, v in per.items()]  # type: ignore[union-attr]
        lines += ["", f"(Per-metric times are thread wall times summed over years; with {args.workers} years in "
                  "flight they overlap, so they add up to more than the total.)"]
        lines += ["", "Metrics **not** in the loop, timed once on year 0 (seconds per year; over "
                  f"{args.years} years they would add {args.years} times this):", "",
                  "| metric | seconds per year |", "|---|---:|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in sy["once_per_year"].items()]  # type: ignore[union-attr]
        lines.append("")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
