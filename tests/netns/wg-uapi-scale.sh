#!/usr/bin/env bash
# The UAPI of a hub never holds the data path. A's adit (peer of wireguard-go in B) is loaded
# with 20,000 more peers by one `wg addconf`, then:
#  - `wg show dump` lists all of them, each allowed IP once;
#  - pings through the tunnel, one every 10 ms, while dumps run back to back for 4 s: none is
#    lost (the dumps go out in slices between batches of packets; adit used to stop moving
#    packets for the whole of each dump);
#  - a client asks for the dump and never reads it: pings still flow, the client is hung up
#    on within 12 s of its request (10 s without progress, in writes as in reads), adit says
#    so in its log, and wg(8) is answered after it;
#  - the 20,000 peers go again with one `wg set … peer … remove` each in a single command,
#    and the tunnel is still up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

N=20000
wg_two_hosts
wg_start_pair
wg_pair_tunnel
check "the tunnel carries a ping" on b ping -c 1 -W 2 10.88.0.1

# N peers with random keys, a /32 and a /128 each, in 10.200/16 and fd99::/64.
"$PY" - "$N" >"$T/peers.conf" <<'EOF'
import base64, os, sys
for i in range(int(sys.argv[1])):
    key = base64.b64encode(os.urandom(32)).decode()
    print("[Peer]\nPublicKey = %s\nAllowedIPs = 10.200.%d.%d/32, fd99::%x/128"
          % (key, i >> 8, i & 255, i))
EOF
t0=$(now_ms)
check "wg addconf of $N peers" on a wg addconf "$IA" "$T/peers.conf"
note "wg addconf of $N peers took $(($(now_ms) - t0)) ms"
t0=$(now_ms)
on a wg show "$IA" dump >"$T/dump"
note "wg show dump of $((N + 1)) peers took $(($(now_ms) - t0)) ms"
check "the dump lists every peer: $(($(wc -l <"$T/dump") - 1)) peer lines" \
	test "$(wc -l <"$T/dump")" = $((N + 2))
check "and every allowed IP once" \
	test "$(grep -o '10\.200\.[0-9]*\.[0-9]*/32' "$T/dump" | sort -u | wc -l)" = "$N"

# Back-to-back dumps for 4 s (in the background), pings through the tunnel meanwhile.
start a dumps bash -c 'end=$((SECONDS + 4)); n=0
	while [ $SECONDS -lt $end ]; do wg show "$1" dump >/dev/null || exit 1; n=$((n + 1)); done
	echo "dumps $n"' _ "$IA"
on b ping -q -i 0.01 -c 250 -W 2 10.88.0.1 >"$T/ping1" 2>&1
wait_log dumps '^dumps' 10
note "$(cat "$T/dumps.log"); $(grep -E 'transmitted|rtt' "$T/ping1" | tr '\n' ' ')"
check "no ping lost while dumps ran" grep -q ' 0% packet loss' "$T/ping1"

# A client that asks and never reads.
start a stuck "$PY" "$PYDIR/ctl_hold.py" "$WG_RUN/$IA.sock" $'get=1\n\n'
on b ping -q -i 0.01 -c 250 -W 2 10.88.0.1 >"$T/ping2" 2>&1
note "while a client does not read: $(grep -E 'transmitted' "$T/ping2")"
check "pings flow while a client holds the socket and does not read" \
	grep -q ' 0% packet loss' "$T/ping2"
dump_quietly() { on a timeout 20 wg show "$IA" dump >/dev/null; }
check "wg show waits for it, then is answered" dump_quietly
wait_log stuck '^hung up after' 15
note "the stuck client: $(tail -n 1 "$T/stuck.log")"
check "the stuck client was hung up on within 12 s" \
	awk '/^hung up after/ { exit !($4 < 12) }' "$T/stuck.log"
check "  and adit logged why: $(grep -m1 'hung up on it' "$T/adit.log")" \
	grep -Eq 'UAPI: a client sent and read nothing for 10 s, writing the reply, [0-9]+ peers written' \
	"$T/adit.log"

# Remove them all in one command.
args=()
while read -r key; do args+=(peer "$key" remove); done < <(awk '/^PublicKey/ { print $3 }' "$T/peers.conf")
t0=$(now_ms)
check "wg set … remove of $N peers in one command" on a wg set "$IA" "${args[@]}"
note "the removal took $(($(now_ms) - t0)) ms"
check "one peer left" test "$(on a wg show "$IA" peers | wc -l)" = 1
check "the tunnel still carries a ping" on b ping -c 1 -W 2 10.88.0.1
finish
