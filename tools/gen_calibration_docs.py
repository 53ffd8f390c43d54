#!/usr/bin/env python3
"""Write the calibration section of docs/calibration.md from the shipped posterior.

The section sits between ``<!-- calibrate:begin -->`` and ``<!-- calibrate:end -->``, after the
2024 levels that analysis/calibration.py writes (that script keeps the section when it
regenerates the page) and before any section that follows. It is rendered from three files:

* ``python/tradeeco/data/posterior.csv``: the posterior and its provenance (``tradeeco calibrate``);
* ``python/tradeeco/data/posterior_diagnostics.json``: epsilon, acceptance and ESS per generation,
  prior and posterior marginals, the moments and their weights;
* ``python/tradeeco/data/posterior_check.json``: the stylized facts and 2024 levels of runs at
  sets drawn from the posterior (full population), written by this script.

    python tools/gen_calibration_docs.py              # run the check (about a minute), write
    python tools/gen_calibration_docs.py --runs 60    # more runs in the check
    python tools/gen_calibration_docs.py --render     # re-render from the files, no runs
    python tools/gen_calibration_docs.py --check      # exit 1 if the page is stale (a test)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "calibration.md"
DATA = REPO / "python" / "tradeeco" / "data"
POSTERIOR = DATA / "posterior.csv"
DIAGNOSTICS = DATA / "posterior_diagnostics.json"
CHECK = DATA / "posterior_check.json"
BEGIN, END = "<!-- calibrate:begin -->", "<!-- calibrate:end -->"


def _analysis(name: str):
    path = REPO / "analysis" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_gen_cal_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_check(runs: int, threads: int) -> dict:
    """Facts and 2024 levels of ``runs`` full-population baseline runs, run r at a posterior set
    drawn by weight (tradeeco.calibrate.posterior_runs), seed 20240101, replicate r."""
    cal = importlib.import_module("tradeeco.calibrate")

    v = _analysis("validation")
    c = _analysis("calibration")
    levels = c.levels_2024(c.history(), c.parameters())
    spec = v.snapshot_spec(1, None)
    facts, lv, drawn = [], [], []
    t0 = time.time()
    for r, k, _, model in cal.posterior_runs(spec, runs, threads=threads):
        snaps = pd.DataFrame(model.events()[v.TABLE])
        snaps["replicate"] = r
        facts.append(v.facts_for_replicate(snaps))
        years = list(model.calendar()["years"])
        s = model.series()
        lv.append({x.series: float(s[x.series][years.index(2024)]) for x in levels})
        drawn.append(k)
    f = pd.DataFrame(facts)
    lvl = pd.DataFrame(lv)
    out_f = []
    for fact in v.FACTS:
        x = f[fact.id].dropna()
        mean = float(x.mean()) if len(x) else math.nan
        out_f.append(
            {
                "id": fact.id,
                "name": fact.name,
                "lo": fact.lo,
                "hi": fact.hi,
                "mean": mean,
                "q05": float(x.quantile(0.05)) if len(x) else math.nan,
                "q95": float(x.quantile(0.95)) if len(x) else math.nan,
                "within": bool(fact.lo <= mean <= fact.hi) if math.isfinite(mean) else False,
                "reason_if_missed": fact.reason_if_missed,
            }
        )
    out_l = []
    for x in levels:
        m = float(lvl[x.series].mean())
        gap = 100.0 * (m / x.value - 1.0)
        out_l.append(
            {
                "series": x.series,
                "data": x.value,
                "basis": x.basis,
                "mean": m,
                "q05": float(lvl[x.series].quantile(0.05)),
                "q95": float(lvl[x.series].quantile(0.95)),
                "gap_pct": gap,
                "tolerance_pct": x.tolerance_pct,
                "within": bool(abs(gap) <= x.tolerance_pct),
            }
        )
    return {
        "runs": runs,
        "distinct_sets": len(set(drawn)),
        "seed": spec.seed,
        "population_scale": spec.population_scale,
        "wall_seconds": round(time.time() - t0, 1),
        "facts": out_f,
        "levels": out_l,
    }


def _num(x: float, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def render(meta: dict, diag: dict, check: dict) -> str:
    cal = importlib.import_module("tradeeco.calibrate")

    gens = diag["generations"]
    moments = diag["moments"]
    lines: list[str] = []
    add = lines.append
    n_facts = sum(f["within"] for f in check["facts"])
    n_levels = sum(x["within"] for x in check["levels"])
    total = next(x for x in check["levels"] if x["series"] == "total_trade_cny_100m")
    add(BEGIN)
    add("")
    add("## Calibration of the free parameters (ABC-SMC)")
    add("")
    add(
        "Generated by `tools/gen_calibration_docs.py` from `python/tradeeco/data/posterior.csv` "
        "and its `_diagnostics.json` and `posterior_check.json`; do not edit by hand."
    )
    add("")
    add("### Method, and why")
    add("")
    add(
        "Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; pyabc, "
        "`tradeeco calibrate`, `tradeeco.calibrate.calibrate`). Particles drawn from the "
        "parameter table's priors run the baseline; a particle is kept when the distance between "
        "its moments and the observed ones is below the generation's tolerance epsilon, which is "
        "the median distance of the previous generation; the kept particles, reweighted by prior "
        "over proposal, seed the next generation through a multivariate normal kernel. ABC fits "
        "a model without a likelihood, needs no gradient (at a fixed seed the moments are step "
        "functions of the parameters: an optimizer over them stalls), and returns what the runs "
        "need: a weighted sample of parameter sets, not one best point. Particles live in "
        "standard-normal coordinates z (prior N(0, 1) on each axis), mapped to prior quantiles "
        "u = Phi(z) and to values by each prior's inverse CDF (`tradeeco._parameters.prior_ppf`): "
        "the kernel works on comparable scales in a space without edges (in the unit cube, "
        "kernels cut by the edges skewed the importance weights: a first run's effective sample "
        "size fell to 4 of 250). Every "
        "particle runs the same replicate(s) with the same seed (common random numbers). The "
        "sampler evaluates fixed batches in worker processes, each from its own seed, and "
        "accepts in a fixed order, so the result depends on the seed and the number of "
        "workers, not on timing."
    )
    add("")
    add(f"- Method: {meta.get('method', '?')}")
    add(
        f"- Made {meta.get('created', '?')} by tradeeco {meta.get('tradeeco_version', '?')} "
        f"(git {meta.get('git_revision', '?')}), seed {meta.get('seed', '?')}, population scale "
        f"{meta.get('population_scale', '?')} (levels divided by it), "
        f"{meta.get('replicates_per_particle', '?')} replicate a particle, runs to "
        f"{meta.get('end', '?')}; {meta.get('simulations', '?')} model runs (and a first "
        "sample of one population from the prior that sets the first epsilon) in "
        f"{round(float(meta.get('wall_seconds', 'nan')) / 60) if meta.get('wall_seconds') else '?'}"
        " min on the shared 2-core machine"
        + (" (the last call; the first took 8 min)" if len(gens) > 4 else "")
    )
    add(
        "- Commands: `tradeeco calibrate --population-size 250 --generations 5 "
        "--max-simulations 2700 --population-scale 0.5 --workers 2 --db abc.db "
        "--out python/tradeeco/data/posterior.csv`"
        + (
            ", then the same with `--generations 3 --max-simulations 6000 --resume` (the "
            "budget had ended the first call at generation 3)"
            if len(gens) > 4
            else ""
        )
    )
    add("")
    add("### Parameters fitted")
    add("")
    add(
        "Nine of the free parameters (the shipped posterior's; "
        "`tradeeco.calibrate.DEFAULT_PARAMETERS` now adds a tenth, `one_off_order_rate`: see "
        "*Since this posterior was made*): those the "
        "sensitivity study names as driving the most outputs (docs/sensitivity.md, Results: "
        "`potential_pool_ratio`, `exit_hazard`, `demand_draw_sigma`, "
        "`reference_capability_quantile`, `trial_months`, `entry_noise`) and those that set the "
        "stylized facts that missed at the table values: the trial (`trial_scale`), the SMEs "
        "(`sme_share`) and intermediaries (`direct_export_profit_multiple`). A first run with "
        "three more (`capability_cap`, `fixed_cost_share`, `indirect_share`) returned their "
        "priors, so they are left out. The other free parameters keep their table values: "
        "neither the 2024 levels nor the facts carry information on them (policy costs, "
        "corridor rates, AEO audits...), so ABC would return their priors, at the price of a "
        "slower fit and a worse-conditioned importance weighting. Parameters pinned by the 2024 "
        "calibration (e.g. `entry_hazard`, `sunk_cost_months`) are not fitted."
    )
    add("")
    add("### Moments and their weights")
    add("")
    add(
        "The distance is the root of the weighted mean of the squared deviations. A stylized "
        "fact's deviation is its distance outside the published range in half-widths of the "
        "range (0 anywhere inside: the range is the evidence, not its midpoint); a 2024 level's "
        "deviation is its distance outside its tolerance (3% for total trade, 10% for the "
        "others) in tolerances (0 within: the tolerance is how the fit is judged). A moment a "
        f"run cannot compute counts {cal.MISSING_DEVIATION:g}."
    )
    add("")
    add("| moment set | moments | deviation | weight each | source |")
    add("|---|---:|---|---:|---|")
    by_set: dict[str, list] = {}
    for m in moments:
        by_set.setdefault(m["set"], []).append(m)
    source = {
        "levels_2024": "docs/calibration.md (analysis/calibration.py `levels_2024`)",
        "facts": "docs/validation.md (analysis/validation.py `FACTS`)",
        "hindcast": "docs/hindcast.md, fit window 2019-2022 (`tradeeco.calibrate.hindcast_moments`)",
    }
    for s, ms in by_set.items():
        dev = (
            "outside the range / half-width"
            if s == "facts"
            else "outside the tolerance / tolerance"
        )
        add(f"| `{s}` | {len(ms)} | {dev} | {ms[0]['weight']:g} | {source.get(s, '')} |")
    if "hindcast" not in by_set:
        add(
            "| `hindcast` | - | - | - | not used by this posterior: the 2019-2022 hindcast "
            "(`--moments levels_2024,facts,hindcast`), see *The hindcast moments* below |"
        )
    add("")
    add(
        "The levels weigh 2 each so that the 17 levels count about as much in all as the 22 "
        "facts: the run must hold the 2024 fit while it moves the facts."
    )
    add("")
    add("### Convergence")
    add("")
    add("| generation | epsilon | model runs | accepted | acceptance rate | ESS |")
    add("|---:|---:|---:|---:|---:|---:|")
    for g in gens:
        add(
            f"| {g['generation']} | {g['epsilon']:.3f} | {g['simulations']} | {g['accepted']} "
            f"| {g['acceptance_rate']:.2f} | {g['ess']:.0f} |"
        )
    add("")
    last = gens[-1] if gens else {}
    add(
        f"Final epsilon {last.get('epsilon', math.nan):.3f} (the median distance of the last "
        f"generation is {float(meta.get('median_final_distance', 'nan')):.3f}); the effective "
        f"sample size of the shipped {last.get('accepted', '?')} sets is {last.get('ess', 0):.0f}. "
        "Epsilon still falling at the last generation means the budget, not convergence, ended "
        "the run: more generations would tighten the posterior further."
    )
    if gens and last["ess"] < 0.2 * last["accepted"]:
        add("")
        add(
            f"The effective sample size ({last['ess']:.0f} of {last['accepted']}) is low: the "
            "importance weights (prior over proposal density, in 9 dimensions from 250 "
            "particles) concentrate on a few particles, so sampling the posterior by weight "
            "repeats those sets and the spread across sets is understated. A larger population, "
            "more generations, or a defensive mixture of the prior in the proposal (bounded "
            "weights) would raise it; each costs model runs this machine did not have today."
        )
    add("")
    add("### Since this posterior was made")
    add("")
    add(
        "The model changed after the fit, and the shipped posterior was kept: the check below "
        "runs it on today's model, so it shows how the sets fit now. The changes: one-off export "
        "orders (`one_off_order_rate`, new, held at its table value 0.005 a month by runs from "
        "this posterior), specialised SMEs designated among established exporters, complete "
        "vehicles counted once (docs/model.md), demand drivers in CNY at each year's CNY/USD "
        "rate (moves every 2024-2027 figure by less than 0.2 %), fewer random draws per "
        "firm-month (the same distributions), China's share of world exports as a demand "
        "driver (2024 total trade -0.3 %; the forecast years draw its error), world trade "
        "prices for the sectors that follow GDP, Chongqing's own share of China's trade drawn "
        "per replicate (from 2025 in the forecast) and other provinces' corridor cargo on a "
        'path (docs/model.md, "Changes that altered results"). Two refits of the ten '
        "parameters on the new model "
        "(exploratory, 2026-11-29, same distance) scored worse on docs/validation.md: at "
        "population scale 0.5 (200 particles, 6 generations, 4,000 runs) an effective sample "
        "size of 10 and 16 of 22 facts in range; at scale 1.0 (3,200 runs) an effective sample "
        "size of 2 and 17 of 22, where this posterior gave 20 of 22 on the same code (19 of 22 "
        "once merged with the draw change: docs/validation.md)."
    )
    add("")
    add("### The hindcast moments")
    add("")
    add(
        "`--moments levels_2024,facts,hindcast` adds the 2019-2022 fit window of the hindcast "
        "(docs/hindcast.md; 23 indicator-years, 5 % tolerance on the totals, 10 % on the others, "
        "doubled for low-confidence figures; the corridors are left out, as they run the 2024 "
        "timetable from 2019). The shipped posterior does not use them. A trial with them (60 "
        "particles, 3 generations, scale 0.5, 2026-11-29) lowered the hindcast distance at the "
        "posterior mean from 2.0 to 1.25 but cut the facts in range from 16 to 11 of 22, and at "
        "full population the 2021-2022 totals stayed about 21 % low: the firm parameters cannot "
        "stand in for a missing driver (China's gain in world export share in 2020-21, then not "
        "in the model; it is a driver now, and docs/hindcast.md says what is still missing), so "
        "fitting them to the hindcast would trade the firm-level evidence for a fit they cannot "
        "give."
    )
    add("")
    add("### Prior and posterior")
    add("")
    add(
        "| parameter | unit | table value | prior | prior median [5%, 95%] | posterior median [5%, 95%] |"
    )
    add("|---|---|---:|---|---|---|")
    for m in diag["marginals"]:
        add(
            f"| `{m['parameter']}` | {m['unit']} | {_num(m['table_value'])} | {m['prior']} "
            f"| {_num(m['prior_median'])} [{_num(m['prior_q05'])}, {_num(m['prior_q95'])}] "
            f"| {_num(m['posterior_median'])} [{_num(m['posterior_q05'])}, "
            f"{_num(m['posterior_q95'])}] |"
        )
    add("")
    add("### The posterior ensemble against the facts and the 2024 levels")
    add("")
    add(
        f"{check['runs']} baseline runs at full population (seed {check['seed']}, replicate r "
        f"at a set drawn by weight: {check['distinct_sets']} distinct sets; "
        "`tradeeco.calibrate.posterior_runs`), 2024-2027. A fact passes when the ensemble mean "
        "is inside its range, as in docs/validation.md; a level when the mean is within its "
        "tolerance."
    )
    add("")
    add(
        f"**{n_facts} of {len(check['facts'])} stylized facts in range; {n_levels} of "
        f"{len(check['levels'])} 2024 levels within tolerance (total trade "
        f"{total['gap_pct']:+.1f}%).**"
    )
    add("")
    add("| fact | range | ensemble mean | 90% band | verdict |")
    add("|---|---|---:|---|---|")
    for f in check["facts"]:
        add(
            f"| {f['name']} | {_num(f['lo'])} to {_num(f['hi'])} | {_num(f['mean'])} "
            f"| {_num(f['q05'])} to {_num(f['q95'])} | {'pass' if f['within'] else '**miss**'} |"
        )
    add("")
    add("| 2024 level | data | ensemble mean | 90% band | gap | tolerance | verdict |")
    add("|---|---:|---:|---|---:|---:|---|")
    for x in check["levels"]:
        add(
            f"| `{x['series']}` | {_num(x['data'])} | {_num(x['mean'])} | {_num(x['q05'])} to "
            f"{_num(x['q95'])} | {x['gap_pct']:+.1f}% | {x['tolerance_pct']:g}% "
            f"| {'within' if x['within'] else '**off**'} |"
        )
    misses = [f for f in check["facts"] if not f["within"]]
    if misses:
        add("")
        add(
            "Facts outside their range in the posterior ensemble, and the likely reason "
            "(analysis/validation.py; written for the model at its table values, so the "
            "parameter values they quote are the table's, not the posterior's):"
        )
        add("")
        for f in misses:
            add(
                f"- **{f['name']}** ({_num(f['mean'])}, range {_num(f['lo'])} to {_num(f['hi'])}): "
                f"{f['reason_if_missed'] or 'no reason recorded.'}"
            )
    add("")
    add("### What the fit says")
    add("")
    off = [x for x in check["levels"] if not x["within"]]
    marg = {m["parameter"]: m["posterior_median"] for m in diag["marginals"]}
    add(
        f"The target was at least 18 of the 22 facts in range; the posterior ensemble has "
        f"{n_facts} (the table values: 14, docs/model.md). The fit moves what the parameters can "
        "move: first-year survival and one-year relationships come into range through more entry "
        f"noise (`entry_noise`, posterior median {marg['entry_noise']:.2f} against the table's 0.2), and exports "
        "through trade companies rise with `direct_export_profit_multiple`. What stays out is "
        "structural:"
    )
    add("")
    add(
        "- Exports through intermediaries and the SMEs' share of export value are national "
        "(China 2005) and US figures. Half of Chongqing's exports in the model are the chain "
        "leaders' own (docs/validation.md, diagnostics; the 2024 laptop exports alone are 1,780 "
        "of 4,600 (100m CNY), docs/calibration.md), which neither trade companies nor SMEs handle; "
        "for 15% of all exports, trade companies would have to carry some 30% of the rest. We "
        "read the gap as partly Chongqing's structure, but do not widen the ranges: both stay "
        "misses."
    )
    add(
        "- Turnover (new exporters a year, net entry's share of growth): more entry noise lifts "
        "it, but the model has no one-off exporters (a single sale without a relationship), a "
        "large part of new exporters in customs data (Eaton et al.); that is a mechanism left "
        "to do, not a parameter."
    )
    add(
        "- The share of firms that export is set by the assumed pool of potential exporters "
        "(`potential_pool_ratio`), which the 2024 levels and the turnover facts pull in "
        "opposite directions; the capability premium sits just above its range."
    )
    add("")
    add(
        f"The 2024 fit: total trade {total['gap_pct']:+.1f}% (tolerance 3%); "
        + ", ".join(f"`{x['series']}` {x['gap_pct']:+.1f}%" for x in off)
        + " are outside 10%. The two vehicle levels were off before this calibration "
        "(-11.9% at the table values, docs/model.md) and depend on none of the fitted "
        "parameters. The specialised SMEs are +2.0% at the table values; under the posterior "
        "fewer SMEs export in 2024 (their count is the certified SME exporters), but which "
        "fitted parameter does it is not established here: the level has a 10% tolerance in "
        "the distance and lies near its edge in many particles at population scale 0.5."
        if off
        else f"The 2024 fit holds: total trade {total['gap_pct']:+.1f}%, the others within 10%."
    )
    add("")
    add(END)
    return "\n".join(lines) + "\n"


def splice(page: str, section: str) -> str:
    """``page`` with its calibrate block replaced by ``section`` (or ``section`` put after the
    page's own content, before anything that follows a previous block)."""
    if BEGIN in page and END in page:
        head, rest = page.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        return head + section.rstrip("\n") + tail
    return page.rstrip("\n") + "\n\n" + section


def load() -> tuple[dict, dict, dict]:
    cal = importlib.import_module("tradeeco.calibrate")

    meta, _ = cal.read_posterior(POSTERIOR)
    diag = json.loads(DIAGNOSTICS.read_text(encoding="utf-8"))
    check = json.loads(CHECK.read_text(encoding="utf-8"))
    return meta, diag, check


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=40, help="posterior runs in the check (40)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--render", action="store_true", help="re-render from the files, no runs")
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/calibration.md is stale")
    args = ap.parse_args(argv)
    if not (args.render or args.check):
        check = run_check(args.runs, args.threads)
        CHECK.write_text(json.dumps(check, indent=1) + "\n", encoding="utf-8")
    section = render(*load())
    page = DOC.read_text(encoding="utf-8")
    new = splice(page, section)
    if args.check:
        if new != page:
            print(
                f"{DOC} is stale: run python tools/gen_calibration_docs.py --render",
                file=sys.stderr,
            )
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
