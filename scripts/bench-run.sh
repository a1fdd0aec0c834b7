#!/usr/bin/env bash
# bench-run.sh: time a whole local pipeline run (`bbatch run`, emulators at zero model latency)
# against the chunker alone (`bbatch chunk`) on the same generated dataset, in the same run, and
# report both wall times, the ratio and peak memory.
#
#   RECORDS=100000 ./scripts/bench-run.sh     # default
#
# Target (issue #5): the whole run takes at most 5x the chunker's time.
set -euo pipefail

RECORDS=${RECORDS:-100000}
BENCH_DIR=${BENCH_DIR:-.bench}
cd "$(dirname "$0")/.."

. scripts/bench-lib.sh

rm -rf "$BENCH_DIR/chunks" "$BENCH_DIR/run-out"
measure chunk "$BENCH_DIR/bbatch" chunk "$data" --out "$BENCH_DIR/chunks"
chunk_wall=$wall chunk_rss=$rss
rm -rf "$BENCH_DIR/chunks"
measure run "$BENCH_DIR/bbatch" run "$data" --profile claude --job-duration 0s --out "$BENCH_DIR/run-out"
run_wall=$wall run_rss=$rss
grep -E '^(Run|  records|  jobs)' "$BENCH_DIR/run.out" || true
rm -rf "$BENCH_DIR/run-out"

printf 'dataset:         %d records, %d bytes\n' "$RECORDS" "$(stat -c %s "$data")"
printf 'bbatch chunk:    %6.2f s wall   peak RSS %7.1f MB\n' "$chunk_wall" "$(calc "$chunk_rss/1024")"
printf 'bbatch run:      %6.2f s wall   peak RSS %7.1f MB\n' "$run_wall" "$(calc "$run_rss/1024")"
printf 'ratio run/chunk: %.2f   (target <= 5)\n' "$(calc "$run_wall/$chunk_wall")"
printf 'load average:    %s (other work on this machine inflates wall times)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
