"""data/drivers.csv: the forecast uses only what was known at the end of 2024 (issue 12), every row
has its unit, source and vintage, and a bad file is reported with its file, line and column."""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import re
import sys

import pytest
from conftest import REPO

DRIVERS = REPO / "data" / "drivers.csv"
HISTORY = REPO / "data" / "chongqing_history.csv"
TOOL = REPO / "tools" / "drivers_csv.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("drivers_csv", TOOL)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["drivers_csv"] = mod  # dataclasses look their module up here
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def rows(tool):
    return tool.read(DRIVERS)


def _raw_rows():
    """The shipped file read with the csv module alone, so the vintage rule is checked
    independently of the reader that enforces it."""
    return list(csv.DictReader(io.StringIO(DRIVERS.read_text(encoding="utf-8"))))


def test_no_row_for_2025_or_later_is_published_after_2024():
    late = []
    for r in _raw_rows():
        vintage = r["vintage"] if len(r["vintage"]) == 10 else r["vintage"] + "-31"
        if int(r["year"]) >= 2025 and vintage > "2024-12-31":
            late.append((r["driver"], r["region"], r["year"], r["vintage"]))
    assert not late, f"rows for 2025+ published after 2024-12-31: {late}"


def test_no_realized_value_after_2024_in_the_model_inputs():
    realized = [
        (r["driver"], r["region"], r["year"])
        for r in _raw_rows()
        if int(r["year"]) > 2024 and r["kind"] == "actual"
    ]
    assert not realized, f"realized values after 2024 in data/drivers.csv: {realized}"
    # The model's calibration data: history runs to 2024 only.
    hist = list(csv.DictReader(io.StringIO(HISTORY.read_text(encoding="utf-8"))))
    after = [
        (r["indicator"], r["year"]) for r in hist if r["year"].isdigit() and int(r["year"]) > 2024
    ]
    assert not after, f"data/chongqing_history.csv holds years after 2024: {after}"


def test_every_row_has_unit_source_and_vintage(rows, tool):
    assert len(rows) > 50
    for r in rows:
        assert r.unit == tool.UNITS[r.driver]
        assert r.source.strip()
        assert tool.VINTAGE.match(r.vintage)
        if r.kind == "assumption":
            assert r.source.startswith("ASSUMPTION") and r.low <= r.value <= r.high
        elif "DERIVED" not in r.source:
            assert "http" in r.source or "repo " in r.source, (
                f"line {r.line}: no address in {r.source!r}"
            )


def test_model_drivers_cover_every_region_and_forecast_year(rows, tool):
    have = {(r.driver, r.region, r.year) for r in rows}
    for region in (*tool.MODEL_REGIONS, "china"):
        for year in range(2024, 2028):
            assert ("real_gdp_growth", region, year) in have, (region, year)
    for year in range(2024, 2028):
        assert ("pc_shipments_growth", "world", year) in have
        assert ("vehicle_exports_growth", "china", year) in have
        assert ("export_share_growth", "china", year) in have
        assert ("world_trade_price_growth", "world", year) in have
        assert ("corridor_cargo_other_provinces_growth", "china", year) in have


def test_derived_growth_rows_are_their_arithmetic(rows):
    """A row DERIVED as 'a / b - 1' (a share's, a price's or the corridor's growth) holds that
    growth in percent, to its rounding."""
    checked = 0
    for r in rows:
        m = re.match(r"DERIVED: ([0-9.]+) / ([0-9.]+) - 1", r.source)
        if m:
            want = (float(m.group(1)) / float(m.group(2)) - 1.0) * 100.0
            assert r.value == pytest.approx(want, abs=0.006), f"line {r.line}: {r.source[:60]}"
            checked += 1
    assert checked >= 16  # the share's 6 years, the price's 6, the corridor's 4


@pytest.mark.parametrize(
    ("key", "driver", "region"),
    [
        ("export_share_error_sd", "export_share_growth", "china"),
        ("trade_price_error_sd", "world_trade_price_growth", "world"),
    ],
)
def test_no_change_error_sd_is_the_rms_of_realized_growth(rows, key, driver, region):
    """The no-change forecast's error is the realized growth: the table's SD is its RMS over
    2019-2024 without the 2020-21 swings (as for GDP), to the table's 0.1 pp."""
    import tradeeco

    growth = {
        r.year: r.value
        for r in rows
        if (r.driver, r.region) == (driver, region) and r.kind == "actual"
    }
    years = [y for y in range(2019, 2025) if y not in (2020, 2021)]
    rms = math.sqrt(sum(growth[y] ** 2 for y in years) / len(years))
    table = tradeeco.parameter_table().set_index("key")
    assert table.loc[key, "value"] == pytest.approx(rms, abs=0.05)


BAD = [
    # (replace this text of the shipped file, by this, expected message fragment, field index)
    ("2025,4.3,percent per year,forecast,2024-09-23", "2025,4.3,percent per year,forecast,2025-01-13",
     "vintage: expected a vintage on or before 2024-12-31 for 2025, found '2025-01-13'", 7),
    ("2025,4.3,percent per year,forecast,2024-09-23", "2025,4.3,percent per year,actual,2024-09-23",
     "kind: expected forecast or assumption for 2025", 6),
    ("2025,4.3,percent per year,forecast,2024-09-23", "2025,4.3,percent a year,forecast,2024-09-23",
     "unit: expected the unit of pc_shipments_growth", 5),
    ("2025,4.3,percent per year,forecast,2024-09-23", "2025,4.3x,percent per year,forecast,2024-09-23",
     "value: expected a finite number, found '4.3x'", 4),
    ("pc_shipments_growth,world,laptops_electronics,2025", "pc_shipments_growth,world,laptop,2025",
     "sector: expected one of all, laptops_electronics", 2),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message", "field"), BAD)
def test_a_bad_row_names_file_line_column_and_key(tool, tmp_path, old, new, message, field):
    text = DRIVERS.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    bad = tmp_path / "drivers.csv"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    bad_line = bad.read_text(encoding="utf-8").splitlines()[line - 1]
    column = len(",".join(bad_line.split(",")[:field])) + (2 if field else 1)
    with pytest.raises(tool.DriverFileError) as e:
        tool.read(bad)
    assert str(e.value).startswith(f"{bad}:{line}:{column}: ")
    assert message in str(e.value)


def test_duplicates_and_ranges_are_refused(tool, tmp_path):
    text = DRIVERS.read_text(encoding="utf-8")
    lines = text.splitlines()
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(
        tool.DriverFileError, match=r"one row per driver, region, sector and year \(also line 2\)"
    ):
        tool.read(dup)
    # An assumption outside its own range.
    old = "2025,5.0,percent per year,assumption,2024-12-31"
    assert old in text
    out = tmp_path / "range.csv"
    out.write_text(
        text.replace(old, "2025,25.0,percent per year,assumption,2024-12-31", 1), encoding="utf-8"
    )
    with pytest.raises(
        tool.DriverFileError, match=r"value: expected a value within the row's range \[0.0, 15.0\]"
    ):
        tool.read(out)


def test_the_command_line_checks_and_reports(tool, tmp_path, capsys):
    assert tool.main([str(DRIVERS)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("driver,region\n", encoding="utf-8")
    assert tool.main([str(bad)]) == 1
    assert f"{bad}:1:1: header: expected driver,region,sector" in capsys.readouterr().err


def test_share_price_error_corr_is_the_realized_changes_correlation(rows):
    """The share's and the world price's no-change errors are their realized changes: the
    table's correlation is theirs over 2019-2024 without 2020-21, to 0.01."""
    import tradeeco

    def growth(driver):
        return {r.year: r.value for r in rows if r.driver == driver and r.kind == "actual"}

    s, p = growth("export_share_growth"), growth("world_trade_price_growth")
    years = [2019, 2022, 2023, 2024]
    corr = sum(s[y] * p[y] for y in years) / math.sqrt(
        sum(s[y] ** 2 for y in years) * sum(p[y] ** 2 for y in years)
    )
    table = tradeeco.parameter_table().set_index("key")
    assert table.loc["share_price_error_corr", "value"] == pytest.approx(corr, abs=0.005)


def test_city_share_error_sd_is_the_fit_windows_rms():
    """Chongqing's share of China's trade (data/chongqing_history.csv): the RMS of its yearly
    growth over the hindcast's fit window 2019-2022 is the table's city_share_error_sd, to 0.1."""
    import tradeeco

    level = {}
    for r in csv.DictReader(io.StringIO(HISTORY.read_text(encoding="utf-8"))):
        if r["indicator"] in ("total_trade_cny_100m", "china_total_trade_cny_100m"):
            level[(r["indicator"], int(r["year"]))] = float(r["value"])
    share = {
        y: level[("total_trade_cny_100m", y)] / level[("china_total_trade_cny_100m", y)]
        for y in range(2018, 2025)
    }
    growth = [(share[y] / share[y - 1] - 1.0) * 100.0 for y in range(2019, 2023)]
    rms = math.sqrt(sum(g**2 for g in growth) / len(growth))
    table = tradeeco.parameter_table().set_index("key")
    assert table.loc["city_share_error_sd", "value"] == pytest.approx(rms, abs=0.05)
