"""Timings of sia.classification on the real shared data (run: python bench/bench_classification.py).

Prints medians of repeated runs and the peak traced memory; results go to docs/benchmarks/classification.md.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable

import pandas as pd

from sia.classification import find_shared_data, industrial_strategy_2025, naics_cbp, parse_code_ranges, sic2007
from sia.classification.sic import _sic2007_cached


def median_time(fn: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    root = find_shared_data()
    gva = pd.concat(
        pd.read_parquet(
            root / f"gva/ons_rgva_balanced_{k}_by_industry_1998_2023.parquet",
            columns=["industry.code", "industry.name"],
        ).drop_duplicates()
        for k in ("lad", "itl")
    ).drop_duplicates()

    def load_sic() -> object:
        _sic2007_cached.cache_clear()
        return sic2007(root)

    sic = sic2007(root)
    mixed = parse_code_ranges(gva, sic)
    baskets = industrial_strategy_2025(root)
    cases = {
        "sic2007 load (2 CSV + Nesta names, 1,727 nodes)": load_sic,
        "sic membership subclass->section (729 x 21)": lambda: sic.membership("subclass", "section"),
        "sic membership_for 729 subclasses -> division": lambda: sic.membership_for(sic.codes("subclass"), "division"),
        "parse_code_ranges 134 GVA codes": lambda: parse_code_ranges(gva, sic),
        "MixedCodeSet.membership leaves -> all (82 x 134)": lambda: mixed.membership(),
        "IS-8 BasketSet.membership at subclass": lambda: baskets.membership(sic, "subclass"),
        "naics_cbp (read 569k-row CSV + tree of 1,991 codes)": lambda: naics_cbp(root),
    }
    for name, fn in cases.items():
        tracemalloc.start()
        t = median_time(fn, repeat=3 if "naics" in name else 7)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"| {name} | {t * 1000:.1f} ms | {peak / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
