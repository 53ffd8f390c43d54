"""Property tests (hypothesis) of the Python API with arbitrary arguments: `run`, `ensemble`,
`open`, `Spec.with_`, `load_scenario_string` and the comparison functions either give a correct
result or raise a typed error: one of tradeeco's (TradeecoError and subclasses) or, for an
argument of the wrong type or range, TypeError / ValueError. Never anything else, never a
crash, never a result that breaks its own invariants.

The tests that run the model use a one-month, 2%-population scenario (a few ms a replicate) and
few examples, so the file takes seconds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import synthetic
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import tradeeco
from tradeeco import analysis

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TYPED = (tradeeco.TradeecoError, TypeError, ValueError)
QUICK = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Arguments of every kind where an int is expected: small, out of range, other types. (Huge
# valid counts, such as 2**31 - 1 replicates, are correct requests that would run for years.)
odd_ints = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.sampled_from([2**31, 2**32, 2**63, 2**64, -(2**63)]),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
)
big_ints = st.one_of(odd_ints, st.sampled_from([2**31 - 1, 2**31 - 2, 2**63 - 1]))


@pytest.fixture(scope="module")
def tiny(core):
    """The baseline over January 2024 at 2% of the population: milliseconds a replicate."""
    return tradeeco.load_scenario("baseline").with_(
        replicates=2, population_scale=0.02, end="2024-01-31"
    )


@pytest.fixture(scope="module")
def tiny_reference(tiny):
    """Replicates 0..3 of `tiny`: what any run or ensemble of them must equal."""
    return tradeeco.run(tiny, replicates=4, progress=False)


def same_series(a, b, replicates):
    for name in ("trading_firms", "total_trade_cny_100m_monthly"):
        x = a[name].isel(replicate=slice(0, replicates)).values
        y = b[name].isel(replicate=slice(0, replicates)).values
        assert np.array_equal(x, y, equal_nan=True), name


# --- scenarios -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_load_scenario_string_gives_a_spec_or_a_scenario_error(core, text):
    try:
        spec = tradeeco.load_scenario_string(text, "prop.toml")
    except tradeeco.ScenarioError as e:
        assert str(e).startswith("prop.toml")  # always names the file
        return
    assert spec.replicates >= 1 and spec.start <= spec.end


@settings(max_examples=60, deadline=None)
@given(
    seed=big_ints,
    replicates=big_ints,
    population_scale=st.one_of(st.none(), st.floats(), st.integers(-2, 20), st.text(max_size=3)),
    end=st.one_of(st.none(), st.text(max_size=12), st.dates().map(str), st.integers()),
)
@example(seed=None, replicates=None, population_scale="", end=None)  # was a RuntimeError
@example(seed=None, replicates=None, population_scale=1e6, end=None)  # ran out of memory
@example(seed=None, replicates=None, population_scale=None, end="9999-12-31")
def test_spec_with_gives_the_values_or_a_typed_error(core, seed, replicates, population_scale, end):
    base = tradeeco.load_scenario("baseline")
    try:
        spec = base.with_(
            seed=seed, replicates=replicates, population_scale=population_scale, end=end
        )
    except TYPED:
        return
    if seed is not None:
        assert spec.seed == seed
    if replicates is not None:
        assert spec.replicates == replicates >= 1
    if population_scale is not None:
        assert spec.population_scale == population_scale > 0
    if end is not None:
        assert str(spec.end) == str(end)
    assert spec.start <= spec.end


# --- run -------------------------------------------------------------------------------------


@QUICK
@given(
    replicates=odd_ints, threads=big_ints, seed=big_ints, first=big_ints,
)  # fmt: skip
@example(replicates=3, threads=2, seed=None, first=0)  # valid: equals the reference
@example(replicates=2, threads=0, seed=2**63 - 1, first=2**31 - 2)  # the last replicates
@example(replicates=2, threads=1, seed=None, first=2**31 - 1)  # index 2^31 would wrap
@example(replicates=1, threads=2**31 - 1, seed=None, first=0)  # crashed in TBB
def test_run_gives_the_replicates_or_a_typed_error(
    tiny, tiny_reference, replicates, threads, seed, first
):
    kwargs = {"replicates": replicates, "threads": threads, "seed": seed}
    if first is not None:
        kwargs["first_replicate"] = first
    try:
        ds = tradeeco.run(tiny, progress=False, **kwargs)
    except TYPED:
        return
    n = tiny.replicates if replicates is None else replicates
    assert ds.sizes["replicate"] == n
    assert list(ds["replicate"].values) == list(range(n))
    assert (0 if first is None else first) + n - 1 <= 2**31 - 1  # no index wrapped
    assert seed is None or 0 <= seed <= 2**63 - 1
    if seed is None and first in (None, 0) and n <= 4:
        same_series(ds, tiny_reference, n)  # results do not depend on threads


# --- ensemble --------------------------------------------------------------------------------


@QUICK
@given(
    replicates=st.one_of(st.integers(-1, 5), odd_ints),
    batch_size=st.one_of(st.none(), st.integers(-1, 6), odd_ints),
    threads=st.one_of(st.integers(0, 2), big_ints),
)
@example(replicates=3, batch_size=2, threads=1)
@example(replicates=4, batch_size=None, threads=0)
def test_ensemble_equals_run_or_gives_a_typed_error(
    tiny, tiny_reference, tmp_path_factory, replicates, batch_size, threads
):
    out = tmp_path_factory.mktemp("ens") / "e.nc"
    try:
        ds = tradeeco.ensemble(
            tiny, replicates=replicates, batch_size=batch_size, threads=threads, out=out,
            progress=False,
        )  # fmt: skip
    except TYPED:
        assert not out.exists()
        return
    with ds:
        n = tiny.replicates if replicates is None else replicates
        assert ds.sizes["replicate"] == n
        if n <= 4:
            same_series(ds, tiny_reference, n)
    assert not out.with_name("e.nc.shards").exists()


# --- open ------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=2048))
def test_open_of_arbitrary_bytes_is_a_result_io_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("open") / "x.nc"
    path.write_bytes(content)
    with pytest.raises(tradeeco.ResultIOError, match=r"x\.nc"):
        tradeeco.open(path)


@settings(max_examples=100, deadline=None)
@given(path=st.one_of(st.text(max_size=30), st.integers(), st.none(), st.binary(max_size=10)))
def test_open_of_arbitrary_paths(path):
    try:
        tradeeco.open(path)
    except (FileNotFoundError, tradeeco.ResultIOError, TypeError, ValueError):
        return
    pytest.fail(f"{path!r} opened")  # no such result file exists here


@settings(max_examples=40, deadline=None)
@given(group=st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["events", "/", "x/y"])))
def test_open_with_arbitrary_groups(baseline_file, group):
    try:
        ds = tradeeco.open(baseline_file, group=group)
    except (tradeeco.ResultIOError, TypeError, ValueError):
        return
    ds.close()


# --- compare (attainment, paired differences) ------------------------------------------------

results = st.builds(
    synthetic,
    seed=st.integers(1, 3),
    replicates=st.integers(1, 8),
    shift=st.floats(-200, 200),
    rng_seed=st.integers(0, 5),
)


@settings(max_examples=60, deadline=None)
@given(
    a=results,
    b=results,
    level=st.floats(-1, 2),
    method=st.sampled_from(["t", "bootstrap", "percentile", "x"]),
)
def test_paired_difference_is_right_or_a_typed_error(a, b, level, method):
    try:
        d = analysis.paired_difference(a, b, level=level, method=method)
    except tradeeco.NotPairedError:
        assert not analysis.is_paired(a, b)[0]
        return
    except ValueError:
        assert not 0 < level < 1 or method not in ("t", "bootstrap", "percentile")
        return
    assert analysis.is_paired(a, b)[0] and 0 < level < 1
    for _, row in d.iterrows():
        assert row["n"] == a.sizes["replicate"]
        assert math.isclose(row["mean"], row["mean_b"] - row["mean_a"], rel_tol=1e-9, abs_tol=1e-9)
        if row["n"] > 1:
            assert row["lo"] <= row["hi"]
            # A t interval is centred on the mean. A percentile bootstrap is centred on the
            # resampled means' median, which a skewed sample moves off the mean: a narrow one
            # (level near 0) may miss it, so only intervals of half or more must hold it.
            if method == "t" or (method == "bootstrap" and level >= 0.5):
                assert row["lo"] - 1e-9 <= row["mean"] <= row["hi"] + 1e-9
        else:
            assert math.isnan(row["lo"]) and math.isnan(row["hi"])


@settings(max_examples=30, deadline=None)
@given(a=results)
def test_a_result_differs_from_itself_by_zero(a):
    d = analysis.paired_difference(a, a)
    assert (d["mean"] == 0).all() and (d["n"] == a.sizes["replicate"]).all()


@settings(max_examples=60, deadline=None)
@given(a=results, years=st.one_of(st.none(), st.lists(st.integers(2020, 2030), max_size=3)))
def test_attainment_is_a_probability(a, years):
    att = analysis.attainment(a, years=years)
    assume(not att.empty)
    assert att["p_met"].between(0, 1).all()
    assert (att["n"] <= a.sizes["replicate"]).all()
    assert (att["p05"] <= att["p95"]).all()
