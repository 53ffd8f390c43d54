"""How strong must a measure be, and what does it cost, to reach a target with a given
confidence? And what is the cheapest package that meets a set of targets?

* :func:`required` finds the smallest strength of a lever, a set of policies or a whole package
  (scaled together) that meets one target with probability ``p``, and what it costs. It
  brackets, then bisects, running the model at each step on the same random numbers.
* :func:`optimize` searches the strengths of several levers at once (optuna's multi-objective
  sampler) for packages that cost least and meet most of a chosen set of targets, and reports
  the Pareto front, a scenario file per package on it and a plot.

Strengths are changed through the scenario's text (:func:`with_strengths`): each evaluation
is a valid scenario that ``tradeeco run`` would accept. A policy's yearly cost is taken to
scale linearly with its strength (ASSUMPTION, see docs/optimize.md):
``cost(s) = fiscal_cost_cny_per_year * s / s_written``.

Every evaluation runs replicates ``0..n-1`` with the scenario's seed, so two packages are
compared on common random numbers: a difference in P(met) is the policy, not the draw.

The model run is pluggable (``run=``): a callable taking a Spec and returning a result Dataset.
The tests use it for a synthetic problem with a known answer.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import analysis
from . import targets as _targets
from ._scenarios import ScenarioLike, as_spec, load_scenario_string

__all__ = [
    "FISCAL_COST_VARIABLE",
    "Evaluation",
    "Goal",
    "Lever",
    "Optimization",
    "Requirement",
    "lever_groups",
    "optimize",
    "parse_goal",
    "required",
    "scenario_cost",
    "select_lever",
    "with_strengths",
]

#: Result-file variable with the yearly spending of all policies, 100m CNY, over
#: ``(replicate, year)``.
FISCAL_COST_VARIABLE = analysis.FISCAL_COST

CNY_PER_100M = 1e8
_P_EPS = 1e-9  # P(met) is a share of replicates: 8/10 must count as >= 0.8

RunFunction = Callable[..., xr.Dataset]


# --- goals -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Goal:
    """A target indicator in a target year, e.g. ``Goal("aeo_firms", 2027)``."""

    indicator: str
    year: int

    def __str__(self) -> str:
        return f"{self.indicator}:{self.year}"

    @property
    def target(self) -> _targets.Target:
        return _targets.get(self.indicator)


def parse_goal(goal: str | Goal | tuple[str, int], year: int | None = None) -> Goal:
    """A Goal from ``"aeo_firms"``, ``"aeo_firms:2025"``, a ``(id, year)`` pair or a Goal.

    Without a year, the latest year the plan sets a target for. Raises KeyError for an unknown
    target (naming close matches) and ValueError for a year without a target.

    >>> parse_goal("aeo_firms")
    Goal(indicator='aeo_firms', year=2027)
    >>> str(parse_goal("trading_firms:2025"))
    'trading_firms:2025'
    """
    if isinstance(goal, Goal):
        indicator, y = goal.indicator, goal.year
    elif isinstance(goal, tuple):
        indicator, y = goal
    else:
        text = str(goal).strip()
        indicator, sep, y_text = text.partition(":")
        y = None
        if sep:
            try:
                y = int(y_text)
            except ValueError:
                raise ValueError(
                    f"target {text!r}: expected INDICATOR or INDICATOR:YEAR, e.g. aeo_firms:2027"
                ) from None
    if y is None:
        y = year
    target = _targets.get(indicator)  # KeyError with close matches
    if y is None:
        years = [t for t in _targets.TARGET_YEARS if not math.isnan(target.value(t))]
        y = max(years)
    y = int(y)
    if math.isnan(target.value(y)):
        have = [t for t in _targets.TARGET_YEARS if not math.isnan(target.value(t))]
        raise ValueError(
            f"target {indicator!r} has no value for {y} (it has: {', '.join(map(str, have))})"
        )
    return Goal(indicator, y)


# --- levers: groups of policies scaled together ----------------------------------------------


@dataclass(frozen=True)
class Lever:
    """A decision variable: policies of a scenario whose strengths move together by one scale
    factor ``k`` (strength = k x written strength; k = 1 is the scenario as written, 0 off).

    ``max_scale`` keeps every policy within its lever's range (``tradeeco.lever_catalogue()``)
    and any cap asked for."""

    name: str
    policies: tuple[int, ...]
    labels: tuple[str, ...]
    levers: tuple[str, ...]
    written: tuple[float, ...]
    cost_per_year_cny: tuple[float, ...]
    max_scale: float

    def strengths(self, scale: float) -> dict[int, float]:
        """Policy index -> strength at scale ``scale``."""
        return {i: s * scale for i, s in zip(self.policies, self.written, strict=True)}

    def cost_per_year_cny_100m(self, scale: float) -> float:
        """What these policies spend a year at full strength, 100m CNY."""
        return scale * sum(self.cost_per_year_cny) / CNY_PER_100M

    @property
    def unit(self) -> str:
        units = {_catalogue()[lv]["unit"] for lv in self.levers}
        return units.pop() if len(units) == 1 else "scale of the written strengths"


def _catalogue() -> dict[str, dict]:
    from . import lever_catalogue

    return {item["name"]: item for item in lever_catalogue()}


def _make_lever(
    spec, name: str, indices: Sequence[int], max_strength: float | None, max_scale: float | None
) -> Lever:
    catalogue = _catalogue()
    insts = spec.instruments
    if not indices:
        raise ValueError(f"{name}: no policy selected")
    limits = []
    for i in indices:
        inst = insts[i]
        s = float(inst["strength"])
        if s <= 0:
            raise ValueError(
                f"policy {inst['label']!r} ({inst['where']}) has strength {s}: a scale factor "
                "cannot move it; give it a positive strength in the scenario"
            )
        upper = float(catalogue[inst["lever"]]["max"])
        if max_strength is not None:
            upper = min(upper, float(max_strength))
        limits.append(upper / s)
    k_max = min(limits)
    if max_scale is not None:
        k_max = min(k_max, float(max_scale))
    if not k_max > 0:
        raise ValueError(f"{name}: the range allows no positive strength (max scale {k_max})")
    return Lever(
        name=name,
        policies=tuple(indices),
        labels=tuple(insts[i]["label"] for i in indices),
        levers=tuple(sorted({insts[i]["lever"] for i in indices})),
        written=tuple(float(insts[i]["strength"]) for i in indices),
        cost_per_year_cny=tuple(float(insts[i]["fiscal_cost_cny_per_year"]) for i in indices),
        max_scale=k_max,
    )


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (str, int)):
        return [x]
    return list(x)


def select_lever(
    spec,
    *,
    lever: str | Sequence[str] | None = None,
    policy: str | Sequence[str] | None = None,
    measure: int | Sequence[int] | None = None,
    package: bool = False,
    max_strength: float | None = None,
    max_scale: float | None = None,
) -> Lever:
    """The policies of ``spec`` to scale together: every policy using a lever (by name), given
    policies (by label), every policy of a plan measure (by number), or the whole package.
    Several selections are united. ValueError naming what the scenario has if nothing matches.
    """
    spec = as_spec(spec)
    insts = spec.instruments
    levers, labels, measures = _as_list(lever), _as_list(policy), _as_list(measure)
    if not (levers or labels or measures or package):
        raise ValueError("select what to scale: a lever, a policy, a measure or the package")
    if not insts:
        raise ValueError(f"scenario {spec.name!r} has no policies to scale")
    present_levers = sorted({p["lever"] for p in insts})
    for lv in levers:
        if lv not in present_levers:
            import difflib

            close = difflib.get_close_matches(lv, present_levers, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(
                f"scenario {spec.name!r} has no policy using lever {lv!r}{hint} "
                f"(its levers: {', '.join(present_levers)})"
            )
    all_labels = [p["label"] for p in insts]
    for lb in labels:
        if lb not in all_labels:
            import difflib

            close = difflib.get_close_matches(lb, all_labels, n=3)
            hint = f"; did you mean {' / '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(f"scenario {spec.name!r} has no policy labelled {lb!r}{hint}")
    present_measures = sorted({int(p["measure"]) for p in insts})
    for m in measures:
        if int(m) not in present_measures:
            raise ValueError(
                f"scenario {spec.name!r} has no policy for measure {m} "
                f"(its measures: {', '.join(map(str, present_measures))})"
            )
    chosen = [
        i
        for i, p in enumerate(insts)
        if package
        or p["lever"] in levers
        or p["label"] in labels
        or int(p["measure"]) in {int(m) for m in measures}
    ]
    if package:
        name = "package"
    else:
        parts = [*levers, *labels, *(f"measure {m}" for m in measures)]
        name = " + ".join(str(x) for x in parts)
    return _make_lever(spec, name, chosen, max_strength, max_scale)


def lever_groups(
    spec,
    vary: Sequence[str] | None = None,
    max_scale: float | None = None,
) -> list[Lever]:
    """Decision variables for :func:`optimize`: one per name in ``vary`` (a lever name: all
    policies using it; else a policy label: that policy), or, by default, one per lever the
    scenario uses. A policy may belong to one variable only."""
    spec = as_spec(spec)
    insts = spec.instruments
    if not insts:
        raise ValueError(f"scenario {spec.name!r} has no policies to vary")
    names = list(vary) if vary else sorted({p["lever"] for p in insts})
    groups, taken = [], {}
    for name in names:
        if any(p["lever"] == name for p in insts):
            lever = select_lever(spec, lever=name, max_scale=max_scale)
        else:
            lever = select_lever(spec, policy=name, max_scale=max_scale)
        for i in lever.policies:
            if i in taken:
                raise ValueError(
                    f"policy {insts[i]['label']!r} is in both {taken[i]!r} and {name!r}"
                )
            taken[i] = name
        groups.append(lever)
    return groups


# --- scenario text with other strengths ------------------------------------------------------

_POLICY_HEADER = re.compile(r"^\s*\[\[\s*policy\s*\]\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_SUB_TABLE = re.compile(r"^\s*\[\s*policy\s*\.")
_NUMBER_LINE = r"^(\s*{key}\s*=\s*)([^#\s]+)(\s*(#.*)?)$"


def _toml_float(x: float) -> str:
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"strength {x!r} is not finite")
    return repr(x)  # shortest text that reads back as the same double


def with_strengths(
    text: str,
    strengths: Mapping[int, float],
    *,
    name: str | None = None,
    description: str | None = None,
    header: str | None = None,
) -> str:
    """Scenario text with the strength of policies (by index among its ``[[policy]]`` blocks)
    replaced, and their ``fiscal_cost_cny_per_year`` scaled in proportion (cost is linear in
    strength, an ASSUMPTION). Works on a Spec's ``resolved_text`` (written by the C++
    ``to_toml``: one ``strength`` and one ``fiscal_cost_cny_per_year`` line per policy). The
    text is validated (lever ranges included) when it is loaded with
    :func:`tradeeco.load_scenario_string`. ``name``/``description`` replace the scenario's;
    ``header`` is put first as ``#`` comment lines.

    >>> text = '[scenario]\\nname = "s"\\n\\n[[policy]]\\nstrength = 0.5\\nfiscal_cost_cny_per_year = 100.0\\n'
    >>> print(with_strengths(text, {0: 0.25}), end="")
    [scenario]
    name = "s"
    <BLANKLINE>
    [[policy]]
    strength = 0.25
    fiscal_cost_cny_per_year = 50.0
    """
    lines = text.splitlines()
    headers = [i for i, ln in enumerate(lines) if _POLICY_HEADER.match(ln)]
    for index, strength in strengths.items():
        if not 0 <= int(index) < len(headers):
            raise IndexError(f"policy index {index}: the scenario has {len(headers)} policies")
        start = headers[int(index)] + 1
        end = start
        while end < len(lines) and not _ANY_HEADER.match(lines[end]):
            end += 1
        found = {}
        for key in ("strength", "fiscal_cost_cny_per_year"):
            pattern = re.compile(_NUMBER_LINE.format(key=key))
            for i in range(start, end):
                m = pattern.match(lines[i])
                if m:
                    found[key] = (i, m)
                    break
            else:
                if key == "strength":
                    raise ValueError(f"policy {index} has no `strength = ...` line")
        i, m = found["strength"]
        old = float(m.group(2).replace("_", ""))
        new = float(strength)
        if new < 0 or not math.isfinite(new):
            raise ValueError(f"policy {index}: strength must be a finite number >= 0, got {new}")
        lines[i] = m.group(1) + _toml_float(new) + m.group(3)
        if "fiscal_cost_cny_per_year" in found:
            i, m = found["fiscal_cost_cny_per_year"]
            cost = float(m.group(2).replace("_", ""))
            if cost and old == 0 and new != 0:
                raise ValueError(
                    f"policy {index}: written strength is 0, so its cost cannot be scaled"
                )
            scaled = cost * new / old if old else cost
            lines[i] = m.group(1) + _toml_float(scaled) + m.group(3)
    if name is not None or description is not None:
        _replace_scenario_strings(lines, {"name": name, "description": description})
    if header:
        lines = [f"# {ln}".rstrip() for ln in header.splitlines()] + lines
    return "\n".join(lines) + "\n"


def _replace_scenario_strings(lines: list[str], values: Mapping[str, str | None]) -> None:
    try:
        top = next(i for i, ln in enumerate(lines) if re.match(r"^\s*\[scenario\]", ln))
    except StopIteration:
        raise ValueError("the scenario text has no [scenario] table") from None
    end = top + 1
    while end < len(lines) and not _ANY_HEADER.match(lines[end]):
        end += 1
    for key, value in values.items():
        if value is None:
            continue
        new = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        for i in range(top + 1, end):
            if re.match(rf"^\s*{key}\s*=", lines[i]):
                lines[i] = new
                break
        else:
            lines.insert(top + 1, new)
            end += 1


# --- fiscal cost -----------------------------------------------------------------------------


def scenario_cost(ds: xr.Dataset) -> float:
    """Total spending over the run, 100m CNY: the result file's yearly
    :data:`FISCAL_COST_VARIABLE` summed over years (mean over replicates), as the model records
    it (:func:`tradeeco.analysis.fiscal_cost`)."""
    return float(analysis.fiscal_cost(ds).sum("year").mean())


# --- evaluating a package --------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """One model run of a package: its scales, strengths, cost and P(met) for each goal."""

    scales: tuple[float, ...]
    strengths: dict[str, float]
    cost_cny_100m: float
    cost_per_year_cny_100m: float
    p_met: dict[Goal, float]
    shortfall: dict[Goal, float]

    def met(self, goal: Goal, p: float) -> bool:
        return self.p_met[goal] >= p - _P_EPS

    def goals_met(self, p: float) -> list[Goal]:
        return [g for g in self.p_met if self.met(g, p)]


def _shortfall(values: np.ndarray, target: float, rule: str, p: float) -> float:
    """How far (relative to the target) the value reached with probability p misses it; 0 when
    it reaches it. Gives the search a slope where P(met) is flat at 0."""
    v = values[~np.isnan(values)]
    if v.size == 0:
        return math.inf
    upward = rule in ("at_least", "greater_than")
    q = float(np.quantile(v, 1 - p if upward else p))
    miss = (target - q) if upward else (q - target)
    scale = abs(target) if target != 0 else max(float(np.std(v)), 1.0)
    return max(0.0, miss / scale)


class _Evaluator:
    """Runs the scenario with given scales on every lever, on common random numbers."""

    def __init__(
        self,
        spec,
        goals: Sequence[Goal],
        levers: Sequence[Lever],
        replicates: int | None,
        seed: int | None,
        threads: int,
        run: RunFunction | None,
        p: float,
        rest_scale: float = 1.0,
    ) -> None:
        self.base = spec
        self.p = float(p)
        self.goals = list(goals)
        self.levers = list(levers)
        self.replicates = int(replicates if replicates is not None else spec.replicates)
        if self.replicates < 1:
            raise ValueError(f"replicates must be at least 1, got {self.replicates}")
        self.seed = int(seed if seed is not None else spec.seed)
        last_year = max(g.year for g in self.goals)
        if last_year < spec.start.year or last_year > spec.end.year:
            raise ValueError(
                f"target year {last_year} is outside the scenario's run ({spec.start}..{spec.end})"
            )
        # Spending after the last target year buys nothing here: stop the run there.
        self.end = min(spec.end, _dt.date(last_year, 12, 31))
        self.rest_scale = float(rest_scale)
        varied = {i for lv in self.levers for i in lv.policies}
        self.rest = {
            i: float(p["strength"]) * self.rest_scale
            for i, p in enumerate(spec.instruments)
            if i not in varied
        }
        self.threads = threads
        self._run = run

    def _start_states(self, spec) -> list:
        """One state per replicate after the months every candidate shares (the population, the
        burn-in and the months before the scenario's first policy), made once: each evaluation
        then simulates only the months its strengths can change, with the same numbers as a
        run from the start (tests/python/test_policy_search.py)."""
        from ._native import core

        c = core()
        key = (c.layout_key(spec), c.shared_prefix_days([spec]))
        if getattr(self, "_states_key", None) != key:
            states = []
            if key[1] > 0:
                for replicate in range(self.replicates):
                    model = c.Model(spec, replicate, 1)
                    model.advance(key[1])
                    states.append(model.save_state())
            self._states_key, self._states = key, states
        return self._states

    def __getstate__(self) -> dict:
        # States stay in the process that made them (they are rebuilt on first use).
        return {k: v for k, v in self.__dict__.items() if k not in ("_states", "_states_key")}

    def strengths(self, scales: Sequence[float]) -> dict[int, float]:
        out = dict(self.rest) if self.rest_scale != 1.0 else {}
        for lever, k in zip(self.levers, scales, strict=True):
            out.update(lever.strengths(float(k)))
        return out

    def text(self, scales: Sequence[float], **kwargs) -> str:
        return with_strengths(self.base.resolved_text, self.strengths(scales), **kwargs)

    def spec(self, scales: Sequence[float]):
        spec = load_scenario_string(self.text(scales), f"{self.base.name} (search)")
        # The base text carries the population scale (Spec.with_ writes overrides into
        # resolved_text); the search sets its own seed, replicates and end.
        return spec.with_(seed=self.seed, replicates=self.replicates, end=self.end)

    def __call__(self, scales: Sequence[float]) -> Evaluation:
        scales = tuple(float(k) for k in scales)
        spec = self.spec(scales)
        if self._run is None:
            from ._results import run

            # At the table's parameters (as the start states are made): the search's P(met)
            # reflects seeds and drivers, not the posterior (docs/optimize.md).
            ds = run(
                spec,
                threads=self.threads,
                progress=False,
                states=self._start_states(spec),
                fixed_parameters=True,
            )
        else:
            ds = self._run(spec)
        try:
            missing = [g.indicator for g in self.goals if g.indicator not in ds.data_vars]
            if missing:
                raise KeyError(f"the results have no variable for target(s) {', '.join(missing)}")
            p_met, short = {}, {}
            for g in self.goals:
                att = analysis.attainment(ds, indicators=[g.indicator], years=[g.year])
                if att.empty:
                    raise ValueError(f"the results have no value of {g.indicator} for {g.year}")
                row = att.iloc[0]
                p_met[g] = float(row["p_met"])
                values = analysis.yearly(ds, g.indicator).sel(year=g.year).values
                short[g] = _shortfall(
                    np.asarray(values, float).ravel(), row["target"], row["rule"], self.p
                )
            cost = scenario_cost(ds)
        finally:
            ds.close()
        per_year = sum(float(p["fiscal_cost_cny_per_year"]) for p in spec.instruments)
        return Evaluation(
            scales=scales,
            strengths={p["label"]: float(p["strength"]) for p in spec.instruments},
            cost_cny_100m=cost,
            cost_per_year_cny_100m=per_year / CNY_PER_100M,
            p_met=p_met,
            shortfall=short,
        )


def _bar(progress: bool, total: int | None, desc: str):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", leave=False, dynamic_ncols=True)


def _check_p(p: float) -> float:
    p = float(p)
    if not 0 < p <= 1:
        raise ValueError(f"p must be in (0, 1], got {p}")
    return p


# --- required strength -----------------------------------------------------------------------


@dataclass
class Requirement:
    """What :func:`required` found. ``status`` is ``"reachable"`` (``scale`` is the smallest
    found), ``"already_met"`` (met with the selection switched off) or ``"not_reachable"``
    (not met even at the top of the range, ``max_scale``).

    Costs are in 100m CNY: ``cost_per_year_cny_100m`` is what the selected policies spend a
    year at full strength; ``total_cost_cny_100m`` the whole scenario's spending over the run
    up to the end of the target year."""

    goal: Goal
    p: float
    lever: Lever
    status: str
    scale: float | None
    p_met: float | None
    strengths: dict[str, float] = field(default_factory=dict)
    cost_per_year_cny_100m: float | None = None
    total_cost_cny_100m: float | None = None
    replicates: int = 0
    seed: int = 0
    tolerance: float = 0.0
    evaluations: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def reachable(self) -> bool:
        return self.status != "not_reachable"

    def __str__(self) -> str:
        t = self.goal.target
        what = (
            f"{self.goal.indicator} {_targets.rule_symbol(t.rule)} {t.value(self.goal.year):g} "
            f"{t.unit} in {self.goal.year} with P(met) >= {self.p:g}"
        )
        n = len(self.lever.policies)
        head = f"{what}, by scaling {self.lever.name} ({n} {'policy' if n == 1 else 'policies'})"
        runs = f"({self.replicates} replicates, seed {self.seed}, {len(self.evaluations)} runs)"
        if self.status == "not_reachable":
            top = self.evaluations["p_met"].iloc[self.evaluations["scale"].argmax()]
            return (
                f"{head}:\nnot reachable within the range: at the top of it (scale "
                f"{self.lever.max_scale:.4g} x written) P(met) = {top:.2f} {runs}"
            )
        if self.status == "already_met":
            return f"{head}:\nalready met with these policies switched off (P(met) = {self.p_met:.2f}) {runs}"
        lines = [
            f"{head}:",
            f"smallest scale {self.scale:.4g} x written (within {self.tolerance:.0%}), "
            f"P(met) = {self.p_met:.2f} {runs}",
        ]
        for label, s in self.strengths.items():
            lines.append(f"  {label}: strength {s:.4g}")
        lines.append(
            f"cost of these policies: {self.cost_per_year_cny_100m:.4g} (100m CNY a year at full "
            f"strength); the scenario spends {self.total_cost_cny_100m:.4g} (100m CNY) in total "
            f"to the end of {self.goal.year}"
        )
        return "\n".join(lines)


def required(
    scenario: ScenarioLike,
    target: str | Goal,
    year: int | None = None,
    *,
    lever: str | Sequence[str] | None = None,
    policy: str | Sequence[str] | None = None,
    measure: int | Sequence[int] | None = None,
    package: bool = False,
    p: float = 0.8,
    replicates: int | None = None,
    seed: int | None = None,
    max_strength: float | None = None,
    max_scale: float | None = None,
    tolerance: float = 0.02,
    max_runs: int = 40,
    threads: int = 1,
    progress: bool = True,
    run: RunFunction | None = None,
) -> Requirement:
    """The smallest strength of a selection of policies that meets ``target`` with probability
    at least ``p``, and its cost.

    The selected policies (a ``lever``'s, given ``policy`` labels, a ``measure``'s, or the whole
    ``package``) are scaled together by a factor k (1 = as written). Starting from k = 1 the
    search doubles k until the target is met (or checks k = 0 if it already is at 1), then
    bisects until the bracket is within ``tolerance`` of k. Every run uses the same seed and
    replicates, so P(met) moves only with k. The range of k keeps each policy within its
    lever's range (``tradeeco.lever_catalogue()``), ``max_strength`` and ``max_scale``; if the
    target is not met at its top, the answer says so (``status="not_reachable"``).

    Args:
        scenario: a Spec, a scenario file or a shipped scenario's name.
        target: a target id (``"aeo_firms"``) or ``"id:year"``; ``year`` as a keyword also works.
        p: the probability of meeting the target to reach (share of replicates).
        replicates, seed: override the scenario's (fewer replicates: faster, coarser P(met)).
        tolerance: relative width of the final bracket on k.
        max_runs: a cap on model runs.
        progress: a tqdm bar over the runs (default on, as for tradeeco.run).
        run: a callable ``run(spec) -> Dataset`` replacing the model (tests, other runners).

    Returns:
        A :class:`Requirement`; ``str()`` of it is a readable answer.
    """
    spec = as_spec(scenario)
    goal = parse_goal(target, year)
    p = _check_p(p)
    if not 0 < tolerance < 1:
        raise ValueError(f"tolerance must be in (0, 1), got {tolerance}")
    selection = select_lever(
        spec,
        lever=lever,
        policy=policy,
        measure=measure,
        package=package,
        max_strength=max_strength,
        max_scale=max_scale,
    )
    evaluate = _Evaluator(spec, [goal], [selection], replicates, seed, threads, run, p)
    done: dict[float, Evaluation] = {}
    bar = _bar(progress, None, f"required {goal}")

    def met(k: float) -> bool:
        if k not in done:
            if len(done) >= max_runs:
                raise RuntimeError(
                    f"required: no answer within max_runs={max_runs} runs; raise it or the tolerance"
                )
            done[k] = evaluate([k])
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"k={k:.4g} P(met)={done[k].p_met[goal]:.2f}")
        return done[k].met(goal, p)

    k_max = selection.max_scale
    try:
        k = min(1.0, k_max)
        status = "reachable"
        if met(k):
            hi, lo = k, 0.0
            if met(0.0):
                status, hi = "already_met", 0.0
        else:
            lo = k
            while True:
                if k >= k_max:
                    status = "not_reachable"
                    break
                k = min(2.0 * k, k_max)
                if met(k):
                    hi = k
                    break
                lo = k
        if status == "reachable":
            while hi - lo > tolerance * hi:
                mid = 0.5 * (lo + hi)
                if met(mid):
                    hi = mid
                else:
                    lo = mid
    finally:
        if bar is not None:
            bar.close()

    rows = [
        {
            "scale": k,
            **{lb: s * k for lb, s in zip(selection.labels, selection.written, strict=True)},
            "cost_per_year_cny_100m": selection.cost_per_year_cny_100m(k),
            "total_cost_cny_100m": e.cost_cny_100m,
            "p_met": e.p_met[goal],
            "met": e.met(goal, p),
        }
        for k, e in done.items()
    ]
    trace = pd.DataFrame(rows).sort_values("scale", ignore_index=True)
    result = Requirement(
        goal=goal,
        p=p,
        lever=selection,
        status=status,
        scale=None,
        p_met=None,
        replicates=evaluate.replicates,
        seed=evaluate.seed,
        tolerance=tolerance,
        evaluations=trace,
    )
    if status != "not_reachable":
        e = done[hi]
        result.scale = hi
        result.p_met = e.p_met[goal]
        result.strengths = {
            lb: s * hi for lb, s in zip(selection.labels, selection.written, strict=True)
        }
        result.cost_per_year_cny_100m = selection.cost_per_year_cny_100m(hi)
        result.total_cost_cny_100m = e.cost_cny_100m
    return result


# --- the cheapest package --------------------------------------------------------------------


@dataclass
class Optimization:
    """What :func:`optimize` found.

    ``trials``: one row per model run (``trial``; ``scale:<lever>`` for each lever;
    ``cost_cny_100m``, the scenario's spending to the end of the last target year;
    ``cost_per_year_cny_100m``, its yearly spending at full strength; ``n_met``; ``met``, the
    goals met; ``p:<goal>`` for each goal). ``front``: the trials on the Pareto front of cost
    against the number of goals met at P(met) >= p, cheapest first, with a ``package`` name.
    ``written``: the run of the scenario as written (all scales 1, the rest as written), if
    the study has it."""

    goals: list[Goal]
    p: float
    levers: list[Lever]
    trials: pd.DataFrame
    front: pd.DataFrame
    written: pd.Series | None
    study_name: str
    storage: str | None
    evaluator: _Evaluator = field(repr=False)

    def scales(self, row: pd.Series) -> list[float]:
        return [float(row[f"scale:{lv.name}"]) for lv in self.levers]

    def scenario_text(self, row: pd.Series) -> str:
        """A standalone scenario (TOML) for a package (a row of ``front`` or ``trials``),
        checked by loading it."""
        base = self.evaluator.base
        name = (
            f"{base.name}_{row['package']}"
            if "package" in row
            else f"{base.name}_trial{row['trial']}"
        )
        met = row["met"] or "none"
        header = "\n".join(
            [
                f"Package {name}: found by `tradeeco optimize` on scenario {base.name!r}.",
                f"Goals: {', '.join(map(str, self.goals))}; met with P(met) >= {self.p:g}: {met}",
                f"({self.evaluator.replicates} replicates, seed {self.evaluator.seed}, run to "
                f"{self.evaluator.end}).",
                f"Fiscal cost: {row['cost_cny_100m']:.4g} (100m CNY) to the end of "
                f"{self.evaluator.end.year}; {row['cost_per_year_cny_100m']:.4g} (100m CNY) a "
                "year at full strength.",
                "Strengths: the scenario's written ones times the scale of each lever; costs "
                "scaled in proportion (ASSUMPTION: cost linear in strength).",
                *(
                    f"  {lv.name}: scale {s:.4g}"
                    for lv, s in zip(self.levers, self.scales(row), strict=True)
                ),
            ]
        )
        text = self.evaluator.text(
            self.scales(row),
            name=name,
            description=f"{base.description} Strengths from tradeeco optimize ({met}).",
            header=header,
        )
        load_scenario_string(text, f"{name}.toml")  # raises if anything is off
        return text

    def cheapest_meeting(self, goals: Iterable[Goal | str]) -> pd.Series | None:
        """The cheapest run that met every goal in ``goals`` (None if none did)."""
        wanted = [str(parse_goal(g)) for g in goals]
        ok = self.trials[
            self.trials.apply(lambda r: all(r[f"p:{g}"] >= self.p - _P_EPS for g in wanted), axis=1)
        ]
        return None if ok.empty else ok.sort_values("cost_cny_100m").iloc[0]

    def plot(self, ax=None):
        """Cost against goals met: every run (grey), the front (steps) and the scenario as
        written (star). Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.2))
        t = self.trials
        ax.scatter(t["cost_cny_100m"], t["n_met"], s=14, color="0.65", label="evaluated packages")
        f = self.front.sort_values("cost_cny_100m")
        ax.step(
            f["cost_cny_100m"],
            f["n_met"],
            where="post",
            color="tab:red",
            marker="o",
            label="Pareto front",
        )
        for _, r in f.iterrows():
            ax.annotate(
                r["package"],
                (r["cost_cny_100m"], r["n_met"]),
                textcoords="offset points",
                xytext=(4, -11),
                fontsize=8,
                color="tab:red",
            )
        if self.written is not None:
            w = self.written
            ax.scatter(
                [w["cost_cny_100m"]],
                [w["n_met"]],
                marker="*",
                s=160,
                color="tab:blue",
                zorder=3,
                label="scenario as written",
            )
        ax.set_xlabel(f"fiscal cost to the end of {self.evaluator.end.year} (100m CNY)")
        ax.set_ylabel(f"targets met with P(met) ≥ {self.p:g} (of {len(self.goals)})")
        ax.set_yticks(range(len(self.goals) + 1))
        ax.set_title(
            f"{self.evaluator.base.name}: cost vs targets met "
            f"({len(t)} runs x {self.evaluator.replicates} replicates)"
        )
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
        return ax

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Writes ``front.csv``, ``trials.csv``, one ``<scenario>_<package>.toml`` per front
        package and ``pareto.png`` into ``out_dir``. Returns the paths by kind."""
        import matplotlib.pyplot as plt

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {"front": out / "front.csv", "trials": out / "trials.csv"}
        self.front.to_csv(paths["front"], index=False)
        self.trials.to_csv(paths["trials"], index=False)
        for _, row in self.front.iterrows():
            path = out / f"{self.evaluator.base.name}_{row['package']}.toml"
            path.write_text(self.scenario_text(row))
            paths[str(row["package"])] = path
        ax = self.plot()
        paths["plot"] = out / "pareto.png"
        ax.figure.tight_layout()
        ax.figure.savefig(paths["plot"], dpi=110)
        plt.close(ax.figure)
        return paths


def _pareto_front(trials: pd.DataFrame) -> pd.DataFrame:
    """Runs no other run beats on both cost (lower) and goals met (more): for each number of
    goals met, the cheapest run, kept only if it costs less than every run meeting more."""
    if trials.empty:
        return trials.assign(package=pd.Series(dtype=str))
    order = trials.sort_values(["cost_cny_100m", "n_met", "trial"], ascending=[True, False, True])
    rows, best = [], -1
    for _, r in order.iterrows():
        if r["n_met"] > best:
            rows.append(r)
            best = r["n_met"]
    front = pd.DataFrame(rows).reset_index(drop=True)
    front.insert(0, "package", [f"p{i + 1:02d}" for i in range(len(front))])
    return front


def _storage(storage: str | Path | None):
    if storage is None:
        return None, None
    import optuna

    text = str(storage)
    if "://" in text:
        return text, text
    path = Path(text)
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"storage {path}: folder {path.parent} does not exist")
    if path.suffix in (".log", ".jsonl", ".journal"):
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        return JournalStorage(JournalFileBackend(str(path))), str(path)
    return optuna.storages.RDBStorage(f"sqlite:///{path.resolve()}"), str(path)


def _credit(e: Evaluation, p: float) -> float:
    """Goals met, plus partial credit (< 1) for each goal missed, shrinking with how far the
    value reached with probability p falls short: the sampler's objective, smoother than the
    count (the reported front uses the count)."""
    return sum(1.0 if e.met(g, p) else 0.9 * math.exp(-5.0 * e.shortfall[g]) for g in e.p_met)


def optimize(
    scenario: ScenarioLike,
    targets: Sequence[str | Goal],
    *,
    p: float = 0.8,
    budget: int = 60,
    vary: Sequence[str] | None = None,
    rest: str = "written",
    max_scale: float | None = 3.0,
    replicates: int | None = None,
    seed: int | None = None,
    sampler: str = "tpe",
    sampler_seed: int = 0,
    polish: float = 0.25,
    storage: str | Path | None = None,
    study_name: str | None = None,
    threads: int = 1,
    progress: bool = True,
    run: RunFunction | None = None,
) -> Optimization:
    """Searches lever strengths for packages that cost least and meet the most of ``targets``
    with probability at least ``p``.

    Each lever (by default every lever the scenario uses, or the levers or policy labels in
    ``vary``) gets a scale factor in ``[0, max_scale]`` (within the lever's range) on its
    policies' written strengths; the other policies stay as written (``rest="written"``) or
    are switched off (``rest="off"``). An optuna study with two objectives, cost (minimised)
    and goals met (maximised, with partial credit for near misses to give the sampler a
    slope), proposes ``budget`` packages in all; each is run on the same seed and replicates.
    The scenario as written (all scales 1) and the empty package (all 0) are run first.

    With ``storage`` (a ``.db`` SQLite file, a ``.log`` journal file or an optuna URL) the
    study is saved after every run: calling again with the same problem resumes it, and a
    larger ``budget`` continues it.

    Args:
        scenario: a Spec, a scenario file or a shipped scenario's name.
        targets: goals, as for :func:`parse_goal` (``"aeo_firms"``, ``"kd_kit_exports:2027"``).
        budget: model runs in the study in all (a resumed study counts the runs it has).
        vary: levers or policy labels to search (default: every lever the scenario uses).
        rest: the policies not varied: ``"written"`` or ``"off"``.
        max_scale: the top of each scale factor (ASSUMPTION 3; None: the lever's range only).
        replicates, seed: override the scenario's; every run uses the same ones.
        sampler: ``"tpe"`` (multi-objective TPE, the default) or ``"nsga2"``.
        sampler_seed: the sampler's seed (plus the runs done, so a resumed study draws anew).
        polish: share of the budget, at its end, spent trimming the front's packages (scaling
            each down as a whole while it meets the same goals).
        storage, study_name: where to save the study to resume it, and its name there
            (default: from a hash of the problem).
        progress: a tqdm bar over the runs (default on, as for tradeeco.run).
        run: a callable ``run(spec) -> Dataset`` replacing the model.

    Returns:
        An :class:`Optimization` with the runs, the Pareto front and ways to write them out.
    """
    try:
        import optuna
    except ImportError:
        raise ImportError("optimize needs optuna: pip install 'tradeeco[optimize]'") from None
    spec = as_spec(scenario)
    goals = sorted({parse_goal(g) for g in targets}, key=lambda g: (g.year, g.indicator))
    if not goals:
        raise ValueError("optimize needs at least one target")
    p = _check_p(p)
    if isinstance(budget, bool) or int(budget) != budget or budget < 1:
        raise ValueError(f"budget must be a whole number of runs >= 1, got {budget!r}")
    if rest not in ("written", "off"):
        raise ValueError(f"rest must be 'written' or 'off', got {rest!r}")
    if not 0 <= polish < 1:
        raise ValueError(f"polish must be a share of the budget in [0, 1), got {polish}")
    if sampler not in ("tpe", "nsga2"):
        raise ValueError(f"sampler must be 'tpe' or 'nsga2', got {sampler!r}")
    levers = lever_groups(spec, vary, max_scale=max_scale)
    evaluate = _Evaluator(
        spec,
        goals,
        levers,
        replicates,
        seed,
        threads,
        run,
        p,
        rest_scale=1.0 if rest == "written" else 0.0,
    )

    problem = {
        "scenario": hashlib.sha256(spec.resolved_text.encode()).hexdigest(),
        "goals": [str(g) for g in goals],
        "p": p,
        "levers": [[lv.name, list(lv.policies), lv.max_scale] for lv in levers],
        "rest": rest,
        "replicates": evaluate.replicates,
        "seed": evaluate.seed,
        "end": str(evaluate.end),
        "population_scale": spec.population_scale,
    }
    problem_id = hashlib.sha256(json.dumps(problem, sort_keys=True).encode()).hexdigest()[:12]
    name = study_name or f"tradeeco-{spec.name}-{problem_id}"
    store, store_text = _storage(storage)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        storage=store,
        study_name=name,
        directions=["minimize", "maximize"],
        load_if_exists=True,
    )
    known = study.user_attrs.get("problem_id")
    if known is None:
        study.set_user_attr("problem_id", problem_id)
        study.set_user_attr("problem", json.dumps(problem, sort_keys=True))
    elif known != problem_id:
        raise ValueError(
            f"study {name!r} in {store_text} was made for another problem (scenario, targets, p, "
            "levers, replicates or seed differ); give another study name or storage"
        )
    complete = optuna.trial.TrialState.COMPLETE
    n_done = len(study.get_trials(deepcopy=False, states=(complete,)))
    if not study.trials:
        study.enqueue_trial({lv.name: min(1.0, lv.max_scale) for lv in levers})
        study.enqueue_trial({lv.name: 0.0 for lv in levers})

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if sampler == "tpe":
            chosen = optuna.samplers.TPESampler(seed=sampler_seed + n_done, multivariate=True)
        else:
            chosen = optuna.samplers.NSGAIISampler(
                seed=sampler_seed + n_done, population_size=max(8, min(50, budget // 6))
            )
    study.sampler = chosen

    def objective(trial) -> tuple[float, float]:
        scales = [trial.suggest_float(lv.name, 0.0, lv.max_scale) for lv in levers]
        e = evaluate(scales)
        trial.set_user_attr("p_met", {str(g): v for g, v in e.p_met.items()})
        trial.set_user_attr("n_met", len(e.goals_met(p)))
        trial.set_user_attr("cost_per_year_cny_100m", e.cost_per_year_cny_100m)
        return e.cost_cny_100m, _credit(e, p)

    reserve = int(budget * polish) if polish else 0
    remaining = int(budget) - n_done
    bar = _bar(progress, remaining, f"optimize {spec.name}") if remaining > 0 else None

    def tick(_study, trial) -> None:
        if bar is not None and trial.values is not None:
            bar.update(1)
            bar.set_postfix_str(
                f"cost {trial.values[0]:.3g}, met {trial.user_attrs.get('n_met')}/{len(goals)}"
            )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            while n_done < budget:
                if n_done >= budget - reserve:
                    step = _polish_step(
                        _trial_table(study, levers, goals, p), levers, tolerance=0.02
                    )
                    if step is not None:
                        study.enqueue_trial(step[0], user_attrs=step[1])
                study.optimize(objective, n_trials=1, callbacks=[tick])
                n_done += 1
    finally:
        if bar is not None:
            bar.close()

    trials = _trial_table(study, levers, goals, p)
    written = None
    if not trials.empty and rest == "written":
        ones = np.all(
            [np.isclose(trials[f"scale:{lv.name}"], min(1.0, lv.max_scale)) for lv in levers],
            axis=0,
        )
        if ones.any():
            written = trials[ones].iloc[0]
    return Optimization(
        goals=goals,
        p=p,
        levers=levers,
        trials=trials,
        front=_pareto_front(trials),
        written=written,
        study_name=name,
        storage=store_text,
        evaluator=evaluate,
    )


def _polish_step(
    trials: pd.DataFrame, levers: Sequence[Lever], tolerance: float
) -> tuple[dict[str, float], dict] | None:
    """The next run of the trim: each package on the front (cheapest first among those
    meeting the most goals) is scaled down as a whole, t x its scales, bisecting on t in
    [0, 1] for the smallest t that still meets the same goals. Stateless: the bracket is
    rebuilt from the runs already in the study, so a resumed study continues it."""
    if trials.empty:
        return None
    front = _pareto_front(trials)
    roots = []
    for _, row in front.sort_values("n_met", ascending=False).iterrows():
        if row["n_met"] == 0:
            continue
        root = int(row["polish_of"]) if row["polish_of"] >= 0 else int(row["trial"])
        if root not in roots:
            roots.append(root)
    by_trial = trials.set_index("trial")
    for root in roots:
        base = by_trial.loc[root]
        wanted = set(base["met"].split())
        tried = trials[trials["polish_of"] == root]
        points = [(1.0, True)] + [
            (float(r["polish_t"]), wanted <= set(r["met"].split())) for _, r in tried.iterrows()
        ]
        hi = min(t for t, ok in points if ok)
        lo = max((t for t, ok in points if not ok and t < hi), default=0.0)
        if hi - lo <= tolerance * hi:
            continue
        t = 0.5 * (lo + hi)
        params = {lv.name: float(base[f"scale:{lv.name}"]) * t for lv in levers}
        return params, {"polish_of": root, "polish_t": t}
    return None


def _trial_table(study, levers: Sequence[Lever], goals: Sequence[Goal], p: float) -> pd.DataFrame:
    import optuna

    rows = []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        p_met = t.user_attrs["p_met"]
        row = {"trial": t.number}
        row.update({f"scale:{lv.name}": float(t.params[lv.name]) for lv in levers})
        row["cost_cny_100m"] = float(t.values[0])
        row["cost_per_year_cny_100m"] = float(t.user_attrs["cost_per_year_cny_100m"])
        met = [str(g) for g in goals if p_met[str(g)] >= p - _P_EPS]
        row["n_met"] = len(met)
        row["met"] = " ".join(met)
        row.update({f"p:{g}": float(p_met[str(g)]) for g in goals})
        row["polish_of"] = int(t.user_attrs.get("polish_of", -1))
        row["polish_t"] = float(t.user_attrs.get("polish_t", math.nan))
        rows.append(row)
    columns = [
        "trial",
        *(f"scale:{lv.name}" for lv in levers),
        "cost_cny_100m",
        "cost_per_year_cny_100m",
        "n_met",
        "met",
        *(f"p:{g}" for g in goals),
        "polish_of",
        "polish_t",
    ]
    return pd.DataFrame(rows, columns=columns)
