"""Policy costs in result files (fiscal_cost_cny_100m, the policy_costs table) and their
cost-effectiveness in tradeeco.analysis and `tradeeco compare`."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

import tradeeco
from tradeeco import analysis

# Two policies: one in force from 2025-01-01 at once, one ramped over 12 months from 2025-07-01.
SCENARIO = """
[scenario]
name = "costs"
extends = "baseline.toml"
replicates = 2
end = 2026-12-31

[[policy]]
label = "at once"
measure = 2
lever = "capacity_contracts"
start = 2025-01-01
strength = 0.1
fiscal_cost_cny_per_year = 120_000_000.0

[[policy]]
label = "ramped"
measure = 15
lever = "forwarder_attraction"
start = 2025-07-01
ramp_months = 12
strength = 10
fiscal_cost_cny_per_year = 36_500_000.0
"""


def _ramped_cost(year: int) -> float:
    """Expected spending of the ramped policy in a year, in 100m CNY, by the same rule the
    model states (days at their ramp share, 30.4375-day months), computed independently."""
    import datetime as dt

    start, total = dt.date(2025, 7, 1), 0.0
    day = dt.date(year, 1, 1)
    days_in_year = 366 if year % 4 == 0 else 365
    while day.year == year:
        if day >= start:
            total += min(1.0, (day - start).days / 30.4375 / 12)
        day += dt.timedelta(days=1)
    return 0.365 * total / days_in_year


@pytest.fixture(scope="module")
def cost_runs(core, tmp_path_factory):
    spec = tradeeco.load_scenario_string(
        SCENARIO, base_dir=tradeeco.scenario_path("baseline").parent
    )
    base = tradeeco.load_scenario("baseline").with_(replicates=2, end="2026-12-31")
    out = tmp_path_factory.mktemp("costs")
    a = tradeeco.run(base, out=out / "base.nc", progress=False).load()
    b = tradeeco.run(spec, out=out / "costs.nc", progress=False).load()
    return out, a, b


def test_yearly_spending_follows_start_and_ramp(cost_runs):
    _, a, b = cost_runs
    cost = analysis.fiscal_cost(b)
    assert cost.attrs["units"] or cost.attrs.get("unit_label")
    got = cost.isel(replicate=0).sel(year=[2024, 2025, 2026]).values
    expected = [0.0, 1.2 + _ramped_cost(2025), 1.2 + _ramped_cost(2026)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # the same in every replicate: spending follows the scenario text
    assert float(cost.std("replicate").max()) == 0.0
    assert float(analysis.fiscal_cost(a).max()) == 0.0
    np.testing.assert_allclose(
        analysis.fiscal_cost(b, cumulative=True).isel(replicate=0).values, np.cumsum(expected)
    )


def test_policy_costs_table_per_policy_and_measure(cost_runs):
    out, _, b = cost_runs
    table = tradeeco.open_events(out / "costs.nc", "policy_costs").to_dataframe()
    assert set(table.columns) >= {"year", "policy", "measure", "cost_cny_100m"}
    rep0 = table[table["replicate"] == 0] if "replicate" in table.columns else table
    by = rep0.set_index(["year", "policy"])["cost_cny_100m"]
    assert by[(2025, 0)] == pytest.approx(1.2, rel=1e-12)
    assert by[(2024, 1)] == 0.0
    assert by[(2026, 1)] == pytest.approx(_ramped_cost(2026), rel=1e-12)
    assert sorted(set(rep0["measure"])) == [2, 15]
    per_year = rep0.groupby("year")["cost_cny_100m"].sum()
    total = analysis.fiscal_cost(b).isel(replicate=0).to_series()
    np.testing.assert_allclose(per_year.loc[total.index].values, total.values, rtol=1e-12)


def test_cost_effectiveness_divides_the_paired_effect_by_extra_spending(cost_runs):
    _, a, b = cost_runs
    ce = analysis.cost_effectiveness(a, b, variables=["freight_forwarders"], years=[2024, 2026])
    diff = analysis.paired_difference(a, b, variables=["freight_forwarders"], years=[2026])
    row = ce.set_index("year").loc[2026]
    extra = 2.4 + _ramped_cost(2025) + _ramped_cost(2026)
    assert row["extra_cost"] == pytest.approx(extra, rel=1e-12)
    assert row["per_100m"] == pytest.approx(diff["mean"].iloc[0] / extra)
    # no extra spending yet in 2024: no ratio rather than a division by zero
    assert math.isnan(ce.set_index("year").loc[2024, "per_100m"])


def test_cost_effectiveness_needs_costs():
    ds = xr.Dataset(
        {"trading_firms": (("replicate", "year"), np.ones((2, 1)))},
        coords={"replicate": [0, 1], "year": [2025]},
        attrs={"scenario": "old", "seed": 1},
    )
    with pytest.raises(KeyError, match="did not record policy costs"):
        analysis.cost_effectiveness(ds, ds)


def test_input_defined_indicators_are_flagged(baseline_file):
    ds = tradeeco.open(baseline_file)
    try:
        for name in ("clt_rail_cost_cut", "freight_forwarders"):
            assert "lever" in ds[name].attrs["input_defined"]
        assert "input_defined" not in ds["trading_firms"].attrs
    finally:
        ds.close()


def test_compare_prints_spending_and_cost_effectiveness(cost_runs, capsys):
    from tradeeco import cli

    out, _, _ = cost_runs
    assert cli.main(["compare", str(out / "base.nc"), str(out / "costs.nc")]) == 0
    text = capsys.readouterr().out
    assert "Public spending on the policies, 100m CNY" in text
    assert "Cost-effectiveness, costs vs base" in text
    spending = next(ln for ln in text.splitlines() if ln.startswith("costs "))
    assert spending.split()[1:] == [f"{1.2 + _ramped_cost(2025):.4g}"]  # 2025, the one target year


def test_compare_marks_input_defined_indicators(baseline_file, capsys):
    from tradeeco import cli

    assert cli.main(["compare", str(baseline_file), str(baseline_file)]) == 0
    text = capsys.readouterr().out
    assert any(ln.startswith("freight_forwarders *") for ln in text.splitlines())
    assert "* freight_forwarders is input-defined, not an outcome" in text
    assert not any(ln.startswith("trading_firms *") for ln in text.splitlines())


def test_fiscal_cost_scale_scales_spending_only(cost_runs):
    _, _, b = cost_runs
    spec = tradeeco.load_scenario_string(
        SCENARIO, base_dir=tradeeco.scenario_path("baseline").parent
    )
    doubled = tradeeco.run(spec, progress=False, parameters={"fiscal_cost_scale": 2.0})
    np.testing.assert_allclose(
        analysis.fiscal_cost(doubled).values, 2 * analysis.fiscal_cost(b).values, rtol=1e-12
    )
    np.testing.assert_array_equal(doubled["trading_firms"].values, b["trading_firms"].values)
