"""Finding and loading scenarios: shipped ones by name, files by path, or Spec objects as is."""

from __future__ import annotations

import importlib.resources
import json
import math
import numbers
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Union

from ._native import core
from .errors import ScenarioError

if TYPE_CHECKING:
    from ._core import Spec

ScenarioLike = Union["Spec", str, os.PathLike]

__all__ = [
    "ScenarioLike",
    "as_spec",
    "load_scenario",
    "load_scenario_string",
    "scenario_path",
    "shipped_scenarios",
    "with_parameter_overrides",
    "with_parameters",
]


def _scenario_dirs() -> list[Path]:
    """Folders holding shipped scenarios: the installed package data, then (in a source
    checkout) the repository's scenarios/files."""
    dirs = []
    installed = Path(str(importlib.resources.files("tradeeco"))) / "scenarios"
    if installed.is_dir():
        dirs.append(installed)
    source = Path(__file__).resolve().parents[2] / "scenarios" / "files"
    if source.is_dir() and source not in dirs:
        dirs.append(source)
    return dirs


def shipped_scenarios() -> dict[str, Path]:
    """The scenarios shipped with tradeeco, name → path, sorted by name.

    >>> import tradeeco
    >>> "baseline" in tradeeco.shipped_scenarios()  # doctest: +SKIP
    True
    """
    found: dict[str, Path] = {}
    for d in _scenario_dirs():
        for p in sorted(d.glob("*.toml")):
            found.setdefault(p.stem, p)
    return dict(sorted(found.items()))


def scenario_path(name: str) -> Path:
    """The file of a shipped scenario, e.g. ``scenario_path("baseline")``.

    Raises FileNotFoundError listing the shipped names if there is no such scenario.
    """
    name = str(name)
    stem = name[:-5] if name.endswith(".toml") else name
    shipped = shipped_scenarios()
    if stem in shipped:
        return shipped[stem]
    available = ", ".join(shipped) or "none found"
    raise FileNotFoundError(f"no shipped scenario named {name!r} (shipped: {available})")


def load_scenario(path: str | os.PathLike) -> Spec:
    """Reads, resolves ``extends`` and validates a scenario file. Raises ScenarioError.

    A bare name without a folder or ``.toml`` (``"baseline"``) means a shipped scenario.
    """
    return core().load_scenario(os.fspath(_resolve_path(path)))


def load_scenario_string(
    text: str, name: str = "<string>", base_dir: str | os.PathLike = "."
) -> Spec:
    """Validates a scenario given as TOML text; ``name`` stands for the file name in error
    messages and ``base_dir`` resolves ``extends``. Raises ScenarioError."""
    return core().load_scenario_string(text, name, os.fspath(base_dir))


def _resolve_path(scenario: str | os.PathLike) -> Path:
    p = Path(scenario)
    if p.exists() or p.suffix == ".toml" or len(p.parts) > 1:
        return p
    return scenario_path(str(scenario))


def as_spec(scenario: ScenarioLike) -> Spec:
    """A Spec from a Spec, a path to a scenario file, or a shipped scenario's name."""
    spec_type = core().Spec
    if isinstance(scenario, spec_type):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)
    raise TypeError(
        f"expected a Spec, a scenario file path or a shipped scenario name, got {type(scenario).__name__}"
    )


# --- parameter overrides ---------------------------------------------------------------------

_TABLE_HEADER = re.compile(r"^\s*\[")
_KEY = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_.\-]+))\s*=""")


def _toml_number(v) -> str:
    if isinstance(v, numbers.Integral):
        return str(int(v))
    x = float(v)
    if not math.isfinite(x):
        raise ValueError(f"parameter value {v!r} is not finite")
    return repr(x)  # shortest text that reads back as the same double


def with_parameters(text: str, parameters: Mapping[str, float]) -> str:
    """Scenario text with `parameters` merged into its ``[parameters]`` table: a key already
    there is replaced, others are added. Works on a scenario's ``resolved_text`` (one flat
    ``[parameters]`` table); the text is validated when it is loaded."""
    if not parameters:
        return text
    lines = text.splitlines()
    header = next(
        (i for i, ln in enumerate(lines) if re.match(r"^\s*\[parameters\]\s*(#.*)?$", ln)), None
    )
    if header is None:
        lines += ["", "[parameters]"]
        header = len(lines) - 1
    end = header + 1
    while end < len(lines) and not _TABLE_HEADER.match(lines[end]):
        end += 1
    wanted = {str(k) for k in parameters}
    kept = []
    for ln in lines[header + 1 : end]:
        m = _KEY.match(ln)
        key = None if m is None else next(g for g in m.groups() if g is not None)
        if key not in wanted:
            kept.append(ln)
    added = [f"{json.dumps(str(k))} = {_toml_number(v)}" for k, v in parameters.items()]
    out = [*lines[: header + 1], *added, *kept, *lines[end:]]
    return "\n".join(out) + "\n"


def with_parameter_overrides(
    scenario: ScenarioLike, parameters: Mapping[str, float] | None, origin: str = "parameters"
) -> Spec:
    """A Spec with ``parameters`` overriding the parameter table, validated exactly like a
    scenario's ``[parameters]`` table: an unknown key or a value outside the parameter's
    plausible range raises ScenarioError naming the key and the range. The overrides become
    part of the spec's resolved text, so result files record them. ``origin`` names where the
    overrides came from (``--set``, ``parameters=``) in messages."""
    spec = as_spec(scenario)
    if not parameters:
        return spec
    for key, value in parameters.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ScenarioError(f"{origin}: parameter {key!r} must be a number, got {value!r}")
    text = with_parameters(spec.resolved_text, parameters)
    return load_scenario_string(text, name=f"{spec.name} ({origin})")
