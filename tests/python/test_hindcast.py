"""The hindcast: its scenario, its 2018 starting figures, a short run, the drivers' coverage
error and docs/hindcast.md against drift (issue 12)."""

from __future__ import annotations

import csv
import importlib.util
import io
import re

import pandas as pd
import pytest
from conftest import REPO

import tradeeco

HISTORY = REPO / "data" / "chongqing_history.csv"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_hindcast_docs", REPO / "tools" / "gen_hindcast_docs.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _data_value(indicator: str, year: int) -> float:
    rows = csv.DictReader(io.StringIO(HISTORY.read_text(encoding="utf-8")))
    found = [
        float(r["value"]) for r in rows if r["indicator"] == indicator and r["year"] == str(year)
    ]
    assert len(found) == 1, f"data/chongqing_history.csv: {len(found)} rows for {indicator} {year}"
    return found[0]


def _term_value(term: str) -> float:
    """A formula term: a data file value, or a driver's growth factor (1 + percent / 100)."""
    kind, _, rest = term.partition(":")
    name, year = rest.split("@")
    if kind == "data":
        return _data_value(name, int(year))
    assert kind == "driver", term
    rows = csv.DictReader(io.StringIO((REPO / "data" / "drivers.csv").read_text(encoding="utf-8")))
    found = [float(r["value"]) for r in rows if r["driver"] == name and r["year"] == year]
    assert len(found) == 1, f"data/drivers.csv: {len(found)} rows for {name} {year}"
    return 1.0 + found[0] / 100.0


# --- the 2018 figures ------------------------------------------------------------------------


def test_every_base_year_figure_follows_from_the_data_file():
    rows = _generator().base_year_rows()
    assert {r[0] for r in rows if r[1] == 2018} >= {
        "total_trade_2024",
        "export_share_2024",
        "trading_firms_2024",
        "auto_exports_2024",
        "share_asean",
        "share_eu",
    }
    for key, year, value, formula, note in rows:
        # `data:<indicator>@<year>` and `driver:<growth>@<year>` terms joined by * and /:
        # evaluate left to right.
        terms = re.split(r"\s*([*/])\s*", formula)
        acc = _term_value(terms[0])
        for op, term in zip(terms[1::2], terms[2::2], strict=True):
            x = _term_value(term)
            acc = acc * x if op == "*" else acc / x
        assert value == pytest.approx(acc, rel=5e-4), (key, year, formula)
        # A figure not of its own year is an assumption and says so.
        years = {int(t.split("@")[1]) for t in terms[0::2]}
        assert years == {year} or note.startswith("ASSUMPTION"), (key, note)


# --- the scenario ----------------------------------------------------------------------------


def test_the_hindcast_scenario_validates_with_no_policy(core):
    spec = tradeeco.load_scenario("hindcast")
    assert str(spec.start) == "2019-01-01" and str(spec.end) == "2024-12-31"
    assert "base_year = 2018" in spec.resolved_text
    assert "[[policy]]" not in spec.resolved_text and "[[shock]]" not in spec.resolved_text


def test_a_short_hindcast_covers_2019_2024_with_the_forecasts_names(core, tmp_path):
    small = {"replicates": 1, "population_scale": 0.05}
    hind = tradeeco.run(
        tradeeco.load_scenario("hindcast").with_(**small), tmp_path / "h.nc", progress=False
    )
    fore = tradeeco.run(
        tradeeco.load_scenario("baseline").with_(**small, end="2024-12-31"),
        tmp_path / "b.nc",
        progress=False,
    )
    assert hind["year"].values.tolist() == list(range(2019, 2025))
    assert str(hind["month"].values[0])[:7] == "2019-01"
    assert set(hind.data_vars) == set(fore.data_vars)
    # Calibrated to 2018 (5,222.6): total trade 2019 within 20 % of it, at 5 % of the firms.
    t2019 = float(hind["total_trade_cny_100m"].sel(year=2019).mean()) / 0.05
    assert t2019 == pytest.approx(5222.6, rel=0.2)
    # and the 2024 forecast's start is not the hindcast's (different base years).
    t2024 = float(fore["total_trade_cny_100m"].sel(year=2024).mean()) / 0.05
    assert t2024 == pytest.approx(7154.2, rel=0.2)


def _load_text(tmp_path, text: str):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return tradeeco.load_scenario(path), path


def test_a_start_before_the_drivers_is_refused_clearly(core, tmp_path):
    with pytest.raises(tradeeco.ScenarioError) as e:
        _load_text(tmp_path, '[scenario]\nname = "early"\nstart = 2018-01-01\nend = 2020-12-31\n')
    msg = str(e.value)
    assert ":3:9: scenario.start: expected a start date in 2019 or later" in msg
    assert "data/drivers.csv has growth rates for every driver the model reads in 2019-2027" in msg
    assert "found 2018-01-01" in msg


@pytest.mark.parametrize(
    ("base_year", "expected"),
    [
        (2016, "expected the start year 2019 or the year before"),
        (
            2019,
            "expected a year with base-year figures (2018, 2024; models/src/base_year_rows.inc)",
        ),
    ],
)
def test_a_base_year_without_figures_or_too_early_is_refused(core, tmp_path, base_year, expected):
    with pytest.raises(tradeeco.ScenarioError) as e:
        _load_text(
            tmp_path,
            f'[scenario]\nname = "h"\nstart = 2019-01-01\nend = 2020-12-31\nbase_year = {base_year}\n',
        )
    assert f":5:13: scenario.base_year: {expected}" in str(e.value)
    assert f"found {base_year}" in str(e.value)


# --- the generated page ----------------------------------------------------------------------


def test_the_hindcast_page_is_current():
    mod = _generator()
    page = (REPO / "docs" / "hindcast.md").read_text()
    assert f"fingerprint {mod.fingerprint()}" in page, (
        "docs/hindcast.md is stale (its inputs changed): run python tools/gen_hindcast_docs.py"
    )
    fresh = mod.render(pd.read_csv(mod.SUMMARY), mod.load_data())
    assert page == fresh, "docs/hindcast.md differs from its summary: run the generator"


def test_the_page_scores_what_it_shows():
    mod = _generator()
    summary = pd.DataFrame(
        [
            {"variable": v, "year": y, "ensemble": e, "mean": 100.0, "p10": lo, "p90": hi,
             "runs": 2, "drawn": 0}
            for v, *_ in mod.INDICATORS
            for y in mod.YEARS
            for e, lo, hi in (("replicates", 90.0, 110.0), ("priors", 50.0, 150.0))
        ]
    )  # fmt: skip
    data = pd.DataFrame(
        [
            {"indicator": "total_trade_cny_100m", "year": y, "value": v, "confidence": "high",
             "derived": False}
            for y, v in ((2018, 80.0), (2019, 100.0), (2020, 125.0), (2023, 95.0))
        ]
    )  # fmt: skip
    sc = mod.score(summary, data)
    tt = sc[sc["variable"] == "total_trade_cny_100m"].set_index("year")
    assert tt.loc[2020, "ape"] == pytest.approx(20.0)
    assert tt.loc[2019, "in_band"] and not tt.loc[2020, "in_band"]
    assert tt.loc[2020, "in_band_priors"]  # the wider band of the prior-drawn members
    assert tt.loc[2019, "dir_hit"]  # from the 2018 figure, 80 -> 100, both up
    assert not tt.loc[2020, "dir_hit"]  # model flat, data up
    assert pd.isna(tt.loc[2023, "dir_hit"])  # no 2022 figure to compare with
