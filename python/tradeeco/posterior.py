"""Posteriors of parameter sets: loading them, letting each replicate draw one, and recording the
draw in result files.

A posterior file is UTF-8 CSV (docs/calibration.md, "How runs use the posterior")::

    # method: ABC-SMC (pyabc)
    # created: 2026-11-29
    # tradeeco_version: 0.9.0
    # git_revision: abc1234
    # data: data/chongqing_history.csv 2024 levels; docs/validation.md stylized facts
    # population_scale: 0.1
    # replicates_per_particle: 2
    set, weight, trade_elasticity, exit_hazard
    0, 1, 4.1, 0.08
    1, 1, 3.7, 0.11

The ``# key: value`` lines give provenance (the keys of :data:`REQUIRED_PROVENANCE` at least);
then the header ``set,weight,<parameter key>,...`` and one row per set: ``set`` = 0..N-1,
``weight`` >= 0 (normalized on load), values within each parameter's [min, max]. Parameters not
in the file keep their table values.

Replicate ``r`` of a run with seed ``s`` draws set ``draw_parameter_set(weights, s, r)``
(``models/src/parameters.cpp``: a counter-based stream of (seed, replicate) only), so every
scenario run with the same seed gives replicate ``r`` the same set: paired comparisons pair on
(parameter set, seed). Explicit overrides (a scenario's ``[parameters]``, ``--set``,
``parameters=``) win over the set's values for the same key.

Result files then hold ``parameter_set(replicate)`` (int32, the set drawn) and
``parameter_value(replicate, parameter)`` (float64, the values the replicate ran with), over a
string coordinate ``parameter``, and root attributes ``parameter_sets = "posterior"`` and
``posterior_<provenance key>``. Files run with fixed parameters have neither variable and
``parameter_sets = "fixed"``.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import PosteriorError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = [
    "REQUIRED_PROVENANCE",
    "SHIPPED_POSTERIOR",
    "Posterior",
    "load_posterior",
    "parameter_sets_of",
    "resolve_posterior",
]

#: Where the package's posterior lives (``tradeeco calibrate`` writes it). Runs sample it by
#: default when it exists; without it they run with fixed parameters.
SHIPPED_POSTERIOR = Path(__file__).resolve().parent / "data" / "posterior.csv"

#: Provenance every posterior file must state in its ``# key: value`` lines.
REQUIRED_PROVENANCE = (
    "method",
    "created",
    "tradeeco_version",
    "git_revision",
    "data",
    "population_scale",
    "replicates_per_particle",
)

_PROVENANCE = re.compile(r"#\s*([a-z][a-z0-9_]*)\s*:\s*(.*?)\s*")
_FIXED_COLUMNS = ("set", "weight")


@dataclass(frozen=True, eq=False)
class Posterior:
    """A weighted sample of parameter sets, as loaded by :func:`load_posterior`.

    Attributes:
        keys: parameter-table keys, one per column of ``values``.
        values: float64 array (sets, keys).
        weights: float64 array (sets,), summing to 1.
        provenance: the file's ``# key: value`` lines.
        source: the file it was read from (or a label).
        replicates_per_set: M; replicates ``[k M, (k + 1) M)`` share the set drawn for block
            ``k`` (a nested design, so that the variance within a set can be measured; see
            :func:`tradeeco.analysis.variance_decomposition`). 1: each replicate draws its own.
        replicates_per_driver_path: D (dividing M); replicates ``[k D, (k + 1) D)`` share one
            driver path, so that the drivers' part can be told from the noise's. 1: each
            replicate draws its own path.
    """

    keys: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    provenance: dict[str, str] = field(default_factory=dict)
    source: str = "<posterior>"
    replicates_per_set: int = 1
    replicates_per_driver_path: int = 1

    def __len__(self) -> int:
        return len(self.weights)

    @property
    def sha256(self) -> str:
        """A digest of the keys, values and weights (what fixes the runs' parameters)."""
        h = hashlib.sha256()
        h.update("\0".join(self.keys).encode())
        h.update(np.ascontiguousarray(self.values, dtype="<f8").tobytes())
        h.update(np.ascontiguousarray(self.weights, dtype="<f8").tobytes())
        h.update(f"{self.replicates_per_set}/{self.replicates_per_driver_path}".encode())
        return h.hexdigest()

    def nested(self, replicates_per_set: int, replicates_per_driver_path: int = 1) -> Posterior:
        """A copy whose replicates draw one set per block of `replicates_per_set` (M) and one
        driver path per block of `replicates_per_driver_path` (D, dividing M): a nested design
        that separates the variance of parameters, drivers and noise."""
        import dataclasses

        m, d = replicates_per_set, replicates_per_driver_path
        for name, v in (("replicates_per_set", m), ("replicates_per_driver_path", d)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
        if m % d:
            raise ValueError(
                f"replicates_per_driver_path ({d}) must divide replicates_per_set ({m})"
            )
        return dataclasses.replace(
            self, replicates_per_set=int(m), replicates_per_driver_path=int(d)
        )

    def draw(self, seed: int, replicates) -> np.ndarray:
        """The set index each replicate (an iterable of indices) of a run with `seed` draws: the
        model's own draw (``_core.draw_parameter_set``)."""
        from ._native import core

        reps = [
            int(r) // self.replicates_per_set
            for r in np.atleast_1d(np.asarray(replicates, dtype=np.int64))
        ]
        return np.asarray(core().draw_parameter_set(list(self.weights), int(seed), reps), "i4")

    def apply(self, spec):
        """A copy of `spec` whose replicates draw from this posterior."""
        prov = [(k, str(v)) for k, v in self.provenance.items()]
        prov += [("file", self.source), ("sha256", self.sha256)]
        return spec.with_parameter_sets(
            list(self.keys),
            self.values.tolist(),
            self.weights.tolist(),
            prov,
            self.replicates_per_set,
            self.replicates_per_driver_path,
        )

    @classmethod
    def of_spec(cls, spec) -> Posterior | None:
        """The sets a Spec carries (``Spec.parameter_sets``), or None."""
        sets = spec.parameter_sets
        if sets is None:
            return None
        prov = dict(sets["provenance"])
        return cls(
            keys=tuple(sets["keys"]),
            values=np.asarray(sets["values"], dtype=float).reshape(len(sets["weights"]), -1),
            weights=np.asarray(sets["weights"], dtype=float),
            provenance={k: v for k, v in prov.items() if k not in ("file", "sha256")},
            source=prov.get("file", "<Spec>"),
            replicates_per_set=int(sets["replicates_per_set"]),
            replicates_per_driver_path=int(sets["replicates_per_driver_path"]),
        )

    def to_frame(self) -> pd.DataFrame:
        """The sets as a DataFrame indexed by ``set``: ``weight`` then one column per key."""
        import pandas as pd

        df = pd.DataFrame(self.values, columns=list(self.keys))
        df.insert(0, "weight", self.weights)
        df.index.name = "set"
        return df


def load_posterior(path: str | os.PathLike, *, table: pd.DataFrame | None = None) -> Posterior:
    """Reads and checks a posterior file (format: this module's docstring).

    `table` is the parameter table to check keys and ranges against (default:
    ``tradeeco.parameter_table()``).

    Raises:
        FileNotFoundError: there is no such file.
        PosteriorError: the file is empty or not UTF-8, provenance is missing or malformed, a
            key is unknown or repeated, a value is out of its parameter's range, a weight is
            negative or not a number, a set is repeated or missing, or a row has the wrong
            number of fields. The message names the file, line, column and key, and says what
            was expected and what was found.

    Example:
        >>> import tradeeco
        >>> post = tradeeco.posterior.load_posterior("posterior.csv")  # doctest: +SKIP
        >>> len(post), post.keys[:2]  # doctest: +SKIP
        (200, ('trade_elasticity', 'exit_hazard'))
    """
    path = Path(path)
    if path.is_dir():
        raise PosteriorError(str(path), 0, 0, "", "a posterior CSV file", "a folder")
    raw = path.read_bytes()  # FileNotFoundError as is
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PosteriorError(
            str(path), 0, 0, "", "UTF-8 text", f"byte {e.start}: {e.reason}"
        ) from None
    return parse_posterior(text, str(path), table=table)


def parse_posterior(
    text: str, source: str = "<posterior>", *, table: pd.DataFrame | None = None
) -> Posterior:
    """:func:`load_posterior` on text; `source` names it in messages."""
    if table is None:
        from ._parameters import parameter_table

        table = parameter_table()
    ranges = {
        str(k): (float(lo), float(hi))
        for k, lo, hi in zip(table["key"], table["min"], table["max"], strict=True)
    }

    def fail(line: int, column: int, key: str, expected: str, found: str):
        raise PosteriorError(source, line, column, key, expected, found)

    if "\0" in text:
        fail(0, 0, "", "text", "a NUL character (a binary file?)")
    lines = text.splitlines()
    if not any(ln.strip() for ln in lines):
        fail(
            0,
            0,
            "",
            "'# key: value' provenance lines, a header and parameter sets",
            "an empty file",
        )

    provenance: dict[str, str] = {}
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        ln = lines[i]
        i += 1
        if not ln.strip():
            continue
        m = _PROVENANCE.fullmatch(ln)
        if m is None:
            fail(i, 1, "", "a provenance line '# key: value' (key: a-z, 0-9, _)", repr(ln[:80]))
        key, value = m.group(1), m.group(2)
        if key in provenance:
            fail(i, 1, key, f"provenance key {key!r} once", "it again")
        if not value:
            fail(i, 1, key, f"a value after '{key}:'", "nothing")
        provenance[key] = value
    missing = [k for k in REQUIRED_PROVENANCE if k not in provenance]
    if missing:
        fail(max(i, 1), 0, missing[0], f"provenance lines for {', '.join(missing)}", "none")
    _check_provenance(provenance, source, lines)

    if i >= len(lines):
        fail(len(lines), 0, "", "a header line 'set,weight,<parameter key>,...'", "the end of file")
    header_line = i + 1
    rows = list(csv.reader(io.StringIO("\n".join(lines[i:]))))
    header = [h.strip() for h in rows[0]]
    if tuple(header[:2]) != _FIXED_COLUMNS:
        fail(header_line, 1, "", "a header starting 'set,weight'", repr(",".join(header[:2])))
    keys = header[2:]
    if not keys:
        fail(header_line, 3, "", "at least one parameter column after set,weight", "none")
    for c, key in enumerate(keys, start=3):
        if key not in ranges:
            fail(header_line, c, key, "a parameter-table key (tradeeco parameters)", repr(key))
        if keys.index(key) != c - 3:
            fail(header_line, c, key, "each parameter once", "it again")

    sets: dict[int, int] = {}  # set -> its line
    weights: list[float] = []
    values: list[list[float]] = []
    order: list[int] = []
    for j, row in enumerate(rows[1:], start=header_line + 1):
        if not row or all(not f.strip() for f in row):
            continue  # blank lines (a trailing newline) are not sets
        if len(row) != len(header):
            fail(
                j,
                0,
                "",
                f"{len(header)} fields (set, weight, {len(keys)} parameters)",
                str(len(row)),
            )
        s = row[0].strip()
        if not re.fullmatch(r"[0-9]+", s):
            fail(j, 1, "set", "an integer >= 0", repr(s))
        n = int(s)
        if n in sets:
            fail(j, 1, "set", f"each set once (set {n} is on line {sets[n]})", f"set {n} again")
        sets[n] = j
        w = _number(row[1])
        if w is None or w < 0:
            fail(j, 2, "weight", "a finite number >= 0", repr(row[1].strip()))
        vals = []
        for c, (key, field_) in enumerate(zip(keys, row[2:], strict=True), start=3):
            v = _number(field_)
            lo, hi = ranges[key]
            if v is None:
                fail(j, c, key, "a finite number", repr(field_.strip()))
            if not lo <= v <= hi:
                fail(j, c, key, f"a value in the parameter's range [{lo:g}, {hi:g}]", f"{v!r}")
            vals.append(v)
        order.append(n)
        weights.append(w)
        values.append(vals)
    if not order:
        fail(header_line, 0, "", "at least one parameter set after the header", "none")
    expected = set(range(len(order)))
    if set(order) != expected:
        bad = min(n for n in order if n not in expected)
        fail(sets[bad], 1, "set", f"sets numbered 0..{len(order) - 1}", f"set {bad}")
    total = math.fsum(weights)
    if not total > 0:
        fail(header_line, 2, "weight", "weights that sum to more than 0", "all 0")
    idx = np.argsort(order)
    w = np.asarray(weights, dtype=float)[idx]
    return Posterior(
        keys=tuple(keys),
        values=np.asarray(values, dtype=float).reshape(len(order), len(keys))[idx],
        weights=w / w.sum(),
        provenance=provenance,
        source=source,
    )


def _number(text: str) -> float | None:
    try:
        v = float(text.strip())
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _check_provenance(prov: Mapping[str, str], source: str, lines: list[str]) -> None:
    def line_of(key: str) -> int:
        for n, ln in enumerate(lines, start=1):
            m = _PROVENANCE.fullmatch(ln)
            if m and m.group(1) == key:
                return n
        return 0

    created = prov["created"]
    try:
        datetime.datetime.fromisoformat(created.removesuffix("Z"))
    except ValueError:
        raise PosteriorError(
            source, line_of("created"), 0, "created", "a UTC ISO date (2026-11-29)", repr(created)
        ) from None
    scale = _number(prov["population_scale"])
    if scale is None or scale <= 0:
        raise PosteriorError(
            source, line_of("population_scale"), 0, "population_scale", "a number > 0",
            repr(prov["population_scale"]),
        )  # fmt: skip
    reps = prov["replicates_per_particle"]
    if not re.fullmatch(r"[0-9]+", reps) or int(reps) < 1:
        raise PosteriorError(
            source, line_of("replicates_per_particle"), 0, "replicates_per_particle",
            "an integer >= 1", repr(reps),
        )  # fmt: skip


# --- which posterior a run uses ---------------------------------------------------------------

#: What runs do when no posterior is shipped and none is given (said once by the CLI).
NO_SHIPPED_NOTE = (
    f"no shipped posterior ({SHIPPED_POSTERIOR.name} not in the package): running with fixed "
    "parameters (the parameter table's values)"
)


def resolve_posterior(
    posterior: str | os.PathLike | Posterior | None = None, fixed_parameters: bool = False
) -> Posterior | None:
    """The posterior a run samples: `posterior` (a file or a :class:`Posterior`) if given,
    else the shipped one (:data:`SHIPPED_POSTERIOR`) if it exists, else None (fixed
    parameters). ``fixed_parameters=True`` gives None; with a `posterior` it is an error."""
    if fixed_parameters:
        if posterior is not None:
            raise ValueError("give either a posterior or fixed_parameters=True, not both")
        return None
    if isinstance(posterior, Posterior):
        return posterior
    if posterior is not None:
        return load_posterior(posterior)
    if SHIPPED_POSTERIOR.is_file():
        return load_posterior(SHIPPED_POSTERIOR)
    return None


def for_spec(spec, posterior, fixed_parameters: bool, default: Posterior | None):
    """(spec ready to run, the Posterior it draws from or None). A Spec that already carries
    parameter sets keeps them when no `posterior` is given and parameters are not fixed;
    otherwise `default` (the resolved `posterior` or shipped one) applies, and with fixed
    parameters any sets the Spec carries are dropped."""
    own = Posterior.of_spec(spec)
    post = own if own is not None and posterior is None and not fixed_parameters else default
    if post is not None:
        return post.apply(spec), post
    return (spec if own is None else spec.with_parameter_sets([], [], [])), None


# --- recording the draw in result files --------------------------------------------------------


def annotate(path: str | os.PathLike, posterior: Posterior, overrides: Mapping[str, float]) -> None:
    """Adds ``parameter_set(replicate)`` and ``parameter_value(replicate, parameter)`` to a
    result file written from a spec with `posterior` applied: the set each replicate drew
    (from the file's seed and replicate coordinate) and the values it ran with (the set's,
    `overrides` winning for their keys). Does not seal: the caller seals and renames."""
    import h5netcdf
    import h5py

    text = h5py.string_dtype("utf-8")  # netCDF-4 strings (NC_STRING)
    with h5netcdf.File(path, "a") as f:
        seed = int(_attr_text(f.attrs["seed_text"]))
        # Row i holds the model's replicate first_replicate + i (run_to_file's numbering).
        first = int(np.asarray(f.attrs.get("first_replicate", 0)).ravel()[0])
        replicates = np.asarray(f.variables["replicate"][...], dtype=np.int64) + first
        drawn = posterior.draw(seed, replicates)
        values = posterior.values[drawn].copy()
        for k, key in enumerate(posterior.keys):
            if key in overrides:
                values[:, k] = float(overrides[key])
        units = _units(posterior.keys)
        f.dimensions["parameter"] = len(posterior.keys)
        coord = f.create_variable("parameter", ("parameter",), dtype=text)
        coord[:] = np.array(posterior.keys, dtype=object)
        coord.attrs["long_name"] = "parameter-table key (tradeeco parameters, docs/parameters.md)"
        ps = f.create_variable("parameter_set", ("replicate",), dtype="i4")
        ps[:] = drawn
        ps.attrs["long_name"] = "parameter set the replicate drew from the posterior"
        ps.attrs["comment"] = (
            f"row 'set' of the posterior file {Path(posterior.source).name}; drawn from "
            "(seed, replicate) by weight, the same in every scenario"
        )
        pv = f.create_variable("parameter_value", ("replicate", "parameter"), dtype="f8")
        pv[:] = values
        pv.attrs["long_name"] = "parameter value the replicate ran with"
        pv.attrs["comment"] = (
            "the drawn set's values; explicit parameter overrides win for their keys. Each "
            "parameter's own unit is in parameter_unit"
        )
        dp = f.create_variable("driver_path", ("replicate",), dtype="i4")
        dp[:] = replicates // posterior.replicates_per_driver_path
        dp.attrs["long_name"] = "driver path the replicate drew (its random-stream key)"
        dp.attrs["comment"] = (
            "replicates with the same value share their world and sector driver paths "
            "(models/src/drivers.cpp); with replicates_per_driver_path = 1 it is the replicate"
        )
        pu = f.create_variable("parameter_unit", ("parameter",), dtype=text)
        pu[:] = np.array(units, dtype=object)
        pu.attrs["long_name"] = "unit of each parameter, as docs/parameters.md writes it"


def _units(keys) -> list[str]:
    from ._parameters import parameter_table

    t = parameter_table().set_index("key")
    return [str(t.loc[k, "unit"]) for k in keys]


def _attr_text(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def parameter_sets_of(ds: xr.Dataset) -> xr.DataArray | None:
    """The set each replicate of a result Dataset drew (``parameter_set``), or None for a run
    with fixed parameters (no such variable)."""
    return ds["parameter_set"] if "parameter_set" in ds.variables else None
