"""Plots of result files with matplotlib. Each function draws on ``ax`` (or a new figure) and
returns the Axes; nothing here selects a backend or calls ``show()``, so they work headless
(Agg) and in notebooks alike.

Example (headless)::

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, pandas as pd, xarray as xr
    >>> from tradeeco import plot
    >>> months = pd.date_range("2024-01-01", periods=48, freq="MS")
    >>> firms = 4800 + np.cumsum(np.random.default_rng(0).normal(20, 10, (8, 48)), axis=1)
    >>> units = {"units": "1", "unit_label": "firms"}  # as in result files: y axis says "firms"
    >>> ds = xr.Dataset({"trading_firms": (("replicate", "month"), firms, units)},
    ...                 coords={"replicate": range(8), "month": months}, attrs={"scenario": "demo"})
    >>> ax = plot.fan_chart(ds, "trading_firms")
    >>> ax.figure.savefig("/tmp/fan.png")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from . import targets as _targets
from ._results import unit_label
from .analysis import as_mapping, attainment

__all__ = ["fan_chart", "plot_comparison"]


def _new_axes(figsize):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def fan_chart(
    results,
    variable: str,
    *,
    ax=None,
    quantiles: Sequence[float] = (0.05, 0.25, 0.75, 0.95),
    show_target: bool = True,
    show_replicates: bool = False,
    title: str | None = None,
    words: dict[str, str] | None = None,
):
    """Fan chart of one indicator across replicates: the median and nested quantile bands,
    with the plan's targets marked (a diamond at each target year, labelled with the rule).

    Args:
        results: a Dataset or ``{label: Dataset}`` (several scenarios are overlaid in colour).
        variable: the indicator to draw, e.g. ``"trading_firms"``.
        quantiles: pairs of band edges from the outside in (default 5-95% and 25-75%).
        show_target: mark the targets of :mod:`tradeeco.targets` if ``variable`` has any.
        show_replicates: also draw each replicate as a thin line.
        words: the legend's words in another language: ``{"median": ..., "target": ...}``.

    Returns:
        The matplotlib Axes.
    """

    words = {"median": "median", "target": "target", **(words or {})}

    mapping = as_mapping(results)
    if ax is None:
        ax = _new_axes((8, 4.5))
    q = sorted(quantiles)
    if len(q) % 2:
        raise ValueError("quantiles must come in pairs (lower and upper band edges)")
    pairs = list(zip(q[: len(q) // 2], reversed(q[len(q) // 2 :]), strict=True))
    colors = [f"C{i}" for i in range(len(mapping))]
    da = None
    for (label, ds), color in zip(mapping.items(), colors, strict=True):
        if variable not in ds.data_vars:
            raise KeyError(f"no variable {variable!r} in scenario {label!r}")
        da = ds[variable]
        time_dim = "month" if "month" in da.dims else "year"
        x = da[time_dim].values
        reps = da.transpose(time_dim, ...).values.reshape(x.size, -1)
        for k, (lo, hi) in enumerate(pairs):
            with np.errstate(all="ignore"):
                band = np.nanquantile(reps, [lo, hi], axis=1) if reps.size else None
            if band is not None:
                alpha = 0.15 + 0.2 * k / max(1, len(pairs) - 1)
                ax.fill_between(
                    x,
                    band[0],
                    band[1],
                    color=color,
                    alpha=alpha,
                    linewidth=0,
                    label=f"{label} {lo:.0%}-{hi:.0%}" if len(mapping) == 1 else None,
                )
        if show_replicates:
            ax.plot(x, reps, color=color, linewidth=0.4, alpha=0.4)
        with np.errstate(all="ignore"):
            median = np.nanmedian(reps, axis=1)
        ax.plot(x, median, color=color, linewidth=2, label=f"{label} {words['median']}")

    if show_target and da is not None and variable in _targets.ids():
        time_dim = "month" if "month" in da.dims else "year"
        _mark_targets(ax, _targets.get(variable), time_dim, da, words["target"])

    unit = unit_label(da) if da is not None else ""
    long_name = da.attrs.get("long_name", variable) if da is not None else variable
    if da is not None and "month" not in da.dims:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title if title is not None else long_name)
    ax.set_ylabel(unit)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


def _mark_targets(ax, target, time_dim: str, da: xr.DataArray, word: str = "target") -> None:
    symbol = _targets.rule_symbol(target.rule)
    first = True
    for year in _targets.TARGET_YEARS:
        value = target.value(year)
        if np.isnan(value):
            continue
        if time_dim == "month":
            months = pd.to_datetime(da["month"].values)
            in_year = months[months.year == year]
            if len(in_year) == 0:
                continue
            x = in_year[-1]
        else:
            if year not in {int(y) for y in da["year"].values}:
                continue
            x = year
        ax.plot(
            [x],
            [value],
            marker="D",
            color="black",
            linestyle="none",
            zorder=5,
            label=word if first else None,
        )
        ax.annotate(
            f"{year}: {symbol} {value:g}",
            (x, value),
            textcoords="offset points",
            xytext=(-6, 8),
            ha="right",
            fontsize="small",
        )
        first = False


def plot_comparison(
    results,
    *,
    year: int = 2027,
    indicators: Iterable[str] | None = None,
    ax=None,
    title: str | None = None,
    annotate: bool = True,
):
    """Package comparison: the probability of meeting each target in ``year``, one bar per
    scenario for each indicator.

    Args:
        results: ``{label: Dataset}``, a list of Datasets, or a DataFrame from
            :func:`tradeeco.analysis.attainment`.
        year: the target year to show.
        indicators: restrict to these target ids (default: all that have a target that year).
        annotate: write each probability next to its bar (so zeros are visible too).

    Returns:
        The matplotlib Axes.
    """

    att = results if isinstance(results, pd.DataFrame) else attainment(results)
    att = att[att["year"] == year]
    if indicators is not None:
        wanted = list(indicators)
        att = att[att["indicator"].isin(wanted)]
    if att.empty:
        raise ValueError(f"no targets for {year} among the indicators in these results")
    table = att.pivot(index="indicator", columns="scenario", values="p_met")
    order = [t for t in _targets.ids() if t in table.index]
    table = table.loc[order[::-1]]  # first target at the top
    scenarios = list(dict.fromkeys(att["scenario"]))
    table = table[scenarios]
    if ax is None:
        ax = _new_axes((8, 1.5 + 0.22 * len(table) * (1 + len(scenarios))))
    height = 0.8 / len(scenarios)
    y = np.arange(len(table))
    for k, scenario in enumerate(scenarios):
        # The first scenario on top within each group, matching the legend's order.
        pos = y + ((len(scenarios) - 1) / 2 - k) * height
        values = table[scenario].to_numpy(dtype=float)
        ax.barh(pos, values, height=height, label=scenario, color=f"C{k}")
        if annotate:
            for yy, v in zip(pos, values, strict=True):
                if not np.isnan(v):
                    ax.annotate(
                        f"{v:.2f}",
                        (v, yy),
                        xytext=(2, 0),
                        textcoords="offset points",
                        va="center",
                        fontsize="x-small",
                        color=f"C{k}",
                    )
    ax.set_yticks(y, table.index)
    ax.set_xlim(0, 1.08 if annotate else 1)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.axvline(0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel(f"P(target met in {year})")
    ax.set_title(title if title is not None else f"Probability of meeting the {year} targets")
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0, 1.02, 1, 0.2),
        ncols=min(4, len(scenarios)),
        fontsize="small",
        frameon=False,
    )
    ax.set_title(ax.get_title(), pad=8 + 14 * ((len(scenarios) + 3) // 4))
    return ax
