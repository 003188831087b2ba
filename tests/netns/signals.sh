#!/usr/bin/env bash
# SIGTERM, SIGINT and SIGHUP stop adit cleanly in every mode: wg mode in the background (the
# way wg-quick starts it) and in the foreground, and lab mode. A background daemon is started
# as a user would, `adit IFACE`: the command returns only once the interface and the UAPI
# socket exist, with status 0; a daemon that cannot start says why and returns non-zero.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit

wg_hosts a
IF=$(wg_ifname a)

# The only process in namespace a is the daemon (ip netns exec has exec'd and returned).
daemon_pid() { ip netns pids "$(ns a)" | head -n 1; }

for sig in TERM INT HUP; do
	on a "$ADIT" "$IF" >"$T/daemon.out" 2>&1
	rc=$?
	check "adit $IF (background) returns 0 when ready [SIG$sig round]" test "$rc" -eq 0
	[ "$rc" -eq 0 ] || note "adit $IF exited $rc: $(cat "$T/daemon.out")"
	check "  its interface exists when the command returns" on a ip link show dev "$IF"
	check "  its UAPI socket exists when the command returns" test -S "$WG_RUN/$IF.sock"
	check "  wg show answers" on a wg show "$IF"
	pid=$(daemon_pid)
	check "  the daemon runs in its own session" \
		test "$(ps -o sid= -p "${pid:-0}" | tr -d ' ')" = "${pid:-x}"
	check "  it holds no descriptor of ours but /dev/null on 0-2" \
		sh -c "ls -l /proc/${pid:-0}/fd/0 /proc/${pid:-0}/fd/1 /proc/${pid:-0}/fd/2 | grep -c /dev/null | grep -qx 3"
	[ -z "$pid" ] || kill -s "$sig" "$pid" 2>/dev/null # never kill 0: that is our own process group
	check "  SIG$sig ends the daemon within 5 s" wait_for 5 gone "${pid:-0}"
	check "  its UAPI socket is removed" wait_for 2 test ! -e "$WG_RUN/$IF.sock"
	check "  its interface is gone" wait_for 2 sh -c "! ip -n $(ns a) link show dev $IF 2>/dev/null"
done

# A second daemon on a name the first holds: the error reaches the terminal, status 1.
on a "$ADIT" "$IF" >"$T/first.out" 2>&1
first=$(daemon_pid)
on a "$ADIT" "$IF" >"$T/second.out" 2>&1
rc=$?
check "a second adit $IF exits 1, since the first holds the interface" test "$rc" -eq 1
check "  and says why on stderr" grep -q "cannot create TUN interface $IF" "$T/second.out"
check "  the first still serves" on a wg show "$IF"
[ -z "${first:-}" ] || kill -TERM "$first" 2>/dev/null
check "  and stops on SIGTERM" wait_for 5 gone "${first:-0}"

# The foreground: exit status 0 and the socket removed, for each signal.
for sig in TERM INT HUP; do
	start_wg a fg "$ADIT" "$IF"
	stop fg "$sig"
	check "adit -f $IF: SIG$sig ends it with status 0" test $? -eq 0
	check "  its UAPI socket is removed" test ! -e "$WG_RUN/$IF.sock"
	check "  it said why it stopped" grep -q "signal .*, shutting down" "$T/fg.log"
done

# Lab mode: adit tun prints its interface, then ends on each signal with status 0.
for sig in TERM INT HUP; do
	start a tun "$ADIT" tun -n "sig%d" -a 10.99.0.1/24 -q
	wait_log tun '^Interface Name:'
	stop tun "$sig"
	check "adit tun: SIG$sig ends it with status 0" test $? -eq 0
	check "  its interface is gone" sh -c "! ip -n $(ns a) -o link show | grep -q ': sig[0-9]'"
done
finish
