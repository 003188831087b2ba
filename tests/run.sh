#!/usr/bin/env bash
# Runs every suite — unit tests (cmocka), the clang build, the end-to-end tests in network
# namespaces, make install into temporary directories — and ends with one line:
# "N passed, N failed".
# Usage: tests/run.sh [layers|unit|clang|fuzz|netns|nooffload|threads|asan|install|stress]... ;
# with no argument, all of them but stress.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)

passed=0
failed=0
failures=()
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(layers unit clang fuzz netns nooffload threads asan install)

# Each line also says how long it took since the line before: make check must stay well
# under 20 minutes, and this is where to look when it does not.
last_count=$SECONDS
count() { # NAME PASSED FAILED
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -gt 0 ] && failures+=("$1")
	printf '%-28s %3d passed, %d failed  (%d s)\n' "$1" "$2" "$3" $((SECONDS - last_count))
	last_count=$SECONDS
}

# Under the sanitizers: the unit tests, and the end-to-end tests that push the most varied
# bytes through adit's parsers.
ASAN_NETNS="t2-tun-reply t9-tap-reply t345-ping-tcp tap-tunnel bad-input lab-server-abuse lab-tap-reflect
	wg-interop wg-garbage wg-replay wg-cookie wg-sticky-source wg-quick wg-hostile wg-hub-many"
# Run under the sanitizers only: what they add over the plain build is the point of them.
ASAN_ONLY="wg-hub-many"
run_asan() {
	local t
	if [ ! -x build/asan/adit ]; then
		count "asan (not built: make asan)" 0 1
		return
	fi
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
	run_unit build/asan/unit asan/
	for t in $ASAN_NETNS; do
		ADIT=$ROOT/build/asan/adit run_netns_one "tests/netns/$t.sh" asan/
	done
}

# Each fuzzer from its seed corpus (left untouched: new inputs go to a scratch directory), for
# FUZZ_SECONDS, or with FUZZ_RUNS set (make fuzz) until that many executions. An input that
# breaks one is kept in build/fuzz-crashes/, to replay: build/fuzz/fuzz_NAME FILE.
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_RUNS=${FUZZ_RUNS:-}
run_fuzz() {
	local f name scratch limit label done_runs
	if [ -n "$FUZZ_RUNS" ]; then
		limit=-runs=$FUZZ_RUNS
	else
		limit=-max_total_time=$FUZZ_SECONDS
	fi
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=${f##*/fuzz_}
		scratch=$(mktemp -d)
		mkdir -p build/fuzz-crashes
		if "$f" "$limit" -timeout=10 -artifact_prefix=build/fuzz-crashes/"$name"- "$scratch" \
			"tests/fuzz/corpus_$name" >"$scratch.log" 2>&1; then
			done_runs=$(grep -o 'Done [0-9]* runs' "$scratch.log" | grep -o '[0-9]*')
			if [ -z "$FUZZ_RUNS" ]; then
				count "fuzz/$name (${FUZZ_SECONDS}s, ${done_runs:-?} runs)" 1 0
			elif [ "${done_runs:-0}" -ge "$FUZZ_RUNS" ]; then
				count "fuzz/$name ($done_runs runs)" 1 0
			else
				count "fuzz/$name (${done_runs:-0} of $FUZZ_RUNS runs)" 0 1
			fi
		else
			grep -A30 'ERROR\|==ERROR\|invariant broken' "$scratch.log" | head -40 | sed 's/^/    /'
			grep 'Test unit written to' "$scratch.log" | sed 's/^/    /'
			count "fuzz/$name" 0 1
		fi
		rm -rf "$scratch" "$scratch.log"
	done
}

# With --no-offload: plain reads and writes, one packet each, on the TUN and the sockets. Every
# test runs with offloads on (the default); these, the representative set, also without.
NOOFFLOAD_NETNS="t345-ping-tcp mtu ipv6 tap-tunnel interop-python bad-input wg-interop wg-adit-adit
	wg-garbage"
run_nooffload() {
	local t
	for t in $NOOFFLOAD_NETNS; do
		ADIT_ARGS=--no-offload run_netns_one "tests/netns/$t.sh" no-offload/
	done
}

# With --threads 2: the crypto shared with a helper thread. wg-threads.sh checks the helper
# works; these run whole tunnels, hostile input and wireguard-go interop on it as well.
THREADS_NETNS="wg-adit-adit wg-interop wg-hostile wg-garbage wg-roaming"
run_threads() {
	local t
	for t in $THREADS_NETNS; do
		ADIT_ARGS="--threads 2" run_netns_one "tests/netns/$t.sh" threads-2/
	done
}

# The hostile-load tests, HOSTILE_SCALE times bigger (make stress; 10 unless told), with room
# for their longer floods; and the tests too slow for make check, which runs none of
# STRESS_ONLY (make check has a quick test of the same property beside each).
STRESS_NETNS="wg-hostile lab-hostile wg-handshake-flood"
STRESS_ONLY="wg-uapi-million" # wg-uapi-slow.sh: a set that outlasts 10 s is not cut
run_stress() {
	local t
	export HOSTILE_SCALE=${HOSTILE_SCALE:-10}
	for t in $STRESS_NETNS; do
		NETNS_TIMEOUT=$((300 + 120 * HOSTILE_SCALE)) run_netns_one "tests/netns/$t.sh" \
			"stress x$HOSTILE_SCALE/"
	done
	for t in $STRESS_ONLY; do
		run_netns_one "tests/netns/$t.sh" "stress/"
	done
}

run_unit() {
	local dir=${1:-build/unit} label=${2:-} t out ok run rc
	for t in "$dir"/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1); rc=$?
		ok=$(grep -c '^\[       OK \]' <<<"$out")
		run=$(grep -c '^\[ RUN      \]' <<<"$out")
		if [ "$rc" -ne 0 ] || [ "$run" -ne "$ok" ] || [ "$run" -eq 0 ]; then
			printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]' | sed 's/^/    /'
			[ "$run" -eq "$ok" ] && run=$((ok + 1))
		fi
		count "${label}unit/${t##*/}" "$ok" $((run - ok))
	done
}

# The folders of src/ are layers: no include reaches up, lab/ and wg/ keep apart, and the
# README's Layout table names every folder and file.
run_layers() {
	if tests/check_layers.sh | sed 's/^/    /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
		count "layers" 1 0
	else
		count "layers" 0 1
	fi
}

run_clang() {
	if ! command -v clang >/dev/null; then
		count "build/clang" 0 1
		return
	fi
	if make --no-print-directory -s clang-check >build/clang.log 2>&1; then
		count "build/clang (-Werror)" 1 0
	else
		sed 's/^/    /' build/clang.log | tail -30
		count "build/clang (-Werror)" 0 1
	fi
}

run_netns_one() {
	local t=$1 label=${2:-} out rc ok bad
	out=$(timeout --kill-after=10 "${NETNS_TIMEOUT:-300}" bash "$t" 2>&1); rc=$?
	ok=$(grep -c '^ok ' <<<"$out")
	bad=$(grep -c '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] || [ "$bad" -gt 0 ]; then
		printf '%s\n' "$out" | sed 's/^/    /' | tail -60
		[ "$bad" -eq 0 ] && bad=1
	fi
	count "${label}${t#tests/}" "$ok" "$bad"
}

run_netns() {
	local t
	for t in tests/netns/*.sh; do
		case " lib wglib hostlib $STRESS_ONLY $ASAN_ONLY " in
		*" $(basename "$t" .sh) "*) ;;
		*) run_netns_one "$t" ;;
		esac
	done
}

for s in "${suites[@]}"; do
	case "$s" in
	layers) run_layers ;;
	unit) run_unit ;;
	clang) run_clang ;;
	netns) run_netns ;;
	nooffload) run_nooffload ;;
	threads) run_threads ;;
	asan) run_asan ;;
	fuzz) run_fuzz ;;
	install) run_netns_one tests/install.sh ;; # make install into temporary directories
	stress) run_stress ;;
	*) echo "tests/run.sh: unknown suite '$s' (layers, unit, clang, fuzz, netns, nooffload, threads, asan, install or stress)" >&2; exit 2 ;;
	esac
done
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
