"""Global sensitivity of the 2027 verdicts and plan effects to the model's parameters (SALib).

A study has two stages, both over the parameter table's plausible ranges (uniform on
``[min, max]``, or the row's ``prior`` where the table gives one):

1. **Morris screening** (elementary effects, ``SALib.sample.morris``) of every parameter:
   ``r`` trajectories of ``k + 1`` points each. Parameters are ranked per output by ``mu*``
   (the mean absolute elementary effect), normalised by the largest ``mu*`` of that output, and
   the ``top_k`` parameters with the largest mean normalised ``mu*`` over all outputs go on.
2. **Sobol indices** (Saltelli's scheme, ``SALib.sample.sobol`` / ``SALib.analyze.sobol``) of
   those ``top_k`` parameters, the others held at their table values: first-order ``S1`` and
   total ``ST`` indices with SALib's bootstrap confidence intervals.

Sampling happens in the unit cube; each column is mapped to a parameter through the inverse CDF
of its prior (truncated to the range), so elementary effects are per unit of prior
probability and comparable across parameters with different units.

The model is one *evaluator*: a callable ``f(parameters: dict) -> {output: float}``.
:class:`ModelEvaluator` runs the scenarios (by default baseline and plan) at one parameter
sample, all with the same seed and replicate indices (common random numbers), and returns each
2027 target indicator of each scenario and each plan-versus-baseline paired difference. Any
other callable works too, which is how the method is tested on the Ishigami function.

Evaluations run in worker processes and can be cached in a JSON-lines file keyed by the
sample's parameter values; running the same study again with the same cache resumes.

Example (an analytic function, so it runs without the model)::

    >>> import numpy as np
    >>> from tradeeco.sensitivity import Parameter, study
    >>> space = [Parameter("a", 0.0, 1.0), Parameter("b", 0.0, 1.0)]
    >>> res = study(lambda p: {"y": p["a"] + 0.1 * p["b"]}, space, budget=2048, progress=False)
    >>> res.sobol.set_index("parameter")["ST"].round(1).to_dict()
    {'a': 1.0, 'b': 0.0}
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import logging
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import targets as _targets
from ._parameters import prior_ppf
from ._scenarios import ScenarioLike, as_spec

__all__ = [
    "ISHIGAMI_SPACE",
    "ModelEvaluator",
    "Parameter",
    "SensitivityResult",
    "StudyCacheMismatchError",
    "ishigami",
    "parameter_space",
    "sensitivity",
    "study",
]

log = logging.getLogger(__name__)

Evaluator = Callable[[Mapping[str, float]], Mapping[str, float]]
ProgressArg = bool | Callable[[int, int], object] | None

CACHE_FORMAT = "tradeeco-sensitivity-cache/1"
MIN_TRAJECTORIES = 2  # SALib's Morris analysis needs at least two trajectories
MIN_SOBOL_BASE = 8  # fewer base samples give Sobol estimates that are mostly noise
MIN_DRIVER_SHARE = 0.01  # a driver's mu* is at least this share of the output's largest


# --- the parameter space -----------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """One uncertain parameter: its key, plausible range and prior.

    ``prior`` is one of ``uniform``, ``triangular``, ``normal`` or ``lognormal`` over
    ``[low, high]``, by the parameter table's rule (docs/parameters.md, "Priors"): a triangular
    has its mode at ``nominal``; a normal its mean at ``nominal`` and sd a quarter of the range;
    a lognormal its median at ``nominal`` and log-sd a quarter of ``ln(high / low)``; all
    truncated to the range, because overrides outside it are rejected.
    """

    key: str
    low: float
    high: float
    prior: str = "uniform"
    nominal: float | None = None
    unit: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or not self.low < self.high:
            raise ValueError(
                f"parameter {self.key!r}: expected a finite range with low < high, "
                f"found [{self.low}, {self.high}]"
            )
        if self.prior not in _PRIORS:
            raise ValueError(
                f"parameter {self.key!r}: prior: expected one of {', '.join(_PRIORS)}, "
                f"found {self.prior!r}"
            )
        if self.prior != "uniform" and self.nominal is None:
            raise ValueError(f"parameter {self.key!r}: a {self.prior} prior needs a nominal value")

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Parameter values for quantiles ``u`` in [0, 1] of the (truncated) prior."""
        u = np.asarray(u, dtype=float)
        row = pd.DataFrame(
            {
                "key": [self.key],
                "value": [
                    self.nominal if self.nominal is not None else 0.5 * (self.low + self.high)
                ],
                "min": [self.low],
                "max": [self.high],
                "prior": [self.prior],
            }
        )
        return prior_ppf([self.key], u.reshape(-1, 1), row).reshape(u.shape)


_PRIORS = ("uniform", "triangular", "normal", "lognormal")


def parameter_space(
    keys: Iterable[str] | None = None, table: pd.DataFrame | None = None
) -> list[Parameter]:
    """The parameters of :func:`tradeeco.parameter_table` (or ``table``, a DataFrame with its
    columns) with their priors, in table order: by default the free ones (not pinned by the
    calibration to 2024 data) with ``min < max``; ``keys`` picks any of them (an unknown key
    raises KeyError naming the count of known ones)."""
    if table is None:
        from ._parameters import parameter_table

        table = parameter_table()
    rows = {str(r["key"]): r for r in table.to_dict("records")}
    if keys is None:
        chosen = [
            k
            for k, r in rows.items()
            if float(r["min"]) < float(r["max"]) and not bool(r.get("pinned", False))
        ]
    else:
        chosen = list(dict.fromkeys(str(k) for k in keys))
        unknown = [k for k in chosen if k not in rows]
        if unknown:
            raise KeyError(
                f"unknown parameter(s) {', '.join(map(repr, unknown))}; "
                f"`tradeeco parameters` lists the {len(rows)} known keys"
            )
    return [
        Parameter(
            key=k,
            low=float(rows[k]["min"]),
            high=float(rows[k]["max"]),
            prior=str(rows[k].get("prior") or "uniform"),
            nominal=float(rows[k]["value"]) if "value" in rows[k] else None,
            unit=str(rows[k].get("unit", "")),
        )
        for k in chosen
    ]


def _to_values(space: Sequence[Parameter], unit: np.ndarray) -> np.ndarray:
    return np.column_stack([p.from_unit(unit[:, j]) for j, p in enumerate(space)])


# --- the model as an evaluator ----------------------------------------------------------------


class ModelEvaluator:
    """Runs scenarios at one parameter sample and returns one number per output.

    Every scenario runs ``replicates`` replicates with the same ``seed`` (default: the first
    scenario's), so replicate *i* of every sample and every scenario draws the same random
    numbers (common random numbers): differences between samples are the parameters' doing,
    and plan-versus-baseline differences are paired.

    Outputs, for each target indicator with a target in ``year`` (all target indicators when
    the year has none) that the model outputs:

    * ``"<scenario>:<indicator>"``: the indicator's value in ``year``, mean over replicates;
    * ``"<scenario>-<reference>:<indicator>"``: the mean per-replicate difference between a
      scenario and the first one (the reference), for every scenario after the first.

    Instances pickle (they hold scenario texts, not Specs), so worker processes can run them.
    """

    def __init__(
        self,
        scenarios: Sequence[ScenarioLike] = ("baseline", "plan"),
        *,
        replicates: int = 1,
        seed: int | None = None,
        end: str | None = None,
        population_scale: float | None = None,
        year: int = 2027,
        indicators: Iterable[str] | None = None,
    ) -> None:
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
            raise ValueError(f"replicates must be an integer >= 1, found {replicates!r}")
        specs = [as_spec(s) for s in scenarios]
        if not specs:
            raise ValueError("no scenario given")
        seed = specs[0].seed if seed is None else seed
        specs = [
            s.with_(seed=seed, replicates=replicates, end=end, population_scale=population_scale)
            for s in specs
        ]
        labels = [s.name for s in specs]
        if len(set(labels)) != len(labels):
            raise ValueError(f"scenario names must differ, found {labels}")
        self.labels = labels
        self.texts = [s.resolved_text for s in specs]
        self.replicates = replicates
        self.seed = int(seed)
        self.year = int(year)
        self.end = specs[0].end.isoformat()
        if self.year > specs[0].end.year:
            raise ValueError(
                f"year {self.year} is after the scenarios' end ({self.end}); "
                "pass a year the run covers"
            )
        table = _targets.table()
        self._specs: list | None = None
        specs = self._load_specs()  # the texts must load back now, not fail in a worker later
        from ._native import core

        # The series a run writes, without running it (a tiny population builds quickly).
        probe = core().Model(specs[0].with_(population_scale=0.01), 0)
        produced = {s["name"] for s in probe.series_info()}
        if indicators is None:
            column = f"target_{self.year}"
            with_target = (
                [i for i in table.index if not pd.isna(table.loc[i, column])]
                if column in table.columns
                else []
            )
            # Target ids the model does not output (services, digital trade...) are left out.
            indicators = [i for i in (with_target or list(table.index)) if i in produced]
        else:
            indicators = list(indicators)
            missing = [i for i in indicators if i not in produced]
            if missing:
                raise KeyError(
                    f"the model outputs no indicator(s) {missing}; "
                    "`tradeeco.targets.ids()` lists the target ids"
                )
        self.indicators = indicators
        # Yearly indicators are read straight from the model's series (no result file): half
        # the CPU of tradeeco.run for one replicate, which also builds a model for the file's
        # layout (0.29 against 0.58 CPU s for the full baseline). The numbers are the same
        # (test_sensitivity.py checks it). Monthly ones go through run() and analysis.yearly.
        frequency = {s["name"]: s["frequency"] for s in probe.series_info()}
        yearly_only = all(frequency[i] == "yearly" for i in self.indicators)
        self.engine = "model" if yearly_only else "run"

    def _load_specs(self) -> list:
        from ._scenarios import load_scenario_string

        if self._specs is None:
            self._specs = [
                load_scenario_string(t, name=label)
                for t, label in zip(self.texts, self.labels, strict=True)
            ]
        return self._specs

    def _run_models(self, specs: list, parameters: Mapping[str, float]) -> dict:
        """``{"<label>:<indicator>": per-replicate values in year}`` from the models' yearly
        series, replicate by replicate, without a result file. Scenarios with the same layout
        (parameters, seed, population, horizon, outputs) simulate the months before their first
        policy once per replicate and branch from that state (the same numbers as separate
        runs: tests/python/test_sensitivity.py)."""
        from ._native import core
        from ._scenarios import with_parameter_overrides

        c = core()
        specs = [with_parameter_overrides(s, dict(parameters), origin="parameters=") for s in specs]
        shared = len({c.layout_key(s) for s in specs}) == 1
        prefix = c.shared_prefix_days(specs) if shared else 0
        per_replicate = {(lb, i): [] for lb in self.labels for i in self.indicators}
        for replicate in range(self.replicates):
            if prefix > 0:
                base = c.Model(specs[0], replicate, 1)
                base.advance(prefix)
                state = base.save_state()
                models = [c.Model(s, state=state, threads=1) for s in specs]
            else:
                models = [c.Model(s, replicate, 1) for s in specs]
            for label, model in zip(self.labels, models, strict=True):
                model.run()
                years = list(model.calendar()["years"])
                if self.year not in years:
                    raise ValueError(f"{label}: no values for {self.year} (years {years})")
                series = model.series()
                for ind in self.indicators:
                    per_replicate[label, ind].append(float(series[ind][years.index(self.year)]))
        return {f"{lb}:{i}": np.asarray(v) for (lb, i), v in per_replicate.items()}

    @property
    def runs_per_sample(self) -> int:
        """Model runs (replicates) one evaluation costs."""
        return len(self.labels) * self.replicates

    def identity(self) -> dict[str, Any]:
        """What fixes the outputs of a sample (the evaluation cache's key)."""
        from ._native import core

        return {
            "scenarios": {
                label: hashlib.sha256(text.encode()).hexdigest()
                for label, text in zip(self.labels, self.texts, strict=True)
            },
            "seed": self.seed,
            "replicates": self.replicates,
            "end": self.end,
            "year": self.year,
            "indicators": self.indicators,
            "tradeeco_version": core().version(),
            "git_revision": core().git_revision(),
        }

    def output_names(self) -> list[str]:
        names = [f"{s}:{i}" for s in self.labels for i in self.indicators]
        ref = self.labels[0]
        names += [f"{s}-{ref}:{i}" for s in self.labels[1:] for i in self.indicators]
        return names

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_specs": None}

    def _run_files(self, parameters: Mapping[str, float]) -> dict:
        """As _run_models, through tradeeco.run and the result files (monthly indicators)."""
        from . import analysis
        from ._results import run

        values: dict[str, np.ndarray] = {}
        for label, spec in zip(self.labels, self._load_specs(), strict=True):
            # The study sets the parameters itself: no posterior draw on top.
            ds = run(
                spec, parameters=dict(parameters), threads=1, progress=False, fixed_parameters=True
            )
            for ind in self.indicators:
                series = analysis.yearly(ds, ind)
                if self.year not in series["year"].values:
                    raise ValueError(
                        f"{label}: {ind} has no value for {self.year} (years "
                        f"{series['year'].values.tolist()})"
                    )
                values[f"{label}:{ind}"] = np.asarray(series.sel(year=self.year).values, float)
        return values

    def __call__(self, parameters: Mapping[str, float]) -> dict[str, float]:
        # Instances pickled before `engine` existed run through run(), as they did then.
        if getattr(self, "engine", "run") == "model":
            values = self._run_models(self._load_specs(), parameters)
        else:
            values = self._run_files(parameters)
        out = {k: float(np.mean(v)) for k, v in values.items()}
        ref = self.labels[0]
        for label in self.labels[1:]:
            for ind in self.indicators:
                paired = values[f"{label}:{ind}"] - values[f"{ref}:{ind}"]
                out[f"{label}-{ref}:{ind}"] = float(np.mean(paired))
        return out


# --- an analytic test function ------------------------------------------------------------------


def ishigami(parameters: Mapping[str, float], a: float = 7.0, b: float = 0.1) -> dict[str, float]:
    """The Ishigami function (Ishigami & Homma 1990) of ``x1, x2, x3`` uniform on
    ``[-pi, pi]``: ``y = sin x1 + a sin^2 x2 + b x3^4 sin x1``. Its Sobol indices are known
    (for a = 7, b = 0.1: S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244), which makes it the
    usual check of a sensitivity method. Module-level, so worker processes can run it.

    >>> round(ishigami({"x1": 0.0, "x2": math.pi / 2, "x3": 1.0})["y"], 6)
    7.0
    """
    x1, x2, x3 = (float(parameters[k]) for k in ("x1", "x2", "x3"))
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)}


ISHIGAMI_SPACE = tuple(Parameter(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3))


# --- evaluations: cache, workers, progress ------------------------------------------------------


class StudyCacheMismatchError(ValueError):
    """The evaluation cache file belongs to another study (other scenarios, seed, replicates,
    year or tradeeco build): reusing it would mix results, so nothing is run."""


def _sample_key(values: Sequence[float]) -> str:
    return ",".join(repr(float(v)) for v in values)


class _Cache:
    """Evaluations in a JSON-lines file: a header line with the study's identity, then one line
    per evaluated sample. A line cut short by a killed run is ignored (and evaluated again)."""

    def __init__(self, path: Path | None, identity: dict, resume: bool) -> None:
        self.path = path
        self.done: dict[str, dict[str, float]] = {}
        self._file = None
        if path is None:
            return
        header = {"format": CACHE_FORMAT, "identity": identity}
        if resume and path.exists() and path.stat().st_size > 0:
            with path.open() as f:
                lines = f.read().split("\n")
            try:
                found = json.loads(lines[0])
            except json.JSONDecodeError:
                found = None
            if not isinstance(found, dict) or found.get("format") != CACHE_FORMAT:
                raise StudyCacheMismatchError(
                    f"{path}:1: expected a {CACHE_FORMAT} header line, found {lines[0][:80]!r}"
                )
            if found.get("identity") != identity:
                old = found.get("identity") or {}
                differ = sorted(k for k in {*old, *identity} if old.get(k) != identity.get(k))
                raise StudyCacheMismatchError(
                    f"{path}: the cached evaluations belong to another study (differs in: "
                    f"{', '.join(differ)}); give another cache file or resume=False "
                    "(--no-resume) to start again"
                )
            for n, line in enumerate(lines[1:], start=2):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    self.done[rec["key"]] = rec["outputs"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    log.warning("%s:%d: unreadable cache line skipped (a killed run?)", path, n)
            self._file = path.open("a")
            if lines[-1] != "":
                self._file.write("\n")  # the cut-short line stays on its own
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("w")
            self._file.write(json.dumps(header) + "\n")
            self._file.flush()

    def add(self, key: str, parameters: Mapping[str, float], outputs: Mapping[str, float]) -> None:
        self.done[key] = dict(outputs)
        if self._file is not None:
            rec = {"key": key, "parameters": dict(parameters), "outputs": dict(outputs)}
            self._file.write(json.dumps(rec) + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


_worker_evaluator: Evaluator | None = None


def _init_worker(evaluator: Evaluator) -> None:
    global _worker_evaluator
    _worker_evaluator = evaluator


def _call_worker(parameters: dict[str, float]) -> dict[str, float]:
    assert _worker_evaluator is not None
    return dict(_worker_evaluator(parameters))


class _Bar:
    def __init__(self, progress: ProgressArg, total: int, desc: str) -> None:
        self.callback = progress if callable(progress) else None
        self.bar = None
        self.total = total
        if progress is True:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="sample", dynamic_ncols=True)

    def update(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
        if self.callback is not None and self.callback(done, self.total) is False:
            from .errors import RunCancelled

            raise RunCancelled("sensitivity study cancelled by the progress callback")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class _Runner:
    """Evaluates samples (rows of parameter values) through the cache and the workers."""

    evaluator: Evaluator
    space: Sequence[Parameter]
    workers: int
    cache: _Cache
    progress: ProgressArg
    evaluated: int = 0  # evaluations actually run (not from the cache)
    reused: int = 0
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)

    def __call__(self, values: np.ndarray, desc: str) -> pd.DataFrame:
        keys = [p.key for p in self.space]
        samples = [dict(zip(keys, map(float, row), strict=True)) for row in values]
        skeys = [_sample_key(row) for row in values]
        todo = sorted({k: i for i, k in enumerate(skeys) if k not in self.cache.done}.values())
        self.reused += len(samples) - len(todo)
        bar = _Bar(self.progress, len(samples), desc)
        start = time.perf_counter()
        try:
            done = len(samples) - len(todo)
            bar.update(done)
            for i, outputs in self._evaluate([samples[i] for i in todo], todo):
                self.cache.add(skeys[i], samples[i], outputs)
                self.evaluated += 1
                done += 1
                bar.update(done)
        finally:
            bar.close()
            self.seconds += time.perf_counter() - start
        rows = [self.cache.done[k] for k in skeys]
        if not self.outputs:
            self.outputs = list(rows[0])
        for i, r in enumerate(rows):
            if set(r) != set(self.outputs):
                raise ValueError(
                    f"sample {i} ({samples[i]}) gave outputs {sorted(r)}, expected "
                    f"{sorted(self.outputs)} like the others"
                )
        return pd.DataFrame(rows, columns=self.outputs, dtype=float)

    def _evaluate(self, samples: list[dict], index: list[int]):
        if self.workers <= 1 or len(samples) <= 1:
            for i, s in zip(index, samples, strict=True):
                yield i, dict(self.evaluator(s))
            return
        # Processes, not threads: each run writes and reads an HDF5 file, and the HDF5 library
        # is not thread-safe. "spawn" starts clean interpreters (no forked HDF5 state).
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_init_worker, initargs=(self.evaluator,)
        ) as pool:
            pending: dict[cf.Future, int] = {}
            queue = iter(zip(index, samples, strict=True))
            try:
                for i, s in queue:  # keep a few samples per worker in flight, not all of them
                    pending[pool.submit(_call_worker, s)] = i
                    if len(pending) >= 4 * self.workers:
                        break
                while pending:
                    finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                    for fut in finished:
                        i = pending.pop(fut)
                        yield i, fut.result()
                        nxt = next(queue, None)
                        if nxt is not None:
                            pending[pool.submit(_call_worker, nxt[1])] = nxt[0]
            except BaseException:
                for fut in pending:
                    fut.cancel()
                raise


# --- the study -----------------------------------------------------------------------------------


@dataclass
class SensitivityResult:
    """What a study found. Tables are long pandas DataFrames, one row per output x parameter.

    Attributes:
        parameters: the sampled parameters (key, low, high, prior, nominal, unit).
        outputs: per output: kind (``level`` or ``effect``), scenario, indicator, year, target,
            rule, and over the screening samples (or, without screening, the Sobol samples):
            mean, sd, min, max and ``share_met`` (share of samples whose value meets the
            target; levels only).
        morris: mu, mu_star, mu_star_conf, sigma and mu_star_norm (mu_star over the output's
            largest) per output and parameter; empty without screening.
        screened: the parameters the Sobol stage varied, most influential first.
        sobol: S1, S1_conf, ST, ST_conf per output and screened parameter (conf = half-width
            of SALib's bootstrap confidence interval at ``meta['conf_level']``).
        meta: the design and its cost (samples, runs, wall time, workers, seeds).
    """

    parameters: pd.DataFrame
    outputs: pd.DataFrame
    morris: pd.DataFrame
    screened: list[str]
    sobol: pd.DataFrame
    meta: dict[str, Any]

    def drivers(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` parameters driving each output: ranked by Morris ``mu*`` over every
        parameter when the study screened (leaving out those under 1 % of the output's largest
        ``mu*``), else by Sobol ``ST``; with the Sobol indices of the ones the Sobol stage
        varied. Columns output, rank, parameter, mu_star_norm, S1, S1_conf,
        ST, ST_conf."""
        sob = self.sobol.set_index(["output", "parameter"])
        rows = []
        for output in self.outputs["output"]:
            if not self.morris.empty:
                m = self.morris[self.morris["output"] == output]
                # Below 1 % of the output's largest effect a parameter drives nothing.
                m = m[m["mu_star_norm"] >= MIN_DRIVER_SHARE]
                m = m.sort_values("mu_star", ascending=False)
                ranked = list(zip(m["parameter"], m["mu_star_norm"], strict=True))
            else:
                s = self.sobol[self.sobol["output"] == output].sort_values("ST", ascending=False)
                ranked = [(p, math.nan) for p in s["parameter"]]
            for rank, (param, norm) in enumerate(ranked[:n], start=1):
                idx = sob.loc[(output, param)] if (output, param) in sob.index else None
                rows.append(
                    {
                        "output": output,
                        "rank": rank,
                        "parameter": param,
                        "mu_star_norm": norm,
                        **{
                            c: (float(idx[c]) if idx is not None else math.nan)
                            for c in ("S1", "S1_conf", "ST", "ST_conf")
                        },
                    }
                )
        return pd.DataFrame(
            rows,
            columns=[
                "output",
                "rank",
                "parameter",
                "mu_star_norm",
                "S1",
                "S1_conf",
                "ST",
                "ST_conf",
            ],
        )

    def driver_cells(self, n: int = 5) -> dict[str, str]:
        """Per output, its ``n`` drivers as one line of text: ``key (mu*n; ST x ± c)``, where
        mu*n is the normalised Morris ``mu*`` and ST the Sobol total index with the half-width
        of its confidence interval (for parameters the Sobol stage varied)."""
        cells: dict[str, str] = {}
        for output, group in self.drivers(n).groupby("output", sort=False):
            parts = []
            for r in group.itertuples():
                bits = [] if math.isnan(r.mu_star_norm) else [f"{r.mu_star_norm:.2f}"]
                if not math.isnan(r.ST):
                    bits.append(f"ST {r.ST:.2f} ± {r.ST_conf:.2f}")
                parts.append(f"`{r.parameter}` ({'; '.join(bits)})" if bits else f"`{r.parameter}`")
            cells[output] = ", ".join(parts)
        return cells

    def to_markdown(self, n: int = 5, cost: bool = True) -> str:
        """The study as markdown tables: the design (and with ``cost``, what this call
        evaluated), the parameters the Sobol stage varied, and per output the ``n`` parameters
        that drive it."""
        m = self.meta
        cells = self.driver_cells(n)
        lines = [
            f"Design: {m['parameters']} parameters; "
            + (
                f"Morris screening with {m['trajectories']} trajectories "
                f"({m['morris_samples']} samples, {m['num_levels']} levels), then "
                if m["screen"]
                else ""
            )
            + f"Sobol indices of {m['top_k']} parameters from {m['sobol_base']} base samples "
            f"({m['sobol_samples']} samples, Saltelli's scheme); {m['runs_per_sample']} model "
            f"run(s) per sample, {m['runs']} runs in all; confidence intervals "
            f"{m['conf_level']:.0%} from {m['num_resamples']} bootstrap resamples.",
            "",
            *(
                [
                    f"Cost: {m['evaluated_samples']} samples evaluated in this call "
                    f"({m['cached_samples']} taken from the cache), {m['evaluation_seconds']} s "
                    f"of evaluation on {m['workers']} worker process(es).",
                    "",
                ]
                if cost
                else []
            ),
            "Parameters varied in the Sobol stage (largest mean normalised Morris mu* over all "
            "outputs first):",
            "",
            "| parameter | range | prior | unit |",
            "|---|---|---|---|",
        ]
        params = self.parameters.set_index("key")
        for key in self.screened:
            p = params.loc[key]
            lines.append(
                f"| `{key}` | {p['low']:g} to {p['high']:g} | {p['prior']} | {p['unit']} |"
            )
        outs = self.outputs
        for kind, title in (("level", "Levels and verdicts"), ("effect", "Paired effects")):
            part = outs[outs["kind"] == kind] if "kind" in outs.columns else outs
            if part.empty:
                continue
            lines += ["", f"### {title}", ""]
            if kind == "level":
                lines += [
                    "| output | target | share of samples meeting it | mean [min, max] "
                    f"| {n} drivers |",
                    "|---|---|---|---|---|",
                ]
            else:
                lines += [f"| output | mean [min, max] | {n} drivers |", "|---|---|---|"]
            for r in part.to_dict("records"):
                unit = f" {r['unit']}" if isinstance(r.get("unit"), str) else ""
                spread = f"{_num(r['mean'])} [{_num(r['min'])}, {_num(r['max'])}]{unit}"
                drivers = cells.get(r["output"], "none: the output does not vary")
                if kind == "level":
                    target = r.get("target", math.nan)
                    tgt = "-" if pd.isna(target) else f"{r.get('rule', '')} {_num(target)}"
                    share = r.get("share_met", math.nan)
                    share = "-" if pd.isna(share) else f"{share:.2f}"
                    lines.append(f"| `{r['output']}` | {tgt} | {share} | {spread} | {drivers} |")
                else:
                    lines.append(f"| `{r['output']}` | {spread} | {drivers} |")
        return "\n".join(lines) + "\n"

    def save(self, folder: str | os.PathLike) -> Path:
        """Writes the tables as CSV files and ``meta.json`` into ``folder``; returns it."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("parameters", "outputs", "morris", "sobol"):
            getattr(self, name).to_csv(folder / f"{name}.csv", index=False)
        self.drivers().to_csv(folder / "drivers.csv", index=False)
        meta = {**self.meta, "screened": self.screened}
        (folder / "meta.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
        return folder


def _num(x: float) -> str:
    """A number for a table: 4 significant digits, thousands separated."""
    if pd.isna(x):
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _index_rows(output: str, names: Sequence[str], res, columns: Sequence[str]) -> list[dict]:
    """SALib's result (arrays per index, parameters in order) as one row per parameter."""
    return [
        {"output": output, "parameter": key, **{c: float(res[c][j]) for c in columns}}
        for j, key in enumerate(names)
    ]


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, found {value!r}")
    return int(value)


def study(
    evaluator: Evaluator,
    space: Sequence[Parameter],
    *,
    budget: int,
    top_k: int = 8,
    screen: bool | None = None,
    screening_share: float = 0.5,
    trajectories: int | None = None,
    sobol_base: int | None = None,
    runs_per_sample: int = 1,
    num_levels: int = 4,
    conf_level: float = 0.95,
    num_resamples: int = 100,
    sampling_seed: int = 0,
    workers: int = 1,
    cache: str | os.PathLike | None = None,
    resume: bool = True,
    progress: ProgressArg = True,
    output_info: Callable[[str], dict[str, Any]] | None = None,
) -> SensitivityResult:
    """Morris screening, then Sobol indices of the ``top_k`` screened parameters, of any
    evaluator over ``space``. :func:`sensitivity` calls this with the model.

    Args:
        evaluator: ``f(dict of parameter values) -> {output name: number}``. With
            ``workers > 1`` it must pickle (a module-level function or class instance).
        space: the parameters to vary (see :func:`parameter_space`).
        budget: evaluation cost allowed, in model runs: ``runs_per_sample`` per sample. Split
            ``screening_share`` to Morris (``r`` trajectories of ``k + 1`` samples) and the
            rest to Sobol (``N (k_top + 2)`` samples, ``N`` the largest power of two that fits).
        top_k: parameters the Sobol stage varies.
        screen: Morris first (default: when there are more than ``top_k`` parameters).
        trajectories, sobol_base: ``r`` and ``N`` explicitly instead of from the budget.
        num_levels: Morris grid levels.
        conf_level, num_resamples: SALib's bootstrap confidence intervals.
        sampling_seed: seed of the Morris and Sobol designs (not of the model).
        workers: processes evaluating samples in parallel (1: in this process). They are
            started with "spawn", which imports the calling script again: call from a script
            under ``if __name__ == "__main__":`` (the CLI and notebooks need nothing).
        cache: JSON-lines file of evaluations; a later call with the same file, study identity
            (the evaluator's ``identity()``) and design reuses them, so a killed study resumes.
        resume: False discards an existing cache file.
        progress: True for a tqdm bar per stage, False for none, or ``callable(done, total)``;
            returning False cancels (finished evaluations stay in the cache).
        output_info: extra columns of the outputs table per output name (target, rule...).

    Raises:
        ValueError: the budget cannot pay for the smallest design, or a bad argument.
        StudyCacheMismatchError: ``cache`` holds another study's evaluations.
    """
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise ImportError(
            "sensitivity studies need SALib: pip install 'tradeeco[sensitivity]'"
        ) from None

    space = list(space)
    k = len(space)
    if k < 2:
        raise ValueError(f"a sensitivity study needs at least 2 parameters, found {k}")
    keys = [p.key for p in space]
    if len(set(keys)) != k:
        raise ValueError(f"parameter keys repeat: {keys}")
    budget = _check_int("budget", budget, 1)
    runs_per_sample = _check_int("runs_per_sample", runs_per_sample, 1)
    top_k = _check_int("top_k", top_k, 2)
    workers = _check_int("workers", workers, 1)
    if not 0 < screening_share < 1:
        raise ValueError(f"screening_share must be in (0, 1), found {screening_share!r}")
    screen = k > top_k if screen is None else bool(screen)
    samples_allowed = budget // runs_per_sample

    identity_fn = getattr(evaluator, "identity", None)
    identity = {
        "evaluator": identity_fn()
        if callable(identity_fn)
        else getattr(evaluator, "__qualname__", type(evaluator).__qualname__),
        "space": [[p.key, p.low, p.high, p.prior] for p in space],
        "sampling_seed": sampling_seed,
        "num_levels": num_levels,
    }
    store = _Cache(None if cache is None else Path(cache), identity, resume)

    def refuse_over_budget(morris_samples: int, n_base: int, ks: int) -> None:
        sobol_samples = n_base * (ks + 2)
        if morris_samples + sobol_samples > samples_allowed:
            raise ValueError(
                f"the design needs {(morris_samples + sobol_samples) * runs_per_sample} runs "
                f"({morris_samples} Morris + {sobol_samples} Sobol samples, "
                f"{runs_per_sample} runs each), more than the budget of {budget}"
            )

    runner = _Runner(evaluator, space, workers, store, progress)
    started = time.perf_counter()
    try:
        unit = {"num_vars": k, "names": keys, "bounds": [[0.0, 1.0]] * k}
        morris_df = pd.DataFrame(
            columns=["output", "parameter", "mu", "mu_star", "mu_star_conf", "sigma"]
        )
        r = 0
        summary_y = None
        if screen:
            r = trajectories or int(samples_allowed * screening_share) // (k + 1)
            if r < MIN_TRAJECTORIES:
                need = MIN_TRAJECTORIES * (k + 1) * runs_per_sample / screening_share
                raise ValueError(
                    f"budget {budget} runs is too small to screen {k} parameters: Morris needs "
                    f"at least {MIN_TRAJECTORIES} trajectories of {k + 1} samples "
                    f"({runs_per_sample} runs each); give a budget of at least {math.ceil(need)}"
                )
            if r * (k + 1) > samples_allowed:
                raise ValueError(
                    f"{r} Morris trajectories of {k + 1} samples need "
                    f"{r * (k + 1) * runs_per_sample} runs, more than the budget of {budget}"
                )
            if sobol_base is not None:
                # A fixed Sobol base fixes the whole design: refuse it before the screening's
                # runs, not after them.
                refuse_over_budget(
                    r * (k + 1), _check_int("sobol_base", sobol_base, 2), min(top_k, k)
                )
            x_unit = morris_sample.sample(unit, r, num_levels=num_levels, seed=sampling_seed)
            y = runner(_to_values(space, x_unit), f"Morris screening ({k} parameters)")
            summary_y = y
            rows = []
            for out in y.columns:
                yv = y[out].to_numpy()
                if not np.all(np.isfinite(yv)):
                    log.warning("%s: not finite in some Morris samples; left out", out)
                    continue
                res = morris_analyze.analyze(
                    unit,
                    x_unit,
                    yv,
                    num_resamples=num_resamples,
                    conf_level=conf_level,
                    num_levels=num_levels,
                    seed=sampling_seed,
                )
                rows += _index_rows(out, keys, res, ("mu", "mu_star", "mu_star_conf", "sigma"))
            morris_df = pd.DataFrame(rows, columns=morris_df.columns)
            top = morris_df.groupby("output")["mu_star"].transform("max")
            morris_df["mu_star_norm"] = np.where(top > 0, morris_df["mu_star"] / top, 0.0)
            # Broad importance: the mean over outputs, so a parameter that drives many verdicts
            # goes on before one that drives a single output (which Morris still names).
            score = morris_df.groupby("parameter")["mu_star_norm"].mean()
            score = score.reindex(keys).fillna(0.0)
            screened = list(score.sort_values(ascending=False, kind="stable").index[:top_k])
        else:
            morris_df["mu_star_norm"] = []
            screened = keys
        used_samples = r * (k + 1) if screen else 0

        sub = [p for p in space if p.key in screened]
        sub.sort(key=lambda p: screened.index(p.key))
        ks = len(sub)
        if sobol_base is None:
            left = samples_allowed - used_samples
            n_base = 2 ** math.floor(math.log2(max(left // (ks + 2), 1)))
            if left // (ks + 2) < MIN_SOBOL_BASE:
                need = (used_samples + MIN_SOBOL_BASE * (ks + 2)) * runs_per_sample
                raise ValueError(
                    f"budget {budget} runs leaves {left * runs_per_sample} runs for the Sobol "
                    f"stage; {ks} parameters need at least {MIN_SOBOL_BASE} x {ks + 2} "
                    f"samples: give a budget of at least {need}"
                )
        else:
            n_base = _check_int("sobol_base", sobol_base, 2)
        refuse_over_budget(used_samples, n_base, ks)
        unit_sub = {"num_vars": ks, "names": screened, "bounds": [[0.0, 1.0]] * ks}
        xs_unit = sobol_sample.sample(
            unit_sub, n_base, calc_second_order=False, scramble=True, seed=sampling_seed
        )
        nominal = np.array(
            [p.nominal if p.nominal is not None else 0.5 * (p.low + p.high) for p in space]
        )
        xs = np.tile(nominal, (xs_unit.shape[0], 1))
        for j, p in enumerate(sub):
            xs[:, keys.index(p.key)] = p.from_unit(xs_unit[:, j])
        ys = runner(xs, f"Sobol indices ({ks} parameters)")
        if summary_y is None:
            summary_y = ys
        srows = []
        for out in ys.columns:
            yv = ys[out].to_numpy()
            if not np.all(np.isfinite(yv)) or np.var(yv) == 0:
                continue  # constant or undefined: no variance to apportion
            res = sobol_analyze.analyze(
                unit_sub,
                yv,
                calc_second_order=False,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=sampling_seed + 1,  # SALib's sobol.analyze ignores seed 0 (`if seed:`)
            )
            srows += _index_rows(out, screened, res, ("S1", "S1_conf", "ST", "ST_conf"))
        sobol_df = pd.DataFrame(
            srows, columns=["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
        )
    finally:
        store.close()

    outputs = []
    for out in summary_y.columns:
        yv = summary_y[out].to_numpy()
        info = output_info(out) if output_info else {}
        row = {
            "output": out,
            **info,
            "mean": float(np.nanmean(yv)),
            "sd": float(np.nanstd(yv, ddof=1)) if yv.size > 1 else math.nan,
            "min": float(np.nanmin(yv)),
            "max": float(np.nanmax(yv)),
        }
        if info.get("kind") == "level" and not pd.isna(info.get("target", math.nan)):
            met = _targets.meets(yv[np.isfinite(yv)], float(info["target"]), info["rule"])
            row["share_met"] = float(np.mean(met))
        outputs.append(row)
    outputs_df = pd.DataFrame(outputs)
    if "share_met" not in outputs_df.columns:
        outputs_df["share_met"] = math.nan
    params_df = pd.DataFrame(
        [
            {"key": p.key, "low": p.low, "high": p.high, "prior": p.prior}
            | {"nominal": p.nominal, "unit": p.unit}
            for p in space
        ]
    )
    meta = {
        "parameters": k,
        "screen": screen,
        "trajectories": r,
        "num_levels": num_levels,
        "morris_samples": used_samples,
        "top_k": ks,
        "sobol_base": n_base,
        "sobol_samples": int(xs.shape[0]),
        "samples": used_samples + int(xs.shape[0]),
        "runs_per_sample": runs_per_sample,
        "runs": (used_samples + int(xs.shape[0])) * runs_per_sample,
        "budget": budget,
        "evaluated_samples": runner.evaluated,
        "cached_samples": runner.reused,
        "evaluation_seconds": round(runner.seconds, 1),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "workers": workers,
        "conf_level": conf_level,
        "num_resamples": num_resamples,
        "sampling_seed": sampling_seed,
        "identity": identity["evaluator"],
    }
    return SensitivityResult(params_df, outputs_df, morris_df, screened, sobol_df, meta)


def _output_info(name: str) -> dict[str, Any]:
    """kind, scenario, indicator, target and rule of a :class:`ModelEvaluator` output."""
    scenario, _, indicator = name.partition(":")
    info: dict[str, Any] = {
        "kind": "effect" if "-" in scenario else "level",
        "scenario": scenario,
        "indicator": indicator,
    }
    table = _targets.table()
    if indicator in table.index:
        info["unit"] = table.loc[indicator, "unit"]
        info["rule"] = table.loc[indicator, "rule"]
    return info


def sensitivity(
    scenarios: Sequence[ScenarioLike] = ("baseline", "plan"),
    *,
    parameters: Iterable[str] | None = None,
    budget: int = 2000,
    top_k: int = 8,
    replicates: int = 1,
    seed: int | None = None,
    end: str | None = None,
    population_scale: float | None = None,
    year: int = 2027,
    indicators: Iterable[str] | None = None,
    workers: int = 2,
    cache: str | os.PathLike | None = None,
    resume: bool = True,
    progress: ProgressArg = True,
    evaluator: Evaluator | None = None,
    **design: Any,
) -> SensitivityResult:
    """Which parameters drive each 2027 target indicator and each plan-versus-baseline effect:
    Morris screening of the parameter table, then Sobol indices of the ``top_k`` parameters.

    Args:
        scenarios: scenarios run at every sample; effects are against the first.
        parameters: keys to vary (default: every row of the parameter table with min < max).
        budget: model runs allowed (each sample costs ``len(scenarios) * replicates``).
        top_k: parameters the Sobol stage varies.
        replicates, seed: replicates per scenario and sample, and their seed (default: the
            first scenario's); the same for every sample (common random numbers).
        end: end date of the runs (``"2025-06-30"`` for a quick look); ``year`` must be in it.
        population_scale: scale of the firm population (quick looks; changes the answers).
        year: the year whose values are the outputs.
        indicators: target ids to study (default: those with a target in ``year``).
        workers: processes running samples in parallel.
        cache: JSON-lines file of evaluations, for resuming (see :func:`study`).
        evaluator: another ``f(parameters) -> {output: value}`` instead of the model.
        **design: passed to :func:`study` (trajectories, sobol_base, screening_share,
            num_levels, conf_level, num_resamples, sampling_seed, screen).

    Returns:
        A :class:`SensitivityResult`; ``.drivers(5)`` names the five parameters per output.

    Example:
        >>> import tradeeco
        >>> res = tradeeco.sensitivity(budget=3000, cache="sens.jsonl")  # doctest: +SKIP
        >>> res.drivers(5).query("output == 'plan:trading_firms'")  # doctest: +SKIP
    """
    runs_per_sample = 1
    info = None
    if evaluator is None:
        evaluator = ModelEvaluator(
            scenarios,
            replicates=replicates,
            seed=seed,
            end=end,
            population_scale=population_scale,
            year=year,
            indicators=indicators,
        )
        runs_per_sample = evaluator.runs_per_sample
        target_col = f"target_{year}"
        table = _targets.table()

        def info(name: str) -> dict[str, Any]:
            row = _output_info(name) | {"year": year}
            ind = row["indicator"]
            if row["kind"] == "level" and target_col in table.columns and ind in table.index:
                row["target"] = float(table.loc[ind, target_col])
            return row

    return study(
        evaluator,
        parameter_space(parameters),
        budget=budget,
        top_k=top_k,
        runs_per_sample=runs_per_sample,
        workers=workers,
        cache=cache,
        resume=resume,
        progress=progress,
        output_info=info,
        **design,
    )
