"""Ensembles (tradeeco.ensemble, `tradeeco ensemble`): shards joined into files identical to a
single run, for any thread count and on a Dask cluster; resuming after the driver or a worker
was killed; parameter designs; the joined file's netCDF-4 layout."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import h5py
import numpy as np
import pytest
from conftest import assert_identical

import tradeeco
from tradeeco.ensemble import StudyMismatchError, join_shards, with_parameters

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def small(small_text):
    return tradeeco.load_scenario_string(small_text, "small")


@pytest.fixture(scope="module")
def reference(core, small, tmp_path_factory):
    """Replicates 0..9 in one run (drawing from the shipped posterior, as an ensemble does by
    default): what every ensemble of them must equal."""
    out = tmp_path_factory.mktemp("reference") / "ref.nc"
    tradeeco.run(small.with_(replicates=10), out=out, threads=1, progress=False).close()
    return out


# --- local backend ---------------------------------------------------------------------------


@pytest.mark.parametrize("threads", [1, 2])
def test_ensemble_equals_one_run_for_any_thread_count(small, reference, tmp_path, threads):
    out = tmp_path / "e.nc"
    ds = tradeeco.ensemble(
        small, replicates=10, batch_size=3, threads=threads, out=out, progress=False
    )
    try:
        assert ds.sizes["replicate"] == 10
        assert list(ds["replicate"].values) == list(range(10))
        assert ds.attrs["ensemble_shards"] == 4 and ds.attrs["threads"] == threads
    finally:
        ds.close()
    assert_identical(out, reference)  # every series and every event row, bit for bit
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.nc"]  # shards removed


def test_joined_file_is_valid_netcdf4(small, tmp_path):
    out = tmp_path / "e.nc"
    tradeeco.ensemble(small, replicates=5, batch_size=2, out=out, progress=False).close()
    import xarray as xr

    with xr.open_dataset(out, engine="netcdf4") as ds:  # netCDF-C reads it
        assert ds.sizes["replicate"] == 5
        firms = ds["trading_firms"].attrs
        assert (firms["units"], firms["unit_label"]) == ("1", "firms")  # CF units, and the label
        assert "target_2027" in ds["trading_firms"].attrs
    with xr.open_dataset(out, engine="netcdf4", group="events/train_departures") as ev:
        reps = ev["replicate"].values
        assert set(reps) == set(range(5)) and np.all(np.diff(reps) >= 0)
    with tradeeco.open(out) as ds:
        assert np.issubdtype(ds["month"].dtype, np.datetime64)
        assert ds.attrs["scenario_name"] == "baseline" and ds.attrs["replicates"] == 5
        assert "replicates = 5" in ds.attrs["scenario_text"]
    with h5py.File(out, "r") as f:
        assert f.id.get_create_plist().get_version()[0] == 2  # superblock 2: HDF5 1.8 format
        assert f["replicate"].maxshape == (5,)  # a fixed dimension: fast opens
        assert f["trading_firms"].chunks == (5, f["trading_firms"].shape[1])
        assert f["trading_firms"].compression == "gzip" and f["trading_firms"].shuffle
        assert f.attrs["Conventions"] == b"CF-1.8"
    if shutil.which("ncdump"):
        header = subprocess.run(["ncdump", "-h", str(out)], capture_output=True, text=True)
        assert header.returncode == 0, header.stderr
        assert "replicate = 5 ;" in header.stdout and "phony_dim" not in header.stdout
        assert "group: train_departures" in header.stdout


def test_every_event_table_joins_bit_for_bit(core, small_text, tmp_path):
    """All three optional tables on, beside the policy_costs table every file has (four row
    dimensions with their own netCDF dimids)."""
    text = small_text.replace("firm_snapshots = false", "firm_snapshots = true").replace(
        "shipment_flows = false", "shipment_flows = true"
    )
    spec = tradeeco.load_scenario_string(text.replace("2024-06-30", "2024-12-31"), "all")
    assert all(spec.outputs.values())
    tradeeco.run(spec.with_(replicates=5), out=tmp_path / "ref.nc", progress=False).close()
    out = tmp_path / "e.nc"
    tradeeco.ensemble(spec, replicates=5, batch_size=2, out=out, progress=False).close()
    assert_identical(out, tmp_path / "ref.nc")
    with h5py.File(out, "r") as f:
        dimids = sorted(int(f["events"][t]["row"].attrs["_Netcdf4Dimid"]) for t in f["events"])
        assert dimids == [3, 4, 5, 6]
    import xarray as xr

    for table in ("firm_snapshots", "shipment_flows", "train_departures"):
        with xr.open_dataset(out, engine="netcdf4", group=f"events/{table}") as ev:
            assert set(ev["replicate"].values) == set(range(5)), table


def test_out_none_returns_in_memory(small, reference):
    ds = tradeeco.ensemble(small, replicates=4, batch_size=3, out=None, progress=False)
    with tradeeco.open(reference) as ref:
        np.testing.assert_array_equal(
            ds["trading_firms"].values, ref["trading_firms"].isel(replicate=slice(0, 4)).values
        )


def test_several_scenarios_and_a_seed_write_one_file_each(small_text, small, tmp_path):
    other = tradeeco.load_scenario_string(small_text.replace('name = "baseline"', 'name = "b2"'))
    res = tradeeco.ensemble(
        {"first": small, "second": other}, replicates=3, seed=7, out=tmp_path / "study",
        progress=False,
    )  # fmt: skip
    assert sorted(res) == ["first", "second"]
    try:
        for ds in res.values():
            assert ds.attrs["seed_text"] == "7"
        # Same seed and replicate index, same (policy-free) scenario: paired, equal draws.
        np.testing.assert_array_equal(
            res["first"]["trading_firms"].values, res["second"]["trading_firms"].values
        )
    finally:
        for ds in res.values():
            ds.close()
    assert sorted(p.name for p in (tmp_path / "study").iterdir()) == ["first.nc", "second.nc"]


def test_design_points_become_scenario_variants(small, tmp_path):
    design = [{"trade_elasticity": 3.0}, {"trade_elasticity": 5.0}]
    res = tradeeco.ensemble(small, replicates=2, design=design, out=tmp_path / "d", progress=False)
    assert sorted(res) == ["baseline-d000", "baseline-d001"]
    try:
        for i, (name, ds) in enumerate(sorted(res.items())):
            assert json.loads(ds.attrs["design_parameters"]) == design[i], name
            assert ds.attrs["design_point"] == i
            assert (
                f"trade_elasticity = {design[i]['trade_elasticity']}" in ds.attrs["scenario_text"]
            )
        a, b = (res[k]["exports_cny_100m"].values for k in sorted(res))
        assert not np.array_equal(a, b, equal_nan=True)
    finally:
        for ds in res.values():
            ds.close()


def test_bad_design_is_refused_before_anything_runs(small, tmp_path):
    with pytest.raises(tradeeco.ScenarioError, match="no_such_parameter"):
        tradeeco.ensemble(
            small, replicates=2, design=[{"no_such_parameter": 1.0}], out=tmp_path / "d"
        )
    assert not (tmp_path / "d").exists() or not any((tmp_path / "d").iterdir())


def test_with_parameters_merges_into_the_parameters_table():
    text = '[scenario]\nname = "x"\n\n[parameters]\na = 1.0\nb = 2.0\n\n[outputs]\nc = true\n'
    merged = with_parameters(text, {"b": 0.1, "d.e": 3})
    assert merged.count("[parameters]") == 1
    assert '"b" = 0.1' in merged and "b = 2.0" not in merged and "a = 1.0" in merged
    assert '"d.e" = 3' in merged
    assert merged.index('"d.e"') < merged.index("[outputs]")
    tomllib = pytest.importorskip("tomllib")

    assert tomllib.loads(merged)["parameters"] == {"a": 1.0, "b": 0.1, "d.e": 3}


# --- resuming --------------------------------------------------------------------------------


def test_cancel_keeps_shards_and_resume_completes_identically(small, reference, tmp_path):
    out = tmp_path / "e.nc"
    calls = []

    def stop_after_two_shards(done, total):
        calls.append(done)
        return done < 3  # cancel during the second shard: the first stays

    with pytest.raises(tradeeco.RunCancelled):
        tradeeco.ensemble(
            small, replicates=10, batch_size=2, out=out, progress=stop_after_two_shards
        )
    shards = sorted(p.name for p in (tmp_path / "e.nc.shards").glob("*.nc"))
    assert shards == ["replicates-000000-000001.nc"]
    assert not out.exists()
    manifest = json.loads((tmp_path / "e.nc.shards" / "manifest.json").read_text())
    assert manifest["batch_size"] == 2 and manifest["replicates"] == 10

    seen = []
    tradeeco.ensemble(
        small, replicates=10, batch_size=2, out=out, progress=lambda d, t: seen.append(d)
    ).close()
    assert seen[0] == 2  # the finished shard was not run again
    assert_identical(out, reference)


def test_finished_study_is_not_run_again(small, tmp_path):
    out = tmp_path / "e.nc"
    tradeeco.ensemble(small, replicates=3, out=out, progress=False).close()
    mtime = out.stat().st_mtime_ns
    seen = []
    tradeeco.ensemble(small, replicates=3, out=out, progress=lambda d, t: seen.append(d)).close()
    assert seen == [3] and out.stat().st_mtime_ns == mtime


def test_a_larger_study_reuses_kept_shards(small, reference, tmp_path):
    out = tmp_path / "e.nc"
    tradeeco.ensemble(
        small, replicates=6, batch_size=2, out=out, progress=False, keep_shards=True
    ).close()
    seen = []
    tradeeco.ensemble(
        small, replicates=10, batch_size=2, out=out, progress=lambda d, t: seen.append(d)
    ).close()
    assert seen[0] == 6
    assert_identical(out, reference)


def test_shards_of_another_study_are_refused_unless_no_resume(small, tmp_path):
    out = tmp_path / "e.nc"
    with pytest.raises(tradeeco.RunCancelled):
        tradeeco.ensemble(small, replicates=4, batch_size=2, out=out, progress=lambda d, t: d < 2)
    with pytest.raises(StudyMismatchError, match="seed"):
        tradeeco.ensemble(small, replicates=4, batch_size=2, seed=5, out=out, progress=False)
    ds = tradeeco.ensemble(
        small, replicates=4, batch_size=2, seed=5, out=out, progress=False, resume=False
    )
    assert ds.attrs["seed_text"] == "5"
    ds.close()


def test_join_refuses_gaps(reference, tmp_path):
    with pytest.raises(ValueError, match="expected 0"):
        join_shards([(reference, 3)], tmp_path / "j.nc")
    assert list(tmp_path.iterdir()) == []


def cli(*args, **kw):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        [sys.executable, "-m", "tradeeco.cli", "ensemble", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kw,
    )


def wait_for_shard(folder, proc, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if folder.is_dir() and any(folder.glob("replicates-*.nc")):
            return
        if proc.poll() is not None:
            pytest.fail(f"the ensemble ended before a shard appeared: {proc.communicate()}")
        time.sleep(0.005)
    pytest.fail("no shard appeared")


def test_sigkill_of_the_driver_then_rerun_is_identical(small_file, tmp_path):
    """`tradeeco ensemble` killed with SIGKILL after its first shard; the same command again
    resumes from the finished shards, and the result equals an uninterrupted study."""
    args = [small_file, "--replicates", 40, "--batch-size", 2, "--out"]
    out = tmp_path / "killed.nc"
    proc = cli(*args, out)
    wait_for_shard(tmp_path / "killed.nc.shards", proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    left = sorted(p.name for p in (tmp_path / "killed.nc.shards").glob("replicates-*.nc"))
    assert 1 <= len(left) < 20

    again = cli(*args, out)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "resuming" in err and "already done" in err
    assert not (tmp_path / "killed.nc.shards").exists()

    whole = tmp_path / "whole.nc"
    tradeeco.ensemble(small_file, replicates=40, batch_size=2, out=whole, progress=False).close()
    assert_identical(out, whole)


def test_sigint_cancels_with_130_and_keeps_shards(small_file, tmp_path):
    out = tmp_path / "i.nc"
    proc = cli(small_file, "--replicates", 40, "--batch-size", 2, "--out", out)
    wait_for_shard(tmp_path / "i.nc.shards", proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "cancelled" in err
    assert not out.exists()
    assert not list((tmp_path / "i.nc.shards").glob("*.tmp-*"))  # a cancel leaves no temporary
    assert any((tmp_path / "i.nc.shards").glob("replicates-*.nc"))


def test_cli_bad_input(small_file, tmp_path, capsys):
    from tradeeco import cli as tradeeco_cli

    code = tradeeco_cli.main(["ensemble", str(small_file), "-n", "0", "--out", str(tmp_path)])
    assert code == 2 and "--replicates" in capsys.readouterr().err
    code = tradeeco_cli.main(["ensemble", str(small_file), "--out", str(tmp_path)])
    assert code == 2 and "is a folder" in capsys.readouterr().err
    code = tradeeco_cli.main(["ensemble", str(tmp_path / "nothing.toml"), "--out", "x.nc"])
    assert code == 2 and "nothing.toml" in capsys.readouterr().err


def test_cli_help_has_examples(capsys):
    from tradeeco import cli as tradeeco_cli

    with pytest.raises(SystemExit) as info:
        tradeeco_cli.main(["ensemble", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "--scheduler" in out and "--no-resume" in out


# --- Dask ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed", reason="needs dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        worker_dashboard_address=None,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_cluster_gives_the_same_file(small, reference, tmp_path, dask_client):
    out = tmp_path / "d.nc"
    ds = tradeeco.ensemble(
        small, replicates=10, batch_size=3, out=out, client=dask_client, progress=False
    )
    assert ds.attrs["ensemble_backend"] == "dask"
    ds.close()
    assert_identical(out, reference)


def test_dask_study_survives_a_killed_worker(small, reference, tmp_path, dask_client):
    """A worker process is killed (SIGKILL) while it runs a shard; the scheduler runs that
    shard again elsewhere and the study ends identical to an uninterrupted one."""
    pids_before = set(dask_client.run(os.getpid).values())
    killed = []

    def kill_a_busy_worker(done, total):
        if killed or done == 0:
            return
        busy = [w for w, keys in dask_client.processing().items() if keys]
        pid = dask_client.run(os.getpid, workers=busy[:1])[busy[0]] if busy else None
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    out = tmp_path / "k.nc"
    tradeeco.ensemble(
        small, replicates=10, batch_size=2, out=out, client=dask_client,
        progress=kill_a_busy_worker,
    ).close()  # fmt: skip
    assert killed, "no worker was busy after the first shard"
    assert_identical(out, reference)
    # The nanny restarted the killed worker: a new process in its place.
    deadline = time.monotonic() + 60
    while len(dask_client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert killed[0] not in set(dask_client.run(os.getpid).values())
    assert killed[0] in pids_before


def test_run_shard_is_idempotent(small_text, tmp_path):
    from tradeeco.ensemble import run_shard

    path = tmp_path / "s.nc"
    first = run_shard(small_text, "small", ".", 3, 4, 2, str(path))
    mtime = path.stat().st_mtime_ns
    again = run_shard(small_text, "small", ".", 3, 4, 2, str(path))
    assert path.stat().st_mtime_ns == mtime and again["seconds"] < first["seconds"]
    with h5py.File(path, "r") as f:
        assert f.attrs["first_replicate"][0] == 4 and f["replicate"].shape == (2,)


def test_study_lock_refuses_a_second_driver(small, tmp_path):
    out = tmp_path / "e.nc"
    started, release = threading.Event(), threading.Event()
    errors = []

    def first_driver():
        def hold(done, total):
            started.set()
            release.wait(60)

        try:
            tradeeco.ensemble(small, replicates=2, batch_size=1, out=out, progress=hold).close()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=first_driver)
    t.start()
    try:
        assert started.wait(60)
        with pytest.raises(RuntimeError, match="another tradeeco ensemble"):
            tradeeco.ensemble(small, replicates=2, batch_size=1, out=out, progress=False)
    finally:
        release.set()
        t.join()
    assert not errors
