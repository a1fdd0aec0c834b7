#!/usr/bin/env bash
# bench-run.sh: time a whole local pipeline run (`bbatch run`, emulators at zero model latency)
# against the chunker alone on the same generated dataset, in the same run, and report wall
# times, ratios, peak memory and where the run's time went.
#
#   RECORDS=100000 ./scripts/bench-run.sh     # default
#
# Target (issue #5): the whole run takes at most 5x the chunker's time. Three readings of "the
# chunker" are printed:
#   chunker alone (the target's baseline): scripts/chunkeralone starts the run's local S3, uploads
#     the file as the run's drop does (not timed), then times one call of the chunker Lambda's
#     handler over the pipeline's S3 store, with the request the state machine sends.
#   chunker stage: the same handler inside the run, timed from the run's log (intake's "run
#     started" to the chunker's "source chunked"), so it also holds the state machine's first steps.
#   bbatch chunk: the chunk package from a local file into a local folder, no S3 at all.
set -euo pipefail

RECORDS=${RECORDS:-100000}
BENCH_DIR=${BENCH_DIR:-.bench}
cd "$(dirname "$0")/.."

. scripts/bench-lib.sh

rm -rf "$BENCH_DIR/chunks" "$BENCH_DIR/run-out"
measure chunk "$BENCH_DIR/bbatch" chunk "$data" --out "$BENCH_DIR/chunks"
chunk_wall=$wall chunk_rss=$rss
rm -rf "$BENCH_DIR/chunks"
go build -o "$BENCH_DIR/chunkeralone" ./scripts/chunkeralone
"$BENCH_DIR/chunkeralone" --profile claude "$data" >"$BENCH_DIR/chunkeralone.out" 2>"$BENCH_DIR/chunkeralone.err" || {
	cat "$BENCH_DIR/chunkeralone.err" >&2
	exit 1
}
alone=$(grep '^chunker-alone ' "$BENCH_DIR/chunkeralone.out")
# field NAME: the value of NAME=... in the chunker-alone line.
field() { sed -E "s/.* $1=([^ ]*).*/\1/" <<<"$alone"; }
alone_wall=$(field wall_s) alone_rss=$(field peak_rss_kb) alone_before=$(field rss_before_kb)
measure run "$BENCH_DIR/bbatch" run "$data" --profile claude --job-duration 0s --out "$BENCH_DIR/run-out" --log "$BENCH_DIR/run.log"
run_wall=$wall run_rss=$rss
grep -E '^(Run|  records|  jobs)' "$BENCH_DIR/run.out" || true
rm -rf "$BENCH_DIR/run-out"

# stamp MSG [last]: the time (s since the epoch) of the first (or last) log line with msg MSG.
stamp() {
	local line
	if [ "${2:-}" = last ]; then
		line=$(grep "\"msg\":\"$1\"" "$BENCH_DIR/run.log" | tail -n 1)
	else
		line=$(grep -m 1 "\"msg\":\"$1\"" "$BENCH_DIR/run.log")
	fi
	date -d "$(sed -E 's/.*"time":"([^"]*)".*/\1/' <<<"$line")" +%s.%N
}
started=$(stamp "run started")
chunked=$(stamp "source chunked" last)
submitted=$(stamp "job submitted" last)
reconciled=$(stamp "chunk reconciled" last)
finalized=$(stamp "run finalized")
stage_wall=$(calc "$chunked - $started")

printf 'dataset:         %d records, %d bytes\n' "$RECORDS" "$(stat -c %s "$data")"
printf 'bbatch chunk:    %6.2f s wall   peak RSS %7.1f MB   (local file to local folder)\n' "$chunk_wall" "$(calc "$chunk_rss/1024")"
printf 'chunker alone:   %6.2f s wall   peak RSS %7.1f MB   (one chunker Lambda call on the local S3; %.1f MB before it)\n' "$alone_wall" "$(calc "$alone_rss/1024")" "$(calc "$alone_before/1024")"
printf 'bbatch run:      %6.2f s wall   peak RSS %7.1f MB\n' "$run_wall" "$(calc "$run_rss/1024")"
printf '  outside the run    %6.2f s   (start-up, upload, results download)\n' "$(calc "$run_wall - ($finalized - $started)")"
printf '  chunker stage      %6.2f s   (the chunker Lambda: S3 object in, chunk objects out)\n' "$stage_wall"
printf '  submit             %6.2f s\n' "$(calc "$submitted - $chunked")"
printf '  jobs and reconcile %6.2f s\n' "$(calc "$reconciled - $submitted")"
printf '  finalize           %6.2f s\n' "$(calc "$finalized - $reconciled")"
printf 'ratio run / chunker alone: %.2f (target <= 5)\n' "$(calc "$run_wall/$alone_wall")"
printf 'ratio run / chunker stage:  %.2f\n' "$(calc "$run_wall/$stage_wall")"
printf 'ratio run / bbatch chunk:   %.2f\n' "$(calc "$run_wall/$chunk_wall")"
printf 'load average:    %s (other work on this machine inflates wall times)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
