"""Running scenarios into result files and opening them as xarray Datasets."""

from __future__ import annotations

import os
import shutil
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from ._native import core
from ._scenarios import ScenarioLike, as_spec
from .errors import ResultIOError

__all__ = ["open", "open_events", "run"]

ProgressArg = bool | Callable[[int, int], object] | None


def open(
    path: str | os.PathLike,
    *,
    group: str | None = None,
    chunks=None,
    verify: bool = True,
) -> xr.Dataset:
    """Opens a tradeeco result file as an xarray.Dataset (lazily; with the netcdf4 engine, which
    opens a 1,000-replicate file several times faster than h5netcdf, or h5netcdf without it).

    Series are variables over ``(replicate, month)`` or ``(replicate, year)``; ``month`` holds
    datetimes (first day of each month), ``year`` calendar years. Units, long names, targets
    and the run's provenance (scenario text, seed, version) are in the attributes. Pass
    ``chunks={}`` to get dask arrays (needs the ``dask`` extra). Use it as a context manager, or
    call ``.load()`` and ``.close()``, to release the file.

    With ``verify`` (the default) every variable is read once and checked against the CRC-32
    the writer stored with it (attribute ``tradeeco_crc32``), so a file damaged on disk (a
    flipped bit, a truncated copy) raises instead of giving other numbers; this reads the whole
    file (about 0.1 s per 100 MB).

    Raises:
        FileNotFoundError: there is no such file.
        ResultIOError: the file is not a readable tradeeco result file, or it is damaged (the
            message names the file and, for a checksum, the variable).

    Example:
        >>> import tradeeco
        >>> with tradeeco.open("baseline.h5") as ds:  # doctest: +SKIP
        ...     print(ds["trading_firms"].sel(year=2027).mean().item())
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such result file")
    if path.is_dir():
        raise ResultIOError(f"{path}: is a folder, not a result file")
    if verify:
        verify_checksums(path)
    try:
        ds = xr.open_dataset(path, engine=_engine(), group=group, chunks=chunks)
        return _decode_months(ds)
    except (ResultIOError, ImportError):
        raise
    except Exception as e:  # HDF5, netCDF and decoding errors of a damaged or foreign file
        where = f"{path}" if group is None else f"{path} (group {group})"
        raise ResultIOError(f"{where}: not a readable tradeeco result file: {_why(e)}") from e


def _why(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


CHECKSUM_ATTRIBUTE = "tradeeco_crc32"  # as sim/src/results_writer.cpp
CHECKSUM_BLOCK_BYTES = 1 << 23  # read 8 MiB of a variable at a time when checking


def checksum_dtype(dtype: np.dtype) -> np.dtype:
    """The little-endian type a variable's values are checksummed in (as the C++ writer)."""
    if dtype.kind == "f":
        return np.dtype("<f8")
    return np.dtype("<i8") if dtype.itemsize > 4 else np.dtype("<i4")


def checksum_rows(values: np.ndarray, crc: int = 0) -> int:
    """Continues a variable's CRC-32 over `values`, the next rows in order."""
    return zlib.crc32(np.ascontiguousarray(values, dtype=checksum_dtype(values.dtype)), crc)


def dataset_checksum(ds) -> int:
    """The CRC-32 of an h5py dataset's values, read a block of rows at a time."""
    if not ds.shape:
        return checksum_rows(np.asarray(ds[()]).reshape(1))
    crc, n = 0, ds.shape[0]
    row_bytes = max(1, int(np.prod(ds.shape[1:], dtype=np.int64)) * 8)
    step = max(1, CHECKSUM_BLOCK_BYTES // row_bytes)
    for i in range(0, n, step):
        crc = checksum_rows(ds[i : i + step], crc)
    return crc


def verify_checksums(path: str | os.PathLike) -> None:
    """Reads every variable of a result file and compares it with its stored CRC-32.

    Files written before checksums existed (no variable has one) pass unchecked; in a file
    where some variables have one, a series or coordinate without it is damage too.

    Raises:
        ResultIOError: the file cannot be read as HDF5, or a variable's values differ from
            its checksum, naming the file and the variable.
    """
    import h5py

    path = Path(path)
    checked: list[str] = []
    unchecked: list[str] = []

    def visit(name: str, obj) -> None:
        if not isinstance(obj, h5py.Dataset) or name.rsplit("/", 1)[-1] == "row":
            return  # groups, and event tables' row dimensions (empty, no values)
        stored = obj.attrs.get(CHECKSUM_ATTRIBUTE)
        if stored is None:
            unchecked.append(name)
            return
        stored = int(np.asarray(stored).reshape(-1)[0])
        got = dataset_checksum(obj)
        if got != stored:
            raise ResultIOError(
                f"{path}: variable {name} is damaged: its values do not match the checksum "
                f"written with them (CRC-32 {got:08x}, expected {stored:08x}); rerun it or "
                "restore the file from a copy"
            )
        checked.append(name)

    try:
        with h5py.File(path, "r") as f:
            f.visititems(visit)
    except ResultIOError:
        raise
    except Exception as e:  # not HDF5, truncated, or damaged structure
        raise ResultIOError(f"{path}: not a readable tradeeco result file: {_why(e)}") from e
    if checked and unchecked:
        raise ResultIOError(
            f"{path}: variable(s) {', '.join(unchecked[:5])} have no checksum while "
            f"{len(checked)} others do: the file is damaged or was edited"
        )


def _engine() -> str:
    try:
        import netCDF4  # noqa: F401
    except ImportError:
        return "h5netcdf"
    return "netcdf4"


def open_events(path: str | os.PathLike, table: str) -> xr.Dataset:
    """Opens an event table (group ``events/<table>``) of a result file: one variable per
    column over the ``row`` dimension, with the replicate each event happened in."""
    return open(path, group=f"events/{table}")


def _decode_months(ds: xr.Dataset) -> xr.Dataset:
    # xarray decodes CF "days since ..." itself; this covers files whose month coordinate lost
    # its units (or was decoded off by the caller) so users always get datetimes.
    if "month" in ds.coords and not np.issubdtype(ds["month"].dtype, np.datetime64):
        units = ds["month"].attrs.get("units", "")
        if "since" in units:
            ds = xr.decode_cf(ds, decode_times=True)
    return ds


def _progress_callback(progress: ProgressArg, total: int, desc: str):
    """(callback, close) for run_to_file from the `progress` argument of run()."""
    if progress is None or progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="replicate", leave=False, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return update, bar.close


def run(
    scenario: ScenarioLike,
    out: str | os.PathLike | None = None,
    *,
    replicates: int | None = None,
    threads: int = 1,
    seed: int | None = None,
    progress: ProgressArg = True,
    first_replicate: int = 0,
) -> xr.Dataset:
    """Runs every replicate of a scenario and returns the results as an xarray.Dataset.

    Args:
        scenario: a shipped scenario's name (``"baseline"``), a scenario file, or a Spec.
        out: the result file to write. If None, the run goes to a temporary file that is read
            into memory and deleted; otherwise the returned Dataset is opened lazily from
            ``out`` (close it, or use ``with``, to release the file).
        replicates, seed: override the scenario's values.
        threads: threads to run replicates on (0 = all cores). Results do not depend on it.
        progress: True for a tqdm progress bar, False/None for none, or a callable
            ``(done, total)``; a callable returning False cancels the run.
        first_replicate: index of the first replicate, to split an ensemble over several calls.

    Raises:
        ScenarioError: the scenario is invalid.
        RunCancelled: Ctrl-C or the progress callback cancelled the run (no file is left).

    Example:
        >>> import tradeeco
        >>> ds = tradeeco.run("baseline", replicates=4, progress=False)  # doctest: +SKIP
        >>> ds["trading_firms"].sel(year=2027).mean("replicate").item()  # doctest: +SKIP
    """
    spec = as_spec(scenario)
    if replicates is not None or seed is not None:
        spec = spec.with_(seed=seed, replicates=replicates)
    callback, close = _progress_callback(progress, spec.replicates, spec.name)
    tmpdir = None
    try:
        if out is None:
            tmpdir = tempfile.mkdtemp(prefix="tradeeco-")
            target = Path(tmpdir) / f"{spec.name}.h5"
        else:
            target = Path(out)
        core().run_to_file(
            spec,
            os.fspath(target),  # see _native.core: paths reach the core as str
            threads=threads,
            first_replicate=first_replicate,
            progress=callback,
        )
        close()
        if tmpdir is None:
            return open(target)
        with open(target) as ds:
            return ds.load()
    finally:
        close()
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
