"""tradeeco.nowcast: the observations parser, the particle filter on problems with a known
posterior, weights honoured by attainment, early warnings, the CLI end to end, and the
generated docs/nowcast.md being current."""

from __future__ import annotations

import importlib
import importlib.util
import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import REPO

from tradeeco import analysis

nc = importlib.import_module("tradeeco.nowcast")  # tradeeco.nowcast is the function

EXAMPLE = REPO / "data" / "observations_2024.csv"
HEADER = "indicator,start,end,value,unit,source\n"
GOOD = "total_trade_cny_100m,2024-01,2024-06,3500,100m CNY,customs\n"


def _write(tmp_path, text: str):
    path = tmp_path / "obs.csv"
    path.write_text(text, encoding="utf-8")
    return path


# --- parser ----------------------------------------------------------------------------------


def test_shipped_example_parses():
    (obs,) = nc.read_observations(EXAMPLE)
    assert (obs.indicator, obs.start, obs.end, obs.value) == (
        "total_trade_cny_100m",
        "2024-01",
        "2024-12",
        7154.2,
    )
    assert "http" in obs.source and obs.line == 2


def test_parses_flows_stocks_quoted_sources_and_blank_lines(tmp_path):
    text = HEADER + GOOD + "\n" + 'exporters,2024-03,2024-03,2500,firms,"a source, with a comma"\n'
    a, b = nc.read_observations(_write(tmp_path, text))
    assert a.value == 3500.0 and b.source == "a source, with a comma" and b.line == 4


@pytest.mark.parametrize(
    ("text", "line", "column", "found"),
    [
        ("", 1, 1, "an empty file"),
        ("indicator,begin,end,value,unit,source\n" + GOOD, 1, 2, "'begin'"),
        ("indicator,start,end,value,unit\n" + GOOD, 1, 6, "'end of line'"),
        (HEADER, 2, 1, "none"),
        (HEADER + "total_trade_cny_100m,2024-01,2024-06,3500,100m CNY\n", 2, 6, "5"),
        (HEADER + GOOD + "gdp,2024-01,2024-06,1,100m CNY,x\n", 3, 1, "'gdp'"),
        (HEADER + "exports_cny_100m,2024-1,2024-06,1,100m CNY,x\n", 2, 2, "'2024-1'"),
        (HEADER + "exports_cny_100m,2024-01,2024-13,1,100m CNY,x\n", 2, 3, "'2024-13'"),
        (HEADER + "exports_cny_100m,2024-06,2024-01,1,100m CNY,x\n", 2, 3, "2024-01"),
        (HEADER + "exports_cny_100m,2024-01,2024-06,lots,100m CNY,x\n", 2, 4, "'lots'"),
        (HEADER + "exports_cny_100m,2024-01,2024-06,-5,100m CNY,x\n", 2, 4, "'-5'"),
        (HEADER + "exports_cny_100m,2024-01,2024-06,nan,100m CNY,x\n", 2, 4, "'nan'"),
        (HEADER + "exports_cny_100m,2024-01,2024-06,5,USD,x\n", 2, 5, "'USD'"),
        (HEADER + "exports_cny_100m,2024-01,2024-06,5,100m CNY,\n", 2, 6, "''"),
        (HEADER + GOOD + GOOD, 3, 1, "a repeat of total_trade_cny_100m 2024-01..2024-06"),
    ],
)
def test_malformed_files_name_file_line_column_expected_found(tmp_path, text, line, column, found):
    path = _write(tmp_path, text)
    with pytest.raises(nc.ObservationError) as info:
        nc.read_observations(path)
    e = info.value
    assert (e.file, e.line, e.column) == (str(path), line, column)
    assert e.found == found
    assert str(e).startswith(f"{path}:{line}:{column} (")
    assert f"expected {e.expected}, found {found}" in str(e)


def test_not_utf8_is_an_observation_error(tmp_path):
    path = tmp_path / "obs.csv"
    path.write_bytes(HEADER.encode() + b"exports_cny_100m,2024-01,2024-06,5,100m CNY,\xff\n")
    with pytest.raises(nc.ObservationError, match="UTF-8"):
        nc.read_observations(path)


# --- the filter on synthetic problems --------------------------------------------------------

MONTHS = pd.date_range("2024-01-01", periods=12, freq="MS")


def _flat_members(levels) -> xr.Dataset:
    """Members whose total trade is ``level`` every month (a deterministic toy model)."""
    levels = np.asarray(levels, dtype=float)
    flows = np.repeat(levels[:, None], 12, axis=1)
    return xr.Dataset(
        {"total_trade_cny_100m_monthly": (("replicate", "month"), flows)},
        coords={"replicate": np.arange(levels.size), "month": MONTHS},
    )


def _obs(value, start="2024-01", end="2024-06", indicator="total_trade_cny_100m"):
    unit = nc.OBSERVABLES[indicator].unit
    return nc.Observation(indicator, start, end, float(value), unit, "test")


def test_posterior_matches_the_conjugate_gaussian_answer():
    # Prior uniform on [400, 800] per month; y = sum of 6 months; with a huge df the Student-t
    # likelihood is Gaussian with sd rel*y, so the posterior of the level is N(y/6, rel*y/6)
    # (the prior is flat there).
    rng = np.random.default_rng(1)
    levels = rng.uniform(400, 800, size=40_000)
    y, rel = 3600.0, 0.02
    flt = nc.ParticleFilter(_flat_members(levels), [_obs(y)], rel_error=rel, df=1e9,
                            ess_fraction=0.0)  # fmt: skip
    flt.run()
    w = flt.weights
    mean = float(np.sum(w * levels))
    sd = math.sqrt(float(np.sum(w * (levels - mean) ** 2)))
    assert mean == pytest.approx(y / 6, rel=2e-3)
    assert sd == pytest.approx(rel * y / 6, rel=0.05)
    # The ESS of importance sampling from a flat prior: N * sd*sqrt(4 pi) / width.
    expected_ess = levels.size * (rel * y / 6) * math.sqrt(4 * math.pi) / 400
    assert flt.ess == pytest.approx(expected_ess, rel=0.1)
    q10, q90 = nc.weighted_quantile(levels, w, [0.1, 0.9])
    assert q10 == pytest.approx(y / 6 - 1.2816 * rel * y / 6, rel=3e-3)
    assert q90 == pytest.approx(y / 6 + 1.2816 * rel * y / 6, rel=3e-3)


def test_sequential_updates_equal_one_batch_update_without_resampling():
    levels = np.linspace(500, 700, 201)
    obs = [_obs(1800, "2024-01", "2024-03"), _obs(1850, "2024-04", "2024-06")]
    seq = nc.ParticleFilter(_flat_members(levels), obs, ess_fraction=0.0)
    seq.run()
    assert [u.month for u in seq.updates] == ["2024-03", "2024-06"]
    # Importance weights from both observations at once, computed by hand.
    ll = seq.loglik(_flat_members(levels), obs)
    manual = np.exp(ll - ll.max())
    np.testing.assert_allclose(seq.weights, manual / manual.sum(), rtol=1e-12)
    assert seq.updates[0].ess > seq.updates[1].ess  # the second quarter adds information


def test_resampling_when_ess_falls_keeps_the_distribution():
    levels = np.linspace(400, 800, 4001)
    flt = nc.ParticleFilter(_flat_members(levels), [_obs(3600)], rel_error=0.02, seed=3)
    flt.run()
    (u,) = flt.updates
    assert u.resampled and u.ess < 0.5 * levels.size
    assert flt.ess == pytest.approx(levels.size)  # equal weights after resampling
    survivors = flt.members["total_trade_cny_100m_monthly"].values[:, 0]
    assert survivors.mean() == pytest.approx(600, abs=1.0)
    # Student-t(df=5) with scale 0.02 * 3600 / 6 = 12 has sd 12 * sqrt(5 / 3).
    assert survivors.std() == pytest.approx(12 * math.sqrt(5 / 3), rel=0.1)
    # The file keeps where each survivor came from, and replicate ids stay unique.
    assert len(set(flt.members["replicate"].values)) == levels.size
    assert set(flt.members["member"].values) <= set(range(levels.size))


def test_stocks_are_levels_at_the_end_month():
    levels = np.arange(12.0)[None, :] + np.array([[0.0], [100.0]])
    ds = xr.Dataset(
        {"exporters_monthly": (("replicate", "month"), levels)},
        coords={"replicate": [0, 1], "month": MONTHS},
    )
    np.testing.assert_array_equal(nc.simulated(ds, _obs(5, "2024-01", "2024-06", "exporters")),
                                  [5.0, 105.0])  # fmt: skip
    with pytest.raises(ValueError, match=r"outside the simulated months 2024-01\.\.2024-12"):
        nc.simulated(ds, _obs(5, "2025-01", "2025-02", "exporters"))


def test_an_observation_no_member_can_produce_is_an_error():
    flt = nc.ParticleFilter(_flat_members([np.nan, np.nan]), [_obs(3600)])
    with pytest.raises(ValueError, match="no member can produce the observations of 2024-06"):
        flt.run()


def test_anchored_forecast_takes_the_observed_months_from_the_data():
    # Members flat at 500 and 600 a month: whichever member, Jan-Jun observed at 3600 means
    # 7200 for the year (each member stays as far from the data as it was so far).
    ds = _flat_members([500.0, 600.0])
    samples = nc.anchored_samples(ds, [_obs(3600)], "total_trade_cny_100m", 2024,
                                  measurement_error=0.0, draws=3)  # fmt: skip
    np.testing.assert_allclose(samples, 7200.0)
    noisy = nc.anchored_samples(ds, [_obs(3600)], "total_trade_cny_100m", 2024, draws=4000)
    assert noisy.std() == pytest.approx(0.01 * 7200, rel=0.1)  # MEASUREMENT_ERROR of 1 %
    # Overlapping periods, another year, or a stock: no anchoring.
    overlapping = [_obs(1800, "2024-01", "2024-03"), _obs(3600, "2024-01", "2024-06")]
    assert nc.anchored_samples(ds, overlapping, "total_trade_cny_100m", 2024) is None
    assert nc.anchored_samples(ds, [_obs(3600)], "total_trade_cny_100m", 2025) is None
    assert nc.anchored_samples(ds, [_obs(3600)], "exporters", 2024) is None


def test_a_total_observed_through_its_parts_is_anchored_on_both():
    flows = {
        "exports_cny_100m_monthly": np.full((2, 12), 400.0),
        "imports_cny_100m_monthly": np.array([np.full(12, 200.0), np.full(12, 250.0)]),
    }
    ds = xr.Dataset(
        {k: (("replicate", "month"), v) for k, v in flows.items()},
        coords={"replicate": [0, 1], "month": MONTHS},
    )
    obs = [_obs(1250, "2024-01", "2024-03", "exports_cny_100m"),
           _obs(600, "2024-01", "2024-03", "imports_cny_100m")]  # fmt: skip
    total = nc.anchored_samples(ds, obs, "total_trade_cny_100m", 2024, measurement_error=0.0)
    np.testing.assert_allclose(total, 4 * (1250 + 600))


# --- weights in attainment -------------------------------------------------------------------


def _firms(values, weight=None) -> xr.Dataset:
    ds = xr.Dataset(
        {"trading_firms": (("replicate", "year"), np.asarray(values, float)[:, None])},
        coords={"replicate": np.arange(len(values)), "year": [2025]},
        attrs={"scenario": "demo", "seed": 1},
    )
    if weight is not None:
        ds["weight"] = ("replicate", np.asarray(weight, float))
    return ds


def test_attainment_honours_weights():
    # Target 5000 (at_least) in 2025.
    plain = analysis.attainment(_firms([5100, 4900]))
    weighted = analysis.attainment(_firms([5100, 4900], weight=[0.9, 0.1]))
    assert plain["p_met"].item() == 0.5
    assert weighted["p_met"].item() == pytest.approx(0.9)
    assert weighted["mean"].item() == pytest.approx(5080)
    zero = analysis.attainment(_firms([5100, 4900, 1.0], weight=[0.5, 0.5, 0.0]))
    assert zero["n"].item() == 2 and zero["p_met"].item() == 0.5
    with pytest.raises(ValueError, match="weight of 'demo'"):
        analysis.attainment(_firms([5100, 4900], weight=[0.5, -0.1]))


# --- early warnings through the public function ----------------------------------------------


def test_nowcast_warns_when_p_met_falls(core):
    # 200 members: exporters in June and trading firms in 2025 move together; observing few
    # exporters makes the 2025 trading-firms target unlikely.
    rng = np.random.default_rng(5)
    level = rng.uniform(4000, 6000, size=200)
    ds = xr.Dataset(
        {
            "exporters_monthly": (("replicate", "month"), np.repeat(level[:, None], 12, axis=1)),
            "trading_firms": (("replicate", "year"), np.column_stack([level, level * 1.02])),
        },
        coords={"replicate": np.arange(200), "month": MONTHS, "year": [2024, 2025]},
        attrs={"scenario": "toy", "seed": 1},
    )
    obs = [_obs(4300, "2024-06", "2024-06", "exporters")]
    result = nc.nowcast("baseline", obs, ensemble=ds, rejuvenate=False, rel_error=0.02)
    table = result.attainment().set_index(["indicator", "year"])
    row = table.loc[("trading_firms", 2025)]
    assert row["p_prior"] == pytest.approx(np.mean(level * 1.02 >= 5000))
    assert row["p_met"] < 0.05 and row["change"] == pytest.approx(row["p_met"] - row["p_prior"])
    warnings = result.warnings()
    assert any("trading_firms 2025: P(met)" in w and "below 0.50" in w for w in warnings)
    assert any("trading_firms 2025: P(met) fell by" in w for w in warnings)
    post = result.posterior
    assert post["weight"].sum().item() == pytest.approx(1.0)


def test_rejuvenation_reruns_jittered_members_within_the_prior(core):
    # ess_fraction=1 forces resampling, so every member gets one move proposal.
    obs = [_obs(600, "2024-01", "2024-01")]
    result = nc.nowcast("baseline", obs, members=4, end="2024-02-29", ess_fraction=1.0,
                        rel_error=0.5, seed=1)  # fmt: skip
    (u,) = result.updates
    assert u.resampled and 0 <= u.moved <= 4
    post = result.posterior
    moved = post["member"].values >= 10_000_000  # moved members run fresh replicate ids
    assert int(moved.sum()) == u.moved
    prior = nc.prior().set_index("key")
    for key in nc.PRIOR_KEYS:
        values = post[f"parameter_{key}"].values
        assert ((values >= prior.loc[key, "min"]) & (values <= prior.loc[key, "max"])).all()
    assert post["weight"].values == pytest.approx(np.full(4, 0.25))


# --- the CLI end to end ----------------------------------------------------------------------


def test_cli_nowcast_end_to_end(core, tmp_path, capsys):
    from tradeeco.cli import main

    out = tmp_path / "now.nc"
    argv = ["nowcast", "baseline", "--observed", str(EXAMPLE), "--members", "3",
            "--end", "2025-12-31", "--no-rejuvenate", "--out", str(out), "-q"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Warnings")
    assert "Effective sample size" in printed and "P(met)" in printed
    assert "total_trade_growth" in printed and "total_trade_cny_100m  2024" in printed
    import tradeeco

    with tradeeco.open(out) as ds:
        assert ds["weight"].sum().item() == pytest.approx(1.0)
        assert {"parameter_total_trade_2024", "member"} <= set(ds.data_vars)
    assert main(["compare", str(out), str(out)]) == 0


def test_cli_malformed_file_exits_2_naming_file_line_column(tmp_path, capsys):
    from tradeeco.cli import main

    bad = _write(tmp_path, HEADER + "exports_cny_100m,2024-01,2024-06,5,100m CNY,x\n"
                 "imports_cny_100m,2024-01,June,5,100m CNY,x\n")  # fmt: skip
    assert main(["nowcast", "baseline", "--observed", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:3 (end): expected a month YYYY-MM, found 'June'" in err


# --- the generated page ----------------------------------------------------------------------


def test_generated_page_is_current():
    tool = REPO / "tools" / "gen_nowcast_docs.py"
    spec = importlib.util.spec_from_file_location("gen_nowcast_docs", tool)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    page = (REPO / "docs" / "nowcast.md").read_text()
    assert f"fingerprint {mod.fingerprint()}" in page, (
        "docs/nowcast.md is stale: run python tools/gen_nowcast_docs.py"
    )
