"""One way to override a parameter, three doors: a scenario's [parameters] table,
`tradeeco run --set KEY=VALUE` and `tradeeco.run(..., parameters=...)`; each checked against the
parameter's plausible range."""

from __future__ import annotations

import numpy as np
import pytest

import tradeeco
from tradeeco import cli


@pytest.fixture(scope="module")
def short_baseline(core):
    return tradeeco.load_scenario("baseline").with_(replicates=1, end="2024-12-31")


def test_python_override_changes_results_and_is_recorded(short_baseline):
    ref = tradeeco.run(short_baseline, progress=False)
    low = tradeeco.run(short_baseline, progress=False, parameters={"trade_elasticity": 3.0})
    assert "trade_elasticity = 3.0" in low.attrs["scenario_text"]
    assert not np.array_equal(
        ref["trading_firms_monthly" if "trading_firms_monthly" in ref else "exporters_monthly"],
        low["trading_firms_monthly" if "trading_firms_monthly" in low else "exporters_monthly"],
    )


def test_scenario_table_and_python_override_agree(short_baseline, tmp_path):
    base = tradeeco.scenario_path("baseline")
    text = f'[scenario]\nname = "e3"\nextends = "{base}"\n[parameters]\ntrade_elasticity = 3.0\n'
    from_file = tradeeco.load_scenario_string(text).with_(replicates=1, end="2024-12-31")
    a = tradeeco.run(from_file, progress=False)
    b = tradeeco.run(short_baseline, progress=False, parameters={"trade_elasticity": 3})
    np.testing.assert_array_equal(a["exports_cny_100m"].values, b["exports_cny_100m"].values)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            {"trade_elasticity": 9.0},
            r"parameters\.trade_elasticity: expected a number in \[2\.5, 5\.1\]",
        ),
        ({"no_such_key": 1.0}, r"expected a key of the parameter table.*no_such_key"),
        ({"trade_elasticity": "3"}, r"'trade_elasticity' must be a number"),
    ],
)
def test_python_override_errors_name_the_key_and_range(short_baseline, parameters, message):
    with pytest.raises(tradeeco.ScenarioError, match=message):
        tradeeco.run(short_baseline, progress=False, parameters=parameters)


def test_cli_set(core, tmp_path, capsys):
    out = tmp_path / "e3.nc"
    argv = ["run", "baseline", "-n", "1", "-q", "--out", str(out)]
    assert cli.main([*argv, "--set", "trade_elasticity=3", "--set", "sme_share=0.95"]) == 0
    with tradeeco.open(out) as ds:
        assert "trade_elasticity = 3.0" in ds.attrs["scenario_text"]
        assert "sme_share = 0.95" in ds.attrs["scenario_text"]
    bad = tmp_path / "bad.nc"
    assert cli.main([*argv[:-1], str(bad), "--set", "trade_elasticity=9"]) == 2
    assert "trade_elasticity: expected a number in [2.5, 5.1]" in capsys.readouterr().err
    assert not bad.exists()
    for wrong in (["--set", "trade_elasticity"], ["--set", "trade_elasticity=x"]):
        with pytest.raises(SystemExit) as e:
            cli.main([*argv[:-1], str(bad), *wrong])
        assert e.value.code == 2
    assert (
        cli.main([*argv[:-1], str(bad), "--set", "sme_share=0.9", "--set", "sme_share=0.95"]) == 2
    )
    assert "given more than once: sme_share" in capsys.readouterr().err
