#!/usr/bin/env bash
# Re-create the committed py-spy captures of the logpipe sample application.
#
#   name            file
#   main            logpipe.pyspy.txt            default workload, short file names
#   idle            logpipe-full-idle.pyspy.txt  smaller workload with --full-filenames
#                                                --idle --threads and the background
#                                                writer thread
#   speedscope      logpipe.speedscope.json      --format speedscope, small workload
#   threads-native  logpipe-threads-idle-native.speedscope.json
#                                                speedscope with --threads --idle
#                                                --native and the background writer
#   native          logpipe-native.pyspy.txt     raw with --native
#   subprocesses    logpipe-subprocesses.pyspy.txt
#                                                raw with --subprocesses of
#                                                spawn_logpipe.py, which runs
#                                                logpipe as a child process
#
# and (re)write CAPTURES.md with versions, command lines and sample counts.
# Only the sections of the captures that were re-run are replaced; the others
# are kept as they are.
#
# Usage: sample-profiles/capture.sh [all | new | NAME...]
#          all (default)  every capture above
#          new            speedscope threads-native native subprocesses
#          NAME...        just these captures
#        (needs ptrace rights: run as root or with kernel.yama.ptrace_scope=0)
# Environment: PYTHON (default python3), MAIN_SCALE (1.0), IDLE_SCALE (0.4),
#              SPEEDSCOPE_SCALE (0.3), THREADS_NATIVE_SCALE (0.18),
#              NATIVE_SCALE (0.18), SUBPROCESSES_SCALE (0.15).
set -euo pipefail

PYSPY_VERSION="0.4.3"
PYTHON="${PYTHON:-python3}"
MAIN_SCALE="${MAIN_SCALE:-1.0}"
IDLE_SCALE="${IDLE_SCALE:-0.4}"
SPEEDSCOPE_SCALE="${SPEEDSCOPE_SCALE:-0.3}"
THREADS_NATIVE_SCALE="${THREADS_NATIVE_SCALE:-0.18}"
NATIVE_SCALE="${NATIVE_SCALE:-0.18}"
SUBPROCESSES_SCALE="${SUBPROCESSES_SCALE:-0.15}"
RATE=100

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APP="$HERE/app"
MAIN_OUT="logpipe.pyspy.txt"
IDLE_OUT="logpipe-full-idle.pyspy.txt"
SPEEDSCOPE_OUT="logpipe.speedscope.json"
THREADS_NATIVE_OUT="logpipe-threads-idle-native.speedscope.json"
NATIVE_OUT="logpipe-native.pyspy.txt"
SUBPROCESSES_OUT="logpipe-subprocesses.pyspy.txt"

ALL_CAPTURES=(main idle speedscope threads-native native subprocesses)
NEW_CAPTURES=(speedscope threads-native native subprocesses)

output_of() {
    case "$1" in
        main) echo "$MAIN_OUT" ;;
        idle) echo "$IDLE_OUT" ;;
        speedscope) echo "$SPEEDSCOPE_OUT" ;;
        threads-native) echo "$THREADS_NATIVE_OUT" ;;
        native) echo "$NATIVE_OUT" ;;
        subprocesses) echo "$SUBPROCESSES_OUT" ;;
        *) return 1 ;;
    esac
}

# -- which captures -----------------------------------------------------------
SELECTED=()
if [[ $# -eq 0 || "$*" == "all" ]]; then
    SELECTED=("${ALL_CAPTURES[@]}")
elif [[ "$*" == "new" ]]; then
    SELECTED=("${NEW_CAPTURES[@]}")
else
    for name in "$@"; do
        if ! output_of "$name" >/dev/null; then
            echo "capture.sh: unknown capture '$name' (known: all new ${ALL_CAPTURES[*]})" >&2
            exit 2
        fi
        SELECTED+=("$name")
    done
fi

# -- py-spy, pinned ---------------------------------------------------------
if ! command -v py-spy >/dev/null 2>&1 || [[ "$(py-spy --version)" != "py-spy ${PYSPY_VERSION}" ]]; then
    echo "installing py-spy==${PYSPY_VERSION}" >&2
    "$PYTHON" -m pip install --quiet "py-spy==${PYSPY_VERSION}"
    hash -r
fi
PYSPY_REPORTED="$(py-spy --version)"
PYTHON_REPORTED="$("$PYTHON" --version 2>&1)"
PYTHON_EXECUTABLE="$("$PYTHON" -c 'import sys; print(sys.executable)')"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# run_capture NAME OUTPUT EXTRA_PYSPY_FLAGS -- APP_ARGS...
# Runs from the app directory so that `python3 -m logpipe` resolves the
# package there and py-spy reports short names like logpipe/parser.py.
# OUTPUT ending in .json is recorded with --format speedscope, anything else
# with --format raw. TARGET (default "-m logpipe") is what python3 runs,
# relative to the app directory.
run_capture() {
    local name="$1" output="$2" flags="$3"
    shift 4
    local format=raw
    [[ "$output" == *.json ]] && format=speedscope
    local -a target=(-m logpipe)
    if [[ -n "${TARGET:-}" ]]; then
        # shellcheck disable=SC2206
        target=($TARGET)
    fi
    local -a cmd=(py-spy record --format "$format" --rate "$RATE")
    if [[ -n "$flags" ]]; then
        # shellcheck disable=SC2206
        cmd+=($flags)
    fi
    cmd+=(--output "$HERE/$output" -- "$PYTHON" "${target[@]}" "$@")
    echo "== $name: ${cmd[*]}" >&2
    local started ended status=0
    started=$(date +%s.%N)
    date -u +%Y-%m-%dT%H:%M:%SZ >"$WORK/$name.date"
    # py-spy prints its own "py-spy> ..." status lines on stdout, mixed with
    # the application's output; keep both, minus colour codes.
    (cd "$APP" && "${cmd[@]}") 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >"$WORK/$name.log" || status=$?
    ended=$(date +%s.%N)
    cat "$WORK/$name.log" >&2
    if [[ $status -ne 0 ]]; then
        return "$status"
    fi
    # Command line as recorded in CAPTURES.md: relative paths, temp dir elided.
    local shown="${cmd[*]}"
    shown="${shown//$HERE\//../}"
    shown="${shown//$WORK/\$TMP}"
    shown="${shown//-- $PYTHON /-- python3 }"
    printf '%s\n' "$shown" >"$WORK/$name.cmd"
    awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }' >"$WORK/$name.wall"
}

# Same as run_capture, but if py-spy fails with --native (no unwinding support
# for this platform or kernel), record again without it and note that in
# CAPTURES.md.
run_capture_native() {
    local name="$1" output="$2" flags="$3"
    shift 3
    if run_capture "$name" "$output" "$flags" "$@"; then
        return 0
    fi
    local reduced="${flags//--native/}"
    reduced="$(echo "$reduced" | tr -s ' ' | sed 's/^ //; s/ $//')"
    echo "== $name: py-spy failed with --native, recording without it" >&2
    printf 'py-spy failed with `--native` on this machine; recorded without it.\n' >"$WORK/$name.note"
    run_capture "$name" "$output" "$reduced" "$@"
}

capture() {
    case "$1" in
        main)
            run_capture main "$MAIN_OUT" "" -- --scale "$MAIN_SCALE" --out "$WORK/main-out" ;;
        idle)
            run_capture idle "$IDLE_OUT" "--full-filenames --idle --threads" -- \
                --scale "$IDLE_SCALE" --background-writer --out "$WORK/idle-out" ;;
        speedscope)
            run_capture speedscope "$SPEEDSCOPE_OUT" "" -- \
                --scale "$SPEEDSCOPE_SCALE" --out "$WORK/speedscope-out" ;;
        threads-native)
            run_capture_native threads-native "$THREADS_NATIVE_OUT" "--threads --idle --native" -- \
                --scale "$THREADS_NATIVE_SCALE" --background-writer --out "$WORK/threads-native-out" ;;
        native)
            run_capture_native native "$NATIVE_OUT" "--native" -- \
                --scale "$NATIVE_SCALE" --out "$WORK/native-out" ;;
        subprocesses)
            TARGET="../spawn_logpipe.py" run_capture subprocesses "$SUBPROCESSES_OUT" "--subprocesses" -- \
                --scale "$SUBPROCESSES_SCALE" --out "$WORK/subprocesses-out" ;;
    esac
}

for name in "${SELECTED[@]}"; do
    capture "$name"
done

# -- CAPTURES.md --------------------------------------------------------------
# Speedscope files: samples, stacks, profiles and frames, one line each.
speedscope_stats() {
    "$PYTHON" - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
profiles = doc["profiles"]
samples = sum(len(p["samples"]) for p in profiles)
stacks = len({(i, tuple(s)) for i, p in enumerate(profiles) for s in p["samples"]})
weights = sorted({w for p in profiles for w in p["weights"]})
print(samples)
print(stacks)
print(f"{len(profiles)} ({', '.join(p['name'] for p in profiles)})")
print(len(doc["shared"]["frames"]))
print(", ".join(f"{w:g}" for w in weights[:5]) + (" ..." if len(weights) > 5 else ""))
print(", ".join(sorted({f"{p['type']}/{p['unit']}" for p in profiles})))
PY
}

describe() {
    local name="$1" output="$2"
    local file="$HERE/$output"
    local reported samples stacks bytes digest extra=""
    reported="$(grep -o 'Samples: [0-9]* Errors: [0-9]*' "$WORK/$name.log" || echo 'n/a')"
    if [[ "$output" == *.json ]]; then
        local -a stats
        mapfile -t stats < <(speedscope_stats "$file")
        samples="${stats[0]}"
        stacks="${stats[1]}"
        extra="| profiles | ${stats[2]//|/\\|} |
| shared frames | ${stats[3]} |
| sample weights | ${stats[4]} |
| profile type/unit | ${stats[5]} |
"
    else
        samples="$(awk '{ total += $NF } END { print total }' "$file")"
        stacks="$(wc -l <"$file" | tr -d ' ')"
    fi
    bytes="$(wc -c <"$file" | tr -d ' ')"
    digest="$(sha256sum "$file" | cut -d' ' -f1)"
    local note=""
    if [[ -f "$WORK/$name.note" ]]; then
        note="
**Note:** $(cat "$WORK/$name.note")
"
    fi
    local stacks_label="distinct stacks (lines)"
    [[ "$output" == *.json ]] && stacks_label="distinct stacks (per profile)"
    cat <<MD
### \`$output\`

\`\`\`
cd sample-profiles/app
$(cat "$WORK/$name.cmd")
\`\`\`
${note}
| | |
| --- | --- |
| captured (UTC) | $(cat "$WORK/$name.date") |
| py-spy / python | ${PYSPY_REPORTED} / ${PYTHON_REPORTED} |
| samples (sum of counts) | $samples |
| py-spy summary line | $reported |
| $stacks_label | $stacks |
${extra}| file size | $bytes bytes |
| sha256 | \`$digest\` |
| wall time under py-spy | $(cat "$WORK/$name.wall") s |

Top functions (\`summarize_capture.py --top 10\`):

\`\`\`
$("$PYTHON" "$HERE/summarize_capture.py" "$file" --top 10)
\`\`\`

MD
}

for name in "${SELECTED[@]}"; do
    describe "$name" "$(output_of "$name")" >"$WORK/section-$name.md"
done

cat >"$WORK/header.md" <<MD
# Captures

Generated by \`capture.sh\` -- do not edit by hand; re-run the script instead.
\`capture.sh NAME...\` re-records only the named captures and replaces only
their sections below; each section has its own date and versions.

| | |
| --- | --- |
| last run (UTC) | $(date -u +%Y-%m-%dT%H:%M:%SZ) (\`capture.sh ${SELECTED[*]}\`) |
| py-spy | ${PYSPY_REPORTED} |
| python | ${PYTHON_REPORTED} (\`${PYTHON_EXECUTABLE}\`) |
| host | $(uname -srm), $(nproc) CPUs |

\`\$TMP\` is a temporary output directory created and removed by the script.
Sampling is wall-clock based (py-spy default), so on a VM with CPU steal the
wall time and the absolute sample counts vary from run to run; the shares are
stable to within a few percentage points (see README.md).

MD

# Merge: new header, then one section per capture in the order of
# ALL_CAPTURES, taken from this run or else from the existing CAPTURES.md.
# Sections written before sections had their own date get the date and
# versions of the old file's header.
manifest=()
for name in "${ALL_CAPTURES[@]}"; do
    manifest+=("$(output_of "$name")")
    if [[ -f "$WORK/section-$name.md" ]]; then
        manifest+=("$WORK/section-$name.md")
    else
        manifest+=("-")
    fi
done
"$PYTHON" - "$HERE/CAPTURES.md" "$WORK/header.md" "${manifest[@]}" >"$WORK/CAPTURES.md" <<'PY'
import re, sys
from pathlib import Path

old_path, header_path, *pairs = sys.argv[1:]
old = Path(old_path).read_text(encoding="utf-8") if Path(old_path).exists() else ""
old_header, *old_chunks = re.split(r"(?m)^(?=### `)", old)
old_sections = {}
for chunk in old_chunks:
    title = re.match(r"### `([^`]*)`", chunk).group(1)
    old_sections[title] = chunk

def header_value(label):
    match = re.search(rf"(?m)^\| {re.escape(label)} \| (.*) \|$", old_header)
    return match.group(1) if match else None

def backfill(section):
    """Add the per-section date/version rows to a section from the old layout."""
    if "| captured (UTC) |" in section:
        return section
    date = header_value("date (UTC)") or "unknown"
    pyspy = header_value("py-spy") or "unknown"
    python = (header_value("python") or "unknown").split(" (`")[0]
    rows = f"| captured (UTC) | {date} |\n| py-spy / python | {pyspy} / {python} |\n"
    return section.replace("| --- | --- |\n", "| --- | --- |\n" + rows, 1)

parts = [Path(header_path).read_text(encoding="utf-8")]
for output, source in zip(pairs[::2], pairs[1::2]):
    if source != "-":
        parts.append(Path(source).read_text(encoding="utf-8"))
    elif output in old_sections:
        parts.append(backfill(old_sections[output]))
    else:
        print(f"capture.sh: no section for {output} yet (run capture.sh all)", file=sys.stderr)
text = "".join(parts).rstrip("\n") + "\n"
sys.stdout.write(text)
PY
mv "$WORK/CAPTURES.md" "$HERE/CAPTURES.md"

written=()
for name in "${SELECTED[@]}"; do
    written+=("$HERE/$(output_of "$name")")
done
echo "wrote ${written[*]} and $HERE/CAPTURES.md" >&2
