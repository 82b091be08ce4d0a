#!/usr/bin/env bash
# Regenerates the example plans in plans/ from the captures in sample-profiles/, as listed in
# plans/plans.tsv. The test `committed_example_plans_are_up_to_date` fails when these are
# stale. Plans whose source root is missing (a PyPI package installed by its capture script,
# e.g. sample-profiles/chardet/capture.sh --install-only) are skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked
bin=target/release/brownfield

grep -v '^#' plans/plans.tsv | while IFS=$'\t' read -r name args; do
    [[ -z $name ]] && continue
    # shellcheck disable=SC2086 # the arguments are words on purpose
    set -- $args
    source_root=""
    prev=""
    for a in "$@"; do
        [[ $prev == --source ]] && source_root=$a
        prev=$a
    done
    if [[ -n $source_root && ! -d $source_root ]]; then
        echo "skipping $name: $source_root is missing (see plans/README.md)" >&2
        continue
    fi
    "$bin" plan "$@" --out "plans/$name" --force >/dev/null
    echo "plans/$name"
done
