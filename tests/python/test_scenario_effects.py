"""What scenarios do to the results: common random numbers pair runs exactly, and the plan moves
each of its target indicators the way the plan intends.

* A scenario run twice with the same seed gives identical results, so its paired difference
  with itself is exactly zero on every variable.
* Pairing (same seed, per-replicate differences) gives a package's effect a much narrower
  interval than comparing independent runs (different seeds, Welch interval).
* ``plan`` against ``baseline``, same seed, for every yearly target indicator in the results:
  ``at_least``/``greater_than`` indicators rise and ``at_most``/``less_than`` ones fall, in
  2027 (or 2025 for a 2025-only target; growth rates on their 2025-2027 average). Each
  indicator is listed below as moved by the plan's levers (with the levers) or as touched by
  none of them; a new target indicator in the results fails the test until it is listed.
  The measured size of each lever's move is in docs/measures.md ("Traceability", written by
  tools/trace_levers.py).

About 30-50 s on 2 cores (five scenario runs of 10 replicates at full scale).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import tradeeco
from tradeeco import analysis

REPO = Path(__file__).resolve().parents[2]
# 20: the plan's effect on specialized_sme_exporters in 2027 is +4.1 [3.0, 5.2] before and
# +4.1 [2.3, 5.9] after the trade-company mechanism (issue 13) on 20 paired replicates; on 10
# the interval of the latter just touched 0 ([-0.2, 6.8]), noise rather than a changed effect.
REPLICATES = 20
THREADS = 2

# Indicators the plan's levers act on, with the plan.toml levers that move them (their
# measured contributions: docs/measures.md, Traceability). Each must move in its rule's
# direction, beyond noise.
MOVED = {
    "total_trade_growth": "kd_kit_hub, transit_time_cut, clearance_time_cut, chain_leader_pairing",
    "asean_trade": "kd_kit_hub, clearance_time_cut, service_frequency, entry_cost_subsidy",
    "electronic_components_trade": "clearance_time_cut, service_frequency, entry_cost_subsidy",
    "vehicle_export_national_share": "transit_time_cut, clearance_time_cut",
    "kd_kit_exports": "kd_kit_hub",
    "trading_firms": "entry_cost_subsidy, transit_time_cut, export_credit_insurance, "
    "clearance_time_cut, chain_leader_pairing, platform_outreach (market_intelligence: down)",
    "specialized_sme_exporters": "entry_cost_subsidy (market_intelligence: down)",
    "aeo_firms": "aeo_cultivation",
    "platform_coverage": "platform_outreach",
    "cross_border_rmb": "rmb_settlement_promotion, and the trade the other levers add",
    "belt_road_share": "entry_cost_subsidy (Belt and Road regions), rail-sea service_frequency",
    "cbec_growth": "cbec_support",
    "cr_express_trains": "service_frequency (CR Express)",
    "lsc_transit_rate": "transit_cargo_attraction, service_frequency, transit_time_cut",
    "hub_corridor_volume_growth": "transit_cargo_attraction, service_frequency, freight_subsidy",
    "clt_rail_days": "transit_time_cut (clt_rail)",
    "clt_rail_cost_cut": "freight_subsidy (clt_rail)",
    "freight_forwarders": "forwarder_attraction",
    "a_level_logistics_firms": "forwarder_attraction",
    "one_bill_digital_bills": "one_bill_adoption",
    "rail_doc_financing": "rail_doc_financing",
    "logistics_cost_gdp": "clearance_time_cut, transit_time_cut, freight_subsidy",
}

# Indicators no lever of plan.toml aims at: the zone results (measures 12-14 have no
# instrument in the plan files) and the intermediate-goods share (a result of the sector mix).
# They still move as a by-product (the plan's entry subsidies and corridors raise trade
# everywhere and shift its mix between zones), so they are checked not to fall by more than
# UNTOUCHED_TOLERANCE of their baseline value.
UNTOUCHED = {
    "ftz_trade_share": "zone share of trade: where trading firms are, no zone-targeted lever",
    "liangjiang_trade": "zone trade (measure 13 has no instrument in plan.toml)",
    "hightech_zone_trade": "zone trade (measure 13 has no instrument in plan.toml)",
    "bonded_zone_share": "zone share of trade (measure 14 has no instrument in plan.toml)",
    "intermediate_goods_share": "result of the sector and regime mix; no lever aims at it",
}
UNTOUCHED_TOLERANCE = 0.02

# Growth rates ("percent a year"): the plan's levers ramp up in 2025-2026, so they lift the level
# early and the growth of the last year only a little, and a small channel's yearly growth is
# noisy (cbec_growth ranges from -27% to +260% between replicates in the baseline). For these
# the direction is checked on the average yearly growth over the plan's years, the plan's "+x%
# a year"; the last year must not move significantly the wrong way.
GROWTH_RATES = {"total_trade_growth", "cbec_growth"}
PLAN_YEARS = (2025, 2026, 2027)

# Cases where the model moves the indicator against the plan's intent, as strict xfails with
# the reason (the test then fails once the model is fixed and the mark must go). The cases found
# at commit 8074557 (the Yangtze transit-time cut shortening the ocean leg, KD kits booked
# outside the bonded zones, logistics cost per GDP rising with volume, A-level firms untouched
# by any lever) were fixed in the model. Open:
# - belt_road_share, since the plan's strengths were taken from the plan's text and evidence
#   instead of being solved from targets: the KD-kit hubs, which carried the plan's positive
#   effect, are now sized by evidence (0.10, was 0.45), and the corridor time cuts shift trade
#   to the EU and the US (plan minus baseline 2027: -0.14 points [-0.175, -0.105], 20 replicates;
#   docs/model.md, "Changes that altered results"). The model disagrees with the plan here.
WRONG_WAY: dict[str, str] = {
    "belt_road_share": "the time cuts pull trade toward the EU and the US more than the Belt and "
    "Road subsidies and rail-sea trains push it to partner countries",
}
# The same for indicators no lever aims at: a fall beyond UNTOUCHED_TOLERANCE.
UNTOUCHED_WRONG_WAY: dict[str, str] = {}


def scenario(name: str):
    path = REPO / "scenarios" / "files" / f"{name}.toml"
    return tradeeco.load_scenario(path if path.exists() else tradeeco.scenario_path(name))


@pytest.fixture(scope="module")
def runs(core):
    """Runs scenarios once per module: ``runs(name, seed=None, tag="")``."""
    cache = {}

    def get(name: str, seed: int | None = None, tag: str = ""):
        key = (name, seed, tag)
        if key not in cache:
            spec = scenario(name).with_(replicates=REPLICATES)
            if seed is not None:
                spec = spec.with_(seed=seed)
            cache[key] = tradeeco.run(spec, threads=THREADS, progress=False)
        return cache[key]

    return get


def series(ds) -> list[str]:
    return [
        v for v in ds.data_vars if "replicate" in ds[v].dims and {"month", "year"} & set(ds[v].dims)
    ]


# --- common random numbers -------------------------------------------------------------------


def test_a_scenario_against_itself_differs_by_exactly_zero(runs):
    a = runs("baseline")
    b = runs("baseline", tag="again")  # a second, separate run with the same seed
    assert a is not b
    names = series(a)
    assert len(names) > 20 and names == series(b)
    for name in names:
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name
    d = analysis.paired_difference(a, b, variables=names)
    d = d[d["n"] > 0]
    assert len(d) > 100
    assert (d["mean"] == 0).all(), d[d["mean"] != 0]
    assert (d["sd"] == 0).all(), d[d["sd"] != 0]


def _welch_half_width(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> float:
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    return analysis._t_quantile(0.5 + level / 2, df) * math.sqrt(vx + vy)


def test_pairing_narrows_the_interval_of_a_package_effect(runs):
    base = runs("baseline")
    paired = runs("pkg_industry_trade")
    other_seed = int(base.attrs["seed"]) + 1
    unpaired = runs("pkg_industry_trade", seed=other_seed)
    assert analysis.is_paired(base, paired)[0]
    assert not analysis.is_paired(base, unpaired)[0]
    with pytest.raises(tradeeco.NotPairedError):
        analysis.paired_difference(base, unpaired, variables=["trading_firms"])

    d = analysis.paired_difference(base, paired, variables=["trading_firms"], years=[2027])
    d = d.iloc[0]
    paired_half = (d["hi"] - d["lo"]) / 2
    x = base["trading_firms"].sel(year=2027).values.astype(float)
    y = unpaired["trading_firms"].sel(year=2027).values.astype(float)
    unpaired_half = _welch_half_width(x, y)
    unpaired_mean = y.mean() - x.mean()
    msg = (
        f"paired {d['mean']:.1f} ± {paired_half:.1f}, "
        f"unpaired {unpaired_mean:.1f} ± {unpaired_half:.1f} firms"
    )
    assert d["mean"] > 0, msg  # the package adds trading firms
    assert paired_half < 0.5 * unpaired_half, msg
    # Both estimate the same effect.
    assert abs(unpaired_mean - d["mean"]) <= unpaired_half + paired_half, msg


# --- the plan's direction on its targets -----------------------------------------------------


def target_year(da) -> int:
    """2027 if the indicator has a 2027 target, else 2025 (a 2025-only target)."""
    v = da.attrs.get("target_2027")
    try:
        return 2025 if v is None or math.isnan(float(v)) else 2027
    except (TypeError, ValueError):
        return 2025


def test_every_target_indicator_is_classified(runs):
    plan = runs("plan")
    found = {v for v in plan.data_vars if "year" in plan[v].dims and "target_rule" in plan[v].attrs}
    assert set(MOVED).isdisjoint(UNTOUCHED)
    assert set(WRONG_WAY) <= set(MOVED)
    assert set(UNTOUCHED_WRONG_WAY) <= set(UNTOUCHED)
    assert {v for v in found if tradeeco.targets.get(v).unit == "percent a year"} == GROWTH_RATES
    assert found == set(MOVED) | set(UNTOUCHED), (
        f"unlisted: {sorted(found - set(MOVED) - set(UNTOUCHED))}, "
        f"not in the results: {sorted((set(MOVED) | set(UNTOUCHED)) - found)}"
    )


def _effect(runs, name: str):
    base, plan = runs("baseline"), runs("plan")
    year = target_year(plan[name])
    rule = str(plan[name].attrs["target_rule"])
    d = analysis.paired_difference(base, plan, variables=[name], years=[year]).iloc[0]
    return rule, year, d


def _average_growth(ds, name: str) -> np.ndarray:
    """Average yearly growth over the plan's years 2025-2027, percent, per replicate."""
    g = ds[name].sel(year=list(PLAN_YEARS)).values.astype(float)
    return (np.prod(1.0 + g / 100.0, axis=1) ** (1.0 / len(PLAN_YEARS)) - 1.0) * 100.0


def _cases(names, wrong_way):
    out = []
    for name in names:
        marks = ()
        if name in wrong_way:
            marks = pytest.mark.xfail(
                strict=True, reason=f"model moves it the wrong way: {wrong_way[name]}"
            )
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("name", _cases(MOVED, WRONG_WAY))
def test_the_plan_moves_its_indicator_the_intended_way(runs, name):
    rule, year, d = _effect(runs, name)
    msg = (
        f"{name} ({rule}, {year}): baseline {d['mean_a']:.4g}, plan {d['mean_b']:.4g}, "
        f"paired difference {d['mean']:.4g} [{d['lo']:.4g}, {d['hi']:.4g}]; levers: {MOVED[name]}"
    )
    up = rule in ("at_least", "greater_than")
    assert up or rule in ("at_most", "less_than"), f"unknown rule {rule!r}"
    if name in GROWTH_RATES:
        assert up
        assert d["hi"] > 0, msg  # the last year does not fall significantly
        diff = _average_growth(runs("plan"), name) - _average_growth(runs("baseline"), name)
        half = analysis._t_quantile(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size)
        msg += f"; average growth 2025-2027: paired difference {diff.mean():.4g} ± {half:.3g}"
        assert diff.mean() > 0 and diff.mean() - half > 0, msg
    elif up:
        assert d["mean"] > 0 and d["lo"] > 0, msg
    else:
        assert d["mean"] < 0 and d["hi"] < 0, msg


@pytest.mark.parametrize("name", _cases(UNTOUCHED, UNTOUCHED_WRONG_WAY))
def test_indicators_no_lever_aims_at_do_not_move_against_the_plan(runs, name):
    rule, year, d = _effect(runs, name)
    tol = UNTOUCHED_TOLERANCE * abs(d["mean_a"])
    msg = (
        f"{name} ({rule}, {year}; {UNTOUCHED[name]}): baseline {d['mean_a']:.4g}, "
        f"plan {d['mean_b']:.4g}, tolerance {tol:.3g}"
    )
    if rule in ("at_least", "greater_than"):
        assert d["mean_b"] >= d["mean_a"] - tol, msg
    else:
        assert d["mean_b"] <= d["mean_a"] + tol, msg
