"""analysis/validation.py (stylized facts from the firm table) and analysis/calibration.py:
the computations on data with known answers, and both scripts end to end on small real runs."""

from __future__ import annotations

import importlib.util
import math
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPO


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "analysis" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def v():
    return _load("validation")


@pytest.fixture(scope="module")
def cal():
    return _load("calibration")


# --- concentration --------------------------------------------------------------------------


def test_top_shares_of_a_known_vector(v):
    x = np.array([50.0, 20, 10, 5, 5, 4, 3, 1, 1, 1] + [0.0] * 5)  # zeros are not exporters
    assert v.top_share(x, 0.10) == pytest.approx(0.5)  # 1 of 10 exporters
    assert v.top_share(x, 0.01) == pytest.approx(0.5)  # at least one firm
    assert v.top_share(x, 0.25) == pytest.approx(0.8)  # ceil(2.5) = 3 firms
    assert v.top_k_share(x, 5) == pytest.approx(0.9)
    assert v.top_k_share(x, 100) == pytest.approx(1.0)
    assert math.isnan(v.top_share(np.zeros(3), 0.1))


def test_top_share_of_equal_firms(v):
    assert v.top_share(np.ones(1000), 0.01) == pytest.approx(0.01)
    assert v.top_share(np.ones(1000), 0.10) == pytest.approx(0.10)


# --- tails ----------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.7, 1.0, 1.5])
def test_hill_recovers_the_pareto_exponent(v, alpha):
    rng = np.random.default_rng(42)
    x = (1.0 - rng.random(200_000)) ** (-1.0 / alpha)  # P(X > x) = x^-alpha, x >= 1
    assert v.hill_estimator(x, 5000) == pytest.approx(alpha, rel=0.05)
    assert v.hill_tail(x, 0.05) == pytest.approx(alpha, rel=0.05)


def test_hill_edge_cases(v):
    assert math.isnan(v.hill_estimator([1.0, 2.0], 5))
    assert math.isnan(v.hill_estimator(np.ones(50), 10))  # no spread in the tail


# --- destinations ---------------------------------------------------------------------------


def test_popcount(v):
    assert v.popcount([0, 1, 3, 0b101010101, (1 << 9) - 1]).tolist() == [0, 1, 2, 5, 9]


def test_destinations_slope_of_a_power_law(v):
    # count(n >= k) = 1000 * k^-2.5 exactly (rounded) for k = 1..9
    counts = np.round(1000 * np.arange(1, 10) ** -2.5).astype(int)
    n = np.concatenate(
        [
            np.full(c - nxt, k)
            for k, (c, nxt) in enumerate(zip(counts, [*counts[1:], 0], strict=True), start=1)
        ]
    )
    assert v.destinations_slope(n) == pytest.approx(-2.5, abs=0.05)
    assert math.isnan(v.destinations_slope([1, 1, 1]))


# --- dynamics on a hand-made panel ----------------------------------------------------------


@pytest.fixture
def panel():
    # firms x years 2024..2027
    e = [
        [1, 1, 1, 1],  # always
        [0, 1, 0, 0],  # new in 2025, dies
        [0, 1, 1, 1],  # new in 2025, survives
        [0, 0, 1, 0],  # new in 2026, dies
        [0, 0, 1, 1],  # new in 2026, survives
        [1, 0, 0, 1],  # exits, re-enters in 2027
        [0, 0, 0, 0],  # never
        [1, 1, 0, 0],  # exits in 2026
    ]
    return pd.DataFrame(np.array(e, dtype=bool), columns=[2024, 2025, 2026, 2027])


def test_new_exporter_share(v, panel):
    # 2025: exporters {0,1,2,7} new {1,2}; 2026: {0,2,3,4} new {3,4}; 2027: {0,2,4,5} new {5}
    assert v.new_exporter_share(panel) == pytest.approx(5 / 12)


def test_first_year_survival(v, panel):
    # cohorts 2025 {1,2} and 2026 {3,4}: survivors {2,4}
    assert v.first_year_survival(panel) == pytest.approx(0.5)


def test_persistence_gap(v, panel):
    e = panel.to_numpy()
    prev, now = e[:, :-1].ravel(), e[:, 1:].ravel()
    expect = now[prev].mean() - now[~prev].mean()
    assert v.persistence_gap(panel) == pytest.approx(expect)
    # within cells: a cell where everyone exports every year has no comparison and is skipped
    cells = np.array([0, 1, 1, 1, 1, 1, 1, 1])
    sub = panel.iloc[1:]
    assert v.persistence_gap(panel, cells) == pytest.approx(v.persistence_gap(sub))


def test_relationship_spells(v):
    # one firm, bit 0: 0 1 0 0 -> one-year spell; bit 1: 0 1 1 0 -> two years; bit 2: 1 1 1 1
    # (left-censored, ignored); bit 3: 0 0 1 0 -> one year
    m = np.array([[0b0100, 0b0111, 0b1110, 0b0100]])
    assert v.one_year_spell_share(m) == pytest.approx(2 / 3)
    h1, h2 = v.exit_hazards(m)
    assert h1 == pytest.approx(2 / 3)  # of the 3 spells started in 2025-26, 2 end after a year
    assert h2 == pytest.approx(1.0)  # the spell started in 2025 that lasted 2 years then ends


def test_premium_with_fixed_effects(v):
    rng = np.random.default_rng(3)
    g = rng.integers(0, 5, 5000)
    d = rng.random(5000) < 0.2 + 0.1 * g
    y = 2.0 * g + 1.3 * d + rng.normal(0, 0.1, 5000)
    assert v.premium_with_fixed_effects(y, d, g) == pytest.approx(1.3, abs=0.02)


def test_growth_decomposition(v):
    x = pd.DataFrame({2024: [10.0, 5.0, 0.0, 2.0], 2027: [12.0, 0.0, 4.0, 2.0]})
    d = v.growth_decomposition(x, 2024, 2027)
    assert d == {"growth": 1.0, "entrants": 4.0, "exiters": 5.0, "continuing": 2.0, "start": 17.0}


# --- the whole pipeline on a synthetic panel ------------------------------------------------


def test_compute_and_render_on_synthetic_data(v):
    snaps = v.synthetic_snapshots(n_firms=800, replicates=2)
    per_rep = v.compute(snaps)
    assert list(per_rep.index) == [0, 1]
    assert len(v.FACTS) >= 12
    for f in v.FACTS:
        assert np.isfinite(per_rep[f.id]).all(), f.id
    summary = v.summarize(per_rep)
    text = v.render(summary, per_rep, _meta(), [])
    assert text.count("\n| ") >= len(v.FACTS) + 1
    with pytest.raises(ValueError, match="lacks columns"):
        v.compute(snaps.drop(columns=["destinations_mask"]))


def _meta():
    return {
        "command": "test",
        "date": "2024-01-01",
        "version": "0",
        "git": "0",
        "scenario": "s",
        "replicates": 2,
        "seed": 1,
        "population_scale": 1.0,
        "years": "2024-2027",
        "firms": 800,
    }


# --- end to end on the real model -----------------------------------------------------------


@pytest.fixture(scope="module")
def snapshot_file(core, v, tmp_path_factory):
    import tradeeco

    out = tmp_path_factory.mktemp("validation") / "snapshots.nc"
    tradeeco.run(
        v.snapshot_spec(replicates=2, population_scale=0.2), out=out, threads=2, progress=False
    ).close()
    with tradeeco.open(out) as ds:
        try:
            tradeeco.open_events(out, v.TABLE).close()
        except (OSError, KeyError, ValueError):
            pytest.skip("this build of the model does not write events/firm_snapshots yet")
        assert ds.attrs["population_scale"] == pytest.approx(0.2)
    return out


def test_snapshot_schema(v, snapshot_file):
    snaps, series, _ = v.load_results(snapshot_file)
    assert set(v.COLUMNS) <= set(snaps.columns)
    assert sorted(snaps["year"].unique()) == [2024, 2025, 2026, 2027]
    assert snaps.groupby(["replicate", "year", "firm_id"]).size().max() == 1
    assert (snaps["destinations_mask"] >= 0).all()
    assert (snaps["destinations_mask"] < (1 << v.N_REGIONS)).all()
    exporting = snaps["exports_cny_100m"] > 0
    assert ((snaps["destinations_mask"] > 0) == exporting).all(), (
        "a firm exports in a year exactly when it has a destination that year"
    )
    # the firm table adds up to the model's own yearly exports
    for c in v.consistency(snaps, series):
        if c["series"] in ("exports_cny_100m", "imports_cny_100m"):
            assert c["max_rel_diff"] < 1e-6, c


def test_validation_script_end_to_end(v, snapshot_file, tmp_path):
    out = tmp_path / "validation.md"
    assert v.main(["--results", str(snapshot_file), "--out", str(out)]) == 0
    text = out.read_text()
    assert "stylized facts" in text
    for f in v.FACTS:
        # markdown tables escape "|" in cells
        assert f.name.replace("|", "\\|") in text, f.name


def test_calibration_gap(cal):
    assert cal.gap_pct(103.0, 100.0) == pytest.approx(3.0)
    assert cal.within(7154.2 * 1.029, 7154.2, 3.0)
    assert not cal.within(7154.2 * 0.969, 7154.2, 3.0)
    assert not cal.within(float("nan"), 1.0, 10.0)


def test_calibration_script_end_to_end(cal, baseline_file, tmp_path):
    out = tmp_path / "calibration.md"
    assert cal.main(["--results", str(baseline_file), "--out", str(out)]) == 0
    text = out.read_text()
    assert "total_trade_cny_100m" in text and "cr_express_trains_cq_crct" in text
    assert "rail" in text and "sea" in text
