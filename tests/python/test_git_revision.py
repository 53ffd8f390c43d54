"""cmake/git_revision.cmake: the revision result files and generated pages record is the source
tree's at build time: HEAD's hash, "-dirty" when what is compiled into the model has uncommitted
changes, "unknown" outside git; the generated file is rewritten only when that changes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

SCRIPT = REPO / "cmake" / "git_revision.cmake"
CMAKE = shutil.which("cmake") or str(Path(sys.prefix) / "bin" / "cmake")
GIT = shutil.which("git")

pytestmark = pytest.mark.skipif(
    GIT is None or not Path(CMAKE).exists(), reason="needs git and cmake"
)


def _revision(source: Path, out: Path, git: str | None = GIT) -> str:
    args = [CMAKE, f"-DSOURCE_DIR={source}", f"-DOUTPUT={out}"]
    if git:
        args.append(f"-DGIT_EXECUTABLE={git}")
    subprocess.run([*args, "-P", str(SCRIPT)], check=True, capture_output=True)
    m = re.search(r'return "([^"]*)";', out.read_text())
    assert m, out.read_text()
    return m.group(1)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [GIT, "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


@pytest.fixture()
def repo(tmp_path):
    r = tmp_path / "src"
    (r / "models").mkdir(parents=True)
    (r / "docs").mkdir()
    (r / "models" / "a.cpp").write_text("int a;\n")
    (r / "docs" / "page.md").write_text("# page\n")
    _git(r, "init", "-q")
    _git(r, "add", ".")
    _git(r, "commit", "-q", "-m", "first")
    return r


def test_a_clean_tree_records_heads_hash(repo, tmp_path):
    out = tmp_path / "rev.cpp"
    assert _revision(repo, out) == _git(repo, "rev-parse", "--short=12", "HEAD")


def test_a_change_to_compiled_sources_is_marked_dirty_and_docs_are_not(repo, tmp_path):
    out = tmp_path / "rev.cpp"
    head = _git(repo, "rev-parse", "--short=12", "HEAD")
    (repo / "docs" / "page.md").write_text("# page, regenerated\n")
    assert _revision(repo, out) == head
    (repo / "models" / "a.cpp").write_text("int a = 1;\n")
    assert _revision(repo, out) == head + "-dirty"
    (repo / "models" / "new.cpp").write_text("int b;\n")  # untracked, but globbed into the build
    _git(repo, "checkout", "--", "models/a.cpp")
    assert _revision(repo, out) == head + "-dirty"


def test_a_commit_changes_the_revision_at_the_next_build(repo, tmp_path):
    out = tmp_path / "rev.cpp"
    first = _revision(repo, out)
    (repo / "models" / "a.cpp").write_text("int a = 2;\n")
    _git(repo, "commit", "-q", "-am", "second")
    second = _revision(repo, out)
    assert second != first and second == _git(repo, "rev-parse", "--short=12", "HEAD")


def test_the_file_is_rewritten_only_when_the_revision_changes(repo, tmp_path):
    out = tmp_path / "rev.cpp"
    _revision(repo, out)
    before = out.stat().st_mtime_ns
    out.touch()  # a stamp later than the script could write
    stamped = out.stat().st_mtime_ns
    _revision(repo, out)
    assert out.stat().st_mtime_ns == stamped >= before


def test_outside_git_the_revision_is_unknown(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert _revision(plain, tmp_path / "rev.cpp") == "unknown"
    assert _revision(plain, tmp_path / "rev2.cpp", git=None) == "unknown"
