"""docs/kpis.md's table of what moves each indicator is what tools/gen_kpi_drivers.py measures:
the levers are re-measured here (one run each); the parameter column is checked to name free
parameters of the table (re-measuring all of them takes minutes: run the tool with --check)."""

from __future__ import annotations

import importlib.util
import re

import pytest
from conftest import REPO

TOOL = REPO / "tools" / "gen_kpi_drivers.py"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_kpi_drivers", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rows(gen) -> dict[str, tuple[set[str], set[str]]]:
    doc = gen.DOC.read_text()
    assert gen.BEGIN in doc and gen.END in doc, "docs/kpis.md has no generated drivers table"
    block = doc.split(gen.BEGIN, 1)[1].split(gen.END, 1)[0]
    rows = {}
    for line in block.splitlines():
        m = re.match(r"\| `([a-z0-9_]+)` \| (.*) \| (.*) \|$", line)
        if m:
            rows[m.group(1)] = (
                set(re.findall(r"`(\w+)`", m.group(2))),
                set(re.findall(r"`(\w+)`", m.group(3))),
            )
    return rows


def test_every_yearly_indicator_has_a_row(core, gen):
    import tradeeco

    spec = tradeeco.load_scenario_string(gen.scenario_text(), "kpi_drivers.toml")
    model = tradeeco.Model(spec)
    yearly = [i["name"] for i in model.series_info() if i["frequency"] == "yearly"]
    assert list(_rows(gen)) == yearly


def test_parameter_column_names_free_parameters(core, gen):
    import tradeeco

    table = tradeeco.parameter_table().set_index("key")
    for indicator, (_, params) in _rows(gen).items():
        for key in params:
            assert key in table.index, f"{indicator}: unknown parameter {key}"
            assert not table.loc[key, "pinned"], f"{indicator}: {key} is pinned"


def test_lever_column_is_what_the_model_does(core, gen):
    import tradeeco

    measured = gen.lever_drivers(tradeeco.lever_catalogue())
    for indicator, (levers, _) in _rows(gen).items():
        expected = {name for name, hit in measured.items() if indicator in hit}
        assert levers == expected, (
            f"{indicator}: docs/kpis.md lists {sorted(levers)}, the model moves it by "
            f"{sorted(expected)}: run python tools/gen_kpi_drivers.py"
        )


def test_moved_threshold(gen):
    base = {"a": 100.0, "b": 0.0, "c": float("nan")}
    assert gen.moved(base, {"a": 100.5, "b": 0.0, "c": 1.0}) == set()
    assert gen.moved(base, {"a": 102.0, "b": 0.02, "c": 1.0}) == {"a", "b"}
