"""How much faster is an 8-scenario comparison when the months before the first policy are
simulated once per replicate (a shared prefix) than when each scenario runs from the start?

First the parts of one full-size replicate (population_scale 1, 2024-2027): building the
population with the 60-month burn-in, January-November 2024 (the prefix the shipped policies
of 2025-01-01 allow), and the rest; then the 8 scenarios x R replicates through
`tradeeco.run_many` with `share_prefix=True` and `False` (the latter is what 8 separate
`tradeeco.run` calls cost), wall time and CPU time, and a check that every variable of every
file is identical between the two. Results: bench/README.md.

    python bench/bench_shared_prefix.py                   # 20 replicates, 2 threads
    python bench/bench_shared_prefix.py --replicates 5 --threads 1
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

import tradeeco

SCENARIOS = (
    "baseline",
    "plan",
    "pkg_corridors",
    "pkg_digital",
    "pkg_industry_trade",
    "pkg_platforms",
    "pkg_trade_services",
    "shock_rmb_appreciation",
)


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def replicate_parts(spec, prefix_days: int) -> dict:
    """Seconds (CPU, one thread) of: population + burn-in, the prefix months, the rest."""
    c0 = cpu_seconds()
    m = tradeeco.Model(spec)
    c1 = cpu_seconds()
    m.advance(prefix_days)
    c2 = cpu_seconds()
    m.run()
    c3 = cpu_seconds()
    total = c3 - c0
    return {
        "population_and_burn_in_s": c1 - c0,
        "prefix_months_s": c2 - c1,
        "rest_s": c3 - c2,
        "total_s": total,
        "prefix_share": (c2 - c0) / total,
    }


def timed(specs: dict, folder: Path, threads: int, share: bool) -> tuple[dict, dict]:
    folder.mkdir()
    w0, c0 = time.perf_counter(), cpu_seconds()
    tradeeco.run_many(specs, folder, threads=threads, progress=False, share_prefix=share)
    w1, c1 = time.perf_counter(), cpu_seconds()
    return {"wall_s": w1 - w0, "cpu_s": c1 - c0}, {n: folder / f"{n}.nc" for n in specs}


def identical(a: dict, b: dict) -> bool:
    for n in a:
        with tradeeco.open(a[n]) as x, tradeeco.open(b[n]) as y:
            if set(x.data_vars) != set(y.data_vars):
                return False
            for v in x.data_vars:
                a_v, b_v = x[v].values, y[v].values
                # (NaN equals NaN in numbers; text variables, e.g. the posterior draws, have none)
                numeric = np.issubdtype(a_v.dtype, np.number)
                if not np.array_equal(a_v, b_v, equal_nan=numeric):
                    return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    specs = {n: tradeeco.load_scenario(n).with_(replicates=args.replicates) for n in SCENARIOS}
    prefix_days = tradeeco._native.core().shared_prefix_days(list(specs.values()))
    parts = replicate_parts(specs["plan"], prefix_days)
    with tempfile.TemporaryDirectory(prefix="tradeeco-bench-") as tmp:
        shared, files_shared = timed(specs, Path(tmp) / "shared", args.threads, True)
        alone, files_alone = timed(specs, Path(tmp) / "alone", args.threads, False)
        same = identical(files_shared, files_alone)
    report = {
        "machine": platform.processor() or platform.machine(),
        "threads": args.threads,
        "scenarios": list(SCENARIOS),
        "replicates": args.replicates,
        "prefix_days": prefix_days,
        "one_replicate": parts,
        "shared_prefix": shared,
        "from_the_start": alone,
        "speedup_wall": alone["wall_s"] / shared["wall_s"],
        "speedup_cpu": alone["cpu_s"] / shared["cpu_s"],
        "identical_results": same,
        "tradeeco": f"{tradeeco.__version__} ({tradeeco.git_revision()})",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
