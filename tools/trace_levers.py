#!/usr/bin/env python3
"""Measures how much each chapter package and each lever of the plan moves each target
indicator, and writes the tables into docs/measures.md (the section between the
``<!-- trace_levers:begin -->`` and ``<!-- trace_levers:end -->`` markers).

Every run shares the plan's seed, so every difference is paired replicate by replicate (common
random numbers) and the effects are the policy, not noise:

* a package alone: ``pkg_<x>`` minus ``baseline``;
* a lever in the plan: ``plan`` minus the plan without that lever's instruments (its marginal
  contribution, with every other lever in force);
* the plan as a whole: ``plan`` minus ``baseline``.

The package effects need not add up to the plan's: levers interact (the difference is shown).

Usage (from the repository root, with tradeeco installed)::

    python tools/trace_levers.py                  # 4 replicates, rewrites docs/measures.md
    python tools/trace_levers.py --replicates 8 --threads 2 --check   # exit 1 if docs differ
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

import tradeeco
from tradeeco import analysis

REPO = Path(__file__).resolve().parents[1]
FILES = REPO / "scenarios" / "files"
DOC = REPO / "docs" / "measures.md"
BEGIN = "<!-- trace_levers:begin -->"
END = "<!-- trace_levers:end -->"
PACKAGES = [
    "pkg_industry_trade",
    "pkg_corridors",
    "pkg_platforms",
    "pkg_trade_services",
    "pkg_digital",
]
SHORT = {
    "pkg_industry_trade": "II industry",
    "pkg_corridors": "III corridors",
    "pkg_platforms": "IV platforms",
    "pkg_trade_services": "V services",
    "pkg_digital": "VI digital",
}


def scenario(name: str):
    path = FILES / f"{name}.toml"
    return tradeeco.load_scenario(path if path.exists() else tradeeco.scenario_path(name))


def without(plan_path: Path, labels: list[str], name: str):
    """The plan minus the instruments with these labels (a child scenario using `remove`)."""
    quoted = ", ".join('"' + lab.replace("\\", "\\\\").replace('"', '\\"') + '"' for lab in labels)
    text = f'[scenario]\nname = "{name}"\nextends = "{plan_path.as_posix()}"\nremove = [{quoted}]\n'
    return tradeeco.load_scenario_string(text, f"{name}.toml", plan_path.parent)


def target_year(da) -> int:
    """2027 if the indicator has a 2027 target, else 2025."""
    return 2027 if not _missing(da.attrs.get("target_2027")) else 2025


def _missing(v) -> bool:
    if v is None:
        return True
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def indicators(ds) -> list[str]:
    """Yearly variables that carry a target rule, in the targets table's order."""
    return [
        v
        for v in analysis.target_indicators(ds)
        if "year" in ds[v].dims and "target_rule" in ds[v].attrs
    ]


PLAN_YEARS = (2025, 2026, 2027)


def is_growth(name: str) -> bool:
    return tradeeco.targets.get(name).unit == "percent a year"


def values(ds, name: str, year: int) -> np.ndarray:
    """One value per replicate: the target year's, or for a growth rate ("percent a year") the
    average yearly growth over the plan's years 2025-2027 (the plan's "+x% a year"; the last
    year alone understates a lever that ramps up in 2025-2026)."""
    if is_growth(name):
        g = ds[name].sel(year=list(PLAN_YEARS)).values.astype(float)
        return (np.prod(1.0 + g / 100.0, axis=1) ** (1.0 / len(PLAN_YEARS)) - 1.0) * 100.0
    return ds[name].sel(year=year).values.astype(float)


def effect(a, b, name: str, year: int) -> tuple[float, float]:
    """Paired mean of b - a and the half-width of its 95% interval."""
    analysis.check_paired(a, b)
    d = values(b, name, year) - values(a, name, year)
    if d.size < 2:
        return float(d.mean()), math.nan
    half = analysis._t_quantile(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size)
    return float(d.mean()), float(half)


def fmt(x: float, ref: float = 0.0) -> str:
    """A number with about three significant figures (relative to the larger of x and ref)."""
    if math.isnan(x):
        return "n/a"
    scale = max(abs(x), abs(ref))
    if scale == 0:
        return "0"
    digits = max(0, 2 - math.floor(math.log10(scale)))
    s = f"{x:,.{digits}f}"
    return "0" if float(s.replace(",", "")) == 0 else s


def signed(x: float, ref: float = 0.0) -> str:
    s = fmt(x, ref)
    return s if s in ("0", "n/a") or s.startswith("-") else "+" + s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicates", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if docs/measures.md's section differs",
    )
    ap.add_argument(
        "--min-share",
        type=float,
        default=0.02,
        help="list a lever when its marginal effect is at least this share of the "
        "largest lever effect on the indicator (default 0.02)",
    )
    args = ap.parse_args(argv)

    t0 = time.time()
    plan_spec = scenario("plan").with_(replicates=args.replicates)
    plan_path = FILES / "plan.toml"

    def run(spec):
        return tradeeco.run(
            spec.with_(replicates=args.replicates), threads=args.threads, progress=False
        )

    print(f"trace_levers: {args.replicates} replicates, seed {plan_spec.seed}", file=sys.stderr)
    base = run(scenario("baseline"))
    plan = run(plan_spec)
    alone = {p: run(scenario(p)) for p in PACKAGES}
    levers = sorted(
        {i["lever"] for i in plan_spec.instruments},
        key=[lv["name"] for lv in tradeeco.lever_catalogue()].index,
    )
    minus = {}
    for lv in levers:
        labels = [i["label"] for i in plan_spec.instruments if i["lever"] == lv]
        minus[lv] = run(without(plan_path, labels, f"plan_without_{lv}"))
        print(f"  plan without {lv}: done ({time.time() - t0:.0f} s)", file=sys.stderr)

    names = indicators(plan)
    lines = [
        BEGIN,
        "",
        "Generated by `tools/trace_levers.py` (do not edit by hand; rerun it after changing the",
        "model or the plan files):",
        f"{args.replicates} replicates of each scenario at seed {plan_spec.seed}, "
        f"tradeeco {tradeeco.__version__}.",
        "All differences are paired replicate by replicate (common random numbers); ± is the",
        "half-width of the 95% interval of the mean difference. The year is 2027 (2025 for a",
        "2025-only target); growth rates are averaged over 2025-2027.",
        "",
        "**By package.** Each chapter package alone against the baseline; the plan against the",
        "baseline; and what the packages' separate effects leave out (interaction = plan - sum).",
        "",
        "| indicator | rule | year | baseline | plan - baseline | "
        + " | ".join(SHORT[p] for p in PACKAGES)
        + " | interaction |",
        "|---|---|---|---|---|" + "---|" * len(PACKAGES) + "---|",
    ]
    lever_lines = [
        "",
        "**By lever.** The marginal effect of each lever inside the plan: the plan minus the plan",
        "without that lever's instruments. Levers are listed largest effect first; a lever is",
        f"shown when its effect is at least {args.min_share:.0%} of the largest one on that",
        'indicator and its interval excludes zero. "none" means no lever moves the indicator',
        "beyond noise.",
        "",
        "| indicator | plan - baseline | levers that move it (marginal effect in the plan) |",
        "|---|---|---|",
    ]
    moving: set[str] = set()
    for name in names:
        da = plan[name]
        year = target_year(da)
        rule = str(da.attrs["target_rule"])
        b_mean = float(values(base, name, year).mean())
        shown_year = "2025-27" if is_growth(name) else str(year)
        total, total_h = effect(base, plan, name, year)
        parts = [effect(base, alone[p], name, year) for p in PACKAGES]
        interaction = total - sum(m for m, _ in parts)
        ref = max([abs(total)] + [abs(m) for m, _ in parts])
        lines.append(
            f"| `{name}` | {rule} | {shown_year} | {fmt(b_mean)} | {signed(total, ref)} ± "
            f"{fmt(total_h, ref)} | "
            + " | ".join(signed(m, ref) for m, _ in parts)
            + f" | {signed(interaction, ref)} |"
        )
        effects = []
        for lv in levers:
            # plan minus (plan without lever): what the lever adds with the rest in force.
            m, h = effect(minus[lv], plan, name, year)
            effects.append((lv, m, h))
        biggest = max((abs(m) for _, m, _ in effects), default=0.0)
        shown = [
            (lv, m, h)
            for lv, m, h in effects
            if biggest > 0 and abs(m) >= args.min_share * biggest and (math.isnan(h) or abs(m) > h)
        ]
        shown.sort(key=lambda e: -abs(e[1]))
        cell = "; ".join(f"`{lv}` {signed(m, biggest)}" for lv, m, _ in shown) or "none"
        lever_lines.append(f"| `{name}` | {signed(total, ref)} | {cell} |")
        moving.update(lv for lv, _, _ in shown)

    idle = [lv for lv in levers if lv not in moving]
    lever_lines += [
        "",
        "Levers of the plan that move no target indicator beyond noise: "
        + (", ".join(f"`{lv}`" for lv in idle) if idle else "none")
        + ".",
    ]
    section = "\n".join(lines + lever_lines + ["", END])
    doc = DOC.read_text()
    if BEGIN not in doc or END not in doc:
        print(f"trace_levers: {DOC} has no {BEGIN} ... {END} markers", file=sys.stderr)
        return 2
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + section + tail
    print(f"trace_levers: {len(names)} indicators, {time.time() - t0:.0f} s", file=sys.stderr)
    if args.check:
        if new != doc:
            print("trace_levers: docs/measures.md is out of date", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new)
    print(f"trace_levers: wrote {DOC.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
