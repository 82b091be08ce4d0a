# Shared by benches/ingest.sh, benches/graph.sh and benches/plan.sh (sourced, not run). Each script defines
# `log MESSAGE` and sets QUIET_LOAD and QUIET_WAIT before calling these.

# The 1-minute load average.
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# Waits (at most QUIET_WAIT seconds, in 5 s steps) until the load average is below QUIET_LOAD.
wait_quiet() {
    local waited=0
    while awk -v l="$(loadavg)" -v q="$QUIET_LOAD" 'BEGIN {exit !(l >= q)}' && ((waited < QUIET_WAIT)); do
        if ((waited == 0)); then log "  waiting for the load average ($(loadavg)) to drop below $QUIET_LOAD (at most ${QUIET_WAIT} s)"; fi
        sleep 5
        waited=$((waited + 5))
    done
}

# "h:mm:ss" or "m:ss.ss" (as /usr/bin/time -v prints the wall clock) -> seconds
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"; }

# Reads a `/usr/bin/time -v -o FILE` report into T_WALL (s), T_USER (s), T_SYS (s), T_KIB
# (peak RSS, KiB).
read_time() {
    T_WALL=$(to_seconds "$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$1")")
    T_USER=$(sed -n 's/.*User time (seconds): //p' "$1")
    T_SYS=$(sed -n 's/.*System time (seconds): //p' "$1")
    T_KIB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$1")
}

# a / b with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# "N CPUs (model), X GiB RAM, kernel": the machine, for results files.
machine() {
    local cpu mem
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    mem=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
    echo "$(nproc) CPUs ($cpu), ${mem} GiB RAM, $(uname -sr)"
}
