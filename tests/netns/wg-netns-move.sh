#!/usr/bin/env bash
# The interface moves, the socket stays (as in WireGuard's own netns.sh): adit is started in
# namespace A, where its UDP socket is bound and reaches B's wireguard-go over A's eth0; then
# its interface is moved to namespace C, which has no outer link at all. C configures it and
# talks to B through the tunnel both ways, while the encrypted traffic still leaves from A.
# Deleting the interface in C ends adit, which removes its UAPI socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_hosts a b c
wg_wire a b
wg_key a
wg_key b
IX=$(wg_ifname x) IB=$(wg_ifname b)

start_wg a adit "$ADIT" "$IX"
start_wg b wgo "$WGO" "$IB"
on a wg set "$IX" private-key "$T/a.key" listen-port 51820
wg_peer a "$IX" b 10.88.0.2/32,fd88::2/128 10.77.0.2:51821
wg_dev b "$IB" b 51821 10.88.0.2/24 fd88::2/64
wg_peer b "$IB" a 10.88.0.1/32,fd88::1/128

on a ip link set "$IX" netns "$(ns c)"
check "$IX is now in C, not in A" \
	sh -c "ip -n $(ns c) link show dev $IX && ! ip -n $(ns a) link show dev $IX 2>/dev/null"
on c ip addr add 10.88.0.1/24 dev "$IX"
on c ip addr add fd88::1/64 dev "$IX" nodad
on c ip link set "$IX" up

check "adit is still running" alive "$(pid_of adit)"
check "wg show $IX answers from C (the UAPI socket is host-wide)" on c wg show "$IX"
check "C pings B through the tunnel (IPv4 inside)" on c ping -i 0.2 -c 2 -W 2 10.88.0.2
check "C pings fd88::2 (IPv6 inside)" on c ping -6 -i 0.2 -c 2 -W 2 fd88::2
check "B pings C at 10.88.0.1" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
check "adit's UDP port 51820 is bound in A" sh -c "ip netns exec $(ns a) ss -Hlun | grep -q ':51820 '"
check "and not in C" sh -c "! ip netns exec $(ns c) ss -Hlun | grep -q ':51820 '"
check "B sees adit at A's outer address 10.77.0.1:51820" \
	test "$(wg_field b "$IB" endpoints)" = 10.77.0.1:51820
check "$IX counted the packets in C (RX > 0)" test "$(rx_packets c "$IX")" -gt 0

on c ip link del "$IX"
check "deleting $IX in C ends adit" wait_for 5 gone "$(pid_of adit)"
check "its UAPI socket is gone" wait_for 2 test ! -e "$WG_RUN/$IX.sock"
finish
