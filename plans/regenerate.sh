#!/usr/bin/env bash
# Regenerates the example plans in plans/ from the captures in sample-profiles/.
# The test `committed_example_plan_is_up_to_date` fails when these are stale.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked
bin=target/release/brownfield

"$bin" plan sample-profiles/logpipe.pyspy.txt --source sample-profiles/app --out plans/logpipe
