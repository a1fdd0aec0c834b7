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

if ! [ -x /usr/bin/time ]; then
	echo "installing GNU time for peak-memory measurement" >&2
	if [ "$(id -u)" = 0 ]; then apt-get install -y time >&2; else sudo apt-get install -y time >&2; fi
fi

mkdir -p "$BENCH_DIR"
go build -o "$BENCH_DIR/bbatch" ./cmd/bbatch
go build -o "$BENCH_DIR/gendata" ./scripts/gendata
data="$BENCH_DIR/data-$RECORDS.jsonl"
if ! [ -s "$data" ]; then
	echo "generating $RECORDS records into $data" >&2
	"$BENCH_DIR/gendata" -n "$RECORDS" >"$data.tmp"
	mv "$data.tmp" "$data"
fi
cat "$data" >/dev/null

# measure NAME CMD...: sets $wall (s) and $rss (KB); exit 2 (lines rejected) is not a failure.
measure() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$BENCH_DIR/$name.time" "$@" >"$BENCH_DIR/$name.out" 2>&1 || {
		code=$?
		if [ "$code" != 2 ]; then
			cat "$BENCH_DIR/$name.out" >&2
			exit "$code"
		fi
	}
	read -r wall rss <"$BENCH_DIR/$name.time"
}
calc() { awk "BEGIN { print $1 }"; }

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
