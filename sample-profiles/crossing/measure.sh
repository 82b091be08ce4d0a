#!/usr/bin/env bash
# Build the PyO3 extension in ./ext and measure Python-call and Python->Rust
# crossing costs on this machine. Writes results.json next to this script.
#
#   bash sample-profiles/crossing/measure.sh
#
# Environment: CROSSING_VENV (default /tmp/crossing-venv), PYTHON (default
# python3, expected CPython 3.11), and the CROSSING_* knobs of measure.py
# (CROSSING_REPEATS, CROSSING_PASSES, CROSSING_TARGET_S, CROSSING_WAIT_QUIET_S,
# CROSSING_QUIET_LOAD, CROSSING_OUT).
# Needs: a Rust toolchain (cargo), network access to PyPI (maturin) and
# crates.io (pyo3) on the first run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${CROSSING_VENV:-/tmp/crossing-venv}"
PYTHON="${PYTHON:-python3}"
MATURIN_VERSION="1.16.0"

pyver="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$pyver" != "3.11" ]]; then
    echo "warning: $PYTHON is CPython $pyver; the figures in README.md are for 3.11" >&2
fi
command -v cargo >/dev/null || { echo "error: cargo not found (Rust toolchain needed)" >&2; exit 1; }

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "== creating venv $VENV"
    "$PYTHON" -m venv "$VENV"
fi
export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"
unset PYTHONHOME

echo "== pip install maturin==$MATURIN_VERSION"
python -m pip install -q --disable-pip-version-check "maturin==$MATURIN_VERSION"

echo "== maturin develop --release (ext/, pyo3 pinned in ext/Cargo.toml)"
(cd "$HERE/ext" && maturin develop --release --locked 2>&1 | tail -n 5)

echo "== versions"
python --version
maturin --version
rustc --version
grep -A1 '^name = "pyo3"$' "$HERE/ext/Cargo.lock" | tail -n 1

echo "== measure.py (sequential; takes about two minutes)"
cd "$HERE"
python measure.py
