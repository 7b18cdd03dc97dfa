#!/usr/bin/env bash
# Runs each fuzz target built by build.sh for SECONDS (default 30) from its committed seed
# corpus (tests/fuzz/corpus/TARGET; new inputs go to a scratch copy, never into the repo).
# Fails on any crash, sanitizer report, leak, timeout (-timeout) or OOM (-rss_limit_mb);
# the reproducer is left in DIR/artifacts. Prints executions and executions/s per target.
#   tests/fuzz/run.sh [DIR] [SECONDS] [TARGET...]     (default: every target)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(realpath "${1:-build/fuzz}")
seconds=${2:-30}
targets=("${@:3}")
[ ${#targets[@]} -gt 0 ] || targets=(npy png cli_args model)
mkdir -p "$dir/artifacts"
# The targets write every input to a scratch file; memory-backed when possible.
scratch=$(mktemp -d "$( [ -w /dev/shm ] && echo /dev/shm || echo "$dir")/ksconv-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
status=0
for target in "${targets[@]}"; do
    work="$dir/corpus-$target"
    rm -rf "$work" && mkdir -p "$work"
    log="$dir/fuzz_$target.log"
    if TMPDIR="$scratch" "$dir/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/$target-" \
        "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
        tail -n 60 "$log"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    echo "fuzz $target: $result, ${runs:-?} executions, ${rate:-?} exec/s, $cov, corpus $(ls "$work" | wc -l) new"
done
exit $status
