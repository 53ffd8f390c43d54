"""Runs the sensitivity study behind docs/sensitivity.md and writes that page.

    python tools/gen_sensitivity_docs.py            # run (or resume) the study, write the page
    python tools/gen_sensitivity_docs.py --check    # fail if the page differs from a fresh one

The study's evaluations are cached in results/sensitivity/cache.jsonl (git-ignored), so
running it again after an interruption resumes, and regenerating the page from a finished
study takes seconds. The design is fixed here (STUDY) so that the page is reproducible.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "results" / "sensitivity" / "cache.jsonl"
PAGE = ROOT / "docs" / "sensitivity.md"

# The design of the documented study: sized to run in about an hour on the project's shared
# 2-core machine (see the page's "Cost" section for the measured time).
STUDY = {
    "scenarios": ("baseline", "plan"),
    "replicates": 1,
    "year": 2027,
    "budget": 1700,
    "trajectories": 5,
    "top_k": 5,
    "sobol_base": 64,
    "workers": 2,
}


def run_study(progress: bool = True):
    import tradeeco

    return tradeeco.sensitivity(**STUDY, cache=CACHE, progress=progress)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with docs/sensitivity.md")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    res = run_study(progress=not args.quiet)
    res.save(CACHE.parent / "tables")
    print(res.meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
