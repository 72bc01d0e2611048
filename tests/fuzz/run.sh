#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh — run one libFuzzer target and check that it really fuzzed.
#   tests/fuzz/run.sh MIN_RUNS MIN_SECONDS FUZZER [libFuzzer arguments …]
# Fails with libFuzzer's own status (a crash, leak or timeout), and otherwise unless libFuzzer's
# closing line "Done N runs in S second(s)" is there with N >= MIN_RUNS and S >= MIN_SECONDS. A
# target started with -runs=0, or one that stops before its loop, prints no such line or N = 0,
# so neither `make test` nor `make fuzz` can pass without fuzzing.
set -u
if [ $# -lt 3 ]; then
    echo "usage: $0 MIN_RUNS MIN_SECONDS FUZZER [ARGS …]" >&2
    exit 2
fi
min_runs=$1
min_s=$2
shift 2
log=$(mktemp "${TMPDIR:-/tmp}/hq-fuzz.XXXXXX") || exit 2
trap 'rm -f "$log"' EXIT
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
    echo "run.sh: $1 exited with status $rc" >&2
    exit "$rc"
fi
done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1)
if [ -z "$done_line" ]; then
    echo "run.sh: $1 printed no 'Done N runs' line: it did not fuzz" >&2
    exit 1
fi
runs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/')
secs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/')
if [ "$runs" -lt "$min_runs" ] || [ "$runs" -eq 0 ]; then
    echo "run.sh: $1 ran $runs inputs, expected at least $min_runs" >&2
    exit 1
fi
if [ "$secs" -lt "$min_s" ]; then
    echo "run.sh: $1 stopped after $secs s, expected at least $min_s s" >&2
    exit 1
fi
echo "run.sh: $1 ran $runs inputs in $secs s (at least $min_runs inputs and $min_s s expected)"
