#!/usr/bin/env bash
# WireGuard interop: adit in namespace A, wireguard-go in B, configured with wg(8). Four fresh
# pairs: adit initiates or wireguard-go does, with and without a preshared key, over an IPv4
# and an IPv6 outer link; every pair carries IPv4 and IPv6 pings, a full-MTU packet and a TCP
# stream checked byte for byte. adit's `wg show` reports the handshake, the traffic, the
# preshared key, and the endpoint it learned when B initiated. A fifth pair whose preshared
# keys differ gets no tunnel. Each adit exits 0 on SIGTERM and removes its UAPI socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_hosts a b
wg_wire a b
wg_key a
wg_key b
(umask 077; wg genpsk >"$T/psk"; wg genpsk >"$T/psk2")

# pair N INITIATOR(a|b) PSK-A PSK-B OUTER(4|6): start and configure a fresh pair; prints its
# case label. The initiator alone knows the other's endpoint.
pair() {
	local n=$1 who=$2 psk_a=$3 psk_b=$4 fam=$5 ea eb
	IA=$(wg_ifname a"$n") IB=$(wg_ifname b"$n")
	case $fam in
	4) ea=10.77.0.1:51820 eb=10.77.0.2:51821 ;;
	6) ea="[fd77::1]:51820" eb="[fd77::2]:51821" ;;
	esac
	EB=$eb
	start_wg a adit"$n" "$ADIT" "$IA"
	start_wg b wgo"$n" "$WGO" "$IB"
	wg_dev a "$IA" a 51820 10.88.0.1/24 fd88::1/64
	wg_dev b "$IB" b 51821 10.88.0.2/24 fd88::2/64
	if [ "$who" = a ]; then ea=; else eb=; fi
	wg_peer a "$IA" b 10.88.0.2/32,fd88::2/128 "$eb" ${psk_a:+preshared-key "$T/$psk_a"}
	wg_peer b "$IB" a 10.88.0.1/32,fd88::1/128 "$ea" ${psk_b:+preshared-key "$T/$psk_b"}
	start b echo"$n" "$PY" "$PYDIR/tcp_echo.py" serve 7000 && wait_log echo"$n" listening
}

# The handshake and both directions, then what adit's UAPI reports.
tunnel_works() {
	local c=$1 who=$2 psk=$3 me=1 other=2 them=b
	[ "$who" = a ] || { me=2 other=1 them=a; }
	check "[$c] $who pings 10.88.0.$other through the tunnel (IPv4 inside)" \
		on "$who" ping -i 0.2 -c 2 -W 2 10.88.0.$other
	check "[$c] $who pings fd88::$other (IPv6 inside)" on "$who" ping -6 -i 0.2 -c 2 -W 2 fd88::$other
	check "[$c] $them pings back 10.88.0.$me" on "$them" ping -c 1 -W 2 10.88.0.$me
	check "[$c] a full-MTU packet (1420 bytes, DF) crosses from A" \
		on a ping -c 1 -W 2 -M "do" -s 1392 10.88.0.2
	check "[$c] TCP from A to B: 300 kB echoed intact" \
		on a "$PY" "$PYDIR/tcp_echo.py" send 10.88.0.2 7000 300000
	check "[$c] adit's latest-handshakes is nonzero" \
		sh -c "[ \"\$(ip netns exec $(ns a) wg show $IA latest-handshakes | cut -f2)\" -gt 0 ]"
	check "[$c] adit's transfer counters are both nonzero" \
		sh -c "ip netns exec $(ns a) wg show $IA transfer | awk '{ exit !(\$2 > 0 && \$3 > 0) }'"
	if [ -n "$psk" ]; then
		check "[$c] adit reports the preshared key it was given" \
			test "$(wg_field a "$IA" preshared-keys)" = "$(cat "$T/$psk")"
	else
		check "[$c] adit reports no preshared key" test "$(wg_field a "$IA" preshared-keys)" = "(none)"
	fi
	[ "$who" = b ] && check "[$c] adit learned B's endpoint $EB" test "$(wg_field a "$IA" endpoints)" = "$EB"
}

end_pair() {
	local n=$1 c=$2
	check "[$c] adit exits 0 on SIGTERM" stop adit"$n"
	stop wgo"$n"
	stop echo"$n"
	check "[$c] adit's UAPI socket is gone" wait_for 2 test ! -e "$WG_RUN/$IA.sock"
}

c="1: adit initiates, no psk, outer IPv4"
pair 1 a "" "" 4
tunnel_works "$c" a ""
end_pair 1 "$c"

c="2: wireguard-go initiates, psk, outer IPv6"
pair 2 b psk psk 6
tunnel_works "$c" b psk
end_pair 2 "$c"

c="3: adit initiates, psk, outer IPv6"
pair 3 a psk psk 6
tunnel_works "$c" a psk
end_pair 3 "$c"

c="4: wireguard-go initiates, no psk, outer IPv4"
pair 4 b "" "" 4
tunnel_works "$c" b ""
end_pair 4 "$c"

c="5: adit initiates, preshared keys differ"
pair 5 a psk psk2 4
check_not "[$c] no tunnel: A cannot ping B" on a ping -i 0.2 -c 2 -W 1 10.88.0.2
check "[$c] adit's latest-handshakes stays 0" test "$(wg_field a "$IA" latest-handshakes)" = 0
end_pair 5 "$c"
finish
