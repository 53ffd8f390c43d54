"""The `tradeeco` command: help, exit codes, error messages, run/compare/validate output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import synthetic

from tradeeco import cli

SUBCOMMANDS = ["run", "validate", "compare", "report", "scenarios", "levers", "parameters"]


def tradeeco_cmd(*args, cwd=None, timeout=600):
    """Runs `python -m tradeeco.cli ARGS` the way a shell would (stdin closed, not a TTY)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("TRADEECO_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "tradeeco.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def bad_scenario(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('[scenario]\nname = "bad"\nreplicates = "many"\n')
    return p


# --- help ------------------------------------------------------------------------------------


def test_top_level_help_lists_subcommands_and_examples(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for sub in SUBCOMMANDS:
        assert sub in out
    assert "examples:" in out and "exit codes" in out


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_every_subcommand_has_help_with_examples(capsys, sub):
    with pytest.raises(SystemExit) as info:
        cli.main([sub, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert f"tradeeco {sub}" in out
    assert "examples:" in out


def test_version(capsys):
    import tradeeco

    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"tradeeco {tradeeco.__version__}"


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["run"])  # no scenario, no --out
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["frobnicate"])
    assert info.value.code == 2


def console_script() -> str:
    """The installed `tradeeco` script: next to this interpreter (a venv's bin, found even when
    that bin is not on PATH, as under tools/test.sh), else on PATH."""
    import sysconfig

    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        exe = os.path.join(folder, "tradeeco")
        if os.access(exe, os.X_OK):
            return exe
    exe = shutil.which("tradeeco")
    assert exe is not None, (
        f"no tradeeco console script next to {sys.executable} nor on PATH: `pip install .` "
        "installs it"
    )
    return exe


def test_console_script_is_installed():
    r = subprocess.run([console_script(), "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "validate" in r.stdout


def test_python_dash_m_tradeeco_is_the_cli():
    def dash_m(*args):
        return subprocess.run(
            [sys.executable, "-m", "tradeeco", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )

    r = dash_m("--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("tradeeco ")
    r = dash_m("frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr


# --- validate --------------------------------------------------------------------------------


def test_validate_bad_file_exits_2_with_the_message(core, bad_scenario):
    good = __import__("tradeeco").scenario_path("baseline")
    r = tradeeco_cmd("validate", good, bad_scenario)
    assert r.returncode == 2
    assert f"OK   {good}" in r.stdout
    assert f"FAIL {bad_scenario}" in r.stdout
    assert f"{bad_scenario}:3:14: scenario.replicates: expected an integer" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_validate_good_files_exit_0(core):
    import tradeeco

    r = tradeeco_cmd("validate", *tradeeco.shipped_scenarios().values())
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("OK ") == len(tradeeco.shipped_scenarios())


# --- run -------------------------------------------------------------------------------------


def test_run_bad_scenario_exits_2_without_traceback(core, bad_scenario, tmp_path):
    r = tradeeco_cmd("run", bad_scenario, "--out", tmp_path / "x.nc")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith(f"tradeeco: error: {bad_scenario}:3:14:")
    assert "Traceback" not in r.stderr


def test_run_unknown_name_exits_2(core, tmp_path):
    r = tradeeco_cmd("run", "no_such_scenario", "--out", tmp_path / "x.nc")
    assert r.returncode == 2
    assert "tradeeco: error: no shipped scenario named 'no_such_scenario'" in r.stderr


def test_run_bad_numbers_exit_2(core, tmp_path):
    r = tradeeco_cmd("run", "baseline", "--out", tmp_path / "x.nc", "--replicates", "0")
    assert r.returncode == 2 and "--replicates" in r.stderr
    r = tradeeco_cmd("run", "baseline", "--out", tmp_path, "--replicates", "1")
    assert r.returncode == 2 and "is a folder" in r.stderr


def test_run_failure_exits_1(core, tmp_path):
    r = tradeeco_cmd("run", "baseline", "--out", tmp_path / "missing" / "x.nc", "--replicates", "1")
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("tradeeco: error:")
    assert "does not exist" in r.stderr


def test_run_writes_file_and_prints_summary(core, tmp_path):
    out = tmp_path / "b.nc"
    r = tradeeco_cmd(
        "run", "baseline", "--out", out, "--replicates", "2", "--seed", "5", "--threads", "2"
    )
    assert r.returncode == 0, r.stderr
    assert out.exists()
    assert "P(met)" in r.stdout and "trading_firms" in r.stdout and "≥ 5,500" in r.stdout
    assert f"wrote {out}" in r.stderr
    import tradeeco

    with tradeeco.open(out) as ds:
        assert ds.sizes["replicate"] == 2 and int(float(ds.attrs["seed"])) == 5


def test_run_quiet_prints_nothing(core, tmp_path):
    r = tradeeco_cmd("run", "baseline", "--out", tmp_path / "q.nc", "-n", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""


# --- compare ---------------------------------------------------------------------------------


def write(ds, path):
    """A result file as tradeeco writes them: netCDF-4, sealed (tradeeco.open checks seals)."""
    import tradeeco

    ds.to_netcdf(path, engine="h5netcdf")
    tradeeco.seal(path)
    return path


def test_compare_paired_files(tmp_path):
    a = write(synthetic("base"), tmp_path / "base.nc")
    shifted = synthetic("plan")
    shifted["trading_firms"] = shifted["trading_firms"] + 100
    b = write(shifted, tmp_path / "plan.nc")
    r = tradeeco_cmd("compare", a, b)
    assert r.returncode == 0, r.stderr
    assert "P(base)" in r.stdout and "P(plan)" in r.stdout
    assert "plan-base [95% CI]" in r.stdout
    line = next(
        ln for ln in r.stdout.splitlines() if ln.startswith("trading_firms") and "2027" in ln
    )
    assert "100 [100, 100]" in line
    header = next(ln for ln in r.stdout.splitlines() if ln.startswith("indicator"))
    assert header.split()[3] == "unit"
    assert line.split()[4] == "firms"  # the file's unit_label, not its CF units "1"


def test_compare_unpaired_files_says_so(tmp_path):
    a = write(synthetic("base", seed=1), tmp_path / "base.nc")
    b = write(synthetic("plan", seed=2), tmp_path / "plan.nc")
    r = tradeeco_cmd("compare", a, b, "--year", "2027")
    assert r.returncode == 0, r.stderr
    assert "not paired (seeds differ (1 vs 2))" in r.stdout
    assert "2025" not in r.stdout.split("P(base)")[1]


def test_compare_needs_existing_files(tmp_path):
    a = write(synthetic("base"), tmp_path / "base.nc")
    r = tradeeco_cmd("compare", a, tmp_path / "nothing.nc")
    assert r.returncode == 2
    assert "tradeeco: error:" in r.stderr and "nothing.nc" in r.stderr
    r = tradeeco_cmd("compare", a)
    assert r.returncode == 2


# --- listings --------------------------------------------------------------------------------


def test_scenarios_lists_shipped_with_descriptions(core):
    import tradeeco

    r = tradeeco_cmd("scenarios")
    assert r.returncode == 0, r.stderr
    for name in tradeeco.shipped_scenarios():
        assert name in r.stdout
    assert tradeeco.load_scenario("baseline").description.splitlines()[0] in r.stdout


def test_levers_and_shocks(core):
    r = tradeeco_cmd("levers")
    assert r.returncode == 0 and "freight_subsidy" in r.stdout and "plan measures" in r.stdout
    r = tradeeco_cmd("levers", "--shocks")
    assert r.returncode == 0 and "route_disruption" in r.stdout
    r = tradeeco_cmd("parameters")
    assert r.returncode == 0 and "key" in r.stdout.splitlines()[0]
    r = tradeeco_cmd("parameters", "--match", "trade_elasticity")
    header, _, row = r.stdout.splitlines()[:3]
    assert header.split() == ["key", "value", "unit", "range", "prior", "2024", "used", "by"]
    assert row.split()[:2] == ["trade_elasticity", "4"] and "normal" in row and "free" in row
