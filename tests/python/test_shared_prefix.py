"""A shared prefix: scenarios run together (run_many, ensemble) simulate the months before their
first policy once per replicate and branch; every result file holds exactly the numbers of an
independent run of its scenario."""

from __future__ import annotations

import pytest
import xarray as xr

import tradeeco

# The baseline, the plan and a package (policies from 2025-01-01), and a shock from the first
# month (shock_red_sea), which cannot share and runs alone beside them.
NAMES = ("baseline", "plan", "pkg_corridors", "shock_red_sea")


@pytest.fixture(scope="module")
def small(core):
    return {n: tradeeco.load_scenario(n).with_(population_scale=0.03, replicates=2) for n in NAMES}


def assert_same_numbers(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for v in a.data_vars:
        xr.testing.assert_identical(a[v], b[v])


def test_shared_prefix_gives_the_numbers_of_independent_runs(small, tmp_path):
    (tmp_path / "shared").mkdir()
    shared = tradeeco.run_many(small, tmp_path / "shared", progress=False, threads=2)
    for name, spec in small.items():
        alone = tradeeco.run(spec, progress=False)
        assert_same_numbers(shared[name].load(), alone)
        shared[name].close()
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == sorted(
        f"{n}.nc" for n in NAMES
    )


def test_without_sharing_the_numbers_are_the_same(small):
    picked = {n: small[n] for n in ("baseline", "plan")}
    a = tradeeco.run_many(picked, progress=False)
    b = tradeeco.run_many(picked, progress=False, share_prefix=False)
    for n in picked:
        assert_same_numbers(a[n], b[n])


def test_prefix_ends_before_the_first_policy(small):
    core = tradeeco._native.core()
    # Policies from 2025-01-01: the 2024 year end looks at that day, so the prefix ends on
    # 2024-12-01 (day 335 of a leap year).
    assert core.shared_prefix_days([small["baseline"], small["plan"]]) == 335
    assert core.shared_prefix_days([small["plan"], small["shock_red_sea"]]) == 0
    assert core.shared_prefix_days([small["plan"]]) == 335
    assert core.shared_prefix_days([]) == 0


def test_progress_counts_replicate_scenario_pairs(small):
    seen = []
    tradeeco.run_many(
        {n: small[n] for n in ("baseline", "plan")}, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (4, 4) and len(seen) == 4


def test_bad_arguments(small):
    with pytest.raises(ValueError, match="at least one"):
        tradeeco.run_many([])
    with pytest.raises(ValueError, match="repeated"):
        tradeeco.run_many([small["plan"], small["plan"]], progress=False)


def test_ensemble_of_several_scenarios_shares_the_prefix(small, tmp_path):
    """`tradeeco.ensemble` with several scenarios runs them shard by shard through
    run_many_to_files: the joined files equal independent runs."""
    picked = {n: small[n] for n in ("baseline", "plan")}
    tradeeco.ensemble(picked, replicates=3, out=tmp_path, batch_size=2, progress=False)
    for name, spec in picked.items():
        alone = tradeeco.run(spec.with_(replicates=3), progress=False)
        with tradeeco.open(tmp_path / f"{name}.nc") as ds:
            assert_same_numbers(ds.load(), alone)


def test_run_from_start_states_gives_the_numbers_of_a_run_from_the_start(small):
    """What the policy searches do: one state per replicate before the policies, then each
    candidate continues from those states."""
    core = tradeeco._native.core()
    plan = small["plan"]
    days = core.shared_prefix_days([plan])
    assert days == 335
    states = []
    for replicate in range(plan.replicates):
        m = tradeeco.Model(small["baseline"], replicate)
        m.advance(days)
        states.append(m.save_state())
    assert_same_numbers(
        tradeeco.run(plan, progress=False, states=states),
        tradeeco.run(plan, progress=False, fixed_parameters=True),
    )
    with pytest.raises(ValueError, match="one per replicate"):
        tradeeco.run(plan, progress=False, states=states[:1])
    with pytest.raises(tradeeco.ModelError, match="not of replicate"):
        tradeeco.run(plan, progress=False, states=states[::-1])


def test_policy_search_evaluator_reuses_its_start_states(small):
    from tradeeco import policy_search

    spec = small["plan"]
    goal = policy_search.Goal("aeo_firms", 2025)
    lever = [policy_search.select_lever(spec, lever="aeo_cultivation")]
    ev = policy_search._Evaluator(spec, [goal], lever, 2, None, 1, None, 0.8)
    first = ev([1.0])
    states = ev._states
    assert len(states) == 2
    second = ev([0.5])
    assert ev._states is states  # made once for every candidate
    reference = policy_search._Evaluator(
        spec,
        [goal],
        lever,
        2,
        None,
        1,
        lambda s: tradeeco.run(s, progress=False, fixed_parameters=True),
        0.8,
    )
    assert reference([1.0]) == first and reference([0.5]) == second
