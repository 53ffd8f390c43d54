"""Does a 10^4-run sensitivity study fit in an hour on this 2-core machine?

Runs a small study through the same driver as `tradeeco sensitivity` (the full-size baseline
and plan, 2024-2027, one replicate each per sample, common random numbers, worker
processes) and reports: wall time, model runs per second, the CPU seconds a run costs in the
workers (the machine-independent part of the answer), the load average around the
measurement, and what 10^4 runs take (a) at the measured rate and (b) on an otherwise idle
machine, where the workers get their cores to themselves: 10^4 x CPU per run / workers
(an extrapolation: it assumes the runs scale to both cores, as the ensemble bench found).
Results: bench/README.md.

    python bench/bench_sensitivity.py                  # 8 Sobol base samples: 112 runs
    python bench/bench_sensitivity.py --base 16 --workers 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

# The five parameters varied (any five do; these move the 2027 indicators, see
# docs/sensitivity.md). No screening: a Sobol design of N (5 + 2) samples.
PARAMETERS = [
    "trade_elasticity",
    "exit_hazard",
    "driver_uncertainty",
    "potential_pool_ratio",
    "entry_noise",
]
TARGET_RUNS = 10_000


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children (the workers, joined when each stage's
    pool closes): the driver's and the runs' cost together."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def measure(base: int, workers: int) -> dict:
    import tradeeco

    with tempfile.TemporaryDirectory() as tmp:
        load_before = os.getloadavg()
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        res = tradeeco.sensitivity(
            parameters=PARAMETERS,
            top_k=len(PARAMETERS),
            sobol_base=base,
            budget=2 * base * (len(PARAMETERS) + 2),
            workers=workers,
            cache=Path(tmp) / "cache.jsonl",
            progress=False,
        )
        wall = time.perf_counter() - t0
        cpu = cpu_seconds() - cpu0
        load_after = os.getloadavg()
    runs = res.meta["runs"]
    rate = runs / wall
    cpu_per_run = cpu / runs
    return {
        "workers": workers,
        "runs": runs,
        "wall_s": round(wall, 1),
        "runs_per_s": round(rate, 3),
        "cpu_s_per_run": round(cpu_per_run, 3),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "hours_for_1e4_at_this_rate": round(TARGET_RUNS / rate / 3600, 2),
        "hours_for_1e4_idle_estimate": round(TARGET_RUNS * cpu_per_run / workers / 3600, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=8, help="Sobol base samples (8: 112 runs)")
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    args = parser.parse_args()
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(json.dumps({"cores": cores, "cpu": _cpu_model(), "base": args.base}))
    for w in args.workers:
        print(json.dumps(measure(args.base, w)), flush=True)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
