#!/usr/bin/env bash
# End-to-end benchmark of `brownfield plan` on a large real case: a py-spy capture of a
# networkx workload (benches/plan_workload.py, >= 100 000 samples) against the networkx source
# it ran (the pinned wheel, about 190 000 lines of .py). See benches/README.md.
#
# Target: the whole `plan` command in under 2 s wall; peak RSS is reported.
#
# Usage: benches/plan.sh      (from anywhere)
#
# Nothing is built: the script times an existing release binary (BF). Everything it writes goes
# to benches/.cache/plan/ (gitignored): site/ (networkx, installed with pip --target; the
# codebase given to --source), networkx.pyspy.txt (the capture), out/ (the plan the runs
# write), results.md, runs.tsv, timings.txt and the runs' stderr.
#
# Environment (all optional):
#   BF               the brownfield binary               (default target/release/brownfield)
#   RUNS             timed runs; the best wall time wins                  (default 3)
#   QUIET_LOAD       before each run, wait (at most QUIET_WAIT s) until the 1-minute load
#   QUIET_WAIT       average is below QUIET_LOAD                        (defaults 1.0, 60)
#   FORCE_INSTALL=1  install networkx into site/ again
#   FORCE_CAPTURE=1  record the capture again (it is otherwise reused when the workload
#                    script, the rate and the duration are unchanged)
#   RATE             py-spy sampling rate, Hz                             (default 1000)
#   WORKLOAD_SECONDS the workload repeats its rounds for at least this long (default 115)
#   PYTHON           python used for pip, py-spy's target and the counts  (default python3)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BF=${BF:-$REPO/target/release/brownfield}
RUNS=${RUNS:-3}
QUIET_LOAD=${QUIET_LOAD:-1.0}
QUIET_WAIT=${QUIET_WAIT:-60}
FORCE_INSTALL=${FORCE_INSTALL:-0}
FORCE_CAPTURE=${FORCE_CAPTURE:-0}
RATE=${RATE:-1000}
WORKLOAD_SECONDS=${WORKLOAD_SECONDS:-115}
PYTHON=${PYTHON:-python3}

CACHE=$HERE/.cache/plan
SITE=$CACHE/site
CAPTURE=$CACHE/networkx.pyspy.txt
WORKLOAD=$HERE/plan_workload.py
PLAN_OUT=$CACHE/out
RESULTS=$CACHE/results.md
RUNLOG=$CACHE/runs.tsv
TIMINGS=$CACHE/timings.txt

# The same pinned wheel as benches/graph.sh (pure Python, py3-none-any), checked by hash.
REQUIREMENTS='networkx==3.6.1 --hash=sha256:d47fbf302e7d9cbbb9e2555a0d267983d2aa476bac30e90dfbe5669bd57f3762'
MIN_SAMPLES=100000
MIN_LINES=100000
TARGET_S=2

log() { printf '[plan.sh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (needed for pip, the workload and the counts)"
[[ -x $BF ]] || die "no brownfield binary at $BF (build it with cargo build --release, or set BF)"
"$BF" plan --help >/dev/null 2>&1 || die "'$BF plan --help' fails: this build has no plan command"
mkdir -p "$CACHE"

# The binary may be newer or older than HEAD: record both.
GIT_REV=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(cd "$REPO" && git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null) ]]; then
    GIT_REV="$GIT_REV (+ uncommitted changes in src/)"
fi
BF_BUILT=$(date -u -r "$BF" '+%Y-%m-%d %H:%M UTC')

# ---------------------------------------------------------------- codebase
STAMP=$CACHE/site.stamp
if [[ $FORCE_INSTALL != 1 && -d $SITE/networkx && -f $STAMP && $(cat "$STAMP") == "$REQUIREMENTS" ]]; then
    log "reusing networkx in $SITE"
else
    log "installing networkx into $SITE"
    rm -rf "$SITE" "$STAMP"
    printf '%s\n' "$REQUIREMENTS" >"$CACHE/requirements.txt"
    "$PYTHON" -m pip install --quiet --no-deps --no-compile --require-hashes --target "$SITE" \
        -r "$CACHE/requirements.txt" >&2
    printf '%s' "$REQUIREMENTS" >"$STAMP"
fi

# .py files, lines (Python's splitlines, as `wc -l` but counting a last line without a
# newline) and bytes under the site dir, as graph.sh counts them.
read -r CODE_FILES CODE_LINES CODE_BYTES < <("$PYTHON" - "$SITE" <<'PY'
import os, sys
files = lines = size = 0
for d, dirs, names in os.walk(sys.argv[1]):
    dirs[:] = [x for x in dirs if not x.startswith(".") and x != "__pycache__"]
    for n in names:
        if n.endswith(".py"):
            data = open(os.path.join(d, n), "rb").read()
            files += 1; size += len(data); lines += len(data.splitlines())
print(files, lines, size)
PY
)
log "codebase: $CODE_FILES .py files, $CODE_LINES lines, $CODE_BYTES bytes"
((CODE_LINES >= MIN_LINES)) || die "the codebase has $CODE_LINES lines, fewer than $MIN_LINES"

# ---------------------------------------------------------------- capture
command -v py-spy >/dev/null || die "py-spy not found (pip install py-spy==0.4.3)"
CAPTURE_STAMP=$CACHE/capture.stamp
capture_key="workload $(sha256sum "$WORKLOAD" | cut -d' ' -f1), rate $RATE, seconds $WORKLOAD_SECONDS, $REQUIREMENTS"
if [[ $FORCE_CAPTURE != 1 && -s $CAPTURE && -f $CAPTURE_STAMP && $(cat "$CAPTURE_STAMP") == "$capture_key" ]]; then
    log "reusing the capture $CAPTURE"
else
    log "recording the workload with $(py-spy --version) at $RATE Hz for at least $WORKLOAD_SECONDS s"
    rm -f "$CAPTURE" "$CAPTURE_STAMP"
    # Written under a temporary name, so an interrupted capture is never reused.
    PYTHONPATH=$SITE py-spy record --format raw --rate "$RATE" -o "$CAPTURE.tmp" -- \
        "$PYTHON" "$WORKLOAD" "$WORKLOAD_SECONDS" >"$CACHE/workload.out" 2>"$CACHE/py-spy.err" ||
        { tail -n 20 "$CACHE/py-spy.err" >&2; die "py-spy record failed (stderr in $CACHE/py-spy.err)"; }
    mv "$CAPTURE.tmp" "$CAPTURE"
    printf '%s' "$capture_key" >"$CAPTURE_STAMP"
    log "  $(grep '^networkx ' "$CACHE/workload.out" | tail -n 1)"
fi
# Samples: the sum of the counts ending the lines; distinct stacks: the distinct stack texts.
read -r SAMPLES STACKS < <(awk '{n = $NF; sub(/ [0-9]+$/, ""); s += n; if (!($0 in seen)) {seen[$0] = 1; d++}} END {print s + 0, d + 0}' "$CAPTURE")
CAPTURE_MB=$(du -m "$CAPTURE" | cut -f1)
log "capture: $SAMPLES samples, $STACKS distinct stacks, $CAPTURE_MB MB"
((SAMPLES >= MIN_SAMPLES)) ||
    die "the capture has $SAMPLES samples, fewer than $MIN_SAMPLES: raise WORKLOAD_SECONDS or RATE (then FORCE_CAPTURE=1)"

# ---------------------------------------------------------------- measuring
# loadavg, wait_quiet, to_seconds
# shellcheck source=benches/lib.sh
source "$HERE/lib.sh"

printf 'run\twall_s\tuser_s\tsys_s\tmax_rss_kib\tload1\n' >"$RUNLOG"
WALL="" CPU="" RSS=0 LOAD=""
CMD=("$BF" plan "$CAPTURE" --source "$SITE" --out "$PLAN_OUT" --force)

# run_once RUN: one run under /usr/bin/time -v; keeps the best wall time, the CPU time
# (user + sys) of that run and the largest peak RSS of all runs.
run_once() {
    local run=$1 tf=$CACHE/plan.time err=$CACHE/plan.err l
    wait_quiet
    l=$(loadavg)
    log "plan, run $run/$RUNS (load $l): ${CMD[*]}"
    if ! /usr/bin/time -v -o "$tf" "${CMD[@]}" >"$CACHE/plan.out" 2>"$err"; then
        tail -n 20 "$err" >&2
        die "brownfield plan failed (stderr in $err)"
    fi
    local wall user sys kib
    read_time "$tf"
    wall=$T_WALL user=$T_USER sys=$T_SYS kib=$T_KIB
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$wall" "$user" "$sys" "$kib" "$l" >>"$RUNLOG"
    log "  wall ${wall} s, user ${user} s, sys ${sys} s, peak RSS $((kib * 1024 / 1000000)) MB"
    if [[ -z $WALL ]] || awk -v a="$wall" -v b="$WALL" 'BEGIN {exit !(a < b)}'; then
        WALL=$wall
        CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
        LOAD=$l
    fi
    if ((kib > RSS)); then RSS=$kib; fi
}

START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
cat "$CAPTURE" >/dev/null # page cache warm for every run
find "$SITE" -name '*.py' -print0 | xargs -0 cat >/dev/null
for ((run = 1; run <= RUNS; run++)); do
    run_once "$run"
done

# One more (untimed) run with the phase timings the binary prints when BROWNFIELD_TIMINGS is set.
log "timings run: BROWNFIELD_TIMINGS=1 ${CMD[*]}"
BROWNFIELD_TIMINGS=1 "${CMD[@]}" >/dev/null 2>"$CACHE/timings.err" ||
    die "the timings run failed (stderr in $CACHE/timings.err)"
grep 'timing:' "$CACHE/timings.err" >"$TIMINGS" || true

# ---------------------------------------------------------------- summary
RSS_MB=$(awk -v r="$RSS" 'BEGIN {printf "%.0f", r * 1024 / 1e6}')
VERDICT=$(awk -v w="$WALL" -v t="$TARGET_S" 'BEGIN {print (w < t ? "met" : "NOT met")}')
# The plan's own account of how much of the profile it matched to the source.
COVERAGE=$(awk '/^#+ .*Mapping coverage/ {on = 1; print; next} on && /^#+ / {exit} on' "$PLAN_OUT/plan.md" 2>/dev/null || true)

{
    echo "## \`brownfield plan\` benchmark results"
    echo
    echo "- date: $START_DATE; machine: $(machine)"
    echo "- $("$BF" --version) ($BF, built $BF_BUILT); repository at $GIT_REV"
    echo "- best wall time of $RUNS runs (page cache warm); CPU = user + sys of that run;"
    echo "  peak RSS = the largest of the runs; MB = 10^6 bytes"
    echo "- profile: $CAPTURE ($CAPTURE_MB MB), \`$(py-spy --version)\` \`record --format raw --rate $RATE\`" \
        "of benches/plan_workload.py ($(grep -h '^networkx ' "$CACHE/workload.out" 2>/dev/null | tail -n 1 || true))"
    echo "- codebase: $SITE (networkx 3.6.1 wheel)"
    echo
    echo "| samples | distinct stacks | files | lines | wall s | CPU s | peak RSS MB | load | target < ${TARGET_S} s |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    echo "| $SAMPLES | $STACKS | $CODE_FILES | $CODE_LINES | **$WALL** | $CPU | **$RSS_MB** | $LOAD | **$VERDICT** |"
    echo
    echo "Command: \`brownfield plan networkx.pyspy.txt --source site --out out --force\`."
    echo "Warnings it printed: $(grep -c 'warning' "$CACHE/plan.err" || true) (stderr in $CACHE/plan.err)."
    echo
    if [[ -s $TIMINGS ]]; then
        echo "Phase timings (BROWNFIELD_TIMINGS=1, one more run):"
        echo
        sed 's/^brownfield: timing: /    /' "$TIMINGS"
    else
        echo "Phase timings: this build printed none with BROWNFIELD_TIMINGS=1."
    fi
    echo
    if [[ -n $COVERAGE ]]; then
        echo "From the plan ($PLAN_OUT/plan.md):"
        echo
        printf '%s\n' "$COVERAGE" | sed 's/^#\+ /#### /'
    else
        echo "The plan ($PLAN_OUT/plan.md) has no \"Mapping coverage\" section."
    fi
    echo
    echo "Every run (wall s, user s, sys s, peak RSS KiB, 1-min load when it started): $RUNLOG"
} >"$RESULTS"

echo
cat "$RESULTS"
log "results written to $RESULTS"
