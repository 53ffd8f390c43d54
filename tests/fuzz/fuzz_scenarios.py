"""Fuzzes the scenario loader (tradeeco.load_scenario_string, i.e. the C++ TOML parser,
`extends` resolution and validation) with atheris.

Seeds: the shipped scenarios, the test scenarios and the broken corpus (tests/data/broken), plus
the regression inputs in tests/fuzz/regressions/scenarios. Each input is the text of a scenario
file that may `extends` any of them (they are copied into one folder tree). Mutations are half
libFuzzer's byte-level ones, half edits a user makes to a TOML file (values of the wrong type or
out of range, keys renamed, lines deleted, duplicated or taken from another file).

A failure is a crash, an input taking over 1 s (libFuzzer's -timeout), or any exception other
than tradeeco.ScenarioError; a scenario that loads must also reload from its own
`resolved_text` to the same Spec. Examples:

    python tests/fuzz/fuzz_scenarios.py -runs=1000000 -timeout=1     # a long run
    python tests/fuzz/fuzz_scenarios.py crash-<sha1>                  # replays one input
"""

from __future__ import annotations

import random
import re
import sys

from fuzz_common import corpus_args, feature, fuzz_tree, line_mutator, replay_or_fuzz

import tradeeco
from tradeeco import _native

core = _native.core()
TREE = fuzz_tree()  # folder tree the inputs' `extends` resolve in
BASE_DIR = str(TREE / "broken")
SEEDS = [p.read_bytes() for p in sorted(TREE.rglob("*.toml"))]

# Values a user (or a script) might put on the right of `=`, by kind of mistake.
ODD_VALUES = [
    b'""', b'"x"', b"0", b"-1", b"1", b"2", b"-0.0", b"0.5", b"1e308", b"-1e308", b"1e-320",
    b"nan", b"-nan", b"inf", b"-inf", b"true", b"false", b"[]", b"{}", b"[1, \"a\"]",
    b"[[1], [2]]", b"{ a = 1 }", b"2024-01-01", b"2024-02-30", b"2023-12-31", b"2028-01-01",
    b"9999-12-31", b"0001-01-01", b"2024-01-01T00:00:00", b"12:00:00", b"9223372036854775807",
    b"-9223372036854775808", b"18446744073709551616", b"0x7fffffff", b"0o777", b"0b1",
    b"1_000_000_000_000", b'"' + b"x" * 4096 + b'"', b'"\\u0000"', b'"\xe2\x82\xac"',
    b"'''multi\nline'''", b'"baseline.toml"', b'"../scenarios/base_small.toml"',
    b'"extends_cycle_a.toml"', b'"/dev/zero"', b'"/"', b'"."',
]  # fmt: skip


def _keys_and_values(seeds: list[bytes]) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """Keys, values and table headers seen in the seeds, for recombination."""
    keys, values, headers = set(), set(), set()
    for text in seeds:
        for line in text.splitlines():
            s = line.strip()
            if s.startswith(b"["):
                headers.add(s)
            elif b"=" in s and not s.startswith(b"#"):
                k, v = s.split(b"=", 1)
                keys.add(k.strip())
                values.add(v.strip())
    return sorted(keys), sorted(values), sorted(headers)


KEYS, VALUES, HEADERS = _keys_and_values(SEEDS)


def _edit(lines: list[bytes], rng: random.Random) -> None:
    """One structural edit of a scenario's lines, in place."""
    op = rng.randrange(9)
    i = rng.randrange(len(lines)) if lines else 0
    if op == 0 and lines:  # a line deleted
        del lines[i]
    elif op == 1 and lines:  # a line repeated (duplicate keys, tables)
        lines.insert(i, lines[i])
    elif op == 2:  # a line from another file
        other = rng.choice(SEEDS).splitlines() or [b""]
        lines.insert(i, rng.choice(other))
    elif op == 3:  # a table header
        lines.insert(i, rng.choice(HEADERS))
    elif op in (4, 5, 6) and lines:  # a value replaced
        eq = [j for j, ln in enumerate(lines) if b"=" in ln and not ln.lstrip().startswith(b"#")]
        if eq:
            j = rng.choice(eq)
            k = lines[j].split(b"=", 1)[0]
            v = rng.choice(ODD_VALUES) if op != 6 else rng.choice(VALUES)
            lines[j] = k + b"= " + v
    elif op == 7 and lines:  # a key renamed, or a key = value added
        lines.insert(i, rng.choice(KEYS) + b" = " + rng.choice(VALUES + ODD_VALUES))
    elif op == 8 and len(lines) > 1:  # two lines swapped
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]


custom_mutator = line_mutator(_edit, 4)


_LOCATION = re.compile(r"^[^\n]*?:\d+:\d+: ")
_INDEX = re.compile(r"\[\d+\]")
_FOUND = re.compile(r"found .*$", re.S)
_QUOTED_OR_NUMBER = re.compile(r"\"[^\"]*\"|'[^']*'|\d+")


def error_feature(message: str) -> str:
    """The kind of a ScenarioError: its message without the place, indices, found value, quoted
    names and numbers (so that a typo in a key is not a new outcome each time)."""
    kind = _FOUND.sub("found", _INDEX.sub("[]", _LOCATION.sub("", message)))
    return _QUOTED_OR_NUMBER.sub("_", kind)[:200]


def _body(resolved_text: str) -> str:
    return resolved_text.split("\n", 1)[1]


def test_one_input(data: bytes) -> None:
    try:
        spec = core.load_scenario_string(data, "fuzz.toml", BASE_DIR)
    except tradeeco.ScenarioError as e:
        assert str(e), "a ScenarioError without a message"
        feature(error_feature(str(e)))
        return
    for inst in spec.instruments:
        feature(f"lever {inst['lever']}")
    for shock in spec.shocks:
        feature(f"shock {shock.get('name', shock)}")
    feature(f"ok {len(spec.instruments)} {len(spec.shocks)} {len(spec.parameters)}")
    # A valid scenario's resolved text is a complete scenario on its own: it reloads the same.
    again = core.load_scenario_string(spec.resolved_text, "fuzz.toml", BASE_DIR)
    # (The first comment line names the files it was resolved from, so it differs.)
    assert _body(again.resolved_text) == _body(spec.resolved_text), "resolved_text changed"
    assert (again.seed, again.replicates, again.start, again.end) == (
        spec.seed,
        spec.replicates,
        spec.start,
        spec.end,
    )


if __name__ == "__main__":
    replay_or_fuzz(
        sys.argv,
        test_one_input,
        custom_mutator,
        corpus_args("scenarios", SEEDS),
    )
