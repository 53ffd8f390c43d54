"""docs/parameters.md is what tools/gen_parameter_docs.py generates from the compiled parameter
table and models/src/routes.hpp, and every parameter says its unit and its source."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO

DOC = REPO / "docs" / "parameters.md"
TOOL = REPO / "tools" / "gen_parameter_docs.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("gen_parameter_docs", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def gen():
    return _load_tool()


def test_committed_doc_equals_generated(core, gen):
    assert DOC.read_text() == gen.generate(), (
        "docs/parameters.md is stale: run python tools/gen_parameter_docs.py"
    )


def test_check_mode_exit_codes(core, tmp_path):
    stale = tmp_path / "parameters.md"
    stale.write_text("# Parameters\n\nold\n")
    run = [sys.executable, str(TOOL), "--out", str(stale)]
    r = subprocess.run([*run, "--check"], capture_output=True, text=True)
    assert r.returncode == 1 and "out of date" in r.stderr
    assert subprocess.run(run, capture_output=True).returncode == 0
    assert subprocess.run([*run, "--check"], capture_output=True).returncode == 0


def test_every_parameter_has_unit_and_source(core):
    table = core.parameter_table()
    assert len(table) >= 40
    for p in table:
        assert p["source"].strip(), f"{p['key']}: no source"
        assert p["description"].strip(), f"{p['key']}: no description"
        assert p["min"] <= p["value"] <= p["max"], f"{p['key']}: default outside [min, max]"


def test_every_doc_row_has_unit_marker_and_source(core):
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in DOC.read_text().splitlines()
        if re.match(r"\| `[a-z0-9_.]+` \| [-0-9]", line)
    ]
    keys = {p["key"] for p in core.parameter_table()}
    param_rows = [r for r in rows if r[0].strip("`") in keys]
    assert {r[0].strip("`") for r in param_rows} == keys, "every parameter appears once"
    assert len(param_rows) == len(keys)
    for r in param_rows:
        key, unit, source = r[0], r[2], r[9]
        assert unit, f"{key}: empty unit cell (an empty unit must render as 'dimensionless')"
        assert source, f"{key}: empty source"


def test_every_parameter_is_in_a_section(core, gen):
    sections = gen.parameter_sections(gen.parameters_source())
    missing = [p["key"] for p in core.parameter_table() if p["key"] not in sections]
    assert not missing, f"keys not found in parameters.cpp sections: {missing}"


def test_route_parse_matches_the_model(core, gen):
    """The parsed route table agrees with the services the model builds (timetable, capacity)."""
    import tradeeco

    tax = core.taxonomy()
    data = gen.route_data(tax)
    assert [r["route"] for r in data["routes"]] == tax["routes"]
    services = tradeeco.Model("baseline", replicate=0).agents("services").sort_values("route")
    np.testing.assert_allclose(
        services["departures_per_week"].to_numpy(),
        [r["departures_per_week"] for r in data["routes"]],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        services["teu_per_departure"].to_numpy(),
        [r["teu_per_departure"] for r in data["routes"]],
    )
    assert [s["region"] for s in data["sea_legs"]] == tax["regions"]
    assert set(data["value_cny_per_kg"]) == set(tax["sectors"])
    duisburg = data["routes"][0]
    assert duisburg["mode"] == "rail" and duisburg["regions"] == ["eu"]
    assert data["routes"][tax["routes"].index("air")]["regions"] == tax["regions"]
    # The rail-sea route to Jakarta sails 18 days from Qinzhou (anchors: 20 days door to door).
    assert data["asean_port_days"]["lsc_rail_sea_jakarta"] == 18
    assert data["asean_port_days"]["yangtze_river_sea"] == 0


def test_parser_on_a_snippet(gen):
    text = """
    inline constexpr std::array<route_data, num_routes> route_table{{
        // first note
        {mode::rail, 12, 26000, 2059.0 / 52 * 0.5, 82, 1.5, bit(region::eu), "data"},
        {mode::air, 2, 5e5, 60, 3, 0.3, all_regions & ~bit(region::b),
         "x"}, // trailing
    }};
    """
    routes = gen.parse_routes(text, ["r1", "r2"], ["eu", "b", "c"])
    assert routes[0]["departures_per_week"] == pytest.approx(2059 / 52 * 0.5)
    assert routes[0]["comments"] == ["first note"]
    assert routes[1]["regions"] == ["eu", "c"]
    assert routes[1]["leg_rate_cny_per_teu"] == 5e5
    assert routes[1]["comments"] == ["trailing"]
    with pytest.raises(ValueError, match="2 routes"):
        gen.parse_routes(text, ["r1", "r2", "r3"], ["eu", "b", "c"])
