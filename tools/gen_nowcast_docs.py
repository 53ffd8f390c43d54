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
import importlib
import itertools
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from tradeeco.nowcast import DEFAULT_REL_ERROR

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "nowcast.md"
GENERATOR = "tools/gen_nowcast_docs.py"
EXAMPLE = REPO / "data" / "observations_2024.csv"
TEMPLATE = REPO / "tools" / "nowcast_doc_template.md"

# Twin-experiment settings (docs/nowcast.md reports them).
MEMBERS = 150  # prior members, one run each, shared by all twins
TWINS = 60  # twins per set; twin j's truth is member j re-run with another random stream
TUNING = range(0, TWINS)  # twins on which the observation-error scale was chosen
VALIDATION = range(TWINS, 2 * TWINS)  # fresh twins that the page's main table scores
REL_ERRORS = (0.02, 0.03, 0.05, 0.08)  # observation-error scales tried on the tuning twins
END = "2024-12-31"  # runs cover 2024 only (the nowcast year)
SEED = 2024  # parameter draws and observation noise
OBS_NOISE = 0.01  # relative sd of the Gaussian noise on each published figure
REL_ERROR = DEFAULT_REL_ERROR  # the filter's observation-error scale, chosen on TUNING
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
    """The prior members and the truths of both twin sets, in twin order (cached)."""
    import tradeeco

    nc = importlib.import_module("tradeeco.nowcast")  # the module, not the function

    cache.mkdir(parents=True, exist_ok=True)
    spec = tradeeco.load_scenario("baseline").with_(end=END)
    table = nc.prior()
    sets = nc.draw_parameters(MEMBERS, np.random.default_rng(SEED), table)
    jobs = {
        "members": (sets, list(range(MEMBERS))),
        "tuning": ([sets[j] for j in TUNING], [TRUTH_REPLICATE + j for j in TUNING]),
        "validation": ([sets[j] for j in VALIDATION], [TRUTH_REPLICATE + j for j in VALIDATION]),
    }
    files = {name: cache / f"{name}.nc" for name in jobs}
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
    return out["members"], xr.concat([out["tuning"], out["validation"]], "replicate"), table


def _quarters(m: int) -> list[tuple[str, str]]:
    return [(f"2024-{q * 3 + 1:02d}", f"2024-{q * 3 + 3:02d}") for q in range(m // 3)]


def twins(members: xr.Dataset, truths: xr.Dataset, which, rel_error: float) -> pd.DataFrame:
    """One row per twin (``which``), months of data and forecast indicator."""
    nc = importlib.import_module("tradeeco.nowcast")  # the module, not the function

    rows = []
    for j in which:
        rng = np.random.default_rng([SEED, j])  # the same noise for twin j whatever the scale
        ensemble = members.isel(replicate=[i for i in range(MEMBERS) if i != j])
        truth = truths.isel(replicate=[j])
        full_truth = {v: float(truth[v].values.ravel()[0]) for v in FORECAST}
        noise = rng.normal(0.0, OBS_NOISE, size=(len(OBSERVED), 3))
        held_out = members.isel(replicate=[j])  # same parameters as the truth, another stream
        for m in (0, *MONTHS):
            obs = []
            for a, (start, end) in enumerate(_quarters(m)):
                for k, ind in enumerate(OBSERVED):
                    probe = nc.Observation(ind, start, end, 0.0, "100m CNY", "twin")
                    value = float(nc.simulated(truth, probe)[0]) * (1 + noise[k, a])
                    obs.append(nc.Observation(ind, start, end, value, "100m CNY", "twin"))
            # Without rejuvenation (see the page), resampling would only add noise.
            flt = nc.ParticleFilter(ensemble, obs, rel_error=rel_error, df=DF, ess_fraction=0.0)
            flt.run()
            w = flt.weights
            for v in FORECAST:
                x = ensemble[v].values.ravel()
                members_only = float(np.sum(w * x))
                samples = nc.anchored_samples(ensemble, obs, v, 2024, OBS_NOISE, seed=j)
                if samples is None:
                    samples = x[:, None]
                estimate, (lo, hi) = nc._weighted_summary(samples, w, [0.1, 0.9])
                naive = naive_mean = np.nan
                if m:
                    ytd_obs = sum(
                        o.value for o in obs if v == "total_trade_cny_100m" or o.indicator == v
                    )
                    monthly = nc.OBSERVABLES[v].variable
                    # "Last year's" seasonal share: the same economy (the truth's parameters)
                    # in another realisation, the held-out member.
                    last = held_out[monthly].values.ravel()
                    naive = ytd_obs / (last[:m].sum() / last.sum())
                    ens = ensemble[monthly].transpose("replicate", "month").values
                    share = float(np.mean(ens[:, :m].sum(axis=1) / ens.sum(axis=1)))
                    naive_mean = ytd_obs / share
                t = full_truth[v]
                rows.append(
                    {
                        "twin": j,
                        "months": m,
                        "indicator": v,
                        "truth": t,
                        "error": abs(estimate - t) / t * 100,
                        "members_error": abs(members_only - t) / t * 100,
                        "naive_error": abs(naive - t) / t * 100,
                        "naive_mean_error": abs(naive_mean - t) / t * 100,
                        "covered": bool(lo <= t <= hi),
                        "width": (hi - lo) / t * 100,
                        "ess": flt.ess,
                    }
                )
    return pd.DataFrame(rows)


def real_example(threads: int):
    import tradeeco

    nc = importlib.import_module("tradeeco.nowcast")  # the module, not the function

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
    """The validation twins' verdicts, worded from the numbers."""
    by = tw.groupby(["indicator", "months"])
    err = by["error"].mean().unstack()
    naive = by["naive_error"].mean().unstack()
    months = list(MONTHS)
    lines = []
    for ind in FORECAST:
        e = [err.loc[ind, m] for m in months]
        trend = "falls" if all(a > b for a, b in itertools.pairwise(e)) else "does not fall"
        lines.append(
            f"* `{ind}`: the mean error {trend} as the months arrive, "
            + " -> ".join(f"{x:.2f} %" for x in e)
            + f" after {', '.join(map(str, months))} months (prior {err.loc[ind, 0]:.2f} %); "
            + "naive benchmark "
            + " -> ".join(f"{naive.loc[ind, m]:.2f} %" for m in months)
            + "."
        )
    floor = [OBS_NOISE * 100 * math.sqrt(2 / math.pi) / math.sqrt(m // 3) for m in months]
    lines.append(
        "* The floor that the measurement noise alone sets for any estimate that scales the "
        "observed year-to-date figure (the mean absolute error of a sum of equal quarterly "
        f"figures, each with {OBS_NOISE * 100:g} % noise): "
        + " -> ".join(f"{x:.2f} %" for x in floor)
        + "."
    )
    data = tw[tw["months"] > 0]
    cover = data["covered"].mean() * 100
    verdict = "inside" if 70 <= cover <= 90 else "outside"
    lines.append(
        f"* Coverage of the 80 % intervals over the {TWINS} validation twins, 3 horizons and 3 "
        f"indicators ({len(data)} cases): {cover:.0f} %, {verdict} the 70-90 % band."
    )
    for col, name in (
        ("naive_error", "the naive benchmark (last year's share)"),
        ("naive_mean_error", "the kinder benchmark (the ensemble's mean share)"),
    ):
        wins = (data["error"] < data[col]).mean() * 100
        mean_now, mean_naive = data["error"].mean(), data[col].mean()
        better = "beats" if mean_now < mean_naive else "does not beat"
        lines.append(
            f"* Against {name}: mean error {mean_now:.2f} % vs {mean_naive:.2f} %; the "
            f"nowcast {better} it on average and is closer in {wins:.0f} % of the cases."
        )
    if data["error"].mean() >= data["naive_error"].mean():
        lines.append(
            "* Why it does not beat the naive benchmark here: the model has no seasonal pattern "
            "and a member's remaining months follow mostly from its level so far, which both "
            "the nowcast and the benchmark take from the data; their errors then approach the "
            "floor the measurement noise sets. The benchmark is also given the truth's own "
            "parameters (its share comes from the same economy), which a real forecaster "
            "using last year's share does not have. What the nowcast adds is the calibrated "
            "interval and the P(met) of every target, which the benchmark does not give."
        )
    return "\n".join(lines)


def _summary(tw: pd.DataFrame) -> pd.DataFrame:
    summary = (
        tw.groupby(["months", "indicator"], sort=True)
        .agg(
            error=("error", "mean"),
            members_error=("members_error", "mean"),
            naive_error=("naive_error", "mean"),
            naive_mean_error=("naive_mean_error", "mean"),
            coverage=("covered", "mean"),
            width=("width", "mean"),
            ess=("ess", "mean"),
        )
        .reset_index()
    )
    summary["coverage"] *= 100
    return summary.rename(
        columns={
            "months": "months of data",
            "error": "nowcast error, %",
            "members_error": "weighted members' error, %",
            "naive_error": "naive (last year's share) error, %",
            "naive_mean_error": "naive (mean share) error, %",
            "coverage": "80 % interval covers truth, %",
            "width": "interval width, % of truth",
            "ess": "ESS",
        }
    )


def _tuning_table(tuning: pd.DataFrame) -> pd.DataFrame:
    data = tuning[tuning["months"] > 0]
    out = (
        data.groupby("rel_error")
        .agg(
            coverage=("covered", "mean"),
            error=("error", "mean"),
            naive=("naive_error", "mean"),
            ess=("ess", "mean"),
        )
        .reset_index()
    )
    out["coverage"] *= 100
    return out.rename(
        columns={
            "rel_error": "scale s",
            "coverage": "80 % interval covers truth, %",
            "error": "nowcast error, %",
            "naive": "naive (last year's share) error, %",
            "ess": "mean ESS",
        }
    )


def _tuning_pick(tuning: pd.DataFrame) -> str:
    """Which scale the rule picks: the smallest whose coverage is within 5 points of 80 %."""
    data = tuning[tuning["months"] > 0]
    cover = data.groupby("rel_error")["covered"].mean() * 100
    ok = [r for r in sorted(cover.index) if abs(cover[r] - 80) <= 5]
    pick = ok[0] if ok else None
    rule = (
        "The rule: the smallest scale whose 80 % intervals cover the truth within 5 points of "
        "80 % on the tuning twins (a smaller scale trusts the data more, so it is preferred "
        "when it is honest)."
    )
    if pick == REL_ERROR:
        return f"{rule} It picks s = {pick:g}, the default."
    return f"{rule} It picks s = {pick}, but the default is {REL_ERROR:g}: regenerate after fixing."


def render(table, tw, tuning, example, example_seconds: float, seconds) -> str:
    body = TEMPLATE.read_text()
    findings = _findings(tw)
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
        "TWIN_TABLE": _md_table(_summary(tw), "{:.2f}"),
        "TUNING_TABLE": _md_table(_tuning_table(tuning), "{:.2f}"),
        "TUNING_PICK": _tuning_pick(tuning),
        "TUNING_RANGE": f"{TUNING.start}-{TUNING.stop - 1}",
        "VALIDATION_RANGE": f"{VALIDATION.start}-{VALIDATION.stop - 1}",
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
    names = ("members", "tuning", "validation")
    seconds = sum(float((args.cache / f"{n}.seconds").read_text()) for n in names)
    tuning = pd.concat([twins(members, truths, TUNING, r).assign(rel_error=r) for r in REL_ERRORS])
    tw = twins(members, truths, VALIDATION, REL_ERROR)
    tw.to_csv(args.cache / "validation_twins.csv", index=False)
    tuning.to_csv(args.cache / "tuning_twins.csv", index=False)
    example, example_seconds = real_example(args.threads)
    args.out.write_text(render(table, tw, tuning, example, example_seconds, seconds))
    _log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
