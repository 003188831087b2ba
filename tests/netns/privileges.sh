#!/usr/bin/env bash
# Least privilege. Once its interface and sockets exist, a wg daemon keeps of root's
# capabilities only CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, can gain no new privileges and
# makes no core dumps, and a tunnel through it still works, fwmark and a port below 1024
# included; lab mode keeps no capability at all. At exit, adit removes only the UAPI socket it
# bound, and it refuses a /var/run/wireguard that others could write to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

wg_two_hosts
wg_start_pair
wg_pair_tunnel

status_of() { grep "^$2:" "/proc/$1/status" | awk '{ print $2 }'; }
# CAP_NET_BIND_SERVICE is bit 10, CAP_NET_ADMIN bit 12.
KEPT=0000000000001400

pid=$(pid_of adit)
check "the wg daemon's effective capabilities are NET_ADMIN and NET_BIND_SERVICE only" \
	test "$(status_of "$pid" CapEff)" = $KEPT
check "  its permitted set is the same" test "$(status_of "$pid" CapPrm)" = $KEPT
check "  its bounding set is empty (nothing can come back)" \
	test "$(status_of "$pid" CapBnd)" = 0000000000000000
check "  no_new_privs is set" test "$(status_of "$pid" NoNewPrivs)" = 1
check "  core dumps are off (RLIMIT_CORE 0)" \
	sh -c "grep '^Max core file size' /proc/$pid/limits | awk '{ exit !(\$5 == 0 && \$6 == 0) }'"
check "  the tunnel works" on a ping -i 0.2 -c 2 -W 2 10.88.0.2
on a wg set "$IA" fwmark 0x51
check "  wg sets a fwmark (CAP_NET_ADMIN)" test "$(wg_field a "$IA" fwmark)" = 0x51
on a wg set "$IA" listen-port 500
check "  wg moves it to port 500 (CAP_NET_BIND_SERVICE)" test "$(wg_field a "$IA" listen-port)" = 500
on b wg set "$IB" peer "$(cat "$T/a.pub")" endpoint 10.77.0.1:500
check "  the tunnel works on the new port" on b ping -i 0.2 -c 2 -W 2 10.88.0.1

# Someone else's socket at our path (as after a second daemon took the name over): adit's
# exit must leave it alone.
mv "$WG_RUN/$IA.sock" "$T/moved.sock"
start a other "$PY" -c "import socket, time
s = socket.socket(socket.AF_UNIX); s.bind('$WG_RUN/$IA.sock'); s.listen(); time.sleep(30)"
wait_for 5 test -S "$WG_RUN/$IA.sock"
stop adit
check "adit exits and leaves the socket another process bound at its path" test -S "$WG_RUN/$IA.sock"
stop other
rm -f "$WG_RUN/$IA.sock" "$T/moved.sock"

# A UAPI directory others may write to is refused, and left as it was. The directory is a
# private one, mounted at $WG_RUN for this adit alone: making the real one writable, even for
# a moment, made every daemon that other tests started meanwhile refuse to start.
mkdir "$T/wgrun" && chmod 757 "$T/wgrun"
on a unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && exec "$3" -f "$4"' \
	sh "$T/wgrun" "$WG_RUN" "$ADIT" "$IA" >"$T/opendir.out" 2>&1
rc=$?
check "adit refuses a $WG_RUN that others may write to (status 1)" test $rc -eq 1
check "  and says how to fix it" grep -q "group or others may write to it (chmod 755" "$T/opendir.out"
check "  the directory has its mode as it was" test "$(stat -c %a "$T/wgrun")" = 757

# Lab mode needs nothing once its interface is configured.
start_adit a lab tun -n "pv%d" -a 10.99.0.1/24 -q
check "lab mode (adit tun) keeps no capability" test "$(status_of "$(pid_of lab)" CapEff)" = 0000000000000000
check "  and no_new_privs is set" test "$(status_of "$(pid_of lab)" NoNewPrivs)" = 1
finish
