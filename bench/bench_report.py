"""Benchmark: build the report of the synthetic audit (HTML, workbook, static images).

    /work/venv/bin/python bench/bench_report.py [--repeat 3] [--static]

Prints medians of wall-clock time, the HTML size and peak Python memory (tracemalloc) per step.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def main() -> None:
    from report_fixtures import write_synthetic_audit
    from sia.report import build_report, export_static, load_audit
    from sia.report.build import collect_charts

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--static", action="store_true")
    args = parser.parse_args()
    boundaries = REPO.parent / "shared" / "data" / "boundaries"
    with tempfile.TemporaryDirectory() as tmp:
        audit_dir = write_synthetic_audit(Path(tmp) / "audit")
        times: dict[str, list[float]] = {"html+xlsx": [], "static": []}
        peak = 0
        result = None
        for _ in range(args.repeat):
            tracemalloc.start()
            t0 = time.perf_counter()
            result = build_report(audit_dir, Path(tmp) / "r.html", xlsx_path=Path(tmp) / "r.xlsx",
                                  boundaries_dir=boundaries if boundaries.is_dir() else None)
            times["html+xlsx"].append(time.perf_counter() - t0)
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        if args.static:
            sections, global_charts, *_ = collect_charts(load_audit(audit_dir), boundaries_dir=boundaries)
            charts = [c for s in sections for cs in s.charts.values() for c in cs]
            charts += [c for cs in global_charts.values() for c in cs]
            t0 = time.perf_counter()
            files = export_static(charts, Path(tmp) / "static", formats=("png", "svg"))
            times["static"].append(time.perf_counter() - t0)
            print(f"static: {len(files)} files for {len(charts)} charts in {times['static'][0]:.1f} s")
        assert result is not None
        print(f"charts: {len(result.charts)} ({result.n_maps} maps); html {result.html_bytes / 1e6:.2f} MB")
        print(f"build html+xlsx median {statistics.median(times['html+xlsx']):.2f} s over {args.repeat}; "
              f"peak traced memory {peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
