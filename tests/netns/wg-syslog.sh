#!/usr/bin/env bash
# A daemon in the background logs to syslog, as the journal under wg-quick@ or adit@ expects.
# The machine has no syslog daemon, and a test must not write to one if it had: the daemon
# runs in a mount namespace of its own whose /dev is a tmpfs holding the devices adit opens
# (bound from the real /dev) and a /dev/log socket that a listener of the test's reads.
# Checked: the datagrams say "adit[PID]" with the daemon's PID, at facility daemon; verbose
# drop lines arrive at debug level, and the shutdown on SIGTERM at info, with the drop counts;
# once ready, nothing goes to the terminal the daemon left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit

wg_hosts a
IF=$(wg_ifname a)
wg_key a

cat >"$T/private-dev.sh" <<'EOF'
set -eu
T=$1 ADIT=$2 IF=$3 PY=$4
mkdir "$T/hostdev"
mount --bind /dev "$T/hostdev"
mount -t tmpfs -o mode=755 adit-test-dev /dev
for n in null zero random urandom; do
	touch "/dev/$n"
	mount --bind "$T/hostdev/$n" "/dev/$n"
done
mkdir /dev/net
touch /dev/net/tun
mount --bind "$T/hostdev/net/tun" /dev/net/tun
"$PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536) + b"\n")
' "$T/syslog.out" &
echo $! >"$T/listener.pid"
for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
LOG_LEVEL=verbose "$ADIT" "$IF" >"$T/daemon.out" 2>&1
echo "adit returned $?"
wait
EOF
start a syslogns bash "$T/private-dev.sh" "$T" "$ADIT" "$IF" "$PY"
wait_log syslogns '^adit returned' 10
PIDS[listener]=$(cat "$T/listener.pid" 2>/dev/null)
check "adit $IF in the background returns 0 when ready" grep -qx 'adit returned 0' "$T/syslogns.log"
pid=$(for p in $(ip netns pids "$(ns a)"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = adit ] && echo "$p"
done | head -n 1)
PIDS[daemon]=${pid:-0}
check "the daemon runs: $pid" alive "${pid:-0}"

on a wg set "$IF" private-key "$T/a.key" listen-port 51820
on a "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"not wireguard %d" % i, ("127.0.0.1", 51820))'
check "a drop is logged (verbose) to syslog" \
	wait_for 5 grep -q "dropped a packet from 127.0.0.1" "$T/syslog.out"
[ -z "${pid:-}" ] || kill -TERM "$pid" 2>/dev/null
check "SIGTERM ends the daemon" wait_for 5 gone "${pid:-0}"
check "its shutdown reached syslog" wait_for 5 grep -q "signal 15, shutting down" "$T/syslog.out"
note "syslog got: $(tr '\n' '|' <"$T/syslog.out" | cut -c1-400)"
check "each line is tagged adit[$pid]" \
	sh -c "! grep -v '^\$' '$T/syslog.out' | grep -qv 'adit\\[$pid\\]: '"
# <PRI> = facility * 8 + severity: daemon (3) with info (6) is 30, with debug (7) is 31.
check "the shutdown line is daemon.info (<30>)" grep -q '^<30>.*signal 15, shutting down' "$T/syslog.out"
check "the drop line is daemon.debug (<31>)" grep -q '^<31>.*dropped a packet from 127.0.0.1' "$T/syslog.out"
check "the drop count came at exit" grep -q 'dropped 5: not a WireGuard message' "$T/syslog.out"
note "the terminal got, before the daemon was ready: $(tr "\n" "|" <"$T/daemon.out")"
check_not "nothing after it: no drop or shutdown line went to the terminal it left" \
	grep -q "dropped\|shutting down" "$T/daemon.out"
finish
