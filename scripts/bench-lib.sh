# bench-lib.sh: what the benchmark scripts share. Source it from the repository root with
# RECORDS and BENCH_DIR set: it installs GNU time if missing, builds bbatch and the generator,
# makes sure $data holds RECORDS generated records (kept between runs), and defines measure and
# calc.

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
cat "$data" >/dev/null # the same page-cache state for every tool

# measure NAME CMD...: runs CMD under GNU time, sets $wall (s), $cpu (user+sys s) and $rss (KB).
# Exit 2 from bbatch (some lines rejected) is not a failure here.
measure() {
	local name=$1
	shift
	local tf="$BENCH_DIR/$name.time"
	/usr/bin/time -f '%e %M %U %S' -o "$tf" "$@" >"$BENCH_DIR/$name.out" 2>&1 || {
		code=$?
		if [ "$code" != 2 ]; then
			cat "$BENCH_DIR/$name.out" >&2
			exit "$code"
		fi
	}
	read -r wall rss user sys <"$tf"
	cpu=$(awk "BEGIN { print $user + $sys }")
}

# calc EXPR: floating-point arithmetic without bc.
calc() { awk "BEGIN { print $1 }"; }
