#!/usr/bin/env bash
# Install chardet 5.2.0 (pinned by wheel hash) into sample-profiles/chardet/.cache/site
# and record a py-spy capture of workload.py running against it.
#
# Usage: sample-profiles/chardet/capture.sh [--install-only] [--scale S]
#   --install-only  only (re)install chardet into .cache/site; no profiling.
#                   This is all `brownfield plan ... --source .cache/site` needs.
#   --scale S       workload size (default 1.0 = 2500 documents, ~20 s).
# Writes (without --install-only):
#   chardet.pyspy.txt     py-spy record --format raw --rate 200
#   workload-output.txt   the workload's summary (deterministic for a given scale)
# and prints versions, sample count, distinct stacks, size and wall time.
# Recording needs ptrace rights (root, or kernel.yama.ptrace_scope=0).
# Environment: PYTHON (default python3), PYSPY (default py-spy).
set -euo pipefail

PYTHON="${PYTHON:-python3}"
PYSPY="${PYSPY:-py-spy}"
RATE=200
SCALE=1.0
INSTALL_ONLY=0

while [ $# -gt 0 ]; do
    case "$1" in
        --install-only) INSTALL_ONLY=1 ;;
        --scale) SCALE="$2"; shift ;;
        --scale=*) SCALE="${1#--scale=}" ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "capture.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SITE="$HERE/.cache/site"

# --- install -----------------------------------------------------------------
# requirements.txt pins chardet==5.2.0 to the sha256 of its py3-none-any wheel;
# --require-hashes makes pip refuse anything else. The site dir is rebuilt from
# scratch so a stale or hand-edited copy never ends up under --source.
rm -rf "$SITE"
mkdir -p "$HERE/.cache"
PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: --require-hashes --target "$SITE" -r "$HERE/requirements.txt"
# Console-script shims carry an absolute interpreter path; they are not needed.
rm -rf "$SITE/bin"
PYTHONPATH="$SITE" "$PYTHON" -c '
import chardet, sys
assert chardet.__version__ == "5.2.0", chardet.__version__
print("installed chardet %s at %s" % (chardet.__version__, chardet.__file__))
'
[ "$INSTALL_ONLY" = 1 ] && exit 0

# --- record ------------------------------------------------------------------
# py-spy shortens each file name to the path below the outermost directory
# without an __init__.py, so chardet frames read chardet/universaldetector.py
# and match files under --source .cache/site by path suffix.
# python3 -S: no site-packages and no .pth start-up hooks (only chardet, from
# PYTHONPATH, and the standard library are needed), so the capture does not
# depend on what else the interpreter has installed.
OUT="$HERE/chardet.pyspy.txt"
cd "$HERE"
start=$(date +%s.%N)
PYTHONPATH="$SITE" "$PYSPY" record --format raw --rate "$RATE" --output "$OUT" -- \
    "$PYTHON" -S workload.py --scale "$SCALE" --output "$HERE/workload-output.txt" \
    > "$HERE/.cache/py-spy.log" 2>&1 || { cat "$HERE/.cache/py-spy.log" >&2; exit 1; }
end=$(date +%s.%N)

samples=$(awk '{ n += $NF } END { print n }' "$OUT")
stacks=$(wc -l < "$OUT")
bytes=$(wc -c < "$OUT")
in_chardet=$(awk '{ c = $NF; $NF = ""; if ($0 ~ /\(chardet\//) n += c } END { print n + 0 }' "$OUT")
echo "date (UTC):        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "python:            $("$PYTHON" --version 2>&1)"
echo "py-spy:            $("$PYSPY" --version)"
echo "command:           PYTHONPATH=$SITE $PYSPY record --format raw --rate $RATE --output chardet.pyspy.txt -- $PYTHON -S workload.py --scale $SCALE --output workload-output.txt"
echo "py-spy summary:    $(grep -o 'Samples: .*' "$HERE/.cache/py-spy.log" || true)"
echo "workload:          $(grep '^elapsed' "$HERE/.cache/py-spy.log" || true)"
echo "wall time:         $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }')"
echo "samples:           $samples ($in_chardet with a chardet/ frame)"
echo "distinct stacks:   $stacks"
echo "size:              $bytes bytes"
echo "sha256:            $(sha256sum "$OUT" | cut -d' ' -f1)"
