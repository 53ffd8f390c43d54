"""A real result file against the layout documented in analysis/README.md, and the round trip:
what the C++ side recorded equals what xarray reads, bit for bit."""

from __future__ import annotations

import csv
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

REPO = Path(__file__).resolve().parents[2]

SCENARIO = """
[scenario]
name = "layout"
description = "small run for the layout test"
start = 2024-01-01
end = 2025-12-31
seed = 11
replicates = 2
population_scale = 0.1

[outputs]
firm_snapshots = true
train_departures = true
shipment_flows = true
"""

ROOT_ATTRS = {
    "Conventions",
    "title",
    "scenario_name",
    "scenario_description",
    "scenario_text",
    "seed",
    "replicates",
    "first_replicate",
    "threads",
    "population_scale",
    "tradeeco_version",
    "git_revision",
    "started_at",
    "finished_at",
    "institution",
    "source",
    "history",
}
TABLES = {
    "train_departures": ["step", "route", "load_teu", "capacity_teu", "transit_days"],
    "shipment_flows": ["year", "location", "route", "region", "value_cny_100m", "teu"],
    "firm_snapshots": [
        "year",
        "firm_id",
        "sector",
        "location",
        "ownership",
        "sme",
        "specialised_sme",
        "chain_leader",
        "credit_tier",
        "platform_member",
        "indirect_exporter",
        "supplier_of",
        "capability",
        "exports_cny_100m",
        "imports_cny_100m",
        "indirect_exports_cny_100m",
        "destinations_mask",
        "entered_mask",
        "exited_mask",
    ],
}


@pytest.fixture(scope="module")
def result(core, tmp_path_factory):
    spec = core.load_scenario_string(SCENARIO, "layout.toml", str(REPO))
    path = tmp_path_factory.mktemp("layout") / "layout.nc"
    core.run_to_file(spec, str(path), threads=2)
    return spec, path


def test_dimensions_and_coordinates(result):
    _, path = result
    raw = xr.open_dataset(path, engine="h5netcdf", decode_times=False)
    assert set(raw.sizes) == {"replicate", "month", "year"}
    assert not any(d.startswith("phony_dim") for d in raw.sizes)
    assert raw.sizes == {"replicate": 2, "month": 24, "year": 2}
    assert raw["replicate"].dtype == np.int32 and list(raw["replicate"].values) == [0, 1]
    assert raw["year"].dtype == np.int32 and list(raw["year"].values) == [2024, 2025]
    assert raw["year"].attrs["units"] == "year"
    assert raw["month"].dtype == np.int32
    assert raw["month"].attrs["units"] == "days since 2024-01-01"
    assert raw["month"].attrs["calendar"] == "proleptic_gregorian"
    assert list(raw["month"].values[:3]) == [0, 31, 60]  # 2024 is a leap year
    decoded = xr.open_dataset(path, engine="h5netcdf")
    assert str(decoded["month"].values[1])[:10] == "2024-02-01"


def test_series_attributes_and_targets(result):
    _, path = result
    ds = xr.open_dataset(path, engine="h5netcdf")
    with open(REPO / "data" / "targets.csv") as f:
        targets = {row["id"]: row for row in csv.DictReader(f)}
    assert len(ds.data_vars) > 40
    for name, var in ds.data_vars.items():
        assert var.dtype == np.float64, name
        assert var.dims in (("replicate", "month"), ("replicate", "year")), name
        assert var.attrs.get("units") is not None and var.attrs.get("long_name"), name
        assert var.attrs.get("unit_label"), name  # the unit as tables and plots show it
        if var.dims[1] == "year" and name in targets:
            assert var.attrs["target_rule"] == targets[name]["rule"], name
            for year in ("2025", "2027"):
                if targets[name][f"target_{year}"]:
                    assert var.attrs[f"target_{year}"] == float(targets[name][f"target_{year}"])
    # units for UDUNITS-2 / CF tools, unit_label for people (analysis/README.md, "Units").
    assert ds["total_trade_cny_100m"].attrs["units"] == "1e8"
    assert ds["total_trade_cny_100m"].attrs["unit_label"] == "100m CNY"
    assert ds["trading_firms"].attrs["units"] == "1"
    assert ds["trading_firms"].attrs["unit_label"] == "firms"
    assert ds["total_trade_growth"].attrs["units"] == "percent year-1"
    assert ds["clt_rail_days"].attrs["units"] == "days"


def test_root_provenance(result):
    _, path = result
    ds = xr.open_dataset(path, engine="h5netcdf")
    assert set(ds.attrs) >= ROOT_ATTRS
    assert ds.attrs["scenario_name"] == "layout"
    assert ds.attrs["seed"] == 11 and ds.attrs["replicates"] == 2
    assert "population_scale" in ds.attrs["scenario_text"]
    import tradeeco

    assert ds.attrs["tradeeco_version"] == tradeeco.__version__
    # CF 2.6.2 history: "<UTC time>: <command>", here run_to_file called without one.
    assert ds.attrs["history"] == (
        f"{ds.attrs['started_at']}: tradeeco::models::run_to_file(layout, 2 replicates from 0)"
    )


def test_event_groups(result):
    _, path = result
    for table, columns in TABLES.items():
        ev = xr.open_dataset(path, engine="h5netcdf", group=f"events/{table}")
        assert set(ev.sizes) == {"row"}, table
        assert ev["replicate"].dtype == np.int32
        assert set(ev.data_vars) == {"replicate", *columns}, table
        assert set(np.unique(ev["replicate"].values)) == {0, 1}, table
    snaps = xr.open_dataset(path, engine="h5netcdf", group="events/firm_snapshots")
    assert snaps["firm_id"].dtype == np.int64 and snaps["exports_cny_100m"].dtype == np.float64
    assert snaps["exports_cny_100m"].attrs["units"] == "1e8"
    assert snaps["exports_cny_100m"].attrs["unit_label"] == "100m CNY"
    assert "units" not in snaps["sector"].attrs and "unit_label" not in snaps["sector"].attrs
    trains = xr.open_dataset(path, engine="h5netcdf", group="events/train_departures")
    load = trains["load_teu"].attrs
    assert (load["units"], load["unit_label"]) == ("1", "TEU")


def test_dimension_scales_are_attached(result):
    _, path = result
    with h5py.File(path, "r") as f:
        var = f["exports_cny_100m"]
        assert var.dims[0][0].name == "/replicate" and var.dims[1][0].name == "/year"
        assert f["exports_cny_100m_monthly"].dims[1][0].name == "/month"
        assert var.compression == "gzip"


def test_round_trip_bit_for_bit(core, result):
    spec, path = result
    ds = xr.open_dataset(path, engine="h5netcdf")
    for replicate in (0, 1):
        model = core.Model(spec, replicate, 1)
        model.run()
        recorded = model.series()
        assert set(recorded) == set(ds.data_vars)
        for name, values in recorded.items():
            stored = ds[name].sel(replicate=replicate).values
            assert values.tobytes() == stored.tobytes(), name
