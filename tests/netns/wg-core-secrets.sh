#!/usr/bin/env bash
# Keys stay out of core dumps (issue 9). adit in A has a known private key and one peer,
# wireguard-go in B, with a known preshared key; a ping staged before the handshake made the
# session. Then cores of the live daemon, taken by gdb as gcore does:
#  - as gdb takes it by default (it honours /proc/PID/coredump_filter and MADV_DONTDUMP), and
#    told to ignore coredump_filter (only adit's "dd" marks keep the keys out): neither holds
#    the private key or the PSK, as bytes, hex or base64;
#  - controls, which show the search finds keys where they are: `gcore -a` (which dumps even
#    what is marked) of the same daemon, and a core of a python3 process holding the keys;
#  - and the daemon's memory as the kernel describes it: coredump_filter 0, and the mappings
#    of the device, the peer, its keypair, its staged packets and the packet pool all marked
#    dd in smaps.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo
command -v gdb >/dev/null || { report 0 "gdb is installed (scripts/deps.sh check)" /dev/null; finish; }

wg_two_hosts
(umask 077; wg genpsk >"$T/psk")
wg_start_pair
wg_dev a "$IA" a 51820 10.88.0.1/24
wg_dev b "$IB" b 51821 10.88.0.2/24
wg_peer a "$IA" b 10.88.0.2/32 10.77.0.2:51821 preshared-key "$T/psk"
wg_peer b "$IB" a 10.88.0.1/32 10.77.0.1:51820 preshared-key "$T/psk"
check "a ping from A crosses (staged, then a handshake with the PSK)" \
	on a ping -i 0.2 -c 2 -W 2 10.88.0.2
check "A has a session with B" test "$(wg_field a "$IA" latest-handshakes)" -gt 0
pid=$(pid_of adit)
KEYS=("$T/a.key" "$T/psk")

# core NAME PID GDB-ARGS...: $T/NAME.core, a core of PID taken by gdb with those settings
# (the process goes on running), non-empty.
core() {
	local name=$1 pid=$2
	shift 2
	gdb -q -batch -nx -p "$pid" "$@" -ex "gcore $T/$name.core" >"$T/$name.gdb" 2>&1
	ls -l "$T/$name.core" && [ -s "$T/$name.core" ]
}
keys_in() { "$PY" "$PYDIR/keys_in.py" "$@"; }

check "gdb takes a core of the daemon, as gcore does by default" core plain "$pid"
check_not "  it holds neither the private key nor the PSK (bytes, hex or base64)" \
	keys_in "$T/plain.core" "${KEYS[@]}"
check "gdb takes a core that ignores coredump_filter" \
	core nofilter "$pid" -ex "set use-coredump-filter off"
check_not "  it holds neither key either: the dd marks alone keep them out" \
	keys_in "$T/nofilter.core" "${KEYS[@]}"

# The controls. Both keys in each: the search can fail.
check "control: gcore -a takes a core of the daemon with all its memory" core all "$pid" \
	-ex "set use-coredump-filter off" -ex "set dump-excluded-mappings on"
check "  the private key is in it" keys_in "$T/all.core" "$T/a.key"
check "  the PSK is in it" keys_in "$T/all.core" "$T/psk"
start a holder "$PY" -c '
import base64, sys, time
keys = [open(f).read().strip() for f in sys.argv[1:]]
held = [(k, base64.b64decode(k), base64.b64decode(k).hex()) for k in keys]
print("holding", flush=True)
time.sleep(60)' "${KEYS[@]}"
wait_log holder holding
check "control: gcore takes a core of a python3 process holding both keys" \
	core holder "$(pid_of holder)"
check "  the private key is in it" keys_in "$T/holder.core" "$T/a.key"
check "  the PSK is in it" keys_in "$T/holder.core" "$T/psk"
stop holder

check "the daemon is still running after the cores" alive "$pid"
check "  and still carries pings" on a ping -c 1 -W 2 10.88.0.2
check "its coredump_filter is 0: no mapping goes into a core" \
	test "$(cat "/proc/$pid/coredump_filter")" = 00000000

# dd_at PID ADDR: the mapping of PID that holds ADDR (hex) has the VmFlag dd in smaps.
dd_at() {
	local addr=$(($2)) line inside=0
	while read -r line; do
		if [[ $line =~ ^([0-9a-f]+)-([0-9a-f]+)\  ]]; then
			inside=0
			[ "$addr" -ge $((16#${BASH_REMATCH[1]})) ] &&
				[ "$addr" -lt $((16#${BASH_REMATCH[2]})) ] && inside=1 && echo "$line"
		elif [ $inside = 1 ] && [[ $line == VmFlags:* ]]; then
			echo "$line"
			[[ "$line " == *" dd "* ]]
			return
		fi
	done <"/proc/$1/smaps"
	echo "no mapping holds $2"
	return 1
}
# Where the daemon keeps them, as its debug information says.
dev=cmd_wg::dev
read -r _ a_dev a_peer a_kp a_staged a_pool < <(gdb -q -batch -nx -p "$pid" -ex \
	"printf \"at %lx %lx %lx %lx %lx\\n\", &$dev, $dev.peers, $dev.peers->keypairs.current, $dev.peers->staged.buf, $dev.pool.mem" \
	2>/dev/null | grep '^at ')
note "device 0x${a_dev:-?}, peer 0x${a_peer:-?}, keypair 0x${a_kp:-?}, staged packets 0x${a_staged:-?}, packet pool 0x${a_pool:-?}"
check "the device's memory is marked dd in smaps" dd_at "$pid" "0x${a_dev:-0}"
check "the peer's (its PSK, its handshake) too" dd_at "$pid" "0x${a_peer:-0}"
check "the current keypair's too" dd_at "$pid" "0x${a_kp:-0}"
check "the staged packets' buffer's too" dd_at "$pid" "0x${a_staged:-0}"
check "the packet pool's too (plaintext on its way to and from the TUN)" dd_at "$pid" "0x${a_pool:-0}"
finish
