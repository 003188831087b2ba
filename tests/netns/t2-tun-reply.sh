#!/usr/bin/env bash
# Task 2: the interface is named from a template (2.a), configured by adit through netlink
# (2.b), every packet read is printed on one line (2.c), and with --reply pings to any address
# behind the interface are answered (2.d), over IPv4 and IPv6.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

check "a template longer than 15 characters is refused with status 2" \
	sh -c "ip netns exec $(ns u) $ADIT tun -n averyverylongname%d 2>$T/long.err; [ \$? -eq 2 ]"
check "the message names the template and the limit" \
	grep -q "invalid interface name 'averyverylongname%d' (Linux allows interface names of at most 15" "$T/long.err"

start u tun "$ADIT" tun -n qiu%d -a 192.168.53.99/24 -a fd53::99/64 --mtu 1400 --reply
check "2.a the kernel picks the number: Interface Name: qiu0" wait_log tun '^Interface Name: qiu0$'
ip -n "$(ns u)" -d addr show qiu0 >"$T/addr.out" 2>&1
check "2.b qiu0 is up with 192.168.53.99/24" grep -q 'inet 192.168.53.99/24' "$T/addr.out"
check "2.b qiu0 has fd53::99/64" grep -q 'inet6 fd53::99/64' "$T/addr.out"
check "2.b MTU 1400" grep -q 'mtu 1400' "$T/addr.out"
check "2.b link is up" grep -q '<POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP>' "$T/addr.out"
check "2.b a TUN is a tun device" grep -q 'tun type tun' "$T/addr.out"

on u ping -i 0.2 -c 3 -W 2 192.168.53.1 >"$T/ping.out" 2>&1
check "2.d ping 192.168.53.1 is answered by adit" grep -q '3 received' "$T/ping.out"
check "2.c the request is printed with type, id and seq" \
	wait_log tun '^IPv4 192.168.53.99 > 192.168.53.1 ICMP echo-request id=[0-9]+ seq=3 ttl=64 len=84$'
check "2.d the reply is printed" \
	grep -Eq '^  reply: IPv4 192.168.53.1 > 192.168.53.99 ICMP echo-reply id=[0-9]+ seq=3 ttl=64 len=84$' "$T/tun.log"
check "2.d ping -s 1000 (payload copied whole)" on u ping -c 1 -W 2 -s 1000 -p 5aa5 192.168.53.7
check "2.d ping -s 3000: the fragmented request is reassembled and answered" \
	on u ping -c 2 -i 0.3 -W 2 -s 3000 -p a55a 192.168.53.1
check "2.d ping -s 20000 (14 fragments) is answered too" on u ping -c 1 -W 2 -s 20000 192.168.53.1
check "2.d IPv6: ping fd53::1 is answered" on u ping -6 -i 0.2 -c 2 -W 2 fd53::1
check "2.c ICMPv6 requests are printed" wait_log tun '^IPv6 fd53::99 > fd53::1 ICMPv6 echo-request'

on u bash -c 'echo hello > /dev/udp/192.168.53.5/5353' 2>/dev/null
check "2.c a UDP datagram is printed with ports and length" \
	wait_log tun '^IPv4 192.168.53.99:[0-9]+ > 192.168.53.5:5353 UDP len=6$'
on u timeout 1 bash -c 'exec 3<>/dev/tcp/192.168.53.6/23' 2>/dev/null
check "2.c a TCP SYN is printed with flags and sequence number" \
	wait_log tun '^IPv4 192.168.53.99:[0-9]+ > 192.168.53.6:23 TCP \[S\] seq=[0-9]+ '
check "2.c packets not routed to qiu0 are not seen" sh -c "! grep -q '10.9.0.11' $T/tun.log"

stop tun
check "the interface is removed when adit stops" wait_for 3 sh -c "! ip -n $(ns u) link show qiu0"
check "adit tun prints its counters when it stops" \
	grep -Eq '^adit: qiu0: [1-9][0-9]* packets read, [1-9][0-9]* replies written$' "$T/tun.log"
start u tun2 "$ADIT" tun -q
wait_log tun2 "^Interface Name: tun0$"
check "adit exits 0 on SIGTERM" stop tun2
finish
