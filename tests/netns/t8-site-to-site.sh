#!/usr/bin/env bash
# Task 8: gateway to gateway. The client runs on the second site's router (10.9.0.12), and the
# private networks 192.168.50.0/24 and 192.168.60.0/24 reach each other through the tunnel.
# A site is one entry of the server's client table (its -r network), so a site with more
# hosts than a client's cap of 8 inner addresses reaches V from every one of them.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

check_not "without the tunnel 192.168.50.5 cannot reach V" on h50a ping -c 1 -W 1 192.168.60.5

start_adit server srv server -a 192.168.53.11/24 -r 192.168.50.0/24
start_adit cr cli client 10.9.0.11:9090 -a 192.168.53.12/24 -r 192.168.60.0/24
check "the server routes 192.168.50.0/24 into its tunnel" \
	sh -c "ip -n $(ns server) route show 192.168.50.0/24 | grep -q 'dev tun0'"

on h50a ping -i 0.2 -c 2 -W 2 192.168.60.5 >"$T/ping1.out" 2>&1
check "192.168.50.5 pings 192.168.60.5 across both gateways" grep -q '2 received' "$T/ping1.out"
check "two routers forward: ttl=62" grep -q 'ttl=62' "$T/ping1.out"
check "192.168.60.6 (V2) pings 192.168.50.6 (the other direction first)" \
	on v2 ping -i 0.2 -c 2 -W 2 192.168.50.6
check "the server learned 192.168.50.6 behind the client router" \
	grep -Eq '^From tun ==>: 192.168.60.6 --> 192.168.50.6 \(to 10.9.0.12:[0-9]+\)' "$T/srv.log"

# U is a client too, as in the lab: with two clients the server cannot send what no client
# owns to "the only client", so every host behind the router must be in its table.
start_adit u cliu client 10.9.0.11:9090 -a 192.168.53.99/24 -r 192.168.60.0/24
check "U pings V as well" on u ping -i 0.2 -c 2 -W 2 192.168.60.5
# Twelve more hosts on the second site (addresses of h50a), each pinging V from its own.
for h in $(seq 20 31); do on h50a ip addr add 192.168.50.$h/24 dev eth0; done
lost=""
for h in $(seq 20 31); do
	on h50a ping -I 192.168.50.$h -c 1 -W 2 192.168.60.5 >/dev/null 2>&1 || lost="$lost .$h"
done
check "14 hosts behind the client router each reach V (none lost at the cap)${lost:+; lost:$lost}" \
	test -z "$lost"
check_not "  and the server refused none of their addresses" grep -q "inner addresses at once" "$T/srv.log"

start v echo "$PY" "$PYDIR/tcp_echo.py" serve 7000
wait_for 5 on v sh -c 'ss -ltn | grep -q :7000'
check "TCP between the sites, 200 kB byte for byte" \
	on h50b "$PY" "$PYDIR/tcp_echo.py" send 192.168.60.5 7000 200000
finish
