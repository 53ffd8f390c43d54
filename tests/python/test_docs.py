"""The Python examples in docs/python.md run as written, in order, from an empty folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


def test_docs_have_examples():
    assert len(python_blocks()) >= 8


def test_docs_examples_run(core, tmp_path):
    script = "\n\n".join(python_blocks())
    (tmp_path / "doc_examples.py").write_text(script)
    r = subprocess.run(
        [sys.executable, "doc_examples.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert (tmp_path / "trading_firms.png").exists()
    assert (tmp_path / "targets_2027.png").exists()
