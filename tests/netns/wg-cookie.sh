#!/usr/bin/env bash
# The cookie exchange, with adit forced to behave as under load (ADIT_FORCE_UNDER_LOAD=1, an
# adit-only knob). wireguard-go in B initiates; adit answers its first initiation, which has
# no mac2, with a cookie reply (type 3, 64 bytes, addressed to the initiation's sender index)
# and no handshake response. After REKEY_TIMEOUT (5 s) B retries with a mac2 made from the
# cookie; adit accepts that one, and B's ping is answered within 15 s.
# With wireguard-go standing in for adit the knob does nothing: the cookie checks fail there.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts

wg_start_pair ADIT_FORCE_UNDER_LOAD=1
wg_dev a "$IA" a 51820 10.88.0.1/24
wg_dev b "$IB" b 51821 10.88.0.2/24
wg_peer a "$IA" b 10.88.0.2/32
wg_peer b "$IB" a 10.88.0.1/32 10.77.0.1:51820

capture a hs eth0 'udp port 51820'
t0=$(now_ms)
check "B pings A through the tunnel within 15 s" on b ping -c 1 -w 15 10.88.0.1
note "first reply after $(( $(now_ms) - t0 )) ms"
end_capture hs
"$PY" "$PYDIR/wg_pcap.py" list "$T/hs.pcap" >"$T/hs.txt"
sed 's/^/#   /' "$T/hs.txt" | head -n 12

# SRC SPORT DST DPORT TYPE LEN SENDER RECEIVER
from_b() { awk -v t="$1" -v l="$2" '$1 == "10.77.0.2" && $5 == t && $6 == l' "$T/hs.txt"; }
from_a() { awk -v t="$1" -v l="$2" '$1 == "10.77.0.1" && $2 == 51820 && $5 == t && $6 == l' "$T/hs.txt"; }
# same A B: both nonempty and equal
# shellcheck disable=SC2317 # called through check or wait_for
same() { echo "'$1' '$2'"; [ -n "$1" ] && [ "$1" = "$2" ]; }

check "adit sent a cookie reply (type 3, 64 bytes)" test -n "$(from_a 3 64)"
check "the cookie reply goes to the first initiation's sender index" \
	same "$(from_a 3 64 | awk '{ print $8; exit }')" "$(from_b 1 148 | awk '{ print $7; exit }')"
check "B sent a second initiation (the retry with mac2)" test "$(from_b 1 148 | wc -l)" -ge 2
check "adit's handshake response (type 2, 92 bytes) came only after its cookie reply" \
	sh -c "c=\$(grep -n -m1 '^10.77.0.1 51820 .* 3 64 ' $T/hs.txt | cut -d: -f1)
		r=\$(grep -n -m1 '^10.77.0.1 51820 .* 2 92 ' $T/hs.txt | cut -d: -f1)
		[ -n \"\$c\" ] && [ -n \"\$r\" ] && [ \"\$c\" -lt \"\$r\" ]"
check "the response answers B's second initiation, not the first" \
	same "$(from_a 2 92 | awk '{ print $8; exit }')" "$(from_b 1 148 | awk 'NR == 2 { print $7 }')"
check "adit's latest-handshakes is nonzero" test "$(wg_field a "$IA" latest-handshakes)" -gt 0
check "A pings B" on a ping -c 1 -W 2 10.88.0.2
finish
