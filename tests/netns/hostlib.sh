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
