"""Reads and checks data/drivers.csv, the exogenous drivers of the model (docs/model.md, "Drivers").

Standard library only: the C++ build runs it to embed the file (``--cpp OUT``), and the tests import
it. Every problem is a DriverFileError whose message reads ``file:line:column: key: expected X,
found Y``; nothing falls back to a default.

    python tools/drivers_csv.py data/drivers.csv                # check the file
    python tools/drivers_csv.py data/drivers.csv --cpp out.cpp  # check, then write the C++ table
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HEADER = ("driver", "region", "sector", "year", "value", "unit", "kind", "vintage", "source", "low", "high")  # fmt: skip
# The forecast is made with what was known at the end of 2024 (issue 12).
CUTOFF = "2024-12-31"
FIRST_FORECAST_YEAR = 2025
YEARS = range(2018, 2028)
KINDS = ("actual", "forecast", "assumption")
MODEL_REGIONS = (
    "eu", "asean", "central_asia_russia", "us", "japan_korea", "latin_america", "africa",
    "middle_east", "rest_of_world",
)  # fmt: skip
REGIONS = (*MODEL_REGIONS, "world", "china")
SECTORS = (
    "all", "laptops_electronics", "electronic_components", "autos_parts", "motorcycles_machinery",
    "chemicals_materials", "biomedicine", "agri_food", "consumer_goods_hardware",
)  # fmt: skip
# Drivers and their units. The model reads MODEL_DRIVERS (models/src/drivers.cpp).
UNITS = {
    "real_gdp_growth": "percent per year",
    "pc_shipments_growth": "percent per year",
    "vehicle_exports_growth": "percent per year",
    "world_trade_volume_growth": "percent per year",
    "corridor_cargo_other_provinces_growth": "percent per year",
    "cny_per_usd": "CNY per USD (Fed H.10 annual average)",
    "export_share_growth": "percent per year",
    "world_trade_price_growth": "percent per year",
}
MODEL_DRIVERS = (
    "real_gdp_growth", "pc_shipments_growth", "vehicle_exports_growth", "cny_per_usd", "export_share_growth",
    "world_trade_price_growth", "corridor_cargo_other_provinces_growth",
)  # fmt: skip
VINTAGE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")


class DriverFileError(ValueError):
    """A problem in the driver file, with its place."""


@dataclass(frozen=True)
class Row:
    driver: str
    region: str
    sector: str
    year: int
    value: float
    unit: str
    kind: str
    vintage: str
    source: str
    low: float | None
    high: float | None
    line: int


def _vintage_key(v: str) -> str:
    """A month-only vintage (2024-10) counts as the month's last possible day for the cutoff."""
    return v if len(v) == 10 else v + "-31"


def _columns(raw_line: str) -> list[int]:
    """1-based column where each CSV field starts (quotes respected)."""
    starts, in_quotes = [1], False
    for i, ch in enumerate(raw_line):
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "," and not in_quotes:
            starts.append(i + 2)
    return starts


def read(path: str | Path) -> list[Row]:
    """All rows of a driver file, checked; raises DriverFileError at the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DriverFileError(f"{path}: expected a readable UTF-8 CSV file, found {e}") from e
    lines = text.splitlines()
    if not lines:
        raise DriverFileError(
            f"{path}:1:1: header: expected {','.join(HEADER)}, found an empty file"
        )
    rows: list[Row] = []
    seen: dict[tuple[str, str, str, int], int] = {}
    for n, fields in enumerate(csv.reader(lines), start=1):
        cols = _columns(lines[n - 1])

        def fail(i: int, expected: str, found: str, n: int = n, cols: list[int] = cols) -> None:
            col = cols[i] if i < len(cols) else 1
            key = HEADER[i] if i < len(HEADER) else "row"
            raise DriverFileError(f"{path}:{n}:{col}: {key}: expected {expected}, found {found!r}")

        if n == 1:
            if tuple(fields) != HEADER:
                raise DriverFileError(
                    f"{path}:1:1: header: expected {','.join(HEADER)}, found {','.join(fields)}"
                )
            continue
        if len(fields) != len(HEADER):
            raise DriverFileError(
                f"{path}:{n}:1: row: expected {len(HEADER)} fields, found {len(fields)}"
            )
        driver, region, sector, year_s, value_s, unit, kind, vintage, source, low_s, high_s = fields
        if driver not in UNITS:
            fail(0, "one of " + ", ".join(UNITS), driver)
        if region not in REGIONS:
            fail(1, "one of " + ", ".join(REGIONS), region)
        if sector not in SECTORS:
            fail(2, "one of " + ", ".join(SECTORS), sector)
        if not year_s.isdigit() or int(year_s) not in YEARS:
            fail(3, f"a year {YEARS.start}-{YEARS.stop - 1}", year_s)
        year = int(year_s)
        try:
            value = float(value_s)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            fail(4, "a finite number", value_s)
        if unit != UNITS[driver]:
            fail(5, f"the unit of {driver}, {UNITS[driver]!r}", unit)
        if kind not in KINDS:
            fail(6, "one of " + ", ".join(KINDS), kind)
        if not VINTAGE.match(vintage):
            fail(7, "a publication date YYYY-MM-DD or YYYY-MM", vintage)
        if not source.strip():
            fail(8, "a source (address, or ASSUMPTION with its reasoning)", source)
        if year >= FIRST_FORECAST_YEAR:
            if kind == "actual":
                fail(6, f"forecast or assumption for {year} (no realized value after 2024)", kind)
            if _vintage_key(vintage) > CUTOFF:
                fail(7, f"a vintage on or before {CUTOFF} for {year}", vintage)
        bounds: list[float | None] = []
        for i, s in ((9, low_s), (10, high_s)):
            if kind != "assumption":
                if s:
                    fail(i, "nothing (ranges belong to assumption rows)", s)
                bounds.append(None)
                continue
            try:
                b = float(s)
            except ValueError:
                b = math.nan
            if not math.isfinite(b):
                fail(i, "the assumption's range bound (a number)", s)
            bounds.append(b)
        low, high = bounds
        if kind == "assumption":
            if not source.startswith("ASSUMPTION"):
                fail(8, "a source starting with ASSUMPTION and its reasoning", source[:40])
            if not (low <= value <= high):  # type: ignore[operator]
                fail(4, f"a value within the row's range [{low_s}, {high_s}]", value_s)
        key = (driver, region, sector, year)
        if key in seen:
            fail(
                0,
                f"one row per driver, region, sector and year (also line {seen[key]})",
                ",".join(fields[:4]),
            )
        seen[key] = n
        rows.append(
            Row(driver, region, sector, year, value, unit, kind, vintage, source, low, high, n)
        )
    return rows


def cpp_source(rows: list[Row]) -> str:
    """The rows the model reads, as a C++ table (models/include/tradeeco/models/drivers.hpp)."""
    out = [
        "// Generated from data/drivers.csv by tools/drivers_csv.py at build time. Do not edit.",
        "#include <tradeeco/models/drivers.hpp>",
        "",
        "namespace tradeeco::models {",
        "namespace {",
        "constexpr driver_row rows[] = {",
    ]
    for r in rows:
        if r.driver in MODEL_DRIVERS:
            out.append(
                f'    {{"{r.driver}", "{r.region}", "{r.sector}", {r.year}, {r.value!r}, '
                f"driver_kind::{r.kind}, {r.line}}},"
            )
    out += [
        "};",
        "} // namespace",
        "",
        "std::span<const driver_row> shipped_drivers() noexcept { return rows; }",
        "",
        "} // namespace tradeeco::models",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Check data/drivers.csv; optionally write the C++ table the model embeds."
    )
    ap.add_argument("csv", type=Path, help="the driver file (data/drivers.csv)")
    ap.add_argument("--cpp", type=Path, help="write the generated C++ source here")
    a = ap.parse_args(argv)
    try:
        rows = read(a.csv)
    except DriverFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if a.cpp:
        a.cpp.parent.mkdir(parents=True, exist_ok=True)
        tmp = a.cpp.with_suffix(".tmp")  # no half-written source if this stops midway
        tmp.write_text(cpp_source(rows), encoding="utf-8")
        tmp.replace(a.cpp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
