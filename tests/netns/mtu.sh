#!/usr/bin/env bash
# Packets up to the interface MTU cross the tunnel whole: --mtu 9000 at both ends carries an
# 8,000-byte ping with "don't fragment" (the outer UDP datagram is fragmented by the kernel on
# the 1500-byte "internet"), and a smaller MTU is what the kernel enforces on the sender.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start_adit server srv server -q --mtu 9000 -a 192.168.53.11/24
start_adit u cli client 10.9.0.11:9090 -q --mtu 9000 -a 192.168.53.99/24 -r 192.168.60.0/24
check "both interfaces have MTU 9000" sh -c "ip -n $(ns u) link show tun0 | grep -q 'mtu 9000' &&
	ip -n $(ns server) link show tun0 | grep -q 'mtu 9000'"
check "an 8,000-byte ping with DF set reaches the server's TUN address and back" \
	on u ping -i 0.2 -c 2 -W 2 -M do -s 8000 192.168.53.11
check "a 3,000-byte ping to V (fragmented on V's 1500-byte link) comes back" \
	on u ping -i 0.2 -c 2 -W 2 -s 3000 192.168.60.5
stop cli

start_adit u cli2 client 10.9.0.11:9090 -q --mtu 1280 -a 192.168.53.99/24 -r 192.168.60.0/24
check_not "with --mtu 1280, a 1,400-byte DF ping is refused by U's kernel" \
	on u ping -c 1 -W 1 -M do -s 1400 192.168.53.11
check "and a 1,200-byte one passes" on u ping -c 1 -W 2 -M do -s 1200 192.168.53.11
finish
