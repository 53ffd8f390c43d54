"""Invariants of every recorded series, under every shipped scenario (each policy package and
each shock) at extreme population scales: no NaN except where a value is undefined by
definition (a growth rate in the first simulated year, which has no previous year), and nothing
negative except growth rates (stocks, flows, counts, shares, days and money are >= 0).

Population scale x0.01 runs in the default suite (about 5 s); x10 takes about 11 s a scenario
and runs with TRADEECO_LONG_TESTS=1 (docs/reliability.md records its result).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import tradeeco


def is_growth(ds, name: str) -> bool:
    """A rate of change: may be negative, and is NaN in the first year."""
    return name.endswith("_growth") or ds[name].attrs.get("units") == "percent a year"


def broken_invariants(ds) -> list[str]:
    problems = []
    for name in ds.data_vars:
        if not np.issubdtype(ds[name].dtype, np.number):  # e.g. parameter_unit: text
            continue
        values = np.asarray(ds[name].values, dtype=float)
        if is_growth(ds, name):
            later = values[:, 1:] if "year" in ds[name].dims else values
            if np.isnan(later).any():
                problems.append(f"{name}: NaN after the first year")
            continue
        if np.isnan(values).any():
            problems.append(f"{name}: NaN")
        if (values < 0).any():
            problems.append(f"{name}: negative ({np.nanmin(values)})")
    return problems


def scales():
    long = os.environ.get("TRADEECO_LONG_TESTS") == "1"
    return [
        0.01,
        pytest.param(
            10.0,
            marks=[
                pytest.mark.slow,
                pytest.mark.skipif(not long, reason="x10 population: TRADEECO_LONG_TESTS=1"),
            ],
        ),
    ]


@pytest.mark.parametrize("scale", scales())
def test_series_have_no_nan_and_no_negative_stock(core, scale):
    failures = {}
    for name in tradeeco.shipped_scenarios():
        spec = tradeeco.load_scenario(name).with_(replicates=1, population_scale=scale)
        ds = tradeeco.run(spec, progress=False)
        problems = broken_invariants(ds)
        if problems:
            failures[name] = problems
    assert not failures, failures
