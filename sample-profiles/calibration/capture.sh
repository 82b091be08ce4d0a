#!/usr/bin/env bash
# Record the pure-Python run of every calibration workload with py-spy:
#
#   py-spy record --format raw --rate 250 -o <name>.pyspy.txt -- python3 <name>.py --impl pure
#
# run from this directory, so py-spy's short file names are `heapq_sched.py`
# for the workload and `heapq.py`, `json/decoder.py`, ... (relative to the
# stdlib directory) for the standard library.  Then measure.py reads the
# captures for p.  Nothing is copied: the source root for brownfield is the
# stdlib directory (printed below) together with this directory.
#
# With IMPL=c it records the C-accelerated runs instead, as
# <name>.c.pyspy.txt (the "after the rewrite" profile; not needed by
# measure.py).
#
# Usage: capture.sh [WORKLOAD...]   (default: all; names without .py)
# Environment: PYTHON (default python3; resolved to sys.executable so that a
#              pyenv shim is not what py-spy launches), RATE (250),
#              IMPL (pure | c, default pure),
#              PYSPY_FLAGS (extra flags, e.g. --nonblocking)
# Needs ptrace rights (root, or kernel.yama.ptrace_scope=0).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')"
RATE="${RATE:-250}"
IMPL="${IMPL:-pure}"
case "$IMPL" in
    pure) SUFFIX="" ;;
    c) SUFFIX=".c" ;;
    *) echo "capture.sh: IMPL must be pure or c" >&2; exit 2 ;;
esac
MAX_BYTES=$((2 * 1024 * 1024))
ALL=(decimal_ledger functools_memo heapq_sched json_roundtrip ordereddict_lru pickle_cache pyio_lines)

if [[ $# -gt 0 ]]; then
    SELECTED=("$@")
else
    SELECTED=("${ALL[@]}")
fi

cd "$HERE"
echo "python:  $("$PYTHON" --version 2>&1) ($PYTHON)"
echo "stdlib:  $("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
echo "py-spy:  $(py-spy --version)"
echo "uptime:  $(uptime)"

for name in "${SELECTED[@]}"; do
    if [[ ! -f "$name.py" ]]; then
        echo "capture.sh: no workload $name.py" >&2
        exit 2
    fi
    out="$name$SUFFIX.pyspy.txt"
    # shellcheck disable=SC2086
    cmd=(py-spy record --format raw --rate "$RATE" ${PYSPY_FLAGS:-} -o "$out" -- "$PYTHON" "$name.py" --impl "$IMPL")
    echo "== $name: ${cmd[*]}"
    if ! "${cmd[@]}" >"$name.pyspy.log" 2>&1; then
        cat "$name.pyspy.log" >&2
        if [[ -z "${PYSPY_FLAGS:-}" ]]; then
            echo "== $name: py-spy failed; retrying with --nonblocking" >&2
            cmd=(py-spy record --format raw --rate "$RATE" --nonblocking -o "$out" -- "$PYTHON" "$name.py" --impl "$IMPL")
            "${cmd[@]}" >"$name.pyspy.log" 2>&1 || { cat "$name.pyspy.log" >&2; exit 1; }
        else
            exit 1
        fi
    fi
    sed 's/\x1b\[[0-9;]*m//g' "$name.pyspy.log" | grep -E 'Samples:|^[a-zA-Z_]+\[(pure|c)\]' || true
    rm -f "$name.pyspy.log"
    bytes=$(wc -c <"$out")
    samples=$(awk '{ t += $NF } END { print t }' "$out")
    echo "   $out: $samples samples, $(wc -l <"$out") stacks, $bytes bytes"
    if (( bytes > MAX_BYTES )); then
        echo "capture.sh: $out is larger than 2 MB; lower RATE or the workload --scale" >&2
        exit 1
    fi
done
echo "uptime:  $(uptime)"
