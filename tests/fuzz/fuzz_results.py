"""Fuzzes what reads result files: tradeeco.open (HDF5 / netCDF-4 through xarray, with the
checksums), then analysis.attainment and analysis.paired_difference against the original,
as `tradeeco compare` does.

Seeds: two small result files made at start-up (one month, two replicates, one with an event
table), plus the regression inputs in tests/fuzz/regressions/results. Mutations: libFuzzer's
byte-level ones, and flips, truncations, 8-byte fields overwritten with odd addresses and
lengths, and blocks copied within the file.

A failure is a crash, an input taking over 1 s, an exception other than tradeeco's typed
errors (TradeecoError: ResultIOError, NotPairedError), or a file that opens with values
other than the original's. Example:

    python tests/fuzz/fuzz_results.py -runs=2000
"""

from __future__ import annotations

import re
import sys
import warnings

import numpy as np
from fuzz_common import WORK, corpus_args, feature, file_mutator, replay_or_fuzz

import tradeeco
from tradeeco import analysis

warnings.simplefilter("ignore")  # xarray's decoding warnings on damaged attributes


def _seed_files() -> list[bytes]:
    text = tradeeco.load_scenario("baseline").resolved_text
    out = []
    for events in ("false", "true"):
        t = text.replace("train_departures = false", f"train_departures = {events}")
        spec = tradeeco.load_scenario_string(t, "seed.toml").with_(
            replicates=2, population_scale=0.02, end="2024-01-31"
        )
        path = WORK / f"seed-{events}.nc"
        tradeeco.run(spec, out=path, progress=False).close()
        out.append(path.read_bytes())
    return out


SEEDS = _seed_files()
REFERENCE = tradeeco.open(WORK / "seed-false.nc").load()
ORIGINALS = {
    s: tradeeco.open(WORK / f"seed-{e}.nc").load()
    for s, e in zip(SEEDS, ("false", "true"), strict=True)
}
TARGET = WORK / "input.nc"
# Warm-up: the first call imports scipy, which alone takes longer than the 1 s timeout.
analysis.attainment(REFERENCE)
analysis.paired_difference(REFERENCE, REFERENCE)


def test_one_input(data: bytes) -> None:
    TARGET.write_bytes(data)
    try:
        with tradeeco.open(TARGET) as ds:
            ds = ds.load()
    except tradeeco.ResultIOError as e:
        assert str(TARGET) in str(e), f"the error does not name the file: {e}"
        # The kind of error, without the file name and the numbers in it.
        kind = str(e).replace(str(TARGET), "")
        feature(re.sub(r"[0-9a-f]{8}|[0-9]+", "_", kind)[:80])
        return
    feature("opened")
    original = ORIGINALS.get(data)
    if original is not None:  # an unchanged seed
        assert ds.identical(original)
    else:  # whatever opened must hold one of the seeds' values: the checksums passed
        same = [
            o for o in ORIGINALS.values()
            if set(o.data_vars) == set(ds.data_vars)
            and all(np.array_equal(o[v].values, ds[v].values, equal_nan=True) for v in o.data_vars)
        ]  # fmt: skip
        assert same, "a damaged file opened with other values"
    try:
        analysis.attainment(ds)
        analysis.paired_difference(REFERENCE, ds)
    except tradeeco.TradeecoError as e:
        feature(type(e).__name__)


if __name__ == "__main__":
    replay_or_fuzz(sys.argv, test_one_input, file_mutator, corpus_args("results", SEEDS))
