"""Checkpoints from Python: Model.checkpoint(path) and Model.restore(path) continue a run bit for
bit (1 and 2 threads, and branching the baseline into the plan before its policies start); a
damaged file, one of another format version and one for another scenario layout raise
CheckpointError naming the file, what was expected and what was found."""

from __future__ import annotations

import datetime

import h5py
import numpy as np
import pytest

import tradeeco


@pytest.fixture(scope="module")
def plan(core):
    """The shipped plan (policies from 2025-01-01) at 5 % of the population."""
    return tradeeco.load_scenario("plan").with_(population_scale=0.05, seed=11)


def advance_to(model, day: datetime.date) -> None:
    start = model.calendar()["start"]
    model.advance((day - start).days - model.days_done)
    assert model.at_month_boundary


def records(model):
    return model.series(), model.events()


def assert_same_records(a, b):
    (series_a, events_a), (series_b, events_b) = a, b
    assert series_a.keys() == series_b.keys()
    for k in series_a:
        np.testing.assert_array_equal(series_a[k], series_b[k], err_msg=k)
    assert events_a.keys() == events_b.keys()
    for t in events_a:
        for c in events_a[t]:
            np.testing.assert_array_equal(events_a[t][c], events_b[t][c], err_msg=f"{t}.{c}")


@pytest.fixture(scope="module")
def uninterrupted(plan):
    m = tradeeco.Model(plan)
    m.run()
    return records(m)


@pytest.fixture(scope="module")
def saved(plan, tmp_path_factory):
    """The plan checkpointed on 2025-03-01, after the policies started."""
    path = tmp_path_factory.mktemp("checkpoints") / "plan.ckpt.h5"
    m = tradeeco.Model(plan)
    advance_to(m, datetime.date(2025, 3, 1))
    assert m.checkpoint(path) == path
    return path


@pytest.mark.parametrize("threads", [1, 2])
def test_restored_run_ends_bit_for_bit_like_the_uninterrupted_one(saved, uninterrupted, threads):
    m = tradeeco.Model.restore(saved, threads=threads)
    assert m.days_done == (datetime.date(2025, 3, 1) - datetime.date(2024, 1, 1)).days
    assert m.spec.name == "plan"
    m.run()
    assert_same_records(records(m), uninterrupted)


def test_checkpoint_info_describes_the_file(saved, plan):
    info = tradeeco.Model.checkpoint_info(saved)
    assert info["scenario_name"] == "plan"
    assert info["month"] == "2025-03"
    assert info["seed"] == 11 and info["replicate"] == 0
    assert info["population_scale"] == 0.05
    assert info["scenario_text"] == plan.resolved_text
    assert info["git_revision"] == tradeeco.git_revision()
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]  # no temporary left


def test_baseline_branches_into_the_plan_before_its_policies(plan, uninterrupted, tmp_path):
    baseline = tradeeco.load_scenario("baseline").with_(population_scale=0.05, seed=11)
    m = tradeeco.Model(baseline)
    advance_to(m, datetime.date(2024, 12, 1))
    m.checkpoint(tmp_path / "base.h5")
    branch = tradeeco.Model.restore(tmp_path / "base.h5", scenario=plan)
    branch.run()
    assert_same_records(records(branch), uninterrupted)
    # A month later the 2024 year end has seen the policies of 2025-01-01: too late to branch.
    advance_to(m, datetime.date(2025, 1, 1))
    m.checkpoint(tmp_path / "late.h5")
    with pytest.raises(tradeeco.CheckpointError, match="start after 2025-01-01"):
        tradeeco.Model.restore(tmp_path / "late.h5", scenario=plan)


def test_state_in_memory_starts_several_models(plan, uninterrupted):
    baseline = tradeeco.load_scenario("baseline").with_(population_scale=0.05, seed=11)
    m = tradeeco.Model(baseline)
    advance_to(m, datetime.date(2024, 12, 1))
    state = m.save_state()
    assert state.payload_bytes > 0 and len(state.sha256()) == 64
    for _ in range(2):  # a state is not used up by a restore
        branch = tradeeco.Model.from_state(state, plan)
        assert branch.replicate == 0
        branch.run()
        assert_same_records(records(branch), uninterrupted)
    with pytest.raises(tradeeco.CheckpointError, match="scenario layout"):
        tradeeco.Model.from_state(state, plan.with_(seed=3))


def test_checkpoint_mid_month_is_refused(plan, tmp_path):
    m = tradeeco.Model(plan)
    m.advance(40)
    assert not m.at_month_boundary
    with pytest.raises(tradeeco.ModelError, match="mid-month"):
        m.checkpoint(tmp_path / "x.h5")
    assert not list(tmp_path.iterdir())


def test_truncated_checkpoint(saved, tmp_path):
    bad = tmp_path / "truncated.h5"
    data = saved.read_bytes()
    for cut in (0, 100, 600, len(data) // 2, len(data) - 1):
        bad.write_bytes(data[:cut])
        with pytest.raises(tradeeco.CheckpointError) as e:
            tradeeco.Model.restore(bad)
        assert str(bad) in str(e.value)
        assert "expected" in str(e.value) and "found" in str(e.value)


def test_bit_flipped_checkpoint(saved, tmp_path):
    bad = tmp_path / "flipped.h5"
    data = saved.read_bytes()
    rng = np.random.default_rng(5)
    for at in rng.integers(0, len(data), 20):
        b = bytearray(data)
        b[at] ^= 1 << int(rng.integers(8))
        bad.write_bytes(bytes(b))
        with pytest.raises(tradeeco.CheckpointError, match=r"damaged|not a sealed") as e:
            tradeeco.Model.restore(bad)
        assert str(bad) in str(e.value)


def test_payload_changed_and_resealed(saved, tmp_path):
    """A value changed inside the state (the file then resealed, so only the payload's SHA-256
    can tell)."""
    bad = tmp_path / "edited.h5"
    bad.write_bytes(saved.read_bytes())
    with h5py.File(bad, "r+") as f:
        f["state/backlog_teu"][0] += 1.0
    tradeeco.seal(bad)
    with pytest.raises(tradeeco.CheckpointError, match="payload SHA-256") as e:
        tradeeco.Model.restore(bad)
    assert str(bad) in str(e.value)


def test_other_format_version(saved, tmp_path):
    old = tmp_path / "version2.h5"
    old.write_bytes(saved.read_bytes())
    with h5py.File(old, "r+") as f:
        f.attrs["format_version"] = np.array([2.0])
    tradeeco.seal(old)
    with pytest.raises(tradeeco.CheckpointError, match="format version: expected 1, found 2") as e:
        tradeeco.Model.restore(old)
    assert str(old) in str(e.value)
    with pytest.raises(tradeeco.CheckpointError, match="format version"):
        tradeeco.Model.checkpoint_info(old)


def test_other_scenario_layout(saved, plan):
    for other in (
        plan.with_(seed=12),
        plan.with_(population_scale=0.06),
        tradeeco.with_parameter_overrides(plan, {"trade_elasticity": 3.0}),
    ):
        with pytest.raises(tradeeco.CheckpointError, match="scenario layout") as e:
            tradeeco.Model.restore(saved, scenario=other)
        assert str(saved) in str(e.value)


def test_result_file_is_not_a_checkpoint(baseline_file):
    with pytest.raises(tradeeco.CheckpointError, match="not a tradeeco checkpoint"):
        tradeeco.Model.restore(baseline_file, scenario="baseline")


def test_missing_checkpoint_and_missing_folder(plan, tmp_path):
    with pytest.raises(tradeeco.CheckpointError, match="no such checkpoint file"):
        tradeeco.Model.restore(tmp_path / "none.h5")
    m = tradeeco.Model(plan)
    with pytest.raises(tradeeco.ResultIOError, match="does not exist"):
        m.checkpoint(tmp_path / "no" / "such" / "dir.h5")
    assert issubclass(tradeeco.CheckpointError, tradeeco.ResultIOError)
