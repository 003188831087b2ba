#!/usr/bin/env bash
# Tasks 3-5: U reaches V through the tunnel, both directions, ping and TCP, and the per-packet
# lines at both ends name the inner addresses and the outer endpoint.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

check_not "without the tunnel U cannot reach V" on u ping -c 1 -W 1 192.168.60.5

start server srv "$ADIT" server -n tun%d -a 192.168.53.11/24
start u cli "$ADIT" client 10.9.0.11:9090 -n qiu%d -a 192.168.53.99/24 -r 192.168.60.0/24
check "server prints its interface name" wait_log srv '^Interface Name: tun0$'
check "client names its interface from the template qiu%d" wait_log cli '^Interface Name: qiu0$'
check "client routes 192.168.60.0/24 through qiu0" \
	sh -c "ip -n $(ns u) route show 192.168.60.0/24 | grep -q 'dev qiu0'"
check "client interface has 192.168.53.99/24 and is up" \
	sh -c "ip -n $(ns u) -br addr show qiu0 | grep -q 'UNKNOWN.*192.168.53.99/24'"

on u ping -i 0.2 -c 3 -W 2 192.168.60.5 >"$T/ping.out" 2>&1
check "U pings V through the tunnel" grep -q '3 received' "$T/ping.out"
check "replies come back with ttl=63 (forwarded by the server)" grep -q 'ttl=63' "$T/ping.out"
check "client logs 'From tun ==>: 192.168.53.99 --> 192.168.60.5'" \
	grep -q '^From tun ==>: 192.168.53.99 --> 192.168.60.5' "$T/cli.log"
check "client logs 'From socket <==: 192.168.60.5 --> 192.168.53.99' from 10.9.0.11:9090" \
	grep -q '^From socket <==: 192.168.60.5 --> 192.168.53.99 (from 10.9.0.11:9090)' "$T/cli.log"
check "server logs the request with the client's outer endpoint" \
	grep -Eq '^From socket <==: 192.168.53.99 --> 192.168.60.5 \(from 10.9.0.5:[0-9]+\)' "$T/srv.log"
check "server logs the reply going to the client" \
	grep -Eq '^From tun ==>: 192.168.60.5 --> 192.168.53.99 \(to 10.9.0.5:[0-9]+\)' "$T/srv.log"

start v echo "$PY" "$PYDIR/tcp_echo.py" serve 7000
wait_for 5 on v sh -c 'ss -ltn | grep -q :7000'
check "TCP from U to V: 1 MB echoed byte for byte" on u "$PY" "$PYDIR/tcp_echo.py" send 192.168.60.5 7000 1000000
check "ping -s 3000 (fragmented by the kernel) crosses the tunnel" on u ping -i 0.2 -c 2 -W 2 -s 3000 192.168.60.5

# Both directions: V starts a connection to U.
start u echo-u "$PY" "$PYDIR/tcp_echo.py" serve 7001
wait_for 5 on u sh -c 'ss -ltn | grep -q :7001'
check "TCP from V to U (192.168.53.99) through the tunnel" on v "$PY" "$PYDIR/tcp_echo.py" send 192.168.53.99 7001 100000

stop cli
check "client removes its interface on SIGTERM" wait_for 3 sh -c "! ip -n $(ns u) link show qiu0"
check "client prints its counters at exit" grep -q 'qiu0 ==> socket: [1-9]' "$T/cli.log"
check "lab-mode plaintext warning at start" grep -q 'warning: lab mode is plaintext' "$T/srv.log"
finish
