#!/usr/bin/env bash
# Padding on the wire: adit pads each inner packet with zeros to a multiple of 16, but never
# past the interface's MTU, so a full-size packet stays full size. Seen on the outer link:
# a 29-byte packet travels as a 64-byte data message (16 header + 32 + 16 tag); a 1420-byte
# packet as 1452 bytes over IPv6, not fragmented; and after `ip link set mtu 1380`, a 1380-byte
# packet as 1412 bytes (adit notices the new MTU within a second).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts

wg_start_pair
wg_dev a "$IA" a 51820 10.88.0.1/24
wg_dev b "$IB" b 51821 10.88.0.2/24
wg_peer a "$IA" b 10.88.0.2/32 '[fd77::2]:51821'
wg_peer b "$IB" a 10.88.0.1/32
check "the tunnel is up over IPv6" on a ping -c 1 -W 2 10.88.0.2
# The ping started a path-MTU search; its probes must not be in the captures below.
check "adit found the path takes the whole MTU: path MTU 1420" \
	wait_for 5 sh -c "ip netns exec $(ns a) $ADIT show $IA | grep -q 'path MTU: 1420 (probed'"

# Lengths of the UDP payloads adit sent, one per line.
sent_lengths() {
	tcpdump -r "$T/$1.pcap" -n 2>/dev/null | grep -o 'UDP, length [0-9]*' | awk '{ print $3 }' |
		sort -u | tr '\n' ' '
}

capture a small eth0 'ip6 and src host fd77::1'
on a ping -i 0.2 -c 2 -s 1 -W 2 10.88.0.2 >/dev/null
end_capture small
check "a 29-byte ping travels as a 64-byte data message (padded to 32): $(sent_lengths small)" \
	test "$(sent_lengths small)" = "64 "

# 1420 bytes with DF: 28 bytes of headers and 1392 of payload.
capture a full eth0 'ip6 and src host fd77::1'
check "a 1420-byte packet crosses (DF set)" on a ping -i 0.2 -c 2 -M do -s 1392 -W 2 10.88.0.2
end_capture full
check "it travels as 1452 bytes, padded no further than the MTU: $(sent_lengths full)" \
	test "$(sent_lengths full)" = "1452 "
check_not "no IPv6 fragment left adit" test "$(pcap_count full 'ip6[6] = 44')" -gt 0

on a ip link set "$IA" mtu 1380
sleep 1.5
# The first packet after the change shows adit the new MTU, which starts a path-MTU search
# (src/wg/pmtu.c): its probes, up to the new MTU, must be over before the capture.
on a ping -c 1 -W 2 10.88.0.2 >/dev/null
check "adit probes the path again, up to the new MTU: path MTU 1380" \
	wait_for 5 sh -c "ip netns exec $(ns a) $ADIT show $IA | grep -q 'path MTU: 1380 (probed'"
capture a smaller eth0 'ip6 and src host fd77::1'
check "after mtu 1380, a 1380-byte packet crosses" on a ping -i 0.2 -c 2 -M do -s 1352 -W 2 10.88.0.2
end_capture smaller
check "it travels as 1412 bytes: $(sent_lengths smaller)" test "$(sent_lengths smaller)" = "1412 "
finish
