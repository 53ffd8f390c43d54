"""Fuzzes what reads checkpoint files: tradeeco.Model.checkpoint_info and Model.restore (the
seal, the format and its version, the payload's SHA-256, the scenario layout, the state's
entries).

Seeds: two small checkpoints made at start-up (the baseline at 2 % of the population, saved on
2024-02-01 and on 2024-04-01), plus the regression inputs in tests/fuzz/regressions/checkpoints.
Mutations: libFuzzer's byte-level ones, and flips, truncations, 8-byte fields overwritten with
odd addresses and lengths, and blocks copied within the file (as fuzz_results.py).

A failure is a crash, an input taking over 1 s, an exception other than CheckpointError, an
error that does not name the file, or a restored model whose state differs from the seed's.
Example:

    python tests/fuzz/fuzz_checkpoints.py -runs=2000
"""

from __future__ import annotations

import re
import sys

import numpy as np
from fuzz_common import WORK, corpus_args, feature, file_mutator, replay_or_fuzz

import tradeeco

SPEC = tradeeco.load_scenario("baseline").with_(population_scale=0.02, end="2024-06-30")


def _seed_files() -> dict[bytes, dict]:
    out = {}
    model = tradeeco.Model(SPEC)
    for days in (31, 60):  # to 2024-02-01, then 2024-04-01
        model.advance(days)
        path = WORK / f"seed-{model.days_done}.h5"
        model.checkpoint(path)
        out[path.read_bytes()] = model.series()
    return out


ORIGINALS = _seed_files()
TARGET = WORK / "input.h5"


def test_one_input(data: bytes) -> None:
    TARGET.write_bytes(data)
    try:
        tradeeco.Model.checkpoint_info(TARGET)
        model = tradeeco.Model.restore(TARGET, scenario=SPEC)
    except tradeeco.CheckpointError as e:
        assert str(TARGET) in str(e), f"the error does not name the file: {e}"
        kind = str(e).replace(str(TARGET), "")
        feature(re.sub(r"[0-9a-f]{8,}|[0-9]+", "_", kind)[:80])
        return
    feature("restored")
    # Whatever restores passed the seal and the SHA-256: it must be one of the seeds.
    series = model.series()
    assert any(
        s.keys() == series.keys()
        and all(np.array_equal(s[k], series[k], equal_nan=True) for k in s)
        for s in ORIGINALS.values()
    ), "a damaged checkpoint restored with other values"


if __name__ == "__main__":
    replay_or_fuzz(
        sys.argv, test_one_input, file_mutator, corpus_args("checkpoints", list(ORIGINALS))
    )
