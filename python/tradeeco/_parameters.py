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


# --- priors ----------------------------------------------------------------------------------
# The prior of each row over [min, max], by the rule of docs/parameters.md ("Priors"):
#   uniform     flat;
#   triangular  mode at the value;
#   normal      mean the value, sd (max - min) / 4, truncated to [min, max];
#   lognormal   median the value, log-sd ln(max / min) / 4, truncated to [min, max].
# prior_ppf maps uniform numbers through the inverse CDF (samplers such as Sobol/Saltelli designs
# and particle filters draw in [0, 1]); prior_logpdf is the log density (Metropolis moves).


def _rows(table: pd.DataFrame, keys):
    t = table.set_index("key") if "key" in table.columns else table
    missing = [k for k in keys if k not in t.index]
    if missing:
        raise KeyError(f"no parameter(s) {missing} in the parameter table")
    return t.loc[list(keys)]


def _normal_bounds(kind: str, value: float, lo: float, hi: float):
    """(location, scale, a, b) of the (log-)normal in its own variable, bounds a, b."""
    if kind == "normal":
        return value, (hi - lo) / 4.0, lo, hi
    import math

    return math.log(value), math.log(hi / lo) / 4.0, math.log(lo), math.log(hi)


def prior_ppf(keys, u, table: pd.DataFrame | None = None):
    """Parameter values at quantiles ``u`` (shape (n, len(keys)), in [0, 1]) of each key's prior.

    >>> import numpy as np, pandas as pd
    >>> t = pd.DataFrame(
    ...     {"key": ["a"], "value": [1.0], "min": [0.0], "max": [2.0], "prior": ["triangular"]}
    ... )
    >>> prior_ppf(["a"], np.array([[0.5]]), t).round(6).tolist()
    [[1.0]]
    """
    from statistics import NormalDist

    import numpy as np

    rows = _rows(parameter_table() if table is None else table, keys)
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    out = np.empty_like(u)
    std = NormalDist()
    for j, (_, r) in enumerate(rows.iterrows()):
        kind, lo, hi, value = str(r["prior"]), float(r["min"]), float(r["max"]), float(r["value"])
        col = u[:, j]
        if kind == "uniform":
            out[:, j] = lo + col * (hi - lo)
        elif kind == "triangular":
            c = (value - lo) / (hi - lo)
            left = lo + np.sqrt(col * (hi - lo) * (value - lo))
            right = hi - np.sqrt((1.0 - col) * (hi - lo) * (hi - value))
            out[:, j] = np.where(col < c, left, right)
        elif kind in ("normal", "lognormal"):
            mu, sd, a, b = _normal_bounds(kind, value, lo, hi)
            fa, fb = std.cdf((a - mu) / sd), std.cdf((b - mu) / sd)
            p = np.clip(fa + col * (fb - fa), 1e-12, 1 - 1e-12)
            x = mu + sd * np.array([std.inv_cdf(float(q)) for q in p])
            x = np.clip(x, a, b)
            out[:, j] = np.exp(x) if kind == "lognormal" else x
        else:
            raise ValueError(f"parameter {r.name!r}: unknown prior {kind!r}")
        out[:, j] = np.clip(out[:, j], lo, hi)  # rounding must not step outside the range
    return out


def prior_logpdf(keys, theta, table: pd.DataFrame | None = None):
    """Log prior density of parameter sets ``theta`` (shape (n, len(keys))), summed over keys;
    -inf outside [min, max]. Constants that cancel in a Metropolis ratio are kept anyway."""
    import math
    from statistics import NormalDist

    import numpy as np

    rows = _rows(parameter_table() if table is None else table, keys)
    theta = np.asarray(theta, dtype=float)
    total = np.zeros(theta.shape[0])
    std = NormalDist()
    for j, (_, r) in enumerate(rows.iterrows()):
        kind, lo, hi, value = str(r["prior"]), float(r["min"]), float(r["max"]), float(r["value"])
        x = theta[:, j]
        inside = (x >= lo) & (x <= hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "uniform":
                lp = np.full_like(x, -math.log(hi - lo))
            elif kind == "triangular":
                dens = np.where(
                    x < value,
                    2 * (x - lo) / ((hi - lo) * max(value - lo, 1e-300)),
                    2 * (hi - x) / ((hi - lo) * max(hi - value, 1e-300)),
                )
                lp = np.log(dens)
            elif kind in ("normal", "lognormal"):
                mu, sd, a, b = _normal_bounds(kind, value, lo, hi)
                y = np.log(np.where(inside, x, lo)) if kind == "lognormal" else x
                mass = std.cdf((b - mu) / sd) - std.cdf((a - mu) / sd)
                lp = -0.5 * ((y - mu) / sd) ** 2 - math.log(sd * math.sqrt(2 * math.pi) * mass)
                if kind == "lognormal":
                    lp = lp - y  # the Jacobian of x = exp(y)
            else:
                raise ValueError(f"parameter {r.name!r}: unknown prior {kind!r}")
        total += np.where(inside, lp, -np.inf)
    return total
