#!/usr/bin/env bash
# Two clients on one server at once: U (192.168.53.99) and the second site's router
# (192.168.53.12). The server sends each packet to the client that owns its destination.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start_adit server srv server -a 192.168.53.11/24
start_adit u cli1 client 10.9.0.11:9090 -a 192.168.53.99/24 -r 192.168.60.0/24
start_adit cr cli2 client 10.9.0.11:9090 -p 9090 -a 192.168.53.12/24 -r 192.168.60.0/24

check "client 1 (U) pings V" on u ping -i 0.2 -c 2 -W 2 192.168.60.5
check "client 2 (10.9.0.12) pings V" on cr ping -i 0.2 -c 2 -W 2 192.168.60.5
check "V pings client 1 at 192.168.53.99" on v ping -i 0.2 -c 2 -W 2 192.168.53.99
check "V2 pings client 2 at 192.168.53.12" on v2 ping -i 0.2 -c 2 -W 2 192.168.53.12
check "replies for .99 went to U's endpoint only" \
	sh -c "! grep -E 'From tun ==>: [0-9.]+ --> 192.168.53.99 \(to 10.9.0.12' $T/srv.log &&
	       grep -Eq 'From tun ==>: [0-9.]+ --> 192.168.53.99 \(to 10.9.0.5:' $T/srv.log"
check "replies for .12 went to 10.9.0.12:9090 only" \
	sh -c "! grep -E 'From tun ==>: [0-9.]+ --> 192.168.53.12 \(to 10.9.0.5' $T/srv.log &&
	       grep -q 'From tun ==>: 192.168.60.6 --> 192.168.53.12 (to 10.9.0.12:9090)' $T/srv.log"
check "client 1 never saw client 2's traffic" sh -c "! grep -q '192.168.53.12' $T/cli1.log"

on v ping -c 1 -W 1 192.168.53.77 >/dev/null 2>&1
check "a destination no client owns is dropped, not sent to a random client" \
	wait_log srv 'From tun ==>: 192.168.60.5 --> 192.168.53.77 \(no client owns the destination: dropped\)'

start v echo "$PY" "$PYDIR/tcp_echo.py" serve 7000
wait_for 5 on v sh -c 'ss -ltn | grep -q :7000'
start u tcp1 "$PY" "$PYDIR/tcp_echo.py" send 192.168.60.5 7000 300000
start cr tcp2 "$PY" "$PYDIR/tcp_echo.py" send 192.168.60.5 7000 300000
wait_for 30 sh -c "! kill -0 $(pid_of tcp1) 2>/dev/null && ! kill -0 $(pid_of tcp2) 2>/dev/null"
check "TCP from client 1, at the same time as client 2, intact" stop tcp1
check "TCP from client 2, at the same time as client 1, intact" stop tcp2
finish
