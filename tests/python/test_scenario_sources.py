"""docs/scenarios.md's table of where the plan's strengths come from matches plan.toml.

The table is the one place a reader sees every shipped strength with its source and range, so it
must list each instrument of ``scenarios/files/plan.toml`` once, with the strength the file has,
and give every row a source and a range.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import tradeeco

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "scenarios.md"
PLAN = REPO / "scenarios" / "files" / "plan.toml"
HEADING = "### Where the plan's strengths come from"
SOURCES = ("plan text", "evidence", "ASSUMPTION")


def table_rows() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    assert HEADING in text, f"{DOC}: no section {HEADING!r}"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]  # not "|---"
    assert rows and rows[0].startswith("| measure |"), f"{DOC}: no table under {HEADING!r}"
    return [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows[1:]]


def first_number(cell: str) -> float:
    m = re.search(r"[-+]?\d+(?:\.\d+)?", cell.replace(",", ""))
    assert m, f"no number in strength cell {cell!r}"
    return abs(float(m.group()))


def doc_key(row: list[str]) -> tuple[int, str, float]:
    lever = re.search(r"`([a-z_]+)`", row[2])
    assert lever, f"no lever in {row}"
    return int(row[0]), lever.group(1), first_number(row[3])


def test_the_table_lists_every_plan_instrument_with_its_strength(core):
    plan = tradeeco.load_scenario(PLAN).instruments
    in_plan = Counter((p["measure"], p["lever"], float(p["strength"])) for p in plan)
    in_doc = Counter(doc_key(r) for r in table_rows())
    assert in_doc == in_plan, (
        f"{DOC} vs {PLAN}: only in the doc {sorted((in_doc - in_plan).elements())}; "
        f"only in the plan {sorted((in_plan - in_doc).elements())}"
    )


def test_every_row_names_a_source_and_a_range():
    for row in table_rows():
        assert len(row) == 6, f"{DOC}: expected 6 columns, found {len(row)} in {row}"
        assert any(s in row[4] for s in SOURCES), f"{DOC}: row {row[1]!r} names no source kind"
        assert re.search(r"\d", row[5]), f"{DOC}: row {row[1]!r} has no range"
