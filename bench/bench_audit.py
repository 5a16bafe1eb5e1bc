"""Cold-start time of the Midlands Engine audit (the README's main job), and its peak memory.

Run: ``python bench/bench_audit.py [repeats]`` from the repository root (needs ../shared/data).
Each repeat is a fresh ``sia audit`` process (imports, loading every evidence file, all steps, writing
the tables), timed from outside; peak RSS is the child's ru_maxrss. Results go to
docs/benchmarks/audit.md.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOT = Path(os.environ.get("SIA_SHARED_DATA", REPO.parent / "shared" / "data"))
SIA = Path(sys.executable).with_name("sia")


def run_once(out: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([str(SIA), "audit", str(REPO / "examples" / "midlands-engine.toml"), "-o", str(out),
                    "--data-dir", str(ROOT), "--quiet"], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            t, p = run_once(Path(tmp) / f"run{i}")
            times.append(t)
            peaks.append(p)
            print(f"run {i + 1}: {t:.1f} s, peak RSS {p:.0f} MB (load {os.getloadavg()[0]:.1f})", flush=True)
    load = os.getloadavg()
    lines = [
        "# Audit cold start",
        "",
        f"`python bench/bench_audit.py {repeats}`: {repeats} fresh `sia audit examples/midlands-engine.toml` "
        "processes.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (other work was running).",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| median wall time (cold start, all steps) | {statistics.median(times):.1f} s |",
        f"| min / max | {min(times):.1f} s / {max(times):.1f} s |",
        f"| peak RSS | {max(peaks):.0f} MB |",
        "| target | under 30 s |",
        "",
    ]
    out = REPO / "docs" / "benchmarks" / "audit.md"
    out.write_text("\n".join(lines))
    print(out.read_text())


if __name__ == "__main__":
    main()
