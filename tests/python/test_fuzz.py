"""Short runs of the atheris fuzz harnesses (tests/fuzz/) and a replay of their regression
inputs: every input gives a typed error or a valid result within 1 s, never a crash or another
exception. The long runs and their figures are in docs/reliability.md."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"
REGRESSIONS = FUZZ / "regressions"


@pytest.fixture
def atheris_env(core, tmp_path):
    pytest.importorskip("atheris", reason="the fuzz harnesses need atheris (pip install atheris)")
    return {
        **os.environ,
        "MPLBACKEND": "Agg",
        "TRADEECO_FUZZ_WORKDIR": str(tmp_path / "work"),
        "TRADEECO_FUZZ_ARTIFACTS": str(tmp_path),
    }


def harness(name, args, env, timeout=180):
    r = subprocess.run(
        [sys.executable, name, *args],
        cwd=FUZZ,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 0, r.stderr[-4000:]
    return r.stderr


@pytest.mark.parametrize(
    "name, kind, runs",
    [
        ("fuzz_scenarios.py", "scenarios", 3000),
        ("fuzz_results.py", "results", 200),
        ("fuzz_posterior.py", "posterior", 3000),
        ("fuzz_checkpoints.py", "checkpoints", 200),
    ],
)
def test_short_fuzz_run_finds_nothing(atheris_env, tmp_path, name, kind, runs):
    """A few thousand mutated inputs, after every regression input (libFuzzer runs the whole
    corpus, tests/fuzz/regressions/<kind> included, before it mutates)."""
    out = harness(name, [f"-runs={runs}", "-seed=17", "-max_total_time=30"], atheris_env)
    regressions = [p for p in (REGRESSIONS / kind).iterdir() if p.is_file()]
    assert regressions
    assert f"{len(regressions)} files found in {REGRESSIONS / kind}" in out
    assert "Done " in out and " runs in " in out
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))
