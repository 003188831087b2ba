#!/usr/bin/env bash
# adit's timers as seen on the wire (whitepaper §6), timed from tcpdump's stamps on A's eth0.
# adit in A has three peers, all in B: wireguard-go "b" (10.88.0.2, port 51821), wireguard-go
# "c" (10.89.0.3, port 51823), and "d" (10.88.0.9, port 51999, where nobody listens).
#   1. Persistent keepalive 1 to b, and nobody sends anything: a handshake completes within
#      3 s, then keepalives (type 4, 32 bytes) leave A about once a second.
# Then, at the same moment, with persistent keepalive off again:
#   2. Handshake retransmission: a packet for d sends an initiation (type 1, 148 bytes), and
#      another follows every REKEY_TIMEOUT (5 s) + jitter (0..333 ms).
#   3. Passive keepalive: b sends one datagram to a socket on A that reads in silence; A sends
#      a keepalive KEEPALIVE_TIMEOUT (10 s) later, and nothing to b before it.
#   4. New handshake: c's wireguard-go is gone, A sends it one datagram and hears nothing back;
#      KEEPALIVE + REKEY_TIMEOUT (15 s) + jitter later A initiates, and sends nothing before.
#   5. Persistent keepalive set before the endpoint (wireguard-go "e", port 51825): the
#      initiation it asks for has nowhere to go, but its timers run, so once the endpoint is
#      set a second later the next retry reaches e and a session comes up with no traffic.
# The timers belong to each peer, so 2, 3 and 4 run side by side, each on its own port.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_hosts a b
wg_wire a b
wg_key a
wg_key b
wg_key c
wg_key d
wg_key e
IA=$(wg_ifname a) IB=$(wg_ifname b) IC=$(wg_ifname c) IE=$(wg_ifname e)

wg_start_pair
start_wg b wgo-c "$WGO" "$IC"
start_wg b wgo-e "$WGO" "$IE"
wg_dev a "$IA" a 51820 10.88.0.1/24 10.89.0.1/24 10.90.0.1/24
wg_dev b "$IB" b 51821 10.88.0.2/24
wg_dev b "$IC" c 51823 10.89.0.3/24
wg_peer b "$IB" a 10.88.0.1/32
wg_peer b "$IC" a 10.89.0.1/32
wg_dev b "$IE" e 51825 10.90.0.5/24
wg_peer b "$IE" a 10.90.0.1/32
wg_peer a "$IA" c 10.89.0.3/32 10.77.0.2:51823
wg_peer a "$IA" d 10.88.0.9/32 10.77.0.2:51999

# The capture's datagrams, one a line: TIME SRC SPORT DST DPORT TYPE LEN SENDER RECEIVER.
stamps() { "$PY" "$PYDIR/wg_pcap.py" times "$T/$1.pcap" >"$T/$1.txt"; }
# from_a NAME PORT TYPE [LEN]: the times of A's messages to B's PORT (of that length).
from_a() {
	awk -v p="$2" -v t="$3" -v l="${4:-}" \
		'$2 == "10.77.0.1" && $5 == p && $6 == t && (l == "" || $7 == l) { print $1 }' \
		"$T/$1.txt"
}
# next_from_a NAME T: A's first message after time T.
next_from_a() { awk -v t="${2:-0}" '$2 == "10.77.0.1" && $1 > t { print; exit }' "$T/$1.txt"; }
# after T: for a message on stdin, "type X, N bytes, S s later" (than T).
after() { awk -v t="${1:-0}" '{ printf "type %s, %s bytes, %.3f s later", $6, $7, $1 - t }'; }
# since T: for a message on stdin, the seconds since T.
since() { awk -v t="${1:-0}" '{ print $1 - t }'; }
# within LO HI X: LO <= X <= HI, for decimals.
# shellcheck disable=SC2317 # called through check
within() {
	echo "$3 in [$1, $2]"
	awk -v lo="$1" -v hi="$2" -v x="$3" 'BEGIN { exit !(x != "" && lo <= x && x <= hi) }'
}
# gaps: the differences between successive times on stdin, 3 decimals.
gaps() { awk 'NR > 1 { printf "%s%.3f", sep, $1 - prev; sep = " " } { prev = $1 }'; }
# sec MS: milliseconds (now_ms) as seconds, to compare with capture times.
sec() { awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }'; }
# shellcheck disable=SC2317 # called through check or wait_for
has_handshake() {
	local key
	key=$(cat "$T/$1.pub")
	[ "$(on a wg show "$IA" latest-handshakes | awk -v k="$key" '$1 == k { print $2 }')" -gt 0 ]
}

note "1. persistent keepalive 1 s to b, no traffic"
capture a pk eth0 'udp port 51821'
t0=$(now_ms)
wg_peer a "$IA" b 10.88.0.2/32 10.77.0.2:51821 persistent-keepalive 1
check "a handshake with b completes within 3 s, with no traffic" \
	wait_for 3 has_handshake b
note "handshake seen after $(( $(now_ms) - t0 )) ms"
sleep 4
wg_peer a "$IA" b 10.88.0.2/32 10.77.0.2:51821 persistent-keepalive 0
end_capture pk
stamps pk
t_resp=$(awk '$2 == "10.77.0.2" && $6 == 2 && $7 == 92 { print $1; exit }' "$T/pk.txt")
kas=$(from_a pk 51821 4 32 | awk -v t="$t_resp" '$1 > t && $1 <= t + 3.5')
note "keepalives in the 3.5 s after b's response: $(echo "$kas" | grep -c .)," \
	"gaps: $(echo "$kas" | gaps)"
check "b answered A's initiation (type 2, 92 bytes)" test -n "$t_resp"
check "2 to 5 keepalives (type 4, 32 bytes) leave A in the 3.5 s after the handshake" \
	within 2 5 "$(echo "$kas" | grep -c .)"
check "nothing but initiations and keepalives left A" test -z "$(awk '$2 == "10.77.0.1" &&
	!($6 == 1 && $7 == 148) && !($6 == 4 && $7 == 32)' "$T/pk.txt")"

note "2.-5. side by side: d never answers; b sends one datagram; c stops answering; e waits"
start a sink "$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.88.0.1", 7777))
print("listening", flush=True)
while True:
    print("read", len(s.recv(2048)), flush=True)'
wait_log sink listening
check "A and c have a session (A pings c)" on a ping -c 1 -W 2 10.89.0.3
# The ping started A's path-MTU search for c (src/wg/pmtu.c): its probes are data too, and
# must be over before c goes silent, or they would be A's next messages to it.
check "A's path-MTU search is over before c goes silent" \
	wait_for 5 sh -c "! ip netns exec $(ns a) $ADIT show $IA | grep -q 'path MTU: probing'"
stop wgo-c
capture a rt eth0 'udp port 51999'
capture a ka eth0 'udp port 51821'
capture a nh eth0 'udp port 51823'
t_ping=$(now_ms)
on a ping -c 1 -W 1 10.88.0.9 >/dev/null
on b "$PY" -c 'import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"one-way", ("10.88.0.1", 7777))'
on a "$PY" -c 'import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"one-way", ("10.89.0.3", 7777))'
wg_peer a "$IA" e 10.90.0.5/32 "" persistent-keepalive 1
sleep 1
on a wg set "$IA" peer "$(cat "$T/e.pub")" endpoint 10.77.0.2:51825
sleep 14.8
end_capture rt
end_capture ka
end_capture nh
stamps rt
stamps ka
stamps nh

inits=$(from_a rt 51999 1 148 | awk -v t="$(sec "$t_ping")" '$1 <= t + 11.5')
note "2. initiations to d: $(echo "$inits" | grep -c .) in 11.5 s, the first" \
	"$(echo "$inits" | awk -v t="$(sec "$t_ping")" 'NR == 1 { printf "%.3f", $1 - t }') s" \
	"after the ping, gaps: $(echo "$inits" | gaps)"
check "a packet for d sends an initiation (type 1, 148 bytes) within 1 s" \
	within 0 1 "$(echo "$inits" | awk -v t="$(sec "$t_ping")" 'NR == 1 { print $1 - t }')"
check "3 initiations to d within 11.5 s of the packet" test "$(echo "$inits" | grep -c .)" -eq 3
for g in $(echo "$inits" | gaps); do
	check "initiations to d are REKEY_TIMEOUT + jitter apart: $g s in [4.9, 5.5]" within 4.9 5.5 "$g"
done

t_data=$(awk '$2 == "10.77.0.2" && $6 == 4 && $7 > 32 { print $1; exit }' "$T/ka.txt")
first=$(next_from_a ka "$t_data")
note "3. A's next message to b after b's datagram: $(echo "$first" | after "$t_data")"
check "b's datagram crossed the tunnel and A's socket read it" wait_log sink '^read 7$' 1
check "A's first message to b after it is a keepalive (type 4, 32 bytes)" \
	test "$(echo "$first" | awk '{ print $6, $7 }')" = "4 32"
check "it leaves A KEEPALIVE_TIMEOUT after the datagram: within [9.5, 11.5] s" \
	within 9.5 11.5 "$(echo "$first" | since "$t_data")"
check "A sent b exactly one message in those 15.8 s" \
	test "$(awk '$2 == "10.77.0.1"' "$T/ka.txt" | wc -l)" -eq 1

t_sent=$(from_a nh 51823 4 | head -n 1)
first=$(next_from_a nh "$t_sent")
note "4. A's next message to c after its datagram: $(echo "$first" | after "$t_sent")"
check "A's datagram to c left as data (type 4)" test -n "$t_sent"
check "A's next message to c is an initiation (type 1, 148 bytes)" \
	test "$(echo "$first" | awk '{ print $6, $7 }')" = "1 148"
check "it leaves A KEEPALIVE + REKEY_TIMEOUT after the datagram: within [14.9, 15.5] s" \
	within 14.9 15.5 "$(echo "$first" | since "$t_sent")"

check "5. a session with e came up with no traffic, its endpoint set after its keepalive" \
	has_handshake e
finish
