"""Benchmark sia.supply on synthetic IO tables (n = 105, 500, 2000): L, multipliers, linkages, extraction.

Run: /work/venv/bin/python bench/bench_supply.py  (results go to docs/benchmarks/supply.md by hand).
Compares the vectorised (Sherman-Morrison) extraction with n explicit re-solves, and sia's L with pymrio's.
"""

from __future__ import annotations

import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pymrio

from sia.supply.core import leontief_inverse, output_multipliers, technical_coefficients
from sia.supply.extraction import extraction_losses


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Z = rng.lognormal(0, 1.5, (n, n)) * (rng.random((n, n)) < 0.6)
    x = Z.sum(axis=0) / rng.uniform(0.3, 0.7, n)  # intermediate share of inputs 30-70 %
    return Z, x


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print("| n | step | median s | peak MiB |")
    print("|---|---|---|---|")
    for n in (105, 500, 2000):
        Z, x = synthetic(n)
        A = technical_coefficients(Z, x)
        f = x - Z.sum(axis=1)
        rep = 5 if n <= 500 else 3
        L = leontief_inverse(A)
        rows: dict[str, Callable[[], object]] = {
            "sia leontief_inverse (LU + solve)": lambda A=A: leontief_inverse(A),
            "pymrio calc_L (np.linalg.inv)": lambda A=A: pymrio.calc_L(A),
            "output multipliers (given L)": lambda L=L: output_multipliers(L),
            "complete extraction, all k (vectorised)": lambda L=L, f=f: extraction_losses(L, f, "complete"),
        }
        if n <= 500:
            def resolve_all(A: np.ndarray = A, f: np.ndarray = f, n: int = n) -> None:
                for k in range(n):
                    keep = np.arange(n) != k
                    np.linalg.solve(np.eye(n - 1) - A[np.ix_(keep, keep)], f[keep])
            rows["complete extraction, n re-solves (naive)"] = resolve_all
        for name, fn in rows.items():
            med, peak = timed(fn, rep if "naive" not in name else 1)
            print(f"| {n} | {name} | {med:.4f} | {peak:.1f} |")


if __name__ == "__main__":
    main()
