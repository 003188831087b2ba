#!/usr/bin/env bash
# adit in lab mode speaks the lab's own protocol: each end can be swapped for the lab's Python
# script (tests/netns/py) and U still reaches V, ping and TCP, in both directions and in both
# of the lab's Task 5 variants (server replies to the last sender / both ends bind 9090).
# adit's per-packet lines name the Python peer's outer endpoint (a client's 'From tun' lines
# name none: it has one peer). One pair per case; each pair is stopped, and its interfaces
# are gone, before the next one starts.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

V=192.168.60.5

# The Python scripts print their interface name before they configure it and bind, so they
# are ready when their socket is bound (server) or their route is in place (client).
py_server_ready() { wait_for 10 sh -c "ip netns exec $(ns server) ss -Hlun | grep -q ':9090 '"; }
py_client_ready() { wait_for 10 sh -c "ip -n $(ns u) route show 192.168.60.0/24 | grep -q 'dev tun'"; }

no_tun_left() { ! link_named server 'tun*' && ! link_named u 'tun*'; }

# ping_v CASE: 3 pings from U to V; passes with 3 replies, all with ttl=63 (one forward).
ping_v() {
	on u ping -i 0.2 -c 3 -W 2 "$V" >"$T/ping-$1.out" 2>&1
	check "[$1] U pings V through the tunnel, replies with ttl=63" \
		sh -c "grep -q '3 received' $T/ping-$1.out && [ \$(grep -c 'ttl=63' $T/ping-$1.out) -eq 3 ]"
}

tcp_v() {
	check "[$1] TCP from U to V: 200 kB echoed intact" \
		on u "$PY" "$PYDIR/tcp_echo.py" send "$V" 7000 200000
}

# end_case CASE NAME...: stop the pair, then wait for its interfaces to disappear.
end_case() {
	local c=$1 name
	shift
	for name in "$@"; do stop "$name"; done
	check "[$c] stopped; no tun interface is left on the server or U" wait_for 5 no_tun_left
}

start v echo "$PY" "$PYDIR/tcp_echo.py" serve 7000
wait_for 5 on v sh -c 'ss -ltn | grep -q :7000'

# --- 1: adit server + the lab's tun_client.py (ephemeral port) ---------------------------
c=1
start_adit server srv1 server -a 192.168.53.11/24
start u pycli1 "$PY" "$PYDIR/tun_client.py" 10.9.0.11
py_client_ready
ping_v $c
tcp_v $c
port=$(on u ss -Hulnp | grep "pid=$(pid_of pycli1)," | awk '{ print $4 }' | sed 's/.*://')
note "[$c] tun_client.py sends from 10.9.0.5:${port:-?}"
check "[$c] tun_client.py sends from an ephemeral port, not 9090" \
	sh -c "[ -n '$port' ] && [ '$port' != 9090 ]"
check "[$c] adit server logs 'From socket <==: 192.168.53.99 --> $V (from 10.9.0.5:$port)'" \
	grep -qxF "From socket <==: 192.168.53.99 --> $V (from 10.9.0.5:$port)" "$T/srv1.log"
check "[$c] adit server logs 'From tun ==>: $V --> 192.168.53.99 (to 10.9.0.5:$port)'" \
	grep -qxF "From tun ==>: $V --> 192.168.53.99 (to 10.9.0.5:$port)" "$T/srv1.log"
end_case $c pycli1 srv1

# --- 2: the lab's tun_server.py (replies to the last sender) + adit client ---------------
c=2
start server pysrv2 "$PY" "$PYDIR/tun_server.py"
py_server_ready
start_adit u cli2 client 10.9.0.11:9090 -a 192.168.53.99/24 -r 192.168.60.0/24
ping_v $c
tcp_v $c
check "[$c] adit client logs 'From tun ==>: 192.168.53.99 --> $V'" \
	grep -qxF "From tun ==>: 192.168.53.99 --> $V" "$T/cli2.log"
check "[$c] adit client logs 'From socket <==: $V --> 192.168.53.99 (from 10.9.0.11:9090)'" \
	grep -qxF "From socket <==: $V --> 192.168.53.99 (from 10.9.0.11:9090)" "$T/cli2.log"
check "[$c] tun_server.py logged the client's packets" \
	grep -qxF "From socket <==: 192.168.53.99 --> $V" "$T/pysrv2.log"
end_case $c cli2 pysrv2

# --- 3: both ends bind 9090: tun_server_fixed.py sends to 10.9.0.5:9090 + adit client -p 9090
c=3
start server pysrv3 "$PY" "$PYDIR/tun_server_fixed.py" 10.9.0.5
py_server_ready
start_adit u cli3 client 10.9.0.11:9090 -p 9090 -a 192.168.53.99/24 -r 192.168.60.0/24
check "[$c] adit client is bound to 10.9.0.5's port 9090" \
	sh -c "ip netns exec $(ns u) ss -Hunap | grep 'pid=$(pid_of cli3),' | grep -q ':9090 '"
ping_v $c
tcp_v $c
check "[$c] adit client logs 'From tun ==>: 192.168.53.99 --> $V'" \
	grep -qxF "From tun ==>: 192.168.53.99 --> $V" "$T/cli3.log"
check "[$c] adit client logs 'From socket <==: $V --> 192.168.53.99 (from 10.9.0.11:9090)'" \
	grep -qxF "From socket <==: $V --> 192.168.53.99 (from 10.9.0.11:9090)" "$T/cli3.log"
end_case $c cli3 pysrv3

# --- 4: the lab's tun_client.py --bind 9090 + adit server ----------------------------------
c=4
start_adit server srv4 server -a 192.168.53.11/24
start u pycli4 "$PY" "$PYDIR/tun_client.py" 10.9.0.11 --bind 9090
py_client_ready
ping_v $c
check "[$c] adit server logs 'From socket <==: 192.168.53.99 --> $V (from 10.9.0.5:9090)'" \
	grep -qxF "From socket <==: 192.168.53.99 --> $V (from 10.9.0.5:9090)" "$T/srv4.log"
check "[$c] adit server logs 'From tun ==>: $V --> 192.168.53.99 (to 10.9.0.5:9090)'" \
	grep -qxF "From tun ==>: $V --> 192.168.53.99 (to 10.9.0.5:9090)" "$T/srv4.log"
end_case $c pycli4 srv4
finish
