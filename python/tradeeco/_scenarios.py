"""Finding and loading scenarios: shipped ones by name, files by path, or Spec objects as is."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path
from typing import TYPE_CHECKING, Union

from ._native import core

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
