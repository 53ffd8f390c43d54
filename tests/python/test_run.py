"""Running into result files: run_to_file, progress and cancelling, GIL release, tradeeco.run and
open, and living in one process with h5py and netCDF4."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import tradeeco


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_run_to_file_and_open(core, baseline, tmp_path):
    out = tmp_path / "b.nc"
    done = []
    result = core.run_to_file(baseline, out, progress=lambda d, t: done.append((d, t)))
    assert result == out and out.exists()
    assert done == [(1, 3), (2, 3), (3, 3)]
    assert leftovers(tmp_path) == ["b.nc"]
    with tradeeco.open(out) as ds:
        assert ds.sizes["replicate"] == 3
        assert np.issubdtype(ds["month"].dtype, np.datetime64)
        assert ds["month"].values[0] == np.datetime64("2024-01-01")
        assert list(ds["year"].values) == [2024, 2025, 2026, 2027]
        assert "trading_firms" in ds and ds["trading_firms"].dims == ("replicate", "year")
        assert int(float(ds.attrs["seed"])) == baseline.seed


def test_run_to_file_validates_before_running(core, baseline, tmp_path):
    with pytest.raises(ValueError, match="threads"):
        core.run_to_file(baseline, tmp_path / "x.nc", threads=-1)
    with pytest.raises(TypeError, match="progress"):
        core.run_to_file(baseline, tmp_path / "x.nc", progress=3)
    with pytest.raises(tradeeco.ResultIOError, match="does not exist"):
        core.run_to_file(baseline, tmp_path / "no" / "such" / "x.nc")
    with pytest.raises(tradeeco.ResultIOError, match="folder"):
        core.run_to_file(baseline, tmp_path)
    assert leftovers(tmp_path) == []


def test_progress_returning_false_cancels_and_leaves_no_file(core, baseline, tmp_path):
    with pytest.raises(tradeeco.RunCancelled):
        core.run_to_file(baseline, tmp_path / "c.nc", progress=lambda d, t: False)
    assert leftovers(tmp_path) == []


def test_exception_in_progress_propagates_and_leaves_no_file(core, baseline, tmp_path):
    def progress(done, total):
        raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        core.run_to_file(baseline, tmp_path / "e.nc", progress=progress)
    assert leftovers(tmp_path) == []


def test_ctrl_c_cancels_the_run(core, baseline, tmp_path):
    """SIGINT arriving while C++ runs (GIL released) is seen at the next progress call."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    first_call = threading.Event()

    def interrupter():
        first_call.wait(60)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    t = threading.Thread(target=interrupter, daemon=True)
    t.start()
    spec = baseline.with_(replicates=4)
    try:
        with pytest.raises(tradeeco.RunCancelled) as info:
            core.run_to_file(
                spec, tmp_path / "i.nc", threads=1, progress=lambda d, n: first_call.set()
            )
    except KeyboardInterrupt:  # the signal escaped the run: fail instead of stopping pytest
        pytest.fail("SIGINT was not turned into RunCancelled")
    t.join()
    assert isinstance(info.value.__context__, KeyboardInterrupt)
    assert leftovers(tmp_path) == []


def test_run_to_file_releases_the_gil(core, baseline, tmp_path):
    """A Python thread keeps counting while replicates run; at each progress call (one per
    replicate) the counter has moved on a lot since the previous one."""
    stop = threading.Event()
    count = 0

    def spin():
        nonlocal count
        while not stop.is_set():
            count += 1

    seen = []
    t = threading.Thread(target=spin)
    t.start()
    try:
        core.run_to_file(baseline, tmp_path / "g.nc", progress=lambda d, n: seen.append(count))
    finally:
        stop.set()
        t.join()
    assert len(seen) == 3
    assert min(np.diff(seen)) > 1000, seen


def test_results_do_not_depend_on_threads(core, baseline, tmp_path):
    core.run_to_file(baseline, tmp_path / "t1.nc", threads=1)
    core.run_to_file(baseline, tmp_path / "t2.nc", threads=2)
    with tradeeco.open(tmp_path / "t1.nc") as a, tradeeco.open(tmp_path / "t2.nc") as b:
        for name in a.data_vars:
            np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


def test_run_in_memory_and_to_file(baseline, tmp_path):
    ds = tradeeco.run(baseline, replicates=2, seed=11, progress=False)
    assert ds.sizes["replicate"] == 2
    assert int(float(ds.attrs["seed"])) == 11
    ds2 = tradeeco.run("baseline", out=tmp_path / "r.nc", replicates=2, seed=11, progress=False)
    try:
        np.testing.assert_array_equal(ds["trading_firms"].values, ds2["trading_firms"].values)
    finally:
        ds2.close()


def test_open_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        tradeeco.open(tmp_path / "nothing.nc")


INTEROP = textwrap.dedent(
    """
    import sys
    order = sys.argv[1].split(",")
    for name in order:
        __import__(name)
    import h5py, netCDF4, numpy as np, tradeeco
    out = sys.argv[2]
    spec = tradeeco.load_scenario("baseline").with_(replicates=2, end="2024-12-31")
    tradeeco._core.run_to_file(spec, out + "/run.nc")
    # h5py reads what tradeeco wrote
    with h5py.File(out + "/run.nc", "r") as f:
        assert f["trading_firms"].shape[0] == 2
    # netCDF4 (its own HDF5 and netCDF-C) reads it too
    with netCDF4.Dataset(out + "/run.nc") as nc:
        assert nc.dimensions["replicate"].size == 2
        assert "trading_firms" in nc.variables
    # h5py writes a netCDF-style file (dimension scales) that tradeeco.open reads
    with h5py.File(out + "/h5py.h5", "w") as f:
        rep = f.create_dataset("replicate", data=np.arange(3, dtype="i4"))
        rep.make_scale("replicate")
        year = f.create_dataset("year", data=np.array([2025, 2027], dtype="i4"))
        year.make_scale("year")
        v = f.create_dataset("trading_firms", data=np.array([[5100, 5600], [4900, 5400], [5000, 5500]], "f8"))
        v.dims[0].attach_scale(rep)
        v.dims[1].attach_scale(year)
        f.attrs["seed"] = 1.0
    with tradeeco.open(out + "/h5py.h5", verify=False) as ds:  # not sealed
        assert ds["trading_firms"].dims == ("replicate", "year")
        att = tradeeco.analysis.attainment(ds)
        assert att["p_met"].tolist() == [2 / 3, 2 / 3], att
    # and netCDF4 writes a file that tradeeco.open reads
    with netCDF4.Dataset(out + "/nc.nc", "w") as nc:
        nc.createDimension("replicate", 2)
        nc.createDimension("year", 1)
        nc.createVariable("year", "i4", ("year",))[:] = [2027]
        nc.createVariable("aeo_firms", "f8", ("replicate", "year"))[:] = [[119.0], [121.0]]
    tradeeco.seal(out + "/nc.nc")  # sealed after the fact: then checked
    with tradeeco.open(out + "/nc.nc") as ds:
        assert tradeeco.analysis.attainment(ds)["p_met"].tolist() == [0.5]
    print("ok")
    """
)


@pytest.mark.parametrize(
    "order", ["tradeeco,h5py,netCDF4", "netCDF4,h5py,tradeeco", "h5py,tradeeco"]
)
def test_one_process_with_h5py_and_netcdf4(core, tmp_path, order):
    pytest.importorskip("netCDF4")
    result = subprocess.run(
        [sys.executable, "-c", INTEROP, order, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
