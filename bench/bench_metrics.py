"""Benchmark of the specialisation, concentration, diversity and dynamics metrics.

One command: ``python bench/bench_metrics.py`` (options: ``--years N`` for the synthetic panel,
``--repeats R``, ``--skip-synthetic``). It times every metric of :mod:`sia.metrics`

1. on US County Business Patterns 2019 (933 CBSAs x NAICS 6-digit, employment), where the
   dynamics metrics use a deterministic synthetic second year (CBP here is one year only);
2. on a deterministic synthetic 5,000 areas x 5,000 activities x N-year panel (default 20),
   processed year by year (a float64 year is 200 MB; the whole cube would be 4 GB), so the
   figures are per-year medians and 20-year totals;

and writes the table to ``docs/benchmarks/metrics.md`` with the machine (cores, CPU, RAM), the
median of the repeats, peak traced memory per metric (tracemalloc, a separate pass) and the
process's peak RSS. A plain pandas implementation of the LQ is timed for comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sia.metrics import concentration as conc
from sia.metrics import diversity as div
from sia.metrics import dynamics as dyn
from sia.metrics import specialisation as spec

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIA_SHARED_DATA", REPO.parent / "shared" / "data"))
OUT = REPO / "docs" / "benchmarks" / "metrics.md"


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {cpu}, RAM {ram}; "
            f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")


def metric_suite(X0: np.ndarray, X1: np.ndarray, groups: np.ndarray, pop: np.ndarray | None
                 ) -> dict[str, Callable[[], object]]:
    """Every metric as a zero-argument callable on one year (X0) or a pair of years (X0 -> X1)."""
    def presence() -> np.ndarray:
        return spec.binary_presence(spec.location_quotient(X0))

    return {
        "lq": lambda: spec.location_quotient(X0),
        "rca-binary": presence,
        "rca-symmetric": lambda: spec.symmetric_rca(spec.location_quotient(X0)),
        "lq-ci": lambda: spec.lq_confidence_interval(X0),
        "krugman": lambda: conc.krugman_index(X0),
        "hoover-coefficient": lambda: conc.hoover_coefficient(X0),
        "herfindahl": lambda: conc.herfindahl(X0),
        "entropy": lambda: conc.entropy(X0),
        "hachman": lambda: conc.hachman(X0),
        "lq-avg": lambda: conc.lq_average(X0),
        "gini": lambda: conc.gini(X0),
        "locational-gini": lambda: conc.locational_gini(X0),
        "hoover-index": lambda: conc.hoover_index(X0, pop),
        "diversity": lambda: div.diversity(presence()),
        "ubiquity": lambda: div.ubiquity(presence()),
        "variety": lambda: div.variety(X0, groups),
        "growth": lambda: dyn.growth(X0, X1),
        "entry-exit": lambda: dyn.entry_exit(presence(), spec.binary_presence(spec.location_quotient(X1))),
        "shift-share (dunn + E-M)": lambda: dyn.shift_share(X0, X1),
    }


def time_call(f: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU (process) time of ``repeats`` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def traced_peak(f: Callable[[], object]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    f()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024**2


def pandas_lq(long: pd.DataFrame) -> pd.Series:
    """A straightforward pandas LQ on the long table (the way analysts often write it)."""
    area_tot = long.groupby("area")["value"].transform("sum")
    act_tot = long.groupby("activity")["value"].transform("sum")
    return (long["value"] / area_tot) / (act_tot / long["value"].sum())


def load_cbp() -> tuple[np.ndarray, list[str], list[str], pd.DataFrame]:
    """Dense CBSA x NAICS 6-digit employment matrix (absent cells 0) and the long table."""
    d = pd.read_csv(SHARED / "us_cbp" / "cbp_2019_cbsa_naics_emp_estab.csv.gz",
                    dtype={"cbsa_code": str, "naics_code": str})
    d = d[(d["naics_level"] == 6) & d["naics_code"].str.isdigit()]
    wide = d.pivot_table(index="cbsa_code", columns="naics_code", values="EMP", aggfunc="sum", fill_value=0)
    long = d.rename(columns={"cbsa_code": "area", "naics_code": "activity", "EMP": "value"})[
        ["area", "activity", "value"]]
    return wide.to_numpy(dtype=np.float64), list(wide.index), list(wide.columns), long


def cbp_population(areas: list[str]) -> np.ndarray | None:
    path = SHARED / "us_cbp" / "county_cbsa_state_crosswalk.csv"
    if not path.exists():
        return None
    cw = pd.read_csv(path, dtype={"cbsa_code": str}).drop_duplicates("cbsa_code").set_index("cbsa_code")["cbsa_pop"]
    return cw.reindex(areas).fillna(0).to_numpy(dtype=np.float64)


def bench_cbp(repeats: int) -> tuple[list[tuple[str, float, float, float]], dict[str, object]]:
    t = time.perf_counter()
    X0, areas, acts, long = load_cbp()
    load_s = time.perf_counter() - t
    rng = np.random.default_rng(2019)
    X1 = np.round(X0 * rng.lognormal(0.02, 0.1, X0.shape))  # deterministic synthetic second year
    groups, _ = div.group_index([a[:2] for a in acts])  # NAICS sectors
    pop = cbp_population(areas)
    suite = metric_suite(X0, X1, groups, pop)
    rows = []
    for name, f in suite.items():
        f()  # warm-up
        rows.append((name, *time_call(f, repeats), traced_peak(f)))

    def everything() -> None:
        for f in suite.values():
            f()

    all_s = time_call(everything, max(3, repeats // 2))
    pd_s = time_call(lambda: pandas_lq(long), repeats)[0]
    info = {"shape": X0.shape, "nonzero": int((X0 > 0).sum()), "load_s": load_s, "all_s": all_s,
            "pandas_lq_s": pd_s, "pop": pop is not None, "long_rows": len(long)}
    return rows, info


def synthetic_year(t: int, n: int, base: np.ndarray, mask: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(1000 + t)
    drift = rng.standard_normal(n, dtype=np.float32) * np.float32(0.05)
    X = base * np.exp(drift[None, :] + np.float32(0.02) * t)
    return np.where(mask, X, np.float32(0)).astype(np.float64)


def bench_synthetic(n: int, years: int) -> tuple[list[tuple[str, float, float, float, float]], dict[str, object]]:
    rng = np.random.default_rng(42)
    base = rng.lognormal(3.0, 1.5, size=(n, n)).astype(np.float32)
    mask = rng.random((n, n), dtype=np.float32) < 0.6
    groups = (np.arange(n) // 50).astype(np.int64)  # 100 groups of 50 activities
    per_metric: dict[str, list[float]] = {}
    per_cpu: dict[str, list[float]] = {}
    peaks: dict[str, float] = {}
    t_all = time.perf_counter()
    X0 = synthetic_year(0, n, base, mask)
    dyn_acc = None
    for t in range(years):
        X1 = synthetic_year(t + 1, n, base, mask)
        suite = metric_suite(X0, X1, groups, None)
        for name, f in suite.items():
            start, cstart = time.perf_counter(), time.process_time()
            res = f()
            per_metric.setdefault(name, []).append(time.perf_counter() - start)
            per_cpu.setdefault(name, []).append(time.process_time() - cstart)
            if name.startswith("shift-share"):  # dynamic shift-share: running sum of the yearly decompositions
                dyn_acc = res if dyn_acc is None else dyn.ShiftShare(*(a + b for a, b in zip(dyn_acc, res,  # type: ignore[arg-type]
                                                                                                strict=True)))
            del res
        if t == 0:
            for name, f in suite.items():
                peaks[name] = traced_peak(f)
        X0 = X1
    total = time.perf_counter() - t_all
    rows = [(name, statistics.median(v), statistics.median(per_cpu[name]), sum(v), peaks[name])
            for name, v in per_metric.items()]
    return rows, {"n": n, "years": years, "total_s": total}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--size", type=int, default=5000)
    ap.add_argument("--skip-synthetic", action="store_true")
    args = ap.parse_args()

    lines = ["# Metrics I benchmark: specialisation, concentration, diversity, dynamics", "",
             f"Machine: {machine()}.", "",
             "Command: `python bench/bench_metrics.py` (this file was written by it). Times are wall-clock medians; "
             "'peak traced' is the tracemalloc peak of one call (numpy buffers included); the process peak RSS is "
             "at the end. EconGeo (R) cannot run here (no R installed), so the comparison is with a plain pandas "
             "LQ. The machine is shared with other jobs, so times are indicative.", ""]
    rows, info = bench_cbp(args.repeats)
    r, c = info["shape"]  # type: ignore[misc]
    lines += [f"## US CBP 2019: {r} CBSAs x {c} NAICS 6-digit industries (employment)", "",
              f"{info['nonzero']:,} non-zero cells of {r * c:,}; reading and pivoting the CSV took "
              f"{info['load_s']:.2f} s (not included). Dynamics use a deterministic synthetic 2020 "
              "(X * lognormal(0.02, 0.1), rounded). Hoover index with CBSA population from the crosswalk; "
              "variety with NAICS 2-digit sectors as groups.", "",
              f"| metric | median wall time ({args.repeats} repeats) | median CPU time | peak traced memory |",
              "|---|---:|---:|---:|"]
    for name, t, cpu, m in rows:
        lines.append(f"| {name} | {t * 1000:.1f} ms | {cpu * 1000:.1f} ms | {m:.0f} MiB |")
    sum_med = sum(t for _, t, _, _ in rows)
    sum_cpu = sum(c for _, _, c, _ in rows)
    lq_t = next(t for n, t, _, _ in rows if n == "lq")
    all_wall, all_cpu = info["all_s"]  # type: ignore[misc]
    lines += ["", f"**All {len(rows)} metrics in one pass: {all_wall:.3f} s wall, {all_cpu:.3f} s CPU** "
              f"(sums of the per-metric medians: {sum_med:.3f} s wall, {sum_cpu:.3f} s CPU; "
              "target: under 1 s on 2 cores).", "",
              f"Plain pandas LQ (groupby-transform on the long table of the {info['long_rows']:,} published rows): "
              f"{info['pandas_lq_s'] * 1000:.1f} ms, i.e. {info['pandas_lq_s'] / lq_t:.1f}x the numpy LQ on the "
              "dense matrix.", ""]
    print("\n".join(lines), flush=True)
    if not args.skip_synthetic:
        srows, sinfo = bench_synthetic(args.size, args.years)
        n, y = sinfo["n"], sinfo["years"]
        lines += [f"## Synthetic panel: {n:,} areas x {n:,} activities x {y} years (60 % non-zero, lognormal)", "",
                  "Generated deterministically year by year (float32 base, float64 year matrices of "
                  f"{n * n * 8 / 1024**2:.0f} MiB); the metrics run one year at a time (the full cube would be "
                  f"{n * n * y * 8 / 1024**3:.1f} GiB in float64). Dynamics run on consecutive pairs; the dynamic "
                  "shift-share is the running sum of the yearly decompositions.", "",
                  "| metric | median wall per year | median CPU per year | wall total over the years "
                  "| peak traced memory (one year) |",
                  "|---|---:|---:|---:|---:|"]
        for name, med, cpu, tot, m in srows:
            lines.append(f"| {name} | {med:.2f} s | {cpu:.2f} s | {tot:.1f} s | {m:.0f} MiB |")
        lines += ["", f"All metrics, all {y} years, including data generation: {sinfo['total_s']:.0f} s.", ""]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()
    lines += [f"Process peak RSS: {rss:.0f} MiB. Load average at the end (1/5/15 min): "
              f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores, so wall times include "
              "waiting for the CPU; the CPU column is the process's own time.", ""]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines[-12:]))
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
