#!/usr/bin/env python3
"""Writes docs/nowcast.md: the nowcast's format and method, the twin experiments and the real
example, with every figure computed here (never hand-edited).

The runs are the expensive part (a few minutes on 2 cores); they are cached in --cache (default
build/nowcast_docs/), so that changing the prose and regenerating is quick. The page records a
fingerprint of this script and of python/tradeeco/nowcast.py; tests/python/test_nowcast.py
fails when either changed since the page was generated, so the page cannot drift from the code.

    python tools/gen_nowcast_docs.py                 # run (or reuse the cache) and write the page
    python tools/gen_nowcast_docs.py --fresh         # discard the cache first
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "nowcast.md"
GENERATOR = "tools/gen_nowcast_docs.py"
EXAMPLE = REPO / "data" / "observations_2024.csv"
TEMPLATE = REPO / "tools" / "nowcast_doc_template.md"

# Twin-experiment settings (docs/nowcast.md reports them).
MEMBERS = 150  # prior members, one run each, shared by all twins
TWINS = 60  # truths: members 0..TWINS-1 re-run with another random stream
END = "2024-12-31"  # runs cover 2024 only (the nowcast year)
SEED = 2024  # parameter draws and observation noise
OBS_NOISE = 0.01  # relative sd of the Gaussian noise on each published figure
REL_ERROR = 0.02  # the filter's observation-error scale (relative)
DF = 5.0  # the filter's Student-t degrees of freedom
MONTHS = (3, 6, 9)
OBSERVED = ("exports_cny_100m", "imports_cny_100m")  # total = exports + imports
FORECAST = ("total_trade_cny_100m", "exports_cny_100m", "imports_cny_100m")
TRUTH_REPLICATE = 100_000  # truth j runs replicate TRUTH_REPLICATE + j
EXAMPLE_MEMBERS = 40
EXAMPLE_END = "2025-12-31"


def fingerprint() -> str:
    h = hashlib.sha256()
    for p in (REPO / GENERATOR, TEMPLATE, REPO / "python" / "tradeeco" / "nowcast.py"):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def simulate(cache: Path, threads: int) -> tuple[xr.Dataset, xr.Dataset, pd.DataFrame]:
    """The prior members and the truths (cached as netCDF)."""
    import tradeeco
    from tradeeco import nowcast as nc

    cache.mkdir(parents=True, exist_ok=True)
    spec = tradeeco.load_scenario("baseline").with_(end=END)
    table = nc.prior()
    sets = nc.draw_parameters(MEMBERS, np.random.default_rng(SEED), table)
    files = {"members": cache / "members.nc", "truths": cache / "truths.nc"}
    jobs = {
        "members": (sets, list(range(MEMBERS))),
        "truths": (sets[:TWINS], [TRUTH_REPLICATE + j for j in range(TWINS)]),
    }
    out = {}
    for name, (psets, ids) in jobs.items():
        if not files[name].exists():
            t0 = time.time()
            _log(f"running {len(psets)} {name} ...")
            ds = nc.run_members(spec, psets, ids, threads=threads)
            tmp = files[name].with_suffix(".tmp")
            ds.to_netcdf(tmp, engine="h5netcdf")
            tmp.replace(files[name])
            seconds = time.time() - t0
            (cache / f"{name}.seconds").write_text(f"{seconds:.0f}\n")
            _log(f"{name}: {seconds:.0f} s")
        with xr.open_dataset(files[name], engine="h5netcdf") as f:
            out[name] = f.load()
    return out["members"], out["truths"], table


def _quarters(m: int) -> list[tuple[str, str]]:
    return [(f"2024-{q * 3 + 1:02d}", f"2024-{q * 3 + 3:02d}") for q in range(m // 3)]


def twins(members: xr.Dataset, truths: xr.Dataset) -> pd.DataFrame:
    """One row per twin, months of data and forecast indicator."""
    from tradeeco import nowcast as nc

    rng = np.random.default_rng(SEED + 1)
    rows = []
    for j in range(TWINS):
        ensemble = members.isel(replicate=[i for i in range(MEMBERS) if i != j])
        truth = truths.isel(replicate=[j])
        full_truth = {v: float(truth[v].values.ravel()[0]) for v in FORECAST}
        noise = rng.normal(0.0, OBS_NOISE, size=(len(OBSERVED), 3))
        for m in (0, *MONTHS):
            obs = []
            for a, (start, end) in enumerate(_quarters(m)):
                for k, ind in enumerate(OBSERVED):
                    probe = nc.Observation(ind, start, end, 0.0, "100m CNY", "twin")
                    value = float(nc.simulated(truth, probe)[0]) * (1 + noise[k, a])
                    obs.append(nc.Observation(ind, start, end, value, "100m CNY", "twin"))
            flt = nc.ParticleFilter(ensemble, obs, rel_error=REL_ERROR, df=DF, seed=j)
            flt.run()
            post, w = flt.members, flt.weights
            for v in FORECAST:
                x = post[v].values.ravel()
                lo, hi = nc.weighted_quantile(x, w, [0.1, 0.9])
                estimate = float(np.sum(w * x))
                naive = np.nan
                if m:
                    ytd_obs = sum(
                        o.value for o in obs if v == "total_trade_cny_100m" or o.indicator == v
                    )
                    monthly = nc.OBSERVABLES[v].variable
                    ens = ensemble[monthly].transpose("replicate", "month").values
                    share = float(np.mean(ens[:, :m].sum(axis=1) / ens.sum(axis=1)))
                    naive = ytd_obs / share
                t = full_truth[v]
                rows.append(
                    {
                        "twin": j,
                        "months": m,
                        "indicator": v,
                        "truth": t,
                        "error": abs(estimate - t) / t * 100,
                        "naive_error": abs(naive - t) / t * 100,
                        "covered": bool(lo <= t <= hi),
                        "width": (hi - lo) / t * 100,
                        "ess": flt.ess if not flt.updates else flt.updates[-1].ess,
                    }
                )
        if j % 10 == 9:
            _log(f"twin {j + 1}/{TWINS}")
    return pd.DataFrame(rows)


def real_example(threads: int):
    import tradeeco
    from tradeeco import nowcast as nc

    t0 = time.time()
    result = nc.nowcast(
        "baseline",
        EXAMPLE,
        members=EXAMPLE_MEMBERS,
        end=EXAMPLE_END,
        threads=threads,
        seed=SEED,
    )
    _log(f"real example: {time.time() - t0:.0f} s")
    del tradeeco
    return result, time.time() - t0


def _md_table(df: pd.DataFrame, floatfmt: str = "{:.1f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = []
        for x in row:
            if isinstance(x, float):
                cells.append(floatfmt.format(x))
            else:
                cells.append(str(x))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _findings(tw: pd.DataFrame) -> str:
    """The twin experiments' verdicts, worded from the numbers."""
    by = tw.groupby(["indicator", "months"])
    err = by["error"].mean().unstack()
    naive = by["naive_error"].mean().unstack()
    months = list(MONTHS)
    lines = []
    for ind in FORECAST:
        e = [err.loc[ind, m] for m in months]
        trend = "falls" if all(a > b for a, b in itertools.pairwise(e)) else "does not fall"
        lines.append(
            f"* `{ind}`: the mean error {trend} with the months of data, "
            + " -> ".join(f"{x:.2f} %" for x in e)
            + f" (prior {err.loc[ind, 0]:.2f} %); naive benchmark "
            + " -> ".join(f"{naive.loc[ind, m]:.2f} %" for m in months)
            + "."
        )
    data = tw[tw["months"] > 0]
    cover = data["covered"].mean() * 100
    verdict = "inside" if 70 <= cover <= 90 else "outside"
    lines.append(
        f"* Coverage of the 80 % intervals over all {TWINS} twins, horizons and indicators "
        f"({len(data)} cases): {cover:.0f} %, {verdict} the 70-90 % band."
    )
    wins = (data["error"] < data["naive_error"]).mean() * 100
    mean_now, mean_naive = data["error"].mean(), data["naive_error"].mean()
    better = "beats" if mean_now < mean_naive else "does not beat"
    lines.append(
        f"* Against the naive benchmark: mean error {mean_now:.2f} % vs {mean_naive:.2f} %; "
        f"the nowcast {better} it on average and is closer in {wins:.0f} % of the cases."
    )
    return "\n".join(lines)


def render(members, table, tw: pd.DataFrame, example, example_seconds: float, seconds) -> str:
    body = TEMPLATE.read_text()
    summary = (
        tw.groupby(["months", "indicator"], sort=True)
        .agg(
            error=("error", "mean"),
            naive_error=("naive_error", "mean"),
            coverage=("covered", "mean"),
            width=("width", "mean"),
            ess=("ess", "mean"),
        )
        .reset_index()
    )
    summary["coverage"] *= 100
    summary = summary.rename(
        columns={
            "months": "months of data",
            "error": "nowcast error, %",
            "naive_error": "naive error, %",
            "coverage": "80 % interval covers truth, %",
            "width": "interval width, % of truth",
            "ess": "ESS",
        }
    )
    overall = tw[tw["months"] > 0]
    findings = _findings(tw)
    cover_all = overall["covered"].mean() * 100
    beats = (overall["error"] < overall["naive_error"]).mean() * 100
    prior_rows = "\n".join(
        f"| `{r.key}` | {r.min:g} | {r.max:g} | {r.unit} |" for r in table.itertuples()
    )
    att = example.attainment()
    att = att[["indicator", "year", "target", "unit", "p_prior", "p_met", "change"]]
    fc = example.forecast()
    fc = fc[fc["indicator"] == "total_trade_cny_100m"][
        ["indicator", "year", "prior_mean", "prior_q0.1", "prior_q0.9", "mean", "q0.1", "q0.9"]
    ]
    warnings = "\n".join(f"    WARNING {w}" for w in example.warnings()) or "    (none)"
    updates = ", ".join(
        f"{u.month}: ESS {u.ess:.1f} of {example.members}"
        + (f", resampled, {u.moved} moves accepted" if u.resampled else "")
        for u in example.updates
    )
    values = {
        "FINGERPRINT": fingerprint(),
        "MEMBERS": MEMBERS,
        "TWINS": TWINS,
        "END": END,
        "OBS_NOISE": f"{OBS_NOISE * 100:g}",
        "REL_ERROR": f"{REL_ERROR:g}",
        "DF": f"{DF:g}",
        "SECONDS": f"{seconds:.0f}",
        "PRIOR_ROWS": prior_rows,
        "TWIN_TABLE": _md_table(summary),
        "COVER_ALL": f"{cover_all:.0f}",
        "BEATS": f"{beats:.0f}",
        "FINDINGS": findings,
        "EXAMPLE_MEMBERS": EXAMPLE_MEMBERS,
        "EXAMPLE_END": EXAMPLE_END,
        "EXAMPLE_SECONDS": f"{example_seconds:.0f}",
        "EXAMPLE_UPDATES": updates,
        "EXAMPLE_ATTAINMENT": _md_table(att, "{:.2f}"),
        "EXAMPLE_FORECAST": _md_table(fc, "{:.0f}"),
        "EXAMPLE_WARNINGS": warnings,
        "EXAMPLE_ESS": f"{example.ess:.1f}",
    }
    for key, value in values.items():
        body = body.replace("{{" + key + "}}", str(value))
    if "{{" in body:
        raise SystemExit(f"unfilled placeholder in the template: {body[body.index('{{') :][:40]}")
    return body


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cache", type=Path, default=REPO / "build" / "nowcast_docs")
    ap.add_argument("--out", type=Path, default=OUTPUT)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--fresh", action="store_true", help="discard the cached runs first")
    args = ap.parse_args(argv)
    if args.fresh and args.cache.exists():
        shutil.rmtree(args.cache)
    members, truths, table = simulate(args.cache, args.threads)
    seconds = sum(float((args.cache / f"{n}.seconds").read_text()) for n in ("members", "truths"))
    tw_file = args.cache / "twins.csv"
    tw = twins(members, truths)
    tw.to_csv(tw_file, index=False)
    example, example_seconds = real_example(args.threads)
    args.out.write_text(render(members, table, tw, example, example_seconds, seconds))
    _log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
