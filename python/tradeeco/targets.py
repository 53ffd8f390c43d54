"""The plan's quantitative targets, from the mission's official table (``data/targets.csv``).

Each target has an ``id`` that is also the name of the indicator in result files, a value for
2025 and/or 2027, and a ``rule`` saying how a simulated value meets it:

=============  ==================
rule           met when
=============  ==================
at_least       value >= target
at_most        value <= target
greater_than   value >  target
less_than      value <  target
=============  ==================

Example:
    >>> from tradeeco import targets
    >>> t = targets.get("trading_firms")
    >>> t.target_2027, t.rule
    (5500.0, 'at_least')
    >>> bool(targets.meets(5600, t.target_2027, t.rule))
    True
    >>> targets.table().loc["cr_express_trains", "unit"]
    'trains a year'
"""

from __future__ import annotations

import functools
import importlib.resources
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "RULES",
    "TARGET_YEARS",
    "Target",
    "get",
    "ids",
    "measures",
    "meets",
    "rule_symbol",
    "table",
]

#: Years the plan sets targets for; the columns of the table are ``target_<year>``.
TARGET_YEARS: tuple[int, ...] = (2025, 2027)

#: Comparison for each rule: ``RULES[rule](value, target)`` is True where the target is met.
RULES = {
    "at_least": np.greater_equal,
    "at_most": np.less_equal,
    "greater_than": np.greater,
    "less_than": np.less,
}

_SYMBOLS = {"at_least": "≥", "at_most": "≤", "greater_than": ">", "less_than": "<"}


@dataclass(frozen=True)
class Target:
    """One row of the targets table. Missing target values are NaN."""

    id: str
    measure: str
    indicator: str
    unit: str
    target_2025: float
    target_2027: float
    rule: str
    notes: str
    #: The indicator's name in the plan's own Chinese wording (mission/plan_zh.txt).
    name_zh: str = ""

    def value(self, year: int) -> float:
        """The target for ``year`` (NaN if the plan sets none for that year).

        >>> get("clt_rail_days").value(2027)
        5.0
        """
        if year not in TARGET_YEARS:
            return math.nan
        return float(getattr(self, f"target_{year}"))

    def met(self, value, year: int):
        """Whether ``value`` (a number or an array) meets the target for ``year``.

        Where the value is NaN the result is False; where there is no target, a ValueError.

        >>> get("logistics_cost_gdp").met([13.2, 13.5], 2027).tolist()
        [True, False]
        """
        target = self.value(year)
        if math.isnan(target):
            raise ValueError(f"{self.id} has no target for {year}")
        return meets(value, target, self.rule)


@functools.cache
def _load() -> pd.DataFrame:
    with importlib.resources.files("tradeeco").joinpath("data/targets.csv").open("rb") as f:
        df = pd.read_csv(
            f, dtype={"id": str, "measure": str, "notes": str, "name_zh": str}, keep_default_na=True
        )
    df["notes"] = df["notes"].fillna("")
    df["name_zh"] = df["name_zh"].fillna("")
    for year in TARGET_YEARS:
        df[f"target_{year}"] = df[f"target_{year}"].astype(float)
    unknown = set(df["rule"]) - set(RULES)
    if unknown:
        raise ValueError(f"targets.csv: unknown rule(s) {sorted(unknown)}")
    df = df.set_index("id")
    if not df.index.is_unique:
        raise ValueError("targets.csv: duplicate ids")
    return df


def table() -> pd.DataFrame:
    """The targets table as a DataFrame indexed by ``id`` (a copy; safe to modify).

    Columns: measure, indicator, unit, target_2025, target_2027, rule, notes, name_zh (the
    mission's columns, then the indicator's name in the plan's Chinese wording).
    """
    return _load().copy()


def ids() -> list[str]:
    """Every target id, in the table's order."""
    return list(_load().index)


def get(target_id: str) -> Target:
    """The target with this id; KeyError naming close matches if there is none."""
    df = _load()
    if target_id not in df.index:
        import difflib

        close = difflib.get_close_matches(target_id, df.index, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no target {target_id!r}{hint}")
    row = df.loc[target_id]
    return Target(
        id=target_id,
        measure=str(row["measure"]),
        indicator=str(row["indicator"]),
        unit=str(row["unit"]),
        target_2025=float(row["target_2025"]),
        target_2027=float(row["target_2027"]),
        rule=str(row["rule"]),
        notes=str(row["notes"]),
        name_zh=str(row["name_zh"]),
    )


def meets(value, target: float, rule: str):
    """Elementwise: does ``value`` meet ``target`` under ``rule``? NaN values never meet it.

    >>> meets(np.array([4.0, 5.0, np.nan]), 5.0, "less_than").tolist()
    [True, False, False]
    """
    try:
        compare = RULES[rule]
    except KeyError:
        raise ValueError(f"unknown rule {rule!r}; expected one of {sorted(RULES)}") from None
    with np.errstate(invalid="ignore"):
        return compare(np.asarray(value, dtype=float), target)


def rule_symbol(rule: str) -> str:
    """The comparison sign of a rule, for tables and plots (``at_least`` → ``≥``)."""
    return _SYMBOLS[rule]


@functools.cache
def _load_measures() -> pd.DataFrame:
    with importlib.resources.files("tradeeco").joinpath("data/measures.csv").open("rb") as f:
        return pd.read_csv(f, dtype={"title_en": str, "title_zh": str}).set_index("measure")


def measures() -> pd.DataFrame:
    """The plan's 27 measures, indexed by number: ``title_en`` (the heading of
    mission/plan_en.md) and ``title_zh`` (the plan's own heading in mission/plan_zh.txt).

    >>> measures().loc[7, "title_zh"]
    '强化西部陆海新通道牵引功能'
    """
    return _load_measures().copy()
