#!/usr/bin/env bash
# The SEED VPN Tunneling Lab's Labsetup, in network namespaces instead of Docker containers.
#
# Every host is a namespace named $ADIT_LAB-<host>; the three Ethernet segments are Linux
# bridges inside one more namespace, $ADIT_LAB-sw, and each host reaches its segment through a
# veth pair whose host end is eth0/eth1 as in the lab's containers. Nothing is attached to the
# namespace this script is started in. `lab.sh help` tells the rest.
set -eu

LAB_STATE=/run/adit-lab
HOSTS="u server v v2 cr h50a h50b"

# host  iface  switch end  segment  address       (segment = bridge in the sw namespace)
LINKS="
u      eth0 u0    inet  10.9.0.5/24
server eth0 srv0  inet  10.9.0.11/24
server eth1 srv1  net60 192.168.60.11/24
v      eth0 v0    net60 192.168.60.5/24
v2     eth0 v20   net60 192.168.60.6/24
cr     eth0 cr0   inet  10.9.0.12/24
cr     eth1 cr1   net50 192.168.50.12/24
h50a   eth0 h50a0 net50 192.168.50.5/24
h50b   eth0 h50b0 net50 192.168.50.6/24
"

# host  default gateway (U has none: without a tunnel it cannot reach V)
GATEWAYS="
v    192.168.60.11
v2   192.168.60.11
h50a 192.168.50.12
h50b 192.168.50.12
"

usage() {
	cat <<'EOF'
usage: lab/lab.sh COMMAND

The SEED VPN Tunneling Lab's network, built from network namespaces:

  U       10.9.0.5      VPN client; no default route, so it cannot reach V alone
  server  10.9.0.11     VPN server and router (ip_forward=1, rp_filter=1)
          192.168.60.11
  V, V2   192.168.60.5, 192.168.60.6   private hosts, default via 192.168.60.11
  cr      10.9.0.12     Task 8 client-router (ip_forward=1)
          192.168.50.12
  h50a, h50b  192.168.50.5, 192.168.50.6   second site, default via 192.168.50.12

  "internet" 10.9.0.0/24, 192.168.60.0/24 and 192.168.50.0/24 are bridges in the
  namespace "sw"; hosts name their links eth0/eth1 as the lab's containers do.

commands:
  up              build the lab (named $ADIT_LAB, or a new random name that later
                  commands find in /run/adit-lab/current)
  down            remove the lab's namespaces and every process in them
  exec HOST CMD   run CMD on HOST, e.g.  lab/lab.sh exec u ping 10.9.0.11
  ns HOST         print HOST's namespace name (for ip -n, ip netns exec, tcpdump)
  hosts           list hosts, namespaces and addresses
  demo            a guided run of adit through the lab (Tasks 1-5), plaintext then WireGuard
  help            this text

hosts: u server v v2 cr h50a h50b (and sw, the switch)
EOF
}

die() { echo "lab.sh: $*" >&2; exit 1; }
bad() { echo "lab.sh: $*" >&2; echo "run 'lab/lab.sh help' for usage" >&2; exit 2; }

valid_name() { [[ $1 =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad lab name '$1': use letters, digits, '.', '_', '-'"; }

# The lab that commands other than `up` act on: $ADIT_LAB, else the one `up` recorded.
current_lab() {
	if [ -n "${ADIT_LAB:-}" ]; then
		valid_name "$ADIT_LAB"
		LAB=$ADIT_LAB
	elif [ -s "$LAB_STATE/current" ]; then
		LAB=$(cat "$LAB_STATE/current")
		valid_name "$LAB"
	else
		die "no lab is up (run 'lab/lab.sh up', or set ADIT_LAB)"
	fi
}

is_host() { case " $HOSTS sw " in *" $1 "*) return 0 ;; esac; return 1; }

ns_of() {
	is_host "$1" || bad "unknown host '$1' (hosts: $HOSTS sw)"
	echo "$LAB-$1"
}

lab_exists() { [ -e "/run/netns/$LAB-sw" ]; }

# Docker gives a container on 10.9.0.5 the MAC 02:42:0a:09:00:05; the namespaces do the same.
mac_of() {
	local IFS=./
	# shellcheck disable=SC2086 # split the address into its bytes
	set -- $1
	printf '02:42:%02x:%02x:%02x:%02x' "$1" "$2" "$3" "$4"
}

# Writes a sysctl inside a namespace: /proc/sys/net belongs to the writer's namespace.
ns_sysctl() {
	local ns=$1 script=
	shift
	for kv in "$@"; do
		script="$script echo ${kv#*=} > /proc/sys/${kv%%=*};"
	done
	ip netns exec "$ns" sh -c "$script"
}

lab_up() {
	local h ns host ifc sw seg addr gw
	for h in sw $HOSTS; do
		ip netns add "$LAB-$h"
	done

	# The switch: one bridge per segment, one veth per host link; the host end goes
	# straight into the host's namespace, so no link ever exists outside the lab.
	{
		for seg in inet net60 net50; do
			echo "link add $seg type bridge forward_delay 0"
			echo "link set $seg up"
		done
		echo "$LINKS" | while read -r host ifc sw seg addr; do
			[ -n "$host" ] || continue
			echo "link add $sw type veth peer name $ifc address $(mac_of "${addr%/*}") netns $LAB-$host"
			echo "link set $sw master $seg up"
		done
	} | ip -n "$LAB-sw" -batch -

	for h in $HOSTS; do
		{
			echo "link set lo up"
			echo "$LINKS" | while read -r host ifc sw seg addr; do
				[ "$host" = "$h" ] || continue
				echo "addr add $addr dev $ifc"
				echo "link set $ifc up"
			done
			echo "$GATEWAYS" | while read -r host gw; do
				if [ "$host" = "$h" ]; then echo "route add default via $gw"; fi
			done
		} | ip -n "$LAB-$h" -batch -
	done
	ip -n "$LAB-sw" link set lo up

	# The lab's docker-compose sets ip_forward on the routers; rp_filter=1 is Ubuntu's
	# default and is what drops the replies in Task 8's out-of-subnet TUN address variant.
	ns_sysctl "$LAB-server" net/ipv4/ip_forward=1 \
		net/ipv4/conf/all/rp_filter=1 net/ipv4/conf/default/rp_filter=1
	ns_sysctl "$LAB-cr" net/ipv4/ip_forward=1
}

# Namespaces of $LAB that exist, the switch last.
lab_namespaces() {
	local h
	for h in $HOSTS sw; do
		[ -e "/run/netns/$LAB-$h" ] && echo "$LAB-$h"
	done
	return 0
}

lab_pids() {
	local ns
	for ns in $(lab_namespaces); do
		ip netns pids "$ns" 2>/dev/null || true
	done
}

lab_down() {
	local nss pids ns _
	nss=$(lab_namespaces)
	pids=$(lab_pids)
	# shellcheck disable=SC2086 # $pids is a list
	if [ -n "$pids" ]; then
		kill $pids 2>/dev/null || true
		for _ in $(seq 20); do
			pids=$(lab_pids)
			[ -z "$pids" ] && break
			sleep 0.1
		done
		if [ -n "$pids" ]; then kill -KILL $pids 2>/dev/null || true; fi
	fi
	for ns in $nss; do
		ip netns del "$ns"
	done
	if [ -s "$LAB_STATE/current" ] && [ "$(cat "$LAB_STATE/current")" = "$LAB" ]; then
		rm -f "$LAB_STATE/current"
	fi
	[ -n "$nss" ] || return 1
}

cmd_up() {
	local t0 named=1
	if [ -n "${ADIT_LAB:-}" ]; then
		LAB=$ADIT_LAB
		valid_name "$LAB"
	else
		named=0
		if [ -s "$LAB_STATE/current" ]; then
			LAB=$(cat "$LAB_STATE/current")
			lab_exists && die "lab $LAB is already up (lab/lab.sh down first)"
		fi
		LAB=adit-lab-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	fi
	lab_exists && die "lab $LAB is already up (lab/lab.sh down first)"
	[ -z "$(lab_namespaces)" ] || die "namespaces named $LAB-* exist already: $(lab_namespaces | tr '\n' ' ')"
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
	t0=$(date +%s%N)
	trap 'lab_down >/dev/null 2>&1' EXIT
	lab_up
	trap - EXIT
	if [ $named -eq 0 ]; then
		mkdir -p "$LAB_STATE"
		echo "$LAB" >"$LAB_STATE/current"
	fi
	echo "lab $LAB is up ($(( ($(date +%s%N) - t0) / 1000000 )) ms): hosts $HOSTS"
	echo "try: lab/lab.sh exec u ping -c1 10.9.0.11; lab/lab.sh hosts; lab/lab.sh down"
}

cmd_down() {
	current_lab
	if lab_down; then
		echo "lab $LAB is down"
	else
		echo "lab $LAB: nothing to remove"
	fi
}

cmd_hosts() {
	current_lab
	lab_exists || die "lab $LAB is not up"
	printf '%-7s %-26s %s\n' HOST NAMESPACE ADDRESSES
	for h in $HOSTS sw; do
		printf '%-7s %-26s %s\n' "$h" "$LAB-$h" \
			"$(ip -n "$LAB-$h" -o -4 addr show scope global | awk '{printf "%s %s  ", $2, $4}')"
	done
}

cmd_exec() {
	[ $# -ge 2 ] || bad "usage: lab.sh exec HOST CMD..."
	current_lab
	local ns host=$1
	ns=$(ns_of "$1")
	shift
	[ -e "/run/netns/$ns" ] || die "lab $LAB is not up (no namespace $ns)"
	# A UTS namespace of its own, named for the host, so a shell's prompt says where it is.
	exec ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$host" "$@"
}

cmd_ns() {
	[ $# -eq 1 ] || bad "usage: lab.sh ns HOST"
	current_lab
	ns_of "$1"
}

# --- demo -------------------------------------------------------------------------------------
# A guided run through the lab's Tasks 1-5 with adit in place of the lab's Python scripts, then
# the same traffic through adit's WireGuard mode, in a lab of its own that is removed on every
# exit path.

DEMO_DONE=0

if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=; N=; fi

step() { printf '\n%s[%s/8] %s%s\n' "$B" "$1" "$2" "$N"; }
say() { printf '  %s\n' "$*"; }
indent() { sed -e '/^$/d' -e 's/^/      /'; }
fail() { printf '  %sFAILED:%s %s\n' "$B" "$N" "$*"; exit 1; }

# Shows a command as typed at HOST's root prompt, runs it there, and indents its output.
on() {
	local host=$1
	shift
	printf '  %s# %s\n' "$host" "$*"
	ip netns exec "$LAB-$host" "$@" 2>&1 | indent
}

# Starts CMD in HOST's namespace with output to $DEMO_TMP/NAME.log; $! is its PID, since
# `ip netns exec` execs CMD. Whatever is left running goes with the lab's namespaces.
bg_on() {
	local host=$1 name=$2
	shift 2
	ip netns exec "$LAB-$host" "$@" >"$DEMO_TMP/$name.log" 2>&1 &
}

alive() { [ -e "/proc/$1" ] && ! grep -q ') Z' "/proc/$1/stat" 2>/dev/null; }

# Waits up to $1 tenths of a second for the command to succeed.
poll() {
	local n=$1 _
	shift
	for _ in $(seq "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

tun_of() { ip -n "$LAB-$1" -o link show | awk -F': ' '$2 ~ /^tun[0-9]+$/ { print $2; exit }'; }
has_tun() { [ -n "$(tun_of "$1")" ]; }

# Ends a process started by bg_on: SIGTERM, 3 s, then SIGKILL. Sets $RC to its exit status.
end_pid() {
	kill -TERM "$1" 2>/dev/null || true
	poll 30 eval "! alive $1" || kill -KILL "$1" 2>/dev/null || true
	RC=0
	wait "$1" 2>/dev/null || RC=$?
}

demo_cleanup() {
	local rc=$?
	trap - EXIT
	[ $DEMO_DONE -eq 1 ] || lab_down >/dev/null 2>&1 || true
	rm -rf "$DEMO_TMP"
	exit $rc
}

# The last N per-packet lines of adit's log NAME about V (any last lines if none match).
adit_lines() {
	local lines
	lines=$(grep -E 'From (tun|socket)' "$DEMO_TMP/$1.log" | grep -F 192.168.60.5 | tail -n "$2")
	[ -n "$lines" ] || lines=$(tail -n "$2" "$DEMO_TMP/$1.log")
	printf '%s\n' "$lines" | sed "s/^/      $1 | /"
}

# What adit said when it started: the lines of log NAME before its first packet line.
adit_banner() {
	sed -n '/From \(tun\|socket\)/q; p' "$DEMO_TMP/$1.log" | head -n 4 | sed "s/^/      $1 | /"
}

# capture_pings NAME PORT PATTERN NOTE: tcpdump on the server's eth0 while U pings V twice
# with PATTERN as payload; shows the first datagram in full and the others' headers.
capture_pings() {
	local name=$1 port=$2 pattern=$3 dump
	bg_on server "$name" tcpdump -l -n -X -c 4 -i eth0 udp port "$port"
	dump=$!
	poll 50 grep -q 'listening on' "$DEMO_TMP/$name.log" || fail "tcpdump did not start"
	say "server# tcpdump -n -i eth0 -c 4 -X udp port $port"
	say "u# ping -c2 -i 0.3 -p $pattern 192.168.60.5   $4"
	ip netns exec "$LAB-u" ping -c2 -i 0.3 -W1 -p "$pattern" 192.168.60.5 >/dev/null 2>&1 ||
		fail "ping through the tunnel failed"
	poll 30 eval "! alive $dump" || kill "$dump" 2>/dev/null || true
	grep -v 'listening on\|verbose output\|packets \(captured\|received\|dropped\)' \
		"$DEMO_TMP/$name.log" | awk '/^[0-9]/ { n++ } n == 1 || /^[0-9]/' |
		sed 's/\t/  /' | indent
	[ "$(grep -c 'UDP, length' "$DEMO_TMP/$name.log")" -ge 4 ] ||
		fail "tcpdump did not see the tunnel's datagrams"
}

count_lines() { [ "$(grep -cE 'From (tun|socket)' "$DEMO_TMP/$1.log")" -ge "$2" ]; }

# wg mode between U and the server: keys from adit genkey, each side configured with wg set,
# addresses and routes with ip, as wg-quick would do. Sets $wgs and $wgu to the daemons' PIDs.
demo_wg() {
	local adit=$1 id=${LAB##*-} ks ku
	WGS=wgs-$id WGU=wgu-$id # names are global: the UAPI sockets share /var/run/wireguard
	ks=$("$adit" genkey) && ku=$("$adit" genkey) || fail "adit genkey failed"
	say "both# adit genkey > key; adit pubkey < key   (keys as wg genkey makes them)"
	say "server# adit -f $WGS    u# adit -f $WGU"
	bg_on server wgs "$adit" -f "$WGS"
	wgs=$!
	bg_on u wgu "$adit" -f "$WGU"
	wgu=$!
	poll 50 eval "[ -S /var/run/wireguard/$WGS.sock ] && [ -S /var/run/wireguard/$WGU.sock ]" ||
		fail "adit did not open its UAPI sockets within 5 s"
	say "server# wg set $WGS private-key key listen-port 51820 peer U allowed-ips 192.168.53.99/32"
	ip netns exec "$LAB-server" wg set "$WGS" private-key <(echo "$ks") listen-port 51820 \
		peer "$(echo "$ku" | "$adit" pubkey)" allowed-ips 192.168.53.99/32 || fail "wg set failed"
	say "u# wg set $WGU private-key key peer SERVER endpoint 10.9.0.11:51820 \\"
	say "     allowed-ips 192.168.53.11/32,192.168.60.0/24"
	ip netns exec "$LAB-u" wg set "$WGU" private-key <(echo "$ku") peer \
		"$(echo "$ks" | "$adit" pubkey)" endpoint 10.9.0.11:51820 \
		allowed-ips 192.168.53.11/32,192.168.60.0/24 || fail "wg set failed"
	ip -n "$LAB-server" addr add 192.168.53.11/24 dev "$WGS"
	ip -n "$LAB-server" link set "$WGS" up
	ip -n "$LAB-u" addr add 192.168.53.99/24 dev "$WGU"
	ip -n "$LAB-u" link set "$WGU" up
	ip -n "$LAB-u" route add 192.168.60.0/24 dev "$WGU"
	say "both# ip addr add 192.168.53.x/24 dev wg...; ip link set up; U: ip route add 192.168.60.0/24"
	on u ping -c3 -i 0.3 192.168.60.5 || fail "U cannot ping V through the WireGuard tunnel"
	on u wg show "$WGU"
	say "wg(8) reads adit's state over UAPI, as it reads wireguard-go's: the handshake, bytes."
}

cmd_demo() {
	local adit srv cli wgs= wgu= out t0 rc1 rc2 pattern
	adit=${ADIT:-$(cd "$(dirname "$0")/.." && pwd)/adit}
	[ -x "$adit" ] || die "adit is not built: run 'make' first (or set ADIT=/path/to/adit)"
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
	command -v tcpdump >/dev/null || die "tcpdump is missing (apt-get install tcpdump)"
	LAB=adit-demo-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	DEMO_TMP=$(mktemp -d /tmp/adit-demo.XXXXXX)
	trap demo_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	set -o pipefail
	t0=$(date +%s)

	printf '%sadit demo: the SEED VPN Tunneling Lab, Tasks 1-5 in network namespaces, in lab mode and in wg mode%s\n' "$B" "$N"
	lab_up
	say "lab $LAB is up (lab/lab.sh help shows it):"
	say "  U 10.9.0.5 --[internet 10.9.0.0/24]-- 10.9.0.11 server 192.168.60.11 --[192.168.60.0/24]-- V 192.168.60.5"

	step 1 "Without a tunnel, U cannot reach V"
	say "U has no route to 192.168.60.0/24, as in the lab's Task 1."
	if on u ping -c1 -W1 192.168.60.5; then
		fail "U reached V without a tunnel"
	fi
	say "-> no reply, as expected."

	step 2 "Start the VPN: adit server on the server, adit client on U"
	say "server# adit server -n tun%d -a 192.168.53.11/24"
	bg_on server server stdbuf -oL -eL "$adit" server -n 'tun%d' -a 192.168.53.11/24
	srv=$!
	say "u# adit client 10.9.0.11:9090 -n tun%d -a 192.168.53.99/24 -r 192.168.60.0/24"
	bg_on u client stdbuf -oL -eL "$adit" client 10.9.0.11:9090 -n 'tun%d' -a 192.168.53.99/24 \
		-r 192.168.60.0/24
	cli=$!
	poll 50 eval "! alive $srv || ! alive $cli || { has_tun server && has_tun u; }" || true
	if ! alive "$srv" || ! alive "$cli" || ! has_tun server || ! has_tun u; then
		for h in server client; do say "$h log:"; tail -n 5 "$DEMO_TMP/$h.log" | indent; done
		alive "$srv" || fail "adit server exited"
		alive "$cli" || fail "adit client exited"
		fail "adit did not create its interfaces within 5 s"
	fi
	sleep 0.2
	say "adit says:"
	adit_banner server
	adit_banner client
	say "-> the server got $(tun_of server), U got $(tun_of u); adit configured them, and U's route:"
	on u ip route show 192.168.60.0/24

	step 3 "Through the tunnel, U pings V"
	on u ping -c3 -i 0.3 192.168.60.5 || fail "U cannot ping V through the tunnel"
	say "ttl=63: V's reply leaves with ttl 64; the server forwards it once (eth1 -> its TUN)."
	poll 20 eval 'count_lines server 6 && count_lines client 6' || true
	say "adit printed one line per packet, as the lab's tun_server.py and tun_client.py do:"
	adit_lines server 4
	adit_lines client 4

	step 4 "TCP through the tunnel: U talks to a small server on V, port 7000"
	cat >"$DEMO_TMP/greeter.py" <<'PY'
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7000))
s.listen(1)
s.settimeout(10)
print("listening", flush=True)
c, (ip, port) = s.accept()
line = c.makefile().readline().strip()
c.sendall("hello {}, this is V; you said: {}\n".format(ip, line).encode())
c.close()
PY
	bg_on v greeter /usr/bin/python3 "$DEMO_TMP/greeter.py"
	poll 50 grep -q listening "$DEMO_TMP/greeter.log" || fail "the TCP server on V did not start"
	cat >"$DEMO_TMP/hello.py" <<'PY'
import socket
s = socket.create_connection(("192.168.60.5", 7000), timeout=5)
s.sendall(b"hi V, this is U\n")
print("U sent:    hi V, this is U")
print("V replied: " + s.makefile().readline().strip())
PY
	say "v# python3 greeter.py    (listens on port 7000, answers one line)"
	say "u# python3 hello.py      (connects to 192.168.60.5:7000, sends a line)"
	ip netns exec "$LAB-u" /usr/bin/python3 "$DEMO_TMP/hello.py" >"$DEMO_TMP/tcp.out" 2>&1 || {
		indent <"$DEMO_TMP/tcp.out"
		fail "no TCP exchange with V"
	}
	indent <"$DEMO_TMP/tcp.out"
	grep -q 'hello 192.168.53.99' "$DEMO_TMP/tcp.out" || fail "V did not answer as expected"
	say "V sees U as 192.168.53.99, U's tunnel address: U's packets left the server's TUN."

	step 5 "What the internet sees: the server's eth0 during two pings"
	pattern=$(printf 'plaintext-inside' | od -An -tx1 | tr -d ' \n')
	capture_pings tcpdump 9090 "$pattern" '(payload "plaintext-inside")'
	say "Each UDP datagram carries one of U's IP packets as it is (the first one is dumped"
	say "in full): from offset 0x1c, 4500... is U's packet, c0a8 3563 c0a8 3c05 are"
	say "192.168.53.99 > 192.168.60.5, and the ping's payload reads in clear text."
	say "Lab mode is plaintext by design, for the lab only; adit's WireGuard mode encrypts."

	end_pid "$srv"
	rc1=$RC
	end_pid "$cli"
	rc2=$RC
	say "lab mode stopped (SIGTERM): the server exited with status $rc1, the client with $rc2."

	step 6 "The same VPN in wg mode: adit speaks WireGuard, configured with wg(8)"
	demo_wg "$adit"

	step 7 "What the internet sees now: the server's eth0 during the same two pings"
	capture_pings tcpdump2 51820 "$pattern" '(the same payload)'
	grep -q 'plaintext' "$DEMO_TMP/tcpdump2.log" && fail "the payload is readable on the wire"
	grep -q '0x0010: .* 0400 0000' "$DEMO_TMP/tcpdump2.log" ||
		fail "no WireGuard transport message (type 4) in the capture"
	say "Every datagram is a WireGuard message: at offset 0x1c, 0400 0000 is type 4"
	say "(transport data), then the receiver's index, a 64-bit counter and ciphertext."
	say "The addresses of U and V and the ping's payload are nowhere to be read."

	step 8 "Tear down"
	end_pid "$wgs"
	rc1=$RC
	end_pid "$wgu"
	rc2=$RC
	say "wg mode stopped (SIGTERM): the server exited with status $rc1, U's with $rc2."
	lab_down
	DEMO_DONE=1
	out=$(ip netns list | grep "^$LAB-" || true)
	[ -z "$out" ] || fail "namespaces left: $out"
	for pid in $srv $cli $wgs $wgu; do alive "$pid" && fail "process $pid is still running"; done
	say "lab $LAB removed: no namespace and no process of the demo is left."
	if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then fail "adit did not exit cleanly on SIGTERM"; fi
	printf '\n%sDone in %s s.%s Your turn: lab/lab.sh up, then lab/lab.sh exec u bash.\n' \
		"$B" $(( $(date +%s) - t0 )) "$N"
}

case "${1:-help}" in
up) cmd_up ;;
down) cmd_down ;;
exec) shift; cmd_exec "$@" ;;
ns) shift; cmd_ns "$@" ;;
hosts) cmd_hosts ;;
demo) cmd_demo ;;
help | -h | --help) usage ;;
*) bad "unknown command '$1'" ;;
esac
