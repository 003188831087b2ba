#!/usr/bin/env bash
# Roaming: wireguard-go in B changes its outer address and port twice while a TCP session to
# adit in A runs — first to another IPv4 address and port, then to IPv6 — and adit follows:
# the session survives, `wg show endpoints` on adit names B's new address and port after each
# move, and adit's own traffic to B goes to the new endpoint (A pings B).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts

wg_start_pair
wg_pair_tunnel

# shellcheck disable=SC2317 # called through check or wait_for
endpoint_is() { [ "$(wg_field a "$IA" endpoints)" = "$1" ]; }

check "before: A pings B at 10.77.0.2:51821" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
check "adit shows B at 10.77.0.2:51821" endpoint_is 10.77.0.2:51821

start a echo "$PY" "$PYDIR/tcp_echo.py" serve 7000 && wait_log echo listening
start b stream "$PY" "$PYDIR/tcp_echo.py" stream 10.88.0.1 7000 8
sleep 2

note "B moves to 10.77.0.20, port 51900"
on b ip addr del 10.77.0.2/24 dev eth0 # (first: a secondary in the subnet would go with it)
on b ip addr add 10.77.0.20/24 dev eth0
on b wg set "$IB" listen-port 51900
check "adit shows B's new endpoint 10.77.0.20:51900 (B's session keeps sending)" \
	wait_for 5 endpoint_is 10.77.0.20:51900
check "A pings B at its new endpoint" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
sleep 1

note "B moves to IPv6: fd77::2, port 51901, and reaches A at [fd77::1]:51820"
on b ip addr del 10.77.0.20/24 dev eth0
on b wg set "$IB" listen-port 51901 peer "$(cat "$T/a.pub")" endpoint '[fd77::1]:51820'
check "adit shows B's new endpoint [fd77::2]:51901" wait_for 5 endpoint_is '[fd77::2]:51901'
check "A pings B at its IPv6 endpoint" on a ping -i 0.2 -c 2 -W 2 10.88.0.2

check "the TCP session from B to A lived through both moves (8 s, every line echoed)" \
	wait_exit stream 15
check "adit still has exactly one peer" test "$(on a wg show "$IA" peers | wc -l)" = 1
finish
