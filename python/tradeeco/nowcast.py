"""Nowcasting and early warning: the ensemble learns from each month's statistics.

Customs publish year-to-date trade every month. :func:`nowcast` conditions an ensemble of model
runs on such figures (an observations CSV, :func:`read_observations`) with a sequential Monte
Carlo filter, and returns the updated fans, the probability of meeting every target (P(met))
after each monthly update, the change since the previous update, and early warnings.

What the ensemble is (and is not yet): a *member* is one parameter set drawn from the prior
(:func:`prior`) run with its own random stream (its replicate index), which also draws its
driver path (data/drivers.csv and their forecast errors). Calibrated posteriors and checkpoints
do not exist in tradeeco yet, so the prior is the parameter table's (docs/parameters.md,
"Priors") for a documented subset of influential parameters (:data:`PRIOR_KEYS`), and every
re-run starts from January 2024.

The method (docs/nowcast.md has the reasoning and the references): a particle filter over
members. Each observation multiplies a member's weight by a Student-t likelihood of the
observed value given the member's simulated value, with a relative scale (the observation-error
model). When the effective sample size (ESS) falls below a share of the members, the members
are resampled (systematic resampling) and, if ``rejuvenate``, moved by one pseudo-marginal
Metropolis-Hastings step: the parameters are jittered, the member is re-run with a fresh random
stream and the move is accepted on the likelihood of all observations so far (resample-move).

Example (a synthetic two-member ensemble, no model run)::

    >>> import numpy as np, pandas as pd, xarray as xr
    >>> import importlib
    >>> nowcast = importlib.import_module("tradeeco.nowcast")  # tradeeco.nowcast: the function
    >>> months = pd.date_range("2024-01-01", periods=12, freq="MS")
    >>> flows = np.array([np.full(12, 600.0), np.full(12, 500.0)])
    >>> ds = xr.Dataset({"total_trade_cny_100m_monthly": (("replicate", "month"), flows)},
    ...                 coords={"replicate": [0, 1], "month": months})
    >>> obs = [nowcast.Observation("total_trade_cny_100m", "2024-01", "2024-06", 3600.0,
    ...                            "100m CNY", "made up")]
    >>> f = nowcast.ParticleFilter(ds, obs, rel_error=0.02)
    >>> f.run()
    >>> np.round(f.weights, 3).tolist()
    [1.0, 0.0]
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import targets as _targets
from ._parameters import prior_logpdf, prior_ppf
from .analysis import weighted_quantile
from .errors import TradeecoError

__all__ = [
    "HEADER",
    "MEASUREMENT_ERROR",
    "OBSERVABLES",
    "PRIOR_KEYS",
    "NowcastResult",
    "Observable",
    "Observation",
    "ObservationError",
    "ParticleFilter",
    "anchored_samples",
    "draw_parameters",
    "fan",
    "nowcast",
    "prior",
    "read_observations",
    "run_members",
    "simulated",
    "weighted_quantile",
]

HEADER = ("indicator", "start", "end", "value", "unit", "source")


@dataclass(frozen=True)
class Observable:
    """An indicator an observation file may name: the monthly result variable it is compared
    with, whether it is a flow (summed over the months start..end) or a stock (the level at
    end), and the unit the file must state."""

    variable: str
    kind: str  # "flow" or "stock"
    unit: str
    yearly: str | None = None  # the yearly result variable forecast for the same quantity


#: Indicators that observation files can name (the model's monthly series).
OBSERVABLES: dict[str, Observable] = {
    "total_trade_cny_100m": Observable(
        "total_trade_cny_100m_monthly", "flow", "100m CNY", "total_trade_cny_100m"
    ),
    "exports_cny_100m": Observable(
        "exports_cny_100m_monthly", "flow", "100m CNY", "exports_cny_100m"
    ),
    "imports_cny_100m": Observable(
        "imports_cny_100m_monthly", "flow", "100m CNY", "imports_cny_100m"
    ),
    "cr_express_trains_cq": Observable(
        "cr_express_trains_cq_month_monthly", "flow", "trains", "cr_express_trains_cq_crct"
    ),
    "exporters": Observable("exporters_monthly", "stock", "firms"),
}

#: The observation-error scale (relative) of the filter's Student-t likelihood: the smallest
#: scale whose 80 % intervals cover the truth within 5 points of 80 % on the tuning twins of
#: docs/nowcast.md (tools/gen_nowcast_docs.py applies the rule and says if it picks another).
DEFAULT_REL_ERROR = 0.03

#: Parameters drawn for the ensemble when the parameter table has no ``prior`` column: the ones
#: that set the level and growth of the observed trade flows (docs/nowcast.md says why). Foreign
#: demand's growth is not among them: each member draws its own driver path (data/drivers.csv and
#: the forecast errors of docs/model.md, "Drivers") from its random stream.
PRIOR_KEYS: tuple[str, ...] = (
    "total_trade_2024",
    "export_share_2024",
    "trade_elasticity",
    "processing_import_ratio",
    "exit_hazard",
    "auto_exports_2024",
)


# --- observation files -----------------------------------------------------------------------


class ObservationError(TradeecoError, ValueError):
    """An observation file is malformed. The message reads
    ``file:line:column (name): expected X, found Y``; the parts are attributes."""

    def __init__(self, file, line: int, column: int, expected: str, found: str) -> None:
        self.file, self.line, self.column = str(file), line, column
        self.expected, self.found = expected, found
        name = HEADER[column - 1] if 1 <= column <= len(HEADER) else "row"
        super().__init__(f"{file}:{line}:{column} ({name}): expected {expected}, found {found}")


@dataclass(frozen=True)
class Observation:
    """One published figure: ``indicator`` summed over the months ``start``..``end`` (a flow)
    or its level at ``end`` (a stock). Months are ``YYYY-MM`` strings."""

    indicator: str
    start: str
    end: str
    value: float
    unit: str
    source: str
    file: str = ""
    line: int = 0

    @property
    def end_month(self) -> pd.Timestamp:
        return pd.Timestamp(self.end + "-01")

    @property
    def start_month(self) -> pd.Timestamp:
        return pd.Timestamp(self.start + "-01")

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file else self.indicator


def _month(text: str) -> bool:
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        return False
    return 1 <= int(text[5:]) <= 12


def read_observations(path: str | os.PathLike) -> list[Observation]:
    """Reads and checks an observations CSV (format: docs/nowcast.md).

    Raises:
        FileNotFoundError: no such file.
        ObservationError: the first problem found, naming file, line, column, what was
            expected and what was found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ObservationError(path, 1, 1, "a UTF-8 text file", f"byte {e.start}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise ObservationError(path, 1, 1, "the header " + ",".join(HEADER), "an empty file")
    header = [h.strip() for h in rows[0]]
    for i, name in enumerate(HEADER):
        found = header[i] if i < len(header) else "end of line"
        if found != name:
            raise ObservationError(path, 1, i + 1, f"column {name!r}", repr(found))
    if len(header) > len(HEADER):
        raise ObservationError(path, 1, 7, "6 columns", f"extra column {header[6]!r}")
    out: list[Observation] = []
    seen: dict[tuple[str, str, str], int] = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue  # blank line
        if len(row) != len(HEADER):
            col = min(len(row), len(HEADER)) + 1
            raise ObservationError(path, lineno, col, "6 comma-separated fields", f"{len(row)}")
        indicator, start, end, value, unit, source = (c.strip() for c in row)
        if indicator not in OBSERVABLES:
            known = ", ".join(OBSERVABLES)
            raise ObservationError(path, lineno, 1, f"one of {known}", repr(indicator))
        for col, text_ in ((2, start), (3, end)):
            if not _month(text_):
                raise ObservationError(path, lineno, col, "a month YYYY-MM", repr(text_))
        if end < start:
            raise ObservationError(path, lineno, 3, f"a month not before start {start}", end)
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number < 0:
            raise ObservationError(path, lineno, 4, "a finite number >= 0", repr(value))
        expected_unit = OBSERVABLES[indicator].unit
        if unit != expected_unit:
            raise ObservationError(
                path, lineno, 5, f"the unit {expected_unit!r} of {indicator}", repr(unit)
            )
        if not source:
            raise ObservationError(path, lineno, 6, "a source (where the figure is from)", "''")
        key = (indicator, start, end)
        if key in seen:
            raise ObservationError(
                path,
                lineno,
                1,
                f"one row per indicator and period (line {seen[key]} has it)",
                f"a repeat of {indicator} {start}..{end}",
            )
        seen[key] = lineno
        out.append(Observation(indicator, start, end, number, unit, source, str(path), lineno))
    if not out:
        raise ObservationError(path, 2, 1, "at least one observation row", "none")
    return out


def simulated(ds: xr.Dataset, obs: Observation) -> np.ndarray:
    """Each replicate's simulated counterpart of an observation: the monthly variable summed
    over start..end (a flow) or at end (a stock)."""
    spec = OBSERVABLES[obs.indicator]
    if spec.variable not in ds.data_vars:
        raise KeyError(f"{obs.where()}: the results have no {spec.variable!r}")
    da = ds[spec.variable].transpose("replicate", "month")
    months = pd.DatetimeIndex(np.asarray(da["month"].values))
    if obs.end_month > months.max() or obs.start_month < months.min():
        raise ValueError(
            f"{obs.where()}: {obs.indicator} {obs.start}..{obs.end} is outside the simulated "
            f"months {months.min():%Y-%m}..{months.max():%Y-%m}"
        )
    values = np.asarray(da.values, dtype=float)
    if spec.kind == "stock":
        return values[:, months == obs.end_month][:, 0]
    inside = (months >= obs.start_month) & (months <= obs.end_month)
    return values[:, inside].sum(axis=1)


# --- the prior and the members ---------------------------------------------------------------


def prior(keys: Sequence[str] | None = None) -> pd.DataFrame:
    """The prior of the ensemble's parameters: one row per drawn parameter (:data:`PRIOR_KEYS`,
    or ``keys``) with columns key, value, unit, min, max and prior, the distribution the
    parameter table gives it over [min, max] (docs/parameters.md, "Priors")."""
    from . import parameter_table

    table = parameter_table().set_index("key")
    keys = list(PRIOR_KEYS if keys is None else keys)
    missing = [k for k in keys if k not in table.index]
    if missing:
        raise KeyError(f"no parameter(s) {missing} in the parameter table")
    return table.loc[keys, ["value", "unit", "min", "max", "prior"]].reset_index()


def draw_parameters(n: int, rng: np.random.Generator, table: pd.DataFrame) -> list[dict]:
    """``n`` parameter sets drawn from a prior table (see :func:`prior`), by the inverse CDF of
    each parameter's prior."""
    keys = list(table["key"])
    draws = prior_ppf(keys, rng.uniform(size=(n, len(keys))), table)
    return [dict(zip(keys, (float(x) for x in row), strict=True)) for row in draws]


def _run_member(text: str, name: str, parameters: dict, replicate: int) -> xr.Dataset:
    """One member: replicate ``replicate`` of the scenario ``text`` with ``parameters``."""
    from ._results import run
    from ._scenarios import load_scenario_string

    spec = load_scenario_string(text, name)
    return run(spec, replicates=1, first_replicate=replicate, parameters=parameters,
               progress=False)  # fmt: skip


def run_members(
    spec,
    parameter_sets: Sequence[Mapping[str, float]],
    replicate_ids: Sequence[int],
    *,
    threads: int = 1,
    progress: Callable[[int, int], object] | None = None,
) -> xr.Dataset:
    """Runs one replicate per parameter set (replicate index ``replicate_ids[i]``, so each has
    its own random stream) and joins them along ``replicate``. The drawn values are stored as
    ``parameter_<key>(replicate)`` variables. With ``threads`` > 1, members run in that many
    worker processes (processes, not threads: reading result files through HDF5 is not
    thread-safe)."""
    if len(parameter_sets) != len(replicate_ids):
        raise ValueError("one replicate id per parameter set")
    args = [
        (spec.resolved_text, f"{spec.name}.toml", dict(p), int(r))
        for p, r in zip(parameter_sets, replicate_ids, strict=True)
    ]
    parts: list[xr.Dataset] = []
    if threads <= 1:
        for i, a in enumerate(args):
            parts.append(_run_member(*a))
            if progress is not None:
                progress(i + 1, len(args))
    else:
        import multiprocessing

        # spawn: a fork of a process whose model has started threads may deadlock.
        context = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(max_workers=threads, mp_context=context) as pool:
                for i, ds in enumerate(pool.map(_run_member, *zip(*args, strict=True))):
                    parts.append(ds)
                    if progress is not None:
                        progress(i + 1, len(args))
        except BrokenProcessPool as e:
            raise RuntimeError(
                "the worker processes that run the members failed to start or died; in a "
                "script, call this under `if __name__ == '__main__':` (worker processes "
                "import the main script), or run with threads=1"
            ) from e
    ds = xr.concat(parts, dim="replicate", data_vars="minimal", coords="minimal",
                   combine_attrs="override")  # fmt: skip
    # Each run numbers its replicates from 0 in its own file; the study's index is the id.
    ds = ds.assign_coords(replicate=np.asarray(replicate_ids, dtype=np.int64))
    keys = sorted({k for p in parameter_sets for k in p})
    for k in keys:
        ds[f"parameter_{k}"] = ("replicate", [float(p.get(k, math.nan)) for p in parameter_sets])
        ds[f"parameter_{k}"].attrs["long_name"] = f"value of model parameter {k} in this member"
    ds.attrs["scenario_text"] = spec.resolved_text  # the members' own overrides differ
    ds.attrs["replicates"] = len(replicate_ids)
    ds.attrs.pop("first_replicate", None)  # the members' ids need not be contiguous
    return ds


# --- weighted statistics ---------------------------------------------------------------------


def fan(ds: xr.Dataset, variable: str, quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
    """The (weighted, if ``ds`` has a ``weight`` variable) fan of a monthly or yearly variable:
    one row per period, one column per quantile."""
    da = ds[variable]
    time = "month" if "month" in da.dims else "year"
    da = da.transpose("replicate", time)
    w = np.asarray(ds["weight"].values) if "weight" in ds else np.ones(da.sizes["replicate"])
    rows = [weighted_quantile(da.values[:, k], w, quantiles) for k in range(da.sizes[time])]
    return pd.DataFrame(
        rows, index=pd.Index(da[time].values, name=time), columns=[f"q{q:g}" for q in quantiles]
    )


def _ess(w: np.ndarray) -> float:
    return float(1.0 / np.sum(w**2))


def _systematic(w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling (Doucet & Johansen 2011, section 3.4): indices of the survivors."""
    n = w.size
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(w), positions), n - 1)


def _student_t_logpdf(z: np.ndarray, df: float) -> np.ndarray:
    return -0.5 * (df + 1.0) * np.log1p(z * z / df)  # up to a constant common to all members


def _weighted_summary(
    samples: np.ndarray, weights: np.ndarray, quantiles
) -> tuple[float, np.ndarray]:
    """Weighted mean and quantiles of per-member samples (members, draws): each draw of a
    member carries its member's weight / draws."""
    draws = samples.shape[1]
    w = np.repeat(np.asarray(weights, dtype=float)[:, None] / draws, draws, axis=1).ravel()
    v = samples.ravel()
    keep = ~np.isnan(v)
    mean = float(np.sum(w[keep] * v[keep]) / np.sum(w[keep])) if keep.any() else math.nan
    return mean, weighted_quantile(v, w, quantiles)


# --- the filter ------------------------------------------------------------------------------


@dataclass
class Update:
    """The state after assimilating the observations that end in one month."""

    month: str
    observations: list[Observation]
    ess: float
    resampled: bool = False
    moved: int = 0  # members whose rejuvenation move was accepted
    attainment: pd.DataFrame | None = None


@dataclass
class ParticleFilter:
    """Sequential importance resampling over ensemble members.

    Observations are assimilated in order of their end month (one update per month). The
    likelihood of an observation ``y`` given a member's simulated ``x`` is Student-t with
    ``df`` degrees of freedom and scale ``rel_error * y`` (relative observation error, see
    docs/nowcast.md). After an update whose ESS is below ``ess_fraction`` x members, the
    members are resampled; ``mover(members, observations_so_far, filter)``, if given, then
    moves them (rejuvenation) and returns the moved members and how many moves it accepted.
    ``on_update(members, weights)``, if given, is recorded with each update (P(met)).
    """

    members: xr.Dataset
    observations: Sequence[Observation]
    rel_error: float = DEFAULT_REL_ERROR
    df: float = 5.0
    ess_fraction: float = 0.5
    seed: int = 0
    mover: Callable | None = None
    on_update: Callable[[xr.Dataset, np.ndarray], pd.DataFrame] | None = None
    updates: list[Update] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.rel_error > 0:
            raise ValueError(f"rel_error must be > 0, found {self.rel_error}")
        n = self.members.sizes["replicate"]
        self.weights = np.full(n, 1.0 / n)
        self.rng = np.random.default_rng(self.seed)

    def loglik(self, ds: xr.Dataset, observations: Iterable[Observation]) -> np.ndarray:
        total = np.zeros(ds.sizes["replicate"])
        for obs in observations:
            x = simulated(ds, obs)
            scale = self.rel_error * max(abs(obs.value), 1e-12)
            ll = _student_t_logpdf((obs.value - x) / scale, self.df)
            total += np.where(np.isnan(ll), -np.inf, ll)
        return total

    def run(self) -> None:
        by_month: dict[str, list[Observation]] = {}
        for obs in sorted(self.observations, key=lambda o: (o.end, o.start, o.indicator)):
            by_month.setdefault(obs.end, []).append(obs)
        so_far: list[Observation] = []
        for month, group in by_month.items():
            so_far.extend(group)
            logw = np.log(np.maximum(self.weights, 1e-300)) + self.loglik(self.members, group)
            if not np.isfinite(logw).any():
                raise ValueError(f"no member can produce the observations of {month}")
            w = np.exp(logw - logw.max())
            self.weights = w / w.sum()
            update = Update(month, list(group), _ess(self.weights))
            if update.ess < self.ess_fraction * self.weights.size:
                idx = _systematic(self.weights, self.rng)
                self.members = _take(self.members, idx)
                self.weights = np.full(idx.size, 1.0 / idx.size)
                update.resampled = True
                if self.mover is not None:
                    self.members, update.moved = self.mover(self.members, so_far, self)
            if self.on_update is not None:
                update.attainment = self.on_update(self.members, self.weights)
            self.updates.append(update)

    @property
    def ess(self) -> float:
        return _ess(self.weights)

    def posterior(self) -> xr.Dataset:
        """The members with their weights as a ``weight(replicate)`` variable."""
        ds = self.members.copy()
        ds["weight"] = ("replicate", self.weights.copy())
        ds["weight"].attrs.update(
            long_name="posterior weight of the member (sums to 1 over replicates)",
            units="1",
            unit_label="1",
        )
        return ds


def _take(ds: xr.Dataset, idx: np.ndarray) -> xr.Dataset:
    """Rows ``idx`` of the members, renumbered so that replicate coordinates stay unique; the
    original index is kept as ``member``."""
    origin = ds["member"].values if "member" in ds else ds["replicate"].values
    out = ds.isel(replicate=idx)
    out = out.assign_coords(replicate=np.arange(idx.size))
    out["member"] = ("replicate", np.asarray(origin)[idx])
    out["member"].attrs["long_name"] = "replicate index of the run this member comes from"
    return out


# --- rejuvenation ----------------------------------------------------------------------------


def _mover(spec, prior_table: pd.DataFrame, threads: int, jitter: float, next_replicate: list):
    """A pseudo-marginal Metropolis-Hastings move (Andrieu & Roberts 2009) for each member:
    jitter the drawn parameters (Gaussian, ``jitter`` x the members' spread, reflected into the
    prior's range, so the proposal is symmetric), re-run with a fresh random stream and accept
    with probability min(1, p(new) L(new) / (p(old) L(old))), where p is the prior density and L
    the likelihood of every observation so far."""
    keys = list(prior_table["key"])
    lo = prior_table["min"].to_numpy(float)
    hi = prior_table["max"].to_numpy(float)

    def move(members: xr.Dataset, so_far, flt: ParticleFilter):
        n = members.sizes["replicate"]
        theta = np.column_stack([members[f"parameter_{k}"].values for k in keys])
        sd = np.maximum(theta.std(axis=0), 1e-3 * (hi - lo)) * jitter
        prop = theta + flt.rng.normal(size=theta.shape) * sd
        span = hi - lo
        folded = np.mod(prop - lo, 2 * span)  # reflect at both bounds
        prop = lo + np.where(folded > span, 2 * span - folded, folded)
        ids = list(range(next_replicate[0], next_replicate[0] + n))
        next_replicate[0] += n
        sets = [dict(zip(keys, (float(x) for x in row), strict=True)) for row in prop]
        fresh = run_members(spec, sets, ids, threads=threads)
        ll_old = flt.loglik(members, so_far) + prior_logpdf(keys, theta, prior_table)
        ll_new = flt.loglik(fresh, so_far) + prior_logpdf(keys, prop, prior_table)
        accept = np.log(flt.rng.random(n)) < (ll_new - ll_old)
        fresh = fresh.assign_coords(replicate=members["replicate"].values)
        fresh["member"] = ("replicate", np.asarray(ids))
        fresh["member"].attrs = members["member"].attrs
        keep = xr.DataArray(accept, dims="replicate")
        merged = xr.where(keep, fresh, members[list(fresh.data_vars)], keep_attrs=True)
        for name in members.data_vars:
            if name not in merged:
                merged[name] = members[name]
        merged.attrs = members.attrs
        for name in merged.data_vars:
            merged[name].attrs = members[name].attrs if name in members else fresh[name].attrs
        return merged, int(accept.sum())

    return move


# --- full-year forecasts anchored on the data ------------------------------------------------

#: Relative sd of a published figure's measurement error, used where a forecast takes the
#: observed part of a year from the data. ASSUMPTION: revisions between customs' first and
#: final figures are rarely more than 1 %; no published revision statistics were found.
MEASUREMENT_ERROR = 0.01
_PARTS = {"total_trade_cny_100m": ("exports_cny_100m", "imports_cny_100m")}


def _observed_months(observations: Sequence[Observation], year: int):
    """The months of ``year`` the observations cover, or None if two of them overlap."""
    months: set[pd.Timestamp] = set()
    for o in observations:
        span = pd.date_range(o.start_month, o.end_month, freq="MS")
        if span.year.min() != year or span.year.max() != year or months & set(span):
            return None
        months |= set(span)
    return months


def anchored_samples(
    members: xr.Dataset,
    observations: Sequence[Observation],
    indicator: str,
    year: int,
    measurement_error: float = MEASUREMENT_ERROR,
    draws: int = 200,
    seed: int = 0,
) -> np.ndarray | None:
    """Full-year ``indicator`` in ``year`` per member, anchored on the data: the observed
    months come from the observations, the rest from the member scaled by how far it is from
    the data on the observed months (each member's forecast is ``y x full_i / x_i``, where
    ``y`` is the observed sum and ``x_i``, ``full_i`` the member's sum over the same months
    and over the year). Measurement error (relative sd ``measurement_error`` per figure) is
    drawn ``draws`` times per member. Returns an array (members, draws), or None when the
    observations of that year do not allow it (none, overlapping, or a stock). A total
    observed only through its parts (exports and imports) is the sum of its anchored parts."""
    spec = OBSERVABLES[indicator]
    if spec.kind != "flow":
        return None
    own = [o for o in observations if o.indicator == indicator and o.start_month.year == year]
    rng = np.random.default_rng(seed)
    if not own and indicator in _PARTS:
        parts = [
            anchored_samples(members, observations, part, year, measurement_error, draws, seed + k)
            for k, part in enumerate(_PARTS[indicator], start=1)
        ]
        return None if any(p is None for p in parts) else sum(parts)
    months = _observed_months(own, year) if own else None
    if not months or spec.variable not in members:
        return None
    da = members[spec.variable].transpose("replicate", "month")
    index = pd.DatetimeIndex(np.asarray(da["month"].values))
    values = np.asarray(da.values, dtype=float)
    in_year = index.year == year
    if in_year.sum() != 12:
        return None  # the runs do not cover the whole year
    seen = np.asarray(index.isin(list(months)))
    x_obs, x_full = values[:, seen].sum(axis=1), values[:, in_year].sum(axis=1)
    noise = rng.normal(0.0, measurement_error, size=(len(own), draws))
    y = sum(o.value * (1.0 + noise[k]) for k, o in enumerate(own))  # (draws,)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x_obs > 0, x_full / x_obs, np.nan)
    return ratio[:, None] * y[None, :]


# --- attainment and warnings -----------------------------------------------------------------


def _attainment(ds: xr.Dataset, weights: np.ndarray) -> pd.DataFrame:
    from . import analysis

    weighted = ds.copy()
    weighted["weight"] = ("replicate", weights)
    att = analysis.attainment(weighted)
    return att.drop(columns=["scenario"]).set_index(["indicator", "year"])


@dataclass
class NowcastResult:
    """What :func:`nowcast` returns. ``posterior`` is the ensemble with its ``weight``
    variable (write it with :meth:`to_netcdf`; ``tradeeco compare`` and
    :func:`tradeeco.analysis.attainment` honour the weights)."""

    posterior: xr.Dataset
    prior_attainment: pd.DataFrame
    updates: list[Update]
    ess: float
    members: int
    threshold: float
    max_drop: float
    observations: list[Observation]

    def attainment(self) -> pd.DataFrame:
        """P(met) per target and year: prior, after each update, the latest, and its change
        since the previous update (the prior for the first)."""
        table = self.prior_attainment[["target", "rule", "unit"]].copy()
        table["p_prior"] = self.prior_attainment["p_met"]
        previous = table["p_prior"]
        latest = previous
        for u in self.updates:
            latest_prev, latest = latest, u.attainment["p_met"]
            table[f"p_{u.month}"] = latest
            previous = latest_prev
        table["p_met"] = latest
        table["change"] = latest - previous
        table["mean"] = self.updates[-1].attainment["mean"] if self.updates else math.nan
        return table.reset_index()

    def warnings(self) -> list[str]:
        """Early warnings: targets whose P(met) is below ``threshold``, or dropped by more than
        ``max_drop`` since the previous update."""
        out = []
        for r in self.attainment().itertuples():
            if r.p_met < self.threshold:
                out.append(
                    f"{r.indicator} {r.year}: P(met) {r.p_met:.2f} is below {self.threshold:.2f}"
                    f" (target {_targets.rule_symbol(r.rule)} {r.target:g} {r.unit})"
                )
            if r.change < -self.max_drop:
                out.append(
                    f"{r.indicator} {r.year}: P(met) fell by {-r.change:.2f} since the previous"
                    f" update (to {r.p_met:.2f})"
                )
        return out

    def forecast(self, quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
        """Full-year values of the observed quantities, prior and posterior: one row per
        indicator and year with the prior and posterior mean and quantiles. Where the year's
        observed months allow it, the posterior is anchored on the data
        (:func:`anchored_samples`; column ``anchored``), else it is the weighted members'."""
        rows = []
        w = self.posterior["weight"].values
        prior = self._prior_members
        for name, spec in OBSERVABLES.items():
            if spec.yearly is None or spec.yearly not in self.posterior:
                continue
            post_y = self.posterior[spec.yearly].transpose("replicate", "year")
            prior_y = prior[spec.yearly].transpose("replicate", "year")
            for k, year in enumerate(post_y["year"].values):
                pv, qv = prior_y.values[:, k], post_y.values[:, k]
                row = {"indicator": name, "year": int(year), "unit": spec.unit}
                row["prior_mean"] = float(np.nanmean(pv))
                for q, x in zip(quantiles, np.nanquantile(pv, quantiles), strict=True):
                    row[f"prior_q{q:g}"] = float(x)
                samples = anchored_samples(self.posterior, self.observations, name, int(year))
                row["anchored"] = samples is not None
                mean, qs = _weighted_summary(qv[:, None] if samples is None else samples, w,
                                             quantiles)  # fmt: skip
                row["mean"] = mean
                for q, x in zip(quantiles, qs, strict=True):
                    row[f"q{q:g}"] = float(x)
                rows.append(row)
        return pd.DataFrame(rows)

    _prior_members: xr.Dataset = None  # type: ignore[assignment]

    def to_netcdf(self, path: str | os.PathLike) -> Path:
        """Writes the weighted ensemble as a tradeeco result file: written under a temporary
        name, sealed like every result file (:func:`tradeeco.seal`: ``tradeeco.open`` then
        detects damage) and renamed, so a file only ever appears complete."""
        from ._results import seal

        path = Path(path)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        ds = self.posterior.copy()
        for name in ds.data_vars:
            ds[name].encoding = {}
        # CF-1.8 (netCDF-3 types: no int64) as every tradeeco result file; docs/nowcast.md.
        ds = ds.assign_coords(replicate=ds["replicate"].astype(np.int32))
        ds["replicate"].attrs.setdefault("long_name", "ensemble member (particle) index")
        if "member" in ds.variables and ds["member"].dtype == np.int64:
            ds["member"] = ds["member"].astype(np.int32)
        try:
            ds.to_netcdf(tmp, engine="h5netcdf")
            seal(tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path


def nowcast(
    scenario,
    observations: str | os.PathLike | Sequence[Observation],
    *,
    members: int = 40,
    end: str | None = None,
    threads: int = 1,
    seed: int = 0,
    rel_error: float = DEFAULT_REL_ERROR,
    df: float = 5.0,
    ess_fraction: float = 0.5,
    rejuvenate: bool = True,
    jitter: float = 0.2,
    threshold: float = 0.5,
    max_drop: float = 0.2,
    prior_keys: Sequence[str] | None = None,
    ensemble: xr.Dataset | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> NowcastResult:
    """Conditions an ensemble of ``scenario`` on observed statistics (docs/nowcast.md).

    Args:
        scenario: a shipped scenario's name, a scenario file or a Spec.
        observations: an observations CSV (:func:`read_observations`) or Observation objects.
        members: parameter sets drawn from the prior (:func:`prior`), one run each.
        end: last simulated day (``"2025-12-31"``) to save time; default the scenario's end.
        threads: members run at the same time, in worker processes when > 1 (started with
            "spawn", which imports the main script: in a script, call this under
            ``if __name__ == "__main__":``).
        seed: seed of the parameter draws and of resampling; member ``i`` runs replicate ``i``.
        rel_error, df: the observation-error model: Student-t with ``df`` degrees of freedom
            and scale ``rel_error`` x the observed value.
        ess_fraction: resample when the ESS falls below this share of the members.
        rejuvenate: after resampling, move each member by one pseudo-marginal MH step (costs
            one re-run per member; without checkpoints the re-run starts in January 2024).
        jitter: the move's step, as a multiple of the members' spread of each parameter.
        threshold, max_drop: early-warning limits on P(met) and on its fall in one update.
        prior_keys: parameters to draw (default :data:`PRIOR_KEYS`).
        ensemble: members already run (as :func:`run_members` returns) instead of running.
    """
    from ._scenarios import as_spec

    obs = (
        read_observations(observations)
        if isinstance(observations, (str, os.PathLike))
        else list(observations)
    )
    spec = as_spec(scenario)
    if end is not None:
        spec = spec.with_(end=end)
    table = prior(prior_keys)
    if ensemble is None:
        if members < 2:
            raise ValueError(f"members must be at least 2, found {members}")
        rng = np.random.default_rng(seed)
        sets = draw_parameters(members, rng, table)
        ensemble = run_members(spec, sets, list(range(members)), threads=threads,
                               progress=progress)  # fmt: skip
    ensemble = ensemble.assign(member=("replicate", ensemble["replicate"].values))
    ensemble["member"].attrs["long_name"] = "replicate index of the run this member comes from"
    n = ensemble.sizes["replicate"]
    mover = None
    if rejuvenate:
        mover = _mover(spec, table, threads, jitter, [10_000_000 + seed * n])
    # Members are whole runs of fixed parameters: resampling without a move would only add
    # noise, so without rejuvenation the filter keeps importance weights throughout.
    ess_fraction = ess_fraction if rejuvenate else 0.0
    flt = ParticleFilter(ensemble, obs, rel_error=rel_error, df=df, ess_fraction=ess_fraction,
                         seed=seed, mover=mover, on_update=_attainment)  # fmt: skip
    prior_att = _attainment(ensemble, np.full(n, 1.0 / n))
    flt.run()
    post = flt.posterior()
    from ._results import api_call, utc_now

    call = api_call(
        "tradeeco.nowcast", scenario, members=n, end=end, seed=seed, rel_error=rel_error
    )
    post.attrs["history"] = f"{post.attrs.get('history', '')}\n{utc_now()}: {call}".strip()
    post.attrs.update(
        nowcast_observations="; ".join(
            f"{o.indicator} {o.start}..{o.end} = {o.value:g} {o.unit} ({o.source})" for o in obs
        ),
        nowcast_method=(
            f"particle filter over {n} members, Student-t(df={df:g}) likelihood with relative "
            f"scale {rel_error:g}, resampling below ESS {ess_fraction:g} N"
            + (f", pseudo-marginal MH rejuvenation (jitter {jitter:g})" if rejuvenate else "")
        ),
        nowcast_ess=flt.ess,
        nowcast_prior=", ".join(f"{r.key} ~ U[{r.min:g}, {r.max:g}]" for r in table.itertuples()),
    )
    result = NowcastResult(post, prior_att, flt.updates, flt.ess, n, threshold, max_drop, obs)
    result._prior_members = ensemble
    return result
