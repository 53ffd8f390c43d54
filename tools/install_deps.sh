#!/usr/bin/env bash
# Installs what tradeeco needs on a fresh Debian 12 or 13 machine: system packages from Debian
# (only those missing), then a virtual environment .venv with the Python packages from PyPI.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ make git pkg-config libtbb-dev libhdf5-dev hdf5-tools libboost-dev catch2
          libbenchmark-dev librandom123-dev libtomlplusplus-dev)
# The report (tradeeco report): a CJK font for the Chinese charts, Chromium for --pdf and its test.
packages+=(fonts-wqy-microhei chromium)
# The Python headers and venv module, unless this Python already has them.
python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || packages+=(python3-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "tradeeco: installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "tradeeco: creating .venv"
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# Build tools for the C++ core and the test dependencies; the package itself is installed by
# the callers (pip install .).
.venv/bin/python -m pip install -q "cmake>=3.24" ninja "pybind11>=2.11" "scikit-build-core>=0.10"
