"""Analysing result files: target attainment, paired scenario differences, tidy frames.

Charts of these results are in :mod:`tradeeco.plot`, which builds on this module.

Every function takes results as xarray Datasets as returned by :func:`tradeeco.open` or
:func:`tradeeco.run`: variables over ``(replicate, month)`` or ``(replicate, year)``. Where
several scenarios are compared, pass a mapping ``{label: dataset}`` (or a list; labels then come
from each file's ``scenario`` attribute).

Indicators whose name is a target id of :mod:`tradeeco.targets` are checked against the plan's
targets. A monthly indicator is turned into one value per year by :func:`yearly`.

Example (a synthetic ensemble, so it runs without the model)::

    >>> import numpy as np, xarray as xr
    >>> from tradeeco import analysis
    >>> firms = np.array([[5100.0, 5600.0], [4900.0, 5400.0]])  # 2 replicates x 2 years
    >>> ds = xr.Dataset({"trading_firms": (("replicate", "year"), firms)},
    ...                 coords={"replicate": [0, 1], "year": [2025, 2027]},
    ...                 attrs={"scenario": "demo", "seed": 1})
    >>> analysis.attainment(ds)[["indicator", "year", "target", "p_met"]].values.tolist()
    [['trading_firms', 2025, 5000.0, 0.5], ['trading_firms', 2027, 5500.0, 0.5]]
    >>> analysis.paired_difference(ds, ds)["mean"].tolist()
    [0.0, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import xarray as xr

from . import targets as _targets
from ._results import unit_label
from .errors import NotPairedError

__all__ = [
    "attainment",
    "check_paired",
    "cost_effectiveness",
    "fiscal_cost",
    "is_paired",
    "load_results",
    "p_met_interval",
    "paired_difference",
    "replicate_differences",
    "scenario_name",
    "summary",
    "target_indicators",
    "to_frame",
    "weighted_quantile",
    "yearly",
]

Results = xr.Dataset | Mapping[str, xr.Dataset] | Sequence[xr.Dataset]


# --- helpers ---------------------------------------------------------------------------------


def scenario_name(ds: xr.Dataset, default: str = "scenario") -> str:
    """The scenario label of a result set: its ``scenario`` attribute, else the file name."""
    for key in ("scenario", "scenario_name", "name"):
        value = ds.attrs.get(key)
        if isinstance(value, str) and value:
            return value
    source = ds.encoding.get("source")
    return Path(source).stem if source else default


def as_mapping(results: Results) -> dict[str, xr.Dataset]:
    """``{label: dataset}`` from a Dataset, a mapping or a sequence of Datasets. Duplicate labels
    from a sequence get a numeric suffix."""
    if isinstance(results, xr.Dataset):
        return {scenario_name(results): results}
    if isinstance(results, Mapping):
        return dict(results)
    out: dict[str, xr.Dataset] = {}
    for i, ds in enumerate(results):
        label = scenario_name(ds, default=f"scenario{i}")
        if label in out:
            label = f"{label}#{i}"
        out[label] = ds
    return out


def load_results(paths: Iterable[str | Path]) -> dict[str, xr.Dataset]:
    """Result files read into memory (and closed), labelled by file stem; a repeated stem gets
    ``#2``, ``#3``... This is how ``tradeeco compare`` and ``tradeeco report`` name scenarios.

    Raises:
        FileNotFoundError: a file does not exist.
    """
    from ._results import open as _open

    datasets: dict[str, xr.Dataset] = {}
    for f in paths:
        p = Path(f)
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such result file")
        label, k = p.stem, 2
        while label in datasets:
            label, k = f"{p.stem}#{k}", k + 1
        with _open(p) as ds:
            datasets[label] = ds.load()
    return datasets


def target_indicators(ds: xr.Dataset) -> list[str]:
    """Target ids (in the targets table's order) that are variables of ``ds``."""
    return [t for t in _targets.ids() if t in ds.data_vars]


def yearly(ds: xr.Dataset, variable: str) -> xr.DataArray:
    """One value per replicate and calendar year: ``(replicate, year)``.

    A yearly variable is returned as is. A monthly one is reduced per calendar year according
    to its ``cell_methods`` attribute: ``"month: sum"`` sums the months, ``"month: mean"``
    averages them, anything else (a stock, such as a count of firms) takes the last month of
    the year that has a value.

    >>> import numpy as np, pandas as pd, xarray as xr
    >>> months = pd.date_range("2024-01-01", periods=24, freq="MS")
    >>> ds = xr.Dataset(
    ...     {"x": (("replicate", "month"), np.arange(24.0)[None, :])},
    ...     coords={"replicate": [0], "month": months},
    ... )
    >>> yearly(ds, "x").values.tolist()
    [[11.0, 23.0]]
    """
    if variable not in ds.data_vars:
        raise KeyError(f"no variable {variable!r} in the results")
    da = ds[variable]
    if "year" in da.dims:
        return da
    if "month" not in da.dims:
        raise ValueError(f"{variable} has neither a month nor a year dimension: {da.dims}")
    month = da["month"]
    years = np.asarray(month.dt.year if np.issubdtype(month.dtype, np.datetime64) else month // 12)
    method = str(da.attrs.get("cell_methods", ""))
    da = da.transpose(..., "month")
    values = np.asarray(da.values, dtype=float)
    unique = np.unique(years)
    out_values = np.full((*values.shape[:-1], unique.size), np.nan)
    for k, y in enumerate(unique):
        block = values[..., years == y]
        valid = ~np.isnan(block)
        any_valid = valid.any(axis=-1)
        if "sum" in method:
            res = np.where(any_valid, np.nansum(block, axis=-1), np.nan)
        elif "mean" in method:
            with np.errstate(invalid="ignore", divide="ignore"):
                res = np.nansum(block, axis=-1) / valid.sum(axis=-1)
        else:
            # A stock: the last month of the year that has a value.
            last = block.shape[-1] - 1 - np.argmax(valid[..., ::-1], axis=-1)
            res = np.take_along_axis(block, last[..., None], axis=-1)[..., 0]
        out_values[..., k] = np.where(any_valid, res, np.nan)
    dims = [*da.dims[:-1], "year"]
    coords = {d: da[d].values for d in da.dims[:-1] if d in da.coords}
    coords["year"] = unique.astype(np.int64)
    out = xr.DataArray(out_values, dims=dims, coords=coords)
    out.attrs = dict(da.attrs)
    out.name = variable
    return out


def _t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t distribution (scipy if installed, else bisection on the CDF
    computed with the regularised incomplete beta function)."""
    try:
        from scipy.stats import t as _t

        return float(_t.ppf(p, df))
    except ImportError:  # pragma: no cover - scipy is present in most environments
        pass
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -_t_quantile(1.0 - p, df)

    def cdf(x: float) -> float:
        return 1.0 - 0.5 * _betainc(df / 2.0, 0.5, df / (df + x * x))

    lo, hi = 0.0, 1.0
    while cdf(hi) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _betainc(a: float, b: float, x: float) -> float:  # pragma: no cover - scipy fallback
    """Regularised incomplete beta I_x(a, b) (continued fraction, Numerical Recipes 6.4)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - _betainc(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 500):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.exp(ln_front) * f / a


# --- attainment ------------------------------------------------------------------------------


def attainment(
    results: Results,
    indicators: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Probability of meeting each target, per scenario, indicator and target year.

    For every indicator that has a target for a year present in the results, the share of
    replicates whose yearly value (see :func:`yearly`) meets the target under its rule
    (``at_least``, ``at_most``, ``greater_than``, ``less_than``). Replicates with no value for
    that year are left out (``n`` counts the ones used). If the results have a
    ``weight(replicate)`` variable (a nowcast's posterior, :mod:`tradeeco.nowcast`), the share,
    mean and quantiles are weighted by it.

    ``p_met_lo`` and ``p_met_hi`` bound P(met) with a 95 % Wilson interval
    (:func:`p_met_interval`; over the weights' effective size ``(sum w)^2 / sum w^2`` when
    weighted). The variance columns split the indicator's variance over replicates by the law
    of total variance over the parameter sets the replicates drew (``parameter_set``) and the
    driver paths they drew (``driver_path``; see :mod:`tradeeco.posterior` and
    :func:`nested_variance_parts` for the estimator): ``share_parameters`` comes from the
    parameters, ``share_drivers_noise`` from the driver draws and the stochastic noise
    together, split into ``share_drivers`` and ``share_noise`` when replicates shared driver
    paths (a nested design: ``Posterior.nested(M, D)``, ``--replicates-per-set M
    --replicates-per-driver-path D``); by default each replicate draws its own path and its
    own noise, so those two stay NaN. Every share is NaN for results run with fixed parameters
    (the parameters' part was not sampled) and when no set was drawn by two replicates or more
    (the weights are not used here).

    Args:
        results: a Dataset, ``{label: Dataset}`` or a list of Datasets.
        indicators: target ids to check (default: every target id present).
        years: years to check (default: every target year present).
        targets: a table like :func:`tradeeco.targets.table` to use instead of the plan's.

    Returns:
        A DataFrame with columns scenario, indicator, year, target, rule, unit, n, mean, p05,
        p95, p_met, then p_met_lo, p_met_hi, var_total, share_parameters,
        share_drivers_noise, share_drivers, share_noise (one row per scenario x indicator x
        year). ``unit`` is the variable's
        ``unit_label`` ("100m CNY"), or the targets table's unit where the file has none.
    """
    table = _targets.table() if targets is None else targets
    rows = []
    for label, ds in as_mapping(results).items():
        names = list(indicators) if indicators is not None else [t for t in table.index if t in ds]
        for name in names:
            if name not in table.index:
                raise KeyError(f"{name!r} is not in the targets table")
            if name not in ds.data_vars:
                raise KeyError(f"{name!r} is not a variable of scenario {label!r}")
            row = table.loc[name]
            values = yearly(ds, name)
            for year in _target_years(row, values, years):
                v = np.asarray(values.sel(year=year).values, dtype=float).ravel()
                # A nowcast's posterior (tradeeco.nowcast) weighs its replicates.
                w = _replicate_weights(label, ds, v.size) if "weight" in ds.data_vars else None
                rows.append(_attainment_row(label, name, int(year), row, v, w, ds))
                rows[-1].update(_uncertainty_columns(rows[-1], v, w, ds))
    columns = [
        "scenario",
        "indicator",
        "year",
        "target",
        "rule",
        "unit",
        "n",
        "mean",
        "p05",
        "p95",
        "p_met",
        *UNCERTAINTY_COLUMNS,
    ]
    return pd.DataFrame(rows, columns=columns)


def p_met_interval(p_met, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a probability of meeting a target estimated from ``n``
    replicates (elementwise; NaN where ``n`` is 0). Unlike the normal approximation it stays
    within [0, 1] and is not empty when every replicate meets the target (or none does).

    >>> lo, hi = p_met_interval(1.0, 20)
    >>> round(float(lo), 3), float(hi)
    (0.839, 1.0)
    """
    p = np.asarray(p_met, dtype=float)
    n = np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


def _target_years(row: pd.Series, values: xr.DataArray, years: Iterable[int] | None) -> list[int]:
    present = {int(y) for y in np.asarray(values["year"].values)}
    wanted = _targets.TARGET_YEARS if years is None else tuple(int(y) for y in years)
    out = []
    for y in wanted:
        col = f"target_{y}"
        if y in present and col in row.index and not pd.isna(row[col]):
            out.append(y)
    return out


def summary(ds: xr.Dataset, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per target indicator in ``ds``, at the latest year that has both a value and a
    target: indicator, year, mean, target, rule, unit, n, p_met. This is the table
    ``tradeeco run`` prints at the end."""
    att = attainment(ds, targets=targets)
    if att.empty:
        return att.drop(columns=["scenario"])
    latest = att.sort_values("year").groupby("indicator", sort=False).tail(1)
    order = {name: i for i, name in enumerate(_targets.ids())}
    latest = latest.sort_values("indicator", key=lambda s: s.map(order))
    return latest.drop(columns=["scenario", "p05", "p95"]).reset_index(drop=True)


# --- paired differences ----------------------------------------------------------------------


def _seed(ds: xr.Dataset):
    value = ds.attrs.get("seed")
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        value = value.ravel()[0] if value.size else None
    if isinstance(value, bytes):
        value = value.decode()
    try:
        return int(float(value)) if not isinstance(value, (int, np.integer)) else int(value)
    except (TypeError, ValueError):
        return str(value)


def is_paired(a: xr.Dataset, b: xr.Dataset) -> tuple[bool, str]:
    """Whether two result sets share random streams replicate by replicate (same ``seed``
    attribute and the same replicate coordinate) and parameters (the same ``parameter_set``
    per replicate, or both run with fixed parameters), and if not, why."""
    sa, sb = _seed(a), _seed(b)
    if sa is None or sb is None:
        return False, "a result set has no seed attribute"
    if sa != sb:
        return False, f"seeds differ ({sa} vs {sb})"
    ra = np.asarray(a["replicate"].values) if "replicate" in a.coords else None
    rb = np.asarray(b["replicate"].values) if "replicate" in b.coords else None
    if ra is None or rb is None:
        return False, "a result set has no replicate coordinate"
    if ra.shape != rb.shape or not np.array_equal(ra, rb):
        return False, (f"replicate coordinates differ ({_describe(ra)} vs {_describe(rb)})")
    sets_a, sets_b = ("parameter_set" in a.variables), ("parameter_set" in b.variables)
    if sets_a != sets_b:
        return (
            False,
            "one drew parameter sets from a posterior, the other ran with fixed parameters",
        )
    if sets_a:
        pa, pb = np.asarray(a["parameter_set"].values), np.asarray(b["parameter_set"].values)
        va = np.asarray(a["parameter_value"].values) if "parameter_value" in a.variables else None
        vb = np.asarray(b["parameter_value"].values) if "parameter_value" in b.variables else None
        same_values = va is None or vb is None or (va.shape == vb.shape and np.array_equal(va, vb))
        if not np.array_equal(pa, pb) or not same_values:
            return False, "the replicates drew different parameter sets (another posterior?)"
        return True, "same seed, replicates and parameter sets"
    return True, "same seed and replicates"


def _describe(r: np.ndarray) -> str:
    if r.size == 0:
        return "none"
    if r.size > 1 and np.array_equal(r, np.arange(r[0], r[0] + r.size)):
        return f"{r[0]}..{r[-1]}"
    return ",".join(str(x) for x in r[:6]) + (",..." if r.size > 6 else "")


def check_paired(a: xr.Dataset, b: xr.Dataset) -> None:
    """Raises NotPairedError (a ValueError) unless ``a`` and ``b`` are paired (see is_paired)."""
    ok, reason = is_paired(a, b)
    if not ok:
        raise NotPairedError(f"results are not paired: {reason}")


def _default_variables(a: xr.Dataset, b: xr.Dataset) -> list[str]:
    common = [t for t in target_indicators(a) if t in b.data_vars]
    if common:
        return common
    return [
        v
        for v in a.data_vars
        if v in b.data_vars and "replicate" in a[v].dims and ({"month", "year"} & set(a[v].dims))
    ]


def replicate_differences(
    a: xr.Dataset, b: xr.Dataset, variables: Iterable[str] | None = None
) -> xr.Dataset:
    """``b - a`` per replicate and year for each variable (yearly values, see :func:`yearly`).
    Raises NotPairedError unless the two share seeds and replicates."""
    check_paired(a, b)
    names = list(variables) if variables is not None else _default_variables(a, b)
    diffs = {}
    for name in names:
        ya, yb = xr.align(yearly(a, name), yearly(b, name), join="inner")
        d = yb - ya
        d.attrs = {k: ya.attrs[k] for k in ("units", "unit_label") if k in ya.attrs}
        d.attrs["long_name"] = f"difference in {name}"
        diffs[name] = d
    return xr.Dataset(diffs)


def paired_difference(
    a: xr.Dataset,
    b: xr.Dataset,
    variables: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    level: float = 0.95,
    method: str = "t",
) -> pd.DataFrame:
    """Paired difference ``b - a`` between two scenarios run with the same seeds.

    With common random numbers, replicate i of ``a`` and of ``b`` see the same random draws, so
    the per-replicate difference isolates the policy effect. For each variable and year:

    * ``method="t"``: mean difference and its ``level`` confidence interval from Student's t
      (``mean ± t * sd / sqrt(n)``);
    * ``method="bootstrap"``: the same interval by a percentile bootstrap of the mean (10,000
      resamples, fixed seed, so the result is reproducible);
    * ``method="percentile"``: the central ``level`` interval of the per-replicate differences
      themselves (how much the effect varies between replicates, not the uncertainty of its
      mean).

    Args:
        a, b: the reference and the alternative results.
        variables: variables to compare (default: target indicators present in both, else all
            series).
        years: years to report (default: all).

    Returns:
        A DataFrame with columns variable, year, n, mean_a, mean_b, mean, sd, lo, hi.
        ``mean``, ``lo`` and ``hi`` are of ``b - a``; with fewer than two replicates the interval
        is NaN.

    Raises:
        NotPairedError: the seeds or the replicate indices differ.
    """
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    if method not in ("t", "bootstrap", "percentile"):
        raise ValueError("method must be 't', 'bootstrap' or 'percentile'")
    diffs = replicate_differences(a, b, variables)
    wanted = None if years is None else {int(y) for y in years}
    rows = []
    alpha = 1.0 - level
    for name in diffs.data_vars:
        ya, yb = xr.align(yearly(a, name), yearly(b, name), join="inner")
        for year in diffs[name]["year"].values:
            if wanted is not None and int(year) not in wanted:
                continue
            d = np.asarray(diffs[name].sel(year=year).values, dtype=float).ravel()
            keep = ~np.isnan(d)
            d = d[keep]
            n = d.size
            mean = float(d.mean()) if n else math.nan
            sd = float(d.std(ddof=1)) if n > 1 else math.nan
            lo = hi = math.nan
            if n > 1:
                if method == "t":
                    half = _t_quantile(1 - alpha / 2, n - 1) * sd / math.sqrt(n)
                    lo, hi = mean - half, mean + half
                elif method == "bootstrap":
                    rng = np.random.default_rng(0)
                    means = d[rng.integers(0, n, size=(10_000, n))].mean(axis=1)
                    lo, hi = (float(x) for x in np.quantile(means, [alpha / 2, 1 - alpha / 2]))
                else:
                    lo, hi = (float(x) for x in np.quantile(d, [alpha / 2, 1 - alpha / 2]))
            va = np.asarray(ya.sel(year=year).values, dtype=float).ravel()[keep]
            vb = np.asarray(yb.sel(year=year).values, dtype=float).ravel()[keep]
            rows.append(
                {
                    "variable": name,
                    "year": int(year),
                    "n": int(n),
                    "mean_a": float(va.mean()) if n else math.nan,
                    "mean_b": float(vb.mean()) if n else math.nan,
                    "mean": mean,
                    "sd": sd,
                    "lo": lo,
                    "hi": hi,
                }
            )
    columns = ["variable", "year", "n", "mean_a", "mean_b", "mean", "sd", "lo", "hi"]
    return pd.DataFrame(rows, columns=columns)


# --- costs ------------------------------------------------------------------------------------

FISCAL_COST = "fiscal_cost_cny_100m"


def fiscal_cost(ds: xr.Dataset, cumulative: bool = False) -> xr.DataArray:
    """Public spending on a scenario's policies, ``(replicate, year)`` in 100m CNY: each
    policy's ``fiscal_cost_cny_per_year`` following its ramp from its start. With
    ``cumulative=True``, the spending from the first simulated year up to each year.

    Raises KeyError for a result file written before costs were recorded."""
    if FISCAL_COST not in ds.data_vars:
        raise KeyError(
            f"no {FISCAL_COST!r} in the results of {scenario_name(ds)!r}: the file was written "
            "by a tradeeco that did not record policy costs; run the scenario again"
        )
    cost = yearly(ds, FISCAL_COST)
    return cost.cumsum("year", keep_attrs=True) if cumulative else cost


def cost_effectiveness(
    a: xr.Dataset,
    b: xr.Dataset,
    variables: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    level: float = 0.95,
    method: str = "t",
) -> pd.DataFrame:
    """Change in each indicator per 100m CNY of extra public spending, ``b`` against ``a``.

    The effect is the paired difference of :func:`paired_difference` in a year; the cost is the
    extra spending of ``b`` over ``a`` from the first simulated year to that year (cumulative,
    100m CNY, mean over replicates). Spending follows the scenario text, so it is the same in
    every replicate and the effect's interval divides by it exactly. Where ``b`` spends no more
    than ``a`` the ratio is NaN.

    Returns:
        A DataFrame with columns variable, year, n, extra_cost, mean, lo, hi, per_100m,
        per_100m_lo, per_100m_hi (effects in the variable's unit; per_100m in that unit per
        100m CNY).
    """
    diff = paired_difference(a, b, variables=variables, years=years, level=level, method=method)
    ca, cb = xr.align(
        fiscal_cost(a, cumulative=True), fiscal_cost(b, cumulative=True), join="inner"
    )
    extra = (cb - ca).mean("replicate") if "replicate" in ca.dims else cb - ca
    extra_by_year = {
        int(y): float(v) for y, v in zip(extra["year"].values, extra.values, strict=True)
    }
    diff["extra_cost"] = [extra_by_year.get(int(y), math.nan) for y in diff["year"]]
    spent = diff["extra_cost"].where(diff["extra_cost"] > 0)
    for col in ("mean", "lo", "hi"):
        suffix = "" if col == "mean" else f"_{col}"
        diff[f"per_100m{suffix}"] = diff[col] / spent
    columns = ["variable", "year", "n", "extra_cost", "mean", "lo", "hi"]
    return diff[[*columns, "per_100m", "per_100m_lo", "per_100m_hi"]]


# --- tidy frames -----------------------------------------------------------------------------

_TIDY_COLUMNS = ["scenario", "variable", "unit", "frequency", "replicate", "year", "month", "value"]


def to_frame(results: Results, variables: Iterable[str] | None = None) -> pd.DataFrame:
    """Results as one tidy (long) DataFrame, one row per scenario, variable, replicate and
    period: columns scenario, variable, unit, frequency, replicate, year, month, value.
    ``unit`` is the unit as people write it ("100m CNY"; see :func:`tradeeco.unit_label`).
    ``month`` is the first day of the month for monthly series and NaT for yearly ones.

    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset(
    ...     {"x": (("replicate", "year"), np.ones((2, 2)))},
    ...     coords={"replicate": [0, 1], "year": [2024, 2025]},
    ...     attrs={"scenario": "s"},
    ... )
    >>> to_frame(ds).shape
    (4, 8)
    """
    frames = []
    for label, ds in as_mapping(results).items():
        names = (
            list(variables)
            if variables is not None
            else [v for v in ds.data_vars if {"month", "year"} & set(ds[v].dims)]
        )
        for name in names:
            da = ds[name]
            unit = unit_label(da)
            df = da.to_dataframe(name="value").reset_index()
            if "month" in da.dims:
                month = pd.to_datetime(df["month"])
                df = df.assign(year=month.dt.year, month=month, frequency="monthly")
            else:
                df = df.assign(month=pd.NaT, frequency="yearly")
            df = df.assign(scenario=label, variable=name, unit=unit)
            if "replicate" not in df.columns:
                df["replicate"] = 0
            frames.append(df[_TIDY_COLUMNS])
    if not frames:
        return pd.DataFrame(columns=_TIDY_COLUMNS)
    return pd.concat(frames, ignore_index=True)


# --- attainment rows, equally weighted or weighted (tradeeco.nowcast) ------------------------


def _replicate_weights(label: str, ds: xr.Dataset, n: int) -> np.ndarray:
    w = np.asarray(ds["weight"].transpose("replicate").values, dtype=float).ravel()
    if w.size != n or not np.all(np.isfinite(w)) or (w < 0).any():
        raise ValueError(
            f"weight of {label!r}: expected one finite weight >= 0 per replicate "
            f"({n}), found {w.size} with min {np.nanmin(w) if w.size else 'none'}"
        )
    return w


def _attainment_row(
    label: str, name: str, year: int, row: pd.Series, v: np.ndarray, w, ds: xr.Dataset
) -> dict:
    """One attainment row from the replicates' values ``v``, equally weighted (``w`` None) or
    weighted by ``w``: P(met) is then the weight of the replicates meeting the target, over the
    weight of those with a value."""
    target = float(row[f"target_{year}"])
    if w is None:
        v = v[~np.isnan(v)]
        met = _targets.meets(v, target, row["rule"])
        mean = float(v.mean()) if v.size else math.nan
        p05, p95 = np.quantile(v, [0.05, 0.95]) if v.size else (math.nan, math.nan)
        p_met = float(met.mean()) if v.size else math.nan
    else:
        keep = ~np.isnan(v) & (w > 0)
        v, w = v[keep], w[keep]
        met = _targets.meets(v, target, row["rule"])
        total = w.sum()
        mean = float((w * v).sum() / total) if v.size else math.nan
        p05, p95 = weighted_quantile(v, w, [0.05, 0.95]) if v.size else (math.nan, math.nan)
        p_met = float((w * met).sum() / total) if v.size else math.nan
    return {
        "scenario": label,
        "indicator": name,
        "year": year,
        "target": target,
        "rule": row["rule"],
        "unit": unit_label(ds[name]) or row["unit"],
        "n": int(v.size),
        "mean": mean,
        "p05": float(p05),
        "p95": float(p95),
        "p_met": p_met,
    }


def weighted_quantile(values, weights, q) -> np.ndarray:
    """Quantiles ``q`` of ``values`` under normalised ``weights`` (the inverse of the weighted
    empirical CDF, interpolated at the mid-points of each member's weight)."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = ~np.isnan(v) & (w > 0)
    v, w = v[keep], w[keep]
    if v.size == 0:
        return np.full(np.shape(q), np.nan)
    order = np.argsort(v)
    v, w = v[order], w[order] / w.sum()
    cdf = np.cumsum(w) - 0.5 * w
    return np.interp(q, cdf, v)


# --- variance decomposition ------------------------------------------------------------------

__all__ += ["variance_decomposition"]


def variance_decomposition(
    results: Results,
    indicators: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """How much of each indicator's variance comes from parameters and how much from
    stochastic noise, by the law of total variance over parameter sets:
    ``Var(Y) = Var(E[Y | set]) + E[Var(Y | set)]``.

    ``results`` holds one result set per parameter set, each with its replicates over seeds
    (for instance ``tradeeco.ensemble(scenario, design=[...])``, which runs every design point
    with the same seeds), or one result file whose replicates drew parameter sets from a
    posterior (its ``parameter_set`` variable groups them; run it with
    ``--replicates-per-set M`` >= 2 so that sets have several replicates each). "Noise" is
    then everything within a set: the driver draws and the stochastic noise together. Sets with different replicate counts are allowed; each set weighs
    by its count, so the two parts add up to the total exactly.

    Args:
        results: ``{set label: Dataset}`` or a list of Datasets, one per parameter set.
        indicators: variables to split (default: target indicators present in every set).
        years: years to report (default: every year present).

    Returns:
        A DataFrame with columns indicator, year, sets, runs, mean, var_total,
        var_parameters (variance of the per-set means), var_noise (mean within-set
        variance), share_parameters, share_noise, and var_parameters_unbiased: the
        parameter part less the noise its set means still carry (one-way ANOVA estimator,
        clipped at 0; the sample identity above uses population variances, so with few
        seeds per set var_parameters overstates the parameters' part by about
        var_noise / seeds). Variances are in the indicator's unit squared. ``share_*`` are
        NaN where the total variance is 0.

    >>> import numpy as np, xarray as xr
    >>> def one(values):  # one parameter set: its replicates in one year
    ...     return xr.Dataset(
    ...         {"trading_firms": (("replicate", "year"), np.c_[values])},
    ...         coords={"replicate": range(len(values)), "year": [2027]},
    ...     )
    >>> sets = {"a": one([1.0, 3.0]), "b": one([5.0, 7.0])}
    >>> d = variance_decomposition(sets)
    >>> d[["var_total", "var_parameters", "var_noise"]].values.tolist()
    [[5.0, 4.0, 1.0]]
    """
    if isinstance(results, xr.Dataset) and "parameter_set" in results.variables:
        results = split_by_parameter_set(results)
    sets = as_mapping(results)
    if len(sets) < 2:
        raise ValueError(
            f"a variance decomposition needs results of at least 2 parameter sets, got {len(sets)}"
        )
    if indicators is None:
        common = [set(target_indicators(ds)) for ds in sets.values()]
        names = [t for t in _targets.ids() if all(t in c for c in common)]
    else:
        names = list(indicators)
    wanted = None if years is None else {int(y) for y in years}
    rows = []
    for name in names:
        per_set = {}
        for label, ds in sets.items():
            if name not in ds.data_vars:
                raise KeyError(f"{name!r} is not a variable of parameter set {label!r}")
            per_set[label] = yearly(ds, name)
        all_years = sorted(
            set.intersection(*({int(y) for y in v["year"].values} for v in per_set.values()))
        )
        for year in all_years:
            if wanted is not None and year not in wanted:
                continue
            groups = []
            for v in per_set.values():
                x = np.asarray(v.sel(year=year).values, dtype=float).ravel()
                groups.append(x[~np.isnan(x)])
            parts = variance_parts(groups)
            if parts is None:
                continue
            rows.append({"indicator": name, "year": int(year), **parts})
    columns = [
        "indicator",
        "year",
        "sets",
        "runs",
        "mean",
        "var_total",
        "var_parameters",
        "var_noise",
        "share_parameters",
        "share_noise",
        "var_parameters_unbiased",
    ]
    return pd.DataFrame(rows, columns=columns)


def split_by_parameter_set(ds: xr.Dataset) -> dict[str, xr.Dataset]:
    """The replicates of a posterior run grouped by the set they drew: ``{"set <k>": Dataset}``.

    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset(
    ...     {"parameter_set": ("replicate", [3, 1, 3])}, coords={"replicate": [0, 1, 2]}
    ... )
    >>> {k: v.sizes["replicate"] for k, v in split_by_parameter_set(ds).items()}
    {'set 1': 1, 'set 3': 2}
    """
    sets = np.asarray(ds["parameter_set"].values)
    return {
        f"set {k}": ds.isel(replicate=np.flatnonzero(sets == k)) for k in np.unique(sets).tolist()
    }


def variance_parts(groups: Sequence[np.ndarray]) -> dict | None:
    """The law of total variance over groups of replicates that share a parameter set
    (``Var(Y) = Var(E[Y | set]) + E[Var(Y | set)]``), as the columns of
    :func:`variance_decomposition`; None with fewer than two non-empty groups.

    >>> parts = variance_parts([np.array([1.0, 3.0]), np.array([5.0, 7.0])])
    >>> parts["var_parameters"], parts["var_noise"], parts["var_parameters_unbiased"]
    (4.0, 1.0, 7.0)
    """
    groups = [g for g in groups if g.size]
    if len(groups) < 2:
        return None
    sizes = np.array([g.size for g in groups], dtype=float)
    n = sizes.sum()
    grand = sum(g.sum() for g in groups) / n
    means = np.array([g.mean() for g in groups])
    within = np.array([g.var() for g in groups])  # population variance per set
    var_params = float(np.sum(sizes * (means - grand) ** 2) / n)
    var_noise = float(np.sum(sizes * within) / n)
    total = var_params + var_noise
    # One-way random-effects ANOVA: E[MS_between] = sigma_noise^2 + n0 sigma_params^2.
    k = len(groups)
    ms_within = float(np.sum(sizes * within) / (n - k)) if n > k else math.nan
    ms_between = float(np.sum(sizes * (means - grand) ** 2) / (k - 1))
    n0 = (n - np.sum(sizes**2) / n) / (k - 1)
    unbiased = max(0.0, (ms_between - ms_within) / n0) if n > k else math.nan
    return {
        "sets": k,
        "runs": int(n),
        "mean": float(grand),
        "var_total": total,
        "var_parameters": var_params,
        "var_noise": var_noise,
        "share_parameters": var_params / total if total > 0 else math.nan,
        "share_noise": var_noise / total if total > 0 else math.nan,
        "var_parameters_unbiased": unbiased,
        "ms_within": ms_within,
    }


# --- P(met) with its parts -------------------------------------------------------------------

__all__ += ["nested_variance_parts", "split_by_parameter_set", "variance_parts"]

#: The columns :func:`attainment` adds after ``p_met``.
UNCERTAINTY_COLUMNS = [
    "p_met_lo",
    "p_met_hi",
    "var_total",
    "share_parameters",
    "share_drivers_noise",
    "share_drivers",
    "share_noise",
]


def _uncertainty_columns(row: dict, v: np.ndarray, w, ds: xr.Dataset) -> dict:
    """P(met)'s 95 % interval and the variance parts of one attainment row (see attainment)."""
    if w is None:
        n_eff = row["n"]
    else:
        keep = ~np.isnan(v) & (w > 0)
        wk = w[keep]
        n_eff = float(wk.sum() ** 2 / (wk**2).sum()) if wk.size else 0.0
    lo, hi = p_met_interval(row["p_met"], n_eff)
    ok = ~np.isnan(v)
    out = {
        "p_met_lo": float(lo),
        "p_met_hi": float(hi),
        "var_total": float(v[ok].var()) if ok.any() else math.nan,
        **dict.fromkeys(UNCERTAINTY_COLUMNS[3:], math.nan),
    }
    if "parameter_set" not in ds.variables:
        return out
    sets = np.asarray(ds["parameter_set"].transpose("replicate").values).ravel()
    paths = None
    if "driver_path" in ds.variables:
        paths = np.asarray(ds["driver_path"].transpose("replicate").values).ravel()
    if sets.size != v.size or (paths is not None and paths.size != v.size):
        return out
    parts = nested_variance_parts(v[ok], sets[ok], None if paths is None else paths[ok])
    out.update({f"share_{k}": parts[f"share_{k}"] for k in PARTS})
    return out


PARTS = ("parameters", "drivers_noise", "drivers", "noise")


def nested_variance_parts(values, sets, paths=None) -> dict:
    """Variance components of ``values`` (one per replicate) over the parameter sets they drew
    and, within a set, the driver paths they drew: a random-effects nested ANOVA with the
    expected mean squares of unbalanced designs (Searle, *Variance Components*, 1992, ch. 5).

    Returns ``var_<part>`` and ``share_<part>`` (of the parts' sum) for parameters, drivers,
    noise and drivers_noise (drivers and noise together), NaN where the design cannot tell:
    the parameters' part needs two sets or more and a set drawn by several replicates; drivers
    apart from noise need replicates sharing a driver path (``paths``; None: each replicate
    drew its own, the default) and sets with several paths.

    >>> v = [1.0, 1.2, 3.0, 3.2, 6.0, 6.2, 8.0, 8.2]  # 2 sets x 2 paths x 2 replicates
    >>> p = nested_variance_parts(v, [0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 2, 2, 3, 3])
    >>> [round(p[f"share_{k}"], 3) for k in ("parameters", "drivers", "noise")]
    [0.851, 0.147, 0.001]
    """
    y = np.asarray(values, dtype=float)
    g = np.asarray(sets).astype(np.int64)
    h = np.arange(y.size) if paths is None else np.asarray(paths).astype(np.int64)
    out = {f"{k}_{part}": math.nan for k in ("var", "share") for part in PARTS}
    n = y.size
    groups = np.unique(g)
    pairs, sub = np.unique(np.stack([g, h], axis=1), axis=0, return_inverse=True)
    sub = sub.ravel()
    n_sets, n_paths = groups.size, pairs.shape[0]
    if n_sets < 2 or n <= n_sets:
        return out
    grand = y.mean()
    n_h = np.bincount(sub, minlength=n_paths).astype(float)
    mean_h = np.bincount(sub, weights=y, minlength=n_paths) / n_h
    gi = np.searchsorted(groups, g)
    n_g = np.bincount(gi, minlength=n_sets).astype(float)
    mean_g = np.bincount(gi, weights=y, minlength=n_sets) / n_g
    g_of_h = np.searchsorted(groups, pairs[:, 0])
    ss_g = float(np.sum(n_g * (mean_g - grand) ** 2))
    ss_d = float(np.sum(n_h * (mean_h - mean_g[g_of_h]) ** 2))
    ss_w = float(np.sum((y - mean_h[sub]) ** 2))
    sum_nh2_by_g = np.bincount(g_of_h, weights=n_h**2, minlength=n_sets)
    k3 = (n - np.sum(n_g**2) / n) / (n_sets - 1)
    ms_g = ss_g / (n_sets - 1)
    if n > n_paths and n_paths > n_sets:  # replicates share paths, sets have several: three parts
        ms_w, ms_d = ss_w / (n - n_paths), ss_d / (n_paths - n_sets)
        k1 = (n - np.sum(sum_nh2_by_g / n_g)) / (n_paths - n_sets)
        k2 = (np.sum(sum_nh2_by_g / n_g) - np.sum(n_h**2) / n) / (n_sets - 1)
        var = {"noise": ms_w, "drivers": max(0.0, (ms_d - ms_w) / k1)}
        var["parameters"] = max(0.0, (ms_g - ms_w - k2 * var["drivers"]) / k3)
        var["drivers_noise"] = var["drivers"] + var["noise"]
    else:  # drivers and noise together: the spread within a set
        ms_within = (ss_w + ss_d) / (n - n_sets)
        var = {"drivers_noise": ms_within, "parameters": max(0.0, (ms_g - ms_within) / k3)}
    total = var["parameters"] + var["drivers_noise"]
    for part, x in var.items():
        out[f"var_{part}"] = float(x)
        out[f"share_{part}"] = float(x / total) if total > 0 else math.nan
    return out
