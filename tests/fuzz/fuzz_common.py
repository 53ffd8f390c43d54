"""What the atheris harnesses share: the folder tree scenarios resolve `extends` in, the seed
corpus and regression inputs, and libFuzzer's default options.

Work files go to $TRADEECO_FUZZ_WORKDIR (the pytest wrapper sets it to a tmp_path), else to a
fresh temporary folder removed at exit.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REGRESSIONS = HERE / "regressions"


def workdir() -> Path:
    given = os.environ.get("TRADEECO_FUZZ_WORKDIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        return Path(given)
    d = Path(tempfile.mkdtemp(prefix="tradeeco-fuzz-"))
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return d


WORK = workdir()


def fuzz_tree() -> Path:
    """A copy of the shipped scenarios, the test scenarios and the broken corpus in one tree,
    laid out so that every seed's `extends` resolves from `<tree>/broken` as it does in the
    repository: broken/ (with the shipped files beside it) and scenarios/ (tests/data)."""
    tree = WORK / "tree"
    if not (tree / "broken").is_dir():
        shutil.copytree(REPO / "tests" / "data" / "broken", tree / "broken", dirs_exist_ok=True)
        shutil.copytree(
            REPO / "tests" / "data" / "scenarios", tree / "scenarios", dirs_exist_ok=True
        )
        for p in (REPO / "scenarios" / "files").glob("*.toml"):
            shutil.copy(p, tree / "broken" / p.name)
    return tree


def corpus_args(kind: str, seeds: list[bytes]) -> list[str]:
    """Corpus folders for libFuzzer: a fresh one holding the seeds (libFuzzer adds what it
    finds to the first folder), then the regression inputs of this harness."""
    corpus = WORK / f"corpus-{kind}"
    corpus.mkdir(exist_ok=True)
    for s in seeds:
        (corpus / hashlib.sha1(s).hexdigest()).write_bytes(s)
    dirs = [str(corpus)]
    if (REGRESSIONS / kind).is_dir():
        dirs.append(str(REGRESSIONS / kind))
    return dirs


FEATURE_GROUPS, FEATURE_LEAVES = 64, 64  # 4096 feature buckets


def _make_feature_tree(leaves: int):
    """A function whose every one of `leaves` leaves is its own branch, instrumented by atheris:
    calling it with a number gives libFuzzer one coverage edge per number. The compiled core is
    not instrumented, so this is how the harnesses tell libFuzzer that an input reached a new
    outcome (another error key, another lever). Kept small: atheris instruments a function in
    time growing faster than its size."""

    def node(lo: int, hi: int, depth: int) -> list[str]:
        pad = "    " * depth
        if hi - lo == 1:
            return [f"{pad}return {lo}"]
        mid = (lo + hi) // 2
        return [
            f"{pad}if h < {mid}:",
            *node(lo, mid, depth + 1),
            f"{pad}else:",
            *node(mid, hi, depth + 1),
        ]

    src = "\n".join(["def _leaf(h):", *node(0, leaves, 1)])
    scope: dict = {}
    exec(compile(src, "<feature-tree>", "exec"), scope)
    return atheris.instrument_func(scope["_leaf"])


_TREES = [_make_feature_tree(FEATURE_LEAVES) for _ in range(FEATURE_GROUPS)]


def feature(text: str) -> None:
    """Reports an outcome (a normalised error message, a lever used) as coverage."""
    h = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")
    _TREES[(h // FEATURE_LEAVES) % FEATURE_GROUPS](h % FEATURE_LEAVES)


def line_mutator(edit, max_edits: int):
    """A libFuzzer custom mutator: half the time libFuzzer's own byte mutations, half 1 to
    `max_edits` calls of `edit(lines, rng)` on the input's lines (the edits a user makes)."""

    def mutate(data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        if rng.random() < 0.5:
            return atheris.Mutate(data, max_size)
        lines = data.splitlines()
        for _ in range(rng.randint(1, max_edits)):
            edit(lines, rng)
        return b"\n".join(lines)[:max_size]

    return mutate


def replay_or_fuzz(argv, test_one_input, custom_mutator, corpus: list[str]) -> None:
    """Replays the files named on the command line, or fuzzes from `corpus` with a 1 s
    per-input timeout (a hang) and crash inputs written to $TRADEECO_FUZZ_ARTIFACTS (default:
    the work folder)."""
    args = list(argv)
    files = [a for a in args[1:] if not a.startswith("-")]
    if not files:
        args += corpus
    flags = {a.split("=", 1)[0] for a in args[1:] if a.startswith("-")}
    if "-timeout" not in flags:
        args.append("-timeout=1")
    if "-artifact_prefix" not in flags:
        prefix = os.environ.get("TRADEECO_FUZZ_ARTIFACTS", str(WORK))
        args.append(f"-artifact_prefix={prefix.rstrip('/')}/")
    if "-rss_limit_mb" not in flags:
        args.append("-rss_limit_mb=2048")
    atheris.Setup(args, test_one_input, custom_mutator=custom_mutator)
    sys.stdout.flush()
    atheris.Fuzz()


ODD_FIELDS = [0, 1, 8, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 2**63 - 1, 2**64 - 1, 48, 96, 512]


def file_mutator(data: bytes, max_size: int, seed: int) -> bytes:
    """Mutations of binary files (result files, checkpoints): libFuzzer's own, or one to three
    bit flips, truncations, 8-byte address or length fields overwritten, blocks copied."""
    rng = random.Random(seed)
    if not data or rng.random() < 0.4:
        return atheris.Mutate(data, max_size)
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(4)
        i = rng.randrange(len(b))
        if op == 0:  # one bit
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # cut short
            del b[max(1, i) :]
        elif op == 2:  # an address or length field
            value = rng.choice([*ODD_FIELDS, rng.randrange(len(b) + 64)])
            b[i : i + 8] = value.to_bytes(8, "little")
        else:  # a block copied elsewhere
            j, n = rng.randrange(len(b)), rng.randint(1, 64)
            b[j : j + n] = b[i : i + n]
        if not b:
            break
    return bytes(b[:max_size])
