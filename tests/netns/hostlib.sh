# shellcheck shell=bash
# Sourced after lib.sh by the hostile-load tests (wg-hostile.sh, lab-hostile.sh,
# wg-handshake-flood.sh): their size, and the figures they read off a daemon.
#
#   SCALE                       $HOSTILE_SCALE (default 1): `make stress` runs them 10 times bigger
#   fig NAME FILE               the value of "NAME value" in FILE (hostile.py's output)
#   rss_kb PID                  VmRSS of PID, in kB
#   cpu_ticks PID               utime + stime of PID, in clock ticks
#   udp_in HOST                 "InDatagrams RcvbufErrors" of HOST's namespace (/proc/net/snmp)
#   within_rss BEFORE AFTER     AFTER is at most BEFORE + 10% + 512 kB (says both)
#   check_rss DESC BEFORE AFTER   check within_rss, skipped for an ASan build of adit
#   warm_pool PID HOST FROM DST PORT   touch every receive buffer of daemon PID to its end
#   show_pcap NAME [LINES]      the first packets of capture NAME, as notes

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "1..0 # SKIP hostlib.sh is a library, sourced by the hostile-load tests"
	exit 0
fi

SCALE=${HOSTILE_SCALE:-1}
case $SCALE in
'' | *[!0-9]* | 0) echo "# HOSTILE_SCALE must be a positive integer, not '$SCALE'"; SCALE=1 ;;
esac

fig() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$2"; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name.
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $stat
	echo $(( ${12} + ${13} ))
}

# shellcheck disable=SC2016 # awk's own $2 and $6
udp_in() { on "$1" awk '/^Udp:/ && ++n == 2 { print $2, $6 }' /proc/net/snmp; }

within_rss() {
	echo "VmRSS before $1 kB, after $2 kB"
	[ "$2" -le $(( $1 + $1 / 10 + 512 )) ]
}

# Under ASan, freed memory waits in a quarantine, so VmRSS grows with every malloc/free pair
# (OpenSSL's per-call contexts): it says nothing about leaks there.
check_rss() {
	if ldd "$ADIT" 2>/dev/null | grep -q libasan; then
		skip "$1" "ASan build: freed memory is held in its quarantine ($(within_rss "$2" "$3"))"
	else
		check "$1" within_rss "$2" "$3"
	fi
}

# A daemon's packet pool is mapped on first use, a buffer's pages as deep as the largest
# datagram it has held, so its VmRSS grows under a first flood without any leak. Before a
# baseline is taken, datagrams of 65,507 bytes are queued while the daemon is stopped, 40 at a
# time (what its 4 MB socket buffer holds) behind 0, 40, ... 240 small ones, so that every
# slot of its 256-datagram receive batch gets one.
warm_pool() {
	local pid=$1 host=$2 from=$3 dst=$4 port=$5 small
	for small in 0 40 80 120 160 200 240; do
		kill -STOP "$pid"
		on "$host" "$PY" "$PYDIR/hostile.py" big "$from" "$dst" "$port" 40 "$small" >/dev/null
		kill -CONT "$pid"
		sleep 0.3
	done
}

# The first packets of capture NAME, as notes: what a daemon sent that it should not have.
show_pcap() {
	tcpdump -r "$T/$1.pcap" -n -v 2>/dev/null | head -n "${2:-8}" | sed 's/^/#   /'
}
