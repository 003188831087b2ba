#!/usr/bin/env bash
# One adit, two peers: adit in A is the hub of 10.88.0.0/24, with wireguard-go in B
# (10.88.0.2) and another adit in C (10.88.0.3), each on a wire of its own. Cryptokey routing
# picks the peer by destination: B and C each reach A, and reach each other through A, which
# forwards between its peers (the packet leaves A's interface for the other peer). Removing B
# with `wg set ... remove` stops B's traffic and leaves C's untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_hosts a b c
wg_wire a b
on a ip link add eth1 type veth peer name eth0 netns "$(ns c)"
on a ip addr add 10.78.0.1/24 dev eth1
on c ip addr add 10.78.0.3/24 dev eth0
on a ip link set eth1 up
on c ip link set eth0 up
on a sysctl -qw net.ipv4.ip_forward=1
wg_key a
wg_key b
wg_key c
IA=$(wg_ifname a) IB=$(wg_ifname b) IC=$(wg_ifname c)

start_wg a adit "$ADIT" "$IA"
start_wg b wgo "$WGO" "$IB"
start_wg c adit-c "$ADIT" "$IC"
wg_dev a "$IA" a 51820 10.88.0.1/24
wg_dev b "$IB" b 51821 10.88.0.2/24
wg_dev c "$IC" c 51822 10.88.0.3/24
wg_peer a "$IA" b 10.88.0.2/32
wg_peer a "$IA" c 10.88.0.3/32
# Each spoke sends the whole tunnel network to the hub.
wg_peer b "$IB" a 10.88.0.0/24 10.77.0.1:51820
wg_peer c "$IC" a 10.88.0.0/24 10.78.0.1:51820

check "B pings the hub" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
check "C pings the hub" on c ping -i 0.2 -c 2 -W 2 10.88.0.1
check "B pings C through the hub" on b ping -i 0.2 -c 2 -W 2 10.88.0.3
check "C pings B through the hub" on c ping -i 0.2 -c 2 -W 2 10.88.0.2
check "the hub knows both spokes' endpoints" \
	test "$(on a wg show "$IA" endpoints | cut -f2 | sort | tr '\n' ' ')" = \
	"10.77.0.2:51821 10.78.0.3:51822 "

on a wg set "$IA" peer "$(cat "$T/b.pub")" remove
check "after B is removed, the hub has one peer" test "$(on a wg show "$IA" peers | wc -l)" = 1
check_not "B no longer reaches the hub" on b ping -c 1 -W 1 10.88.0.1
check "C still does" on c ping -i 0.2 -c 2 -W 2 10.88.0.1
finish
