#!/usr/bin/env bash
# Sticky source: adit answers a peer from the local address the peer wrote to, not from the
# address routing would choose. A has a second address on its outer interface, 10.77.0.100
# (and fd77::100), though routing would answer B from 10.77.0.1 (fd77::1); wireguard-go in B
# reaches adit there and initiates. Every datagram from A to B (captured on B's eth0) then
# has that source, B's `wg show endpoints` keeps naming it (wireguard-go roams to whatever
# source adit uses), and pings work both ways. When A loses the address and B moves to A's
# other one, adit — which speaks first — forgets the source that is no longer its own and
# traffic works again. First over IPv4, then over IPv6.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_hosts a b
wg_wire a b
on a ip addr add 10.77.0.100/24 dev eth0
on a ip addr add fd77::100/48 dev eth0 nodad # /48: routing prefers fd77::1, in the longer /64
# shellcheck disable=SC2317 # called through check
route_src() {
	on a ip route get "$1" | grep -o 'src [^ ]*'
	[ "$(on a ip route get "$1" | grep -o 'src [^ ]*')" = "src $2" ]
}
check "routing alone would send from A to B from 10.77.0.1" route_src 10.77.0.2 10.77.0.1
check "routing alone would send from A to B from fd77::1" route_src fd77::2 fd77::1
wg_key a
wg_key b
IA=$(wg_ifname a) IB=$(wg_ifname b)

wg_start_pair
wg_dev a "$IA" a 51820 10.88.0.1/24
wg_dev b "$IB" b 51821 10.88.0.2/24
wg_peer a "$IA" b 10.88.0.2/32
wg_peer b "$IB" a 10.88.0.1/32 10.77.0.100:51820

# sources NAME: "COUNT ADDRESS" for each source address of A's datagrams (from port 51820).
sources() {
	"$PY" "$PYDIR/wg_pcap.py" list "$T/$1.pcap" | awk '$2 == 51820 { print $1 }' | sort | uniq -c
}
# shellcheck disable=SC2317 # called through check
only_from() { sources "$1"; [ "$(sources "$1" | awk '{ print $2 }')" = "$2" ]; }
# shellcheck disable=SC2317
endpoint_of_a() { wg_field b "$IB" endpoints; [ "$(wg_field b "$IB" endpoints)" = "$1" ]; }

# phase NAME SRC ENDPOINT WHO: pings in the order WHO says ("b a": B first), capturing on B.
phase() {
	local name=$1 src=$2 endpoint=$3 who
	shift 3
	capture b "$name" eth0 'udp port 51820'
	for who in "$@"; do
		if [ "$who" = a ]; then
			check "A pings B" on a ping -c 3 -i 0.2 -W 2 10.88.0.2
		else
			check "B pings A" on b ping -c 3 -i 0.2 -W 2 10.88.0.1
		fi
	done
	end_capture "$name"
	note "sources of A's datagrams to B: $(sources "$name" | xargs)"
	check "every datagram from A to B came from $src" only_from "$name" "$src"
	check "B's endpoint for A is still $endpoint" endpoint_of_a "$endpoint"
}

note "IPv4: B reaches A at its second address, 10.77.0.100, and initiates"
phase v4 10.77.0.100 10.77.0.100:51820 b a

note "A loses 10.77.0.100; B moves to 10.77.0.1; A speaks first"
on a ip addr del 10.77.0.100/24 dev eth0
on b wg set "$IB" peer "$(cat "$T/a.pub")" endpoint 10.77.0.1:51820
phase v4-moved 10.77.0.1 10.77.0.1:51820 a b

note "IPv6: B reaches A at fd77::100"
on b wg set "$IB" peer "$(cat "$T/a.pub")" endpoint '[fd77::100]:51820'
phase v6 fd77::100 '[fd77::100]:51820' b a

note "A loses fd77::100; B moves to fd77::1; A speaks first"
on a ip addr del fd77::100/48 dev eth0
on b wg set "$IB" peer "$(cat "$T/a.pub")" endpoint '[fd77::1]:51820'
phase v6-moved fd77::1 '[fd77::1]:51820' a b

check "adit's endpoint for B is [fd77::2]:51821" \
	test "$(wg_field a "$IA" endpoints)" = '[fd77::2]:51821'
finish
