"""Benchmark: synthetic firm records -> LAD x SIC 4-digit x year panel, DuckDB (and Spark for comparison).

One command::

    /work/venv/bin/python bench/bench_records.py --sizes 1M,10M,100M --spark-sizes 10M --workdir /tmp/sia-bench

For each size it generates the synthetic firm register (timed separately), then runs
``records_to_panel`` in a child process (postcode -> LAD through the area map, SIC codes
normalised, validated against ``^[0-9]{5}$`` and rolled up to 4 digits, fractional counting,
employment summed, panel written to Parquet) and measures the child's wall time and the peak
RSS of its whole process tree (Python + DuckDB threads, or Python + the Spark JVM), sampled
from /proc every 0.1 s. The load average is printed with each run (the machine is shared).
Data are deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _parse_count(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 10**3, "M": 10**6, "G": 10**9}.get(text[-1:], 1)
    return int(float(text[:-1] if text[-1:] in "KMG" else text) * mult)


def _label(n: int) -> str:
    return f"{n // 10**6}M" if n % 10**6 == 0 else f"{n // 1000}k"


def _tree_rss(pid: int) -> int:
    """Resident set size (bytes) of ``pid`` and all its descendants."""
    total = 0
    stack = [pid]
    seen: set[int] = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def wait_for_quiet(max_load: float, budget: list[float], step: float = 30.0) -> str:
    """Sleep while the 1-minute load average is above ``max_load`` (the machine is shared), drawing
    on ``budget[0]`` seconds in total; return the load average when the measurement starts."""
    while float(_loadavg().split()[0]) > max_load and budget[0] > 0:
        print(f"  load {_loadavg()} > {max_load}: waiting {step:.0f} s ({budget[0]:.0f} s of waiting left)",
              flush=True)
        time.sleep(step)
        budget[0] -= step
    return _loadavg()


def _kill_tree(pid: int) -> None:
    """Kill ``pid`` and its descendants (the Spark JVM is a child of the Python child)."""
    stack, seen = [pid], []
    while stack:
        p = stack.pop()
        seen.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    for p in reversed(seen):
        try:
            os.kill(p, 9)
        except ProcessLookupError:
            pass


def run_child(args: list[str], timeout: float | None = None) -> dict[str, object]:
    """Run this script in ``--run-one`` mode; return its JSON result plus wall time and peak tree RSS.

    After ``timeout`` seconds the child (and its JVM) is killed and a partial result is returned."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--run-one", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    timed_out = False
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        if timeout is not None and time.perf_counter() - t0 > timeout:
            _kill_tree(proc.pid)
            timed_out = True
            break
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    out, err = proc.communicate()
    if timed_out:
        return {"timed_out": True, "wall_s": round(wall, 2), "peak_rss_gb": round(peak / 2**30, 2),
                "stderr_tail": err[-500:]}
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {err[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall_s=round(wall, 2), peak_rss_gb=round(peak / 2**30, 2))
    return result


def run_one(engine: str, data_dir: str, memory_limit: str, threads: int, spill: str) -> None:
    """Child: aggregate and print a JSON line."""
    t_import = time.perf_counter()
    from sia.sources.records import records_to_panel, spark_session

    spark = None
    t_start = time.perf_counter()
    if engine == "spark":
        # Spark local: 3g driver (the JVM is the only executor), 4 shuffle partitions per core
        spark = spark_session(f"local[{threads}]", driver_memory="3g", shuffle_partitions=4 * threads)
    t_ready = time.perf_counter()
    out = Path(data_dir) / f"panel_{engine}.parquet"
    panel, report = records_to_panel(
        str(Path(data_dir) / "synthetic_firms-*.parquet"), area="postcode", activity="sic_codes", year="year",
        value="employment", area_map=Path(data_dir) / "synthetic_postcode_to_lad.csv", activity_level=4,
        activity_pattern=r"^[0-9]{5}$", multi_code="fractional", engine=engine,  # type: ignore[arg-type]
        memory_limit=memory_limit, threads=threads if engine == "duckdb" else None, temp_directory=spill,
        spark=spark, examples=0,  # no example passes: the benchmark times the one aggregation query
    )
    t_agg = time.perf_counter()
    panel.to_parquet(out)
    t_done = time.perf_counter()
    print(json.dumps({
        "engine": engine,
        "import_s": round(t_start - t_import, 2),
        "startup_s": round(t_ready - t_start, 2),
        "engine_query_s": round(report.engine_seconds, 2),
        "aggregate_s": round(report.seconds, 2),
        "records_to_panel_s": round(t_agg - t_ready, 2),
        "write_panel_s": round(t_done - t_agg, 2),
        "total_in_child_s": round(t_done - t_import, 2),
        "records": report.records_read,
        "aggregated": report.records_aggregated,
        "set_aside": report.records_set_aside_total,
        "code_rows": report.code_rows,
        "cells_with_records": report.cells,
        "panel_shape": [len(panel.areas), len(panel.activities), len(panel.years)],
        "reconciles": report.reconciles(),
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1M,10M,100M", help="DuckDB sizes (firms), comma-separated")
    ap.add_argument("--spark-sizes", default="10M", help="Spark sizes ('' for none)")
    ap.add_argument("--workdir", default="/tmp/sia-bench-records")
    ap.add_argument("--memory-limit", default="3GB")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the generated data")
    ap.add_argument("--max-load", type=float, default=2.5, help="wait while the 1-min load is above this")
    ap.add_argument("--max-wait", type=float, default=1200, help="total seconds to wait for a quiet machine")
    ap.add_argument("--spark-timeout", type=float, default=600, help="stop a Spark run after this many seconds")
    ap.add_argument("--run-one", nargs=5, metavar=("ENGINE", "DIR", "MEM", "THREADS", "SPILL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run_one:
        engine, data_dir, mem, threads, spill = args.run_one
        run_one(engine, data_dir, mem, int(threads), spill)
        return

    sys.path.insert(0, str(REPO / "src"))
    from sia.sources.synthetic import write_firms

    sizes = [_parse_count(s) for s in args.sizes.split(",") if s]
    spark_sizes = [_parse_count(s) for s in args.spark_sizes.split(",") if s]
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    spill = work / "spill"
    spill.mkdir(exist_ok=True)
    print(f"# machine: {os.cpu_count()} cores; load average at start {_loadavg()}", flush=True)
    rows = []
    budget = [args.max_wait]
    try:
        for n in sorted(set(sizes) | set(spark_sizes)):
            d = work / f"firms_{_label(n)}"
            info = d / "generation.json"
            if not info.exists():
                load_gen = _loadavg()
                t0 = time.perf_counter()
                res = write_firms(n, d, seed=2024, chunk_rows=2_000_000, rows_per_file=10_000_000)
                gen = {"gen_s": round(time.perf_counter() - t0, 1), "bytes": res.bytes, "files": len(res.files),
                       "gen_load": load_gen}
                info.write_text(json.dumps(gen))
            else:  # generated by an earlier (--keep) run: report that run's generation time
                gen = json.loads(info.read_text())
            print(f"generated {_label(n)}: {json.dumps(gen)} (load {_loadavg()})", flush=True)
            engines = (["duckdb"] if n in sizes else []) + (["spark"] if n in spark_sizes else [])
            for engine in engines:
                load0 = wait_for_quiet(args.max_load, budget)
                r = run_child([engine, str(d), args.memory_limit, str(args.threads), str(spill)],
                              timeout=args.spark_timeout if engine == "spark" else None)
                r.update(size=_label(n), engine=engine, load_before=load0, load_after=_loadavg(), **gen)
                rows.append(r)
                print(json.dumps(r), flush=True)
            if not args.keep:
                shutil.rmtree(d, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(spill, ignore_errors=True)
    print("\n| size | engine | generate (s) | Parquet (MB) | wall (s) | engine query (s) | records_to_panel (s) "
          "| write panel (s) | startup (s) | peak RSS tree (GB) | panel | load before/after |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if r.get("timed_out"):
            print(f"| {r['size']} | {r['engine']} | {r['gen_s']} | {r['bytes'] / 1e6:,.0f} | > {r['wall_s']} (stopped) "
                  f"| - | - | - | - | {r['peak_rss_gb']} (until stopped) | - "
                  f"| {r['load_before']} / {r['load_after']} |")
            continue
        print(f"| {r['size']} | {r['engine']} | {r['gen_s']} | {r['bytes'] / 1e6:,.0f} | {r['wall_s']} | "
              f"{r['engine_query_s']} | {r['aggregate_s']} | {r['write_panel_s']} | {r['startup_s']} | "
              f"{r['peak_rss_gb']} | "
              f"{' x '.join(map(str, r['panel_shape']))} | {r['load_before']} / {r['load_after']} |")


if __name__ == "__main__":
    main()
