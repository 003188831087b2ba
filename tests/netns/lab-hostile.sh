#!/usr/bin/env bash
# A million hostile datagrams at a live lab-mode server (plaintext) with two clients, U and
# the second site's router, from a second address of U's (10.9.0.66): random bytes of random
# sizes up to 65,507, IPv4 and IPv6 packets that look real (ICMP, UDP, TCP, right and wrong
# lengths, sources outside the tunnel's subnet), truncated headers, and bit-flipped copies of
# the clients' real packets. The server stays up, sends the attacker nothing, gives back its
# memory, and both clients keep reaching V during the flood and after; V still reaches each
# client at its own address. HOSTILE_SCALE=N sends N times as many (make stress).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh" # capture, pcap_count, wait_exit; no namespaces of its own here
. "$(dirname "$0")/hostlib.sh"
need_adit
lab_up || finish

COUNT=$((1000000 * SCALE))

start_adit server srv server -q -a 192.168.53.11/24
start_adit u cli1 client 10.9.0.11:9090 -q -a 192.168.53.99/24 -r 192.168.60.0/24
start_adit cr cli2 client 10.9.0.11:9090 -q -p 9090 -a 192.168.53.12/24 -r 192.168.60.0/24
on u ip addr add 10.9.0.66/24 dev eth0

capture server real eth0 'udp dst port 9090'
check "client 1 (U) pings V" on u ping -c 3 -i 0.2 -W 2 192.168.60.5
check "client 2 (10.9.0.12) pings V" on cr ping -c 3 -i 0.2 -W 2 192.168.60.5
end_capture real

PID=$(pid_of srv)
# The baseline is taken once datagrams of the largest size have touched every buffer.
RSS_START=$(rss_kb "$PID")
warm_pool "$PID" u 10.9.0.66 10.9.0.11 9090
RSS0=$(rss_kb "$PID")
read -r in0 err0 <<<"$(udp_in server)"
CPU0=$(cpu_ticks "$PID")

# ping -w: each ends by itself, 8 s on, whatever the flood does to its packets
start u ping1 ping -i 0.2 -w 8 192.168.60.5
start cr ping2 ping -i 0.2 -w 8 192.168.60.5
capture server answers eth0 'udp src port 9090 and dst host 10.9.0.66'
on u "$PY" "$PYDIR/hostile.py" lab-mix 10.9.0.66 10.9.0.11 9090 "$COUNT" "$T/real.pcap" \
	>"$T/flood.out" 2>&1
end_capture answers
read -r in1 err1 <<<"$(udp_in server)"
CPU1=$(cpu_ticks "$PID")
sed 's/^/#   /' "$T/flood.out"
note "sent $(fig sent "$T/flood.out") in $(fig seconds "$T/flood.out") s ($(fig rate "$T/flood.out")/s);" \
	"the server's namespace: UDP InDatagrams +$((in1 - in0)), RcvbufErrors +$((err1 - err0));" \
	"the server's CPU $(( (CPU1 - CPU0) * 1000 / $(getconf CLK_TCK) )) ms"
wait_exit ping1 15
wait_exit ping2 15
for p in ping1 ping2; do note "$p during the flood: $(grep 'packets transmitted' "$T/$p.log")"; done
received() { grep -Eq ' [1-9][0-9]* received' "$T/$1.log"; }
check "the flood went out: $COUNT datagrams" test "$(fig sent "$T/flood.out")" = "$COUNT"
check "the server is still running" alive "$PID"
check "client 1's pings to V were answered during the flood" received ping1
check "client 2's pings to V were answered during the flood" received ping2
check "the attacker got no answer" test "$(fig answers "$T/flood.out")" = 0
check "nothing left the server's port toward the attacker (tcpdump)" test "$(pcap_count answers)" = 0
[ "$(pcap_count answers)" = 0 ] || show_pcap answers
# The clients have been quiet since their pings ended; the server must still know them.
check "after the flood, before the clients speak again, V pings client 1 at 192.168.53.99" \
	on v ping -i 0.2 -c 2 -W 2 192.168.53.99
check "  and V2 pings client 2 at 192.168.53.12" on v2 ping -i 0.2 -c 2 -W 2 192.168.53.12
check "client 1 (U) pings V after the flood" on u ping -c 3 -i 0.2 -W 2 192.168.60.5
check "client 2 pings V after the flood" on cr ping -c 3 -i 0.2 -W 2 192.168.60.5
RSS1=$(rss_kb "$PID")

note "the server's VmRSS: $RSS_START kB at first, $RSS0 kB after warm_pool," \
	"$RSS1 kB after the flood"
check_rss "the server's memory is back to its baseline" "$RSS0" "$RSS1"
check "the server exits cleanly on TERM" stop srv
grep 'dropped\|clients' "$T/srv.log" | while read -r line; do note "$line"; done
finish
