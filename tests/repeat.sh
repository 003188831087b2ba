#!/usr/bin/env bash
# Runs the whole suite N times (builds done once) and lists every failure by run, suite and
# check, to find the flakes one run hides. With --load, both cores are kept busy meanwhile
# by a background load at the tests' own priority (a stand-in for a shared CI machine).
# Usage: tests/repeat.sh N [--load] [SUITE...]   (make check-repeat N=5 [LOAD=1])
set -u
cd "$(dirname "$0")/.."

runs=${1:-}
case $runs in
'' | *[!0-9]*)
	echo "usage: tests/repeat.sh N [--load] [SUITE...] (N: how many runs)" >&2
	exit 2
	;;
esac
shift
load=false
if [ "${1:-}" = --load ]; then
	load=true
	shift
fi

load_pids=()
logs=$(mktemp -d /tmp/adit-repeat.XXXXXX)
stop_load() {
	local pid
	for pid in "${load_pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	load_pids=()
}
trap stop_load EXIT

# One busy loop per core: plain arithmetic in a subshell of this script, so it is ours to
# kill by PID.
start_load() {
	local i
	for ((i = 0; i < $(nproc); i++)); do
		(while :; do :; done) &
		load_pids+=($!)
	done
}

$load && start_load
failed_runs=0
for ((r = 1; r <= runs; r++)); do
	start=$SECONDS
	tests/run.sh "$@" >"$logs/run$r.log" 2>&1
	tally=$(tail -1 "$logs/run$r.log")
	echo "run $r of $runs$($load && echo ", loaded"): $tally ($((SECONDS - start)) s)"
	# The failing checks: run.sh prints each failing suite's line, then its tests' output
	# with "not ok" lines, indented.
	if ! grep -q ' 0 failed$' <<<"$tally"; then
		failed_runs=$((failed_runs + 1))
		grep -E '^[^ ].* [1-9][0-9]* failed|^ +not ok ' "$logs/run$r.log" | sed 's/^ */  /'
	fi
done
stop_load
echo "$failed_runs of $runs runs failed (logs: $logs)"
[ "$failed_runs" -eq 0 ]
