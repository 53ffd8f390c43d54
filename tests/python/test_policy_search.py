"""tradeeco required / optimize: on a synthetic problem with a known answer, then briefly on the
real model.

The synthetic problem: two policies of a real scenario text, AEO cultivation (strength a) and a
clearance-time cut (strength b), with a "model" whose replicate r gives

    aeo_firms_r(2027) = 100 + ALPHA * sqrt(a) + BETA * sqrt(b) + noise_r

(monotone, diminishing returns; noise_r fixed per replicate: common random numbers). Each
policy's cost is linear in its strength. Meeting aeo_firms >= 120 with P(met) >= p needs
ALPHA sqrt(a) + BETA sqrt(b) >= T, with T from the noise's order statistics, and the cheapest
(a, b) follows from a Lagrange multiplier: cost = T^2 / (ALPHA^2/c_a + BETA^2/c_b).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import tradeeco
from tradeeco import policy_search as ps

ALPHA, BETA = 30.0, 20.0  # aeo_firms per sqrt(unit of strength)
A_WRITTEN, B_WRITTEN = 0.5, 0.3  # strengths in the scenario text
A_COST, B_COST = 2e8, 3e7  # CNY a year at the written strengths
C_A = A_COST / 1e8 / A_WRITTEN  # 100m CNY a year per unit of strength: 4
C_B = B_COST / 1e8 / B_WRITTEN  # 1
YEARS_PAID = 3  # policies run 2025-01-01 to 2027-12-31 with no ramp
REPLICATES = 10
P = 0.8

SCENARIO = f"""
[scenario]
name = "synthetic"
description = "Two levers on aeo_firms."
start = 2024-01-01
end = 2027-12-31
seed = 11
replicates = {REPLICATES}

[[policy]]
label = "AEO cultivation"
measure = 20
lever = "aeo_cultivation"
start = 2025-01-01
strength = {A_WRITTEN}
fiscal_cost_cny_per_year = {A_COST}

[[policy]]
label = "Clearance time cut"
measure = 20
lever = "clearance_time_cut"
start = 2025-01-01
strength = {B_WRITTEN}
fiscal_cost_cny_per_year = {B_COST}
"""


def noise(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 2.0, n)


def stated_yearly_cost(spec) -> np.ndarray:
    """The synthetic runner's spending per year, 100m CNY: each policy's stated yearly cost once
    in force (the synthetic scenario has no ramps; the model's own accounting is tested in
    test_costs.py)."""
    years = np.arange(spec.start.year, spec.end.year + 1)
    out = np.zeros(years.size)
    for p in spec.instruments:
        assert p["ramp_months"] == 0
        out += np.where(years >= p["start"].year, p["fiscal_cost_cny_per_year"] / 1e8, 0.0)
    return out


def synthetic_run(spec) -> xr.Dataset:
    """Stands in for tradeeco.run: reads the strengths from the spec it is given."""
    s = {p["lever"]: p["strength"] for p in spec.instruments}
    effect = ALPHA * math.sqrt(s.get("aeo_cultivation", 0.0)) + BETA * math.sqrt(
        s.get("clearance_time_cut", 0.0)
    )
    years = np.arange(spec.start.year, spec.end.year + 1)
    n = spec.replicates
    firms = np.full((n, years.size), 100.0)
    firms[:, -1] += effect + noise(spec.seed, n)
    cost = np.tile(stated_yearly_cost(spec), (n, 1))
    data = {
        "aeo_firms": (("replicate", "year"), firms),
        ps.FISCAL_COST_VARIABLE: (("replicate", "year"), cost),
    }
    return xr.Dataset(data, coords={"replicate": np.arange(n), "year": years})


def needed_effect(p: float = P) -> float:
    """The smallest effect meeting aeo_firms >= 120 in a share p of the replicates."""
    e = np.sort(noise(11, REPLICATES))[::-1]
    k = math.ceil(p * REPLICATES - 1e-9)
    return 20.0 - e[k - 1]


def optimum_cost_per_year() -> float:
    t = needed_effect()
    return t**2 / (ALPHA**2 / C_A + BETA**2 / C_B)


@pytest.fixture(scope="module")
def spec(core):
    return tradeeco.load_scenario_string(SCENARIO, "synthetic.toml")


# --- the scenario text -------------------------------------------------------------------------


def test_with_strengths_changes_strength_and_scales_cost(spec):
    text = ps.with_strengths(spec.resolved_text, {1: 0.6}, name="s2", header="a\nb")
    s2 = tradeeco.load_scenario_string(text)
    assert s2.name == "s2" and text.startswith("# a\n# b\n")
    assert s2.instruments[0]["strength"] == A_WRITTEN
    assert s2.instruments[1]["strength"] == 0.6
    assert s2.instruments[1]["fiscal_cost_cny_per_year"] == pytest.approx(B_COST * 2)


def test_with_strengths_out_of_lever_range_fails_on_load(spec):
    text = ps.with_strengths(spec.resolved_text, {1: 0.95})  # clearance_time_cut max is 0.9
    with pytest.raises(tradeeco.ScenarioError, match="strength"):
        tradeeco.load_scenario_string(text)
    with pytest.raises(IndexError, match="2 policies"):
        ps.with_strengths(spec.resolved_text, {2: 0.1})


def test_cost_is_read_from_the_result_variable(spec):
    ds = synthetic_run(spec)
    assert ps.scenario_cost(ds) == pytest.approx(6.9)  # 2.3 a year over 2025-2027
    ds[ps.FISCAL_COST_VARIABLE] *= 2
    assert ps.scenario_cost(ds) == pytest.approx(2 * 6.9)
    with pytest.raises(KeyError, match="did not record policy costs"):
        ps.scenario_cost(ds.drop_vars(ps.FISCAL_COST_VARIABLE))


def test_goals_and_selection_errors(spec):
    assert ps.parse_goal("aeo_firms") == ps.Goal("aeo_firms", 2027)
    with pytest.raises(KeyError, match="did you mean"):
        ps.parse_goal("aeo_firm")
    with pytest.raises(ValueError, match="no value for 2025"):
        ps.parse_goal("kd_kit_exports:2025")
    with pytest.raises(ValueError, match="did you mean aeo_cultivation"):
        ps.select_lever(spec, lever="aeo_cultivaton")
    with pytest.raises(ValueError, match="select what to scale"):
        ps.select_lever(spec)
    lever = ps.select_lever(spec, lever="clearance_time_cut")
    assert lever.max_scale == pytest.approx(0.9 / B_WRITTEN)  # the catalogue's range
    assert ps.select_lever(spec, package=True, max_strength=0.6).max_scale == pytest.approx(1.2)


# --- required ----------------------------------------------------------------------------------


def test_required_one_lever_finds_the_known_strength(spec):
    r = ps.required(spec, "aeo_firms", lever="aeo_cultivation", run=synthetic_run, progress=False)
    assert r.status == "reachable" and r.p_met >= P
    a_star = ((needed_effect() - BETA * math.sqrt(B_WRITTEN)) / ALPHA) ** 2
    assert r.strengths["AEO cultivation"] == pytest.approx(a_star, rel=0.05)
    assert r.cost_per_year_cny_100m == pytest.approx(C_A * a_star, rel=0.05)
    assert r.cost_per_year_cny_100m >= C_A * a_star  # never below the true minimum
    assert r.total_cost_cny_100m == pytest.approx(
        YEARS_PAID * (C_A * r.strengths["AEO cultivation"] + C_B * B_WRITTEN)
    )
    assert "smallest scale" in str(r)
    trace = r.evaluations
    assert trace["p_met"].is_monotonic_increasing and len(trace) <= 15


def test_required_whole_package(spec):
    r = ps.required(spec, "aeo_firms:2027", package=True, run=synthetic_run, progress=False)
    k = (needed_effect() / (ALPHA * math.sqrt(A_WRITTEN) + BETA * math.sqrt(B_WRITTEN))) ** 2
    assert r.scale == pytest.approx(k, rel=0.05)
    assert r.cost_per_year_cny_100m == pytest.approx(
        k * (C_A * A_WRITTEN + C_B * B_WRITTEN), rel=0.05
    )


def test_required_not_reachable_is_an_answer(spec):
    r = ps.required(
        spec,
        "aeo_firms",
        lever="aeo_cultivation",
        max_strength=0.02,
        run=synthetic_run,
        progress=False,
    )
    assert r.status == "not_reachable" and not r.reachable and r.scale is None
    assert "not reachable within the range" in str(r)
    already = ps.required(
        spec, "aeo_firms", lever="clearance_time_cut", p=0.01, run=synthetic_run, progress=False
    )
    assert already.status in ("already_met", "reachable")


# --- optimize ----------------------------------------------------------------------------------


def test_optimize_finds_the_cheapest_package_within_5_percent(spec, tmp_path):
    pytest.importorskip("optuna")
    best = YEARS_PAID * optimum_cost_per_year()
    opt = ps.optimize(spec, ["aeo_firms"], budget=150, run=synthetic_run, progress=False)
    cheapest = opt.cheapest_meeting(["aeo_firms"])
    assert cheapest is not None
    assert best * 0.999 <= cheapest["cost_cny_100m"] <= 1.05 * best
    assert (opt.trials["polish_of"] >= 0).sum() >= 10  # the trim ran in the last quarter
    front = opt.front
    assert front["n_met"].tolist() == [0, 1] and front["cost_cny_100m"].iloc[0] == 0.0
    assert opt.written is not None and opt.written["n_met"] == 1
    paths = opt.write(tmp_path / "out")
    package = tradeeco.load_scenario(paths["p02"])
    assert package.name == "synthetic_p02"
    assert [p["strength"] for p in package.instruments] == pytest.approx(
        [
            front.iloc[1]["scale:aeo_cultivation"] * A_WRITTEN,
            front.iloc[1]["scale:clearance_time_cut"] * B_WRITTEN,
        ]
    )
    assert (tmp_path / "out" / "pareto.png").stat().st_size > 1000
    assert len(pd.read_csv(paths["trials"])) == 150


@pytest.mark.parametrize("suffix", [".log"])  # an optuna journal (.db, SQLite: slower to open)
def test_optimize_resumes_from_storage(spec, tmp_path, suffix):
    pytest.importorskip("optuna")
    storage = tmp_path / f"study{suffix}"
    first = ps.optimize(
        spec, ["aeo_firms"], budget=8, storage=storage, run=synthetic_run, progress=False
    )
    assert len(first.trials) == 8
    again = ps.optimize(
        spec, ["aeo_firms"], budget=8, storage=storage, run=synthetic_run, progress=False
    )
    assert again.trials.equals(first.trials)  # budget spent: nothing new is run
    more = ps.optimize(
        spec, ["aeo_firms"], budget=12, storage=storage, run=synthetic_run, progress=False
    )
    assert len(more.trials) == 12 and more.trials.iloc[:8].equals(first.trials)
    with pytest.raises(ValueError, match="another problem"):
        ps.optimize(
            spec,
            ["aeo_firms"],
            p=0.5,
            budget=1,
            storage=storage,
            run=synthetic_run,
            study_name=more.study_name,
        )


# --- the real model ----------------------------------------------------------------------------


def test_cli_required_and_optimize(core, tmp_path, capsys):
    """The command line, and one short search on the real model (2 replicates, to 2025)."""
    from tradeeco import cli

    for sub in ("required", "optimize"):
        with pytest.raises(SystemExit) as e:
            cli.main([sub, "--help"])
        assert e.value.code == 0 and "examples:" in capsys.readouterr().out
    assert cli.main(["required", "plan", "aeo_firms", "--lever", "aeo_cultivaton"]) == 2
    assert "did you mean aeo_cultivation" in capsys.readouterr().err
    assert cli.main(["required", "plan", "aeo_firm", "--package"]) == 2
    assert "no target 'aeo_firm'" in capsys.readouterr().err
    assert (
        cli.main(
            ["optimize", "plan", "--target", "aeo_firms", "--budget", "0", "-o", str(tmp_path)]
        )
        == 2
    )
    code = cli.main(
        [
            "required",
            "plan",
            "aeo_firms:2025",
            "--lever",
            "aeo_cultivation",
            "-n",
            "2",
            "--tolerance",
            "0.5",
            "--max-strength",
            "0.02",
            "--trace",
            "-q",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "aeo_firms ≥ 110 firms in 2025 with P(met) >= 0.8" in out, out
    assert "P(met)" in out and "scale" in out


def test_optimize_rest_off_switches_the_other_policies_off(spec):
    pytest.importorskip("optuna")
    opt = ps.optimize(
        spec,
        ["aeo_firms"],
        vary=["aeo_cultivation"],
        rest="off",
        budget=12,
        run=synthetic_run,
        progress=False,
    )
    assert opt.written is None  # "as written" would be misleading with the rest off
    met = opt.cheapest_meeting(["aeo_firms"])
    a_star = (needed_effect() / ALPHA) ** 2  # b = 0
    assert met["scale:aeo_cultivation"] * A_WRITTEN >= a_star * 0.999
    package = tradeeco.load_scenario_string(opt.scenario_text(opt.front.iloc[-1]))
    assert package.instruments[1]["strength"] == 0.0
    assert package.instruments[1]["fiscal_cost_cny_per_year"] == 0.0
    assert met["cost_cny_100m"] == pytest.approx(
        YEARS_PAID * C_A * met["scale:aeo_cultivation"] * A_WRITTEN
    )
