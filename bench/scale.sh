#!/usr/bin/env bash
# adit's scale benchmark: how a userspace WireGuard daemon copes with many peers. For each
# daemon (adit wg mode, Debian's wireguard-go, upstream wireguard-go) and each size N, it
# starts the daemon in a namespace of its own, loads it with `wg setconf` with N idle peers
# (random public keys, two allowed IPs each) and one real peer (the same daemon kind in a
# second namespace, over veth), and measures: RSS per peer, the setconf time, the
# `wg show dump` time (and that the dump has every peer), and the worst ping RTT through
# the live tunnel while dumps run. Every step has a time limit, so a daemon that takes
# minutes is reported as such instead of hanging the run. bench/README.md says what each
# column means and lists the knobs.
#
# Traffic goes only to addresses inside the namespaces this script creates; the EXIT trap
# removes them and stops every process the script started, by PID.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/proc.sh
. "$ROOT/bench/proc.sh"
ADIT=$ROOT/adit
ANCHOR=$ROOT/../shared/anchors/wireguard-go      # CI lays shared/ beside the checkout
WGGO_UPSTREAM_DIR=${WGGO_UPSTREAM_DIR:-/tmp/wggo-upstream}
PY=/usr/bin/python3                     # Debian's; the default python3 may be another one

ALL_DAEMONS="adit-wg wggo-debian wggo-upstream"
DAEMONS=${SCALE_DAEMONS:-$ALL_DAEMONS}
SIZES=${SCALE_PEERS:-1000 10000 100000 1000000}
TMO=${SCALE_TIMEOUT:-60}                # seconds any one step may take
PING_SECS=${SCALE_PING_SECONDS:-3}      # dumps run back to back for at least this long
PING_IVL=${SCALE_PING_INTERVAL:-0.002}
IPERF=${SCALE_IPERF:-0}                 # 1: also TCP throughput, and a 0-peer baseline row
IPERF_SECS=${SCALE_IPERF_SECONDS:-5}
read -ra ADIT_WG_EXTRA <<<"${ADIT_WG_ARGS:-}"     # split on purpose: several flags

ID=$$                                   # makes namespaces, links and sockets unique per run
OUT_A=10.251.0.1 OUT_B=10.251.0.2       # the veth between the two hosts of a row
IN_A=10.252.0.1 IN_B=10.252.0.2         # their addresses inside the tunnel
IPERF_PORT=5201
RESULTS=$ROOT/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)-$ID
CSV=$RESULTS/scale-$STAMP.csv
REPORT=$RESULTS/scale-report-$STAMP.txt
COLUMNS_CSV="daemon,peers,setconf_s,dump_s,dump_lines,dump_expected,rss_before_kib,rss_setconf_kib,rss_up_kib,setconf_kib_per_peer,up_kib_per_peer,ping_idle_max_ms,ping_dump_max_ms,ping_dump_sent,ping_dump_lost,dumps,tcp1_mbps"

WORK=                   # scratch directory: keys, configs, logs
ROWS=0                  # rows started, for unique names
ALL_PIDS=()             # every background process still running, for the EXIT trap
ROW_NS=()               # the current row's namespaces
ROW_SOCKS=()            # its UAPI sockets in the shared /var/run/wireguard
NOTES=()                # timeouts and failures, printed under the table
declare -A DESC=()      # daemon -> what it was (version)
declare -A R=()         # the current row's figures, by CSV column name

note() { NOTES+=("$1"); log "scale:   $1"; }

# ---------------------------------------------------------------------------------------
# Processes and cleanup (bg, stop, forget: bench/proc.sh)

# Stops the row's processes, removes its namespaces and sockets.
teardown() {
	local p ns s
	for p in "${ALL_PIDS[@]}"; do stop "$p"; done
	for ns in "${ROW_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	for s in "${ROW_SOCKS[@]}"; do rm -f "$s"; done
	ROW_NS=() ROW_SOCKS=()
	[ -n "$WORK" ] && rm -rf "$WORK/row"
}

cleanup() {
	trap - EXIT INT TERM
	teardown 2>/dev/null
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "scale: interrupted"; exit 130' INT
trap 'exit 143' TERM

# wait_for TENTHS CMD...: retries CMD every 0.1 s until it succeeds.
wait_for() {
	local n=$1 _
	shift
	for _ in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo NA; }

# timed NS CMD...: CMD in NS under the step time limit. Sets ELAPSED (seconds, three
# decimals) and returns CMD's status: 124 when the limit killed it. CMD runs in the
# background and is waited for, so that Ctrl-C or SIGTERM stops the run at once (the
# trap stops CMD by PID) instead of after the step: timeout(1) is in a process group of
# its own, which the terminal's Ctrl-C does not reach.
ELAPSED=
timed() {
	local ns=$1 t0 rc pid
	shift
	t0=$EPOCHREALTIME
	timeout "$TMO" ip netns exec "$ns" "$@" &
	pid=$!
	ALL_PIDS+=("$pid")
	wait "$pid"
	rc=$?
	forget "$pid"
	ELAPSED=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
	return $rc
}

# ---------------------------------------------------------------------------------------
# The daemons. daemon_cmd KIND sets CMD (the command before IFACE), AFTER (after it) and
# MAX (the most peers it accepts, or nothing), or NOTE and returns 1 when it is missing.

# wireguard-go refuses a peer beyond MaxPeers = 1 << 16 (device/constants.go, both versions).
WGGO_MAX_PEERS=65536

daemon_cmd() {
	AFTER=() MAX=
	case $1 in wggo-*) MAX=$WGGO_MAX_PEERS ;; esac
	case $1 in
	adit-wg)
		[ -x "$ADIT" ] || { NOTE="no $ADIT (run make adit)"; return 1; }
		CMD=("$ADIT" -f) AFTER=("${ADIT_WG_EXTRA[@]}")
		DESC[$1]="$("$ADIT" --version | head -1) wg mode${ADIT_WG_ARGS:+, args: $ADIT_WG_ARGS}"
		;;
	wggo-debian)
		[ -x /usr/bin/wireguard-go ] ||
			{ NOTE="/usr/bin/wireguard-go not installed (Debian package wireguard-go)"; return 1; }
		CMD=(env WG_PROCESS_FOREGROUND=1 /usr/bin/wireguard-go -f)
		DESC[$1]="Debian $(/usr/bin/wireguard-go --version | head -1)"
		;;
	wggo-upstream)
		local bin=$WGGO_UPSTREAM_DIR/wireguard-go
		if [ ! -x "$bin" ]; then
			[ -x "$ANCHOR/build.sh" ] || { NOTE="no $ANCHOR/build.sh to build it"; return 1; }
			log "scale: building upstream wireguard-go into $WGGO_UPSTREAM_DIR (about a minute, once)"
			"$ANCHOR/build.sh" "$WGGO_UPSTREAM_DIR" >"$WORK/wggo-build.log" 2>&1 ||
				{ NOTE="build.sh failed (tail: $(tail -n 1 "$WORK/wggo-build.log"))"; return 1; }
		fi
		CMD=(env WG_PROCESS_FOREGROUND=1 "$bin" -f)
		DESC[$1]="upstream $("$bin" --version | head -1)"
		;;
	esac
}

# gen_conf N FILE: a wg(8) config for host a: its key and port, the real peer b, and N idle
# peers with random public keys (wg genkey|wg pubkey would take minutes for 100,000) and
# two allowed IPs each, distinct: 10.64.0.0 upwards (/32) and fd00:5ca1:e::/96 (/128).
gen_conf() {
	"$PY" - "$1" "$2" "$WORK/row/a.key" "$WORK/row/b.pub" "$IN_B" "$OUT_B" <<-'EOF'
		import base64, os, sys
		n, path, key, real, inner, outer = int(sys.argv[1]), *sys.argv[2:]
		rnd = os.urandom(32 * n)
		with open(path, "w") as f:
		    f.write("[Interface]\nPrivateKey = %s\nListenPort = 51820\n" % open(key).read().strip())
		    f.write("\n[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\nEndpoint = %s:51820\n"
		            % (open(real).read().strip(), inner, outer))
		    for i in range(n):
		        k = base64.b64encode(rnd[32 * i:32 * i + 32]).decode()
		        f.write("\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32, fd00:5ca1:e::%x:%x/128\n"
		                % (k, 64 + (i >> 16), (i >> 8) & 255, i & 255, i >> 16, i & 0xffff))
	EOF
}

# ---------------------------------------------------------------------------------------
# One row: a daemon kind at one size.

# row_hosts: two fresh namespaces a and b of this row, a veth "eth0" between them.
row_hosts() {
	NA=adit-s-$ID-$ROWS-a NB=adit-s-$ID-$ROWS-b
	ip netns add "$NA" || return 1
	ROW_NS+=("$NA")
	ip netns add "$NB" || return 1
	ROW_NS+=("$NB")
	ip -n "$NA" link add eth0 type veth peer name eth0 netns "$NB" || return 1
	ip -n "$NA" addr add "$OUT_A/24" dev eth0 && ip -n "$NB" addr add "$OUT_B/24" dev eth0 &&
		ip -n "$NA" link set lo up && ip -n "$NB" link set lo up &&
		ip -n "$NA" link set eth0 up && ip -n "$NB" link set eth0 up
}

# row_daemons: KIND's daemon in each namespace, a ready to be loaded, b configured as the
# real peer of a. Sets IA, IB (interface names: /var/run/wireguard is shared by every
# namespace), PA, PB (daemon PIDs).
row_daemons() {
	local d=$WORK/row
	IA=sc${ID}r${ROWS}a IB=sc${ID}r${ROWS}b
	ROW_SOCKS+=("/var/run/wireguard/$IA.sock" "/var/run/wireguard/$IB.sock")
	bg "$NA" "$d/a.log" "${CMD[@]}" "$IA" "${AFTER[@]}"
	PA=$PID
	bg "$NB" "$d/b.log" "${CMD[@]}" "$IB" "${AFTER[@]}"
	PB=$PID
	wait_for 100 test -S "/var/run/wireguard/$IA.sock" &&
		wait_for 100 test -S "/var/run/wireguard/$IB.sock" || { NOTE="no UAPI socket"; return 1; }
	(umask 077 && wg genkey >"$d/a.key" && wg genkey >"$d/b.key") &&
		wg pubkey <"$d/a.key" >"$d/a.pub" && wg pubkey <"$d/b.key" >"$d/b.pub" ||
		{ NOTE="wg genkey failed"; return 1; }
	ip netns exec "$NB" wg set "$IB" private-key "$d/b.key" listen-port 51820 \
		peer "$(cat "$d/a.pub")" allowed-ips "$IN_A/32" endpoint "$OUT_A:51820" &&
		ip -n "$NB" addr add "$IN_B/24" dev "$IB" && ip -n "$NB" link set "$IB" up ||
		{ NOTE="cannot configure b"; return 1; }
}

# Brings a's interface up (after setconf, as wg-quick does) and waits for a ping through
# the tunnel to b, which also makes the handshake.
row_up() {
	local _
	ip -n "$NA" addr add "$IN_A/24" dev "$IA" && ip -n "$NA" link set "$IA" up ||
		{ NOTE="cannot bring $IA up"; return 1; }
	for _ in $(seq 30); do
		ip netns exec "$NA" ping -c 1 -W 1 "$IN_B" >/dev/null 2>&1 && return 0
		kill -0 "$PA" 2>/dev/null && kill -0 "$PB" 2>/dev/null || { NOTE="a daemon exited"; return 1; }
	done
	NOTE="no ping through the tunnel after 30 tries"
	return 1
}

# step_failed WHAT RC COLUMN: a note for a step that timed out or failed, with what wg
# said and the daemon's last log lines; the row stops there.
step_failed() {
	local why="exit status $2" err
	if [ "$2" -eq 124 ]; then
		note "$KIND $N: $1: timeout after $TMO s"
		R[$3]=timeout
		return
	fi
	[ "$2" -eq 141 ] && why="SIGPIPE: the daemon closed the connection"
	err=$(tail -n 1 "$WORK/row/wg.err" 2>/dev/null)
	note "$KIND $N: $1: failed after $ELAPSED s ($why)${err:+: $err}"
	R[$3]=failed
	show_logs
}

# The dump time: one `wg show dump`, and the median of three when one takes under 2 s.
# The dump must list the interface and every peer, N + 1 of them.
measure_dump() {
	local rc t=() i
	R[dump_expected]=$((N + 2))
	timed "$NA" wg show "$IA" dump >"$WORK/row/dump.txt" 2>"$WORK/row/wg.err"
	rc=$?
	R[dump_lines]=$(wc -l <"$WORK/row/dump.txt")
	[ $rc -eq 0 ] || { step_failed "wg show dump" $rc dump_s; return 1; }
	[ "${R[dump_lines]}" -eq $((N + 2)) ] ||
		note "$KIND $N: the dump has ${R[dump_lines]} lines, not $((N + 2)) (interface + peers)"
	t+=("$ELAPSED")
	if awk -v e="$ELAPSED" 'BEGIN { exit !(e < 2) }'; then
		for i in 2 3; do
			timed "$NA" wg show "$IA" dump >/dev/null 2>"$WORK/row/wg.err" || { step_failed "wg show dump ($i)" $? dump_s; return 1; }
			t+=("$ELAPSED")
		done
	fi
	R[dump_s]=$(printf '%s\n' "${t[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
}

# ping_summary FILE: "sent lost max_ms" from ping's summary lines.
ping_summary() {
	awk '/packets transmitted/ { s = $1; r = $4 }
	     /^rtt / { split($4, v, "/"); m = v[3] }
	     END { if (s == "") print "NA NA NA"; else printf "%d %d %s\n", s, s - r, (m == "" ? "NA" : m) }' "$1"
}

# The worst RTT through the tunnel: one second of pings on the idle tunnel, then pings at
# PING_IVL while `wg show dump` runs back to back for at least PING_SECS (at least one whole
# dump, each under the step limit). Pings stop 0.2 s after the last dump.
measure_ping() {
	local d=$WORK/row s l m ppid rc t0 n=0
	ip netns exec "$NA" ping -q -c "$(awk -v i="$PING_IVL" 'BEGIN { print int(1 / i) }')" \
		-i "$PING_IVL" "$IN_B" >"$d/ping-idle.txt" 2>&1
	read -r s l m <<<"$(ping_summary "$d/ping-idle.txt")"
	R[ping_idle_max_ms]=$m
	bg "$NA" "$d/ping-dump.txt" ping -q -i "$PING_IVL" "$IN_B"
	ppid=$PID
	sleep 0.2
	t0=$EPOCHREALTIME
	while :; do
		timed "$NA" wg show "$IA" dump >/dev/null
		rc=$?
		n=$((n + 1))
		[ $rc -eq 0 ] || note "$KIND $N: wg show dump during the pings: $([ $rc -eq 124 ] && echo "timeout after $TMO s" || echo "exit status $rc")"
		[ $rc -eq 0 ] || break
		awk -v a="$t0" -v b="$EPOCHREALTIME" -v s="$PING_SECS" 'BEGIN { exit !(b - a >= s) }' && break
	done
	sleep 0.2
	stop "$ppid" INT                # ping prints its summary on SIGINT
	read -r s l m <<<"$(ping_summary "$d/ping-dump.txt")"
	R[ping_dump_sent]=$s R[ping_dump_lost]=$l R[ping_dump_max_ms]=$m R[dumps]=$n
}

# One TCP stream a -> b through the tunnel for IPERF_SECS: Mbit/s received at b.
measure_tcp() {
	local ipid
	bg "$NB" "$WORK/row/iperf3.log" iperf3 -s -B "$IN_B" -p $IPERF_PORT
	ipid=$PID
	wait_for 50 sh -c "ip netns exec $NB ss -Hltn 'sport = :$IPERF_PORT' | grep -q ."
	R[tcp1_mbps]=$(ip netns exec "$NA" timeout $((IPERF_SECS + 20)) iperf3 -c "$IN_B" -p $IPERF_PORT \
		-t "$IPERF_SECS" -J 2>/dev/null |
		jq -r '(.end.sum_received.bits_per_second // empty) / 1e6 | . * 10 | round / 10' 2>/dev/null |
		grep . || echo NA)
	stop "$ipid"
}

per_peer() {
	awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN {
		if (n == 0 || a == "NA" || b == "NA") print "-"; else printf "%.2f\n", (b - a) / n }'
}

# run_row KIND N: one row of the CSV; whatever a step could not measure stays "-".
run_row() {
	KIND=$1 N=$2
	local c rc conf
	ROWS=$((ROWS + 1))
	R=()
	for c in ${COLUMNS_CSV//,/ }; do R[$c]=-; done
	R[daemon]=$KIND R[peers]=$N NOTE=
	mkdir -p "$WORK/row"
	log "scale: $KIND, $N peers"
	conf=$WORK/row/a.conf
	if ! row_hosts || ! row_daemons || ! gen_conf "$N" "$conf"; then
		note "$KIND $N: failed: ${NOTE:-cannot create the namespaces or the config}"
		show_logs
	else
		R[rss_before_kib]=$(rss_kib "$PA")
		timed "$NA" wg setconf "$IA" "$conf" 2>"$WORK/row/wg.err"
		rc=$?
		if [ $rc -ne 0 ]; then
			step_failed "wg setconf" $rc setconf_s
		else
			R[setconf_s]=$ELAPSED
			R[rss_setconf_kib]=$(rss_kib "$PA")
			R[setconf_kib_per_peer]=$(per_peer "${R[rss_before_kib]}" "${R[rss_setconf_kib]}")
			if ! row_up; then
				note "$KIND $N: failed: $NOTE"
				show_logs
			else
				R[rss_up_kib]=$(rss_kib "$PA")
				R[up_kib_per_peer]=$(per_peer "${R[rss_before_kib]}" "${R[rss_up_kib]}")
				[ "$IPERF" = 1 ] && measure_tcp
				# A dump that timed out may still be running in the daemon: the pings
				# then show what a slow dump does to the tunnel.
				measure_dump
				kill -0 "$PA" 2>/dev/null && measure_ping
			fi
		fi
	fi
	row_line >>"$CSV"
	log "scale:   setconf ${R[setconf_s]} s, dump ${R[dump_s]} s (${R[dump_lines]} lines), RSS/peer ${R[setconf_kib_per_peer]} KiB, ping max ${R[ping_dump_max_ms]} ms during dumps"
	teardown
}

row_line() {
	local c line=
	for c in ${COLUMNS_CSV//,/ }; do line+=${line:+,}${R[$c]}; done
	echo "$line"
}


# ---------------------------------------------------------------------------------------
# Reporting

# col DAEMON PEERS COLUMN: a figure of the CSV, or "-".
col() {
	awk -F, -v d="$1" -v n="$2" -v c="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
		$1 == d && $2 == n { print $k[c]; found = 1 }
		END { if (!found) print "-" }' "$CSV"
}

# ratio A B: A/B with two decimals, or "-".
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}

report() {
	local k n fmt="%-14s %7s %9s %9s %7s %8s %8s %8s %8s %11s %7s\n"
	echo
	echo "Scale: N idle peers (2 allowed IPs each) + 1 real peer; step limit $TMO s;"
	echo "pings every $PING_IVL s while dumps run for >= $PING_SECS s."
	echo
	local h1=(daemon peers setconf dump dump RSS/peer RSS/peer "ping max" "ping max" lost/sent dumps)
	local h2=("" "" s s lines "KiB set" "KiB up" "idle ms" "dump ms" "in dumps" run)
	if [ "$IPERF" = 1 ]; then
		fmt="${fmt%\\n} %7s %7s\n"
		h1+=(TCP1 TCP1) h2+=(Mbit/s "vs 0")
	fi
	# shellcheck disable=SC2059 # the format is ours
	printf "$fmt" "${h1[@]}"
	# shellcheck disable=SC2059
	printf "$fmt" "${h2[@]}"
	for n in $SIZES; do
		for k in $DAEMONS; do
			[ "$(col "$k" "$n" daemon)" = - ] && continue
			local lines ok tcp extra=()
			lines=$(col "$k" "$n" dump_lines)
			ok=$lines
			[ "$lines" = "$(col "$k" "$n" dump_expected)" ] && ok=ok
			[ "$lines" = - ] || [ "$lines" = 0 ] && ok=-
			[ "$(col "$k" "$n" dump_s)" = timeout ] && ok=-
			if [ "$IPERF" = 1 ]; then
				tcp=$(col "$k" "$n" tcp1_mbps)
				extra=("$tcp" "$(ratio "$tcp" "$(col "$k" 0 tcp1_mbps)")")
			fi
			# shellcheck disable=SC2059
			printf "$fmt" "$k" "$n" "$(col "$k" "$n" setconf_s)" "$(col "$k" "$n" dump_s)" "$ok" \
				"$(col "$k" "$n" setconf_kib_per_peer)" "$(col "$k" "$n" up_kib_per_peer)" \
				"$(col "$k" "$n" ping_idle_max_ms)" "$(col "$k" "$n" ping_dump_max_ms)" \
				"$(col "$k" "$n" ping_dump_lost)/$(col "$k" "$n" ping_dump_sent)" \
				"$(col "$k" "$n" dumps)" "${extra[@]}"
		done
	done
	if [ ${#NOTES[@]} -gt 0 ]; then
		echo
		echo "Notes:"
		printf '  %s\n' "${NOTES[@]}"
	fi
	echo
	echo "What each daemon is:"
	for k in $DAEMONS; do [ -n "${DESC[$k]:-}" ] && printf "  %-14s %s\n" "$k" "${DESC[$k]}"; done
	report_adit
	echo
	echo "CSV: $CSV"
	echo "this report: $REPORT"
}

# adit beside each wireguard-go, and the issue's goals, from this run (nothing asserted).
report_adit() {
	local k n
	case " $DAEMONS " in *" adit-wg "*) ;; *) return ;; esac
	for k in $DAEMONS; do
		[ "$k" = adit-wg ] && continue
		local both=
		for n in $SIZES; do
			[ "$(col adit-wg "$n" daemon)" != - ] && [ "$(col "$k" "$n" daemon)" != - ] && both+=" $n"
		done
		[ -n "$both" ] || continue
		echo
		echo "adit-wg / $k, same size (< 1: adit takes less time or memory):"
		printf "  %7s %9s %9s %9s\n" peers setconf dump RSS/peer
		for n in $both; do
			printf "  %7s %9s %9s %9s\n" "$n" \
				"$(ratio "$(col adit-wg "$n" setconf_s)" "$(col "$k" "$n" setconf_s)")" \
				"$(ratio "$(col adit-wg "$n" dump_s)" "$(col "$k" "$n" dump_s)")" \
				"$(ratio "$(col adit-wg "$n" setconf_kib_per_peer)" "$(col "$k" "$n" setconf_kib_per_peer)")"
		done
	done
	case " $SIZES " in *" 10000 "* | *" 100000 "* | *" 1000000 "*) ;; *) return ;; esac
	echo
	echo "Issue 10 and 14 goals for adit-wg, as measured here:"
	for n in $SIZES; do
		[ "$(col adit-wg "$n" daemon)" = - ] && continue
		case $n in
		10000)
			printf "  10000 peers: setconf %s s (goal <= 0.5 s, upstream %s s), dump %s s (goal <= 0.1 s, upstream %s s), RSS %s KiB/peer (goal <= 2)\n" \
				"$(col adit-wg 10000 setconf_s)" "$(col wggo-upstream 10000 setconf_s)" \
				"$(col adit-wg 10000 dump_s)" "$(col wggo-upstream 10000 dump_s)" \
				"$(col adit-wg 10000 setconf_kib_per_peer)" ;;
		100000)
			printf "  100000 peers: dump %s s (goal <= 1 s), ping max during dumps %s ms, %s lost (goal: never > 20 ms)\n" \
				"$(col adit-wg 100000 dump_s)" "$(col adit-wg 100000 ping_dump_max_ms)" \
				"$(col adit-wg 100000 ping_dump_lost)" ;;
		esac
	done
	report_rate
	[ "$IPERF" = 1 ] && printf "  TCP1 with 10000 idle peers / with none: %s (goal >= 0.95)\n" \
		"$(ratio "$(col adit-wg 10000 tcp1_mbps)" "$(col adit-wg 0 tcp1_mbps)")"
}

# adit's setconf rate at a million peers beside its rate at 100,000 (issue 14): a table that
# stops growing, or a scan, shows as a ratio well under 1.
report_rate() {
	local small big
	small=$(col adit-wg 100000 setconf_s) big=$(col adit-wg 1000000 setconf_s)
	[ "$small" = - ] || [ "$big" = - ] && return
	awk -v s="$small" -v b="$big" 'BEGIN {
		if (s !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || s + 0 == 0 || b + 0 == 0) exit
		printf "  setconf rate: %.0f peers/s at 100000, %.0f at 1000000, ratio %.2f (1: linear)\n",
			100001 / s, 1000001 / b, (1000001 / b) / (100001 / s) }'
}

machine() {
	echo "adit bench-scale $(date '+%F %T')"
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
	echo "daemons: $DAEMONS; peers: $SIZES"
	echo "SCALE_TIMEOUT=$TMO SCALE_PING_SECONDS=$PING_SECS SCALE_PING_INTERVAL=$PING_IVL SCALE_IPERF=$IPERF ADIT_WG_ARGS='${ADIT_WG_ARGS:-}'"
}

# ---------------------------------------------------------------------------------------

main() {
	local k n ok=()
	[ "$(id -u)" -eq 0 ] || { log "scale: run as root (network namespaces)"; exit 1; }
	for k in $DAEMONS; do
		case " $ALL_DAEMONS " in *" $k "*) ;; *) log "scale: unknown daemon '$k' (known: $ALL_DAEMONS)"; exit 2 ;; esac
	done
	for n in $SIZES; do
		case $n in '' | *[!0-9]*) log "scale: SCALE_PEERS: '$n' is not a number of peers"; exit 2 ;; esac
	done
	# The throughput goal compares with a tunnel that has no idle peers: measure that too.
	[ "$IPERF" = 1 ] && case " $SIZES " in *" 0 "*) ;; *) SIZES="0 $SIZES" ;; esac
	for k in ip wg ping timeout awk "$PY"; do
		have "$k" || { log "scale: $k is missing (scripts/deps.sh bench installs it)"; exit 1; }
	done
	[ "$IPERF" = 1 ] && { have iperf3 && have jq || { log "scale: iperf3 and jq are needed for SCALE_IPERF=1"; exit 1; }; }
	WORK=$(mktemp -d /tmp/adit-scale.XXXXXX)
	mkdir -p "$RESULTS"
	echo "$COLUMNS_CSV" >"$CSV"
	machine | tee "$REPORT"
	for k in $DAEMONS; do
		if daemon_cmd "$k"; then ok+=("$k"); else note "$k skipped: $NOTE"; fi
	done
	DAEMONS=${ok[*]}
	# Size by size, so that rows to compare come close together in time.
	for n in $SIZES; do
		for k in $DAEMONS; do
			daemon_cmd "$k" || continue
			if [ -n "$MAX" ] && [ $((n + 1)) -gt "$MAX" ]; then
				note "$k $n: skipped: it accepts at most $MAX peers (MaxPeers), the row needs $((n + 1))"
				continue
			fi
			run_row "$k" "$n"
		done
	done
	report | tee -a "$REPORT"
}

main "$@"
