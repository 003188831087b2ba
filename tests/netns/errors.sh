#!/usr/bin/env bash
# The errors students hit in this lab each get a message that says what to do, and a
# consistent exit status: 2 for a bad command line (naming the value), 1 for a refusal.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

# expect STATUS REGEX HOST CMD...: CMD exits with STATUS and its stderr matches REGEX.
expect() {
	local status=$1 regex=$2 host=$3 rc
	shift 3
	ip netns exec "$(ns "$host")" timeout 5 "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	[ "$rc" -eq "$status" ] || { echo "exit status $rc, expected $status"; cat "$T/err"; return 1; }
	grep -Eq -- "$regex" "$T/err" || { echo "stderr does not match /$regex/:"; cat "$T/err"; return 1; }
}

check "no command: usage, status 2" expect 2 '^usage: adit COMMAND' u "$ADIT"
check "unknown option named, status 2" expect 2 "unknown option '--tunnel'" u "$ADIT" --tunnel
check "client without SERVER:PORT, status 2" expect 2 'missing SERVER:PORT' u "$ADIT" client
check "bad port named, status 2" expect 2 "invalid listen address '1.2.3.4:99999'" u "$ADIT" server -l 1.2.3.4:99999
check "a long option missing its value is named as typed" expect 2 "missing value for option '--mtu'" u "$ADIT" tun --mtu
check "bad MTU named, status 2" expect 2 "invalid MTU '10' \(expected 68 to 65535\)" u "$ADIT" tun --mtu 10
check "route with host bits named, status 2" \
	expect 2 "host bits set in route '192.168.60.5/24'" u "$ADIT" client 10.9.0.11:9090 -r 192.168.60.5/24

start server holder "$PY" -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",9090)); print("bound",flush=True); time.sleep(60)'
wait_log holder bound
check "port in use: says another program holds it and how to choose another" \
	expect 1 'cannot use UDP 0.0.0.0:9090: Address already in use \(another program holds the port.*-l\)' server "$ADIT" server
check "and creates no interface on the way" sh -c "! ip -n $(ns server) link show tun0 2>/dev/null"
stop holder

check "no CAP_NET_ADMIN: says to run as root or grant CAP_NET_ADMIN" \
	expect 1 'run as root or grant CAP_NET_ADMIN' u setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$ADIT" tun
check "no CAP_NET_ADMIN, as a server: refused, status 1" \
	expect 1 'run as root or grant CAP_NET_ADMIN' u setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$ADIT" server -l 0.0.0.0:9095
check_not "  without claiming first to be listening" grep -q "listening on UDP" "$T/err"
check "an unresolvable server name is said as such, status 2" \
	expect 2 "cannot resolve the server's name in 'nosuchhost.invalid:9090'" u "$ADIT" client nosuchhost.invalid:9090
check "a bad port in SERVER:PORT is said as such, status 2" \
	expect 2 "invalid port in server '10.9.0.11:99999' \(expected 1 to 65535" u "$ADIT" client 10.9.0.11:99999
check "-a without a prefix length is refused, naming /24 and /32, status 2" \
	expect 2 "-a address without a prefix length '192.168.53.99' \(give a prefix length: 192.168.53.99/24 .*192.168.53.99/32 for the address alone\)" u "$ADIT" tun -a 192.168.53.99
check "no /dev/net/tun: says to load the tun module" \
	expect 1 'cannot open /dev/net/tun: No such file or directory \(load the tun module' \
	u unshare -m sh -c "mount -t tmpfs none /dev/net && exec $ADIT tun"

start u first "$ADIT" tun -a 192.168.53.99/24
wait_log first '^Interface Name: tun0$'
check "address already assigned: names the interface that holds it" \
	expect 1 'address 192.168.53.99/24 is already assigned to tun0 \(stop the program' u "$ADIT" tun -a 192.168.53.99/24
check "an interface name in use by another program" \
	expect 1 'cannot create TUN interface tun0: it exists and another program holds it' u "$ADIT" tun -n tun0
check "a name taken by an interface of another kind" \
	expect 1 'an interface of that name exists and is not a TAP' u "$ADIT" tun --tap -n tun0
stop first

on u ip route add 192.168.60.0/24 via 10.9.0.11
check "route that exists already: says how to see and remove it" \
	expect 1 "cannot route 192.168.60.0/24 through tun0: a route to it exists already" u "$ADIT" client 10.9.0.11:9090 -r 192.168.60.0/24
on u ip route del 192.168.60.0/24

start u fwd "$ADIT" server -l 0.0.0.0:9091
check "ip_forward off on the server: a warning that says how to enable it" \
	wait_log fwd "warning: IP forwarding is off on this host.*sysctl -w net.ipv4.ip_forward=1"
check "adit itself left ip_forward off" sh -c "[ \$(ip netns exec $(ns u) sysctl -n net.ipv4.ip_forward) = 0 ]"
stop fwd

start_adit server srv server
on u bash -c 'printf aaaaaa > /dev/udp/10.9.0.11/9090'
check "bytes that are not a packet are shown and dropped, with the reason" \
	wait_log srv '^From socket <==: unknown 6 bytes: 61 61 61 61 61 61 \(from 10.9.0.5:[0-9]+; not exactly one IP packet: dropped\)$'

on server ip link del tun0
check "interface deleted under the server: it says so" \
	wait_log srv 'cannot read from tun0: .*\(was the interface deleted\?\)'
exited_with() { stop "$1"; [ $? -eq "$2" ]; }
check "and exits with status 1" exited_with srv 1

# wg mode (adit [-f] IFACE) names bad values the same way. Interface names are host-wide
# for its UAPI sockets, so this test's own carry its PID.
WGE=wge$$
check "wg mode: a bad interface name, status 2" \
	expect 2 "invalid interface name 'bad/name'" u "$ADIT" -f bad/name
check "wg mode: a template is refused (wg finds the interface by its name)" \
	expect 2 "invalid interface name 'wg%d': wg mode takes a plain name" u "$ADIT" -f 'wg%d'
check "wg mode: no interface, usage and status 2" expect 2 '^usage: adit \[wg\] \[-f' u "$ADIT" -f
for verb in status list; do
	check "adit $verb is no interface name: status 2, and the way to make one" \
		expect 2 "'$verb' is not an adit command .*adit wg $verb" u "$ADIT" "$verb"
done
check_not "  and no interface or UAPI socket named show appeared" \
	sh -c "ip -n $(ns u) link show dev show 2>/dev/null || test -e /var/run/wireguard/show.sock"
# A typo of a command is no interface name: today's users typed these and got a daemon.
for typo in sever:server shwo:show clinet:client; do
	check "adit ${typo%%:*} -a 192.168.53.99/24: did you mean '${typo##*:}'?, status 2" \
		expect 2 "'${typo%%:*}' is not an adit command: did you mean '${typo##*:}'\\?.*adit wg ${typo%%:*}" \
		u "$ADIT" "${typo%%:*}" -a 192.168.53.99/24
done
check_not "  and no interface or UAPI socket named sever appeared" \
	sh -c "ip -n $(ns u) link show dev sever 2>/dev/null || test -e /var/run/wireguard/sever.sock"
check "a word that is neither a command nor an interface name, status 2" \
	expect 2 "'averyveryverylongname' is neither an adit command .* at most 15 characters" \
	u "$ADIT" averyveryverylongname
check "an unknown option after a bare word says the word was taken as an interface" \
	expect 2 "unknown option '-a': 'frobnicate' was taken as a WireGuard interface name" \
	u "$ADIT" frobnicate -a 192.168.53.99/24
check "adit version prints the version, status 0" sh -c "'$ADIT' version | grep -Eq '^adit [0-9]+\.[0-9]+'"
check "wg mode: an unknown option, status 2" expect 2 "unknown option '--fast'" u "$ADIT" --fast wg0
check "wg mode: a name held by another kind of interface" \
	expect 1 'cannot create TUN interface eth0: an interface of that name exists and is not a TUN \(choose another name\)$' u "$ADIT" -f eth0
check "wg mode: ADIT_CRYPTO naming no backend is named, with the choices, status 1" \
	expect 1 'ADIT_CRYPTO=rot13 is no backend: use openssl or ipsec-mb' u env ADIT_CRYPTO=rot13 "$ADIT" -f "$WGE"
check_not "  and no interface of that name appeared" ip -n "$(ns u)" link show dev "$WGE"
# A backend that cannot be used here: ipsec-mb where this adit was built without it (or
# this CPU cannot run it); nothing to refuse where it works.
if ! ADIT_CRYPTO=ipsec-mb "$ADIT" version 2>/dev/null | grep -q '^wg data crypto: ipsec-mb'; then
	check "wg mode: ADIT_CRYPTO=ipsec-mb where it cannot work: says why and what to do, status 1" \
		expect 1 'ADIT_CRYPTO=ipsec-mb, but .*use ADIT_CRYPTO=openssl' u env ADIT_CRYPTO=ipsec-mb "$ADIT" -f "$WGE"
fi
start u wg "$ADIT" wg -f "$WGE"     # the explicit form, for a name that could be a command
wait_for 5 test -S "/var/run/wireguard/$WGE.sock"
check "wg mode: a name another adit holds" \
	expect 1 "cannot create TUN interface $WGE: it exists and another program holds it \(stop that program, or choose another name\)" u "$ADIT" -f "$WGE"
KEY=$(wg genkey | wg pubkey)
check "probe-address: a bad key named, status 2" \
	expect 2 "'nokey' is no public key" u "$ADIT" probe-address "$WGE" nokey 10.0.0.2
check "probe-address: a bad address named, status 2" \
	expect 2 "'10.0.0' is no IPv4 or IPv6 address \(or auto\)" u "$ADIT" probe-address "$WGE" "$KEY" 10.0.0
check "probe-address: a key that names no peer, status 1" \
	expect 1 "$WGE has no peer .* \\(wg show $WGE peers lists them\\)" u "$ADIT" probe-address "$WGE" "$KEY" 10.0.0.2
check "probe-address: an interface nothing serves, status 1" \
	expect 1 "cannot reach wg interface nosuch0 .*is it up" u "$ADIT" probe-address nosuch0 "$KEY" auto
check "wg mode: SIGTERM ends it with status 0" exited_with wg 0
check_not "and its UAPI socket is gone" test -e "/var/run/wireguard/$WGE.sock"
finish
