#!/usr/bin/env bash
# adit on both ends: two adit daemons in namespaces A and B, configured with wg(8), make a
# tunnel. First A initiates with a preshared key over IPv4 outside, then a fresh pair where B
# initiates without one over IPv6 outside. Each carries IPv4 and IPv6 pings, a full-MTU packet
# and a TCP stream checked byte for byte, and both ends' `wg show` agree on the handshake.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_hosts a b
wg_wire a b
wg_key a
wg_key b
(umask 077; wg genpsk >"$T/psk")

# pair N INITIATOR(a|b) PSK OUTER(4|6)
pair() {
	local n=$1 who=$2 psk=$3 fam=$4 ea eb
	IA=$(wg_ifname a"$n") IB=$(wg_ifname b"$n")
	case $fam in
	4) ea=10.77.0.1:51820 eb=10.77.0.2:51821 ;;
	6) ea="[fd77::1]:51820" eb="[fd77::2]:51821" ;;
	esac
	EA=$ea EB=$eb
	start_wg a adit-a"$n" "$ADIT" "$IA"
	start_wg b adit-b"$n" "$ADIT" "$IB"
	wg_dev a "$IA" a 51820 10.88.0.1/24 fd88::1/64
	wg_dev b "$IB" b 51821 10.88.0.2/24 fd88::2/64
	if [ "$who" = a ]; then ea=; else eb=; fi
	wg_peer a "$IA" b 10.88.0.2/32,fd88::2/128 "$eb" ${psk:+preshared-key "$T/$psk"}
	wg_peer b "$IB" a 10.88.0.1/32,fd88::1/128 "$ea" ${psk:+preshared-key "$T/$psk"}
	start b echo"$n" "$PY" "$PYDIR/tcp_echo.py" serve 7000 && wait_log echo"$n" listening
}

# `wg show transfer` is "rx tx" in bytes; the 1 MB TCP echo went both ways. (Exact equality of
# one end's tx and the other's rx is not asked: wireguard-go's own counters differ by ~1 %.)
# shellcheck disable=SC2317 # called through check or wait_for
mb_each_way() {
	wg_field a "$IA" transfer && wg_field b "$IB" transfer
	{ wg_field a "$IA" transfer; wg_field b "$IB" transfer; } |
		awk '$1 < 1000000 || $2 < 1000000 { bad = 1 } END { exit bad }'
}

handshake_of() { wg_field "$1" "$2" latest-handshakes; }

tunnel_works() {
	local c=$1 who=$2 me=1 other=2 them=b
	[ "$who" = a ] || { me=2 other=1 them=a; }
	check "[$c] $who pings 10.88.0.$other (IPv4 inside)" on "$who" ping -i 0.2 -c 2 -W 2 10.88.0.$other
	check "[$c] $who pings fd88::$other (IPv6 inside)" on "$who" ping -6 -i 0.2 -c 2 -W 2 fd88::$other
	check "[$c] $them pings back 10.88.0.$me" on "$them" ping -c 1 -W 2 10.88.0.$me
	check "[$c] a full-MTU packet (1420 bytes, DF) crosses from A" \
		on a ping -c 1 -W 2 -M "do" -s 1392 10.88.0.2
	check "[$c] a full-MTU IPv6 packet crosses from B" on b ping -6 -c 1 -W 2 -M "do" -s 1372 fd88::1
	check "[$c] TCP from A to B: 1 MB echoed intact" \
		on a "$PY" "$PYDIR/tcp_echo.py" send 10.88.0.2 7000 1000000
	check "[$c] both ends report a handshake" \
		sh -c "[ '$(handshake_of a "$IA")' -gt 0 ] && [ '$(handshake_of b "$IB")' -gt 0 ]"
	check "[$c] each end shows the other's endpoint" \
		sh -c "[ '$(wg_field a "$IA" endpoints)' = '$EB' ] && [ '$(wg_field b "$IB" endpoints)' = '$EA' ]"
	check "[$c] both ends counted over 1 MB received and sent" mb_each_way
}

end_pair() {
	local n=$1 c=$2
	stop echo"$n"
	check "[$c] A's adit exits 0 on SIGTERM" stop adit-a"$n"
	check "[$c] B's adit exits 0 on SIGTERM" stop adit-b"$n"
	check "[$c] both UAPI sockets are gone" \
		wait_for 2 test ! -e "$WG_RUN/$IA.sock" -a ! -e "$WG_RUN/$IB.sock"
}

c="1: A initiates, psk, outer IPv4"
pair 1 a psk 4
# TSO and USO on the TUN and GSO/GRO on the sockets (this kernel has them all), or none.
if [ "${ADIT_ARGS:-}" = --no-offload ]; then
	offloads='offloads: TUN off, UDP$'
else
	offloads='offloads: TUN csum tso4 tso6 uso4 uso6, UDP gso gro$'
fi
check "[$c] adit says which offloads it uses (${offloads%$})" grep -Eq "$offloads" "$T/adit-a1.log"
# The AEAD backend: ADIT_CRYPTO's when the suite sets it (tests/run.sh openssl), else the one
# adit version says adit chooses here; adit show names the one the daemon uses.
crypto=$("$ADIT" version | sed -n 's/^wg data crypto: \([a-z-]*\).*/\1/p')
check "[$c] the data path seals with ${ADIT_CRYPTO:-the backend adit version names} ($crypto)" \
	sh -c "[ -n '$crypto' ] && [ '${ADIT_CRYPTO:-$crypto}' = '$crypto' ]"
check "[$c] adit show names it: data crypto: $crypto" \
	sh -c "ip netns exec $(ns a) '$ADIT' show '$IA' | grep -qx '  data crypto: $crypto'"
tunnel_works "$c" a
end_pair 1 "$c"

c="2: B initiates, no psk, outer IPv6"
pair 2 b "" 6
tunnel_works "$c" b
end_pair 2 "$c"
finish
