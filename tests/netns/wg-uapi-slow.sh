#!/usr/bin/env bash
# adit serves its UAPI socket one connection at a time, and bounds a client that stops, not
# one that is slow:
#  - a client that starts a set and then sends nothing is hung up on after 10 s idle; it is
#    told errno=-110 (ETIMEDOUT), the lines it sent before stay applied (as after any error),
#    and adit logs why and how far the set got;
#  - a client that trickles a set, a line a second for 15 s, is not cut: every line is
#    applied and it is answered errno=0 (the 10 s used to bound the whole request, and cut
#    a million-peer setconf, half applied, with nothing said);
#  - a client that asks over one connection every 2 s gives way, between two requests, to
#    wg(8) waiting behind it (it used to hold the socket for as long as it kept asking).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit

wg_hosts a
IA=$(wg_ifname a)
SOCK=$WG_RUN/$IA.sock
start_wg a adit "$ADIT" "$IA"

start a stall "$PY" "$PYDIR/uapi_slow.py" stall "$SOCK" listen_port=4242
check "a set that stalls is hung up on within 12 s" wait_log stall '^hung up after' 13
note "$(cat "$T/stall.log")"
check "  after 10 s idle, told errno=-110" \
	awk '/^hung up after/ { exit !($4 >= 9.5 && $6 == "errno=-110") }' "$T/stall.log"
check "  what it sent before is applied" test "$(on a wg show "$IA" listen-port)" = 4242
check "  and adit says why and how far the set got: $(grep -m1 'hung up' "$T/adit.log")" \
	grep -Eq 'UAPI: a client sent and read nothing for 10 s, in a set, 1 lines read, 0 peers .*hung up on it' \
	"$T/adit.log"

# Six peers and a port, 13 lines, one a second.
lines=(listen_port=4243)
for i in 1 2 3 4 5 6; do
	wg_key "p$i"
	lines+=("public_key=$(base64 -d <"$T/p$i.pub" | od -An -tx1 -v | tr -d ' \n')" "allowed_ip=10.99.0.$i/32")
done
start a trickle "$PY" "$PYDIR/uapi_slow.py" trickle "$SOCK" 1 "${lines[@]}"
check "a set trickled over 15 s is answered" wait_log trickle '^(answer|cut off) after' 20
note "$(cat "$T/trickle.log")"
check "  with errno=0" grep -Eq '^answer after [0-9.]+ s: errno=0$' "$T/trickle.log"
check "  and all of it is applied: $(on a wg show "$IA" peers | wc -l) peers" \
	sh -c "[ \"\$(ip netns exec $(ns a) wg show $IA allowed-ips | grep -c '10\.99\.0\.')\" = 6 ] &&
		[ \"\$(ip netns exec $(ns a) wg show $IA listen-port)\" = 4243 ]"
check "  and adit hung up on no other client" test "$(grep -c 'hung up on it' "$T/adit.log")" = 1

start a asker "$PY" "$PYDIR/uapi_slow.py" ask "$SOCK" 2 10
wait_log asker '^answered 1'
t0=$(now_ms)
check "wg show is answered while another client keeps asking over one connection" \
	on a timeout 6 wg show "$IA"
note "wg show waited $(($(now_ms) - t0)) ms"
wait_log asker '^hung up after' 3
check "  the asker gave way between two requests: $(tail -n 1 "$T/asker.log")" \
	grep -Eq '^hung up after [1-9][0-9]* answers' "$T/asker.log"
check "adit is still running" alive "$(pid_of adit)"
finish
