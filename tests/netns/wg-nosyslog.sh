#!/usr/bin/env bash
# Where there is no syslog socket (/dev/log absent, as in many containers), a daemon in the
# background with LOG_LEVEL set keeps logging to the standard error it was started with, as
# wireguard-go does under wg-quick, instead of nowhere; without LOG_LEVEL it lets go of that
# stderr (a caller may read it to its end) and says first how to keep its log. The daemon runs in a mount namespace of its own whose
# /dev is a tmpfs holding only the devices adit opens (bound from the real /dev). Checked:
# `adit IFACE` returns 0 when ready, says where its log goes, and its verbose drop lines and
# its shutdown on SIGTERM reach that stderr.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit

wg_hosts a
IF=$(wg_ifname a)
wg_key a

cat >"$T/private-dev.sh" <<'EOF2'
set -eu
T=$1 ADIT=$2 IF=$3 LEVEL=$4
mkdir -p "$T/hostdev"
mount --bind /dev "$T/hostdev"
mount -t tmpfs -o mode=755 adit-test-dev /dev
for n in null zero random urandom; do
	touch "/dev/$n"
	mount --bind "$T/hostdev/$n" "/dev/$n"
done
mkdir /dev/net
touch /dev/net/tun
mount --bind "$T/hostdev/net/tun" /dev/net/tun
[ ! -e /dev/log ] || { echo "/dev/log exists"; exit 1; }
env ${LEVEL:+LOG_LEVEL=$LEVEL} "$ADIT" "$IF" >"$T/daemon.out" 2>"$T/daemon.err$LEVEL"
echo "adit returned $?"
EOF2
start a nosyslog unshare -m --propagation private bash "$T/private-dev.sh" "$T" "$ADIT" "$IF" verbose
wait_log nosyslog '^adit returned' 10
check "adit $IF in the background returns 0 when ready" grep -qx 'adit returned 0' "$T/nosyslog.log"
pid=$(for p in $(ip netns pids "$(ns a)"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = adit ] && echo "$p"
done | head -n 1)
PIDS[daemon]=${pid:-0}
check "the daemon runs: $pid" alive "${pid:-0}"
check "it says where its log goes" \
	grep -q "no syslog socket (/dev/log): the daemon logs to this standard error" "$T/daemon.errverbose"

on a wg set "$IF" private-key "$T/a.key" listen-port 51820
on a "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"not wireguard %d" % i, ("127.0.0.1", 51820))'
check "a drop (verbose) reaches the stderr the daemon was started with" \
	wait_for 5 grep -q "dropped a packet from 127.0.0.1" "$T/daemon.errverbose"
[ -z "${pid:-}" ] || kill -TERM "$pid" 2>/dev/null
check "SIGTERM ends the daemon" wait_for 5 gone "${pid:-0}"
check "its shutdown reached that stderr too" grep -q "signal 15, shutting down" "$T/daemon.errverbose"
note "stderr got: $(tr '\n' '|' <"$T/daemon.errverbose" | cut -c1-400)"

# Without LOG_LEVEL: the daemon says where its log would go, and holds /dev/null on stderr.
start a quiet unshare -m --propagation private bash "$T/private-dev.sh" "$T" "$ADIT" "$IF" ""
wait_log quiet '^adit returned' 10
check "without LOG_LEVEL, adit $IF returns 0 when ready" grep -qx 'adit returned 0' "$T/quiet.log"
check "  and says, before it leaves, how to keep its log" \
	grep -q "no syslog socket (/dev/log): the daemon's log goes nowhere; set LOG_LEVEL=verbose" "$T/daemon.err"
pid=$(for p in $(ip netns pids "$(ns a)"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = adit ] && echo "$p"
done | head -n 1)
PIDS[daemon2]=${pid:-0}
check "  and holds /dev/null, not the caller's stderr" \
	test "$(readlink "/proc/${pid:-0}/fd/2")" = /dev/null
[ -z "${pid:-}" ] || kill -TERM "$pid" 2>/dev/null
check "  SIGTERM ends it" wait_for 5 gone "${pid:-0}"
finish
