#!/usr/bin/env bash
# wg-quick drives adit as its userspace implementation: `WG_QUICK_USERSPACE_IMPLEMENTATION=adit
# wg-quick up CONF` in namespace A starts adit as a daemon (wg-quick runs "adit IFACE", no -f),
# configures it from the file, adds the addresses and routes, and A reaches wireguard-go in B
# through it. `wg-quick down` deletes the interface; adit then exits and removes its socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_hosts a b
wg_wire a b
wg_key a
wg_key b
IQ=$(wg_ifname q) IB=$(wg_ifname b)
CONF=$T/$IQ.conf # wg-quick names the interface after the file

start_wg b wgo "$WGO" "$IB"
wg_dev b "$IB" b 51821 10.88.0.2/24 fd88::2/64
wg_peer b "$IB" a 10.88.0.1/32,fd88::1/128

# No DNS= (it would need resolvconf) and no /0 in AllowedIPs (policy routing and nft).
(umask 077; cat >"$CONF") <<CONF
[Interface]
PrivateKey = $(cat "$T/a.key")
ListenPort = 51820
Address = 10.88.0.1/24, fd88::1/64

[Peer]
PublicKey = $(cat "$T/b.pub")
AllowedIPs = 10.88.0.2/32, fd88::2/128, 10.99.0.0/24
Endpoint = 10.77.0.2:51821
CONF

# shellcheck disable=SC2317 # called through check or wait_for
quick() { on a env WG_QUICK_USERSPACE_IMPLEMENTATION="$ADIT" wg-quick "$@"; }
daemon_pids() { ip netns pids "$(ns a)"; }

check "wg-quick up $IQ.conf exits 0 (adit as the userspace implementation)" quick up "$CONF"
DPID=$(daemon_pids | head -n 1)
check "adit stays behind as a daemon: one process in A, running $ADIT" \
	test -n "$DPID" -a "$(daemon_pids | wc -l)" = 1 -a \
	"$(readlink "/proc/$DPID/exe")" = "$(readlink -f "$ADIT")"
check "$IQ is up in A with 10.88.0.1/24 and fd88::1/64" \
	sh -c "ip -n $(ns a) -o addr show dev $IQ up | grep -q 'inet 10.88.0.1/24' &&
		ip -n $(ns a) -o addr show dev $IQ | grep -q 'inet6 fd88::1/64'"
check "wg-quick added the route for AllowedIPs 10.99.0.0/24" \
	sh -c "ip -n $(ns a) route show 10.99.0.0/24 | grep -q 'dev $IQ'"
check "wg show reports the file's private key, listen port and peer" \
	test "$(on a wg show "$IQ" private-key) $(on a wg show "$IQ" listen-port) $(on a wg show "$IQ" peers)" \
	= "$(cat "$T/a.key") 51820 $(cat "$T/b.pub")"
check "A pings B through it (IPv4 inside)" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
check "A pings fd88::2 (IPv6 inside)" on a ping -6 -i 0.2 -c 2 -W 2 fd88::2
check "wg-quick down $IQ.conf exits 0" quick down "$CONF"
check "$IQ is gone from A" wait_for 2 sh -c "! ip -n $(ns a) link show dev $IQ"
check "the adit daemon exited" wait_for 5 gone "$DPID"
check "its UAPI socket $WG_RUN/$IQ.sock is gone" wait_for 2 test ! -e "$WG_RUN/$IQ.sock"
check "no process is left in A" test -z "$(daemon_pids)"
finish
