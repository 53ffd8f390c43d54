"""No new numbers in the model's code: every behaviour-shaping number belongs in the parameter
table (models/src/parameters.cpp), with its unit, range, prior and source.

The test scans models/src for numeric literals (comments and strings removed) and fails on any
that is neither a universally allowed value (unit conversions, calendar constants, array sizes,
numerical guards) nor on the per-file allow-list below. Adding a number to a model file therefore
means adding a parameter, or adding it here with the reason it is not one.
"""

from __future__ import annotations

import collections
import re

from conftest import REPO

SRC = REPO / "models" / "src"

# Files that are tables of sourced data rather than code: the parameter table itself (its rows
# are in parameter_rows_*.inc, which the *.cpp / *.hpp glob below does not read), the 2024
# route timetable (docs/parameters.md renders it with sources), the plan's targets (generated
# from mission/targets.csv) and the lever and shock catalogues (allowed strengths of scenario
# inputs, shown by `tradeeco levers`).
DATA_FILES = {"parameters.cpp", "routes.hpp", "targets.cpp", "levers.cpp"}

# Allowed in every file.
UNIVERSAL = {
    0.0: "zero",
    1.0: "one (shares, identities, increments)",
    2.0: "two (the 'established' status code, doubling, halves)",
    7.0: "days a week",
    12.0: "months a year",
    100.0: "percent",
    1e8: "CNY per 100m CNY",
    1024.0: "block size of the parallel firm loop (results do not depend on it)",
    1e300: "sentinel for 'no route'",
    1e299: "sentinel test",
    1e-4: "guard against division by zero",
    1e-9: "guard against division by zero; relative tolerance of a floating-point balance",
    1e-12: "guard against division by zero",
}

# Per file: literal -> (how many, why it is not a parameter).
ALLOWED: dict[str, dict[str, tuple[int, str]]] = {
    "burn_in.cpp": {
        "24": (1, "tenure of the initial exporters, months: only the burn-in's start state"),
        "11": (1, "the last month of a burn-in year (m % 12 == 11)"),
        "35": (1, "burn-in month from which the entry scale is adjusted (calibration algorithm)"),
        "0.5": (2, "clamp of a calibration step (calibration algorithm)"),
        "0.2": (1, "clamp of a calibration step (calibration algorithm)"),
        "5.0": (1, "clamp of a calibration step (calibration algorithm)"),
        "30": (1, "iterations of the route-constant fit (calibration algorithm)"),
        "1e3": (1, "months since exit of a firm that never exported (sentinel)"),
        "52.0": (1, "weeks a year"),
    },
    "checkpoint.cpp": {
        "61120": (1, "bytes of trade_model::state: a new member must be checkpointed (size check)"),
        "25": (1, "pointers in firm_columns (size check of the column bindings)"),
        "6": (1, "pointers in forwarder_columns (size check of the column bindings)"),
    },
    "firm_decisions.cpp": {
        "0.5": (2, "the lognormal mean correction exp(-sigma^2 / 2) (mathematics)"),
        "0.012": (1, "the value of time routes.hpp's sector values are scaled to (normaliser)"),
        "4": (1, "firms sharing one Philox block (4 words) for their first draw of the month"),
    },
    "trade_costs.cpp": {
        "0.012": (1, "the value of time routes.hpp's sector values are scaled to (normaliser)"),
        "3.5": (1, "mean wait for a departure: half a week (7 / 2) over departures a week"),
        "0.1": (1, "guard: departures a week never below 0.1"),
    },
    "routes_bookings.cpp": {
        "0.012": (1, "the value of time routes.hpp's sector values are scaled to (normaliser)"),
        "0.1": (1, "guard: departures a week never below 0.1"),
        "9": (1, "NOT YET A PARAMETER: the largest tenth of forwarders hold capacity contracts"),
        "10": (1, "NOT YET A PARAMETER: the largest tenth of forwarders hold capacity contracts"),
    },
    "forwarders.cpp": {
        "30.4375": (1, "days a month on average (365.25 / 12)"),
        "0.5": (1, "mean wait of cargo arriving evenly: half the interval (mathematics)"),
        "2000": (1, "offset of the forwarders' yearly random-stream step (a key, not a value)"),
    },
    "population.cpp": {
        "10": (1, "at least ten ordinary firms besides the leaders (tiny population scales)"),
        "1.2815515655446004": (1, "the standard normal's 90th percentile (mathematics)"),
        "1e3": (1, "months since exit of a firm that never exported (sentinel)"),
        "0.5": (1, "the lognormal mean correction exp(-sigma^2 / 2) (mathematics)"),
    },
    "trade_model.cpp": {
        "1000": (1, "offset of the yearly random-stream step (a key, not a value)"),
    },
    "yearly_processes.cpp": {
        "16": (1, "random-stream key: firm id x 16 + leader index (a key, not a value)"),
    },
    "model_state.hpp": {
        "3": (1, "credit tiers (general, AEO, discredited): an array size"),
    },
    "model_common.hpp": {
        "60": (1, "burn-in months (docs/model.md)"),
    },
    "drivers.cpp": {
        "101": (1, "random-stream purpose id of the driver draws (an identifier)"),
        "4": (
            1,
            "stream id of the export-share draws: the fourth series after the regions (an identifier)",
        ),
        "5": (
            1,
            "stream id of the world-price draws: the fifth series after the regions (an identifier)",
        ),
        "6": (
            1,
            "stream id of the city-share draws: the sixth series after the regions (an identifier)",
        ),
        "3": (3, "number of forecast horizons with an error SD (size and bound of that array)"),
        "95.0": (1, "guard: a drawn growth rate stays above -95% so its log level exists"),
        "0.5": (2, "calendar: annual levels sit at mid-year, a month at its middle"),
    },
    "policy_spending.cpp": {
        "30.4375": (1, "days a month on average (365.25 / 12)"),
        "365": (1, "days a year"),
        "366": (1, "days a leap year"),
    },
    "run.cpp": {
        "0.01": (
            1,
            "population scale of the probe model built only for the result layout (results do not depend on it)",
        ),
    },
    "units.cpp": {"16": (1, "size of a lookup table")},
}

_NUMBER = re.compile(
    r"(?<![\w.])(\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\.\d+(?:[eE][-+]?\d+)?|\d+)"
    r"[fFuUlL]*(?![\w.])"
)


def code_only(text: str) -> str:
    """The C++ text without comments, string and character literals, or #include lines."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)
    text = re.sub(r"'(?:[^'\\\n]|\\.)'", "''", text)
    lines = [line.split("//")[0] for line in text.split("\n")]
    return "\n".join("" if line.lstrip().startswith("#include") else line for line in lines)


def literals(text: str) -> list[tuple[str, int]]:
    """Numeric literals outside the universal allow-list, with their line numbers."""
    out = []
    for number, line in enumerate(code_only(text).split("\n"), 1):
        for m in _NUMBER.finditer(line):
            if float(m.group(1)) not in UNIVERSAL:
                out.append((m.group(1), number))
    return out


def test_no_unlisted_numbers_in_the_model():
    problems = []
    for path in sorted(SRC.glob("*.[ch]pp")):
        if path.name in DATA_FILES:
            continue
        allowed = ALLOWED.get(path.name, {})
        found = literals(path.read_text())
        counts = collections.Counter(value for value, _ in found)
        for value, n in counts.items():
            if n > allowed.get(value, (0, ""))[0]:
                lines = [str(line) for v, line in found if v == value]
                problems.append(
                    f"models/src/{path.name}:{','.join(lines)}: {value} appears {n} time(s), "
                    f"{allowed.get(value, (0, ''))[0]} allowed: move it into the parameter table "
                    "(models/src/parameters.cpp) or list it in this test with the reason"
                )
    assert not problems, "\n".join(problems)


def test_the_allow_list_has_no_stale_entries():
    """An entry whose literal is gone must go too, so the list only shrinks with the code."""
    stale = []
    for name, allowed in ALLOWED.items():
        counts = collections.Counter(v for v, _ in literals((SRC / name).read_text()))
        for value, (n, _why) in allowed.items():
            if counts[value] < n:
                stale.append(f"{name}: {value} allowed {n} time(s), found {counts[value]}")
    assert not stale, "\n".join(stale)


def test_no_model_file_over_600_lines():
    """The model is laid out by mechanism: no file of models/src grows past 600 lines."""
    long = {p.name: n for p in SRC.iterdir() if (n := len(p.read_text().splitlines())) > 600}
    assert not long, f"split these files by mechanism: {long}"


def test_the_scan_finds_a_new_literal(tmp_path):
    code = 'double f(double x) { return 0.37 * x + 12.0; } // 0.99 in a comment\nauto s = "4.5";\n'
    assert literals(code) == [("0.37", 1)]
