"""Runs sample a posterior of parameter sets (tradeeco.posterior, docs/calibration.md "How runs
use the posterior"): the loader's errors, the per-replicate draw, what result files record,
pairing, the default and --fixed-parameters, and P(met) with its parts."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import tradeeco
from tradeeco import analysis, cli
from tradeeco import posterior as tp

PROVENANCE = """\
# method: test fixture
# created: 2026-11-29
# tradeeco_version: 0.0
# git_revision: none
# data: none (a test)
# population_scale: 0.1
# replicates_per_particle: 1
"""
SETS = """\
set,weight,trade_elasticity,exit_hazard
0,1,3.0,0.01
1,2,4.5,0.04
2,1,4.0,0.02
"""


def write(tmp_path, text: str, name: str = "post.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def post_file(core, tmp_path):
    return write(tmp_path, PROVENANCE + SETS)


@pytest.fixture(scope="module")
def small(core, small_text):
    """The small test scenario (6 months, a tenth of the firms), 6 replicates."""
    return tradeeco.load_scenario_string(small_text, "small").with_(replicates=6)


# --- the loader ------------------------------------------------------------------------------


def test_loader_reads_sets_in_order_with_normalized_weights(core, tmp_path):
    shuffled = SETS.splitlines()
    text = PROVENANCE + "\n".join([shuffled[0], shuffled[3], shuffled[1], shuffled[2]]) + "\n"
    post = tp.load_posterior(write(tmp_path, text))
    assert post.keys == ("trade_elasticity", "exit_hazard")
    np.testing.assert_allclose(post.weights, [0.25, 0.5, 0.25])
    np.testing.assert_array_equal(post.values[:, 0], [3.0, 4.5, 4.0])
    assert post.provenance["method"] == "test fixture" and len(post) == 3
    assert post.to_frame().loc[1, "exit_hazard"] == 0.04


BAD = [
    # (what, text, message fragments)
    ("empty file", "", ["post.csv: expected", "found an empty file"]),
    ("unknown key", PROVENANCE + "set,weight,trade_elastcity\n0,1,4\n",
     ["post.csv:8: column 3 (trade_elastcity)", "a parameter-table key", "'trade_elastcity'"]),
    ("value out of range", PROVENANCE + "set,weight,exit_hazard\n0,1,0.5\n",
     ["post.csv:9: column 3 (exit_hazard)", "range [0.002, 0.05]", "found 0.5"]),
    ("negative weight", PROVENANCE + "set,weight,exit_hazard\n0,-1,0.01\n",
     ["post.csv:9: column 2 (weight)", "a finite number >= 0", "'-1'"]),
    ("weight not a number", PROVENANCE + "set,weight,exit_hazard\n0,nan,0.01\n",
     ["post.csv:9: column 2 (weight)", "'nan'"]),
    ("all weights zero", PROVENANCE + "set,weight,exit_hazard\n0,0,0.01\n",
     ["(weight)", "sum to more than 0", "all 0"]),
    ("duplicate set", PROVENANCE + "set,weight,exit_hazard\n0,1,0.01\n0,1,0.02\n",
     ["post.csv:10: column 1 (set)", "set 0 is on line 9", "set 0 again"]),
    ("sets not 0..N-1", PROVENANCE + "set,weight,exit_hazard\n0,1,0.01\n2,1,0.02\n",
     ["post.csv:10: column 1 (set)", "sets numbered 0..1", "set 2"]),
    ("missing provenance", PROVENANCE.replace("# git_revision: none\n", "") + SETS,
     ["git_revision", "provenance lines for git_revision"]),
    ("bad created date", PROVENANCE.replace("2026-11-29", "yesterday") + SETS,
     ["post.csv:2: created", "ISO date", "'yesterday'"]),
    ("field missing", PROVENANCE + "set,weight,exit_hazard\n0,1\n",
     ["post.csv:9", "3 fields", "found 2"]),
    ("no sets", PROVENANCE + "set,weight,exit_hazard\n", ["at least one parameter set"]),
    ("bad header", PROVENANCE + "weight,set,exit_hazard\n0,1,0.01\n",
     ["post.csv:8: column 1", "'set,weight'"]),
    ("repeated key", PROVENANCE + "set,weight,exit_hazard,exit_hazard\n0,1,0.01,0.01\n",
     ["column 4 (exit_hazard)", "each parameter once"]),
    ("free comment", "# just a note\n" + PROVENANCE + SETS, ["post.csv:1: column 1", "# key: value"]),
]  # fmt: skip


@pytest.mark.parametrize("what, text, fragments", BAD, ids=[b[0] for b in BAD])
def test_loader_errors_name_file_line_column_and_key(core, tmp_path, what, text, fragments):
    with pytest.raises(tradeeco.PosteriorError) as e:
        tp.load_posterior(write(tmp_path, text))
    message = str(e.value)
    assert str(tmp_path / "post.csv") in message and "expected" in message
    for fragment in fragments:
        assert fragment in message, (what, message)


def test_loader_refuses_non_utf8_and_missing_files(core, tmp_path):
    path = tmp_path / "post.csv"
    path.write_bytes(PROVENANCE.encode() + b"set,weight,exit_hazard\n0,1,\xff\n")
    with pytest.raises(tradeeco.PosteriorError, match="expected UTF-8 text"):
        tp.load_posterior(path)
    with pytest.raises(FileNotFoundError):
        tp.load_posterior(tmp_path / "none.csv")


# --- the draw --------------------------------------------------------------------------------


def test_draw_follows_the_weights_and_depends_on_seed_and_replicate_only(core, post_file):
    post = tp.load_posterior(post_file)
    drawn = post.draw(7, range(4000))
    np.testing.assert_array_equal(drawn, post.draw(7, range(4000)))
    share = np.bincount(drawn, minlength=3) / drawn.size
    np.testing.assert_allclose(share, [0.25, 0.5, 0.25], atol=0.03)
    assert not np.array_equal(drawn[:50], post.draw(8, range(50)))
    # A set of weight 0 is never drawn.
    zero = tp.Posterior(post.keys, post.values, np.array([0.0, 1.0, 0.0]))
    assert set(zero.draw(7, range(200)).tolist()) == {1}
    # Nested: replicates [kM, (k+1)M) share block k's draw.
    nested = post.nested(3).draw(7, range(12))
    np.testing.assert_array_equal(nested, np.repeat(post.draw(7, range(4)), 3))
    with pytest.raises(ValueError, match="must divide"):
        post.nested(4, 3)


def test_spec_checks_the_sets_again(core, small):
    with pytest.raises(ValueError, match="unknown parameter 'nope'"):
        small.with_parameter_sets(["nope"], [[1.0]], [1.0])
    with pytest.raises(ValueError, match="exit_hazard: expected a value in"):
        small.with_parameter_sets(["exit_hazard"], [[0.9]], [1.0])
    with pytest.raises(ValueError, match="weights sum to 0"):
        small.with_parameter_sets(["exit_hazard"], [[0.01]], [0.0])
    assert small.parameter_sets is None
    with_sets = small.with_parameter_sets(["exit_hazard"], [[0.01], [0.02]], [1.0, 3.0])
    assert with_sets.parameter_sets["weights"] == [0.25, 0.75]


# --- runs and result files -------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(small, tmp_path_factory):
    """The small scenario with a posterior, and with fixed parameters."""
    folder = tmp_path_factory.mktemp("posterior")
    path = folder / "post.csv"
    path.write_text(PROVENANCE + SETS)
    drawn = tradeeco.run(small, out=folder / "drawn.nc", posterior=path, progress=False)
    fixed = tradeeco.run(small, out=folder / "fixed.nc", fixed_parameters=True, progress=False)
    yield {"drawn": drawn, "fixed": fixed, "post": tp.load_posterior(path), "folder": folder}
    drawn.close()
    fixed.close()


def test_result_files_record_the_set_and_values_of_each_replicate(runs):
    ds, post = runs["drawn"], runs["post"]
    sets = ds["parameter_set"].values
    assert ds["parameter_set"].dims == ("replicate",) and sets.dtype == np.int32
    np.testing.assert_array_equal(sets, post.draw(ds.attrs["seed"], ds["replicate"].values))
    assert len(set(sets.tolist())) > 1  # the values vary across replicates
    assert ds["parameter_value"].dims == ("replicate", "parameter")
    assert ds["parameter"].values.tolist() == ["trade_elasticity", "exit_hazard"]
    np.testing.assert_array_equal(ds["parameter_value"].values, post.values[sets])
    assert ds["parameter_unit"].values.tolist()[1] == str(
        tradeeco.parameter_table().set_index("key").loc["exit_hazard", "unit"]
    )
    assert ds.attrs["parameter_sets"] == "posterior"
    assert ds.attrs["posterior_method"] == "test fixture"
    assert ds.attrs["posterior_sha256"] == post.sha256
    assert ds.attrs["posterior_sets"] == 3
    # Fixed parameters: no such variables, and the attribute says so.
    fixed = runs["fixed"]
    assert "parameter_set" not in fixed.variables and "parameter_value" not in fixed.variables
    assert fixed.attrs["parameter_sets"] == "fixed"
    a, b = ds["total_trade_cny_100m"].values, fixed["total_trade_cny_100m"].values
    assert not np.array_equal(a, b)


def test_a_later_slice_of_replicates_draws_as_the_whole_run(runs, small):
    part = tradeeco.run(
        small.with_(replicates=2), first_replicate=4, posterior=runs["post"], progress=False
    )
    whole = runs["drawn"]
    np.testing.assert_array_equal(part["parameter_set"].values, whole["parameter_set"].values[4:])
    np.testing.assert_array_equal(
        part["total_trade_cny_100m"].values, whole["total_trade_cny_100m"].values[4:]
    )


def test_a_nested_design_shares_sets_and_driver_paths_in_blocks(runs, small):
    post = runs["post"].nested(4, 2)
    ds = tradeeco.run(small.with_(replicates=8), posterior=post, progress=False)
    sets, paths = ds["parameter_set"].values, ds["driver_path"].values
    np.testing.assert_array_equal(paths, [0, 0, 1, 1, 2, 2, 3, 3])
    assert sets[0] == sets[3] and sets[4] == sets[7]
    assert ds.attrs["replicates_per_set"] == 4 and ds.attrs["replicates_per_driver_path"] == 2
    # The default design: each replicate its own driver path (the model's former keys).
    np.testing.assert_array_equal(runs["drawn"]["driver_path"].values, np.arange(6))
    # Replicates 0 and 1 share a driver path and a set but not their noise.
    firms = ds["exports_cny_100m_monthly"].values
    assert not np.array_equal(firms[0], firms[1])
    with pytest.raises(ValueError, match="divide"):
        small.with_parameter_sets(["exit_hazard"], [[0.01]], [1.0], [], 4, 3)


def test_the_drawn_values_reach_the_model(core, small, tmp_path):
    """One set at (3.0, 0.01) runs exactly as fixed parameters overridden to those values."""
    one = tp.Posterior(("trade_elasticity", "exit_hazard"), np.array([[3.0, 0.01]]), np.ones(1))
    spec = small.with_(replicates=2)
    drawn = tradeeco.run(spec, posterior=one, progress=False)
    fixed = tradeeco.run(
        spec,
        parameters={"trade_elasticity": 3.0, "exit_hazard": 0.01},
        fixed_parameters=True,
        progress=False,
    )
    for name in ("total_trade_cny_100m", "trading_firms"):
        np.testing.assert_array_equal(drawn[name].values, fixed[name].values)
    # An explicit override wins over the set's value, and the file records what ran.
    both = tradeeco.run(spec, posterior=one, parameters={"exit_hazard": 0.02}, progress=False)
    assert both["parameter_value"].sel(parameter="exit_hazard").values.tolist() == [0.02, 0.02]


def test_default_is_the_shipped_posterior_and_fixed_parameters_ignore_it(
    core, small, post_file, tmp_path, monkeypatch
):
    spec = small.with_(replicates=2)
    monkeypatch.setattr(tp, "SHIPPED_POSTERIOR", tmp_path / "absent.csv")
    before = tradeeco.run(spec, progress=False)  # no shipped posterior: fixed parameters
    assert before.attrs["parameter_sets"] == "fixed"
    monkeypatch.setattr(tp, "SHIPPED_POSTERIOR", post_file)
    default = tradeeco.run(spec, progress=False)
    assert "parameter_set" in default.variables
    fixed = tradeeco.run(spec, fixed_parameters=True, progress=False)
    for name in fixed.data_vars:  # bit for bit the former single-parameter results
        np.testing.assert_array_equal(fixed[name].values, before[name].values)
    with pytest.raises(ValueError, match="not both"):
        tradeeco.run(spec, posterior=post_file, fixed_parameters=True, progress=False)


def test_a_spec_carrying_sets_keeps_them_unless_parameters_are_fixed(runs, small, tmp_path):
    carrying = runs["post"].apply(small)
    again = tp.Posterior.of_spec(carrying)
    assert again.sha256 == runs["post"].sha256 and again.provenance == runs["post"].provenance
    ds = tradeeco.run(carrying, progress=False)
    np.testing.assert_array_equal(ds["parameter_set"].values, runs["drawn"]["parameter_set"])
    ens = tradeeco.ensemble(carrying, out=tmp_path / "c.nc", batch_size=3, progress=False)
    with ens:
        np.testing.assert_array_equal(ens["parameter_set"].values, ds["parameter_set"].values)
    fixed = tradeeco.run(carrying, fixed_parameters=True, progress=False)
    assert "parameter_set" not in fixed.variables and fixed.attrs["parameter_sets"] == "fixed"


def test_ensemble_shards_draw_as_one_run_does(runs, small, tmp_path):
    ens = tradeeco.ensemble(
        small, posterior=runs["post"], batch_size=2, out=tmp_path / "e.nc", progress=False
    )
    with ens:
        np.testing.assert_array_equal(ens["parameter_set"].values, runs["drawn"]["parameter_set"])
        np.testing.assert_array_equal(
            ens["total_trade_cny_100m"].values, runs["drawn"]["total_trade_cny_100m"].values
        )
        assert ens["parameter"].values.tolist() == ["trade_elasticity", "exit_hazard"]


def test_paired_scenarios_pair_on_parameter_set_and_seed(runs, small_text):
    plan_text = small_text.replace('name = "baseline"', 'name = "other"')
    other = tradeeco.load_scenario_string(plan_text, "other").with_(replicates=6)
    post = runs["post"]
    b = tradeeco.run(other, posterior=post, progress=False)
    np.testing.assert_array_equal(b["parameter_set"].values, runs["drawn"]["parameter_set"])
    assert analysis.is_paired(runs["drawn"], b)[0]
    ok, why = analysis.is_paired(runs["drawn"], runs["fixed"])
    assert not ok and "fixed parameters" in why
    shifted = b.copy()
    shifted["parameter_set"] = (shifted["parameter_set"] + 1) % 3
    assert not analysis.is_paired(runs["drawn"], shifted)[0]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_posterior_run_file_is_cf_clean(runs):
    from test_cf_compliance import checker_report, failures

    result = checker_report(runs["folder"] / "drawn.nc")
    assert failures(result, "high") == []
    assert failures(result, "medium") == []


# --- P(met) with its parts -------------------------------------------------------------------


def nested(
    set_means, per_set: int, noise: float, seed: int = 0, per_path: int = 1, drivers: float = 0.0
) -> xr.Dataset:
    """Synthetic results: per_set replicates of each set in driver blocks of per_path, value =
    set mean + the block's driver effect + noise."""
    rng = np.random.default_rng(seed)
    sets = np.repeat(np.arange(len(set_means)), per_set)
    paths = np.arange(sets.size) // per_path
    effect = rng.normal(0, drivers, paths.max() + 1)[paths]
    values = np.asarray(set_means, float)[sets] + effect + rng.normal(0, noise, sets.size)
    return xr.Dataset(
        {
            "trading_firms": (("replicate", "year"), values[:, None], {"units": "1"}),
            "parameter_set": ("replicate", sets.astype(np.int32)),
            "driver_path": ("replicate", paths.astype(np.int32)),
        },
        coords={"replicate": np.arange(sets.size), "year": [2027]},
        attrs={"scenario_name": "synthetic", "seed": 1.0},
    )


def test_attainment_gives_p_met_interval_and_variance_parts():
    ds = nested([5000.0, 5600.0, 6200.0, 6800.0], per_set=10, noise=50.0)
    row = analysis.attainment(ds).iloc[0]
    lo, hi = analysis.p_met_interval(row["p_met"], row["n"])
    assert (row["p_met_lo"], row["p_met_hi"]) == (float(lo), float(hi))
    assert row["p_met_lo"] < row["p_met"] < row["p_met_hi"]
    assert row["share_parameters"] > 0.95  # the set means spread 600 apart, noise 50
    assert row["share_parameters"] + row["share_drivers_noise"] == pytest.approx(1.0)
    noisy = analysis.attainment(nested([5500.0] * 4, per_set=10, noise=300.0)).iloc[0]
    assert noisy["share_parameters"] < 0.2
    # Fixed parameters, or no set drawn twice: not split.
    fixed = analysis.attainment(ds.drop_vars("parameter_set")).iloc[0]
    assert np.isnan(fixed["share_parameters"]) and not np.isnan(fixed["p_met_lo"])
    singles = analysis.attainment(nested([5000.0, 5600.0, 6200.0], per_set=1, noise=1.0))
    assert np.isnan(singles.iloc[0]["share_parameters"])
    assert np.isnan(row["share_drivers"]) and np.isnan(row["share_noise"])  # own paths


def test_a_nested_design_splits_drivers_from_noise():
    means = np.linspace(5000.0, 6000.0, 8)
    big_drivers = nested(means, per_set=8, per_path=2, noise=10.0, drivers=200.0, seed=3)
    r = analysis.attainment(big_drivers).iloc[0]
    parts = [r["share_parameters"], r["share_drivers"], r["share_noise"]]
    assert sum(parts) == pytest.approx(1.0)
    assert r["share_drivers_noise"] == pytest.approx(r["share_drivers"] + r["share_noise"])
    assert r["share_drivers"] > 10 * r["share_noise"]
    big_noise = nested(means, per_set=8, per_path=2, noise=200.0, drivers=10.0, seed=3)
    r = analysis.attainment(big_noise).iloc[0]
    assert r["share_noise"] > 3 * r["share_drivers"]


def test_variance_decomposition_of_one_file_groups_by_parameter_set():
    ds = nested([1.0, 5.0], per_set=2, noise=0.0)
    ds["trading_firms"][:] = np.array([[1.0], [3.0], [5.0], [7.0]])
    d = analysis.variance_decomposition(ds)
    assert d[["sets", "runs", "var_total", "var_parameters", "var_noise"]].values.tolist() == [
        [2, 4, 5.0, 4.0, 1.0]
    ]
    with pytest.raises(ValueError, match="at least 2 parameter sets"):
        analysis.variance_decomposition(ds.isel(replicate=[0, 1]))


# --- the command line ------------------------------------------------------------------------


def test_cli_run_samples_a_posterior_and_compare_shows_its_parts(
    core, small_text, post_file, tmp_path, capsys
):
    text = small_text.replace("end = 2024-06-30", "end = 2025-12-31")  # a target year
    scenario = write(tmp_path, text, "small.toml")
    a, b = tmp_path / "a.nc", tmp_path / "b.nc"
    common = ["-n", "4", "--posterior", str(post_file), "--replicates-per-set", "2"]
    common += ["--replicates-per-driver-path", "2"]
    assert cli.main(["run", str(scenario), "--out", str(a), *common]) == 0
    err = capsys.readouterr().err
    assert f"parameters drawn per replicate from {post_file} (3 sets of 2 parameters" in err
    assert cli.main(["run", str(scenario), "--out", str(b), "--quiet", *common]) == 0
    with tradeeco.open(a) as ds:
        sets = ds["parameter_set"].values
        assert sets[0] == sets[1] and sets[2] == sets[3]
        assert ds["driver_path"].values.tolist() == [0, 0, 1, 1]
    assert cli.main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "[95% Wilson interval]" in out and "parameter sets drawn from a posterior" in out
    assert "Variance across replicates by source" in out
    # Bad input: one line, exit 2.
    assert cli.main(["run", str(scenario), "--out", str(a), "--fixed-parameters",
                     "--posterior", str(post_file)]) == 2  # fmt: skip
    assert "not both" in capsys.readouterr().err
    bad = write(tmp_path, PROVENANCE + "set,weight,nope\n0,1,1\n", "bad.csv")
    assert cli.main(["run", str(scenario), "--out", str(a), "--posterior", str(bad)]) == 2
    assert "bad.csv:8: column 3 (nope)" in capsys.readouterr().err
    odd = ["--replicates-per-set", "3", "--replicates-per-driver-path", "2"]
    assert (
        cli.main(["run", str(scenario), "--out", str(a), "--posterior", str(post_file), *odd]) == 2
    )
    assert "D must divide M" in capsys.readouterr().err


def test_cli_says_when_no_posterior_is_shipped(core, small_text, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tp, "SHIPPED_POSTERIOR", tmp_path / "absent.csv")
    scenario = write(tmp_path, small_text, "small.toml")
    assert cli.main(["run", str(scenario), "--out", str(tmp_path / "x.nc"), "-n", "1"]) == 0
    err = capsys.readouterr().err
    assert "no shipped posterior" in err and "fixed parameters" in err
    assert cli.main(["run", str(scenario), "--out", str(tmp_path / "y.nc"), "-n", "1",
                     "--fixed-parameters"]) == 0  # fmt: skip
    assert "no shipped posterior" not in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "ensemble"])
def test_help_explains_the_default(command):
    parser = cli.build_parser()
    sub = next(
        a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction)
    )
    text = " ".join(sub.choices[command].format_help().split())
    for words in ("--posterior FILE.csv", "--fixed-parameters", "--replicates-per-set M",
                  "--replicates-per-driver-path D",
                  "shipped posterior", "If the package ships no posterior, runs use fixed"):  # fmt: skip
        assert words in text, words


def test_run_many_draws_and_records_as_run_does(runs, small, tmp_path):
    """Several scenarios on a shared prefix draw the same sets as separate runs, and each file
    records them (tradeeco.run_many annotates, seals and renames like tradeeco.run)."""
    other = small.with_(replicates=6)
    many = tradeeco.run_many(
        {"a": small, "b": other}, tmp_path, posterior=runs["post"], progress=False
    )
    for name in ("a", "b"):
        ds = many[name]
        np.testing.assert_array_equal(ds["parameter_set"].values, runs["drawn"]["parameter_set"])
        np.testing.assert_array_equal(
            ds["parameter_value"].values, runs["drawn"]["parameter_value"].values
        )
        np.testing.assert_array_equal(
            ds["total_trade_cny_100m"].values, runs["drawn"]["total_trade_cny_100m"].values
        )
        assert ds.attrs["parameter_sets"] == "posterior"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nc", "b.nc"]  # no leftovers
    fixed = tradeeco.run_many({"f": small}, fixed_parameters=True, progress=False)["f"]
    assert "parameter_set" not in fixed and fixed.attrs["parameter_sets"] == "fixed"
