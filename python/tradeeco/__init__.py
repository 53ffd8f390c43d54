"""tradeeco: an agent-based simulation of Chongqing's foreign trade 2024-2027.

The model itself is C++ (``tradeeco._core``); this package is the Python face of it:

* :func:`run` runs a scenario's replicates into a result file and returns an xarray.Dataset;
  :func:`open` opens a result file; :class:`Model` steps one replicate interactively.
* :func:`ensemble` runs studies at scale (scenarios x replicates x parameter designs) in
  resumable shards, on local threads or a Dask cluster, into one file per scenario.
* :func:`load_scenario`, :func:`scenario_path` and :func:`shipped_scenarios` find and validate
  scenarios; a :class:`Spec` is the validated, immutable result.
* :func:`nowcast` conditions an ensemble on observed monthly statistics (a particle filter)
  and gives updated P(met) and early warnings (:mod:`tradeeco.nowcast`, docs/nowcast.md).
* :func:`required` finds the smallest strength of a lever (or package) that meets a target with
  a given probability, and its cost; :func:`optimize` searches for the cheapest packages that
  meet a set of targets (:mod:`tradeeco.policy_search`).
* :func:`sensitivity` finds which parameters drive each target's verdict and each plan effect
  (Morris screening, then Sobol indices; :mod:`tradeeco.sensitivity`).
* :func:`calibrate` fits the free parameters to the 2024 levels and the stylized facts by ABC-SMC
  and writes the posterior the runs sample (:mod:`tradeeco.calibrate`, docs/calibration.md).
* :mod:`tradeeco.targets` holds the plan's targets; :mod:`tradeeco.analysis` computes the
  probability of meeting them, paired scenario differences and tidy frames, and draws fan charts
  and package comparisons.
* :func:`report` writes the planner's report: one self-contained HTML page, in Chinese or
  English, comparing result files (the module is :mod:`tradeeco.report`).
* ``tradeeco`` on the command line (:mod:`tradeeco.cli`) does the same from a shell.

Example:
    >>> import tradeeco
    >>> ds = tradeeco.run("baseline", replicates=4, progress=False)  # doctest: +SKIP
    >>> tradeeco.analysis.attainment(ds)  # doctest: +SKIP
"""

from __future__ import annotations

from . import analysis, plot, posterior, targets
from ._native import available as _core_available
from ._native import core as _core_or_raise
from ._results import open, open_events, run, run_many, seal, unit_label
from ._scenarios import (
    as_spec,
    load_scenario,
    load_scenario_string,
    scenario_path,
    shipped_scenarios,
    with_parameter_overrides,
)
from .calibrate import calibrate  # the function; `from tradeeco.calibrate import ...` the rest
from .ensemble import ensemble
from .errors import (
    CheckpointError,
    ModelError,
    NotPairedError,
    PosteriorError,
    ResultIOError,
    ResultNameWarning,
    RunCancelled,
    ScenarioError,
    TradeecoError,
)
from .model import Model
from .nowcast import nowcast
from .policy_search import optimize, required
from .report import report
from .sensitivity import sensitivity

__all__ = [
    "CheckpointError",
    "Model",
    "ModelError",
    "NotPairedError",
    "PosteriorError",
    "ResultIOError",
    "ResultNameWarning",
    "RunCancelled",
    "ScenarioError",
    "Spec",
    "TradeecoError",
    "__version__",
    "analysis",
    "as_spec",
    "calibrate",
    "ensemble",
    "git_revision",
    "lever_catalogue",
    "load_scenario",
    "load_scenario_string",
    "nowcast",
    "open",
    "open_events",
    "optimize",
    "parameter_table",
    "plot",
    "posterior",
    "report",
    "required",
    "run",
    "run_many",
    "scenario_path",
    "seal",
    "sensitivity",
    "shipped_scenarios",
    "shock_catalogue",
    "targets",
    "unit_label",
    "with_parameter_overrides",
]

if _core_available():
    from ._core import Spec, git_revision, lever_catalogue, shock_catalogue
    from ._core import version as _core_version
    from ._parameters import parameter_table

    __version__: str = _core_version()
else:  # pragma: no cover - a source checkout without the compiled module
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _dist_version

    try:
        __version__ = _dist_version("tradeeco")
    except PackageNotFoundError:
        __version__ = "0+unknown"

    def _missing(*_args, **_kwargs):
        _core_or_raise()

    Spec = None  # type: ignore[assignment]
    git_revision = lever_catalogue = parameter_table = shock_catalogue = _missing
