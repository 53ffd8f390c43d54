"""The priors of the parameter table (docs/parameters.md, "Priors") as samplers use them:
prior_ppf (quantiles to values) and prior_logpdf (log density)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeeco._parameters import prior_logpdf, prior_ppf

TABLE = pd.DataFrame(
    {
        "key": ["u", "t", "n", "ln"],
        "value": [0.0, 2.0, 5.0, 2.0],
        "min": [-1.0, 0.0, 3.0, 0.5],
        "max": [1.0, 8.0, 7.0, 8.0],
        "prior": ["uniform", "triangular", "normal", "lognormal"],
    }
)
KEYS = list(TABLE["key"])


def test_quantiles_follow_each_rule():
    u = np.random.default_rng(1).uniform(size=(200_000, 4))
    x = prior_ppf(KEYS, u, TABLE)
    assert (x >= TABLE["min"].to_numpy()).all() and (x <= TABLE["max"].to_numpy()).all()
    assert x[:, 0].mean() == pytest.approx(0.0, abs=0.01)
    assert x[:, 1].mean() == pytest.approx((0 + 2 + 8) / 3, abs=0.02)  # triangular mean
    assert np.median(x[:, 2]) == pytest.approx(5.0, abs=0.01)  # symmetric truncated normal
    assert x[:, 2].std() == pytest.approx(1.0, rel=0.15)  # sd (7 - 3) / 4, a little truncated
    assert np.median(x[:, 3]) == pytest.approx(2.0, rel=0.02)  # lognormal median at the value
    # monotone in the quantile
    grid = np.linspace(0, 1, 11)[:, None].repeat(4, axis=1)
    assert (np.diff(prior_ppf(KEYS, grid, TABLE), axis=0) >= 0).all()


@pytest.mark.parametrize("j", range(4))
def test_density_integrates_to_one_and_is_zero_outside(j):
    lo, hi = TABLE["min"][j], TABLE["max"][j]
    xs = np.linspace(lo, hi, 20_001)
    theta = np.zeros((xs.size, 1))
    theta[:, 0] = xs
    dens = np.exp(prior_logpdf([KEYS[j]], theta, TABLE))
    area = float(np.sum((dens[1:] + dens[:-1]) / 2 * np.diff(xs)))  # trapezoid rule
    assert area == pytest.approx(1.0, abs=2e-3)
    outside = np.array([[lo - 1e-6], [hi + 1e-6]])
    assert np.isneginf(prior_logpdf([KEYS[j]], outside, TABLE)).all()


def test_the_shipped_table_has_a_known_prior_for_every_row(core):
    import tradeeco

    table = tradeeco.parameter_table()
    u = np.full((1, len(table)), 0.5)
    x = prior_ppf(list(table["key"]), u, table)
    assert np.isfinite(x).all()
    assert np.isfinite(prior_logpdf(list(table["key"]), x, table)).all()
