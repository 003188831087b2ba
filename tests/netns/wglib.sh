# shellcheck shell=bash
# Sourced after lib.sh by the WireGuard end-to-end tests, tests/netns/wg-*.sh. They do not use
# the SEED lab: each test builds two or three bare namespaces of its own, $ADIT_LAB-a, -b, -c,
# so lib.sh's `on`, `start` and `ns` work on them as on lab hosts. adit in WireGuard mode is
# run like wireguard-go ("$ADIT -f IFACE", configured with wg(8) through
# /var/run/wireguard/IFACE.sock); /usr/bin/wireguard-go is the reference peer.
#
#   wg_hosts HOST...            create namespaces $ADIT_LAB-HOST, loopback up
#   wg_wire H1 H2               veth "eth0" between them; H1 is 10.77.0.1/24 fd77::1/64, H2 .2/::2
#   wg_key NAME                 $T/NAME.key and $T/NAME.pub, a fresh key pair
#   wg_two_hosts                hosts a and b on one wire, key pairs a and b, names $IA and $IB
#   wg_start_pair [VAR=VALUE...]  adit -f $IA in a (with that environment), wireguard-go -f $IB in b
#   wg_pair_tunnel              the usual tunnel between them: a is 10.88.0.1/24 on port 51820,
#                               b 10.88.0.2/24 on 51821, each the other's peer (its /32, endpoint)
#   wg_ifname TAG               print a UAPI-unique interface name (the socket dir is host-wide)
#   start_wg HOST NAME IMPL IFACE [VAR=VALUE...]
#                               start "IMPL -f IFACE" with that environment; wait for its UAPI
#   wg_dev HOST IFACE KEY PORT ADDR...  set key and port, add inner addresses, link up
#   wg_peer HOST IFACE PEERKEY ALLOWED [ENDPOINT [WG-SET ARGS...]]   add a peer by key name
#   wg_field HOST IFACE WHAT    `wg show IFACE WHAT` for the only peer, without the key column
#   rx_packets HOST IFACE       the interface's RX packet counter (packets written into the TUN)
#   gone PID                    the process has ended (a zombie counts as ended)
#   wait_exit NAME SECS         wait for a started process to end by itself; its exit status
#   capture HOST NAME IFACE FILTER   tcpdump to $T/NAME.pcap until `end_capture NAME`
#   end_capture NAME            let tcpdump write what it has seen, then stop it
#   pcap_count NAME [FILTER]    packets in $T/NAME.pcap (matching FILTER)
#   need_wgo                    fail the test at once without $WGO (wireguard-go) and wg(8)
#
# On exit, after lib.sh's cleanup has stopped what `start` started, whatever else still runs in
# the test's namespaces (a daemon wg-quick started, say) is stopped, the namespaces are
# removed, and the UAPI sockets of the test's own interface names (and $WG_SOCKETS) are deleted.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "1..0 # SKIP wglib.sh is a library, sourced by tests/netns/wg-*.sh"
	exit 0
fi

WGO=${WGO:-/usr/bin/wireguard-go}
WG_RUN=/var/run/wireguard
WG_NAMESPACES=()
WG_SOCKETS=() # sockets of interfaces not named by wg_ifname, removed at exit like its own

wg_hosts() {
	local h
	for h in "$@"; do
		ip netns add "$ADIT_LAB-$h" || return 1
		WG_NAMESPACES+=("$ADIT_LAB-$h")
		ip -n "$ADIT_LAB-$h" link set lo up
	done
}

wg_wire() {
	local a=$1 b=$2
	ip -n "$ADIT_LAB-$a" link add eth0 type veth peer name eth0 netns "$ADIT_LAB-$b" || return 1
	ip -n "$ADIT_LAB-$a" addr add 10.77.0.1/24 dev eth0
	ip -n "$ADIT_LAB-$a" addr add fd77::1/64 dev eth0 nodad
	ip -n "$ADIT_LAB-$b" addr add 10.77.0.2/24 dev eth0
	ip -n "$ADIT_LAB-$b" addr add fd77::2/64 dev eth0 nodad
	ip -n "$ADIT_LAB-$a" link set eth0 up
	ip -n "$ADIT_LAB-$b" link set eth0 up
}

wg_key() {
	(umask 077; wg genkey >"$T/$1.key") && wg pubkey <"$T/$1.key" >"$T/$1.pub"
}

wg_two_hosts() {
	{ wg_hosts a b && wg_wire a b && wg_key a && wg_key b; } || return 1
	IA=$(wg_ifname a) IB=$(wg_ifname b)
}

wg_start_pair() {
	start_wg a adit "$ADIT" "$IA" "$@" && start_wg b wgo "$WGO" "$IB"
}

wg_pair_tunnel() {
	wg_dev a "$IA" a 51820 10.88.0.1/24 && wg_dev b "$IB" b 51821 10.88.0.2/24 &&
		wg_peer a "$IA" b 10.88.0.2/32 10.77.0.2:51821 &&
		wg_peer b "$IB" a 10.88.0.1/32 10.77.0.1:51820
}

# wg + tag + "-" + PID: at most 2 + 5 + 1 + 7 characters, under IFNAMSIZ, and no other
# test's. Without the dash, tag a1 of the test with PID 2255 and tag a of the test with PID
# 12255 were both wga12255: side by side, one test's wireguard-go found the other's socket at
# its path, and one test's exit removed the other's socket.
wg_ifname() {
	echo "wg$1-$$"
}

# A socket already at one of this test's names is stale: left by an earlier test with the same
# PID (PIDs wrap at 32768, and a test cut off before its cleanup leaves its sockets). Gone
# before anything starts, so that no daemon of this test meets it.
for stale in "$WG_RUN"/wg*-$$.sock; do
	[ -e "$stale" ] && rm -f "$stale"
done

uapi_listening() { # HOST IFACE
	on "$1" ss -xlH | grep -qF " $WG_RUN/$2.sock "
}

start_wg() {
	local host=$1 name=$2 impl=$3 ifname=$4
	shift 4
	local extra=
	[ "$impl" != "$ADIT" ] || extra=${ADIT_ARGS:-}
	# shellcheck disable=SC2086 # extra: adit's flags from $ADIT_ARGS, none for wireguard-go
	start "$host" "$name" env "$@" "$impl" -f $extra "$ifname" || return 1
	# wireguard-go binds its socket, then listens, then watches the file: a wg(8) that
	# connects in between is refused, takes the socket for a dead daemon's and removes it,
	# and wireguard-go exits ("Failed to listen on uapi socket: no such file or directory";
	# make check-repeat met it three times under load). So wg asks only once ss shows the
	# socket listening. adit listens before its socket has its name (ctlsock.c).
	[ "$impl" = "$ADIT" ] || wait_for "$WAIT_SECONDS" uapi_listening "$host" "$ifname" ||
		{ echo "# $name ($impl) did not listen on $WG_RUN/$ifname.sock within $WAIT_SECONDS s"; return 1; }
	wait_for "$WAIT_SECONDS" on "$host" wg show "$ifname" ||
		{ echo "# $name ($impl) did not serve $WG_RUN/$ifname.sock within $WAIT_SECONDS s"; return 1; }
}

wg_dev() {
	local host=$1 ifname=$2 key=$3 port=$4 addr
	shift 4
	on "$host" wg set "$ifname" private-key "$T/$key.key" listen-port "$port" || return 1
	for addr in "$@"; do
		case $addr in
		*:*) on "$host" ip addr add "$addr" dev "$ifname" nodad || return 1 ;;
		*) on "$host" ip addr add "$addr" dev "$ifname" || return 1 ;;
		esac
	done
	on "$host" ip link set "$ifname" up
}

wg_peer() {
	local host=$1 ifname=$2 peer=$3 allowed=$4 endpoint=${5:-}
	shift 4
	[ $# -eq 0 ] || shift
	on "$host" wg set "$ifname" peer "$(cat "$T/$peer.pub")" allowed-ips "$allowed" \
		${endpoint:+endpoint "$endpoint"} "$@"
}

wg_field() {
	on "$1" wg show "$2" "$3" | cut -f2-
}

rx_packets() { on "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }

gone() { ! alive "$1"; }

wait_exit() {
	local pid=${PIDS[$1]:-} rc
	[ -n "$pid" ] || return 1
	wait_for "$2" gone "$pid" || return 124
	wait "$pid"
	rc=$?
	unset "PIDS[$1]"
	return $rc
}

# Immediate and packet-buffered, so that what crossed the link is in the file when it stops;
# as root, since tcpdump's own user cannot write to $T.
capture() {
	start "$1" "$2" tcpdump -i "$3" -n --immediate-mode -U -Z root -w "$T/$2.pcap" "$4" ||
		return 1
	wait_log "$2" 'listening on'
}

end_capture() {
	sleep 0.3
	stop "$1"
}

pcap_count() {
	local name=$1
	shift
	tcpdump -r "$T/$name.pcap" -n "$@" 2>/dev/null | wc -l
}

wg_cleanup() {
	local ns pids _ i
	for ns in "${WG_NAMESPACES[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # a list of PIDs, all in this test's own namespaces
		[ -z "$pids" ] || kill -TERM $pids 2>/dev/null
	done
	for _ in $(seq 20); do
		pids=
		for ns in "${WG_NAMESPACES[@]}"; do
			pids+=$(ip netns pids "$ns" 2>/dev/null)
		done
		[ -n "$pids" ] || break
		sleep 0.1
	done
	for ns in "${WG_NAMESPACES[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	# wg_ifname runs in $(...), so its names are matched here by their shape: wg, a tag,
	# a dash, this test's PID.
	for i in "$WG_RUN"/wg*-$$.sock "${WG_SOCKETS[@]}"; do
		[ -e "$i" ] && rm -f "$i"
	done
}

# After a failed check: this test's sockets as the file system has them (inode, mode) and
# as the kernel has them listening (ss prints the name each was bound to and its process), so
# that a socket that vanished or stopped answering can be told apart.
on_failure() {
	local ns
	echo "# --- $WG_RUN, this test's entries"
	# shellcheck disable=SC2010 # for a person to read, inode numbers included
	ls -lai "$WG_RUN" 2>&1 | grep -e "$$" | sed 's/^/#   /'
	echo "# --- listening UNIX sockets in this test's namespaces"
	for ns in "${WG_NAMESPACES[@]}"; do
		ip netns exec "$ns" ss -xlpn 2>/dev/null | grep -e "$$" | sed "s/^/#   $ns: /"
	done
}

# lib.sh's cleanup first (it keeps the exit status and stops what `start` started), then ours.
wg_exit() {
	local rc=$?
	cleanup
	wg_cleanup
	exit $rc
}
trap wg_exit EXIT

need_wgo() {
	[ -x "$WGO" ] && command -v wg >/dev/null && return 0
	report 0 "the reference peer $WGO and wg(8) are installed" /dev/null
	finish
}
