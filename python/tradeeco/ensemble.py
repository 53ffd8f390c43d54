"""Ensembles at scale: many replicates of one or more scenarios (optionally over a design of
parameter values), run in resumable shards on local threads or a Dask cluster, and joined into
one result file per scenario.

A *study* is a list of *members*; a member is one scenario (at one design point) with a seed
and a replicate count. Each member's replicates ``[0, N)`` are split into *shards*, contiguous
ranges ``[first, first + n)`` of at most ``batch_size`` replicates. A shard is a plain tradeeco
result file written by ``run_to_file(spec, path, first_replicate=first)``; since results depend
only on (scenario, seed, replicate index), a shard is the same wherever, whenever and on however
many threads it runs. The driver then joins a member's shards, in index order, into one file
with the layout of ``analysis/README.md`` (the replicate coordinate and the event tables'
``replicate`` column renumbered to the study's indices), streaming one shard at a time.

Shards are kept under ``<result file>.shards/`` with a ``manifest.json`` naming the study, until
the join has succeeded. Running the same study again resumes: shard files that exist are
complete (``run_to_file`` writes under a temporary name and renames on success) and are skipped.
Layout, resumability and the Dask set-up are described in ``docs/ensembles.md``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._native import core
from ._results import (
    RESULT_SUFFIX,
    SEAL_BYTES,
    api_call,
    seal_in_place,
    utc_now,
    verify_seal,
    warn_if_not_nc,
)
from ._scenarios import ScenarioLike, as_spec, load_scenario_string, with_parameters
from .errors import ResultIOError, RunCancelled
from .posterior import Posterior, annotate, for_spec, resolve_posterior

__all__ = ["StudyMismatchError", "ensemble", "join_shards", "run_shard", "run_study"]

log = logging.getLogger(__name__)  # resume notes; the CLI shows them on stderr

ProgressArg = bool | Callable[[int, int], object] | None

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "tradeeco-ensemble-shards/1"
DEFAULT_MIN_BATCH, DEFAULT_MAX_BATCH = 16, 64  # replicates per shard unless batch_size is given
SERIES_CHUNK_ROWS = 64  # as sim/src/results_writer.cpp: replicates per series chunk
EVENT_BLOCK_ROWS = 1 << 18  # event rows copied per read/write when joining (2 MiB of float64)
# HDF5 dimension-scale bookkeeping: made by the H5DS calls of the join, never copied.
_SCALE_ATTRS = frozenset({"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST"})


# --- study members ---------------------------------------------------------------------------


@dataclass
class Member:
    """One scenario at one design point: what a result file of the study holds."""

    name: str  # result file stem, unique in the study
    scenario_name: str
    text: str  # scenario TOML that loads on its own (resolved, design parameters merged in)
    seed: int
    replicates: int
    batch_size: int
    population_scale: float
    end: str  # ISO date
    design_point: int | None = None
    design: dict[str, float] = field(default_factory=dict)
    # The posterior each replicate draws its parameter set from; None: fixed parameters.
    posterior: Posterior | None = None
    file: Path = Path()
    # The result file's CF history: one line per driver run of this study, kept in the manifest
    # so that a resumed study records the run it resumes.
    history: list[str] = field(default_factory=list)

    @property
    def shards_dir(self) -> Path:
        return self.file.with_name(self.file.name + ".shards")

    def identity(self) -> dict[str, Any]:
        """What fixes every shard's content. The replicate count is left out on purpose: a
        study extended to more replicates reuses the shards it already has."""
        return {
            "format": MANIFEST_FORMAT,
            "scenario_sha256": hashlib.sha256(self.text.encode()).hexdigest(),
            "seed": str(self.seed),
            "population_scale": repr(self.population_scale),
            "end": self.end,
            "batch_size": self.batch_size,
            "tradeeco_version": _version(),
            "git_revision": _git_revision(),
            **({} if self.posterior is None else {"posterior_sha256": self.posterior.sha256}),
        }

    def study_hash(self) -> str:
        blob = json.dumps(self.identity(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def plan(self) -> list[tuple[int, int]]:
        """The shards, (first, n), in index order."""
        b = self.batch_size
        return [(f, min(b, self.replicates - f)) for f in range(0, self.replicates, b)]

    def shard_path(self, first: int, n: int) -> Path:
        return self.shards_dir / f"replicates-{first:06d}-{first + n - 1:06d}{RESULT_SUFFIX}"

    def spec(self, replicates: int):
        """The Spec a shard of `replicates` replicates runs (the same on every machine)."""
        return shard_spec(
            self.text,
            self.name,
            ".",
            self.seed,
            replicates,
            self.population_scale,
            self.end,
            self.posterior,
        )


def _version() -> str:
    return core().version()


def _shard_command(command: str, first: int, n: int) -> str:
    return f"{command} [shard: replicates {first}-{first + n - 1}]"


def _git_revision() -> str:
    return core().git_revision()


def shard_spec(
    text: str,
    name: str,
    base_dir: str,
    seed: int,
    replicates: int,
    population_scale: float | None = None,
    end: str | None = None,
    posterior: Posterior | None = None,
):
    """The Spec of a shard: the scenario text with seed, replicate count and the run-time
    overrides (population scale, end date) applied through ``Spec.with_``, drawing its
    replicates' parameter sets from `posterior` (None: fixed parameters)."""
    spec = load_scenario_string(text, name, base_dir)
    spec = spec.with_(
        seed=int(seed),
        replicates=int(replicates),
        population_scale=population_scale if population_scale != spec.population_scale else None,
        end=end if end is not None and end != spec.end.isoformat() else None,
    )
    return spec if posterior is None else posterior.apply(spec)


def run_shard(
    text: str,
    name: str,
    base_dir: str,
    seed: int,
    first: int,
    n: int,
    shard_path: str,
    *,
    population_scale: float | None = None,
    end: str | None = None,
    threads: int = 1,
    command: str = "",
    posterior: Posterior | None = None,
) -> dict[str, Any]:
    """Runs replicates ``[first, first + n)`` of a scenario given as TOML text into
    ``shard_path``: the task a Dask worker runs. It takes a specification, not a simulation
    object, so it pickles small, and it is idempotent: a shard already on disk is complete and
    is not run again (a task retried after a worker died costs nothing twice). `command` is
    the study's command, recorded in the shard's ``history`` attribute."""
    path = Path(shard_path)
    started = time.perf_counter()
    if not path.exists():
        spec = shard_spec(text, name, base_dir, seed, n, population_scale, end, posterior)
        core().run_to_file(
            spec,
            os.fspath(path),
            threads=threads,
            first_replicate=first,
            history=_shard_command(command, first, n),
        )
    return {
        "path": str(path),
        "first": first,
        "n": n,
        "seconds": time.perf_counter() - started,
        "pid": os.getpid(),
    }


# --- building the study ----------------------------------------------------------------------


def _scenario_list(scenario) -> tuple[list[tuple[str | None, Any]], bool]:
    """[(label or None, scenario-like)], and whether a single scenario was given."""
    if isinstance(scenario, Mapping):
        return [(str(k), v) for k, v in scenario.items()], False
    if isinstance(scenario, (str, os.PathLike)) or not isinstance(scenario, Iterable):
        return [(None, scenario)], True
    return [(None, s) for s in scenario], False


def _design_list(design) -> list[dict[str, float]] | None:
    if design is None:
        return None
    if hasattr(design, "to_dict") and hasattr(design, "columns"):  # a pandas DataFrame
        design = design.to_dict("records")
    points = [dict(p) for p in design]
    if not points:
        raise ValueError("design is empty: give at least one dict of parameter values")
    for i, p in enumerate(points):
        for k, v in p.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise TypeError(f"design point {i}: parameter {k!r} must be a number, got {v!r}")
    return points


def _members(
    scenario,
    replicates: int | None,
    seed: int | None,
    batch_size: int | None,
    design,
    posterior=None,
    fixed_parameters: bool = False,
) -> tuple[list[Member], bool]:
    items, single = _scenario_list(scenario)
    default = resolve_posterior(posterior, fixed_parameters)
    points = _design_list(design)
    if not items:
        raise ValueError("no scenario given")
    members: list[Member] = []
    for label, sc in items:
        spec = as_spec(sc)
        _, drawn_from = for_spec(spec, posterior, fixed_parameters, default)
        n = spec.replicates if replicates is None else replicates
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"replicates must be an integer >= 1, got {n!r}")
        n = int(n)
        spec.with_(replicates=n)  # within a scenario's range, before any plan is made of it
        b = _batch_size(n, batch_size)
        s = spec.seed if seed is None else seed
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seed must be an integer >= 0, got {s!r}")
        base = label or spec.name
        for i, point in enumerate(points or [None]):
            text = (
                spec.resolved_text if point is None else with_parameters(spec.resolved_text, point)
            )
            width = max(3, len(str(len(points) - 1))) if points else 0
            name = base if point is None else f"{base}-d{i:0{width}d}"
            m = Member(
                name=name,
                scenario_name=spec.name,
                text=text,
                seed=int(s),
                replicates=n,
                batch_size=b,
                population_scale=spec.population_scale,
                end=spec.end.isoformat(),
                design_point=None if point is None else i,
                design=dict(point or {}),
                posterior=drawn_from,
            )
            check = m.spec(1)  # validates the text and the overrides now, before anything runs
            for k, v in m.design.items():
                got = check.parameters.get(str(k))
                if got is None or got != float(v):
                    raise ValueError(
                        f"{name}: parameter {k!r} = {v!r} did not reach the scenario "
                        f"(it reads {got!r})"
                    )
            members.append(m)
    seen: dict[str, int] = {}
    for m in members:  # unique file names: baseline, baseline-2, ...
        k = seen.get(m.name, 0) + 1
        seen[m.name] = k
        if k > 1:
            m.name = f"{m.name}-{k}"
    return members, single and points is None


def _batch_size(replicates: int, batch_size: int | None) -> int:
    if batch_size is None:
        # About 16 shards for mid-size studies (bounded loss when a run is killed); at least
        # 16 replicates each, because every shard costs about one extra replicate's model
        # construction and a file (0.25 s against 0.37 s a replicate for the full baseline);
        # at most 64 (bounded shard files). Independent of the thread count, so a study
        # resumes with any number of threads.
        return min(DEFAULT_MAX_BATCH, max(DEFAULT_MIN_BATCH, math.ceil(replicates / 16)))
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be an integer, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    return int(batch_size)


# --- shards on disk --------------------------------------------------------------------------


class StudyMismatchError(ValueError):
    """An output's shard folder holds shards of another study (another scenario text, seed,
    batch size or tradeeco build): resuming would mix them, so nothing is run."""


class _StudyLock:
    """An exclusive lock on a member's shard folder, so two drivers never run one study at
    once. flock is released by the kernel when the process dies, so a killed driver does not
    block the rerun that resumes it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".lock"
        self.fd: int | None = None

    def __enter__(self) -> _StudyLock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on Linux
            return self
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise RuntimeError(
                f"{self.path.parent}: another tradeeco ensemble is running this study"
            ) from None
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def _write_manifest(m: Member) -> None:
    doc = {
        "study": m.study_hash(),
        "member": m.name,
        "scenario_name": m.scenario_name,
        "replicates": m.replicates,
        "design_point": m.design_point,
        "design": m.design,
        "shards": [m.shard_path(f, n).name for f, n in m.plan()],
        "history": m.history,
        **m.identity(),
    }
    tmp = m.shards_dir / f"{MANIFEST}.tmp-{os.getpid()}"
    try:
        tmp.write_text(json.dumps(doc, indent=2) + "\n")
        os.replace(tmp, m.shards_dir / MANIFEST)
    finally:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half-written manifest behind


def _prepare_shards(m: Member, resume: bool) -> None:
    """Makes the (locked) shard folder ready for this study: kept if it holds the same study
    (resume), emptied if resume is off, refused if it holds another study."""
    folder = m.shards_dir
    if not resume:
        for p in folder.iterdir():
            if p.name == ".lock":
                continue
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
        return
    old = _read_manifest(folder)
    if old is not None and old.get("study") != m.study_hash():
        differ = [k for k, v in m.identity().items() if str(old.get(k)) != str(v)]
        raise StudyMismatchError(
            f"{folder} holds shards of another study (differs in: "
            f"{', '.join(differ) or 'identity'}); resume=False (--no-resume) discards "
            "them, or choose another output path"
        )


def _shard_ok(path: Path, first: int, n: int, seed: int) -> bool:
    """A shard file on disk is this shard, complete. The rename on success already makes
    presence mean complete; this also catches a file truncated later or put there by hand."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            a = f.attrs
            return (
                int(a["first_replicate"][0]) == first
                and int(a["replicates"][0]) == n
                and _text(a["seed_text"]) == str(seed)
                and "finished_at" in a
                and f["replicate"].shape == (n,)
            ) and _intact(path)
    except Exception:
        return False


def _intact(path: Path) -> bool:
    """The file's seal matches its bytes (a shard or result damaged on disk after it was
    written is run again rather than joined or kept)."""
    try:
        verify_seal(path)
    except ResultIOError as e:
        log.warning("%s", e)
        return False
    return True


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return _text(value.item()) if value.size == 1 else ""
    return str(value)


def _pending(m: Member) -> list[tuple[int, int]]:
    """Shards still to run; removes temporaries of killed runs and foreign or broken shards."""
    planned = {m.shard_path(f, n).name for f, n in m.plan()}
    for p in m.shards_dir.iterdir():
        if p.name in (MANIFEST, ".lock"):
            continue
        if ".tmp-" in p.name or (p.suffix in (".h5", RESULT_SUFFIX) and p.name not in planned):
            p.unlink(missing_ok=True)
    todo = []
    for f, n in m.plan():
        p = m.shard_path(f, n)
        if p.exists() and _shard_ok(p, f, n, m.seed):
            continue
        p.unlink(missing_ok=True)
        todo.append((f, n))
    return todo


def _output_done(m: Member) -> bool:
    """The member's result file exists and is this study, complete."""
    if not m.file.exists():
        return False
    import h5py

    try:
        with h5py.File(m.file, "r") as f:
            study = _text(f.attrs.get("ensemble_study", b""))
            done = study == m.study_hash() and f["replicate"].shape == (m.replicates,)
    except Exception:
        return False
    return done and _intact(m.file)


# --- progress --------------------------------------------------------------------------------


class _Progress:
    """Replicates done across the whole study, for a tqdm bar or a callable(done, total) that
    may return False to cancel."""

    def __init__(self, progress: ProgressArg, total: int, desc: str) -> None:
        self.total, self.done, self.cancelled = total, 0, False
        self.callback: Callable[[int, int], object] | None = None
        self.bar = None
        if callable(progress):
            self.callback = progress
        elif progress:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, desc=desc, unit="replicate", leave=False, dynamic_ncols=True
            )

    def set(self, done: int, label: str | None = None) -> bool:
        self.done = done
        if self.bar is not None:
            if label and label != self.bar.desc:
                self.bar.set_postfix_str(label, refresh=False)
            self.bar.update(done - self.bar.n)
        if self.callback is not None and self.callback(done, self.total) is False:
            self.cancelled = True
            return False
        return True

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


# --- running ---------------------------------------------------------------------------------


def _run_local_shared(work, threads: int, progress: _Progress, command: str) -> None:
    """Runs the pending shards of every member, one shard range at a time across members: the
    members of a range that share a layout (parameters, seed, population, horizon, outputs)
    simulate the months before their first policy once per replicate (run_many_to_files)."""
    by_range: dict[tuple[int, int], list[Member]] = {}
    for m, todo in work:
        for first, n in todo:
            by_range.setdefault((first, n), []).append(m)
    for (first, n), members in by_range.items():
        done_before = progress.done
        label = members[0].name if len(members) == 1 else f"{len(members)} scenarios"

        def cb(done: int, total: int, _before=done_before, _label=label) -> bool:
            return progress.set(_before + done, _label)

        core().run_many_to_files(
            [m.spec(n) for m in members],
            [os.fspath(m.shard_path(first, n)) for m in members],  # paths reach the core as str
            threads=threads,
            first_replicate=first,
            progress=cb,
            history=_shard_command(command, first, n),
        )
        progress.set(done_before + n * len(members), label)


def _run_dask(members_todo, client, threads: int, progress: _Progress, command: str) -> None:
    from distributed import as_completed

    futures = {}
    # A fresh key per driver run: a key the client already knows (from a cancelled or failed
    # earlier attempt in the same session) would hand back that old future.
    run_id = uuid.uuid4().hex[:8]
    for m, todo in members_todo:
        for first, n in todo:
            key = f"tradeeco-shard-{m.name}-{first}-{n}-{m.study_hash()[:8]}-{run_id}"
            fut = client.submit(
                run_shard,
                m.text,
                m.name,
                ".",
                m.seed,
                first,
                n,
                str(m.shard_path(first, n).resolve()),
                population_scale=m.population_scale,
                end=m.end,
                threads=threads,
                command=command,
                posterior=m.posterior,
                key=key,
                pure=False,
            )
            futures[fut] = (m, n)
    if not futures:
        return
    try:
        for fut in as_completed(list(futures)):
            fut.result()  # re-raises a task's error (a scenario or model error) here
            m, n = futures[fut]
            if not progress.set(progress.done + n, m.name):
                raise RunCancelled("ensemble cancelled by the progress callback")
    except KeyboardInterrupt as e:
        client.cancel(list(futures))
        if isinstance(e, RunCancelled):
            raise
        raise RunCancelled("ensemble cancelled") from e
    except BaseException:
        client.cancel(list(futures))
        raise


def ensemble(
    scenario: ScenarioLike | Sequence[ScenarioLike] | Mapping[str, ScenarioLike],
    *,
    replicates: int | None = None,
    seed: int | None = None,
    threads: int = 1,
    client=None,
    out: str | os.PathLike | None = None,
    batch_size: int | None = None,
    design: Iterable[Mapping[str, float]] | None = None,
    resume: bool = True,
    progress: ProgressArg = True,
    keep_shards: bool = False,
    command: str | None = None,
    posterior: str | os.PathLike | Posterior | None = None,
    fixed_parameters: bool = False,
):
    """Runs a study (scenarios by replicates, optionally by parameter design points) in
    resumable shards, locally or on a Dask cluster, into one result file per scenario.

    Args:
        scenario: a scenario (shipped name, file, or Spec); a list of them; or a dict
            ``name -> scenario`` naming the result files.
        replicates: replicates per scenario (default: each scenario's own count).
        seed: the base seed of every scenario (default: each scenario's own, which the
            shipped ones share, so their replicates are paired). Replicate ``i`` of a scenario
            is the same number for a given seed wherever it runs.
        threads: threads per shard (0 = all cores). Results do not depend on it.
        client: a ``distributed.Client``; shards then run as tasks on its workers, which must
            see ``out`` at the same path (a shared file system). None runs them here.
        out: the result file of a single scenario; for a list, a dict or a design, a folder
            that receives ``<name>.nc`` per member. None runs into a temporary folder and
            returns the results in memory.
        batch_size: replicates per shard (default: ``ceil(replicates / 16)`` within
            [16, 64]; on a cluster, choose it so that there are several shards per worker).
        design: a list of dicts of parameter overrides (or a DataFrame, one row per point);
            every scenario runs at every point, into ``<name>-d000.nc``, ``<name>-d001.nc``...
            with the same seed, so design points are paired too.
        resume: reuse the shards a killed or cancelled run of the same study left (and a
            finished result file of the same study as is). False starts again.
        progress: True for a tqdm bar, False for none, or ``callable(done, total)`` counting
            replicates; returning False cancels (finished shards stay for a resume).
        keep_shards: keep ``<file>.shards/`` after the join (default: removed).
        command: what to record in each result file's ``history`` attribute (the CLI passes
            its command line); default: this call, e.g. ``tradeeco.ensemble('plan', ...)``.
        posterior: a posterior file (or :class:`tradeeco.posterior.Posterior`) each replicate
            draws its parameter set from, by (seed, replicate): the same in every scenario, so
            scenarios stay paired. Default: the shipped posterior
            (``tradeeco/data/posterior.csv``) if there is one, else fixed parameters.
        fixed_parameters: True runs every replicate with the parameter table's values (and
            the scenario's overrides), ignoring any posterior.

    Returns:
        An xarray.Dataset for a single scenario without a design, else a dict
        ``name -> Dataset`` (opened lazily from the files; loaded into memory when
        ``out`` is None).

    Raises:
        ScenarioError: a scenario or design point is invalid (before anything runs).
        RunCancelled: Ctrl-C or the progress callback cancelled; finished shards are kept.

    Example:
        >>> import tradeeco
        >>> ds = tradeeco.ensemble(
        ...     "baseline", replicates=1000, threads=2, out="b.nc"
        ... )  # doctest: +SKIP
        >>> runs = tradeeco.ensemble(
        ...     ["baseline", "plan"], replicates=200, out="study"
        ... )  # doctest: +SKIP
    """
    # What fixes the study's content, passed on as given and recorded in the history.
    study = {
        "replicates": replicates,
        "seed": seed,
        "threads": threads,
        "batch_size": batch_size,
        "design": design,
        "posterior": posterior,
        "fixed_parameters": fixed_parameters or None,
    }
    if command is None:
        shown_resume = None if resume else False  # the default is left out
        command = api_call("tradeeco.ensemble", scenario, out=out, resume=shown_resume, **study)
    tmpdir = Path(tempfile.mkdtemp(prefix="tradeeco-ensemble-")) if out is None else None
    try:
        files, single = run_study(
            scenario,
            out=tmpdir if out is None else out,
            client=client,
            resume=resume,
            progress=progress,
            keep_shards=keep_shards,
            command=command,
            _single_in_folder=out is None,
            **study,
        )
        from ._results import open as open_result

        results = {name: open_result(path) for name, path in files.items()}
        if tmpdir is not None:
            results = {k: _load_close(ds) for k, ds in results.items()}
        return next(iter(results.values())) if single else results
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def run_study(
    scenario,
    *,
    out: str | os.PathLike,
    replicates: int | None = None,
    seed: int | None = None,
    threads: int = 1,
    client=None,
    batch_size: int | None = None,
    design=None,
    resume: bool = True,
    progress: ProgressArg = True,
    keep_shards: bool = False,
    command: str | None = None,
    posterior: str | os.PathLike | Posterior | None = None,
    fixed_parameters: bool | None = False,
    _single_in_folder: bool = False,
) -> tuple[dict[str, Path], bool]:
    """:func:`ensemble` without opening the results: ``({name: result file}, single)`` where
    `single` says whether one scenario without a design was given (then `out` is the file)."""
    if command is None:
        command = api_call(
            "tradeeco.ensemble.run_study", scenario, out=out, replicates=replicates, seed=seed
        )
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ValueError(f"threads must be an integer >= 0 (0 = all cores), got {threads!r}")
    members, single = _members(
        scenario, replicates, seed, batch_size, design, posterior, bool(fixed_parameters)
    )
    root = Path(out)
    if single and not _single_in_folder:
        if root.is_dir():
            raise IsADirectoryError(
                f"out={root} is a folder; give a file name such as "
                f"{root / members[0].name}{RESULT_SUFFIX}"
            )
        if not root.parent.is_dir():
            raise FileNotFoundError(f"out={root}: folder {root.parent} does not exist")
        warn_if_not_nc(root)
        members[0].file = root
    else:
        if root.exists() and not root.is_dir():
            raise NotADirectoryError(
                f"out={root}: a study of several scenarios or design points writes a "
                "folder of result files; give a folder"
            )
        root.mkdir(parents=True, exist_ok=True)
        for m in members:
            m.file = root / f"{m.name}{RESULT_SUFFIX}"
    _run_members(members, threads, client, resume, progress, keep_shards, command)
    return {m.name: m.file for m in members}, single


def _load_close(ds):
    with ds:
        return ds.load()


def _run_members(members, threads, client, resume, progress_arg, keep_shards, command) -> None:
    total = sum(m.replicates for m in members)
    desc = members[0].name if len(members) == 1 else f"{len(members)} scenarios"
    progress = _Progress(progress_arg, total, desc)
    try:
        with contextlib.ExitStack() as locks:
            work = []
            done = 0
            for m in members:
                if resume and _output_done(m):
                    done += m.replicates
                    _remove_shards(m, keep_shards)
                    continue
                m.shards_dir.mkdir(parents=True, exist_ok=True)
                locks.enter_context(_StudyLock(m.shards_dir))
                _prepare_shards(m, resume)
                # _prepare_shards refused another study's folder: this history is this study's.
                m.history = list((_read_manifest(m.shards_dir) or {}).get("history", []))
                todo = _pending(m)
                kept = len(m.plan()) - len(todo)
                line = f"{utc_now()}: {command}"
                if kept:
                    line += f" (resumed: {kept} of {len(m.plan())} shards done before)"
                m.history.append(line)
                _write_manifest(m)
                done += m.replicates - sum(n for _, n in todo)
                work.append((m, todo))
            progress.set(done)
            resumed = [(m, len(m.plan()) - len(t)) for m, t in work if len(t) < len(m.plan())]
            for m, k in resumed:
                log.info("%s: resuming, %d of %d shard(s) already done", m.name, k, len(m.plan()))
            if client is None:
                _run_local_shared(work, threads, progress, command)
            else:
                _run_dask(work, client, threads, progress, command)
            for m, _ in work:
                _join_shards(
                    [(m.shard_path(f, n), f) for f, n in m.plan()],
                    m.file,
                    root_attributes=_root_attributes(m, threads, client),
                    history=m.history,
                    command=command,
                    annotate=_annotator(m),
                )
                _remove_shards(m, keep_shards)
    finally:
        progress.close()


def _remove_shards(m: Member, keep: bool) -> None:
    if keep or not m.shards_dir.exists():
        return
    shutil.rmtree(m.shards_dir, ignore_errors=True)


def _root_attributes(m: Member, threads: int, client) -> dict[str, str | float]:
    full = m.spec(m.replicates)
    attrs: dict[str, str | float] = {
        "scenario_text": full.resolved_text,
        "replicates": float(m.replicates),
        "first_replicate": 0.0,
        "threads": float(threads),
        "ensemble_study": m.study_hash(),
        "ensemble_backend": "local" if client is None else "dask",
        "ensemble_batch_size": float(m.batch_size),
        "ensemble_shards": float(len(m.plan())),
    }
    if m.design_point is not None:
        attrs["design_point"] = float(m.design_point)
        attrs["design_parameters"] = json.dumps(m.design, sort_keys=True)
    return attrs


# --- joining shards --------------------------------------------------------------------------


def _attr_names(obj) -> list[str]:
    return list(obj.attrs)  # creation order where it is tracked (always, in tradeeco files)


def _copy_attr(src_id, dst_id, name: str) -> None:
    """Copies one attribute byte for byte, with its exact HDF5 type and dataspace (fixed-length
    strings stay netCDF NC_CHAR, empty strings stay null dataspaces)."""
    from h5py import h5a, h5s

    b = name.encode("utf-8")
    if h5a.exists(dst_id, b):
        h5a.delete(dst_id, b)
    a = h5a.open(src_id, b)
    tid, sid = a.get_type(), a.get_space()
    out = h5a.create(dst_id, b, tid, sid)
    if sid.get_simple_extent_type() != h5s.NULL:
        buf = np.empty(sid.shape, dtype=a.dtype)
        a.read(buf, mtype=tid)
        out.write(buf, mtype=tid)


def _set_text_attr(dst_id, name: str, value: str) -> None:
    """A text attribute as results_writer.cpp writes it: fixed-length, null-terminated, ASCII
    or UTF-8, a null dataspace when empty."""
    from h5py import h5a, h5s, h5t

    b = name.encode("utf-8")
    if h5a.exists(dst_id, b):
        h5a.delete(dst_id, b)
    raw = value.encode("utf-8")
    tid = h5t.C_S1.copy()
    tid.set_size(max(1, len(raw)))
    tid.set_strpad(h5t.STR_NULLTERM)
    tid.set_cset(h5t.CSET_ASCII if raw.isascii() else h5t.CSET_UTF8)
    sid = h5s.create(h5s.SCALAR if raw else h5s.NULL)
    attr = h5a.create(dst_id, b, tid, sid)
    if raw:
        attr.write(np.array(raw, dtype=f"S{len(raw)}"), mtype=tid)


def _set_number_attr(dst_id, name: str, value: float) -> None:
    """A number as netCDF-C writes it: a 1-element float64 array."""
    from h5py import h5a, h5s, h5t

    b = name.encode("utf-8")
    if h5a.exists(dst_id, b):
        h5a.delete(dst_id, b)
    attr = h5a.create(dst_id, b, h5t.IEEE_F64LE, h5s.create_simple((1,)))
    attr.write(np.array([value], dtype="<f8"))


def _set_attr(dst_id, name: str, value) -> None:
    if isinstance(value, str):
        _set_text_attr(dst_id, name, value)
    else:
        _set_number_attr(dst_id, name, float(value))


def _copy_attrs(src, dst, skip=()) -> None:
    for name in _attr_names(src):
        if name not in _SCALE_ATTRS and name not in skip:
            _copy_attr(src.id, dst.id, name)


def _new_dataset(group, src, shape, maxshape, chunks=None):
    """A dataset with the creation properties of `src` (filters, fill value, attribute
    creation order), another shape and, optionally, another chunk shape."""
    import h5py
    from h5py import h5d, h5s

    dcpl = src.id.get_create_plist()
    if chunks is not None:
        dcpl.set_chunk(tuple(chunks))
    mx = tuple(h5s.UNLIMITED if m is None else m for m in maxshape)
    space = h5s.create_simple(tuple(shape), mx)
    dsid = h5d.create(
        group.id, src.name.rsplit("/", 1)[-1].encode(), src.id.get_type(), space, dcpl=dcpl
    )
    return h5py.Dataset(dsid)


def _make_scale(ds, name: bytes) -> None:
    from h5py import h5ds

    h5ds.set_scale(ds.id, name)


def _attach(ds, scale, axis: int) -> None:
    from h5py import h5ds

    h5ds.attach_scale(ds.id, scale.id, axis)


def _hdf5_version() -> str:
    import h5py

    return h5py.version.hdf5_version


def join_shards(
    shards: Sequence[tuple[str | os.PathLike, int]],
    out: str | os.PathLike,
    *,
    root_attributes: Mapping[str, str | float] | None = None,
    history: Sequence[str] | None = None,
    command: str | None = None,
) -> Path:
    """Joins shard result files, given as ``(path, first replicate)`` in index order and
    covering ``[0, N)`` without gaps, into one result file with the layout of
    ``analysis/README.md``. Series rows and event tables are copied bit for bit; the replicate
    coordinate becomes ``0 … N-1`` and event tables' ``replicate`` column is renumbered from
    each shard's local indices to the study's. Coordinates, variable attributes and root
    attributes come from the first shard, root attributes updated by `root_attributes`.

    The ``history`` attribute is `history` (lines; default: the first shard's history) with a
    line appended: the UTC time, `command` (default: this call) and what was joined. Warns
    (ResultNameWarning) if `out` does not end in ``.nc``.

    Streams: one shard's rows of one variable (or 2 MiB of an event column) are in memory at a
    time. The file is written as ``<out>.tmp-<pid>``, sealed as results_writer.cpp seals its
    files (see :func:`tradeeco._results.verify_seal`) and renamed when complete. Each shard's
    seal is checked first.
    """
    warn_if_not_nc(out)
    if command is None:
        command = api_call("tradeeco.ensemble.join_shards", list(shards), out)
    return _join_shards(
        shards, out, root_attributes=root_attributes, history=history, command=command
    )


def _annotator(m: Member):
    """Adds the parameter-set variables to a member's joined file (None for fixed parameters)."""
    if m.posterior is None:
        return None
    overrides = m.spec(1).parameters
    return lambda path: annotate(path, m.posterior, overrides)


def _join_shards(shards, out, *, root_attributes, history, command, annotate=None) -> Path:
    import h5py

    out = Path(out)
    shards = [(Path(p), int(f)) for p, f in shards]
    if not shards:
        raise ValueError("join_shards: no shards")
    sizes, started, finished = [], [], []
    expected = 0
    for p, first in shards:
        if first != expected:
            raise ValueError(f"join_shards: {p} starts at replicate {first}, expected {expected}")
        verify_seal(p)  # a shard damaged on disk must not reach the joined file
        with h5py.File(p, "r") as f:
            n = f["replicate"].shape[0]
            started.append(_text(f.attrs.get("started_at", b"")))
            finished.append(_text(f.attrs.get("finished_at", b"")))
            if history is None:
                history = [ln for ln in _text(f.attrs.get("history", b"")).splitlines() if ln]
        sizes.append(n)
        expected += n
    total = expected
    root = dict(root_attributes or {})
    # CF 2.6.2: each rewrite appends a line; the shards' own lines name the same command.
    joined = f"joined {len(shards)} shards (replicates 0-{total - 1}) into {out.name}"
    root["history"] = "\n".join([*history, f"{utc_now()}: {command}: {joined}"])
    # The study ran from its first shard's start to its last shard's end (ISO 8601 sorts).
    if any(started):
        root.setdefault("started_at", min(s for s in started if s))
    if any(finished):
        root.setdefault("finished_at", max(finished))
    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    _reserve_room(tmp, sum(p.stat().st_size for p, _ in shards) + (1 << 20))
    failure = None
    with _quiet_h5py_close_errors():
        try:
            with (
                h5py.File(shards[0][0], "r") as f0,
                h5py.File(
                    tmp, "w", libver=("v108", "v108"), track_order=True,
                    userblock_size=SEAL_BYTES,
                ) as dst,
            ):  # fmt: skip
                _join_layout_and_data(f0, dst, shards, sizes, total, root)
            if annotate is not None:
                annotate(tmp)
            seal_in_place(tmp)
            os.replace(tmp, out)
        except OSError as e:  # a full disk, most likely: one line naming the file
            tmp.unlink(missing_ok=True)
            if isinstance(e, ResultIOError):
                raise
            failure = os.strerror(e.errno) if e.errno else str(e).splitlines()[0]
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    if failure is not None:  # raised here, once HDF5's objects of the failed file are gone
        raise ResultIOError(f"{out}: joining the shards failed: {failure}")
    return out


def _reserve_room(tmp: Path, size: int) -> None:
    """Fails early, before HDF5 writes anything, if the joined file cannot fit: the shards'
    total size (an upper bound: the join holds the same data once, and one file's metadata)
    is allocated as `tmp` and freed again. HDF5 cannot close a file whose last write failed
    and crashes at exit over it (seen with h5py's HDF5 2.0.0), so a disk that fills during the join must be
    caught before it starts; a disk filled by someone else in between remains possible."""
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.posix_fallocate(fd, 0, size)
        finally:
            os.close(fd)
    except OSError as e:
        reason = os.strerror(e.errno) if e.errno else str(e)
        raise ResultIOError(
            f"{tmp.with_name(tmp.name.split('.tmp-')[0])}: no room to join the shards "
            f"({size / 1e6:.1f} MB needed): {reason}; the shards are kept, run again when "
            "there is room"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _quiet_h5py_close_errors():
    """h5py reports each object it cannot close (its file's last write failed: a full disk) as
    a traceback printed on stderr, besides the error that matters, which is raised. stderr is
    held while a join writes and passed on afterwards without those reports."""
    import io
    import sys

    held, real = io.StringIO(), sys.stderr
    sys.stderr = held
    try:
        yield
    finally:
        import gc

        gc.collect()  # objects of a failed file are released (and reported) here
        sys.stderr = real
        text = held.getvalue()
        if text and "h5py/_objects.pyx" not in text:
            real.write(text)


def _join_layout_and_data(f0, dst, shards, sizes, total, root_attrs) -> None:
    import h5py

    # Root attributes in the first shard's order, the study's values replacing the shard's.
    version = _text(f0.attrs.get("tradeeco_version", b"")) or "unknown"
    root_attrs.setdefault("_NCProperties", f"version=2,tradeeco={version},hdf5={_hdf5_version()}")
    for name in _attr_names(f0):
        if name in root_attrs:
            _set_attr(dst.id, name, root_attrs.pop(name))
        else:
            _copy_attr(f0.id, dst.id, name)
    for name, value in root_attrs.items():
        _set_attr(dst.id, name, value)

    # Variables in the first shard's creation order; the replicate coordinate last, as the
    # C++ writer does, once its length is known (a fixed dimension: fast opens).
    scales: dict[str, h5py.Dataset] = {}
    series: list[tuple[str, h5py.Dataset]] = []
    names = [k for k in f0 if k not in ("replicate", "events")]
    for name in names:
        src = f0[name]
        if not isinstance(src, h5py.Dataset):
            continue
        if _text(src.attrs.get("CLASS", b"")) == "DIMENSION_SCALE":  # month, year
            ds = _new_dataset(dst, src, src.shape, src.maxshape)
            ds[...] = src[...]
            _make_scale(ds, src.attrs["NAME"])
            _copy_attrs(src, ds)
            scales[name] = ds
        else:
            periods = src.shape[1]
            chunk_rows = min(SERIES_CHUNK_ROWS, total)
            ds = _new_dataset(dst, src, (total, periods), (None, periods), (chunk_rows, periods))
            _copy_attrs(src, ds)
            dim = h5py.h5ds.get_scale_name(src.dims[1][0].id).decode()
            _attach(ds, scales[dim], 1)
            series.append((name, ds))

    tables = _create_tables(f0, dst)

    rep_src = f0["replicate"]
    rep = dst.create_dataset(
        "replicate",
        shape=(total,),
        dtype=rep_src.dtype,
        data=np.arange(total, dtype="<i4"),
        track_order=True,
    )
    _make_scale(rep, b"replicate")
    _copy_attrs(rep_src, rep)
    for _, ds in series:
        _attach(ds, rep, 0)

    # Data, shard by shard in index order: at most one shard's rows of one variable in memory.
    for (path, first), n in zip(shards, sizes, strict=True):
        with h5py.File(path, "r") as f:
            for name, ds in series:
                src = f[name]
                if src.shape[0] != n or src.shape[1] != ds.shape[1]:
                    raise ValueError(f"join_shards: {path}: {name} has shape {src.shape}")
                ds[first : first + n, :] = src[...]
            for tname, (row, columns) in tables.items():
                _append_table(f, path, tname, row, columns, first)


def _create_tables(f0, dst):
    """The event-table groups, empty, with their row dimension and columns."""
    import h5py

    tables: dict[str, tuple[h5py.Dataset, dict[str, h5py.Dataset]]] = {}
    if "events" not in f0:
        return tables
    ev_src = f0["events"]
    ev = dst.create_group("events", track_order=True)
    _copy_attrs(ev_src, ev)
    for tname in ev_src:
        gsrc = ev_src[tname]
        g = ev.create_group(tname, track_order=True)
        _copy_attrs(gsrc, g)
        row_src = gsrc["row"]
        row = _new_dataset(g, row_src, (0,), (None,))
        _make_scale(row, row_src.attrs["NAME"])
        _copy_attrs(row_src, row)
        columns = {}
        for cname in gsrc:
            if cname == "row":
                continue
            csrc = gsrc[cname]
            c = _new_dataset(g, csrc, (0,), (None,))
            _attach(c, row, 0)
            _copy_attrs(csrc, c)
            columns[cname] = c
        tables[tname] = (row, columns)
    return tables


def _append_table(f, path, tname, row, columns, first) -> None:
    g = f["events"][tname]
    n = g["replicate"].shape[0]
    if n == 0:
        return
    start = row.shape[0]
    row.resize((start + n,))
    for cname, c in columns.items():
        src = g[cname]
        if src.shape[0] != n:
            raise ValueError(f"join_shards: {path}: events/{tname}/{cname} has {src.shape[0]} rows")
        c.resize((start + n,))
        for i in range(0, n, EVENT_BLOCK_ROWS):
            j = min(n, i + EVENT_BLOCK_ROWS)
            block = src[i:j]
            if cname == "replicate":
                block = block + np.int32(first)  # local index -> the study's index
            c[start + i : start + j] = block
