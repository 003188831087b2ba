#!/usr/bin/env bash
# --threads N: adit in A and B, each with 2 crypto threads, carry IPv4 and IPv6 pings and an
# 8 MB TCP stream each way checked byte for byte; `adit show` then says both ends sealed or
# opened packets on their helper thread (so the helper really ran, on real traffic). A bad
# thread count is refused with the usage status (2) and a message naming the option.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts
ADIT_ARGS="${ADIT_ARGS:-} --threads 2"
start_wg a adit-a "$ADIT" "$IA"
start_wg b adit-b "$ADIT" "$IB"
wg_dev a "$IA" a 51820 10.88.0.1/24 fd88::1/64
wg_dev b "$IB" b 51821 10.88.0.2/24 fd88::2/64
wg_peer a "$IA" b 10.88.0.2/32,fd88::2/128 10.77.0.2:51821
wg_peer b "$IB" a 10.88.0.1/32,fd88::1/128 10.77.0.1:51820
start b echo "$PY" "$PYDIR/tcp_echo.py" serve 7000 && wait_log echo listening

check "A pings B (IPv4 inside)" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
check "B pings A (IPv6 inside)" on b ping -6 -i 0.2 -c 2 -W 2 fd88::1
check "TCP from A to B: 8 MB echoed intact" \
	on a "$PY" "$PYDIR/tcp_echo.py" send 10.88.0.2 7000 8000000
# "  crypto threads: 2 (N packets sealed or opened by the helpers)", N > 0
helped() {
	on "$1" "$ADIT" show "$2" | tee "$T/show-$1" |
		awk '/^  crypto threads: 2 \(/ { n = substr($4, 2) } END { exit !(n > 0) }'
}
check "A's helper thread sealed or opened packets" helped a "$IA"
check "B's helper thread sealed or opened packets" helped b "$IB"
note "A: $(grep 'crypto threads' "$T/show-a")"
note "B: $(grep 'crypto threads' "$T/show-b")"
check "no packet was dropped as undecryptable or replayed" \
	sh -c "! grep -Eq 'decrypt|replay' '$T/show-a' '$T/show-b'"
stop echo
check "A's adit exits 0 on SIGTERM" stop adit-a
check "B's adit exits 0 on SIGTERM" stop adit-b

refused() { # ARG: adit --threads ARG exits 2, naming --threads
	local status=0
	on a "$ADIT" -f --threads "$1" "$(wg_ifname x)" >"$T/bad.out" 2>&1 || status=$?
	[ "$status" = 2 ] && grep -q -- '--threads' "$T/bad.out"
}
for bad in 0 17 two -1; do
	check "--threads $bad is refused (status 2)" refused "$bad"
done
finish
