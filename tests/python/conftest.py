"""Shared fixtures for the Python tests.

Tests that need the compiled model take the `core` fixture (or a fixture built on it), which
skips them with the reason when tradeeco._core cannot be imported. Everything else (analysis,
targets, plots, CLI help) runs on the pure-Python package alone.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]

# A suite started in the background by a non-interactive shell (`cmd &`) inherits SIGINT ignored,
# and so would every `tradeeco` the tests start: Python installs no KeyboardInterrupt handler for
# an ignored SIGINT, so the interrupt tests would see runs finish instead of cancel. A handler
# here becomes the default action in children after exec, so they get Python's own again.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

try:  # the installed package (pip install .), else the source tree's pure-Python part
    import tradeeco
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(REPO / "python"))
    import tradeeco

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def core():
    """The compiled module, or a skip saying why it is missing."""
    from tradeeco import _native

    if not _native.available():
        pytest.skip(
            f"tradeeco._core is not importable ({_native._import_error}); "
            "build it with `pip install .`"
        )
    return _native.core()


@pytest.fixture(scope="session")
def small_text(core):
    """The baseline at a tenth of the population over 6 months, with train departures on (an
    event table): about 15 ms a replicate. For the ensemble and fault tests."""
    text = tradeeco.load_scenario("baseline").resolved_text
    for old, new in [
        ("population_scale = 1.0", "population_scale = 0.1"),
        ("end = 2027-12-31", "end = 2024-06-30"),
        ("train_departures = false", "train_departures = true"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="session")
def small_file(small_text, tmp_path_factory):
    """The small scenario of small_text, as a file (for the command line)."""
    path = tmp_path_factory.mktemp("scenario") / "small.toml"
    path.write_text(small_text)
    return path


@pytest.fixture(scope="session")
def baseline(core):
    """The shipped baseline scenario, cut to 3 replicates."""
    import tradeeco

    try:
        path = tradeeco.scenario_path("baseline")
    except FileNotFoundError as e:
        pytest.skip(str(e))
    return tradeeco.load_scenario(path).with_(replicates=3)


@pytest.fixture(scope="session")
def baseline_file(baseline, tmp_path_factory):
    """A small real result file (3 replicates of the baseline), written once per session."""
    out = tmp_path_factory.mktemp("results") / "baseline.nc"
    tradeeco.run(baseline, out=out, progress=False).close()
    return out


def synthetic(
    scenario: str = "demo",
    seed: int = 1,
    replicates: int = 20,
    shift: float = 0.0,
    rng_seed: int = 0,
):
    """A small result-shaped Dataset: monthly and yearly series over replicates, with target
    indicators named as in the targets table."""
    import xarray as xr

    rng = np.random.default_rng(rng_seed)
    months = pd.date_range("2024-01-01", "2027-12-01", freq="MS")
    years = np.arange(2024, 2028, dtype=np.int32)
    firms = 4800 + shift + np.cumsum(rng.normal(15, 10, (replicates, months.size)), axis=1)
    firms_yearly = firms[:, 11::12]
    aeo = 105 + shift / 50 + np.cumsum(rng.normal(4, 2, (replicates, years.size)), axis=1)
    days = 7.0 - shift / 500 + rng.normal(0, 0.5, (replicates, years.size))
    trade = 600 + rng.normal(0, 5, (replicates, months.size))
    firms_units = {"units": "1", "unit_label": "firms"}  # as result files carry them
    return xr.Dataset(
        {
            "trading_firms": (
                ("replicate", "year"),
                firms_yearly,
                {**firms_units, "long_name": "Firms with actual import/export in the year"},
            ),
            "trading_firms_monthly": (("replicate", "month"), firms, firms_units),
            "aeo_firms": (("replicate", "year"), aeo, firms_units),
            "clt_rail_days": (("replicate", "year"), days, {"units": "days", "unit_label": "days"}),
            "total_trade_cny_100m_monthly": (
                ("replicate", "month"),
                trade,
                {"units": "1e8", "unit_label": "100m CNY", "cell_methods": "month: sum"},
            ),
        },
        coords={"replicate": np.arange(replicates, dtype=np.int32), "month": months, "year": years},
        attrs={"scenario_name": scenario, "seed": float(seed)},
    )


@pytest.fixture
def demo():
    return synthetic()


def arrays(path) -> dict[str, tuple]:
    """Every dataset of a result file (series, coordinates, event columns) as raw bytes."""
    import h5py

    found: dict[str, tuple] = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            if h5py.check_string_dtype(obj.dtype):  # variable-length: raw bytes are pointers
                found[name] = (str(obj.dtype), obj.shape, repr(obj.asstr()[()].tolist()))
            else:
                found[name] = (str(obj.dtype), obj.shape, obj[()].tobytes())

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return found


def assert_identical(a, b):
    """Two result files hold the same arrays, bit for bit."""
    x, y = arrays(a), arrays(b)
    assert sorted(x) == sorted(y)
    different = [k for k in x if x[k] != y[k]]
    assert not different, f"arrays differ: {different}"
