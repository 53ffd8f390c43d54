"""The model's parameter table as a pandas DataFrame (``tradeeco.parameter_table()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = [
    "key",
    "value",
    "unit",
    "min",
    "max",
    "prior",
    "pinned",
    "used_by",
    "description",
    "source",
]


def parameter_table() -> pd.DataFrame:
    """Every model parameter, one row per key, in the order of ``models/src/parameters.cpp``.

    Columns: ``key``, ``value``, ``unit``, ``min`` and ``max`` (the range a scenario override
    must respect and an uncertainty study samples), ``prior`` (uniform, triangular, normal or
    lognormal over [min, max]; docs/parameters.md gives the rule), ``pinned`` (True when the
    calibration to 2024 data sets the value, False for a free behavioural parameter),
    ``used_by`` (the mechanism files of ``models/src`` that read it), ``description`` and
    ``source``.

    >>> import tradeeco
    >>> t = tradeeco.parameter_table().set_index("key")
    >>> t.loc["trade_elasticity", ["value", "min", "max", "prior"]].tolist()
    [4.0, 2.5, 5.1, 'normal']
    """
    import pandas as pd

    from ._core import parameter_table as rows

    return pd.DataFrame(rows(), columns=COLUMNS)
