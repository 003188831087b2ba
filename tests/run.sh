#!/usr/bin/env bash
# Runs every suite — unit tests (cmocka), the clang build, the end-to-end tests in network
# namespaces, make install into temporary directories — and ends with one line:
# "N passed, N failed".
# Usage: tests/run.sh [layers|unit|clang|fuzz|netns|nooffload|threads|openssl|asan|install|stress]... ;
# with no argument, all of them but stress.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)

passed=0
failed=0
failures=()
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(layers unit clang fuzz netns nooffload threads openssl asan install)

# Each line also says how long it took: the time since the line before, or for an end-to-end
# test (which run side by side) its own. make check must stay under 7 minutes, and this is
# where to look when it does not; the last lines give each suite's share and the total.
last_count=$SECONDS
count() { # NAME PASSED FAILED [SECONDS]
	local took=${4:-$((SECONDS - last_count))}
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -gt 0 ] && failures+=("$1")
	printf '%-28s %3d passed, %d failed  (%d s)\n' "$1" "$2" "$3" "$took"
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
	run_unit build/asan/unit asan/ queue
	for t in $ASAN_NETNS; do
		ADIT=$ROOT/build/asan/adit run_netns_one "tests/netns/$t.sh" asan/
	done
}

# Each fuzzer from its seed corpus (left untouched: new inputs go to a scratch directory), for
# FUZZ_SECONDS, or with FUZZ_RUNS set (make fuzz) until that many executions. An input that
# breaks one is kept in build/fuzz-crashes/, to replay: build/fuzz/fuzz_NAME FILE.
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
FUZZ_RUNS=${FUZZ_RUNS:-}
run_fuzz() {
	local f ok bad rest
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		if [ -n "$FUZZ_RUNS" ]; then
			{ read -r ok bad; rest=$(cat); } < <(fuzz_result "$f")
			[ -z "$rest" ] || printf '%s\n' "$rest"
			count "fuzz/${f##*/fuzz_} ($FUZZ_RUNS runs)" "$ok" "$bad"
		else
			# CPU-bound for a few seconds each: beside the end-to-end tests, which
			# mostly wait, they cost make check little.
			queue_job "fuzz/${f##*/fuzz_} (${FUZZ_SECONDS}s)" fuzz "$f"
		fi
	done
}

# One fuzzer: "PASSED FAILED", then, if it failed, what broke it and where the input is.
fuzz_result() {
	local f=$1 name scratch limit done_runs
	name=${f##*/fuzz_}
	if [ -n "$FUZZ_RUNS" ]; then
		limit=-runs=$FUZZ_RUNS
	else
		limit=-max_total_time=$FUZZ_SECONDS
	fi
	scratch=$(mktemp -d)
	mkdir -p build/fuzz-crashes
	if "$f" "$limit" -timeout=10 -artifact_prefix=build/fuzz-crashes/"$name"- "$scratch" \
		"tests/fuzz/corpus_$name" >"$scratch.log" 2>&1; then
		done_runs=$(grep -o 'Done [0-9]* runs' "$scratch.log" | grep -o '[0-9]*')
		if [ -n "$FUZZ_RUNS" ] && [ "${done_runs:-0}" -lt "$FUZZ_RUNS" ]; then
			echo "0 1"
			echo "    stopped after ${done_runs:-0} of $FUZZ_RUNS runs"
		else
			echo "1 0"
		fi
	else
		echo "0 1"
		grep -A30 'ERROR\|==ERROR\|invariant broken' "$scratch.log" | head -40 | sed 's/^/    /'
		grep 'Test unit written to' "$scratch.log" | sed 's/^/    /'
	fi
	rm -rf "$scratch" "$scratch.log"
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

# With ADIT_CRYPTO=openssl: transport data sealed and opened by OpenSSL. Every other test runs
# with the backend adit chooses (intel-ipsec-mb on x86 when built with it); these, the
# representative set, with the other: interop with wireguard-go, adit on both ends, replayed
# and hostile input.
OPENSSL_NETNS="wg-interop wg-adit-adit wg-replay wg-hostile wg-garbage"
run_openssl() {
	local t
	for t in $OPENSSL_NETNS; do
		CRYPTO=openssl run_netns_one "tests/netns/$t.sh" openssl/
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

# One cmocka binary: "PASSED FAILED", then, if it failed, what it printed but its OK lines.
unit_result() {
	local t=$1 out ok run rc
	out=$("$t" 2>&1); rc=$?
	ok=$(grep -c '^\[       OK \]' <<<"$out")
	run=$(grep -c '^\[ RUN      \]' <<<"$out")
	if [ "$rc" -ne 0 ] || [ "$run" -ne "$ok" ] || [ "$run" -eq 0 ]; then
		[ "$run" -eq "$ok" ] && run=$((ok + 1))
		echo "$ok $((run - ok))"
		printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]' | sed 's/^/    /'
	else
		echo "$ok 0"
	fi
}

# The unit tests, one after another; with "queue", as jobs beside the end-to-end tests (the
# sanitizers make some of them slow, and those tests leave a core idle).
run_unit() {
	local dir=${1:-build/unit} label=${2:-} how=${3:-now} t ok bad rest
	for t in "$dir"/test_*; do
		[ -x "$t" ] || continue
		if [ "$how" = queue ]; then
			queue_job "${label}unit/${t##*/}" unit "$t"
			continue
		fi
		{ read -r ok bad; rest=$(cat); } < <(unit_result "$t")
		[ -z "$rest" ] || printf '%s\n' "$rest"
		count "${label}unit/${t##*/}" "$ok" "$bad"
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
	queue_job "build/clang (-Werror)" clang build/clang.log
}

# The whole tree again under clang: "PASSED FAILED", then its errors if it failed.
clang_result() {
	if make --no-print-directory -s clang-check >"$1" 2>&1; then
		echo "1 0"
	else
		echo "0 1"
		sed 's/^/    /' "$1" | tail -30
	fi
}

# The end-to-end tests can run side by side, CHECK_JOBS at a time: each lives in namespaces
# of its own and mostly waits (on pings, handshakes, timers), so on two cores four at once
# take half the time one at a time does. Side by side found three tests that reached into
# each other (privileges.sh, wglib.sh's names, lab-tap-reflect.sh's table), all fixed;
# make check-repeat is how to tell that it holds. CHECK_JOBS=1 runs them one at a time.
CHECK_JOBS=${CHECK_JOBS:-4}
# Over 20 s each: started first, so that no long test starts last and runs alone.
SLOW_TESTS="build/clang (-Werror) asan/unit/test_show asan/netns/wg-hub-many.sh netns/show.sh netns/lab-hostile.sh asan/netns/wg-hostile.sh
	netns/wg-hostile.sh threads-2/netns/wg-hostile.sh netns/wg-uapi-slow.sh netns/wg-timers.sh
	netns/wg-pmtu.sh
	asan/netns/lab-server-abuse.sh netns/lab-server-abuse.sh"
JOB_LABEL=() JOB_KIND=() JOB_SCRIPT=() JOB_ADIT=() JOB_ARGS=() JOB_CRYPTO=() JOB_TIMEOUT=()
queue_job() { # LABEL netns|unit|fuzz|clang FILE
	JOB_LABEL+=("$1")
	JOB_KIND+=("$2")
	JOB_SCRIPT+=("$3")
	JOB_ADIT+=("${ADIT:-}")
	JOB_ARGS+=("${ADIT_ARGS:-}")
	JOB_CRYPTO+=("${CRYPTO:-}")
	JOB_TIMEOUT+=("${NETNS_TIMEOUT:-300}")
}
run_netns_one() {
	queue_job "${2:-}${1#tests/}" netns "$1"
}

netns_result() {
	local i=$1 out rc ok bad
	out=$(ADIT=${JOB_ADIT[$i]} ADIT_ARGS=${JOB_ARGS[$i]} ADIT_CRYPTO=${JOB_CRYPTO[$i]} \
		timeout --kill-after=10 "${JOB_TIMEOUT[$i]}" bash "${JOB_SCRIPT[$i]}" 2>&1)
	rc=$?
	ok=$(grep -c '^ok ' <<<"$out")
	bad=$(grep -c '^not ok ' <<<"$out")
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	echo "$ok $bad"
	[ "$bad" -eq 0 ] && return
	# The failing checks first: the logs a test dumps when it fails would push them out of
	# the tail.
	grep '^not ok ' <<<"$out" | sed 's/^/    /'
	printf '%s\n' "$out" | sed 's/^/    /' | tail -60
}

# Job i's result into DIR/i: "PASSED FAILED SECONDS", then, if it failed, its output's end.
run_job() {
	local i=$1 dir=$2 start=$SECONDS ok bad rest
	case ${JOB_KIND[$i]} in
	unit) { read -r ok bad; rest=$(cat); } < <(unit_result "${JOB_SCRIPT[$i]}") ;;
	fuzz) { read -r ok bad; rest=$(cat); } < <(fuzz_result "${JOB_SCRIPT[$i]}") ;;
	clang) { read -r ok bad; rest=$(cat); } < <(clang_result "${JOB_SCRIPT[$i]}") ;;
	*) { read -r ok bad; rest=$(cat); } < <(netns_result "$i") ;;
	esac
	{
		echo "$ok $bad $((SECONDS - start))"
		[ -z "$rest" ] || printf '%s\n' "$rest"
	} >"$dir/$i.tmp" && mv "$dir/$i.tmp" "$dir/$i"
}

run_queue() {
	local n=${#JOB_SCRIPT[@]} dir i running=0 order=() ok bad took started=$SECONDS
	[ "$n" -gt 0 ] || return 0
	dir=$(mktemp -d)
	for i in "${!JOB_LABEL[@]}"; do
		case " $(echo $SLOW_TESTS) " in *" ${JOB_LABEL[$i]} "*) order+=("$i") ;; esac
	done
	for i in "${!JOB_LABEL[@]}"; do
		case " $(echo $SLOW_TESTS) " in *" ${JOB_LABEL[$i]} "*) ;; *) order+=("$i") ;; esac
	done
	echo "# $n tests queued, $CHECK_JOBS at a time (CHECK_JOBS)"
	for i in "${order[@]}"; do
		if [ "$running" -ge "$CHECK_JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
		run_job "$i" "$dir" &
		running=$((running + 1))
	done
	wait
	for i in "${!JOB_LABEL[@]}"; do
		if [ ! -f "$dir/$i" ]; then
			count "${JOB_LABEL[$i]} (no result)" 0 1 0
			continue
		fi
		read -r ok bad took <"$dir/$i"
		tail -n +2 "$dir/$i"
		count "${JOB_LABEL[$i]}" "$ok" "$bad" "$took"
	done
	echo "# the queued tests took $((SECONDS - started)) s side by side"
	rm -rf "$dir"
	JOB_LABEL=() JOB_KIND=() JOB_SCRIPT=() JOB_ADIT=() JOB_ARGS=() JOB_CRYPTO=() JOB_TIMEOUT=()
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
	suite_start=$SECONDS queued=${#JOB_SCRIPT[@]}
	case "$s" in
	layers) run_layers ;;
	unit) run_unit ;;
	clang) run_clang ;;
	netns) run_netns ;;
	nooffload) run_nooffload ;;
	threads) run_threads ;;
	openssl) run_openssl ;;
	asan) run_asan ;;
	fuzz) run_fuzz ;;
	install) run_netns_one tests/install.sh ;; # make install into temporary directories
	stress) run_stress ;;
	*) echo "tests/run.sh: unknown suite '$s' (layers, unit, clang, fuzz, netns, nooffload, threads, openssl, asan, install or stress)" >&2; exit 2 ;;
	esac
	if [ "${#JOB_SCRIPT[@]}" -eq "$queued" ]; then
		echo "# $s: $((SECONDS - suite_start)) s"
	else
		echo "# $s: $((SECONDS - suite_start)) s, and $((${#JOB_SCRIPT[@]} - queued)) tests queued"
	fi
done
run_queue
echo "# total $SECONDS s"
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
