# Sourced by every end-to-end test, tests/netns/NAME.sh. It gives the test a lab of its own
# (lab/lab.sh under a unique name), helpers to run and stop processes in the lab's hosts, and
# TAP output that tests/run.sh counts. Whatever happens, the exit trap stops what the test
# started and removes the lab and the temp dir.
#
#   lab_up                      build the lab ($ADIT_LAB): hosts u server v v2 cr h50a h50b
#   on HOST CMD...              run CMD in HOST's namespace (`in` is a bash keyword)
#   start HOST NAME CMD...      run CMD in the background in HOST, output to $T/NAME.log
#   start_adit HOST NAME ARGS...  start "adit ARGS $ADIT_ARGS" so, and wait until it names its
#                               interface ($ADIT_ARGS: extra flags for every adit, e.g. --no-offload)
#   stop NAME [SIGNAL]          signal it (TERM), wait; returns its exit status
#   pid_of NAME                 print its PID
#   wait_for SECONDS CMD...     poll CMD every 0.1 s until it succeeds; 1 on timeout
#   wait_link HOST GLOB [SECS]  wait (20 s) for an interface named like GLOB in HOST, print it
#   wait_log NAME REGEX [SECS]  wait (20 s) until $T/NAME.log has a line matching REGEX
#   check DESC CMD...           ok N - DESC if CMD succeeds, else not ok N (with the logs)
#   check_not DESC CMD...       the inverse
#   skip DESC REASON            ok N - DESC # SKIP REASON
#   note TEXT...                a "# TEXT" line
#   need_adit                   fail the test at once if ./adit is not built
#   finish                      print the counts and exit 1 if any check failed
#   on_failure                  if a test or wglib.sh defines it, run after a failed check's logs
#
# Checks must keep running after a failure, so tests do not use `set -e`.

set -u -o pipefail

TEST_NAME=$(basename "$0" .sh)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ADIT=${ADIT:-$ROOT/adit}
# shellcheck disable=SC2034 # for the tests: the lab's Python scripts and their interpreter
PY=/usr/bin/python3 PYDIR=$ROOT/tests/netns/py
export ADIT_LAB=adit-t-${TEST_NAME:0:12}-$$
T=$(mktemp -d "/tmp/adit-t-${TEST_NAME:0:12}.XXXXXX")

# How long to wait for what must come (a daemon's interface or log line): the tests run side
# by side (tests/run.sh), and a start that takes under a second alone can take several on a
# loaded machine. Waits end as soon as it comes, so only a failure waits this long.
WAIT_SECONDS=20

declare -A PIDS=()
CHECKS=0
FAILED=0
LAB_IS_UP=0
CLEANED=0

lab_up() {
	LAB_IS_UP=1
	"$ROOT/lab/lab.sh" up >"$T/lab-up.out" 2>&1 || {
		echo "# lab_up failed:"
		sed 's/^/# /' "$T/lab-up.out"
		return 1
	}
}

ns() { echo "$ADIT_LAB-$1"; }

# In the background and waited for, so that a TERM from the runner ends the test at once
# (bash runs traps only between foreground commands); cleanup then ends CMD with the lab.
on() {
	local host=$1
	shift
	ip netns exec "$ADIT_LAB-$host" "$@" <&0 &
	wait $!
}

# `ip netns exec` execs the command, so $! is the command's own PID.
start() {
	local host=$1 name=$2
	shift 2
	[ -z "${PIDS[$name]:-}" ] || { echo "# start: '$name' is already running" >&2; return 1; }
	ip netns exec "$ADIT_LAB-$host" "$@" >"$T/$name.log" 2>&1 &
	PIDS[$name]=$!
}

# adit prints "Interface Name: X" once its interface is configured: from then on, traffic
# can flow. A start that fails says so here; the checks that follow show its log.
start_adit() {
	local host=$1 name=$2
	shift 2
	# shellcheck disable=SC2086 # ADIT_ARGS: extra flags, e.g. --no-offload (tests/run.sh)
	start "$host" "$name" "$ADIT" "$@" ${ADIT_ARGS:-} || return 1
	wait_log "$name" '^Interface Name:' ||
		{ echo "# adit '$name' did not name its interface within 20 s"; return 1; }
}

pid_of() { echo "${PIDS[$1]:-}"; }

alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

stop() {
	local name=$1 sig=${2:-TERM} pid _ rc
	pid=${PIDS[$name]:-}
	[ -n "$pid" ] || { echo "# stop: '$name' was not started" >&2; return 1; }
	kill -s "$sig" "$pid" 2>/dev/null
	for _ in $(seq 50); do
		alive "$pid" || break
		sleep 0.1
	done
	alive "$pid" && { echo "# stop: '$name' ignored SIG$sig for 5 s; killing it" >&2; kill -KILL "$pid"; }
	wait "$pid" 2>/dev/null
	rc=$?
	unset "PIDS[$name]"
	return $rc
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# "2" or "0.5" seconds, in milliseconds.
ms_of() {
	local s=${1%%.*} f=${1#*.}
	[ "$f" != "$1" ] || f=0
	f=${f}000
	echo $(( ${s:-0} * 1000 + 10#${f:0:3} ))
}

wait_for() {
	local deadline=$(( $(now_ms) + $(ms_of "$1") ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -lt $deadline ] || return 1
		sleep 0.1
	done
}

link_named() {
	local name
	for name in $(ip -n "$ADIT_LAB-$1" -o link show | awk -F': ' '{ print $2 }'); do
		name=${name%%@*}
		# shellcheck disable=SC2053 # $2 is a glob on purpose
		[[ $name == $2 ]] && { echo "$name"; return 0; }
	done
	return 1
}

wait_link() {
	wait_for "${3:-$WAIT_SECONDS}" link_named "$1" "$2" && link_named "$1" "$2"
}

wait_log() {
	wait_for "${3:-$WAIT_SECONDS}" grep -Eq -- "$2" "$T/$1.log"
}

show_logs() {
	local f
	for f in "$T"/*.log; do
		[ -e "$f" ] || continue
		echo "# --- $(basename "$f") (last 20 lines)"
		tail -n 20 "$f" | sed 's/^/#   /'
	done
}

report() {
	local good=$1 desc=$2 out=$3
	CHECKS=$((CHECKS + 1))
	if [ "$good" -eq 1 ]; then
		echo "ok $CHECKS - $desc"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $CHECKS - $desc"
		if [ -s "$out" ]; then
			echo "# --- output"
			tail -n 20 "$out" | sed 's/^/#   /'
		fi
		show_logs
		[ "$(type -t on_failure)" != function ] || on_failure
	fi
}

check() {
	local desc=$1 out="$T/check.out"
	shift
	if "$@" >"$out" 2>&1; then report 1 "$desc" "$out"; else report 0 "$desc" "$out"; fi
}

check_not() {
	local desc=$1 out="$T/check.out"
	shift
	if "$@" >"$out" 2>&1; then report 0 "$desc" "$out"; else report 1 "$desc" "$out"; fi
}

skip() {
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $1 # SKIP $2"
}

note() { echo "# $*"; }

need_adit() {
	[ -x "$ADIT" ] && return 0
	report 0 "adit is built ($ADIT)" /dev/null
	finish
}

finish() {
	echo "1..$CHECKS"
	echo "# $TEST_NAME: $((CHECKS - FAILED)) passed, $FAILED failed"
	[ $CHECKS -gt 0 ] || { echo "# $TEST_NAME: no checks ran"; exit 1; }
	[ $FAILED -eq 0 ] || exit 1
	exit 0
}

cleanup() {
	local rc=$? name pid _
	[ $CLEANED -eq 0 ] || return $rc
	CLEANED=1
	for name in "${!PIDS[@]}"; do
		kill -TERM "${PIDS[$name]}" 2>/dev/null
	done
	for _ in $(seq 20); do
		pid=
		for name in "${!PIDS[@]}"; do
			alive "${PIDS[$name]}" && pid=${PIDS[$name]}
		done
		[ -n "$pid" ] || break
		sleep 0.1
	done
	for name in "${!PIDS[@]}"; do
		alive "${PIDS[$name]}" && kill -KILL "${PIDS[$name]}" 2>/dev/null
		wait "${PIDS[$name]}" 2>/dev/null
	done
	[ $LAB_IS_UP -eq 0 ] || "$ROOT/lab/lab.sh" down >/dev/null 2>&1 ||
		echo "# cleanup: lab.sh down failed for $ADIT_LAB" >&2
	rm -rf "$T"
	return $rc
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
