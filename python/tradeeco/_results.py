"""Running scenarios into result files and opening them as xarray Datasets."""

from __future__ import annotations

import builtins
import datetime
import os
import re
import shutil
import tempfile
import threading
import warnings
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from ._native import core
from ._scenarios import ScenarioLike, with_parameter_overrides
from .errors import ResultIOError, ResultNameWarning

__all__ = ["open", "open_events", "run", "run_many", "seal", "unit_label"]

ProgressArg = bool | Callable[[int, int], object] | None

# netCDF-C and the HDF5 inside the netCDF4 wheel are not thread-safe, and xarray does not lock
# everything it reads when a file is opened (its attributes): two threads opening result files at
# once crashed the process (tests/python/test_faults.py). Opening, and run()'s in-memory load,
# hold this lock.
_OPEN_LOCK = threading.RLock()

#: Result files are netCDF-4; CF tools (compliance-checker, CF section 2.1) want this suffix.
RESULT_SUFFIX = ".nc"


def warn_if_not_nc(path: str | os.PathLike) -> None:
    """Warns (ResultNameWarning) when a result file to be written is not named ``*.nc``. Any
    name works; callers warn once per file they are asked to write."""
    path = Path(path)
    if path.suffix != RESULT_SUFFIX:
        warnings.warn(
            f"{path}: result files are netCDF-4 and CF tools expect the name to end in "
            f"{RESULT_SUFFIX!r} (writing it anyway); e.g. {path.with_suffix(RESULT_SUFFIX).name}",
            ResultNameWarning,
            stacklevel=3,
        )


def utc_now() -> str:
    """The time as results_writer's provenance attributes write it: 2026-01-31T12:00:00Z."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def api_call(function: str, *args, **kwargs) -> str:
    """How a Python call is recorded in a result file's ``history`` attribute, on one line:
    ``tradeeco.run('baseline', out='b.nc', replicates=4)``. Arguments that are None are left
    out; paths and Specs are shown by their text and scenario name, anything long (a design
    table) by its type and length.

    >>> api_call("tradeeco.ensemble", ["baseline", "plan"], design=[{"x": 1.0}] * 50, seed=None)
    "tradeeco.ensemble(['baseline', 'plan'], design=<list of 50>)"
    """

    def show(v) -> str:
        if isinstance(v, (str, os.PathLike)):
            return repr(os.fspath(v))
        if type(v).__name__ == "Spec" and hasattr(v, "name"):
            return f"<Spec {v.name}>"
        text = repr(v)
        if "\n" in text or len(text) > 120:
            size = f" of {len(v)}" if hasattr(v, "__len__") else ""
            text = f"<{type(v).__name__}{size}>"
        return text

    parts = [show(a) for a in args]
    parts += [f"{k}={show(v)}" for k, v in kwargs.items() if v is not None]
    return f"{function}({', '.join(parts)})"


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
    datetimes (first day of each month), ``year`` calendar years. Units (``units`` for CF
    tools, ``unit_label`` as people write them: see :func:`unit_label`), long names, targets
    and the run's provenance (scenario text, seed, version, ``history``) are in the attributes. Pass
    ``chunks={}`` to get dask arrays (needs the ``dask`` extra). Use it as a context manager, or
    call ``.load()`` and ``.close()``, to release the file.

    With ``verify`` (the default) the file's bytes are first checked against the seal its
    writer put in its first 512 bytes (a CRC-32 and the length), so a file damaged on disk (a
    flipped bit, a truncated copy) raises instead of giving other numbers, or hanging in the
    HDF5 library; this reads the file once (about 0.1 s per 100 MB). ``verify=False`` opens
    files without a seal (other tools', or older tradeeco's) unchecked.

    Raises:
        FileNotFoundError: there is no such file.
        ResultIOError: the file is not a readable tradeeco result file, or it is damaged (the
            message names the file).

    Example:
        >>> import tradeeco
        >>> with tradeeco.open("baseline.nc") as ds:  # doctest: +SKIP
        ...     print(ds["trading_firms"].sel(year=2027).mean().item())
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such result file")
    if path.is_dir():
        raise ResultIOError(f"{path}: is a folder, not a result file")
    if verify:
        verify_seal(path)
    try:
        with _OPEN_LOCK:
            ds = xr.open_dataset(path, engine=_engine(), group=group, chunks=chunks)
            return _decode_months(ds)
    except (ResultIOError, ImportError):
        raise
    except Exception as e:  # HDF5, netCDF and decoding errors of a damaged or foreign file
        where = f"{path}" if group is None else f"{path} (group {group})"
        raise ResultIOError(f"{where}: not a readable tradeeco result file: {_why(e)}") from e


def _why(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


SEAL_BYTES = 512  # the user block results_writer.cpp reserves at the start of every file
_SEAL = re.compile(rb"tradeeco-seal crc32=([0-9a-f]{8}) bytes=([0-9]{1,20})\n\0*")
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_READ_BYTES = 1 << 23


def _crc_after_seal(f) -> tuple[int, int]:
    """CRC-32 and length of everything after the seal's block of an open binary file."""
    f.seek(SEAL_BYTES)
    crc = size = 0
    while block := f.read(_READ_BYTES):
        crc = zlib.crc32(block, crc)
        size += len(block)
    return crc, size


def seal(path: str | os.PathLike) -> None:
    """Seals a result file as results_writer.cpp does: its first ``SEAL_BYTES`` (an HDF5 user
    block) get ``tradeeco-seal crc32=<hex> bytes=<n>`` for the bytes after them, and the file is
    flushed to disk. A file without the block (another tool's HDF5 or netCDF-4 file) gets one
    put in front first, which HDF5 readers accept. Sealing vouches for the bytes as they are
    now: :func:`open` then checks that they stay so.

    Example:
        >>> ds.to_netcdf("mine.h5", engine="h5netcdf")  # doctest: +SKIP
        >>> tradeeco.seal("mine.h5")  # doctest: +SKIP
        >>> tradeeco.open("mine.h5")  # doctest: +SKIP
    """
    path = Path(path)
    with builtins.open(path, "rb") as f:
        head = f.read(SEAL_BYTES + len(_HDF5_SIGNATURE))
    if head.startswith(_HDF5_SIGNATURE):  # no user block: copy behind an empty one
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        try:
            with builtins.open(path, "rb") as src, builtins.open(tmp, "wb") as dst:
                dst.write(bytes(SEAL_BYTES))
                while block := src.read(_READ_BYTES):
                    dst.write(block)
            seal_in_place(tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return
    if head[SEAL_BYTES:] != _HDF5_SIGNATURE:
        raise ResultIOError(f"{path}: not an HDF5 file, cannot seal it")
    seal_in_place(path)


def seal_in_place(path: Path) -> None:
    with builtins.open(path, "r+b") as f:
        crc, size = _crc_after_seal(f)
        f.seek(0)
        f.write(f"tradeeco-seal crc32={crc:08x} bytes={size}\n".encode().ljust(SEAL_BYTES, b"\0"))
        f.flush()
        os.fsync(f.fileno())


def verify_seal(path: str | os.PathLike) -> None:
    """Checks a result file's bytes against its seal, before any HDF5 library reads it.

    Raises:
        ResultIOError: the file is damaged (its bytes or its length differ from the seal, or
            the seal is unreadable), is not an HDF5 file, or has no seal (written by another
            tool, or by tradeeco before it sealed its files: ``open(path, verify=False)`` reads
            it unchecked); the message names the file.
    """
    path = Path(path)
    try:
        with builtins.open(path, "rb") as f:
            head = f.read(SEAL_BYTES + len(_HDF5_SIGNATURE))
            if head.startswith(_HDF5_SIGNATURE):
                raise ResultIOError(
                    f"{path}: the file has no tradeeco seal, so it cannot be checked for damage "
                    "(written by another tool or an older tradeeco): tradeeco.open(path, "
                    "verify=False) reads it unchecked, tradeeco.seal(path) vouches for it as it is"
                )
            m = _SEAL.fullmatch(head[:SEAL_BYTES])
            signed = head[SEAL_BYTES:] == _HDF5_SIGNATURE
            if not signed and not head.startswith(b"tradeeco-seal"):
                raise ResultIOError(
                    f"{path}: not a tradeeco result file (no HDF5 signature, no seal)"
                )
            if m is None or not signed:
                raise ResultIOError(
                    f"{path}: the file is damaged: its seal or its HDF5 signature is unreadable"
                )
            crc, size = _crc_after_seal(f)
    except OSError as e:
        if isinstance(e, ResultIOError):
            raise
        raise ResultIOError(f"{path}: cannot read the result file: {e}") from e
    want_crc, want_size = int(m.group(1), 16), int(m.group(2))
    if size != want_size:
        raise ResultIOError(
            f"{path}: the file is damaged: {size + SEAL_BYTES} bytes where "
            f"{want_size + SEAL_BYTES} were written (truncated or appended to)"
        )
    if crc != want_crc:
        raise ResultIOError(
            f"{path}: the file is damaged: its bytes do not match the checksum written with "
            f"them (CRC-32 {crc:08x}, expected {want_crc:08x}); rerun it or restore a copy"
        )


def unit_label(da: xr.DataArray) -> str:
    """The unit of a result variable as people write it ("100m CNY", "firms"): its
    ``unit_label`` attribute, or ``units`` in files and Datasets that have no label.

    >>> import xarray as xr
    >>> unit_label(xr.DataArray([1.0], attrs={"units": "1e8", "unit_label": "100m CNY"}))
    '100m CNY'
    """
    return str(da.attrs.get("unit_label", da.attrs.get("units", "")))


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
    parameters: Mapping[str, float] | None = None,
    posterior=None,
    fixed_parameters: bool = False,
    states: Sequence | None = None,
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
        parameters: overrides of the parameter table by key (``{"trade_elasticity": 3.0}``),
            checked like a scenario's ``[parameters]`` table and recorded in the result file's
            scenario text. They win over the posterior's values for their keys.
        posterior: a posterior file (or :class:`tradeeco.posterior.Posterior`); replicate ``r``
            draws its parameter set from it by (seed, r), the same draw in every scenario, and
            the file records it (``parameter_set``, ``parameter_value``). Default: the shipped
            posterior (``tradeeco/data/posterior.csv``) if the package has one, else fixed
            parameters (root attribute ``parameter_sets = "fixed"``).
        fixed_parameters: True runs every replicate with the parameter table's values (and the
            overrides), ignoring any posterior: the results of runs before posteriors existed.
        states: one ``ModelState`` per replicate (``Model.save_state()`` of replicate
            ``first_replicate + i``, saved before any policy of the scenario): the replicates
            continue from them instead of simulating the population, the burn-in and the
            months before (the policy searches evaluate their candidates this way). The
            numbers are those of a run from the start. With states and no ``posterior``, the
            run keeps the parameters the states were saved with (no shipped posterior is
            drawn: ``Model`` runs at fixed parameters).

    Raises:
        ScenarioError: the scenario is invalid, or a parameter override is unknown or out of its
            range.
        PosteriorError: the posterior file is invalid (names file, line, column, key).
        RunCancelled: Ctrl-C or the progress callback cancelled the run (no file is left).

    Example:
        >>> import tradeeco
        >>> ds = tradeeco.run("baseline", replicates=4, progress=False)  # doctest: +SKIP
        >>> ds["trading_firms"].sel(year=2027).mean("replicate").item()  # doctest: +SKIP
    """
    from .posterior import resolve_posterior

    if states and posterior is None:
        fixed_parameters = True  # the states were saved with their own parameters
    default = resolve_posterior(posterior, fixed_parameters)
    spec, post = _prepared_spec(
        scenario, parameters, replicates, seed, posterior, fixed_parameters, default
    )
    if out is not None:
        warn_if_not_nc(out)
    history = api_call(
        "tradeeco.run",
        scenario,
        out=out,
        replicates=replicates,
        threads=threads,
        seed=seed,
        first_replicate=first_replicate or None,
        parameters=parameters or None,
        posterior=posterior,
        fixed_parameters=fixed_parameters or None,
    )
    callback, close = _progress_callback(progress, spec.replicates, spec.name)
    tmpdir = None
    try:
        if out is None:
            tmpdir = tempfile.mkdtemp(prefix="tradeeco-")
            target = Path(tmpdir) / f"{spec.name}{RESULT_SUFFIX}"
        else:
            target = Path(out)
        run_to_file(spec, target, post, threads, first_replicate, callback, history, states)
        close()
        if tmpdir is None:
            return open(target)
        with open(target) as ds, _OPEN_LOCK:
            return ds.load()
    finally:
        close()
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _prepared_spec(scenario, parameters, replicates, seed, posterior, fixed_parameters, default):
    """(the Spec to run, the Posterior its replicates draw from or None): the overrides, seed
    and replicates applied, then the posterior (`default`: the resolved one, see
    tradeeco.posterior.for_spec)."""
    from .posterior import Posterior, for_spec

    carried = Posterior.of_spec(scenario) if isinstance(scenario, core().Spec) else None
    spec = with_parameter_overrides(scenario, parameters, origin="parameters=")
    if replicates is not None or seed is not None:
        spec = spec.with_(seed=seed, replicates=replicates)
    if carried is not None and spec.parameter_sets is None:  # overrides reloaded the text
        spec = carried.apply(spec)
    return for_spec(spec, posterior, fixed_parameters, default)  # last: see for_spec


def _written_at(target: Path, posterior) -> Path:
    """Where the core writes `target`'s results: `target` itself, or, for a run drawing from
    `posterior`, a file aside (per process and thread) that `_record_draws` completes. Its
    name starts as every temporary of this process does, ``<target>.tmp-<pid>``: whatever a
    SIGKILL leaves behind is named for the process that was killed (docs/reliability.md)."""
    if posterior is None:
        return target
    return target.with_name(
        f"{target.name}.tmp-{os.getpid()}-draws-{threading.get_ident()}{RESULT_SUFFIX}"
    )


def _record_draws(written: Path, target: Path, posterior, spec) -> None:
    """Adds the parameter-set variables (tradeeco.posterior.annotate) to a file written aside,
    seals it and moves it to `target`: a file at `target` is always complete."""
    if written == target:
        return
    from .posterior import annotate

    annotate(written, posterior, spec.parameters)
    seal_in_place(written)
    os.replace(written, target)


def run_to_file(
    spec, target: Path, posterior, threads, first_replicate, progress, history, states=None
) -> None:
    """``_core.run_to_file``, then, for a run drawing from `posterior`, the parameter-set
    variables recorded (`_record_draws`): a file at `target` is always complete."""
    written = _written_at(target, posterior)
    try:
        core().run_to_file(
            spec,
            os.fspath(written),  # see _native.core: paths reach the core as str
            threads=threads,
            first_replicate=first_replicate,
            progress=progress,
            history=history,
            states=list(states or []),
        )
        _record_draws(written, target, posterior, spec)
    finally:
        if written != target:
            written.unlink(missing_ok=True)


def run_many(
    scenarios: Sequence[ScenarioLike] | Mapping[str, ScenarioLike],
    out_dir: str | os.PathLike | None = None,
    *,
    replicates: int | None = None,
    threads: int = 1,
    seed: int | None = None,
    progress: ProgressArg = True,
    first_replicate: int = 0,
    parameters: Mapping[str, float] | None = None,
    share_prefix: bool = True,
    posterior=None,
    fixed_parameters: bool = False,
) -> dict[str, xr.Dataset]:
    """Runs several scenarios on the same replicates and returns {name: Dataset}, each exactly
    what :func:`run` gives for that scenario alone.

    With ``share_prefix`` (the default), scenarios with the same parameters, seed, population,
    horizon and outputs simulate the months before their earliest policy or shock (the
    population, the 60-month burn-in and, for the shipped scenarios, 2024) once per replicate,
    then each continues from a copy of that state with its own policies (docs/python.md,
    "Several scenarios at once").

    Args:
        scenarios: shipped names, scenario files or Specs; or a mapping name -> scenario to
            choose the names (and file names).
        out_dir: folder for the result files ``<name>.nc``; None: temporary files read into
            memory and deleted.
        replicates, seed, threads, progress, first_replicate, parameters, posterior,
            fixed_parameters: as :func:`run`, applied to every scenario (every scenario's
            replicate ``r`` draws the same parameter set). ``progress`` counts (replicate,
            scenario) pairs.
        share_prefix: False runs each scenario from the start (the same numbers, slower).

    Example:
        >>> runs = tradeeco.run_many(
        ...     ["baseline", "plan"], replicates=8, progress=False
        ... )  # doctest: +SKIP
        >>> (runs["plan"]["trading_firms"] - runs["baseline"]["trading_firms"]).mean(
        ...     "replicate"
        ... )  # doctest: +SKIP
    """
    items = (
        list(scenarios.items())
        if isinstance(scenarios, Mapping)
        else [(None, s) for s in scenarios]
    )
    if not items:
        raise ValueError("run_many needs at least one scenario")
    from .posterior import resolve_posterior

    default = resolve_posterior(posterior, fixed_parameters)
    specs, names, posts = [], [], []
    for name, scenario in items:
        spec, post = _prepared_spec(
            scenario, parameters, replicates, seed, posterior, fixed_parameters, default
        )
        specs.append(spec)
        posts.append(post)
        names.append(spec.name if name is None else str(name))
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(
            f"run_many: scenario names must differ (give a mapping); repeated: {twice}"
        )
    history = api_call(
        "tradeeco.run_many",
        names,
        out_dir=out_dir,
        replicates=replicates,
        threads=threads,
        seed=seed,
        first_replicate=first_replicate or None,
        parameters=parameters or None,
        share_prefix=share_prefix if not share_prefix else None,
        posterior=posterior,
        fixed_parameters=fixed_parameters or None,
    )
    total = sum(s.replicates for s in specs)
    callback, close = _progress_callback(progress, total, f"{len(specs)} scenarios")
    tmpdir = tempfile.mkdtemp(prefix="tradeeco-") if out_dir is None else None
    folder = Path(tmpdir if tmpdir is not None else out_dir)
    targets = [folder / f"{n}{RESULT_SUFFIX}" for n in names]
    raws = [_written_at(t, p) for t, p in zip(targets, posts, strict=True)]
    try:
        core().run_many_to_files(
            specs,
            [os.fspath(t) for t in raws],  # see _native.core: paths reach the core as str
            threads=threads,
            first_replicate=first_replicate,
            progress=callback,
            history=history,
            share_prefix=share_prefix,
        )
        for raw, target, post, spec in zip(raws, targets, posts, specs, strict=True):
            _record_draws(raw, target, post, spec)
        close()
        if tmpdir is None:
            return {n: open(t) for n, t in zip(names, targets, strict=True)}
        out = {}
        for n, t in zip(names, targets, strict=True):
            with open(t) as ds, _OPEN_LOCK:
                out[n] = ds.load()
        return out
    finally:
        close()
        for raw, target in zip(raws, targets, strict=True):
            if raw != target:
                raw.unlink(missing_ok=True)
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
