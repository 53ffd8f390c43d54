"""Result files keep their CF-1.8 promise: the IOOS compliance-checker (the community's own) finds
0 errors in every kind of file tradeeco writes; units parse with UDUNITS-2 and the unit people
read stays in ``unit_label``; the ``history`` attribute records each write and rewrite; a result
file not named ``*.nc`` is written all the same, with one warning (analysis/README.md, "Units"
and "Provenance")."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import h5py
import pytest

import tradeeco
from tradeeco import cli

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REPO = Path(__file__).resolve().parents[2]

# Every output table on, so the event groups are checked too; small and short for speed.
SCENARIO = """
[scenario]
name = "cf"
description = "small run for the CF checks"
extends = "{baseline}"
end = 2024-12-31
seed = 5
replicates = 2
population_scale = 0.1

[outputs]
firm_snapshots = true
train_departures = true
shipment_flows = true
"""

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


@pytest.fixture(scope="module")
def scenario_file(core, tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "cf.toml"
    path.write_text(SCENARIO.format(baseline=tradeeco.scenario_path("baseline").as_posix()))
    return path


@pytest.fixture(scope="module")
def written(core, scenario_file, tmp_path_factory):
    """One file of each kind tradeeco writes: tradeeco.run, `tradeeco run`, an ensemble's
    shard and its joined file (two shards, so the join really joins), and a nowcast."""
    folder = tmp_path_factory.mktemp("cf")
    files = {"run": folder / "run.nc", "cli": folder / "cli.nc", "ensemble": folder / "ens.nc"}
    tradeeco.run(scenario_file, out=files["run"], progress=False).close()
    assert cli.main(["run", str(scenario_file), "--out", str(files["cli"]), "--quiet"]) == 0
    tradeeco.ensemble(
        scenario_file, out=files["ensemble"], batch_size=1, keep_shards=True, progress=False
    ).close()
    shards = sorted((folder / "ens.nc.shards").glob("replicates-*.nc"))
    assert len(shards) == 2
    files["shard"] = shards[1]
    # A nowcast's weighted ensemble (3 members, 2024 only, conditioned on the 2024 total).
    files["nowcast"] = folder / "now.nc"
    observed = Path(__file__).resolve().parents[2] / "data" / "observations_2024.csv"
    argv = ["nowcast", "baseline", "--observed", str(observed), "--members", "3"]
    argv += ["--end", "2024-12-31", "--out", str(files["nowcast"]), "--quiet"]
    assert cli.main(argv) == 0
    return files


def checker_report(path: Path) -> dict:
    """compliance-checker --test=cf:1.8 PATH, as JSON: {"high_count": errors, ...}."""
    runner = pytest.importorskip("compliance_checker.runner")
    runner.CheckSuite().load_all_available_checkers()
    report = path.with_name(path.name + ".cf.json")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the checker's own deprecations
        runner.ComplianceChecker.run_checker(
            str(path), ["cf:1.8"], 0, "normal", output_filename=str(report), output_format="json"
        )
    return json.loads(report.read_text())["cf:1.8"]


def failures(result: dict, priority: str) -> list[str]:
    return [
        f"{c['name']}: {'; '.join(c['msgs'])}"
        for c in result[f"{priority}_priorities"]
        if c["value"][0] < c["value"][1]
    ]


@pytest.mark.parametrize("kind", ["run", "cli", "ensemble", "shard", "nowcast"])
def test_compliance_checker_finds_no_errors(written, kind):
    result = checker_report(written[kind])
    assert failures(result, "high") == []  # the checker's "Errors"
    assert failures(result, "medium") == []  # its "Warnings" (history was one)
    assert result["possible_points"] > 1000  # it really checked every variable


def every_variable(path: Path):
    """(name, attrs) of every variable in every group: compliance-checker 6.1 reads only the
    root group, so the event tables' units are checked here the way its section 3.1 does."""
    out = []
    with h5py.File(path, "r") as f:

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                attrs = {k: v.decode() if isinstance(v, bytes) else v for k, v in obj.attrs.items()}
                out.append((name, attrs))

        f.visititems(visit)
    return out


@pytest.mark.parametrize("kind", ["run", "ensemble"])
def test_units_parse_with_udunits_and_keep_their_label(written, kind):
    cf_units = pytest.importorskip("cf_units")
    seen = 0
    for name, attrs in every_variable(written[kind]):
        if "units" not in attrs:
            assert "unit_label" not in attrs, name  # codes and indices carry neither
            continue
        cf_units.Unit(attrs["units"])  # raises ValueError if UDUNITS-2 cannot parse it
        if name not in ("month", "year"):  # coordinates: CF units only
            assert attrs["unit_label"], name
        seen += 1
    assert seen > 70
    with tradeeco.open(written[kind]) as ds:
        total = ds["total_trade_cny_100m"].attrs
        assert (total["units"], total["unit_label"]) == ("1e8", "100m CNY")
        firms = ds["trading_firms"].attrs
        assert (firms["units"], firms["unit_label"]) == ("1", "firms")
        assert ds["cr_express_trains"].attrs["units"] == "year-1"
    flows = tradeeco.open_events(written[kind], "shipment_flows")
    with flows:
        assert flows["value_cny_100m"].attrs["unit_label"] == "100m CNY"
        assert "units" not in flows["region"].attrs


def test_units_scale_converts_to_yuan(written):
    """The documented scale is usable: "1e8" converts to plain yuan (units "1")."""
    cf_units = pytest.importorskip("cf_units")
    assert cf_units.Unit("1e8").convert(1.5, cf_units.Unit("1")) == pytest.approx(1.5e8)


def history(path: Path) -> list[str]:
    with h5py.File(path, "r") as f:
        return f.attrs["history"].decode().splitlines()


def test_history_names_the_call_and_the_time(written, scenario_file):
    (line,) = history(written["run"])
    stamp, call = line.split(": ", 1)
    assert re.fullmatch(STAMP, stamp)
    assert call == f"tradeeco.run('{scenario_file}', out='{written['run']}', threads=1)"
    (line,) = history(written["cli"])
    assert re.fullmatch(rf"{STAMP}: tradeeco run \S+cf\.toml --out \S+cli\.nc --quiet", line)
    shard = history(written["shard"])
    assert len(shard) == 1 and shard[0].endswith("[shard: replicates 1-1]"), shard


def test_history_appends_on_join_and_resume(core, scenario_file, tmp_path):
    out = tmp_path / "e.nc"
    # Cancel while the second of two shards runs: the first stays for the resume.
    with pytest.raises(tradeeco.RunCancelled):
        tradeeco.ensemble(scenario_file, out=out, batch_size=1, progress=lambda d, t: d < 2)
    assert not out.exists()
    tradeeco.ensemble(scenario_file, out=out, batch_size=1, progress=False).close()
    lines = history(out)
    assert len(lines) == 3, lines
    call = f"tradeeco.ensemble('{scenario_file}', out='{out}', threads=1, batch_size=1)"
    assert lines[0].split(": ", 1)[1] == call
    assert lines[1].split(": ", 1)[1] == f"{call} (resumed: 1 of 2 shards done before)"
    assert lines[2].split(": ", 1)[1] == f"{call}: joined 2 shards (replicates 0-1) into e.nc"
    assert all(re.match(STAMP, ln) for ln in lines)
    assert sorted(ln[:20] for ln in lines) == [ln[:20] for ln in lines]  # in time order


def test_a_name_without_nc_is_written_with_one_warning(core, scenario_file, tmp_path):
    with pytest.warns(tradeeco.ResultNameWarning, match=r"r\.h5: .*'\.nc'") as caught:
        tradeeco.run(scenario_file, out=tmp_path / "r.h5", replicates=1, progress=False).close()
    assert len(caught) == 1
    assert (tmp_path / "r.h5").exists()
    with pytest.warns(tradeeco.ResultNameWarning) as caught:
        tradeeco.ensemble(
            scenario_file, out=tmp_path / "e.hdf", replicates=2, batch_size=1, progress=False
        ).close()
    assert len(caught) == 1  # not once per shard or again at the join
    with warnings.catch_warnings():
        warnings.simplefilter("error", tradeeco.ResultNameWarning)
        tradeeco.run(scenario_file, out=tmp_path / "r.nc", replicates=1, progress=False).close()


def test_cli_warns_once_about_the_name(core, scenario_file, tmp_path, capsys):
    out = tmp_path / "x.h5"
    assert cli.main(["run", str(scenario_file), "--out", str(out), "-n", "1", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count("tradeeco: warning:") == 1 and "x.h5" in err and "'.nc'" in err
    assert out.exists()


def test_join_shards_appends_to_the_first_shards_history(written, tmp_path):
    from tradeeco.ensemble import join_shards

    first, second = sorted(written["shard"].parent.glob("replicates-*.nc"))
    out = join_shards([(first, 0), (second, 1)], tmp_path / "j.nc")
    lines = history(out)
    assert lines[:-1] == history(first)
    stamp, rest = lines[-1].split(": ", 1)
    assert re.fullmatch(STAMP, stamp)
    assert rest.startswith("tradeeco.ensemble.join_shards(") and f", '{out}'): " in rest
    assert rest.endswith(": joined 2 shards (replicates 0-1) into j.nc")
