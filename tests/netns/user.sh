#!/usr/bin/env bash
# --user NAME. Once its interface and sockets exist, adit runs as NAME: a wg daemon with
# nobody's uid and gid and no supplementary groups, CAP_NET_ADMIN and CAP_NET_BIND_SERVICE
# kept, carries a tunnel to wireguard-go, moves to a port below 1024, and at SIGTERM exits 0;
# its socket in root's /var/run/wireguard, which nobody cannot remove, is removed by the
# janitor process it left as root (without capabilities), which then exits too. The same in
# the background, ended by deleting the interface. A lab server as nobody carries a ping
# and its control socket goes at exit; adit tun runs as nobody too. An unknown user is refused before anything is made.
# ADIT_USER=NAME in the environment means --user NAME when --user is not given (wg-quick and
# systemd cannot add arguments): a wg daemon and adit tun started with it and no --user run
# as nobody; wg-quick with WG_QUICK_USERSPACE_IMPLEMENTATION and ADIT_USER leaves a daemon
# that is not root, which wg-quick down ends; --user wins over it; a user ADIT_USER names
# that does not exist is refused, naming the variable and how to make the user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

NOBODY_UID=$(id -u nobody) NOBODY_GID=$(id -g nobody)
status_of() { grep "^$2:" "/proc/$1/status" | cut -f2- | tr '\t' ' ' | sed 's/ *$//'; }
# CAP_NET_BIND_SERVICE is bit 10, CAP_NET_ADMIN bit 12.
KEPT=0000000000001400
janitor_of() { # PID: its child named adit-janitor
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(cat /proc/"$c"/comm 2>/dev/null)" = adit-janitor ] && echo "$c"
	done
}

wg_two_hosts
ADIT_ARGS="${ADIT_ARGS:-} --user nobody" start_wg a adit "$ADIT" "$IA"
start_wg b wgo "$WGO" "$IB"
wg_pair_tunnel
pid=$(pid_of adit)
check "the wg daemon runs as nobody (uid $NOBODY_UID, all four ids)" \
	test "$(status_of "$pid" Uid)" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
check "  with nobody's group (gid $NOBODY_GID) and no supplementary groups" \
	sh -c "[ '$(status_of "$pid" Gid)' = '$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID' ] &&
	       [ -z '$(status_of "$pid" Groups)' ]"
check "  keeping NET_ADMIN and NET_BIND_SERVICE only" test "$(status_of "$pid" CapEff)" = $KEPT
check "  no_new_privs is set" test "$(status_of "$pid" NoNewPrivs)" = 1
check "  the tunnel works" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
on a wg set "$IA" listen-port 500
check "  wg moves it to port 500 (CAP_NET_BIND_SERVICE, as nobody)" \
	test "$(wg_field a "$IA" listen-port)" = 500
on b wg set "$IB" peer "$(cat "$T/a.pub")" endpoint 10.77.0.1:500
check "  the tunnel works on the new port" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
jan=$(janitor_of "$pid")
check "its janitor runs as root, with no capability" \
	sh -c "[ -n '$jan' ] && [ '$(status_of "${jan:-0}" Uid)' = '0 0 0 0' ] &&
	       [ '$(status_of "${jan:-0}" CapEff)' = 0000000000000000 ]"
# shellcheck disable=SC2012 # the names are numbers
held=$(for fd in $(ls /proc/"${jan:-0}"/fd 2>/dev/null); do readlink /proc/"${jan:-0}"/fd/"$fd"; done |
	sed 's/[0-9]*]$/N]/' | sort | tr '\n' ' ')
check "  and holds only its pipe and the socket's inode" test "$held" = "$(realpath "$WG_RUN")/$IA.sock pipe:[N] "
check "SIGTERM: adit exits 0" stop adit
check "  the janitor removed $WG_RUN/$IA.sock" wait_for 3 test ! -e "$WG_RUN/$IA.sock"
check "  and is gone" wait_for 3 test ! -e "/proc/${jan:-0}"

# In the background, as wg-quick starts it: `adit` returns once it is ready; deleting the
# interface ends it, and the socket goes.
IC=$(wg_ifname c)
check "in the background, adit --user nobody returns 0" on a "$ADIT" --user nobody "$IC"
check "  its socket is there" test -S "$WG_RUN/$IC.sock"
on a ip link del "$IC"
check "  deleting the interface ends it, and its socket is removed" \
	wait_for 5 test ! -e "$WG_RUN/$IC.sock"

# A lab server as nobody, a client as root.
start_adit b server server -l 0.0.0.0:9190 -n "us%d" -a 10.99.0.1/24 -q --user nobody
start_adit a client client 10.77.0.2:9190 -n "uc%d" -a 10.99.0.2/24 -q
spid=$(pid_of server)
check "a lab server runs as nobody" \
	test "$(status_of "$spid" Uid)" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
check "  with no capability" test "$(status_of "$spid" CapEff)" = 0000000000000000
check "  and carries a ping from the client" on a ping -i 0.2 -c 2 -W 2 10.99.0.1
sock=$(ls /var/run/adit/net-"$(on b stat -L -c %i /proc/self/ns/net)"/us*.sock 2>/dev/null | head -1)
check "  its control socket is there" test -S "${sock:-/nonexistent}"
# By name: without one, adit show asks every socket there, other tests' daemons too.
show_lists_client() { on b "$ADIT" show "$(basename "${sock:-x}" .sock)" | grep '10\.99\.0\.2' >/dev/null; }
check "  adit show, through it, lists the client" show_lists_client
check "  SIGTERM: the server exits 0" stop server
check "  and its control socket is removed" wait_for 3 test ! -e "${sock:-/nonexistent}"
stop client

start_adit a tun tun -n "ut%d" -a 10.98.0.1/24 -q --user nobody
check "adit tun --user nobody runs as nobody" \
	test "$(status_of "$(pid_of tun)" Uid)" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
check "  and exits 0 on SIGTERM" stop tun

on a "$ADIT" -f --user no-such-user-here "$(wg_ifname d)" >"$T/nouser.out" 2>&1
rc=$?
check "an unknown user is refused with the usage status (2)" test $rc -eq 2
check "  naming it" grep -q "no-such-user-here: no such user" "$T/nouser.out"
check "  before any socket was made" test ! -e "$WG_RUN/$(wg_ifname d).sock"

ALL_NOBODY="$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
# The one adit daemon in A (its janitor is adit-janitor).
adit_in_a() {
	local p
	for p in $(ip netns pids "$(ns a)"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = adit ] && echo "$p"
	done
}
IE=$(wg_ifname e)
start_wg a envu "$ADIT" "$IE" ADIT_USER=nobody
epid=$(pid_of envu)
check "a wg daemon started with ADIT_USER=nobody, no --user, runs as nobody" \
	test "$(status_of "$epid" Uid)" = "$ALL_NOBODY"
check "  keeping NET_ADMIN and NET_BIND_SERVICE only" test "$(status_of "$epid" CapEff)" = $KEPT
check "  SIGTERM: it exits 0" stop envu
check "  and its janitor removed its socket" wait_for 3 test ! -e "$WG_RUN/$IE.sock"

ADIT_USER=nobody start_adit a envtun tun -n "ue%d" -a 10.97.0.1/24 -q
check "adit tun with ADIT_USER=nobody, no --user, runs as nobody" \
	test "$(status_of "$(pid_of envtun)" Uid)" = "$ALL_NOBODY"
check "  and exits 0 on SIGTERM" stop envtun

IW=$(wg_ifname w)
check "--user nobody wins over ADIT_USER=no-such-user-here: adit starts" \
	on a env ADIT_USER=no-such-user-here "$ADIT" --user nobody "$IW"
wpid=$(adit_in_a)
check "  as nobody" test "$(status_of "${wpid:-0}" Uid)" = "$ALL_NOBODY"
on a ip link del "$IW"
wait_for 5 test ! -e "$WG_RUN/$IW.sock"

IX=$(wg_ifname x)
# (timeout: an adit that ignored ADIT_USER would serve in the foreground)
on a env ADIT_USER=no-such-user-here timeout 10 "$ADIT" -f "$IX" >"$T/noenvuser.out" 2>&1
rc=$?
note "$(cat "$T/noenvuser.out")"
check "ADIT_USER naming no user is refused with the usage status (2)" test $rc -eq 2
check "  naming the variable and how to make the user" \
	grep -q "ADIT_USER=no-such-user-here: no such user; create the user (.useradd --system" "$T/noenvuser.out"
check "  before any socket was made" test ! -e "$WG_RUN/$IX.sock"

# wg-quick cannot pass --user; its environment reaches the adit it starts.
IQ=$(wg_ifname q)
CONF=$T/$IQ.conf
(umask 077; printf '[Interface]\nPrivateKey = %s\nListenPort = 51825\nAddress = 10.96.0.1/24\n' \
	"$(cat "$T/a.key")" >"$CONF")
check "wg-quick up with WG_QUICK_USERSPACE_IMPLEMENTATION=adit and ADIT_USER=nobody exits 0" \
	on a env WG_QUICK_USERSPACE_IMPLEMENTATION="$ADIT" ADIT_USER=nobody wg-quick up "$CONF"
qpid=$(adit_in_a)
note "the daemon wg-quick left: pid ${qpid:-none}, Uid $(status_of "${qpid:-0}" Uid 2>/dev/null)"
check "  the daemon it left is not root: it runs as nobody" \
	test "$(status_of "${qpid:-0}" Uid)" = "$ALL_NOBODY"
check "  wg-quick down exits 0" \
	on a env WG_QUICK_USERSPACE_IMPLEMENTATION="$ADIT" ADIT_USER=nobody wg-quick down "$CONF"
check "  the daemon exits, and its socket is removed" \
	wait_for 5 sh -c "! kill -0 ${qpid:-0} 2>/dev/null && test ! -e '$WG_RUN/$IQ.sock'"
finish
