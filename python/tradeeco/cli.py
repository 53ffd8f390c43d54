"""The ``tradeeco`` command line: run, validate and compare scenarios, and run ensembles.

Exit codes: 0 success; 1 a run or a file operation failed; 2 bad input (an invalid scenario, a
missing file, bad arguments); 130 cancelled with Ctrl-C. Errors print as
``tradeeco: error: <message>`` without a traceback (set TRADEECO_DEBUG=1 to see it).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import math
import os
import shlex
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_CANCELLED = 0, 1, 2, 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process ended by `kill`


class _BadInputError(Exception):
    """An error in what the user gave us (exit code 2)."""


class _Formatter(argparse.HelpFormatter):
    """Wraps prose paragraphs but keeps example blocks (a paragraph whose first line ends with
    a colon, like "examples:") exactly as written."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for para in textwrap.dedent(text).strip("\n").split("\n\n"):
            lines = para.splitlines()
            if lines and lines[0].rstrip().endswith(":"):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(
                    textwrap.fill(
                        " ".join(lines), width, initial_indent=indent, subsequent_indent=indent
                    )
                )
        return "\n\n".join(paragraphs) + "\n"


_formatter = _Formatter


# --- output helpers --------------------------------------------------------------------------


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.{digits}g}"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.{digits}g}"
    return str(value)


def _print_table(headers: Sequence[str], rows: Sequence[Sequence], out=None, right=None) -> None:
    """A plain aligned text table; columns listed in `right` are right-aligned."""
    out = out or sys.stdout
    right = set(right or ())
    cells = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))

    def line(values):
        parts = [
            v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    print(line(headers), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in cells:
        print(line(row), file=out)


def _prob(p: float) -> str:
    return "-" if p is None or (isinstance(p, float) and math.isnan(p)) else f"{p:.2f}"


# --- subcommands -----------------------------------------------------------------------------


def _parameter_override(text: str) -> tuple[str, float]:
    """`KEY=VALUE` of --set as (key, number); the range is checked when the spec is built."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, found {text!r}")
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{key.strip()}: expected a number after '=', found {value!r}"
        ) from None
    return key.strip(), number


def _add_posterior_options(p: argparse.ArgumentParser) -> None:
    """--posterior, --fixed-parameters and --replicates-per-set (run and ensemble)."""
    g = p.add_argument_group(
        "parameters",
        "By default each replicate draws a parameter set from the shipped posterior "
        "(tradeeco/data/posterior.csv, written by `tradeeco calibrate`), by (seed, replicate), "
        "so every scenario run with one seed gives replicate r the same set. If the package "
        "ships no posterior, runs use fixed parameters (the table's values) and say so in one "
        "line. --set values win over the drawn set's. See docs/calibration.md.",
    )
    g.add_argument(
        "--posterior",
        metavar="FILE.csv",
        help="draw parameter sets from this posterior file instead of the shipped one",
    )
    g.add_argument(
        "--fixed-parameters",
        action="store_true",
        help="no posterior: every replicate runs with the parameter table's values (the "
        "results of runs before posteriors existed, bit for bit)",
    )
    g.add_argument(
        "--replicates-per-set",
        type=int,
        default=1,
        metavar="M",
        help="nested design: replicates [kM, (k+1)M) share one drawn set, so `tradeeco "
        "compare` can split the variance into parameters vs drivers and noise (default 1)",
    )
    g.add_argument(
        "--replicates-per-driver-path",
        type=int,
        default=1,
        metavar="D",
        help="nested design, with --replicates-per-set M (D divides M): replicates [kD, (k+1)D) "
        "share one driver path, so `tradeeco compare` can also tell drivers from noise "
        "(default 1: each replicate draws its own path)",
    )


def _posterior_from_args(args: argparse.Namespace):
    """The Posterior the options ask for, or None (fixed parameters), with a one-line note."""
    from tradeeco.posterior import NO_SHIPPED_NOTE, resolve_posterior

    if args.fixed_parameters and args.posterior:
        raise _BadInputError("give --posterior or --fixed-parameters, not both")
    m, d = args.replicates_per_set, args.replicates_per_driver_path
    if m < 1 or d < 1 or m % d:
        raise _BadInputError(
            "--replicates-per-set M and --replicates-per-driver-path D must be at least 1, "
            f"and D must divide M (got M = {m}, D = {d})"
        )
    post = resolve_posterior(args.posterior, args.fixed_parameters)
    if post is None:
        if m != 1 or d != 1:
            raise _BadInputError("a nested design needs a posterior to draw parameter sets from")
        if not args.fixed_parameters and not args.quiet:
            print(f"tradeeco: {NO_SHIPPED_NOTE}", file=sys.stderr)
        return None
    post = post.nested(m, d)
    if not args.quiet:
        print(
            f"tradeeco: parameters drawn per replicate from {post.source} ({len(post)} sets of "
            f"{len(post.keys)} parameters; {post.provenance.get('method', '?')})",
            file=sys.stderr,
        )
    return post


def _cmd_run(args: argparse.Namespace) -> int:
    import tradeeco
    from tradeeco import analysis
    from tradeeco._results import warn_if_not_nc

    try:
        spec = tradeeco.as_spec(args.scenario)
    except FileNotFoundError as e:
        raise _BadInputError(str(e)) from None
    if args.replicates is not None and args.replicates < 1:
        raise _BadInputError("--replicates must be at least 1")
    if args.threads < 0:
        raise _BadInputError("--threads must be >= 0 (0 = all cores)")
    if args.seed is not None and args.seed < 0:
        raise _BadInputError("--seed must be >= 0")
    if args.replicates is not None or args.seed is not None:
        spec = spec.with_(seed=args.seed, replicates=args.replicates)
    overrides = dict(args.overrides)
    if len(overrides) < len(args.overrides):
        keys = [k for k, _ in args.overrides]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        raise _BadInputError(
            f"--set: each parameter once; given more than once: {', '.join(twice)}"
        )
    spec = tradeeco.with_parameter_overrides(spec, overrides, origin="--set")
    posterior = _posterior_from_args(args)
    if posterior is not None:
        spec = posterior.apply(spec)
    out = Path(args.out)
    if out.is_dir():
        raise _BadInputError(
            f"--out {out}: is a folder; give a file name such as {out / spec.name}.nc"
        )
    warn_if_not_nc(out)

    if not args.quiet:
        print(
            f"running {spec.name}: {spec.replicates} replicate(s), seed {spec.seed}, "
            f"{spec.start}..{spec.end}, threads {args.threads or 'all cores'}",
            file=sys.stderr,
        )
    show_bar = not args.quiet and sys.stderr.isatty()
    progress = None
    bar = None
    if show_bar:
        from tqdm import tqdm

        bar = tqdm(
            total=spec.replicates,
            desc=spec.name,
            unit="replicate",
            file=sys.stderr,
            dynamic_ncols=True,
        )

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

    try:
        from tradeeco._results import run_to_file

        run_to_file(spec, out, posterior, args.threads, 0, progress, args.command_line)
    finally:
        if bar is not None:
            bar.close()
    if args.quiet:
        return EXIT_OK
    print(f"wrote {out}", file=sys.stderr)
    with tradeeco.open(out) as ds:
        table = analysis.summary(ds)
    if table.empty:
        print("no target indicators in the file")
        return EXIT_OK
    print(f"\nTargets ({spec.replicates} replicates; P(met) = share of replicates meeting it):")
    rows = [
        (
            r.indicator,
            r.year,
            _fmt(r.mean),
            f"{_rule(r.rule)} {_fmt(r.target)}",
            r.unit,
            _prob(r.p_met),
        )
        for r in table.itertuples()
    ]
    _print_table(["indicator", "year", "mean", "target", "unit", "P(met)"], rows, right={1, 2, 5})
    return EXIT_OK


def _cmd_ensemble(args: argparse.Namespace) -> int:
    import logging

    import tradeeco
    from tradeeco.ensemble import StudyMismatchError, run_study

    if args.replicates is not None and args.replicates < 1:
        raise _BadInputError("--replicates must be at least 1")
    if args.threads < 0:
        raise _BadInputError("--threads must be >= 0 (0 = all cores)")
    if args.seed is not None and args.seed < 0:
        raise _BadInputError("--seed must be >= 0")
    if args.batch_size is not None and args.batch_size < 1:
        raise _BadInputError("--batch-size must be at least 1")
    specs = {}
    for s in args.scenarios:
        try:
            spec = tradeeco.as_spec(s)
        except FileNotFoundError as e:
            raise _BadInputError(str(e)) from None
        label, k = spec.name, 2
        while label in specs:
            label, k = f"{spec.name}-{k}", k + 1
        specs[label] = spec
    posterior = _posterior_from_args(args)
    out = Path(args.out)
    single = len(specs) == 1
    if single and out.is_dir():
        name = next(iter(specs))
        raise _BadInputError(f"--out {out}: is a folder; give a file name such as {out / name}.nc")
    if not single and out.exists() and not out.is_dir():
        raise _BadInputError(
            f"--out {out}: several scenarios write one file each into a folder; give a folder"
        )

    client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise ImportError(
                "--scheduler needs dask.distributed: pip install 'tradeeco[dask]'"
            ) from None
        client = Client(args.scheduler)

    handler = None
    if not args.quiet:
        from tqdm import tqdm

        class _TqdmHandler(logging.Handler):  # notes above the bar, not through it
            def emit(self, record: logging.LogRecord) -> None:
                tqdm.write(f"tradeeco: {record.getMessage()}", file=sys.stderr)

        handler = _TqdmHandler(logging.INFO)
        log = logging.getLogger("tradeeco.ensemble")
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        total = sum(args.replicates or s.replicates for s in specs.values())
        where = (
            f"scheduler {args.scheduler}" if client else f"threads {args.threads or 'all cores'}"
        )
        print(
            f"ensemble of {', '.join(specs)}: {total} replicate(s), {where}, "
            f"{'a fresh start' if args.no_resume else 'resuming any finished shards'}",
            file=sys.stderr,
        )
    show_bar = not args.quiet and sys.stderr.isatty()
    progress = None
    if show_bar:
        from tqdm import tqdm

        bar_ref: dict = {}

        def progress(done: int, total: int) -> None:
            bar = bar_ref.get("bar")
            if bar is None:
                bar = bar_ref["bar"] = tqdm(
                    total=total, unit="replicate", file=sys.stderr, dynamic_ncols=True
                )
            bar.update(done - bar.n)

    try:
        files, _ = run_study(
            next(iter(specs.values())) if single else specs,
            replicates=args.replicates,
            seed=args.seed,
            threads=args.threads,
            client=client,
            out=out,
            batch_size=args.batch_size,
            resume=not args.no_resume,
            progress=progress,
            keep_shards=args.keep_shards,
            command=args.command_line,
            posterior=posterior,
            fixed_parameters=posterior is None,
        )
    except StudyMismatchError as e:
        raise _BadInputError(str(e)) from None
    finally:
        if show_bar and bar_ref.get("bar") is not None:
            bar_ref["bar"].close()
        if handler is not None:
            logging.getLogger("tradeeco.ensemble").removeHandler(handler)
        if client is not None:
            client.close()
    if not args.quiet:
        import h5py

        for path in files.values():
            with h5py.File(path, "r") as f:
                n = f["replicate"].shape[0]
                name = f.attrs["scenario_name"].decode()
                seed = f.attrs["seed_text"].decode()
            print(f"wrote {path} ({n} replicates of {name}, seed {seed})", file=sys.stderr)
    return EXIT_OK


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings (such as ResultNameWarning) read like the command's errors, without a path."""
    print(f"tradeeco: warning: {message}", file=sys.stderr)


def _rule(rule: str) -> str:
    from tradeeco.targets import rule_symbol

    return rule_symbol(rule)


def _cmd_validate(args: argparse.Namespace) -> int:
    import tradeeco

    bad = 0
    for f in args.files:
        try:
            spec = tradeeco.load_scenario(Path(f))
        except (tradeeco.ScenarioError, OSError) as e:
            bad += 1
            print(f"FAIL {f}\n  {e}")
        else:
            print(
                f"OK   {f} ({spec.name}: {len(spec.instruments)} instruments, "
                f"{len(spec.shocks)} shocks, {spec.replicates} replicates, {spec.start}..{spec.end})"
            )
    if bad:
        print(f"tradeeco: {bad} of {len(args.files)} file(s) invalid", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    import tradeeco
    from tradeeco import analysis

    if len(args.files) < 2:
        raise _BadInputError("compare needs at least two result files")
    try:
        datasets = analysis.load_results(args.files)
    except tradeeco.ResultIOError as e:  # damaged, unsealed or not a result file
        raise _BadInputError(str(e)) from None

    labels = list(datasets)
    att = analysis.attainment(datasets)
    if att.empty:
        print("no target indicators found in these files")
        return EXIT_OK
    years = sorted(set(att["year"])) if args.year is None else [args.year]
    att = att[att["year"].isin(years)]
    ref_label, ref = labels[0], datasets[labels[0]]
    level = args.level

    print("P(met) = share of replicates meeting the target [95% Wilson interval]")
    for label in labels:
        ds = datasets[label]
        print(
            f"  {label}: scenario {analysis.scenario_name(ds)!r}, "
            f"{ds.sizes.get('replicate', 0)} replicates, seed {ds.attrs.get('seed', '?')}"
            + (", weighted by its 'weight' variable (a nowcast)" if "weight" in ds else "")
            + _parameters_note(ds)
        )

    diffs = {}
    for label in labels[1:]:
        ok, reason = analysis.is_paired(ref, datasets[label])
        if not ok:
            print(
                f"\n{label} vs {ref_label}: not paired ({reason}); paired differences need the "
                "same seed and replicates, so they are not shown"
            )
            continue
        d = analysis.paired_difference(
            ref,
            datasets[label],
            variables=sorted(set(att["indicator"])),
            level=level,
            method=args.method,
        )
        diffs[label] = d.set_index(["variable", "year"])

    headers = ["indicator", "year", "target", "unit"] + [f"P({lb})" for lb in labels]
    right = set(range(1, len(headers))) - {3}
    for label in diffs:
        headers.append(f"{label}-{ref_label} [{level:.0%} CI]")
        right.add(len(headers) - 1)
    rows = []
    input_defined: dict[str, str] = {}
    order = {t: i for i, t in enumerate(tradeeco.targets.ids())}
    keyed = att.set_index(["indicator", "year", "scenario"])
    for (indicator, year), group in sorted(
        att.groupby(["indicator", "year"]), key=lambda kv: (order.get(kv[0][0], 1e9), kv[0][1])
    ):
        first = group.iloc[0]
        flagged = _input_defined(datasets, indicator)
        if flagged:
            input_defined[indicator] = flagged
        name = f"{indicator} *" if flagged else indicator
        row = [name, year, f"{_rule(first['rule'])} {_fmt(first['target'])}", first["unit"]]
        for label in labels:
            key = (indicator, year, label)
            if key in keyed.index:
                r = keyed.loc[key]
                row.append(f"{_prob(r['p_met'])} [{_prob(r['p_met_lo'])}, {_prob(r['p_met_hi'])}]")
            else:
                row.append("")
        for d in diffs.values():
            if (indicator, year) in d.index:
                r = d.loc[(indicator, year)]
                row.append(f"{_fmt(r['mean'])} [{_fmt(r['lo'])}, {_fmt(r['hi'])}]")
            else:
                row.append("")
        rows.append(row)
    print()
    _print_table(headers, rows, right=right)
    for indicator, how in input_defined.items():
        print(f"* {indicator} is input-defined, not an outcome: {how}")
    _print_variance_parts(att, labels, order)
    _print_costs(datasets, diffs, years, order, level, args.method)
    return EXIT_OK


def _parameters_note(ds) -> str:
    """How a result file's replicates got their parameters, for compare's header."""
    if "parameter_set" not in ds.variables:
        return ", fixed parameters"
    drawn = len(set(ds["parameter_set"].values.tolist()))
    return f", {drawn} parameter sets drawn from a posterior"


def _print_variance_parts(att, labels, order) -> None:
    """Where each indicator's variance comes from: parameters vs drivers and noise."""
    shown = att.dropna(subset=["share_parameters"])
    print(
        "\nVariance across replicates by source (law of total variance over parameter sets and "
        "driver paths; drivers and noise are told apart only when replicates shared driver "
        "paths: --replicates-per-driver-path)"
    )
    missing = [lb for lb in labels if lb not in set(shown["scenario"])]
    for lb in missing:
        print(
            f"  {lb}: not split: that needs two parameter sets or more, some drawn by two "
            "replicates or more (run with a posterior and --replicates-per-set M >= 2); with "
            "fixed parameters all the spread is drivers and noise"
        )
    if shown.empty:
        return
    rows = []
    for r in shown.sort_values(
        ["indicator", "year"], key=lambda c: c.map(order) if c.name == "indicator" else c
    ).itertuples():
        rows.append(
            [
                r.scenario,
                r.indicator,
                r.year,
                _fmt(r.var_total),
                f"{r.share_parameters:.0%}",
                f"{r.share_drivers_noise:.0%}",
                "-" if math.isnan(r.share_drivers) else f"{r.share_drivers:.0%}",
                "-" if math.isnan(r.share_noise) else f"{r.share_noise:.0%}",
            ]
        )
    _print_table(
        ["scenario", "indicator", "year", "variance", "parameters", "drivers + noise", "drivers",
         "noise"],
        rows,
        right={2, 3, 4, 5, 6, 7},
    )  # fmt: skip


def _input_defined(datasets, indicator: str) -> str:
    """How an indicator restates a lever's input (its `input_defined` attribute), or ''."""
    for ds in datasets.values():
        if indicator in ds.data_vars and ds[indicator].attrs.get("input_defined"):
            return str(ds[indicator].attrs["input_defined"])
    return ""


def _print_costs(datasets, paired_labels, years, order, level, method) -> None:
    """Spending per scenario and, for each paired alternative, the change in each target
    indicator per 100m CNY of extra spending (cumulative to the target year)."""
    from tradeeco import analysis

    labels = list(datasets)
    missing = [lb for lb in labels if analysis.FISCAL_COST not in datasets[lb].data_vars]
    if missing:
        print(f"\nno policy costs in {', '.join(missing)} (written before costs were recorded)")
        return
    print("\nPublic spending on the policies, 100m CNY (cumulative from the start to the year)")
    cost_rows = []
    for label in labels:
        cum = analysis.fiscal_cost(datasets[label], cumulative=True).mean("replicate")
        cost_rows.append([label] + [_fmt(float(cum.sel(year=y))) for y in years])
    _print_table(
        ["scenario"] + [str(y) for y in years], cost_rows, right=set(range(1, len(years) + 1))
    )
    ref = datasets[labels[0]]
    for label in paired_labels:
        ce = analysis.cost_effectiveness(
            ref,
            datasets[label],
            variables=sorted({v for v, _ in paired_labels[label].index}),
            years=years,
            level=level,
            method=method,
        )
        ce = ce.sort_values(
            ["variable", "year"], key=lambda c: c.map(order) if c.name == "variable" else c
        )
        print(
            f"\nCost-effectiveness, {label} vs {labels[0]}: change in the indicator per 100m CNY of "
            f"extra spending [{level:.0%} CI]"
        )
        rows = []
        for r in ce.itertuples():
            per = (
                "no extra spending"
                if math.isnan(r.per_100m)
                else f"{_fmt(r.per_100m)} [{_fmt(r.per_100m_lo)}, {_fmt(r.per_100m_hi)}]"
            )
            rows.append([r.variable, r.year, _fmt(r.extra_cost), _fmt(r.mean), per])
        _print_table(
            ["indicator", "year", "extra cost", "change", "per 100m CNY"], rows, right={1, 2, 3, 4}
        )


def _cmd_report(args: argparse.Namespace) -> int:
    from tradeeco.report import report

    out = Path(args.out)
    if out.is_dir():
        raise _BadInputError(f"-o {out}: is a folder; give a file name such as {out}/report.html")
    if not 0 < args.level < 1:
        raise _BadInputError("--level must be between 0 and 1")
    pdf = out.with_suffix(".pdf") if args.pdf == "" else args.pdf
    try:
        report(
            args.files, out, lang=args.lang, sensitivity=args.sensitivity, level=args.level, pdf=pdf
        )
    except ValueError as e:  # a malformed sensitivity table, unpaired labels, ...
        raise _BadInputError(str(e)) from None
    print(out)
    if pdf is not None:
        print(pdf)
    return EXIT_OK


def _cmd_scenarios(args: argparse.Namespace) -> int:
    import tradeeco

    shipped = tradeeco.shipped_scenarios()
    if not shipped:
        print("no shipped scenarios found")
        return EXIT_OK
    rows = []
    for name, path in shipped.items():
        try:
            description = tradeeco.load_scenario(path).description.strip()
        except tradeeco.ScenarioError as e:
            description = f"(invalid: {e})"
        first = description.splitlines()[0] if description else ""
        rows.append((name, first))
    _print_table(["name", "description"], rows)
    if args.paths:
        print()
        for name, path in shipped.items():
            print(f"{name}: {path}")
    return EXIT_OK


def _cmd_levers(args: argparse.Namespace) -> int:
    import tradeeco

    catalogue = tradeeco.shock_catalogue() if args.shocks else tradeeco.lever_catalogue()
    for item in catalogue:
        measures = item.get("measures")
        targeting = ", ".join(item["targeting"]) or "none"
        print(f"{item['name']}")
        print(
            f"    unit: {item['unit']}; range [{_fmt(item['min'])}, {_fmt(item['max'])}]; "
            f"targeting: {targeting}"
            + (f"; plan measures: {', '.join(map(str, measures))}" if measures else "")
        )
        for line in textwrap.wrap(item["description"], width=92):
            print(f"    {line}")
    return EXIT_OK


def _cmd_parameters(args: argparse.Namespace) -> int:
    import tradeeco

    table = tradeeco.parameter_table()
    if args.match:
        table = table[table["key"].str.contains(args.match, regex=False)]
    rows = [
        (
            p.key,
            _fmt(p.value),
            p.unit,
            f"[{_fmt(p.min)}, {_fmt(p.max)}]",
            p.prior,
            "pinned" if p.pinned else "free",
            p.used_by,
        )
        for p in table.itertuples()
    ]
    _print_table(["key", "value", "unit", "range", "prior", "2024", "used by"], rows, right={1})
    return EXIT_OK


# --- required strength and the cheapest package (tradeeco.policy_search) ----------------------


def _search_checks(args: argparse.Namespace):
    import tradeeco

    if args.replicates is not None and args.replicates < 1:
        raise _BadInputError("--replicates must be at least 1")
    if args.threads < 0:
        raise _BadInputError("--threads must be >= 0 (0 = all cores)")
    if not 0 < args.p <= 1:
        raise _BadInputError(f"-p must be in (0, 1], got {args.p}")
    try:
        return tradeeco.as_spec(args.scenario)
    except FileNotFoundError as e:
        raise _BadInputError(str(e)) from None


def _bad_input(e: Exception) -> _BadInputError:
    return _BadInputError(e.args[0] if isinstance(e, KeyError) and e.args else str(e))


def _cmd_required(args: argparse.Namespace) -> int:
    from tradeeco import policy_search

    spec = _search_checks(args)
    try:
        result = policy_search.required(
            spec,
            args.target,
            lever=args.lever,
            policy=args.policy,
            measure=args.measure,
            package=args.package,
            p=args.p,
            replicates=args.replicates,
            max_strength=args.max_strength,
            max_scale=args.max_scale,
            tolerance=args.tolerance,
            threads=args.threads,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except (ValueError, KeyError) as e:  # an unknown target or lever, a bad range
        raise _bad_input(e) from None
    print(result)
    if args.trace:
        t = result.evaluations
        labels = list(result.lever.labels) if len(result.lever.labels) <= 2 else []
        headers = ["scale", *labels, "cost/yr", "total cost", "P(met)", "met"]
        rows = [
            [
                _fmt(float(r["scale"])),
                *(_fmt(float(r[lb])) for lb in labels),
                _fmt(float(r["cost_per_year_cny_100m"])),
                _fmt(float(r["total_cost_cny_100m"])),
                _prob(float(r["p_met"])),
                "yes" if r["met"] else "no",
            ]
            for _, r in t.iterrows()
        ]
        print("\nEvery run (strengths in the lever's unit; costs in 100m CNY):")
        _print_table(headers, rows, right=set(range(len(headers) - 1)))
    return EXIT_OK


def _cmd_optimize(args: argparse.Namespace) -> int:
    from tradeeco import policy_search

    spec = _search_checks(args)
    if args.budget < 1:
        raise _BadInputError("--budget must be at least 1")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise _BadInputError(f"--out {out}: is a file; give a folder")
    try:
        result = policy_search.optimize(
            spec,
            args.target,
            p=args.p,
            budget=args.budget,
            vary=args.vary,
            rest=args.rest,
            max_scale=args.max_scale,
            replicates=args.replicates,
            sampler=args.sampler,
            sampler_seed=args.sampler_seed,
            storage=args.storage,
            study_name=args.study_name,
            threads=args.threads,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except (ValueError, KeyError) as e:  # unknown target or lever; --storage for another problem
        raise _bad_input(e) from None
    result.write(out)
    ev = result.evaluator
    print(
        f"{len(result.trials)} packages run ({ev.replicates} replicates each, seed {ev.seed}, "
        f"to {ev.end}); goals met with P(met) >= {result.p:g}, cost in 100m CNY to the end of "
        f"{ev.end.year} (per year: at full strength)"
    )
    rows = [
        (
            r.package,
            _fmt(r.cost_cny_100m),
            _fmt(r.cost_per_year_cny_100m),
            f"{r.n_met}/{len(result.goals)}",
            r.met or "-",
        )
        for r in result.front.itertuples()
    ]
    print("\nPareto front (cost against goals met):")
    _print_table(["package", "cost", "per year", "met", "goals met"], rows, right={1, 2, 3})
    print("\nScale of each lever's written strengths in each package:")
    headers = ["lever", *result.front["package"]]
    rows = [
        [lv.name, *(_fmt(float(v)) for v in result.front[f"scale:{lv.name}"])]
        for lv in result.levers
    ]
    _print_table(headers, rows, right=set(range(1, len(headers))))
    w = result.written
    if w is not None:
        print(
            f"\nAs written: cost {_fmt(float(w['cost_cny_100m']))}, meets {w['n_met']}/"
            f"{len(result.goals)} ({w['met'] or 'none'})"
        )
        cheapest = result.cheapest_meeting(w["met"].split()) if w["met"] else None
        if cheapest is not None:
            print(
                f"Cheapest run meeting the same goals: cost {_fmt(float(cheapest['cost_cny_100m']))} "
                f"(trial {cheapest['trial']})"
            )
    print(
        f"\nwrote {out}/: front.csv, trials.csv, pareto.png and {len(result.front)} scenario files"
    )
    if args.storage:
        print(
            f"study {result.study_name!r} in {args.storage}: run again with a larger --budget to continue"
        )
    return EXIT_OK


def _add_search_parsers(sub) -> None:
    def common(p) -> None:
        p.add_argument(
            "scenario",
            metavar="SCENARIO",
            help="a scenario file (.toml) or the name of a shipped scenario; its policies are scaled",
        )
        p.add_argument(
            "-p",
            type=float,
            default=0.8,
            metavar="P",
            help="probability of meeting a target to reach: share of replicates (default 0.8)",
        )
        p.add_argument(
            "--replicates",
            "-n",
            type=int,
            metavar="N",
            help="replicates per run (default: the scenario's); the same seeds in every run",
        )
        p.add_argument(
            "--max-scale",
            type=float,
            metavar="K",
            help="cap every strength at K times its written value (required: no cap; optimize: "
            "3); strengths also stay within the lever's range (`tradeeco levers`)",
        )
        p.add_argument(
            "--threads", "-t", type=int, default=1, metavar="T", help="threads per run (0 = all)"
        )
        p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    p = sub.add_parser(
        "required",
        help="smallest strength of a lever (or package) that meets a target, and its cost",
        description="Finds the smallest strength of the selected policies (scaled together "
        "from their written strengths) at which TARGET is met with probability at least P, and "
        "what it costs. The search brackets (doubling from the written strength) and bisects, "
        "running the model on the same seeds and replicates every time (common random numbers). "
        "If the target is not met at the top of the lever's range, it says so. Costs scale "
        "with strength (ASSUMPTION; docs/optimize.md).",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco required plan aeo_firms --lever aeo_cultivation
              tradeeco required plan kd_kit_exports:2027 --lever kd_kit_hub -n 10 -p 0.9
              tradeeco required plan trading_firms --policy "Break the zero drive" --trace
              tradeeco required plan platform_coverage --measure 21 --measure 22
              tradeeco required plan cr_express_trains --package --max-scale 4

            TARGET is a target id (`tradeeco.targets`), optionally :YEAR (default: the last
            year the plan sets a target for). Exit code 0 whether or not it is reachable.
            """
        ),
    )
    common(p)
    p.add_argument("target", metavar="TARGET", help="target id, e.g. aeo_firms or aeo_firms:2025")
    sel = p.add_argument_group("what to scale (one or more; united)")
    sel.add_argument(
        "--lever", action="append", metavar="NAME", help="every policy using this lever"
    )
    sel.add_argument(
        "--policy", action="append", metavar="LABEL", help="the policy with this label"
    )
    sel.add_argument(
        "--measure", action="append", type=int, metavar="N", help="every policy of plan measure N"
    )
    sel.add_argument("--package", action="store_true", help="every policy of the scenario")
    p.add_argument(
        "--max-strength",
        type=float,
        metavar="S",
        help="upper end of the plausible range, in the lever's unit (default: the lever's range)",
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=0.02,
        metavar="R",
        help="stop when the bracket is within this share of the strength (default 0.02)",
    )
    p.add_argument("--trace", action="store_true", help="also print every run of the search")
    p.set_defaults(func=_cmd_required)

    p = sub.add_parser(
        "optimize",
        help="cheapest packages meeting a set of targets: Pareto front, scenario files, plot",
        description="Searches the strengths of the scenario's levers (a scale factor on each "
        "lever's written strengths, in [0, --max-scale] and within the lever's range) for "
        "packages that cost least and meet the most TARGETs with probability at least P, with "
        "optuna's multi-objective TPE sampler, BUDGET model runs in all on the same seeds. "
        "The last quarter of the budget trims packages on the front. With --storage the study "
        "is saved after every run and resumed by running the same command again. Writes "
        "front.csv, trials.csv, pareto.png and one scenario file per package on the front "
        "into --out. See docs/optimize.md.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco optimize plan --target aeo_firms --target kd_kit_exports --out opt/
              tradeeco optimize plan --target aeo_firms --target platform_coverage \\
                  --vary aeo_cultivation --vary platform_outreach --budget 40 -n 8 \\
                  --storage opt.db --out opt/
              tradeeco run opt/plan_p03.toml --out p03.nc      run a package found
            """
        ),
    )
    common(p)
    p.set_defaults(max_scale=3.0)
    p.add_argument(
        "--target",
        action="append",
        required=True,
        metavar="TARGET",
        help="a target to meet (repeat); id or id:YEAR",
    )
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="folder for the outputs")
    p.add_argument(
        "--budget", "-b", type=int, default=60, metavar="N", help="model runs in all (default 60)"
    )
    p.add_argument(
        "--vary",
        action="append",
        metavar="NAME",
        help="a lever (all its policies) or a policy label to search (repeat; default: every "
        "lever the scenario uses)",
    )
    p.add_argument(
        "--rest",
        choices=["written", "off"],
        default="written",
        help="policies not varied: as written (default) or switched off",
    )
    p.add_argument(
        "--storage",
        metavar="FILE",
        help="save and resume the study: a .db (SQLite) or .log (journal) file",
    )
    p.add_argument(
        "--study-name", metavar="NAME", help="study name in --storage (default: from the problem)"
    )
    p.add_argument(
        "--sampler", choices=["tpe", "nsga2"], default="tpe", help="optuna sampler (default tpe)"
    )
    p.add_argument(
        "--sampler-seed", type=int, default=0, metavar="S", help="the sampler's seed (default 0)"
    )
    p.set_defaults(func=_cmd_optimize)


# --- nowcast ---------------------------------------------------------------------------------


def _cmd_nowcast(args: argparse.Namespace) -> int:
    import tradeeco

    nc = importlib.import_module("tradeeco.nowcast")  # tradeeco.nowcast is the function
    from tradeeco._results import warn_if_not_nc

    try:
        observations = nc.read_observations(args.observed)
        spec = tradeeco.as_spec(args.scenario)
    except (nc.ObservationError, FileNotFoundError) as e:
        raise _BadInputError(str(e)) from None
    for name, value, low in (("--members", args.members, 2), ("--threads", args.threads, 1)):
        if value < low:
            raise _BadInputError(f"{name} must be at least {low}, found {value}")
    if not args.rel_error > 0:
        raise _BadInputError(f"--obs-error must be > 0, found {args.rel_error}")
    if args.out is not None:
        warn_if_not_nc(args.out)
    if not args.quiet:
        print(
            f"nowcast {spec.name}: {len(observations)} observation(s) from {args.observed}, "
            f"{args.members} members to {args.end or spec.end}, threads {args.threads}",
            file=sys.stderr,
        )
    try:
        result = nc.nowcast(
            spec,
            observations,
            members=args.members,
            end=args.end,
            threads=args.threads,
            seed=args.seed,
            rel_error=args.rel_error,
            rejuvenate=not args.no_rejuvenate,
            threshold=args.threshold,
            max_drop=args.max_drop,
        )
    except ValueError as e:  # an observation outside the simulated months, say
        raise _BadInputError(str(e)) from None
    warnings_ = result.warnings()
    print(f"Warnings ({len(warnings_)}):" if warnings_ else "Warnings: none")
    for w in warnings_:
        print(f"  WARNING {w}")
    print(f"\nEffective sample size: {result.ess:.1f} of {result.members} members")
    for u in result.updates:
        note = f", resampled, {u.moved} rejuvenation moves accepted" if u.resampled else ""
        print(f"  update {u.month}: ESS {u.ess:.1f} before resampling{note}")
    att = result.attainment()
    print("\nP(met) per target (prior -> after the observations; change since the last update):")
    rows = [
        (
            r.indicator,
            r.year,
            f"{_rule(r.rule)} {_fmt(r.target)}",
            r.unit,
            _fmt(r.mean),
            _prob(r.p_prior),
            _prob(r.p_met),
            f"{r.change:+.2f}",
        )
        for r in att.itertuples()
    ]
    headers = ["indicator", "year", "target", "unit", "mean", "P prior", "P(met)", "change"]
    _print_table(headers, rows, right={1, 4, 5, 6, 7})
    fc = result.forecast()
    if not fc.empty:
        print("\nObserved quantities, full year (prior mean -> posterior mean [10 %, 90 %]):")
        rows = [
            (
                r["indicator"],
                r["year"],
                r["unit"],
                _fmt(r["prior_mean"]),
                _fmt(r["mean"]),
                f"[{_fmt(r['q0.1'])}, {_fmt(r['q0.9'])}]",
            )
            for r in fc.to_dict("records")
        ]
        _print_table(["indicator", "year", "unit", "prior", "nowcast", "80 % interval"], rows,
                     right={1, 3, 4})  # fmt: skip
    if args.out is not None:
        path = result.to_netcdf(args.out)
        print(f"\nwrote {path} (weights in its 'weight' variable; `tradeeco compare` uses them)")
    return EXIT_OK


def _add_nowcast_parser(sub) -> None:
    from tradeeco.nowcast import DEFAULT_REL_ERROR

    p = sub.add_parser(
        "nowcast",
        help="condition the ensemble on observed statistics: updated P(met) and early warnings",
        description="Draws --members parameter sets from the prior (docs/nowcast.md), runs "
        "each once, and conditions them on the observations (a CSV "
        "indicator,start,end,value,unit,source) with a particle filter: importance weights "
        "from a Student-t observation likelihood, resampling when the effective sample size "
        "falls below half the members, and rejuvenation by re-running jittered members. "
        "Prints the early warnings first, then the effective sample size, the updated P(met) "
        "of every target with its change since the previous update, and the full-year "
        "forecast of the observed quantities. A malformed observation file exits with 2, "
        "naming the file, line and column.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco nowcast baseline --observed data/observations_2024.csv -t 2
              tradeeco nowcast plan --observed obs.csv --members 100 --out plan_now.nc
              tradeeco nowcast baseline --observed obs.csv --end 2025-12-31 --members 10
            """
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a shipped name")
    p.add_argument(
        "--observed", required=True, metavar="OBS.csv", help="observations (docs/nowcast.md)"
    )
    p.add_argument("--members", "-m", type=int, default=40, metavar="N",
                   help="parameter sets drawn from the prior, one run each (default 40)")  # fmt: skip
    p.add_argument("--threads", "-t", type=int, default=1, metavar="T",
                   help="members run at the same time (default 1)")  # fmt: skip
    p.add_argument("--end", metavar="YYYY-MM-DD",
                   help="last simulated day, the last of a month, to save time (default: the scenario's end)")  # fmt: skip
    p.add_argument("--seed", "-s", type=int, default=0, metavar="S",
                   help="seed of the prior draws and of resampling (default 0)")  # fmt: skip
    p.add_argument("--obs-error", dest="rel_error", type=float, default=DEFAULT_REL_ERROR,
                   metavar="R", help="relative scale of the Student-t observation error "
                   f"(default {DEFAULT_REL_ERROR}, chosen on the twins of docs/nowcast.md)")  # fmt: skip
    p.add_argument("--threshold", type=float, default=0.5, metavar="P",
                   help="warn when P(met) is below P (default 0.5)")  # fmt: skip
    p.add_argument("--max-drop", type=float, default=0.2, metavar="D",
                   help="warn when P(met) falls by more than D in one update (default 0.2)")  # fmt: skip
    p.add_argument("--no-rejuvenate", action="store_true",
                   help="no re-runs: keep importance weights, without resampling (cheaper)")  # fmt: skip
    p.add_argument("--out", "-o", metavar="FILE.nc",
                   help="write the weighted ensemble (a result file with a 'weight' variable)")  # fmt: skip
    p.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    p.set_defaults(func=_cmd_nowcast)


# --- sensitivity -------------------------------------------------------------------------------


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from tradeeco.sensitivity import sensitivity

    design = {"screening_share": args.screening_share, "sampling_seed": args.sampling_seed}
    if args.trajectories is not None:
        design["trajectories"] = args.trajectories
    if args.sobol_base is not None:
        design["sobol_base"] = args.sobol_base
    split = lambda text: [k.strip() for k in text.split(",") if k.strip()] if text else None  # noqa: E731
    try:
        res = sensitivity(
            args.scenarios or ("baseline", "plan"),
            parameters=split(args.parameters),
            indicators=split(args.indicators),
            budget=args.budget,
            top_k=args.top_k,
            replicates=args.replicates,
            seed=args.seed,
            end=args.end,
            year=args.year,
            population_scale=args.population_scale,
            workers=args.workers,
            cache=args.cache,
            resume=not args.no_resume,
            progress=not args.quiet,
            **design,
        )
    except (ValueError, KeyError) as e:  # ScenarioError and StudyCacheMismatchError too
        raise _BadInputError(str(e.args[0]) if e.args else str(e)) from None
    if args.out:
        res.save(args.out)
    if args.markdown:
        Path(args.markdown).write_text(res.to_markdown(args.drivers))
    m = res.meta
    print(
        f"{m['runs']} runs ({m['samples']} samples x {m['runs_per_sample']}), "
        f"{m['evaluated_samples']} evaluated now, {m['cached_samples']} from the cache, "
        f"{m['evaluation_seconds']} s; Sobol stage: {', '.join(res.screened)}"
    )
    rows = []
    for output, cell in res.driver_cells(args.drivers).items():
        rows.append([output, cell.replace("`", "")])
    _print_table(["output", f"{args.drivers} drivers (Morris mu*/max; Sobol ST ± CI)"], rows)
    return EXIT_OK


def _add_sensitivity_parser(sub) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="which parameters drive each 2027 verdict and each plan effect (Morris, Sobol)",
        description="Global sensitivity of each target indicator in --year, under every "
        "SCENARIO, and of each scenario's paired effect against the first, to the parameter "
        "table's ranges (uniform, or each parameter's prior): Morris screening of all "
        "parameters, then first-order and total Sobol indices (with bootstrap confidence "
        "intervals) of the --top-k screened ones. Every sample runs with the same seed and "
        "replicates (common random numbers). Evaluations are cached in --cache, so running "
        "the same command again resumes. See docs/sensitivity.md.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco sensitivity --budget 2000 --cache sens.jsonl --out sens/
              tradeeco sensitivity baseline plan --budget 10000 --workers 2 --markdown sens.md
              tradeeco sensitivity --end 2025-06-30 --year 2025 --budget 300 --top-k 3
              tradeeco sensitivity --parameters trade_elasticity,exit_hazard,sme_share --budget 200
            """
        ),
    )
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="scenarios run at every sample; effects are against the first (default: "
        "baseline plan)",
    )
    p.add_argument(
        "--budget",
        type=int,
        default=2000,
        metavar="RUNS",
        help="model runs allowed; a sample costs one run per scenario and replicate (default 2000)",
    )
    p.add_argument(
        "--top-k", type=int, default=8, metavar="K", help="parameters in the Sobol stage (8)"
    )
    p.add_argument(
        "--parameters",
        metavar="KEY,KEY",
        help="parameters to vary (default: every one with a range; `tradeeco parameters`)",
    )
    p.add_argument(
        "--indicators", metavar="ID,ID", help="target ids to study (default: those with a target)"
    )
    p.add_argument("--year", type=int, default=2027, help="year of the outputs (default 2027)")
    p.add_argument(
        "--end", metavar="DATE", help="end the runs early (YYYY-MM-DD, the last day of a month)"
    )
    p.add_argument(
        "--population-scale",
        type=float,
        metavar="X",
        help="scale the firm population (quick looks only; changes the model's answer)",
    )
    p.add_argument(
        "--replicates", "-n", type=int, default=1, metavar="N", help="replicates per sample (1)"
    )
    p.add_argument(
        "--seed", "-s", type=int, metavar="S", help="the runs' seed (default: the first scenario's)"
    )
    p.add_argument(
        "--trajectories",
        type=int,
        metavar="R",
        help="Morris trajectories (default: from the budget)",
    )
    p.add_argument(
        "--sobol-base",
        type=int,
        metavar="N",
        help="Sobol base samples (default: the largest power of two the budget pays for)",
    )
    p.add_argument(
        "--screening-share",
        type=float,
        default=0.5,
        metavar="F",
        help="share of the budget for Morris screening (default 0.5)",
    )
    p.add_argument(
        "--sampling-seed", type=int, default=0, metavar="S", help="seed of the designs (0)"
    )
    p.add_argument(
        "--workers", "-w", type=int, default=2, metavar="W", help="worker processes (default 2)"
    )
    p.add_argument(
        "--cache", metavar="FILE.jsonl", help="evaluation cache: resume an interrupted study"
    )
    p.add_argument("--no-resume", action="store_true", help="discard the cache and start again")
    p.add_argument("--out", "-o", metavar="FOLDER", help="write the tables as CSV and meta.json")
    p.add_argument("--markdown", metavar="FILE.md", help="write the tables as markdown")
    p.add_argument(
        "--drivers", type=int, default=5, metavar="N", help="drivers to name per output (5)"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_sensitivity)


# --- calibrate ---------------------------------------------------------------------------------


def _cmd_calibrate(args: argparse.Namespace) -> int:
    cal = importlib.import_module("tradeeco.calibrate")

    split = lambda text: [k.strip() for k in text.split(",") if k.strip()] if text else None  # noqa: E731
    settings = dict(cal.SMOKE) if args.smoke else {}
    for key in ("population_size", "generations", "population_scale", "end"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if args.parameters:
        settings["parameters"] = split(args.parameters)
    try:
        res = cal.calibrate(
            moment_sets=split(args.moments),
            max_simulations=args.max_simulations,
            replicates=args.replicates,
            seed=args.seed,
            threads=args.threads,
            workers=args.workers,
            out=args.out,
            db=args.db,
            resume=args.resume,
            progress=not args.quiet,
            **settings,
        )
    except (ValueError, KeyError) as e:  # CalibrationError and ScenarioError too
        raise _BadInputError(str(e.args[0]) if e.args else str(e)) from None
    rows = [
        [
            str(g["generation"]),
            f"{g['epsilon']:.4g}",
            str(g["simulations"]),
            f"{g['acceptance_rate']:.2f}",
            f"{g['ess']:.0f}",
        ]
        for g in res.generations.to_dict("records")
    ]
    _print_table(["generation", "epsilon", "simulations", "acceptance", "ESS"], rows)
    rows = [
        [
            m["parameter"],
            f"{m['prior_median']:.4g} [{m['prior_q05']:.4g}, {m['prior_q95']:.4g}]",
            f"{m['posterior_median']:.4g} [{m['posterior_q05']:.4g}, {m['posterior_q95']:.4g}]",
        ]
        for m in res.marginals.to_dict("records")
    ]
    _print_table(["parameter", "prior median [5%, 95%]", "posterior median [5%, 95%]"], rows)
    if args.out:
        print(f"wrote {args.out} ({len(res.posterior)} sets) and its _diagnostics.json")
    return EXIT_OK


def _add_calibrate_parser(sub) -> None:
    cal = importlib.import_module("tradeeco.calibrate")

    p = sub.add_parser(
        "calibrate",
        help="fit the free parameters to the 2024 levels and stylized facts (ABC-SMC, pyabc)",
        description="Approximate Bayesian computation by sequential Monte Carlo (pyabc): "
        "parameter sets drawn from the parameter table's priors run the baseline (same seeds "
        "for every set: common random numbers), and the sets whose moments lie near the "
        "observed ones are kept, the tolerance tightening each generation. The result is a "
        "weighted posterior of parameter sets, written as CSV with its provenance and a "
        "_diagnostics.json (epsilon, acceptance, ESS per generation; prior and posterior "
        "marginals). Deterministic given --seed and --workers. See docs/calibration.md.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """            examples:
              tradeeco calibrate --smoke --out /tmp/posterior.csv        seconds
              tradeeco calibrate --out python/tradeeco/data/posterior.csv --workers 2
              tradeeco calibrate --moments facts --parameters entry_noise,exit_hazard
            """
        ),
    )
    p.add_argument(
        "--moments",
        default="levels_2024,facts",
        metavar="SET,SET",
        help=f"moment sets to fit, of {', '.join(cal.MOMENT_SETS)} (default levels_2024,facts; "
        "hindcast: the 2019-2022 fit window of docs/hindcast.md)",
    )
    p.add_argument(
        "--parameters",
        metavar="KEY,KEY",
        help="free parameters to fit (default: the documented subset, "
        "tradeeco.calibrate.DEFAULT_PARAMETERS)",
    )
    p.add_argument("--population-size", type=int, metavar="N", help="particles a generation (250)")
    p.add_argument("--generations", type=int, metavar="G", help="at most G generations (6)")
    p.add_argument("--max-simulations", type=int, metavar="N", help="at most N model runs in all")
    p.add_argument(
        "--replicates", "-n", type=int, default=1, metavar="N", help="replicates per particle (1)"
    )
    p.add_argument("--seed", "-s", type=int, default=20240101, metavar="S", help="seed (20240101)")
    p.add_argument(
        "--population-scale",
        type=float,
        metavar="X",
        help="scale the firm population (default 1; smaller is faster and less faithful)",
    )
    p.add_argument(
        "--end", metavar="DATE", help="end the runs early (YYYY-MM-DD, the last day of a month)"
    )
    p.add_argument("--threads", "-t", type=int, default=1, metavar="T", help="threads a run (1)")
    p.add_argument("--workers", "-w", type=int, default=1, metavar="W", help="worker processes (1)")
    p.add_argument("--smoke", action="store_true", help="a tiny configuration that runs in seconds")
    p.add_argument("--out", "-o", metavar="FILE.csv", help="write the posterior here")
    p.add_argument("--db", metavar="FILE.db", help="keep pyabc's history here (SQLite)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="go on with the run in --db for --generations more generations",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    p.set_defaults(func=_cmd_calibrate)


# --- parser ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from tradeeco import __version__

    parser = argparse.ArgumentParser(
        prog="tradeeco",
        formatter_class=_formatter,
        description="Agent-based simulation of Chongqing's foreign trade 2024-2027.",
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco scenarios                      list the shipped scenarios
              tradeeco run baseline --out baseline.nc --replicates 20
              tradeeco run plan --out plan.nc --replicates 20
              tradeeco compare baseline.nc plan.nc    probabilities and paired differences
              tradeeco report baseline.nc plan.nc -o report.html   the planner's report
              tradeeco ensemble plan -n 1000 -t 2 --out plan.nc   resumable, shards, Dask
              tradeeco validate my_package.toml       check a scenario file
              tradeeco required plan aeo_firms --lever aeo_cultivation   strength needed
              tradeeco optimize plan --target aeo_firms --target kd_kit_exports --out opt/
              tradeeco nowcast baseline --observed obs.csv   P(met) updated on the statistics
              tradeeco sensitivity --budget 2000 --cache sens.jsonl   what drives each verdict
              tradeeco calibrate --out posterior.csv  fit the parameters (ABC-SMC)

            exit codes: 0 ok, 1 run failed, 2 bad input, 130 cancelled (Ctrl-C),
            143 terminated (SIGTERM; cleaned up like Ctrl-C)
            """
        ),
    )
    parser.add_argument("--version", action="version", version=f"tradeeco {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "run",
        help="run a scenario's replicates into a result file",
        description="Runs every replicate of a scenario and writes one HDF5/netCDF-4 result "
        "file, then prints each target's final-year mean, the target and the probability of "
        "meeting it across replicates. Results do not depend on --threads.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco run baseline --out baseline.nc
              tradeeco run scenarios/files/plan.toml --out plan.nc --replicates 50 --threads 0
              tradeeco run plan --out plan_s7.nc --seed 7 --quiet
              tradeeco run baseline --out b_e3.nc --set trade_elasticity=3 --set sme_share=0.95
            """
        ),
    )
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a scenario file (.toml) or the name of a shipped scenario (see `tradeeco scenarios`)",
    )
    p.add_argument(
        "--out",
        "-o",
        required=True,
        metavar="FILE.nc",
        help="result file to write (netCDF-4; another suffix works, with a warning)",
    )
    p.add_argument(
        "--replicates", "-n", type=int, metavar="N", help="override the number of replicates"
    )
    p.add_argument(
        "--threads",
        "-t",
        type=int,
        default=1,
        metavar="T",
        help="threads to run replicates on (0 = all cores; default 1)",
    )
    p.add_argument("--seed", "-s", type=int, metavar="S", help="override the scenario's seed")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        type=_parameter_override,
        metavar="KEY=VALUE",
        help="override a model parameter (repeatable); checked against its plausible range "
        "(`tradeeco parameters` lists them)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
    _add_posterior_options(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "ensemble",
        help="run many replicates of one or more scenarios in resumable shards",
        description="Runs replicates [0, N) of each scenario in shards of --batch-size "
        "replicates, here on --threads threads or on a Dask cluster (--scheduler), and joins "
        "each scenario's shards into one result file. Shards are kept in <file>.shards/ until "
        "the join: if the command is killed or cancelled, running it again resumes from the "
        "finished shards, and the result is bit for bit the one an uninterrupted run gives. "
        "With one SCENARIO, --out is the result file; with several, a folder that receives "
        "<name>.nc for each. See docs/ensembles.md.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco ensemble baseline --replicates 1000 --threads 2 --out baseline_1000.nc
              tradeeco ensemble baseline plan pkg_corridors --replicates 500 --out study/
              tradeeco ensemble plan -n 10000 --out plan.nc --scheduler tcp://scheduler:8786
              tradeeco ensemble plan -n 1000 --out plan.nc --no-resume   (start again)
            """
        ),
    )
    p.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="scenario files (.toml) or names of shipped scenarios (see `tradeeco scenarios`)",
    )
    p.add_argument(
        "--out",
        "-o",
        required=True,
        metavar="PATH",
        help="result file (one scenario; name it *.nc) or folder (several)",
    )
    p.add_argument(
        "--replicates",
        "-n",
        type=int,
        metavar="N",
        help="replicates per scenario (default: the scenario's own)",
    )
    p.add_argument(
        "--threads",
        "-t",
        type=int,
        default=1,
        metavar="T",
        help="threads per shard (0 = all cores; default 1); results do not depend on it",
    )
    p.add_argument("--seed", "-s", type=int, metavar="S", help="override the scenarios' seed")
    p.add_argument(
        "--batch-size",
        "-b",
        type=int,
        metavar="B",
        help="replicates per shard (default: replicates/16 within [16, 64])",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run shards on a Dask cluster (tcp://host:8786); the workers must see --out "
        "at the same path",
    )
    p.add_argument(
        "--no-resume",
        action="store_true",
        help="discard shards a previous run of this study left and start again",
    )
    p.add_argument(
        "--keep-shards",
        action="store_true",
        help="keep <file>.shards/ after the join (lets a later, larger study reuse them)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no messages")
    _add_posterior_options(p)
    p.set_defaults(func=_cmd_ensemble)

    p = sub.add_parser(
        "validate",
        help="check scenario files",
        description="Reads and validates scenario files, printing OK or the error for each. "
        "Exit code 2 if any is invalid.",
        formatter_class=_formatter,
        epilog="examples:\n  tradeeco validate scenarios/files/*.toml\n  tradeeco validate my_package.toml\n",
    )
    p.add_argument("files", nargs="+", metavar="FILE.toml")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "compare",
        help="compare result files: target probabilities and paired differences",
        description="For each target and year: the probability of meeting it under each "
        "scenario, and the paired difference of the indicator against the first file (mean and "
        "interval over replicates). Paired differences need files run with the same seed and "
        "replicates (common random numbers); otherwise only the probabilities are shown.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco compare baseline.nc plan.nc
              tradeeco compare baseline.nc plan.nc plan_plus.nc --year 2027
              tradeeco compare baseline.nc plan.nc --method percentile --level 0.9
            """
        ),
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE.nc", help="result files; the first is the reference"
    )
    p.add_argument("--year", type=int, help="only this target year (default: all)")
    p.add_argument("--level", type=float, default=0.95, help="interval level (default 0.95)")
    p.add_argument(
        "--method",
        choices=["t", "bootstrap", "percentile"],
        default="t",
        help="interval: t (CI of the mean, default), bootstrap (CI of the mean), "
        "percentile (spread of the per-replicate differences)",
    )
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser(
        "report",
        help="write the planner's report: one self-contained HTML page (Chinese or English)",
        description="Compares result files (the first is the reference, normally the baseline) "
        "in one HTML page that needs no network: a summary in plain language, P(met) per "
        "target with intervals (the same probabilities as `tradeeco compare`), fan charts, "
        "paired differences (with cost-effectiveness where the files carry fiscal costs), each "
        "package's levers and the provenance of every run. Prints the path of what it wrote.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco report results/baseline.nc results/plan.nc -o report.html
              tradeeco report baseline.nc plan.nc pkg_corridors.nc -o r.html --lang en
              tradeeco report baseline.nc plan.nc -o r.html --pdf          (also r.pdf)
              tradeeco report baseline.nc plan.nc -o r.html --sensitivity sobol.csv
            """
        ),
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE.nc", help="result files; the first is the reference"
    )
    p.add_argument("--out", "-o", required=True, metavar="FILE.html", help="HTML file to write")
    p.add_argument(
        "--lang", choices=["zh", "en"], default="zh", help="language (default zh, Chinese)"
    )
    p.add_argument(
        "--pdf",
        nargs="?",
        const="",
        metavar="FILE.pdf",
        help="also print it to PDF with headless Chromium (default: the HTML name with .pdf)",
    )
    p.add_argument(
        "--sensitivity",
        metavar="FILE.csv",
        help="sensitivity results (columns indicator, parameter, index): shows what drives "
        "each verdict",
    )
    p.add_argument("--level", type=float, default=0.95, help="interval level (default 0.95)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description="Lists the scenarios shipped with tradeeco, which `tradeeco run NAME` accepts.",
        formatter_class=_formatter,
        epilog="examples:\n  tradeeco scenarios\n  tradeeco scenarios --paths\n",
    )
    p.add_argument("--paths", action="store_true", help="also print each scenario's file")
    p.set_defaults(func=_cmd_scenarios)

    p = sub.add_parser(
        "levers",
        help="list the policy levers (or shocks) a scenario can use",
        description="Lists the policy levers: unit and allowed range of their strength, the "
        "targeting they accept and the plan measures they can represent.",
        formatter_class=_formatter,
        epilog="examples:\n  tradeeco levers\n  tradeeco levers --shocks\n",
    )
    p.add_argument("--shocks", action="store_true", help="list shocks instead of levers")
    p.set_defaults(func=_cmd_levers)

    p = sub.add_parser(
        "parameters",
        help="list the model parameters scenarios may override",
        description=(
            "Lists every model parameter with its default value, unit, allowed range, prior for "
            "uncertainty studies, whether the calibration to 2024 data pins it or it is free, "
            "and the model files (models/src) that read it. docs/parameters.md has the "
            "descriptions and sources."
        ),
        formatter_class=_formatter,
        epilog="examples:\n  tradeeco parameters\n  tradeeco parameters --match entry\n",
    )
    p.add_argument("--match", metavar="TEXT", help="only keys containing TEXT")
    p.set_defaults(func=_cmd_parameters)
    _add_search_parsers(sub)
    _add_nowcast_parser(sub)
    _add_sensitivity_parser(sub)
    _add_calibrate_parser(sub)
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so a run cleans up (no temporaries, no partial
    files, finished shards kept) instead of dying where it stands."""


@contextlib.contextmanager
def _sigterm_cancels(terminated: list, as_program: bool = False):
    """While the command runs, SIGTERM cancels it like Ctrl-C (only in the main thread, where
    Python can handle signals); `terminated` gets an entry when it arrived. When the command is
    the program (`as_program`), SIGINT and SIGTERM are ignored once it has ended: its files are
    complete or removed by then, and a signal landing while the interpreter shuts down must not
    turn that into a killed process (exit -2 or -15)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum, frame):
        if terminated:  # cancelling already: a second SIGTERM changes nothing
            return
        terminated.append(signum)
        raise _Terminated("terminated (SIGTERM)")

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        if as_program:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        else:
            signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tradeeco`` command. Returns the exit code."""
    parser = build_parser()
    argv_given = argv  # None: the program itself (console script, python -m tradeeco)
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["tradeeco", *argv])  # for result files' history attribute
    import tradeeco

    debug = bool(os.environ.get("TRADEECO_DEBUG"))

    def fail(message: str, code: int) -> int:
        if debug:
            import traceback

            traceback.print_exc()
        print(f"tradeeco: error: {message}", file=sys.stderr)
        return code

    terminated = []
    try:
        with warnings.catch_warnings(), _sigterm_cancels(terminated, as_program=argv_given is None):
            warnings.showwarning = _show_warning
            return args.func(args)
    except (
        _BadInputError,
        tradeeco.ScenarioError,
        tradeeco.NotPairedError,
        tradeeco.PosteriorError,
        FileNotFoundError,
    ) as e:
        return fail(str(e), EXIT_BAD_INPUT)
    except KeyboardInterrupt:  # includes tradeeco.RunCancelled
        print("tradeeco: cancelled", file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_CANCELLED
    except ImportError as e:
        return fail(str(e), EXIT_FAILED)
    except Exception as e:  # ModelError, ResultIOError, anything unexpected
        if _caused_by_a_signal(e):  # Ctrl-C or SIGTERM wrapped by a C extension (h5py)
            print("tradeeco: cancelled", file=sys.stderr)
            return EXIT_TERMINATED if terminated else EXIT_CANCELLED
        return fail(str(e) or type(e).__name__, EXIT_FAILED)


def _caused_by_a_signal(e: BaseException) -> bool:
    """Whether `e` wraps a KeyboardInterrupt: a signal landing inside a C extension's callback
    (seen: h5py's lock) surfaces as SystemError("... returned a result with an exception set")
    caused by it. The run's clean-up has run (finally blocks see any exception)."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
