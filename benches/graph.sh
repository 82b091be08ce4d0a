#!/usr/bin/env bash
# Call-graph benchmark: `brownfield graph` on about 1.1 M lines of real Python (the wheels of
# django, sympy and networkx, pinned), against the floor: tree-sitter alone reading and parsing
# the same files on all cores (examples/parse_floor.rs). See benches/README.md.
#
# Targets (from the issue): graph wall time <= 1.5 x the floor's, peak RSS < 1 GB.
#
# Usage: benches/graph.sh      (from anywhere)
#
# The corpus is downloaded once into benches/.cache/graph-corpus/ (gitignored): wheels/ holds
# the wheels, src/<package>/ their unpacked contents; src/ is the directory both programs read.
# Results go to benches/.cache/graph-results/ (results.md, runs.tsv, the programs' output).
#
# Environment (all optional):
#   RUNS         runs of each command; the best wall time wins        (default 3)
#   QUIET_LOAD   before each run, wait (at most QUIET_WAIT s) until the 1-minute load
#   QUIET_WAIT   average is below QUIET_LOAD                         (defaults 1.0, 60)
#   FORCE_DOWNLOAD=1   download and unpack the corpus again
#   CHECK        1: after the timed runs, one more graph run writes its JSON, to check that it
#                indexed as many modules as the floor parsed files       (default 1)
#   REFERENCE_JSON   a graph JSON from an earlier build, made before a speed change with
#                `brownfield graph --source "$PWD/benches/.cache/graph-corpus/src" --format
#                json -o ref.json` from the repository (the same absolute path: the document
#                records it); the check run's JSON is compared with it byte for byte
#                                                                    (default: none)
#   PYTHON       python used for pip and the corpus count            (default python3)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
RUNS=${RUNS:-3}
QUIET_LOAD=${QUIET_LOAD:-1.0}
QUIET_WAIT=${QUIET_WAIT:-60}
FORCE_DOWNLOAD=${FORCE_DOWNLOAD:-0}
PYTHON=${PYTHON:-python3}
CHECK=${CHECK:-1}
REFERENCE_JSON=${REFERENCE_JSON:-}

CORPUS_DIR=$HERE/.cache/graph-corpus
WHEELS=$CORPUS_DIR/wheels
CORPUS=$CORPUS_DIR/src
OUT_DIR=$HERE/.cache/graph-results
RESULTS=$OUT_DIR/results.md
RUNLOG=$OUT_DIR/runs.tsv

# Pinned wheels (pure Python, py3-none-any), checked by hash. Together about 1.1 M lines of .py.
REQUIREMENTS='django==5.2.19 --hash=sha256:5965d974a5218a2b68a11dd1276434707f23886525c23f0598eccedaf4f4ca00
sympy==1.14.0 --hash=sha256:e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5
networkx==3.6.1 --hash=sha256:d47fbf302e7d9cbbb9e2555a0d267983d2aa476bac30e90dfbe5669bd57f3762'

log() { printf '[graph.sh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (needed for pip and the corpus count)"
mkdir -p "$OUT_DIR"

# ---------------------------------------------------------------- build
GIT_REV=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(cd "$REPO" && git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null) ]]; then
    GIT_REV="$GIT_REV (+ uncommitted changes in src/)"
fi
log "building brownfield and examples/parse_floor at $GIT_REV (release)"
(cd "$REPO" && cargo build --release --bin brownfield --example parse_floor 2>&1 | tail -n 2) >&2
TARGET=$(cd "$REPO" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
    "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BF=$TARGET/release/brownfield
FLOOR=$TARGET/release/examples/parse_floor
[[ -x $BF && -x $FLOOR ]] || die "the build produced no $BF or $FLOOR"

if "$BF" graph --help >/dev/null 2>&1; then
    HAVE_GRAPH=1
else
    HAVE_GRAPH=0
    log "'brownfield graph' is not available in this build ('$BF graph --help' fails): measuring the floor only"
fi

# ---------------------------------------------------------------- corpus
STAMP=$CORPUS_DIR/stamp
if [[ $FORCE_DOWNLOAD != 1 && -d $CORPUS && -f $STAMP && $(cat "$STAMP") == "$REQUIREMENTS" ]]; then
    log "reusing the corpus in $CORPUS"
else
    log "downloading the corpus into $CORPUS_DIR"
    rm -rf "$WHEELS" "$CORPUS" "$STAMP"
    mkdir -p "$WHEELS" "$CORPUS"
    printf '%s\n' "$REQUIREMENTS" >"$CORPUS_DIR/requirements.txt"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary :all: --require-hashes \
        -r "$CORPUS_DIR/requirements.txt" -d "$WHEELS" >&2
    for whl in "$WHEELS"/*.whl; do
        pkg=$(basename "$whl" | cut -d- -f1 | tr 'A-Z' 'a-z')
        mkdir -p "$CORPUS/$pkg"
        "$PYTHON" -m zipfile -e "$whl" "$CORPUS/$pkg"
    done
    printf '%s' "$REQUIREMENTS" >"$STAMP"
fi

# Per package: version, .py files, lines (Python's splitlines, as `wc -l` but counting a last
# line without a newline), bytes.
"$PYTHON" - "$CORPUS" "$WHEELS" >"$OUT_DIR/corpus.tsv" <<'PY'
import os, sys
corpus, wheels = sys.argv[1], sys.argv[2]
versions = {w.split("-")[0].lower(): w.split("-")[1] for w in os.listdir(wheels) if w.endswith(".whl")}
print("package\tversion\tfiles\tlines\tbytes")
for pkg in sorted(os.listdir(corpus)):
    files = lines = size = 0
    for d, dirs, names in os.walk(os.path.join(corpus, pkg)):
        dirs[:] = [x for x in dirs if not x.startswith(".") and x != "__pycache__"]
        for n in names:
            if n.endswith(".py"):
                data = open(os.path.join(d, n), "rb").read()
                files += 1; size += len(data); lines += len(data.splitlines())
    print(f"{pkg}\t{versions.get(pkg, '?')}\t{files}\t{lines}\t{size}")
PY
CORPUS_FILES=$(awk -F'\t' 'NR > 1 {s += $3} END {print s}' "$OUT_DIR/corpus.tsv")
CORPUS_LINES=$(awk -F'\t' 'NR > 1 {s += $4} END {print s}' "$OUT_DIR/corpus.tsv")
log "corpus: $CORPUS_FILES .py files, $CORPUS_LINES lines"
((CORPUS_LINES >= 1000000)) || log "warning: the corpus has fewer than 1 000 000 lines"

# ---------------------------------------------------------------- measuring
# loadavg, wait_quiet, to_seconds
# shellcheck source=benches/lib.sh
source "$HERE/lib.sh"

printf 'name\trun\twall_s\tuser_s\tsys_s\tmax_rss_kib\tload1\n' >"$RUNLOG"
declare -A WALL CPU RSS LOAD FAILED

# run_once NAME RUN STDOUT CMD...: one run under /usr/bin/time -v; keeps the best wall time,
# the CPU time (user + sys) of that run and the largest peak RSS of all runs.
run_once() {
    local name=$1 run=$2 out=$3
    shift 3
    local tf=$OUT_DIR/$name.time err=$OUT_DIR/$name.err l
    wait_quiet
    l=$(loadavg)
    log "$name, run $run/$RUNS (load $l): $*"
    if ! /usr/bin/time -v -o "$tf" "$@" >"$out" 2>"$err"; then
        tail -n 20 "$err" >&2
        log "  $name failed (exit status above; stderr in $err)"
        FAILED[$name]=1
        return
    fi
    local wall user sys kib
    read_time "$tf"
    wall=$T_WALL user=$T_USER sys=$T_SYS kib=$T_KIB
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$wall" "$user" "$sys" "$kib" "$l" >>"$RUNLOG"
    log "  wall ${wall} s, user ${user} s, sys ${sys} s, peak RSS $((kib * 1024 / 1000000)) MB"
    if [[ -z ${WALL[$name]:-} ]] || awk -v a="$wall" -v b="${WALL[$name]}" 'BEGIN {exit !(a < b)}'; then
        WALL[$name]=$wall
        CPU[$name]=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
        LOAD[$name]=$l
    fi
    if ((kib > ${RSS[$name]:-0})); then RSS[$name]=$kib; fi
}

START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
find "$CORPUS" -name '*.py' -print0 | xargs -0 cat >/dev/null # page cache warm for every run
# The two commands alternate, so a change in the machine's load hits both alike.
for ((run = 1; run <= RUNS; run++)); do
    run_once floor "$run" "$OUT_DIR/floor.out" "$FLOOR" "$CORPUS"
    if ((HAVE_GRAPH)) && [[ -z ${FAILED[graph]:-} ]]; then
        run_once graph "$run" /dev/null "$BF" graph --source "$CORPUS" --format json
    fi
done
[[ -z ${FAILED[floor]:-} ]] || die "parse_floor failed"
"$FLOOR" "$CORPUS" --list 2>"$OUT_DIR/floor.list" >/dev/null

# The graph's JSON goes to /dev/null in the timed runs; one more (untimed) run checks that it
# covered the same files: one `module` node per file.
GRAPH_CHECK=""
if ((HAVE_GRAPH && CHECK)) && [[ -z ${FAILED[graph]:-} ]]; then
    log "check run: brownfield graph --format json -o $OUT_DIR/graph.json"
    "$BF" graph --source "$CORPUS" --format json -o "$OUT_DIR/graph.json" 2>"$OUT_DIR/graph-check.err" ||
        die "the check run of brownfield graph failed (stderr: $OUT_DIR/graph-check.err)"
    GRAPH_CHECK=$("$PYTHON" - "$OUT_DIR/graph.json" <<'PY'
import collections, json, sys
g = json.load(open(sys.argv[1]))
kinds = collections.Counter(n.get("kind") for n in g["nodes"])
print(f"{kinds['module']} modules, {len(g['nodes'])} nodes "
      f"({', '.join(f'{v} {k}' for k, v in kinds.most_common())}), {len(g['edges'])} edges")
PY
)
    # The document's digest, so runs of different commits can be compared from results.md.
    GRAPH_CHECK="$GRAPH_CHECK; JSON sha256 $(sha256sum "$OUT_DIR/graph.json" | cut -c1-16)"
    if [[ -n $REFERENCE_JSON ]]; then
        if cmp -s "$OUT_DIR/graph.json" "$REFERENCE_JSON"; then
            GRAPH_CHECK="$GRAPH_CHECK, byte-identical to $REFERENCE_JSON"
        else
            GRAPH_CHECK="$GRAPH_CHECK. **DIFFERS from $REFERENCE_JSON**"
            log "  warning: the graph JSON differs from $REFERENCE_JSON"
        fi
    fi
    rm -f "$OUT_DIR/graph.json"
    log "  $GRAPH_CHECK"
    modules=${GRAPH_CHECK%% modules*}
    floor_files=$(awk '$1 == "files" {print $2}' "$OUT_DIR/floor.out")
    if [[ $modules != "$floor_files" ]]; then
        GRAPH_CHECK="$GRAPH_CHECK. **MISMATCH: $modules modules, but the floor parsed $floor_files files**"
        log "  warning: $modules modules in the graph, $floor_files files parsed by the floor"
    fi
fi

# ---------------------------------------------------------------- summary
floor_field() { awk -v k="$1" '$1 == k {print $2}' "$OUT_DIR/floor.out"; }
F_FILES=$(floor_field files)
F_LINES=$(floor_field lines)

row() { # name label
    local name=$1 label=$2
    awk -v label="$label" -v files="$F_FILES" -v lines="$F_LINES" -v wall="${WALL[$name]}" \
        -v cpu="${CPU[$name]}" -v rss="${RSS[$name]}" -v load="${LOAD[$name]}" 'BEGIN {
        printf "| %s | %d | %d | %.2f | %.2f | %.2f | %.0f | %.0f | %s |\n",
            label, files, lines, wall, cpu, cpu / wall, rss * 1024 / 1e6, lines / wall / 1000, load
    }'
}


{
    echo "## Call-graph benchmark results"
    echo
    echo "- date: $START_DATE; machine: $(machine)"
    echo "- brownfield $("$BF" --version | awk '{print $2}') at $GIT_REV, $(rustc --version)"
    echo "- best wall time of $RUNS runs (page cache warm, the two commands alternating); CPU = user + sys of that run;"
    echo "  peak RSS = the largest of the runs; MB = 10^6 bytes"
    echo
    echo "Corpus ($CORPUS):"
    echo
    echo "| package | version | .py files | lines | bytes |"
    echo "|---|---|---:|---:|---:|"
    awk -F'\t' 'NR > 1 {printf "| %s | %s | %d | %d | %d |\n", $1, $2, $3, $4, $5}' "$OUT_DIR/corpus.tsv"
    echo "| **total** | | **$CORPUS_FILES** | **$CORPUS_LINES** | |"
    echo
    echo "The floor read $F_FILES files, $F_LINES lines, $(floor_field bytes) bytes, $(floor_field nodes) syntax nodes;" \
        "files with syntax errors: $(floor_field syntax_error_files), not UTF-8: $(floor_field not_utf8_files)," \
        "unreadable: $(floor_field unreadable_files) (paths in $OUT_DIR/floor.list)."
    echo
    echo "| command | files | lines | wall s | CPU s | CPU / wall | peak RSS MB | k lines / s | load |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    row floor "\`parse_floor CORPUS\` (tree-sitter alone)"
    if ((HAVE_GRAPH)) && [[ -z ${FAILED[graph]:-} ]]; then
        row graph "\`brownfield graph --source CORPUS --format json > /dev/null\`"
        echo
        wall_ratio=$(ratio "${WALL[graph]}" "${WALL[floor]}")
        rss_mb=$(awk -v r="${RSS[graph]}" 'BEGIN {printf "%.0f", r * 1024 / 1e6}')
        echo "graph / floor: wall **${wall_ratio}x** (target <= 1.5: $(awk -v r="$wall_ratio" 'BEGIN {print (r <= 1.5 ? "met" : "NOT met")}'))," \
            "CPU $(ratio "${CPU[graph]}" "${CPU[floor]}")x." \
            "graph peak RSS **${rss_mb} MB** = $(ratio "$rss_mb" 1000) x 1 GB (target < 1 GB: $(awk -v r="$rss_mb" 'BEGIN {print (r < 1000 ? "met" : "NOT met")}'))."
        # Each run of graph against the floor run just before it: the VM's speed drifts within
        # minutes, so these pairs show the spread that the best-of ratio hides.
        paired=$(awk -F'\t' '$1 == "floor" {f[$2] = $3} $1 == "graph" {g[$2] = $3}
            END {for (r in g) if (r in f) print g[r] / f[r]}' "$RUNLOG" | sort -n)
        if [[ -n $paired ]]; then
            echo "Paired runs (graph / the floor run before it): $(awk '{printf "%s%.2f", (NR > 1 ? ", " : ""), $1}' <<<"$paired");" \
                "median **$(awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m}' <<<"$paired")x**."
        fi
        echo
        if [[ -n $GRAPH_CHECK ]]; then
            echo "The graph: $GRAPH_CHECK (the floor parsed $F_FILES files)."
        fi
        echo "Warnings brownfield graph printed: $(grep -c 'warning' "$OUT_DIR/graph.err" || true) (in $OUT_DIR/graph.err)."
    elif ((HAVE_GRAPH)); then
        echo
        echo "\`brownfield graph\` FAILED (stderr: $OUT_DIR/graph.err); only the floor is reported."
    else
        echo
        echo "\`brownfield graph\` is not available in this build (\`brownfield graph --help\` fails); only the floor is reported."
    fi
    echo
    echo "Every run (wall s, user s, sys s, peak RSS KiB, 1-min load when it started): $RUNLOG"
} >"$RESULTS"

echo
cat "$RESULTS"
log "results written to $RESULTS"
