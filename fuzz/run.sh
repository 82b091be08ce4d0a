#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, one after the other (one libFuzzer job at a time),
# then prints a summary: target, seconds run, executions, crashes found.
#
#   fuzz/run.sh SECONDS [TARGET...]      default targets: collapsed speedscope pprof sniff
#
# Exit status: 0 when no target found anything, 1 when any target left a crash, oom, timeout
# or leak artifact (under fuzz/artifacts/TARGET/) or libFuzzer failed, 2 on a usage error.
#
# Only the stable toolchain is installed here; cargo-fuzz needs nightly flags (-Zsanitizer,
# -Cpasses=sancov-module, ...), which RUSTC_BOOTSTRAP=1 unlocks on stable. AddressSanitizer links
# on stable x86_64-linux (the runtime ships with rust-std), so the default sanitizer is used; set
# FUZZ_SANITIZER=none for a faster uninstrumented-memory build. Targets are built with
# optimizations plus debug assertions and overflow checks (cargo-fuzz's default: do not pass -O,
# which turns them off). No -Zbuild-std: rust-src is not installed.
#
# Environment:
#   FUZZ_SANITIZER   address (default) or none
#   FUZZ_ARGS        extra libFuzzer flags, e.g. "-max_len=65536"
#   CARGO_BUILD_JOBS compile jobs (default 1: the machine is shared)
#
# Build output goes to fuzz/target (never the main crate's target/); grown corpora, artifacts
# and logs are git-ignored.
set -u -o pipefail

usage() {
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
case "$1" in
    '' | *[!0-9]*) usage ;;
esac
seconds=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(collapsed speedscope pprof sniff)

here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 2

export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
sanitizer=${FUZZ_SANITIZER:-address}
# shellcheck disable=SC2206
extra=(${FUZZ_ARGS:-})
mkdir -p logs

summary=()
failed=0
for t in "${targets[@]}"; do
    if [ ! -f "fuzz_targets/$t.rs" ]; then
        echo "run.sh: no fuzz target $t (fuzz_targets/$t.rs)" >&2
        exit 2
    fi
    mkdir -p "corpus/$t" "artifacts/$t"
    log="logs/$t.log"
    echo "== $t: building (sanitizer $sanitizer)" >&2
    if ! cargo fuzz build --sanitizer "$sanitizer" "$t" >"logs/$t.build.log" 2>&1; then
        echo "run.sh: building $t failed; see fuzz/logs/$t.build.log" >&2
        tail -20 "logs/$t.build.log" >&2
        summary+=("$(printf '%-11s %8s %12s %8s  %s' "$t" "-" "-" "-" "BUILD FAILED")")
        failed=1
        continue
    fi
    before=$(find "artifacts/$t" -type f | sort)
    echo "== $t: fuzzing for ${seconds}s (log: fuzz/$log)" >&2
    start=$(date +%s)
    # -timeout: an input taking longer than 10 s is a hang; -rss_limit_mb: 2 GiB is an OOM.
    cargo fuzz run --sanitizer "$sanitizer" "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "${extra[@]}" >"$log" 2>&1
    rc=$?
    elapsed=$(($(date +%s) - start))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    # Fuzzing time as libFuzzer reports it ("Done N runs in S second(s)"); without it (a crash
    # stops the run early) the wall time, which includes any rebuild by `cargo fuzz run`.
    fuzzed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    [ -n "$fuzzed" ] || fuzzed=$elapsed
    new=$(comm -13 <(echo "$before") <(find "artifacts/$t" -type f | sort) | sed '/^$/d')
    crashes=$(printf '%s' "$new" | grep -c . || true)
    status=ok
    if [ "$crashes" -gt 0 ]; then
        status="CRASH: $(echo "$new" | tr '\n' ' ')"
        failed=1
    elif [ "$rc" -ne 0 ]; then
        status="libFuzzer exit $rc (see fuzz/$log)"
        failed=1
    fi
    summary+=("$(printf '%-11s %7ss %12s %8s  %s' "$t" "$fuzzed" "${runs:-?}" "$crashes" "$status")")
    if [ "$crashes" -gt 0 ]; then
        grep -E -m1 -A3 "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|deadly signal" "$log" >&2 || true
    fi
done

echo
printf '%-11s %8s %12s %8s  %s\n' target time runs crashes status
for line in "${summary[@]}"; do
    echo "$line"
done
exit $failed
