#!/usr/bin/env bash
# Task 6: break the tunnel while a TCP session is open — kill the client and start it again,
# then the server — and the session resumes with every byte intact. Each restart recreates
# the interface, its address and its route.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

client() { start_adit u "$1" client 10.9.0.11:9090 -a 192.168.53.99/24 -r 192.168.60.0/24; }
server() { start_adit server "$1" server -a 192.168.53.11/24; }

server srv1
client cli1
start v echo "$PY" "$PYDIR/tcp_echo.py" serve 7000
wait_for 5 on v sh -c 'ss -ltn | grep -q :7000'
check "the tunnel carries traffic before the break" on u ping -c 1 -W 2 192.168.60.5

# One TCP session across both breaks: a numbered line every 50 ms, each echo checked, for at
# least 14 s and until the test says stop (a fixed length once ended before the second break
# on a busy machine, and a client that sends nothing never learns that its server is gone).
t0=$SECONDS
start u session "$PY" "$PYDIR/tcp_echo.py" stream 192.168.60.5 7000 90 "$T/session.stop"
sleep 2
stop cli1 INT
check "the client's interface is gone while it is down" sh -c "! ip -n $(ns u) link show tun0"
sleep 1.5
client cli2
check "the restarted client recreates tun0" wait_log cli2 '^Interface Name: tun0$'
check "the route to 192.168.60.0/24 is back" \
	sh -c "ip -n $(ns u) route show 192.168.60.0/24 | grep -q 'dev tun0'"
check "the server hands 192.168.53.99 to the client's new port" wait_log srv1 '192.168.53.99 moved to 10.9.0.5:' 10

sleep 2
stop srv1 TERM
sleep 1.5
server srv2
check "the restarted server recreates its tun0" wait_log srv2 '^Interface Name: tun0$'
check "the client keeps running while the server is away" sh -c "kill -0 $(pid_of cli2)"
check "the client says the server was unreachable" wait_log cli2 'warning: server 10.9.0.11:9090 unreachable' 10
check "and that it answers again" wait_log cli2 'server 10.9.0.11:9090 answers again' 10

check "the session is still running after both breaks" sh -c "kill -0 $(pid_of session)"
while [ $((SECONDS - t0)) -lt 14 ]; do sleep 0.2; done
touch "$T/session.stop"
wait_for 40 sh -c "! kill -0 $(pid_of session) 2>/dev/null"
check "the TCP session survived both breaks, every line intact" stop session
check "the session really spanned the breaks" grep -Eq 'ok: [0-9]{3} lines echoed intact' "$T/session.log"
check "client and server still carry new traffic" on u ping -c 1 -W 2 192.168.60.5
finish
