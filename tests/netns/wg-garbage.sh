#!/usr/bin/env bash
# Garbage at adit's WireGuard port, from a second address of namespace B (wireguard-go's):
#  - 100,000 bad datagrams before any handshake (wg_garbage.py flood: random bytes of 0..200,
#    messages of each type at right and wrong sizes, none with a valid mac1): adit answers
#    none (nothing leaves its port, the sender gets nothing), keeps running, and its
#    `wg show dump` is unchanged;
#  - 100 initiations and responses with a valid mac1 but garbage inside, 50 a second: no
#    answer either, dump unchanged;
#  - a real handshake from B while another garbage flood runs completes at once (the garbage
#    alone does not put adit "under load", which would cost B a cookie round trip of 5 s);
#  - 20,000 transport-data messages with the session's real receiver index and random
#    counters and ciphertext: none answered, and the session still carries traffic both ways
#    (a forged counter never moved adit's replay window).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts
on b ip addr add 10.77.0.66/24 dev eth0

wg_start_pair
wg_dev a "$IA" a 51820 10.88.0.1/24
wg_dev b "$IB" b 51821 10.88.0.2/24
wg_peer a "$IA" b 10.88.0.2/32
wg_peer b "$IB" a 10.88.0.1/32 10.77.0.1:51820

# shellcheck disable=SC2016 # awk's own $2 and $6
udp_in() { on a awk '/^Udp:/ && ++n == 2 { print $2, $6 }' /proc/net/snmp; }
garbage() { on b "$PY" "$PYDIR/wg_garbage.py" "$1" 10.77.0.66 10.77.0.1 51820 "${@:2}"; }

DUMP=$(on a wg show "$IA" dump)
SNMP=$(udp_in)
capture a replies eth0 'udp src port 51820'
garbage flood 100000 >"$T/flood.out" 2>&1
end_capture replies
read -r in0 err0 <<<"$SNMP"
read -r in1 err1 <<<"$(udp_in)"
note "adit's namespace: UDP InDatagrams +$((in1 - in0)), RcvbufErrors +$((err1 - err0))"
check "the flood went out: $(cat "$T/flood.out")" grep -q '^sent 100000,' "$T/flood.out"
check "the sender got no answer" grep -q 'answers 0$' "$T/flood.out"
check "nothing left adit's port during the flood (tcpdump on A's eth0)" \
	test "$(pcap_count replies)" = 0
check "adit is still running" alive "$(pid_of adit)"
check "adit's wg show dump is unchanged (no handshake, no endpoint, no new peer)" \
	test "$(on a wg show "$IA" dump)" = "$DUMP"

capture a replies1 eth0 'udp src port 51820'
garbage mac1 100 "$(cat "$T/a.pub")" >"$T/mac1.out" 2>&1
end_capture replies1
check "100 handshake messages with a valid mac1, garbage inside: $(cat "$T/mac1.out")" \
	grep -q '^sent 100, answers 0$' "$T/mac1.out"
check "nothing left adit's port for them" test "$(pcap_count replies1)" = 0
check "adit's wg show dump is still unchanged" test "$(on a wg show "$IA" dump)" = "$DUMP"

capture a replies2 eth0 'udp src port 51820 and dst host 10.77.0.66'
capture a cookies eth0 'udp src port 51820 and dst host 10.77.0.2 and udp[8] = 3'
start b flood2 "$PY" "$PYDIR/wg_garbage.py" flood 10.77.0.66 10.77.0.1 51820 60000 2
sleep 1
check "during a second flood, B's handshake and first ping succeed within 3 s (no cookie)" \
	on b ping -c 1 -W 3 10.88.0.1
check "the second flood ends" wait_exit flood2 30
end_capture replies2
end_capture cookies
note "cookie replies adit sent B during the flood: $(pcap_count cookies)"
check "... unanswered: $(cat "$T/flood2.log")" grep -q '^sent 60000, answers 0$' "$T/flood2.log"
check "nothing left adit's port for the flooder" test "$(pcap_count replies2)" = 0

capture b data eth0 'udp dst port 51820 and udp[8] = 4'
check "B pings A" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
end_capture data
INDEX=$("$PY" "$PYDIR/wg_pcap.py" list "$T/data.pcap" | awk '$5 == 4 { print $8; exit }')
check "B's transport data names adit's receiver index (${INDEX:-none})" test -n "$INDEX"

capture a replies3 eth0 'udp src port 51820 and dst host 10.77.0.66'
garbage data 20000 "${INDEX:-00000000}" >"$T/data.out" 2>&1
end_capture replies3
check "20,000 forged data messages to index ${INDEX:-none}: $(cat "$T/data.out")" \
	grep -q '^sent 20000, answers 0$' "$T/data.out"
check "nothing left adit's port for the forger" test "$(pcap_count replies3)" = 0
check "B still pings A (forged counters did not move the replay window)" \
	on b ping -i 0.2 -c 2 -W 2 10.88.0.1
check "A pings B" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
check "adit still shows one peer, at B's real endpoint 10.77.0.2:51821" \
	test "$(on a wg show "$IA" endpoints)" = "$(cat "$T/b.pub")	10.77.0.2:51821"
check "adit is still running" alive "$(pid_of adit)"
finish
