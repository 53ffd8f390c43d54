#!/usr/bin/env bash
# The main job on the embedded Chongqing data: installs what is missing, builds and installs
# tradeeco into .venv, runs the baseline and the plan scenarios, prints their comparison and
# writes the planner's report, results/report.html (in Chinese; --lang en for English).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
echo "tradeeco: building and installing (pip install .)"
.venv/bin/python -m pip install -q .
mkdir -p results
.venv/bin/tradeeco run baseline --out results/baseline.nc "$@"
.venv/bin/tradeeco run plan --out results/plan.nc "$@"
.venv/bin/tradeeco compare results/baseline.nc results/plan.nc
.venv/bin/tradeeco report results/baseline.nc results/plan.nc -o results/report.html
