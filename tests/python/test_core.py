"""The compiled core: version, exception mapping, scenarios (Spec) and catalogues."""

from __future__ import annotations

import contextlib
import copy
import datetime
import importlib.metadata
from pathlib import Path

import pandas as pd
import pytest

import tradeeco

REPO = Path(__file__).resolve().parents[2]

BAD_SCENARIO = '[scenario]\nname = "bad"\nreplicates = "many"\n'


def pyproject_version() -> str:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(REPO / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def test_version_matches_pyproject_and_metadata(core):
    assert core.version() == pyproject_version()
    assert tradeeco.__version__ == core.version()
    # (no distribution metadata when running from a build folder)
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        assert importlib.metadata.version("tradeeco") == core.version()
    assert isinstance(core.git_revision(), str) and core.git_revision()


# --- exception mapping -----------------------------------------------------------------------


def test_exception_hierarchy(core):
    assert tradeeco.TradeecoError is core.TradeecoError
    assert issubclass(tradeeco.ScenarioError, tradeeco.TradeecoError)
    assert issubclass(tradeeco.ScenarioError, ValueError)
    assert issubclass(tradeeco.ModelError, tradeeco.TradeecoError)
    assert issubclass(tradeeco.ModelError, RuntimeError)
    assert issubclass(tradeeco.ResultIOError, tradeeco.TradeecoError)
    assert issubclass(tradeeco.ResultIOError, OSError)
    assert issubclass(tradeeco.RunCancelled, KeyboardInterrupt)
    assert not issubclass(tradeeco.RunCancelled, Exception)
    assert tradeeco.ScenarioError.__module__ == "tradeeco"


@pytest.mark.parametrize(
    ("kind", "exc"),
    [
        ("scenario", "ScenarioError"),
        ("model", "ModelError"),
        ("io", "ResultIOError"),
        ("base", "TradeecoError"),
    ],
)
def test_cpp_errors_map_to_python_classes_with_the_same_message(core, kind, exc):
    message = "something specific went wrong: 42"
    with pytest.raises(getattr(tradeeco, exc)) as info:
        core._raise(kind, message)
    assert type(info.value) is getattr(tradeeco, exc)
    if kind == "scenario":
        assert str(info.value) == "test.toml:3:7: policy[0].strength: " + message
        assert (info.value.file, info.value.line, info.value.column, info.value.key) == (
            "test.toml",
            3,
            7,
            "policy[0].strength",
        )
    else:
        assert str(info.value) == message


def test_run_cancelled_maps_to_keyboard_interrupt(core):
    with pytest.raises(tradeeco.RunCancelled, match="run cancelled"):
        core._raise("cancelled")
    with pytest.raises(KeyboardInterrupt):
        core._raise("cancelled")


def test_scenario_error_names_file_line_and_key(core):
    with pytest.raises(tradeeco.ScenarioError) as info:
        tradeeco.load_scenario_string(BAD_SCENARIO, "bad.toml")
    e = info.value
    assert str(e).startswith("bad.toml:3:")
    assert "scenario.replicates" in str(e)
    assert (e.file, e.line, e.key) == ("bad.toml", 3, "scenario.replicates")


def test_a_horizon_inside_a_month_is_refused(core):
    # The model steps by whole months: a date inside one was silently widened to it.
    text = '[scenario]\nname = "mid"\nstart = 2024-01-15\n'
    with pytest.raises(tradeeco.ScenarioError, match="the first day of a month") as info:
        tradeeco.load_scenario_string(text, "mid.toml")
    assert (info.value.file, info.value.line, info.value.key) == ("mid.toml", 3, "scenario.start")
    with pytest.raises(
        tradeeco.ScenarioError, match=r"the last day of a month.*2025-06-30"
    ) as info:
        tradeeco.load_scenario("baseline").with_(end=datetime.date(2025, 6, 15))
    assert info.value.key == "scenario.end"


def test_missing_scenario_file_is_a_scenario_error(core, tmp_path):
    with pytest.raises(tradeeco.ScenarioError, match="no such file"):
        tradeeco.load_scenario(tmp_path / "missing.toml")


def test_unknown_shipped_name(core):
    with pytest.raises(FileNotFoundError, match="baseline"):
        tradeeco.scenario_path("no_such_scenario")


# --- Spec ------------------------------------------------------------------------------------


def test_spec_properties(baseline):
    s = baseline
    assert s.name == "baseline"
    assert isinstance(s.description, str)
    assert s.replicates == 3
    assert isinstance(s.seed, int)
    assert isinstance(s.start, datetime.date) and isinstance(s.end, datetime.date)
    assert s.start < s.end
    assert s.population_scale > 0
    assert "baseline" in s.resolved_text
    assert isinstance(s.parameters, dict)
    assert isinstance(s.instruments, list)
    assert isinstance(s.shocks, list)
    assert set(s.outputs) == {"firm_snapshots", "train_departures", "shipment_flows"}
    assert "baseline" in repr(s)


def test_spec_is_read_only_and_with_returns_a_copy(core):
    baseline = tradeeco.load_scenario("baseline")
    with pytest.raises(AttributeError):
        baseline.seed = 5
    changed = baseline.with_(seed=7, replicates=2)
    assert (changed.seed, changed.replicates) == (7, 2)
    assert (baseline.seed, baseline.replicates) != (7, 2)
    assert "overridden at run time" in changed.resolved_text
    assert "overridden at run time" not in baseline.resolved_text
    params = baseline.parameters
    params["anything"] = 1.0  # a copy: the spec does not change
    assert "anything" not in baseline.parameters
    assert copy.deepcopy(baseline).seed == baseline.seed


@pytest.mark.parametrize(
    "kwargs",
    [
        {"replicates": 0},
        {"replicates": -3},
        {"replicates": 1.5},
        {"seed": -1},
        {"seed": 2**64},
        {"seed": True},
        {"population_scale": 0},
        {"end": datetime.date(2020, 1, 1)},
    ],
)
def test_spec_with_rejects_bad_values(baseline, kwargs):
    with pytest.raises(ValueError):
        baseline.with_(**kwargs)


def test_spec_with_end_and_scale(baseline):
    s = baseline.with_(end="2024-06-30", population_scale=0.5)
    assert s.end == datetime.date(2024, 6, 30)
    assert s.population_scale == 0.5


def test_shipped_scenarios_all_validate(core):
    shipped = tradeeco.shipped_scenarios()
    assert "baseline" in shipped
    for name, path in shipped.items():
        spec = tradeeco.load_scenario(path)
        assert spec.name == name, f"{path} declares name {spec.name!r}"
        for inst in spec.instruments:
            assert {"label", "measure", "lever", "start", "strength", "unit", "target"} <= set(inst)
            assert isinstance(inst["start"], datetime.date)


def test_as_spec_accepts_names_paths_and_specs(baseline):
    assert tradeeco.as_spec(baseline) is baseline
    assert tradeeco.as_spec("baseline").name == "baseline"
    assert tradeeco.as_spec(tradeeco.scenario_path("baseline")).name == "baseline"
    with pytest.raises(TypeError):
        tradeeco.as_spec(42)


# --- catalogues ------------------------------------------------------------------------------


def test_parameter_table(core):
    table = tradeeco.parameter_table()
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == tradeeco._parameters.COLUMNS
    assert {"key", "value", "unit", "min", "max", "prior", "pinned", "used_by", "source"} <= set(
        table.columns
    )
    assert table["key"].is_unique
    assert (table["min"] < table["max"]).all()
    assert ((table["min"] <= table["value"]) & (table["value"] <= table["max"])).all()
    assert set(table["prior"]) <= {"uniform", "triangular", "normal", "lognormal"}
    assert table["pinned"].dtype == bool and table["pinned"].any() and not table["pinned"].all()
    assert (table["unit"].str.strip() != "").all() and (table["source"].str.strip() != "").all()
    # used_by names files of models/src
    for files in table["used_by"]:
        for f in files.split(", "):
            assert list((REPO / "models" / "src").glob(f + ".[ch]pp")), f


def test_lever_and_shock_catalogues(core):
    levers = tradeeco.lever_catalogue()
    assert len(levers) == 19
    names = {lv["name"] for lv in levers}
    assert {"freight_subsidy", "platform_outreach", "aeo_cultivation"} <= names
    for lv in levers:
        assert lv["min"] <= lv["max"]
        assert all(1 <= m <= 27 for m in lv["measures"])
        assert set(lv["targeting"]) <= {"sectors", "regions", "locations", "routes", "sme_only"}
    shocks = tradeeco.shock_catalogue()
    assert {s["name"] for s in shocks} >= {"tariff", "route_disruption"}
    tax = core.taxonomy()
    assert "asean" in tax["regions"] and "clt_rail" in tax["routes"]
