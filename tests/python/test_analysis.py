"""tradeeco.targets and tradeeco.analysis on small synthetic Datasets (no model needed)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import synthetic

import tradeeco
from tradeeco import analysis, targets

REPO = Path(__file__).resolve().parents[2]


# --- targets ---------------------------------------------------------------------------------


def test_targets_table_is_the_missions_official_copy():
    """The shipped table holds the mission's targets.csv unchanged, then the columns the
    project appends (name_zh, the plan's Chinese wording); both shipped copies are identical."""
    import csv

    shipped = (REPO / "python" / "tradeeco" / "data" / "targets.csv").read_bytes()
    assert (REPO / "data" / "targets.csv").read_bytes() == shipped, "data/targets.csv differs"
    with (REPO / "python" / "tradeeco" / "data" / "targets.csv").open(encoding="utf-8") as f:
        ours = list(csv.DictReader(f))
    assert all(r["name_zh"] for r in ours), "every target needs its Chinese name"
    table = targets.table()
    assert table.index.name == "id"
    assert len(table) == len(ours)
    assert set(table["rule"]) <= set(targets.RULES)
    assert targets.get("trading_firms").name_zh == "有进出口实绩的企业"
    official = REPO.parent / "shared" / "mission" / "targets.csv"
    if not official.exists():
        pytest.skip(f"the mission's targets table is not beside the project ({official})")
    with official.open(encoding="utf-8") as f:
        theirs = list(csv.DictReader(f))
    assert list(ours[0])[: len(theirs[0])] == list(theirs[0])
    assert [{k: r[k] for k in theirs[0]} for r in ours] == theirs, "targets.csv is stale"


def test_target_lookup_and_rules():
    t = targets.get("trading_firms")
    assert (t.target_2025, t.target_2027, t.rule) == (5000.0, 5500.0, "at_least")
    assert math.isnan(targets.get("digital_trade").target_2025)
    assert targets.get("clt_rail_days").met([4.9, 5.0], 2027).tolist() == [True, False]
    assert targets.meets([0.0, 0.1], 0.0, "greater_than").tolist() == [False, True]
    assert targets.meets([13.3, 13.4], 13.3, "at_most").tolist() == [True, False]
    assert targets.meets([np.nan], 1.0, "at_least").tolist() == [False]
    with pytest.raises(KeyError, match="trading_firms"):
        targets.get("trading_firm")
    with pytest.raises(ValueError):
        targets.meets(1.0, 1.0, "about")
    with pytest.raises(ValueError):
        targets.get("digital_trade").met(1.0, 2025)


# --- yearly ----------------------------------------------------------------------------------


def test_yearly_reduces_months_by_cell_method(demo):
    stock = analysis.yearly(demo, "trading_firms_monthly")
    assert stock.dims == ("replicate", "year")
    np.testing.assert_array_equal(stock.values, demo["trading_firms"].values)  # December values
    flow = analysis.yearly(demo, "total_trade_cny_100m_monthly")
    expected = demo["total_trade_cny_100m_monthly"].values.reshape(20, 4, 12).sum(axis=2)
    np.testing.assert_allclose(flow.values, expected)
    assert analysis.yearly(demo, "aeo_firms") is not None
    with pytest.raises(KeyError):
        analysis.yearly(demo, "nope")


def test_yearly_takes_last_recorded_month_of_a_partial_year(demo):
    ds = demo.copy(deep=True)
    ds["trading_firms_monthly"][:, -3:] = np.nan  # run stopped in September 2027
    y = analysis.yearly(ds, "trading_firms_monthly").sel(year=2027)
    np.testing.assert_array_equal(y.values, ds["trading_firms_monthly"].values[:, -4])


# --- attainment ------------------------------------------------------------------------------


def test_attainment_counts_replicates_meeting_each_target(demo):
    att = analysis.attainment(demo)
    assert set(att["indicator"]) == {"trading_firms", "aeo_firms", "clt_rail_days"}
    assert list(att.columns) == [
        "scenario",
        "indicator",
        "year",
        "target",
        "rule",
        "unit",
        "n",
        "mean",
        "p05",
        "p95",
        "p_met",
        "p_met_lo",
        "p_met_hi",
        "var_total",
        "share_parameters",
        "share_drivers_noise",
        "share_drivers",
        "share_noise",
    ]
    assert (att["scenario"] == "demo").all()
    row = att[(att["indicator"] == "trading_firms") & (att["year"] == 2027)].iloc[0]
    values = demo["trading_firms"].sel(year=2027).values
    assert row["p_met"] == pytest.approx(np.mean(values >= 5500))
    assert row["mean"] == pytest.approx(values.mean())
    assert row["n"] == 20
    # clt_rail_days has only a 2027 target, with a strict rule
    days = att[att["indicator"] == "clt_rail_days"]
    assert days["year"].tolist() == [2027]
    assert days["p_met"].iloc[0] == pytest.approx(
        np.mean(demo["clt_rail_days"].sel(year=2027).values < 5)
    )


def test_attainment_handcrafted_probabilities():
    ds = xr.Dataset(
        {
            "aeo_firms": (
                ("replicate", "year"),
                [[100.0, 119.0], [111.0, 120.0], [109.0, 125.0], [110.0, np.nan]],
            )
        },
        coords={"replicate": [0, 1, 2, 3], "year": [2025, 2027]},
    )
    att = analysis.attainment({"x": ds}).set_index("year")
    assert att.loc[2025, "p_met"] == 0.5  # 111 and 110 meet ≥ 110
    assert att.loc[2027, "p_met"] == pytest.approx(2 / 3)  # NaN left out
    assert att.loc[2027, "n"] == 3


def test_attainment_of_several_scenarios_and_custom_targets(demo):
    better = synthetic("better", shift=400.0)
    att = analysis.attainment(
        {"base": demo, "better": better}, indicators=["trading_firms"], years=[2027]
    )
    p = att.set_index("scenario")["p_met"]
    assert p["better"] >= p["base"]
    custom = targets.table()
    custom.loc["trading_firms", "target_2027"] = 0.0
    att = analysis.attainment(demo, indicators=["trading_firms"], targets=custom)
    assert att.set_index("year").loc[2027, "p_met"] == 1.0
    # labels from a list of datasets come from their attributes
    assert set(analysis.attainment([demo, better])["scenario"]) == {"demo", "better"}
    with pytest.raises(KeyError):
        analysis.attainment(demo, indicators=["not_a_target"])


def test_summary_picks_the_latest_target_year(demo):
    s = analysis.summary(demo)
    assert s.set_index("indicator").loc["trading_firms", "year"] == 2027
    assert list(s["indicator"]) == [t for t in targets.ids() if t in set(s["indicator"])]


# --- paired differences ----------------------------------------------------------------------


def test_paired_difference_of_identical_results_is_exactly_zero(demo):
    d = analysis.paired_difference(demo, demo.copy(deep=True))
    assert not d.empty
    assert (d["mean"] == 0).all() and (d["lo"] == 0).all() and (d["hi"] == 0).all()
    diffs = analysis.replicate_differences(demo, demo)
    for name in diffs.data_vars:
        assert (diffs[name].values == 0).all()


def test_paired_difference_recovers_a_known_shift(demo):
    shifted = demo.copy(deep=True)
    shifted["trading_firms"] = shifted["trading_firms"] + 100.0
    rng = np.random.default_rng(5)
    shifted["aeo_firms"] = shifted["aeo_firms"] + 2.0 + rng.normal(0, 1, shifted["aeo_firms"].shape)
    d = analysis.paired_difference(demo, shifted, variables=["trading_firms", "aeo_firms"])
    firms = d[d["variable"] == "trading_firms"]
    np.testing.assert_allclose(firms["mean"], 100.0)
    np.testing.assert_allclose(firms["lo"], 100.0)  # no spread: a zero-width interval
    aeo = d[(d["variable"] == "aeo_firms") & (d["year"] == 2027)].iloc[0]
    diff = (shifted["aeo_firms"] - demo["aeo_firms"]).sel(year=2027).values
    half = 2.093024054408263 * diff.std(ddof=1) / np.sqrt(20)  # t(0.975, 19)
    assert aeo["mean"] == pytest.approx(diff.mean())
    assert (aeo["lo"], aeo["hi"]) == pytest.approx((diff.mean() - half, diff.mean() + half))
    pct = analysis.paired_difference(
        demo, shifted, variables=["aeo_firms"], years=[2027], method="percentile"
    ).iloc[0]
    assert (pct["lo"], pct["hi"]) == pytest.approx(tuple(np.quantile(diff, [0.025, 0.975])))
    boot = analysis.paired_difference(
        demo, shifted, variables=["aeo_firms"], years=[2027], method="bootstrap"
    ).iloc[0]
    assert boot["lo"] < diff.mean() < boot["hi"]


def test_t_quantile_fallback_matches_scipy():
    from tradeeco.analysis import _betainc

    # I_x(a, b) at known points
    assert _betainc(1.0, 1.0, 0.3) == pytest.approx(0.3)
    assert _betainc(2.0, 3.0, 0.4) == pytest.approx(0.5248)


def test_unpaired_results_are_refused(demo):
    other_seed = synthetic(seed=2)
    ok, reason = analysis.is_paired(demo, other_seed)
    assert not ok and "seed" in reason
    with pytest.raises(tradeeco.NotPairedError, match="seeds differ"):
        analysis.paired_difference(demo, other_seed)
    fewer = demo.isel(replicate=slice(0, 10))
    with pytest.raises(tradeeco.NotPairedError, match="replicate"):
        analysis.paired_difference(demo, fewer)
    assert issubclass(tradeeco.NotPairedError, ValueError)


# --- tidy frames -----------------------------------------------------------------------------


def test_to_frame_is_tidy(demo):
    df = analysis.to_frame(
        {"a": demo, "b": demo}, variables=["trading_firms", "trading_firms_monthly"]
    )
    assert list(df.columns) == [
        "scenario",
        "variable",
        "unit",
        "frequency",
        "replicate",
        "year",
        "month",
        "value",
    ]
    assert len(df) == 2 * (20 * 4 + 20 * 48)
    monthly = df[df["variable"] == "trading_firms_monthly"]
    assert monthly["month"].notna().all() and (monthly["frequency"] == "monthly").all()
    assert set(monthly["year"]) == {2024, 2025, 2026, 2027}
    yearly = df[df["variable"] == "trading_firms"]
    assert yearly["month"].isna().all()
    assert (yearly["unit"] == "firms").all()
    # round trip: pivoting back gives the original values
    back = yearly[yearly["scenario"] == "a"].pivot(
        index="replicate", columns="year", values="value"
    )
    np.testing.assert_array_equal(back.values, demo["trading_firms"].values)


def test_analysis_does_not_import_plot():
    """Layering: tradeeco.plot draws what tradeeco.analysis computes, never the reverse (the
    two used to import each other)."""
    import ast

    tree = ast.parse((REPO / "python" / "tradeeco" / "analysis.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported.update(f"{node.module or ''}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not {m for m in imported if m.split(".")[-1] == "plot"}, imported
