#!/usr/bin/env bash
# IPv6 on both layers: the tunnel runs over IPv6 ("internet" fd09::/64), carries IPv4 and IPv6
# packets, and an IPv4 client reaches a dual-stack server listening on [::]:9090.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

on u ip -6 addr add fd09::5/64 dev eth0 nodad
on cr ip -6 addr add fd09::12/64 dev eth0 nodad
on server ip -6 addr add fd09::11/64 dev eth0 nodad
on server ip -6 addr add fd60::11/64 dev eth1 nodad
on v ip -6 addr add fd60::5/64 dev eth0 nodad
on v ip -6 route add default via fd60::11
on server sysctl -qw net.ipv6.conf.all.forwarding=1

start_adit server srv server -l '[::]:9090' -a 192.168.53.11/24 -a fd53::11/64
start_adit u cli client '[fd09::11]:9090' -a 192.168.53.99/24 -a fd53::99/64 \
	-r 192.168.60.0/24 -r fd60::/64
check "server listens on [::]:9090" grep -q 'listening on UDP \[::\]:9090' "$T/srv.log"
check "IPv4 inside IPv6: U pings V" on u ping -i 0.2 -c 2 -W 2 192.168.60.5
check "IPv6 inside IPv6: U pings V at fd60::5" on u ping -6 -i 0.2 -c 2 -W 2 fd60::5
check "the server saw the client at its IPv6 endpoint" \
	grep -Eq '^From socket <==: fd53::99 --> fd60::5 \(from \[fd09::5\]:[0-9]+\)' "$T/srv.log"
check "V pings the client's IPv6 tunnel address fd53::99" on v ping -6 -i 0.2 -c 2 -W 2 fd53::99

start_adit cr cli4 client 10.9.0.11:9090 -a 192.168.53.12/24
check "an IPv4 client reaches the dual-stack server" on cr ping -i 0.2 -c 2 -W 2 192.168.53.11
check "the server shows it as an IPv4-mapped endpoint" \
	grep -Eq '^From socket <==: 192.168.53.12 --> 192.168.53.11 \(from \[::ffff:10.9.0.12\]:[0-9]+\)' "$T/srv.log"
finish
