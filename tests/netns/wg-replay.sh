#!/usr/bin/env bash
# Replay protection. wireguard-go in B sends adit in A one echo request of a size nothing else
# has (ping -s 777: an 805-byte IPv4 packet, so an 848-byte transport-data message). The
# datagram is captured on B's outer link and its UDP payload sent to adit's port again, 3 times
# from B's address on another port and 3 times from a second address of B. adit drops every
# copy: the echo request comes out of A's interface once, A's RX counter moves by one, and
# adit's endpoint for B stays where the genuine packet came from. The tunnel still works after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts
on b ip addr add 10.77.0.66/24 dev eth0

wg_start_pair
wg_pair_tunnel
check "A pings B (the session is up)" on a ping -i 0.2 -c 2 -W 2 10.88.0.2

capture b sent eth0 'udp dst port 51820 and udp[8] = 4'
capture a arrived eth0 'udp dst port 51820 and udp[4:2] = 856'
capture a inner "$IA" 'icmp[icmptype] = icmp-echo and ip[2:2] = 805'
RX=$(rx_packets a "$IA")
check "B pings A once with 777 bytes of data" on b ping -c 1 -W 2 -s 777 10.88.0.1
end_capture sent
check "B's capture holds the 848-byte transport-data message" \
	sh -c "$PY $PYDIR/wg_pcap.py list $T/sent.pcap | awk '\$5 == 4 && \$6 == 848 { n++ } END { exit n != 1 }'"
check "sent again 3 times from 10.77.0.2, another port" \
	on b "$PY" "$PYDIR/wg_pcap.py" resend "$T/sent.pcap" 4 848 10.77.0.2 10.77.0.1 51820 3
check "sent again 3 times from 10.77.0.66" \
	on b "$PY" "$PYDIR/wg_pcap.py" resend "$T/sent.pcap" 4 848 10.77.0.66 10.77.0.1 51820 3
end_capture arrived
end_capture inner
check "all 7 copies reached A's outer link" test "$(pcap_count arrived)" = 7
check "the echo request came out of adit's interface once" test "$(pcap_count inner)" = 1
check "A's RX counter moved by exactly 1" test "$(rx_packets a "$IA")" = $((RX + 1))
check "adit's endpoint for B is still 10.77.0.2:51821" \
	test "$(wg_field a "$IA" endpoints)" = 10.77.0.2:51821
check "B pings A again after the replays" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
check "adit is still running" alive "$(pid_of adit)"
finish
