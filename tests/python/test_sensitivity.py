"""Global sensitivity (tradeeco.sensitivity) and the variance decomposition
(tradeeco.analysis.variance_decomposition).

The method is checked on the Ishigami function, whose Sobol indices are known, and on linear
functions whose screening answer is obvious; the model path with a small, short study."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from tradeeco import analysis
from tradeeco.sensitivity import (
    ISHIGAMI_SPACE,
    ModelEvaluator,
    Parameter,
    StudyCacheMismatchError,
    ishigami,
    parameter_space,
    study,
)

# Known indices of Ishigami with a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008,
# Global Sensitivity Analysis: The Primer, section 4.4).
ISHIGAMI_S1 = {"x1": 0.314, "x2": 0.442, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.558, "x2": 0.442, "x3": 0.244}


def test_ishigami_indices_within_005_of_the_known_values():
    res = study(ishigami, ISHIGAMI_SPACE, budget=5 * 4096, progress=False)
    assert res.meta["screen"] is False  # 3 parameters: straight to Sobol
    assert res.meta["sobol_base"] == 4096 and res.meta["runs"] == 5 * 4096
    got = res.sobol.set_index("parameter")
    for key in ("x1", "x2", "x3"):
        assert got.loc[key, "S1"] == pytest.approx(ISHIGAMI_S1[key], abs=0.05), key
        assert got.loc[key, "ST"] == pytest.approx(ISHIGAMI_ST[key], abs=0.05), key
        # SALib's bootstrap intervals: present, positive and narrow at this sample size.
        assert 0 < got.loc[key, "S1_conf"] < 0.1
        assert 0 < got.loc[key, "ST_conf"] < 0.1


def test_ishigami_in_worker_processes_matches_in_process():
    serial = study(ishigami, ISHIGAMI_SPACE, budget=5 * 64, progress=False)
    parallel = study(ishigami, ISHIGAMI_SPACE, budget=5 * 64, progress=False, workers=2)
    cols = ["S1", "ST"]
    np.testing.assert_array_equal(serial.sobol[cols].values, parallel.sobol[cols].values)


def _linear(p):
    # x0 matters most, x1 less, x2..x9 not at all
    return {"y": 10 * p["x0"] + 3 * p["x1"] + 0 * sum(p[f"x{i}"] for i in range(2, 10))}


def test_morris_screens_out_inert_parameters_before_sobol():
    space = [Parameter(f"x{i}", 0.0, 1.0) for i in range(10)]
    res = study(_linear, space, budget=2000, top_k=2, progress=False)
    assert res.meta["screen"] is True
    assert res.screened == ["x0", "x1"]
    m = res.morris.set_index("parameter")
    assert m.loc["x0", "mu_star"] == pytest.approx(10.0)  # per unit of the range
    assert m.loc["x5", "mu_star"] == 0.0
    assert set(res.sobol["parameter"]) == {"x0", "x1"}
    st = res.sobol.set_index("parameter")["ST"]
    assert st["x0"] == pytest.approx(100 / 109, abs=0.05)  # 10^2 / (10^2 + 3^2)
    drivers = res.drivers(3)
    assert drivers["parameter"].tolist() == ["x0", "x1"]  # inert ones are not drivers
    assert res.meta["runs"] <= 2000


def test_budget_too_small_names_what_it_needs():
    space = [Parameter(f"x{i}", 0.0, 1.0) for i in range(10)]
    with pytest.raises(ValueError, match=r"too small to screen 10 parameters.*at least 44"):
        study(_linear, space, budget=30, top_k=2, progress=False)
    with pytest.raises(ValueError, match="more than the budget of 100"):
        study(_linear, space, budget=100, top_k=2, trajectories=20, progress=False)


def test_a_fixed_design_over_budget_is_refused_before_any_run():
    # 5 Morris trajectories of 11 samples fit the budget; 16 Sobol base samples x 4 then do not.
    space = [Parameter(f"x{i}", 0.0, 1.0) for i in range(10)]
    calls = []

    def counting(p):
        calls.append(p)
        return _linear(p)

    with pytest.raises(ValueError, match=r"needs 119 runs \(55 Morris \+ 64 Sobol.*budget of 100"):
        study(counting, space, budget=100, top_k=2, trajectories=5, sobol_base=16, progress=False)
    assert calls == []


def test_priors_are_truncated_to_the_range_and_bad_ones_are_named():
    u = np.array([0.0, 0.5, 1.0])
    uni = Parameter("a", 2.0, 4.0)
    np.testing.assert_allclose(uni.from_unit(u), [2.0, 3.0, 4.0])
    tri = Parameter("b", 0.0, 1.0, prior="triangular", nominal=0.0)
    assert tri.from_unit(np.array([0.25]))[0] == pytest.approx(1 - math.sqrt(0.75))
    norm = Parameter("c", 0.0, 10.0, prior="normal", nominal=5.0)
    np.testing.assert_allclose(norm.from_unit(u), [0.0, 5.0, 10.0], atol=1e-9)
    logn = Parameter("d", 1.0, 100.0, prior="lognormal", nominal=10.0)
    assert logn.from_unit(np.array([0.5]))[0] == pytest.approx(10.0)
    with pytest.raises(ValueError, match=r"parameter 'e': prior: expected one of uniform.*'beta'"):
        Parameter("e", 0.0, 1.0, prior="beta")
    with pytest.raises(ValueError, match=r"parameter 'f': expected a finite range"):
        Parameter("f", 1.0, 1.0)


def test_parameter_space_takes_the_free_parameters_with_their_priors():
    table = pd.DataFrame(
        [
            {"key": "a", "value": 1.0, "unit": "1", "min": 0.0, "max": 2.0,
             "prior": "triangular", "pinned": False},
            {"key": "b", "value": 5.0, "unit": "days", "min": 1.0, "max": 9.0,
             "prior": "uniform", "pinned": False},
            {"key": "pinned", "value": 3.0, "unit": "1", "min": 2.0, "max": 4.0,
             "prior": "normal", "pinned": True},
        ]
    )  # fmt: skip
    space = parameter_space(table=table)
    assert [(p.key, p.prior, p.unit) for p in space] == [
        ("a", "triangular", "1"),
        ("b", "uniform", "days"),
    ]
    assert [p.key for p in parameter_space(["pinned"], table=table)] == ["pinned"]
    with pytest.raises(KeyError, match=r"unknown parameter.*'nope'"):
        parameter_space(["a", "nope"], table=table)


class _Counting:
    def __init__(self, shift=0.0):
        self.calls = 0
        self.shift = shift

    def identity(self):
        return {"function": "ishigami", "shift": self.shift}

    def __call__(self, p):
        self.calls += 1
        return {"y": ishigami(p)["y"] + self.shift}


def test_cache_resumes_and_refuses_another_studys_file(tmp_path):
    cache = tmp_path / "evals.jsonl"
    first = _Counting()
    a = study(first, ISHIGAMI_SPACE, budget=5 * 16, cache=cache, progress=False)
    assert first.calls == 80 and a.meta["evaluated_samples"] == 80
    again = _Counting()
    b = study(again, ISHIGAMI_SPACE, budget=5 * 16, cache=cache, progress=False)
    assert again.calls == 0 and b.meta["cached_samples"] == 80
    np.testing.assert_array_equal(a.sobol["ST"], b.sobol["ST"])

    # A killed run leaves a line cut short: it is evaluated again, the rest is reused.
    lines = cache.read_text().splitlines()
    cache.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2])
    third = _Counting()
    c = study(third, ISHIGAMI_SPACE, budget=5 * 16, cache=cache, progress=False)
    assert third.calls == 1
    np.testing.assert_array_equal(a.sobol["ST"], c.sobol["ST"])
    assert all(json.loads(x) for x in cache.read_text().splitlines() if x.strip().endswith("}"))

    with pytest.raises(StudyCacheMismatchError, match=r"another study \(differs in: evaluator\)"):
        study(_Counting(shift=1.0), ISHIGAMI_SPACE, budget=80, cache=cache, progress=False)
    fresh = _Counting(shift=1.0)
    study(fresh, ISHIGAMI_SPACE, budget=80, cache=cache, resume=False, progress=False)
    assert fresh.calls == 80


def test_progress_callback_can_cancel_and_keeps_finished_evaluations(tmp_path):
    import tradeeco

    cache = tmp_path / "evals.jsonl"
    with pytest.raises(tradeeco.RunCancelled):
        study(
            ishigami,
            ISHIGAMI_SPACE,
            budget=80,
            cache=cache,
            progress=lambda done, total: done < 10,
        )
    assert len(cache.read_text().splitlines()) == 1 + 10  # header + finished samples


# --- the model ---------------------------------------------------------------------------------

SMOKE_PARAMETERS = ["trade_elasticity", "exit_hazard", "driver_uncertainty"]


@pytest.fixture(scope="module")
def small_evaluator(core):
    # A short horizon (the plan's policies start in 2025) and a small population: seconds.
    return ModelEvaluator(end="2025-03-31", year=2025, population_scale=0.05)


def test_model_evaluator_outputs_levels_and_paired_effects(small_evaluator):
    ev = small_evaluator
    assert ev.labels == ["baseline", "plan"] and ev.runs_per_sample == 2
    assert "trading_firms" in ev.indicators
    assert "services_trade" not in ev.indicators  # a target the model does not output
    nominal = {p.key: p.nominal for p in parameter_space(SMOKE_PARAMETERS)}
    out = ev(nominal)
    assert set(out) == set(ev.output_names())
    for ind in ev.indicators:
        effect = out[f"plan-baseline:{ind}"]
        assert effect == pytest.approx(out[f"plan:{ind}"] - out[f"baseline:{ind}"], abs=1e-9)
    # Common random numbers: the same sample gives the same numbers; another sample differs.
    assert ev(nominal) == out
    steep = ev({**nominal, "trade_elasticity": 5.0})
    changed = [k for k in out if steep[k] != out[k]]
    assert "baseline:electronic_components_trade" in changed


def test_model_evaluator_reads_the_same_numbers_as_result_files(core):
    # The fast path (the model's series, no file) against tradeeco.run + analysis.yearly,
    # with two replicates and a sample away from the table values.
    fast = ModelEvaluator(end="2025-03-31", year=2025, population_scale=0.05, replicates=2)
    assert fast.engine == "model"
    sample = {"trade_elasticity": 3.1, "exit_hazard": 0.04, "driver_uncertainty": 0.5}
    via_files = ModelEvaluator(end="2025-03-31", year=2025, population_scale=0.05, replicates=2)
    via_files.engine = "run"
    assert fast(sample) == via_files(sample)


def test_model_evaluator_rejects_what_cannot_run(core):
    with pytest.raises(ValueError, match="year 2027 is after the scenarios' end"):
        ModelEvaluator(end="2025-03-31")
    with pytest.raises(KeyError, match=r"outputs no indicator\(s\) \['services_trade'\]"):
        ModelEvaluator(end="2025-03-31", year=2025, indicators=["services_trade"])


def test_small_model_study_end_to_end(small_evaluator, tmp_path):
    res = study(
        small_evaluator,
        parameter_space(SMOKE_PARAMETERS),
        budget=2 * (2 * 4 + 2 * 4),
        top_k=2,
        trajectories=2,
        sobol_base=2,
        runs_per_sample=small_evaluator.runs_per_sample,
        progress=False,
    )
    assert res.meta["runs"] == 2 * (2 * 4 + 2 * 4)  # Morris 2 x (3 + 1), Sobol 2 x (2 + 2)
    assert len(res.screened) == 2 and set(res.screened) <= set(SMOKE_PARAMETERS)
    assert set(res.sobol["parameter"]) <= set(res.screened)
    assert "plan-baseline:trading_firms" in set(res.outputs["output"])
    text = res.to_markdown()
    assert "| `plan:trading_firms` |" in text and "Sobol indices of 2 parameters" in text
    folder = res.save(tmp_path / "tables")
    assert {p.name for p in folder.iterdir()} >= {"morris.csv", "sobol.csv", "meta.json"}


# --- variance decomposition ----------------------------------------------------------------------


def _sets(values: np.ndarray) -> dict[str, xr.Dataset]:
    """One Dataset per parameter set (rows of `values`), its seeds as replicates, in 2027."""
    return {
        f"set{i}": xr.Dataset(
            {"trading_firms": (("replicate", "year"), row[:, None])},
            coords={"replicate": np.arange(row.size), "year": [2027]},
        )
        for i, row in enumerate(values)
    }


def test_variance_decomposition_recovers_a_known_split_exactly():
    # 8 sets whose means have population variance 4; within every set, seeds with population
    # variance 1 around the set's mean: the law of total variance gives 4 + 1 = 5.
    means = np.array([-3, -1, -1, 1, 1, 3, -1, 1], dtype=float) * math.sqrt(4 / 3)
    noise = np.array([-1.5, -0.5, 0.5, 1.5]) / math.sqrt(1.25)
    assert np.var(means) == pytest.approx(4.0) and np.var(noise) == pytest.approx(1.0)
    values = 5000 + means[:, None] + noise[None, :]
    d = analysis.variance_decomposition(_sets(values)).iloc[0]
    assert (d["indicator"], d["year"], d["sets"], d["runs"]) == ("trading_firms", 2027, 8, 32)
    assert d["var_parameters"] == pytest.approx(4.0)
    assert d["var_noise"] == pytest.approx(1.0)
    assert d["var_total"] == pytest.approx(np.var(values))
    assert (d["share_parameters"], d["share_noise"]) == pytest.approx((0.8, 0.2))
    # ANOVA: the set means carry noise / seeds = 1/4, which the unbiased part takes out.
    ms_within = 1.0 * 4 / 3
    assert d["var_parameters_unbiased"] == pytest.approx(4.0 * 8 / 7 - ms_within / 4)


def test_variance_decomposition_on_random_sets_estimates_the_true_parts():
    rng = np.random.default_rng(3)
    sets, seeds = 400, 10
    values = rng.normal(0, 2.0, size=(sets, 1)) + rng.normal(0, 1.0, size=(sets, seeds))
    d = analysis.variance_decomposition(_sets(values)).iloc[0]
    assert d["var_noise"] == pytest.approx(0.9, rel=0.05)  # E[pop. var of 10] = 0.9 sigma^2
    assert d["var_parameters_unbiased"] == pytest.approx(4.0, rel=0.15)
    assert d["var_parameters"] + d["var_noise"] == pytest.approx(d["var_total"])


def test_variance_decomposition_needs_two_sets():
    with pytest.raises(ValueError, match="at least 2 parameter sets, got 1"):
        analysis.variance_decomposition(_sets(np.ones((1, 3))))


def test_variance_decomposition_of_an_ensemble_design(core):
    import tradeeco

    spec = tradeeco.load_scenario("baseline").with_(end="2024-12-31", population_scale=0.05)
    runs = tradeeco.ensemble(
        spec,
        replicates=3,
        design=[{"trade_elasticity": 2.5}, {"trade_elasticity": 5.1}],
        progress=False,
    )
    d = analysis.variance_decomposition(runs, indicators=["trading_firms"], years=[2024])
    assert d[["sets", "runs"]].values.tolist() == [[2, 6]]
    row = d.iloc[0]
    assert row["var_total"] > 0
    assert row["share_parameters"] + row["share_noise"] == pytest.approx(1.0)


# --- command line --------------------------------------------------------------------------------


def test_cli_help_has_examples(capsys):
    from tradeeco import cli

    with pytest.raises(SystemExit) as info:
        cli.main(["sensitivity", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "tradeeco sensitivity" in out and "examples:" in out and "--budget" in out


def test_cli_small_study_writes_tables_and_markdown(core, tmp_path, capsys):
    from tradeeco import cli

    args = [
        "sensitivity",
        "--end=2025-03-31",
        "--year=2025",
        "--population-scale=0.05",
        "--parameters=trade_elasticity,exit_hazard",
        "--top-k=2",  # two parameters: straight to Sobol
        "--sobol-base=2",
        "--budget=16",
        "--workers=1",
        "--quiet",
        f"--cache={tmp_path / 'evals.jsonl'}",
        f"--out={tmp_path / 'tables'}",
        f"--markdown={tmp_path / 'sens.md'}",
    ]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("16 runs (8 samples x 2), 8 evaluated now, 0 from the cache")
    # Paired effects are reported (at this tiny scale and horizon the plan's effect on
    # trading_firms no longer varies across the samples since the trade-company mechanism of
    # issue 13, and an output that does not vary is not listed: so any paired effect).
    assert "baseline:trading_firms" in out and "\nplan-baseline:" in out
    assert (tmp_path / "tables" / "drivers.csv").exists()
    assert "### Paired effects" in (tmp_path / "sens.md").read_text()
    assert cli.main(args) == 0  # again: everything from the cache
    assert "0 evaluated now, 8 from the cache" in capsys.readouterr().out


def test_cli_bad_input_exits_2_with_the_reason(core, capsys):
    from tradeeco import cli

    assert cli.main(["sensitivity", "--parameters=nope", "--quiet"]) == 2
    assert "unknown parameter(s) 'nope'" in capsys.readouterr().err
    assert cli.main(["sensitivity", "--budget=10", "--quiet"]) == 2
    err = capsys.readouterr().err
    k = len(parameter_space())  # the free parameters: 2 trajectories of k + 1 samples, 2 runs each
    assert f"to screen {k} parameters" in err
    need = int(re.search(r"give a budget of at least (\d+)", err).group(1))
    assert need >= 2 * (k + 1) * 2


def test_confidence_intervals_are_reproducible():
    a = study(ishigami, ISHIGAMI_SPACE, budget=5 * 32, progress=False)
    b = study(ishigami, ISHIGAMI_SPACE, budget=5 * 32, progress=False)
    np.testing.assert_array_equal(a.sobol["ST_conf"], b.sobol["ST_conf"])
