#!/usr/bin/env bash
# The whole test suite: C++ (Catch2 through ctest, in a checked build) and Python (pytest,
# including the notebooks). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "tradeeco: C++ build (checked) and ctest"
.venv/bin/cmake -S . -B build/checked -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRADEECO_CHECKED=ON \
  -DCMAKE_MAKE_PROGRAM="$PWD/.venv/bin/ninja" >/dev/null
.venv/bin/cmake --build build/checked -j "$jobs"
(cd build/checked && ../../.venv/bin/ctest --output-on-failure -j "$jobs")

echo "tradeeco: Python package and pytest"
.venv/bin/python -m pip install -q ".[test]"
set +e
.venv/bin/python -m pytest tests/python -q
rc=$?
set -e
# pytest exits 5 when it collects no tests: that is a broken suite here, not a pass.
if [ "$rc" -eq 5 ]; then echo "tradeeco: pytest collected no tests" >&2; exit 1; fi
exit "$rc"
