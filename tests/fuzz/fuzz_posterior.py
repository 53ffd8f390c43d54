"""Fuzzes the posterior loader (tradeeco.posterior.parse_posterior: the CSV of parameter sets
that runs sample by default) with atheris.

Seeds: small valid posterior files built here from the parameter table, plus the regression
inputs in tests/fuzz/regressions/posterior. Mutations are half libFuzzer's byte-level ones, half
edits a user (or a calibration script) makes to such a file: a provenance line dropped or
repeated, a key misspelt, a value out of its range or not a number, a weight negative, a set
number repeated, a field missing, lines swapped.

A failure is a crash, an input taking over 1 s, or any exception other than
tradeeco.PosteriorError; a file that loads must give normalized weights and values within each
parameter's range. Examples:

    python tests/fuzz/fuzz_posterior.py -runs=100000 -timeout=1     # a long run
    python tests/fuzz/fuzz_posterior.py crash-<sha1>                 # replays one input
"""

from __future__ import annotations

import math
import random
import sys

from fuzz_common import corpus_args, feature, line_mutator, replay_or_fuzz

import tradeeco
from tradeeco.posterior import REQUIRED_PROVENANCE, parse_posterior

TABLE = tradeeco.parameter_table()
RANGES = {k: (lo, hi) for k, lo, hi in zip(TABLE["key"], TABLE["min"], TABLE["max"], strict=True)}
KEYS = list(RANGES)


def _seed_file(keys: list[str], sets: int, rng: random.Random) -> bytes:
    prov = dict.fromkeys(REQUIRED_PROVENANCE, "x")
    prov.update(created="2026-11-29", population_scale="0.1", replicates_per_particle="2")
    lines = [f"# {k}: {v}" for k, v in prov.items()]
    lines.append(",".join(["set", "weight", *keys]))
    for s in range(sets):
        vals = [repr(rng.uniform(*RANGES[k])) for k in keys]
        lines.append(",".join([str(s), repr(rng.random()), *vals]))
    return ("\n".join(lines) + "\n").encode()


_rng = random.Random(5)
SEEDS = [_seed_file(_rng.sample(KEYS, k), n, _rng) for k, n in [(1, 1), (2, 3), (5, 4), (8, 2)]]
ODD = [
    b"", b"-1", b"nan", b"inf", b"1e308", b"-0.0", b"x", b"1,2", b'"1"', b"0x10", b"1_0",
    b"\xff", b"\x00", b"2026-02-30", b"  ", b"#", b"set", b"weight", b"3.0e-400",
]  # fmt: skip


def _edit(lines: list[bytes], rng: random.Random) -> None:
    op = rng.randrange(7)
    i = rng.randrange(len(lines)) if lines else 0
    if op == 0 and lines:  # a line deleted
        del lines[i]
    elif op == 1 and lines:  # a line repeated (provenance, a set)
        lines.insert(i, lines[i])
    elif op == 2 and lines:  # a field replaced by an odd one
        fields = lines[i].split(b",")
        fields[rng.randrange(len(fields))] = rng.choice(ODD)
        lines[i] = b",".join(fields)
    elif op == 3 and lines:  # a field dropped or added
        fields = lines[i].split(b",")
        if rng.random() < 0.5 and len(fields) > 1:
            del fields[rng.randrange(len(fields))]
        else:
            fields.insert(rng.randrange(len(fields) + 1), rng.choice(ODD))
        lines[i] = b",".join(fields)
    elif op == 4 and lines:  # a key renamed (header) or a provenance value changed
        if lines[i].startswith(b"#"):
            lines[i] = lines[i].split(b":", 1)[0] + b": " + rng.choice(ODD)
        else:
            fields = lines[i].split(b",")
            fields[rng.randrange(len(fields))] = rng.choice(KEYS).encode()
            lines[i] = b",".join(fields)
    elif op == 5 and len(lines) > 1:  # two lines swapped
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 6:  # a line from another seed
        lines.insert(i, rng.choice(rng.choice(SEEDS).splitlines()))


custom_mutator = line_mutator(_edit, 3)


def test_one_input(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # load_posterior refuses non-UTF-8 before parsing (tested in test_posterior.py)
    try:
        post = parse_posterior(text, "fuzz.csv", table=TABLE)
    except tradeeco.PosteriorError as e:
        assert str(e).startswith("fuzz.csv") and "expected" in str(e), str(e)
        feature(str(e).split("expected", 1)[1][:40])
        return
    assert math.isclose(float(post.weights.sum()), 1.0, rel_tol=1e-9)
    assert (post.weights >= 0).all()
    for j, k in enumerate(post.keys):
        lo, hi = RANGES[k]
        assert ((post.values[:, j] >= lo) & (post.values[:, j] <= hi)).all(), k
    feature(f"ok {len(post)} {len(post.keys)}")


if __name__ == "__main__":
    replay_or_fuzz(sys.argv, test_one_input, custom_mutator, corpus_args("posterior", SEEDS))
