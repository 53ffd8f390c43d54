"""How many replicates per second does `tradeeco.ensemble` run the Chongqing baseline at, on 1
and on 2 threads, and does a 1,000-replicate study fit in 10 minutes?

Runs the full-size baseline (population_scale 1, 2024-2027) through the whole ensemble path
(shards, manifest, join into one file) with 1 thread and with 2, reports replicates per second,
the parallel efficiency (rate on 2 threads / (2 x rate on 1)), the join's share of the time,
and the time 1,000 replicates take at the measured rate. `--target` also runs the 1,000
replicates for real. Results: bench/README.md.

    python bench/bench_ensemble.py                       # 100 replicates on 1 and on 2 threads
    python bench/bench_ensemble.py --replicates 200 --threads 1 2
    python bench/bench_ensemble.py --target 1000         # and time 1,000 replicates on 2 threads
    python bench/bench_ensemble.py --dask                # also on a 2-worker LocalCluster
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import tradeeco
from tradeeco.ensemble import join_shards


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or "unknown"


def timed_study(spec, replicates: int, threads: int, folder: Path, client=None) -> dict:
    out = folder / f"study_t{threads}{'_dask' if client else ''}.nc"
    shards = out.with_name(out.name + ".shards")
    for p in (out, shards):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    tradeeco.ensemble(
        spec,
        replicates=replicates,
        threads=threads,
        client=client,
        out=out,
        progress=False,
        keep_shards=True,
        resume=False,
    ).close()
    total = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    load_after = os.getloadavg()[0]
    # The join alone, again from the kept shards (the study's own join is inside `total`).
    files = sorted(shards.glob("replicates-*.nc"))
    firsts = [int(p.name.split("-")[1]) for p in files]
    start = time.perf_counter()
    join_shards(list(zip(files, firsts, strict=True)), folder / "join_again.nc")
    join = time.perf_counter() - start
    size = out.stat().st_size
    shutil.rmtree(shards)
    (folder / "join_again.nc").unlink()
    return {
        "threads": threads,
        "backend": "dask" if client else "local",
        "replicates": replicates,
        "shards": len(files),
        "seconds": total,
        "replicates_per_second": replicates / total,
        "join_seconds": join,
        # CPU seconds of this process (the Dask workers' are not counted): on an idle machine
        # about `threads` x seconds; much less means other processes took the cores.
        "cpu_seconds": cpu if client is None else None,
        "load_average_before_after": [load_before, load_after],
        "file_mb": size / 1e6,
        "path": str(out),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicates", type=int, default=100)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--target", type=int, default=0, help="also run this many on max threads")
    ap.add_argument("--dask", action="store_true", help="also on a 2-worker LocalCluster")
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--folder", help="where to write (default: a temporary folder)")
    ap.add_argument("--json", help="write the results here as JSON too")
    args = ap.parse_args()

    spec = tradeeco.load_scenario(args.scenario)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench-ensemble-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} logical CPUs, load average "
        f"{os.getloadavg()[0]:.2f}; tradeeco {tradeeco.__version__} "
        f"({tradeeco.git_revision()}); scenario {spec.name}, population_scale "
        f"{spec.population_scale}, {spec.start}..{spec.end}"
    )
    rows = []
    for t in args.threads:
        rows.append(timed_study(spec, args.replicates, t, folder))
        print(json.dumps(rows[-1]))
    if args.dask:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            rows.append(timed_study(spec, args.replicates, 1, folder, client=client))
            print(json.dumps(rows[-1]))
    target = None
    if args.target:
        target = timed_study(spec, args.target, max(args.threads), folder)
        print(json.dumps(target))

    by_threads = {r["threads"]: r for r in rows if r["backend"] == "local"}
    print(
        f"\n{'run':<22}{'replicates':>11}{'shards':>8}{'seconds':>10}{'rep/s':>8}"
        f"{'join s':>8}{'cpu/wall':>9}{'load':>11}"
    )
    for r in [*rows, *([target] if target else [])]:
        label = f"{r['backend']}, {r['threads']} thread(s)"
        if r["backend"] == "dask":
            label = "dask, 2 workers x 1"
        util = "" if r["cpu_seconds"] is None else f"{r['cpu_seconds'] / r['seconds']:.2f}"
        load = "{:.1f}->{:.1f}".format(*r["load_average_before_after"])
        print(
            f"{label:<22}{r['replicates']:>11}{r['shards']:>8}{r['seconds']:>10.1f}"
            f"{r['replicates_per_second']:>8.2f}{r['join_seconds']:>8.2f}{util:>9}{load:>11}"
        )
    if 1 in by_threads and 2 in by_threads:
        eff = by_threads[2]["replicates_per_second"] / (2 * by_threads[1]["replicates_per_second"])
        print(f"parallel efficiency on 2 threads: {eff:.0%}")
    best = max(r["replicates_per_second"] for r in rows)
    print(f"1,000 replicates at the best measured rate: {1000 / best / 60:.1f} min")
    if target:
        print(
            f"measured: {target['replicates']} replicates in {target['seconds'] / 60:.1f} min "
            f"on {target['threads']} thread(s)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "target": target}, indent=2))
    if not args.folder:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
