# Sourced by bench/run.sh and bench/scale.sh: starting and stopping the processes a benchmark
# runs, by PID, and the log lines both print. Each script keeps its own ALL_PIDS array, which
# the EXIT trap stops.

have() { command -v "$1" >/dev/null 2>&1; }

# bg NS LOGFILE CMD...: CMD in NS in the background; ip netns exec and env exec the
# command, so $! is the daemon's own PID. Sets PID.
bg() {
	local ns=$1 logf=$2
	shift 2
	ip netns exec "$ns" "$@" >"$logf" 2>&1 &
	PID=$!
	ALL_PIDS+=("$PID")
}

# stop PID [SIGNAL]: SIGNAL (TERM), up to 3 s to exit cleanly (daemons remove their
# interface and socket), then SIGKILL. Only PIDs the script started ever get here.
stop() {
	local pid=$1 _
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; forget "$pid"; return; }
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	for _ in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	forget "$pid"
}

# Drops a stopped PID from ALL_PIDS, so the trap never signals a number reused by another.
forget() {
	local p keep=()
	for p in "${ALL_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	ALL_PIDS=("${keep[@]}")
}

log() { printf '%s\n' "$*" >&2; }

# The last lines of each log of the row under $WORK/row, for a row that did not come up.
show_logs() {
	local f
	for f in "$WORK"/row/*.log; do
		[ -s "$f" ] || continue
		log "  --- ${f##*/}"
		tail -n 5 "$f" | sed 's/^/  | /' >&2
	done
}
