#!/usr/bin/env bash
# A million hostile datagrams at a live adit in wg mode, its tunnel to wireguard-go (B) up,
# from a second address of B (10.77.0.66, so that B's endpoint is never in question):
# random bytes of random sizes up to 65,507, valid headers with truncated or overlong bodies,
# bit-flipped copies of real messages of all four types (a handshake and traffic captured on
# B's wire, and a cookie reply from a second adit forced under load), and replays of B's
# real transport-data messages. adit must stay up, answer nothing, let no replay or forgery
# into its interface (its RX counter does not move) and count the replays as replays, carry
# TCP intact during a second flood and after, and give back its memory.
# HOSTILE_SCALE=N sends N times as many (make stress).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
. "$(dirname "$0")/hostlib.sh"
need_adit
need_wgo

COUNT=$((1000000 * SCALE))
COUNT2=$((COUNT / 10))
TCP_BYTES=4000000

wg_two_hosts
on b ip addr add 10.77.0.66/24 dev eth0
wg_start_pair
wg_pair_tunnel

mix() { on b "$PY" "$PYDIR/hostile.py" wg-mix 10.77.0.66 10.77.0.1 51820 "$1" "$T/real.pcap" \
	"$T/cookie.bin" "$2"; }
# shellcheck disable=SC2317 # called through check
tcp() { on a "$PY" "$PYDIR/tcp_echo.py" send 10.88.0.2 7000 "$TCP_BYTES"; }

# Real messages: a handshake (initiation from adit, response from B) and transport data both
# ways, on B's wire; a cookie reply from a second adit, in B, that is always under load.
capture b real eth0 udp
check "A pings B (a handshake and transport data, captured)" on a ping -c 20 -i 0.05 -W 2 10.88.0.2
end_capture real
wg_key c
IC=$(wg_ifname c)
start_wg b cookied "$ADIT" "$IC" ADIT_FORCE_UNDER_LOAD=1
on b wg set "$IC" private-key "$T/c.key" listen-port 51830
check "a second adit, forced under load, answers an initiation with a cookie reply" \
	on b "$PY" "$PYDIR/hostile.py" cookie 10.77.0.66 10.77.0.2 51830 "$(cat "$T/c.pub")" \
	"$T/cookie.bin"
stop cookied

start b echo "$PY" "$PYDIR/tcp_echo.py" serve 7000
wait_for 5 on b sh -c 'ss -ltn | grep -q :7000'
check "TCP through the tunnel before the flood: $TCP_BYTES bytes echoed intact" tcp
PID=$(pid_of adit)
# The baseline is taken after datagrams of the largest size and a small flood have touched
# every buffer (pages of the packet pool are mapped on first use), so that what follows
# measures growth, not first touch.
RSS_START=$(rss_kb "$PID")
RX=$(rx_packets a "$IA")
read -r _ errw <<<"$(udp_in a)"
warm_pool "$PID" b 10.77.0.66 10.77.0.1 51820
RSS_BIG=$(rss_kb "$PID")
mix $((COUNT / 100)) 3 >"$T/warmup.out" 2>&1
RSS0=$(rss_kb "$PID")
read -r in0 err0 <<<"$(udp_in a)"
CPU0=$(cpu_ticks "$PID")

capture a answers eth0 'udp src port 51820 and dst host 10.77.0.66'
mix "$COUNT" 1 >"$T/flood.out" 2>&1
end_capture answers
read -r in1 err1 <<<"$(udp_in a)"
CPU1=$(cpu_ticks "$PID")
RSS1=$(rss_kb "$PID")
sed 's/^/#   /' "$T/flood.out"
note "sent $(fig sent "$T/flood.out") in $(fig seconds "$T/flood.out") s ($(fig rate "$T/flood.out")/s);" \
	"adit's namespace: UDP InDatagrams +$((in1 - in0)), RcvbufErrors +$((err1 - err0));" \
	"adit's CPU $(( (CPU1 - CPU0) * 10 )) ms"
check "the flood went out: $COUNT datagrams" test "$(fig sent "$T/flood.out")" = "$COUNT"
check "adit is still running" alive "$PID"
check "the attacker got no answer" test "$(fig answers "$T/flood.out")" = 0
check "nothing left adit's port toward the attacker (tcpdump on A's eth0)" \
	test "$(pcap_count answers)" = 0
check "no replay or forgery reached adit's interface (its RX counter stayed at $RX)" \
	test "$(rx_packets a "$IA")" = "$RX"
check "adit's endpoint for B is still 10.77.0.2:51821" \
	test "$(wg_field a "$IA" endpoints)" = 10.77.0.2:51821

# TCP while a tenth of the flood runs again, then after it.
read -r _ err2 <<<"$(udp_in a)"
start b flood2 "$PY" "$PYDIR/hostile.py" wg-mix 10.77.0.66 10.77.0.1 51820 "$COUNT2" \
	"$T/real.pcap" "$T/cookie.bin" 2
sleep 1
check "TCP during a second flood of $COUNT2: $TCP_BYTES bytes echoed intact" tcp
check "the second flood ends" wait_exit flood2 120
read -r _ err3 <<<"$(udp_in a)"
note "second flood: $(fig rate "$T/flood2.log")/s, RcvbufErrors +$((err3 - err2))"
check "TCP after the floods: $TCP_BYTES bytes echoed intact" tcp
check "B pings A" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
check "A pings B" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
RSS2=$(rss_kb "$PID")
note "adit's VmRSS: $RSS_START kB at first, $RSS_BIG kB after warm_pool," \
	"$RSS0 kB after a warm-up flood of $((COUNT / 100))," \
	"$RSS1 kB after the flood, $RSS2 kB after the TCP"
check_rss "adit's memory is back to its baseline" "$RSS0" "$RSS2"

REPLAYS=$(( $(fig replay "$T/warmup.out") + $(fig replay "$T/flood.out") + $(fig replay "$T/flood2.log") ))
LOST=$((err3 - errw))
check "adit exits cleanly on TERM" stop adit
grep 'dropped [0-9]*:' "$T/adit.log" | while read -r line; do note "$line"; done
DROPPED=$(sed -n 's/.*: dropped \([0-9]*\): a replayed data message.*/\1/p' "$T/adit.log")
note "replays sent $REPLAYS, counted as replays ${DROPPED:-0}, datagrams the kernel dropped for adit $LOST"
if [ "$(fig seconds "$T/flood.out" | cut -d. -f1)" -lt 150 ]; then
	check "every replay that reached adit was dropped as a replay" \
		test "${DROPPED:-0}" -le "$REPLAYS" -a "${DROPPED:-0}" -ge $((REPLAYS - LOST)) \
		-a "${DROPPED:-0}" -gt 0
else
	skip "every replay that reached adit was dropped as a replay" \
		"the flood outlasted the session; replays of it are counted as expired"
fi
finish
