#!/usr/bin/env bash
# Cryptokey routing on adit's side. adit in A allows its peer B (wireguard-go) only 10.88.0.2/32
# and fd88::2/128. B also holds 10.88.9.9 and fd88:9::9 on its WireGuard interface and pings A
# from them: wireguard-go routes by destination, so it encrypts and sends; the datagrams reach
# A, but adit drops them — nothing from those sources comes out of A's interface and its RX
# counter stands still — while pings from B's allowed addresses still pass. The other way, adit
# sends nothing into the tunnel for 10.88.9.9, a destination outside every peer's AllowedIPs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts

wg_start_pair
wg_dev a "$IA" a 51820 10.88.0.1/24 fd88::1/64
wg_dev b "$IB" b 51821 10.88.0.2/24 fd88::2/64 10.88.9.9/32 fd88:9::9/128
wg_peer a "$IA" b 10.88.0.2/32,fd88::2/128 10.77.0.2:51821
wg_peer b "$IB" a 10.88.0.1/32,fd88::1/128 10.77.0.1:51820

check "B pings A from its allowed address 10.88.0.2" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
check "B pings A from fd88::2" on b ping -6 -i 0.2 -c 2 -W 2 fd88::1

RX=$(rx_packets a "$IA")
capture a outer eth0 'udp dst port 51820 and udp[8] = 4'
capture a inner "$IA" 'src 10.88.9.9 or src fd88:9::9'
check_not "B pings A from 10.88.9.9, outside B's AllowedIPs on adit: no answer" \
	on b ping -i 0.2 -c 3 -W 1 -I 10.88.9.9 10.88.0.1
check_not "... nor from fd88:9::9" on b ping -6 -i 0.2 -c 3 -W 1 -I fd88:9::9 fd88::1
end_capture outer
end_capture inner
check "the 6 spoofed pings did reach A, as transport data to adit's port" \
	test "$(pcap_count outer)" -ge 6
check "none came out of adit's interface (tcpdump on $IA)" test "$(pcap_count inner)" = 0
check "adit's interface RX counter did not move ($RX)" test "$(rx_packets a "$IA")" = "$RX"

check "B still pings A from 10.88.0.2 after the dropped packets" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
check "A's RX counter counts those (at least 1)" test "$(rx_packets a "$IA")" -gt "$RX"

RXB=$(rx_packets b "$IB")
on a ip route add 10.88.9.0/24 dev "$IA"
check_not "A pings 10.88.9.9 (routed into $IA, but no peer allows it): no answer" \
	on a ping -i 0.2 -c 2 -W 1 10.88.9.9
check "nothing arrived on B's interface meanwhile (RX counter $RXB)" \
	test "$(rx_packets b "$IB")" = "$RXB"
check "adit is still running" alive "$(pid_of adit)"
finish
