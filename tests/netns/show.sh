#!/usr/bin/env bash
# adit show: what wg show says, and what only adit knows.
#  - wg mode, wireguard-go as the peer: `adit show IFACE` has the interface's public key and
#    port, the peer with its endpoint, allowed IPs, a handshake and non-zero transfer, and the
#    under-load state and offloads; `wg show` is unchanged beside it;
#  - garbage at adit's port: 300 data messages to an index nobody has are counted on the
#    interface (unknown_index 300) and on no peer; 200 forged data messages to the peer's own
#    session index are counted on the interface and on that peer (decrypt 200);
#  - `adit show` without a name lists the interface, but not wireguard-go's (which hangs up
#    on adit's request); `adit show` on wireguard-go's name says it is not adit's, status 1;
#  - lab mode: a server with two clients lists both, each with its inner address and
#    non-zero packets and bytes each way; a lab client shows its server;
#  - lab mode's socket is served as the UAPI socket is: a client that connects and sends
#    nothing holds it for no more than 12 s (traffic flows meanwhile, and adit show is
#    answered after it), one that sends anything but adit-show=1 is hung up on unanswered,
#    and one that asks but never reads is sent the whole answer and hung up on;
#  - a name nothing runs for: a message naming the socket, status 1;
#  - a daemon that misbehaves (show_fake.py, named adit-fake): terminal escapes in a counter's
#    key are printed escaped, in an endpoint refused (status 1, saying which line); none
#    reaches the terminal; an answer trickled out forever is cut off after 10 s, status 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts
on b ip addr add 10.77.0.66/24 dev eth0
wg_start_pair
wg_pair_tunnel

check "a tunnel: A pings B through wireguard-go" on a ping -i 0.2 -c 3 -W 2 10.88.0.2
on a "$ADIT" show "$IA" >"$T/show1" 2>&1
sed 's/^/# show1  /' "$T/show1"
check "adit show names the interface" grep -qx "interface: $IA" "$T/show1"
check "  with its public key, as wg shows it" \
	grep -qx "  public key: $(cat "$T/a.pub")" "$T/show1"
check "  and no private key" sh -c "! grep -q '$(cat "$T/a.key")' '$T/show1' &&
	grep -qx '  private key: (hidden)' '$T/show1'"
check "  its listening port" grep -qx "  listening port: 51820" "$T/show1"
check "  the peer" grep -qx "peer: $(cat "$T/b.pub")" "$T/show1"
check "  its endpoint" grep -qx "  endpoint: 10.77.0.2:51821" "$T/show1"
check "  its allowed IPs" grep -qx "  allowed ips: 10.88.0.2/32" "$T/show1"
check "  a handshake, seconds ago" \
	grep -Eqx "  latest handshake: (Now|[0-9]+ seconds? ago)" "$T/show1"
check "  non-zero transfer, in wg's units" \
	grep -Eqx "  transfer: [0-9.]+ (B|KiB) received, [0-9.]+ (B|KiB) sent" "$T/show1"
check "  not under load" grep -qx "  under load: no" "$T/show1"
check "  the offloads in use" grep -Eq "^  offloads: TUN [a-z0-9 ]+; UDP \(IPv4\)" "$T/show1"
check_not "  and nothing dropped of the peer's packets" \
	sh -c "sed -n '/^peer: /,\$p' '$T/show1' | grep -q dropped"
# The same numbers as wg show's (taken after adit show, so they can only be larger).
RX=$(wg_field a "$IA" transfer | cut -f1)
check "wg show still works beside it (transfer: $RX bytes received)" test "${RX:-0}" -gt 0

garbage() { on b "$PY" "$PYDIR/wg_garbage.py" "$1" 10.77.0.66 10.77.0.1 51820 "${@:2}"; }
garbage data 300 00000000 >"$T/g1" 2>&1
check "300 data messages to an index nobody has: $(cat "$T/g1")" \
	grep -qx "sent 300, answers 0" "$T/g1"
capture b data eth0 'udp dst port 51820 and udp[8] = 4'
on b ping -i 0.2 -c 2 -W 2 10.88.0.1 >/dev/null
end_capture data
INDEX=$("$PY" "$PYDIR/wg_pcap.py" list "$T/data.pcap" | awk '$5 == 4 { print $8; exit }')
garbage data 200 "${INDEX:-00000000}" >"$T/g2" 2>&1
check "200 forged data messages to the peer's session index (${INDEX:-none}): $(cat "$T/g2")" \
	grep -qx "sent 200, answers 0" "$T/g2"
on a "$ADIT" show "$IA" >"$T/show2" 2>&1
sed 's/^/#   /' "$T/show2"
# The interface's drops come before the first peer line, the peer's after it.
sed -n "/^peer: /q;p" "$T/show2" >"$T/dev2"
sed -n "/^peer: /,\$p" "$T/show2" >"$T/peer2"
check "the interface counts the 300 to no index" \
	grep -qx "    300 unknown_index: its receiver index names no session of ours" "$T/dev2"
check "  and the 200 forged to the session" \
	grep -qx "    200 decrypt: a data message that does not decrypt" "$T/dev2"
check "the peer counts the 200 forged to its session" \
	grep -qx "    200 decrypt: a data message that does not decrypt" "$T/peer2"
check_not "  and not the 300 that named no session" grep -q "unknown_index" "$T/peer2"
check "the tunnel still works" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
check "wg show still works" sh -c "ip netns exec $(ns a) wg show $IA | grep -q 'latest handshake'"

on a "$ADIT" show >"$T/all" 2>"$T/all.err"
check "adit show without a name lists $IA" grep -qx "interface: $IA" "$T/all"
check_not "  but not wireguard-go's $IB" grep -q "interface: $IB" "$T/all"
on b "$ADIT" show "$IB" >/dev/null 2>"$T/wgo.err"
check "adit show $IB (wireguard-go's): status 1" test $? -eq 1
check "  saying it is not adit's: $(cat "$T/wgo.err")" \
	grep -q "$IB is not an adit interface: .* is served by wireguard-go" "$T/wgo.err"
check_not "  wireguard-go was sent nothing it logs as invalid" \
	grep -qi "invalid UAPI" "$T/wgo.log"

MISSING=nx$$
on a "$ADIT" show "$MISSING" >"$T/miss.out" 2>"$T/miss.err"
check "adit show for a name nothing runs for: status 1" test $? -eq 1
check "  with the socket and what to do: $(cat "$T/miss.err")" \
	grep -qx "adit: cannot connect to /var/run/wireguard/$MISSING.sock: No such file or directory (is adit running for $MISSING?)" "$T/miss.err"

# Lab mode: the server with two clients, as in multi-client.sh.
lab_up || finish
start_adit server srv server -q -a 192.168.53.11/24
start_adit u cli1 client 10.9.0.11:9090 -q -a 192.168.53.99/24 -r 192.168.60.0/24
start_adit cr cli2 client 10.9.0.11:9090 -p 9090 -q -a 192.168.53.12/24 -r 192.168.60.0/24
check "client 1 (U) pings V" on u ping -i 0.2 -c 3 -W 2 192.168.60.5
check "client 2 (10.9.0.12) pings V" on cr ping -i 0.2 -c 2 -W 2 192.168.60.5
SRV_TUN=$(sed -n 's/^Interface Name: //p' "$T/srv.log")
on server "$ADIT" show "$SRV_TUN" >"$T/lab" 2>&1
sed 's/^/# lab  /' "$T/lab"
check "the lab server's show names its interface and mode" \
	sh -c "grep -qx 'interface: $SRV_TUN' '$T/lab' && grep -qx '  mode: lab server (plaintext)' '$T/lab'"
check "  where it listens" grep -qx "  listening on: 0.0.0.0:9090" "$T/lab"
# client: ENDPOINT, then its lines up to the next blank line
client_block() { awk -v c="$1" '$0 ~ "^client: " c { on = 1 } on && /^$/ { exit } on' "$T/lab"; }
client_block '10[.]9[.]0[.]5:' >"$T/c1"
client_block '10[.]9[.]0[.]12:9090' >"$T/c2"
# (with, beside it, the IPv6 link-local address its kernel sends router solicitations from)
check "  client 1 (10.9.0.5) with its inner address" \
	grep -Eqx "  inner addresses: (.*, )?192[.]168[.]53[.]99(, .*)?" "$T/c1"
check "  client 2 (10.9.0.12:9090) with its inner address" \
	grep -Eqx "  inner addresses: (.*, )?192[.]168[.]53[.]12(, .*)?" "$T/c2"
nonzero='  transfer: [0-9.]+ (B|KiB) received \([1-9][0-9]* packets\), [0-9.]+ (B|KiB) sent \([1-9][0-9]* packets\)'
check "  client 1's packets and bytes, each way non-zero" grep -Eqx "$nonzero" "$T/c1"
check "  client 2's packets and bytes, each way non-zero" grep -Eqx "$nonzero" "$T/c2"
CLI_TUN=$(sed -n 's/^Interface Name: //p' "$T/cli1.log")
on u "$ADIT" show "$CLI_TUN" >"$T/labc" 2>&1
sed 's/^/#   /' "$T/labc"
check "a lab client shows its server with non-zero counters" \
	sh -c "grep -qx 'server: 10.9.0.11:9090' '$T/labc' && grep -Eqx '$nonzero' '$T/labc'"
LABSOCK=$(on server sh -c 'echo /var/run/adit/net-$(stat -L -c %i /proc/self/ns/net)')/$SRV_TUN.sock
note "lab socket: $LABSOCK $(stat -c %a:%u "$LABSOCK" 2>&1)"
check "the lab socket is root's alone (no access for group or others, as the UAPI socket's)" \
	sh -c "stat -c %a:%u '$LABSOCK' | grep -Eq '^[67]00:0$'"

# Clients that hold the lab socket (served one at a time, as the UAPI socket is): each sends
# its request and does not read until adit hangs up.
hold() { start server "$1" "$PY" "$PYDIR/ctl_hold.py" "$LABSOCK" "$2"; }
hold silent ""
wait_log silent '^connected'
check "lab traffic flows while a client holds the socket and sends nothing" \
	on u ping -i 0.2 -c 3 -W 2 192.168.60.5
on server "$ADIT" show "$SRV_TUN" >"$T/lab2" 2>&1
check "adit show waits for it, then is answered" grep -qx "interface: $SRV_TUN" "$T/lab2"
wait_log silent '^hung up after' 15
note "the silent client: $(tail -n 1 "$T/silent.log")"
check "the silent client was hung up on within 12 s, unanswered" \
	awk '/^hung up after/ { exit !($4 < 12 && $7 == 0) }' "$T/silent.log"
hold wrong $'get=1\n\n'
wait_log wrong '^hung up after' 15
check "a request other than adit-show=1 is hung up on at once, unanswered: $(tail -n 1 "$T/wrong.log")" \
	awk '/^hung up after/ { exit !($4 < 2 && $7 == 0) }' "$T/wrong.log"
hold noread $'adit-show=1\n\n'
wait_log noread '^hung up after' 15
check "a client that asks and does not read is sent the whole answer and hung up on: $(tail -n 1 "$T/noread.log")" \
	awk '/^hung up after/ { exit !($4 < 2 && $7 > 0 && $NF == "True") }' "$T/noread.log"
check "the server stops with status 0" stop srv
check_not "  and its control socket is gone" test -e "$LABSOCK"

# A misbehaving daemon at a wg socket of its own (the name is this test's).
FAKE=fk$$
FAKESOCK=/var/run/wireguard/$FAKE.sock
mkdir -p /var/run/wireguard
fake() {
	start server fake "$PY" "$PYDIR/show_fake.py" "$FAKESOCK" "$1"
	wait_log fake '^listening'
}
# No byte outside printable ASCII, tab and newline, in the named files.
# shellcheck disable=SC2317 # called through check
terminal_safe() { ! LC_ALL=C grep -q '[^[:print:][:space:]]' "$@" && ! LC_ALL=C grep -q $'[\r\v\f]' "$@"; }
fake escapes
on server "$ADIT" show "$FAKE" >"$T/esc.out" 2>"$T/esc.err"
check "a daemon's answer with escapes in a counter's key: status 0" test $? -eq 0
sed 's/^/#   /' "$T/esc.out" | cat -v
check "  the key is printed escaped" \
	grep -qxF '    3 \x1b]0;owned\x07\x1b[2J' "$T/esc.out"
check "  and no control byte reaches the terminal" terminal_safe "$T/esc.out" "$T/esc.err"
stop fake
fake endpoint
on server "$ADIT" show "$FAKE" >"$T/ep.out" 2>"$T/ep.err"
check "an endpoint with escapes: status 1" test $? -eq 1
check "  saying which line is wrong: $(cat -v "$T/ep.err")" \
	grep -q "$FAKESOCK: line 3 of the daemon's answer is not what adit show reads" "$T/ep.err"
check "  printing nothing of it" test ! -s "$T/ep.out"
check "  and no control byte reaches the terminal" terminal_safe "$T/ep.out" "$T/ep.err"
stop fake
fake trickle
T0=$(now_ms)
on server timeout 30 "$ADIT" show "$FAKE" >"$T/tr.out" 2>"$T/tr.err"
RC=$? TOOK=$(( $(now_ms) - T0 ))
note "trickled answer: status $RC after $TOOK ms: $(cat "$T/tr.err")"
check "an answer trickled out forever is cut off: status 1" test $RC -eq 1
check "  after 10 s, not the 60 s it would trickle for" test $TOOK -ge 9500 -a $TOOK -lt 15000
check "  saying the daemon did not finish in time" \
	grep -q "$FAKESOCK: the daemon did not finish its answer within 10 s" "$T/tr.err"
stop fake
rm -f "$FAKESOCK"
finish
