#!/usr/bin/env bash
# A hub with 300 peers sends to all of them at once. adit in A is 10.90.0.1/16 with 300 peers,
# each an adit of its own in B (10.90.1.2 onwards, on UDP ports from 20000: below the ephemeral
# range, where the peers' first ports are picked). With A's daemon stopped, one datagram to
# every peer waits in its TUN; let go, A reads them in one batch of 256 and the rest in another,
# and sends each batch as one flush of 256 messages to 256 endpoints, each with a sticky source. The end of such a flush was once written past its
# array: under the sanitizers (tests/run.sh asan) that aborts the hub.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

PEERS=${PEERS:-300}
SPOKE=${SPOKE_ADIT:-$ROOT/adit} # the spokes need no sanitizer: the hub is under test
spoke_if() { echo "h$1x$$"; }
spoke_ip() { echo "10.90.$((1 + $1 / 250)).$((2 + $1 % 250))"; }

wg_hosts a b
wg_wire a b
wg_key a
IA=$(wg_ifname a)
start_wg a hub "$ADIT" "$IA"
wg_dev a "$IA" a 51820 10.90.0.1/16

# The peers' keys and the hub's configuration. The peers start in one go, from one shell in
# B (the exit trap stops whatever runs in the test's namespaces, by PID).
conf=$T/hub.conf
for i in $(seq 0 $((PEERS - 1))); do
	(umask 077 && wg genkey >"$T/s$i.key")
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\nEndpoint = 10.77.0.2:%d\n\n' \
		"$(wg pubkey <"$T/s$i.key")" "$(spoke_ip "$i")" $((20000 + i)) >>"$conf"
	printf '"%s" -f %s >>"%s" 2>&1 &\n' "$SPOKE" "$(spoke_if "$i")" "$T/spokes.log" >>"$T/start.sh"
	printf 'wg set %s private-key "%s" listen-port %d peer %s allowed-ips 10.90.0.1/32\n' \
		"$(spoke_if "$i")" "$T/s$i.key" $((20000 + i)) "$(wg pubkey <"$T/a.key")" >>"$T/conf.sh"
	printf 'addr add %s/32 dev %s\nlink set %s up\n' "$(spoke_ip "$i")" "$(spoke_if "$i")" \
		"$(spoke_if "$i")" >>"$T/spokes.ip"
	WG_SOCKETS+=("$WG_RUN/$(spoke_if "$i").sock")
done
on a wg addconf "$IA" "$conf"
check "the hub has $PEERS peers" test "$(on a wg show "$IA" peers | wc -l)" -eq $PEERS

all_spokes_serve() {
	local s
	for s in "${WG_SOCKETS[@]}"; do
		[ -S "$s" ] || return 1
	done
}
on b sh "$T/start.sh"
check "the $PEERS peers serve their UAPI sockets" wait_for 30 all_spokes_serve
check "the peers take their keys, ports and the hub" on b sh -e "$T/conf.sh"
on b ip -batch "$T/spokes.ip"

# One datagram from the hub to every peer, as fast as a loop sends them.
to_every_peer() {
	on a "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    s.sendto(b"x" * 64, ("10.90.%d.%d" % (1 + i // 250, 2 + i % 250), 9))
' "$PEERS"
}

# How many peers have written at least N packets into their TUN.
peers_with() {
	on b sh -c 'n=0; for f in /sys/class/net/h*x'$$'/statistics/rx_packets; do
		[ "$(cat "$f")" -ge '"$1"' ] && n=$((n + 1)); done; echo $n'
}

all_have() { test "$(peers_with "$1")" -eq $PEERS; }

to_every_peer
check "after one handshake each, every peer has the hub's first datagram" wait_for 30 all_have 1
note "$(on a wg show "$IA" latest-handshakes | awk '$2 > 0' | wc -l) peers with a handshake"

hub=$(pid_of hub)
kill -STOP "$hub"
to_every_peer
kill -CONT "$hub"
check "a second datagram to every peer, read in one batch, reaches all of them" \
	wait_for 10 all_have 2
check "the hub is still running" kill -0 "$hub"
check "the hub kept every peer's endpoint" \
	test "$(on a wg show "$IA" endpoints | grep -c '10.77.0.2:')" -eq $PEERS
finish
