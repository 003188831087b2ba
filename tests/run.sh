#!/usr/bin/env bash
# Runs every suite — unit tests (cmocka), the clang build, the end-to-end tests in network
# namespaces — and ends with one line: "N passed, N failed".
# Usage: tests/run.sh [unit|netns|clang]... ; with no argument, all of them.
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit clang netns)

count() { # NAME PASSED FAILED
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -gt 0 ] && failures+=("$1")
	printf '%-28s %3d passed, %d failed\n' "$1" "$2" "$3"
}

run_unit() {
	local t out ok run rc
	for t in build/unit/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1); rc=$?
		ok=$(grep -c '^\[       OK \]' <<<"$out")
		run=$(grep -c '^\[ RUN      \]' <<<"$out")
		if [ "$rc" -ne 0 ] || [ "$run" -ne "$ok" ] || [ "$run" -eq 0 ]; then
			printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]' | sed 's/^/    /'
			[ "$run" -eq "$ok" ] && run=$((ok + 1))
		fi
		count "unit/${t##*/}" "$ok" $((run - ok))
	done
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

run_netns() {
	local t out rc ok bad
	for t in tests/netns/*.sh; do
		[ "${t##*/}" = lib.sh ] && continue
		out=$(timeout --kill-after=10 300 bash "$t" 2>&1); rc=$?
		ok=$(grep -c '^ok ' <<<"$out")
		bad=$(grep -c '^not ok ' <<<"$out")
		if [ "$rc" -ne 0 ] || [ "$bad" -gt 0 ]; then
			printf '%s\n' "$out" | sed 's/^/    /' | tail -60
			[ "$bad" -eq 0 ] && bad=1
		fi
		count "netns/${t##*/}" "$ok" "$bad"
	done
}

for s in "${suites[@]}"; do
	case "$s" in
	unit) run_unit ;;
	clang) run_clang ;;
	netns) run_netns ;;
	*) echo "tests/run.sh: unknown suite '$s' (unit, clang or netns)" >&2; exit 2 ;;
	esac
done
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
