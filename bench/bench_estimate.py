"""District employment estimates: validation table and run time, written into docs/estimates.md.

Run: ``python bench/bench_estimate.py [repeats]`` from the repository root (needs ../shared/data or
$SIA_SHARED_DATA). It

1. runs the validation (:func:`sia.estimate.validation.validate_itl2`: ITL2 hidden, estimated from ITL1
   margins and priors aggregated to ITL2) and formats its scores per method and true-cell-size band;
2. times ``estimate_lad_employment`` for every GB district x 88 divisions x 7 years (with its default
   Monte Carlo refits) in ``repeats`` fresh processes (default 3): the call alone and the whole process
   (import included), with each process's peak RSS;
3. replaces the text between the ``<!-- bench:... -->`` markers of docs/estimates.md with both tables.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOT = Path(os.environ.get("SIA_SHARED_DATA", REPO.parent / "shared" / "data"))
DOC = REPO / "docs" / "estimates.md"

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
from sia.estimate import estimate_lad_employment
t1 = time.perf_counter()
est = estimate_lad_employment(Path(sys.argv[1]))
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"call": t2 - t1, "process": t2 - t0, "rss_mb": rss,
                  "cells": int(est.panel.values.size), "shape": list(est.panel.values.shape),
                  "iterations": est.summary.iterations, "residual": est.summary.max_margin_residual,
                  "draws": est.summary.n_draws, "draw_iterations": est.summary.draw_iterations}))
"""


def _fmt(x: float, pct: bool = False) -> str:
    if x != x:  # NaN
        return "-"
    return f"{100 * x:.1f}%" if pct else f"{x:.3f}"


def validation_table() -> tuple[str, float]:
    from sia.estimate.inputs import read_inputs
    from sia.estimate.validation import validate_itl2

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = validate_itl2(read_inputs(ROOT))
    sec = time.perf_counter() - t0
    lines = [
        "| method | true cell size (jobs) | cells | median APE | LQ >= 1 status right | median within-area LQ rank "
        "correlation | 90% interval coverage |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in v.rows:
        lines.append(
            f"| {r['method']} | {r['band']} | {int(r['cells']):,} | {_fmt(float(r['median_ape']), True)} | "
            f"{_fmt(float(r['lq_status_agreement']), True)} | {_fmt(float(r['lq_spearman']))} | "
            f"{_fmt(float(r.get('coverage', float('nan'))), True)} |"
        )
    return "\n".join(lines), sec


def timing_table(repeats: int) -> str:
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT)], cwd=REPO, check=True, capture_output=True,
                             text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    load = os.getloadavg()
    med = {k: statistics.median(r[k] for r in runs) for k in ("call", "process", "rss_mb")}
    r0 = runs[0]
    shape = " x ".join(str(n) for n in r0["shape"])
    return "\n".join([
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{repeats} fresh processes; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(the machine is shared with other work).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| size | {shape} (districts x divisions x years) = {r0['cells']:,} cells; {r0['draws']} Monte Carlo refits |",
        f"| median wall time, `estimate_lad_employment` call (reads every file, fits, refits) | {med['call']:.1f} s |",
        f"| min / max of the call | {min(r['call'] for r in runs):.1f} s / {max(r['call'] for r in runs):.1f} s |",
        f"| median wall time, whole process (imports included) | {med['process']:.1f} s |",
        f"| median peak RSS | {med['rss_mb']:.0f} MB |",
        f"| RAS sweeps (point fit / largest over the refits) | {r0['iterations']} / {r0['draw_iterations']} |",
        f"| largest ITL2 x division margin residual | {r0['residual']:.1g} jobs |",
        "| target | under 60 s |",
    ])


def replace_block(text: str, name: str, body: str) -> str:
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"{DOC}: markers {start} / {end} not found")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    table, sec = validation_table()
    print(table)
    print(f"validation: {sec:.1f} s")
    timing = timing_table(repeats)
    print(timing)
    text = DOC.read_text()
    text = replace_block(text, "validation", table)
    text = replace_block(text, "timing", timing)
    DOC.write_text(text)
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
