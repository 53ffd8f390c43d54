"""The ``tradeeco`` command line: run, validate and compare scenarios, and run ensembles.

Exit codes: 0 success; 1 a run or a file operation failed; 2 bad input (an invalid scenario, a
missing file, bad arguments); 130 cancelled with Ctrl-C. Errors print as
``tradeeco: error: <message>`` without a traceback (set TRADEECO_DEBUG=1 to see it).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import textwrap
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


def _cmd_run(args: argparse.Namespace) -> int:
    import tradeeco
    from tradeeco import analysis

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
    out = Path(args.out)
    if out.is_dir():
        raise _BadInputError(
            f"--out {out}: is a folder; give a file name such as {out / spec.name}.h5"
        )

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
        tradeeco._native.core().run_to_file(
            spec, os.fspath(out), threads=args.threads, progress=progress
        )
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
    out = Path(args.out)
    single = len(specs) == 1
    if single and out.is_dir():
        name = next(iter(specs))
        raise _BadInputError(f"--out {out}: is a folder; give a file name such as {out / name}.h5")
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
    datasets = {}
    try:
        for f in args.files:
            p = Path(f)
            if not p.exists():
                raise _BadInputError(f"{p}: no such result file")
            label = p.stem
            k = 2
            while label in datasets:
                label = f"{p.stem}#{k}"
                k += 1
            try:
                datasets[label] = tradeeco.open(p).load()
            except tradeeco.ResultIOError as e:  # damaged, unsealed or not a result file
                raise _BadInputError(str(e)) from None
    finally:
        for ds in datasets.values():
            ds.close()

    labels = list(datasets)
    att = analysis.attainment(datasets)
    if att.empty:
        print("no target indicators found in these files")
        return EXIT_OK
    years = sorted(set(att["year"])) if args.year is None else [args.year]
    att = att[att["year"].isin(years)]
    ref_label, ref = labels[0], datasets[labels[0]]
    level = args.level

    print("P(met) = share of replicates meeting the target")
    for label in labels:
        ds = datasets[label]
        print(
            f"  {label}: scenario {analysis.scenario_name(ds)!r}, "
            f"{ds.sizes.get('replicate', 0)} replicates, seed {ds.attrs.get('seed', '?')}"
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

    headers = ["indicator", "year", "target"] + [f"P({lb})" for lb in labels]
    right = set(range(1, len(headers)))
    for label in diffs:
        headers.append(f"{label}-{ref_label} [{level:.0%} CI]")
        right.add(len(headers) - 1)
    rows = []
    order = {t: i for i, t in enumerate(tradeeco.targets.ids())}
    keyed = att.set_index(["indicator", "year", "scenario"])
    for (indicator, year), group in sorted(
        att.groupby(["indicator", "year"]), key=lambda kv: (order.get(kv[0][0], 1e9), kv[0][1])
    ):
        first = group.iloc[0]
        row = [indicator, year, f"{_rule(first['rule'])} {_fmt(first['target'])}"]
        for label in labels:
            key = (indicator, year, label)
            row.append(_prob(keyed.loc[key, "p_met"]) if key in keyed.index else "")
        for d in diffs.values():
            if (indicator, year) in d.index:
                r = d.loc[(indicator, year)]
                row.append(f"{_fmt(r['mean'])} [{_fmt(r['lo'])}, {_fmt(r['hi'])}]")
            else:
                row.append("")
        rows.append(row)
    print()
    _print_table(headers, rows, right=right)
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

    rows = [
        (p["key"], _fmt(p["value"]), p["unit"], f"[{_fmt(p['min'])}, {_fmt(p['max'])}]")
        for p in tradeeco.parameter_table()
        if not args.match or args.match in p["key"]
    ]
    _print_table(["key", "value", "unit", "range"], rows, right={1})
    return EXIT_OK


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
              tradeeco run baseline --out baseline.h5 --replicates 20
              tradeeco run plan --out plan.h5 --replicates 20
              tradeeco compare baseline.h5 plan.h5    probabilities and paired differences
              tradeeco ensemble plan -n 1000 -t 2 --out plan.h5   resumable, shards, Dask
              tradeeco validate my_package.toml       check a scenario file

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
              tradeeco run baseline --out baseline.h5
              tradeeco run scenarios/files/plan.toml --out plan.h5 --replicates 50 --threads 0
              tradeeco run plan --out plan_s7.h5 --seed 7 --quiet
            """
        ),
    )
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a scenario file (.toml) or the name of a shipped scenario (see `tradeeco scenarios`)",
    )
    p.add_argument("--out", "-o", required=True, metavar="FILE.h5", help="result file to write")
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
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
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
        "<name>.h5 for each. See docs/ensembles.md.",
        formatter_class=_formatter,
        epilog=textwrap.dedent(
            """\
            examples:
              tradeeco ensemble baseline --replicates 1000 --threads 2 --out baseline_1000.h5
              tradeeco ensemble baseline plan pkg_corridors --replicates 500 --out study/
              tradeeco ensemble plan -n 10000 --out plan.h5 --scheduler tcp://scheduler:8786
              tradeeco ensemble plan -n 1000 --out plan.h5 --no-resume   (start again)
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
        help="result file (one scenario) or folder (several)",
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
              tradeeco compare baseline.h5 plan.h5
              tradeeco compare baseline.h5 plan.h5 plan_plus.h5 --year 2027
              tradeeco compare baseline.h5 plan.h5 --method percentile --level 0.9
            """
        ),
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE.h5", help="result files; the first is the reference"
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
        description="Lists every model parameter with its default value, unit and allowed range.",
        formatter_class=_formatter,
        epilog="examples:\n  tradeeco parameters\n  tradeeco parameters --match entry\n",
    )
    p.add_argument("--match", metavar="TEXT", help="only keys containing TEXT")
    p.set_defaults(func=_cmd_parameters)
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so a run cleans up (no temporaries, no partial
    files, finished shards kept) instead of dying where it stands."""


@contextlib.contextmanager
def _sigterm_cancels(terminated: list):
    """While the command runs, SIGTERM cancels it like Ctrl-C (only in the main thread, where
    Python can handle signals); `terminated` gets an entry when it arrived."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum, frame):
        terminated.append(signum)
        raise _Terminated("terminated (SIGTERM)")

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tradeeco`` command. Returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
        with _sigterm_cancels(terminated):
            return args.func(args)
    except (
        _BadInputError,
        tradeeco.ScenarioError,
        tradeeco.NotPairedError,
        FileNotFoundError,
    ) as e:
        return fail(str(e), EXIT_BAD_INPUT)
    except KeyboardInterrupt:  # includes tradeeco.RunCancelled
        print("tradeeco: cancelled", file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_CANCELLED
    except ImportError as e:
        return fail(str(e), EXIT_FAILED)
    except Exception as e:  # ModelError, ResultIOError, anything unexpected
        return fail(str(e) or type(e).__name__, EXIT_FAILED)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
