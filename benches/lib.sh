# Shared by benches/ingest.sh and benches/graph.sh (sourced, not run). Each script defines
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
