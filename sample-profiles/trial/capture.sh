#!/usr/bin/env bash
# Trial set: install three pure-Python PyPI applications (networkx, pycparser,
# sqlglot), each pinned by wheel hash, into sample-profiles/trial/<app>/.cache/site,
# and record two py-spy captures of each app's workload.py.
#
# Usage: sample-profiles/trial/capture.sh [--install-only | --gc-bench] [--scale S] [APP...]
#   APP...          apps to work on (default: networkx pycparser sqlglot)
#   --install-only  only (re)install the apps into <app>/.cache/site; no profiling.
#                   This is all `brownfield plan ... --source <app>/.cache/site` needs.
#   --gc-bench      no profiling: run each workload 3 times with the cyclic GC on and
#                   3 times with TRIAL_GC=off (gc.disable() at start); print the best
#                   CPU time of each (the workload's own time.process_time()).
#   --scale S       workload size (default 1.0, about 10-15 s of CPU each).
# Writes, per app (without --install-only / --gc-bench):
#   <app>/<app>.pyspy.txt         py-spy record --format raw --rate 100 (pycparser: 60)
#   <app>/<app>-native.pyspy.txt  the same with --native (C frames of the interpreter)
#   <app>/workload-output.txt     the workload's summary (deterministic for a given scale)
# and regenerates CAPTURES.md (its section for each app captured; other apps'
# sections are kept). Recording needs ptrace rights (root, or
# kernel.yama.ptrace_scope=0).
# Environment: PYTHON (default: the python3 on PATH, resolved to its real
# executable), PYSPY (default: py-spy on PATH).
set -euo pipefail

PYTHON="${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}"
PYSPY="${PYSPY:-py-spy}"
RATE=100  # default; see rate_of
SCALE=1.0
MODE=record
APPS=()

while [ $# -gt 0 ]; do
    case "$1" in
        --install-only) MODE=install ;;
        --gc-bench) MODE=gcbench ;;
        --scale) SCALE="$2"; shift ;;
        --scale=*) SCALE="${1#--scale=}" ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        networkx|pycparser|sqlglot) APPS+=("$1") ;;
        *) echo "capture.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
[ ${#APPS[@]} -gt 0 ] || APPS=(networkx pycparser sqlglot)

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# py-spy's sampling rate per app: pycparser's recursive-descent stacks are deep
# (one line of the raw file per sample, about 1.2 KB each), so it is sampled at
# 60 Hz to keep each capture under 1.5 MB.
rate_of() {
    case "$1" in
        pycparser) echo 60 ;;
        *) echo "$RATE" ;;
    esac
}

# The version each requirements.txt pins, checked after the install.
version_of() {
    case "$1" in
        networkx) echo 3.6.1 ;;
        pycparser) echo 3.12 ;;
        sqlglot) echo 30.31.0 ;;
    esac
}

# --- install -----------------------------------------------------------------
# requirements.txt pins the wheel to its sha256; --require-hashes makes pip refuse
# anything else, --only-binary=:all: refuses an sdist build, --no-deps installs
# nothing that is not pinned there. The site dir is rebuilt from scratch so a stale
# or hand-edited copy never ends up under --source.
install_app() {
    local app="$1" site="$HERE/$1/.cache/site"
    rm -rf "$site"
    mkdir -p "$HERE/$app/.cache"
    PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check \
        --no-deps --only-binary=:all: --require-hashes --target "$site" \
        -r "$HERE/$app/requirements.txt"
    rm -rf "$site/bin"
    # Nothing compiled may be in the install: the apps are pure Python.
    if find "$site" -name '*.so' -o -name '*.pyd' | grep -q .; then
        echo "capture.sh: $app: compiled files in $site" >&2
        exit 1
    fi
    PYTHONPATH="$site" "$PYTHON" -S -c '
import importlib, sys
app, want = sys.argv[1], sys.argv[2]
mod = importlib.import_module(app)
assert mod.__version__ == want, (app, mod.__version__, want)
print("installed %s %s at %s" % (app, mod.__version__, mod.__file__))
' "$app" "$(version_of "$app")"
}

for app in "${APPS[@]}"; do
    install_app "$app"
done
[ "$MODE" = install ] && exit 0

# --- GC on/off ---------------------------------------------------------------
if [ "$MODE" = gcbench ]; then
    printf '%-10s %12s %12s %8s\n' app "gc on (s)" "gc off (s)" "off/on"
    for app in "${APPS[@]}"; do
        best() {
            local gc="$1" b="" t
            for _ in 1 2 3; do
                t=$(cd "$HERE/$app" && TRIAL_GC="$gc" PYTHONPATH="$HERE/$app/.cache/site" \
                    "$PYTHON" -S workload.py --scale "$SCALE" 2>&1 >/dev/null |
                    sed -n 's/^elapsed .* s, cpu \([0-9.]*\) s, gc .*/\1/p')
                if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b="$t"; fi
            done
            echo "$b"
        }
        on=$(best on)
        off=$(best off)
        printf '%-10s %12s %12s %8s\n' "$app" "$on" "$off" "$(awk -v a="$off" -v b="$on" 'BEGIN { printf "%.3f", a / b }')"
    done
    exit 0
fi

# --- record ------------------------------------------------------------------
# py-spy shortens each file name to the path below the outermost directory
# without an __init__.py, so frames read networkx/algorithms/..., pycparser/...,
# sqlglot/... and match files under --source <app>/.cache/site by path suffix.
# python3 -S: no site-packages and no .pth start-up hooks (only the app, from
# PYTHONPATH, and the standard library are used), so the capture does not depend
# on what else the interpreter has installed (sqlglot's compiled sqlglotc or
# sqlglotrs, say). PYTHONHASHSEED=0 makes set and dict orders of str keys the same
# on every run.
META="$HERE/.cache/meta"
mkdir -p "$META"
for app in "${APPS[@]}"; do
    site="$HERE/$app/.cache/site"
    rate=$(rate_of "$app")
    for kind in python native; do
        if [ "$kind" = native ]; then
            name="$app-native.pyspy.txt"; extra=(--native)
        else
            name="$app.pyspy.txt"; extra=()
        fi
        out="$HERE/$app/$name"
        log="$HERE/$app/.cache/py-spy-$kind.log"
        cmd="PYTHONHASHSEED=0 PYTHONPATH=.cache/site $PYSPY record --format raw --rate $rate${extra[*]:+ ${extra[*]}} --output $name -- python3 -S workload.py --scale $SCALE"
        echo "== $app ($kind): $cmd" >&2
        start=$(date +%s.%N)
        (cd "$HERE/$app" && PYTHONHASHSEED=0 PYTHONPATH="$site" "$PYSPY" record --format raw \
            --rate "$rate" "${extra[@]}" --output "$out" -- \
            "$PYTHON" -S workload.py --scale "$SCALE") \
            > "$HERE/$app/.cache/py-spy-stdout-$kind.txt" 2> "$log" || {
            cat "$HERE/$app/.cache/py-spy-stdout-$kind.txt" "$log" >&2; exit 1; }
        end=$(date +%s.%N)
        # py-spy's own messages ("py-spy> ...", blank lines) share stdout with the workload.
        grep '^py-spy> ' "$HERE/$app/.cache/py-spy-stdout-$kind.txt" >> "$log" || true
        grep -v -e '^py-spy> ' -e '^$' "$HERE/$app/.cache/py-spy-stdout-$kind.txt" \
            > "$HERE/$app/.cache/stdout-$kind.txt" || true
        cp "$HERE/$app/.cache/stdout-$kind.txt" "$HERE/$app/workload-output.txt"
        {
            echo "app=$app"
            echo "kind=$kind"
            echo "file=$app/$name"
            echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
            echo "python=$("$PYTHON" --version 2>&1) ($PYTHON)"
            echo "pyspy=$("$PYSPY" --version)"
            echo "version=$(version_of "$app")"
            echo "wheel=$(sed -n 's/.*--hash=sha256:\([0-9a-f]*\).*/\1/p' "$HERE/$app/requirements.txt" | head -1)"
            echo "command=$cmd"
            echo "pyspy_summary=$(grep -o 'Samples: .*' "$log" | tail -1 || true)"
            echo "workload=$(grep '^elapsed' "$log" || true)"
            echo "wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }')"
            echo "samples=$(awk '{ n += $NF } END { print n + 0 }' "$out")"
            echo "in_app=$(awk -v app="$app" '{ c = $NF; $NF = ""; if (index($0, "(" app "/")) n += c } END { print n + 0 }' "$out")"
            echo "stacks=$(wc -l < "$out")"
            echo "bytes=$(wc -c < "$out")"
            echo "sha256=$(sha256sum "$out" | cut -d' ' -f1)"
            echo "output_sha256=$(sha256sum "$HERE/$app/workload-output.txt" | cut -d' ' -f1)"
        } > "$META/$app-$kind.env"
        sed 's/^/   /' "$META/$app-$kind.env" >&2
    done
    if ! cmp -s "$HERE/$app/.cache/stdout-python.txt" "$HERE/$app/.cache/stdout-native.txt"; then
        echo "capture.sh: $app: the two runs printed different summaries" >&2
        exit 1
    fi
done

# --- CAPTURES.md -------------------------------------------------------------
# One section per app, between <!-- app:NAME --> markers; sections of apps not
# captured this time are kept from the existing file.
"$PYTHON" -S - "$HERE" "$META" "${APPS[@]}" <<'PY'
import os, re, sys

here, meta, apps = sys.argv[1], sys.argv[2], sys.argv[3:]
path = os.path.join(here, "CAPTURES.md")
old = open(path).read() if os.path.exists(path) else ""
kept = dict(re.findall(r"<!-- app:(\w+) -->\n(.*?)<!-- /app -->\n", old, re.S))


def load(app, kind):
    env = {}
    with open(os.path.join(meta, f"{app}-{kind}.env")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    return env


for app in apps:
    p, n = load(app, "python"), load(app, "native")
    rows = [
        ("captured (UTC)", p["date"], n["date"]),
        ("command (in `%s/`)" % app, "`%s`" % p["command"], "`%s`" % n["command"]),
        ("py-spy's count", p["pyspy_summary"], n["pyspy_summary"]),
        ("samples in the file", p["samples"], n["samples"]),
        ("samples with a `%s/` frame" % app, p["in_app"], n["in_app"]),
        ("distinct stacks (lines)", p["stacks"], n["stacks"]),
        ("size (bytes)", p["bytes"], n["bytes"]),
        ("sha256", "`%s`" % p["sha256"], "`%s`" % n["sha256"]),
        ("wall time under py-spy", p["wall"], n["wall"]),
        ("workload's own timer", p["workload"], n["workload"]),
    ]
    body = [
        f"## {app} {p['version']}",
        "",
        f"Wheel `{app}-{p['version']}-py3-none-any.whl`, sha256 `{p['wheel']}`; "
        f"{p['python']}; {p['pyspy']}. The workload's summary (`{app}/workload-output.txt`, "
        f"sha256 `{p['output_sha256'][:16]}...`) is the same in both runs.",
        "",
        f"| | `{os.path.basename(p['file'])}` | `{os.path.basename(n['file'])}` |",
        "| --- | --- | --- |",
    ]
    body += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    kept[app] = "\n".join(body) + "\n\n"

head = (
    "# Trial captures\n\n"
    "Generated by `capture.sh` (do not edit by hand; re-run it). Each app was installed\n"
    "with `capture.sh --install-only` (`pip install --no-deps --only-binary=:all:\n"
    "--require-hashes --target <app>/.cache/site -r <app>/requirements.txt`) and\n"
    "recorded twice, without and with `--native`, on the 2-core VM.\n\n"
)
with open(path + ".tmp", "w") as f:
    f.write(head)
    for app in sorted(kept):
        f.write(f"<!-- app:{app} -->\n{kept[app]}<!-- /app -->\n")
os.replace(path + ".tmp", path)
print("wrote", path, file=sys.stderr)
PY
