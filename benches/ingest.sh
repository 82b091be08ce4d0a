#!/usr/bin/env bash
# Ingestion benchmark: how fast, and in how much memory, `brownfield top` reads a >= 1 GB
# folded-stack file (py-spy raw) and a >= 100 MB pprof profile, next to inferno-flamegraph
# reading the same folded file. See benches/README.md.
#
# Usage: benches/ingest.sh            (from anywhere; nothing is written inside the repo)
#
# Environment (all optional):
#   BENCH_DIR        where data, the build and results go          (default /tmp/bench)
#   TARGET_DIR       cargo --target-dir for brownfield      (default $BENCH_DIR/target)
#   COLLAPSED_SIZE   bytes of the generated folded-stack file       (default 1100000000)
#   PPROF_SIZE       bytes of the generated profile.proto           (default 120000000)
#   RUNS             runs per measurement; the best wall time wins  (default 2)
#   SEED             seed of the collapsed generator (pprof: SEED+1) (default 42)
#   TEMPLATE         the real capture the folded file is grown from
#                    (default sample-profiles/logpipe.pyspy.txt)
#   QUIET_LOAD       before each run, wait (at most QUIET_WAIT s) until the 1-minute load
#   QUIET_WAIT       average is below QUIET_LOAD                    (defaults 1.0, 120)
#   FORCE_GEN=1      regenerate the data even if it is up to date
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/bench}
COLLAPSED_SIZE=${COLLAPSED_SIZE:-1100000000}
PPROF_SIZE=${PPROF_SIZE:-120000000}
RUNS=${RUNS:-2}
SEED=${SEED:-42}
TEMPLATE=${TEMPLATE:-$REPO/sample-profiles/logpipe.pyspy.txt}
QUIET_LOAD=${QUIET_LOAD:-1.0}
QUIET_WAIT=${QUIET_WAIT:-120}
FORCE_GEN=${FORCE_GEN:-0}
PYTHON=${PYTHON:-python3}

log() { printf '[ingest.sh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
case "$BENCH_DIR/" in
"$REPO"/*) die "BENCH_DIR ($BENCH_DIR) is inside the repository; generated data must stay out of it" ;;
esac

TARGET_DIR=${TARGET_DIR:-$BENCH_DIR/target}
BIG_TXT=$BENCH_DIR/big.txt
BIG_PB=$BENCH_DIR/big.pb
BIG_GZ=$BENCH_DIR/big.pb.gz
RESULTS=$BENCH_DIR/results.md
RUNLOG=$BENCH_DIR/runs.tsv

# ---------------------------------------------------------------- prerequisites
need=$(((COLLAPSED_SIZE + 2 * PPROF_SIZE) / 1048576 + 2048)) # data + build, MiB
have=$(($(df -Pk "$BENCH_DIR" | awk 'NR==2 {print $4}') / 1024))
existing=0
for f in "$BIG_TXT" "$BIG_PB" "$BIG_GZ"; do
    if [[ -f $f ]]; then existing=$((existing + $(stat -c %s "$f") / 1048576)); fi
done
((have + existing >= need)) || die "$BENCH_DIR has ${have} MiB free; about ${need} MiB are needed"
log "disk: ${have} MiB free in $BENCH_DIR (need about ${need} MiB)"

if [[ ! -x /usr/bin/time ]]; then
    log "installing Debian's 'time' package for /usr/bin/time"
    sudo=""
    ((EUID == 0)) || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq time
fi
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (needed by the generators)"

# ---------------------------------------------------------------- build
# The revision being built (read before building: the tree may move on during the run).
GIT_REV=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(cd "$REPO" && git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null) ]]; then
    GIT_REV="$GIT_REV (+ uncommitted changes in src/)"
fi
log "building brownfield $GIT_REV (release) into $TARGET_DIR"
(cd "$REPO" && cargo build --release --locked --target-dir "$TARGET_DIR" 2>&1 | tail -n 2) >&2
BF=$TARGET_DIR/release/brownfield
[[ -x $BF ]] || die "build produced no $BF"

if ! command -v inferno-flamegraph >/dev/null; then
    log "installing inferno (cargo install inferno --locked)"
    cargo install inferno --locked >&2
fi
command -v inferno-flamegraph >/dev/null || die "inferno-flamegraph not on PATH after install"
INFERNO_VERSION=$(cargo install --list 2>/dev/null | sed -n 's/^inferno v\([^:]*\):$/\1/p')
INFERNO_VERSION=${INFERNO_VERSION:-unknown (not installed by cargo)}

# ---------------------------------------------------------------- data
# A stamp per data file holds the generator inputs; the file is regenerated when they change.
stamp_of() { # generator-script size seed [template]
    {
        echo "size=$2 seed=$3"
        sha256sum "$1" ${4:+"$4"} | cut -d' ' -f1
    } | tr '\n' ' '
}

gen_collapsed() {
    local stamp
    stamp=$(stamp_of "$HERE/gen_collapsed.py" "$COLLAPSED_SIZE" "$SEED" "$TEMPLATE")
    if [[ $FORCE_GEN != 1 && -f $BIG_TXT && -f $BIG_TXT.stamp && $(cat "$BIG_TXT.stamp") == "$stamp" ]]; then
        log "reusing $BIG_TXT"
        return
    fi
    log "generating $BIG_TXT ($COLLAPSED_SIZE bytes) from $TEMPLATE"
    rm -f "$BIG_TXT.stamp"
    local t0=$SECONDS
    "$PYTHON" "$HERE/gen_collapsed.py" --template "$TEMPLATE" --out "$BIG_TXT" \
        --size "$COLLAPSED_SIZE" --seed "$SEED" >"$BIG_TXT.json"
    log "  done in $((SECONDS - t0)) s: $(cat "$BIG_TXT.json")"
    echo "$stamp" >"$BIG_TXT.stamp"
}

gen_pprof() {
    local stamp
    stamp=$(stamp_of "$HERE/gen_pprof.py" "$PPROF_SIZE" "$((SEED + 1))")
    if [[ $FORCE_GEN != 1 && -f $BIG_PB && -f $BIG_GZ && -f $BIG_PB.stamp && $(cat "$BIG_PB.stamp") == "$stamp" ]]; then
        log "reusing $BIG_PB and $BIG_GZ"
        return
    fi
    log "generating $BIG_PB ($PPROF_SIZE bytes)"
    rm -f "$BIG_PB.stamp"
    local t0=$SECONDS
    "$PYTHON" "$HERE/gen_pprof.py" --out "$BIG_PB" --size "$PPROF_SIZE" --seed "$((SEED + 1))" >"$BIG_PB.json"
    log "  done in $((SECONDS - t0)) s: $(cat "$BIG_PB.json")"
    gzip -6 -n -c "$BIG_PB" >"$BIG_GZ.tmp" && mv "$BIG_GZ.tmp" "$BIG_GZ"
    echo "$stamp" >"$BIG_PB.stamp"
}

gen_collapsed
gen_pprof

json_field() { "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# ---------------------------------------------------------------- measuring
# loadavg, wait_quiet, to_seconds
# shellcheck source=benches/lib.sh
source "$HERE/lib.sh"

printf 'name\trun\twall_s\tuser_s\tsys_s\tmax_rss_kib\tload1\n' >"$RUNLOG"
declare -A WALL CPU RSS LOAD OUT

# measure NAME INPUT CMD... : runs CMD RUNS times under /usr/bin/time -v (stdout kept in
# $BENCH_DIR/NAME.out); records the best wall time, its CPU time, and the largest peak RSS.
measure() {
    local name=$1 input=$2
    shift 2
    local tf=$BENCH_DIR/$name.time out=$BENCH_DIR/$name.out best="" cpu="" rss=0 load=""
    cat "$input" >/dev/null # page cache: every run reads from memory, as the first would not
    for ((run = 1; run <= RUNS; run++)); do
        wait_quiet
        local l
        l=$(loadavg)
        log "$name, run $run/$RUNS (load $l): $*"
        if ! /usr/bin/time -v -o "$tf" "$@" >"$out" 2>"$BENCH_DIR/$name.err"; then
            cat "$BENCH_DIR/$name.err" "$tf" >&2
            die "$name failed"
        fi
        local wall user sys kib
        read_time "$tf"
        wall=$T_WALL user=$T_USER sys=$T_SYS kib=$T_KIB
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$wall" "$user" "$sys" "$kib" "$l" >>"$RUNLOG"
        log "  wall ${wall} s, user ${user} s, sys ${sys} s, peak RSS $((kib / 1024)) MiB"
        if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN {exit !(a < b)}'; then
            best=$wall
            cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
            load=$l
        fi
        if ((kib > rss)); then rss=$kib; fi
    done
    WALL[$name]=$best CPU[$name]=$cpu RSS[$name]=$rss LOAD[$name]=$load OUT[$name]=$out
}

START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
MAX_DEC=$((PPROF_SIZE * 4 + 1073741824))

measure brownfield-collapsed "$BIG_TXT" "$BF" top "$BIG_TXT" --format json --top 5
measure inferno-collapsed "$BIG_TXT" inferno-flamegraph "$BIG_TXT"
measure brownfield-pprof "$BIG_PB" "$BF" top "$BIG_PB" --format json --top 5
measure brownfield-pprof-gz "$BIG_GZ" "$BF" top "$BIG_GZ" --format json --top 5 --max-decompressed-size "$MAX_DEC"

# ---------------------------------------------------------------- checks
check_total() { # name expected
    local got
    got=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "${OUT[$1]}")
    [[ $got == "$2" ]] || die "$1: brownfield read a total of $got, the generator wrote $2"
    log "$1: total $got matches the generator"
}
check_total brownfield-collapsed "$(json_field "$BIG_TXT.json" total)"
check_total brownfield-pprof "$(json_field "$BIG_PB.json" total_nanoseconds)"
check_total brownfield-pprof-gz "$(json_field "$BIG_PB.json" total_nanoseconds)"
grep -q '</svg>' "${OUT[inferno-collapsed]}" || die "inferno-flamegraph wrote no complete SVG"
SVG_BYTES=$(stat -c %s "${OUT[inferno-collapsed]}")
rm -f "${OUT[inferno-collapsed]}" # the SVG is not needed any more

# ---------------------------------------------------------------- summary
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
size_of() { stat -c %s "$1"; }

row() { # name label input
    local name=$1 label=$2 input=$3 bytes
    bytes=$(size_of "$input")
    awk -v label="$label" -v file="$(basename "$input")" -v bytes="$bytes" -v wall="${WALL[$name]}" \
        -v cpu="${CPU[$name]}" -v rss="${RSS[$name]}" -v load="${LOAD[$name]}" 'BEGIN {
        mib = bytes / 1048576; rssm = rss / 1024
        printf "| %s | %s | %.1f | %.2f | %.2f | %.0f | %.2f | %.1f | %s |\n",
            label, file, mib, wall, cpu, rssm, rssm / mib, (wall > 0 ? mib / wall : 0), load
    }'
}



{
    echo "## Ingestion benchmark results"
    echo
    echo "- date: $START_DATE; machine: $(machine)"
    echo "- brownfield $("$BF" --version | awk '{print $2}') at $GIT_REV, $(rustc --version)"
    echo "- inferno $INFERNO_VERSION (inferno-flamegraph), $("$PYTHON" --version 2>&1) for the generators"
    echo "- best wall time of $RUNS runs (page cache warm); CPU = user + sys of that run; peak RSS = the largest of the runs; MiB = 2^20 bytes"
    echo
    echo "| command | input | size MiB | wall s | CPU s | peak RSS MiB | RSS / size | MiB/s | load |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    row brownfield-collapsed "\`brownfield top --format json --top 5\`" "$BIG_TXT"
    row inferno-collapsed "\`inferno-flamegraph > /dev/null\`" "$BIG_TXT"
    row brownfield-pprof "\`brownfield top --format json --top 5\`" "$BIG_PB"
    row brownfield-pprof-gz "\`brownfield top --format json --top 5 --max-decompressed-size $MAX_DEC\`" "$BIG_GZ"
    echo
    echo "brownfield / inferno on $(basename "$BIG_TXT"): wall $(ratio "${WALL[brownfield-collapsed]}" "${WALL[inferno-collapsed]}")x," \
        "CPU $(ratio "${CPU[brownfield-collapsed]}" "${CPU[inferno-collapsed]}")x," \
        "peak RSS $(ratio "${RSS[brownfield-collapsed]}" "${RSS[inferno-collapsed]}")x."
    echo
    echo "Inputs:"
    echo
    echo "- $(basename "$BIG_TXT"): $(size_of "$BIG_TXT") bytes; $(cat "$BIG_TXT.json")"
    echo "- $(basename "$BIG_PB"): $(size_of "$BIG_PB") bytes; $(basename "$BIG_GZ"): $(size_of "$BIG_GZ") bytes (gzip -6); $(cat "$BIG_PB.json")"
    echo "- inferno's SVG: $SVG_BYTES bytes; the totals brownfield printed equal the generators' totals."
    echo
    echo "Every run (wall s, user s, sys s, peak RSS KiB, 1-min load when it started): $RUNLOG"
} >"$RESULTS"

echo
cat "$RESULTS"
log "results written to $RESULTS"
