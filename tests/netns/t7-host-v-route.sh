#!/usr/bin/env bash
# Task 7: host V without a default route: only "192.168.53.0/24 via 192.168.60.11" brings the
# replies back to the tunnel.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start_adit server srv server -a 192.168.53.11/24
start_adit u cli client 10.9.0.11:9090 -a 192.168.53.99/24 -r 192.168.60.0/24

on v ip route del default
check_not "V without any route back: U's ping gets no reply" on u ping -c 1 -W 1 192.168.60.5
check "the request did reach V through the tunnel (server forwarded it)" \
	grep -q '^From socket <==: 192.168.53.99 --> 192.168.60.5' "$T/srv.log"
on v ip route add 192.168.53.0/24 via 192.168.60.11 dev eth0
check "with only 192.168.53.0/24 via 192.168.60.11, U pings V" on u ping -i 0.2 -c 2 -W 2 192.168.60.5
check_not "V still has no default route (10.9.0.5 stays unreachable from V)" on v ping -c 1 -W 1 10.9.0.5
finish
