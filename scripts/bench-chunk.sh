#!/usr/bin/env bash
# bench-chunk.sh: time `bbatch chunk` (validate + dedupe + split into Bedrock job folders) against
# `split -l 50000` on the same generated dataset in the same run, and report peak memory.
#
#   RECORDS=1000000 ./scripts/bench-chunk.sh     # default; about 1.3 GB of Claude-style records
#   RECORDS=200000  ./scripts/bench-chunk.sh     # quick run
#   ROUNDS=9 ...                                 # split and chunk alternate ROUNDS times (default 5)
#   MEMCHECK=0 ...                               # skip the second, smaller run that measures
#                                                # memory growth per record
#
# Targets (issue #2): chunk wall time at most 1.6x split's; peak RSS under 128 MB and growing by
# at most 16 bytes per extra record. split and chunk run in turns, so that other load on the
# machine falls on both; the ratio is that of their medians, and every round is printed. Files go
# to $BENCH_DIR (default .bench/, git-ignored); the dataset is kept between runs, the outputs
# are removed.
set -euo pipefail

RECORDS=${RECORDS:-1000000}
ROUNDS=${ROUNDS:-5}
MEMCHECK=${MEMCHECK:-1}
BENCH_DIR=${BENCH_DIR:-.bench}
cd "$(dirname "$0")/.."

. scripts/bench-lib.sh
bytes=$(stat -c %s "$data")

# median V...: the middle value (the mean of the two middle ones for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

split_walls=() split_cpus=() chunk_walls=() chunk_cpus=() chunk_rsss=()
for round in $(seq "$ROUNDS"); do
	rm -rf "$BENCH_DIR/split" "$BENCH_DIR/chunks"
	mkdir -p "$BENCH_DIR/split"
	measure split split -l 50000 "$data" "$BENCH_DIR/split/x"
	split_walls+=("$wall") split_cpus+=("$cpu") split_rss=$rss
	rm -rf "$BENCH_DIR/split"

	measure chunk "$BENCH_DIR/bbatch" chunk "$data" --out "$BENCH_DIR/chunks"
	chunk_walls+=("$wall") chunk_cpus+=("$cpu") chunk_rsss+=("$rss")
	jobs=$(ls -d "$BENCH_DIR/chunks"/c* | wc -l)
	rm -rf "$BENCH_DIR/chunks"
	printf 'round %d:           split %5.2f s, chunk %5.2f s wall (%5.2f CPU-s), ratio %.2f\n' \
		"$round" "${split_walls[-1]}" "$wall" "$cpu" "$(calc "$wall/${split_walls[-1]}")"
done
split_wall=$(median "${split_walls[@]}") split_cpu=$(median "${split_cpus[@]}")
chunk_wall=$(median "${chunk_walls[@]}") chunk_cpu=$(median "${chunk_cpus[@]}")
chunk_rss=$(printf '%s\n' "${chunk_rsss[@]}" | sort -n | tail -n 1)

printf 'dataset:           %d records, %d bytes (%s)\n' "$RECORDS" "$bytes" "$data"
printf 'medians of %d rounds:\n' "$ROUNDS"
printf 'split -l 50000:    %6.2f s wall  %6.2f s CPU   peak RSS %7.1f MB\n' "$split_wall" "$split_cpu" "$(calc "$split_rss/1024")"
printf 'bbatch chunk:      %6.2f s wall  %6.2f s CPU   peak RSS %7.1f MB   (%d job folders; the highest peak of the rounds)\n' "$chunk_wall" "$chunk_cpu" "$(calc "$chunk_rss/1024")" "$jobs"
printf 'ratio chunk/split: %.2f   (target <= 1.6)\n' "$(calc "$chunk_wall/$split_wall")"
printf 'CPU chunk/split:   %.2f   (work done, less sensitive than wall time to other load)\n' "$(calc "$chunk_cpu/$split_cpu")"
printf 'throughput:        %.0f MB/s wall, %.0f MB per CPU-second\n' "$(calc "$bytes/$chunk_wall/1000000")" "$(calc "$bytes/$chunk_cpu/1000000")"
printf 'load average:      %s (other work on this machine inflates wall times)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$MEMCHECK" = 1 ]; then
	small=$((RECORDS / 5))
	sdata="$BENCH_DIR/data-$RECORDS-head-$small.jsonl"
	head -n "$small" "$data" >"$sdata"
	measure chunk-small "$BENCH_DIR/bbatch" chunk "$sdata" --out "$BENCH_DIR/chunks-small"
	rm -rf "$BENCH_DIR/chunks-small" "$sdata"
	printf 'memory growth:     %.1f bytes per extra record (peak %.1f MB at %d records; target <= 16)\n' \
		"$(calc "($chunk_rss - $rss) * 1024 / ($RECORDS - $small)")" "$(calc "$rss/1024")" "$small"
fi
