"""How long does it take to open a 1,000-replicate result file and load every yearly and
monthly series into memory? Requirement (issue #6): under one second.

The file has the real layout: by default it is made by `tradeeco.ensemble` from the baseline
at population_scale 0.02 (the layout, 48 months x 4 years x every series, does not depend on
the population; only the values do), or pass --file to time an existing one (e.g. the
1,000-replicate file `bench_ensemble.py --target 1000 --folder F` leaves in F).

Timed, each in a fresh state: `tradeeco.open(path)` (lazy) alone, then `tradeeco.open(path)`
followed by `.load()` of every variable. For comparison: the same with xarray's h5netcdf and
netcdf4 engines named explicitly (whichever `tradeeco.open` uses), and a plain h5py read of every
dataset. Results: bench/README.md.

    python bench/bench_read.py                   # make the file, then time
    python bench/bench_read.py --file big.nc     # time an existing file
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from pathlib import Path

import h5py
import xarray as xr

import tradeeco


def make_file(folder: Path, replicates: int, scale: float) -> Path:
    out = folder / f"baseline_{replicates}.nc"
    if not out.exists():
        spec = tradeeco.load_scenario("baseline").with_(population_scale=scale)
        start = time.perf_counter()
        tradeeco.ensemble(spec, replicates=replicates, threads=0, out=out, progress=True).close()
        print(f"made {out} in {time.perf_counter() - start:.1f} s")
    return out


def timeit(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", help="time this result file instead of making one")
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--scale", type=float, default=0.02, help="population_scale of the made file")
    ap.add_argument("--folder", help="where to make the file (default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    if args.file:
        path = Path(args.file)
    else:
        folder = Path(args.folder or tempfile.mkdtemp(prefix="bench-read-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = make_file(folder, args.replicates, args.scale)

    with h5py.File(path, "r") as f:
        n = f["replicate"].shape[0]
        series = [k for k in f if isinstance(f[k], h5py.Dataset) and f[k].ndim == 2]
        monthly = sum(1 for k in series if f[k].dims[1][0].name == "/month")
        values = sum(f[k].size for k in series)
    print(
        f"{path}: {n} replicates, {len(series)} series ({monthly} monthly, "
        f"{len(series) - monthly} yearly), {values * 8 / 1e6:.1f} MB of float64, "
        f"{path.stat().st_size / 1e6:.1f} MB on disk; load average {os.getloadavg()[0]:.2f}"
    )

    def open_only():
        tradeeco.open(path).close()

    def open_and_load():
        with tradeeco.open(path) as ds:
            ds.load()
            assert ds.sizes["replicate"] == n

    def netcdf4_load():
        with xr.open_dataset(path, engine="netcdf4") as ds:
            ds.load()

    def h5netcdf_load():
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            ds.load()

    def h5py_read():
        with h5py.File(path, "r") as f:
            for k in series:
                f[k][()]

    open_and_load()  # imports and first-touch costs out of the way
    rows = [
        ("tradeeco.open (lazy)", timeit(open_only, args.repeat)),
        ("tradeeco.open + load all", timeit(open_and_load, args.repeat)),
        ("xarray h5netcdf + load all", timeit(h5netcdf_load, args.repeat)),
        ("xarray netcdf4 + load all", timeit(netcdf4_load, args.repeat)),
        ("h5py read all series", timeit(h5py_read, args.repeat)),
    ]
    print(f"\n{'what':<28}{'best s':>8}{'median s':>10}")
    for label, t in rows:
        print(f"{label:<28}{min(t):>8.3f}{statistics.median(t):>10.3f}")
    med = statistics.median(rows[1][1])
    print(f"\nrequirement: open + load under 1 s: {'met' if med < 1 else 'NOT met'} ({med:.3f} s)")


if __name__ == "__main__":
    main()
