#!/usr/bin/env bash
# ICMP errors about the tunnel's datagrams (protocol unreachable, a firewall's "prohibited",
# a hop's "fragmentation needed") reach the client as errors on its socket. None of them is a
# reason to stop: the client says so once and keeps carrying traffic.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start_adit server srv server -a 192.168.53.11/24
start_adit u cli client 10.9.0.11:9090 -a 192.168.53.99/24 -r 192.168.60.0/24
check "the tunnel works" on u ping -c 1 -W 2 192.168.60.5
port=$(ip netns exec "$(ns u)" ss -Hun "dst 10.9.0.11:9090" | awk '{ n = split($3, a, ":"); print a[n]; exit }')
note "client sends from 10.9.0.5:$port"

again_before=$(grep -c 'answers again' "$T/cli.log")
# The server's host answers a datagram of the client's with ICMP "protocol unreachable"
# (code 2), which Linux hands to the connected socket as ENOPROTOOPT.
on server "$PY" -c "
from scapy.all import IP, ICMP, UDP, send
quoted = IP(src='10.9.0.5', dst='10.9.0.11') / UDP(sport=$port, dport=9090)
send(IP(src='10.9.0.11', dst='10.9.0.5') / ICMP(type=3, code=2) / bytes(quoted)[:28], verbose=0)
"
check "the client reports the error" wait_log cli 'warning: server 10.9.0.11:9090 unreachable \(Protocol not available\)'
check "and is still running" sh -c "kill -0 $(pid_of cli)"
check "the tunnel still carries traffic" on u ping -i 0.2 -c 2 -W 2 192.168.60.5
check "and says so when it answers again" \
	wait_for 5 sh -c "[ \$(grep -c 'answers again' $T/cli.log) -gt $again_before ]"

# A hop with a smaller MTU: a client at 192.168.50.5 reaches the server through the second
# site's router, whose internet link carries 1400 bytes. adit's datagrams go out without DF,
# so the router fragments them: nothing is lost and no "fragmentation needed" comes back.
on server ip route add 192.168.50.0/24 via 10.9.0.12
on cr ip link set eth0 mtu 1400
on server ip link set eth0 mtu 1400
start_adit h50a far client 10.9.0.11:9090 -a 192.168.53.55/24
on h50a ping -c 3 -i 0.3 -W 2 -s 1400 192.168.53.11 >"$T/far.out" 2>&1
check "1,428-byte packets cross a 1,400-byte hop, none lost" grep -q '3 received' "$T/far.out"
check "the far client is still running" sh -c "kill -0 $(pid_of far)"
finish
