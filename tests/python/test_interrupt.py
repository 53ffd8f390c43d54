"""`tradeeco run` interrupted from outside: SIGKILL mid-run never leaves a partial result file
at the target path (only, at most, one temporary named `<target>.tmp-<pid>...` for the killed
process, which nothing can remove after a SIGKILL); SIGINT cancels with exit code 130 and leaves
no file at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import tradeeco

REPLICATES = 24


@pytest.fixture(scope="module")
def scenario_file(core, tmp_path_factory):
    """The baseline at a tenth of the population: about 40 ms a replicate, so a run of
    REPLICATES lasts about a second, long enough to be interrupted in the middle."""
    text = tradeeco.load_scenario("baseline").resolved_text
    assert "population_scale = 1.0" in text
    path = tmp_path_factory.mktemp("scenario") / "small.toml"
    path.write_text(text.replace("population_scale = 1.0", "population_scale = 0.1"))
    return path


def start_run(scenario, target):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("TRADEECO_DEBUG", None)
    return subprocess.Popen(
        [
            sys.executable, "-m", "tradeeco.cli", "run", str(scenario), "--out", str(target),
            "--replicates", str(REPLICATES), "--quiet",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip


def temporaries(target):
    return sorted(target.parent.glob(f"{target.name}.tmp-*"))


def wait_until_writing(proc, target, timeout=120):
    """Waits for the writer's temporary file (``<name>.tmp-<pid>``, or, for a run that records
    a posterior's draw, ``<name>.tmp-<pid>-draws-<thread>.nc.tmp-<pid>``): the run is then
    under way."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for tmp in temporaries(target):
            if tmp.name.startswith(f"{target.name}.tmp-{proc.pid}"):
                return tmp
        if proc.poll() is not None:
            pytest.fail(f"the run ended before writing: {proc.communicate()}")
        time.sleep(0.002)
    pytest.fail("the run never started writing")


def assert_absent_or_complete(target):
    if not target.exists():
        return
    with tradeeco.open(target) as ds:
        assert ds.sizes["replicate"] == REPLICATES
        assert not ds["trading_firms"].isnull().any()


@pytest.mark.parametrize("delay", [0.0, 0.15, 0.4])
def test_sigkill_mid_run_leaves_no_partial_result(scenario_file, tmp_path, delay):
    target = tmp_path / "result.nc"
    proc = start_run(scenario_file, target)
    tmp = wait_until_writing(proc, target)
    time.sleep(delay)
    finished_first = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    if finished_first:  # too fast a machine: the run ended before the kill; still complete
        assert proc.returncode == 0
    else:
        assert proc.returncode == -signal.SIGKILL
    assert_absent_or_complete(target)
    # Nothing but the result and, after a kill mid-run, one temporary of the killed process:
    # the writer's, or (a run recording a posterior's draw, killed between the writer's rename
    # and the draws' annotation) the file aside, both named <target>.tmp-<pid>...
    leftovers = {p.name for p in tmp_path.iterdir()} - {target.name}
    assert all(n.startswith(f"{target.name}.tmp-{proc.pid}") for n in leftovers), leftovers
    assert len(leftovers) <= 1, leftovers
    if not target.exists():
        assert len(leftovers) == 1, (tmp.name, leftovers)  # documented: SIGKILL leaves one


def test_the_file_aside_for_posterior_draws_is_named_for_its_process(tmp_path):
    """A run drawing from a posterior writes beside the target and moves the file there once
    the draws are recorded; a SIGKILL between the two must leave a `<target>.tmp-<pid>...`
    name like any other temporary (a CI run once found `<target>.tmp-draws-...` left over)."""
    from tradeeco._results import _written_at

    target = tmp_path / "result.nc"
    assert _written_at(target, None) == target
    aside = _written_at(target, posterior=object())
    assert aside.parent == tmp_path and aside.suffix == ".nc"
    assert aside.name.startswith(f"result.nc.tmp-{os.getpid()}-")


def test_sigkill_does_not_touch_an_existing_result(scenario_file, tmp_path):
    """Rerunning into an existing complete file and killing the rerun keeps the old file."""
    target = tmp_path / "result.nc"
    done = start_run(scenario_file, target)
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    before = target.read_bytes()
    proc = start_run(scenario_file, target)
    wait_until_writing(proc, target)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert target.read_bytes() == before
    assert_absent_or_complete(target)


def test_sigint_exits_130_and_leaves_no_file(scenario_file, tmp_path):
    target = tmp_path / "result.nc"
    proc = start_run(scenario_file, target)
    wait_until_writing(proc, target)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "cancelled" in err
    assert not target.exists()
    assert temporaries(target) == []
    assert list(tmp_path.iterdir()) == []


def test_paths_reach_the_core_as_str(core, scenario_file, tmp_path, monkeypatch):
    """pybind11 converts a pathlib.Path by calling its Python `__fspath__`; a Ctrl-C landing
    there would turn into "incompatible function arguments" (exit 1) instead of a cancel (130),
    as a CI run once showed. Every call into the core therefore passes paths as str."""
    seen = []

    def fake_run_to_file(spec, out, **kwargs):
        seen.append(type(out))
        raise KeyboardInterrupt

    def fake_run_many_to_files(specs, outs, **kwargs):
        seen.extend(type(out) for out in outs)
        raise KeyboardInterrupt

    monkeypatch.setattr(core, "run_to_file", fake_run_to_file)
    monkeypatch.setattr(core, "run_many_to_files", fake_run_many_to_files)
    with pytest.raises(KeyboardInterrupt):
        tradeeco.run(scenario_file, out=tmp_path / "r.nc", progress=False)
    with pytest.raises(KeyboardInterrupt):
        tradeeco.ensemble(scenario_file, replicates=2, out=tmp_path / "e.nc", progress=False)
    with pytest.raises(KeyboardInterrupt):
        tradeeco.run_many([scenario_file], tmp_path, progress=False)
    assert seen == [str, str, str]
