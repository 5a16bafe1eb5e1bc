"""Load times of the real shared files, the DuckDB store and a LAD -> ITL1 aggregation.

Run: ``python bench/bench_sources.py [repeats]`` from the repository root (needs ../shared/data).
Each load runs in this process ``repeats`` times (default 3); the table prints median wall time,
panel size and the process's peak RSS after the run (ru_maxrss, monotone over the run).
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sia.panel import aggregate_areas
from sia.sources import load
from sia.sources.store import Store

ROOT = Path(os.environ.get("SIA_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
FILES = [
    ("gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet", {}),
    ("gva/ons_rgva_balanced_itl_by_industry_1998_2023.parquet", {}),
    ("employment/bres_itl2_sic5_employment_2015_2021.csv.gz", {}),
    ("business_counts/ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz", {}),
    ("trade/ots_world_trade_country_hs4_exports_2017.csv.gz", {}),
    ("us_cbp/cbp_2019_cbsa_naics_emp_estab.csv.gz", {}),
]


def timed(fn, repeats: int):  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, repeats {repeats}")
    print("| step | rows read | cells | median s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    panels = {}
    for rel, opts in FILES:
        sec, panel = timed(lambda rel=rel, opts=opts: load(ROOT / rel, **opts), repeats)
        panels[rel] = panel
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| load {Path(rel).name} | {panel.provenance[0].rows_read:,} | {panel.values.size:,} | {sec:.2f} | "
              f"{rss:.0f} |")
    from sia.geography import uk

    geo = uk()
    lad = panels[FILES[0][0]]
    sec, _ = timed(lambda: aggregate_areas(lad, geo, "LAD", "ITL1"), repeats)
    print(f"| aggregate LAD GVA -> ITL1 | | {lad.values.size:,} | {sec:.2f} | "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} |")
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.duckdb") as store:
        sec, _ = timed(lambda: store.put("gva", lad), repeats)
        print(f"| store.put LAD GVA | | {lad.values.size:,} | {sec:.2f} | "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} |")
        sec, _ = timed(lambda: store.get("gva"), repeats)
        print(f"| store.get LAD GVA | | {lad.values.size:,} | {sec:.2f} | "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} |")
        p = Path(tmp) / "p.parquet"
        sec, _ = timed(lambda: lad.to_parquet(p), repeats)
        print(f"| to_parquet LAD GVA | | {lad.values.size:,} | {sec:.2f} | "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} |")


if __name__ == "__main__":
    main()
